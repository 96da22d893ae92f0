"""The Subjects, Worklist and Casebook screens, used the way a nurse or a monitor would.

One small site (NPC-SINT-RT) is prepared once per module and copied for each test:

* ``consented``: informed consent on 2026-01-05 (complete), demographics in progress;
* ``new``: registered on 2026-02-01, nothing entered;
* ``enrolled``: consented, enrolled, cycle 1 dosed on 2026-02-01 (EX in progress).

The views judge the schedule on :data:`TODAY`, so the baseline visit (consent + 0 to
28 days) is overdue and the second cycle (21 ± 3 days after the first dose) too.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import PySide6
import pytest
from PySide6.QtCore import QModelIndex, QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from npc_crf.oncology.schedule import Unplanned, VisitState
from npc_crf.services.subjects import TRANSITIONS, SubjectStatus
from npc_crf.services.worklist import CellState, WorkItem, WorkKind
from npc_crf.services.workspace import Workspace
from npc_crf.ui import labels
from npc_crf.ui.casebook_view import CasebookView
from npc_crf.ui.subject_model import SubjectColumn
from npc_crf.ui.subjects_view import SubjectsView
from npc_crf.ui.view_look import CELL_COLOURS, TARGET_ROLE, VISIT_COLOURS, VISIT_STATE_ROLE
from npc_crf.ui.work_model import WorkColumn, work_row
from npc_crf.ui.worker import JobRunner
from npc_crf.ui.worklist_view import WorklistView
from tests.store_helpers import (
    IC_VALUES,
    MONITOR,
    NURSE,
    SiteTemplate,
    StoreSite,
    enrol_consented,
    make_site,
)

TODAY = dt.date(2026, 3, 1)
CONSENT = dt.date.fromisoformat(str(IC_VALUES["ICDAT"]))
FIRST_DOSE = dt.date(2026, 2, 1)
WAIT_MS = 10_000


@dataclass(frozen=True)
class Prepared:
    """The prepared site and who is in it."""

    template: SiteTemplate
    consented: str
    new: str
    enrolled: str


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    root = tmp_path_factory.mktemp("views") / "site"
    store = make_site(root, users=(NURSE, MONITOR))
    ws = store.login(NURSE)
    consented = enrol_consented(ws)
    ws.casebook.save_form(
        consented, "SCR", 1, "DM", {"SUBJINIT": "ABC", "BRTHDAT": "1970-05-02", "SEX": "M"}
    )
    new = ws.subjects.enrol(screening_date=dt.date(2026, 2, 1))
    enrolled = enrol_consented(ws)
    ws.subjects.set_status(enrolled, SubjectStatus.ENROLLED, on=CONSENT)
    ws.casebook.save_form(
        enrolled, "CYCLE", 1, "EX", {"EXCYCLE": 1, "EXYN": "yes", "EXSTDAT": FIRST_DOSE.isoformat()}
    )
    ws.logout()
    store.close()
    return Prepared(SiteTemplate(root, store.recovery), consented, new, enrolled)


@pytest.fixture
def store(prepared: Prepared, tmp_path: Path) -> Iterator[StoreSite]:
    copy = prepared.template.copy(tmp_path / "site")
    yield copy
    copy.close()


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[JobRunner]:
    jobs = JobRunner()
    yield jobs
    jobs.wait()


def login(store: StoreSite, user: str = NURSE) -> Workspace:
    return store.login(user)


def subjects_view(qtbot: QtBot, ws: Workspace, runner: JobRunner) -> SubjectsView:
    view = SubjectsView(ws, runner, "en", today=TODAY)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        view.refresh()
    return view


def worklist_view(qtbot: QtBot, ws: Workspace, runner: JobRunner) -> WorklistView:
    view = WorklistView(ws, runner, "en", today=TODAY)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        view.refresh()
    return view


def casebook_view(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, subject_id: str, lang: str = "en"
) -> CasebookView:
    view = CasebookView(ws, runner, lang, today=TODAY)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        view.show_subject(subject_id)
    return view


def double_click(qtbot: QtBot, widget: QWidget, pos: QPoint) -> None:
    """What a person's double-click sends: a click, then the double-click."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(widget, Qt.MouseButton.LeftButton, pos=pos)


