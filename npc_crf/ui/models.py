"""Qt item models of the Subjects, Worklist and Casebook views, their colours and icons.

The models hold what the service layer returned (``ws.worklist``) and turn it into
display texts once, when the data arrive; they never read the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from npc_crf.forms.model import Study
from npc_crf.oncology.schedule import PlannedVisit, VisitState
from npc_crf.services.subjects import SubjectStatus
from npc_crf.services.worklist import (
    CasebookGrid,
    CellState,
    FormCell,
    GridColumn,
    SubjectSummary,
    WorkItem,
    WorkKind,
)
from npc_crf.ui import labels
from npc_crf.ui.errors import describe_error
from npc_crf.ui.worker import Job, JobRunner

Index = QModelIndex | QPersistentModelIndex
T = TypeVar("T")

#: a role giving a value that sorts right (dates as ISO text, counts as numbers)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: a role giving what a row or a cell leads to (a subject ID, a WorkItem, a CellTarget)
TARGET_ROLE = Qt.ItemDataRole.UserRole + 2
#: a role giving a header's VisitState (or None)
VISIT_STATE_ROLE = Qt.ItemDataRole.UserRole + 3

# ------------------------------------------------------------------------------ colours

#: text colour of a visit by its state; None: the palette's normal text
VISIT_COLOURS: dict[VisitState, str | None] = {
    VisitState.OVERDUE: "#c62828",
    VisitState.DUE: "#e65100",
    VisitState.UPCOMING: None,
    VisitState.DONE: "#2e7d32",
    VisitState.UNPLANNED: "#616161",
}

#: (cell background, mark colour) of a casebook cell by its state
CELL_COLOURS: dict[CellState, tuple[str, str]] = {
    CellState.NOT_STARTED: ("#ffffff", "#757575"),
    CellState.IN_PROGRESS: ("#fff3e0", "#e65100"),
    CellState.COMPLETE: ("#e8f5e9", "#2e7d32"),
    CellState.SIGNED: ("#e3f2fd", "#1565c0"),
    CellState.LOCKED: ("#eceff1", "#37474f"),
}
#: background of a cell whose form does not belong to that event
NOT_APPLICABLE_COLOUR = "#e0e0e0"
#: text on the light cell backgrounds (whatever the palette)
CELL_TEXT_COLOUR = "#212121"
#: marks that need attention: open queries, an SAE
ALERT_COLOUR = "#c62828"


def visit_colour(visit: PlannedVisit | None) -> QColor | None:
    """The colour that shows a visit's state, or None for plain text."""
    if visit is None:
        return None
    name = VISIT_COLOURS.get(visit.state)
    return QColor(name) if name else None


