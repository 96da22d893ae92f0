"""Applying a return bundle from the coordinating center (docs/bundle-format.md §2 and §5).

Checks in the order of §2, each refusal a :class:`BundleRefused` naming its
check: framing and manifest; the sender is the trusted, active center; its
signature; the recipient is this installation; the study; the payload hash,
decryption, decompression; the payload's shape (and every query record, and
the definition loading cleanly); the sequence. Then ONE transaction applies
it: acknowledgements set the outbox statuses, queries are merged, a
definition is stored (``received``; activating it is a separate step), the
``inbound_return`` row is written and the whole is audited. A return bundle
whose sequence was already applied changes nothing and says so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from npc_crf.auth.roles import Permission
from npc_crf.core.errors import BundleRefused, UsageError, ValidationFailed
from npc_crf.core.logs import LOGGER
from npc_crf.services.monitoring import query_bundle
from npc_crf.services.monitoring.query_bundle import ImportCounts
from npc_crf.services.sync.common import (
    ACKNOWLEDGED,
    HELD,
    TrustedCenter,
    center_by_id,
    definition_sha256,
    local_keys,
    parse_time,
    stamp,
)
from npc_crf.services.sync.definitions import verify_definition
from npc_crf.services.sync.return_payload import Ack, Definition, parse_return_payload
from npc_crf.services.workspace import Tx, Workspace
from npc_crf.store.models import inbound_return, outbound_bundle, study_definition
from npc_crf.sync.envelope import (
    Envelope,
    check_recipient,
    open_payload,
    read_envelope,
    verify_sender,
)

#: what a study definition in a return bundle became here
DEFINITION_RECEIVED, DEFINITION_KNOWN, DEFINITION_IN_USE = "received", "already received", "in use"


@dataclass(frozen=True)
class AckChange:
    """An outbox bundle whose status a return bundle changed."""

    uid: str
    sequence: int
    before: str
    after: str


@dataclass(frozen=True)
class ApplyResult:
    """What applying a return bundle did (nothing at all when ``already_applied``)."""

    file_name: str
    uid: str
    center_id: str
    sequence: int
    already_applied: bool
    acks: tuple[AckChange, ...] = ()
    unknown_acks: tuple[str, ...] = ()
    queries: ImportCounts = field(default_factory=ImportCounts)
    definition_version: str | None = None
    definition_outcome: str | None = None  # received, already received, in use
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "uuid": self.uid,
            "center_id": self.center_id,
            "sequence": self.sequence,
            "already_applied": self.already_applied,
            "acknowledged": [a.sequence for a in self.acks if a.after == ACKNOWLEDGED],
            "held": [a.sequence for a in self.acks if a.after == HELD],
            "unknown_acks": list(self.unknown_acks),
            "queries": self.queries.to_json(),
            "definition": (
                None
                if self.definition_version is None
                else {"version": self.definition_version, "outcome": self.definition_outcome}
            ),
            "note": self.note,
        }


def read_source(source: Path | bytes, name: str | None) -> tuple[bytes, str]:
    """The bundle's bytes and the name it is known by (its file name)."""
    if isinstance(source, bytes):
        return source, name or "return bundle"
    path = Path(source)
    try:
        return path.read_bytes(), name or path.name
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the return bundle ({exc.strerror}).") from None


def apply_return(ws: Workspace, data: bytes, name: str) -> ApplyResult:
    """Verify and apply one return bundle (see the module docstring). Needs ``export``."""
    ws.require(Permission.EXPORT, "apply return bundles from the coordinating center")
    envelope = read_envelope(data)
    if envelope.kind != "center-return":
        raise BundleRefused(
            "manifest",
            "this is a data bundle from a site (kind site-data), not a return bundle from the "
            "coordinating center; it is imported at the center",
        )
    center_id = str(envelope.manifest["sender"]["center_id"])
    with ws.read() as conn:
        center = center_by_id(conn, center_id)
        keys = local_keys(conn)
    _check_sender(center, center_id)
    assert center is not None
    verify_sender(envelope, center.ed25519)
    check_recipient(envelope, keys.installation_id, keys.x25519_public)
    study = envelope.manifest["study"]
    if study["oid"] != ws.study.oid:
        raise BundleRefused(
            "study", f"the bundle is for study {study['oid']}; this site records {ws.study.oid}"
        )
    payload = parse_return_payload(open_payload(envelope, keys.x25519_private))
    records = _checked_queries(ws, payload.queries)
    with ws.read() as conn:
        done = _already_applied(conn, envelope, center_id, name)
        definition = payload.definition
        outcome = _definition_outcome(ws, conn, definition) if definition else None
    if done is not None:
        return done
    if definition is not None and outcome == DEFINITION_RECEIVED:
        verify_definition(definition, ws.site.data.tmp, ws.study.oid)
    with ws.tx() as tx:
        if (again := _already_applied(tx.conn, envelope, center_id, name)) is not None:
            return again
        changes, unknown = _apply_acks(tx.conn, payload.acks, center_id)
        counts = _apply_queries(tx, records, name)
        if definition is not None and outcome == DEFINITION_RECEIVED:
            outcome = _store_definition(ws, tx, definition, envelope.bundle_uuid, name)
        result = ApplyResult(
            file_name=name,
            uid=envelope.bundle_uuid,
            center_id=center_id,
            sequence=envelope.sequence,
            already_applied=False,
            acks=tuple(changes),
            unknown_acks=tuple(unknown),
            queries=counts,
            definition_version=definition.version if definition else None,
            definition_outcome=outcome,
        )
        _record(ws, tx, envelope, result)
    LOGGER.info(
        "sync: return bundle %d applied (%d acknowledgement(s) changed, %d query message(s))",
        envelope.sequence,
        len(changes),
        counts.messages,
    )
    return result


