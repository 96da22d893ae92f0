"""Reading and writing queries and their threads: the statements every query path shares.

Raising by hand, raising from a save, replying, and importing from a bundle all
write through these functions, so a query row, its messages and the audit
entries always agree. Nothing here checks permissions: the callers do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, func, insert, select, update

from npc_crf.core.errors import UsageError
from npc_crf.forms.model import Study
from npc_crf.forms.session import ItemPath
from npc_crf.services.monitoring.query_model import Query, QueryMessage, where_text
from npc_crf.store.models import event_instance, form_instance, group_row, query_message, subject
from npc_crf.store.models import query as query_table
from npc_crf.store.records import RowLike

if TYPE_CHECKING:
    from npc_crf.services.workspace import Tx

_UID_PREFIX = re.compile(r"[0-9a-fA-F-]{6,36}")


@dataclass(frozen=True)
class Target:
    """What a query is about, checked against the study and the store."""

    subject_id: str
    event_oid: str | None
    occurrence: int | None
    form_oid: str | None
    item_path: str | None
    row_uid: str | None
    form_instance_id: int | None  # None: not about a form, or the form is not started

    @property
    def where(self) -> str:
        return where_text(
            self.subject_id, self.event_oid, self.occurrence, self.form_oid, self.item_path
        )


def form_instance_id(
    conn: Connection,
    subject_id: str,
    event_oid: str | None,
    occurrence: int | None,
    form_oid: str | None,
) -> int | None:
    """The stored form's ID, or None (no form named, or not started)."""
    if event_oid is None or form_oid is None:
        return None
    found: int | None = conn.execute(
        select(form_instance.c.id)
        .join(event_instance, form_instance.c.event_instance_id == event_instance.c.id)
        .where(
            and_(
                event_instance.c.subject_id == subject_id,
                event_instance.c.event_oid == event_oid,
                event_instance.c.occurrence == (occurrence or 1),
                form_instance.c.form_oid == form_oid,
            )
        )
    ).scalar()
    return found


def resolve_target(
    conn: Connection,
    study: Study,
    subject_id: str,
    event_oid: str | None,
    occurrence: int | None,
    form_oid: str | None,
    item_path: str | None,
) -> Target:
    """Check what a query is about; UsageError naming what is wrong.

    A subject or an event or form query may be about something not entered yet (a
    missing visit, a form never started); an item query needs the stored form, and
    a cell of a repeating group needs the row (its identity is kept as ``row_uid``).
    """
    if (
        conn.execute(select(subject.c.subject_id).where(subject.c.subject_id == subject_id)).first()
        is None
    ):
        raise UsageError(f"There is no subject '{subject_id}' at this site.")
    if event_oid is None:
        if form_oid or item_path or occurrence is not None:
            raise UsageError("Name the event (and its occurrence) the form or item belongs to.")
        return Target(subject_id, None, None, None, None, None, None)
    event = study.event(event_oid)
    if event is None:
        known = ", ".join(e.oid for e in study.events)
        raise UsageError(f"There is no event '{event_oid}' in {study.oid} ({known}).")
    occurrence = occurrence or 1
    if occurrence < 1:
        raise UsageError("Occurrences are counted from 1.")
    if form_oid is None:
        if item_path:
            raise UsageError("Name the form the item belongs to.")
        return Target(subject_id, event.oid, occurrence, None, None, None, None)
    if form_oid not in event.forms:
        raise UsageError(
            f"Event {event.oid} has no form '{form_oid}' (it has {', '.join(event.forms)})."
        )
    fid = form_instance_id(conn, subject_id, event.oid, occurrence, form_oid)
    if item_path is None:
        return Target(subject_id, event.oid, occurrence, form_oid, None, None, fid)
    path, row_uid = _item(
        conn,
        study,
        form_oid,
        item_path,
        fid,
        where_text(subject_id, event.oid, occurrence, form_oid, None),
    )
    return Target(subject_id, event.oid, occurrence, form_oid, path, row_uid, fid)


def _item(
    conn: Connection, study: Study, form_oid: str, text: str, fid: int | None, where: str
) -> tuple[str, str | None]:
    """The canonical item path and the group row it is in (None outside groups)."""
    form = study.forms[form_oid]
    try:
        path = ItemPath.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    item = form.item(path.item)
    if item is None:
        raise UsageError(f"Form {form_oid} has no item '{path.item}'.")
    group = form.group_of(item.oid)
    if item.is_group:
        raise UsageError(
            f"{item.oid} is a repeating group: name one cell, like {item.oid}[1].ITEM."
        )
    if group is not None and path.group is None:
        raise UsageError(
            f"{item.oid} is in the repeating group {group.oid}: write {group.oid}[n].{item.oid}."
        )
    if path.group is not None and (group is None or group.oid != path.group):
        raise UsageError(f"{item.oid} is not in a repeating group {path.group}.")
    if fid is None:
        raise UsageError(f"{where} has not been started: a query about an item needs its form.")
    if path.group is None or path.row is None:
        return str(path), None
    row_uid: str | None = conn.execute(
        select(group_row.c.uid).where(
            and_(
                group_row.c.form_instance_id == fid,
                group_row.c.group_oid == path.group,
                group_row.c.position == path.row,
                group_row.c.deleted.is_(False),
            )
        )
    ).scalar()
    if row_uid is None:
        raise UsageError(f"{where} has no row {path.row} in {path.group}.")
    return str(path), row_uid


