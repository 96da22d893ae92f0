"""A stand-in coordinating center for the site-side sync tests (``tests/test_sync_site_*.py``).

The tests must not depend on ``npc_crf.center``: :class:`TestCenter` is a key
pair made here (Ed25519 + X25519 from ``cryptography``), its identity card
(``IdentityCard``), and the two things a center does with bundles, written
directly against the envelope functions: open a site bundle with its private
key, and seal a return bundle (kind ``center-return``, payload of
docs/bundle-format.md §5).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from sqlalchemy import select

from npc_crf.forms.loader import load_study
from npc_crf.forms.problems import DefinitionError
from npc_crf.services.sync.common import definition_sha256, stamp
from npc_crf.services.workspace import Workspace
from npc_crf.store.models import (
    inbound_return,
    outbound_bundle,
    query,
    query_message,
    study_definition,
    sync_center,
)
from npc_crf.sync.envelope import (
    Envelope,
    check_recipient,
    open_payload,
    read_envelope,
    seal_bundle,
    verify_sender,
)
from npc_crf.sync.fingerprint import recipient_sha256
from npc_crf.sync.identity import IdentityCard
from npc_crf.sync.payload import expand_tables
from tests.store_helpers import ROOT, STUDY

STUDY_FOLDER = ROOT / "forms" / "npc-sint-rt"
ZERO_COUNTS = dict.fromkeys(
    (
        "subjects",
        "forms",
        "values",
        "audit",
        "queries",
        "signatures",
        "sdv_forms",
        "holds",
        "acks",
        "definitions",
    ),
    0,
)


def _raw(key: Any) -> bytes:
    return bytes(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


@dataclass
class TestCenter:
    """A coordinating center's keys and what it does with bundles."""

    __test__ = False  # not a pytest class

    center_id: str = "CC-TEST"
    study_oid: str = STUDY
    signing: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    exchange: X25519PrivateKey = field(default_factory=X25519PrivateKey.generate)
    next_return: int = 1

    @property
    def card(self) -> IdentityCard:
        return IdentityCard(
            kind="center",
            study_oid=self.study_oid,
            ed25519=_raw(self.signing.public_key()),
            x25519=_raw(self.exchange.public_key()),
            created_at="2026-11-01T08:00:00Z",
            center_id=self.center_id,
        )

    @property
    def x25519_private(self) -> bytes:
        return self.exchange.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    def open(self, data: bytes, site: IdentityCard) -> tuple[Envelope, dict[str, Any]]:
        """Verify a site bundle as the center would (checks 1–9) and decrypt it."""
        envelope = read_envelope(data)
        verify_sender(envelope, site.ed25519)
        check_recipient(envelope, self.center_id, _raw(self.exchange.public_key()))
        return envelope, expand_tables(open_payload(envelope, self.x25519_private))

    def seal_return(
        self,
        site: IdentityCard,
        *,
        acks: Sequence[Mapping[str, Any]] = (),
        queries: Sequence[Mapping[str, Any]] = (),
        definition: Mapping[str, Any] | None = None,
        sequence: int | None = None,
        manifest_changes: Mapping[str, Any] | None = None,
        signing: Ed25519PrivateKey | None = None,
        recipient_x25519: bytes | None = None,
    ) -> bytes:
        """A return bundle for ``site`` (the next sequence unless given)."""
        if sequence is None:
            sequence, self.next_return = self.next_return, self.next_return + 1
        x25519 = recipient_x25519 or site.x25519
        manifest: dict[str, Any] = {
            "format": "npc-crf/bundle",
            "version": 1,
            "kind": "center-return",
            "bundle_uuid": str(uuid.uuid4()),
            "created_at": stamp(dt.datetime.now(dt.UTC)),
            "app_version": "test-center",
            "study": {"oid": self.study_oid, "version": "1.0", "definition_sha256": "a" * 64},
            "sender": {"center_id": self.center_id},
            "recipient": {
                "kind": "installation",
                "id": site.installation_id,
                "x25519_sha256": recipient_sha256(x25519),
            },
            "sequence": sequence,
            "previous_sha256": "0" * 64,
            "full": True,
            "range": {},
            "audit_head": None,
            "counts": ZERO_COUNTS
            | {
                "acks": len(acks),
                "queries": len(queries),
                "definitions": int(definition is not None),
            },
        }
        manifest |= dict(manifest_changes or {})
        payload = {
            "format": "npc-crf/return-payload",
            "version": 1,
            "acks": [dict(a) for a in acks],
            "queries": [dict(q) for q in queries],
            "definition": None if definition is None else dict(definition),
        }
        data, _doc = seal_bundle(
            manifest,
            payload,
            signing_key=signing or self.signing,
            recipient_x25519=x25519,
        )
        return data


