"""Expressions in words: skip logic, checks and calculations as a nurse reads them.

The printed CRFs say "Answer only if «Serious adverse event?» is Yes" where the
definition says ``relevant: "AESER"``. :func:`describe` turns an expression of
a form (or of the study: anchors, eligibility) into a phrase in English or
Chinese, naming items by their labels, codes by their decodes, parameters by
their names and values, and other forms' items by form and visit. The sentence
builders (:func:`skip_text`, :func:`required_text`, :func:`calculation_text`,
:func:`constraint_text`) wrap that phrase for the page.

Nothing here raises on a well-formed tree: a construct it cannot phrase is
printed as its expression source, so a strange definition still prints.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

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
from npc_crf.forms.expr.check import Checker, Scope
from npc_crf.forms.model import (
    CodeList,
    Constraint,
    EventKind,
    Expression,
    Form,
    Item,
    ItemType,
    Severity,
    Study,
    Text,
    ValueType,
)

#: at most this many options of an ``in (…)`` list are named; the rest are counted
LIST_SHOWN = 5

_COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
_FLIP = {"=": "!=", "!=": "=", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_MIRROR = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

#: comparison verbs: (numbers, dates and times, other values) per language
_VERBS: dict[str, dict[str, tuple[str, str, str]]] = {
    "en": {
        "=": ("is", "is", "is"),
        "!=": ("is not", "is not", "is not"),
        "<": ("is less than", "is before", "is less than"),
        "<=": ("is at most", "is on or before", "is at most"),
        ">": ("is more than", "is after", "is more than"),
        ">=": ("is at least", "is on or after", "is at least"),
    },
    "zh": {
        "=": ("等于", "为", "为"),
        "!=": ("不等于", "不为", "不为"),
        "<": ("小于", "早于", "小于"),
        "<=": ("不大于", "不晚于", "不大于"),
        ">": ("大于", "晚于", "大于"),
        ">=": ("不小于", "不早于", "不小于"),
    },
}

#: English unit words of parameters, in Chinese
_UNITS_ZH = {
    "day": "天",
    "days": "天",
    "week": "周",
    "weeks": "周",
    "month": "个月",
    "months": "个月",
    "year": "年",
    "years": "年",
    "line": "线",
    "lines": "线",
    "cycle": "周期",
    "cycles": "周期",
}

_OPS = {"*": "×", "/": "÷", "+": "+", "-": "−"}
_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "*": 6, "/": 6, "neg": 7}


def _w(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


# -- the expression as written -------------------------------------------------


def source_of(node: Expr) -> str:
    """``node`` written back in the expression language (for fallbacks and trees
    given without their source)."""
    return _unparse(node, 0)


def _unparse(node: Expr, outer: int) -> str:
    if isinstance(node, Literal):
        return _literal_source(node.value)
    if isinstance(node, SelfRef):
        return "."
    if isinstance(node, ItemRef | CrossRef):
        return node.text
    if isinstance(node, Unary):
        if node.op == "not":
            text = "not " + _unparse(node.operand, _PRECEDENCE["not"])
            return _paren(text, _PRECEDENCE["not"], outer)
        return "-" + _unparse(node.operand, _PRECEDENCE["neg"])
    if isinstance(node, Binary):
        level = _PRECEDENCE["cmp"] if node.op in _COMPARISONS else _PRECEDENCE[node.op]
        left = _unparse(node.left, level)
        right = _unparse(node.right, level + 1)
        return _paren(f"{left} {node.op} {right}", level, outer)
    if isinstance(node, InList):
        options = ", ".join(_unparse(o, 0) for o in node.options)
        text = f"{_unparse(node.needle, _PRECEDENCE['cmp'] + 1)} in ({options})"
        return _paren(text, _PRECEDENCE["cmp"], outer)
    if isinstance(node, Call):
        return f"{node.name}({', '.join(_unparse(a, 0) for a in node.args)})"
    return "?"  # pragma: no cover - every node kind is handled above


def _paren(text: str, level: int, outer: int) -> str:
    return f"({text})" if level < outer else text


def _literal_source(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return _number(value)
    return "'" + str(value) + "'"


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


# -- the phrase builder ----------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    """Where the words stand: the form, the group whose row is meant, the own item."""

    form: Form | None
    group: Item | None
    item: Item | None


class _Speaker:
    """Phrases for the nodes of one expression in one language."""

    def __init__(self, study: Study, where: _Where, lang: str) -> None:
        self.study = study
        self.where = where
        self.lang = lang if lang in ("en", "zh") else "en"

    def w(self, en: str, zh: str) -> str:
        return zh if self.lang == "zh" else en

    def within(self, where: _Where) -> _Speaker:
        return _Speaker(self.study, where, self.lang)

    # -- quoting ------------------------------------------------------------

    def label(self, text: Text) -> str:
        return self.w(f"«{text.en}»", f"「{text.zh}」")

    def value_word(self, text: str) -> str:
        """A value as said in a sentence: plain in English, in quotes in Chinese."""
        return self.w(text, f"“{text}”")

    def yes_no(self, value: bool) -> str:
        return self.value_word(self.w("Yes", "是") if value else self.w("No", "否"))

    # -- types and items ---------------------------------------------------------

    def kind(self, node: Expr) -> str | None:
        """The static type's kind of ``node`` (``number``, ``date``…), None when unknown."""
        scope = Scope(self.study, self.where.form, self.where.group, self.where.item)
        try:
            return Checker(scope).check(node).kind
        except Exception:
            return None

    def item_of(self, node: Expr) -> Item | None:
        """The item a reference points at (None for anything else)."""
        if isinstance(node, SelfRef):
            return self.where.item
        if isinstance(node, ItemRef):
            found = self._local(node.name)
            if found is not None and node.column is not None and found.is_group:
                return next((c for c in found.items if c.oid == node.column), None)
            return found
        if isinstance(node, CrossRef):
            resolved = self._cross(node)
            if resolved is None:
                return None
            _event, _form, item, column = resolved
            if column is not None:
                return next((c for c in item.items if c.oid == column), None)
            return item
        return None

    def _local(self, name: str) -> Item | None:
        group = self.where.group
        if group is not None:
            column = next((c for c in group.items if c.oid == name), None)
            if column is not None:
                return column
        form = self.where.form
        return form.item(name) if form is not None else None

    def _cross(self, node: CrossRef) -> tuple[object, Form, Item, str | None] | None:
        event = self.study.event(node.head)
        if event is not None:
            form_oid, rest = node.parts[0], node.parts[1:]
        else:
            form_oid, rest = node.head, node.parts
        form = self.study.forms.get(form_oid)
        if form is None or not rest:
            return None
        item = form.item(rest[0])
        if item is None:
            return None
        return event, form, item, (rest[1] if len(rest) > 1 else None)

    def codelist_of(self, node: Expr) -> CodeList | None:
        item = self.item_of(node)
        if item is None:
            return None
        return self.study.codelist_for(item)

    def unit_of(self, node: Expr) -> str:
        item = self.item_of(node)
        if item is None or item.unit is None:
            return ""
        return item.unit.get(self.lang)

    # -- values (noun phrases) ------------------------------------------------------

    def value(self, node: Expr, *, outer: int = 0) -> str:
        """``node`` as a noun phrase: «Weight», the date of first dose, 10 mm…"""
        if isinstance(node, Literal):
            return self.literal(node.value)
        if isinstance(node, SelfRef):
            return self.w("the answer", "本项")
        if isinstance(node, ItemRef):
            return self.item_ref(node)
        if isinstance(node, CrossRef):
            return self.cross_ref(node)
        if isinstance(node, Unary):
            if node.op == "-":
                return "−" + self.value(node.operand, outer=_PRECEDENCE["neg"])
            return self.whether(node)
        if isinstance(node, Binary):
            if node.op in ("+", "-", "*", "/"):
                return self.arithmetic(node, outer)
            return self.whether(node)
        if isinstance(node, InList):
            return self.whether(node)
        if isinstance(node, Call):
            return self.call_value(node)
        return source_of(node)  # pragma: no cover - every node kind is handled above

    def whether(self, node: Expr) -> str:
        """A yes/no expression used as a value."""
        return self.w(f"whether {self.cond(node)}", f"是否{self.cond(node)}")

    def literal(self, value: object, codelist: CodeList | None = None) -> str:
        if value is None:
            return self.w("empty", "空")
        if isinstance(value, bool):
            return self.yes_no(value)
        if codelist is not None:
            return self.value_word(self.decode(codelist, value))
        if isinstance(value, Decimal):
            return _number(value)
        return self.value_word(str(value))

    def decode(self, codelist: CodeList, value: object) -> str:
        code: object = value
        if isinstance(value, Decimal) and value == value.to_integral_value():
            code = int(value)
        entry = codelist.get(code)
        if entry is None and not isinstance(code, str):
            entry = codelist.get(str(code))
        return entry.label.get(self.lang) if entry is not None else str(value)

    def item_ref(self, node: ItemRef) -> str:
        item = self._local(node.name)
        if item is None:
            return node.text
        if node.column is not None and item.is_group:
            column = next((c for c in item.items if c.oid == node.column), None)
            if column is None:
                return node.text
            return self.w(
                f"{self.label(column.label)} of {self.label(item.label)}",
                f"{self.label(item.label)}的{self.label(column.label)}",
            )
        return self.label(item.label)

    def cross_ref(self, node: CrossRef) -> str:
        resolved = self._cross(node)
        if resolved is None:
            return node.text
        _event, form, item, column = resolved
        where = self.place(node, form)
        if column is not None:
            col = next((c for c in item.items if c.oid == column), None)
            if col is None:
                return node.text
            return self.w(
                f"{self.label(col.label)} of {self.label(item.label)} {where}",
                f"{where}{self.label(item.label)}的{self.label(col.label)}",
            )
        return self.w(f"{self.label(item.label)} {where}", f"{where}{self.label(item.label)}")

    def place(self, node: CrossRef, form: Form) -> str:
        """``on the Death form at baseline`` / ``基线「死亡」表的``."""
        event = self.study.event(node.head)
        title = form.title.get(self.lang)
        if event is None or (event.kind is EventKind.COMMON and not event.repeating):
            return self.w(f"on the {title} form", f"「{title}」表的")
        name = event.name.get(self.lang)
        occ = node.occurrence
        if self.lang == "zh":
            prefix = {"first": "首次", "last": "末次", "prev": "上一次"}.get(str(occ), "")
            if isinstance(occ, int):
                prefix = f"第{occ}次"
            return f"{prefix}{name}「{title}」表的"
        low = _lower_first(name)
        if occ == "first":
            at = f"the first {low}"
        elif occ == "last":
            at = f"the last {low}"
        elif occ == "prev":
            at = f"the previous {low}"
        elif isinstance(occ, int):
            at = f"{low} {occ}"
        else:
            at = low
        return f"on the {title} form at {at}"

    def arithmetic(self, node: Binary, outer: int) -> str:
        level = _PRECEDENCE[node.op]
        left_kind = self.kind(node.left)
        if node.op in ("+", "-") and left_kind == "date" and isinstance(node.right, Literal):
            days = self.value(node.right)
            base = self.value(node.left)
            if node.op == "+":
                return self.w(f"{days} days after {base}", f"{base}后{days}天")
            return self.w(f"{days} days before {base}", f"{base}前{days}天")
        left = self.operand(node.left, level)
        right = self.operand(node.right, level + 1)
        text = self.w(f"{left} {_OPS[node.op]} {right}", f"{left}{_OPS[node.op]}{right}")
        return f"({text})" if level < outer else text

    def operand(self, node: Expr, level: int) -> str:
        """An operand of arithmetic: choices and roundings go in brackets."""
        text = self.value(node, outer=level)
        if isinstance(node, Call) and node.name in ("if", "round", "coalesce"):
            return self.w(f"({text})", f"（{text}）")
        return text

    def call_value(self, node: Call) -> str:
        name, args = node.name, node.args
        if name == "today":
            return self.w("today", "今天")
        if name == "date" and args and isinstance(args[0], Literal):
            return str(args[0].value)
        if name == "anchor":
            return self.anchor(args[0])
        if name == "param":
            return self.param(args[0])
        if name in ("lln", "uln"):
            return self.limit(name, args[0])
        if name in ("days_between", "months_between", "years_between", "age_at"):
            return self.between(name, args)
        if name in ("year", "month", "day"):
            part = {"year": ("year", "年份"), "month": ("month", "月份"), "day": ("day", "日")}[
                name
            ]
            inner = self.value(args[0])
            return self.w(f"the {part[0]} of {inner}", f"{inner}的{part[1]}")
        if name == "round":
            return self.rounded(args)
        if name == "abs":
            inner = self.value(args[0])
            return self.w(f"the absolute value of {inner}", f"{inner}的绝对值")
        if name in ("floor", "ceil"):
            inner = self.value(args[0], outer=_PRECEDENCE["*"])
            if name == "floor":
                return self.w(f"{inner} rounded down", f"{inner}（向下取整）")
            return self.w(f"{inner} rounded up", f"{inner}（向上取整）")
        if name == "length":
            inner = self.value(args[0])
            return self.w(f"the number of characters in {inner}", f"{inner}的字符数")
        if name in ("upper", "lower"):
            inner = self.value(args[0])
            if name == "upper":
                return self.w(f"{inner} in capitals", f"{inner}（大写）")
            return self.w(f"{inner} in small letters", f"{inner}（小写）")
        if name == "concat":
            parts = [self.value(a) for a in args]
            return self.w(
                f"{_join(parts, 'en', 'and')} written together", _join(parts, "zh", "with") + "连写"
            )
        if name == "count_selected":
            inner = self.value(args[0])
            return self.w(f"the number of options ticked in {inner}", f"{inner}勾选的项数")
        if name == "count":
            return self.count(args[0])
        if name == "count_where":
            group, cond = self.rows(args[0], args[1])
            return self.w(f"the number of rows of {group} where {cond}", f"{group}中{cond}的行数")
        if name in ("sum", "mean", "min", "max"):
            return self.aggregate(name, args)
        if name == "if":
            return self.choice(node)
        if name == "coalesce":
            return self.coalesce(args)
        if name == "missing_code":
            inner = self.value(args[0])
            return self.w(f"the missing-data code given for {inner}", f"{inner}的缺失数据代码")
        if name in ("is_empty", "selected", "matches", "contains", "any_where", "any", "all"):
            return self.whether(node)
        return source_of(node)

    def anchor(self, arg: Expr) -> str:
        anchor = self.study.anchors.get(_literal_name(arg))
        if anchor is None:
            return f"anchor({source_of(arg)})"
        if self.lang == "zh":
            text = anchor.label.zh
            return text if "日期" in text else f"{text}日期"
        text = anchor.label.en
        if re.search(r"\bdate\b", text, re.IGNORECASE):
            return f"the {_lower_first(text)}"
        return f"the date of {_lower_first(text)}"

    def param(self, arg: Expr) -> str:
        param = self.study.parameters.get(_literal_name(arg))
        if param is None:
            return f"param({source_of(arg)})"
        if isinstance(param.value, bool):
            shown = self.w("Yes", "是") if param.value else self.w("No", "否")
        elif isinstance(param.value, Decimal):
            shown = _number(param.value)
        else:
            shown = str(param.value)
        unit = param.unit or ""
        if shown == "1" and unit in _UNITS_ZH and unit.endswith("s"):
            unit = unit[:-1]
        if self.lang == "zh":
            unit = _UNITS_ZH.get(unit, unit)
            joined = f"{shown}{unit}" if unit in _UNITS_ZH.values() else f"{shown} {unit}".strip()
            return f"{param.label.zh}（{joined}）"
        joined = f"{shown} {unit}".strip()
        return f"the {_lower_first(param.label.en)} ({joined})"

    def limit(self, name: str, arg: Expr) -> str:
        analyte = _literal_name(arg)
        ref = self.study.reference_ranges.get(analyte)
        shown = ref.label.get(self.lang) if ref is not None else analyte
        if name == "uln":
            return self.w(f"the upper limit of normal of {shown}", f"{shown}正常值上限")
        return self.w(f"the lower limit of normal of {shown}", f"{shown}正常值下限")

    def between(self, name: str, args: Sequence[Expr]) -> str:
        start, end = self.value(args[0]), self.value(args[1])
        if name == "days_between":
            return self.w(f"the number of days from {start} to {end}", f"{start}至{end}的天数")
        if name == "months_between":
            return self.w(
                f"the number of whole months from {start} to {end}", f"{start}至{end}的整月数"
            )
        if name == "years_between":
            return self.w(
                f"the number of whole years from {start} to {end}", f"{start}至{end}的整年数"
            )
        return self.w(
            f"the age in whole years from {start} to {end}", f"从{start}至{end}的周岁年龄"
        )

    def rounded(self, args: Sequence[Expr]) -> str:
        inner = self.value(args[0])
        places = args[1] if len(args) > 1 else None
        if isinstance(places, Literal) and isinstance(places.value, Decimal) and places.value:
            n = _number(places.value)
            plural = "" if n == "1" else "s"
            return self.w(
                f"{inner}, rounded to {n} decimal place{plural}", f"{inner}（保留{n}位小数）"
            )
        if places is not None and not isinstance(places, Literal):
            n = self.value(places)
            return self.w(f"{inner}, rounded to {n} decimal places", f"{inner}（保留{n}位小数）")
        return self.w(f"{inner}, rounded to a whole number", f"{inner}（取整）")

    def group_phrase(self, node: Expr) -> tuple[str, Item | None, Form | None]:
        """A group reference as words, with the group and its form."""
        if isinstance(node, ItemRef):
            item = self._local(node.name)
            if item is not None and item.is_group:
                return self.label(item.label), item, self.where.form
        if isinstance(node, CrossRef):
            resolved = self._cross(node)
            if resolved is not None and resolved[2].is_group:
                _event, form, item, _column = resolved
                where = self.place(node, form)
                return (
                    self.w(f"{self.label(item.label)} {where}", f"{where}{self.label(item.label)}"),
                    item,
                    form,
                )
        return self.value(node), None, None

    def column_parts(self, node: Expr) -> tuple[str, str] | None:
        """``G.X`` (or ``@…G.X``) as (the column's label, the group in words)."""
        if isinstance(node, ItemRef) and node.column is not None:
            group = self._local(node.name)
            if group is None or not group.is_group:
                return None
            column = next((c for c in group.items if c.oid == node.column), None)
            if column is None:
                return None
            return self.label(column.label), self.label(group.label)
        if isinstance(node, CrossRef):
            resolved = self._cross(node)
            if resolved is None or resolved[3] is None:
                return None
            _event, form, group, column_oid = resolved
            column = next((c for c in group.items if c.oid == column_oid), None)
            if column is None:
                return None
            where = self.place(node, form)
            return self.label(column.label), self.w(
                f"{self.label(group.label)} {where}", f"{where}{self.label(group.label)}"
            )
        return None

    def count(self, arg: Expr) -> str:
        parts = self.column_parts(arg)
        if parts is not None:
            column, group = parts
            return self.w(
                f"the number of rows of {group} with {column} filled in",
                f"{group}中已填写{column}的行数",
            )
        group, _item, _form = self.group_phrase(arg)
        return self.w(f"the number of rows of {group}", f"{group}的行数")

    def rows(self, group_node: Expr, cond: Expr) -> tuple[str, str]:
        """A group and a condition on each of its rows, as words."""
        group, item, form = self.group_phrase(group_node)
        inner = self.within(_Where(form, item, None)) if item is not None else self
        return group, inner.cond(cond)

    def aggregate(self, name: str, args: Sequence[Expr]) -> str:
        if len(args) == 1:
            parts = self.column_parts(args[0])
            if parts is not None:
                column, group = parts
                en = {
                    "sum": f"the sum of {column} over {group}",
                    "mean": f"the mean of {column} over {group}",
                    "min": f"the smallest {column} in {group}",
                    "max": f"the largest {column} in {group}",
                }[name]
                zh = {
                    "sum": f"{group}各行{column}之和",
                    "mean": f"{group}各行{column}的平均值",
                    "min": f"{group}中最小的{column}",
                    "max": f"{group}中最大的{column}",
                }[name]
                return self.w(en, zh)
            return self.w(f"the {name} of {self.value(args[0])}", f"{self.value(args[0])}的{name}")
        values = [self.value(a) for a in args]
        dates = self.kind(args[0]) == "date"
        if name == "max":
            en_word = "later" if dates else "larger"
            zh_word = "较晚者" if dates else "较大值"
        else:
            en_word = "earlier" if dates else "smaller"
            zh_word = "较早者" if dates else "较小值"
        if len(values) > 2:
            en_word = {"later": "latest", "larger": "largest", "earlier": "earliest"}.get(
                en_word, "smallest"
            )
            zh_word = zh_word.replace("较", "最")
        return self.w(
            f"the {en_word} of {_join(values, 'en', 'and')}",
            f"{_join(values, 'zh', 'with')}中的{zh_word}",
        )

    def choice(self, node: Call) -> str:
        """``if(c, a, if(c2, b, d))`` as ``a if c; b if c2; otherwise d``."""
        branches: list[tuple[str, str]] = []
        current: Expr = node
        while isinstance(current, Call) and current.name == "if" and len(current.args) == 3:
            cond, then, other = current.args
            branches.append((self.cond(cond), self.branch_value(then)))
            current = other
        last = self.branch_value(current)
        if self.lang == "zh":
            parts = [f"若{c}，为{v}" for c, v in branches]
            return "；".join(parts) + f"；否则为{last}"
        parts = [f"{v} if {c}" for c, v in branches]
        return "; ".join(parts) + f"; otherwise {last}"

    def branch_value(self, node: Expr) -> str:
        text = self.value(node)
        if isinstance(node, Call) and node.name == "if":
            return f"({text})" if self.lang == "en" else f"（{text}）"
        return text

    def coalesce(self, args: Sequence[Expr]) -> str:
        values = [self.value(a) for a in args]
        if len(values) == 1:
            return values[0]
        if len(values) == 2:
            return self.w(
                f"{values[0]}, or {values[1]} when that is empty",
                f"{values[0]}（为空时取{values[1]}）",
            )
        return self.w(
            f"the first filled-in of {_join(values, 'en', 'and')}",
            f"{_join(values, 'zh', 'with')}中第一个非空值",
        )

    # -- conditions (statements) -------------------------------------------------------

    def cond(self, node: Expr) -> str:
        """``node`` as a statement that is true or false."""
        if isinstance(node, Binary) and node.op in ("and", "or"):
            return self.logic(node.op, _chain(node, node.op))
        if isinstance(node, Unary) and node.op == "not":
            return self.negate(node.operand)
        if isinstance(node, Binary) and node.op in _COMPARISONS:
            return self.compare(node.op, node.left, node.right)
        if isinstance(node, InList):
            return self.one_of(node, negated=False)
        if isinstance(node, Literal):
            if isinstance(node.value, bool):
                return self.w("always", "总是") if node.value else self.w("never", "从不")
            if node.value is None:
                return self.w("it cannot be decided", "无法判断")
            return self.literal(node.value)
        if isinstance(node, Call):
            said = self.call_cond(node, negated=False)
            if said is not None:
                return said
        return self.is_yes(node, True)

    def is_yes(self, node: Expr, value: bool) -> str:
        subject = self.value(node)
        return self.w(f"{subject} is {self.yes_no(value)}", f"{subject}为{self.yes_no(value)}")

    def logic(self, op: str, parts: Sequence[Expr], *, negated: bool = False) -> str:
        """A chain of ``and``/``or`` (each part negated when ``negated``)."""
        texts = []
        for part in parts:
            text = self.negate(part) if negated else self.cond(part)
            inner = _logic_op(part, negated)
            if inner is not None and inner != op:
                text = self.w(f"({text})", f"（{text}）")
            texts.append(text)
        return _join(texts, self.lang, op)

    def negate(self, node: Expr) -> str:
        """``not node`` as a statement."""
        if isinstance(node, Unary) and node.op == "not":
            return self.cond(node.operand)
        if isinstance(node, Binary) and node.op in ("and", "or"):
            other = "or" if node.op == "and" else "and"
            return self.logic(other, _chain(node, node.op), negated=True)
        if isinstance(node, Binary) and node.op in _COMPARISONS:
            return self.compare(_FLIP[node.op], node.left, node.right)
        if isinstance(node, InList):
            return self.one_of(node, negated=True)
        if isinstance(node, Literal) and isinstance(node.value, bool):
            return self.cond(Literal(node.pos, not node.value))
        if isinstance(node, Call):
            said = self.call_cond(node, negated=True)
            if said is not None:
                return said
        if self.kind(node) in ("bool", None) and self.item_of(node) is not None:
            return self.is_yes(node, False)
        if self.kind(node) == "bool" and isinstance(node, Call) and node.name == "param":
            return self.is_yes(node, False)
        text = self.cond(node)
        return self.w(f"it is not so that {text}", f"并非{text}")

    def call_cond(self, node: Call, *, negated: bool) -> str | None:
        """A function used as a condition, or None when it is not one of those."""
        name, args = node.name, node.args
        if name == "is_empty":
            subject = self.value(args[0])
            is_item = self.item_of(args[0]) is not None
            if negated:
                return self.w(
                    f"{subject} is filled in" if is_item else f"{subject} is known",
                    f"{subject}已填写" if is_item else f"{subject}已知",
                )
            return self.w(
                f"{subject} is not filled in" if is_item else f"{subject} is not known",
                f"{subject}未填写" if is_item else f"{subject}未知",
            )
        if name == "selected":
            subject = self.value(args[0])
            codelist = self.codelist_of(args[0])
            option = (
                self.literal(args[1].value, codelist)
                if isinstance(args[1], Literal)
                else self.value(args[1])
            )
            if negated:
                return self.w(f"{subject} does not include {option}", f"{subject}不包含{option}")
            return self.w(f"{subject} includes {option}", f"{subject}包含{option}")
        if name == "matches":
            subject = self.value(args[0])
            pattern = str(args[1].value) if isinstance(args[1], Literal) else self.value(args[1])
            if negated:
                return self.w(
                    f"{subject} does not have the form {pattern}", f"{subject}不符合格式 {pattern}"
                )
            return self.w(f"{subject} has the form {pattern}", f"{subject}符合格式 {pattern}")
        if name == "contains":
            subject, part = self.value(args[0]), self.value(args[1])
            if negated:
                return self.w(f"{subject} does not contain {part}", f"{subject}不包含{part}")
            return self.w(f"{subject} contains {part}", f"{subject}包含{part}")
        if name == "any_where":
            group, cond = self.rows(args[0], args[1])
            if negated:
                return self.w(f"in no row of {group}, {cond}", f"{group}中没有一行{cond}")
            return self.w(f"in at least one row of {group}, {cond}", f"{group}中至少有一行{cond}")
        if name in ("any", "all"):
            parts = self.column_parts(args[0])
            if parts is None:
                return None
            column, group = parts
            yes = self.yes_no(True)
            if (name == "any") != negated:
                return self.w(
                    f"{column} is {yes} in at least one row of {group}",
                    f"{group}中至少有一行{column}为{yes}",
                )
            return self.w(
                f"{column} is {yes} in every row of {group}"
                if not negated
                else f"{column} is not {yes} in any row of {group}",
                f"{group}中每一行{column}均为{yes}"
                if not negated
                else f"{group}中没有一行{column}为{yes}",
            )
        if name == "coalesce" and len(args) == 2 and isinstance(args[1], Literal):
            fallback = args[1].value
            if isinstance(fallback, bool):
                if negated and not fallback and self.item_of(args[0]) is not None:
                    subject = self.value(args[0])
                    yes = self.yes_no(True)
                    return self.w(f"{subject} is not {yes}", f"{subject}不为{yes}")
                return self.negate(args[0]) if negated else self.cond(args[0])
        if name == "if" and len(args) == 3:
            cond = self.cond(args[0])
            then = self.negate(args[1]) if negated else self.cond(args[1])
            other = self.negate(args[2]) if negated else self.cond(args[2])
            return self.w(
                f"if {cond}, {then}; otherwise {other}", f"若{cond}，则{then}；否则{other}"
            )
        return None

    def compare(self, op: str, left: Expr, right: Expr) -> str:
        """``left op right`` as a statement."""
        if (_is_literal(left) and not _is_literal(right)) or (
            isinstance(right, SelfRef) and not isinstance(left, SelfRef)
        ):
            left, right, op = right, left, _MIRROR[op]
        multiple = _multiple_of(left, right) if op == "=" else None
        if multiple is not None:
            subject = self.value(left)
            return self.w(
                f"{subject} is a multiple of {multiple}", f"{subject}为{multiple}的整数倍"
            )
        if isinstance(right, Literal) and right.value is None and op in ("=", "!="):
            is_item = self.item_of(left) is not None
            subject = self.value(left)
            empty = op == "="
            if is_item:
                return self.w(
                    f"{subject} is {'not ' if empty else ''}filled in",
                    f"{subject}{'未' if empty else '已'}填写",
                )
            return self.w(
                f"{subject} is {'empty' if empty else 'not empty'}",
                f"{subject}{'为空' if empty else '不为空'}",
            )
        if isinstance(right, Literal) and isinstance(right.value, bool) and op in ("=", "!="):
            wanted = right.value if op == "=" else not right.value
            return self.cond(left) if wanted else self.negate(left)
        left_kind, right_kind = self.kind(left), self.kind(right)
        if left_kind == "bool" and right_kind == "bool" and op in ("=", "!="):
            first = self.cond(left)
            second = self.cond(right) if op == "=" else self.negate(right)
            return self.w(f"{first} exactly when {second}", f"{first}当且仅当{second}")
        kinds = {left_kind, right_kind}
        column = 1 if kinds & {"date", "time", "datetime"} else 0
        if column == 0 and not kinds & {"number"}:
            column = 2
        verb = _VERBS[self.lang][op][column]
        subject = self.operand(left, _PRECEDENCE["cmp"])
        if isinstance(right, Literal):
            other = self.literal(right.value, self.codelist_of(left))
            unit = self.unit_of(left)
            if unit and isinstance(right.value, Decimal) and self.codelist_of(left) is None:
                other = f"{other} {unit}"
        else:
            other = self.operand(right, _PRECEDENCE["cmp"])
            if op in ("=", "!=") and column != 0:
                same = op == "="
                return self.w(
                    f"{subject} is {'the same as' if same else 'not the same as'} {other}",
                    f"{subject}与{other}{'相同' if same else '不同'}",
                )
        if self.lang == "zh":
            return f"{subject}{verb}{other}"
        return f"{subject} {verb} {other}"

    def one_of(self, node: InList, *, negated: bool) -> str:
        subject = self.value(node.needle)
        codelist = self.codelist_of(node.needle)
        words = [
            self.literal(o.value, codelist) if isinstance(o, Literal) else self.value(o)
            for o in node.options
        ]
        if len(words) == 1:
            verb = _VERBS[self.lang]["!=" if negated else "="][2]
            return (
                f"{subject} {verb} {words[0]}"
                if self.lang == "en"
                else f"{subject}{verb}{words[0]}"
            )
        if len(words) > LIST_SHOWN + 1:
            noun = (
                self.w("terms", "项")
                if codelist is not None and codelist.source
                else self.w("options", "项")
            )
            shown = self.w(", ".join(words[:LIST_SHOWN]), "、".join(words[:LIST_SHOWN]))
            listed = self.w(
                f"{shown}, … ({len(words)} {noun})", f"{shown}……（共{len(words)}{noun}）"
            )
            if negated:
                return self.w(
                    f"{subject} is none of: {listed}", f"{subject}不是以下任一项：{listed}"
                )
            return self.w(f"{subject} is one of: {listed}", f"{subject}为以下之一：{listed}")
        if negated:
            return self.w(
                f"{subject} is neither {_join(words, 'en', 'nor')}",
                f"{subject}不为{_join(words, 'zh', 'or')}",
            )
        return self.w(
            f"{subject} is {_join(words, 'en', 'or')}", f"{subject}为{_join(words, 'zh', 'or')}"
        )


