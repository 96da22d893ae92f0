"""``npc-crf sign form|event|casebook|show|todo``: electronic signatures (investigators).

A command is one continuous session: ``--user`` and the password (from
``NPC_CRF_PASSWORD`` or ``--password-stdin``) log in and are given again as the
two components of the signature (Part 11 §11.200(a)(1)). One command signs one
form, one event occurrence or one casebook as one batch; a form in progress or
locked in scope refuses the whole act and is named.
"""

from __future__ import annotations

import argparse
import json

from npc_crf.cli.site_args import (
    add_site_args,
    logged_in,
    open_site,
    read_password,
    reporting_errors,
)
from npc_crf.services.monitoring.signatures import SigningResult


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``sign form|event|casebook|show|todo``."""
    sign = sub.add_parser("sign", help="sign forms, events or casebooks; show signatures")
    verbs = sign.add_subparsers(
        dest="verb", required=True, metavar="{form,event,casebook,show,todo}"
    )

    form = verbs.add_parser("form", help="sign one complete form")
    add_site_args(form)
    _subject(form)
    _event(form)
    form.add_argument("--form", required=True, metavar="FORM")
    _meaning(form)
    form.set_defaults(run=reporting_errors(run_sign), scope="form")

    event = verbs.add_parser("event", help="sign every complete form of one event occurrence")
    add_site_args(event)
    _subject(event)
    _event(event)
    _meaning(event)
    event.set_defaults(run=reporting_errors(run_sign), scope="event")

    casebook = verbs.add_parser("casebook", help="sign every complete form of a subject")
    add_site_args(casebook)
    _subject(casebook)
    _meaning(casebook)
    casebook.set_defaults(run=reporting_errors(run_sign), scope="casebook")

    show = verbs.add_parser(
        "show", help="the signatures of a subject, an event or a form (printed name, time, meaning)"
    )
    add_site_args(show)
    _subject(show)
    show.add_argument("--event", metavar="EVENT")
    show.add_argument("--occurrence", type=int)
    show.add_argument("--form", metavar="FORM")
    show.add_argument("--voided", action="store_true", help="include voided signatures")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=reporting_errors(run_show))

    todo = verbs.add_parser("todo", help="complete forms waiting for a signature")
    add_site_args(todo)
    todo.add_argument("--investigator", metavar="USER", help="default: --user")
    todo.add_argument("--json", action="store_true")
    todo.set_defaults(run=reporting_errors(run_todo))


def _subject(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--subject", required=True, metavar="ID")


def _event(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--event", required=True, metavar="EVENT")
    parser.add_argument("--occurrence", type=int, default=1, help="for repeating events (from 1)")


def _meaning(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--meaning", required=True, help="a signature meaning code of the study")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run_sign(args: argparse.Namespace) -> int:
    password = read_password(args)
    with open_site(args) as site:
        ws = site.login(args.user, password, channel="cli")
        try:
            common = {"meaning": args.meaning, "password": password, "user_id": args.user}
            result: SigningResult
            if args.scope == "form":
                result = ws.signatures.sign_form(
                    args.subject, args.event, args.occurrence, args.form, **common
                )
            elif args.scope == "event":
                result = ws.signatures.sign_event(
                    args.subject, args.event, args.occurrence, **common
                )
            else:
                result = ws.signatures.sign_casebook(args.subject, **common)
        finally:
            ws.logout()
    if args.json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return 0
    print(
        f"Signed {len(result.signed)} form(s) ({result.meaning}, {result.signed_at}, "
        f"batch {result.batch_uid}):"
    )
    for f in result.signed:
        print(f"  {f.subject_id}/{f.event_oid}[{f.occurrence}]/{f.form_oid} revision {f.revision}")
    for where in result.skipped:
        print(f"  {where}: already signed, left as it is")
    return 0


def run_show(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        found = ws.signatures.manifestations(
            args.subject,
            args.event,
            args.occurrence,
            args.form,
            include_voided=args.voided,
        )
    if args.json:
        print(json.dumps([m.to_json() for m in found], indent=2, ensure_ascii=False))
        return 0
    if not found:
        print("No signatures.")
    for m in found:
        print(f"{m.subject_id}/{m.event_oid}[{m.occurrence}]/{m.form_oid}: {m.text}")
    return 0


def run_todo(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        items = ws.signatures.to_sign(args.investigator)
    if args.json:
        print(json.dumps([i.to_json() for i in items], indent=2, ensure_ascii=False))
        return 0
    if not items:
        print("Nothing to sign.")
    for i in items:
        again = (
            f" — signature by {i.voided_by} voided {i.voided_at} ({i.void_reason})"
            if i.voided_by
            else ""
        )
        print(f"{i.subject_id}/{i.event_oid}[{i.occurrence}]/{i.form_oid} rev {i.revision}{again}")
    return 0
