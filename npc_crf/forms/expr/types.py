"""Static types of the expression language, used by the checker."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class T:
    """A static type.

    ``kind`` is one of ``bool``, ``number``, ``text``, ``date``, ``time``,
    ``datetime``, ``set`` (codes of a multiple choice), ``null``, ``list`` (a
    group column, ``elem`` is the type of its values) or ``rows`` (a group).
    ``codelist`` is set for coded values and sets; ``group`` names a group's
    form and OID for ``rows``.
    """

    kind: str
    codelist: str | None = None
    elem: T | None = None
    group: tuple[str, str] | None = None

    def __str__(self) -> str:
        if self.kind == "list" and self.elem is not None:
            return f"list of {self.elem}"
        if self.kind == "rows" and self.group is not None:
            return f"rows of group {self.group[1]}"
        if self.kind == "set":
            return "multiple choice"
        names = {
            "bool": "yes/no",
            "number": "number",
            "text": "text",
            "date": "date",
            "time": "time",
            "datetime": "date and time",
            "null": "null",
        }
        base = names.get(self.kind, self.kind)
        return f"{base} code of {self.codelist}" if self.codelist else base

    @property
    def scalar(self) -> bool:
        """True for single values (not lists, rows or sets)."""
        return self.kind not in ("list", "rows", "set")


BOOL = T("bool")
NUMBER = T("number")
TEXT = T("text")
DATE = T("date")
TIME = T("time")
DATETIME = T("datetime")
NULL = T("null")


def base(t: T) -> T:
    """The type without its code list."""
    return T(t.kind) if t.codelist and t.kind != "set" else t


def comparable(a: T, b: T, ordered: bool) -> bool:
    """Whether values of types ``a`` and ``b`` may be compared."""
    if a.kind == "null" or b.kind == "null":
        return True
    if not (a.scalar and b.scalar):
        return False
    if a.kind != b.kind:
        return False
    return not (ordered and a.kind == "bool")