def row_of(view: SubjectsView, subject_id: str) -> int:
    return view.visible_subjects().index(subject_id)


def cell_text(view: SubjectsView, subject_id: str, column: SubjectColumn) -> str:
    return str(view.proxy.index(row_of(view, subject_id), column).data())


# ------------------------------------------------------------------------------ labels


@pytest.mark.parametrize(
    ("enum", "text_of"),
    [
        (SubjectStatus, labels.subject_status_text),
        (SubjectStatus, labels.status_change_text),
        (VisitState, labels.visit_state_text),
        (CellState, labels.cell_state_text),
        (CellState, labels.cell_state_abbreviation),
        (WorkKind, labels.work_kind_text),
        (WorkKind, labels.work_item_text),
    ],
)
def test_every_enum_value_has_its_own_label(
    qtbot: QtBot, enum: type[Enum], text_of: Callable[[Any], str]
) -> None:
    texts = [text_of(member) for member in enum]
    assert all(texts)
    assert len(set(texts)) == len(texts)


# ------------------------------------------------------------------------------ subjects


@pytest.mark.parametrize(
    ("term", "path", "says"),
    [
        ("10016256", "AEOUT", "Outcome of adverse event missing: Fatigue"),
        (None, "AEOUT", "Outcome of adverse event missing: AEOUT"),  # no term entered yet
    ],
)
def test_an_adverse_event_without_outcome_is_named_by_its_term(
    studies: dict[str, Any], term: str | None, path: str, says: str
) -> None:
    study = studies["npc-sint-rt"]
    item = WorkItem(
        WorkKind.AE_WITHOUT_OUTCOME, "S01-01-0001", "AEV", 1, "AE", path, None, None, term
    )
    assert work_row(study, item, "en", 0).texts[WorkColumn.WHAT] == says


def test_the_table_shows_each_subject_with_status_and_next_visit(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner
) -> None:
    ws = login(store)
    view = subjects_view(qtbot, ws, runner)
    assert sorted(view.visible_subjects()) == sorted(
        [prepared.consented, prepared.new, prepared.enrolled]
    )
    baseline = ws.study.event("BASE")
    assert baseline is not None and baseline.window is not None
    window_end = CONSENT + dt.timedelta(days=baseline.window.after)
    expected = {
        prepared.consented: (SubjectStatus.SCREENING, "—"),
        prepared.new: (SubjectStatus.SCREENING, "—"),
        prepared.enrolled: (SubjectStatus.ENROLLED, "1"),
    }
    for subject_id, (status, cycle) in expected.items():
        assert cell_text(view, subject_id, SubjectColumn.STATUS) == labels.subject_status_text(
            status
        )
        assert cell_text(view, subject_id, SubjectColumn.CYCLE) == cycle
    for subject_id in (prepared.consented, prepared.enrolled):  # baseline overdue: red
        text = cell_text(view, subject_id, SubjectColumn.NEXT_VISIT)
        assert baseline.name.en in text
        assert CONSENT.isoformat() in text
        assert f"{CONSENT:%m-%d} – {window_end:%m-%d}" in text
        index = view.proxy.index(row_of(view, subject_id), SubjectColumn.NEXT_VISIT)
        brush = index.data(Qt.ItemDataRole.ForegroundRole)
        assert brush.color().name() == VISIT_COLOURS[VisitState.OVERDUE]
    index = view.proxy.index(row_of(view, prepared.new), SubjectColumn.NEXT_VISIT)
    brush = index.data(Qt.ItemDataRole.ForegroundRole)  # no consent, so no date yet: grey
    assert brush.color().name() == VISIT_COLOURS[VisitState.UNPLANNED]
    assert CONSENT.isoformat() not in str(index.data())


