"""Casebook view benchmark: from asking for a subject's casebook to the painted grid.

Usage::

    python bench/casebook_view_bench.py                          # the site at /tmp/bench-site-300
    python bench/casebook_view_bench.py --data-dir DIR --subjects 50

The site (a 300-subject NPC-SINT-RT demo site, e.g. made by ``bench/store_bench.py
--data-dir DIR``) is never touched: logging in writes to a site (audit trail, seal,
backups), so the benchmark copies it into a temporary folder first and works there.

Measured on the offscreen platform, in this process, for ``--subjects`` subjects (every
sixth of the site, so short and long casebooks both count):

* ``CasebookView.show_subject(id)`` until the grid was painted with the subject's data:
  the background job (``ws.worklist.header`` + ``ws.worklist.grid``), the hand-over to the
  GUI thread, filling the model, sizing the columns and the paint [target: p95 < 150 ms];
* the same two service calls alone on the GUI thread, for reference.

The first opening (cold caches, Python imports) is reported apart. Results are printed and
written to ``bench/results/casebook_view_bench.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from npc_crf.demo.accounts import NURSE  # noqa: E402
from npc_crf.services.site import Site  # noqa: E402
from npc_crf.services.workspace import Workspace  # noqa: E402
from npc_crf.ui.casebook_view import CasebookView  # noqa: E402
from npc_crf.ui.worker import JobRunner  # noqa: E402

DEFAULT_SITE = Path("/tmp/bench-site-300")  # noqa: S108 - where the team keeps it
RESULTS = HERE / "results" / "casebook_view_bench.json"
TARGET_P95_MS = 150.0


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


class _PaintWatch(QObject):
    """Calls ``painted`` once the grid's viewport has finished a paint after ``arm()``."""

    def __init__(self, view: CasebookView, painted: Callable[[], None]) -> None:
        super().__init__()
        self.armed, self.painted = False, painted
        view.grid.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.armed and event.type() == QEvent.Type.Paint:
            self.armed = False
            QTimer.singleShot(0, self.painted)  # runs once this paint is done
        return False


def open_and_paint(view: CasebookView, subject_id: str, timeout_ms: int = 10_000) -> float:
    """Seconds from ``show_subject`` to the end of the grid's first paint with the data."""
    loop = QEventLoop()
    ended: list[float] = []

    def painted() -> None:
        ended.append(time.perf_counter())
        loop.quit()

    watch = _PaintWatch(view, painted)

    def loaded() -> None:
        watch.armed = True
        view.grid.viewport().update()

    view.loaded.connect(loaded)
    QTimer.singleShot(timeout_ms, loop.quit)
    started = time.perf_counter()
    job = view.show_subject(subject_id)

    def failed(error: object) -> None:
        print(f"{subject_id}: {error}")
        loop.quit()

    job.failed.connect(failed)
    loop.exec()
    view.loaded.disconnect(loaded)
    view.grid.viewport().removeEventFilter(watch)
    if not ended:
        raise RuntimeError(f"the casebook of {subject_id} was not painted")
    return ended[0] - started


def service_only(ws: Workspace, subject_id: str) -> float:
    started = time.perf_counter()
    ws.worklist.header(subject_id)
    ws.worklist.grid(subject_id)
    return time.perf_counter() - started


def measure(site_dir: Path, count: int, lang: str) -> dict[str, Any]:
    app = QApplication.instance() or QApplication(sys.argv)
    site = Site.open(site_dir)
    try:
        ws = site.login(NURSE.username, NURSE.password, channel="bench")
        subjects = [s.subject_id for s in ws.subjects.list()]
        step = max(1, len(subjects) // count)
        picks = subjects[::step][:count]
        runner = JobRunner()
        view = CasebookView(ws, runner, lang)
        view.resize(1600, 1000)
        view.show()
        app.processEvents()
        first_ms = open_and_paint(view, picks[0]) * 1000
        views_ms = [open_and_paint(view, s) * 1000 for s in picks[1:]]
        services_ms = [service_only(ws, s) * 1000 for s in picks[1:]]
        columns = view.model.columnCount()
        runner.wait()
        view.close()
        ws.logout()
    finally:
        site.close()
    return {
        "subjects": len(picks),
        "lang": lang,
        "first_open_ms": round(first_ms, 1),
        "open_median_ms": round(statistics.median(views_ms), 1),
        "open_p95_ms": round(percentile(views_ms, 95), 1),
        "open_max_ms": round(max(views_ms), 1),
        "services_median_ms": round(statistics.median(services_ms), 1),
        "services_p95_ms": round(percentile(services_ms, 95), 1),
        "last_grid_columns": columns,
        "target_p95_ms": TARGET_P95_MS,
        "ok": percentile(views_ms, 95) < TARGET_P95_MS,
        "machine": platform.platform(),
        "python": platform.python_version(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_SITE, help="the demo site")
    parser.add_argument("--subjects", type=int, default=50, help="casebooks to open")
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    args = parser.parse_args()
    if not (args.data_dir / "site.db").exists():
        print(f"{args.data_dir} holds no site; make one with bench/store_bench.py --data-dir")
        return 2
    with tempfile.TemporaryDirectory(prefix="casebook-bench-") as tmp:
        copy = Path(tmp) / "site"
        shutil.copytree(args.data_dir, copy)
        results = measure(copy, args.subjects, args.lang)
    for key, value in results.items():
        print(f"{key:>20}: {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
