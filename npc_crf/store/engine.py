"""The SQLCipher engine: a raw 256-bit key, WAL, full fsync, no plaintext temp files.

The key never passes through SQLCipher's own passphrase KDF: it was derived by
Argon2id (or unwrapped with the recovery key) and is given as ``x'…'``. A wrong
key is only noticed at the first read, so every new connection reads the schema
at once; because the key was authenticated by AES-GCM before we get here, a
failure at that point means the file itself is damaged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool

from npc_crf.core.errors import StoreError

#: execution option for connections that only read (``conn.execution_options(**{READ_ONLY: True})``)
READ_ONLY = "npc_crf_read_only"

_DAMAGED_HINT = (
    "Restore the latest backup with 'npc-crf backup restore', or ask the coordinating "
    "center for help. Nothing was changed."
)


def apply_pragmas(con: Any, key: bytes) -> None:
    con.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    con.execute("PRAGMA cipher_log_level = NONE")
    con.execute("PRAGMA cipher_memory_security = ON")
    con.execute("SELECT count(*) FROM sqlite_master").fetchall()  # fails at once on a bad file
    con.execute("PRAGMA journal_mode = WAL").fetchall()
    con.execute("PRAGMA synchronous = FULL")  # an acknowledged commit survives a power cut
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("PRAGMA temp_store = MEMORY")  # sorts and temp tables never touch the disk
    con.execute("PRAGMA busy_timeout = 5000")


def connect_raw(path: Path, key: bytes) -> Any:
    """A keyed DB-API connection (autocommit; transactions are begun explicitly)."""
    try:
        con = sqlcipher3.dbapi2.connect(str(path), check_same_thread=False, isolation_level=None)
    except sqlcipher3.dbapi2.Error as exc:
        raise StoreError(f"The database {path} cannot be opened: {exc}.") from None
    try:
        apply_pragmas(con, key)
    except sqlcipher3.dbapi2.DatabaseError as exc:
        con.close()
        raise describe_db_error(exc, path) from None
    return con


def describe_db_error(exc: BaseException, path: Path) -> StoreError:
    """A StoreError a person can act on, for a SQLite/SQLCipher failure."""
    text = str(getattr(exc, "orig", None) or exc)
    lowered = text.lower()
    if "disk is full" in lowered or "database or disk is full" in lowered:
        return StoreError(
            f"The disk holding {path.parent} is full; the last change was not saved.",
            "Free some space (or move old exports away) and save again.",
        )
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return StoreError(f"The database {path} is damaged or incomplete ({text}).", _DAMAGED_HINT)
    if "readonly" in lowered or "read-only" in lowered:
        return StoreError(f"The database {path} is read-only ({text}).")
    if "locked" in lowered or "busy" in lowered:
        return StoreError(f"The database {path} is busy ({text}); try again.")
    return StoreError(f"The database {path} failed: {text}.")


def open_engine(path: Path, key: bytes) -> Engine:
    """An SQLAlchemy engine over the keyed database at ``path``."""
    probe = connect_raw(path, key)  # report a bad file before building the pool
    first: list[Any] = [probe]

    def creator() -> Any:
        return first.pop() if first else connect_raw(path, key)

    # the plain sqlite dialect over sqlcipher3's DB-API, so that SQLAlchemy wraps its
    # exceptions; the pysqlcipher dialect would re-key every connection with a passphrase
    engine = create_engine(
        "sqlite://",
        module=sqlcipher3.dbapi2,
        creator=creator,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=4,
    )

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # a writer takes the write lock at once (no deadlock upgrading later); a reader
        # marked READ_ONLY takes a snapshot and never blocks writers (WAL)
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN DEFERRED")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@contextmanager
def translated_errors(path: Path) -> Iterator[None]:
    """Turn database failures inside the block into StoreErrors (after rollback)."""
    try:
        yield
    except DBAPIError as exc:
        orig = exc.orig
        if isinstance(orig, (sqlcipher3.dbapi2.OperationalError, sqlcipher3.dbapi2.DatabaseError)):
            message = str(orig)
            if "append-only" in message:
                raise StoreError(f"Refused: {message}.") from None
            raise describe_db_error(orig, path) from None
        raise
    except sqlite3.Error as exc:  # pragma: no cover - stdlib sqlite is not used for data
        raise describe_db_error(exc, path) from None


def check_pages(engine: Engine, path: Path) -> None:
    """Authenticate every page of the database (SQLCipher's HMAC) before trusting it.

    A login reads only a few pages; without this, a damaged page elsewhere would
    go unnoticed until something read it, after new entries had been written.
    """
    with engine.connect() as conn:
        bad = conn.exec_driver_sql("PRAGMA cipher_integrity_check").fetchall()
        if bad:
            raise StoreError(f"The database {path} is damaged: {bad[0][0]}.", _DAMAGED_HINT)
        quick = conn.exec_driver_sql("PRAGMA quick_check").fetchall()
        if quick != [("ok",)]:
            raise StoreError(f"The database {path} is damaged: {quick[0][0]}.", _DAMAGED_HINT)
