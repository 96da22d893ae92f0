"""Issue 6's monitoring cycle, end to end through the application shell.

One copy of the monitoring site (``tests/monitoring_helpers.py``; subject B has its
consent and cycle 1 complete) is opened in the real shell, and people take turns at
the keyboard, logging out and in:

1. the research nurse adds cycle 2 and types the study-drug form; its start date comes
   too soon after cycle 1, a soft warning she keeps with a reason — a failed-check
   query is raised by the save;
2. the monitor opens the form (read only, with SDV boxes), ticks one value, verifies
   the whole form, and raises a query on the dose with Ctrl+Shift+Q;
3. the nurse finds the query on her worklist, which opens it on the Queries page, and
   answers, then proposes a resolution in the thread;
4. the monitor closes it on the Queries page;
5. the nurse corrects the verified dose (with a reason for the change): its SDV is
   reset, and the monitor sees it pending again;
6. the investigator signs the casebook from the casebook view (user ID and password:
   the first signing of the session);
7. the nurse corrects the form again: the signature is voided and the investigator's
   worklist lists the form to sign again;
8. the monitor freezes the subject: the nurse's form page is read only, but she still
   answers the failed-check query from its marker;
9. the administrator locks the subject: the nurse can change nothing, nor answer.

Each step is checked through the services (queries, SDV, signatures, holds, the audit
trail) as well as on the screen.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from npc_crf.auth.roles import Role
from npc_crf.forms.session import ItemPath
from npc_crf.services.casebook import FormStatus
from npc_crf.services.monitoring.hold_model import Scope, State
from npc_crf.services.monitoring.query_model import QueryAction, QueryKind, QueryStatus
from npc_crf.services.monitoring.sdv_items import SdvState
from npc_crf.services.worklist import WorkKind
from npc_crf.services.workspace import Workspace
from npc_crf.ui.app import Shell
from npc_crf.ui.casebook_model import CellTarget
from npc_crf.ui.casebook_view import CasebookView
from npc_crf.ui.dialogs import ReasonDialog
from npc_crf.ui.form_monitoring import Marks
from npc_crf.ui.form_page import FormPage
from npc_crf.ui.main_window import MainWindow
from npc_crf.ui.queries_view import QueriesView
from npc_crf.ui.query_raise import RaiseQueryDialog
from npc_crf.ui.query_thread import QueryThreadDialog, QueryThreadWidget
from npc_crf.ui.sign_dialog import SignDialog
from tests.monitoring_helpers import (
    ADMIN,
    DOCTOR,
    MONITOR,
    NURSE,
    MonitoringSite,
    build_monitoring_site,
)
from tests.store_helpers import FULL_NAMES, PASSWORDS
from tests.ui_nurse import (
    audit_of,
    click_box_button,
    give_reason,
    go_to,
    on_next_dialog,
    press,
    shortcut,
    stored,
    type_into,
    view_of,
    wait_saved,
)
from tests.ui_shell import LEFT, WAIT, idle, logged_in, shells_in

A = QueryAction
QS = QueryStatus
CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
KEPT_REASON = "Brought forward for the patient's travel, agreed with the investigator"
QUESTION = "The dose does not match the pharmacy dispensing log: please check"

#: cycle 2's study-drug form as the nurse types it; the start date is 15 days after
#: cycle 1's (2026-01-10): "less than 18 days since the previous dose"
CYCLE_2 = [
    ("EXCYCLE", "2"),
    ("EXYN", "Y"),
    ("EXSTDAT", "2026-01-25"),
    ("EXSTTIM", "11:20"),
    ("EXENTIM", "12:11"),
    ("EXDOSE", "200.0"),
    ("EXDLY", "N"),
    ("EXINTR", "N"),
    ("EXDISC", "N"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> MonitoringSite:
    return build_monitoring_site(tmp_path_factory.mktemp("ui-monitoring-cycle"))


@pytest.fixture
def start(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[..., Shell]]:
    with shells_in(tmp_path) as make:
        yield make


@pytest.fixture
def site_dir(built: MonitoringSite, tmp_path: Path) -> Path:
    """A closed copy of the monitoring site (the shell opens it itself)."""
    dest = tmp_path / "site"
    shutil.copytree(built.template.root, dest)
    return dest


# -- people at the keyboard -----------------------------------------------------------------------


def switch_to(qtbot: QtBot, shell: Shell, window: MainWindow | None, user: str) -> MainWindow:
    """Log the current person out (Session ▸ Log out) and ``user`` in."""
    if window is not None:
        window.logout_action.trigger()  # the menu item (menus are impractical offscreen)
        qtbot.waitUntil(
            lambda: shell.login_window is not None and shell.login_window.isVisible(),
            timeout=WAIT,
        )
    window = logged_in(qtbot, shell, user)
    idle(qtbot, shell)
    return window


def casebook_of(qtbot: QtBot, shell: Shell, window: MainWindow, subject: str) -> CasebookView:
    assert window.open_subject(subject)  # the window's slot: a double-click on Subjects
    casebook = window.casebook
    qtbot.waitUntil(
        lambda: casebook.model.grid is not None and casebook.header is not None, timeout=WAIT
    )
    idle(qtbot, shell)
    return casebook


def form_shown(qtbot: QtBot, shell: Shell, window: MainWindow) -> FormPage:
    """The form page the shell opened, loaded, with its monitoring marks read."""
    qtbot.waitUntil(lambda: window.current_key == "form", timeout=WAIT)
    page = window.form_page
    assert isinstance(page, FormPage)
    settled(qtbot, page)
    idle(qtbot, shell)
    if not window.isActiveWindow():  # the offscreen platform does not give it back after a
        window.activateWindow()  # dialog closes; a window manager (or a click) does
    if not page.read_only:
        qtbot.waitUntil(lambda: view_of(page).focused_path() is not None, timeout=WAIT)
    return page


def open_cell(
    qtbot: QtBot, shell: Shell, window: MainWindow, event: str, occurrence: int, form: str
) -> FormPage:
    """Choose a cell of the casebook grid with the keyboard and open it (Enter)."""
    casebook = window.casebook
    assert window.current_key == "casebook"
    assert casebook.select_cell(CellTarget(event, occurrence, form)), (event, occurrence, form)
    qtbot.keyClick(casebook.grid, Qt.Key.Key_Return)
    return form_shown(qtbot, shell, window)


def back_to(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until a dialog has closed and the main window has the keyboard again."""
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=WAIT)
    if not window.isActiveWindow():  # the offscreen platform does not give it back
        window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)


