"""The visit schedule: due dates, windows, states and stop rules, as tables of cases.

The cases are in ``tests/fixtures/schedule/cases.yaml``; the small study most of
them use is ``tests/fixtures/schedule/study``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from npc_crf.demo import plan_subjects
from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.loader import load_study
from npc_crf.forms.model import Study
from npc_crf.forms.subject_data import MemorySubject
from npc_crf.oncology.schedule import (
    PlannedVisit,
    VisitState,
    next_visit,
    occurrence_offset,
    plan_subject,
    policy_for,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "schedule"
CASES: list[dict[str, Any]] = yaml.safe_load((FIXTURES / "cases.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def all_studies(studies: dict[str, Study]) -> dict[str, Study]:
    """The bundled studies, the schedule fixture study and the documentation's example."""
    return {
        **studies,
        "sched": load_study(FIXTURES / "study"),
        "worked-example": load_study(ROOT / "tests" / "fixtures" / "forms" / "worked-example"),
    }


def _value(raw: object) -> object:
    if isinstance(raw, Mapping) and set(raw) == {"missing"}:
        return Missing(str(raw["missing"]))
    return raw


def _subject(events: Mapping[str, Any]) -> MemorySubject:
    """A MemorySubject from the case's data; ``{missing: ND}`` becomes a missing-data code."""

    def occurrence(forms: Mapping[str, Mapping[str, object]]) -> dict[str, dict[str, object]]:
        return {form: {k: _value(v) for k, v in items.items()} for form, items in forms.items()}

    return MemorySubject(
        {
            event: [occurrence(o) for o in value] if isinstance(value, list) else occurrence(value)
            for event, value in events.items()
        }
    )


def _field(visit: PlannedVisit, name: str) -> object:
    if name == "window":
        return [visit.window_start, visit.window_end]
    value = getattr(visit, name)
    return value.value if hasattr(value, "value") else value


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_schedule_case(case: dict[str, Any], all_studies: dict[str, Study]) -> None:
    study = all_studies[case["study"]]
    options: dict[str, Any] = {"status": case.get("status")}
    if "horizon_days" in case:
        options["horizon_days"] = case["horizon_days"]
    plan = plan_subject(study, _subject(case["subject"]), case["today"], **options)
    planned = {f"{v.event_oid}[{v.occurrence}]": v for v in plan}
    for key, wanted in case["visits"].items():
        assert key in planned, f"{key} is not planned (planned: {', '.join(planned)})"
        got = {name: _field(planned[key], name) for name in wanted}
        assert got == wanted, key
    for key in case.get("absent", []):
        assert key not in planned, f"{key} should not be planned: {planned[key]}"


def test_plan_is_in_schedule_order(all_studies: dict[str, Study]) -> None:
    case = next(c for c in CASES if c["name"].startswith("a delayed cycle"))
    study = all_studies[case["study"]]
    plan = plan_subject(study, _subject(case["subject"]), case["today"])
    order = {e.oid: n for n, e in enumerate(study.events)}
    keys = [(order[v.event_oid], v.occurrence) for v in plan]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize(
    ("study", "event", "occurrence", "days"),
    [
        ("npc-sint-rt", "TAV", 1, 42),
        ("npc-sint-rt", "TAV", 2, 84),
        ("npc-sint-rt", "TAV", 8, 336),
        ("npc-sint-rt", "TAV", 9, 399),
        ("npc-sint-rt", "TAV", 10, 462),
        ("npc-sint-rt", "SURVV", 3, 273),
        ("npc-sint-rt", "EOTV", 1, 0),
        ("npc-sint-rt", "EOTV", 2, None),
        ("nct07062484", "TAV", 4, 168),
        ("nct07062484", "TAV", 5, 231),
        ("sched", "TA", 3, 147),
        ("sched", "TA", 4, 210),
        ("sched", "TA", 5, None),
        ("sched", "TA", 0, None),
    ],
)
def test_occurrence_offset(
    all_studies: dict[str, Study], study: str, event: str, occurrence: int, days: int | None
) -> None:
    found = all_studies[study].event(event)
    assert found is not None
    assert occurrence_offset(found, occurrence) == days


@pytest.mark.parametrize(
    ("study", "end_anchor", "treatment"),
    [
        ("npc-sint-rt", "last_dose", {"CYCLE"}),
        # last_dose is @TRT[last]...: known from the first cycle, so it cannot end treatment
        ("nct07062484", None, {"TRT"}),
        ("sched", "last_dose", {"CYCLE"}),
        ("worked-example", None, {"CYCLE"}),
    ],
)
def test_policy_derived_for_studies_not_in_the_table(
    all_studies: dict[str, Study], study: str, end_anchor: str | None, treatment: set[str]
) -> None:
    unknown = dataclasses.replace(all_studies[study], oid="SOME-OTHER-STUDY")
    policy = policy_for(unknown)
    assert policy.treatment_end_anchor == end_anchor
    assert policy.treatment_events == treatment


def _visit(event: str, state: VisitState, due: dt.date | None) -> PlannedVisit:
    return PlannedVisit(event, 1, due, due, due, None, state)


D1, D2 = dt.date(2024, 3, 1), dt.date(2024, 4, 1)


@pytest.mark.parametrize(
    ("visits", "expected"),
    [
        ([], None),
        ([_visit("A", VisitState.DONE, D1)], None),
        ([_visit("A", VisitState.UPCOMING, D2), _visit("B", VisitState.OVERDUE, D1)], "B"),
        ([_visit("A", VisitState.UNPLANNED, None), _visit("B", VisitState.UPCOMING, D2)], "B"),
        ([_visit("A", VisitState.UNPLANNED, None), _visit("B", VisitState.UNPLANNED, None)], "A"),
        ([_visit("A", VisitState.DONE, D1), _visit("B", VisitState.DUE, D2)], "B"),
        ([_visit("A", VisitState.DUE, D2), _visit("B", VisitState.UPCOMING, D2)], "A"),
    ],
)
def test_next_visit(visits: list[PlannedVisit], expected: str | None) -> None:
    found = next_visit(visits)
    assert (found.event_oid if found else None) == expected


@pytest.mark.parametrize("study_oid", ["NPC-SINT-RT", "NCT07062484"])
def test_demo_subjects_plan_with_every_existing_visit_done(
    studies: dict[str, Study], study_oid: str
) -> None:
    """The demo enters every visit it makes completely, so each existing one is done."""
    study = next(s for s in studies.values() if s.oid == study_oid)
    cutoff = dt.date(2026, 6, 30)
    for plan in plan_subjects(study_oid, 12, seed=3, cutoff=cutoff):
        events: dict[str, Any] = {}
        for save in plan.ordered():
            event = study.event(save.event)
            assert event is not None
            if event.repeating:
                occurrences = events.setdefault(save.event, [])
                while len(occurrences) < save.occurrence:
                    occurrences.append({})
                occurrences[save.occurrence - 1][save.form] = dict(save.values)
            else:
                events.setdefault(save.event, {})[save.form] = dict(save.values)
        status = plan.statuses[-1].status.value if plan.statuses else "screening"
        visits = plan_subject(study, MemorySubject(events), cutoff, status=status)
        existing = [v for v in visits if v.exists]
        assert existing, "every demo subject has a screening visit"
        assert all(v.state is VisitState.DONE for v in existing), [
            v for v in existing if v.state is not VisitState.DONE
        ]
        if status in ("screen_failure", "off_study", "died"):
            assert all(v.exists for v in visits)
