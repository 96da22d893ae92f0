"""The Queries page and the query thread, used the way a monitor and a nurse would.

The monitoring site (``tests/monitoring_helpers.py``) is made once per module and copied
for each test: subject A's cycle 2 start date was kept with a soft warning, so a
failed-check query waits for the monitor; the tests raise manual queries as needed.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from npc_crf.auth.roles import Role
from npc_crf.services.monitoring.holds import Target
from npc_crf.services.monitoring.query_model import QueryAction, QueryKind, QueryStatus
from npc_crf.services.worklist import WorkKind
from npc_crf.services.workspace import Workspace
from npc_crf.ui.app import Shell
from npc_crf.ui.queries_model import QueryColumn, excerpt
from npc_crf.ui.queries_view import QueriesView, focus_item_when_loaded
from npc_crf.ui.query_thread import QueryThreadDialog, QueryThreadWidget
from npc_crf.ui.worker import JobRunner
from tests.monitoring_helpers import (
    ADMIN,
    MONITOR,
    NURSE,
    OVERRIDE_REASON,
    MonitoringSite,
    build_monitoring_site,
    logged_in,
)
from tests.store_helpers import StoreSite
from tests.ui_shell import idle, shells_in
from tests.ui_shell import logged_in as shell_logged_in

WAIT_MS = 10_000
LEFT = Qt.MouseButton.LeftButton
A = QueryAction
QS = QueryStatus


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> MonitoringSite:
    return build_monitoring_site(tmp_path_factory.mktemp("ui-queries"))


@pytest.fixture
def site(built: MonitoringSite, tmp_path: Path) -> Iterator[StoreSite]:
    store = built.copy(tmp_path / "site")
    yield store
    store.close()


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[JobRunner]:
    jobs = JobRunner()
    yield jobs
    jobs.wait()


def queries_view(qtbot: QtBot, ws: Workspace, runner: JobRunner) -> QueriesView:
    view = QueriesView(ws, runner, "en")
    qtbot.addWidget(view)
    view.resize(1040, 700)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        view.refresh()
    return view


def reloaded(qtbot: QtBot, view: QueriesView, change: Callable[[], object]) -> None:
    """Change a filter (or take a step) and wait for the table to be filled again."""
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        change()


def failed_check_uid(ws: Workspace) -> str:
    (query,) = ws.queries.list(kind=QueryKind.FAILED_CHECK)
    return query.uid


def raise_dose_query(site: StoreSite, subject_id: str, assign: Role = Role.CRC) -> str:
    """A monitor's question about subject's cycle 2 dose; its uid."""
    with logged_in(site, MONITOR) as ws:
        query = ws.queries.raise_query(
            subject_id,
            "Please check the dose against the pharmacy record",
            event_oid="CYCLE",
            occurrence=2,
            form_oid="EX",
            item_path="EXDOSE",
            assign=assign,
        )
    return query.uid


def take_step(qtbot: QtBot, thread: QueryThreadWidget, action: QueryAction, text: str) -> None:
    """Type a message and press the step's button; wait until the service answered."""
    thread.text.setFocus()
    thread.text.clear()
    qtbot.keyClicks(thread.text, text)
    assert thread.can(action), thread.buttons[action].toolTip()
    with qtbot.waitSignal(thread.changed, timeout=WAIT_MS):
        qtbot.mouseClick(thread.buttons[action], LEFT)


def attempt(qtbot: QtBot, thread: QueryThreadWidget, action: QueryAction) -> None:
    """Ask for a step whatever the buttons say (as a stale screen would); wait for the answer."""
    job = thread.act(action)
    assert job is not None
    qtbot.waitUntil(lambda: job.done and not thread.busy, timeout=WAIT_MS)


def double_click(qtbot: QtBot, view: QAbstractItemView, index: QModelIndex) -> None:
    """What a person's double-click on a line sends: a click, then the double-click."""
    pos: QPoint = view.visualRect(index).center()
    qtbot.mouseClick(view.viewport(), LEFT, pos=pos)
    qtbot.mouseDClick(view.viewport(), LEFT, pos=pos)


