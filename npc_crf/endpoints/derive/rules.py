"""PFS, OS and duration of response from plain dates: the censoring rules.

Pure functions on dates and a list of assessments, so that each rule is tested by
a table of cases and ``npc-crf derive pfs|os|dor`` runs exactly this code. The
rules follow the FDA endpoints guidance (Appendix, table "PFS 1"; domain rules
§5) with the protocol's choices in :class:`~npc_crf.endpoints.model.EndpointSettings`;
``docs/endpoints.md`` states each rule and its reason code:

==================  ===========================================================
``no_baseline``     no baseline tumour assessment: censored at the start
``progression``     progression on imaging: event at the earliest date it was seen
``clinical_progression``  progression recorded at follow-up, outside the tumour
                    assessments (clinical, or from the records): event on its date
``death``           death before progression (first assessment or between
                    adequate ones): event at death
``new_therapy``     new anticancer therapy before progression: censored at the last
                    adequate assessment on or before its start
``missed_assessments``  progression or death more than ``missed_assessments`` ×
                    ``assessment_interval_days`` after the last adequate
                    assessment: censored there
``no_post_baseline``  no adequate assessment after the start, no event: censored
                    at the start
``no_progression``  alive without progression: censored at the last adequate
                    assessment
``alive``           (OS) no death: censored at the last date known alive
``cutoff``          (OS) known alive after the data cut-off: censored at it
==================  ===========================================================

Nothing after the data cut-off counts: assessments, progression, death and new
therapies later than the cut-off are ignored (OS uses them only to know that the
subject was alive on the cut-off date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from npc_crf.endpoints.model import EndpointSettings, Status, TimeToEvent

#: event kinds in the order that wins a tie on the same day
_EVENT_ORDER = ("progression", "clinical_progression", "death")
_EVENT_WORDS = {
    "progression": "progression on imaging",
    "clinical_progression": "progression recorded at follow-up (outside the tumour assessments)",
    "death": "death",
}


@dataclass(frozen=True)
class Scan:
    """One post-baseline tumour assessment: its date, overall response and adequacy.

    An assessment is *adequate* when an overall response could be given (not NE).
    """

    date: dt.date
    response: str | None = None
    adequate: bool = True


def count_days(origin: dt.date, end: dt.date, settings: EndpointSettings) -> int:
    """Days from ``origin`` to ``end`` by the ``day_count`` setting."""
    days = (end - origin).days
    return days + 1 if settings.day_count == "inclusive" else days


def _iso(day: dt.date) -> str:
    return day.isoformat()


@dataclass(frozen=True)
class _Event:
    kind: str
    date: dt.date


class _Clock:
    """Builds :class:`TimeToEvent` values from one origin."""

    def __init__(self, origin: dt.date, origin_name: str, settings: EndpointSettings) -> None:
        self.origin = origin
        self.origin_name = origin_name
        self.settings = settings

    def at(self, status: Status, day: dt.date, reason: str, detail: str) -> TimeToEvent:
        if day < self.origin:
            detail += (
                f" That date is before the {self.origin_name} ({_iso(self.origin)}), "
                "so the time is counted as 0."
            )
            day = self.origin
        return TimeToEvent(status, day, count_days(self.origin, day, self.settings), reason, detail)


def _first_event(
    cutoff: dt.date,
    progression: dt.date | None,
    clinical_progression: dt.date | None,
    death: dt.date | None,
) -> _Event | None:
    found = [
        _Event(kind, day)
        for kind, day in zip(_EVENT_ORDER, (progression, clinical_progression, death), strict=True)
        if day is not None and day <= cutoff
    ]
    return min(found, key=lambda e: (e.date, _EVENT_ORDER.index(e.kind)), default=None)


def _until_event(
    clock: _Clock,
    cutoff: dt.date,
    settings: EndpointSettings,
    assessments: Sequence[Scan],
    event: _Event | None,
    new_therapy: dt.date | None,
    empty_reason: str,
) -> TimeToEvent:
    """The censoring rules shared by PFS and DoR, after the origin is known."""
    scans = sorted(
        (s for s in assessments if clock.origin <= s.date <= cutoff), key=lambda s: s.date
    )
    adequate = [s for s in scans if s.adequate]
    origin_words = f"the {clock.origin_name} ({_iso(clock.origin)})"
    if (
        settings.censor_new_therapy
        and new_therapy is not None
        and new_therapy <= cutoff
        and (event is None or new_therapy < event.date)
    ):
        before = [s for s in adequate if s.date <= new_therapy]
        where = (
            f"the last adequate assessment on or before that day ({_iso(before[-1].date)})"
            if before
            else f"{origin_words}, as no adequate assessment came before it"
        )
        return clock.at(
            Status.CENSORED,
            before[-1].date if before else clock.origin,
            "new_therapy",
            f"A new anticancer therapy started on {_iso(new_therapy)}"
            + (f", before the {_EVENT_WORDS[event.kind]} ({_iso(event.date)})" if event else "")
            + f": censored at {where}.",
        )
    if event is not None:
        before = [s for s in adequate if s.date < event.date]
        last = before[-1].date if before else clock.origin
        limit = settings.missed_assessments * settings.assessment_interval_days
        gap = (event.date - last).days
        last_words = f"the last adequate assessment ({_iso(last)})" if before else origin_words
        if settings.missed_assessments > 0 and gap > limit:
            return clock.at(
                Status.CENSORED,
                last,
                "missed_assessments",
                f"The {_EVENT_WORDS[event.kind]} ({_iso(event.date)}) came {gap} days after "
                f"{last_words}, more than {settings.missed_assessments} missed assessments "
                f"({limit} days): censored at {last_words}.",
            )
        return clock.at(
            Status.EVENT,
            event.date,
            event.kind,
            f"Event: {_EVENT_WORDS[event.kind]} ({_iso(event.date)}), {gap} days after "
            f"{last_words}.",
        )
    if not adequate:
        return clock.at(
            Status.CENSORED,
            clock.origin,
            empty_reason,
            f"No adequate tumour assessment after {origin_words} up to the data cut-off "
            f"({_iso(cutoff)}) and no event: censored at the {clock.origin_name}.",
        )
    last_scan = adequate[-1].date
    return clock.at(
        Status.CENSORED,
        last_scan,
        "no_progression",
        f"No progression or death up to the data cut-off ({_iso(cutoff)}): censored at the "
        f"last adequate assessment ({_iso(last_scan)}).",
    )


def derive_pfs(
    *,
    start: dt.date,
    cutoff: dt.date,
    settings: EndpointSettings,
    baseline: bool,
    assessments: Sequence[Scan],
    progression: dt.date | None,
    death: dt.date | None,
    new_therapy: dt.date | None = None,
    clinical_progression: dt.date | None = None,
) -> TimeToEvent:
    """Progression-free survival from ``start`` (first dose or enrolment).

    ``baseline``: whether there is a baseline tumour assessment; ``assessments``:
    the post-baseline ones; ``progression``: the earliest date progression was
    seen on imaging (RECIST 1.1 PD or iRECIST iCPD, dated to the iUPD it
    confirms); ``clinical_progression``: progression recorded outside imaging.
    """
    clock = _Clock(start, "start", settings)
    if not baseline:
        return clock.at(
            Status.CENSORED,
            start,
            "no_baseline",
            f"No baseline tumour assessment: censored at the start ({_iso(start)}).",
        )
    event = _first_event(cutoff, progression, clinical_progression, death)
    return _until_event(
        clock, cutoff, settings, assessments, event, new_therapy, "no_post_baseline"
    )


def derive_dor(
    *,
    response_start: dt.date,
    cutoff: dt.date,
    settings: EndpointSettings,
    assessments: Sequence[Scan],
    progression: dt.date | None,
    death: dt.date | None,
    new_therapy: dt.date | None = None,
    clinical_progression: dt.date | None = None,
) -> TimeToEvent:
    """Duration of response from the first CR/PR of a confirmed response to progression
    or death, with the censoring rules of PFS (confirmed responders only)."""
    clock = _Clock(response_start, "response start", settings)
    event = _first_event(cutoff, progression, clinical_progression, death)
    return _until_event(clock, cutoff, settings, assessments, event, new_therapy, "no_progression")


def derive_os(
    *,
    start: dt.date,
    cutoff: dt.date,
    settings: EndpointSettings,
    death: dt.date | None,
    last_known_alive: dt.date | None,
) -> TimeToEvent:
    """Overall survival from ``start``: death is the event; otherwise censored at the
    last date known alive, or at the cut-off when the subject was known alive after it
    (a later contact, or a death after the cut-off)."""
    clock = _Clock(start, "start", settings)
    if death is not None and death <= cutoff:
        return clock.at(Status.EVENT, death, "death", f"Event: death on {_iso(death)}.")
    if (death is not None and death > cutoff) or (
        last_known_alive is not None and last_known_alive > cutoff
    ):
        return clock.at(
            Status.CENSORED,
            cutoff,
            "cutoff",
            f"Known alive after the data cut-off: censored at the cut-off ({_iso(cutoff)}).",
        )
    if last_known_alive is None or last_known_alive <= start:
        return clock.at(
            Status.CENSORED,
            start,
            "alive",
            f"Not known alive after the start ({_iso(start)}): censored at the start.",
        )
    return clock.at(
        Status.CENSORED,
        last_known_alive,
        "alive",
        f"No death recorded up to the data cut-off ({_iso(cutoff)}): censored at the last "
        f"date known alive ({_iso(last_known_alive)}).",
    )


def status_at(tte: TimeToEvent, days: float) -> str:
    """``alive``, ``dead`` or ``censored`` (followed for less than ``days``) at ``days``."""
    if tte.days > days:
        return "alive"
    return "dead" if tte.status is Status.EVENT else "censored"


def one_year_status(os: TimeToEvent, settings: EndpointSettings) -> str:
    """The 1-year OS status: at 12 months of ``month_days`` days."""
    return status_at(os, 12 * settings.month_days)
