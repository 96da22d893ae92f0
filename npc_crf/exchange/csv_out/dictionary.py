"""``dictionary.csv`` (one row per item) and ``codelists.csv`` (one row per code).

The dictionary follows REDCap's data dictionary where it can (choices written
``code, label | code, label``; branching logic; required; identifier) and adds
what an offline bilingual EDC has: both languages, units, hard and soft ranges,
calculations, the allowed missing-data codes, SDV, and the wide file and
columns where each item's data is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from npc_crf.exchange.csv_out.decode import MISSING_LIST, YES_NO, YES_NO_LIST
from npc_crf.exchange.csv_out.layout import (
    ROW_KEYS,
    Layout,
    Role,
    Table,
    defined_here,
    has_missing_column,
)
from npc_crf.forms.model import CodeList, Form, Item, ItemType, Range, Study, Text, ValueType

DICTIONARY_HEADER = (
    "form_oid",
    "form_version",
    "form_title_en",
    "form_title_zh",
    "section_oid",
    "section_title_en",
    "section_title_zh",
    "section_relevant",
    "group_oid",
    "item_oid",
    "order",
    "field_type",
    "data_type",
    "label_en",
    "label_zh",
    "units_en",
    "units_zh",
    "precision",
    "max_length",
    "min_precision",
    "codelist",
    "choices_en",
    "choices_zh",
    "hard_min",
    "hard_max",
    "soft_min",
    "soft_max",
    "required",
    "relevant",
    "calculation",
    "checks",
    "missing_codes",
    "identifier",
    "sdv",
    "wide_file",
    "wide_columns",
    "note",
)
CODELISTS_HEADER = ("codelist", "order", "code", "label_en", "label_zh")

_DATA_TYPES = {
    ItemType.TEXT: "text",
    ItemType.LONG_TEXT: "text",
    ItemType.INTEGER: "integer",
    ItemType.DECIMAL: "decimal",
    ItemType.DATE: "date",
    ItemType.PARTIAL_DATE: "partial_date",
    ItemType.TIME: "time",
    ItemType.DATETIME: "datetime",
    ItemType.YES_NO: "boolean",
    ItemType.MULTIPLE_CHOICE: "codes",
    ItemType.FILE: "text",
}
_VALUE_TYPES = {
    ValueType.TEXT: "text",
    ValueType.INTEGER: "integer",
    ValueType.DECIMAL: "decimal",
    ValueType.DATE: "date",
    ValueType.YES_NO: "boolean",
}
SEPARATOR = " | "


def data_type(study: Study, item: Item) -> str:
    """How to read the item's cells: text, integer, decimal, date, partial_date, time,
    datetime, boolean (1/0), codes (``|``-separated), or the code list's type."""
    if item.type in (ItemType.SINGLE_CHOICE, ItemType.LOOKUP):
        codelist = study.codelist_for(item)
        return "integer" if codelist is not None and codelist.type == "integer" else "text"
    if item.type is ItemType.CALCULATED:
        return _VALUE_TYPES.get(item.value_type, "text") if item.value_type else "text"
    return _DATA_TYPES.get(item.type, "text")


def _text(value: Text | None, lang: str) -> str:
    return value.get(lang) if value is not None else ""


def _bound(value: Decimal | dt.date | None) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _range(bounds: Range | None) -> tuple[str, str]:
    return (_bound(bounds.min), _bound(bounds.max)) if bounds else ("", "")


def _choices(study: Study, item: Item, lang: str) -> str:
    if item.type is ItemType.YES_NO or (
        item.type is ItemType.CALCULATED and item.value_type is ValueType.YES_NO
    ):
        return SEPARATOR.join(f"{code}, {text.get(lang)}" for code, text in YES_NO)
    codelist = study.codelist_for(item)
    if codelist is None:
        return ""
    if codelist.source:  # a large built-in list: the codes are in codelists.csv
        if lang == "zh":
            return f"见 codelists.csv（{codelist.source} 的 {len(codelist.items)} 个编码）"
        return f"see codelists.csv ({len(codelist.items)} codes of {codelist.source})"
    return SEPARATOR.join(f"{c.code}, {c.label.get(lang)}" for c in codelist.items)


def _codelist_name(item: Item) -> str:
    if item.type is ItemType.YES_NO or (
        item.type is ItemType.CALCULATED and item.value_type is ValueType.YES_NO
    ):
        return YES_NO_LIST
    return item.codelist or ""


def _required(item: Item) -> str:
    if item.required_if is not None:
        return f"if {item.required_if.source}"
    return "yes" if item.required else "no"


def _checks(item: Item) -> str:
    return SEPARATOR.join(f"{c.severity.value}: {c.expr.source}" for c in item.constraints)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