# ------------------------------------------------------------------------------ monitor


def test_the_monitor_sees_the_failed_check_query_waiting_and_closes_it(
    qtbot: QtBot, site: StoreSite, built: MonitoringSite, runner: JobRunner
) -> None:
    ws = site.login(MONITOR)
    view = queries_view(qtbot, ws, runner)
    assert view.waiting_check.isChecked()  # "waiting for me" is where a monitor starts
    (query,) = view.shown_queries()
    assert (query.kind, query.status, query.subject_id) == (
        QueryKind.FAILED_CHECK,
        QS.NEW,
        built.a,
    )
    cells = [view.proxy.index(0, c).data() for c in QueryColumn]
    assert cells[QueryColumn.ABOUT] == (
        "Treatment cycle 2 · Sintilimab administration · Date of administration"
    )
    assert cells[QueryColumn.KIND : QueryColumn.AGE + 1] == ["Failed check", "New", "monitor", "0"]
    assert cells[QueryColumn.LAST].startswith("Less than 18 days since the previous dose / ")

    thread = view.thread_view  # the first query is chosen, its thread shown below
    assert thread.query is not None and thread.query.uid == query.uid
    assert thread.heading.text() == (
        f"{built.a} · Treatment cycle 2 · Sintilimab administration · Date of administration"
    )
    assert thread.status_chip.text() == "New"
    assert "Nora Nurse, research nurse (CRC)" in thread.thread_text()
    assert "UTC)" in thread.thread_text() and "status → New" in thread.thread_text()
    assert OVERRIDE_REASON in thread.thread_text()
    assert [thread.can(a) for a in A] == [True, True, True, True, False]  # no reopen yet

    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):  # a step refreshes the table
        take_step(qtbot, thread, A.CLOSE, "Confirmed in the chart: brought forward on purpose.")
    assert ws.queries.get(query.uid).status is QS.CLOSED
    assert view.shown_queries() == []  # nothing waits for the monitor any more
    assert "Nothing is waiting for you" in view.empty_label.text()
    assert thread.query is not None and thread.query.status is QS.CLOSED  # still on show
    assert thread.status_chip.text() == "Closed"
    assert "Confirmed in the chart" in thread.thread_text()
    assert "status → Closed" in thread.thread_text()
    assert thread.done_label.text() == "Saved. The query is now closed."
    assert thread.text.toPlainText() == ""
    assert [thread.can(a) for a in A] == [False, False, False, False, True]  # reopen only
    ws.logout()


def test_a_step_on_a_locked_form_is_refused_with_the_services_message(
    qtbot: QtBot, site: StoreSite, built: MonitoringSite, runner: JobRunner
) -> None:
    with logged_in(site, ADMIN) as admin:
        admin.holds.lock(Target.form(built.a, "CYCLE", 2, "EX"), "Interim analysis")
    ws = site.login(MONITOR)
    view = queries_view(qtbot, ws, runner)
    thread = view.thread_view
    assert thread.can(A.CLOSE)  # holds are the service's to judge
    thread.text.setPlainText("Closing it")
    qtbot.mouseClick(thread.buttons[A.CLOSE], LEFT)
    qtbot.waitUntil(lambda: bool(thread.error), timeout=WAIT_MS)
    assert "is locked" in thread.error and "EX" in thread.error
    assert thread.text.toPlainText() == "Closing it"  # what was typed stays
    assert ws.queries.get(failed_check_uid(ws)).status is QS.NEW
    ws.logout()


# ------------------------------------------------------------------------------ nurse


