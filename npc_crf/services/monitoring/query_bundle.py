"""Queries in bundles: export records for the coordinating center, import its records.

A record is a plain JSON object: one query and its whole thread, identified by
uids (format ``npc-crf/query`` version 1, ``docs/monitoring.md`` "Queries in
bundles"). The transport (bundles, signatures, return bundles) calls
:func:`export_queries` and :func:`import_queries`; it is built elsewhere.

Importing is idempotent and all-or-nothing: a query already here is matched by
uid, a message already here is skipped, and one malformed record refuses the
whole import with an error naming the record and the field.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from npc_crf.auth.roles import Permission, Role
from npc_crf.core.errors import UsageError, ValidationFailed
from npc_crf.forms.model import Study
from npc_crf.forms.session import ItemPath
from npc_crf.services.monitoring import query_store as store
from npc_crf.services.monitoring.query_model import (
    AUDIT_FOR_STATUS,
    DONE_STATUSES,
    Query,
    QueryKind,
    QueryStatus,
)
from npc_crf.store.models import query as query_table
from npc_crf.store.models import query_message, subject

if TYPE_CHECKING:
    from npc_crf.services.workspace import Tx, Workspace

FORMAT = "npc-crf/query"
VERSION = 1
#: the origin of what the coordinating center did
CENTER = "center"

#: the fields of a query record and of each message in its thread (the center uses them too)
QUERY_FIELDS = (
    "uid",
    "subject_id",
    "event_oid",
    "occurrence",
    "form_oid",
    "item_path",
    "row_uid",
    "kind",
    "status",
    "assigned_role",
    "origin",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
)
MESSAGE_FIELDS = ("uid", "at_utc", "username", "full_name", "role", "text", "status", "origin")
_TARGET = ("subject_id", "event_oid", "occurrence", "form_oid", "item_path")


@dataclass(frozen=True)
class QueryExport:
    """Records for a bundle, and the marker to pass as ``since`` next time."""

    records: list[dict[str, Any]]
    marker: int  # the newest local message ID included (0: there are none)


@dataclass
class ImportCounts:
    """What an import changed (all zero when everything was already here)."""

    queries: int = 0
    messages: int = 0
    statuses: int = 0  # statuses of the center applied as messages of their own

    def to_json(self) -> dict[str, int]:
        return {"queries": self.queries, "messages": self.messages, "statuses": self.statuses}


# -- export ----------------------------------------------------------------------------------


def record_of(query: Query) -> dict[str, Any]:
    """One query and its thread as a bundle record."""
    rec: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    for name in QUERY_FIELDS:
        value = getattr(query, name)
        rec[name] = value.value if hasattr(value, "value") else value
    rec["messages"] = [{name: m.to_json()[name] for name in MESSAGE_FIELDS} for m in query.messages]
    return rec


def export_queries(ws: Workspace, since: int | Collection[str] | None = None) -> QueryExport:
    """Every query with a message the center has not had, with its whole thread.

    ``since`` is None (everything), the ``marker`` of the previous export (queries
    with a message added after it), or the uids of the messages already sent.
    """
    ws.require(Permission.EXPORT, "exchange bundles with the coordinating center")
    if isinstance(since, bool | str):
        raise UsageError("Export since a marker (a number) or a set of message uids.")
    with ws.read() as conn:
        marker = int(
            conn.execute(select(func.coalesce(func.max(query_message.c.id), 0))).scalar_one()
        )
        wanted = _changed(conn, since)
        rows = conn.execute(select(query_table).order_by(query_table.c.id)).mappings().all()
        if wanted is not None:
            rows = [r for r in rows if r["id"] in wanted]
        queries = store.with_threads(conn, rows)
    return QueryExport([record_of(q) for q in queries], marker)


def _changed(conn: Connection, since: int | Collection[str] | None) -> set[int] | None:
    """IDs of the queries with a message after ``since`` (None: all)."""
    if since is None:
        return None
    if isinstance(since, int):
        return set(
            conn.execute(
                select(query_message.c.query_id).where(query_message.c.id > since).distinct()
            ).scalars()
        )
    sent = set(since)
    return {
        qid
        for qid, uid in conn.execute(select(query_message.c.query_id, query_message.c.uid))
        if uid not in sent
    }


# -- checking records ----------------------------------------------------------------------


class RecordProblems:
    """Errors found in records, each naming the record and the field."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, n: int, rec: Mapping[str, Any] | None, name: str | None, problem: str) -> None:
        uid = rec.get("uid") if isinstance(rec, Mapping) else None
        which = f"record {n}" + (f" (query {uid})" if isinstance(uid, str) and uid else "")
        self.items.append(f"{which}: " + (f"field '{name}': " if name else "") + problem)


