"""Typed answers to and from database columns.

An answer is stored as ``(kind, text)``; a missing-data code is stored in its own
column, so "not done" is never confused with a value. Kinds:

========  ===================  ===========================
kind      Python value         text
========  ===================  ===========================
text      str                  as entered
int       int                  ``12``
dec       Decimal              ``12.50`` (scale kept)
date      datetime.date        ``2024-03-01``
pdate     PartialDate          ISO 8601 reduced precision: ``2024``, ``2024-03``
time      datetime.time        ``14:05`` or ``14:05:30``
datetime  datetime.datetime    ``2024-03-01T14:05``
bool      bool                 ``true`` / ``false``
code      str or int code      JSON: ``"CR"`` or ``2``
codes     frozenset of codes   JSON list, sorted: ``[1, 3]``
========  ===================  ===========================
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.expr.values import PartialDate
from npc_crf.forms.model import Item, ItemType


def _pdate_text(value: PartialDate) -> str:
    text = f"{value.year:04d}"
    if value.month is not None:
        text += f"-{value.month:02d}"
        if value.day is not None:
            text += f"-{value.day:02d}"
    return text


def _time_text(value: dt.time) -> str:
    return value.isoformat(timespec="seconds" if value.second else "minutes")


def encode(value: object, item: Item | None = None) -> tuple[str, str]:
    """``(kind, text)`` for a typed answer (not None, not Missing)."""
    if isinstance(value, bool):
        return "bool", "true" if value else "false"
    if item is not None and item.type in (ItemType.SINGLE_CHOICE, ItemType.LOOKUP):
        return "code", json.dumps(value, ensure_ascii=False)
    if isinstance(value, frozenset | set | list | tuple):
        codes = sorted(value, key=lambda c: (isinstance(c, str), c))
        return "codes", json.dumps(codes, ensure_ascii=False)
    if isinstance(value, int):
        return "int", str(value)
    if isinstance(value, Decimal):
        return "dec", str(value)
    if isinstance(value, dt.datetime):
        return "datetime", value.isoformat(timespec="seconds" if value.second else "minutes")
    if isinstance(value, dt.date):
        return "date", value.isoformat()
    if isinstance(value, PartialDate):
        return "pdate", _pdate_text(value)
    if isinstance(value, dt.time):
        return "time", _time_text(value)
    if isinstance(value, str):
        return "text", value
    raise TypeError(f"cannot store a {type(value).__name__}")


def decode(kind: str, text: str) -> object:
    """The typed answer stored as ``(kind, text)``."""
    if kind == "text":
        return text
    if kind == "int":
        return int(text)
    if kind == "dec":
        return Decimal(text)
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "pdate":
        return PartialDate.parse(text)
    if kind == "time":
        return dt.time.fromisoformat(text)
    if kind == "datetime":
        return dt.datetime.fromisoformat(text)
    if kind == "bool":
        return text == "true"
    if kind == "code":
        code: object = json.loads(text)
        return code
    if kind == "codes":
        return frozenset(json.loads(text))
    raise ValueError(f"unknown stored kind '{kind}'")


def to_columns(value: object, item: Item | None = None) -> dict[str, Any]:
    """The ``kind``, ``value`` and ``missing_code`` columns for an answer (None = empty)."""
    if value is None:
        return {"kind": None, "value": None, "missing_code": None}
    if isinstance(value, Missing):
        return {"kind": None, "value": None, "missing_code": value.code}
    kind, text = encode(value, item)
    return {"kind": kind, "value": text, "missing_code": None}


def from_columns(kind: str | None, text: str | None, missing_code: str | None) -> object:
    """The answer held in the three columns."""
    if missing_code is not None:
        return Missing(missing_code)
    if kind is None or text is None:
        return None
    return decode(kind, text)


def audit_json(value: object, item: Item | None = None) -> str | None:
    """An answer as the audit trail records it: ``{"value": …}`` or ``{"missing": …}``."""
    if value is None:
        return None
    if isinstance(value, Missing):
        return json.dumps({"missing": value.code})
    return json.dumps({"value": plain(value)}, ensure_ascii=False)


def display(stored: str | None) -> str:
    """An audit value for people: the text, ``[missing: ND]`` or empty."""
    if stored is None:
        return ""
    try:
        data = json.loads(stored)
    except ValueError:
        return stored
    if not isinstance(data, dict):
        return str(data)
    if "missing" in data and len(data) == 1:
        return f"[missing: {data['missing']}]"
    if "value" in data and len(data) == 1:
        value = data["value"]
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)
    return ", ".join(f"{k}={v}" for k, v in data.items())


def plain(value: object) -> object:
    """An answer (or a group's rows) as JSON-ready data: numbers, text, lists, objects.

    Missing codes become ``{"missing": CODE}``; dates and decimals become their
    stored text, so nothing is lost to floating point.
    """
    if value is None:
        return None
    if isinstance(value, Missing):
        return {"missing": value.code}
    if isinstance(value, list):
        return [{k: plain(v) for k, v in row.items()} for row in value]
    if isinstance(value, bool | int):
        return value
    kind, text = encode(value)
    if kind in ("code", "codes"):
        decoded: object = json.loads(text)
        return decoded
    return text


def plain_answers(answers: Mapping[str, object]) -> dict[str, object]:
    """Every answer of a form through :func:`plain`."""
    return {k: plain(v) for k, v in answers.items()}
