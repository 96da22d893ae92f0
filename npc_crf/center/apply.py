"""Apply one checked site-data payload to the center's store (docs/bundle-format.md §4).

Runs inside the caller's transaction, which also records the inbound bundle;
any exception rolls everything back. Steps:

* the installation's audit entries must continue the chain the center holds for
  it (check ``audit``); only entries after the center's head are added;
* installations, accounts, subjects, events, forms, rows, signatures and holds
  are upserted by their keys (a row is written only when something differs);
* values follow the conflict rules (:func:`decide`), a replaced value goes to
  ``value_history``;
* each form's SDV marks are replaced by the set the bundle carries;
* queries merge by uid (npc_crf.center.queries).

Written with a few bulk statements per table (``executemany``), so that a full
bundle of a 300-subject site takes seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, func, select, update

from npc_crf.audit.chain import FIELDS, GENESIS
from npc_crf.center import conflicts
from npc_crf.center import schema as t
from npc_crf.center.engine import among, insert_rows
from npc_crf.center.queries import merge
from npc_crf.center.trail import CenterTrail
from npc_crf.center.validate import CHUNK, Checked
from npc_crf.core.errors import BundleRefused

#: test-only: ``apply`` makes the process kill itself (SIGKILL) after writing values (docs/center.md)
CRASH_ENV = "NPC_CRF_TEST_CENTER_CRASH"

_VALUE_DATA = (
    "kind",
    "value",
    "missing_code",
    "override_reason",
    "version",
    "updated_at",
    "updated_by",
)


@dataclass
class Stream:
    """One installation's stream of site bundles, as the center holds it."""

    installation_id: str
    site_id: str
    number: int
    last_sequence: int
    last_manifest_sha256: str | None
    audit_seq: int
    audit_hash: str


@dataclass
class ApplyCounts:
    """What one bundle changed at the center."""

    subjects: int = 0
    events: int = 0
    forms: int = 0
    rows: int = 0
    values: int = 0
    values_unchanged: int = 0
    conflicts: int = 0
    signatures: int = 0
    sdv_forms: int = 0
    holds: int = 0
    queries: int = 0
    messages: int = 0
    audit: int = 0
    conflict_uids: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, int]:
        doc = asdict(self)
        doc.pop("conflict_uids")
        return doc


# -- the audit chain ---------------------------------------------------------------------------

#: npc_crf.audit.chain.canonical, made once: keys in sorted order, one encoder for every entry
_SORTED_FIELDS = tuple(sorted(FIELDS))
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def chain_hash(entry: Mapping[Any, Any]) -> str:
    """``npc_crf.audit.chain.entry_hash`` of ``entry``, faster for a whole trail."""
    doc = {name: entry.get(name) for name in _SORTED_FIELDS}
    return hashlib.sha256(_ENCODER.encode(doc).encode()).hexdigest()


def check_audit(
    conn: Connection,
    stream: Stream,
    manifest: Mapping[Any, Any],
    entries: Sequence[Mapping[Any, Any]],
) -> list[dict[str, Any]]:
    """The entries to add, with their ``prev_hash`` and ``hash`` recomputed from the center's
    head; BundleRefused("audit") when they do not continue the chain to ``audit_head``."""
    head = manifest["audit_head"]
    full = bool(manifest["full"])
    who = f"installation {stream.number} ({stream.installation_id})"

    def refuse(problem: str) -> BundleRefused:
        return BundleRefused("audit", f"{problem}; the center holds {who}'s trail up to entry "
                                      f"{stream.audit_seq}")  # fmt: skip

    if full:
        if manifest["range"]["audit_from"] != 0:
            raise refuse(
                "a full bundle must carry the trail from its first entry (range.audit_from 0)"
            )
        if head["seq"] < stream.audit_seq:
            raise refuse(
                f"the bundle's trail ends at entry {head['seq']}, before the center's head: the "
                "installation's trail was replaced (a restored backup?)"
            )
        start, prev = 1, GENESIS
        known = {
            int(seq): str(digest)
            for seq, digest in conn.execute(
                select(t.site_audit.c.seq, t.site_audit.c.hash).where(
                    t.site_audit.c.trail == stream.installation_id
                )
            )
        }
    else:
        if manifest["range"]["audit_from"] != stream.audit_seq:
            raise refuse(
                f"the bundle's entries start after entry {manifest['range']['audit_from']}, not "
                f"after {stream.audit_seq}"
            )
        start, prev, known = stream.audit_seq + 1, stream.audit_hash, {}
    if entries and entries[0]["seq"] != start:
        raise refuse(f"payload.audit[0] is entry {entries[0]['seq']}, expected entry {start}")
    fresh: list[dict[str, Any]] = []
    for i, entry in enumerate(entries):
        seq = entry["seq"]
        chained = {**entry, "prev_hash": prev}
        digest = chain_hash(chained)
        if seq in known:
            if known[seq] != digest:
                raise refuse(
                    f"payload.audit[{i}] (entry {seq}) differs from the entry the center holds"
                )
        elif seq <= stream.audit_seq:
            raise refuse(f"payload.audit[{i}] (entry {seq}) is missing at the center")
        else:
            chained["hash"] = digest
            fresh.append(chained)
        prev = digest
    last_seq = entries[-1]["seq"] if entries else (0 if full else stream.audit_seq)
    if last_seq != head["seq"]:
        raise refuse(
            f"the entries end at entry {last_seq}, but the manifest's audit_head is entry {head['seq']}"
        )
    if prev != head["hash"]:
        raise refuse(
            f"the entries recomputed from the center's head do not arrive at the manifest's "
            f"audit_head (entry {head['seq']}): an entry was changed, removed or inserted"
        )
    return fresh


