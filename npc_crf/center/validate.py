"""Check a site-data payload (docs/bundle-format.md §3) before anything is applied: check 10.

Three layers, each problem named by its JSON path
(``payload.values[812].item_oid: there is no item "AETERMX" in form AE``):

1. shape: the format, every list, every record's keys (none missing, none
   unknown) and the type of every field; base64 keys of the right length;
2. the study definition: events, forms, groups and items exist (a form is
   checked against the version its ``definition_hash`` names when the center
   knows it), a value's kind fits its item's type and its text parses, missing
   codes are allowed for the item, signature meanings exist;
3. references, within the payload and against the center's store: every event,
   form, row and subject a record names exists in the payload or at the center
   and belongs to the sender's site; no natural key (subject/event/occurrence,
   event/form) is held under another uid; subject IDs start with the site ID;
   query records pass the ``npc-crf/query`` v1 checks; and every signature's
   Ed25519 seal verifies with the registered key of the installation it names.

A held bundle (a gap before it) is checked with ``refs=None``: references that
only the missing bundles could supply are not errors yet; the whole check runs
again when the bundle is applied.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import Connection, select

from npc_crf.audit.chain import FIELDS as AUDIT_FIELDS
from npc_crf.center import schema as t
from npc_crf.center.definitions import Definitions
from npc_crf.center.engine import among
from npc_crf.core.errors import BundleRefused
from npc_crf.forms.model import Form, Item, ItemType, ValueType
from npc_crf.services.casebook import FormStatus
from npc_crf.services.monitoring import query_bundle
from npc_crf.services.monitoring.signed_payload import SignedContent, is_sealed_by
from npc_crf.services.subjects import SubjectStatus
from npc_crf.store.values import decode
from npc_crf.sync.payload import expand_tables

PAYLOAD_FORMAT = "npc-crf/bundle-payload"
PAYLOAD_VERSION = 1
#: problems quoted in the refusal (all are counted)
SHOWN_PROBLEMS = 12
_MAX_PROBLEMS = 1000
CHUNK = 500


class Field(NamedTuple):
    """What a field of a record may hold, and what a wrong value is told."""

    types: tuple[type, ...]  # exact types (a bool is not a whole number)
    nullable: bool = False
    nonempty: bool = False  # text must not be ""
    low: int | None = None  # the smallest whole number
    told: str = ""


TEXT = Field((str,), nonempty=True, told="must be non-empty text")
ANY_TEXT = Field((str,), told="must be text")
INT = Field((int,), low=0, told="must be a whole number ≥ 0")
POS = Field((int,), low=1, told="must be a whole number ≥ 1")
BOOL = Field((bool,), told="must be true or false")
MARKS = Field((list,), told="must be a list")


def _opt(kind: Field) -> Field:
    return kind._replace(nullable=True, told=kind.told + " or null")


#: §3: every list and the fields of its records
SPEC: dict[str, dict[str, Field]] = {
    "installations": {
        "installation_id": TEXT,
        "number": POS,
        "ed25519": TEXT,
        "x25519": _opt(TEXT),
    },
    "accounts": {"username": TEXT, "full_name": ANY_TEXT, "role": TEXT, "active": BOOL},
    "subjects": {
        "subject_id": TEXT,
        "status": TEXT,
        "status_reason": _opt(ANY_TEXT),
        "status_date": _opt(ANY_TEXT),
        "installation_id": TEXT,
        "created_at": TEXT,
        "created_by": TEXT,
    },
    "events": {
        "uid": TEXT,
        "subject_id": TEXT,
        "event_oid": TEXT,
        "occurrence": POS,
        "created_at": TEXT,
        "created_by": TEXT,
    },
    "forms": {
        "uid": TEXT,
        "event_uid": TEXT,
        "form_oid": TEXT,
        "form_version": TEXT,
        "definition_hash": TEXT,
        "status": TEXT,
        "revision": INT,
        "created_at": TEXT,
        "updated_at": TEXT,
        "updated_by": TEXT,
    },
    "rows": {
        "uid": TEXT,
        "form_uid": TEXT,
        "group_oid": TEXT,
        "position": INT,
        "deleted": BOOL,
        "created_at": TEXT,
    },
    "values": {
        "form_uid": TEXT,
        "row_uid": ANY_TEXT,
        "item_oid": TEXT,
        "kind": _opt(TEXT),
        "value": _opt(ANY_TEXT),
        "missing_code": _opt(TEXT),
        "override_reason": _opt(ANY_TEXT),
        "version": POS,
        "base_version": _opt(INT),
        "updated_at": TEXT,
        "updated_by": TEXT,
    },
    "signatures": {
        "uid": TEXT,
        "form_uid": TEXT,
        "username": TEXT,
        "full_name": ANY_TEXT,
        "meaning": TEXT,
        "signed_at": TEXT,
        "form_revision": INT,
        "content_hash": TEXT,
        "voided_at": _opt(TEXT),
        "void_reason": _opt(ANY_TEXT),
        "scope": _opt(TEXT),
        "batch_uid": _opt(TEXT),
        "installation_id": _opt(TEXT),
        "ed25519": _opt(TEXT),
    },
    "sdv": {"form_uid": TEXT, "marks": MARKS},
    "holds": {
        "uid": TEXT,
        "scope": TEXT,
        "subject_id": _opt(TEXT),
        "form_uid": _opt(TEXT),
        "level": TEXT,
        "set_at": TEXT,
        "set_by": TEXT,
        "reason": ANY_TEXT,
        "released_at": _opt(TEXT),
        "released_by": _opt(TEXT),
        "release_reason": _opt(ANY_TEXT),
    },
    "audit": {  # §3: every column except prev_hash and hash (the center recomputes them)
        **{name: _opt(ANY_TEXT) for name in AUDIT_FIELDS if name != "prev_hash"},
        **dict.fromkeys(
            ("local_offset", "installation_id", "username", "role", "app_version"), ANY_TEXT
        ),
        "seq": POS,
        "occurrence": _opt(INT),
        "at_utc": TEXT,
        "action": TEXT,
    },
}
MARK_SPEC: dict[str, Field] = {
    "row_uid": ANY_TEXT,
    "item_oid": TEXT,
    "value_version": POS,
    "verified_at": TEXT,
    "verified_by": TEXT,
}
LISTS = (*SPEC, "queries")

#: the value kinds each item type may be stored with (npc_crf.store.values)
_KINDS: dict[ItemType, frozenset[str]] = {
    ItemType.TEXT: frozenset({"text"}),
    ItemType.LONG_TEXT: frozenset({"text"}),
    ItemType.INTEGER: frozenset({"int"}),
    ItemType.DECIMAL: frozenset({"dec", "int"}),
    ItemType.DATE: frozenset({"date"}),
    ItemType.PARTIAL_DATE: frozenset({"pdate", "date"}),
    ItemType.TIME: frozenset({"time"}),
    ItemType.DATETIME: frozenset({"datetime"}),
    ItemType.SINGLE_CHOICE: frozenset({"code"}),
    ItemType.LOOKUP: frozenset({"code"}),
    ItemType.MULTIPLE_CHOICE: frozenset({"codes"}),
    ItemType.YES_NO: frozenset({"bool"}),
    ItemType.FILE: frozenset({"text"}),
}
_CALCULATED: dict[ValueType, frozenset[str]] = {
    ValueType.TEXT: frozenset({"text"}),
    ValueType.INTEGER: frozenset({"int", "dec"}),
    ValueType.DECIMAL: frozenset({"dec", "int"}),
    ValueType.DATE: frozenset({"date"}),
    ValueType.YES_NO: frozenset({"bool"}),
}
_ALL_KINDS = frozenset(
    {"text", "int", "dec", "date", "pdate", "time", "datetime", "bool", "code", "codes"}
)
_SUBJECT_STATUSES = frozenset(s.value for s in SubjectStatus)
_FORM_STATUSES = frozenset(s.value for s in FormStatus) - {FormStatus.NOT_STARTED.value}
_SCOPES = frozenset({"form", "event", "casebook"})


# -- what the center already holds --------------------------------------------------------


@dataclass(frozen=True)
class EventRef:
    site_id: str
    subject_id: str
    event_oid: str
    occurrence: int


@dataclass(frozen=True)
class FormRef:
    site_id: str
    event_uid: str
    form_oid: str
    form_version: str
    definition_hash: str


@dataclass(frozen=True)
class RowRef:
    site_id: str
    form_uid: str
    group_oid: str


@dataclass
class StoreRefs:
    """The rows of the center's store that a payload names (by uid or natural key)."""

    subjects: dict[str, str] = field(default_factory=dict)  # subject_id -> site_id
    events: dict[str, EventRef] = field(default_factory=dict)
    event_keys: dict[tuple[str, str, int], str] = field(default_factory=dict)
    forms: dict[str, FormRef] = field(default_factory=dict)
    form_keys: dict[tuple[str, str], str] = field(default_factory=dict)
    rows: dict[str, RowRef] = field(default_factory=dict)
    owners: dict[tuple[str, str], str] = field(default_factory=dict)  # (table, uid) -> site_id
    queries: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)  # message uid -> query uid


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(set(values))
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def load_refs(conn: Connection, payload: Mapping[str, Any]) -> StoreRefs:
    """What the center holds of everything ``payload`` names (a few statements per 500 uids)."""
    refs = StoreRefs()
    if payload.get("format") == PAYLOAD_FORMAT and payload.get("version") == PAYLOAD_VERSION:
        payload = expand_tables(payload)
    lists = {
        name: [r for r in payload[name] if isinstance(r, dict)]
        if isinstance(payload.get(name), list)
        else []
        for name in LISTS
    }

    def names(section: str, key: str) -> set[str]:
        return {r[key] for r in lists[section] if isinstance(r.get(key), str)}

    subject_ids = (
        names("subjects", "subject_id")
        | names("events", "subject_id")
        | names("holds", "subject_id")
        | names("queries", "subject_id")
    )
    for chunk in _chunks(subject_ids):
        for r in conn.execute(
            select(t.subject.c.subject_id, t.subject.c.site_id).where(
                among(conn, t.subject.c.subject_id, chunk)
            )
        ):
            refs.subjects[r.subject_id] = r.site_id
        for r in conn.execute(select(t.event).where(among(conn, t.event.c.subject_id, chunk))):
            refs.event_keys[(r.subject_id, r.event_oid, r.occurrence)] = r.uid
    event_uids = names("events", "uid") | names("forms", "event_uid")
    for chunk in _chunks(event_uids):
        for r in conn.execute(select(t.event).where(among(conn, t.event.c.uid, chunk))):
            refs.events[r.uid] = EventRef(r.site_id, r.subject_id, r.event_oid, r.occurrence)
            refs.subjects.setdefault(r.subject_id, r.site_id)
        for r in conn.execute(select(t.form).where(among(conn, t.form.c.event_uid, chunk))):
            refs.form_keys[(r.event_uid, r.form_oid)] = r.uid
    form_uids = set().union(
        *(names(s, k) for s, k in (("forms", "uid"), ("rows", "form_uid"), ("values", "form_uid"),
                                   ("signatures", "form_uid"), ("sdv", "form_uid"),
                                   ("holds", "form_uid")))
    )  # fmt: skip
    for chunk in _chunks(form_uids):
        for r in conn.execute(select(t.form).where(among(conn, t.form.c.uid, chunk))):
            refs.forms[r.uid] = FormRef(
                r.site_id, r.event_uid, r.form_oid, r.form_version, r.definition_hash
            )
    missing_events = {f.event_uid for f in refs.forms.values()} - set(refs.events)
    for chunk in _chunks(missing_events):
        for r in conn.execute(select(t.event).where(among(conn, t.event.c.uid, chunk))):
            refs.events[r.uid] = EventRef(r.site_id, r.subject_id, r.event_oid, r.occurrence)
    row_uids = names("rows", "uid") | {
        r["row_uid"] for r in lists["values"] if isinstance(r.get("row_uid"), str) and r["row_uid"]
    }
    for chunk in _chunks(row_uids):
        for r in conn.execute(select(t.group_row).where(among(conn, t.group_row.c.uid, chunk))):
            refs.rows[r.uid] = RowRef(r.site_id, r.form_uid, r.group_oid)
    for table, section in ((t.signature, "signatures"), (t.hold, "holds")):
        for chunk in _chunks(names(section, "uid")):
            for r in conn.execute(
                select(table.c.uid, table.c.site_id).where(among(conn, table.c.uid, chunk))
            ):
                refs.owners[(section, r.uid)] = r.site_id
    for chunk in _chunks(names("queries", "uid")):
        for q in conn.execute(select(t.query).where(among(conn, t.query.c.uid, chunk))).mappings():
            refs.queries[q["uid"]] = dict(q)
    message_uids: set[str] = set()
    for rec in lists["queries"]:
        thread = rec.get("messages")
        if isinstance(thread, list):
            message_uids.update(
                m["uid"] for m in thread if isinstance(m, dict) and isinstance(m.get("uid"), str)
            )
    for chunk in _chunks(message_uids):
        for r in conn.execute(
            select(t.query_message.c.uid, t.query_message.c.query_uid).where(
                among(conn, t.query_message.c.uid, chunk)
            )
        ):
            refs.messages[r.uid] = r.query_uid
    return refs