# -- small helpers -------------------------------------------------------------------


def _literal_name(node: Expr) -> str:
    return str(node.value) if isinstance(node, Literal) else source_of(node)


def _multiple_of(left: Expr, right: Expr) -> str | None:
    """``n`` when ``right`` is ``floor(left / n) * n``: "left is a multiple of n"."""
    if not (isinstance(right, Binary) and right.op == "*" and isinstance(right.right, Literal)):
        return None
    inner = right.left
    if not (isinstance(inner, Call) and inner.name in ("floor", "ceil") and len(inner.args) == 1):
        return None
    division = inner.args[0]
    if not (isinstance(division, Binary) and division.op == "/"):
        return None
    step = right.right.value
    if source_of(division.left) != source_of(left) or not isinstance(division.right, Literal):
        return None
    if division.right.value != step or not isinstance(step, Decimal):
        return None
    return _number(step)


def _is_literal(node: Expr) -> bool:
    return isinstance(node, Literal) or (
        isinstance(node, Unary) and node.op == "-" and isinstance(node.operand, Literal)
    )


def _chain(node: Expr, op: str) -> list[Expr]:
    """The operands of a run of the same ``and``/``or``, flattened."""
    if isinstance(node, Binary) and node.op == op:
        return _chain(node.left, op) + _chain(node.right, op)
    return [node]


