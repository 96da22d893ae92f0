"""Typed access to located YAML nodes, reporting every misfit as a problem.

The builder describes what each mapping may hold; :class:`Reader` checks keys,
types and OIDs and converts scalars, so the builder itself stays declarative.
Every method returns None after reporting a problem, and the caller carries on,
so one run finds all the problems in a file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from npc_crf.forms.expr.check import suggest
from npc_crf.forms.expr.parser import ExprSyntaxError, parse
from npc_crf.forms.model import Expression, Text
from npc_crf.forms.problems import Location, Problems
from npc_crf.forms.source import Entry, MapNode, Node, ScalarNode, SeqNode

OID_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,39}$")
STUDY_OID_RE = re.compile(r"^[A-Z][A-Z0-9_.\-]{0,63}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class Fields:
    """The entries of one mapping, checked against the keys it may hold."""

    def __init__(self, node: MapNode, entries: dict[str, Entry]) -> None:
        self.node = node
        self.entries = entries

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def get(self, key: str) -> Node | None:
        """The value node for ``key``, or None when absent."""
        entry = self.entries.get(key)
        return entry.value if entry else None

    def key_loc(self, key: str) -> Location:
        """Where ``key`` is written (the mapping's position when absent)."""
        entry = self.entries.get(key)
        return entry.key_loc if entry else self.node.loc


class Reader:
    """Converts located nodes to values, reporting problems into ``problems``."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def error(self, loc: Location, message: str) -> None:
        """Report a problem."""
        self.problems.add(loc, message)

    # -- containers ----------------------------------------------------------------

    def fields(
        self, node: Node, what: str, required: Iterable[str], optional: Iterable[str] = ()
    ) -> Fields | None:
        """Check that ``node`` is a mapping with the ``required`` keys and no others."""
        if not isinstance(node, MapNode):
            self.error(node.loc, f"{what} must be a mapping of keys and values")
            return None
        required = tuple(required)
        allowed = set(required) | set(optional)
        entries: dict[str, Entry] = {}
        for entry in node.entries:
            if entry.key not in allowed:
                self.error(
                    entry.key_loc,
                    f"unknown key '{entry.key}' in {what}" + suggest(entry.key, sorted(allowed)),
                )
                continue
            entries[entry.key] = entry
        for key in required:
            if key not in entries:
                self.error(node.loc, f"{what} is missing '{key}'")
        return Fields(node, entries)

    def seq(self, node: Node | None, what: str, min_items: int = 0) -> list[Node]:
        """The items of a list node (empty after reporting when it is not a list)."""
        if node is None:
            return []
        if not isinstance(node, SeqNode):
            self.error(node.loc, f"{what} must be a list")
            return []
        if len(node.items) < min_items:
            self.error(
                node.loc,
                f"{what} needs at least {min_items} entr{'y' if min_items == 1 else 'ies'}",
            )
        return list(node.items)

    # -- scalars -------------------------------------------------------------------

    def scalar(self, node: Node | None, what: str) -> ScalarNode | None:
        """``node`` when it is a scalar."""
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            self.error(
                node.loc,
                f"{what} must be a single value, not a {'list' if isinstance(node, SeqNode) else 'mapping'}",
            )
            return None
        return node

    def string(self, node: Node | None, what: str, allow_empty: bool = False) -> str | None:
        """A text value (YAML strings only: ``version: 1.0`` must be quoted)."""
        scalar = self.scalar(node, what)
        if scalar is None:
            return None
        if not isinstance(scalar.value, str):
            self.error(scalar.loc, f'{what} must be text; put it in quotes: "{scalar.text}"')
            return None
        if not allow_empty and not scalar.value.strip():
            self.error(scalar.loc, f"{what} must not be empty")
            return None
        return scalar.value

    def oid(self, node: Node | None, what: str, pattern: re.Pattern[str] = OID_RE) -> str | None:
        """An OID: upper-case letters, digits and underscores, starting with a letter."""
        scalar = self.scalar(node, what)
        if scalar is None:
            return None
        text = scalar.text if scalar.value is not None else ""
        if not pattern.match(text):
            rule = "A-Z, 0-9 and _" if pattern is OID_RE else "A-Z, 0-9, _, . and -"
            self.error(
                scalar.loc,
                f"{what} '{text}' is not a valid OID (a capital letter, then {rule}; at most 40)",
            )
            return None
        return text

    def boolean(self, node: Node | None, what: str) -> bool | None:
        """``true`` or ``false``."""
        scalar = self.scalar(node, what)
        if scalar is None:
            return None
        if not isinstance(scalar.value, bool):
            self.error(scalar.loc, f"{what} must be true or false, not '{scalar.text}'")
            return None
        return scalar.value

    def integer(self, node: Node | None, what: str, minimum: int | None = None) -> int | None:
        """A whole number, at least ``minimum``."""
        scalar = self.scalar(node, what)
        if scalar is None:
            return None
        if not isinstance(scalar.value, int) or isinstance(scalar.value, bool):
            self.error(scalar.loc, f"{what} must be a whole number, not '{scalar.text}'")
            return None
        if minimum is not None and scalar.value < minimum:
            self.error(scalar.loc, f"{what} must be at least {minimum}, not {scalar.value}")
            return None
        return scalar.value

    def number(self, node: Node | None, what: str) -> Decimal | None:
        """A number, kept exact as written."""
        scalar = self.scalar(node, what)
        if scalar is None:
            return None
        if isinstance(scalar.value, bool) or not isinstance(scalar.value, int | float):
            self.error(scalar.loc, f"{what} must be a number, not '{scalar.text}'")
            return None
        try:
            return Decimal(scalar.text.replace("_", ""))
        except InvalidOperation:
            return Decimal(str(scalar.value))

    def date(self, node: Node | None, what: str) -> dt.date | None:
        """A date written YYYY-MM-DD."""
        scalar = self.scalar(node, what)
        if scalar is None:
            return None
        value = scalar.value
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.error(scalar.loc, f"{what} must be a date written YYYY-MM-DD, not '{scalar.text}'")
        return None

    def choice(self, node: Node | None, what: str, options: Iterable[str]) -> str | None:
        """One of ``options``."""
        scalar = self.scalar(node, what)
        if scalar is None:
            return None
        options = list(options)
        if scalar.text not in options:
            self.error(
                scalar.loc,
                f"{what} must be one of {', '.join(options)}, not '{scalar.text}'"
                + suggest(scalar.text, options),
            )
            return None
        return scalar.text

    def text(self, node: Node | None, what: str) -> Text | None:
        """Bilingual text ``{en: …, zh: …}``: both languages, neither empty."""
        if node is None:
            return None
        fields = self.fields(node, what, ("en", "zh"))
        if fields is None:
            return None
        en = self.string(fields.get("en"), f"{what} (en)") if "en" in fields else None
        zh = self.string(fields.get("zh"), f"{what} (zh)") if "zh" in fields else None
        if en is None or zh is None:
            return None
        return Text(en.strip(), zh.strip())

    def unit(self, node: Node | None, what: str) -> Text | None:
        """A unit: a plain symbol, or bilingual text."""
        if node is None:
            return None
        if isinstance(node, ScalarNode):
            symbol = self.string(node, what)
            return Text(symbol, symbol) if symbol is not None else None
        return self.text(node, what)

    def expression(self, node: Node | None, what: str) -> Expression | None:
        """An expression: parsed here, its syntax errors placed at their column."""
        scalar = self.scalar(node, what)
        if scalar is None:
            return None
        if isinstance(scalar.value, bool):
            self.error(scalar.loc, f"{what} must be an expression in quotes, not '{scalar.text}'")
            return None
        raw = scalar.text
        source = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        locs = scalar.offset_locations()[lead : lead + len(source) + 1]
        try:
            tree = parse(source)
        except ExprSyntaxError as exc:
            loc = locs[min(exc.pos, len(locs) - 1)] if locs else scalar.loc
            self.error(loc, f"{what}: {exc.message}")
            return None
        return Expression(source, tree, scalar.loc, tuple(locs))
