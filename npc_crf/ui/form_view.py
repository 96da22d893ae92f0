"""A form drawn from its definition and driven by a FormSession.

One editor class per item type, chosen from a table (:data:`EDITORS`). Every
edit goes through :meth:`FormSession.answer`; the view only shows what the
session says: statuses, messages, calculated values and relevance.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.model import Item, ItemType, Study, Text
from npc_crf.forms.session import FormSession, ItemPath, ItemState, Status

STATUS_STYLE = {
    Status.OK: "color: #2e7d32;",
    Status.REQUIRED_EMPTY: "color: #8d6e00;",
    Status.SOFT_WARNING: "color: #e65100;",
    Status.HARD_ERROR: "color: #c62828; font-weight: bold;",
    Status.NOT_RELEVANT: "color: #9e9e9e;",
}
PLACEHOLDERS = {
    ItemType.DATE: "YYYY-MM-DD",
    ItemType.PARTIAL_DATE: "YYYY / YYYY-MM / YYYY-MM-DD",
    ItemType.TIME: "hh:mm",
    ItemType.DATETIME: "YYYY-MM-DD hh:mm",
}


def display(value: object) -> str:
    """A stored value as text for an editor."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, frozenset):
        return ",".join(sorted(str(v) for v in value))
    return str(value)


class ItemEditor(QWidget):
    """Base editor: shows a value, reports edits as text through ``commit``."""

    def __init__(
        self, study: Study, item: Item, lang: str, commit: Callable[[object], None]
    ) -> None:
        super().__init__()
        self.study, self.item, self.lang, self.commit = study, item, lang, commit
        self.box = QHBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)

    def show_value(self, value: object) -> None:
        """Show the session's value without committing."""


class LineEditor(ItemEditor):
    """One line of text: texts, numbers, dates, times."""

    def __init__(
        self, study: Study, item: Item, lang: str, commit: Callable[[object], None]
    ) -> None:
        super().__init__(study, item, lang, commit)
        self.edit = QLineEdit()
        self.edit.setObjectName(f"edit_{item.oid}")
        self.edit.setPlaceholderText(PLACEHOLDERS.get(item.type, ""))
        self.edit.editingFinished.connect(lambda: self.commit(self.edit.text()))
        self.box.addWidget(self.edit)
        if item.unit:
            self.box.addWidget(QLabel(item.unit.get(lang)))

    def show_value(self, value: object) -> None:
        if not self.edit.hasFocus():
            self.edit.setText(display(value))


class LookupEditor(LineEditor):
    """A code from a large list, found by typing part of its decode."""

    def __init__(
        self, study: Study, item: Item, lang: str, commit: Callable[[object], None]
    ) -> None:
        super().__init__(study, item, lang, commit)
        codelist = study.codelist_for(item)
        self.by_label = (
            {f"{c.label.get(lang)} [{c.code}]": c.code for c in codelist.items} if codelist else {}
        )
        completer = QCompleter(sorted(self.by_label))
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.edit.setCompleter(completer)
        self.edit.editingFinished.disconnect()
        self.edit.editingFinished.connect(
            lambda: self.commit(self.by_label.get(self.edit.text(), self.edit.text()))
        )

    def show_value(self, value: object) -> None:
        codelist = self.study.codelist_for(self.item)
        code = codelist.get(value) if codelist and value is not None else None
        if not self.edit.hasFocus():
            self.edit.setText(
                f"{code.label.get(self.lang)} [{code.code}]" if code else display(value)
            )


class LongTextEditor(ItemEditor):
    """Several lines of text."""

    def __init__(
        self, study: Study, item: Item, lang: str, commit: Callable[[object], None]
    ) -> None:
        super().__init__(study, item, lang, commit)
        self.edit = QPlainTextEdit()
        self.edit.setFixedHeight(60)
        self.edit.textChanged.connect(lambda: self.commit(self.edit.toPlainText()))
        self.box.addWidget(self.edit)

    def show_value(self, value: object) -> None:
        if not self.edit.hasFocus() and self.edit.toPlainText() != display(value):
            self.edit.setPlainText(display(value))


