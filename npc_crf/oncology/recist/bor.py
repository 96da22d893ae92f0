"""Best overall response, with and without confirmation (RECIST 1.1 §4.4, table 3; iBOR).

Settings (``ResponseSettings``): ``confirm_min_days`` between a CR/PR and the
assessment that confirms it, ``max_ne_between`` NE assessments tolerated in
between, ``accept_sd_between`` for an SD between a PR and its confirmation, and
the minimum SD duration ``sd_min_days - sd_window_days`` after treatment start.
admiralonco's two test parameter sets map to ``max_ne_between=1,
accept_sd_between=False, confirm_min_days=28`` (the default) and
``max_ne_between=0, accept_sd_between=True, confirm_min_days=14``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from npc_crf.oncology.recist.model import Response, ResponseSettings

#: iRECIST tokens mapped to their RECIST 1.1 meaning for confirmation and ranking
_PLAIN = {
    Response.ICR: Response.CR,
    Response.IPR: Response.PR,
    Response.ISD: Response.SD,
}


@dataclass(frozen=True)
class Point:
    """A timepoint response."""

    date: dt.date
    response: Response


@dataclass(frozen=True)
class Best:
    """A best overall response and the date it was first met (None for NE)."""

    response: Response
    date: dt.date | None


@dataclass(frozen=True)
class BorResult:
    """Best overall response with and without confirmation, and the key dates."""

    confirmed: Best
    unconfirmed: Best
    response_start: dt.date | None  # first date CR/PR criteria were met (confirmed response)
    confirmation_date: dt.date | None  # the assessment that confirmed it
    progression_date: dt.date | None  # first PD (iRECIST: the iUPD confirmed as iCPD)
    notes: tuple[str, ...]


def _plain(response: Response) -> Response:
    return _PLAIN.get(response, response)


def _i(response: Response, irecist: bool) -> Response:
    """The token in the criteria's vocabulary."""
    if not irecist:
        return response
    back = {v: k for k, v in _PLAIN.items()}
    return back.get(response, response)


def _sd_ok(date: dt.date, start: dt.date, settings: ResponseSettings) -> bool:
    return (date - start).days >= settings.sd_min_days - settings.sd_window_days


def confirmed_at(points: Sequence[Point], i: int, settings: ResponseSettings) -> int | None:
    """Index of the assessment confirming the CR or PR at ``i``, or None.

    A CR needs a CR at least ``confirm_min_days`` later with only CR or NE in
    between. A PR needs a CR or PR that much later with only CR, PR or NE in
    between (and one SD when ``accept_sd_between``), and no PR after a CR (that
    would be progression from the CR; admiralonco). At most ``max_ne_between`` NE.
    """
    first = _plain(points[i].response)
    if first is Response.CR:
        wanted, between = {Response.CR}, {Response.CR}
    elif first is Response.PR:
        wanted, between = {Response.CR, Response.PR}, {Response.CR, Response.PR}
    else:
        return None
    nes = sds = 0
    seen_cr = False
    for j in range(i + 1, len(points)):
        r = _plain(points[j].response)
        if first is Response.PR and r is Response.PR and seen_cr:
            return None
        if r in wanted and (points[j].date - points[i].date).days >= settings.confirm_min_days:
            return j
        if r is Response.NE:
            nes += 1
            if nes > settings.max_ne_between:
                return None
        elif r is Response.SD and first is Response.PR and settings.accept_sd_between:
            sds += 1
            if sds > 1:
                return None
        elif r not in between:
            return None
        seen_cr = seen_cr or r is Response.CR
    return None


def response_confirmed(points: Sequence[Point], settings: ResponseSettings) -> bool:
    """Whether some CR or PR among ``points`` is confirmed within them."""
    return any(confirmed_at(points, i, settings) is not None for i in range(len(points)))


def _until_progression(points: Sequence[Point], irecist: bool) -> list[Point]:
    """The timepoints that count: up to the first PD (iRECIST: the first iCPD)."""
    stop = Response.ICPD if irecist else Response.PD
    kept: list[Point] = []
    for p in points:
        kept.append(p)
        if p.response is stop:
            break
    return kept


def _unconfirmed_iupd(points: Sequence[Point]) -> Point | None:
    """The first iUPD that no iCPD confirmed (a reset or the end of follow-up came first)."""
    episode: Point | None = None
    found: Point | None = None
    for p in points:
        if p.response is Response.IUPD:
            episode = episode or p
        elif p.response is Response.ICPD:
            episode = None
        elif p.response is not Response.NE:
            found = found or episode
            episode = None
    return found or episode


