"""What the site-side sync modules share: times, keys, the trusted center, the outbox rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, select

from npc_crf.core.errors import NpcCrfError, UsageError
from npc_crf.forms.canonical import form_hash
from npc_crf.forms.model import Study
from npc_crf.store.models import installation, outbound_bundle, sync_center
from npc_crf.sync.envelope import canonical_bytes

#: ``(done, total, what)``: called between the steps of a long operation
Progress = Callable[[int, int, str], None]

#: outbound bundle statuses, in the order a bundle moves through them
CREATED, SENT, HELD, ACKNOWLEDGED = "created", "sent", "held", "acknowledged"
STATUSES = (CREATED, SENT, HELD, ACKNOWLEDGED)


class SyncCancelled(NpcCrfError):
    """The user cancelled; nothing was recorded or left behind."""

    exit_code = 1


class CancelFlag(Protocol):
    """Anything with ``is_set()`` (a :class:`threading.Event`)."""

    def is_set(self) -> bool: ...


Cancel = CancelFlag | Callable[[], bool] | None


def cancelled(cancel: Cancel) -> bool:
    """True when ``cancel`` (an event, a callable or None) asks to stop."""
    if cancel is None:
        return False
    if callable(cancel):
        return bool(cancel())
    return cancel.is_set()


def stamp(moment: dt.datetime) -> str:
    """UTC text as manifests and the outbox keep it: ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str | None) -> dt.datetime | None:
    """A stored time as an aware datetime (None when absent or unreadable)."""
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


_DEFINITION_CACHE: dict[int, tuple[Study, str]] = {}
_CACHE_LOCK = threading.Lock()


def definition_sha256(study: Study) -> str:
    """The manifest's ``study.definition_sha256``: SHA-256 of ``{form OID: definition hash}``.

    docs/bundle-format.md §2; computed once per loaded study.
    """
    with _CACHE_LOCK:
        known = _DEFINITION_CACHE.get(id(study))
        if known is not None and known[0] is study:
            return known[1]
    hashes = {oid: form_hash(study, form) for oid, form in sorted(study.forms.items())}
    digest = hashlib.sha256(canonical_bytes(hashes)).hexdigest()
    with _CACHE_LOCK:
        _DEFINITION_CACHE[id(study)] = (study, digest)
    return digest


@dataclass(frozen=True)
class LocalKeys:
    """This installation's key pairs (raw bytes; the private halves never leave the store)."""

    installation_id: str
    number: int
    created_at: str
    ed25519_public: bytes
    ed25519_private: bytes
    x25519_public: bytes
    x25519_private: bytes


def local_keys(conn: Connection) -> LocalKeys:
    """The local installation's keys (made at ``site init``, X25519 by schema 0003)."""
    row = conn.execute(select(installation).where(installation.c.is_local)).one()
    if row.x25519_public is None or row.x25519_private is None or row.private_key is None:
        raise UsageError(
            "This installation has no exchange key yet; log in once with this version of "
            "npc-crf so that the database is upgraded."
        )
    return LocalKeys(
        installation_id=row.installation_id,
        number=int(row.number),
        created_at=row.created_at,
        ed25519_public=bytes(row.public_key),
        ed25519_private=bytes(row.private_key),
        x25519_public=bytes(row.x25519_public),
        x25519_private=bytes(row.x25519_private),
    )


@dataclass(frozen=True)
class TrustedCenter:
    """A coordinating center whose keys this site trusts (``sync_center``)."""

    center_id: str
    study_oid: str
    ed25519: bytes
    x25519: bytes
    fingerprint: str
    trusted_at: str
    trusted_by: str
    active: bool

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> TrustedCenter:
        return cls(
            center_id=row["center_id"],
            study_oid=row["study_oid"],
            ed25519=bytes(row["ed25519"]),
            x25519=bytes(row["x25519"]),
            fingerprint=row["fingerprint"],
            trusted_at=row["trusted_at"],
            trusted_by=row["trusted_by"],
            active=bool(row["active"]),
        )


