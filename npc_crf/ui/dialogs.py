"""Dialogs of the form entry screen: reasons, history, errors, questions.

* :class:`ReasonDialog` — a reason for change (or for keeping a value outside
  its expected range): common reasons in a list plus free text; never empty;
* :class:`HistoryDialog` — the audit trail of an item or a form as a table;
* :func:`show_error` — an :class:`~npc_crf.core.errors.NpcCrfError` as a clear
  message, with every refused value listed;
* :func:`show_problems`, :func:`confirm`, :func:`ask_save_discard_cancel`.

Every dialog is modal and run with ``exec()``; the texts go through Qt's
translation (context ``Dialogs`` for the functions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from npc_crf.core.errors import (
    NpcCrfError,
    PermissionDenied,
    StoreError,
    UsageError,
    ValidationFailed,
)
from npc_crf.services.audit_service import AuditEntry

#: problems listed in an error's text; the rest go to the details
MAX_LISTED = 15


def run_modal(dialog: QDialog) -> int:
    """``exec()`` a dialog, then delete it and give the focus back to where it was."""
    before = QApplication.focusWidget()
    owner = dialog.parentWidget()
    try:
        return dialog.exec()
    finally:
        dialog.hide()
        dialog.deleteLater()
        if before is not None and shiboken6.isValid(before) and before.isVisible():
            before.activateWindow()
            before.setFocus(Qt.FocusReason.OtherFocusReason)
        elif owner is not None and owner.isVisible():
            owner.activateWindow()


def change_reasons() -> list[str]:
    """Common reasons for changing saved data."""
    return [
        QCoreApplication.translate("Dialogs", "Transcription error"),
        QCoreApplication.translate("Dialogs", "Data clarification"),
        QCoreApplication.translate("Dialogs", "New information"),
    ]


def override_reasons() -> list[str]:
    """Common reasons for keeping a value outside its expected range."""
    return [
        QCoreApplication.translate("Dialogs", "Confirmed in the source document"),
        QCoreApplication.translate("Dialogs", "Clinically plausible for this subject"),
        QCoreApplication.translate("Dialogs", "Measurement repeated with the same result"),
    ]


class ReasonDialog(QDialog):
    """Asks for a reason: a common one from the list, free text, or both. Never empty."""

    def __init__(
        self,
        title: str,
        prompt: str,
        reasons: Sequence[str] = (),
        *,
        warning: str | None = None,
        initial: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reason_dialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        text = QLabel(prompt)
        text.setWordWrap(True)
        layout.addWidget(text)
        if warning:
            caution = QLabel(warning)
            caution.setObjectName("warning")
            caution.setWordWrap(True)
            caution.setStyleSheet("color: #b71c1c; font-weight: bold;")
            layout.addWidget(caution)
        self.choice = QComboBox()
        self.choice.setObjectName("reason_choice")
        self.choice.addItem(self.tr("(choose a common reason, or type one below)"))
        self.choice.addItems(list(reasons))
        self.choice.setVisible(bool(reasons))
        layout.addWidget(self.choice)
        self.text = QLineEdit(initial)
        self.text.setObjectName("reason_text")
        self.text.setPlaceholderText(self.tr("Reason, or details of the reason chosen above"))
        layout.addWidget(self.text)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.choice.currentIndexChanged.connect(self._update)
        self.text.textChanged.connect(self._update)
        self._update()
        (self.choice if reasons and not initial else self.text).setFocus()

    def reason(self) -> str:
        """The reason as it will be recorded: ``Chosen reason: details``, or either alone."""
        chosen = self.choice.currentText() if self.choice.currentIndex() > 0 else ""
        details = self.text.text().strip()
        if chosen and details:
            return self.tr("{reason}: {details}").format(reason=chosen, details=details)
        return chosen or details

    def _update(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.reason()))

    def accept(self) -> None:
        """Accept only with a reason."""
        if self.reason():
            super().accept()


def ask_reason(
    parent: QWidget | None,
    title: str,
    prompt: str,
    reasons: Sequence[str] = (),
    *,
    warning: str | None = None,
    initial: str = "",
) -> str | None:
    """Run a :class:`ReasonDialog`; the reason, or None when cancelled."""
    dialog = ReasonDialog(title, prompt, reasons, warning=warning, initial=initial, parent=parent)
    given: list[str] = []
    dialog.accepted.connect(lambda: given.append(dialog.reason()))
    run_modal(dialog)
    return given[0] if given else None


def action_text(action: str) -> str:
    """An audit action in the interface language (the code itself if unknown)."""
    names = {
        "value_entered": QCoreApplication.translate("Dialogs", "Entered"),
        "value_changed": QCoreApplication.translate("Dialogs", "Changed"),
        "value_cleared": QCoreApplication.translate("Dialogs", "Cleared"),
        "warning_overridden": QCoreApplication.translate("Dialogs", "Warning overridden"),
        "row_added": QCoreApplication.translate("Dialogs", "Row added"),
        "row_deleted": QCoreApplication.translate("Dialogs", "Row removed"),
        "form_created": QCoreApplication.translate("Dialogs", "Form started"),
        "form_status_changed": QCoreApplication.translate("Dialogs", "Status changed"),
        "form_signed": QCoreApplication.translate("Dialogs", "Signed"),
        "signature_voided": QCoreApplication.translate("Dialogs", "Signature voided"),
        "form_locked": QCoreApplication.translate("Dialogs", "Locked"),
        "form_unlocked": QCoreApplication.translate("Dialogs", "Unlocked"),
        "event_created": QCoreApplication.translate("Dialogs", "Visit started"),
    }
    return names.get(action, action)


def local_time(at_utc: str, offset: str) -> str:
    """``2026-01-05T01:30:00.000000Z`` and ``+08:00`` → ``2026-01-05 09:30 (+08:00)``."""
    try:
        moment = dt.datetime.fromisoformat(at_utc.replace("Z", "+00:00"))
        sign = -1 if offset.startswith("-") else 1
        hours, minutes = (int(p) for p in offset.lstrip("+-").split(":"))
        zone = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    except ValueError:
        return at_utc
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} ({offset})"


def local_moment(at_utc: str) -> str:
    """A stored UTC moment in this computer's time zone, to the minute (for "last saved")."""
    try:
        moment = dt.datetime.fromisoformat(at_utc.replace("Z", "+00:00"))
    except ValueError:
        return at_utc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


