"""What a save of clinical data asks of monitoring, in one place.

``CasebookService.save_form`` calls :func:`before_data_change` once it knows
which form instance a save touches (a freeze or lock refuses it), and
:func:`after_data_change` inside the same transaction once the values are
written: a verified value that changed loses its SDV mark, and every newly
overridden soft warning raises a failed-edit-check query. Both run in the
saving transaction, so a save and its monitoring consequences commit together
or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from npc_crf.services.workspace import Tx, Workspace


@dataclass(frozen=True)
class ChangedValue:
    """One item whose value changed in a save."""

    row_uid: str  # '' outside repeating groups
    item_oid: str
    path: str  # "TL[2].TLDIAM"


@dataclass(frozen=True)
class Override:
    """A soft warning kept with a reason in a save (new or with a new reason)."""

    row_uid: str
    item_oid: str
    path: str
    message: str  # the check's message (English)
    reason: str


def before_data_change(
    ws: Workspace, conn: Connection, subject_id: str, form_instance_id: int | None, where: str
) -> None:
    """Refuse a data change to a frozen or locked form, subject or site."""
    from npc_crf.services.monitoring.holds import require_data_change

    require_data_change(ws, conn, subject_id, form_instance_id, where)


def after_data_change(
    ws: Workspace,
    tx: Tx,
    form_instance_id: int,
    changed: list[ChangedValue],
    overrides: list[Override],
    context: dict[str, Any],
) -> None:
    """Reset the SDV of changed values and raise queries for new overrides."""
    from npc_crf.services.monitoring.queries import raise_for_overrides
    from npc_crf.services.monitoring.sdv import reset_changed

    if changed:
        reset_changed(ws, tx, form_instance_id, changed, context)
    if overrides:
        raise_for_overrides(ws, tx, overrides, context)
