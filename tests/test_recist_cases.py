"""RECIST 1.1 / iRECIST engine, run from the hand-computed tables in ``tests/data``.

``recist_cases.json`` holds ``npc-crf derive recist`` documents (and
``derive recist-overall`` ones, ``"kind": "recist-overall"``), ``bor_cases.json``
holds ``derive bor`` documents. Every expectation was worked out by hand from
the published rules (each case names its ``source``) and is a *subset* of the
engine's output: only the keys given are compared, numbers as decimals.

A case marked ``"disputed"`` is one where the reviewer believes the engine is
wrong; it runs as a strict expected failure, so the suite fails as soon as the
engine starts to agree with the table (then drop the mark).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from npc_crf.oncology.jsonin import Node
from npc_crf.oncology.recist.derive import derive_bor, derive_overall, derive_recist

DATA = Path(__file__).parent / "data"

ENGINES: dict[str, Callable[[Node], dict[str, object]]] = {
    "recist": derive_recist,
    "recist-overall": derive_overall,
    "bor": derive_bor,
}


def load(name: str) -> list[dict[str, Any]]:
    """The cases of one table, numbers read as decimals (never floats)."""
    text = (DATA / name).read_text(encoding="utf-8")
    cases: list[dict[str, Any]] = json.loads(text, parse_float=Decimal)["cases"]
    return cases


RECIST_CASES = load("recist_cases.json")
BOR_CASES = load("bor_cases.json")


def params(cases: list[dict[str, Any]]) -> list[Any]:
    """One pytest parameter per case; disputed ones are strict expected failures."""
    out = []
    for case in cases:
        marks = []
        if "disputed" in case:
            marks.append(
                pytest.mark.xfail(
                    reason=f"disputed: {case['disputed']}", strict=True, raises=AssertionError
                )
            )
        out.append(pytest.param(case, id=case["name"], marks=marks))
    return out


# ------------------------------------------------------------------ comparison
def _plain(value: object) -> object:
    """Engine output as JSON-like values: dates as ISO strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _is_number(value: object) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def compare(actual: object, expected: object, path: str) -> list[str]:
    """Differences between ``actual`` and the subset ``expected`` (empty: they agree)."""
    actual = _plain(actual)
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        problems: list[str] = []
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{path}.{key}: missing from the output")
            else:
                problems.extend(compare(actual[key], value, f"{path}.{key}"))
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, (list, tuple)) or len(actual) != len(expected):
            return [f"{path}: expected {len(expected)} entries, got {actual!r}"]
        problems = []
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            problems.extend(compare(a, e, f"{path}[{i}]"))
        return problems
    if expected is None or isinstance(expected, bool):
        return [] if actual is expected else [f"{path}: expected {expected!r}, got {actual!r}"]
    if _is_number(expected):
        if _is_number(actual) and Decimal(actual) == Decimal(expected):  # type: ignore[arg-type]
            return []
        return [f"{path}: expected {expected}, got {actual!r}"]
    return [] if actual == expected else [f"{path}: expected {expected!r}, got {actual!r}"]


def compare_problems(actual: list[dict[str, Any]], expected: list[Any], path: str) -> list[str]:
    """The complete list of problems of one severity, as [code, lesion] pairs or bare codes."""
    remaining = [(p["code"], p["lesion"]) for p in actual]
    missing = []
    for entry in expected:
        if isinstance(entry, str):
            found = next((r for r in remaining if r[0] == entry), None)
        else:
            found = next((r for r in remaining if list(r) == entry), None)
        if found is None:
            missing.append(entry)
        else:
            remaining.remove(found)
    problems = []
    if missing:
        problems.append(f"{path}: expected but not reported: {missing}")
    if remaining:
        problems.append(f"{path}: reported but not expected: {remaining}")
    return problems