# -- upserts ------------------------------------------------------------------------------------


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _upsert(
    conn: Connection,
    table: Table,
    keys: tuple[str, ...],
    rows: list[dict[str, Any]],
    existing: Callable[[], Iterable[Mapping[Any, Any]]] | None = None,
) -> int:
    """Insert new rows and update changed ones; how many were written."""
    if not rows:
        return 0
    old: dict[tuple[Any, ...], Mapping[Any, Any]] = {}
    if existing is not None:
        for r in existing():
            old[tuple(r[k] for k in keys)] = r
    else:  # one key column: read the rows by it
        (key,) = keys
        for chunk in _chunks([r[key] for r in rows]):
            for r in conn.execute(select(table).where(among(conn, table.c[key], chunk))).mappings():
                old[(r[key],)] = r
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for row in rows:
        here = old.get(tuple(row[k] for k in keys))
        if here is None:
            inserts.append(row)
        elif any(here[c] != v for c, v in row.items()):
            updates.append({**{c: v for c, v in row.items() if c not in keys},
                            **{f"k_{k}": row[k] for k in keys}})  # fmt: skip
    if inserts:
        insert_rows(conn, table, inserts)
    if updates:
        stmt = update(table)
        for k in keys:
            stmt = stmt.where(table.c[k] == bindparam(f"k_{k}"))
        conn.execute(stmt, updates)
    return len(inserts) + len(updates)


def _pick(rec: Mapping[Any, Any], names: Iterable[str], **extra: Any) -> dict[str, Any]:
    return {**{n: rec[n] for n in names}, **extra}


# -- applying -----------------------------------------------------------------------------------


