"""A research nurse's day, end to end through the application shell.

One synthetic subject of the NPC-SINT-RT demo plan is moved so that its first dose
is today; then the nurse, in the real shell with the real form pages:

1. logs in and screens a new subject from the Subjects screen;
2. types the informed consent from the keyboard and marks it complete;
3. (the rest of the screening and baseline forms were entered earlier: here they are
   saved through the services, as another session would have);
4. types the eligibility checklist and sees the live verdict turn "Eligible";
5. enrols the subject from the casebook's status menu;
6. adds treatment cycle 1 and types the dosing and the vital signs, where a fever
   raises a soft warning that is kept with a reason;
7. corrects the completed consent form, giving a reason for the change, and reads the
   item's history.

Every step is checked through the services (what a data manager would query), not
through the widgets alone.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from npc_crf.demo import plan_subjects
from npc_crf.forms.eligibility import Verdict
from npc_crf.forms.session import ItemPath
from npc_crf.services.casebook import FormStatus
from npc_crf.services.subjects import SubjectStatus
from npc_crf.services.workspace import Workspace
from npc_crf.ui.casebook_view import CasebookView, StatusChangeDialog
from npc_crf.ui.form_page import FormPage
from npc_crf.ui.main_window import MainWindow
from npc_crf.ui.widgets.editors import ReadOnlyEditor
from tests.store_helpers import NURSE, SiteTemplate
from tests.ui_nurse import (
    audit_of,
    back_to,
    give_reason,
    go_to,
    history_shown,
    on_next_dialog,
    shortcut,
    stored,
    type_into,
    view_of,
    wait_saved,
)
from tests.ui_shell import LEFT, WAIT, idle, logged_in, shells_in

TODAY = dt.date.today()
PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?$")

# the first subject of the seeded demo plan is screened, enrolled and treated
PLAN = plan_subjects("NPC-SINT-RT", 6, 1, cutoff=dt.date(2026, 10, 1))[0]
FORMS: dict[tuple[str, int, str], Mapping[str, object]] = {
    (s.event, s.occurrence, s.form): s.values for s in PLAN.ordered()
}
#: every date moves by this much, so that the first dose is today
SHIFT = TODAY - FORMS["CYCLE", 1, "EX"]["EXSTDAT"]  # type: ignore[operator]

ENTERED_EARLIER = [
    ("SCR", "DM"),
    ("SCR", "NPCH"),
    ("SCR", "PRIOR"),
    ("SCR", "MH"),
    ("BASE", "TA"),
    ("BASE", "VS"),
    ("BASE", "PS"),
    ("BASE", "HEM"),
    ("BASE", "CHEM"),
    ("BASE", "THY"),
    ("BASE", "EBV"),
]


def shifted(value: object) -> object:
    """``value`` with its dates moved by SHIFT (partial dates keep their precision)."""
    if isinstance(value, dt.date):
        return value + SHIFT
    if isinstance(value, str) and (match := PARTIAL.match(value)):
        year, month = int(match[1]), int(match[2] or 1)
        day = dt.date(year, month, 15) + SHIFT
        return f"{day:%Y-%m}" if match[2] else f"{day:%Y}"
    if isinstance(value, list):
        return [shifted(row) for row in value]
    if isinstance(value, Mapping):
        return {key: shifted(v) for key, v in value.items()}
    return value


def values_of(event: str, form: str, occurrence: int = 1) -> dict[str, Any]:
    values = shifted(FORMS[event, occurrence, form])
    assert isinstance(values, dict)
    return values


def typed(value: object) -> str:
    """What the nurse types for a value: Y/N, ISO dates, codes and numbers as written."""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# -- what the nurse does in the shell -----------------------------------------------------------


def casebook_of(window: MainWindow) -> CasebookView:
    view = window.views["casebook"]
    assert isinstance(view, CasebookView)
    return view


def open_cell(qtbot: QtBot, window: MainWindow, event: str, occurrence: int, form: str) -> FormPage:
    """Choose a cell of the casebook grid with the keyboard and open it (Enter)."""
    from npc_crf.ui.casebook_model import CellTarget

    casebook = casebook_of(window)
    qtbot.waitUntil(lambda: casebook.model.grid is not None, timeout=WAIT)
    assert casebook.select_cell(CellTarget(event, occurrence, form)), (event, occurrence, form)
    qtbot.keyClick(casebook.grid, Qt.Key.Key_Return)
    return form_shown(qtbot, window)


def form_shown(qtbot: QtBot, window: MainWindow) -> FormPage:
    qtbot.waitUntil(lambda: window.current_key == "form", timeout=WAIT)
    page = window.form_page
    assert isinstance(page, FormPage)
    qtbot.waitUntil(lambda: page.view is not None and not page.busy, timeout=WAIT)
    if not window.isActiveWindow():  # the offscreen platform does not give it back after a
        window.activateWindow()  # dialog closes; a window manager (or a click) does
    qtbot.waitUntil(lambda: view_of(page).focused_path() is not None, timeout=WAIT)
    return page


def enter_values(qtbot: QtBot, page: FormPage, values: Mapping[str, object]) -> None:
    """Type every top-level value into its item, in the form's order (calculations skipped)."""
    for oid, value in values.items():
        editor = view_of(page).editors.get(ItemPath(oid))
        if editor is None or isinstance(editor, ReadOnlyEditor) or isinstance(value, list):
            continue
        type_into(qtbot, page, oid, typed(value))


