"""The study definition as ODM metadata: ``Study/GlobalVariables/BasicDefinitions/MetaDataVersion``.

Elements are appended in the order of the XSD sequences (ODM1-3-2-foundation.xsd):
MetaDataVersion holds Protocol, StudyEventDef*, FormDef*, ItemGroupDef*, ItemDef*,
CodeList*, ConditionDef*, MethodDef*; an ItemDef holds Description?, Question?,
MeasurementUnitRef*, RangeCheck*, CodeListRef?, Alias*. The mapping is in docs/odm.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from npc_crf.exchange.odm import oids
from npc_crf.exchange.odm.datatypes import codelist_data_type, data_type
from npc_crf.exchange.odm.elements import Element, alias, root, sub, translated
from npc_crf.exchange.odm.npc_lists import annotation_lists
from npc_crf.forms.model import (
    CodeList,
    EventKind,
    Expression,
    Form,
    Item,
    ItemType,
    Range,
    Section,
    Severity,
    Study,
    Text,
)

#: the Alias contexts we write on ItemDefs (each at most once per ItemDef)
TYPE_ALIAS = "npc-crf:type"

_EVENT_TYPES = {
    EventKind.SCHEDULED: "Scheduled",
    EventKind.UNSCHEDULED: "Unscheduled",
    EventKind.COMMON: "Common",
}


def yes_no(flag: bool) -> str:
    """ODM ``Yes`` / ``No``."""
    return "Yes" if flag else "No"


def holds_data(item: Item) -> bool:
    """True for items that get an ItemDef (not notes, not the group itself)."""
    return item.type not in (ItemType.NOTE, ItemType.GROUP)


@dataclass(frozen=True)
class PlacedItem:
    """An item of a form with where it sits: its section and its repeating group."""

    item: Item
    section: Section
    group: Item | None


def placed_items(form: Form) -> Iterator[PlacedItem]:
    """Every item of a form with its section and group, in form order (groups included)."""
    for section in form.sections:
        for item in section.items:
            yield PlacedItem(item, section, None)
            for column in item.items:
                yield PlacedItem(column, section, item)


def unit_oids(study: Study) -> dict[Text, str]:
    """MeasurementUnit OID of every unit the study's items use, in first-use order."""
    found: dict[Text, str] = {}
    taken: set[str] = set()
    for form in study.forms.values():
        for item, _group in form.all_items():
            if item.unit is None or item.unit in found:
                continue
            candidate = oids.unit_candidate(item.unit)
            unique, n = candidate, 1
            while unique in taken:
                n += 1
                unique = f"{candidate}.{n}"
            taken.add(unique)
            found[item.unit] = unique
    return found


def form_order(study: Study) -> list[Form]:
    """The forms in the order the schedule first uses them, then any others."""
    seen: dict[str, Form] = {}
    for event in study.events:
        for oid in event.forms:
            if oid in study.forms and oid not in seen:
                seen[oid] = study.forms[oid]
    for oid, form in study.forms.items():
        seen.setdefault(oid, form)
    return list(seen.values())


