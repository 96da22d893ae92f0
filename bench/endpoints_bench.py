"""Endpoint report benchmark: a whole site's efficacy and safety analysis and reports.

Usage::

    python bench/endpoints_bench.py                      # the site at /tmp/site300-v7
    python bench/endpoints_bench.py --data-dir DIR --cutoff 2025-12-31

The site (a demo site, e.g. ``npc-crf demo --subjects 300``) is copied into a temporary
folder first, because logging in writes to it. Measured in this process:

* reading every subject's forms (``site_subjects``);
* deriving every subject and the statistics (``efficacy_result``);
* rendering the efficacy PDF with its figures, and the safety analysis and PDF;
* pages and sizes.

No target is set by the issue; the figures say what a coordinating center waits for.
Results are printed and written to ``bench/results/endpoints_bench.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from npc_crf.demo.accounts import DOCTOR  # noqa: E402
from npc_crf.endpoints.analysis import efficacy_result, safety_analysis  # noqa: E402
from npc_crf.endpoints.safety import safety_tables  # noqa: E402
from npc_crf.endpoints.source import site_subjects  # noqa: E402
from npc_crf.reports.document import RenderOptions  # noqa: E402
from npc_crf.reports.endpoints import render_efficacy, render_safety  # noqa: E402
from npc_crf.services.site import Site  # noqa: E402

DEFAULT_SITE = Path("/tmp/site300-v7")  # noqa: S108 - where the team keeps it


def timed(results: dict[str, Any], name: str, work: Any) -> Any:
    start = time.perf_counter()
    value = work()
    results[name] = round(time.perf_counter() - start, 3)
    print(f"{name:28} {results[name]:8.2f} s", flush=True)
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_SITE)
    parser.add_argument("--cutoff", type=dt.date.fromisoformat, default=dt.date(2025, 12, 31))
    args = parser.parse_args()
    results: dict[str, Any] = {"python": platform.python_version(), "site": str(args.data_dir)}
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "site"
        shutil.copytree(args.data_dir, copy, ignore=shutil.ignore_patterns("site.lock"))
        with Site.open(copy) as site:
            ws = site.login(DOCTOR.username, DOCTOR.password)
            try:
                subjects = timed(results, "read subjects", lambda: site_subjects(ws))
                results["subjects"] = len(subjects)
                study = ws.study
                efficacy = timed(
                    results,
                    "derive + statistics",
                    lambda: efficacy_result(study, subjects, scope="bench", cutoff=args.cutoff),
                )
                pdf = timed(
                    results,
                    "efficacy PDF (figures)",
                    lambda: render_efficacy(efficacy, RenderOptions()),
                )
                results["efficacy_pages"], results["efficacy_bytes"] = pdf.pages, len(pdf.data)
                safety = timed(
                    results,
                    "safety analysis",
                    lambda: safety_analysis(study, subjects, scope="bench", cutoff=args.cutoff),
                )
                spdf = timed(
                    results,
                    "safety PDF",
                    lambda: render_safety(safety, safety_tables(safety), RenderOptions()),
                )
                results["safety_pages"], results["adverse_events"] = spdf.pages, len(safety.events)
            finally:
                ws.logout()
    out = HERE / "results" / "endpoints_bench.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
