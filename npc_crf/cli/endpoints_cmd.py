"""``npc-crf report efficacy|safety`` (a site's own data) and ``npc-crf center report
efficacy|safety`` (every site the center holds, or one): the endpoint reports as a PDF
and CSV tables in a folder (docs/endpoints.md).

The statistics and figures need the ``center`` extra (scipy, matplotlib); without it
the commands say so. The PDF of a site report is recorded in its audit trail as issued.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from npc_crf.cli.site_args import add_site_args, logged_in, reporting_errors
from npc_crf.core.errors import UsageError
from npc_crf.reports import LANGUAGES

if TYPE_CHECKING:
    from npc_crf.endpoints.output import WrittenReport

KINDS = {
    "efficacy": "ORR/DCR with exact CIs, Kaplan–Meier PFS/OS/DoR, landmark rates, figures",
    "safety": "adverse events by SOC and term, maximum grades, relatedness, exposure",
}

Runner = Callable[[argparse.Namespace], int]


def _cutoff(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--out", type=Path, required=True, metavar="FOLDER",
        help="the folder to write into (made if its parent exists): KIND.pdf and KIND/*.csv",
    )  # fmt: skip
    cmd.add_argument(
        "--cutoff", type=_cutoff, metavar="YYYY-MM-DD", help="data cut-off (default: today)"
    )
    cmd.add_argument("--lang", choices=list(LANGUAGES), default="en", help="report language")
    cmd.add_argument("--json", action="store_true", help="print what was written as JSON")


def add_site_reports(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``report efficacy|safety`` of the site's own store."""
    for kind, text in KINDS.items():
        cmd = verbs.add_parser(kind, help=f"this site's {kind} report: {text}")
        add_site_args(cmd)
        _options(cmd)
        cmd.set_defaults(run=reporting_errors(run_site_report), endpoint_kind=kind)


def add_center_reports(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser],
    common: Callable[[argparse.ArgumentParser], None],
    runner: Callable[[Runner], Runner],
) -> None:
    """``center report efficacy|safety`` of the merged data (``--site`` for one site)."""
    report = verbs.add_parser("report", help="endpoint reports of the merged data")
    kinds = report.add_subparsers(dest="kind", required=True, metavar="{efficacy,safety}")
    for kind, text in KINDS.items():
        cmd = kinds.add_parser(kind, help=f"the {kind} report: {text}")
        common(cmd)
        cmd.add_argument("--site", metavar="SITE_ID", help="only this site")
        _options(cmd)
        cmd.set_defaults(run=runner(run_center_report), endpoint_kind=kind)


def _print(written: WrittenReport, args: argparse.Namespace) -> int:
    if args.json:
        print(json.dumps(written.to_json(), ensure_ascii=False, indent=2))
    else:
        print(
            f"{written.pdf}: {written.kind} report of {written.subjects} subject(s), "
            f"{written.pages} page(s), data cut-off {written.cutoff.isoformat()}"
        )
        print(f"{len(written.tables)} table(s) in {written.pdf.with_suffix('')}/")
    return 0


def run_site_report(args: argparse.Namespace) -> int:
    from npc_crf.endpoints.output import EndpointReport

    with logged_in(args) as ws:
        written = ws.endpoints.report(
            EndpointReport(args.endpoint_kind), args.out, cutoff=args.cutoff, lang=args.lang
        )
    return _print(written, args)


def run_center_report(args: argparse.Namespace) -> int:
    from npc_crf.cli.center_cmd import opened
    from npc_crf.endpoints.analysis import efficacy_result, safety_analysis
    from npc_crf.endpoints.output import EndpointReport, write_report
    from npc_crf.endpoints.source import payload_subjects
    from npc_crf.reports.document import RenderedPdf, RenderOptions
    from npc_crf.services.studies import find_study
    from npc_crf.store.atomic import write_atomic

    kind = EndpointReport(args.endpoint_kind)
    cutoff = args.cutoff or dt.date.today()
    with opened(args) as center:
        study = find_study(center.study_oid, args.study_forms)
        data = center.dataset(args.site)
        by = center.by
    subjects = payload_subjects(study, data, args.site)
    if not subjects:
        where = f"site {args.site}" if args.site else "the center"
        raise UsageError(f"{where} holds no subjects of {study.oid}; nothing to report.")
    scope = f"site {args.site}" if args.site else "all sites"
    result = (
        efficacy_result(study, subjects, scope=scope, cutoff=cutoff)
        if kind is EndpointReport.EFFICACY
        else safety_analysis(study, subjects, scope=scope, cutoff=cutoff)
    )
    options = RenderOptions(lang=args.lang, generated_by=by)

    def plain(rendered: RenderedPdf, path: Path) -> None:
        write_atomic(path, rendered.data)

    return _print(write_report(kind, study, result, args.out, options, plain), args)
