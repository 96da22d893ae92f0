"""``npc-crf derive pfs|os|dor`` through the command line, with the examples of docs/endpoints.md
(the same examples tests/test_endpoint_derive.py checks against the functions)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "endpoints.md").read_text(encoding="utf-8")


def example(kind: str) -> tuple[str, dict[str, Any]]:
    """The input text and the output document of ``derive KIND`` in the doc."""
    section = DOC.split(f"### `derive {kind}`", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```json\n(.*?)```", section, re.S)
    assert len(blocks) >= 2, kind
    return blocks[0], json.loads(blocks[1])


def derive(kind: str, text: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "npc_crf", "derive", kind, "-"],
        input=text,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("kind", ["pfs", "os", "dor"])
def test_the_documented_example_through_the_command(kind: str) -> None:
    given, expected = example(kind)
    done = derive(kind, given)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert {k: v for k, v in out.items() if k != "settings"} == expected


def test_bad_input_names_the_field() -> None:
    done = derive("pfs", '{"start": "2025-01-10", "cutoff": "2025-13-40"}')
    assert done.returncode == 1
    assert "cutoff" in done.stderr and "Traceback" not in done.stderr
