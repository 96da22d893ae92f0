"""Moving data in and out of a site: CSV imports of abstracted chart data (exports later)."""

from __future__ import annotations

from npc_crf.exchange.csv_import import ImportReport, import_csv

__all__ = ["ImportReport", "import_csv"]
