"""``npc-crf --self-test``: does this installation work, end to end, on this computer?

A site coordinator runs it after installing or upgrading a build on a ward PC (the
Start menu has an entry for it), and CI runs it on the frozen Linux build. Each check
says what it found; the run fails when any check fails:

* the program: version, Python, where it is installed and where data will live;
* the interface (:mod:`npc_crf.ui.self_check`, when Qt is wanted): the Qt platform
  plugin, a Chinese-capable screen font, the compiled translations;
* the PDF fonts, SQLCipher, the cryptography backend (known-answer tests), the
  bundled study definitions;
* a throw-away site, made in a temporary folder and deleted afterwards: a form saved
  and its audit chain verified, a sync bundle made and opened with a throw-away
  center key, a casebook PDF rendered.

The checks are Qt-free here; the interface ones live in ``npc_crf.ui`` and are
passed in by the command line.
"""

from npc_crf.selftest.runner import Check, CheckFailed, CheckResult, SelfTestReport, run_checks

__all__ = ["Check", "CheckFailed", "CheckResult", "SelfTestReport", "run_checks"]
