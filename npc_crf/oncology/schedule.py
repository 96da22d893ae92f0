"""Due dates, visit windows and visit states of one subject's scheduled events.

The rules are those of ``docs/form-definitions.md`` §3.1; the decisions this
module adds (when nothing more is expected, what "done" means, how far ahead a
series is listed) are in ``docs/schedule.md``.

* A named anchor, not repeating: due on ``anchor + offset``.
* A named anchor with ``repeat`` phases: occurrence 1 on ``anchor + offset``, each
  later one one interval after the one before; a phase's ``times`` counts its
  occurrences, the first occurrence included.
* ``anchor: previous``: occurrence 1 has no due date; occurrence n is due ``offset``
  days after the actual date (``date_item``) of occurrence n-1.

An occurrence is *done* when its ``date_item`` is answered (a missing-data code
counts as answered: the visit happened, its date is unknown), or — for events
without a ``date_item`` — when it exists. Window edges are inclusive.

A done occurrence with a date and a window is *in window*, *early* or *late*
(:class:`VisitTiming`, with the days outside); when a partial date leaves its
window open (an anchor that is a partial date, or computed from one) it is
*indeterminate*. (A ``date_item`` is always a full date.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from npc_crf.forms.expr.ast import CrossRef, walk
from npc_crf.forms.expr.evaluate import (
    INDETERMINATE,
    Env,
    Evaluator,
    FormData,
    Missing,
    SubjectData,
    to_value,
    truth,
)
from npc_crf.forms.expr.functions import anchor_date
from npc_crf.forms.expr.values import PartialDate
from npc_crf.forms.model import Event, EventKind, Form, Item, Study

#: the ``anchor`` value of events due a fixed time after their previous occurrence
PREVIOUS = "previous"


class VisitState(StrEnum):
    """Where a planned occurrence stands on a given day."""

    DONE = "done"  # its date_item is answered (or, without a date_item, it exists)
    OVERDUE = "overdue"  # the window has closed and it is not done
    DUE = "due"  # today is inside the window
    UPCOMING = "upcoming"  # the window opens in the future
    UNPLANNED = "unplanned"  # its due date cannot be known yet


class VisitTiming(StrEnum):
    """Whether a done occurrence happened inside its window."""

    IN_WINDOW = "in_window"
    EARLY = "early"  # before the window opened
    LATE = "late"  # after the window closed
    INDETERMINATE = "indeterminate"  # a partial date leaves it open


class Timing(NamedTuple):
    """A done occurrence's timing and its days outside the window (at least, at most)."""

    timing: VisitTiming
    days: int | None = None
    days_max: int | None = None


class Unplanned(StrEnum):
    """Why an occurrence has no due date (for the GUI to translate)."""

    NO_ANCHOR = "no_anchor"  # the event names no anchor
    ANCHOR_UNKNOWN = "anchor_unknown"  # the anchor's data are not entered yet
    ANCHOR_PARTIAL = "anchor_partial"  # the anchor is a partial date
    ANCHOR_INDETERMINATE = "anchor_indeterminate"  # a partial date leaves it undecided
    FIRST_OCCURRENCE = "first_occurrence"  # 'previous' events: the first is dated when it happens
    PREVIOUS_UNDATED = "previous_undated"  # 'previous' events: the one before has no date
    BEYOND_SCHEDULE = "beyond_schedule"  # an occurrence past the end of the repeat phases


@dataclass(frozen=True)
class PlannedVisit:
    """One occurrence of a scheduled event: when it is due, and whether it happened."""

    event_oid: str
    occurrence: int
    due: dt.date | None
    window_start: dt.date | None
    window_end: dt.date | None
    actual: dt.date | None
    state: VisitState
    #: why the visit is unplanned or has no actual date, in English (see ``unplanned``)
    note: str | None = None
    #: True when the occurrence exists in the subject's data (done or started)
    exists: bool = False
    #: why there is no due date, when there is none
    unplanned: Unplanned | None = None
    #: done with a date and a window: in window, early, late or indeterminate
    timing: VisitTiming | None = None
    #: early or late: days outside the window (the least, when partial dates leave a range)
    days_outside: int | None = None
    #: ... and the most, when it differs
    days_outside_max: int | None = None

    @property
    def out_of_window(self) -> bool:
        """True when done early or late (outside its window)."""
        return self.timing in (VisitTiming.EARLY, VisitTiming.LATE)

    def days_from_due(self, today: dt.date) -> int | None:
        """``today − due`` in days: positive when past the due date; None without one."""
        return (today - self.due).days if self.due is not None else None