# -- the result ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormInfo:
    """Where a form instance is (payload or store), for seals and messages."""

    subject_id: str
    event_oid: str
    occurrence: int
    form_oid: str
    form_version: str
    definition_hash: str


@dataclass
class Checked:
    """A payload that passed every check (its base64 fields decoded to bytes)."""

    payload: dict[str, Any]
    forms: dict[str, FormInfo]


# -- the checks ----------------------------------------------------------------------------


class _QueryProblems(query_bundle.RecordProblems):
    """Query-record problems as payload paths."""

    def __init__(self, sink: Callable[[str, str], None]) -> None:
        super().__init__()
        self.sink = sink

    def add(self, n: int, rec: Mapping[str, Any] | None, name: str | None, problem: str) -> None:
        where = f"payload.queries[{n}]" + (f".{name}" if name else "")
        self.items.append(where)
        self.sink(where, problem)


class _Validator:
    def __init__(
        self,
        payload: dict[str, Any],
        *,
        site_id: str,
        definitions: Definitions,
        refs: StoreRefs | None,
        keys: Mapping[str, bytes] | None,
        study_oid: str,
    ) -> None:
        self.p = payload
        self.site_id = site_id
        self.defs = definitions
        self.refs = refs
        self.keys = keys
        self.study_oid = study_oid
        self.problems: list[str] = []
        self.count = 0
        # what the payload itself holds, by uid
        self.subjects: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        self.forms: dict[str, dict[str, Any]] = {}
        self.rows: dict[str, dict[str, Any]] = {}
        self.form_info: dict[str, FormInfo] = {}

    def bad(self, where: str, problem: str) -> None:
        self.count += 1
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(f"{where}: {problem}")

    # -- layer 1: shape ------------------------------------------------------------------

    def shape(self) -> bool:
        p = self.p
        if p.get("format") != PAYLOAD_FORMAT:
            self.bad("payload.format", f"{p.get('format')!r} is not {PAYLOAD_FORMAT!r}")
            return False
        if p.get("version") != PAYLOAD_VERSION:
            self.bad(
                "payload.version",
                f"payload version {p.get('version')!r} is not supported (this npc-crf reads "
                f"version {PAYLOAD_VERSION})",
            )
            return False
        expected = {"format", "version", *LISTS}
        for name in sorted(expected - set(p)):
            self.bad(f"payload.{name}", "is missing")
        for name in sorted(set(p) - expected):
            self.bad(f"payload.{name}", "is not a part of a site-data payload")
        for name in LISTS:
            if name in p and not isinstance(p[name], list):
                self.bad(f"payload.{name}", "must be a list")
        if not self.clean():
            return False
        for section, spec in SPEC.items():
            for i, rec in enumerate(p[section]):
                self.record(lambda s=section, i=i: f"payload.{s}[{i}]", rec, spec)  # type: ignore[misc]
        for i, rec in enumerate(p["sdv"]):
            if isinstance(rec, dict) and isinstance(rec.get("marks"), list):
                for j, mark in enumerate(rec["marks"]):
                    self.record(lambda i=i, j=j: f"payload.sdv[{i}].marks[{j}]", mark, MARK_SPEC)  # type: ignore[misc]
        for i, rec in enumerate(p["queries"]):
            if not isinstance(rec, dict):
                self.bad(f"payload.queries[{i}]", "must be an object")
        if not self.clean():
            return False
        self.decode_keys()
        return self.clean()

    def clean(self) -> bool:
        """No problem found so far."""
        return self.count == 0

    def record(self, where: Callable[[], str], rec: object, spec: Mapping[str, Field]) -> None:
        """One record's keys and field types (``where`` makes its path, only when needed)."""
        if type(rec) is not dict:
            self.bad(where(), "must be an object")
            return
        if rec.keys() != spec.keys():
            for name in sorted(set(spec) - set(rec)):
                self.bad(f"{where()}.{name}", "is missing")
            for name in sorted(set(rec) - set(spec)):
                self.bad(f"{where()}.{name}", "is not a field of this record")
        for name, field_ in spec.items():
            value = rec.get(name)
            if value is None:
                if not field_.nullable and name in rec:
                    self.bad(f"{where()}.{name}", field_.told)
            elif (
                type(value) not in field_.types
                or (field_.nonempty and value == "")
                or (field_.low is not None and value < field_.low)
            ):
                self.bad(f"{where()}.{name}", field_.told)

    def decode_keys(self) -> None:
        def raw(where: str, text: str | None, size: int) -> bytes | None:
            if text is None:
                return None
            try:
                data = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                self.bad(where, "is not base64")
                return None
            if len(data) != size:
                self.bad(where, f"must be {size} bytes, not {len(data)}")
            return data

        for i, rec in enumerate(self.p["installations"]):
            rec["ed25519"] = raw(f"payload.installations[{i}].ed25519", rec["ed25519"], 32)
            rec["x25519"] = raw(f"payload.installations[{i}].x25519", rec["x25519"], 32)
        for i, rec in enumerate(self.p["signatures"]):
            rec["ed25519"] = raw(f"payload.signatures[{i}].ed25519", rec["ed25519"], 64)

    # -- layers 2 and 3 ------------------------------------------------------------------

    def unique(self, section: str, key: Callable[[dict[str, Any]], object], what: str) -> None:
        seen: dict[object, int] = {}
        for i, rec in enumerate(self.p[section]):
            k = key(rec)
            if k in seen:
                self.bad(
                    f"payload.{section}[{i}]", f"repeats {what} of payload.{section}[{seen[k]}]"
                )
            else:
                seen[k] = i

    def owned(self, table: str, uid: str, where: str, site_id: str | None) -> None:
        if site_id is not None and site_id != self.site_id:
            self.bad(
                where, f"{table} {uid} belongs to site {site_id} at the center, not {self.site_id}"
            )

    def content(self) -> None:
        p = self.p
        self.unique("installations", lambda r: r["installation_id"], "the installation_id")
        self.unique("accounts", lambda r: r["username"], "the username")
        self.unique("subjects", lambda r: r["subject_id"], "the subject_id")
        for section in ("events", "forms", "rows", "signatures", "holds"):
            self.unique(section, lambda r: r["uid"], "the uid")
        self.unique("values", lambda r: (r["form_uid"], r["row_uid"], r["item_oid"]), "the value")
        self.unique("sdv", lambda r: r["form_uid"], "the form_uid")
        self.unique("audit", lambda r: r["seq"], "the seq")
        self.unique("events", lambda r: (r["subject_id"], r["event_oid"], r["occurrence"]),
                    "subject, event and occurrence")  # fmt: skip
        self.unique("forms", lambda r: (r["event_uid"], r["form_oid"]), "event and form")
        self.subjects = {r["subject_id"]: r for r in p["subjects"]}
        self.events = {r["uid"]: r for r in p["events"]}
        self.forms = {r["uid"]: r for r in p["forms"]}
        self.rows = {r["uid"]: r for r in p["rows"]}
        self.check_installations()
        self.check_subjects()
        self.check_events()
        self.check_forms()
        self.check_rows()
        self.check_values()
        self.check_sdv()
        self.check_signatures()
        self.check_holds()
        self.check_queries()
        self.check_audit()

    def subject_site(self, subject_id: str) -> str | None:
        """The subject's site: this site when the payload has it, the store's otherwise."""
        if self.refs is not None and subject_id in self.refs.subjects:
            return self.refs.subjects[subject_id]
        if subject_id in self.subjects:
            return self.site_id
        return None

    def need_subject(self, subject_id: str, where: str) -> None:
        site = self.subject_site(subject_id)
        if site is None:
            if self.refs is not None:
                self.bad(where, f"subject {subject_id} is neither in the bundle nor at the center")
        else:
            self.owned("subject", subject_id, where, site)

    def check_installations(self) -> None:
        """An installation the center registered is listed with its registered key."""
        for i, rec in enumerate(self.p["installations"]):
            registered = (self.keys or {}).get(rec["installation_id"])
            if registered is not None and rec["ed25519"] != registered:
                self.bad(
                    f"payload.installations[{i}].ed25519",
                    f"installation {rec['installation_id']} is registered at the center with "
                    "another key",
                )

    def check_subjects(self) -> None:
        for i, rec in enumerate(self.p["subjects"]):
            where = f"payload.subjects[{i}]"
            if not rec["subject_id"].startswith(f"{self.site_id}-"):
                self.bad(
                    f"{where}.subject_id",
                    f"{rec['subject_id']} is not an ID of site {self.site_id}",
                )
            if rec["status"] not in _SUBJECT_STATUSES:
                self.bad(f"{where}.status", f"{rec['status']!r} is not a subject status")
            if self.refs is not None:
                self.owned("subject", rec["subject_id"], f"{where}.subject_id",
                           self.refs.subjects.get(rec["subject_id"]))  # fmt: skip

    def event_of(self, uid: str) -> tuple[str, str, int] | None:
        """(subject, event OID, occurrence) of an event uid, from the payload or the store."""
        rec = self.events.get(uid)
        if rec is not None:
            return rec["subject_id"], rec["event_oid"], rec["occurrence"]
        ref = self.refs.events.get(uid) if self.refs is not None else None
        return (ref.subject_id, ref.event_oid, ref.occurrence) if ref else None

    def check_events(self) -> None:
        for i, rec in enumerate(self.p["events"]):
            where = f"payload.events[{i}]"
            if self.defs.event(rec["event_oid"]) is None:
                self.bad(
                    f"{where}.event_oid",
                    f"there is no event {rec['event_oid']!r} in {self.study_oid}",
                )
            self.need_subject(rec["subject_id"], f"{where}.subject_id")
            if self.refs is None:
                continue
            ref = self.refs.events.get(rec["uid"])
            if ref is not None:
                self.owned("event", rec["uid"], f"{where}.uid", ref.site_id)
                if (ref.subject_id, ref.event_oid, ref.occurrence) != (
                    rec["subject_id"], rec["event_oid"], rec["occurrence"]
                ):  # fmt: skip
                    self.bad(where, f"event {rec['uid']} is {ref.subject_id}/{ref.event_oid}"
                                    f"[{ref.occurrence}] at the center")  # fmt: skip
            other = self.refs.event_keys.get(
                (rec["subject_id"], rec["event_oid"], rec["occurrence"])
            )
            if other is not None and other != rec["uid"]:
                self.bad(where, f"{rec['subject_id']}/{rec['event_oid']}[{rec['occurrence']}] is "
                                f"event {other} at the center, not {rec['uid']}")  # fmt: skip

    def form_of(self, uid: str) -> tuple[str, str, str] | None:
        """(form OID, definition hash, event uid) of a form uid, from the payload or the store."""
        rec = self.forms.get(uid)
        if rec is not None:
            return rec["form_oid"], rec["definition_hash"], rec["event_uid"]
        ref = self.refs.forms.get(uid) if self.refs is not None else None
        return (ref.form_oid, ref.definition_hash, ref.event_uid) if ref else None

    def need_form(self, uid: str, where: str) -> Form | None:
        """The definition of form instance ``uid`` (None: unknown, or not yet resolvable)."""
        found = self.form_of(uid)
        if found is None:
            if self.refs is not None:
                self.bad(where, f"form {uid} is neither in the bundle nor at the center")
            return None
        if self.refs is not None and uid not in self.forms:
            self.owned("form", uid, where, self.refs.forms[uid].site_id)
        return self.defs.form(found[0], found[1])

    def check_forms(self) -> None:
        for i, rec in enumerate(self.p["forms"]):
            where = f"payload.forms[{i}]"
            form = self.defs.form(rec["form_oid"], rec["definition_hash"])
            if form is None:
                self.bad(
                    f"{where}.form_oid", f"there is no form {rec['form_oid']!r} in {self.study_oid}"
                )
            if rec["status"] not in _FORM_STATUSES:
                self.bad(f"{where}.status", f"{rec['status']!r} is not a form status")
            event = self.event_of(rec["event_uid"])
            if event is None:
                if self.refs is not None:
                    self.bad(f"{where}.event_uid", f"event {rec['event_uid']} is neither in the "
                                                   "bundle nor at the center")  # fmt: skip
            else:
                subject_id, event_oid, occurrence = event
                if rec["event_uid"] not in self.events and self.refs is not None:
                    self.owned("event", rec["event_uid"], f"{where}.event_uid",
                               self.refs.events[rec["event_uid"]].site_id)  # fmt: skip
                definition = self.defs.event(event_oid)
                if (
                    form is not None
                    and definition is not None
                    and rec["form_oid"] not in definition.forms
                ):
                    self.bad(
                        f"{where}.form_oid", f"event {event_oid} has no form {rec['form_oid']!r}"
                    )
                self.form_info[rec["uid"]] = FormInfo(
                    subject_id, event_oid, occurrence, rec["form_oid"], rec["form_version"],
                    rec["definition_hash"],
                )  # fmt: skip
            if self.refs is not None:
                ref = self.refs.forms.get(rec["uid"])
                if ref is not None:
                    self.owned("form", rec["uid"], f"{where}.uid", ref.site_id)
                    if (ref.event_uid, ref.form_oid) != (rec["event_uid"], rec["form_oid"]):
                        self.bad(where, f"form {rec['uid']} is form {ref.form_oid} of event "
                                        f"{ref.event_uid} at the center")  # fmt: skip
                other = self.refs.form_keys.get((rec["event_uid"], rec["form_oid"]))
                if other is not None and other != rec["uid"]:
                    self.bad(where, f"form {rec['form_oid']} of event {rec['event_uid']} is "
                                    f"{other} at the center, not {rec['uid']}")  # fmt: skip
        if self.refs is not None:  # forms only the store has (values, seals name them)
            for uid, ref in self.refs.forms.items():
                stored = self.refs.events.get(ref.event_uid)
                if uid not in self.form_info and stored is not None:
                    self.form_info[uid] = FormInfo(
                        stored.subject_id, stored.event_oid, stored.occurrence, ref.form_oid,
                        ref.form_version, ref.definition_hash,
                    )  # fmt: skip

    def group_of_row(self, uid: str) -> tuple[str, str] | None:
        """(form uid, group OID) of a row uid."""
        rec = self.rows.get(uid)
        if rec is not None:
            return rec["form_uid"], rec["group_oid"]
        ref = self.refs.rows.get(uid) if self.refs is not None else None
        return (ref.form_uid, ref.group_oid) if ref else None

    def check_rows(self) -> None:
        for i, rec in enumerate(self.p["rows"]):
            where = f"payload.rows[{i}]"
            form = self.need_form(rec["form_uid"], f"{where}.form_uid")
            if form is not None:
                group = form.item(rec["group_oid"])
                if group is None or not group.is_group:
                    self.bad(
                        f"{where}.group_oid",
                        f"form {form.oid} has no repeating group {rec['group_oid']!r}",
                    )
            if self.refs is not None:
                ref = self.refs.rows.get(rec["uid"])
                if ref is not None:
                    self.owned("row", rec["uid"], f"{where}.uid", ref.site_id)
                    if (ref.form_uid, ref.group_oid) != (rec["form_uid"], rec["group_oid"]):
                        self.bad(where, f"row {rec['uid']} is a row of {ref.group_oid} in form "
                                        f"{ref.form_uid} at the center")  # fmt: skip

    def check_values(self) -> None:
        forms: dict[str, Form | None] = {}
        for i, rec in enumerate(self.p["values"]):
            where = f"payload.values[{i}]"
            uid = rec["form_uid"]
            if uid not in forms:
                forms[uid] = self.need_form(uid, f"{where}.form_uid")
            form = forms[uid]
            if form is None:
                continue
            item = form.item(rec["item_oid"])
            if item is None or item.type in (ItemType.GROUP, ItemType.NOTE):
                self.bad(f"{where}.item_oid", f"there is no item {rec['item_oid']!r} that takes a "
                                              f"value in form {form.oid}")  # fmt: skip
                continue
            group = form.group_of(item.oid)
            if group is None:
                if rec["row_uid"] != "":
                    self.bad(f"{where}.row_uid", f"item {item.oid} is not in a repeating group; "
                                                 "row_uid must be empty")  # fmt: skip
            elif rec["row_uid"] == "":
                self.bad(
                    f"{where}.row_uid", f"item {item.oid} is in group {group.oid}; it needs a row"
                )
            else:
                row = self.group_of_row(rec["row_uid"])
                if row is None:
                    if self.refs is not None:
                        self.bad(f"{where}.row_uid", f"row {rec['row_uid']} is neither in the "
                                                     "bundle nor at the center")  # fmt: skip
                elif row != (uid, group.oid):
                    self.bad(f"{where}.row_uid", f"row {rec['row_uid']} is not a row of group "
                                                 f"{group.oid} of this form")  # fmt: skip
            self.value(where, rec, form, item)

    def value(self, where: str, rec: Mapping[str, Any], form: Form, item: Item) -> None:
        kind, text, missing = rec["kind"], rec["value"], rec["missing_code"]
        if missing is not None:
            if kind is not None or text is not None:
                self.bad(where, "a value with a missing-data code has no kind and no value")
            elif missing not in self.defs.missing_codes(form, item.oid):
                self.bad(f"{where}.missing_code", f"{missing!r} is not a missing-data code item "
                                                  f"{item.oid} accepts")  # fmt: skip
            return
        if (kind is None) != (text is None):
            self.bad(where, "kind and value are both given or both null")
            return
        if kind is None:
            return
        if kind not in _ALL_KINDS:
            self.bad(f"{where}.kind", f"{kind!r} is not a value kind")
            return
        if item.type is ItemType.CALCULATED:
            allowed = (
                _CALCULATED.get(item.value_type, _ALL_KINDS) if item.value_type else _ALL_KINDS
            )
        else:
            allowed = _KINDS.get(item.type, _ALL_KINDS)
        if kind not in allowed:
            self.bad(f"{where}.kind", f"a {item.type.value} item ({item.oid}) is not stored as "
                                      f"{kind!r}")  # fmt: skip
            return
        try:
            decoded = decode(kind, text)
        except (ValueError, TypeError, json.JSONDecodeError):
            self.bad(f"{where}.value", f"is not a valid {kind!r} value")
            return
        if kind == "code" and not isinstance(decoded, str | int):
            self.bad(f"{where}.value", "a code is text or a whole number")
        if kind == "codes" and not all(isinstance(c, str | int) for c in decoded):  # type: ignore[attr-defined]
            self.bad(f"{where}.value", "codes are text or whole numbers")

    def check_sdv(self) -> None:
        for i, rec in enumerate(self.p["sdv"]):
            where = f"payload.sdv[{i}]"
            form = self.need_form(rec["form_uid"], f"{where}.form_uid")
            if form is None:
                continue
            for j, mark in enumerate(rec["marks"]):
                if form.item(mark["item_oid"]) is None:
                    self.bad(f"{where}.marks[{j}].item_oid", f"there is no item {mark['item_oid']!r} "
                                                             f"in form {form.oid}")  # fmt: skip

    def check_signatures(self) -> None:
        meanings = self.defs.meanings()
        for i, rec in enumerate(self.p["signatures"]):
            where = f"payload.signatures[{i}]"
            self.need_form(rec["form_uid"], f"{where}.form_uid")
            if rec["meaning"] not in meanings:
                self.bad(
                    f"{where}.meaning",
                    f"{rec['meaning']!r} is not a signature meaning of {self.study_oid}",
                )
            if rec["scope"] is not None and rec["scope"] not in _SCOPES:
                self.bad(f"{where}.scope", f"{rec['scope']!r} is not form, event or casebook")
            if self.refs is not None:
                self.owned(
                    "signature",
                    rec["uid"],
                    f"{where}.uid",
                    self.refs.owners.get(("signatures", rec["uid"])),
                )
                self.seal(where, rec)

    def seal(self, where: str, rec: Mapping[str, Any]) -> None:
        """The row's Ed25519 seal, with the registered key of the installation it names."""
        if rec["ed25519"] is None:
            if rec["scope"] is not None or rec["batch_uid"] is not None:
                self.bad(f"{where}.ed25519", "the signature has no installation seal")
            return  # made before schema 0002: nothing to verify
        info = self.form_info.get(rec["form_uid"])
        if info is None:
            return  # reported as an unknown form
        key = (self.keys or {}).get(rec["installation_id"] or "")
        if key is None:
            self.bad(f"{where}.installation_id", f"installation {rec['installation_id']} that sealed "
                                                 "this signature is not registered at the center")  # fmt: skip
            return
        content = SignedContent(
            study=self.study_oid,
            subject=info.subject_id,
            event=info.event_oid,
            occurrence=info.occurrence,
            form=info.form_oid,
            form_version=info.form_version,
            definition_hash=info.definition_hash,
            revision=rec["form_revision"],
            content_hash=rec["content_hash"],
            signer=rec["username"],
            full_name=rec["full_name"],
            meaning=rec["meaning"],
            signed_at=rec["signed_at"],
            scope=rec["scope"] or "",
            batch=rec["batch_uid"] or "",
        )
        if not is_sealed_by(key, content, rec["ed25519"]):
            self.bad(f"{where}.ed25519", f"the seal of signature {rec['uid']} does not verify with "
                                         f"installation {rec['installation_id']}'s registered key")  # fmt: skip

    def check_holds(self) -> None:
        for i, rec in enumerate(self.p["holds"]):
            where = f"payload.holds[{i}]"
            scope = rec["scope"]
            if scope not in ("site", "subject", "form"):
                self.bad(f"{where}.scope", f"{scope!r} is not site, subject or form")
            if rec["level"] not in ("frozen", "locked"):
                self.bad(f"{where}.level", f"{rec['level']!r} is not frozen or locked")
            if scope in ("subject", "form"):
                if rec["subject_id"] is None:
                    self.bad(f"{where}.subject_id", f"a {scope} hold names its subject")
                else:
                    self.need_subject(rec["subject_id"], f"{where}.subject_id")
            if scope == "form":
                if rec["form_uid"] is None:
                    self.bad(f"{where}.form_uid", "a form hold names its form")
                else:
                    self.need_form(rec["form_uid"], f"{where}.form_uid")
            if self.refs is not None:
                self.owned(
                    "hold", rec["uid"], f"{where}.uid", self.refs.owners.get(("holds", rec["uid"]))
                )

    def check_queries(self) -> None:
        problems = _QueryProblems(self.bad)
        checked: list[dict[str, Any]] = []
        for i, rec in enumerate(self.p["queries"]):
            found = query_bundle.check_record(i, rec, self.defs.current, problems)
            if found is None:
                continue
            checked.append(found)
            where = f"payload.queries[{i}]"
            self.need_subject(found["subject_id"], f"{where}.subject_id")
            if self.refs is None:
                continue
            here = self.refs.queries.get(found["uid"])
            if here is not None:
                if here["site_id"] != self.site_id:
                    self.bad(
                        f"{where}.uid", f"query {found['uid']} belongs to site {here['site_id']}"
                    )
                for name in (
                    "subject_id",
                    "event_oid",
                    "occurrence",
                    "form_oid",
                    "item_path",
                    "kind",
                ):
                    if here[name] != found[name]:
                        self.bad(f"{where}.{name}", f"{found[name]!r} differs from the query at the "
                                                    f"center ({here[name]!r})")  # fmt: skip
            for k, message in enumerate(found["messages"]):
                owner = self.refs.messages.get(message["uid"])
                if owner is not None and owner != found["uid"]:
                    self.bad(
                        f"{where}.messages[{k}].uid", f"belongs to query {owner} at the center"
                    )
        self.p["queries"] = checked if len(checked) == len(self.p["queries"]) else self.p["queries"]

    def check_audit(self) -> None:
        previous = None
        for i, rec in enumerate(self.p["audit"]):
            if previous is not None and rec["seq"] != previous + 1:
                self.bad(f"payload.audit[{i}].seq", f"{rec['seq']} does not follow {previous}")
            previous = rec["seq"]


