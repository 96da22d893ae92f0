"""Form values to the dates the derivations use, partial dates included.

Forms keep partial dates partial (``2024-05``, ``2024``; docs/form-definitions.md).
The endpoints need a day, so a partial date is imputed here, at analysis, and the
imputation is recorded as a note (ADaM's date imputation flag in words):

* a partial date becomes the **earliest** day it may be (the first of the month, or
  1 January) — the conservative choice: progression and death come no later than
  the data allow, so PFS and OS are never lengthened by an imputation;
* but never before ``floor``, a day the data already rule out (a death is not before
  the last day the subject was known alive; a progression or a new therapy is not
  before the start): when the floor falls inside the partial date's range, the floor
  is taken;
* when the floor is after the partial date's last possible day, the data contradict
  each other: the last possible day is taken and the note says so.

A value that is not a date (empty, a missing-data code, text) gives no date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.expr.values import PartialDate


@dataclass(frozen=True)
class Dated:
    """A date read from a form, where it came from, and how it was imputed (if it was)."""

    date: dt.date
    where: str  # "SURVV[2]/SURV.SURVPDDT"
    partial: str | None = None  # the partial date as recorded, when it was imputed
    note: str | None = None  # the imputation in words


def full_date(value: object) -> dt.date | None:
    """``value`` as a full date: a date, a date-time's day, or a complete partial date."""
    if isinstance(value, Missing) or value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, PartialDate) and value.is_complete:
        return value.earliest()
    return None


def partial_of(value: object) -> PartialDate | None:
    """``value`` as a partial (or complete) date, or None when it is not date-like."""
    if isinstance(value, PartialDate):
        return value
    day = full_date(value)
    return PartialDate(day.year, day.month, day.day) if day is not None else None


def impute(value: object, where: str, floor: dt.date | None = None) -> Dated | None:
    """The day ``value`` stands for, by the rules of this module (None: not a date)."""
    day = full_date(value)
    if day is not None:
        return Dated(day, where)
    if not isinstance(value, PartialDate):
        return None
    earliest, latest = value.earliest(), value.latest()
    if floor is None or floor <= earliest:
        chosen, why = earliest, "the earliest day it may be"
    elif floor <= latest:
        chosen, why = floor, f"the earliest day the other data allow ({floor.isoformat()})"
    else:
        chosen = latest
        why = (
            f"its last possible day, although the other data put it on or after "
            f"{floor.isoformat()}: check the data"
        )
    note = f"{where}: partial date {value} taken as {chosen.isoformat()}, {why}"
    return Dated(chosen, where, str(value), note)
