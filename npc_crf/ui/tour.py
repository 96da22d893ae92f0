"""The screenshot tour: every screen of the application, in English and in Chinese.

``npc-crf gui --tour OUTDIR [--data-dir DIR]`` drives the real windows and
services, saves one PNG per screen and language into OUTDIR, prints each path and
exits 0. The wizard and the login refusals (a wrong password, a lockout) run on a
throwaway site in a temporary folder; the rest runs on a demo site: the one in DIR,
made there when DIR holds no site (a few invented subjects, public demo passwords),
or a temporary one when no DIR is given.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget, QWizard

from npc_crf.core.errors import NpcCrfError
from npc_crf.store.layout import DataDir
from npc_crf.ui.app import Shell, application
from npc_crf.ui.main_window import MainWindow
from npc_crf.ui.prefs import PrefsStore

if TYPE_CHECKING:
    from npc_crf.store.keyfile import KdfCost

LANGUAGES = ("en", "zh")
DEMO_STUDY = "NPC-SINT-RT"
DEMO_SUBJECTS = 4
WAIT_S = 60.0

# invented people for the wizard, per language
WIZARD_ADMIN = {
    "en": ("ada", "Ada Lee"),
    "zh": ("lina", "李娜"),
}
WIZARD_PASSWORD = "tour password 1"  # a throwaway site, deleted afterwards  # noqa: S105


class TourError(NpcCrfError):
    """The tour cannot go on (a screen did not appear, the demo site does not open)."""


class Tour:
    """Takes the screenshots; :attr:`shots` lists the files in order."""

    def __init__(self, out: Path, work: Path, cost: KdfCost | None) -> None:
        self.out, self.work, self.cost = out, work, cost
        self.app = application()
        self.shots: list[Path] = []
        self.lang = "en"

    # -- plumbing -----------------------------------------------------------------------

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
        """Process events until ``condition()``; TourError after ``timeout`` seconds."""
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise TourError(f"The tour waited in vain for {what}.")
            self.app.processEvents()
            time.sleep(0.01)

    def settle(self, shell: Shell | None = None) -> None:
        """Let running jobs finish and the windows lay themselves out and paint."""
        if shell is not None:
            self.wait(lambda: not shell.runner.busy, "the background work to finish")
        end = time.monotonic() + 0.15
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.01)

    def shot(self, widget: QWidget, name: str, shell: Shell | None = None) -> Path:
        """Save ``widget`` as ``<lang>-<name>.png`` and print the path."""
        self.settle(shell)
        path = self.out / f"{self.lang}-{name}.png"
        if not widget.grab().save(str(path)):
            raise TourError(f"The screenshot {path} could not be written.")
        self.shots.append(path)
        print(path, flush=True)
        return path

    @staticmethod
    def note(text: str) -> None:
        print(f"tour: {text}", file=sys.stderr, flush=True)

    def shell(self, data_dir: Path, **options: Any) -> Shell:
        shell = Shell(
            data_dir,
            lang=self.lang,
            prefs=PrefsStore(self.work / "prefs.json"),
            cost=self.cost,
            **options,
        )
        shell.start()
        return shell

    # -- the wizard and the login refusals ----------------------------------------------

    def wizard_and_login(self) -> None:
        """Every page of the wizard, then a wrong password and a lockout on that new site."""
        from npc_crf.store.keyfile import TEST_COST

        folder = Path(tempfile.mkdtemp(prefix=f"wizard-{self.lang}-", dir=self.work))
        # a throwaway site: the cheap key derivation keeps the five refusals quick
        shell = Shell(
            folder / "site",
            lang=self.lang,
            prefs=PrefsStore(self.work / "prefs.json"),
            cost=TEST_COST,
        )
        shell.start()
        try:
            wizard = shell.wizard
            if wizard is None:
                raise TourError("The wizard did not open on an empty folder.")
            wizard.site_page.site_id.setText("S01")
            self.shot(wizard, "wizard-1-site")
            wizard.next()
            username, full_name = WIZARD_ADMIN[self.lang]
            page = wizard.admin_page
            page.username.setText(username)
            page.full_name.setText(full_name)
            page.password.setText(WIZARD_PASSWORD)
            page.repeat.setText(WIZARD_PASSWORD)
            self.shot(wizard, "wizard-2-admin")
            wizard.next()
            self.app.processEvents()
            path = self.out / f"{self.lang}-wizard-3-create.png"  # while it is being made
            wizard.grab().save(str(path))
            self.shots.append(path)
            print(path, flush=True)
            self.wait(lambda: wizard.currentPage() is wizard.key_page, "the recovery key page")
            wizard.key_page.stored.setChecked(True)
            self.shot(wizard, "wizard-4-recovery-key")
            finish = wizard.button(QWizard.WizardButton.FinishButton)
            if finish is None:
                raise TourError("The wizard has no Finish button.")
            finish.click()
            self.wait(lambda: shell.login_window is not None, "the login screen")
            login = shell.login_window
            assert login is not None
            policy = shell.site.policy if shell.site is not None else None
            attempts = policy.max_failed_logins if policy is not None else 5
            for attempt in range(1, attempts + 1):
                login.user.setText(username)
                login.password.setText(f"not the password {attempt}")
                login.log_in()
                self.settle(shell)
                if attempt == 1:
                    self.shot(login, "login-wrong-password", shell)
            self.shot(login, "login-locked", shell)
        finally:
            shell.quit()

    # -- the demo site ------------------------------------------------------------------

    def demo_site(self, data_dir: Path | None) -> Path:
        """The demo site to tour: DIR's, made in DIR when empty, else a temporary one."""
        folder = data_dir or self.work / "demo"
        if DataDir(folder).exists():
            return folder
        from npc_crf.demo import create_demo_site

        self.note(f"making a demo site with {DEMO_SUBJECTS} invented subjects in {folder}…")
        create_demo_site(folder, DEMO_STUDY, subjects=DEMO_SUBJECTS, cost=self.cost)
        return folder

    def log_in(self, shell: Shell, username: str, password: str) -> MainWindow:
        login = shell.login_window
        if login is None or shell.site is None:
            raise TourError(f"The site in {shell.data_dir} cannot be opened.")
        login.user.setText(username)
        login.password.setText(password)
        login.log_in()
        self.wait(
            lambda: shell.main_window is not None or not shell.runner.busy, "the login to finish"
        )
        self.settle(shell)
        if shell.main_window is None:
            raise TourError(
                f"The demo password of '{username}' does not open the site in "
                f"{shell.data_dir}: is it a demo site? ({login.message.text()})"
            )
        return shell.main_window

    def main_screens(self, folder: Path) -> None:
        """Login, the pages, a casebook, forms, the lock screen and the administration."""
        from npc_crf.demo.accounts import ADMIN, NURSE

        shell = self.shell(folder, idle_ms=24 * 3600 * 1000)
        try:
            login = shell.login_window
            if login is None:
                raise TourError("The login screen did not open.")
            login.user.setText(NURSE.username)
            login.password.setText(NURSE.password)
            self.shot(login, "login")
            window = self.log_in(shell, NURSE.username, NURSE.password)
            self.shot(window, "main-subjects", shell)
            window.set_font_scale(150)  # the largest font: nothing may be cut off
            self.shot(window, "main-subjects-large-font", shell)
            window.set_font_scale(100)
            window.navigate("worklist")
            self.shot(window, "main-worklist", shell)
            self.casebook_and_forms(shell, window)
            window.navigate("queries")
            self.shot(window, "main-queries", shell)
            window.navigate("sync")
            self.shot(window, "main-sync", shell)
            self.reports(shell, window)
            window.navigate("subjects")
            self.settle(shell)
            window.lock("screenshot tour")
            self.shot(window, "idle-lock", shell)
            window.unlock(NURSE.password)
            self.wait(lambda: not window.locked, "the unlock")
            window.log_out()
            self.wait(lambda: shell.main_window is None, "the logout")
            window = self.log_in(shell, ADMIN.username, ADMIN.password)
            self.administration(shell, window)
        finally:
            shell.quit()

    def reports(self, shell: Shell, window: MainWindow) -> None:
        """The Reports page, with a casebook just printed (into the tour's temporary folder)."""
        window.navigate("reports")
        self.settle(shell)
        page = window.reports
        subjects = page.subject_ids()
        if subjects:
            page.choose_casebook(subjects[0])
            page.print_document(self.work / f"{self.lang}-{subjects[0]}-casebook.pdf")
            self.settle(shell)
        self.shot(window, "main-reports", shell)

    def casebook_and_forms(self, shell: Shell, window: MainWindow) -> None:
        subjects = window.ws.worklist.subjects()
        # a subject in the middle of things shows the most: on treatment, then in follow-up
        ranked = sorted(
            subjects,
            key=lambda s: (s.status.value != "on_treatment", s.status.value != "follow_up"),
        )
        chosen = next((s for s in ranked if s.current_cycle), ranked[0] if ranked else None)
        if chosen is None:
            self.note("skipped: the casebook (the demo site has no subjects)")
            return
        window.open_subject(chosen.subject_id)
        self.shot(window, "casebook", shell)
        grid = window.ws.worklist.grid(chosen.subject_id)
        cycles = [c for c in grid.columns if c.exists and "VS" in c.cells]
        if cycles:
            column = cycles[-1]
            self.form_with_warning(
                shell, window, chosen.subject_id, column.event_oid, column.occurrence
            )
        event_oid, form_oid = eligibility_form_of(window)
        page = window.open_form(chosen.subject_id, event_oid, 1, form_oid)
        if page is not None:
            self.wait_loaded(shell, page)
            self.shot(window, "form-eligibility", shell)
            window.close_form()
        window.open_subject(chosen.subject_id)
        self.settle(shell)

    def wait_loaded(self, shell: Shell, page: QWidget) -> None:
        self.wait(lambda: getattr(page, "session", True) is not None, "the form to load")
        self.settle(shell)

    def form_with_warning(
        self, shell: Shell, window: MainWindow, subject_id: str, event_oid: str, occurrence: int
    ) -> None:
        """A vital-signs form with an out-of-range weight (a soft warning) and its history."""
        from npc_crf.forms.session import ItemPath

        page: Any = window.open_form(subject_id, event_oid, occurrence, "VS")
        if page is None:
            return
        self.wait_loaded(shell, page)
        path = ItemPath("WEIGHT")
        before = page.session.state(path).value
        page.view.answer(path, "130")
        self.shot(window, "form-soft-warning", shell)
        page.view.answer(path, "" if before is None else str(before))
        page.show_history(whole_form=True)
        self.wait(lambda: page.history_dialog is not None, "the history dialog")
        dialog: QDialog = page.history_dialog
        self.shot(dialog, "form-history", shell)
        dialog.reject()
        answering = discard_when_asked()  # in case the weight does not read back the same
        window.close_form()
        answering.stop()

    def administration(self, shell: Shell, window: MainWindow) -> None:
        if not window.navigate("admin"):
            self.note("skipped: administration (not shown for this account)")
            return
        view: Any = window.views["admin"]
        self.settle(shell)
        if not view.backups:
            view.create_backup()
            self.settle(shell)
        for index, name in enumerate(("accounts", "backups", "settings", "preferences")):
            view.tabs.setCurrentIndex(index)
            self.shot(window, f"admin-{name}", shell)


