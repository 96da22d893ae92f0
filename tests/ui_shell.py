"""Using the application shell as a person does, for the GUI tests: start it on a site,
type into the login screen, wait for the main window and the background work."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from npc_crf.store.keyfile import TEST_COST
from npc_crf.ui.app import Shell
from npc_crf.ui.i18n import apply_font, install_language
from npc_crf.ui.main_window import MainWindow
from npc_crf.ui.prefs import PrefsStore
from tests.store_helpers import PASSWORDS

LEFT = Qt.MouseButton.LeftButton
WAIT = 20_000


@contextmanager
def shells_in(tmp_path: Path) -> Iterator[Callable[..., Shell]]:
    """Start shells on folders (``make(root, **options)``); everything is closed (and
    English again) afterwards. The ``start`` fixture of the shell tests."""
    shells: list[Shell] = []

    def make(root: Path, **options: Any) -> Shell:
        options.setdefault("prefs", PrefsStore(tmp_path / "prefs.json"))
        options.setdefault("cost", TEST_COST)
        options.setdefault("lang", "en")
        shell = Shell(root, **options)
        shells.append(shell)
        shell.start()
        return shell

    yield make
    for shell in shells:
        shell.quit()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_language(app, "en")
    apply_font(app, "en", 100)


def site_open(shell: Shell) -> bool:
    return shell.site is not None


def type_into(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def log_in(qtbot: QtBot, shell: Shell, user: str, password: str) -> None:
    """Type the user name and password and press Log in; wait for the answer."""
    window = shell.login_window
    assert window is not None and window.isVisible()
    type_into(qtbot, window.user, user)
    type_into(qtbot, window.password, password)
    qtbot.mouseClick(window.login_button, LEFT)
    qtbot.waitUntil(lambda: not shell.runner.busy and window.login_button.isEnabled(), timeout=WAIT)


def main_window(qtbot: QtBot, shell: Shell) -> MainWindow:
    qtbot.waitUntil(
        lambda: shell.main_window is not None and shell.main_window.isVisible(), timeout=WAIT
    )
    assert shell.main_window is not None
    return shell.main_window


def logged_in(qtbot: QtBot, shell: Shell, user: str) -> MainWindow:
    log_in(qtbot, shell, user, PASSWORDS[user])
    return main_window(qtbot, shell)


def idle(qtbot: QtBot, shell: Shell) -> None:
    qtbot.waitUntil(lambda: not shell.runner.busy, timeout=WAIT)


def message(shell: Shell) -> str:
    assert shell.login_window is not None
    return shell.login_window.message.text()
