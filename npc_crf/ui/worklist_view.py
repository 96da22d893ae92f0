"""The Worklist screen: the day's work of the site, grouped by kind, most urgent first."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from npc_crf.services.worklist import WorkItem, WorkKind
from npc_crf.services.workspace import Workspace
from npc_crf.ui import labels
from npc_crf.ui.load_status import LoadStatus, run_job
from npc_crf.ui.work_model import (
    WORK_ORDER,
    WorkColumn,
    WorkGroup,
    WorkRow,
    WorkTreeModel,
    work_row,
)
from npc_crf.ui.worker import Job, JobRunner


class WorklistView(QWidget):
    """The kinds of work of :data:`~npc_crf.ui.work_model.WORK_ORDER`, each a group: SAE
    and SUSAR reports to send first, then overdue and upcoming visits, forms not started
    or incomplete, open queries, and the adverse-event, laboratory and visit-window checks.

    Double-click or Enter on a line emits :attr:`queryRequested` (the uid) for a query,
    :attr:`formRequested` (subject, event, occurrence, form) when the line names a form,
    else :attr:`subjectOpened`.
    """

    formRequested = Signal(str, str, int, str)
    subjectOpened = Signal(str)
    #: a query line was opened: the query's uid (the Queries page shows it)
    queryRequested = Signal(str)
    #: emitted after the list was (re)filled
    loaded = Signal()

    def __init__(
        self,
        ws: Workspace,
        runner: JobRunner,
        lang: str = "en",
        *,
        today: dt.date | None = None,
        upcoming_days: int = 14,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws, self.runner, self.lang = ws, runner, lang
        self._today, self.upcoming_days = today, upcoming_days
        self._request = 0
        self._rows: list[WorkRow] = []

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kind_filter")
        self.kind_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.kind_combo.addItem(self.tr("All kinds of work"), None)
        for kind in WORK_ORDER:
            self.kind_combo.addItem(labels.work_kind_text(kind), kind.value)
        self.subject_edit = QLineEdit()
        self.subject_edit.setObjectName("worklist_subject_filter")
        self.subject_edit.setPlaceholderText(self.tr("Filter by subject ID"))
        self.subject_edit.setClearButtonEnabled(True)
        self.refresh_button = QPushButton(self.tr("Refresh"))

        self.model = WorkTreeModel()
        self.tree = QTreeView()
        self.tree.setObjectName("worklist_tree")
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(WorkColumn.DUE, Qt.SortOrder.AscendingOrder)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(WorkColumn.WHERE, QHeaderView.ResizeMode.Stretch)
        self.status = LoadStatus()

        top = QHBoxLayout()
        top.addWidget(self.kind_combo)
        top.addWidget(self.subject_edit, 1)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.tree, 1)

        self.kind_combo.currentIndexChanged.connect(self._regroup)
        self.subject_edit.textChanged.connect(self._regroup)
        self.refresh_button.clicked.connect(self.refresh)
        self.tree.activated.connect(self._open)

    def refresh(self) -> Job:
        """Reload the worklist in the background."""
        self._request += 1
        request, today, days = self._request, self._today, self.upcoming_days
        return run_job(
            self.runner,
            self.status,
            "load worklist",
            self.tr("Loading the worklist…"),
            lambda: self.ws.worklist.items(today, days),
            lambda items: self._show(request, items),
        )

    def _show(self, request: int, items: list[WorkItem]) -> None:
        if request != self._request:  # a newer load is on its way
            return
        self._rows = [work_row(self.ws.study, item, self.lang, n) for n, item in enumerate(items)]
        self._regroup()
        self.loaded.emit()

    @property
    def kind_filter(self) -> WorkKind | None:
        """The kind of work shown (None: every kind)."""
        value = self.kind_combo.currentData()
        return WorkKind(value) if value else None

    def set_kind_filter(self, kind: WorkKind | None) -> None:
        """Show only ``kind`` (None: every kind)."""
        self.kind_combo.setCurrentIndex(
            max(0, self.kind_combo.findData(kind.value if kind else None))
        )

    def _regroup(self) -> None:
        kind, text = self.kind_filter, self.subject_edit.text().strip().casefold()
        groups = [
            WorkGroup(
                k,
                [
                    row
                    for row in self._rows
                    if row.item.kind is k and (not text or text in row.item.subject_id.casefold())
                ],
            )
            for k in WORK_ORDER
            if kind is None or k is kind
        ]
        self.model.set_groups([g for g in groups if g.rows])
        for row in range(self.model.rowCount()):  # group titles may use the whole line
            self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
        self.tree.expandAll()

    def _open(self, index: QModelIndex) -> None:
        item = self.model.item(index)
        if item is None:
            return
        if item.kind is WorkKind.OPEN_QUERY and item.detail:
            self.queryRequested.emit(item.detail)
        elif item.event_oid and item.form_oid:
            self.formRequested.emit(
                item.subject_id, item.event_oid, item.occurrence or 1, item.form_oid
            )
        else:
            self.subjectOpened.emit(item.subject_id)

    def shown_items(self) -> list[WorkItem]:
        """The work items shown, top to bottom."""
        return [row.item for group in self.model.groups for row in group.rows]

    def index_of(self, item: WorkItem) -> QModelIndex:
        """The index of ``item``'s line (invalid when it is not shown)."""
        for g, group in enumerate(self.model.groups):
            for r, row in enumerate(group.rows):
                if row.item == item:
                    return self.model.index(r, 0, self.model.index(g, 0))
        return QModelIndex()
