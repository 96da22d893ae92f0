"""The Qt item model of the Subjects table and its filter.

The model holds what the service layer returned (``ws.worklist.subjects()``) and turns
it into display texts once, when the data arrive; it never reads the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from npc_crf.forms.model import Study
from npc_crf.oncology.schedule import VisitState
from npc_crf.services.subjects import SubjectStatus
from npc_crf.services.worklist import SubjectSummary
from npc_crf.ui import labels
from npc_crf.ui.view_look import (
    ALERT_COLOUR,
    SORT_ROLE,
    TARGET_ROLE,
    next_visit_text,
    visit_colour,
    visit_tooltip,
)

Index = QModelIndex | QPersistentModelIndex


class SubjectColumn(IntEnum):
    """The columns of the subjects table."""

    ID = 0
    STATUS = 1
    ENROLLED = 2
    CYCLE = 3
    NEXT_VISIT = 4
    QUERIES = 5
    SAE = 6


def _subject_headers() -> dict[SubjectColumn, str]:
    return {
        SubjectColumn.ID: QCoreApplication.translate("SubjectTable", "Subject"),
        SubjectColumn.STATUS: QCoreApplication.translate("SubjectTable", "Status"),
        SubjectColumn.ENROLLED: QCoreApplication.translate("SubjectTable", "Enrolled on"),
        SubjectColumn.CYCLE: QCoreApplication.translate("SubjectTable", "Cycle"),
        SubjectColumn.NEXT_VISIT: QCoreApplication.translate(
            "SubjectTable", "Next visit due (window)"
        ),
        SubjectColumn.QUERIES: QCoreApplication.translate("SubjectTable", "Open queries"),
        SubjectColumn.SAE: QCoreApplication.translate("SubjectTable", "SAE"),
    }


@dataclass(frozen=True)
class _SubjectRow:
    summary: SubjectSummary
    texts: tuple[str, ...]
    sort_keys: tuple[str | int, ...]
    visit_colour: QColor | None
    visit_tooltip: str


class SubjectTableModel(QAbstractTableModel):
    """One row per subject: ID, status, enrolment, cycle, next visit, queries, SAE."""

    def __init__(self, study: Study, lang: str, today: Callable[[], dt.date]) -> None:
        super().__init__()
        self.study, self.lang, self._today = study, lang, today
        self._rows: list[_SubjectRow] = []
        self._headers = _subject_headers()

    def set_subjects(self, summaries: Sequence[SubjectSummary]) -> None:
        """Show ``summaries`` (replacing what was shown)."""
        self.beginResetModel()
        self._rows = [self._row(s) for s in summaries]
        self.endResetModel()

    def summary(self, row: int) -> SubjectSummary:
        """The subject of ``row``."""
        return self._rows[row].summary

    def _row(self, s: SubjectSummary) -> _SubjectRow:
        visit = s.next_visit
        texts = (
            s.subject_id,
            labels.subject_status_text(s.status),
            labels.date_text(s.enrolled_on) or labels.missing_text(),
            str(s.current_cycle) if s.current_cycle is not None else labels.missing_text(),
            next_visit_text(self.study, visit, self.lang),
            str(s.open_queries) if s.open_queries else "",
            QCoreApplication.translate("SubjectTable", "SAE") if s.sae else "",
        )
        keys: tuple[str | int, ...] = (
            s.subject_id,
            texts[SubjectColumn.STATUS],
            labels.date_text(s.enrolled_on) or "~",
            s.current_cycle if s.current_cycle is not None else -1,
            labels.date_text(visit.due) if visit is not None and visit.due else "~",
            s.open_queries,
            int(s.sae),
        )
        tooltip = visit_tooltip(self.study, visit, self.lang, self._today()) if visit else ""
        return _SubjectRow(s, texts, keys, visit_colour(visit), tooltip)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(SubjectColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[SubjectColumn(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], SubjectColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts[column]
        if role == SORT_ROLE:
            return row.sort_keys[column]
        if role == TARGET_ROLE:
            return row.summary.subject_id
        if column is SubjectColumn.NEXT_VISIT:
            return self._visit_data(row, role)
        if column in (SubjectColumn.SAE, SubjectColumn.QUERIES):
            if role == Qt.ItemDataRole.ForegroundRole and row.texts[column]:
                return QBrush(QColor(ALERT_COLOUR))
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return Qt.AlignmentFlag.AlignCenter
        if column is SubjectColumn.CYCLE and role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        return None

    def _visit_data(self, row: _SubjectRow, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and row.visit_colour is not None:
            return QBrush(row.visit_colour)
        visit = row.summary.next_visit
        if role == Qt.ItemDataRole.FontRole and visit and visit.state is VisitState.OVERDUE:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.visit_tooltip or None
        return None


class SubjectFilterProxy(QSortFilterProxyModel):
    """Sorts on :data:`SORT_ROLE`; keeps rows whose ID or status contains the filter text
    and, when one is chosen, whose status is the chosen one."""

    def __init__(self) -> None:
        super().__init__()
        self.setSortRole(SORT_ROLE)
        self._text = ""
        self._status: SubjectStatus | None = None

    def set_text(self, text: str) -> None:
        """Keep the subjects whose ID or status contains ``text`` (any case)."""
        self.beginFilterChange()
        self._text = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_status(self, status: SubjectStatus | None) -> None:
        """Keep the subjects in ``status`` (None: every status)."""
        self.beginFilterChange()
        self._status = status
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, SubjectTableModel):
            return True
        summary = model.summary(source_row)
        if self._status is not None and summary.status is not self._status:
            return False
        if not self._text:
            return True
        status = labels.subject_status_text(summary.status)
        return any(
            self._text in text.casefold()
            for text in (summary.subject_id, status, summary.status.value)
        )
