"""``npc-crf export odm`` (placeholder until the odm export lands)."""

from __future__ import annotations

import argparse


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``export odm``."""
    del verbs
