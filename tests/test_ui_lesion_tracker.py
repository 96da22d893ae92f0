"""The lesion tracker used the way a monitor or a nurse would: open it for a subject, read
the measurements, sums and responses, see what is wrong with the target choice and where
the investigator disagrees, and watch it follow the forms as they are saved.

One NPC-SINT-RT site is prepared once per module from the demo's invented subjects
(``plan_subjects("NPC-SINT-RT", 8, 3)``) and copied for each test:

* ``responder``: three targets (nasopharynx 24, lung 12, node 23 mm; sum 59) and a bone
  non-target; partial response from the first assessment, confirmed at the second,
  progression of the non-target at the seventh. At the third assessment the
  investigator's overall response was changed to SD (computed: PR).
* ``early``: the same subject with only its first two assessments.
* ``nodes``: three lymph-node targets (at most two per organ are allowed).
* ``waiting``: a baseline assessment but no first dose yet, and a follow-up dated before
  the baseline.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QIcon, QPalette
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from npc_crf.demo import carry_out, plan_subjects
from npc_crf.demo.plan import FormSave, SubjectPlan
from npc_crf.forms.session import ItemPath
from npc_crf.oncology.recist.evaluate import evaluate
from npc_crf.oncology.recist.from_forms import Timepoint, TumourData
from npc_crf.oncology.recist.model import (
    Assessment,
    Baseline,
    Lesion,
    Mark,
    Measurement,
    Method,
    NewLesions,
    Response,
    ResponseSettings,
    Role,
)
from npc_crf.services.response import ResponseService, SubjectResponse, TrackedTimepoint
from npc_crf.services.subjects import SubjectStatus
from npc_crf.services.workspace import Workspace
from npc_crf.ui.form_page import FormPage
from npc_crf.ui.i18n import apply_font, install_language
from npc_crf.ui.lesion_tracker import (
    LesionTracker,
    LesionTrackerDialog,
    TrackerButton,
    open_lesion_tracker,
    tracker_available,
)
from npc_crf.ui.lesion_tracker_look import (
    DISCREPANCY_BACKGROUND,
    ERROR_COLOUR,
    FROZEN,
    OPTIONAL_INFO,
    Info,
    RowKind,
    discrepancy_icon,
)
from npc_crf.ui.lesion_tracker_model import LesionTrackerModel
from npc_crf.ui.main_window import MainWindow
from npc_crf.ui.worker import JobRunner
from tests.store_helpers import (
    DOCTOR,
    MONITOR,
    NURSE,
    PASSWORDS,
    SiteTemplate,
    StoreSite,
    enrol_consented,
    make_site,
)
from tests.ui_nurse import give_reason, go_to, on_next_dialog, press, type_text

WAIT_MS = 10_000
#: where the screenshots go (for people to look at; nothing compares them)
SHOTS = Path(os.environ.get("TRACKER_SHOTS", "/tmp/tracker-shots"))  # noqa: S108


@dataclass(frozen=True)
class Prepared:
    template: SiteTemplate
    responder: str
    early: str
    nodes: str
    waiting: str
    #: the form values of the responder's third assessment (TAV[3]/TA), as the demo saves them
    third: Mapping[str, object]


def _changed(plan: SubjectPlan, change: Any) -> SubjectPlan:
    """A copy of ``plan`` whose saves went through ``change(save)`` (None drops a save)."""
    saves = [s for s in (change(s) for s in plan.saves) if s is not None]
    return dataclasses.replace(plan, saves=saves, statuses=list(plan.statuses))


def _with_values(save: FormSave, **values: object) -> FormSave:
    return dataclasses.replace(save, values={**save.values, **values})


def _third_node(save: FormSave) -> FormSave:
    """Add a third lymph-node target, T3 (17 mm at baseline and at follow-up)."""
    if save.form != "TA":
        return save
    rows = list(save.values["TL"])  # type: ignore[call-overload]
    rows.append({**rows[-1], "TLID": "T3", "TLDIAM": Decimal(17)})
    return _with_values(save, TL=rows)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    root = tmp_path_factory.mktemp("tracker") / "site"
    store = make_site(root, users=(NURSE, DOCTOR, MONITOR))
    nurse, doctor = store.login(NURSE), store.login(DOCTOR)
    plans = plan_subjects("NPC-SINT-RT", 8, 3)
    base = plans[1]
    [third] = [s for s in base.saves if (s.event, s.occurrence, s.form) == ("TAV", 3, "TA")]

    def disagree(save: FormSave) -> FormSave:
        if (save.event, save.occurrence, save.form) == ("TAV", 3, "TA"):
            return _with_values(save, OVRLRESP="SD")
        return save

    def first_two(save: FormSave) -> FormSave | None:
        return None if save.event == "TAV" and save.occurrence > 2 else save

    responder = carry_out(_changed(base, disagree), nurse, doctor, PASSWORDS[DOCTOR])
    early = carry_out(_changed(base, first_two), nurse, doctor, PASSWORDS[DOCTOR])
    nodes = carry_out(_changed(plans[0], _third_node), nurse, doctor, PASSWORDS[DOCTOR])
    # a baseline and nothing dosed; a follow-up dated before the baseline
    [base_ta] = [s for s in base.saves if (s.event, s.form) == ("BASE", "TA")]
    [first_ta] = [s for s in base.saves if (s.event, s.occurrence, s.form) == ("TAV", 1, "TA")]
    waiting = enrol_consented(nurse)
    nurse.subjects.set_status(waiting, SubjectStatus.ENROLLED, on=dt.date(2024, 5, 20))
    nurse.casebook.save_form(waiting, "BASE", 1, "TA", dict(base_ta.values))
    early_scan = {**first_ta.values, "TADAT": dt.date(2024, 5, 1)}
    nurse.casebook.save_form(waiting, "TAV", 1, "TA", early_scan)
    nurse.logout()
    doctor.logout()
    store.close()
    return Prepared(
        SiteTemplate(root, store.recovery), responder, early, nodes, waiting, third.values
    )


@pytest.fixture
def store(prepared: Prepared, tmp_path: Path) -> Iterator[StoreSite]:
    copy = prepared.template.copy(tmp_path / "site")
    yield copy
    copy.close()


HOSTS: list[QWidget] = []


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[JobRunner]:
    jobs = JobRunner()
    yield jobs
    jobs.wait()
    HOSTS.clear()


@pytest.fixture
def window(qtbot: QtBot, store: StoreSite, runner: JobRunner) -> Iterator[MainWindow]:
    """The nurse's main window (real form pages)."""
    main = MainWindow(store.login(NURSE), runner, "en", idle_ms=3_600_000)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT_MS)
    yield main
    runner.wait()
    main.allow_close()
    main.close()


