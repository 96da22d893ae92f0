"""Static checking of expressions: references resolve and types fit.

The checker runs once per expression when the study loads. Errors are
``(offset, message)`` pairs; the loader turns offsets into file positions.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import Decimal

from npc_crf.forms.expr import types as ty
from npc_crf.forms.expr.ast import (
    Binary,
    Call,
    CrossRef,
    Expr,
    InList,
    ItemRef,
    Literal,
    SelfRef,
    Unary,
)
from npc_crf.forms.expr.types import T
from npc_crf.forms.model import Event, Form, Item, ItemType, Study, ValueType

_SIMPLE_TYPES: dict[ItemType, T] = {
    ItemType.TEXT: ty.TEXT,
    ItemType.LONG_TEXT: ty.TEXT,
    ItemType.LOOKUP: ty.TEXT,
    ItemType.FILE: ty.TEXT,
    ItemType.INTEGER: ty.NUMBER,
    ItemType.DECIMAL: ty.NUMBER,
    ItemType.DATE: ty.DATE,
    ItemType.PARTIAL_DATE: ty.DATE,
    ItemType.TIME: ty.TIME,
    ItemType.DATETIME: ty.DATETIME,
    ItemType.YES_NO: ty.BOOL,
}

_VALUE_TYPES: dict[ValueType, T] = {
    ValueType.TEXT: ty.TEXT,
    ValueType.INTEGER: ty.NUMBER,
    ValueType.DECIMAL: ty.NUMBER,
    ValueType.DATE: ty.DATE,
    ValueType.YES_NO: ty.BOOL,
}


def item_type(study: Study, item: Item) -> T | None:
    """The static type of an item's value; None for notes and groups."""
    if item.type in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[item.type]
    if item.type in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE):
        codelist = study.codelists.get(item.codelist or "")
        kind = "number" if codelist is not None and codelist.type == "integer" else "text"
        if item.type is ItemType.MULTIPLE_CHOICE:
            return T("set", codelist=item.codelist, elem=T(kind, codelist=item.codelist))
        return T(kind, codelist=item.codelist)
    if item.type is ItemType.CALCULATED and item.value_type is not None:
        return _VALUE_TYPES[item.value_type]
    return None


