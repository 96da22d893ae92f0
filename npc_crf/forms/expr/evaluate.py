"""Evaluation of checked expressions against a subject's data.

Values are described in :mod:`npc_crf.forms.expr.values`. The evaluator never
raises on data: empty or undecidable inputs give ``None`` or
:data:`~npc_crf.forms.expr.values.INDETERMINATE`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

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
from npc_crf.forms.expr.values import (
    INDETERMINATE,
    NumRange,
    PartialDate,
    date_bounds,
    num_bounds,
    num_range,
)
from npc_crf.forms.model import Form, Item, ItemType, ReferenceRange, Study, ValueType

FormData = Mapping[str, object]


@dataclass(frozen=True)
class Missing:
    """A missing-data code given instead of a value (``ND``, ``UNK``, …)."""

    code: str

    def __str__(self) -> str:
        return self.code


class SubjectData(Protocol):
    """Read access to the other forms of one subject."""

    def occurrence_count(self, event: str) -> int:
        """How many occurrences of ``event`` the subject has."""
        ...

    def form_data(self, event: str, occurrence: int, form: str) -> FormData | None:
        """The answers of ``form`` in occurrence ``occurrence`` (from 1) of ``event``."""
        ...


@dataclass(frozen=True)
class Rows:
    """The rows of a repeating group, with the form that defines them."""

    form: Form
    group: Item
    rows: tuple[FormData, ...]
    form_data: FormData | None = None  # the whole form's answers, for items outside the rows


@dataclass
class Env:
    """Everything an expression may refer to while it is evaluated."""

    study: Study
    form: Form | None = None
    data: FormData = field(default_factory=dict)
    group: Item | None = None
    row: FormData | None = None
    self_item: Item | None = None
    self_raw: object = None
    subject: SubjectData | None = None
    event: str | None = None
    occurrence: int | None = None
    today: dt.date = field(default_factory=dt.date.today)
    reference_ranges: Mapping[str, ReferenceRange] | None = None
    #: references found empty while evaluating (for "what is missing" lists)
    empty_refs: list[str] = field(default_factory=list)
    _anchors: dict[str, object] = field(default_factory=dict)

    def ranges(self) -> Mapping[str, ReferenceRange]:
        """The reference ranges in force: the site's, else the study's."""
        return (
            self.reference_ranges
            if self.reference_ranges is not None
            else self.study.reference_ranges
        )

    def derive(self, **changes: object) -> Env:
        """A copy for a sub-scope that shares the empty-reference list and caches."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values.update(changes)
        return Env(**values)


def to_value(item: Item, raw: object) -> object:
    """Convert a stored answer of ``item`` to an expression value."""
    if raw is None or isinstance(raw, Missing) or raw == "":
        return None
    kind = item.type
    if kind is ItemType.CALCULATED:
        kind = {
            ValueType.TEXT: ItemType.TEXT,
            ValueType.INTEGER: ItemType.INTEGER,
            ValueType.DECIMAL: ItemType.DECIMAL,
            ValueType.DATE: ItemType.DATE,
            ValueType.YES_NO: ItemType.YES_NO,
        }[item.value_type or ValueType.TEXT]
    try:
        return _CONVERT.get(kind, _identity)(raw)
    except (ValueError, InvalidOperation, TypeError):
        return None


def _identity(raw: object) -> object:
    return raw


def _number(raw: object) -> object:
    if isinstance(raw, bool):
        raise TypeError("not a number")
    return Decimal(str(raw)) if not isinstance(raw, Decimal) else raw


