"""The widgets of the form entry screen, one by one, on a study that has every item type.

No store here: a :class:`FormView` over a plain :class:`FormSession`, driven with
keys, and the pure helpers (partial dates, normalisers, reasons, times) as tables.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from npc_crf.core.errors import UsageError, ValidationFailed
from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.expr.values import PartialDate
from npc_crf.forms.loader import load_study
from npc_crf.forms.model import ItemType, Study
from npc_crf.forms.session import FormSession, ItemPath, Status
from npc_crf.ui.app import guard_singleton_refcounts
from npc_crf.ui.dialogs import ReasonDialog, error_text, local_moment, local_time
from npc_crf.ui.form_view import FormView
from npc_crf.ui.widgets import editors
from npc_crf.ui.widgets.eligibility_panel import eligibility_form, reference_label
from npc_crf.ui.widgets.partial_date import PartialDateEdit, read_parts, split_value

guard_singleton_refcounts()  # PySide6 6.12.0 on Python 3.11 (see npc_crf/ui/app.py)

STUDY_YAML = """\
format: npc-crf/study@1
oid: ALLTYPES
version: "1.0"
name: {en: Every item type, zh: 所有题型}
protocol: {id: ALL-1, version: "1.0", title: {en: Every item type, zh: 所有题型}}
arms: [{oid: A, name: {en: Arm A, zh: A组}}]
roles: [{oid: CRC, name: {en: Research nurse, zh: 研究护士}}]
signature_meanings: [{code: REVIEW, name: {en: Reviewed, zh: 已审阅}}]
missing_codes:
  - {code: ND, name: {en: Not done, zh: 未做}}
  - {code: UNK, name: {en: Unknown, zh: 未知}}
events:
  - {oid: SCR, name: {en: Screening, zh: 筛选期}, kind: common, forms: [ALL]}
codelists: [codelists.yaml]
forms: [forms/all.yaml]
"""

CODELISTS_YAML = """\
format: npc-crf/codelists@1
codelists:
  - oid: SHORT
    items:
      - {code: A, label: {en: Alpha, zh: 甲}}
      - {code: B, label: {en: Beta, zh: 乙}}
      - {code: C, label: {en: Gamma, zh: 丙}}
  - oid: LONG
    type: integer
    items:
      - {code: 1, label: {en: One, zh: 一}}
      - {code: 2, label: {en: Two, zh: 二}}
      - {code: 3, label: {en: Three, zh: 三}}
      - {code: 4, label: {en: Four, zh: 四}}
      - {code: 5, label: {en: Five, zh: 五}}
      - {code: 6, label: {en: Six, zh: 六}}
      - {code: 7, label: {en: Seven, zh: 七}}
  - oid: TERMS
    source: ctcae_v5
"""

FORM_YAML = """\
format: npc-crf/form@1
oid: ALL
version: "1.0"
title: {en: All types, zh: 所有题型}
sections:
  - oid: ONE
    title: {en: Plain items, zh: 普通题目}
    items:
      - {oid: NOTE1, type: note, label: {en: Read this first, zh: 请先阅读}}
      - {oid: TXT, type: text, label: {en: Text, zh: 文本}, max_length: 20}
      - {oid: LTXT, type: long_text, label: {en: Long text, zh: 长文本}}
      - {oid: INT, type: integer, label: {en: Integer, zh: 整数}, unit: mg, soft_range: {min: 1, max: 10}}
      - {oid: DEC, type: decimal, label: {en: Decimal, zh: 小数}, precision: 1, required: true}
      - {oid: DAT, type: date, label: {en: Date, zh: 日期}}
      - {oid: PDAT, type: partial_date, label: {en: Partial date, zh: 不完整日期}}
      - {oid: TIM, type: time, label: {en: Time, zh: 时间}}
      - {oid: DTM, type: datetime, label: {en: Date and time, zh: 日期时间}}
      - {oid: ONE1, type: single_choice, codelist: SHORT, label: {en: Short list, zh: 短列表}}
      - {oid: ONE2, type: single_choice, codelist: LONG, label: {en: Long list, zh: 长列表}}
      - {oid: ONE3, type: single_choice, codelist: SHORT, appearance: dropdown, label: {en: Drop-down, zh: 下拉}}
      - {oid: MANY, type: multiple_choice, codelist: SHORT, label: {en: Several, zh: 多选}}
      - {oid: YN, type: yes_no, label: {en: Yes or no, zh: 是否}}
      - {oid: SHOWN, type: text, label: {en: Only after yes, zh: 仅在是时}, relevant: "YN"}
      - {oid: LOOK, type: lookup, codelist: TERMS, label: {en: Term, zh: 术语}}
      - {oid: CALC, type: calculated, value_type: integer, calculate: "INT * 2", label: {en: Twice, zh: 两倍}}
      - {oid: FIL, type: file, label: {en: Scan, zh: 扫描件}}
  - oid: TWO
    title: {en: Rows, zh: 表格}
    items:
      - oid: ROWS
        type: group
        label: {en: Rows, zh: 行}
        min_rows: 1
        max_rows: 3
        items:
          - {oid: R_TXT, type: text, label: {en: Name, zh: 名称}, required: true}
          - {oid: R_YN, type: yes_no, label: {en: Flag, zh: 标记}}
          - {oid: R_NUM, type: integer, label: {en: Number, zh: 数字}, relevant: "R_YN", soft_range: {min: 1, max: 10}}
