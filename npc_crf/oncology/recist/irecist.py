"""iRECIST (Seymour et al., Lancet Oncol 2017): iUPD, its confirmation as iCPD, and the reset.

The engine first derives each timepoint by RECIST 1.1; this module walks the
timepoints and assigns the immune response:

* a RECIST 1.1 PD in any category (target, non-target, new lesions) opens an
  **iUPD** episode and remembers which categories were PD and the sums then;
* at a later assessment at least ``icpd_min_days - icpd_tolerance_days`` after
  the iUPD, the episode is confirmed (**iCPD**) by: the target sum up a further
  5 mm or more over the iUPD sum (when targets were iUPD); any further increase
  of non-target disease (when it was iUPD); the new-lesion target (NLT) sum up
  5 mm or more over its value at the iUPD, any increase of a new-lesion
  non-target (NLNT), or any additional new lesion; or a category that was not
  iUPD now meeting RECIST 1.1 PD (EORTC iRECIST FAQ). Increases add up across
  assessments because they are measured from the iUPD timepoint;
* with none of these, if no category meets RECIST 1.1 PD any more (targets
  below the PD threshold against the nadir, non-targets not PD, no new lesion)
  the assessment **resets** to iCR/iPR/iSD/NON-CR/NON-PD and the next PD is a
  new iUPD; otherwise the status **remains iUPD** (table 2). New lesions that
  persist unchanged do not prevent a reset to iPR when the other disease
  shrinks to a partial response (EORTC FAQ scenario B; anything less stays
  iUPD, scenario F); afterwards they count again only if they grow (NLT sum
  meeting PD against its smallest value, an NLNT increase) or others appear;
* an early scan done for a new clinical sign may confirm by an additional new
  lesion; once iCPD, later timepoints stay iCPD.

New-lesion sums are kept apart from the target sum (they are never added to it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from npc_crf.oncology.recist.model import (
    Assessment,
    NewLesions,
    NewLesionStatus,
    Response,
    ResponseSettings,
)
from npc_crf.oncology.recist.timepoint import is_pd, overall_response

_TO_I = {
    Response.CR: Response.ICR,
    Response.PR: Response.IPR,
    Response.SD: Response.ISD,
    Response.NON_CR_NON_PD: Response.NON_CR_NON_PD,
    Response.NE: Response.NE,
}


@dataclass(frozen=True)
class Facts:
    """What RECIST 1.1 says about one timepoint, as the iRECIST walk needs it."""

    assessment: Assessment
    target: Response | None
    target_sum: Decimal | None
    non_target: Response | None
    overall: Response  # RECIST 1.1


@dataclass(frozen=True)
class IResult:
    """The iRECIST response at one timepoint."""

    response: Response
    nlt_sum_mm: Decimal | None
    iupd_categories: tuple[str, ...]  # the categories of the open (or confirmed) episode
    notes: tuple[str, ...]


@dataclass
class _Episode:
    date: dt.date
    categories: set[str]
    target_sum: Decimal | None
    nlt_sum: Decimal


@dataclass
class _Walk:
    settings: ResponseSettings
    seen_new: set[str] = field(default_factory=set)
    new_present_before: bool = False
    episode: _Episode | None = None
    confirmed: bool = False
    nlt_ref: Decimal | None = None  # smallest NLT sum since new lesions persisted unchanged


def nlt_sum(assessment: Assessment) -> Decimal | None:
    """Sum of the measured new lesions (NLT); None when none was measured."""
    values = [m.value_mm() for m in assessment.new_lesion_measurements.values()]
    numbers = [v for v in values if v is not None]
    return sum(numbers, Decimal(0)) if numbers else None


def _pd_categories(f: Facts) -> set[str]:
    found = set()
    if f.target is Response.PD:
        found.add("target")
    if f.non_target is Response.PD:
        found.add("non_target")
    if f.assessment.new_lesions is NewLesions.YES:
        found.add("new_lesions")
    return found


def _new_ids(a: Assessment) -> set[str]:
    return set(a.new_lesion_measurements) | {
        k for k, v in a.new_lesions_non_target.items() if v is not NewLesionStatus.ABSENT
    }


def walk(facts: list[Facts], settings: ResponseSettings) -> list[IResult]:
    """The iRECIST response of each timepoint, in date order."""
    state = _Walk(settings)
    return [_step(state, f) for f in facts]


def _step(state: _Walk, f: Facts) -> IResult:
    a = f.assessment
    nlt = nlt_sum(a)
    ids = _new_ids(a)
    additional = sorted(ids - state.seen_new) if state.seen_new or state.new_present_before else []
    newly_present = a.new_lesions is NewLesions.YES and not state.new_present_before
    state.seen_new |= ids
    pd_now = _pd_categories(f)
    notes: list[str] = []
    try:
        if state.confirmed:
            notes.append("after iCPD")
            assert state.episode is not None
            return IResult(
                Response.ICPD, nlt, tuple(sorted(state.episode.categories)), tuple(notes)
            )
        if not a.scanned:
            return IResult(Response.NE, nlt, _cats(state), ("not scanned",))
        ep = state.episode
        grew = any(v is NewLesionStatus.INCREASED for v in a.new_lesions_non_target.values())
        if ep is None:
            stable_new = (
                a.new_lesions is NewLesions.YES
                and not newly_present
                and not additional
                and not grew
                and not (
                    nlt is not None and state.nlt_ref is not None and is_pd(nlt, state.nlt_ref)
                )
            )
            if stable_new:
                pd_now.discard("new_lesions")
                if nlt is not None:
                    state.nlt_ref = min(nlt, state.nlt_ref) if state.nlt_ref is not None else nlt
            if pd_now:
                state.episode = _Episode(a.date, pd_now, f.target_sum, nlt or Decimal(0))
                notes.append("RECIST 1.1 PD in " + ", ".join(sorted(pd_now)) + ": unconfirmed")
                return IResult(Response.IUPD, nlt, tuple(sorted(pd_now)), tuple(notes))
            if stable_new:
                notes.append("new lesions seen before, unchanged")
                return IResult(_without_new(f), nlt, (), tuple(notes))
            return IResult(_TO_I[f.overall], nlt, (), tuple(notes))
        # ---- an iUPD episode is open: confirm, keep, or reset
        days = (a.date - ep.date).days
        reasons = _confirmation(ep, f, nlt, additional, newly_present, pd_now)
        early = days < state.settings.icpd_min_days - state.settings.icpd_tolerance_days
        if reasons and early:
            new_only = [r for r in reasons if r.startswith("additional new lesion")]
            if a.clinical_sign_scan and new_only:
                reasons = new_only
                notes.append(f"scan for a new clinical sign {days} days after iUPD")
            else:
                notes.append(
                    f"{days} days after iUPD: too early to confirm (needs "
                    f"{state.settings.icpd_min_days - state.settings.icpd_tolerance_days}); "
                    + "; ".join(reasons)
                )
                reasons = []
        if reasons:
            state.confirmed = True
            if days > state.settings.icpd_max_days:
                notes.append(
                    f"confirmed {days} days after iUPD (later than {state.settings.icpd_max_days})"
                )
            notes.extend(reasons)
            return IResult(Response.ICPD, nlt, tuple(sorted(ep.categories)), tuple(notes))
        if a.new_lesions is NewLesions.YES and pd_now == {"new_lesions"}:
            # the new lesions persist unchanged: iPR/iCR-level shrinkage elsewhere resets
            # (EORTC iRECIST FAQ, scenario B); anything less remains iUPD (scenario F)
            without = _without_new(f)
            if without in (Response.IPR, Response.ICR):
                state.episode = None
                state.nlt_ref = nlt
                notes.append(
                    f"iUPD of {ep.date} not confirmed: reset; new lesions persist unchanged"
                )
                return IResult(without, nlt, (), tuple(notes))
        if not pd_now and f.overall is not Response.NE:
            state.episode = None
            notes.append(f"iUPD of {ep.date} not confirmed: reset")
            return IResult(_TO_I[f.overall], nlt, (), tuple(notes))
        if f.overall is Response.NE and not pd_now:
            notes.append(f"iUPD of {ep.date} still open")
            return IResult(Response.NE, nlt, tuple(sorted(ep.categories)), tuple(notes))
        notes.append(f"iUPD of {ep.date} not confirmed: remains iUPD")
        return IResult(Response.IUPD, nlt, tuple(sorted(ep.categories)), tuple(notes))
    finally:
        state.new_present_before = state.new_present_before or a.new_lesions is NewLesions.YES
        if a.new_lesions is NewLesions.NO and state.episode is None:
            state.new_present_before = False


def _without_new(f: Facts) -> Response:
    """The i-response of the targets and non-targets, with unchanged new lesions present.

    New lesions that persist rule out a complete response: CR becomes iPR (or
    NON-CR/NON-PD for non-target disease only).
    """
    overall = overall_response(f.target, f.non_target, NewLesions.NO)
    if overall is Response.CR:
        return Response.IPR if f.target is not None else Response.NON_CR_NON_PD
    return _TO_I.get(overall, Response.NE) if overall is not Response.PD else Response.IUPD


def _cats(state: _Walk) -> tuple[str, ...]:
    return tuple(sorted(state.episode.categories)) if state.episode else ()


def _confirmation(
    ep: _Episode,
    f: Facts,
    nlt: Decimal | None,
    additional: list[str],
    newly_present: bool,
    pd_now: set[str],
) -> list[str]:
    """Why the open iUPD is confirmed at this assessment (empty: it is not)."""
    a = f.assessment
    reasons: list[str] = []
    if "target" in ep.categories and f.target_sum is not None and ep.target_sum is not None:
        rise = f.target_sum - ep.target_sum
        if rise >= 5:
            reasons.append(f"target sum up {rise} mm since iUPD")
    if "non_target" in ep.categories and a.non_target_increase:
        reasons.append("further increase of non-target disease")
    if nlt is not None and nlt - ep.nlt_sum >= 5 and ep.nlt_sum > 0:
        reasons.append(f"new-lesion target sum up {nlt - ep.nlt_sum} mm since iUPD")
    grown = sorted(k for k, v in a.new_lesions_non_target.items() if v is NewLesionStatus.INCREASED)
    if grown:
        reasons.append("new-lesion non-target increased: " + ", ".join(grown))
    if additional:
        reasons.append("additional new lesion: " + ", ".join(additional))
    elif newly_present and "new_lesions" not in ep.categories:
        reasons.append("additional new lesion")
    for category in sorted(pd_now - ep.categories - {"new_lesions"}):
        reasons.append(f"RECIST 1.1 PD now also in {category.replace('_', '-')}")
    return reasons