def mark_complete(qtbot: QtBot, page: FormPage) -> None:
    shortcut(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, page)
    assert page.status() is FormStatus.COMPLETE, page.message.text()


def close_form(qtbot: QtBot, window: MainWindow, page: FormPage) -> None:
    qtbot.mouseClick(page.close_button, LEFT)
    qtbot.waitUntil(lambda: window.current_key == "casebook", timeout=WAIT)


def change_status(
    window: MainWindow, status: SubjectStatus, act: Callable[[StatusChangeDialog], None]
) -> None:
    """Choose ``status`` in the casebook's status menu and answer the dialog."""
    casebook = casebook_of(window)
    [action] = [a for a in casebook.status_menu.actions() if a.data() == status.value]
    action.trigger()
    dialog = casebook.status_dialog
    assert isinstance(dialog, StatusChangeDialog)
    act(dialog)


# -- the day ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> SiteTemplate:
    return SiteTemplate.build(tmp_path_factory.mktemp("day") / "site")


@pytest.fixture
def start(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    with shells_in(tmp_path) as make:
        yield make


@pytest.fixture
def site_dir(template: SiteTemplate, tmp_path: Path) -> Path:
    shutil.copytree(template.root, tmp_path / "site")
    return tmp_path / "site"


def test_a_nurse_screens_enrols_and_treats_a_subject(qtbot, start, site_dir):
    shell = start(site_dir)
    window = logged_in(qtbot, shell, NURSE)
    idle(qtbot, shell)
    ws: Workspace = shell.ws

    # 1. a new subject, from the Subjects screen
    subjects = window.views["subjects"]
    qtbot.mouseClick(subjects.findChild(QPushButton, "screen_new_subject"), LEFT)
    qtbot.waitUntil(lambda: window.current_key == "casebook", timeout=WAIT)
    idle(qtbot, shell)
    casebook = casebook_of(window)
    subject = casebook.subject_id
    assert subject is not None
    assert ws.subjects.get(subject).status is SubjectStatus.SCREENING

    # 2. informed consent, typed and marked complete
    page = open_cell(qtbot, window, "SCR", 1, "IC")
    consent = values_of("SCR", "IC")
    enter_values(qtbot, page, consent)
    mark_complete(qtbot, page)
    close_form(qtbot, window, page)
    record = stored(ws, subject, "SCR", "IC")
    assert record.status is FormStatus.COMPLETE
    assert record.answers["ICDAT"] == consent["ICDAT"] and record.answers["ICTIM"] == dt.time(10, 0)

    # 3. the other screening and baseline forms, entered earlier
    for event, form in ENTERED_EARLIER:
        ws.casebook.save_form(subject, event, 1, form, values_of(event, form), complete=True)
    casebook.refresh()
    idle(qtbot, shell)

    # 4. the eligibility checklist, with the verdict computed as it is typed
    page = open_cell(qtbot, window, "SCR", 1, "ELIG")
    assert page.eligibility is not None
    enter_values(qtbot, page, values_of("SCR", "ELIG"))
    qtbot.waitUntil(
        lambda: (
            page.eligibility.assessment is not None
            and page.eligibility.assessment.verdict is Verdict.ELIGIBLE
        ),
        timeout=WAIT,
    )
    assert page.eligibility.verdict.text() == "Eligible"
    mark_complete(qtbot, page)
    close_form(qtbot, window, page)

    # 5. enrolment, from the casebook's status menu
    idle(qtbot, shell)

    def enrol_today(dialog: StatusChangeDialog) -> None:
        assert dialog.day == TODAY
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()

    change_status(window, SubjectStatus.ENROLLED, enrol_today)
    idle(qtbot, shell)
    qtbot.waitUntil(
        lambda: casebook.header is not None and casebook.header.status is SubjectStatus.ENROLLED,
        timeout=WAIT,
    )
    assert ws.subjects.get(subject).status is SubjectStatus.ENROLLED

    # 6. cycle 1: "Add cycle" opens its first form, the vital signs, where a fever is kept
    #    with a reason; then the dosing
    qtbot.mouseClick(casebook.add_cycle_button, LEFT)
    page = form_shown(qtbot, window)
    assert (page.event_oid, page.occurrence, page.form_oid) == ("CYCLE", 1, "VS")
    vitals = {**values_of("CYCLE", "VS"), "TEMP": Decimal("38.6")}  # expected 35.5 to 38.0
    enter_values(qtbot, page, vitals)
    row = view_of(page).rows[ItemPath("TEMP")]
    assert "Expected between" in row.status.message.text()
    go_to(page, "TEMP")
    on_next_dialog(give_reason("fever on the day of dosing; investigator informed", choice=1))
    shortcut(
        qtbot, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    back_to(qtbot, page)
    mark_complete(qtbot, page)
    close_form(qtbot, window, page)
    reopened = ws.casebook.open_form(subject, "CYCLE", 1, "VS")
    assert {str(p): r for p, r in reopened.overrides().items()} == {
        "TEMP": "Confirmed in the source document: fever on the day of dosing; investigator informed"
    }
    assert stored(ws, subject, "CYCLE", "VS").answers["TEMP"] == Decimal("38.6")
    [kept] = audit_of(ws, subject, "warning_overridden")
    assert (kept.form_oid, kept.item_path) == ("VS", "TEMP")

    page = open_cell(qtbot, window, "CYCLE", 1, "EX")
    enter_values(qtbot, page, values_of("CYCLE", "EX"))
    mark_complete(qtbot, page)
    close_form(qtbot, window, page)
    ex = stored(ws, subject, "CYCLE", "EX")
    assert ex.answers["EXSTDAT"] == TODAY and ex.answers["EXDOSE"] == Decimal("200.0")
    assert ex.answers["EXPLDOSE"] == Decimal("200")  # calculated: the protocol dose

    # 7. a correction of the completed consent, with a reason, then its history
    page = open_cell(qtbot, window, "SCR", 1, "IC")
    type_into(qtbot, page, "ICTIM", "10:30")
    on_next_dialog(give_reason("time on the signed consent is 10:30", choice=1))
    shortcut(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, page)
    [change] = [e for e in audit_of(ws, subject, "value_changed") if e.item_path == "ICTIM"]
    assert (change.old, change.new) == ("10:00", "10:30")
    assert change.reason == "Transcription error: time on the signed consent is 10:30"
    go_to(page, "ICTIM")
    shortcut(qtbot, Qt.Key.Key_F2, Qt.KeyboardModifier.NoModifier)
    qtbot.waitUntil(lambda: page.history_dialog is not None, timeout=WAIT)
    rows = history_shown(page).rows()
    assert [(r[2], r[4], r[5]) for r in rows] == [
        ("Entered", "", "10:00"),
        ("Changed", "10:00", "10:30"),
    ]
    history_shown(page).reject()
    page.history_dialog = None
    assert stored(ws, subject, "SCR", "IC").status is FormStatus.COMPLETE
    assert ws.subjects.get(subject).status is SubjectStatus.ENROLLED
