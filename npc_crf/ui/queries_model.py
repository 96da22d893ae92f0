"""The Qt item model of the Queries page and its subject filter.

The model holds what the service layer returned (``ws.queries.list(...,
with_messages=True)``) and turns it into display texts once, when the data arrive;
it never reads the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from npc_crf.forms.model import Study
from npc_crf.services.monitoring.query_model import Query, QueryStatus
from npc_crf.ui.query_labels import (
    STATUS_COLOURS,
    about_text,
    assigned_text,
    kind_text,
    status_text,
)
from npc_crf.ui.view_look import SORT_ROLE, TARGET_ROLE

Index = QModelIndex | QPersistentModelIndex

#: characters of the last message shown in the table (the whole text is its tooltip)
EXCERPT = 90

#: the order of the statuses when the Status column is sorted: waiting ones first
STATUS_ORDER = {
    QueryStatus.NEW: 0,
    QueryStatus.UPDATED: 1,
    QueryStatus.RESOLUTION_PROPOSED: 2,
    QueryStatus.CLOSED: 3,
    QueryStatus.NOT_APPLICABLE: 4,
}


class QueryColumn(IntEnum):
    """The columns of the queries table."""

    SUBJECT = 0
    ABOUT = 1
    KIND = 2
    STATUS = 3
    ASSIGNED = 4
    AGE = 5
    LAST = 6


def _query_headers() -> dict[QueryColumn, str]:
    return {
        QueryColumn.SUBJECT: QCoreApplication.translate("QueryTable", "Subject"),
        QueryColumn.ABOUT: QCoreApplication.translate("QueryTable", "About"),
        QueryColumn.KIND: QCoreApplication.translate("QueryTable", "Kind"),
        QueryColumn.STATUS: QCoreApplication.translate("QueryTable", "Status"),
        QueryColumn.ASSIGNED: QCoreApplication.translate("QueryTable", "Assigned to"),
        QueryColumn.AGE: QCoreApplication.translate("QueryTable", "Age (days)"),
        QueryColumn.LAST: QCoreApplication.translate("QueryTable", "Last message"),
    }


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """The text on one line (its lines joined by " / "), cut at ``limit`` characters with
    an ellipsis."""
    line = " / ".join(" ".join(part.split()) for part in text.splitlines() if part.strip())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class QueryRow:
    """One line of the table with its texts, sort keys and tooltip."""

    query: Query
    texts: tuple[str, ...]
    sort_keys: tuple[str | int, ...]
    last_tooltip: str


def query_row(study: Study, query: Query, lang: str, today: dt.date) -> QueryRow:
    """The line for ``query`` (read with its thread)."""
    last = query.messages[-1] if query.messages else None
    last_text = excerpt(last.text) if last is not None else ""
    age = query.age_days(today)
    texts = (
        query.subject_id,
        about_text(study, query, lang),
        kind_text(query.kind),
        status_text(query.status),
        assigned_text(query.assigned_role),
        str(age),
        last_text,
    )
    tie = f"{query.created_at}|{query.uid}"
    keys: tuple[str | int, ...] = (
        f"{query.subject_id}|{tie}",
        f"{texts[QueryColumn.ABOUT]}|{tie}",
        f"{texts[QueryColumn.KIND]}|{tie}",
        f"{STATUS_ORDER[query.status]}|{tie}",
        f"{texts[QueryColumn.ASSIGNED]}|{tie}",
        age,
        f"{last.at_utc if last else ''}|{tie}",
    )
    tooltip = (
        QCoreApplication.translate("QueryTable", "{name}: {text}").format(
            name=last.full_name, text=last.text
        )
        if last is not None
        else ""
    )
    return QueryRow(query, texts, keys, tooltip)


class QueryTableModel(QAbstractTableModel):
    """One row per query: subject, about, kind, status, assigned, age, last message."""

    def __init__(self, study: Study, lang: str) -> None:
        super().__init__()
        self.study, self.lang = study, lang
        self._rows: list[QueryRow] = []
        self._headers = _query_headers()

    def set_queries(self, queries: Sequence[Query], today: dt.date) -> None:
        """Show ``queries`` (replacing what was shown)."""
        self.beginResetModel()
        self._rows = [query_row(self.study, q, self.lang, today) for q in queries]
        self.endResetModel()

    def query(self, row: int) -> Query:
        """The query of ``row``."""
        return self._rows[row].query

    def queries(self) -> list[Query]:
        """Every query held, in the service's order."""
        return [r.query for r in self._rows]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(QueryColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[QueryColumn(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], QueryColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts[column]
        if role == SORT_ROLE:
            return row.sort_keys[column]
        if role == TARGET_ROLE:
            return row.query.uid
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is QueryColumn.LAST:
                return row.last_tooltip or None
            if column is QueryColumn.ABOUT:
                return row.query.where
            return None
        if column is QueryColumn.STATUS:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(STATUS_COLOURS[row.query.status]))
            if role == Qt.ItemDataRole.FontRole and row.query.is_open:
                font = QFont()
                font.setBold(True)
                return font
        if column is QueryColumn.AGE and role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        return None


class QueryFilterProxy(QSortFilterProxyModel):
    """Sorts on :data:`SORT_ROLE`; keeps the queries whose subject ID contains the
    filter text (any case). The other filters are the service's (a reload)."""

    def __init__(self) -> None:
        super().__init__()
        self.setSortRole(SORT_ROLE)
        self._text = ""

    def set_subject_text(self, text: str) -> None:
        """Keep the queries whose subject ID contains ``text``."""
        self.beginFilterChange()
        self._text = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not self._text or not isinstance(model, QueryTableModel):
            return True
        return self._text in model.query(source_row).subject_id.casefold()
