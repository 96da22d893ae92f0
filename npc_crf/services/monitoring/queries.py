"""Queries (to be completed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from npc_crf.services.monitoring.hooks import Override
    from npc_crf.services.workspace import Tx, Workspace


def raise_for_overrides(
    ws: Workspace, tx: Tx, overrides: list[Override], context: dict[str, Any]
) -> None:
    """A failed-edit-check query for each new override."""