def close_form(qtbot: QtBot, window: MainWindow, page: FormPage) -> None:
    qtbot.mouseClick(page.close_button, LEFT)
    qtbot.waitUntil(lambda: window.form_page is None, timeout=WAIT)


def settled(qtbot: QtBot, page: FormPage) -> None:
    qtbot.waitUntil(
        lambda: page.view is not None and not page.busy and not page.monitoring.busy,
        timeout=WAIT,
    )


def marks_of(page: FormPage, item: str) -> Marks:
    marks = page.monitoring.marks.get(ItemPath(item))
    assert marks is not None, f"{item} has no monitoring marks"
    return marks


def pending(ws: Workspace, sid: str) -> set[str]:
    status = ws.sdv.form_status(sid, "CYCLE", 2, "EX")
    return {i.item_path for i in status.items if i.state is SdvState.PENDING}


def queries_page(qtbot: QtBot, shell: Shell, window: MainWindow) -> QueriesView:
    view = window.views["queries"]
    assert isinstance(view, QueriesView)
    if window.current_key != "queries":
        assert window.navigate("queries")
    idle(qtbot, shell)
    return view


def waiting(view: QueriesView, sid: str) -> list[str]:
    """The queries on show about ``sid`` (subject A's failed check waits too)."""
    return [q.uid for q in view.shown_queries() if q.subject_id == sid]


