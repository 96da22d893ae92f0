"""The Casebook screen: one subject's header and the grid of events and forms.

Columns are event occurrences (with due date, window and visit state), rows are
the study's forms; a cell shows the form's state. Clicking a cell or pressing
Enter on it emits :attr:`CasebookView.formRequested`. "Add cycle" and "Add
unscheduled visit" ask for the first form of the next occurrence, which is
created when that form is first saved.

Monitoring (``docs/monitoring.md``): the header shows the freezes and locks of the
subject and the site (who, when, why) and, for monitors, the SDV progress; cells
carry SDV marks (monitors), "to sign" marks (investigators; a signature voided by
a change is marked apart) and a form's own freeze, and signed cells show their
signatures in the tooltip. Investigators sign the selected event or the whole
casebook (:class:`~npc_crf.ui.sign_dialog.SignDialog`; a refusal lists the forms
that cannot be signed before a password is asked for); monitors and
administrators freeze, administrators lock and release, the subject or the
selected form, always with a reason. Every permission is the service's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QDate, QEvent, QModelIndex, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from npc_crf.auth.roles import Permission, allowed
from npc_crf.forms.model import Event, EventKind, Study
from npc_crf.oncology.schedule import VisitState, VisitTiming
from npc_crf.services.monitoring.hold_model import Hold, Level, Scope, Target
from npc_crf.services.monitoring.sdv import FormSdv
from npc_crf.services.monitoring.signature_model import (
    Manifestation,
    SigningPreview,
    SigningResult,
    ToSign,
)
from npc_crf.services.subjects import NEEDS_REASON, TRANSITIONS, SubjectStatus
from npc_crf.services.worklist import CasebookGrid, CellState, SubjectHeader, profile_for
from npc_crf.services.workspace import Workspace
from npc_crf.ui import labels
from npc_crf.ui.casebook_model import (
    OUT_OF_WINDOW_COLOUR,
    VISIT_TIMING_ROLE,
    CasebookGridModel,
    CellTarget,
    cell_marks,
)
from npc_crf.ui.dialogs import ask_reason, error_text, run_modal
from npc_crf.ui.i18n import ScaledLabel
from npc_crf.ui.lesion_tracker import TrackerButton
from npc_crf.ui.load_status import LoadStatus, run_job
from npc_crf.ui.sign_dialog import SignDialog
from npc_crf.ui.view_look import (
    CELL_COLOURS,
    CELL_TEXT_COLOUR,
    HOLD_COLOURS,
    NOT_APPLICABLE_COLOUR,
    VISIT_STATE_ROLE,
    cell_icon,
)
from npc_crf.ui.worker import Job, JobRunner


def cycle_event(study: Study) -> Event | None:
    """The treatment cycle event (the one the worklist counts cycles of)."""
    oid = profile_for(study).cycle_event
    return study.event(oid) if oid else None


def unscheduled_event(study: Study) -> Event | None:
    """The study's unscheduled visit."""
    return next((e for e in study.events if e.kind is EventKind.UNSCHEDULED), None)


def next_occurrence(grid: CasebookGrid, event: Event) -> int | None:
    """The occurrence of ``event`` a new visit gets: the grid's "new" column for it, else one
    after the last; None when the event allows no more."""
    columns = [c for c in grid.columns if c.event_oid == event.oid]
    new = [c.occurrence for c in columns if not c.exists]
    if new:
        return min(new)
    occurrence = max((c.occurrence for c in columns), default=0) + 1
    if not event.repeating and occurrence > 1:
        return None
    if event.max_occurrences is not None and occurrence > event.max_occurrences:
        return None
    return occurrence


@dataclass(frozen=True)
class _Loaded:
    header: SubjectHeader
    grid: CasebookGrid
    #: the freezes and locks that apply to the subject (the site's, its own, its forms')
    holds: list[Hold]
    #: the forms' SDV progress (read for roles that verify, else empty)
    sdv: list[FormSdv]
    #: the forms waiting for a signature (read for investigators, else empty)
    to_sign: list[ToSign]
    #: the valid signatures of the casebook (§11.50: shown with the signed records)
    signatures: list[Manifestation]


#: what a hold action does: (permission, level, release?)
_HOLD_ACTIONS: dict[str, tuple[Permission, Level, bool]] = {
    "freeze": (Permission.FREEZE, Level.FROZEN, False),
    "lock": (Permission.LOCK_FORMS, Level.LOCKED, False),
    "unfreeze": (Permission.LOCK_FORMS, Level.FROZEN, True),
    "unlock": (Permission.LOCK_FORMS, Level.LOCKED, True),
}


