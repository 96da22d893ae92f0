"""Small helpers to build ODM metadata elements with lxml (namespace, bilingual texts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

from lxml import etree

from npc_crf.exchange.odm import oids
from npc_crf.exchange.odm.datatypes import xml_text
from npc_crf.forms.model import Text

#: an lxml element (lxml ships no type information)
Element: TypeAlias = Any


def root(name: str, attrib: Mapping[str, str] | None = None) -> Element:
    """A new ODM element that declares the ODM namespace (the top of a written chunk)."""
    return etree.Element(oids.tag(name), attrib or {}, nsmap={None: oids.NS})


def sub(
    parent: Element, name: str, attrib: Mapping[str, str] | None = None, text: str | None = None
) -> Element:
    """Append ODM element ``name`` to ``parent``, with attributes and text."""
    child = etree.SubElement(parent, oids.tag(name), attrib or {})
    if text is not None:
        child.text = xml_text(text)
    return child


def translated(parent: Element, name: str, text: Text) -> Element:
    """Append ``name`` holding TranslatedText in English and, when it differs, Chinese."""
    holder = sub(parent, name)
    sub(holder, "TranslatedText", {oids.XML_LANG: "en"}, text.en)
    if text.zh and text.zh != text.en:
        sub(holder, "TranslatedText", {oids.XML_LANG: "zh"}, text.zh)
    return holder


def alias(parent: Element, context: str, name: str) -> None:
    """Append an Alias (Context must be unique within its parent)."""
    sub(parent, "Alias", {"Context": context, "Name": name})
