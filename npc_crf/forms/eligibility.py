"""Computed eligibility: every criterion of the study evaluated on a subject's data.

The verdict is *eligible* when every inclusion criterion holds and no exclusion
applies; *not eligible* when any inclusion is false or any exclusion true (each
listed); otherwise *incomplete*, listing each undecided criterion with the data
it still needs, or saying that a partial date leaves it indeterminate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from npc_crf.forms.expr.evaluate import INDETERMINATE, Env, Evaluator, SubjectData
from npc_crf.forms.model import Criterion, CriterionKind, ReferenceRange, Study


class Verdict(StrEnum):
    """The outcome of an eligibility assessment."""

    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    INCOMPLETE = "incomplete"


class Outcome(StrEnum):
    """The outcome of one criterion."""

    MET = "met"  # inclusion holds, or exclusion does not apply
    FAILED = "failed"  # inclusion false, or exclusion applies
    MISSING = "missing"  # data needed are not there
    INDETERMINATE = "indeterminate"  # a partial date decides it


@dataclass(frozen=True)
class CriterionResult:
    """One criterion's outcome, and the references it still needs."""

    criterion: Criterion
    outcome: Outcome
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    """The verdict with every criterion's result."""

    verdict: Verdict
    results: tuple[CriterionResult, ...]

    @property
    def failing(self) -> list[CriterionResult]:
        """Criteria that make the subject not eligible."""
        return [r for r in self.results if r.outcome is Outcome.FAILED]

    @property
    def undecided(self) -> list[CriterionResult]:
        """Criteria that cannot be decided yet."""
        return [r for r in self.results if r.outcome in (Outcome.MISSING, Outcome.INDETERMINATE)]


def assess(
    study: Study,
    subject: SubjectData,
    *,
    today: dt.date | None = None,
    reference_ranges: Mapping[str, ReferenceRange] | None = None,
) -> Assessment:
    """Evaluate every eligibility criterion of ``study`` for ``subject``."""
    results: list[CriterionResult] = []
    base = Env(
        study=study,
        subject=subject,
        today=today or dt.date.today(),
        reference_ranges=reference_ranges,
    )
    for criterion in study.eligibility:
        env = base.derive(empty_refs=[])
        value = Evaluator(env).eval(criterion.expr.tree)
        results.append(_result(criterion, value, env.empty_refs))
    if any(r.outcome is Outcome.FAILED for r in results):
        verdict = Verdict.NOT_ELIGIBLE
    elif all(r.outcome is Outcome.MET for r in results):
        verdict = Verdict.ELIGIBLE
    else:
        verdict = Verdict.INCOMPLETE
    return Assessment(verdict, tuple(results))


def _result(criterion: Criterion, value: object, empty: list[str]) -> CriterionResult:
    if value is True or value is False:
        holds = value if criterion.kind is CriterionKind.INCLUSION else not value
        return CriterionResult(criterion, Outcome.MET if holds else Outcome.FAILED)
    if value is INDETERMINATE:
        return CriterionResult(criterion, Outcome.INDETERMINATE)
    return CriterionResult(criterion, Outcome.MISSING, tuple(dict.fromkeys(empty)))