class VisitHeader(QHeaderView):
    """The grid's column header, with a strip in the visit state's colour under each title.

    A visit done out of its window (or whose window a partial date leaves undecided)
    gets a strip half in the done colour, half in :data:`OUT_OF_WINDOW_COLOUR`.
    Painted by hand, so the state shows on every platform style.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setSectionsClickable(True)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)

    def _strip(self) -> int:
        return max(3, self.fontMetrics().height() // 4)

    def sectionSizeFromContents(self, logicalIndex: int) -> QSize:
        size = super().sectionSizeFromContents(logicalIndex)
        return QSize(size.width(), size.height() + self._strip())

    def paintSection(self, painter: QPainter, rect: QRect, logicalIndex: int) -> None:
        painter.save()
        super().paintSection(painter, rect, logicalIndex)
        painter.restore()
        state = self.model().headerData(logicalIndex, Qt.Orientation.Horizontal, VISIT_STATE_ROLE)
        if not isinstance(state, VisitState):
            return
        colour = _STATE_STRIP.get(state)
        if colour is None:
            return
        strip = self._strip()
        band = QRect(rect.left() + 1, rect.bottom() - strip + 1, rect.width() - 2, strip)
        painter.fillRect(band, QColor(colour))
        timing = self.model().headerData(logicalIndex, Qt.Orientation.Horizontal, VISIT_TIMING_ROLE)
        if isinstance(timing, VisitTiming):
            half = band.width() // 2
            painter.fillRect(
                QRect(band.left() + half, band.top(), band.width() - half, strip),
                QColor(OUT_OF_WINDOW_COLOUR),
            )


#: the strip under a column title; upcoming visits get a neutral one
_STATE_STRIP = {
    VisitState.OVERDUE: "#c62828",
    VisitState.DUE: "#ef6c00",
    VisitState.UPCOMING: "#90a4ae",
    VisitState.DONE: "#2e7d32",
    VisitState.UNPLANNED: "#bdbdbd",
}


class CasebookTable(QTableView):
    """The grid: arrows move between cells, Enter or a click chooses one."""

    cellChosen = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHorizontalHeader(VisitHeader(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setTabKeyNavigation(False)
        self.setWordWrap(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self._fit_rows()
        # a see-through selection, so the current cell's state colour still shows
        palette = self.palette()
        highlight = QColor(palette.color(QPalette.ColorRole.Highlight))
        highlight.setAlpha(90)
        palette.setColor(QPalette.ColorRole.Highlight, highlight)
        palette.setColor(QPalette.ColorRole.HighlightedText, QColor(CELL_TEXT_COLOUR))
        self.setPalette(palette)
        self.clicked.connect(self._clicked)

    def _fit_rows(self) -> None:
        """Rows as high as a line of text and its icon need (measuring every cell is slow)."""
        metrics = self.fontMetrics()
        icon = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self)
        self.verticalHeader().setDefaultSectionSize(
            max(metrics.height(), icon) + metrics.height() // 2
        )

    def changeEvent(self, event: QEvent) -> None:
        """Follow font changes (the font-size preference)."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_rows()

    def center_on(self, index: QModelIndex) -> None:
        """Make ``index`` current and scroll its column to the middle of the view."""
        self.setCurrentIndex(index)
        bar = self.horizontalScrollBar()
        left = self.columnViewportPosition(index.column()) + bar.value()
        middle = left + self.columnWidth(index.column()) // 2
        bar.setValue(max(0, middle - self.viewport().width() // 2))
        self.scrollTo(index)

    def _clicked(self, index: QModelIndex) -> None:
        if index.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.cellChosen.emit(index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            index = self.currentIndex()
            if index.isValid() and index.flags() & Qt.ItemFlag.ItemIsEnabled:
                self.cellChosen.emit(index)
            event.accept()
            return
        super().keyPressEvent(event)


class StatusChangeDialog(QDialog):
    """Asks the date of a status change and its reason (required for some changes)."""

    def __init__(
        self,
        subject_id: str,
        old: SubjectStatus,
        new: SubjectStatus,
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.new_status = new
        self.setWindowTitle(self.tr("Change the status of {subject}").format(subject=subject_id))
        intro = QLabel(
            self.tr("{subject}: {old} → {new}").format(
                subject=subject_id,
                old=labels.subject_status_text(old),
                new=labels.subject_status_text(new),
            )
        )
        intro.setWordWrap(True)
        self.date_edit = QDateEdit(QDate(today.year, today.month, today.day))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setObjectName("status_reason")
        self.reason_required = new in NEEDS_REASON
        self.reason_edit.setPlaceholderText(
            self.tr("Required") if self.reason_required else self.tr("Optional")
        )
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        form = QFormLayout()
        form.addRow(self.tr("Date"), self.date_edit)
        form.addRow(self.tr("Reason"), self.reason_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(self._check)
        self._check()

    @property
    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    @property
    def day(self) -> dt.date:
        value = self.date_edit.date()
        return dt.date(value.year(), value.month(), value.day())

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.reason) or not self.reason_required)


class CasebookView(QWidget):
    """A subject's casebook: header, grid of events × forms, legend and visit buttons;
    signing, freezing and locking for the roles that may."""

    formRequested = Signal(str, str, int, str)
    #: the subject's status, holds or signatures were changed here (so lists can refresh)
    subjectChanged = Signal(str)
    #: emitted after the header and grid were (re)filled
    loaded = Signal()
    #: wrong signature credentials locked the account and ended the session (the message)
    sessionEnded = Signal(str)
    #: "Print casebook…": print this subject's casebook (the main window's Reports page)
    printRequested = Signal(str)

    def __init__(
        self,
        ws: Workspace,
        runner: JobRunner,
        lang: str = "en",
        *,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws, self.runner, self.lang, self._today = ws, runner, lang, today
        self.subject_id: str | None = None
        self.header: SubjectHeader | None = None
        self._request = 0
        self.status_dialog: StatusChangeDialog | None = None
        study = ws.study
        self._cycle = cycle_event(study)
        self._unscheduled = unscheduled_event(study)
        self._can_enter = allowed(ws.role, Permission.ENTER_DATA)
        self._can_sign = allowed(ws.role, Permission.SIGN)
        self._sees_sdv = allowed(ws.role, Permission.SDV)
        self._can_hold = any(
            allowed(ws.role, p) for p in (Permission.FREEZE, Permission.LOCK_FORMS)
        )
        #: the freezes and locks applying to the subject shown (site, subject, forms)
        self.holds: list[Hold] = []
        #: (verified, required) values of the subject (roles that verify)
        self.sdv_totals: tuple[int, int] | None = None
        #: the last refusal or message box shown here (for tests and screenshots)
        self.message_box: QMessageBox | None = None

        self.title = ScaledLabel(factor=1.4, bold=True)  # follows the font-size preference
        self.title.setObjectName("casebook_title")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel()
        self.details.setObjectName("casebook_details")
        self.details.setWordWrap(True)
        self.status_button = QPushButton(self.tr("Change status"))
        self.status_button.setObjectName("status_button")
        self.status_menu = QMenu(self.status_button)
        self.status_button.setMenu(self.status_menu)
        self.status_button.hide()
        self.add_cycle_button = QPushButton(self.tr("Add cycle"))
        self.add_cycle_button.setObjectName("add_cycle")
        self.add_unscheduled_button = QPushButton(self.tr("Add unscheduled visit"))
        self.add_unscheduled_button.setObjectName("add_unscheduled")
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.print_button = QPushButton(self.tr("Print casebook…"))
        self.print_button.setObjectName("print_casebook")
        self.print_button.setToolTip(
            self.tr("A PDF of this subject's casebook with its audit trail, signatures and queries")
        )
        self.print_button.setEnabled(False)
        #: "Tumour response" (Ctrl+R): the lesion tracker; hidden when the study has none
        self.tracker_button = TrackerButton(ws, lambda: self.subject_id, self)
        for button, event in (
            (self.add_cycle_button, self._cycle),
            (self.add_unscheduled_button, self._unscheduled),
        ):
            button.setVisible(self._can_enter and event is not None)
            button.setEnabled(False)

        self.model = CasebookGridModel(study, lang, self.today)
        self.grid = CasebookTable()
        self.grid.setObjectName("casebook_grid")
        self.grid.setModel(self.model)
        self.status = LoadStatus()
        self.legend = self._legend()

        self.hold_banner = QLabel()
        self.hold_banner.setObjectName("hold_banner")
        self.hold_banner.setWordWrap(True)
        self.hold_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hold_banner.hide()
        self.sdv_label = QLabel()
        self.sdv_label.setObjectName("sdv_progress")
        self.sdv_label.setVisible(self._sees_sdv)
        self.notice = QLabel()
        self.notice.setObjectName("casebook_notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.sign_button = QPushButton(self.tr("Sign"))
        self.sign_button.setObjectName("sign_menu_button")
        self.sign_menu = QMenu(self.sign_button)
        self.sign_event_action = QAction(self.tr("Sign event…"), self)
        self.sign_event_action.setObjectName("sign_event")
        self.sign_casebook_action = QAction(self.tr("Sign casebook…"), self)
        self.sign_casebook_action.setObjectName("sign_casebook")
        self.sign_menu.addAction(self.sign_event_action)
        self.sign_menu.addAction(self.sign_casebook_action)
        self.sign_button.setMenu(self.sign_menu)
        self.sign_button.setVisible(self._can_sign)
        self.hold_button = QPushButton(self.tr("Freeze / lock"))
        self.hold_button.setObjectName("hold_menu_button")
        self.hold_menu = QMenu(self.hold_button)
        self.hold_actions: dict[tuple[str, Scope], QAction] = {}
        self._fill_hold_menu()
        self.hold_button.setMenu(self.hold_menu)
        self.hold_button.setVisible(self._can_hold)

        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addWidget(self.status_button)
        heading.addStretch(1)
        heading.addWidget(self.tracker_button)
        heading.addWidget(self.print_button)
        heading.addWidget(self.refresh_button)
        heading.addWidget(self.add_unscheduled_button)
        heading.addWidget(self.add_cycle_button)
        monitoring = QHBoxLayout()
        monitoring.addWidget(self.sdv_label)
        monitoring.addStretch(1)
        monitoring.addWidget(self.sign_button)
        monitoring.addWidget(self.hold_button)
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(self.details)
        layout.addWidget(self.hold_banner)
        layout.addLayout(monitoring)
        layout.addWidget(self.notice)
        layout.addWidget(self.status)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.legend)

        self.grid.cellChosen.connect(self._chosen)
        self.grid.selectionModel().currentChanged.connect(lambda *_: self._update_actions())
        self.refresh_button.clicked.connect(self.refresh)
        self.print_button.clicked.connect(self.request_print)
        self.add_cycle_button.clicked.connect(self.add_cycle)
        self.add_unscheduled_button.clicked.connect(self.add_unscheduled_visit)
        self.sign_event_action.triggered.connect(lambda: self.sign_event())
        self.sign_casebook_action.triggered.connect(lambda: self.sign_casebook())
        self._update_actions()

    # -- loading ------------------------------------------------------------------------

    def show_subject(self, subject_id: str) -> Job:
        """Show ``subject_id``'s casebook (loaded in the background)."""
        if subject_id != self.subject_id:
            self.subject_id = subject_id
            self.header = None
            self.holds, self.sdv_totals = [], None
            self.title.setText(subject_id)
            self.details.clear()
            self.hold_banner.hide()
            self.sdv_label.clear()
            self.notice.hide()
            self.model.set_grid(None)
            self._update_buttons()
            self._update_actions()
        return self._load(subject_id)

    def refresh(self) -> Job | None:
        """Reload the shown subject in the background (after a save, a status change…);
        None when no subject is shown yet."""
        return self._load(self.subject_id) if self.subject_id is not None else None

    def _load(self, subject_id: str) -> Job:
        self._request += 1
        request, today = self._request, self._today
        ws, sees_sdv, signs = self.ws, self._sees_sdv, self._can_sign

        def load() -> _Loaded:
            return _Loaded(
                ws.worklist.header(subject_id, today),
                ws.worklist.grid(subject_id, today),
                ws.holds.in_force(subject_id),
                ws.sdv.subject_status(subject_id) if sees_sdv else [],
                ws.signatures.to_sign(subject_id=subject_id) if signs else [],
                ws.signatures.manifestations(subject_id),
            )

        return run_job(
            self.runner,
            self.status,
            "load casebook",
            self.tr("Loading the casebook of {subject}…").format(subject=subject_id),
            load,
            lambda loaded: self._show(request, loaded),
        )

    def _show(self, request: int, loaded: _Loaded) -> None:
        if request != self._request:  # a newer load is on its way
            return
        current = self.grid.currentIndex()
        keep = self.model.target(current) if current.isValid() else None
        same_subject = self.model.grid is not None and (
            self.model.grid.subject_id == loaded.grid.subject_id
        )
        self.header = loaded.header
        self.holds = loaded.holds
        self._show_header(loaded.header)
        self._show_monitoring(loaded)
        marks = cell_marks(loaded.sdv, loaded.to_sign, loaded.holds, loaded.signatures)
        self.model.set_grid(loaded.grid, marks)
        self._size_columns()
        if not (same_subject and keep is not None and self.select_cell(keep)):
            self._focus_current_visit()
        self._update_buttons()
        self._update_actions()
        self.loaded.emit()

    def _size_columns(self) -> None:
        """Fit each column to its header and its widest cell (cheaper than asking Qt to
        measure every cell, which costs more than loading the data)."""
        header = self.grid.horizontalHeader()
        metrics = self.grid.fontMetrics()
        icon = self.grid.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self.grid)
        padding = icon + 3 * metrics.averageCharWidth()
        for column in range(self.model.columnCount()):
            texts = self.model.column_texts(column)
            widest = max((metrics.horizontalAdvance(t) for t in texts), default=0)
            header.resizeSection(
                column, max(header.sectionSizeFromContents(column).width(), widest + padding)
            )

    def _show_header(self, header: SubjectHeader) -> None:
        self.title.setText(
            self.tr("{subject} — {status}").format(
                subject=header.subject_id, status=labels.subject_status_text(header.status)
            )
        )
        dash = labels.missing_text()
        if header.age is None:
            age = dash
        elif header.age_max is not None:
            age = self.tr("{low}–{high} years (day of birth not known)").format(
                low=header.age, high=header.age_max
            )
        else:
            age = self.tr("{age} years").format(age=header.age)
        sex = (header.sex_zh if self.lang == "zh" else header.sex_en) or header.sex_code or dash
        study = header.study_name_zh if self.lang == "zh" else header.study_name_en
        day = (
            self.tr("day {day}").format(day=header.day_on_study)
            if header.day_on_study is not None
            else dash
        )
        self.details.setText(
            self.tr(
                "Age: {age} · Sex: {sex} · Enrolled: {enrolled} · First dose: {first_dose} · "
                "On study: {day}\nStudy: {study}"
            ).format(
                age=age,
                sex=sex,
                enrolled=labels.date_text(header.enrolled_on) or dash,
                first_dose=labels.date_text(header.first_dose) or dash,
                day=day,
                study=study or header.study_oid,
            )
        )
        self._fill_status_menu(header)

    def _show_monitoring(self, loaded: _Loaded) -> None:
        """The hold banner (the site's and the subject's holds) and the SDV progress."""
        shown = [h for h in loaded.holds if h.target.scope is not Scope.FORM]
        if shown:
            level = "locked" if any(h.level is Level.LOCKED for h in shown) else "frozen"
            background, text = HOLD_COLOURS[level]
            self.hold_banner.setStyleSheet(
                f"background: {background}; color: {text}; border: 1px solid {text}; "
                "padding: 4px; font-weight: bold;"
            )
            self.hold_banner.setText(
                "\n".join(labels.hold_text(self.ws.study, h, self.lang) for h in shown)
            )
        self.hold_banner.setVisible(bool(shown))
        if self._sees_sdv:
            verified = sum(f.verified for f in loaded.sdv)
            required = sum(f.required for f in loaded.sdv)
            self.sdv_totals = (verified, required)
            self.sdv_label.setText(
                self.tr("SDV: {verified} of {required} verified").format(
                    verified=verified, required=required
                )
                if required
                else self.tr("SDV: no value needs verifying yet")
            )

    def _fill_status_menu(self, header: SubjectHeader) -> None:
        self.status_menu.clear()
        choices = sorted(TRANSITIONS[header.status], key=list(SubjectStatus).index)
        for status in choices:
            action = self.status_menu.addAction(labels.status_change_text(status))
            action.setData(status.value)
            action.triggered.connect(lambda _=False, s=status: self.ask_status_change(s))
        may = allowed(self.ws.role, Permission.CHANGE_SUBJECT_STATUS)
        self.status_button.setVisible(may and bool(choices))

    def _focus_current_visit(self) -> None:
        """Make the first form of the visit to work on current: the first one overdue, due or
        upcoming; else the first scheduled one not done; else the last that exists."""
        grid = self.model.grid
        if grid is None or not grid.columns:
            return
        pending = (VisitState.OVERDUE, VisitState.DUE, VisitState.UPCOMING)
        states = [c.visit.state if c.visit is not None else None for c in grid.columns]
        existing = [n for n, c in enumerate(grid.columns) if c.exists]
        target = next(
            (n for n, state in enumerate(states) if state in pending),
            next(
                (n for n, state in enumerate(states) if state not in (None, VisitState.DONE)),
                existing[-1] if existing else 0,
            ),
        )
        for row in range(self.model.rowCount()):
            index = self.model.index(row, target)
            if index.flags() & Qt.ItemFlag.ItemIsEnabled:
                self.grid.center_on(index)
                return

    def select_cell(self, target: CellTarget) -> bool:
        """Make the cell of ``target`` current (False when the grid has none)."""
        grid = self.model.grid
        if grid is None or target.form_oid not in grid.form_order:
            return False
        row = grid.form_order.index(target.form_oid)
        for n, column in enumerate(grid.columns):
            if (column.event_oid, column.occurrence) == (target.event_oid, target.occurrence):
                index = self.model.index(row, n)
                if not index.flags() & Qt.ItemFlag.ItemIsEnabled:
                    return False
                self.grid.setCurrentIndex(index)
                self.grid.scrollTo(index)
                return True
        return False

    # -- actions ------------------------------------------------------------------------

    def _chosen(self, index: QModelIndex) -> None:
        target = self.model.target(index)
        if target is not None and self.subject_id is not None:
            self.formRequested.emit(
                self.subject_id, target.event_oid, target.occurrence, target.form_oid
            )

    def _next_target(self, event: Event | None) -> CellTarget | None:
        grid = self.model.grid
        if event is None or grid is None or not event.forms:
            return None
        occurrence = next_occurrence(grid, event)
        if occurrence is None:
            return None
        return CellTarget(event.oid, occurrence, event.forms[0])

    def add_cycle(self) -> None:
        """Open the first form of the next treatment cycle."""
        self._request_target(self._next_target(self._cycle))

    def add_unscheduled_visit(self) -> None:
        """Open the first form of a new unscheduled visit."""
        self._request_target(self._next_target(self._unscheduled))

    def _request_target(self, target: CellTarget | None) -> None:
        if target is not None and self.subject_id is not None:
            self.formRequested.emit(
                self.subject_id, target.event_oid, target.occurrence, target.form_oid
            )

    def request_print(self) -> None:
        """Ask for this subject's casebook to be printed (:attr:`printRequested`)."""
        if self.subject_id is not None:
            self.printRequested.emit(self.subject_id)

    def _update_buttons(self) -> None:
        self.print_button.setEnabled(self.subject_id is not None)
        for button, event in (
            (self.add_cycle_button, self._cycle),
            (self.add_unscheduled_button, self._unscheduled),
        ):
            target = self._next_target(event)
            button.setEnabled(target is not None)
            if target is not None:
                button.setToolTip(
                    labels.event_text(self.ws.study, target.event_oid, target.occurrence, self.lang)
                )
            elif self.model.grid is not None:
                button.setToolTip(self.tr("The schedule allows no further occurrence."))

    def ask_status_change(self, status: SubjectStatus) -> StatusChangeDialog | None:
        """Ask date and reason for moving the subject to ``status`` (a window-modal dialog)."""
        if self.header is None:
            return None
        dialog = StatusChangeDialog(
            self.header.subject_id, self.header.status, status, self.today(), self
        )
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(
            lambda: self.change_status(dialog.new_status, dialog.reason, dialog.day)
        )
        dialog.finished.connect(dialog.deleteLater)
        self.status_dialog = dialog
        dialog.open()
        return dialog

    def change_status(self, status: SubjectStatus, reason: str, on: dt.date) -> Job | None:
        """Move the shown subject to ``status`` in the background, then reload."""
        subject_id = self.subject_id
        if subject_id is None:
            return None

        def done(_: object) -> None:
            self.subjectChanged.emit(subject_id)
            if subject_id == self.subject_id:
                self.refresh()

        return run_job(
            self.runner,
            self.status,
            "change subject status",
            self.tr("Changing the status of {subject}…").format(subject=subject_id),
            lambda: self.ws.subjects.set_status(subject_id, status, reason=reason or None, on=on),
            done,
        )

    # -- monitoring: what is selected ---------------------------------------------------

    def current_target(self) -> CellTarget | None:
        """The form of the selected cell, when that cell is in an existing event occurrence."""
        index = self.grid.currentIndex()
        found = self.model.cell(index) if index.isValid() else None
        if found is None or not found[0].exists:
            return None
        return self.model.target(index)

    def current_event(self) -> tuple[str, int] | None:
        """The event occurrence of the selected column, when it exists."""
        index = self.grid.currentIndex()
        grid = self.model.grid
        if grid is None or not index.isValid() or index.column() >= len(grid.columns):
            return None
        column = grid.columns[index.column()]
        return (column.event_oid, column.occurrence) if column.exists else None

    def _current_state(self) -> CellState | None:
        index = self.grid.currentIndex()
        found = self.model.cell(index) if index.isValid() else None
        return found[1].state if found is not None else None

    def _held(self, target: Target, level: Level) -> bool:
        """True when ``target`` itself (not a wider hold) is under ``level``."""
        if target.scope is Scope.FORM and level is Level.LOCKED:
            return self._current_state() is CellState.LOCKED
        return any(h.target == target and h.level is level for h in self.holds)

    def _update_actions(self) -> None:
        """Enable the signing and hold actions for what is shown and selected."""
        shown = self.subject_id is not None and self.header is not None
        event = self.current_event()
        if event is not None:
            name = labels.event_text(self.ws.study, event[0], event[1], self.lang)
            self.sign_event_action.setText(self.tr("Sign {event}…").format(event=name))
        else:
            self.sign_event_action.setText(self.tr("Sign event…"))
        self.sign_event_action.setEnabled(shown and event is not None)
        self.sign_casebook_action.setEnabled(shown)
        self.sign_button.setEnabled(shown)
        self.hold_button.setEnabled(shown)
        if not shown or self.subject_id is None:
            for action in self.hold_actions.values():
                action.setEnabled(False)
            return
        subject = Target.subject(self.subject_id)
        form = self.current_target()
        started = self._current_state() not in (None, CellState.NOT_STARTED)
        for (verb, scope), action in self.hold_actions.items():
            _permission, level, release = _HOLD_ACTIONS[verb]
            if scope is Scope.SUBJECT:
                target: Target | None = subject
            elif form is not None and started and self.subject_id is not None:
                target = Target.form(
                    self.subject_id, form.event_oid, form.occurrence, form.form_oid
                )
            else:
                target = None
            action.setEnabled(target is not None and self._held(target, level) is release)

    # -- monitoring: freeze and lock ----------------------------------------------------

    def _fill_hold_menu(self) -> None:
        texts = {
            ("freeze", Scope.SUBJECT): self.tr("Freeze subject…"),
            ("lock", Scope.SUBJECT): self.tr("Lock subject…"),
            ("unfreeze", Scope.SUBJECT): self.tr("Unfreeze subject…"),
            ("unlock", Scope.SUBJECT): self.tr("Unlock subject…"),
            ("freeze", Scope.FORM): self.tr("Freeze form…"),
            ("lock", Scope.FORM): self.tr("Lock form…"),
            ("unfreeze", Scope.FORM): self.tr("Unfreeze form…"),
            ("unlock", Scope.FORM): self.tr("Unlock form…"),
        }
        for n, ((verb, scope), text) in enumerate(texts.items()):
            if not allowed(self.ws.role, _HOLD_ACTIONS[verb][0]):
                continue
            if n == 4 and self.hold_actions:
                self.hold_menu.addSeparator()
            action = self.hold_menu.addAction(text)
            action.setObjectName(f"{verb}_{scope.value}")
            action.triggered.connect(lambda _=False, v=verb, sc=scope: self.ask_hold(v, sc))
            self.hold_actions[(verb, scope)] = action

    def _hold_target(self, scope: Scope) -> Target | None:
        if self.subject_id is None:
            return None
        if scope is Scope.SUBJECT:
            return Target.subject(self.subject_id)
        form = self.current_target()
        if form is None:
            return None
        return Target.form(self.subject_id, form.event_oid, form.occurrence, form.form_oid)

    def _hold_question(self, verb: str, target: Target) -> tuple[str, str]:
        what = labels.hold_target_text(self.ws.study, target, self.lang)
        titles = {
            "freeze": self.tr("Freeze"),
            "lock": self.tr("Lock"),
            "unfreeze": self.tr("Unfreeze"),
            "unlock": self.tr("Unlock"),
        }
        prompts = {
            "freeze": self.tr(
                "Freeze {what}? Its data can then no longer be changed; queries, SDV and "
                "signing go on. Only the site administrator can unfreeze it. Give the reason "
                "(audited):"
            ),
            "lock": self.tr(
                "Lock {what}? Nothing can then be changed: no data, no query, no SDV, no "
                "signature. Only the site administrator can unlock it. Give the reason "
                "(audited):"
            ),
            "unfreeze": self.tr("Unfreeze {what}? Give the reason (audited):"),
            "unlock": self.tr("Unlock {what}? Give the reason (audited):"),
        }
        title = self.tr("{action}: {what}").format(action=titles[verb], what=what)
        return title, prompts[verb].format(what=what)

    def ask_hold(self, verb: str, scope: Scope) -> Job | None:
        """Ask the reason, then freeze, lock, unfreeze or unlock (``verb``) the subject or the
        selected form (``scope``) in the background; the header and grid reload."""
        target = self._hold_target(scope)
        if target is None:
            return None
        title, prompt = self._hold_question(verb, target)
        reason = ask_reason(self, title, prompt)
        if reason is None:
            return None
        return self.change_hold(verb, target, reason)

    def change_hold(self, verb: str, target: Target, reason: str) -> Job:
        """Freeze, lock, unfreeze or unlock ``target`` with ``reason`` (no questions)."""
        holds = self.ws.holds
        act: dict[str, Callable[[Target, str], None]] = {
            "freeze": holds.freeze,
            "lock": holds.lock,
            "unfreeze": holds.unfreeze,
            "unlock": holds.unlock,
        }
        what = labels.hold_target_text(self.ws.study, target, self.lang)
        done_texts = {
            "freeze": self.tr("{what} was frozen."),
            "lock": self.tr("{what} was locked."),
            "unfreeze": self.tr("{what} was unfrozen."),
            "unlock": self.tr("{what} was unlocked."),
        }
        subject_id = target.subject_id

        def done(_: object) -> None:
            self._say(done_texts[verb].format(what=what))
            if subject_id is not None:
                self.subjectChanged.emit(subject_id)
            if subject_id == self.subject_id:
                self.refresh()

        self.notice.hide()
        return run_job(
            self.runner,
            self.status,
            "change a hold",
            self.tr("Recording the change…"),
            lambda: act[verb](target, reason),
            done,
        )

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    # -- monitoring: signing ------------------------------------------------------------

    def sign_event(self) -> Job | None:
        """Sign every complete form of the selected column's event occurrence."""
        event = self.current_event()
        if event is None:
            return None
        return self.ask_signature(*event)

    def sign_casebook(self) -> Job | None:
        """Sign every complete form of the subject."""
        return self.ask_signature(None, None)

    def ask_signature(self, event_oid: str | None, occurrence: int | None) -> Job | None:
        """Check with the service what would be signed (refused up front with the forms that
        cannot be signed), then ask for the signature (:class:`SignDialog`)."""
        subject_id = self.subject_id
        if subject_id is None:
            return None
        self.notice.hide()
        self.status.busy(self.tr("Checking what can be signed…"))
        signatures = self.ws.signatures
        job = self.runner.start(
            "check signing", lambda _p: signatures.preview(subject_id, event_oid, occurrence)
        )

        def checked(preview: object) -> None:
            if shiboken6.isValid(self):
                self.status.idle()
                assert isinstance(preview, SigningPreview)
                # after the job has ended: a dialog open meanwhile must not hold the runner
                QTimer.singleShot(
                    0, lambda: self._open_sign_dialog(subject_id, event_oid, occurrence, preview)
                )

        def refused(error: object) -> None:
            if shiboken6.isValid(self):
                self.status.idle()
                QTimer.singleShot(0, lambda: self._show_refusal(error))

        job.finished.connect(checked)
        job.failed.connect(refused)
        job.cancelled.connect(lambda: self.status.idle() if shiboken6.isValid(self) else None)
        return job

    def _scope_label(
        self, subject_id: str, event_oid: str | None, occurrence: int | None, count: int
    ) -> str:
        if event_oid is None:
            if count == 1:
                return self.tr("Casebook of {subject} — 1 form").format(subject=subject_id)
            return self.tr("Casebook of {subject} — {count} forms").format(
                subject=subject_id, count=count
            )
        event = labels.event_text(self.ws.study, event_oid, occurrence, self.lang)
        if count == 1:
            return self.tr("{event} of {subject} — 1 form").format(event=event, subject=subject_id)
        return self.tr("{event} of {subject} — {count} forms").format(
            event=event, subject=subject_id, count=count
        )

    def _open_sign_dialog(
        self,
        subject_id: str,
        event_oid: str | None,
        occurrence: int | None,
        preview: SigningPreview,
    ) -> SigningResult | None:
        if not shiboken6.isValid(self) or not self.isVisible():
            return None
        label = self._scope_label(subject_id, event_oid, occurrence, len(preview.to_sign))
        if preview.skipped:
            label = self.tr("{scope} ({count} already signed, left as they are)").format(
                scope=label, count=len(preview.skipped)
            )
        dialog = SignDialog(self.ws, self.lang, label, self)
        signatures = self.ws.signatures

        def act(meaning: str, user_id: str | None, password: str) -> SigningResult:
            if event_oid is None:
                return signatures.sign_casebook(
                    subject_id, meaning=meaning, password=password, user_id=user_id
                )
            return signatures.sign_event(
                subject_id, event_oid, occurrence or 1, meaning=meaning, password=password,
                user_id=user_id,
            )  # fmt: skip

        dialog.sign_with(self.runner, act)
        run_modal(dialog)
        if dialog.session_ended:
            self.sessionEnded.emit(dialog.session_message)
            return None
        result = dialog.outcome
        if not isinstance(result, SigningResult):
            return None
        self._say(self._signed_text(result))
        self.subjectChanged.emit(subject_id)
        if subject_id == self.subject_id:
            self.refresh()
        return result

    def _signed_text(self, result: SigningResult) -> str:
        signed, skipped = len(result.signed), len(result.skipped)
        if skipped:
            return self.tr(
                "Forms signed: {signed}. Already signed and left as they were: {skipped}."
            ).format(signed=signed, skipped=skipped)
        if signed == 1:
            return self.tr("1 form was signed.")
        return self.tr("{count} forms were signed.").format(count=signed)

    def _show_refusal(self, error: object) -> None:
        """Why nothing can be signed: each form that stands in the way, listed."""
        if not shiboken6.isValid(self):
            return
        box = QMessageBox(self)
        box.setObjectName("sign_refused_box")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Nothing was signed"))
        if isinstance(error, BaseException):
            message, informative, details = error_text(error)
        else:
            message, informative, details = str(error), "", ""
        box.setText(message)
        if informative:
            box.setInformativeText(informative)
        if details:
            box.setDetailedText(details)
        self.message_box = box
        run_modal(box)

    def today(self) -> dt.date:
        """The day the schedule is judged on (today, unless one was given)."""
        return self._today or dt.date.today()

    # -- legend -------------------------------------------------------------------------

    def _legend(self) -> QWidget:
        legend = QWidget()
        legend.setObjectName("casebook_legend")
        grid = QGridLayout(legend)
        grid.setContentsMargins(0, 0, 0, 0)
        entries: list[tuple[QWidget, str]] = []
        for state in CellState:
            mark = _swatch(CELL_COLOURS[state][0], labels.cell_state_abbreviation(state))
            icon = QLabel()
            size = self.fontMetrics().height()
            icon.setPixmap(cell_icon(state).pixmap(QSize(size, size), self.devicePixelRatioF()))
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(icon)
            row.addWidget(mark)
            entries.append((box, labels.cell_state_text(state)))
        entries.append((_swatch("#ffffff", labels.warnings_mark()), labels.warnings_text()))
        entries.append((_swatch("#ffffff", labels.queries_mark(1)), self.tr("Open queries")))
        if self._can_sign:
            for voided in (False, True):
                entries.append(
                    (_swatch("#ffffff", labels.to_sign_mark(voided)), labels.to_sign_text(voided))
                )
        if self._sees_sdv:
            for verified, text in (
                (2, self.tr("SDV: every value verified")),
                (1, self.tr("SDV: some values verified")),
                (0, self.tr("SDV: nothing verified yet")),
            ):
                entries.append((_swatch("#ffffff", labels.sdv_mark(verified, 2)), text))
        entries.append(
            (_swatch(HOLD_COLOURS["frozen"][0], labels.frozen_mark()), labels.frozen_text())
        )
        entries.append((_swatch(NOT_APPLICABLE_COLOUR, " "), self.tr("Not part of this visit")))
        entries.append(
            (_swatch(OUT_OF_WINDOW_COLOUR, " "), self.tr("Visit done outside its window"))
        )
        per_row = 4
        for n, (mark_widget, text) in enumerate(entries):
            r, c = divmod(n, per_row)
            grid.addWidget(mark_widget, r, c * 2, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(QLabel(text), r, c * 2 + 1)
        grid.setColumnStretch(per_row * 2, 1)
        return legend


def _swatch(background: str, text: str) -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet(
        f"background: {background}; color: #212121; border: 1px solid #9e9e9e; padding: 0 4px;"
    )
    return label
