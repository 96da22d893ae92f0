"""``npc-crf gui``: start the desktop application (Qt is imported only when it runs)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``gui`` command."""
    gui = sub.add_parser(
        "gui",
        help="open the desktop application",
        description="Open the desktop application on a site's data folder; when the folder "
        "holds no site yet, a wizard sets one up. The default folder is the user's "
        "application-data folder (~/.local/share/npc-crf/site on Linux, "
        "%%LOCALAPPDATA%%\\npc-crf\\site on Windows).",
    )
    gui.add_argument(
        "--data-dir", type=Path, metavar="DIR", help="the site's data folder (see above)"
    )
    gui.add_argument(
        "--lang", choices=("en", "zh"), help="language of the interface (default: the last one)"
    )
    gui.add_argument(
        "--tour",
        type=Path,
        metavar="OUTDIR",
        help="take a screenshot tour of every screen into OUTDIR and quit; it uses the demo "
        "site in --data-dir (made there when the folder holds no site) or a temporary one",
    )
    gui.add_argument("--forms", type=Path, help="study definitions (default: the bundled forms/)")
    gui.add_argument(
        "--test-kdf", action="store_true", help=argparse.SUPPRESS
    )  # cheap Argon2id for sites the tour makes, for the test suite only
    gui.set_defaults(run=run_gui)


def run_gui(args: argparse.Namespace) -> int:
    """Start the Qt application."""
    from npc_crf.ui.app import run

    return run(
        data_dir=args.data_dir,
        tour=args.tour,
        lang=args.lang,
        forms=args.forms,
        test_kdf=args.test_kdf,
    )
