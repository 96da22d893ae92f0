"""RECIST 1.1 responses at one timepoint: target, non-target and overall (tables 1 and 2).

All comparisons are exact: sums are decimals and the thresholds are written as
integer ratios (PD: ``5 * sum >= 6 * nadir``; PR: ``10 * sum <= 7 * baseline``),
never as floating-point percentages (domain rules §1.7).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from npc_crf.oncology.recist.model import Lesion, Measurement, NewLesions, Response

NODE_NORMAL_MM = Decimal(10)
PD_ABSOLUTE_MM = Decimal(5)


def is_pd(total: Decimal, nadir: Decimal) -> bool:
    """Sum at least 20% above the nadir and at least 5 mm above it."""
    return 5 * total >= 6 * nadir and total - nadir >= PD_ABSOLUTE_MM


def is_pr(total: Decimal, baseline: Decimal) -> bool:
    """Sum at most 70% of the baseline sum (a decrease of at least 30%)."""
    return 10 * total <= 7 * baseline


def percent_change(value: Decimal, reference: Decimal) -> Decimal | None:
    """``(value - reference) / reference`` in % to one decimal, half up (for display only)."""
    if reference == 0:
        return None
    return ((value - reference) * 100 / reference).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class TargetResult:
    """The target-lesion response at one timepoint."""

    response: Response | None  # None: no target lesions
    sum_mm: Decimal | None  # None when a target was not assessed
    measured_sum_mm: Decimal | None  # the sum of what was measured
    all_gone: bool  # non-nodal targets 0 mm and target nodes < 10 mm
    notes: tuple[str, ...]


def target_response(
    targets: Sequence[Lesion],
    measurements: dict[str, Measurement],
    *,
    baseline_sum: Decimal,
    nadir: Decimal,
    after_cr: bool,
    cr_over_pd: bool,
) -> TargetResult:
    """Target response against the baseline (for PR) and the nadir (for PD).

    ``after_cr``: an earlier timepoint was a target CR, so any reappearance is PD.
    A timepoint with a target not assessed is NE, unless the lesions that were
    measured already make PD certain.
    """
    if not targets:
        return TargetResult(None, None, None, False, ())
    notes: list[str] = []
    values: list[tuple[Lesion, Decimal | None]] = []
    for lesion in targets:
        m = measurements.get(lesion.id)
        values.append((lesion, None if m is None else m.value_mm()))
    measured = [v for _, v in values if v is not None]
    measured_sum = sum(measured, Decimal(0)) if measured else None
    missing = [lesion.id for lesion, v in values if v is None]
    if missing:
        notes.append(f"not assessed: {', '.join(missing)}")
        if measured_sum is not None and is_pd(measured_sum, nadir):
            notes.append("PD is certain from the lesions measured")
            return TargetResult(Response.PD, None, measured_sum, False, tuple(notes))
        return TargetResult(Response.NE, None, measured_sum, False, tuple(notes))
    assert measured_sum is not None
    total = measured_sum
    all_gone = all(
        (v < NODE_NORMAL_MM) if lesion.nodal else (v == 0) for lesion, v in values if v is not None
    )
    pd = is_pd(total, nadir)
    if after_cr and not all_gone:
        back = [
            lesion.id
            for lesion, v in values
            if v is not None and (v >= NODE_NORMAL_MM if lesion.nodal else v > 0)
        ]
        notes.append(f"reappeared after CR: {', '.join(back)}")
        return TargetResult(Response.PD, total, total, False, tuple(notes))
    if all_gone and (not pd or cr_over_pd):
        if pd:
            notes.append(
                "sum meets PD against the nadir, but every target is gone or a normal node: CR"
            )
        return TargetResult(Response.CR, total, total, True, tuple(notes))
    if pd:
        return TargetResult(Response.PD, total, total, all_gone, tuple(notes))
    if is_pr(total, baseline_sum):
        return TargetResult(Response.PR, total, total, all_gone, tuple(notes))
    return TargetResult(Response.SD, total, total, all_gone, tuple(notes))


def overall_response(
    target: Response | None, non_target: Response | None, new_lesions: NewLesions
) -> Response:
    """Overall response from RECIST 1.1 table 1 (with targets) or table 2 (non-targets only).

    An equivocal new lesion does not make PD (yet); ``None`` means the subject
    had no lesions of that kind at baseline.
    """
    if new_lesions is NewLesions.YES or target is Response.PD or non_target is Response.PD:
        return Response.PD
    if target is None:
        if non_target is Response.CR:
            return Response.CR
        if non_target is Response.NON_CR_NON_PD:
            return Response.NON_CR_NON_PD
        return Response.NE
    if target is Response.NE:
        return Response.NE
    if target is Response.CR:
        return Response.CR if non_target in (Response.CR, None) else Response.PR
    if target is Response.PR:
        return Response.PR
    if target is Response.SD:
        return Response.SD
    raise ValueError(f"not a target response: {target}")
