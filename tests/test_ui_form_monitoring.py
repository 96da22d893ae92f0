"""Monitoring on the form page, used as people would: the monitor, the nurse, the investigator.

Each test opens a :class:`FormPage` on a copy of the monitoring site
(``tests/monitoring_helpers.py``: subject A with consent, demographics, prior
therapy in a repeating group and two treatment cycles, cycle 2 with a kept soft
warning and so a failed-check query; subject B with consent and one cycle),
clicks and types with ``qtbot``, answers the dialogs that appear, and checks
the store through the services. Set ``NPC_CRF_SHOTS`` to keep the screenshots
elsewhere than ``/tmp/form-monitoring-shots``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QMenu,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)
from pytestqt.qtbot import QtBot

from npc_crf.auth.roles import Role
from npc_crf.forms.session import ItemPath
from npc_crf.services.casebook import FormStatus
from npc_crf.services.monitoring.hold_model import Target
from npc_crf.services.monitoring.query_model import QueryKind, QueryStatus
from npc_crf.services.monitoring.sdv_items import SdvState
from npc_crf.services.workspace import Workspace
from npc_crf.ui.app import guard_singleton_refcounts
from npc_crf.ui.form_monitoring import Marks
from npc_crf.ui.form_page import FormPage
from npc_crf.ui.i18n import install_language
from npc_crf.ui.query_raise import RaiseQueryDialog
from npc_crf.ui.query_thread import QueryThreadDialog
from npc_crf.ui.sign_dialog import SignDialog
from npc_crf.ui.worker import JobRunner
from tests.monitoring_helpers import (
    ADMIN,
    DOCTOR,
    MONITOR,
    NURSE,
    MonitoringSite,
    build_monitoring_site,
)
from tests.store_helpers import PASSWORDS, StoreSite
from tests.ui_nurse import (
    click_box_button,
    give_reason,
    go_to,
    on_next_dialog,
    open_page,
    press,
    view_of,
)

guard_singleton_refcounts()  # PySide6 6.12.0 on Python 3.11 (see npc_crf/ui/app.py)

LEFT = Qt.MouseButton.LeftButton
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
SHOTS = Path(os.environ.get("NPC_CRF_SHOTS") or "/tmp/form-monitoring-shots")  # noqa: S108 - asked for


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> MonitoringSite:
    return build_monitoring_site(tmp_path_factory.mktemp("monitoring"))


@pytest.fixture
def store(built: MonitoringSite, tmp_path: Path) -> Iterator[StoreSite]:
    site = built.copy(tmp_path / "site")
    yield site
    site.close()


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[JobRunner]:
    jobs = JobRunner()
    yield jobs
    jobs.wait(10000)


def settled(qtbot: QtBot, page: FormPage) -> None:
    """Wait until the page's load and every monitoring action (and re-read) are done."""
    qtbot.waitUntil(
        lambda: not page.busy and not page.monitoring.busy and page.view is not None,
        timeout=10000,
    )


def open_form(
    qtbot: QtBot,
    ws: Workspace,
    runner: JobRunner,
    sid: str,
    event: str,
    form: str,
    occurrence: int = 1,
    lang: str = "en",
) -> FormPage:
    page = open_page(qtbot, ws, runner, sid, event, form, occurrence=occurrence, lang=lang)
    settled(qtbot, page)
    return page


def marks_of(page: FormPage, item: str) -> Marks:
    marks = page.monitoring.marks.get(ItemPath(item))
    assert marks is not None, f"{item} has no monitoring marks"
    return marks


