"""The form view on the worked example of docs/form-definitions.md, without a store.

Type into fields as a nurse would and see statuses, calculations and skip logic;
``FormView(session, lang)`` is also what the application shell used before the
form page existed, so the two-argument form keeps working.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from npc_crf.forms.loader import load_studies
from npc_crf.forms.model import Study
from npc_crf.forms.session import FormSession, ItemPath
from npc_crf.ui.app import guard_singleton_refcounts
from npc_crf.ui.form_view import FormView

guard_singleton_refcounts()  # PySide6 6.12.0 on Python 3.11 (see npc_crf/ui/app.py)

EXAMPLE = Path(__file__).parent / "fixtures" / "forms" / "worked-example"


@pytest.fixture(scope="module")
def study() -> Study:
    [loaded] = load_studies(EXAMPLE)
    return loaded


def open_view(qtbot: QtBot, study: Study, form: str, lang: str = "en") -> FormView:
    session = FormSession(
        study, study.forms[form], event="CYCLE", occurrence=1, today=dt.date(2025, 1, 1)
    )
    view = FormView(session, lang)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=5000)
    return view


def type_into(qtbot: QtBot, view: FormView, oid: str, text: str) -> None:
    edit = view.findChild(QLineEdit, f"edit_{oid}")
    assert edit is not None
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)


def status_text(view: FormView, oid: str) -> str:
    label = view.findChild(QLabel, f"status_{oid}")
    assert label is not None
    return label.text()


def value_text(view: FormView, oid: str) -> str:
    label = view.findChild(QLabel, f"value_{oid}")
    assert label is not None
    return label.text()


def test_typing_updates_calculation_and_statuses(qtbot: QtBot, study: Study) -> None:
    view = open_view(qtbot, study, "VS")
    type_into(qtbot, view, "WEIGHT", "70")
    type_into(qtbot, view, "HEIGHT", "175")
    assert value_text(view, "BMI") == "22.9"
    type_into(qtbot, view, "WEIGHT", "130")
    assert "Expected between 35 and 120" in status_text(view, "WEIGHT")
    type_into(qtbot, view, "WEIGHT", "abc")
    assert "not a number" in status_text(view, "WEIGHT")
    assert value_text(view, "BMI") == "—"
    type_into(qtbot, view, "SYSBP", "120")
    type_into(qtbot, view, "DIABP", "130")
    assert "lower than the systolic" in status_text(view, "DIABP")


def test_skip_logic_hides_and_shows(qtbot: QtBot, study: Study) -> None:
    view = open_view(qtbot, study, "DM")
    name_edit = view.findChild(QLineEdit, "edit_PRIOR_ICI_NAME")
    assert name_edit is not None and not name_edit.isVisibleTo(view)
    assert view.focus_path(ItemPath("PRIOR_ICI"))
    focus = QApplication.focusWidget()
    assert focus is not None
    qtbot.keyClicks(focus, "Y")
    assert name_edit.isVisibleTo(view)
    view.set_highlight_required(True)
    assert status_text(view, "PRIOR_ICI_NAME") == "Required"


def test_group_table_rows_and_sum(qtbot: QtBot, study: Study) -> None:
    view = open_view(qtbot, study, "TUMOR")
    table = view.tables["TL"]
    assert table.grid.rowCount() == 1  # min_rows
    assert table.focus_cell(ItemPath("TL_DIAM", "TL", 1))
    qtbot.keyClicks(table.grid, "1")  # typing starts editing the cell
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "5")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    qtbot.mouseClick(table.add, Qt.MouseButton.LeftButton)
    assert table.grid.rowCount() == 2
    view.answer(ItemPath("TL_DIAM", "TL", 2), "22.5")
    assert value_text(view, "TL_SUM") == "37.5"


def test_chinese_labels_come_from_the_definitions(qtbot: QtBot, study: Study) -> None:
    view = open_view(qtbot, study, "VS", "zh")
    texts = [label.text() for label in view.findChildren(QLabel)]
    assert any("体重" in t for t in texts)
