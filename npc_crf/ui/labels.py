"""Translated display texts for the enums the views show: one place for every label.

Each function returns the text in the installed Qt language (through
``QCoreApplication.translate``, so ``pyside6-lupdate`` finds every string). The
enum values themselves are stored data and never shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from npc_crf.forms.model import Study
from npc_crf.oncology.schedule import PlannedVisit, Unplanned, VisitState, VisitTiming
from npc_crf.services.monitoring.hold_model import Hold, Level, Scope, State, Target
from npc_crf.services.subjects import SubjectStatus
from npc_crf.services.worklist import CellState, WorkKind


def subject_status_text(status: SubjectStatus) -> str:
    """A subject's status as a person reads it ("On treatment")."""
    texts = {
        SubjectStatus.SCREENING: QCoreApplication.translate("SubjectStatus", "Screening"),
        SubjectStatus.SCREEN_FAILURE: QCoreApplication.translate("SubjectStatus", "Screen failure"),
        SubjectStatus.ENROLLED: QCoreApplication.translate("SubjectStatus", "Enrolled"),
        SubjectStatus.ON_TREATMENT: QCoreApplication.translate("SubjectStatus", "On treatment"),
        SubjectStatus.FOLLOW_UP: QCoreApplication.translate("SubjectStatus", "Follow-up"),
        SubjectStatus.OFF_STUDY: QCoreApplication.translate("SubjectStatus", "Off study"),
        SubjectStatus.DIED: QCoreApplication.translate("SubjectStatus", "Died"),
    }
    return texts[status]


def status_change_text(status: SubjectStatus) -> str:
    """The action that moves a subject to ``status`` ("Take off study…"), for menus."""
    texts = {
        SubjectStatus.SCREENING: QCoreApplication.translate("SubjectStatus", "Back to screening…"),
        SubjectStatus.SCREEN_FAILURE: QCoreApplication.translate(
            "SubjectStatus", "Record screen failure…"
        ),
        SubjectStatus.ENROLLED: QCoreApplication.translate("SubjectStatus", "Enrol…"),
        SubjectStatus.ON_TREATMENT: QCoreApplication.translate("SubjectStatus", "Start treatment…"),
        SubjectStatus.FOLLOW_UP: QCoreApplication.translate("SubjectStatus", "Move to follow-up…"),
        SubjectStatus.OFF_STUDY: QCoreApplication.translate("SubjectStatus", "Take off study…"),
        SubjectStatus.DIED: QCoreApplication.translate("SubjectStatus", "Record death…"),
    }
    return texts[status]


def visit_state_text(state: VisitState) -> str:
    """Where a planned visit stands ("overdue")."""
    texts = {
        VisitState.DONE: QCoreApplication.translate("VisitState", "done"),
        VisitState.OVERDUE: QCoreApplication.translate("VisitState", "overdue"),
        VisitState.DUE: QCoreApplication.translate("VisitState", "due"),
        VisitState.UPCOMING: QCoreApplication.translate("VisitState", "upcoming"),
        VisitState.UNPLANNED: QCoreApplication.translate("VisitState", "unplanned"),
    }
    return texts[state]


def unplanned_text(why: Unplanned) -> str:
    """Why a visit has no due date yet, in a sentence."""
    texts = {
        Unplanned.NO_ANCHOR: QCoreApplication.translate(
            "VisitState", "The schedule gives this visit no date."
        ),
        Unplanned.ANCHOR_UNKNOWN: QCoreApplication.translate(
            "VisitState", "The date it counts from is not entered yet."
        ),
        Unplanned.ANCHOR_PARTIAL: QCoreApplication.translate(
            "VisitState", "The date it counts from is a partial date."
        ),
        Unplanned.ANCHOR_INDETERMINATE: QCoreApplication.translate(
            "VisitState", "A partial date leaves the date it counts from open."
        ),
        Unplanned.FIRST_OCCURRENCE: QCoreApplication.translate(
            "VisitState", "The first occurrence is dated when it happens."
        ),
        Unplanned.PREVIOUS_UNDATED: QCoreApplication.translate(
            "VisitState", "The previous occurrence has no date yet."
        ),
        Unplanned.BEYOND_SCHEDULE: QCoreApplication.translate(
            "VisitState", "This occurrence is past the end of the schedule."
        ),
    }
    return texts[why]


