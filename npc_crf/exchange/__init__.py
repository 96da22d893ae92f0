"""Moving data in and out of a site: CSV imports of abstracted chart data, and the CDISC ODM
1.3.2 (``odm``) and CSV (``csv_out``) exports that the site and the coordinating center share."""

from __future__ import annotations

from npc_crf.exchange.csv_import import ImportReport, import_csv

__all__ = ["ImportReport", "import_csv"]
