"""CSV exports: wide (per form and event), long (one row per value), data dictionary.

The input is one or more site-data payloads (docs/bundle-format.md §3) and the
study definition, never a site database, so the site and the coordinating
center export the same way. Format and decisions: docs/csv-export.md.
"""

from __future__ import annotations

from npc_crf.exchange.csv_out.dataset import DatasetError, read_dataset
from npc_crf.exchange.csv_out.export import CsvLayout, CsvOptions, CsvReport, export_csv

__all__ = ["CsvLayout", "CsvOptions", "CsvReport", "DatasetError", "export_csv", "read_dataset"]