def cell_state_text(state: CellState) -> str:
    """A form's state in the casebook grid, in words ("In progress")."""
    texts = {
        CellState.NOT_STARTED: QCoreApplication.translate("CellState", "Not started"),
        CellState.IN_PROGRESS: QCoreApplication.translate("CellState", "In progress"),
        CellState.COMPLETE: QCoreApplication.translate("CellState", "Complete"),
        CellState.SIGNED: QCoreApplication.translate("CellState", "Signed"),
        CellState.LOCKED: QCoreApplication.translate("CellState", "Locked"),
    }
    return texts[state]


def cell_state_abbreviation(state: CellState) -> str:
    """The short mark a grid cell shows for ``state`` (explained by the legend)."""
    texts = {
        CellState.NOT_STARTED: QCoreApplication.translate(
            "CellState", "NS", "abbreviation of: not started"
        ),
        CellState.IN_PROGRESS: QCoreApplication.translate(
            "CellState", "IP", "abbreviation of: in progress"
        ),
        CellState.COMPLETE: QCoreApplication.translate(
            "CellState", "C", "abbreviation of: complete"
        ),
        CellState.SIGNED: QCoreApplication.translate("CellState", "S", "abbreviation of: signed"),
        CellState.LOCKED: QCoreApplication.translate("CellState", "L", "abbreviation of: locked"),
    }
    return texts[state]


def warnings_mark() -> str:
    """The mark of a form with warnings (an overridden soft check)."""
    return QCoreApplication.translate("CellState", "!", "mark of a form with warnings")


def warnings_text() -> str:
    """What :func:`warnings_mark` means."""
    return QCoreApplication.translate("CellState", "Has warnings")


def queries_mark(count: int) -> str:
    """The mark of a form with ``count`` open queries ("Q2")."""
    return QCoreApplication.translate(
        "CellState", "Q{count}", "mark of a form with open queries"
    ).format(count=count)


def queries_text(count: int) -> str:
    """``count`` open queries, in words."""
    if count == 1:
        return QCoreApplication.translate("CellState", "1 open query")
    return QCoreApplication.translate("CellState", "{count} open queries").format(count=count)


def sdv_mark(verified: int, required: int) -> str:
    """The mark of a form's SDV progress: all verified, some, or none."""
    if verified >= required:
        return QCoreApplication.translate("CellState", "✔", "mark: every value source-verified")
    if verified:
        return QCoreApplication.translate("CellState", "◐", "mark: some values source-verified")
    return QCoreApplication.translate("CellState", "○", "mark: no value source-verified yet")


def sdv_text(verified: int, required: int) -> str:
    """A form's SDV progress in words."""
    return QCoreApplication.translate(
        "CellState", "Source data verified: {verified} of {required} values"
    ).format(verified=verified, required=required)


def to_sign_mark(voided: bool) -> str:
    """The mark of a complete form waiting for the investigator's signature (again, when a
    change voided the signature it had)."""
    if voided:
        return QCoreApplication.translate("CellState", "✎↺", "mark: signature voided, sign again")
    return QCoreApplication.translate("CellState", "✎", "mark: to sign")


def to_sign_text(voided: bool) -> str:
    """What :func:`to_sign_mark` means."""
    if voided:
        return QCoreApplication.translate(
            "CellState", "Signature voided by a change: to be signed again"
        )
    return QCoreApplication.translate("CellState", "To sign")


def frozen_mark() -> str:
    """The mark of a form frozen on its own (a subject or site freeze shows in the header)."""
    return QCoreApplication.translate("CellState", "❄", "mark: form frozen")


def frozen_text() -> str:
    """What :func:`frozen_mark` means."""
    return QCoreApplication.translate("CellState", "Form frozen")