def cell_at(grid: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    cell = grid.item(row, column)
    assert cell is not None, f"no cell at {row}, {column}"
    return cell


def pending(ws: Workspace, sid: str, event: str, form: str, occurrence: int = 1) -> set[str]:
    status = ws.sdv.form_status(sid, event, occurrence, form)
    return {i.item_path for i in status.items if i.state is SdvState.PENDING}


def type_query(
    qtbot: QtBot, text: str, check: Callable[[RaiseQueryDialog], None] | None = None
) -> list[QWidget]:
    """Answer the next RaiseQueryDialog: type ``text``, press Ctrl+Enter."""

    def act(widget: QWidget) -> None:
        assert isinstance(widget, RaiseQueryDialog), f"expected the raise dialog, got {widget!r}"
        if check is not None:
            check(widget)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is widget.text, timeout=5000)
        qtbot.keyClicks(widget.text, text)
        qtbot.keyClick(widget.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    return on_next_dialog(act)


def close_thread(seen: list[QWidget]) -> Callable[[QWidget], None]:
    def act(widget: QWidget) -> None:
        assert isinstance(widget, QueryThreadDialog), f"expected a query thread, got {widget!r}"
        seen.append(widget)
        widget.reject()

    return act


def shoot(qtbot: QtBot, page: QWidget, name: str) -> Path:
    qtbot.wait(50)  # laid out and painted as a person would see it
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    assert page.grab().save(str(path))
    assert path.stat().st_size > 5000
    return path


# -- the monitor: SDV ----------------------------------------------------------------------------


def test_the_monitor_ticks_sdv_on_items_and_verifies_the_whole_form(
    qtbot: QtBot, store: StoreSite, runner: JobRunner, built: MonitoringSite
) -> None:
    monitor = store.login(MONITOR)
    page = open_form(qtbot, monitor, runner, built.a, "SCR", "IC")
    bar = page.monitoring.bar
    assert page.read_only
    total = len(pending(monitor, built.a, "SCR", "IC"))
    assert total >= 6
    assert bar.sdv_label.text() == f"SDV: 0 of {total} verified"
    box = marks_of(page, "ICDAT").sdv
    assert box.isVisible() and box.isEnabled()
    assert box.checkState() == Qt.CheckState.Unchecked

    qtbot.mouseClick(box, LEFT)  # ticked: verified in the store
    settled(qtbot, page)
    assert "ICDAT" not in pending(monitor, built.a, "SCR", "IC")
    assert box.checkState() == Qt.CheckState.Checked
    assert bar.sdv_label.text() == f"SDV: 1 of {total} verified"
    assert "Verified" in page.message.text()

    asked = on_next_dialog(give_reason("Checked the wrong visit's notes"))
    qtbot.mouseClick(box, LEFT)  # unticked: asks why, then takes it back
    settled(qtbot, page)
    assert len(asked) == 1
    assert "ICDAT" in pending(monitor, built.a, "SCR", "IC")
    assert box.checkState() == Qt.CheckState.Unchecked
    unverified = [
        e for e in monitor.audit.history(subject_id=built.a) if e.action == "sdv_unverified"
    ]
    assert [e.reason for e in unverified] == ["Checked the wrong visit's notes"]

    go_to(page, "ICVER")  # the keyboard: Ctrl+Shift+V on the current item
    press(qtbot, Qt.Key.Key_V, CTRL_SHIFT)
    settled(qtbot, page)
    assert "ICVER" not in pending(monitor, built.a, "SCR", "IC")

    radio = view_of(page).editors[ItemPath("ICYN")].inputs()[0]  # read only: disabled
    assert not radio.isEnabled()

    def tick(widget: QWidget) -> None:
        assert isinstance(widget, QMenu)
        [action] = [a for a in widget.actions() if a.objectName() == "sdv_toggle"]
        assert action.isCheckable() and not action.isChecked()
        widget.close()
        action.trigger()

    on_next_dialog(tick, popup=True)
    centre = radio.rect().center()
    QApplication.sendEvent(
        radio,
        QContextMenuEvent(QContextMenuEvent.Reason.Mouse, centre, radio.mapToGlobal(centre)),
    )  # the item's context menu, from its row
    settled(qtbot, page)
    assert "ICYN" not in pending(monitor, built.a, "SCR", "IC")

    bar.only_pending.click()  # only what is left to verify (and what was verified since)
    view = view_of(page)
    assert view.rows[ItemPath("ICVER")].isHidden()
    assert not view.rows[ItemPath("ICDAT")].isHidden()
    bar.only_pending.click()
    assert not view.rows[ItemPath("ICVER")].isHidden()

    confirmed = on_next_dialog(click_box_button(QMessageBox.StandardButton.Yes))
    qtbot.mouseClick(bar.verify_all, LEFT)
    settled(qtbot, page)
    assert len(confirmed) == 1
    assert pending(monitor, built.a, "SCR", "IC") == set()
    assert bar.sdv_label.text() == f"SDV: {total} of {total} verified"
    assert not bar.verify_all.isEnabled()
    assert all(
        s.sdv.checkState() == Qt.CheckState.Checked
        for s in page.monitoring.marks.values()
        if s.sdv.isVisibleTo(page)
    )


def test_sdv_in_a_repeating_group_is_per_cell_and_for_the_whole_table(
    qtbot: QtBot, store: StoreSite, runner: JobRunner, built: MonitoringSite
) -> None:
    monitor = store.login(MONITOR)
    page = open_form(qtbot, monitor, runner, built.a, "SCR", "PRIOR")
    grid = view_of(page).tables["LINE"].grid
    column = next(
        n for n, c in enumerate(view_of(page).tables["LINE"].columns) if c.oid == "PRPLAT"
    )
    cell = cell_at(grid, 0, column)
    assert cell is not None and cell.checkState() == Qt.CheckState.Unchecked
    grid.setCurrentCell(0, column)
    grid.setFocus()
    press(qtbot, Qt.Key.Key_Space)  # a cell's box, by keyboard
    settled(qtbot, page)
    assert "LINE[1].PRPLAT" not in pending(monitor, built.a, "SCR", "PRIOR")
    assert cell_at(grid, 0, column).checkState() == Qt.CheckState.Checked

    table_box = marks_of(page, "LINE").sdv
    assert table_box.checkState() == Qt.CheckState.PartiallyChecked
    qtbot.mouseClick(table_box, LEFT)
    settled(qtbot, page)
    assert not {p for p in pending(monitor, built.a, "SCR", "PRIOR") if p.startswith("LINE[")}
    assert table_box.checkState() == Qt.CheckState.Checked


# -- raising queries ----------------------------------------------------------------------------


def test_the_monitor_raises_a_query_from_an_item_with_the_keyboard(
    qtbot: QtBot, store: StoreSite, runner: JobRunner, built: MonitoringSite
) -> None:
    monitor = store.login(MONITOR)
    page = open_form(qtbot, monitor, runner, built.a, "SCR", "IC")
    assert not marks_of(page, "ICVER").marker.isVisibleTo(page)

    def check(dialog: RaiseQueryDialog) -> None:
        assert dialog.kind() is QueryKind.MANUAL and dialog.assigned() is Role.CRC
        assert dialog.about.text().endswith("Informed consent · ICF version number")

    go_to(page, "ICVER")
    seen = type_query(qtbot, "Version 2.0 does not match the signed copy in the binder", check)
    press(qtbot, Qt.Key.Key_Q, CTRL_SHIFT)
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    settled(qtbot, page)
    [query] = [q for q in monitor.queries.list(subject_id=built.a) if q.item_path == "ICVER"]
    assert query.kind is QueryKind.MANUAL and query.status is QueryStatus.NEW
    assert query.assigned_role is Role.CRC and query.form_oid == "IC"
    marker = marks_of(page, "ICVER").marker
    assert marker.isVisible() and marker.text() == "Q1" and marker.urgency == 2
    assert "does not match" in marker.toolTip()
    assert page.monitoring.bar.queries_button.text() == "1 open query"


def test_a_query_on_a_table_cell_from_its_context_menu(
    qtbot: QtBot, store: StoreSite, runner: JobRunner, built: MonitoringSite
) -> None:
    monitor = store.login(MONITOR)
    page = open_form(qtbot, monitor, runner, built.a, "SCR", "PRIOR")
    table = view_of(page).tables["LINE"]
    column = next(n for n, c in enumerate(table.columns) if c.oid == "PRREG")
    rect = table.grid.visualItemRect(cell_at(table.grid, 1, column))
    viewport = table.grid.viewport()

    def pick(widget: QWidget) -> None:
        assert isinstance(widget, QMenu)
        [action] = [a for a in widget.actions() if a.objectName() == "raise_query"]
        assert action.isEnabled()
        widget.close()
        action.trigger()

    on_next_dialog(pick, popup=True)
    seen = type_query(qtbot, "Which capecitabine dose?")
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, rect.center(), viewport.mapToGlobal(rect.center())
    )
    QApplication.sendEvent(viewport, event)
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    settled(qtbot, page)
    [query] = [q for q in monitor.queries.list(subject_id=built.a) if q.form_oid == "PRIOR"]
    assert query.item_path == "LINE[2].PRREG" and query.row_uid
    assert not cell_at(table.grid, 1, column).icon().isNull()  # the cell's dot
    marker = marks_of(page, "LINE").marker
    assert marker.isVisible() and marker.text() == "Q1"


