"""Queries: kinds, statuses, what each action needs and does, and the records read back.

The workflow follows OpenClinica's discrepancy notes (docs/monitoring.md, "Queries"):
four kinds, five statuses, a thread of messages that is never changed or deleted.
Every message records the status the query had after it, so the thread is the
query's whole history; the ``query`` row holds the current status for fast lists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from npc_crf.auth.roles import Permission, Role
from npc_crf.store.records import RowLike


class QueryKind(StrEnum):
    """What a query is."""

    #: raised by the program: a soft warning kept with a reason, or an imported value
    #: that fails a check
    FAILED_CHECK = "failed_check"
    #: a question a monitor (or the coordinating center) asks
    MANUAL = "manual"
    #: a note explaining a change; needs no answer
    REASON_FOR_CHANGE = "reason_for_change"
    #: a note about the data; needs no answer
    ANNOTATION = "annotation"


#: kinds that are notes: raised as not applicable (nobody has to act), never reopened
NOTE_KINDS = frozenset({QueryKind.REASON_FOR_CHANGE, QueryKind.ANNOTATION})


class QueryStatus(StrEnum):
    """Where a query is in its workflow."""

    NEW = "new"
    UPDATED = "updated"
    RESOLUTION_PROPOSED = "resolution_proposed"
    CLOSED = "closed"
    NOT_APPLICABLE = "not_applicable"


QS = QueryStatus

#: statuses in which a query takes replies (the others only a reopen)
OPEN_STATUSES = frozenset({QS.NEW, QS.UPDATED, QS.RESOLUTION_PROPOSED})
#: statuses in which a query is finished
DONE_STATUSES = frozenset({QS.CLOSED, QS.NOT_APPLICABLE})


class QueryAction(StrEnum):
    """What a person does to an existing query."""

    REPLY = "reply"
    PROPOSE = "propose"
    CLOSE = "close"
    NOT_APPLICABLE = "na"
    REOPEN = "reopen"


@dataclass(frozen=True)
class Step:
    """One action on a query: the permission it needs, the statuses it starts from and
    the status it leaves, and the audit action it writes."""

    permission: Permission
    verb: str  # completes "A monitor may not …"
    audit: str
    start: frozenset[QueryStatus]
    end: QueryStatus


STEPS: dict[QueryAction, Step] = {
    QueryAction.REPLY: Step(
        Permission.ANSWER_QUERY, "answer queries", "query_replied", OPEN_STATUSES, QS.UPDATED
    ),
    QueryAction.PROPOSE: Step(
        Permission.ANSWER_QUERY,
        "propose resolutions of queries",
        "query_resolution_proposed",
        OPEN_STATUSES,
        QS.RESOLUTION_PROPOSED,
    ),
    QueryAction.CLOSE: Step(
        Permission.CLOSE_QUERY, "close queries", "query_closed", OPEN_STATUSES, QS.CLOSED
    ),
    QueryAction.NOT_APPLICABLE: Step(
        Permission.CLOSE_QUERY,
        "mark queries not applicable",
        "query_not_applicable",
        OPEN_STATUSES,
        QS.NOT_APPLICABLE,
    ),
    QueryAction.REOPEN: Step(
        Permission.RAISE_QUERY, "reopen queries", "query_reopened", DONE_STATUSES, QS.UPDATED
    ),
}

#: the audit action of a message that leaves a query in a status (imports, threads)
AUDIT_FOR_STATUS: dict[QueryStatus, str] = {
    QS.NEW: "query_raised",
    QS.UPDATED: "query_replied",
    QS.RESOLUTION_PROPOSED: "query_resolution_proposed",
    QS.CLOSED: "query_closed",
    QS.NOT_APPLICABLE: "query_not_applicable",
}


def raise_permission(kind: QueryKind) -> tuple[Permission, str]:
    """What raising a query of ``kind`` by hand needs: monitors ask questions; anyone who
    answers queries may write a note (annotation, reason for change)."""
    if kind in NOTE_KINDS:
        return Permission.ANSWER_QUERY, "write notes on the data"
    return Permission.RAISE_QUERY, "raise queries"


def first_status(kind: QueryKind) -> QueryStatus:
    """The status a new query of ``kind`` starts in."""
    return QS.NOT_APPLICABLE if kind in NOTE_KINDS else QS.NEW


def where_text(
    subject_id: str,
    event_oid: str | None,
    occurrence: int | None,
    form_oid: str | None,
    item_path: str | None,
) -> str:
    """``S01-01-0001/CYCLE[2]/EX/EXSTDAT`` — as much as the query is about."""
    parts = [subject_id]
    if event_oid:
        parts.append(f"{event_oid}[{occurrence or 1}]")
    parts += [p for p in (form_oid, item_path) if p]
    return "/".join(parts)


@dataclass(frozen=True)
class QueryMessage:
    """One message of a thread (position 1 raised the query)."""

    uid: str
    position: int
    at_utc: str
    username: str
    full_name: str
    role: str
    text: str
    status: QueryStatus
    origin: str

    @classmethod
    def of(cls, row: RowLike) -> QueryMessage:
        return cls(
            row["uid"],
            row["position"],
            row["at_utc"],
            row["username"],
            row["full_name"],
            row["role"],
            row["text"],
            QueryStatus(row["status"]),
            row["origin"],
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "position": self.position,
            "at_utc": self.at_utc,
            "username": self.username,
            "full_name": self.full_name,
            "role": self.role,
            "text": self.text,
            "status": self.status.value,
            "origin": self.origin,
        }


@dataclass(frozen=True)
class Query:
    """A query and (when read with it) its thread."""

    uid: str
    subject_id: str
    event_oid: str | None
    occurrence: int | None
    form_oid: str | None
    item_path: str | None
    row_uid: str | None
    kind: QueryKind
    status: QueryStatus
    assigned_role: Role | None
    origin: str
    created_at: str
    created_by: str
    updated_at: str
    updated_by: str
    messages: tuple[QueryMessage, ...] = ()

    @classmethod
    def of(cls, row: RowLike, messages: tuple[QueryMessage, ...] = ()) -> Query:
        assigned = row["assigned_role"]
        return cls(
            row["uid"],
            row["subject_id"],
            row["event_oid"],
            row["occurrence"],
            row["form_oid"],
            row["item_path"],
            row["row_uid"],
            QueryKind(row["kind"]),
            QueryStatus(row["status"]),
            Role(assigned) if assigned else None,
            row["origin"],
            row["created_at"],
            row["created_by"],
            row["updated_at"],
            row["updated_by"],
            messages,
        )

    @property
    def where(self) -> str:
        return where_text(
            self.subject_id, self.event_oid, self.occurrence, self.form_oid, self.item_path
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def raised_on(self) -> dt.date:
        """The local day the query was raised."""
        return dt.datetime.fromisoformat(self.created_at).astimezone().date()

    def age_days(self, today: dt.date | None = None) -> int:
        """Whole days since the query was raised (0 on the day)."""
        return ((today or dt.date.today()) - self.raised_on()).days

    def to_json(self, today: dt.date | None = None) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "where": self.where,
            "subject_id": self.subject_id,
            "event_oid": self.event_oid,
            "occurrence": self.occurrence,
            "form_oid": self.form_oid,
            "item_path": self.item_path,
            "row_uid": self.row_uid,
            "kind": self.kind.value,
            "status": self.status.value,
            "assigned_role": self.assigned_role.value if self.assigned_role else None,
            "origin": self.origin,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "updated_at": self.updated_at,
            "updated_by": self.updated_by,
            "age_days": self.age_days(today),
            "messages": [m.to_json() for m in self.messages],
        }