def work_kind_text(kind: WorkKind) -> str:
    """A kind of work on the worklist, as a group title ("Overdue visits")."""
    texts = {
        WorkKind.OVERDUE_VISIT: QCoreApplication.translate("WorkKind", "Overdue visits"),
        WorkKind.UPCOMING_VISIT: QCoreApplication.translate("WorkKind", "Upcoming visits"),
        WorkKind.FORM_NOT_STARTED: QCoreApplication.translate("WorkKind", "Forms not started"),
        WorkKind.FORM_INCOMPLETE: QCoreApplication.translate("WorkKind", "Incomplete forms"),
        WorkKind.OPEN_QUERY: QCoreApplication.translate("WorkKind", "Open queries"),
        WorkKind.AE_WITHOUT_OUTCOME: QCoreApplication.translate(
            "WorkKind", "Adverse events without outcome"
        ),
        WorkKind.SAE_REPORT: QCoreApplication.translate("WorkKind", "SAE reports to send"),
        WorkKind.SUSAR_REPORT: QCoreApplication.translate("WorkKind", "SUSAR reports to send"),
        WorkKind.SUSAR_FOLLOWUP: QCoreApplication.translate(
            "WorkKind", "SUSAR follow-up reports to send"
        ),
        WorkKind.AE_OUTSIDE_WINDOW: QCoreApplication.translate(
            "WorkKind", "Adverse events outside the reporting window"
        ),
        WorkKind.AE_FOLLOWUP_MISSING: QCoreApplication.translate(
            "WorkKind", "Adverse events needing follow-up"
        ),
        WorkKind.VISIT_OUT_OF_WINDOW: QCoreApplication.translate(
            "WorkKind", "Visits done out of window"
        ),
        WorkKind.LAB_WITHOUT_AE: QCoreApplication.translate(
            "WorkKind", "Abnormal lab values without an adverse event"
        ),
        WorkKind.TO_SIGN: QCoreApplication.translate("WorkKind", "Forms to sign"),
    }
    return texts[kind]


#: what one line of the worklist asks for, translated when asked (one per line)
_WORK_ITEM_TEXTS: dict[WorkKind, Callable[[], str]] = {
    WorkKind.OVERDUE_VISIT: lambda: QCoreApplication.translate("WorkKind", "Visit overdue"),
    WorkKind.UPCOMING_VISIT: lambda: QCoreApplication.translate("WorkKind", "Visit coming up"),
    WorkKind.FORM_NOT_STARTED: lambda: QCoreApplication.translate("WorkKind", "Form not started"),
    WorkKind.FORM_INCOMPLETE: lambda: QCoreApplication.translate("WorkKind", "Form incomplete"),
    WorkKind.OPEN_QUERY: lambda: QCoreApplication.translate("WorkKind", "Query to answer"),
    WorkKind.AE_WITHOUT_OUTCOME: lambda: QCoreApplication.translate(
        "WorkKind", "Outcome of adverse event missing"
    ),
    WorkKind.SAE_REPORT: lambda: QCoreApplication.translate(
        "WorkKind", "SAE report to the sponsor"
    ),
    WorkKind.SUSAR_REPORT: lambda: QCoreApplication.translate(
        "WorkKind", "SUSAR report to the regulator and ethics committee"
    ),
    WorkKind.SUSAR_FOLLOWUP: lambda: QCoreApplication.translate(
        "WorkKind", "SUSAR follow-up report"
    ),
    WorkKind.AE_OUTSIDE_WINDOW: lambda: QCoreApplication.translate(
        "WorkKind", "Adverse event outside the reporting window"
    ),
    WorkKind.AE_FOLLOWUP_MISSING: lambda: QCoreApplication.translate(
        "WorkKind", "Follow-up of adverse event missing"
    ),
    WorkKind.VISIT_OUT_OF_WINDOW: lambda: QCoreApplication.translate(
        "WorkKind", "Visit done out of window"
    ),
    WorkKind.LAB_WITHOUT_AE: lambda: QCoreApplication.translate(
        "WorkKind", "Abnormal lab value without adverse event"
    ),
    WorkKind.TO_SIGN: lambda: QCoreApplication.translate("WorkKind", "Form to sign"),
}


def work_item_text(kind: WorkKind) -> str:
    """What one line of the worklist asks for ("Visit overdue")."""
    return _WORK_ITEM_TEXTS[kind]()


def visit_timing_text(visit: PlannedVisit) -> str:
    """Whether a done visit was in its window: "3 days late", "in window"; empty when
    it cannot be judged (not done, no date, no window)."""
    timing = visit.timing
    if timing is None:
        return ""
    if timing is VisitTiming.IN_WINDOW:
        return QCoreApplication.translate("VisitTiming", "in window")
    if timing is VisitTiming.INDETERMINATE:
        return QCoreApplication.translate("VisitTiming", "window not decidable (partial date)")
    early = timing is VisitTiming.EARLY
    return early_late_text(early, visit.days_outside or 0, visit.days_outside_max)