# -- the nurse: markers and threads -----------------------------------------------------------------


def test_a_cells_marker_follows_its_row_when_a_row_above_is_removed(
    qtbot: QtBot, store: StoreSite, runner: JobRunner, built: MonitoringSite
) -> None:
    monitor = store.login(MONITOR)
    monitor.queries.raise_query(
        built.a,
        "Which capecitabine dose?",
        event_oid="SCR",
        occurrence=1,
        form_oid="PRIOR",
        item_path="LINE[2].PRREG",
    )
    nurse = store.login(NURSE)
    page = open_form(qtbot, nurse, runner, built.a, "SCR", "PRIOR")
    table = view_of(page).tables["LINE"]
    column = next(n for n, c in enumerate(table.columns) if c.oid == "PRREG")
    assert not cell_at(table.grid, 1, column).icon().isNull()
    assert cell_at(table.grid, 0, column).icon().isNull()
    assert view_of(page).focus_path(ItemPath("PRLINE", "LINE", 1))
    confirmed = on_next_dialog(click_box_button(QMessageBox.StandardButton.Yes))
    press(qtbot, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)  # remove row 1
    assert len(confirmed) == 1 and table.grid.rowCount() == 1
    assert not cell_at(table.grid, 0, column).icon().isNull()  # the query's row moved up
    assert page.monitoring.queries_at(ItemPath("PRREG", "LINE", 1))


