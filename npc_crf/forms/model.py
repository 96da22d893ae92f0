"""The definition model: frozen dataclasses built by the loader, read by everything else.

A loaded :class:`Study` is complete and checked: every reference resolves and
every expression has been parsed and type-checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from npc_crf.forms.expr.ast import Expr
from npc_crf.forms.problems import Location


@dataclass(frozen=True)
class Text:
    """Text a person reads, in English and Simplified Chinese."""

    en: str
    zh: str

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``en`` or ``zh``); English for anything else."""
        return self.zh if lang == "zh" else self.en


class ItemType(StrEnum):
    """The kinds of item a form can hold."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    PARTIAL_DATE = "partial_date"
    TIME = "time"
    DATETIME = "datetime"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    LOOKUP = "lookup"
    CALCULATED = "calculated"
    FILE = "file"
    NOTE = "note"
    GROUP = "group"


class ValueType(StrEnum):
    """Result types a calculated item may declare."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    YES_NO = "yes_no"


class Severity(StrEnum):
    """How a failed check is treated: soft warns (overridable with a reason), hard refuses."""

    SOFT = "soft"
    HARD = "hard"


class SdvLevel(StrEnum):
    """Which items of a form need source data verification."""

    ALL = "all"
    CRITICAL = "critical"
    NONE = "none"


class EventKind(StrEnum):
    """Scheduled visits have due dates; unscheduled are added; common belong to the subject."""

    SCHEDULED = "scheduled"
    UNSCHEDULED = "unscheduled"
    COMMON = "common"


class CriterionKind(StrEnum):
    """Inclusion criteria must hold; exclusion criteria must not."""

    INCLUSION = "inclusion"
    EXCLUSION = "exclusion"


@dataclass(frozen=True)
class Expression:
    """An expression as written, where it was written, and its syntax tree."""

    source: str
    tree: Expr = field(compare=False)
    loc: Location = field(compare=False)
    #: file position of each character offset of ``source`` (for error columns)
    offset_loc: tuple[Location, ...] = field(compare=False, repr=False)

    def location_of(self, pos: int) -> Location:
        """The file position of character ``pos`` of the source."""
        if not self.offset_loc:
            return self.loc
        return self.offset_loc[min(pos, len(self.offset_loc) - 1)]


@dataclass(frozen=True)
class CodeItem:
    """One coded value of a code list with its decode."""

    code: str | int
    label: Text


@dataclass(frozen=True)
class CodeList:
    """Coded values with bilingual decodes; ``source`` names a built-in list."""

    oid: str
    type: str  # "text" | "integer"
    items: tuple[CodeItem, ...]
    source: str | None = None
    loc: Location | None = field(default=None, compare=False)

    def get(self, code: object) -> CodeItem | None:
        """The item for ``code``, or None."""
        return self._index().get(code)  # type: ignore[call-overload, no-any-return]

    def _index(self) -> dict[str | int, CodeItem]:
        cache: dict[str | int, CodeItem] | None = self.__dict__.get("_cache")
        if cache is None:
            cache = {item.code: item for item in self.items}
            object.__setattr__(self, "_cache", cache)
        return cache


@dataclass(frozen=True)
class Range:
    """Bounds for a number or a date; either may be None."""

    min: Decimal | dt.date | None
    max: Decimal | dt.date | None


@dataclass(frozen=True)
class Constraint:
    """A check that must hold; ``message`` is shown when it does not."""

    expr: Expression
    severity: Severity
    message: Text


@dataclass(frozen=True)
class Item:
    """An item of a form (a question, a calculation, a note) or a repeating group."""

    oid: str
    type: ItemType
    label: Text
    loc: Location = field(compare=False)
    help: Text | None = None
    required: bool = False
    required_if: Expression | None = None
    relevant: Expression | None = None
    phi: bool = False
    sdv: bool = False
    missing_codes: tuple[str, ...] | None = None  # None: all the study's codes
    unit: Text | None = None
    precision: int | None = None
    max_length: int | None = None
    hard_range: Range | None = None
    soft_range: Range | None = None
    constraints: tuple[Constraint, ...] = ()
    codelist: str | None = None
    appearance: str | None = None
    calculate: Expression | None = None
    value_type: ValueType | None = None
    min_precision: str | None = None
    accept: tuple[str, ...] = ()
    max_size_mb: int | None = None
    min_rows: int | None = None
    max_rows: int | None = None
    items: tuple[Item, ...] = ()  # the columns of a group

    @property
    def is_group(self) -> bool:
        """True for a repeating group."""
        return self.type is ItemType.GROUP

    @property
    def takes_input(self) -> bool:
        """True for items the nurse answers (not notes, calculations or groups)."""
        return self.type not in (ItemType.NOTE, ItemType.CALCULATED, ItemType.GROUP)


@dataclass(frozen=True)
class Section:
    """A titled part of a form."""

    oid: str
    title: Text
    items: tuple[Item, ...]
    loc: Location = field(compare=False)
    help: Text | None = None
    relevant: Expression | None = None


