"""Safety and exposure for the endpoint reports (npc_crf.endpoints.safety, .exposure).

Tables of small synthetic cases with hand-computed results: one AE read from the
forms of each study, one subject's exposure, and the report's tables from a
hand-made SafetyResult. Then the demo sites of both studies: every subject is
processed, and the tables' counts equal a count made here from the stored forms.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest

from npc_crf.endpoints.exposure import PD1_LABEL_DOSE_MG, exposure, received_treatment
from npc_crf.endpoints.model import AeRecord, Exposure, SafetyResult, Table
from npc_crf.endpoints.safety import (
    NOT_CODED,
    adverse_events,
    percent,
    safety_result,
    safety_tables,
)
from npc_crf.forms.expr.evaluate import Missing, SubjectData
from npc_crf.forms.expr.values import PartialDate
from npc_crf.forms.model import Study
from npc_crf.forms.subject_data import MemorySubject
from npc_crf.oncology.ctcae.catalogue import catalogue
from npc_crf.store.records import SubjectSnapshot
from tests.report_fixtures import CUTOFF, ReportSite, logged_in
from tests.safety_cases import ae_subject, cycles, ids, load_safety_study

SINT = "npc-sint-rt"
NCT = "nct07062484"
RELATED = {"POSSIBLE", "PROBABLE", "DEFINITE"}

# ------------------------------------------------------------------ adverse events: NPC-SINT-RT

#: two doses, treatment ended on 31 Jan: the AE window is 10 Jan to 2 Mar (30 days)
SINT_TREATED: dict[str, Any] = {
    "CYCLE": cycles("2026-01-10", "2026-01-31"),
    "EOTV": {"EOT": {"EOTDAT": "2026-02-07", "EOTLDDAT": "2026-01-31", "EOTRTYN": "no"}},
}
SINT_AE = {
    "AETERM": "10028130",  # Mucositis oral
    "AETOXGR": "3",
    "AESTDAT": "2026-02-01",
    "AESER": "yes",
    "AERELSIN": "POSSIBLE",
    "AERELRT": "NOT_RELATED",
    "AEIRAE": "no",
}

SINT_CASES: list[dict[str, Any]] = [
    {
        "name": "coded term, worst grade, serious, related to sintilimab only",
        "ae": {},
        "expect": {
            "term": "Mucositis oral",
            "soc": "Gastrointestinal disorders",
            "meddra_code": "10028130",
            "term_zh": None,
            "grade": 3,
            "serious": True,
            "related": {"sintilimab": True, "radiotherapy": False},
            "immune_related": False,
            "start": dt.date(2026, 2, 1),
            "treatment_emergent": True,
        },
    },
    {
        "name": "related to radiotherapy, immune-related, not serious",
        "ae": {"AERELSIN": "DEFINITE", "AERELRT": "PROBABLE", "AEIRAE": "yes", "AESER": "no"},
        "expect": {
            "related": {"sintilimab": True, "radiotherapy": True},
            "immune_related": True,
            "serious": False,
        },
    },
    {
        "name": "unlikely and not related count as not related",
        "ae": {"AERELSIN": "UNLIKELY", "AERELRT": "NOT_RELATED"},
        "expect": {"related": {"sintilimab": False, "radiotherapy": False}},
    },
    {
        "name": "unanswered seriousness, grade and causality count as no",
        "ae": {"AESER": None, "AETOXGR": None, "AERELSIN": None},
        "expect": {
            "serious": False,
            "grade": None,
            "related": {"sintilimab": False, "radiotherapy": False},
        },
    },
    {
        "name": "onset the day before the first dose: not treatment-emergent",
        "ae": {"AESTDAT": "2026-01-09"},
        "expect": {"treatment_emergent": False},
    },
    {
        "name": "onset on the first dose day is treatment-emergent",
        "ae": {"AESTDAT": "2026-01-10"},
        "expect": {"treatment_emergent": True},
    },
    {
        "name": "onset on the last day of the window is treatment-emergent",
        "ae": {"AESTDAT": "2026-03-02"},
        "expect": {"treatment_emergent": True},
    },
    {
        "name": "onset the day after the window: not treatment-emergent",
        "ae": {"AESTDAT": "2026-03-03"},
        "expect": {"treatment_emergent": False},
    },
    {
        "name": "partial onset that may be before the first dose counts (conservative)",
        "ae": {"AESTDAT": "2026-01"},
        "expect": {"treatment_emergent": True, "start": None},
    },
    {
        "name": "partial onset that may be after the window counts (conservative)",
        "ae": {"AESTDAT": "2026-03"},
        "expect": {"treatment_emergent": True, "start": None},
    },
    {
        "name": "partial onset wholly after the window does not count",
        "ae": {"AESTDAT": "2026-04"},
        "expect": {"treatment_emergent": False},
    },
    {
        "name": "no onset entered counts (conservative)",
        "ae": {"AESTDAT": None},
        "expect": {"treatment_emergent": True, "start": None},
    },
    {
        "name": "no dose recorded: nothing is treatment-emergent",
        "ae": {},
        "events": {},
        "expect": {"treatment_emergent": False},
    },
    {
        "name": "treatment goes on (no end of treatment): the window is open",
        "ae": {"AESTDAT": "2027-06-01"},
        "events": {"CYCLE": cycles("2026-01-10", "2026-01-31")},
        "expect": {"treatment_emergent": True},
    },
    {
        "name": "a subject in follow-up has ended treatment: last dose + 30",
        "ae": {"AESTDAT": "2026-03-03"},
        "events": {"CYCLE": cycles("2026-01-10", "2026-01-31")},
        "kwargs": {"status": "follow_up"},
        "expect": {"treatment_emergent": False},
    },
    {
        "name": "a shorter window given by the caller",
        "ae": {"AESTDAT": "2026-02-20"},
        "kwargs": {"ae_window_days": 14},
        "expect": {"treatment_emergent": False},
    },
    {
        "name": "an immune-related AE uses the immune-related window",
        "ae": {"AESTDAT": "2026-04-15", "AERELSIN": "PROBABLE", "AEIRAE": "yes"},
        "kwargs": {"irae_window_days": 90},
        "expect": {"treatment_emergent": True, "immune_related": True},
    },
    {
        "name": "... which other AEs do not",
        "ae": {"AESTDAT": "2026-04-15"},
        "kwargs": {"irae_window_days": 90},
        "expect": {"treatment_emergent": False},
    },
]


def _ae(values: Mapping[str, object]) -> dict[str, object]:
    """The base AE with ``values`` over it (None removes an item)."""
    merged = {**SINT_AE, **values}
    return {k: v for k, v in merged.items() if v is not None}


@pytest.mark.parametrize("case", SINT_CASES, ids=ids(SINT_CASES))
def test_sint_adverse_event(studies: dict[str, Study], case: dict[str, Any]) -> None:
    events = case.get("events", SINT_TREATED)
    data = ae_subject(_ae(case["ae"]), **events)
    [record] = adverse_events(studies[SINT], "S01-01-0001", data, **case.get("kwargs", {}))
    assert record.subject_id == "S01-01-0001"
    for field, expected in case["expect"].items():
        assert getattr(record, field) == expected, field


def test_cutoff_leaves_out_later_onsets(studies: dict[str, Study]) -> None:
    onsets = ["2026-02-01", "2026-02-15", "2026-02-16", "2026-02"]
    data = ae_subject(*(_ae({"AESTDAT": o}) for o in onsets), **SINT_TREATED)
    found = adverse_events(studies[SINT], "S1", data, cutoff=dt.date(2026, 2, 15))
    # 16 Feb is after the cut-off; February may be on either side of it: kept
    assert [r.start for r in found] == [dt.date(2026, 2, 1), dt.date(2026, 2, 15), None]


# ----------------------------------------------------------------- adverse events: NCT07062484

#: two PD-1 doses, the second the last: the AE window runs to 90 days after 31 Jan
NCT_TREATED: dict[str, Any] = {
    "TRT": [
        {"PD1": {"PD1AGENT": "TISLELIZUMAB", "PD1STDAT": "2026-01-10", "PD1LAST": "no"}},
        {"PD1": {"PD1AGENT": "TISLELIZUMAB", "PD1STDAT": "2026-01-31", "PD1LAST": "yes"}},
    ]
}
NCT_AE = {
    "AETERM": "10021114",  # Hypothyroidism
    "AEGRADE": "2",
    "AESTDAT": "2026-03",
    "AEOUT": "RECOVERED",
    "AESER": "no",
    "AERELPD1": "PROBABLE",
    "AERELCT": Missing("NA"),
    "AERELRT": Missing("UNK"),
    "AEIR": "yes",
}

NCT_CASES: list[dict[str, Any]] = [
    {
        "name": "related to the PD-1 inhibitor; NA and UNK causality count as not related",
        "ae": {},
        "expect": {
            "term": "Hypothyroidism",
            "soc": "Endocrine disorders",
            "grade": 2,
            "related": {"pd1": True, "chemotherapy": False, "radiotherapy": False},
            "immune_related": True,
            "treatment_emergent": True,
            "start": None,
        },
    },
    {
        "name": "related to chemotherapy and radiotherapy",
        "ae": {"AERELPD1": "UNLIKELY", "AERELCT": "DEFINITE", "AERELRT": "POSSIBLE", "AEIR": None},
        "expect": {
            "related": {"pd1": False, "chemotherapy": True, "radiotherapy": True},
            "immune_related": False,
        },
    },
    {
        "name": "unknown grade and immune-relatedness",
        "ae": {"AEGRADE": Missing("UNK"), "AEIR": Missing("UNK")},
        "expect": {"grade": None, "immune_related": False},
    },
    {
        "name": "the study's window is 90 days: its last day counts",
        "ae": {"AESTDAT": "2026-05-01", "AEIR": "no"},
        "expect": {"treatment_emergent": True},
    },
    {
        "name": "... and the day after does not",
        "ae": {"AESTDAT": "2026-05-02", "AEIR": "no"},
        "expect": {"treatment_emergent": False},
    },
    {
        "name": "a year-only onset straddling the first dose counts (conservative)",
        "ae": {"AESTDAT": "2026"},
        "expect": {"treatment_emergent": True},
    },
]


@pytest.mark.parametrize("case", NCT_CASES, ids=ids(NCT_CASES))
def test_nct_adverse_event(studies: dict[str, Study], case: dict[str, Any]) -> None:
    merged = {**NCT_AE, **case["ae"]}
    values = {k: v for k, v in merged.items() if v is not None}
    data = ae_subject(values, **NCT_TREATED)
    [record] = adverse_events(studies[NCT], "S1", data)
    for field, expected in case["expect"].items():
        assert getattr(record, field) == expected, field


def test_study_without_a_map_reads_its_profile() -> None:
    """A study not in the maps: free-text terms found by name, causality by item OID."""
    study = load_safety_study()
    treated: dict[str, Any] = {"CYCLE": cycles("2026-01-10")}
    data = ae_subject(
        {"AETERM": "nausea", "AETOXGR": "1", "AESTDAT": "2026-01-12", "AERELDRG": "POSSIBLE"},
        {"AETERM": "Odd feeling", "AESTDAT": "2026-01-13", "AERELDRG": "NOT_RELATED"},
        **treated,
    )
    nausea, odd = adverse_events(study, "S1", data)
    assert (nausea.term, nausea.meddra_code, nausea.related) == (
        "Nausea",
        "10028813",
        {"AERELDRG": True},
    )
    assert (odd.term, odd.soc, odd.meddra_code, odd.related) == (
        "Odd feeling",
        NOT_CODED,
        None,
        {"AERELDRG": False},
    )
    assert nausea.treatment_emergent and odd.treatment_emergent
    taken = exposure(study, "S1", data)
    assert (taken.cycles, taken.first_dose, taken.dose_intensity) == (
        1,
        dt.date(2026, 1, 10),
        None,
    )


# ------------------------------------------------------------------------------ exposure


def _ex(date: str | None, dose: str | None = "200", given: str = "yes") -> dict[str, object]:
    values: dict[str, object] = {"EXYN": given}
    if date is not None:
        values["EXSTDAT"] = date
    if dose is not None:
        values["EXDOSE"] = dose
    return {"EX": values}


def _rt(start: str, status: str, end: str | None = None) -> dict[str, object]:
    values = {"RTSTDAT": start, "RTSTAT": status}
    return {"RT": values | ({"RTENDAT": end} if end else {})}


def _pd1(date: str | None, agent: str = "TISLELIZUMAB", dose: object = "200") -> dict[str, object]:
    values: dict[str, object] = {"PD1AGENT": agent, "PD1LAST": "no"}
    if date is not None:
        values["PD1STDAT"] = date
    if dose is not None:
        values["PD1DOSE"] = dose
    return values


def _trt(pd1: dict[str, object] | None, chemo: object = None) -> dict[str, object]:
    occurrence: dict[str, object] = {}
    if pd1 is not None:
        occurrence["PD1"] = pd1
    if chemo is not None:
        occurrence["CHEMO"] = (
            {"CMYN": chemo, "CMDAT": "2026-01-10"} if chemo == "yes" else {"CMYN": chemo}
        )
    return occurrence


EXPOSURE_CASES: list[dict[str, Any]] = [
    {
        "name": "sintilimab: a cycle not given, a dose reduced",
        "study": SINT,
        "events": {"CYCLE": [_ex("2026-01-10"), _ex(None, None, "no"), _ex("2026-02-21", "100")]},
        "expect": {
            "cycles": 2,
            "first_dose": dt.date(2026, 1, 10),
            "last_dose": dt.date(2026, 2, 21),
            "planned_mg": 400.0,
            "given_mg": 300.0,
            "dose_intensity": 0.75,
        },
    },
    {
        "name": "sintilimab: a cycle with no dose recorded is left out of the intensity",
        "study": SINT,
        "events": {"CYCLE": [_ex("2026-01-10"), _ex("2026-01-31", None)]},
        "expect": {"cycles": 2, "planned_mg": 200.0, "given_mg": 200.0, "dose_intensity": 1.0},
    },
    {
        "name": "radiotherapy: completed, stopped early and ongoing courses",
        "study": SINT,
        "events": {
            "RTV": [
                _rt("2026-01-05", "COMPLETED", "2026-02-10"),
                _rt("2026-03-01", "STOPPED", "2026-03-09"),
                _rt("2026-04-01", "ONGOING"),
            ]
        },
        "expect": {"cycles": 0, "rt_courses": 3, "rt_courses_completed": 1, "first_dose": None},
    },
    {
        "name": "cut-off: later doses and courses left out, a course ending after it not completed",
        "study": SINT,
        "cutoff": dt.date(2026, 2, 1),
        "events": {
            "CYCLE": [_ex("2026-01-10"), _ex("2026-01-31"), _ex("2026-02-21")],
            "RTV": [
                _rt("2026-01-05", "COMPLETED", "2026-01-30"),
                _rt("2026-01-20", "COMPLETED", "2026-02-10"),
                _rt("2026-03-01", "COMPLETED", "2026-03-20"),
            ],
        },
        "expect": {
            "cycles": 2,
            "last_dose": dt.date(2026, 1, 31),
            "planned_mg": 400.0,
            "rt_courses": 2,
            "rt_courses_completed": 1,
        },
    },
    {
        "name": "nothing given",
        "study": SINT,
        "events": {"CYCLE": [_ex(None, None, "no")]},
        "expect": {
            "cycles": 0,
            "first_dose": None,
            "planned_mg": None,
            "given_mg": None,
            "dose_intensity": None,
            "rt_courses": 0,
        },
    },
    {
        "name": "PD-1: each agent's labelled dose is planned",
        "study": NCT,
        "events": {
            "TRT": [
                _trt(_pd1("2026-01-10", "TORIPALIMAB", "240")),
                _trt(_pd1("2026-01-31", "TORIPALIMAB", "240")),
                _trt(_pd1("2026-02-21", "SINTILIMAB", "100")),
            ]
        },
        "expect": {
            "cycles": 3,
            "planned_mg": 680.0,
            "given_mg": 580.0,
            "dose_intensity": 580 / 680,
            "last_dose": dt.date(2026, 2, 21),
        },
    },
    {
        "name": "PD-1: an 'other' agent and an unknown dose are left out of the intensity",
        "study": NCT,
        "events": {
            "TRT": [
                _trt(_pd1("2026-01-10", "OTHER", "300")),
                _trt(_pd1("2026-01-31", dose=Missing("UNK"))),
                _trt(_pd1("2026-02-21", dose="200")),
                _trt({"PD1AGENT": "TISLELIZUMAB"}),  # an empty record is not a cycle
            ]
        },
        "expect": {"cycles": 3, "planned_mg": 200.0, "given_mg": 200.0, "dose_intensity": 1.0},
    },
    {
        "name": "chemotherapy: only cycles given count",
        "study": NCT,
        "events": {
            "TRT": [
                _trt(_pd1("2026-01-10"), "yes"),
                _trt(_pd1("2026-01-31"), "no"),
                _trt(_pd1("2026-02-21"), Missing("UNK")),
                _trt(_pd1("2026-03-14"), "yes"),
            ]
        },
        "expect": {"cycles": 4, "chemo_cycles": 2},
    },
    {
        "name": "radiotherapy rows: completed, not completed, ongoing",
        "study": NCT,
        "events": {
            "TRT": [_trt(_pd1("2026-01-10"))],
            "RTX": {
                "RT": {
                    "RTYN": "yes",
                    "RTC": [
                        {"RT_STDAT": "2026-01", "RT_ENDAT": "2026-02", "RT_COMPL": "yes"},
                        {"RT_STDAT": "2026-02-01", "RT_ENDAT": "2026-02-10", "RT_COMPL": "no"},
                        {"RT_STDAT": "2026-03-01", "RT_ENDAT": Missing("UNK")},
                    ],
                }
            },
        },
        "expect": {"rt_courses": 3, "rt_courses_completed": 1},
    },
    {
        "name": "radiotherapy: 'no' on the form holds no course",
        "study": NCT,
        "events": {
            "TRT": [_trt(_pd1("2026-01-10"))],
            "RTX": {"RT": {"RTYN": "no", "RTC": [{"RT_STDAT": "2026-01", "RT_COMPL": "yes"}]}},
        },
        "expect": {"rt_courses": 0, "rt_courses_completed": 0},
    },
]


@pytest.mark.parametrize("case", EXPOSURE_CASES, ids=ids(EXPOSURE_CASES))
def test_exposure(studies: dict[str, Study], case: dict[str, Any]) -> None:
    data = MemorySubject(case["events"])
    found = exposure(studies[case["study"]], "S1", data, cutoff=case.get("cutoff"))
    assert found.subject_id == "S1"
    for field, expected in case["expect"].items():
        value = getattr(found, field)
        if isinstance(expected, float):
            assert value == pytest.approx(expected), field
        else:
            assert value == expected, field
    given = found.cycles + found.rt_courses + found.chemo_cycles
    assert received_treatment(found) is (given > 0)


# -------------------------------------------------------------------------------- tables

PERCENT_CASES = [(1, 6, 16.7), (2, 3, 66.7), (1, 8, 12.5), (1, 16, 6.3), (0, 5, 0.0), (3, 3, 100.0)]


@pytest.mark.parametrize(("n", "total", "expected"), PERCENT_CASES)
def test_percent_has_one_decimal_rounded_half_up(n: int, total: int, expected: float) -> None:
    assert percent(n, total) == expected


def test_percent_of_nobody_is_none() -> None:
    assert percent(0, 0) is None


def _record(subject: str, term: str, grade: int | None, *flags: str, te: bool = True) -> AeRecord:
    """An AE of a catalogue term; flags: serious, immune, sint (related), rt (related)."""
    found = catalogue().by_name(term)
    assert found is not None, term
    return AeRecord(
        subject_id=subject,
        term=found.term,
        term_zh=None,
        soc=found.soc,
        meddra_code=found.code,
        grade=grade,
        serious="serious" in flags,
        related={"sintilimab": "sint" in flags, "radiotherapy": "rt" in flags},
        immune_related="immune" in flags,
        start=None,
        treatment_emergent=te,
    )


def _exposed(
    subject: str, cycles: int, intensity: float | None, rt: int = 0, done: int = 0
) -> Exposure:
    return Exposure(subject, None, None, cycles, None, None, intensity, rt, done)


#: six subjects treated (S1-S6), S7 not: hand-counted below (N = 6)
EVENTS = [
    _record("S1", "Nausea", 1, "sint"),
    _record("S1", "Nausea", 3),
    _record("S1", "Hypothyroidism", 2, "immune", "sint"),
    _record("S2", "Nausea", 2),
    _record("S2", "Pneumonitis", 5, "serious", "immune", "sint"),
    _record("S3", "Dermatitis radiation", 1, "rt"),
    _record("S3", "Diarrhea", 1),
    _record("S3", "Fatigue", 4, te=False),  # not treatment-emergent: not counted
    _record("S4", "Fatigue", None),
    _record("S5", "Anemia", 3, "serious", "sint", "rt"),
    _record("S7", "Nausea", 3),  # not in the safety population: not counted
]
EXPOSURES = [
    _exposed("S1", 4, 1.0),
    _exposed("S2", 2, 0.75),
    _exposed("S3", 0, None, rt=1, done=1),
    _exposed("S4", 6, None),
    _exposed("S5", 3, 0.9, rt=1),
    _exposed("S6", 1, 1.0),
    _exposed("S7", 0, None),
]
RESULT = SafetyResult("NPC-SINT-RT", "all sites", dt.date(2026, 6, 30), 6, EVENTS, EXPOSURES)

GI = "Gastrointestinal disorders"
EXPECTED_ROWS: dict[str, list[tuple[object, ...]]] = {
    "ae_overview": [
        ("Any adverse event / 任何不良事件", 5, 83.3),
        ("Grade ≥3 / ≥3级", 3, 50.0),
        ("Serious / 严重不良事件", 2, 33.3),
        ("Related to sintilimab / 与信迪利单抗相关", 3, 50.0),
        ("Related to radiotherapy / 与放疗相关", 2, 33.3),
        ("Related to any study treatment / 与任何研究治疗相关", 4, 66.7),
        ("Immune-related / 免疫相关", 2, 33.3),
        ("Leading to death (grade 5) / 导致死亡（5级）", 1, 16.7),
    ],
    "ae_by_soc_term": [
        ("Any adverse event / 任何不良事件", "", None, 5, 83.3, 3, 50.0),
        ("Blood and lymphatic system disorders", "Any term / 任何术语", None, 1, 16.7, 1, 16.7),
        ("Blood and lymphatic system disorders", "Anemia", "10002272", 1, 16.7, 1, 16.7),
        ("Endocrine disorders", "Any term / 任何术语", None, 1, 16.7, 0, 0.0),
        ("Endocrine disorders", "Hypothyroidism", "10021114", 1, 16.7, 0, 0.0),
        (GI, "Any term / 任何术语", None, 3, 50.0, 1, 16.7),
        (GI, "Nausea", "10028813", 2, 33.3, 1, 16.7),  # more frequent, before Diarrhea
        (GI, "Diarrhea", "10012727", 1, 16.7, 0, 0.0),
        ("General disorders and administration site conditions", "Any term / 任何术语", None, 1, 16.7, 0, 0.0),
        ("General disorders and administration site conditions", "Fatigue", "10016256", 1, 16.7, 0, 0.0),
        ("Injury, poisoning and procedural complications", "Any term / 任何术语", None, 1, 16.7, 0, 0.0),
        ("Injury, poisoning and procedural complications", "Dermatitis radiation", "10061103", 1, 16.7, 0, 0.0),
        ("Respiratory, thoracic and mediastinal disorders", "Any term / 任何术语", None, 1, 16.7, 1, 16.7),
        ("Respiratory, thoracic and mediastinal disorders", "Pneumonitis", "10035742", 1, 16.7, 1, 16.7),
    ],
    "ae_max_grade": [
        ("Grade 1 / 1级", 1, 16.7),  # S3 (its grade 4 is not treatment-emergent)
        ("Grade 2 / 2级", 0, 0.0),
        ("Grade 3 / 3级", 2, 33.3),  # S1, S5
        ("Grade 4 / 4级", 0, 0.0),
        ("Grade 5 / 5级", 1, 16.7),  # S2
        ("Grade unknown / 分级未知", 1, 16.7),  # S4
        ("No adverse event / 无不良事件", 1, 16.7),  # S6
    ],
    "ae_related_pd1_by_term": [
        ("Any / 任何", "", None, 3, 50.0, 2, 33.3),  # S1's grade 3 nausea is not related
        ("Blood and lymphatic system disorders", "Anemia", "10002272", 1, 16.7, 1, 16.7),
        ("Respiratory, thoracic and mediastinal disorders", "Pneumonitis", "10035742", 1, 16.7, 1, 16.7),
        ("Endocrine disorders", "Hypothyroidism", "10021114", 1, 16.7, 0, 0.0),
        (GI, "Nausea", "10028813", 1, 16.7, 0, 0.0),
    ],
    "ae_immune_by_term": [
        ("Any / 任何", "", None, 2, 33.3, 1, 16.7),
        ("Respiratory, thoracic and mediastinal disorders", "Pneumonitis", "10035742", 1, 16.7, 1, 16.7),
        ("Endocrine disorders", "Hypothyroidism", "10021114", 1, 16.7, 0, 0.0),
    ],
    "exposure_summary": [
        ("Cycles of sintilimab / 信迪利单抗周期数", 5, 2.5, 0, 6, 16),
        ("Dose intensity, % / 剂量强度，%", 4, 95.0, 75.0, 100.0, None),
        ("Radiotherapy courses started / 开始的放疗疗程", 2, 0.0, 0, 1, 2),
        ("Radiotherapy courses completed / 完成的放疗疗程", 1, 0.0, 0, 1, 1),
    ],
    "exposure_listing": [
        ("S1", None, None, 4, None, None, 100.0, 0, 0, 0),
        ("S2", None, None, 2, None, None, 75.0, 0, 0, 0),
        ("S3", None, None, 0, None, None, None, 1, 1, 0),
        ("S4", None, None, 6, None, None, None, 0, 0, 0),
        ("S5", None, None, 3, None, None, 90.0, 1, 0, 0),
        ("S6", None, None, 1, None, None, 100.0, 0, 0, 0),
    ],
}  # fmt: skip


def _tables(result: SafetyResult) -> dict[str, Table]:
    tables = safety_tables(result)
    by_name = {t.name: t for t in tables}
    assert len(by_name) == len(tables), "table names are unique (they name the CSV files)"
    return by_name


@pytest.mark.parametrize("name", list(EXPECTED_ROWS))
def test_table_counts(name: str) -> None:
    table = _tables(RESULT)[name]
    assert list(table.rows) == EXPECTED_ROWS[name]


def test_tables_are_bilingual_and_rectangular() -> None:
    tables = safety_tables(RESULT)
    assert [t.name for t in tables] == list(EXPECTED_ROWS)
    for table in tables:
        assert table.title_en and table.title_zh and table.note_en and table.note_zh, table.name
        assert all(en and zh for en, zh in table.columns), table.name
        assert all(len(row) == len(table.columns) for row in table.rows), table.name
        assert "6 subjects" in table.note_en or table.name == "exposure_listing"


def test_nct_tables_name_its_treatments() -> None:
    related = {"pd1": True, "chemotherapy": True, "radiotherapy": False}
    event = AeRecord("S1", "Nausea", None, GI, "10028813", 2, False, related, False, None, True)
    exposed = [_exposed("S1", 2, 1.0), _exposed("S2", 1, None)]
    result = SafetyResult("NCT07062484", "site S01", dt.date(2026, 6, 30), 2, [event], exposed)
    tables = _tables(result)
    assert tables["ae_overview"].rows[3:7] == (
        ("Related to the PD-1 inhibitor / 与PD-1抑制剂相关", 1, 50.0),
        ("Related to chemotherapy / 与化疗相关", 1, 50.0),
        ("Related to radiotherapy / 与放疗相关", 0, 0.0),
        ("Related to any study treatment / 与任何研究治疗相关", 1, 50.0),
    )
    assert tables["ae_related_pd1_by_term"].title_en == (
        "Adverse events related to the PD-1 inhibitor"
    )
    labels = [row[0] for row in tables["exposure_summary"].rows]
    assert labels[0] == "Cycles of the PD-1 inhibitor / PD-1抑制剂周期数"
    assert labels[-1] == "Chemotherapy cycles / 化疗周期数"


def test_no_subject_treated_gives_empty_percentages() -> None:
    result = SafetyResult("NPC-SINT-RT", "site S01", dt.date(2026, 6, 30), 0, [], [])
    tables = _tables(result)
    assert tables["ae_overview"].rows[0] == ("Any adverse event / 任何不良事件", 0, None)
    assert tables["exposure_summary"].rows[0][2:5] == (None, None, None)
    assert tables["exposure_listing"].rows == ()


# ---------------------------------------------------------------------------- demo sites


def _snapshots(site: ReportSite) -> Iterator[tuple[str, SubjectSnapshot, str]]:
    """Every subject of the demo site: (ID, its stored forms, its status)."""
    with logged_in(site.data_dir) as ws:
        subjects = ws.subjects.list()
        with ws.read() as conn:
            for s in subjects:
                yield (
                    s.subject_id,
                    SubjectSnapshot(conn, s.subject_id, ws.study.forms),
                    s.status.value,
                )


def _first(value: object) -> dt.date | None:
    """The earliest day a stored date may be."""
    if isinstance(value, PartialDate):
        return value.earliest()
    return value if isinstance(value, dt.date) else None


def _last(value: object) -> dt.date | None:
    if isinstance(value, PartialDate):
        return value.latest()
    return value if isinstance(value, dt.date) else None


def _occurrences(data: SubjectData, event: str, form: str) -> list[Mapping[str, object]]:
    found = (data.form_data(event, n, form) for n in range(1, data.occurrence_count(event) + 1))
    return [f for f in found if f is not None]


#: per study, read here from the stored forms independently of the module:
#: AE items, the treatments' causality items, and how to find the doses
DEMO: dict[str, dict[str, Any]] = {
    "NPC-SINT-RT": {
        "grade": "AETOXGR",
        "immune": "AEIRAE",
        "related": {
            "sintilimab": ("AERELSIN", "Related to sintilimab / 与信迪利单抗相关"),
            "radiotherapy": ("AERELRT", "Related to radiotherapy / 与放疗相关"),
        },
        "window": 30,
    },
    "NCT07062484": {
        "grade": "AEGRADE",
        "immune": "AEIR",
        "related": {
            "pd1": ("AERELPD1", "Related to the PD-1 inhibitor / 与PD-1抑制剂相关"),
            "chemotherapy": ("AERELCT", "Related to chemotherapy / 与化疗相关"),
            "radiotherapy": ("AERELRT", "Related to radiotherapy / 与放疗相关"),
        },
        "window": 90,
    },
}


def _independent(oid: str, data: SubjectData, status: str) -> dict[str, Any]:
    """A subject's treatment and AEs counted straight from the stored forms."""
    doses: list[tuple[dt.date, Decimal, Decimal]] = []  # (day, given, planned)
    therapy: list[tuple[dt.date | None, dt.date | None]] = []  # (first day, last day)
    rt = rt_done = chemo = 0
    ended = status in ("follow_up", "off_study", "died")
    if oid == "NPC-SINT-RT":
        for ex in _occurrences(data, "CYCLE", "EX"):
            if ex.get("EXYN") is True:
                doses.append((ex["EXSTDAT"], ex["EXDOSE"], Decimal(200)))  # type: ignore[arg-type]
        for course in _occurrences(data, "RTV", "RT"):
            rt += 1
            rt_done += course.get("RTSTAT") == "COMPLETED"
            ended_rt = course.get("RTSTAT") != "ONGOING"
            therapy.append(
                (_first(course["RTSTDAT"]), _last(course.get("RTENDAT")) if ended_rt else None)
            )
        for eot in _occurrences(data, "EOTV", "EOT"):
            ended = True
            therapy += [(None, _last(eot.get(i))) for i in ("EOTLDDAT", "EOTRTLD") if eot.get(i)]
    else:
        for trt in range(1, data.occurrence_count("TRT") + 1):
            pd1 = data.form_data("TRT", trt, "PD1")
            if pd1 is not None:
                planned = PD1_LABEL_DOSE_MG[str(pd1["PD1AGENT"])]
                doses.append((pd1["PD1STDAT"], pd1["PD1DOSE"], planned))  # type: ignore[arg-type]
                ended = ended or pd1.get("PD1LAST") is True
            cm = data.form_data("TRT", trt, "CHEMO")
            if cm is not None and cm.get("CMYN") is True:
                chemo += 1
                therapy.append((_first(cm["CMDAT"]), _last(cm["CMDAT"])))
        for form in _occurrences(data, "RTX", "RT"):
            rows = form.get("RTC") if form.get("RTYN") is True else []
            for row in rows if isinstance(rows, list) else []:
                rt += 1
                rt_done += row.get("RT_COMPL") is True
                therapy.append((_first(row["RT_STDAT"]), _last(row.get("RT_ENDAT"))))
    therapy += [(d, d) for d, _, _ in doses]
    starts = [s for s, _ in therapy if s is not None]
    ongoing = any(e is None for s, e in therapy if s is not None)
    ends = [e for _, e in therapy if e is not None]
    window = DEMO[oid]["window"]
    end = max(ends) + dt.timedelta(days=window) if ended and not ongoing and ends else None
    events = []
    for ae in _occurrences(data, "AEV", "AE"):
        onset = _first(ae.get("AESTDAT"))
        te = bool(starts) and onset is not None and onset >= min(starts)
        te = te and (end is None or (onset is not None and onset <= end))
        grade = ae.get(DEMO[oid]["grade"])
        events.append(
            {
                "code": str(ae["AETERM"]),
                "grade": int(grade) if isinstance(grade, int | Decimal) else None,
                "serious": ae.get("AESER") is True,
                "immune": ae.get(DEMO[oid]["immune"]) is True,
                "related": {k: ae.get(i) in RELATED for k, (i, _) in DEMO[oid]["related"].items()},
                "te": te,
            }
        )
    given = sum((g for _, g, _ in doses), Decimal(0))
    planned = sum((p for _, _, p in doses), Decimal(0))
    return {
        "cycles": len(doses),
        "first": min((d for d, _, _ in doses), default=None),
        "last": max((d for d, _, _ in doses), default=None),
        "intensity": float(given / planned) if doses else None,
        "rt": rt,
        "rt_done": rt_done,
        "chemo": chemo,
        "treated": bool(doses) or rt > 0 or chemo > 0,
        "events": events,
    }


