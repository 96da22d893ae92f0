"""Site bundles for the center's tests, sealed the way a site seals them (docs/bundle-format.md).

:class:`SiteStream` reads a logged-in site's payload with ``npc_crf.sync.payload``
(full or incremental, marking the values sent as the outbox does), writes the
manifest of §2 and seals it with ``seal_bundle`` and the installation's Ed25519
key from the site database (table ``installation``). A test can also seal a
payload it built or changed by hand (:meth:`SiteStream.seal`), with any
sequence number, previous hash or audit range, to exercise each refusal.
"""

from __future__ import annotations

import copy
import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from npc_crf import __version__
from npc_crf.audit.chain import GENESIS
from npc_crf.auth.roles import Role
from npc_crf.center import schema as t
from npc_crf.services.sync.common import definition_sha256, local_keys
from npc_crf.services.workspace import Workspace
from npc_crf.sync.envelope import canonical_bytes, seal_bundle
from npc_crf.sync.fingerprint import recipient_sha256
from npc_crf.sync.identity import IdentityCard
from npc_crf.sync.payload import (
    AUDIT_COLUMNS,
    VALUE_COLUMNS,
    Collected,
    collect,
    expand_tables,
    mark_sent,
)
from tests.store_helpers import DOCTOR, PASSWORDS, enrol_consented, mh_row, mh_values

if TYPE_CHECKING:
    from npc_crf.center.service import Center

CENTER_PASSWORD = "center password 1"  # noqa: S105 - a test center
DM = "dm"
MARKER = "患者标记 Zebra-7731"  # a value that must never appear on disk in plain text


