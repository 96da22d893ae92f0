"""Start-up benchmark: from starting the program to the login window on screen.

Usage::

    python bench/startup_bench.py                # 7 cold starts on a fresh test site
    python bench/startup_bench.py --runs 15      # more starts
    python bench/startup_bench.py --data-dir DIR # on an existing site (e.g. a demo site)

Each start is a fresh Python process on the offscreen platform: it imports the
application, makes the QApplication, installs the language, opens the site
(``Site.open``: the directory lock and the key file) and shows the login window;
the time runs from just before the process is spawned to the first turn of the
event loop after the window was shown, so interpreter start-up and every import
count. Target: median < 1.5 s. Results are printed and written to
``bench/results/startup_bench.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "startup_bench.json"
TARGET_S = 1.5

CHILD = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from npc_crf.ui.app import Shell, application
from npc_crf.ui.prefs import PrefsStore

app = application()
shell = Shell(Path(sys.argv[1]), prefs=PrefsStore(Path(sys.argv[2])), lang=sys.argv[3])

def shown(window):
    def report():
        print(f"SHOWN {time.time():.6f} {int(window.isVisible())}", flush=True)
        shell.quit()
        app.exit(0)
    QTimer.singleShot(0, report)

shell.loginShown.connect(shown)
shell.start()
sys.exit(app.exec())
"""


def make_site(root: Path) -> Path:
    """A small site to start on (opening it needs no key derivation)."""
    sys.path.insert(0, str(ROOT))
    from npc_crf.services.site import Site
    from npc_crf.store.keyfile import TEST_COST

    folder = root / "site"
    site, _key = Site.init(
        folder,
        site_id="S01",
        study_oid="NPC-SINT-RT",
        admin="admin",
        admin_name="Bench Admin",
        password="bench password 1",  # noqa: S106 - a throwaway site
        cost=TEST_COST,
    )
    site.close()
    return folder


def one_start(site: Path, work: Path, lang: str) -> float:
    """Seconds from spawning a process to its login window being shown."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(work)}
    started = time.time()
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", CHILD, str(site), str(work / "prefs.json"), lang],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("SHOWN ")]
    if result.returncode != 0 or not lines:
        raise SystemExit(f"the start failed:\n{result.stdout}\n{result.stderr}")
    _tag, when, visible = lines[0].split()
    if visible != "1":
        raise SystemExit("the login window was not visible")
    return float(when) - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="cold starts per language")
    parser.add_argument("--data-dir", type=Path, help="an existing site (default: a new one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="npc-crf-startup-") as temp:
        work = Path(temp)
        site = args.data_dir or make_site(work)
        one_start(site, work, "en")  # the first start fills the OS file cache: not counted
        results: dict[str, Any] = {
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "qt_platform": "offscreen",
            "runs": args.runs,
            "target_median_s": TARGET_S,
        }
        print(f"{'language':<10}{'median s':>10}{'min s':>10}{'max s':>10}")
        for lang in ("en", "zh"):
            times = [one_start(site, work, lang) for _ in range(args.runs)]
            median = statistics.median(times)
            results[lang] = {
                "median_s": round(median, 3),
                "min_s": round(min(times), 3),
                "max_s": round(max(times), 3),
                "all_s": [round(t, 3) for t in times],
            }
            print(f"{lang:<10}{median:>10.3f}{min(times):>10.3f}{max(times):>10.3f}")
    worst = max(results[lang]["median_s"] for lang in ("en", "zh"))
    results["meets_target"] = worst < TARGET_S
    print(f"target: median < {TARGET_S} s — {'met' if results['meets_target'] else 'NOT met'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
