"""Missing follow-up of ongoing adverse events (docs/safety.md §5), as a table of cases.

NPC-SINT-RT subjects dosed on 10 and 31 January 2026; with the end-of-treatment form
the window closes on 2 March 2026 (last dose + 30), without it the window is open.
``saved`` is the day the AE form was last saved; ``ae_followup_days`` is 30.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.model import Study
from npc_crf.oncology.safety import (
    SAFETY_PROFILES,
    FollowUpReason,
    assess_subject,
    derive_safety_profile,
    safety_settings,
)
from tests.safety_cases import ae_subject, by_oid, cycles, day, ids, load_safety_study

DOSES = cycles("2026-01-10", "2026-01-31")
EOT = {"EOT": {"EOTDAT": "2026-02-07", "EOTLDDAT": "2026-01-31", "EOTRTYN": "no"}}
ONGOING = {"AESTDAT": "2026-02-01", "AEONGO": "yes", "AEOUT": "NOT_RECOVERED"}
RESOLVED = {"AESTDAT": "2026-02-01", "AEONGO": "no", "AEENDAT": "2026-02-10", "AEOUT": "RECOVERED"}

CASES: list[dict[str, Any]] = [
    # window open (on treatment): the staleness rule
    {"name": "updated 10 days ago", "ae": ONGOING, "saved": "2026-06-21", "today": "2026-07-01",
     "want": None},
    {"name": "updated 30 days ago: due today, not yet missing", "ae": ONGOING,
     "saved": "2026-06-01", "today": "2026-07-01", "want": None},
    {"name": "updated 31 days ago: missing since yesterday", "ae": ONGOING, "saved": "2026-05-31",
     "today": "2026-07-01", "want": ("stale", "2026-06-30")},
    {"name": "resolved: nothing to follow", "ae": RESOLVED, "saved": "2026-02-10",
     "today": "2026-07-01", "want": None},
    {"name": "ongoing not entered yet: nothing asked here", "ae": {"AESTDAT": "2026-02-01"},
     "saved": "2026-02-10", "today": "2026-07-01", "want": None},
    {"name": "outcome not final, no ongoing answer", "ae": {"AESTDAT": "2026-02-01",
     "AEOUT": "RECOVERING"}, "saved": "2026-05-01", "today": "2026-07-01",
     "want": ("stale", "2026-05-31")},
    {"name": "outcome unknown", "ae": {"AESTDAT": "2026-02-01", "AEOUT": "UNKNOWN"},
     "saved": "2026-05-01", "today": "2026-07-01", "want": ("stale", "2026-05-31")},
    {"name": "no save date known: only the window's close is checked", "ae": ONGOING,
     "saved": None, "today": "2026-07-01", "want": None},
    # window closed (EOT: last day 2 March)
    {"name": "closed, last saved before the close", "ae": ONGOING, "eot": True,
     "saved": "2026-02-20", "today": "2026-03-03", "want": ("window_closed", "2026-03-02")},
    {"name": "closed, saved on the last day of the window", "ae": ONGOING, "eot": True,
     "saved": "2026-03-02", "today": "2026-07-01", "want": None},
    {"name": "closed, saved after: nothing more is asked", "ae": ONGOING, "eot": True,
     "saved": "2026-03-20", "today": "2026-09-01", "want": None},
    {"name": "the last day of the window: still open", "ae": ONGOING, "eot": True,
     "saved": "2026-02-20", "today": "2026-03-02", "want": None},
    {"name": "closed, no save date known", "ae": ONGOING, "eot": True, "saved": None,
     "today": "2026-03-03", "want": ("window_closed", "2026-03-02")},
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_followup(studies: dict[str, Study], case: dict[str, Any]) -> None:
    study = by_oid(studies, "NPC-SINT-RT")
    events: dict[str, Any] = {"CYCLE": DOSES}
    if case.get("eot"):
        events["EOTV"] = EOT
    saved = day(case["saved"])
    found = assess_subject(
        study,
        ae_subject(case["ae"], **events),
        day(case["today"]) or dt.date.min,
        safety_settings(),
        SAFETY_PROFILES["NPC-SINT-RT"],
        status="on_treatment",
        saved_on=lambda event, occurrence, form: saved,
        check_labs=False,
    )
    followup = found.adverse_events[0].followup
    if case["want"] is None:
        assert followup is None
        return
    assert followup is not None
    reason, due = case["want"]
    assert (followup.reason.value, followup.due, followup.last_update) == (reason, day(due), saved)


@pytest.mark.parametrize(
    ("outcome", "missing"),
    [
        ("RECOVERING", True),
        ("NOT_RECOVERED", True),
        (Missing("UNK"), True),  # not found in the records: still to be found out
        ("RECOVERED", False),
        ("FATAL", False),
    ],
)
def test_ongoing_read_from_the_outcome_without_an_ongoing_item(
    studies: dict[str, Study], outcome: object, missing: bool
) -> None:
    """NCT07062484 has no "ongoing?" item: an outcome that is not final means ongoing."""
    study = by_oid(studies, "NCT07062484")
    trt = [{"PD1": {"PD1STDAT": "2024-01-10", "PD1LAST": "no"}}]
    found = assess_subject(
        study,
        ae_subject({"AESTDAT": "2024-02", "AEOUT": outcome}, TRT=trt),
        dt.date(2024, 9, 1),
        safety_settings({"ae_window_days": 90}),
        SAFETY_PROFILES["NCT07062484"],
        saved_on=lambda event, occurrence, form: dt.date(2024, 3, 1),
        check_labs=False,
    )
    followup = found.adverse_events[0].followup
    assert (followup is not None) is missing
    if followup is not None:
        assert (followup.reason, followup.due) == (FollowUpReason.STALE, dt.date(2024, 3, 31))


def test_the_last_assessment_date_counts_as_an_update() -> None:
    """A study whose AE form records when it was last assessed (AEFUDAT): a check without
    a change to the form still counts."""
    study = load_safety_study()
    profile = derive_safety_profile(study)
    events: dict[str, Any] = {
        "CYCLE": [{"EX": {"EXYN": "yes", "EXSTDAT": "2026-01-10"}}],
        "EOTV": {"EOT": {"EOTLDDAT": "2026-01-10"}},
    }
    saved = dt.date(2026, 1, 20)  # window: 10 Jan - 7 Feb (28 days)
    results = []
    for assessed in (None, "2026-02-07", "2026-02-06"):
        values = {"AESTDAT": "2026-01-15", "AEONGO": "yes"}
        if assessed:
            values["AEFUDAT"] = assessed
        found = assess_subject(
            study,
            ae_subject(values, **events),
            dt.date(2026, 3, 1),
            safety_settings({"ae_window_days": 28}),
            profile,
            saved_on=lambda event, occurrence, form: saved,
            check_labs=False,
        )
        followup = found.adverse_events[0].followup
        results.append(followup.reason.value if followup else None)
    assert results == ["window_closed", None, "window_closed"]