@pytest.mark.parametrize(
    ("column", "order"),
    [
        (SubjectColumn.ID, Qt.SortOrder.DescendingOrder),
        (SubjectColumn.ID, Qt.SortOrder.AscendingOrder),
        (SubjectColumn.STATUS, Qt.SortOrder.AscendingOrder),
        (SubjectColumn.CYCLE, Qt.SortOrder.DescendingOrder),
    ],
)
def test_clicking_a_header_sorts_the_table(
    qtbot: QtBot,
    store: StoreSite,
    runner: JobRunner,
    column: SubjectColumn,
    order: Qt.SortOrder,
) -> None:
    view = subjects_view(qtbot, login(store), runner)
    view.table.sortByColumn(column, order)
    shown = view.visible_subjects()
    keys = [view.proxy.index(row, column).data(Qt.ItemDataRole.UserRole + 1) for row in range(3)]
    assert keys == sorted(keys, reverse=order == Qt.SortOrder.DescendingOrder)
    if column is SubjectColumn.ID:
        assert shown == sorted(shown, reverse=order == Qt.SortOrder.DescendingOrder)


@pytest.mark.parametrize(
    ("text", "status", "expected"),
    [
        ("0002", None, ["new"]),
        ("enrol", None, ["enrolled"]),  # matches the status text
        ("", SubjectStatus.SCREENING, ["consented", "new"]),
        ("", SubjectStatus.ENROLLED, ["enrolled"]),
        ("0001", SubjectStatus.ENROLLED, []),
        ("S01", None, ["consented", "new", "enrolled"]),
    ],
)
def test_the_filter_box_and_the_status_combo_narrow_the_table(
    qtbot: QtBot,
    store: StoreSite,
    prepared: Prepared,
    runner: JobRunner,
    text: str,
    status: SubjectStatus | None,
    expected: list[str],
) -> None:
    view = subjects_view(qtbot, login(store), runner)
    qtbot.keyClicks(view.filter_edit, text)
    view.status_combo.setCurrentIndex(view.status_combo.findData(status.value if status else None))
    assert sorted(view.visible_subjects()) == sorted(getattr(prepared, e) for e in expected)
    assert view.count_label.text() == f"{len(expected)} of 3 subjects"


def test_screen_new_subject_registers_one_and_opens_it(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner
) -> None:
    ws = login(store)
    view = subjects_view(qtbot, ws, runner)
    before = set(view.visible_subjects())
    with qtbot.waitSignal(view.subjectOpened, timeout=WAIT_MS) as opened:
        qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    new_id = opened.args[0]
    assert new_id not in before
    assert ws.subjects.get(new_id).status is SubjectStatus.SCREENING
    qtbot.waitUntil(
        lambda: new_id in view.visible_subjects() or bool(view.status.error), timeout=WAIT_MS
    )
    assert not view.status.error


def test_double_click_or_enter_on_a_row_opens_the_subject(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner
) -> None:
    view = subjects_view(qtbot, login(store), runner)
    view.resize(1000, 500)
    view.show()
    qtbot.waitExposed(view)
    index = view.proxy.index(row_of(view, prepared.new), SubjectColumn.STATUS)
    rect = view.table.visualRect(index)
    with qtbot.waitSignal(view.subjectOpened, timeout=WAIT_MS) as opened:
        double_click(qtbot, view.table.viewport(), rect.center())
    assert opened.args == [prepared.new]
    assert view.select_subject(prepared.enrolled)
    with qtbot.waitSignal(view.subjectOpened, timeout=WAIT_MS) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [prepared.enrolled]


@pytest.mark.parametrize(("user", "may"), [(NURSE, True), (MONITOR, False)])
def test_only_roles_that_enter_data_screen_subjects_or_add_visits(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner, user: str, may: bool
) -> None:
    ws = login(store, user)
    subjects = subjects_view(qtbot, ws, runner)
    assert subjects.new_button.isHidden() is not may
    casebook = casebook_view(qtbot, ws, runner, prepared.consented)
    for widget in (
        casebook.add_cycle_button,
        casebook.add_unscheduled_button,
        casebook.status_button,
    ):
        assert widget.isHidden() is not may


# ------------------------------------------------------------------------------ worklist


