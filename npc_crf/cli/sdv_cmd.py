"""``npc-crf sdv``: source data verification (docs/monitoring.md, "Source data verification")."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from npc_crf.cli.site_args import add_site_args, logged_in, reporting_errors
from npc_crf.services.monitoring.sdv import SubjectSdv
from npc_crf.services.monitoring.sdv_items import SdvState


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``sdv status|verify|unverify|report``."""
    sdv = sub.add_parser("sdv", help="source data verification")
    verbs = sdv.add_subparsers(
        dest="verb", required=True, metavar="{status,verify,unverify,report}"
    )

    status = verbs.add_parser(
        "status", help="progress per subject and the forms that need SDV (or one subject's forms)"
    )
    add_site_args(status)
    status.add_argument("subject", nargs="?", metavar="SUBJECT")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(run=reporting_errors(run_status))

    for verb, text in (
        ("verify", "mark a form's values (or the items named) verified (monitors)"),
        ("unverify", "take back verifications (monitors, with a reason)"),
    ):
        cmd = verbs.add_parser(verb, help=text)
        add_site_args(cmd)
        cmd.add_argument("subject", metavar="SUBJECT")
        cmd.add_argument("event", metavar="EVENT")
        cmd.add_argument("occurrence", type=int, metavar="OCCURRENCE")
        cmd.add_argument("form", metavar="FORM")
        cmd.add_argument(
            "--item", action="append", metavar="PATH", help="ITEM or GROUP[n].ITEM (repeatable)"
        )
        if verb == "unverify":
            cmd.add_argument("--reason", required=True)
        cmd.set_defaults(run=reporting_errors(run_verify), verb=verb)

    report = verbs.add_parser("report", help="write the SDV report of the site as CSV")
    add_site_args(report)
    report.add_argument("--csv", type=Path, required=True, metavar="FILE")
    report.set_defaults(run=reporting_errors(run_report))


def run_status(args: argparse.Namespace) -> int:
    subjects: list[SubjectSdv] = []
    with logged_in(args) as ws:
        if args.subject:
            ws.subjects.get(args.subject)  # an unknown subject is an error, not "nothing"
            pending = ws.sdv.subject_status(args.subject)
        else:
            subjects = ws.sdv.site_status()
            pending = ws.sdv.needs_sdv()
    if args.json:
        data: dict[str, object] = {"forms": [f.to_json() for f in pending]}
        if not args.subject:
            data["subjects"] = [s.to_json() for s in subjects]
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    for s in subjects:
        print(
            f"{s.subject_id}: {s.verified}/{s.required} verified, {s.pending} pending "
            f"({s.forms_done}/{s.forms} forms done)"
        )
    if not args.subject:
        print(f"Forms that need SDV: {len(pending)}")
    for f in pending:
        items = [i.item_path for i in f.items if i.state is SdvState.PENDING]
        line = f"  {f.where} (sdv: {f.mode.value}): {f.verified}/{f.required} verified"
        print(line + (f"; pending: {', '.join(items)}" if items else ""))
    if args.subject and not pending:
        print(f"{args.subject} has no values that need SDV.")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        if args.verb == "verify":
            done = ws.sdv.verify(args.subject, args.event, args.occurrence, args.form, args.item)
        else:
            done = ws.sdv.unverify(
                args.subject, args.event, args.occurrence, args.form, args.item, args.reason
            )
        form = ws.sdv.form_status(args.subject, args.event, args.occurrence, args.form)
    what = "verified" if args.verb == "verify" else "no longer verified"
    print(
        f"{form.where}: {done} value(s) {what}; {form.verified}/{form.required} verified, "
        f"{form.pending} pending."
    )
    return 0


def run_report(args: argparse.Namespace) -> int:
    with logged_in(args) as ws:
        rows = ws.sdv.write_report(args.csv)
    print(f"{rows} row(s) written to {args.csv}.")
    return 0
