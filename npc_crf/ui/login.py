"""The login screen, the password-change dialog and the messages a person sees about them.

The site is opened once per run (:meth:`Site.open`, which takes the directory's
lock); each login (Argon2id, ≈ 0.2 s, plus the database check on the first one)
runs in the worker. The messages are the interface's own, in the interface
language, chosen from the key file's state after a refusal: a wrong password, an
account locked with the minutes remaining; anything else shows the service's
message unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from npc_crf import __version__
from npc_crf.auth.policy import LoginPolicy
from npc_crf.core.errors import AuthError, NpcCrfError
from npc_crf.ui.errors import describe_error
from npc_crf.ui.i18n import LANGUAGES, ScaledLabel, current_language
from npc_crf.ui.worker import JobRunner, Progress

if TYPE_CHECKING:
    from npc_crf.services.site import Site
    from npc_crf.services.workspace import Workspace

ERROR_STYLE = (
    "QLabel { color: #b71c1c; background: #ffebee; border: 1px solid #e57373; "
    "border-radius: 4px; padding: 8px; font-weight: bold; }"
)


def error_label(name: str) -> QLabel:
    """A hidden, selectable, word-wrapped label for a refusal or an error."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def busy_bar() -> QProgressBar:
    """A hidden, thin, indeterminate progress bar shown while a job runs."""
    bar = QProgressBar()
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    bar.setMaximumHeight(8)
    bar.hide()
    return bar


def password_problem(policy: LoginPolicy, username: str, password: str) -> str | None:
    """Why ``password`` does not meet the site's policy, in the interface language.

    The same rules as :meth:`LoginPolicy.check_password` (a test keeps them equal),
    which the service still applies.
    """
    if len(password) < policy.min_password_length:
        return QCoreApplication.translate(
            "Shell", "The password is too short: at least {count} characters."
        ).format(count=policy.min_password_length)
    if password.strip().lower() == username.strip().lower():
        return QCoreApplication.translate("Shell", "The password may not be the user name.")
    if password != password.strip():
        return QCoreApplication.translate(
            "Shell", "The password may not begin or end with a space."
        )
    return None


