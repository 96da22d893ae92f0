"""Monitoring on the form page: queries, SDV, signatures, freezes and locks.

The :class:`~npc_crf.ui.form_page.FormPage` reads the holds with the form, and a
:class:`MonitoringSnapshot` (:func:`read_monitoring`) in a job queued right behind
its load or save, so the worker reads it while the form is drawn; and again
after every monitoring action. Nothing here reads the database while the nurse
types. :class:`FormMonitoring` is attached to each
:class:`~npc_crf.ui.form_view.FormView` the page shows (as
:class:`~npc_crf.ui.ctcae_assist.CtcaeAssist` is to the view):

* a **query marker** beside every item (on its own line above a repeating
  group) with queries, a coloured dot in every group cell with queries; a click
  on the marker, F3 on the item, or the item's context menu opens its queries
  (:class:`~npc_crf.ui.query_thread.QueryThreadDialog`; a small chooser first
  when there are several);
* **raise a query** (or write a note) about the current item: Ctrl+Shift+Q or
  the item's context menu (:class:`~npc_crf.ui.query_raise.RaiseQueryDialog`);
* for monitors, an **SDV box** beside every value that needs source data
  verification (a check box in each such group cell, and one for the whole
  table): ticking verifies the value, unticking asks for a reason and takes the
  verification back; Ctrl+Shift+V does the same for the current item;
* the header (:class:`~npc_crf.ui.form_monitoring_bar.MonitoringBar`): the
  freeze or lock in force, the signatures' manifestations, the form's open
  queries, SDV progress, *Verify whole form*, *Only values to verify*, and for
  investigators *Sign…* (:class:`~npc_crf.ui.sign_dialog.SignDialog`).

A frozen record takes queries and SDV but no data change; a locked one takes
nothing (the service refuses it too; here the actions are disabled).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QHelpEvent,
    QIcon,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTableWidgetItem,
    QToolTip,
    QWidget,
)

from npc_crf.auth.roles import Permission, allowed
from npc_crf.forms.model import SdvLevel
from npc_crf.forms.session import ItemPath, Status
from npc_crf.services.casebook import FormStatus
from npc_crf.services.monitoring.hold_model import HoldState, State
from npc_crf.services.monitoring.query_model import Query
from npc_crf.services.monitoring.sdv import FormSdv
from npc_crf.services.monitoring.sdv_items import SdvItem, SdvState
from npc_crf.services.monitoring.signature_model import Manifestation
from npc_crf.services.workspace import Workspace
from npc_crf.ui import dialogs
from npc_crf.ui.form_monitoring_bar import MonitoringBar
from npc_crf.ui.query_raise import RaiseQueryDialog, can_raise
from npc_crf.ui.widgets.monitoring import (
    QueryMarker,
    SdvBox,
    dot_icon,
    marker_colors,
    queries_tooltip,
    query_line,
)
from npc_crf.ui.widgets.status import status_kind
from npc_crf.ui.worker import Job, Progress

if TYPE_CHECKING:
    from npc_crf.ui.form_page import FormPage
    from npc_crf.ui.form_view import FormView
    from npc_crf.ui.widgets.group_table import GroupTable

#: raise a query (or write a note) about the current item
RAISE_KEY = "Ctrl+Shift+Q"
#: the queries of the current item
QUERIES_KEY = "F3"
#: verify the current item (or take the verification back)
SDV_KEY = "Ctrl+Shift+V"
#: a pending SDV cell's background
_PENDING_CELL = QColor("#fff3c4")

Where = tuple[str, str, int, str]


@dataclass(frozen=True)
class MonitoringSnapshot:
    """What the page shows of monitoring, read at once on the worker thread."""

    queries: tuple[Query, ...] = ()
    sdv: FormSdv | None = None  # None: the form needs no SDV
    signatures: tuple[Manifestation, ...] = ()  # valid and voided, in order
    holds: HoldState = field(default_factory=lambda: HoldState(State.OPEN, ()))

    @property
    def state(self) -> State:
        """Open, frozen or locked."""
        return self.holds.state

    @property
    def valid_signatures(self) -> list[Manifestation]:
        return [m for m in self.signatures if not m.voided_at]

    @property
    def voided_signatures(self) -> list[Manifestation]:
        return [m for m in self.signatures if m.voided_at]

    @property
    def open_queries(self) -> list[Query]:
        return [q for q in self.queries if q.is_open]


def read_monitoring(
    ws: Workspace, subject_id: str, event_oid: str, occurrence: int, form_oid: str
) -> MonitoringSnapshot:
    """The form's queries (with threads), SDV state, signatures and holds (worker thread)."""
    queries = tuple(
        q
        for q in ws.queries.list(subject_id=subject_id, form_oid=form_oid, with_messages=True)
        if q.event_oid == event_oid and (q.occurrence or 1) == occurrence
    )
    form = ws.study.forms.get(form_oid)
    sdv = None
    if form is not None and form.sdv is not SdvLevel.NONE:
        sdv = ws.sdv.form_status(subject_id, event_oid, occurrence, form_oid)
    signatures = tuple(
        ws.signatures.manifestations(
            subject_id, event_oid, occurrence, form_oid, include_voided=True
        )
    )
    holds = ws.holds.state_of(subject_id, event_oid, occurrence, form_oid)
    return MonitoringSnapshot(queries, sdv, signatures, holds)


