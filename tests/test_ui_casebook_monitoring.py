"""Signing, freezing and locking from the casebook, SDV progress, and the site-level controls,
used as an investigator, a monitor and the site administrator would (docs/monitoring.md).

The site (``tests/monitoring_helpers.py``) is made once per module and copied for each
test: subject A has consent and two study-drug cycles complete and demographics,
medical history and prior therapy in progress; subject B has consent and cycle 1
complete. Set ``NPC_CRF_SHOTS=DIR`` to keep screenshots of the screens in ``DIR``.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from npc_crf.auth.policy import LoginPolicy
from npc_crf.services.monitoring.hold_model import Level, Scope, State, Target
from npc_crf.services.monitoring.sdv import REPORT_COLUMNS
from npc_crf.services.worklist import CellState, WorkKind
from npc_crf.services.workspace import Workspace
from npc_crf.ui import labels
from npc_crf.ui.admin_view import AdminView, AuditReasonDialog
from npc_crf.ui.app import Shell
from npc_crf.ui.casebook_model import CellTarget
from npc_crf.ui.casebook_view import CasebookView
from npc_crf.ui.dialogs import ReasonDialog
from npc_crf.ui.sign_dialog import SignDialog
from npc_crf.ui.subject_model import SubjectColumn
from npc_crf.ui.subjects_view import SubjectsView
from npc_crf.ui.work_model import WorkColumn, work_row
from npc_crf.ui.worker import JobRunner
from npc_crf.ui.worklist_view import WorklistView
from tests.monitoring_helpers import (
    ADMIN,
    DOCTOR,
    MONITOR,
    NURSE,
    MonitoringSite,
    build_monitoring_site,
)
from tests.store_helpers import FULL_NAMES, PASSWORDS, StoreSite, audit_actions, audit_count
from tests.ui_nurse import audit_of, on_next_dialog
from tests.ui_shell import idle, logged_in, shells_in

TODAY = dt.date(2026, 3, 1)
WAIT = 20_000
LEFT = Qt.MouseButton.LeftButton
SHOTS = Path(os.environ["NPC_CRF_SHOTS"]) if os.environ.get("NPC_CRF_SHOTS") else None


def shot(widget: QWidget, name: str) -> None:
    """Keep a screenshot of ``widget`` when NPC_CRF_SHOTS names a folder."""
    if SHOTS is None:
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    widget.grab().save(str(SHOTS / f"{name}.png"))


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> MonitoringSite:
    return build_monitoring_site(tmp_path_factory.mktemp("casebook-monitoring"))


@pytest.fixture
def store(site: MonitoringSite, tmp_path: Path) -> Iterator[StoreSite]:
    copy = site.copy(tmp_path / "site")
    yield copy
    copy.close()


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[JobRunner]:
    jobs = JobRunner()
    yield jobs
    jobs.wait()


@pytest.fixture
def closed_site(site: MonitoringSite, tmp_path: Path) -> Path:
    """A copy of the site that no process holds open (for the application shell)."""
    copy = site.copy(tmp_path / "closed")
    copy.close()
    return copy.root


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., Shell]]:
    with shells_in(tmp_path) as make:
        yield make


# ------------------------------------------------------------------------------ helpers


def casebook_view(qtbot: QtBot, ws: Workspace, runner: JobRunner, subject_id: str) -> CasebookView:
    view = CasebookView(ws, runner, "en", today=TODAY)
    qtbot.addWidget(view)
    view.resize(1280, 760)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.show_subject(subject_id)
    return view


def reloaded(qtbot: QtBot, view: CasebookView) -> None:
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.refresh()


def index_of(view: CasebookView, event: str, occurrence: int, form: str) -> QModelIndex:
    grid = view.model.grid
    assert grid is not None
    row = grid.form_order.index(form)
    column = next(
        n
        for n, c in enumerate(grid.columns)
        if (c.event_oid, c.occurrence) == (event, occurrence) and c.exists
    )
    return view.model.index(row, column)


def text_at(view: CasebookView, event: str, occurrence: int, form: str) -> str:
    return str(index_of(view, event, occurrence, form).data())


def tooltip_at(view: CasebookView, event: str, occurrence: int, form: str) -> str:
    return str(index_of(view, event, occurrence, form).data(Qt.ItemDataRole.ToolTipRole))


def state_at(view: CasebookView, event: str, occurrence: int, form: str) -> CellState:
    found = view.model.cell(index_of(view, event, occurrence, form))
    assert found is not None
    return found[1].state


def type_credentials(
    qtbot: QtBot, dialog: SignDialog, meaning: str, password: str, user: str | None = None
) -> None:
    dialog.meaning_box.setCurrentIndex(dialog.meaning_box.findData(meaning))
    if user is not None:
        qtbot.keyClicks(dialog.user_edit, user)
    qtbot.keyClicks(dialog.password_edit, password)


def reason_given(reason: str, seen: list[str] | None = None) -> Callable[[QWidget], None]:
    """Answer the reason dialog (casebook: ReasonDialog; Administration: AuditReasonDialog);
    OK stays disabled while the reason is empty."""

    def act(widget: QWidget) -> None:
        if seen is not None:
            seen.append(widget.windowTitle())
        if isinstance(widget, ReasonDialog):
            assert not widget.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
            widget.text.setText(reason)
            widget.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        else:
            assert isinstance(widget, AuditReasonDialog), widget
            assert not widget.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
            widget.reason.setText(reason)
            widget.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    return act


# ------------------------------------------------------------------------------ signing


def test_the_investigator_signs_the_casebook_with_user_id_and_password_first(
    qtbot: QtBot, store: StoreSite, site: MonitoringSite, runner: JobRunner
) -> None:
    ws = store.login(DOCTOR)
    view = casebook_view(qtbot, ws, runner, site.b)
    assert not view.sign_button.isHidden() and view.hold_button.isHidden()
    for where in (("SCR", 1, "IC"), ("CYCLE", 1, "EX")):  # complete: waiting for a signature
        assert labels.to_sign_mark(False) in text_at(view, *where)
    seen: dict[str, object] = {}

    def sign(widget: QWidget) -> None:
        assert isinstance(widget, SignDialog), widget
        seen.update(
            scope=widget.scope.text(),
            asks_user=not widget.user_edit.isHidden(),
            statement=widget.statement.text(),
            meanings=[widget.meaning_box.itemText(i) for i in range(widget.meaning_box.count())],
        )
        assert not widget.sign_button.isEnabled()  # no meaning, no components yet
        type_credentials(qtbot, widget, "APPROVE", PASSWORDS[DOCTOR], DOCTOR)
        shot(widget, "sign-dialog-first-time")
        assert widget.sign_button.isEnabled()
        qtbot.mouseClick(widget.sign_button, LEFT)

    on_next_dialog(sign)
    view.sign_casebook_action.trigger()
    qtbot.waitUntil(lambda: state_at(view, "SCR", 1, "IC") is CellState.SIGNED, timeout=WAIT)
    assert seen["scope"] == f"Casebook of {site.b} — 2 forms"
    assert seen["asks_user"] is True
    assert "legally binding equivalent of my handwritten signature" in str(seen["statement"])
    names = [m.name.en for m in ws.study.signature_meanings]
    assert seen["meanings"] == ["(choose the meaning of your signature)", *names]
    assert state_at(view, "CYCLE", 1, "EX") is CellState.SIGNED
    assert labels.to_sign_mark(False) not in text_at(view, "SCR", 1, "IC")
    signed = ws.signatures.manifestations(site.b)
    assert [(m.form_oid, m.scope, m.meaning) for m in signed] == [
        ("IC", "casebook", "APPROVE"),
        ("EX", "casebook", "APPROVE"),
    ]
    assert f"Electronically signed by {FULL_NAMES[DOCTOR]} ({DOCTOR})" in tooltip_at(
        view, "SCR", 1, "IC"
    )
    assert view.notice.text() == "2 forms were signed."
    assert ws.signed_in_session
    assert ws.signatures.to_sign(subject_id=site.b) == []


def test_a_voided_signature_is_marked_and_the_second_signing_needs_the_password_only(
    qtbot: QtBot, store: StoreSite, site: MonitoringSite, runner: JobRunner
) -> None:
    ws = store.login(DOCTOR)
    ws.signatures.sign_casebook(
        site.b, meaning="REVIEW", password=PASSWORDS[DOCTOR], user_id=DOCTOR
    )
    nurse = store.login(NURSE)
    nurse.casebook.save_form(site.b, "SCR", 1, "IC", {"ICVER": "2.1"}, reason="Wrong version")
    view = casebook_view(qtbot, ws, runner, site.b)
    assert state_at(view, "SCR", 1, "IC") is CellState.COMPLETE
    assert labels.to_sign_mark(True) in text_at(view, "SCR", 1, "IC")  # to be signed again
    tip = tooltip_at(view, "SCR", 1, "IC")
    assert "Signature voided by a change" in tip and "Wrong version" in tip
    assert state_at(view, "CYCLE", 1, "EX") is CellState.SIGNED  # its signature stands
    assert view.select_cell(CellTarget("SCR", 1, "IC"))
    assert view.sign_event_action.isEnabled()
    before = audit_count(ws)
    tries: list[str] = []

    def sign(widget: QWidget) -> None:
        assert isinstance(widget, SignDialog), widget
        assert widget.user_edit.isHidden()  # the session has signed before: password only
        tries.append(widget.scope.text())
        type_credentials(qtbot, widget, "REVIEW", "not my password")
        qtbot.mouseClick(widget.sign_button, LEFT)

        def again() -> None:
            if widget.error.isHidden():  # the refusal is on its way
                QTimer.singleShot(20, again)
                return
            tries.append(widget.error.text())
            assert widget.isVisible() and widget.password_edit.text() == ""
            shot(widget, "sign-dialog-second-time-wrong-password")
            type_credentials(qtbot, widget, "REVIEW", PASSWORDS[DOCTOR])
            qtbot.mouseClick(widget.sign_button, LEFT)

        QTimer.singleShot(20, again)

    on_next_dialog(sign)
    view.sign_event_action.trigger()
    qtbot.waitUntil(lambda: state_at(view, "SCR", 1, "IC") is CellState.SIGNED, timeout=WAIT)
    assert tries[0] == f"Screening of {site.b} — 1 form"
    assert "Wrong user ID or password" in tries[1]
    assert "signature_refused" in audit_actions(ws, before)
    assert [m.scope for m in ws.signatures.manifestations(site.b, "SCR", 1, "IC")] == ["event"]


def test_the_sign_dialog_hands_over_the_components_once(qtbot: QtBot, store: StoreSite) -> None:
    """Plain use (the form page's): exec(), then the accessors; the password goes once."""
    ws = store.login(DOCTOR)
    dialog = SignDialog(ws, "zh", "Vital signs", None)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.needs_user_id and dialog.user_edit.isVisible()
    zh = [m.name.zh for m in ws.study.signature_meanings]
    assert [dialog.meaning_box.itemText(i) for i in range(1, dialog.meaning_box.count())] == zh
    type_credentials(qtbot, dialog, "REVIEW", PASSWORDS[DOCTOR])
    assert not dialog.sign_button.isEnabled()  # the first signature needs the user ID too
    qtbot.keyClicks(dialog.user_edit, f" {DOCTOR} ")
    qtbot.mouseClick(dialog.sign_button, LEFT)
    assert dialog.result() == SignDialog.DialogCode.Accepted
    assert dialog.credentials() == ("REVIEW", DOCTOR, PASSWORDS[DOCTOR])
    assert dialog.password == "" and dialog.password_edit.text() == ""  # handed over once
    dialog.show_error("Wrong user ID or password")
    assert not dialog.error.isHidden() and "Wrong" in dialog.error.text()

    ws.signed_in_session = True
    later = SignDialog(ws, "en", "Vital signs", None)
    qtbot.addWidget(later)
    later.show()
    assert not later.needs_user_id and later.user_edit.isHidden() and later.user_id is None
    type_credentials(qtbot, later, "AUTHOR", "typed")
    later.reject()
    assert later.password == ""  # cancelled: nothing stays behind


def test_signing_is_refused_up_front_with_the_forms_that_are_not_complete(
    qtbot: QtBot, store: StoreSite, site: MonitoringSite, runner: JobRunner
) -> None:
    ws = store.login(DOCTOR)
    view = casebook_view(qtbot, ws, runner, site.a)
    before = audit_count(ws)
    shown: dict[str, str] = {}

    def read(widget: QWidget) -> None:
        assert isinstance(widget, QMessageBox), f"expected the refusal, got {widget!r}"
        shown.update(text=widget.text(), informative=widget.informativeText())
        shot(widget, "sign-refused")
        widget.accept()

    on_next_dialog(read)
    view.sign_casebook_action.trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT)
    assert "Nothing was signed: 3 form(s)" in shown["text"]
    for form in ("DM", "MH", "PRIOR"):
        assert f"{site.a}/SCR/{form}: in progress" in shown["informative"]
    assert ws.signatures.manifestations(site.a) == []
    assert audit_count(ws) == before  # no password was asked for, nothing refused or written


