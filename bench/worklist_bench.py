"""Worklist benchmark: the Subjects table, worklist, header, grid and status bar on a big site.

Usage::

    python bench/worklist_bench.py                           # copies /tmp/bench-site-300 first
    python bench/worklist_bench.py --site DIR --today 2026-07-01 [--json out.json]

The site is an NPC-SINT-RT demo site such as the one ``bench/store_bench.py --data-dir``
builds (demo nurse ``nurse`` / ``demo-nurse-pass``). Logging in writes to a site (audit
trail, seal, automatic backup at logout), so the benchmark always works on a copy in a
temporary folder and deletes it afterwards; the site given is only read.

Measures (targets in brackets):

* ``subjects()`` with a new service, i.e. everything read from the database [< 1 s];
  with the rows already read but every subject planned again (a new day); with nothing
  changed (what the GUI sees on each refresh); and after one save (one subject read and
  planned again);
* ``items()`` with the rows already read, first and with nothing changed;
* ``header()`` per subject, median and p95 over 50 subjects [< 50 ms];
* ``grid()`` per subject, median and p95 over 50 subjects (warnings from the stored overrides),
  and the exact alternative, every stored form checked in a form session, for comparison
  [the grid < 100 ms];
* ``status.summary()``: the first (counts every unsent audit entry) and the next.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from npc_crf.demo.accounts import NURSE  # noqa: E402
from npc_crf.services.site import Site  # noqa: E402
from npc_crf.services.worklist import WorklistService  # noqa: E402

DEFAULT_SITE = Path("/tmp/bench-site-300")  # noqa: S108 - the shared benchmark site, only read
SAMPLE = 50
TARGETS = {"subjects_cold_ms": 1000.0, "header_p95_ms": 50.0, "grid_p95_ms": 100.0}


def ms(action: Callable[[], object]) -> float:
    """Milliseconds one call of ``action`` takes."""
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "p95": percentile(values, 95)}


def measure(root: Path, today: dt.date) -> dict[str, Any]:
    """Every figure, on the (copied) site at ``root``."""
    site = Site.open(root)
    try:
        ws = site.login(NURSE.username, NURSE.password)
        results: dict[str, Any] = {"today": today.isoformat()}
        cold = [ms(lambda: WorklistService(ws).subjects(today)) for _ in range(3)]
        results["subjects_cold_ms"] = cold[0]
        results["subjects_cold_again_ms"] = statistics.median(cold[1:])
        service = ws.worklist
        rows = service.subjects(today)
        results["subjects"] = len(rows)
        results["subjects_warm_ms"] = statistics.median(
            [ms(lambda: service.subjects(today)) for _ in range(5)]
        )
        tomorrow = today + dt.timedelta(days=1)
        results["subjects_new_day_ms"] = ms(lambda: service.subjects(tomorrow))
        results["items_first_ms"] = ms(lambda: service.items(today))
        items = service.items(today)
        results["items"] = len(items)
        results["items_warm_ms"] = statistics.median(
            [ms(lambda: service.items(today)) for _ in range(5)]
        )
        kinds: dict[str, int] = {}
        for item in items:
            kinds[item.kind.value] = kinds.get(item.kind.value, 0) + 1
        results["items_by_kind"] = kinds
        sample = [r.subject_id for r in rows][:: max(1, len(rows) // SAMPLE)][:SAMPLE]
        results["header_ms"] = spread([ms(partial(service.header, s, today)) for s in sample])
        results["grid_ms"] = spread([ms(partial(service.grid, s, today)) for s in sample])
        results["grid_exact_warnings_ms"] = spread(
            [ms(partial(service.session_warnings, s, today)) for s in sample]
        )
        results["forms_per_casebook"] = spread(
            [float(len(service.session_warnings(s, today))) for s in sample]
        )
        busy = next(r.subject_id for r in rows if r.current_cycle)
        slot = next(
            c.occurrence
            for c in service.grid(busy, today).columns
            if c.event_oid == "UNS" and not c.exists
        )
        yesterday = dt.date.today() - dt.timedelta(days=1)
        service.subjects(today)  # every plan made for today
        ws.casebook.save_form(busy, "UNS", slot, "VS", {"VSDAT": yesterday.isoformat()})
        results["subjects_after_one_save_ms"] = ms(lambda: service.subjects(today))
        results["status_first_ms"] = ms(ws.status.summary)
        results["status_next_ms"] = ms(ws.status.summary)
        results["unsent_changes"] = ws.status.summary().unsent_changes
        ws.logout()
        return results
    finally:
        site.close()


def report(results: dict[str, Any]) -> None:
    """The figures as a table, with the targets."""
    print(f"worklist benchmark: {results['subjects']} subjects, today {results['today']}")
    print(f"  items on the worklist: {results['items']} {results['items_by_kind']}")
    print(f"  unsent changes: {results['unsent_changes']}")
    lines = [
        ("subjects(), everything read (first)", results["subjects_cold_ms"], "subjects_cold_ms"),
        ("subjects(), everything read (again)", results["subjects_cold_again_ms"], None),
        ("subjects(), rows read, every plan made", results["subjects_new_day_ms"], None),
        ("subjects(), nothing changed", results["subjects_warm_ms"], None),
        ("subjects() after one save", results["subjects_after_one_save_ms"], None),
        ("items(), rows read, every plan made", results["items_first_ms"], None),
        ("items(), nothing changed", results["items_warm_ms"], None),
        ("header() median", results["header_ms"]["median"], None),
        ("header() p95", results["header_ms"]["p95"], "header_p95_ms"),
        ("grid() median", results["grid_ms"]["median"], None),
        ("grid() p95", results["grid_ms"]["p95"], "grid_p95_ms"),
        (
            "exact warnings (form sessions) median",
            results["grid_exact_warnings_ms"]["median"],
            None,
        ),
        ("exact warnings (form sessions) p95", results["grid_exact_warnings_ms"]["p95"], None),
        ("status.summary() first", results["status_first_ms"], None),
        ("status.summary() next", results["status_next_ms"], None),
    ]
    for label, value, target in lines:
        goal = f"< {TARGETS[target]:.0f} ms" if target else ""
        verdict = ("ok" if value < TARGETS[target] else "OVER") if target else ""
        print(f"  {label:<42} {value:9.1f} ms  {goal:>10} {verdict}")
    forms = results["forms_per_casebook"]
    print(f"  stored forms per casebook: median {forms['median']:.0f}, p95 {forms['p95']:.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=DEFAULT_SITE, help="a demo site (only read)")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if not (args.site / "site.db").is_file():
        print(
            f"no site at {args.site}: build one with bench/store_bench.py --data-dir",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="worklist-bench-") as tmp:
        copy = Path(tmp) / "site"
        shutil.copytree(args.site, copy, ignore=shutil.ignore_patterns("site.lock", "backups"))
        results = measure(copy, args.today)
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
