"""Events and forms of a subject: open, save (through the form session), sign, lock, read.

Every value goes through :class:`~npc_crf.forms.session.FormSession`, so input
parsing, ranges, constraints, skip logic and calculations are applied the same
way for the GUI, the CLI, CSV imports and demo data. One save is one
transaction: the values, the form's status and every audit entry are written
together or not at all.

Form lifecycle: ``in_progress`` → ``complete`` → ``signed``; ``locked`` refuses
edits. Changing a complete or signed form needs a reason for change; changing a
signed form voids its signature. Signing lives in ``ws.signatures`` and locking
in ``ws.holds`` (``npc_crf.services.monitoring``); the methods here delegate.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Connection, and_, bindparam, func, insert, select, update

from npc_crf.auth.roles import Permission
from npc_crf.core.errors import UsageError, ValidationFailed
from npc_crf.core.logs import LOGGER
from npc_crf.forms.canonical import canonical_json, form_hash
from npc_crf.forms.model import Event, Form
from npc_crf.forms.session import ROW_KEY, FormSession, ItemPath, SessionError, Status
from npc_crf.services.monitoring.hooks import (
    ChangedValue,
    Override,
    after_data_change,
    before_data_change,
)
from npc_crf.services.subjects import SubjectInfo
from npc_crf.services.workspace import Tx, Workspace
from npc_crf.store.models import (
    event_instance,
    form_instance,
    group_row,
    item_value,
    signature,
    subject,
)
from npc_crf.store.records import (
    RowLike,
    StoredForm,
    StoreSubject,
    SubjectSnapshot,
    load_form,
    strip_row_keys,
    subject_forms,
)
from npc_crf.store.values import audit_json, plain_answers, to_columns

if TYPE_CHECKING:
    from npc_crf.services.monitoring.signatures import SigningResult

# a save's statements, built once and executed with a list of rows each
_EXISTING_VALUES = select(
    item_value.c.id, item_value.c.row_uid, item_value.c.item_oid, item_value.c.version
).where(item_value.c.form_instance_id == bindparam("b_fid"))
_UPDATE_VALUE = update(item_value).where(item_value.c.id == bindparam("b_id"))
_MOVE_ROW = (
    update(group_row)
    .where(and_(group_row.c.uid == bindparam("b_uid"), group_row.c.position != bindparam("b_pos")))
    .values(position=bindparam("b_pos"))
)
_DELETE_ROW = update(group_row).where(group_row.c.uid == bindparam("b_uid")).values(deleted=True)


class FormStatus(StrEnum):
    """Where a form instance is in its lifecycle (``not_started`` has no row)."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    SIGNED = "signed"
    LOCKED = "locked"


@dataclass(frozen=True)
class ItemReport:
    """An item's state after a save, for items that need attention."""

    path: str
    status: Status
    message_en: str | None
    message_zh: str | None
    override_reason: str | None = None


@dataclass(frozen=True)
class SaveResult:
    """What a save did."""

    subject_id: str
    event_oid: str
    occurrence: int
    form_oid: str
    status: FormStatus
    revision: int
    changed: int
    signature_voided: bool
    items: tuple[ItemReport, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject_id,
            "event": self.event_oid,
            "occurrence": self.occurrence,
            "form": self.form_oid,
            "status": self.status.value,
            "revision": self.revision,
            "changed": self.changed,
            "signature_voided": self.signature_voided,
            "items": [
                {
                    "path": i.path,
                    "status": i.status.value,
                    "message": i.message_en,
                    "override_reason": i.override_reason,
                }
                for i in self.items
            ],
        }


@dataclass
class FormRecord:
    """A saved form as the casebook shows it."""

    form_oid: str
    status: FormStatus
    revision: int
    form_version: str
    definition_hash: str
    updated_at: str
    updated_by: str
    answers: dict[str, Any]


@dataclass
class EventRecord:
    """One occurrence of an event and its saved forms."""

    event_oid: str
    occurrence: int
    forms: dict[str, FormRecord] = field(default_factory=dict)


