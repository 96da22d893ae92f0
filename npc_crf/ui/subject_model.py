"""The Qt item model of the Subjects table and its filter.

The model holds what the service layer returned (``ws.worklist.subjects()``, the holds
in force from ``ws.holds.in_force()`` and, for monitors, the SDV progress from
``ws.sdv.site_status()``) and turns it into display texts once, when the data
arrive; it never reads the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
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
from npc_crf.services.monitoring.hold_model import Hold, Level, Scope, State
from npc_crf.services.monitoring.sdv import SubjectSdv
from npc_crf.services.subjects import SubjectStatus
from npc_crf.services.worklist import SubjectSummary
from npc_crf.ui import labels
from npc_crf.ui.view_look import (
    ALERT_COLOUR,
    HOLD_COLOURS,
    SORT_ROLE,
    TARGET_ROLE,
    next_visit_text,
    visit_colour,
    visit_tooltip,
)

Index = QModelIndex | QPersistentModelIndex

#: the SDV count of a subject with values still pending
PENDING_COLOUR = "#e65100"


class SubjectColumn(IntEnum):
    """The columns of the subjects table."""

    ID = 0
    STATUS = 1
    ENROLLED = 2
    CYCLE = 3
    NEXT_VISIT = 4
    QUERIES = 5
    SAE = 6
    HOLD = 7
    SDV = 8


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
        SubjectColumn.HOLD: QCoreApplication.translate("SubjectTable", "Frozen / locked"),
        SubjectColumn.SDV: QCoreApplication.translate("SubjectTable", "SDV (verified / required)"),
    }


def holds_by_subject(holds: Iterable[Hold]) -> dict[str | None, list[Hold]]:
    """Subject ID → its own subject-level holds; ``None`` → the site's (they apply to all)."""
    found: dict[str | None, list[Hold]] = {}
    for hold in holds:
        if hold.target.scope is Scope.SITE:
            found.setdefault(None, []).append(hold)
        elif hold.target.scope is Scope.SUBJECT:
            found.setdefault(hold.target.subject_id, []).append(hold)
    return found


def hold_state(holds: Sequence[Hold]) -> State:
    """The strongest of ``holds``: locked, frozen, or open when there is none."""
    if any(h.level is Level.LOCKED for h in holds):
        return State.LOCKED
    return State.FROZEN if holds else State.OPEN


@dataclass(frozen=True)
class _SubjectRow:
    summary: SubjectSummary
    texts: tuple[str, ...]
    sort_keys: tuple[str | int, ...]
    visit_colour: QColor | None
    visit_tooltip: str
    hold: State = State.OPEN
    hold_tooltip: str = ""


@dataclass(frozen=True)
class _SdvCell:
    progress: SubjectSdv | None
    text: str
    sort_key: int


