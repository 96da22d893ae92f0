"""Exposure to study therapy, from the dosing records: first dose, last dose, ended or not.

Every study therapy counts (``docs/safety.md`` §4): doses given on one day
(sintilimab, a PD-1 inhibitor, chemotherapy), courses over a period (radiotherapy:
start to end, or still going on) and the end-of-treatment form's last-dose dates.
"""

from __future__ import annotations

from dataclasses import dataclass

from npc_crf.forms.expr.evaluate import Missing, SubjectData
from npc_crf.forms.model import Study
from npc_crf.oncology.safety.dates import OPEN_END, Span, earliest_of, latest_of
from npc_crf.oncology.safety.profile import CourseSource, DoseSource, SafetyProfile
from npc_crf.oncology.safety.records import ValueReader, form_rows

#: subject statuses meaning the study treatment is over (SubjectStatus values)
ENDED_STATUSES = frozenset({"follow_up", "off_study", "died"})


@dataclass(frozen=True)
class Exposure:
    """What the dosing records say about one subject's study therapy."""

    #: the first day of any study therapy (None: none recorded)
    first: Span | None
    #: the last day of study therapy recorded so far (open-ended while a course goes on
    #: with no end, or when a course ended on an unknown day)
    last: Span | None
    #: True when every study therapy has ended (see :func:`exposure_of`)
    ended: bool
    #: why the figures are what they are, in English (undated doses, an ongoing course…)
    notes: tuple[str, ...] = ()


@dataclass
class _Found:
    starts: list[Span]
    ends: list[Span]
    notes: list[str]
    ongoing: bool = False
    stopped: bool = False  # a record says the drug was stopped after it


def _doses(study: Study, subject: SubjectData, source: DoseSource, found: _Found) -> None:
    form = study.forms.get(source.form)
    if form is None:
        return
    for event, occurrence, _row, values, _whole in form_rows(study, subject, source.form, None):
        if event != source.event:
            continue
        read = ValueReader(form, values)
        if read.flag(source.last_item) is True:
            found.stopped = True
        if source.given_item and read.flag(source.given_item) is not True:
            continue  # not given this cycle, or not known yet
        span = read.span(source.date_item)
        if span is None:
            if isinstance(read.raw(source.date_item), Missing):
                found.notes.append(
                    f"{source.therapy} in {event}[{occurrence}] was given on an unknown day: "
                    "not counted"
                )
            continue
        found.starts.append(span)
        found.ends.append(span)


def _courses(study: Study, subject: SubjectData, source: CourseSource, found: _Found) -> None:
    form = study.forms.get(source.form)
    if form is None:
        return
    rows = form_rows(study, subject, source.form, source.group)
    for event, occurrence, row, values, whole in rows:
        if event != source.event:
            continue
        if source.given_item and ValueReader(form, whole).flag(source.given_item) is False:
            continue
        read = ValueReader(form, values)
        where = f"{source.therapy} {event}[{occurrence}] {row}".rstrip()
        start = read.span(source.start_item)
        if start is None:
            continue
        found.starts.append(start)
        end = read.span(source.end_item)
        status = read.code(source.status_item)
        if status is not None and status in source.ongoing_codes:
            found.ongoing = True
            found.ends.append(Span(start.earliest, OPEN_END))
        elif end is not None:
            found.ends.append(end)
        elif isinstance(read.raw(source.end_item), Missing):
            found.ends.append(Span(start.earliest, OPEN_END))
            found.notes.append(f"{where} ended on an unknown day")
        else:
            found.ongoing = True  # no end entered yet: still going on
            found.ends.append(Span(start.earliest, OPEN_END))
            found.notes.append(f"{where} has no end date yet")


def exposure_of(
    study: Study, subject: SubjectData, profile: SafetyProfile, status: str | None = None
) -> Exposure:
    """The subject's exposure to study therapy.

    Treatment has ended when the end-of-treatment form gives a last-dose date, the
    subject's ``status`` is follow-up, off study or died, or a dose record says the
    drug was stopped after it (NCT07062484 ``PD1LAST``) — and no course (radiotherapy)
    is still going on.
    """
    found = _Found([], [], [])
    for dose in profile.doses:
        _doses(study, subject, dose, found)
    for course in profile.courses:
        _courses(study, subject, course, found)
    eot_given = False
    eot = profile.end_of_treatment
    if eot is not None and (form := study.forms.get(eot.form)) is not None:
        data = subject.form_data(eot.event, 1, eot.form)
        read = ValueReader(form, data or {})
        for oid in eot.last_dose_items:
            span = read.span(oid)
            if span is not None:
                eot_given = True
                found.ends.append(span)
    ended = (eot_given or status in ENDED_STATUSES or found.stopped) and not found.ongoing
    if found.ongoing:
        found.notes.append("a course of study therapy is still going on")
    return Exposure(
        first=earliest_of(found.starts),
        last=latest_of(found.ends),
        ended=ended,
        notes=tuple(found.notes),
    )
