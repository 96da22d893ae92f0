"""Freezes and locks at form, subject and site level (``docs/monitoring.md``, "Freeze and lock").

* **Frozen**: no data changes (values, rows, form status, subject status, new
  subjects under a site freeze); queries, SDV and signing go on.
* **Locked**: nothing changes — no data, no query, no SDV, no signature.

One model: a freeze at any level and a lock of a subject or of the site is a
``hold`` row (released rows stay, with who released it and why); the lock of a
single form is the form's status ``locked`` (:class:`FormStatus`), as before,
set and released through :class:`HoldService` like every other hold. No ``hold``
row ever has scope ``form`` and level ``locked``.

Monitors and administrators freeze (``freeze`` permission); only administrators
lock, and only administrators release either, always with a reason. Every
change is audited with its reason.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, or_, select, update

from npc_crf.auth.roles import Permission
from npc_crf.core.errors import UsageError
from npc_crf.services.monitoring.hold_model import (
    Hold,
    HoldState,
    Level,
    Scope,
    State,
    Target,
)
from npc_crf.store.models import audit_entry, event_instance, form_instance, hold, subject

__all__ = [
    "Hold",
    "HoldService",
    "HoldState",
    "Level",
    "Scope",
    "State",
    "Target",
    "applying_holds",
    "require_data_change",
    "require_not_locked",
]

if TYPE_CHECKING:
    from npc_crf.services.workspace import Tx, Workspace

_RELEASE_HINT = (
    "A frozen or locked record changes only after the site administrator releases it "
    "(npc-crf hold unfreeze|unlock … --reason …)."
)


_ORDER = {Scope.SITE: 0, Scope.SUBJECT: 1, Scope.FORM: 2}


def _state(holds: list[Hold]) -> HoldState:
    holds.sort(key=lambda h: (h.level is not Level.LOCKED, _ORDER[h.target.scope]))
    if not holds:
        return HoldState(State.OPEN, ())
    return HoldState(State(holds[0].level.value), tuple(holds))


def _hold_query() -> Any:
    return (
        select(
            hold,
            event_instance.c.event_oid,
            event_instance.c.occurrence,
            form_instance.c.form_oid,
        )
        .select_from(
            hold.outerjoin(form_instance, hold.c.form_instance_id == form_instance.c.id).outerjoin(
                event_instance, form_instance.c.event_instance_id == event_instance.c.id
            )
        )
        .where(hold.c.released_at.is_(None))
    )


def _from_row(row: Any) -> Hold:
    scope = Scope(row.scope)
    target = Target(
        scope,
        row.subject_id,
        row.event_oid if scope is Scope.FORM else None,
        row.occurrence if scope is Scope.FORM else 1,
        row.form_oid if scope is Scope.FORM else None,
    )
    return Hold(row.uid, Level(row.level), target, row.set_at, row.set_by, row.reason)


def _form_lock(conn: Connection, fid: int) -> Hold | None:
    """The lock of one form (its status), with who set it from the audit trail."""
    row = conn.execute(
        select(
            form_instance.c.status,
            form_instance.c.form_oid,
            event_instance.c.subject_id,
            event_instance.c.event_oid,
            event_instance.c.occurrence,
        )
        .join(event_instance, form_instance.c.event_instance_id == event_instance.c.id)
        .where(form_instance.c.id == fid)
    ).first()
    if row is None or row.status != "locked":
        return None
    return _status_lock(conn, row)


def _status_lock(conn: Connection, row: Any) -> Hold:
    target = Target.form(row.subject_id, row.event_oid, row.occurrence, row.form_oid)
    entry = conn.execute(
        select(audit_entry.c.at_utc, audit_entry.c.username, audit_entry.c.reason)
        .where(
            and_(
                audit_entry.c.subject_id == row.subject_id,
                audit_entry.c.action == "form_locked",
                audit_entry.c.event_oid == row.event_oid,
                audit_entry.c.occurrence == row.occurrence,
                audit_entry.c.form_oid == row.form_oid,
            )
        )
        .order_by(audit_entry.c.seq.desc())
        .limit(1)
    ).first()
    if entry is None:
        return Hold(None, Level.LOCKED, target, None, None, None)
    return Hold(None, Level.LOCKED, target, entry.at_utc, entry.username, entry.reason)


def applying_holds(
    conn: Connection, subject_id: str | None, form_instance_id: int | None
) -> HoldState:
    """The holds in force on a form (or a subject, or — with neither — the site)."""
    scopes = [hold.c.scope == Scope.SITE.value]
    if subject_id is not None:
        scopes.append(and_(hold.c.scope == Scope.SUBJECT.value, hold.c.subject_id == subject_id))
    if form_instance_id is not None:
        scopes.append(
            and_(hold.c.scope == Scope.FORM.value, hold.c.form_instance_id == form_instance_id)
        )
    holds = [_from_row(r) for r in conn.execute(_hold_query().where(or_(*scopes)))]
    if form_instance_id is not None:
        lock = _form_lock(conn, form_instance_id)
        if lock is not None:
            holds.append(lock)
    return _state(holds)


def require_data_change(
    ws: Workspace,
    conn: Connection,
    subject_id: str | None,
    form_instance_id: int | None,
    where: str,
) -> None:
    """Refuse a data change while a freeze or a lock applies (form, subject or site).

    ``subject_id`` None checks the site only (a new subject).
    """
    found = applying_holds(conn, subject_id, form_instance_id)
    if found.source is not None:
        raise UsageError(f"{where} cannot be changed: {found.source.describe()}.", _RELEASE_HINT)


def require_not_locked(
    ws: Workspace,
    conn: Connection,
    subject_id: str | None,
    form_instance_id: int | None,
    where: str,
) -> None:
    """Refuse any action (query, SDV, signature) while a lock applies; a freeze passes."""
    found = applying_holds(conn, subject_id, form_instance_id)
    if found.state is State.LOCKED and found.source is not None:
        raise UsageError(f"{where} is locked: {found.source.describe()}.", _RELEASE_HINT)


class HoldService:
    """Freeze, lock and release forms, subjects and the site; read what is in force."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    # -- changing -----------------------------------------------------------------------

    def freeze(self, target: Target, reason: str) -> None:
        """No data changes under ``target`` until an administrator unfreezes it."""
        self.ws.require(Permission.FREEZE, "freeze records")
        self._set(target, Level.FROZEN, reason)

    def lock(self, target: Target, reason: str) -> None:
        """Nothing changes under ``target`` until an administrator unlocks it."""
        self.ws.require(Permission.LOCK_FORMS, "lock records")
        self._set(target, Level.LOCKED, reason)

    def unfreeze(self, target: Target, reason: str) -> None:
        """Release a freeze (administrators only, with a reason)."""
        self.ws.require(Permission.LOCK_FORMS, "unfreeze records")
        self._release(target, Level.FROZEN, reason)

    def unlock(self, target: Target, reason: str) -> None:
        """Release a lock (administrators only, with a reason)."""
        self.ws.require(Permission.LOCK_FORMS, "unlock records")
        self._release(target, Level.LOCKED, reason)

    def _set(self, target: Target, level: Level, reason: str) -> None:
        why = _reason(reason, f"{_VERB[level]} {target.label}")
        with self.ws.tx() as tx:
            if target.scope is Scope.FORM and level is Level.LOCKED:
                self._form_status_lock(tx, target, True, why)
                return
            fid, context = self._resolve(tx.conn, target)
            if self._active(tx.conn, target, fid, level) is not None:
                raise UsageError(
                    f"{target.label[:1].upper()}{target.label[1:]} is already {level}."
                )
            uid = str(uuid.uuid4())
            tx.conn.execute(
                hold.insert().values(
                    uid=uid,
                    scope=target.scope.value,
                    subject_id=target.subject_id,
                    form_instance_id=fid,
                    level=level.value,
                    set_at=self.ws.now().isoformat(timespec="microseconds"),
                    set_by=self.ws.username,
                    reason=why,
                )
            )
            tx.audit.append(
                f"{target.scope.value}_{level.value}",
                new_value=json.dumps({"hold": uid, "level": level.value}),
                reason=why,
                **context,
            )

    def _release(self, target: Target, level: Level, reason: str) -> None:
        verb = "unfreeze" if level is Level.FROZEN else "unlock"
        why = _reason(reason, f"{verb} {target.label}")
        with self.ws.tx() as tx:
            if target.scope is Scope.FORM and level is Level.LOCKED:
                self._form_status_lock(tx, target, False, why)
                return
            fid, context = self._resolve(tx.conn, target)
            uid = self._active(tx.conn, target, fid, level)
            if uid is None:
                raise UsageError(f"{target.label[:1].upper()}{target.label[1:]} is not {level}.")
            tx.conn.execute(
                update(hold)
                .where(hold.c.uid == uid)
                .values(
                    released_at=self.ws.now().isoformat(timespec="microseconds"),
                    released_by=self.ws.username,
                    release_reason=why,
                )
            )
            tx.audit.append(
                f"{target.scope.value}_un{level.value}",
                old_value=json.dumps({"hold": uid, "level": level.value}),
                reason=why,
                **context,
            )

    def _form_status_lock(self, tx: Tx, target: Target, locked: bool, reason: str) -> None:
        assert target.subject_id and target.event_oid and target.form_oid
        self.ws.casebook.apply_form_lock(
            tx,
            target.subject_id,
            target.event_oid,
            target.occurrence,
            target.form_oid,
            locked=locked,
            reason=reason,
        )

    def _resolve(self, conn: Connection, target: Target) -> tuple[int | None, dict[str, Any]]:
        """The form instance ID (form scope) and the audit fields naming ``target``."""
        if target.scope is Scope.SITE:
            return None, {}
        assert target.subject_id is not None
        found = conn.execute(
            select(subject.c.subject_id).where(subject.c.subject_id == target.subject_id)
        ).first()
        if found is None:
            raise UsageError(f"There is no subject '{target.subject_id}' at this site.")
        if target.scope is Scope.SUBJECT:
            return None, {"subject_id": target.subject_id}
        fid = conn.execute(
            select(form_instance.c.id)
            .join(event_instance, form_instance.c.event_instance_id == event_instance.c.id)
            .where(
                and_(
                    event_instance.c.subject_id == target.subject_id,
                    event_instance.c.event_oid == target.event_oid,
                    event_instance.c.occurrence == target.occurrence,
                    form_instance.c.form_oid == target.form_oid,
                )
            )
        ).scalar()
        if fid is None:
            raise UsageError(
                f"{target.label[:1].upper()}{target.label[1:]} has not been started.",
                "Freeze or lock the subject to cover forms not yet started.",
            )
        return int(fid), {
            "subject_id": target.subject_id,
            "event_oid": target.event_oid,
            "occurrence": target.occurrence,
            "form_oid": target.form_oid,
        }

    def _active(
        self, conn: Connection, target: Target, fid: int | None, level: Level
    ) -> str | None:
        conds = [
            hold.c.scope == target.scope.value,
            hold.c.level == level.value,
            hold.c.released_at.is_(None),
        ]
        if target.scope is Scope.SUBJECT:
            conds.append(hold.c.subject_id == target.subject_id)
        if target.scope is Scope.FORM:
            conds.append(hold.c.form_instance_id == fid)
        uid = conn.execute(select(hold.c.uid).where(and_(*conds))).scalar()
        return str(uid) if uid is not None else None

    # -- reading ------------------------------------------------------------------------

    def state_of(
        self,
        subject_id: str | None = None,
        event_oid: str | None = None,
        occurrence: int = 1,
        form_oid: str | None = None,
    ) -> HoldState:
        """Open, frozen or locked — and which holds make it so — for a form, a subject
        (``form_oid`` None) or the site (``subject_id`` None)."""
        self.ws.require(Permission.VIEW_DATA, "view freezes and locks")
        with self.ws.read() as conn:
            if subject_id is None:
                return applying_holds(conn, None, None)
            if event_oid is None or form_oid is None:
                target = Target.subject(subject_id)
            else:
                target = Target.form(subject_id, event_oid, occurrence, form_oid)
            try:
                fid, _ = self._resolve(conn, target)
            except UsageError:
                if target.scope is Scope.SUBJECT:
                    raise
                fid = None  # a form not started yet: the subject's and the site's holds
            return applying_holds(conn, subject_id, fid)

    def in_force(self, subject_id: str | None = None, *, form_locks: bool = True) -> list[Hold]:
        """Every freeze and lock in force at the site (site first, then by subject).

        With ``subject_id``, only those that apply to that subject: the site's, the
        subject's and its forms'. ``form_locks=False`` leaves out the locks of single
        forms (the form's status, whose who and why take a look in the audit trail
        each): what remains is read with one statement.
        """
        self.ws.require(Permission.VIEW_DATA, "view freezes and locks")
        with self.ws.read() as conn:
            rows = _hold_query()
            if subject_id is not None:
                rows = rows.where(
                    or_(hold.c.scope == Scope.SITE.value, hold.c.subject_id == subject_id)
                )
            holds = [_from_row(r) for r in conn.execute(rows)]
            if form_locks:
                locked = (
                    select(
                        form_instance.c.form_oid,
                        event_instance.c.subject_id,
                        event_instance.c.event_oid,
                        event_instance.c.occurrence,
                    )
                    .join(event_instance, form_instance.c.event_instance_id == event_instance.c.id)
                    .where(form_instance.c.status == "locked")
                )
                if subject_id is not None:
                    locked = locked.where(event_instance.c.subject_id == subject_id)
                holds += [_status_lock(conn, r) for r in conn.execute(locked).all()]
        holds.sort(
            key=lambda h: (
                _ORDER[h.target.scope] > 0,
                h.target.subject_id or "",
                _ORDER[h.target.scope],
                h.target.event_oid or "",
                h.target.occurrence,
                h.target.form_oid or "",
                h.level.value,
            )
        )
        return holds


_VERB = {Level.FROZEN: "freeze", Level.LOCKED: "lock"}


def _reason(reason: str, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise UsageError(f"A reason is needed to {what}.")
    return text
