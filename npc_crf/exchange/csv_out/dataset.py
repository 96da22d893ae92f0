"""The data to export, read from site-data payloads (docs/bundle-format.md §3).

The exporter never reads a site database: the site and the coordinating center
both hand it one or more payload dictionaries (``npc_crf.sync.payload``). This
module checks the parts the export needs, names every problem by its JSON path
(``payload.values[12].form_uid: …``), and indexes the records by form instance.

A subject's site is the part of its ID before the first hyphen
(``S01-01-0007`` → ``S01``; docs/store.md, "Subject IDs"): payloads carry no
site field, and at the center one dataset may hold several sites.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from npc_crf.core.errors import NpcCrfError, UsageError

PAYLOAD_FORMAT = "npc-crf/bundle-payload"
PAYLOAD_VERSION = 1
KINDS = frozenset(
    {"text", "int", "dec", "date", "pdate", "time", "datetime", "bool", "code", "codes"}
)
MAX_PROBLEMS = 40


class DatasetError(NpcCrfError):
    """The payload does not have the shape of docs/bundle-format.md §3; nothing was written."""

    exit_code = 5

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:MAX_PROBLEMS]
        more = len(problems) - len(shown)
        lines = [f"  {p}" for p in shown] + ([f"  … and {more} more"] if more else [])
        super().__init__(
            f"The data cannot be exported: {len(problems)} problem(s) in the payload.\n"
            + "\n".join(lines),
            "Nothing was written. The payload comes from npc_crf.sync.payload; report this.",
        )
        self.problems = problems


def site_of(subject_id: str) -> str:
    """The site ID that begins a subject ID (``S01-01-0007`` → ``S01``)."""
    return subject_id.split("-", 1)[0]


@dataclass(frozen=True)
class Subject:
    """A subject and its current status."""

    site_id: str
    subject_id: str
    status: str
    status_date: str | None
    status_reason: str | None


class Row(NamedTuple):
    """A live (not deleted) row of a repeating group."""

    uid: str
    group_oid: str
    position: int


class Value(NamedTuple):
    """One stored answer: a value or a missing-data code (never neither).

    ``cell`` is the value as exported (docs/csv-export.md, "Values"); ``codes``
    holds the decoded code(s) of ``code`` and ``codes`` kinds. (A named tuple, not a
    dataclass: an export may hold millions, and tuples are made several times faster.)
    """

    row: Row | None
    item_oid: str
    kind: str | None
    text: str | None
    missing_code: str | None
    version: int
    updated_at: str
    updated_by: str
    sdv_verified: bool
    cell: str
    codes: tuple[str | int, ...] = ()


@dataclass
class FormRecord:
    """A form instance of one event occurrence, with its live rows and values."""

    uid: str
    site_id: str
    subject_id: str
    event_oid: str
    occurrence: int
    form_oid: str
    form_version: str
    definition_hash: str
    status: str
    rows: list[Row] = field(default_factory=list)  # live rows, by group then position
    values: list[Value] = field(default_factory=list)


@dataclass
class Dataset:
    """Subjects and form instances ready to export, plus what was left out and why."""

    subjects: list[Subject]
    forms: list[FormRecord]
    deleted_row_values: int = 0  # values kept on rows removed from a group (not exported)
    cleared_values: int = 0  # values cleared after entry (no value, no missing code)

    @property
    def site_ids(self) -> list[str]:
        """The sites of the exported subjects, sorted."""
        return sorted({s.site_id for s in self.subjects})

    @property
    def value_count(self) -> int:
        """How many values (including missing codes) the export holds."""
        return sum(len(f.values) for f in self.forms)


# -- reading ----------------------------------------------------------------------------------


class _Problems:
    """Problems found while reading, each prefixed with its JSON path."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.lines.append(f"{path}: {message}")


_TYPE_NAMES = {str: "text", int: "a whole number", bool: "true or false", list: "a list"}