def _quiet_offscreen(kind: QtMsgType, _context: QMessageLogContext, text: str) -> None:
    """Qt's messages on standard error, without the offscreen platform's noise."""
    if "propagateSizeHints" not in text:
        print(text, file=sys.stderr)


def eligibility_form_of(window: MainWindow) -> tuple[str, str]:
    """(event, form) of the study's eligibility form (the form page's own rule)."""
    from npc_crf.ui.widgets.eligibility_panel import eligibility_form

    return eligibility_form(window.ws.study) or ("SCR", "ELIG")


def discard_when_asked() -> QTimer:
    """Answer "Discard" when a question about unsaved changes comes up (stop it after)."""
    timer = QTimer()

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            button = box.button(QMessageBox.StandardButton.Discard)
            if button is not None:
                button.click()

    timer.timeout.connect(poll)
    timer.start(20)
    return timer


def take_tour(
    out: Path,
    *,
    data_dir: Path | None = None,
    forms_dir: Path | None = None,
    cost: KdfCost | None = None,
) -> int:
    """Take the whole tour into ``out``; returns the exit status (0, or 1 with a message)."""
    if forms_dir is not None:
        print(
            "tour: --forms is not used by the tour (it uses the bundled studies)", file=sys.stderr
        )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    qInstallMessageHandler(_quiet_offscreen)
    with tempfile.TemporaryDirectory(prefix="npc-crf-tour-") as work:
        tour = Tour(out, Path(work), cost)
        try:
            for lang in LANGUAGES:
                tour.lang = lang
                tour.wizard_and_login()
            folder = tour.demo_site(Path(data_dir) if data_dir else None)
            for lang in LANGUAGES:
                tour.lang = lang
                tour.main_screens(folder)
        except NpcCrfError as exc:
            print(f"tour: {exc}", file=sys.stderr)
            return 1
        finally:
            for widget in QApplication.topLevelWidgets():
                widget.close()
    print(f"tour: {len(tour.shots)} screenshots in {out}", file=sys.stderr)
    return 0