def _related_to(key: str) -> Callable[[dict[str, Any]], bool]:
    return lambda event: bool(event["related"][key])


def _subjects_with(
    counted: Mapping[str, list[dict[str, Any]]], keep: Callable[[dict[str, Any]], bool]
) -> int:
    return sum(1 for events in counted.values() if any(keep(e) for e in events))


@pytest.mark.parametrize("oid", list(DEMO))
def test_demo_site_counts_equal_the_stored_forms(
    report_site_of: Callable[[str], ReportSite], studies: dict[str, Study], oid: str
) -> None:
    study = next(s for s in studies.values() if s.oid == oid)
    site = report_site_of(oid)
    rows = list(_snapshots(site))
    result = safety_result(
        study,
        ((sid, data) for sid, data, _ in rows),
        scope="site",
        cutoff=CUTOFF,
        status_of={sid: status for sid, _, status in rows},
    )
    mine = {sid: _independent(oid, data, status) for sid, data, status in rows}

    # every demo subject is processed; the population is who received treatment
    assert [e.subject_id for e in result.exposure] == [sid for sid, _, _ in rows]
    treated = {sid for sid, m in mine.items() if m["treated"]}
    assert result.subjects == len(treated) > 0
    assert {sid for sid, _ in result.excluded} == set(mine) - treated
    for taken in result.exposure:
        m = mine[taken.subject_id]
        assert (taken.cycles, taken.first_dose, taken.last_dose) == (
            m["cycles"],
            m["first"],
            m["last"],
        )
        assert (taken.rt_courses, taken.rt_courses_completed) == (m["rt"], m["rt_done"])
        assert taken.chemo_cycles == m["chemo"]
        assert taken.dose_intensity == pytest.approx(m["intensity"])

    # the AE tables against the AEs counted here
    counted = {sid: [e for e in mine[sid]["events"] if e["te"]] for sid in treated}
    assert sum(map(len, counted.values())) > 0, "the demo has treatment-emergent AEs"
    emergent = [
        (r.subject_id, r.meddra_code, r.grade, r.serious, r.immune_related, dict(r.related))
        for r in result.events
        if r.treatment_emergent
    ]
    here = [
        (sid, e["code"], e["grade"], e["serious"], e["immune"], e["related"])
        for sid, events in counted.items()
        for e in events
    ]
    assert sorted(emergent, key=str) == sorted(here, key=str)
    n = result.subjects
    tables = _tables(result)
    overview = {row[0]: row[1:] for row in tables["ae_overview"].rows}
    lines: dict[str, Callable[[dict[str, Any]], bool]] = {
        "Any adverse event / 任何不良事件": lambda e: True,
        "Grade ≥3 / ≥3级": lambda e: (e["grade"] or 0) >= 3,
        "Serious / 严重不良事件": lambda e: e["serious"],
        "Related to any study treatment / 与任何研究治疗相关": lambda e: any(e["related"].values()),
        "Immune-related / 免疫相关": lambda e: e["immune"],
        "Leading to death (grade 5) / 导致死亡（5级）": lambda e: e["grade"] == 5,
    }
    for key, (_, label) in DEMO[oid]["related"].items():
        lines[label] = _related_to(key)
    assert set(lines) == set(overview)
    for label, keep in lines.items():
        k = _subjects_with(counted, keep)
        assert overview[label] == (k, percent(k, n)), label

    worst: dict[str, int | None] = {}
    for sid, events in counted.items():
        grades = [e["grade"] for e in events if e["grade"] is not None]
        if events:
            worst[sid] = max(grades) if grades else None
    max_grade = {row[0]: row[1] for row in tables["ae_max_grade"].rows}
    for grade in range(1, 6):
        assert max_grade[f"Grade {grade} / {grade}级"] == sum(
            1 for g in worst.values() if g == grade
        )
    assert max_grade["No adverse event / 无不良事件"] == n - len(worst)

    by_term: dict[str, set[str]] = defaultdict(set)
    for sid, events in counted.items():
        for e in events:
            by_term[e["code"]].add(sid)
    table_terms = {row[2]: row[3] for row in tables["ae_by_soc_term"].rows if row[2] is not None}
    assert table_terms == {code: len(s) for code, s in by_term.items()}
    listing = {row[0]: row[3] for row in tables["exposure_listing"].rows}
    assert listing == {sid: mine[sid]["cycles"] for sid in treated}
