"""The data of an SAE report (laid out after CIOMS I), gathered from a subject's records.

:func:`list_saes` finds the serious adverse events of a subject or of the site;
:func:`gather_sae` reads one of them into a :class:`SaeDocument`: the adverse
event form, the subject (initials, birth date, age, sex), every administration
of each study therapy (doses, courses, interruptions), concomitant medications
whose period overlaps the event, relevant history, laboratory values around the
event and the death record. Where each comes from is the study's ``cioms.yaml``
(:mod:`npc_crf.reports.sae_map`).

Every value is kept as the study prints it, in both languages (decodes, units,
partial dates such as ``2024-03-UNK``, missing-data codes such as ``UNK –
Unknown``), so one document renders in English or Chinese and its
:attr:`SaeDocument.content_hash` does not depend on the language. Nothing is
completed or imputed: a partial date stays partial, and boxes 20 and 21
(dechallenge, rechallenge) are derived only when the action taken, the outcome
and the dates decide them; otherwise they are left blank.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from npc_crf.auth.roles import Permission
from npc_crf.core.errors import UsageError
from npc_crf.forms.canonical import canonical_json, sha256_hex
from npc_crf.forms.display import YES_NO, edit_text, partial_date_text, value_text
from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.expr.values import PartialDate
from npc_crf.forms.model import Form, Item, ItemType, Study, Text
from npc_crf.oncology.ctcae.analytes import analyte_key
from npc_crf.oncology.safety.dates import OPEN_END, Span, after, before, span_of
from npc_crf.reports.sae_map import (
    SERIOUSNESS_BOXES,
    ConcomitantMap,
    HistoryMap,
    SaeMap,
    SuspectMap,
    TestsMap,
    load_sae_map,
)
from npc_crf.services.casebook import Casebook, FormRecord
from npc_crf.services.subjects import SubjectStatus
from npc_crf.services.workspace import Workspace
from npc_crf.store.models import event_instance, form_instance, item_value
from npc_crf.store.values import from_columns

#: answers to boxes 20 and 21
YES, NO, NOT_APPLICABLE, NOT_KNOWN = "yes", "no", "na", ""

#: a subject in one of these has finished study treatment
_OFF_TREATMENT = frozenset(
    {
        SubjectStatus.SCREEN_FAILURE,
        SubjectStatus.FOLLOW_UP,
        SubjectStatus.OFF_STUDY,
        SubjectStatus.DIED,
    }
)


# -- the document ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A labelled value (the label of the form item, the value as printed)."""

    label: Text
    value: Text


@dataclass(frozen=True)
class SaeRef:
    """A serious adverse event, as listed for choosing which to report."""

    subject_id: str
    event_oid: str
    occurrence: int
    term: Text
    onset: Text | None
    grade: Text | None
    #: the AE form's status (in_progress, complete, signed, locked)
    status: str
    outcome: Text | None

    def to_json(self) -> dict[str, object]:
        """The reference as JSON-ready data (texts in English, ``term_zh`` too)."""
        return {
            "subject_id": self.subject_id,
            "event_oid": self.event_oid,
            "occurrence": self.occurrence,
            "term": self.term.en,
            "term_zh": self.term.zh,
            "onset": self.onset.en if self.onset else None,
            "grade": self.grade.en if self.grade else None,
            "status": self.status,
            "outcome": self.outcome.en if self.outcome else None,
        }


@dataclass(frozen=True)
class Patient:
    """I. 1-3."""

    initials: Text | None
    birth_date: Text | None
    age: Text | None
    sex: Text | None


@dataclass(frozen=True)
class Reaction:
    """I. 4-12 and the additional information of the adverse event form."""

    term: Text
    #: the MedDRA code of a CTCAE term (None for a free-text term)
    term_code: str | None
    verbatim: Text | None
    grade: Text | None
    onset: Text | None
    end: Text | None
    ongoing: Text | None
    outcome: Text | None
    #: the boxes of SERIOUSNESS_BOXES that are ticked
    ticked: tuple[str, ...]
    #: the criteria as the study names them
    criteria: Text | None
    serious_date: Text | None
    aware_date: Text | None
    reported_date: Text | None
    expected: Text | None
    susar: Text | None
    immune_related: Text | None
    steroids: Text | None


@dataclass(frozen=True)
class Administration:
    """One dose or course of a suspect therapy (the dosing history)."""

    visit: Text
    when: Text | None
    given: bool
    dose: Text | None  # the amount (dose, agents' doses, Gy / fractions)
    detail: Text | None  # what was given (product, regimen, technique, site)
    notes: Text | None
    #: certainly after the onset of the reaction
    after_onset: bool
    #: certainly on or before the onset (started on or before it, for a course)
    before_onset: bool = False


