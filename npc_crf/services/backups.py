"""Backups as a service: create, list, verify, restore (with a safety copy first)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, select, update

from npc_crf.auth.roles import Permission
from npc_crf.core.errors import StoreError, UsageError
from npc_crf.core.logs import LOGGER
from npc_crf.services.workspace import Workspace
from npc_crf.store.backup import (
    BackupCheck,
    BackupInfo,
    create_backup,
    list_backups,
    restore_files,
    verify_backup,
)
from npc_crf.store.models import counter, setting, subject


@dataclass(frozen=True)
class Restored:
    """What a restore did."""

    check: BackupCheck
    #: subjects that existed before the restore and are not in the backup (to enter again)
    subjects_not_in_backup: tuple[str, ...]
    #: counters raised back so that no subject number is given out twice
    counters_kept: dict[str, int]


DEFAULT_KEEP = 10
DEFAULT_INTERVAL_HOURS = 24


class BackupService:
    """Encrypted backups of this installation's database."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def _keep(self) -> int:
        with self.ws.read() as conn:
            row = conn.execute(
                select(setting.c.value).where(setting.c.name == "backup_keep")
            ).first()
        return int(json.loads(row.value)) if row else DEFAULT_KEEP

    def create(self, label: str = "manual") -> BackupInfo:
        """Make a backup now (audited); old ones of the same kind are rotated away."""
        self.ws.require(Permission.BACKUP, "make backups")
        return self._make(label)

    def _make(self, label: str) -> BackupInfo:
        info = create_backup(
            self.ws.site.data,
            self.ws.db_key,
            label,
            site_id=self.ws.site_id,
            installation_id=self.ws.installation_id,
            keep=self._keep(),
        )
        with self.ws.tx() as tx:
            tx.audit.append(
                "backup_created",
                source=info.name,
                new_value=json.dumps({"audit_head_seq": info.audit_head_seq}),
            )
        LOGGER.info("backup %s made (%d bytes)", info.name, info.db_bytes)
        return info

    def auto(self) -> BackupInfo | None:
        """The automatic backup: made at logout when the newest backup is older than a day.

        It is the installation's duty, not the user's, so it needs no permission.
        """
        backups = list_backups(self.ws.site.data)
        if backups:
            made = dt.datetime.fromisoformat(backups[-1].created_at)
            if self.ws.now() - made < dt.timedelta(hours=DEFAULT_INTERVAL_HOURS):
                return None
        return self._make("auto")

    def list(self) -> list[BackupInfo]:
        """Backups on disk, oldest first."""
        self.ws.require(Permission.BACKUP, "see backups")
        return list_backups(self.ws.site.data)

    def find(self, name: str) -> Path:
        """The folder of backup ``name`` (its folder name, or 'latest')."""
        backups = list_backups(self.ws.site.data)
        if not backups:
            raise UsageError("There are no backups yet.")
        if name == "latest":
            return backups[-1].path
        for info in backups:
            if info.name == name:
                return info.path
        raise UsageError(f"There is no backup '{name}' (see npc-crf backup list).")

    def verify(self, name: str) -> BackupCheck:
        """Verify one backup completely."""
        self.ws.require(Permission.BACKUP, "verify backups")
        return verify_backup(self.find(name), self.ws.db_key)

    def restore(self, name: str, reason: str) -> Restored:
        """Replace the database with a verified backup; the current one is backed up first.

        The workspace is logged out afterwards; log in again to continue.
        """
        self.ws.require(Permission.RESTORE, "restore backups")
        if not reason.strip():
            raise UsageError("Give a reason for restoring a backup.")
        folder = self.find(name)
        check = verify_backup(folder, self.ws.db_key)
        if check.info.installation_id != self.ws.installation_id:
            raise StoreError("That backup belongs to another installation.")
        site = self.ws.site
        with self.ws.tx() as tx:
            tx.audit.append("backup_restore_started", source=check.info.name, reason=reason.strip())
            counters_before = _counters(tx.conn)
            subjects_before = _subject_ids(tx.conn)
        try:
            safety = self.create("pre-restore")
        except StoreError:  # the current database is unreadable: keep its files aside
            aside = site.data.backups / f"damaged-{self.ws.now():%Y%m%dT%H%M%S}"
            aside.mkdir()
            for part in ("site.db", "site.db-wal", "site.db-shm"):
                if (site.data.root / part).exists():
                    shutil.copy2(site.data.root / part, aside / part)
            safety = None
        username, key = self.ws.username, self.ws.db_key
        self.ws.logged_out = True
        site.close_database()
        restore_files(site.data, folder)
        workspace = site.unlock_with_key(key, username, "restore")
        with workspace.tx() as tx:
            # never hand out a subject number again that was used after the backup was made
            kept = _keep_counters(tx.conn, counters_before)
            lost = sorted(subjects_before - _subject_ids(tx.conn))
            tx.audit.append(
                "backup_restored",
                source=check.info.name,
                reason=reason.strip(),
                new_value=json.dumps(
                    {
                        "restored_head_seq": check.info.audit_head_seq,
                        "safety_backup": safety.name if safety else None,
                        "counters_kept": kept,
                        "subjects_not_in_backup": lost,
                    }
                ),
            )
        if lost:
            LOGGER.warning("restore: %d subject(s) were not in the backup", len(lost))
        workspace.logout()
        return Restored(check, tuple(lost), kept)


def _counters(conn: Connection) -> dict[str, int]:
    return {r.name: r.value for r in conn.execute(select(counter.c.name, counter.c.value))}


def _subject_ids(conn: Connection) -> set[str]:
    return {r.subject_id for r in conn.execute(select(subject.c.subject_id))}


def _keep_counters(conn: Connection, before: dict[str, int]) -> dict[str, int]:
    """Raise each restored counter back to where it was before the restore."""
    restored = _counters(conn)
    kept: dict[str, int] = {}
    for name, value in before.items():
        if value > restored.get(name, 0):
            if name in restored:
                conn.execute(update(counter).where(counter.c.name == name).values(value=value))
            else:
                conn.execute(counter.insert().values(name=name, value=value))
            kept[name] = value
    return kept