def lockout_minutes(site: Site, username: str, now: dt.datetime | None = None) -> int | None:
    """Minutes until ``username``'s lockout ends (rounded up, as the service says), or None."""
    wrap = site.keys.accounts.get(username)
    if wrap is None or not wrap.locked_until:
        return None
    until = dt.datetime.fromisoformat(wrap.locked_until)
    now = now or dt.datetime.now(dt.UTC)
    if until <= now:
        return None
    return max(1, int((until - now).total_seconds() // 60) + 1)


def describe_login_error(site: Site, username: str, error: object) -> str:
    """The message for a refused login, from what the key file says now."""
    if isinstance(error, AuthError):
        minutes = lockout_minutes(site, username)
        if minutes is not None:
            return QCoreApplication.translate(
                "Shell",
                "The account '{user}' is locked after {count} failed logins; try again in "
                "{minutes} minute(s).\nOr ask the site administrator to unlock it.",
            ).format(user=username, count=site.policy.max_failed_logins, minutes=minutes)
        if error.message.startswith("Wrong user name or password"):
            return QCoreApplication.translate("Shell", "Wrong user name or password.")
    return describe_error(error)


class LoginWindow(QWidget):
    """User name, password, language; or, when the site cannot be opened, why and Quit."""

    loggedIn = Signal(object)  # the Workspace
    languageChosen = Signal(str)
    quitRequested = Signal()
    retryRequested = Signal()

    def __init__(
        self,
        site: Site | None,
        runner: JobRunner,
        open_error: NpcCrfError | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("login_window")
        self.site, self.runner, self.open_error = site, runner, open_error
        self.title = ScaledLabel("npc-crf", factor=2.0, bold=True)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.user_label, self.password_label, self.language_label = QLabel(), QLabel(), QLabel()
        self.user = QLineEdit()
        self.user.setObjectName("login_user")
        self.password = QLineEdit()
        self.password.setObjectName("login_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.log_in)
        self.user.returnPressed.connect(self.password.setFocus)
        self.language = QComboBox()
        self.language.setObjectName("login_language")
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(current_language())))
        self.language.currentIndexChanged.connect(
            lambda _i: self.languageChosen.emit(str(self.language.currentData()))
        )
        self.message = error_label("login_message")
        self.busy = busy_bar()
        self.login_button = QPushButton()
        self.login_button.setObjectName("login_button")
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self.log_in)
        self.retry_button = QPushButton()
        self.retry_button.setObjectName("retry_button")
        self.retry_button.clicked.connect(self.retryRequested)
        self.quit_button = QPushButton()
        self.quit_button.setObjectName("quit_button")
        self.quit_button.clicked.connect(self.quitRequested)

        form = QFormLayout()
        form.addRow(self.user_label, self.user)
        form.addRow(self.password_label, self.password)
        form.addRow(self.language_label, self.language)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.login_button)
        panel = QFrame()
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        inner = QVBoxLayout(panel)
        inner.addWidget(self.title)
        inner.addWidget(self.subtitle)
        inner.addSpacing(8)
        inner.addLayout(form)
        inner.addWidget(self.busy)
        inner.addWidget(self.message)
        inner.addLayout(buttons)
        panel.setMinimumWidth(460)
        panel.setMaximumWidth(640)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel, 4)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.resize(720, 480)
        self._message_source: tuple[str, object] | None = None
        blocked = site is None
        for widget in (self.user, self.password, self.login_button):
            widget.setEnabled(not blocked)
        self.retry_button.setVisible(blocked)
        self.retranslate()
        if open_error is not None:
            self._show_message("open", open_error)

    # -- texts -------------------------------------------------------------------------

    def retranslate(self) -> None:
        """Set every text in the current language (also the message on show)."""
        self.setWindowTitle(self.tr("npc-crf — log in"))
        if self.site is not None:
            self.subtitle.setText(
                self.tr("Site {site} · version {version}").format(
                    site=self.site.site_id, version=__version__
                )
            )
        else:
            self.subtitle.setText(self.tr("The site's data folder cannot be used at the moment."))
        self.user_label.setText(self.tr("User name"))
        self.password_label.setText(self.tr("Password"))
        self.language_label.setText(self.tr("Language"))
        self.login_button.setText(self.tr("Log in"))
        self.retry_button.setText(self.tr("Try again"))
        self.quit_button.setText(self.tr("Quit"))
        self.language.blockSignals(True)
        self.language.setCurrentIndex(max(0, self.language.findData(current_language())))
        self.language.blockSignals(False)
        if self._message_source is not None:
            self._show_message(*self._message_source)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _show_message(self, kind: str, error: object) -> None:
        """Show a refusal; kept so that a language switch re-words it."""
        self._message_source = (kind, error)
        if kind == "login" and self.site is not None:
            text = describe_login_error(self.site, self.user.text().strip(), error)
        elif kind == "text":
            text = str(error)
        elif kind == "open":
            text = (
                self.tr("The site's data folder cannot be opened:") + "\n" + describe_error(error)
            )
        else:
            text = describe_error(error)
        self.message.setText(text)
        self.message.show()

    def show_text(self, text: str) -> None:
        """Show a notice above the buttons (e.g. after a restore)."""
        self._show_message("text", text)

    def clear_message(self) -> None:
        self._message_source = None
        self.message.clear()
        self.message.hide()

    # -- logging in --------------------------------------------------------------------

    def log_in(self) -> None:
        """Check the user name and password in the worker."""
        site = self.site
        username, password = self.user.text().strip(), self.password.text()
        if site is None or self.runner.busy or not self.login_button.isEnabled():
            return
        if not username or not password:
            self.show_text(self.tr("Enter your user name and your password."))
            return
        self.clear_message()
        self._set_busy(True)
        job = self.runner.start("login", lambda _p: site.login(username, password, channel="gui"))
        job.finished.connect(self._logged_in)
        job.failed.connect(self._refused)

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        for widget in (self.user, self.password, self.login_button, self.language):
            widget.setEnabled(not busy)

    def _logged_in(self, ws: object) -> None:
        self._set_busy(False)
        self.password.clear()
        self.loggedIn.emit(ws)

    def _refused(self, error: object) -> None:
        self._set_busy(False)
        self.password.clear()
        self._show_message("login", error)
        self.password.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        (self.password if self.user.text() else self.user).setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the login screen quits the application."""
        super().closeEvent(event)
        self.quitRequested.emit()


class ChangePasswordDialog(QDialog):
    """Change one's own password; ``forced`` after an administrator's reset (no way round it
    but logging out)."""

    def __init__(
        self, ws: Workspace, runner: JobRunner, forced: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("change_password_dialog")
        self.ws, self.runner, self.forced = ws, runner, forced
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.current = QLineEdit()
        self.current.setObjectName("current_password")
        self.new = QLineEdit()
        self.new.setObjectName("new_password")
        self.repeat = QLineEdit()
        self.repeat.setObjectName("repeat_password")
        for edit in (self.current, self.new, self.repeat):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setMinimumWidth(260)
        self.current_label, self.new_label, self.repeat_label = QLabel(), QLabel(), QLabel()
        self.message = error_label("change_password_message")
        self.busy = busy_bar()
        self.ok_button = QPushButton()
        self.ok_button.setObjectName("change_password_ok")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self._change)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("change_password_cancel")
        self.cancel_button.clicked.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.current_label, self.current)
        form.addRow(self.new_label, self.new)
        form.addRow(self.repeat_label, self.repeat)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Change password"))
        policy = self.ws.site.policy
        if self.forced:
            intro = self.tr(
                "Your password was set by the site administrator. Choose your own password "
                "before you continue (at least {count} characters, not your user name)."
            )
        else:
            intro = self.tr(
                "Choose a new password for {user} (at least {count} characters, not your "
                "user name)."
            )
        self.intro.setText(intro.format(count=policy.min_password_length, user=self.ws.username))
        self.current_label.setText(self.tr("Current password"))
        self.new_label.setText(self.tr("New password"))
        self.repeat_label.setText(self.tr("New password again"))
        self.ok_button.setText(self.tr("Change password"))
        self.cancel_button.setText(self.tr("Log out") if self.forced else self.tr("Cancel"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _fail(self, text: str) -> None:
        self.busy.hide()
        self.ok_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.message.setText(text)
        self.message.show()

    def _change(self) -> None:
        current, new = self.current.text(), self.new.text()
        if new != self.repeat.text():
            self._fail(self.tr("The two new passwords are not the same."))
            return
        problem = password_problem(self.ws.site.policy, self.ws.username, new)
        if problem is not None:
            self._fail(problem)
            return
        if new == current:
            self._fail(self.tr("The new password must differ from the current one."))
            return
        self.message.hide()
        self.busy.show()
        self.ok_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        ws = self.ws

        def change(_p: Progress) -> None:
            ws.users.change_password(current, new)

        job = self.runner.start("change password", change)
        job.finished.connect(lambda _r: self.accept())
        job.failed.connect(self._failed)

    def _failed(self, error: object) -> None:
        if isinstance(error, AuthError) and "current password" in error.message:
            self._fail(self.tr("The current password is wrong."))
        else:
            self._fail(describe_error(error))
