"""The main window: navigation, the pages, one form page at a time, the idle lock.

::

    ┌ menu: Session (change my password, log out, quit) · View (language, font size) · Help
    ├──────────────┬──────────────────────────────────────────────────────────────┐
    │ Subjects     │  the current page: a view, the casebook, a form page, Sync,  │
    │ Worklist     │  Reports or Administration                                   │
    │ Queries …    │                                                              │
    └──────────────┴──────────────────────────────────────────────────────────────┘
      status bar: user · role · site · installation · acknowledged up to ·
                  not acknowledged · warning

Everything sits on one page of an outer stack whose other page is the lock
screen, so locking hides the data without destroying a page (nor what was typed
in an open form).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QWidget,
)
from shiboken6 import isValid

from npc_crf import __version__
from npc_crf.auth.roles import Permission, allowed
from npc_crf.core.errors import AuthError, NpcCrfError
from npc_crf.core.logs import LOGGER
from npc_crf.ui.casebook_view import CasebookView
from npc_crf.ui.errors import describe_error
from npc_crf.ui.form_page import FormPage
from npc_crf.ui.i18n import LANGUAGES, apply_font, current_language, install_language
from npc_crf.ui.idle import MINUTE_MS, IdleWatcher, LockScreen
from npc_crf.ui.login import ChangePasswordDialog
from npc_crf.ui.prefs import FONT_SCALES
from npc_crf.ui.queries_view import QueriesView, focus_item_when_loaded
from npc_crf.ui.reports_view import ReportsView
from npc_crf.ui.status_bar import StatusBar, summary_of
from npc_crf.ui.subjects_view import SubjectsView
from npc_crf.ui.sync_view import SyncView
from npc_crf.ui.worker import JobRunner, Progress
from npc_crf.ui.worklist_view import WorklistView

if TYPE_CHECKING:
    from pathlib import Path

    from npc_crf.services.workspace import Workspace
    from npc_crf.ui.worker import Job

NAVIGATION = ("subjects", "worklist", "queries", "sync", "reports", "admin")
#: pages a form page returns to when it was opened from them (else the casebook)
RETURN_PAGES = ("worklist", "queries")

#: makes a form page: (ws, runner, subject, event, occurrence, form, lang) → the page
FormPageFactory = Callable[["Workspace", JobRunner, str, str, int, str, str], QWidget]


@dataclass(frozen=True)
class OpenForm:
    """The form page on show, and where it was opened from."""

    subject_id: str
    event_oid: str
    occurrence: int
    form_oid: str
    origin: str  # the page to go back to: "casebook", "worklist" or "queries"


class MainWindow(QMainWindow):
    """The logged-in application. Emits ``loggedOut`` or ``quitRequested`` once the session
    was ended (audited logout), ``sessionEnded(text)`` when it ended by itself (a restore)."""

    loggedOut = Signal()
    quitRequested = Signal()
    sessionEnded = Signal(str)
    languageChanged = Signal(str)
    fontScaleChanged = Signal(int)
    #: a form page saved: (subject, event, occurrence, form); the lesion tracker follows it
    formSaved = Signal(str, str, int, str)

    def __init__(
        self,
        ws: Workspace,
        runner: JobRunner,
        lang: str,
        *,
        font_scale: int = 100,
        idle_ms: int | None = None,
        status_ms: int = MINUTE_MS,
        form_page_factory: FormPageFactory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("main_window")
        self.ws, self.runner, self.lang = ws, runner, lang
        self.font_scale = font_scale
        self.form_page_factory = form_page_factory
        self.views: dict[str, QWidget] = {}
        self.form_page: Any = None  # the FormPage on show (has_unsaved, confirm_leave)
        self.open_form_info: OpenForm | None = None
        self.current_subject: str | None = None
        self.locked = False
        self.ending = False
        self._allow_close = False
        self._lock_pending = False
        self._focus_at_lock: QWidget | None = None

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setMaximumWidth(240)
        self.nav.setSpacing(4)
        self.nav.currentItemChanged.connect(self._nav_changed)
        self.nav.itemClicked.connect(self._nav_clicked)  # e.g. Subjects again from a casebook
        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        work = QWidget()
        row = QHBoxLayout(work)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)
        self.lock_screen = LockScreen(ws.full_name, ws.username)
        self.lock_screen.unlockRequested.connect(self.unlock)
        self.lock_screen.logoutRequested.connect(self._logout_from_lock)
        self.cover = QStackedWidget()
        self.cover.addWidget(work)
        self.cover.addWidget(self.lock_screen)
        self.setCentralWidget(self.cover)
        self.status = StatusBar()
        self.setStatusBar(self.status)
        self._build_menus()

        self.injected_idle = idle_ms is not None
        self.idle = IdleWatcher(idle_ms or ws.site.policy.idle_lock_minutes * MINUTE_MS, self)
        self.idle.idle.connect(lambda: self.lock("idle"))
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(status_ms)
        self.status_timer.timeout.connect(self.refresh_status)

        self._build_views()
        self.retranslate()
        self.navigate("subjects")
        self.refresh_status()
        self.status_timer.start()
        self.idle.start()
        self._fit_to_screen(1280, 820)

    # -- building -----------------------------------------------------------------------

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.session_menu = QMenu(self)
        self.change_password_action = QAction(self)
        self.change_password_action.triggered.connect(self.change_password)
        self.lock_action = QAction(self)
        self.lock_action.triggered.connect(lambda: self.lock("by hand"))
        self.logout_action = QAction(self)
        self.logout_action.triggered.connect(self.log_out)
        self.quit_action = QAction(self)
        self.quit_action.triggered.connect(self.close)
        self.session_menu.addAction(self.change_password_action)
        self.session_menu.addAction(self.lock_action)
        self.session_menu.addSeparator()
        self.session_menu.addAction(self.logout_action)
        self.session_menu.addAction(self.quit_action)
        self.view_menu = QMenu(self)
        self.language_menu = QMenu(self)
        self.language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code, name in LANGUAGES.items():
            action = QAction(name, self)
            action.setCheckable(True)
            action.setChecked(code == self.lang)
            action.triggered.connect(lambda _c=False, c=code: self.set_language(c))
            self.language_group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action
        self.font_menu = QMenu(self)
        self.font_group = QActionGroup(self)
        self.font_actions: dict[int, QAction] = {}
        for scale in FONT_SCALES:
            action = QAction(f"{scale} %", self)
            action.setCheckable(True)
            action.setChecked(scale == self.font_scale)
            action.triggered.connect(lambda _c=False, s=scale: self.set_font_scale(s))
            self.font_group.addAction(action)
            self.font_menu.addAction(action)
            self.font_actions[scale] = action
        self.view_menu.addMenu(self.language_menu)
        self.view_menu.addMenu(self.font_menu)
        self.help_menu = QMenu(self)
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self._about)
        self.help_menu.addAction(self.about_action)
        # Monitoring: the SDV report, for monitors and the administrator (docs/monitoring.md)
        self.monitoring_menu = QMenu(self)
        self.sdv_report_action = QAction(self)
        self.sdv_report_action.setObjectName("export_sdv_report")
        self.sdv_report_action.triggered.connect(lambda: self.export_sdv_report())
        self.monitoring_menu.addAction(self.sdv_report_action)
        monitors = allowed(self.ws.role, Permission.SDV) or allowed(self.ws.role, Permission.FREEZE)
        menus = [self.session_menu, self.view_menu]
        menus += [self.monitoring_menu] if monitors else []
        for menu in (*menus, self.help_menu):
            bar.addMenu(menu)

    def _fit_to_screen(self, width: int, height: int) -> None:
        """Open at ``width`` × ``height``, or smaller on a small screen (1366 × 768 ward
        PCs): the window and its frame must fit the free part of the screen."""
        screen = self.screen()
        if screen is not None:
            free = screen.availableGeometry()
            width, height = min(width, free.width() - 16), min(height, free.height() - 48)
        self.resize(width, height)

    def _page_titles(self) -> dict[str, str]:
        return {
            "subjects": self.tr("Subjects"),
            "worklist": self.tr("Worklist"),
            "queries": self.tr("Queries"),
            "sync": self.tr("Sync"),
            "reports": self.tr("Reports"),
            "admin": self.tr("Administration"),
        }

    def _build_views(self) -> None:
        """(Re-)create every page in the current language."""
        for widget in self.views.values():
            self.pages.removeWidget(widget)
            widget.deleteLater()
        self.views.clear()
        titles = self._page_titles()
        self.subjects = SubjectsView(self.ws, self.runner, self.lang)
        self.subjects.subjectOpened.connect(self.open_subject)
        self.worklist = WorklistView(self.ws, self.runner, self.lang)
        self.worklist.subjectOpened.connect(self.open_subject)
        self.worklist.formRequested.connect(self._form_requested)
        self.casebook = CasebookView(self.ws, self.runner, self.lang)
        self.casebook.formRequested.connect(self._form_requested)
        self.casebook.tracker_button.requested.connect(self.open_lesion_tracker)
        self.casebook.sessionEnded.connect(self._ended_by_itself)  # a signing lockout
        self.casebook.printRequested.connect(self.print_casebook)
        self.views.update(subjects=self.subjects, worklist=self.worklist, casebook=self.casebook)
        self.queries = QueriesView(self.ws, self.runner, self.lang)
        self.queries.formRequested.connect(self._form_requested)
        self.queries.itemRequested.connect(self._item_requested)
        self.queries.subjectOpened.connect(self.open_subject)
        self.worklist.queryRequested.connect(self.show_query)
        self.views["queries"] = self.queries
        self.sync_view = SyncView(self.ws, self.runner, self.lang)
        self.sync_view.changed.connect(self.refresh_status)  # the counts follow every sync action
        self.views["sync"] = self.sync_view
        self.reports = ReportsView(self.ws, self.runner, self.lang)
        self.views["reports"] = self.reports
        for key, view in self.views.items():
            view.setObjectName(f"page_{key}")
        if self.show_admin:
            from npc_crf.ui.admin_view import AdminView

            admin = AdminView(self.ws, self.runner, self.lang, font_scale=self.font_scale)
            admin.setObjectName("page_admin")
            admin.restored.connect(self._restored)
            admin.settingsChanged.connect(self._settings_changed)
            admin.languageRequested.connect(self.set_language)
            admin.fontScaleRequested.connect(self.set_font_scale)
            admin.changePasswordRequested.connect(self.change_password)
            self.views["admin"] = admin
        for view in self.views.values():
            self.pages.addWidget(view)
        self.nav.blockSignals(True)
        self.nav.clear()
        for key in NAVIGATION:
            if key in self.views:
                item = QListWidgetItem(titles[key])
                item.setData(Qt.ItemDataRole.UserRole, key)
                self.nav.addItem(item)
        self.nav.blockSignals(False)

    @property
    def show_admin(self) -> bool:
        """Administration is for roles that manage accounts."""
        return allowed(self.ws.role, Permission.MANAGE_USERS)

    def retranslate(self) -> None:
        """Texts of the window itself (the pages are re-created on a language change)."""
        self.setWindowTitle(
            self.tr("npc-crf — site {site} — {name}").format(
                site=self.ws.site_id, name=self.ws.full_name
            )
        )
        self.session_menu.setTitle(self.tr("&Session"))
        self.change_password_action.setText(self.tr("Change my password…"))
        self.lock_action.setText(self.tr("Lock the screen"))
        self.logout_action.setText(self.tr("Log out"))
        self.quit_action.setText(self.tr("Quit"))
        self.view_menu.setTitle(self.tr("&View"))
        self.language_menu.setTitle(self.tr("Language"))
        self.font_menu.setTitle(self.tr("Font size"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.about_action.setText(self.tr("About npc-crf"))
        self.monitoring_menu.setTitle(self.tr("&Monitoring"))
        self.sdv_report_action.setText(self.tr("Export SDV report (CSV)…"))
        titles = self._page_titles()
        for row in range(self.nav.count()):
            item = self.nav.item(row)
            item.setText(titles[str(item.data(Qt.ItemDataRole.UserRole))])

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- navigation ---------------------------------------------------------------------

    @property
    def current_key(self) -> str:
        """The key of the page on show (``form`` for the form page)."""
        widget = self.pages.currentWidget()
        if widget is not None and widget is self.form_page:
            return "form"
        for key, view in self.views.items():
            if view is widget:
                return key
        return ""

    def _select_nav(self, key: str) -> None:
        self.nav.blockSignals(True)
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.nav.setCurrentRow(row)
        self.nav.blockSignals(False)

    def _nav_changed(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is not None:
            self.navigate(str(item.data(Qt.ItemDataRole.UserRole)))

    def _nav_clicked(self, item: QListWidgetItem) -> None:
        key = str(item.data(Qt.ItemDataRole.UserRole))
        if key != self.current_key:
            self.navigate(key)

    def navigate(self, key: str) -> bool:
        """Show page ``key`` (closing an open form page after ``confirm_leave``)."""
        if self.locked or key not in self.views:
            return False
        if self.form_page is not None and not self.close_form():
            self._select_nav(self._nav_key_for("form"))
            return False
        view = self.views[key]
        self.pages.setCurrentWidget(view)
        self._select_nav(self._nav_key_for(key))
        if view in (self.subjects, self.worklist, self.queries, self.sync_view, self.reports):
            view.refresh()
        return True

    def _nav_key_for(self, key: str) -> str:
        if key == "casebook":
            return "subjects"
        if key == "form" and self.open_form_info is not None:
            origin = self.open_form_info.origin
            return origin if origin in RETURN_PAGES else "subjects"
        return key

    def open_subject(self, subject_id: str) -> bool:
        """Show a subject's casebook."""
        if self.form_page is not None and not self.close_form():
            return False
        self.casebook.show_subject(subject_id)
        self.current_subject = subject_id
        return self.navigate("casebook")

    def _form_requested(
        self, subject_id: str, event_oid: str, occurrence: int, form_oid: str
    ) -> None:
        origin = self.current_key if self.current_key in RETURN_PAGES else "casebook"
        self.open_form(subject_id, event_oid, occurrence, form_oid, origin)

    def _item_requested(
        self, subject_id: str, event_oid: str, occurrence: int, form_oid: str, item_path: str
    ) -> None:
        """A form at one item (a query's): the cursor goes there if the page can place it."""
        origin = self.current_key if self.current_key in RETURN_PAGES else "casebook"
        page = self.open_form(subject_id, event_oid, occurrence, form_oid, origin)
        if page is not None:
            focus_item_when_loaded(page, item_path)

    def show_query(self, uid: str) -> bool:
        """Show the Queries page with the query ``uid`` chosen (from the worklist)."""
        if not self.navigate("queries"):
            return False
        self.queries.show_query(uid)
        return True

    def open_form(
        self,
        subject_id: str,
        event_oid: str,
        occurrence: int,
        form_oid: str,
        origin: str = "casebook",
    ) -> QWidget | None:
        """Open a form page (the one open before is left after ``confirm_leave``)."""
        if self.locked or (self.form_page is not None and not self.close_form()):
            return None
        factory = self.form_page_factory or FormPage
        try:
            page = factory(
                self.ws, self.runner, subject_id, event_oid, occurrence, form_oid, self.lang
            )
        except NpcCrfError as exc:
            QMessageBox.warning(self, self.tr("Form"), describe_error(exc))
            return None
        page.setObjectName("page_form")
        saved = getattr(page, "saved", None)
        if saved is not None:
            saved.connect(self._form_saved)
        close = getattr(page, "closeRequested", None)
        if close is not None:
            close.connect(self._form_close_requested)
        if (ended := getattr(page, "sessionEnded", None)) is not None:  # a signing lockout
            ended.connect(self._ended_by_itself)
        if (print_sae := getattr(page, "printSaeRequested", None)) is not None:
            print_sae.connect(self.print_sae)
        self.form_page = page
        self.current_subject = subject_id
        self.open_form_info = OpenForm(subject_id, event_oid, occurrence, form_oid, origin)
        self.pages.addWidget(page)
        self.pages.setCurrentWidget(page)
        self._select_nav(self._nav_key_for("form"))
        return page

    def close_form(self) -> bool:
        """Close the form page after ``confirm_leave``; False when the person stays."""
        page = self.form_page
        if page is None:
            return True
        if not page.confirm_leave():
            return False
        self.form_page = None
        self.open_form_info = None
        self.pages.removeWidget(page)
        page.deleteLater()
        return True

    def _form_saved(self, _result: object) -> None:
        info = self.open_form_info
        if info is not None:
            self.casebook.show_subject(info.subject_id)  # behind the form: the saved state
            self.formSaved.emit(info.subject_id, info.event_oid, info.occurrence, info.form_oid)
        self.refresh_status()

    def print_casebook(self, subject_id: str) -> Job | None:
        """Show the Reports page with ``subject_id``'s casebook chosen and print it (the
        file is asked for); None when the page cannot be shown or nothing was started."""
        if not self.navigate("reports"):
            return None
        self.reports.choose_casebook(subject_id)
        return self.reports.print_document()

    def print_sae(self, subject_id: str, occurrence: int) -> Job | None:
        """Show the Reports page with the SAE report of ``subject_id``'s AE ``occurrence``
        chosen and print it (an open form is left after ``confirm_leave``: the report shows
        what is saved)."""
        if not self.navigate("reports"):
            return None
        self.reports.choose_sae(subject_id, occurrence)
        return self.reports.print_document()

    def open_lesion_tracker(self, subject_id: str | None = None) -> QWidget | None:
        """Show the lesion tracker of ``subject_id`` (default: the subject on show) in a window
        beside this one; it recomputes after every save and opens the forms chosen in it.
        None when the study has no tracker."""
        from npc_crf.ui.lesion_tracker import open_lesion_tracker

        subject = subject_id or self.current_subject
        if self.locked or self.ending or subject is None:
            return None
        return open_lesion_tracker(
            self, self.ws, self.runner, subject, self._tracker_form, saved=self.formSaved
        )

    def _tracker_form(
        self, subject_id: str, event_oid: str, occurrence: int, form_oid: str
    ) -> None:
        if self.open_form(subject_id, event_oid, occurrence, form_oid, "casebook") is not None:
            self.activateWindow()  # the keyboard goes to the form; the tracker stays open

    def _form_close_requested(self) -> None:
        info = self.open_form_info
        if not self.close_form() or info is None:
            return
        if info.origin in RETURN_PAGES:
            self.navigate(info.origin)
        else:
            self.open_subject(info.subject_id)

    def has_unsaved(self) -> bool:
        """True when an open form page holds input that is not saved."""
        return self.form_page is not None and bool(self.form_page.has_unsaved())

    # -- status -------------------------------------------------------------------------

    def refresh_status(self) -> None:
        """Fill the status bar again (after saves, every minute)."""
        if self.locked or self.ws.logged_out:
            return
        try:
            self.status.show_summary(summary_of(self.ws))
        except NpcCrfError as exc:
            LOGGER.warning("status bar not refreshed: %s", type(exc).__name__)

    # -- language and font --------------------------------------------------------------

    def set_language(self, lang: str) -> bool:
        """Switch the language; the pages are re-created (after ``confirm_leave``)."""
        if lang == self.lang or self.locked:
            self._check_language()
            return lang == self.lang
        reopen, key = self.open_form_info, self.current_key
        if not self.close_form():
            self._check_language()
            return False
        app = QApplication.instance()
        if app is not None:
            install_language(app, lang)
        self.lang = current_language()
        self._build_views()
        self.retranslate()
        if reopen is not None:
            if self.current_subject is not None and reopen.origin == "casebook":
                self.open_subject(self.current_subject)
            self.open_form(
                reopen.subject_id,
                reopen.event_oid,
                reopen.occurrence,
                reopen.form_oid,
                reopen.origin,
            )
        elif key == "casebook" and self.current_subject is not None:
            self.open_subject(self.current_subject)
        else:
            self.navigate(key if key in self.views else "subjects")
        self._check_language()
        self.languageChanged.emit(self.lang)
        return True

    def _check_language(self) -> None:
        for code, action in self.language_actions.items():
            action.setChecked(code == self.lang)

    def set_font_scale(self, scale: int) -> None:
        """Scale the application font (layouts follow)."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_font(app, self.lang, scale)
        self.font_scale = scale
        for value, action in self.font_actions.items():
            action.setChecked(value == scale)
        admin = self.views.get("admin")
        if admin is not None and hasattr(admin, "set_font_scale"):
            admin.set_font_scale(scale)
        self.fontScaleChanged.emit(scale)

    # -- idle lock ----------------------------------------------------------------------

    def lock(self, reason: str = "idle") -> None:
        """Lock the session and cover the window; pages and typed input stay."""
        if self.locked or self.ending or self.ws.logged_out:
            return
        if self.runner.busy:  # lock once the running job is done with the database
            if not self._lock_pending:
                self._lock_pending = True
                self.runner.busyChanged.connect(self._lock_when_free)
            return
        try:
            self.ws.lock(reason)
        except NpcCrfError as exc:  # the screen is covered all the same
            LOGGER.error("the lock could not be written to the audit trail: %s", exc.message)
        self.locked = True
        self._focus_at_lock = QApplication.focusWidget()
        self.idle.stop()
        self._close_dialogs()
        self.menuBar().setEnabled(False)
        self.cover.setCurrentWidget(self.lock_screen)
        self.lock_screen.reset()

    def _lock_when_free(self, busy: bool) -> None:
        if busy:
            return
        self.runner.busyChanged.disconnect(self._lock_when_free)
        self._lock_pending = False
        self.lock("idle")

    def _close_dialogs(self) -> None:
        """Close dialogs that show data (what is typed in the pages themselves stays)."""
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()

    def unlock(self, password: str) -> None:
        """Check the password in the worker; on success return to where the person was."""
        ws = self.ws

        def check(_p: Progress) -> None:
            ws.unlock(password)

        job = self.runner.start("unlock", check)
        job.finished.connect(lambda _r: self._unlocked())
        job.failed.connect(self._unlock_failed)

    def _unlocked(self) -> None:
        self.locked = False
        self.menuBar().setEnabled(True)
        self.cover.setCurrentIndex(0)
        self.lock_screen.reset()
        self.idle.start()
        self.refresh_status()
        focus, self._focus_at_lock = self._focus_at_lock, None
        if focus is None or not isValid(focus) or not focus.isVisibleTo(self):  # gone meanwhile
            focus = self.pages.currentWidget()
        if focus is not None:
            focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def _unlock_failed(self, error: object) -> None:
        if self.ws.logged_out:  # too many wrong passwords: the account is locked, the session over
            policy = self.ws.site.policy
            self._ended_by_itself(
                self.tr(
                    "A wrong password was given {count} times at the lock screen: the account "
                    "{user} is locked for {minutes} minutes and the session has ended. Input "
                    "that was not saved is lost."
                ).format(
                    count=policy.max_failed_logins,
                    user=self.ws.username,
                    minutes=policy.lockout_minutes,
                )
            )
        elif isinstance(error, AuthError) and error.message == "Wrong password.":
            self.lock_screen.show_error(self.tr("Wrong password."))
        else:
            self.lock_screen.show_error(describe_error(error))

    def _logout_from_lock(self) -> None:
        if self.has_unsaved():
            answer = QMessageBox.question(
                self,
                self.tr("Log out"),
                self.tr(
                    "{name} has unsaved input in an open form. Logging out now discards it. "
                    "Log out anyway?"
                ).format(name=self.ws.full_name),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._end_session(self.loggedOut)

    # -- ending -------------------------------------------------------------------------

    def change_password(self) -> None:
        """Change one's own password."""
        ChangePasswordDialog(self.ws, self.runner, parent=self).exec()

    def log_out(self) -> None:
        """Log out (asks first about unsaved input)."""
        if self.close_form():
            self._end_session(self.loggedOut)

    def _end_session(self, then: Any) -> None:
        """Write the logout (and the automatic backup) in the worker, then emit ``then``."""
        if self.ending:
            return
        self.ending = True
        self.idle.stop()
        self.status_timer.stop()
        self.setEnabled(False)
        self.status.showMessage(self.tr("Logging out…"))
        ws = self.ws

        def logout(_p: Progress) -> None:
            ws.logout()

        job = self.runner.start("logout", logout)
        job.ended.connect(lambda: self._session_over(then))

    def _session_over(self, then: Any) -> None:
        self._allow_close = True
        then.emit()

    def _restored(self, result: object) -> None:
        from npc_crf.ui.admin_view import restored_text

        self._ended_by_itself(restored_text(result))  # type: ignore[arg-type]

    def _ended_by_itself(self, text: str) -> None:
        """The session is over without a logout from here (a restore, failed unlocks)."""
        self.ending = True
        self.idle.stop()
        self.status_timer.stop()
        self._allow_close = True
        self.sessionEnded.emit(text)

    def _settings_changed(self) -> None:
        if not self.injected_idle:
            self.idle.set_timeout(self.ws.site.policy.idle_lock_minutes * MINUTE_MS)
        self.refresh_status()  # the sync warning depends on a setting

    def allow_close(self) -> None:
        """Let the window close without asking (the application is quitting)."""
        self._allow_close = True
        self.idle.stop()
        self.status_timer.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window quits, after asking about unsaved input and logging out."""
        if self._allow_close:
            self.idle.stop()
            event.accept()
            return
        event.ignore()
        if self.locked:
            self._logout_from_lock_then_quit()
        elif self.close_form():
            self._end_session(self.quitRequested)

    def _logout_from_lock_then_quit(self) -> None:
        if self.has_unsaved():
            answer = QMessageBox.question(
                self,
                self.tr("Quit"),
                self.tr(
                    "{name} has unsaved input in an open form. Quitting now discards it. "
                    "Quit anyway?"
                ).format(name=self.ws.full_name),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._end_session(self.quitRequested)

    def export_sdv_report(self, path: Path | None = None) -> Job | None:
        """Write the SDV report as CSV (asks where, unless ``path`` is given)."""
        from npc_crf.ui.monitoring_actions import export_sdv_report

        if self.locked:
            return None
        return export_sdv_report(
            self, self.ws, self.runner, path, say=lambda text: self.status.showMessage(text, 30000)
        )

    def _about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About npc-crf"),
            self.tr(
                "npc-crf {version}\nOffline case report forms for trials in recurrent or "
                "metastatic nasopharyngeal carcinoma."
            ).format(version=__version__),
        )