def _code(raw: object) -> object:
    return Decimal(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw


def _codes(raw: object) -> object:
    if isinstance(raw, str):
        raw = [raw]
    return frozenset(_code(code) for code in raw)  # type: ignore[attr-defined]


def _yes_no(raw: object) -> object:
    if isinstance(raw, bool):
        return raw
    text = str(raw).upper()
    if text in ("Y", "YES", "TRUE"):
        return True
    if text in ("N", "NO", "FALSE"):
        return False
    raise ValueError(f"not yes/no: {raw!r}")


def _date(raw: object) -> object:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    return dt.date.fromisoformat(str(raw))


def _partial(raw: object) -> object:
    if isinstance(raw, dt.date):
        return raw
    value = raw if isinstance(raw, PartialDate) else PartialDate.parse(str(raw))
    if value.is_complete:
        return value.earliest()
    return value


def _datetime(raw: object) -> object:
    return raw if isinstance(raw, dt.datetime) else dt.datetime.fromisoformat(str(raw))


def _time(raw: object) -> object:
    return raw if isinstance(raw, dt.time) else dt.time.fromisoformat(str(raw))


_CONVERT: dict[ItemType, Callable[[object], object]] = {
    ItemType.INTEGER: _number,
    ItemType.DECIMAL: _number,
    ItemType.YES_NO: _yes_no,
    ItemType.DATE: _date,
    ItemType.PARTIAL_DATE: _partial,
    ItemType.DATETIME: _datetime,
    ItemType.TIME: _time,
    ItemType.SINGLE_CHOICE: _code,
    ItemType.MULTIPLE_CHOICE: _codes,
    ItemType.TEXT: str,
    ItemType.LONG_TEXT: str,
    ItemType.LOOKUP: str,
    ItemType.FILE: str,
}


def unknown(*values: object) -> object:
    """The unknown result for unknown operands: empty wins over indeterminate."""
    return None if any(v is None for v in values) else INDETERMINATE


def compare(op: str, a: object, b: object) -> object:
    """``a op b`` with empty, indeterminate, partial-date and range semantics."""
    if a is None or b is None or a is INDETERMINATE or b is INDETERMINATE:
        return unknown(a, b)
    found_a = date_bounds(a) or num_bounds(a)
    found_b = date_bounds(b) or num_bounds(b)
    bounds_a: tuple[Any, Any]
    bounds_b: tuple[Any, Any]
    if found_a is None or found_b is None:
        if op == "=":
            return a == b
        if op == "!=":
            return a != b
        bounds_a, bounds_b = (a, a), (b, b)
    else:
        bounds_a, bounds_b = found_a, found_b
    try:
        result = _ordered(op, bounds_a, bounds_b)
    except TypeError:  # values of kinds that do not compare (bad stored data)
        return None
    if result is INDETERMINATE and _missing_range(a, b):
        return None
    return result


def _missing_range(*values: object) -> bool:
    return any(isinstance(v, NumRange) and v.missing for v in values)


def _ordered(op: str, bounds_a: tuple[Any, Any], bounds_b: tuple[Any, Any]) -> object:
    alo, ahi = bounds_a
    blo, bhi = bounds_b
    if op in (">", ">="):
        op = "<" if op == ">" else "<="
        alo, ahi, blo, bhi = blo, bhi, alo, ahi
    if op == "<":
        if ahi < blo:
            return True
        return False if alo >= bhi else INDETERMINATE
    if op == "<=":
        if ahi <= blo:
            return True
        return False if alo > bhi else INDETERMINATE
    exact = alo == ahi and blo == bhi
    if exact:
        equal = alo == blo
    elif ahi < blo or bhi < alo:
        equal = False
    else:
        return INDETERMINATE
    return equal if op == "=" else not equal


def arithmetic(op: str, a: object, b: object) -> object:
    """``a op b`` for numbers, ranges, and dates plus or minus days."""
    if a is None or b is None or a is INDETERMINATE or b is INDETERMINATE:
        return unknown(a, b)
    if isinstance(a, dt.date | PartialDate) or isinstance(b, dt.date | PartialDate):
        if op == "+" and isinstance(a, Decimal):
            a, b = b, a
        if isinstance(a, dt.date) and isinstance(b, Decimal):
            days = int(b) if op == "+" else -int(b)
            try:
                return a + dt.timedelta(days=days)
            except OverflowError:
                return None
        return INDETERMINATE
    na, nb = num_bounds(a), num_bounds(b)
    if na is None or nb is None:
        return None
    missing = _missing_range(a, b)
    try:
        if op == "+":
            return num_range(na[0] + nb[0], na[1] + nb[1], missing)
        if op == "-":
            return num_range(na[0] - nb[1], na[1] - nb[0], missing)
        if op == "*":
            products = [x * y for x in na for y in nb]
            return num_range(min(products), max(products), missing)
        if nb[0] <= 0 <= nb[1]:
            return None  # division by zero (or by a range containing it) is empty
        quotients = [x / y for x in na for y in nb]
        return num_range(min(quotients), max(quotients), missing)
    except InvalidOperation:
        return None


class Evaluator:
    """Evaluates expression trees in an :class:`Env`."""

    def __init__(self, env: Env) -> None:
        self.env = env

    def eval(self, node: Expr) -> object:
        """The value of ``node``."""
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, SelfRef):
            env = self.env
            return to_value(env.self_item, env.self_raw) if env.self_item is not None else None
        if isinstance(node, ItemRef):
            return self.item_ref(node)
        if isinstance(node, CrossRef):
            return self.cross_ref(node)
        if isinstance(node, Unary):
            value = self.eval(node.operand)
            if value is None or value is INDETERMINATE:
                return value
            if node.op == "not":
                return not value
            return arithmetic("-", Decimal(0), value)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, InList):
            needle = self.eval(node.needle)
            results = [compare("=", needle, self.eval(option)) for option in node.options]
            return self.any_of(results)
        if isinstance(node, Call):
            from npc_crf.forms.expr.functions import FUNCTIONS

            return FUNCTIONS[node.name].evaluate(self, node)
        raise TypeError(f"cannot evaluate {node!r}")  # pragma: no cover

    @staticmethod
    def any_of(results: Sequence[object]) -> object:
        """Three-valued 'or' over ``results``."""
        if any(r is True for r in results):
            return True
        if all(r is False for r in results):
            return False
        return unknown(*[r for r in results if r is not True and r is not False])

    def binary(self, node: Binary) -> object:
        if node.op in ("and", "or"):
            left = self.eval(node.left)
            decisive = node.op == "or"
            if left is decisive:
                return decisive
            right = self.eval(node.right)
            if right is decisive:
                return decisive
            if left is (not decisive) and right is (not decisive):
                return not decisive
            return unknown(*[v for v in (left, right) if v is not True and v is not False])
        left = self.eval(node.left)
        right = self.eval(node.right)
        if node.op in ("=", "!=", "<", "<=", ">", ">="):
            return compare(node.op, left, right)
        return arithmetic(node.op, left, right)

    # -- references ----------------------------------------------------------

    def note_empty(self, text: str, value: object) -> object:
        if value is None:
            self.env.empty_refs.append(text)
        return value

    def item_ref(self, node: ItemRef) -> object:
        env = self.env
        form = env.form
        assert form is not None, "checked: same-form references need a form"
        if node.column is None and env.group is not None and env.row is not None:
            column = next((c for c in env.group.items if c.oid == node.name), None)
            if column is not None:
                return self.note_empty(node.text, to_value(column, env.row.get(column.oid)))
        item = form.item(node.name)
        assert item is not None, "checked: the item exists"
        return self.resolved(node.text, form, item, node.column, env.data)

    def resolved(
        self, text: str, form: Form, item: Item, column: str | None, data: FormData | None
    ) -> object:
        """The value of ``item`` (or group ``item``'s ``column``) in ``data`` of ``form``."""
        if item.is_group:
            if data is None:  # the form itself is absent: its rows are unknown, not zero
                return self.note_empty(text, None)
            raw_rows = data.get(item.oid)
            rows = tuple(
                r
                for r in (raw_rows if isinstance(raw_rows, list | tuple) else ())
                if isinstance(r, Mapping)
            )
            if column is None:
                return Rows(form, item, rows, data)
            col = next(c for c in item.items if c.oid == column)
            return tuple(to_value(col, row.get(column)) for row in rows)
        if data is None:
            return self.note_empty(text, None)
        return self.note_empty(text, to_value(item, data.get(item.oid)))

    def cross_ref(self, node: CrossRef) -> object:
        env = self.env
        study = env.study
        event = study.event(node.head)
        if event is not None:
            form_oid, rest = node.parts[0], node.parts[1:]
            occurrence = self.occurrence(event.oid, node.occurrence)
            event_oid: str | None = event.oid
        else:
            form_oid, rest = node.head, node.parts
            event_oid, occurrence = env.event, env.occurrence or 1
        form = study.forms[form_oid]
        item = form.item(rest[0])
        assert item is not None, "checked: the item exists"
        column = rest[1] if len(rest) == 2 else None
        data: FormData | None = None
        if env.subject is not None and event_oid is not None and occurrence is not None:
            data = env.subject.form_data(event_oid, occurrence, form_oid)
        return self.resolved(node.text, form, item, column, data)

    def occurrence(self, event: str, selector: str | int | None) -> int | None:
        """The occurrence number a selector picks, or None when there is none."""
        env = self.env
        if selector is None:
            return 1
        if isinstance(selector, int):
            return selector
        count = env.subject.occurrence_count(event) if env.subject is not None else 0
        if selector == "first":
            return 1 if count else None
        if selector == "last":
            return count or None
        if env.event == event and env.occurrence and env.occurrence > 1:
            return env.occurrence - 1
        return None


def evaluate(node: Expr, env: Env) -> object:
    """Evaluate ``node`` in ``env``."""
    return Evaluator(env).eval(node)


def truth(value: object) -> bool | None:
    """True/False for decided yes/no values, None for empty or indeterminate."""
    if value is True or value is False:
        return value
    return None


__all__ = [
    "INDETERMINATE",
    "Env",
    "Evaluator",
    "FormData",
    "Missing",
    "NumRange",
    "PartialDate",
    "Rows",
    "SubjectData",
    "compare",
    "evaluate",
    "to_value",
    "truth",
]
