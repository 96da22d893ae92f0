"""The data of the query report and the SDV report, gathered from the store.

Monitors print both after a monitoring visit and the site files them in the trial
master file. :func:`gather_queries` and :func:`gather_sdv` read through the
monitoring services' own reading functions (so the printout and the screens agree)
and return frozen dataclasses that :mod:`npc_crf.reports.query_report` and
:mod:`npc_crf.reports.sdv_report` lay out. Both cover the whole site, or one
subject when ``subject_id`` is given (an unknown subject is a
:class:`~npc_crf.core.errors.UsageError`). Labels from the definitions are kept in
both languages (:class:`~npc_crf.forms.model.Text`); the renderer picks one.

Content hashes (SHA-256, hex, over :func:`~npc_crf.forms.canonical.canonical_json`):

* **query report** — ``{"format": "npc-crf/query-report", "version": 1, "study":
  [OID, version], "site", "subject" (the scope, or null), "include_closed",
  "subjects": [the subject IDs in scope], "queries": [...]}`` where each query holds
  every stored field (``uid``, ``subject_id``, ``event_oid``, ``occurrence``,
  ``form_oid``, ``item_path``, ``row_uid``, ``kind``, ``status``, ``assigned_role``,
  ``origin``, ``created_at``, ``created_by``, ``updated_at``, ``updated_by``) and its
  whole thread (each message's ``uid``, ``position``, ``at_utc``, ``username``,
  ``full_name``, ``role``, ``text``, ``status``, ``origin``): ``Query.to_json``
  without ``age_days`` and ``where``. Ages and the day of printing are left out
  (they follow from the day, not from the record), and so are labels from the
  definitions (the study version stands for them).
* **SDV report** — ``{"format": "npc-crf/sdv-report", "version": 1, "study", "site",
  "subject", "subjects", "values": [...], "changed": [...]}`` where each value that
  needs SDV holds ``subject``, ``event``, ``occurrence``, ``form``, ``item_path``,
  ``row_uid``, ``value_version``, ``verified_version``, ``verified_by``,
  ``verified_at``; ``changed`` holds the audit ``seq`` of each SDV reset listed
  (a verified value changed and not verified again) with its ``state``.

Neither hash reads the audit trail beyond ``sdv_reset`` entries, so issuing a
document (``document_issued``) never changes them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, select

from npc_crf.auth.roles import Permission
from npc_crf.core.errors import UsageError
from npc_crf.forms.canonical import canonical_json, sha256_hex
from npc_crf.forms.model import Study, Text
from npc_crf.forms.session import ItemPath
from npc_crf.services.monitoring.query_model import (
    OPEN_STATUSES,
    Query,
    QueryStatus,
    where_text,
)
from npc_crf.services.monitoring.sdv import FormSdv, by_form
from npc_crf.services.monitoring.sdv_items import SdvItem, SdvState, read_items
from npc_crf.services.workspace import Workspace
from npc_crf.store.models import account, audit_entry, subject

#: age bands of open queries, in days (inclusive); the last is open-ended
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7", 0, 7),
    ("8-14", 8, 14),
    ("15-30", 15, 30),
    (">30", 31, None),
)

#: the order statuses are counted and listed in
STATUS_ORDER: tuple[QueryStatus, ...] = (
    QueryStatus.NEW,
    QueryStatus.UPDATED,
    QueryStatus.RESOLUTION_PROPOSED,
    QueryStatus.CLOSED,
    QueryStatus.NOT_APPLICABLE,
)

#: what an SDV reset listed in the report has become
RESET_PENDING = "pending"  # the changed value waits for verification again
RESET_GONE = "gone"  # the value was cleared or its row removed: nothing to verify


# -- shared ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StudyLine:
    """The study a report is about."""

    oid: str
    version: str
    name: Text
    protocol: str

    def text(self, lang: str) -> str:
        """``NPC-SINT-RT 1.0 — Sintilimab plus …`` for the running header."""
        return f"{self.oid} {self.version} — {self.name.get(lang)}"


@dataclass(frozen=True)
class Place:
    """Where something is in a casebook, with its labels from the definitions."""

    subject_id: str
    event_oid: str | None = None
    occurrence: int | None = None
    form_oid: str | None = None
    item_path: str | None = None
    event: Text | None = None  # "Treatment cycle 2"
    form: Text | None = None  # "Study drug administration"
    item: Text | None = None  # "Start date", "Lines, row 2: Regimen"

    @property
    def path(self) -> str:
        """``S01-01-0001/CYCLE[2]/EX/EXSTDAT``."""
        return where_text(
            self.subject_id, self.event_oid, self.occurrence, self.form_oid, self.item_path
        )

    def text(self, lang: str, whole: str = "") -> str:
        """The labels joined (``Treatment cycle 2 · Study drug · Start date``), or
        ``whole`` when the place is the subject itself."""
        parts = [t.get(lang) for t in (self.event, self.form, self.item) if t is not None]
        return " · ".join(parts) if parts else whole


def _study_line(study: Study) -> StudyLine:
    return StudyLine(study.oid, study.version, study.name, study.protocol.id)


def event_label(study: Study, event_oid: str, occurrence: int | None) -> Text:
    """An event occurrence's name in both languages (``Treatment cycle 2``)."""
    event = study.event(event_oid)
    if event is None:
        return Text(event_oid, event_oid)
    if not event.repeating or occurrence is None:
        return event.name
    return Text(f"{event.name.en} {occurrence}", f"{event.name.zh} {occurrence}")