@dataclass
class Casebook:
    """A subject with every event and form."""

    subject: SubjectInfo
    events: list[EventRecord]

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject.subject_id,
            "study": self.subject.study_oid,
            "status": self.subject.status.value,
            "status_reason": self.subject.status_reason,
            "status_date": self.subject.status_date,
            "events": [
                {
                    "event": e.event_oid,
                    "occurrence": e.occurrence,
                    "forms": {
                        oid: {
                            "status": f.status.value,
                            "revision": f.revision,
                            "form_version": f.form_version,
                            "updated_at": f.updated_at,
                            "updated_by": f.updated_by,
                            "values": plain_answers(f.answers),
                        }
                        for oid, f in e.forms.items()
                    },
                }
                for e in self.events
            ],
        }


class _Change(NamedTuple):
    """One item whose stored value or override changes."""

    row_uid: str
    item_oid: str
    path: str
    old: object
    new: object
    old_override: str | None
    new_override: str | None


@dataclass
class _Diff:
    """What one save changes."""

    values: list[_Change] = field(default_factory=list)
    new_rows: dict[tuple[str, int], str] = field(default_factory=dict)
    live_rows: dict[str, list[str]] = field(default_factory=dict)
    deleted_rows: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.values or self.new_rows or self.deleted_rows)

    def __len__(self) -> int:
        return len(self.values) + len(self.new_rows) + len(self.deleted_rows)


def _new_overrides(session: FormSession, diff: _Diff) -> list[Override]:
    """Soft warnings kept with a new (or changed) reason in this save, with their messages."""
    found: list[Override] = []
    for c in diff.values:
        if not c.new_override or c.new_override == c.old_override:
            continue
        try:
            state = session.state(ItemPath.parse(c.path))
            message = state.message.en if state.message else "outside the expected range"
        except (SessionError, KeyError, ValueError):
            message = "outside the expected range"
        found.append(Override(c.row_uid, c.item_oid, c.path, message, c.new_override))
    return found


def content_hash(answers: RowLike) -> str:
    """SHA-256 over a form's answers (what a signature is bound to)."""
    return hashlib.sha256(
        canonical_json(plain_answers(strip_row_keys(answers))).encode()
    ).hexdigest()