class CheckError(Exception):
    """Raised inside the checker to abandon one sub-expression."""

    def __init__(self, pos: int, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


def suggest(name: str, choices: list[str]) -> str:
    """`` (did you mean 'X'?)`` when a close match exists, else ``''``."""
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass
class Scope:
    """Where an expression stands: its study, form, row group and own item."""

    study: Study
    form: Form | None = None
    group: Item | None = None
    self_item: Item | None = None
    #: events the form is held in (for same-event references)
    events: tuple[Event, ...] = ()
    #: forms that exist but failed to load: references into them are not checked
    unavailable: frozenset[str] = frozenset()


class Unavailable(Exception):
    """A reference into a form that failed to load; its own problems were reported."""


@dataclass(frozen=True)
class Resolved:
    """What a cross-form reference points at."""

    event: Event | None  # None: the same event as the expression's form
    form: Form
    item: Item  # an item, a group, or a group column
    group: Item | None  # the group holding ``item`` when it is a column


class Checker:
    """Type-checks one expression in a scope, collecting every error found."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.errors: list[tuple[int, str]] = []

    def run(self, node: Expr, want: T | None = None) -> T | None:
        """Check ``node``; when ``want`` is given, require that type. Returns the type."""
        try:
            result = self.check(node)
        except CheckError as exc:
            self.errors.append((exc.pos, exc.message))
            return None
        except Unavailable:
            return None
        if want is not None and result.kind not in (want.kind, "null"):
            self.errors.append((node.pos, f"expected {want} but the expression gives {result}"))
        return result

    def within(self, scope: Scope) -> Checker:
        """A checker for a sub-expression in another scope sharing this error list."""
        sub = Checker(scope)
        sub.errors = self.errors
        return sub

    # -- nodes ---------------------------------------------------------------

    def check(self, node: Expr) -> T:
        """The type of ``node``; raises CheckError on the first error in it."""
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, SelfRef):
            item = self.scope.self_item
            t = item_type(self.scope.study, item) if item is not None else None
            if t is None:
                raise CheckError(
                    node.pos, "'.' (this item's value) is only allowed in an item's constraints"
                )
            return t
        if isinstance(node, ItemRef):
            return self.item_ref(node)
        if isinstance(node, CrossRef):
            return self.cross_ref_type(node)
        if isinstance(node, Unary):
            return self.unary(node)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, InList):
            return self.in_list(node)
        if isinstance(node, Call):
            from npc_crf.forms.expr.functions import FUNCTIONS

            spec = FUNCTIONS.get(node.name)
            if spec is None:
                raise CheckError(
                    node.pos,
                    f"unknown function '{node.name}'" + suggest(node.name, list(FUNCTIONS)),
                )
            if not spec.min_args <= len(node.args) <= spec.max_args:
                raise CheckError(
                    node.pos, f"{node.name}() takes {spec.arity_text()}, not {len(node.args)}"
                )
            return spec.check(self, node)
        raise CheckError(node.pos, "unsupported expression")  # pragma: no cover

    @staticmethod
    def literal(node: Literal) -> T:
        if node.value is None:
            return ty.NULL
        if isinstance(node.value, bool):
            return ty.BOOL
        if isinstance(node.value, Decimal):
            return ty.NUMBER
        return ty.TEXT

    def unary(self, node: Unary) -> T:
        t = self.check(node.operand)
        if node.op == "not":
            self.need(node.operand, t, "bool", "'not' needs a yes/no value")
            return ty.BOOL
        self.need(node.operand, t, "number", "'-' needs a number")
        return ty.NUMBER

    def binary(self, node: Binary) -> T:
        left = self.check(node.left)
        right = self.check(node.right)
        op = node.op
        if op in ("and", "or"):
            self.need(node.left, left, "bool", f"'{op}' needs yes/no values")
            self.need(node.right, right, "bool", f"'{op}' needs yes/no values")
            return ty.BOOL
        if op in ("=", "!=", "<", "<=", ">", ">="):
            ordered = op not in ("=", "!=")
            if not ty.comparable(left, right, ordered):
                raise CheckError(node.pos, f"cannot compare {left} with {right} using '{op}'")
            self.check_code(left, node.right)
            self.check_code(right, node.left)
            return ty.BOOL
        if op in ("+", "-"):
            if left.kind in ("number", "null") and right.kind in ("number", "null"):
                return ty.NUMBER
            if left.kind == "date" and right.kind in ("number", "null"):
                return ty.DATE
            if op == "+" and right.kind == "date" and left.kind == "number":
                return ty.DATE
            hint = (
                "; use days_between(a, b) for the days between two dates"
                if left.kind == right.kind == "date"
                else ""
            )
            raise CheckError(node.pos, f"cannot use '{op}' on {left} and {right}{hint}")
        # * and /
        self.need(node.left, left, "number", f"'{op}' needs numbers")
        self.need(node.right, right, "number", f"'{op}' needs numbers")
        return ty.NUMBER

    def in_list(self, node: InList) -> T:
        needle = self.check(node.needle)
        if not needle.scalar:
            raise CheckError(node.needle.pos, f"'in' needs a single value, not {needle}")
        for option in node.options:
            t = self.check(option)
            if not ty.comparable(needle, t, ordered=False):
                raise CheckError(option.pos, f"cannot compare {needle} with {t}")
            self.check_code(needle, option)
        return ty.BOOL

    def need(self, node: Expr, t: T, kind: str, message: str) -> None:
        """Require ``t`` to be of ``kind`` (or null)."""
        if t.kind not in (kind, "null"):
            raise CheckError(node.pos, f"{message}, not {t}")

    def check_code(self, t: T, other: Expr) -> None:
        """When ``t`` is coded and ``other`` a literal, the literal must be one of the codes."""
        if not t.codelist or not isinstance(other, Literal) or other.value is None:
            return
        codelist = self.scope.study.codelists.get(t.codelist)
        if codelist is None or codelist.source:
            return
        value = other.value
        code: object = int(value) if isinstance(value, Decimal) and value == int(value) else value
        if codelist.get(code) is None:
            codes = [str(item.code) for item in codelist.items]
            raise CheckError(
                other.pos,
                f"'{value}' is not a code of code list {t.codelist}" + suggest(str(value), codes),
            )

    # -- references ----------------------------------------------------------

    def item_ref(self, node: ItemRef) -> T:
        form = self.scope.form
        if form is None:
            raise CheckError(
                node.pos,
                f"'{node.text}' needs its event and form here: write @EVENT.FORM.{node.text}",
            )
        group = self.scope.group
        if node.column is None and group is not None:
            column = next((c for c in group.items if c.oid == node.name), None)
            if column is not None:
                return self.value_type(node, column)
        item = form.item(node.name)
        if item is None:
            names = [i.oid for i, _ in form.all_items()]
            raise CheckError(
                node.pos,
                f"unknown item '{node.name}' in form {form.oid}" + suggest(node.name, names),
            )
        return self.resolved_type(node, form, item, node.column, form.group_of(item.oid))

    def resolved_type(
        self, node: Expr, form: Form, item: Item, column: str | None, holder: Item | None
    ) -> T:
        """The type of ``item`` (optionally its ``column``) of ``form`` referred to from outside rows."""
        if column is not None:
            if not item.is_group:
                raise CheckError(
                    node.pos, f"'{item.oid}' is not a group, so '{item.oid}.{column}' means nothing"
                )
            col = next((c for c in item.items if c.oid == column), None)
            if col is None:
                names = [c.oid for c in item.items]
                raise CheckError(
                    node.pos, f"group {item.oid} has no item '{column}'" + suggest(column, names)
                )
            elem = self.value_type(node, col)
            return T("list", elem=elem, group=(form.oid, item.oid))
        if item.is_group:
            return T("rows", group=(form.oid, item.oid))
        if holder is not None:
            raise CheckError(
                node.pos,
                f"'{item.oid}' is in repeating group {holder.oid}: use {holder.oid}.{item.oid} "
                f"inside sum(), count(), min(), max() or any_where()",
            )
        return self.value_type(node, item)

    def value_type(self, node: Expr, item: Item) -> T:
        t = item_type(self.scope.study, item)
        if t is None:
            raise CheckError(node.pos, f"'{item.oid}' is a {item.type.value} and has no value")
        return t

    def resolve_cross(self, node: CrossRef) -> tuple[Resolved, str | None]:
        """Resolve ``@…`` to its event, form and item; also returns a group column name."""
        study = self.scope.study
        event = study.event(node.head)
        if event is not None:
            if len(node.parts) < 2:
                raise CheckError(
                    node.pos, f"@{node.head} names an event: write @{node.head}.FORM.ITEM"
                )
            if event.repeating and node.occurrence is None:
                raise CheckError(
                    node.pos,
                    f"event {event.oid} repeats: say which occurrence, e.g. @{event.oid}[first].{'.'.join(node.parts)}",
                )
            if not event.repeating and node.occurrence is not None:
                raise CheckError(
                    node.pos, f"event {event.oid} does not repeat; remove [{node.occurrence}]"
                )
            form_oid, rest = node.parts[0], node.parts[1:]
            if form_oid not in event.forms:
                raise CheckError(
                    node.pos,
                    f"event {event.oid} does not hold form '{form_oid}'"
                    + suggest(form_oid, list(event.forms)),
                )
        else:
            if node.head not in study.forms:
                names = [e.oid for e in study.events] + list(study.forms)
                raise CheckError(
                    node.pos, f"unknown event or form '{node.head}'" + suggest(node.head, names)
                )
            if node.occurrence is not None:
                raise CheckError(
                    node.pos, f"'{node.head}' is a form; an occurrence goes after an event"
                )
            if self.scope.form is None:
                raise CheckError(
                    node.pos, f"name the event too: @EVENT.{node.head}.{'.'.join(node.parts)}"
                )
            if len(node.parts) > 2:
                raise CheckError(node.pos, "too many parts: @FORM.ITEM or @FORM.GROUP.ITEM")
            form_oid, rest = node.head, node.parts
        if form_oid in self.scope.unavailable:
            raise Unavailable(form_oid)
        form = study.forms.get(form_oid)
        if form is None:  # pragma: no cover - events are checked to list known forms
            raise CheckError(node.pos, f"unknown form '{form_oid}'")
        if len(rest) > 2:
            raise CheckError(node.pos, "too many parts after the form: ITEM or GROUP.ITEM")
        item = form.item(rest[0])
        if item is None:
            names = [i.oid for i, _ in form.all_items()]
            raise CheckError(
                node.pos, f"unknown item '{rest[0]}' in form {form.oid}" + suggest(rest[0], names)
            )
        column = rest[1] if len(rest) == 2 else None
        return Resolved(event, form, item, form.group_of(item.oid)), column

    def cross_ref_type(self, node: CrossRef) -> T:
        resolved, column = self.resolve_cross(node)
        return self.resolved_type(node, resolved.form, resolved.item, column, resolved.group)
