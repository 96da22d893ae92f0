"""``npc-crf export csv`` (placeholder until the csv export lands)."""

from __future__ import annotations

import argparse


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``export csv``."""
    del verbs