@dataclass(frozen=True)
class SchedulePolicy:
    """What a protocol decides about when visits stop being expected.

    Statuses are :class:`~npc_crf.services.subjects.SubjectStatus` values.
    """

    #: an anchor whose date means the study treatment has ended (None: no such anchor)
    treatment_end_anchor: str | None = None
    #: events expected only while the subject is on treatment
    treatment_events: frozenset[str] = frozenset()
    #: statuses that also mean the treatment has ended
    treatment_ended_statuses: frozenset[str] = frozenset({"follow_up"})
    #: statuses after which no new occurrence of any event is expected
    closed_statuses: frozenset[str] = frozenset({"screen_failure", "off_study", "died"})


#: the bundled studies' policies (see docs/schedule.md for the reasons)
STUDY_POLICIES: dict[str, SchedulePolicy] = {
    # EOT records the last sintilimab dose; tumour assessments stop with treatment too
    "NPC-SINT-RT": SchedulePolicy(
        treatment_end_anchor="last_dose", treatment_events=frozenset({"CYCLE", "TAV"})
    ),
    # last_dose is simply the latest cycle's date, so it does not mean the treatment ended;
    # only the subject's status (follow-up) does
    "NCT07062484": SchedulePolicy(
        treatment_end_anchor=None, treatment_events=frozenset({"TRT", "TAV"})
    ),
}


def policy_for(study: Study) -> SchedulePolicy:
    """The policy for ``study``: the bundled table, else one derived from the schedule.

    Derived: the treatment events are those anchored on ``previous`` (the cycles);
    ``last_dose`` ends the treatment when the study defines it and its expression
    does not read a treatment event (``@CYCLE[last]…`` is known from cycle 1 on).
    """
    known = STUDY_POLICIES.get(study.oid)
    if known is not None:
        return known
    treatment = frozenset(e.oid for e in study.events if e.anchor == PREVIOUS)
    end: str | None = None
    last = study.anchors.get("last_dose")
    if last is not None:
        heads = {n.head for n in walk(last.date.tree) if isinstance(n, CrossRef)}
        if not heads & treatment:
            end = "last_dose"
    return SchedulePolicy(treatment_end_anchor=end, treatment_events=treatment)


def occurrence_offset(event: Event, occurrence: int) -> int | None:
    """Days from ``event``'s anchor to the due date of ``occurrence`` (from 1).

    None when the series has no such occurrence (phases with ``times`` all used up,
    or a non-repeating event's second occurrence). Not for ``previous`` events.
    """
    if occurrence < 1:
        return None
    if occurrence == 1:
        return event.offset
    if not event.repeating or not event.repeat:
        return None
    days, steps_left = event.offset, occurrence - 1
    for index, phase in enumerate(event.repeat):
        # the first phase's count includes occurrence 1, which took no step
        steps = None if phase.times is None else phase.times - (1 if index == 0 else 0)
        if steps is None or steps_left <= steps:
            return days + steps_left * phase.every
        days += steps * phase.every
        steps_left -= steps
    return None


def visit_state(
    done: bool, window_start: dt.date | None, window_end: dt.date | None, today: dt.date
) -> VisitState:
    """The state of an occurrence on ``today`` (window edges inclusive)."""
    if done:
        return VisitState.DONE
    if window_start is None or window_end is None:
        return VisitState.UNPLANNED
    if today > window_end:
        return VisitState.OVERDUE
    if today >= window_start:
        return VisitState.DUE
    return VisitState.UPCOMING


def visit_timing(
    actual: tuple[dt.date, dt.date],
    start: tuple[dt.date, dt.date],
    end: tuple[dt.date, dt.date],
) -> Timing:
    """Where a visit's date falls in its window; each is (earliest, latest) possible day.

    Full dates have ``earliest == latest``; a window counted from a partial anchor gives
    a range for its start and end. Edges are inclusive. Early or late only when every
    possible day is outside; inside only when every possible day is inside.
    """
    first, last = actual
    if first > end[1]:
        least, most = (first - end[1]).days, (last - end[0]).days
        return Timing(VisitTiming.LATE, least, most if most != least else None)
    if last < start[0]:
        least, most = (start[0] - last).days, (start[1] - first).days
        return Timing(VisitTiming.EARLY, least, most if most != least else None)
    if first >= start[1] and last <= end[0]:
        return Timing(VisitTiming.IN_WINDOW)
    return Timing(VisitTiming.INDETERMINATE)