def validate(
    payload: dict[str, Any],
    *,
    site_id: str,
    study_oid: str,
    definitions: Definitions,
    refs: StoreRefs | None,
    keys: Mapping[str, bytes] | None,
) -> Checked:
    """Check 10 of §2; BundleRefused("payload", …) listing the first problems by path.

    The table sections (``values``, ``audit``) are expanded into records first
    (``npc_crf.sync.payload.expand_tables``); paths then count their rows.

    ``refs`` None: a held bundle, checked without the store. ``keys`` are the
    registered installations' Ed25519 public keys (for the signature seals).
    """
    if payload.get("format") == PAYLOAD_FORMAT and payload.get("version") == PAYLOAD_VERSION:
        payload = expand_tables(payload)  # values and audit travel as {columns, rows}
    v = _Validator(
        payload, site_id=site_id, definitions=definitions, refs=refs, keys=keys, study_oid=study_oid
    )
    if v.shape():
        v.content()
    if v.count:
        shown = "; ".join(v.problems[:SHOWN_PROBLEMS])
        more = f" (and {v.count - SHOWN_PROBLEMS} more)" if v.count > SHOWN_PROBLEMS else ""
        raise BundleRefused("payload", f"{v.count} problem(s) in the payload: {shown}{more}")
    return Checked(payload, v.form_info)