def form_label(study: Study, form_oid: str) -> Text:
    """A form's title in both languages (its OID when the study does not know it)."""
    form = study.forms.get(form_oid)
    return form.title if form is not None else Text(form_oid, form_oid)


@dataclass(frozen=True)
class ItemLabel:
    """An item's label, and for a cell of a repeating group the group and the row."""

    item: Text
    group: Text | None = None
    row: int | None = None

    def get(self, lang: str) -> str:
        """``Start date``; ``Lines, row 2: Regimen`` (``Lines，第 2 行：Regimen``)."""
        if self.group is None:
            return self.item.get(lang)
        if lang == "zh":
            return f"{self.group.zh}，第 {self.row} 行：{self.item.zh}"
        return f"{self.group.en}, row {self.row}: {self.item.en}"

    def as_text(self) -> Text:
        """Both languages as one :class:`Text`."""
        return Text(self.get("en"), self.get("zh"))


def item_label(study: Study, form_oid: str, item_path: str) -> ItemLabel:
    """An item path named from the definitions (the OIDs where they do not know it)."""
    form = study.forms.get(form_oid)
    try:
        path = ItemPath.parse(item_path)
    except ValueError:
        return ItemLabel(Text(item_path, item_path))
    item = form.item(path.item) if form is not None else None
    label = item.label if item is not None else Text(path.item, path.item)
    if path.group is None:
        return ItemLabel(label)
    group = form.item(path.group) if form is not None else None
    name = group.label if group is not None else Text(path.group, path.group)
    return ItemLabel(label, name, path.row)


def _place(
    study: Study,
    subject_id: str,
    event_oid: str | None,
    occurrence: int | None,
    form_oid: str | None,
    item_path: str | None,
) -> Place:
    return Place(
        subject_id,
        event_oid,
        occurrence,
        form_oid,
        item_path,
        event_label(study, event_oid, occurrence) if event_oid else None,
        form_label(study, form_oid) if form_oid else None,
        item_label(study, form_oid, item_path).as_text() if form_oid and item_path else None,
    )


def _subject_ids(conn: Connection, subject_id: str | None) -> tuple[str, ...]:
    """The subjects in scope, in ID order; UsageError for an unknown subject."""
    query = select(subject.c.subject_id).order_by(subject.c.subject_id)
    if subject_id is not None:
        query = query.where(subject.c.subject_id == subject_id)
    found = tuple(conn.execute(query).scalars())
    if subject_id is not None and not found:
        raise UsageError(f"There is no subject '{subject_id}' at this site.")
    return found


