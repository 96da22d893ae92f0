"""Small monitoring widgets of the form page: query markers and SDV check boxes.

* :class:`QueryMarker` — "Q2" in the colour of the most urgent status of an
  item's queries (open = red, resolution proposed = amber, closed or not
  applicable = grey), the latest message as its tooltip; a click asks for the
  item's queries;
* :class:`SdvBox` — a check box "SDV" beside a value that needs source data
  verification: ticked when verified, amber while pending; a click only *asks*
  (:attr:`SdvBox.toggleRequested`) — the box shows what the store says, never
  what was clicked;
* :func:`urgency`, :func:`marker_colors`, :func:`queries_tooltip`: the colours and
  words shared by markers, group cells and the page header (statuses are named by
  :mod:`npc_crf.ui.query_labels`, like everywhere else).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QCheckBox, QSizePolicy, QToolButton, QWidget

from npc_crf.services.monitoring.query_model import (
    DONE_STATUSES,
    Query,
    QueryMessage,
    QueryStatus,
)
from npc_crf.services.monitoring.sdv_items import SdvItem, SdvState
from npc_crf.ui import dialogs
from npc_crf.ui.labels import queries_mark
from npc_crf.ui.query_labels import message_role_text, status_text
from npc_crf.ui.widgets.look import set_colors

#: (background, text) of a marker by urgency: 2 open, 1 resolution proposed, 0 done
MARKER_COLORS: dict[int, tuple[str, str]] = {
    2: ("#c62828", "#ffffff"),
    1: ("#f9a825", "#3e2723"),
    0: ("#9e9e9e", "#ffffff"),
}
#: a readable text colour for each urgency, on the page's own background
URGENCY_TEXT: dict[int, str] = {2: "#b71c1c", 1: "#7a5200", 0: "#616161"}
#: SDV colours: (text, background) pending and verified
SDV_PENDING = ("#6d4c00", "#ffe082")
SDV_VERIFIED = ("#1b5e20", "")


def urgency(status: QueryStatus) -> int:
    """2 for a query someone has to answer, 1 for a proposed resolution, 0 when done."""
    if status is QueryStatus.RESOLUTION_PROPOSED:
        return 1
    return 0 if status in DONE_STATUSES else 2


def most_urgent(queries: Sequence[Query]) -> int:
    """The highest :func:`urgency` of ``queries`` (0 for none)."""
    return max((urgency(q.status) for q in queries), default=0)


def marker_colors(queries: Sequence[Query]) -> tuple[str, str]:
    """(background, text) of the marker of ``queries``."""
    return MARKER_COLORS[most_urgent(queries)]


def latest_message(queries: Sequence[Query]) -> tuple[Query, QueryMessage] | None:
    """The newest message of any of ``queries``, with its query."""
    found = [(m.at_utc, q, m) for q in queries for m in q.messages]
    if not found:
        return None
    _at, query, message = max(found, key=lambda f: f[0])
    return query, message


def first_line(text: str, limit: int = 80) -> str:
    """The first line of ``text``, shortened to ``limit`` characters."""
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def query_line(query: Query) -> str:
    """One query in a list: its status and the first line of its first message."""
    text = first_line(query.messages[0].text) if query.messages else ""
    return QCoreApplication.translate("QueryMarker", "{status}: {text}").format(
        status=status_text(query.status), text=text
    )


def queries_tooltip(queries: Sequence[Query], *, action: str = "") -> str:
    """Rich text: how many queries in which status, and the latest message."""
    counts: dict[QueryStatus, int] = {}
    for q in queries:
        counts[q.status] = counts.get(q.status, 0) + 1
    parts = [
        QCoreApplication.translate("QueryMarker", "{n} {status}").format(
            n=n, status=status_text(s).lower()
        )
        for s, n in sorted(counts.items(), key=lambda c: -urgency(c[0]))
    ]
    summary = QCoreApplication.translate("QueryMarker", "Queries: {summary}").format(
        summary=QCoreApplication.translate("QueryMarker", ", ").join(parts)
    )
    lines = [escape(summary)]
    latest = latest_message(queries)
    if latest is not None:
        _query, message = latest
        heading = QCoreApplication.translate("QueryMarker", "Latest, {name} ({role}) {when}:")
        lines.append(
            "<b>"
            + escape(
                heading.format(
                    name=message.full_name,
                    role=message_role_text(message.role),
                    when=dialogs.local_moment(message.at_utc),
                )
            )
            + "</b>"
        )
        lines.append(escape(message.text).replace("\n", "<br>"))
    if action:
        lines.append(f"<i>{escape(action)}</i>")
    return "<br>".join(lines)


def dot_icon(color: str, size: int = 10) -> QIcon:
    """A filled circle (marks a group cell that has queries)."""
    pixmap = QPixmap(QSize(size, size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    painter.drawEllipse(0, 0, size - 1, size - 1)
    painter.end()
    return QIcon(pixmap)


class QueryMarker(QToolButton):
    """ "Q2" in the colour of the most urgent status; clicked: show the queries."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("query_marker")
        self.setAutoRaise(False)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # F3 from the item does it by keyboard
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 7.0))
        self.setFont(font)
        self.queries: tuple[Query, ...] = ()
        self._look: tuple[str, str] | None = None
        self.hide()

    def show_queries(self, queries: Sequence[Query], action: str = "") -> None:
        """Show ``queries`` (hidden when there are none)."""
        self.queries = tuple(queries)
        if not self.queries:
            self.hide()
            return
        self.setText(queries_mark(len(self.queries)))
        look = marker_colors(self.queries)
        if look != self._look:
            self._look = look
            background, text = look
            # a style sheet on this one small button only (cheap, unlike on a container)
            radius = max(self.fontMetrics().height() // 2, 6)
            self.setStyleSheet(
                f"QToolButton {{ background: {background}; color: {text}; border: none;"
                f" border-radius: {radius}px; padding: 1px 7px; margin-left: 4px; }}"
            )
        self.setToolTip(queries_tooltip(self.queries, action=action))
        self.setAccessibleName(queries_tooltip(self.queries))
        self.show()

    @property
    def urgency(self) -> int:
        """The urgency the marker shows (for tests and the header)."""
        return most_urgent(self.queries)


class SdvBox(QCheckBox):
    """ "SDV" beside a value needing verification; shows the store's state only."""

    toggleRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText(self.tr("SDV"))
        self.setObjectName("sdv_box")
        self.setTristate(True)
        self.whole_table = False
        self.item: SdvItem | None = None
        self.items: tuple[SdvItem, ...] = ()
        self.clicked.connect(lambda _checked=False: self.toggleRequested.emit())

    def set_whole_table(self) -> None:
        """The box of a repeating group: it stands for every cell that needs SDV."""
        self.whole_table = True
        self.setText(self.tr("SDV, whole table"))

    def nextCheckState(self) -> None:
        """A click does not change the box: the store's answer will."""
        self.show_items(self.items)

    def show_items(self, items: Sequence[SdvItem], *, enabled: bool = True) -> None:
        """Ticked when every value is verified, partly when some are, empty when none."""
        self.items = tuple(items)
        self.item = self.items[0] if len(self.items) == 1 else None
        verified = sum(1 for i in self.items if i.state is SdvState.VERIFIED)
        if self.items and verified == len(self.items):
            state = Qt.CheckState.Checked
        elif verified:
            state = Qt.CheckState.PartiallyChecked
        else:
            state = Qt.CheckState.Unchecked
        if self.checkState() != state:
            self.setCheckState(state)
        pending = verified < len(self.items)
        text, background = SDV_PENDING if pending else SDV_VERIFIED
        set_colors(self, text, background or None)
        self.setEnabled(enabled)
        self.setToolTip(self._tooltip(verified, enabled))

    @property
    def verified(self) -> bool:
        """True when every value the box stands for is verified."""
        return bool(self.items) and all(i.state is SdvState.VERIFIED for i in self.items)

    def _tooltip(self, verified: int, enabled: bool) -> str:
        if len(self.items) == 1 and self.item is not None:
            item = self.item
            if item.state is SdvState.VERIFIED:
                text = self.tr("Source verified by {user} on {when}.").format(
                    user=item.verified_by or "?",
                    when=dialogs.local_moment(item.verified_at or ""),
                )
                if enabled:
                    text += "\n" + self.tr("Untick to take the verification back (with a reason).")
                return text
            text = self.tr("Source data verification pending.")
            if item.verified_version is not None:
                text = self.tr(
                    "Source data verification pending: the value changed after it was verified."
                )
            if enabled:
                text += "\n" + self.tr(
                    "Tick once the value is checked against the source (Ctrl+Shift+V)."
                )
            return text
        text = self.tr("{verified} of {total} values verified.").format(
            verified=verified, total=len(self.items)
        )
        if enabled and verified == len(self.items):
            text += "\n" + self.tr(
                "Untick to take back the verification of the whole table (with a reason)."
            )
        elif enabled:
            text += "\n" + self.tr("Tick to verify every pending value of the table.")
        return text


__all__ = [
    "MARKER_COLORS",
    "URGENCY_TEXT",
    "QueryMarker",
    "SdvBox",
    "dot_icon",
    "latest_message",
    "marker_colors",
    "most_urgent",
    "queries_tooltip",
    "query_line",
    "urgency",
]