def as_tables(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``payload`` with ``values`` and ``audit`` as tables {columns, rows} (docs/bundle-format.md
    §3), as a site sends them; sections that are tables already are kept."""
    out = dict(payload)
    for name, columns in (("values", VALUE_COLUMNS), ("audit", AUDIT_COLUMNS)):
        section = payload.get(name)
        if isinstance(section, list) and all(isinstance(r, dict) and set(r) == set(columns)
                                             for r in section):  # fmt: skip
            out[name] = {"columns": list(columns),
                         "rows": [[r[c] for c in columns] for r in section]}  # fmt: skip
    return out


def counts_of(payload: Mapping[str, Any]) -> dict[str, int]:
    """The manifest's counts for a payload (tables or records)."""
    payload = expand_tables(payload)
    return {
        "subjects": len(payload["subjects"]),
        "forms": len(payload["forms"]),
        "values": len(payload["values"]),
        "audit": len(payload["audit"]),
        "queries": len(payload["queries"]),
        "signatures": len(payload["signatures"]),
        "sdv_forms": len(payload["sdv"]),
        "holds": len(payload["holds"]),
        "acks": 0,
        "definitions": 0,
    }


@dataclass
class Sealed:
    """One sealed bundle and what went into it."""

    data: bytes
    manifest: dict[str, Any]
    payload: dict[str, Any]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(canonical_bytes(self.manifest)).hexdigest()

    @property
    def name(self) -> str:
        sender = self.manifest["sender"]
        return (
            f"{self.manifest['study']['oid']}-{sender['site_id']}-"
            f"{sender['installation_number']:02d}-{self.manifest['sequence']:06d}-"
            f"{self.manifest['bundle_uuid'][:8]}.npcb"
        )


@dataclass
class SiteStream:
    """One installation's stream of bundles to one center (what the site's outbox keeps)."""

    ws: Workspace
    center_id: str
    center_x25519: bytes
    sequence: int = 0
    previous: str = GENESIS
    audit_to: int = 0
    query_to: int = 0
    sent: list[Sealed] = field(default_factory=list)

    @classmethod
    def to(cls, ws: Workspace, center_card: IdentityCard) -> SiteStream:
        assert center_card.center_id is not None
        return cls(ws, center_card.center_id, center_card.x25519)

    def keys(self) -> Any:
        with self.ws.read() as conn:
            return local_keys(conn)

    def card(self) -> IdentityCard:
        """The installation's identity card (what ``sync identity`` writes)."""
        k = self.keys()
        return IdentityCard(
            kind="installation",
            study_oid=self.ws.study.oid,
            ed25519=k.ed25519_public,
            x25519=k.x25519_public,
            created_at=k.created_at,
            site_id=self.ws.site_id,
            installation_id=k.installation_id,
            installation_number=k.number,
        )

    def collect(self, full: bool = False) -> Collected:
        """The next payload (not yet marked sent), its tables expanded into records so that a
        test can change them (:meth:`seal` makes them tables again)."""
        collected = collect(self.ws, full=full, audit_from=self.audit_to, query_from=self.query_to)
        collected.payload = expand_tables(collected.payload)
        return collected

    def seal(
        self,
        payload: Mapping[str, Any],
        *,
        full: bool = False,
        sequence: int | None = None,
        previous: str | None = None,
        audit_range: tuple[int, int] | None = None,
        head_hash: str | None = None,
        query_range: tuple[int, int] = (0, 0),
        change: Callable[[dict[str, Any]], None] | None = None,
        signing_key: Ed25519PrivateKey | None = None,
        recipient_x25519: bytes | None = None,
        wire: Mapping[str, Any] | None = None,
    ) -> Sealed:
        """Seal ``payload`` (tables or records) as this installation; every manifest field can
        be forced. ``wire``, when given, is sealed as it is instead of ``payload`` (a
        malformed payload that ``payload`` still describes)."""
        payload = expand_tables(payload)
        k = self.keys()
        audit = payload["audit"]
        a_from, a_to = audit_range or (
            (0 if full else self.audit_to),
            audit[-1]["seq"] if audit else self.audit_to,
        )
        manifest: dict[str, Any] = {
            "format": "npc-crf/bundle",
            "version": 1,
            "kind": "site-data",
            "bundle_uuid": str(uuid.uuid4()),
            "created_at": "2026-11-21T08:00:00.000000Z",
            "app_version": __version__,
            "study": {
                "oid": self.ws.study.oid,
                "version": self.ws.study.version,
                "definition_sha256": definition_sha256(self.ws.study),
            },
            "sender": {
                "site_id": self.ws.site_id,
                "installation_id": k.installation_id,
                "installation_number": k.number,
            },
            "recipient": {
                "kind": "center",
                "id": self.center_id,
                "x25519_sha256": recipient_sha256(recipient_x25519 or self.center_x25519),
            },
            "sequence": self.sequence + 1 if sequence is None else sequence,
            "previous_sha256": self.previous if previous is None else previous,
            "full": full,
            "range": {
                "audit_from": a_from,
                "audit_to": a_to,
                "query_marker_from": query_range[0],
                "query_marker_to": query_range[1],
            },
            "audit_head": {"seq": a_to, "hash": head_hash or self.head_hash(a_to)},
            "counts": counts_of(payload),
        }
        if change is not None:
            change(manifest)
        data, sealed = seal_bundle(
            manifest,
            as_tables(payload) if wire is None else wire,
            signing_key=signing_key or Ed25519PrivateKey.from_private_bytes(k.ed25519_private),
            recipient_x25519=recipient_x25519 or self.center_x25519,
        )
        return Sealed(data, sealed, expand_tables(copy.deepcopy(dict(payload))))

    def head_hash(self, seq: int) -> str:
        """The hash of audit entry ``seq`` in the site's trail (GENESIS for 0)."""
        if seq == 0:
            return GENESIS
        with self.ws.engine.connect() as conn:
            row = conn.exec_driver_sql("SELECT hash FROM audit_entry WHERE seq = ?", (seq,)).first()
        assert row is not None, f"no audit entry {seq}"
        return str(row[0])

    def advance(self, sealed: Sealed, collected: Collected | None = None) -> None:
        """Record ``sealed`` as sent (the outbox's bookkeeping), marking its values sent."""
        self.sequence = sealed.manifest["sequence"]
        self.previous = sealed.sha256
        self.audit_to = sealed.manifest["range"]["audit_to"]
        self.query_to = sealed.manifest["range"]["query_marker_to"]
        if collected is not None:
            with self.ws.tx() as tx:
                mark_sent(tx.conn, collected.sent_versions)
        self.sent.append(sealed)

    def next(self, full: bool = False) -> Sealed:
        """Collect, seal and record the next bundle, as ``sync export`` does."""
        collected = self.collect(full)
        sealed = self.seal(
            collected.payload,
            full=full,
            audit_range=(collected.audit_from, collected.audit_to),
            head_hash=collected.audit_head_hash,
            query_range=(collected.query_from, collected.query_to),
        )
        self.advance(sealed, collected)
        return sealed


def populate(ws: Workspace, doctor: Workspace, monitor: Workspace) -> list[str]:
    """Two subjects: consent complete (the first signed), medical history with rows."""
    first = enrol_consented(ws)
    second = enrol_consented(ws, ICVERDAT="2025-11-15")
    ws.casebook.save_form(first, "SCR", 1, "MH", mh_values(mh_row("Hypertension"),
                          mh_row(MARKER, "2019-02")), complete=True)  # fmt: skip
    ws.casebook.save_form(second, "SCR", 1, "MH", mh_values(mh_row("Diabetes")), complete=True)
    doctor.signatures.sign_form(
        first, "SCR", 1, "IC", meaning="APPROVE", password=PASSWORDS[DOCTOR], user_id=DOCTOR
    )
    monitor.sdv.verify(second, "SCR", 1, "IC", ["ICDAT"])
    monitor.queries.raise_query(
        second, "Please check the consent date.", event_oid="SCR", occurrence=1,
        form_oid="IC", item_path="ICDAT", assign=Role.CRC,
    )  # fmt: skip
    return [first, second]


def snapshot(center: Center) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every center table except the center's own trail, sorted."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with center.read() as conn:
        for table in t.metadata.sorted_tables:
            if table is t.center_audit:
                continue
            rows = [tuple(r) for r in conn.execute(select(table))]
            out[table.name] = sorted(rows, key=repr)
    return out


def trail_actions(center: Center) -> list[str]:
    """The actions of the center's trail, oldest first."""
    return [e["action"] for e in center.audit_entries()]
