"""SIGKILL safety: an acknowledged save survives a killed process; no save is ever half there.

A helper process (``tests/fixtures/store/save_stream.py``) saves a stream of
forms and acknowledges each one only after ``save_form`` returned. It is killed
with SIGKILL after a random number of acknowledgements plus a random fraction of
a second, three times over on the same site; after each kill the site must open
(the dead process's lock is gone), hold every acknowledged save complete, hold at
most one unacknowledged save (complete or absent, never partial), and its audit
chain must verify.
"""

from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from tests.store_helpers import NURSE, PASSWORDS, ROOT, StoreSite, make_site

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fcntl locks are POSIX")

SCRIPT = ROOT / "tests" / "fixtures" / "store" / "save_stream.py"
RUNS = 3
WAIT = 60.0  # seconds to wait for one line before calling the helper stuck


def _expected(n: int) -> dict[str, object]:
    return {
        "ICBIO": False,
        "ICCOPY": True,
        "ICDAT": "2026-01-05",
        "ICSIGNBY": "SUBJECT",
        "ICTIM": "09:30",
        "ICVER": f"3.{n}",
        "ICVERDAT": "2025-12-01",
        "ICYN": True,
    }


@pytest.fixture
def env(tmp_path: Path) -> Iterator[StoreSite]:
    store = make_site(tmp_path / "site")
    store.close()
    yield store
    store.close()


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line.strip())
    lines.put(None)


def _run_and_kill(root: Path, rng: random.Random) -> tuple[int, list[int]]:
    """Start the stream, kill it at a random moment; returns (acks wanted, acks seen)."""
    env = {**os.environ, "NPC_CRF_PASSWORD": PASSWORDS[NURSE]}
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), str(root), NURSE],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True)
    reader.start()
    wanted = rng.randint(3, 30)
    acked: list[int] = []
    try:
        while len(acked) < wanted:
            line = lines.get(timeout=WAIT)
            if line is None:
                pytest.fail(f"the save stream stopped by itself:\n{proc.stderr.read()}")
            if line.startswith("ACK "):
                acked.append(int(line.split()[1]))
        time.sleep(rng.uniform(0.0, 0.6))  # the kill lands somewhere inside a later save
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=WAIT)
        reader.join(timeout=WAIT)
        proc.stderr.close()
    while (line := lines.get(timeout=WAIT)) is not None:  # acknowledged before it died
        if line.startswith("ACK "):
            acked.append(int(line.split()[1]))
    assert proc.returncode == -signal.SIGKILL
    return wanted, acked


def test_acknowledged_saves_survive_sigkill_and_no_save_is_partial(env: StoreSite) -> None:
    seed = random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)  # noqa: S311 - timing, not cryptography
    acked_all: set[int] = set()
    history = []
    for run in range(RUNS):
        wanted, acked = _run_and_kill(env.root, rng)
        history.append((wanted, acked[-1] if acked else None))
        where = f"seed {seed}, run {run + 1}, (wanted, last ack) so far {history}"
        assert len(acked) >= wanted, where
        assert acked == sorted(acked) and len(set(acked)) == len(acked), where
        acked_all |= set(acked)
        last = max(acked)

        env.reopen()  # the killed process's lock died with it
        ws = env.login(NURSE)
        subjects = {int(s.subject_id.rsplit("-", 1)[1]): s.subject_id for s in ws.subjects.list()}
        for n in acked_all:
            assert n in subjects, f"acknowledged save {n} is missing ({where})"
        unacked = sorted(set(subjects) - acked_all)
        this_run = [n for n in unacked if n > last]
        assert this_run in ([], [last + 1]), f"saves beyond the last ack: {this_run} ({where})"
        for n, sid in subjects.items():
            forms = {
                oid: form
                for event in ws.casebook.load(sid).to_json()["events"]
                for oid, form in event["forms"].items()
            }
            if n in acked_all:
                assert set(forms) == {"IC"}, where
            if not forms:  # killed between the enrolment and the form's save
                assert n not in acked_all, where
                continue
            assert forms["IC"]["status"] == "complete", f"save {n} is partial ({where})"
            assert forms["IC"]["values"] == _expected(n), f"save {n} is partial ({where})"
        report = ws.audit.verify()
        assert report.ok, f"{report.problem} ({where})"
        ws.logout()
        env.close()
