"""A form drawn from its definition and driven by a :class:`FormSession`.

Every entry goes through the session (:meth:`FormView.answer`); the view only
shows what the session says — statuses, messages, calculated values and
relevance — and only for the items an answer changed
(``AnswerResult.changed``), so a commit costs a few milliseconds even on the
largest form.

Keyboard (no mouse needed):

* Tab / Shift+Tab move between inputs; Enter commits and moves to the next
  visible input (in a long text Enter is a new line and Tab leaves);
* radio buttons: arrow keys, or type the code or the first letters of the
  choice; Delete clears; check boxes: Space;
* Ctrl+M opens the missing-data codes of the current item (or table cell);
* F4 on a CTCAE term opens the term picker (:mod:`npc_crf.ui.ctcae_picker`);
* Ctrl+Shift+O keeps a value with a warning and asks for the reason;
* on the form page (:mod:`npc_crf.ui.form_monitoring`): Ctrl+Shift+Q raises a
  query (or writes a note) about the current item, F3 opens its queries,
  Ctrl+Shift+V verifies it (monitors); the item's context menu has the same;
* repeating groups: see :mod:`npc_crf.ui.widgets.group_table`.

Items that skip logic hides disappear as you type (columns of a group are
greyed in the rows where they do not apply). Required-but-empty items are
quiet until :meth:`FormView.set_highlight_required` (after a refused "mark
complete").
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPalette, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.model import Item, ItemType, Section
from npc_crf.forms.session import AnswerResult, FormSession, ItemPath, ItemState, Status
from npc_crf.ui import dialogs
from npc_crf.ui.ctcae_assist import CtcaeAssist
from npc_crf.ui.widgets.editors import ItemEditor, make_editor
from npc_crf.ui.widgets.group_table import GroupTable
from npc_crf.ui.widgets.look import muted, set_colors, set_font
from npc_crf.ui.widgets.missing_button import MissingButton
from npc_crf.ui.widgets.status import ItemStatus

#: the width of the label column, in average characters
LABEL_CHARS = 34
#: the narrowest the label column gets (pixels)
LABEL_MIN = 150


def _shown(state: ItemState) -> object:
    """What an editor shows: the refused entry when there is one, else the value."""
    if state.status is Status.HARD_ERROR and state.rejected_input is not None:
        return state.rejected_input
    return state.value


class ItemRow(QWidget):
    """One item: its label, help and required mark; editor, unit, missing button, status."""

    def __init__(self, view: FormView, item: Item, label_width: int) -> None:
        super().__init__()
        self.view, self.item = view, item
        self.path = ItemPath(item.oid)
        study, lang = view.session.study, view.lang
        self.editor: ItemEditor | None = None
        self.label_holder: QWidget | None = None  # the label column (not for groups, notes)
        self.missing: MissingButton | None = None
        self.table: GroupTable | None = None
        self.line: QHBoxLayout | None = None  # the editor's line (items with an editor)
        self.right: QVBoxLayout | None = None  # the editor's line over the status line
        self._aside: QHBoxLayout | None = None  # a group's line of marks (add_beside)
        self.status = ItemStatus(study, lang)
        self.status.message.setObjectName(f"status_{item.oid}")
        self.status.overrideRequested.connect(lambda: view.request_override(self.path))
        self._required_shown = item.required
        self.label = QLabel(self._label_html())
        self.label.setObjectName(f"label_{item.oid}")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        other = item.label.get("en" if lang == "zh" else "zh")
        self.label.setToolTip(other + (f"\n{item.help.get(lang)}" if item.help else ""))
        help_label = None
        if item.help is not None:
            help_label = QLabel(item.help.get(lang))
            help_label.setObjectName("help")
            help_label.setWordWrap(True)
            muted(help_label)
        if item.type is ItemType.NOTE:
            set_font(self.label, italic=True)
            box = QVBoxLayout(self)
            box.setContentsMargins(0, 2, 0, 2)
            box.addWidget(self.label)
            if help_label is not None:
                box.addWidget(help_label)
            return
        if item.is_group:
            self.table = GroupTable(
                view.session,
                item,
                lang,
                read_only=view.read_only,
                confirm_remove=view.confirm_remove_row,
            )
            self.table.answerRequested.connect(view.answer)
            self.table.missingRequested.connect(view.set_missing)
            self.table.overrideRequested.connect(view.request_override)
            self.table.addRowRequested.connect(lambda: view.add_row(item.oid))
            self.table.removeRowRequested.connect(lambda row: view.remove_row(item.oid, row))
            self.table.grid.setProperty("crfInput", True)
            set_font(self.label, bold=True)
            box = QVBoxLayout(self)
            box.setContentsMargins(0, 4, 0, 4)
            box.setSpacing(3)
            section = view.session.form.section_of(item.oid)
            same = section is not None and section.title.get(lang) == item.label.get(lang)
            box.addWidget(self.label)
            if same:
                self.label.hide()  # the section's title already says it
            if help_label is not None:
                box.addWidget(help_label)
            box.addWidget(self.table)
            box.addWidget(self.status)
            return
        self.editor = view.editor_for(item)
        self.editor.committed.connect(lambda raw: view.answer(self.path, raw))
        codes = study.missing_codes_for(item) if item.takes_input else ()
        if codes and not view.read_only:
            self.missing = MissingButton(study, codes, lang)
            self.missing.setObjectName(f"missing_{item.oid}")
            self.missing.codeChosen.connect(lambda code: view.set_missing(self.path, code))
            self.missing.clearRequested.connect(lambda: view.answer(self.path, None))
        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(1)
        left.addWidget(self.label)
        if help_label is not None:
            left.addWidget(help_label)
        holder = QWidget()
        holder.setFixedWidth(label_width)
        holder.setLayout(left)
        self.label_holder = holder
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.editor, 1 if self.editor.expanding else 0)
        if self.missing is not None:
            line.addWidget(self.missing, 0, Qt.AlignmentFlag.AlignVCenter)
        self.line = line
        if not self.editor.expanding:
            line.addStretch(1)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(2)
        right.addLayout(line)
        right.addWidget(self.status)
        self.right = right
        box2 = QHBoxLayout(self)
        box2.setContentsMargins(0, 3, 0, 3)
        box2.setSpacing(12)
        box2.addWidget(holder, 0, Qt.AlignmentFlag.AlignTop)
        box2.addLayout(right, 1)

    def add_beside(self, widget: QWidget, *, right: bool = False) -> None:
        """Show a small mark (a query marker, an SDV box) on the editor's line, after the
        editor and its missing-data button, or with ``right`` at the line's right end; for
        a group, on a line of its own above the table."""
        line = self.line
        if line is None and self.table is not None:
            box = self.layout()
            if self._aside is None and isinstance(box, QVBoxLayout):
                self._aside = QHBoxLayout()
                self._aside.setContentsMargins(0, 0, 0, 0)
                self._aside.setSpacing(8)
                self._aside.addStretch(1)
                box.insertLayout(box.indexOf(self.table), self._aside)
            line = self._aside
        if line is None:
            return
        if right:
            line.addWidget(widget, 0, Qt.AlignmentFlag.AlignVCenter)
            return
        at = next(
            (n for n in range(line.count()) if (i := line.itemAt(n)) and i.spacerItem()),
            line.count(),
        )  # before the stretch that keeps a short editor short
        line.insertWidget(at, widget, 0, Qt.AlignmentFlag.AlignVCenter)

    def add_below(self, widget: QWidget) -> None:
        """Show ``widget`` on its own line under the editor, above the status message: it
        has the row's whole width, so it wraps only when it is really long."""
        if self.right is None:
            return
        self.right.insertWidget(1, widget)

    def _label_html(self, required: bool | None = None) -> str:
        text = escape(self.item.label.get(self.view.lang))
        if required is None:
            required = self.item.required
        if required and self.item.takes_input:
            text += ' <span style="color:#c62828; font-weight:bold">*</span>'
        return text

    def show_state(self, state: ItemState) -> None:
        """Show the session's state of this item."""
        visible = state.status is not Status.NOT_RELEVANT
        if self.isHidden() == visible:
            self.setVisible(visible)
        if self.editor is not None:
            self.editor.show_value(_shown(state))
            # conditionally required: marked once the condition holds, while answered too
            required = (
                self.item.required
                or state.status is Status.REQUIRED_EMPTY
                or (self._required_shown and visible and state.value is not None)
            )
            if required != self._required_shown:
                self._required_shown = required
                self.label.setText(self._label_html(required))
        if self.missing is not None:
            self.missing.show_code(state.value.code if isinstance(state.value, Missing) else None)
        local = (
            self.editor.local_problem()
            if self.editor is not None and state.status is Status.HARD_ERROR
            else None
        )
        self.status.show_state(
            state,
            highlight_required=self.view.highlight_required,
            local_problem=local,
            read_only=self.view.read_only,
        )