@cache
def cell_icon(state: CellState) -> QIcon:
    """A small mark per state; the shapes differ too, so colour is not the only cue.

    Drawn large and scaled down by Qt, so it stays sharp at any screen scale.
    """
    size = 64.0
    pixmap = QPixmap(int(size), int(size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(CELL_COLOURS[state][1])
    painter.setPen(QPen(colour, 6))
    box = QRectF(8, 8, size - 16, size - 16)
    if state is CellState.NOT_STARTED:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(box)
    elif state is CellState.IN_PROGRESS:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(box)
        half = QPainterPath()
        half.moveTo(box.center())
        half.arcTo(box, 90, 180)
        half.closeSubpath()
        painter.fillPath(half, colour)
    elif state is CellState.COMPLETE:
        painter.setBrush(colour)
        painter.drawEllipse(box)
    elif state is CellState.SIGNED:
        painter.setBrush(colour)
        c = box.center()
        r = box.width() / 2
        painter.drawPolygon(
            [QPointF(c.x(), c.y() - r), QPointF(c.x() + r, c.y()), QPointF(c.x(), c.y() + r),
             QPointF(c.x() - r, c.y())]
        )  # fmt: skip
    else:  # locked
        painter.setBrush(colour)
        painter.drawRect(box)
    painter.end()
    return QIcon(pixmap)


# ------------------------------------------------------------------------------ texts


def next_visit_text(study: Study, visit: PlannedVisit | None, lang: str) -> str:
    """ "Treatment cycle 4 · 2026-12-01 (11-28 – 12-04)"; the dash when there is none."""
    if visit is None:
        return labels.missing_text()
    name = labels.event_text(study, visit.event_oid, visit.occurrence, lang)
    if visit.due is None:
        return name
    window = labels.window_text(visit.window_start, visit.window_end)
    if not window:
        return QCoreApplication.translate("NextVisit", "{visit} · {due}").format(
            visit=name, due=labels.date_text(visit.due)
        )
    return QCoreApplication.translate("NextVisit", "{visit} · {due} ({window})").format(
        visit=name, due=labels.date_text(visit.due), window=window
    )


def visit_tooltip(study: Study, visit: PlannedVisit, lang: str, today: dt.date) -> str:
    """A visit's state, due date and window in a sentence."""
    name = labels.event_text(study, visit.event_oid, visit.occurrence, lang)
    state = labels.visit_state_text(visit.state)
    if visit.actual is not None:
        return QCoreApplication.translate("NextVisit", "{visit}: {state}, on {date}").format(
            visit=name, state=state, date=labels.date_text(visit.actual)
        )
    if visit.due is None:
        lines = [
            QCoreApplication.translate("NextVisit", "{visit}: {state}").format(
                visit=name, state=state
            )
        ]
        if visit.unplanned is not None:
            lines.append(labels.unplanned_text(visit.unplanned))
        return "\n".join(lines)
    lines = [
        QCoreApplication.translate("NextVisit", "{visit}: {state}, due {due} ({days})").format(
            visit=name,
            state=state,
            due=labels.date_text(visit.due),
            days=labels.days_text((today - visit.due).days),
        )
    ]
    window = labels.window_text(visit.window_start, visit.window_end)
    if window:
        lines.append(
            QCoreApplication.translate("NextVisit", "Window: {window}").format(window=window)
        )
    return "\n".join(lines)


# ------------------------------------------------------------------------------ subjects


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


# ------------------------------------------------------------------------------ worklist

#: the order of the worklist's groups
WORK_ORDER: tuple[WorkKind, ...] = (
    WorkKind.OVERDUE_VISIT,
    WorkKind.UPCOMING_VISIT,
    WorkKind.FORM_NOT_STARTED,
    WorkKind.FORM_INCOMPLETE,
    WorkKind.OPEN_QUERY,
    WorkKind.AE_WITHOUT_OUTCOME,
)


class WorkColumn(IntEnum):
    """The columns of the worklist."""

    SUBJECT = 0
    WHAT = 1
    WHERE = 2
    DUE = 3
    DAYS = 4


def _work_headers() -> dict[WorkColumn, str]:
    return {
        WorkColumn.SUBJECT: QCoreApplication.translate("Worklist", "Subject"),
        WorkColumn.WHAT: QCoreApplication.translate("Worklist", "What"),
        WorkColumn.WHERE: QCoreApplication.translate("Worklist", "Where"),
        WorkColumn.DUE: QCoreApplication.translate("Worklist", "Due"),
        WorkColumn.DAYS: QCoreApplication.translate("Worklist", "Days"),
    }


@dataclass(frozen=True)
class WorkRow:
    """One line of the worklist with its texts and sort keys."""

    item: WorkItem
    texts: tuple[str, ...]
    sort_keys: tuple[str | int, ...]


def work_row(study: Study, item: WorkItem, lang: str, position: int) -> WorkRow:
    """The line for ``item``; ``position`` (its place in the service's order) breaks ties."""
    what = labels.work_item_text(item.kind)
    if item.item_path:
        what = QCoreApplication.translate("Worklist", "{what}: {item}").format(
            what=what, item=item.item_path
        )
    where_parts = []
    if item.event_oid:
        where_parts.append(labels.event_text(study, item.event_oid, item.occurrence, lang))
    if item.form_oid:
        where_parts.append(labels.form_text(study, item.form_oid, lang))
    where = " · ".join(where_parts)
    days = labels.days_text(item.days) if item.days is not None else ""
    texts = (item.subject_id, what, where, labels.date_text(item.due), days)
    tie = f"{position:08d}"
    keys: tuple[str | int, ...] = (
        f"{item.subject_id}|{tie}",
        f"{what}|{tie}",
        f"{where}|{tie}",
        f"{labels.date_text(item.due) or '~'}|{tie}",
        f"{-(item.days or 0) + 100000:08d}|{tie}",
    )
    return WorkRow(item, texts, keys)


def work_colour(item: WorkItem) -> str | None:
    """Red for an overdue visit, orange for one on or past its due date (window still open)."""
    if item.kind is WorkKind.OVERDUE_VISIT:
        return VISIT_COLOURS[VisitState.OVERDUE]
    if item.kind is WorkKind.UPCOMING_VISIT and item.days is not None and item.days >= 0:
        return VISIT_COLOURS[VisitState.DUE]
    return None


@dataclass
class WorkGroup:
    """The lines of one kind of work."""

    kind: WorkKind
    rows: list[WorkRow]


class WorkTreeModel(QAbstractItemModel):
    """Groups (one per kind of work, in :data:`WORK_ORDER`) with their lines underneath.

    Sorting (``sort``, called by the view's header) orders the lines inside each
    group and never the groups.
    """

    def __init__(self) -> None:
        super().__init__()
        self._groups: list[WorkGroup] = []
        self._headers = _work_headers()
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_groups(self, groups: Sequence[WorkGroup]) -> None:
        """Show ``groups`` (sorted as last asked)."""
        self.beginResetModel()
        self._groups = [WorkGroup(g.kind, list(g.rows)) for g in groups]
        self._sort_rows()
        self.endResetModel()

    @property
    def groups(self) -> list[WorkGroup]:
        return self._groups

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        before = [(i.internalId(), self._row_of(i)) for i in old]
        self._sort_rows()
        positions = {
            id(row.item): (g, r) for g, group in enumerate(self._groups) for r, row in enumerate(group.rows)
        }  # fmt: skip
        for index, (internal, item) in zip(old, before, strict=True):
            if internal == 0 or item is None:
                continue
            g, r = positions[id(item)]
            self.changePersistentIndex(index, self.createIndex(r, index.column(), g + 1))
        self.layoutChanged.emit()

    def _row_of(self, index: Index) -> WorkItem | None:
        internal = index.internalId()
        return self._groups[internal - 1].rows[index.row()].item if internal else None

    def _sort_rows(self) -> None:
        if self._sort is None:
            return
        column, order = self._sort
        for group in self._groups:
            group.rows.sort(
                key=lambda row: row.sort_keys[column],
                reverse=order == Qt.SortOrder.DescendingOrder,
            )

    def item(self, index: Index) -> WorkItem | None:
        """The work item of a line (None for a group title)."""
        if not index.isValid():
            return None
        return self._row_of(index)

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self._groups[parent.row()].rows)
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(WorkColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[WorkColumn(section)]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            return self._group_data(self._groups[index.row()], index.column(), role)
        row = self._groups[index.internalId() - 1].rows[index.row()]
        column = WorkColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts[column]
        if role == TARGET_ROLE:
            return row.item
        if role == Qt.ItemDataRole.ForegroundRole and column >= WorkColumn.DUE:
            colour = work_colour(row.item)
            return QBrush(QColor(colour)) if colour else None
        return None

    def _group_data(self, group: WorkGroup, column: int, role: int) -> Any:
        if column != 0:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("Worklist", "{kind} ({count})").format(
                kind=labels.work_kind_text(group.kind), count=len(group.rows)
            )
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and group.kind is WorkKind.OVERDUE_VISIT:
            return QBrush(QColor(VISIT_COLOURS[VisitState.OVERDUE]))
        return None


# ------------------------------------------------------------------------------ casebook


@dataclass(frozen=True)
class CellTarget:
    """Where a casebook cell leads: one form of one event occurrence."""

    event_oid: str
    occurrence: int
    form_oid: str


def cell_text(cell: FormCell) -> str:
    """The cell's marks: state abbreviation, then "!" for warnings and "Q2" for queries."""
    parts = [labels.cell_state_abbreviation(cell.state)]
    if cell.has_warnings:
        parts.append(labels.warnings_mark())
    if cell.open_queries:
        parts.append(labels.queries_mark(cell.open_queries))
    return " ".join(parts)


def column_title(study: Study, column: GridColumn, lang: str) -> str:
    """A column's first header line: "Screening", "Treatment cycle 3", "… (new)"."""
    name = labels.event_text(study, column.event_oid, column.occurrence, lang)
    if column.exists:
        return name
    return QCoreApplication.translate("Casebook", "{event} (new)").format(event=name)


def column_header(study: Study, column: GridColumn, lang: str) -> str:
    """A column's header: its title, then the visit's date, window and state on their lines."""
    lines = [column_title(study, column, lang)]
    visit = column.visit
    if visit is not None:
        if visit.actual is not None:
            lines.append(labels.date_text(visit.actual))
        elif visit.due is not None:
            lines.append(
                QCoreApplication.translate("Casebook", "due {date}").format(
                    date=labels.date_text(visit.due)
                )
            )
        window = labels.window_text(visit.window_start, visit.window_end)
        if window and visit.actual is None:
            lines.append(window)
        lines.append(labels.visit_state_text(visit.state))
    return "\n".join(lines)


@cache
def _brush(colour: str) -> QBrush:
    return QBrush(QColor(colour))


_DISPLAY = Qt.ItemDataRole.DisplayRole
_DECORATION = Qt.ItemDataRole.DecorationRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_ENABLED = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_DISABLED = Qt.ItemFlag.NoItemFlags


@dataclass(frozen=True)
class _Cell:
    """A grid cell with what it shows, made once per load (painting asks many times)."""

    column: GridColumn
    cell: FormCell
    text: str
    #: what ``data`` returns for the roles painting asks for
    roles: dict[int, object]


class CasebookGridModel(QAbstractTableModel):
    """A subject's casebook: columns are event occurrences, rows are forms."""

    def __init__(
        self, study: Study, lang: str, today: Callable[[], dt.date] = dt.date.today
    ) -> None:
        super().__init__()
        self.study, self.lang, self._today = study, lang, today
        self.grid: CasebookGrid | None = None
        self._column_headers: list[str] = []
        self._row_headers: list[str] = []
        self._cells: list[list[_Cell | None]] = []  # [row][column]
        #: (state, warnings, queries) -> text and roles, shared by the cells that look alike
        self._looks: dict[tuple[CellState, bool, int], tuple[str, dict[int, object]]] = {}

    def set_grid(self, grid: CasebookGrid | None) -> None:
        """Show ``grid`` (None: nothing)."""
        self.beginResetModel()
        self.grid = grid
        columns = grid.columns if grid else []
        forms = grid.form_order if grid else []
        self._column_headers = [column_header(self.study, c, self.lang) for c in columns]
        self._row_headers = [labels.form_text(self.study, f, self.lang) for f in forms]
        self._cells = [[self._cell(c, c.cells.get(form)) for c in columns] for form in forms]
        self.endResetModel()

    def _cell(self, column: GridColumn, cell: FormCell | None) -> _Cell | None:
        if cell is None:
            return None
        key = (cell.state, cell.has_warnings, cell.open_queries)
        shown = self._looks.get(key)
        if shown is None:  # a few kinds of cell, many cells: translate each kind once
            text = cell_text(cell)
            roles: dict[int, object] = {
                _DISPLAY: text,
                _DECORATION: cell_icon(cell.state),
                _BACKGROUND: _brush(CELL_COLOURS[cell.state][0]),
                _FOREGROUND: _brush(ALERT_COLOUR if cell.open_queries else CELL_TEXT_COLOUR),
            }
            shown = self._looks[key] = (text, roles)
        return _Cell(column, cell, *shown)

    def _at(self, index: Index) -> _Cell | None:
        row = index.row()
        return self._cells[row][index.column()] if row >= 0 else None

    def cell(self, index: Index) -> tuple[GridColumn, FormCell] | None:
        """The column and form cell at ``index``; None where the form is not in that event."""
        found = self._at(index)
        return (found.column, found.cell) if found is not None else None

    def target(self, index: Index) -> CellTarget | None:
        """The form a cell leads to (None for an empty cell)."""
        found = self._at(index)
        if found is None:
            return None
        return CellTarget(found.column.event_oid, found.column.occurrence, found.cell.form_oid)

    def column_texts(self, column: int) -> list[str]:
        """The texts of column ``column``'s cells (to size it without asking every cell)."""
        return [cell.text for row in self._cells if (cell := row[column]) is not None]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cells)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._column_headers)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _DISABLED if self._at(index) is None else _ENABLED

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self.grid is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole:
                return self._row_headers[section]
            return None
        column = self.grid.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._column_headers[section]
        if role == VISIT_STATE_ROLE:
            return column.visit.state if column.visit is not None else None
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = visit_colour(column.visit)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.FontRole and not column.exists:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.visit is None:
                return self._column_headers[section].replace("\n", " · ")
            return visit_tooltip(self.study, column.visit, self.lang, self._today())
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        found = self._at(index)
        if found is None:
            if role == _BACKGROUND and index.isValid():
                return _brush(NOT_APPLICABLE_COLOUR)
            return None
        value = found.roles.get(role)
        if value is not None:
            return value
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(found.column, found.cell)
        if role == TARGET_ROLE:
            return self.target(index)
        return None

    def _tooltip(self, column: GridColumn, cell: FormCell) -> str:
        lines = [
            QCoreApplication.translate("Casebook", "{form} — {event}").format(
                form=labels.form_text(self.study, cell.form_oid, self.lang),
                event=column_title(self.study, column, self.lang),
            ),
            labels.cell_state_text(cell.state),
        ]
        if cell.has_warnings:
            lines.append(labels.warnings_text())
        if cell.open_queries:
            lines.append(labels.queries_text(cell.open_queries))
        return "\n".join(lines)


