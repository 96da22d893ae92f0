"""Answers as text: what a cell or a read-only field shows, and what an editor holds.

The texts themselves come from :mod:`npc_crf.forms.display` (shared with the
printed documents); the few words of the application itself ("Yes", "No") go
through Qt's translation here.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from npc_crf.forms.display import (
    UNKNOWN,
    code_label,
    edit_text,
    missing_text,
    partial_date_text,
    value_text,
)
from npc_crf.forms.model import Item, Study

__all__ = [
    "UNKNOWN",
    "code_label",
    "display_text",
    "edit_text",
    "missing_text",
    "partial_date_text",
    "yes_no_text",
]


def yes_no_text(value: bool) -> str:
    """``Yes`` or ``No`` in the interface language."""
    if value:
        return QCoreApplication.translate("FormValues", "Yes")
    return QCoreApplication.translate("FormValues", "No")


def display_text(study: Study, item: Item, value: object, lang: str) -> str:
    """A value as a person reads it: decodes for codes, Yes/No, dates as ISO text."""
    return value_text(study, item, value, lang, (yes_no_text(True), yes_no_text(False)))
