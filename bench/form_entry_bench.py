"""Form entry benchmark: opening the largest form and the cost of each commit, offscreen Qt.

Usage::

    cp -a /tmp/bench-site-300 /tmp/form-site300       # never use a shared site directly
    python bench/form_entry_bench.py --data-dir /tmp/form-site300
    python bench/form_entry_bench.py                  # a 20-subject demo site in a temp folder

The site is an ``npc-crf demo`` site of NPC-SINT-RT (the bench logs in as the demo
nurse, which writes to the site's audit trail: use a copy). The largest form of the
bundled studies by item count is found first (NPC-SINT-RT ``TA``, 28 items with
three repeating groups); the form instance of it with the most rows is opened.

Measures (targets in brackets), p50 and p95:

* ``load`` — the worker-thread part of opening: ``open_form`` plus the subject's
  casebook read into memory (no target of its own);
* ``view`` — drawing the form (``FormView`` built, shown and laid out) on the GUI thread;
* ``open`` — the page from its creation to the form on screen and ready to type
  (load + view + the queued hand-over) [< 150 ms];
* ``commit`` — one committed entry to the view shown (the session's checks, skip logic
  and calculations plus the widgets updated), over a script of entries on
  top-level items and group cells, each followed by the events it posts (layout and
  paint) [< 16 ms p95];
* ``keystroke`` — a key on a radio button that chooses (and so commits) [< 16 ms p95];
* ``eligibility`` — a commit on the eligibility form with the live verdict recomputed.

Results are printed and written to ``bench/results/form_entry_bench.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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

from PySide6 import __version__ as PYSIDE_VERSION  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from npc_crf.core.paths import bundled_forms_dir  # noqa: E402
from npc_crf.demo import create_demo_site  # noqa: E402
from npc_crf.demo.accounts import NURSE  # noqa: E402
from npc_crf.forms.loader import load_studies  # noqa: E402
from npc_crf.forms.session import FormSession, ItemPath  # noqa: E402
from npc_crf.services.site import Site  # noqa: E402
from npc_crf.services.workspace import Workspace  # noqa: E402
from npc_crf.store.keyfile import TEST_COST  # noqa: E402
from npc_crf.ui.app import guard_singleton_refcounts  # noqa: E402
from npc_crf.ui.form_page import FormPage, load_form  # noqa: E402
from npc_crf.ui.form_view import FormView  # noqa: E402
from npc_crf.ui.widgets.editors import RadioEditor  # noqa: E402
from npc_crf.ui.worker import JobRunner  # noqa: E402

RESULTS = HERE / "results" / "form_entry_bench.json"
TARGETS = {"open_p95_ms": 150.0, "commit_p95_ms": 16.0, "keystroke_p95_ms": 16.0}


def largest_form() -> tuple[str, str, int]:
    """(study OID, form OID, item count) of the bundled form with the most items."""
    best = ("", "", 0)
    for study in load_studies(bundled_forms_dir()):
        for form in study.forms.values():
            count = sum(1 for _ in form.all_items())
            if count > best[2]:
                best = (study.oid, form.oid, count)
    return best


def fullest_instance(ws: Workspace, form_oid: str) -> tuple[str, str, int, int]:
    """(subject, event, occurrence, rows) of the instance of ``form_oid`` with most rows."""
    with ws.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT e.subject_id, e.event_oid, e.occurrence, count(r.uid) AS n "
            "FROM form_instance f JOIN event_instance e ON f.event_instance_id = e.id "
            "LEFT JOIN group_row r ON r.form_instance_id = f.id AND r.deleted = 0 "
            "WHERE f.form_oid = ? GROUP BY f.id ORDER BY n DESC LIMIT 1",
            (form_oid,),
        ).one()
    return str(row[0]), str(row[1]), int(row[2]), int(row[3])


def pump(app: QApplication) -> None:
    """Deliver what is posted (layout, paint, queued signals)."""
    app.processEvents()
    app.sendPostedEvents()
    app.processEvents()


def figures(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(samples),
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(max(samples), 2),
    }


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def bench_load(ws: Workspace, where: tuple[str, str, int, str], runs: int) -> list[float]:
    return [timed(lambda: load_form(ws, *where)) for _ in range(runs)]


def bench_view(
    app: QApplication, ws: Workspace, where: tuple[str, str, int, str], runs: int
) -> list[float]:
    samples = []
    for _ in range(runs):
        session = load_form(ws, *where).session

        def build(session: FormSession = session) -> None:
            view = FormView(session, "en")
            view.resize(1200, 900)
            view.show()
            pump(app)
            view.close()
            view.deleteLater()

        samples.append(timed(build))
        pump(app)
    return samples


def bench_open(
    app: QApplication, ws: Workspace, runner: JobRunner, where: tuple[str, str, int, str], runs: int
) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        page = FormPage(ws, runner, *where)
        page.resize(1200, 900)
        page.show()
        while page.view is None and page.last_error is None:
            app.processEvents()
            time.sleep(0.0005)
        pump(app)
        samples.append((time.perf_counter() - started) * 1000)
        page.close()
        page.deleteLater()
        pump(app)
    return samples


def commit_script(view: FormView) -> list[tuple[ItemPath, object]]:
    """Entries that exercise checks, skip logic and calculations on the TA form."""
    session = view.session
    script: list[tuple[ItemPath, object]] = []
    for n in range(10):
        script += [
            (ItemPath("TAMOD"), "CT" if n % 2 else "CLIN"),  # shows / hides the slice thickness
            (ItemPath("TASLTHK"), "7" if n % 2 else "3"),  # a soft warning comes and goes
            (ItemPath("TADAT"), f"2025-0{1 + n % 9}-10"),  # the follow-up flag is calculated
        ]
        for row in range(1, session.row_count("TL") + 1):
            script += [
                (ItemPath("TLDIAM", "TL", row), str(12 + n + row)),  # sum of diameters
                (ItemPath("TLIRR", "TL", row), "Y" if n % 2 else "N"),  # row relevance
            ]
        for row in range(1, session.row_count("NTL") + 1):
            script.append((ItemPath("NTLSTAT", "NTL", row), "PRESENT" if n % 2 else "ABSENT"))
    return script


def bench_commits(app: QApplication, view: FormView) -> tuple[list[float], list[float]]:
    """(commit alone, commit with the posted events) per entry."""
    alone: list[float] = []
    with_events: list[float] = []
    for path, raw in commit_script(view):
        started = time.perf_counter()
        view.answer(path, raw)
        middle = time.perf_counter()
        pump(app)
        ended = time.perf_counter()
        alone.append((middle - started) * 1000)
        with_events.append((ended - started) * 1000)
    return alone, with_events


def bench_keys(app: QApplication, view: FormView, runs: int) -> list[float]:
    editor = view.editors[ItemPath("TAMOD")]
    assert isinstance(editor, RadioEditor)
    samples = []
    for n in range(runs):
        button = editor.buttons[0]
        button.setFocus()
        key = Qt.Key.Key_C if n % 2 else Qt.Key.Key_M  # CT / MRI: each key chooses and commits
        started = time.perf_counter()
        QTest.keyClick(button, key)
        pump(app)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def bench_eligibility(
    app: QApplication, ws: Workspace, runner: JobRunner, subject: str, runs: int
) -> list[float]:
    page = FormPage(ws, runner, subject, "SCR", 1, "ELIG")
    page.resize(1200, 900)
    page.show()
    while page.view is None and page.last_error is None:
        app.processEvents()
        time.sleep(0.001)
    view = page.view
    assert view is not None
    samples = []
    for n in range(runs):
        started = time.perf_counter()
        view.answer(ItemPath("ESTER"), "Y" if n % 2 else "N")
        pump(app)  # the verdict is recomputed on the next turn of the event loop
        samples.append((time.perf_counter() - started) * 1000)
    page.close()
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, help="a demo site (a copy: the bench logs in)")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    guard_singleton_refcounts()
    study_oid, form_oid, items = largest_form()
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = Path(scratch) / "site"
            print("building a 20-subject demo site …", flush=True)
            create_demo_site(data_dir, study_oid, subjects=20, cost=TEST_COST)
        site = Site.open(data_dir)
        try:
            ws = site.login(NURSE.username, NURSE.password, channel="bench")
            subject, event, occurrence, rows = fullest_instance(ws, form_oid)
            where = (subject, event, occurrence, form_oid)
            runner = JobRunner()
            print(
                f"largest form: {study_oid}/{form_oid} ({items} items); "
                f"{subject}/{event}[{occurrence}] with {rows} rows",
                flush=True,
            )
            load_ms = bench_load(ws, where, args.runs)
            view_ms = bench_view(app, ws, where, args.runs)
            open_ms = bench_open(app, ws, runner, where, args.runs)
            session = load_form(ws, *where).session
            view = FormView(session, "en")
            view.resize(1200, 900)
            view.show()
            pump(app)
            commit_ms, commit_events_ms = bench_commits(app, view)
            key_ms = bench_keys(app, view, args.runs)
            view.close()
            eligible_ms = bench_eligibility(app, ws, runner, subject, args.runs)
            runner.wait()
            ws.logout()
        finally:
            site.close()
    results: dict[str, Any] = {
        "form": f"{study_oid}/{form_oid}",
        "items": items,
        "instance": {"subject": subject, "event": event, "occurrence": occurrence, "rows": rows},
        "load": figures(load_ms),
        "view": figures(view_ms),
        "open": figures(open_ms),
        "commit": figures(commit_ms),
        "commit_with_events": figures(commit_events_ms),
        "keystroke": figures(key_ms),
        "eligibility_commit": figures(eligible_ms),
        "targets": TARGETS,
        "machine": {
            "python": platform.python_version(),
            "pyside6": PYSIDE_VERSION,
            "platform": platform.platform(),
            "qpa": os.environ.get("QT_QPA_PLATFORM", ""),
        },
    }
    print(f"\n{'measure':<22}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}  target")
    targets = {"open": "< 150 ms", "commit_with_events": "< 16 ms p95", "keystroke": "< 16 ms p95"}
    for name in (
        "load",
        "view",
        "open",
        "commit",
        "commit_with_events",
        "keystroke",
        "eligibility_commit",
    ):
        f = results[name]
        print(
            f"{name:<22}{f['n']:>5}{f['p50_ms']:>10}{f['p95_ms']:>10}{f['max_ms']:>10}  {targets.get(name, '')}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {RESULTS.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
