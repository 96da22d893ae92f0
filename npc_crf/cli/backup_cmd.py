"""``npc-crf backup create|list|verify|restore``."""

from __future__ import annotations

import argparse

from npc_crf.cli.site_args import add_site_args, logged_in, reporting_errors


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the backup commands."""
    backup = sub.add_parser("backup", help="encrypted backups of this installation")
    verbs = backup.add_subparsers(
        dest="verb", required=True, metavar="{create,list,verify,restore}"
    )

    create = verbs.add_parser("create", help="make a backup now")
    add_site_args(create)
    create.set_defaults(run=reporting_errors(run_create))

    listing = verbs.add_parser("list", help="list backups")
    add_site_args(listing)
    listing.set_defaults(run=reporting_errors(run_list))

    verify = verbs.add_parser("verify", help="check a backup completely")
    add_site_args(verify)
    verify.add_argument("name", nargs="?", default="latest", help="folder name (default: latest)")
    verify.set_defaults(run=reporting_errors(run_verify))

    restore = verbs.add_parser(
        "restore", help="replace the database with a backup (the current one is kept first)"
    )
    add_site_args(restore)
    restore.add_argument("name", help="folder name, or 'latest'")
    restore.add_argument("--reason", required=True)
    restore.set_defaults(run=reporting_errors(run_restore))


def run_create(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        info = ws.backups.create()
    print(f"Backup {info.name}: {info.db_bytes} bytes, audit head {info.audit_head_seq}.")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        backups = ws.backups.list()
    for info in backups:
        print(
            f"{info.name:<48} {info.created_at} {info.db_bytes:>10} bytes  audit {info.audit_head_seq}"
        )
    if not backups:
        print("No backups yet.")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        check = ws.backups.verify(args.name)
    print(
        f"OK: {check.info.name} — checksum, page authentication, integrity and "
        f"{check.audit_entries} audit entries verified."
    )
    return 0


def run_restore(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        restored = ws.backups.restore(args.name, args.reason)
    check = restored.check
    print(
        f"Restored {check.info.name} (audit head {check.info.audit_head_seq}); the database "
        "as it was is kept as a pre-restore backup."
    )
    if restored.subjects_not_in_backup:
        print(
            f"{len(restored.subjects_not_in_backup)} subject(s) enrolled after that backup are "
            "not in it; enter them again from the source documents (new IDs will be given): "
            + ", ".join(restored.subjects_not_in_backup)
        )
    return 0