class FormView(QScrollArea):
    """A whole form: sections, items, repeating groups as tables, statuses beside items."""

    changed = Signal()

    def __init__(
        self,
        session: FormSession,
        lang: str = "en",
        *,
        read_only: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.lang, self.read_only = session, lang, read_only
        self.highlight_required = False
        self.setWidgetResizable(True)
        self.setObjectName("form_view")
        self.rows: dict[ItemPath, ItemRow] = {}
        self.editors: dict[ItemPath, ItemEditor] = {}
        self.tables: dict[str, GroupTable] = {}
        self._owner: dict[QWidget, ItemRow] = {}
        self._sections: list[tuple[QFrame, list[ItemRow]]] = []
        self._shown_states: dict[ItemPath, ItemState] = {}
        self._last_path: ItemPath | None = None
        self.ctcae = CtcaeAssist(session, lang)
        app = QApplication.instance()
        if isinstance(app, QApplication):  # a bound method: dropped with the view
            app.focusChanged.connect(self._focus_moved)
        body = QWidget()
        body.setObjectName("form_body")
        layout = QVBoxLayout(body)
        layout.setSpacing(10)
        title = QLabel(escape(session.form.title.get(lang)))
        title.setObjectName("form_title")
        set_font(title, bold=True, scale=1.4)
        title.setWordWrap(True)
        layout.addWidget(title)
        if session.form.help is not None:
            help_label = QLabel(session.form.help.get(lang))
            help_label.setObjectName("help")
            help_label.setWordWrap(True)
            muted(help_label)
            layout.addWidget(help_label)
        label_width = self.fontMetrics().averageCharWidth() * LABEL_CHARS
        self._label_width = label_width  # the widest labels may be; narrower in a narrow view
        for section in session.form.sections:
            layout.addWidget(self._section(section, label_width))
        layout.addStretch()
        self.setWidget(body)
        for row in self.rows.values():
            for widget in self._inputs_of(row):
                self._owner[widget] = row
                widget.installEventFilter(self)
        self.ctcae.attach(self)
        self.refresh_all(tables=False)  # each table has just drawn itself
        for sequence, slot in (
            ("Ctrl+M", self.open_missing_menu),
            ("Ctrl+Shift+O", self.override_current),
        ):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # -- building ------------------------------------------------------------------------------

    def editor_for(self, item: Item) -> ItemEditor:
        """A new editor for ``item`` (the AE grade's shows the CTCAE term's grade texts)."""
        return self.ctcae.editor_for(item) or make_editor(self.session.study, item, self.lang)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Narrow the label column in a narrow view (a small screen, the eligibility panel
        beside it), so that answers stay in sight without scrolling sideways."""
        super().resizeEvent(event)
        width = max(LABEL_MIN, min(self._label_width, int(self.viewport().width() * 0.42)))
        for row in self.rows.values():
            holder = row.label_holder
            if holder is not None and holder.width() != width:
                holder.setFixedWidth(width)

    def _section(self, section: Section, label_width: int) -> QFrame:
        frame = QFrame()
        frame.setObjectName("section")
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        frame.setBackgroundRole(QPalette.ColorRole.Base)
        frame.setAutoFillBackground(True)
        box = QVBoxLayout(frame)
        box.setContentsMargins(12, 8, 12, 8)
        box.setSpacing(2)
        heading = QLabel(escape(section.title.get(self.lang)))
        heading.setObjectName("section_title")
        set_font(heading, bold=True, scale=1.15)
        set_colors(heading, "#1f3a5f")
        heading.setToolTip(section.title.get("en" if self.lang == "zh" else "zh"))
        box.addWidget(heading)
        if section.help is not None:
            help_label = QLabel(section.help.get(self.lang))
            help_label.setObjectName("help")
            help_label.setWordWrap(True)
            muted(help_label)
            box.addWidget(help_label)
        members: list[ItemRow] = []
        for item in section.items:
            row = ItemRow(self, item, label_width)
            row.setObjectName(f"row_{item.oid}")
            self.rows[row.path] = row
            if row.editor is not None:
                self.editors[row.path] = row.editor
                if self.read_only:
                    row.editor.set_read_only(True)
            if row.table is not None:
                self.tables[item.oid] = row.table
            box.addWidget(row)
            members.append(row)
        self._sections.append((frame, members))
        return frame

    @staticmethod
    def _inputs_of(row: ItemRow) -> list[QWidget]:
        if row.editor is not None:
            return row.editor.inputs()
        if row.table is not None:
            return [row.table.grid]
        return []

    # -- changing the session -------------------------------------------------------------------

    def answer(self, path: ItemPath, value: object) -> AnswerResult:
        """Pass an entry to the session and show what changed."""
        result = self.session.answer(path, value)
        self.refresh([path, *result.changed])
        self.changed.emit()
        return result

    def set_missing(self, path: ItemPath, code: str) -> AnswerResult:
        """Answer with a missing-data code."""
        return self.answer(path, Missing(code))

    def request_override(self, path: ItemPath) -> bool:
        """Ask for the reason to keep a value with a warning; True when it was kept."""
        if self.read_only:
            return False
        state = self.session.state(path)
        if state.status is not Status.SOFT_WARNING:
            return False
        item = self.session.form.item(path.item)
        label = item.label.get(self.lang) if item is not None else str(path)
        message = state.message.get(self.lang) if state.message is not None else ""
        reason = dialogs.ask_reason(
            self,
            self.tr("Keep a value outside the expected range"),
            self.tr(
                "{item}: {message}\n\nWhy is this value right? The reason is recorded and the monitor will see a query."
            ).format(item=label, message=message),
            dialogs.override_reasons(),
            initial=state.override_reason or "",
        )
        if not reason:
            return False
        self.override(path, reason)
        return True

    def override(self, path: ItemPath, reason: str) -> ItemState:
        """Keep a value with a warning for ``reason``."""
        state = self.session.override(path, reason)
        self.refresh([path])
        self.changed.emit()
        return state

    def add_row(self, group: str) -> int:
        """Add a row to a group; the new row's first cell becomes current."""
        row = self.session.add_row(group)
        self.refresh_all()
        self.changed.emit()
        table = self.tables[group]
        table.grid.setCurrentCell(row - 1, 0)
        table.grid.setFocus(Qt.FocusReason.OtherFocusReason)
        return row

    def remove_row(self, group: str, row: int) -> None:
        """Remove row ``row`` (from 1) of a group."""
        self.session.remove_row(group, row)
        self.refresh_all()
        self.changed.emit()
        grid = self.tables[group].grid
        if grid.rowCount():
            grid.setCurrentCell(min(row, grid.rowCount()) - 1, max(grid.currentColumn(), 0))

    def confirm_remove_row(self, row: int) -> bool:
        """Ask before a row is removed."""
        return dialogs.confirm(
            self,
            self.tr("Remove row"),
            self.tr("Remove row {row}? Its values are kept in the audit trail.").format(row=row),
        )

    # -- showing the session --------------------------------------------------------------------

    def refresh(self, paths: list[ItemPath]) -> None:
        """Show the session's state of ``paths`` (items and group cells)."""
        cells: dict[str, list[ItemPath]] = {}
        for path in paths:
            if path.group is not None:
                cells.setdefault(path.group, []).append(path)
                continue
            row = self.rows.get(path)
            if row is None:
                continue
            state = self.session.state(path)
            if self._shown_states.get(path) != state:
                self._shown_states[path] = state
                row.show_state(state)
        for group, group_paths in cells.items():
            table = self.tables.get(group)
            if table is not None:
                table.update_cells(group_paths)
        self.ctcae.refresh(paths)
        self.update_sections()

    def refresh_all(self, *, tables: bool = True) -> None:
        """Show every item's state (after rows were added or removed)."""
        for path, row in self.rows.items():
            state = self.session.state(path)
            if self._shown_states.get(path) != state:
                self._shown_states[path] = state
                row.show_state(state)
        if tables:
            for table in self.tables.values():
                table.sync()
        self.ctcae.refresh()
        self.update_sections()

    def update_sections(self) -> None:
        """Hide sections none of whose items is shown (skip logic, a filter)."""
        for frame, members in self._sections:
            shown = any(not row.isHidden() for row in members)
            if frame.isHidden() == shown:
                frame.setVisible(shown)

    def set_highlight_required(self, on: bool) -> None:
        """Highlight required items that are empty (after a refused "mark complete")."""
        if on == self.highlight_required:
            return
        self.highlight_required = on
        self._shown_states.clear()
        for table in self.tables.values():
            table.set_highlight_required(on)
        self.refresh_all()

    # -- focus -----------------------------------------------------------------------------------

    def focused_path(self) -> ItemPath | None:
        """The item (or group cell) that has the keyboard focus, or None."""
        return self._path_of(QApplication.focusWidget())

    def current_path(self) -> ItemPath | None:
        """The focused item, or the one that had the focus last (a button took it since)."""
        return self.focused_path() or self._last_path

    def _focus_moved(self, _old: QWidget | None, now: QWidget | None) -> None:
        path = self._path_of(now)
        if path is not None:
            self._last_path = path

    def _path_of(self, widget: QWidget | None) -> ItemPath | None:
        while widget is not None and widget is not self:
            row = self._owner.get(widget)
            if row is not None:
                if row.table is not None:
                    return row.table.current_path() or row.path
                return row.path
            widget = widget.parentWidget()
        return None

    def focus_path(self, path: ItemPath) -> bool:
        """Give the focus to an item's input (or a group cell); False when hidden or unknown."""
        if path.group is not None:
            table = self.tables.get(path.group)
            if table is None or table.isHidden() or not table.focus_cell(path):
                return False
            self.ensureWidgetVisible(table.grid)
            return True
        row = self.rows.get(path)
        if row is None or row.isHidden():
            return False
        target: QWidget | None = None
        if row.editor is not None:
            target = row.editor.focus_target()
        elif row.table is not None:
            target = row.table.grid
        if target is None or not target.isEnabled():
            return False
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        self.ensureWidgetVisible(target)
        return True

    def problems(self) -> list[tuple[ItemPath, ItemState]]:
        """Items that stop the form being complete, in form order: required but empty,
        refused, and warnings without a reason."""
        return [
            (path, state)
            for path, state in self.session.problems().items()
            if not (state.status is Status.SOFT_WARNING and state.override_reason)
        ]

    def focus_first_problem(self) -> ItemPath | None:
        """Focus the first item that stops the form being complete; its path, or None."""
        for path, _state in self.problems():
            if self.focus_path(path):
                return path
        return None

    def focus_first_input(self) -> bool:
        """Focus the first visible input of the form."""
        return any(not row.isHidden() and self.focus_path(row.path) for row in self.rows.values())

    def describe(self, path: ItemPath) -> str:
        """``Label`` or ``Group, row 2: Label`` for messages."""
        item = self.session.form.item(path.item)
        label = item.label.get(self.lang) if item is not None else path.item
        if path.group is not None:
            group = self.session.form.item(path.group)
            name = group.label.get(self.lang) if group is not None else path.group
            return self.tr("{group}, row {row}: {item}").format(
                group=name, row=path.row, item=label
            )
        return label

    def commit_pending(self) -> None:
        """Commit what is typed in the focused input but not yet committed (before a save)."""
        for table in self.tables.values():
            grid = table.grid
            if grid.state() == QAbstractItemView.State.EditingState:
                editor = grid.indexWidget(grid.currentIndex())
                if editor is not None:
                    grid.commitData(editor)
        widget = QApplication.focusWidget()
        while widget is not None and widget is not self:
            row = self._owner.get(widget)
            if row is not None and row.editor is not None:
                row.editor.commit_pending()
                return
            widget = widget.parentWidget()

    def open_missing_menu(self) -> None:
        """Ctrl+M: the missing-data codes of the focused item or cell."""
        path = self.focused_path()
        if path is None or self.read_only:
            return
        before = QApplication.focusWidget()
        if path.group is not None:
            self.tables[path.group].open_missing_menu()
        else:
            row = self.rows.get(path)
            if row is None or row.missing is None:
                return
            row.missing.open_menu()
        if before is not None and before.isVisible():  # the keyboard stays with the item
            before.activateWindow()
            before.setFocus(Qt.FocusReason.PopupFocusReason)

    def override_current(self) -> None:
        """Ctrl+Shift+O: keep the focused item's value despite its warning."""
        path = self.focused_path()
        if path is not None:
            self.request_override(path)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in an input commits and moves to the next visible input."""
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            and isinstance(watched, QWidget)
        ):
            if isinstance(watched, QPlainTextEdit):
                return False
            if isinstance(watched, QComboBox) and watched.view().isVisible():
                return False
            if any(watched is t.grid for t in self.tables.values()):
                return False
            row = self._owner.get(watched)
            if row is not None and row.editor is not None and row.editor.inputs()[-1] is watched:
                row.editor.commit_pending()
            self.focus_next_input(watched)
            return True
        return False

    def focus_next_input(self, current: QWidget) -> bool:
        """Move the focus to the next visible input after ``current``."""
        owner = self._owner.get(current)
        body = self.widget()
        if body is None:
            return False
        widget = current.nextInFocusChain()
        while widget is not None and widget is not current:
            if (
                widget.property("crfInput")
                and body.isAncestorOf(widget)
                and widget.isVisible()
                and widget.isEnabled()
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            ):
                row = self._owner.get(widget)
                same = (
                    row is owner
                    and row is not None
                    and row.editor is not None
                    and row.editor.grouped
                )
                if not same:
                    target = (
                        row.editor.focus_target()
                        if row is not None and row.editor is not None and row.editor.grouped
                        else widget
                    ) or widget
                    target.setFocus(Qt.FocusReason.TabFocusReason)
                    self.ensureWidgetVisible(target)
                    return True
            widget = widget.nextInFocusChain()
        return False