class CasebookService:
    """Read and change one subject's events and forms."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.study = ws.study
        self._form_hashes: dict[str, str] = {}  # form OID → definition hash (study is fixed)

    # -- looking things up ---------------------------------------------------------------

    def _form_hash(self, form: Form) -> str:
        cached = self._form_hashes.get(form.oid)
        if cached is None:
            cached = self._form_hashes[form.oid] = form_hash(self.study, form)
        return cached

    def _event(self, event_oid: str) -> Event:
        event = self.study.event(event_oid)
        if event is None:
            known = ", ".join(e.oid for e in self.study.events)
            raise UsageError(f"There is no event '{event_oid}' in {self.study.oid} ({known}).")
        return event

    def _form(self, event: Event, form_oid: str) -> Form:
        if form_oid not in event.forms:
            raise UsageError(
                f"Event {event.oid} has no form '{form_oid}' (it has {', '.join(event.forms)})."
            )
        return self.study.forms[form_oid]

    def _subject_row(self, conn: Connection, subject_id: str) -> RowLike:
        row = (
            conn.execute(select(subject).where(subject.c.subject_id == subject_id))
            .mappings()
            .first()
        )
        if row is None:
            raise UsageError(f"There is no subject '{subject_id}' at this site.")
        return row

    def _event_instance(
        self,
        tx: Tx,
        subject_id: str,
        event: Event,
        occurrence: int,
        create: bool,
        source: str | None = None,
    ) -> RowLike | None:
        conn = tx.conn
        row = (
            conn.execute(
                select(event_instance).where(
                    and_(
                        event_instance.c.subject_id == subject_id,
                        event_instance.c.event_oid == event.oid,
                        event_instance.c.occurrence == occurrence,
                    )
                )
            )
            .mappings()
            .first()
        )
        if row is not None or not create:
            return row
        count = conn.execute(
            select(func.count())
            .select_from(event_instance)
            .where(
                and_(
                    event_instance.c.subject_id == subject_id,
                    event_instance.c.event_oid == event.oid,
                )
            )
        ).scalar_one()
        if not event.repeating and occurrence != 1:
            raise UsageError(f"Event {event.oid} happens once; its occurrence is 1.")
        if occurrence != count + 1:
            raise UsageError(
                f"{subject_id} has {count} occurrence(s) of {event.oid}; the next one is "
                f"{count + 1}, not {occurrence}."
            )
        if event.max_occurrences is not None and occurrence > event.max_occurrences:
            raise UsageError(f"Event {event.oid} has at most {event.max_occurrences} occurrences.")
        uid = str(uuid.uuid4())
        conn.execute(
            insert(event_instance).values(
                uid=uid,
                subject_id=subject_id,
                event_oid=event.oid,
                occurrence=occurrence,
                created_at=self.ws.now().isoformat(timespec="seconds"),
                created_by=self.ws.username,
            )
        )
        tx.audit.append(
            "event_created",
            subject_id=subject_id,
            event_oid=event.oid,
            occurrence=occurrence,
            source=source,
        )
        return (
            conn.execute(select(event_instance).where(event_instance.c.uid == uid)).mappings().one()
        )

    # -- reading ----------------------------------------------------------------------------

    def load(self, subject_id: str) -> Casebook:
        """A subject's whole casebook."""
        self.ws.require(Permission.VIEW_DATA, "view casebooks")
        info = self.ws.subjects.get(subject_id)
        with self.ws.read() as conn:
            stored = subject_forms(conn, subject_id, self.study.forms)
        order = {e.oid: n for n, e in enumerate(self.study.events)}
        events = [
            EventRecord(
                event_oid,
                occurrence,
                {
                    oid: FormRecord(
                        oid,
                        FormStatus(f.status),
                        f.revision,
                        f.form_version,
                        f.definition_hash,
                        f.updated_at,
                        f.updated_by,
                        strip_row_keys(f.answers),
                    )
                    for oid, f in forms.items()
                },
            )
            for (event_oid, occurrence), forms in sorted(
                stored.items(), key=lambda kv: (order.get(kv[0][0], 999), kv[0][1])
            )
        ]
        return Casebook(info, events)

    def form_record(
        self,
        subject_id: str,
        event_oid: str,
        occurrence: int,
        form_oid: str,
        *,
        tx: Tx | None = None,
    ) -> FormRecord | None:
        """One saved form (status, revision, version, answers); None if not started.

        Inside ``tx`` it sees that transaction's own changes.
        """
        self.ws.require(Permission.VIEW_DATA, "view forms")
        event = self._event(event_oid)
        form = self._form(event, form_oid)

        def read(conn: Connection) -> FormRecord | None:
            self._subject_row(conn, subject_id)
            f = self._stored(conn, subject_id, event.oid, occurrence, form)
            if f is None:
                return None
            return FormRecord(
                form.oid,
                FormStatus(f.status),
                f.revision,
                f.form_version,
                f.definition_hash,
                f.updated_at,
                f.updated_by,
                strip_row_keys(f.answers),
            )

        if tx is not None:
            return read(tx.conn)
        with self.ws.read() as conn:
            return read(conn)

    def open_form(
        self, subject_id: str, event_oid: str, occurrence: int, form_oid: str
    ) -> FormSession:
        """A form session holding the saved answers (empty if not started)."""
        self.ws.require(Permission.VIEW_DATA, "open forms")
        event = self._event(event_oid)
        form = self._form(event, form_oid)
        with self.ws.read() as conn:
            self._subject_row(conn, subject_id)
            stored = self._stored(conn, subject_id, event.oid, occurrence, form)
            session = self._session(conn, subject_id, event, occurrence, form, stored)
            # the session outlives this connection: its checks read a snapshot instead
            session.subject = SubjectSnapshot(conn, subject_id, self.study.forms)
            return session

    def _stored(
        self, conn: Connection, subject_id: str, event_oid: str, occurrence: int, form: Form
    ) -> StoredForm | None:
        inst = (
            conn.execute(
                select(form_instance)
                .join(event_instance, form_instance.c.event_instance_id == event_instance.c.id)
                .where(
                    and_(
                        event_instance.c.subject_id == subject_id,
                        event_instance.c.event_oid == event_oid,
                        event_instance.c.occurrence == occurrence,
                        form_instance.c.form_oid == form.oid,
                    )
                )
            )
            .mappings()
            .first()
        )
        return load_form(conn, inst, form) if inst is not None else None

    def _session(
        self,
        conn: Connection,
        subject_id: str,
        event: Event,
        occurrence: int,
        form: Form,
        stored: StoredForm | None,
    ) -> FormSession:
        return FormSession(
            self.study,
            form,
            subject=StoreSubject(conn, subject_id, self.study.forms),
            event=event.oid,
            occurrence=occurrence,
            reference_ranges=self.study.reference_ranges,
            answers=stored.answers if stored else None,
            overrides=stored.overrides if stored else None,
        )

    # -- saving --------------------------------------------------------------------------------

    def save_form(
        self,
        subject_id: str,
        event_oid: str,
        occurrence: int,
        form_oid: str,
        values: Mapping[str, object],
        *,
        overrides: Mapping[str, str] | None = None,
        reason: str | None = None,
        complete: bool = False,
        source: str | None = None,
        tx: Tx | None = None,
    ) -> SaveResult:
        """Apply ``values`` (item path → typed value, text, or Missing) and save.

        Keys are item OIDs, ``GROUP[n].ITEM`` for one cell, or a group OID with a
        list of row mappings (row n of the list is row n of the group; rows past
        the end are added, rows beyond the list are removed). Nothing is saved
        when any value is refused; ValidationFailed lists each one.
        """
        self.ws.require(Permission.ENTER_DATA, "enter or change clinical data")
        event = self._event(event_oid)
        form = self._form(event, form_oid)
        if occurrence < 1:
            raise UsageError("Occurrences are counted from 1.")
        started = time.perf_counter()
        args = (subject_id, event, occurrence, form, values, overrides, reason, complete, source)
        if tx is not None:
            result = self._save(tx, *args)
        else:
            with self.ws.tx() as own:
                result = self._save(own, *args)
        LOGGER.info(
            "saved %s/%s rev %d: %d change(s), %s, %.1f ms",
            event.oid,
            form.oid,
            result.revision,
            result.changed,
            result.status.value,
            (time.perf_counter() - started) * 1000,
        )
        return result

    def _where(self, subject_id: str, event: Event, occurrence: int, form: Form) -> str:
        occ = f"[{occurrence}]" if event.repeating else ""
        return f"{subject_id}/{event.oid}{occ}/{form.oid}"

    def _save(
        self,
        tx: Tx,
        subject_id: str,
        event: Event,
        occurrence: int,
        form: Form,
        values: Mapping[str, object],
        overrides: Mapping[str, str] | None,
        reason: str | None,
        complete: bool,
        source: str | None,
    ) -> SaveResult:
        conn = tx.conn
        where = self._where(subject_id, event, occurrence, form)
        self._subject_row(conn, subject_id)
        current_hash = self._form_hash(form)
        ev = self._event_instance(tx, subject_id, event, occurrence, create=False)
        stored = self._stored(conn, subject_id, event.oid, occurrence, form) if ev else None
        if stored is not None:
            if stored.status == FormStatus.LOCKED:
                raise UsageError(f"{where} is locked; it cannot be changed.")
            if stored.definition_hash != current_hash:
                raise UsageError(
                    f"{where} was started with form version {stored.form_version} "
                    f"(definition {stored.definition_hash[:12]}); this installation has "
                    f"version {form.version} ({current_hash[:12]}). Moving data between form "
                    "versions is not supported yet."
                )
        before_data_change(self.ws, conn, subject_id, stored.id if stored else None, where)
        session = self._session(conn, subject_id, event, occurrence, form, stored)
        problems = self._apply(session, values, overrides or {}, where)
        given = {p.split(": ", 1)[0] for p in problems}
        for path, state in session.problems().items():
            # a change may make another stored value impossible: never save that
            if state.status is Status.HARD_ERROR and f"{where}/{path}" not in given:
                message = state.message.en if state.message else "refused"
                problems.append(f"{where}/{path}: {message} (the stored value is now refused)")
        if problems:
            raise ValidationFailed(
                f"Nothing was saved: {len(problems)} value(s) refused.", problems
            )
        if complete:
            missing = [
                f"{where}/{p}: {s.status.value}" + (f" — {s.message.en}" if s.message else "")
                for p, s in session.problems().items()
                if s.status in (Status.REQUIRED_EMPTY, Status.HARD_ERROR)
                or (s.status is Status.SOFT_WARNING and not s.override_reason)
            ]
            if missing:
                raise ValidationFailed(
                    "The form cannot be marked complete; nothing was saved.",
                    missing,
                    "Fill in required items, correct refused values, and give a reason for "
                    "each value kept outside its expected range.",
                )

        old_status = FormStatus(stored.status) if stored else FormStatus.NOT_STARTED
        was_done = old_status in (FormStatus.COMPLETE, FormStatus.SIGNED)
        changes = self._changes(session, form, stored)
        if not changes and (not complete or was_done):
            return self._result(
                subject_id, event, occurrence, form, old_status, stored, 0, False, session
            )
        if changes and was_done and not (reason or "").strip():
            raise UsageError(f"{where} is {old_status.value}: a reason for change is needed.")
        new_status = (
            FormStatus.COMPLETE
            if (complete or was_done) and session.is_complete()
            else FormStatus.IN_PROGRESS
        )
        if ev is None:
            ev = self._event_instance(tx, subject_id, event, occurrence, create=True, source=source)
            assert ev is not None
        now = self.ws.now().isoformat(timespec="microseconds")
        if stored is None:
            uid = str(uuid.uuid4())
            conn.execute(
                insert(form_instance).values(
                    uid=uid,
                    event_instance_id=ev["id"],
                    form_oid=form.oid,
                    form_version=form.version,
                    definition_hash=current_hash,
                    status=new_status.value,
                    revision=1,
                    created_at=now,
                    updated_at=now,
                    updated_by=self.ws.username,
                )
            )
            fid = conn.execute(
                select(form_instance.c.id).where(form_instance.c.uid == uid)
            ).scalar_one()
            revision = 1
        else:
            fid, revision = stored.id, stored.revision + 1
            conn.execute(
                update(form_instance)
                .where(form_instance.c.id == fid)
                .values(
                    status=new_status.value,
                    revision=revision,
                    updated_at=now,
                    updated_by=self.ws.username,
                )
            )
        context: dict[str, Any] = {
            "subject_id": subject_id,
            "event_oid": event.oid,
            "occurrence": occurrence,
            "form_oid": form.oid,
            "form_version": form.version,
            "source": source,
        }
        clean_reason = (reason or "").strip() or None
        if stored is None:
            tx.audit.append("form_created", **context)
        self._write_changes(tx, fid, form, changes, now, clean_reason, context)
        after_data_change(
            self.ws,
            tx,
            fid,
            [ChangedValue(c.row_uid, c.item_oid, c.path) for c in changes.values if c.old != c.new],
            _new_overrides(session, changes),
            context,
        )
        voided = False
        if old_status is FormStatus.SIGNED and changes:
            voided = self._void_signatures(tx, fid, now, clean_reason or "data changed", context)
        if new_status is not old_status:
            tx.audit.append(
                "form_status_changed",
                old_value=json.dumps({"status": old_status.value}),
                new_value=json.dumps({"status": new_status.value}),
                reason=clean_reason,
                **context,
            )
        return self._result(
            subject_id,
            event,
            occurrence,
            form,
            new_status,
            None,
            len(changes),
            voided,
            session,
            revision,
        )

    def _apply(
        self,
        session: FormSession,
        values: Mapping[str, object],
        overrides: Mapping[str, str],
        where: str,
    ) -> list[str]:
        problems: list[str] = []
        pending: list[tuple[ItemPath, object]] = []

        def answer(path: ItemPath, raw: object) -> None:
            try:
                session.state(path)  # an item (and row) this form has
            except (SessionError, KeyError) as exc:
                problems.append(f"{where}/{path}: {exc}")
                return
            definition = session.form.item(path.item)
            if definition is not None and not definition.takes_input:
                problems.append(f"{where}/{path}: {path.item} is calculated, not answered")
                return
            pending.append((path, raw))

        for key, raw in values.items():
            item = session.form.item(key) if "[" not in key else None
            if item is not None and item.is_group:
                if not isinstance(raw, list):
                    problems.append(f"{where}/{key}: a group takes a list of rows")
                    continue
                if not all(isinstance(row, Mapping) for row in raw):
                    problems.append(f"{where}/{key}: each row must be an object")
                    continue
                trouble = _match_rows(session, key, raw)
                if trouble:
                    problems.append(f"{where}/{key}: {trouble}")
                    continue
                for n, row in enumerate(raw, start=1):
                    for column, cell in row.items():
                        if column != ROW_KEY:
                            answer(ItemPath(column, key, n), cell)
                continue
            try:
                path = ItemPath.parse(key)
            except ValueError as exc:
                problems.append(f"{where}/{key}: {exc}")
                continue
            if path.group is not None and path.row is not None:
                try:
                    if path.row == session.row_count(path.group) + 1:
                        session.add_row(path.group)
                except SessionError as exc:
                    problems.append(f"{where}/{key}: {exc}")
                    continue
            answer(path, raw)
        raws = dict(pending)
        for path, state in session.answer_all(pending).items():
            if state.status is Status.HARD_ERROR:
                message = state.message.en if state.message else "refused"
                raw = raws.get(path, state.rejected_input)
                shown = "" if str(raw) in message else f" (given: {raw!r})"
                problems.append(f"{where}/{path}: {message}{shown}")
        for key, why in overrides.items():
            try:
                session.override(key, why)
            except (SessionError, ValueError) as exc:
                problems.append(f"{where}/{key}: {exc}")
        return problems

    def _changes(self, session: FormSession, form: Form, stored: StoredForm | None) -> _Diff:
        """Everything a save changes, comparing the session with what is stored.

        Group rows are matched by identity (the store's row uid): a new row gets a
        uid here, a stored row the session no longer has is soft-deleted.
        """
        diff = _Diff()
        old: dict[tuple[str, str], tuple[str, object]] = {}
        old_over = dict(stored.overrides) if stored else {}
        stored_rows: set[str] = set()
        for key, value in (stored.answers if stored else {}).items():
            if isinstance(value, list):
                for n, row in enumerate(value, start=1):
                    uid = str(row[ROW_KEY])
                    stored_rows.add(uid)
                    for column, cell in row.items():
                        if column != ROW_KEY:
                            old[(uid, column)] = (f"{key}[{n}].{column}", cell)
            else:
                old[("", key)] = (key, value)
        for item, _group in form.all_items():
            if item.is_group:
                uids = []
                for n in range(1, session.row_count(item.oid) + 1):
                    known = session.row_key(item.oid, n)
                    if known is None:
                        known = str(uuid.uuid4())
                        diff.new_rows[(item.oid, n)] = known
                    uids.append(known)
                diff.live_rows[item.oid] = uids
        states = session.states()
        new: dict[tuple[str, str], tuple[str, object]] = {}
        for path, state in states.items():
            definition = form.item(path.item)
            if definition is None or definition.is_group:
                continue
            if not (definition.takes_input or definition.calculate):
                continue
            if state.status is Status.NOT_RELEVANT or state.value is None:
                continue
            row_uid = diff.live_rows[path.group][path.row - 1] if path.group and path.row else ""
            new[(row_uid, path.item)] = (str(path), state.value)
        new_over = {
            str(p): r
            for p, r in session.overrides().items()
            if p in states and states[p].status is Status.SOFT_WARNING
        }
        for cell in sorted(set(old) | set(new)):
            was_at, was = old.get(cell, ("", None))
            now_at, now = new.get(cell, ("", None))
            o_over = old_over.get(was_at) if was_at else None
            n_over = new_over.get(now_at) if now_at else None
            same = was == now and type(was) is type(now)
            if not same or o_over != n_over:
                diff.values.append(
                    _Change(cell[0], cell[1], now_at or was_at, was, now, o_over, n_over)
                )
        live = {u for uids in diff.live_rows.values() for u in uids}
        diff.deleted_rows = sorted(stored_rows - live)
        # a removed row keeps its values (soft delete): only the row is marked deleted
        gone = set(diff.deleted_rows)
        diff.values = [c for c in diff.values if c.row_uid not in gone]
        return diff

    def _write_changes(
        self,
        tx: Tx,
        fid: int,
        form: Form,
        diff: _Diff,
        now: str,
        reason: str | None,
        context: dict[str, Any],
    ) -> None:
        """Write a save's rows, values and audit entries: one statement per kind of change."""
        conn = tx.conn
        with tx.audit.batch():
            new_rows = []
            for (group, n), uid in diff.new_rows.items():
                new_rows.append(
                    {
                        "uid": uid,
                        "form_instance_id": fid,
                        "group_oid": group,
                        "position": n,
                        "deleted": False,
                        "created_at": now,
                    }
                )
                tx.audit.append("row_added", row_uid=uid, item_path=f"{group}[{n}]", **context)
            if new_rows:
                conn.execute(insert(group_row), new_rows)
            moved = [
                {"b_uid": uid, "b_pos": n}
                for group, uids in diff.live_rows.items()
                for n, uid in enumerate(uids, start=1)
                if (group, n) not in diff.new_rows
            ]
            if moved:
                conn.execute(_MOVE_ROW, moved)
            if diff.deleted_rows:
                conn.execute(_DELETE_ROW, [{"b_uid": uid} for uid in diff.deleted_rows])
            for uid in diff.deleted_rows:
                tx.audit.append("row_deleted", row_uid=uid, reason=reason, **context)
            self._write_values(tx, fid, form, diff.values, now, reason, context)

    def _write_values(
        self,
        tx: Tx,
        fid: int,
        form: Form,
        changes: list[_Change],
        now: str,
        reason: str | None,
        context: dict[str, Any],
    ) -> None:
        conn = tx.conn
        existing = {
            (r.row_uid, r.item_oid): (r.id, r.version)
            for r in conn.execute(_EXISTING_VALUES, {"b_fid": fid})
        }
        updates: list[dict[str, Any]] = []
        inserts: list[dict[str, Any]] = []
        for change in changes:
            item = form.item(change.item_oid)
            columns = to_columns(change.new, item)
            columns["override_reason"] = change.new_override
            columns |= {"updated_at": now, "updated_by": self.ws.username}
            key = (change.row_uid, change.item_oid)
            if key in existing:
                vid, version = existing[key]
                updates.append(columns | {"b_id": vid, "version": version + 1})
            else:
                inserts.append(
                    columns
                    | {
                        "form_instance_id": fid,
                        "row_uid": change.row_uid,
                        "item_oid": change.item_oid,
                        "version": 1,
                    }
                )
            old_json, new_json = audit_json(change.old, item), audit_json(change.new, item)
            where = {"item_path": change.path, "row_uid": change.row_uid or None, **context}
            if old_json != new_json:
                action = (
                    "value_entered"
                    if change.old is None
                    else ("value_cleared" if change.new is None else "value_changed")
                )
                tx.audit.append(
                    action, old_value=old_json, new_value=new_json, reason=reason, **where
                )
            if change.new_override is not None and change.new_override != change.old_override:
                tx.audit.append("warning_overridden", reason=change.new_override, **where)
        if updates:
            conn.execute(_UPDATE_VALUE, updates)
        if inserts:
            conn.execute(insert(item_value), inserts)

    def _void_signatures(
        self, tx: Tx, fid: int, now: str, reason: str, context: dict[str, Any]
    ) -> bool:
        rows = tx.conn.execute(
            select(
                signature.c.id, signature.c.uid, signature.c.username, signature.c.meaning
            ).where(and_(signature.c.form_instance_id == fid, signature.c.voided_at.is_(None)))
        ).all()
        for row in rows:
            tx.conn.execute(
                update(signature)
                .where(signature.c.id == row.id)
                .values(voided_at=now, void_reason=reason)
            )
            tx.audit.append(
                "signature_voided",
                old_value=json.dumps(
                    {"signed_by": row.username, "meaning": row.meaning, "signature": row.uid}
                ),
                reason=reason,
                **context,
            )
        return bool(rows)

    def _result(
        self,
        subject_id: str,
        event: Event,
        occurrence: int,
        form: Form,
        status: FormStatus,
        stored: StoredForm | None,
        changed: int,
        voided: bool,
        session: FormSession,
        revision: int | None = None,
    ) -> SaveResult:
        items = tuple(
            ItemReport(
                str(p),
                s.status,
                s.message.en if s.message else None,
                s.message.zh if s.message else None,
                s.override_reason,
            )
            for p, s in session.problems().items()
        )
        return SaveResult(
            subject_id,
            event.oid,
            occurrence,
            form.oid,
            status,
            revision if revision is not None else (stored.revision if stored else 0),
            changed,
            voided,
            items,
        )

    # -- signing and locking ------------------------------------------------------------------

    def _instance_for_change(
        self, tx: Tx, subject_id: str, event_oid: str, occurrence: int, form_oid: str
    ) -> tuple[StoredForm, dict[str, Any], str]:
        event = self._event(event_oid)
        form = self._form(event, form_oid)
        self._subject_row(tx.conn, subject_id)
        stored = self._stored(tx.conn, subject_id, event.oid, occurrence, form)
        where = self._where(subject_id, event, occurrence, form)
        if stored is None:
            raise UsageError(f"{where} has not been started.")
        context: dict[str, Any] = {
            "subject_id": subject_id,
            "event_oid": event.oid,
            "occurrence": occurrence,
            "form_oid": form.oid,
            "form_version": form.version,
        }
        return stored, context, where

    def sign_form(
        self,
        subject_id: str,
        event_oid: str,
        occurrence: int,
        form_oid: str,
        *,
        password: str,
        meaning: str,
        user_id: str | None = None,
    ) -> SigningResult:
        """Sign a complete form: the one signing path is ``ws.signatures`` (Part 11 §11.200).

        The first signature of a session needs ``user_id`` as well as the password.
        """
        return self.ws.signatures.sign_form(
            subject_id,
            event_oid,
            occurrence,
            form_oid,
            meaning=meaning,
            password=password,
            user_id=user_id,
        )

    def set_locked(
        self,
        subject_id: str,
        event_oid: str,
        occurrence: int,
        form_oid: str,
        locked: bool,
        reason: str,
    ) -> None:
        """Lock a form against any change, or unlock it (through ``ws.holds``; audited)."""
        from npc_crf.services.monitoring.holds import Target

        target = Target.form(subject_id, event_oid, occurrence, form_oid)
        if locked:
            self.ws.holds.lock(target, reason)
        else:
            self.ws.holds.unlock(target, reason)

    def apply_form_lock(
        self,
        tx: Tx,
        subject_id: str,
        event_oid: str,
        occurrence: int,
        form_oid: str,
        *,
        locked: bool,
        reason: str,
    ) -> None:
        """Set or release the lock of one form (its status ``locked``), audited.

        The form-level lock of the hold model (``npc_crf.services.monitoring.holds``):
        only :class:`HoldService` calls this, after checking the permission and the
        reason. Unlocking restores signed (a valid signature stands), complete or
        in progress.
        """
        stored, context, where = self._instance_for_change(
            tx, subject_id, event_oid, occurrence, form_oid
        )
        if locked == (stored.status == FormStatus.LOCKED):
            raise UsageError(f"{where} is already {'locked' if locked else 'unlocked'}.")
        if locked:
            new = FormStatus.LOCKED
        else:
            signed = tx.conn.execute(
                select(func.count())
                .select_from(signature)
                .where(
                    and_(
                        signature.c.form_instance_id == stored.id,
                        signature.c.voided_at.is_(None),
                    )
                )
            ).scalar_one()
            event = self._event(event_oid)
            form = self.study.forms[form_oid]
            session = self._session(tx.conn, subject_id, event, occurrence, form, stored)
            new = (
                FormStatus.SIGNED
                if signed
                else (FormStatus.COMPLETE if session.is_complete() else FormStatus.IN_PROGRESS)
            )
        tx.conn.execute(
            update(form_instance).where(form_instance.c.id == stored.id).values(status=new.value)
        )
        tx.audit.append(
            "form_locked" if locked else "form_unlocked",
            old_value=json.dumps({"status": stored.status}),
            new_value=json.dumps({"status": new.value}),
            reason=reason.strip(),
            **context,
        )


