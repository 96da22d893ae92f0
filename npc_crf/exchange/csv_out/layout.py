"""Which wide tables and columns an export has, and the order everything is sorted in.

The study definition decides the layout, so two exports of the same study have
the same files and columns whatever the data. Data the definition does not
describe (an item or a code list entry it does not have) still gets a column,
after the defined ones, and a warning, so nothing is silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from npc_crf.exchange.csv_out.dataset import Dataset, FormRecord
from npc_crf.forms.model import Form, Item, ItemType, Study

#: the key columns of every wide table, in order
FORM_KEYS = ("site_id", "subject_id", "event_oid", "occurrence", "form_status", "form_version")
#: the extra key columns of a repeating group's table
ROW_KEYS = ("row_position", "row_uid")
MISSING_SUFFIX = "__missing"
CHOICE_SEPARATOR = "___"
GROUP_SEPARATOR = "__"
#: Stata and SAS variable names hold at most 32 characters
NAME_LIMIT = 32


class Role(StrEnum):
    """What a wide column holds."""

    VALUE = "value"  # the value (codes joined by "|" for multiple choice)
    MISSING = "missing"  # the missing-data code
    CHOICE = "choice"  # 1/0: this code of a multiple choice was chosen


@dataclass(frozen=True)
class Column:
    """A data column of a wide table."""

    name: str
    item_oid: str
    role: Role
    code: str | int | None = None


@dataclass
class Table:
    """One wide file: a form's items outside groups, or one repeating group."""

    form_oid: str
    group_oid: str | None
    columns: list[Column] = field(default_factory=list)

    @property
    def path(self) -> str:
        """The file's path inside the export folder."""
        name = self.form_oid + (GROUP_SEPARATOR + self.group_oid if self.group_oid else "")
        return f"wide/{name}.csv"

    @property
    def header(self) -> list[str]:
        keys = list(FORM_KEYS) + (list(ROW_KEYS) if self.group_oid else [])
        return keys + [c.name for c in self.columns]


def exported_items(form: Form, *, strip_phi: bool) -> Iterable[tuple[Item, Item | None]]:
    """Every item of ``form`` that holds data (no notes, no groups), with its group."""
    for item, group in form.all_items():
        if item.is_group or item.type is ItemType.NOTE:
            continue
        if strip_phi and (item.phi or (group is not None and group.phi)):
            continue
        yield item, group


def has_missing_column(study: Study, item: Item) -> bool:
    """True when the definition lets ``item`` hold a missing-data code."""
    return item.takes_input and bool(study.missing_codes_for(item))


def defined_here(form: Form, group_oid: str | None, item_oid: str) -> bool:
    """True when the definition has ``item_oid`` as a data item in group ``group_oid`` (outside
    groups when None): its data then has a defined column."""
    item = form.item(item_oid)
    if item is None or item.is_group or item.type is ItemType.NOTE:
        return False
    owner = form.group_of(item_oid)
    return (owner.oid if owner else None) == group_oid


def code_name(code: str | int) -> str:
    """A code as a column-name fragment: letters, digits and ``_`` only."""
    text = str(code)
    if text.startswith("-"):
        text = "minus" + text[1:]
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


@dataclass
class Layout:
    """Every wide table of the export, how rows sort, and the warnings about the data."""

    study: Study
    tables: list[Table]
    event_rank: dict[str, int]
    form_rank: dict[str, int]
    item_rank: dict[tuple[str, str], tuple[int, int]]  # (form, item) → (top-level, column)
    warnings: list[str]
    withheld: frozenset[tuple[str, str]] = frozenset()  # (form, item) left out: PHI

    def exported(self, form_oid: str, item_oid: str) -> bool:
        """False for an item withheld from the export (PHI with ``strip_phi``)."""
        return (form_oid, item_oid) not in self.withheld

    def form_sort_key(self, form: FormRecord) -> tuple[str, str, int, str, int, int, str, str]:
        """Forms sort by site, subject, the event's place in the schedule, occurrence, and
        the form's place in the schedule (unknown events and forms last, by OID)."""
        return (
            form.site_id,
            form.subject_id,
            self.event_rank.get(form.event_oid, len(self.event_rank)),
            form.event_oid,
            form.occurrence,
            self.form_rank.get(form.form_oid, len(self.form_rank)),
            form.form_oid,
            form.uid,
        )


def schedule_forms(study: Study) -> list[str]:
    """Form OIDs in order of first appearance in the schedule, then the others by OID."""
    order: list[str] = []
    for event in study.events:
        for oid in event.forms:
            if oid not in order:
                order.append(oid)
    order += sorted(set(study.forms) - set(order))
    return order