def _printed_names(conn: Connection) -> dict[str, str]:
    """User name → ``Full Name (username)`` for every account of the site."""
    rows = conn.execute(select(account.c.username, account.c.full_name))
    return {u: f"{name} ({u})" for u, name in rows}


def _hash(doc: dict[str, Any]) -> str:
    return sha256_hex(canonical_json(doc))


def _as_of(ws: Workspace) -> dt.date:
    """The local day the report is made (query ages count from it)."""
    return ws.now().astimezone().date()


# -- queries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadMessage:
    """One message of a query's thread (position 1 raised it)."""

    position: int
    at_utc: str
    username: str
    full_name: str
    role: str  # CRC, INV, MON, or the coordinating center's own role
    text: str
    status: QueryStatus  # the query's status after this message


@dataclass(frozen=True)
class QueryLine:
    """One query as the report prints it."""

    uid: str
    place: Place
    kind: str  # a QueryKind value
    status: QueryStatus
    assigned_role: str | None  # CRC, INV, MON; None: anyone
    raised_by: str  # user name
    raised_by_name: str  # printed name of whoever wrote the first message
    raised_at: str  # UTC, ISO 8601
    updated_at: str
    age_days: int
    messages: tuple[ThreadMessage, ...]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class SubjectQueries:
    """A subject's queries, oldest first (empty when it has none)."""

    subject_id: str
    queries: tuple[QueryLine, ...]

    @property
    def open(self) -> int:
        return sum(1 for q in self.queries if q.is_open)

    @property
    def oldest_open_days(self) -> int | None:
        ages = [q.age_days for q in self.queries if q.is_open]
        return max(ages) if ages else None


@dataclass(frozen=True)
class FormQueryCount:
    """Queries about one form (``form_oid`` None: about a subject or an event)."""

    form_oid: str | None
    form: Text | None
    total: int
    open: int


@dataclass(frozen=True)
class QueryReportData:
    """Everything the query report prints."""

    study: StudyLine
    site_id: str
    subject_id: str | None  # None: the whole site
    include_closed: bool
    as_of: dt.date  # the day ages count to
    subjects: tuple[SubjectQueries, ...]
    by_status: tuple[tuple[QueryStatus, int], ...]  # every status, in STATUS_ORDER
    by_age: tuple[tuple[str, int], ...]  # open queries per AGE_BANDS key
    by_form: tuple[FormQueryCount, ...]
    content_hash: str

    @property
    def total(self) -> int:
        return sum(len(s.queries) for s in self.subjects)

    @property
    def open(self) -> int:
        return sum(s.open for s in self.subjects)


def _line(study: Study, query: Query, as_of: dt.date) -> QueryLine:
    messages = tuple(
        ThreadMessage(m.position, m.at_utc, m.username, m.full_name, m.role, m.text, m.status)
        for m in query.messages
    )
    return QueryLine(
        query.uid,
        _place(
            study,
            query.subject_id,
            query.event_oid,
            query.occurrence,
            query.form_oid,
            query.item_path,
        ),
        query.kind.value,
        query.status,
        query.assigned_role.value if query.assigned_role else None,
        query.created_by,
        messages[0].full_name if messages else query.created_by,
        query.created_at,
        query.updated_at,
        query.age_days(as_of),
        messages,
    )


def age_band(days: int) -> str:
    """The :data:`AGE_BANDS` key of an age in days."""
    for key, low, high in AGE_BANDS:
        if days >= low and (high is None or days <= high):
            return key
    return AGE_BANDS[0][0]  # a query raised "in the future" (a clock set back)