def tracker_for(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, subject: str, width: int = 1180
) -> LesionTrackerDialog:
    """The tracker's window for ``subject``, shown and computed."""
    host = QWidget()
    qtbot.addWidget(host)
    HOSTS.append(host)  # the window over which it opens lives as long as the test
    dialog = open_lesion_tracker(host, ws, runner, subject)
    assert dialog is not None
    dialog.resize(width, 860)
    wait_loaded(qtbot, dialog.tracker)
    return dialog


def wait_loaded(qtbot: QtBot, tracker: LesionTracker) -> None:
    qtbot.waitUntil(lambda: not tracker.status.is_busy and tracker.response is not None)
    qtbot.waitUntil(lambda: not tracker.runner.busy, timeout=WAIT_MS)


def text(tracker: LesionTracker, kind: RowKind, event: str, occurrence: int = 1, lesion: str | None = None) -> str:  # fmt: skip
    """What the grid shows in row ``kind`` (of ``lesion``) for an assessment."""
    model = tracker.model
    row, column = model.row_of(kind, lesion), model.column_of(event, occurrence)
    assert row is not None and column is not None, (kind, event, occurrence, lesion)
    return model.text(row, column)


def tooltip(tracker: LesionTracker, kind: RowKind, event: str, occurrence: int = 1) -> str:
    model = tracker.model
    row, column = model.row_of(kind), model.column_of(event, occurrence)
    assert row is not None and column is not None
    return str(model.index(row, column).data(Qt.ItemDataRole.ToolTipRole) or "")


def cell_centre(tracker: LesionTracker, row: int, column: int) -> QPoint:
    grid = tracker.grid
    index = tracker.model.index(row, column)
    grid.scrollTo(index)
    return grid.visualRect(index).center()


