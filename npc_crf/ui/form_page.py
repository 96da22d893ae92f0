"""The page that edits one form of one subject: load, enter, save, mark complete, history.

Loading and saving run on the :class:`~npc_crf.ui.worker.JobRunner` (nothing
touches the database on the GUI thread); while a save runs the page is disabled
and shows a busy bar. The page keeps the nurse's input when a save fails, asks
for a reason for change when the stored form is complete or signed, and refuses
"mark complete" with the list of what is missing. After a save it re-opens the
form from the store (fresh row identities) and puts the focus back.

For the study's eligibility form a panel shows the verdict as the nurse types:
the criteria are evaluated on the subject's saved data with this form's unsaved
answers laid over it.

Monitoring (:mod:`npc_crf.ui.form_monitoring`): the load reads the holds in force
(a frozen or locked form, subject or site opens read-only); the form's queries,
SDV state and signatures are read by a job queued right behind the load (and
behind a save), so the worker reads them while the form is being drawn. Markers,
SDV boxes, the signatures' manifestations and *Sign…* follow from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from npc_crf.auth.roles import Permission, allowed
from npc_crf.core.errors import NpcCrfError
from npc_crf.forms.eligibility import assess
from npc_crf.forms.expr.evaluate import SubjectData
from npc_crf.forms.session import FormSession, ItemPath, Status
from npc_crf.services.casebook import FormRecord, FormStatus, SaveResult
from npc_crf.services.monitoring.hold_model import HoldState, State
from npc_crf.services.worklist import profile_for
from npc_crf.services.workspace import Workspace
from npc_crf.ui import dialogs
from npc_crf.ui.form_monitoring import FormMonitoring
from npc_crf.ui.form_view import FormView
from npc_crf.ui.i18n import ScaledLabel
from npc_crf.ui.widgets.eligibility_panel import EligibilityPanel, eligibility_form
from npc_crf.ui.widgets.subject_data import OverlaySubject
from npc_crf.ui.worker import Job, JobRunner, Progress


@dataclass
class LoadedForm:
    """What a load (or the re-load after a save) brings back from the worker thread."""

    session: FormSession
    record: FormRecord | None
    subject: SubjectData | None
    holds: HoldState | None = None


def load_form(
    ws: Workspace, subject_id: str, event_oid: str, occurrence: int, form_oid: str
) -> LoadedForm:
    """Open a form, its saved record and the freezes and locks on it (worker thread).

    ``open_form`` gives the session a snapshot of the subject's other forms
    (:class:`~npc_crf.store.records.SubjectSnapshot`), so its checks never query the
    database from the GUI thread.
    """
    session = ws.casebook.open_form(subject_id, event_oid, occurrence, form_oid)
    record = ws.casebook.form_record(subject_id, event_oid, occurrence, form_oid)
    holds = ws.holds.state_of(subject_id, event_oid, occurrence, form_oid)
    return LoadedForm(session, record, session.subject, holds)


def fingerprint(session: FormSession) -> tuple[object, ...]:
    """Everything a save would write, plus entries the session refused (for unsaved-changes)."""
    return (
        session.entered(),
        {str(p): r for p, r in session.overrides().items()},
        {
            str(p): s.rejected_input
            for p, s in session.states().items()
            if s.rejected_input is not None
        },
    )


class FormPage(QWidget):
    """One form of one subject, as the main window shows it."""

    saved = Signal(object)  # SaveResult
    closeRequested = Signal()
    loaded = Signal()
    #: wrong signature credentials locked the account: the session is over (the message)
    sessionEnded = Signal(str)
    #: "Print SAE report…" on a serious AE: (subject, AE occurrence)
    printSaeRequested = Signal(str, int)

    def __init__(
        self,
        ws: Workspace,
        runner: JobRunner,
        subject_id: str,
        event_oid: str,
        occurrence: int,
        form_oid: str,
        lang: str = "en",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws, self.runner, self.lang = ws, runner, lang
        self.subject_id, self.event_oid = subject_id, event_oid
        self.occurrence, self.form_oid = occurrence, form_oid
        self.study = ws.study
        self.can_enter = allowed(ws.role, Permission.ENTER_DATA)
        self.read_only = not self.can_enter
        self.session: FormSession | None = None
        self.record: FormRecord | None = None
        self.subject: SubjectData | None = None
        self.view: FormView | None = None
        self.history_dialog: dialogs.HistoryDialog | None = None
        self.last_result: SaveResult | None = None
        self.last_error: BaseException | None = None
        self._job: Job | None = None
        self._baseline: tuple[object, ...] | None = None
        self._leave_confirmed = False
        self._return_to: tuple[ItemPath | None, int] = (None, 0)
        self._save_ok: bool | None = None
        self._history_title = ""
        self._focus_wanted: ItemPath | None = None  # focus_item before the form was on show
        self.setObjectName("form_page")
        #: True on the study's AE form: a serious AE gets "Print SAE report…"
        self.is_ae_form = profile_for(self.study).ae_form == form_oid
        self.serious = False
        self.monitoring = FormMonitoring(self)
        self._build()
        self.eligibility: EligibilityPanel | None = None
        if eligibility_form(self.study) == (event_oid, form_oid):
            self.eligibility = EligibilityPanel(self.study, lang)
            self.eligibility.setMaximumWidth(520)
            self.splitter.addWidget(self.eligibility)
            self.splitter.setStretchFactor(0, 1)
            self.splitter.setStretchFactor(1, 0)
        self._panel_dragged = False
        self.splitter.splitterMoved.connect(lambda *_: setattr(self, "_panel_dragged", True))
        self._assess_timer = QTimer(self)
        self._assess_timer.setSingleShot(True)
        self._assess_timer.setInterval(0)
        self._assess_timer.timeout.connect(self.update_eligibility)
        self._update_header()
        self._load()

    # -- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.header = ScaledLabel(factor=1.2, bold=True)  # follows the font-size preference
        self.header.setObjectName("header")
        self.header.setWordWrap(True)
        self.status_chip = QLabel()
        self.status_chip.setObjectName("status")
        self.info = QLabel()
        self.info.setObjectName("info")
        self.info.setStyleSheet("color: #616161;")
        self.info.setWordWrap(True)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("save")
        self.save_button.setToolTip(self.tr("Save (Ctrl+S)"))
        self.save_button.clicked.connect(lambda: self.save())
        self.complete_button = QPushButton(self.tr("Mark complete"))
        self.complete_button.setObjectName("complete")
        self.complete_button.setToolTip(
            self.tr("Save and mark complete (Ctrl+Shift+S or Ctrl+Enter)")
        )
        self.complete_button.clicked.connect(self.mark_complete)
        self.history_button = QPushButton(self.tr("History"))
        self.history_button.setObjectName("history")
        self.history_button.setToolTip(self.tr("History of the current item (F2)"))
        self.history_button.clicked.connect(lambda: self.show_history())
        self.form_history_button = QPushButton(self.tr("Form history"))
        self.form_history_button.setObjectName("form_history")
        self.form_history_button.setToolTip(self.tr("History of the whole form (Shift+F2)"))
        self.form_history_button.clicked.connect(lambda: self.show_history(whole_form=True))
        self.sae_button = QPushButton(self.tr("Print SAE report…"))
        self.sae_button.setObjectName("print_sae")
        self.sae_button.setToolTip(
            self.tr("A PDF of this serious adverse event laid out after CIOMS I, as saved")
        )
        self.sae_button.clicked.connect(self.request_sae_report)
        self.sae_button.hide()
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setObjectName("close")
        self.close_button.setToolTip(self.tr("Close the form (Ctrl+W)"))
        self.close_button.clicked.connect(self.request_close)
        for button in (
            self.save_button,
            self.complete_button,
            self.history_button,
            self.form_history_button,
            self.sae_button,
            self.close_button,
        ):
            button.setAutoDefault(False)  # Enter belongs to the form
        self.busy_bar = QProgressBar()
        self.busy_bar.setObjectName("busy")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(160)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.placeholder = QLabel(self.tr("Opening the form…"))
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.placeholder)
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.status_chip)
        buttons = QHBoxLayout()
        for button in (
            self.save_button,
            self.complete_button,
            self.history_button,
            self.form_history_button,
        ):
            buttons.addWidget(button)
        for button in self.monitoring.bar.action_buttons():
            buttons.addWidget(button)
        buttons.addWidget(self.busy_bar)
        buttons.addStretch()
        buttons.addWidget(self.sae_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.info)
        layout.addWidget(self.monitoring.bar)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)
        for sequence, slot in (
            ("Ctrl+S", lambda: self.save()),
            ("Ctrl+Shift+S", self.mark_complete),
            ("Ctrl+Return", self.mark_complete),
            ("Ctrl+Enter", self.mark_complete),
            ("F2", lambda: self.show_history()),
            ("Shift+F2", lambda: self.show_history(whole_form=True)),
            ("Ctrl+W", self.request_close),
        ):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # -- header ----------------------------------------------------------------------------------

    def status(self) -> FormStatus:
        """The stored form's status (not started before the first save)."""
        return self.record.status if self.record is not None else FormStatus.NOT_STARTED

    def status_text(self, status: FormStatus) -> str:
        """A form status in the interface language."""
        return {
            FormStatus.NOT_STARTED: self.tr("Not started"),
            FormStatus.IN_PROGRESS: self.tr("In progress"),
            FormStatus.COMPLETE: self.tr("Complete"),
            FormStatus.SIGNED: self.tr("Signed"),
            FormStatus.LOCKED: self.tr("Locked"),
        }[status]

    def _update_header(self) -> None:
        event = self.study.event(self.event_oid)
        form = self.study.forms.get(self.form_oid)
        event_name = event.name.get(self.lang) if event is not None else self.event_oid
        if event is not None and event.repeating:
            event_name = self.tr("{event} {n}").format(event=event_name, n=self.occurrence)
        title = form.title.get(self.lang) if form is not None else self.form_oid
        self.header.setText(
            self.tr("{subject} · {event} · {form}").format(
                subject=self.subject_id, event=event_name, form=title
            )
        )
        status = self.status()
        colors = {
            FormStatus.NOT_STARTED: "#757575",
            FormStatus.IN_PROGRESS: "#1565c0",
            FormStatus.COMPLETE: "#2e7d32",
            FormStatus.SIGNED: "#6a1b9a",
            FormStatus.LOCKED: "#424242",
        }
        self.status_chip.setText(self.status_text(status))
        self.status_chip.setStyleSheet(
            f"color: white; background: {colors[status]}; border-radius: 8px; padding: 2px 10px;"
        )
        version = form.version if form is not None else "?"
        if self.record is not None:
            info = self.tr(
                "Form version {version} · revision {revision} · last saved {when} by {user}"
            ).format(
                version=self.record.form_version,
                revision=self.record.revision,
                when=dialogs.local_moment(self.record.updated_at),
                user=self.record.updated_by,
            )
        else:
            info = self.tr("Form version {version} · not saved yet").format(version=version)
        if self.read_only and self.session is not None:
            hold = self.monitoring.snapshot.state
            if not self.can_enter:
                why = self.tr("read only: your role cannot change clinical data")
            elif hold is State.FROZEN:
                why = self.tr("read only: frozen")
            else:
                why = self.tr("read only: the form is locked")
            info = self.tr("{info} · {why}").format(info=info, why=why)
        self.info.setText(info)
        editable = not self.read_only and self.view is not None
        self.save_button.setEnabled(editable)
        self.complete_button.setEnabled(editable)
        self.save_button.setVisible(not self.read_only)
        self.complete_button.setVisible(not self.read_only)

    def show_message(self, text: str, kind: str = "info") -> None:
        """A line under the buttons: ``info``, ``ok`` or ``error``."""
        color = {"ok": "#1b5e20", "error": "#b71c1c"}.get(kind, "#37474f")
        self.message.setStyleSheet(f"color: {color};")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- loading ---------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while this page's load or save runs."""
        return self._job is not None and not self._job.done

    def _load(self) -> None:
        args = (self.subject_id, self.event_oid, self.occurrence, self.form_oid)
        ws = self.ws
        job = self.runner.start("open form", lambda _p: load_form(ws, *args))
        self._job = job
        self._set_busy(True)
        job.finished.connect(self._loaded)
        job.failed.connect(self._load_failed)
        self.monitoring.refresh()  # read while the form is drawn

    def _loaded(self, loaded: LoadedForm) -> None:
        self._set_busy(False)
        focus, scroll = self._return_to
        self._return_to = (None, 0)
        if focus is not None or scroll:
            self._install(loaded, focus, scroll)
        else:
            self._install(loaded)

    def reload(self) -> None:
        """Open the form again from the store (after signing, a freeze or a lock), back
        at the item and the scroll position of now. Unsaved input is not kept: callers
        ask first (:meth:`has_unsaved`)."""
        if self.busy:
            return
        if self.view is not None:
            self._return_to = (
                self.view.current_path(),
                self.view.verticalScrollBar().value(),
            )
        self._load()

    def focus_item(self, path: ItemPath | str) -> bool:
        """Scroll to an item (or a group cell, ``TL[2].TLSITE``) and give it the focus;
        before the form is on show, remember it for then. False for an unknown path."""
        if isinstance(path, str):
            try:
                path = ItemPath.parse(path)
            except ValueError:
                return False
        if (
            self.form_oid in self.study.forms
            and self.study.forms[self.form_oid].item(path.item) is None
        ):
            return False
        view = self.view
        if view is None or self.busy:
            self._focus_wanted = path
            return True
        if view.focus_path(path):
            return True
        row = view.rows.get(ItemPath(path.group) if path.group else path)
        if row is None or row.isHidden():
            return False
        view.ensureWidgetVisible(row)  # read only: the input cannot take the focus
        marks = self.monitoring.marks.get(row.path)
        target = marks.sdv if marks is not None and marks.sdv.isVisibleTo(row) else row
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _load_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.last_error = error
        self.placeholder.setText(self.tr("The form could not be opened."))
        self.show_message(dialogs.error_text(error)[0], "error")
        self._update_header()

    def _install(
        self, loaded: LoadedForm, focus: ItemPath | None = None, scroll: int | None = None
    ) -> None:
        self.session, self.record, self.subject = loaded.session, loaded.record, loaded.subject
        held = loaded.holds is not None and loaded.holds.state is not State.OPEN
        self.read_only = not self.can_enter or self.status() is FormStatus.LOCKED or held
        view = FormView(loaded.session, self.lang, read_only=self.read_only)
        view.changed.connect(self._changed)
        old = self.splitter.replaceWidget(0, view)
        if old is not None:
            old.hide()
            old.deleteLater()
        self.view = view
        self.monitoring.attach(view, loaded.holds)
        wanted, self._focus_wanted = self._focus_wanted, None
        if wanted is not None:
            focus, scroll = wanted, None
        self._baseline = fingerprint(loaded.session)
        self._leave_confirmed = False
        self._update_header()
        self.update_eligibility()
        self._size_panels()

        def restore() -> None:
            if self.view is not view:
                return
            if scroll is not None:
                view.verticalScrollBar().setValue(scroll)
            focused = focus is not None and (
                self.focus_item(focus) if focus == wanted else view.focus_path(focus)
            )
            if (
                not focused
                and focus is None
                and not self.read_only
                and view.focused_path() is None  # focus_item() on `loaded` came first
            ):
                view.focus_first_input()
            if scroll is not None:
                view.verticalScrollBar().setValue(scroll)

        QTimer.singleShot(0, restore)
        self._check_serious()
        self.loaded.emit()

    # -- the SAE report -----------------------------------------------------------------------

    def _check_serious(self) -> None:
        """On the AE form, ask in the worker whether this AE is serious as saved (after each
        load and save); :attr:`sae_button` shows when it is."""
        if not self.is_ae_form:
            return
        ws, subject_id = self.ws, self.subject_id

        def read(_progress: Progress) -> list[Any]:
            try:
                return list(ws.reports.saes(subject_id))
            except NpcCrfError:  # e.g. a study without an SAE report mapping: no button
                return []

        job = self.runner.start("serious AEs", read)
        job.finished.connect(self._serious_read)

    def _serious_read(self, refs: object) -> None:
        if not isValid(self) or not isinstance(refs, list):
            return
        self.serious = any(
            (ref.event_oid, ref.occurrence) == (self.event_oid, self.occurrence) for ref in refs
        )
        self.sae_button.setVisible(self.serious)

    def request_sae_report(self) -> None:
        """Ask for this serious AE's SAE report (:attr:`printSaeRequested`)."""
        if self.serious:
            self.printSaeRequested.emit(self.subject_id, self.occurrence)

    def _size_panels(self) -> None:
        """Give the eligibility panel about a third of the width (until the user drags it)."""
        if self.eligibility is None or self._panel_dragged or self.splitter.count() < 2:
            return
        total = sum(self.splitter.sizes()) or self.width()
        panel = max(260, min(440, total // 3))
        self.splitter.setSizes([max(total - panel, 200), panel])

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the panel proportions while the page is resized."""
        super().resizeEvent(event)
        self._size_panels()

    def _changed(self) -> None:
        self._leave_confirmed = False
        if self.eligibility is not None:
            self._assess_timer.start()

    def update_eligibility(self) -> None:
        """Evaluate the criteria on the saved data overlaid with this form's answers."""
        if self.eligibility is None or self.session is None or self.subject is None:
            return
        session = self.session
        subject = OverlaySubject(
            self.subject, self.event_oid, self.occurrence, self.form_oid, session.data
        )
        self.eligibility.show_assessment(
            assess(
                self.study,
                subject,
                today=session.today,
                reference_ranges=session.reference_ranges,
            )
        )

    # -- saving ---------------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self.busy_bar.setVisible(busy)
        self.splitter.setEnabled(not busy)
        for button in (self.save_button, self.complete_button):
            button.setEnabled(not busy and not self.read_only and self.view is not None)
        for button in (self.history_button, self.form_history_button):
            button.setEnabled(not busy)

    def has_unsaved(self) -> bool:
        """True when the form holds entries that are not saved (typed ones included)."""
        if self.view is None or self.session is None or self.read_only:
            return False
        self.view.commit_pending()
        return fingerprint(self.session) != self._baseline

    def _item_lines(self, problems: list[tuple[ItemPath, Any]]) -> list[str]:
        assert self.view is not None
        lines = []
        for path, state in problems:
            message = state.message.get(self.lang) if state.message is not None else ""
            lines.append(
                self.tr("{item}: {message}").format(item=self.view.describe(path), message=message)
            )
        return lines

    def save(self, *, complete: bool = False, wait: bool = False) -> bool:
        """Save (and mark complete); with ``wait`` block until done. True when saved
        (or started, without ``wait``); False when refused, cancelled or failed."""
        view, session = self.view, self.session
        if view is None or session is None or self.read_only or self.busy:
            return False
        view.commit_pending()
        refused = [(p, s) for p, s in session.problems().items() if s.status is Status.HARD_ERROR]
        if refused:
            dialogs.show_problems(
                self,
                self.tr("Not saved"),
                self.tr("Correct the refused values first; nothing was saved:"),
                self._item_lines(refused),
            )
            view.focus_path(refused[0][0])
            return False
        if complete:
            blockers = view.problems()
            if blockers:
                view.set_highlight_required(True)
                dialogs.show_problems(
                    self,
                    self.tr("Not complete yet"),
                    self.tr("The form cannot be marked complete until these items are done:"),
                    self._item_lines(blockers),
                )
                view.focus_first_problem()
                self.show_message(
                    self.tr("{n} item(s) stop the form being complete.").format(n=len(blockers)),
                    "error",
                )
                return False
        changed = fingerprint(session) != self._baseline
        status = self.status()
        done = status in (FormStatus.COMPLETE, FormStatus.SIGNED)
        if not changed and (not complete or done):
            self.show_message(self.tr("Nothing to save: there are no changes."))
            return True
        reason: str | None = None
        if changed and done:
            warning = (
                self.tr("The form is signed: saving a change voids the signature.")
                if status is FormStatus.SIGNED
                else None
            )
            reason = dialogs.ask_reason(
                self,
                self.tr("Reason for change"),
                self.tr(
                    "This form is {status}. Give the reason for the change; it is kept in the audit trail."
                ).format(status=self.status_text(status).lower()),
                dialogs.change_reasons(),
                warning=warning,
            )
            if not reason:
                self.show_message(self.tr("Not saved: a reason for change is needed."), "error")
                return False
        return self._start_save(session, complete, reason, wait)

    def _start_save(
        self, session: FormSession, complete: bool, reason: str | None, wait: bool
    ) -> bool:
        assert self.view is not None
        ws = self.ws
        where = (self.subject_id, self.event_oid, self.occurrence, self.form_oid)
        values = session.entered()
        overrides = {str(p): r for p, r in session.overrides().items()}
        focus = self.view.current_path()
        scroll = self.view.verticalScrollBar().value()

        def work(progress: Progress) -> tuple[SaveResult, LoadedForm | None, BaseException | None]:
            result = ws.casebook.save_form(
                *where, values, overrides=overrides, reason=reason, complete=complete, source="gui"
            )
            try:
                return result, load_form(ws, *where), None
            except Exception as exc:  # saved, but not re-read: say so, keep the page
                return result, None, exc

        self.last_error = None
        self.show_message(self.tr("Saving…"))
        job = self.runner.start("save form", work)
        self._job = job
        self._set_busy(True)
        self._return_to = (focus, scroll)
        self._save_ok = None
        # bound methods: Qt drops the connections if the page is gone when the job ends
        job.finished.connect(self._saved)
        job.failed.connect(self._save_failed)
        self.monitoring.refresh()  # a save may raise queries, reset SDV, void a signature
        if not wait:
            return True
        if not job.done:
            loop = QEventLoop()
            job.ended.connect(loop.quit)
            loop.exec()
        return bool(self._save_ok)

    def _saved(self, outcome: tuple[SaveResult, LoadedForm | None, BaseException | None]) -> None:
        result, loaded, reload_error = outcome
        focus, scroll = self._return_to
        self._save_ok = True
        self._set_busy(False)
        self.last_result = result
        text = self.tr("Saved: {status}, {n} change(s).").format(
            status=self.status_text(result.status).lower(), n=result.changed
        )
        if result.signature_voided:
            text = self.tr(
                "{saved} The signature was voided: the form must be signed again."
            ).format(saved=text)
        if loaded is not None:
            self._install(loaded, focus, scroll)
        else:
            self._baseline = fingerprint(self.session) if self.session is not None else None
            if reload_error is not None:
                text = self.tr(
                    "{saved} The form could not be re-read: close and open it again."
                ).format(saved=text)
        self.show_message(text, "ok")
        self.saved.emit(result)

    def _save_failed(self, error: BaseException) -> None:
        focus = self._return_to[0]
        self._save_ok = False
        self._set_busy(False)
        self.last_error = error
        self.show_message(
            self.tr("Not saved: {message}").format(message=dialogs.error_text(error)[0]), "error"
        )
        dialogs.show_error(self, error)
        if focus is not None and self.view is not None:
            self.view.focus_path(focus)  # back where the nurse was, input intact

    def mark_complete(self) -> bool:
        """Save and mark complete; refused with the list of what is missing."""
        return self.save(complete=True)

    # -- history --------------------------------------------------------------------------------

    def show_history(self, *, whole_form: bool = False) -> None:
        """The history of the focused item (or of the whole form) in a dialog."""
        if self.view is None or self.busy:
            return
        path = None if whole_form else self.view.current_path()
        ws = self.ws
        group_prefix: str | None = None
        item_path: str | None = None
        if path is not None:
            item = self.study.forms[self.form_oid].item(path.item)
            if item is not None and item.is_group:
                group_prefix = f"{item.oid}["
            else:
                item_path = str(path)
            title = self.tr("History of {item}").format(item=self.view.describe(path))
        else:
            form = self.study.forms[self.form_oid]
            title = self.tr("History of {form}").format(form=form.title.get(self.lang))

        def work(_progress: Progress) -> list[Any]:
            entries = ws.audit.history(
                subject_id=self.subject_id,
                event_oid=self.event_oid,
                occurrence=self.occurrence,
                form_oid=self.form_oid,
                item_path=item_path,
            )
            if group_prefix is not None:
                entries = [e for e in entries if (e.item_path or "").startswith(group_prefix)]
            return entries

        self._history_title = title
        job = self.runner.start("history", work)
        job.finished.connect(self._show_history)
        job.failed.connect(self._history_failed)

    def _path_text(self, path: str) -> str:
        """An audited item path as the form names it (``Weight``, ``Lesions, row 2: Site``)."""
        if self.view is None:
            return path
        try:
            return self.view.describe(ItemPath.parse(path))
        except ValueError:
            return path

    def _value_text(self, value: str) -> str:
        """An audited value in words where it is a code of the application (form statuses)."""
        if value.startswith("status="):
            try:
                return self.status_text(FormStatus(value.removeprefix("status=")))
            except ValueError:
                return value
        return value

    def _history_failed(self, error: BaseException) -> None:
        dialogs.show_error(self, error)

    def _show_history(self, entries: list[Any]) -> None:
        title = self._history_title
        before = QApplication.focusWidget()
        dialog = dialogs.HistoryDialog(
            title, entries, self, item_text=self._path_text, value_text=self._value_text
        )
        self.history_dialog = dialog

        def closed() -> None:  # back to the item, ready to type
            dialog.deleteLater()
            if before is not None and before.isVisible():
                before.activateWindow()
                before.setFocus(Qt.FocusReason.OtherFocusReason)

        dialog.finished.connect(closed)
        dialog.open()

    # -- leaving -----------------------------------------------------------------------------------

    def confirm_leave(self) -> bool:
        """Ask Save / Discard / Cancel when there are unsaved changes; True to go ahead."""
        if self.busy and self._job is not None:
            loop = QEventLoop()
            self._job.ended.connect(loop.quit)
            if not self._job.done:
                loop.exec()
        if self._leave_confirmed or not self.has_unsaved():
            return True
        form = self.study.forms[self.form_oid].title.get(self.lang)
        choice = dialogs.ask_save_discard_cancel(
            self,
            self.tr("{form} of {subject} has changes that are not saved.").format(
                form=form, subject=self.subject_id
            ),
        )
        if choice == "save":
            ok = self.save(wait=True) and not self.has_unsaved()
        else:
            ok = choice == "discard"
        self._leave_confirmed = ok
        return ok

    def request_close(self) -> None:
        """Close (Ctrl+W): asks about unsaved changes first."""
        if self.confirm_leave():
            self.closeRequested.emit()