@dataclass
class _Targets:
    """The snapshot's queries and SDV values laid out on the form view."""

    items: dict[ItemPath, list[Query]] = field(default_factory=dict)  # top-level items
    groups: dict[str, list[Query]] = field(default_factory=dict)  # every cell's, per group
    cells: dict[ItemPath, list[Query]] = field(default_factory=dict)  # current positions
    sdv_items: dict[ItemPath, SdvItem] = field(default_factory=dict)
    sdv_cells: dict[ItemPath, SdvItem] = field(default_factory=dict)
    sdv_groups: dict[str, list[SdvItem]] = field(default_factory=dict)


#: the property naming the item a monitoring mark belongs to (its path as text)
PATH_PROPERTY = "crfMonitoringPath"


@dataclass
class Marks:
    """The monitoring marks of one item (or one group): its query marker beside the
    editor, its SDV box at the right end of the line."""

    path: ItemPath
    marker: QueryMarker
    sdv: SdvBox

    @classmethod
    def make(cls, path: ItemPath, group: bool) -> Marks:
        marker = QueryMarker()
        marker.setObjectName(f"queries_{path.item}")
        sdv = SdvBox()
        sdv.setObjectName(f"sdv_{path.item}")
        if group:
            sdv.set_whole_table()
        sdv.hide()
        for widget in (marker, sdv):
            widget.setProperty(PATH_PROPERTY, str(path))
        return cls(path, marker, sdv)


