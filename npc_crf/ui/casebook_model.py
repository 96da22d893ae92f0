"""The Qt item model of a subject's casebook grid and the texts of its cells and headers.

The model holds what the service layer returned (``ws.worklist.grid()``, and the
monitoring marks of :class:`CellMarks`: SDV progress, forms to sign, form freezes,
signature manifestations) and turns it into display texts once, when the data
arrive; it never reads the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
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
from npc_crf.services.monitoring.hold_model import Hold, Level, Scope
from npc_crf.services.monitoring.sdv import FormSdv
from npc_crf.services.monitoring.signature_model import Manifestation, ToSign
from npc_crf.services.worklist import CasebookGrid, FormCell, GridColumn
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


#: where a mark belongs: (event, occurrence, form)
CellKey = tuple[str, int, str]


@dataclass(frozen=True)
class CellMarks:
    """What monitoring adds to a cell: SDV progress (for monitors), waiting for a signature
    (for investigators; ``voided`` when a change voided the one it had), a freeze of the
    form itself, and the signatures it carries (§11.50)."""

    sdv_verified: int = 0
    sdv_required: int = 0
    to_sign: bool = False
    voided: ToSign | None = None
    frozen: Hold | None = None
    signatures: tuple[Manifestation, ...] = ()

    @property
    def look(self) -> tuple[str, bool, bool, bool]:
        """What decides the cell's text (cells that look alike share it)."""
        sdv = labels.sdv_mark(self.sdv_verified, self.sdv_required) if self.sdv_required else ""
        return (sdv, self.to_sign, self.voided is not None, self.frozen is not None)


NO_MARKS = CellMarks()


def cell_marks(
    sdv: Iterable[FormSdv] = (),
    to_sign: Iterable[ToSign] = (),
    holds: Iterable[Hold] = (),
    signatures: Iterable[Manifestation] = (),
) -> dict[CellKey, CellMarks]:
    """The marks of one subject's cells, from what the services returned for it."""
    found: dict[CellKey, dict[str, object]] = {}

    def at(key: CellKey) -> dict[str, object]:
        return found.setdefault(key, {})

    for form in sdv:
        marks = at((form.event_oid, form.occurrence, form.form_oid))
        marks.update(sdv_verified=form.verified, sdv_required=form.required)
    for item in to_sign:
        marks = at((item.event_oid, item.occurrence, item.form_oid))
        marks.update(to_sign=True, voided=item if item.voided_at else None)
    for hold in holds:
        t = hold.target
        if t.scope is Scope.FORM and hold.level is Level.FROZEN and t.event_oid and t.form_oid:
            at((t.event_oid, t.occurrence, t.form_oid))["frozen"] = hold
    signed: dict[CellKey, list[Manifestation]] = {}
    for m in signatures:
        signed.setdefault((m.event_oid, m.occurrence, m.form_oid), []).append(m)
    for key, lines in signed.items():
        at(key)["signatures"] = tuple(lines)
    return {key: CellMarks(**values) for key, values in found.items()}  # type: ignore[arg-type]


def cell_text(cell: FormCell, marks: CellMarks = NO_MARKS) -> str:
    """The cell's marks: state abbreviation, then "!" for warnings, "Q2" for queries, and
    the monitoring marks (to sign, SDV progress, frozen)."""
    parts = [labels.cell_state_abbreviation(cell.state)]
    if cell.has_warnings:
        parts.append(labels.warnings_mark())
    if cell.open_queries:
        parts.append(labels.queries_mark(cell.open_queries))
    if marks.to_sign:
        parts.append(labels.to_sign_mark(marks.voided is not None))
    if marks.sdv_required:
        parts.append(labels.sdv_mark(marks.sdv_verified, marks.sdv_required))
    if marks.frozen is not None:
        parts.append(labels.frozen_mark())
    return " ".join(parts)


