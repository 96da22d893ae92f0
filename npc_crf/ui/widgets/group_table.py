"""A repeating group as an editable table, driven by the form session.

Keys (no mouse needed):

* typing or Enter on a cell edits it; Enter or Tab in the editor commits (Tab
  then edits the next cell); Escape cancels;
* Tab and Shift+Tab move between cells and leave the table after the last
  (before the first) cell;
* Ctrl+Insert or Ctrl+Shift+N adds a row; Ctrl+Delete removes the current row
  after a confirmation (any row, not only the last); Delete clears a cell;
* the form view's Ctrl+M (missing-data code) and Ctrl+Shift+O (override a
  warning) act on the current cell.

Cells are validated by the session exactly like the items outside groups;
their state shows as a colour, a tooltip and a line in the problem list under
the table. Columns that are not relevant in a row are greyed and locked.
The table only asks (signals); the form view answers the session and calls
:meth:`GroupTable.update_cells` or :meth:`GroupTable.sync`.
"""

from __future__ import annotations

import textwrap
from html import escape

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QStringListModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.model import Item, ItemType
from npc_crf.forms.session import FormSession, ItemPath, ItemState, Status
from npc_crf.ui.widgets.editors import NORMALISERS, choice_options, lookup_texts, placeholder
from npc_crf.ui.widgets.partial_date import PartialDateEdit, unknown_allowed
from npc_crf.ui.widgets.status import COLORS, status_kind
from npc_crf.ui.widgets.values import display_text, edit_text, missing_text

_GREY = QColor("#eeeeee")
#: column headers wrap after this many characters (Chinese: per line)
HEADER_CHARS = 18
HEADER_CHARS_ZH = 8
_CHOICES = (ItemType.SINGLE_CHOICE, ItemType.YES_NO)


def _shown(state: ItemState) -> object:
    """What a cell holds: the refused entry when there is one, else the value."""
    if state.status is Status.HARD_ERROR and state.rejected_input is not None:
        return state.rejected_input
    return state.value