def test_the_nurse_sees_a_manual_query_waiting_and_replies_then_proposes(
    qtbot: QtBot, site: StoreSite, built: MonitoringSite, runner: JobRunner
) -> None:
    uid = raise_dose_query(site, built.a)
    ws = site.login(NURSE)
    view = queries_view(qtbot, ws, runner)
    assert view.shown_uids() == [uid]  # the failed check waits for the monitor, not for her
    thread = view.thread_view
    assert thread.heading.text().endswith("Actual dose given")
    assert thread.assigned_label.text() == "assigned to research nurse (CRC)"
    assert [thread.can(a) for a in A] == [True, True, False, False, False]
    assert "Only a monitor closes" in thread.buttons[A.CLOSE].toolTip()
    assert "Only a monitor reopens" in thread.buttons[A.REOPEN].toolTip()

    thread.assign_combo.setCurrentIndex(thread.assign_combo.findData(Role.INVESTIGATOR.value))
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        take_step(qtbot, thread, A.REPLY, "The pharmacy record says 200 mg; asking the doctor.")
    query = ws.queries.get(uid)
    assert (query.status, query.assigned_role) == (QS.UPDATED, Role.INVESTIGATOR)
    assert view.shown_uids() == []  # passed to the investigator: no longer waiting for her
    assert thread.assigned_label.text() == "assigned to investigator"
    assert thread.assign_combo.currentData() is None  # back to "keep the assignment"

    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        take_step(qtbot, thread, A.PROPOSE, "Corrected to match the pharmacy record.")
    query = ws.queries.get(uid)
    assert query.status is QS.RESOLUTION_PROPOSED
    assert [(m.full_name, m.role, m.status) for m in query.messages] == [
        ("Mo Monitor", "MON", QS.NEW),
        ("Nora Nurse", "CRC", QS.UPDATED),
        ("Nora Nurse", "CRC", QS.RESOLUTION_PROPOSED),
    ]
    assert thread.status_chip.text() == "Resolution proposed"
    assert thread.thread_text().count("Nora Nurse, research nurse (CRC)") == 2
    ws.logout()


def test_a_forbidden_step_is_disabled_and_refused_by_the_service(
    qtbot: QtBot, site: StoreSite, built: MonitoringSite, runner: JobRunner
) -> None:
    ws = site.login(NURSE)
    failed = failed_check_uid(ws)
    view = queries_view(qtbot, ws, runner)
    reloaded(qtbot, view, lambda: view.waiting_check.setChecked(False))
    assert view.select_query(failed)
    thread = view.thread_view
    assert not thread.can(A.CLOSE) and not thread.can(A.NOT_APPLICABLE)
    # the service refuses it all the same, in its own words, and keeps what was typed
    thread.text.setPlainText("Closing it myself")
    attempt(qtbot, thread, A.CLOSE)
    assert "A research nurse (CRC) may not close queries." in thread.error
    assert thread.text.toPlainText() == "Closing it myself"
    # a step the role may take, without a message: refused with the service's reason
    thread.text.clear()
    attempt(qtbot, thread, A.REPLY)
    assert "A query message needs some text." in thread.error
    assert ws.queries.get(failed).status is QS.NEW
    assert len(ws.queries.get(failed).messages) == 1
    ws.logout()


def test_an_administrator_reads_queries_but_takes_no_step(
    qtbot: QtBot, site: StoreSite, runner: JobRunner
) -> None:
    ws = site.login(ADMIN)
    view = queries_view(qtbot, ws, runner)
    assert not view.waiting_check.isChecked() and view.waiting_check.isHidden()
    assert len(view.shown_queries()) == 1  # every open query of the site
    thread = view.thread_view
    assert thread.compose.isHidden()
    assert not any(thread.can(a) for a in A)
    assert "takes no step" in thread.hint.text()
    assert view.raise_button.isHidden()
    ws.logout()


# ------------------------------------------------------------------------------ filters