def active_center(conn: Connection) -> TrustedCenter | None:
    """The one center bundles go to, or None before ``sync trust-center``."""
    row = conn.execute(select(sync_center).where(sync_center.c.active)).mappings().first()
    return None if row is None else TrustedCenter.from_row(row)


def center_by_id(conn: Connection, center_id: str) -> TrustedCenter | None:
    """A center trusted now or before (inactive once replaced)."""
    row = (
        conn.execute(select(sync_center).where(sync_center.c.center_id == center_id))
        .mappings()
        .first()
    )
    return None if row is None else TrustedCenter.from_row(row)


def require_center(conn: Connection) -> TrustedCenter:
    """The active center, or a UsageError saying how to trust one."""
    center = active_center(conn)
    if center is None:
        raise UsageError(
            "No coordinating center is trusted yet, so there is nobody to encrypt a bundle for.",
            "The site administrator imports the center's identity card first: "
            'npc-crf sync trust-center CARD.json --fingerprint "…" (fingerprint read out by '
            "the center on the phone).",
        )
    return center


@dataclass(frozen=True)
class OutboundBundle:
    """One bundle of the outbox (``outbound_bundle``)."""

    uid: str
    center_id: str
    sequence: int
    file_name: str
    manifest_sha256: str
    previous_sha256: str
    full: bool
    audit_from: int
    audit_to: int
    query_from: int
    query_to: int
    counts: dict[str, int]
    bytes: int
    created_at: str
    created_by: str
    status: str
    sent_at: str | None
    sent_to: str | None
    acked_at: str | None

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> OutboundBundle:
        return cls(
            uid=row["uid"],
            center_id=row["center_id"],
            sequence=int(row["sequence"]),
            file_name=row["file_name"],
            manifest_sha256=row["manifest_sha256"],
            previous_sha256=row["previous_sha256"],
            full=bool(row["full"]),
            audit_from=int(row["audit_from"]),
            audit_to=int(row["audit_to"]),
            query_from=int(row["query_from"]),
            query_to=int(row["query_to"]),
            counts=json.loads(row["counts"]),
            bytes=int(row["bytes"]),
            created_at=row["created_at"],
            created_by=row["created_by"],
            status=row["status"],
            sent_at=row["sent_at"],
            sent_to=row["sent_to"],
            acked_at=row["acked_at"],
        )

    def to_json(self) -> dict[str, Any]:
        """The bundle as plain JSON (``sync list --json``)."""
        return {
            "uuid": self.uid,
            "center_id": self.center_id,
            "sequence": self.sequence,
            "file": self.file_name,
            "full": self.full,
            "audit_from": self.audit_from,
            "audit_to": self.audit_to,
            "counts": self.counts,
            "bytes": self.bytes,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "status": self.status,
            "sent_at": self.sent_at,
            "sent_to": self.sent_to,
            "acked_at": self.acked_at,
        }


def bundles_for(conn: Connection, center_id: str) -> list[OutboundBundle]:
    """The outbox of one center's stream, oldest first."""
    rows = conn.execute(
        select(outbound_bundle)
        .where(outbound_bundle.c.center_id == center_id)
        .order_by(outbound_bundle.c.sequence)
    ).mappings()
    return [OutboundBundle.from_row(r) for r in rows]


def last_bundle(conn: Connection, center_id: str) -> OutboundBundle | None:
    """The newest bundle of a center's stream (the one the next bundle follows)."""
    row = (
        conn.execute(
            select(outbound_bundle)
            .where(outbound_bundle.c.center_id == center_id)
            .order_by(outbound_bundle.c.sequence.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return None if row is None else OutboundBundle.from_row(row)


def last_acknowledged(conn: Connection, center_id: str) -> OutboundBundle | None:
    """The acknowledged bundle that reaches furthest into the audit trail."""
    row = (
        conn.execute(
            select(outbound_bundle)
            .where(
                outbound_bundle.c.center_id == center_id,
                outbound_bundle.c.status == ACKNOWLEDGED,
            )
            .order_by(outbound_bundle.c.audit_to.desc(), outbound_bundle.c.sequence.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return None if row is None else OutboundBundle.from_row(row)
