"""Administration: accounts, backups, site settings, freezes and locks, and the person's
own preferences.

Every action calls the service layer (which checks the permission and writes the
audit trail) in the worker; a refusal comes back as a message. A restore ends
every session, so the view reports it with ``restored`` and the application
returns to the login screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from npc_crf.auth.policy import LoginPolicy
from npc_crf.auth.roles import Permission, Role, allowed
from npc_crf.services.monitoring.hold_model import Hold, Level, Scope, Target
from npc_crf.services.site import USERNAME_RE
from npc_crf.ui import labels
from npc_crf.ui.dialogs import run_modal
from npc_crf.ui.errors import describe_error
from npc_crf.ui.i18n import LANGUAGES, QT_TRANSLATE_NOOP, role_name
from npc_crf.ui.login import error_label, password_problem
from npc_crf.ui.prefs import FONT_SCALES
from npc_crf.ui.worker import JobRunner, Progress

if TYPE_CHECKING:
    from npc_crf.services.backups import Restored
    from npc_crf.services.users import AccountInfo
    from npc_crf.services.workspace import Workspace
    from npc_crf.store.backup import BackupCheck, BackupInfo

#: the site settings as the administrator reads them (translated when shown)
SETTING_LABELS: dict[str, str] = {
    "max_failed_logins": QT_TRANSLATE_NOOP("Settings", "Failed logins before an account locks"),
    "lockout_minutes": QT_TRANSLATE_NOOP("Settings", "Lockout after failed logins (minutes)"),
    "idle_lock_minutes": QT_TRANSLATE_NOOP("Settings", "Lock the screen after idle minutes"),
    "min_password_length": QT_TRANSLATE_NOOP("Settings", "Shortest password (characters)"),
    "backup_keep": QT_TRANSLATE_NOOP("Settings", "Backups kept of each kind"),
    "sync_warn_days": QT_TRANSLATE_NOOP(
        "Settings", "Warn when nothing was sent to the coordinating center for (days)"
    ),
}


def _local_time(iso: str | None) -> str:
    """An ISO 8601 UTC time as local 'YYYY-MM-DD hh:mm' (empty for None)."""
    if not iso:
        return ""
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return f"{moment:%Y-%m-%d %H:%M}"


def _in_future(iso: str) -> bool:
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment > dt.datetime.now(dt.UTC)


def _table(columns: int, name: str) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setObjectName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


# -- dialogs -----------------------------------------------------------------------------


class AuditReasonDialog(QDialog):
    """Asks for the reason an audited action needs."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reason_dialog")
        self.setWindowTitle(title)
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setMinimumWidth(360)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.reason.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)

    @classmethod
    def ask(cls, parent: QWidget, title: str, prompt: str) -> str | None:
        """The reason, or None when the person cancelled. The dialog is deleted afterwards
        on the GUI thread (left to the garbage collector, it could be freed on a worker's)."""
        dialog = cls(title, prompt, parent)
        given: list[str] = []
        dialog.accepted.connect(lambda: given.append(dialog.reason.text().strip()))
        run_modal(dialog)
        return given[0] if given else None