def find_row(conn: Connection, uid: str) -> RowLike:
    """The query row with this uid, or with a unique uid starting with it (6 characters or
    more); UsageError otherwise."""
    row = conn.execute(select(query_table).where(query_table.c.uid == uid)).mappings().first()
    if row is not None:
        return row
    if _UID_PREFIX.fullmatch(uid):
        rows = (
            conn.execute(
                select(query_table).where(query_table.c.uid.like(f"{uid.lower()}%")).limit(2)
            )
            .mappings()
            .all()
        )
        if len(rows) == 1:
            return rows[0]
        if len(rows) > 1:
            raise UsageError(f"More than one query starts with '{uid}': give more of its uid.")
    raise UsageError(
        f"There is no query '{uid}' at this site.", "npc-crf query list shows the queries."
    )


def thread(conn: Connection, query_id: int) -> tuple[QueryMessage, ...]:
    """The messages of one query, first first."""
    rows = conn.execute(
        select(query_message)
        .where(query_message.c.query_id == query_id)
        .order_by(query_message.c.position)
    ).mappings()
    return tuple(QueryMessage.of(r) for r in rows)


def load(conn: Connection, row: RowLike) -> Query:
    """A query row with its thread."""
    return Query.of(row, thread(conn, row["id"]))


def with_threads(conn: Connection, rows: Iterable[RowLike]) -> list[Query]:
    """Queries with their threads (one statement for every thread)."""
    rows = list(rows)
    ids = [r["id"] for r in rows]
    by_query: dict[int, list[QueryMessage]] = {i: [] for i in ids}
    if ids:
        for m in conn.execute(
            select(query_message)
            .where(query_message.c.query_id.in_(ids))
            .order_by(query_message.c.query_id, query_message.c.position)
        ).mappings():
            by_query[m["query_id"]].append(QueryMessage.of(m))
    return [Query.of(r, tuple(by_query[r["id"]])) for r in rows]


def reread(conn: Connection, query_id: int) -> RowLike:
    """The query row again (after a change)."""
    return conn.execute(select(query_table).where(query_table.c.id == query_id)).mappings().one()


def insert_query(conn: Connection, values: dict[str, Any]) -> int:
    """Insert a query row (every column but ``id``); its new ID."""
    result = conn.execute(insert(query_table).values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def append_message(
    conn: Connection,
    query_id: int,
    message: dict[str, Any],
    *,
    assigned_role: str | None = None,
    reassign: bool = False,
) -> int:
    """Add ``message`` (uid, at_utc, username, full_name, role, text, status, origin) at the
    end of a thread and make its status the query's; the position it got."""
    position = (
        int(
            conn.execute(
                select(func.coalesce(func.max(query_message.c.position), 0)).where(
                    query_message.c.query_id == query_id
                )
            ).scalar_one()
        )
        + 1
    )
    conn.execute(insert(query_message).values(query_id=query_id, position=position, **message))
    changes: dict[str, Any] = {
        "status": message["status"],
        "updated_at": message["at_utc"],
        "updated_by": message["username"],
    }
    if reassign:
        changes["assigned_role"] = assigned_role
    conn.execute(update(query_table).where(query_table.c.id == query_id).values(**changes))
    return position


def audit(
    tx: Tx,
    action: str,
    row: RowLike,
    *,
    text: str,
    old_status: str | None,
    new_status: str,
    assigned: str | None = None,
    source: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """One audit entry for one step of a query: the subject/event/form/item it is about,
    ``{"status": old}`` → ``{"value": text, "query": uid, "status": new, …}``."""
    new: dict[str, Any] = {"value": text, "query": row["uid"], "status": new_status}
    if assigned is not None:
        new["assigned"] = assigned
    new |= extra or {}
    tx.audit.append(
        action,
        subject_id=row["subject_id"],
        event_oid=row["event_oid"],
        occurrence=row["occurrence"],
        form_oid=row["form_oid"],
        item_path=row["item_path"],
        row_uid=row["row_uid"],
        old_value=json.dumps({"status": old_status}) if old_status else None,
        new_value=json.dumps(new, ensure_ascii=False),
        source=source,
    )
