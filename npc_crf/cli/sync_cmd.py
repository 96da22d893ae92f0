"""``npc-crf sync``: placeholder registered by the skeleton; filled in by the sync work."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sync`` command (nothing yet)."""
    del sub
