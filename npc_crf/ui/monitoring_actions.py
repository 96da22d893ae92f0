"""Monitoring actions reached from more than one place: exporting the SDV report.

Monitors reach it from the main window's *Monitoring* menu (the Administration
page is the administrator's), the site administrator also from Administration →
Freezes and locks. The report itself is the service's (``ws.sdv.write_report``:
one row per value that needs SDV, the columns of ``docs/monitoring.md``, written
atomically); it holds subject IDs and item paths, never clinical values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QCoreApplication, QStandardPaths
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from npc_crf.ui.dialogs import run_modal, show_error

if TYPE_CHECKING:
    from npc_crf.services.workspace import Workspace
    from npc_crf.ui.worker import Job, JobRunner


def default_report_path(ws: Workspace, today: dt.date | None = None) -> Path:
    """``sdv-report-S01-20260301.csv`` in the person's documents folder."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    day = today or dt.date.today()
    return Path(folder or Path.home()) / f"sdv-report-{ws.site_id}-{day:%Y%m%d}.csv"


def ask_report_path(parent: QWidget | None, ws: Workspace) -> Path | None:
    """Ask where to write the SDV report (a save dialog); None when cancelled."""
    start = default_report_path(ws)
    dialog = QFileDialog(
        parent,
        QCoreApplication.translate("Monitoring", "Export SDV report"),
        str(start.parent),
        QCoreApplication.translate("Monitoring", "CSV files (*.csv)"),
    )
    dialog.setObjectName("sdv_report_dialog")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setDefaultSuffix("csv")
    dialog.selectFile(start.name)
    chosen: list[str] = []
    dialog.accepted.connect(lambda: chosen.extend(dialog.selectedFiles()))
    if run_modal(dialog) != QDialog.DialogCode.Accepted or not chosen:
        return None
    return Path(chosen[0])


def report_written_text(path: Path, rows: int) -> str:
    """What the person is told once the report was written."""
    if rows == 1:
        return QCoreApplication.translate(
            "Monitoring", "The SDV report was written to {path} (1 value)."
        ).format(path=path)
    return QCoreApplication.translate(
        "Monitoring", "The SDV report was written to {path} ({rows} values)."
    ).format(path=path, rows=rows)


def export_sdv_report(
    parent: QWidget,
    ws: Workspace,
    runner: JobRunner,
    path: Path | None = None,
    *,
    say: Callable[[str], None],
) -> Job | None:
    """Write the SDV report as CSV in the background (asking where, unless ``path`` is
    given); ``say`` gets the confirmation, an error is shown in a message box. None when
    the person cancelled."""
    target = path or ask_report_path(parent, ws)
    if target is None:
        return None
    sdv = ws.sdv
    job = runner.start("export SDV report", lambda _p: sdv.write_report(target))

    def written(rows: object) -> None:
        say(report_written_text(target, int(rows) if isinstance(rows, int) else 0))

    def failed(error: object) -> None:
        if shiboken6.isValid(parent):
            show_error(parent, error if isinstance(error, BaseException) else Exception(error))

    job.finished.connect(written)
    job.failed.connect(failed)
    return job


__all__ = ["ask_report_path", "default_report_path", "export_sdv_report", "report_written_text"]