def test_too_many_wrong_signature_passwords_end_the_session(
    qtbot: QtBot, store: StoreSite, site: MonitoringSite, runner: JobRunner
) -> None:
    ws = store.login(DOCTOR)
    view = casebook_view(qtbot, ws, runner, site.b)
    limit = LoginPolicy().max_failed_logins

    def sign(widget: QWidget) -> None:
        assert isinstance(widget, SignDialog)

        def attempt() -> None:
            if not shiboken6.isValid(widget) or not widget.isVisible():
                return
            if not widget.sign_button.isEnabled() and widget.working.isVisible():
                QTimer.singleShot(20, attempt)  # still checking
                return
            widget.password_edit.clear()
            widget.user_edit.clear()
            type_credentials(qtbot, widget, "REVIEW", "wrong guess", DOCTOR)
            qtbot.mouseClick(widget.sign_button, LEFT)
            QTimer.singleShot(20, attempt)

        attempt()

    on_next_dialog(sign)
    with qtbot.waitSignal(view.sessionEnded, timeout=WAIT) as ended:
        view.sign_casebook_action.trigger()
    assert "is now locked" in ended.args[0]
    assert ws.logged_out
    assert len(audit_of(store.login(ADMIN), site.b, "signature_refused")) == limit


def test_a_signing_lockout_in_the_application_returns_to_the_login_screen(
    qtbot: QtBot, start: Callable[..., Shell], closed_site: Path, site: MonitoringSite
) -> None:
    shell = start(closed_site)
    window = logged_in(qtbot, shell, DOCTOR)
    assert window.open_subject(site.b)
    casebook = window.casebook
    qtbot.waitUntil(lambda: casebook.header is not None, timeout=WAIT)

    def guess(widget: QWidget) -> None:
        assert isinstance(widget, SignDialog)

        def attempt() -> None:
            if not shiboken6.isValid(widget) or not widget.isVisible():
                return
            if widget.working.isVisible():
                QTimer.singleShot(20, attempt)
                return
            widget.user_edit.clear()
            type_credentials(qtbot, widget, "REVIEW", "a guess", DOCTOR)
            qtbot.mouseClick(widget.sign_button, LEFT)
            QTimer.singleShot(20, attempt)

        attempt()

    on_next_dialog(guess)
    casebook.sign_casebook_action.trigger()
    qtbot.waitUntil(
        lambda: shell.login_window is not None and shell.login_window.isVisible(), timeout=WAIT
    )
    assert shell.login_window is not None
    assert "is now locked" in shell.login_window.message.text()
    assert shell.main_window is None