def test_the_nurse_sees_markers_and_opens_the_threads(
    qtbot: QtBot, store: StoreSite, runner: JobRunner, built: MonitoringSite
) -> None:
    monitor = store.login(MONITOR)
    first = monitor.queries.raise_query(
        built.a,
        "Please check the consent time",
        event_oid="SCR",
        occurrence=1,
        form_oid="IC",
        item_path="ICTIM",
    )
    nurse = store.login(NURSE)
    page = open_form(qtbot, nurse, runner, built.a, "SCR", "IC")
    marker = marks_of(page, "ICTIM").marker
    assert marker.isVisible() and marker.text() == "Q1" and marker.urgency == 2
    assert "Please check the consent time" in marker.toolTip()
    assert "Mo Monitor" in marker.toolTip()

    seen: list[QWidget] = []
    on_next_dialog(close_thread(seen))
    qtbot.mouseClick(marker, LEFT)  # one query: its thread at once
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    assert isinstance(seen[0], QueryThreadDialog) and seen[0].query_uid == first.uid
    settled(qtbot, page)

    nurse.queries.propose(first.uid, "Checked: 09:30 is right")
    nurse.queries.raise_query(
        built.a,
        "The subject signed in the ward",
        event_oid="SCR",
        occurrence=1,
        form_oid="IC",
        item_path="ICTIM",
        kind=QueryKind.ANNOTATION,
        assign=None,
    )
    page.monitoring.refresh()
    settled(qtbot, page)
    assert marker.text() == "Q2" and marker.urgency == 1  # resolution proposed: amber
    assert "The subject signed in the ward" in marker.toolTip()  # the latest message

    def choose_first(widget: QWidget) -> None:
        assert isinstance(widget, QMenu) and widget.objectName() == "query_chooser"
        assert len(widget.actions()) == 2
        action = widget.actions()[0]
        widget.close()
        action.trigger()

    on_next_dialog(choose_first, popup=True)
    on_next_dialog(close_thread(seen))
    go_to(page, "ICTIM")
    press(qtbot, Qt.Key.Key_F3)  # several: a small chooser first
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    assert isinstance(seen[1], QueryThreadDialog) and seen[1].query_uid == first.uid
    settled(qtbot, page)