def manifestation_text(m: Manifestation, lang: str) -> str:
    """A signature as the record shows it (§11.50): printed name, UTC time and meaning."""
    return QCoreApplication.translate(
        "Casebook", "Electronically signed by {name} ({user}) on {time}. Meaning: {meaning}"
    ).format(
        name=m.printed_name,
        user=m.username,
        time=m.signed_at_utc,
        meaning=m.meaning_zh if lang == "zh" else m.meaning_en,
    )


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
    marks: CellMarks = NO_MARKS


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
        #: (state, warnings, queries, marks) -> text and roles, shared by cells that look alike
        self._looks: dict[tuple[object, ...], tuple[str, dict[int, object]]] = {}
        self.marks: Mapping[CellKey, CellMarks] = {}

    def set_grid(
        self, grid: CasebookGrid | None, marks: Mapping[CellKey, CellMarks] | None = None
    ) -> None:
        """Show ``grid`` (None: nothing) with the monitoring ``marks`` of its cells."""
        self.beginResetModel()
        self.grid = grid
        self.marks = marks or {}
        columns = grid.columns if grid else []
        forms = grid.form_order if grid else []
        self._column_headers = [column_header(self.study, c, self.lang) for c in columns]
        self._row_headers = [labels.form_text(self.study, f, self.lang) for f in forms]
        self._cells = [[self._cell(c, c.cells.get(form)) for c in columns] for form in forms]
        self.endResetModel()

    def _cell(self, column: GridColumn, cell: FormCell | None) -> _Cell | None:
        if cell is None:
            return None
        marks = (
            self.marks.get((column.event_oid, column.occurrence, cell.form_oid), NO_MARKS)
            if column.exists
            else NO_MARKS
        )
        key = (cell.state, cell.has_warnings, cell.open_queries, *marks.look)
        shown = self._looks.get(key)
        if shown is None:  # a few kinds of cell, many cells: translate each kind once
            text = cell_text(cell, marks)
            roles: dict[int, object] = {
                _DISPLAY: text,
                _DECORATION: cell_icon(cell.state),
                _BACKGROUND: _brush(CELL_COLOURS[cell.state][0]),
                _FOREGROUND: _brush(ALERT_COLOUR if cell.open_queries else CELL_TEXT_COLOUR),
            }
            shown = self._looks[key] = (text, roles)
        return _Cell(column, cell, *shown, marks)

    def _at(self, index: Index) -> _Cell | None:
        row = index.row()
        return self._cells[row][index.column()] if row >= 0 else None

    def cell(self, index: Index) -> tuple[GridColumn, FormCell] | None:
        """The column and form cell at ``index``; None where the form is not in that event."""
        found = self._at(index)
        return (found.column, found.cell) if found is not None else None

    def marks_at(self, index: Index) -> CellMarks:
        """The monitoring marks of the cell at ``index`` (none for an empty cell)."""
        found = self._at(index)
        return found.marks if found is not None else NO_MARKS

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
            return self._tooltip(found.column, found.cell, found.marks)
        if role == TARGET_ROLE:
            return self.target(index)
        return None

    def _tooltip(self, column: GridColumn, cell: FormCell, marks: CellMarks = NO_MARKS) -> str:
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
        lines.extend(manifestation_text(m, self.lang) for m in marks.signatures)
        if marks.to_sign:
            lines.append(labels.to_sign_text(marks.voided is not None))
        if marks.voided is not None:
            lines.append(
                QCoreApplication.translate(
                    "Casebook", "The signature of {user} was voided on {time}: {reason}"
                ).format(
                    user=marks.voided.voided_by or labels.missing_text(),
                    time=labels.moment_text(marks.voided.voided_at),
                    reason=marks.voided.void_reason or labels.missing_text(),
                )
            )
        if marks.sdv_required:
            lines.append(labels.sdv_text(marks.sdv_verified, marks.sdv_required))
        if marks.frozen is not None:
            lines.append(labels.hold_text(self.study, marks.frozen, self.lang))
        return "\n".join(lines)
