"""Sending bundles: copy them from the outbox to any folder or removable drive, verified.

Each file is written as ``.<name>.partial`` in the destination, fsynced,
renamed, and read back: its SHA-256 must equal the outbox file's. Only then is
the bundle marked ``sent`` (with the time and the folder). Sending again is
harmless: a file already there with the same bytes is left alone, and the
center ignores a bundle it already imported.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import update

from npc_crf.auth.roles import Permission
from npc_crf.core.errors import BundleRefused, UsageError
from npc_crf.core.logs import LOGGER
from npc_crf.services.sync.common import (
    ACKNOWLEDGED,
    CREATED,
    SENT,
    OutboundBundle,
    Progress,
    bundles_for,
    require_center,
    stamp,
)
from npc_crf.services.sync.outbox import recover_partials
from npc_crf.services.workspace import Workspace
from npc_crf.store.atomic import fsync_dir
from npc_crf.store.models import outbound_bundle
from npc_crf.sync.envelope import read_envelope


@dataclass(frozen=True)
class SentFile:
    """One bundle copied (or found already there)."""

    bundle: OutboundBundle
    path: Path
    copied: bool  # False: the same bytes were already there


@dataclass(frozen=True)
class SendResult:
    """What a send did."""

    folder: Path
    files: tuple[SentFile, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "folder": str(self.folder),
            "bundles": [
                {
                    "uuid": f.bundle.uid,
                    "sequence": f.bundle.sequence,
                    "file": f.bundle.file_name,
                    "copied": f.copied,
                    "status": f.bundle.status,
                }
                for f in self.files
            ],
        }


def pick(bundles: Sequence[OutboundBundle], wanted: Sequence[str]) -> list[OutboundBundle]:
    """The bundles named by UUID, by an unambiguous UUID prefix (8+ characters) or by file name."""
    chosen: list[OutboundBundle] = []
    for key in wanted:
        text = key.strip().lower()
        found = [
            b
            for b in bundles
            if text in (b.uid, b.file_name.lower()) or (len(text) >= 8 and b.uid.startswith(text))
        ]
        if len(found) != 1:
            problem = "matches no bundle" if not found else "matches several bundles"
            raise UsageError(
                f"'{key}' {problem} of the outbox.", "npc-crf sync list shows the bundles."
            )
        if found[0] not in chosen:
            chosen.append(found[0])
    return sorted(chosen, key=lambda b: b.sequence)


def send_to_folder(
    ws: Workspace,
    folder: Path,
    uids: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> SendResult:
    """Copy bundles to ``folder`` (default: every bundle not yet acknowledged).

    Needs the ``export`` permission. Every bundle is checked before anything is
    copied: its file is in ``exports/`` and its manifest is the one recorded.
    """
    ws.require(Permission.EXPORT, "send bundles to the coordinating center")
    report = progress or (lambda done, total, what: None)
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(
            f"{folder}: there is no such folder (plug the drive in, or create the folder first)."
        )
    recover_partials(ws)
    with ws.read() as conn:
        center = require_center(conn)
        outbox = bundles_for(conn, center.center_id)
    chosen = pick(outbox, uids) if uids else [b for b in outbox if b.status != ACKNOWLEDGED]
    sources = [(b, _checked_source(ws, b)) for b in chosen]
    files: list[SentFile] = []
    try:
        for done, (bundle, data) in enumerate(sources):
            report(done, len(sources), bundle.file_name)
            files.append(_copy(bundle, data, folder))
    finally:  # what reached the folder is recorded even when a later copy fails
        if files:
            fsync_dir(folder)
            _record(ws, files, folder)
    report(len(sources), len(sources), "done")
    LOGGER.info("sync: %d bundle(s) sent to a folder", len(files))
    with ws.read() as conn:
        after = {b.uid: b for b in bundles_for(conn, center.center_id)}
    return SendResult(folder, tuple(SentFile(after[f.bundle.uid], f.path, f.copied) for f in files))


def _record(ws: Workspace, files: Sequence[SentFile], folder: Path) -> None:
    """Mark the bundles sent (a bundle already further along keeps its status)."""
    record_sent(ws, [(f.bundle, f.copied) for f in files], str(folder.resolve()))


def record_sent(
    ws: Workspace, sent: Sequence[tuple[OutboundBundle, bool]], destination: str
) -> None:
    """Mark bundles sent to ``destination`` (a folder or an upload URL), audited.

    ``sent`` pairs each bundle with whether bytes were transferred this time.
    A bundle further along (held, acknowledged) keeps its status.
    """
    now = stamp(ws.now())
    with ws.tx() as tx:
        for b, copied in sent:
            tx.conn.execute(
                update(outbound_bundle)
                .where(outbound_bundle.c.uid == b.uid)
                .values(sent_at=now, sent_to=destination)
            )
            tx.conn.execute(
                update(outbound_bundle)
                .where(outbound_bundle.c.uid == b.uid, outbound_bundle.c.status == CREATED)
                .values(status=SENT)
            )
            tx.audit.append(
                "bundle_sent",
                new_value=json.dumps(
                    {"bundle": b.uid, "sequence": b.sequence, "to": destination, "copied": copied},
                    sort_keys=True,
                ),
                source=b.file_name,
            )


def _checked_source(ws: Workspace, bundle: OutboundBundle) -> bytes:
    path = ws.site.data.exports / bundle.file_name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(
            f"{path}: the file of bundle {bundle.sequence} is missing from the outbox; "
            "nothing was sent.",
            "Export again with --full: a full bundle carries everything the missing one did.",
        ) from None
    try:
        envelope = read_envelope(data)
    except BundleRefused as exc:
        raise UsageError(
            f"{path}: the file of bundle {bundle.sequence} is damaged ({exc.detail}); "
            "nothing was sent.",
            "Export again with --full.",
        ) from None
    if envelope.manifest_sha256 != bundle.manifest_sha256 or envelope.bundle_uuid != bundle.uid:
        raise UsageError(
            f"{path}: this file is not the bundle the outbox recorded as sequence "
            f"{bundle.sequence}; nothing was sent.",
            "Export again with --full.",
        )
    return data


def _copy(bundle: OutboundBundle, data: bytes, folder: Path) -> SentFile:
    target = folder / bundle.file_name
    digest = hashlib.sha256(data).hexdigest()
    if target.is_file() and _sha256(target) == digest:
        return SentFile(bundle, target, copied=False)
    partial = folder / f".{bundle.file_name}.partial"
    try:
        with open(partial, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise UsageError(
            f"{target}: could not write the bundle ({exc.strerror or exc}); it was not sent.",
            "Check that the drive is plugged in, writable and not full.",
        ) from None
    if _sha256(target, uncached=True) != digest:
        raise UsageError(
            f"{target}: the copy reads back differently from the original; it was not sent.",
            "The drive may be failing: use another one.",
        )
    return SentFile(bundle, target, copied=True)


def _sha256(path: Path, *, uncached: bool = False) -> str:
    """The file's SHA-256; ``uncached`` first drops its cached pages where the OS allows,
    so that the bytes are read back from the drive rather than from memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        advise = getattr(os, "posix_fadvise", None)
        if uncached and advise is not None:
            with contextlib.suppress(OSError):
                advise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