# ------------------------------------------------------------------------------ holds


def test_the_monitor_sees_sdv_progress_and_freezes_the_subject_with_a_reason(
    qtbot: QtBot, store: StoreSite, site: MonitoringSite, runner: JobRunner
) -> None:
    ws = store.login(MONITOR)
    ws.sdv.verify(site.a, "SCR", 1, "IC")
    ws.sdv.verify(site.a, "SCR", 1, "DM", ["BRTHDAT"])
    view = casebook_view(qtbot, ws, runner, site.a)
    forms = ws.sdv.subject_status(site.a)
    verified, required = sum(f.verified for f in forms), sum(f.required for f in forms)
    assert view.sdv_label.text() == f"SDV: {verified} of {required} verified"
    assert view.sdv_totals == (verified, required) and 0 < verified < required
    for form in forms:
        where = (form.event_oid, form.occurrence, form.form_oid)
        assert labels.sdv_mark(form.verified, form.required) in text_at(view, *where)
        assert f"{form.verified} of {form.required} values" in tooltip_at(view, *where)
    assert labels.sdv_mark(1, 1) in text_at(view, "SCR", 1, "IC")  # all verified
    assert labels.sdv_mark(1, 2) in text_at(view, "SCR", 1, "DM")  # some
    assert labels.sdv_mark(0, 1) in text_at(view, "CYCLE", 1, "EX")  # none yet
    assert view.sign_button.isHidden() and not view.hold_button.isHidden()
    assert sorted(a.objectName() for a in view.hold_actions.values()) == [
        "freeze_form",
        "freeze_subject",
    ]  # a monitor freezes; locking and releasing are the administrator's
    titles: list[str] = []
    on_next_dialog(reason_given("Source data verified, queries closed", titles))
    view.hold_actions[("freeze", Scope.SUBJECT)].trigger()
    qtbot.waitUntil(lambda: not view.hold_banner.isHidden(), timeout=WAIT)
    assert titles == [f"Freeze: Subject {site.a}"]
    banner = view.hold_banner.text()
    assert f"Subject {site.a}: frozen by {MONITOR} on" in banner
    assert "Reason: Source data verified, queries closed" in banner
    assert ws.holds.state_of(site.a).state is State.FROZEN
    assert not view.hold_actions[("freeze", Scope.SUBJECT)].isEnabled()  # frozen already
    assert view.notice.text() == f"Subject {site.a} was frozen."
    shot(view, "casebook-monitor-sdv-and-hold-banner")


