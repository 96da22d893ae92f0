"""The AE reporting window and where an AE's onset falls in it.

The window runs from the first dose of any study therapy to ``days`` after the
last dose; while treatment goes on it has no end. Both edges are inclusive: an AE
starting on the day of the first dose, or on the last day of the window, is inside.
A partial onset date that may fall on either side of an edge is *indeterminate*:
it is flagged, never imputed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from npc_crf.oncology.safety.dates import OPEN_END, Span, after, before
from npc_crf.oncology.safety.exposure import Exposure


@dataclass(frozen=True)
class AeWindow:
    """The reporting window of one subject for one length (AEs, or immune-related AEs)."""

    #: the first dose of any study therapy (None: no dose recorded yet)
    start: Span | None
    #: the last day of the window (None: open-ended, treatment goes on)
    end: Span | None
    #: the length after the last dose
    days: int

    @property
    def open_ended(self) -> bool:
        """True while treatment goes on (no end)."""
        return self.end is None


def reporting_window(exposure: Exposure, days: int) -> AeWindow:
    """The window for ``exposure``: open-ended unless treatment has ended.

    Ended with no dated last dose (doses recorded without dates): the end is at the
    earliest ``days`` after the first dose, and its latest day is not known.
    """
    if not exposure.ended or exposure.first is None:
        return AeWindow(exposure.first, None, days)
    last = exposure.last or Span(exposure.first.earliest, OPEN_END)
    return AeWindow(exposure.first, last.shift(days), days)


class Place(StrEnum):
    """Where an onset date falls relative to the window."""

    INSIDE = "inside"
    #: before the first dose: it belongs in medical history
    BEFORE_FIRST_DOSE = "before_first_dose"
    #: after the end of the window
    AFTER_WINDOW = "after_window"
    #: a partial onset date that may be before or after the first dose
    INDETERMINATE_START = "indeterminate_start"
    #: a partial onset (or window end) that may be inside or after the window
    INDETERMINATE_END = "indeterminate_end"
    #: no study therapy recorded yet: any AE so far precedes the first dose
    NO_FIRST_DOSE = "no_first_dose"
    #: the onset date is not entered
    NO_ONSET = "no_onset"

    @property
    def flagged(self) -> bool:
        """True when the AE needs a look (outside, or undecided by a partial date)."""
        return self not in (Place.INSIDE, Place.NO_ONSET)


@dataclass(frozen=True)
class Placement:
    """Where an AE's onset falls, and by how many days it misses the window."""

    place: Place
    #: days outside the window, at least (None when inside or undecided)
    days: int | None = None
    #: the most days outside, when partial dates leave a range
    days_max: int | None = None


def place_onset(onset: Span | None, window: AeWindow) -> Placement:
    """Where ``onset`` falls in ``window``."""
    if onset is None:
        return Placement(Place.NO_ONSET)
    if window.start is None:
        return Placement(Place.NO_FIRST_DOSE)
    early = before(onset, window.start)
    if early is True:
        least = (window.start.earliest - onset.latest).days
        most = (window.start.latest - onset.earliest).days
        return Placement(Place.BEFORE_FIRST_DOSE, least, most if most != least else None)
    if early is None:
        return Placement(Place.INDETERMINATE_START)
    if window.end is None:
        return Placement(Place.INSIDE)
    late = after(onset, window.end)
    if late is True:
        least = (onset.earliest - window.end.latest).days
        if onset.open_ended:
            return Placement(Place.AFTER_WINDOW, least)
        most = (onset.latest - window.end.earliest).days
        return Placement(Place.AFTER_WINDOW, least, most if most != least else None)
    if late is None:
        return Placement(Place.INDETERMINATE_END)
    return Placement(Place.INSIDE)
