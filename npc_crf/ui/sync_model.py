"""The outbox of the Sync page as a Qt table: one row per bundle, with its status in colour.

The model holds the bundles ``ws.sync.status()`` returned and turns them into display
texts once, when they arrive; it never reads the store. Statuses (docs/sync.md §4):
*Created*, *Sent*, *Held at the center*, *Acknowledged* — only the last means the data
are safe at the coordinating center, and the colours say so too (green only there).
"""

from __future__ import annotations

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

from npc_crf.services.sync.common import ACKNOWLEDGED, CREATED, HELD, SENT, OutboundBundle
from npc_crf.ui.dialogs import local_moment
from npc_crf.ui.i18n import QT_TRANSLATE_NOOP
from npc_crf.ui.view_look import SORT_ROLE, TARGET_ROLE

Index = QModelIndex | QPersistentModelIndex

#: the status texts (context ``OutboxStatus``), translated when shown
STATUS_TEXTS = {
    CREATED: QT_TRANSLATE_NOOP("OutboxStatus", "Created"),
    SENT: QT_TRANSLATE_NOOP("OutboxStatus", "Sent"),
    HELD: QT_TRANSLATE_NOOP("OutboxStatus", "Held at the center"),
    ACKNOWLEDGED: QT_TRANSLATE_NOOP("OutboxStatus", "Acknowledged"),
}
#: what each status means (the status cell's tooltip)
STATUS_MEANINGS = {
    CREATED: QT_TRANSLATE_NOOP(
        "OutboxStatus", "Made and kept in the outbox; not copied anywhere yet."
    ),
    SENT: QT_TRANSLATE_NOOP(
        "OutboxStatus",
        "Copied to a folder or drive and checked there. The center may not have it yet.",
    ),
    HELD: QT_TRANSLATE_NOOP(
        "OutboxStatus",
        "The center has it, verified, but holds it until an earlier bundle arrives.",
    ),
    ACKNOWLEDGED: QT_TRANSLATE_NOOP(
        "OutboxStatus",
        "The center imported it: the data it carries are safe at the coordinating center.",
    ),
}
#: (background, text) of the status cell; green only for acknowledged
STATUS_COLOURS = {
    CREATED: ("#eeeeee", "#424242"),
    SENT: ("#fff3e0", "#bf360c"),
    HELD: ("#f3e5f5", "#6a1b9a"),
    ACKNOWLEDGED: ("#e8f5e9", "#1b5e20"),
}
#: the order of the statuses when the Status column is sorted
STATUS_ORDER = {CREATED: 0, SENT: 1, HELD: 2, ACKNOWLEDGED: 3}


def status_text(status: str) -> str:
    """A bundle status in the interface language (the raw value when unknown)."""
    source = STATUS_TEXTS.get(status)
    return QCoreApplication.translate("OutboxStatus", source) if source else status


def status_meaning(status: str) -> str:
    """What a bundle status means, in a sentence."""
    source = STATUS_MEANINGS.get(status)
    return QCoreApplication.translate("OutboxStatus", source) if source else ""


def size_text(size: int) -> str:
    """A file size for people: ``812 B``, ``2.5 KB``, ``13.0 MB``."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.1f} KB"
    return f"{size / 1_000_000:.1f} MB"


def time_text(stamp: str | None) -> str:
    """A stored UTC time in this computer's time zone, to the minute; empty when absent."""
    return local_moment(stamp) if stamp else ""


class OutboxColumn(IntEnum):
    """The columns of the outbox table."""

    SEQUENCE = 0
    CREATED = 1
    KIND = 2
    VALUES = 3
    AUDIT = 4
    QUERIES = 5
    SIZE = 6
    STATUS = 7
    SENT = 8
    SENT_TO = 9
    ACKNOWLEDGED = 10