def test_the_administrator_locks_and_unlocks_the_subject_and_freezes_a_form(
    qtbot: QtBot, store: StoreSite, site: MonitoringSite, runner: JobRunner
) -> None:
    ws = store.login(ADMIN)
    view = casebook_view(qtbot, ws, runner, site.a)
    assert view.sdv_label.isHidden() and view.sign_button.isHidden()
    assert len(view.hold_actions) == 8
    lock = view.hold_actions[("lock", Scope.SUBJECT)]
    unlock = view.hold_actions[("unlock", Scope.SUBJECT)]
    assert lock.isEnabled() and not unlock.isEnabled()
    on_next_dialog(reason_given("Database lock for the interim analysis"))
    lock.trigger()
    qtbot.waitUntil(lambda: "locked by admin" in view.hold_banner.text(), timeout=WAIT)
    assert "Reason: Database lock for the interim analysis" in view.hold_banner.text()
    assert not lock.isEnabled() and unlock.isEnabled()
    shot(view, "casebook-admin-locked")
    on_next_dialog(reason_given("Interim analysis done"))
    unlock.trigger()
    qtbot.waitUntil(lambda: view.hold_banner.isHidden(), timeout=WAIT)
    unlocked = [e for e in ws.audit.history(subject_id=site.a) if e.action == "subject_unlocked"]
    locked = [e for e in ws.audit.history(subject_id=site.a) if e.action == "subject_locked"]
    assert [e.reason for e in locked] == ["Database lock for the interim analysis"]
    assert [e.reason for e in unlocked] == ["Interim analysis done"]
    assert ws.holds.state_of(site.a).state is State.OPEN

    # the form of the selected cell, on its own
    assert view.select_cell(CellTarget("SCR", 1, "IC"))
    freeze_form = view.hold_actions[("freeze", Scope.FORM)]
    assert freeze_form.isEnabled()
    on_next_dialog(reason_given("Consent checked against the signed original"))
    freeze_form.trigger()
    qtbot.waitUntil(lambda: labels.frozen_mark() in text_at(view, "SCR", 1, "IC"), timeout=WAIT)
    assert "frozen by admin" in tooltip_at(view, "SCR", 1, "IC")
    assert view.hold_banner.isHidden()  # a form's own freeze shows in its cell
    assert ws.holds.state_of(site.a, "SCR", 1, "IC").state is State.FROZEN
    assert view.select_cell(CellTarget("SCR", 1, "IC"))
    lock_form = view.hold_actions[("lock", Scope.FORM)]
    on_next_dialog(reason_given("Final"))
    lock_form.trigger()
    qtbot.waitUntil(lambda: state_at(view, "SCR", 1, "IC") is CellState.LOCKED, timeout=WAIT)
    assert view.select_cell(CellTarget("SCR", 1, "IC"))
    assert view.hold_actions[("unlock", Scope.FORM)].isEnabled()
    assert view.hold_actions[("unfreeze", Scope.FORM)].isEnabled()
    assert not lock_form.isEnabled()


