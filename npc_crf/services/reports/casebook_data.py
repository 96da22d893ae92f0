"""The data of a subject's printed casebook, gathered from the store, and its content hash.

:func:`gather_casebook` reads one subject's whole record through the services
(so permissions apply as everywhere): the study and site, the subject, every
event occurrence in casebook order with each saved form (status, revision,
version, values in definition order, kept soft-warning reasons, SDV state,
freezes and locks, queries with their threads, e-signature manifestations),
and the subject's full audit trail. The parts are read one after the other;
when the audit trail grew meanwhile the whole read is repeated (up to three
times, then it is refused), so every part shows the record as of one audit
entry: every change to a record writes one, in the same transaction.

Content hash
------------
:attr:`CasebookDocument.content_hash` is the SHA-256 (lower-case hex) of the
canonical JSON (:func:`npc_crf.forms.canonical.canonical_json`: keys sorted, no
spaces, UTF-8) of this object, ``"npc-crf/casebook-content"`` version 1
(:func:`content_document` builds it; its keys are named there):

* ``study``: study OID and version; ``site``: the site ID;
* ``subject``: ID, status, status reason and date, created at and by;
* ``events``: in casebook order, each ``event`` OID and ``occurrence`` with its
  ``forms`` in the event's order; each form: OID, status, revision, form
  version, definition hash, updated at and by, ``content_hash`` (the hash an
  e-signature is bound to: the stored answers, missing-data codes included, as
  plain JSON without row identities; ``npc_crf.services.casebook.content_hash``),
  ``overrides`` (item path → kept soft-warning reason) and ``sdv`` (each value
  that needs SDV: item path, value version, state, verified version, by and at);
* ``holds``: every freeze and lock in force on the site, the subject or its forms
  (level, scope, target, set at and by, reason);
* ``queries``: every query about the subject (uid, target, row uid, kind,
  status, assignment, origin, created at and by), each with its whole thread
  (message uid, position, time, user, printed name, role, status, text, origin);
* ``signatures``: every e-signature, voided ones included (form, printed name,
  user name, UTC time, meaning code, scope, batch, voided at and why);
* ``audit``: every audit entry about the subject (seq, UTC time, local offset,
  installation, user, role, action, entity, old and new value as
  ``npc-crf audit show`` prints them, reason, source, form and application
  version) **except** ``document_issued`` entries.

Nothing about the printing goes in: not the language, the decodes and labels
of the definitions (the forms' definition hashes stand for them), the time,
the person printing, nor the ``document_issued`` entries that record earlier
printouts (they are printed in the trail, but not hashed). Re-gathering an
unchanged record therefore gives the same hash, and any change to a value, a
status, a signature, a query, an SDV mark, a hold or the trail gives another.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import func, select

from npc_crf.auth.roles import Permission
from npc_crf.core.errors import UsageError
from npc_crf.forms.canonical import canonical_json
from npc_crf.forms.display import value_text
from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.model import Form, Item, ItemType, Study, Text
from npc_crf.reports import DOCUMENT_ISSUED
from npc_crf.services.audit_service import AuditEntry
from npc_crf.services.casebook import content_hash as form_content_hash
from npc_crf.services.monitoring.hold_model import Hold, Scope
from npc_crf.services.monitoring.query_model import OPEN_STATUSES, Query, QueryStatus
from npc_crf.services.monitoring.sdv import FormSdv
from npc_crf.services.monitoring.sdv_items import SdvItem, SdvState
from npc_crf.services.monitoring.signature_model import Manifestation
from npc_crf.services.subjects import SubjectInfo
from npc_crf.services.workspace import Workspace
from npc_crf.store.models import audit_entry
from npc_crf.store.records import StoredForm, subject_forms

#: the name and version of the object the content hash is taken over
CONTENT_FORMAT = "npc-crf/casebook-content"
CONTENT_VERSION = 1

#: how often the record is read again when it changed while being read
READ_ATTEMPTS = 3

#: (event OID, occurrence, form OID)
FormKey = tuple[str, int, str]
T = TypeVar("T")


# -- the document ------------------------------------------------------------------------


@dataclass(frozen=True)
class StudyPart:
    """The study the record belongs to."""

    oid: str
    version: str
    name: Text
    protocol_id: str
    protocol_version: str
    protocol_title: Text
    registry: str | None


@dataclass(frozen=True)
class SubjectPart:
    """The subject: identity and status."""

    subject_id: str
    status: str  # a SubjectStatus value
    status_reason: str | None
    status_date: str | None
    created_at: str
    created_by: str
    arm: Text | None  # the study's arm when it has only one (no assignment is stored)


@dataclass(frozen=True)
class SdvValue:
    """The SDV state of one stored value."""

    state: str  # "verified" or "pending"
    value_version: int
    verified_version: int | None
    verified_by: str | None
    verified_at: str | None


@dataclass(frozen=True)
class ValueLine:
    """One stored answer as printed: label, decoded text in both languages, unit."""

    path: str  # "ICDAT", "MH[2].MHTERM"
    item_oid: str
    label: Text
    text: Text  # the decode, "Yes", "2024-03-UNK", "ND – Not done"
    unit: Text | None  # None for a missing-data code
    missing: str | None  # the missing-data code, if the answer is one
    override_reason: str | None  # the reason a soft warning was kept
    sdv: SdvValue | None  # None: the value needs no SDV


@dataclass(frozen=True)
class GroupColumn:
    """A column of a repeating group that holds at least one answer."""

    oid: str
    label: Text
    unit: Text | None


@dataclass(frozen=True)
class GroupRowPart:
    """One row of a repeating group: a cell per column (None: no answer)."""

    number: int
    cells: tuple[ValueLine | None, ...]


@dataclass(frozen=True)
class GroupTable:
    """A repeating group's rows (removed rows are not part of the record's answers)."""

    oid: str
    label: Text
    columns: tuple[GroupColumn, ...]
    rows: tuple[GroupRowPart, ...]


@dataclass(frozen=True)
class SectionPart:
    """A section of a form with its answered items and groups, in definition order."""

    oid: str
    title: Text
    entries: tuple[ValueLine | GroupTable, ...]


@dataclass(frozen=True)
class FormSdvState:
    """The SDV state of a whole form."""

    state: str  # "verified", "pending" or "not_required"
    required: int
    verified: int
    verified_by: tuple[str, ...]  # the monitors whose marks stand
    last_verified_at: str | None

    @property
    def pending(self) -> int:
        return self.required - self.verified


NO_SDV = FormSdvState("not_required", 0, 0, (), None)


@dataclass(frozen=True)
class HoldLine:
    """A freeze or lock in force."""

    level: str  # "frozen" / "locked"
    scope: str  # "site" / "subject" / "form"
    target: str  # "S01-01-0001/SCR[1]/IC" for a form, the subject ID, or ""
    set_at: str | None
    set_by: str | None
    reason: str | None

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class MessageLine:
    """One message of a query's thread."""

    uid: str
    position: int
    at_utc: str
    username: str
    full_name: str
    role: str
    status: str
    text: str
    origin: str

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class QueryPart:
    """A query about the subject with its whole thread."""

    uid: str
    where: str
    event_oid: str | None
    occurrence: int | None
    form_oid: str | None
    item_path: str | None
    row_uid: str | None
    kind: str
    status: str
    assigned_role: str | None
    origin: str
    created_at: str
    created_by: str
    messages: tuple[MessageLine, ...]

    @property
    def is_open(self) -> bool:
        return QueryStatus(self.status) in OPEN_STATUSES

    def to_json(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "messages"}
        return data | {"messages": [m.to_json() for m in self.messages]}