@dataclass(frozen=True)
class Suspect:
    """II. 14-21 for one study therapy, and the investigator's assessment of it."""

    name: Text
    kind: str
    dose: Text | None  # 15
    route: Text | None  # 16
    indication: Text | None  # 17
    first: Text | None  # 18 from
    last: Text | None  # 18 to
    ongoing: bool
    duration: Text | None  # 19
    abated: str  # 20: YES, NO, NOT_APPLICABLE or NOT_KNOWN
    reappeared: str  # 21
    causality: Text | None
    causality_label: Text | None
    action: Text | None
    action_label: Text | None
    administrations: tuple[Administration, ...]


@dataclass(frozen=True)
class Medication:
    """III. 22: a concomitant medication whose period overlaps the event."""

    drug: Text
    dose: Text | None
    route: Text | None
    indication: Text | None
    start: Text | None
    end: Text | None
    #: started on or after the onset (it may treat the reaction)
    after_onset: bool


@dataclass(frozen=True)
class HistoryEntry:
    """III. 23: a condition, a diagnosis or a prior therapy."""

    source: Text
    term: Text
    start: Text | None
    end: Text | None
    details: Text | None


@dataclass(frozen=True)
class LabResult:
    """I. 13: a laboratory value sampled around the event."""

    date: Text
    test: Text
    value: Text
    normal: Text | None
    flag: str  # "H", "L" or ""


@dataclass(frozen=True)
class Death:
    """The death record."""

    date: Text | None
    cause: Text | None
    details: tuple[Entry, ...]


@dataclass(frozen=True)
class SaeDocument:
    """Everything an SAE report prints, in both languages (see the module's notes)."""

    study_oid: str
    study_version: str
    study_name: Text
    protocol_id: str
    site_id: str
    subject_id: str
    event_oid: str
    occurrence: int
    form_oid: str
    #: the AE form's revision (its status is left out: signing changes no content)
    record_revision: int
    sponsor_name: Text
    sponsor_address: Text
    country: Text
    report_source: str
    patient: Patient
    reaction: Reaction
    #: I. 7: the event in words, made from the fields above
    narrative: Text
    suspects: tuple[Suspect, ...]
    #: None: the study maps no laboratory forms
    tests: tuple[LabResult, ...] | None
    #: the days before the onset and after the end that ``tests`` covers
    test_days: tuple[int, int]
    #: None: the study collects no concomitant medications
    concomitant: tuple[Medication, ...] | None
    history: tuple[HistoryEntry, ...]
    death: Death | None

    def report_id(self, number: int) -> str:
        """``<study>-<subject>-AE<occurrence>-<number>``: 0 initial, n ≥ 1 follow-up n."""
        return f"{self.study_oid}-{self.subject_id}-AE{self.occurrence}-{number}"

    @property
    def content_hash(self) -> str:
        """SHA-256 (hex) of the canonical JSON of this document's data."""
        return sha256_hex(canonical_json(dataclasses.asdict(self)))


# -- reading the casebook ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Record:
    """One saved form with the visit it belongs to."""

    event_oid: str
    occurrence: int
    form: FormRecord

    @property
    def answers(self) -> Mapping[str, Any]:
        return self.form.answers


class _Book:
    """A subject's saved forms by form OID, in schedule order."""

    def __init__(self, study: Study, book: Casebook) -> None:
        self.study = study
        self.subject = book.subject
        self._by_form: dict[str, list[_Record]] = {}
        for event in book.events:
            for oid, record in event.forms.items():
                self._by_form.setdefault(oid, []).append(
                    _Record(event.event_oid, event.occurrence, record)
                )

    def records(self, form_oid: str) -> list[_Record]:
        return self._by_form.get(form_oid, [])

    def record(self, form_oid: str, event_oid: str, occurrence: int) -> _Record | None:
        return next(
            (
                r
                for r in self.records(form_oid)
                if r.event_oid == event_oid and r.occurrence == occurrence
            ),
            None,
        )

    def rows(self, form_oid: str, group: str | None) -> Iterator[tuple[_Record, Mapping[str, Any]]]:
        """Each record of ``form_oid``, or each row of its ``group``."""
        for record in self.records(form_oid):
            if group is None:
                yield record, record.answers
                continue
            table = record.answers.get(group)
            for row in table if isinstance(table, list) else []:
                if isinstance(row, Mapping):
                    yield record, row

    def visit(self, record: _Record) -> Text:
        """The visit's name, with its occurrence when the event repeats."""
        event = self.study.event(record.event_oid)
        if event is None:
            return Text(record.event_oid, record.event_oid)
        if not event.repeating:
            return event.name
        return Text(f"{event.name.en} {record.occurrence}", f"{event.name.zh} {record.occurrence}")


@dataclass(frozen=True)
class _Given:
    """An administration with the dates that place it."""

    administration: Administration
    start: Span | None  # None: not given, or no date
    end: Span | None  # courses: None while going on
    stopped: bool = False  # doses: the therapy was stopped after this one
    ongoing: bool = False  # courses: still going on


