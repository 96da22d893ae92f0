"""Freezes and locks at form, subject and site level (to be completed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from npc_crf.services.workspace import Workspace


def require_data_change(
    ws: Workspace, conn: Connection, subject_id: str, form_instance_id: int | None, where: str
) -> None:
    """Refuse a data change while a freeze or lock applies (form status LOCKED is checked by
    the caller)."""
