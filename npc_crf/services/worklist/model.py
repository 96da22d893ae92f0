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
    open_queries: int
    sae: bool


class WorkKind(StrEnum):
    """What a worklist entry asks for."""

    OVERDUE_VISIT = "overdue_visit"
    UPCOMING_VISIT = "upcoming_visit"
    FORM_NOT_STARTED = "form_not_started"
    FORM_INCOMPLETE = "form_incomplete"
    OPEN_QUERY = "open_query"
    AE_WITHOUT_OUTCOME = "ae_without_outcome"


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
    days: int | None  # days overdue (+) or until due (-), when a visit
    term: object = None  # what the item is about: the adverse event's term (a code)

    @property
    def sort_key(self) -> tuple[int, dt.date, str, str, int, str]:
        """Overdue visits first, then by date (undated last), subject, event, form."""
        return (
            0 if self.kind is WorkKind.OVERDUE_VISIT else 1,
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
    open_queries: int


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
