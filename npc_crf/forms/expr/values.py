"""Run-time values of the expression language.

Besides plain Python values (``Decimal``, ``str``, ``bool``, ``date``, ``time``,
``datetime``, ``frozenset`` of codes) the language has:

* ``None`` — empty: not entered, not relevant, or a missing-data code;
* :class:`PartialDate` — a date whose day, or month and day, is unknown;
* :class:`NumRange` — a number known only to lie in a range (a difference of
  partial dates);
* :data:`INDETERMINATE` — an answer that depends on an unknown part of a date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal


class _Indeterminate:
    """The single value meaning "the data exist but cannot decide this"."""

    _instance: _Indeterminate | None = None

    def __new__(cls) -> _Indeterminate:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "INDETERMINATE"

    def __bool__(self) -> bool:
        raise TypeError("INDETERMINATE has no truth value; test it explicitly")


INDETERMINATE = _Indeterminate()

_PARTIAL_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day; unknown parts are None.

    Never padded: ``PartialDate(2024, 3)`` is "some day in March 2024".
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} out of range")
        if self.month is None and self.day is not None:
            raise ValueError("a day without a month is not a partial date")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} out of range")
        if self.day is not None:
            assert self.month is not None
            dt.date(self.year, self.month, self.day)  # raises ValueError when impossible

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; ValueError otherwise."""
        match = _PARTIAL_RE.match(text.strip())
        if not match:
            raise ValueError(f"'{text}' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = match.groups()
        return cls(int(year), int(month) if month else None, int(day) if day else None)

    @property
    def precision(self) -> str:
        """``year``, ``month`` or ``day``: how much of the date is known."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def is_complete(self) -> bool:
        """True when the day is known."""
        return self.day is not None

    def earliest(self) -> dt.date:
        """The first day this partial date may be."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> dt.date:
        """The last day this partial date may be."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return dt.date(self.year, month, day)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text


@dataclass(frozen=True)
class NumRange:
    """A number known only to lie between ``lo`` and ``hi`` (inclusive), lo < hi."""

    lo: Decimal
    hi: Decimal
    #: True when the range is wide because data are missing (not because of partial
    #: dates): what it decides is then empty rather than indeterminate
    missing: bool = False

    def __str__(self) -> str:
        return f"{self.lo}..{self.hi}"


def num_range(lo: Decimal, hi: Decimal, missing: bool = False) -> Decimal | NumRange:
    """A NumRange, or the plain number when the range is a single point."""
    if lo == hi:
        return lo
    return NumRange(min(lo, hi), max(lo, hi), missing)


def date_bounds(value: object) -> tuple[dt.date, dt.date] | None:
    """The earliest and latest day a date-like value may be, or None if not date-like."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value, value
    if isinstance(value, PartialDate):
        return value.earliest(), value.latest()
    return None


def num_bounds(value: object) -> tuple[Decimal, Decimal] | None:
    """The bounds of a number or NumRange, or None."""
    if isinstance(value, NumRange):
        return value.lo, value.hi
    if isinstance(value, Decimal):
        return value, value
    return None


def is_unknown(value: object) -> bool:
    """True for empty and indeterminate values."""
    return value is None or value is INDETERMINATE


def whole_months(start: dt.date, end: dt.date) -> int:
    """Completed months from ``start`` to ``end`` (negative when end is earlier)."""
    if end < start:
        return -whole_months(end, start)
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        # the month is complete only when the day has been reached; a start on
        # the 31st is reached on the last day of a shorter month
        last_day = calendar.monthrange(end.year, end.month)[1]
        if not (end.day == last_day and start.day > last_day):
            months -= 1
    return months


def whole_years(start: dt.date, end: dt.date) -> int:
    """Completed years from ``start`` to ``end`` (age at ``end`` when born on ``start``)."""
    return whole_months(start, end) // 12 if end >= start else -(whole_months(end, start) // 12)