class ChoiceEditor(ItemEditor):
    """Radio buttons (or a drop-down) over a code list; yes/no too."""

    def __init__(
        self, study: Study, item: Item, lang: str, commit: Callable[[object], None]
    ) -> None:
        super().__init__(study, item, lang, commit)
        if item.type is ItemType.YES_NO:
            options: list[tuple[str | int, Text]] = [
                ("Y", Text("Yes", "是")),
                ("N", Text("No", "否")),
            ]
        else:
            codelist = study.codelist_for(item)
            options = [(c.code, c.label) for c in codelist.items] if codelist else []
        self.codes = [code for code, _ in options]
        if item.appearance == "dropdown":
            self.combo: QComboBox | None = QComboBox()
            self.combo.addItem("")
            for _, label in options:
                self.combo.addItem(label.get(lang))
            self.combo.currentIndexChanged.connect(
                lambda i: self.commit(self.codes[i - 1] if i > 0 else None)
            )
            self.box.addWidget(self.combo)
            return
        self.combo = None
        self.buttons = QButtonGroup(self)
        for index, (_, label) in enumerate(options):
            button = QRadioButton(label.get(lang))
            self.buttons.addButton(button, index)
            self.box.addWidget(button)
        self.buttons.idClicked.connect(lambda i: self.commit(self.codes[i]))
        self.box.addStretch()

    def show_value(self, value: object) -> None:
        wanted = display(value)
        index = next((i for i, c in enumerate(self.codes) if str(c) == wanted), -1)
        if self.combo is not None:
            self.combo.blockSignals(True)
            self.combo.setCurrentIndex(index + 1)
            self.combo.blockSignals(False)
        elif index >= 0:
            self.buttons.button(index).setChecked(True)


class MultiEditor(ItemEditor):
    """Check boxes over a code list."""

    def __init__(
        self, study: Study, item: Item, lang: str, commit: Callable[[object], None]
    ) -> None:
        super().__init__(study, item, lang, commit)
        codelist = study.codelist_for(item)
        self.boxes: dict[object, QCheckBox] = {}
        for code in codelist.items if codelist else ():
            box = QCheckBox(code.label.get(lang))
            box.toggled.connect(self._changed)
            self.boxes[code.code] = box
            self.box.addWidget(box)
        self.box.addStretch()

    def _changed(self) -> None:
        self.commit(frozenset(c for c, b in self.boxes.items() if b.isChecked()) or None)

    def show_value(self, value: object) -> None:
        chosen = value if isinstance(value, frozenset) else frozenset()
        for code, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(code in chosen)
            box.blockSignals(False)


class ReadOnlyEditor(ItemEditor):
    """Calculated values and notes."""

    def __init__(
        self, study: Study, item: Item, lang: str, commit: Callable[[object], None]
    ) -> None:
        super().__init__(study, item, lang, commit)
        self.label = QLabel()
        self.label.setObjectName(f"value_{item.oid}")
        self.box.addWidget(self.label)
        if item.unit:
            self.box.addWidget(QLabel(item.unit.get(lang)))
        self.box.addStretch()

    def show_value(self, value: object) -> None:
        self.label.setText(display(value))


EDITORS: dict[ItemType, type[ItemEditor]] = {
    ItemType.TEXT: LineEditor,
    ItemType.LONG_TEXT: LongTextEditor,
    ItemType.INTEGER: LineEditor,
    ItemType.DECIMAL: LineEditor,
    ItemType.DATE: LineEditor,
    ItemType.PARTIAL_DATE: LineEditor,
    ItemType.TIME: LineEditor,
    ItemType.DATETIME: LineEditor,
    ItemType.SINGLE_CHOICE: ChoiceEditor,
    ItemType.YES_NO: ChoiceEditor,
    ItemType.MULTIPLE_CHOICE: MultiEditor,
    ItemType.LOOKUP: LookupEditor,
    ItemType.CALCULATED: ReadOnlyEditor,
    ItemType.FILE: LineEditor,
}