class PasswordDialog(QDialog):
    """A new password typed twice, checked against the site's policy."""

    def __init__(
        self,
        policy: LoginPolicy,
        title: str,
        prompt: str,
        username: str = "",
        with_account: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("password_dialog")
        self.setWindowTitle(title)
        self.policy, self.fixed_username, self.with_account = policy, username, with_account
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.username = QLineEdit(username)
        self.username.setObjectName("new_username")
        self.full_name = QLineEdit()
        self.full_name.setObjectName("new_full_name")
        self.role = QComboBox()
        self.role.setObjectName("new_role")
        for role in Role:
            self.role.addItem(role_name(role), role.value)
        self.password = QLineEdit()
        self.password.setObjectName("new_password")
        self.repeat = QLineEdit()
        self.repeat.setObjectName("repeat_password")
        for edit in (self.password, self.repeat):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setMinimumWidth(260)
        self.error = error_label("admin_error")
        form = QFormLayout()
        if with_account:
            form.addRow(self.tr("User name"), self.username)
            form.addRow(self.tr("Full name"), self.full_name)
            form.addRow(self.tr("Role"), self.role)
        form.addRow(self.tr("Initial password"), self.password)
        form.addRow(self.tr("Password again"), self.repeat)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _check(self) -> None:
        username = self.username.text().strip()
        problem: str | None = None
        if self.with_account and not USERNAME_RE.match(username):
            problem = self.tr(
                "'{user}' is not a valid user name: 2–32 lower-case letters, digits, "
                "'.', '_' or '-', starting with a letter."
            ).format(user=username)
        elif self.with_account and not self.full_name.text().strip():
            problem = self.tr("The full name is needed: it is printed with every signature.")
        else:
            problem = password_problem(self.policy, username, self.password.text())
        if problem is None and self.password.text() != self.repeat.text():
            problem = self.tr("The two passwords are not the same.")
        if problem is not None:
            self.error.setText(problem)
            self.error.show()
            return
        self.accept()


# -- the view ----------------------------------------------------------------------------


class AdminView(QWidget):
    """Tabs: accounts, backups, site settings, freezes and locks, my preferences."""

    restored = Signal(object)  # the Restored result; every session has ended
    settingsChanged = Signal()
    languageRequested = Signal(str)
    fontScaleRequested = Signal(int)
    changePasswordRequested = Signal()

    def __init__(
        self,
        ws: Workspace,
        runner: JobRunner,
        lang: str,
        font_scale: int = 100,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("admin_view")
        self.ws, self.runner, self.lang = ws, runner, lang
        self.accounts: list[AccountInfo] = []
        self.backups: list[BackupInfo] = []
        self.settings: dict[str, int] = {}
        self.holds: list[Hold] = []
        self.tabs = QTabWidget()
        self.tabs.setObjectName("admin_tabs")
        self.notice = QLabel()
        self.notice.setObjectName("admin_notice")
        self.notice.setWordWrap(True)
        self.error = error_label("admin_error")
        self.error.setObjectName("admin_error")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.notice)
        layout.addWidget(self.error)
        self.can_manage = allowed(ws.role, Permission.MANAGE_USERS)
        self.can_backup = allowed(ws.role, Permission.BACKUP)
        self.can_settings = allowed(ws.role, Permission.SITE_SETTINGS)
        self.can_freeze = allowed(ws.role, Permission.FREEZE)
        self.can_lock = allowed(ws.role, Permission.LOCK_FORMS)
        if self.can_manage:
            self.tabs.addTab(self._accounts_tab(), self.tr("Accounts"))
        if self.can_backup:
            self.tabs.addTab(self._backups_tab(), self.tr("Backups"))
        if self.can_settings:
            self.tabs.addTab(self._settings_tab(), self.tr("Site settings"))
        if self.can_freeze or self.can_lock:
            self.holds_page = self._holds_tab()
            self.tabs.addTab(self.holds_page, self.tr("Freezes and locks"))
        self.tabs.addTab(self._prefs_tab(font_scale), self.tr("My preferences"))
        self.refresh()

    # -- running service calls ----------------------------------------------------------

    def _run(
        self, name: str, fn: Callable[[], Any], done: Callable[[Any], None] | None = None
    ) -> None:
        """Call ``fn`` in the worker; ``done(result)`` on the GUI thread; errors shown."""
        self.error.hide()
        self.notice.setText(self.tr("Working…"))

        def job(_p: Progress) -> Any:
            return fn()

        def finished(result: object) -> None:
            if not shiboken6.isValid(self):  # the view was re-created meanwhile
                return
            self._idle()
            if done is not None:
                done(result)

        def failed(error: object) -> None:
            if shiboken6.isValid(self):
                self._failed(error)

        started = self.runner.start(name, job)
        started.finished.connect(finished)
        started.failed.connect(failed)

    def _idle(self) -> None:
        if self.notice.text() == self.tr("Working…"):
            self.notice.clear()

    def _failed(self, error: object) -> None:
        self.notice.clear()
        self.error.setText(describe_error(error))
        self.error.show()

    def _say(self, text: str) -> None:
        self.error.hide()
        self.notice.setText(text)

    def refresh(self) -> None:
        """Load accounts, backups and settings again."""
        ws = self.ws
        if self.can_manage:
            self._run("list accounts", ws.users.list, self._show_accounts)
        if self.can_backup:
            self._run("list backups", ws.backups.list, self._show_backups)
        if self.can_settings:
            self._run("read settings", ws.settings.all, self._show_settings)
        if self.can_freeze or self.can_lock:
            self._run("list holds", ws.holds.in_force, self._show_holds)

    # -- accounts -----------------------------------------------------------------------

    def _accounts_tab(self) -> QWidget:
        page = QWidget()
        self.account_table = _table(5, "accounts_table")
        self.account_table.setHorizontalHeaderLabels(
            [
                self.tr("User name"),
                self.tr("Full name"),
                self.tr("Role"),
                self.tr("State"),
                self.tr("Created"),
            ]
        )
        buttons = QHBoxLayout()
        actions = (
            ("add_user", self.tr("Add user…"), self.add_user),
            ("disable_user", self.tr("Disable…"), self.disable_selected),
            ("reset_password", self.tr("Reset password…"), self.reset_selected),
            ("unlock_user", self.tr("Unlock"), self.unlock_selected),
        )
        for name, text, slot in actions:
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(lambda _c=False, s=slot: s())
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.account_table)
        layout.addLayout(buttons)
        return page

    def _account_state(self, info: AccountInfo) -> str:
        if not info.active:
            return self.tr("disabled")
        states = [self.tr("active")]
        if info.locked_until and _in_future(info.locked_until):
            states.append(
                self.tr("locked until {time}").format(time=_local_time(info.locked_until))
            )
        if info.must_change_password:
            states.append(self.tr("must change password"))
        return ", ".join(states)

    def _show_accounts(self, accounts: object) -> None:
        assert isinstance(accounts, list)
        self.accounts = accounts
        table = self.account_table
        table.setRowCount(len(accounts))
        for row, info in enumerate(accounts):
            cells = (
                info.username,
                info.full_name,
                role_name(info.role),
                self._account_state(info),
                _local_time(info.created_at),
            )
            for column, text in enumerate(cells):
                table.setItem(row, column, QTableWidgetItem(text))

    def selected_account(self) -> str | None:
        """The user name of the selected row."""
        rows = self.account_table.selectionModel().selectedRows()
        if not rows:
            self._say(self.tr("Choose an account in the table first."))
            return None
        return self.accounts[rows[0].row()].username

    def add_user(self) -> None:
        """Ask for the new account and create it (the user changes the password at first login)."""
        dialog = PasswordDialog(
            self.ws.site.policy,
            self.tr("Add user"),
            self.tr(
                "The new user must change this initial password at the first login. User "
                "names are never reused."
            ),
            with_account=True,
            parent=self,
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        username = dialog.username.text().strip()
        full_name = dialog.full_name.text().strip()
        role = Role(str(dialog.role.currentData()))
        password = dialog.password.text()
        self._run(
            "add user",
            lambda: self.ws.users.add(username, full_name, role, password),
            lambda _r: self._changed(
                self.tr("The account {user} was added.").format(user=username)
            ),
        )

    def disable_selected(self) -> None:
        """Disable the selected account, with a reason."""
        username = self.selected_account()
        if username is None:
            return
        reason = AuditReasonDialog.ask(
            self,
            self.tr("Disable account"),
            self.tr(
                "Disable the account {user}? Its password stops working; its records stay. "
                "Give the reason (audited):"
            ).format(user=username),
        )
        if reason is None:
            return
        self._run(
            "disable user",
            lambda: self.ws.users.disable(username, reason),
            lambda _r: self._changed(
                self.tr("The account {user} was disabled.").format(user=username)
            ),
        )

    def reset_selected(self) -> None:
        """Give the selected account a temporary password (to be changed at the next login)."""
        username = self.selected_account()
        if username is None:
            return
        dialog = PasswordDialog(
            self.ws.site.policy,
            self.tr("Reset password"),
            self.tr(
                "A temporary password for {user}; it must be changed at the next login."
            ).format(user=username),
            username=username,
            parent=self,
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        password = dialog.password.text()
        self._run(
            "reset password",
            lambda: self.ws.users.reset_password(username, password),
            lambda _r: self._changed(
                self.tr("The password of {user} was reset.").format(user=username)
            ),
        )

    def unlock_selected(self) -> None:
        """Lift the lockout of the selected account."""
        username = self.selected_account()
        if username is None:
            return
        self._run(
            "unlock user",
            lambda: self.ws.users.unlock(username),
            lambda _r: self._changed(
                self.tr("The account {user} was unlocked.").format(user=username)
            ),
        )

    def _changed(self, text: str) -> None:
        self._run("list accounts", self.ws.users.list, self._show_accounts)
        self._say(text)

    # -- backups ------------------------------------------------------------------------

    def _backups_tab(self) -> QWidget:
        page = QWidget()
        self.backup_table = _table(4, "backups_table")
        self.backup_table.setHorizontalHeaderLabels(
            [self.tr("Made"), self.tr("Kind"), self.tr("Size"), self.tr("Audit entries")]
        )
        buttons = QHBoxLayout()
        actions = [
            ("create_backup", self.tr("Make a backup now"), self.create_backup),
            ("verify_backup", self.tr("Verify"), self.verify_selected),
        ]
        if allowed(self.ws.role, Permission.RESTORE):
            actions.append(("restore_backup", self.tr("Restore…"), self.restore_selected))
        for name, text, slot in actions:
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(lambda _c=False, s=slot: s())
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.backup_folder = QLabel(
            self.tr("Backups are kept in {folder}").format(folder=self.ws.site.data.backups)
        )
        self.backup_folder.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(self.backup_table)
        layout.addWidget(self.backup_folder)
        layout.addLayout(buttons)
        return page

    def _kind(self, label: str) -> str:
        kinds = {
            "manual": self.tr("by hand"),
            "auto": self.tr("automatic"),
            "pre-restore": self.tr("before a restore"),
            "pre-migration": self.tr("before an update"),
        }
        return kinds.get(label, label)

    def _show_backups(self, backups: object) -> None:
        assert isinstance(backups, list)
        self.backups = list(reversed(backups))  # newest first
        table = self.backup_table
        table.setRowCount(len(self.backups))
        for row, info in enumerate(self.backups):
            cells = (
                _local_time(info.created_at),
                self._kind(info.label),
                self.tr("{size:.1f} MB").format(size=info.db_bytes / 1e6),
                str(info.audit_head_seq),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(info.name)
                table.setItem(row, column, item)

    def selected_backup(self) -> BackupInfo | None:
        rows = self.backup_table.selectionModel().selectedRows()
        if not rows:
            self._say(self.tr("Choose a backup in the table first."))
            return None
        return self.backups[rows[0].row()]

    def create_backup(self) -> None:
        """Make a backup now."""

        def made(info: object) -> None:
            self._run("list backups", self.ws.backups.list, self._show_backups)
            name = getattr(info, "name", "")
            self._say(self.tr("Backup {name} was made and verified.").format(name=name))

        self._run("backup", lambda: self.ws.backups.create("manual"), made)

    def verify_selected(self) -> None:
        """Check the selected backup completely."""
        info = self.selected_backup()
        if info is None:
            return

        def checked(result: object) -> None:
            check: BackupCheck = result  # type: ignore[assignment]
            self._say(
                self.tr(
                    "Backup {name} is complete and intact ({count} audit entries checked)."
                ).format(name=check.info.name, count=check.audit_entries)
            )

        self._run("verify backup", lambda: self.ws.backups.verify(info.name), checked)

    def restore_selected(self) -> None:
        """Replace the database with the selected backup (reason, confirmation); ends every
        session."""
        info = self.selected_backup()
        if info is None:
            return
        reason = AuditReasonDialog.ask(
            self,
            self.tr("Restore a backup"),
            self.tr("Why is the backup of {time} restored? (audited)").format(
                time=_local_time(info.created_at)
            ),
        )
        if reason is None:
            return
        answer = QMessageBox.warning(
            self,
            self.tr("Restore a backup"),
            self.tr(
                "Replace the site's data with the backup of {time}? Everything entered since "
                "then is no longer in the database (a safety backup of the current data is "
                "made first). Every session ends; you log in again afterwards."
            ).format(time=_local_time(info.created_at)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        name = info.name
        self._run("restore", lambda: self.ws.backups.restore(name, reason), self.restored.emit)

    # -- settings -----------------------------------------------------------------------

    def _settings_tab(self) -> QWidget:
        from npc_crf.services.settings import LIMITS

        page = QWidget()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.setting_boxes: dict[str, QSpinBox] = {}
        for name, (low, high) in LIMITS.items():
            box = QSpinBox()
            box.setObjectName(f"setting_{name}")
            box.setRange(low, high)
            self.setting_boxes[name] = box
            label = QCoreApplication.translate("Settings", SETTING_LABELS.get(name, name))
            form.addRow(label, box)
        save = QPushButton(self.tr("Save changes…"))
        save.setObjectName("save_settings")
        save.clicked.connect(lambda: self.save_settings())
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(save)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _show_settings(self, values: object) -> None:
        assert isinstance(values, dict)
        self.settings = dict(values)
        for name, box in self.setting_boxes.items():
            if name in values:
                box.setValue(int(values[name]))

    def changed_settings(self) -> dict[str, int]:
        """The settings whose box differs from the stored value."""
        return {
            name: box.value()
            for name, box in self.setting_boxes.items()
            if self.settings.get(name) != box.value()
        }

    def save_settings(self, reason: str | None = None) -> None:
        """Store every changed setting with one reason (asked for when not given)."""
        changes = self.changed_settings()
        if not changes:
            self._say(self.tr("No setting was changed."))
            return
        if reason is None:
            reason = AuditReasonDialog.ask(
                self,
                self.tr("Change site settings"),
                self.tr("Why are the settings changed? (audited)"),
            )
            if reason is None:
                return
        ws, why = self.ws, reason

        def store() -> dict[str, int]:
            for name, value in changes.items():
                ws.settings.set(name, value, why)
            return ws.settings.all()

        def stored(values: object) -> None:
            self._show_settings(values)
            self._say(self.tr("The settings were saved."))
            self.settingsChanged.emit()

        self._run("change settings", store, stored)

    # -- freezes and locks --------------------------------------------------------------

    def _holds_tab(self) -> QWidget:
        page = QWidget()
        self.site_hold_label = QLabel()
        self.site_hold_label.setObjectName("site_hold_state")
        self.site_hold_label.setWordWrap(True)
        self.site_buttons: dict[str, QPushButton] = {}
        site_row = QHBoxLayout()
        for verb, text, may in (
            ("freeze", self.tr("Freeze the site…"), self.can_freeze),
            ("lock", self.tr("Lock the site…"), self.can_lock),
            ("unfreeze", self.tr("Unfreeze the site…"), self.can_lock),
            ("unlock", self.tr("Unlock the site…"), self.can_lock),
        ):
            if not may:
                continue
            button = QPushButton(text)
            button.setObjectName(f"{verb}_site")
            button.clicked.connect(lambda _c=False, v=verb: self.change_site_hold(v))
            site_row.addWidget(button)
            self.site_buttons[verb] = button
        site_row.addStretch(1)
        heading = QLabel(self.tr("Freezes and locks in force"))
        heading.setStyleSheet("font-weight: bold;")
        self.holds_table = _table(5, "holds_table")
        self.holds_table.setHorizontalHeaderLabels(
            [
                self.tr("State"),
                self.tr("Applies to"),
                self.tr("Set by"),
                self.tr("Set on"),
                self.tr("Reason"),
            ]
        )
        self.holds_table.setWordWrap(False)
        bottom = QHBoxLayout()
        if self.can_lock:
            release = QPushButton(self.tr("Release the selected hold…"))
            release.setObjectName("release_hold")
            release.clicked.connect(lambda: self.release_selected())
            bottom.addWidget(release)
        bottom.addStretch(1)
        export = QPushButton(self.tr("Export SDV report (CSV)…"))
        export.setObjectName("export_sdv_report")
        export.clicked.connect(lambda: self.export_sdv_report())
        bottom.addWidget(export)
        explain = QLabel(
            self.tr(
                "A freeze stops data changes; queries, SDV and signing go on. A lock stops "
                "everything. Monitors and the administrator freeze; only the administrator "
                "locks and releases. Subjects and forms are frozen and locked from their "
                "casebook."
            )
        )
        explain.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(self.site_hold_label)
        layout.addLayout(site_row)
        layout.addWidget(explain)
        layout.addWidget(heading)
        layout.addWidget(self.holds_table, 1)
        layout.addLayout(bottom)
        return page

    def _site_holds(self) -> list[Hold]:
        return [h for h in self.holds if h.target.scope is Scope.SITE]

    def _show_holds(self, holds: object) -> None:
        assert isinstance(holds, list)
        self.holds = holds
        study = self.ws.study
        table = self.holds_table
        table.setRowCount(len(holds))
        for row, hold in enumerate(holds):
            cells = (
                labels.hold_state_text(hold.level),
                labels.hold_target_text(study, hold.target, self.lang),
                hold.set_by or labels.missing_text(),
                labels.moment_text(hold.set_at),
                hold.reason or labels.missing_text(),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(labels.hold_text(study, hold, self.lang))
                table.setItem(row, column, item)
        site = self._site_holds()
        if site:
            self.site_hold_label.setText(
                "\n".join(labels.hold_text(study, h, self.lang) for h in site)
            )
        else:
            self.site_hold_label.setText(self.tr("The site is open: nothing is frozen or locked."))
        levels = {h.level for h in site}
        enabled = {
            "freeze": Level.FROZEN not in levels,
            "lock": Level.LOCKED not in levels,
            "unfreeze": Level.FROZEN in levels,
            "unlock": Level.LOCKED in levels,
        }
        for verb, button in self.site_buttons.items():
            button.setEnabled(enabled[verb])

    def _change_hold(self, verb: str, target: Target, reason: str, done_text: str) -> None:
        holds = self.ws.holds
        act: dict[str, Callable[[Target, str], None]] = {
            "freeze": holds.freeze,
            "lock": holds.lock,
            "unfreeze": holds.unfreeze,
            "unlock": holds.unlock,
        }

        def changed(_r: object) -> None:
            self._run("list holds", holds.in_force, self._show_holds)
            self._say(done_text)

        self._run(f"{verb} hold", lambda: act[verb](target, reason), changed)

    def change_site_hold(self, verb: str, reason: str | None = None) -> None:
        """Freeze, lock, unfreeze or unlock the whole site, with a reason (asked for)."""
        titles = {
            "freeze": self.tr("Freeze the site"),
            "lock": self.tr("Lock the site"),
            "unfreeze": self.tr("Unfreeze the site"),
            "unlock": self.tr("Unlock the site"),
        }
        prompts = {
            "freeze": self.tr(
                "Freeze the whole site? No data of any subject can be changed and no subject "
                "can be added until the site is unfrozen; queries, SDV and signing go on. "
                "Give the reason (audited):"
            ),
            "lock": self.tr(
                "Lock the whole site? Nothing can be changed — no data, no query, no SDV, no "
                "signature — until the site is unlocked. Give the reason (audited):"
            ),
            "unfreeze": self.tr("Unfreeze the site? Give the reason (audited):"),
            "unlock": self.tr("Unlock the site? Give the reason (audited):"),
        }
        done = {
            "freeze": self.tr("The site was frozen."),
            "lock": self.tr("The site was locked."),
            "unfreeze": self.tr("The site was unfrozen."),
            "unlock": self.tr("The site was unlocked."),
        }
        if reason is None:
            reason = AuditReasonDialog.ask(self, titles[verb], prompts[verb])
            if reason is None:
                return
        self._change_hold(verb, Target.site(), reason, done[verb])

    def selected_hold(self) -> Hold | None:
        """The hold of the selected row."""
        rows = self.holds_table.selectionModel().selectedRows()
        if not rows:
            self._say(self.tr("Choose a freeze or a lock in the table first."))
            return None
        return self.holds[rows[0].row()]

    def release_selected(self, reason: str | None = None) -> None:
        """Unfreeze or unlock what the selected row holds, with a reason (asked for)."""
        hold = self.selected_hold()
        if hold is None:
            return
        what = labels.hold_target_text(self.ws.study, hold.target, self.lang)
        verb = "unlock" if hold.level is Level.LOCKED else "unfreeze"
        if verb == "unlock":
            title = self.tr("Unlock")
            prompt = self.tr("Unlock {what}? Give the reason (audited):").format(what=what)
            done = self.tr("{what} was unlocked.").format(what=what)
        else:
            title = self.tr("Unfreeze")
            prompt = self.tr("Unfreeze {what}? Give the reason (audited):").format(what=what)
            done = self.tr("{what} was unfrozen.").format(what=what)
        if reason is None:
            reason = AuditReasonDialog.ask(self, title, prompt)
            if reason is None:
                return
        self._change_hold(verb, hold.target, reason, done)

    def export_sdv_report(self, path: Path | None = None) -> None:
        """Write the SDV report as CSV (asks where, unless ``path`` is given)."""
        from npc_crf.ui.monitoring_actions import export_sdv_report

        self.error.hide()
        export_sdv_report(self, self.ws, self.runner, path, say=self._say)

    # -- my preferences -----------------------------------------------------------------

    def _prefs_tab(self, font_scale: int) -> QWidget:
        page = QWidget()
        self.language_box = QComboBox()
        self.language_box.setObjectName("pref_language")
        for code, name in LANGUAGES.items():
            self.language_box.addItem(name, code)
        self.language_box.setCurrentIndex(max(0, self.language_box.findData(self.lang)))
        self.language_box.activated.connect(
            lambda _i: self.languageRequested.emit(str(self.language_box.currentData()))
        )
        self.font_box = QComboBox()
        self.font_box.setObjectName("pref_font_scale")
        for scale in FONT_SCALES:
            self.font_box.addItem(f"{scale} %", scale)
        self.font_box.setCurrentIndex(max(0, self.font_box.findData(font_scale)))
        self.font_box.activated.connect(
            lambda _i: self.fontScaleRequested.emit(int(self.font_box.currentData()))
        )
        change = QPushButton(self.tr("Change my password…"))
        change.setObjectName("change_my_password")
        change.clicked.connect(self.changePasswordRequested)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(self.tr("Language"), self.language_box)
        form.addRow(self.tr("Font size"), self.font_box)
        layout = QVBoxLayout(page)
        who = QLabel(
            self.tr("{name} ({user}), {role}").format(
                name=self.ws.full_name, user=self.ws.username, role=role_name(self.ws.role)
            )
        )
        layout.addWidget(who)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(change)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def set_font_scale(self, scale: int) -> None:
        """Show the font size chosen elsewhere (the menu)."""
        self.font_box.setCurrentIndex(max(0, self.font_box.findData(scale)))


def restored_text(result: Restored) -> str:
    """What the person is told after a restore (shown on the login screen)."""
    text = QCoreApplication.translate(
        "Shell",
        "The backup {name} was restored. Every session has ended: log in again.",
    ).format(name=result.check.info.name)
    if result.subjects_not_in_backup:
        text += "\n" + QCoreApplication.translate(
            "Shell",
            "These subjects were entered after that backup and are not in it; enter them "
            "again from the source documents: {subjects}",
        ).format(subjects=", ".join(result.subjects_not_in_backup))
    return text


__all__ = ["AdminView", "AuditReasonDialog", "PasswordDialog", "restored_text"]
