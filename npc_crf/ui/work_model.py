"""The Qt item model of the worklist: its lines, grouped by the kind of work.

The model holds what the service layer returned (``ws.worklist.items()``) and turns it
into display texts once, when the data arrive; it never reads the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from npc_crf.forms.model import Study
from npc_crf.oncology.schedule import VisitState
from npc_crf.services.worklist import WorkItem, WorkKind, profile_for
from npc_crf.ui import labels
from npc_crf.ui.view_look import TARGET_ROLE, VISIT_COLOURS
from npc_crf.ui.widgets.values import display_text

Index = QModelIndex | QPersistentModelIndex


#: the order of the worklist's groups: reports to send first, they run on a clock of days
WORK_ORDER: tuple[WorkKind, ...] = (
    WorkKind.SAE_REPORT,
    WorkKind.SUSAR_REPORT,
    WorkKind.SUSAR_FOLLOWUP,
    WorkKind.OVERDUE_VISIT,
    WorkKind.UPCOMING_VISIT,
    WorkKind.FORM_NOT_STARTED,
    WorkKind.FORM_INCOMPLETE,
    WorkKind.OPEN_QUERY,
    WorkKind.TO_SIGN,
    WorkKind.AE_WITHOUT_OUTCOME,
    WorkKind.AE_FOLLOWUP_MISSING,
    WorkKind.AE_OUTSIDE_WINDOW,
    WorkKind.LAB_WITHOUT_AE,
    WorkKind.VISIT_OUT_OF_WINDOW,
)
#: the kinds whose lines are red when past their due date (or not started)
URGENT_KINDS = frozenset({WorkKind.SAE_REPORT, WorkKind.SUSAR_REPORT, WorkKind.SUSAR_FOLLOWUP})


class WorkColumn(IntEnum):
    """The columns of the worklist."""

    SUBJECT = 0
    WHAT = 1
    WHERE = 2
    DUE = 3
    DAYS = 4


def _work_headers() -> dict[WorkColumn, str]:
    return {
        WorkColumn.SUBJECT: QCoreApplication.translate("Worklist", "Subject"),
        WorkColumn.WHAT: QCoreApplication.translate("Worklist", "What"),
        WorkColumn.WHERE: QCoreApplication.translate("Worklist", "Where"),
        WorkColumn.DUE: QCoreApplication.translate("Worklist", "Due"),
        WorkColumn.DAYS: QCoreApplication.translate("Worklist", "Days"),
    }


@dataclass(frozen=True)
class WorkRow:
    """One line of the worklist with its texts and sort keys."""

    item: WorkItem
    texts: tuple[str, ...]
    sort_keys: tuple[str | int, ...]


def term_text(study: Study, item: WorkItem, lang: str) -> str | None:
    """The adverse event's term as the form shows it (a CTCAE code decoded), or None.

    A laboratory value's CTCAE term is decoded by the adverse-event form's term item.
    """
    profile = profile_for(study)
    term_oid = profile.ae_term_item
    form_oid = profile.ae_form if item.kind is WorkKind.LAB_WITHOUT_AE else item.form_oid
    form = study.forms.get(form_oid or "")
    term_item = form.item(term_oid) if form is not None and term_oid else None
    if item.term is None or term_item is None:
        return None
    return display_text(study, term_item, item.term, lang) or None


def _clock_detail(state: str) -> str | None:
    texts = {
        "not_started": QCoreApplication.translate(
            "Worklist", "the date the site became aware is not entered"
        ),
    }
    return texts.get(state)


def _place_detail(place: str) -> str | None:
    texts = {
        "before_first_dose": QCoreApplication.translate(
            "Worklist", "before the first dose: belongs in medical history"
        ),
        "after_window": QCoreApplication.translate("Worklist", "after the reporting window"),
        "indeterminate_start": QCoreApplication.translate(
            "Worklist", "partial onset date: may be before the first dose"
        ),
        "indeterminate_end": QCoreApplication.translate(
            "Worklist", "partial date: may be after the reporting window"
        ),
        "no_first_dose": QCoreApplication.translate(
            "Worklist", "no study therapy recorded yet: before the first dose"
        ),
    }
    return texts.get(place)


def _followup_detail(reason: str) -> str | None:
    texts = {
        "stale": QCoreApplication.translate("Worklist", "ongoing and not updated"),
        "window_closed": QCoreApplication.translate(
            "Worklist", "ongoing when the reporting window closed"
        ),
    }
    return texts.get(reason)


def _timing_detail(timing: str) -> str | None:
    if timing == "indeterminate":
        return QCoreApplication.translate("Worklist", "a partial date leaves the window undecided")
    return None


def _lab_detail(detail: str) -> str:
    grade, _, match = detail.partition(":")
    if match:
        return QCoreApplication.translate(
            "Worklist", "grade {grade}; an adverse event with a partial date may cover it"
        ).format(grade=grade)
    return QCoreApplication.translate("Worklist", "grade {grade}").format(grade=grade)


def detail_text(item: WorkItem) -> str | None:
    """What the item's ``detail`` code adds to the line, in words (None: nothing)."""
    if item.detail is None:
        return None
    if item.kind in URGENT_KINDS:
        return _clock_detail(item.detail)
    if item.kind is WorkKind.AE_OUTSIDE_WINDOW:
        return _place_detail(item.detail)
    if item.kind is WorkKind.AE_FOLLOWUP_MISSING:
        return _followup_detail(item.detail)
    if item.kind is WorkKind.VISIT_OUT_OF_WINDOW:
        return _timing_detail(item.detail)
    if item.kind is WorkKind.LAB_WITHOUT_AE:
        return _lab_detail(item.detail)
    if item.kind is WorkKind.TO_SIGN and item.detail == "voided":
        return QCoreApplication.translate(
            "Worklist", "a change voided the signature: to be signed again"
        )
    return None


