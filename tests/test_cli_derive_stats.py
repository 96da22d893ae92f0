"""``npc-crf derive km`` and ``derive orr`` through a subprocess, as a central reviewer
scripts them: R's published numbers in, errors that name the field."""

from __future__ import annotations

import io
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from npc_crf.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "endpoints"
AML = json.loads((DATA / "km_cases.json").read_text(encoding="utf-8"))["tables"]


def derive(kind: str, stdin: str = "", *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "npc_crf", "derive", kind, *(args or ("-",))],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def close(actual: Any, expected: Any, path: str = "") -> None:
    """Equal JSON, numbers to 1e-12 (the last bits of a float may differ by platform)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and actual.keys() == expected.keys(), path
        for key in expected:
            close(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), path
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            close(a, e, f"{path}[{i}]")
    elif isinstance(expected, float) or isinstance(actual, float):
        assert isinstance(actual, (int, float)) and not isinstance(actual, bool), path
        assert math.isclose(actual, expected, rel_tol=1e-12, abs_tol=1e-15), (
            f"{path}: {actual} != {expected}"
        )
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


@pytest.mark.parametrize("case", AML, ids=[c["name"] for c in AML])
def test_km_prints_r_survfit_for_aml(case: dict[str, Any]) -> None:
    done = derive("km", json.dumps({"time": case["time"], "event": case["event"]}))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["conf_type"], out["conf_level"]) == ("log", 0.95)  # R's defaults
    assert (out["n"], out["events"]) == (case["n"], case["events"])
    median = [out["median"][k] for k in ("time", "lower", "upper")]
    assert median == [None if v == "NA" else int(v) for v in case["median"]]
    events = [row for row in out["table"] if row["n_event"] > 0]
    assert [[r["time"], r["n_risk"], r["n_event"]] for r in events] == [
        [int(v) for v in printed[:3]] for printed in case["rows"]
    ]
    for row, printed in zip(events, case["rows"], strict=True):
        assert f"{row['survival']:.{len(printed[3].split('.')[1])}f}" == printed[3]
    assert all(isinstance(r["time"], int) for r in out["table"])  # whole times as written


def test_km_settings_and_landmarks_come_out() -> None:
    case = AML[0]
    done = derive(
        "km",
        json.dumps(
            {
                "time": case["time"],
                "event": case["event"],
                "conf_type": "log-log",
                "conf_level": 0.9,
                "landmarks": [12, 30.5, 200],
            }
        ),
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["conf_type"], out["conf_level"]) == ("log-log", 0.9)
    marks = out["landmarks"]
    assert [m["time"] for m in marks] == [12, 30.5, 200]
    assert [m["n_risk"] for m in marks] == [10, 5, 0]
    assert f"{marks[0]['survival']:.3f}" == "0.909"  # S(9) of R's table
    assert marks[2]["survival"] is None
    first = out["table"][0]
    assert marks[0]["lower"] == first["lower"] and first["lower"] < first["survival"]


def test_km_reads_a_file_and_an_empty_document() -> None:
    done = derive("km", '{"time": [], "event": []}')
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["n"], out["table"], out["median"]["time"]) == (0, [], None)


def test_orr_prints_the_binom_test_interval(tmp_path: Path) -> None:
    source = tmp_path / "orr.json"
    source.write_text('{"responders": 682, "n": 925}', encoding="utf-8")
    done = derive("orr", "", str(source))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    # R stats-Ex.Rout.save: binom.test(c(682, 243), p = 3/4) -> 0.7076683 0.7654066
    assert (f"{out['lower']:.7f}", f"{out['upper']:.7f}") == ("0.7076683", "0.7654066")
    assert (out["responders"], out["n"], out["conf_level"]) == (682, 925, 0.95)
    assert out["method"] == "clopper-pearson"


@pytest.mark.parametrize(
    ("kind", "document", "expected"),
    [
        (
            "km",
            '{"time": [1, -2], "event": [1, 0]}',
            "<stdin>: time[1]: must be at least 0, not -2",
        ),
        ("km", '{"time": [1, "3"], "event": [1, 0]}', "<stdin>: time[1]: must be a number"),
        ("km", '{"time": [1, 2], "event": [1, 2]}', "<stdin>: event[1]: must be 1 (event) or 0"),
        ("km", '{"time": [1, 2], "event": [1, true]}', "<stdin>: event[1]: must be 1 (event) or 0"),
        (
            "km",
            '{"time": [1, 2], "event": [1]}',
            "<stdin>: event: must have one element per time (2), not 1",
        ),
        ("km", '{"time": 3, "event": [1]}', "<stdin>: time: must be an array"),
        ("km", '{"event": [1]}', "<stdin>: time: is required"),
        (
            "km",
            '{"time": [1], "event": [1], "conf_typ": "log"}',
            "<stdin>: conf_typ: unknown field (expected one of: conf_level, conf_type, event, "
            "landmarks, time)",
        ),
        (
            "km",
            '{"time": [1], "event": [1], "conf_type": "loglog"}',
            "<stdin>: conf_type: must be one of 'log', 'log-log', 'plain', not 'loglog'",
        ),
        (
            "km",
            '{"time": [1], "event": [1], "conf_level": 95}',
            "<stdin>: conf_level: must be greater than 0 and less than 1, not 95",
        ),
        (
            "km",
            '{"time": [1], "event": [1], "landmarks": [6, -1]}',
            "<stdin>: landmarks[1]: must be at least 0, not -1",
        ),
        ("km", '{"time": [1e400], "event": [1]}', "<stdin>: time[0]: must be a finite number"),
        ("km", '{"time": [1,\n 2,,], "event": [1]}', "<stdin>:2:4: not valid JSON"),
        ("orr", '{"responders": 11, "n": 10}', "<stdin>: responders: must not be more than n (10)"),
        ("orr", '{"responders": 1}', "<stdin>: n: is required"),
        ("orr", '{"responders": 1, "n": -3}', "<stdin>: n: must be at least 0, not -3"),
        ("orr", '{"responders": 1.5, "n": 3}', "<stdin>: responders: must be a whole number"),
        ("orr", '{"responders": 1, "n": 3, "conf_level": 0}', "<stdin>: conf_level: must be"),
        ("orr", '{"responders": 1, "n": 3, "level": 0.9}', "<stdin>: level: unknown field"),
        ("orr", "[1, 3]", "<stdin>: (document): must be an object"),
    ],
    ids=[
        "negative time",
        "string time",
        "event 2",
        "event true",
        "lengths",
        "time not array",
        "missing time",
        "unknown key",
        "conf_type",
        "conf_level",
        "negative landmark",
        "infinite time",
        "invalid JSON",
        "k > n",
        "missing n",
        "negative n",
        "fractional k",
        "level 0",
        "orr unknown key",
        "not an object",
    ],
)
def test_errors_name_the_field_and_exit_1(
    kind: str,
    document: str,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # the command's own main() in this process: a subprocess each would cost ~2 s apiece
    # (the subprocess path is covered by the other tests of this file)
    monkeypatch.setattr(sys, "stdin", io.StringIO(document))
    status = main(["derive", kind, "-"])
    printed = capsys.readouterr()
    assert status == 1
    assert printed.out == ""
    assert printed.err.startswith(expected), printed.err


def test_invalid_json_in_a_file_names_the_file(tmp_path: Path) -> None:
    source = tmp_path / "times.json"
    source.write_text('{"time": [1, 2]\n "event": [1, 0]}', encoding="utf-8")
    done = derive("km", "", str(source))
    assert done.returncode == 1
    assert done.stderr.startswith(f"{source}:2:2: not valid JSON"), done.stderr


def test_orr_without_scipy_says_what_to_install() -> None:
    script = (
        "import sys; sys.modules['scipy'] = None; sys.modules['scipy.stats'] = None\n"
        "from npc_crf.cli.main import main\n"
        "sys.exit(main(['derive', 'orr', '-']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        input='{"responders": 3, "n": 10}',
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert "needs scipy" in done.stderr and "npc-crf[center]" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("kind", ["km", "orr"])
def test_the_documented_example_gives_the_documented_output(kind: str) -> None:
    doc = (ROOT / "docs" / "derivations.md").read_text(encoding="utf-8")
    found = re.search(
        rf"## `{kind}`\n.*?Example input:\n\n```json\n(.*?)```\n\nOutput:\n\n```json\n(.*?)```",
        doc,
        re.S,
    )
    assert found, f"docs/derivations.md: the {kind} example is missing"
    done = derive(kind, found.group(1))
    assert done.returncode == 0, done.stderr
    close(json.loads(done.stdout), json.loads(found.group(2)))
