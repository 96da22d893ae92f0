"""``npc-crf center``: placeholder registered by the skeleton; filled in by the center work."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``center`` command (nothing yet)."""
    del sub
