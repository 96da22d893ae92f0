"""The lesion tracker's data: forms → engine → responses beside the investigator's."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from npc_crf.demo import plan_subjects
from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.model import Study
from npc_crf.forms.subject_data import MemorySubject
from npc_crf.oncology.recist.model import Response, ResponseSettings
from npc_crf.oncology.study_settings import SECTIONS, settings_class
from npc_crf.services.response import response_settings, subject_response
from npc_crf.services.workspace import Workspace
from tests.store_helpers import NURSE, PASSWORDS, enrol_consented, make_site

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 21)


def by_oid(studies: dict[str, Study], oid: str) -> Study:
    """A bundled study by its OID (the fixture keys them by folder)."""
    return next(s for s in studies.values() if s.oid == oid)


def demo_subject(study_oid: str, index: int, seed: int = 7) -> MemorySubject:
    """One synthetic subject of the demo plan, as in-memory form data."""
    return plan_subjects(study_oid, index + 1, seed)[index].memory_subject()


@pytest.mark.parametrize("study_oid", ["NPC-SINT-RT", "NCT07062484"])
def test_engine_agrees_with_the_demo_investigator_on_every_timepoint(
    studies: dict[str, Study], study_oid: str
) -> None:
    """The demo generator words its responses with its own code: the engine must agree."""
    study = by_oid(studies, study_oid)
    timepoints = 0
    for index in range(30):
        result = subject_response(study, f"X{index}", demo_subject(study_oid, index), TODAY)
        assert result is not None
        for tp in result.timepoints:
            timepoints += 1
            assert tp.discrepancies == (), (index, tp.event, tp.occurrence, tp.discrepancies)
    assert timepoints > 60


def sint_subject(**changes: object) -> dict[str, object]:
    """A small NPC-SINT-RT subject: two targets, one non-target, two assessments."""
    base = {
        "TADAT": dt.date(2025, 1, 3),
        "TAMOD": "CT",
        "TASLTHK": Decimal(5),
        "TL": [
            {
                "TLID": "T1",
                "TLSITE": "LUNG",
                "TLNODAL": False,
                "TLDIAM": Decimal(40),
                "TLIRR": False,
            },
            {
                "TLID": "T2",
                "TLSITE": "LYMPH_NODE",
                "TLNODAL": True,
                "TLDIAM": Decimal(20),
                "TLIRR": False,
            },
        ],
        "NTL": [{"NTLID": "NT1", "NTLSITE": "BONE", "NTLSTAT": "PRESENT"}],
    }
    tav = [
        {
            "TA": {
                "TADAT": dt.date(2025, 2, 21),
                "TL": [
                    {"TLID": "T1", "TLDIAM": Decimal(25)},
                    {"TLID": "T2", "TLDIAM": Decimal(12)},
                ],
                "NTL": [{"NTLID": "NT1", "NTLSTAT": "PRESENT"}],
                "NLYN": False,
                "OVRLRESP": "PR",
            }
        },
        {
            "TA": {
                "TADAT": dt.date(2025, 4, 4),
                "TL": [
                    {"TLID": "T1", "TLDIAM": Missing("ND")},
                    {"TLID": "T2", "TLDIAM": Decimal(11)},
                    {"TLID": "T9", "TLDIAM": Decimal(11)},
                ],
                "NTL": [{"NTLID": "NT1", "NTLSTAT": "PRESENT"}],
                "NLYN": False,
                "OVRLRESP": "PR",
            }
        },
    ]
    data: dict[str, object] = {
        "BASE": {"TA": base},
        "CYCLE": [{"EX": {"EXCYCLE": 1, "EXYN": True, "EXSTDAT": dt.date(2025, 1, 10)}}],
        "TAV": tav,
    }
    data.update(changes)
    return data


def test_forms_become_engine_input_matched_by_lesion_id(studies: dict[str, Study]) -> None:
    result = subject_response(
        by_oid(studies, "NPC-SINT-RT"), "X", MemorySubject(sint_subject()), TODAY
    )
    assert result is not None and result.evaluation is not None
    assert result.data.treatment_start == dt.date(2025, 1, 10)
    ev = result.evaluation
    assert ev.baseline_sum_mm == 60
    first, second = ev.timepoints
    assert first.sum_mm == 37 and first.overall is Response.PR
    # T1 answered "not done": the timepoint is not evaluable, and the investigator's PR disagrees
    assert second.sum_mm is None and second.overall is Response.NE
    assert [(d.what, d.investigator, d.computed) for d in result.timepoints[1].discrepancies] == [
        ("overall", Response.PR, Response.NE)
    ]
    # a follow-up row with an ID that is not a baseline target is left out and named
    assert result.data.problems == ("TAV[2]/TA/TL[3].TLID: T9 is not a baseline target",)
    # the study runs iRECIST beside RECIST 1.1
    assert ev.ibor is not None and first.iresponse is Response.IPR


def test_waiting_for_a_baseline_and_a_first_dose(studies: dict[str, Study]) -> None:
    study = by_oid(studies, "NPC-SINT-RT")
    no_dose = subject_response(study, "X", MemorySubject(sint_subject(CYCLE=[])), TODAY)
    assert no_dose is not None and no_dose.evaluation is None
    assert no_dose.waiting_for == "the treatment start date is not known yet"
    no_base = subject_response(study, "X", MemorySubject(sint_subject(BASE={})), TODAY)
    assert (
        no_base is not None and no_base.waiting_for == "no baseline tumour assessment with a date"
    )


def test_study_file_settings_reach_the_engine(studies: dict[str, Study]) -> None:
    sint = response_settings(by_oid(studies, "NPC-SINT-RT"))
    assert (sint.criteria, sint.sd_min_days, sint.sd_window_days) == ("iRECIST", 42, 7)
    nct = response_settings(by_oid(studies, "NCT07062484"))
    assert nct.sd_window_days == 14
    assert ResponseSettings().criteria == "RECIST1.1"


def test_workspace_evaluates_stored_forms(tmp_path: Path) -> None:
    store = make_site(tmp_path / "site")
    ws: Workspace = store.site.login(NURSE, PASSWORDS[NURSE])
    try:
        subject_id = enrol_consented(ws)
        data = sint_subject()
        base = data["BASE"]
        assert isinstance(base, dict)
        ws.casebook.save_form(subject_id, "BASE", 1, "TA", base["TA"])
        result = ws.response.subject(subject_id, TODAY)
        assert result.evaluation is None  # no dose yet
        assert result.data.baseline is not None and len(result.data.baseline.lesions) == 3
    finally:
        ws.logout()
        store.close()


def test_every_setting_is_documented_with_its_default() -> None:
    doc = (ROOT / "docs" / "oncology-settings.md").read_text(encoding="utf-8")
    for section in SECTIONS:
        cls = settings_class(section)
        for name, value in vars(cls()).items():
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            row = re.search(rf"^\| `{name}` \| `?{re.escape(shown)}`? \|", doc, re.M)
            assert row, (
                f"docs/oncology-settings.md: no row for {section}.{name} with default {shown}"
            )


def test_the_derivations_doc_example_runs() -> None:
    doc = (ROOT / "docs" / "derivations.md").read_text(encoding="utf-8")
    match = re.search(r"## `recist`\n\nInput:\n\n```json\n(.*?)```", doc, re.S)
    assert match
    done = subprocess.run(
        [sys.executable, "-m", "npc_crf", "derive", "recist", "-"],
        input=match.group(1),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["baseline"]["sum_mm"] == 70
    assert [t["overall"] for t in out["timepoints"]] == ["PR", "PR"]
    assert out["best_overall_response"]["confirmed"] == {"response": "PR", "date": "2025-02-21"}
