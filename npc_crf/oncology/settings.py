"""Protocol-dependent choices of the oncology engines, read from the study file.

Each engine keeps its choices in a frozen dataclass whose defaults are the
documented ones (``docs/oncology-settings.md``). A study overrides them in its
``study.yaml``::

    oncology:
      response: {criteria: iRECIST, confirm_min_days: 28}
      ctcae: {baseline_abnormal: above_uln}
      safety: {sae_report_hours: 24}

and ``npc-crf derive`` accepts the same keys under ``"settings"``. A key that is
unknown or a value of the wrong kind is refused, naming the key.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

T = TypeVar("T")


class SettingError(ValueError):
    """A setting that cannot be used; ``key`` names it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def choices(*options: str) -> dict[str, Any]:
    """Field metadata restricting a ``str`` setting to ``options``."""
    return {"choices": options}


def settings_from_mapping(cls: type[T], mapping: Mapping[str, object]) -> T:
    """An instance of the settings dataclass ``cls`` with ``mapping`` over its defaults.

    Integers must be whole numbers (booleans are not numbers), decimals and floats
    accept any finite number, a ``tuple[float, ...]`` a list of them, strings with
    ``choices`` metadata must be one of them.
    """
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls!r} is not a dataclass")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, object] = {}
    for key, value in mapping.items():
        field = fields.get(key)
        if field is None:
            raise SettingError(key, f"unknown setting (known: {', '.join(sorted(fields))})")
        values[key] = _coerce(key, value, hints[key], field.metadata.get("choices"))
    return cls(**values)


def settings_as_mapping(settings: object) -> dict[str, object]:
    """The settings as plain values (for output and documentation)."""
    return {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)}  # type: ignore[arg-type]


def _coerce(key: str, value: object, hint: object, options: tuple[str, ...] | None) -> object:
    if hint is bool:
        if not isinstance(value, bool):
            raise SettingError(key, f"must be true or false, not {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, Decimal) and value == value.to_integral_value():
                return int(value)
            raise SettingError(key, f"must be a whole number, not {value!r}")
        if value < 0:
            raise SettingError(key, f"must not be negative, not {value}")
        return value
    if hint is Decimal:
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise SettingError(key, f"must be a number, not {value!r}")
        try:
            return Decimal(str(value))
        except InvalidOperation as exc:  # pragma: no cover - str() of a number parses
            raise SettingError(key, f"must be a number, not {value!r}") from exc
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise SettingError(key, f"must be a number, not {value!r}")
        number = float(value)
        if not math.isfinite(number):
            raise SettingError(key, f"must be a finite number, not {value!r}")
        return number
    if typing.get_origin(hint) is tuple and typing.get_args(hint) == (float, Ellipsis):
        if not isinstance(value, (list, tuple)):
            raise SettingError(key, f"must be a list of numbers, not {value!r}")
        return tuple(_coerce(f"{key}[{n}]", v, float, None) for n, v in enumerate(value))
    if hint is str:
        if not isinstance(value, str):
            raise SettingError(key, f"must be text, not {value!r}")
        if options is not None and value not in options:
            raise SettingError(key, f"must be one of {', '.join(options)}, not {value!r}")
        return value
    raise TypeError(f"setting {key}: unsupported type {hint!r}")  # a programming error
