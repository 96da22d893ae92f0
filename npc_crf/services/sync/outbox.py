"""Exporting a bundle into the outbox (``DIR/exports/``), so that a half-written one is never seen.

docs/sync.md "Exporting". The order of the steps is the crash-safety argument:

1. read the payload in one read snapshot (:func:`npc_crf.sync.payload.collect`);
2. seal it for the trusted center (sign, encrypt);
3. write ``exports/.partial-<uuid>`` completely and fsync it;
4. ONE write transaction: insert the ``outbound_bundle`` row, mark the values
   sent, audit ``bundle_created``;
5. rename the partial to its final name (and fsync the folder).

A process killed before 4 leaves an unrecorded partial: it is deleted the next
time (:func:`recover_partials`), and its sequence number was never used. Killed
between 4 and 5, the partial is recorded: it is renamed the next time, and the
bundle is exactly the one the outbox describes. A cancelled export leaves
nothing. Test hook: ``NPC_CRF_SYNC_CRASH_AT=partial|recorded`` kills the
process with SIGKILL right after step 3 or step 4 (tests only; documented).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, func, insert, select, update

from npc_crf import __version__
from npc_crf.auth.roles import Permission
from npc_crf.core.errors import UsageError
from npc_crf.core.logs import LOGGER
from npc_crf.services.sync.common import (
    CREATED,
    Cancel,
    OutboundBundle,
    Progress,
    SyncCancelled,
    TrustedCenter,
    cancelled,
    definition_sha256,
    last_bundle,
    local_keys,
    require_center,
    stamp,
)
from npc_crf.services.workspace import Workspace
from npc_crf.store.atomic import fsync_dir
from npc_crf.store.models import audit_entry, item_value, outbound_bundle
from npc_crf.sync.envelope import FORMAT, VERSION, canonical_bytes, seal_bundle
from npc_crf.sync.fingerprint import recipient_sha256
from npc_crf.sync.payload import Collected, collect, mark_sent

PARTIAL_PREFIX = ".partial-"
SUFFIX = ".npcb"
#: test hook (docs/sync.md): ``partial`` or ``recorded`` kills the process at that step
CRASH_ENV = "NPC_CRF_SYNC_CRASH_AT"
GENESIS = "0" * 64

#: partials being written by this process: never "recovered" under a running export
_WRITING: set[str] = set()
_WRITING_LOCK = threading.Lock()
_EXPORT_LOCK = threading.Lock()


@dataclass(frozen=True)
class ExportResult:
    """The bundle an export made."""

    bundle: OutboundBundle
    path: Path
    seconds: float

    def to_json(self) -> dict[str, object]:
        return {**self.bundle.to_json(), "path": str(self.path), "seconds": self.seconds}


def bundle_file_name(study_oid: str, site_id: str, number: int, sequence: int, uid: str) -> str:
    """``<study>-<site>-<installation>-<seq 6 digits>-<uuid8>.npcb`` (docs/bundle-format.md §2)."""
    return f"{study_oid}-{site_id}-{number:02d}-{sequence:06d}-{uid[:8]}{SUFFIX}"


def _crash_here(step: str) -> None:
    if os.environ.get(CRASH_ENV) == step:
        LOGGER.warning("test hook %s=%s: killing the process", CRASH_ENV, step)
        kill = getattr(signal, "SIGKILL", None)
        if kill is None:  # pragma: no cover - Windows
            os._exit(137)
        os.kill(os.getpid(), kill)


def recover_partials(ws: Workspace) -> list[str]:
    """Finish or remove what an interrupted export left in ``exports/``; the names handled.

    A partial whose bundle UUID is recorded in the outbox is renamed to its final
    name; an unrecorded one is deleted (its transaction never committed).
    """
    folder = ws.site.data.exports
    if not folder.is_dir():
        return []
    with _WRITING_LOCK:  # an export of this process adds its partial here before writing it
        partials = [
            p
            for p in sorted(folder.glob(f"{PARTIAL_PREFIX}*"))
            if p.name[len(PARTIAL_PREFIX) :] not in _WRITING
        ]
        return _finish_or_remove(ws, folder, partials) if partials else []


def _finish_or_remove(ws: Workspace, folder: Path, partials: list[Path]) -> list[str]:
    uids = [p.name[len(PARTIAL_PREFIX) :] for p in partials]
    with ws.read() as conn:
        recorded = {
            r.uid: r.file_name
            for r in conn.execute(
                select(outbound_bundle.c.uid, outbound_bundle.c.file_name).where(
                    outbound_bundle.c.uid.in_(uids)
                )
            )
        }
    handled: list[str] = []
    for path, uid in zip(partials, uids, strict=True):
        final = recorded.get(uid)
        with contextlib.suppress(FileNotFoundError):
            if final is not None and not (folder / final).exists():
                os.replace(path, folder / final)
                LOGGER.info("sync: finished an interrupted export (renamed its partial file)")
            else:
                path.unlink()
                LOGGER.info("sync: removed the partial file of an interrupted export")
            handled.append(path.name)
    if handled:
        fsync_dir(folder)
    return handled


def _write_partial(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def export_bundle(
    ws: Workspace, *, full: bool = False, progress: Progress | None = None, cancel: Cancel = None
) -> ExportResult:
    """Make the next bundle for the trusted center and record it in the outbox.

    Incremental unless ``full`` (the first bundle to a center is always full).
    ``progress(done, total, what)`` is called between steps; ``cancel`` is
    checked between them and a cancelled export leaves no row and no file.
    Needs the ``export`` permission.
    """
    ws.require(Permission.EXPORT, "export a bundle for the coordinating center")
    if not _EXPORT_LOCK.acquire(blocking=False):
        raise UsageError("An export is already running; wait for it to finish.")
    try:
        return _export(ws, full, progress or (lambda done, total, what: None), cancel)
    finally:
        _EXPORT_LOCK.release()


_STEPS = 5


def _export(ws: Workspace, full: bool, progress: Progress, cancel: Cancel) -> ExportResult:
    started = time.perf_counter()
    recover_partials(ws)
    with ws.read() as conn:
        center = require_center(conn)
        previous = last_bundle(conn, center.center_id)
        newest_uid = conn.execute(
            select(outbound_bundle.c.uid).order_by(outbound_bundle.c.id.desc()).limit(1)
        ).scalar()
        keys = local_keys(conn)
    # a new center has nothing yet; a center trusted again after another one missed what
    # went to the other (values are marked sent once, for whichever center got them)
    full = full or previous is None or previous.uid != newest_uid
    progress(0, _STEPS, "reading the changes")
    _stop(cancel)
    collected = collect(
        ws,
        full=full,
        audit_from=previous.audit_to if previous else 0,
        query_from=previous.query_to if previous else 0,
    )
    progress(1, _STEPS, "signing and encrypting")
    _stop(cancel)
    uid = str(uuid.uuid4())
    sequence = previous.sequence + 1 if previous else 1
    manifest = _manifest(ws, center, keys.installation_id, keys.number, uid, sequence, full)
    manifest |= _coverage(collected)
    manifest["previous_sha256"] = previous.manifest_sha256 if previous else GENESIS
    data, sealed = seal_bundle(
        manifest,
        collected.payload,
        signing_key=Ed25519PrivateKey.from_private_bytes(keys.ed25519_private),
        recipient_x25519=center.x25519,
    )
    collected.payload = {}  # the plaintext is not needed any more
    progress(2, _STEPS, "writing the bundle file")
    _stop(cancel)
    folder = ws.site.data.exports
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = folder / f"{PARTIAL_PREFIX}{uid}"
    name = bundle_file_name(ws.study.oid, ws.site_id, keys.number, sequence, uid)
    with _WRITING_LOCK:
        _WRITING.add(uid)
    try:  # until the rename, recover_partials leaves this partial alone
        _write_partial(partial, data)
        _crash_here("partial")
        progress(3, _STEPS, "recording the bundle")
        if cancelled(cancel):
            partial.unlink()
            raise SyncCancelled("The export was cancelled; nothing was recorded.")
        manifest_sha = hashlib.sha256(canonical_bytes(sealed)).hexdigest()
        try:
            bundle = _record(ws, center, previous, sealed, collected, name, manifest_sha, len(data))
        except BaseException:
            with contextlib.suppress(OSError):
                if not _recorded(ws, uid):
                    partial.unlink()
            raise
        _crash_here("recorded")
        os.replace(partial, folder / name)
        fsync_dir(folder)
    finally:
        with _WRITING_LOCK:
            _WRITING.discard(uid)
    progress(_STEPS, _STEPS, "done")
    seconds = time.perf_counter() - started
    LOGGER.info(
        "sync: bundle %d exported (%s, %d bytes, %d values, %d audit entries) in %.2f s",
        sequence,
        "full" if full else "incremental",
        len(data),
        bundle.counts["values"],
        bundle.counts["audit"],
        seconds,
    )
    return ExportResult(bundle, folder / name, seconds)


def _stop(cancel: Cancel) -> None:
    if cancelled(cancel):
        raise SyncCancelled("The export was cancelled; nothing was recorded.")


def _mark_sent(conn: Connection, collected: Collected) -> None:
    """Set ``synced_version`` of the values in the bundle, in the bundle's transaction.

    Every change of a value is audited in its own transaction, so when the audit
    head is still where the snapshot ended, the store is the snapshot: the values
    in the bundle are exactly those with ``version > synced_version``, and one
    set-based UPDATE marks them (a full bundle of 250,000 values: about a second,
    against ~20 s one by one). Otherwise each collected (id, version) is marked, and
    a value saved since the snapshot stays unsent for the next bundle.
    """
    head = conn.execute(select(func.max(audit_entry.c.seq))).scalar() or 0
    if head == collected.audit_to:
        conn.execute(
            update(item_value)
            .where(item_value.c.version > item_value.c.synced_version)
            .values(synced_version=item_value.c.version)
        )
    else:
        mark_sent(conn, collected.sent_versions)


def _recorded(ws: Workspace, uid: str) -> bool:
    try:
        with ws.read() as conn:
            row = conn.execute(
                select(outbound_bundle.c.id).where(outbound_bundle.c.uid == uid)
            ).first()
    except Exception:  # unknown: keep the partial for recover_partials
        return True
    return row is not None


def _manifest(
    ws: Workspace,
    center: TrustedCenter,
    installation_id: str,
    number: int,
    uid: str,
    sequence: int,
    full: bool,
) -> dict[str, object]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "kind": "site-data",
        "bundle_uuid": uid,
        "created_at": stamp(ws.now()),
        "app_version": __version__,
        "study": {
            "oid": ws.study.oid,
            "version": ws.study.version,
            "definition_sha256": definition_sha256(ws.study),
        },
        "sender": {
            "site_id": ws.site_id,
            "installation_id": installation_id,
            "installation_number": number,
        },
        "recipient": {
            "kind": "center",
            "id": center.center_id,
            "x25519_sha256": recipient_sha256(center.x25519),
        },
        "sequence": sequence,
        "full": full,
    }


def _coverage(collected: Collected) -> dict[str, object]:
    return {
        "range": {
            "audit_from": collected.audit_from,
            "audit_to": collected.audit_to,
            "query_marker_from": collected.query_from,
            "query_marker_to": collected.query_to,
        },
        "audit_head": {"seq": collected.audit_to, "hash": collected.audit_head_hash},
        "counts": collected.counts(),
    }


def _record(
    ws: Workspace,
    center: TrustedCenter,
    previous: OutboundBundle | None,
    manifest: dict[str, object],
    collected: Collected,
    name: str,
    manifest_sha: str,
    size: int,
) -> OutboundBundle:
    """Step 4: the outbox row, the values marked sent and the audit entry, in one transaction."""
    counts = manifest["counts"]
    assert isinstance(counts, dict)
    with ws.tx() as tx:
        now_last = last_bundle(tx.conn, center.center_id)
        if (now_last.uid if now_last else None) != (previous.uid if previous else None):
            raise UsageError(
                "Another export finished while this one was being made; nothing was recorded.",
                "Export again.",
            )
        row = {
            "uid": manifest["bundle_uuid"],
            "center_id": center.center_id,
            "sequence": manifest["sequence"],
            "file_name": name,
            "manifest_sha256": manifest_sha,
            "previous_sha256": manifest["previous_sha256"],
            "full": manifest["full"],
            "audit_from": collected.audit_from,
            "audit_to": collected.audit_to,
            "query_from": collected.query_from,
            "query_to": collected.query_to,
            "counts": json.dumps(counts, sort_keys=True),
            "bytes": size,
            "created_at": manifest["created_at"],
            "created_by": ws.username,
            "status": CREATED,
            "sent_at": None,
            "sent_to": None,
            "acked_at": None,
        }
        tx.conn.execute(insert(outbound_bundle).values(**row))  # takes the write lock
        _mark_sent(tx.conn, collected)
        tx.audit.append(
            "bundle_created",
            new_value=json.dumps(
                {
                    "bundle": row["uid"],
                    "center_id": center.center_id,
                    "sequence": row["sequence"],
                    "full": row["full"],
                    "audit_from": row["audit_from"],
                    "audit_to": row["audit_to"],
                    "counts": counts,
                    "bytes": size,
                    "manifest_sha256": manifest_sha,
                },
                sort_keys=True,
            ),
            source=name,
        )
    return OutboundBundle.from_row(row)