def _logic_op(node: Expr, negated: bool) -> str | None:
    """The logic operator a part is said with (after De Morgan when negated)."""
    if isinstance(node, Unary) and node.op == "not":
        return _logic_op(node.operand, not negated)
    if isinstance(node, Binary) and node.op in ("and", "or"):
        if negated:
            return "or" if node.op == "and" else "and"
        return node.op
    return None


def _join(parts: Sequence[str], lang: str, op: str) -> str:
    """``a, b and c`` / ``a、b且c``."""
    if lang == "zh":
        word = {"and": "且", "or": "或", "nor": "或", "with": "与"}[op]
        return word.join(parts) if len(parts) < 3 else "、".join(parts[:-1]) + word + parts[-1]
    word = {"and": "and", "or": "or", "nor": "nor", "with": "and"}[op]
    if len(parts) <= 2:
        return f" {word} ".join(parts)
    return ", ".join(parts[:-1]) + f" {word} " + parts[-1]


def _lower_first(text: str) -> str:
    """``Minimum age`` → ``minimum age``; ``ALT``, ``PD-1 …`` stay as they are."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text and text[0].islower() else text


# -- the public functions ----------------------------------------------------------


def _tree(expr: Expression | Expr) -> tuple[Expr, str]:
    if isinstance(expr, Expression):
        return expr.tree, expr.source
    return expr, ""


def describe(
    expr: Expression | Expr,
    study: Study,
    form: Form | None,
    lang: str,
    *,
    item: Item | None = None,
    group: Item | None = None,
) -> str:
    """``expr`` in words, in ``lang`` (``en`` or ``zh``).

    A yes/no expression (skip logic, a constraint, an eligibility criterion) is
    said as a statement ("«Serious adverse event?» is Yes"); any other as what it
    computes ("«Weight» ÷ …, rounded to 1 decimal place"). ``form`` is the form
    the expression belongs to (None for study-level expressions), ``item`` the
    item whose constraint or calculation it is (``.``) and ``group`` the group
    whose row is meant (found from ``item`` when not given). Never raises: what
    cannot be phrased is given as the expression source.
    """
    tree, source = _tree(expr)
    if group is None and item is not None and form is not None:
        group = form.group_of(item.oid)
    speaker = _Speaker(study, _Where(form, group, item), lang)
    try:
        if speaker.kind(tree) == "bool" or _looks_boolean(tree):
            return speaker.cond(tree)
        return speaker.value(tree)
    except Exception:
        return source or _safe_source(tree)


def _safe_source(tree: Expr) -> str:
    try:
        return source_of(tree)
    except Exception:
        return "?"


def _looks_boolean(node: Expr) -> bool:
    if isinstance(node, Binary):
        return node.op in ("and", "or", *_COMPARISONS)
    if isinstance(node, Unary):
        return node.op == "not"
    if isinstance(node, InList):
        return True
    return isinstance(node, Call) and node.name in (
        "is_empty",
        "selected",
        "matches",
        "contains",
        "any_where",
        "any",
        "all",
    )


def skip_text(
    expr: Expression,
    study: Study,
    form: Form,
    lang: str,
    *,
    item: Item | None = None,
    what: str = "item",
) -> str:
    """The instruction for ``relevant``: "Answer only if …" (``what`` = ``item``),
    "Fill in this section only if …" (``section``) or "Fill in this table only
    if …" (``group``)."""
    words = describe(expr, study, form, lang, item=None, group=_row_group(form, item))
    if lang == "zh":
        tail = {"section": "时填写本部分", "group": "时填写本表"}.get(what, "时填写")
        return f"仅当{words}{tail}。"
    head = {
        "section": "Fill in this section only if",
        "group": "Fill in this table only if",
    }.get(what, "Answer only if")
    return f"{head} {words}."