def plan_subject(
    study: Study,
    subject: SubjectData,
    today: dt.date,
    *,
    horizon_days: int = 120,
    status: str | None = None,
    policy: SchedulePolicy | None = None,
) -> list[PlannedVisit]:
    """Every relevant occurrence of each scheduled event of ``subject``, in schedule order.

    For each scheduled event: every occurrence that exists, then the next one
    expected — for non-repeating events the single occurrence; for repeating ones
    the occurrence after the last existing one, unless the series is over
    (``max_occurrences``, phases used up), its window opens more than
    ``horizon_days`` after ``today``, or (``previous`` events) the last existing one
    is not done yet. Nothing new is expected for a closed ``status``, and no new
    treatment event once the treatment has ended (``policy``; default
    :func:`policy_for`).
    """
    planner = _Planner(study, subject, today, horizon_days, status, policy or policy_for(study))
    return [
        visit
        for event in study.events
        if event.kind is EventKind.SCHEDULED
        for visit in planner.event_visits(event)
    ]


def next_visit(visits: Sequence[PlannedVisit]) -> PlannedVisit | None:
    """The earliest visit not done that has a due date; else the first unplanned one."""
    pending = [v for v in visits if v.state is not VisitState.DONE]
    dated = [v for v in pending if v.due is not None]
    if dated:
        return min(dated, key=lambda v: v.due or dt.date.max)
    return pending[0] if pending else None


class _Due(NamedTuple):
    date: dt.date | None
    why: Unplanned | None = None
    note: str | None = None
    #: (earliest, latest) due date when the anchor is a partial date
    span: tuple[dt.date, dt.date] | None = None


class _Actual(NamedTuple):
    done: bool
    date: dt.date | None = None
    note: str | None = None


_NO_SUCH_OCCURRENCE = _Due(None)


def _timing(actual: _Actual, due: _Due, before: int, after: int) -> Timing | None:
    """The timing of a done occurrence; None without a date or without a window."""
    if actual.date is None:
        return None
    day = (actual.date, actual.date)
    if due.date is not None:
        dues = (due.date, due.date)
    elif due.span is not None:
        dues = due.span
    elif due.why is Unplanned.ANCHOR_INDETERMINATE:
        return Timing(VisitTiming.INDETERMINATE)
    else:
        return None
    early, late = dt.timedelta(days=before), dt.timedelta(days=after)
    return visit_timing(day, (dues[0] - early, dues[1] - early), (dues[0] + late, dues[1] + late))


