"""Background jobs: results, errors and cancels come back on the GUI thread."""

from __future__ import annotations

import threading
import time

import pytest
from pytestqt.qtbot import QtBot

from npc_crf.ui.worker import JobRunner, Progress


def test_a_job_runs_off_the_gui_thread_and_reports_progress(qtbot: QtBot) -> None:
    runner = JobRunner()
    gui = threading.get_ident()
    seen: list[tuple[int, int, str]] = []

    def job(progress: Progress) -> int:
        assert threading.get_ident() != gui
        for n in range(3):
            progress.update(n + 1, 3, f"step {n + 1}")
        return 42

    started = runner.start("count", job)
    started.progress.connect(lambda d, t, s: seen.append((d, t, s)))
    with qtbot.waitSignal(started.finished, timeout=5000) as result:
        pass
    assert result.args == [42]
    qtbot.waitUntil(lambda: not runner.busy)
    assert seen[-1] == (3, 3, "step 3")


def test_an_error_is_reported_not_lost(qtbot: QtBot) -> None:
    runner = JobRunner()

    def job(progress: Progress) -> None:
        raise ValueError("disk on fire")

    started = runner.start("fail", job)
    with qtbot.waitSignal(started.failed, timeout=5000) as result:
        pass
    assert isinstance(result.args[0], ValueError)


def test_cancel_stops_at_the_next_check_and_nothing_after_runs(qtbot: QtBot) -> None:
    runner = JobRunner()
    steps: list[int] = []
    go = threading.Event()

    def job(progress: Progress) -> None:
        go.wait(5)
        for n in range(100):
            progress.check()
            steps.append(n)
            time.sleep(0.01)

    started = runner.start("long", job)
    started.cancel()
    go.set()
    with qtbot.waitSignal(started.cancelled, timeout=5000):
        pass
    assert steps == []
    assert runner.wait(5000)


@pytest.mark.parametrize("count", [3])
def test_jobs_run_one_at_a_time(qtbot: QtBot, count: int) -> None:
    runner = JobRunner()
    active: list[int] = []
    overlap: list[bool] = []

    def job(progress: Progress) -> None:
        active.append(1)
        overlap.append(len(active) > 1)
        time.sleep(0.02)
        active.pop()

    jobs = [runner.start(f"j{n}", job) for n in range(count)]
    with qtbot.waitSignal(jobs[-1].finished, timeout=5000):
        pass
    assert overlap == [False] * count