def _match_rows(session: FormSession, group: str, rows: list[Mapping[str, object]]) -> str | None:
    """Make the session's rows of ``group`` line up with ``rows``; the problem, if any.

    Rows that carry the store's row identity (``_row``) keep it: stored rows missing
    from ``rows`` are removed (soft-deleted when saved), wherever they are. Rows
    without ``_row`` are new and come after the kept ones. Without any ``_row``,
    row n is row n, rows are added at the end and removed from the end.
    """
    try:
        keys = [row.get(ROW_KEY) for row in rows]
        if all(k is None for k in keys):
            while session.row_count(group) < len(rows):
                session.add_row(group)
            while session.row_count(group) > len(rows):
                session.remove_row(group, session.row_count(group))
            return None
        current = [session.row_key(group, n) for n in range(1, session.row_count(group) + 1)]
        unknown = [str(k) for k in keys if k is not None and k not in current]
        if unknown:
            return f"no stored row {unknown[0]!r} (was it removed by someone else?)"
        kept = {k for k in keys if k is not None}
        for n in range(len(current), 0, -1):
            if current[n - 1] not in kept:
                session.remove_row(group, n)
        remaining = [session.row_key(group, n) for n in range(1, session.row_count(group) + 1)]
        if keys[: len(remaining)] != remaining:
            return "stored rows keep their order, and new rows go after them"
        while session.row_count(group) < len(rows):
            session.add_row(group)
    except SessionError as exc:
        return str(exc)
    return None
