"""``npc-crf site …``: set a site up, show it, recover access with the recovery key."""

from __future__ import annotations

import argparse
import json

from npc_crf.cli.site_args import (
    add_site_args,
    logged_in,
    open_site,
    read_new_password,
    read_password,
    reporting_errors,
)
from npc_crf.core.errors import UsageError
from npc_crf.services.site import Site


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``site init``, ``site info`` and ``site recover``."""
    site = sub.add_parser("site", help="set up a site, show it, recover access")
    verbs = site.add_subparsers(
        dest="verb", required=True, metavar="{init,info,settings,set,recover}"
    )

    init = verbs.add_parser(
        "init",
        help="create a data directory, the site, its first administrator and signing key",
        description="The administrator's password is read from $NPC_CRF_PASSWORD or, with "
        "--password-stdin, from standard input. The recovery key is printed once: write it "
        "down and keep it in the site's safe.",
    )
    add_site_args(init, user=False)
    init.add_argument("--site-id", required=True, help="e.g. S01 (2–10 capitals or digits)")
    init.add_argument("--study", required=True, metavar="STUDY_OID", help="e.g. NPC-SINT-RT")
    init.add_argument(
        "--admin", required=True, metavar="USER", help="the administrator's user name"
    )
    init.add_argument("--admin-name", help="the administrator's full name (default: the user name)")
    init.add_argument(
        "--installation-number",
        type=int,
        default=1,
        help="this ward PC's number within the site (1–99; give each PC its own)",
    )
    init.set_defaults(run=reporting_errors(run_init))

    info = verbs.add_parser("info", help="show the site, installation and schema (no password)")
    add_site_args(info, user=False)
    info.add_argument("--json", action="store_true")
    info.set_defaults(run=reporting_errors(run_info))

    settings = verbs.add_parser("settings", help="show site settings")
    add_site_args(settings)
    settings.set_defaults(run=reporting_errors(run_settings))

    set_ = verbs.add_parser("set", help="change a site setting (administrator)")
    add_site_args(set_)
    set_.add_argument("name", help="e.g. max_failed_logins, lockout_minutes, idle_lock_minutes")
    set_.add_argument("value", type=int)
    set_.add_argument("--reason", required=True)
    set_.set_defaults(run=reporting_errors(run_set))

    recover = verbs.add_parser(
        "recover",
        help="set an administrator's password with the recovery key",
        description="Reads the recovery key, then the new password: from $NPC_CRF_RECOVERY_KEY "
        "and $NPC_CRF_NEW_PASSWORD, or two lines of standard input with --password-stdin.",
    )
    add_site_args(recover)
    recover.set_defaults(run=reporting_errors(run_recover))


def run_init(args: argparse.Namespace) -> int:
    password = read_password(args, what="administrator password")
    site, recovery = Site.init(
        args.data_dir,
        site_id=args.site_id,
        study_oid=args.study,
        admin=args.admin,
        admin_name=args.admin_name or args.admin,
        password=password,
        installation_number=args.installation_number,
        forms_dir=args.forms,
    )
    site.close()
    print(f"Site {args.site_id} set up in {args.data_dir} for study {args.study}.")
    print(f"Installation: {site.installation_id} (number {args.installation_number})")
    print(f"Administrator: {args.admin}")
    print()
    print("RECOVERY KEY — shown only now. Write it down and keep it in the site's safe;")
    print("it opens the data if every administrator password is lost:")
    print()
    print(f"    {recovery}")
    print()
    return 0


def run_info(args: argparse.Namespace) -> int:
    with open_site(args) as site:
        keys = site.keys
        data = {
            "site_id": keys.site_id,
            "installation_id": keys.installation_id,
            "created_at": keys.created_at,
            "accounts_with_password": sorted(keys.accounts),
            "login_policy": keys.policy,
            "data_dir": str(site.data.root),
        }
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        for key, value in data.items():
            print(f"{key}: {value}")
    return 0


def run_recover(args: argparse.Namespace) -> int:
    import os

    if args.password_stdin:
        recovery = read_password(args, what="recovery key")
    else:
        recovery = os.environ.get("NPC_CRF_RECOVERY_KEY", "")
        if not recovery:
            raise UsageError("No recovery key: set NPC_CRF_RECOVERY_KEY or use --password-stdin.")
    new_password = read_new_password(args)
    with open_site(args) as site:
        ws = site.recover(recovery, args.user, new_password)
        ws.logout()
    print(f"The password of {args.user} was set with the recovery key (audited).")
    return 0


def run_settings(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        values = ws.settings.all()
    for name, value in sorted(values.items()):
        print(f"{name} = {value}")
    return 0


def run_set(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        ws.settings.set(args.name, args.value, args.reason)
    print(f"{args.name} = {args.value}")
    return 0
