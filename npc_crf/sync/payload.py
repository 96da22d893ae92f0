"""The site-data payload of a bundle, read from a site store (docs/bundle-format.md §3).

:func:`collect` reads one consistent snapshot (one read transaction) and says
what it covered, so that the caller can record the bundle and mark the values
sent afterwards (:func:`mark_sent`) without holding a write lock while the
bundle is compressed, encrypted and written. :func:`collect_payload` is the
short form the ODM and CSV exports use: everything, as a dict.

The payload is also the exchange dataset of the exports: the coordinating
center produces the same shape from its store.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, bindparam, or_, select, text, tuple_, update

from npc_crf.audit.chain import FIELDS as AUDIT_FIELDS
from npc_crf.core.errors import BundleRefused
from npc_crf.services.monitoring.query_bundle import export_queries
from npc_crf.store.models import (
    account,
    audit_entry,
    event_instance,
    form_instance,
    group_row,
    hold,
    installation,
    item_value,
    sdv_mark,
    signature,
    subject,
)

if TYPE_CHECKING:
    from npc_crf.services.workspace import Workspace

FORMAT = "npc-crf/bundle-payload"
VERSION = 1

SECTIONS = (
    "installations",
    "accounts",
    "subjects",
    "events",
    "forms",
    "rows",
    "values",
    "signatures",
    "sdv",
    "holds",
    "queries",
    "audit",
)

_CHUNK = 500  # bound parameters per IN (...) list
#: sections with hundreds of thousands of entries travel as tables {columns, rows}
TABLE_SECTIONS = ("values", "audit")
VALUE_COLUMNS = (
    "form_uid",
    "row_uid",
    "item_oid",
    "kind",
    "value",
    "missing_code",
    "override_reason",
    "version",
    "base_version",
    "updated_at",
    "updated_by",
)
#: no prev_hash / hash: the center recomputes the chain from its stored head and must
#: arrive at the signed manifest's audit_head (docs/bundle-format.md §3)
AUDIT_COLUMNS = tuple(name for name in AUDIT_FIELDS if name != "prev_hash")


@dataclass
class Collected:
    """A payload and what it covers."""

    payload: dict[str, Any]
    audit_from: int
    audit_to: int
    audit_head_hash: str
    query_from: int
    query_to: int
    sent_versions: list[tuple[int, int]] = field(default_factory=list)  # (item_value.id, version)

    def counts(self) -> dict[str, int]:
        """The manifest's ``counts`` (docs/bundle-format.md §2)."""
        p = self.payload
        return {
            "subjects": len(p["subjects"]),
            "forms": len(p["forms"]),
            "values": len(p["values"]["rows"]),
            "audit": len(p["audit"]["rows"]),
            "queries": len(p["queries"]),
            "signatures": len(p["signatures"]),
            "sdv_forms": len(p["sdv"]),
            "holds": len(p["holds"]),
            "acks": 0,
            "definitions": 0,
        }


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode()


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _fetch_lists(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[list[Any]]:
    """Rows of a large read as lists, straight from the driver's ``fetchall``: SQLAlchemy's
    row-by-row processing costs more than the decryption for 600,000 rows."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        return [list(r) for r in cursor.fetchall()]
    finally:
        cursor.close()


def _rows_in(conn: Connection, table: Table, column: Any, keys: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    for chunk in _chunks(sorted(keys)):
        out.extend(conn.execute(select(table).where(column.in_(chunk))).mappings())
    return out


def collect_payload(ws: Workspace) -> dict[str, Any]:
    """Everything the site holds, as a payload dict with every section a list of records
    (for the ODM and CSV exports; :func:`expand_tables`)."""
    return expand_tables(collect(ws, full=True).payload)


def expand_tables(payload: Mapping[str, Any], where: str = "payload") -> dict[str, Any]:
    """A copy of ``payload`` whose table sections (``values``, ``audit``) are lists of records.

    A section that is already a list is kept. A malformed table is refused
    (``BundleRefused``, check ``payload``) with its path.
    """
    out = dict(payload)
    for name in TABLE_SECTIONS:
        table = payload.get(name)
        if isinstance(table, list) or table is None:
            continue
        if not isinstance(table, dict) or set(table) != {"columns", "rows"}:
            raise BundleRefused("payload", f"{where}.{name}: must be a table {{columns, rows}}")
        columns, rows = table["columns"], table["rows"]
        if (
            not isinstance(columns, list)
            or not all(isinstance(c, str) for c in columns)
            or len(set(columns)) != len(columns)
        ):
            raise BundleRefused("payload", f"{where}.{name}.columns: must be distinct names")
        if not isinstance(rows, list):
            raise BundleRefused("payload", f"{where}.{name}.rows: must be a list")
        width = len(columns)
        for i, row in enumerate(rows):
            if not isinstance(row, list) or len(row) != width:
                raise BundleRefused(
                    "payload", f"{where}.{name}.rows[{i}]: must be a list of {width} values"
                )
        out[name] = [dict(zip(columns, row, strict=True)) for row in rows]
    return out


def collect(ws: Workspace, *, full: bool, audit_from: int = 0, query_from: int = 0) -> Collected:
    """Read the payload of a bundle: everything (``full``) or what changed since the marks.

    ``audit_from`` is the audit seq the previous bundle ended at, ``query_from``
    its query marker (both ignored when ``full``). Needs the ``export`` permission.
    """
    if full:
        audit_from, query_from = 0, 0
    queries = export_queries(ws, since=None if full else query_from)
    with ws.read() as conn:
        head = conn.execute(
            select(audit_entry.c.seq, audit_entry.c.hash)
            .order_by(audit_entry.c.seq.desc())
            .limit(1)
        ).first()
        audit_to, head_hash = (int(head.seq), str(head.hash)) if head else (0, "0" * 64)
        audit_rows = _fetch_lists(
            conn,
            f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_entry "  # noqa: S608 - fixed names
            "WHERE seq > ? AND seq <= ? ORDER BY seq",
            (audit_from, audit_to),
        )
        forms_ids, subject_ids = _touched(conn, full, audit_rows)
        payload, sent = _read(conn, full, forms_ids, subject_ids)
    payload["queries"] = queries.records
    payload["audit"] = {"columns": list(AUDIT_COLUMNS), "rows": audit_rows}
    return Collected(
        payload=payload,
        audit_from=audit_from,
        audit_to=audit_to,
        audit_head_hash=head_hash,
        query_from=query_from,
        query_to=max(queries.marker, query_from),
        sent_versions=sent,
    )


def mark_sent(conn: Connection, sent_versions: Sequence[tuple[int, int]]) -> None:
    """Record that these value versions are in a bundle (inside the bundle's transaction).

    A value saved again after it was collected keeps ``version > synced_version``
    and goes in the next bundle.
    """
    if sent_versions:
        conn.execute(
            update(item_value)
            .where(item_value.c.id == bindparam("b_id"))
            .values(synced_version=bindparam("b_version")),
            [{"b_id": vid, "b_version": version} for vid, version in sent_versions],
        )


# -- what changed --------------------------------------------------------------------------


def _touched(
    conn: Connection, full: bool, audit_rows: Sequence[Sequence[Any]]
) -> tuple[set[int] | None, set[str] | None]:
    """Form instance IDs and subject IDs to send (None: all of them)."""
    if full:
        return None, None
    at = {name: i for i, name in enumerate(AUDIT_COLUMNS)}
    sid, eid, occ, fid = at["subject_id"], at["event_oid"], at["occurrence"], at["form_oid"]
    subjects = {r[sid] for r in audit_rows if r[sid]}
    form_keys = {
        (r[sid], r[eid], r[occ], r[fid]) for r in audit_rows if r[sid] and r[eid] and r[fid]
    }
    forms: set[int] = set(
        conn.execute(
            text(
                "SELECT DISTINCT form_instance_id FROM item_value INDEXED BY ix_item_value_unsent "
                "WHERE version > synced_version"
            )
        ).scalars()
    )
    keyed = select(
        form_instance.c.id,
        event_instance.c.subject_id,
        event_instance.c.event_oid,
        event_instance.c.occurrence,
        form_instance.c.form_oid,
    ).join(event_instance, form_instance.c.event_instance_id == event_instance.c.id)
    for chunk in _chunks(sorted(form_keys)):
        forms.update(
            conn.execute(
                keyed.where(
                    tuple_(
                        event_instance.c.subject_id,
                        event_instance.c.event_oid,
                        event_instance.c.occurrence,
                        form_instance.c.form_oid,
                    ).in_(chunk)
                )
            ).scalars()
        )
    for chunk in _chunks(sorted(forms)):
        subjects.update(
            conn.execute(
                select(event_instance.c.subject_id)
                .join(form_instance, form_instance.c.event_instance_id == event_instance.c.id)
                .where(form_instance.c.id.in_(chunk))
            ).scalars()
        )
    return forms, subjects


# -- reading the rows ----------------------------------------------------------------------


def _read(
    conn: Connection, full: bool, form_ids: set[int] | None, subject_ids: set[str] | None
) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    if form_ids is None or subject_ids is None:
        forms = list(conn.execute(select(form_instance)).mappings())
        subjects = list(conn.execute(select(subject)).mappings())
    else:
        forms = _rows_in(conn, form_instance, form_instance.c.id, list(form_ids))
        subjects = _rows_in(conn, subject, subject.c.subject_id, list(subject_ids))
    event_ids = {f["event_instance_id"] for f in forms}
    if form_ids is None:
        events = list(conn.execute(select(event_instance)).mappings())
    else:
        # events named by the audit without a form (none today) come with their forms
        events = _rows_in(conn, event_instance, event_instance.c.id, list(event_ids))
    event_uid = {e["id"]: e["uid"] for e in events}
    form_uid = {f["id"]: f["uid"] for f in forms}
    payload: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    payload["installations"] = [
        {
            "installation_id": r.installation_id,
            "number": r.number,
            "ed25519": _b64(r.public_key),
            "x25519": _b64(r.x25519_public),
        }
        for r in conn.execute(select(installation).order_by(installation.c.installation_id))
    ]
    payload["accounts"] = [
        {"username": r.username, "full_name": r.full_name, "role": r.role, "active": r.active}
        for r in conn.execute(select(account).order_by(account.c.username))
    ]
    payload["subjects"] = sorted(
        (
            {
                k: s[k]
                for k in (
                    "subject_id",
                    "status",
                    "status_reason",
                    "status_date",
                    "installation_id",
                    "created_at",
                    "created_by",
                )
            }
            for s in subjects
        ),
        key=lambda s: s["subject_id"],
    )
    payload["events"] = sorted(
        (
            {
                "uid": e["uid"],
                "subject_id": e["subject_id"],
                "event_oid": e["event_oid"],
                "occurrence": e["occurrence"],
                "created_at": e["created_at"],
                "created_by": e["created_by"],
            }
            for e in events
        ),
        key=lambda e: e["uid"],
    )
    payload["forms"] = sorted(
        (
            {
                "uid": f["uid"],
                "event_uid": event_uid[f["event_instance_id"]],
                **{
                    k: f[k]
                    for k in (
                        "form_oid",
                        "form_version",
                        "definition_hash",
                        "status",
                        "revision",
                        "created_at",
                        "updated_at",
                        "updated_by",
                    )
                },
            }
            for f in forms
        ),
        key=lambda f: f["uid"],
    )
    payload["rows"] = _group_rows(conn, form_ids, form_uid)
    payload["values"], sent = _values(conn, full, form_uid)
    payload["signatures"] = _signatures(conn, form_ids, form_uid)
    payload["sdv"] = _sdv(conn, form_ids, form_uid)
    payload["holds"] = _holds(conn, subject_ids, form_ids)
    return payload, sent


def _by_form(conn: Connection, table: Table, form_ids: set[int] | None) -> list[Any]:
    if form_ids is None:
        return list(conn.execute(select(table)).mappings())
    return _rows_in(conn, table, table.c.form_instance_id, list(form_ids))


def _group_rows(
    conn: Connection, form_ids: set[int] | None, form_uid: Mapping[int, str]
) -> list[dict[str, Any]]:
    return sorted(
        (
            {
                "uid": r["uid"],
                "form_uid": form_uid[r["form_instance_id"]],
                "group_oid": r["group_oid"],
                "position": r["position"],
                "deleted": bool(r["deleted"]),
                "created_at": r["created_at"],
            }
            for r in _by_form(conn, group_row, form_ids)
        ),
        key=lambda r: r["uid"],
    )


def _values(
    conn: Connection, full: bool, form_uid: Mapping[int, str]
) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    """The values table and the (id, version) pairs it holds."""
    columns = (
        "id, form_instance_id, row_uid, item_oid, kind, value, missing_code, "
        "override_reason, version, synced_version, updated_at, updated_by"
    )
    where = "" if full else " INDEXED BY ix_item_value_unsent WHERE version > synced_version"
    rows: list[list[Any]] = []
    sent: list[tuple[int, int]] = []
    for vid, fid, *rest in _fetch_lists(conn, f"SELECT {columns} FROM item_value{where}", ()):  # noqa: S608 - fixed text
        rows.append([form_uid[fid], *rest])
        sent.append((vid, rest[6]))
    rows.sort(key=lambda v: (v[0], v[1], v[2]))
    return {"columns": list(VALUE_COLUMNS), "rows": rows}, sent


def _signatures(
    conn: Connection, form_ids: set[int] | None, form_uid: Mapping[int, str]
) -> list[dict[str, Any]]:
    names = (
        "username",
        "full_name",
        "meaning",
        "signed_at",
        "form_revision",
        "content_hash",
        "voided_at",
        "void_reason",
        "scope",
        "batch_uid",
        "installation_id",
    )
    return sorted(
        (
            {
                "uid": s["uid"],
                "form_uid": form_uid[s["form_instance_id"]],
                **{k: s[k] for k in names},
                "ed25519": _b64(s["ed25519"]),
            }
            for s in _by_form(conn, signature, form_ids)
        ),
        key=lambda s: s["uid"],
    )


def _sdv(
    conn: Connection, form_ids: set[int] | None, form_uid: Mapping[int, str]
) -> list[dict[str, Any]]:
    marks: dict[str, list[dict[str, Any]]] = {}
    if form_ids is not None:
        marks = {form_uid[fid]: [] for fid in form_ids}
    for m in _by_form(conn, sdv_mark, form_ids):
        marks.setdefault(form_uid[m["form_instance_id"]], []).append(
            {
                "row_uid": m["row_uid"],
                "item_oid": m["item_oid"],
                "value_version": m["value_version"],
                "verified_at": m["verified_at"],
                "verified_by": m["verified_by"],
            }
        )
    return [
        {"form_uid": uid, "marks": sorted(marks[uid], key=lambda m: (m["row_uid"], m["item_oid"]))}
        for uid in sorted(marks)
        if marks[uid] or form_ids is not None
    ]


def _holds(
    conn: Connection, subject_ids: set[str] | None, form_ids: set[int] | None
) -> list[dict[str, Any]]:
    query = select(hold, form_instance.c.uid.label("form_uid")).outerjoin(
        form_instance, hold.c.form_instance_id == form_instance.c.id
    )
    if subject_ids is not None and form_ids is not None:
        query = query.where(
            or_(
                hold.c.scope == "site",
                hold.c.subject_id.in_(sorted(subject_ids)),
                hold.c.form_instance_id.in_(sorted(form_ids)),
            )
        )
    names = (
        "uid",
        "scope",
        "subject_id",
        "form_uid",
        "level",
        "set_at",
        "set_by",
        "reason",
        "released_at",
        "released_by",
        "release_reason",
    )
    return sorted(
        ({k: h[k] for k in names} for h in conn.execute(query).mappings()),
        key=lambda h: h["uid"],
    )
