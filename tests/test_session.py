"""FormSession: answering the mini study's forms item by item, as a nurse would."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.expr.values import PartialDate
from npc_crf.forms.loader import load_study
from npc_crf.forms.model import ReferenceRange, Study, Text
from npc_crf.forms.session import FormSession, ItemPath, SessionError, Status
from npc_crf.forms.subject_data import MemorySubject

MINI = Path(__file__).parent / "fixtures" / "forms" / "mini"
TODAY = dt.date(2025, 1, 1)
D = Decimal
OK, REQUIRED, SOFT, HARD, HIDDEN = (
    Status.OK,
    Status.REQUIRED_EMPTY,
    Status.SOFT_WARNING,
    Status.HARD_ERROR,
    Status.NOT_RELEVANT,
)

Answers = list[tuple[str, object]]


@pytest.fixture(scope="module")
def study() -> Study:
    return load_study(MINI)


def screening(study: Study, answers: Answers | None = None) -> FormSession:
    """A session of the screening form with ``answers`` given in order."""
    session = FormSession(study, study.forms["SCRN"], today=TODAY)
    for path, raw in answers or []:
        session.answer(path, raw)
    return session


def same(actual: object, expected: object) -> bool:
    """Equal and of the same type (``Decimal(1) == True`` must not pass)."""
    if expected is None:
        return actual is None
    return type(actual) is type(expected) and actual == expected


# -- statuses ------------------------------------------------------------------------------

# name, answers in order, the item looked at, its status, value, message (en), rejected input
STATUSES: list[tuple[str, Answers, str, Status, object, str | None, object]] = [
    ("required and empty", [], "ICDAT", REQUIRED, None, "Required", None),
    ("answered", [("ICDAT", "2024-03-15")], "ICDAT", OK, dt.date(2024, 3, 15), None, None),
    (
        "cleared again",
        [("ICDAT", "2024-03-15"), ("ICDAT", "")],
        "ICDAT",
        REQUIRED,
        None,
        "Required",
        None,
    ),
    ("optional and empty", [], "WEIGHT", OK, None, None, None),
    ("in range", [("WEIGHT", "70")], "WEIGHT", OK, D(70), None, None),
    (
        "on the hard bound",
        [("WEIGHT", "250")],
        "WEIGHT",
        SOFT,
        D(250),
        "Expected between 35 and 120 kg",
        None,
    ),
    (
        "outside the hard range: refused",
        [("WEIGHT", "300")],
        "WEIGHT",
        HARD,
        None,
        "Must be between 20 and 250 kg",
        "300",
    ),
    (
        "refused: the previous value is not kept either",
        [("WEIGHT", "70"), ("WEIGHT", "300")],
        "WEIGHT",
        HARD,
        None,
        "Must be between 20 and 250 kg",
        "300",
    ),
    (
        "refused, then a good value",
        [("WEIGHT", "300"), ("WEIGHT", "80")],
        "WEIGHT",
        OK,
        D(80),
        None,
        None,
    ),
    (
        "outside the soft range: kept",
        [("WEIGHT", "130")],
        "WEIGHT",
        SOFT,
        D(130),
        "Expected between 35 and 120 kg",
        None,
    ),
    (
        "integer hard range",
        [("HEIGHT", "99")],
        "HEIGHT",
        HARD,
        None,
        "Must be between 100 and 230 cm",
        "99",
    ),
    (
        "hard constraint",
        [("ICDAT", "2025-01-02")],
        "ICDAT",
        HARD,
        None,
        "Date cannot be in the future",
        "2025-01-02",
    ),
    (
        "hard constraint holds",
        [("ICDAT", "2025-01-01")],
        "ICDAT",
        OK,
        dt.date(2025, 1, 1),
        None,
        None,
    ),
    (
        "missing code satisfies required",
        [("ICDAT", Missing("ND"))],
        "ICDAT",
        OK,
        Missing("ND"),
        None,
        None,
    ),
    ("allowed missing code", [("WEIGHT", Missing("ND"))], "WEIGHT", OK, Missing("ND"), None, None),
    (
        "missing code the item does not allow",
        [("WEIGHT", Missing("UNK"))],
        "WEIGHT",
        HARD,
        None,
        "'UNK' is not allowed here (allowed: ND)",
        Missing("UNK"),
    ),
    (
        "missing code the study does not have",
        [("ICDAT", Missing("NA"))],
        "ICDAT",
        HARD,
        None,
        "'NA' is not allowed here (allowed: ND, UNK)",
        Missing("NA"),
    ),
    ("hidden until asked for", [], "PACKYRS", HIDDEN, None, None, None),
    ("shown and required", [("SMOKER", "Y")], "PACKYRS", REQUIRED, None, "Required", None),
    ("hidden again", [("SMOKER", "N")], "PACKYRS", HIDDEN, None, None, None),
    (
        "hidden keeps its value",
        [("SMOKER", "Y"), ("PACKYRS", "30"), ("SMOKER", "N")],
        "PACKYRS",
        HIDDEN,
        D(30),
        None,
        None,
    ),
    (
        "a later change makes a stored value impossible",
        [("ICDAT", "2024-03-15"), ("DIAGDAT", "2024-03-01"), ("ICDAT", "2024-02-01")],
        "DIAGDAT",
        HARD,
        PartialDate(2024, 3, 1),
        "Diagnosis after consent",
        None,
    ),
    (
        "a partial date that may be either side does not fire",
        [("ICDAT", "2024-03-15"), ("DIAGDAT", "2024-03")],
        "DIAGDAT",
        OK,
        PartialDate(2024, 3),
        None,
        None,
    ),
    (
        "a partial date surely after consent is refused",
        [("ICDAT", "2024-03-15"), ("DIAGDAT", "2024-04")],
        "DIAGDAT",
        HARD,
        None,
        "Diagnosis after consent",
        "2024-04",
    ),
    ("row column required", [], "TL[1].TL_SITE", REQUIRED, None, "Required", None),
    (
        "row column hidden while its condition is empty",
        [],
        "TL[1].TL_DIAM",
        HIDDEN,
        None,
        None,
        None,
    ),
    ("row column shown", [("TL[1].TL_SITE", "LUNG")], "TL[1].TL_DIAM", OK, None, None, None),
    (
        "row column hidden by its own row",
        [("TL[1].TL_SITE", "BONE"), ("TL[1].TL_DIAM", "10")],
        "TL[1].TL_DIAM",
        HIDDEN,
        D(10),
        None,
        None,
    ),
    ("group with its minimum rows", [], "TL", OK, None, None, None),
    ("calculated, inputs missing", [("WEIGHT", "72")], "BMI", OK, None, None, None),
    ("calculated", [("WEIGHT", "72"), ("HEIGHT", "200")], "BMI", OK, D("18.0"), None, None),
    (
        "calculated from a group",
        [("TL[1].TL_SITE", "LUNG"), ("TL[1].TL_DIAM", "12.5")],
        "SUMDIAM",
        OK,
        D("12.5"),
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("answers", "path", "status", "value", "message", "rejected"),
    [row[1:] for row in STATUSES],
    ids=[row[0] for row in STATUSES],
)
def test_status(
    study: Study,
    answers: Answers,
    path: str,
    status: Status,
    value: object,
    message: str | None,
    rejected: object,
) -> None:
    state = screening(study, answers).state(path)
    assert state.status is status
    assert same(state.value, value), state.value
    assert (state.message.en if state.message else None) == message
    assert state.rejected_input == rejected
    if state.message is not None:
        assert state.message.zh.strip()


# -- text entry --------------------------------------------------------------------------

# item, what is typed, the refusal (en)
REFUSED_INPUT: list[tuple[str, object, str]] = [
    ("WEIGHT", "abc", "'abc' is not a number (use a point for decimals)"),
    ("WEIGHT", "1,5", "'1,5' is not a number (use a point for decimals)"),
    ("WEIGHT", "70.25", "At most 1 decimal places"),
    ("WEIGHT", True, "Enter a number"),
    ("HEIGHT", "17.5", "'17.5' is not a whole number"),
    ("HEIGHT", "180cm", "'180cm' is not a whole number"),
    ("ICDAT", "2024-02-30", "'2024-02-30' is not a date (YYYY-MM-DD)"),
    ("ICDAT", "15/03/2024", "'15/03/2024' is not a date (YYYY-MM-DD)"),
    ("ICDAT", "2024-3-15", "'2024-3-15' is not a date (YYYY-MM-DD)"),
    ("DIAGDAT", "2024-13", "'2024-13' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"),
    ("DIAGDAT", "March 2024", "'March 2024' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"),
    ("BRTHDAT", "1980", "At least the month is needed here"),
    ("SMOKER", "maybe", "'maybe' is not yes or no"),
    ("TL[1].TL_SITE", "KIDNEY", "'KIDNEY' is not one of the choices"),
    ("METS", "LUNG,KIDNEY", "'KIDNEY' is not one of the choices"),
    ("INITIALS", "ABCD", "At most 3 characters"),
    ("INITIALS", "A\nB", "Only one line is allowed here"),
]


@pytest.mark.parametrize(
    ("path", "raw", "message"), REFUSED_INPUT, ids=[f"{p}={r!r}" for p, r, _ in REFUSED_INPUT]
)
def test_refused_input(study: Study, path: str, raw: object, message: str) -> None:
    session = screening(study)
    result = session.answer(path, raw)
    assert result.status is HARD
    assert result.message is not None and result.message.en == message
    state = session.state(path)
    assert (state.value, state.rejected_input) == (None, raw)


# item, what is typed, the value kept
ACCEPTED_INPUT: list[tuple[str, object, object]] = [
    ("WEIGHT", " 70.5 ", D("70.5")),
    ("WEIGHT", D("70.5"), D("70.5")),
    ("HEIGHT", "+180", 180),
    ("HEIGHT", 180, 180),
    ("ICDAT", "2024-03-15", dt.date(2024, 3, 15)),
    ("ICDAT", dt.date(2024, 3, 15), dt.date(2024, 3, 15)),
    ("DIAGDAT", "2024", PartialDate(2024)),
    ("DIAGDAT", "2024-03", PartialDate(2024, 3)),
    ("DIAGDAT", dt.date(2024, 3, 15), PartialDate(2024, 3, 15)),
    ("BRTHDAT", "1980-05", PartialDate(1980, 5)),
    ("SMOKER", "yes", True),
    ("SMOKER", "是", True),
    ("SMOKER", "N", False),
    ("SMOKER", False, False),
    ("METS", "LUNG, BONE", frozenset({"LUNG", "BONE"})),
    ("METS", ["LIVER"], frozenset({"LIVER"})),
    ("TL[1].TL_SITE", " LUNG ", "LUNG"),
    ("INITIALS", "ABC", "ABC"),
    ("WEIGHT", "", None),
    ("WEIGHT", None, None),
]


@pytest.mark.parametrize(
    ("path", "raw", "value"), ACCEPTED_INPUT, ids=[f"{p}={r!r}" for p, r, _ in ACCEPTED_INPUT]
)
def test_accepted_input(study: Study, path: str, raw: object, value: object) -> None:
    session = screening(study)
    session.answer(path, raw)
    state = session.state(path)
    assert state.status in (OK, SOFT)
    assert same(state.value, value), state.value
    assert state.rejected_input is None


# -- what an answer changes ----------------------------------------------------------------

# name, answers before, the answer, every item whose state it changes
CHANGES: list[tuple[str, Answers, tuple[str, object], list[str]]] = [
    ("only itself", [], ("WEIGHT", "70"), ["WEIGHT"]),
    (
        "a calculation that can now be made",
        [("HEIGHT", "200")],
        ("WEIGHT", "72"),
        ["BMI", "WEIGHT"],
    ),
    ("the same value again", [("WEIGHT", "70")], ("WEIGHT", "70.0"), []),
    ("an unrelated item", [("HEIGHT", "200"), ("WEIGHT", "72")], ("INITIALS", "AB"), ["INITIALS"]),
    (
        "a refused value clears a calculation",
        [("HEIGHT", "200"), ("WEIGHT", "72")],
        ("WEIGHT", "300"),
        ["BMI", "WEIGHT"],
    ),
    ("skip logic shows an item", [], ("SMOKER", "Y"), ["PACKYRS", "SMOKER"]),
    ("an answer feeds a calculation", [("SMOKER", "Y")], ("PACKYRS", "30"), ["HEAVY", "PACKYRS"]),
    (
        "hiding an item empties what is calculated from it",
        [("SMOKER", "Y"), ("PACKYRS", "30")],
        ("SMOKER", "N"),
        ["HEAVY", "PACKYRS", "SMOKER"],
    ),
    (
        "a constraint on another item is checked again",
        [("ICDAT", "2024-03-15"), ("DIAGDAT", "2024-03-01")],
        ("ICDAT", "2024-02-01"),
        ["DIAGDAT", "ICDAT"],
    ),
    ("a row's relevance", [], ("TL[1].TL_SITE", "LUNG"), ["TL[1].TL_DIAM", "TL[1].TL_SITE"]),
    (
        "a row value feeds a sum",
        [("TL[1].TL_SITE", "LUNG")],
        ("TL[1].TL_DIAM", "12"),
        ["SUMDIAM", "TL[1].TL_DIAM"],
    ),
    (
        "a hidden row value leaves the sum",
        [("TL[1].TL_SITE", "LUNG"), ("TL[1].TL_DIAM", "12")],
        ("TL[1].TL_SITE", "BONE"),
        ["SUMDIAM", "TL[1].TL_DIAM", "TL[1].TL_SITE"],
    ),
]


@pytest.mark.parametrize(
    ("before", "answer", "changed"), [row[1:] for row in CHANGES], ids=[row[0] for row in CHANGES]
)
def test_answer_lists_exactly_what_changed(
    study: Study, before: Answers, answer: tuple[str, object], changed: list[str]
) -> None:
    session = screening(study, before)
    states = session.states()
    result = session.answer(*answer)
    assert sorted(str(p) for p in result.changed) == sorted(changed)
    assert len(set(result.changed)) == len(result.changed)
    after = session.states()
    really = sorted(str(p) for p in after if states.get(p) != after[p])
    assert really == sorted(changed)


# -- relevance and calculations ------------------------------------------------------------


def test_hidden_values_do_not_reach_calculations(study: Study) -> None:
    session = screening(study, [("SMOKER", "Y"), ("PACKYRS", "30")])
    assert session.value("HEAVY") is True
    session.answer("SMOKER", "N")
    assert session.value("HEAVY") is None
    assert session.state("PACKYRS").value == D(30)
    session.answer("SMOKER", "Y")
    assert session.value("HEAVY") is True


def test_hidden_row_values_do_not_reach_the_sum(study: Study) -> None:
    session = screening(study, [("TL[1].TL_SITE", "BONE"), ("TL[1].TL_DIAM", "10")])
    session.add_row("TL")
    session.answer("TL[2].TL_SITE", "LUNG")
    session.answer("TL[2].TL_DIAM", "7")
    assert same(session.value("SUMDIAM"), D(7))
    session.answer("TL[1].TL_SITE", "LIVER")
    assert same(session.value("SUMDIAM"), D(17))


def test_calculation_is_rounded_to_its_precision(study: Study) -> None:
    session = screening(study, [("HEIGHT", "175"), ("WEIGHT", "70")])
    assert same(session.value("BMI"), D("22.9"))  # 22.857…


def test_calculations_across_forms(study: Study) -> None:
    subject = MemorySubject(
        {
            "SCR": {"SCRN": {"ICDAT": "2024-03-15"}},
            "CYCLE": [{"DOSE": {"DOSEDAT": "2024-04-01"}}, {"DOSE": {}}],
        }
    )
    site = {"ALT": ReferenceRange("ALT", Text("ALT", "ALT"), "U/L", D(5), D(50))}
    session = FormSession(
        study,
        study.forms["DOSE"],
        subject=subject,
        event="CYCLE",
        occurrence=2,
        today=TODAY,
        reference_ranges=site,
    )
    result = session.answer("DOSEDAT", "2024-04-22")
    assert sorted(str(p) for p in result.changed) == ["DOSEDAT", "GAP"]
    assert same(session.value("GAP"), D(21))
    session.answer("ALT", "45")
    assert session.value("ALTHIGH") is False  # the site's ULN is 50, the study's 40
    warned = session.answer("DOSEDAT", "2024-03-01")
    assert warned.status is SOFT
    assert warned.message is not None and warned.message.en == "Dose before consent"
    assert same(session.value("DOSEDAT"), dt.date(2024, 3, 1))


# -- soft warnings and overrides -------------------------------------------------------------


def test_override_records_the_reason(study: Study) -> None:
    session = screening(study, [("WEIGHT", "130")])
    state = session.override("WEIGHT", "  weighed twice ")
    assert (state.status, state.value, state.override_reason) == (SOFT, D(130), "weighed twice")
    assert session.state("WEIGHT").override_reason == "weighed twice"
    session.answer("WEIGHT", "131")
    assert session.state("WEIGHT").override_reason is None


@pytest.mark.parametrize("reason", ["", "   "])
def test_override_needs_a_reason(study: Study, reason: str) -> None:
    session = screening(study, [("WEIGHT", "130")])
    with pytest.raises(SessionError, match="a reason is needed"):
        session.override("WEIGHT", reason)
    assert session.state("WEIGHT").override_reason is None


@pytest.mark.parametrize(
    "answers", [[], [("WEIGHT", "70")], [("WEIGHT", "300")]], ids=["empty", "ok", "refused"]
)
def test_override_needs_a_warning(study: Study, answers: Answers) -> None:
    with pytest.raises(SessionError, match="has no warning to override"):
        screening(study, answers).override("WEIGHT", "because")


# -- missing-data codes ------------------------------------------------------------------------


def test_set_missing(study: Study) -> None:
    session = screening(study)
    result = session.set_missing("ICDAT", "UNK")
    assert (result.status, session.value("ICDAT")) == (OK, Missing("UNK"))
    refused = session.set_missing("WEIGHT", "UNK")
    assert refused.status is HARD
    assert session.state("WEIGHT").rejected_input == Missing("UNK")


def test_missing_code_is_empty_in_calculations(study: Study) -> None:
    session = screening(study, [("HEIGHT", "200"), ("WEIGHT", "72")])
    session.set_missing("WEIGHT", "ND")
    assert session.value("BMI") is None


# -- groups -------------------------------------------------------------------------------


def test_rows_between_min_and_max(study: Study) -> None:
    session = screening(study)
    assert session.row_count("TL") == 1  # min_rows
    assert [session.add_row("TL"), session.add_row("TL")] == [2, 3]
    with pytest.raises(SessionError, match="at most 3 rows"):
        session.add_row("TL")
    assert session.row_count("TL") == 3
    session.remove_row("TL", 1)
    session.remove_row("TL", 1)
    assert session.state("TL").status is OK
    session.remove_row("TL", 1)
    state = session.state("TL")
    assert (state.status, state.message) == (
        REQUIRED,
        Text("At least 1 row(s) needed", "至少需要 1 行"),
    )
    assert not session.is_complete()


def test_removing_a_row_moves_the_later_rows_up(study: Study) -> None:
    session = screening(study)
    session.add_row("TL")
    session.add_row("TL")
    for row, (site, diam) in enumerate([("LUNG", "10"), ("BONE", "5"), ("LUNG", "7")], start=1):
        session.answer(f"TL[{row}].TL_SITE", site)
        session.answer(f"TL[{row}].TL_DIAM", diam)
    session.answer("TL[3].TL_NEW", "maybe")
    assert same(session.value("SUMDIAM"), D(17))
    session.remove_row("TL", 1)
    rows = [
        (str(p), s.status, s.value, s.rejected_input)
        for p, s in session.states().items()
        if p.group == "TL"
    ]
    assert rows == [
        ("TL[1].TL_SITE", OK, "BONE", None),
        ("TL[1].TL_DIAM", HIDDEN, D(5), None),
        ("TL[1].TL_NEW", OK, None, None),
        ("TL[2].TL_SITE", OK, "LUNG", None),
        ("TL[2].TL_DIAM", OK, D(7), None),
        ("TL[2].TL_NEW", HARD, None, "maybe"),
    ]
    assert same(session.value("SUMDIAM"), D(7))


BAD_REQUESTS: list[tuple[str, Any, str]] = [
    ("answer", ("BMI", 3), "BMI is a calculated and cannot be answered"),
    ("answer", ("TL_SITE", "LUNG"), "item TL_SITE is in group TL; use a path like TL[1].TL_SITE"),
    ("answer", ("TL[2].TL_SITE", "LUNG"), "group TL has no row 2"),
    ("answer", ("WEIGHT[1].X", "1"), "form SCRN has no item 'X'"),
    ("answer", ("NOPE", 1), "form SCRN has no item 'NOPE'"),
    ("state", ("TL[0].TL_SITE",), "group TL has no row 0"),
    ("add_row", ("WEIGHT",), "WEIGHT is not a group"),
    ("remove_row", ("TL", 2), "group TL has no row 2"),
    ("remove_row", ("WEIGHT", 1), "group WEIGHT has no row 1"),
    ("row_count", ("WEIGHT",), "form SCRN has no group 'WEIGHT'"),
]


@pytest.mark.parametrize(
    ("method", "args", "message"), BAD_REQUESTS, ids=[f"{m}{a}" for m, a, _ in BAD_REQUESTS]
)
def test_bad_request(study: Study, method: str, args: Any, message: str) -> None:
    session = screening(study)
    with pytest.raises(SessionError) as info:
        getattr(session, method)(*args)
    assert str(info.value) == message


@pytest.mark.parametrize("text", ["tl[1].x", "TL[].X", "TL[1]", "TL.X", ""])
def test_item_path_syntax(text: str) -> None:
    with pytest.raises(ValueError, match="is not an item path"):
        ItemPath.parse(text)


def test_item_path_round_trip() -> None:
    assert ItemPath.parse("TL[2].TL_DIAM") == ItemPath("TL_DIAM", "TL", 2)
    assert str(ItemPath("TL_DIAM", "TL", 2)) == "TL[2].TL_DIAM"
    assert ItemPath.parse("WEIGHT") == ItemPath("WEIGHT")


# -- what is saved ----------------------------------------------------------------------------


def test_data_has_relevant_answers_only(study: Study) -> None:
    session = screening(
        study,
        [
            ("ICDAT", "2024-03-15"),
            ("SMOKER", "Y"),
            ("PACKYRS", "30"),
            ("SMOKER", "N"),
            ("WEIGHT", "72"),
            ("HEIGHT", "200"),
            ("TL[1].TL_SITE", "LUNG"),
            ("TL[1].TL_DIAM", "12"),
        ],
    )
    session.add_row("TL")
    session.answer("TL[2].TL_SITE", "BONE")
    session.answer("TL[2].TL_DIAM", "5")
    assert session.data() == {
        "ICDAT": dt.date(2024, 3, 15),
        "SMOKER": False,
        "WEIGHT": D(72),
        "HEIGHT": 200,
        "BMI": D("18.0"),
        "TL": [{"TL_SITE": "LUNG", "TL_DIAM": D(12)}, {"TL_SITE": "BONE"}],
        "SUMDIAM": D(12),
    }
    assert session.data()["SMOKER"] is False
    assert session.is_complete()
    assert session.problems() == {}


def test_problems_lists_what_blocks_completion(study: Study) -> None:
    session = screening(study, [("WEIGHT", "130"), ("HEIGHT", "500"), ("SMOKER", "Y")])
    assert {str(p): s.status for p, s in session.problems().items()} == {
        "ICDAT": REQUIRED,
        "PACKYRS": REQUIRED,
        "WEIGHT": SOFT,
        "HEIGHT": HARD,
        "TL[1].TL_SITE": REQUIRED,
    }
    assert not session.is_complete()


def test_loaded_answers_are_checked(study: Study) -> None:
    session = FormSession(
        study,
        study.forms["SCRN"],
        today=TODAY,
        answers={
            "ICDAT": "2024-03-15",
            "WEIGHT": "300",
            "TL": [{"TL_SITE": "LUNG", "TL_DIAM": "12"}, {}],
        },
    )
    weight = session.state("WEIGHT")
    assert (weight.status, weight.value) == (HARD, "300")
    assert session.state("ICDAT").status is OK
    assert session.row_count("TL") == 2
    assert session.state("TL[2].TL_SITE").status is REQUIRED
    assert same(session.value("SUMDIAM"), D(12))