class _Rows:
    """Builds the dictionary rows of one form."""

    def __init__(self, study: Study, layout: Layout, form: Form) -> None:
        self.study = study
        self.layout = layout
        self.form = form
        self.columns: dict[tuple[str | None, str], list[str]] = {}
        self.files: dict[str | None, Table] = {}
        for table in layout.tables:
            if table.form_oid != form.oid:
                continue
            self.files[table.group_oid] = table
            for column in table.columns:
                self.columns.setdefault((table.group_oid, column.item_oid), []).append(column.name)

    def rows(self) -> Iterator[list[str]]:
        order = 0
        for item, group in self.form.all_items():
            if item.type is ItemType.NOTE:
                continue
            order += 1
            yield self._row(item, group, order)

    def _row(self, item: Item, group: Item | None, order: int) -> list[str]:
        study, form = self.study, self.form
        section = form.section_of(item.oid)
        hard, soft = _range(item.hard_range), _range(item.soft_range)
        where = group.oid if group is not None else None
        if item.is_group:
            table = self.files.get(item.oid)
            wide_file = table.path if table is not None else ""
            columns = " ".join(ROW_KEYS)
            note = "a repeating group: one row per row of the group in its wide file"
        else:
            table = self.files.get(where)
            exported = self.layout.exported(form.oid, item.oid)
            wide_file = table.path if table is not None and exported else ""
            columns = " ".join(self.columns.get((where, item.oid), [])) if exported else ""
            note = "" if exported else "withheld: protected health information (--strip-phi)"
            if item.type is ItemType.CALCULATED:
                note = note or "calculated by the program, never entered"
        return [
            form.oid,
            form.version,
            form.title.en,
            form.title.zh,
            section.oid if section else "",
            _text(section.title if section else None, "en"),
            _text(section.title if section else None, "zh"),
            section.relevant.source if section and section.relevant else "",
            group.oid if group is not None else (item.oid if item.is_group else ""),
            item.oid,
            str(order),
            item.type.value,
            "" if item.is_group else data_type(study, item),
            item.label.en,
            item.label.zh,
            _text(item.unit, "en"),
            _text(item.unit, "zh"),
            "" if item.precision is None else str(item.precision),
            "" if item.max_length is None else str(item.max_length),
            item.min_precision or "",
            _codelist_name(item),
            _choices(study, item, "en"),
            _choices(study, item, "zh"),
            hard[0],
            hard[1],
            soft[0],
            soft[1],
            "" if not item.takes_input else _required(item),
            item.relevant.source if item.relevant else "",
            item.calculate.source if item.calculate else "",
            _checks(item),
            " ".join(study.missing_codes_for(item)) if has_missing_column(study, item) else "",
            _yes(item.phi),
            _yes(item.sdv),
            wide_file,
            columns,
            note,
        ]


def dictionary_rows(study: Study, layout: Layout) -> Iterator[list[str]]:
    """Every item of every form (notes excepted), forms in schedule order, items in
    definition order; then the items the data has and the definition does not."""
    for table in layout.tables:
        form = study.forms.get(table.form_oid)
        if form is None or table.group_oid is not None:
            continue
        yield from _Rows(study, layout, form).rows()
    for table in layout.tables:
        form = study.forms.get(table.form_oid)
        for column in table.columns:
            if column.role is not Role.VALUE:
                continue
            if form is not None and defined_here(form, table.group_oid, column.item_oid):
                continue
            yield _undefined_row(study, table, column.item_oid, form)


def _undefined_row(study: Study, table: Table, item_oid: str, form: Form | None) -> list[str]:
    row = dict.fromkeys(DICTIONARY_HEADER, "")
    row |= {
        "form_oid": table.form_oid,
        "form_version": form.version if form is not None else "",
        "group_oid": table.group_oid or "",
        "item_oid": item_oid,
        "wide_file": table.path,
        "wide_columns": " ".join(c.name for c in table.columns if c.item_oid == item_oid),
        "note": f"not in study {study.oid} version {study.version} at this place: "
        "values exported as stored, without a definition",
    }
    return [row[h] for h in DICTIONARY_HEADER]


def codelist_rows(study: Study, layout: Layout) -> Iterator[list[str]]:
    """Every code of the code lists the exported items use, then yes/no and missing codes."""
    used: dict[str, CodeList] = {}
    for table in layout.tables:
        form = study.forms.get(table.form_oid)
        if form is None:
            continue
        for column in table.columns:
            item = form.item(column.item_oid)
            codelist = study.codelist_for(item) if item is not None else None
            if codelist is not None:
                used[codelist.oid] = codelist
    for oid in sorted(used):
        for n, entry in enumerate(used[oid].items, start=1):
            yield [oid, str(n), str(entry.code), entry.label.en, entry.label.zh]
    for n, (code, text) in enumerate(YES_NO, start=1):
        yield [YES_NO_LIST, str(n), code, text.en, text.zh]
    for n, missing in enumerate(study.missing_codes, start=1):
        yield [MISSING_LIST, str(n), missing.code, missing.name.en, missing.name.zh]
