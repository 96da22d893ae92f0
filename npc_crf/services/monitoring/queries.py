"""Queries: raise, answer, propose a resolution, close, mark not applicable, reopen, list.

``ws.queries`` is a :class:`QueryService`. Who may do what follows the role matrix
(``docs/roles.md``) and the transitions of :data:`~.query_model.STEPS`; a query on
a locked form, subject or site takes no step (a freeze lets queries go on). A query
and its thread are never deleted or changed (database triggers); every step is a
new message, written together with its audit entry.

:func:`raise_for_overrides` is what a save calls for each soft warning newly kept
with a reason; :func:`raise_for_import_warnings` is what a CSV import calls for each
value it keeps with a soft warning. :func:`export_queries` and
:func:`import_queries` move queries in bundles (``docs/monitoring.md``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, and_, false, or_, select

from npc_crf.auth.roles import Permission, Role
from npc_crf.core.errors import UsageError
from npc_crf.forms.session import ItemPath
from npc_crf.services.monitoring import query_store as store
from npc_crf.services.monitoring.holds import require_not_locked
from npc_crf.services.monitoring.query_model import (
    NOTE_KINDS,
    OPEN_STATUSES,
    STEPS,
    Query,
    QueryAction,
    QueryKind,
    QueryStatus,
    first_status,
    raise_permission,
)
from npc_crf.store.models import group_row
from npc_crf.store.models import query as query_table
from npc_crf.store.records import RowLike

if TYPE_CHECKING:
    from npc_crf.services.monitoring.hooks import Override
    from npc_crf.services.monitoring.query_bundle import ImportCounts, QueryExport
    from npc_crf.services.workspace import Tx, Workspace

#: who a failed-check query is for: the monitor reviews every kept warning first
FAILED_CHECK_ROLE = Role.MONITOR


def _clean(text: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise UsageError("A query message needs some text.")
    return cleaned


def _now(ws: Workspace) -> str:
    return ws.now().isoformat(timespec="microseconds")


def _message(ws: Workspace, text: str, status: QueryStatus, at: str) -> dict[str, Any]:
    return {
        "uid": str(uuid.uuid4()),
        "at_utc": at,
        "username": ws.username,
        "full_name": ws.full_name,
        "role": ws.role.value,
        "text": text,
        "status": status.value,
        "origin": ws.installation_id,
    }


def _new_query(
    ws: Workspace,
    tx: Tx,
    *,
    subject_id: str,
    event_oid: str | None,
    occurrence: int | None,
    form_oid: str | None,
    item_path: str | None,
    row_uid: str | None,
    kind: QueryKind,
    assigned: Role | None,
    text: str,
    source: str | None,
) -> RowLike:
    """Insert a query and its first message (audited ``query_raised``); the row."""
    at = _now(ws)
    status = first_status(kind)
    qid = store.insert_query(
        tx.conn,
        {
            "uid": str(uuid.uuid4()),
            "subject_id": subject_id,
            "event_oid": event_oid,
            "occurrence": occurrence,
            "form_oid": form_oid,
            "item_path": item_path,
            "row_uid": row_uid,
            "kind": kind.value,
            "status": status.value,
            "assigned_role": assigned.value if assigned else None,
            "origin": ws.installation_id,
            "created_at": at,
            "created_by": ws.username,
            "updated_at": at,
            "updated_by": ws.username,
        },
    )
    store.append_message(tx.conn, qid, _message(ws, text, status, at))
    row = store.reread(tx.conn, qid)
    store.audit(
        tx,
        "query_raised",
        row,
        text=text,
        old_status=None,
        new_status=status.value,
        assigned=assigned.value if assigned else None,
        source=source,
        extra={"kind": kind.value},
    )
    return row


# -- raised by saves and imports ----------------------------------------------------------


def raise_for_overrides(
    ws: Workspace, tx: Tx, overrides: list[Override], context: dict[str, Any]
) -> int:
    """A failed-check query for each new override of a save; how many were raised.

    The first message is the check's message and the reason given; the query is
    assigned to the monitor. An item that already has an open failed-check query
    gets no second one. Runs in the save's transaction, on behalf of the person
    saving (no query permission needed: the edit check raises it, not the person).
    """
    if not overrides:
        return 0
    subject_id = context["subject_id"]
    event_oid, occurrence, form_oid = (
        context["event_oid"],
        context["occurrence"],
        context["form_oid"],
    )
    open_items = {
        (r.row_uid or "", ItemPath.parse(r.item_path).item)
        for r in tx.conn.execute(
            select(query_table.c.row_uid, query_table.c.item_path).where(
                and_(
                    query_table.c.subject_id == subject_id,
                    query_table.c.event_oid == event_oid,
                    query_table.c.occurrence == occurrence,
                    query_table.c.form_oid == form_oid,
                    query_table.c.item_path.is_not(None),
                    query_table.c.kind == QueryKind.FAILED_CHECK.value,
                    query_table.c.status.in_(sorted(OPEN_STATUSES)),
                )
            )
        )
    }
    raised = 0
    for override in overrides:
        key = (override.row_uid, override.item_oid)
        if key in open_items:
            continue
        open_items.add(key)
        _new_query(
            ws,
            tx,
            subject_id=subject_id,
            event_oid=event_oid,
            occurrence=occurrence,
            form_oid=form_oid,
            item_path=override.path,
            row_uid=override.row_uid or None,
            kind=QueryKind.FAILED_CHECK,
            assigned=FAILED_CHECK_ROLE,
            text=f"{override.message}\nReason given: {override.reason}",
            source=context.get("source"),
        )
        raised += 1
    return raised


def raise_for_import_warnings(
    ws: Workspace,
    tx: Tx,
    where: tuple[str, str, int, str],
    warnings: Mapping[str, str],
    source: str,
) -> int:
    """Failed-check queries for values an import kept with a soft warning.

    ``where`` is (subject, event, occurrence, form) of a form the import just saved in
    ``tx``; ``warnings`` maps item paths (``TL[2].TLDIAM``) to the check's message.
    Goes through :func:`raise_for_overrides`, with "none given" as the reason.
    """
    from npc_crf.services.monitoring.hooks import Override

    if not warnings:
        return 0
    subject_id, event_oid, occurrence, form_oid = where
    fid = store.form_instance_id(tx.conn, subject_id, event_oid, occurrence, form_oid)
    if fid is None:
        return 0
    rows = {
        (r.group_oid, r.position): r.uid
        for r in tx.conn.execute(
            select(group_row.c.uid, group_row.c.group_oid, group_row.c.position).where(
                and_(group_row.c.form_instance_id == fid, group_row.c.deleted.is_(False))
            )
        )
    }
    overrides = []
    for text, message in warnings.items():
        path = ItemPath.parse(text)
        row_uid = rows.get((path.group, path.row), "") if path.group else ""
        reason = f"none given — the value was kept by {source}"
        overrides.append(Override(row_uid, path.item, str(path), message, reason))
    context = {
        "subject_id": subject_id,
        "event_oid": event_oid,
        "occurrence": occurrence,
        "form_oid": form_oid,
        "source": source,
    }
    return raise_for_overrides(ws, tx, overrides, context)


# -- bundles ------------------------------------------------------------------------------


def export_queries(ws: Workspace, since: int | Collection[str] | None = None) -> QueryExport:
    """Queries for a bundle (see :func:`.query_bundle.export_queries`)."""
    from npc_crf.services.monitoring.query_bundle import export_queries as export

    return export(ws, since)


def import_queries(
    ws: Workspace, records: Iterable[Mapping[str, Any]], *, source: str = "bundle"
) -> ImportCounts:
    """Queries from a bundle (see :func:`.query_bundle.import_queries`)."""
    from npc_crf.services.monitoring.query_bundle import import_queries as load

    return load(ws, records, source=source)


# -- the service ---------------------------------------------------------------------------


def waiting_condition(role: Role) -> ColumnElement[bool]:
    """The queries ``role`` should act on.

    Research nurses and investigators: new or updated queries assigned to their role
    (nurses also those assigned to nobody in particular). Monitors: proposed
    resolutions, new or updated queries assigned to the monitor, and every new
    failed-check query. Administrators: none.
    """
    c = query_table.c
    asked = c.status.in_([QueryStatus.NEW.value, QueryStatus.UPDATED.value])
    if role is Role.CRC:
        return and_(asked, or_(c.assigned_role == role.value, c.assigned_role.is_(None)))
    if role is Role.INVESTIGATOR:
        return and_(asked, c.assigned_role == role.value)
    if role is Role.MONITOR:
        return or_(
            c.status == QueryStatus.RESOLUTION_PROPOSED.value,
            and_(asked, c.assigned_role == role.value),
            and_(c.kind == QueryKind.FAILED_CHECK.value, c.status == QueryStatus.NEW.value),
        )
    return false()


def select_waiting(conn: Connection, role: Role, subject_id: str | None = None) -> list[Query]:
    """The queries ``role`` should act on (no threads), oldest first, in one statement;
    for callers that already checked ``view_data`` (the worklist)."""
    cond = waiting_condition(role)
    if subject_id is not None:
        cond = and_(cond, query_table.c.subject_id == subject_id)
    rows = conn.execute(
        select(query_table).where(cond).order_by(query_table.c.created_at, query_table.c.id)
    ).mappings()
    return [Query.of(r) for r in rows]


class QueryService:
    """Queries of this site: the workflow, the lists, one query with its thread."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.study = ws.study

    # -- changing -------------------------------------------------------------------------

    def raise_query(
        self,
        subject_id: str,
        text: str,
        *,
        event_oid: str | None = None,
        occurrence: int | None = None,
        form_oid: str | None = None,
        item_path: str | None = None,
        kind: QueryKind = QueryKind.MANUAL,
        assign: Role | None = Role.CRC,
        tx: Tx | None = None,
    ) -> Query:
        """Raise a query about a subject, an event, a form or an item.

        Monitors raise questions (``manual``, assigned to ``assign``); anyone who
        answers queries may write a note (``annotation``, ``reason_for_change``),
        which starts as not applicable. Failed-check queries come from the checks only.
        """
        kind = QueryKind(kind)
        permission, verb = raise_permission(kind)
        self.ws.require(permission, verb)
        if kind is QueryKind.FAILED_CHECK:
            raise UsageError(
                "Failed-check queries are raised by the edit checks (a warning kept with a "
                "reason, an imported value outside its range); raise a manual query instead."
            )
        text = _clean(text)
        if assign is not None and Role(assign) is Role.ADMIN:
            raise UsageError("Queries are assigned to CRC, INV or MON, not to the administrator.")
        with self.ws.within(tx) as tx:
            target = store.resolve_target(
                tx.conn, self.study, subject_id, event_oid, occurrence, form_oid, item_path
            )
            require_not_locked(
                self.ws, tx.conn, target.subject_id, target.form_instance_id, target.where
            )
            row = _new_query(
                self.ws,
                tx,
                subject_id=target.subject_id,
                event_oid=target.event_oid,
                occurrence=target.occurrence,
                form_oid=target.form_oid,
                item_path=target.item_path,
                row_uid=target.row_uid,
                kind=kind,
                assigned=Role(assign) if assign is not None else None,
                text=text,
                source=self.ws.channel,
            )
            return store.load(tx.conn, row)

    def reply(
        self, uid: str, text: str, *, assign: Role | None = None, tx: Tx | None = None
    ) -> Query:
        """Answer a query (status updated); ``assign`` passes it to another role."""
        return self._step(uid, QueryAction.REPLY, text, assign, tx)

    def propose(self, uid: str, text: str, *, tx: Tx | None = None) -> Query:
        """Propose a resolution (status resolution proposed): the monitor decides."""
        return self._step(uid, QueryAction.PROPOSE, text, None, tx)

    def close(self, uid: str, text: str, *, tx: Tx | None = None) -> Query:
        """Close a query (monitors)."""
        return self._step(uid, QueryAction.CLOSE, text, None, tx)

    def not_applicable(self, uid: str, text: str, *, tx: Tx | None = None) -> Query:
        """Mark a query not applicable (monitors)."""
        return self._step(uid, QueryAction.NOT_APPLICABLE, text, None, tx)

    def reopen(
        self, uid: str, text: str, *, assign: Role | None = None, tx: Tx | None = None
    ) -> Query:
        """Reopen a closed or not-applicable query (monitors; status updated)."""
        return self._step(uid, QueryAction.REOPEN, text, assign, tx)

    def act(self, uid: str, action: QueryAction, text: str, *, assign: Role | None = None) -> Query:
        """Any of the steps by name (the command line's ``query reply|propose|…``)."""
        return self._step(uid, QueryAction(action), text, assign, None)

    def _step(
        self, uid: str, action: QueryAction, text: str, assign: Role | None, tx: Tx | None
    ) -> Query:
        step = STEPS[action]
        self.ws.require(step.permission, step.verb)
        text = _clean(text)
        if assign is not None and Role(assign) is Role.ADMIN:
            raise UsageError("Queries are assigned to CRC, INV or MON, not to the administrator.")
        with self.ws.within(tx) as tx:
            row = store.find_row(tx.conn, uid)
            status = QueryStatus(row["status"])
            where = f"Query {row['uid']} ({row_where(row)})"
            if status not in step.start:
                raise UsageError(_refusal(where, status, action))
            if action is QueryAction.REOPEN and QueryKind(row["kind"]) in NOTE_KINDS:
                raise UsageError(f"{where} is a note, not a question: raise a query instead.")
            fid = store.form_instance_id(
                tx.conn, row["subject_id"], row["event_oid"], row["occurrence"], row["form_oid"]
            )
            require_not_locked(self.ws, tx.conn, row["subject_id"], fid, row_where(row))
            at = _now(self.ws)
            assigned = Role(assign).value if assign is not None else None
            store.append_message(
                tx.conn,
                row["id"],
                _message(self.ws, text, step.end, at),
                assigned_role=assigned,
                reassign=assign is not None,
            )
            row = store.reread(tx.conn, row["id"])
            store.audit(
                tx,
                step.audit,
                row,
                text=text,
                old_status=status.value,
                new_status=step.end.value,
                assigned=assigned,
                source=self.ws.channel,
            )
            return store.load(tx.conn, row)

    # -- reading --------------------------------------------------------------------------

    def get(self, uid: str) -> Query:
        """One query with its thread (a unique beginning of the uid is enough)."""
        self.ws.require(Permission.VIEW_DATA, "view queries")
        with self.ws.read() as conn:
            return store.load(conn, store.find_row(conn, uid))

    def waiting_for(
        self, role: Role | None = None, *, subject_id: str | None = None
    ) -> list[Query]:
        """What ``role`` (default: the current user's) should act on; see
        :func:`waiting_condition`."""
        self.ws.require(Permission.VIEW_DATA, "view queries")
        with self.ws.read() as conn:
            return select_waiting(
                conn, Role(role) if role is not None else self.ws.role, subject_id
            )

    def _select(self, cond: ColumnElement[bool] | None, with_messages: bool) -> list[Query]:
        query = select(query_table).order_by(query_table.c.created_at, query_table.c.id)
        if cond is not None:
            query = query.where(cond)
        with self.ws.read() as conn:
            rows = conn.execute(query).mappings().all()
            if not with_messages:
                return [Query.of(r) for r in rows]
            return store.with_threads(conn, rows)

    def list(
        self,
        *,
        status: QueryStatus | Iterable[QueryStatus] | None = None,
        subject_id: str | None = None,
        form_oid: str | None = None,
        assigned: Role | None = None,
        older_than_days: int | None = None,
        kind: QueryKind | None = None,
        with_messages: bool = False,
    ) -> list[Query]:
        """Queries matching every filter given, oldest first.

        ``older_than_days``: raised more than that many days ago (its age).
        """
        self.ws.require(Permission.VIEW_DATA, "view queries")
        c = query_table.c
        conds: list[ColumnElement[bool]] = []
        if status is not None:
            wanted = (
                [QueryStatus(status)]
                if isinstance(status, str)
                else [QueryStatus(s) for s in status]
            )
            conds.append(c.status.in_(sorted(s.value for s in wanted)))
        for column, value in ((c.subject_id, subject_id), (c.form_oid, form_oid)):
            if value is not None:
                conds.append(column == value)
        if assigned is not None:
            conds.append(c.assigned_role == Role(assigned).value)
        if kind is not None:
            conds.append(c.kind == QueryKind(kind).value)
        if older_than_days is not None:
            if older_than_days < 0:
                raise UsageError("An age in days is 0 or more.")
            cutoff = self.ws.now() - dt.timedelta(days=older_than_days)
            conds.append(c.created_at < cutoff.isoformat(timespec="microseconds"))
        return self._select(and_(*conds) if conds else None, with_messages)


def row_where(row: RowLike) -> str:
    """Where a query row points (``S01-01-0001/CYCLE[2]/EX/EXSTDAT``)."""
    return Query.of(row).where


def _refusal(where: str, status: QueryStatus, action: QueryAction) -> str:
    if action is QueryAction.REOPEN:
        return f"{where} is {status.value}, not closed: there is nothing to reopen."
    if status is QueryStatus.CLOSED and action is QueryAction.CLOSE:
        return f"{where} is already closed."
    if status is QueryStatus.NOT_APPLICABLE and action is QueryAction.NOT_APPLICABLE:
        return f"{where} is already not applicable."
    return (
        f"{where} is {status.value.replace('_', ' ')}: it takes no replies or status changes "
        "until a monitor reopens it."
    )
