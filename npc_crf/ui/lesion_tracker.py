"""The lesion tracker: one subject's tumour response, computed from the stored forms.

::

    ┌ Tumour response — S01-01-0002                                       [Refresh]
    │ ● T3 — 3 targets in lymph node (T1, T2, T3): at most 2 per organ …   (errors red,
    │ ▲ baseline imaging 35 days before treatment start …                   warnings amber)
    │ ⓘ Left out: TAV[3]/TA/TADAT: no full date …                         (information)
    ├───────────────────────────────┬──────────┬──────────────────┬─────
    │ Lesion Organ Node Method …    │ Baseline │ Tumour assess. 1 │ …      ← double-click /
    │ T1     Lung  no   CT          │     24   │        13        │           Enter: the form
    │ Sum of diameters (mm)         │     59   │        30        │
    │ Overall response (RECIST 1.1) │          │   PR ▲ (differs) │
    ├ the current cell, explained (its tooltip, for the keyboard)
    ├ Best overall response: confirmed / unconfirmed, dates, iBOR, notes; the rules in force
    └ legend                                                             [Close]

:class:`LesionTracker` is the page; :class:`LesionTrackerDialog` shows it in a window
of its own beside the main window, so it can stay open while a form is edited: it
recomputes whenever a form of its subject is saved (:meth:`LesionTracker.form_saved`)
and on F5. :func:`open_lesion_tracker` opens (or re-uses) it; :class:`TrackerButton`
is the "Tumour response" button (Ctrl+R) a subject's view puts in its header.

The response is loaded on the job runner like the other views (a subject with a
dozen assessments takes 10–40 ms).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from npc_crf.oncology.recist.bor import Best, BorResult
from npc_crf.oncology.recist.model import ResponseSettings
from npc_crf.services.response import SubjectResponse
from npc_crf.services.workspace import Workspace
from npc_crf.ui import labels
from npc_crf.ui.i18n import ScaledLabel, current_language
from npc_crf.ui.lesion_tracker_grid import TrackerTable
from npc_crf.ui.lesion_tracker_look import (
    ERROR_COLOUR,
    FROZEN,
    MUTED_COLOUR,
    WARNING_COLOUR,
    RowKind,
    criteria_text,
    discrepancy_icon,
    info_icon,
    problem_icon,
    response_text,
)
from npc_crf.ui.lesion_tracker_model import LesionTrackerModel
from npc_crf.ui.load_status import LoadStatus, run_job
from npc_crf.ui.worker import Job, JobRunner

#: opens a form: (subject, event, occurrence, form)
OpenForm = Callable[[str, str, int, str], object]


def tracker_available(ws: Workspace) -> bool:
    """Whether the signed-in study has a lesion tracker (its tumour forms are mapped)."""
    return ws.response.available


# ------------------------------------------------------------------------------ panels


def tint(label: QLabel, colour: str | None = None, *, bold: bool = False) -> QLabel:
    """Colour and weight of a label through its palette and font, not a style sheet: a
    style sheet would freeze the label's font and it would miss font-size changes."""
    if colour is not None:
        palette = label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
        label.setPalette(palette)
    if bold:
        font = QFont()  # only the weight is set: the size still follows the application font
        font.setBold(True)
        label.setFont(font)
    return label


def _icon_label(icon: QIcon, size: int, device_ratio: float) -> QLabel:
    label = QLabel()
    label.setPixmap(icon.pixmap(QSize(size, size), device_ratio))
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
    return label


