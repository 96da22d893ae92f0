"""Laboratory values of CTCAE grade 1 or more without a matching AE (docs/safety.md §6),
as a table of cases on NPC-SINT-RT.

The subject is dosed on 10 Jan, 31 Jan and 21 Feb 2026 (cycles 1-3) and is on
treatment (the window is open) unless a case ends it. Reference ranges are the
study's: ALT ≤ 40 U/L, haemoglobin ≥ 115 g/L, TSH ≤ 4.2 mIU/L. Each case lists
laboratory forms by (event, occurrence) and adverse events, and the values expected
on the worklist as (event, occurrence, item, CTCAE term code, grade, match).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from npc_crf.forms.model import Study
from npc_crf.forms.subject_data import MemorySubject
from npc_crf.oncology.safety import SAFETY_PROFILES, assess_subject, lab_findings, safety_settings
from tests.safety_cases import by_oid, ids

ALT_UP = "10001551"  # Alanine aminotransferase increased
ANEMIA = "10002272"
TSH_UP = "10043770"  # TSH increased
HYPOTHYROIDISM = "10021114"
DOSES = ("2026-01-10", "2026-01-31", "2026-02-21")


def chem(day: str, alt: int) -> dict[str, object]:
    return {"CHEM": {"LBDAT": day, "ALT": alt}}


def ae(term: str, onset: str | None, end: str | None = None) -> dict[str, object]:
    values: dict[str, object] = {"AETERM": term, "AEONGO": "no" if end else "yes"}
    if onset:
        values["AESTDAT"] = onset
    if end:
        values["AEENDAT"] = end
    return values


CASES: list[dict[str, Any]] = [
    {"name": "ALT grade 1 without an AE", "labs": {("CYCLE", 2): chem("2026-01-31", 50)},
     "want": [("CYCLE", 2, "ALT", ALT_UP, 1, "none")]},
    {"name": "covered by an ongoing AE of the term", "labs": {("CYCLE", 2): chem("2026-01-31", 50)},
     "aes": [ae(ALT_UP, "2026-01-25")], "want": []},
    {"name": "covered on the AE's last day", "labs": {("CYCLE", 2): chem("2026-01-31", 50)},
     "aes": [ae(ALT_UP, "2026-01-25", "2026-01-31")], "want": []},
    {"name": "the AE ended the day before", "labs": {("CYCLE", 2): chem("2026-01-31", 50)},
     "aes": [ae(ALT_UP, "2026-01-25", "2026-01-30")],
     "want": [("CYCLE", 2, "ALT", ALT_UP, 1, "none")]},
    {"name": "partial dates that certainly cover", "labs": {("CYCLE", 2): chem("2026-01-31", 50)},
     "aes": [ae(ALT_UP, "2026-01", "2026-02")], "want": []},
    {"name": "partial end that may be before the sample",
     "labs": {("CYCLE", 2): chem("2026-01-31", 50)}, "aes": [ae(ALT_UP, "2026-01", "2026-01")],
     "want": [("CYCLE", 2, "ALT", ALT_UP, 1, "indeterminate")]},
    {"name": "onset not entered", "labs": {("CYCLE", 2): chem("2026-01-31", 50)},
     "aes": [ae(ALT_UP, None)], "want": [("CYCLE", 2, "ALT", ALT_UP, 1, "indeterminate")]},
    {"name": "an AE of another term does not match", "labs": {("CYCLE", 2): chem("2026-01-31", 50)},
     "aes": [ae(ANEMIA, "2026-01-25")], "want": [("CYCLE", 2, "ALT", ALT_UP, 1, "none")]},
    {"name": "ALT at the ULN: normal", "labs": {("CYCLE", 2): chem("2026-01-31", 40)}, "want": []},
    {"name": "before the first dose: outside the window",
     "labs": {("BASE", 1): chem("2026-01-05", 50)}, "want": []},
    {"name": "an abnormal baseline: 1.2 x baseline is grade 0",
     "labs": {("BASE", 1): chem("2026-01-05", 60), ("CYCLE", 2): chem("2026-01-31", 70)},
     "want": []},
    {"name": "an abnormal baseline: 1.7 x baseline is grade 1",
     "labs": {("BASE", 1): chem("2026-01-05", 60), ("CYCLE", 2): chem("2026-01-31", 100)},
     "want": [("CYCLE", 2, "ALT", ALT_UP, 1, "none")]},
    {"name": "minimum grade 2", "settings": {"lab_ae_min_grade": 2},
     "labs": {("CYCLE", 2): chem("2026-01-31", 50), ("CYCLE", 3): chem("2026-02-21", 150)},
     "want": [("CYCLE", 3, "ALT", ALT_UP, 2, "none")]},
    {"name": "anaemia without an AE",
     "labs": {("CYCLE", 2): {"HEM": {"LBDAT": "2026-01-31", "HGB": 110}}},
     "want": [("CYCLE", 2, "HGB", ANEMIA, 1, "none")]},
    {"name": "anaemia with its AE",
     "labs": {("CYCLE", 2): {"HEM": {"LBDAT": "2026-01-31", "HGB": 110}}},
     "aes": [ae(ANEMIA, "2026-01-31")], "want": []},
    {"name": "high TSH without an AE",
     "labs": {("CYCLE", 3): {"THY": {"LBDAT": "2026-02-21", "TSH": "6.00"}}},
     "want": [("CYCLE", 3, "TSH", TSH_UP, 1, "none")]},
    {"name": "high TSH matched by hypothyroidism",
     "labs": {("CYCLE", 3): {"THY": {"LBDAT": "2026-02-21", "TSH": "6.00"}}},
     "aes": [ae(HYPOTHYROIDISM, "2026-02-15")], "want": []},
    {"name": "after the window: not checked", "ended": True,
     "labs": {("CYCLE", 3): chem("2026-02-21", 50), ("UNS", 1): chem("2026-03-25", 50)},
     "want": [("CYCLE", 3, "ALT", ALT_UP, 1, "none")]},
]  # fmt: skip


def _subject_events(case: dict[str, Any]) -> dict[str, Any]:
    events: dict[str, Any] = {
        "CYCLE": [{"EX": {"EXYN": "yes", "EXSTDAT": d}} for d in DOSES],
        "BASE": {},
        "UNS": [],
    }
    for (event, occurrence), forms in case["labs"].items():
        if event == "BASE":
            events["BASE"].update(forms)
            continue
        occurrences = events[event]
        while len(occurrences) < occurrence:
            occurrences.append({})
        occurrences[occurrence - 1].update(forms)
    if case.get("ended"):  # last dose 21 Feb: the window ends 23 March
        events["EOTV"] = {"EOT": {"EOTLDDAT": "2026-02-21"}}
    events["AEV"] = [{"AE": values} for values in case.get("aes", [])]
    return events


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_lab_without_ae(studies: dict[str, Study], case: dict[str, Any]) -> None:
    study = by_oid(studies, "NPC-SINT-RT")
    subject = MemorySubject(_subject_events(case))
    settings = safety_settings(case.get("settings"))
    profile = SAFETY_PROFILES["NPC-SINT-RT"]
    found = lab_findings(study, subject, settings, profile, status="on_treatment")
    got = [
        (f.sample.event, f.sample.occurrence, f.sample.item, f.code, f.grade, f.match.value)
        for f in found
    ]
    assert sorted(got) == sorted(case["want"])
    # the same answer as part of a whole assessment
    assessed = assess_subject(
        study, subject, dt.date(2026, 6, 1), settings, profile, status="on_treatment"
    )
    assert assessed.unmatched_labs == found
