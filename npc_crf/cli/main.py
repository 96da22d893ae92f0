"""Entry point of the ``npc-crf`` command."""

from __future__ import annotations

import argparse
import sys

from npc_crf import __version__
from npc_crf.cli import (
    audit_cmd,
    backup_cmd,
    center_cmd,
    demo_cmd,
    derive_cmd,
    export_cmd,
    form_cmd,
    forms_cmd,
    gui_cmd,
    hold_cmd,
    import_cmd,
    query_cmd,
    report_cmd,
    sdv_cmd,
    selftest_cmd,
    sign_cmd,
    site_cmd,
    subject_cmd,
    sync_cmd,
    user_cmd,
)
from npc_crf.cli.site_args import fill_data_dir


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="npc-crf",
        description="Offline case report forms for nasopharyngeal carcinoma trials.",
    )
    parser.add_argument("--version", action="version", version=f"npc-crf {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that this installation works (Qt, fonts, translations, SQLCipher, "
        "cryptography, the studies, a throw-away site, bundle and PDF) and exit; "
        "same as the self-test command",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    site_cmd.register(sub)
    user_cmd.register(sub)
    subject_cmd.register(sub)
    form_cmd.register(sub)
    sign_cmd.register(sub)
    hold_cmd.register(sub)
    audit_cmd.register(sub)
    backup_cmd.register(sub)
    forms_cmd.register(sub)
    gui_cmd.register(sub)
    import_cmd.register(sub)
    query_cmd.register(sub)
    sdv_cmd.register(sub)
    demo_cmd.register(sub)
    derive_cmd.register(sub)
    sync_cmd.register(sub)
    center_cmd.register(sub)
    export_cmd.register(sub)
    report_cmd.register(sub)
    selftest_cmd.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")  # Chinese text on Windows consoles
        sys.stderr.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # never echo the values: "--password s3cret" would put a password in a log
        options = " ".join(u.split("=", 1)[0] for u in unknown if u.startswith("-"))
        parser.error(
            f"unrecognized arguments{': ' + options if options else ''} (values not shown). "
            "Passwords are read from NPC_CRF_PASSWORD or --password-stdin."
        )
    if args.self_test:
        from npc_crf.cli.selftest_cmd import run_self_test

        return run_self_test(args)
    if args.command is None:
        parser.print_help()
        return 0
    fill_data_dir(args)
    result: int = args.run(args)
    return result