def _progression(points: Sequence[Point], irecist: bool) -> dt.date | None:
    if not irecist:
        return next((p.date for p in points if p.response is Response.PD), None)
    episode: dt.date | None = None
    for p in points:
        if p.response is Response.IUPD:
            episode = episode or p.date
        elif p.response is Response.ICPD:
            return episode or p.date
        elif p.response is not Response.NE:
            episode = None
    return None


def best_overall_response(
    points: Sequence[Point],
    treatment_start: dt.date,
    settings: ResponseSettings,
    *,
    irecist: bool = False,
    measurable: bool = True,
) -> BorResult:
    """Best overall response of a subject's timepoint responses (in date order).

    ``measurable=False``: non-target disease only (RECIST 1.1 table 2).
    """
    counted = _until_progression(points, irecist)
    notes: list[str] = []

    # ---- without confirmation: the best response seen (SD only after the minimum duration)
    def first(r: Response, need_sd_time: bool = False) -> Point | None:
        return next(
            (
                p
                for p in counted
                if _plain(p.response) is r
                and (not need_sd_time or _sd_ok(p.date, treatment_start, settings))
            ),
            None,
        )

    pd_point = next((p for p in counted if p.response in (Response.PD, Response.ICPD)), None)
    iupd_point = _unconfirmed_iupd(counted) if irecist else None
    sd_like = next(
        (
            p
            for p in counted
            if _plain(p.response) in (Response.CR, Response.PR, Response.SD)
            and _sd_ok(p.date, treatment_start, settings)
        ),
        None,
    )
    nn_like = first(Response.NON_CR_NON_PD, need_sd_time=True)
    if not measurable:
        # non-target disease only: an unconfirmed CR stands in for NON-CR/NON-PD, never SD
        nn_like = next(
            (
                p
                for p in counted
                if _plain(p.response) in (Response.CR, Response.NON_CR_NON_PD)
                and _sd_ok(p.date, treatment_start, settings)
            ),
            None,
        )
        sd_like = None

    def fallback() -> Best:
        if sd_like is not None:
            return Best(_i(Response.SD, irecist), sd_like.date)
        if nn_like is not None:
            return Best(Response.NON_CR_NON_PD, nn_like.date)
        if iupd_point is not None:
            return Best(Response.IUPD, iupd_point.date)
        if pd_point is not None:
            return Best(pd_point.response, pd_point.date)
        return Best(Response.NE, None)

    cr, pr = first(Response.CR), first(Response.PR)
    if cr is not None:
        unconfirmed = Best(_i(Response.CR, irecist), cr.date)
    elif pr is not None:
        unconfirmed = Best(_i(Response.PR, irecist), pr.date)
    else:
        unconfirmed = fallback()

    # ---- with confirmation (table 3)
    cr_starts: list[tuple[int, int]] = []
    pr_starts: list[tuple[int, int]] = []
    for i, p in enumerate(counted):
        j = confirmed_at(counted, i, settings)
        if j is not None:
            (cr_starts if _plain(p.response) is Response.CR else pr_starts).append((i, j))
    for i, p in enumerate(counted[:-1]):
        if _plain(p.response) is Response.CR and _plain(counted[i + 1].response) is Response.PR:
            notes.append(
                f"CR on {p.date} followed by PR on {counted[i + 1].date}: if the CR was real this is PD; "
                "if small lesions remained, the CR should be PR (RECIST 1.1 table 3 note) — review"
            )
    starts = sorted(cr_starts + pr_starts)
    if cr_starts or pr_starts:
        best_r = Response.CR if cr_starts else Response.PR
        i, j = (cr_starts or pr_starts)[0]
        confirmed = Best(_i(best_r, irecist), counted[i].date)
        response_start: dt.date | None = counted[starts[0][0]].date
        confirmation_date: dt.date | None = counted[j].date
    else:
        confirmed = fallback()
        # table 3: CR then SD without the minimum SD duration is PD
        if sd_like is None and confirmed.response in (Response.NE, Response.IUPD) and not irecist:
            for i, p in enumerate(counted[:-1]):
                if p.response is Response.CR and counted[i + 1].response is Response.SD:
                    confirmed = Best(Response.PD, counted[i + 1].date)
                    notes.append(
                        f"SD on {counted[i + 1].date} after a CR, before the minimum SD duration: PD"
                    )
                    break
        response_start = confirmation_date = None
    progression = _progression(counted, irecist)
    if confirmed.response is Response.PD and progression is None:
        progression = confirmed.date  # table 3: the SD after a CR was the progression
    return BorResult(
        confirmed,
        unconfirmed,
        response_start,
        confirmation_date,
        progression,
        tuple(notes),
    )
