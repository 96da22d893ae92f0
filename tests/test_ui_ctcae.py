"""CTCAE on the forms, used as a nurse would: the term picker (type, arrows, Enter, Esc),
the AE grade with the term's grade texts, and the suggested grade beside lab values.

The forms are the bundled studies' own, driven by a :class:`FormSession` without a
store (the grade texts and hints need no saved data, and the baseline comes from a
subject snapshot).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QToolButton
from pytestqt.qtbot import QtBot

from npc_crf.forms.model import Study
from npc_crf.forms.session import FormSession, ItemPath
from npc_crf.forms.subject_data import MemorySubject
from npc_crf.ui.app import guard_singleton_refcounts
from npc_crf.ui.ctcae_picker import CtcaePicker
from npc_crf.ui.form_view import FormView
from npc_crf.ui.widgets.ctcae import CtcaeGradeEditor, LabGradeHint

guard_singleton_refcounts()  # PySide6 6.12.0 on Python 3.11 (see npc_crf/ui/app.py)

PNEUMONITIS = "10035742"
MYOCARDITIS = "10028606"
SOC_RESPIRATORY = "Respiratory, thoracic and mediastinal disorders"
PNEUMONITIS_G1 = (
    "Asymptomatic; clinical or diagnostic observations only; intervention not indicated"
)


def focused() -> object:
    return QApplication.focusWidget()


def open_view(
    qtbot: QtBot,
    study: Study,
    form: str,
    event: str,
    *,
    subject: Mapping[str, object] | None = None,
    read_only: bool = False,
) -> FormView:
    session = FormSession(
        study,
        study.forms[form],
        event=event,
        occurrence=1,
        today=dt.date(2026, 3, 1),
        subject=MemorySubject(subject) if subject is not None else None,
    )
    view = FormView(session, "en", read_only=read_only)
    qtbot.addWidget(view)
    view.resize(1150, 800)
    view.show()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=5000)
    return view


def edit_of(view: FormView, oid: str) -> QLineEdit:
    edit = view.findChild(QLineEdit, f"edit_{oid}")
    assert edit is not None
    return edit


def type_in(qtbot: QtBot, view: FormView, oid: str, text: str, *, commit: bool = True) -> None:
    """Go to an item, replace what is there by typing, and press Enter (or not)."""
    assert view.focus_path(ItemPath(oid))
    edit = edit_of(view, oid)
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, text)
    if commit:
        qtbot.keyClick(edit, Qt.Key.Key_Return)


def hint(view: FormView, oid: str) -> LabGradeHint:
    found = view.findChild(LabGradeHint, f"ctcae_{oid}")
    assert found is not None
    return found


def grade_texts(view: FormView, oid: str) -> list[str]:
    labels = [view.findChild(QLabel, f"grade_text_{oid}_{n}") for n in range(5)]
    return [label.text() if label is not None else "?" for label in labels]


def rows(picker: CtcaePicker) -> list[tuple[str, str, str]]:
    """The result list as (term, SOC, code)."""
    found = []
    for n in range(picker.results.topLevelItemCount()):
        item = picker.results.topLevelItem(n)
        assert item is not None
        found.append((item.text(0), item.text(1), item.text(2)))
    return found


def grade_editor(view: FormView, oid: str) -> CtcaeGradeEditor:
    editor = view.editors[ItemPath(oid)]
    assert isinstance(editor, CtcaeGradeEditor)
    return editor


def pick_with_f4(qtbot: QtBot, view: FormView, query: str) -> CtcaePicker:
    """F4 in the term field, type in the picker, and return it (still open)."""
    assert view.focus_path(ItemPath("AETERM"))
    qtbot.keyClick(edit_of(view, "AETERM"), Qt.Key.Key_F4)
    picking = view.ctcae.pickers["AETERM"]
    qtbot.waitUntil(lambda: picking.picker is not None and picking.picker.isVisible(), timeout=5000)
    picker = picking.picker
    assert picker is not None
    qtbot.waitUntil(lambda: focused() is picker.search_edit, timeout=5000)
    qtbot.keyClicks(picker.search_edit, query)
    return picker


# -- the picker on its own ---------------------------------------------------------------------


@pytest.fixture
def picker(qtbot: QtBot) -> CtcaePicker:
    dialog = CtcaePicker()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    return dialog


def test_type_pneumon_and_enter_picks_pneumonitis(qtbot: QtBot, picker: CtcaePicker) -> None:
    assert focused() is picker.search_edit
    qtbot.keyClicks(picker.search_edit, "pneumon")
    highlighted = picker.highlighted()
    assert highlighted is not None and highlighted.code == PNEUMONITIS
    detail = picker.detail.toPlainText()
    assert "Respiratory, thoracic and mediastinal disorders" in detail
    assert "A disorder characterized by inflammation focally or diffusely" in detail
    assert PNEUMONITIS_G1 in detail
    assert "Grade 5" in detail and "Death" in detail
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)
    assert picker.result() == QDialog.DialogCode.Accepted
    chosen = picker.chosen()
    assert chosen is not None and chosen.term == "Pneumonitis"


def test_arrows_move_and_escape_cancels(qtbot: QtBot, picker: CtcaePicker) -> None:
    qtbot.keyClicks(picker.search_edit, "cardiac")
    first = picker.highlighted()
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Down)
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Down)
    third = picker.highlighted()
    assert first is not None and third is not None and first != third
    assert third.term in picker.detail.toPlainText()
    assert focused() is picker.search_edit  # the arrows did not take the focus away
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Up)
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Escape)
    assert picker.result() == QDialog.DialogCode.Rejected
    assert picker.chosen() is None


def test_grades_a_term_does_not_have_are_greyed(qtbot: QtBot, picker: CtcaePicker) -> None:
    qtbot.keyClicks(picker.search_edit, "myocarditis")
    html = picker.detail.toHtml()
    text = picker.detail.toPlainText()
    assert "Grade 1" in text and "not defined for this term" in text
    assert "Symptoms with moderate activity or exertion" in text  # grade 2
    assert text.count("not defined for this term") == 1
    assert "#9e9e9e" in html


def test_search_by_meddra_code_and_by_organ_class(qtbot: QtBot, picker: CtcaePicker) -> None:
    qtbot.keyClicks(picker.search_edit, PNEUMONITIS)
    assert rows(picker) == [("Pneumonitis", SOC_RESPIRATORY, PNEUMONITIS)]
    picker.search_edit.clear()
    qtbot.keyClicks(picker.search_edit, "ear and labyrinth")
    assert {soc for _term, soc, _code in rows(picker)} == {"Ear and labyrinth disorders"}
    picker.search_edit.clear()
    qtbot.keyClicks(picker.search_edit, "zzzz")
    assert picker.results.topLevelItemCount() == 0
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)
    assert picker.isVisible()  # nothing to pick: Enter does nothing


# -- the AE form -------------------------------------------------------------------------------


def test_f4_picks_the_term_and_the_grades_show_its_texts(
    qtbot: QtBot, studies: dict[str, Study]
) -> None:
    view = open_view(qtbot, studies["npc-sint-rt"], "AE", "AEV")
    editor = grade_editor(view, "AETOXGR")
    assert all(not t for t in grade_texts(view, "AETOXGR"))  # no term yet: plain grades
    picker = pick_with_f4(qtbot, view, "pneumon")
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.session.value("AETERM") == PNEUMONITIS, timeout=5000)
    assert edit_of(view, "AETERM").text() == f"Pneumonitis [{PNEUMONITIS}]"
    qtbot.waitUntil(lambda: focused() is edit_of(view, "AETERM"), timeout=5000)  # back, ready
    texts = grade_texts(view, "AETOXGR")
    assert texts[0] == PNEUMONITIS_G1
    assert texts[3].startswith("Life-threatening respiratory compromise")
    assert all(button.isEnabled() for button in editor.buttons)
    # the nurse picks a grade against its text
    qtbot.keyClick(edit_of(view, "AETERM"), Qt.Key.Key_Return)  # Enter: on to the next input
    assert view.focus_path(ItemPath("AETOXGR"))
    qtbot.keyClicks(QApplication.focusWidget(), "2")
    assert view.session.value("AETOXGR") == 2


def test_typing_the_term_still_works(qtbot: QtBot, studies: dict[str, Study]) -> None:
    view = open_view(qtbot, studies["npc-sint-rt"], "AE", "AEV")
    type_in(qtbot, view, "AETERM", f"Myocarditis [{MYOCARDITIS}]")
    assert view.session.value("AETERM") == MYOCARDITIS
    editor = grade_editor(view, "AETOXGR")
    texts = grade_texts(view, "AETOXGR")
    assert texts[0] == "— not defined for Myocarditis"
    assert texts[1] == "Symptoms with moderate activity or exertion"
    assert [b.isEnabled() for b in editor.buttons] == [False, True, True, True, True]


def test_grade_keys_step_over_grades_the_term_does_not_have(
    qtbot: QtBot, studies: dict[str, Study]
) -> None:
    view = open_view(qtbot, studies["npc-sint-rt"], "AE", "AEV")
    type_in(qtbot, view, "AETERM", f"Myocarditis [{MYOCARDITIS}]")
    assert view.focus_path(ItemPath("AETOXGR"))
    qtbot.keyClicks(QApplication.focusWidget(), "1")  # grade 1 does not exist: nothing chosen
    assert view.session.value("AETOXGR") is None
    qtbot.keyClicks(QApplication.focusWidget(), "3")
    assert view.session.value("AETOXGR") == 3
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up)
    assert view.session.value("AETOXGR") == 2
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up)  # no grade 1: stays at 2
    assert view.session.value("AETOXGR") == 2


def test_a_grade_the_new_term_does_not_have_is_flagged(
    qtbot: QtBot, studies: dict[str, Study]
) -> None:
    view = open_view(qtbot, studies["npc-sint-rt"], "AE", "AEV")
    type_in(qtbot, view, "AETERM", f"Pneumonitis [{PNEUMONITIS}]")
    assert view.focus_path(ItemPath("AETOXGR"))
    qtbot.keyClicks(QApplication.focusWidget(), "1")
    assert view.session.value("AETOXGR") == 1
    flag = view.findChild(QLabel, "grade_flag_AETOXGR")
    assert flag is not None and flag.isHidden()
    type_in(qtbot, view, "AETERM", f"Myocarditis [{MYOCARDITIS}]")
    assert not flag.isHidden()
    assert flag.text() == "Grade 1 is not defined for Myocarditis: choose another grade."


def test_the_other_study_grades_in_aegrade(qtbot: QtBot, studies: dict[str, Study]) -> None:
    view = open_view(qtbot, studies["nct07062484"], "AE", "AEV")
    assert view.ctcae.grade_item == "AEGRADE"
    picker = pick_with_f4(qtbot, view, "thyroid stimulating")
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.session.value("AETERM") == "10043770", timeout=5000)
    assert grade_texts(view, "AEGRADE")[0] == "TSH increased and no intervention initiated"
    assert [b.isEnabled() for b in grade_editor(view, "AEGRADE").buttons] == [
        True,
        False,
        False,
        False,
        False,
    ]


def test_escape_in_the_picker_keeps_the_term(qtbot: QtBot, studies: dict[str, Study]) -> None:
    view = open_view(qtbot, studies["npc-sint-rt"], "AE", "AEV")
    type_in(qtbot, view, "AETERM", f"Pneumonitis [{PNEUMONITIS}]")
    picker = pick_with_f4(qtbot, view, "")
    assert picker.highlighted() is not None
    assert picker.highlighted().code == PNEUMONITIS  # type: ignore[union-attr]
    qtbot.keyClicks(picker.search_edit, "colitis")
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: view.ctcae.pickers["AETERM"].picker is None, timeout=5000)
    assert view.session.value("AETERM") == PNEUMONITIS


def test_read_only_form_has_no_picker_button(qtbot: QtBot, studies: dict[str, Study]) -> None:
    view = open_view(qtbot, studies["npc-sint-rt"], "AE", "AEV", read_only=True)
    button = view.findChild(QToolButton, "pick_AETERM")
    assert button is not None and not button.isEnabled()


# -- lab values --------------------------------------------------------------------------------


def test_a_neutrophil_value_shows_its_grade_as_it_is_typed(
    qtbot: QtBot, studies: dict[str, Study]
) -> None:
    view = open_view(qtbot, studies["npc-sint-rt"], "HEM", "CYCLE")
    shown = hint(view, "ANC")
    assert shown.isHidden()
    type_in(qtbot, view, "ANC", "0.9", commit=False)  # not committed yet: live
    assert view.session.value("ANC") is None
    assert shown.text() == "CTCAE grade 3 — Neutrophil count decreased"
    assert not shown.isHidden()
    qtbot.keyClick(edit_of(view, "ANC"), Qt.Key.Key_Backspace)
    qtbot.keyClick(edit_of(view, "ANC"), Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit_of(view, "ANC"), "1.2")  # "01.2"
    assert shown.text() == "CTCAE grade 2 — Neutrophil count decreased"
    qtbot.keyClick(edit_of(view, "ANC"), Qt.Key.Key_Return)
    assert shown.text() == "CTCAE grade 2 — Neutrophil count decreased"
    type_in(qtbot, view, "ANC", "2.5")  # within 1.8–6.3
    assert shown.isHidden()
    assert "<1.5 - 1.0 x 10e9 /L" not in shown.toolTip()


def test_the_hint_says_what_is_needed(qtbot: QtBot, studies: dict[str, Study]) -> None:
    view = open_view(qtbot, studies["npc-sint-rt"], "CHEM", "CYCLE")
    type_in(qtbot, view, "SODIUM", "127")
    shown = hint(view, "SODIUM")
    assert shown.text() == ("CTCAE grade 2 — Hyponatremia · needs: symptomatic? life-threatening?")
    assert "125-129 mmol/L and asymptomatic" in shown.toolTip()
    type_in(qtbot, view, "POTAS", "6.5")
    assert hint(view, "POTAS").text() == ("CTCAE grade 3 — Hyperkalemia · needs: life-threatening?")


def test_the_hint_grades_against_the_baseline_visit(
    qtbot: QtBot, studies: dict[str, Study]
) -> None:
    baseline = {"BASE": {"CHEM": {"ALT": 60, "CREAT": 60}}}
    view = open_view(qtbot, studies["npc-sint-rt"], "CHEM", "CYCLE", subject=baseline)
    type_in(qtbot, view, "ALT", "121")  # ULN 40; abnormal baseline 60: 2.02 × baseline
    assert hint(view, "ALT").text() == "CTCAE grade 1 — Alanine aminotransferase increased"
    type_in(qtbot, view, "CREAT", "95")  # within 45–110, but 1.58 × baseline
    assert hint(view, "CREAT").text() == "CTCAE grade 2 — Creatinine increased"
    at_base = open_view(qtbot, studies["npc-sint-rt"], "CHEM", "BASE", subject=baseline)
    type_in(qtbot, at_base, "ALT", "121")  # at baseline: against ULN
    assert hint(at_base, "ALT").text() == "CTCAE grade 2 — Alanine aminotransferase increased"


def test_a_saved_value_shows_its_hint_when_the_form_opens(
    qtbot: QtBot, studies: dict[str, Study]
) -> None:
    study = studies["nct07062484"]
    session = FormSession(
        study, study.forms["HEM"], event="TRT", occurrence=1, answers={"PLT": 40, "HGB": 75}
    )
    view = FormView(session, "en")
    qtbot.addWidget(view)
    assert hint(view, "PLT").text() == "CTCAE grade 3 — Platelet count decreased"
    assert hint(view, "HGB").text() == "CTCAE grade 3 — Anemia · needs: life-threatening?"
    assert view.findChild(LabGradeHint, "ctcae_NLR") is None  # calculated: no hint