class FormView(QScrollArea):
    """A whole form: sections, items, groups as tables, statuses beside items."""

    def __init__(self, session: FormSession, lang: str = "en") -> None:
        super().__init__()
        self.session, self.lang = session, lang
        self.setWidgetResizable(True)
        self.editors: dict[ItemPath, ItemEditor] = {}
        self.status_labels: dict[ItemPath, QLabel] = {}
        self.rows: dict[ItemPath, list[QWidget]] = {}
        self.tables: dict[str, QTableWidget] = {}
        body = QWidget()
        layout = QVBoxLayout(body)
        title = QLabel(f"<h2>{session.form.title.get(lang)}</h2>")
        layout.addWidget(title)
        for section in session.form.sections:
            box = QGroupBox(section.title.get(lang))
            form_layout = QFormLayout(box)
            for item in section.items:
                self._add_item(form_layout, item)
            layout.addWidget(box)
        layout.addStretch()
        self.setWidget(body)
        self.refresh(list(session.states()))

    def _add_item(self, layout: QFormLayout, item: Item) -> None:
        lang = self.lang
        path = ItemPath(item.oid)
        label = QLabel(item.label.get(lang) + (" *" if item.required else ""))
        label.setWordWrap(True)
        if item.help:
            label.setToolTip(item.help.get(lang))
        if item.type is ItemType.NOTE:
            label.setStyleSheet("font-style: italic;")
            layout.addRow(label)
            self.rows[path] = [label]
            return
        if item.is_group:
            layout.addRow(label, self._group_table(item))
            holder = self.tables[item.oid].parentWidget()
            self.rows[path] = [label] + ([holder] if holder is not None else [])
            return

        def commit(value: object, target: ItemPath = path) -> None:
            self.answer(target, value)

        editor = EDITORS[item.type](self.session.study, item, lang, commit)
        status = QLabel()
        status.setObjectName(f"status_{item.oid}")
        status.setWordWrap(True)
        field = QWidget()
        row = QHBoxLayout(field)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(editor, 3)
        if item.takes_input and self.session.study.missing_codes_for(item):
            row.addWidget(self._missing_button(path, item))
        row.addWidget(status, 2)
        layout.addRow(label, field)
        self.editors[path] = editor
        self.status_labels[path] = status
        self.rows[path] = [label, field]

    def _missing_button(self, path: ItemPath, item: Item) -> QToolButton:
        button = QToolButton()
        button.setText("…")
        button.setToolTip("Missing-data code" if self.lang == "en" else "缺失数据代码")
        menu = QMenu(button)
        for missing in self.session.study.missing_codes:
            if missing.code in self.session.study.missing_codes_for(item):
                action = menu.addAction(f"{missing.code} – {missing.name.get(self.lang)}")
                action.triggered.connect(
                    lambda _=False, c=missing.code: self.answer(path, Missing(c))
                )
        button.setMenu(menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        return button

    def _group_table(self, group: Item) -> QWidget:
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        table = QTableWidget(0, len(group.items))
        table.setObjectName(f"table_{group.oid}")
        table.setHorizontalHeaderLabels([c.label.get(self.lang) for c in group.items])
        table.setMinimumHeight(120)
        table.itemChanged.connect(lambda cell, g=group: self._cell_changed(g, cell))
        add = QPushButton("Add row" if self.lang == "en" else "添加一行")
        add.setObjectName(f"add_{group.oid}")
        add.clicked.connect(lambda _=False, g=group: self.add_row(g.oid))
        layout.addWidget(table)
        layout.addWidget(add)
        self.tables[group.oid] = table
        self._sync_table(group)
        return holder

    def add_row(self, group: str) -> None:
        """Add a row to a group table."""
        self.session.add_row(group)
        item = self.session.form.item(group)
        assert item is not None
        self._sync_table(item)
        self.refresh(list(self.session.states()))

    def _sync_table(self, group: Item) -> None:
        table = self.tables[group.oid]
        table.blockSignals(True)
        table.setRowCount(self.session.row_count(group.oid))
        for row in range(table.rowCount()):
            for col, column in enumerate(group.items):
                state = self.session.state(ItemPath(column.oid, group.oid, row + 1))
                cell = QTableWidgetItem(display(state.value))
                if not column.takes_input:
                    cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if state.message is not None:
                    cell.setToolTip(state.message.get(self.lang))
                color = {
                    Status.HARD_ERROR: "#ffcdd2",
                    Status.SOFT_WARNING: "#ffe0b2",
                    Status.REQUIRED_EMPTY: "#fff9c4",
                    Status.NOT_RELEVANT: "#eeeeee",
                }.get(state.status)
                if color:
                    cell.setBackground(QColor(color))
                table.setItem(row, col, cell)
        table.blockSignals(False)

    def _cell_changed(self, group: Item, cell: QTableWidgetItem) -> None:
        column = group.items[cell.column()]
        self.answer(ItemPath(column.oid, group.oid, cell.row() + 1), cell.text())

    def answer(self, path: ItemPath, value: object) -> None:
        """Pass an edit to the session and show what changed."""
        result = self.session.answer(path, value)
        self.refresh([*result.changed, path])

    def refresh(self, paths: list[ItemPath]) -> None:
        """Show the session's state of ``paths``."""
        groups = set()
        for path in paths:
            if path.group is not None:
                groups.add(path.group)
                continue
            state = self.session.state(path)
            self._show(path, state)
        for oid in groups:
            item = self.session.form.item(oid)
            assert item is not None
            self._sync_table(item)

    def _show(self, path: ItemPath, state: ItemState) -> None:
        visible = state.status is not Status.NOT_RELEVANT
        for widget in self.rows.get(path, []):
            widget.setVisible(visible)
        editor = self.editors.get(path)
        if editor is not None:
            shown = (
                state.rejected_input
                if state.status is Status.HARD_ERROR and state.rejected_input is not None
                else state.value
            )
            editor.show_value(shown)
        label = self.status_labels.get(path)
        if label is not None:
            text = state.message.get(self.lang) if state.message else ""
            if isinstance(state.value, Missing):
                text = state.value.code
            label.setText(text)
            label.setStyleSheet(STATUS_STYLE[state.status])
