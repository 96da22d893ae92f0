"""SAE and SUSAR reporting clocks (docs/safety.md §2-3), as tables of cases.

Each case is an NPC-SINT-RT adverse event as the nurse enters it, the settings that
differ from the defaults, the day it is judged on, and the clock expected: its state,
due date and days left (due − today while not sent, due − sent once sent).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.model import Study
from npc_crf.oncology.safety import (
    SAFETY_PROFILES,
    ClockState,
    ReportKind,
    adverse_events,
    fatal_or_life_threatening,
    is_susar,
    report_clock,
    sae_clock,
    safety_settings,
    susar_clocks,
)
from npc_crf.oncology.safety.records import Stamp
from npc_crf.oncology.settings import SettingError
from tests.safety_cases import ae_subject, by_oid, day, ids

PROFILE = SAFETY_PROFILES["NPC-SINT-RT"]


@pytest.fixture(scope="module")
def sint(studies: dict[str, Study]) -> Study:
    return by_oid(studies, "NPC-SINT-RT")


# ------------------------------------------------------------------------------ the clock itself

CLOCK_CASES: list[dict[str, Any]] = [
    {"name": "day 0: running", "today": "2026-03-10", "want": ("running", "2026-03-11", 1)},
    {"name": "due day: running, 0 left", "today": "2026-03-11", "want": ("running", "2026-03-11", 0)},
    {"name": "day after: overdue", "today": "2026-03-12", "want": ("overdue", "2026-03-11", -1)},
    {"name": "sent on day 0", "sent": "2026-03-10", "want": ("sent_on_time", "2026-03-11", 1)},
    {"name": "sent on the due day", "sent": "2026-03-11", "want": ("sent_on_time", "2026-03-11", 0)},
    {"name": "sent a day late", "sent": "2026-03-12", "want": ("sent_late", "2026-03-11", -1)},
    {"name": "sent, date unknown", "sent": "UNK", "want": ("sent_untimed", "2026-03-11", None)},
    {"name": "no start, not sent", "start": None, "want": ("not_started", None, None)},
    {"name": "no start, sent", "start": None, "sent": "2026-03-12", "want": ("sent_untimed", None, None)},
    {"name": "past due, not recorded", "recorded": False, "today": "2026-03-12",
     "want": ("not_recorded", "2026-03-11", -1)},
    {"name": "before due, not recorded: running", "recorded": False, "today": "2026-03-11",
     "want": ("running", "2026-03-11", 0)},
]  # fmt: skip


@pytest.mark.parametrize("case", CLOCK_CASES, ids=ids(CLOCK_CASES))
def test_report_clock(case: dict[str, Any]) -> None:
    start = case.get("start", "2026-03-10")
    sent = case.get("sent")
    stamp = None if sent is None else Stamp(None if sent == "UNK" else day(sent))
    clock = report_clock(
        ReportKind.SAE,
        day(start),
        1,
        stamp,
        day(case.get("today", "2026-03-20")) or dt.date.min,
        recorded=case.get("recorded", True),
    )
    state, due, left = case["want"]
    assert (clock.state.value, clock.due, clock.days_left) == (state, day(due), left)
    assert clock.state.pending is (state in ("running", "overdue", "not_started"))


# ------------------------------------------------------------------------------ SAE clock

SERIOUS = {"AETOXGR": 3, "AESER": "yes", "AESDAT": "2026-03-09", "AEAWDAT": "2026-03-10"}

SAE_CASES: list[dict[str, Any]] = [
    {"name": "24 h: due the day after awareness", "ae": SERIOUS, "today": "2026-03-11",
     "want": ("running", "2026-03-11", 0)},
    {"name": "24 h: overdue two days after", "ae": SERIOUS, "today": "2026-03-12",
     "want": ("overdue", "2026-03-11", -1)},
    {"name": "reported the same day", "ae": {**SERIOUS, "AERPTDAT": "2026-03-10"},
     "today": "2026-04-01", "want": ("sent_on_time", "2026-03-11", 1)},
    {"name": "reported two days after awareness", "ae": {**SERIOUS, "AERPTDAT": "2026-03-12"},
     "today": "2026-04-01", "want": ("sent_late", "2026-03-11", -1)},
    {"name": "48 h", "ae": SERIOUS, "settings": {"sae_report_hours": 48}, "today": "2026-03-12",
     "want": ("running", "2026-03-12", 0)},
    {"name": "36 h round up to two days", "ae": SERIOUS, "settings": {"sae_report_hours": 36},
     "today": "2026-03-12", "want": ("running", "2026-03-12", 0)},
    {"name": "12 h: still the day after", "ae": SERIOUS, "settings": {"sae_report_hours": 12},
     "today": "2026-03-11", "want": ("running", "2026-03-11", 0)},
    {"name": "awareness not entered", "ae": {"AESER": "yes"}, "today": "2026-03-12",
     "want": ("not_started", None, None)},
    {"name": "report date unknown", "ae": {**SERIOUS, "AERPTDAT": Missing("UNK")},
     "today": "2026-03-12", "want": ("sent_untimed", "2026-03-11", None)},
    # seriousness is the flag, never the grade
    {"name": "grade 1 but serious", "ae": {**SERIOUS, "AETOXGR": 1}, "today": "2026-03-10",
     "want": ("running", "2026-03-11", 1)},
    {"name": "grade 4 not serious: no clock", "ae": {"AETOXGR": 4, "AESER": "no",
     "AEAWDAT": "2026-03-10"}, "today": "2026-03-12", "want": None},
    {"name": "seriousness not entered: no clock", "ae": {"AETOXGR": 4}, "today": "2026-03-12",
     "want": None},
    {"name": "expedited reporting off", "ae": SERIOUS, "settings": {"expedited_reporting": False},
     "today": "2026-03-12", "want": None},
]  # fmt: skip


@pytest.mark.parametrize("case", SAE_CASES, ids=ids(SAE_CASES))
def test_sae_clock(sint: Study, case: dict[str, Any]) -> None:
    (ae,) = adverse_events(sint, ae_subject(case["ae"]), PROFILE)
    settings = safety_settings(case.get("settings"))
    clock = sae_clock(ae, PROFILE, settings, day(case["today"]) or dt.date.min)
    if case["want"] is None:
        assert clock is None
        return
    assert clock is not None
    state, due, left = case["want"]
    assert (clock.kind, clock.state.value, clock.due, clock.days_left) == (
        ReportKind.SAE,
        state,
        day(due),
        left,
    )


def test_a_study_without_an_awareness_item_has_no_sae_clock(studies: dict[str, Study]) -> None:
    """NCT07062484 (a record review) records no awareness or report date."""
    study = by_oid(studies, "NCT07062484")
    profile = SAFETY_PROFILES["NCT07062484"]
    (ae,) = adverse_events(study, ae_subject({"AESER": "yes", "AEGRADE": 3}), profile)
    assert ae.serious is True
    assert sae_clock(ae, profile, safety_settings(), dt.date(2026, 3, 1)) is None


# ------------------------------------------------------------------------------ SUSAR clocks

SUSAR = {
    **SERIOUS,
    "AERPTDAT": "2026-03-11",  # day 0: the sponsor's first knowledge
    "AEEXPECT": "no",
    "AERELSIN": "POSSIBLE",
    "AERELRT": "NOT_RELATED",
}

SUSAR_CASES: list[dict[str, Any]] = [
    {"name": "life-threatening: day 7, follow-up day 15", "ae": {**SUSAR, "AESERCR": ["LIFE_THREAT"]},
     "today": "2026-03-18", "susar": True,
     "want": [("susar", "running", "2026-03-18", 0), ("susar_followup", "running", "2026-03-26", 8)]},
    {"name": "fatal: overdue on day 8", "ae": {**SUSAR, "AESERCR": ["DEATH", "HOSP"]},
     "today": "2026-03-19", "susar": True,
     "want": [("susar", "overdue", "2026-03-18", -1), ("susar_followup", "running", "2026-03-26", 7)]},
    {"name": "fatal: the follow-up past day 15 is overdue",
     "ae": {**SUSAR, "AESERCR": ["DEATH"], "AESUSDAT": "2026-03-17"}, "today": "2026-03-27",
     "susar": True,
     "want": [("susar", "sent_on_time", "2026-03-18", 1),
              ("susar_followup", "overdue", "2026-03-26", -1)]},
    {"name": "fatal: the follow-up sent on day 14",
     "ae": {**SUSAR, "AESERCR": ["DEATH"], "AESUSDAT": "2026-03-17", "AESUSFDAT": "2026-03-25"},
     "today": "2026-04-30", "susar": True,
     "want": [("susar", "sent_on_time", "2026-03-18", 1),
              ("susar_followup", "sent_on_time", "2026-03-26", 1)]},
    {"name": "hospitalisation: day 15", "ae": {**SUSAR, "AESERCR": ["HOSP"]}, "today": "2026-03-26",
     "susar": True, "want": [("susar", "running", "2026-03-26", 0)]},
    {"name": "hospitalisation: sent on day 16", "ae": {**SUSAR, "AESERCR": ["HOSP"],
     "AESUSDAT": "2026-03-27"}, "today": "2026-04-30", "susar": True,
     "want": [("susar", "sent_late", "2026-03-26", -1)]},
    {"name": "no criteria: the shorter deadline", "ae": SUSAR, "today": "2026-03-12", "susar": True,
     "want": [("susar", "running", "2026-03-18", 6), ("susar_followup", "running", "2026-03-26", 14)]},
    {"name": "related to radiotherapy only", "ae": {**SUSAR, "AESERCR": ["HOSP"],
     "AERELSIN": "NOT_RELATED", "AERELRT": "PROBABLE"}, "today": "2026-03-12", "susar": True,
     "want": [("susar", "running", "2026-03-26", 14)]},
    {"name": "not reported to the sponsor yet: not started", "ae": {**SUSAR, "AERPTDAT": None,
     "AESERCR": ["HOSP"]}, "today": "2026-03-12", "susar": True,
     "want": [("susar", "not_started", None, None)]},
    {"name": "custom days: 5 + 5", "ae": {**SUSAR, "AESERCR": ["LIFE_THREAT"]},
     "settings": {"susar_fatal_days": 5, "susar_followup_days": 5}, "today": "2026-03-12",
     "susar": True,
     "want": [("susar", "running", "2026-03-16", 4), ("susar_followup", "running", "2026-03-21", 9)]},
    {"name": "expected: not a SUSAR", "ae": {**SUSAR, "AEEXPECT": "yes"}, "today": "2026-03-12",
     "susar": False, "want": []},
    {"name": "unlikely related: not a SUSAR", "ae": {**SUSAR, "AERELSIN": "UNLIKELY"},
     "today": "2026-03-12", "susar": False, "want": []},
    {"name": "not serious: not a SUSAR", "ae": {**SUSAR, "AESER": "no"}, "today": "2026-03-12",
     "susar": False, "want": []},
    {"name": "expectedness not assessed: undecided", "ae": {**SUSAR, "AEEXPECT": None},
     "today": "2026-03-12", "susar": None, "want": []},
    {"name": "causality not assessed: undecided", "ae": {**SUSAR, "AERELSIN": None},
     "today": "2026-03-12", "susar": None, "want": []},
    {"name": "expedited reporting off", "ae": {**SUSAR, "AESERCR": ["HOSP"]},
     "settings": {"expedited_reporting": False}, "today": "2026-03-12", "susar": True, "want": []},
]  # fmt: skip


@pytest.mark.parametrize("case", SUSAR_CASES, ids=ids(SUSAR_CASES))
def test_susar_clocks(sint: Study, case: dict[str, Any]) -> None:
    values = {k: v for k, v in case["ae"].items() if v is not None}
    (ae,) = adverse_events(sint, ae_subject(values), PROFILE)
    assert is_susar(ae) is case["susar"]
    settings = safety_settings(case.get("settings"))
    clocks = susar_clocks(ae, PROFILE, settings, day(case["today"]) or dt.date.min)
    got = [(c.kind.value, c.state.value, c.due, c.days_left) for c in clocks]
    assert got == [(k, s, day(d), left) for k, s, d, left in case["want"]]


def test_the_shorter_deadline_says_why(sint: Study) -> None:
    (ae,) = adverse_events(sint, ae_subject(SUSAR), PROFILE)
    assert fatal_or_life_threatening(ae, PROFILE) is None
    clocks = susar_clocks(ae, PROFILE, safety_settings(), dt.date(2026, 3, 12))
    assert all(c.note is not None and "criteria" in c.note for c in clocks)


def test_the_untracked_follow_up_says_why(sint: Study) -> None:
    """A study whose AE form has no item for the follow-up report: the clock says so."""
    untracked = dataclasses.replace(PROFILE, susar_followup_item=None)
    (ae,) = adverse_events(sint, ae_subject({**SUSAR, "AESERCR": ["DEATH"]}), untracked)
    _initial, followup = susar_clocks(ae, untracked, safety_settings(), dt.date(2026, 3, 12))
    assert followup.state is ClockState.RUNNING
    assert followup.note is not None and "no item" in followup.note


# ------------------------------------------------------------------------------ settings


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        ({}, {"sae_report_days": 1, "irae_window_days": 30, "susar_followup_due_days": 15}),
        ({"ae_window_days": 90}, {"ae_window_days": 90, "irae_window_days": 90}),
        ({"ae_window_days": 30, "irae_window_days": 90}, {"irae_window_days": 90}),
        ({"sae_report_hours": 72}, {"sae_report_days": 3}),
        ({"sae_report_hours": 0}, {"sae_report_days": 0}),
    ],
)
def test_settings(mapping: dict[str, object], expected: dict[str, object]) -> None:
    settings = safety_settings(mapping)
    assert {k: getattr(settings, k) for k in expected} == expected


@pytest.mark.parametrize(
    ("mapping", "key"),
    [
        ({"sae_report_hour": 24}, "sae_report_hour"),
        ({"sae_report_hours": -1}, "sae_report_hours"),
        ({"sae_report_hours": "24"}, "sae_report_hours"),
        ({"expedited_reporting": "no"}, "expedited_reporting"),
        ({"lab_ae_min_grade": 5}, "lab_ae_min_grade"),
        ({"ae_followup_days": 0}, "ae_followup_days"),
    ],
)
def test_settings_refused(mapping: dict[str, object], key: str) -> None:
    with pytest.raises(SettingError) as raised:
        safety_settings(mapping)
    assert raised.value.key == key