class FormMonitoring(QObject):
    """The monitoring add-on of one form page (lives as long as the page)."""

    #: the snapshot was applied (after a load or a monitoring action)
    applied = Signal()

    def __init__(self, page: FormPage) -> None:
        super().__init__(page)
        self.page = page
        self.ws: Workspace = page.ws
        self.lang = page.lang
        self.where: Where = (page.subject_id, page.event_oid, page.occurrence, page.form_oid)
        role = self.ws.role
        self.may_raise = can_raise(role)
        self.may_sdv = allowed(role, Permission.SDV)
        self.may_sign = allowed(role, Permission.SIGN)
        self.snapshot = MonitoringSnapshot()
        self.view: FormView | None = None
        self.marks: dict[ItemPath, Marks] = {}
        self.targets = _Targets()
        self.bar = MonitoringBar(self.ws.role)
        self.bar.queriesRequested.connect(self.open_form_queries)
        self.bar.raiseRequested.connect(lambda: self.raise_query(None))
        self.bar.verifyAllRequested.connect(self.verify_form)
        self.bar.filterToggled.connect(self.set_filter)
        self.bar.signRequested.connect(self.sign)
        self.last_error: BaseException | None = None
        self._job: Job | None = None
        self._after: str = ""
        self._decorated: list[tuple[GroupTable, int, int]] = []
        self._cell_tables: dict[int, GroupTable] = {}
        self._counts: tuple[int, ...] = ()  # the groups' row counts the cells' marks are for
        self._disabled: dict[int, ItemPath] = {}  # disabled inputs (read only) → their item
        self._filter: set[ItemPath] | None = None
        self._quiet = False  # while the add-on itself changes cells (no itemChanged)
        self._acting = False  # the running job does something (not only a re-read)

    # -- what may be done ----------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while a monitoring action (and the re-read after it) runs."""
        return self._job is not None and not self._job.done

    @property
    def locked(self) -> bool:
        return self.snapshot.state is State.LOCKED

    def can_raise_now(self) -> bool:
        """Queries may be raised here now (role, and no lock)."""
        return self.may_raise and not self.locked

    def can_sdv_now(self) -> bool:
        """SDV may be done here now (monitors, a form that needs it, no lock)."""
        return self.may_sdv and self.snapshot.sdv is not None and not self.locked

    def can_sign_now(self) -> bool:
        """The investigator may sign now: a complete form without a valid signature, no lock."""
        return (
            self.may_sign
            and not self.locked
            and self.page.status() is FormStatus.COMPLETE
            and not self.snapshot.valid_signatures
        )

    # -- attaching to a view -------------------------------------------------------------

    def attach(self, view: FormView, holds: HoldState | None = None) -> None:
        """Decorate a new view of the page (after a load or a save); ``holds`` are the
        freezes and locks read with the form (the rest of the snapshot follows)."""
        self.view = view
        self.marks = {}
        self._decorated = []
        self._cell_tables = {}
        self._disabled = {}
        custom = Qt.ContextMenuPolicy.CustomContextMenu
        for row in view.rows.values():
            # the row gets the menus its inputs do not show themselves (choices, labels)
            row.setContextMenuPolicy(custom)
            row.customContextMenuRequested.connect(
                lambda pos, r=row: self._show_menu(r.path, r, pos)
            )
            if row.editor is not None:
                for widget in row.editor.inputs():
                    if isinstance(widget, QLineEdit | QPlainTextEdit):  # a menu of their own
                        widget.setContextMenuPolicy(custom)
                        widget.customContextMenuRequested.connect(
                            lambda pos, r=row, w=widget: self._show_menu(r.path, w, pos)
                        )
                    elif not widget.isEnabled():
                        # a read-only choice is disabled, and Qt gives a disabled widget's
                        # context menu event to nobody: take it here (no typing here to slow)
                        self._disabled[id(widget)] = row.path
                        widget.installEventFilter(self)
            if row.table is not None:
                table = row.table
                table.grid.setContextMenuPolicy(custom)
                table.grid.customContextMenuRequested.connect(
                    lambda pos, t=table: self._show_cell_menu(t, pos)
                )
                table.grid.itemChanged.connect(lambda cell, t=table: self._cell_changed(t, cell))
        keys: list[tuple[str, Callable[[], object]]] = [
            (QUERIES_KEY, lambda: self.open_queries(self.current_path()))
        ]
        if self.may_raise:
            keys.append((RAISE_KEY, lambda: self.raise_query(self.current_path(), from_item=True)))
        if self.may_sdv:  # the key stays free for the other roles' editors
            keys.append((SDV_KEY, lambda: self.toggle_sdv(self.current_path())))
        for sequence, slot in keys:
            shortcut = QShortcut(QKeySequence(sequence), view)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        view.changed.connect(self._rows_changed)
        snapshot = self.snapshot
        if holds is not None:
            snapshot = replace(snapshot, holds=holds)
        self.apply(snapshot)

    def current_path(self) -> ItemPath | None:
        """The item the keyboard is on: its input, a cell, or its marker or SDV box."""
        if self.view is None:
            return None
        from PySide6.QtWidgets import QApplication

        widget = QApplication.focusWidget()
        while widget is not None and widget is not self.view:
            marked = widget.property(PATH_PROPERTY)
            if isinstance(marked, str) and marked:
                return ItemPath.parse(marked)
            widget = widget.parentWidget()
        return self.view.current_path()

    # -- showing a snapshot --------------------------------------------------------------

    def apply(self, snapshot: MonitoringSnapshot) -> None:
        """Show ``snapshot`` on the view and in the header."""
        self.snapshot = snapshot
        view = self.view
        if view is None:
            return
        self.targets = self._lay_out(view, snapshot)
        targets = self.targets
        wanted = set(targets.items) | {ItemPath(g) for g in targets.groups}
        if self.may_sdv:
            wanted |= set(targets.sdv_items) | {ItemPath(g) for g in targets.sdv_groups}
        for path in wanted - set(self.marks):
            row = view.rows.get(path)
            if row is not None:
                marks = Marks.make(path, row.table is not None)
                marks.marker.clicked.connect(lambda _c=False, p=path: self.open_queries(p))
                marks.sdv.toggleRequested.connect(lambda p=path: self.toggle_sdv(p))
                row.add_beside(marks.marker)
                row.add_beside(marks.sdv, right=True)  # a column the monitor runs down
                self.marks[path] = marks
        action = self.tr("Click or press {key} to read and answer.").format(key=QUERIES_KEY)
        sdv_enabled = self.can_sdv_now()
        for path, marks in self.marks.items():
            if path.group is None and path.item in view.tables:
                queries = targets.groups.get(path.item, [])
                sdv = targets.sdv_groups.get(path.item, [])
            else:
                queries = targets.items.get(path, [])
                single = targets.sdv_items.get(path)
                sdv = [single] if single is not None else []
            marks.marker.show_queries(queries, action)
            if self.may_sdv and sdv:
                marks.sdv.show_items(sdv, enabled=sdv_enabled)
                marks.sdv.show()
            else:
                marks.sdv.hide()
        self._decorate_cells()
        status = self.page.status()
        self.bar.show_snapshot(
            snapshot,
            lang=self.lang,
            can_raise=self.can_raise_now(),
            can_sdv=self.can_sdv_now(),
            can_sign=self.can_sign_now(),
            sign_visible=self.may_sign and status in (FormStatus.COMPLETE, FormStatus.IN_PROGRESS),
        )
        if self._filter is not None:
            self._filter |= self._pending_rows()
            self._show_filtered()
        self.applied.emit()

    def _lay_out(self, view: FormView, snapshot: MonitoringSnapshot) -> _Targets:
        """Where each query and each value needing SDV is on the view now."""
        session = view.session
        positions: dict[str, dict[str, int]] = {}
        for group in view.tables:
            keys: dict[str, int] = {}
            for n in range(1, session.row_count(group) + 1):
                key = session.row_key(group, n)
                if key is not None:
                    keys[key] = n
            positions[group] = keys
        targets = _Targets()

        def place(path_text: str, row_uid: str | None) -> ItemPath | None:
            try:
                path = ItemPath.parse(path_text)
            except ValueError:
                return None
            if path.group is None or not row_uid:
                return path
            # the row where it is now; a removed row's: the table as a whole (row None)
            return ItemPath(path.item, path.group, positions.get(path.group, {}).get(row_uid))

        for query in snapshot.queries:
            if not query.item_path:
                continue
            path = place(query.item_path, query.row_uid)
            if path is None:
                continue
            if path.group is None:
                targets.items.setdefault(path, []).append(query)
            else:
                targets.groups.setdefault(path.group, []).append(query)
                if path.row is not None:
                    targets.cells.setdefault(path, []).append(query)
        if snapshot.sdv is not None:
            for item in snapshot.sdv.items:
                path = place(item.item_path, item.row_uid)
                if path is None:
                    continue
                if path.group is None:
                    targets.sdv_items[path] = item
                elif path.row is not None:
                    targets.sdv_cells[path] = item
                    targets.sdv_groups.setdefault(path.group, []).append(item)
        return targets

    def _row_counts(self) -> tuple[int, ...]:
        view = self.view
        if view is None:
            return ()
        return tuple(view.session.row_count(g) for g in view.tables)

    def _rows_changed(self) -> None:
        """After an entry: only rows added or removed move the cells' marks."""
        if not (self._decorated or self.targets.cells or self.targets.sdv_cells):
            return
        counts = self._row_counts()
        if counts != self._counts and self.view is not None:
            self.targets = self._lay_out(self.view, self.snapshot)
            self._decorate_cells()

    def _decorate_cells(self) -> None:
        """Dots on group cells with queries; SDV check boxes in cells (monitors)."""
        view = self.view
        if view is None or not (self._decorated or self.targets.cells or self.targets.sdv_cells):
            return
        self._counts = self._row_counts()
        self._quiet = True
        try:
            for table, row, col in self._decorated:
                cell = table.grid.item(row, col)
                if cell is not None:
                    cell.setIcon(QIcon())
                    if cell.data(Qt.ItemDataRole.CheckStateRole) is not None:
                        cell.setData(Qt.ItemDataRole.CheckStateRole, None)
            self._decorated = []
            for path, queries in self.targets.cells.items():
                found = self._cell(path)
                if found is not None:
                    table, row, col, cell = found
                    cell.setIcon(dot_icon(marker_colors(queries)[0]))
                    self._decorated.append((table, row, col))
                    self._tooltips_on(table)
            if self.may_sdv:
                enabled = self.can_sdv_now()
                for path, item in self.targets.sdv_cells.items():
                    found = self._cell(path)
                    if found is None:
                        continue
                    table, row, col, cell = found
                    verified = item.state is SdvState.VERIFIED
                    flags = cell.flags()
                    if enabled:
                        flags |= Qt.ItemFlag.ItemIsUserCheckable
                    else:
                        flags &= ~Qt.ItemFlag.ItemIsUserCheckable
                    cell.setFlags(flags)
                    cell.setCheckState(
                        Qt.CheckState.Checked if verified else Qt.CheckState.Unchecked
                    )
                    kind = status_kind(view.session.state(path), False)
                    if kind in (None, "required"):
                        cell.setBackground(QBrush(_PENDING_CELL) if not verified else QBrush())
                    self._decorated.append((table, row, col))
                    self._tooltips_on(table)
        finally:
            self._quiet = False

    def _tooltips_on(self, table: GroupTable) -> None:
        """Cell tooltips with queries and SDV state on ``table`` (only tables with marks
        pay for an event filter)."""
        viewport = table.grid.viewport()
        if id(viewport) not in self._cell_tables:
            self._cell_tables[id(viewport)] = table
            viewport.installEventFilter(self)

    def _cell(self, path: ItemPath) -> tuple[GroupTable, int, int, QTableWidgetItem] | None:
        view = self.view
        if view is None or path.group is None or path.row is None:
            return None
        table = view.tables.get(path.group)
        if table is None:
            return None
        col = next((n for n, c in enumerate(table.columns) if c.oid == path.item), None)
        row = path.row - 1
        if col is None or not 0 <= row < table.grid.rowCount():
            return None
        cell = table.grid.item(row, col)
        if cell is None:
            cell = QTableWidgetItem()
            table.grid.setItem(row, col, cell)
        return table, row, col, cell

    # -- events: context menus, cell tooltips, cell check boxes -------------------------------

    def _show_menu(self, path: ItemPath, widget: QWidget, pos: QPoint) -> None:
        """An item's context menu: a text field's own entries, then the monitoring ones."""
        base: QMenu | None = None
        where = widget.mapToGlobal(pos)
        if isinstance(widget, QLineEdit):
            base = widget.createStandardContextMenu()
        elif isinstance(widget, QPlainTextEdit):
            base = widget.createStandardContextMenu(pos)
            where = widget.viewport().mapToGlobal(pos)
        self._exec_menu(self.menu_for(path, base), where)

    def _show_cell_menu(self, table: GroupTable, pos: QPoint) -> None:
        """A group cell's context menu (the cell under the mouse becomes current)."""
        grid = table.grid
        index = grid.indexAt(pos)
        if index.isValid():
            grid.setCurrentCell(index.row(), index.column())
            path = table.path_at(index.row(), index.column())
        else:
            path = ItemPath(table.group.oid)
        self._exec_menu(self.menu_for(path), grid.viewport().mapToGlobal(pos))

    def _exec_menu(self, menu: QMenu | None, where: QPoint) -> None:
        if menu is None:
            return
        self.menu = menu
        menu.exec(where)
        self.menu = None
        menu.deleteLater()

    menu: QMenu | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The context menu of a disabled (read-only) choice; a group cell's tooltip with
        its queries and SDV state (on tables that have any)."""
        if (
            event.type() == QEvent.Type.ContextMenu
            and isinstance(event, QContextMenuEvent)
            and isinstance(watched, QWidget)
            and id(watched) in self._disabled
        ):
            self._exec_menu(self.menu_for(self._disabled[id(watched)]), event.globalPos())
            return True
        if event.type() != QEvent.Type.ToolTip or not isinstance(event, QHelpEvent):
            return False
        table = self._cell_tables.get(id(watched))
        if table is None:
            return False
        index = table.grid.indexAt(event.pos())
        if not index.isValid():
            return False
        path = table.path_at(index.row(), index.column())
        queries = self.targets.cells.get(path, [])
        item = self.targets.sdv_cells.get(path) if self.may_sdv else None
        if not queries and item is None:
            return False
        parts = [escape(index.data(Qt.ItemDataRole.ToolTipRole) or "")]
        if queries:
            parts.append(queries_tooltip(queries))
        if item is not None:
            parts.append(escape(self._sdv_text(item)))
        QToolTip.showText(
            event.globalPos(), "<br>".join(p for p in parts if p), table.grid.viewport()
        )
        return True

    def menu_for(self, path: ItemPath, base: QMenu | None = None) -> QMenu | None:
        """The monitoring entries for ``path``, added to ``base`` (a text field's menu)."""
        view = self.view
        if view is None:
            return base
        menu = base or QMenu(view)
        menu.setObjectName("item_menu")
        if base is not None:
            menu.addSeparator()
        if self.may_raise:
            ask = allowed(self.ws.role, Permission.RAISE_QUERY)
            text = self.tr("Raise a query…") if ask else self.tr("Write a note…")
            action = menu.addAction(text)
            action.setObjectName("raise_query")
            action.setShortcut(QKeySequence(RAISE_KEY))
            action.setEnabled(self.can_raise_now() and self.page.record is not None)
            action.triggered.connect(lambda: self.raise_query(path, from_item=True))
        queries = self.queries_at(path)
        action = menu.addAction(
            self.tr("Queries ({n})…").format(n=len(queries)) if queries else self.tr("No queries")
        )
        action.setObjectName("show_queries")
        action.setShortcut(QKeySequence(QUERIES_KEY))
        action.setEnabled(bool(queries))
        action.triggered.connect(lambda: self.open_queries(path))
        items = self.sdv_at(path)
        if self.may_sdv and items:
            verified = all(i.state is SdvState.VERIFIED for i in items)
            action = menu.addAction(self.tr("Source data verified"))
            action.setObjectName("sdv_toggle")
            action.setCheckable(True)
            action.setChecked(verified)
            action.setShortcut(QKeySequence(SDV_KEY))
            action.setEnabled(self.can_sdv_now())
            action.triggered.connect(lambda _c=False: self.toggle_sdv(path))
        return menu

    def _cell_changed(self, table: GroupTable, cell: QTableWidgetItem) -> None:
        """A click on a cell's SDV box asks; the box shows what the store says."""
        if self._quiet or not self.may_sdv:
            return
        path = table.path_at(cell.row(), cell.column())
        item = self.targets.sdv_cells.get(path)
        if item is None:
            return
        shown = (
            Qt.CheckState.Checked if item.state is SdvState.VERIFIED else Qt.CheckState.Unchecked
        )
        if cell.checkState() == shown:
            return
        self._quiet = True
        try:
            cell.setCheckState(shown)
        finally:
            self._quiet = False
        self.toggle_sdv(path)

    # -- what is where -------------------------------------------------------------------

    def queries_at(self, path: ItemPath | None) -> list[Query]:
        """The queries of an item, a cell, or (a group's path) of all its cells."""
        if path is None:
            return []
        if path.group is not None:
            return self.targets.cells.get(path, [])
        if self.view is not None and path.item in self.view.tables:
            return self.targets.groups.get(path.item, [])
        return self.targets.items.get(path, [])

    def sdv_at(self, path: ItemPath | None) -> list[SdvItem]:
        """The values needing SDV of an item, a cell, or (a group's path) of the group."""
        if path is None:
            return []
        if path.group is not None:
            item = self.targets.sdv_cells.get(path)
            return [item] if item is not None else []
        if self.view is not None and path.item in self.view.tables:
            return list(self.targets.sdv_groups.get(path.item, []))
        item = self.targets.sdv_items.get(path)
        return [item] if item is not None else []

    def _sdv_text(self, item: SdvItem) -> str:
        if item.state is SdvState.VERIFIED:
            return self.tr("Source verified by {user} on {when}.").format(
                user=item.verified_by or "?", when=dialogs.local_moment(item.verified_at or "")
            )
        return self.tr("Source data verification pending.")

    # -- queries -------------------------------------------------------------------------

    def raise_query(self, path: ItemPath | None, *, from_item: bool = False) -> bool:
        """Raise a query (or write a note) about ``path``, or the form when None; True
        when one was raised (the markers are read again)."""
        page, view = self.page, self.view
        if view is None or self.busy or page.busy:
            return False
        if not self.may_raise:
            page.show_message(self.tr("Your role cannot raise queries or write notes."), "error")
            return False
        if self.locked:
            page.show_message(
                self.tr("This form is locked: no query can be raised or answered."), "error"
            )
            return False
        item_path: str | None = None
        label: str | None = None
        if from_item and path is not None:
            if path.group is None and path.item in view.tables:
                page.show_message(
                    self.tr("Choose a cell of the table first: a query names one cell."), "error"
                )
                return False
            if page.record is None:
                page.show_message(
                    self.tr("Save the form first: a query about an item needs the saved form."),
                    "error",
                )
                return False
            item_path, label = str(path), view.describe(path)
        subject, event, occurrence, form = self.where
        dialog = RaiseQueryDialog(
            self.ws,
            self.lang,
            subject,
            event_oid=event,
            occurrence=occurrence,
            form_oid=form,
            item_path=item_path,
            item_label=label,
            parent=page,
        )
        self.raise_dialog = dialog
        raised: list[Query] = []
        dialog.accepted.connect(lambda: raised.append(dialog.raised) if dialog.raised else None)
        dialogs.run_modal(dialog)
        self.raise_dialog = None
        if not raised:
            return False
        page.show_message(self.tr("Raised: {what}.").format(what=query_line(raised[0])), "ok")
        self.refresh()
        return True

    raise_dialog: RaiseQueryDialog | None = None

    def open_queries(self, path: ItemPath | None) -> None:
        """The queries of ``path``: the thread at once, or a chooser when several."""
        queries = self.queries_at(path)
        if not queries:
            if path is not None and self.view is not None:
                self.page.show_message(
                    self.tr("No queries on {item}.").format(item=self._name(path))
                )
            return
        self._choose_and_open(queries, self._anchor(path))

    def open_form_queries(self) -> None:
        """The header's summary: the form's first open query (a chooser when none is open)."""
        opened = self.snapshot.open_queries
        if opened:
            first = opened[0]
            self.focus_query_item(first)
            self.open_thread(first.uid)
            return
        if self.snapshot.queries:
            self._choose_and_open(list(self.snapshot.queries), self.bar.queries_button)

    def focus_query_item(self, query: Query) -> None:
        """Scroll to the item a query is about (nothing for a form query)."""
        if query.item_path and self.view is not None:
            path = ItemPath.parse(query.item_path)
            cell = next((p for p, qs in self.targets.cells.items() if query in qs), None)
            self.page.focus_item(cell or path)

    def _name(self, path: ItemPath) -> str:
        view = self.view
        if view is None:
            return str(path)
        if path.group is None and path.item in view.tables:
            group = view.session.form.item(path.item)
            return group.label.get(self.lang) if group is not None else path.item
        return view.describe(path)

    def _anchor(self, path: ItemPath | None) -> QWidget | None:
        if path is None:
            return None
        marks = self.marks.get(path if path.group is None else ItemPath(path.group))
        if marks is not None and marks.marker.isVisible():
            return marks.marker
        return None

    def _choose_and_open(self, queries: Sequence[Query], anchor: QWidget | None) -> None:
        if len(queries) == 1:
            self.open_thread(queries[0].uid)
            return
        chosen = self.choose_query(queries, anchor)
        if chosen is not None:
            self.open_thread(chosen.uid)

    def choose_query(self, queries: Sequence[Query], anchor: QWidget | None = None) -> Query | None:
        """A small menu of ``queries`` (status and first line); the one chosen."""
        from PySide6.QtGui import QCursor

        menu = QMenu(self.page)
        menu.setObjectName("query_chooser")
        picked: list[Query] = []
        for query in queries:
            action = menu.addAction(dot_icon(marker_colors([query])[0]), query_line(query))
            action.triggered.connect(lambda _c=False, q=query: picked.append(q))
        self.chooser = menu
        where = (
            anchor.mapToGlobal(QPoint(0, anchor.height()))
            if anchor is not None and anchor.isVisible()
            else QCursor.pos()
        )
        menu.exec(where)
        self.chooser = None
        menu.deleteLater()
        return picked[0] if picked else None

    chooser: QMenu | None = None

    def open_thread(self, uid: str) -> None:
        """The thread of one query (read, answer, close …); the markers are read again after."""
        from npc_crf.ui.query_thread import QueryThreadDialog

        dialog = QueryThreadDialog(self.ws, self.page.runner, self.lang, uid, self.page)
        self.thread_dialog = dialog
        dialogs.run_modal(dialog)
        self.thread_dialog = None
        self.refresh()

    thread_dialog: QWidget | None = None

    # -- SDV -----------------------------------------------------------------------------

    def toggle_sdv(self, path: ItemPath | None) -> None:
        """Verify the pending values of ``path``, or take back its verification (asks why)."""
        items = self.sdv_at(path)
        if path is None or not items or not self.may_sdv:
            return
        if not self.can_sdv_now():
            self.page.show_message(
                self.tr("This form is locked: nothing can be verified."), "error"
            )
            return
        if self.busy:
            return
        pending = [i.item_path for i in items if i.state is SdvState.PENDING]
        name = self._name(path)
        if pending:
            self.verify(pending, self.tr("Verified: {item}.").format(item=name))
            return
        reason = dialogs.ask_reason(
            self.page,
            self.tr("Take back the verification"),
            self.tr("{item} will need source data verification again. Why?").format(item=name),
            [
                self.tr("Verified by mistake"),
                self.tr("The source document was not the right one"),
            ],
        )
        if not reason:
            return
        paths = [i.item_path for i in items]
        subject, event, occurrence, form = self.where
        ws = self.ws
        self._run(
            "take back SDV",
            lambda: ws.sdv.unverify(subject, event, occurrence, form, paths, reason),
            self.tr("Verification taken back: {item}.").format(item=name),
        )

    def verify(self, paths: Sequence[str] | None, message: str) -> None:
        """Verify ``paths`` (None: every pending value of the form) in the job runner."""
        subject, event, occurrence, form = self.where
        ws = self.ws
        chosen = list(paths) if paths is not None else None
        self._run(
            "verify",
            lambda: ws.sdv.verify(subject, event, occurrence, form, items=chosen),
            message,
        )

    def verify_form(self) -> None:
        """*Verify whole form*: every pending value, after a confirmation."""
        sdv = self.snapshot.sdv
        if sdv is None or not self.can_sdv_now() or self.busy:
            return
        if not sdv.pending:
            self.page.show_message(self.tr("Every value of this form is verified."))
            return
        if not dialogs.confirm(
            self.page,
            self.tr("Verify whole form"),
            self.tr(
                "Mark all {n} pending values of this form as checked against the source documents?"
            ).format(n=sdv.pending),
        ):
            return
        self.verify(None, self.tr("Verified: {n} value(s).").format(n=sdv.pending))

    def set_filter(self, on: bool) -> None:
        """Show only the items with values still to verify (and those verified since)."""
        self._filter = self._pending_rows() if on else None
        self._show_filtered()
        if on and not self._filter:
            self.page.show_message(self.tr("Every value of this form is verified."))

    def _pending_rows(self) -> set[ItemPath]:
        rows = {p for p, i in self.targets.sdv_items.items() if i.state is SdvState.PENDING}
        rows |= {
            ItemPath(g)
            for g, items in self.targets.sdv_groups.items()
            if any(i.state is SdvState.PENDING for i in items)
        }
        return rows

    def _show_filtered(self) -> None:
        view = self.view
        if view is None:
            return
        shown = self._filter
        for path, row in view.rows.items():
            relevant = view.session.state(path).status is not Status.NOT_RELEVANT
            visible = relevant and (shown is None or path in shown)
            if row.isHidden() == visible:
                row.setVisible(visible)
        view.update_sections()

    # -- signing -------------------------------------------------------------------------

    def sign(self) -> None:
        """*Sign…*: the signature dialog signs in the job runner (a refusal stays in the
        dialog for another try); the page is read again after a signature."""
        page = self.page
        if not self.can_sign_now() or self.busy or page.busy:
            return
        if page.has_unsaved():
            page.show_message(
                self.tr("Save the changes first: only saved data is signed."), "error"
            )
            return
        from npc_crf.ui.sign_dialog import SignDialog

        subject, event, occurrence, form = self.where
        ws = self.ws

        def act(meaning: str, user_id: str | None, password: str) -> object:
            return ws.signatures.sign_form(
                subject,
                event,
                occurrence,
                form,
                meaning=meaning,
                password=password,
                user_id=user_id,
            )

        dialog = SignDialog(ws, self.lang, page.header.text(), page)
        dialog.sign_with(page.runner, act)
        self.sign_dialog = dialog
        dialogs.run_modal(dialog)
        self.sign_dialog = None
        if dialog.session_ended:
            page.show_message(dialog.session_message, "error")
            page.sessionEnded.emit(dialog.session_message)
            return
        if dialog.outcome is None:
            return
        page.show_message(self.tr("Signed. The signature is shown above the form."), "ok")
        page.reload()

    sign_dialog: QWidget | None = None

    # -- running actions -----------------------------------------------------------------

    def refresh(self) -> None:
        """Read the monitoring state again (after an action elsewhere, a thread closed)."""
        self._run("monitoring", None, "")

    def _run(self, name: str, action: Callable[[], object] | None, message: str) -> None:
        ws, where = self.ws, self.where

        def work(_progress: Progress) -> MonitoringSnapshot:
            if action is not None:
                action()
            return read_monitoring(ws, *where)

        self._after = message
        self._acting = action is not None
        self.last_error = None
        job = self.page.runner.start(name, work)
        self._job = job
        job.finished.connect(self._done)
        job.failed.connect(self._failed)

    def _done(self, snapshot: MonitoringSnapshot) -> None:
        attached = self.view is not None
        if attached and snapshot.state is not self.snapshot.state and not self.page.has_unsaved():
            self.page.reload()  # a freeze or lock came or went: the page's mode changes
            return
        self.apply(snapshot)
        if self._after:
            self.page.show_message(self._after, "ok")

    def _failed(self, error: BaseException) -> None:
        self.last_error = error
        if not self._acting:  # a re-read: the page says what is wrong with the form itself
            if self.view is not None:
                self.page.show_message(dialogs.error_text(error)[0], "error")
            return
        self.page.show_message(dialogs.error_text(error)[0], "error")
        dialogs.show_error(self.page, error)
        if self.view is not None:
            self.refresh()  # show what the store holds after the refusal


__all__ = [
    "QUERIES_KEY",
    "RAISE_KEY",
    "SDV_KEY",
    "FormMonitoring",
    "Marks",
    "MonitoringSnapshot",
    "read_monitoring",
]