def _field(
    record: Mapping[str, Any],
    key: str,
    kind: type,
    path: str,
    problems: _Problems,
    *,
    optional: bool = False,
) -> Any:
    """``record[key]`` if it has type ``kind`` (None allowed when ``optional``), else None
    and a problem."""
    if key not in record:
        problems.add(f"{path}.{key}", "missing")
        return None
    value = record[key]
    if value is None and optional:
        return None
    if kind is bool and isinstance(value, int) and value in (0, 1):
        return bool(value)  # SQLite booleans may arrive as 0/1
    ok = False if kind is int and isinstance(value, bool) else isinstance(value, kind)
    if not ok:
        problems.add(f"{path}.{key}", f"should be {_TYPE_NAMES.get(kind, kind.__name__)}")
        return None
    return value


def _records(
    payload: Mapping[str, Any], key: str, path: str, problems: _Problems
) -> list[tuple[str, Mapping[str, Any]]]:
    """The records of list ``key`` with their paths; a problem if it is not a list of objects."""
    items = payload.get(key)
    if not isinstance(items, list):
        problems.add(f"{path}.{key}", "missing or not a list")
        return []
    found: list[tuple[str, Mapping[str, Any]]] = []
    for n, record in enumerate(items):
        where = f"{path}.{key}[{n}]"
        if isinstance(record, dict | Mapping):  # dict first: an ABC check is slow
            found.append((where, record))
        else:
            problems.add(where, "should be an object")
    return found


def _decode_codes(kind: str, text: str) -> tuple[str | int, ...] | None:
    """The code(s) of a ``code``/``codes`` value, or None if the text is not valid."""
    if kind == "code":  # the common cases without the JSON parser: "CR" and 2
        if len(text) >= 2 and text[0] == text[-1] == '"' and "\\" not in text:
            inner = text[1:-1]
            if '"' not in inner:
                return (inner,)
        elif text.isascii() and text.isdigit() and (text == "0" or text[0] != "0"):
            return (int(text),)
    try:
        decoded = json.loads(text)
    except ValueError:
        return None
    items = [decoded] if kind == "code" else decoded
    if not isinstance(items, list):
        return None
    codes: list[str | int] = []
    for code in items:
        if isinstance(code, bool) or not isinstance(code, str | int):
            return None
        codes.append(code)
    return tuple(codes)


def exported_cell(kind: str, text: str, codes: tuple[str | int, ...]) -> str:
    """A stored value as it appears in the CSV files (docs/csv-export.md, "Values")."""
    if kind == "bool":
        return "1" if text == "true" else "0"
    if kind in ("code", "codes"):
        return "|".join(str(c) for c in codes)
    return text