def _condition_text(*expressions: Expression | None) -> str | None:
    """Our expression for "collected": the conjunction of the relevances given."""
    parts = [e.source.strip() for e in expressions if e is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else " and ".join(f"({p})" for p in parts)


@dataclass(frozen=True)
class _Condition:
    oid: str
    target: str
    collected_when: str


class MetadataBuilder:
    """Builds the Study element of one study definition."""

    def __init__(self, study: Study) -> None:
        self.study = study
        self.units = unit_oids(study)
        self.mdv_oid = oids.mdv(study.version)
        self._conditions: list[_Condition] = []
        self._methods: list[tuple[str, str, Expression]] = []

    def build(self) -> Element:
        """The complete ``Study`` element."""
        study = self.study
        element = root("Study", {"OID": study.oid})
        gv = sub(element, "GlobalVariables")
        sub(gv, "StudyName", text=study.name.en)
        sub(gv, "StudyDescription", text=study.protocol.title.en)
        sub(gv, "ProtocolName", text=study.protocol.id)
        if self.units:
            basic = sub(element, "BasicDefinitions")
            for unit, oid in self.units.items():
                mu = sub(basic, "MeasurementUnit", {"OID": oid, "Name": unit.en})
                translated(mu, "Symbol", unit)
        self._metadata_version(element)
        return element

    # -- MetaDataVersion --------------------------------------------------------------------

    def _metadata_version(self, parent: Element) -> None:
        study = self.study
        mdv = sub(
            parent,
            "MetaDataVersion",
            {
                "OID": self.mdv_oid,
                "Name": f"{study.oid} {study.version}",
                "Description": f"npc-crf study definition {study.oid} version {study.version}",
            },
        )
        self._protocol(mdv)
        for event in study.events:
            sed = sub(
                mdv,
                "StudyEventDef",
                {
                    "OID": oids.event(event.oid),
                    "Name": event.name.en,
                    "Repeating": yes_no(event.repeating),
                    "Type": _EVENT_TYPES[event.kind],
                },
            )
            translated(sed, "Description", event.name)
            for n, form_oid in enumerate(event.forms, start=1):
                sub(
                    sed,
                    "FormRef",
                    {"FormOID": oids.form(form_oid), "OrderNumber": str(n), "Mandatory": "No"},
                )
        forms = form_order(study)
        for form in forms:
            self._form_def(mdv, form)
        for form in forms:
            self._item_group_defs(mdv, form)
        for form in forms:
            for placed in placed_items(form):
                if holds_data(placed.item):
                    self._item_def(mdv, form, placed)
        for codelist in study.codelists.values():
            self._codelist(mdv, oids.codelist(codelist.oid), codelist)
        for codelist in annotation_lists(study):
            self._codelist(mdv, codelist.oid, codelist)
        for condition in self._conditions:
            cd = sub(
                mdv, "ConditionDef", {"OID": condition.oid, "Name": f"Skip {condition.target}"}
            )
            translated(
                cd,
                "Description",
                Text(
                    f"{condition.target} is not collected unless: {condition.collected_when}",
                    f"仅在满足以下条件时采集{condition.target}：{condition.collected_when}",
                ),
            )
            sub(
                cd,
                "FormalExpression",
                {"Context": oids.EXPRESSION_CONTEXT},
                f"not ({condition.collected_when})",
            )
        for oid, name, expression in self._methods:
            md = sub(
                mdv, "MethodDef", {"OID": oid, "Name": f"Calculate {name}", "Type": "Computation"}
            )
            source = expression.source.strip()
            translated(md, "Description", Text(f"Calculated: {source}", f"计算：{source}"))
            sub(md, "FormalExpression", {"Context": oids.EXPRESSION_CONTEXT}, source)

    def _protocol(self, mdv: Element) -> None:
        study = self.study
        protocol = sub(mdv, "Protocol")
        translated(protocol, "Description", study.protocol.title)
        for n, event in enumerate(study.events, start=1):
            sub(
                protocol,
                "StudyEventRef",
                {
                    "StudyEventOID": oids.event(event.oid),
                    "OrderNumber": str(n),
                    "Mandatory": yes_no(event.kind is EventKind.SCHEDULED),
                },
            )
        alias(protocol, "npc-crf:protocol-version", study.protocol.version)
        if study.protocol.registry:
            alias(protocol, "npc-crf:registry", study.protocol.registry)

    def _condition(self, form: Form, target: Item, *relevances: Expression | None) -> str | None:
        collected = _condition_text(*relevances)
        if collected is None:
            return None
        oid = oids.condition(form.oid, target.oid)
        self._conditions.append(_Condition(oid, f"{form.oid}.{target.oid}", collected))
        return oid

    def _form_def(self, mdv: Element, form: Form) -> None:
        fd = sub(
            mdv, "FormDef", {"OID": oids.form(form.oid), "Name": form.title.en, "Repeating": "No"}
        )
        translated(fd, "Description", form.title)
        order = 0
        if any(p.group is None and holds_data(p.item) for p in placed_items(form)):
            order += 1
            sub(
                fd,
                "ItemGroupRef",
                {
                    "ItemGroupOID": oids.plain_group(form.oid),
                    "OrderNumber": "1",
                    "Mandatory": "Yes",
                },
            )
        for section in form.sections:
            for group in (i for i in section.items if i.is_group):
                order += 1
                attrib = {
                    "ItemGroupOID": oids.repeating_group(form.oid, group.oid),
                    "OrderNumber": str(order),
                    "Mandatory": yes_no((group.min_rows or 0) > 0),
                }
                condition = self._condition(form, group, section.relevant, group.relevant)
                if condition:
                    attrib["CollectionExceptionConditionOID"] = condition
                sub(fd, "ItemGroupRef", attrib)
        alias(fd, "npc-crf:version", form.version)

    def _item_group_defs(self, mdv: Element, form: Form) -> None:
        plain = [p for p in placed_items(form) if p.group is None and holds_data(p.item)]
        if plain:
            ig = sub(
                mdv,
                "ItemGroupDef",
                {"OID": oids.plain_group(form.oid), "Name": form.oid, "Repeating": "No"},
            )
            translated(ig, "Description", form.title)
            for n, placed in enumerate(plain, start=1):
                self._item_ref(ig, form, placed, n)
        for section in form.sections:
            for group in (i for i in section.items if i.is_group):
                ig = sub(
                    mdv,
                    "ItemGroupDef",
                    {
                        "OID": oids.repeating_group(form.oid, group.oid),
                        "Name": group.oid,
                        "Repeating": "Yes",
                    },
                )
                translated(ig, "Description", group.label)
                columns = [c for c in group.items if holds_data(c)]
                for n, column in enumerate(columns, start=1):
                    self._item_ref(ig, form, PlacedItem(column, section, group), n)

    def _item_ref(self, ig: Element, form: Form, placed: PlacedItem, order: int) -> None:
        item = placed.item
        attrib = {
            "ItemOID": oids.item(form.oid, item.oid),
            "OrderNumber": str(order),
            "Mandatory": yes_no(item.required),
        }
        # a group's own relevance (and its section's) sits on its ItemGroupRef
        section_relevance = placed.section.relevant if placed.group is None else None
        condition = self._condition(form, item, section_relevance, item.relevant)
        if condition:
            attrib["CollectionExceptionConditionOID"] = condition
        if item.calculate is not None:
            oid = oids.method(form.oid, item.oid)
            self._methods.append((oid, f"{form.oid}.{item.oid}", item.calculate))
            attrib["MethodOID"] = oid
        sub(ig, "ItemRef", attrib)

    # -- ItemDef ----------------------------------------------------------------------------

    def _item_def(self, mdv: Element, form: Form, placed: PlacedItem) -> None:
        item = placed.item
        codelist = self.study.codelist_for(item)
        odm_type = data_type(item, codelist)
        attrib = {"OID": oids.item(form.oid, item.oid), "Name": item.oid, "DataType": odm_type}
        length = _length(item, codelist, odm_type)
        if length:
            attrib["Length"] = str(length)
        if item.precision is not None and odm_type == "float":
            attrib["SignificantDigits"] = str(item.precision)
        attrib["Origin"] = "Derived" if item.type is ItemType.CALCULATED else "CRF"
        idef = sub(mdv, "ItemDef", attrib)
        if item.help is not None:
            translated(idef, "Description", item.help)
        translated(idef, "Question", item.label)
        if item.unit is not None:
            sub(idef, "MeasurementUnitRef", {"MeasurementUnitOID": self.units[item.unit]})
        _range_checks(idef, item.hard_range, "Hard")
        _range_checks(idef, item.soft_range, "Soft")
        for constraint in item.constraints:
            check = sub(
                idef,
                "RangeCheck",
                {"SoftHard": "Hard" if constraint.severity is Severity.HARD else "Soft"},
            )
            sub(
                check,
                "FormalExpression",
                {"Context": oids.EXPRESSION_CONTEXT},
                constraint.expr.source.strip(),
            )
            translated(check, "ErrorMessage", constraint.message)
        if codelist is not None:
            sub(idef, "CodeListRef", {"CodeListOID": oids.codelist(codelist.oid)})
        self._item_aliases(idef, placed)

    def _item_aliases(self, idef: Element, placed: PlacedItem) -> None:
        item = placed.item
        alias(idef, TYPE_ALIAS, item.type.value)
        alias(idef, "npc-crf:section", placed.section.oid)
        if item.takes_input:
            alias(idef, "npc-crf:missing-codes", " ".join(self.study.missing_codes_for(item)))
        if item.required_if is not None:
            alias(idef, "npc-crf:required-if", item.required_if.source.strip())
        if item.min_precision:
            alias(idef, "npc-crf:min-precision", item.min_precision)
        if item.phi:
            alias(idef, "npc-crf:phi", "yes")
        if item.sdv:
            alias(idef, "npc-crf:sdv", "yes")

    # -- CodeList ---------------------------------------------------------------------------

    def _codelist(self, mdv: Element, oid: str, codelist: CodeList) -> None:
        if not codelist.items:
            return
        cl = sub(
            mdv,
            "CodeList",
            {"OID": oid, "Name": codelist.oid, "DataType": codelist_data_type(codelist)},
        )
        for n, code in enumerate(codelist.items, start=1):
            cli = sub(cl, "CodeListItem", {"CodedValue": str(code.code), "OrderNumber": str(n)})
            translated(cli, "Decode", code.label)
        if codelist.source:
            alias(cl, "npc-crf:source", codelist.source)


def _length(item: Item, codelist: CodeList | None, odm_type: str) -> int | None:
    if odm_type != "string":
        return None
    if item.max_length:
        return item.max_length
    if codelist is not None and item.type is not ItemType.MULTIPLE_CHOICE and codelist.items:
        return max(len(str(c.code)) for c in codelist.items)
    return None


def _bound_text(bound: Decimal | dt.date) -> str:
    return bound.isoformat() if isinstance(bound, dt.date) else format(bound, "f")


_RANGE_MESSAGES = {
    ("Hard", "GE", False): ("Must be at least {v}.", "不得小于{v}。"),
    ("Hard", "LE", False): ("Must be at most {v}.", "不得大于{v}。"),
    ("Soft", "GE", False): (
        "Expected to be at least {v}; a lower value needs a reason.",
        "预期不小于{v}；更小的值须说明原因。",
    ),
    ("Soft", "LE", False): (
        "Expected to be at most {v}; a higher value needs a reason.",
        "预期不大于{v}；更大的值须说明原因。",
    ),
    ("Hard", "GE", True): ("Must be on or after {v}.", "不得早于{v}。"),
    ("Hard", "LE", True): ("Must be on or before {v}.", "不得晚于{v}。"),
    ("Soft", "GE", True): (
        "Expected on or after {v}; an earlier date needs a reason.",
        "预期不早于{v}；更早的日期须说明原因。",
    ),
    ("Soft", "LE", True): (
        "Expected on or before {v}; a later date needs a reason.",
        "预期不晚于{v}；更晚的日期须说明原因。",
    ),
}


def _range_checks(idef: Element, bounds: Range | None, soft_hard: str) -> None:
    if bounds is None:
        return
    for comparator, bound in (("GE", bounds.min), ("LE", bounds.max)):
        if bound is None:
            continue
        text = _bound_text(bound)
        en, zh = _RANGE_MESSAGES[(soft_hard, comparator, isinstance(bound, dt.date))]
        check = sub(idef, "RangeCheck", {"Comparator": comparator, "SoftHard": soft_hard})
        sub(check, "CheckValue", text=text)
        translated(check, "ErrorMessage", Text(en.format(v=text), zh.format(v=text)))


def build_study(study: Study) -> Element:
    """The ODM ``Study`` element of a study definition."""
    return MetadataBuilder(study).build()