def take_step(qtbot: QtBot, thread: QueryThreadWidget, action: QueryAction, text: str) -> None:
    """Type a message and press the step's button; wait until the service answered."""
    thread.text.setFocus()
    thread.text.clear()
    qtbot.keyClicks(thread.text, text)
    assert thread.can(action), thread.buttons[action].toolTip()
    with qtbot.waitSignal(thread.changed, timeout=WAIT):
        qtbot.mouseClick(thread.buttons[action], LEFT)


def reason_given(reason: str) -> Callable[[QWidget], None]:
    """Answer the casebook's reason dialog (a freeze, a lock)."""

    def act(widget: QWidget) -> None:
        assert isinstance(widget, ReasonDialog), f"expected the reason dialog, got {widget!r}"
        widget.text.setText(reason)
        widget.buttons.button(widget.buttons.StandardButton.Ok).click()

    return act


def correct(qtbot: QtBot, page: FormPage, item: str, value: str, reason: str) -> None:
    """Type a new value into a completed form and save (Ctrl+S), giving the reason."""
    type_into(qtbot, page, item, value)
    asked = on_next_dialog(give_reason(reason, choice=1))
    shortcut(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=WAIT)
    wait_saved(qtbot, page)
    settled(qtbot, page)


# -- the cycle ----------------------------------------------------------------------------------------


