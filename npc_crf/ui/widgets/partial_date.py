"""A partial date entered as year, month and day, with "UNK" for an unknown month or day.

A partial date is never padded and never guessed: the month and the day are
each either a number or an explicit ``UNK``. A year with an empty month or day
is not a date yet; the widget then hands the session an entry it refuses and
says, in :meth:`PartialDateEdit.problem`, what is still needed.

The widget reports ``editingFinished`` when the focus leaves it (not when it
moves between its own fields), so one commit covers the three fields. In a
table cell (``in_cell=True``) Tab moves between the fields and, from the last
one, asks the table to move on (``leaveRequested``).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, QRegularExpression, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import QApplication, QComboBox, QHBoxLayout, QLineEdit, QWidget

from npc_crf.forms.expr.values import PartialDate
from npc_crf.ui.widgets.values import UNKNOWN, partial_date_text

_PART_RE = QRegularExpression(r"^(?:[0-9]{0,2}|[uU](?:[nN][kK]?)?|\?{0,2})$")
_YEAR_RE = QRegularExpression(r"^[0-9]{0,4}$")
_BLANK = "?"


def _part(text: str) -> str:
    """A month or day field's text normalised: ``""``, ``UNK`` or digits."""
    text = text.strip().upper()
    if text and UNKNOWN.startswith(text):
        return UNKNOWN
    return "" if set(text) <= {_BLANK} else text


def read_parts(year: str, month: str, day: str) -> tuple[object, str | None]:
    """The answer for three field texts, and what is wrong when it is not a date yet.

    Returns ``(None, None)`` when all are empty, ``(PartialDate, None)`` for a
    date, or ``(text, problem)`` where ``text`` is an entry the session refuses
    (it keeps what was typed) and ``problem`` one of ``year``, ``month``,
    ``day``, ``month_range``, ``no_such_day`` or ``day_without_month``.
    """
    y, m, d = year.strip(), _part(month), _part(day)
    if not (y or m or d):
        return None, None
    typed = f"{y or _BLANK * 4}-{m or _BLANK * 2}-{d or _BLANK * 2}"
    if not re.fullmatch(r"\d{4}", y) or int(y) < 1:
        return typed, "year"
    if not m:
        return typed, "month"
    if m == UNKNOWN:
        if d not in ("", UNKNOWN):
            return typed, "day_without_month"
        return PartialDate(int(y)), None
    if not 1 <= int(m) <= 12:
        return typed, "month_range"
    if not d:
        return typed, "day"
    if d == UNKNOWN:
        return PartialDate(int(y), int(m)), None
    try:
        return PartialDate(int(y), int(m), int(d)), None
    except ValueError:
        return typed, "no_such_day"


def split_value(value: object) -> tuple[str, str, str]:
    """The three field texts for a value, or for an entry the session refused."""
    if isinstance(value, PartialDate):
        text = partial_date_text(value)
    elif value is None:
        return "", "", ""
    else:
        text = str(value).strip()
    parts = [*text.split("-"), "", "", ""][:3]
    year = "" if set(parts[0]) <= {_BLANK} else parts[0]
    month, day = (_part(p) for p in parts[1:])
    if month and month != UNKNOWN and month.isdigit():
        month = f"{int(month):02d}"
    if day and day != UNKNOWN and day.isdigit():
        day = f"{int(day):02d}"
    return year, month, day