class _Planner:
    """Builds the tables of a :class:`Layout`."""

    def __init__(self, study: Study, dataset: Dataset, strip_phi: bool) -> None:
        self.study = study
        self.dataset = dataset
        self.strip_phi = strip_phi
        self.warnings: list[str] = []
        # what the data holds: (form, group or None, item) → kinds seen and missing seen
        self.seen: dict[tuple[str, str | None, str], set[str]] = {}
        self.codes: dict[tuple[str, str], set[str | int]] = {}
        for form in dataset.forms:
            for value in form.values:
                group = value.row.group_oid if value.row else None
                key = (form.form_oid, group, value.item_oid)
                self.seen.setdefault(key, set()).add(value.kind or "missing")
                if value.kind == "codes":
                    self.codes.setdefault((form.form_oid, value.item_oid), set()).update(
                        value.codes
                    )
        self.withheld = frozenset(
            (f.oid, item.oid)
            for f in study.forms.values()
            for item, group in f.all_items()
            if strip_phi and (item.phi or (group is not None and group.phi))
        )
        self.row_groups = {(f.form_oid, r.group_oid) for f in dataset.forms for r in f.rows}

    def plan(self) -> Layout:
        study = self.study
        form_order = schedule_forms(study)
        data_forms = sorted({f.form_oid for f in self.dataset.forms} - set(form_order))
        tables: list[Table] = []
        item_rank: dict[tuple[str, str], tuple[int, int]] = {}
        for oid in form_order + data_forms:
            form = study.forms.get(oid)
            if form is None:
                self.warnings.append(
                    f"Form {oid} is not in study {study.oid} version {study.version}; its "
                    "columns come from the data alone, listed in the dictionary without a "
                    "definition."
                )
            tables += self._form_tables(oid, form, item_rank)
        return Layout(
            study=study,
            tables=tables,
            event_rank={e.oid: n for n, e in enumerate(study.events)},
            form_rank={oid: n for n, oid in enumerate(form_order + data_forms)},
            item_rank=item_rank,
            warnings=self.warnings,
            withheld=self.withheld,
        )

    def _form_tables(
        self, oid: str, form: Form | None, item_rank: dict[tuple[str, str], tuple[int, int]]
    ) -> list[Table]:
        main = Table(oid, None)
        groups: dict[str, Table] = {}
        top: dict[str, int] = {}
        if form is not None:
            for section in form.sections:
                for item in section.items:
                    top[item.oid] = len(top)
                    if item.is_group:  # every group has a table, even with no column left
                        groups[item.oid] = Table(oid, item.oid)
            for item, group in exported_items(form, strip_phi=self.strip_phi):
                if group is not None:
                    table = groups[group.oid]
                    rank = (top[group.oid], [c.oid for c in group.items].index(item.oid))
                else:
                    table, rank = main, (top[item.oid], 0)
                item_rank[(oid, item.oid)] = rank
                self._item_columns(table, item)
        self._data_only_columns(oid, form, main, groups)
        ordered = sorted(groups.values(), key=lambda t: top.get(t.group_oid or "", 1 << 30))
        for table in [main, *ordered]:
            self._check_names(table)
        return [main, *ordered]

    def _item_columns(self, table: Table, item: Item) -> None:
        form_oid = table.form_oid
        table.columns.append(Column(item.oid, item.oid, Role.VALUE))
        if item.type is ItemType.MULTIPLE_CHOICE:
            codelist = self.study.codelist_for(item)
            defined = [c.code for c in codelist.items] if codelist else []
            extra = self.codes.get((form_oid, item.oid), set()) - set(defined)
            if extra:
                self.warnings.append(
                    f"{form_oid}.{item.oid}: {len(extra)} code(s) in the data are not in code "
                    f"list {item.codelist}; they get their own columns after the defined ones."
                )
            taken = {c.name for c in table.columns}
            for code in defined + sorted(extra, key=lambda c: (isinstance(c, str), c)):
                name = base = f"{item.oid}{CHOICE_SEPARATOR}{code_name(code)}"
                n = 2
                while name in taken:
                    name, n = f"{base}_{n}", n + 1
                taken.add(name)
                table.columns.append(Column(name, item.oid, Role.CHOICE, code))
        group = table.group_oid
        if has_missing_column(self.study, item) or "missing" in self.seen.get(
            (form_oid, group, item.oid), set()
        ):
            table.columns.append(Column(item.oid + MISSING_SUFFIX, item.oid, Role.MISSING))

    def _data_only_columns(
        self, oid: str, form: Form | None, main: Table, groups: dict[str, Table]
    ) -> None:
        """Tables and columns for groups and items the data has and the definition does not."""
        for form_oid, row_group in sorted(self.row_groups):
            if form_oid == oid and row_group not in groups:
                groups[row_group] = Table(oid, row_group)
        found = sorted(
            ((g, i) for (f, g, i) in self.seen if f == oid),
            key=lambda gi: (gi[0] or "", gi[1]),
        )
        for group, item_oid in found:
            if (oid, item_oid) in self.withheld:
                continue
            if form is not None and defined_here(form, group, item_oid):
                continue  # exported in its own column
            table = main if group is None else groups.setdefault(group, Table(oid, group))
            if form is not None:
                where = f"{oid}.{group + '[].' if group else ''}{item_oid}"
                self.warnings.append(
                    f"{where}: the data has values for an item that this definition of form "
                    f"{oid} does not have there; they are exported in column {item_oid}."
                )
            table.columns.append(Column(item_oid, item_oid, Role.VALUE))
            if "missing" in self.seen[(oid, group, item_oid)]:
                table.columns.append(Column(item_oid + MISSING_SUFFIX, item_oid, Role.MISSING))

    def _check_names(self, table: Table) -> None:
        long = [c.name for c in table.columns if len(c.name) > NAME_LIMIT]
        if long:
            self.warnings.append(
                f"{table.path}: column(s) {', '.join(long)} are longer than {NAME_LIMIT} "
                "characters, the limit of Stata and SAS variable names."
            )


def plan_layout(study: Study, dataset: Dataset, *, strip_phi: bool = False) -> Layout:
    """The wide tables of an export of ``dataset`` under ``study``."""
    return _Planner(study, dataset, strip_phi).plan()
