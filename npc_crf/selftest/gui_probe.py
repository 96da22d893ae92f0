"""The interface checks, run in a child process so that a Qt failure is reported, not fatal.

Qt ends the whole process (``qFatal``) when its platform plugin is missing or cannot
reach a display, which is exactly what a self-test must report on a ward PC. So the
three interface checks of :mod:`npc_crf.ui.self_check` run in a second copy of the
program (``npc-crf self-test --part gui --json``); here each check reads its own
result from that run, and a child that died is reported with its last words.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from npc_crf.selftest.runner import Check, CheckFailed

#: the interface checks, as the child names them
NAMES = ("qt-platform", "screen-font", "translations")
CHILD_TIMEOUT_S = 120


def child_command() -> list[str]:
    """This program again, running only the interface checks."""
    args = ["self-test", "--part", "gui", "--json"]
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "npc_crf", *args]


def _last_words(text: str, lines: int = 3) -> str:
    kept = [line.strip() for line in text.strip().splitlines() if line.strip()][-lines:]
    return " / ".join(kept) or "no message"


def _child_results(context: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The child's results by check name (run once per self-test)."""
    if "gui_results" not in context:
        try:
            done = subprocess.run(  # noqa: S603 - this program, fixed arguments
                child_command(),
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=CHILD_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise CheckFailed(
                f"the interface checks did not finish within {CHILD_TIMEOUT_S} s."
            ) from None
        try:
            checks = json.loads(done.stdout)["checks"]
        except (ValueError, KeyError, TypeError):
            raise CheckFailed(
                f"Qt ended the program (exit status {done.returncode}): {_last_words(done.stderr)}"
            ) from None
        context["gui_results"] = {c["name"]: c for c in checks}
    results: dict[str, dict[str, Any]] = context["gui_results"]
    return results


def _reader(name: str) -> Any:
    def run(context: dict[str, Any]) -> str:
        result = _child_results(context).get(name)
        if result is None:
            raise CheckFailed(f"the interface checks did not report '{name}'.")
        if result["outcome"] != "passed":
            raise CheckFailed(str(result["detail"]))
        return str(result["detail"])

    return run


GUI_CHECKS = (
    Check("qt-platform", "Qt platform plugin", _reader("qt-platform")),
    Check("screen-font", "Chinese screen font", _reader("screen-font"), needs=("qt-platform",)),
    Check(
        "translations", "Interface translations", _reader("translations"), needs=("qt-platform",)
    ),
)
