"""Printed-document benchmark: casebooks of subjects with complete follow-up, and the others.

Usage::

    python bench/report_bench.py                       # the site at /tmp/site300-v7
    python bench/report_bench.py --data-dir DIR --subjects 10

The site (a 300-subject NPC-SINT-RT demo site, e.g. ``npc-crf demo``) is copied into a
temporary folder first, because logging in and issuing documents write to it.

Measured in this process, for the ``--subjects`` subjects with the longest audit trails
(those with complete follow-up: two years of cycles, assessments and AEs):

* a casebook issued as a person does it, ``ws.reports.casebook(subject, file)``: gather
  from the store, render, write, record [target: < 2 s each];
* its parts: gathering (``gather_casebook``) and rendering (``render_casebook``);
* pages and file size;
* for reference, once each: the blank CRF and the annotated CRF of the whole study, the
  site's query and SDV reports, and an SAE report.

The first casebook (cold imports, font loading) is reported apart. Results are printed
and written to ``bench/results/report_bench.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from sqlalchemy import func, select  # noqa: E402

from npc_crf.demo.accounts import DOCTOR  # noqa: E402
from npc_crf.reports.casebook import render_casebook  # noqa: E402
from npc_crf.reports.document import RenderOptions  # noqa: E402
from npc_crf.services.reports.casebook_data import gather_casebook  # noqa: E402
from npc_crf.services.site import Site  # noqa: E402
from npc_crf.store.models import audit_entry  # noqa: E402

DEFAULT_SITE = Path("/tmp/site300-v7")  # noqa: S108 - where the team keeps it
RESULTS = HERE / "results" / "report_bench.json"
TARGET_S = 2.0


def timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_SITE)
    parser.add_argument("--subjects", type=int, default=10)
    args = parser.parse_args()
    if not (args.data_dir / "site.db").exists() and not any(args.data_dir.glob("*")):
        print(f"No site at {args.data_dir}; make one with `npc-crf demo`.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "site"
        shutil.copytree(args.data_dir, copy)
        out = Path(tmp) / "out"
        out.mkdir()
        site = Site.open(copy)
        try:
            ws = site.login(DOCTOR.username, DOCTOR.password)
            with ws.read() as conn:
                longest = [
                    r[0]
                    for r in conn.execute(
                        select(audit_entry.c.subject_id, func.count())
                        .where(audit_entry.c.subject_id.is_not(None))
                        .group_by(audit_entry.c.subject_id)
                        .order_by(func.count().desc())
                        .limit(args.subjects + 1)
                    )
                ]
            cold_s, _ = timed(lambda: ws.reports.casebook(longest[0], out / "cold.pdf"))
            rows: list[dict[str, Any]] = []
            for subject_id in longest[1:]:
                gather_s, data = timed(lambda s=subject_id: gather_casebook(ws, s))
                render_s, _pdf = timed(lambda d=data: render_casebook(d, RenderOptions()))
                total_s, doc = timed(lambda s=subject_id: ws.reports.casebook(s, out / f"{s}.pdf"))
                rows.append(
                    {
                        "subject": subject_id,
                        "audit_entries": len(data.audit) if hasattr(data, "audit") else None,
                        "pages": doc.pages,
                        "bytes": (out / f"{subject_id}.pdf").stat().st_size,
                        "gather_s": round(gather_s, 3),
                        "render_s": round(render_s, 3),
                        "issue_s": round(total_s, 3),
                    }
                )
                print(
                    f"{subject_id}: {doc.pages:3d} pages  gather {gather_s:.2f} s  "
                    f"render {render_s:.2f} s  issued {total_s:.2f} s"
                )
            others: dict[str, float] = {}
            others["blank_crf_study_s"], _ = timed(lambda: ws.reports.crf(out / "blank.pdf"))
            others["annotated_crf_study_s"], _ = timed(
                lambda: ws.reports.crf(out / "annotated.pdf", annotated=True)
            )
            others["query_report_site_s"], _ = timed(lambda: ws.reports.queries(out / "q.pdf"))
            others["sdv_report_site_s"], _ = timed(lambda: ws.reports.sdv(out / "sdv.pdf"))
            saes = ws.reports.saes()
            if saes:
                ref = saes[0]
                others["sae_report_s"], _ = timed(
                    lambda: ws.reports.sae(ref.subject_id, ref.occurrence, out / "sae.pdf")
                )
            ws.logout()
        finally:
            site.close()
    issue_times = [r["issue_s"] for r in rows]
    summary = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "site": str(args.data_dir),
        "cold_first_casebook_s": round(cold_s, 3),
        "casebooks": rows,
        "casebook_issue_median_s": round(statistics.median(issue_times), 3),
        "casebook_issue_max_s": round(max(issue_times), 3),
        "target_s": TARGET_S,
        "others_s": {k: round(v, 3) for k, v in others.items()},
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(
        f"casebook issued: median {summary['casebook_issue_median_s']} s, "
        f"max {summary['casebook_issue_max_s']} s (target < {TARGET_S} s); "
        f"first (cold) {summary['cold_first_casebook_s']} s"
    )
    for key, value in summary["others_s"].items():
        print(f"{key}: {value} s")
    return 0 if max(issue_times) < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