def test_filters_narrow_the_table(
    qtbot: QtBot, site: StoreSite, built: MonitoringSite, runner: JobRunner
) -> None:
    dose = raise_dose_query(site, built.a)
    with logged_in(site, MONITOR) as mon:
        about_b = mon.queries.raise_query(
            built.b, "Was consent version 2.0 the approved one?", assign=Role.INVESTIGATOR
        ).uid
        birth = mon.queries.raise_query(
            built.a,
            "The date of birth differs from the ID card",
            event_oid="SCR",
            occurrence=1,
            form_oid="DM",
            item_path="BRTHDAT",
        ).uid
        mon.queries.close(birth, "Corrected")
    ws = site.login(MONITOR)
    failed = failed_check_uid(ws)
    view = queries_view(qtbot, ws, runner)

    def shown() -> set[str]:
        return set(view.shown_uids())

    assert shown() == {failed}  # waiting for the monitor
    reloaded(qtbot, view, lambda: view.waiting_check.setChecked(False))
    assert shown() == {failed, dose, about_b}  # open ones
    reloaded(qtbot, view, lambda: view.set_status_filter("all"))
    assert shown() == {failed, dose, about_b, birth}
    assert view.count_label.text() == "4 of 4 queries"
    reloaded(qtbot, view, lambda: view.set_status_filter(QS.CLOSED))
    assert shown() == {birth}
    reloaded(qtbot, view, lambda: view.set_status_filter("all"))
    reloaded(qtbot, view, lambda: view.set_form_filter("EX"))
    assert shown() == {failed, dose}
    reloaded(qtbot, view, lambda: view.set_assigned_filter(Role.CRC))
    assert shown() == {dose}
    reloaded(qtbot, view, lambda: view.set_form_filter(None))
    assert shown() == {dose, birth}
    reloaded(qtbot, view, lambda: view.set_assigned_filter(None))
    view.subject_edit.setText(built.b)  # the subject filter narrows what is loaded
    assert shown() == {about_b}
    assert view.proxy.index(0, QueryColumn.ABOUT).data() == "the subject as a whole"
    assert view.proxy.index(0, QueryColumn.ASSIGNED).data() == "investigator"
    assert view.count_label.text() == "1 of 4 queries"
    view.subject_edit.clear()
    reloaded(qtbot, view, lambda: view.age_spin.setValue(1))  # all were raised today
    assert shown() == set()
    assert view.empty_label.isVisible() and "No query matches" in view.empty_label.text()
    reloaded(qtbot, view, lambda: view.age_spin.setValue(0))
    assert len(shown()) == 4

    view.table.sortByColumn(QueryColumn.STATUS, Qt.SortOrder.AscendingOrder)
    assert [q.status for q in view.shown_queries()] == [QS.NEW, QS.NEW, QS.NEW, QS.CLOSED]
    view.table.sortByColumn(QueryColumn.SUBJECT, Qt.SortOrder.DescendingOrder)
    assert view.shown_queries()[0].subject_id == built.b
    ws.logout()


def test_f5_reloads_and_keeps_the_chosen_query(
    qtbot: QtBot, site: StoreSite, built: MonitoringSite, runner: JobRunner
) -> None:
    ws = site.login(MONITOR)
    view = queries_view(qtbot, ws, runner)
    failed = failed_check_uid(ws)
    dose = raise_dose_query(site, built.a, assign=Role.MONITOR)  # now two wait for her
    view.table.setFocus()
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        qtbot.keyClick(view.table, Qt.Key.Key_F5)
    assert set(view.shown_uids()) == {failed, dose}
    assert view.selected_uid() == failed
    ws.logout()


def test_the_excerpt_is_one_line_and_cut() -> None:
    assert excerpt("one\n\ntwo  three") == "one / two three"
    assert excerpt("x" * 200, 10) == "x" * 9 + "…"


# ------------------------------------------------------------------------------ dialog


