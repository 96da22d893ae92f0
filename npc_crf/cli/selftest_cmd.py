"""``npc-crf self-test`` (also ``npc-crf --self-test``): check this installation, end to end.

Prints one line per check as it finishes (or, with ``--json``, one document at the
end) and exits 0 when no check failed, 1 otherwise. Needs no site, no account and
no password: everything it makes lives in a temporary folder that it deletes.
"""

from __future__ import annotations

import argparse
import json
import sys

from npc_crf.selftest import Check, CheckResult, run_checks
from npc_crf.selftest.runner import Outcome

MARKS = {Outcome.PASSED: "ok  ", Outcome.FAILED: "FAIL", Outcome.SKIPPED: "skip"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``self-test`` command."""
    cmd = sub.add_parser(
        "self-test",
        help="check that this installation works, end to end",
        description="Check the Qt platform plugin, the screen and PDF fonts, the "
        "translations, SQLCipher, the cryptography backend and the bundled studies, then "
        "make a throw-away site in a temporary folder, save a form, make a sync bundle and "
        "print a casebook, and delete it. Exit status 0 when no check failed, 1 otherwise.",
    )
    cmd.add_argument("--json", action="store_true", help="one JSON document instead of lines")
    cmd.add_argument(
        "--no-gui",
        action="store_true",
        help="leave out the interface checks (a coordinating-center server without a desktop)",
    )
    cmd.add_argument(  # the interface checks alone, in a child process (selftest.gui_probe)
        "--part", choices=("all", "gui"), default="all", help=argparse.SUPPRESS
    )
    cmd.set_defaults(run=run_self_test)


def _checks(args: argparse.Namespace) -> tuple[Check, ...]:
    if getattr(args, "part", "all") == "gui":  # the child process of gui_probe
        from npc_crf.ui.self_check import QT_CHECKS

        return QT_CHECKS
    from npc_crf.selftest.core_checks import CORE_CHECKS
    from npc_crf.selftest.gui_probe import GUI_CHECKS
    from npc_crf.selftest.site_checks import SITE_CHECKS

    gui = () if getattr(args, "no_gui", False) else GUI_CHECKS
    return CORE_CHECKS[:1] + gui + CORE_CHECKS[1:] + SITE_CHECKS


def _line(result: CheckResult) -> str:
    return f"[{MARKS[result.outcome]}] {result.title} ({result.seconds:.2f} s): {result.detail}"


def run_self_test(args: argparse.Namespace) -> int:
    """Run every check; exit status 0 when none failed."""
    as_json = getattr(args, "json", False)
    checks = _checks(args)
    if not as_json:
        print(f"npc-crf self-test: {len(checks)} checks", flush=True)
    report = run_checks(
        checks, on_result=None if as_json else lambda r: print(_line(r), flush=True)
    )
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        failed = [r.title for r in report.results if r.outcome is Outcome.FAILED]
        verdict = "all checks passed" if not failed else f"FAILED: {', '.join(failed)}"
        print(f"npc-crf self-test: {verdict}")
    sys.stdout.flush()
    return 0 if report.passed else 1