def compare_recist(out: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """``derive recist`` output against a case's ``expect`` (baseline keys need reshaping)."""
    expected = dict(expected)
    problems: list[str] = []
    base = dict(expected.pop("baseline", {}))
    actual_base = out["baseline"]
    if "classification" in base:
        classes = {c["id"]: c["classification"] for c in actual_base["lesions"]}
        problems.extend(compare(classes, base.pop("classification"), "baseline.classification"))
    for severity, key in (("error", "errors"), ("warning", "warnings")):
        if key in base:
            of_kind = [p for p in actual_base["problems"] if p["severity"] == severity]
            problems.extend(compare_problems(of_kind, base.pop(key), f"baseline.{key}"))
    problems.extend(compare(actual_base, base, "baseline"))
    problems.extend(compare(out, expected, "output"))
    return problems


# ------------------------------------------------------------------ the tables
@pytest.mark.parametrize("case", params(RECIST_CASES))
def test_recist_case(case: dict[str, Any]) -> None:
    kind = case.get("kind", "recist")
    out = ENGINES[kind](Node(case["input"]))
    if kind == "recist":
        problems = compare_recist(out, case["expect"])
    else:
        problems = compare(out, case["expect"], "output")
    assert not problems, "\n".join([case["source"], *problems])


@pytest.mark.parametrize("case", params(BOR_CASES))
def test_bor_case(case: dict[str, Any]) -> None:
    out = derive_bor(Node(case["input"]))
    problems = compare(out, case["expect"], "output")
    assert not problems, "\n".join([case["source"], *problems])


# ------------------------------------------------------------------ the tables themselves
@pytest.mark.parametrize(
    "cases", [RECIST_CASES, BOR_CASES], ids=["recist_cases.json", "bor_cases.json"]
)
def test_cases_are_well_formed(cases: list[dict[str, Any]]) -> None:
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "case names must be unique (they are the test ids)"
    for case in cases:
        assert set(case) <= {"name", "source", "kind", "disputed", "input", "expect"}, case["name"]
        assert case["source"].strip(), case["name"]
        assert case["expect"], case["name"]
        assert case.get("kind", "recist") in ENGINES, case["name"]
        if "disputed" in case:
            assert case["disputed"].strip(), case["name"]


def test_the_recist_table_covers_every_overall_token() -> None:
    seen = {
        tp["overall"]
        for case in RECIST_CASES
        if case.get("kind", "recist") == "recist"
        for tp in case["expect"].get("timepoints", [])
        if "overall" in tp
    }
    assert seen >= {"CR", "PR", "SD", "PD", "NE", "NON-CR/NON-PD"}
    seen_i = {
        tp["iresponse"]
        for case in RECIST_CASES
        for tp in case["expect"].get("timepoints", [])
        if "iresponse" in tp
    }
    assert seen_i >= {"iCR", "iPR", "iSD", "iUPD", "iCPD", "NE"}


def test_the_comparison_is_strict_about_numbers_and_dates() -> None:
    """The checker itself: decimals compare by value, dates by ISO text, None is not 0."""
    assert compare(Decimal("-30.0"), Decimal("-30"), "x") == []
    assert compare(Decimal("9.8"), Decimal("9.80"), "x") == []
    assert compare(Decimal("9.8"), Decimal("9.9"), "x") != []
    assert compare(None, 0, "x") != []
    assert compare(Decimal(0), None, "x") != []
    assert compare(True, 1, "x") != []
    assert compare(dt.date(2024, 2, 12), "2024-02-12", "x") == []
    assert compare({"a": 1, "b": 2}, {"a": 1}, "x") == []
    assert compare([1, 2], [1], "x") != []
    pairs: list[dict[str, Any]] = [{"code": "c", "lesion": "T1"}, {"code": "d", "lesion": None}]
    assert compare_problems(pairs, [["c", "T1"], "d"], "p") == []
    assert compare_problems(pairs, [["c", "T1"]], "p") != []
    assert compare_problems(pairs, [["c", "T2"], "d"], "p") != []
