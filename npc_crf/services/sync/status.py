"""What has been exported, sent and acknowledged — counted from the outbox, never assumed.

* **not exported**: clinical audit entries after the newest bundle's ``audit_to``;
* **not acknowledged**: clinical audit entries after the ``audit_to`` of the newest
  bundle the center acknowledged (the only number that says the data is safe);
* **unsent query messages**: messages written here after the newest bundle's
  query marker.

"Clinical" is :data:`npc_crf.services.status.CLINICAL_ACTIONS`, the status bar's
definition. Before a center is trusted every clinical change counts as both.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, and_, func, select

from npc_crf.services.status import CLINICAL_ACTIONS
from npc_crf.services.sync.common import (
    OutboundBundle,
    TrustedCenter,
    active_center,
    bundles_for,
    last_acknowledged,
)
from npc_crf.store.models import audit_entry, inbound_return, query_message, study_definition

#: the origin of messages the center wrote (they never count as unsent here)
CENTER_ORIGIN = "center"


@dataclass(frozen=True)
class ReceivedDefinition:
    """A study definition that arrived in a return bundle."""

    study_oid: str
    version: str
    definition_sha256: str
    received_at: str
    status: str


@dataclass(frozen=True)
class SyncStatus:
    """The state of this installation's exchange with the coordinating center."""

    installation_fingerprint: str
    center: TrustedCenter | None
    bundles: tuple[OutboundBundle, ...]
    last_acknowledged: OutboundBundle | None
    not_exported: int
    not_acknowledged: int
    unsent_query_messages: int
    last_return_sequence: int | None
    last_return_at: str | None
    definitions: tuple[ReceivedDefinition, ...]

    @property
    def by_status(self) -> dict[str, int]:
        """How many bundles of the outbox have each status."""
        counts: dict[str, int] = {}
        for b in self.bundles:
            counts[b.status] = counts.get(b.status, 0) + 1
        return counts

    def to_json(self) -> dict[str, Any]:
        """``sync status --json``."""
        center = self.center
        return {
            "installation_fingerprint": self.installation_fingerprint,
            "center": (
                None
                if center is None
                else {
                    "center_id": center.center_id,
                    "fingerprint": center.fingerprint,
                    "trusted_at": center.trusted_at,
                    "trusted_by": center.trusted_by,
                }
            ),
            "bundles": [b.to_json() for b in self.bundles],
            "by_status": self.by_status,
            "last_acknowledged": (
                None if self.last_acknowledged is None else self.last_acknowledged.to_json()
            ),
            "not_exported": self.not_exported,
            "not_acknowledged": self.not_acknowledged,
            "unsent_query_messages": self.unsent_query_messages,
            "last_return": (
                None
                if self.last_return_sequence is None
                else {"sequence": self.last_return_sequence, "applied_at": self.last_return_at}
            ),
            "definitions": [asdict(d) for d in self.definitions],
        }


def clinical_after(conn: Connection, seq: int) -> int:
    """Clinical audit entries with a sequence number above ``seq``."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(audit_entry)
            .where(
                and_(audit_entry.c.seq > seq, audit_entry.c.action.in_(sorted(CLINICAL_ACTIONS)))
            )
        ).scalar_one()
    )


def read_status(conn: Connection, installation_fingerprint: str) -> SyncStatus:
    """The sync status in one read snapshot."""
    center = active_center(conn)
    bundles: list[OutboundBundle] = []
    acked: OutboundBundle | None = None
    last_return: Any = None
    if center is not None:
        bundles = bundles_for(conn, center.center_id)
        acked = last_acknowledged(conn, center.center_id)
        last_return = conn.execute(
            select(inbound_return.c.sequence, inbound_return.c.applied_at)
            .where(inbound_return.c.center_id == center.center_id)
            .order_by(inbound_return.c.sequence.desc())
            .limit(1)
        ).first()
    newest = bundles[-1] if bundles else None
    exported_to = newest.audit_to if newest else 0
    acked_to = acked.audit_to if acked else 0
    not_exported = clinical_after(conn, exported_to)
    not_acknowledged = not_exported if acked_to == exported_to else clinical_after(conn, acked_to)
    unsent = int(
        conn.execute(
            select(func.count())
            .select_from(query_message)
            .where(
                query_message.c.id > (newest.query_to if newest else 0),
                query_message.c.origin != CENTER_ORIGIN,
            )
        ).scalar_one()
    )
    definitions = tuple(
        ReceivedDefinition(r.study_oid, r.version, r.definition_sha256, r.received_at, r.status)
        for r in conn.execute(select(study_definition).order_by(study_definition.c.id))
    )
    return SyncStatus(
        installation_fingerprint=installation_fingerprint,
        center=center,
        bundles=tuple(bundles),
        last_acknowledged=acked,
        not_exported=not_exported,
        not_acknowledged=not_acknowledged,
        unsent_query_messages=unsent,
        last_return_sequence=int(last_return.sequence) if last_return is not None else None,
        last_return_at=last_return.applied_at if last_return is not None else None,
        definitions=definitions,
    )
