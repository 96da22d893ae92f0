"""Visits done out of their window (docs/safety.md §1): early, late, or undecided by a
partial date, as tables of cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from npc_crf.forms.model import Study
from npc_crf.forms.subject_data import MemorySubject
from npc_crf.oncology.schedule import VisitState, VisitTiming, plan_subject, visit_timing
from tests.safety_cases import by_oid, cycles, day, ids, load_safety_study

# ------------------------------------------------------------------------------ the rule itself

D = dt.date.fromisoformat

TIMING_CASES: list[dict[str, Any]] = [
    # a full window 10-16 March
    {"name": "first day of the window", "actual": "2026-03-10", "want": ("in_window", None, None)},
    {"name": "last day of the window", "actual": "2026-03-16", "want": ("in_window", None, None)},
    {"name": "a day early", "actual": "2026-03-09", "want": ("early", 1, None)},
    {"name": "a week late", "actual": "2026-03-23", "want": ("late", 7, None)},
    # a window counted from a partial anchor: it starts 1-31 March and ends 7 April-7 May
    {"name": "inside every possible window", "actual": "2026-04-05",
     "start": ("2026-03-01", "2026-03-31"), "end": ("2026-04-07", "2026-05-07"),
     "want": ("in_window", None, None)},
    {"name": "early for every possible window", "actual": "2026-02-20",
     "start": ("2026-03-01", "2026-03-31"), "end": ("2026-04-07", "2026-05-07"),
     "want": ("early", 9, 39)},
    {"name": "late for every possible window", "actual": "2026-05-10",
     "start": ("2026-03-01", "2026-03-31"), "end": ("2026-04-07", "2026-05-07"),
     "want": ("late", 3, 33)},
    {"name": "may be before the window opens", "actual": "2026-03-15",
     "start": ("2026-03-01", "2026-03-31"), "end": ("2026-04-07", "2026-05-07"),
     "want": ("indeterminate", None, None)},
    {"name": "may be after the window closes", "actual": "2026-04-20",
     "start": ("2026-03-01", "2026-03-31"), "end": ("2026-04-07", "2026-05-07"),
     "want": ("indeterminate", None, None)},
]  # fmt: skip


@pytest.mark.parametrize("case", TIMING_CASES, ids=ids(TIMING_CASES))
def test_visit_timing(case: dict[str, Any]) -> None:
    actual = D(case["actual"])
    start = tuple(D(d) for d in case.get("start", ("2026-03-10", "2026-03-10")))
    end = tuple(D(d) for d in case.get("end", ("2026-03-16", "2026-03-16")))
    timing = visit_timing((actual, actual), (start[0], start[1]), (end[0], end[1]))
    assert (timing.timing.value, timing.days, timing.days_max) == case["want"]


# ------------------------------------------------------------------------------ planned visits

PLAN_CASES: list[dict[str, Any]] = [
    {
        # cycle 1 on 10 Jan: cycle 2 due 31 Jan, window 28 Jan - 3 Feb
        "name": "cycles: on the window's edges, early, late",
        "study": "npc-sint-rt",
        "today": "2026-06-01",
        "subject": {"CYCLE": cycles("2026-01-10", "2026-01-28", "2026-02-21", "2026-03-18")},
        "visits": {
            "CYCLE[1]": (None, None, None),  # the first cycle has no window
            "CYCLE[2]": ("in_window", None, None),  # 28 Jan, the first day of the window
            "CYCLE[3]": ("in_window", None, None),  # due 18 Feb: 21 Feb is the last day
            "CYCLE[4]": ("late", 1, None),  # due 14 Mar, window 11-17 Mar
        },
    },
    {
        "name": "a dose not given: the visit has no date to judge",
        "study": "npc-sint-rt",
        "today": "2026-06-01",
        # cycle 3 keeps the rhythm: due 21 days after cycle 2's due date (21 Feb), window
        # 18-24 Feb
        "subject": {"CYCLE": cycles("2026-01-10", None, "2026-02-10")},
        "visits": {"CYCLE[2]": (None, None, None), "CYCLE[3]": ("early", 8, None)},
    },
    {
        # diagnosis some day in May 2023: due 30 Apr - 30 May 2024, window +/- 30 days
        "name": "anchor a partial date: inside every possible window",
        "study": "safety",
        "today": "2024-08-01",
        "subject": {"SCR": {"DM": {"DIAGDAT": "2023-05"}}, "FU": {"VIS": {"VISDAT": "2024-05-15"}}},
        "visits": {"FU[1]": ("in_window", None, None)},
    },
    {
        "name": "anchor a partial date: may be early",
        "study": "safety",
        "today": "2024-08-01",
        "subject": {"SCR": {"DM": {"DIAGDAT": "2023-05"}}, "FU": {"VIS": {"VISDAT": "2024-04-10"}}},
        "visits": {"FU[1]": ("indeterminate", None, None)},
    },
    {
        "name": "anchor a partial date: late for every possible window",
        "study": "safety",
        "today": "2024-08-01",
        "subject": {"SCR": {"DM": {"DIAGDAT": "2023-05"}}, "FU": {"VIS": {"VISDAT": "2024-07-10"}}},
        "visits": {"FU[1]": ("late", 11, 41)},
    },
    {
        # review = DIAGDAT + 30: a partial diagnosis date leaves the anchor indeterminate
        "name": "anchor computed from a partial date: indeterminate",
        "study": "safety",
        "today": "2024-08-01",
        "subject": {
            "SCR": {"DM": {"DIAGDAT": "2023-05"}},
            "REV": {"VIS": {"VISDAT": "2023-06-20"}},
        },
        "visits": {"REV[1]": ("indeterminate", None, None)},
    },
    {
        "name": "anchor a full date",
        "study": "safety",
        "today": "2024-08-01",
        "subject": {
            "SCR": {"DM": {"DIAGDAT": "2023-05-10"}},
            "REV": {"VIS": {"VISDAT": "2023-06-20"}},
        },
        "visits": {"REV[1]": ("late", 4, None)},  # due 9 June, window to 16 June
    },
]


@pytest.fixture(scope="module")
def plan_studies(studies: dict[str, Study]) -> dict[str, Study]:
    return {**studies, "safety": load_safety_study()}


@pytest.mark.parametrize("case", PLAN_CASES, ids=ids(PLAN_CASES))
def test_planned_visit_timing(plan_studies: dict[str, Study], case: dict[str, Any]) -> None:
    study = plan_studies[case["study"]]
    plan = plan_subject(study, MemorySubject(case["subject"]), day(case["today"]) or dt.date.min)
    planned = {f"{v.event_oid}[{v.occurrence}]": v for v in plan}
    for key, (timing, least, most) in case["visits"].items():
        visit = planned[key]
        assert visit.state is VisitState.DONE, key  # out of window is still done
        got = (
            visit.timing.value if visit.timing else None,
            visit.days_outside,
            visit.days_outside_max,
        )
        assert got == (timing, least, most), key
        assert visit.out_of_window is (timing in ("early", "late"))


def test_a_late_cycle_moves_the_next_one(studies: dict[str, Study]) -> None:
    """Done late is still done: the next cycle counts from its actual date."""
    study = by_oid(studies, "NPC-SINT-RT")
    subject = MemorySubject({"CYCLE": cycles("2026-01-10", "2026-02-10")})
    plan = {(v.event_oid, v.occurrence): v for v in plan_subject(study, subject, D("2026-02-11"))}
    assert plan[("CYCLE", 2)].timing is VisitTiming.LATE
    assert plan[("CYCLE", 3)].due == D("2026-03-03")
