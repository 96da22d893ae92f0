"""The Subjects screen: every subject of the site with status and next visit; screen new ones.

Each subject shows whether it is frozen or locked (its own hold or the site's) and,
for monitors, its SDV progress (verified / required values) with a "needs SDV"
filter. The table is read in bulk (``ws.worklist.subjects()`` and the holds in
force, one statement); the SDV progress arrives with a second job right after, so a
first count of a large site never holds the table back (``ws.sdv.site_status()``
keeps its counts and brings them up to date from the audit trail afterwards).
"""

from __future__ import annotations

import datetime as dt

import shiboken6
from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from npc_crf.auth.roles import Permission, allowed
from npc_crf.services.monitoring.hold_model import Hold
from npc_crf.services.monitoring.sdv import SubjectSdv
from npc_crf.services.subjects import SubjectStatus
from npc_crf.services.worklist import SubjectSummary
from npc_crf.services.workspace import Workspace
from npc_crf.ui import labels
from npc_crf.ui.load_status import LoadStatus, run_job
from npc_crf.ui.subject_model import SubjectColumn, SubjectFilterProxy, SubjectTableModel
from npc_crf.ui.view_look import TARGET_ROLE
from npc_crf.ui.widgets.record_table import record_table
from npc_crf.ui.worker import Job, JobRunner


class SubjectsView(QWidget):
    """A sortable, filterable table of the site's subjects.

    Double-click or Enter on a row emits :attr:`subjectOpened`; "Screen new subject"
    registers one (roles that may enter data) and opens it the same way.
    """

    subjectOpened = Signal(str)
    #: emitted after the table was (re)filled
    loaded = Signal()
    #: emitted after the SDV progress was filled in (monitors)
    sdvLoaded = Signal()

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
        self._request = 0

        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("subject_filter")
        self.filter_edit.setPlaceholderText(self.tr("Filter by subject ID or status"))
        self.filter_edit.setClearButtonEnabled(True)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("status_filter")
        self.status_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status_combo.addItem(self.tr("All statuses"), None)
        for status in SubjectStatus:
            self.status_combo.addItem(labels.subject_status_text(status), status.value)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.new_button = QPushButton(self.tr("Screen new subject"))
        self.new_button.setObjectName("screen_new_subject")
        self.new_button.setVisible(allowed(ws.role, Permission.ENTER_DATA))
        #: the SDV column and filter are for the roles that verify
        self.sees_sdv = allowed(ws.role, Permission.SDV)
        self.needs_sdv_box = QCheckBox(self.tr("Needs SDV"))
        self.needs_sdv_box.setObjectName("needs_sdv_filter")
        self.needs_sdv_box.setToolTip(self.tr("Only subjects with values waiting for SDV"))
        self.needs_sdv_box.setVisible(self.sees_sdv)

        self.model = SubjectTableModel(ws.study, lang, self.today)
        self.proxy = SubjectFilterProxy()
        self.proxy.setSourceModel(self.model)
        self.table = record_table(
            "subjects_table", self.proxy, SubjectColumn.ID, Qt.SortOrder.AscendingOrder
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(SubjectColumn.NEXT_VISIT, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnHidden(SubjectColumn.SDV, not self.sees_sdv)
        self.status = LoadStatus()
        self.count_label = QLabel()
        self.count_label.setObjectName("subject_count")

        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 2)
        top.addWidget(self.status_combo)
        top.addWidget(self.needs_sdv_box)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)

        self.filter_edit.textChanged.connect(self.proxy.set_text)
        for changed in (
            self.proxy.modelReset,
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.layoutChanged,
        ):
            changed.connect(self._count)
        self.status_combo.currentIndexChanged.connect(self._status_chosen)
        self.needs_sdv_box.toggled.connect(self.proxy.set_needs_sdv)
        self.refresh_button.clicked.connect(self.refresh)
        self.new_button.clicked.connect(self.screen_new_subject)
        self.table.activated.connect(self._open)

    def today(self) -> dt.date:
        """The day the schedule is judged on (today, unless one was given)."""
        return self._today or dt.date.today()

    def refresh(self) -> Job:
        """Reload the subjects (and their holds) in the background; then, for monitors,
        their SDV progress."""
        self._request += 1
        request, today, ws = self._request, self._today, self.ws

        def load() -> tuple[list[SubjectSummary], list[Hold]]:
            return ws.worklist.subjects(today), ws.holds.in_force(form_locks=False)

        return run_job(
            self.runner,
            self.status,
            "load subjects",
            self.tr("Loading subjects…"),
            load,
            lambda loaded: self._show(request, *loaded),
        )

    def _show(self, request: int, summaries: list[SubjectSummary], holds: list[Hold]) -> None:
        if request != self._request:  # a newer load is on its way
            return
        current = self.selected_subject()
        self.model.set_subjects(summaries, holds)
        if current is not None:
            self.select_subject(current)
        self.loaded.emit()
        if self.sees_sdv:
            self._load_sdv(request)

    def _load_sdv(self, request: int) -> Job:
        ws = self.ws
        return run_job(
            self.runner,
            self.status,
            "load SDV progress",
            self.tr("Counting the values verified…"),
            ws.sdv.site_status,
            lambda progress: self._show_sdv(request, progress),
        )

    def _show_sdv(self, request: int, progress: list[SubjectSdv]) -> None:
        if request != self._request:
            return
        self.model.set_sdv(progress)
        self._count()
        self.sdvLoaded.emit()

    def screen_new_subject(self) -> Job:
        """Register a new subject in screening, then open its casebook."""
        self.new_button.setEnabled(False)  # one click, one subject
        job = run_job(
            self.runner,
            self.status,
            "screen new subject",
            self.tr("Registering a new subject…"),
            self.ws.subjects.enrol,
            self._screened,
        )
        job.ended.connect(self._screening_ended)
        return job

    def _screening_ended(self) -> None:
        if shiboken6.isValid(self.new_button):
            self.new_button.setEnabled(True)

    def _screened(self, subject_id: str) -> None:
        self.refresh()
        self.subjectOpened.emit(subject_id)

    def _count(self) -> None:
        self.count_label.setText(
            self.tr("{shown} of {total} subjects").format(
                shown=self.proxy.rowCount(), total=self.model.rowCount()
            )
        )

    def _status_chosen(self, position: int) -> None:
        value = self.status_combo.itemData(position)
        self.proxy.set_status(SubjectStatus(value) if value else None)

    def _open(self, index: QModelIndex) -> None:
        subject_id = index.data(TARGET_ROLE)
        if subject_id:
            self.subjectOpened.emit(str(subject_id))

    def visible_subjects(self) -> list[str]:
        """The subject IDs shown, top to bottom (after filter and sort)."""
        return [
            str(self.proxy.index(row, SubjectColumn.ID).data(TARGET_ROLE))
            for row in range(self.proxy.rowCount())
        ]

    def selected_subject(self) -> str | None:
        """The subject of the current row, if any."""
        index = self.table.currentIndex()
        return str(index.data(TARGET_ROLE)) if index.isValid() else None

    def select_subject(self, subject_id: str) -> bool:
        """Make ``subject_id``'s row current (False when it is not shown)."""
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, SubjectColumn.ID)
            if index.data(TARGET_ROLE) == subject_id:
                self.table.setCurrentIndex(index)
                self.table.scrollTo(index)
                return True
        return False
