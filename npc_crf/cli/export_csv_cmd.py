"""``npc-crf export csv``: the site's data as CSV files for statisticians (docs/csv-export.md).

The command logs in, checks the ``export`` permission, collects the site's data
as a site-data payload (docs/bundle-format.md §3) and hands it to
:func:`npc_crf.exchange.csv_out.export_csv`; the exporter never reads the
database itself. The export is recorded in the audit trail (``csv_export``:
options, counts and the manifest's SHA-256; no clinical value, no path).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from npc_crf.auth.roles import Permission
from npc_crf.cli.site_args import add_site_args, logged_in, reporting_errors
from npc_crf.exchange.csv_out import CsvLayout, CsvOptions, CsvReport, export_csv
from npc_crf.exchange.csv_out.folder import check_new_folder
from npc_crf.sync.payload import collect_payload


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``export csv``."""
    cmd = verbs.add_parser(
        "csv",
        help="export the data as CSV: wide (per form), long (per value), data dictionary",
        description=(
            "Write a new folder with the site's data as CSV files (UTF-8 with BOM): "
            "long.csv (one row per value), wide/FORM.csv (one row per form and event "
            "occurrence; repeating groups in wide/FORM__GROUP.csv), dictionary.csv, "
            "codelists.csv, subjects.csv, README.txt and manifest.json. The folder must not "
            "exist yet; it appears complete or not at all. See docs/csv-export.md."
        ),
    )
    add_site_args(cmd)
    cmd.add_argument(
        "--out", type=Path, required=True, metavar="FOLDER", help="the new folder to create"
    )
    cmd.add_argument(
        "--layout",
        choices=[v.value for v in CsvLayout],
        default=CsvLayout.BOTH.value,
        help="which data files: wide, long or both (default: both)",
    )
    cmd.add_argument(
        "--labels",
        action="store_true",
        help="wide files: code-list labels instead of codes (yes/no as Yes/No)",
    )
    cmd.add_argument(
        "--lang",
        choices=["en", "zh"],
        default="en",
        help="language of the labels (--labels, and long.csv's value_label; default: en)",
    )
    cmd.add_argument(
        "--strip-phi",
        action="store_true",
        help="leave out items marked as protected health information (initials, birth date …)",
    )
    cmd.add_argument(
        "--subject",
        dest="subjects",
        action="extend",
        nargs="+",
        metavar="ID",
        help="only these subjects (repeatable)",
    )
    cmd.set_defaults(run=run_csv)


def summary(report: CsvReport, seconds: float) -> list[str]:
    """The lines printed after an export."""
    sites = ", ".join(report.sites) or "no site"
    lines = [
        f"Exported {report.values} values of {report.subjects} subject(s) (site {sites}) of "
        f"study {report.study_oid} {report.study_version} to {report.out} in {seconds:.1f} s:"
    ]
    width = max((len(f.path) for f in report.files), default=0)
    for f in report.files:
        rows = f"{f.rows} rows" if f.rows is not None else f"{f.bytes} bytes"
        lines.append(f"  {f.path:<{width}}  {rows}")
    lines.append(f"  manifest.json (SHA-256 {report.manifest_sha256})")
    if report.warnings:
        lines.append(f"{len(report.warnings)} warning(s):")
        lines += [f"  {w}" for w in report.warnings]
    return lines


@reporting_errors
def run_csv(args: argparse.Namespace) -> int:
    """Export; print the files written; exit 0."""
    started = time.perf_counter()
    check_new_folder(args.out)  # before the login and the collecting, which take a while
    options = CsvOptions(
        layout=CsvLayout(args.layout),
        labels=args.labels,
        lang=args.lang,
        strip_phi=args.strip_phi,
        subjects=tuple(args.subjects) if args.subjects else None,
    )
    with logged_in(args) as ws:
        ws.require(Permission.EXPORT, "export data")
        payload = collect_payload(ws)
        report = export_csv(ws.study, [payload], args.out, options)
        with ws.tx() as tx:
            tx.audit.append(
                "csv_export",
                source=ws.channel,
                new_value=json.dumps(
                    {
                        "layout": options.layout.value,
                        "labels": options.labels,
                        "strip_phi": options.strip_phi,
                        "subjects": report.subjects,
                        "values": report.values,
                        "files": len(report.files),
                        "manifest_sha256": report.manifest_sha256,
                    },
                    sort_keys=True,
                ),
            )
    for line in summary(report, time.perf_counter() - started):
        print(line)
    return 0