def _uid(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return None
    return value if str(parsed) == value else None


def _time(value: object) -> str | None:
    """An ISO 8601 time with an offset, as UTC with microseconds (how this store keeps it)."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def check_record(
    n: int, rec: object, study: Study, problems: RecordProblems
) -> dict[str, Any] | None:
    """The record with its times normalised, or None (problems recorded)."""
    if not isinstance(rec, Mapping):
        problems.add(n, None, None, "a record must be an object")
        return None
    before = len(problems.items)

    def bad(name: str, problem: str) -> None:
        problems.add(n, rec, name, problem)

    if rec.get("format") != FORMAT:
        bad("format", f"must be '{FORMAT}'")
    version = rec.get("version")
    if version != VERSION:
        newer = isinstance(version, int) and version > VERSION
        bad(
            "version",
            f"{version!r} is {'newer than this program reads' if newer else 'not'} {VERSION}",
        )
    out: dict[str, Any] = {}
    if _uid(rec.get("uid")) is None:
        bad("uid", "must be a UUID (lower-case, with dashes)")
    out["uid"] = rec.get("uid")
    for name in ("subject_id", "origin", "created_by", "updated_by"):
        if _text(rec.get(name)) is None:
            bad(name, "must be a non-empty text")
        out[name] = rec.get(name)
    for name in ("event_oid", "form_oid", "item_path", "row_uid"):
        value = rec.get(name)
        if value is not None and _text(value) is None:
            bad(name, "must be a non-empty text or null")
        out[name] = value
    occurrence = rec.get("occurrence")
    if occurrence is not None and (
        isinstance(occurrence, bool) or not isinstance(occurrence, int) or occurrence < 1
    ):
        bad("occurrence", "must be a whole number from 1, or null")
    out["occurrence"] = occurrence
    for name, enum in (("kind", QueryKind), ("status", QueryStatus)):
        value = rec.get(name)
        if value not in {e.value for e in enum}:
            bad(name, f"{value!r} is not one of {', '.join(e.value for e in enum)}")
        out[name] = value
    assigned = rec.get("assigned_role")
    roles = [Role.CRC.value, Role.INVESTIGATOR.value, Role.MONITOR.value]
    if assigned is not None and assigned not in roles:
        bad("assigned_role", f"{assigned!r} is not one of {', '.join(roles)} or null")
    out["assigned_role"] = assigned
    for name in ("created_at", "updated_at"):
        out[name] = _time(rec.get(name))
        if out[name] is None:
            bad(name, "must be an ISO 8601 time with its UTC offset")
    out["messages"] = _check_messages(rec, bad)
    if len(problems.items) == before:
        _check_target(out, study, bad)
    return out if len(problems.items) == before else None


def _check_messages(rec: Mapping[str, Any], bad: Any) -> list[dict[str, Any]]:
    messages = rec.get("messages")
    if not isinstance(messages, list) or not messages:
        bad("messages", "must be a list of at least one message")
        return []
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for k, message in enumerate(messages, start=1):
        at = f"messages[{k}]"
        if not isinstance(message, Mapping):
            bad(at, "must be an object")
            continue
        uid = _uid(message.get("uid"))
        if uid is None:
            bad(f"{at}.uid", "must be a UUID (lower-case, with dashes)")
        elif uid in seen:
            bad(f"{at}.uid", "appears twice in the thread")
        seen.add(uid or "")
        for name in ("username", "full_name", "role", "text", "origin"):
            if _text(message.get(name)) is None:
                bad(f"{at}.{name}", "must be a non-empty text")
        if message.get("status") not in {s.value for s in QueryStatus}:
            bad(f"{at}.status", f"{message.get('status')!r} is not a query status")
        at_utc = _time(message.get("at_utc"))
        if at_utc is None:
            bad(f"{at}.at_utc", "must be an ISO 8601 time with its UTC offset")
        out.append({name: message.get(name) for name in MESSAGE_FIELDS} | {"at_utc": at_utc})
    return out


def _check_target(rec: dict[str, Any], study: Study, bad: Any) -> None:
    """The event, form and item exist in this study (the subject is checked in the store)."""
    event_oid, form_oid, item_path = rec["event_oid"], rec["form_oid"], rec["item_path"]
    if event_oid is None:
        if form_oid or item_path:
            bad("event_oid", "is needed when a form or an item is named")
        return
    event = study.event(event_oid)
    if event is None:
        bad("event_oid", f"there is no event '{event_oid}' in {study.oid}")
        return
    if form_oid is None:
        if item_path:
            bad("form_oid", "is needed when an item is named")
        return
    if form_oid not in event.forms:
        bad("form_oid", f"event {event_oid} has no form '{form_oid}'")
        return
    if item_path is not None:
        try:
            path = ItemPath.parse(item_path)
        except ValueError:
            bad("item_path", f"'{item_path}' is not an item path like ITEM or GROUP[2].ITEM")
            return
        if study.forms[form_oid].item(path.item) is None:
            bad("item_path", f"form {form_oid} has no item '{path.item}'")


# -- import ----------------------------------------------------------------------------------


def import_queries(
    ws: Workspace, records: Iterable[Mapping[str, Any]], *, source: str = "bundle"
) -> ImportCounts:
    """Apply records from a bundle in one transaction; what changed.

    A new query is added with its thread; for a query already here, each message not
    yet here is appended (its status becomes the query's) and the record's
    ``assigned_role`` is taken. When the record's status is not the status of its
    own last message (the center changed it without writing in the thread), the
    status is applied as a message of its own with origin ``center``. Every query
    added and every message appended is audited (``source``).
    """
    ws.require(Permission.EXPORT, "exchange bundles with the coordinating center")
    checked = check_records(ws.study, records)
    with ws.tx() as tx:
        return apply_checked(tx, checked, source)


def check_records(
    study: Study, records: Iterable[Mapping[str, Any]]
) -> list[tuple[int, dict[str, Any]]]:
    """Each record checked on its own, as (its number from 1, the checked record).

    Raises ValidationFailed listing every problem by record and field.
    """
    problems = RecordProblems()
    checked: list[tuple[int, dict[str, Any]]] = []
    for n, rec in enumerate(records, start=1):
        found = check_record(n, rec, study, problems)
        if found is not None:
            checked.append((n, found))
    _refuse(problems)
    return checked


def apply_checked(
    tx: Tx, checked: Iterable[tuple[int, dict[str, Any]]], source: str
) -> ImportCounts:
    """Apply records from :func:`check_records` inside ``tx`` (the caller commits).

    Raises ValidationFailed, before changing anything, when a record disagrees with
    the store (an unknown subject, a query about something else, a message uid reused).
    """
    checked = list(checked)
    problems = RecordProblems()
    for n, rec in checked:
        _check_against_store(tx.conn, n, rec, problems)
    _refuse(problems)
    counts = ImportCounts()
    for _n, rec in checked:
        _apply(tx, rec, counts, source)
    return counts


def _refuse(problems: RecordProblems) -> None:
    if problems.items:
        raise ValidationFailed(
            f"{len(problems.items)} problem(s) in the query records; nothing was imported.",
            problems.items,
        )


def _check_against_store(
    conn: Connection, n: int, rec: dict[str, Any], problems: RecordProblems
) -> None:
    """The subject is here; a query already here is about the same thing; no message uid
    belongs to another query."""
    if (
        conn.execute(
            select(subject.c.subject_id).where(subject.c.subject_id == rec["subject_id"])
        ).first()
        is None
    ):
        problems.add(
            n, rec, "subject_id", f"there is no subject '{rec['subject_id']}' at this site"
        )
        return
    here = (
        conn.execute(select(query_table).where(query_table.c.uid == rec["uid"])).mappings().first()
    )
    if here is not None:
        for name in (*_TARGET, "kind"):
            if here[name] != rec[name]:
                problems.add(
                    n, rec, name, f"{rec[name]!r} differs from the query here ({here[name]!r})"
                )
    uids = [m["uid"] for m in rec["messages"]]
    for uid, qid in conn.execute(
        select(query_message.c.uid, query_message.c.query_id).where(query_message.c.uid.in_(uids))
    ):
        if here is None or qid != here["id"]:
            at = f"messages[{uids.index(uid) + 1}].uid"
            problems.add(n, rec, at, "belongs to another query here")


def _apply(tx: Tx, rec: dict[str, Any], counts: ImportCounts, source: str) -> None:
    conn = tx.conn
    row = (
        conn.execute(select(query_table).where(query_table.c.uid == rec["uid"])).mappings().first()
    )
    new = row is None
    if row is None:
        values = {name: rec[name] for name in QUERY_FIELDS}
        qid = store.insert_query(conn, values)
        counts.queries += 1
    else:
        qid = row["id"]
    present = set(
        conn.execute(select(query_message.c.uid).where(query_message.c.query_id == qid)).scalars()
    )
    messages = [m for m in rec["messages"] if m["uid"] not in present]
    last = QueryStatus(rec["messages"][-1]["status"])
    if QueryStatus(rec["status"]) is not last:
        synthetic = _status_message(rec)
        if synthetic["uid"] not in present:
            messages.append(synthetic)
            counts.statuses += 1
    if not messages:
        return
    status = None if new or row is None else QueryStatus(row["status"])
    for m in messages:
        store.append_message(conn, qid, m, assigned_role=rec["assigned_role"], reassign=True)
        current = store.reread(conn, qid)
        end = QueryStatus(m["status"])
        action = (
            "query_raised"
            if status is None
            else "query_reopened"
            if status in DONE_STATUSES and end not in DONE_STATUSES
            else AUDIT_FOR_STATUS[end]
        )
        store.audit(
            tx,
            action,
            current,
            text=m["text"],
            old_status=status.value if status else None,
            new_status=end.value,
            assigned=rec["assigned_role"],
            source=source,
            extra={"by": m["username"], "origin": m["origin"], "message": m["uid"]},
        )
        status = end
        counts.messages += 1


def _status_message(rec: dict[str, Any]) -> dict[str, Any]:
    """The record's status as a message of the center's (the same uid every time)."""
    key = f"npc-crf/query/{rec['uid']}/status/{rec['status']}/{rec['updated_at']}"
    status = QueryStatus(rec["status"])
    return {
        "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, key)),
        "at_utc": rec["updated_at"],
        "username": rec["updated_by"],
        "full_name": rec["updated_by"],
        "role": CENTER,
        "text": f"Status set to {status.value.replace('_', ' ')} at the coordinating center.",
        "status": status.value,
        "origin": CENTER,
    }
