"""The endpoint reports of issue 10: the efficacy report (figures embedded) and the
safety report, as PDF, and their tables as CSV files.

* :func:`render_efficacy` — an :class:`~npc_crf.endpoints.model.EfficacyResult` as
  a PDF (needs matplotlib, the ``center`` extra, for its figures);
* :func:`render_safety` — a :class:`~npc_crf.endpoints.model.SafetyResult` and its
  tables as a PDF;
* :func:`efficacy_tables` — the efficacy results as
  :class:`~npc_crf.endpoints.model.Table` rows;
* :func:`write_tables` — tables as CSV files (the export conventions: UTF-8 with a
  BOM, the spreadsheet-formula guard, atomic writes).

Like every renderer in :mod:`npc_crf.reports` these return bytes or write only
where told; recording and placing the documents is the caller's job.
"""

from npc_crf.reports.endpoints.csv_tables import write_tables
from npc_crf.reports.endpoints.efficacy import render_efficacy
from npc_crf.reports.endpoints.safety import render_safety
from npc_crf.reports.endpoints.tables import efficacy_tables

__all__ = ["efficacy_tables", "render_efficacy", "render_safety", "write_tables"]
