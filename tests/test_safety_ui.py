"""The safety work in the GUI: the worklist shows an overdue SAE report first, in red; the
casebook marks a visit done out of its window. Screenshots go to /tmp/safety-shots/."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from npc_crf.forms.model import Study
from npc_crf.oncology.schedule import PlannedVisit, VisitState, VisitTiming
from npc_crf.services.subjects import SubjectStatus
from npc_crf.services.worklist import WorkItem, WorkKind
from npc_crf.ui import labels
from npc_crf.ui.casebook_model import OUT_OF_WINDOW_COLOUR, VISIT_TIMING_ROLE
from npc_crf.ui.casebook_view import CasebookView
from npc_crf.ui.view_look import VISIT_COLOURS
from npc_crf.ui.work_model import WORK_ORDER, WorkColumn, work_row
from npc_crf.ui.worker import JobRunner
from npc_crf.ui.worklist_view import WorklistView
from tests.store_helpers import NURSE, StoreSite, enrol_consented, make_site

TODAY = dt.date(2026, 3, 20)
WAIT_MS = 10_000
SHOTS = Path("/tmp/safety-shots")  # noqa: S108 - screenshots to look at, not data


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StoreSite, str]]:
    store = make_site(tmp_path_factory.mktemp("safety-ui") / "site", users=(NURSE,))
    ws = store.login(NURSE)
    sid = enrol_consented(ws)
    ws.subjects.set_status(sid, SubjectStatus.ENROLLED, on=dt.date(2026, 1, 8))
    ws.subjects.set_status(sid, SubjectStatus.ON_TREATMENT, on=dt.date(2026, 1, 10))
    for cycle, given in ((1, "2026-01-10"), (2, "2026-01-27")):  # cycle 2: 1 day early
        ws.casebook.save_form(
            sid, "CYCLE", cycle, "EX", {"EXCYCLE": cycle, "EXYN": "yes", "EXSTDAT": given}
        )
    ws.casebook.save_form(
        sid,
        "AEV",
        1,
        "AE",
        {
            "AETERM": "10035742",  # Pneumonitis
            "AETOXGR": 3,
            "AESTDAT": "2026-03-10",
            "AESER": "yes",
            "AESERCR": ["HOSP"],
            "AESDAT": "2026-03-10",
            "AEAWDAT": "2026-03-11",
        },
    )
    ws.logout()
    yield store, sid
    store.close()


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[JobRunner]:
    jobs = JobRunner()
    yield jobs
    jobs.wait()


def _shot(widget: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS / name))


def test_the_worklist_shows_an_overdue_sae_report_first(
    qtbot: QtBot, site: tuple[StoreSite, str], runner: JobRunner
) -> None:
    store, sid = site
    ws = store.login(NURSE)
    view = WorklistView(ws, runner, "en", today=TODAY)
    qtbot.addWidget(view)
    view.resize(1280, 560)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        view.refresh()
    model = view.model
    first = model.index(0, 0)
    assert first.data() == "SAE reports to send (1)"
    assert (
        model.data(first, Qt.ItemDataRole.ForegroundRole).color().name()
        == VISIT_COLOURS[VisitState.OVERDUE]
    )
    line = [model.index(0, c, first).data() for c in WorkColumn]
    assert line == [
        sid,
        "SAE report to the sponsor: Pneumonitis",
        "Adverse events 1 · Adverse event",
        "2026-03-12",  # aware 11 March + 24 h
        "8 days past due",
    ]
    due = model.index(0, WorkColumn.DUE, first)
    colour = model.data(due, Qt.ItemDataRole.ForegroundRole).color().name()
    assert colour == VISIT_COLOURS[VisitState.OVERDUE]
    titles = [model.index(g, 0).data() for g in range(model.rowCount())]
    assert "Visits done out of window (1)" in titles
    _shot(view, "worklist-sae-overdue.png")
    ws.logout()


def test_the_casebook_marks_a_visit_done_out_of_window(
    qtbot: QtBot, site: tuple[StoreSite, str], runner: JobRunner
) -> None:
    store, sid = site
    ws = store.login(NURSE)
    view = CasebookView(ws, runner, "en", today=TODAY)
    qtbot.addWidget(view)
    view.resize(1280, 720)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        view.show_subject(sid)
    model = view.model
    assert model.grid is not None
    columns = [(c.event_oid, c.occurrence) for c in model.grid.columns]
    early, on_time = columns.index(("CYCLE", 2)), columns.index(("CYCLE", 1))
    horizontal = Qt.Orientation.Horizontal
    text = model.headerData(early, horizontal)
    assert text.splitlines() == [
        "Treatment cycle 2",
        "2026-01-27",
        "01-28 – 02-03",
        "done · 1 day early",
    ]
    assert model.headerData(early, horizontal, VISIT_TIMING_ROLE) is VisitTiming.EARLY
    brush = model.headerData(early, horizontal, Qt.ItemDataRole.ForegroundRole)
    assert brush.color().name() == OUT_OF_WINDOW_COLOUR
    tip = model.headerData(early, horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "1 day early" in tip and "Window: 01-28 – 02-03 (due 2026-01-31)" in tip
    # cycle 1 has no window to judge: not marked
    assert model.headerData(on_time, horizontal, VISIT_TIMING_ROLE) is None
    legend = [w.text() for w in view.legend.findChildren(QLabel)]
    assert "Visit done outside its window" in legend
    view.grid.scrollTo(model.index(0, early), view.grid.ScrollHint.PositionAtCenter)
    _shot(view, "casebook-out-of-window.png")
    ws.logout()


# ------------------------------------------------------------------------------ words


@pytest.mark.parametrize(
    ("item", "what", "days"),
    [
        (
            WorkItem(WorkKind.SAE_REPORT, "S", "AEV", 1, "AE", "AEAWDAT", None, None,
                     "10035742", "not_started"),
            "SAE report to the sponsor: Pneumonitis — the date the site became aware is not "
            "entered",
            "",
        ),
        (
            WorkItem(WorkKind.SUSAR_REPORT, "S", "AEV", 1, "AE", "AESUSDAT",
                     dt.date(2026, 3, 19), -2, "10035742", "running"),
            "SUSAR report to the regulator and ethics committee: Pneumonitis",
            "in 2 days",
        ),
        (
            WorkItem(WorkKind.AE_OUTSIDE_WINDOW, "S", "AEV", 1, "AE", "AESTDAT", None, 2,
                     "10016256", "before_first_dose"),
            "Adverse event outside the reporting window: Fatigue — before the first dose: "
            "belongs in medical history",
            "2 days outside",
        ),
        (
            WorkItem(WorkKind.AE_OUTSIDE_WINDOW, "S", "AEV", 1, "AE", "AESTDAT", None, None,
                     "10016256", "indeterminate_end"),
            "Adverse event outside the reporting window: Fatigue — partial date: may be after "
            "the reporting window",
            "",
        ),
        (
            WorkItem(WorkKind.AE_FOLLOWUP_MISSING, "S", "AEV", 1, "AE", "AEONGO",
                     dt.date(2026, 3, 2), 18, "10016256", "window_closed"),
            "Follow-up of adverse event missing: Fatigue — ongoing when the reporting window "
            "closed",
            "18 days past due",
        ),
        (
            WorkItem(WorkKind.VISIT_OUT_OF_WINDOW, "S", "CYCLE", 2, None, None,
                     dt.date(2026, 1, 31), 5, None, "late"),
            "Visit done out of window",
            "5 days late",
        ),
        (
            WorkItem(WorkKind.LAB_WITHOUT_AE, "S", "CYCLE", 2, "CHEM", "ALT",
                     dt.date(2026, 1, 31), None, "10001551", "1"),
            "Abnormal lab value without adverse event: Alanine aminotransferase increased — "
            "grade 1",
            "",
        ),
        (
            WorkItem(WorkKind.LAB_WITHOUT_AE, "S", "CYCLE", 2, "CHEM", "ALT",
                     dt.date(2026, 1, 31), None, "10001551", "2:indeterminate"),
            "Abnormal lab value without adverse event: Alanine aminotransferase increased — "
            "grade 2; an adverse event with a partial date may cover it",
            "",
        ),
    ],
)  # fmt: skip
def test_work_item_words(
    qtbot: QtBot, studies: dict[str, Study], item: WorkItem, what: str, days: str
) -> None:
    study = next(s for s in studies.values() if s.oid == "NPC-SINT-RT")
    row = work_row(study, item, "en", 0)
    assert (row.texts[WorkColumn.WHAT], row.texts[WorkColumn.DAYS]) == (what, days)


def test_every_kind_has_a_group(qtbot: QtBot) -> None:
    assert set(WORK_ORDER) == set(WorkKind)


@pytest.mark.parametrize(
    ("timing", "days", "most", "text"),
    [
        (VisitTiming.IN_WINDOW, None, None, "in window"),
        (VisitTiming.EARLY, 1, None, "1 day early"),
        (VisitTiming.LATE, 5, None, "5 days late"),
        (VisitTiming.LATE, 11, 41, "11–41 days late"),
        (VisitTiming.INDETERMINATE, None, None, "window not decidable (partial date)"),
        (None, None, None, ""),
    ],
)
def test_visit_timing_words(
    qtbot: QtBot, timing: VisitTiming | None, days: int | None, most: int | None, text: str
) -> None:
    day = dt.date(2026, 1, 31)
    visit = PlannedVisit(
        "CYCLE", 2, day, day, day, day, VisitState.DONE, None, True, None, timing, days, most
    )
    assert labels.visit_timing_text(visit) == text
