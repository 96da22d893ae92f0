"""``npc-crf hold freeze|unfreeze|lock|unlock|status``: freezes and locks.

A target is ``--site``, ``--subject ID`` or ``--form SUBJECT EVENT OCCURRENCE FORM``.
Monitors and administrators freeze; administrators lock, and only they release a
freeze or a lock. Every change needs ``--reason`` and is audited.
"""

from __future__ import annotations

import argparse
import json

from npc_crf.cli.site_args import add_site_args, logged_in, reporting_errors
from npc_crf.core.errors import UsageError
from npc_crf.services.monitoring.holds import Target


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``hold freeze|unfreeze|lock|unlock|status``."""
    hold = sub.add_parser("hold", help="freeze and lock forms, subjects or the site")
    verbs = hold.add_subparsers(
        dest="verb", required=True, metavar="{freeze,unfreeze,lock,unlock,status}"
    )
    helps = {
        "freeze": "no data changes (queries, SDV and signatures go on)",
        "unfreeze": "release a freeze (site administrator)",
        "lock": "no change of any kind (site administrator)",
        "unlock": "release a lock (site administrator)",
    }
    for verb, text in helps.items():
        cmd = verbs.add_parser(verb, help=text)
        add_site_args(cmd)
        _target(cmd, required=True)
        cmd.add_argument("--reason", required=True)
        cmd.set_defaults(run=reporting_errors(run_change), action=verb)

    status = verbs.add_parser(
        "status", help="every freeze and lock in force, or the state of one target"
    )
    add_site_args(status)
    _target(status, required=False)
    status.add_argument("--json", action="store_true")
    status.set_defaults(run=reporting_errors(run_status))


def _target(parser: argparse.ArgumentParser, *, required: bool) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument("--site", action="store_true", help="the whole site")
    group.add_argument("--subject", metavar="ID")
    group.add_argument(
        "--form", nargs=4, metavar=("SUBJECT", "EVENT", "OCCURRENCE", "FORM"), help="one form"
    )


def target_of(args: argparse.Namespace) -> Target | None:
    """The target the options name (None: none given)."""
    if args.site:
        return Target.site()
    if args.subject:
        return Target.subject(args.subject)
    if args.form:
        subject_id, event_oid, occurrence, form_oid = args.form
        try:
            number = int(occurrence)
        except ValueError:
            raise UsageError(
                f"--form: the occurrence must be a number, not '{occurrence}'."
            ) from None
        return Target.form(subject_id, event_oid, number, form_oid)
    return None


def run_change(args: argparse.Namespace) -> int:
    target = target_of(args)
    assert target is not None  # the option group is required
    with logged_in(args) as ws:
        getattr(ws.holds, args.action)(target, args.reason)
    done = {"freeze": "frozen", "unfreeze": "unfrozen", "lock": "locked", "unlock": "unlocked"}
    print(f"{target.label[:1].upper()}{target.label[1:]} {done[args.action]}.")
    return 0


def run_status(args: argparse.Namespace) -> int:
    target = target_of(args)
    with logged_in(args) as ws:
        if target is None:
            holds = ws.holds.in_force()
            state = None
        else:
            state = ws.holds.state_of(
                target.subject_id, target.event_oid, target.occurrence, target.form_oid
            )
            holds = list(state.holds)
    if args.json:
        doc: object = (
            [h.to_json() for h in holds]
            if state is None
            else {"target": target.label if target else None} | state.to_json()
        )
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return 0
    if state is not None and target is not None:
        print(f"{target.label[:1].upper()}{target.label[1:]}: {state.state.value}")
    elif not holds:
        print("No freeze or lock in force.")
    for h in holds:
        print(f"  {h.describe()}")
    return 0