@dataclass
class _Planner:
    study: Study
    subject: SubjectData
    today: dt.date
    horizon_days: int
    status: str | None
    policy: SchedulePolicy
    env: Env = field(init=False)
    anchors: dict[str, _Due] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.env = Env(study=self.study, subject=self.subject, today=self.today)

    # -- what is expected ----------------------------------------------------------------

    def treatment_ended(self) -> bool:
        if self.status in self.policy.treatment_ended_statuses:
            return True
        name = self.policy.treatment_end_anchor
        if name is None or name not in self.study.anchors:
            return False
        return anchor_date(self.env, name) is not None

    def expects_new(self, event: Event) -> bool:
        if self.status in self.policy.closed_statuses:
            return False
        return not (event.oid in self.policy.treatment_events and self.treatment_ended())

    # -- dates --------------------------------------------------------------------------------

    def anchor(self, name: str) -> _Due:
        known = self.anchors.get(name)
        if known is not None:
            return known
        value = anchor_date(self.env, name)
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            result = _Due(value)
        elif isinstance(value, PartialDate):
            result = _Due(
                None,
                Unplanned.ANCHOR_PARTIAL,
                f"anchor '{name}' is a partial date ({value})",
                (value.earliest(), value.latest()),
            )
        elif value is INDETERMINATE:
            result = _Due(
                None,
                Unplanned.ANCHOR_INDETERMINATE,
                f"anchor '{name}' cannot be decided: a partial date leaves it open",
            )
        else:
            result = _Due(None, Unplanned.ANCHOR_UNKNOWN, f"anchor '{name}' is not known yet")
        self.anchors[name] = result
        return result

    def actual(self, event: Event, occurrence: int) -> _Actual:
        """Whether an existing occurrence is done, and its date."""
        if event.date_item is None:
            return _Actual(True)
        form_oid, item_oid = event.date_item
        form = self.study.forms[form_oid]
        item = form.item(item_oid)
        data = self.subject.form_data(event.oid, occurrence, form_oid)
        if item is None or data is None:
            return _Actual(False)
        raw = data.get(item_oid)
        where = f"{event.oid}[{occurrence}] {form_oid}.{item_oid}"
        if isinstance(raw, Missing):
            return _Actual(True, note=f"{where} is answered '{raw.code}': the date is not known")
        value = to_value(item, raw)
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return _Actual(True, value)
        if not self.relevant(form, item, data, event, occurrence):
            return _Actual(True, note=f"{where} does not apply (skip logic): the visit has no date")
        return _Actual(False)

    def relevant(
        self, form: Form, item: Item, data: FormData, event: Event, occurrence: int
    ) -> bool:
        """False when skip logic hides ``item`` of ``form`` (e.g. no dose given this cycle)."""
        section = form.section_of(item.oid)
        conditions = [c for c in (section.relevant if section else None, item.relevant) if c]
        if not conditions:
            return True
        env = self.env.derive(form=form, data=data, event=event.oid, occurrence=occurrence)
        return all(truth(Evaluator(env).eval(c.tree)) is not False for c in conditions)

    def due(self, event: Event, occurrence: int, previous: PlannedVisit | None) -> _Due:
        if event.anchor == PREVIOUS:
            if occurrence == 1:
                return _Due(
                    None,
                    Unplanned.FIRST_OCCURRENCE,
                    f"{event.oid}[1] has no due date: it is dated when it happens",
                )
            step = dt.timedelta(days=event.offset)
            if previous is not None and previous.actual is not None:
                return _Due(previous.actual + step)
            if previous is not None and previous.state is VisitState.DONE and previous.due:
                # done without a date (no dose given, date unknown): keep the rhythm
                return _Due(
                    previous.due + step,
                    note=f"counted from the due date of {event.oid}[{occurrence - 1}], "
                    "which has no date",
                )
            return _Due(
                None, Unplanned.PREVIOUS_UNDATED, f"{event.oid}[{occurrence - 1}] has no date yet"
            )
        if event.anchor is None:
            return _Due(None, Unplanned.NO_ANCHOR, f"event {event.oid} names no anchor")
        offset = occurrence_offset(event, occurrence)
        if offset is None:
            return _NO_SUCH_OCCURRENCE
        base = self.anchor(event.anchor)
        step = dt.timedelta(days=offset)
        if base.date is None:
            if base.span is None:
                return base
            return base._replace(span=(base.span[0] + step, base.span[1] + step))
        return _Due(base.date + step)

    # -- visits -----------------------------------------------------------------------------

    def visit(
        self, event: Event, occurrence: int, previous: PlannedVisit | None, exists: bool
    ) -> PlannedVisit | None:
        actual = self.actual(event, occurrence) if exists else _Actual(False)
        due = self.due(event, occurrence, previous)
        if due is _NO_SUCH_OCCURRENCE:
            if not exists:
                return None
            due = _Due(
                None,
                Unplanned.BEYOND_SCHEDULE,
                f"{event.oid}[{occurrence}] is past the end of the event's schedule",
            )
        start = end = None
        before, after = (event.window.before, event.window.after) if event.window else (0, 0)
        if due.date is not None:
            start = due.date - dt.timedelta(days=before)
            end = due.date + dt.timedelta(days=after)
        timing = _timing(actual, due, before, after) if actual.done else None
        return PlannedVisit(
            event_oid=event.oid,
            occurrence=occurrence,
            due=due.date,
            window_start=start,
            window_end=end,
            actual=actual.date,
            state=visit_state(actual.done, start, end, self.today),
            note=actual.note or due.note,
            exists=exists,
            unplanned=due.why,
            timing=timing.timing if timing else None,
            days_outside=timing.days if timing else None,
            days_outside_max=timing.days_max if timing else None,
        )

    def event_visits(self, event: Event) -> list[PlannedVisit]:
        count = self.subject.occurrence_count(event.oid)
        if not event.repeating:
            count = min(count, 1)
        visits: list[PlannedVisit] = []
        previous: PlannedVisit | None = None
        for occurrence in range(1, count + 1):
            previous = self.visit(event, occurrence, previous, exists=True)
            if previous is not None:
                visits.append(previous)
        upcoming = count + 1
        if not (event.repeating or count == 0) or not self.expects_new(event):
            return visits
        if event.max_occurrences is not None and upcoming > event.max_occurrences:
            return visits
        if (
            event.anchor == PREVIOUS
            and previous is not None
            and previous.state is not VisitState.DONE
        ):
            return visits  # the open occurrence is the one pending
        planned = self.visit(event, upcoming, previous, exists=False)
        if planned is None:
            return visits
        horizon = self.today + dt.timedelta(days=self.horizon_days)
        if event.repeating and planned.window_start is not None and planned.window_start > horizon:
            return visits
        visits.append(planned)
        return visits
