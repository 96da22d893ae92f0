"""The frozen program's entry point (PyInstaller runs this file; it is not part of the package).

One analysis makes two executables in the same folder:

* ``npc-crf`` (``npc-crf.exe``, a console program): the whole command line, as
  ``npc-crf`` is in a Python installation, including ``npc-crf --self-test``;
* ``npc-crf-gui`` (``npc-crf-gui.exe``, windowed on Windows, no console): the desktop
  application, what the Start-menu entry opens; arguments are those of ``npc-crf gui``.

Which one runs is read from the executable's own name.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _gui_arguments(argv: list[str]) -> list[str]:
    """``npc-crf-gui [ARGS]`` is ``npc-crf gui [ARGS]``."""
    return ["gui", *argv]


def _streams_for_windowed() -> None:
    """A windowed Windows program has no standard streams (``None``); give it null ones so
    a stray print or warning cannot end the program."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


def main() -> int:
    """Run the command line or the desktop application; returns the exit status."""
    from npc_crf.cli.main import main as cli_main

    argv = sys.argv[1:]
    if Path(sys.executable).stem.lower().endswith("-gui"):
        _streams_for_windowed()
        argv = _gui_arguments(argv)
    return cli_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
