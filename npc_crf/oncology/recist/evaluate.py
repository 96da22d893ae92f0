"""Evaluate a subject's tumour assessments: every timepoint and the best overall response."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from npc_crf.oncology.recist import irecist
from npc_crf.oncology.recist.baseline import LesionClass, Problem, check_baseline
from npc_crf.oncology.recist.bor import (
    BorResult,
    Point,
    best_overall_response,
    response_confirmed,
)
from npc_crf.oncology.recist.model import (
    Assessment,
    Baseline,
    NewLesions,
    Response,
    ResponseSettings,
    Role,
)
from npc_crf.oncology.recist.timepoint import overall_response, percent_change, target_response


@dataclass(frozen=True)
class TimepointResult:
    """Everything derived for one follow-up assessment."""

    date: dt.date
    sum_mm: Decimal | None  # None when a target was not assessed
    measured_sum_mm: Decimal | None
    nadir_mm: Decimal | None  # the reference for PD at this timepoint
    change_from_baseline_pct: Decimal | None
    change_from_nadir_pct: Decimal | None
    change_from_nadir_mm: Decimal | None
    target: Response | None  # as reported (continued PR applied)
    target_raw: Response | None  # from this timepoint's sum alone
    non_target: Response | None
    new_lesions: NewLesions
    overall: Response  # RECIST 1.1
    iresponse: Response | None  # iRECIST, when it applies
    nlt_sum_mm: Decimal | None
    iupd_categories: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Evaluation:
    """A subject's response evaluation under one set of settings."""

    settings: ResponseSettings
    treatment_start: dt.date
    classes: tuple[LesionClass, ...]
    problems: tuple[Problem, ...]
    baseline_sum_mm: Decimal | None
    timepoints: tuple[TimepointResult, ...]
    bor: BorResult  # RECIST 1.1
    ibor: BorResult | None  # iRECIST, when it applies

    @property
    def valid_targets(self) -> bool:
        """Whether the choice of targets has no error."""
        return not any(p.severity == "error" for p in self.problems)


def evaluate(
    baseline: Baseline,
    assessments: list[Assessment],
    treatment_start: dt.date,
    settings: ResponseSettings,
) -> Evaluation:
    """Derive every timepoint and the best overall response (assessments in date order)."""
    classes, problems = check_baseline(baseline, settings)
    gap = (treatment_start - baseline.date).days
    if gap > settings.baseline_max_days:
        problems.append(
            Problem(
                "warning",
                None,
                "baseline_too_early",
                f"baseline imaging {gap} days before treatment start (at most {settings.baseline_max_days})",
            )
        )
    targets = [lesion for lesion in baseline.lesions if lesion.role is Role.TARGET]
    has_non_targets = any(lesion.role is Role.NON_TARGET for lesion in baseline.lesions)
    baseline_sum = (
        sum((t.diameter_mm or Decimal(0) for t in targets), Decimal(0)) if targets else None
    )
    nadir = baseline_sum
    after_cr = False
    raw_points: list[Point] = []  # overall responses so far, for the confirmation test
    equivocal_since: dt.date | None = None
    backdated_pd: dt.date | None = None
    results: list[TimepointResult] = []
    facts: list[irecist.Facts] = []
    for a in assessments:
        notes: list[str] = []
        if not a.scanned:
            tr = None
            target: Response | None = Response.NE if targets else None
            raw = target
            total = measured = None
        else:
            assert baseline_sum is not None or not targets
            tr = target_response(
                targets,
                a.measurements,
                baseline_sum=baseline_sum or Decimal(0),
                nadir=nadir if nadir is not None else Decimal(0),
                after_cr=after_cr,
                cr_over_pd=settings.nodal_cr_over_pd,
            )
            target = raw = tr.response
            total, measured = tr.sum_mm, tr.measured_sum_mm
            notes.extend(tr.notes)
        non_target = a.non_target if has_non_targets else None
        if not a.scanned:
            non_target = Response.NE if has_non_targets else None
        overall = (
            Response.NE if not a.scanned else overall_response(target, non_target, a.new_lesions)
        )
        # continued PR (EORTC FAQ): once a response is confirmed by the rules of the BOR,
        # a later sum that alone is SD stays PR until PD
        if raw is Response.SD and response_confirmed(raw_points, settings):
            target = Response.PR
            overall = overall_response(target, non_target, a.new_lesions)
            notes.append("continued PR (a response was confirmed earlier); this sum alone is SD")
        raw_points.append(Point(a.date, overall))
        if a.new_lesions is NewLesions.EQUIVOCAL:
            equivocal_since = equivocal_since or a.date
            notes.append(
                "equivocal new lesion: follow up; if confirmed, PD dates from its first scan"
            )
        elif a.new_lesions is NewLesions.YES:
            if equivocal_since is not None and backdated_pd is None:
                backdated_pd = equivocal_since
                notes.append(
                    f"new lesion confirmed: PD dates from its first scan on {equivocal_since}"
                )
        else:
            equivocal_since = None
        reference = nadir
        results.append(
            TimepointResult(
                date=a.date,
                sum_mm=total,
                measured_sum_mm=measured,
                nadir_mm=reference,
                change_from_baseline_pct=(
                    percent_change(total, baseline_sum)
                    if total is not None and baseline_sum
                    else None
                ),
                change_from_nadir_pct=(
                    percent_change(total, reference) if total is not None and reference else None
                ),
                change_from_nadir_mm=(total - reference)
                if total is not None and reference is not None
                else None,
                target=target,
                target_raw=raw,
                non_target=non_target,
                new_lesions=a.new_lesions,
                overall=overall,
                iresponse=None,
                nlt_sum_mm=None,
                iupd_categories=(),
                notes=tuple(notes),
            )
        )
        facts.append(irecist.Facts(a, target, total, non_target, overall))
        if total is not None and nadir is not None and total < nadir:
            nadir = total
        if overall is Response.CR:
            after_cr = True  # EORTC FAQ: after an overall CR, any reappearance is PD
    if settings.irecist:
        iresults = irecist.walk(facts, settings)
        results = [_with_i(r, i) for r, i in zip(results, iresults, strict=True)]
    bor = best_overall_response(
        [Point(r.date, r.overall) for r in results],
        treatment_start,
        settings,
        measurable=bool(targets),
    )
    if (
        backdated_pd is not None
        and bor.progression_date is not None
        and backdated_pd < bor.progression_date
    ):
        bor = BorResult(
            bor.confirmed,
            bor.unconfirmed,
            bor.response_start,
            bor.confirmation_date,
            backdated_pd,
            (
                *bor.notes,
                f"progression dated to the first scan of the equivocal new lesion ({backdated_pd})",
            ),
        )
    ibor = None
    if settings.irecist:
        ibor = best_overall_response(
            [Point(r.date, r.iresponse or Response.NE) for r in results],
            treatment_start,
            settings,
            irecist=True,
            measurable=bool(targets),
        )
    return Evaluation(
        settings,
        treatment_start,
        tuple(classes),
        tuple(problems),
        baseline_sum,
        tuple(results),
        bor,
        ibor,
    )


def _with_i(r: TimepointResult, i: irecist.IResult) -> TimepointResult:
    return replace(
        r,
        iresponse=i.response,
        nlt_sum_mm=i.nlt_sum_mm,
        iupd_categories=i.iupd_categories,
        notes=r.notes + i.notes,
    )
