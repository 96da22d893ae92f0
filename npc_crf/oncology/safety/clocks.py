"""Expedited reporting clocks: the SAE report to the sponsor, SUSAR reports to regulators.

Seriousness comes from the AE's serious flag and criteria, never from its CTCAE
grade (ICH E2A: serious is not severe). A SUSAR is serious, unexpected and with a
reasonable possibility of causality by a study therapy.

Each clock runs from its day 0 to its due date (inclusive: a report sent on the due
date is on time) and is stopped by the date the report was sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from npc_crf.oncology.safety.profile import SafetyProfile
from npc_crf.oncology.safety.records import AdverseEvent, Stamp
from npc_crf.oncology.safety.settings import SafetySettings


class ReportKind(StrEnum):
    """Which report a clock is for."""

    SAE = "sae"  # site → sponsor
    SUSAR = "susar"  # sponsor → regulator and ethics committee
    SUSAR_FOLLOWUP = "susar_followup"  # the complete follow-up of a fatal/life-threatening one


class ClockState(StrEnum):
    """Where a reporting clock stands."""

    RUNNING = "running"  # not sent, due date not passed
    OVERDUE = "overdue"  # not sent, due date passed
    SENT_ON_TIME = "sent_on_time"
    SENT_LATE = "sent_late"
    #: sent, but its date or the start date is not known: on time or not cannot be told
    SENT_UNTIMED = "sent_untimed"
    #: the start date (day 0) is not entered: the clock cannot be placed
    NOT_STARTED = "not_started"
    #: past the due date, and the form has no item that records this report
    NOT_RECORDED = "not_recorded"

    @property
    def pending(self) -> bool:
        """True when the report is still to be sent (or its start date to be entered)."""
        return self in (ClockState.RUNNING, ClockState.OVERDUE, ClockState.NOT_STARTED)


@dataclass(frozen=True)
class ReportClock:
    """One report's clock."""

    kind: ReportKind
    start: dt.date | None  # day 0
    due: dt.date | None
    sent: dt.date | None
    state: ClockState
    #: due − today while not sent (0: due today; negative past due); due − sent once sent
    days_left: int | None = None
    #: English, when a rule needed a choice (criteria not given, no item records it)
    note: str | None = None

    def days_from_due(self, today: dt.date) -> int | None:
        """``today − due`` (positive past the due date), None without a due date."""
        return (today - self.due).days if self.due is not None else None


def report_clock(
    kind: ReportKind,
    start: dt.date | None,
    days: int,
    sent: Stamp | None,
    today: dt.date,
    *,
    recorded: bool = True,
    note: str | None = None,
) -> ReportClock:
    """The clock of a report due ``days`` after ``start``, stopped by ``sent``.

    ``recorded=False``: no item records when the report is sent, so past its due date
    the clock is :attr:`ClockState.NOT_RECORDED` rather than overdue.
    """
    due = start + dt.timedelta(days=days) if start is not None else None
    if sent is not None:
        if sent.day is None or due is None:
            return ReportClock(kind, start, due, sent.day, ClockState.SENT_UNTIMED, note=note)
        state = ClockState.SENT_ON_TIME if sent.day <= due else ClockState.SENT_LATE
        return ReportClock(kind, start, due, sent.day, state, (due - sent.day).days, note)
    if due is None:
        return ReportClock(kind, start, None, None, ClockState.NOT_STARTED, note=note)
    left = (due - today).days
    if left >= 0:
        return ReportClock(kind, start, due, None, ClockState.RUNNING, left, note)
    state = ClockState.OVERDUE if recorded else ClockState.NOT_RECORDED
    return ReportClock(kind, start, due, None, state, left, note)


def sae_clock(
    ae: AdverseEvent, profile: SafetyProfile, settings: SafetySettings, today: dt.date
) -> ReportClock | None:
    """The SAE report clock (site → sponsor); None when it does not apply.

    It applies to a serious AE when expedited reporting is on and the form records the
    date the site became aware. Due ``sae_report_hours`` (as whole days, rounded up)
    after awareness; stopped by the date reported to the sponsor.
    """
    if not settings.expedited_reporting or profile.aware_item is None or ae.serious is not True:
        return None
    return report_clock(ReportKind.SAE, ae.aware, settings.sae_report_days, ae.reported, today)


def is_susar(ae: AdverseEvent) -> bool | None:
    """Serious, unexpected and related (three-valued: None when not all is known)."""
    parts = (ae.serious, None if ae.expected is None else not ae.expected, ae.related)
    if any(p is False for p in parts):
        return False
    if all(p is True for p in parts):
        return True
    return None


def fatal_or_life_threatening(ae: AdverseEvent, profile: SafetyProfile) -> bool | None:
    """From the seriousness criteria (never the grade); None when no criterion is given."""
    if not ae.criteria:
        return None
    return bool(ae.criteria & profile.fatal_criteria)


def susar_clocks(
    ae: AdverseEvent, profile: SafetyProfile, settings: SafetySettings, today: dt.date
) -> tuple[ReportClock, ...]:
    """The SUSAR report clocks (initial; and follow-up when fatal or life-threatening).

    Day 0 is the sponsor's first knowledge: the date reported to the sponsor. Without
    seriousness criteria the shorter (fatal) deadline applies, and the note says so.
    """
    if (
        not settings.expedited_reporting
        or profile.susar_reported_item is None
        or is_susar(ae) is not True
    ):
        return ()
    day0 = ae.reported.day if ae.reported is not None else None
    fatal = fatal_or_life_threatening(ae, profile)
    note = None
    if fatal is None:
        note = "no seriousness criteria given: the fatal or life-threatening deadline applies"
    if fatal is False:
        days = settings.susar_other_days
        return (report_clock(ReportKind.SUSAR, day0, days, ae.susar_reported, today, note=note),)
    initial = report_clock(
        ReportKind.SUSAR, day0, settings.susar_fatal_days, ae.susar_reported, today, note=note
    )
    recorded = profile.susar_followup_item is not None
    if not recorded:
        untracked = "the form has no item for the date the follow-up report was sent"
        note = f"{note}; {untracked}" if note else untracked
    followup = report_clock(
        ReportKind.SUSAR_FOLLOWUP,
        day0,
        settings.susar_followup_due_days,
        ae.susar_followup,
        today,
        recorded=recorded,
        note=note,
    )
    return initial, followup