def test_the_worklist_lists_an_overdue_visit_and_an_incomplete_form(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner
) -> None:
    ws = login(store)
    view = worklist_view(qtbot, ws, runner)
    shown = view.shown_items()
    overdue = [
        i
        for i in shown
        if (i.kind, i.subject_id, i.event_oid)
        == (WorkKind.OVERDUE_VISIT, prepared.consented, "BASE")
    ]
    incomplete = [
        i
        for i in shown
        if (i.kind, i.subject_id, i.form_oid)
        == (WorkKind.FORM_INCOMPLETE, prepared.consented, "DM")
    ]
    assert len(overdue) == len(incomplete) == 1
    kinds = [i.kind for i in shown]
    assert kinds.index(WorkKind.OVERDUE_VISIT) == 0  # overdue visits come first
    index = view.index_of(incomplete[0])
    where = str(index.sibling(index.row(), WorkColumn.WHERE).data())
    scr = ws.study.event("SCR")
    assert scr is not None
    assert scr.name.en in where and ws.study.forms["DM"].title.en in where
    index = view.index_of(overdue[0])
    days = str(index.sibling(index.row(), WorkColumn.DAYS).data())
    assert str((TODAY - CONSENT).days) in days


@pytest.mark.parametrize(
    ("kind", "form", "signal", "args"),
    [
        (WorkKind.FORM_INCOMPLETE, "DM", "formRequested", ["consented", "SCR", 1, "DM"]),
        (WorkKind.OVERDUE_VISIT, None, "subjectOpened", ["consented"]),
    ],
)
def test_double_click_on_a_line_opens_its_target(
    qtbot: QtBot,
    store: StoreSite,
    prepared: Prepared,
    runner: JobRunner,
    kind: WorkKind,
    form: str | None,
    signal: str,
    args: list[object],
) -> None:
    view = worklist_view(qtbot, login(store), runner)
    view.resize(1000, 600)
    view.show()
    item = next(
        i
        for i in view.shown_items()
        if i.kind is kind and i.subject_id == prepared.consented and i.form_oid == form
    )
    index = view.index_of(item)
    view.tree.scrollTo(index)
    rect = view.tree.visualRect(index)
    with qtbot.waitSignal(getattr(view, signal), timeout=WAIT_MS) as emitted:
        double_click(qtbot, view.tree.viewport(), rect.center())
    expected = [getattr(prepared, a) if a == "consented" else a for a in args]
    assert emitted.args == expected


@pytest.mark.parametrize("kind", [WorkKind.FORM_INCOMPLETE, WorkKind.OVERDUE_VISIT])
def test_the_kind_filter_keeps_one_kind(
    qtbot: QtBot, store: StoreSite, runner: JobRunner, kind: WorkKind
) -> None:
    view = worklist_view(qtbot, login(store), runner)
    everything = view.shown_items()
    view.set_kind_filter(kind)
    assert view.shown_items() == [i for i in everything if i.kind is kind]
    assert view.model.rowCount() == 1  # one group
    view.set_kind_filter(None)
    assert view.shown_items() == everything


def test_sorting_the_worklist_keeps_the_groups_in_order(
    qtbot: QtBot, store: StoreSite, runner: JobRunner
) -> None:
    view = worklist_view(qtbot, login(store), runner)
    order = [g.kind for g in view.model.groups]
    view.tree.sortByColumn(WorkColumn.SUBJECT, Qt.SortOrder.DescendingOrder)
    assert [g.kind for g in view.model.groups] == order
    for group in view.model.groups:
        subjects = [row.item.subject_id for row in group.rows]
        assert subjects == sorted(subjects, reverse=True)


# ------------------------------------------------------------------------------ casebook


def grid_index(view: CasebookView, event: str, occurrence: int, form: str) -> QModelIndex:
    grid = view.model.grid
    assert grid is not None
    column = next(
        n for n, c in enumerate(grid.columns) if (c.event_oid, c.occurrence) == (event, occurrence)
    )
    return view.model.index(grid.form_order.index(form), column)


@pytest.mark.parametrize(
    ("event", "occurrence", "form", "state"),
    [
        ("SCR", 1, "IC", CellState.COMPLETE),
        ("SCR", 1, "DM", CellState.IN_PROGRESS),
        ("SCR", 1, "NPCH", CellState.NOT_STARTED),
        ("BASE", 1, "VS", CellState.NOT_STARTED),
    ],
)
def test_the_grid_shows_each_form_in_its_state(
    qtbot: QtBot,
    store: StoreSite,
    prepared: Prepared,
    runner: JobRunner,
    event: str,
    occurrence: int,
    form: str,
    state: CellState,
) -> None:
    view = casebook_view(qtbot, login(store), runner, prepared.consented)
    index = grid_index(view, event, occurrence, form)
    assert str(index.data()).split()[0] == labels.cell_state_abbreviation(state)
    background = index.data(Qt.ItemDataRole.BackgroundRole)
    assert background.color().name() == CELL_COLOURS[state][0]
    assert labels.cell_state_text(state) in str(index.data(Qt.ItemDataRole.ToolTipRole))


