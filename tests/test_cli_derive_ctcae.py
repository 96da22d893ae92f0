"""``npc-crf derive ctcae-lab`` through a subprocess, as a data manager scripts it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def derive(stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "npc_crf", "derive", "ctcae-lab", "-"],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_a_valid_document_prints_the_grade() -> None:
    done = derive(
        json.dumps(
            {
                "term": "ANC",
                "value": 0.95,
                "unit": "10^9/L",
                "lln": 1.8,
                "uln": 6.3,
            }
        )
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["term"] == "Neutrophil count decreased"
    assert out["meddra_code"] == "10029366"
    assert out["grade"] == 3
    assert out["criterion"] == "<1.0 - 0.5 x 10e9 /L"
    assert out["needs"] == []
    assert out["settings"]["within_local_limits"] == "grade_0"


def test_needs_and_settings_come_out(tmp_path: Path) -> None:
    done = derive(
        json.dumps(
            {
                "meddra_code": "10021038",
                "value": 127,
                "unit": "mmol/L",
                "lln": 137,
                "flags": {"life_threatening": False},
                "settings": {"sodium_bands": "round_half_up"},
            }
        )
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["term"], out["grade"], out["needs"]) == ("Hyponatremia", 2, ["symptomatic"])
    assert out["settings"]["sodium_bands"] == "round_half_up"


def test_a_multiple_is_printed_as_a_number() -> None:
    done = derive('{"term": "ALT", "value": 121, "unit": "U/L", "uln": 40, "baseline": 30}')
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["multiple"] == 3.025
    assert out["baseline_abnormal"] is False


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            '{"term": "ANC", "value": 1.2, "unit": "mg/dL", "lln": 1.8}',
            "<stdin>: unit: unit 'mg/dL' is not a unit of ANC",
        ),
        ('{"term": "ANC", "unit": "10^9/L", "lln": 1.8}', "<stdin>: value: is required"),
        (
            '{"term": "ANC", "value": 1.2, "unit": "10^9/L", "lln": 1.8, "llm": 2}',
            "<stdin>: llm: unknown field",
        ),
        (
            '{"term": "ANC", "value": 1.2, "unit": "10^9/L", "lln": 1.8, "flags": {"fever": true}}',
            "<stdin>: flags.fever: unknown clinical fact",
        ),
        (
            '{"term": "ALT", "value": 50, "unit": "U/L", "uln": 40, "settings": {"x": 1}}',
            "<stdin>: settings.x: unknown setting",
        ),
        ('{"term": "ALT", "value": 50, "unit": "U/L"}', "<stdin>: uln: is required"),
        ('{"value": 50, "unit": "U/L", "uln": 40}', "<stdin>: term: is required"),
        ('{"term": "ALT",\n "value": 50,,\n}', "<stdin>:2:14: not valid JSON"),
        ("[1, 2]", "<stdin>: (document): must be an object"),
    ],
    ids=[
        "bad unit",
        "missing value",
        "unknown key",
        "unknown flag",
        "unknown setting",
        "missing uln",
        "missing term",
        "invalid JSON",
        "not an object",
    ],
)
def test_errors_name_the_field_and_exit_1(document: str, expected: str) -> None:
    done = derive(document)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(expected), done.stderr


def test_the_documented_example_gives_the_documented_output() -> None:
    doc = (ROOT / "docs" / "ctcae.md").read_text(encoding="utf-8")
    found = re.search(
        r"Example input:\n\n```json\n(.*?)```\n\nOutput:\n\n```json\n(.*?)```", doc, re.S
    )
    assert found, "docs/ctcae.md: the derive example is missing"
    done = derive(found.group(1))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(found.group(2))
