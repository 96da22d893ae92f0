"""The center's own audit trail: hash-chained like a site's (docs/store.md "Audit trail").

Entries have the site trail's fields (``npc_crf.audit.chain.FIELDS``) and are
hashed the same way; ``installation_id`` holds the center ID, ``role`` is
``center``. What is recorded: the center's creation, registrations, every
bundle imported, held, superseded or refused (with the check that failed),
conflicts, queries raised, return bundles and published definitions. Entries
are written in the transaction of the change they record; a refusal, which
changes nothing else, is written in a transaction of its own.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, insert, select

from npc_crf import __version__
from npc_crf.audit.chain import FIELDS, GENESIS, ChainReport, entry_hash, verify_entries
from npc_crf.center.schema import center_audit

ROLE = "center"


def stamp(moment: dt.datetime | None = None) -> tuple[str, str]:
    """UTC time with microseconds and ``Z``, and the computer's UTC offset."""
    moment = moment or dt.datetime.now(dt.UTC)
    utc = moment.astimezone(dt.UTC)
    offset = moment.astimezone().strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else "+00:00"
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), offset


def utc_now() -> str:
    """The current UTC time as the center writes it."""
    return stamp()[0]


class CenterTrail:
    """Appends to the center's trail inside the caller's transaction (write turn taken)."""

    def __init__(self, conn: Connection, center_id: str, username: str) -> None:
        self.conn = conn
        self.center_id = center_id
        self.username = username
        last = conn.execute(
            select(center_audit.c.seq, center_audit.c.hash)
            .order_by(center_audit.c.seq.desc())
            .limit(1)
        ).first()
        self._seq = int(last.seq) if last else 0
        self._head = str(last.hash) if last else GENESIS
        self._pending: list[dict[str, Any]] = []

    def append(self, action: str, *, detail: dict[str, Any] | None = None, **fields: Any) -> int:
        """Queue one entry (written by :meth:`flush`); ``detail`` becomes ``new_value``."""
        unknown = set(fields) - set(FIELDS)
        if unknown:
            raise TypeError(f"unknown audit fields: {sorted(unknown)}")
        at_utc, offset = stamp()
        entry: dict[str, Any] = dict.fromkeys(FIELDS)
        entry.update(fields)
        if detail is not None:
            entry["new_value"] = json.dumps(detail, ensure_ascii=False, sort_keys=True)
        entry.update(
            seq=self._seq + 1,
            at_utc=at_utc,
            local_offset=offset,
            installation_id=self.center_id,
            username=self.username,
            role=ROLE,
            action=action,
            app_version=__version__,
            prev_hash=self._head,
        )
        entry["hash"] = entry_hash(entry)
        self._pending.append(entry)
        self._seq, self._head = entry["seq"], entry["hash"]
        return int(entry["seq"])

    def flush(self) -> None:
        """Write the queued entries (one statement)."""
        if self._pending:
            self.conn.execute(insert(center_audit), self._pending)
            self._pending = []


def entries(conn: Connection) -> Iterator[dict[str, Any]]:
    """The center's trail, oldest first."""
    for row in conn.execute(select(center_audit).order_by(center_audit.c.seq)).mappings():
        yield dict(row)


def verify(conn: Connection) -> ChainReport:
    """Check the center's chain (sequence, links, hashes)."""
    return verify_entries(entries(conn))