def test_a_form_not_in_an_event_is_an_empty_grey_cell_that_cannot_be_chosen(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner
) -> None:
    view = casebook_view(qtbot, login(store), runner, prepared.consented)
    grid = view.model.grid
    assert grid is not None
    scr = next(n for n, c in enumerate(grid.columns) if c.event_oid == "SCR")
    index = view.model.index(grid.form_order.index("EX"), scr)  # EX belongs to the cycles
    assert index.data() is None
    assert not index.flags() & Qt.ItemFlag.ItemIsEnabled


def test_the_header_and_the_columns_speak_the_language(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner
) -> None:
    ws = login(store)
    view = casebook_view(qtbot, ws, runner, prepared.consented, lang="zh")
    assert ws.study.name.zh in view.details.text()
    assert "男" in view.details.text()  # the sex code list's Chinese decode
    grid = view.model.grid
    assert grid is not None
    titles = [
        str(view.model.headerData(n, Qt.Orientation.Horizontal)) for n in range(len(grid.columns))
    ]
    for column, title in zip(grid.columns, titles, strict=True):
        event = ws.study.event(column.event_oid)
        assert event is not None and title.startswith(event.name.zh)
    rows = [
        str(view.model.headerData(n, Qt.Orientation.Vertical)) for n in range(len(grid.form_order))
    ]
    assert rows == [ws.study.forms[f].title.zh for f in grid.form_order]


def test_a_column_header_explains_its_visit(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner
) -> None:
    view = casebook_view(qtbot, login(store), runner, prepared.consented)
    grid = view.model.grid
    assert grid is not None
    cycle = next(n for n, c in enumerate(grid.columns) if c.event_oid == "CYCLE")
    baseline = next(n for n, c in enumerate(grid.columns) if c.event_oid == "BASE")
    # cycles follow each other ('previous'), so the first one has no due date until it happens
    tip = str(view.model.headerData(cycle, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole))
    assert labels.unplanned_text(Unplanned.FIRST_OCCURRENCE) in tip
    assert view.model.headerData(baseline, Qt.Orientation.Horizontal, VISIT_STATE_ROLE) is (
        VisitState.OVERDUE
    )
    assert labels.visit_state_text(VisitState.OVERDUE) in str(
        view.model.headerData(baseline, Qt.Orientation.Horizontal)
    )


def test_enter_on_a_cell_asks_for_that_form(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner
) -> None:
    view = casebook_view(qtbot, login(store), runner, prepared.consented)
    view.grid.setFocus()
    view.grid.setCurrentIndex(grid_index(view, "SCR", 1, "DM"))
    qtbot.keyClick(view.grid, Qt.Key.Key_Down)  # arrows move in the grid
    assert view.grid.currentIndex() == grid_index(view, "SCR", 1, "NPCH")
    with qtbot.waitSignal(view.formRequested, timeout=WAIT_MS) as asked:
        qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    assert asked.args == [prepared.consented, "SCR", 1, "NPCH"]


def test_a_click_on_a_cell_asks_for_that_form(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner
) -> None:
    view = casebook_view(qtbot, login(store), runner, prepared.enrolled)
    index = grid_index(view, "CYCLE", 1, "EX")
    view.grid.scrollTo(index)
    with qtbot.waitSignal(view.formRequested, timeout=WAIT_MS) as asked:
        qtbot.mouseClick(
            view.grid.viewport(),
            Qt.MouseButton.LeftButton,
            pos=view.grid.visualRect(index).center(),
        )
    assert asked.args == [prepared.enrolled, "CYCLE", 1, "EX"]


