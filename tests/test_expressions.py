"""The expression language, table by table, through the small study in fixtures/forms/mini.

Each row is an expression, the data it sees and the value it must give. Expressions
are parsed and type-checked in the scope of a form of the study first, exactly as
the loader does, so every row is also a valid definition.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from npc_crf.forms.eligibility import Outcome, Verdict, assess
from npc_crf.forms.expr.ast import Call, walk
from npc_crf.forms.expr.check import Checker, Scope
from npc_crf.forms.expr.evaluate import INDETERMINATE, Env, Missing, evaluate
from npc_crf.forms.expr.functions import FUNCTIONS
from npc_crf.forms.expr.parser import ExprSyntaxError, parse
from npc_crf.forms.expr.values import NumRange, PartialDate
from npc_crf.forms.loader import load_study
from npc_crf.forms.model import ReferenceRange, Study, Text
from npc_crf.forms.subject_data import MemorySubject

MINI = Path(__file__).parent / "fixtures" / "forms" / "mini"
TODAY = dt.date(2025, 1, 1)
D = Decimal
day = dt.date


@pytest.fixture(scope="module")
def study() -> Study:
    return load_study(MINI)


def scope_of(study: Study, where: str) -> Scope:
    """``''`` (study level), ``FORM``, ``FORM:GROUP`` (a row) or ``FORM:.ITEM`` (a constraint)."""
    if not where:
        return Scope(study)
    form_oid, _, rest = where.partition(":")
    form = study.forms[form_oid]
    if rest.startswith("."):
        return Scope(study, form, form.group_of(rest[1:]), form.item(rest[1:]))
    return Scope(study, form, form.item(rest) if rest else None)


def check(study: Study, text: str, where: str = "SCRN") -> tuple[str | None, list[tuple[int, str]]]:
    """The static type (as text) and the errors of ``text`` in a scope."""
    checker = Checker(scope_of(study, where))
    result = checker.run(parse(text))
    return (str(result) if result is not None else None), checker.errors


def value(
    study: Study,
    text: str,
    data: dict[str, Any] | None = None,
    *,
    form: str = "SCRN",
    subject: dict[str, Any] | None = None,
    event: str | None = None,
    occurrence: int | None = None,
    ranges: dict[str, ReferenceRange] | None = None,
) -> object:
    """Check ``text`` in ``form`` (it must be valid), then evaluate it on ``data``."""
    _, errors = check(study, text, form)
    assert errors == [], f"{text!r} does not check: {errors}"
    env = Env(
        study,
        form=study.forms[form],
        data=data or {},
        subject=MemorySubject(subject or {}),
        event=event,
        occurrence=occurrence,
        today=TODAY,
        reference_ranges=ranges,
    )
    return evaluate(parse(text), env)


def same(actual: object, expected: object) -> bool:
    """Equal and of the same type (``Decimal(1) == True`` must not pass)."""
    if expected is None or expected is INDETERMINATE:
        return actual is expected
    return type(actual) is type(expected) and actual == expected


# -- arithmetic, logic, comparisons -----------------------------------------------------

PLAIN = [
    # exact decimals
    ("0.1 + 0.2", D("0.3")),
    ("0.1 + 0.2 = 0.3", True),
    ("1 - 0.9", D("0.1")),
    ("10 / 4", D("2.5")),
    ("1.5 * 1.5", D("2.25")),
    # precedence and associativity
    ("2 + 3 * 4", D(14)),
    ("(2 + 3) * 4", D(20)),
    ("10 - 4 - 3", D(3)),
    ("12 / 2 / 3", D(2)),
    ("-2 * 3", D(-6)),
    ("2 - -2", D(4)),
    ("- -2", D(2)),
    # empty and division by zero
    ("1 / 0", None),
    ("0 / 0", None),
    ("1 + null", None),
    ("null * 2", None),
    ("-null", None),
    # three-valued logic
    ("false and null", False),
    ("null and false", False),
    ("true or null", True),
    ("null or true", True),
    ("null and true", None),
    ("true and null", None),
    ("false or null", None),
    ("null or null", None),
    ("not null", None),
    ("true and true", True),
    ("true and false", False),
    ("false or false", False),
    ("not false", True),
    # precedence of logic: not > and > or, comparison binds tighter than not
    ("not true or true", True),
    ("true or false and false", True),
    ("(true or false) and false", False),
    ("not 1 = 2", True),
    # comparisons
    ("1 < 2", True),
    ("2 <= 2", True),
    ("3 > 2", True),
    ("2 >= 3", False),
    ("2 = 2.0", True),
    ("2 != 2", False),
    ("'abc' < 'abd'", True),
    ("'a' = 'a'", True),
    ("\"a\" != 'b'", True),
    ("true = true", True),
    ("true != false", True),
    ("1 = null", None),
    ("null = null", None),
    ("date('2024-03-15') < date('2024-03-16')", True),
    ("date('2024-03-15') + 1 = date('2024-03-16')", True),
    ("1 + date('2024-03-15') = date('2024-03-16')", True),
    ("date('2024-03-01') - 1 = date('2024-02-29')", True),
    # in
    ("2 in (1, 2, 3)", True),
    ("4 in (1, 2, 3)", False),
    ("1 in (1, null)", True),
    ("4 in (1, null)", None),
    ("null in (1, 2)", None),
    ("'LUNG' in ('LUNG', 'BONE')", True),
    ("1 + 1 in (2)", True),
    # functions on literals
    ("if(true, 1, 2)", D(1)),
    ("if(false, 1, 2)", D(2)),
    ("if(null, 1, 2)", None),
    ("coalesce(null, null, 3)", D(3)),
    ("coalesce(null)", None),
    ("round(2.345, 2)", D("2.35")),
    ("round(2.5)", D(3)),
    ("round(-2.5)", D(-3)),
    ("round(1.25, 1)", D("1.3")),
    ("round(null, 1)", None),
    ("abs(-3.5)", D("3.5")),
    ("floor(-2.5)", D(-3)),
    ("floor(2)", D(2)),
    ("ceil(2.1)", D(3)),
    ("length('abc')", D(3)),
    ("length(null)", None),
    ("contains('hello', 'ell')", True),
    ("contains('hello', 'xyz')", False),
    ("upper('abc')", "ABC"),
    ("lower('ABC')", "abc"),
    ("concat('a', 1, true, null, 2.50, 2.0)", "a1Y2.502"),
    ("matches('AB1', '[A-Z]+[0-9]')", True),
    ("matches('AB1x', '[A-Z]+[0-9]')", False),
    ("today()", TODAY),
    ("today() - 1", day(2024, 12, 31)),
    ("date('2024-03-15')", day(2024, 3, 15)),
    ("max(1, 5, 3)", D(5)),
    ("min(1, null, 3)", D(1)),
    ("max(null, null)", None),
    ("param('min_age')", D(18)),
    ("lln('ALT')", D(7)),
    ("uln('ALT')", D(40)),
]


@pytest.mark.parametrize(("text", "expected"), PLAIN, ids=[t for t, _ in PLAIN])
def test_plain_expression(study: Study, text: str, expected: object) -> None:
    assert same(value(study, text), expected)


# -- items of the form, partial dates ------------------------------------------------

CONSENT = "2024-03-15"

WITH_DATA: list[tuple[str, dict[str, Any], object]] = [
    ("WEIGHT * 2", {"WEIGHT": "70.5"}, D("141.0")),
    ("WEIGHT * 2", {}, None),
    ("WEIGHT", {"WEIGHT": Missing("ND")}, None),
    ("is_empty(WEIGHT)", {}, True),
    ("is_empty(WEIGHT)", {"WEIGHT": Missing("ND")}, True),
    ("is_empty(WEIGHT)", {"WEIGHT": "70"}, False),
    ("missing_code(WEIGHT)", {"WEIGHT": Missing("ND")}, "ND"),
    ("missing_code(WEIGHT)", {"WEIGHT": "70"}, None),
    ("coalesce(WEIGHT, 0)", {"WEIGHT": Missing("ND")}, D(0)),
    ("SMOKER", {"SMOKER": "Y"}, True),
    ("if(SMOKER, 'smoker', 'never')", {"SMOKER": "N"}, "never"),
    ("length(INITIALS)", {"INITIALS": "ABC"}, D(3)),
    ("contains(INITIALS, 'B')", {"INITIALS": "ABC"}, True),
    ("upper(INITIALS) = 'ABC'", {"INITIALS": "abc"}, True),
    ("selected(METS, 'LUNG')", {"METS": ["LUNG", "BONE"]}, True),
    ("selected(METS, 'LIVER')", {"METS": ["LUNG", "BONE"]}, False),
    ("selected(METS, 'LUNG')", {}, None),
    ("count_selected(METS)", {"METS": ["LUNG", "BONE"]}, D(2)),
    ("count_selected(METS)", {"METS": "LUNG"}, D(1)),
    ("count_selected(METS)", {}, None),
    # a comparison with a partial date is decided only when every possible day agrees
    ("DIAGDAT < ICDAT", {"DIAGDAT": "2023-09", "ICDAT": CONSENT}, True),
    ("DIAGDAT < ICDAT", {"DIAGDAT": "2024-03", "ICDAT": CONSENT}, INDETERMINATE),
    ("DIAGDAT < ICDAT", {"DIAGDAT": "2024-04", "ICDAT": CONSENT}, False),
    ("DIAGDAT < ICDAT", {"DIAGDAT": "2024", "ICDAT": CONSENT}, INDETERMINATE),
    ("DIAGDAT < ICDAT", {"DIAGDAT": "2023", "ICDAT": CONSENT}, True),
    ("DIAGDAT < ICDAT", {"DIAGDAT": "2023-09"}, None),
    ("DIAGDAT = ICDAT", {"DIAGDAT": "2024-03", "ICDAT": CONSENT}, INDETERMINATE),
    ("DIAGDAT = ICDAT", {"DIAGDAT": "2024-02", "ICDAT": CONSENT}, False),
    ("DIAGDAT != ICDAT", {"DIAGDAT": "2024-02", "ICDAT": CONSENT}, True),
    ("DIAGDAT = ICDAT", {"DIAGDAT": CONSENT, "ICDAT": CONSENT}, True),
    ("DIAGDAT <= ICDAT", {"DIAGDAT": "2024-03-15", "ICDAT": CONSENT}, True),
    ("DIAGDAT < ICDAT or true", {"DIAGDAT": "2024-03", "ICDAT": CONSENT}, True),
    ("DIAGDAT < ICDAT and false", {"DIAGDAT": "2024-03", "ICDAT": CONSENT}, False),
    ("DIAGDAT < ICDAT and true", {"DIAGDAT": "2024-03", "ICDAT": CONSENT}, INDETERMINATE),
    ("DIAGDAT < ICDAT and WEIGHT > 1", {"DIAGDAT": "2024-03", "ICDAT": CONSENT}, None),
    # differences: exact when decidable, a range (and indeterminate comparisons) when not
    ("days_between(DIAGDAT, ICDAT) > 180", {"DIAGDAT": "2023-09", "ICDAT": CONSENT}, INDETERMINATE),
    ("days_between(DIAGDAT, ICDAT) > 180", {"DIAGDAT": "2023-01", "ICDAT": CONSENT}, True),
    ("days_between(DIAGDAT, ICDAT) > 180", {"DIAGDAT": "2023-12", "ICDAT": CONSENT}, False),
    (
        "days_between(DIAGDAT, ICDAT)",
        {"DIAGDAT": "2023-09", "ICDAT": CONSENT},
        NumRange(D(167), D(196)),
    ),
    ("days_between(DIAGDAT, ICDAT)", {"DIAGDAT": "2024-03-01", "ICDAT": CONSENT}, D(14)),
    ("days_between(ICDAT, DIAGDAT)", {"DIAGDAT": "2024-03-01", "ICDAT": CONSENT}, D(-14)),
    ("days_between(DIAGDAT, ICDAT) > 180", {"DIAGDAT": "2023-09"}, None),
    ("months_between(DIAGDAT, ICDAT)", {"DIAGDAT": "2023-09", "ICDAT": "2024-03-31"}, D(6)),
    (
        "months_between(DIAGDAT, ICDAT)",
        {"DIAGDAT": "2023-09", "ICDAT": CONSENT},
        NumRange(D(5), D(6)),
    ),
    ("months_between(DIAGDAT, ICDAT) >= 5", {"DIAGDAT": "2023-09", "ICDAT": CONSENT}, True),
    (
        "months_between(DIAGDAT, ICDAT) >= 6",
        {"DIAGDAT": "2023-09", "ICDAT": CONSENT},
        INDETERMINATE,
    ),
    ("months_between(ICDAT, DIAGDAT)", {"DIAGDAT": "2024-01-31", "ICDAT": "2023-12-31"}, D(1)),
    ("years_between(DIAGDAT, ICDAT)", {"DIAGDAT": "2020-05", "ICDAT": CONSENT}, D(3)),
    (
        "years_between(DIAGDAT, ICDAT)",
        {"DIAGDAT": "2020-03", "ICDAT": CONSENT},
        NumRange(D(3), D(4)),
    ),
    ("age_at(BRTHDAT, ICDAT)", {"BRTHDAT": "1990-06", "ICDAT": CONSENT}, D(33)),
    ("age_at(BRTHDAT, ICDAT)", {"BRTHDAT": "1990", "ICDAT": CONSENT}, NumRange(D(33), D(34))),
    ("age_at(BRTHDAT, ICDAT) >= 18", {"BRTHDAT": "1990", "ICDAT": CONSENT}, True),
    ("age_at(BRTHDAT, ICDAT) >= 18", {"BRTHDAT": "2006-03", "ICDAT": CONSENT}, INDETERMINATE),
    ("age_at(BRTHDAT, ICDAT) >= 18", {"BRTHDAT": "2006-02", "ICDAT": CONSENT}, True),
    ("age_at(BRTHDAT, ICDAT)", {"BRTHDAT": "2006-03-15", "ICDAT": CONSENT}, D(18)),
    ("age_at(BRTHDAT, ICDAT)", {"BRTHDAT": "2006-03-16", "ICDAT": CONSENT}, D(17)),
    (
        "round(days_between(DIAGDAT, ICDAT) / 7)",
        {"DIAGDAT": "2023-09", "ICDAT": CONSENT},
        INDETERMINATE,
    ),
    ("year(DIAGDAT)", {"DIAGDAT": "2023-09"}, D(2023)),
    ("month(DIAGDAT)", {"DIAGDAT": "2023-09"}, D(9)),
    ("day(DIAGDAT)", {"DIAGDAT": "2023-09"}, None),
    ("month(DIAGDAT)", {"DIAGDAT": "2023"}, None),
    ("day(ICDAT)", {"ICDAT": CONSENT}, D(15)),
    ("DIAGDAT", {"DIAGDAT": "2023-09"}, PartialDate(2023, 9)),
    ("DIAGDAT", {"DIAGDAT": "2023-09-02"}, day(2023, 9, 2)),
    ("ICDAT + 30", {"ICDAT": CONSENT}, day(2024, 4, 14)),
    ("DIAGDAT + 30", {"DIAGDAT": "2023-09"}, INDETERMINATE),
    ("max(DIAGDAT, ICDAT)", {"DIAGDAT": "2023-09", "ICDAT": CONSENT}, day(2024, 3, 15)),
    ("max(DIAGDAT, ICDAT)", {"DIAGDAT": "2024-03", "ICDAT": CONSENT}, INDETERMINATE),
    ("min(DIAGDAT, ICDAT)", {"DIAGDAT": "2023-09", "ICDAT": CONSENT}, PartialDate(2023, 9)),
    ("ICDAT <= today()", {"ICDAT": CONSENT}, True),
]


@pytest.mark.parametrize(
    ("text", "data", "expected"), WITH_DATA, ids=[f"{t} {d}" for t, d, _ in WITH_DATA]
)
def test_expression_on_form_data(
    study: Study, text: str, data: dict[str, Any], expected: object
) -> None:
    assert same(value(study, text, data), expected)


# -- groups ---------------------------------------------------------------------------

LESIONS = [
    {"TL_SITE": "LUNG", "TL_DIAM": "12", "TL_NEW": "N"},
    {"TL_SITE": "LIVER", "TL_DIAM": "8", "TL_NEW": "Y"},
    {"TL_SITE": "LUNG", "TL_DIAM": "25"},
]
GAPPY = [{"TL_SITE": "LUNG", "TL_DIAM": "12"}, {"TL_SITE": "LIVER"}]

GROUPS: list[tuple[str, list[dict[str, Any]], object]] = [
    ("count(TL)", LESIONS, D(3)),
    ("count(TL.TL_DIAM)", LESIONS, D(3)),
    ("count(TL.TL_NEW)", LESIONS, D(2)),
    ("sum(TL.TL_DIAM)", LESIONS, D(45)),
    ("mean(TL.TL_DIAM)", LESIONS, D(15)),
    ("min(TL.TL_DIAM)", LESIONS, D(8)),
    ("max(TL.TL_DIAM)", LESIONS, D(25)),
    ("count_where(TL, TL_SITE = 'LUNG')", LESIONS, D(2)),
    ("count_where(TL, TL_SITE = 'LUNG' and TL_DIAM >= 20)", LESIONS, D(1)),
    ("count_where(TL, TL_SITE in ('LUNG', 'LIVER') and TL_DIAM >= 10)", LESIONS, D(2)),
    ("any_where(TL, TL_DIAM > 20)", LESIONS, True),
    ("any_where(TL, TL_DIAM > 30)", LESIONS, False),
    ("any_where(TL, TL_NEW)", LESIONS, True),
    ("any(TL.TL_NEW)", LESIONS, True),
    ("all(TL.TL_NEW)", LESIONS, False),
    # a row with an empty value
    ("count(TL.TL_DIAM)", GAPPY, D(1)),
    ("sum(TL.TL_DIAM)", GAPPY, D(12)),
    ("mean(TL.TL_DIAM)", GAPPY, D(12)),
    ("any_where(TL, TL_DIAM > 10)", GAPPY, True),
    ("any_where(TL, TL_DIAM > 20)", GAPPY, None),
    ("count_where(TL, TL_DIAM > 10) >= 1", GAPPY, True),
    ("count_where(TL, TL_DIAM > 20)", GAPPY, None),
    ("all(TL.TL_NEW)", [{"TL_NEW": "Y"}, {}], None),
    ("any(TL.TL_NEW)", [{"TL_NEW": "N"}, {}], None),
    # no rows
    ("count(TL)", [], D(0)),
    ("sum(TL.TL_DIAM)", [], D(0)),
    ("mean(TL.TL_DIAM)", [], None),
    ("max(TL.TL_DIAM)", [], None),
    ("count_where(TL, TL_DIAM > 10)", [], D(0)),
    ("any_where(TL, TL_DIAM > 10)", [], False),
    ("any(TL.TL_NEW)", [], False),
    ("all(TL.TL_NEW)", [], True),
]


@pytest.mark.parametrize(
    ("text", "rows", "expected"), GROUPS, ids=[f"{t} {len(r)} rows" for t, r, _ in GROUPS]
)
def test_group_expression(
    study: Study, text: str, rows: list[dict[str, Any]], expected: object
) -> None:
    assert same(value(study, text, {"TL": rows}), expected)


def test_row_expression_sees_its_own_row(study: Study) -> None:
    form = study.forms["SCRN"]
    group = form.item("TL")
    errors = check(study, "TL_SITE = 'LUNG' and TL_DIAM > 10", "SCRN:TL")[1]
    assert errors == []
    tree = parse("TL_SITE = 'LUNG' and TL_DIAM > 10")
    results = [
        evaluate(
            tree, Env(study, form=form, data={"TL": LESIONS}, group=group, row=row, today=TODAY)
        )
        for row in LESIONS
    ]
    assert results == [True, False, True]


def test_count_where_condition_reads_items_outside_the_row(study: Study) -> None:
    """Bare names in the condition are the row's columns first, then the form's items."""
    rows = [{"TL_DIAM": "12"}, {"TL_DIAM": "8"}]
    assert same(
        value(study, "count_where(TL, TL_DIAM >= WEIGHT)", {"WEIGHT": "10", "TL": rows}), D(1)
    )


def test_count_where_with_missing_value_is_empty_not_indeterminate(study: Study) -> None:
    assert same(value(study, "count_where(TL, TL_DIAM > 10) >= 2", {"TL": GAPPY}), None)


# -- other forms, other events, study values -------------------------------------------

SUBJECT: dict[str, Any] = {
    "SCR": {"SCRN": {"ICDAT": CONSENT, "WEIGHT": "10", "TL": LESIONS}},
    "CYCLE": [
        {"DOSE": {"DOSEDAT": "2024-04-01", "ALT": "30"}},
        {"DOSE": {"DOSEDAT": "2024-04-22", "ALT": "45"}},
        {"DOSE": {"DOSEDAT": "2024-05-15"}},
    ],
}

CROSS: list[tuple[str, int, object]] = [
    ("@CYCLE[first].DOSE.DOSEDAT", 2, day(2024, 4, 1)),
    ("@CYCLE[last].DOSE.DOSEDAT", 2, day(2024, 5, 15)),
    ("@CYCLE[prev].DOSE.DOSEDAT", 2, day(2024, 4, 1)),
    ("@CYCLE[prev].DOSE.DOSEDAT", 3, day(2024, 4, 22)),
    ("@CYCLE[prev].DOSE.DOSEDAT", 1, None),
    ("@CYCLE[3].DOSE.DOSEDAT", 1, day(2024, 5, 15)),
    ("@CYCLE[4].DOSE.DOSEDAT", 1, None),
    ("@CYCLE[3].DOSE.ALT", 1, None),
    ("@DOSE.ALT", 2, D(45)),
    ("@DOSE.ALT", 1, D(30)),
    ("@SCR.SCRN.ICDAT", 2, day(2024, 3, 15)),
    ("sum(@SCR.SCRN.TL.TL_DIAM)", 2, D(45)),
    ("count(@SCR.SCRN.TL)", 2, D(3)),
    ("count_where(@SCR.SCRN.TL, TL_SITE = 'LUNG')", 2, D(2)),
    ("any_where(@SCR.SCRN.TL, TL_NEW)", 2, True),
    ("count_where(@SCR.SCRN.TL, TL_DIAM >= WEIGHT)", 2, D(2)),
    ("days_between(@CYCLE[prev].DOSE.DOSEDAT, @DOSE.DOSEDAT)", 2, D(21)),
    ("days_between(anchor('consent'), @CYCLE[first].DOSE.DOSEDAT)", 3, D(17)),
    ("anchor('consent')", 1, day(2024, 3, 15)),
    ("@DOSE.ALT > uln('ALT')", 2, True),
    ("@DOSE.ALT > uln('ALT')", 1, False),
]


@pytest.mark.parametrize(
    ("text", "occurrence", "expected"), CROSS, ids=[f"{t} in CYCLE[{n}]" for t, n, _ in CROSS]
)
def test_cross_form_reference(study: Study, text: str, occurrence: int, expected: object) -> None:
    result = value(study, text, form="DOSE", subject=SUBJECT, event="CYCLE", occurrence=occurrence)
    assert same(result, expected)


@pytest.mark.parametrize(
    "text",
    [
        "@CYCLE[first].DOSE.DOSEDAT",
        "@CYCLE[last].DOSE.DOSEDAT",
        "anchor('consent')",
        "@SCR.SCRN.ICDAT",
    ],
)
def test_cross_form_reference_without_data_is_empty(study: Study, text: str) -> None:
    assert value(study, text, form="DOSE", subject={}, event="CYCLE", occurrence=1) is None


def test_prev_from_another_event_is_empty(study: Study) -> None:
    result = value(study, "@CYCLE[prev].DOSE.DOSEDAT", subject=SUBJECT, event="SCR", occurrence=1)
    assert result is None


def test_site_reference_ranges_replace_the_study_defaults(study: Study) -> None:
    site = {"ALT": ReferenceRange("ALT", Text("ALT", "ALT"), "U/L", D(5), D(50))}
    assert same(value(study, "uln('ALT')", ranges=site), D(50))
    assert same(value(study, "lln('ALT')", ranges=site), D(5))
    assert value(study, "uln('ALT')", ranges={}) is None


# -- every function is exercised -------------------------------------------------------


def _called(text: str) -> set[str]:
    return {node.name for node in walk(parse(text)) if isinstance(node, Call)}


def test_every_function_is_in_a_table() -> None:
    texts = [t for t, _ in PLAIN] + [t for t, _, _ in WITH_DATA] + [t for t, _, _ in GROUPS]
    texts += [t for t, _, _ in CROSS]
    called = set().union(*map(_called, texts))
    assert set(FUNCTIONS) - called == set()


# -- eligibility on the same engine ------------------------------------------------------

ELIGIBILITY: list[tuple[str, dict[str, Any], Verdict, Outcome, tuple[str, ...]]] = [
    ("adult", {"BRTHDAT": "1990-06", "ICDAT": CONSENT}, Verdict.ELIGIBLE, Outcome.MET, ()),
    ("child", {"BRTHDAT": "2010", "ICDAT": CONSENT}, Verdict.NOT_ELIGIBLE, Outcome.FAILED, ()),
    (
        "adult by year alone",
        {"BRTHDAT": "1990", "ICDAT": CONSENT},
        Verdict.ELIGIBLE,
        Outcome.MET,
        (),
    ),
    (
        "18th birthday month",
        {"BRTHDAT": "2006-03", "ICDAT": CONSENT},
        Verdict.INCOMPLETE,
        Outcome.INDETERMINATE,
        (),
    ),
    (
        "no birth date",
        {"ICDAT": CONSENT},
        Verdict.INCOMPLETE,
        Outcome.MISSING,
        ("@SCR.SCRN.BRTHDAT",),
    ),
    (
        "birth date unknown",
        {"BRTHDAT": Missing("UNK"), "ICDAT": CONSENT},
        Verdict.INCOMPLETE,
        Outcome.MISSING,
        ("@SCR.SCRN.BRTHDAT",),
    ),
]


@pytest.mark.parametrize(
    ("scrn", "verdict", "outcome", "missing"),
    [row[1:] for row in ELIGIBILITY],
    ids=[row[0] for row in ELIGIBILITY],
)
def test_eligibility(
    study: Study, scrn: dict[str, Any], verdict: Verdict, outcome: Outcome, missing: tuple[str, ...]
) -> None:
    result = assess(study, MemorySubject({"SCR": {"SCRN": scrn}}), today=TODAY)
    assert result.verdict is verdict
    assert [(r.criterion.id, r.outcome, r.missing) for r in result.results] == [
        ("IN01", outcome, missing)
    ]


# -- parser errors -----------------------------------------------------------------------

SYNTAX_ERRORS = [
    ("", "empty expression", 0),
    ("   ", "empty expression", 0),
    ("1 +", "the end of the expression", 3),
    ("(1 + 2", "expected ')' but found the end of the expression", 6),
    ("if(1, 2", "expected ')' but found the end of the expression", 7),
    ("x in (1, 2", "expected ')' but found the end of the expression", 10),
    ("1 < 2 < 3", "comparisons cannot be chained; join them with 'and'", 6),
    ("'abc", "text is not closed: missing quote", 0),
    ('WEIGHT = "abc', "text is not closed: missing quote", 9),
    ("1 # 2", "unexpected character '#'", 2),
    ("WEIGHT ≥ 3", "unexpected character '≥'", 7),
    ("WEIGHT（1）", "unexpected character '（'", 6),
    ("WEIGHT WEIGHT", "unexpected 'WEIGHT'", 7),
    ("1 2", "unexpected '2'", 2),
    ("1 == 2", "unexpected '='", 3),
    ("1 = = 2", "unexpected '='", 4),
    ("1.5.2", "unexpected '.'", 3),
    ("1e3", "unexpected 'e3'", 1),
    ("f(1,)", "unexpected ')'", 4),
    ("x in 1", "expected '(' but found '1'", 5),
    ("and", "'and' needs a value before it", 0),
    ("not", "the end of the expression", 3),
    ("-", "the end of the expression", 1),
    ("A.B.C", "a same-form reference has at most two parts (GROUP.ITEM)", 3),
    ("TL.and", "expected a name but found 'and'", 3),
    ("TL.", "expected a name but found the end of the expression", 3),
    ("@SCR", "a reference to another form needs FORM.ITEM after '@'", 4),
    ("@SCR.", "expected a name but found the end of the expression", 5),
    ("@SCR[1", "expected ']' but found the end of the expression", 6),
    ("@CYCLE[0].DOSE.DOSEDAT", "an occurrence is first, last, prev or a number from 1", 7),
    ("@CYCLE[-1].DOSE.DOSEDAT", "an occurrence is first, last, prev or a number from 1", 7),
    ("@CYCLE[next].DOSE.DOSEDAT", "an occurrence is first, last, prev or a number from 1", 7),
    ("@A.B.C.D.E", "too many parts in the reference", 0),
]


@pytest.mark.parametrize(
    ("text", "message", "pos"), SYNTAX_ERRORS, ids=[t or "(empty)" for t, _, _ in SYNTAX_ERRORS]
)
def test_syntax_error(text: str, message: str, pos: int) -> None:
    with pytest.raises(ExprSyntaxError) as info:
        parse(text)
    assert message in info.value.message
    assert info.value.pos == pos


# -- static checks -------------------------------------------------------------------------

# (scope, expression, the one error expected[, a bug: strict xfail reason]); scopes as in scope_of()
CHECK_ERRORS: list[tuple[str, ...]] = [
    ("SCRN", "WEIGHT + 'a'", "cannot use '+' on number and text"),
    ("SCRN", "ICDAT - ICDAT", "use days_between(a, b)"),
    ("SCRN", "WEIGHT > 'heavy'", "cannot compare number with text using '>'"),
    ("SCRN", "SMOKER = 1", "cannot compare yes/no with number using '='"),
    ("SCRN", "SMOKER < true", "cannot compare yes/no with yes/no using '<'"),
    ("SCRN", "SMOKER and WEIGHT", "'and' needs yes/no values, not number"),
    ("SCRN", "1 < 2 or 'a'", "'or' needs yes/no values, not text"),
    ("SCRN", "not WEIGHT", "'not' needs a yes/no value, not number"),
    ("SCRN", "-ICDAT", "'-' needs a number, not date"),
    ("SCRN", "PACKYRS in ('a')", "cannot compare number with text"),
    ("SCRN", "METS = 'LUNG'", "cannot compare multiple choice with text"),
    ("SCRN", "TL.TL_DIAM > 3", "cannot compare list of number with number"),
    ("SCRN", "TL > 3", "cannot compare rows of group TL with number"),
    ("SCRN", "WEIGTH", "unknown item 'WEIGTH' in form SCRN (did you mean 'WEIGHT'?)"),
    ("SCRN", "TL_DIAM > 3", "'TL_DIAM' is in repeating group TL: use TL.TL_DIAM"),
    ("SCRN", "WEIGHT.X", "'WEIGHT' is not a group"),
    ("SCRN", "TL.NOPE", "group TL has no item 'NOPE'"),
    ("EOS", "EOSNOTE", "'EOSNOTE' is a note and has no value"),
    ("SCRN", ".", "'.' (this item's value) is only allowed in an item's constraints"),
    ("SCRN:.WEIGHT", ". > 'a'", "cannot compare number with text"),
    ("SCRN:.TL_SITE", ". = 'KIDNEY'", "'KIDNEY' is not a code of code list SITE"),
    (
        "SCRN:TL",
        "TL_SITE = 'LUNGS'",
        "'LUNGS' is not a code of code list SITE (did you mean 'LUNG'?)",
    ),
    ("SCRN:TL", "TL_SITE in ('LUNG', 'KIDNY')", "'KIDNY' is not a code of code list SITE"),
    ("SCRN", "count_where(TL, TL_SITE = 'LUNGS')", "'LUNGS' is not a code of code list SITE"),
    ("SCRN", "selected(METS, 'KIDNEY')", "'KIDNEY' is not a code of code list SITE"),
    ("SCRN", "selected(INITIALS, 'A')", "selected() needs multiple choice here, not text"),
    ("SCRN", "count_selected(INITIALS)", "count_selected() needs multiple choice here, not text"),
    ("SCRN", "sum(WEIGHT)", "sum() needs a group column like GROUP.ITEM, not number"),
    ("SCRN", "sum(TL.TL_SITE)", "sum() needs number values, not text code of SITE"),
    ("SCRN", "mean(TL.TL_NEW)", "mean() needs number values, not yes/no"),
    ("SCRN", "any(TL.TL_DIAM)", "any() needs yes/no values, not number"),
    ("SCRN", "max(ICDAT, 3)", "max() cannot mix date and number"),
    ("SCRN", "count(WEIGHT)", "count() needs a group or a group column, not number"),
    ("SCRN", "count_where(TL.TL_DIAM, true)", "count_where() needs a group first"),
    ("SCRN", "count_where(TL, TL_DIAM)", "expected yes/no but the expression gives number"),
    ("SCRN", "foo(1)", "unknown function 'foo'"),
    ("SCRN", "sums(TL.TL_DIAM)", "unknown function 'sums' (did you mean 'sum'?)"),
    ("SCRN", "round()", "round() takes 1 to 2 arguments, not 0"),
    ("SCRN", "round(1, 2, 3)", "round() takes 1 to 2 arguments, not 3"),
    ("SCRN", "today(1)", "today() takes 0 arguments, not 1"),
    ("SCRN", "round(ICDAT)", "round() needs number here, not date"),
    ("SCRN", "days_between(ICDAT, 3)", "days_between() needs date here, not number"),
    ("SCRN", "length(WEIGHT)", "length() needs text here, not number"),
    ("SCRN", "coalesce(WEIGHT, 'a')", "coalesce() mixes number and text"),
    ("SCRN", "if(SMOKER, 1, 'a')", "both branches must be of one type"),
    ("SCRN", "if(WEIGHT, 1, 2)", "if() needs yes/no here, not number"),
    ("SCRN", "missing_code(1)", "missing_code() needs an item"),
    ("SCRN", "param('max_age')", "unknown parameter 'max_age'"),
    ("SCRN", "param('min_ag')", "unknown parameter 'min_ag' (did you mean 'min_age'?)"),
    ("SCRN", "param(WEIGHT)", "param() needs a quoted name here"),
    ("SCRN", "lln('AST')", "no reference range for 'AST' in the study"),
    ("SCRN", "anchor('first_dose')", "unknown anchor 'first_dose'"),
    ("SCRN", "date('2024-02-30')", "date() needs a date written YYYY-MM-DD, not '2024-02-30'"),
    ("SCRN", "matches(INITIALS, '[')", "invalid pattern"),
    ("SCRN", "@CYCLE.DOSE.DOSEDAT", "event CYCLE repeats: say which occurrence"),
    ("SCRN", "@SCR[1].SCRN.ICDAT", "event SCR does not repeat; remove [1]"),
    ("SCRN", "@SCR.DOSE.DOSEDAT", "event SCR does not hold form 'DOSE'"),
    ("SCRN", "@SCR.SCRN", "@SCR names an event: write @SCR.FORM.ITEM"),
    ("SCRN", "@NOPE.X", "unknown event or form 'NOPE'"),
    ("SCRN", "@SCRN[first].ICDAT", "'SCRN' is a form; an occurrence goes after an event"),
    ("SCRN", "@SCRN.NOPE", "unknown item 'NOPE' in form SCRN"),
    ("", "BRTHDAT", "'BRTHDAT' needs its event and form here: write @EVENT.FORM.BRTHDAT"),
    ("", "@SCRN.ICDAT", "name the event too: @EVENT.SCRN.ICDAT"),
    ("SCRN", "concat(TL)", "concat() needs a single value, not rows of group TL"),
    ("SCRN", "is_empty(TL.TL_DIAM)", "is_empty() needs a single value, not list of number"),
    (
        "SCRN",
        "concat(METS)",
        "concat() needs a single value",
    ),
]


def _check_param(row: tuple[str, ...]) -> Any:
    where, text, message, *bug = row
    marks = [pytest.mark.xfail(strict=True, raises=AssertionError, reason=bug[0])] if bug else []
    return pytest.param(where, text, message, id=f"{where} {text}", marks=marks)


@pytest.mark.parametrize(("where", "text", "message"), [_check_param(row) for row in CHECK_ERRORS])
def test_static_check_error(study: Study, where: str, text: str, message: str) -> None:
    _, errors = check(study, text, where)
    assert len(errors) == 1, errors
    assert message in errors[0][1]


CHECK_TYPES = [
    ("SCRN", "WEIGHT", "number"),
    ("SCRN", "HEIGHT + 1", "number"),
    ("SCRN", "DIAGDAT", "date"),
    ("SCRN", "ICDAT + 1", "date"),
    ("SCRN", "SMOKER", "yes/no"),
    ("SCRN", "HEAVY", "yes/no"),
    ("SCRN", "METS", "multiple choice"),
    ("SCRN:TL", "TL_SITE", "text code of SITE"),
    ("SCRN", "TL.TL_DIAM", "list of number"),
    ("SCRN", "TL", "rows of group TL"),
    ("SCRN", "if(SMOKER, 1, null)", "number"),
    ("SCRN", "coalesce(null, 'a')", "text"),
    ("SCRN", "null", "null"),
    ("SCRN:.WEIGHT", ". <= 3", "yes/no"),
    ("DOSE", "@CYCLE[prev].DOSE.DOSEDAT", "date"),
    ("SCRN", "sum(@SCR.SCRN.TL.TL_DIAM)", "number"),
    ("", "anchor('consent') + 28", "date"),
]


@pytest.mark.parametrize(
    ("where", "text", "kind"), CHECK_TYPES, ids=[f"{w} {t}" for w, t, _ in CHECK_TYPES]
)
def test_static_type(study: Study, where: str, text: str, kind: str) -> None:
    assert check(study, text, where) == (kind, [])
