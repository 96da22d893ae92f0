"""``npc-crf derive recist`` (and ``recist-overall``, ``bor``) through a subprocess.

The valid example is a lung-metastatic NPC subject worked out by hand:
baseline 22 + 18 (both lungs) + 17 (neck node SA) = 57 mm; day 42: 37 mm
(-35.1 %, PR); day 84: 31 mm (-45.6 %, PR, confirmed after 42 days); day 126:
39 mm = +8 mm and +25.8 % over the nadir 31 -> PD.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]

VALID: dict[str, Any] = {
    "criteria": "RECIST1.1",
    "treatment_start": "2024-03-04",
    "baseline": {
        "date": "2024-02-26",
        "lesions": [
            {
                "id": "T1",
                "role": "target",
                "organ": "right lung",
                "nodal": False,
                "method": "CT",
                "slice_thickness_mm": 1.25,
                "diameter_mm": 22,
            },
            {
                "id": "T2",
                "role": "target",
                "organ": "left lung",
                "nodal": False,
                "method": "CT",
                "slice_thickness_mm": 1.25,
                "diameter_mm": 18,
            },
            {
                "id": "T3",
                "role": "target",
                "organ": "neck level II",
                "nodal": True,
                "method": "CT",
                "slice_thickness_mm": 1.25,
                "diameter_mm": 17,
            },
            {
                "id": "NT1",
                "role": "non_target",
                "organ": "liver",
                "nodal": False,
                "method": "CT",
                "slice_thickness_mm": 5,
                "diameter_mm": 8,
            },
            {
                "id": "NT2",
                "role": "non_target",
                "organ": "mediastinum",
                "nodal": True,
                "method": "CT",
                "slice_thickness_mm": 5,
                "diameter_mm": 12,
            },
        ],
    },
    "assessments": [
        {
            "date": "2024-04-15",
            "measurements": {"T1": 14, "T2": 12, "T3": 11},
            "non_target": "NON-CR/NON-PD",
            "new_lesions": "no",
        },
        {
            "date": "2024-05-27",
            "measurements": {"T1": 12, "T2": 10, "T3": 9},
            "non_target": "NON-CR/NON-PD",
            "new_lesions": "no",
        },
        {
            "date": "2024-07-08",
            "measurements": {"T1": 16, "T2": 14, "T3": 9},
            "non_target": "NON-CR/NON-PD",
            "new_lesions": "no",
        },
    ],
}


def npc_crf(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m npc_crf ARGS`` from the project root."""
    return subprocess.run(
        [sys.executable, "-m", "npc_crf", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def derive_stdin(kind: str, document: str) -> subprocess.CompletedProcess[str]:
    return npc_crf("derive", kind, "-", stdin=document)


def parsed(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out: dict[str, Any] = json.loads(done.stdout, parse_float=Decimal)
    return out


def check_valid_output(out: dict[str, Any]) -> None:
    assert out["criteria"] == "RECIST1.1"
    assert out["settings"]["confirm_min_days"] == 28
    base = out["baseline"]
    assert base["sum_mm"] == 57
    assert {c["id"]: c["classification"] for c in base["lesions"]} == {
        "T1": "measurable",
        "T2": "measurable",
        "T3": "measurable",
        "NT1": "non_measurable",
        "NT2": "non_measurable",
    }
    assert base["target_selection_valid"] is True
    assert [p for p in base["problems"] if p["severity"] == "error"] == []
    rows = [
        (t["date"], t["sum_mm"], t["change_from_baseline_pct"], t["target"], t["overall"])
        for t in out["timepoints"]
    ]
    assert rows == [
        ("2024-04-15", 37, Decimal("-35.1"), "PR", "PR"),
        ("2024-05-27", 31, Decimal("-45.6"), "PR", "PR"),
        ("2024-07-08", 39, Decimal("-31.6"), "PD", "PD"),
    ]
    assert out["timepoints"][2]["nadir_mm"] == 31
    assert out["timepoints"][2]["change_from_nadir_mm"] == 8
    bor = out["best_overall_response"]
    assert bor["confirmed"] == {"response": "PR", "date": "2024-04-15"}
    assert bor["unconfirmed"] == {"response": "PR", "date": "2024-04-15"}
    assert bor["response_start"] == "2024-04-15"
    assert bor["confirmation_date"] == "2024-05-27"
    assert bor["progression_date"] == "2024-07-08"
    assert "ibor" not in out


def test_a_valid_file_prints_the_evaluation(tmp_path: Path) -> None:
    path = tmp_path / "subject-017.json"
    path.write_text(json.dumps(VALID, indent=2), encoding="utf-8")
    check_valid_output(parsed(npc_crf("derive", "recist", str(path))))


def test_a_valid_document_on_stdin_prints_the_same() -> None:
    check_valid_output(parsed(derive_stdin("recist", json.dumps(VALID))))


def test_numbers_are_read_exactly_t16_t17() -> None:
    """26.0 -> 31.2 is exactly +20 % (PD) and 14.0 -> 9.8 exactly -30 % (PR), read from text."""
    document = """{
      "treatment_start": "2024-01-01",
      "baseline": {"date": "2023-12-27", "lesions": [
        {"id": "T1", "role": "target", "organ": "liver", "nodal": false, "method": "CT",
         "slice_thickness_mm": 5, "diameter_mm": 26.0}]},
      "assessments": [{"date": "2024-02-12", "measurements": {"T1": 31.2},
                       "new_lesions": "no"}]
    }"""
    out = parsed(derive_stdin("recist", document))
    assert out["timepoints"][0]["target"] == "PD"
    assert out["timepoints"][0]["change_from_baseline_pct"] == 20
    out = parsed(derive_stdin("recist", document.replace("26.0", "14.0").replace("31.2", "9.8")))
    assert out["timepoints"][0]["target"] == "PR"
    assert out["timepoints"][0]["change_from_baseline_pct"] == -30


def test_irecist_adds_the_immune_responses() -> None:
    document = copy.deepcopy(VALID)
    document["criteria"] = "iRECIST"
    out = parsed(derive_stdin("recist", json.dumps(document)))
    assert [t["iresponse"] for t in out["timepoints"]] == ["iPR", "iPR", "iUPD"]
    assert out["ibor"]["confirmed"] == {"response": "iPR", "date": "2024-04-15"}
    assert out["ibor"]["progression_date"] is None  # the iUPD is not confirmed yet


def test_recist_overall_and_bor_kinds() -> None:
    done = derive_stdin(
        "recist-overall", '{"target": "CR", "non_target": "NE", "new_lesions": "no"}'
    )
    assert parsed(done) == {"overall": "PR"}
    done = derive_stdin(
        "bor",
        json.dumps(
            {
                "treatment_start": "2024-01-01",
                "assessments": [
                    {"date": "2024-02-12", "response": "PR"},
                    {"date": "2024-03-11", "response": "PR"},
                    {"date": "2024-05-06", "response": "PD"},
                ],
            }
        ),
    )
    out = parsed(done)
    assert out["confirmed"] == {"response": "PR", "date": "2024-02-12"}
    assert out["confirmation_date"] == "2024-03-11"
    assert out["progression_date"] == "2024-05-06"


# ------------------------------------------------------------------ invalid input
def mutated(change: str) -> dict[str, Any]:
    """A copy of the valid document with one thing wrong."""
    doc = copy.deepcopy(VALID)
    first = doc["assessments"][0]
    if change == "unknown top-level key":
        doc["treatment_started"] = doc.pop("treatment_start")
    elif change == "unknown assessment key":
        first["new_lesion"] = first.pop("new_lesions")
    elif change == "unknown lesion key":
        doc["baseline"]["lesions"][0]["diameter"] = 22
    elif change == "unknown setting":
        doc["settings"] = {"confirm_days": 28}
    elif change == "measurement of a non-target":
        first["measurements"]["NT1"] = 8
    elif change == "measurement of an unknown lesion":
        first["measurements"]["T9"] = 8
    elif change == "merged into a non-target":
        first["measurements"]["T2"] = {"merged_into": "NT1"}
    elif change == "assessments out of date order":
        doc["assessments"][1]["date"] = "2024-04-01"
    elif change == "assessment before the baseline":
        first["date"] = "2024-02-20"
    elif change == "bad non-target token":
        first["non_target"] = "SD"
    elif change == "bad measurement token":
        first["measurements"]["T1"] = "gone"
    elif change == "negative measurement":
        first["measurements"]["T1"] = -1
    elif change == "bad new-lesion token":
        first["new_lesions"] = "maybe"
    elif change == "bad criteria":
        doc["criteria"] = "irRC"
    elif change == "non_target null":
        first["non_target"] = None
    elif change == "non_target missing":
        del first["non_target"]
    elif change == "partial date":
        first["date"] = "2024-04"
    else:  # pragma: no cover - a typo in the table below
        raise AssertionError(change)
    return doc


ERRORS = [
    ("unknown top-level key", "treatment_started: unknown field"),
    ("unknown assessment key", "assessments[0].new_lesion: unknown field"),
    ("unknown lesion key", "baseline.lesions[0].diameter: unknown field"),
    ("unknown setting", "settings.confirm_days: unknown setting"),
    (
        "measurement of a non-target",
        "assessments[0].measurements.NT1: not a baseline target lesion",
    ),
    ("measurement of an unknown lesion", "assessments[0].measurements.T9: not a baseline target"),
    (
        "merged into a non-target",
        "assessments[0].measurements.T2.merged_into: 'NT1' is not a baseline target lesion",
    ),
    ("assessments out of date order", "assessments[1].date: must be after 2024-04-15"),
    ("assessment before the baseline", "assessments[0].date: must be after 2024-02-26"),
    ("bad non-target token", "assessments[0].non_target: must be one of"),
    ("bad measurement token", "assessments[0].measurements.T1: must be one of"),
    ("negative measurement", "assessments[0].measurements.T1: must be at least 0"),
    ("bad new-lesion token", "assessments[0].new_lesions: must be one of"),
    ("bad criteria", "criteria: must be one of"),
    ("non_target null", "assessments[0].non_target: is required"),
    ("non_target missing", "assessments[0].non_target: is required"),
    ("partial date", "assessments[0].date: must be a full date YYYY-MM-DD"),
]


@pytest.mark.parametrize(("change", "expected"), ERRORS, ids=[e[0] for e in ERRORS])
def test_invalid_input_names_the_field_and_exits_1(change: str, expected: str) -> None:
    done = derive_stdin("recist", json.dumps(mutated(change)))
    assert done.returncode == 1, done.stdout
    assert done.stdout == ""
    assert done.stderr.startswith(f"<stdin>: {expected}"), done.stderr


def test_an_error_in_a_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "subject-017.json"
    path.write_text(json.dumps(mutated("measurement of a non-target")), encoding="utf-8")
    done = npc_crf("derive", "recist", str(path))
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(
        f"{path}: assessments[0].measurements.NT1: not a baseline target lesion"
    ), done.stderr


BROKEN = '{\n  "criteria": "RECIST1.1",\n  "treatment_start": ,\n}'


def test_invalid_json_in_a_file_gives_file_line_col(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text(BROKEN, encoding="utf-8")
    done = npc_crf("derive", "recist", str(path))
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"{path}:3:22: not valid JSON"), done.stderr


def test_invalid_json_on_stdin_gives_line_col() -> None:
    done = derive_stdin("recist", BROKEN)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("<stdin>:3:22: not valid JSON"), done.stderr


def test_a_missing_file_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    done = npc_crf("derive", "recist", str(path))
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"{path}: cannot read"), done.stderr
