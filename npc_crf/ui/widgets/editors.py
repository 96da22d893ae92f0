"""One editor per item type, chosen from a table (:data:`EDITORS`, :func:`make_editor`).

An editor shows what the session holds (:meth:`ItemEditor.show_value`) and
reports what the nurse entered through ``committed`` — text for typed items,
codes for choices, a :class:`PartialDate` for partial dates. It never decides
whether an entry is valid: the session does. Typed items commit when the
editing is finished (Enter, Tab, focus leaving), choices at once; an entry
equal to what is shown is not committed again (so a kept warning's reason is
not lost by tabbing through).

Every input widget carries the ``crfInput`` property, which the form view uses
for Enter-to-next-input; choice editors set ``grouped`` so Enter leaves the
whole set of radio buttons or check boxes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import ClassVar

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QWidget,
)

from npc_crf.forms.model import Item, ItemType, Study
from npc_crf.ui.widgets.look import muted, set_font
from npc_crf.ui.widgets.partial_date import PartialDateEdit, unknown_allowed
from npc_crf.ui.widgets.values import display_text, edit_text, yes_no_text

#: lists up to this long are radio buttons (unless the definition asks for a drop-down)
RADIO_MAX = 6
#: a typed key continues the previous one (type-ahead) within this many seconds
TYPE_AHEAD_S = 1.0


def mark_input(widget: QWidget) -> None:
    """Mark ``widget`` as an input for Enter-to-next-input."""
    widget.setProperty("crfInput", True)


def normalise_date(text: str) -> str:
    """``20260105`` or ``2026/01/05`` → ``2026-01-05``; other text unchanged."""
    text = text.strip()
    match = re.fullmatch(r"(\d{4})[/.]?(\d{2})[/.]?(\d{2})", text)
    return f"{match[1]}-{match[2]}-{match[3]}" if match else text


def normalise_time(text: str) -> str:
    """``0930``, ``9:30`` or ``9.30`` → ``09:30``; other text unchanged."""
    text = text.strip()
    match = re.fullmatch(r"(\d{1,2})[:.]?(\d{2})", text)
    return f"{int(match[1]):02d}:{match[2]}" if match else text


def normalise_datetime(text: str) -> str:
    """``20260105 0930`` → ``2026-01-05 09:30``; other text unchanged."""
    parts = text.strip().replace("T", " ").split()
    if len(parts) == 2:
        return f"{normalise_date(parts[0])} {normalise_time(parts[1])}"
    return text.strip()


def placeholder(kind: ItemType) -> str:
    """The grey hint an empty field shows for the format to type."""
    if kind is ItemType.DATE:
        return QCoreApplication.translate("ItemEditor", "YYYY-MM-DD")
    if kind is ItemType.TIME:
        return QCoreApplication.translate("ItemEditor", "hh:mm")
    if kind is ItemType.DATETIME:
        return QCoreApplication.translate("ItemEditor", "YYYY-MM-DD hh:mm")
    return ""


def lookup_texts(study: Study, item: Item, lang: str) -> dict[str, str | int]:
    """``Decode [code]`` → code for a lookup item's list (what the completer offers)."""
    codelist = study.codelist_for(item)
    return {f"{c.label.get(lang)} [{c.code}]": c.code for c in codelist.items} if codelist else {}


NORMALISERS: dict[ItemType, Callable[[str], str]] = {
    ItemType.DATE: normalise_date,
    ItemType.TIME: normalise_time,
    ItemType.DATETIME: normalise_datetime,
    ItemType.INTEGER: str.strip,
    ItemType.DECIMAL: str.strip,
}


def choice_options(study: Study, item: Item, lang: str) -> list[tuple[str | int, str]]:
    """(code, label) of a choice item; yes/no gives ``Y``/``N`` with translated words."""
    if item.type is ItemType.YES_NO:
        return [("Y", yes_no_text(True)), ("N", yes_no_text(False))]
    codelist = study.codelist_for(item)
    return [(c.code, c.label.get(lang)) for c in codelist.items] if codelist else []