class _Reader:
    """Reads payloads into one :class:`Dataset`."""

    def __init__(self) -> None:
        self.problems = _Problems()
        self.subjects: dict[str, Subject] = {}
        self.events: dict[str, tuple[str, str, int]] = {}  # uid → subject, event OID, occurrence
        self.forms: dict[str, FormRecord] = {}
        self.rows: dict[str, tuple[str, Row | None]] = {}  # uid → form uid, live row or None
        self.marks: dict[tuple[str, str, str], int] = {}  # (form, row, item) → verified version
        self.value_keys: set[tuple[str, str, str]] = set()
        self.deleted_row_values: dict[str, int] = {}  # subject → values on deleted rows
        self.cleared_values: dict[str, int] = {}  # subject → cleared values

    def read(self, payload: object, path: str) -> None:
        p = self.problems
        if not isinstance(payload, Mapping):
            p.add(path, "should be an object (a site-data payload)")
            return
        if payload.get("format") != PAYLOAD_FORMAT or payload.get("version") != PAYLOAD_VERSION:
            p.add(
                path,
                f"is not a {PAYLOAD_FORMAT} version {PAYLOAD_VERSION} payload "
                f"(format {payload.get('format')!r}, version {payload.get('version')!r})",
            )
            return
        for where, rec in _records(payload, "subjects", path, p):
            self._subject(where, rec)
        for where, rec in _records(payload, "events", path, p):
            self._event(where, rec)
        for where, rec in _records(payload, "forms", path, p):
            self._form(where, rec)
        for where, rec in _records(payload, "rows", path, p):
            self._row(where, rec)
        for where, rec in _records(payload, "sdv", path, p):
            self._sdv(where, rec)
        for where, rec in _records(payload, "values", path, p):
            self._value(where, rec)

    @staticmethod
    def _count(counts: dict[str, int], subject_id: str) -> None:
        counts[subject_id] = counts.get(subject_id, 0) + 1

    def _subject(self, where: str, rec: Mapping[str, Any]) -> None:
        p = self.problems
        sid = _field(rec, "subject_id", str, where, p)
        status = _field(rec, "status", str, where, p)
        date = _field(rec, "status_date", str, where, p, optional=True)
        reason = _field(rec, "status_reason", str, where, p, optional=True)
        if sid is None or status is None:
            return
        if sid in self.subjects:
            p.add(f"{where}.subject_id", f"subject {sid} is listed twice")
            return
        self.subjects[sid] = Subject(site_of(sid), sid, status, date, reason)

    def _event(self, where: str, rec: Mapping[str, Any]) -> None:
        p = self.problems
        uid = _field(rec, "uid", str, where, p)
        sid = _field(rec, "subject_id", str, where, p)
        oid = _field(rec, "event_oid", str, where, p)
        occurrence = _field(rec, "occurrence", int, where, p)
        if uid is None or sid is None or oid is None or occurrence is None:
            return
        if uid in self.events:
            p.add(f"{where}.uid", f"event {uid} is listed twice")
        elif sid not in self.subjects:
            p.add(f"{where}.subject_id", f"unknown subject {sid}")
        else:
            self.events[uid] = (sid, oid, occurrence)

    def _form(self, where: str, rec: Mapping[str, Any]) -> None:
        p = self.problems
        uid = _field(rec, "uid", str, where, p)
        event_uid = _field(rec, "event_uid", str, where, p)
        oid = _field(rec, "form_oid", str, where, p)
        version = _field(rec, "form_version", str, where, p)
        definition = _field(rec, "definition_hash", str, where, p)
        status = _field(rec, "status", str, where, p)
        if None in (uid, event_uid, oid, version, definition, status):
            return
        event = self.events.get(event_uid)
        if uid in self.forms:
            p.add(f"{where}.uid", f"form {uid} is listed twice")
        elif event is None:
            p.add(f"{where}.event_uid", f"unknown event {event_uid}")
        else:
            sid, event_oid, occurrence = event
            self.forms[uid] = FormRecord(
                uid, site_of(sid), sid, event_oid, occurrence, oid, version, definition, status
            )

    def _row(self, where: str, rec: Mapping[str, Any]) -> None:
        p = self.problems
        uid = _field(rec, "uid", str, where, p)
        form_uid = _field(rec, "form_uid", str, where, p)
        group = _field(rec, "group_oid", str, where, p)
        position = _field(rec, "position", int, where, p)
        deleted = _field(rec, "deleted", bool, where, p)
        if None in (uid, form_uid, group, position, deleted):
            return
        form = self.forms.get(form_uid)
        if uid in self.rows or uid == "":
            p.add(f"{where}.uid", f"row {uid!r} is listed twice or empty")
        elif form is None:
            p.add(f"{where}.form_uid", f"unknown form {form_uid}")
        else:
            row = None if deleted else Row(uid, group, position)
            self.rows[uid] = (form_uid, row)
            if row is not None:
                form.rows.append(row)

    def _sdv(self, where: str, rec: Mapping[str, Any]) -> None:
        p = self.problems
        form_uid = _field(rec, "form_uid", str, where, p)
        marks = _field(rec, "marks", list, where, p)
        if form_uid is None or marks is None:
            return
        for n, mark in enumerate(marks):
            at = f"{where}.marks[{n}]"
            if not isinstance(mark, Mapping):
                p.add(at, "should be an object")
                continue
            row_uid = _field(mark, "row_uid", str, at, p)
            item = _field(mark, "item_oid", str, at, p)
            version = _field(mark, "value_version", int, at, p)
            if row_uid is not None and item is not None and version is not None:
                self.marks[(form_uid, row_uid, item)] = version

    def _value(self, where: str, rec: Mapping[str, Any]) -> None:
        p = self.problems
        try:  # the fast path: a value of a well-formed payload (there may be millions)
            form_uid, row_uid, item = rec["form_uid"], rec["row_uid"], rec["item_oid"]
            kind, text, missing = rec["kind"], rec["value"], rec["missing_code"]
            version, updated_at, updated_by = rec["version"], rec["updated_at"], rec["updated_by"]
            well_formed = (
                type(form_uid) is str
                and type(row_uid) is str
                and type(item) is str
                and (kind is None or type(kind) is str)
                and (text is None or type(text) is str)
                and (missing is None or type(missing) is str)
                and type(version) is int
                and type(updated_at) is str
                and type(updated_by) is str
            )
        except KeyError:
            well_formed = False
        if not well_formed:  # the slow path names every problem
            form_uid = _field(rec, "form_uid", str, where, p)
            row_uid = _field(rec, "row_uid", str, where, p)
            item = _field(rec, "item_oid", str, where, p)
            kind = _field(rec, "kind", str, where, p, optional=True)
            text = _field(rec, "value", str, where, p, optional=True)
            missing = _field(rec, "missing_code", str, where, p, optional=True)
            version = _field(rec, "version", int, where, p)
            updated_at = _field(rec, "updated_at", str, where, p)
            updated_by = _field(rec, "updated_by", str, where, p)
            if None in (form_uid, row_uid, item, version, updated_at, updated_by):
                return
        form = self.forms.get(form_uid)
        if form is None:
            p.add(f"{where}.form_uid", f"unknown form {form_uid}")
            return
        key = (form_uid, row_uid, item)
        if key in self.value_keys:
            p.add(where, f"a second value for item {item} of form {form_uid} row {row_uid!r}")
            return
        self.value_keys.add(key)
        row: Row | None = None
        if row_uid:
            owner = self.rows.get(row_uid)
            if owner is None or owner[0] != form_uid:
                p.add(f"{where}.row_uid", f"unknown row {row_uid} of form {form_uid}")
                return
            if owner[1] is None:
                self._count(self.deleted_row_values, form.subject_id)
                return
            row = owner[1]
        if kind is None and missing is None:
            self._count(self.cleared_values, form.subject_id)
            return
        codes: tuple[str | int, ...] = ()
        if kind is not None:
            if missing is not None:
                p.add(where, "has both a value and a missing-data code")
                return
            if kind not in KINDS:
                p.add(f"{where}.kind", f"unknown kind {kind!r} (one of {', '.join(sorted(KINDS))})")
                return
            if text is None:
                p.add(f"{where}.value", f"missing for a value of kind {kind}")
                return
            if kind in ("code", "codes"):
                decoded = _decode_codes(kind, text)
                if decoded is None:
                    p.add(f"{where}.value", f"is not a valid stored {kind} value")
                    return
                codes = decoded
        cell = "" if kind is None or text is None else exported_cell(kind, text, codes)
        verified = self.marks.get(key) == version
        form.values.append(
            Value(
                row,
                item,
                kind,
                text,
                missing,
                version,
                updated_at,
                updated_by,
                verified,
                cell,
                codes,
            )
        )