def _by_form(study: Study, lines: Sequence[QueryLine]) -> tuple[FormQueryCount, ...]:
    counts: dict[str | None, list[int]] = {}
    for q in lines:
        total = counts.setdefault(q.place.form_oid, [0, 0])
        total[0] += 1
        total[1] += q.is_open
    order = {oid: n for n, oid in enumerate(study.forms)}
    keys = sorted(counts, key=lambda k: (k is None, order.get(k or "", len(order)), k or ""))
    return tuple(
        FormQueryCount(k, form_label(study, k) if k else None, counts[k][0], counts[k][1])
        for k in keys
    )


def _query_doc(query: Query) -> dict[str, Any]:
    doc = query.to_json()
    for derived in ("age_days", "where"):  # follow from the day and the other fields
        del doc[derived]
    return doc


def gather_queries(
    ws: Workspace, subject_id: str | None = None, *, include_closed: bool = True
) -> QueryReportData:
    """The query report's data for the site (or one subject): every query with its
    thread, and counts by status, by age band (open ones) and by form.

    ``include_closed=False`` leaves out closed and not-applicable queries. Needs the
    ``view_data`` permission (every role has it).
    """
    ws.require(Permission.VIEW_DATA, "view queries")
    study = ws.study
    with ws.read() as conn:
        ids = _subject_ids(conn, subject_id)
    statuses = None if include_closed else sorted(OPEN_STATUSES)
    queries = ws.queries.list(subject_id=subject_id, status=statuses, with_messages=True)
    as_of = _as_of(ws)
    per: dict[str, list[QueryLine]] = {sid: [] for sid in ids}
    for query in queries:
        per.setdefault(query.subject_id, []).append(_line(study, query, as_of))
    subjects = tuple(SubjectQueries(sid, tuple(per[sid])) for sid in sorted(per))
    lines = [q for s in subjects for q in s.queries]
    by_status = tuple((s, sum(1 for q in lines if q.status is s)) for s in STATUS_ORDER)
    bands = [age_band(q.age_days) for q in lines if q.is_open]
    by_age = tuple((key, bands.count(key)) for key, _low, _high in AGE_BANDS)
    content = {
        "format": "npc-crf/query-report",
        "version": 1,
        "study": [study.oid, study.version],
        "site": ws.site_id,
        "subject": subject_id,
        "include_closed": include_closed,
        "subjects": [s.subject_id for s in subjects],
        "queries": [_query_doc(q) for q in queries],
    }
    return QueryReportData(
        _study_line(study),
        ws.site_id,
        subject_id,
        include_closed,
        as_of,
        subjects,
        by_status,
        by_age,
        _by_form(study, lines),
        _hash(content),
    )


# -- source data verification -----------------------------------------------------------


@dataclass(frozen=True)
class PendingItem:
    """A stored value that still needs SDV."""

    item_path: str
    label: ItemLabel
    value_version: int


@dataclass(frozen=True)
class SdvFormLine:
    """SDV progress of one stored form that holds values needing SDV."""

    place: Place  # event and form
    mode: str  # the form's sdv level: all, critical
    required: int
    verified: int
    verified_by: tuple[str, ...]  # printed names of the monitors whose marks stand
    last_verified_at: str | None  # UTC, ISO 8601
    pending_items: tuple[PendingItem, ...]
    changed: int  # pending values that were verified before and then changed

    @property
    def pending(self) -> int:
        return self.required - self.verified


@dataclass(frozen=True)
class SdvReset:
    """A verified value that changed afterwards (audited ``sdv_reset``) and is not
    verified again."""

    seq: int  # of the sdv_reset audit entry
    place: Place  # down to the item (its path when it changed)
    changed_at: str  # UTC, ISO 8601
    changed_by: str  # printed name of whoever saved the change
    verified_by: str  # printed name of the monitor whose mark was dropped
    verified_at: str | None
    verified_version: int | None
    state: str  # RESET_PENDING or RESET_GONE