class MessageList(QWidget):
    """Lines with a mark each: the target-selection problems, the rows left out."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(6)
        self.grid.setVerticalSpacing(2)
        self.grid.setColumnStretch(1, 1)
        self.lines: list[QLabel] = []
        self.hide()

    def clear(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.lines = []
        self.hide()

    def add(self, icon: QIcon, text: str, colour: str | None = None, bold: bool = False) -> QLabel:
        """Add a line (a wrapped label with its mark)."""
        size = self.fontMetrics().height()
        row = len(self.lines)
        self.grid.addWidget(_icon_label(icon, size, self.devicePixelRatioF()), row, 0)
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.grid.addWidget(tint(label, colour, bold=bold), row, 1)
        self.lines.append(label)
        self.show()
        return label

    def texts(self) -> list[str]:
        return [label.text() for label in self.lines]


class BorPanel(QGroupBox):
    """Best overall response, with and without confirmation, and the rules that applied."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tracker_bor")
        self.table = QGridLayout()
        self.table.setHorizontalSpacing(18)
        self.table.setVerticalSpacing(3)
        self.notes = QLabel()
        self.notes.setObjectName("bor_notes")
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rules = ScaledLabel(factor=0.9)
        self.rules.setObjectName("bor_rules")
        self.rules.setWordWrap(True)
        tint(self.rules, MUTED_COLOUR)
        self.rules.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addLayout(self.table)
        layout.addWidget(self.notes)
        layout.addWidget(self.rules)
        self.values: dict[tuple[str, str], QLabel] = {}
        self.retranslate()
        self.show_response(None)

    def retranslate(self) -> None:
        self.setTitle(self.tr("Best overall response"))

    def _clear(self) -> None:
        while self.table.count():
            item = self.table.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.values = {}

    def show_response(self, response: SubjectResponse | None) -> None:
        """Fill the panel (empty until there is an evaluation)."""
        self._clear()
        ev = response.evaluation if response is not None else None
        if response is None or ev is None:
            self.notes.setText(self.tr("Not computed yet."))
            self.notes.show()
            self.rules.setText(self._rules(response.settings, None) if response else "")
            return
        heads = [
            "",
            self.tr("Confirmed"),
            self.tr("Unconfirmed"),
            self.tr("Response start"),
            self.tr("Confirmed on"),
            self.tr("Progression"),
        ]
        for c, text in enumerate(heads):
            head = QLabel(text)
            self.table.addWidget(tint(head, MUTED_COLOUR), 0, c)
        rows: list[tuple[str, str, BorResult]] = [("recist", "RECIST 1.1", ev.bor)]
        if ev.ibor is not None:
            rows.append(("irecist", "iRECIST", ev.ibor))
        for r, (key, name, bor) in enumerate(rows, 1):
            title = QLabel(name)
            self.table.addWidget(tint(title, bold=True), r, 0)
            cells = {
                "confirmed": self._best(bor.confirmed),
                "unconfirmed": self._best(bor.unconfirmed),
                "start": labels.date_text(bor.response_start) or labels.missing_text(),
                "confirmation": labels.date_text(bor.confirmation_date) or labels.missing_text(),
                "progression": labels.date_text(bor.progression_date) or labels.missing_text(),
            }
            for c, (what, text) in enumerate(cells.items(), 1):
                value = QLabel(text)
                value.setObjectName(f"bor_{key}_{what}")
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.table.addWidget(tint(value, bold=what == "confirmed"), r, c)
                self.values[(key, what)] = value
        self.table.setColumnStretch(len(heads), 1)
        notes = [f"RECIST 1.1: {n}" for n in ev.bor.notes]
        if ev.ibor is not None:
            notes.extend(f"iRECIST: {n}" for n in ev.ibor.notes)
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))
        self.rules.setText(self._rules(response.settings, ev.treatment_start))

    def _best(self, best: Best) -> str:
        if best.date is None:
            return response_text(best.response)
        return self.tr("{response} ({date})").format(
            response=response_text(best.response), date=labels.date_text(best.date)
        )

    def _rules(self, s: ResponseSettings, start: dt.date | None) -> str:
        """The settings in force, so a monitor knows which rules applied."""
        irradiated = {
            "never": self.tr("never"),
            "if_progressed": self.tr("only if progressed since irradiation"),
            "allowed": self.tr("allowed"),
        }.get(s.irradiated_targets, s.irradiated_targets)
        parts = [
            self.tr("Rules: {criteria}").format(criteria=criteria_text(s.irecist)),
            self.tr("CR/PR confirmed by an assessment at least {days} days later").format(
                days=s.confirm_min_days
            ),
            self.tr("at most {n} NE in between").format(n=s.max_ne_between),
            self.tr("SD in between accepted")
            if s.accept_sd_between
            else self.tr("SD in between not accepted"),
            self.tr("SD counts from day {day} after the treatment start ({min} − {window})")
            .format(
                day=s.sd_min_days - s.sd_window_days, min=s.sd_min_days, window=s.sd_window_days
            )
            .replace(" − ", "\u00a0−\u00a0"),  # never broken across lines
            self.tr("irradiated targets: {rule}").format(rule=irradiated),
        ]
        if start is not None:
            parts.append(self.tr("treatment start {date}").format(date=labels.date_text(start)))
        return " · ".join(parts)

    def text_of(self, criteria: str, what: str) -> str:
        """A value shown ("recist"/"irecist", "confirmed"/"unconfirmed"/"start"/…)."""
        label = self.values.get((criteria, what))
        return label.text() if label is not None else ""


# ------------------------------------------------------------------------------ the page