def early_late_text(early: bool, days: int, most: int | None = None) -> str:
    """ "1 day early", "5 days late", "11–41 days late" (a range when partial dates leave one)."""
    if most is not None:
        span = f"{days}–{most}"
        if early:
            return QCoreApplication.translate("VisitTiming", "{days} days early").format(days=span)
        return QCoreApplication.translate("VisitTiming", "{days} days late").format(days=span)
    if early:
        if days == 1:
            return QCoreApplication.translate("VisitTiming", "1 day early")
        return QCoreApplication.translate("VisitTiming", "{days} days early").format(days=days)
    if days == 1:
        return QCoreApplication.translate("VisitTiming", "1 day late")
    return QCoreApplication.translate("VisitTiming", "{days} days late").format(days=days)


def days_text(days: int) -> str:
    """Days past the due date (positive), until it (negative) or today (0)."""
    if days == 1:
        return QCoreApplication.translate("Days", "1 day past due")
    if days > 1:
        return QCoreApplication.translate("Days", "{days} days past due").format(days=days)
    if days == -1:
        return QCoreApplication.translate("Days", "in 1 day")
    if days < -1:
        return QCoreApplication.translate("Days", "in {days} days").format(days=-days)
    return QCoreApplication.translate("Days", "today")


def event_text(study: Study, event_oid: str, occurrence: int | None, lang: str) -> str:
    """An event occurrence named from the definitions: "Treatment cycle 3", "Screening"."""
    event = study.event(event_oid)
    name = event.name.get(lang) if event is not None else event_oid
    if event is None or not event.repeating or occurrence is None:
        return name
    return QCoreApplication.translate(
        "Event", "{event} {number}", "an occurrence of a repeating event"
    ).format(event=name, number=occurrence)


def form_text(study: Study, form_oid: str, lang: str) -> str:
    """A form's title from the definitions (its OID when the study has no such form)."""
    form = study.forms.get(form_oid)
    return form.title.get(lang) if form is not None else form_oid


def date_text(day: dt.date | None) -> str:
    """A date as ISO text (unambiguous in both languages); empty for None."""
    return day.isoformat() if day is not None else ""


def window_text(start: dt.date | None, end: dt.date | None) -> str:
    """A visit window as "11-28 – 12-04" (years added when they differ from each other)."""
    if start is None or end is None:
        return ""
    if start.year != end.year:
        return f"{start.isoformat()} – {end.isoformat()}"
    return f"{start:%m-%d} – {end:%m-%d}"


def missing_text() -> str:
    """What a cell shows when there is no value ("—")."""
    return "—"


def moment_text(iso: str | None) -> str:
    """A stored UTC moment (ISO 8601) in this computer's time zone, to the minute; the dash
    when there is none."""
    if not iso:
        return missing_text()
    try:
        moment = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


def hold_state_text(state: State | Level) -> str:
    """Open, frozen or locked, as a word for a table or a marker."""
    texts = {
        "open": QCoreApplication.translate("Holds", "Open"),
        "frozen": QCoreApplication.translate("Holds", "Frozen"),
        "locked": QCoreApplication.translate("Holds", "Locked"),
    }
    return texts[state.value]


def hold_target_text(study: Study, target: Target, lang: str) -> str:
    """What a hold covers: "The site", "Subject S01-01-0001", "Vital signs — Cycle 2 (S01…)"."""
    if target.scope is Scope.SITE:
        return QCoreApplication.translate("Holds", "The site")
    if target.scope is Scope.SUBJECT:
        return QCoreApplication.translate("Holds", "Subject {subject}").format(
            subject=target.subject_id
        )
    return QCoreApplication.translate("Holds", "{form} — {event} ({subject})").format(
        form=form_text(study, target.form_oid or "", lang),
        event=event_text(study, target.event_oid or "", target.occurrence, lang),
        subject=target.subject_id,
    )


def hold_text(study: Study, hold: Hold, lang: str) -> str:
    """One hold in a sentence: what, frozen or locked, by whom, when and why."""
    values = {
        "what": hold_target_text(study, hold.target, lang),
        "who": hold.set_by or missing_text(),
        "when": moment_text(hold.set_at),
        "reason": hold.reason or missing_text(),
    }
    if hold.level is Level.LOCKED:
        text = QCoreApplication.translate(
            "Holds", "{what}: locked by {who} on {when}. Reason: {reason}"
        )
    else:
        text = QCoreApplication.translate(
            "Holds", "{what}: frozen by {who} on {when}. Reason: {reason}"
        )
    return text.format(**values)