def test_the_thread_dialog_shows_one_query_and_tells_after_a_step(
    qtbot: QtBot, site: StoreSite, built: MonitoringSite, runner: JobRunner
) -> None:
    ws = site.login(NURSE)
    failed = failed_check_uid(ws)
    dialog = QueryThreadDialog(ws, runner, "en", failed, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.view.query is not None, timeout=WAIT_MS)
    assert dialog.windowTitle() == f"Query about {built.a}/CYCLE[2]/EX/EXSTDAT"
    assert dialog.view.heading.text().endswith("Date of administration")
    assert "0 days old" in dialog.view.age_label.text()
    assert "by Nora Nurse" in dialog.view.age_label.text()
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS) as blocker:
        take_step(qtbot, dialog.view, A.REPLY, "The patient travelled; the doctor agreed.")
    assert blocker.args == [failed]
    assert ws.queries.get(failed).status is QS.UPDATED
    assert "The patient travelled" in dialog.view.thread_text()
    assert dialog.view.done_label.isVisible()
    with qtbot.waitSignal(dialog.view.loaded, timeout=WAIT_MS):
        qtbot.keyClick(dialog, Qt.Key.Key_F5)
    ws.logout()


# ------------------------------------------------------------------------------ main window


class FocusingFormPage(QWidget):
    """A loaded form page that can put the cursor in an item (what ``focus_item`` adds)."""

    saved = Signal(object)
    closeRequested = Signal()
    loaded = Signal()

    def __init__(self, ws, runner, subject_id, event_oid, occurrence, form_oid, lang) -> None:
        super().__init__()
        self.where = (subject_id, event_oid, occurrence, form_oid)
        self.view: Any = QLineEdit()
        QVBoxLayout(self).addWidget(self.view)
        self.focused: list[str] = []

    def focus_item(self, path: str) -> bool:
        self.focused.append(path)
        return True

    def has_unsaved(self) -> bool:
        return False

    def confirm_leave(self) -> bool:
        return True


def test_the_item_gets_the_cursor_once_the_form_has_loaded(qtbot: QtBot) -> None:
    page = FocusingFormPage(None, None, "S", "E", 1, "F", "en")
    qtbot.addWidget(page)
    page.view = None  # still loading
    assert focus_item_when_loaded(page, "TL[2].TLDIAM")
    assert page.focused == []
    page.view = QLineEdit()
    page.loaded.emit()
    page.loaded.emit()  # a reload later does not move the cursor again
    assert page.focused == ["TL[2].TLDIAM"]
    assert not focus_item_when_loaded(QWidget(), "X")  # a page without focus_item


@pytest.fixture
def start(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[..., Shell]]:
    with shells_in(tmp_path) as make:
        yield make


@pytest.fixture
def site_dir(built: MonitoringSite, tmp_path: Path) -> Path:
    """A closed copy of the monitoring site (the shell opens it itself)."""
    dest = tmp_path / "shell-site"
    shutil.copytree(built.template.root, dest)
    return dest


def test_double_click_opens_the_form_and_closing_it_returns_to_the_queries(
    qtbot: QtBot, start: Callable[..., Shell], site_dir: Path, built: MonitoringSite
) -> None:
    from npc_crf.ui.form_page import FormPage

    shell = start(site_dir)
    window = shell_logged_in(qtbot, shell, MONITOR)
    idle(qtbot, shell)
    view = window.views["queries"]
    assert isinstance(view, QueriesView)
    keys = [window.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.nav.count())]
    window.nav.setCurrentRow(keys.index("queries"))
    assert window.current_key == "queries"
    qtbot.waitUntil(lambda: len(view.shown_queries()) == 1 and not shell.runner.busy)
    double_click(qtbot, view.table, view.proxy.index(0, QueryColumn.ABOUT))
    qtbot.waitUntil(lambda: window.current_key == "form", timeout=WAIT_MS)
    page = window.form_page
    assert isinstance(page, FormPage)
    assert (page.subject_id, page.event_oid, page.occurrence, page.form_oid) == (
        built.a,
        "CYCLE",
        2,
        "EX",
    )
    assert window.nav.currentItem().data(Qt.ItemDataRole.UserRole) == "queries"
    idle(qtbot, shell)
    if hasattr(page, "focus_item"):  # the form page places the cursor at the query's item
        qtbot.waitUntil(
            lambda: page.view is not None and str(page.view.current_path()) == "EXSTDAT",
            timeout=WAIT_MS,
        )
    page.request_close()
    qtbot.waitUntil(lambda: window.current_key == "queries", timeout=WAIT_MS)
    assert window.form_page is None