def test_the_monitoring_cycle_through_the_shell(
    qtbot: QtBot, start: Callable[..., Shell], site_dir: Path, built: MonitoringSite
) -> None:
    shell = start(site_dir)
    sid = built.b

    # 1. the nurse: cycle 2, typed, with a kept soft warning ----------------------------------
    window = switch_to(qtbot, shell, None, NURSE)
    nurse = window.ws
    casebook = casebook_of(qtbot, shell, window, sid)
    qtbot.mouseClick(casebook.add_cycle_button, LEFT)
    page = form_shown(qtbot, shell, window)
    # "Add cycle" opens the new cycle's first form, the vital signs; the nurse leaves it
    # untouched and goes to the study-drug form of the new cycle
    assert (page.event_oid, page.occurrence, page.form_oid) == ("CYCLE", 2, "VS")
    close_form(qtbot, window, page)
    qtbot.waitUntil(lambda: window.current_key == "casebook", timeout=WAIT)
    idle(qtbot, shell)
    page = open_cell(qtbot, shell, window, "CYCLE", 2, "EX")
    for item, text in CYCLE_2:
        type_into(qtbot, page, item, text)
    assert "18 days" in view_of(page).rows[ItemPath("EXSTDAT")].status.message.text()
    go_to(page, "EXSTDAT")
    kept = on_next_dialog(give_reason(KEPT_REASON, choice=1))
    shortcut(qtbot, Qt.Key.Key_O, CTRL_SHIFT)  # keep the value, with a reason
    qtbot.waitUntil(lambda: len(kept) == 1, timeout=WAIT)
    back_to(qtbot, window)
    shortcut(qtbot, Qt.Key.Key_Return, CTRL)  # mark complete (saves)
    wait_saved(qtbot, page)
    settled(qtbot, page)
    assert page.status() is FormStatus.COMPLETE, page.message.text()
    record = stored(nurse, sid, "CYCLE", "EX", 2)
    assert record.status is FormStatus.COMPLETE and str(record.answers["EXDOSE"]) == "200.0"
    [failed] = nurse.queries.list(subject_id=sid, kind=QueryKind.FAILED_CHECK)
    assert (failed.form_oid, failed.item_path, failed.status) == ("EX", "EXSTDAT", QS.NEW)
    assert KEPT_REASON in nurse.queries.get(failed.uid).messages[0].text
    [warning] = audit_of(nurse, sid, "warning_overridden")
    assert (warning.form_oid, warning.item_path) == ("EX", "EXSTDAT")
    marker = marks_of(page, "EXSTDAT").marker
    assert marker.isVisible() and marker.text() == "Q1"  # the query's marker, at once
    close_form(qtbot, window, page)

    # 2. the monitor: SDV and a manual query ---------------------------------------------------
    window = switch_to(qtbot, shell, window, MONITOR)
    monitor = window.ws
    casebook_of(qtbot, shell, window, sid)
    page = open_cell(qtbot, shell, window, "CYCLE", 2, "EX")
    assert page.read_only
    bar = page.monitoring.bar
    total = len(pending(monitor, sid))
    assert total > 1 and "EXDOSE" in pending(monitor, sid)
    assert bar.sdv_label.text() == f"SDV: 0 of {total} verified"
    box = marks_of(page, "EXDOSE").sdv
    assert box.isVisible() and box.isEnabled()
    qtbot.mouseClick(box, LEFT)  # one value, ticked
    settled(qtbot, page)
    assert "EXDOSE" not in pending(monitor, sid)
    assert box.checkState() == Qt.CheckState.Checked
    confirmed = on_next_dialog(click_box_button(QMessageBox.StandardButton.Yes))
    qtbot.mouseClick(bar.verify_all, LEFT)  # "Verify whole form"
    settled(qtbot, page)
    assert len(confirmed) == 1
    assert pending(monitor, sid) == set()
    assert bar.sdv_label.text() == f"SDV: {total} of {total} verified"
    assert audit_of(monitor, sid, "sdv_verified")

    def ask(widget: QWidget) -> None:
        assert isinstance(widget, RaiseQueryDialog), f"expected the raise dialog, got {widget!r}"
        assert widget.kind() is QueryKind.MANUAL and widget.assigned() is Role.CRC
        qtbot.waitUntil(lambda: QApplication.focusWidget() is widget.text, timeout=WAIT)
        qtbot.keyClicks(widget.text, QUESTION)
        qtbot.keyClick(widget.text, Qt.Key.Key_Return, CTRL)

    raised = on_next_dialog(ask)
    go_to(page, "EXDOSE")
    press(qtbot, Qt.Key.Key_Q, CTRL_SHIFT)
    qtbot.waitUntil(lambda: len(raised) == 1, timeout=WAIT)
    settled(qtbot, page)
    [query] = [q for q in monitor.queries.list(subject_id=sid) if q.kind is QueryKind.MANUAL]
    assert (query.form_oid, query.item_path, query.status) == ("EX", "EXDOSE", QS.NEW)
    assert query.assigned_role is Role.CRC
    assert marks_of(page, "EXDOSE").marker.isVisible()
    assert [e.action for e in audit_of(monitor, sid, "query_raised")]
    close_form(qtbot, window, page)

    # 3. the nurse: the query from her worklist, answered, a resolution proposed ------------------
    window = switch_to(qtbot, shell, window, NURSE)
    nurse = window.ws
    assert window.navigate("worklist")
    idle(qtbot, shell)
    worklist = window.worklist
    [work] = [
        i for i in worklist.shown_items() if i.kind is WorkKind.OPEN_QUERY and i.detail == query.uid
    ]
    index = worklist.index_of(work)
    worklist.tree.scrollTo(index)
    centre = worklist.tree.visualRect(index).center()
    qtbot.mouseClick(worklist.tree.viewport(), LEFT, pos=centre)
    qtbot.mouseDClick(worklist.tree.viewport(), LEFT, pos=centre)
    qtbot.waitUntil(lambda: window.current_key == "queries", timeout=WAIT)
    view = queries_page(qtbot, shell, window)
    qtbot.waitUntil(lambda: view.selected_uid() == query.uid, timeout=WAIT)
    thread = view.thread_view
    qtbot.waitUntil(
        lambda: thread.query is not None and thread.query.uid == query.uid, timeout=WAIT
    )
    assert thread.heading.text().endswith("Actual dose given")
    take_step(qtbot, thread, A.REPLY, "Checking the pharmacy log against the infusion chart.")
    assert nurse.queries.get(query.uid).status is QS.UPDATED
    idle(qtbot, shell)
    assert view.select_query(query.uid)  # the page's slot: a click on the query's line
    take_step(qtbot, thread, A.PROPOSE, "The chart says 190 mg: the form will be corrected.")
    answered = nurse.queries.get(query.uid)
    assert answered.status is QS.RESOLUTION_PROPOSED
    assert [(m.full_name, m.status) for m in answered.messages] == [
        (FULL_NAMES[MONITOR], QS.NEW),
        (FULL_NAMES[NURSE], QS.UPDATED),
        (FULL_NAMES[NURSE], QS.RESOLUTION_PROPOSED),
    ]
    idle(qtbot, shell)

    # 4. the monitor closes it on the Queries page --------------------------------------------------
    window = switch_to(qtbot, shell, window, MONITOR)
    monitor = window.ws
    view = queries_page(qtbot, shell, window)
    assert view.waiting_check.isChecked()
    qtbot.waitUntil(lambda: query.uid in view.shown_uids(), timeout=WAIT)
    assert set(waiting(view, sid)) == {query.uid, failed.uid}  # both wait for the monitor
    assert view.select_query(query.uid)  # the page's slot: a click on the query's line
    thread = view.thread_view
    qtbot.waitUntil(
        lambda: thread.query is not None and thread.query.uid == query.uid, timeout=WAIT
    )
    assert thread.status_chip.text() == "Resolution proposed"
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        take_step(qtbot, thread, A.CLOSE, "Agreed: correct the dose to 190 mg.")
    assert monitor.queries.get(query.uid).status is QS.CLOSED
    assert waiting(view, sid) == [failed.uid]
    assert [e.action for e in audit_of(monitor, sid, "query_closed")] == ["query_closed"]
    idle(qtbot, shell)

    # 5. the nurse corrects the verified dose: its SDV is reset --------------------------------------
    window = switch_to(qtbot, shell, window, NURSE)
    nurse = window.ws
    casebook_of(qtbot, shell, window, sid)
    page = open_cell(qtbot, shell, window, "CYCLE", 2, "EX")
    assert not page.read_only
    correct(qtbot, page, "EXDOSE", "190.0", "dose from the infusion chart")
    assert str(stored(nurse, sid, "CYCLE", "EX", 2).answers["EXDOSE"]) == "190.0"
    [change] = [e for e in audit_of(nurse, sid, "value_changed") if e.item_path == "EXDOSE"]
    assert (change.old, change.new) == ("200.0", "190.0")
    assert change.reason == "Transcription error: dose from the infusion chart"
    assert pending(nurse, sid) == {"EXDOSE"}
    assert [e.item_path for e in audit_of(nurse, sid, "sdv_reset")] == ["EXDOSE"]
    close_form(qtbot, window, page)

    window = switch_to(qtbot, shell, window, MONITOR)  # the monitor sees it pending again
    casebook_of(qtbot, shell, window, sid)
    page = open_cell(qtbot, shell, window, "CYCLE", 2, "EX")
    assert marks_of(page, "EXDOSE").sdv.checkState() == Qt.CheckState.Unchecked
    assert marks_of(page, "EXSTDAT").sdv.checkState() == Qt.CheckState.Checked
    assert page.monitoring.bar.sdv_label.text() == f"SDV: {total - 1} of {total} verified"
    close_form(qtbot, window, page)

    # 6. the investigator signs the casebook (first signing: user ID and password) ------------------
    window = switch_to(qtbot, shell, window, DOCTOR)
    doctor = window.ws
    casebook = casebook_of(qtbot, shell, window, sid)
    asked_for_user: list[bool] = []

    def sign(widget: QWidget) -> None:
        assert isinstance(widget, SignDialog), f"expected the sign dialog, got {widget!r}"
        asked_for_user.append(widget.needs_user_id and not widget.user_edit.isHidden())
        widget.meaning_box.setCurrentIndex(widget.meaning_box.findData("APPROVE"))
        qtbot.keyClicks(widget.user_edit, DOCTOR)
        qtbot.keyClicks(widget.password_edit, PASSWORDS[DOCTOR])
        qtbot.mouseClick(widget.sign_button, LEFT)

    on_next_dialog(sign)
    casebook.sign_casebook_action.trigger()  # the "Sign ▸ Casebook" menu item
    qtbot.waitUntil(lambda: casebook.notice.text() == "3 forms were signed.", timeout=WAIT)
    idle(qtbot, shell)
    assert asked_for_user == [True]  # the session's first signing: user ID and password
    assert doctor.signed_in_session
    signed = doctor.signatures.manifestations(sid)
    assert sorted((m.event_oid, m.occurrence, m.form_oid) for m in signed) == [
        ("CYCLE", 1, "EX"),
        ("CYCLE", 2, "EX"),
        ("SCR", 1, "IC"),
    ]
    assert {(m.scope, m.meaning, m.username) for m in signed} == {("casebook", "APPROVE", DOCTOR)}
    assert doctor.signatures.to_sign(subject_id=sid) == []
    assert stored(doctor, sid, "CYCLE", "EX", 2).status is FormStatus.SIGNED

    # 7. a later change by the nurse voids the signature ----------------------------------------------
    window = switch_to(qtbot, shell, window, NURSE)
    nurse = window.ws
    casebook_of(qtbot, shell, window, sid)
    page = open_cell(qtbot, shell, window, "CYCLE", 2, "EX")
    correct(qtbot, page, "EXENTIM", "12:15", "end time from the infusion pump log")
    record = stored(nurse, sid, "CYCLE", "EX", 2)
    assert record.status is FormStatus.COMPLETE
    assert str(record.answers["EXENTIM"]).startswith("12:15")
    [voided] = audit_of(nurse, sid, "signature_voided")
    assert voided.form_oid == "EX"
    close_form(qtbot, window, page)

    window = switch_to(qtbot, shell, window, DOCTOR)  # on the investigator's worklist again
    doctor = window.ws
    assert window.navigate("worklist")
    idle(qtbot, shell)
    to_sign = [
        i
        for i in window.worklist.shown_items()
        if i.kind is WorkKind.TO_SIGN and i.subject_id == sid  # subject A's are listed too
    ]
    assert [(i.subject_id, i.event_oid, i.occurrence, i.form_oid, i.detail) for i in to_sign] == [
        (sid, "CYCLE", 2, "EX", "voided")
    ]
    assert [(t.event_oid, t.occurrence) for t in doctor.signatures.to_sign(subject_id=sid)] == [
        ("CYCLE", 2)
    ]

    # 8. the monitor freezes the subject; the nurse still answers a query ----------------------------
    window = switch_to(qtbot, shell, window, MONITOR)
    monitor = window.ws
    casebook = casebook_of(qtbot, shell, window, sid)
    on_next_dialog(reason_given("Source data verified for the interim review"))
    casebook.hold_actions[("freeze", Scope.SUBJECT)].trigger()  # the hold menu's item
    qtbot.waitUntil(lambda: not casebook.hold_banner.isHidden(), timeout=WAIT)
    idle(qtbot, shell)
    assert f"Subject {sid}: frozen by {MONITOR} on" in casebook.hold_banner.text()
    assert monitor.holds.state_of(sid).state is State.FROZEN
    assert [e.reason for e in audit_of(monitor, sid, "subject_frozen")] == [
        "Source data verified for the interim review"
    ]

    window = switch_to(qtbot, shell, window, NURSE)
    nurse = window.ws
    casebook_of(qtbot, shell, window, sid)
    page = open_cell(qtbot, shell, window, "CYCLE", 2, "EX")
    assert page.read_only and view_of(page).read_only
    assert not page.save_button.isVisibleTo(page)
    assert "Frozen (subject " in page.monitoring.bar.hold_banner.text()
    answered_here: list[QWidget] = []

    def answer(widget: QWidget) -> None:
        assert isinstance(widget, QueryThreadDialog), f"expected a query thread, got {widget!r}"
        qtbot.waitUntil(lambda: widget.view.query is not None, timeout=WAIT)
        assert widget.query_uid == failed.uid
        take_step(qtbot, widget.view, A.REPLY, "The investigator agreed to the early cycle.")
        answered_here.append(widget)
        widget.reject()

    on_next_dialog(answer)
    qtbot.mouseClick(marks_of(page, "EXSTDAT").marker, LEFT)  # its one query's thread
    qtbot.waitUntil(lambda: len(answered_here) == 1, timeout=WAIT)
    settled(qtbot, page)
    assert nurse.queries.get(failed.uid).status is QS.UPDATED
    assert len(nurse.queries.get(failed.uid).messages) == 2
    close_form(qtbot, window, page)

    # 9. the administrator locks the subject: nothing can be changed or answered ------------------------
    window = switch_to(qtbot, shell, window, ADMIN)
    admin = window.ws
    casebook = casebook_of(qtbot, shell, window, sid)
    on_next_dialog(reason_given("Database lock for the interim analysis"))
    casebook.hold_actions[("lock", Scope.SUBJECT)].trigger()  # the hold menu's item
    qtbot.waitUntil(lambda: "locked by admin" in casebook.hold_banner.text(), timeout=WAIT)
    idle(qtbot, shell)
    assert admin.holds.state_of(sid).state is State.LOCKED
    assert [e.reason for e in audit_of(admin, sid, "subject_locked")] == [
        "Database lock for the interim analysis"
    ]

    window = switch_to(qtbot, shell, window, NURSE)
    nurse = window.ws
    casebook_of(qtbot, shell, window, sid)
    page = open_cell(qtbot, shell, window, "CYCLE", 2, "EX")
    assert page.read_only
    assert "Locked (subject " in page.monitoring.bar.hold_banner.text()
    go_to(page, "EXDOSE")
    press(qtbot, Qt.Key.Key_Q, CTRL_SHIFT)  # not even a note: refused at once, no dialog
    assert QApplication.activeModalWidget() is None
    assert "locked" in page.message.text()
    close_form(qtbot, window, page)
    view = queries_page(qtbot, shell, window)
    qtbot.waitUntil(lambda: not shell.runner.busy, timeout=WAIT)
    view.show_query(failed.uid)  # the page's slot (what the worklist's double-click calls)
    qtbot.waitUntil(lambda: view.selected_uid() == failed.uid, timeout=WAIT)
    thread = view.thread_view
    qtbot.waitUntil(
        lambda: thread.query is not None and thread.query.uid == failed.uid, timeout=WAIT
    )
    thread.text.setFocus()
    qtbot.keyClicks(thread.text, "One more detail")
    assert thread.can(A.REPLY)  # holds are the service's to judge: it refuses
    qtbot.mouseClick(thread.buttons[A.REPLY], LEFT)
    qtbot.waitUntil(lambda: bool(thread.error), timeout=WAIT)
    assert "is locked" in thread.error
    assert thread.text.toPlainText() == "One more detail"  # what was typed stays
    assert nurse.queries.get(failed.uid).status is QS.UPDATED
    assert len(nurse.queries.get(failed.uid).messages) == 2
    assert stored(nurse, sid, "CYCLE", "EX", 2).status is FormStatus.COMPLETE
