"""The idle lock: notice when nobody has touched the keyboard or mouse, and the lock screen.

:class:`IdleWatcher` is an application-wide event filter: any key, click, wheel,
touch or mouse movement restarts a single-shot timer; when it runs out the watcher
emits ``idle``. The main window then locks the session (``ws.lock("idle")``,
audited) and shows :class:`LockScreen` *over* its pages, which stay alive with
whatever was typed; ``ws.unlock(password)`` brings the person back to exactly where
they were.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from npc_crf.ui.i18n import ScaledLabel

MINUTE_MS = 60_000  # the settings count minutes; Qt's timers milliseconds

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.ShortcutOverride,
    }
)


class IdleWatcher(QObject):
    """Emits ``idle`` after ``timeout_ms`` without keyboard or mouse input (while running)."""

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self.idle)
        self._installed = False

    @property
    def timeout_ms(self) -> int:
        return self._timer.interval()

    @property
    def running(self) -> bool:
        return self._installed

    def set_timeout(self, timeout_ms: int) -> None:
        """Change the timeout (counting starts again)."""
        self._timer.setInterval(timeout_ms)
        if self._installed:
            self._timer.start()

    def start(self) -> None:
        """Watch the input of the whole application."""
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self._timer.start()

    def stop(self) -> None:
        """Stop watching (logged out, or already locked)."""
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
        self._installed = False
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Any input restarts the count; nothing is filtered out."""
        if event.type() in _INPUT_EVENTS:
            self._timer.start()
        return False


class LockScreen(QFrame):
    """Covers the main window while the session is locked: the user's password, or log out."""

    unlockRequested = Signal(str)
    logoutRequested = Signal()

    def __init__(self, full_name: str, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lock_screen")
        self.full_name, self.username = full_name, username
        self.title = ScaledLabel(factor=1.8, bold=True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt = QLabel()
        self.prompt.setWordWrap(True)
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.password = QLineEdit()
        self.password.setObjectName("lock_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMinimumWidth(280)
        self.password.returnPressed.connect(self._unlock)
        self.message = QLabel()
        self.message.setObjectName("lock_message")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("color: #c62828; font-weight: bold;")
        self.unlock_button = QPushButton()
        self.unlock_button.setObjectName("unlock_button")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._unlock)
        self.logout_button = QPushButton()
        self.logout_button.setObjectName("lock_logout_button")
        self.logout_button.clicked.connect(self.logoutRequested)

        box = QVBoxLayout()
        box.addWidget(self.title)
        box.addWidget(self.prompt)
        box.addSpacing(12)
        box.addWidget(self.password)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        buttons.addWidget(self.logout_button)
        buttons.addStretch(1)
        box.addLayout(buttons)
        box.addWidget(self.message)
        panel = QFrame()
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        panel.setLayout(box)
        panel.setMaximumWidth(640)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.retranslate()

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.title.setText(self.tr("Locked"))
        self.prompt.setText(
            self.tr(
                "The session was locked to protect the data. Enter the password of "
                "{name} ({user}) to continue where you were."
            ).format(name=self.full_name, user=self.username)
        )
        self.unlock_button.setText(self.tr("Unlock"))
        self.logout_button.setText(self.tr("Log out"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def reset(self) -> None:
        """Empty the password and message, ready for the next unlock."""
        self.password.clear()
        self.message.clear()
        self.set_busy(False)
        self.password.setFocus()

    def set_busy(self, busy: bool) -> None:
        """Disable the controls while the password is checked."""
        for widget in (self.password, self.unlock_button, self.logout_button):
            widget.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        """Show why unlocking failed."""
        self.set_busy(False)
        self.message.setText(text)
        self.password.selectAll()
        self.password.setFocus()

    def _unlock(self) -> None:
        if self.password.text():
            self.set_busy(True)
            self.message.clear()
            self.unlockRequested.emit(self.password.text())
