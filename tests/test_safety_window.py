"""The AE reporting window (docs/safety.md §4): exposure from the dosing records, and
where an onset falls, as tables of cases.

Each case is a subject's dosing records, its status and the settings; the window
expected (first day, last day or None while open-ended); and onsets with the place
and the days outside (least, most) expected.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.model import Study
from npc_crf.oncology.safety import (
    OPEN_END,
    SAFETY_PROFILES,
    Place,
    Span,
    adverse_events,
    assess_subject,
    derive_safety_profile,
    exposure_of,
    place_onset,
    reporting_window,
    safety_settings,
    study_safety_settings,
)
from tests.safety_cases import ae_subject, by_oid, cycles, day, ids, load_safety_study

TODAY = dt.date(2026, 11, 1)

# ------------------------------------------------------------------------------ NPC-SINT-RT

TWO_DOSES = cycles("2026-01-10", "2026-01-31")
EOT_JAN31 = {"EOT": {"EOTDAT": "2026-02-07", "EOTLDDAT": "2026-01-31", "EOTRTYN": "no"}}
RT_FEB20 = [{"RT": {"RTSTDAT": "2026-01-20", "RTSTAT": "COMPLETED", "RTENDAT": "2026-02-20"}}]
RT_ONGOING = [{"RT": {"RTSTDAT": "2026-01-20", "RTSTAT": "ONGOING"}}]

SINT_CASES: list[dict[str, Any]] = [
    {
        "name": "sintilimab only, ended by EOT: last dose + 30",
        "events": {"CYCLE": TWO_DOSES, "EOTV": EOT_JAN31},
        "window": ("2026-01-10", "2026-03-02"),
        "onsets": [
            ("2026-01-09", "before_first_dose", 1, None),
            ("2026-01-10", "inside", None, None),  # the first dose day is inside
            ("2026-03-02", "inside", None, None),  # so is the last day of the window
            ("2026-03-03", "after_window", 1, None),
            ("2025-12", "before_first_dose", 10, 40),  # 1-31 Dec: 10 to 40 days before
            ("2026-04", "after_window", 30, 59),
            ("2026-01", "indeterminate_start", None, None),  # partial: straddles the first dose
            ("2026-03", "indeterminate_end", None, None),  # partial: straddles the end
            ("2026", "indeterminate_start", None, None),
        ],
    },
    {
        "name": "radiotherapy ending after the last dose moves the end",
        "events": {"CYCLE": TWO_DOSES, "EOTV": EOT_JAN31, "RTV": RT_FEB20},
        "window": ("2026-01-10", "2026-03-22"),
        "onsets": [("2026-03-10", "inside", None, None), ("2026-03-23", "after_window", 1, None)],
    },
    {
        "name": "EOT's last radiotherapy date counts too",
        "events": {
            "CYCLE": TWO_DOSES,
            "EOTV": {"EOT": {**EOT_JAN31["EOT"], "EOTRTYN": "yes", "EOTRTLD": "2026-02-25"}},
        },
        "window": ("2026-01-10", "2026-03-27"),
        "onsets": [("2026-03-27", "inside", None, None)],
    },
    {
        "name": "radiotherapy before the first sintilimab dose starts the window",
        "events": {
            "CYCLE": TWO_DOSES,
            "EOTV": EOT_JAN31,
            "RTV": [
                {"RT": {"RTSTDAT": "2026-01-05", "RTSTAT": "COMPLETED", "RTENDAT": "2026-01-16"}}
            ],
        },
        "window": ("2026-01-05", "2026-03-02"),
        "onsets": [
            ("2026-01-06", "inside", None, None),
            ("2026-01-04", "before_first_dose", 1, None),
        ],
    },
    {
        "name": "on treatment: open-ended",
        "events": {"CYCLE": TWO_DOSES},
        "status": "on_treatment",
        "window": ("2026-01-10", None),
        "onsets": [
            ("2027-06-01", "inside", None, None),
            ("2026-01", "indeterminate_start", None, None),
        ],
    },
    {
        "name": "radiotherapy still going on after EOT: open-ended",
        "events": {"CYCLE": TWO_DOSES, "EOTV": EOT_JAN31, "RTV": RT_ONGOING},
        "window": ("2026-01-10", None),
        "onsets": [("2026-09-01", "inside", None, None)],
    },
    {
        "name": "follow-up status ends treatment without an EOT form",
        "events": {"CYCLE": TWO_DOSES},
        "status": "follow_up",
        "window": ("2026-01-10", "2026-03-02"),
        "onsets": [("2026-03-03", "after_window", 1, None)],
    },
    {
        "name": "a cycle whose dose was not given does not count",
        "events": {"CYCLE": cycles("2026-01-10", "2026-01-31", None), "EOTV": EOT_JAN31},
        "window": ("2026-01-10", "2026-03-02"),
        "onsets": [],
    },
    {
        "name": "no dose yet: any AE precedes the first dose",
        "events": {},
        "status": "enrolled",
        "window": (None, None),
        "onsets": [("2026-01-09", "no_first_dose", None, None)],
    },
    {
        "name": "longer window by setting",
        "events": {"CYCLE": TWO_DOSES, "EOTV": EOT_JAN31},
        "settings": {"ae_window_days": 90},
        "window": ("2026-01-10", "2026-05-01"),
        "onsets": [("2026-05-01", "inside", None, None), ("2026-05-02", "after_window", 1, None)],
    },
]


def _window_dates(window: Any) -> tuple[dt.date | None, dt.date | None]:
    start = window.start.exact if window.start is not None else None
    end = window.end.exact if window.end is not None else None
    return start, end


@pytest.mark.parametrize("case", SINT_CASES, ids=ids(SINT_CASES))
def test_sint_window(studies: dict[str, Study], case: dict[str, Any]) -> None:
    study = by_oid(studies, "NPC-SINT-RT")
    profile = SAFETY_PROFILES["NPC-SINT-RT"]
    settings = safety_settings(case.get("settings"))
    onsets = [{"AESTDAT": onset} for onset, *_ in case["onsets"]]
    subject = ae_subject(*onsets, **case["events"])
    exposure = exposure_of(study, subject, profile, case.get("status"))
    window = reporting_window(exposure, settings.ae_window_days)
    start, end = case["window"]
    assert _window_dates(window) == (day(start), day(end))
    assert window.open_ended is (end is None)
    for ae, (onset, place, least, most) in zip(
        adverse_events(study, subject, profile), case["onsets"], strict=True
    ):
        placed = place_onset(ae.onset, window)
        assert (placed.place.value, placed.days, placed.days_max) == (place, least, most), onset


def test_an_immune_related_ae_uses_its_own_window(studies: dict[str, Study]) -> None:
    study = by_oid(studies, "NPC-SINT-RT")
    settings = safety_settings({"ae_window_days": 30, "irae_window_days": 90})
    onset = "2026-04-15"  # 74 days after the last dose
    subject = ae_subject(
        {"AESTDAT": onset, "AERELSIN": "PROBABLE", "AEIRAE": "yes"},
        {"AESTDAT": onset, "AERELSIN": "NOT_RELATED"},
        CYCLE=TWO_DOSES,
        EOTV=EOT_JAN31,
    )
    found = assess_subject(study, subject, TODAY, settings, SAFETY_PROFILES["NPC-SINT-RT"])
    places = [a.placement.place for a in found.adverse_events]
    assert places == [Place.INSIDE, Place.AFTER_WINDOW]
    assert [a.window.days for a in found.adverse_events] == [90, 30]


# ------------------------------------------------------------------------------ NCT07062484


def _trt(pd1: str, chemo: str | None, last: bool = False) -> dict[str, dict[str, object]]:
    forms: dict[str, dict[str, object]] = {
        "PD1": {"PD1AGENT": "TORI", "PD1STDAT": pd1, "PD1LAST": "yes" if last else "no"}
    }
    forms["CHEMO"] = {"CMYN": "yes", "CMDAT": chemo} if chemo else {"CMYN": "no"}
    return forms


NCT_CASES: list[dict[str, Any]] = [
    {
        "name": "PD-1 stopped: last PD-1 or chemotherapy dose + 90",
        "events": {
            "TRT": [_trt("2024-01-10", "2024-01-10"), _trt("2024-01-31", "2024-02-02", True)]
        },
        "window": (("2024-01-10", "2024-01-10"), ("2024-05-02", "2024-05-02")),
        "onsets": [("2024-05-02", "inside", None, None), ("2024-05-03", "after_window", 1, None)],
    },
    {
        "name": "no last-dose flag: open-ended",
        "events": {"TRT": [_trt("2024-01-10", None), _trt("2024-01-31", None)]},
        "window": (("2024-01-10", "2024-01-10"), None),
        "onsets": [("2025-06", "inside", None, None)],
    },
    {
        "name": "radiotherapy with partial dates: the end of the window is a range",
        "events": {
            "TRT": [_trt("2024-01-10", None, True)],
            "RTX": {"RT": {"RTYN": "yes", "RTC": [{"RT_STDAT": "2024-02", "RT_ENDAT": "2024-03"}]}},
        },
        # last day: 1-31 March; + 90 days
        "window": (("2024-01-10", "2024-01-10"), ("2024-05-30", "2024-06-29")),
        "onsets": [
            ("2024-05-29", "inside", None, None),
            ("2024-06-10", "indeterminate_end", None, None),
            ("2024-06", "indeterminate_end", None, None),
            ("2024-07-01", "after_window", 2, 32),
        ],
    },
    {
        "name": "radiotherapy ended on an unknown day: the end has no latest day",
        "events": {
            "TRT": [_trt("2024-01-10", None, True)],
            "RTX": {
                "RT": {"RTYN": "yes", "RTC": [{"RT_STDAT": "2024-02", "RT_ENDAT": Missing("UNK")}]}
            },
        },
        "window": (("2024-01-10", "2024-01-10"), ("2024-05-01", "open")),
        "onsets": [
            ("2024-04-30", "inside", None, None),
            ("2025-01-01", "indeterminate_end", None, None),
        ],
    },
    {
        "name": "radiotherapy not given",
        "events": {
            "TRT": [_trt("2024-01-10", None, True)],
            "RTX": {"RT": {"RTYN": "no"}},
        },
        "window": (("2024-01-10", "2024-01-10"), ("2024-04-09", "2024-04-09")),
        "onsets": [],
    },
]


def _span(bounds: tuple[str, str] | None) -> Span | None:
    if bounds is None:
        return None
    first, last = bounds
    return Span(day(first) or dt.date.min, OPEN_END if last == "open" else day(last) or OPEN_END)


@pytest.mark.parametrize("case", NCT_CASES, ids=ids(NCT_CASES))
def test_nct_window(studies: dict[str, Study], case: dict[str, Any]) -> None:
    study = by_oid(studies, "NCT07062484")
    profile = SAFETY_PROFILES["NCT07062484"]
    settings = study_safety_settings(study)
    assert settings.ae_window_days == 90  # the study's ae_followup_days parameter
    onsets = [{"AESTDAT": onset} for onset, *_ in case["onsets"]]
    subject = ae_subject(*onsets, **case["events"])
    window = reporting_window(exposure_of(study, subject, profile), settings.ae_window_days)
    start, end = case["window"]
    assert (window.start, window.end) == (_span(start), _span(end))
    for ae, (onset, place, least, most) in zip(
        adverse_events(study, subject, profile), case["onsets"], strict=True
    ):
        placed = place_onset(ae.onset, window)
        assert (placed.place.value, placed.days, placed.days_max) == (place, least, most), onset


# ------------------------------------------------------------------------------ settings per study


@pytest.mark.parametrize(
    ("oid", "expected"),
    [
        # the study file's oncology: safety: and the AE form's parameters agree
        (
            "NPC-SINT-RT",
            {"expedited_reporting": True, "sae_report_hours": 24, "ae_window_days": 30},
        ),
        # a record review: no clocks; AEs until 90 days after the last dose (its parameter)
        (
            "NCT07062484",
            {"expedited_reporting": False, "ae_window_days": 90, "irae_window_days": 90},
        ),
    ],
)
def test_study_settings(studies: dict[str, Study], oid: str, expected: dict[str, object]) -> None:
    settings = study_safety_settings(by_oid(studies, oid))
    assert {k: getattr(settings, k) for k in expected} == expected


def test_the_study_file_wins_over_parameters(studies: dict[str, Study]) -> None:
    study = by_oid(studies, "NCT07062484")
    changed = dataclasses.replace(study, oncology={"safety": {"ae_window_days": 30}})
    settings = study_safety_settings(changed)
    assert (settings.ae_window_days, settings.irae_window_days) == (30, 30)
    assert settings.expedited_reporting is True  # no longer given: the default


# ------------------------------------------------------------------------------ profiles


def test_bundled_profiles_name_what_the_studies_have(studies: dict[str, Study]) -> None:
    for oid, profile in SAFETY_PROFILES.items():
        study = by_oid(studies, oid)
        for form_oid, items in profile.items_by_form().items():
            form = study.forms[form_oid]
            missing = sorted(i for i in items if form.item(i) is None)
            assert not missing, f"{oid} {form_oid}: {missing}"
        sources: list[Any] = [*profile.doses, *profile.courses]
        for source in sources:
            event = study.event(source.event)
            assert event is not None and source.form in event.forms
        for lab in profile.labs:
            assert all(analyte in study.reference_ranges for _item, analyte in lab.analytes)


def test_profile_derived_from_cdash_names() -> None:
    study = load_safety_study()
    profile = derive_safety_profile(study)
    assert (profile.ae_form, profile.grade_item, profile.criteria_item) == (
        "AE",
        "AETOXGR",
        "AESERCR",
    )
    assert profile.fatal_criteria == {"DEATH", "LIFE_THREAT"}
    assert (profile.susar_followup_item, profile.last_assessed_item) == ("AESUSFDAT", "AEFUDAT")
    assert profile.related_items == ("AERELDRG",)
    assert [(d.event, d.form, d.date_item, d.given_item) for d in profile.doses] == [
        ("CYCLE", "EX", "EXSTDAT", "EXYN")
    ]
    assert [(c.form, c.status_item, c.ongoing_codes) for c in profile.courses] == [
        ("RT", "RTSTAT", frozenset({"ONGOING"}))
    ]
    assert profile.end_of_treatment is not None
    assert profile.end_of_treatment.last_dose_items == ("EOTLDDAT", "EOTRTLD")
    assert [(lab.form, lab.date_item, lab.analytes) for lab in profile.labs] == [
        ("LB", "LBDAT", (("ALT", "ALT"),))
    ]


def test_derived_profile_of_the_bundled_study_agrees_with_the_table(
    studies: dict[str, Study],
) -> None:
    """NPC-SINT-RT's names are CDASH-like: deriving finds the same items and records
    (only the therapies' names and the sodium/potassium analyte aliases differ)."""
    study = by_oid(studies, "NPC-SINT-RT")
    derived = derive_safety_profile(study)
    table = SAFETY_PROFILES["NPC-SINT-RT"]
    assert derived.ae_items() == table.ae_items()
    assert derived.fatal_criteria == table.fatal_criteria
    derived_sources: list[Any] = [*derived.doses, *derived.courses]
    table_sources: list[Any] = [*table.doses, *table.courses]
    unnamed = [dataclasses.replace(s, therapy="") for s in derived_sources]
    assert unnamed == [dataclasses.replace(s, therapy="") for s in table_sources]
    assert derived.end_of_treatment == table.end_of_treatment