class LesionTracker(QWidget):
    """One subject's lesions, assessments and computed responses, with the investigator's."""

    formRequested = Signal(str, str, int, str)
    #: emitted after a load was shown
    loaded = Signal()

    def __init__(
        self,
        ws: Workspace,
        runner: JobRunner,
        *,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("lesion_tracker")
        self.ws, self.runner, self._today = ws, runner, today
        self.subject_id: str | None = None
        self.response: SubjectResponse | None = None
        self._request = 0
        self.title = ScaledLabel(factor=1.4, bold=True)  # follows the font-size preference
        self.title.setObjectName("tracker_title")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("tracker_refresh")
        self.refresh_button.setAutoDefault(False)
        self.refresh_button.clicked.connect(self.refresh)
        self.status = LoadStatus()
        self.problems = MessageList()
        self.problems.setObjectName("tracker_problems")
        self.info = MessageList()
        self.info.setObjectName("tracker_info")
        self.model = LesionTrackerModel(ws.study, self)
        self.grid = TrackerTable()
        self.grid.setObjectName("tracker_grid")
        self.grid.setModel(self.model)
        self.detail = QLabel()
        self.detail.setObjectName("tracker_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        tint(self.detail, MUTED_COLOUR)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bor = BorPanel()
        self.legend = QWidget()
        self.legend.setObjectName("tracker_legend")

        heading = QHBoxLayout()
        heading.addWidget(self.title, 1)
        heading.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(self.status)
        layout.addWidget(self.problems)
        layout.addWidget(self.info)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.bor)
        layout.addWidget(self.legend)

        self.grid.columnChosen.connect(self._column_chosen)
        self.grid.selectionModel().currentChanged.connect(lambda *_: self._explain_current())
        refresh = QShortcut(QKeySequence(Qt.Key.Key_F5), self)
        refresh.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.activated.connect(self.refresh)
        self.retranslate()

    # -- loading ------------------------------------------------------------------------

    def show_subject(self, subject_id: str) -> Job:
        """Show ``subject_id``'s tumour response (computed in the background)."""
        if subject_id != self.subject_id:
            self.subject_id = subject_id
            self.response = None
            self.model.set_response(None, current_language())
            self._show_texts()
        return self._load(subject_id)

    def refresh(self) -> Job | None:
        """Compute the shown subject again (F5); None when no subject is shown."""
        return self._load(self.subject_id) if self.subject_id is not None else None

    def form_saved(self, subject_id: str, event_oid: str, occurrence: int, form_oid: str) -> None:
        """A form was saved: recompute when it is one of this subject's (any form may hold
        what the response depends on, e.g. the first dose; computing is cheap)."""
        if subject_id == self.subject_id and self.isVisible():
            self.refresh()

    def _load(self, subject_id: str) -> Job:
        self._request += 1
        request, today, service = self._request, self._today, self.ws.response

        def load() -> SubjectResponse:
            return service.subject(subject_id, today)

        return run_job(
            self.runner,
            self.status,
            "compute tumour response",
            self.tr("Computing the tumour response of {subject}…").format(subject=subject_id),
            load,
            lambda response: self._show(request, response),
        )

    def _show(self, request: int, response: SubjectResponse) -> None:
        if request != self._request:  # a newer load is on its way
            return
        where = self._cursor()
        self.response = response
        self.model.set_response(response, current_language())
        self._show_texts()
        self._restore(*where)
        self.loaded.emit()

    def _cursor(self) -> tuple[tuple[str, str] | None, object]:
        """Where the cursor is, in terms that survive a reload: the row's key and the
        assessment (or the lesion column)."""
        current = self.grid.currentIndex()
        if not current.isValid():
            return None, None
        a = self.model.assessment(current.column())
        return self.model.row_key(current.row()), a.key if a is not None else current.column()

    def _restore(self, row_key: tuple[str, str] | None, column: object) -> None:
        """Put the cursor back where it was, else on the latest assessment's overall response."""
        model = self.model
        if model.rowCount() == 0:
            return
        row = model.row_by_key(row_key) if row_key is not None else None
        col: int | None = None
        if isinstance(column, tuple):
            col = model.column_of(*column)
        elif isinstance(column, int):
            col = column
        if row is None or col is None:
            row = model.row_of(RowKind.OVERALL)
            if row is None:
                row = 0
            col = model.columnCount() - 1
        index = model.index(row, col)
        self.grid.setCurrentIndex(index)
        self.grid.scrollTo(index)
        self._explain_current()

    # -- showing ------------------------------------------------------------------------

    def retranslate(self) -> None:
        """Texts in the interface language (also on a LanguageChange)."""
        self.refresh_button.setText(self.tr("Refresh"))
        self.refresh_button.setToolTip(self.tr("Compute again from the saved forms (F5)"))
        self.bor.retranslate()
        self._fill_legend()
        if self.response is not None:
            where = self._cursor()
            self.model.retranslate(current_language())
            self._restore(*where)
        self._show_texts()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() == QEvent.Type.FontChange:
            # Qt tells only windows of an application font change; a ScaledLabel inside
            # one learns of it from here (it rescales on ApplicationFontChange)
            for label in self.findChildren(ScaledLabel):
                QCoreApplication.sendEvent(label, QEvent(QEvent.Type.ApplicationFontChange))
            self._fill_legend()  # the marks are drawn at the size of the text
            self._show_problems()
            self._show_info()
        super().changeEvent(event)

    def title_text(self) -> str:
        """The page's title (the dialog's window title too)."""
        return self.tr("Tumour response — {subject}").format(subject=self.subject_id or "")

    def _show_texts(self) -> None:
        self.title.setText(self.title_text())
        self._show_problems()
        self._show_info()
        self.bor.show_response(self.response)
        self._explain_current()

    def _show_problems(self) -> None:
        self.problems.clear()
        ev = self.response.evaluation if self.response is not None else None
        if ev is None or not ev.problems:
            return
        errors = [p for p in ev.problems if p.severity == "error"]
        if errors:
            self.problems.add(
                problem_icon("error"),
                self.tr("The choice of target lesions is not valid; the responses below are "
                        "computed all the same."),
                ERROR_COLOUR,
                bold=True,
            )  # fmt: skip
        for p in sorted(ev.problems, key=lambda p: p.severity != "error"):
            where = p.lesion_id or self.tr("Baseline")
            text = self.tr("{lesion} — {message}").format(lesion=where, message=p.message)
            colour = ERROR_COLOUR if p.severity == "error" else WARNING_COLOUR
            self.problems.add(problem_icon(p.severity), text, colour)

    def _show_info(self) -> None:
        self.info.clear()
        response = self.response
        if response is None:
            return
        if response.waiting_for is not None:
            self.info.add(
                info_icon(),
                self.tr("No response is computed yet: {why}.").format(
                    why=self._waiting_text(response.waiting_for)
                ),
            )
        for problem in response.data.problems:
            self.info.add(
                info_icon(),
                self.tr("Left out of the evaluation: {problem}").format(problem=problem),
                MUTED_COLOUR,
            )
        differ = sum(len(t.discrepancies) for t in response.timepoints)
        if differ:
            self.info.add(
                discrepancy_icon(),
                self.tr(
                    "{n} investigator response(s) differ from the computed ones (marked in the grid)."
                ).format(n=differ),
                WARNING_COLOUR,
            )

    def _waiting_text(self, why: str) -> str:
        known = {
            "no baseline tumour assessment with a date": self.tr(
                "there is no baseline tumour assessment with a date"
            ),
            "the treatment start date is not known yet": self.tr(
                "the treatment start date is not known yet"
            ),
        }
        return known.get(why, why)

    def _explain_current(self) -> None:
        """Say what the current cell shows (its tooltip, for those who use the keyboard)."""
        self.detail.setText(self.explain(self.grid.currentIndex()))

    def explain(self, index: QModelIndex) -> str:
        """The current cell in words: a sum or response with its assessment, a measurement,
        or a lesion's description, classification and problems."""
        model = self.model
        if not index.isValid():
            return ""
        row, column = index.row(), index.column()
        cell = model.cell(row, column)
        if model.is_section(row):
            return ""
        if model.is_summary(row):
            if column < FROZEN:
                return model.text(row, 0)
            head = model.headerData(column, Qt.Orientation.Horizontal)
            lines = [
                self.tr("{row} — {assessment}: {value}").format(
                    row=model.text(row, 0),
                    assessment=str(head or "").replace("\n", ", "),
                    value=cell.text or labels.missing_text(),
                )
            ]
            if cell.tooltip:
                lines.append(cell.tooltip)
            return "\n".join(lines)
        return cell.tooltip if column >= FROZEN else model.cell(row, 0).tooltip

    def _fill_legend(self) -> None:
        """The marks of the grid, then how to open a form."""
        layout = self.legend.layout()
        if layout is None:
            layout = QVBoxLayout(self.legend)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.setSpacing(2)
        while layout.count():
            item = layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        marks = QWidget()
        row = QHBoxLayout(marks)
        row.setContentsMargins(0, 0, 0, 0)
        size = self.fontMetrics().height()
        entries = [
            (discrepancy_icon(), self.tr("differs from the investigator's response")),
            (problem_icon("error"), self.tr("invalid target choice")),
            (info_icon(), self.tr("assessment with notes")),
        ]
        for icon, text in entries:
            mark = _icon_label(icon, size, self.devicePixelRatioF())
            mark.setAlignment(Qt.AlignmentFlag.AlignCenter)
            row.addWidget(mark)
            row.addWidget(QLabel(text))
            row.addSpacing(size)
        row.addStretch(1)
        hint = QLabel(self.tr("Double-click an assessment or press Enter to open its form."))
        hint.setObjectName("tracker_hint")
        tint(hint, MUTED_COLOUR)
        hint.setWordWrap(True)
        layout.addWidget(marks)
        layout.addWidget(hint)

    # -- actions ------------------------------------------------------------------------

    def _column_chosen(self, column: int) -> None:
        target = self.model.form_target(column)
        if target is not None and self.subject_id is not None:
            self.formRequested.emit(self.subject_id, *target)


class LesionTrackerDialog(QDialog):
    """The lesion tracker in a window of its own (not modal: it stays open beside the
    forms and follows their saves). Escape or Close hides it."""

    formRequested = Signal(str, str, int, str)

    def __init__(
        self,
        ws: Workspace,
        runner: JobRunner,
        *,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("lesion_tracker_dialog")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.tracker = LesionTracker(ws, runner, today=today)
        self.tracker.formRequested.connect(self.formRequested)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.tracker.legend, 1)  # the legend beside Close saves a line
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tracker, 1)
        layout.addLayout(bottom)
        self._retitle()
        self.resize(1180, 800)

    def _retitle(self) -> None:
        self.setWindowTitle(self.tracker.title_text())

    def show_subject(self, subject_id: str) -> Job:
        """Show ``subject_id`` (the window keeps its place and size)."""
        job = self.tracker.show_subject(subject_id)
        self._retitle()
        return job

    def form_saved(self, subject_id: str, event_oid: str, occurrence: int, form_oid: str) -> None:
        """Pass a save on to the tracker (it recomputes for its own subject)."""
        self.tracker.form_saved(subject_id, event_oid, occurrence, form_oid)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self._retitle()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter belongs to the grid (it opens a form), never to a default button
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)


