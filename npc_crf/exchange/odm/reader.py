"""Read an npc-crf ODM export back into stored values, for round-trip comparison.

:func:`read_odm` streams the file (``lxml.etree.iterparse``, each subject freed
once read) and returns every value as the store would hold it:
``{(subject, event, occurrence, form, group, repeat key, item): (value, missing)}``
where ``group`` is the repeating group's OID (``""`` outside groups), ``repeat
key`` the row position (0 outside groups), ``value`` the stored text
(:mod:`npc_crf.store.values`: ``12.50``, ``2024-03``, ``"CR"``, ``[1, 3]``) and
``missing`` the missing-data code. Only files written by npc-crf are understood:
the OIDs follow :mod:`npc_crf.exchange.odm.oids` and each ItemDef carries the
``npc-crf:type`` alias.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from npc_crf.core.errors import UsageError
from npc_crf.exchange.odm import npc_lists, oids
from npc_crf.exchange.odm.datatypes import NULL_ELEMENT, stored
from npc_crf.exchange.odm.metadata import TYPE_ALIAS

ValueKey = tuple[str, str, int, str, str, int, str]

_PREFIX = f"{{{oids.NS}}}"
_ITEM_DATA = "ItemData"


@dataclass
class OdmContent:
    """What :func:`read_odm` found."""

    file_oid: str = ""
    granularity: str = ""
    study_oid: str = ""
    subjects: list[str] = field(default_factory=list)
    #: (stored text or None, missing code or None) per value
    values: dict[ValueKey, tuple[str | None, str | None]] = field(default_factory=dict)
    #: the stored kind of each value with a value (``dec``, ``pdate``, ``code`` …)
    kinds: dict[ValueKey, str] = field(default_factory=dict)


def _local(element: Any) -> str:
    name = str(element.tag)
    return name[len(_PREFIX) :] if name.startswith(_PREFIX) else name


def _tail(oid: str, prefix: str) -> str:
    """Our OID from an ODM OID (``F.AE`` → ``AE``), or the OID itself."""
    return oid[len(prefix) :] if oid.startswith(prefix) else oid


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.content = OdmContent()
        self.item_types: dict[str, tuple[str, str | None]] = {}  # ItemDef OID → type, code list
        self.integer_lists: set[str] = set()
        self.context: dict[str, Any] = {}
        self.null_notes: dict[str, list[ValueKey]] = {}
        self.missing_notes: dict[str, str] = {}

    def where(self, element: Any) -> str:
        return f"{self.path}:{element.sourceline}"

    def start(self, element: Any) -> None:
        name = _local(element)
        get = element.get
        if name == "ODM":
            self.content.file_oid = get("FileOID", "")
            self.content.granularity = get("Granularity", "")
        elif name == "Study":
            self.content.study_oid = get("OID", "")
        elif name == "SubjectData":
            self.context = {"subject": get("SubjectKey", "")}
            self.content.subjects.append(self.context["subject"])
        elif name == "StudyEventData":
            self.context["event"] = _tail(get("StudyEventOID", ""), "SE.")
            self.context["occurrence"] = int(get("StudyEventRepeatKey") or 1)
        elif name == "FormData":
            self.context["form"] = _tail(get("FormOID", ""), "F.")
        elif name == "ItemGroupData":
            group_oid = _tail(get("ItemGroupOID", ""), "IG.")
            _form, _, group = group_oid.partition(".")
            self.context["group"] = group
            self.context["position"] = int(get("ItemGroupRepeatKey") or 0) if group else 0

    def end(self, element: Any) -> None:
        name = _local(element)
        if name.startswith(_ITEM_DATA):
            self._value(element, name)
        elif name == "ItemDef":
            kind = ""
            codelist = None
            for child in element:
                child_name = _local(child)
                if child_name == "Alias" and child.get("Context") == TYPE_ALIAS:
                    kind = child.get("Name", "")
                elif child_name == "CodeListRef":
                    codelist = child.get("CodeListOID")
            self.item_types[element.get("OID", "")] = (kind, codelist)
        elif name == "CodeList":
            if element.get("DataType") == "integer":
                self.integer_lists.add(element.get("OID", ""))
            element.clear()
        elif name == "Annotation" and element.get("ID") in self.null_notes:
            for flag in element.iter(f"{_PREFIX}Flag"):
                kind = flag.find(f"{_PREFIX}FlagType")
                value = flag.find(f"{_PREFIX}FlagValue")
                if kind is not None and kind.text == npc_lists.MISSING and value is not None:
                    self.missing_notes[element.get("ID")] = value.text or ""
        elif name in ("SubjectData", "AuditRecords", "Annotations"):
            element.clear()
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]

    def _value(self, element: Any, name: str) -> None:
        c = self.context
        if "form" not in c:
            raise UsageError(f"{self.where(element)}: {name} outside FormData.")
        item = _tail(element.get("ItemOID", ""), f"I.{c['form']}.")
        key: ValueKey = (
            c["subject"],
            c["event"],
            c["occurrence"],
            c["form"],
            c["group"],
            c["position"],
            item,
        )
        if element.get("IsNull") == "Yes":
            note = element.get("AnnotationID")
            self.content.values[key] = (None, None)
            if note:
                self.null_notes.setdefault(note, []).append(key)
            return
        if name in (NULL_ELEMENT, _ITEM_DATA):
            raise UsageError(
                f"{self.where(element)}: {name} without IsNull is not written by npc-crf."
            )
        kind, codelist = self.item_types.get(element.get("ItemOID", ""), ("", None))
        try:
            stored_kind, text = stored(
                name, element.text or "", kind, codelist in self.integer_lists
            )
        except ValueError as exc:
            raise UsageError(
                f"{self.where(element)}: {name} {element.get('ItemOID')} cannot be read: {exc}."
            ) from None
        self.content.values[key] = (text, None)
        self.content.kinds[key] = stored_kind

    def finish(self) -> OdmContent:
        for note, keys in self.null_notes.items():
            missing = self.missing_notes.get(note)
            for key in keys:
                self.content.values[key] = (None, missing)
        return self.content


def read_odm(path: Path) -> OdmContent:
    """Every value of an npc-crf ODM export, as stored (see the module docstring)."""
    reader = _Reader(Path(path))
    try:
        for event, element in etree.iterparse(
            str(path), events=("start", "end"), huge_tree=True, remove_blank_text=True
        ):
            if event == "start":
                reader.start(element)
            else:
                reader.end(element)
    except etree.XMLSyntaxError as exc:
        raise UsageError(f"{path}:{exc.lineno}: not well-formed XML: {exc.msg}.") from None
    except OSError as exc:
        raise UsageError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    return reader.finish()