# ------------------------------------------------------------------------------ load status


class LoadStatus(QWidget):
    """A busy indicator while a job runs, and the error when one failed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # indeterminate
        self.bar.setTextVisible(False)
        self.busy_label = QLabel()
        self.error_label = QLabel()
        self.error_label.setObjectName("load_error")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setStyleSheet(f"color: {ALERT_COLOUR}; font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.busy_label)
        busy_row.addWidget(self.bar, 1)
        layout.addLayout(busy_row)
        layout.addWidget(self.error_label)
        self.idle()

    @property
    def is_busy(self) -> bool:
        return not self.bar.isHidden()

    def busy(self, text: str) -> None:
        """Show ``text`` and a moving bar; clears an earlier error."""
        self.busy_label.setText(text)
        self.bar.show()
        self.busy_label.show()
        self.error_label.hide()

    def idle(self) -> None:
        """Hide the indicator (an error stays until the next job)."""
        self.bar.hide()
        self.busy_label.hide()

    def failed(self, error: object) -> None:
        """Stop the indicator and show what went wrong."""
        self.idle()
        self.error_label.setText(describe_error(error))
        self.error_label.show()

    @property
    def error(self) -> str:
        """The error shown, or an empty string."""
        return "" if self.error_label.isHidden() else self.error_label.text()


def run_job(
    runner: JobRunner,
    status: LoadStatus,
    name: str,
    busy_text: str,
    work: Callable[[], T],
    done: Callable[[T], None],
) -> Job:
    """Run ``work`` off the GUI thread with ``status`` showing it; ``done(result)`` on success.

    Errors are shown by ``status``. Nothing is delivered once the status strip (and so
    the view holding it) was deleted.
    """
    status.busy(busy_text)
    job = runner.start(name, lambda progress: work())

    def finished(result: object) -> None:
        if shiboken6.isValid(status):
            status.idle()
            done(result)  # type: ignore[arg-type]

    def failed(error: object) -> None:
        if shiboken6.isValid(status):
            status.failed(error)

    def cancelled() -> None:
        if shiboken6.isValid(status):
            status.idle()

    job.finished.connect(finished)
    job.failed.connect(failed)
    job.cancelled.connect(cancelled)
    return job