class Applier:
    """Applies one payload (create one per bundle, inside the bundle's transaction)."""

    def __init__(
        self,
        conn: Connection,
        *,
        stream: Stream,
        checked: Checked,
        bundle_uuid: str,
        by: str,
        at: str,
        trail: CenterTrail,
    ) -> None:
        self.conn = conn
        self.stream = stream
        self.site = stream.site_id
        self.p = checked.payload
        self.forms = checked.forms
        self.bundle_uuid = bundle_uuid
        self.by = by
        self.at = at
        self.trail = trail
        self.counts = ApplyCounts()

    def run(self, manifest: Mapping[Any, Any]) -> ApplyCounts:
        """Every step; raises BundleRefused("audit") before anything is written if the chain breaks."""
        fresh = check_audit(self.conn, self.stream, manifest, self.p["audit"])
        self.metadata_rows()
        self.structure()
        self.values()
        if os.environ.get(CRASH_ENV) == "apply":  # test-only: a process killed mid-import
            os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
        self.signatures_sdv_holds()
        q = merge(self.conn, self.site, self.p["queries"])
        self.counts.queries, self.counts.messages = q.queries, q.messages
        if fresh:
            trail_id = self.stream.installation_id
            insert_rows(self.conn, t.site_audit, [{**e, "trail": trail_id} for e in fresh])
        self.counts.audit = len(fresh)
        return self.counts

    def metadata_rows(self) -> None:
        site = self.site
        _upsert(
            self.conn,
            t.site_installation,
            ("site_id", "installation_id"),
            [_pick(r, ("installation_id", "number", "ed25519", "x25519"), site_id=site)
             for r in self.p["installations"]],
            lambda: self.conn.execute(
                select(t.site_installation).where(t.site_installation.c.site_id == site)
            ).mappings(),
        )  # fmt: skip
        _upsert(
            self.conn,
            t.account,
            ("site_id", "username"),
            [_pick(r, ("username", "full_name", "role", "active"), site_id=site)
             for r in self.p["accounts"]],
            lambda: self.conn.execute(select(t.account).where(t.account.c.site_id == site)).mappings(),
        )  # fmt: skip

    def structure(self) -> None:
        site = self.site
        c = self.counts
        c.subjects = _upsert(self.conn, t.subject, ("subject_id",),
                             [dict(r, site_id=site) for r in self.p["subjects"]])  # fmt: skip
        c.events = _upsert(
            self.conn, t.event, ("uid",), [dict(r, site_id=site) for r in self.p["events"]]
        )
        c.forms = _upsert(
            self.conn, t.form, ("uid",), [dict(r, site_id=site) for r in self.p["forms"]]
        )
        c.rows = _upsert(
            self.conn, t.group_row, ("uid",), [dict(r, site_id=site) for r in self.p["rows"]]
        )

    # -- values and conflicts ---------------------------------------------------------------

    def values(self) -> None:
        incoming = self.p["values"]
        if not incoming:
            return
        me = self.stream.installation_id
        form_uids = sorted({v["form_uid"] for v in incoming})
        current: dict[tuple[str, str, str], Mapping[Any, Any]] = {}
        for chunk in _chunks(form_uids):
            for r in self.conn.execute(
                select(t.item_value).where(among(self.conn, t.item_value.c.form_uid, chunk))
            ).mappings():
                current[(r["form_uid"], r["row_uid"], r["item_oid"])] = r
        seen = self._seen(form_uids, me) if any(
            (v["form_uid"], v["row_uid"], v["item_oid"]) in current for v in incoming
        ) else {}  # fmt: skip
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        clashes: list[tuple[Mapping[Any, Any], dict[str, Any]]] = []
        for v in incoming:
            key = (v["form_uid"], v["row_uid"], v["item_oid"])
            row = _pick(v, ("form_uid", "row_uid", "item_oid", *_VALUE_DATA),
                        site_id=self.site, installation_id=me)  # fmt: skip
            here = current.get(key)
            verdict = decide(here, v, me, seen.get(key, 0))
            if verdict == "insert":
                inserts.append(row)
            elif verdict == "apply":
                assert here is not None
                updates.append({**{k: row[k] for k in (*_VALUE_DATA, "installation_id")},
                                **{f"k_{k}": key[i] for i, k in enumerate(("form_uid", "row_uid", "item_oid"))}})  # fmt: skip
                history.append({**{k: here[k] for k in ("form_uid", "row_uid", "item_oid", "site_id",
                                                        "installation_id", *_VALUE_DATA)},
                                "replaced_at": self.at, "replaced_by_bundle": self.bundle_uuid})  # fmt: skip
            elif verdict == "conflict":
                assert here is not None
                clashes.append((here, dict(row, base_version=v["base_version"])))
            else:
                self.counts.values_unchanged += 1
        if inserts:
            insert_rows(self.conn, t.item_value, inserts)
        if history:
            insert_rows(self.conn, t.value_history, history)
        if updates:
            self.conn.execute(
                update(t.item_value)
                .where(t.item_value.c.form_uid == bindparam("k_form_uid"))
                .where(t.item_value.c.row_uid == bindparam("k_row_uid"))
                .where(t.item_value.c.item_oid == bindparam("k_item_oid")),
                updates,
            )
        self.counts.values = len(inserts) + len(updates)
        if clashes:
            self._conflicts(clashes)

    def _seen(self, form_uids: Sequence[str], me: str) -> dict[tuple[str, str, str], int]:
        """The highest version of each value this installation sent before (kept or not)."""
        seen: dict[tuple[str, str, str], int] = defaultdict(int)
        h, k = t.value_history.c, t.conflict.c
        for chunk in _chunks(form_uids):
            for r in self.conn.execute(
                select(h.form_uid, h.row_uid, h.item_oid, func.max(h.version))
                .where(among(self.conn, h.form_uid, chunk), h.installation_id == me)
                .group_by(h.form_uid, h.row_uid, h.item_oid)
            ):
                seen[(r[0], r[1], r[2])] = max(seen[(r[0], r[1], r[2])], int(r[3]))
            for r in self.conn.execute(
                select(k.form_uid, k.row_uid, k.item_oid, func.max(k.incoming_version))
                .where(among(self.conn, k.form_uid, chunk), k.incoming_installation_id == me)
                .group_by(k.form_uid, k.row_uid, k.item_oid)
            ):
                seen[(r[0], r[1], r[2])] = max(seen[(r[0], r[1], r[2])], int(r[3]))
        return seen

    def _conflicts(self, clashes: list[tuple[Mapping[Any, Any], dict[str, Any]]]) -> None:
        labels = conflicts.installation_labels(self.conn)
        positions = self._row_positions({inc["form_uid"] for _, inc in clashes})
        for here, inc in clashes:
            info = self.forms[inc["form_uid"]]
            path = inc["item_oid"]
            if inc["row_uid"]:
                group, n = positions.get(inc["row_uid"], ("?", 0))
                path = f"{group}[{n}].{inc['item_oid']}"
            where = conflicts.Where(self.site, info.subject_id, info.event_oid, info.occurrence,
                                    info.form_oid, path, inc["row_uid"])  # fmt: skip
            uid, query_uid = conflicts.record(
                self.conn, where=where, current=here, incoming=inc, bundle_uuid=self.bundle_uuid,
                by=self.by, at=self.at, labels=labels,
            )  # fmt: skip
            self.counts.conflicts += 1
            self.counts.conflict_uids.append(uid)
            self.trail.append(
                "conflict_detected",
                subject_id=info.subject_id,
                event_oid=info.event_oid,
                occurrence=info.occurrence,
                form_oid=info.form_oid,
                item_path=path,
                row_uid=inc["row_uid"] or None,
                detail={
                    "conflict": uid,
                    "query": query_uid,
                    "bundle": self.bundle_uuid,
                    "kept": {"installation": here["installation_id"], "version": here["version"]},
                    "received": {"installation": inc["installation_id"], "version": inc["version"],
                                 "base_version": inc["base_version"]},
                },
                source="center import",
            )  # fmt: skip

    def _row_positions(self, form_uids: Iterable[str]) -> dict[str, tuple[str, int]]:
        """row uid → (group, position among the form's live rows), as item paths number them."""
        live: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
        for r in self.conn.execute(
            select(t.group_row).where(among(self.conn, t.group_row.c.form_uid, sorted(form_uids)))
        ).mappings():
            if not r["deleted"]:
                live[(r["form_uid"], r["group_oid"])].append((r["position"], r["uid"]))
        out: dict[str, tuple[str, int]] = {}
        for (_form, group), members in live.items():
            for n, (_pos, uid) in enumerate(sorted(members), start=1):
                out[uid] = (group, n)
        return out

    # -- signatures, SDV, holds -------------------------------------------------------------

    def signatures_sdv_holds(self) -> None:
        site = self.site
        c = self.counts
        c.signatures = _upsert(self.conn, t.signature, ("uid",),
                               [dict(r, site_id=site) for r in self.p["signatures"]])  # fmt: skip
        c.holds = _upsert(
            self.conn, t.hold, ("uid",), [dict(r, site_id=site) for r in self.p["holds"]]
        )
        sdv = self.p["sdv"]
        if not sdv:
            return
        uids = [r["form_uid"] for r in sdv]
        for chunk in _chunks(uids):
            self.conn.execute(
                delete(t.sdv_mark).where(among(self.conn, t.sdv_mark.c.form_uid, chunk))
            )
        marks = [dict(m, form_uid=r["form_uid"], site_id=site) for r in sdv for m in r["marks"]]
        if marks:
            insert_rows(self.conn, t.sdv_mark, marks)
        c.sdv_forms = len(sdv)


def decide(here: Mapping[Any, Any] | None, v: Mapping[Any, Any], me: str, seen: int) -> str:
    """What to do with an incoming value: ``insert``, ``apply``, ``skip`` or ``conflict``.

    §4 with two additions for a value another installation sent last
    (docs/center.md): a version this installation already sent (kept, replaced or
    recorded as a conflict) is skipped, and so is a value equal to the one kept (it
    neither conflicts nor takes the value over).
    """
    if here is None:
        return "insert"
    if here["installation_id"] == me:
        return "apply" if here["version"] < v["version"] else "skip"
    if seen >= v["version"]:
        return "skip"
    same = (here["kind"], here["value"], here["missing_code"])
    if same == (v["kind"], v["value"], v["missing_code"]):
        return "skip"
    if here["version"] == (v["base_version"] or 0):
        return "apply"
    return "conflict"
