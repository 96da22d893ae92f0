"""Runs the data-driven case files in ``tests/cases/<study>/``.

A form case file gives a form, optional subject data and a list of cases; each
case answers items and states what the session must then show. An
``eligibility.yaml`` gives subjects and their expected verdicts. The format is
described in ``tests/cases/README.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from npc_crf.forms.eligibility import assess
from npc_crf.forms.expr.ast import Expr
from npc_crf.forms.expr.evaluate import Evaluator, Missing
from npc_crf.forms.model import ReferenceRange, Study
from npc_crf.forms.session import FormSession, ItemPath
from npc_crf.forms.subject_data import MemorySubject

CASES_DIR = Path(__file__).parent / "cases"


def case_files(kind: str) -> list[Path]:
    """Form case files (``kind='form'``) or eligibility tables (``'eligibility'``)."""
    files = sorted(CASES_DIR.glob("*/*.yaml"))
    if kind == "eligibility":
        return [f for f in files if f.name == "eligibility.yaml"]
    return [f for f in files if f.name != "eligibility.yaml"]


def norm(value: Any) -> Any:
    """A comparable form of expected and actual values."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        d = Decimal(str(value))
        return d.normalize() if d != d.to_integral() else d.to_integral()
    if isinstance(value, Missing):
        return {"missing": value.code}
    if isinstance(value, frozenset | set | list | tuple):
        return sorted(str(norm(v)) for v in value)
    if isinstance(value, dict) and set(value) == {"missing"}:
        return value
    return str(value)


def to_input(value: Any) -> Any:
    """A case file's answer as session input."""
    if isinstance(value, dict) and set(value) == {"missing"}:
        return Missing(str(value["missing"]))
    if isinstance(value, float):
        return str(value)
    return value


def site_ranges(
    study: Study, overrides: dict[str, dict[str, Any]] | None
) -> dict[str, ReferenceRange] | None:
    """The study's reference ranges with a site's overrides applied."""
    if not overrides:
        return None
    ranges = dict(study.reference_ranges)
    for analyte, values in overrides.items():
        base = ranges[analyte]
        ranges[analyte] = ReferenceRange(
            analyte,
            base.label,
            base.unit,
            Decimal(str(values["lln"])) if "lln" in values else base.lln,
            Decimal(str(values["uln"])) if "uln" in values else base.uln,
        )
    return ranges


def _today(doc: dict[str, Any]) -> dt.date:
    value = doc.get("today", "2025-01-01")
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@cache
def load(path: Path) -> dict[str, Any]:
    """A case file (read once; treat as read-only)."""
    doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return doc


def with_missing(value: Any) -> Any:
    """Subject data with ``{missing: CODE}`` turned into missing-data answers."""
    if isinstance(value, dict):
        if set(value) == {"missing"}:
            return Missing(str(value["missing"]))
        return {k: with_missing(v) for k, v in value.items()}
    if isinstance(value, list):
        return [with_missing(v) for v in value]
    return value


def study_for(path: Path, studies: dict[str, Study]) -> Study:
    """The study a case file belongs to (by its folder name = study folder name)."""
    return studies[path.parent.name]


def run_form_case(study: Study, doc: dict[str, Any], case: dict[str, Any]) -> list[str]:
    """Run one case; returns the mismatches (empty when it passes)."""
    session = FormSession(
        study,
        study.forms[doc["form"]],
        subject=MemorySubject(with_missing(doc.get("subject") or {})),
        event=doc.get("event"),
        occurrence=doc.get("occurrence"),
        today=_today(doc),
        reference_ranges=site_ranges(study, doc.get("reference_ranges")),
    )
    for key, value in (case.get("answers") or {}).items():
        item = study.forms[doc["form"]].item(key)
        if item is not None and item.is_group:
            for n, row in enumerate(value, start=1):
                if session.row_count(key) < n:
                    session.add_row(key)
                for column, cell in row.items():
                    session.answer(ItemPath(column, key, n), to_input(cell))
        else:
            session.answer(key, to_input(value))
    for key, override in (case.get("overrides") or {}).items():
        session.override(key, override)
    errors = []
    for key, expected in (case.get("expect") or {}).items():
        state = session.state(key)
        if "status" in expected and state.status.value != expected["status"]:
            message = f" ({state.message.en})" if state.message else ""
            errors.append(
                f"{key}: status {state.status.value}{message}, expected {expected['status']}"
            )
        if "value" in expected and norm(state.value) != norm(expected["value"]):
            errors.append(f"{key}: value {state.value!r}, expected {expected['value']!r}")
        if "message" in expected and (
            state.message is None or expected["message"] not in state.message.en
        ):
            errors.append(
                f"{key}: message {state.message}, expected one containing {expected['message']!r}"
            )
    return errors


def run_eligibility_case(study: Study, doc: dict[str, Any], case: dict[str, Any]) -> list[str]:
    """Run one eligibility subject; returns the mismatches."""
    result = assess(
        study,
        MemorySubject(with_missing(case.get("subject") or {})),
        today=_today(doc),
        reference_ranges=site_ranges(
            study, case.get("reference_ranges") or doc.get("reference_ranges")
        ),
    )
    expected = case["expect"]
    errors = []
    explain = "; ".join(
        f"{r.criterion.id}={r.outcome.value}{list(r.missing) if r.missing else ''}"
        for r in result.results
        if r.outcome.value != "met"
    )
    if result.verdict.value != expected["verdict"]:
        errors.append(f"verdict {result.verdict.value}, expected {expected['verdict']} [{explain}]")
    if "failing" in expected and sorted(r.criterion.id for r in result.failing) != sorted(
        expected["failing"]
    ):
        errors.append(
            f"failing {[r.criterion.id for r in result.failing]}, expected {expected['failing']} [{explain}]"
        )
    if "undecided" in expected and sorted(r.criterion.id for r in result.undecided) != sorted(
        expected["undecided"]
    ):
        errors.append(
            f"undecided {[r.criterion.id for r in result.undecided]}, expected {expected['undecided']} [{explain}]"
        )
    if "indeterminate" in expected:
        got = sorted(r.criterion.id for r in result.undecided if r.outcome.value == "indeterminate")
        if got != sorted(expected["indeterminate"]):
            errors.append(f"indeterminate {got}, expected {expected['indeterminate']}")
    return errors


def recording(seen: set[int]) -> Callable[[], None]:
    """Make every evaluation record the ids of the nodes it visits; returns an undo."""
    original = Evaluator.eval

    def eval_and_record(self: Evaluator, node: Expr) -> object:
        seen.add(id(node))
        return original(self, node)

    Evaluator.eval = eval_and_record  # type: ignore[method-assign]

    def undo() -> None:
        Evaluator.eval = original  # type: ignore[method-assign]

    return undo
