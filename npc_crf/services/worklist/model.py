"""The worklist's contract: what the Subjects table, worklist and casebook views are given."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from npc_crf.oncology.schedule import PlannedVisit
from npc_crf.services.subjects import SubjectStatus

#: statuses of subjects that have not (yet) been enrolled
NOT_ENROLLED = frozenset({SubjectStatus.SCREENING, SubjectStatus.SCREEN_FAILURE})


@dataclass(frozen=True)
class SubjectSummary:
    """One row of the Subjects table."""

    subject_id: str
    status: SubjectStatus
    enrolled_on: dt.date | None
    current_cycle: int | None
    next_visit: PlannedVisit | None
    open_queries: int  # queries waiting for the current user's role
    sae: bool


class WorkKind(StrEnum):
    """What a worklist entry asks for."""

    OVERDUE_VISIT = "overdue_visit"
    UPCOMING_VISIT = "upcoming_visit"
    FORM_NOT_STARTED = "form_not_started"
    FORM_INCOMPLETE = "form_incomplete"
    #: a query waiting for the user's role (detail: the query's uid; due: the day it was
    #: raised; days: its age in days)
    OPEN_QUERY = "open_query"
    AE_WITHOUT_OUTCOME = "ae_without_outcome"
    #: an SAE to report to the sponsor (detail: the ClockState; running, overdue, or
    #: not started when the awareness date is missing)
    SAE_REPORT = "sae_report"
    #: a SUSAR to report to the regulator and ethics committee (detail: the ClockState)
    SUSAR_REPORT = "susar_report"
    #: the complete follow-up report of a fatal or life-threatening SUSAR
    SUSAR_FOLLOWUP = "susar_followup"
    #: an AE whose onset is outside the reporting window (detail: the Place)
    AE_OUTSIDE_WINDOW = "ae_outside_window"
    #: an ongoing AE whose follow-up is missing (detail: the FollowUpReason)
    AE_FOLLOWUP_MISSING = "ae_followup_missing"
    #: a visit done outside its window (detail: the VisitTiming; days: days outside)
    VISIT_OUT_OF_WINDOW = "visit_out_of_window"
    #: a laboratory value of CTCAE grade 1 or more without a matching AE (detail: the
    #: grade, "2:indeterminate" when an AE with a partial date may cover it; term: the
    #: CTCAE term's code; item_path: the analyte's item; due: the sample date)
    LAB_WITHOUT_AE = "lab_without_ae"
    #: a complete form waiting for an investigator's signature, for investigators
    #: (detail: "voided" when a change voided its signature; due: the day it was last saved)
    TO_SIGN = "to_sign"


#: the reporting clocks: listed first, they are the most urgent work
REPORT_KINDS = frozenset({WorkKind.SAE_REPORT, WorkKind.SUSAR_REPORT, WorkKind.SUSAR_FOLLOWUP})


@dataclass(frozen=True)
class WorkItem:
    """One thing to do; the GUI words it from ``kind`` and the fields."""

    kind: WorkKind
    subject_id: str
    event_oid: str | None
    occurrence: int | None
    form_oid: str | None
    item_path: str | None
    due: dt.date | None
    #: visits and reports: days past the due date (+) or until it (-); a visit out of its
    #: window or an AE outside the reporting window: days outside (at least)
    days: int | None
    #: what the item is about: the adverse event's term, or a laboratory value's CTCAE
    #: term (a code)
    term: object = None
    #: the kind's particulars, a code (a clock state, a window place, a visit timing, a grade)
    detail: str | None = None

    @property
    def sort_key(self) -> tuple[int, dt.date, str, str, int, str]:
        """Reports to send first, then overdue visits, then by date (undated last),
        subject, event, form."""
        rank = 0 if self.kind in REPORT_KINDS else 1 if self.kind is WorkKind.OVERDUE_VISIT else 2
        return (
            rank,
            self.due or dt.date.max,
            self.subject_id,
            self.event_oid or "",
            self.occurrence or 0,
            self.form_oid or "",
        )


class CellState(StrEnum):
    """A form's state in the casebook grid."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    SIGNED = "signed"
    LOCKED = "locked"


@dataclass(frozen=True)
class FormCell:
    """One form of one event occurrence in the grid."""

    form_oid: str
    state: CellState
    has_warnings: bool
    open_queries: int  # queries about the form or its items waiting for the user's role


@dataclass(frozen=True)
class GridColumn:
    """One event occurrence; ``exists=False`` is the next expected one or a "new" slot."""

    event_oid: str
    occurrence: int
    exists: bool
    visit: PlannedVisit | None
    cells: dict[str, FormCell]  # form OID -> cell, only forms of that event


@dataclass(frozen=True)
class CasebookGrid:
    """The casebook screen: columns are event occurrences, rows are forms."""

    subject_id: str
    columns: list[GridColumn]
    form_order: list[str]  # every form OID of the study in first-appearance order


@dataclass(frozen=True)
class SubjectHeader:
    """The casebook header: who the subject is and where in the study."""

    subject_id: str
    age: int | None  # completed years; the youngest possible age when the birth date is partial
    age_note: str | None  # English, when the age is not exact ("53-54: ...")
    sex_code: str | None
    sex_en: str | None
    sex_zh: str | None
    study_oid: str
    study_name_en: str
    study_name_zh: str
    status: SubjectStatus
    enrolled_on: dt.date | None
    first_dose: dt.date | None
    day_on_study: int | None
    age_max: int | None = None  # the oldest possible age when it differs from ``age``
    age_on: dt.date | None = None  # the day the age is computed for (consent, else today)