@pytest.mark.parametrize(
    ("subject", "button", "event", "occurrence"),
    [
        ("enrolled", "add_cycle_button", "CYCLE", 2),  # cycle 1 is dosed
        ("consented", "add_cycle_button", "CYCLE", 1),  # no cycle yet
        ("enrolled", "add_unscheduled_button", "UNS", 1),
    ],
)
def test_add_visit_buttons_ask_for_the_first_form_of_the_next_occurrence(
    qtbot: QtBot,
    store: StoreSite,
    prepared: Prepared,
    runner: JobRunner,
    subject: str,
    button: str,
    event: str,
    occurrence: int,
) -> None:
    ws = login(store)
    subject_id = getattr(prepared, subject)
    view = casebook_view(qtbot, ws, runner, subject_id)
    definition = ws.study.event(event)
    assert definition is not None
    with qtbot.waitSignal(view.formRequested, timeout=WAIT_MS) as asked:
        qtbot.mouseClick(getattr(view, button), Qt.MouseButton.LeftButton)
    assert asked.args == [subject_id, event, occurrence, definition.forms[0]]


def test_the_status_menu_offers_the_allowed_changes_and_records_one_with_its_reason(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner
) -> None:
    ws = login(store)
    view = casebook_view(qtbot, ws, runner, prepared.consented)
    offered = {SubjectStatus(a.data()) for a in view.status_menu.actions()}
    assert offered == TRANSITIONS[SubjectStatus.SCREENING]
    dialog = view.ask_status_change(SubjectStatus.SCREEN_FAILURE)
    assert dialog is not None
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # a screen failure needs a reason
    qtbot.keyClicks(dialog.reason_edit, "Creatinine clearance too low")
    assert ok.isEnabled()
    with qtbot.waitSignal(view.subjectChanged, timeout=WAIT_MS):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    info = ws.subjects.get(prepared.consented)
    assert info.status is SubjectStatus.SCREEN_FAILURE
    assert info.status_reason == "Creatinine clearance too low"
    qtbot.waitUntil(
        lambda: labels.subject_status_text(SubjectStatus.SCREEN_FAILURE) in view.title.text(),
        timeout=WAIT_MS,
    )
    assert view.status_button.isHidden()  # a screen failure is final


def test_an_unknown_subject_is_reported_in_the_view(
    qtbot: QtBot, store: StoreSite, runner: JobRunner
) -> None:
    view = CasebookView(login(store), runner, "en", today=TODAY)
    qtbot.addWidget(view)
    job = view.show_subject("S01-01-9999")
    with qtbot.waitSignal(job.failed, timeout=WAIT_MS):
        pass
    assert "S01-01-9999" in view.status.error
    assert not view.status.is_busy


def test_refresh_after_a_save_shows_the_new_state(
    qtbot: QtBot, store: StoreSite, prepared: Prepared, runner: JobRunner
) -> None:
    ws = login(store)
    view = casebook_view(qtbot, ws, runner, prepared.consented)
    before = grid_index(view, "SCR", 1, "NPCH")
    view.grid.setCurrentIndex(before)
    assert str(before.data()).startswith(labels.cell_state_abbreviation(CellState.NOT_STARTED))
    ws.casebook.save_form(prepared.consented, "SCR", 1, "NPCH", {"DIAGDAT": "2025-11"})
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        view.refresh()
    after = grid_index(view, "SCR", 1, "NPCH")
    assert str(after.data()).startswith(labels.cell_state_abbreviation(CellState.IN_PROGRESS))
    assert view.grid.currentIndex() == after  # the nurse stays where she was
    assert after.data(TARGET_ROLE).form_oid == "NPCH"


# ------------------------------------------------------------------------------ dependencies


class _Emitter(QObject):
    happened = Signal()


@pytest.mark.xfail(
    PySide6.__version__ == "6.12.0" and sys.version_info < (3, 12),
    reason="PySide6 6.12.0 bug: every Signal.emit() drops a reference to True (Python < 3.12 "
    "has no immortal True), so a long session dies with 'bool_dealloc: deallocating True'; "
    "6.11.3 is fine — exclude 6.12.0 in pyproject.toml",
    strict=True,
)
def test_emitting_a_signal_keeps_the_reference_count_of_true(qtbot: QtBot) -> None:
    emitter = _Emitter()
    before = sys.getrefcount(True)
    for _ in range(50):
        emitter.happened.emit()
    assert sys.getrefcount(True) >= before - 5  # other code may drop a few meanwhile
