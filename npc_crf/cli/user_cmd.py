"""``npc-crf user …``: accounts (administrator) and one's own password."""

from __future__ import annotations

import argparse
import json

from npc_crf.auth.roles import Role
from npc_crf.cli.site_args import (
    add_site_args,
    logged_in,
    open_site,
    read_new_password,
    read_password,
    reporting_errors,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``user add|disable|reset-password|unlock|list|change-password``."""
    user = sub.add_parser(
        "user",
        help="manage accounts",
        description="Your password: $NPC_CRF_PASSWORD or the first line of standard input "
        "(--password-stdin). A new or temporary password: $NPC_CRF_NEW_PASSWORD or the "
        "second line.",
    )
    verbs = user.add_subparsers(
        dest="verb",
        required=True,
        metavar="{add,disable,reset-password,unlock,list,change-password}",
    )
    add = verbs.add_parser("add", help="create an account (it must change its password first)")
    add_site_args(add)
    add.add_argument("username")
    add.add_argument("--name", required=True, help="full name, printed with signatures")
    add.add_argument(
        "--role", required=True, help="CRC, INV (investigator), MON (monitor) or ADMIN"
    )
    add.set_defaults(run=reporting_errors(run_add))

    disable = verbs.add_parser("disable", help="revoke an account (its records stay)")
    add_site_args(disable)
    disable.add_argument("username")
    disable.add_argument("--reason", required=True)
    disable.set_defaults(run=reporting_errors(run_disable))

    reset = verbs.add_parser("reset-password", help="give a temporary password")
    add_site_args(reset)
    reset.add_argument("username")
    reset.set_defaults(run=reporting_errors(run_reset))

    unlock = verbs.add_parser("unlock", help="lift a lockout after failed logins")
    add_site_args(unlock)
    unlock.add_argument("username")
    unlock.set_defaults(run=reporting_errors(run_unlock))

    listing = verbs.add_parser("list", help="list accounts")
    add_site_args(listing)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=reporting_errors(run_list))

    change = verbs.add_parser("change-password", help="change your own password")
    add_site_args(change)
    change.set_defaults(run=reporting_errors(run_change))


def run_add(args: argparse.Namespace) -> int:
    role = Role.parse(args.role)
    with logged_in(args) as ws:
        new = read_new_password(args, "initial password")
        ws.users.add(args.username, args.name, role, new)
    print(
        f"Account {args.username} ({role.label}) created; it must change its password at first login."
    )
    return 0


def run_disable(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        ws.users.disable(args.username, args.reason)
    print(f"Account {args.username} disabled.")
    return 0


def run_reset(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        ws.users.reset_password(args.username, read_new_password(args, "temporary password"))
    print(f"{args.username} has a temporary password and must change it at the next login.")
    return 0


def run_unlock(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        ws.users.unlock(args.username)
    print(f"Account {args.username} unlocked.")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        accounts = ws.users.list()
    if args.json:
        print(json.dumps([a.__dict__ | {"role": a.role.value} for a in accounts], indent=2))
        return 0
    for a in accounts:
        state = "active" if a.active else "disabled"
        if a.must_change_password:
            state += ", must change password"
        if a.locked_until:
            state += f", locked until {a.locked_until}"
        print(f"{a.username:<16} {a.role.value:<6} {a.full_name:<28} {state}")
    return 0


def run_change(args: argparse.Namespace) -> int:
    current = read_password(args)
    new = read_new_password(args)
    with open_site(args) as site:
        ws = site.login(args.user, current, channel="cli")
        try:
            ws.users.change_password(current, new)
        finally:
            ws.logout()
    print("Password changed.")
    return 0