def _headers() -> dict[OutboxColumn, str]:
    return {
        OutboxColumn.SEQUENCE: QCoreApplication.translate("OutboxTable", "No."),
        OutboxColumn.CREATED: QCoreApplication.translate("OutboxTable", "Created"),
        OutboxColumn.KIND: QCoreApplication.translate("OutboxTable", "Kind"),
        OutboxColumn.VALUES: QCoreApplication.translate("OutboxTable", "Values"),
        OutboxColumn.AUDIT: QCoreApplication.translate("OutboxTable", "Audit entries"),
        OutboxColumn.QUERIES: QCoreApplication.translate("OutboxTable", "Queries"),
        OutboxColumn.SIZE: QCoreApplication.translate("OutboxTable", "Size"),
        OutboxColumn.STATUS: QCoreApplication.translate("OutboxTable", "Status"),
        OutboxColumn.SENT: QCoreApplication.translate("OutboxTable", "Sent"),
        OutboxColumn.SENT_TO: QCoreApplication.translate("OutboxTable", "Sent to"),
        OutboxColumn.ACKNOWLEDGED: QCoreApplication.translate("OutboxTable", "Acknowledged"),
    }


def kind_text(bundle: OutboundBundle) -> str:
    """``Full`` or ``Incremental``."""
    if bundle.full:
        return QCoreApplication.translate("OutboxTable", "Full")
    return QCoreApplication.translate("OutboxTable", "Incremental")


@dataclass(frozen=True)
class OutboxRow:
    """One line of the table: the bundle, its texts and sort keys."""

    bundle: OutboundBundle
    texts: tuple[str, ...]
    sort_keys: tuple[str | int, ...]


def outbox_row(bundle: OutboundBundle) -> OutboxRow:
    """The line of ``bundle``."""
    counts = bundle.counts
    texts = (
        str(bundle.sequence),
        time_text(bundle.created_at),
        kind_text(bundle),
        str(counts.get("values", 0)),
        str(counts.get("audit", 0)),
        str(counts.get("queries", 0)),
        size_text(bundle.bytes),
        status_text(bundle.status),
        time_text(bundle.sent_at),
        bundle.sent_to or "",
        time_text(bundle.acked_at),
    )
    seq = bundle.sequence
    keys: tuple[str | int, ...] = (
        seq,
        bundle.created_at,
        f"{int(bundle.full)}|{seq:09d}",
        counts.get("values", 0),
        counts.get("audit", 0),
        counts.get("queries", 0),
        bundle.bytes,
        STATUS_ORDER.get(bundle.status, 9) * 1_000_000_000 + seq,
        f"{bundle.sent_at or ''}|{seq:09d}",
        f"{bundle.sent_to or ''}|{seq:09d}",
        f"{bundle.acked_at or ''}|{seq:09d}",
    )
    return OutboxRow(bundle, texts, keys)


_NUMBERS = frozenset(
    {
        OutboxColumn.SEQUENCE,
        OutboxColumn.VALUES,
        OutboxColumn.AUDIT,
        OutboxColumn.QUERIES,
        OutboxColumn.SIZE,
    }
)


class OutboxTableModel(QAbstractTableModel):
    """One row per bundle of the outbox, oldest first (the view sorts)."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[OutboxRow] = []
        self._headers = _headers()

    def set_bundles(self, bundles: Sequence[OutboundBundle]) -> None:
        """Show ``bundles`` (replacing what was shown)."""
        self.beginResetModel()
        self._rows = [outbox_row(b) for b in bundles]
        self.endResetModel()

    def bundle(self, row: int) -> OutboundBundle:
        """The bundle of ``row`` (in the model's order)."""
        return self._rows[row].bundle

    def bundles(self) -> list[OutboundBundle]:
        """Every bundle shown, oldest first."""
        return [r.bundle for r in self._rows]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(OutboxColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[OutboxColumn(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], OutboxColumn(index.column())
        bundle = row.bundle
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts[column]
        if role == SORT_ROLE:
            return row.sort_keys[column]
        if role == TARGET_ROLE:
            return bundle.uid
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is OutboxColumn.STATUS:
                return status_meaning(bundle.status)
            if column is OutboxColumn.SENT_TO:
                return bundle.sent_to or None
            if column is OutboxColumn.SIZE:
                return QCoreApplication.translate("OutboxTable", "{bytes} bytes").format(
                    bytes=bundle.bytes
                )
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMBERS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column is OutboxColumn.STATUS:
            background, text = STATUS_COLOURS.get(bundle.status, ("#ffffff", "#212121"))
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(background))
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(text))
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        return None


class OutboxSortProxy(QSortFilterProxyModel):
    """Sorts the outbox on :data:`SORT_ROLE`."""

    def __init__(self) -> None:
        super().__init__()
        self.setSortRole(SORT_ROLE)