class PartialDateEdit(QWidget):
    """Year, month and day fields producing a :class:`PartialDate` (or a refused entry)."""

    editingFinished = Signal()
    #: in a table cell: leave forwards (True), backwards (False) or just close (None)
    leaveRequested = Signal(object)

    def __init__(
        self, parent: QWidget | None = None, *, in_cell: bool = False, allow_unknown: str = "month"
    ) -> None:
        """``allow_unknown``: the largest part that may be UNK (``month``, ``day`` or ``none``)."""
        super().__init__(parent)
        self.in_cell = in_cell
        self.year = QLineEdit()
        self.year.setObjectName("year")
        self.year.setPlaceholderText(self.tr("YYYY"))
        self.year.setValidator(QRegularExpressionValidator(_YEAR_RE, self.year))
        self.year.setMaxLength(4)
        self.month = self._part_box("month", 12, allow_unknown == "month")
        self.day = self._part_box("day", 31, allow_unknown in ("month", "day"))
        self.month.setPlaceholderText(self.tr("MM"))
        self.day.setPlaceholderText(self.tr("DD"))
        self.year.setToolTip(self.tr("Year (4 digits)"))
        self.month.setToolTip(self.tr("Month: 1 to 12, or UNK when it is not known"))
        self.day.setToolTip(self.tr("Day: 1 to 31, or UNK when it is not known"))
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2 if in_cell else 4)
        width = self.fontMetrics().horizontalAdvance("0000") + 16
        self.year.setFixedWidth(width)
        for combo in (self.month, self.day):
            combo.setFixedWidth(self.fontMetrics().horizontalAdvance("UNK") + 40)
        box.addWidget(self.year)
        box.addWidget(self.month)
        box.addWidget(self.day)
        if not in_cell:
            box.addStretch()
        self.setFocusProxy(self.year)
        self.month.editTextChanged.connect(self._month_changed)
        self._shown: tuple[str, str, str] = ("", "", "")
        for widget in self.fields():
            widget.installEventFilter(self)

    def _part_box(self, name: str, top: int, unknown: bool) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setEditable(True)
        combo.setCompleter(None)  # type: ignore[arg-type]  # never complete "3" to "30"
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.addItem("")
        if unknown:
            combo.addItem(UNKNOWN)
        combo.addItems([f"{n:02d}" for n in range(1, top + 1)])
        edit = combo.lineEdit()
        assert edit is not None  # an editable combo box has one
        edit.setValidator(QRegularExpressionValidator(_PART_RE, edit))
        edit.setMaxLength(3)
        return combo

    # -- reading and showing ----------------------------------------------------------------

    def fields(self) -> list[QWidget]:
        """The three input fields, in order."""
        return [self.year, self.month, self.day]

    def texts(self) -> tuple[str, str, str]:
        """The three fields' texts as typed."""
        return self.year.text(), self.month.currentText(), self.day.currentText()

    def value(self) -> object:
        """None, a :class:`PartialDate`, or a text the session refuses (see :meth:`problem`)."""
        return read_parts(*self.texts())[0]

    def problem(self) -> str | None:
        """What is missing or wrong, for a person, or None when the entry is a date (or empty)."""
        code = read_parts(*self.texts())[1]
        return self.problem_text(code) if code else None

    def problem_text(self, code: str) -> str:
        """A problem code of :func:`read_parts` as a sentence."""
        texts = {
            "year": self.tr("Enter the year with 4 digits"),
            "month": self.tr("Enter the month, or UNK if it is not known"),
            "day": self.tr("Enter the day, or UNK if it is not known"),
            "month_range": self.tr("The month is a number from 1 to 12"),
            "no_such_day": self.tr("That month has no such day"),
            "day_without_month": self.tr("With the month unknown, the day is unknown too"),
        }
        return texts.get(code, code)

    def set_value(self, value: object) -> None:
        """Show a value (or a refused entry) without reporting an edit."""
        year, month, day = split_value(value)
        self.year.setText(year)
        self.month.setEditText(month)
        self.day.setEditText(day)
        self._month_changed(month)
        self._shown = self.texts()

    def is_changed(self) -> bool:
        """True when the fields differ from what was last shown or reported."""
        return self.texts() != self._shown

    def mark_reported(self) -> None:
        """Remember the current texts as reported (after a commit)."""
        self._shown = self.texts()

    def set_read_only(self, read_only: bool) -> None:
        """Readable but not editable."""
        self.year.setReadOnly(read_only)
        for combo in (self.month, self.day):
            combo.setEnabled(not read_only)

    def _month_changed(self, text: str) -> None:
        unknown = _part(text) == UNKNOWN
        if unknown and _part(self.day.currentText()) != UNKNOWN:
            self.day.setEditText(UNKNOWN)
        self.day.setEnabled(not unknown and self.month.isEnabled())

    # -- focus and keys ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Commit when the focus leaves the widget; in a cell, Tab moves between the fields."""
        kind = event.type()
        if kind == QEvent.Type.FocusOut and isinstance(event, QFocusEvent):
            if event.reason() not in (
                Qt.FocusReason.PopupFocusReason,
                Qt.FocusReason.ActiveWindowFocusReason,
            ):
                now = QApplication.focusWidget()
                if now is None or (now is not self and not self.isAncestorOf(now)):
                    self.editingFinished.emit()
        elif kind == QEvent.Type.KeyPress and self.in_cell and isinstance(event, QKeyEvent):
            return self._cell_key(watched, event)
        return False

    def _cell_key(self, watched: QObject, event: QKeyEvent) -> bool:
        order: list[QWidget] = [w for w in self.fields() if w.isEnabled()]
        here = next((n for n, w in enumerate(order) if w is watched), None)
        if here is None:
            return False
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.leaveRequested.emit(None)
            return True
        if key == Qt.Key.Key_Tab and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            if here + 1 < len(order):
                order[here + 1].setFocus(Qt.FocusReason.TabFocusReason)
            else:
                self.leaveRequested.emit(True)
            return True
        if key == Qt.Key.Key_Backtab or (
            key == Qt.Key.Key_Tab and event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            if here > 0:
                order[here - 1].setFocus(Qt.FocusReason.BacktabFocusReason)
            else:
                self.leaveRequested.emit(False)
            return True
        return False


def unknown_allowed(min_precision: str | None) -> str:
    """Which part may be UNK for an item's ``min_precision`` (``month``, ``day`` or ``none``)."""
    return {"month": "day", "day": "none"}.get(min_precision or "year", "month")
