"""What needs doing: the Subjects table, the worklist, the casebook header and grid.

Everything here is read in bulk — a handful of queries for the whole site, not
one per subject and form — and planned with :mod:`npc_crf.oncology.schedule`.
The decisions (enrolment date, age, which forms are expected, warnings in the
grid) are in ``docs/schedule.md``.

The package's modules:

- :mod:`.model` — the contract: what the views are given (summaries, work items, the grid);
- :mod:`.profile` — where each study keeps what the worklist reads;
- :mod:`.reader` — the bulk reading of subjects, occurrences, form statuses and items;
- :mod:`.service` — :class:`WorklistService` (``ws.worklist``), which puts them together.
"""

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
from npc_crf.services.worklist.profile import (
    STUDY_PROFILES,
    ItemAt,
    StudyProfile,
    derive_profile,
    profile_for,
)
from npc_crf.services.worklist.service import WorklistService, age_range

__all__ = [
    "NOT_ENROLLED",
    "STUDY_PROFILES",
    "CasebookGrid",
    "CellState",
    "FormCell",
    "GridColumn",
    "ItemAt",
    "StudyProfile",
    "SubjectHeader",
    "SubjectSummary",
    "WorkItem",
    "WorkKind",
    "WorklistService",
    "age_range",
    "derive_profile",
    "profile_for",
]
