"""The functions of the expression language: a table of checkers and evaluators.

Each function has a static checker (argument types, literal arguments) and an
evaluator. Adding a function is adding one entry to :data:`FUNCTIONS`, and a
row to the table in ``docs/form-definitions.md`` section 8.4.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from npc_crf.forms.expr import types as ty
from npc_crf.forms.expr.ast import Call, CrossRef, Expr, ItemRef, Literal, SelfRef
from npc_crf.forms.expr.check import Checker, CheckError, Scope, suggest
from npc_crf.forms.expr.evaluate import INDETERMINATE, Env, Evaluator, Missing, Rows, unknown
from npc_crf.forms.expr.types import T
from npc_crf.forms.expr.values import (
    NumRange,
    PartialDate,
    date_bounds,
    num_bounds,
    num_range,
    whole_months,
    whole_years,
)

CheckFn = Callable[[Checker, Call], T]
EvalFn = Callable[[Evaluator, Call], object]


@dataclass(frozen=True)
class Function:
    """A function: how many arguments, how to check them, how to evaluate."""

    min_args: int
    max_args: int
    check: CheckFn
    evaluate: EvalFn

    def arity_text(self) -> str:
        """``1 argument``, ``2 to 3 arguments``, …"""
        if self.max_args == self.min_args:
            n = self.min_args
            return f"{n} argument" + ("" if n == 1 else "s")
        if self.max_args > 99:
            return f"at least {self.min_args} arguments"
        return f"{self.min_args} to {self.max_args} arguments"


MANY = 1000


# -- checking helpers -------------------------------------------------------------


def _arg(c: Checker, call: Call, index: int, *kinds: str) -> T:
    node = call.args[index]
    t = c.check(node)
    if kinds and t.kind not in (*kinds, "null"):
        wanted = " or ".join(str(T(k)) for k in kinds)
        raise CheckError(node.pos, f"{call.name}() needs {wanted} here, not {t}")
    return t


def _literal_text(call: Call, index: int) -> tuple[str, int]:
    node = call.args[index]
    if not isinstance(node, Literal) or not isinstance(node.value, str):
        raise CheckError(node.pos, f"{call.name}() needs a quoted name here, like {call.name}('x')")
    return node.value, node.pos


def _returns(t: T, *kinds: str) -> CheckFn:
    """A checker for functions of single values (of ``kinds``, or any single value)."""

    def check(c: Checker, call: Call) -> T:
        for index in range(len(call.args)):
            got = _arg(c, call, index, *kinds)
            if not kinds and got.kind in ("list", "rows"):
                raise CheckError(
                    call.args[index].pos, f"{call.name}() needs a single value, not {got}"
                )
        return t

    return check


# -- evaluation helpers --------------------------------------------------------------


def _values(e: Evaluator, call: Call) -> list[object]:
    return [e.eval(arg) for arg in call.args]


def _column(e: Evaluator, call: Call) -> list[object] | None:
    """The non-empty values of a group column argument (or several scalar arguments).

    None when the column's form is absent altogether (unknown, not empty).
    """
    if len(call.args) == 1:
        value = e.eval(call.args[0])
        if value is None and isinstance(call.args[0], CrossRef | ItemRef):
            return None
        items = list(value) if isinstance(value, tuple) else [value]
    else:
        items = _values(e, call)
    return [v for v in items if v is not None]


def _strict(fn: Callable[..., object]) -> EvalFn:
    """An evaluator that gives empty/indeterminate when any argument is."""

    def run(e: Evaluator, call: Call) -> object:
        args = _values(e, call)
        if any(a is None or a is INDETERMINATE for a in args):
            return unknown(*[a for a in args if a is None or a is INDETERMINATE])
        try:
            return fn(*args)
        except (ValueError, ArithmeticError, InvalidOperation, OverflowError):
            # a range (from a partial date) where an exact number is needed
            return INDETERMINATE if any(isinstance(a, NumRange) for a in args) else None

    return run


# -- logic and empties -------------------------------------------------------------------


def _check_if(c: Checker, call: Call) -> T:
    _arg(c, call, 0, "bool")
    a = c.check(call.args[1])
    b = c.check(call.args[2])
    if not ty.comparable(ty.base(a), ty.base(b), ordered=False) and a.scalar and b.scalar:
        raise CheckError(call.pos, f"if() gives {a} or {b}: both branches must be of one type")
    return a if a.kind != "null" else b


def _eval_if(e: Evaluator, call: Call) -> object:
    cond = e.eval(call.args[0])
    if cond is True:
        return e.eval(call.args[1])
    if cond is False:
        return e.eval(call.args[2])
    return cond


def _check_coalesce(c: Checker, call: Call) -> T:
    types = [c.check(arg) for arg in call.args]
    known = [t for t in types if t.kind != "null"]
    for t in known[1:]:
        if not ty.comparable(ty.base(known[0]), ty.base(t), ordered=False):
            raise CheckError(call.pos, f"coalesce() mixes {known[0]} and {t}")
    return known[0] if known else ty.NULL


def _eval_coalesce(e: Evaluator, call: Call) -> object:
    for arg in call.args:
        value = e.eval(arg)
        if value is not None:
            return value
    return None


def _check_ref_arg(c: Checker, call: Call) -> T:
    node = call.args[0]
    if not isinstance(node, ItemRef | CrossRef | SelfRef):
        raise CheckError(node.pos, f"{call.name}() needs an item, like {call.name}(WEIGHT)")
    c.check(node)
    return ty.TEXT


def _eval_is_empty(e: Evaluator, call: Call) -> object:
    return e.eval(call.args[0]) is None


def _eval_missing_code(e: Evaluator, call: Call) -> object:
    node = call.args[0]
    raw = _raw(e, node)
    return raw.code if isinstance(raw, Missing) else None


def _raw(e: Evaluator, node: Expr) -> object:
    """The stored answer behind a reference (to see missing-data codes)."""
    env = e.env
    if isinstance(node, SelfRef):
        return env.self_raw
    if isinstance(node, ItemRef):
        if (
            env.row is not None
            and env.group is not None
            and any(c.oid == node.name for c in env.group.items)
        ):
            return env.row.get(node.name)
        return env.data.get(node.name)
    assert isinstance(node, CrossRef)
    study = env.study
    event = study.event(node.head)
    if event is not None:
        form_oid, item_oid = node.parts[0], node.parts[1]
        occurrence = e.occurrence(event.oid, node.occurrence)
        event_oid = event.oid
    else:
        form_oid, item_oid = node.head, node.parts[0]
        event_oid, occurrence = env.event or "", env.occurrence or 1
    if env.subject is None or occurrence is None:
        return None
    data = env.subject.form_data(event_oid, occurrence, form_oid)
    return data.get(item_oid) if data is not None else None


# -- groups -----------------------------------------------------------------------------------


def _check_count(c: Checker, call: Call) -> T:
    t = c.check(call.args[0])
    if t.kind not in ("rows", "list"):
        raise CheckError(call.args[0].pos, f"count() needs a group or a group column, not {t}")
    return ty.NUMBER


def _eval_count(e: Evaluator, call: Call) -> object:
    value = e.eval(call.args[0])
    if value is None:
        return None
    if isinstance(value, Rows):
        return Decimal(len(value.rows))
    assert isinstance(value, tuple)
    return Decimal(sum(1 for v in value if v is not None))


def _check_where(c: Checker, call: Call) -> T:
    t = c.check(call.args[0])
    if t.kind != "rows" or t.group is None:
        raise CheckError(
            call.args[0].pos,
            f"{call.name}() needs a group first, like {call.name}(TL, TL_DIAM >= 10)",
        )
    study = c.scope.study
    form = study.forms[t.group[0]]
    group = form.item(t.group[1])
    row_scope = Scope(study, form, group, None, c.scope.events, c.scope.unavailable)
    c.within(row_scope).run(call.args[1], ty.BOOL)
    return ty.NUMBER if call.name == "count_where" else ty.BOOL


def _row_results(e: Evaluator, call: Call) -> list[object] | None:
    rows = e.eval(call.args[0])
    if rows is None:
        return None
    assert isinstance(rows, Rows)
    results = []
    for row in rows.rows:
        data = rows.form_data if rows.form_data is not None else row
        sub = Evaluator(e.env.derive(form=rows.form, data=data, group=rows.group, row=row))
        results.append(sub.eval(call.args[1]))
    return results


def _eval_count_where(e: Evaluator, call: Call) -> object:
    results = _row_results(e, call)
    if results is None:
        return None
    hits = sum(1 for r in results if r is True)
    undecided = [r for r in results if r is not True and r is not False]
    if not undecided:
        return Decimal(hits)
    # rows that lack data make the count unknown for want of data (not partial dates)
    missing = any(r is None for r in undecided)
    if missing and hits == 0:
        return None
    return num_range(Decimal(hits), Decimal(hits + len(undecided)), missing)


def _eval_any_where(e: Evaluator, call: Call) -> object:
    results = _row_results(e, call)
    return None if results is None else Evaluator.any_of(results)


def _check_aggregate(kinds: tuple[str, ...], result: T | None) -> CheckFn:
    """Aggregates over a group column, or (min/max) over several values."""

    def check(c: Checker, call: Call) -> T:
        if len(call.args) == 1:
            t = c.check(call.args[0])
            if t.kind != "list" or t.elem is None:
                raise CheckError(
                    call.args[0].pos, f"{call.name}() needs a group column like GROUP.ITEM, not {t}"
                )
            elem = t.elem
        else:
            types = [c.check(arg) for arg in call.args]
            elem = next((t for t in types if t.kind != "null"), ty.NULL)
            for arg, t in zip(call.args, types, strict=True):
                if not t.scalar or not ty.comparable(ty.base(elem), ty.base(t), ordered=True):
                    raise CheckError(arg.pos, f"{call.name}() cannot mix {elem} and {t}")
        if elem.kind not in (*kinds, "null"):
            wanted = " or ".join(str(T(k)) for k in kinds)
            raise CheckError(call.pos, f"{call.name}() needs {wanted} values, not {elem}")
        return result or ty.base(elem)

    return check


def _eval_sum(e: Evaluator, call: Call) -> object:
    values = _column(e, call)
    if values is None:
        return None
    if any(v is INDETERMINATE for v in values):
        return INDETERMINATE
    lo = sum((b[0] for b in map(num_bounds, values) if b), Decimal(0))
    hi = sum((b[1] for b in map(num_bounds, values) if b), Decimal(0))
    return num_range(lo, hi)


def _eval_mean(e: Evaluator, call: Call) -> object:
    values = _column(e, call)
    if not values:
        return None
    total = _eval_sum(e, call)
    if total is INDETERMINATE or isinstance(total, NumRange):
        return INDETERMINATE
    assert isinstance(total, Decimal)
    return total / len(values)


def _extreme(pick_max: bool) -> EvalFn:
    def run(e: Evaluator, call: Call) -> object:
        values = _column(e, call)
        if not values:
            return None
        if any(v is INDETERMINATE for v in values):
            return INDETERMINATE
        bounds = [date_bounds(v) or num_bounds(v) for v in values]
        if any(b is None for b in bounds):
            return None
        # the winner is decided only when one value's bounds dominate the others'
        key_lo: list[Any] = [b[0] for b in bounds if b]
        key_hi: list[Any] = [b[1] for b in bounds if b]
        if pick_max:
            best = max(range(len(values)), key=lambda i: key_lo[i])
            decided = all(key_lo[best] >= key_hi[i] for i in range(len(values)) if i != best)
        else:
            best = min(range(len(values)), key=lambda i: key_hi[i])
            decided = all(key_hi[best] <= key_lo[i] for i in range(len(values)) if i != best)
        return values[best] if decided else INDETERMINATE

    return run


def _bool_column(want_all: bool) -> EvalFn:
    def run(e: Evaluator, call: Call) -> object:
        value = e.eval(call.args[0])
        if value is None:
            return None
        items = list(value) if isinstance(value, tuple) else []
        if want_all:
            if any(v is False for v in items):
                return False
            return True if all(v is True for v in items) else unknown(*items)
        return Evaluator.any_of(items) if items else False

    return run


# -- dates ------------------------------------------------------------------------------------


def _between(unit: Callable[[dt.date, dt.date], int]) -> Callable[[object, object], object]:
    def diff(a: object, b: object) -> object:
        ab, bb = date_bounds(a), date_bounds(b)
        if ab is None or bb is None:
            return None
        lo = unit(ab[1], bb[0])
        hi = unit(ab[0], bb[1])
        return num_range(Decimal(lo), Decimal(hi))

    return diff


def _days(start: dt.date, end: dt.date) -> int:
    return (end - start).days


def _eval_today(e: Evaluator, call: Call) -> object:
    return e.env.today


def _check_date(c: Checker, call: Call) -> T:
    text, pos = _literal_text(call, 0)
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise CheckError(pos, f"date() needs a date written YYYY-MM-DD, not '{text}'") from None
    return ty.DATE


def _eval_date(e: Evaluator, call: Call) -> object:
    node = call.args[0]
    assert isinstance(node, Literal) and isinstance(node.value, str)
    return dt.date.fromisoformat(node.value)


def _date_part(part: str) -> Callable[[object], object]:
    def get(d: object) -> object:
        if isinstance(d, PartialDate):
            value = getattr(d, part)
            return None if value is None else Decimal(value)
        if isinstance(d, dt.date):
            return Decimal(getattr(d, part))
        return None

    return get


# -- numbers and texts ---------------------------------------------------------------


def _exact(value: object) -> Decimal:
    if isinstance(value, NumRange):
        raise ValueError("not an exact number")
    assert isinstance(value, Decimal)
    return value


def _round(x: object, n: object = Decimal(0)) -> object:
    places = int(_exact(n))
    quantum = Decimal(1).scaleb(-places)
    return _exact(x).quantize(quantum, rounding=ROUND_HALF_UP)


def _eval_round(e: Evaluator, call: Call) -> object:
    return _strict(_round)(e, call)


def _check_matches(c: Checker, call: Call) -> T:
    _arg(c, call, 0, "text")
    pattern, pos = _literal_text(call, 1)
    try:
        re.compile(pattern)
    except re.error as exc:
        raise CheckError(pos, f"invalid pattern: {exc}") from None
    return ty.BOOL


def _concat(*parts: object) -> object:
    return "".join(_text(p) for p in parts)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def _check_concat(c: Checker, call: Call) -> T:
    for arg in call.args:
        t = c.check(arg)
        if not t.scalar:
            raise CheckError(arg.pos, f"concat() needs a single value, not {t}")
    return ty.TEXT


def _eval_concat(e: Evaluator, call: Call) -> object:
    parts = [p for p in _values(e, call) if p is not None]
    if any(p is INDETERMINATE for p in parts):
        return INDETERMINATE
    return _concat(*parts)


# -- choices ------------------------------------------------------------------------------


def _check_selected(c: Checker, call: Call) -> T:
    t = _arg(c, call, 0, "set")
    code_node = call.args[1]
    if not isinstance(code_node, Literal) or code_node.value is None:
        raise CheckError(code_node.pos, "selected() needs a code, like selected(SITES, 'LUNG')")
    if t.elem is not None:
        c.check_code(t.elem, code_node)
    return ty.BOOL


def _eval_selected(e: Evaluator, call: Call) -> object:
    codes = e.eval(call.args[0])
    code = e.eval(call.args[1])
    if codes is None:
        return None
    assert isinstance(codes, frozenset)
    return code in codes


def _eval_count_selected(e: Evaluator, call: Call) -> object:
    codes = e.eval(call.args[0])
    return None if codes is None else Decimal(len(codes))  # type: ignore[arg-type]


# -- study values ----------------------------------------------------------------------------


def _check_param(c: Checker, call: Call) -> T:
    name, pos = _literal_text(call, 0)
    param = c.scope.study.parameters.get(name)
    if param is None:
        raise CheckError(
            pos, f"unknown parameter '{name}'" + suggest(name, list(c.scope.study.parameters))
        )
    if isinstance(param.value, bool):
        return ty.BOOL
    return ty.NUMBER if isinstance(param.value, Decimal) else ty.TEXT


def _eval_param(e: Evaluator, call: Call) -> object:
    node = call.args[0]
    assert isinstance(node, Literal)
    return e.env.study.parameters[str(node.value)].value


def _check_range(c: Checker, call: Call) -> T:
    name, pos = _literal_text(call, 0)
    ranges = c.scope.study.reference_ranges
    if name not in ranges:
        raise CheckError(
            pos, f"no reference range for '{name}' in the study" + suggest(name, list(ranges))
        )
    limit = ranges[name].lln if call.name == "lln" else ranges[name].uln
    if limit is None:
        raise CheckError(pos, f"the reference range of '{name}' has no {call.name.upper()}")
    return ty.NUMBER


def _eval_range(e: Evaluator, call: Call) -> object:
    node = call.args[0]
    assert isinstance(node, Literal)
    ref = e.env.ranges().get(str(node.value))
    if ref is None:
        return e.note_empty(f"{call.name}('{node.value}')", None)
    return e.note_empty(f"{call.name}('{node.value}')", ref.lln if call.name == "lln" else ref.uln)


def _check_anchor(c: Checker, call: Call) -> T:
    name, pos = _literal_text(call, 0)
    if name not in c.scope.study.anchors:
        raise CheckError(
            pos, f"unknown anchor '{name}'" + suggest(name, list(c.scope.study.anchors))
        )
    return ty.DATE


def _eval_anchor(e: Evaluator, call: Call) -> object:
    node = call.args[0]
    assert isinstance(node, Literal)
    return e.note_empty(f"anchor('{node.value}')", anchor_date(e.env, str(node.value)))


def anchor_date(env: Env, name: str) -> object:
    """The date of anchor ``name`` for the subject in ``env`` (cached per env)."""
    if name in env._anchors:
        return env._anchors[name]
    anchor = env.study.anchors[name]
    env._anchors[name] = None  # guards against an anchor defined through itself
    sub = env.derive(form=None, data={}, group=None, row=None, self_item=None, self_raw=None)
    value = Evaluator(sub).eval(anchor.date.tree)
    env._anchors[name] = value
    return value


def _num(fn: Callable[[Decimal], object]) -> Callable[[object], object]:
    def run(x: object) -> object:
        return fn(_exact(x))

    return run


FUNCTIONS: dict[str, Function] = {
    "if": Function(3, 3, _check_if, _eval_if),
    "coalesce": Function(1, MANY, _check_coalesce, _eval_coalesce),
    "is_empty": Function(1, 1, _returns(ty.BOOL), _eval_is_empty),
    "missing_code": Function(1, 1, _check_ref_arg, _eval_missing_code),
    "count": Function(1, 1, _check_count, _eval_count),
    "count_where": Function(2, 2, _check_where, _eval_count_where),
    "any_where": Function(2, 2, _check_where, _eval_any_where),
    "sum": Function(1, 1, _check_aggregate(("number",), None), _eval_sum),
    "mean": Function(1, 1, _check_aggregate(("number",), None), _eval_mean),
    "min": Function(1, MANY, _check_aggregate(("number", "date"), None), _extreme(pick_max=False)),
    "max": Function(1, MANY, _check_aggregate(("number", "date"), None), _extreme(pick_max=True)),
    "any": Function(1, 1, _check_aggregate(("bool",), ty.BOOL), _bool_column(want_all=False)),
    "all": Function(1, 1, _check_aggregate(("bool",), ty.BOOL), _bool_column(want_all=True)),
    "days_between": Function(2, 2, _returns(ty.NUMBER, "date"), _strict(_between(_days))),
    "months_between": Function(2, 2, _returns(ty.NUMBER, "date"), _strict(_between(whole_months))),
    "years_between": Function(2, 2, _returns(ty.NUMBER, "date"), _strict(_between(whole_years))),
    "age_at": Function(2, 2, _returns(ty.NUMBER, "date"), _strict(_between(whole_years))),
    "today": Function(0, 0, _returns(ty.DATE), _eval_today),
    "date": Function(1, 1, _check_date, _eval_date),
    "year": Function(1, 1, _returns(ty.NUMBER, "date"), _strict(_date_part("year"))),
    "month": Function(1, 1, _returns(ty.NUMBER, "date"), _strict(_date_part("month"))),
    "day": Function(1, 1, _returns(ty.NUMBER, "date"), _strict(_date_part("day"))),
    "round": Function(1, 2, _returns(ty.NUMBER, "number"), _eval_round),
    "abs": Function(1, 1, _returns(ty.NUMBER, "number"), _strict(_num(abs))),
    "floor": Function(
        1, 1, _returns(ty.NUMBER, "number"), _strict(_num(lambda x: Decimal(math.floor(x))))
    ),
    "ceil": Function(
        1, 1, _returns(ty.NUMBER, "number"), _strict(_num(lambda x: Decimal(math.ceil(x))))
    ),
    "length": Function(1, 1, _returns(ty.NUMBER, "text"), _strict(lambda t: Decimal(len(str(t))))),
    "contains": Function(2, 2, _returns(ty.BOOL, "text"), _strict(lambda t, s: str(s) in str(t))),
    "upper": Function(1, 1, _returns(ty.TEXT, "text"), _strict(lambda t: str(t).upper())),
    "lower": Function(1, 1, _returns(ty.TEXT, "text"), _strict(lambda t: str(t).lower())),
    "concat": Function(1, MANY, _check_concat, _eval_concat),
    "matches": Function(
        2, 2, _check_matches, _strict(lambda t, p: re.fullmatch(str(p), str(t)) is not None)
    ),
    "selected": Function(2, 2, _check_selected, _eval_selected),
    "count_selected": Function(1, 1, _returns(ty.NUMBER, "set"), _eval_count_selected),
    "param": Function(1, 1, _check_param, _eval_param),
    "lln": Function(1, 1, _check_range, _eval_range),
    "uln": Function(1, 1, _check_range, _eval_range),
    "anchor": Function(1, 1, _check_anchor, _eval_anchor),
}