class ItemEditor(QWidget):
    """Base editor: shows a value, reports entries through ``committed``."""

    committed = Signal(object)
    #: True when Enter should leave all of this editor's inputs at once
    grouped = False
    #: True when the editor should take the row's spare width (free text)
    expanding = False

    def __init__(self, study: Study, item: Item, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.study, self.item, self.lang = study, item, lang
        self.box = QHBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(6)
        self.read_only = False

    def show_value(self, value: object) -> None:
        """Show the session's value (or a refused entry) without committing."""

    def inputs(self) -> list[QWidget]:
        """The focusable input widgets, in order."""
        return []

    def focus_target(self) -> QWidget | None:
        """The widget that takes the focus when the editor is entered."""
        inputs = self.inputs()
        return inputs[0] if inputs else None

    def commit_pending(self) -> None:
        """Commit an entry that is typed but not yet committed (before a save)."""

    def local_problem(self) -> str | None:
        """The editor's own explanation of a refused entry (partial dates), or None."""
        return None

    def set_read_only(self, read_only: bool) -> None:
        """Readable but not editable."""
        self.read_only = read_only
        for widget in self.inputs():
            widget.setEnabled(not read_only)

    def _add_unit(self) -> None:
        if self.item.unit is not None:
            unit = QLabel(self.item.unit.get(self.lang))
            unit.setObjectName("unit")
            self.box.addWidget(unit)


class LineEditor(ItemEditor):
    """One line: texts, numbers, dates, times."""

    WIDTHS: ClassVar[dict[ItemType, int]] = {
        ItemType.INTEGER: 10,
        ItemType.DECIMAL: 10,
        ItemType.DATE: 12,
        ItemType.TIME: 7,
        ItemType.DATETIME: 18,
    }

    def __init__(self, study: Study, item: Item, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(study, item, lang, parent)
        self.edit = QLineEdit()
        self.edit.setObjectName(f"edit_{item.oid}")
        self.edit.setPlaceholderText(placeholder(item.type))
        if item.max_length is not None:
            self.edit.setMaxLength(item.max_length)
        chars = self.WIDTHS.get(item.type)
        if chars is None and item.max_length is not None and item.max_length <= 12:
            chars = item.max_length + 3
        if chars is not None:
            self.edit.setFixedWidth(self.edit.fontMetrics().horizontalAdvance("0" * chars) + 14)
            self.box.addWidget(self.edit)
        else:
            self.edit.setMinimumWidth(220)
            self.box.addWidget(self.edit, 1)
        mark_input(self.edit)
        self._shown = ""
        self.edit.editingFinished.connect(self.commit_pending)
        self._add_unit()
        self.expanding = chars is None

    def inputs(self) -> list[QWidget]:
        return [self.edit]

    def show_value(self, value: object) -> None:
        new = self.text_for(value)
        typing = self.edit.hasFocus() and self.edit.text() != self._shown
        self._shown = new
        if not typing and self.edit.text() != new:
            self.edit.setText(new)

    def text_for(self, value: object) -> str:
        """The editor text for a session value."""
        return edit_text(value)

    def entry(self, text: str) -> object:
        """What to give the session for the typed ``text``."""
        normalise = NORMALISERS.get(self.item.type)
        return normalise(text) if normalise else text

    def commit_pending(self) -> None:
        text = self.edit.text()
        if text == self._shown or self.read_only:
            return
        self._shown = text
        self.committed.emit(self.entry(text))

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self.edit.setReadOnly(read_only)


class LookupEditor(LineEditor):
    """A code from a large list, found by typing part of its decode (or the code)."""

    def __init__(self, study: Study, item: Item, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(study, item, lang, parent)
        self.by_text = lookup_texts(study, item, lang)
        completer = QCompleter(QStringListModel(sorted(self.by_text), self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        completer.activated.connect(self._chosen)
        self.edit.setCompleter(completer)
        self.edit.setPlaceholderText(self.tr("Type part of the term or its code"))

    def _chosen(self, text: str) -> None:
        self.edit.setText(text)
        self.commit_pending()

    def text_for(self, value: object) -> str:
        if value is None or not isinstance(value, str | int):
            return edit_text(value)
        codelist = self.study.codelist_for(self.item)
        code = codelist.get(value) if codelist is not None else None
        return f"{code.label.get(self.lang)} [{code.code}]" if code else str(value)

    def entry(self, text: str) -> object:
        return self.by_text.get(text, text.strip())


class LongTextEditor(ItemEditor):
    """Several lines of text; Tab leaves, the entry commits when the focus leaves."""

    def __init__(self, study: Study, item: Item, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(study, item, lang, parent)
        self.edit = QPlainTextEdit()
        self.edit.setObjectName(f"edit_{item.oid}")
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * 4 + 12)
        self.edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.edit.installEventFilter(self)
        mark_input(self.edit)
        self._shown = ""
        self.box.addWidget(self.edit, 1)
        self.expanding = True

    def inputs(self) -> list[QWidget]:
        return [self.edit]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Commit when the focus leaves."""
        if watched is self.edit and event.type() == QEvent.Type.FocusOut:
            self.commit_pending()
        return False

    def show_value(self, value: object) -> None:
        self._shown = edit_text(value)
        if self.edit.toPlainText() != self._shown:
            self.edit.setPlainText(self._shown)

    def commit_pending(self) -> None:
        text = self.edit.toPlainText()
        if text == self._shown or self.read_only:
            return
        self._shown = text
        self.committed.emit(text)

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self.edit.setReadOnly(read_only)


class _TypeAhead:
    """Choose an option by typing its code or the start of its label."""

    def __init__(self, options: list[tuple[str | int, str]]) -> None:
        self.options = options
        self.typed = ""
        self.at = 0.0

    def match(self, key_text: str) -> int | None:
        now = time.monotonic()
        self.typed = (self.typed if now - self.at < TYPE_AHEAD_S else "") + key_text.lower()
        self.at = now
        for wanted in (self.typed, key_text.lower()):
            for n, (code, _label) in enumerate(self.options):
                if str(code).lower() == wanted:
                    return n
            for n, (_code, label) in enumerate(self.options):
                if label.lower().startswith(wanted):
                    return n
        return None


class RadioEditor(ItemEditor):
    """Radio buttons for yes/no and short code lists; keys choose at once.

    Arrow keys move to the previous or next option and choose it; typing a code
    or the first letters of a label chooses that option; Delete clears.
    """

    grouped = True

    def __init__(self, study: Study, item: Item, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(study, item, lang, parent)
        self.options = choice_options(study, item, lang)
        self.codes = [str(code) for code, _ in self.options]
        self.group = QButtonGroup(self)
        self.buttons: list[QRadioButton] = []
        total = sum(len(label) for _, label in self.options)
        wide = total > (48 if lang != "zh" else 28) or len(self.options) > 4
        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(2)
        self.grid = grid  # subclasses may lay the buttons out again (CTCAE grade texts)
        columns = 2 if wide and len(self.options) > 3 else (1 if wide else len(self.options))
        rows = -(-len(self.options) // max(columns, 1))
        for n, (_code, label) in enumerate(self.options):
            button = QRadioButton(label)
            button.setObjectName(f"choice_{item.oid}_{n}")
            mark_input(button)
            button.installEventFilter(self)
            self.group.addButton(button, n)
            self.buttons.append(button)
            grid.addWidget(button, n % rows, n // rows)
        self.group.idClicked.connect(self._clicked)
        self.box.addWidget(holder)
        self._add_unit()
        self._typed = _TypeAhead(self.options)
        self._current = -1

    def inputs(self) -> list[QWidget]:
        return list(self.buttons)

    def focus_target(self) -> QWidget | None:
        checked = self.group.checkedButton()
        return checked or (self.buttons[0] if self.buttons else None)

    def show_value(self, value: object) -> None:
        wanted = edit_text(value)
        index = self.codes.index(wanted) if wanted in self.codes else -1
        self._current = index
        self.group.setExclusive(False)
        for n, button in enumerate(self.buttons):
            button.setChecked(n == index)
        self.group.setExclusive(True)

    def _clicked(self, index: int) -> None:
        if self.read_only or index == self._current:
            return
        self._current = index
        self.committed.emit(self.options[index][0])

    def choose(self, index: int | None) -> None:
        """Choose option ``index`` (None clears) as if the nurse did it."""
        if self.read_only:
            return
        if index is None:
            if self._current != -1:
                self.show_value(None)
                self.committed.emit(None)
            return
        self.buttons[index].setChecked(True)
        self.buttons[index].setFocus(Qt.FocusReason.OtherFocusReason)
        self._clicked(index)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Arrow keys, type-ahead and Delete on the radio buttons."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if self.read_only or not isinstance(watched, QRadioButton) or watched not in self.buttons:
            return False
        here = self.buttons.index(watched)
        key = event.key()
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self.choose(max(here - 1, 0))
            return True
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self.choose(min(here + 1, len(self.buttons) - 1))
            return True
        if key == Qt.Key.Key_Space:
            self.choose(here)
            return True
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.choose(None)
            return True
        text = event.text()
        if (
            text
            and text.isprintable()
            and not event.modifiers()
            & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        ):
            found = self._typed.match(text)
            if found is not None:
                self.choose(found)
            return True
        return False


class ComboEditor(ItemEditor):
    """A drop-down for long code lists (or when the definition asks for one)."""

    def __init__(self, study: Study, item: Item, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(study, item, lang, parent)
        self.options = choice_options(study, item, lang)
        self.codes = [str(code) for code, _ in self.options]
        self.combo = QComboBox()
        self.combo.setObjectName(f"combo_{item.oid}")
        self.combo.addItem("")
        for _code, label in self.options:
            self.combo.addItem(label)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setMinimumWidth(160)
        self.combo.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        mark_input(self.combo)
        self.combo.installEventFilter(self)
        self.combo.currentIndexChanged.connect(self._changed)
        self.box.addWidget(self.combo)
        self._add_unit()
        self._showing = False

    def inputs(self) -> list[QWidget]:
        return [self.combo]

    def show_value(self, value: object) -> None:
        wanted = edit_text(value)
        index = self.codes.index(wanted) + 1 if wanted in self.codes else 0
        if self.combo.currentIndex() != index:
            self._showing = True
            self.combo.setCurrentIndex(index)
            self._showing = False

    def _changed(self, index: int) -> None:
        if self._showing or self.read_only:
            return
        self.committed.emit(self.options[index - 1][0] if index > 0 else None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Delete clears the choice."""
        if (
            watched is self.combo
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
            and not self.read_only
        ):
            self.combo.setCurrentIndex(0)
            return True
        return False


class MultiEditor(ItemEditor):
    """Check boxes over a code list; each tick commits."""

    grouped = True

    def __init__(self, study: Study, item: Item, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(study, item, lang, parent)
        codelist = study.codelist_for(item)
        self.checks: dict[str | int, QCheckBox] = {}
        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(2)
        entries = list(codelist.items) if codelist else []
        columns = 2 if len(entries) > 3 else max(len(entries), 1)
        rows = -(-len(entries) // columns) if entries else 1
        for n, code in enumerate(entries):
            check = QCheckBox(code.label.get(lang))
            check.setObjectName(f"check_{item.oid}_{code.code}")
            mark_input(check)
            check.toggled.connect(self._changed)
            self.checks[code.code] = check
            grid.addWidget(check, n % rows, n // rows)
        self.box.addWidget(holder)
        self._showing = False

    def inputs(self) -> list[QWidget]:
        return list(self.checks.values())

    def _changed(self) -> None:
        if self._showing or self.read_only:
            return
        chosen = frozenset(c for c, b in self.checks.items() if b.isChecked())
        self.committed.emit(chosen or None)

    def show_value(self, value: object) -> None:
        chosen = value if isinstance(value, frozenset) else frozenset()
        self._showing = True
        for code, check in self.checks.items():
            check.setChecked(code in chosen)
        self._showing = False


class PartialDateEditor(ItemEditor):
    """Year, month and day with an explicit UNK (see :mod:`~npc_crf.ui.widgets.partial_date`)."""

    def __init__(self, study: Study, item: Item, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(study, item, lang, parent)
        self.edit = PartialDateEdit(allow_unknown=unknown_allowed(item.min_precision))
        self.edit.setObjectName(f"edit_{item.oid}")
        for field in self.edit.fields():
            mark_input(field)
        self.edit.editingFinished.connect(self.commit_pending)
        self.box.addWidget(self.edit)

    def inputs(self) -> list[QWidget]:
        return self.edit.fields()

    def show_value(self, value: object) -> None:
        self.edit.set_value(value)

    def commit_pending(self) -> None:
        if not self.edit.is_changed() or self.read_only:
            return
        self.edit.mark_reported()
        self.committed.emit(self.edit.value())

    def local_problem(self) -> str | None:
        return self.edit.problem()

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self.edit.set_read_only(read_only)


class ReadOnlyEditor(ItemEditor):
    """A calculated value, updated live."""

    def __init__(self, study: Study, item: Item, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(study, item, lang, parent)
        self.label = QLabel()
        self.label.setObjectName(f"value_{item.oid}")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setMinimumWidth(60)
        set_font(self.label, bold=True)
        self.box.addWidget(self.label)
        self._add_unit()

    def show_value(self, value: object) -> None:
        text = display_text(self.study, self.item, value, self.lang)
        self.label.setText(text or "—")


class FileEditor(ItemEditor):
    """Attachments are not stored yet: the item is shown read-only with any name on record."""

    def __init__(self, study: Study, item: Item, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(study, item, lang, parent)
        self.label = QLabel()
        self.label.setObjectName(f"value_{item.oid}")
        self.note = QLabel(self.tr("Attaching files is not supported yet"))
        muted(self.note, small=False)
        set_font(self.note, italic=True)
        self.box.addWidget(self.label)
        self.box.addWidget(self.note)

    def show_value(self, value: object) -> None:
        self.label.setText(edit_text(value))


def editor_class(study: Study, item: Item) -> type[ItemEditor]:
    """The editor class for an item (radio buttons or a drop-down by list length)."""
    if item.type is ItemType.SINGLE_CHOICE:
        codelist = study.codelist_for(item)
        long_list = codelist is not None and len(codelist.items) > RADIO_MAX
        return ComboEditor if item.appearance == "dropdown" or long_list else RadioEditor
    return EDITORS[item.type]


EDITORS: dict[ItemType, type[ItemEditor]] = {
    ItemType.TEXT: LineEditor,
    ItemType.LONG_TEXT: LongTextEditor,
    ItemType.INTEGER: LineEditor,
    ItemType.DECIMAL: LineEditor,
    ItemType.DATE: LineEditor,
    ItemType.PARTIAL_DATE: PartialDateEditor,
    ItemType.TIME: LineEditor,
    ItemType.DATETIME: LineEditor,
    ItemType.SINGLE_CHOICE: RadioEditor,
    ItemType.YES_NO: RadioEditor,
    ItemType.MULTIPLE_CHOICE: MultiEditor,
    ItemType.LOOKUP: LookupEditor,
    ItemType.CALCULATED: ReadOnlyEditor,
    ItemType.FILE: FileEditor,
}


def make_editor(study: Study, item: Item, lang: str) -> ItemEditor:
    """A new editor for ``item``."""
    return editor_class(study, item)(study, item, lang)


def is_button(widget: QWidget) -> bool:
    """True for radio buttons and check boxes (inputs that Enter leaves as a set)."""
    return isinstance(widget, QAbstractButton)
