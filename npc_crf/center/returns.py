"""Return bundles: center → one installation (docs/bundle-format.md §5).

A return bundle is complete, never incremental: the acknowledgement of every
bundle of the installation the center has seen (imported, held, superseded),
every query of the installation's site (conflict queries and queries raised at
the center included), and the newest published study definition, if any. It is
signed with the center's Ed25519 key and encrypted for the installation's
registered X25519 key, in the installation's own stream of return sequence
numbers.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from npc_crf import __version__
from npc_crf.audit.chain import GENESIS
from npc_crf.center import schema as t
from npc_crf.center.definitions import definition_sha256
from npc_crf.center.queries import records_for_site
from npc_crf.forms.model import Study
from npc_crf.sync.envelope import COUNT_NAMES, canonical_bytes, seal_bundle
from npc_crf.sync.fingerprint import recipient_sha256

PAYLOAD_FORMAT = "npc-crf/return-payload"
PAYLOAD_VERSION = 1
SUFFIX = ".npcr"


@dataclass(frozen=True)
class ReturnBundle:
    """A sealed return bundle and where it goes."""

    data: bytes
    name: str
    manifest: dict[str, Any]
    installation_id: str


def return_payload(conn: Connection, installation_id: str, site_id: str) -> dict[str, Any]:
    """The §5 payload for one installation."""
    acks = [
        {
            "bundle_uuid": r.bundle_uuid,
            "sequence": r.sequence,
            "status": r.status,
            "at": r.applied_at or r.received_at,
            "counts": json.loads(r.counts),
        }
        for r in conn.execute(
            select(t.inbound)
            .where(t.inbound.c.installation_id == installation_id)
            .order_by(t.inbound.c.sequence)
        )
    ]
    newest = conn.execute(
        select(t.definition).order_by(t.definition.c.published_at.desc()).limit(1)
    ).first()
    definition = None
    if newest is not None:
        definition = {
            "study_oid": newest.study_oid,
            "version": newest.version,
            "definition_sha256": newest.definition_sha256,
            "files": json.loads(newest.files),
        }
    return {
        "format": PAYLOAD_FORMAT,
        "version": PAYLOAD_VERSION,
        "acks": acks,
        "queries": records_for_site(conn, site_id),
        "definition": definition,
    }


def make_return(
    conn: Connection,
    *,
    center_id: str,
    study: Study,
    installation: Mapping[Any, Any],
    signing_key: Any,
    now: str,
    by: str,
) -> ReturnBundle:
    """Seal the next return bundle of ``installation`` and record it (caller's transaction)."""
    inst_id = installation["installation_id"]
    payload = return_payload(conn, inst_id, installation["site_id"])
    sequence = int(installation["return_sequence"]) + 1
    bundle_uuid = str(uuid.uuid4())
    counts = dict.fromkeys(COUNT_NAMES, 0)
    counts |= {
        "acks": len(payload["acks"]),
        "queries": len(payload["queries"]),
        "definitions": 0 if payload["definition"] is None else 1,
    }
    manifest = {
        "format": "npc-crf/bundle",
        "version": 1,
        "kind": "center-return",
        "bundle_uuid": bundle_uuid,
        "created_at": now,
        "app_version": __version__,
        "study": {
            "oid": study.oid,
            "version": study.version,
            "definition_sha256": definition_sha256(study),
        },
        "sender": {"center_id": center_id},
        "recipient": {
            "kind": "installation",
            "id": inst_id,
            "x25519_sha256": recipient_sha256(bytes(installation["x25519"])),
        },
        "sequence": sequence,
        "previous_sha256": installation["return_manifest_sha256"] or GENESIS,
        "full": True,
        "range": {},
        "audit_head": None,
        "counts": counts,
    }
    data, sealed = seal_bundle(
        manifest, payload, signing_key=signing_key, recipient_x25519=bytes(installation["x25519"])
    )
    manifest_sha256 = hashlib.sha256(canonical_bytes(sealed)).hexdigest()
    name = (
        f"{study.oid}-center-to-{installation['site_id']}-{int(installation['number']):02d}-"
        f"{sequence:06d}-{bundle_uuid[:8]}{SUFFIX}"
    )
    conn.execute(
        update(t.installation)
        .where(t.installation.c.installation_id == inst_id)
        .values(return_sequence=sequence, return_manifest_sha256=manifest_sha256)
    )
    conn.execute(
        insert(t.return_bundle).values(
            installation_id=inst_id,
            sequence=sequence,
            bundle_uuid=bundle_uuid,
            manifest_sha256=manifest_sha256,
            created_at=now,
            created_by=by,
            file_name=name,
            counts=json.dumps(counts, sort_keys=True),
        )
    )
    return ReturnBundle(data, name, sealed, inst_id)
