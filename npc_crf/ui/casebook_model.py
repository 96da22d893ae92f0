"""The Qt item model of a subject's casebook grid and the texts of its cells and headers.

The model holds what the service layer returned (``ws.worklist.grid()``) and turns it
into display texts once, when the data arrive; it never reads the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from npc_crf.forms.model import Study
from npc_crf.oncology.schedule import PlannedVisit, VisitTiming
from npc_crf.services.worklist import CasebookGrid, CellState, FormCell, GridColumn
from npc_crf.ui import labels
from npc_crf.ui.view_look import (
    ALERT_COLOUR,
    CELL_COLOURS,
    CELL_TEXT_COLOUR,
    NOT_APPLICABLE_COLOUR,
    TARGET_ROLE,
    VISIT_STATE_ROLE,
    cell_icon,
    visit_colour,
    visit_tooltip,
)

Index = QModelIndex | QPersistentModelIndex

#: a header role giving the visit's VisitTiming when it is done out of its window (or the
#: window cannot be decided), else None
VISIT_TIMING_ROLE = Qt.ItemDataRole.UserRole + 10
#: the colour of a visit done out of its window (header text and strip)
OUT_OF_WINDOW_COLOUR = "#6a1b9a"


def timing_flag(visit: PlannedVisit | None) -> VisitTiming | None:
    """The timing worth marking in the header: early, late or indeterminate; else None."""
    if visit is None or visit.timing is None or visit.timing is VisitTiming.IN_WINDOW:
        return None
    return visit.timing


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
        if window and (visit.actual is None or timing_flag(visit) is not None):
            lines.append(window)  # and for a visit out of it, to show why
        state = labels.visit_state_text(visit.state)
        if timing_flag(visit) is not None:
            state = QCoreApplication.translate("Casebook", "{state} · {timing}").format(
                state=state, timing=labels.visit_timing_text(visit)
            )
        lines.append(state)
    return "\n".join(lines)


def timing_tooltip(visit: PlannedVisit) -> str:
    """The lines a header's tooltip adds for a visit done out of its window."""
    lines = [labels.visit_timing_text(visit)]
    window = labels.window_text(visit.window_start, visit.window_end)
    if window:
        lines.append(
            QCoreApplication.translate("Casebook", "Window: {window} (due {due})").format(
                window=window, due=labels.date_text(visit.due)
            )
        )
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
        if role == VISIT_TIMING_ROLE:
            return timing_flag(column.visit)
        if role == Qt.ItemDataRole.ForegroundRole:
            if timing_flag(column.visit) is not None:
                return _brush(OUT_OF_WINDOW_COLOUR)
            colour = visit_colour(column.visit)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.FontRole and not column.exists:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.visit is None:
                return self._column_headers[section].replace("\n", " · ")
            tip = visit_tooltip(self.study, column.visit, self.lang, self._today())
            if timing_flag(column.visit) is not None:
                tip = f"{tip}\n{timing_tooltip(column.visit)}"
            return tip
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
