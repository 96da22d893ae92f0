"""Checking electronic signatures against the records they sign (``npc-crf audit verify``).

For every signature that is not voided:

1. the form's content hash is recomputed from the stored values and compared
   with the one recorded at signing — *content changed since signing*;
2. the payload (``signed_payload``) is rebuilt from the signature row and the
   form record (study, subject, event, occurrence, form, version, definition
   hash, revision) and its Ed25519 signature checked with the signing
   installation's public key — *signature invalid* or *unknown installation*;
3. the ``form_signed`` audit entry that recorded it (found by the signature's
   uid) must exist and name the same content hash, meaning and payload hash —
   *does not match the audit trail*.

Signatures made before schema 0002 carry no scope, batch, installation or
Ed25519 signature, and their audit entries no uid: they get checks 1 and 3
(matched by form, revision and content hash) and are counted as ``legacy``.
A row that looks legacy while the trail recorded it with a uid is reported as
missing its installation signature.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from npc_crf.forms.model import Form
from npc_crf.services.casebook import content_hash
from npc_crf.services.monitoring.signed_payload import (
    SignedContent,
    is_sealed_by,
    payload_bytes,
)
from npc_crf.store.models import (
    audit_entry,
    event_instance,
    form_instance,
    installation,
    signature,
    site,
)
from npc_crf.store.records import StoredForm, subject_forms

CONTENT_CHANGED = "content changed since signing"
SIGNATURE_INVALID = "installation signature invalid (the signature or the form record was altered)"
NOT_SEALED = "no installation signature (the row claims to predate schema 0002)"
UNKNOWN_INSTALLATION = "signed by an unknown installation"
NO_AUDIT = "no form_signed audit entry records this signature"
AUDIT_MISMATCH = "does not match its form_signed audit entry"


@dataclass(frozen=True)
class BrokenSignature:
    """One signature that failed a check, and every check it failed."""

    uid: str
    subject_id: str
    event_oid: str
    occurrence: int
    form_oid: str
    signer: str
    signed_at: str
    problems: tuple[str, ...]

    @property
    def where(self) -> str:
        return f"{self.subject_id}/{self.event_oid}[{self.occurrence}]/{self.form_oid}"

    def to_json(self) -> dict[str, Any]:
        return {
            "signature": self.uid,
            "subject": self.subject_id,
            "event": self.event_oid,
            "occurrence": self.occurrence,
            "form": self.form_oid,
            "signer": self.signer,
            "signed_at": self.signed_at,
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class SignatureReport:
    """The outcome of checking every valid signature."""

    checked: int
    legacy: int
    broken: tuple[BrokenSignature, ...]

    @property
    def ok(self) -> bool:
        return not self.broken

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "legacy": self.legacy,
            "broken": [b.to_json() for b in self.broken],
        }


@dataclass
class _Trail:
    """The ``form_signed`` entries: by signature uid, and (legacy) by form."""

    by_uid: dict[str, tuple[int, dict[str, Any]]]
    legacy: dict[tuple[str, str, int, str], list[dict[str, Any]]]


def _trail(conn: Connection) -> _Trail:
    trail = _Trail({}, defaultdict(list))
    rows = conn.execute(
        select(
            audit_entry.c.seq,
            audit_entry.c.subject_id,
            audit_entry.c.event_oid,
            audit_entry.c.occurrence,
            audit_entry.c.form_oid,
            audit_entry.c.new_value,
        ).where(audit_entry.c.action == "form_signed")
    )
    for r in rows:
        try:
            data = json.loads(r.new_value or "{}")
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        if "signature" in data:
            trail.by_uid[str(data["signature"])] = (r.seq, data)
        else:
            trail.legacy[(r.subject_id, r.event_oid, r.occurrence, r.form_oid)].append(data)
    return trail


def verify_signatures(conn: Connection, forms: Mapping[str, Form] | None = None) -> SignatureReport:
    """Check every non-voided signature (see the module's description).

    ``forms`` are the study's definitions (answers are read as the casebook
    reads them); without them every stored value counts.
    """
    study = conn.execute(select(site.c.study_oid)).scalar()
    keys = {r.installation_id: r.public_key for r in conn.execute(select(installation))}
    trail = _trail(conn)
    rows = (
        conn.execute(
            select(
                signature,
                form_instance.c.form_oid,
                form_instance.c.form_version,
                form_instance.c.definition_hash,
                form_instance.c.revision,
                event_instance.c.subject_id,
                event_instance.c.event_oid,
                event_instance.c.occurrence,
            )
            .join(form_instance, signature.c.form_instance_id == form_instance.c.id)
            .join(event_instance, form_instance.c.event_instance_id == event_instance.c.id)
            .where(signature.c.voided_at.is_(None))
            .order_by(signature.c.id)
        )
        .mappings()
        .all()
    )
    broken: list[BrokenSignature] = []
    legacy = 0
    stored: dict[str, dict[tuple[str, int], dict[str, StoredForm]]] = {}
    for row in rows:
        subject_id = row["subject_id"]
        if subject_id not in stored:  # a subject's forms in 4 queries, not 2 per form
            stored[subject_id] = subject_forms(conn, subject_id, forms or {})
        form = stored[subject_id][(row["event_oid"], row["occurrence"])][row["form_oid"]]
        problems, is_legacy = _check(row, content_hash(form.answers), str(study), keys, trail)
        legacy += is_legacy
        if problems:
            broken.append(
                BrokenSignature(
                    row["uid"],
                    row["subject_id"],
                    row["event_oid"],
                    row["occurrence"],
                    row["form_oid"],
                    row["username"],
                    row["signed_at"],
                    tuple(problems),
                )
            )
    return SignatureReport(len(rows), legacy, tuple(broken))


def _check(
    row: Mapping[Any, Any],
    now: str,
    study: str,
    keys: Mapping[str, bytes],
    trail: _Trail,
) -> tuple[list[str], bool]:
    """The problems of one signature (``now``: its form's content hash recomputed from the
    stored values), and whether it predates schema 0002."""
    problems: list[str] = []
    if now != row["content_hash"]:
        problems.append(CONTENT_CHANGED)
    recorded = trail.by_uid.get(row["uid"])
    sealed = row["ed25519"] is not None or row["scope"] is not None
    if not sealed and recorded is None:  # made before schema 0002
        entries = trail.legacy.get(
            (row["subject_id"], row["event_oid"], row["occurrence"], row["form_oid"]), []
        )
        if not any(
            e.get("content_hash") == row["content_hash"]
            and e.get("revision") == row["form_revision"]
            for e in entries
        ):
            problems.append(NO_AUDIT)
        return problems, True
    content = SignedContent(
        study=study,
        subject=row["subject_id"],
        event=row["event_oid"],
        occurrence=row["occurrence"],
        form=row["form_oid"],
        form_version=row["form_version"],
        definition_hash=row["definition_hash"],
        revision=row["revision"],
        content_hash=row["content_hash"],
        signer=row["username"],
        full_name=row["full_name"],
        meaning=row["meaning"],
        signed_at=row["signed_at"],
        scope=row["scope"] or "",
        batch=row["batch_uid"] or "",
    )
    public = keys.get(row["installation_id"] or "")
    if row["ed25519"] is None:
        problems.append(NOT_SEALED)
    elif public is None:
        problems.append(f"{UNKNOWN_INSTALLATION} ({row['installation_id']})")
    elif not is_sealed_by(public, content, row["ed25519"]):
        problems.append(SIGNATURE_INVALID)
    if recorded is None:
        problems.append(NO_AUDIT)
    else:
        seq, data = recorded
        expected = {
            "content_hash": row["content_hash"],
            "meaning": row["meaning"],
            "revision": row["form_revision"],
            "payload_hash": hashlib.sha256(payload_bytes(content)).hexdigest(),
        }
        differs = sorted(k for k, v in expected.items() if data.get(k) != v)
        if differs:
            problems.append(f"{AUDIT_MISMATCH} (entry {seq}: {', '.join(differs)})")
    return problems, False
