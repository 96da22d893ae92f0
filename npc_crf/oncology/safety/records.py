"""Adverse events as entered, read from a subject's forms through a :class:`SafetyProfile`.

Values are normalised (codes as text, dates as :class:`~.dates.Span`), never
completed: an item left empty stays unknown (``None``), a partial date stays a span.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from npc_crf.forms.expr.evaluate import FormData, Missing, SubjectData, to_value
from npc_crf.forms.model import Form, Study
from npc_crf.oncology.safety.dates import Span, span_of
from npc_crf.oncology.safety.profile import SafetyProfile

#: the missing-data code meaning "not applicable" (a causality with no such therapy given)
NOT_APPLICABLE = "NA"


@dataclass(frozen=True)
class Stamp:
    """A date item that was answered: its day, or None when a missing-data code was given."""

    day: dt.date | None


@dataclass(frozen=True)
class AdverseEvent:
    """One adverse event as entered."""

    event: str
    occurrence: int
    form: str
    #: "" for an AE form, "GROUP[n]." for a row of a group holding AEs
    row: str
    term: str | None
    grade: int | None
    onset: Span | None
    end: Span | None
    #: True ongoing, False resolved, None not known yet
    ongoing: bool | None
    serious: bool | None
    criteria: frozenset[str]
    aware: dt.date | None
    reported: Stamp | None
    expected: bool | None
    susar_reported: Stamp | None
    susar_followup: Stamp | None
    #: a reasonable possibility of causality by any study therapy (None: not assessed)
    related: bool | None
    immune: bool | None
    last_assessed: dt.date | None

    def path(self, item: str | None) -> str | None:
        """The item path of ``item`` in this AE (``AEOUT``, ``AE[2].AEOUT``)."""
        return f"{self.row}{item}" if item else None


class ValueReader:
    """Typed values of one form (or group row): flags, codes as text, dates, spans."""

    def __init__(self, form: Form, data: Mapping[str, object]) -> None:
        self.form, self.data = form, data

    def raw(self, oid: str | None) -> object:
        return self.data.get(oid) if oid else None

    def value(self, oid: str | None) -> object:
        raw = self.data.get(oid) if oid else None
        if raw is None or isinstance(raw, Missing):
            return None
        if not isinstance(raw, str | list | tuple | set):
            return raw  # typed already (read from the store)
        item = self.form.item(oid) if oid else None
        return to_value(item, raw) if item is not None else None

    def flag(self, oid: str | None) -> bool | None:
        value = self.value(oid)
        return value if isinstance(value, bool) else None

    def code(self, oid: str | None) -> str | None:
        value = self.value(oid)
        return _code_text(value) if value is not None and not isinstance(value, bool) else None

    def day(self, oid: str | None) -> dt.date | None:
        span = span_of(self.value(oid))
        return span.exact if span is not None else None

    def span(self, oid: str | None) -> Span | None:
        return span_of(self.value(oid))

    def stamp(self, oid: str | None) -> Stamp | None:
        raw = self.raw(oid)
        if isinstance(raw, Missing):
            return Stamp(None)
        day = self.day(oid)
        return Stamp(day) if day is not None else None


def _code_text(value: object) -> str:
    """A code as text (integer codes are read as Decimal: ``3``, not ``3.0``)."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return str(value)


def form_rows(
    study: Study, subject: SubjectData, form_oid: str, group: str | None
) -> Iterator[tuple[str, int, str, FormData, FormData]]:
    """(event, occurrence, row prefix, row values, form values) of ``form_oid`` in every
    event that holds it; one per form, or one per row of ``group``."""
    for event in study.events:
        if form_oid not in event.forms:
            continue
        for occurrence in range(1, subject.occurrence_count(event.oid) + 1):
            data = subject.form_data(event.oid, occurrence, form_oid)
            if data is None:
                continue
            if group is None:
                yield event.oid, occurrence, "", data, data
                continue
            table = data.get(group)
            for n, row in enumerate(table if isinstance(table, list) else [], start=1):
                if isinstance(row, Mapping):
                    yield event.oid, occurrence, f"{group}[{n}].", row, data


def _ongoing(profile: SafetyProfile, read: ValueReader) -> bool | None:
    """The ongoing item when answered; else a final outcome or an end date means resolved,
    an outcome that is not final (or given as unknown) means ongoing."""
    flag = read.flag(profile.ongoing_item)
    if flag is not None:
        return flag
    outcome = read.code(profile.outcome_item)
    if outcome is not None:
        return outcome not in profile.final_outcomes
    if read.span(profile.end_item) is not None:
        return False
    if isinstance(read.raw(profile.outcome_item), Missing):
        return True
    return None


def _related(profile: SafetyProfile, read: ValueReader) -> bool | None:
    """Any causality a reasonable possibility: True; every one assessed as not: False."""
    if not profile.related_items:
        return None
    answers = []
    for oid in profile.related_items:
        raw = read.raw(oid)
        if isinstance(raw, Missing):
            answers.append(False if raw.code == NOT_APPLICABLE else None)
            continue
        code = read.code(oid)
        answers.append(None if code is None else code in profile.related_codes)
    if any(a is True for a in answers):
        return True
    return False if all(a is False for a in answers) else None


def adverse_events(
    study: Study, subject: SubjectData, profile: SafetyProfile
) -> list[AdverseEvent]:
    """Every adverse event of ``subject``, in event and occurrence order."""
    form = study.forms.get(profile.ae_form or "")
    if form is None:
        return []
    anchor = profile.term_item or profile.serious_item or profile.onset_item
    group = form.group_of(anchor) if anchor else None
    found: list[AdverseEvent] = []
    for event, occurrence, row, values, _whole in form_rows(
        study, subject, form.oid, group.oid if group else None
    ):
        read = ValueReader(form, values)
        criteria = read.value(profile.criteria_item)
        grade = read.code(profile.grade_item)
        found.append(
            AdverseEvent(
                event=event,
                occurrence=occurrence,
                form=form.oid,
                row=row,
                term=read.code(profile.term_item),
                grade=int(grade) if grade is not None and grade.isdigit() else None,
                onset=read.span(profile.onset_item),
                end=read.span(profile.end_item),
                ongoing=_ongoing(profile, read),
                serious=read.flag(profile.serious_item),
                criteria=frozenset(_code_text(c) for c in criteria)
                if isinstance(criteria, frozenset)
                else frozenset(),
                aware=read.day(profile.aware_item),
                reported=read.stamp(profile.reported_item),
                expected=read.flag(profile.expected_item),
                susar_reported=read.stamp(profile.susar_reported_item),
                susar_followup=read.stamp(profile.susar_followup_item),
                related=_related(profile, read),
                immune=read.flag(profile.irae_item),
                last_assessed=read.day(profile.last_assessed_item),
            )
        )
    return found
