"""Subjects: enrolment with offline-safe IDs, status changes, listing."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection, insert, select, update

from npc_crf.auth.roles import Permission
from npc_crf.core.errors import UsageError
from npc_crf.services.monitoring.holds import require_data_change
from npc_crf.services.workspace import Tx, Workspace
from npc_crf.store.models import counter, subject
from npc_crf.store.records import RowLike


class SubjectStatus(StrEnum):
    """Where a subject is in the study."""

    SCREENING = "screening"
    SCREEN_FAILURE = "screen_failure"
    ENROLLED = "enrolled"
    ON_TREATMENT = "on_treatment"
    FOLLOW_UP = "follow_up"
    OFF_STUDY = "off_study"
    DIED = "died"


S = SubjectStatus

#: allowed changes; a reason is needed for those in NEEDS_REASON
TRANSITIONS: dict[SubjectStatus, frozenset[SubjectStatus]] = {
    S.SCREENING: frozenset({S.SCREEN_FAILURE, S.ENROLLED}),
    S.SCREEN_FAILURE: frozenset(),
    S.ENROLLED: frozenset({S.ON_TREATMENT, S.OFF_STUDY, S.DIED}),
    S.ON_TREATMENT: frozenset({S.FOLLOW_UP, S.OFF_STUDY, S.DIED}),
    S.FOLLOW_UP: frozenset({S.OFF_STUDY, S.DIED}),
    S.OFF_STUDY: frozenset({S.DIED}),
    S.DIED: frozenset(),
}
NEEDS_REASON = frozenset({S.SCREEN_FAILURE, S.OFF_STUDY})


@dataclass(frozen=True)
class SubjectInfo:
    """A subject's identity and status."""

    subject_id: str
    study_oid: str
    status: SubjectStatus
    status_reason: str | None
    status_date: str | None
    created_at: str
    created_by: str


def subject_id_for(site_id: str, installation_number: int, seq: int) -> str:
    """``S01-01-0007``: site, installation number, sequence on that installation.

    Installations of one site have different numbers, so IDs allocated offline on
    different ward PCs never collide.
    """
    return f"{site_id}-{installation_number:02d}-{seq:04d}"


def _next(conn: Connection, name: str) -> int:
    row = conn.execute(select(counter.c.value).where(counter.c.name == name)).first()
    value = (row.value if row else 0) + 1
    if row is None:
        conn.execute(insert(counter).values(name=name, value=value))
    else:
        conn.execute(update(counter).where(counter.c.name == name).values(value=value))
    return value


class SubjectService:
    """Enrol subjects and move them through the study."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def enrol(self, *, screening_date: dt.date | None = None, tx: Tx | None = None) -> str:
        """Register a new subject in screening; returns the allocated subject ID."""
        self.ws.require(Permission.ENTER_DATA, "register subjects")
        day = (screening_date or dt.date.today()).isoformat()
        with self.ws.within(tx) as tx:
            require_data_change(self.ws, tx.conn, None, None, "A new subject")  # site freeze
            seq = _next(tx.conn, "subject")
            subject_id = subject_id_for(self.ws.site_id, self.ws.installation_number, seq)
            tx.conn.execute(
                insert(subject).values(
                    subject_id=subject_id,
                    study_oid=self.ws.study.oid,
                    status=S.SCREENING.value,
                    status_date=day,
                    installation_id=self.ws.installation_id,
                    created_at=self.ws.now().isoformat(timespec="seconds"),
                    created_by=self.ws.username,
                )
            )
            tx.audit.append(
                "subject_created",
                subject_id=subject_id,
                new_value=json.dumps({"status": S.SCREENING.value, "status_date": day}),
            )
        return subject_id

    def get(self, subject_id: str) -> SubjectInfo:
        """One subject; UsageError when there is none."""
        self.ws.require(Permission.VIEW_DATA, "view subjects")
        with self.ws.read() as conn:
            row = conn.execute(select(subject).where(subject.c.subject_id == subject_id)).first()
        if row is None:
            raise UsageError(f"There is no subject '{subject_id}' at this site.")
        return _info(row._mapping)

    def list(self) -> list[SubjectInfo]:
        """Every subject, in ID order."""
        self.ws.require(Permission.VIEW_DATA, "view subjects")
        with self.ws.read() as conn:
            rows = conn.execute(select(subject).order_by(subject.c.subject_id)).all()
        return [_info(r._mapping) for r in rows]

    def set_status(
        self,
        subject_id: str,
        status: SubjectStatus,
        *,
        reason: str | None = None,
        on: dt.date | None = None,
        tx: Tx | None = None,
    ) -> None:
        """Move a subject to ``status`` (only along TRANSITIONS; audited)."""
        self.ws.require(Permission.CHANGE_SUBJECT_STATUS, "change a subject's status")
        if status in NEEDS_REASON and not (reason or "").strip():
            raise UsageError(f"A reason is needed for {status.value}.")
        day = (on or dt.date.today()).isoformat()
        with self.ws.within(tx) as tx:
            row = tx.conn.execute(
                select(subject).where(subject.c.subject_id == subject_id)
            ).first()  # read inside the transaction that changes it
            if row is None:
                raise UsageError(f"There is no subject '{subject_id}' at this site.")
            require_data_change(self.ws, tx.conn, subject_id, None, f"{subject_id}'s status")
            current = _info(row._mapping)
            if status not in TRANSITIONS[current.status]:
                allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current.status])) or "none"
                raise UsageError(
                    f"{subject_id} is {current.status.value}; it cannot become {status.value} "
                    f"(possible: {allowed})."
                )
            tx.conn.execute(
                update(subject)
                .where(subject.c.subject_id == subject_id)
                .values(
                    status=status.value,
                    status_reason=(reason or "").strip() or None,
                    status_date=day,
                )
            )
            tx.audit.append(
                "subject_status_changed",
                subject_id=subject_id,
                old_value=json.dumps({"status": current.status.value}),
                new_value=json.dumps({"status": status.value, "status_date": day}),
                reason=(reason or "").strip() or None,
            )


def _info(row: RowLike) -> SubjectInfo:
    return SubjectInfo(
        subject_id=row["subject_id"],
        study_oid=row["study_oid"],
        status=SubjectStatus(row["status"]),
        status_reason=row["status_reason"],
        status_date=row["status_date"],
        created_at=row["created_at"],
        created_by=row["created_by"],
    )