class _Printer:
    """Values as the study prints them, in both languages."""

    def __init__(self, study: Study) -> None:
        self.study = study

    def text(self, form: Form, oid: str | None, value: object) -> Text | None:
        """A value decoded, with its unit; None when not answered."""
        if oid is None or value is None or (isinstance(value, str) and not value.strip()):
            return None
        item = form.item(oid)
        if item is None:
            return None
        unit = (
            item.unit
            if item.unit is not None
            and isinstance(value, int | Decimal)
            and not isinstance(value, bool)
            else None
        )

        def one(lang: str) -> str:
            shown = value_text(self.study, item, value, lang, missing_names=True)
            return f"{shown} {unit.get(lang)}" if unit is not None else shown

        return Text(one("en"), one("zh"))

    def of(self, form: Form, oid: str | None, answers: Mapping[str, Any]) -> Text | None:
        """The answer to ``oid`` in ``answers``, printed."""
        return self.text(form, oid, answers.get(oid)) if oid else None

    def label(self, form: Form, oid: str | None) -> Text | None:
        item = form.item(oid) if oid else None
        return item.label if item is not None else None

    def notes(self, form: Form, oids: Sequence[str], answers: Mapping[str, Any]) -> Text | None:
        """``label: value`` of each answered note item (a yes/no only when yes)."""
        parts: list[Text] = []
        for oid in oids:
            value = answers.get(oid)
            item = form.item(oid)
            if item is None or value is None or value is False:
                continue
            shown = self.text(form, oid, value)
            if shown is None:
                continue
            parts.append(_labelled(item.label, shown))
        return join(parts, "; ", "；") if parts else None


def join(parts: Sequence[Text | None], en: str = ", ", zh: str = "，") -> Text | None:
    """Texts joined (the empty ones left out); None when nothing is left."""
    kept = [p for p in parts if p is not None and (p.en or p.zh)]
    if not kept:
        return None
    return Text(en.join(p.en for p in kept), zh.join(p.zh for p in kept))


def _labelled(label: Text, value: Text) -> Text:
    """``Dose delayed? Yes``, ``Reason for delay: Adverse event`` (and in Chinese)."""
    en = " " if label.en.endswith("?") else ": "
    zh = "" if label.zh.endswith(("？", "?")) else "："
    return Text(f"{label.en}{en}{value.en}", f"{label.zh}{zh}{value.zh}")


def _date(value: object) -> Text | None:
    """A date, partial date or missing code as printed (``2024-03-UNK``)."""
    if value is None:
        return None
    if isinstance(value, Missing):
        return Text(value.code, value.code)
    if span_of(value) is None:
        return None
    shown = partial_date_text(value) if isinstance(value, PartialDate) else edit_text(value)
    return Text(shown, shown)


