"""Store benchmark on a 300-subject NPC-SINT-RT demo site with the production Argon2id cost.

Usage::

    python bench/store_bench.py                      # build in a temporary folder, then measure
    python bench/store_bench.py --data-dir DIR       # reuse the demo site in DIR (build it if absent)

Measures (targets in brackets):

* building the demo site (every value through ``save_form``; Argon2id at the default cost);
* opening the site: ``Site.open`` + ``login`` minus one Argon2id derivation, measured apart
  with ``derive_password_key`` [< 0.5 s]; cold (a fresh process) and warm; and the open that
  authenticates every page first (once a day, or when site.db changed while closed; no target);
* loading one subject's whole casebook, median and p95 over 50 subjects [< 100 ms];
* saving a 63-item form (7 rows of concomitant medications, every value changed each time,
  so ~63 values and ~63 audit entries per save), p95 over 100 saves [< 50 ms];
* the same number of rows written by a bare stdlib ``sqlite3`` transaction (WAL,
  ``synchronous=FULL``) and, for reference, by bare SQLCipher; the ratio;
* resident memory with the site open and after loading 50 casebooks [< 300 MB].

The measurements run in a fresh Python process (so the build does not skew memory or warm
the caches). Results are printed as a table and written to ``bench/results/store_bench.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from npc_crf.demo import create_demo_site  # noqa: E402
from npc_crf.demo.accounts import NURSE  # noqa: E402
from npc_crf.store.keyfile import KdfCost, derive_password_key  # noqa: E402
from npc_crf.store.layout import DataDir  # noqa: E402

STUDY = "NPC-SINT-RT"
RESULTS = HERE / "results" / "store_bench.json"
TARGETS = {"open_s": 0.5, "load_p95_ms": 100.0, "save_p95_ms": 50.0, "rss_mb": 300.0}
CM_ROWS = 7  # x 9 items = 63 values per save


# ------------------------------------------------------------------------------ helpers


def rss_mb() -> float:
    """Resident memory of this process now (VmRSS), or its peak where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def cm_values(i: int) -> dict[str, object]:
    """Concomitant medications, every one of the 63 values different from save i - 1."""
    base = dt.date(2025, 1, 1)
    rows: list[dict[str, object]] = []
    for n in range(CM_ROWS):
        ongoing = (i + n) % 2 == 0
        start = base + dt.timedelta(days=i + n)
        row: dict[str, object] = {
            "CMTRT": f"Bench medication {n + 1} v{i}",
            "CMINDC": f"Bench indication {n + 1} v{i}",
            "CMDOSE": Decimal(10 + i),
            "CMDOSU": "MG" if i % 2 else "G",
            "CMROUTE": "PO" if i % 2 else "IV",
            "CMSTER": i % 2 == 0,
            "CMSTDAT": start.isoformat(),
            "CMONGO": ongoing,
        }
        if not ongoing:  # an ongoing medication has no end date: it is cleared
            row["CMENDAT"] = (start + dt.timedelta(days=10)).isoformat()
        rows.append(row)
    return {"CMYN": True, "CM": rows}


def _is_bench_subject(casebook: Any) -> bool:
    """A subject made by this benchmark: nothing but the medications form."""
    return [e.event_oid for e in casebook.events] == ["CMV"]


# ------------------------------------------------------------------------------ bare SQLite

BARE_SCHEMA = """
CREATE TABLE form_instance (id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, status TEXT NOT NULL,
    revision INTEGER NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL);
CREATE TABLE item_value (id INTEGER PRIMARY KEY, form_instance_id INTEGER NOT NULL
    REFERENCES form_instance(id), row_uid TEXT NOT NULL, item_oid TEXT NOT NULL, kind TEXT,
    value TEXT, missing_code TEXT, override_reason TEXT, version INTEGER NOT NULL,
    updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    UNIQUE (form_instance_id, row_uid, item_oid, version));
CREATE TABLE audit_entry (seq INTEGER PRIMARY KEY, at_utc TEXT NOT NULL, local_offset TEXT NOT NULL,
    installation_id TEXT NOT NULL, username TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL,
    subject_id TEXT, event_oid TEXT, occurrence INTEGER, form_oid TEXT, item_path TEXT,
    row_uid TEXT, old_value TEXT, new_value TEXT, reason TEXT, form_version TEXT,
    app_version TEXT NOT NULL, source TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX ix_audit_subject ON audit_entry (subject_id);
"""


