"""Freezes and locks as values: levels, scopes, targets, holds and a record's state.

The rules and the service are in :mod:`npc_crf.services.monitoring.holds`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    """How much a hold stops."""

    FROZEN = "frozen"  # no data changes
    LOCKED = "locked"  # nothing changes


class Scope(StrEnum):
    """What a hold covers."""

    SITE = "site"
    SUBJECT = "subject"
    FORM = "form"


class State(StrEnum):
    """A record's state: the strongest hold that applies to it."""

    OPEN = "open"
    FROZEN = "frozen"
    LOCKED = "locked"


@dataclass(frozen=True)
class Target:
    """The site, one subject, or one form instance."""

    scope: Scope
    subject_id: str | None = None
    event_oid: str | None = None
    occurrence: int = 1
    form_oid: str | None = None

    @classmethod
    def site(cls) -> Target:
        return cls(Scope.SITE)

    @classmethod
    def subject(cls, subject_id: str) -> Target:
        return cls(Scope.SUBJECT, subject_id)

    @classmethod
    def form(cls, subject_id: str, event_oid: str, occurrence: int, form_oid: str) -> Target:
        return cls(Scope.FORM, subject_id, event_oid, occurrence, form_oid)

    @property
    def label(self) -> str:
        """``the site``, ``subject S01-01-0001``, ``form S01-01-0001/SCR[1]/IC``."""
        if self.scope is Scope.SITE:
            return "the site"
        if self.scope is Scope.SUBJECT:
            return f"subject {self.subject_id}"
        return f"form {self.subject_id}/{self.event_oid}[{self.occurrence}]/{self.form_oid}"


@dataclass(frozen=True)
class Hold:
    """One freeze or lock in force. ``uid`` is None for a form lock (the form's status)."""

    uid: str | None
    level: Level
    target: Target
    set_at: str | None
    set_by: str | None
    reason: str | None

    def describe(self) -> str:
        """``locked at subject S01-01-0001 by admin on 2026-01-05 09:30 (interim analysis)``."""
        who = f" by {self.set_by}" if self.set_by else ""
        when = f" on {self.set_at[:16].replace('T', ' ')}" if self.set_at else ""
        why = f" ({self.reason})" if self.reason else ""
        return f"{self.level.value} at {self.target.label}{who}{when}{why}"

    def to_json(self) -> dict[str, Any]:
        t = self.target
        return {
            "uid": self.uid,
            "level": self.level.value,
            "scope": t.scope.value,
            "subject": t.subject_id,
            "event": t.event_oid,
            "occurrence": t.occurrence if t.scope is Scope.FORM else None,
            "form": t.form_oid,
            "set_at": self.set_at,
            "set_by": self.set_by,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class HoldState:
    """A record's state and every hold that applies to it (locks first)."""

    state: State
    holds: tuple[Hold, ...]

    @property
    def source(self) -> Hold | None:
        """The hold the state comes from (the strongest, then the widest)."""
        return self.holds[0] if self.holds else None

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state.value, "holds": [h.to_json() for h in self.holds]}
