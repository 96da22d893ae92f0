"""CTCAE v5.0 lab grading, run from the hand-computed table ``tests/data/ctcae_lab_cases.json``.

Each case is an ``npc-crf derive ctcae-lab`` input document with the grade,
criterion and ``needs`` worked out by hand from the verbatim grade text; the
table covers every lab term just below, at and just above each threshold, in
each unit CTCAE writes, with normal and abnormal baselines, the creatinine and
LLN-below-cut-off choices, and the clinical facts. The rest of this file checks
the rules against the catalogue, units, the analyte mapping and form items.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npc_crf.forms.model import Study
from npc_crf.forms.subject_data import MemorySubject
from npc_crf.oncology.ctcae.analytes import ANALYTE_TERMS, analyte_key, lab_terms_for
from npc_crf.oncology.ctcae.catalogue import catalogue
from npc_crf.oncology.ctcae.derive import derive_lab
from npc_crf.oncology.ctcae.findings import grade_analyte
from npc_crf.oncology.ctcae.lab import LabInputError, grade_lab
from npc_crf.oncology.ctcae.rules import FLAGS, RULES, Basis, Direction, rule_problems
from npc_crf.oncology.ctcae.settings import CtcaeSettings, ctcae_settings
from npc_crf.oncology.ctcae.suggest import LabSuggester, as_decimal, lab_items
from npc_crf.oncology.ctcae.units import (
    UnitError,
    accepted_units,
    convert,
    normalise_unit,
    to_base,
)
from npc_crf.oncology.jsonin import InputError, Node
from npc_crf.oncology.settings import SettingError

CASES_FILE = Path(__file__).parent / "data" / "ctcae_lab_cases.json"
CASES: list[dict[str, Any]] = json.loads(
    CASES_FILE.read_text(encoding="utf-8"), parse_float=Decimal
)["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_lab_case(case: dict[str, Any]) -> None:
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(InputError) as caught:
            derive_lab(Node(case["input"]))
        assert caught.value.field == expect["error"]["field"]
        for part in expect["error"]["contains"]:
            assert part in str(caught.value)
        return
    out = derive_lab(Node(case["input"]))
    assert out["grade"] == expect["grade"]
    assert out["needs"] == expect["needs"]
    if "criterion" in expect:
        assert out["criterion"] == expect["criterion"]
    if "multiple" in expect:
        assert out["multiple"] == Decimal(expect["multiple"])
    if "multiple_of" in expect:
        assert out["multiple_of"] == expect["multiple_of"]
    if "baseline_abnormal" in expect:
        assert out["baseline_abnormal"] == expect["baseline_abnormal"]
    report_as = out["report_as"]
    if "report_as" in expect:
        assert isinstance(report_as, dict)
        assert report_as["meddra_code"] == expect["report_as"]
    else:
        assert report_as is None


def test_the_table_covers_every_lab_term_and_grade() -> None:
    """Each rule is exercised at every grade its numbers reach, and at grade 0."""
    seen: dict[str, set[object]] = {}
    for case in CASES:
        if "error" in case["expect"]:
            continue
        code = derive_lab(Node(case["input"]))["meddra_code"]
        seen.setdefault(str(code), set()).add(case["expect"]["grade"])
    for rule in RULES.values():
        numeric = {b.grade for s in rule.scales for b in s.bands}
        assert {0} | numeric <= seen.get(rule.code, set()), rule.key


def test_every_quoted_clause_is_in_the_published_grade_text() -> None:
    assert rule_problems() == []


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _numbers(clause: str) -> set[Decimal]:
    text = clause.replace("10e9", "").replace("mm3", "").replace(",", "")
    return {Decimal(n) for n in _NUMBER.findall(text)}


def test_every_band_limit_is_a_number_of_its_clause() -> None:
    """The limits in code are the numbers the quoted text writes (hyponatremia: 125-129)."""
    for rule in RULES.values():
        for scale in (*rule.scales, *((rule.baseline_scale,) if rule.baseline_scale else ())):
            previous = scale.start if scale.basis is not Basis.ABSOLUTE else None
            for band in scale.bands:
                numbers = _numbers(band.clause)
                if band.limit is not None:
                    assert band.limit in numbers, (rule.key, band.clause)
                if previous is not None and previous != 1:
                    # "125-129" follows "<LLN - 130": whole numbers, the band starts at 129
                    integer_band = rule.key == "HYPONATREMIA" and previous - 1 in numbers
                    assert previous in numbers or integer_band, (rule.key, band.clause)
                previous = band.limit


def test_the_baseline_abnormal_rule_covers_exactly_the_five_liver_enzymes() -> None:
    using = {r.key for r in RULES.values() if r.baseline_use == "if_abnormal"}
    assert using == {"ALT", "AST", "TBIL", "ALP", "GGT"}
    assert RULES["CREAT"].baseline_use == "also"


def test_a_rule_lists_the_flags_its_text_depends_on() -> None:
    assert RULES["HYPOKALEMIA"].flags == (
        "symptomatic",
        "intervention_indicated",
        "hospitalization",
        "life_threatening",
    )
    assert RULES["ALT"].flags == ()
    assert set().union(*(r.flags for r in RULES.values())) == set(FLAGS)


# -- decimals, never floats ---------------------------------------------------------------


def test_exact_decimal_thresholds_where_floats_would_fail() -> None:
    """3 × 40.1 is 120.30000000000001 in floats; exactly at 3.0 × ULN stays grade 1."""
    assert float(Decimal("40.1")) * 3 != 120.3
    at = grade_lab("ALT", Decimal("120.3"), "U/L", uln=Decimal("40.1"))
    assert at.grade == 1
    above = grade_lab("ALT", Decimal("120.3000001"), "U/L", uln=Decimal("40.1"))
    assert above.grade == 2


def test_a_unit_conversion_at_a_threshold_is_exact() -> None:
    """17.1 µmol/L per mg/dL: 0.1 mg/dL × 3 against ULN 0.1 mg/dL given in µmol/L (1.71)."""
    result = grade_lab("TBIL", Decimal("0.3"), "mg/dL", uln=Decimal("1.71"), range_unit="µmol/L")
    assert result.grade == 2  # exactly 3.0 × ULN is ">1.5 - 3.0 x ULN"
    assert result.multiple == Decimal(3)


# -- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("analyte", "spelling", "canonical"),
    [
        ("ANC", "/mm3", "/mm³"),
        ("ANC", "cells/mm3", "/mm³"),
        ("PLT", "x10^9/L", "10^9/L"),
        ("PLT", "×10⁹/L", "10^9/L"),
        ("TBIL", "umol/L", "µmol/L"),
        ("CREAT", "μmol/l", "µmol/L"),
        ("HGB", "G/DL", "g/dL"),
        ("NA", "mEq/L", "mEq/L"),
        ("ALT", "IU/L", "U/L"),
        ("ALT", "x ULN", "×ULN"),
        ("TSH", "uIU/mL", "mIU/L"),
    ],
)
def test_unit_spellings(analyte: str, spelling: str, canonical: str) -> None:
    assert normalise_unit(analyte, spelling) == canonical


def test_an_unknown_unit_names_the_unit_and_the_analyte() -> None:
    with pytest.raises(UnitError) as caught:
        normalise_unit("CREAT", "mg/L")
    assert caught.value.unit == "mg/L"
    assert caught.value.analyte == "CREAT"
    assert "'mg/L'" in str(caught.value)
    assert "CREAT" in str(caught.value)
    assert "mg/dL" in str(caught.value)  # what would be accepted


def test_conversions_from_the_ctcae_table() -> None:
    assert convert(Decimal("1"), "mg/dL", "µmol/L", "TBIL") == Decimal("17.1")
    assert convert(Decimal("1"), "mg/dL", "umol/L", "CREAT") == Decimal("88.4")
    assert convert(Decimal("100"), "g/L", "mmol/L", "HGB") == Decimal("6.2")
    assert convert(Decimal("10.0"), "g/dL", "g/L", "HGB") == Decimal(100)
    assert convert(Decimal("3"), "g/dL", "g/L", "ALB") == Decimal(30)
    assert convert(Decimal("1500"), "/mm3", "10^9/L", "ANC") == Decimal("1.5")
    assert convert(Decimal("135"), "mEq/L", "mmol/L", "NA") == Decimal(135)
    assert to_base(Decimal("1"), "µkat/L", "ALT") == Decimal(60)
    assert "×ULN" in accepted_units("ALT")
    assert "×ULN" not in accepted_units("ANC")


# -- analytes and findings ------------------------------------------------------------------


def test_study_analyte_keys_map_to_terms_and_directions() -> None:
    [anaemia] = lab_terms_for("HGB")
    assert (anaemia.code, anaemia.direction) == ("10002272", Direction.LOW)
    low, high = lab_terms_for("POTAS")
    assert (low.key, low.direction, high.key, high.direction) == (
        "HYPOKALEMIA",
        Direction.LOW,
        "HYPERKALEMIA",
        Direction.HIGH,
    )
    assert [t.key for t in lab_terms_for("sodium")] == ["HYPONATREMIA", "HYPERNATREMIA"]
    assert lab_terms_for("FT4") == ()
    assert analyte_key("K") == "K"
    assert analyte_key("GLUC") is None
    every_rule = {k for keys in ANALYTE_TERMS.values() for k in keys}
    assert every_rule == set(RULES)


def test_grade_analyte_picks_the_side_and_is_none_within_limits() -> None:
    d = Decimal
    low = grade_analyte("K", d("3.2"), "mmol/L", d("3.5"), d("5.3"))
    assert low is not None and low.result.term.term == "Hypokalemia" and low.grade == 1
    assert "symptomatic" in low.needs
    high = grade_analyte("POTAS", d("6.2"), "mmol/L", d("3.5"), d("5.3"))
    assert high is not None and high.code == "10020647" and high.grade == 3
    assert grade_analyte("K", d("4.0"), "mmol/L", d("3.5"), d("5.3")) is None
    assert grade_analyte("K", d("3.5"), "mmol/L", d("3.5"), d("5.3")) is None  # = LLN
    # above ULN but under 1.5 × an abnormal baseline: a finding at grade 0, with the reason
    zero = grade_analyte("ALT", d("70"), "U/L", d("7"), d("40"), baseline=d("60"))
    assert zero is not None and zero.grade == 0 and zero.result.baseline_abnormal
    with pytest.raises(LabInputError) as caught:
        grade_analyte("GLUC", d("9"), "mmol/L", d("3.9"), d("6.1"))
    assert caught.value.field == "analyte"


def test_grade_analyte_skips_a_side_without_its_limit() -> None:
    d = Decimal
    assert grade_analyte("NA", d("150.1"), "mmol/L", None, d("145")) is not None
    assert grade_analyte("NA", d("120"), "mmol/L", None, d("145")) is None


def test_an_ambiguous_analyte_as_a_term_asks_for_the_term() -> None:
    with pytest.raises(LabInputError) as caught:
        grade_lab("NA", Decimal(128), "mmol/L", lln=Decimal(137), uln=Decimal(147))
    assert "HYPONATREMIA or HYPERNATREMIA" in str(caught.value)


# -- settings -------------------------------------------------------------------------------


def test_settings_defaults_and_refusals() -> None:
    assert ctcae_settings() == CtcaeSettings()
    assert ctcae_settings({"baseline_abnormal": "ignore"}).baseline_abnormal == "ignore"
    with pytest.raises(SettingError) as caught:
        ctcae_settings({"creatinine": "higher"})
    assert caught.value.key == "creatinine"
    with pytest.raises(SettingError):
        ctcae_settings({"within_local_limits": True})


# -- form items -----------------------------------------------------------------------------


def test_lab_items_of_the_bundled_forms(studies: dict[str, Study]) -> None:
    sint = studies["npc-sint-rt"]
    chem = lab_items(sint, sint.forms["CHEM"])
    assert {k: v.analyte for k, v in chem.items()} == {
        "ALT": "ALT",
        "AST": "AST",
        "ALP": "ALP",
        "TBIL": "TBIL",
        "CREAT": "CREAT",
        "ALB": "ALB",
        "SODIUM": "NA",
        "POTAS": "K",
    }
    assert set(lab_items(sint, sint.forms["HEM"])) == {"HGB", "WBC", "ANC", "LYM", "PLT"}
    assert set(lab_items(sint, sint.forms["THY"])) == {"TSH"}  # FT4: no CTCAE lab term
    rws = studies["nct07062484"]
    assert set(lab_items(rws, rws.forms["CHEM"])) == {"ALT", "AST", "TBIL", "CREAT", "ALB"}


def test_the_suggester_uses_the_baseline_event(studies: dict[str, Study]) -> None:
    study = studies["npc-sint-rt"]
    subject = MemorySubject({"BASE": {"CHEM": {"ALT": 60, "CREAT": Decimal(60)}}})
    cycle = LabSuggester(study, study.forms["CHEM"], subject=subject, event="CYCLE")
    assert cycle.baseline("ALT") == Decimal(60)
    alt = cycle.suggest("ALT", "121")  # ULN 40: 2.02 × the abnormal baseline 60 → grade 1
    assert alt is not None and alt.grade == 1 and alt.result.multiple_of == "baseline"
    creat = cycle.suggest("CREAT", Decimal(95))  # within normal, 1.58 × baseline → grade 2
    assert creat is not None and creat.grade == 2
    assert cycle.suggest("ALT", "30") is None
    assert cycle.suggest("ALT", "abc") is None
    assert cycle.suggest("LBDAT", "121") is None
    at_base = LabSuggester(study, study.forms["CHEM"], subject=subject, event="BASE")
    assert at_base.baseline("ALT") is None
    base_alt = at_base.suggest("ALT", "121")  # the baseline itself: graded against ULN
    assert base_alt is not None and base_alt.grade == 2 and base_alt.needs == ()


def test_as_decimal() -> None:
    assert as_decimal("1.50") == Decimal("1.50")
    assert as_decimal(3) == Decimal(3)
    assert as_decimal(True) is None
    assert as_decimal("") is None
    assert as_decimal("NaN") is None
    assert as_decimal(None) is None


def test_every_rule_term_exists_with_the_grades_it_assigns() -> None:
    for rule in RULES.values():
        term = catalogue().by_code(rule.code)
        assert term is not None
        for scale in rule.scales:
            for band in scale.bands:
                assert term.has_grade(band.grade), (rule.key, band.grade)


# -- properties ---------------------------------------------------------------------------------

_VALUES = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(key=st.sampled_from(sorted(RULES)), first=_VALUES, second=_VALUES)
def test_a_value_further_from_normal_never_grades_lower(
    key: str, first: Decimal, second: Decimal
) -> None:
    rule = RULES[key]
    unit = rule.scales[0].unit if rule.scales[0].unit else "U/L"
    if rule.analyte in ("TBIL", "CREAT"):
        unit = "µmol/L"
    low, high = sorted((first, second))

    def grade(value: Decimal) -> int:
        result = grade_lab(key, value, unit, lln=Decimal(130), uln=Decimal(150))
        assert result.grade is not None
        return result.grade

    if rule.direction is Direction.HIGH:
        assert grade(low) <= grade(high)
    else:
        assert grade(low) >= grade(high)
