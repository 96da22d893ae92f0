"""The main window's status bar: who, where, and whether the data have reached the centre.

It shows ``ws.status.summary()``: the user's full name and role, the site and the
installation number, up to when the coordinating center has acknowledged the data
("never" until a return bundle acknowledged a bundle), how many changes it has not
acknowledged yet, and a warning that stands out when nothing was acknowledged for too
long (``summary.warn``). Exported or sent is never called synchronised (docs/sync.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from npc_crf.auth.roles import Role
from npc_crf.ui.i18n import role_name

if TYPE_CHECKING:
    from npc_crf.services.workspace import Workspace


class SummaryLike(Protocol):
    """What the status bar reads from ``StatusService.summary()``."""

    @property
    def full_name(self) -> str: ...
    @property
    def role(self) -> Role: ...
    @property
    def site_id(self) -> str: ...
    @property
    def installation_number(self) -> int: ...
    @property
    def last_sync_at(self) -> dt.datetime | None: ...
    @property
    def unsent_changes(self) -> int | None: ...
    @property
    def days_since_sync(self) -> int | None: ...
    @property
    def warn(self) -> bool: ...


@dataclass(frozen=True)
class LocalSummary:
    """What the workspace itself knows, for a build without the status service."""

    full_name: str
    role: Role
    site_id: str
    installation_number: int
    last_sync_at: dt.datetime | None = None
    unsent_changes: int | None = None
    days_since_sync: int | None = None
    warn: bool = False


def summary_of(ws: Workspace) -> SummaryLike:
    """``ws.status.summary()``, or what the workspace knows when there is no status service."""
    try:
        status = ws.status
    except ImportError:  # a build without npc_crf.services.status
        return LocalSummary(ws.full_name, ws.role, ws.site_id, ws.installation_number)
    summary: SummaryLike = status.summary()
    return summary


class StatusBar(QStatusBar):
    """Permanent fields filled from a summary; :meth:`show_summary` refreshes them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("status_bar")
        self.user = self._field("status_user")
        self.role = self._field("status_role")
        self.site = self._field("status_site")
        self.installation = self._field("status_installation")
        self.last_sync = self._field("status_last_sync")
        self.unsent = self._field("status_unsent")
        self.warning = self._field("status_warning")
        self.warning.setStyleSheet(
            "QLabel { background: #c62828; color: white; font-weight: bold; padding: 1px 6px; }"
        )
        self.warning.hide()
        self.summary: SummaryLike | None = None

    def _field(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setContentsMargins(6, 0, 6, 0)
        self.addPermanentWidget(label)
        return label

    def show_summary(self, summary: SummaryLike) -> None:
        """Fill every field from ``summary``."""
        self.summary = summary
        self.user.setText(self.tr("User: {name}").format(name=summary.full_name))
        self.role.setText(self.tr("Role: {role}").format(role=role_name(summary.role)))
        self.site.setText(self.tr("Site: {site}").format(site=summary.site_id))
        self.installation.setText(
            self.tr("Installation: {number}").format(number=summary.installation_number)
        )
        if summary.last_sync_at is None:
            when = self.tr("never")
        else:
            when = f"{summary.last_sync_at.astimezone():%Y-%m-%d %H:%M}"
        self.last_sync.setText(self.tr("Acknowledged up to: {when}").format(when=when))
        self.last_sync.setToolTip(
            self.tr(
                "The coordinating center has every change made up to this time (it acknowledged "
                "them in a return bundle)."
            )
        )
        unsent = "—" if summary.unsent_changes is None else str(summary.unsent_changes)
        self.unsent.setText(self.tr("Not acknowledged: {count}").format(count=unsent))
        self.unsent.setToolTip(
            self.tr(
                "Changes the coordinating center has not acknowledged yet. Exported or sent is "
                "not enough: they count until a return bundle acknowledges them."
            )
        )
        if summary.warn:
            if summary.days_since_sync is None:
                text = self.tr("Nothing acknowledged by the coordinating center yet")
            else:
                text = self.tr(
                    "Nothing acknowledged by the coordinating center for {days} days"
                ).format(days=summary.days_since_sync)
            self.warning.setText(text)
            self.warning.show()
        else:
            self.warning.hide()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and self.summary is not None:
            self.show_summary(self.summary)
        super().changeEvent(event)