def test_the_nurse_writes_a_note_from_the_items_context_menu_and_the_header_opens_queries(
    qtbot: QtBot, store: StoreSite, runner: JobRunner, built: MonitoringSite
) -> None:
    nurse = store.login(NURSE)
    page = open_form(qtbot, nurse, runner, built.a, "CYCLE", "EX", occurrence=2)
    marker = marks_of(page, "EXSTDAT").marker
    assert marker.isVisible() and marker.text() == "Q1"  # the failed-check query of the save
    bar = page.monitoring.bar
    assert bar.queries_button.isVisible() and bar.queries_button.text() == "1 open query"

    edit = view_of(page).editors[ItemPath("EXSTTIM")].inputs()[0]
    assert isinstance(edit, QLineEdit)

    def pick(widget: QWidget) -> None:
        assert isinstance(widget, QMenu)
        names = [a.objectName() for a in widget.actions()]
        assert "raise_query" in names and "show_queries" in names
        assert "sdv_toggle" not in names  # the nurse does no SDV
        [action] = [a for a in widget.actions() if a.objectName() == "raise_query"]
        assert action.text() == "Write a note…"
        widget.close()
        action.trigger()

    def a_note(dialog: RaiseQueryDialog) -> None:
        assert dialog.kind() is QueryKind.ANNOTATION  # the nurse writes notes, asks nothing

    on_next_dialog(pick, popup=True)
    seen = type_query(qtbot, "Infusion started late: pump alarm", a_note)
    QApplication.sendEvent(
        edit,
        QContextMenuEvent(
            QContextMenuEvent.Reason.Keyboard, QPoint(5, 5), edit.mapToGlobal(QPoint(5, 5))
        ),
    )
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    settled(qtbot, page)
    [note] = [q for q in nurse.queries.list(subject_id=built.a) if q.item_path == "EXSTTIM"]
    assert note.kind is QueryKind.ANNOTATION and note.status is QueryStatus.NOT_APPLICABLE
    assert marks_of(page, "EXSTTIM").marker.urgency == 0
    assert bar.queries_button.text() == "1 open query"  # a note is nothing to answer

    threads: list[QWidget] = []
    on_next_dialog(close_thread(threads))
    qtbot.mouseClick(bar.queries_button, LEFT)  # the form's first open query
    qtbot.waitUntil(lambda: len(threads) == 1, timeout=5000)
    [failed] = [
        q for q in nurse.queries.list(subject_id=built.a) if q.kind is QueryKind.FAILED_CHECK
    ]
    assert isinstance(threads[0], QueryThreadDialog) and threads[0].query_uid == failed.uid
    settled(qtbot, page)


def test_focus_item_scrolls_to_an_item_or_a_cell(
    qtbot: QtBot, store: StoreSite, runner: JobRunner, built: MonitoringSite
) -> None:
    nurse = store.login(NURSE)
    page = FormPage(nurse, runner, built.a, "SCR", 1, "PRIOR")
    qtbot.addWidget(page)
    page.resize(1000, 500)
    page.show()
    assert page.focus_item("LINE[2].PRREG")  # before the form is on show: remembered
    settled(qtbot, page)
    table = view_of(page).tables["LINE"]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is table.grid, timeout=5000)
    assert table.current_path() == ItemPath("PRREG", "LINE", 2)
    assert page.focus_item("PRNLINE")
    assert view_of(page).focused_path() == ItemPath("PRNLINE")
    assert not page.focus_item("NOSUCHITEM")


