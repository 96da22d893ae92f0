"""``npc-crf export``: CDISC ODM 1.3.2 and CSV exports of a site (docs/odm.md, docs/csv-export.md)."""

from __future__ import annotations

import argparse

from npc_crf.cli import export_csv_cmd, export_odm_cmd


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``export odm|csv``."""
    export = sub.add_parser("export", help="export the site's data as CDISC ODM 1.3.2 or CSV")
    verbs = export.add_subparsers(dest="verb", required=True, metavar="{odm,csv}")
    export_odm_cmd.register(verbs)
    export_csv_cmd.register(verbs)