def test_the_form_opens_at_the_querys_item_and_enter_does_the_same(
    qtbot: QtBot, start: Callable[..., Shell], site_dir: Path, built: MonitoringSite
) -> None:
    shell = start(site_dir, form_page_factory=FocusingFormPage)
    window = shell_logged_in(qtbot, shell, MONITOR)
    idle(qtbot, shell)
    view = window.views["queries"]
    assert isinstance(view, QueriesView)
    window.navigate("queries")
    qtbot.waitUntil(lambda: len(view.shown_queries()) == 1 and not shell.runner.busy)
    view.table.setFocus()
    view.table.setCurrentIndex(view.proxy.index(0, QueryColumn.SUBJECT))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_key == "form", timeout=WAIT_MS)
    page = window.form_page
    assert isinstance(page, FocusingFormPage)
    assert page.where == (built.a, "CYCLE", 2, "EX") and page.focused == ["EXSTDAT"]


def test_a_query_on_the_worklist_opens_on_the_queries_page(
    qtbot: QtBot, start: Callable[..., Shell], site_dir: Path
) -> None:
    shell = start(site_dir)
    window = shell_logged_in(qtbot, shell, MONITOR)
    idle(qtbot, shell)
    window.navigate("worklist")
    idle(qtbot, shell)
    worklist = window.worklist
    (item,) = [i for i in worklist.shown_items() if i.kind is WorkKind.OPEN_QUERY]
    worklist.tree.scrollTo(worklist.index_of(item))
    double_click(qtbot, worklist.tree, worklist.index_of(item))
    qtbot.waitUntil(lambda: window.current_key == "queries", timeout=WAIT_MS)
    view = window.views["queries"]
    assert isinstance(view, QueriesView)
    qtbot.waitUntil(lambda: view.selected_uid() == item.detail, timeout=WAIT_MS)
    assert view.thread_view.query is not None and view.thread_view.query.uid == item.detail


def test_a_query_hidden_by_the_filters_is_shown_when_asked_for(
    qtbot: QtBot, site: StoreSite, built: MonitoringSite, runner: JobRunner
) -> None:
    uid = raise_dose_query(site, built.a)  # for the nurse: not waiting for the monitor
    ws = site.login(MONITOR)
    view = queries_view(qtbot, ws, runner)
    assert uid not in view.shown_uids()
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        view.show_query(uid)
    qtbot.waitUntil(lambda: view.selected_uid() == uid, timeout=WAIT_MS)
    assert not view.waiting_check.isChecked() and view.status_filter() is None
    ws.logout()


def test_the_monitor_raises_a_query_about_a_subject_from_the_page(
    qtbot: QtBot, site: StoreSite, built: MonitoringSite, runner: JobRunner
) -> None:
    from npc_crf.ui.query_raise import RaiseQueryDialog
    from tests.ui_nurse import on_next_dialog

    ws = site.login(MONITOR)
    view = queries_view(qtbot, ws, runner)
    assert view.raise_button.isVisible() and view.raise_button.text() == "Raise query…"

    def fill(widget: QWidget) -> None:
        assert isinstance(widget, RaiseQueryDialog)
        widget.text.setPlainText("Please send the screening MRI report")
        widget.accept()

    on_next_dialog(fill)
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        raised = view.raise_query(built.b)
    assert raised is not None and raised.subject_id == built.b and raised.event_oid is None
    qtbot.waitUntil(lambda: view.selected_uid() == raised.uid, timeout=WAIT_MS)
    assert view.thread_view.heading.text() == f"{built.b} · the subject as a whole"
    ws.logout()