# ------------------------------------------------------------------------------ subjects


def test_the_subjects_table_shows_sdv_progress_holds_and_filters_needs_sdv(
    qtbot: QtBot, store: StoreSite, site: MonitoringSite, runner: JobRunner
) -> None:
    ws = store.login(MONITOR)
    ws.sdv.verify(site.b, "SCR", 1, "IC")
    ws.sdv.verify(site.b, "CYCLE", 1, "EX")
    ws.sdv.verify(site.a, "SCR", 1, "IC")
    ws.holds.freeze(Target.subject(site.a), "Clean")
    view = SubjectsView(ws, runner, "en", today=TODAY)
    qtbot.addWidget(view)
    view.resize(1280, 400)
    view.show()
    with qtbot.waitSignal(view.sdvLoaded, timeout=WAIT):
        view.refresh()
    assert not view.table.isColumnHidden(SubjectColumn.SDV)
    progress = {p.subject_id: p for p in ws.sdv.site_status()}
    for subject_id in (site.a, site.b):
        row = view.visible_subjects().index(subject_id)
        shown = str(view.proxy.index(row, SubjectColumn.SDV).data())
        p = progress[subject_id]
        assert shown == f"{p.verified} / {p.required}"
    assert progress[site.b].pending == 0 and progress[site.a].pending > 0
    row = view.visible_subjects().index(site.a)
    assert view.proxy.index(row, SubjectColumn.HOLD).data() == "Frozen"
    assert "Reason: Clean" in view.proxy.index(row, SubjectColumn.HOLD).data(
        Qt.ItemDataRole.ToolTipRole
    )
    row = view.visible_subjects().index(site.b)
    assert view.proxy.index(row, SubjectColumn.HOLD).data() == ""
    shot(view, "subjects-monitor-sdv-and-holds")
    qtbot.mouseClick(view.needs_sdv_box, LEFT)
    assert view.needs_sdv_box.isChecked()
    assert view.visible_subjects() == [site.a]
    assert view.count_label.text() == "1 of 2 subjects"
    qtbot.mouseClick(view.needs_sdv_box, LEFT)
    assert sorted(view.visible_subjects()) == [site.a, site.b]


