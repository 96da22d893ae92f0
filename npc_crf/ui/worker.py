"""Work off the GUI thread: one job at a time per runner, with progress and a safe cancel.

A job is a plain function ``fn(progress: Progress) -> T`` that calls service-layer
code. It runs on a ``QThreadPool`` thread; its result, its error or its
cancellation comes back as a signal on the GUI thread. Cancelling is cooperative:
the job calls ``progress.check()`` (or ``progress.update``) between steps, which
raises :class:`Cancelled` once the person asked to stop, so a job stops only at a
point where nothing is half-written (each step is its own transaction).

Only one job runs at a time per :class:`JobRunner`, because a workspace's
database connections are not meant for two threads writing at once.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from npc_crf.core.logs import LOGGER


class Cancelled(Exception):
    """Raised inside a job when the person asked to stop it."""


class Progress:
    """Handed to a job: report progress and notice a cancel request."""

    def __init__(self, emit: Callable[[int, int, str], None]) -> None:
        self._emit = emit
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop at its next check (called from the GUI thread)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if a cancel was requested."""
        if self._cancel.is_set():
            raise Cancelled

    def update(self, done: int, total: int, text: str = "") -> None:
        """Report ``done`` of ``total`` steps (0 total = unknown), then check for a cancel."""
        self._emit(done, total, text)
        self.check()


class _Signals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)  # the exception
    cancelled = Signal()


class _Task(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any], signals: _Signals, progress: Progress):
        super().__init__()
        self.fn, self.signals, self.progress = fn, signals, progress
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn(self.progress)
        except Cancelled:
            self.signals.cancelled.emit()
        except Exception as exc:  # reported to the GUI thread, never lost
            LOGGER.error("background job failed: %s", type(exc).__name__)
            LOGGER.debug("%s", "".join(traceback.format_exception(exc)))
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)


class Job(QObject):
    """A running job, as the GUI sees it."""

    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    ended = Signal()  # after any of finished / failed / cancelled

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.done = False
        self._signals = _Signals()
        self._progress = Progress(self._signals.progress.emit)
        # bound slots of this GUI-thread object: delivered queued, on the GUI thread
        self._signals.progress.connect(self._on_progress)
        self._signals.finished.connect(self._on_finished)
        self._signals.failed.connect(self._on_failed)
        self._signals.cancelled.connect(self._on_cancelled)

    def cancel(self) -> None:
        """Ask the job to stop at its next safe point."""
        self._progress.cancel()

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progress.emit(done, total, text)

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        self.done = True
        self.finished.emit(result)
        self.ended.emit()

    @Slot(object)
    def _on_failed(self, error: object) -> None:
        self.done = True
        self.failed.emit(error)
        self.ended.emit()

    @Slot()
    def _on_cancelled(self) -> None:
        self.done = True
        self.cancelled.emit()
        self.ended.emit()


class JobRunner(QObject):
    """Runs jobs one after another on a private thread pool."""

    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._running: list[Job] = []
        self._last: Job | None = None

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def start(self, name: str, fn: Callable[[Progress], Any]) -> Job:
        """Queue ``fn``; connect to the returned job's signals for its outcome."""
        job = Job(name)  # owned by Python (the list below), never deleted under a signal
        self._running.append(job)
        job.ended.connect(lambda: self._ended(job))  # both on the GUI thread
        if len(self._running) == 1:
            self.busyChanged.emit(True)
        self._pool.start(_Task(fn, job._signals, job._progress))
        return job

    def _ended(self, job: Job) -> None:
        # called from inside the job's own signal: keep it alive until the next one ends
        self._last = job
        self._running.remove(job)
        if not self._running:
            self.busyChanged.emit(False)

    def cancel_all(self) -> None:
        """Ask every queued or running job to stop."""
        for job in self._running:
            job.cancel()

    def wait(self, msecs: int = 30000) -> bool:
        """Block until every job finished (used on quit and in tests)."""
        return bool(self._pool.waitForDone(msecs))