def open_lesion_tracker(
    parent: QWidget,
    ws: Workspace,
    runner: JobRunner,
    subject_id: str,
    open_form: OpenForm | None = None,
    *,
    saved: Any = None,
    today: dt.date | None = None,
) -> LesionTrackerDialog | None:
    """Show the lesion tracker of ``subject_id`` in a window over ``parent`` (re-using the
    one already open there) and return it; None when the study has no tracker.

    ``open_form(subject, event, occurrence, form)`` is called when the person chooses an
    assessment; ``saved`` is a signal ``(subject, event, occurrence, form)`` emitted
    after each save of a form, which makes the tracker recompute.
    """
    if not tracker_available(ws):
        return None
    dialog = parent.findChild(LesionTrackerDialog, "lesion_tracker_dialog")
    if dialog is None:
        dialog = LesionTrackerDialog(ws, runner, today=today, parent=parent)
        if open_form is not None:
            dialog.formRequested.connect(open_form)
        if saved is not None:
            saved.connect(dialog.form_saved)
    dialog.show_subject(subject_id)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    dialog.tracker.grid.setFocus(Qt.FocusReason.OtherFocusReason)
    return dialog


class TrackerButton(QPushButton):
    """ "Tumour response" (Ctrl+R) for a view that shows one subject; hidden when the
    study has no lesion tracker. Emits :attr:`requested` with the subject's ID."""

    requested = Signal(str)

    def __init__(self, ws: Workspace, subject: Callable[[], str | None], parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("tracker_button")
        self._subject = subject
        self._available = tracker_available(ws)
        self.setAutoDefault(False)
        self.setVisible(self._available)
        self.clicked.connect(self.request)
        self.key = QShortcut(QKeySequence("Ctrl+R"), parent)
        self.key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.key.activated.connect(self.request)
        self.retranslate()

    def retranslate(self) -> None:
        self.setText(self.tr("Tumour response"))
        self.setToolTip(self.tr("The lesion tracker: measurements and computed responses (Ctrl+R)"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def request(self) -> None:
        """Ask for the tracker of the subject on show."""
        subject = self._subject()
        if self._available and subject is not None:
            self.requested.emit(subject)
