"""Conflicting changes: two installations of a site changed one item from the same base.

How it can happen: a ward PC was cloned or replaced while the old one stayed in
use, or a backup of one installation was restored onto a second PC that was
registered as another installation; both then hold the same subjects (same
uids) and both change them. The center keeps the value it has (``item_value``),
stores the incoming one beside it (``value_conflict``) and opens a query
(origin ``center``, kind ``manual``, assigned to CRC) whose text shows both
values, versions, installations, users and times. Nothing is overwritten. The
query goes back to every installation of the site in their return bundles.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select

from npc_crf.center import schema as t
from npc_crf.center.queries import raise_center_query


def shown(kind: str | None, value: str | None, missing: str | None) -> str:
    """A stored value for the query text: the text, ``[missing: ND]`` or ``(empty)``."""
    if missing is not None:
        return f"[missing: {missing}]"
    if value is None:
        return "(empty)"
    return f'"{value}"'


@dataclass(frozen=True)
class Where:
    """The value's place, for the query."""

    site_id: str
    subject_id: str
    event_oid: str
    occurrence: int
    form_oid: str
    item_path: str
    row_uid: str

    @property
    def label(self) -> str:
        return f"{self.subject_id}/{self.event_oid}[{self.occurrence}]/{self.form_oid}/{self.item_path}"


def conflict_uid(
    form_uid: str, row_uid: str, item_oid: str, installation_id: str, version: int
) -> str:
    """The same conflict always gets the same uid (an import is idempotent)."""
    key = f"npc-crf/conflict/{form_uid}/{row_uid}/{item_oid}/{installation_id}/{version}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def query_text(
    where: Where,
    current: Mapping[Any, Any],
    incoming: Mapping[Any, Any],
    base: int,
    labels: Mapping[str, str],
) -> str:
    """Both values, versions, installations, users and times, and what to do."""

    def side(v: Mapping[Any, Any]) -> str:
        inst = labels.get(v["installation_id"], v["installation_id"])
        return (
            f"{shown(v['kind'], v['value'], v['missing_code'])} (version {v['version']}, "
            f"{inst}, by {v['updated_by']} at {v['updated_at']})"
        )

    return (
        f"Conflicting changes to {where.label} from two installations of site {where.site_id}. "
        f"Kept at the center: {side(current)}. Also received: {side(incoming)}, changed from "
        f"version {base}. Nothing was overwritten. Please check the source document and enter "
        "the correct value on the installation whose value is wrong (or confirm the kept one)."
    )


def record(
    conn: Connection,
    *,
    where: Where,
    current: Mapping[Any, Any],
    incoming: Mapping[Any, Any],
    bundle_uuid: str,
    by: str,
    at: str,
    labels: Mapping[str, str],
) -> tuple[str, str]:
    """Store the conflict and open its query; (conflict uid, query uid)."""
    base = int(incoming.get("base_version") or 0)
    uid = conflict_uid(
        incoming["form_uid"], incoming["row_uid"], incoming["item_oid"],
        incoming["installation_id"], incoming["version"],
    )  # fmt: skip
    query_uid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"npc-crf/conflict-query/{uid}"))
    raise_center_query(
        conn,
        site_id=where.site_id,
        target={
            "subject_id": where.subject_id,
            "event_oid": where.event_oid,
            "occurrence": where.occurrence,
            "form_oid": where.form_oid,
            "item_path": where.item_path,
            "row_uid": where.row_uid or None,
        },
        text=query_text(where, current, incoming, base, labels),
        by=by,
        at=at,
        uid=query_uid,
    )
    conn.execute(
        insert(t.conflict).values(
            uid=uid,
            site_id=where.site_id,
            form_uid=incoming["form_uid"],
            row_uid=incoming["row_uid"],
            item_oid=incoming["item_oid"],
            base_version=base,
            current_installation_id=current["installation_id"],
            current_version=current["version"],
            current_kind=current["kind"],
            current_value=current["value"],
            current_missing_code=current["missing_code"],
            current_updated_at=current["updated_at"],
            current_updated_by=current["updated_by"],
            incoming_installation_id=incoming["installation_id"],
            incoming_version=incoming["version"],
            incoming_kind=incoming["kind"],
            incoming_value=incoming["value"],
            incoming_missing_code=incoming["missing_code"],
            incoming_override_reason=incoming["override_reason"],
            incoming_updated_at=incoming["updated_at"],
            incoming_updated_by=incoming["updated_by"],
            bundle_uuid=bundle_uuid,
            query_uid=query_uid,
            detected_at=at,
        )
    )
    return uid, query_uid


def installation_labels(conn: Connection) -> dict[str, str]:
    """``installation N (uuid)`` for every registered installation."""
    return {
        r.installation_id: f"installation {r.number} ({r.installation_id})"
        for r in conn.execute(select(t.installation.c.installation_id, t.installation.c.number))
    }


def list_conflicts(conn: Connection, site_id: str | None = None) -> list[dict[str, Any]]:
    """Every conflict with its query's status, oldest first."""
    stmt = (
        select(t.conflict, t.query.c.status.label("query_status"), t.query.c.subject_id,
               t.query.c.event_oid, t.query.c.occurrence, t.query.c.form_oid, t.query.c.item_path)
        .join(t.query, t.query.c.uid == t.conflict.c.query_uid)
        .order_by(t.conflict.c.detected_at, t.conflict.c.uid)
    )  # fmt: skip
    if site_id is not None:
        stmt = stmt.where(t.conflict.c.site_id == site_id)
    return [dict(r) for r in conn.execute(stmt).mappings()]
