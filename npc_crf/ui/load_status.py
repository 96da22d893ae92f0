"""The busy/error strip of the views, and running a view's job with it showing."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from npc_crf.ui.errors import describe_error
from npc_crf.ui.view_look import ALERT_COLOUR
from npc_crf.ui.worker import Job, JobRunner

T = TypeVar("T")


class LoadStatus(QWidget):
    """A busy indicator while a job runs, and the error when one failed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # indeterminate
        self.bar.setTextVisible(False)
        self.busy_label = QLabel()
        self.error_label = QLabel()
        self.error_label.setObjectName("load_error")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setStyleSheet(f"color: {ALERT_COLOUR}; font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.busy_label)
        busy_row.addWidget(self.bar, 1)
        layout.addLayout(busy_row)
        layout.addWidget(self.error_label)
        self.idle()

    @property
    def is_busy(self) -> bool:
        return not self.bar.isHidden()

    def busy(self, text: str) -> None:
        """Show ``text`` and a moving bar; clears an earlier error."""
        self.busy_label.setText(text)
        self.bar.show()
        self.busy_label.show()
        self.error_label.hide()

    def idle(self) -> None:
        """Hide the indicator (an error stays until the next job)."""
        self.bar.hide()
        self.busy_label.hide()

    def failed(self, error: object) -> None:
        """Stop the indicator and show what went wrong."""
        self.idle()
        self.error_label.setText(describe_error(error))
        self.error_label.show()

    @property
    def error(self) -> str:
        """The error shown, or an empty string."""
        return "" if self.error_label.isHidden() else self.error_label.text()


def run_job(
    runner: JobRunner,
    status: LoadStatus,
    name: str,
    busy_text: str,
    work: Callable[[], T],
    done: Callable[[T], None],
) -> Job:
    """Run ``work`` off the GUI thread with ``status`` showing it; ``done(result)`` on success.

    Errors are shown by ``status``. Nothing is delivered once the status strip (and so
    the view holding it) was deleted.
    """
    status.busy(busy_text)
    job = runner.start(name, lambda progress: work())

    def finished(result: object) -> None:
        if shiboken6.isValid(status):
            status.idle()
            done(result)  # type: ignore[arg-type]

    def failed(error: object) -> None:
        if shiboken6.isValid(status):
            status.failed(error)

    def cancelled() -> None:
        if shiboken6.isValid(status):
            status.idle()

    job.finished.connect(finished)
    job.failed.connect(failed)
    job.cancelled.connect(cancelled)
    return job
