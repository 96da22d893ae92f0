"""``npc-crf center export odm|csv``: the merged data of the coordinating center, in the same
formats as a site's exports (docs/odm.md, docs/csv-export.md).

The center's dataset has the shape of a bundle payload (docs/bundle-format.md §3)
with every site it holds, so the same writers serve both sides.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from npc_crf.services.studies import find_study


def register(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser],
    common: Callable[[argparse.ArgumentParser], None],
    runner: Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]],
) -> None:
    """Add ``export odm|csv`` under ``center``; ``common`` adds --dir and the password."""
    export = verbs.add_parser("export", help="export the center's data as CDISC ODM or CSV")
    kinds = export.add_subparsers(dest="kind", required=True, metavar="{odm,csv}")
    odm = kinds.add_parser("odm", help="CDISC ODM 1.3.2 snapshot of every site (or one)")
    common(odm)
    odm.add_argument("--out", type=Path, required=True, metavar="FILE.xml")
    odm.add_argument("--site", metavar="SITE_ID", help="only this site")
    odm.set_defaults(run=runner(run_odm))
    csv = kinds.add_parser("csv", help="CSV (wide, long, dictionary) of every site (or one)")
    common(csv)
    csv.add_argument("--out", type=Path, required=True, metavar="FOLDER")
    csv.add_argument("--site", metavar="SITE_ID", help="only this site")
    csv.add_argument("--layout", choices=["wide", "long", "both"], default="both")
    csv.set_defaults(run=runner(run_csv))


def _dataset(args: argparse.Namespace) -> tuple[Any, dict[str, Any], tuple[str, ...]]:
    from npc_crf.cli.center_cmd import opened

    with opened(args) as center:
        study = find_study(center.study_oid, args.study_forms)
        data = center.dataset(args.site)
    sites = tuple(sorted({str(s["subject_id"]).split("-", 1)[0] for s in data["subjects"]}))
    return study, data, sites or ((args.site,) if args.site else ())


def run_odm(args: argparse.Namespace) -> int:
    from npc_crf.exchange.odm.writer import OdmOptions, write_odm

    study, data, sites = _dataset(args)
    report = write_odm(
        args.out, study, data, OdmOptions(site_ids=sites, originator="npc-crf coordinating center")
    )
    print(
        f"{args.out}: ODM 1.3.2 of {len(data['subjects'])} subject(s) from "
        f"{len(sites)} site(s) ({report.granularity})"
    )
    return 0


def run_csv(args: argparse.Namespace) -> int:
    from npc_crf.exchange.csv_out.export import CsvLayout, CsvOptions, export_csv

    study, data, _sites = _dataset(args)
    report = export_csv(study, [data], args.out, CsvOptions(layout=CsvLayout(args.layout)))
    print(f"{args.out}: CSV of {len(data['subjects'])} subject(s); {len(report.files)} file(s)")
    return 0
