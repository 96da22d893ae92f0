"""Running the self-test's checks in order, each timed, each reporting what it found."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    """How one check ended."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"  # an earlier check it needs failed, or it was left out on request


@dataclass(frozen=True)
class Check:
    """One check: ``run(context)`` returns what it found (one line) or raises.

    ``needs`` names checks that must have passed first (a throw-away site before the
    bundle made from it); ``context`` is shared by the checks of one run.
    """

    name: str
    title: str
    run: Callable[[dict[str, Any]], str]
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    """What one check found."""

    name: str
    title: str
    outcome: Outcome
    detail: str
    seconds: float

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "title": self.title,
            "outcome": self.outcome.value,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class SelfTestReport:
    """Every check's result, in the order they ran."""

    results: list[CheckResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when no check failed (skipped ones do not fail the run)."""
        return all(r.outcome is not Outcome.FAILED for r in self.results)

    def to_json(self) -> dict[str, object]:
        return {"passed": self.passed, "checks": [r.to_json() for r in self.results]}


class CheckFailed(Exception):
    """A check found something wrong; the message says what, as a sentence."""


def _explain(exc: BaseException) -> str:
    """An exception as one line: a finding as it is, anything unexpected with its class."""
    text = " ".join(str(exc).split())
    if isinstance(exc, CheckFailed):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def run_checks(
    checks: Sequence[Check],
    *,
    skip: frozenset[str] = frozenset(),
    on_result: Callable[[CheckResult], None] | None = None,
) -> SelfTestReport:
    """Run ``checks`` in order; ``on_result`` hears each result as soon as it is known.

    A check that raises has failed (its exception, in one line, is the detail); one
    whose ``needs`` did not all pass, or whose name is in ``skip``, is skipped.
    Cleaning up is the job of a check named ``cleanup`` with no needs, run last.
    """
    report = SelfTestReport()
    passed: set[str] = set()
    context: dict[str, Any] = {}
    for check in checks:
        start = time.perf_counter()
        missing = [n for n in check.needs if n not in passed]
        if check.name in skip:
            outcome, detail = Outcome.SKIPPED, "left out on request"
        elif missing:
            outcome, detail = Outcome.SKIPPED, f"needs {', '.join(missing)}, which did not pass"
        else:
            try:
                outcome, detail = Outcome.PASSED, check.run(context)
                passed.add(check.name)
            except Exception as exc:  # every failure is a finding to report
                outcome, detail = Outcome.FAILED, _explain(exc)
        result = CheckResult(check.name, check.title, outcome, detail, time.perf_counter() - start)
        report.results.append(result)
        if on_result is not None:
            on_result(result)
    return report