def bare_sqlite(connect: Callable[[], Any], rows: int, iterations: int) -> list[float]:
    """Seconds per transaction of ``rows`` item_value INSERTs + ``rows`` audit INSERTs."""
    con = connect()
    con.execute("PRAGMA journal_mode = WAL").fetchall()
    con.execute("PRAGMA synchronous = FULL")
    con.executescript(BARE_SCHEMA)
    con.execute(
        "INSERT INTO form_instance VALUES (1, 'f', 'in_progress', 0, '2025-01-01', 'nurse')"
    )
    seq = 0
    times: list[float] = []
    for i in range(iterations + 3):
        started = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        con.execute("UPDATE form_instance SET revision = ?, updated_at = ? WHERE id = 1", (i, "x"))
        for n in range(rows):
            con.execute(
                "INSERT INTO item_value (form_instance_id, row_uid, item_oid, kind, value, "
                "version, updated_at, updated_by) VALUES (1, ?, ?, 'text', ?, ?, ?, 'nurse')",
                (f"row{n % CM_ROWS}", f"ITEM{n}", f"value {i} {n}", i, "2025-01-01T00:00:00"),
            )
            seq += 1
            con.execute(
                "INSERT INTO audit_entry (seq, at_utc, local_offset, installation_id, username, "
                "role, action, subject_id, event_oid, occurrence, form_oid, item_path, old_value, "
                "new_value, app_version, source, prev_hash, hash) VALUES (?, ?, '+00:00', 'inst', "
                "'nurse', 'CRC', 'value_changed', 'S', 'CMV', 1, 'CM', ?, ?, ?, 'bench', 'bench', "
                "?, ?)",
                (seq, "2025-01-01T00:00:00", f"CM[{n}]", "{}", "{}", "0" * 64, f"{seq:064d}"),
            )
        con.execute("COMMIT")
        if i >= 3:  # warm-up transactions are not counted
            times.append(time.perf_counter() - started)
    con.close()
    return times


# ------------------------------------------------------------------------------ measuring