def _check_sender(center: TrustedCenter | None, center_id: str) -> None:
    if center is None:
        raise BundleRefused(
            "sender",
            f"the bundle was made by center {center_id!r}, which this site does not trust",
            "The site administrator trusts the center first (npc-crf sync trust-center).",
        )
    if not center.active:
        raise BundleRefused(
            "sender",
            f"center {center_id!r} was replaced by another coordinating center here; its "
            "bundles are no longer accepted",
        )


def _already_applied(
    conn: Connection, envelope: Envelope, center_id: str, name: str
) -> ApplyResult | None:
    """Check 11 for a return: None when the bundle is new; a no-change result when it is not."""
    same = (
        conn.execute(select(inbound_return).where(inbound_return.c.uid == envelope.bundle_uuid))
        .mappings()
        .first()
    )
    if same is not None:
        if same["manifest_sha256"] != envelope.manifest_sha256:
            raise BundleRefused(
                "sequence",
                f"a return bundle with UUID {envelope.bundle_uuid} but another content was "
                "applied before; this one is a forgery or a replay",
            )
        return _no_change(envelope, center_id, name, "already applied: nothing changed")
    newest = (
        conn.execute(
            select(inbound_return.c.sequence, inbound_return.c.uid)
            .where(inbound_return.c.center_id == center_id)
            .order_by(inbound_return.c.sequence.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    if newest is None or envelope.sequence > newest["sequence"]:
        return None
    if envelope.sequence == newest["sequence"]:
        raise BundleRefused(
            "sequence",
            f"return bundle {envelope.sequence} of center {center_id} was already applied with "
            "another UUID; this one is a forgery or a replay",
        )
    return _no_change(
        envelope,
        center_id,
        name,
        f"already applied: return bundle {newest['sequence']}, newer than this one "
        f"({envelope.sequence}), was applied; nothing changed",
    )


def _no_change(envelope: Envelope, center_id: str, name: str, note: str) -> ApplyResult:
    return ApplyResult(
        file_name=name,
        uid=envelope.bundle_uuid,
        center_id=center_id,
        sequence=envelope.sequence,
        already_applied=True,
        note=note,
    )


def _checked_queries(
    ws: Workspace, records: Sequence[Mapping[str, Any]]
) -> list[tuple[int, dict[str, Any]]]:
    """The query records checked by the query import's rules (refused as check ``payload``)."""
    try:
        return query_bundle.check_records(ws.study, records)
    except ValidationFailed as exc:
        raise _queries_refused(exc.problems) from None


def _queries_refused(problems: Sequence[str]) -> BundleRefused:
    shown = problems[:5]
    more = len(problems) - len(shown)
    return BundleRefused(
        "payload",
        "payload.queries: "
        + "; ".join(shown)
        + (f"; and {more} more problem(s)" if more > 0 else ""),
    )


def _apply_queries(tx: Tx, records: list[tuple[int, dict[str, Any]]], name: str) -> ImportCounts:
    try:
        return query_bundle.apply_checked(tx, records, f"return:{name}")
    except ValidationFailed as exc:
        raise _queries_refused(exc.problems) from None


def _apply_acks(
    conn: Connection, acks: Sequence[Ack], center_id: str
) -> tuple[list[AckChange], list[str]]:
    """Set outbox statuses: imported or superseded → acknowledged, held → held (never back)."""
    if not acks:
        return [], []
    rows = {
        r["uid"]: r
        for r in conn.execute(
            select(outbound_bundle).where(outbound_bundle.c.uid.in_([a.bundle_uuid for a in acks]))
        ).mappings()
    }
    changes: list[AckChange] = []
    unknown: list[str] = []
    for n, ack in enumerate(acks):
        row = rows.get(ack.bundle_uuid)
        if row is None or row["center_id"] != center_id:
            unknown.append(
                ack.bundle_uuid
            )  # e.g. made after the backup this site was restored from
            continue
        if row["sequence"] != ack.sequence:
            raise BundleRefused(
                "payload",
                f"payload.acks[{n}].sequence: bundle {ack.bundle_uuid} is sequence "
                f"{row['sequence']} here, not {ack.sequence}",
            )
        after = HELD if ack.status == "held" else ACKNOWLEDGED
        before = row["status"]
        if before in (ACKNOWLEDGED, after):
            continue
        at = parse_time(ack.at)
        conn.execute(
            update(outbound_bundle)
            .where(outbound_bundle.c.uid == ack.bundle_uuid)
            .values(
                status=after,
                acked_at=(stamp(at) if at else ack.at) if after == ACKNOWLEDGED else None,
            )
        )
        changes.append(AckChange(ack.bundle_uuid, int(row["sequence"]), before, after))
    changes.sort(key=lambda c: c.sequence)
    return changes, unknown


def _definition_outcome(ws: Workspace, conn: Connection, definition: Definition) -> str:
    """Whether a definition is new here; the same version with other content is refused."""
    if definition.study_oid != ws.study.oid:
        raise BundleRefused(
            "payload",
            f"payload.definition: the definition is for study {definition.study_oid}, "
            f"not {ws.study.oid}",
        )
    if definition.version == ws.study.version:
        if definition.definition_sha256 == definition_sha256(ws.study):
            return DEFINITION_IN_USE
        raise BundleRefused(
            "payload",
            f"payload.definition: version {definition.version} is the version in use here, "
            "with other forms; a changed definition needs a new version",
        )
    stored = conn.execute(
        select(study_definition.c.definition_sha256).where(
            study_definition.c.study_oid == definition.study_oid,
            study_definition.c.version == definition.version,
        )
    ).scalar()
    if stored is None:
        return DEFINITION_RECEIVED
    if stored != definition.definition_sha256:
        raise BundleRefused(
            "payload",
            f"payload.definition: version {definition.version} was received before with other "
            "forms; a changed definition needs a new version",
        )
    return DEFINITION_KNOWN


def _store_definition(
    ws: Workspace, tx: Tx, definition: Definition, bundle_uid: str, name: str
) -> str:
    exists = tx.conn.execute(
        select(study_definition.c.id).where(
            study_definition.c.study_oid == definition.study_oid,
            study_definition.c.version == definition.version,
        )
    ).first()
    if exists is not None:
        return DEFINITION_KNOWN
    tx.conn.execute(
        insert(study_definition).values(
            study_oid=definition.study_oid,
            version=definition.version,
            definition_sha256=definition.definition_sha256,
            files=json.dumps(definition.files, sort_keys=True, ensure_ascii=False),
            received_at=stamp(ws.now()),
            received_from=bundle_uid,
            status=DEFINITION_RECEIVED,
            note=None,
        )
    )
    tx.audit.append(
        "definition_received",
        new_value=json.dumps(
            {
                "study_oid": definition.study_oid,
                "version": definition.version,
                "definition_sha256": definition.definition_sha256,
                "files": len(definition.files),
                "bundle": bundle_uid,
            },
            sort_keys=True,
        ),
        source=name,
    )
    return DEFINITION_RECEIVED


def _record(ws: Workspace, tx: Tx, envelope: Envelope, result: ApplyResult) -> None:
    summary = result.to_json()
    counts = {
        "acknowledged": len(summary["acknowledged"]),
        "held": len(summary["held"]),
        "unknown_acks": len(result.unknown_acks),
        **result.queries.to_json(),
        "definitions": int(result.definition_outcome == DEFINITION_RECEIVED),
    }
    tx.conn.execute(
        insert(inbound_return).values(
            uid=result.uid,
            center_id=result.center_id,
            sequence=result.sequence,
            manifest_sha256=envelope.manifest_sha256,
            file_name=result.file_name,
            counts=json.dumps(counts, sort_keys=True),
            applied_at=stamp(ws.now()),
            applied_by=ws.username,
        )
    )
    tx.audit.append(
        "return_applied",
        new_value=json.dumps(
            {
                "bundle": result.uid,
                "center_id": result.center_id,
                "sequence": result.sequence,
                "acknowledged": summary["acknowledged"],
                "held": summary["held"],
                "unknown_acks": summary["unknown_acks"],
                "queries": summary["queries"],
                "definition": summary["definition"],
            },
            sort_keys=True,
        ),
        source=result.file_name,
    )
