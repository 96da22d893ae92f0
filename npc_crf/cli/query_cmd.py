"""``npc-crf query``: list, show, raise and answer queries (docs/monitoring.md, "Queries").

A query's uid may be shortened to a unique beginning of at least six characters,
as ``query list`` prints it.
"""

from __future__ import annotations

import argparse
import json

from npc_crf.auth.roles import Role
from npc_crf.cli.site_args import add_site_args, logged_in, reporting_errors
from npc_crf.services.monitoring.query_model import Query, QueryAction, QueryKind, QueryStatus

_ACTIONS = {
    "reply": (QueryAction.REPLY, "answer a query (status updated)"),
    "propose": (QueryAction.PROPOSE, "propose a resolution (status resolution proposed)"),
    "close": (QueryAction.CLOSE, "close a query (monitors)"),
    "na": (QueryAction.NOT_APPLICABLE, "mark a query not applicable (monitors)"),
    "reopen": (QueryAction.REOPEN, "reopen a closed query (monitors; status updated)"),
}
#: ``--status open`` stands for every status that still takes replies
_OPEN = "open"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``query list|show|raise|reply|propose|close|na|reopen``."""
    query = sub.add_parser("query", help="raise, answer and close queries")
    verbs = query.add_subparsers(
        dest="verb", required=True, metavar="{list,show,raise,reply,propose,close,na,reopen}"
    )

    listing = verbs.add_parser("list", help="list queries (oldest first)")
    add_site_args(listing)
    listing.add_argument(
        "--status",
        action="append",
        choices=[_OPEN, *(s.value for s in QueryStatus)],
        help="only this status (repeat for several; 'open': new, updated, resolution_proposed)",
    )
    listing.add_argument("--subject", metavar="ID")
    listing.add_argument("--form", metavar="FORM")
    listing.add_argument("--assigned", metavar="ROLE", help="CRC, INV or MON")
    listing.add_argument(
        "--older-than", type=int, metavar="DAYS", help="raised more than DAYS days ago"
    )
    listing.add_argument(
        "--waiting", action="store_true", help="only the queries waiting for your role"
    )
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=reporting_errors(run_list))

    show = verbs.add_parser("show", help="one query with its thread")
    add_site_args(show)
    show.add_argument("uid", metavar="UID")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(run=reporting_errors(run_show))

    raising = verbs.add_parser("raise", help="raise a query or write a note")
    add_site_args(raising)
    raising.add_argument("subject", metavar="SUBJECT")
    raising.add_argument("--event", metavar="EVENT")
    raising.add_argument("--occurrence", type=int, metavar="N", help="default 1")
    raising.add_argument("--form", metavar="FORM")
    raising.add_argument("--item", metavar="PATH", help="ITEM or GROUP[n].ITEM")
    raising.add_argument("--text", required=True)
    raising.add_argument(
        "--kind",
        default=QueryKind.MANUAL.value,
        choices=[
            QueryKind.MANUAL.value,
            QueryKind.ANNOTATION.value,
            QueryKind.REASON_FOR_CHANGE.value,
        ],
    )
    raising.add_argument("--assign", metavar="ROLE", help="CRC (default for a query), INV or MON")
    raising.add_argument("--json", action="store_true", help="print JSON")
    raising.set_defaults(run=reporting_errors(run_raise))

    for verb, (action, text) in _ACTIONS.items():
        cmd = verbs.add_parser(verb, help=text)
        add_site_args(cmd)
        cmd.add_argument("uid", metavar="UID")
        cmd.add_argument("--text", required=True)
        if action in (QueryAction.REPLY, QueryAction.REOPEN):
            cmd.add_argument("--assign", metavar="ROLE", help="pass it to CRC, INV or MON")
        cmd.add_argument("--json", action="store_true", help="print JSON")
        cmd.set_defaults(run=reporting_errors(run_step), action=action)


def _role(text: str | None) -> Role | None:
    return Role.parse(text) if text else None


def _statuses(given: list[str] | None) -> list[QueryStatus] | None:
    if not given:
        return None
    wanted: set[QueryStatus] = set()
    for text in given:
        if text == _OPEN:
            wanted |= {QueryStatus.NEW, QueryStatus.UPDATED, QueryStatus.RESOLUTION_PROPOSED}
        else:
            wanted.add(QueryStatus(text))
    return sorted(wanted)


def _first_line(query: Query) -> str:
    text = query.messages[0].text if query.messages else ""
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= 60 else line[:59] + "…"


def run_list(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        found = ws.queries.list(
            status=_statuses(args.status),
            subject_id=args.subject,
            form_oid=args.form,
            assigned=_role(args.assigned),
            older_than_days=args.older_than,
            with_messages=True,
        )
        if args.waiting:
            waiting = {q.uid for q in ws.queries.waiting_for()}
            found = [q for q in found if q.uid in waiting]
    if args.json:
        print(json.dumps([q.to_json() for q in found], indent=2, ensure_ascii=False))
        return 0
    if not found:
        print("No queries.")
        return 0
    for q in found:
        assigned = q.assigned_role.value if q.assigned_role else "-"
        print(
            f"{q.uid[:8]}  {q.status.value:<19} {q.kind.value:<17} {assigned:<3} "
            f"{q.age_days():>4}d  {q.where}  {_first_line(q)}"
        )
    print(f"{len(found)} quer{'y' if len(found) == 1 else 'ies'}.")
    return 0


def _print_query(query: Query) -> None:
    assigned = query.assigned_role.value if query.assigned_role else "nobody in particular"
    print(f"Query {query.uid}")
    print(f"  about:    {query.where}")
    print(f"  kind:     {query.kind.value}")
    print(f"  status:   {query.status.value}")
    print(f"  assigned: {assigned}")
    print(f"  raised:   {query.created_at} by {query.created_by} (origin {query.origin})")
    for m in query.messages:
        print(
            f"  [{m.position}] {m.at_utc}  {m.full_name} ({m.username}, {m.role}) -> {m.status.value}"
        )
        for line in m.text.splitlines() or [""]:
            print(f"      {line}")


def _done(args: argparse.Namespace, query: Query) -> int:
    if args.json:
        print(json.dumps(query.to_json(), indent=2, ensure_ascii=False))
    else:
        _print_query(query)
    return 0


def run_show(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        query = ws.queries.get(args.uid)
    return _done(args, query)


def run_raise(args: argparse.Namespace) -> int:
    kind = QueryKind(args.kind)
    assign = _role(args.assign)
    if assign is None and kind is QueryKind.MANUAL:
        assign = Role.CRC
    with logged_in(args) as ws:
        query = ws.queries.raise_query(
            args.subject,
            args.text,
            event_oid=args.event,
            occurrence=args.occurrence,
            form_oid=args.form,
            item_path=args.item,
            kind=kind,
            assign=assign,
        )
    return _done(args, query)


def run_step(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        query = ws.queries.act(
            args.uid, args.action, args.text, assign=_role(getattr(args, "assign", None))
        )
    return _done(args, query)
