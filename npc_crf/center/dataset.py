"""The center's data in the shape of a site-data payload (docs/bundle-format.md §3).

The ODM and CSV exporters take this shape from a site (``collect_payload``) and
from the center alike. Differences at the center (docs/center.md): the lists
hold every site (or the one asked for); ``installations`` and ``accounts``
records carry an extra ``site_id``; ``installations`` are the registered ones
(with their keys); a value's ``base_version`` is its version; ``audit`` holds
every installation's trail, ordered by installation ID and ``seq``.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Table, select

from npc_crf.center import schema as t
from npc_crf.center.engine import among
from npc_crf.center.queries import records_of
from npc_crf.center.validate import PAYLOAD_FORMAT, PAYLOAD_VERSION, SPEC


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(bytes(data)).decode("ascii")


def _rows(
    conn: Connection, table: Table, site_id: str | None, order: Iterable[str]
) -> list[dict[str, Any]]:
    stmt = select(table)
    if site_id is not None:
        stmt = stmt.where(table.c.site_id == site_id)
    stmt = stmt.order_by(*(table.c[name] for name in order))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def _shaped(rows: Iterable[dict[str, Any]], section: str, *extra: str) -> list[dict[str, Any]]:
    names = (*SPEC[section], *extra)
    return [{n: r.get(n) for n in names} for r in rows]


def dataset(conn: Connection, site_id: str | None = None) -> dict[str, Any]:
    """Everything the center holds (of one site, or of all) as one payload-shaped dict."""
    installations = [
        {
            "site_id": r["site_id"],
            "installation_id": r["installation_id"],
            "number": r["number"],
            "ed25519": _b64(r["ed25519"]),
            "x25519": _b64(r["x25519"]),
        }
        for r in _rows(conn, t.installation, site_id, ("site_id", "number"))
    ]
    values = _rows(conn, t.item_value, site_id, ("form_uid", "row_uid", "item_oid"))
    for v in values:
        v["base_version"] = v["version"]
    signatures = _rows(conn, t.signature, site_id, ("uid",))
    for s in signatures:
        s["ed25519"] = _b64(s["ed25519"])
    marks: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in _rows(conn, t.sdv_mark, site_id, ("form_uid", "row_uid", "item_oid")):
        marks[m["form_uid"]].append({k: m[k] for k in ("row_uid", "item_oid", "value_version",
                                                         "verified_at", "verified_by")})  # fmt: skip
    trails = None
    if site_id is not None:
        trails = [i["installation_id"] for i in installations]
    audit_stmt = select(t.site_audit).order_by(t.site_audit.c.trail, t.site_audit.c.seq)
    if trails is not None:
        audit_stmt = audit_stmt.where(among(conn, t.site_audit.c.trail, trails))
    audit = [
        {k: v for k, v in r.items() if k != "trail"} for r in conn.execute(audit_stmt).mappings()
    ]
    return {
        "format": PAYLOAD_FORMAT,
        "version": PAYLOAD_VERSION,
        "installations": installations,
        "accounts": _shaped(
            _rows(conn, t.account, site_id, ("site_id", "username")), "accounts", "site_id"
        ),
        "subjects": _shaped(_rows(conn, t.subject, site_id, ("subject_id",)), "subjects"),
        "events": _shaped(_rows(conn, t.event, site_id, ("uid",)), "events"),
        "forms": _shaped(_rows(conn, t.form, site_id, ("uid",)), "forms"),
        "rows": _shaped(_rows(conn, t.group_row, site_id, ("uid",)), "rows"),
        "values": _shaped(values, "values"),
        "signatures": _shaped(signatures, "signatures"),
        "sdv": [{"form_uid": uid, "marks": ms} for uid, ms in sorted(marks.items())],
        "holds": _shaped(_rows(conn, t.hold, site_id, ("uid",)), "holds"),
        "queries": records_of(conn, _rows(conn, t.query, site_id, ("uid",))),
        "audit": audit,
    }
