"""Reading a derivation's JSON input with errors that name the field.

Every ``npc-crf derive`` kind reads one JSON document. A wrong field is reported
as its JSON path (``assessments[2].measurements.T3: must be a number of mm ...``)
so a central reviewer can find it in her file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import NoReturn

from npc_crf.core.errors import NpcCrfError


class InputError(NpcCrfError):
    """A derivation input that cannot be used; ``field`` is the JSON path of the culprit."""

    exit_code = 1

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field or '(document)'}: {message}")
        self.field = field


_ABSENT = object()


class Node:
    """A JSON value and the path that leads to it."""

    def __init__(self, value: object, path: str = "") -> None:
        self.value = value
        self.path = path

    # ---------------------------------------------------------------- navigation
    def _child_path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def fail(self, message: str) -> NoReturn:
        """Raise an :class:`InputError` for this node."""
        raise InputError(self.path, message)

    def obj(self) -> Mapping[str, object]:
        """The value as a JSON object."""
        if not isinstance(self.value, dict):
            self.fail(f"must be an object, not {_kind(self.value)}")
        return self.value

    def has(self, key: str) -> bool:
        """Whether the object has ``key`` (with any value, null included)."""
        return key in self.obj()

    def get(self, key: str, default: object = _ABSENT) -> Node:
        """The member ``key``; missing is an error unless a default is given."""
        data = self.obj()
        if key not in data:
            if default is _ABSENT:
                raise InputError(self._child_path(key), "is required")
            return Node(default, self._child_path(key))
        return Node(data[key], self._child_path(key))

    def items(self) -> Iterator[tuple[str, Node]]:
        """The members of an object, in document order."""
        for key, value in self.obj().items():
            yield key, Node(value, self._child_path(key))

    def elements(self) -> list[Node]:
        """The elements of an array."""
        if not isinstance(self.value, list):
            self.fail(f"must be an array, not {_kind(self.value)}")
        return [Node(v, self._child_path(i)) for i, v in enumerate(self.value)]

    def unknown_keys(self, allowed: set[str]) -> None:
        """Refuse members not in ``allowed`` (a typo would otherwise be ignored silently)."""
        for key in self.obj():
            if key not in allowed:
                raise InputError(
                    self._child_path(key),
                    f"unknown field (expected one of: {', '.join(sorted(allowed))})",
                )

    # ---------------------------------------------------------------- scalars
    @property
    def is_null(self) -> bool:
        """Whether the value is JSON null."""
        return self.value is None

    def string(self) -> str:
        """A non-empty string."""
        if not isinstance(self.value, str) or not self.value.strip():
            self.fail(f"must be a non-empty string, not {_kind(self.value)}")
        return self.value

    def choice(self, allowed: tuple[str, ...] | list[str]) -> str:
        """One of ``allowed`` (exact spelling)."""
        if not isinstance(self.value, str) or self.value not in allowed:
            self.fail(f"must be one of {', '.join(map(repr, allowed))}, not {self.value!r}")
        return self.value

    def boolean(self) -> bool:
        """``true`` or ``false``."""
        if not isinstance(self.value, bool):
            self.fail(f"must be true or false, not {_kind(self.value)}")
        return self.value

    def decimal(self, *, minimum: Decimal | None = None) -> Decimal:
        """A number, exactly as written (JSON numbers are read as decimals, never floats)."""
        value = self.value
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
            self.fail(f"must be a number, not {_kind(value)}")
        if isinstance(value, str):
            self.fail(f"must be a number, not the string {value!r}")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(f"must be a number, not {value!r}")
        if not number.is_finite():
            self.fail("must be a finite number")
        if minimum is not None and number < minimum:
            self.fail(f"must be at least {minimum}, not {number}")
        return number

    def integer(self, *, minimum: int | None = None) -> int:
        """A whole number."""
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"must be a whole number, not {_kind(value)}")
        if minimum is not None and value < minimum:
            self.fail(f"must be at least {minimum}, not {value}")
        return value

    def date(self) -> dt.date:
        """A full ISO 8601 date ``YYYY-MM-DD``."""
        if not isinstance(self.value, str):
            self.fail(f"must be a date YYYY-MM-DD, not {_kind(self.value)}")
        try:
            if len(self.value) != 10:
                raise ValueError
            return dt.date.fromisoformat(self.value)
        except ValueError:
            self.fail(f"must be a full date YYYY-MM-DD, not {self.value!r}")


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float, Decimal)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
