"""The worklist service (``ws.worklist``) and the helpers it uses."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Connection, func, select

from npc_crf.auth.roles import Permission, allowed
from npc_crf.core.errors import UsageError
from npc_crf.forms.expr.evaluate import Env, Missing
from npc_crf.forms.expr.functions import anchor_date
from npc_crf.forms.expr.values import PartialDate
from npc_crf.forms.model import EventKind
from npc_crf.forms.session import FormSession, Status
from npc_crf.oncology.ctcae.settings import CtcaeSettings, ctcae_settings
from npc_crf.oncology.safety import (
    SafetySettings,
    SubjectSafety,
    UnmatchedLab,
    assess_subject,
    lab_findings,
    safety_profile_for,
    study_safety_settings,
)
from npc_crf.oncology.schedule import (
    PlannedVisit,
    SchedulePolicy,
    VisitState,
    next_visit,
    plan_subject,
    policy_for,
)
from npc_crf.services.casebook import FormStatus
from npc_crf.services.monitoring.queries import select_waiting
from npc_crf.services.monitoring.signatures import locked_subjects
from npc_crf.services.worklist.model import (
    NOT_ENROLLED,
    CasebookGrid,
    CellState,
    FormCell,
    GridColumn,
    SubjectHeader,
    SubjectSummary,
    WorkItem,
    WorkKind,
)
from npc_crf.services.worklist.profile import ItemAt, profile_for
from npc_crf.services.worklist.query_items import per_form, per_subject, query_items
from npc_crf.services.worklist.reader import REREAD_LIMIT, FormRow, Reader, Snapshot, SubjectRows
from npc_crf.services.worklist.safety_items import lab_items, safety_items, visit_items
from npc_crf.services.worklist.sign_items import flag_voided, sign_items, voided_forms
from npc_crf.services.workspace import Workspace
from npc_crf.store.models import audit_entry, item_value
from npc_crf.store.records import StoreSubject, subject_forms

_T = TypeVar("_T")

# ------------------------------------------------------------------------------ helpers


def _date_of(rows: SubjectRows, at: ItemAt) -> dt.date | None:
    data = rows.form_data(at.event, 1, at.form)
    value = data.get(at.item) if data is not None else None
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _answered(value: object) -> bool:
    return value is not None and value != ""


def _whole_years(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_range(birth: object, on: dt.date) -> tuple[int, int] | None:
    """(youngest, oldest) possible age in completed years on ``on``; None if unknown.

    A partial birth date gives a range: year only may mean two ages, as may a
    known month when ``on`` falls in that month.
    """
    if isinstance(birth, dt.datetime):
        birth = birth.date()
    if isinstance(birth, dt.date):
        age = _whole_years(birth, on)
        return (age, age) if age >= 0 else None
    if isinstance(birth, PartialDate):
        youngest, oldest = _whole_years(birth.latest(), on), _whole_years(birth.earliest(), on)
        return (max(youngest, 0), oldest) if oldest >= 0 else None
    return None


def _cell(form_oid: str, form: FormRow | None, overridden: set[int], queries: int) -> FormCell:
    """A grid cell: a form has warnings when a soft warning was kept with a reason, or —
    in progress — when something may still be missing; ``queries`` wait for the user."""
    if form is None:
        return FormCell(form_oid, CellState.NOT_STARTED, False, queries)
    state = CellState(form.status)
    warned = form.id in overridden or state is CellState.IN_PROGRESS
    return FormCell(form_oid, state, warned, queries)


def _overridden(conn: Connection, form_ids: list[int]) -> set[int]:
    """The forms among ``form_ids`` holding a soft warning kept with a reason."""
    if not form_ids:
        return set()
    query = (
        select(item_value.c.form_instance_id)
        .where(item_value.c.form_instance_id.in_(form_ids))
        .where(item_value.c.override_reason.is_not(None))
        .distinct()
    )
    return set(conn.execute(query).scalars())


# ------------------------------------------------------------------------------ the service


class WorklistService:
    """The Subjects table, the worklist, and one subject's casebook header and grid."""

    def __init__(
        self,
        ws: Workspace,
        *,
        policy: SchedulePolicy | None = None,
        safety: SafetySettings | None = None,
        ctcae: CtcaeSettings | None = None,
    ) -> None:
        self.ws = ws
        self.study = ws.study
        self.profile = profile_for(self.study)
        self.policy = policy or policy_for(self.study)
        #: the safety rules' settings (default: the study file's, docs/safety.md §8)
        self.safety_settings = safety or study_safety_settings(self.study)
        #: how laboratory values are graded (default: the study file's ``oncology: ctcae:``)
        self.ctcae_settings = ctcae or ctcae_settings(self.study.oncology.get("ctcae"))
        self.safety_profile = safety_profile_for(self.study)
        self._reader = Reader(self.study, self.profile, self.safety_profile.items_by_form())
        #: the laboratory values, read only for the worklist (the Subjects table needs none)
        self._lab_reader = Reader.of_items(self.study, self.safety_profile.lab_items_by_form())
        #: reader name -> its rows of every subject
        self._snapshots: dict[str, Snapshot] = {}
        self._lock = threading.Lock()
        #: (what, subject, extra) -> (the rows it was made from, the result), for one day
        self._memos: dict[tuple[str, str, int], tuple[SubjectRows, Any]] = {}
        self._memo_day: dt.date | None = None
        #: subject -> (its rows, its lab rows, its lab findings): kept across days
        self._lab_memos: dict[
            str, tuple[SubjectRows, SubjectRows | None, tuple[UnmatchedLab, ...]]
        ] = {}

    # -- reading ---------------------------------------------------------------------------

    def _read(self, subject_id: str) -> SubjectRows:
        """One subject, read now."""
        with self.ws.read() as conn:
            found = self._reader.read(conn, subject_id).get(subject_id)
        if found is None:
            raise UsageError(f"There is no subject '{subject_id}' at this site.")
        return found

    def _all(self) -> list[SubjectRows]:
        """Every subject in ID order: the rows read last time, brought up to date."""
        return list(self._fresh("main", self._reader).values())

    def _lab_rows(self) -> dict[str, SubjectRows]:
        """Every subject's laboratory values, brought up to date the same way."""
        return self._fresh("labs", self._lab_reader)

    def _fresh(self, name: str, reader: Reader) -> dict[str, SubjectRows]:
        """``reader``'s rows of every subject, kept as ``name`` and brought up to date.

        Every change to a subject writes audit entries naming it, so the subjects
        named by entries after the last read are read again (a few queries each);
        when many changed, everything is (the same few queries as the first time).
        """
        with self._lock, self.ws.read() as conn:
            head = conn.execute(select(func.max(audit_entry.c.seq))).scalar_one() or 0
            known = self._snapshots.get(name)
            if known is not None and known.head == head:
                return known.subjects
            changed: set[str] | None = None
            if known is not None:
                changed = set()
                # by sequence number (the primary key): only the new entries are read
                newer = (
                    select(audit_entry.c.subject_id)
                    .where(audit_entry.c.seq > known.head)
                    .order_by(audit_entry.c.seq)
                )
                with conn.execute(newer).scalars() as named:
                    for subject_id in named:
                        if subject_id is not None:
                            changed.add(subject_id)
                            if len(changed) > REREAD_LIMIT:
                                break
            if known is None or changed is None or len(changed) > REREAD_LIMIT:
                subjects = reader.read(conn)
            else:
                subjects = dict(known.subjects)
                for subject_id in sorted(changed):
                    subjects.update(reader.read(conn, subject_id))
                subjects = dict(sorted(subjects.items()))
            self._snapshots[name] = Snapshot(head, subjects)
            return subjects

    def _memo(
        self, what: str, rows: SubjectRows, today: dt.date, extra: int, make: Callable[[], _T]
    ) -> _T:
        """``make()``, or what it gave for the same rows (unchanged since read) and day."""
        if today != self._memo_day:
            self._memos.clear()
            self._memo_day = today
        key = (what, rows.subject_id, extra)
        known = self._memos.get(key)
        if known is not None and known[0] is rows:
            result: _T = known[1]
            return result
        made = make()
        self._memos[key] = (rows, made)
        return made

    def _plan(self, rows: SubjectRows, today: dt.date) -> list[PlannedVisit]:
        """The subject's plan for ``today``, made once for the Subjects table and the
        worklist."""
        return self._memo("plan", rows, today, 0, partial(self._plan_now, rows, today))

    def _plan_now(self, rows: SubjectRows, today: dt.date) -> list[PlannedVisit]:
        return plan_subject(self.study, rows, today, status=rows.status.value, policy=self.policy)

    def _safety(self, rows: SubjectRows, today: dt.date) -> SubjectSafety:
        return assess_subject(
            self.study,
            rows,
            today,
            self.safety_settings,
            self.safety_profile,
            status=rows.status.value,
            saved_on=rows.saved_on,
            check_labs=False,
        )

    def _labs(
        self, rows: SubjectRows, labs: SubjectRows | None, assessed: SubjectSafety
    ) -> tuple[UnmatchedLab, ...]:
        """The lab check of the subject's laboratory values ``labs`` against its AEs and
        window (``assessed``); kept while both rows are (it does not depend on the day)."""
        known = self._lab_memos.get(rows.subject_id)
        if known is not None and known[0] is rows and known[1] is labs:
            return known[2]
        found: tuple[UnmatchedLab, ...] = ()
        if labs is not None:
            found = lab_findings(
                self.study,
                labs,
                self.safety_settings,
                self.safety_profile,
                ctcae=self.ctcae_settings,
                assessed=assessed,
            )
        self._lab_memos[rows.subject_id] = (rows, labs, found)
        return found

    def _enrolled_on(self, rows: SubjectRows) -> dt.date | None:
        if rows.status in NOT_ENROLLED:
            return None
        for at in self.profile.enrolment_date:
            found = _date_of(rows, at)
            if found is not None:
                return found
        return None

    def _sae(self, rows: SubjectRows) -> bool:
        return any(value is True for _where, value in self._ae_values(rows, serious=True))

    def _ae_values(
        self, rows: SubjectRows, *, serious: bool
    ) -> Iterable[tuple[tuple[str, int, str], object]]:
        """((event, occurrence, item path), value) of the AE serious or outcome item."""
        for where, value, _term in self._ae_rows(rows, serious=serious):
            yield where, value

    def _ae_rows(
        self, rows: SubjectRows, *, serious: bool
    ) -> Iterable[tuple[tuple[str, int, str], object, object]]:
        """((event, occurrence, item path), value, the AE's term) of the AE serious or
        outcome item, for every adverse event of the subject."""
        term_oid = self.profile.ae_term_item
        form_oid = self.profile.ae_form
        item_oid = self.profile.ae_serious_item if serious else self.profile.ae_outcome_item
        if not form_oid or not item_oid:
            return
        form = self.study.forms.get(form_oid)
        if form is None:
            return
        group = form.group_of(item_oid)
        for event_oid, occurrences in rows.events.items():
            for occurrence, forms in occurrences.items():
                found = forms.get(form_oid)
                if found is None:
                    continue
                if group is None:
                    term = found.values.get(term_oid) if term_oid else None
                    yield (event_oid, occurrence, item_oid), found.values.get(item_oid), term
                    continue
                table = found.values.get(group.oid)
                for n, row in enumerate(table if isinstance(table, list) else [], start=1):
                    path = f"{group.oid}[{n}].{item_oid}"
                    term = row.get(term_oid) if term_oid else None
                    yield (event_oid, occurrence, path), row.get(item_oid), term

    def _current_cycle(self, rows: SubjectRows) -> int | None:
        event = self.profile.cycle_event
        if event is None:
            return None
        return rows.occurrence_count(event) or None

    # -- the Subjects table ----------------------------------------------------------------

    def subjects(self, today: dt.date | None = None) -> list[SubjectSummary]:
        """Every subject, in ID order, with the next visit and whether any AE is serious."""
        self.ws.require(Permission.VIEW_DATA, "view the subjects table")
        today = today or dt.date.today()
        summaries = [
            self._memo("summary", rows, today, 0, partial(self._summary, rows, today))
            for rows in self._all()
        ]
        with self.ws.read() as conn:
            waiting = per_subject(select_waiting(conn, self.ws.role))
        return [
            dataclasses.replace(s, open_queries=waiting[s.subject_id])
            if waiting[s.subject_id]
            else s
            for s in summaries
        ]

    def _summary(self, rows: SubjectRows, today: dt.date) -> SubjectSummary:
        return SubjectSummary(
            subject_id=rows.subject_id,
            status=rows.status,
            enrolled_on=self._enrolled_on(rows),
            current_cycle=self._current_cycle(rows),
            next_visit=next_visit(self._plan(rows, today)),
            open_queries=0,  # the queries waiting for the user: set by subjects()
            sae=self._sae(rows),
        )

    # -- the worklist ----------------------------------------------------------------------

    def items(self, today: dt.date | None = None, upcoming_days: int = 14) -> list[WorkItem]:
        """Everything to do, overdue visits first, then by date.

        Overdue visits; visits whose window opens within ``upcoming_days`` (or is
        open now); forms of existing scheduled visits that were never started;
        forms in progress; adverse events without an outcome; and the safety work
        (``docs/safety.md`` §7): SAE and SUSAR reports to send, AEs outside the
        reporting window, missing AE follow-up, visits done out of their window,
        laboratory values of grade 1 or more without a matching AE; the queries
        waiting for the user's role; and, for investigators, the forms to sign
        (``docs/monitoring.md``).
        """
        self.ws.require(Permission.VIEW_DATA, "view the worklist")
        today = today or dt.date.today()
        found: list[WorkItem] = []
        subjects = self._all()
        labs = self._lab_rows()  # after the rows: a change re-reads both
        for rows in subjects:
            work = partial(self._work, rows, labs.get(rows.subject_id), today, upcoming_days)
            found.extend(self._memo("work", rows, today, upcoming_days, work))
        with self.ws.read() as conn:  # read each time: cheap, and not kept across changes
            found.extend(query_items(select_waiting(conn, self.ws.role), today))
            if allowed(self.ws.role, Permission.SIGN):
                found.extend(self._to_sign(conn, subjects, today))
        found.sort(key=lambda w: w.sort_key)
        return found

    def _to_sign(
        self, conn: Connection, subjects: list[SubjectRows], today: dt.date
    ) -> list[WorkItem]:
        """The forms to sign (as ``ws.signatures.to_sign()``), from the rows already read:
        the voided signatures and the locks are read again (two statements)."""
        locked = locked_subjects(conn)
        if locked is None:  # the site is locked: nothing can be signed
            return []
        voided = voided_forms(conn)
        found: list[WorkItem] = []
        for rows in subjects:
            if rows.subject_id not in locked:
                found.extend(self._memo("sign", rows, today, 0, partial(sign_items, rows)))
        return flag_voided(found, voided) if voided else found

    def _work(
        self, rows: SubjectRows, labs: SubjectRows | None, today: dt.date, upcoming_days: int
    ) -> list[WorkItem]:
        sid = rows.subject_id
        out: list[WorkItem] = []
        plan = self._plan(rows, today)
        soon = today + dt.timedelta(days=upcoming_days)
        for v in plan:
            if v.state is VisitState.OVERDUE:
                kind = WorkKind.OVERDUE_VISIT
            elif v.state in (VisitState.DUE, VisitState.UPCOMING) and (
                v.window_start is not None and v.window_start <= soon
            ):
                kind = WorkKind.UPCOMING_VISIT
            else:
                continue
            out.append(
                WorkItem(
                    kind, sid, v.event_oid, v.occurrence, None, None, v.due, v.days_from_due(today)
                )
            )
        due_of = {(v.event_oid, v.occurrence): v.due for v in plan}
        for event_oid, occurrences in rows.events.items():
            event = self.study.event(event_oid)
            if event is None:
                continue
            for occurrence, forms in occurrences.items():
                due = due_of.get((event_oid, occurrence))
                where = (sid, event_oid, occurrence)
                if event.kind is EventKind.SCHEDULED:
                    for oid in event.forms:
                        if oid not in forms:
                            out.append(
                                WorkItem(WorkKind.FORM_NOT_STARTED, *where, oid, None, due, None)
                            )
                for oid, form in forms.items():
                    if form.status == FormStatus.IN_PROGRESS:
                        out.append(WorkItem(WorkKind.FORM_INCOMPLETE, *where, oid, None, due, None))
        out.extend(visit_items(sid, plan))
        safety = self._safety(rows, today)
        out.extend(safety_items(sid, safety, self.safety_profile, today))
        out.extend(lab_items(sid, self._labs(rows, labs, safety)))
        ae_form = self.profile.ae_form
        for (event_oid, occurrence, path), outcome, term in self._ae_rows(rows, serious=False):
            if not _answered(outcome):
                out.append(
                    WorkItem(
                        WorkKind.AE_WITHOUT_OUTCOME,
                        sid,
                        event_oid,
                        occurrence,
                        ae_form,
                        path,
                        None,
                        None,
                        term,
                    )
                )
        return out

    # -- one subject ------------------------------------------------------------------------

    def header(self, subject_id: str, today: dt.date | None = None) -> SubjectHeader:
        """The casebook header of one subject."""
        self.ws.require(Permission.VIEW_DATA, "view subjects")
        today = today or dt.date.today()
        rows = self._read(subject_id)
        enrolled = self._enrolled_on(rows)
        consent = next(
            (d for d in (_date_of(rows, at) for at in self.profile.enrolment_date) if d), None
        )
        age_on = consent or today
        age = age_note = age_max = None
        birth_at = self.profile.birth_date
        if birth_at is not None:
            data = rows.form_data(birth_at.event, 1, birth_at.form)
            birth = data.get(birth_at.item) if data is not None else None
            ages = age_range(birth, age_on)
            if ages is not None:
                age = ages[0]
                if ages[1] != ages[0]:
                    age_max = ages[1]
                    age_note = f"{ages[0]}-{ages[1]}: the day of birth is not known"
        sex_code, sex_en, sex_zh = self._sex(rows)
        first_dose = self._anchor(rows, self.profile.first_dose_anchor, today)
        return SubjectHeader(
            subject_id=subject_id,
            age=age,
            age_note=age_note,
            sex_code=sex_code,
            sex_en=sex_en,
            sex_zh=sex_zh,
            study_oid=self.study.oid,
            study_name_en=self.study.name.en,
            study_name_zh=self.study.name.zh,
            status=rows.status,
            enrolled_on=enrolled,
            first_dose=first_dose,
            day_on_study=(today - first_dose).days + 1 if first_dose else None,
            age_max=age_max,
            age_on=age_on if age is not None else None,
        )

    def _sex(self, rows: SubjectRows) -> tuple[str | None, str | None, str | None]:
        at = self.profile.sex
        if at is None:
            return None, None, None
        data = rows.form_data(at.event, 1, at.form)
        code = data.get(at.item) if data is not None else None
        if code is None or isinstance(code, Missing):
            return None, None, None
        item = self.study.forms[at.form].item(at.item)
        codelist = self.study.codelist_for(item) if item is not None else None
        decoded = codelist.get(code) if codelist is not None else None
        if decoded is None:
            return str(code), None, None
        return str(code), decoded.label.en, decoded.label.zh

    def _anchor(self, rows: SubjectRows, name: str | None, today: dt.date) -> dt.date | None:
        if name is None or name not in self.study.anchors:
            return None
        value = anchor_date(Env(study=self.study, subject=rows, today=today), name)
        if isinstance(value, dt.datetime):
            return value.date()
        return value if isinstance(value, dt.date) else None

    def grid(self, subject_id: str, today: dt.date | None = None) -> CasebookGrid:
        """The casebook grid of one subject (see :class:`CasebookGrid`)."""
        self.ws.require(Permission.VIEW_DATA, "view casebooks")
        today = today or dt.date.today()
        with self.ws.read() as conn:
            rows = self._reader.read(conn, subject_id).get(subject_id)
            if rows is None:
                raise UsageError(f"There is no subject '{subject_id}' at this site.")
            overridden = _overridden(
                conn, [f.id for o in rows.events.values() for fs in o.values() for f in fs.values()]
            )
            waiting = per_form(select_waiting(conn, self.ws.role, subject_id))
        plan = {(v.event_oid, v.occurrence): v for v in self._plan_now(rows, today)}
        columns: list[GridColumn] = []
        for event in self.study.events:
            occurrences = rows.events.get(event.oid, {})
            count = rows.occurrence_count(event.oid)
            for occurrence in range(1, count + 1):
                forms = occurrences.get(occurrence, {})
                cells = {
                    oid: _cell(
                        oid, forms.get(oid), overridden, waiting[(event.oid, occurrence, oid)]
                    )
                    for oid in event.forms
                }
                columns.append(
                    GridColumn(
                        event.oid, occurrence, True, plan.get((event.oid, occurrence)), cells
                    )
                )
            slot = self._slot(event.oid, count, plan)
            if slot is not None:
                empty = {
                    oid: FormCell(
                        oid, CellState.NOT_STARTED, False, waiting[(event.oid, slot, oid)]
                    )
                    for oid in event.forms
                }
                columns.append(
                    GridColumn(event.oid, slot, False, plan.get((event.oid, slot)), empty)
                )
        order = list(dict.fromkeys(oid for e in self.study.events for oid in e.forms))
        return CasebookGrid(subject_id, columns, order)

    def _slot(
        self, event_oid: str, count: int, plan: Mapping[tuple[str, int], PlannedVisit]
    ) -> int | None:
        """The occurrence of the column after the existing ones, or None for no column."""
        event = self.study.event(event_oid)
        assert event is not None
        upcoming = count + 1
        if not event.repeating:
            return 1 if count == 0 else None
        if event.max_occurrences is not None and upcoming > event.max_occurrences:
            return None
        if event.kind is EventKind.SCHEDULED:
            return upcoming if (event_oid, upcoming) in plan else None
        return upcoming  # unscheduled and common: always a "new" slot

    def session_warnings(
        self, subject_id: str, today: dt.date | None = None
    ) -> dict[tuple[str, int, str], bool]:
        """(event, occurrence, form) -> the form, checked now, has problems: exact but slow.

        Each stored form is evaluated in a form session (the same checks as when it
        is saved): a soft warning (kept with a reason or not), a refused value or a
        required item left empty counts. About 2 ms per form (docs/schedule.md), so
        :meth:`grid` uses the stored overrides and statuses instead.
        """
        self.ws.require(Permission.VIEW_DATA, "view casebooks")
        today = today or dt.date.today()
        with self.ws.read() as conn:
            return self._session_warnings(conn, subject_id, today)

    def _session_warnings(
        self, conn: Connection, subject_id: str, today: dt.date
    ) -> dict[tuple[str, int, str], bool]:
        stored = subject_forms(conn, subject_id, self.study.forms)
        data = StoreSubject(conn, subject_id, self.study.forms)
        out: dict[tuple[str, int, str], bool] = {}
        for (event_oid, occurrence), forms in stored.items():
            for form_oid, form in forms.items():
                definition = self.study.forms.get(form_oid)
                if definition is None:
                    continue
                session = FormSession(
                    self.study,
                    definition,
                    subject=data,
                    event=event_oid,
                    occurrence=occurrence,
                    today=today,
                    reference_ranges=self.study.reference_ranges,
                    answers=form.answers,
                    overrides=form.overrides,
                )
                out[(event_oid, occurrence, form_oid)] = any(
                    s.status in (Status.SOFT_WARNING, Status.REQUIRED_EMPTY, Status.HARD_ERROR)
                    for s in session.states().values()
                )
        return out