def test_the_queries_page_puts_the_cursor_in_the_item_once_the_form_is_loaded(
    qtbot: QtBot, store: StoreSite, runner: JobRunner, built: MonitoringSite
) -> None:
    from npc_crf.ui.queries_view import focus_item_when_loaded

    nurse = store.login(NURSE)
    page = FormPage(nurse, runner, built.a, "CYCLE", 2, "EX")
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    page.activateWindow()
    assert focus_item_when_loaded(page, "EXDOSE")
    settled(qtbot, page)
    qtbot.wait(50)  # the page's own first focus comes on the next turn: it must not win
    assert view_of(page).focused_path() == ItemPath("EXDOSE")


# -- the investigator: signing ------------------------------------------------------------------------


def sign_in_dialog(
    qtbot: QtBot, *, user_id: str | None, password: str, seen: list[SignDialog]
) -> list[QWidget]:
    def act(widget: QWidget) -> None:
        assert isinstance(widget, SignDialog), f"expected the sign dialog, got {widget!r}"
        seen.append(widget)
        widget.meaning_box.setCurrentIndex(widget.meaning_box.findData("REVIEW"))
        if user_id is None:
            assert not widget.needs_user_id and not widget.user_edit.isVisibleTo(widget)
        else:
            assert widget.needs_user_id and widget.user_edit.isVisibleTo(widget)
            qtbot.keyClicks(widget.user_edit, user_id)
        qtbot.keyClicks(widget.password_edit, password)
        qtbot.mouseClick(widget.sign_button, LEFT)

    return on_next_dialog(act)


def test_the_investigator_signs_from_the_form_page(
    qtbot: QtBot, store: StoreSite, runner: JobRunner, built: MonitoringSite
) -> None:
    doctor = store.login(DOCTOR)
    page = open_form(qtbot, doctor, runner, built.a, "CYCLE", "EX", occurrence=1)
    bar = page.monitoring.bar
    assert page.status() is FormStatus.COMPLETE
    assert bar.sign_button.isVisible() and bar.sign_button.isEnabled()
    assert not bar.signatures.isVisible()

    seen: list[SignDialog] = []
    sign_in_dialog(qtbot, user_id=DOCTOR, password=PASSWORDS[DOCTOR], seen=seen)
    qtbot.mouseClick(bar.sign_button, LEFT)  # the first signature: user ID and password
    qtbot.waitUntil(lambda: page.status() is FormStatus.SIGNED, timeout=10000)
    settled(qtbot, page)
    assert len(seen) == 1
    assert bar.signatures.isVisible()
    text = bar.signatures.text()
    assert "Electronically signed by Dai Doctor (doctor) on " in text
    assert " UTC. Meaning: I have reviewed these data" in text
    assert not bar.sign_button.isVisible()
    assert page.status_chip.text() == "Signed"

    page.close()
    later = open_form(qtbot, doctor, runner, built.a, "CYCLE", "EX", occurrence=2)
    sign_in_dialog(qtbot, user_id=None, password=PASSWORDS[DOCTOR], seen=seen)
    qtbot.mouseClick(later.monitoring.bar.sign_button, LEFT)  # later: the password only
    qtbot.waitUntil(lambda: later.status() is FormStatus.SIGNED, timeout=10000)
    settled(qtbot, later)
    assert len(seen) == 2
    assert "Dai Doctor" in later.monitoring.bar.signatures.text()
    [mine] = doctor.signatures.manifestations(built.a, "CYCLE", 2, "EX")
    assert mine.meaning == "REVIEW" and mine.username == DOCTOR