def _years(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _age(birth: Span | None, onset: Span | None) -> Text | None:
    """The age at onset, from spans: ``48 years``, or ``47–48 years`` when dates are partial."""
    if birth is None or onset is None or onset.earliest < birth.latest:
        return None
    low, high = _years(birth.latest, onset.earliest), _years(birth.earliest, onset.latest)
    shown = str(low) if low == high else f"{low}–{high}"
    return Text(f"{shown} years", f"{shown}岁")


def _duration(first: Span | None, last: Span | None) -> Text | None:
    if first is None or last is None or first.exact is None or last.exact is None:
        return None
    days = (last.exact - first.exact).days + 1
    return Text(f"{days} day{'s' if days != 1 else ''}", f"{days}天")


def _overlaps(start: Span | None, end: Span | None, window: tuple[dt.date, dt.date]) -> bool:
    """Whether a period may overlap ``window`` (partial dates: when it cannot be ruled out)."""
    first = start.earliest if start is not None else dt.date.min
    last = end.latest if end is not None else OPEN_END
    return first <= window[1] and last >= window[0]


# -- listing ---------------------------------------------------------------------------------


def list_saes(ws: Workspace, subject_id: str | None = None) -> list[SaeRef]:
    """The serious adverse events of ``subject_id`` (or of every subject), in subject and
    occurrence order: the adverse event forms whose serious item says yes."""
    ws.require(Permission.VIEW_DATA, "print SAE reports")
    study = ws.study
    mapping = load_sae_map(study)
    reaction = mapping.reaction
    form = study.forms[reaction.form]
    if subject_id is not None:
        ws.subjects.get(subject_id)  # an unknown subject is a UsageError
    named = (reaction.serious, reaction.term, reaction.onset, reaction.grade, reaction.outcome)
    wanted = [oid for oid in named if oid]
    where = [form_instance.c.form_oid == form.oid, event_instance.c.event_oid == reaction.event]
    if subject_id is not None:
        where.append(event_instance.c.subject_id == subject_id)
    instances_query = (
        select(
            event_instance.c.subject_id,
            event_instance.c.occurrence,
            form_instance.c.id,
            form_instance.c.status,
        )
        .join(event_instance, form_instance.c.event_instance_id == event_instance.c.id)
        .where(*where)
    )
    values_query = (
        select(
            item_value.c.form_instance_id,
            item_value.c.item_oid,
            item_value.c.kind,
            item_value.c.value,
            item_value.c.missing_code,
        )
        .join(form_instance, item_value.c.form_instance_id == form_instance.c.id)
        .join(event_instance, form_instance.c.event_instance_id == event_instance.c.id)
        .where(*where, item_value.c.item_oid.in_(wanted), item_value.c.row_uid == "")
    )
    with ws.read() as conn:
        instances = conn.execute(instances_query).all()
        values: dict[int, dict[str, object]] = {i.id: {} for i in instances}
        for row in conn.execute(values_query):
            if row.form_instance_id in values:
                values[row.form_instance_id][row.item_oid] = from_columns(
                    row.kind, row.value, row.missing_code
                )
    printer = _Printer(study)
    found: list[SaeRef] = []
    for inst in sorted(instances, key=lambda i: (i.subject_id, i.occurrence)):
        answers = values[inst.id]
        if answers.get(reaction.serious) is not True:
            continue
        term = printer.of(form, reaction.term, answers) or Text("", "")
        found.append(
            SaeRef(
                subject_id=inst.subject_id,
                event_oid=reaction.event,
                occurrence=inst.occurrence,
                term=term,
                onset=_date(answers.get(reaction.onset)),
                grade=printer.of(form, reaction.grade, answers),
                status=str(inst.status),
                outcome=printer.of(form, reaction.outcome, answers),
            )
        )
    return found


# -- gathering one report --------------------------------------------------------------------


def gather_sae(ws: Workspace, subject_id: str, occurrence: int) -> SaeDocument:
    """The SAE report data of adverse event ``occurrence`` of ``subject_id``.

    UsageError when the study has no SAE report mapping, the subject or the adverse
    event does not exist, or the adverse event is not serious.
    """
    ws.require(Permission.VIEW_DATA, "print SAE reports")
    study = ws.study
    mapping = load_sae_map(study)
    book = _Book(study, ws.casebook.load(subject_id))
    r = mapping.reaction
    record = book.record(r.form, r.event, occurrence)
    if record is None:
        have = [rec.occurrence for rec in book.records(r.form) if rec.event_oid == r.event]
        listed = ", ".join(f"{r.event}[{n}]" for n in have) or "none"
        raise UsageError(
            f"Subject {subject_id} has no adverse event {r.event}[{occurrence}] "
            f"(form {r.form}); it has: {listed}."
        )
    if record.answers.get(r.serious) is not True:
        raise UsageError(
            f"Adverse event {r.event}[{occurrence}] of subject {subject_id} is not marked "
            f"serious ({r.form}.{r.serious}); SAE reports are made for serious adverse "
            "events only.",
            "Choose one of the subject's serious adverse events (npc-crf report sae --list).",
        )
    return _Gatherer(ws, mapping, book, record).document()


class _Gatherer:
    """Builds one :class:`SaeDocument`."""

    def __init__(self, ws: Workspace, mapping: SaeMap, book: _Book, record: _Record) -> None:
        self.ws, self.map, self.book, self.record = ws, mapping, book, record
        self.study = ws.study
        self.p = _Printer(self.study)
        self.form = self.study.forms[mapping.reaction.form]
        self.ae = record.answers
        self.onset = span_of(self.ae.get(mapping.reaction.onset))
        self.end = span_of(self.ae.get(mapping.reaction.end)) if mapping.reaction.end else None

    def window(self) -> tuple[dt.date, dt.date] | None:
        """The days the event may span (ongoing or unknown end: open)."""
        if self.onset is None:
            return None
        return self.onset.earliest, self.end.latest if self.end is not None else OPEN_END

    def document(self) -> SaeDocument:
        study = self.study
        reaction = self.reaction()
        suspects = tuple(self.suspect(s) for s in self.map.suspects)
        death = self.death()
        return SaeDocument(
            study_oid=study.oid,
            study_version=study.version,
            study_name=study.name,
            protocol_id=study.protocol.id,
            site_id=self.ws.site_id,
            subject_id=self.book.subject.subject_id,
            event_oid=self.record.event_oid,
            occurrence=self.record.occurrence,
            form_oid=self.map.reaction.form,
            record_revision=self.record.form.revision,
            sponsor_name=self.map.sponsor_name,
            sponsor_address=self.map.sponsor_address,
            country=self.map.country,
            report_source=self.map.report_source,
            patient=self.patient(),
            reaction=reaction,
            narrative=_narrative(reaction, suspects, death),
            suspects=suspects,
            tests=self.tests(self.map.tests) if self.map.tests is not None else None,
            test_days=(
                (self.map.tests.days_before, self.map.tests.days_after)
                if self.map.tests is not None
                else (0, 0)
            ),
            concomitant=(
                self.concomitant(self.map.concomitant) if self.map.concomitant is not None else None
            ),
            history=tuple(e for h in self.map.history for e in self.history(h)),
            death=death,
        )

    # -- I. -----------------------------------------------------------------------------------

    def patient(self) -> Patient:
        m = self.map.patient
        form = self.study.forms[m.form]
        records = self.book.records(m.form)
        answers: Mapping[str, Any] = records[0].answers if records else {}
        birth = span_of(answers.get(m.birth_date)) if m.birth_date else None
        age = _age(birth, self.onset) or self.p.of(form, m.age, answers)
        return Patient(
            initials=self.p.of(form, m.initials, answers),
            birth_date=_date(answers.get(m.birth_date)) if m.birth_date else None,
            age=age,
            sex=self.p.of(form, m.sex, answers),
        )

    def reaction(self) -> Reaction:
        m, form, ae = self.map.reaction, self.form, self.ae
        criteria = ae.get(m.criteria) if m.criteria else None
        codes = (
            {str(c) for c in criteria}
            if isinstance(criteria, frozenset | set)
            else ({str(criteria)} if isinstance(criteria, str | int) else set())
        )
        term_item = form.item(m.term)
        code = ae.get(m.term)
        ongoing = self.p.of(form, m.ongoing, ae)
        return Reaction(
            term=self.p.of(form, m.term, ae) or Text("", ""),
            term_code=str(code)
            if term_item is not None and term_item.type is ItemType.LOOKUP and code is not None
            else None,
            verbatim=self.p.of(form, m.verbatim, ae),
            grade=self.p.of(form, m.grade, ae),
            onset=_date(ae.get(m.onset)),
            end=_date(ae.get(m.end)) if m.end else None,
            ongoing=ongoing,
            outcome=self.p.of(form, m.outcome, ae),
            ticked=tuple(b for b in SERIOUSNESS_BOXES if b in self.map.boxes_ticked(codes)),
            criteria=self.p.of(form, m.criteria, ae),
            serious_date=_date(ae.get(m.serious_date)) if m.serious_date else None,
            aware_date=_date(ae.get(m.aware_date)) if m.aware_date else None,
            reported_date=_date(ae.get(m.reported_date)) if m.reported_date else None,
            expected=self.p.of(form, m.expected, ae),
            susar=self.p.of(form, m.susar, ae),
            immune_related=self.p.of(form, m.immune_related, ae),
            steroids=self.p.of(form, m.steroids, ae),
        )

    def tests(self, m: TestsMap) -> tuple[LabResult, ...]:
        window = self.window()
        if window is None:
            return ()
        start = window[0] - dt.timedelta(days=m.days_before)
        end = window[1] if window[1] == OPEN_END else window[1] + dt.timedelta(days=m.days_after)
        found: list[tuple[dt.date, int, int, LabResult]] = []
        for index, lab in enumerate(m.forms):
            form = self.study.forms[lab.form]
            numeric = [
                item
                for item, group in form.all_items()
                if group is None and item.type in (ItemType.INTEGER, ItemType.DECIMAL)
            ]
            for record in self.book.records(lab.form):
                sampled = span_of(record.answers.get(lab.date))
                if sampled is None or sampled.exact is None or not start <= sampled.exact <= end:
                    continue
                when = _date(record.answers.get(lab.date)) or Text("", "")
                for n, item in enumerate(numeric):
                    value = record.answers.get(item.oid)
                    if value is None:
                        continue
                    shown = self.p.text(form, item.oid, value)
                    if shown is None:
                        continue
                    normal, flag = self._normal(item, value)
                    result = LabResult(when, item.label, shown, normal, flag)
                    found.append((sampled.exact, index, n, result))
        found.sort(key=lambda f: f[:3])
        return tuple(f[3] for f in found)

    def _normal(self, item: Item, value: object) -> tuple[Text | None, str]:
        ranges = self.study.reference_ranges
        ref = ranges.get(item.oid) or ranges.get(analyte_key(item.oid) or "")
        if ref is None:
            return None, ""
        low = "" if ref.lln is None else str(ref.lln)
        high = "" if ref.uln is None else str(ref.uln)
        shown = f"{low}–{high} {ref.unit}".strip()
        flag = ""
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            if ref.lln is not None and value < ref.lln:
                flag = "L"
            elif ref.uln is not None and value > ref.uln:
                flag = "H"
        return Text(shown, shown), flag

    # -- II. ----------------------------------------------------------------------------------

    def suspect(self, m: SuspectMap) -> Suspect:
        form = self.study.forms[m.form]
        given = self._doses(m, form) if m.kind == "doses" else self._courses(m, form)
        dated = [g for g in given if g.administration.given and g.start is not None]
        spans = [(g.administration, g.start) for g in dated if g.start is not None]
        first = min((s for _, s in spans), key=lambda s: s.earliest, default=None)
        ends = [e for g in dated if (e := g.end or g.start) is not None]
        last_end = max(ends, key=lambda s: (s.latest, s.earliest), default=None)
        action_code = self._code(m.action)
        if m.kind == "doses":
            stopped = any(g.stopped for g in given) or action_code in self.map.withdrawn
            ongoing = bool(dated) and not stopped and self.book.subject.status not in _OFF_TREATMENT
        else:
            ongoing = any(g.ongoing for g in dated)
        reference = self._reference(spans)
        names = self._names(m, form)
        last_text = _span_text(last_end) if not ongoing else None
        return Suspect(
            name=join([m.name, names], " – ", " – ") or m.name,
            kind=m.kind,
            dose=join([reference.dose if reference else None, m.frequency], ", ", "，"),
            route=m.route,
            indication=m.indication,
            first=_span_text(first),
            last=last_text,
            ongoing=ongoing,
            duration=_duration(first, last_end) if not ongoing else None,
            abated=self._abated(action_code, m),
            reappeared=self._reappeared(action_code, m, spans),
            causality=self.p.of(self.form, m.causality, self.ae),
            causality_label=self.p.label(self.form, m.causality),
            action=self.p.of(self.form, m.action, self.ae),
            action_label=self.p.label(self.form, m.action),
            administrations=tuple(g.administration for g in given),
        )

    def _doses(self, m: SuspectMap, form: Form) -> list[_Given]:
        found: list[_Given] = []
        for record in self.book.records(m.form):
            a = record.answers
            given = a.get(m.given) if m.given else True
            day = a.get(m.date) if m.date else None
            if given is None and day is None:
                continue  # nothing recorded yet
            span = span_of(day)
            amount = join([self.p.of(form, m.dose, a), self._agents(m, form, a)], "; ", "；")
            what = join([self.p.of(form, m.product, a), self.p.of(form, m.regimen, a)])
            administration = Administration(
                visit=self.book.visit(record),
                when=_date(day),
                given=given is not False,
                dose=amount if given is not False else None,
                detail=what if given is not False else None,
                notes=self.p.notes(form, m.notes, a),
                after_onset=self._after_onset(span),
                before_onset=self._before_onset(span),
            )
            stopped = a.get(m.last) is True if m.last else False
            start = span if given is not False else None
            found.append(_Given(administration, start, None, stopped=stopped))
        return found

    def _agents(self, m: SuspectMap, form: Form, answers: Mapping[str, Any]) -> Text | None:
        if m.agents is None:
            return None
        rows = answers.get(m.agents.group)
        parts: list[Text | None] = []
        for row in rows if isinstance(rows, list) else []:
            agent = self.p.of(form, m.agents.agent, row)
            amount = self.p.of(form, m.agents.dose, row)
            unit = self.p.of(form, m.agents.unit, row)
            dose = join([amount, unit], " ", " ")
            parts.append(join([agent, dose], " ", " "))
        return join(parts, "; ", "；")

    def _courses(self, m: SuspectMap, form: Form) -> list[_Given]:
        found: list[_Given] = []
        start_item, end_item = m.start or "", m.end or ""  # both named for courses
        for record in self.book.records(m.form):
            if m.given and record.answers.get(m.given) is False:
                continue
            for row_record, row in self._course_rows(m, record):
                start, end = span_of(row.get(start_item)), span_of(row.get(end_item))
                status = self._code_in(row, m.status)
                ongoing = status is not None and status in m.ongoing_codes
                ended_unknown = isinstance(row.get(end_item), Missing)
                if end is None and ended_unknown and start is not None:
                    end = Span(start.earliest, OPEN_END)  # ended, on an unknown day
                elif ongoing or (end is None and start is not None):
                    end = None  # still going on
                when = join(
                    [
                        _date(row.get(start_item)),
                        _date(row.get(end_item)) or (_ONGOING if end is None else None),
                    ],
                    " – ",
                    " – ",
                )
                amount = join(
                    [self.p.of(form, m.dose, row), self.p.of(form, m.fractions, row)], " / ", " / "
                )
                site = join([self.p.of(form, oid, row) for oid in m.site], ", ", "，")
                technique = self.p.of(form, m.technique, row)
                administration = Administration(
                    visit=self.book.visit(row_record),
                    when=when,
                    given=True,
                    dose=amount,
                    detail=join([technique, site], ", ", "，"),
                    notes=self.p.notes(form, m.notes, row),
                    after_onset=self._after_onset(start),
                    before_onset=self._before_onset(start),
                )
                found.append(_Given(administration, start, end, ongoing=end is None))
        return found

    def _course_rows(
        self, m: SuspectMap, record: _Record
    ) -> Iterator[tuple[_Record, Mapping[str, Any]]]:
        if m.group is None:
            yield record, record.answers
            return
        rows = record.answers.get(m.group)
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, Mapping):
                yield record, row

    def _after_onset(self, span: Span | None) -> bool:
        return span is not None and self.onset is not None and after(span, self.onset) is True

    def _before_onset(self, span: Span | None) -> bool:
        return span is not None and self.onset is not None and span.latest <= self.onset.earliest

    def _reference(self, spans: list[tuple[Administration, Span]]) -> Administration | None:
        """The administration box 15 shows: the last one before onset, else the first."""
        if not spans:
            return None
        before = [a for a, _ in spans if a.before_onset]
        return before[-1] if before else spans[0][0]

    def _names(self, m: SuspectMap, form: Form) -> Text | None:
        """The distinct products or regimens given (``Sintilimab``; ``GP (…)``)."""
        item = m.product or m.regimen or m.technique
        if item is None:
            return None
        seen: dict[str, Text] = {}
        group = m.group if m.kind == "courses" else None
        for _record, row in self.book.rows(m.form, group):
            shown = self.p.of(form, item, row)
            if shown is not None:
                seen.setdefault(shown.en, shown)
        return join(list(seen.values()), ", ", "，")

    def _code(self, oid: str | None) -> str | None:
        return self._code_in(self.ae, oid)

    @staticmethod
    def _code_in(answers: Mapping[str, Any], oid: str | None) -> str | None:
        value = answers.get(oid) if oid else None
        if value is None or isinstance(value, Missing | bool):
            return None
        return str(value)

    def _abated(self, action: str | None, m: SuspectMap) -> str:
        """Box 20: did the reaction abate after the product was stopped?"""
        if m.action is None or action is None or action in self.map.unknown_actions:
            return NOT_KNOWN
        if action not in self.map.stopped:
            return NOT_APPLICABLE
        outcome = self._code(self.map.reaction.outcome)
        if outcome in self.map.abated:
            return YES
        if outcome in self.map.not_abated:
            return NO
        return NOT_KNOWN

    def _reappeared(
        self, action: str | None, m: SuspectMap, spans: list[tuple[Administration, Span]]
    ) -> str:
        """Box 21: after the product was given again, did the reaction come back?"""
        if m.action is None or action is None or action in self.map.unknown_actions:
            return NOT_KNOWN
        if action not in self.map.stopped or action in self.map.withdrawn:
            return NOT_APPLICABLE
        again = [s for a, s in spans if a.after_onset]
        if not again:
            return NOT_APPLICABLE  # not reintroduced
        restart = min(again, key=lambda s: s.earliest)
        r = self.map.reaction
        term = self.ae.get(r.term)
        unsure = False
        for other in self.book.records(r.form):
            if other.event_oid != r.event or other.occurrence == self.record.occurrence:
                continue
            onset = span_of(other.answers.get(r.onset))
            if other.answers.get(r.term) != term or onset is None:
                continue
            earlier = before(onset, restart)
            if earlier is False:  # the same reaction again, on or after the new start
                return YES
            unsure = unsure or earlier is None
        return NOT_KNOWN if unsure else NO

    # -- III. ---------------------------------------------------------------------------------

    def concomitant(self, m: ConcomitantMap) -> tuple[Medication, ...]:
        window = self.window()
        form = self.study.forms[m.form]
        found: list[Medication] = []
        for _record, row in self.book.rows(m.form, m.group):
            drug = self.p.of(form, m.drug, row)
            if drug is None:
                continue
            start = span_of(row.get(m.start)) if m.start else None
            ongoing = row.get(m.ongoing) is True if m.ongoing else False
            end = None if ongoing else (span_of(row.get(m.end)) if m.end else None)
            if window is not None and not _overlaps(start, end, window):
                continue
            dose = join([self.p.of(form, m.dose, row), self.p.of(form, m.dose_unit, row)], " ", " ")
            found.append(
                Medication(
                    drug=drug,
                    dose=dose,
                    route=self.p.of(form, m.route, row),
                    indication=self.p.of(form, m.indication, row),
                    start=_date(row.get(m.start)) if m.start else None,
                    end=_ONGOING if ongoing else (_date(row.get(m.end)) if m.end else None),
                    after_onset=start is not None
                    and self.onset is not None
                    and before(start, self.onset) is False,
                )
            )
        return tuple(found)

    def history(self, m: HistoryMap) -> list[HistoryEntry]:
        form = self.study.forms[m.form]
        found: list[HistoryEntry] = []
        for _record, row in self.book.rows(m.form, m.group):
            term = self.p.of(form, m.term, row)
            if term is None:
                continue
            if m.group is None:  # one entry per form: say what the value is
                term = join([self.p.label(form, m.term), term], ": ", "：") or term
            ongoing = row.get(m.ongoing) is True if m.ongoing else False
            details = [
                join([self.p.label(form, oid), shown], ": ", "：")
                for oid in m.details
                if (shown := self.p.of(form, oid, row)) is not None
            ]
            found.append(
                HistoryEntry(
                    source=form.title,
                    term=term,
                    start=_date(row.get(m.start)) if m.start else None,
                    end=_ONGOING if ongoing else (_date(row.get(m.end)) if m.end else None),
                    details=join(details, "; ", "；"),
                )
            )
        return found

    def death(self) -> Death | None:
        m = self.map.death
        if m is None:
            return None
        records = self.book.records(m.form)
        if not records:
            return None
        form = self.study.forms[m.form]
        a = records[0].answers
        details = tuple(
            Entry(item.label, shown)
            for oid in m.details
            if (item := form.item(oid)) is not None and (shown := self.p.of(form, oid, a))
        )
        return Death(_date(a.get(m.date)), self.p.of(form, m.cause, a), details)


