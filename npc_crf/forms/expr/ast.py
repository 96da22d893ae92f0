"""The syntax tree of an expression. Every node knows its offset in the source text."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Expr:
    """Base of all expression nodes; ``pos`` is the character offset in the source."""

    pos: int


@dataclass(frozen=True)
class Literal(Expr):
    """A number, text, ``true``/``false`` or ``null``."""

    value: Decimal | str | bool | None


@dataclass(frozen=True)
class SelfRef(Expr):
    """``.``: the value of the item a constraint belongs to."""


@dataclass(frozen=True)
class ItemRef(Expr):
    """``ITEM`` or ``GROUP.ITEM`` in the same form."""

    name: str
    column: str | None = None  # set for GROUP.ITEM

    @property
    def text(self) -> str:
        """The reference as written."""
        return f"{self.name}.{self.column}" if self.column else self.name


@dataclass(frozen=True)
class CrossRef(Expr):
    """``@[EVENT[occ].]FORM.ITEM`` or ``@…FORM.GROUP[.ITEM]``: data of another form.

    ``parts`` are the dotted names after the event (if any) as written; which of
    them is the event is decided when the study is known (event OIDs and form
    OIDs are distinct).
    """

    head: str
    occurrence: str | int | None  # "first" | "last" | "prev" | number | None
    parts: tuple[str, ...]

    @property
    def text(self) -> str:
        """The reference as written."""
        occ = f"[{self.occurrence}]" if self.occurrence is not None else ""
        return "@" + ".".join((self.head + occ, *self.parts))


@dataclass(frozen=True)
class Unary(Expr):
    """``-x`` or ``not x``."""

    op: str
    operand: Expr


@dataclass(frozen=True)
class Binary(Expr):
    """``a op b`` for arithmetic, comparison and logic operators."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class InList(Expr):
    """``x in (a, b, …)``."""

    needle: Expr
    options: tuple[Expr, ...]


@dataclass(frozen=True)
class Call(Expr):
    """``name(arg, …)``."""

    name: str
    args: tuple[Expr, ...]


def walk(node: Expr) -> list[Expr]:
    """``node`` and all nodes below it, depth first."""
    out: list[Expr] = [node]
    if isinstance(node, Unary):
        out += walk(node.operand)
    elif isinstance(node, Binary):
        out += walk(node.left) + walk(node.right)
    elif isinstance(node, InList):
        out += walk(node.needle)
        for option in node.options:
            out += walk(option)
    elif isinstance(node, Call):
        for arg in node.args:
            out += walk(arg)
    return out