"""


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    folder = tmp_path_factory.mktemp("alltypes")
    (folder / "forms").mkdir()
    (folder / "study.yaml").write_text(STUDY_YAML, encoding="utf-8")
    (folder / "codelists.yaml").write_text(CODELISTS_YAML, encoding="utf-8")
    (folder / "forms" / "all.yaml").write_text(FORM_YAML, encoding="utf-8")
    return load_study(folder)


@pytest.fixture
def view(qtbot: QtBot, study: Study) -> Iterator[FormView]:
    session = FormSession(study, study.forms["ALL"], today=dt.date(2026, 1, 1))
    shown = FormView(session, "en")
    qtbot.addWidget(shown)
    shown.resize(1100, 800)
    shown.show()
    shown.activateWindow()
    qtbot.waitUntil(shown.isActiveWindow, timeout=5000)
    yield shown


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def type_keys(qtbot: QtBot, text: str) -> None:
    for char in text:
        widget = focused()
        assert widget is not None
        qtbot.keyClicks(widget, char)


def press(qtbot: QtBot, key: Any, modifier: Any = Qt.KeyboardModifier.NoModifier) -> None:
    widget = focused()
    assert widget is not None
    qtbot.keyClick(widget, key, modifier)


# -- editors for every item type -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("oid", "editor"),
    [
        ("TXT", editors.LineEditor),
        ("LTXT", editors.LongTextEditor),
        ("INT", editors.LineEditor),
        ("DEC", editors.LineEditor),
        ("DAT", editors.LineEditor),
        ("PDAT", editors.PartialDateEditor),
        ("TIM", editors.LineEditor),
        ("DTM", editors.LineEditor),
        ("ONE1", editors.RadioEditor),
        ("ONE2", editors.ComboEditor),
        ("ONE3", editors.ComboEditor),
        ("MANY", editors.MultiEditor),
        ("YN", editors.RadioEditor),
        ("LOOK", editors.LookupEditor),
        ("CALC", editors.ReadOnlyEditor),
        ("FIL", editors.FileEditor),
    ],
)
def test_every_item_type_has_its_editor(view: FormView, oid: str, editor: type) -> None:
    assert type(view.editors[ItemPath(oid)]) is editor


def test_notes_and_groups_are_drawn_without_an_editor(view: FormView) -> None:
    assert ItemPath("NOTE1") in view.rows and ItemPath("NOTE1") not in view.editors
    assert view.tables["ROWS"].grid.rowCount() == 1  # min_rows


@pytest.mark.parametrize(
    ("oid", "keys", "expected"),
    [
        ("TXT", "hello", "hello"),
        ("INT", "5", 5),
        ("DEC", "3.5", Decimal("3.5")),
        ("DAT", "20260105", dt.date(2026, 1, 5)),
        ("TIM", "930", dt.time(9, 30)),
        ("DTM", "20260105 0930", dt.datetime(2026, 1, 5, 9, 30)),
        ("ONE1", "b", "B"),  # a radio button by its code
        ("ONE1", "gam", "C"),  # ... or by the start of its label
        ("ONE2", "Th", 3),  # a drop-down searched by its label
        ("YN", "n", False),
        ("LOOK", "10002272", "10002272"),  # a lookup by its code
    ],
)
def test_typing_into_an_editor_gives_the_typed_answer(
    qtbot: QtBot, view: FormView, oid: str, keys: str, expected: object
) -> None:
    assert view.focus_path(ItemPath(oid))
    type_keys(qtbot, keys)
    press(qtbot, Qt.Key.Key_Return)
    assert view.session.value(oid) == expected
    assert view.session.state(oid).status is not Status.HARD_ERROR


def test_a_long_text_takes_new_lines_and_commits_when_left(qtbot: QtBot, view: FormView) -> None:
    assert view.focus_path(ItemPath("LTXT"))
    type_keys(qtbot, "line one")
    press(qtbot, Qt.Key.Key_Return)  # a new line, not the next item
    type_keys(qtbot, "line two")
    assert view.session.value("LTXT") is None  # not on every keystroke
    press(qtbot, Qt.Key.Key_Tab)
    assert view.session.value("LTXT") == "line one\nline two"


def test_check_boxes_commit_each_tick(qtbot: QtBot, view: FormView) -> None:
    assert view.focus_path(ItemPath("MANY"))
    press(qtbot, Qt.Key.Key_Space)
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Space)
    assert view.session.value("MANY") == frozenset({"A", "C"})


def test_radio_buttons_follow_the_arrow_keys_and_delete_clears(
    qtbot: QtBot, view: FormView
) -> None:
    assert view.focus_path(ItemPath("ONE1"))
    press(qtbot, Qt.Key.Key_Space)
    press(qtbot, Qt.Key.Key_Right)
    press(qtbot, Qt.Key.Key_Right)
    assert view.session.value("ONE1") == "C"
    press(qtbot, Qt.Key.Key_Left)
    assert view.session.value("ONE1") == "B"
    press(qtbot, Qt.Key.Key_Delete)
    assert view.session.value("ONE1") is None


def test_enter_skips_items_that_skip_logic_hides(qtbot: QtBot, view: FormView) -> None:
    assert view.focus_path(ItemPath("YN"))
    type_keys(qtbot, "n")
    press(qtbot, Qt.Key.Key_Return)
    assert view.focused_path() == ItemPath("LOOK")  # "only after yes" is hidden
    assert view.focus_path(ItemPath("YN"))
    type_keys(qtbot, "y")
    press(qtbot, Qt.Key.Key_Return)
    assert view.focused_path() == ItemPath("SHOWN")


def test_a_warning_is_shown_and_a_calculation_follows(qtbot: QtBot, view: FormView) -> None:
    assert view.focus_path(ItemPath("INT"))
    type_keys(qtbot, "12")
    press(qtbot, Qt.Key.Key_Return)
    row = view.rows[ItemPath("INT")]
    assert row.status.kind == "soft" and "Expected between 1 and 10" in row.status.message.text()
    assert row.status.override.isVisibleTo(view)
    assert view.editors[ItemPath("CALC")].label.text() == "24"  # type: ignore[attr-defined]


def test_a_refused_entry_stays_in_the_editor_with_its_message(qtbot: QtBot, view: FormView) -> None:
    assert view.focus_path(ItemPath("DEC"))
    type_keys(qtbot, "3.55")
    press(qtbot, Qt.Key.Key_Return)
    row = view.rows[ItemPath("DEC")]
    edit = view.editors[ItemPath("DEC")].inputs()[0]
    assert isinstance(edit, QLineEdit) and edit.text() == "3.55"
    assert row.status.kind == "hard" and "decimal place" in row.status.message.text()


def test_required_items_are_quiet_until_highlighted(view: FormView) -> None:
    row = view.rows[ItemPath("DEC")]
    assert view.session.state("DEC").status is Status.REQUIRED_EMPTY
    assert not row.status.isVisibleTo(view)
    view.set_highlight_required(True)
    assert row.status.isVisibleTo(view) and row.status.message.text() == "Required"
    assert view.focus_first_problem() == ItemPath("DEC")


def test_a_file_item_says_attachments_are_not_supported(view: FormView) -> None:
    editor = view.editors[ItemPath("FIL")]
    assert isinstance(editor, editors.FileEditor)
    assert "not supported" in editor.note.text()
    assert editor.inputs() == []


def test_read_only_shows_everything_and_changes_nothing(qtbot: QtBot, study: Study) -> None:
    session = FormSession(study, study.forms["ALL"], answers={"TXT": "kept", "INT": 3})
    view = FormView(session, "en", read_only=True)
    qtbot.addWidget(view)
    text = view.editors[ItemPath("TXT")].inputs()[0]
    assert isinstance(text, QLineEdit) and text.isReadOnly() and text.text() == "kept"
    for path, editor in view.editors.items():
        for widget in editor.inputs():
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                assert widget.isReadOnly(), path
            else:
                assert not widget.isEnabled(), path
    assert all(row.missing is None for row in view.rows.values())
    grid = view.tables["ROWS"].grid
    assert grid.editTriggers() == grid.EditTrigger.NoEditTriggers


def test_the_missing_code_button_lists_the_items_codes(view: FormView) -> None:
    button = view.rows[ItemPath("TXT")].missing
    assert button is not None
    assert list(button.actions_by_code()) == ["ND", "UNK"]
    view.set_missing(ItemPath("TXT"), "UNK")
    assert view.session.value("TXT") == Missing("UNK")
    assert button.text() == "UNK"
    assert view.rows[ItemPath("TXT")].status.message.text() == "UNK – Unknown"


def test_both_languages_draw_every_item(qtbot: QtBot, study: Study) -> None:
    session = FormSession(study, study.forms["ALL"])
    view = FormView(session, "zh")
    qtbot.addWidget(view)
    assert view.rows[ItemPath("TXT")].label.text().startswith("文本")
    assert view.rows[ItemPath("TXT")].label.toolTip().startswith("Text")  # the other language


# -- partial dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "day", "value", "problem"),
    [
        ("", "", "", None, None),
        ("2024", "3", "15", PartialDate(2024, 3, 15), None),
        ("2024", "03", "UNK", PartialDate(2024, 3), None),
        ("2024", "unk", "", PartialDate(2024), None),  # an unknown month: the day too
        ("2024", "u", "u", PartialDate(2024), None),
        ("2024", "", "", "2024-??-??", "month"),  # never guessed
        ("2024", "3", "", "2024-3-??", "day"),
        ("24", "3", "1", "24-3-1", "year"),
        ("2024", "13", "1", "2024-13-1", "month_range"),
        ("2023", "2", "29", "2023-2-29", "no_such_day"),
        ("2024", "UNK", "5", "2024-UNK-5", "day_without_month"),
        ("", "3", "1", "????-3-1", "year"),
    ],
)
def test_partial_date_fields_give_a_date_or_say_what_is_missing(
    year: str, month: str, day: str, value: object, problem: str | None
) -> None:
    assert read_parts(year, month, day) == (value, problem)


@pytest.mark.parametrize(
    ("value", "fields"),
    [
        (None, ("", "", "")),
        (PartialDate(2024), ("2024", "UNK", "UNK")),
        (PartialDate(2024, 3), ("2024", "03", "UNK")),
        (PartialDate(2024, 3, 5), ("2024", "03", "05")),
        ("2024-??-??", ("2024", "", "")),  # a refused entry comes back as typed
        ("2024-3-??", ("2024", "03", "")),
    ],
)
def test_partial_date_values_fill_the_fields(value: object, fields: tuple[str, str, str]) -> None:
    assert split_value(value) == fields


def test_an_incomplete_partial_date_is_refused_with_what_is_missing(
    qtbot: QtBot, view: FormView
) -> None:
    assert view.focus_path(ItemPath("PDAT"))
    type_keys(qtbot, "2024")
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Return)  # month and day left empty
    state = view.session.state("PDAT")
    assert state.status is Status.HARD_ERROR and state.value is None
    assert view.rows[ItemPath("PDAT")].status.message.text() == (
        "Enter the month, or UNK if it is not known"
    )


def test_an_unknown_month_makes_the_day_unknown(qtbot: QtBot) -> None:
    date = PartialDateEdit()
    qtbot.addWidget(date)
    date.year.setText("2020")
    date.month.setEditText("UNK")
    assert date.day.currentText() == "UNK" and not date.day.isEnabled()
    assert date.value() == PartialDate(2020)
    date.month.setEditText("04")
    assert date.day.isEnabled()


def test_a_month_that_must_be_known_offers_no_unk(qtbot: QtBot) -> None:
    date = PartialDateEdit(allow_unknown="day")
    qtbot.addWidget(date)
    months = [date.month.itemText(n) for n in range(date.month.count())]
    days = [date.day.itemText(n) for n in range(date.day.count())]
    assert "UNK" not in months and "UNK" in days


# -- group tables ------------------------------------------------------------------------------------


def test_group_rows_respect_the_minimum_and_maximum(qtbot: QtBot, view: FormView) -> None:
    table = view.tables["ROWS"]
    assert table.focus_cell(ItemPath("R_TXT", "ROWS", 1))
    assert not table.remove.isEnabled()  # at the minimum (1)
    press(qtbot, Qt.Key.Key_Insert, Qt.KeyboardModifier.ControlModifier)
    press(
        qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert table.grid.rowCount() == 3 and not table.add.isEnabled()  # at the maximum
    press(qtbot, Qt.Key.Key_Insert, Qt.KeyboardModifier.ControlModifier)
    assert table.grid.rowCount() == 3 and view.session.row_count("ROWS") == 3
    assert table.remove.isEnabled()


def test_any_row_can_be_removed(view: FormView) -> None:
    for _ in range(2):
        view.add_row("ROWS")
    for n, name in enumerate(["first", "second", "third"], start=1):
        view.answer(ItemPath("R_TXT", "ROWS", n), name)
    view.remove_row("ROWS", 2)
    assert [view.session.value(f"ROWS[{n}].R_TXT") for n in (1, 2)] == ["first", "third"]
    grid = view.tables["ROWS"].grid
    assert [grid.item(r, 0).text() for r in range(grid.rowCount())] == ["first", "third"]  # type: ignore[union-attr]


def test_a_cell_that_does_not_apply_is_greyed_and_locked(view: FormView) -> None:
    grid = view.tables["ROWS"].grid
    number = grid.item(0, 2)
    assert number is not None and not number.flags() & Qt.ItemFlag.ItemIsEditable
    view.answer(ItemPath("R_YN", "ROWS", 1), "Y")
    number = grid.item(0, 2)
    assert number is not None and number.flags() & Qt.ItemFlag.ItemIsEditable


def test_tab_moves_through_the_cells_and_leaves_after_the_last(
    qtbot: QtBot, view: FormView
) -> None:
    table = view.tables["ROWS"]
    assert table.focus_cell(ItemPath("R_TXT", "ROWS", 1))
    press(qtbot, Qt.Key.Key_Tab)
    assert table.current_path() == ItemPath("R_YN", "ROWS", 1)
    press(qtbot, Qt.Key.Key_Tab)
    assert table.current_path() == ItemPath("R_NUM", "ROWS", 1)
    press(qtbot, Qt.Key.Key_Tab)  # the last cell: out of the table
    now = focused()
    assert now is not None and now is not table.grid and not table.grid.isAncestorOf(now)


def test_a_cell_is_edited_with_the_same_checks(qtbot: QtBot, view: FormView) -> None:
    table = view.tables["ROWS"]
    view.answer(ItemPath("R_YN", "ROWS", 1), "Y")
    assert table.focus_cell(ItemPath("R_NUM", "ROWS", 1))
    type_keys(qtbot, "x1")
    press(qtbot, Qt.Key.Key_Tab)  # commit
    state = view.session.state("ROWS[1].R_NUM")
    assert state.status is Status.HARD_ERROR and state.rejected_input == "x1"
    assert "not a whole number" in table.problems.text()
    assert table.focus_cell(ItemPath("R_YN", "ROWS", 1))
    press(qtbot, Qt.Key.Key_Return)  # Enter edits
    assert isinstance(focused(), QComboBox)


# -- helpers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("function", "text", "expected"),
    [
        (editors.normalise_date, "20260105", "2026-01-05"),
        (editors.normalise_date, "2026/01/05", "2026-01-05"),
        (editors.normalise_date, "2026-1-5", "2026-1-5"),  # left for the session to refuse
        (editors.normalise_time, "0930", "09:30"),
        (editors.normalise_time, "9:30", "09:30"),
        (editors.normalise_time, "25", "25"),
        (editors.normalise_datetime, "20260105 0930", "2026-01-05 09:30"),
        (editors.normalise_datetime, "2026-01-05T09:30", "2026-01-05 09:30"),
    ],
)
def test_typed_dates_and_times_are_written_out(function: Any, text: str, expected: str) -> None:
    assert function(text) == expected


@pytest.mark.parametrize(
    ("at_utc", "offset", "expected"),
    [
        ("2026-01-05T01:30:00.000000Z", "+08:00", "2026-01-05 09:30 (+08:00)"),
        ("2026-01-05T01:30:00.000000Z", "-05:00", "2026-01-04 20:30 (-05:00)"),
        ("not a time", "+08:00", "not a time"),
    ],
)
def test_audit_times_are_shown_in_the_local_time_of_the_entry(
    at_utc: str, offset: str, expected: str
) -> None:
    assert local_time(at_utc, offset) == expected


@pytest.mark.parametrize(
    ("zone", "at_utc", "expected"),
    [
        ("Asia/Shanghai", "2026-01-05T01:30:00.123456+00:00", "2026-01-05 09:30"),
        ("America/New_York", "2026-01-05T01:30:00+00:00", "2026-01-04 20:30"),
        ("Asia/Shanghai", "not a time", "not a time"),
    ],
)
def test_the_last_saved_time_is_shown_in_this_computers_zone(
    monkeypatch: pytest.MonkeyPatch, zone: str, at_utc: str, expected: str
) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        assert local_moment(at_utc) == expected
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_reason_is_required_and_may_combine_a_common_one_with_details(qtbot: QtBot) -> None:
    dialog = ReasonDialog("Reason", "Why?", ["Transcription error"])
    qtbot.addWidget(dialog)
    ok = dialog.buttons.buttons()[0]
    assert not ok.isEnabled() and dialog.reason() == ""
    dialog.text.setText("   ")
    assert not ok.isEnabled()
    dialog.choice.setCurrentIndex(1)
    assert ok.isEnabled() and dialog.reason() == "Transcription error"
    dialog.text.setText("wrong chart page")
    assert dialog.reason() == "Transcription error: wrong chart page"


def test_refused_values_are_listed_in_the_error_text() -> None:
    problems = [f"S01-01-0001/BASE/VS/ITEM{n}: refused" for n in range(20)]
    message, informative, details = error_text(
        ValidationFailed("Nothing was saved.", problems, "Correct them.")
    )
    assert message == "Nothing was saved."
    assert (
        informative.count("•") == 15 and "5 more" in informative and "Correct them." in informative
    )
    assert details.count("\n") == 19
    assert error_text(UsageError("Locked."))[:2] == ("Locked.", "")


@pytest.mark.parametrize(
    ("folder", "expected"), [("npc-sint-rt", ("SCR", "ELIG")), ("nct07062484", ("SCR", "ELIG"))]
)
def test_the_eligibility_form_is_the_one_the_criteria_read_most(
    studies: dict[str, Study], folder: str, expected: tuple[str, str]
) -> None:
    assert eligibility_form(studies[folder]) == expected


def test_missing_references_are_named_by_form_and_item(studies: dict[str, Study]) -> None:
    study = studies["npc-sint-rt"]
    assert reference_label(study, "@SCR.DM.BRTHDAT", "en") == "Demographics: Date of birth"
    assert reference_label(study, "@BASE.TA.TL.TLDIAM", "zh").startswith("肿瘤评估")
    assert reference_label(study, "@NOPE.X", "en") == "@NOPE.X"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_bundled_form_is_drawn(qtbot: QtBot, studies: dict[str, Study], lang: str) -> None:
    for study in studies.values():
        for form in study.forms.values():
            view = FormView(FormSession(study, form), lang)
            qtbot.addWidget(view)
            inputs = {p for p, e in view.editors.items() if e.inputs()}
            wanted = {
                ItemPath(i.oid)
                for i, group in form.all_items()
                if group is None and i.takes_input and i.type is not ItemType.FILE
            }
            assert inputs == wanted, form.oid


def test_a_cell_takes_a_missing_code_and_an_override_from_the_keyboard(
    qtbot: QtBot, view: FormView, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMenu

    from npc_crf.ui import dialogs

    table = view.tables["ROWS"]
    assert table.focus_cell(ItemPath("R_TXT", "ROWS", 1))

    def choose_unk() -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(10, choose_unk)
            return
        [action] = [a for a in menu.actions() if a.data() is None and "UNK" in a.text()]
        menu.setActiveAction(action)
        qtbot.keyClick(menu, Qt.Key.Key_Return)

    QTimer.singleShot(0, choose_unk)
    press(qtbot, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert view.session.value("ROWS[1].R_TXT") == Missing("UNK")
    assert table.grid.item(0, 0).text() == "UNK"  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: focused() is table.grid, timeout=5000)
    # a soft warning in a cell: Ctrl+Shift+O asks for the reason
    view.answer(ItemPath("R_YN", "ROWS", 1), "Y")
    view.answer(ItemPath("R_NUM", "ROWS", 1), "12")
    assert view.session.state("ROWS[1].R_NUM").status is Status.SOFT_WARNING
    assert "Expected between 1 and 10" in table.problems.text()
    monkeypatch.setattr(dialogs, "ask_reason", lambda *args, **kwargs: "checked twice")
    assert table.focus_cell(ItemPath("R_NUM", "ROWS", 1))
    assert table.override.isEnabled()
    press(
        qtbot, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert view.session.state("ROWS[1].R_NUM").override_reason == "checked twice"
    assert "kept: checked twice" in table.problems.text()
