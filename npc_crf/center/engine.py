"""The center store's engine: an SQLCipher file in the center folder, or PostgreSQL.

SQLite is SQLCipher with the site's connection settings (``npc_crf.store.engine``:
raw 256-bit key, WAL, full fsync, temporary data in memory), keyed with the
center database key from the center key file, and without a statement cache
(:func:`_connect` says why). PostgreSQL is reached with a SQLAlchemy URL (``postgresql+psycopg://…``)
that never holds a password: libpq finds it in ``PGPASSWORD``, ``~/.pgpass``
(``PGPASSFILE``) or a service file (``PGSERVICE``), or the server trusts the
connection (peer or certificate authentication). docs/center.md says how.

Every write transaction starts with :func:`serialize`, which locks the one
``center_meta`` row on PostgreSQL (``SELECT … FOR UPDATE``): imports, returns
and registrations of several processes (the CLI and ``center serve``) then take
turns, and the center's audit trail never forks. SQLite takes its write lock at
``BEGIN IMMEDIATE`` already.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    Text,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.pool import QueuePool

from npc_crf.center.keys import StoreLocation
from npc_crf.center.schema import center_meta
from npc_crf.core.errors import StoreError, UsageError
from npc_crf.store.engine import READ_ONLY, describe_db_error
from npc_crf.store.engine import apply_pragmas as site_pragmas

#: PostgreSQL: more rows than this are inserted with COPY
COPY_ABOVE = 1000
#: SQLite waits this long for another process's write to finish (an import takes seconds)
BUSY_TIMEOUT_MS = 120_000


def check_db_url(url: str) -> str:
    """The URL in canonical text; UsageError when it is not PostgreSQL or holds a password."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UsageError(f"--db-url {url!r} is not a database URL.") from None
    if parsed.get_backend_name() != "postgresql":
        raise UsageError(
            f"--db-url must be a PostgreSQL URL (postgresql+psycopg://user@host:port/database), "
            f"not {parsed.get_backend_name()!r}; without --db-url the center keeps an "
            "encrypted SQLite file in its folder."
        )
    if parsed.password is not None:
        raise UsageError(
            "The PostgreSQL URL contains a password; it would be stored in the center key file "
            "in plain text.",
            "Give the password through PGPASSWORD, ~/.pgpass or a libpq service file "
            "(docs/center.md) and leave it out of --db-url.",
        )
    if parsed.get_driver_name() in ("", "psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.database in (None, ""):
        raise UsageError("The PostgreSQL URL must name a database (…/DATABASE).")
    return parsed.render_as_string(hide_password=False)


def _connect(path: Path, key: bytes) -> Any:
    """A keyed SQLCipher connection as the site's (``npc_crf.store.engine``), without a
    statement cache.

    Measured: once a connection holds cached prepared statements that read certain
    tables (``form_instance``, ``event_instance``, ``center_installation``), SQLCipher
    makes every later insert on it several times slower; with :func:`among` this
    took the full bundle of the 300-subject benchmark site from 120 s to 27 s.
    Preparing each statement afresh costs microseconds.
    """
    try:
        con = sqlcipher3.dbapi2.connect(
            str(path), check_same_thread=False, isolation_level=None, cached_statements=0
        )
    except sqlcipher3.dbapi2.Error as exc:
        raise StoreError(f"The center database {path} cannot be opened: {exc}.") from None
    try:
        site_pragmas(con, key)
        con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    except sqlcipher3.dbapi2.DatabaseError as exc:
        con.close()
        raise describe_db_error(exc, path) from None
    return con


def _sqlcipher_engine(path: Path, key: bytes) -> Engine:
    """An engine over the center's SQLCipher file (created when absent)."""
    probe = _connect(path, key)  # report a bad file before building the pool
    first: list[Any] = [probe]

    def creator() -> Any:
        return first.pop() if first else _connect(path, key)

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
        # writers take the write lock at once; readers (READ_ONLY) read a WAL snapshot
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN DEFERRED")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def open_store(folder: Path, location: StoreLocation, db_key: bytes) -> Engine:
    """An engine over the center's store (the SQLite file is created when absent)."""
    if location.kind == "sqlite":
        return _sqlcipher_engine(folder / str(location.file), db_key)
    try:
        engine = create_engine(str(location.url), pool_pre_ping=True, pool_size=2)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StoreError(
            f"The center store {location.label} cannot be used: {exc}.",
            "Install the PostgreSQL driver with: pip install 'npc-crf[postgres]'.",
        ) from None
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except DBAPIError as exc:
        engine.dispose()
        raise StoreError(
            f"The center store {location.label} cannot be reached: {_first_line(exc)}.",
            "Check that the server runs and that the password comes from PGPASSWORD, "
            "~/.pgpass or a libpq service file (docs/center.md).",
        ) from None
    return engine


def serialize(conn: Connection) -> None:
    """Take the center's write turn inside the current transaction (see the module text)."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(center_meta.c.id).where(center_meta.c.id == 1).with_for_update())


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many rows (every row with the same keys) with one ``executemany``.

    On SQLite the statement goes to the driver as plain SQL with tuples: SQLAlchemy's
    per-row parameter processing would cost more than SQLCipher itself for the
    hundreds of thousands of rows of a full bundle. The values are ``str``, ``int``,
    ``bool``, ``bytes`` or None, which sqlite3 binds as they are. PostgreSQL takes
    many rows through ``COPY`` (:func:`_copy_rows`), a few through SQLAlchemy.
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql" and len(rows) > COPY_ABOVE:
        _copy_rows(conn, table, rows)
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), list(rows))
        return
    quote = conn.dialect.identifier_preparer.quote
    names = list(rows[0])
    if unknown := set(names) - set(table.c.keys()):
        raise ValueError(f"{table.name} has no column(s) {sorted(unknown)}")
    columns = ", ".join(quote(n) for n in names)
    marks = ", ".join("?" for _ in names)
    sql = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})"  # noqa: S608 - schema names
    conn.exec_driver_sql(sql, [tuple(row[n] for n in names) for row in rows])


def _copy_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """PostgreSQL: ``COPY … FROM STDIN`` inside the connection's transaction (psycopg 3)."""
    from psycopg import sql  # only a PostgreSQL center needs psycopg

    names = list(rows[0])
    if unknown := set(names) - set(table.c.keys()):
        raise ValueError(f"{table.name} has no column(s) {sorted(unknown)}")
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(n) for n in names)
    )
    raw: Any = conn.connection.dbapi_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(tuple(row[n] for n in names))


def among(
    conn: Connection, column: ColumnElement[Any], values: Iterable[Any]
) -> ColumnElement[bool]:
    """``column IN (values)`` for ``conn``'s database.

    On SQLite the values go in as one JSON array read by ``json_each``: once a
    SQLCipher connection has run a statement with an ``IN (?, ?, …)`` list, every
    later insert on it is several times slower (measured with the 300-subject
    bundle, together with the statement cache of :func:`_connect`: 120 s of
    import instead of 30 s). PostgreSQL gets the plain list.
    """
    items = list(values)
    if conn.dialect.name == "sqlite":
        array = bindparam("json_values", json.dumps(items), type_=Text, unique=True)
        return column.in_(select(literal_column("value")).select_from(func.json_each(array)))
    return column.in_(items)


def describe(exc: DBAPIError, location: StoreLocation) -> StoreError:
    """A StoreError for a database failure during a transaction."""
    return StoreError(f"The center store {location.label} failed: {_first_line(exc)}.")


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