@dataclass(frozen=True)
class SignaturePart:
    """An e-signature manifestation (§11.50): printed name, UTC time, meaning."""

    event_oid: str
    occurrence: int
    form_oid: str
    printed_name: str
    username: str
    signed_at: str  # UTC ISO 8601, as stored
    meaning: str  # the study's code
    meaning_text: Text
    scope: str
    batch_uid: str | None
    voided_at: str | None
    void_reason: str | None

    @property
    def signed_at_utc(self) -> str:
        """``2026-01-05 09:30:12 UTC``."""
        return utc_text(self.signed_at)

    def to_json(self) -> dict[str, Any]:
        # the meaning's code is the record; its texts come from the definitions
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "meaning_text"}


@dataclass(frozen=True)
class FormPart:
    """A saved form with everything printed about it."""

    form_oid: str
    title: Text
    status: str  # a FormStatus value
    revision: int
    form_version: str
    definition_hash: str
    updated_at: str
    updated_by: str
    content_hash: str  # what a signature is bound to
    sections: tuple[SectionPart, ...]
    overrides: Mapping[str, str]  # item path → kept soft-warning reason
    sdv: FormSdvState
    sdv_items: tuple[SdvItem, ...]
    holds: tuple[HoldLine, ...]  # every hold that applies (site, subject, form)
    queries: tuple[QueryPart, ...]
    signatures: tuple[SignaturePart, ...]

    @property
    def value_count(self) -> int:
        """Answers printed (cells of group rows included)."""
        count = 0
        for section in self.sections:
            for entry in section.entries:
                if isinstance(entry, ValueLine):
                    count += 1
                else:
                    count += sum(1 for row in entry.rows for cell in row.cells if cell)
        return count


