"""Source data verification (to be completed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from npc_crf.services.monitoring.hooks import ChangedValue
    from npc_crf.services.workspace import Tx, Workspace


def reset_changed(
    ws: Workspace,
    tx: Tx,
    form_instance_id: int,
    changed: list[ChangedValue],
    context: dict[str, Any],
) -> int:
    """Drop the SDV marks of changed values (audited); how many were dropped."""
    return 0
