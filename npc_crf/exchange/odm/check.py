"""Semantic checks of an ODM file that the XSD cannot make: every OID reference resolves.

The XSD checks structure and types; it does not check that ``ItemOID="I.AE.AETERM"``
names an ItemDef, that the ItemDef belongs to the ItemGroupDef of its ItemGroupData,
that a Flag's value is in its code list, or that repeat keys are unique. The checks
stream the file (metadata first, as ODM orders it), so a large export is checked in
bounded memory apart from the sets of IDs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from npc_crf.exchange.odm import oids
from npc_crf.exchange.odm.datatypes import ELEMENT_FOR_TYPE, NULL_ELEMENT

_PREFIX = f"{{{oids.NS}}}"

#: definition element → the OID attribute that defines it
_DEFINITIONS = {
    "Study": "OID",
    "MetaDataVersion": "OID",
    "MeasurementUnit": "OID",
    "StudyEventDef": "OID",
    "FormDef": "OID",
    "ItemGroupDef": "OID",
    "ItemDef": "OID",
    "CodeList": "OID",
    "ConditionDef": "OID",
    "MethodDef": "OID",
    "User": "OID",
    "Location": "OID",
    "SignatureDef": "OID",
}

#: (element, attribute) → the definition it must name
_REFERENCES = {
    ("StudyEventRef", "StudyEventOID"): "StudyEventDef",
    ("FormRef", "FormOID"): "FormDef",
    ("ItemGroupRef", "ItemGroupOID"): "ItemGroupDef",
    ("ItemGroupRef", "CollectionExceptionConditionOID"): "ConditionDef",
    ("ItemRef", "ItemOID"): "ItemDef",
    ("ItemRef", "MethodOID"): "MethodDef",
    ("ItemRef", "CollectionExceptionConditionOID"): "ConditionDef",
    ("FormRef", "CollectionExceptionConditionOID"): "ConditionDef",
    ("CodeListRef", "CodeListOID"): "CodeList",
    ("MeasurementUnitRef", "MeasurementUnitOID"): "MeasurementUnit",
    ("MetaDataVersionRef", "StudyOID"): "Study",
    ("MetaDataVersionRef", "MetaDataVersionOID"): "MetaDataVersion",
    ("AdminData", "StudyOID"): "Study",
    ("ClinicalData", "StudyOID"): "Study",
    ("ClinicalData", "MetaDataVersionOID"): "MetaDataVersion",
    ("SiteRef", "LocationOID"): "Location",
    ("LocationRef", "LocationOID"): "Location",
    ("UserRef", "UserOID"): "User",
    ("SignatureRef", "SignatureOID"): "SignatureDef",
    ("StudyEventData", "StudyEventOID"): "StudyEventDef",
    ("FormData", "FormOID"): "FormDef",
    ("ItemGroupData", "ItemGroupOID"): "ItemGroupDef",
    ("FlagValue", "CodeListOID"): "CodeList",
    ("FlagType", "CodeListOID"): "CodeList",
}

_REFERENCES_OF: dict[str, list[tuple[str, str]]] = defaultdict(list)
for (_name, _attribute), _target in _REFERENCES.items():
    _REFERENCES_OF[_name].append((_attribute, _target))

#: references that make an element a child of the definition they are in
_CHILD_REFERENCE = {"FormRef": "FormOID", "ItemGroupRef": "ItemGroupOID", "ItemRef": "ItemOID"}


@dataclass
class _Definitions:
    oids: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    children: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    repeating: set[str] = field(default_factory=set)
    data_types: dict[str, str] = field(default_factory=dict)
    coded_values: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def _local(element: Any) -> str:
    name = str(element.tag)
    return name[len(_PREFIX) :] if name.startswith(_PREFIX) else name


class _Checker:
    def __init__(self) -> None:
        self.defs = _Definitions()
        self.problems: list[str] = []
        self.ids: set[str] = set()
        self.id_refs: list[tuple[int, str, str]] = []
        self.stack: list[tuple[str, str]] = []  # (element, its OID) of open definitions/data
        self.keys: list[set[tuple[str, str]]] = []  # repeat keys seen per open parent
        # references made before ClinicalData may point forward (ConditionDefs follow the
        # ItemRefs, Locations follow the Users): they are checked once all are defined
        self.deferred: list[tuple[int, str, str, str, str]] | None = []

    def problem(self, element: Any, text: str) -> None:
        self.problems.append(f"line {element.sourceline}: {text}")

    def start(self, element: Any) -> None:
        name = _local(element)
        get = element.get
        ident = get("ID")
        if ident is not None:
            if ident in self.ids:
                self.problem(element, f"ID {ident} is used twice.")
            self.ids.add(ident)
        defining = _DEFINITIONS.get(name)
        if defining:
            oid = get(defining, "")
            if oid in self.defs.oids[name]:
                self.problem(element, f"{name} {oid} is defined twice.")
            self.defs.oids[name].add(oid)
            if get("Repeating") == "Yes":
                self.defs.repeating.add(oid)
            if name == "ItemDef":
                self.defs.data_types[oid] = get("DataType", "")
        if name == "ClinicalData":
            self.check_deferred()
        for attribute, target in _REFERENCES_OF.get(name, ()):
            value = get(attribute)
            if value is None:
                continue
            if self.deferred is not None:
                self.deferred.append((element.sourceline, name, attribute, value, target))
            elif value not in self.defs.oids[target]:
                self.problem(element, f"{name} {attribute}={value} names no {target}.")
        child = _CHILD_REFERENCE.get(name)
        if child and self.stack:
            self.defs.children[self.stack[-1][1]].add(get(child, ""))
        if name == "CodeListItem" and self.stack:
            self.defs.coded_values[self.stack[-1][1]].add(get("CodedValue", ""))
        if name in ("StudyEventDef", "FormDef", "ItemGroupDef", "CodeList"):
            self.stack.append((name, get("OID", "")))
        elif name in ("SubjectData", "StudyEventData", "FormData", "ItemGroupData"):
            self._data(element, name)
        elif name.startswith("ItemData"):
            self._item(element, name)
        for attribute in ("AuditRecordID", "AnnotationID", "SignatureID"):
            if get(attribute) is not None:
                self.id_refs.append((element.sourceline, attribute, get(attribute)))

    def _data(self, element: Any, name: str) -> None:
        oid_attribute = {
            "SubjectData": "SubjectKey",
            "StudyEventData": "StudyEventOID",
            "FormData": "FormOID",
            "ItemGroupData": "ItemGroupOID",
        }[name]
        oid = element.get(oid_attribute, "")
        key_attribute = {
            "StudyEventData": "StudyEventRepeatKey",
            "FormData": "FormRepeatKey",
            "ItemGroupData": "ItemGroupRepeatKey",
        }.get(name)
        if name != "SubjectData" and self.stack:
            parent = self.stack[-1][1]
            if parent and oid not in self.defs.children.get(parent, set()):
                self.problem(
                    element, f"{name} {oid} is not referenced by the definition of {parent}."
                )
        if key_attribute and self.keys:
            key = element.get(key_attribute)
            if key is None and oid in self.defs.repeating:
                self.problem(element, f"{name} {oid} is repeating but has no {key_attribute}.")
            seen = self.keys[-1]
            if (oid, key or "") in seen:
                self.problem(element, f"{name} {oid} repeats the key {key!r} of a sibling.")
            seen.add((oid, key or ""))
        self.stack.append((name, oid if name != "SubjectData" else ""))
        self.keys.append(set())

    def _item(self, element: Any, name: str) -> None:
        item = element.get("ItemOID", "")
        if not self.stack or self.stack[-1][0] != "ItemGroupData":
            self.problem(element, f"{name} {item} is outside an ItemGroupData.")
            return
        group = self.stack[-1][1]
        if item not in self.defs.oids["ItemDef"]:
            self.problem(element, f"{name} ItemOID={item} names no ItemDef.")
        elif item not in self.defs.children.get(group, set()):
            self.problem(element, f"{name} {item} is not an item of ItemGroupDef {group}.")
        if name == NULL_ELEMENT:
            if element.get("IsNull") != "Yes":
                self.problem(element, f"{name} {item} has no IsNull='Yes' (npc-crf writes none).")
        elif ELEMENT_FOR_TYPE.get(self.defs.data_types.get(item, "")) != name:
            data_type = self.defs.data_types.get(item)
            self.problem(element, f"{name} {item} does not fit its DataType {data_type}.")
        unit = element.get("MeasurementUnitOID")
        if unit is not None and unit not in self.defs.oids["MeasurementUnit"]:
            self.problem(element, f"{name} {item} MeasurementUnitOID={unit} names no unit.")

    def end(self, element: Any) -> None:
        name = _local(element)
        if name in ("StudyEventDef", "FormDef", "ItemGroupDef", "CodeList"):
            self.stack.pop()
        elif name in ("SubjectData", "StudyEventData", "FormData", "ItemGroupData"):
            self.stack.pop()
            self.keys.pop()
        elif name in ("FlagValue", "FlagType"):
            codelist = element.get("CodeListOID", "")
            if (element.text or "") not in self.defs.coded_values.get(codelist, set()):
                self.problem(element, f"{name} {element.text!r} is not a code of {codelist}.")
        if name in ("SubjectData", "AuditRecords", "Annotations"):
            element.clear()

    def check_deferred(self) -> None:
        for line, name, attribute, value, target in self.deferred or ():
            if value not in self.defs.oids[target]:
                self.problems.append(f"line {line}: {name} {attribute}={value} names no {target}.")
        self.deferred = None

    def finish(self) -> list[str]:
        self.check_deferred()
        for line, attribute, target in self.id_refs:
            if target not in self.ids:
                self.problems.append(f"line {line}: {attribute}={target} names no element.")
        return self.problems


def check_references(path: Path) -> list[str]:
    """Every broken reference of an ODM file, as ``line N: what`` (empty: none)."""
    checker = _Checker()
    for event, element in etree.iterparse(str(path), events=("start", "end"), huge_tree=True):
        if event == "start":
            checker.start(element)
        else:
            checker.end(element)
    return checker.finish()