def test_a_wrong_password_keeps_the_sign_dialog_open(
    qtbot: QtBot, store: StoreSite, runner: JobRunner, built: MonitoringSite
) -> None:
    doctor = store.login(DOCTOR)
    page = open_form(qtbot, doctor, runner, built.a, "CYCLE", "EX", occurrence=1)
    tries: list[str] = []

    def act(widget: QWidget) -> None:
        assert isinstance(widget, SignDialog)
        widget.meaning_box.setCurrentIndex(widget.meaning_box.findData("REVIEW"))
        qtbot.keyClicks(widget.user_edit, DOCTOR)
        qtbot.keyClicks(widget.password_edit, "not my password")
        qtbot.mouseClick(widget.sign_button, LEFT)
        qtbot.waitUntil(lambda: widget.error.isVisible(), timeout=10000)
        tries.append(widget.error.text())
        widget.reject()

    on_next_dialog(act)
    qtbot.mouseClick(page.monitoring.bar.sign_button, LEFT)
    qtbot.waitUntil(lambda: len(tries) == 1, timeout=10000)
    settled(qtbot, page)
    assert "was not signed" in tries[0]
    assert page.status() is FormStatus.COMPLETE
    assert page.monitoring.bar.sign_button.isEnabled()


# -- freezes and locks -----------------------------------------------------------------------------------


def test_a_frozen_subject_is_read_only_but_queries_and_sdv_go_on(
    qtbot: QtBot, store: StoreSite, runner: JobRunner, built: MonitoringSite
) -> None:
    admin = store.login(ADMIN)
    admin.holds.freeze(Target.subject(built.b), "Interim analysis data cut")
    nurse = store.login(NURSE)
    page = open_form(qtbot, nurse, runner, built.b, "SCR", "IC")
    bar = page.monitoring.bar
    assert page.read_only and view_of(page).read_only
    assert not page.save_button.isVisibleTo(page)
    assert bar.hold_banner.isVisible()
    banner = bar.hold_banner.text()
    assert "Frozen (subject " in banner and "by admin" in banner
    assert "Interim analysis data cut" in banner
    assert "queries, SDV and signing go on" in banner
    assert "read only: frozen" in page.info.text()

    go_to(page, "ICVER")
    seen = type_query(qtbot, "Consent version confirmed with the ethics approval")
    press(qtbot, Qt.Key.Key_Q, CTRL_SHIFT)
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    settled(qtbot, page)
    assert [q.item_path for q in nurse.queries.list(subject_id=built.b)] == ["ICVER"]
    page.close()

    monitor = store.login(MONITOR)
    watched = open_form(qtbot, monitor, runner, built.b, "SCR", "IC")
    box = marks_of(watched, "ICDAT").sdv
    assert box.isEnabled()
    qtbot.mouseClick(box, LEFT)
    settled(qtbot, watched)
    assert "ICDAT" not in pending(monitor, built.b, "SCR", "IC")


def test_a_locked_subject_disables_everything(
    qtbot: QtBot, store: StoreSite, runner: JobRunner, built: MonitoringSite
) -> None:
    admin = store.login(ADMIN)
    admin.holds.lock(Target.subject(built.b), "Database lock for the final analysis")
    monitor = store.login(MONITOR)
    page = open_form(qtbot, monitor, runner, built.b, "SCR", "IC")
    bar = page.monitoring.bar
    assert bar.hold_banner.isVisible() and "Locked (subject " in bar.hold_banner.text()
    assert "Nothing can be changed" in bar.hold_banner.text()
    box = marks_of(page, "ICDAT").sdv
    assert not box.isEnabled()
    assert not bar.verify_all.isEnabled()
    assert not bar.raise_button.isEnabled()
    menu = page.monitoring.menu_for(ItemPath("ICVER"))
    assert menu is not None
    actions = {a.objectName(): a for a in menu.actions()}
    assert not actions["raise_query"].isEnabled() and not actions["sdv_toggle"].isEnabled()

    go_to(page, "ICVER")
    press(qtbot, Qt.Key.Key_Q, CTRL_SHIFT)  # refused at once, no dialog
    assert QApplication.activeModalWidget() is None
    assert "locked" in page.message.text()
    press(qtbot, Qt.Key.Key_V, CTRL_SHIFT)
    settled(qtbot, page)
    assert "ICDAT" in pending(monitor, built.b, "SCR", "IC")
    assert monitor.queries.list(subject_id=built.b) == []

    page.close()
    doctor = store.login(DOCTOR)
    signing = open_form(qtbot, doctor, runner, built.b, "CYCLE", "EX")
    assert signing.read_only
    assert not signing.monitoring.bar.sign_button.isEnabled()


