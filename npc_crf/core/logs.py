"""The application log: operations and timings, never clinical values or secrets.

Each opened data directory logs to ``logs/npc-crf.log`` (rotated at 1 MB, five
files kept). What may be logged: user names, roles, form and event OIDs,
counts, durations, error classes. What must not: subject IDs, item values,
free text, passwords, keys, recovery keys, and error messages (they can quote
values). The marker-scan test checks this for the whole data directory.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOGGER = logging.getLogger("npc_crf")


def log_to(folder: Path) -> logging.Handler:
    """Start logging to ``folder/npc-crf.log``; returns the handler to remove later."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        folder / "npc-crf.log", maxBytes=1_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s")
    )
    LOGGER.addHandler(handler)
    if LOGGER.level == logging.NOTSET:
        LOGGER.setLevel(logging.INFO)
    return handler


def stop_logging(handler: logging.Handler) -> None:
    """Detach and close a handler made by :func:`log_to`."""
    LOGGER.removeHandler(handler)
    handler.close()
