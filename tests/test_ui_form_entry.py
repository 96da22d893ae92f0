"""The form entry screen used as a nurse would: keys, shortcuts, dialogs; checked in the store.

Each test opens a :class:`FormPage` on a copy of a small site, types with
``qtbot`` (keys, never widget setters for what a nurse types), answers the
dialogs that appear, and checks what was saved through the services (or, for
soft-deleted rows, the store itself).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from npc_crf.core.errors import UsageError
from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.expr.values import PartialDate
from npc_crf.forms.session import ItemPath, Status
from npc_crf.services.casebook import FormStatus
from npc_crf.services.workspace import Workspace
from npc_crf.ui.app import guard_singleton_refcounts
from npc_crf.ui.dialogs import ReasonDialog
from npc_crf.ui.worker import JobRunner
from tests.store_helpers import (
    ADMIN,
    DOCTOR,
    MONITOR,
    NURSE,
    PASSWORDS,
    SiteTemplate,
    StoreSite,
    enrol_consented,
    mh_row,
    mh_values,
)
from tests.ui_nurse import (
    audit_of,
    back_to,
    click_box_button,
    enter,
    focused,
    form_rows,
    give_reason,
    go_to,
    history_shown,
    on_next_dialog,
    open_page,
    press,
    shortcut,
    stored,
    type_into,
    type_text,
    view_of,
    wait_saved,
)

guard_singleton_refcounts()  # PySide6 6.12.0 on Python 3.11 (see npc_crf/ui/app.py)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> SiteTemplate:
    return SiteTemplate.build(
        tmp_path_factory.mktemp("template") / "site", users=(NURSE, MONITOR, DOCTOR)
    )


@pytest.fixture
def env(template: SiteTemplate, tmp_path: Path) -> Iterator[StoreSite]:
    store = template.copy(tmp_path / "site")
    yield store
    store.close()


@pytest.fixture
def ws(env: StoreSite) -> Workspace:
    return env.login(NURSE)


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[JobRunner]:
    jobs = JobRunner()
    yield jobs
    jobs.wait(10000)


@pytest.fixture
def subject(ws: Workspace) -> str:
    return enrol_consented(ws)


# -- keyboard-only entry --------------------------------------------------------------------------


def test_a_small_form_is_entered_and_saved_with_the_keyboard_only(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, subject: str
) -> None:
    from PySide6.QtCore import Qt

    page = open_page(qtbot, ws, runner, subject, "BASE", "PS")
    assert focused() is view_of(page).editors[ItemPath("PSDAT")].inputs()[0]  # ready to type
    type_text(qtbot, "20260110")  # digits only: the date is written out
    enter(qtbot)
    type_text(qtbot, "1")  # ECOG: the code chooses the radio button
    enter(qtbot)
    type_text(qtbot, "80")
    enter(qtbot)
    shortcut(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, page)
    record = stored(ws, subject, "BASE", "PS")
    assert record.answers == {"PSDAT": dt.date(2026, 1, 10), "ECOG": 1, "KPS": 80}
    assert record.status is FormStatus.IN_PROGRESS
    assert "1 change" not in page.message.text() and "3 change(s)" in page.message.text()


# -- values, warnings, skip logic, calculations ------------------------------------------------------


def test_typed_values_are_saved_and_read_back_from_the_store(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, subject: str
) -> None:
    from PySide6.QtCore import Qt

    page = open_page(qtbot, ws, runner, subject, "BASE", "VS")
    for item, text in [
        ("VSDAT", "2026-01-06"),
        ("WEIGHT", "70.5"),
        ("SYSBP", "120"),
        ("DIABP", "80"),
        ("PULSE", "72"),
        ("TEMP", "36.6"),
    ]:
        type_into(qtbot, page, item, text)
    assert page.has_unsaved()
    shortcut(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, page)
    assert stored(ws, subject, "BASE", "VS").answers == {
        "VSDAT": dt.date(2026, 1, 6),
        "WEIGHT": Decimal("70.5"),
        "SYSBP": 120,
        "DIABP": 80,
        "PULSE": 72,
        "TEMP": Decimal("36.6"),
    }
    assert not page.has_unsaved()
    assert page.status() is FormStatus.IN_PROGRESS


def test_a_soft_warning_is_overridden_with_a_reason_and_audited(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, subject: str
) -> None:
    from PySide6.QtCore import Qt

    page = open_page(qtbot, ws, runner, subject, "BASE", "VS")
    type_into(qtbot, page, "WEIGHT", "130")  # expected 35 to 120 kg
    row = view_of(page).rows[ItemPath("WEIGHT")]
    assert "Expected between 35 and 120" in row.status.message.text()
    assert row.status.override.isVisibleTo(page)
    go_to(page, "WEIGHT")
    on_next_dialog(give_reason("weighed twice", choice=1))
    shortcut(
        qtbot, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    state = page.session.state("WEIGHT") if page.session else None
    assert (
        state is not None
        and state.override_reason == "Confirmed in the source document: weighed twice"
    )
    assert "kept" in row.status.message.text()
    back_to(qtbot, page)
    shortcut(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, page)
    qtbot.waitUntil(lambda: view_of(page).focused_path() == ItemPath("WEIGHT"), timeout=5000)
    assert view_of(page).session is page.session  # re-opened from the store, cursor kept
    reopened = ws.casebook.open_form(subject, "BASE", 1, "VS")
    assert {str(p): r for p, r in reopened.overrides().items()} == {
        "WEIGHT": "Confirmed in the source document: weighed twice"
    }
    [entry] = audit_of(ws, subject, "warning_overridden")
    assert (entry.item_path, entry.reason) == (
        "WEIGHT",
        "Confirmed in the source document: weighed twice",
    )


@pytest.mark.parametrize(
    ("choice", "shown"),
    [("F", True), ("M", False)],
)
def test_skip_logic_shows_and_hides_an_item_as_the_choice_is_made(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, subject: str, choice: str, shown: bool
) -> None:
    page = open_page(qtbot, ws, runner, subject, "SCR", "DM")
    childpot = view_of(page).rows[ItemPath("CHILDPOT")]
    assert not childpot.isVisibleTo(page)  # nothing chosen yet
    go_to(page, "SEX")
    type_text(qtbot, choice)  # a radio button chosen by its code: committed at once
    assert childpot.isVisibleTo(page) is shown
    assert (page.session.state("CHILDPOT").status is Status.NOT_RELEVANT) is not shown  # type: ignore[union-attr]


def test_a_calculated_item_follows_what_is_typed_and_other_forms(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, subject: str
) -> None:
    page = open_page(qtbot, ws, runner, subject, "SCR", "DM")
    age = view_of(page).editors[ItemPath("AGE")]
    assert age.label.text() == "—"  # type: ignore[attr-defined]
    type_into(qtbot, page, "BRTHDAT", "1970-03-01")  # consent (SCR/IC) was on 2026-01-05
    assert age.label.text() == "55"  # type: ignore[attr-defined]
    type_into(qtbot, page, "BRTHDAT", "1970-01-05")
    assert age.label.text() == "56"  # type: ignore[attr-defined]


# -- completing, reasons for change, errors ------------------------------------------------------------


def test_mark_complete_is_refused_with_the_missing_items_then_accepted(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, subject: str
) -> None:
    from PySide6.QtCore import Qt

    page = open_page(qtbot, ws, runner, subject, "BASE", "PS")
    type_into(qtbot, page, "PSDAT", "2026-01-10")
    listed: list[str] = []

    def read_and_close(widget: QWidget) -> None:
        assert isinstance(widget, QMessageBox)
        listed.append(widget.informativeText())
        widget.accept()

    on_next_dialog(read_and_close)
    shortcut(
        qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    back_to(qtbot, page)
    assert listed and "ECOG performance status: Required" in listed[0]
    assert "Karnofsky performance status: Required" in listed[0]
    assert stored(ws, subject, "BASE", "PS") is None  # nothing was saved
    assert view_of(page).focused_path() == ItemPath("ECOG")  # the first missing item
    ecog = view_of(page).rows[ItemPath("ECOG")]
    assert ecog.status.isVisibleTo(page) and ecog.status.kind == "required_shown"
    type_text(qtbot, "0")
    enter(qtbot)
    type_text(qtbot, "90")
    enter(qtbot)
    shortcut(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, page)
    record = stored(ws, subject, "BASE", "PS")
    assert record.status is FormStatus.COMPLETE
    assert record.answers == {"PSDAT": dt.date(2026, 1, 10), "ECOG": 0, "KPS": 90}
    assert page.status() is FormStatus.COMPLETE


def test_changing_a_complete_form_needs_a_reason_which_is_audited(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, subject: str
) -> None:
    from PySide6.QtCore import Qt

    page = open_page(qtbot, ws, runner, subject, "SCR", "IC")  # complete since enrolment
    assert page.status() is FormStatus.COMPLETE
    type_into(qtbot, page, "ICVER", "2.1")
    on_next_dialog(lambda dialog: dialog.close())  # no reason: not saved
    shortcut(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    back_to(qtbot, page)
    assert stored(ws, subject, "SCR", "IC").answers["ICVER"] == "2.0"
    assert page.has_unsaved()
    on_next_dialog(give_reason("", choice=1))  # "Transcription error" from the list
    shortcut(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, page)
    assert stored(ws, subject, "SCR", "IC").answers["ICVER"] == "2.1"
    [change] = [e for e in audit_of(ws, subject, "value_changed") if e.item_path == "ICVER"]
    assert (change.old, change.new, change.reason) == ("2.0", "2.1", "Transcription error")
    assert page.status() is FormStatus.COMPLETE


def test_a_refused_save_is_explained_and_nothing_typed_is_lost(
    qtbot: QtBot, env: StoreSite, ws: Workspace, runner: JobRunner, subject: str
) -> None:
    from PySide6.QtCore import Qt

    ws.casebook.save_form(subject, "BASE", 1, "VS", {"WEIGHT": "70"})
    page = open_page(qtbot, ws, runner, subject, "BASE", "VS")
    admin = env.login(ADMIN)
    admin.casebook.set_locked(subject, "BASE", 1, "VS", True, "monitoring visit")
    type_into(qtbot, page, "PULSE", "72")
    shown: list[str] = []

    def read_and_close(widget: QWidget) -> None:
        assert isinstance(widget, QMessageBox)
        shown.append(widget.text())
        widget.accept()

    on_next_dialog(read_and_close)
    shortcut(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, page)
    back_to(qtbot, page)
    assert isinstance(page.last_error, UsageError)
    assert shown and "locked" in shown[0]
    assert "locked" in page.message.text()
    assert page.session is not None and page.session.value("PULSE") == 72  # still there
    assert page.has_unsaved()
    assert "PULSE" not in stored(ws, subject, "BASE", "VS").answers


def test_changing_a_signed_form_warns_and_announces_the_voided_signature(
    qtbot: QtBot, env: StoreSite, ws: Workspace, runner: JobRunner, subject: str
) -> None:
    from PySide6.QtCore import Qt

    doctor = env.login(DOCTOR)
    doctor.casebook.sign_form(
        subject, "SCR", 1, "IC", password=PASSWORDS[DOCTOR], meaning="APPROVE", user_id=DOCTOR
    )
    page = open_page(qtbot, ws, runner, subject, "SCR", "IC")
    assert page.status() is FormStatus.SIGNED
    type_into(qtbot, page, "ICVER", "2.1")
    warned: list[str] = []

    def read_warning_and_give_reason(widget: QWidget) -> None:
        assert isinstance(widget, ReasonDialog)
        caution = widget.findChild(QLabel, "warning")
        warned.append(caution.text() if caution is not None else "")
        give_reason("wrong version transcribed")(widget)

    on_next_dialog(read_warning_and_give_reason)
    shortcut(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, page)
    assert warned and "voids the signature" in warned[0]
    assert page.last_result is not None and page.last_result.signature_voided
    assert "signature was voided" in page.message.text()
    assert page.status() is FormStatus.COMPLETE  # signed no more
    assert [e.reason for e in audit_of(ws, subject, "signature_voided")] == [
        "wrong version transcribed"
    ]


def test_a_locked_form_opens_read_only(
    qtbot: QtBot, env: StoreSite, ws: Workspace, runner: JobRunner, subject: str
) -> None:
    env.login(ADMIN).casebook.set_locked(subject, "SCR", 1, "IC", True, "database lock")
    page = open_page(qtbot, ws, runner, subject, "SCR", "IC")
    assert page.read_only and view_of(page).read_only and page.status() is FormStatus.LOCKED
    assert "locked" in page.info.text()
    assert not page.save() and not page.busy


# -- repeating groups, partial dates, missing codes ----------------------------------------------------------


def test_removing_a_middle_row_soft_deletes_that_row(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, subject: str
) -> None:
    from PySide6.QtCore import Qt

    ws.casebook.save_form(
        subject, "SCR", 1, "MH", mh_values(mh_row("Hypertension"), mh_row("Gout"), mh_row("Asthma"))
    )
    uids = [r["uid"] for r in form_rows(ws, subject, "SCR", "MH")]
    page = open_page(qtbot, ws, runner, subject, "SCR", "MH")
    table = view_of(page).tables["MH"]
    assert table.focus_cell(ItemPath("MHTERM", "MH", 2))  # the cursor on "Gout"
    on_next_dialog(click_box_button(QMessageBox.StandardButton.Yes))
    shortcut(qtbot, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    back_to(qtbot, page)
    assert [table.grid.item(r, 0).text() for r in range(table.grid.rowCount())] == [  # type: ignore[union-attr]
        "Hypertension",
        "Asthma",
    ]
    shortcut(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, page)
    rows = {r["uid"]: r for r in form_rows(ws, subject, "SCR", "MH")}
    assert [rows[u]["deleted"] for u in uids] == [0, 1, 0]
    terms = [r["MHTERM"] for r in stored(ws, subject, "SCR", "MH").answers["MH"]]
    assert terms == ["Hypertension", "Asthma"]


def test_a_partial_date_with_an_unknown_day_is_stored_as_a_partial_date(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, subject: str
) -> None:
    from PySide6.QtCore import Qt

    page = open_page(qtbot, ws, runner, subject, "SCR", "NPCH")
    go_to(page, "DIAGDAT")
    type_text(qtbot, "2023")
    enter(qtbot)  # on to the month
    type_text(qtbot, "5")
    enter(qtbot)  # on to the day
    type_text(qtbot, "unk")
    enter(qtbot)  # leaves the date: committed
    assert page.session is not None and page.session.value("DIAGDAT") == PartialDate(2023, 5)
    shortcut(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, page)
    assert stored(ws, subject, "SCR", "NPCH").answers["DIAGDAT"] == PartialDate(2023, 5)


def test_a_missing_data_code_is_chosen_with_the_keyboard_and_stored(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, subject: str
) -> None:
    from PySide6.QtCore import Qt

    page = open_page(qtbot, ws, runner, subject, "BASE", "VS")
    go_to(page, "PULSE")

    def choose_nd(widget: QWidget) -> None:
        assert isinstance(widget, QMenu)
        [action] = [a for a in widget.actions() if a.data() == "ND"]
        widget.setActiveAction(action)
        qtbot.keyClick(widget, Qt.Key.Key_Return)

    on_next_dialog(choose_nd, popup=True)
    shortcut(qtbot, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    row = view_of(page).rows[ItemPath("PULSE")]
    assert page.session is not None and page.session.value("PULSE") == Missing("ND")
    assert row.status.message.text() == "ND – Not done"
    assert row.missing is not None and row.missing.text() == "ND"
    back_to(qtbot, page)
    shortcut(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, page)
    assert stored(ws, subject, "BASE", "VS").answers["PULSE"] == Missing("ND")


def test_a_group_is_filled_in_from_the_keyboard(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, subject: str
) -> None:
    from PySide6.QtCore import Qt

    page = open_page(qtbot, ws, runner, subject, "SCR", "MH")
    table = view_of(page).tables["MH"]
    assert not table.isVisibleTo(page)  # until "any relevant history?" is yes
    type_text(qtbot, "Y")  # MHYN has the focus: yes
    assert table.isVisibleTo(page)
    enter(qtbot)  # on to the table
    assert focused() is table.grid
    shortcut(qtbot, Qt.Key.Key_Insert, Qt.KeyboardModifier.ControlModifier)
    assert table.grid.rowCount() == 1 and table.current_path() == ItemPath("MHTERM", "MH", 1)
    type_text(qtbot, "Gout")  # typing starts editing the cell
    press(qtbot, Qt.Key.Key_Tab)  # commit, edit the next cell (a drop-down)
    assert isinstance(focused(), QComboBox)
    type_text(qtbot, "End")  # Endocrine
    press(qtbot, Qt.Key.Key_Tab)  # commit, on to the partial date
    type_text(qtbot, "2015")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "6")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "UNK")
    press(qtbot, Qt.Key.Key_Tab)  # the date is committed; on to "ongoing?"
    type_text(qtbot, "Y")
    press(qtbot, Qt.Key.Key_Return)  # commits (on the next turn of the event loop)
    session = page.session
    assert session is not None
    qtbot.waitUntil(lambda: session.value("MH[1].MHONGO") is True, timeout=2000)
    assert session.value("MH[1].MHTERM") == "Gout"
    assert session.value("MH[1].MHCAT") == "ENDOCRINE"
    assert session.value("MH[1].MHSTDAT") == PartialDate(2015, 6)
    assert session.value("MH[1].MHONGO") is True
    # the end date does not apply to an ongoing condition: greyed and locked in that row
    end_col = [c.oid for c in table.columns].index("MHENDAT")
    assert not table.grid.item(0, end_col).flags() & Qt.ItemFlag.ItemIsEditable  # type: ignore[union-attr]
    assert session.state("MH[1].MHTOXGR").status is Status.REQUIRED_EMPTY
    shortcut(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, page)
    [row] = stored(ws, subject, "SCR", "MH").answers["MH"]
    assert row == {
        "MHTERM": "Gout",
        "MHCAT": "ENDOCRINE",
        "MHSTDAT": PartialDate(2015, 6),
        "MHONGO": True,
    }


# -- history, leaving, roles ------------------------------------------------------------------------------


def test_the_history_of_an_item_shows_the_change(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, subject: str
) -> None:
    from PySide6.QtCore import Qt

    ws.casebook.save_form(subject, "BASE", 1, "VS", {"WEIGHT": "70"})
    page = open_page(qtbot, ws, runner, subject, "BASE", "VS")
    type_into(qtbot, page, "WEIGHT", "72")
    shortcut(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, page)
    go_to(page, "WEIGHT")
    qtbot.mouseClick(page.history_button, Qt.MouseButton.LeftButton)  # F2 does the same
    qtbot.waitUntil(lambda: page.history_dialog is not None, timeout=5000)
    dialog = history_shown(page)
    rows = dialog.rows()
    assert [(r[2], r[3], r[4], r[5]) for r in rows] == [
        ("Entered", "Weight", "", "70"),
        ("Changed", "Weight", "70", "72"),
    ]
    cell = dialog.table.item(0, dialog.ITEM)
    assert cell is not None and cell.toolTip() == "Weight\nWEIGHT"  # the path too
    assert all(r[1] == "nurse (CRC)" for r in rows)
    dialog.reject()  # Esc
    page.history_dialog = None
    back_to(qtbot, page)
    press(qtbot, Qt.Key.Key_F2, Qt.KeyboardModifier.ShiftModifier)  # the whole form
    qtbot.waitUntil(lambda: page.history_dialog is not None, timeout=5000)
    whole = history_shown(page).rows()
    assert {"Form started", "Entered", "Changed"} <= {r[2] for r in whole}
    statuses = [(r[4], r[5]) for r in whole if r[2] == "Status changed"]
    assert statuses == [("Not started", "In progress")]  # words, not codes


@pytest.mark.parametrize(
    ("answer", "leaves", "saved"),
    [
        (QMessageBox.StandardButton.Cancel, False, False),
        (QMessageBox.StandardButton.Discard, True, False),
        (QMessageBox.StandardButton.Save, True, True),
    ],
)
def test_leaving_with_unsaved_changes_asks_first(
    qtbot: QtBot,
    ws: Workspace,
    runner: JobRunner,
    subject: str,
    answer: QMessageBox.StandardButton,
    leaves: bool,
    saved: bool,
) -> None:
    page = open_page(qtbot, ws, runner, subject, "BASE", "VS")
    assert page.confirm_leave()  # nothing typed: no question
    go_to(page, "PULSE")
    type_text(qtbot, "72")  # typed, not yet committed: still counts
    asked = on_next_dialog(click_box_button(answer))
    assert page.confirm_leave() is leaves
    assert len(asked) == 1
    record = stored(ws, subject, "BASE", "VS")
    assert (record is not None and record.answers.get("PULSE") == 72) is saved


def test_a_monitor_reads_the_form_but_cannot_change_it(
    qtbot: QtBot, env: StoreSite, ws: Workspace, runner: JobRunner, subject: str
) -> None:
    from PySide6.QtCore import Qt

    ws.casebook.save_form(subject, "BASE", 1, "VS", {"WEIGHT": "70"})
    monitor = env.login(MONITOR)
    page = open_page(qtbot, monitor, runner, subject, "BASE", "VS")
    view = view_of(page)
    assert page.read_only and view.read_only
    weight = view.editors[ItemPath("WEIGHT")].inputs()[0]
    assert isinstance(weight, QLineEdit) and weight.isReadOnly() and weight.text() == "70"
    assert not page.save_button.isVisibleTo(page) and not page.complete_button.isVisibleTo(page)
    assert all(row.missing is None for row in view.rows.values())
    assert "read only" in page.info.text()
    go_to(page, "WEIGHT")
    type_text(qtbot, "99")
    shortcut(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not page.busy and weight.text() == "70"
    assert not page.has_unsaved() and page.confirm_leave()
    press(qtbot, Qt.Key.Key_F2)  # history is still there
    qtbot.waitUntil(lambda: page.history_dialog is not None, timeout=5000)
    assert history_shown(page).rows()


# -- eligibility ---------------------------------------------------------------------------------------


def test_the_eligibility_verdict_follows_the_answers_as_they_are_typed(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, subject: str
) -> None:
    page = open_page(qtbot, ws, runner, subject, "SCR", "ELIG")
    panel = page.eligibility
    assert panel is not None and panel.verdict.text() == "Incomplete"
    assert "EX01" in panel.details.text()  # not decided yet: needs this form's answer
    go_to(page, "EPRIRAE")
    type_text(qtbot, "Y")  # an exclusion criterion applies
    qtbot.waitUntil(lambda: panel.verdict.text() == "Not eligible", timeout=2000)
    assert panel.assessment is not None
    assert [r.criterion.id for r in panel.assessment.failing] == ["EX01"]
    type_text(qtbot, "N")
    qtbot.waitUntil(lambda: panel.verdict.text() == "Incomplete", timeout=2000)
    assert stored(ws, subject, "SCR", "ELIG") is None  # all of it before any save


def test_other_pages_have_no_eligibility_panel(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, subject: str
) -> None:
    assert open_page(qtbot, ws, runner, subject, "SCR", "DM").eligibility is None


# -- known problems elsewhere ------------------------------------------------------------------------------


def test_a_session_from_open_form_can_check_against_other_forms(
    ws: Workspace, subject: str
) -> None:
    session = ws.casebook.open_form(subject, "SCR", 1, "ELIG")
    result = session.answer("ELIGDAT", "2026-01-04")  # before consent (2026-01-05): refused
    assert result.status is Status.HARD_ERROR


# -- how it looks --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pages_are_drawn_in_both_languages(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, subject: str, lang: str, tmp_path: Path
) -> None:
    """Screenshots of a few filled-in pages; set NPC_CRF_SHOTS=DIR to keep them."""
    import os

    ws.casebook.save_form(
        subject, "SCR", 1, "MH", mh_values(mh_row("Hypertension"), mh_row("Gout", start="2026-02"))
    )
    ws.casebook.save_form(subject, "BASE", 1, "VS", {"VSDAT": "2026-01-06", "WEIGHT": "130"})
    out = Path(os.environ.get("NPC_CRF_SHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    for event, form in [
        ("BASE", "VS"),
        ("SCR", "MH"),
        ("SCR", "ELIG"),
        ("BASE", "TA"),
        ("BASE", "PS"),
    ]:
        page = open_page(qtbot, ws, runner, subject, event, form, lang=lang)
        if form == "PS":  # a refused value, and what "mark complete" would ask for
            view_of(page).answer(ItemPath("KPS"), "85")
            view_of(page).set_highlight_required(True)
        expected = {"en": "Screening", "zh": "筛选期"}[lang] if event == "SCR" else None
        assert expected is None or expected in page.header.text()
        path = out / f"{lang}-{event}-{form}.png"
        assert page.grab().save(str(path))
        assert path.stat().st_size > 10000
        page.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_narrow_window_narrows_the_labels_instead_of_scrolling_sideways(
    qtbot: QtBot, ws: Workspace, runner: JobRunner, subject: str, lang: str
) -> None:
    page = open_page(qtbot, ws, runner, subject, "SCR", "ELIG", lang=lang)  # with its panel
    page.resize(760, 700)  # a 1024-wide screen, less the navigation
    view = view_of(page)
    qtbot.waitUntil(lambda: view.horizontalScrollBar().maximum() == 0, timeout=5000)
    holder = view.rows[ItemPath("IELIFE")].label_holder
    assert holder is not None and holder.width() < view.viewport().width() // 2
    narrow = holder.width()
    page.resize(1800, 900)  # wide again: the labels take their full width back
    qtbot.waitUntil(lambda: holder.width() > narrow, timeout=5000)
