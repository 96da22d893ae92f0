"""``npc-crf gui``: start the desktop application (Qt is imported only when it runs)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``gui`` command."""
    gui = sub.add_parser("gui", help="open the desktop application")
    gui.add_argument("--forms", type=Path, help="study definitions (default: the bundled forms/)")
    gui.add_argument(
        "--tour", type=Path, metavar="DIR", help="take a screenshot tour into DIR and quit"
    )
    gui.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the interface")
    gui.set_defaults(run=run_gui)


def run_gui(args: argparse.Namespace) -> int:
    """Start the Qt application."""
    from npc_crf.ui.app import run

    return run(forms=args.forms, tour=args.tour, lang=args.lang)
