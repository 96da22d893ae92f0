"""``npc-crf import csv``: bring abstracted chart data in from a CSV file, all rows or none.

The file format is described in ``docs/csv-import.md`` and in
:mod:`npc_crf.exchange.csv_import`. On success the command prints how many rows
and values were imported and every soft warning, and exits 0. When anything is
wrong nothing is saved: every error is printed to standard error with its line
and column, and the exit status is 6 (:class:`ValidationFailed`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from npc_crf.cli.site_args import add_site_args, logged_in, reporting_errors
from npc_crf.exchange.csv_import import ImportReport, import_csv


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``import`` command and its ``csv`` subcommand."""
    imports = sub.add_parser("import", help="import data from files")
    kinds = imports.add_subparsers(dest="kind", required=True, metavar="{csv}")
    csv_cmd = kinds.add_parser(
        "csv",
        help="import one form's values for many subjects from a CSV file (all rows or none)",
        description=(
            "Import a CSV file of abstracted chart data into one form. Columns: subject_id, "
            "event, optional occurrence and complete, then item OIDs (GROUP[n].ITEM for rows "
            "of repeating groups). Nothing is saved unless every row is accepted. "
            "See docs/csv-import.md."
        ),
    )
    add_site_args(csv_cmd)
    csv_cmd.add_argument("--form", required=True, metavar="FORM", help="the form OID, e.g. TA")
    csv_cmd.add_argument(
        "--event",
        metavar="EVENT",
        help="the event of every row (the file's event column may then be left out)",
    )
    csv_cmd.add_argument(
        "--dry-run",
        action="store_true",
        help="check everything and report what would be imported, but save nothing",
    )
    csv_cmd.add_argument("file", type=Path, metavar="FILE.csv", help="the CSV file (UTF-8)")
    csv_cmd.set_defaults(run=run_csv)


def summary(report: ImportReport) -> list[str]:
    """The lines printed after an import (or a dry run)."""
    rows = f"{report.rows} row{'s' if report.rows != 1 else ''}"
    values = f"{report.values} value{'s' if report.values != 1 else ''}"
    if report.dry_run:
        head = (
            f"Dry run: {rows} ({values}) of {report.file} would be imported into form "
            f"{report.form_oid}; nothing was saved."
        )
    else:
        head = f"Imported {rows} ({values}) from {report.file} into form {report.form_oid}."
    lines = [head, f"{len(report.warnings)} warning(s)" + (":" if report.warnings else ".")]
    lines += [f"  {w}" for w in report.warnings]
    return lines


@reporting_errors
def run_csv(args: argparse.Namespace) -> int:
    """Import the file; print the summary; exit 0 (errors: ValidationFailed's exit code)."""
    with logged_in(args) as ws:
        report = import_csv(ws, args.form, args.file, dry_run=args.dry_run, event=args.event)
    for line in summary(report):
        print(line)
    return 0