@dataclass(frozen=True)
class EventPart:
    """An event occurrence and its saved forms."""

    event_oid: str
    occurrence: int
    name: Text  # "Treatment cycle 3"
    forms: tuple[FormPart, ...]
    queries: tuple[QueryPart, ...]  # about the event, or a form of it not saved


@dataclass(frozen=True)
class CasebookDocument:
    """Everything a subject's printed casebook shows, and the record's content hash."""

    study: StudyPart
    site_id: str
    subject: SubjectPart
    events: tuple[EventPart, ...]
    holds: tuple[HoldLine, ...]  # every hold in force on the site, subject or its forms
    queries: tuple[QueryPart, ...]  # every query about the subject, oldest first
    subject_queries: tuple[QueryPart, ...]  # those not about an event that has data
    signatures: tuple[SignaturePart, ...]  # in casebook order, voided ones included
    audit: tuple[AuditEntry, ...]  # the subject's whole trail, oldest first
    as_of_seq: int  # the newest audit entry of the record (0: none)
    as_of_utc: str  # its time
    content_hash: str

    @property
    def forms(self) -> list[FormPart]:
        return [f for e in self.events for f in e.forms]

    @property
    def open_queries(self) -> int:
        return sum(1 for q in self.queries if q.is_open)

    @property
    def valid_signatures(self) -> int:
        return sum(1 for s in self.signatures if not s.voided_at)


def utc_text(at: str | None) -> str:
    """``2026-01-05T09:30:12.123456Z`` → ``2026-01-05 09:30:12 UTC`` (empty for None)."""
    if not at:
        return ""
    return f"{at[:19].replace('T', ' ')} UTC"


# -- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Read:
    """The parts of a record as the services returned them."""

    info: SubjectInfo
    stored: dict[tuple[str, int], dict[str, StoredForm]]
    sdv: list[FormSdv]
    holds: list[Hold]
    queries: list[Query]
    signatures: list[Manifestation]
    audit: list[AuditEntry]


def _head(ws: Workspace) -> int:
    with ws.read() as conn:
        return int(conn.execute(select(func.max(audit_entry.c.seq))).scalar() or 0)


def _read(ws: Workspace, subject_id: str) -> _Read:
    info = ws.subjects.get(subject_id)
    with ws.read() as conn:
        stored = subject_forms(conn, subject_id, ws.study.forms)
    return _Read(
        info=info,
        stored=stored,
        sdv=ws.sdv.subject_status(subject_id),
        holds=ws.holds.in_force(subject_id),
        queries=ws.queries.list(subject_id=subject_id, with_messages=True),
        signatures=ws.signatures.manifestations(subject_id, include_voided=True),
        audit=ws.audit.history(subject_id=subject_id),
    )


def gather_casebook(ws: Workspace, subject_id: str) -> CasebookDocument:
    """One subject's casebook: the record as of its newest audit entry, and its hash.

    Needs ``view_data`` and ``view_audit``. The record is read again (up to
    :data:`READ_ATTEMPTS` times) when anything was written while it was read.
    """
    ws.require(Permission.VIEW_DATA, "print casebooks")
    ws.require(Permission.VIEW_AUDIT, "print casebooks with their audit trail")
    for _attempt in range(READ_ATTEMPTS):
        before = _head(ws)
        parts = _read(ws, subject_id)
        if _head(ws) == before:
            return _assemble(ws, parts)
    raise UsageError(
        f"The record of {subject_id} kept changing while it was read for its casebook; "
        "print it again when the other work on it is done."
    )


