"""The Queries page: the site's queries in a filtered, sortable table, the thread of the
chosen one below it with the steps the user may take, and raising a query.

::

    ┌ [subject filter]  Status [Open ▾]  Form [All forms ▾]  Assigned to [Anyone ▾]
    │ Older than [any age]  [x] Waiting for me  3 of 12 queries  [Open form] [Raise query…] [Refresh]
    ├────────────────────────────────────────────────────────────────────────────────────
    │ Subject │ About │ Kind │ Status │ Assigned to │ Age (days) │ Last message
    ├────────────────────────────────────────────────────────────────────────────────────
    │ S01-01-0001 · Treatment cycle 2 · …  [New] …   │ Your message: [            ]
    │ Nora Nurse (research nurse) · 2026-…           │ [Reply] [Propose resolution] …
    └────────────────────────────────────────────────────────────────────────────────────

The status, form, assignee and age filters and "waiting for me" are the service's
(``ws.queries.list``, ``ws.queries.waiting_for``): changing one reloads the table in
the job runner; the subject filter narrows what is loaded. Double-click or Enter on a
query (or *Open form*) asks for its form at the item (:attr:`QueriesView.itemRequested`,
:attr:`QueriesView.formRequested`), or for the subject's casebook when the query is
about the subject or an event.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import shiboken6
from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from npc_crf.auth.roles import Permission, Role, allowed
from npc_crf.services.monitoring.query_model import OPEN_STATUSES, Query, QueryStatus
from npc_crf.services.workspace import Workspace
from npc_crf.ui import labels
from npc_crf.ui.i18n import role_name
from npc_crf.ui.load_status import LoadStatus, run_job
from npc_crf.ui.queries_model import QueryColumn, QueryFilterProxy, QueryTableModel
from npc_crf.ui.query_labels import status_text
from npc_crf.ui.query_thread import QueryThreadWidget
from npc_crf.ui.view_look import TARGET_ROLE
from npc_crf.ui.widgets.record_table import record_table
from npc_crf.ui.worker import Job, JobRunner

#: the status filter's "open" choice: new, updated and resolution proposed
OPEN = "open"
#: the status filter's "every status" choice
ALL = "all"
#: the About column is never narrower than this (pixels)
ABOUT_MIN_WIDTH = 160
#: how long after the last change of a filter the table reloads (typing an age)
FILTER_DELAY_MS = 250


def waits_by_default(role: Role) -> bool:
    """True for the roles something can wait for: "waiting for me" starts ticked."""
    return role in (Role.CRC, Role.INVESTIGATOR, Role.MONITOR)


def focus_item_when_loaded(page: QWidget, item_path: str) -> bool:
    """Put the cursor in ``item_path`` of a form page that has ``focus_item(path)``, once it
    has loaded its form; False when the page has no such method."""
    if not callable(getattr(page, "focus_item", None)):
        return False
    loaded = getattr(page, "loaded", None)
    if getattr(page, "view", None) is None and loaded is not None:
        loaded.connect(
            functools.partial(_focus_item, page, item_path),
            Qt.ConnectionType.SingleShotConnection,
        )
    else:
        _focus_item(page, item_path)
    return True


def _focus_item(page: QWidget, item_path: str) -> None:
    # a plain function, not a closure: pyside6-lupdate loses the class context after one
    if shiboken6.isValid(page):
        page.focus_item(item_path)  # type: ignore[attr-defined]


class QueriesView(QWidget):
    """The site's queries: filters, a sortable table, the thread of the chosen query.

    Emits :attr:`itemRequested` (subject, event, occurrence, form, item path) for a query
    about an item, :attr:`formRequested` for one about a form, and :attr:`subjectOpened`
    for one about a subject or an event, on double-click, Enter or *Open form*.
    """

    formRequested = Signal(str, str, int, str)
    itemRequested = Signal(str, str, int, str, str)
    subjectOpened = Signal(str)
    #: emitted after the table was (re)filled
    loaded = Signal()

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
        self._pending: str | None = None  # a query to select once it is loaded
        self._relaxed = False
        self._subjects: list[str] = []

        self.subject_edit = QLineEdit()
        self.subject_edit.setObjectName("queries_subject_filter")
        self.subject_edit.setPlaceholderText(self.tr("Filter by subject ID"))
        self.subject_edit.setClearButtonEnabled(True)
        self.subject_edit.setMinimumWidth(
            self.subject_edit.fontMetrics().horizontalAdvance("S01-01-0001") + 40
        )
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("queries_status_filter")
        self.status_combo.addItem(self.tr("Open"), OPEN)
        self.status_combo.setItemData(
            0, self.tr("New, updated or resolution proposed"), Qt.ItemDataRole.ToolTipRole
        )
        for status in QueryStatus:
            self.status_combo.addItem(status_text(status), status.value)
        self.status_combo.addItem(self.tr("All statuses"), ALL)
        self.form_combo = QComboBox()
        self.form_combo.setObjectName("queries_form_filter")
        self.form_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.form_combo.setMinimumContentsLength(12)
        self.status_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.status_combo.setMinimumContentsLength(10)
        self.form_combo.addItem(self.tr("All forms"), None)
        for oid in sorted(ws.study.forms, key=lambda o: labels.form_text(ws.study, o, lang)):
            self.form_combo.addItem(labels.form_text(ws.study, oid, lang), oid)
        self.assigned_combo = QComboBox()
        self.assigned_combo.setObjectName("queries_assigned_filter")
        self.assigned_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.assigned_combo.setMinimumContentsLength(10)
        self.assigned_combo.addItem(self.tr("Anyone"), None)
        for role in (Role.CRC, Role.INVESTIGATOR, Role.MONITOR):
            self.assigned_combo.addItem(role_name(role), role.value)
        self.age_spin = QSpinBox()
        self.age_spin.setObjectName("queries_age_filter")
        self.age_spin.setRange(0, 3650)
        self.age_spin.setSpecialValueText(self.tr("any age"))
        self.age_spin.setSuffix(self.tr(" days"))
        self.age_spin.setToolTip(self.tr("Only queries raised more than this many days ago"))
        self.waiting_check = QCheckBox(self.tr("Waiting for me"))
        self.waiting_check.setObjectName("queries_waiting")
        self.waiting_check.setToolTip(
            self.tr("Only the queries your role should act on now (as on the worklist)")
        )
        self.waiting_check.setChecked(waits_by_default(ws.role))
        self.waiting_check.setVisible(waits_by_default(ws.role))
        self.count_label = QLabel()
        self.count_label.setObjectName("queries_count")
        self.open_button = QPushButton(self.tr("Open form"))
        self.open_button.setObjectName("queries_open")
        self.open_button.setToolTip(self.tr("Open the form at the item (Enter)"))
        self.raise_button = QPushButton(
            self.tr("Raise query…")
            if allowed(ws.role, Permission.RAISE_QUERY)
            else self.tr("Write a note…")
        )
        self.raise_button.setObjectName("queries_raise")
        self.raise_button.setToolTip(self.tr("About a subject as a whole"))
        self.raise_button.setVisible(
            allowed(ws.role, Permission.RAISE_QUERY) or allowed(ws.role, Permission.ANSWER_QUERY)
        )
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.setToolTip(self.tr("Read the queries again (F5)"))

        self.model = QueryTableModel(ws.study, lang)
        self.proxy = QueryFilterProxy()
        self.proxy.setSourceModel(self.model)
        self.table = record_table(
            "queries_table", self.proxy, QueryColumn.AGE, Qt.SortOrder.DescendingOrder
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QueryColumn.ABOUT, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(QueryColumn.LAST, QHeaderView.ResizeMode.Stretch)
        self.empty_label = QLabel()
        self.empty_label.setObjectName("queries_empty")
        self.empty_label.setStyleSheet("color: #616161;")
        self.empty_label.hide()
        self.status = LoadStatus()
        self.thread_view = QueryThreadWidget(ws, runner, lang, compose_beside=True, today=today)

        filters = QHBoxLayout()
        filters.addWidget(self.subject_edit, 1)
        second = QHBoxLayout()
        for row, text, widget in (
            (filters, self.tr("Status:"), self.status_combo),
            (filters, self.tr("Form:"), self.form_combo),
            (filters, self.tr("Assigned to:"), self.assigned_combo),
            (second, self.tr("Older than:"), self.age_spin),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget, 1 if row is filters else 0)
        second.addSpacing(12)
        second.addWidget(self.waiting_check)
        second.addSpacing(12)
        second.addWidget(self.count_label)
        second.addStretch(1)
        second.addWidget(self.open_button)
        second.addWidget(self.raise_button)
        second.addWidget(self.refresh_button)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.empty_label)
        upper_layout.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("queries_splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(upper)
        self.splitter.addWidget(self.thread_view)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(second)
        layout.addWidget(self.status)
        layout.addWidget(self.splitter, 1)

        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.refresh)
        for combo in (self.status_combo, self.form_combo, self.assigned_combo):
            combo.currentIndexChanged.connect(self._filters_changed)
        self.age_spin.valueChanged.connect(self._filters_changed)
        self.waiting_check.toggled.connect(self._filters_changed)
        self.subject_edit.textChanged.connect(self.proxy.set_subject_text)
        for changed in (
            self.proxy.modelReset,
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.layoutChanged,
        ):
            changed.connect(self._count)
        self.refresh_button.clicked.connect(self.refresh)
        self.open_button.clicked.connect(self.open_selected)
        self.raise_button.clicked.connect(lambda: self.raise_query())
        self.table.activated.connect(self._open)
        selection = self.table.selectionModel()
        selection.currentRowChanged.connect(self._current_changed)
        self.thread_view.changed.connect(self._step_taken)
        shortcut = QShortcut(QKeySequence(Qt.Key.Key_F5), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.refresh)
        self._count()
        self._update_open_button()

    # -- the filters --------------------------------------------------------------------

    def today(self) -> dt.date:
        """The day ages are counted to."""
        return self._today or dt.date.today()

    def _filters_changed(self) -> None:
        self._relaxed = False
        self._filter_timer.start()

    def status_filter(self) -> frozenset[QueryStatus] | None:
        """The statuses shown (None: every status)."""
        value = self.status_combo.currentData()
        if value == ALL:
            return None
        if value == OPEN:
            return OPEN_STATUSES
        return frozenset({QueryStatus(value)})

    def set_status_filter(self, value: QueryStatus | str) -> None:
        """Show one status, ``"open"`` or ``"all"``."""
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(str(value))))

    def set_form_filter(self, form_oid: str | None) -> None:
        """Show the queries about one form (None: every form)."""
        self.form_combo.setCurrentIndex(max(0, self.form_combo.findData(form_oid)))

    def set_assigned_filter(self, role: Role | None) -> None:
        """Show the queries assigned to ``role`` (None: anyone)."""
        self.assigned_combo.setCurrentIndex(
            max(0, self.assigned_combo.findData(role.value if role else None))
        )

    def _filters(self) -> dict[str, Any]:
        role = self.assigned_combo.currentData()
        statuses = self.status_filter()
        return {
            "status": sorted(statuses) if statuses is not None else None,
            "form_oid": self.form_combo.currentData(),
            "assigned": Role(role) if role else None,
            "older_than_days": self.age_spin.value() or None,
        }

    def _relax_filters(self) -> None:
        """Every query of the site (to find one that the filters hid)."""
        widgets = (
            self.status_combo,
            self.form_combo,
            self.assigned_combo,
            self.age_spin,
            self.waiting_check,
            self.subject_edit,
        )
        for widget in widgets:
            widget.blockSignals(True)
        self.set_status_filter(ALL)
        self.set_form_filter(None)
        self.set_assigned_filter(None)
        self.age_spin.setValue(0)
        self.waiting_check.setChecked(False)
        self.subject_edit.clear()
        for widget in widgets:
            widget.blockSignals(False)
        self.proxy.set_subject_text("")

    # -- loading ------------------------------------------------------------------------

    def refresh(self) -> Job:
        """Reload the queries (with their threads) in the background."""
        self._filter_timer.stop()
        self._request += 1
        request, ws = self._request, self.ws
        filters, waiting = self._filters(), self.waiting_check.isChecked()
        want_subjects = not self.raise_button.isHidden()  # to choose whom a new query is about

        def work() -> tuple[list[Query], list[str]]:
            queries = ws.queries.list(with_messages=True, **filters)
            if waiting:
                uids = {q.uid for q in ws.queries.waiting_for()}
                queries = [q for q in queries if q.uid in uids]
            subjects = [s.subject_id for s in ws.subjects.list()] if want_subjects else []
            return queries, subjects

        return run_job(
            self.runner,
            self.status,
            "load queries",
            self.tr("Loading the queries…"),
            work,
            lambda result: self._show(request, *result),
        )

    def _show(self, request: int, queries: list[Query], subjects: list[str]) -> None:
        if request != self._request:  # a newer load is on its way
            return
        self._subjects = subjects
        shown = self.thread_view.query
        current = self.selected_uid() or (shown.uid if shown is not None else None)
        self.model.set_queries(queries, self.today())
        self._size_about_column()
        pending, self._pending = self._pending, None
        if pending is not None:
            if not self.select_query(pending):
                if not self._relaxed:  # hidden by the filters: show every query
                    self._relaxed = True
                    self._pending = pending
                    self._relax_filters()
                    self.refresh()
                    return
                self.thread_view.load(pending)  # not a query of this list at all: read it alone
        elif (
            (current is None or not self.select_query(current))
            and shown is None
            and self.proxy.rowCount()
        ):  # nothing chosen yet: the first query
            self.table.setCurrentIndex(self.proxy.index(0, 0))
        self._update_open_button()
        self.loaded.emit()

    def _size_about_column(self) -> None:
        """As wide as its texts, but leaving the last message room (its tooltip and the
        thread below show the whole text)."""
        wanted = self.table.sizeHintForColumn(QueryColumn.ABOUT)
        room = max(ABOUT_MIN_WIDTH, self.table.viewport().width() // 3)
        self.table.horizontalHeader().resizeSection(
            QueryColumn.ABOUT, max(ABOUT_MIN_WIDTH, min(wanted, room))
        )

    def _step_taken(self, _uid: str) -> None:
        self.refresh()

    def _count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(
            self.tr("{shown} of {total} queries").format(shown=shown, total=total)
        )
        if shown:
            self.empty_label.hide()
            return
        if self.waiting_check.isChecked():
            text = self.tr("Nothing is waiting for you with these filters.")
        else:
            text = self.tr("No query matches the filters.")
        self.empty_label.setText(text)
        self.empty_label.show()

    # -- choosing and opening -----------------------------------------------------------

    def shown_queries(self) -> list[Query]:
        """The queries in the table, top to bottom (after filter and sort)."""
        return [
            self.model.query(self.proxy.mapToSource(self.proxy.index(row, 0)).row())
            for row in range(self.proxy.rowCount())
        ]

    def shown_uids(self) -> list[str]:
        """The uids of :meth:`shown_queries`."""
        return [q.uid for q in self.shown_queries()]

    def selected_query(self) -> Query | None:
        """The query of the current row, if any."""
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.query(self.proxy.mapToSource(index).row())

    def selected_uid(self) -> str | None:
        """The uid of :meth:`selected_query`."""
        query = self.selected_query()
        return query.uid if query is not None else None

    def select_query(self, uid: str) -> bool:
        """Make the query ``uid`` current, its thread shown (False when it is not listed)."""
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, QueryColumn.SUBJECT)
            if index.data(TARGET_ROLE) == uid:
                self.table.setCurrentIndex(index)
                self.table.scrollTo(index)
                query = self.selected_query()
                if query is not None:  # the fresh state, also when it was current already
                    self.thread_view.set_query(query)
                return True
        return False

    def show_query(self, uid: str) -> None:
        """Select the query ``uid`` (from the worklist): now when it is listed, else after
        the load under way, showing every query if the filters hide it."""
        if not self.status.is_busy and self.select_query(uid):
            return
        self._pending, self._relaxed = uid, False
        if not self.status.is_busy:
            self.refresh()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.thread_view.set_query(self.model.query(self.proxy.mapToSource(current).row()))
        self._update_open_button()

    def _update_open_button(self) -> None:
        query = self.selected_query()
        self.open_button.setEnabled(query is not None)
        if query is not None and not (query.event_oid and query.form_oid):
            self.open_button.setText(self.tr("Open casebook"))
        else:
            self.open_button.setText(self.tr("Open form"))

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_query(self.model.query(self.proxy.mapToSource(index).row()))

    def open_selected(self) -> None:
        """Open the form (or the casebook) of the current query."""
        query = self.selected_query()
        if query is not None:
            self.open_query(query)

    def open_query(self, query: Query) -> None:
        """Ask for the query's form at its item, its form, or its subject's casebook."""
        if query.event_oid and query.form_oid:
            occurrence = query.occurrence or 1
            if query.item_path:
                self.itemRequested.emit(
                    query.subject_id, query.event_oid, occurrence, query.form_oid, query.item_path
                )
            else:
                self.formRequested.emit(
                    query.subject_id, query.event_oid, occurrence, query.form_oid
                )
        else:
            self.subjectOpened.emit(query.subject_id)

    # -- raising ------------------------------------------------------------------------

    def choose_subject(self) -> str | None:
        """Ask which subject a new query is about (the current query's subject first)."""
        subjects = self._subjects or sorted({q.subject_id for q in self.model.queries()})
        if not subjects:
            return None
        current = self.selected_query()
        first = (
            subjects.index(current.subject_id) if current and current.subject_id in subjects else 0
        )
        subject, ok = QInputDialog.getItem(
            self,
            self.raise_button.text().rstrip("…"),
            self.tr("Subject:"),
            subjects,
            first,
            False,
        )
        return str(subject) if ok and subject else None

    def raise_query(self, subject_id: str | None = None) -> Query | None:
        """Raise a query (monitors) or write a note about ``subject_id`` as a whole (asked
        for when not given); the new query is selected after the reload."""
        from npc_crf.ui.query_raise import raise_query

        subject = subject_id or self.choose_subject()
        if subject is None:
            return None
        raised = raise_query(self.ws, self.lang, subject, parent=self)
        if raised is not None:
            self._pending, self._relaxed = raised.uid, False
            self.refresh()
        return raised


__all__ = ["QueriesView", "focus_item_when_loaded", "waits_by_default"]
