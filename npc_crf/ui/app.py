"""The desktop application: from start to quit.

:class:`Shell` runs the screens in order: the first-run wizard when the data
folder holds no site, else the login screen (the site is opened once per run);
after a login the forced password change when an administrator reset it, then
the main window; logging out (or a restore) goes back to the login screen; Quit
logs out, closes the site and ends the program.

:func:`run` is what ``npc-crf gui`` calls; ``--tour DIR`` hands over to
:mod:`npc_crf.ui.tour` instead.
"""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QDialog

from npc_crf.core.errors import NpcCrfError
from npc_crf.core.logs import LOGGER
from npc_crf.core.paths import APP_NAME, default_data_dir
from npc_crf.store.layout import DataDir
from npc_crf.ui.i18n import apply_font, current_language, install_language, normalise_language
from npc_crf.ui.idle import MINUTE_MS
from npc_crf.ui.login import ChangePasswordDialog, LoginWindow
from npc_crf.ui.prefs import Prefs, PrefsStore
from npc_crf.ui.worker import JobRunner, Progress

if TYPE_CHECKING:  # the main window and its views load after the login (a quicker start)
    from npc_crf.services.site import Site
    from npc_crf.services.workspace import Workspace
    from npc_crf.store.keyfile import KdfCost
    from npc_crf.ui.main_window import FormPageFactory, MainWindow
    from npc_crf.ui.wizard import SiteWizard


class _Probe(QObject):
    ping = Signal()


_guarded = False


def guard_singleton_refcounts() -> bool:
    """Work around PySide6 6.12.0 on Python 3.10/3.11; True when the guard was needed.

    That release returns ``None`` from every void method, and ``True`` from
    ``SignalInstance.emit``, without taking a reference (harmless from Python 3.12 on,
    where these objects are immortal). On 3.11 their reference counts fall with every
    call until the interpreter aborts ("deallocating None" / "deallocating True or
    False"), within minutes of use. When the fault is detected here, the singletons
    get the practically endless reference count that Python 3.12 gives them. The
    dependency excludes that release (pyproject.toml); this guard covers environments
    that have it anyway. Called by :func:`application`; safe to call again.
    """
    global _guarded
    if sys.version_info >= (3, 12) or _guarded:
        return False
    _guarded = True
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(8):
        probe.setObjectName("probe")  # a void method
        probe.ping.emit()
    leaking = sys.getrefcount(None) < none_before or sys.getrefcount(True) < true_before
    if leaking:
        for singleton in (None, True, False, Ellipsis, NotImplemented):
            ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40
        LOGGER.warning("PySide6 reference-count fault detected; singletons made immortal")
    return leaking


def application() -> QApplication:
    """The running QApplication (made on first use)."""
    guard_singleton_refcounts()
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setQuitOnLastWindowClosed(False)  # the shell quits: windows hand over to each other
    return app