def double_click(qtbot: QtBot, widget: QWidget, pos: QPoint) -> None:
    """What a person's double-click sends: a click, then the double-click."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(widget, Qt.MouseButton.LeftButton, pos=pos)


def shoot(widget: QWidget, name: str) -> Path:
    """An offscreen screenshot, once every pending layout was done."""
    for _ in range(3):
        QApplication.processEvents()
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    assert widget.grab().save(str(path))
    return path


# ------------------------------------------------------------------------------ reading


def test_a_monitor_reads_measurements_sums_and_responses(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner
) -> None:
    ws = store.login(MONITOR)
    assert tracker_available(ws)
    dialog = tracker_for(qtbot, ws, runner, prepared.responder)
    tracker, model = dialog.tracker, dialog.tracker.model
    assert dialog.windowTitle() == f"Tumour response — {prepared.responder}"
    # columns: the lesion columns, the baseline, then every follow-up by date
    heads = [
        str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())
    ]
    assert heads[:FROZEN] == ["Lesion", "Organ", "Node", "Method", "Baseline class", "Irradiated"]
    assert heads[FROZEN] == "Baseline\n2024-05-30"
    assert heads[FROZEN + 1] == "Tumour assessment 1\n2024-07-24"
    assert len(heads) == FROZEN + 1 + 7
    # rows: targets, then non-targets, each measurement as recorded
    t1 = model.row_of(RowKind.LESION, "T1")
    assert t1 is not None
    assert [model.text(t1, c) for c in Info] == ["T1", "Nasopharynx", "no", "CT", "measurable", "yes"]  # fmt: skip
    assert "longest diameter 24 mm >= 10 mm" in model.cell(t1, Info.CLASS).tooltip
    assert "progressed since: yes" in model.cell(t1, Info.IRRADIATED).tooltip
    assert text(tracker, RowKind.LESION, "BASE", 1, "T1") == "24"
    assert text(tracker, RowKind.LESION, "TAV", 1, "T1") == "13"
    assert text(tracker, RowKind.LESION, "TAV", 1, "T3") == "11"
    assert model.text(model.row_of(RowKind.LESION, "NT1") or 0, Info.ORGAN) == "Bone"
    # sums and changes
    assert text(tracker, RowKind.SUM, "BASE") == "59"
    assert text(tracker, RowKind.SUM, "TAV", 1) == "30"
    assert text(tracker, RowKind.CHANGE_BASELINE, "TAV", 1) == "-49.2%"
    assert text(tracker, RowKind.NADIR, "TAV", 2) == "30"
    assert text(tracker, RowKind.SUM, "TAV", 2) == "31"
    assert text(tracker, RowKind.CHANGE_NADIR, "TAV", 2) == "+3.3% (+1 mm)"
    # responses: RECIST 1.1, then iRECIST (the study's criteria)
    assert text(tracker, RowKind.TARGET, "TAV", 1) == "PR"
    assert text(tracker, RowKind.NON_TARGET, "TAV", 1) == "NON-CR/NON-PD"
    assert text(tracker, RowKind.NEW_LESIONS, "TAV", 1) == "no"
    assert text(tracker, RowKind.OVERALL, "TAV", 1) == "PR"
    assert text(tracker, RowKind.OVERALL, "TAV", 7) == "PD"
    assert text(tracker, RowKind.NON_TARGET, "TAV", 7) == "PD"
    assert text(tracker, RowKind.IRESPONSE, "TAV", 7) == "iUPD"
    assert text(tracker, RowKind.IUPD, "TAV", 7) == "non-target"
    assert "RECIST 1.1 PD in non_target: unconfirmed" in tooltip(tracker, RowKind.OVERALL, "TAV", 7)
    # the investigator's responses beside the computed ones
    assert text(tracker, RowKind.OVERALL_INV, "TAV", 1) == "PR"
    assert text(tracker, RowKind.TARGET_INV, "TAV", 1) == "PR"
    # best overall response, and the rules that applied
    bor = tracker.bor
    assert bor.text_of("recist", "confirmed") == "PR (2024-07-24)"
    assert bor.text_of("recist", "unconfirmed") == "PR (2024-07-24)"
    assert bor.text_of("recist", "start") == "2024-07-24"
    assert bor.text_of("recist", "confirmation") == "2024-08-29"
    assert bor.text_of("recist", "progression") == "2025-03-29"
    assert bor.text_of("irecist", "confirmed") == "iPR (2024-07-24)"
    assert bor.text_of("irecist", "progression") == "—"  # the iUPD was never confirmed
    rules = bor.rules.text()
    assert "iRECIST (with RECIST 1.1)" in rules
    assert "at least 28 days later" in rules
    assert "SD counts from day 35 after the treatment start (42\u00a0−\u00a07)" in rules
    assert "treatment start 2024-06-07" in rules
    assert tracker.problems.isHidden()  # a valid choice of targets


def test_the_keyboard_reaches_every_cell_and_its_explanation(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner
) -> None:
    dialog = tracker_for(qtbot, store.login(MONITOR), runner, prepared.responder)
    tracker, grid, model = dialog.tracker, dialog.tracker.grid, dialog.tracker.model
    # the cursor starts on the latest overall response, explained under the grid
    current = grid.currentIndex()
    assert (current.row(), current.column()) == (
        model.row_of(RowKind.OVERALL),
        model.column_of("TAV", 7),
    )
    assert grid.hasFocus()
    assert tracker.detail.text().startswith(
        "Overall response (RECIST 1.1) — Tumour assessment 7, 2025-03-29: PD"
    )
    for _ in range(model.columnCount()):
        qtbot.keyClick(grid, Qt.Key.Key_Left)
    assert grid.currentIndex().column() == 0
    qtbot.keyClick(grid, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(grid, Qt.Key.Key_Down)  # the first target
    assert grid.currentIndex().row() == model.row_of(RowKind.LESION, "T1")
    detail = tracker.detail.text()
    assert "T1: target lesion, Nasopharynx" in detail and "measurable" in detail
    for _ in range(FROZEN + 1):  # on to the first follow-up: never hidden under the lesions
        qtbot.keyClick(grid, Qt.Key.Key_Right)
    index = grid.currentIndex()
    assert index.column() == model.column_of("TAV", 1)
    assert grid.visualRect(index).left() >= grid.frozen_width
    assert tracker.detail.text().startswith("T1, Tumour assessment 1 (2024-07-24): 13")


def test_three_lymph_node_targets_are_named_above_the_grid(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner
) -> None:
    dialog = tracker_for(qtbot, store.login(MONITOR), runner, prepared.nodes)
    tracker, model = dialog.tracker, dialog.tracker.model
    lines = tracker.problems.texts()
    assert not tracker.problems.isHidden()
    assert lines[0].startswith("The choice of target lesions is not valid")
    [named] = [line for line in lines if line.startswith("T3 — ")]
    assert "3 targets in lymph node (T1, T2, T3): at most 2 per organ" in named
    assert "all lymph nodes count as one organ" in named
    red = tracker.problems.lines[1].palette().color(QPalette.ColorRole.WindowText)
    assert red.name() == ERROR_COLOUR
    # the lesion's row says it too
    t3 = model.row_of(RowKind.LESION, "T3")
    assert t3 is not None
    ident = model.cell(t3, Info.ID)
    assert ident.icon is not None and ident.foreground == ERROR_COLOUR
    assert "Error: 3 targets in lymph node" in ident.tooltip
    assert model.cell(model.row_of(RowKind.LESION, "T1") or 0, Info.ID).icon is None
    # the response is computed all the same
    assert text(tracker, RowKind.SUM, "BASE") == "51"
    assert text(tracker, RowKind.OVERALL, "TAV", 1) == "PD"
    dialog.show()
    shoot(dialog, "en-tracker-three-nodes.png")


def test_the_investigators_disagreement_is_flagged(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner
) -> None:
    dialog = tracker_for(qtbot, store.login(MONITOR), runner, prepared.responder)
    tracker, model = dialog.tracker, dialog.tracker.model
    column = model.column_of("TAV", 3)
    assert column is not None
    computed, given = model.row_of(RowKind.OVERALL), model.row_of(RowKind.OVERALL_INV)
    assert computed is not None and given is not None
    assert model.text(computed, column) == "PR" and model.text(given, column) == "SD"
    for row in (computed, given):
        cell = model.index(row, column)
        assert cell.data(Qt.ItemDataRole.ToolTipRole).startswith("Investigator: SD — computed: PR")
        assert cell.data(Qt.ItemDataRole.BackgroundRole).color().name() == DISCREPANCY_BACKGROUND
        icon = cell.data(Qt.ItemDataRole.DecorationRole)
        assert isinstance(icon, QIcon) and icon.cacheKey() == discrepancy_icon().cacheKey()
    # the column says so in its header, and nowhere else is flagged
    mark = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DecorationRole)
    assert isinstance(mark, QIcon) and mark.cacheKey() == discrepancy_icon().cacheKey()
    flagged = [
        (r, c)
        for r in range(model.rowCount())
        for c in range(FROZEN, model.columnCount())
        if model.cell(r, c).background == DISCREPANCY_BACKGROUND
    ]
    assert flagged == [(computed, column), (given, column)]
    assert any("1 investigator response(s) differ" in t for t in tracker.info.texts())
    # a keyboard user reads it under the grid
    tracker.grid.setCurrentIndex(model.index(given, column))
    assert "Investigator: SD — computed: PR" in tracker.detail.text()


def test_what_is_missing_and_left_out_is_said(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner
) -> None:
    dialog = tracker_for(qtbot, store.login(MONITOR), runner, prepared.waiting)
    tracker = dialog.tracker
    lines = tracker.info.texts()
    assert "No response is computed yet: the treatment start date is not known yet." in lines
    assert any(
        line.startswith("Left out of the evaluation: TAV[1]/TA/TADAT: 2024-05-01 is not after")
        for line in lines
    )
    # the baseline's lesions are shown; there is nothing to compute
    assert text(tracker, RowKind.LESION, "BASE", 1, "T2") == "12"
    assert text(tracker, RowKind.SUM, "BASE") == ""
    assert tracker.bor.notes.text() == "Not computed yet."


def test_every_kind_of_measurement_and_a_continued_pr(
    qtbot: QtBot, studies: dict[str, Any]
) -> None:
    """What the forms cannot record yet (fragments, merged lesions) is shown as recorded too."""
    study = studies["npc-sint-rt"]

    def lesion(ident: str, organ: str, mm: int | None, role: Role = Role.TARGET) -> Lesion:
        nodal = organ == "LYMPH_NODE"
        diameter = Decimal(mm) if mm is not None else None
        return Lesion(ident, role, organ, nodal, Method.CT, Decimal("5.0"), diameter)

    def mm(value: int) -> Measurement:
        return Measurement(mm=Decimal(value))

    baseline = Baseline(
        dt.date(2023, 12, 20),
        (
            lesion("T1", "LIVER", 50),
            lesion("T2", "LUNG", 30),
            lesion("T3", "LYMPH_NODE", 20),
            lesion("NT1", "BONE", None, Role.NON_TARGET),
        ),
    )
    rows = [  # date, T1, T2, T3
        (dt.date(2024, 2, 12), mm(30), mm(20), mm(10)),  # 60: PR
        (dt.date(2024, 3, 25), mm(35), Measurement(mark=Mark.TOO_SMALL), mm(20)),  # 60: PR
        (
            dt.date(2024, 5, 6),
            Measurement(fragments_mm=(Decimal(30), Decimal(16))),
            Measurement(merged_into="T1"),
            mm(25),
        ),  # 71: SD alone, PR continued
        (dt.date(2024, 6, 17), Measurement(mark=Mark.NOT_ASSESSED), None, mm(20)),  # NE
    ]
    assessments = [
        Assessment(
            date,
            {k: v for k, v in (("T1", t1), ("T2", t2), ("T3", t3)) if v is not None},
            Response.NON_CR_NON_PD,
            NewLesions.NO,
        )
        for date, t1, t2, t3 in rows
    ]
    settings = ResponseSettings()  # RECIST 1.1 only
    start = dt.date(2024, 1, 2)
    ev = evaluate(baseline, assessments, start, settings)
    none: dict[str, Response | None] = dict.fromkeys(
        ("overall", "target", "non_target", "iresponse")
    )
    timepoints = tuple(Timepoint("TAV", n, a, none) for n, a in enumerate(assessments, 1))
    data = TumourData(baseline, ("BASE", 1), timepoints, start, ())
    tracked = tuple(
        TrackedTimepoint("TAV", n, r, dict(none), ()) for n, r in enumerate(ev.timepoints, 1)
    )
    model = LesionTrackerModel(study)
    model.set_response(SubjectResponse("S01-01-0099", settings, data, ev, tracked, None))

    def shown(kind: RowKind, occurrence: int, lesion_id: str | None = None) -> str:
        row, column = model.row_of(kind, lesion_id), model.column_of("TAV", occurrence)
        assert row is not None and column is not None
        return model.text(row, column)

    assert shown(RowKind.LESION, 2, "T2") == "too small (5)"
    assert shown(RowKind.LESION, 3, "T1") == "30 + 16"
    assert shown(RowKind.LESION, 3, "T2") == "merged into T1"
    assert shown(RowKind.LESION, 4, "T1") == "not assessed"
    assert shown(RowKind.LESION, 4, "T2") == "not assessed"  # no row on the form
    assert shown(RowKind.LESION, 1, "NT1") == "—"
    assert shown(RowKind.SUM, 3) == "71"
    assert shown(RowKind.TARGET, 3) == "PR (this sum alone: SD)"
    assert shown(RowKind.SUM, 4) == "20 (incomplete)"  # only T3 was measured
    assert shown(RowKind.TARGET, 4) == "NE" and shown(RowKind.OVERALL, 4) == "NE"
    t3 = model.row_of(RowKind.LESION, "T3")
    assert t3 is not None and model.text(t3, Info.ORGAN) == "Lymph node"
    assert model.text(t3, Info.NODAL) == "yes"
    # no investigator rows where nothing was recorded; no iRECIST rows under RECIST 1.1
    kinds = {row.kind for row in model.rows}
    assert RowKind.OVERALL_INV not in kinds and RowKind.IRESPONSE not in kinds
    assert RowKind.IUPD not in kinds
    # the notes of a timepoint are in the tooltips of its sum, responses and title
    column = model.column_of("TAV", 3)
    assert column is not None
    target = model.index(model.row_of(RowKind.TARGET) or 0, column)
    assert "this sum alone is SD" in target.data(Qt.ItemDataRole.ToolTipRole)
    header_tip = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert isinstance(header_tip, str) and "this sum alone is SD" in header_tip


# ------------------------------------------------------------------------------ live


def test_double_click_on_an_assessment_opens_its_form(
    qtbot: QtBot, window: MainWindow, prepared: Prepared
) -> None:
    window.open_subject(prepared.responder)
    dialog = window.open_lesion_tracker()
    assert isinstance(dialog, LesionTrackerDialog)
    tracker = dialog.tracker
    wait_loaded(qtbot, tracker)
    model = tracker.model
    column = model.column_of("TAV", 2)
    row = model.row_of(RowKind.SUM)
    assert column is not None and row is not None
    double_click(qtbot, tracker.grid.viewport(), cell_centre(tracker, row, column))
    qtbot.waitUntil(lambda: window.current_key == "form", timeout=WAIT_MS)
    assert window.open_form_info is not None
    info = window.open_form_info
    assert (info.subject_id, info.event_oid, info.occurrence, info.form_oid) == (
        prepared.responder,
        "TAV",
        2,
        "TA",
    )
    assert dialog.isVisible()  # the tracker stays open beside the form
    # Enter on a lesion's own columns opens the baseline form, where lesions are defined
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=WAIT_MS)
    tracker.grid.setCurrentIndex(model.index(model.row_of(RowKind.LESION, "T2") or 0, 0))
    qtbot.keyClick(tracker.grid, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.open_form_info is not None and window.open_form_info.event_oid == "BASE",
        timeout=WAIT_MS,
    )
    # and a double-click on a column's title
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=WAIT_MS)
    header = tracker.grid.horizontalHeader()
    last = model.column_of("TAV", 7)
    assert last is not None
    tracker.grid.scrollTo(model.index(row, last))
    pos = QPoint(header.sectionViewportPosition(last) + 10, header.height() // 2)
    double_click(qtbot, header.viewport(), pos)
    qtbot.waitUntil(
        lambda: window.open_form_info is not None and window.open_form_info.occurrence == 7,
        timeout=WAIT_MS,
    )


def test_correcting_a_measurement_recomputes_the_tracker(
    qtbot: QtBot, window: MainWindow, prepared: Prepared
) -> None:
    window.open_subject(prepared.early)
    dialog = window.open_lesion_tracker(prepared.early)
    assert isinstance(dialog, LesionTrackerDialog)
    tracker = dialog.tracker
    wait_loaded(qtbot, tracker)
    assert text(tracker, RowKind.SUM, "TAV", 2) == "31"
    assert text(tracker, RowKind.OVERALL, "TAV", 2) == "PR"
    model = tracker.model
    double_click(
        qtbot,
        tracker.grid.viewport(),
        cell_centre(tracker, model.row_of(RowKind.LESION, "T2") or 0, model.column_of("TAV", 2) or 0),
    )  # fmt: skip
    qtbot.waitUntil(lambda: isinstance(window.form_page, FormPage), timeout=WAIT_MS)
    page = window.form_page
    assert isinstance(page, FormPage)
    qtbot.waitUntil(lambda: page.view is not None and not page.busy, timeout=WAIT_MS)
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    # the lung lesion was 6 mm; the nurse corrects it to 20 mm
    go_to(page, "TL[2].TLDIAM")
    type_text(qtbot, "20")
    press(qtbot, Qt.Key.Key_Return)
    assert page.session is not None
    qtbot.waitUntil(lambda: page.session.value("TL[2].TLDIAM") == Decimal(20), timeout=2000)  # type: ignore[union-attr]
    on_next_dialog(give_reason("Transcription error in the lung lesion"))
    with qtbot.waitSignal(tracker.loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert text(tracker, RowKind.LESION, "TAV", 2, "T2") == "20"
    assert text(tracker, RowKind.SUM, "TAV", 2) == "45"
    assert text(tracker, RowKind.CHANGE_NADIR, "TAV", 2) == "+50.0% (+15 mm)"
    assert text(tracker, RowKind.OVERALL, "TAV", 2) == "PD"
    # the investigator said PR: now it disagrees
    assert "Investigator: PR — computed: PD" in tooltip(tracker, RowKind.OVERALL, "TAV", 2)


def test_saving_a_new_assessment_adds_its_column(
    qtbot: QtBot, window: MainWindow, prepared: Prepared
) -> None:
    window.open_subject(prepared.early)
    dialog = window.open_lesion_tracker()
    assert isinstance(dialog, LesionTrackerDialog)
    tracker = dialog.tracker
    wait_loaded(qtbot, tracker)
    assert tracker.model.column_of("TAV", 3) is None
    # the next assessment, opened as the casebook opens a new visit's form
    page = window.open_form(prepared.early, "TAV", 3, "TA")
    assert isinstance(page, FormPage)
    qtbot.waitUntil(lambda: page.view is not None and not page.busy, timeout=WAIT_MS)
    view = page.view
    assert view is not None
    for key, value in prepared.third.items():
        if isinstance(value, list):
            for n, row in enumerate(value, 1):
                assert view.add_row(key) == n
                for item, cell in row.items():
                    view.answer(ItemPath(item, key, n), cell)
        else:
            view.answer(ItemPath(key), value)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    view.focus_path(ItemPath("TADAT"))
    with qtbot.waitSignal(tracker.loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    column = tracker.model.column_of("TAV", 3)
    assert column is not None and column == tracker.model.columnCount() - 1
    assert tracker.model.headerData(column, Qt.Orientation.Horizontal) == (
        "Tumour assessment 3\n2024-10-12"
    )
    assert text(tracker, RowKind.SUM, "TAV", 3) == "33"
    assert text(tracker, RowKind.CHANGE_NADIR, "TAV", 3) == "+10.0% (+3 mm)"
    assert text(tracker, RowKind.OVERALL, "TAV", 3) == "PR"
    assert tracker.bor.text_of("recist", "confirmed") == "PR (2024-07-24)"


def test_f5_recomputes_after_a_save_elsewhere(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner
) -> None:
    nurse = store.login(NURSE)
    dialog = tracker_for(qtbot, nurse, runner, prepared.early)
    tracker = dialog.tracker
    assert tracker.model.column_of("TAV", 3) is None
    nurse.casebook.save_form(prepared.early, "TAV", 3, "TA", dict(prepared.third))
    current = tracker.grid.currentIndex()
    with qtbot.waitSignal(tracker.loaded, timeout=WAIT_MS):
        qtbot.keyClick(tracker.grid, Qt.Key.Key_F5)
    assert text(tracker, RowKind.SUM, "TAV", 3) == "33"
    # the cursor stays on the cell it was on
    assert tracker.grid.currentIndex().row() == current.row()
    assert tracker.model.assessment(tracker.grid.currentIndex().column()) == (
        tracker.model.assessment(current.column())
    )


def test_saves_of_other_subjects_are_ignored(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner
) -> None:
    dialog = tracker_for(qtbot, store.login(NURSE), runner, prepared.early)
    tracker = dialog.tracker
    before = tracker._request
    dialog.form_saved(prepared.responder, "TAV", 1, "TA")
    assert tracker._request == before and not runner.busy
    dialog.form_saved(prepared.early, "SCR", 1, "DM")  # any form of the subject counts
    assert tracker._request == before + 1
    wait_loaded(qtbot, tracker)


# ------------------------------------------------------------------------------ opening


def test_the_tumour_response_button_and_ctrl_r(
    qtbot: QtBot, store: StoreSite, prepared: Prepared
) -> None:
    ws = store.login(NURSE)
    view = QWidget()
    qtbot.addWidget(view)
    shown: list[str | None] = [None]
    button = TrackerButton(ws, lambda: shown[0], view)
    view.show()
    assert button.isVisible() and button.text() == "Tumour response"
    assert "Ctrl+R" in button.toolTip()
    requested: list[str] = []
    button.requested.connect(requested.append)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert requested == []  # no subject on show yet
    shown[0] = prepared.responder
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert requested == [prepared.responder, prepared.responder]


def test_a_study_without_a_tracker_shows_no_button(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ResponseService, "available", property(lambda self: False))
    ws = store.login(NURSE)
    view = QWidget()
    qtbot.addWidget(view)
    button = TrackerButton(ws, lambda: prepared.responder, view)
    view.show()
    requested: list[str] = []
    button.requested.connect(requested.append)
    assert not button.isVisible()
    button.request()  # what Ctrl+R would do
    assert requested == []
    assert open_lesion_tracker(view, ws, JobRunner(), prepared.responder) is None


def test_the_main_window_reuses_one_tracker_and_the_lock_closes_it(
    qtbot: QtBot, window: MainWindow, prepared: Prepared
) -> None:
    window.open_subject(prepared.responder)
    first = window.open_lesion_tracker()
    assert isinstance(first, LesionTrackerDialog)
    wait_loaded(qtbot, first.tracker)
    second = window.open_lesion_tracker(prepared.nodes)
    assert second is first and first.tracker.subject_id == prepared.nodes
    qtbot.waitUntil(lambda: first.tracker.title.text().endswith(prepared.nodes))
    wait_loaded(qtbot, first.tracker)
    window.lock("by hand")
    assert window.locked and not first.isVisible()  # it shows data: closed with the lock
    assert window.open_lesion_tracker() is None


def test_the_tracker_follows_the_font_size_and_the_language(
    qtbot: QtBot, window: MainWindow, prepared: Prepared
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window.open_subject(prepared.responder)
    dialog = window.open_lesion_tracker()
    assert isinstance(dialog, LesionTrackerDialog)
    tracker = dialog.tracker
    wait_loaded(qtbot, tracker)
    row_height = tracker.grid.rowHeight(0)
    confirmed = tracker.bor.values[("recist", "confirmed")]
    try:
        window.set_font_scale(150)
        size = app.font().pointSizeF()
        qtbot.waitUntil(lambda: tracker.title.font().pointSizeF() == pytest.approx(size * 1.4))
        qtbot.waitUntil(lambda: tracker.grid.rowHeight(0) > row_height)
        assert confirmed.font().pointSizeF() == pytest.approx(size) and confirmed.font().bold()
        assert tracker.grid.frozen.rowHeight(0) == tracker.grid.rowHeight(0)
        dialog.resize(1180, 860)
        shoot(dialog, "en-tracker-150pct.png")
        window.set_font_scale(100)
        cursor = tracker.grid.currentIndex()
        assert window.set_language("zh")
        qtbot.waitUntil(lambda: not window.runner.busy, timeout=WAIT_MS)
        assert dialog.isVisible() and tracker.subject_id == prepared.responder
        model = tracker.model
        column = model.column_of("TAV", 1)
        assert column is not None
        assert str(model.headerData(column, Qt.Orientation.Horizontal)).startswith("肿瘤评估 1")
        t1 = model.row_of(RowKind.LESION, "T1")
        assert t1 is not None and model.text(t1, Info.ORGAN) == "鼻咽"
        now = tracker.grid.currentIndex()
        assert (now.row(), now.column()) == (cursor.row(), cursor.column())
    finally:
        install_language(app, "en")
        apply_font(app, "en", 100)


# ------------------------------------------------------------------------------ screenshots


@pytest.mark.parametrize(("width", "compact"), [(1180, False), (760, True)])
def test_screenshots_at_a_normal_and_a_narrow_width(
    qtbot: QtBot,
    store: StoreSite,
    prepared: Prepared,
    runner: JobRunner,
    width: int,
    compact: bool,
) -> None:
    dialog = tracker_for(qtbot, store.login(MONITOR), runner, prepared.responder, width)
    tracker, grid, model = dialog.tracker, dialog.tracker.grid, dialog.tracker.model
    qtbot.waitExposed(dialog)
    QApplication.processEvents()
    assert grid.compact is compact
    assert all(grid.isColumnHidden(c) is compact for c in OPTIONAL_INFO)
    # the titles of the responses fit in the lesion columns that are on show
    titles = [model.text(r, 0) for r in range(model.rowCount()) if model.is_summary(r)]
    bold = grid.font()
    bold.setBold(True)
    from PySide6.QtGui import QFontMetrics

    assert max(QFontMetrics(bold).horizontalAdvance(t) for t in titles) < grid.frozen_width
    # nothing of the window is cut: every part fits its width
    for part in (tracker.problems, tracker.info, tracker.bor, tracker.legend):
        assert part.sizeHint().width() <= dialog.width() or part.minimumSizeHint().width() <= dialog.width()  # fmt: skip
    shoot(dialog, f"en-tracker-{width}.png")
    discrepancy = model.index(
        model.row_of(RowKind.OVERALL_INV) or 0, model.column_of("TAV", 3) or 0
    )
    grid.setCurrentIndex(discrepancy)
    grid.scrollTo(discrepancy)
    QApplication.processEvents()
    assert grid.visualRect(discrepancy).left() >= grid.frozen_width
    shoot(dialog, f"en-tracker-{width}-discrepancy.png")