def measure(data_dir: Path, loads: int, saves: int) -> dict[str, Any]:
    """Everything except the build; meant to run in a fresh process."""
    from npc_crf.forms.loader import load_study
    from npc_crf.services.site import Site
    from npc_crf.services.studies import available_studies

    result: dict[str, Any] = {"rss_before_open_mb": rss_mb()}
    # cold open: nothing of the site or its study definition is loaded yet
    started = time.perf_counter()
    site = Site.open(data_dir)
    ws = site.login(NURSE.username, NURSE.password)
    cold = time.perf_counter() - started
    wrap = site.keys.accounts[NURSE.username]
    derivations = [
        timed(lambda: derive_password_key(NURSE.password, wrap.salt, wrap.cost)) for _ in range(3)
    ]
    derivation = statistics.median(derivations)
    folder = available_studies()[STUDY]
    definition = timed(lambda: load_study(folder))
    result |= {
        "argon2id_cost": {
            "iterations": wrap.cost.iterations,
            "lanes": wrap.cost.lanes,
            "memory_kib": wrap.cost.memory_kib,
        },
        "argon2id_derivation_s": derivation,
        "open_login_cold_s": cold,
        "open_cold_minus_kdf_s": cold - derivation,
        "study_definition_load_s": definition,
        "rss_site_open_mb": rss_mb(),
    }
    # warm opens: the study definition is cached in the process
    ws.logout()
    site.close()
    warm: list[float] = []
    for _ in range(3):
        started = time.perf_counter()
        site = Site.open(data_dir)
        ws = site.login(NURSE.username, NURSE.password)
        warm.append(time.perf_counter() - started)
        ws.logout()
        site.close()
    result["open_login_warm_s"] = statistics.median(warm)
    result["open_warm_minus_kdf_s"] = statistics.median(warm) - derivation
    # once a day (or after a crash, copy or restore) every page is authenticated first
    DataDir(data_dir).seal.unlink(missing_ok=True)
    started = time.perf_counter()
    site = Site.open(data_dir)
    ws = site.login(NURSE.username, NURSE.password)
    result["open_full_check_minus_kdf_s"] = time.perf_counter() - started - derivation
    result["database_mb"] = DataDir(data_dir).database.stat().st_size / 1e6
    ws.logout()
    site.close()
    # casebooks
    site = Site.open(data_dir)
    ws = site.login(NURSE.username, NURSE.password)
    subjects = [s.subject_id for s in ws.subjects.list()]
    step = max(1, len(subjects) // loads)
    chosen = subjects[::step][:loads]
    load_times: list[float] = []
    forms = 0
    for subject_id in chosen:
        started = time.perf_counter()
        casebook = ws.casebook.load(subject_id)
        load_times.append(time.perf_counter() - started)
        forms += sum(len(e.forms) for e in casebook.events)
    result |= {
        "subjects_in_site": len(subjects),
        "casebooks_loaded": len(chosen),
        "casebook_forms_mean": forms / max(1, len(chosen)),
        "load_median_ms": statistics.median(load_times) * 1000,
        "load_p95_ms": percentile(load_times, 95) * 1000,
        "load_max_ms": max(load_times) * 1000,
        "rss_after_loads_mb": rss_mb(),
    }
    # saves: a subject of its own (reused by later runs), its medications changed every time
    bench_subject = next(
        (sid for sid in reversed(subjects) if _is_bench_subject(ws.casebook.load(sid))), None
    ) or ws.subjects.enrol(screening_date=dt.date(2025, 1, 1))
    audit_before = len(ws.audit.history(subject_id=bench_subject))
    for i in range(3):  # warm-up (the first save creates the rows)
        ws.casebook.save_form(bench_subject, "CMV", 1, "CM", cm_values(i), source="bench")
    save_times: list[float] = []
    changed: list[int] = []
    for i in range(3, 3 + saves):
        values = cm_values(i)
        started = time.perf_counter()
        saved = ws.casebook.save_form(bench_subject, "CMV", 1, "CM", values, source="bench")
        save_times.append(time.perf_counter() - started)
        changed.append(saved.changed)
    audit = len(ws.audit.history(subject_id=bench_subject)) - audit_before
    result |= {
        "save_form": "CMV/CM, 7 rows x 9 items",
        "save_items_changed_mean": statistics.mean(changed),
        "save_audit_entries_per_save": audit / (3 + saves),
        "save_median_ms": statistics.median(save_times) * 1000,
        "save_p95_ms": percentile(save_times, 95) * 1000,
        "save_max_ms": max(save_times) * 1000,
        "rss_after_saves_mb": rss_mb(),
    }
    ws.logout()
    site.close()
    # the same rows written by bare SQLite, stdlib and SQLCipher
    rows = round(statistics.mean(changed))
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "bare.db"
        stdlib = bare_sqlite(lambda: sqlite3.connect(plain, isolation_level=None), rows, saves)
        import sqlcipher3

        secret = os.urandom(32)

        def cipher() -> Any:
            con = sqlcipher3.dbapi2.connect(str(Path(tmp) / "cipher.db"), isolation_level=None)
            con.execute(f"PRAGMA key = \"x'{secret.hex()}'\"")
            return con

        encrypted = bare_sqlite(cipher, rows, saves)
    result |= {
        "bare_rows_per_tx": {"item_value": rows, "audit_entry": rows, "form_instance": 1},
        "bare_sqlite3_median_ms": statistics.median(stdlib) * 1000,
        "bare_sqlite3_p95_ms": percentile(stdlib, 95) * 1000,
        "bare_sqlcipher_median_ms": statistics.median(encrypted) * 1000,
        "bare_sqlcipher_p95_ms": percentile(encrypted, 95) * 1000,
        "sqlite_version": sqlite3.sqlite_version,
    }
    result["save_vs_bare_sqlite3_p95_ratio"] = result["save_p95_ms"] / result["bare_sqlite3_p95_ms"]
    result["save_vs_bare_sqlcipher_p95_ratio"] = (
        result["save_p95_ms"] / result["bare_sqlcipher_p95_ms"]
    )
    return result


# ------------------------------------------------------------------------------ the run


def build(data_dir: Path, subjects: int, seed: int) -> float:
    """Build the demo site; returns the seconds taken."""
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done % 25 == 0 or done == total:
            elapsed = time.perf_counter() - started
            print(f"  built {done}/{total} subjects ({elapsed:.0f} s)", file=sys.stderr, flush=True)

    create_demo_site(
        data_dir, STUDY, subjects=subjects, seed=seed, cost=KdfCost(), progress=progress
    )
    return time.perf_counter() - started


def _row(name: str, value: str, target: str = "", ok: bool | None = None) -> str:
    flag = "" if ok is None else ("yes" if ok else "NO")
    return f"{name:<46} {value:>20}  {target:>10}  {flag:>4}"


def report(results: dict[str, Any]) -> str:
    """The results as a table."""
    m = results
    lines = [_row("measure", "value", "target") + " met", "-" * 86]
    if m.get("build_s") is not None:
        lines.append(
            _row(
                f"build ({m['built_subjects']} subjects, production Argon2id)",
                f"{m['build_s']:.1f} s",
            )
        )
        if m.get("build_note") and m["build_note"] != "built in this run":
            lines.append(_row(f"  ({m['build_note']})", ""))
    else:
        lines.append(_row("build", "reused an existing site"))
    lines += [
        _row("Argon2id derivation (one password)", f"{m['argon2id_derivation_s']:.3f} s"),
        _row(
            "open + login - derivation, cold process",
            f"{m['open_cold_minus_kdf_s']:.3f} s",
            "< 0.5 s",
            m["open_cold_minus_kdf_s"] < TARGETS["open_s"],
        ),
        _row("  of which loading the study definition", f"{m['study_definition_load_s']:.3f} s"),
        _row(
            "open + login - derivation, warm",
            f"{m['open_warm_minus_kdf_s']:.3f} s",
            "< 0.5 s",
            m["open_warm_minus_kdf_s"] < TARGETS["open_s"],
        ),
        _row(
            f"  once a day: + authenticating all {m['database_mb']:.0f} MB",
            f"{m['open_full_check_minus_kdf_s']:.3f} s",
        ),
        _row(
            f"casebook load median / p95 ({m['casebooks_loaded']} subjects)",
            f"{m['load_median_ms']:.1f} / {m['load_p95_ms']:.1f} ms",
            "< 100 ms",
            m["load_p95_ms"] < TARGETS["load_p95_ms"],
        ),
        _row("  forms per casebook (mean)", f"{m['casebook_forms_mean']:.0f}"),
        _row(
            f"save {m['save_items_changed_mean']:.0f}-item form median / p95 (100)",
            f"{m['save_median_ms']:.1f} / {m['save_p95_ms']:.1f} ms",
            "< 50 ms",
            m["save_p95_ms"] < TARGETS["save_p95_ms"],
        ),
        _row("  audit entries per save", f"{m['save_audit_entries_per_save']:.0f}"),
        _row(
            "bare sqlite3, same rows, median / p95",
            f"{m['bare_sqlite3_median_ms']:.1f} / {m['bare_sqlite3_p95_ms']:.1f} ms",
        ),
        _row(
            "bare SQLCipher, same rows, median / p95",
            f"{m['bare_sqlcipher_median_ms']:.1f} / {m['bare_sqlcipher_p95_ms']:.1f} ms",
        ),
        _row("save p95 / bare sqlite3 p95", f"{m['save_vs_bare_sqlite3_p95_ratio']:.1f} x"),
        _row("save p95 / bare SQLCipher p95", f"{m['save_vs_bare_sqlcipher_p95_ratio']:.1f} x"),
        _row(
            "RSS with the site open",
            f"{m['rss_site_open_mb']:.0f} MB",
            "< 300 MB",
            m["rss_site_open_mb"] < TARGETS["rss_mb"],
        ),
        _row(
            f"RSS after loading {m['casebooks_loaded']} casebooks",
            f"{m['rss_after_loads_mb']:.0f} MB",
            "< 300 MB",
            m["rss_after_loads_mb"] < TARGETS["rss_mb"],
        ),
    ]
    return "\n".join(lines)


def _earlier_build(out: Path, data_dir: Path) -> tuple[float | None, int | None, str]:
    """Build time and subjects recorded by an earlier run on the same data directory."""
    unknown = None, None, "site reused; build time unknown"
    try:
        earlier = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return unknown
    if earlier.get("data_dir") == str(data_dir) and earlier.get("build_s") is not None:
        built = earlier.get("built_subjects")
        return (
            float(earlier["build_s"]),
            int(built) if built is not None else None,
            "site reused; build time from the run that built it",
        )
    return unknown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data-dir", type=Path, help="reuse (or build and keep) the site here")
    parser.add_argument("--subjects", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--loads", type=int, default=50)
    parser.add_argument("--saves", type=int, default=100)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--measure-only", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args(argv)
    if args.measure_only is not None:
        print(json.dumps(measure(args.measure_only, args.loads, args.saves)))
        return 0
    with tempfile.TemporaryDirectory(prefix="npc-crf-bench-") as tmp:
        data_dir = args.data_dir or Path(tmp) / "site"
        build_s: float | None = None
        if DataDir(data_dir).exists():
            print(f"Reusing the demo site in {data_dir}", file=sys.stderr)
        else:
            print(
                f"Building a {args.subjects}-subject {STUDY} demo site in {data_dir}",
                file=sys.stderr,
            )
            build_s = build(data_dir, args.subjects, args.seed)
        print("Measuring in a fresh process…", file=sys.stderr)
        child = subprocess.run(  # noqa: S603 - our own script, our own interpreter
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--measure-only",
                str(data_dir),
                "--loads",
                str(args.loads),
                "--saves",
                str(args.saves),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            print(child.stderr, file=sys.stderr)
            return child.returncode
        results = json.loads(child.stdout.strip().splitlines()[-1])
    build_note = "built in this run"
    built_subjects: int | None = args.subjects
    if build_s is None:
        build_s, built_subjects, build_note = _earlier_build(args.out, data_dir)
    results = {
        "study": STUDY,
        "data_dir": str(data_dir) if args.data_dir else None,
        "build_s": build_s,
        "built_subjects": built_subjects,
        "build_note": build_note,
        "seed": args.seed,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "targets": TARGETS,
        **results,
    }
    print(report(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