class _CellDelegate(QStyledItemDelegate):
    """Editors for cells: drop-downs for choices, the partial-date widget, line edits."""

    def __init__(self, table: GroupTable) -> None:
        super().__init__(table.grid)
        self.table = table

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        column = self.table.columns[index.column()]
        if column.type in _CHOICES:
            combo = QComboBox(parent)
            combo.addItem("")
            for _code, label in choice_options(self.table.session.study, column, self.table.lang):
                combo.addItem(label)
            return combo
        if column.type is ItemType.PARTIAL_DATE:
            date = PartialDateEdit(
                parent, in_cell=True, allow_unknown=unknown_allowed(column.min_precision)
            )
            date.setAutoFillBackground(True)
            date.leaveRequested.connect(lambda where, e=date: self._leave(e, where))
            date.editingFinished.connect(lambda e=date: self._leave(e, None))
            return date
        edit = QLineEdit(parent)
        if column.max_length is not None:
            edit.setMaxLength(column.max_length)
        if column.type is ItemType.LOOKUP:
            names = sorted(lookup_texts(self.table.session.study, column, self.table.lang))
            completer = QCompleter(QStringListModel(names, edit), edit)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            edit.setCompleter(completer)
        edit.setPlaceholderText(placeholder(column.type))
        return edit

    def _leave(self, editor: PartialDateEdit, where: object) -> None:
        if editor.property("crfClosing"):
            return
        editor.setProperty("crfClosing", True)
        self.commitData.emit(editor)
        focus = QApplication.focusWidget()
        if focus is not None and editor.isAncestorOf(focus):
            # the view only takes the focus back from an editor that has it itself, not
            # from one of its fields: take it here, or hiding the editor moves the cursor
            self.table.grid.setFocus(Qt.FocusReason.OtherFocusReason)
        hint = {
            True: QAbstractItemDelegate.EndEditHint.EditNextItem,
            False: QAbstractItemDelegate.EndEditHint.EditPreviousItem,
        }.get(where, QAbstractItemDelegate.EndEditHint.NoHint)  # type: ignore[call-overload]
        self.closeEditor.emit(editor, hint)

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        path = self.table.path_at(index.row(), index.column())
        shown = _shown(self.table.session.state(path))
        if isinstance(editor, QComboBox):
            options = [
                str(code)
                for code, _ in choice_options(
                    self.table.session.study, self.table.columns[index.column()], self.table.lang
                )
            ]
            text = edit_text(shown)
            editor.setCurrentIndex(options.index(text) + 1 if text in options else 0)
        elif isinstance(editor, PartialDateEdit):
            editor.set_value(shown)
        elif isinstance(editor, QLineEdit):
            editor.setText(edit_text(shown))

    def setModelData(
        self,
        editor: QWidget,
        model: QAbstractItemModel,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Answer the session (through the view) when the entry differs from what is held."""
        path = self.table.path_at(index.row(), index.column())
        column = self.table.columns[index.column()]
        state = self.table.session.state(path)
        shown = _shown(state)
        raw: object
        if isinstance(editor, QComboBox):
            codes = [
                code
                for code, _ in choice_options(self.table.session.study, column, self.table.lang)
            ]
            position = editor.currentIndex()
            raw = codes[position - 1] if position > 0 else None
            if edit_text(raw) == edit_text(shown) and not isinstance(shown, Missing):
                return
        elif isinstance(editor, PartialDateEdit):
            if not editor.is_changed():
                return
            editor.mark_reported()
            raw = editor.value()
        elif isinstance(editor, QLineEdit):
            text = editor.text()
            if text == edit_text(shown):
                return
            normalise = NORMALISERS.get(column.type)
            raw = normalise(text) if normalise else text
            if column.type is ItemType.LOOKUP:
                texts = lookup_texts(self.table.session.study, column, self.table.lang)
                raw = texts.get(text, text.strip())
        else:
            return
        self.table.answerRequested.emit(path, raw)


class _Grid(QTableWidget):
    """The table proper: keyboard behaviour of a data-entry grid."""

    def __init__(self, table: GroupTable) -> None:
        super().__init__(0, len(table.columns))
        self.table = table

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter edits; Ctrl+Insert / Ctrl+Shift+N add, Ctrl+Delete removes; Delete clears."""
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        if (ctrl and key == Qt.Key.Key_Insert) or (ctrl and shift and key == Qt.Key.Key_N):
            self.table.request_add()
            return
        if ctrl and key == Qt.Key.Key_Delete:
            self.table.request_remove()
            return
        editing = self.state() == QAbstractItemView.State.EditingState
        if not editing and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            index = self.currentIndex()
            if index.isValid() and index.flags() & Qt.ItemFlag.ItemIsEditable:
                self.edit(index)
            return
        if not editing and not mods and key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.table.clear_current()
            return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, forward: bool) -> bool:
        """Tab moves between cells, and leaves the table after the last (before the first)."""
        if self.state() != QAbstractItemView.State.EditingState:
            rows, cols = self.rowCount(), self.columnCount()
            row, col = self.currentRow(), self.currentColumn()
            at_end = rows == 0 or row < 0 or col < 0
            if forward:
                at_end = at_end or (row == rows - 1 and col == cols - 1)
            else:
                at_end = at_end or (row == 0 and col == 0)
            if at_end:
                return QWidget.focusNextPrevChild(self, forward)
        return super().focusNextPrevChild(forward)

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Entering with Tab starts at the first cell; with Shift+Tab at the last one."""
        if self.rowCount() and self.columnCount():
            if event.reason() == Qt.FocusReason.TabFocusReason:
                self.setCurrentCell(0, 0)
            elif event.reason() == Qt.FocusReason.BacktabFocusReason:
                self.setCurrentCell(self.rowCount() - 1, self.columnCount() - 1)
        super().focusInEvent(event)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        """Tab in the editor of the last cell leaves the table instead of wrapping round."""
        row, col = self.currentRow(), self.currentColumn()
        last = row == self.rowCount() - 1 and col == self.columnCount() - 1
        first = row == 0 and col == 0
        leave = (hint == QAbstractItemDelegate.EndEditHint.EditNextItem and last) or (
            hint == QAbstractItemDelegate.EndEditHint.EditPreviousItem and first
        )
        if leave:
            super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            QWidget.focusNextPrevChild(self, hint == QAbstractItemDelegate.EndEditHint.EditNextItem)
            return
        super().closeEditor(editor, hint)


class GroupTable(QWidget):
    """A group's rows: the table, its buttons and the list of the cells' problems."""

    answerRequested = Signal(object, object)  # ItemPath, entry
    missingRequested = Signal(object, str)  # ItemPath, code
    overrideRequested = Signal(object)  # ItemPath
    addRowRequested = Signal()
    removeRowRequested = Signal(int)  # row number from 1, confirmed

    def __init__(
        self,
        session: FormSession,
        group: Item,
        lang: str,
        *,
        read_only: bool = False,
        confirm_remove: object = None,
        parent: QWidget | None = None,
    ) -> None:
        """``confirm_remove(row) -> bool`` asks before a row is removed (default: always yes)."""
        super().__init__(parent)
        self.session, self.group, self.lang = session, group, lang
        self.columns = list(group.items)
        self.read_only = read_only
        self.highlight_required = False
        self._confirm = confirm_remove
        self.grid = _Grid(self)
        self.grid.setObjectName(f"table_{group.oid}")
        self.grid.setItemDelegate(_CellDelegate(self))
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.grid.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.grid.setWordWrap(False)  # one line per cell (the tooltip has it all): cheap to paint
        # as tall as its rows, never stretched: the form scrolls, not the table
        self.grid.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.grid.setEditTriggers(
            QAbstractItemView.EditTrigger.NoEditTriggers
            if read_only
            else QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.grid.setHorizontalHeaderLabels([self._header(c) for c in self.columns])
        header = self.grid.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        metrics = self.grid.fontMetrics()
        for n, column in enumerate(self.columns):
            texts = self._header(column).split("\n") + self._typical_values(column)
            width = max(metrics.horizontalAdvance(text) for text in texts) + 24
            self.grid.setColumnWidth(n, max(90, min(width, 260)))
            tip = [column.label.get("zh" if lang != "zh" else "en")]
            if column.help is not None:
                tip.append(column.help.get(lang))
            header_item = self.grid.horizontalHeaderItem(n)
            if header_item is not None:
                header_item.setToolTip("\n".join(tip))
        self.grid.currentCellChanged.connect(lambda *_: self._update_buttons())
        self.add = QPushButton(self.tr("Add row"))
        self.add.setObjectName(f"add_{group.oid}")
        self.add.setToolTip(self.tr("Add a row (Ctrl+Insert or Ctrl+Shift+N)"))
        self.add.clicked.connect(self.request_add)
        self.remove = QPushButton(self.tr("Remove row"))
        self.remove.setObjectName(f"remove_{group.oid}")
        self.remove.setToolTip(self.tr("Remove the current row (Ctrl+Delete)"))
        self.remove.clicked.connect(self.request_remove)
        self.missing = QToolButton()
        self.missing.setText(self.tr("Missing code"))
        self.missing.setObjectName(f"missing_{group.oid}")
        self.missing.setToolTip(self.tr("Missing-data code for the current cell (Ctrl+M)"))
        self.missing.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.missing.setStyleSheet("QToolButton { padding-right: 14px; }")  # room for the arrow
        missing_menu = QMenu(self.missing)
        missing_menu.aboutToShow.connect(self._fill_missing_menu)
        self.missing.setMenu(missing_menu)
        self.override = QPushButton(self.tr("Override…"))
        self.override.setObjectName(f"override_{group.oid}")
        self.override.setToolTip(self.tr("Keep the current cell's value and give the reason"))
        self.override.clicked.connect(self.request_override)
        for button in (self.add, self.remove, self.missing, self.override):
            button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.add, self.remove, self.missing, self.override):
            buttons.addWidget(button)
        buttons.addStretch()
        self.problems = QLabel()
        self.problems.setObjectName(f"problems_{group.oid}")
        self.problems.setWordWrap(True)
        self.problems.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        if not read_only:
            layout.addLayout(buttons)
        else:
            for button in (self.add, self.remove, self.missing, self.override):
                button.hide()
        layout.addWidget(self.grid)
        layout.addWidget(self.problems)
        self._states: dict[tuple[int, int], ItemState] = {}
        self.sync()

    # -- structure ----------------------------------------------------------------------------

    def _header(self, column: Item) -> str:
        """The column's label (unit, required mark) on as many lines as it needs."""
        text = column.label.get(self.lang)
        if column.unit is not None:
            text += f" ({column.unit.get(self.lang)})"
        if column.required:
            text += " *"
        if self.lang == "zh":
            return "\n".join(
                text[n : n + HEADER_CHARS_ZH] for n in range(0, len(text), HEADER_CHARS_ZH)
            )
        return "\n".join(textwrap.wrap(text, HEADER_CHARS) or [text])

    def _typical_values(self, column: Item) -> list[str]:
        """Texts a column's cells hold at their widest (for its width)."""
        if column.type in _CHOICES:
            return [label for _code, label in choice_options(self.session.study, column, self.lang)]
        return {
            ItemType.PARTIAL_DATE: ["0000-UNK-UNK"],
            ItemType.DATE: ["0000-00-00"],
            ItemType.DATETIME: ["0000-00-00 00:00"],
        }.get(column.type, [])

    def path_at(self, row: int, col: int) -> ItemPath:
        """The item path of a cell (rows and columns from 0)."""
        return ItemPath(self.columns[col].oid, self.group.oid, row + 1)

    def current_path(self) -> ItemPath | None:
        """The path of the current cell, or None."""
        row, col = self.grid.currentRow(), self.grid.currentColumn()
        if row < 0 or col < 0 or row >= self.grid.rowCount():
            return None
        return self.path_at(row, col)

    def focus_cell(self, path: ItemPath) -> bool:
        """Make ``path`` the current cell and give the table the focus."""
        if path.group != self.group.oid or path.row is None:
            return False
        col = next((n for n, c in enumerate(self.columns) if c.oid == path.item), None)
        if col is None or not 1 <= path.row <= self.grid.rowCount():
            return False
        self.grid.setCurrentCell(path.row - 1, col)
        self.grid.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    # -- showing the session ------------------------------------------------------------------

    def sync(self) -> None:
        """Show every row and cell (after rows were added or removed)."""
        rows = self.session.row_count(self.group.oid)
        self.grid.blockSignals(True)
        self.grid.setRowCount(rows)
        self._states = {k: v for k, v in self._states.items() if k[0] < rows}
        for row in range(rows):
            for col in range(len(self.columns)):
                self._show_cell(row, col, force=True)
        self.grid.blockSignals(False)
        self._fit_height()
        self._update_problems()
        self._update_buttons()

    def update_cells(self, paths: list[ItemPath]) -> None:
        """Show the session's state of the given cells of this group."""
        if self.session.row_count(self.group.oid) != self.grid.rowCount():
            self.sync()
            return
        columns = {c.oid: n for n, c in enumerate(self.columns)}
        touched = False
        for path in paths:
            col = columns.get(path.item)
            if path.group != self.group.oid or path.row is None or col is None:
                continue
            touched = self._show_cell(path.row - 1, col) or touched
        if touched:
            self._update_problems()
            self._update_buttons()

    def set_highlight_required(self, on: bool) -> None:
        """Highlight required-but-empty cells (after a refused "mark complete")."""
        if on != self.highlight_required:
            self.highlight_required = on
            self.sync()

    def _show_cell(self, row: int, col: int, *, force: bool = False) -> bool:
        path = self.path_at(row, col)
        state = self.session.state(path)
        if not force and self._states.get((row, col)) == state:
            return False
        self._states[(row, col)] = state
        column = self.columns[col]
        cell = self.grid.item(row, col)
        if cell is None:
            cell = QTableWidgetItem()
            self.grid.setItem(row, col, cell)
        relevant = state.status is not Status.NOT_RELEVANT
        text = (
            display_text(self.session.study, column, _shown(state), self.lang) if relevant else ""
        )
        if relevant and isinstance(state.value, Missing):
            text = state.value.code
        cell.setText(text)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if relevant and column.takes_input and not self.read_only:
            flags |= Qt.ItemFlag.ItemIsEditable
        cell.setFlags(flags)
        kind = status_kind(state, self.highlight_required) if relevant else None
        if not relevant:
            cell.setBackground(QBrush(_GREY))
            cell.setForeground(QBrush(QColor("#9e9e9e")))
            cell.setToolTip(self.tr("Not applicable in this row"))
            return True
        if kind is not None and kind != "required":
            color, background = COLORS[kind]
            cell.setBackground(QBrush(QColor(background)) if background else QBrush())
            cell.setForeground(QBrush(QColor(color)))
        else:
            cell.setBackground(QBrush())
            cell.setForeground(QBrush())
        if not column.takes_input:
            cell.setBackground(QBrush(QColor("#f5f5f5")))
        message = state.message.get(self.lang) if state.message is not None else ""
        if kind == "kept":
            message = self.tr("{message} — kept: {reason}").format(
                message=message, reason=state.override_reason
            )
        elif kind == "missing" and isinstance(state.value, Missing):
            message = missing_text(self.session.study, state.value.code, self.lang)
        cell.setToolTip(message)
        return True

    def _fit_height(self) -> None:
        grid = self.grid
        height = grid.horizontalHeader().sizeHint().height() + 2 * grid.frameWidth()
        rows = grid.rowCount()
        height += (
            sum(grid.rowHeight(r) for r in range(rows))
            if rows
            else grid.verticalHeader().defaultSectionSize()
        )
        if grid.horizontalScrollBar().isVisible() or sum(
            grid.columnWidth(c) for c in range(grid.columnCount())
        ) > max(grid.viewport().width(), 400):
            height += grid.horizontalScrollBar().sizeHint().height()
        grid.setFixedHeight(height)

    def problem_lines(self) -> list[tuple[ItemPath, str, str]]:
        """(path, colour key, text) of each cell that needs attention, in row order."""
        lines: list[tuple[ItemPath, str, str]] = []
        for (row, col), state in sorted(self._states.items()):
            if state.status is Status.NOT_RELEVANT:
                continue
            kind = status_kind(state, self.highlight_required)
            if kind not in ("hard", "soft", "kept", "required_shown"):
                continue
            message = state.message.get(self.lang) if state.message is not None else ""
            if kind == "kept":
                message = self.tr("{message} — kept: {reason}").format(
                    message=message, reason=state.override_reason
                )
            text = self.tr("Row {row} · {column}: {message}").format(
                row=row + 1, column=self.columns[col].label.get(self.lang), message=message
            )
            lines.append((self.path_at(row, col), kind, text))
        return lines

    def _update_problems(self) -> None:
        lines = self.problem_lines()
        self.problems.setVisible(bool(lines))
        self.problems.setText(
            "<br>".join(
                f'<span style="color:{COLORS[kind][0]}">{escape(text)}</span>'
                for _path, kind, text in lines
            )
        )

    def _update_buttons(self) -> None:
        rows = self.session.row_count(self.group.oid)
        limit = self.group.max_rows
        self.add.setEnabled(not self.read_only and (limit is None or rows < limit))
        row = self.grid.currentRow()
        self.remove.setEnabled(
            not self.read_only and 0 <= row < rows and rows > (self.group.min_rows or 0)
        )
        path = self.current_path()
        state = self.session.state(path) if path is not None else None
        column = self.session.form.item(path.item) if path is not None else None
        editable = (
            not self.read_only
            and state is not None
            and state.status is not Status.NOT_RELEVANT
            and column is not None
            and column.takes_input
        )
        self.missing.setEnabled(
            bool(editable and column and self.session.study.missing_codes_for(column))
        )
        self.override.setEnabled(bool(editable and state and state.status is Status.SOFT_WARNING))

    # -- requests -------------------------------------------------------------------------------

    def request_add(self) -> None:
        """Ask for a new row (refused quietly at the group's maximum)."""
        if self.read_only or not self.add.isEnabled():
            return
        self.addRowRequested.emit()

    def request_remove(self) -> None:
        """Ask to remove the current row, after a confirmation."""
        row = self.grid.currentRow()
        if self.read_only or not self.remove.isEnabled() or row < 0:
            return
        confirm = self._confirm
        if callable(confirm) and not confirm(row + 1):
            return
        self.removeRowRequested.emit(row + 1)

    def request_override(self) -> None:
        """Ask to keep the current cell's value despite its warning."""
        path = self.current_path()
        if path is not None and self.override.isEnabled():
            self.overrideRequested.emit(path)

    def clear_current(self) -> None:
        """Clear the current cell's answer."""
        path = self.current_path()
        if path is None or self.read_only:
            return
        index = self.grid.currentIndex()
        if not index.flags() & Qt.ItemFlag.ItemIsEditable:
            return
        if (
            self.session.state(path).value is not None
            or self.session.state(path).rejected_input is not None
        ):
            self.answerRequested.emit(path, None)

    def open_missing_menu(self) -> None:
        """Pop up the missing-data codes for the current cell (keyboard: Ctrl+M)."""
        if self.missing.isEnabled():
            self.missing.showMenu()

    def _fill_missing_menu(self) -> None:
        menu = self.missing.menu()
        menu.clear()
        path = self.current_path()
        column = self.session.form.item(path.item) if path is not None else None
        if path is None or column is None:
            return
        for code in self.session.study.missing_codes_for(column):
            action = menu.addAction(missing_text(self.session.study, code, self.lang))
            action.triggered.connect(
                lambda _=False, p=path, c=code: self.missingRequested.emit(p, c)
            )