def ack(bundle_uuid: str, sequence: int, status: str = "imported") -> dict[str, Any]:
    """One acknowledgement of a return payload."""
    return {
        "bundle_uuid": bundle_uuid,
        "sequence": sequence,
        "status": status,
        "at": "2026-11-21T10:00:00.000000Z",
        "counts": {"values": 1},
    }


def center_query(subject_id: str, text: str = "Please check the consent date.") -> dict[str, Any]:
    """A query raised by central data management (record format npc-crf/query v1)."""
    return {
        "format": "npc-crf/query",
        "version": 1,
        "uid": str(uuid.uuid4()),
        "subject_id": subject_id,
        "event_oid": "SCR",
        "occurrence": 1,
        "form_oid": "IC",
        "item_path": "ICDAT",
        "row_uid": None,
        "kind": "manual",
        "status": "new",
        "assigned_role": "CRC",
        "origin": "center",
        "created_at": "2026-11-21T09:00:00.000000+00:00",
        "created_by": "cdm",
        "updated_at": "2026-11-21T09:00:00.000000+00:00",
        "updated_by": "cdm",
        "messages": [
            {
                "uid": str(uuid.uuid4()),
                "at_utc": "2026-11-21T09:00:00.000000+00:00",
                "username": "cdm",
                "full_name": "Central Data Manager",
                "role": "DM",
                "text": text,
                "status": "new",
                "origin": "center",
            }
        ],
    }


def definition_files(version: str = "1.1", *, break_it: bool = False) -> dict[str, str]:
    """The bundled study's files as a new version, with one label changed (or broken)."""
    files = {
        p.relative_to(STUDY_FOLDER).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(STUDY_FOLDER.rglob("*.yaml"))
    }
    files["study.yaml"] = files["study.yaml"].replace('version: "1.0"', f'version: "{version}"', 1)
    ic = files["forms/ic.yaml"]
    old = "label: {en: Date of consent, zh: 签署知情同意日期}"
    assert old in ic
    files["forms/ic.yaml"] = ic.replace(
        old, "label: {en: Date consent signed, zh: 签署知情同意日期}"
    )
    if break_it:
        files["forms/ic.yaml"] = files["forms/ic.yaml"].replace("type: date", "type: dait", 1)
    return files


def definition(files: Mapping[str, str], version: str = "1.1") -> dict[str, Any]:
    """The ``definition`` of a return payload, hashed from the files as the center would."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            path = Path(tmp) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        try:
            digest = definition_sha256(load_study(Path(tmp)))
        except DefinitionError:  # a broken definition: any hash will do, loading must fail
            digest = "b" * 64
    return {
        "study_oid": STUDY,
        "version": version,
        "definition_sha256": digest,
        "files": dict(files),
    }


def sync_tables(ws: Workspace) -> dict[str, Any]:
    """Everything a return bundle may change, to compare before and after."""
    with ws.engine.connect() as conn:
        return {
            name: [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key))]
            for name, table in (
                ("outbound_bundle", outbound_bundle),
                ("inbound_return", inbound_return),
                ("sync_center", sync_center),
                ("study_definition", study_definition),
                ("query", query),
                ("query_message", query_message),
            )
        } | {
            "audit": conn.exec_driver_sql("SELECT max(seq) FROM audit_entry").scalar_one(),
        }


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_json(data: bytes) -> dict[str, Any]:
    """The manifest of a bundle file, parsed (no verification)."""
    m = int.from_bytes(data[8:12], "big")
    doc: dict[str, Any] = json.loads(data[12 : 12 + m])
    return doc
