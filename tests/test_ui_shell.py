"""The application shell used the way a person uses it: set up, log in, work, lock, log out.

Each test runs the real :class:`Shell` on a copy of a small test site (cheap
Argon2id), types into the real widgets and clicks the real buttons; modal dialogs
are answered by a timer once they are shown, as a person would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
)
from pytestqt.qtbot import QtBot

from npc_crf.auth.policy import LoginPolicy
from npc_crf.auth.roles import Role
from npc_crf.core.errors import AuthError, UsageError
from npc_crf.services.site import Site
from npc_crf.ui.admin_view import AdminView, AuditReasonDialog, PasswordDialog
from npc_crf.ui.app import Shell
from npc_crf.ui.i18n import ScaledLabel
from npc_crf.ui.login import ChangePasswordDialog, password_problem
from npc_crf.ui.prefs import Prefs, PrefsStore
from npc_crf.ui.queries_view import QueriesView
from npc_crf.ui.reports_view import ReportsView
from npc_crf.ui.status_bar import LocalSummary, StatusBar
from npc_crf.ui.sync_view import SyncView
from tests.store_helpers import (
    ADMIN,
    DOCTOR,
    FULL_NAMES,
    NURSE,
    PASSWORDS,
    TEMPORARY_PASSWORD,
    SiteTemplate,
    audit_actions,
    audit_count,
    enrol_consented,
)
from tests.ui_shell import (
    LEFT,
    WAIT,
    idle,
    log_in,
    logged_in,
    main_window,
    message,
    shells_in,
    site_open,
    type_into,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> SiteTemplate:
    return SiteTemplate.build(tmp_path_factory.mktemp("shell") / "site", users=(NURSE, DOCTOR))


class StandInFormPage(QWidget):
    """A form page with one text field: what the main window needs of a FormPage."""

    saved = Signal(object)
    closeRequested = Signal()

    def __init__(self, ws, runner, subject_id, event_oid, occurrence, form_oid, lang) -> None:
        super().__init__()
        self.where = (subject_id, event_oid, occurrence, form_oid, lang)
        self.edit = QLineEdit()
        self.edit.setObjectName("stand_in_value")
        QVBoxLayout(self).addWidget(self.edit)
        self.leave_answers: list[bool] = []  # what confirm_leave answers, in turn
        self.asked = 0

    def has_unsaved(self) -> bool:
        return bool(self.edit.text())

    def confirm_leave(self) -> bool:
        if not self.has_unsaved():
            return True
        self.asked += 1
        return self.leave_answers.pop(0) if self.leave_answers else True


@pytest.fixture
def start(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[..., Shell]]:
    with shells_in(tmp_path) as make:
        yield make


@pytest.fixture
def site_dir(template: SiteTemplate, tmp_path: Path) -> Path:
    dest = tmp_path / "site"
    shutil.copytree(template.root, dest)
    return dest


def when_dialog(cls: type, act: Callable[[Any], None]) -> QTimer:
    """Call ``act(dialog)`` once a modal dialog of ``cls`` is shown (the caller of exec()
    waits meanwhile, as it would for a person)."""
    timer = QTimer()

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, cls):
            timer.stop()
            act(widget)

    timer.timeout.connect(poll)
    timer.start(20)
    return timer


def press_ok(dialog: QWidget) -> None:
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok is not None
    ok.click()


def translated(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# -- the first-run wizard -------------------------------------------------------------------

WIZARD_REFUSALS = [
    # (page, field → text, what the message says)
    ("site", {"site_id": "S"}, "not a valid site ID"),
    ("admin", {"username": "Ada"}, "not a valid user name"),
    ("admin", {"full_name": ""}, "full name is needed"),
    ("admin", {"password": "short", "repeat": "short"}, "too short"),
    (
        "admin",
        {"password": "ada.lee.admin", "repeat": "ada.lee.admin", "username": "ada.lee.admin"},
        "user name",
    ),
    ("admin", {"repeat": "something else 1"}, "not the same"),
]
GOOD_ADMIN = {
    "username": "ada",
    "full_name": "Ada Lee",
    "password": "ada password 1",
    "repeat": "ada password 1",
}


def fill(page: QWidget, values: dict[str, str]) -> None:
    for name, text in values.items():
        edit = getattr(page, name)
        edit.setText(text)


@pytest.mark.parametrize(("page", "values", "says"), WIZARD_REFUSALS)
def test_the_wizard_refuses_bad_entries_with_a_message(qtbot, start, tmp_path, page, values, says):
    shell = start(tmp_path / "new")
    wizard = shell.wizard
    assert wizard is not None
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    fill(wizard.site_page, {"site_id": "S01"} | (values if page == "site" else {}))
    qtbot.mouseClick(next_button, LEFT)
    if page == "admin":
        assert wizard.currentPage() is wizard.admin_page
        fill(wizard.admin_page, GOOD_ADMIN | values)
        qtbot.mouseClick(next_button, LEFT)
    shown = wizard.site_page if page == "site" else wizard.admin_page
    assert wizard.currentPage() is shown
    assert says in shown.error.text()
    assert not (tmp_path / "new" / "keys.json").exists()


def test_the_wizard_creates_a_site_and_its_recovery_key_works(qtbot, start, tmp_path):
    folder = tmp_path / "new"
    shell = start(folder)
    wizard = shell.wizard
    assert wizard is not None and wizard.isVisible()
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    qtbot.keyClicks(wizard.site_page.site_id, "s07")
    assert wizard.site_page.site_id.text() == "S07"  # site IDs are capitals
    wizard.site_page.installation.setValue(2)
    qtbot.mouseClick(next_button, LEFT)
    for name, text in GOOD_ADMIN.items():
        qtbot.keyClicks(getattr(wizard.admin_page, name), text)
    qtbot.mouseClick(next_button, LEFT)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.key_page, timeout=WAIT)

    key = wizard.key_page.key.text()
    assert key == wizard.recovery_key and len(key) > 20
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()  # not before the box is ticked
    warned: list[str] = []

    def read_and_close(box: QMessageBox) -> None:
        warned.append(box.text())
        box.accept()

    timer = when_dialog(QMessageBox, read_and_close)
    wizard.reject()  # closing now would lose the key: refused, with a warning
    timer.stop()
    assert wizard.isVisible() and "recovery key" in warned[0]
    box = wizard.key_page.stored
    qtbot.mouseClick(box, LEFT, pos=QPoint(8, box.height() // 2))  # on the tick box
    assert finish.isEnabled()
    qtbot.mouseClick(wizard.key_page.copy, LEFT)  # e.g. into the site's password manager
    assert QApplication.clipboard().text() == key
    qtbot.mouseClick(finish, LEFT)
    qtbot.waitUntil(lambda: shell.login_window is not None and shell.login_window.isVisible())
    assert "S07" in shell.login_window.subtitle.text()
    assert QApplication.clipboard().text() != key  # not left behind on the clipboard
    assert wizard.recovery_key is None

    log_in(qtbot, shell, "ada", GOOD_ADMIN["password"])
    window = main_window(qtbot, shell)
    assert "S07" in window.status.site.text() and "2" in window.status.installation.text()
    shell.quit()

    with Site.open(folder) as site:
        recovered = site.recover(key, "ada", "a brand new password 2")
        assert recovered.username == "ada"
        recovered.logout()


# -- logging in -----------------------------------------------------------------------------


def test_a_wrong_password_says_so(qtbot, start, site_dir):
    shell = start(site_dir)
    log_in(qtbot, shell, NURSE, "not the password")
    assert message(shell) == translated("Shell", "Wrong user name or password.")
    assert shell.login_window.message.isVisible()
    assert shell.main_window is None


def test_five_failures_lock_the_account_with_the_minutes_left(qtbot, start, site_dir):
    shell = start(site_dir)
    policy = LoginPolicy()
    for attempt in range(1, policy.max_failed_logins + 1):
        log_in(qtbot, shell, NURSE, f"wrong {attempt}")
        if attempt < policy.max_failed_logins:
            assert message(shell) == "Wrong user name or password.", attempt
    locked = message(shell)
    assert "locked" in locked and f"{policy.lockout_minutes} minute(s)" in locked
    log_in(qtbot, shell, NURSE, PASSWORDS[NURSE])  # the right password does not open it now
    assert shell.main_window is None
    assert "locked" in message(shell) and "minute(s)" in message(shell)


def test_logging_in_shows_the_main_window_with_the_status_bar_filled(qtbot, start, site_dir):
    shell = start(site_dir)
    window = logged_in(qtbot, shell, NURSE)
    assert not shell.login_window.isVisible()
    status = window.status
    assert FULL_NAMES[NURSE] in status.user.text()
    assert "CRC" in status.role.text()
    assert "S01" in status.site.text()
    assert status.installation.text().endswith("1")
    assert "never" in status.last_sync.text()
    assert status.unsent.text().split()[-1].isdigit()
    assert window.current_key == "subjects"


def test_the_language_switch_turns_the_login_screen_chinese(qtbot, start, site_dir):
    shell = start(site_dir)
    window = shell.login_window
    log_in(qtbot, shell, NURSE, "not the password")
    english = (window.login_button.text(), window.user_label.text(), window.message.text())
    window.language.setCurrentIndex(window.language.findData("zh"))
    qtbot.waitUntil(lambda: window.login_button.text() != english[0])
    chinese = (window.login_button.text(), window.user_label.text(), window.message.text())
    for before, after in zip(english, chinese, strict=True):
        assert has_chinese(after) and not has_chinese(before), (before, after)
    assert has_chinese(window.windowTitle())
    assert shell.prefs.last.language == "zh"  # the next start begins in Chinese
    window.language.setCurrentIndex(window.language.findData("en"))
    qtbot.waitUntil(lambda: window.login_button.text() == english[0])


def test_a_second_process_holding_the_site_is_shown_with_quit(qtbot, start, site_dir):
    holder = Site.open(site_dir)  # as another running copy of npc-crf would
    try:
        shell = start(site_dir)
        window = shell.login_window
        assert window is not None and not site_open(shell)
        assert "already open in another npc-crf" in window.message.text()
        assert not window.login_button.isEnabled()
        assert window.quit_button.isVisible() and window.retry_button.isVisible()
    finally:
        holder.close()
    qtbot.mouseClick(window.retry_button, LEFT)
    assert site_open(shell)
    assert shell.login_window is not None and shell.login_window.login_button.isEnabled()


def test_a_reset_password_must_be_changed_first(qtbot, start, site_dir):
    with Site.open(site_dir) as site:
        admin = site.login(ADMIN, PASSWORDS[ADMIN])
        admin.users.reset_password(NURSE, TEMPORARY_PASSWORD)
        admin.logout()
    shell = start(site_dir)
    log_in(qtbot, shell, NURSE, TEMPORARY_PASSWORD)
    qtbot.waitUntil(lambda: shell.forced_dialog is not None and shell.forced_dialog.isVisible())
    dialog = shell.forced_dialog
    assert isinstance(dialog, ChangePasswordDialog) and shell.main_window is None
    qtbot.keyClicks(dialog.current, TEMPORARY_PASSWORD)
    qtbot.keyClicks(dialog.new, "short")
    qtbot.keyClicks(dialog.repeat, "short")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert "too short" in dialog.message.text()
    for edit in (dialog.new, dialog.repeat):
        type_into(qtbot, edit, "my own password 9")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    window = main_window(qtbot, shell)
    assert not window.ws.must_change_password
    window.log_out()
    qtbot.waitUntil(lambda: shell.login_window is not None and shell.login_window.isVisible())
    log_in(qtbot, shell, NURSE, "my own password 9")
    main_window(qtbot, shell)


# -- the main window ------------------------------------------------------------------------

NAVIGATION = [
    (NURSE, ["subjects", "worklist", "queries", "sync", "reports"]),
    (ADMIN, ["subjects", "worklist", "queries", "sync", "reports", "admin"]),
]


@pytest.mark.parametrize(("user", "pages"), NAVIGATION)
def test_every_page_can_be_reached(qtbot, start, site_dir, user, pages):
    shell = start(site_dir)
    window = logged_in(qtbot, shell, user)
    keys = [window.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.nav.count())]
    assert keys == pages
    for row, key in enumerate(keys):
        window.nav.setCurrentRow(row)
        assert window.current_key == key
        page = window.pages.currentWidget()
        assert page is not None and page.isVisible()
        if key == "reports":
            assert isinstance(page, ReportsView)
        if key == "sync":
            assert isinstance(page, SyncView)
        if key == "queries":
            assert isinstance(page, QueriesView)
        idle(qtbot, shell)


def test_a_new_subject_opens_its_casebook_and_a_form_and_back(qtbot, start, site_dir):
    from npc_crf.ui.casebook_model import CellTarget
    from npc_crf.ui.form_page import FormPage

    shell = start(site_dir)
    window = logged_in(qtbot, shell, NURSE)
    idle(qtbot, shell)
    subjects = window.views["subjects"]
    qtbot.mouseClick(subjects.findChild(QPushButton, "screen_new_subject"), LEFT)
    qtbot.waitUntil(lambda: window.current_key == "casebook", timeout=WAIT)
    idle(qtbot, shell)
    casebook: Any = window.views["casebook"]
    subject = casebook.subject_id
    assert subject is not None and window.current_subject == subject
    assert casebook.select_cell(CellTarget("SCR", 1, "IC"))
    qtbot.keyClick(casebook.grid, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_key == "form", timeout=WAIT)
    page = window.form_page
    assert isinstance(page, FormPage) and (page.subject_id, page.form_oid) == (subject, "IC")
    assert window.nav.currentItem().data(Qt.ItemDataRole.UserRole) == "subjects"
    idle(qtbot, shell)
    qtbot.mouseClick(page.close_button, LEFT)
    qtbot.waitUntil(lambda: window.current_key == "casebook", timeout=WAIT)
    assert window.form_page is None
    item = window.nav.item(0)  # "Subjects", highlighted while the casebook is shown
    assert item is not None and item.isSelected()
    qtbot.mouseClick(window.nav.viewport(), LEFT, pos=window.nav.visualItemRect(item).center())
    assert window.current_key == "subjects"


def test_an_open_form_survives_the_idle_lock(qtbot, start, site_dir):
    shell = start(site_dir, idle_ms=300, form_page_factory=StandInFormPage)
    window = logged_in(qtbot, shell, NURSE)
    idle(qtbot, shell)
    page = window.open_form("S01-01-0001", "SCR", 1, "IC")
    assert isinstance(page, StandInFormPage) and window.current_key == "form"
    page.edit.setFocus()
    qtbot.keyClicks(page.edit, "typed, not saved")
    before = audit_count(window.ws)

    qtbot.waitUntil(lambda: window.locked, timeout=WAIT)
    assert window.cover.currentWidget() is window.lock_screen
    assert not page.isVisible() and not window.menuBar().isEnabled()
    assert FULL_NAMES[NURSE] in window.lock_screen.prompt.text()

    type_into(qtbot, window.lock_screen.password, "not the password")
    qtbot.mouseClick(window.lock_screen.unlock_button, LEFT)
    idle(qtbot, shell)
    assert window.locked
    assert window.lock_screen.message.text() == translated("MainWindow", "Wrong password.")

    type_into(qtbot, window.lock_screen.password, PASSWORDS[NURSE])
    qtbot.mouseClick(window.lock_screen.unlock_button, LEFT)
    qtbot.waitUntil(lambda: not window.locked, timeout=WAIT)
    assert window.form_page is page and page.isVisible()
    assert page.edit.text() == "typed, not saved"
    assert window.current_key == "form"
    assert audit_actions(window.ws, before)[:3] == [
        "session_locked",
        "unlock_failed",
        "session_unlocked",
    ]


def test_too_many_wrong_passwords_at_the_lock_screen_end_the_session(qtbot, start, site_dir):
    shell = start(site_dir)
    window = logged_in(qtbot, shell, NURSE)
    idle(qtbot, shell)
    window.lock("by hand")
    limit = window.ws.site.policy.max_failed_logins
    for attempt in range(limit):
        type_into(qtbot, window.lock_screen.password, f"not the password {attempt}")
        qtbot.mouseClick(window.lock_screen.unlock_button, LEFT)
        idle(qtbot, shell)
    qtbot.waitUntil(lambda: shell.login_window is not None and shell.login_window.isVisible())
    assert shell.main_window is None
    text = message(shell)
    assert "lock screen" in text and f"{limit} times" in text and "session has ended" in text
    log_in(qtbot, shell, NURSE, PASSWORDS[NURSE])
    assert "is locked after" in message(shell) and shell.main_window is None


def test_typing_in_a_real_form_page_survives_the_idle_lock(qtbot, start, site_dir):
    from npc_crf.ui.form_page import FormPage

    with Site.open(site_dir) as site:
        nurse = site.login(NURSE, PASSWORDS[NURSE])
        subject = enrol_consented(nurse)
        nurse.logout()
    shell = start(site_dir, idle_ms=400)
    window = logged_in(qtbot, shell, NURSE)
    idle(qtbot, shell)
    page = window.open_form(subject, "SCR", 1, "DM")
    assert isinstance(page, FormPage)
    qtbot.waitUntil(lambda: page.view is not None and not shell.runner.busy, timeout=WAIT)
    edit = page.findChild(QLineEdit, "edit_HEIGHT")
    assert edit is not None
    edit.setFocus()
    qtbot.keyClicks(edit, "172")
    assert page.has_unsaved()

    qtbot.waitUntil(lambda: window.locked, timeout=WAIT)
    assert not page.isVisible()
    type_into(qtbot, window.lock_screen.password, PASSWORDS[NURSE])
    qtbot.mouseClick(window.lock_screen.unlock_button, LEFT)
    qtbot.waitUntil(lambda: not window.locked, timeout=WAIT)
    assert window.form_page is page and page.isVisible()
    assert edit.text() == "172" and page.has_unsaved()


def test_logging_out_asks_about_unsaved_input_then_writes_the_logout(qtbot, start, site_dir):
    shell = start(site_dir, form_page_factory=StandInFormPage)
    window = logged_in(qtbot, shell, NURSE)
    ws = window.ws
    page = window.open_form("S01-01-0001", "SCR", 1, "IC")
    assert isinstance(page, StandInFormPage)
    qtbot.keyClicks(page.edit, "unsaved")
    page.leave_answers = [False, False]
    window.logout_action.trigger()  # the person chooses to stay
    assert page.asked == 1 and window.isVisible() and window.form_page is page
    window.close()  # closing the window asks too
    assert page.asked == 2 and window.isVisible() and not window.ending
    before = audit_count(ws)
    page.leave_answers = [True]
    window.logout_action.trigger()
    qtbot.waitUntil(lambda: shell.login_window is not None and shell.login_window.isVisible())
    assert ws.logged_out and shell.main_window is None
    assert "logout" in audit_actions(ws, before)


def test_switching_the_language_recreates_the_views_after_asking(qtbot, start, site_dir):
    shell = start(site_dir, form_page_factory=StandInFormPage)
    window = logged_in(qtbot, shell, NURSE)
    idle(qtbot, shell)
    page = window.open_form("S01-01-0001", "SCR", 1, "IC")
    assert isinstance(page, StandInFormPage)
    qtbot.keyClicks(page.edit, "unsaved")
    page.leave_answers = [False]
    assert not window.set_language("zh")  # the person stays on the form
    assert window.lang == "en" and window.form_page is page
    page.leave_answers = [True]
    assert window.set_language("zh")
    idle(qtbot, shell)
    assert window.lang == "zh" and has_chinese(window.nav.item(0).text())
    reopened = window.form_page
    assert isinstance(reopened, StandInFormPage) and reopened is not page
    assert reopened.where == ("S01-01-0001", "SCR", 1, "IC", "zh")
    assert shell.prefs.for_user(NURSE) == Prefs("zh", 100)


def test_a_larger_font_scales_the_application(qtbot, start, site_dir):
    shell = start(site_dir)
    window = logged_in(qtbot, shell, NURSE)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.font().pointSizeF()
    heading = ScaledLabel("x", factor=2.0)
    window.set_font_scale(150)
    assert app.font().pointSizeF() == pytest.approx(before * 1.5, abs=0.1)
    for label in (window.status.user, window.status.warning):  # the warning has a style sheet
        qtbot.waitUntil(lambda lb=label: lb.font().pointSizeF() == app.font().pointSizeF())
    qtbot.waitUntil(lambda: heading.font().pointSizeF() == pytest.approx(before * 3, abs=0.1))
    assert window.font_actions[150].isChecked()
    assert shell.prefs.for_user(NURSE) == Prefs("en", 150)


# -- administration -------------------------------------------------------------------------


def admin_view(qtbot: QtBot, shell: Shell) -> AdminView:
    window = logged_in(qtbot, shell, ADMIN)
    assert window.navigate("admin")
    view = window.views["admin"]
    assert isinstance(view, AdminView)
    idle(qtbot, shell)
    return view


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


def row_of(table: QTableWidget, text: str) -> int:
    for row in range(table.rowCount()):
        if cell(table, row, 0) == text:
            return row
    raise AssertionError(f"{text} not in the table")


def test_the_administrator_adds_a_user_and_resets_a_password(qtbot, start, site_dir):
    shell = start(site_dir)
    view = admin_view(qtbot, shell)

    def add(dialog: PasswordDialog) -> None:
        dialog.username.setText("carla")
        dialog.full_name.setText("Carla Chen")
        dialog.role.setCurrentIndex(dialog.role.findData(Role.CRC.value))
        dialog.password.setText("carla initial 1")
        dialog.repeat.setText("carla initial 1")
        press_ok(dialog)

    timer = when_dialog(PasswordDialog, add)
    qtbot.mouseClick(view.findChild(QPushButton, "add_user"), LEFT)
    timer.stop()
    qtbot.waitUntil(lambda: "carla" in [a.username for a in view.accounts], timeout=WAIT)
    row = row_of(view.account_table, "carla")
    assert "must change password" in cell(view.account_table, row, 3)

    view.account_table.selectRow(row_of(view.account_table, NURSE))

    def reset(dialog: PasswordDialog) -> None:
        dialog.password.setText(TEMPORARY_PASSWORD)
        dialog.repeat.setText(TEMPORARY_PASSWORD)
        press_ok(dialog)

    timer = when_dialog(PasswordDialog, reset)
    qtbot.mouseClick(view.findChild(QPushButton, "reset_password"), LEFT)
    timer.stop()
    qtbot.waitUntil(lambda: NURSE in view.notice.text(), timeout=WAIT)
    idle(qtbot, shell)
    nurse = next(a for a in view.accounts if a.username == NURSE)
    assert nurse.must_change_password
    assert shell.site is not None and shell.site.keys.unwrap(NURSE, TEMPORARY_PASSWORD)

    view.account_table.selectRow(row_of(view.account_table, "carla"))

    def give_reason(dialog: AuditReasonDialog) -> None:
        dialog.reason.setText("left the ward")
        press_ok(dialog)

    timer = when_dialog(AuditReasonDialog, give_reason)
    qtbot.mouseClick(view.findChild(QPushButton, "disable_user"), LEFT)
    timer.stop()
    qtbot.waitUntil(lambda: "carla" in view.notice.text(), timeout=WAIT)
    idle(qtbot, shell)
    assert cell(view.account_table, row_of(view.account_table, "carla"), 3) == "disabled"


def test_the_administrator_unlocks_a_locked_account(qtbot, start, site_dir):
    with Site.open(site_dir) as site:
        for attempt in range(LoginPolicy().max_failed_logins):
            with pytest.raises(AuthError):
                site.login(NURSE, f"wrong {attempt}")
    shell = start(site_dir)
    view = admin_view(qtbot, shell)
    row = row_of(view.account_table, NURSE)
    assert "locked until" in cell(view.account_table, row, 3)
    view.account_table.selectRow(row)
    qtbot.mouseClick(view.findChild(QPushButton, "unlock_user"), LEFT)
    qtbot.waitUntil(lambda: "unlocked" in view.notice.text(), timeout=WAIT)
    idle(qtbot, shell)
    assert "locked" not in cell(view.account_table, row_of(view.account_table, NURSE), 3)


def test_backups_are_made_listed_and_verified(qtbot, start, site_dir):
    shell = start(site_dir)
    view = admin_view(qtbot, shell)
    before = view.backup_table.rowCount()
    qtbot.mouseClick(view.findChild(QPushButton, "create_backup"), LEFT)
    qtbot.waitUntil(lambda: view.backup_table.rowCount() == before + 1, timeout=WAIT)
    assert cell(view.backup_table, 0, 1) == "by hand"  # newest first
    view.backup_table.selectRow(0)
    qtbot.mouseClick(view.findChild(QPushButton, "verify_backup"), LEFT)
    qtbot.waitUntil(lambda: "intact" in view.notice.text(), timeout=WAIT)
    assert view.backups[0].name in view.notice.text()


def test_a_restore_returns_to_the_login_screen_and_names_the_lost_subjects(qtbot, start, site_dir):
    with Site.open(site_dir) as site:
        admin = site.login(ADMIN, PASSWORDS[ADMIN])
        backup = admin.backups.create("manual")
        admin.logout()
        nurse = site.login(NURSE, PASSWORDS[NURSE])
        entered_later = enrol_consented(nurse)
        nurse.logout()
    shell = start(site_dir)
    view = admin_view(qtbot, shell)
    view.backup_table.selectRow([b.name for b in view.backups].index(backup.name))

    def give_reason(dialog: AuditReasonDialog) -> None:
        dialog.reason.setText("training: restore drill")
        dialog.accept()
        timers.append(
            when_dialog(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Yes).click())
        )

    timers = [when_dialog(AuditReasonDialog, give_reason)]
    qtbot.mouseClick(view.findChild(QPushButton, "restore_backup"), LEFT)
    qtbot.waitUntil(lambda: shell.main_window is None, timeout=WAIT)
    for timer in timers:
        timer.stop()
    window = shell.login_window
    assert window is not None and window.isVisible()
    assert backup.name in window.message.text() and "restored" in window.message.text()
    assert entered_later in window.message.text()
    log_in(qtbot, shell, ADMIN, PASSWORDS[ADMIN])
    main_window(qtbot, shell)


def test_settings_are_changed_with_a_reason(qtbot, start, site_dir):
    shell = start(site_dir)
    view = admin_view(qtbot, shell)
    box = view.setting_boxes["idle_lock_minutes"]
    box.setValue(box.value() + 5)
    view.save_settings("ward SOP 12 asks for it")
    qtbot.waitUntil(lambda: view.settings.get("idle_lock_minutes") == box.value(), timeout=WAIT)
    window = shell.main_window
    assert window is not None
    assert window.idle.timeout_ms == box.value() * 60_000  # in force at once


# -- pieces ---------------------------------------------------------------------------------

PASSWORDS_TO_CHECK = [
    ("nora", "short"),
    ("nora", "nora"),
    ("nora", "NORA      "),
    ("longusername1", "LongUserName1"),
    ("nora", " leading space ok?"),
    ("nora", "trailing space "),
    ("nora", "a good password"),
    ("nora", "0123456789"),
]


@pytest.mark.parametrize(("username", "password"), PASSWORDS_TO_CHECK)
def test_the_interface_checks_passwords_like_the_policy(username, password):
    policy = LoginPolicy()
    try:
        policy.check_password(username, password)
        refused = False
    except UsageError:
        refused = True
    assert (password_problem(policy, username, password) is not None) == refused


STATUS_CASES = [
    # (warn, days since the last sync, the warning shown, text in it)
    (False, None, False, ""),
    (True, None, True, "yet"),
    (True, 9, True, "9 days"),
]


@pytest.mark.parametrize(("warn", "days", "shown", "says"), STATUS_CASES)
def test_the_status_bar_warns_when_nothing_was_sent_for_long(qtbot, warn, days, shown, says):
    bar = StatusBar()
    qtbot.addWidget(bar)
    bar.show()
    bar.show_summary(LocalSummary("Nora Nurse", Role.CRC, "S01", 3, None, 12, days, warn))
    assert bar.warning.isVisible() == shown
    assert says in bar.warning.text()
    assert "12" in bar.unsent.text() and "3" in bar.installation.text()


def test_preferences_are_kept_per_user_and_survive_a_damaged_file(tmp_path):
    path = tmp_path / "config" / "prefs.json"
    store = PrefsStore(path)
    assert store.last == Prefs() and store.for_user(NURSE) is None
    store.remember(NURSE, Prefs("zh", 130))
    store.update(DOCTOR, font_scale=115)
    again = PrefsStore(path)
    assert again.for_user(NURSE) == Prefs("zh", 130)
    assert again.for_user(DOCTOR) == Prefs("zh", 115)  # starts from the last choice
    assert again.last == Prefs("zh", 115)
    path.write_text("{not json", encoding="utf-8")
    assert PrefsStore(path).last == Prefs()
    path.write_text('{"last": {"language": "fr", "font_scale": 999}}', encoding="utf-8")
    assert PrefsStore(path).last == Prefs()


def test_a_users_own_language_is_used_after_login(qtbot, start, site_dir, tmp_path):
    prefs = PrefsStore(tmp_path / "prefs.json")
    prefs.remember(NURSE, Prefs("zh", 100))
    prefs.remember(None, Prefs("en", 100))
    shell = start(site_dir, prefs=prefs, lang=None)
    assert not has_chinese(shell.login_window.login_button.text())
    window = logged_in(qtbot, shell, NURSE)
    assert window.lang == "zh" and has_chinese(window.nav.item(0).text())


# -- the screenshot tour --------------------------------------------------------------------


def test_the_tour_command_writes_screenshots(tmp_path):
    out, data = tmp_path / "shots", tmp_path / "demo"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "npc_crf",
            "gui",
            "--tour",
            str(out),
            "--data-dir",
            str(data),
            "--test-kdf",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    shots = sorted(out.glob("*.png"))
    printed = [line for line in result.stdout.splitlines() if line.endswith(".png")]
    assert len(printed) == len(shots) >= 20
    names = {p.name for p in shots}
    for lang in ("en", "zh"):
        for screen in (
            "wizard-1-site",
            "login-locked",
            "main-subjects",
            "idle-lock",
            "admin-accounts",
        ):
            assert f"{lang}-{screen}.png" in names, (lang, screen)
    assert all(p.stat().st_size > 5000 for p in shots)


# -- found in code the shell depends on -----------------------------------------------------


def test_logging_out_of_a_locked_session_still_makes_the_automatic_backup(site_dir):
    for old in (site_dir / "backups").iterdir():
        shutil.rmtree(old)  # no recent backup: the logout must make one
    with Site.open(site_dir) as site:
        ws = site.login(NURSE, PASSWORDS[NURSE])
        ws.lock("idle")
        ws.logout()
    assert [p.name.endswith("-auto") for p in (site_dir / "backups").iterdir()] == [True]