def required_text(expr: Expression, study: Study, form: Form, lang: str, *, item: Item) -> str:
    """The instruction for ``required_if``: "Required if …"."""
    words = describe(expr, study, form, lang, group=_row_group(form, item))
    return f"当{words}时必填。" if lang == "zh" else f"Required if {words}."


def calculation_text(expr: Expression, study: Study, form: Form, lang: str, *, item: Item) -> str:
    """What a calculated item shows: "calculated: …"."""
    words = describe(expr, study, form, lang, item=item)
    if item.value_type is ValueType.YES_NO:
        words = _w(lang, f"Yes when {words}", f"当{words}时为“是”")
    return _w(lang, f"calculated: {words}", f"自动计算：{words}")


def constraint_text(
    constraint: Constraint, study: Study, form: Form, lang: str, *, item: Item
) -> str:
    """A constraint as a sentence with its severity: "Check (hard): the answer is …"."""
    words = _capital(describe(constraint.expr, study, form, lang, item=item))
    hard = constraint.severity is Severity.HARD
    if lang == "zh":
        return f"核查（{'强制' if hard else '提示'}）：{words}"
    return f"Check ({'hard' if hard else 'soft'}): {words}"


def _row_group(form: Form, item: Item | None) -> Item | None:
    if item is None:
        return None
    if item.type is ItemType.GROUP:
        return None
    return form.group_of(item.oid)


__all__ = [
    "LIST_SHOWN",
    "calculation_text",
    "constraint_text",
    "describe",
    "required_text",
    "skip_text",
    "source_of",
]