class Shell(QObject):
    """Runs the wizard, the login screen and the main window of one data folder."""

    mainShown = Signal(object)  # the MainWindow
    loginShown = Signal(object)  # the LoginWindow
    finished = Signal(int)  # the exit status, once everything is closed (run() then exits)

    def __init__(
        self,
        data_dir: Path,
        *,
        forms_dir: Path | None = None,
        lang: str | None = None,
        prefs: PrefsStore | None = None,
        idle_ms: int | None = None,
        status_ms: int = MINUTE_MS,
        cost: KdfCost | None = None,
        form_page_factory: FormPageFactory | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.forms_dir = forms_dir
        self.prefs = prefs or PrefsStore()
        self.idle_ms, self.status_ms, self.cost = idle_ms, status_ms, cost
        self.form_page_factory = form_page_factory
        self.runner = JobRunner(self)
        self.site: Site | None = None
        self.open_error: NpcCrfError | None = None
        self.ws: Workspace | None = None
        self.wizard: SiteWizard | None = None
        self.login_window: LoginWindow | None = None
        self.main_window: MainWindow | None = None
        self.forced_dialog: ChangePasswordDialog | None = None
        self.start_language = normalise_language(lang or self.prefs.last.language)
        self.fixed_language = normalise_language(lang) if lang else None  # --lang: every login
        self.language_by_hand = False  # chosen on the login screen: the next login
        self.font_scale = self.prefs.last.font_scale
        self.closed = False

    @property
    def app(self) -> QApplication:
        return application()

    # -- start --------------------------------------------------------------------------

    def start(self) -> None:
        """The wizard when the folder holds no site, else the login screen."""
        install_language(self.app, self.start_language)
        apply_font(self.app, self.start_language, self.font_scale)
        if DataDir(self.data_dir).exists():
            self.show_login()
        else:
            self.show_wizard()

    def show_wizard(self) -> SiteWizard:
        """The first-run wizard; after Finish, the login screen on the new site."""
        from npc_crf.ui.wizard import SiteWizard

        wizard = SiteWizard(self.data_dir, self.runner, self.forms_dir, self.cost)
        wizard.siteCreated.connect(self._site_created)
        wizard.accepted.connect(self._wizard_done)
        wizard.rejected.connect(lambda: self.quit(0))
        self.wizard = wizard
        wizard.show()
        return wizard

    def _site_created(self, site: object) -> None:
        self.site = site  # type: ignore[assignment]

    def _wizard_done(self) -> None:
        wizard, self.wizard = self.wizard, None
        self.show_login()
        if wizard is not None:
            wizard.deleteLater()

    def open_site(self) -> Site | None:
        """Open the data folder (once per run); the error is kept for the login screen."""
        if self.site is None:
            from npc_crf.services.site import Site

            try:
                self.site = Site.open(self.data_dir, self.forms_dir)
                self.open_error = None
            except NpcCrfError as exc:
                LOGGER.warning("the site could not be opened: %s", type(exc).__name__)
                self.open_error = exc
        return self.site

    # -- login --------------------------------------------------------------------------

    def show_login(self, notice: str | None = None) -> LoginWindow:
        """The login screen (with ``notice`` shown, e.g. after a restore)."""
        site = self.open_site()
        window = LoginWindow(site, self.runner, self.open_error if site is None else None)
        window.loggedIn.connect(self._logged_in)
        window.languageChosen.connect(self._login_language)
        window.quitRequested.connect(lambda: self.quit(0))
        window.retryRequested.connect(self._retry_open)
        old, self.login_window = self.login_window, window
        window.show()
        if old is not None:
            old.hide()
            old.deleteLater()
        if notice:
            window.show_text(notice)
        self.loginShown.emit(window)
        return window

    def _retry_open(self) -> None:
        self.show_login()

    def _login_language(self, lang: str) -> None:
        self.language_by_hand = True
        install_language(self.app, lang)
        self.prefs.remember(None, Prefs(current_language(), self.font_scale))

    def _logged_in(self, ws: object) -> None:
        workspace: Workspace = ws  # type: ignore[assignment]
        self.ws = workspace
        mine = self.prefs.for_user(workspace.username)
        lang = self.fixed_language or current_language()
        if mine is not None:
            self.font_scale = mine.font_scale
            if not self.language_by_hand and self.fixed_language is None:
                lang = mine.language
        self.language_by_hand = False
        install_language(self.app, lang)
        apply_font(self.app, lang, self.font_scale)
        self.prefs.remember(workspace.username, Prefs(lang, self.font_scale))
        if workspace.must_change_password:
            dialog = ChangePasswordDialog(workspace, self.runner, forced=True)
            dialog.setModal(True)
            dialog.finished.connect(lambda result: self._forced_change_done(workspace, result))
            self.forced_dialog = dialog
            dialog.show()
            return
        self.show_main(workspace)

    def _forced_change_done(self, ws: Workspace, result: int) -> None:
        if self.forced_dialog is not None:
            self.forced_dialog.deleteLater()
            self.forced_dialog = None
        if result == QDialog.DialogCode.Accepted:
            self.show_main(ws)
        else:
            self._log_out_quietly(ws)

    def _log_out_quietly(self, ws: Workspace) -> None:
        def logout(_p: Progress) -> None:
            ws.logout()

        self.ws = None
        job = self.runner.start("logout", logout)
        job.ended.connect(lambda: self.show_login())

    # -- the main window ----------------------------------------------------------------

    def show_main(self, ws: Workspace) -> MainWindow:
        """The main window for a logged-in workspace."""
        from npc_crf.ui.main_window import MainWindow

        window = MainWindow(
            ws,
            self.runner,
            current_language(),
            font_scale=self.font_scale,
            idle_ms=self.idle_ms,
            status_ms=self.status_ms,
            form_page_factory=self.form_page_factory,
        )
        window.loggedOut.connect(self._main_logged_out)
        window.quitRequested.connect(lambda: self.quit(0))
        window.sessionEnded.connect(self._session_ended)
        window.languageChanged.connect(self._remember_language)
        window.fontScaleChanged.connect(self._remember_font)
        self.main_window = window
        window.show()
        if self.login_window is not None:
            self.login_window.hide()
        self.mainShown.emit(window)
        return window

    def _remember_language(self, lang: str) -> None:
        if self.ws is not None:
            self.prefs.update(self.ws.username, language=lang)

    def _remember_font(self, scale: int) -> None:
        self.font_scale = scale
        if self.ws is not None:
            self.prefs.update(self.ws.username, font_scale=scale)

    def _close_main(self) -> None:
        window, self.main_window = self.main_window, None
        self.ws = None
        if window is not None:
            window.close()
            window.deleteLater()

    def _main_logged_out(self) -> None:
        self._close_main()
        self.show_login()

    def _session_ended(self, text: str) -> None:
        self._close_main()
        self.show_login(text)

    # -- quit ---------------------------------------------------------------------------

    def quit(self, status: int = 0) -> None:
        """Close everything: the windows, the site (the session was logged out before)."""
        if self.closed:
            return
        self.closed = True
        self.runner.cancel_all()
        self.runner.wait()
        if self.wizard is not None:
            self.wizard.hide()  # not close(): that would ask about the recovery key again
        if self.forced_dialog is not None:
            self.forced_dialog.hide()
        if self.login_window is not None:
            self.login_window.close()
        if self.main_window is not None:
            self.main_window.allow_close()
            self.main_window.close()
        if self.ws is not None and not self.ws.logged_out:
            self.ws.logout()
        if self.site is not None:
            self.site.close()
            self.site = None
        self.finished.emit(status)


def run(
    data_dir: Path | None = None,
    tour: Path | None = None,
    lang: str | None = None,
    forms: Path | None = None,
    test_kdf: bool = False,
) -> int:
    """Start the application (or take the screenshot tour); returns the exit status."""
    app = application()
    cost = None
    if test_kdf:
        from npc_crf.store.keyfile import TEST_COST

        cost = TEST_COST
    if tour is not None:
        from npc_crf.ui.tour import take_tour

        return take_tour(tour, data_dir=data_dir, forms_dir=forms, cost=cost)
    shell = Shell(data_dir or default_data_dir(), forms_dir=forms, lang=lang, cost=cost)
    shell.finished.connect(app.exit)  # only a running event loop may be told to exit
    shell.start()
    return app.exec()