def days_column_text(item: WorkItem) -> str:
    """The Days column: past or until the due date; for a visit out of its window, days
    early or late; for an AE outside the reporting window, days outside."""
    if item.days is None:
        return ""
    if item.kind is WorkKind.VISIT_OUT_OF_WINDOW:
        return labels.early_late_text(item.detail == "early", item.days)
    if item.kind is WorkKind.AE_OUTSIDE_WINDOW:
        if item.days == 1:
            return QCoreApplication.translate("Worklist", "1 day outside")
        return QCoreApplication.translate("Worklist", "{days} days outside").format(days=item.days)
    return labels.days_text(item.days)


def work_row(study: Study, item: WorkItem, lang: str, position: int) -> WorkRow:
    """The line for ``item``; ``position`` (its place in the service's order) breaks ties."""
    what = labels.work_item_text(item.kind)
    named = term_text(study, item, lang) or item.item_path
    if named:
        what = QCoreApplication.translate("Worklist", "{what}: {item}").format(
            what=what, item=named
        )
    detail = detail_text(item)
    if detail:
        what = QCoreApplication.translate("Worklist", "{what} — {detail}").format(
            what=what, detail=detail
        )
    where_parts = []
    if item.event_oid:
        where_parts.append(labels.event_text(study, item.event_oid, item.occurrence, lang))
    if item.form_oid:
        where_parts.append(labels.form_text(study, item.form_oid, lang))
    where = " · ".join(where_parts)
    days = days_column_text(item)
    texts = (item.subject_id, what, where, labels.date_text(item.due), days)
    tie = f"{position:08d}"
    keys: tuple[str | int, ...] = (
        f"{item.subject_id}|{tie}",
        f"{what}|{tie}",
        f"{where}|{tie}",
        f"{labels.date_text(item.due) or '~'}|{tie}",
        f"{-(item.days or 0) + 100000:08d}|{tie}",
    )
    return WorkRow(item, texts, keys)


def work_colour(item: WorkItem) -> str | None:
    """Red for an overdue visit or report (or one whose clock cannot start), orange for a
    visit on or past its due date (window still open), a report still on time, and a
    visit done out of its window."""
    if item.kind is WorkKind.OVERDUE_VISIT:
        return VISIT_COLOURS[VisitState.OVERDUE]
    if item.kind in URGENT_KINDS:
        late = item.days is None or item.days > 0
        return VISIT_COLOURS[VisitState.OVERDUE if late else VisitState.DUE]
    if item.kind is WorkKind.VISIT_OUT_OF_WINDOW:
        return VISIT_COLOURS[VisitState.DUE]
    if item.kind is WorkKind.UPCOMING_VISIT and item.days is not None and item.days >= 0:
        return VISIT_COLOURS[VisitState.DUE]
    return None


@dataclass
class WorkGroup:
    """The lines of one kind of work."""

    kind: WorkKind
    rows: list[WorkRow]


class WorkTreeModel(QAbstractItemModel):
    """Groups (one per kind of work, in :data:`WORK_ORDER`) with their lines underneath.

    Sorting (``sort``, called by the view's header) orders the lines inside each
    group and never the groups.
    """

    def __init__(self) -> None:
        super().__init__()
        self._groups: list[WorkGroup] = []
        self._headers = _work_headers()
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_groups(self, groups: Sequence[WorkGroup]) -> None:
        """Show ``groups`` (sorted as last asked)."""
        self.beginResetModel()
        self._groups = [WorkGroup(g.kind, list(g.rows)) for g in groups]
        self._sort_rows()
        self.endResetModel()

    @property
    def groups(self) -> list[WorkGroup]:
        return self._groups

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        before = [(i.internalId(), self._row_of(i)) for i in old]
        self._sort_rows()
        positions = {
            id(row.item): (g, r) for g, group in enumerate(self._groups) for r, row in enumerate(group.rows)
        }  # fmt: skip
        for index, (internal, item) in zip(old, before, strict=True):
            if internal == 0 or item is None:
                continue
            g, r = positions[id(item)]
            self.changePersistentIndex(index, self.createIndex(r, index.column(), g + 1))
        self.layoutChanged.emit()

    def _row_of(self, index: Index) -> WorkItem | None:
        internal = index.internalId()
        return self._groups[internal - 1].rows[index.row()].item if internal else None

    def _sort_rows(self) -> None:
        if self._sort is None:
            return
        column, order = self._sort
        for group in self._groups:
            group.rows.sort(
                key=lambda row: row.sort_keys[column],
                reverse=order == Qt.SortOrder.DescendingOrder,
            )

    def item(self, index: Index) -> WorkItem | None:
        """The work item of a line (None for a group title)."""
        if not index.isValid():
            return None
        return self._row_of(index)

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self._groups[parent.row()].rows)
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(WorkColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[WorkColumn(section)]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            return self._group_data(self._groups[index.row()], index.column(), role)
        row = self._groups[index.internalId() - 1].rows[index.row()]
        column = WorkColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts[column]
        if role == TARGET_ROLE:
            return row.item
        if role == Qt.ItemDataRole.ForegroundRole and column >= WorkColumn.DUE:
            colour = work_colour(row.item)
            return QBrush(QColor(colour)) if colour else None
        return None

    def _group_data(self, group: WorkGroup, column: int, role: int) -> Any:
        if column != 0:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("Worklist", "{kind} ({count})").format(
                kind=labels.work_kind_text(group.kind), count=len(group.rows)
            )
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and (
            group.kind is WorkKind.OVERDUE_VISIT or group.kind in URGENT_KINDS
        ):
            return QBrush(QColor(VISIT_COLOURS[VisitState.OVERDUE]))
        return None
