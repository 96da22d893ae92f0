"""The form browser used as a nurse would: type into fields, see statuses and calculations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QTableWidget

from npc_crf.forms.loader import load_studies
from npc_crf.ui.app import MainWindow, take_tour

EXAMPLE = Path(__file__).parent / "fixtures" / "forms" / "worked-example"


@pytest.fixture
def window(qtbot):
    win = MainWindow(load_studies(EXAMPLE), "en", today=dt.date(2025, 1, 1))
    qtbot.addWidget(win)
    win.show()
    return win


def type_into(qtbot, view, oid: str, text: str) -> None:
    edit = view.findChild(QLineEdit, f"edit_{oid}")
    edit.setFocus()
    edit.clear()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)


def status_text(view, oid: str):
    return view.findChild(QLabel, f"status_{oid}").text()


def test_typing_updates_calculation_and_statuses(qtbot, window):
    view = window.open_form("DEMO-NPC", "CYCLE", "VS")
    type_into(qtbot, view, "WEIGHT", "70")
    type_into(qtbot, view, "HEIGHT", "175")
    assert view.findChild(QLabel, "value_BMI").text() == "22.9"
    type_into(qtbot, view, "WEIGHT", "130")
    assert "Expected between 35 and 120" in status_text(view, "WEIGHT")
    type_into(qtbot, view, "WEIGHT", "abc")
    assert "not a number" in status_text(view, "WEIGHT")
    assert view.findChild(QLabel, "value_BMI").text() == ""
    type_into(qtbot, view, "SYSBP", "120")
    type_into(qtbot, view, "DIABP", "130")
    assert "lower than the systolic" in status_text(view, "DIABP")


def test_skip_logic_hides_and_shows(qtbot, window):
    view = window.open_form("DEMO-NPC", "SCR", "DM")
    name_edit = view.findChild(QLineEdit, "edit_PRIOR_ICI_NAME")
    assert not name_edit.isVisibleTo(view)
    view.answer(next(p for p in view.editors if p.item == "PRIOR_ICI"), "Y")
    assert name_edit.isVisibleTo(view)
    assert status_text(view, "PRIOR_ICI_NAME") == "Required"


def test_group_table_rows_and_sum(qtbot, window):
    view = window.open_form("DEMO-NPC", "TA", "TUMOR")
    table = view.findChild(QTableWidget, "table_TL")
    assert table.rowCount() == 1  # min_rows
    table.item(0, 1).setText("15")
    qtbot.mouseClick(view.findChild(QPushButton, "add_TL"), Qt.MouseButton.LeftButton)
    assert table.rowCount() == 2
    table.item(1, 1).setText("22.5")
    assert view.findChild(QLabel, "value_TL_SUM").text() == "37.5"


def test_language_switch_shows_chinese(qtbot, window):
    window.open_form("DEMO-NPC", "CYCLE", "VS")
    window.set_language("zh")
    view = window.form_view
    assert view is not None
    texts = [label.text() for label in view.findChildren(QLabel)]
    assert any("体重" in t for t in texts)
    assert window.language.currentText() == "简体中文"


def test_tour_writes_screenshots(qtbot, window, tmp_path):
    shots = take_tour(window, tmp_path)
    assert len(shots) == 8
    assert all(p.stat().st_size > 5000 for p in shots)