class HistoryDialog(QDialog):
    """The audit trail of an item or a form: when, who, what, old → new, why."""

    COLUMNS = 7
    ITEM = 3  # the column of the item

    def __init__(
        self,
        title: str,
        entries: Sequence[AuditEntry],
        parent: QWidget | None = None,
        *,
        item_text: Callable[[str], str] | None = None,
        value_text: Callable[[str], str] | None = None,
    ) -> None:
        """``item_text`` names an item path for people (its label; the path is kept in the
        cell's tooltip), ``value_text`` words a stored value (e.g. ``status=complete``)."""
        super().__init__(parent)
        self.setObjectName("history_dialog")
        self.setWindowTitle(title)
        self.resize(900, 420)
        layout = QVBoxLayout(self)
        heading = QLabel(title)
        heading.setWordWrap(True)
        heading.setStyleSheet("font-weight: bold;")
        layout.addWidget(heading)
        self.table = QTableWidget(len(entries), self.COLUMNS)
        self.table.setObjectName("history_table")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("When"),
                self.tr("Who"),
                self.tr("What"),
                self.tr("Item"),
                self.tr("Old value"),
                self.tr("New value"),
                self.tr("Reason"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        name_item = item_text or (lambda path: path)
        word_value = value_text or (lambda value: value)
        for row, entry in enumerate(entries):
            path = entry.item_path or ""
            cells = [
                local_time(entry.at_utc, entry.local_offset),
                f"{entry.username} ({entry.role})",
                action_text(entry.action),
                name_item(path) if path else "",
                word_value(entry.old),
                word_value(entry.new),
                entry.reason or "",
            ]
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(f"{text}\n{path}" if col == self.ITEM and path != text else text)
                self.table.setItem(row, col, cell)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        if not entries:
            empty = QLabel(self.tr("Nothing recorded yet: the history starts with the first save."))
            empty.setObjectName("empty")
            layout.addWidget(empty)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    def rows(self) -> list[list[str]]:
        """The table's texts (for tests and copying)."""
        rows = []
        for r in range(self.table.rowCount()):
            cells = [self.table.item(r, c) for c in range(self.COLUMNS)]
            rows.append([cell.text() if cell is not None else "" for cell in cells])
        return rows


def error_title(error: BaseException) -> str:
    """A window title for an error, by its kind."""
    if isinstance(error, ValidationFailed):
        return QCoreApplication.translate("Dialogs", "Not saved: values refused")
    if isinstance(error, PermissionDenied):
        return QCoreApplication.translate("Dialogs", "Not allowed")
    if isinstance(error, StoreError):
        return QCoreApplication.translate("Dialogs", "The data store cannot be used")
    if isinstance(error, UsageError):
        return QCoreApplication.translate("Dialogs", "Not possible")
    return QCoreApplication.translate("Dialogs", "Something went wrong")


def error_text(error: BaseException) -> tuple[str, str, str]:
    """(message, informative text with the problems listed, details) of an error."""
    if not isinstance(error, NpcCrfError):
        return (
            QCoreApplication.translate(
                "Dialogs", "An unexpected error happened; nothing you typed was lost."
            ),
            type(error).__name__,
            str(error),
        )
    lines: list[str] = []
    details = ""
    if isinstance(error, ValidationFailed):
        lines = [f"• {p}" for p in error.problems[:MAX_LISTED]]
        if len(error.problems) > MAX_LISTED:
            lines.append(
                QCoreApplication.translate("Dialogs", "… and {n} more (see the details)").format(
                    n=len(error.problems) - MAX_LISTED
                )
            )
            details = "\n".join(error.problems)
    if error.hint:
        lines.append(error.hint)
    return error.message, "\n".join(lines), details


def show_error(parent: QWidget | None, error: BaseException) -> None:
    """Show an error with what went wrong, each refused value, and the hint."""
    message, informative, details = error_text(error)
    box = QMessageBox(parent)
    box.setObjectName("error_box")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(error_title(error))
    box.setText(message)
    if informative:
        box.setInformativeText(informative)
    if details:
        box.setDetailedText(details)
    run_modal(box)


def show_problems(parent: QWidget | None, title: str, text: str, lines: Sequence[str]) -> None:
    """A list of items that need attention (e.g. before a form can be marked complete)."""
    box = QMessageBox(parent)
    box.setObjectName("problems_box")
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(title)
    box.setText(text)
    shown = [f"• {line}" for line in lines[:MAX_LISTED]]
    if len(lines) > MAX_LISTED:
        shown.append(
            QCoreApplication.translate("Dialogs", "… and {n} more").format(
                n=len(lines) - MAX_LISTED
            )
        )
        box.setDetailedText("\n".join(lines))
    box.setInformativeText("\n".join(shown))
    run_modal(box)


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    """A yes/no question; True for yes."""
    box = QMessageBox(parent)
    box.setObjectName("confirm_box")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return run_modal(box) == QMessageBox.StandardButton.Yes


def ask_save_discard_cancel(parent: QWidget | None, text: str) -> str:
    """``save``, ``discard`` or ``cancel``: what to do with unsaved changes."""
    box = QMessageBox(parent)
    box.setObjectName("unsaved_box")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(QCoreApplication.translate("Dialogs", "Unsaved changes"))
    box.setText(text)
    box.setStandardButtons(
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel
    )
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = run_modal(box)
    if answer == QMessageBox.StandardButton.Save:
        return "save"
    if answer == QMessageBox.StandardButton.Discard:
        return "discard"
    return "cancel"


__all__ = [
    "HistoryDialog",
    "ReasonDialog",
    "ask_reason",
    "ask_save_discard_cancel",
    "change_reasons",
    "confirm",
    "override_reasons",
    "show_error",
    "show_problems",
]