def test_the_sdv_column_and_filter_are_for_monitors_and_a_site_freeze_marks_everyone(
    qtbot: QtBot, store: StoreSite, site: MonitoringSite, runner: JobRunner
) -> None:
    store.login(ADMIN).holds.lock(Target.site(), "Study closed")
    ws = store.login(NURSE)
    view = SubjectsView(ws, runner, "en", today=TODAY)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.refresh()
    assert view.table.isColumnHidden(SubjectColumn.SDV) and view.needs_sdv_box.isHidden()
    for row in range(view.proxy.rowCount()):
        assert view.proxy.index(row, SubjectColumn.HOLD).data() == "Locked"


# ------------------------------------------------------------------------------ worklist


def test_the_investigators_worklist_lists_the_forms_to_sign(
    qtbot: QtBot, store: StoreSite, site: MonitoringSite, runner: JobRunner
) -> None:
    ws = store.login(DOCTOR)
    ws.signatures.sign_form(
        site.b, "SCR", 1, "IC", meaning="REVIEW", password=PASSWORDS[DOCTOR], user_id=DOCTOR
    )
    store.login(NURSE).casebook.save_form(site.b, "SCR", 1, "IC", {"ICVER": "2.1"}, reason="typo")
    view = WorklistView(ws, runner, "en", today=TODAY)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=WAIT):
        view.refresh()
    listed = [i for i in view.shown_items() if i.kind is WorkKind.TO_SIGN]
    expected = ws.signatures.to_sign()
    assert sorted((i.subject_id, i.event_oid, i.occurrence, i.form_oid) for i in listed) == sorted(
        (t.subject_id, t.event_oid, t.occurrence, t.form_oid) for t in expected
    )
    voided = [i for i in listed if i.detail == "voided"]
    assert [(i.subject_id, i.form_oid) for i in voided] == [(site.b, "IC")]
    what = work_row(ws.study, voided[0], "en", 0).texts[WorkColumn.WHAT]
    assert what == "Form to sign — a change voided the signature: to be signed again"
    view.set_kind_filter(WorkKind.TO_SIGN)
    assert {i.kind for i in view.shown_items()} == {WorkKind.TO_SIGN}
    nurse_items = store.login(NURSE).worklist.items(TODAY)
    assert WorkKind.TO_SIGN not in {i.kind for i in nurse_items}  # the investigators' work


