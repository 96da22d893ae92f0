"""Electronic signatures (21 CFR Part 11 §§11.50, 11.70, 11.100, 11.200): ``ws.signatures``.

An investigator signs one form, one event occurrence or a whole casebook. One
signing act is one *batch*: a ``signature`` row for every complete form in
scope, all with the same ``batch_uid``, written in one transaction. A form in
progress or locked in scope refuses the whole act up front, naming each such
form; forms that already carry a valid signature are skipped (never signed
twice — changing the data voids a signature and the form comes back here).

Re-authentication (§11.200(a)(1)): the first signature of a continuous session
needs both components, the user ID and the password; later ones in the same
session need the password (a user ID, when given, must still be right). The
session ends at logout and at a lock (by hand or idle timeout), which resets
:attr:`Workspace.signed_in_session`. Wrong credentials are audited as
``signature_refused`` and count towards the account lockout like a wrong
password at login or at the lock screen; reaching the limit locks the account
and ends the session.

Each row also carries the installation's Ed25519 signature over exactly what
was signed (:mod:`npc_crf.services.monitoring.signed_payload`); ``npc-crf audit
verify`` checks it (:mod:`npc_crf.services.monitoring.signature_check`).
Decisions: ``docs/monitoring.md``, "Electronic signatures".
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, select, update

from npc_crf.auth.roles import Permission, Role
from npc_crf.core.errors import UsageError, ValidationFailed
from npc_crf.services.casebook import FormStatus, content_hash
from npc_crf.services.monitoring.holds import require_not_locked
from npc_crf.services.monitoring.reauth import authenticate_signer
from npc_crf.services.monitoring.signature_check import (
    SignatureReport,
    verify_signatures,
)
from npc_crf.services.monitoring.signature_model import (
    Manifestation,
    SignedForm,
    SigningPreview,
    SigningResult,
    ToSign,
    utc_stamp,
)
from npc_crf.services.monitoring.signed_payload import SignedContent, payload_bytes, seal
from npc_crf.services.workspace import Tx, Workspace
from npc_crf.store.models import (
    account,
    event_instance,
    form_instance,
    hold,
    installation,
    signature,
    subject,
)
from npc_crf.store.records import load_form

__all__ = [
    "Manifestation",
    "SignatureReport",
    "SignatureService",
    "SignedForm",
    "SigningPreview",
    "SigningResult",
    "ToSign",
    "locked_subjects",
    "verify_signatures",
]

FORM, EVENT, CASEBOOK = "form", "event", "casebook"


@dataclass
class _Candidate:
    """A form instance in the scope of a signing act, and what to do with it."""

    row: Any  # form_instance joined with its event instance
    where: str
    why_not: str | None = None  # why it cannot be signed (refuses the act)
    skip: str | None = None  # why it is left out (already signed)


class SignatureService:
    """Sign forms, events and casebooks; show manifestations; list what awaits signing."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.study = ws.study

    # -- signing ------------------------------------------------------------------------

    def sign_form(
        self,
        subject_id: str,
        event_oid: str,
        occurrence: int,
        form_oid: str,
        *,
        meaning: str,
        password: str,
        user_id: str | None = None,
    ) -> SigningResult:
        """Sign one complete form. Anything else (in progress, signed, locked) is refused."""
        return self._sign(
            FORM, subject_id, event_oid, occurrence, form_oid, meaning, password, user_id
        )

    def sign_event(
        self,
        subject_id: str,
        event_oid: str,
        occurrence: int = 1,
        *,
        meaning: str,
        password: str,
        user_id: str | None = None,
    ) -> SigningResult:
        """Sign every complete form of one event occurrence (one batch)."""
        return self._sign(
            EVENT, subject_id, event_oid, occurrence, None, meaning, password, user_id
        )

    def sign_casebook(
        self, subject_id: str, *, meaning: str, password: str, user_id: str | None = None
    ) -> SigningResult:
        """Sign every complete form of a subject (one batch)."""
        return self._sign(CASEBOOK, subject_id, None, None, None, meaning, password, user_id)

    def preview(
        self,
        subject_id: str,
        event_oid: str | None = None,
        occurrence: int | None = None,
        form_oid: str | None = None,
    ) -> SigningPreview:
        """What signing the casebook (no event), an event occurrence (no form) or one form
        would sign, without signing: refused exactly as the act would be up front (forms
        in progress or locked, a lock of the subject or the site, nothing to sign), so an
        interface can say so before it asks for the password."""
        self.ws.require(Permission.SIGN, "sign")
        if event_oid is None:
            scope, occurrence, form_oid = CASEBOOK, None, None
        else:
            self._event(event_oid)
            occurrence = occurrence or 1
            scope = EVENT if form_oid is None else FORM
        what = self._what(scope, subject_id, event_oid, occurrence, form_oid)
        with self.ws.read() as conn:
            found = self._candidates(conn, scope, subject_id, event_oid, occurrence, form_oid, what)
        return SigningPreview(
            scope,
            what,
            tuple(c.where for c in found if not c.skip),
            tuple(c.where for c in found if c.skip),
        )

    def _sign(
        self,
        scope: str,
        subject_id: str,
        event_oid: str | None,
        occurrence: int | None,
        form_oid: str | None,
        meaning: str,
        password: str,
        user_id: str | None,
    ) -> SigningResult:
        self.ws.require(Permission.SIGN, "sign")
        if event_oid is not None:
            self._event(event_oid)
        codes = [m.code for m in self.study.signature_meanings]
        if meaning not in codes:
            raise UsageError(
                f"'{meaning}' is not a signature meaning of this study ({', '.join(codes)})."
            )
        what = self._what(scope, subject_id, event_oid, occurrence, form_oid)
        args = (scope, subject_id, event_oid, occurrence, form_oid, what)
        with self.ws.read() as conn:
            self._candidates(conn, *args)  # refuse up front, before asking who signs
        context: dict[str, Any] = {
            "subject_id": subject_id,
            "event_oid": event_oid,
            "form_oid": form_oid,
        }
        if occurrence is not None and event_oid is not None:
            context["occurrence"] = occurrence
        authenticate_signer(self.ws, user_id, password, what, context)
        with self.ws.tx() as tx:
            todo = self._candidates(tx.conn, *args)
            result = self._write(tx, scope, meaning, todo)
        self.ws.signed_in_session = True
        return result

    def _what(
        self,
        scope: str,
        subject_id: str,
        event_oid: str | None,
        occurrence: int | None,
        form_oid: str | None,
    ) -> str:
        if scope == CASEBOOK:
            return f"the casebook of {subject_id}"
        assert event_oid is not None and occurrence is not None
        if scope == EVENT:
            return f"{subject_id}/{event_oid}[{occurrence}]"
        assert form_oid is not None
        return self._where(subject_id, event_oid, occurrence, form_oid)

    def _where(self, subject_id: str, event_oid: str, occurrence: int, form_oid: str) -> str:
        event = self.study.event(event_oid)
        occ = f"[{occurrence}]" if event is None or event.repeating else ""
        return f"{subject_id}/{event_oid}{occ}/{form_oid}"

    def _event(self, event_oid: str) -> None:
        if self.study.event(event_oid) is None:
            known = ", ".join(e.oid for e in self.study.events)
            raise UsageError(f"There is no event '{event_oid}' in {self.study.oid} ({known}).")

    def _candidates(
        self,
        conn: Connection,
        scope: str,
        subject_id: str,
        event_oid: str | None,
        occurrence: int | None,
        form_oid: str | None,
        what: str,
    ) -> list[_Candidate]:
        """The forms this act signs; raises when any form in scope cannot be signed."""
        if (
            conn.execute(
                select(subject.c.subject_id).where(subject.c.subject_id == subject_id)
            ).first()
            is None
        ):
            raise UsageError(f"There is no subject '{subject_id}' at this site.")
        require_not_locked(self.ws, conn, subject_id, None, what)  # subject or site lock
        query = (
            select(
                form_instance,
                event_instance.c.subject_id,
                event_instance.c.event_oid,
                event_instance.c.occurrence,
            )
            .join(event_instance, form_instance.c.event_instance_id == event_instance.c.id)
            .where(event_instance.c.subject_id == subject_id)
        )
        if event_oid is not None:
            query = query.where(
                and_(
                    event_instance.c.event_oid == event_oid,
                    event_instance.c.occurrence == occurrence,
                )
            )
        if form_oid is not None:
            query = query.where(form_instance.c.form_oid == form_oid)
        rows = conn.execute(query).mappings().all()
        if not rows:
            raise UsageError(f"{what} has not been started: there is nothing to sign.")
        signed = set(
            conn.execute(
                select(signature.c.form_instance_id).where(
                    and_(
                        signature.c.form_instance_id.in_([r["id"] for r in rows]),
                        signature.c.voided_at.is_(None),
                    )
                )
            ).scalars()
        )
        found = sorted((self._candidate(r, r["id"] in signed) for r in rows), key=self._order)
        blocked = [c for c in found if c.why_not]
        if scope == FORM and (blocked or found[0].skip):
            why = found[0].why_not or found[0].skip
            raise UsageError(f"{what} is {why}; only a complete form can be signed.")
        if blocked:
            raise ValidationFailed(
                f"Nothing was signed: {len(blocked)} form(s) of {what} cannot be signed.",
                [f"{c.where}: {c.why_not}" for c in blocked],
                "Complete each form (or have it unlocked) first; forms not started are left out.",
            )
        if all(c.skip for c in found):
            raise UsageError(f"Every form of {what} is already signed: there is nothing to sign.")
        return found

    def _candidate(self, row: Any, has_signature: bool) -> _Candidate:
        where = self._where(row["subject_id"], row["event_oid"], row["occurrence"], row["form_oid"])
        status = row["status"]
        if has_signature or status == "signed":
            return _Candidate(row, where, skip="signed")
        if status == "locked":
            return _Candidate(row, where, why_not="locked")
        if status != "complete":
            return _Candidate(row, where, why_not=status.replace("_", " "))
        return _Candidate(row, where)

    def _order(self, c: _Candidate) -> tuple[int, int, int]:
        return self._position(c.row["event_oid"], c.row["occurrence"], c.row["form_oid"])

    def _write(self, tx: Tx, scope: str, meaning: str, todo: list[_Candidate]) -> SigningResult:
        conn = tx.conn
        key = conn.execute(
            select(installation.c.private_key).where(
                installation.c.installation_id == self.ws.installation_id
            )
        ).scalar()
        if key is None:
            raise UsageError("This installation has no signing key; it cannot sign.")
        batch, now = str(uuid.uuid4()), utc_stamp(self.ws)
        signed: list[SignedForm] = []
        for c in todo:
            if c.skip:
                continue
            row = c.row
            subject_id = row["subject_id"]
            form = load_form(conn, row, self.study.forms.get(row["form_oid"]))
            content = SignedContent(
                study=self.study.oid,
                subject=subject_id,
                event=row["event_oid"],
                occurrence=row["occurrence"],
                form=row["form_oid"],
                form_version=row["form_version"],
                definition_hash=row["definition_hash"],
                revision=row["revision"],
                content_hash=content_hash(form.answers),
                signer=self.ws.username,
                full_name=self.ws.full_name,
                meaning=meaning,
                signed_at=now,
                scope=scope,
                batch=batch,
            )
            uid = str(uuid.uuid4())
            conn.execute(
                signature.insert().values(
                    uid=uid,
                    form_instance_id=row["id"],
                    username=content.signer,
                    full_name=content.full_name,
                    meaning=meaning,
                    signed_at=now,
                    form_revision=content.revision,
                    content_hash=content.content_hash,
                    scope=scope,
                    batch_uid=batch,
                    installation_id=self.ws.installation_id,
                    ed25519=seal(key, content),
                )
            )
            conn.execute(
                update(form_instance)
                .where(form_instance.c.id == row["id"])
                .values(status=FormStatus.SIGNED.value)
            )
            tx.audit.append(
                "form_signed",
                subject_id=subject_id,
                event_oid=content.event,
                occurrence=content.occurrence,
                form_oid=content.form,
                form_version=content.form_version,
                source=self.ws.channel,
                new_value=json.dumps(
                    {
                        "meaning": meaning,
                        "content_hash": content.content_hash,
                        "revision": content.revision,
                        "signature": uid,
                        "scope": scope,
                        "batch": batch,
                        "payload_hash": hashlib.sha256(payload_bytes(content)).hexdigest(),
                    }
                ),
            )
            signed.append(
                SignedForm(
                    subject_id,
                    content.event,
                    content.occurrence,
                    content.form,
                    content.revision,
                    uid,
                )
            )
        skipped = tuple(c.where for c in todo if c.skip)
        return SigningResult(batch, scope, meaning, now, tuple(signed), skipped)

    # -- reading ------------------------------------------------------------------------

    def manifestations(
        self,
        subject_id: str,
        event_oid: str | None = None,
        occurrence: int | None = None,
        form_oid: str | None = None,
        *,
        include_voided: bool = False,
    ) -> list[Manifestation]:
        """The signatures of a subject, an event occurrence or one form, in casebook order.

        Every view or export of a signed record shows these (§11.50). Voided
        signatures are left out unless ``include_voided``.
        """
        self.ws.require(Permission.VIEW_DATA, "view signatures")
        query = (
            select(
                signature,
                form_instance.c.form_oid,
                event_instance.c.subject_id,
                event_instance.c.event_oid,
                event_instance.c.occurrence,
            )
            .join(form_instance, signature.c.form_instance_id == form_instance.c.id)
            .join(event_instance, form_instance.c.event_instance_id == event_instance.c.id)
            .where(event_instance.c.subject_id == subject_id)
        )
        for column, value in (
            (event_instance.c.event_oid, event_oid),
            (event_instance.c.occurrence, occurrence),
            (form_instance.c.form_oid, form_oid),
        ):
            if value is not None:
                query = query.where(column == value)
        if not include_voided:
            query = query.where(signature.c.voided_at.is_(None))
        with self.ws.read() as conn:
            if (
                conn.execute(
                    select(subject.c.subject_id).where(subject.c.subject_id == subject_id)
                ).first()
                is None
            ):
                raise UsageError(f"There is no subject '{subject_id}' at this site.")
            rows = conn.execute(query.order_by(signature.c.id)).mappings().all()
        names = {m.code: m.name for m in self.study.signature_meanings}
        found = [
            Manifestation(
                subject_id=r["subject_id"],
                event_oid=r["event_oid"],
                occurrence=r["occurrence"],
                form_oid=r["form_oid"],
                printed_name=r["full_name"],
                username=r["username"],
                signed_at=r["signed_at"],
                meaning=r["meaning"],
                meaning_en=names[r["meaning"]].en if r["meaning"] in names else r["meaning"],
                meaning_zh=names[r["meaning"]].zh if r["meaning"] in names else r["meaning"],
                scope=r["scope"] or FORM,
                batch_uid=r["batch_uid"],
                voided_at=r["voided_at"],
                void_reason=r["void_reason"],
            )
            for r in rows
        ]
        found.sort(key=lambda m: self._position(m.event_oid, m.occurrence, m.form_oid))
        return found

    def to_sign(
        self, investigator: str | None = None, *, subject_id: str | None = None
    ) -> list[ToSign]:
        """Complete forms without a valid signature (a voided one included), for an
        investigator (default: the user), of the site or of one subject. Every
        investigator of the site sees the same list; forms under a lock are left out
        (they cannot be signed), frozen ones stay. Two statements, however many forms."""
        self.ws.require(Permission.VIEW_DATA, "view forms to sign")
        who = investigator or self.ws.username
        with self.ws.read() as conn:
            person = conn.execute(
                select(account.c.role, account.c.active).where(account.c.username == who)
            ).first()
            if person is None or person.role != Role.INVESTIGATOR.value or not person.active:
                raise UsageError(f"'{who}' is not an active investigator account.")
            locked = locked_subjects(conn)
            if locked is None:  # the whole site is locked
                return []
            complete = and_(
                form_instance.c.status == FormStatus.COMPLETE.value,
                *([event_instance.c.subject_id == subject_id] if subject_id is not None else []),
            )
            forms = form_instance.join(
                event_instance, form_instance.c.event_instance_id == event_instance.c.id
            )
            rows = (
                conn.execute(
                    select(
                        form_instance.c.id,
                        form_instance.c.form_oid,
                        form_instance.c.revision,
                        form_instance.c.updated_at,
                        form_instance.c.updated_by,
                        event_instance.c.subject_id,
                        event_instance.c.event_oid,
                        event_instance.c.occurrence,
                    )
                    .select_from(forms)
                    .where(complete)
                )
                .mappings()
                .all()
            )
            voided: dict[int, Any] = {}
            for v in conn.execute(  # a join, not a list of IDs: no limit on the forms
                select(
                    signature.c.form_instance_id,
                    signature.c.username,
                    signature.c.voided_at,
                    signature.c.void_reason,
                )
                .select_from(
                    signature.join(forms, signature.c.form_instance_id == form_instance.c.id)
                )
                .where(and_(complete, signature.c.voided_at.is_not(None)))
                .order_by(signature.c.id)
            ).mappings():
                voided[v["form_instance_id"]] = v  # the newest wins
        items = [
            ToSign(
                subject_id=r["subject_id"],
                event_oid=r["event_oid"],
                occurrence=r["occurrence"],
                form_oid=r["form_oid"],
                revision=r["revision"],
                updated_at=r["updated_at"],
                updated_by=r["updated_by"],
                voided_by=voided[r["id"]]["username"] if r["id"] in voided else None,
                voided_at=voided[r["id"]]["voided_at"] if r["id"] in voided else None,
                void_reason=voided[r["id"]]["void_reason"] if r["id"] in voided else None,
            )
            for r in rows
            if r["subject_id"] not in locked
        ]
        items.sort(
            key=lambda t: (t.subject_id, *self._position(t.event_oid, t.occurrence, t.form_oid))
        )
        return items

    def verify(self) -> SignatureReport:
        """Check every valid signature against the record and the audit trail."""
        self.ws.require(Permission.VIEW_AUDIT, "verify signatures")
        with self.ws.read() as conn:
            return verify_signatures(conn, self.study.forms)

    def _position(self, event_oid: str, occurrence: int, form_oid: str) -> tuple[int, int, int]:
        """Where a form comes in the casebook: event order, occurrence, form order."""
        events = self.study.events
        index = next((n for n, e in enumerate(events) if e.oid == event_oid), len(events))
        forms = events[index].forms if index < len(events) else ()
        return index, occurrence, forms.index(form_oid) if form_oid in forms else len(forms)


def locked_subjects(conn: Connection) -> set[str] | None:
    """Subjects under a lock; None when the site itself is locked."""
    rows = conn.execute(
        select(hold.c.scope, hold.c.subject_id).where(
            and_(hold.c.level == "locked", hold.c.released_at.is_(None))
        )
    ).all()
    if any(r.scope == "site" for r in rows):
        return None
    return {r.subject_id for r in rows if r.scope == "subject"}