@dataclass(frozen=True)
class SubjectSdvLine:
    """One subject's SDV progress: its forms in casebook order, and values changed
    since they were verified."""

    subject_id: str
    forms: tuple[SdvFormLine, ...]
    resets: tuple[SdvReset, ...]

    @property
    def required(self) -> int:
        return sum(f.required for f in self.forms)

    @property
    def verified(self) -> int:
        return sum(f.verified for f in self.forms)

    @property
    def pending(self) -> int:
        return self.required - self.verified

    @property
    def forms_done(self) -> int:
        return sum(1 for f in self.forms if f.pending == 0)

    @property
    def percent(self) -> float | None:
        """Values verified, in percent (None when no value needs SDV)."""
        return percent(self.verified, self.required)


@dataclass(frozen=True)
class SdvReportData:
    """Everything the SDV report prints."""

    study: StudyLine
    site_id: str
    subject_id: str | None  # None: the whole site
    as_of: dt.date
    subjects: tuple[SubjectSdvLine, ...]
    content_hash: str

    @property
    def required(self) -> int:
        return sum(s.required for s in self.subjects)

    @property
    def verified(self) -> int:
        return sum(s.verified for s in self.subjects)

    @property
    def pending(self) -> int:
        return self.required - self.verified

    @property
    def forms(self) -> int:
        return sum(len(s.forms) for s in self.subjects)

    @property
    def forms_done(self) -> int:
        return sum(s.forms_done for s in self.subjects)

    @property
    def percent(self) -> float | None:
        """Values verified over the scope, in percent (None when none needs SDV)."""
        return percent(self.verified, self.required)

    @property
    def forms_percent(self) -> float | None:
        """Forms with every value verified, in percent."""
        return percent(self.forms_done, self.forms)


def percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent, to one decimal (None when ``whole`` is 0)."""
    return round(100.0 * part / whole, 1) if whole else None


def _item_key(
    subject_id: str, event: str, occ: int, form: str, row: str, item: str
) -> tuple[str, ...]:
    return (subject_id, event, str(occ), form, row, item)


def _form_line(study: Study, form: FormSdv, names: dict[str, str], changed: int) -> SdvFormLine:
    verified = [i for i in form.items if i.state is SdvState.VERIFIED]
    by = sorted({names.get(i.verified_by or "", i.verified_by or "") for i in verified})
    last = max((i.verified_at or "" for i in verified), default="") or None
    pending = tuple(
        PendingItem(i.item_path, item_label(study, i.form_oid, i.item_path), i.value_version)
        for i in form.items
        if i.state is SdvState.PENDING
    )
    return SdvFormLine(
        _place(study, form.subject_id, form.event_oid, form.occurrence, form.form_oid, None),
        form.mode.value,
        form.required,
        form.verified,
        tuple(by),
        last,
        pending,
        changed,
    )


def _resets(
    conn: Connection,
    study: Study,
    subject_id: str | None,
    items: Iterable[SdvItem],
    names: dict[str, str],
) -> list[SdvReset]:
    """The latest SDV reset of each value that is not verified again since."""
    cond = audit_entry.c.action == "sdv_reset"
    if subject_id is not None:
        cond = and_(audit_entry.c.subject_id == subject_id, cond)
    rows = conn.execute(select(audit_entry).where(cond).order_by(audit_entry.c.seq)).mappings()
    latest: dict[tuple[str, ...], Any] = {}
    for r in rows:
        try:
            item_oid = ItemPath.parse(r["item_path"] or "").item
        except ValueError:
            continue
        key = _item_key(
            r["subject_id"] or "",
            r["event_oid"] or "",
            r["occurrence"] or 0,
            r["form_oid"] or "",
            r["row_uid"] or "",
            item_oid,
        )
        latest[key] = r
    current = {
        _item_key(i.subject_id, i.event_oid, i.occurrence, i.form_oid, i.row_uid, i.item_oid): i
        for i in items
    }
    found: list[SdvReset] = []
    for key, r in latest.items():
        now = current.get(key)
        if now is not None and now.state is SdvState.VERIFIED:
            continue  # the reset dropped the mark: a mark now was set after the change
        try:
            old = json.loads(r["old_value"] or "{}")
        except ValueError:
            old = {}
        if not isinstance(old, dict):
            old = {}
        by = str(old.get("verified_by") or "")
        path = now.item_path if now is not None else r["item_path"]
        found.append(
            SdvReset(
                r["seq"],
                _place(
                    study, r["subject_id"], r["event_oid"], r["occurrence"], r["form_oid"], path
                ),
                r["at_utc"],
                names.get(r["username"], r["username"]),
                names.get(by, by),
                old.get("verified_at"),
                old.get("version"),
                RESET_PENDING if now is not None else RESET_GONE,
            )
        )
    found.sort(key=lambda x: x.seq)
    return found


def _value_doc(i: SdvItem) -> dict[str, Any]:
    return {
        "subject": i.subject_id,
        "event": i.event_oid,
        "occurrence": i.occurrence,
        "form": i.form_oid,
        "item_path": i.item_path,
        "row_uid": i.row_uid,
        "value_version": i.value_version,
        "verified_version": i.verified_version,
        "verified_by": i.verified_by,
        "verified_at": i.verified_at,
    }


def gather_sdv(ws: Workspace, subject_id: str | None = None) -> SdvReportData:
    """The SDV report's data for the site (or one subject): per subject and form the
    values needing SDV, verified and pending (with the pending items named), who
    verified them and when, and the values changed since they were verified.

    The values are read as ``ws.sdv`` and the SDV CSV read them
    (:func:`~npc_crf.services.monitoring.sdv_items.read_items`), in one snapshot with
    the subjects, the accounts' printed names and the ``sdv_reset`` audit entries.
    Needs ``view_data`` and ``view_audit`` (every role has both).
    """
    ws.require(Permission.VIEW_DATA, "view SDV progress")
    ws.require(Permission.VIEW_AUDIT, "read the audit trail")
    study = ws.study
    with ws.read() as conn:
        ids = _subject_ids(conn, subject_id)
        items = read_items(conn, study, subject_id=subject_id)
        names = _printed_names(conn)
        resets = _resets(conn, study, subject_id, items, names)
    pending_changed: dict[tuple[str, str, int, str], int] = {}
    for r in resets:
        if r.state == RESET_PENDING:
            p = r.place
            key = (p.subject_id, p.event_oid or "", p.occurrence or 0, p.form_oid or "")
            pending_changed[key] = pending_changed.get(key, 0) + 1
    forms: dict[str, list[SdvFormLine]] = {sid: [] for sid in ids}
    for f in by_form(items, study.forms):
        key = (f.subject_id, f.event_oid, f.occurrence, f.form_oid)
        line = _form_line(study, f, names, pending_changed.get(key, 0))
        forms.setdefault(f.subject_id, []).append(line)
    subjects = tuple(
        SubjectSdvLine(
            sid, tuple(forms[sid]), tuple(r for r in resets if r.place.subject_id == sid)
        )
        for sid in sorted(forms)
    )
    content = {
        "format": "npc-crf/sdv-report",
        "version": 1,
        "study": [study.oid, study.version],
        "site": ws.site_id,
        "subject": subject_id,
        "subjects": [s.subject_id for s in subjects],
        "values": [_value_doc(i) for i in items],
        "changed": [{"seq": r.seq, "state": r.state} for r in resets],
    }
    return SdvReportData(
        _study_line(study), ws.site_id, subject_id, _as_of(ws), subjects, _hash(content)
    )


__all__ = [
    "AGE_BANDS",
    "STATUS_ORDER",
    "FormQueryCount",
    "ItemLabel",
    "PendingItem",
    "Place",
    "QueryLine",
    "QueryReportData",
    "SdvFormLine",
    "SdvReportData",
    "SdvReset",
    "StudyLine",
    "SubjectQueries",
    "SubjectSdvLine",
    "ThreadMessage",
    "age_band",
    "gather_queries",
    "gather_sdv",
    "percent",
]
