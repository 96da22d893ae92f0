"""The clean-close seal: when a login may skip authenticating every page of site.db.

Authenticating every page (``PRAGMA cipher_integrity_check`` + ``quick_check``) costs
about 16 ms per MB — seconds on a site with a few hundred subjects. It is needed when
the file may have changed outside npc-crf (a crash, a copy, a restore, a failing disk),
not when npc-crf itself closed it cleanly a moment ago. So a clean close writes
``site.seal``::

    {"format": "npc-crf/seal", "version": 1,
     "db_size": 156237824, "db_mtime_ns": 1795190000123456789,
     "closed_at": "2026-11-21T15:30:27+00:00",
     "checked_at": "2026-11-21T08:02:11+00:00"}

and the next open skips the full check only when all of these hold:

* the seal parses and names exactly the current size and modification time of site.db;
* there is no leftover ``site.db-wal`` with content (that means the last session crashed);
* the last full check (``checked_at``) is less than :data:`FULL_CHECK_EVERY` old, so that
  a page damaged in place by the disk (same size, same time) is still found within a day.

Opening removes the seal before anything is written, so a crash leaves none. The seal
holds no clinical data and no secret. It is not a security control: SQLCipher
authenticates every page it reads in any case; the seal only decides whether the pages
nobody reads yet are checked now or later.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from npc_crf.store.atomic import write_atomic

FORMAT = "npc-crf/seal"
VERSION = 1
FULL_CHECK_EVERY = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Seal:
    """What a clean close recorded about site.db."""

    db_size: int
    db_mtime_ns: int
    closed_at: dt.datetime
    checked_at: dt.datetime

    def to_json(self) -> dict[str, object]:
        """The seal as written to ``site.seal``."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "db_size": self.db_size,
            "db_mtime_ns": self.db_mtime_ns,
            "closed_at": self.closed_at.isoformat(timespec="seconds"),
            "checked_at": self.checked_at.isoformat(timespec="seconds"),
        }


def seal_path(database: Path) -> Path:
    """``site.seal`` next to ``site.db``."""
    return database.with_name(database.stem + ".seal")


def read_seal(database: Path) -> Seal | None:
    """The seal next to ``database``; None when missing or not a valid v1 seal."""
    try:
        data = json.loads(seal_path(database).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            return None
        size, mtime = data["db_size"], data["db_mtime_ns"]
        if not isinstance(size, int) or not isinstance(mtime, int):
            return None
        closed = dt.datetime.fromisoformat(data["closed_at"])
        checked = dt.datetime.fromisoformat(data["checked_at"])
        if closed.tzinfo is None or checked.tzinfo is None:
            return None
        return Seal(size, mtime, closed, checked)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _wal_has_content(database: Path) -> bool:
    wal = database.with_name(database.name + "-wal")
    try:
        return wal.stat().st_size > 0
    except FileNotFoundError:
        return False


def full_check_due(database: Path, now: dt.datetime) -> tuple[bool, dt.datetime | None]:
    """Whether every page must be authenticated now, and when the last full check was.

    The second value is the ``checked_at`` to carry forward when the check is skipped.
    """
    seal = read_seal(database)
    if seal is None or _wal_has_content(database):
        return True, None
    stat = database.stat()
    if (stat.st_size, stat.st_mtime_ns) != (seal.db_size, seal.db_mtime_ns):
        return True, None
    if not (dt.timedelta(0) <= now - seal.checked_at < FULL_CHECK_EVERY):
        return True, None  # due, or the clock went back: check rather than trust
    return False, seal.checked_at


def break_seal(database: Path) -> None:
    """Remove the seal (on opening): a crash from now on leaves none behind."""
    with contextlib.suppress(FileNotFoundError):
        seal_path(database).unlink()


def write_seal(database: Path, checked_at: dt.datetime, now: dt.datetime) -> bool:
    """Seal site.db after a clean close; False (and no seal) if the WAL was not emptied."""
    if _wal_has_content(database):
        return False
    stat = database.stat()
    seal = Seal(stat.st_size, stat.st_mtime_ns, now, checked_at)
    write_atomic(seal_path(database), json.dumps(seal.to_json(), indent=2).encode("utf-8"))
    return True
