"""``npc-crf --self-test``: run the way a site coordinator (or CI, on the frozen build) runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from npc_crf.selftest import Check, CheckFailed, run_checks
from npc_crf.selftest.core_checks import check_pdf_fonts
from npc_crf.selftest.runner import Outcome

ROOT = Path(__file__).resolve().parents[1]
TITLES = [
    "Program and folders",
    "Qt platform plugin",
    "Chinese screen font",
    "Interface translations",
    "Fonts of the printed documents",
    "Encrypted database (SQLCipher)",
    "Cryptography backend",
    "Study definitions",
    "A throw-away site",
    "Saving a form",
    "Making a sync bundle",
    "Printing a casebook",
    "Removing the throw-away site",
]


def self_test(
    tmp: Path, *args: str, platform: str = "offscreen"
) -> subprocess.CompletedProcess[str]:
    """``npc-crf ARGS`` with its temporary files and home folder in ``tmp``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NPC_CRF_", "XDG_"))}
    env.update(QT_QPA_PLATFORM=platform, TMPDIR=str(tmp / "temp"), HOME=str(tmp / "home"))
    (tmp / "temp").mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "npc_crf", *args],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def test_every_check_passes_and_nothing_is_left_behind(tmp_path: Path) -> None:
    done = self_test(tmp_path, "--self-test")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"npc-crf self-test: {len(TITLES)} checks"
    assert [line.split("] ", 1)[1].split(" (")[0] for line in lines[1:-1]] == [
        t.split(" (")[0] for t in TITLES
    ]
    assert all(line.startswith("[ok  ]") for line in lines[1:-1]), done.stdout
    assert lines[-1] == "npc-crf self-test: all checks passed"
    # the throw-away site was made in the temporary folder and removed
    assert "npc-crf-selftest-" in done.stdout
    assert list((tmp_path / "temp").iterdir()) == []
    # and the user's own data folder was never touched
    assert not (tmp_path / "home" / ".local" / "share" / "npc-crf").exists()


def test_json_report_without_the_interface_checks(tmp_path: Path) -> None:
    done = self_test(tmp_path, "self-test", "--json", "--no-gui")
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    assert report["passed"] is True
    names = [c["name"] for c in report["checks"]]
    assert "qt-platform" not in names and "translations" not in names
    assert names[-5:] == ["site", "form", "bundle", "pdf", "cleanup"]
    by_name = {c["name"]: c for c in report["checks"]}
    assert "8 values checked after decryption" in by_name["bundle"]["detail"]
    assert "RFC" not in by_name["cryptography"]["detail"]  # a finding, not the test's name
    assert all(c["outcome"] == "passed" and c["seconds"] >= 0 for c in report["checks"])


def test_a_missing_qt_platform_plugin_is_reported_not_fatal(tmp_path: Path) -> None:
    """Qt aborts a process whose platform plugin is missing; the report still comes out."""
    done = self_test(tmp_path, "--self-test", platform="no-such-platform")
    assert done.returncode == 1
    lines = {line.split("] ", 1)[1].split(" (")[0]: line for line in done.stdout.splitlines()[1:-1]}
    assert lines["Qt platform plugin"].startswith("[FAIL]")
    assert "no-such-platform" in lines["Qt platform plugin"]
    assert lines["Chinese screen font"].startswith("[skip]")
    assert "needs qt-platform" in lines["Interface translations"]
    assert lines["Printing a casebook"].startswith("[ok  ]")  # the rest still ran
    assert done.stdout.splitlines()[-1] == "npc-crf self-test: FAILED: Qt platform plugin"


def test_missing_font_licences_fail_the_font_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import npc_crf.reports.fonts as fonts

    monkeypatch.setattr(fonts, "fonts_dir", lambda: tmp_path)
    with pytest.raises(CheckFailed, match="font licences are missing"):
        check_pdf_fonts({})


def _fail(context: dict[str, Any]) -> str:
    raise CheckFailed("the thing is broken.")


def _crash(context: dict[str, Any]) -> str:
    raise KeyError("x")


def _note(context: dict[str, Any]) -> str:
    context.setdefault("ran", []).append(len(context.get("ran", [])))
    return "fine"


RUNS = [
    # (checks as (name, run, needs), skip, expected outcomes, expected detail of the first)
    ([("a", _note, ()), ("b", _note, ("a",))], set(), ["passed", "passed"], "fine"),
    (
        [("a", _fail, ()), ("b", _note, ("a",))],
        set(),
        ["failed", "skipped"],
        "the thing is broken.",
    ),
    ([("a", _crash, ()), ("b", _note, ())], set(), ["failed", "passed"], "KeyError: 'x'"),
    (
        [("a", _note, ()), ("b", _note, ("a",))],
        {"a"},
        ["skipped", "skipped"],
        "left out on request",
    ),
    (
        [("a", _fail, ()), ("cleanup", _note, ())],
        set(),
        ["failed", "passed"],
        "the thing is broken.",
    ),
]


@pytest.mark.parametrize(("checks", "skip", "outcomes", "first"), RUNS)
def test_runner_outcomes(
    checks: list[tuple[str, Any, tuple[str, ...]]], skip: set[str], outcomes: list[str], first: str
) -> None:
    heard: list[str] = []
    report = run_checks(
        [Check(n, n.upper(), run, needs) for n, run, needs in checks],
        skip=frozenset(skip),
        on_result=lambda r: heard.append(r.name),
    )
    assert [r.outcome.value for r in report.results] == outcomes
    assert report.results[0].detail == first
    assert heard == [n for n, _, _ in checks]
    assert report.passed is (Outcome.FAILED.value not in outcomes)


def test_a_pc_without_chinese_fonts_gets_the_shipped_one(
    qapp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtGui import QFont, QFontMetrics

    from npc_crf.ui import i18n

    monkeypatch.setattr(i18n, "CJK_FAMILIES", ("No Such Font SC",))
    family = i18n.cjk_family()
    assert family == "WenQuanYi Micro Hei"
    assert QFontMetrics(QFont(family)).inFontUcs4(ord("鼻"))
    assert i18n.cjk_family() == family  # loaded once, found again
