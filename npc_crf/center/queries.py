"""Queries at the center: merged from site bundles, raised here, sent back in return bundles.

The center keeps queries in its own tables (``query``, ``query_message``) in the
``npc-crf/query`` v1 record shape of docs/monitoring.md. Merging follows the
site's import rules: a query is matched by uid, a message already here is
skipped, new messages are appended in the record's order (numbered in arrival
order here), and when anything was added the query takes the record's status,
assignment and last change. Queries raised at the center have origin
``center``; they travel to every installation of the subject's site.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from npc_crf.center import schema as t
from npc_crf.center.engine import among
from npc_crf.center.validate import CHUNK
from npc_crf.services.monitoring.query_bundle import FORMAT, VERSION
from npc_crf.services.monitoring.query_bundle import MESSAGE_FIELDS as _MESSAGE_FIELDS
from npc_crf.services.monitoring.query_bundle import QUERY_FIELDS as _QUERY_FIELDS

CENTER = "center"
#: the role written on messages of the coordinating center's data managers
CENTER_ROLE = "DM"


@dataclass
class MergeCounts:
    """Queries and messages a merge added."""

    queries: int = 0
    messages: int = 0


def merge(conn: Connection, site_id: str, records: Iterable[Mapping[Any, Any]]) -> MergeCounts:
    """Apply checked query records of one site (idempotent)."""
    records = list(records)
    counts = MergeCounts()
    if not records:
        return counts
    uids = [r["uid"] for r in records]
    existing: dict[str, Mapping[Any, Any]] = {}
    present: dict[str, set[str]] = defaultdict(set)
    last: dict[str, int] = defaultdict(int)
    for i in range(0, len(uids), CHUNK):
        chunk = uids[i : i + CHUNK]
        for row in conn.execute(
            select(t.query).where(among(conn, t.query.c.uid, chunk))
        ).mappings():
            existing[row["uid"]] = row
        for m in conn.execute(
            select(
                t.query_message.c.query_uid, t.query_message.c.uid, t.query_message.c.position
            ).where(among(conn, t.query_message.c.query_uid, chunk))
        ):
            present[m.query_uid].add(m.uid)
            last[m.query_uid] = max(last[m.query_uid], m.position)
    new_queries: list[dict[str, Any]] = []
    new_messages: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for rec in records:
        uid = rec["uid"]
        added = [m for m in rec["messages"] if m["uid"] not in present[uid]]
        if uid not in existing:
            new_queries.append({**{k: rec[k] for k in _QUERY_FIELDS}, "site_id": site_id})
            counts.queries += 1
        elif added:
            changed.append(
                {
                    "b_uid": uid,
                    "status": rec["status"],
                    "assigned_role": rec["assigned_role"],
                    "updated_at": rec["updated_at"],
                    "updated_by": rec["updated_by"],
                }
            )
        for m in added:
            last[uid] += 1
            new_messages.append(
                {**{k: m[k] for k in _MESSAGE_FIELDS}, "query_uid": uid, "position": last[uid]}
            )
            present[uid].add(m["uid"])
        counts.messages += len(added)
    if new_queries:
        conn.execute(insert(t.query), new_queries)
    if changed:
        conn.execute(update(t.query).where(t.query.c.uid == bindparam("b_uid")), changed)
    if new_messages:
        conn.execute(insert(t.query_message), new_messages)
    return counts


def raise_center_query(
    conn: Connection,
    *,
    site_id: str,
    target: Mapping[Any, Any],
    text: str,
    by: str,
    at: str,
    assigned_role: str = "CRC",
    uid: str | None = None,
) -> str:
    """Insert a new manual query of the center (origin ``center``); its uid."""
    uid = uid or str(uuid.uuid4())
    conn.execute(
        insert(t.query).values(
            uid=uid,
            site_id=site_id,
            subject_id=target["subject_id"],
            event_oid=target.get("event_oid"),
            occurrence=target.get("occurrence"),
            form_oid=target.get("form_oid"),
            item_path=target.get("item_path"),
            row_uid=target.get("row_uid"),
            kind="manual",
            status="new",
            assigned_role=assigned_role,
            origin=CENTER,
            created_at=at,
            created_by=by,
            updated_at=at,
            updated_by=by,
        )
    )
    conn.execute(
        insert(t.query_message).values(
            uid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"npc-crf/center-query/{uid}/1")),
            query_uid=uid,
            position=1,
            at_utc=at,
            username=by,
            full_name=by,
            role=CENTER_ROLE,
            text=text,
            status="new",
            origin=CENTER,
        )
    )
    return uid


def records_for_site(conn: Connection, site_id: str) -> list[dict[str, Any]]:
    """Every query of a site as ``npc-crf/query`` v1 records, by uid, threads in order."""
    queries = (
        conn.execute(select(t.query).where(t.query.c.site_id == site_id).order_by(t.query.c.uid))
        .mappings()
        .all()
    )
    return records_of(conn, queries)


def records_of(conn: Connection, queries: Iterable[Mapping[Any, Any]]) -> list[dict[str, Any]]:
    """Records for query rows (their messages read in chunks)."""
    queries = list(queries)
    threads: dict[str, list[dict[str, Any]]] = defaultdict(list)
    uids = [q["uid"] for q in queries]
    for i in range(0, len(uids), CHUNK):
        rows = conn.execute(
            select(t.query_message)
            .where(among(conn, t.query_message.c.query_uid, uids[i : i + CHUNK]))
            .order_by(t.query_message.c.query_uid, t.query_message.c.position)
        ).mappings()
        for m in rows:
            threads[m["query_uid"]].append({k: m[k] for k in _MESSAGE_FIELDS})
    return [
        {"format": FORMAT, "version": VERSION, **{k: q[k] for k in _QUERY_FIELDS},
         "messages": threads[q["uid"]]}
        for q in queries
    ]  # fmt: skip


def count_open(conn: Connection, site_id: str | None = None) -> int:
    """Queries not closed or not applicable (of one site, or all)."""
    stmt = (
        select(func.count())
        .select_from(t.query)
        .where(t.query.c.status != "closed", t.query.c.status != "not_applicable")
    )
    if site_id is not None:
        stmt = stmt.where(t.query.c.site_id == site_id)
    return int(conn.execute(stmt).scalar_one())
