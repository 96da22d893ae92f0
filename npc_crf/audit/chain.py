"""Append to and verify the hash-chained audit trail.

Each entry is hashed as SHA-256 over its canonical JSON (every column except
``hash``, keys sorted, UTF-8, no spaces), and that JSON includes ``prev_hash``,
the hash of the entry before it (64 zeros for the first). Sequence numbers
start at 1 and have no gaps. Changing, inserting or deleting any entry breaks
the chain at that entry, and :func:`verify` names it. The database itself also
refuses UPDATE and DELETE on the table (triggers in the first migration).

Times are UTC with microseconds plus the computer's local offset. If the clock
reads earlier than the last entry's time, a ``clock_regression`` entry saying
so is written first: the trail keeps the computer's times as they were, and
the sequence numbers keep the true order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select

from npc_crf import __version__
from npc_crf.store.models import audit_entry

GENESIS = "0" * 64
_INSERT = insert(audit_entry)  # built once: executed with a list of rows per flush

#: the columns of an entry, in the order they are documented
FIELDS = (
    "seq",
    "at_utc",
    "local_offset",
    "installation_id",
    "username",
    "role",
    "action",
    "subject_id",
    "event_oid",
    "occurrence",
    "form_oid",
    "item_path",
    "row_uid",
    "old_value",
    "new_value",
    "reason",
    "form_version",
    "app_version",
    "source",
    "prev_hash",
)


def canonical(entry: Mapping[str, Any]) -> bytes:
    """The bytes an entry's hash is computed over."""
    doc = {name: entry.get(name) for name in FIELDS}
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(entry: Mapping[str, Any]) -> str:
    """The hex SHA-256 of an entry's canonical form."""
    return hashlib.sha256(canonical(entry)).hexdigest()


def utc_now() -> dt.datetime:
    """The current time in UTC (a function so tests can move the clock)."""
    return dt.datetime.now(dt.UTC)


def _stamp(moment: dt.datetime) -> tuple[str, str]:
    utc = moment.astimezone(dt.UTC)
    local = moment.astimezone()
    offset = local.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else "+00:00"
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), offset


@dataclass(frozen=True)
class Actor:
    """Who is acting, for every entry written on their behalf."""

    username: str
    role: str
    installation_id: str


class AuditLog:
    """Appends entries inside the caller's transaction.

    Use one instance per transaction: it keeps the chain's head between appends
    and re-reads it from the database when created. Inside :meth:`batch`, entries
    are kept in memory and written together when the block ends (one statement
    for a whole save); otherwise each is written at once.
    """

    def __init__(
        self, conn: Connection, actor: Actor, clock: Callable[[], dt.datetime] | None = None
    ) -> None:
        self.conn = conn
        self.actor = actor
        # looked up at each call, so that moving the module's clock moves every log's
        self.clock: Callable[[], dt.datetime] = clock or (lambda: utc_now())
        last = conn.execute(
            select(audit_entry.c.seq, audit_entry.c.hash, audit_entry.c.at_utc)
            .order_by(audit_entry.c.seq.desc())
            .limit(1)
        ).first()
        self._seq: int = last.seq if last else 0
        self._head: str = last.hash if last else GENESIS
        self._last_time: str = last.at_utc if last else ""
        self._pending: list[dict[str, Any]] | None = None  # inside batch()

    @property
    def head(self) -> tuple[int, str]:
        """The sequence number and hash of the newest entry."""
        return self._seq, self._head

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Write the entries appended inside the block in one statement at its end.

        If the block raises, its entries are dropped with the caller's transaction,
        which must then roll back (the chain's head in this object is no longer valid).
        """
        if self._pending is not None:  # already batching: the outer block writes
            yield
            return
        self._pending = []
        try:
            yield
            if self._pending:
                self.conn.execute(_INSERT, self._pending)
        finally:
            self._pending = None

    def append(self, action: str, *, actor: Actor | None = None, **fields: Any) -> int:
        """Write one entry; returns its sequence number.

        ``fields`` may set any column of :data:`FIELDS` except seq, times, actor,
        app_version and prev_hash. ``actor`` replaces the log's actor for this
        entry (a failed login is attributed to the name that was tried).
        """
        at_utc, offset = _stamp(self.clock())
        if self._last_time and at_utc < self._last_time:
            self._write(
                "clock_regression",
                at_utc,
                offset,
                {
                    "old_value": json.dumps({"value": self._last_time}),
                    "new_value": json.dumps({"value": at_utc}),
                    "reason": "the computer clock reads earlier than the previous audit entry",
                },
            )
        return self._write(action, at_utc, offset, fields, actor or self.actor)

    def _write(
        self,
        action: str,
        at_utc: str,
        offset: str,
        fields: Mapping[str, Any],
        actor: Actor | None = None,
    ) -> int:
        actor = actor or self.actor
        unknown = set(fields) - set(FIELDS)
        if unknown:
            raise TypeError(f"unknown audit fields: {sorted(unknown)}")
        entry: dict[str, Any] = dict.fromkeys(FIELDS)
        entry.update(fields)
        entry.update(
            seq=self._seq + 1,
            at_utc=at_utc,
            local_offset=offset,
            installation_id=actor.installation_id,
            username=actor.username,
            role=actor.role,
            action=action,
            app_version=__version__,
            prev_hash=self._head,
        )
        digest = entry_hash(entry)
        entry["hash"] = digest
        if self._pending is not None:
            self._pending.append(entry)
        else:
            self.conn.execute(_INSERT, entry)
        self._seq, self._head, self._last_time = entry["seq"], digest, at_utc
        return int(entry["seq"])


@dataclass(frozen=True)
class ChainReport:
    """The outcome of verifying the chain."""

    entries: int
    head_seq: int
    head_hash: str
    broken_at: int | None = None
    problem: str | None = None
    clock_regressions: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_entries(rows: Iterable[Mapping[str, Any]]) -> ChainReport:
    """Check sequence, links and hashes of entries given in sequence order."""
    expected_seq, prev, count, regressions = 1, GENESIS, 0, 0
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            what = "missing" if seq > expected_seq else "repeated"
            return ChainReport(
                count,
                expected_seq - 1,
                prev,
                expected_seq,
                f"entry {expected_seq} is {what} (found {seq} next)",
                regressions,
            )
        if row["prev_hash"] != prev:
            return ChainReport(
                count,
                seq - 1,
                prev,
                seq,
                f"entry {seq} does not link to entry {seq - 1} (an entry before it was changed or removed)",
                regressions,
            )
        if entry_hash(row) != row["hash"]:
            return ChainReport(
                count,
                seq - 1,
                prev,
                seq,
                f"entry {seq} was changed after it was written (its hash does not match)",
                regressions,
            )
        if row["action"] == "clock_regression":
            regressions += 1
        prev, expected_seq, count = row["hash"], seq + 1, count + 1
    return ChainReport(count, expected_seq - 1, prev, None, None, regressions)


def verify(conn: Connection) -> ChainReport:
    """Verify the whole audit trail in the database."""
    result = conn.execute(select(audit_entry).order_by(audit_entry.c.seq))
    return verify_entries(dict(row._mapping) for row in result)


def entry_count(conn: Connection) -> int:
    """How many entries the trail holds."""
    return int(conn.execute(select(func.count()).select_from(audit_entry)).scalar_one())