# -- assembling --------------------------------------------------------------------------


def _event_name(study: Study, event_oid: str, occurrence: int) -> Text:
    event = study.event(event_oid)
    if event is None:
        return Text(f"{event_oid} {occurrence}", f"{event_oid} {occurrence}")
    if not event.repeating:
        return event.name
    return Text(f"{event.name.en} {occurrence}", f"{event.name.zh} {occurrence}")


def _sdv_value(item: SdvItem | None) -> SdvValue | None:
    if item is None:
        return None
    return SdvValue(
        item.state.value,
        item.value_version,
        item.verified_version,
        item.verified_by,
        item.verified_at,
    )


def _line(
    study: Study,
    item: Item,
    path: str,
    value: object,
    overrides: Mapping[str, str],
    sdv: Mapping[str, SdvItem],
) -> ValueLine:
    missing = value.code if isinstance(value, Missing) else None
    return ValueLine(
        path=path,
        item_oid=item.oid,
        label=item.label,
        text=Text(
            value_text(study, item, value, "en", missing_names=True),
            value_text(study, item, value, "zh", missing_names=True),
        ),
        unit=None if missing else item.unit,
        missing=missing,
        override_reason=overrides.get(path),
        sdv=_sdv_value(sdv.get(path)),
    )


def _group(
    study: Study,
    group: Item,
    rows: list[Mapping[str, Any]],
    overrides: Mapping[str, str],
    sdv: Mapping[str, SdvItem],
) -> GroupTable | None:
    if not rows:
        return None
    used = [c for c in group.items if c.takes_input or c.calculate]
    used = [c for c in used if any(row.get(c.oid) is not None for row in rows)]
    parts = []
    for n, row in enumerate(rows, start=1):
        cells = tuple(
            _line(study, c, f"{group.oid}[{n}].{c.oid}", row[c.oid], overrides, sdv)
            if row.get(c.oid) is not None
            else None
            for c in used
        )
        parts.append(GroupRowPart(n, cells))
    columns = tuple(GroupColumn(c.oid, c.label, c.unit) for c in used)
    return GroupTable(group.oid, group.label, columns, tuple(parts))


def _sections(
    study: Study, form: Form, stored: StoredForm, sdv: Mapping[str, SdvItem]
) -> tuple[SectionPart, ...]:
    answers = stored.answers
    out = []
    for section in form.sections:
        entries: list[ValueLine | GroupTable] = []
        for item in section.items:
            value = answers.get(item.oid)
            if value is None or item.type is ItemType.NOTE:
                continue
            if item.is_group:
                table = _group(study, item, value, stored.overrides, sdv)
                if table is not None:
                    entries.append(table)
            else:
                entries.append(_line(study, item, item.oid, value, stored.overrides, sdv))
        if entries:
            out.append(SectionPart(section.oid, section.title, tuple(entries)))
    return tuple(out)


def _form_sdv(found: FormSdv | None) -> FormSdvState:
    if found is None or not found.required:
        return NO_SDV
    marks = [i for i in found.items if i.state is SdvState.VERIFIED]
    by = tuple(sorted({i.verified_by for i in marks if i.verified_by}))
    last = max((i.verified_at for i in marks if i.verified_at), default=None)
    state = "verified" if found.pending == 0 else "pending"
    return FormSdvState(state, found.required, found.verified, by, last)


def _hold(h: Hold) -> HoldLine:
    t = h.target
    if t.scope is Scope.FORM:
        target = f"{t.subject_id}/{t.event_oid}[{t.occurrence}]/{t.form_oid}"
    else:
        target = t.subject_id or ""
    return HoldLine(h.level.value, t.scope.value, target, h.set_at, h.set_by, h.reason)


