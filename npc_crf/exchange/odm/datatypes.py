"""Our item types and stored values ↔ ODM data types and typed ``ItemData*`` elements.

A stored value is ``(kind, text)`` as in :mod:`npc_crf.store.values`. Export
turns it into a typed element and its text; the reader turns the element back
into exactly the stored ``(kind, text)``, so a round trip can be compared text
for text (decimals keep their scale: ``12.50``).

======== ======================= =========================================
kind     element                 text in the file
======== ======================= =========================================
text     ItemDataString          as stored
int      ItemDataInteger         as stored
dec      ItemDataFloat           as stored (``12.50``; an exponent is written out)
date     ItemDataDate            ``2024-03-15``
pdate    ItemDataPartialDate     ``2024``, ``2024-03``, ``2024-03-15``
time     ItemDataTime            ``14:05:00`` (seconds added: xs:time needs them)
datetime ItemDataDatetime        ``2024-03-15T14:05:00`` (seconds added)
bool     ItemDataBoolean         ``true`` / ``false``
code     ItemDataString/Integer  the code (text lists / integer lists)
codes    ItemDataString          the codes, sorted, joined with ``,``
======== ======================= =========================================
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

from npc_crf.forms.model import CodeList, Item, ItemType, ValueType

#: the element of a value with a missing-data code (the only typed element with IsNull)
NULL_ELEMENT = "ItemDataAny"

#: ItemDef DataType → the typed element its values take
ELEMENT_FOR_TYPE = {
    "string": "ItemDataString",
    "integer": "ItemDataInteger",
    "float": "ItemDataFloat",
    "date": "ItemDataDate",
    "partialDate": "ItemDataPartialDate",
    "time": "ItemDataTime",
    "datetime": "ItemDataDatetime",
    "boolean": "ItemDataBoolean",
}

_SIMPLE_TYPES = {
    ItemType.TEXT: "string",
    ItemType.LONG_TEXT: "string",
    ItemType.FILE: "string",
    ItemType.INTEGER: "integer",
    ItemType.DECIMAL: "float",
    ItemType.DATE: "date",
    ItemType.PARTIAL_DATE: "partialDate",
    ItemType.TIME: "time",
    ItemType.DATETIME: "datetime",
    ItemType.YES_NO: "boolean",
    ItemType.MULTIPLE_CHOICE: "string",
}

_CALCULATED_TYPES = {
    ValueType.TEXT: "string",
    ValueType.INTEGER: "integer",
    ValueType.DECIMAL: "float",
    ValueType.DATE: "date",
    ValueType.YES_NO: "boolean",
}

_ELEMENT_FOR_KIND = {
    "text": "ItemDataString",
    "int": "ItemDataInteger",
    "dec": "ItemDataFloat",
    "date": "ItemDataDate",
    "pdate": "ItemDataPartialDate",
    "time": "ItemDataTime",
    "datetime": "ItemDataDatetime",
    "bool": "ItemDataBoolean",
}

_WHOLE = re.compile(r"-?[0-9]+\Z")

#: characters XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE/U+FFFF)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def data_type(item: Item, codelist: CodeList | None) -> str:
    """The ItemDef ``DataType`` of an item that holds data (not a note or a group)."""
    if item.type in (ItemType.SINGLE_CHOICE, ItemType.LOOKUP):
        return "integer" if codelist is not None and codelist.type == "integer" else "string"
    if item.type is ItemType.CALCULATED:
        return _CALCULATED_TYPES.get(item.value_type, "string") if item.value_type else "string"
    simple = _SIMPLE_TYPES.get(item.type)
    if simple is None:
        raise ValueError(f"item {item.oid} ({item.type.value}) holds no data")
    return simple


def codelist_data_type(codelist: CodeList) -> str:
    """The CodeList ``DataType``: ``integer`` or ``string``."""
    return "integer" if codelist.type == "integer" else "string"


def xml_text(text: str) -> str:
    """``text`` with characters XML 1.0 cannot hold replaced by U+FFFD (docs/odm.md)."""
    return _NOT_XML.sub("\ufffd", text) if _NOT_XML.search(text) else text


def _with_seconds(clock: str) -> str:
    return f"{clock}:00" if len(clock) == 5 else clock


def _plain_decimal(text: str) -> str:
    if "e" not in text.lower():
        return text
    try:
        return format(Decimal(text), "f")
    except InvalidOperation:
        return text


def typed(kind: str, text: str, odm_type: str = "") -> tuple[str, str]:
    """The typed element name and its text for a stored ``(kind, text)``.

    ``odm_type`` is the item's DataType: a calculated integer is stored as an exact
    decimal (``dec``, ``46``) and written as ItemDataInteger when it is a whole number.
    """
    if kind == "dec" and odm_type == "integer" and _WHOLE.match(text):
        return "ItemDataInteger", text
    if kind == "code":
        code = json.loads(text)
        if isinstance(code, int) and not isinstance(code, bool):
            return "ItemDataInteger", str(code)
        return "ItemDataString", xml_text(str(code))
    if kind == "codes":
        codes = json.loads(text)
        return "ItemDataString", xml_text(",".join(str(c) for c in codes))
    element = _ELEMENT_FOR_KIND.get(kind)
    if element is None:
        raise ValueError(f"unknown stored kind '{kind}'")
    if kind == "time":
        return element, _with_seconds(text)
    if kind == "datetime":
        day, _, clock = text.partition("T")
        return element, f"{day}T{_with_seconds(clock)}"
    if kind == "dec":
        return element, _plain_decimal(text)
    return element, xml_text(text) if kind == "text" else text


def _without_zero_seconds(clock: str) -> str:
    return clock[:5] if len(clock) == 8 and clock.endswith(":00") else clock


def _code_text(text: str, integer_codes: bool) -> object:
    return int(text) if integer_codes else text


def stored(element: str, text: str, item_type: str, integer_codes: bool) -> tuple[str, str]:
    """The stored ``(kind, text)`` of a typed element read back from a file.

    ``item_type`` is our item type (the ItemDef alias ``npc-crf:type``; for calculated
    items the value type); ``integer_codes`` is True when the item's code list has
    integer codes.
    """
    text = text or ""
    if item_type in ("single_choice", "lookup"):
        return "code", json.dumps(_code_text(text.strip(), integer_codes), ensure_ascii=False)
    if item_type == "multiple_choice":
        parts = [_code_text(p, integer_codes) for p in text.split(",") if p != ""]
        codes = sorted(parts, key=lambda c: (isinstance(c, str), c))
        return "codes", json.dumps(codes, ensure_ascii=False)
    if element == "ItemDataString":
        return "text", text
    if element == "ItemDataInteger":
        # calculations store exact decimals, also for integer results (see typed())
        return ("dec" if item_type == "calculated" else "int"), str(int(text))
    if element == "ItemDataFloat":
        return "dec", text.strip()
    if element == "ItemDataBoolean":
        return "bool", "true" if text.strip() in ("true", "1") else "false"
    if element == "ItemDataTime":
        return "time", _without_zero_seconds(text.strip())
    if element == "ItemDataDatetime":
        day, _, clock = text.strip().partition("T")
        return "datetime", f"{day}T{_without_zero_seconds(clock)}"
    kinds = {"ItemDataDate": "date", "ItemDataPartialDate": "pdate"}
    if element in kinds:
        return kinds[element], text.strip()
    raise ValueError(f"{element} is not an element npc-crf writes")
