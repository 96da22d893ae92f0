"""Escaped XML text for the bulk of an export (ClinicalData), written without a tree.

Building an lxml element for each of the million elements of a large site's
ClinicalData costs most of an export's time; the metadata (a few thousand
elements) is built with lxml, the clinical data is written as text by
:class:`Lines` with the escaping below. The tests validate every file against
the ODM XSD and read it back, so both paths are held to the same result.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from npc_crf.exchange.odm.datatypes import xml_text

#: anything that needs work: markup characters, line ends and tabs, characters XML cannot hold
_SPECIAL = re.compile('[&<>"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
_TEXT_SPECIAL = re.compile("[&<>\r]")
_TEXT_TABLE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_TABLE = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\t": "&#9;",
        "\n": "&#10;",
        "\r": "&#13;",
    }
)


def text(value: str) -> str:
    """``value`` as element content (``&``, ``<``, ``>`` and CR escaped; CR survives parsing)."""
    if _SPECIAL.search(value) is None:
        return value
    value = xml_text(value)
    return value.translate(_TEXT_TABLE) if _TEXT_SPECIAL.search(value) else value


def attribute(value: str) -> str:
    """``value`` as a double-quoted attribute value (tabs and line ends kept as references)."""
    if _SPECIAL.search(value) is None:
        return value
    return xml_text(value).translate(_ATTR_TABLE)


def attributes(attrib: Mapping[str, str]) -> str:
    """`` name="value"`` for each attribute, in the order given."""
    return "".join(f' {name}="{attribute(value)}"' for name, value in attrib.items())


class Lines:
    """Indented XML markup appended piece by piece (two spaces per level)."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def open(self, level: int, name: str, attrib: Mapping[str, str] | None = None) -> None:
        """A start tag on a new line."""
        self.parts.append(f"\n{'  ' * level}<{name}{attributes(attrib or {})}>")

    def close(self, level: int, name: str) -> None:
        """An end tag on a new line."""
        self.parts.append(f"\n{'  ' * level}</{name}>")

    def leaf(self, level: int, name: str, attrib: Mapping[str, str], content: str | None) -> None:
        """An element with text only (or empty when ``content`` is empty)."""
        if content:
            self.parts.append(
                f"\n{'  ' * level}<{name}{attributes(attrib)}>{text(content)}</{name}>"
            )
        else:
            self.parts.append(f"\n{'  ' * level}<{name}{attributes(attrib)}/>")

    def take(self) -> str:
        """Everything appended so far; the buffer starts again empty."""
        done = "".join(self.parts)
        self.parts = []
        return done
