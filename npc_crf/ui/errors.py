"""How the interface words an error that came back from a background job."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from npc_crf.core.errors import NpcCrfError
from npc_crf.core.logs import LOGGER


def describe_error(error: object) -> str:
    """One message for an error that came back from a job: the service's message and
    hint, or a plain note for an unexpected failure (logged without details)."""
    if isinstance(error, NpcCrfError):
        return str(error)
    LOGGER.error("unexpected error in the interface: %s", type(error).__name__)
    return QCoreApplication.translate(
        "Shell", "Something unexpected went wrong ({kind}). The details are in the site's log."
    ).format(kind=type(error).__name__)