def _query(q: Query) -> QueryPart:
    return QueryPart(
        uid=q.uid,
        where=q.where,
        event_oid=q.event_oid,
        occurrence=q.occurrence,
        form_oid=q.form_oid,
        item_path=q.item_path,
        row_uid=q.row_uid,
        kind=q.kind.value,
        status=q.status.value,
        assigned_role=q.assigned_role.value if q.assigned_role else None,
        origin=q.origin,
        created_at=q.created_at,
        created_by=q.created_by,
        messages=tuple(
            MessageLine(
                m.uid,
                m.position,
                m.at_utc,
                m.username,
                m.full_name,
                m.role,
                m.status.value,
                m.text,
                m.origin,
            )
            for m in q.messages
        ),
    )


def _signature(m: Manifestation) -> SignaturePart:
    return SignaturePart(
        m.event_oid,
        m.occurrence,
        m.form_oid,
        m.printed_name,
        m.username,
        m.signed_at,
        m.meaning,
        Text(m.meaning_en, m.meaning_zh),
        m.scope,
        m.batch_uid,
        m.voided_at,
        m.void_reason,
    )


def _by_form(items: Iterable[tuple[FormKey, T]]) -> dict[FormKey, list[T]]:
    grouped: dict[FormKey, list[T]] = {}
    for key, item in items:
        grouped.setdefault(key, []).append(item)
    return grouped


@dataclass
class _Placed:
    """Where each query, signature and hold is printed."""

    queries_at_form: dict[FormKey, list[QueryPart]]
    queries_at_event: dict[tuple[str, int], list[QueryPart]]
    queries_at_subject: list[QueryPart]
    signatures: dict[FormKey, list[SignaturePart]]
    wide_holds: tuple[HoldLine, ...]  # the site's and the subject's: they apply to every form
    form_holds: dict[FormKey, list[HoldLine]]


def _place(
    r: _Read, queries: list[QueryPart], signatures: list[SignaturePart], holds: list[HoldLine]
) -> _Placed:
    """A query goes with its form when the form has data, else with its event occurrence
    when that has data, else with the subject."""
    stored = {(e, o, f) for (e, o), forms in r.stored.items() for f in forms}
    at_form: dict[FormKey, list[QueryPart]] = {}
    at_event: dict[tuple[str, int], list[QueryPart]] = {}
    at_subject: list[QueryPart] = []
    for q in queries:
        occurrence = q.occurrence or 1
        if q.event_oid and q.form_oid and (q.event_oid, occurrence, q.form_oid) in stored:
            at_form.setdefault((q.event_oid, occurrence, q.form_oid), []).append(q)
        elif q.event_oid and (q.event_oid, occurrence) in r.stored:
            at_event.setdefault((q.event_oid, occurrence), []).append(q)
        else:
            at_subject.append(q)
    scoped = list(zip(r.holds, holds, strict=True))
    return _Placed(
        at_form,
        at_event,
        at_subject,
        _by_form(((s.event_oid, s.occurrence, s.form_oid), s) for s in signatures),
        tuple(line for h, line in scoped if h.target.scope is not Scope.FORM),
        _by_form(
            ((h.target.event_oid or "", h.target.occurrence, h.target.form_oid or ""), line)
            for h, line in scoped
            if h.target.scope is Scope.FORM
        ),
    )


def _form_part(
    study: Study, key: FormKey, stored: StoredForm, found: FormSdv | None, placed: _Placed
) -> FormPart:
    form = study.forms.get(key[2])
    by_path = {i.item_path: i for i in found.items} if found else {}
    return FormPart(
        form_oid=key[2],
        title=form.title if form else Text(key[2], key[2]),
        status=stored.status,
        revision=stored.revision,
        form_version=stored.form_version,
        definition_hash=stored.definition_hash,
        updated_at=stored.updated_at,
        updated_by=stored.updated_by,
        content_hash=form_content_hash(stored.answers),
        sections=_sections(study, form, stored, by_path) if form else (),
        overrides=dict(sorted(stored.overrides.items())),
        sdv=_form_sdv(found),
        sdv_items=found.items if found else (),
        holds=placed.wide_holds + tuple(placed.form_holds.get(key, ())),
        queries=tuple(placed.queries_at_form.get(key, ())),
        signatures=tuple(placed.signatures.get(key, ())),
    )


