"""Monitoring reads of the views: Subjects table (holds, SDV), casebook marks, forms to sign.

Usage::

    python bench/monitoring_views_bench.py [--site /tmp/bench-site-300] [--today 2026-07-01]

Works on a temporary copy of an NPC-SINT-RT demo site (``bench/store_bench.py
--data-dir``; demo accounts ``monitor`` and ``doctor``). Measures, in milliseconds:

* the Subjects table's first job: ``worklist.subjects()`` (everything read) and the
  holds in force (``holds.in_force(form_locks=False)``, one statement) [together < 1 s];
* the SDV column's job, ``sdv.site_status()``: the first count (a new service; one
  aggregate statement), the same count made item by item (``read_items``, what it did
  before), and the next call with nothing changed and after one SDV mark;
* the casebook's extra reads per subject (holds, SDV progress, forms to sign,
  signatures), median and p95 over 50 subjects;
* the investigator's worklist: ``signatures.to_sign()`` for the site, and the forms to
  sign made from the worklist's rows (first and with nothing changed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from npc_crf.demo.accounts import DOCTOR, MONITOR  # noqa: E402
from npc_crf.services.monitoring.sdv import SdvService, by_form, by_subject  # noqa: E402
from npc_crf.services.monitoring.sdv_items import read_items  # noqa: E402
from npc_crf.services.site import Site  # noqa: E402
from npc_crf.services.worklist import WorklistService  # noqa: E402

DEFAULT_SITE = Path("/tmp/bench-site-300")  # noqa: S108 - the shared benchmark site, only read
SAMPLE = 50


def ms(action: Callable[[], object]) -> float:
    """Milliseconds one call of ``action`` takes."""
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def spread(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": statistics.median(values),
        "p95": ordered[max(0, int(-(-len(ordered) * 95 // 100)) - 1)],
    }


def measure(root: Path, today: dt.date) -> dict[str, Any]:
    """Every figure, on the (copied) site at ``root``."""
    site = Site.open(root)
    results: dict[str, Any] = {"today": today.isoformat()}
    try:
        ws = site.login(MONITOR.username, MONITOR.password)
        results["subjects_cold_ms"] = ms(lambda: WorklistService(ws).subjects(today))
        results["holds_in_force_ms"] = ms(lambda: ws.holds.in_force(form_locks=False))
        results["sdv_site_first_ms"] = ms(lambda: SdvService(ws).site_status())

        def item_by_item() -> object:
            with ws.read() as conn:
                return by_subject(by_form(read_items(conn, ws.study), ws.study.forms))

        results["sdv_site_item_by_item_ms"] = ms(item_by_item)
        service = ws.sdv
        service.site_status()
        results["sdv_site_unchanged_ms"] = statistics.median(
            [ms(service.site_status) for _ in range(5)]
        )
        subjects = [s.subject_id for s in ws.worklist.subjects(today)]
        sample = subjects[:: max(1, len(subjects) // SAMPLE)][:SAMPLE]
        first = service.subject_status(sample[0])[0]
        service.verify(first.subject_id, first.event_oid, first.occurrence, first.form_oid)
        results["sdv_site_after_one_mark_ms"] = ms(service.site_status)
        results["casebook_holds_ms"] = spread(
            [ms(lambda s=s: ws.holds.in_force(s)) for s in sample]
        )
        results["casebook_sdv_ms"] = spread(
            [ms(lambda s=s: service.subject_status(s)) for s in sample]
        )
        results["casebook_signatures_ms"] = spread(
            [ms(lambda s=s: ws.signatures.manifestations(s)) for s in sample]
        )
        ws.logout()
        doctor = site.login(DOCTOR.username, DOCTOR.password)
        results["casebook_to_sign_ms"] = spread(
            [ms(lambda s=s: doctor.signatures.to_sign(subject_id=s)) for s in sample]
        )
        results["to_sign_site_ms"] = ms(doctor.signatures.to_sign)
        results["to_sign_forms"] = len(doctor.signatures.to_sign())
        worklist = WorklistService(doctor)
        rows = worklist._all()  # the rows the worklist has read anyway
        with doctor.read() as conn:
            results["worklist_to_sign_first_ms"] = ms(lambda: worklist._to_sign(conn, rows, today))
            results["worklist_to_sign_unchanged_ms"] = ms(
                lambda: worklist._to_sign(conn, rows, today)
            )
        doctor.logout()
    finally:
        site.close()
    return results


def report(results: dict[str, Any]) -> None:
    print(f"monitoring views benchmark, today {results['today']}")
    for key, value in results.items():
        if key == "today":
            continue
        if isinstance(value, dict):
            print(f"  {key:<36} median {value['median']:8.1f}   p95 {value['p95']:8.1f}")
        elif key.endswith("_ms"):
            print(f"  {key:<36} {value:8.1f}")
        else:
            print(f"  {key:<36} {value}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=DEFAULT_SITE, help="a demo site (only read)")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args()
    if not (args.site / "site.db").is_file():
        print(f"no site at {args.site}: build one with bench/store_bench.py --data-dir")
        return 2
    with tempfile.TemporaryDirectory(prefix="monitoring-bench-") as tmp:
        copy = Path(tmp) / "site"
        shutil.copytree(args.site, copy, ignore=shutil.ignore_patterns("site.lock", "backups"))
        report(measure(copy, args.today))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