# -- how it looks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_screenshots_of_monitoring_on_the_form_page(
    qtbot: QtBot, store: StoreSite, runner: JobRunner, built: MonitoringSite, lang: str
) -> None:
    """The monitor's SDV boxes and markers, a group, a signed header with a voided
    signature, a frozen page, a narrow window; written to /tmp/form-monitoring-shots/."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_language(app, lang)
    try:
        take_screenshots(qtbot, store, runner, built, lang)
    finally:
        install_language(app, "en")


def take_screenshots(
    qtbot: QtBot, store: StoreSite, runner: JobRunner, built: MonitoringSite, lang: str
) -> None:
    monitor = store.login(MONITOR)
    monitor.queries.raise_query(
        built.a,
        "Please check the consent time against the ward notes",
        event_oid="SCR",
        occurrence=1,
        form_oid="IC",
        item_path="ICTIM",
    )
    monitor.queries.raise_query(
        built.a,
        "Which dose?",
        event_oid="SCR",
        occurrence=1,
        form_oid="PRIOR",
        item_path="LINE[2].PRREG",
    )
    monitor.sdv.verify(built.a, "SCR", 1, "IC", items=["ICDAT", "ICYN"])
    page = open_form(qtbot, monitor, runner, built.a, "SCR", "IC", lang=lang)
    shoot(qtbot, page, f"{lang}-monitor-IC")
    dialog = RaiseQueryDialog(
        monitor,
        lang,
        built.a,
        event_oid="SCR",
        occurrence=1,
        form_oid="IC",
        item_path="ICVER",
        item_label=view_of(page).describe(ItemPath("ICVER")),
        parent=page,
    )
    dialog.text.setPlainText("Version 2.0 does not match the signed copy in the binder")
    dialog.show()
    shoot(qtbot, dialog, f"{lang}-raise-query-dialog")
    dialog.close()
    page.close()
    page = open_form(qtbot, monitor, runner, built.a, "SCR", "PRIOR", lang=lang)
    shoot(qtbot, page, f"{lang}-monitor-PRIOR")
    page.resize(760, 700)  # a small screen, or the window beside the source documents
    shoot(qtbot, page, f"{lang}-monitor-PRIOR-narrow")
    page.close()

    doctor = store.login(DOCTOR)
    doctor.signatures.sign_form(
        built.a, "CYCLE", 1, "EX", meaning="REVIEW", password=PASSWORDS[DOCTOR], user_id=DOCTOR
    )
    nurse = store.login(NURSE)
    nurse.casebook.save_form(
        built.a,
        "CYCLE",
        1,
        "EX",
        {"EXDOSE": "190.0"},
        reason="Transcription error",
        complete=True,
    )
    doctor.signatures.sign_form(
        built.a, "CYCLE", 1, "EX", meaning="APPROVE", password=PASSWORDS[DOCTOR]
    )
    page = open_form(qtbot, doctor, runner, built.a, "CYCLE", "EX", lang=lang)
    bar = page.monitoring.bar
    assert bar.signatures.isVisible() and bar.voided_button.isVisible()
    bar.voided_button.click()
    assert bar.voided.isVisible() and "Transcription error" in bar.voided.text()
    shoot(qtbot, page, f"{lang}-investigator-signed")
    page.close()

    admin = store.login(ADMIN)
    admin.holds.freeze(Target.subject(built.b), "Interim analysis data cut")
    page = open_form(qtbot, nurse, runner, built.b, "SCR", "IC", lang=lang)
    shoot(qtbot, page, f"{lang}-nurse-frozen")
    page.close()
