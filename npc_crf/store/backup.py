"""Encrypted, verified, rotated backups of a site database.

A backup is a folder ``backups/<UTC time>-<label>/`` holding

* ``site.db`` — a full copy made with ``sqlcipher_export`` under the same
  database key (so it is as encrypted as the original, and opens with the
  same passwords or the recovery key);
* ``keys.json`` — the key file as it was, for when the original is lost;
* ``manifest.json`` — format ``npc-crf/backup`` version 1: when, which site and
  installation, schema revision, SHA-256 and size of ``site.db``, and the head
  of the audit chain. No clinical data.

The folder is written under a temporary name and renamed when complete, so a
half-written backup is never listed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from npc_crf.audit.chain import verify_entries
from npc_crf.core.errors import StoreError
from npc_crf.store.atomic import fsync_dir, write_atomic
from npc_crf.store.engine import connect_raw, describe_db_error
from npc_crf.store.layout import DataDir

FORMAT = "npc-crf/backup"
VERSION = 1
#: labels whose backups are rotated together; other labels form their own group
_GROUPS = ("pre-migration", "pre-restore", "auto", "manual")


@dataclass(frozen=True)
class BackupInfo:
    """What a backup's manifest says."""

    path: Path
    created_at: str
    label: str
    site_id: str
    installation_id: str
    schema_revision: str | None
    db_sha256: str
    db_bytes: int
    audit_head_seq: int
    audit_head_hash: str

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class BackupCheck:
    """The result of verifying a backup."""

    info: BackupInfo
    audit_entries: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _head(con: Any) -> tuple[int, str, str | None]:
    row = con.execute("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1").fetchone()
    rev = con.execute("SELECT version_num FROM alembic_version").fetchone()
    seq, digest = (row[0], row[1]) if row else (0, "0" * 64)
    return seq, digest, rev[0] if rev else None


def create_backup(
    data: DataDir, key: bytes, label: str, *, site_id: str, installation_id: str, keep: int = 10
) -> BackupInfo:
    """Copy the database into a new backup folder, check it, and rotate old ones."""
    data.backups.mkdir(mode=0o700, parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    partial = data.backups / f".partial-{stamp}"
    final = data.backups / f"{stamp}-{label}"
    partial.mkdir(mode=0o700)
    try:
        target = partial / "site.db"
        con = connect_raw(data.database, key)
        try:
            con.execute(
                f"ATTACH DATABASE {_sql_text(str(target))} AS backup KEY \"x'{key.hex()}'\""
            )
            con.execute("SELECT sqlcipher_export('backup')").fetchall()
            con.execute("DETACH DATABASE backup")
        except Exception as exc:
            raise describe_db_error(exc, data.database) from None
        finally:
            con.close()
        os.chmod(target, 0o600)
        with target.open("rb") as handle:
            os.fsync(handle.fileno())
        check = connect_raw(target, key)
        try:
            seq, digest, revision = _head(check)
        finally:
            check.close()
        if data.keyfile.exists():
            write_atomic(partial / "keys.json", data.keyfile.read_bytes())
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": now.isoformat(timespec="seconds"),
            "label": label,
            "site_id": site_id,
            "installation_id": installation_id,
            "schema_revision": revision,
            "db_sha256": _sha256(target),
            "db_bytes": target.stat().st_size,
            "audit_head_seq": seq,
            "audit_head_hash": digest,
        }
        write_atomic(partial / "manifest.json", (json.dumps(manifest, indent=2) + "\n").encode())
        os.replace(partial, final)
        fsync_dir(data.backups)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    rotate(data, keep)
    return read_manifest(final)


def read_manifest(folder: Path) -> BackupInfo:
    """The manifest of a backup folder; StoreError naming the bad field otherwise."""
    path = folder / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(f"{folder} is not a backup: manifest.json is missing.") from None
    except (OSError, ValueError) as exc:
        raise StoreError(f"The backup manifest {path} cannot be read: {exc}.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise StoreError(f"{path}: 'format' is not {FORMAT}.")
    if not isinstance(data.get("version"), int) or data["version"] > VERSION:
        raise StoreError(f"{path}: backup format version {data.get('version')} is not supported.")
    try:
        return BackupInfo(
            path=folder,
            created_at=str(data["created_at"]),
            label=str(data["label"]),
            site_id=str(data["site_id"]),
            installation_id=str(data["installation_id"]),
            schema_revision=data.get("schema_revision"),
            db_sha256=str(data["db_sha256"]),
            db_bytes=int(data["db_bytes"]),
            audit_head_seq=int(data["audit_head_seq"]),
            audit_head_hash=str(data["audit_head_hash"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"{path}: field {exc} is missing or has the wrong type.") from None


def list_backups(data: DataDir) -> list[BackupInfo]:
    """Complete backups, oldest first (folders without a readable manifest are skipped)."""
    if not data.backups.is_dir():
        return []
    found = []
    for folder in sorted(data.backups.iterdir()):
        if folder.is_dir() and not folder.name.startswith("."):
            with contextlib.suppress(StoreError):
                found.append(read_manifest(folder))
    return found


def _group(label: str) -> str:
    return next((g for g in _GROUPS if label.startswith(g)), label)


def rotate(data: DataDir, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups of each kind; returns what was deleted."""
    groups: dict[str, list[BackupInfo]] = {}
    for info in list_backups(data):
        groups.setdefault(_group(info.label), []).append(info)
    removed = []
    for infos in groups.values():
        for info in infos[: max(0, len(infos) - keep)]:
            shutil.rmtree(info.path)
            removed.append(info.path)
    return removed


def verify_backup(folder: Path, key: bytes) -> BackupCheck:
    """Check a backup: checksum, page authentication, SQLite integrity, audit chain."""
    info = read_manifest(folder)
    db = folder / "site.db"
    if not db.is_file():
        raise StoreError(f"The backup {folder.name} has no site.db.")
    if db.stat().st_size != info.db_bytes or _sha256(db) != info.db_sha256:
        raise StoreError(
            f"The backup {folder.name} is damaged: site.db does not match its manifest checksum."
        )
    con = connect_raw(db, key)
    try:
        bad_pages = con.execute("PRAGMA cipher_integrity_check").fetchall()
        if bad_pages:
            raise StoreError(f"The backup {folder.name} is damaged: {bad_pages[0][0]}.")
        integrity = con.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            raise StoreError(f"The backup {folder.name} is damaged: {integrity[0][0]}.")
        cursor = con.execute("SELECT * FROM audit_entry ORDER BY seq")
        names = [d[0] for d in cursor.description]
        report = verify_entries(dict(zip(names, row, strict=True)) for row in cursor)
    finally:
        con.close()
    if not report.ok:
        raise StoreError(
            f"The backup {folder.name} has a broken audit chain at entry {report.broken_at}: "
            f"{report.problem}."
        )
    if (report.head_seq, report.head_hash) != (info.audit_head_seq, info.audit_head_hash):
        raise StoreError(
            f"The backup {folder.name} does not end at the audit entry its manifest names."
        )
    return BackupCheck(info, report.entries)


def restore_files(data: DataDir, folder: Path) -> None:
    """Put a verified backup's database in place of the current one.

    The caller holds the directory lock, has closed every connection, and has
    already verified ``folder`` and saved the current database aside.
    """
    staging = data.root / "site.db.restoring"
    shutil.copyfile(folder / "site.db", staging)
    with staging.open("rb") as handle:
        os.fsync(handle.fileno())
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            (data.root / f"site.db{suffix}").unlink()
    os.replace(staging, data.database)
    fsync_dir(data.root)