@dataclass(frozen=True)
class Form:
    """A form definition, one version of it."""

    oid: str
    version: str
    title: Text
    sections: tuple[Section, ...]
    loc: Location = field(compare=False)
    sdv: SdvLevel = SdvLevel.NONE
    help: Text | None = None
    codelists: tuple[CodeList, ...] = ()
    file: str = field(default="", compare=False)

    def all_items(self) -> Iterator[tuple[Item, Item | None]]:
        """Every item with the group it is in (None outside groups), groups included."""
        for section in self.sections:
            for item in section.items:
                yield item, None
                for column in item.items:
                    yield column, item

    def item(self, oid: str) -> Item | None:
        """The item (or group) ``oid`` anywhere in the form."""
        return self._index().get(oid, (None, None))[0]

    def group_of(self, oid: str) -> Item | None:
        """The group that holds item ``oid``, or None."""
        return self._index().get(oid, (None, None))[1]

    def section_of(self, oid: str) -> Section | None:
        """The section that holds item ``oid``."""
        cache: dict[str, Section] | None = self.__dict__.get("_sections")
        if cache is None:
            cache = {}
            for section in self.sections:
                for item in section.items:
                    cache[item.oid] = section
                    for column in item.items:
                        cache[column.oid] = section
            object.__setattr__(self, "_sections", cache)
        return cache.get(oid)

    def _index(self) -> dict[str, tuple[Item, Item | None]]:
        cache: dict[str, tuple[Item, Item | None]] | None = self.__dict__.get("_cache")
        if cache is None:
            cache = {item.oid: (item, group) for item, group in self.all_items()}
            object.__setattr__(self, "_cache", cache)
        return cache


@dataclass(frozen=True)
class Phase:
    """One phase of a repeating schedule: every ``every`` days, ``times`` times (None: on)."""

    every: int
    times: int | None


@dataclass(frozen=True)
class Window:
    """Days before and after the due date that still count as on time."""

    before: int
    after: int


@dataclass(frozen=True)
class Event:
    """A visit or moment in the schedule, and the forms it holds."""

    oid: str
    name: Text
    kind: EventKind
    forms: tuple[str, ...]
    loc: Location = field(compare=False)
    repeating: bool = False
    anchor: str | None = None  # an anchor name or "previous"
    offset: int = 0
    window: Window | None = None
    repeat: tuple[Phase, ...] = ()
    max_occurrences: int | None = None
    date_item: tuple[str, str] | None = None  # (form, item)


@dataclass(frozen=True)
class Named:
    """A code or OID with a bilingual name (arms, roles, meanings, missing codes)."""

    code: str
    name: Text


@dataclass(frozen=True)
class Parameter:
    """A protocol threshold used in expressions as ``param('name')``."""

    name: str
    value: Decimal | str | bool
    label: Text
    unit: str | None = None


@dataclass(frozen=True)
class ReferenceRange:
    """A laboratory analyte's normal range: study default, a site may override."""

    analyte: str
    label: Text
    unit: str
    lln: Decimal | None = None
    uln: Decimal | None = None


@dataclass(frozen=True)
class Anchor:
    """A named date of the subject that schedules and expressions count from."""

    name: str
    label: Text
    date: Expression


@dataclass(frozen=True)
class Criterion:
    """A computed eligibility criterion."""

    id: str
    kind: CriterionKind
    text: Text
    expr: Expression


@dataclass(frozen=True)
class Protocol:
    """The protocol the study follows."""

    id: str
    version: str
    title: Text
    registry: str | None = None


@dataclass(frozen=True)
class Study:
    """A study with its schedule, forms and code lists, loaded and checked."""

    oid: str
    version: str
    name: Text
    protocol: Protocol
    arms: tuple[Named, ...]
    roles: tuple[Named, ...]
    signature_meanings: tuple[Named, ...]
    missing_codes: tuple[Named, ...]
    parameters: dict[str, Parameter] = field(hash=False)
    reference_ranges: dict[str, ReferenceRange] = field(hash=False)
    anchors: dict[str, Anchor] = field(hash=False)
    events: tuple[Event, ...]
    eligibility: tuple[Criterion, ...]
    forms: dict[str, Form] = field(hash=False)
    codelists: dict[str, CodeList] = field(hash=False)
    folder: str = ""
    #: protocol choices of the oncology engines: section -> setting -> value
    #: (``oncology:`` in the study file; see docs/oncology-settings.md)
    oncology: dict[str, dict[str, object]] = field(default_factory=dict, hash=False)

    def event(self, oid: str) -> Event | None:
        """The event ``oid``, or None."""
        return next((e for e in self.events if e.oid == oid), None)

    def codelist_for(self, item: Item) -> CodeList | None:
        """The code list an item uses."""
        return self.codelists.get(item.codelist) if item.codelist else None

    def missing_codes_for(self, item: Item) -> tuple[str, ...]:
        """The missing-data codes an item accepts."""
        if item.missing_codes is not None:
            return item.missing_codes
        return tuple(code.code for code in self.missing_codes)
