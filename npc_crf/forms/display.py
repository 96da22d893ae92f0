"""Answers as people read them, without Qt: decodes, partial dates, missing codes.

The GUI (``npc_crf.ui.widgets.values``) and the printed documents
(``npc_crf.reports``) both show values through these functions, so a screen and
its printout agree. Form texts come from the definitions in the chosen
language; the two words of the application itself ("Yes", "No") are passed in
by the caller (Qt's translation in the GUI, the document's table in print).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.expr.values import PartialDate
from npc_crf.forms.model import Item, ItemType, Study, ValueType

#: what an unknown month or day is written as, on screen and in print
UNKNOWN = "UNK"

#: "Yes" and "No" in each language of the documents
YES_NO = {"en": ("Yes", "No"), "zh": ("是", "否")}


def partial_date_text(value: PartialDate) -> str:
    """``2024-03-UNK``: a partial date with its unknown parts written out, never padded."""
    month = f"{value.month:02d}" if value.month is not None else UNKNOWN
    day = f"{value.day:02d}" if value.day is not None else UNKNOWN
    return f"{value.year:04d}-{month}-{day}"


def missing_text(study: Study, code: str, lang: str) -> str:
    """``ND – Not done``: a missing-data code with its name from the study."""
    named = next((m for m in study.missing_codes if m.code == code), None)
    return f"{code} – {named.name.get(lang)}" if named else code


def code_label(study: Study, item: Item, code: object, lang: str) -> str:
    """The decode of ``code`` in ``item``'s code list, or the code itself."""
    codelist = study.codelist_for(item)
    entry = codelist.get(code) if codelist is not None else None
    return entry.label.get(lang) if entry is not None else str(code)


def edit_text(value: object) -> str:
    """A value (or refused input) as an editor holds it: what the nurse would type."""
    if value is None or isinstance(value, Missing):
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M" if not value.second else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M" if not value.second else "%H:%M:%S")
    if isinstance(value, PartialDate):
        return partial_date_text(value)
    if isinstance(value, frozenset | set):
        return ",".join(sorted(str(v) for v in value))
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def value_text(
    study: Study,
    item: Item,
    value: object,
    lang: str,
    yes_no: tuple[str, str] | None = None,
    *,
    missing_names: bool = False,
) -> str:
    """A value as a person reads it: decodes for codes, Yes/No, dates as ISO text.

    ``yes_no`` are the words for true and false (default: :data:`YES_NO` in
    ``lang``). A missing-data code prints as its code, or as ``ND – Not done``
    with ``missing_names``.
    """
    if value is None:
        return ""
    if isinstance(value, Missing):
        return missing_text(study, value.code, lang) if missing_names else value.code
    yes, no = yes_no or YES_NO.get(lang, YES_NO["en"])
    kind = item.type
    if kind is ItemType.CALCULATED and item.value_type is ValueType.YES_NO:
        kind = ItemType.YES_NO
    if isinstance(value, bool) or kind is ItemType.YES_NO:
        return (yes if value else no) if isinstance(value, bool) else str(value)
    if kind in (ItemType.SINGLE_CHOICE, ItemType.LOOKUP):
        return code_label(study, item, value, lang)
    if kind is ItemType.MULTIPLE_CHOICE and isinstance(value, frozenset | set):
        codelist = study.codelist_for(item)
        order = [c.code for c in codelist.items] if codelist is not None else sorted(value, key=str)
        return "; ".join(code_label(study, item, c, lang) for c in order if c in value)
    if isinstance(value, str):
        return value.replace("\n", " ⏎ ")
    return edit_text(value)
