"""Dates that may be partial, as the span of days they may be.

A full date is a span of one day; ``2024-03`` is 1–31 March 2024; a date known only
to be on or after some day ends on :data:`OPEN_END`. Comparisons of spans answer
"certainly", "certainly not" or "cannot tell" (``None``): a partial date that
straddles a boundary is never imputed (``domain-rules.md`` §7).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from npc_crf.forms.expr.values import PartialDate

#: the latest day of a span whose end is not known (an ongoing course, an unknown end)
OPEN_END = dt.date.max


@dataclass(frozen=True)
class Span:
    """The days a date may be: ``earliest`` to ``latest``, both inclusive."""

    earliest: dt.date
    latest: dt.date

    def __post_init__(self) -> None:
        if self.latest < self.earliest:
            raise ValueError(f"a span cannot end ({self.latest}) before it starts")

    @classmethod
    def day(cls, day: dt.date) -> Span:
        """The span of one known day."""
        return cls(day, day)

    @property
    def exact(self) -> dt.date | None:
        """The day, when the span is a single day."""
        return self.earliest if self.earliest == self.latest else None

    @property
    def open_ended(self) -> bool:
        """True when the latest day is not known."""
        return self.latest == OPEN_END

    def shift(self, days: int) -> Span:
        """The span ``days`` later (an open end stays open)."""
        step = dt.timedelta(days=days)
        latest = self.latest if self.open_ended else self.latest + step
        return Span(self.earliest + step, latest)

    def __str__(self) -> str:
        exact = self.exact
        if exact is not None:
            return exact.isoformat()
        end = "…" if self.open_ended else self.latest.isoformat()
        return f"{self.earliest.isoformat()}–{end}"


def span_of(value: object) -> Span | None:
    """The span of a date, datetime or partial date; None for anything else."""
    if isinstance(value, dt.datetime):
        return Span.day(value.date())
    if isinstance(value, dt.date):
        return Span.day(value)
    if isinstance(value, PartialDate):
        return Span(value.earliest(), value.latest())
    return None


def earliest_of(spans: list[Span]) -> Span | None:
    """The span of the earliest of several dates (None for none)."""
    if not spans:
        return None
    return Span(min(s.earliest for s in spans), min(s.latest for s in spans))


def latest_of(spans: list[Span]) -> Span | None:
    """The span of the latest of several dates (None for none)."""
    if not spans:
        return None
    return Span(max(s.earliest for s in spans), max(s.latest for s in spans))


def before(a: Span, b: Span) -> bool | None:
    """Is ``a`` strictly before ``b``? None when partial dates leave it open."""
    if a.latest < b.earliest:
        return True
    if a.earliest >= b.latest:
        return False
    return None


def after(a: Span, b: Span) -> bool | None:
    """Is ``a`` strictly after ``b``? None when partial dates leave it open."""
    return before(b, a)


def within(a: Span, start: Span, end: Span | None) -> bool | None:
    """Is ``a`` between ``start`` and ``end`` (inclusive; ``end`` None: no end)?"""
    early = before(a, start)
    late = after(a, end) if end is not None else False
    if early is True or late is True:
        return False
    if early is False and late is False:
        return True
    return None
