"""Stored values ↔ typed ODM elements, case by case, and the XML text escaping."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from npc_crf.core.errors import UsageError
from npc_crf.exchange.odm.datatypes import stored, typed
from npc_crf.exchange.odm.reader import read_odm
from npc_crf.exchange.odm.xmltext import Lines, attribute, text

CASES = [
    # stored kind, stored text, item type (ItemDef alias), integer codes, DataType
    #   → element, text in the file
    ("text", "Nasopharynx 鼻咽", "text", False, "string", "ItemDataString", "Nasopharynx 鼻咽"),
    ("int", "-3", "integer", False, "integer", "ItemDataInteger", "-3"),
    ("dec", "12.50", "decimal", False, "float", "ItemDataFloat", "12.50"),
    ("dec", "0.0", "decimal", False, "float", "ItemDataFloat", "0.0"),
    ("dec", "46", "calculated", False, "integer", "ItemDataInteger", "46"),
    ("dec", "46.5", "calculated", False, "float", "ItemDataFloat", "46.5"),
    ("date", "2024-02-29", "date", False, "date", "ItemDataDate", "2024-02-29"),
    ("pdate", "2024", "partial_date", False, "partialDate", "ItemDataPartialDate", "2024"),
    ("pdate", "2024-03", "partial_date", False, "partialDate", "ItemDataPartialDate", "2024-03"),
    (
        "pdate",
        "2024-03-15",
        "partial_date",
        False,
        "partialDate",
        "ItemDataPartialDate",
        "2024-03-15",
    ),
    ("time", "14:05", "time", False, "time", "ItemDataTime", "14:05:00"),
    ("time", "14:05:30", "time", False, "time", "ItemDataTime", "14:05:30"),
    (
        "datetime",
        "2024-03-15T14:05",
        "datetime",
        False,
        "datetime",
        "ItemDataDatetime",
        "2024-03-15T14:05:00",
    ),
    (
        "datetime",
        "2024-03-15T14:05:09",
        "datetime",
        False,
        "datetime",
        "ItemDataDatetime",
        "2024-03-15T14:05:09",
    ),
    ("bool", "true", "yes_no", False, "boolean", "ItemDataBoolean", "true"),
    ("bool", "false", "calculated", False, "boolean", "ItemDataBoolean", "false"),
    ("code", '"CR"', "single_choice", False, "string", "ItemDataString", "CR"),
    ("code", "2", "single_choice", True, "integer", "ItemDataInteger", "2"),
    ("code", '"10002272"', "lookup", False, "string", "ItemDataString", "10002272"),
    (
        "codes",
        '["BONE", "LUNG"]',
        "multiple_choice",
        False,
        "string",
        "ItemDataString",
        "BONE,LUNG",
    ),
    ("codes", "[1, 3]", "multiple_choice", True, "string", "ItemDataString", "1,3"),
    ("codes", "[]", "multiple_choice", False, "string", "ItemDataString", ""),
]


@pytest.mark.parametrize(
    ("kind", "value", "item_type", "integer_codes", "odm_type", "element", "written"), CASES
)
def test_a_value_is_written_typed_and_read_back_as_stored(
    kind: str,
    value: str,
    item_type: str,
    integer_codes: bool,
    odm_type: str,
    element: str,
    written: str,
) -> None:
    assert typed(kind, value, odm_type) == (element, written)
    assert stored(element, written, item_type, integer_codes) == (kind, value)


def test_an_exponent_is_written_out() -> None:
    assert typed("dec", "1E+2") == ("ItemDataFloat", "100")
    assert typed("dec", "1.50E-3") == ("ItemDataFloat", "0.00150")


def test_an_unknown_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown stored kind 'blob'"):
        typed("blob", "x")


TEXTS = [
    # raw → element content, attribute value
    ("plain", "plain", "plain"),
    ("a & b < c > d", "a &amp; b &lt; c &gt; d", "a &amp; b &lt; c &gt; d"),
    ('say "hi"', 'say "hi"', "say &quot;hi&quot;"),
    ("one\r\ntwo\tthree", "one&#13;\ntwo\tthree", "one&#13;&#10;two&#9;three"),
    ("bell\x07 nul\x00", "bell\ufffd nul\ufffd", "bell\ufffd nul\ufffd"),
    ("]]>", "]]&gt;", "]]&gt;"),
    ("中文", "中文", "中文"),
]


@pytest.mark.parametrize(("raw", "content", "attr"), TEXTS)
def test_text_is_escaped_for_xml(raw: str, content: str, attr: str) -> None:
    assert text(raw) == content
    assert attribute(raw) == attr
    out = Lines()
    out.leaf(0, "X", {"A": raw}, raw)
    parsed = etree.fromstring(out.take().strip().encode())
    expected = raw.replace("\x07", "\ufffd").replace("\x00", "\ufffd")
    assert (parsed.text, parsed.get("A")) == (expected, expected)


def test_reading_a_broken_file_says_where(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text('<?xml version="1.0"?>\n<ODM>\n  <Study>\n</ODM>\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"broken\.xml:4: not well-formed XML"):
        read_odm(broken)
    with pytest.raises(UsageError, match="cannot be read"):
        read_odm(tmp_path / "absent.xml")