class SubjectTableModel(QAbstractTableModel):
    """One row per subject: ID, status, enrolment, cycle, next visit, queries, SAE, whether
    it is frozen or locked, and its SDV progress (filled by :meth:`set_sdv`)."""

    def __init__(self, study: Study, lang: str, today: Callable[[], dt.date]) -> None:
        super().__init__()
        self.study, self.lang, self._today = study, lang, today
        self._rows: list[_SubjectRow] = []
        self._headers = _subject_headers()
        self._holds: dict[str | None, list[Hold]] = {}
        #: subject ID → SDV progress; None until it was read
        self._sdv: dict[str, _SdvCell] | None = None

    def set_subjects(self, summaries: Sequence[SubjectSummary], holds: Iterable[Hold] = ()) -> None:
        """Show ``summaries`` and the ``holds`` in force (replacing what was shown)."""
        self.beginResetModel()
        self._holds = holds_by_subject(holds)
        self._rows = [self._row(s) for s in summaries]
        self.endResetModel()

    def set_sdv(self, progress: Iterable[SubjectSdv] | None) -> None:
        """Show each subject's SDV progress (a subject missing has nothing to verify)."""
        if progress is None:
            self._sdv = None
        else:
            self._sdv = {}
            for p in progress:
                text = f"{p.verified} / {p.required}" if p.required else ""
                self._sdv[p.subject_id] = _SdvCell(p, text, p.pending)
        if self._rows:
            top = self.index(0, SubjectColumn.SDV)
            bottom = self.index(len(self._rows) - 1, SubjectColumn.SDV)
            self.dataChanged.emit(top, bottom)

    @property
    def sdv_known(self) -> bool:
        """True once the SDV progress was given."""
        return self._sdv is not None

    def sdv(self, row: int) -> SubjectSdv | None:
        """The SDV progress of ``row``'s subject (None: nothing to verify, or not read)."""
        if self._sdv is None:
            return None
        found = self._sdv.get(self._rows[row].summary.subject_id)
        return found.progress if found is not None else None

    def hold(self, row: int) -> State:
        """Whether ``row``'s subject is open, frozen or locked (its own holds or the site's)."""
        return self._rows[row].hold

    def summary(self, row: int) -> SubjectSummary:
        """The subject of ``row``."""
        return self._rows[row].summary

    def _row(self, s: SubjectSummary) -> _SubjectRow:
        visit = s.next_visit
        texts: tuple[str, ...] = (
            s.subject_id,
            labels.subject_status_text(s.status),
            labels.date_text(s.enrolled_on) or labels.missing_text(),
            str(s.current_cycle) if s.current_cycle is not None else labels.missing_text(),
            next_visit_text(self.study, visit, self.lang),
            str(s.open_queries) if s.open_queries else "",
            QCoreApplication.translate("SubjectTable", "SAE") if s.sae else "",
        )
        holds = [*self._holds.get(None, []), *self._holds.get(s.subject_id, [])]
        state = hold_state(holds)
        texts = (*texts, labels.hold_state_text(state) if holds else "", "")
        keys: tuple[str | int, ...] = (
            s.subject_id,
            texts[SubjectColumn.STATUS],
            labels.date_text(s.enrolled_on) or "~",
            s.current_cycle if s.current_cycle is not None else -1,
            labels.date_text(visit.due) if visit is not None and visit.due else "~",
            s.open_queries,
            int(s.sae),
            list(State).index(state),
            0,
        )
        tooltip = visit_tooltip(self.study, visit, self.lang, self._today()) if visit else ""
        holds_tip = "\n".join(labels.hold_text(self.study, h, self.lang) for h in holds)
        return _SubjectRow(s, texts, keys, visit_colour(visit), tooltip, state, holds_tip)

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
        if column is SubjectColumn.SDV:
            return self._sdv_data(row, role)
        if column is SubjectColumn.HOLD:
            found = self._hold_data(row, role)
            if found is not None:
                return found
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

    def _hold_data(self, row: _SubjectRow, role: int) -> Any:
        if row.hold is State.OPEN:
            return None
        background, text = HOLD_COLOURS[row.hold.value]
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(background))
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(text))
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.hold_tooltip
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        return None

    def _sdv_data(self, row: _SubjectRow, role: int) -> Any:
        cell = self._sdv.get(row.summary.subject_id) if self._sdv is not None else None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.text if cell is not None else ""
        if role == SORT_ROLE:
            return cell.sort_key if cell is not None else -1
        if role == TARGET_ROLE:
            return row.summary.subject_id
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if cell is None or cell.progress is None:
            return None
        progress = cell.progress
        if role == Qt.ItemDataRole.ForegroundRole and progress.pending:
            return QBrush(QColor(PENDING_COLOUR))
        if role == Qt.ItemDataRole.ToolTipRole:
            return QCoreApplication.translate(
                "SubjectTable",
                "{verified} of {required} values verified; {done} of {forms} forms done",
            ).format(
                verified=progress.verified,
                required=progress.required,
                done=progress.forms_done,
                forms=progress.forms,
            )
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
    """Sorts on :data:`SORT_ROLE`; keeps rows whose ID or status contains the filter text,
    when one is chosen, whose status is the chosen one, and — "needs SDV" — whose SDV
    progress has values pending."""

    def __init__(self) -> None:
        super().__init__()
        self.setSortRole(SORT_ROLE)
        self._text = ""
        self._status: SubjectStatus | None = None
        self._needs_sdv = False

    def set_needs_sdv(self, needs: bool) -> None:
        """Keep only the subjects with values waiting for SDV (False: every subject)."""
        self.beginFilterChange()
        self._needs_sdv = needs
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

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
        if self._needs_sdv:
            progress = model.sdv(source_row)
            if progress is None or not progress.pending:
                return False
        if not self._text:
            return True
        status = labels.subject_status_text(summary.status)
        return any(
            self._text in text.casefold()
            for text in (summary.subject_id, status, summary.status.value)
        )