def read_dataset(
    payloads: Sequence[Mapping[str, Any]], subjects: Collection[str] | None = None
) -> Dataset:
    """One dataset from the payloads (one per site, or one holding several sites).

    ``subjects`` keeps only those subjects; an ID that is not in the data is a
    :class:`UsageError`. Values on deleted group rows and cleared values are left
    out and counted. Raises :class:`DatasetError` listing every problem found.
    """
    reader = _Reader()
    for n, payload in enumerate(payloads):
        reader.read(payload, "payload" if len(payloads) == 1 else f"payload[{n}]")
    if reader.problems.lines:
        raise DatasetError(reader.problems.lines)
    chosen = dict(reader.subjects)
    if subjects is not None:
        unknown = sorted(set(subjects) - set(chosen))
        if unknown:
            raise UsageError(
                f"There is no subject {', '.join(unknown)} in the data to export.",
                "Check the IDs with: npc-crf subject list --data-dir DIR --user USER",
            )
        chosen = {sid: chosen[sid] for sid in subjects}
    forms = [f for f in reader.forms.values() if f.subject_id in chosen]
    for form in forms:
        form.rows.sort(key=lambda r: (r.group_oid, r.position, r.uid))
    return Dataset(
        subjects=sorted(chosen.values(), key=lambda s: (s.site_id, s.subject_id)),
        forms=forms,
        deleted_row_values=sum(reader.deleted_row_values.get(s, 0) for s in chosen),
        cleared_values=sum(reader.cleared_values.get(s, 0) for s in chosen),
    )
