"""How the Subjects, Worklist and Casebook views look: item roles, colours, icons, texts.

Shared by their models (:mod:`.subject_model`, :mod:`.work_model`,
:mod:`.casebook_model`) and the views themselves.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from npc_crf.forms.model import Study
from npc_crf.oncology.schedule import PlannedVisit, VisitState
from npc_crf.services.worklist import CellState
from npc_crf.ui import labels

#: a role giving a value that sorts right (dates as ISO text, counts as numbers)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: a role giving what a row or a cell leads to (a subject ID, a WorkItem, a CellTarget)
TARGET_ROLE = Qt.ItemDataRole.UserRole + 2
#: a role giving a header's VisitState (or None)
VISIT_STATE_ROLE = Qt.ItemDataRole.UserRole + 3

# ------------------------------------------------------------------------------ colours

#: text colour of a visit by its state; None: the palette's normal text
VISIT_COLOURS: dict[VisitState, str | None] = {
    VisitState.OVERDUE: "#c62828",
    VisitState.DUE: "#e65100",
    VisitState.UPCOMING: None,
    VisitState.DONE: "#2e7d32",
    VisitState.UNPLANNED: "#616161",
}

#: (cell background, mark colour) of a casebook cell by its state
CELL_COLOURS: dict[CellState, tuple[str, str]] = {
    CellState.NOT_STARTED: ("#ffffff", "#757575"),
    CellState.IN_PROGRESS: ("#fff3e0", "#e65100"),
    CellState.COMPLETE: ("#e8f5e9", "#2e7d32"),
    CellState.SIGNED: ("#e3f2fd", "#1565c0"),
    CellState.LOCKED: ("#eceff1", "#37474f"),
}
#: background of a cell whose form does not belong to that event
NOT_APPLICABLE_COLOUR = "#e0e0e0"
#: text on the light cell backgrounds (whatever the palette)
CELL_TEXT_COLOUR = "#212121"
#: marks that need attention: open queries, an SAE
ALERT_COLOUR = "#c62828"
#: (background, text) of what is frozen or locked: the casebook's banner, the subjects' marker
HOLD_COLOURS: dict[str, tuple[str, str]] = {
    "frozen": ("#e1f5fe", "#01579b"),
    "locked": ("#eceff1", "#263238"),
}


def visit_colour(visit: PlannedVisit | None) -> QColor | None:
    """The colour that shows a visit's state, or None for plain text."""
    if visit is None:
        return None
    name = VISIT_COLOURS.get(visit.state)
    return QColor(name) if name else None


@cache
def cell_icon(state: CellState) -> QIcon:
    """A small mark per state; the shapes differ too, so colour is not the only cue.

    Drawn large and scaled down by Qt, so it stays sharp at any screen scale.
    """
    size = 64.0
    pixmap = QPixmap(int(size), int(size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(CELL_COLOURS[state][1])
    painter.setPen(QPen(colour, 6))
    box = QRectF(8, 8, size - 16, size - 16)
    if state is CellState.NOT_STARTED:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(box)
    elif state is CellState.IN_PROGRESS:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(box)
        half = QPainterPath()
        half.moveTo(box.center())
        half.arcTo(box, 90, 180)
        half.closeSubpath()
        painter.fillPath(half, colour)
    elif state is CellState.COMPLETE:
        painter.setBrush(colour)
        painter.drawEllipse(box)
    elif state is CellState.SIGNED:
        painter.setBrush(colour)
        c = box.center()
        r = box.width() / 2
        painter.drawPolygon(
            [QPointF(c.x(), c.y() - r), QPointF(c.x() + r, c.y()), QPointF(c.x(), c.y() + r),
             QPointF(c.x() - r, c.y())]
        )  # fmt: skip
    else:  # locked
        painter.setBrush(colour)
        painter.drawRect(box)
    painter.end()
    return QIcon(pixmap)


# ------------------------------------------------------------------------------ texts


def next_visit_text(study: Study, visit: PlannedVisit | None, lang: str) -> str:
    """ "Treatment cycle 4 · 2026-12-01 (11-28 – 12-04)"; the dash when there is none."""
    if visit is None:
        return labels.missing_text()
    name = labels.event_text(study, visit.event_oid, visit.occurrence, lang)
    if visit.due is None:
        return name
    window = labels.window_text(visit.window_start, visit.window_end)
    if not window:
        return QCoreApplication.translate("NextVisit", "{visit} · {due}").format(
            visit=name, due=labels.date_text(visit.due)
        )
    return QCoreApplication.translate("NextVisit", "{visit} · {due} ({window})").format(
        visit=name, due=labels.date_text(visit.due), window=window
    )


def visit_tooltip(study: Study, visit: PlannedVisit, lang: str, today: dt.date) -> str:
    """A visit's state, due date and window in a sentence."""
    name = labels.event_text(study, visit.event_oid, visit.occurrence, lang)
    state = labels.visit_state_text(visit.state)
    if visit.actual is not None:
        return QCoreApplication.translate("NextVisit", "{visit}: {state}, on {date}").format(
            visit=name, state=state, date=labels.date_text(visit.actual)
        )
    if visit.due is None:
        lines = [
            QCoreApplication.translate("NextVisit", "{visit}: {state}").format(
                visit=name, state=state
            )
        ]
        if visit.unplanned is not None:
            lines.append(labels.unplanned_text(visit.unplanned))
        return "\n".join(lines)
    lines = [
        QCoreApplication.translate("NextVisit", "{visit}: {state}, due {due} ({days})").format(
            visit=name,
            state=state,
            due=labels.date_text(visit.due),
            days=labels.days_text((today - visit.due).days),
        )
    ]
    window = labels.window_text(visit.window_start, visit.window_end)
    if window:
        lines.append(
            QCoreApplication.translate("NextVisit", "Window: {window}").format(window=window)
        )
    return "\n".join(lines)