def test_nothing_is_to_sign_under_a_subject_lock_on_the_worklist(
    store: StoreSite, site: MonitoringSite
) -> None:
    store.login(ADMIN).holds.lock(Target.subject(site.a), "Query audit")
    ws = store.login(DOCTOR)
    items = [i for i in ws.worklist.items(TODAY) if i.kind is WorkKind.TO_SIGN]
    assert {i.subject_id for i in items} == {site.b}
    assert len(items) == len(ws.signatures.to_sign())


# ------------------------------------------------------------------------------ site level


def read_report(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert b"\r\n" in raw
    return list(csv.reader(raw.decode("utf-8").splitlines()))


def test_a_monitor_exports_the_sdv_report_from_the_monitoring_menu(
    qtbot: QtBot, start: Callable[..., Shell], closed_site: Path, tmp_path: Path
) -> None:
    shell = start(closed_site)
    window = logged_in(qtbot, shell, MONITOR)
    menus = [a.text() for a in window.menuBar().actions()]
    assert "&Monitoring" in menus
    out = tmp_path / "exports" / "sdv.csv"
    out.parent.mkdir()

    def save(widget: QWidget) -> None:
        assert isinstance(widget, QFileDialog), widget
        assert widget.acceptMode() is QFileDialog.AcceptMode.AcceptSave
        widget.selectFile(str(out))
        widget.accept()

    on_next_dialog(save)
    window.sdv_report_action.trigger()
    qtbot.waitUntil(out.exists, timeout=WAIT)
    idle(qtbot, shell)
    rows = read_report(out)
    assert tuple(rows[0]) == REPORT_COLUMNS
    assert len(rows) - 1 == len(window.ws.sdv.report_items())
    assert {r[-1] for r in rows[1:]} == {"pending"}
    assert "The SDV report was written to" in window.statusBar().currentMessage()


def test_a_nurse_has_no_monitoring_menu(
    qtbot: QtBot, start: Callable[..., Shell], closed_site: Path
) -> None:
    shell = start(closed_site)
    window = logged_in(qtbot, shell, NURSE)
    assert "&Monitoring" not in [a.text() for a in window.menuBar().actions()]


def test_the_administrator_freezes_and_locks_the_site_and_releases_with_reasons(
    qtbot: QtBot, start: Callable[..., Shell], closed_site: Path, tmp_path: Path
) -> None:
    shell = start(closed_site)
    window = logged_in(qtbot, shell, ADMIN)
    assert window.navigate("admin")
    view = window.views["admin"]
    assert isinstance(view, AdminView)
    idle(qtbot, shell)
    view.tabs.setCurrentWidget(view.holds_page)
    assert view.site_hold_label.text() == "The site is open: nothing is frozen or locked."
    assert view.holds_table.rowCount() == 0
    assert not view.site_buttons["unfreeze"].isEnabled()

    on_next_dialog(reason_given("Monitoring visit: data review"))
    qtbot.mouseClick(view.site_buttons["freeze"], LEFT)
    qtbot.waitUntil(lambda: view.holds_table.rowCount() == 1, timeout=WAIT)
    on_next_dialog(reason_given("Close-out"))
    qtbot.mouseClick(view.site_buttons["lock"], LEFT)
    qtbot.waitUntil(lambda: view.holds_table.rowCount() == 2, timeout=WAIT)
    idle(qtbot, shell)
    cells = [
        [item.text() if (item := view.holds_table.item(r, c)) is not None else "" for c in range(5)]
        for r in range(view.holds_table.rowCount())
    ]
    assert sorted((c[0], c[1], c[2], c[4]) for c in cells) == [
        ("Frozen", "The site", ADMIN, "Monitoring visit: data review"),
        ("Locked", "The site", ADMIN, "Close-out"),
    ]
    assert "The site: locked by admin" in view.site_hold_label.text()
    assert not view.site_buttons["freeze"].isEnabled() and view.site_buttons["unlock"].isEnabled()
    shot(view, "admin-freezes-and-locks")

    row = next(r for r in range(2) if view.holds[r].level is Level.LOCKED)
    view.holds_table.selectRow(row)
    titles: list[str] = []
    on_next_dialog(reason_given("Reopened for a late query", titles))
    qtbot.mouseClick(view.findChild(QWidget, "release_hold"), LEFT)
    qtbot.waitUntil(lambda: view.holds_table.rowCount() == 1, timeout=WAIT)
    assert titles == ["Unlock"]
    assert view.holds[0].level is Level.FROZEN
    assert view.notice.text() == "The site was unlocked."
    on_next_dialog(reason_given("Review over"))
    qtbot.mouseClick(view.site_buttons["unfreeze"], LEFT)
    qtbot.waitUntil(lambda: view.holds_table.rowCount() == 0, timeout=WAIT)
    idle(qtbot, shell)
    actions = [
        (e.action, e.reason)
        for e in window.ws.audit.history()
        if e.action in ("site_frozen", "site_locked", "site_unfrozen", "site_unlocked")
    ]
    assert actions == [
        ("site_frozen", "Monitoring visit: data review"),
        ("site_locked", "Close-out"),
        ("site_unlocked", "Reopened for a late query"),
        ("site_unfrozen", "Review over"),
    ]

    out = tmp_path / "admin-sdv.csv"
    view.export_sdv_report(out)
    qtbot.waitUntil(lambda: "SDV report was written" in view.notice.text(), timeout=WAIT)
    assert tuple(read_report(out)[0]) == REPORT_COLUMNS