_ONGOING = Text("ongoing", "持续中")


def _span_text(span: Span | None) -> Text | None:
    """A span printed as a date: the day, or the range it may be."""
    if span is None:
        return None
    if span.exact is not None:
        day = span.exact.isoformat()
        return Text(day, day)
    if span.open_ended:
        day = span.earliest.isoformat()
        return Text(f"{day} or later", f"{day}或之后")
    shown = f"{span.earliest.isoformat()}–{span.latest.isoformat()}"
    return Text(shown, shown)


def _narrative(reaction: Reaction, suspects: Sequence[Suspect], death: Death | None) -> Text:
    """I. 7: the event in words, in both languages, from what was entered."""
    en: list[str] = []
    zh: list[str] = []
    term_en = reaction.term.en + (f" ({reaction.verbatim.en})" if reaction.verbatim else "")
    term_zh = reaction.term.zh + (f"（{reaction.verbatim.zh}）" if reaction.verbatim else "")
    code = f", MedDRA {reaction.term_code}" if reaction.term_code else ""
    grade_en = f", {reaction.grade.en}" if reaction.grade else ""
    grade_zh = f"，{reaction.grade.zh}" if reaction.grade else ""
    en.append(f"{term_en} (CTCAE v5.0{code}){grade_en}.")
    zh.append(f"{term_zh}（CTCAE v5.0{code}）{grade_zh}。")
    onset_en = f"Onset {reaction.onset.en}" if reaction.onset else "Onset date not recorded"
    onset_zh = f"发生日期{reaction.onset.zh}" if reaction.onset else "发生日期未记录"
    if reaction.end is not None:
        onset_en += f"; resolved {reaction.end.en}"
        onset_zh += f"；{reaction.end.zh}缓解"
    elif reaction.ongoing is not None and reaction.ongoing.en == YES_NO["en"][0]:
        onset_en += "; ongoing"
        onset_zh += "；仍持续"
    en.append(onset_en + ".")
    zh.append(onset_zh + "。")
    if reaction.criteria is not None:
        en.append(f"Serious: {reaction.criteria.en}.")
        zh.append(f"严重性标准：{reaction.criteria.zh}。")
    dates_en = [
        f"became serious on {reaction.serious_date.en}" if reaction.serious_date else "",
        f"site aware on {reaction.aware_date.en}" if reaction.aware_date else "",
        f"reported to the sponsor on {reaction.reported_date.en}" if reaction.reported_date else "",
    ]
    dates_zh = [
        f"{reaction.serious_date.zh}达到严重标准" if reaction.serious_date else "",
        f"研究中心于{reaction.aware_date.zh}获知" if reaction.aware_date else "",
        f"于{reaction.reported_date.zh}向申办方报告" if reaction.reported_date else "",
    ]
    if any(dates_en):
        text = "; ".join(d for d in dates_en if d)
        en.append(text[0].upper() + text[1:] + ".")
        zh.append("；".join(d for d in dates_zh if d) + "。")
    if reaction.outcome is not None:
        en.append(f"Outcome: {reaction.outcome.en}.")
        zh.append(f"转归：{reaction.outcome.zh}。")
    if reaction.immune_related is not None:
        en.append(f"Immune-related: {reaction.immune_related.en}.")
        zh.append(f"免疫相关：{reaction.immune_related.zh}。")
    if reaction.steroids is not None:
        en.append(f"Systemic corticosteroids: {reaction.steroids.en}.")
        zh.append(f"全身性糖皮质激素治疗：{reaction.steroids.zh}。")
    for s in suspects:
        bits_en, bits_zh = [], []
        if s.causality is not None:
            bits_en.append(f"causality {s.causality.en}")
            bits_zh.append(f"相关性：{s.causality.zh}")
        if s.action is not None:
            bits_en.append(f"action taken {s.action.en}")
            bits_zh.append(f"采取的措施：{s.action.zh}")
        before = [a for a in s.administrations if a.given and a.before_onset and a.when]
        if before:
            last = before[-1]
            assert last.when is not None
            dose_en = f" ({last.dose.en})" if last.dose else ""
            dose_zh = f"（{last.dose.zh}）" if last.dose else ""
            bits_en.append(f"last before onset {last.when.en}{dose_en}")
            bits_zh.append(f"发病前末次{last.when.zh}{dose_zh}")
        if bits_en:
            en.append(f"{s.name.en}: " + "; ".join(bits_en) + ".")
            zh.append(f"{s.name.zh}：" + "；".join(bits_zh) + "。")
    if death is not None:
        cause_en = f", primary cause {death.cause.en}" if death.cause else ""
        cause_zh = f"，主要死亡原因：{death.cause.zh}" if death.cause else ""
        when_en = death.date.en if death.date else "date not recorded"
        when_zh = death.date.zh if death.date else "日期未记录"
        en.append(f"The patient died ({when_en}{cause_en}).")
        zh.append(f"患者死亡（{when_zh}{cause_zh}）。")
    return Text(" ".join(en), "".join(zh))
