"""``npc-crf export odm``: the site's study definition and data as CDISC ODM 1.3.2 (docs/odm.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from npc_crf.cli.site_args import add_site_args, logged_in, reporting_errors
from npc_crf.exchange.odm.writer import OdmReport


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``export odm``."""
    cmd = verbs.add_parser(
        "odm",
        help="write the study definition and the site's data as one CDISC ODM 1.3.2 file",
        description=(
            "Write a CDISC ODM 1.3.2 Snapshot: the study definition (events, forms, item "
            "groups, items, code lists, units, range checks), the users and the site, and "
            "every subject's data with audit records, signatures and annotations (SDV "
            "marks, queries, missing-data codes). The file holds clinical data: keep it as "
            "safe as the site's data. See docs/odm.md."
        ),
    )
    add_site_args(cmd)
    cmd.add_argument(
        "--out", type=Path, required=True, metavar="FILE.xml", help="the file to write"
    )
    cmd.add_argument(
        "--metadata-only",
        action="store_true",
        help="only the study definition (Granularity Metadata): no subjects, no users",
    )
    cmd.add_argument(
        "--subject",
        action="append",
        metavar="ID",
        help="export only this subject (repeatable)",
    )
    cmd.set_defaults(run=reporting_errors(run_odm))


def summary(report: OdmReport) -> list[str]:
    """The lines printed after an export."""
    c = report.clinical
    head = f"Wrote {report.path} (CDISC ODM 1.3.2, Granularity {report.granularity})"
    if report.granularity == "Metadata":
        lines = [f"{head}: the study definition only."]
    else:
        lines = [
            f"{head}: {c.subjects} subject(s), {c.events} event(s), {c.forms} form(s), "
            f"{c.values} value(s) ({c.missing} with a missing-data code), "
            f"{c.signatures} signature(s), {c.queries} query annotation(s), "
            f"{c.audit_records} audit record(s)."
        ]
    lines.append(f"{report.bytes} bytes, SHA-256 {report.sha256}.")
    return lines


def run_odm(args: argparse.Namespace) -> int:
    """Export; print the summary (and anything left out, on standard error)."""
    from npc_crf.exchange.odm.site_export import export_site_odm

    with logged_in(args) as ws:
        report = export_site_odm(
            ws, args.out, metadata_only=args.metadata_only, subjects=args.subject
        )
    for line in summary(report):
        print(line)
    skipped = report.clinical.skipped
    if skipped:
        print(f"{len(skipped)} record(s) not exported:", file=sys.stderr)
        for line in skipped:
            print(f"  {line}", file=sys.stderr)
    return 0
