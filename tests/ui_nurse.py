"""What a nurse does on a form page, for the GUI tests: keys go where the focus is,
modal dialogs are answered once they show, and what was saved is read back through
the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from npc_crf.forms.session import ItemPath
from npc_crf.services.workspace import Workspace
from npc_crf.ui.dialogs import HistoryDialog, ReasonDialog
from npc_crf.ui.form_page import FormPage
from npc_crf.ui.form_view import FormView
from npc_crf.ui.worker import JobRunner

Key = Any  # Qt.Key (pytest-qt takes ints or enum members)


def open_page(
    qtbot: QtBot,
    ws: Workspace,
    runner: JobRunner,
    subject_id: str,
    event: str,
    form: str,
    *,
    occurrence: int = 1,
    lang: str = "en",
) -> FormPage:
    """Open a form page, shown and focused, once the form is loaded."""
    page = FormPage(ws, runner, subject_id, event, occurrence, form, lang)
    qtbot.addWidget(page)
    page.resize(1200, 900)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(lambda: page.view is not None and not page.busy, timeout=10000)
    qtbot.waitUntil(page.isActiveWindow, timeout=5000)
    if not page.read_only:  # the focus is placed in the first input once laid out
        qtbot.waitUntil(lambda: view_of(page).focused_path() is not None, timeout=5000)
    return page


def view_of(page: FormPage) -> FormView:
    assert page.view is not None
    return page.view


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def press(qtbot: QtBot, key: Key, modifier: Key = None) -> None:
    """A key on whatever has the focus (as a person presses it)."""
    widget = focused()
    assert widget is not None, "nothing has the keyboard focus"
    qtbot.keyClick(widget, key, modifier or Qt.KeyboardModifier.NoModifier)


def type_text(qtbot: QtBot, text: str) -> None:
    """Type, each key going where the focus is at that moment (as on a keyboard)."""
    for char in text:
        widget = focused()
        assert widget is not None, "nothing has the keyboard focus"
        qtbot.keyClicks(widget, char)


def enter(qtbot: QtBot) -> None:
    press(qtbot, Qt.Key.Key_Return)


def shortcut(qtbot: QtBot, key: Key, modifier: Key) -> None:
    press(qtbot, key, modifier)


def go_to(page: FormPage, item: str) -> None:
    """Put the cursor in an item (what a click or a few Tabs do)."""
    assert view_of(page).focus_path(ItemPath.parse(item)), f"{item} cannot take the focus"


def type_into(qtbot: QtBot, page: FormPage, item: str, text: str) -> None:
    """Go to an item, select what is there, type, and press Enter (commit + next)."""
    go_to(page, item)
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, text)
    enter(qtbot)


def back_to(qtbot: QtBot, page: FormPage) -> None:
    """Wait until a dialog has closed and the page has the keyboard again."""
    qtbot.waitUntil(
        lambda: QApplication.activeModalWidget() is None and page.isActiveWindow(), timeout=5000
    )


def wait_saved(qtbot: QtBot, page: FormPage) -> None:
    qtbot.waitUntil(lambda: not page.busy, timeout=10000)


def on_next_dialog(action: Callable[[QWidget], object], *, popup: bool = False) -> list[QWidget]:
    """Run ``action`` on the next modal dialog (or popup menu) as soon as it shows."""
    seen: list[QWidget] = []

    def check() -> None:
        widget = QApplication.activePopupWidget() if popup else QApplication.activeModalWidget()
        if widget is None or widget in seen:
            QTimer.singleShot(10, check)
            return
        seen.append(widget)
        try:
            action(widget)
        except BaseException:  # never leave a modal dialog open: the test would hang
            if isinstance(widget, QDialog):
                widget.reject()
            else:
                widget.close()
            raise

    QTimer.singleShot(0, check)
    return seen


def click_box_button(button: QMessageBox.StandardButton) -> Callable[[QWidget], None]:
    def act(widget: QWidget) -> None:
        assert isinstance(widget, QMessageBox), f"expected a message box, got {widget!r}"
        widget.button(button).click()

    return act


def give_reason(reason: str, *, choice: int = 0) -> Callable[[QWidget], None]:
    def act(widget: QWidget) -> None:
        assert isinstance(widget, ReasonDialog), f"expected the reason dialog, got {widget!r}"
        widget.choice.setCurrentIndex(choice)
        widget.text.setText(reason)
        widget.accept()

    return act


def history_shown(page: FormPage) -> HistoryDialog:
    dialog = page.history_dialog
    assert isinstance(dialog, HistoryDialog)
    return dialog


def stored(ws: Workspace, sid: str, event: str, form: str, occurrence: int = 1) -> Any:
    casebook = ws.casebook.load(sid)
    for record in casebook.events:
        if record.event_oid == event and record.occurrence == occurrence:
            return record.forms.get(form)
    return None


def form_rows(ws: Workspace, sid: str, event: str, form: str) -> list[dict[str, Any]]:
    """The group rows of a form instance as the store holds them (deleted ones too)."""
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT r.uid, r.position, r.deleted FROM group_row r "
            "JOIN form_instance f ON r.form_instance_id = f.id "
            "JOIN event_instance e ON f.event_instance_id = e.id "
            "WHERE e.subject_id = ? AND e.event_oid = ? AND f.form_oid = ? ORDER BY r.rowid",
            (sid, event, form),
        ).mappings()
        return [dict(r) for r in rows]


def audit_of(ws: Workspace, sid: str, action: str) -> list[Any]:
    return [e for e in ws.audit.history(subject_id=sid) if e.action == action]