def _events(study: Study, r: _Read, placed: _Placed) -> tuple[EventPart, ...]:
    """Every event occurrence with data in casebook order (the study's event order, then
    occurrence), each with its forms in the event's order."""
    sdv = {(f.event_oid, f.occurrence, f.form_oid): f for f in r.sdv}
    order = {e.oid: n for n, e in enumerate(study.events)}
    events = []
    for (event_oid, occurrence), forms in sorted(
        r.stored.items(), key=lambda kv: (order.get(kv[0][0], len(order)), kv[0][1])
    ):
        event = study.event(event_oid)
        form_order = {oid: n for n, oid in enumerate(event.forms if event else ())}
        keys = sorted(forms, key=lambda oid: (form_order.get(oid, len(form_order)), oid))
        parts = tuple(
            _form_part(study, key, forms[key[2]], sdv.get(key), placed)
            for key in ((event_oid, occurrence, oid) for oid in keys)
        )
        events.append(
            EventPart(
                event_oid,
                occurrence,
                _event_name(study, event_oid, occurrence),
                parts,
                tuple(placed.queries_at_event.get((event_oid, occurrence), ())),
            )
        )
    return tuple(events)


def _assemble(ws: Workspace, r: _Read) -> CasebookDocument:
    study, info = ws.study, r.info
    holds = [_hold(h) for h in r.holds]
    queries = [_query(q) for q in r.queries]
    signatures = [_signature(m) for m in r.signatures]
    placed = _place(r, queries, signatures, holds)
    record_entries = [e for e in r.audit if e.action != DOCUMENT_ISSUED]
    newest = record_entries[-1] if record_entries else None
    doc = CasebookDocument(
        study=StudyPart(
            study.oid,
            study.version,
            study.name,
            study.protocol.id,
            study.protocol.version,
            study.protocol.title,
            study.protocol.registry,
        ),
        site_id=ws.site_id,
        subject=SubjectPart(
            info.subject_id,
            info.status.value,
            info.status_reason,
            info.status_date,
            info.created_at,
            info.created_by,
            study.arms[0].name if len(study.arms) == 1 else None,
        ),
        events=_events(study, r, placed),
        holds=tuple(holds),
        queries=tuple(queries),
        subject_queries=tuple(placed.queries_at_subject),
        signatures=tuple(signatures),
        audit=tuple(r.audit),
        as_of_seq=newest.seq if newest else 0,
        as_of_utc=newest.at_utc if newest else "",
        content_hash="",
    )
    digest = hashlib.sha256(canonical_json(content_document(doc)).encode("utf-8")).hexdigest()
    return replace(doc, content_hash=digest)


def _sdv_json(item: SdvItem) -> dict[str, Any]:
    return {
        "path": item.item_path,
        "value_version": item.value_version,
        "state": item.state.value,
        "verified_version": item.verified_version,
        "verified_by": item.verified_by,
        "verified_at": item.verified_at,
    }


def content_document(doc: CasebookDocument) -> dict[str, Any]:
    """The object the content hash is taken over (see the module's docstring)."""
    s = doc.subject
    return {
        "format": CONTENT_FORMAT,
        "version": CONTENT_VERSION,
        "study": {"oid": doc.study.oid, "version": doc.study.version},
        "site": doc.site_id,
        "subject": {
            "id": s.subject_id,
            "status": s.status,
            "status_reason": s.status_reason,
            "status_date": s.status_date,
            "created_at": s.created_at,
            "created_by": s.created_by,
        },
        "events": [
            {
                "event": e.event_oid,
                "occurrence": e.occurrence,
                "forms": [
                    {
                        "form": f.form_oid,
                        "status": f.status,
                        "revision": f.revision,
                        "form_version": f.form_version,
                        "definition_hash": f.definition_hash,
                        "updated_at": f.updated_at,
                        "updated_by": f.updated_by,
                        "content_hash": f.content_hash,
                        "overrides": dict(f.overrides),
                        "sdv": [_sdv_json(i) for i in f.sdv_items],
                    }
                    for f in e.forms
                ],
            }
            for e in doc.events
        ],
        "holds": [h.to_json() for h in doc.holds],
        "queries": [q.to_json() for q in doc.queries],
        "signatures": [sig.to_json() for sig in doc.signatures],
        "audit": [_audit_json(a) for a in doc.audit if a.action != DOCUMENT_ISSUED],
    }


def _audit_json(entry: AuditEntry) -> dict[str, Any]:
    return {k: getattr(entry, k) for k in entry.__dataclass_fields__}
