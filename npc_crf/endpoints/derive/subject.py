"""Everything derived for one subject at a data cut-off: :func:`derive_subject`.

The tumour response comes from the oncology engine (``subject_response`` reads the
forms; the timepoints up to the cut-off are evaluated again here so that no later
assessment confirms a response), the other dates from the study's
:class:`~npc_crf.endpoints.derive.maps.EndpointMap`. The best overall response is
RECIST 1.1's (the primary ORR's criteria), confirmed and unconfirmed; the
progression date is RECIST 1.1 PD or iRECIST iCPD by the ``progression`` setting.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from npc_crf.core.errors import UsageError
from npc_crf.endpoints.derive.facts import read_facts
from npc_crf.endpoints.derive.maps import endpoint_map
from npc_crf.endpoints.derive.rules import (
    Scan,
    count_days,
    derive_dor,
    derive_os,
    derive_pfs,
    one_year_status,
)
from npc_crf.endpoints.derive.settings import endpoint_settings
from npc_crf.endpoints.model import EndpointSettings, SubjectEndpoints, TargetChange
from npc_crf.forms.expr.evaluate import SubjectData
from npc_crf.forms.model import Study
from npc_crf.oncology.recist.evaluate import Evaluation, evaluate
from npc_crf.oncology.recist.from_forms import TumourData
from npc_crf.oncology.recist.model import Response, Role
from npc_crf.services.response import subject_response

#: why a subject is not response-evaluable (the ORR denominator leaves it out)
EXCLUSIONS: dict[str, tuple[str, str]] = {
    "screen_failure": ("Screen failure", "筛选失败"),
    "not_treated": ("Never received study treatment", "未接受研究治疗"),
    "no_baseline": ("No baseline tumour assessment", "无基线肿瘤评估"),
    "no_measurable_disease": (
        "No measurable (target) disease at baseline",
        "基线无可测量（靶）病灶",
    ),
}

SCREEN_FAILURE = "screen_failure"
_RESPONDED = (Response.CR, Response.PR)


def _on_or_before(day: dt.date | None, cutoff: dt.date) -> dt.date | None:
    return day if day is not None and day <= cutoff else None


def _latest(days: tuple[dt.date, ...], cutoff: dt.date) -> dt.date | None:
    return max((d for d in days if d <= cutoff), default=None)


def _scans(ev: Evaluation, irecist: bool) -> list[Scan]:
    scans: list[Scan] = []
    for tp in ev.timepoints:
        response = (tp.iresponse or tp.overall) if irecist else tp.overall
        scans.append(Scan(tp.date, response.value, response is not Response.NE))
    return scans


def _target_changes(
    ev: Evaluation, start: dt.date | None, settings: EndpointSettings
) -> tuple[TargetChange, ...]:
    if start is None:
        return ()
    return tuple(
        TargetChange(
            tp.date,
            count_days(start, tp.date, settings),
            float(tp.change_from_baseline_pct),
            tp.overall.value,
        )
        for tp in ev.timepoints
        if tp.change_from_baseline_pct is not None
    )


def _exclusion(
    status: str | None,
    first_dose: dt.date | None,
    tumour: TumourData | None,
    cutoff: dt.date,
) -> str | None:
    if status == SCREEN_FAILURE:
        return "screen_failure"
    if first_dose is None:
        return "not_treated"
    baseline = tumour.baseline if tumour is not None else None
    if baseline is None or baseline.date > cutoff:
        return "no_baseline"
    if not any(lesion.role is Role.TARGET for lesion in baseline.lesions):
        return "no_measurable_disease"
    return None


@dataclass(frozen=True)
class Tumour:
    """What the response engine gives one subject at the cut-off."""

    has_baseline: bool  # a baseline tumour assessment on or before the cut-off
    bor: str | None = None
    bor_unconfirmed: str | None = None
    response_start: dt.date | None = None  # confirmed responders only
    progression: dt.date | None = None  # on imaging, by the progression setting
    scans: tuple[Scan, ...] = ()
    changes: tuple[TargetChange, ...] = ()
    notes: tuple[str, ...] = ()


def tumour_at(
    study: Study,
    subject_id: str,
    data: SubjectData,
    cutoff: dt.date,
    settings: EndpointSettings,
    first_dose: dt.date | None,
    start: dt.date | None,
) -> tuple[Tumour, TumourData | None]:
    """The engine's response evaluation with only the assessments on or before ``cutoff``
    (``first_dose``: the treatment start of the minimum SD duration)."""
    response = subject_response(study, subject_id, data, cutoff)
    if response is None:
        return Tumour(False), None
    found = response.data
    notes = list(found.problems)
    rsettings = response.settings
    irecist = settings.progression == "irecist"
    if irecist and not rsettings.irecist:
        rsettings = dataclasses.replace(rsettings, criteria="iRECIST")
    treatment_start = first_dose or _on_or_before(found.treatment_start, cutoff)
    baseline = found.baseline
    if baseline is None or baseline.date > cutoff:
        return Tumour(False, notes=tuple(notes)), found
    if treatment_start is None:
        return Tumour(True, notes=tuple(notes)), found
    counted = [t.assessment for t in found.timepoints if t.assessment.date <= cutoff]
    ev = evaluate(baseline, counted, treatment_start, rsettings)
    confirmed = ev.bor.confirmed.response
    return (
        Tumour(
            has_baseline=True,
            bor=confirmed.value,
            bor_unconfirmed=ev.bor.unconfirmed.response.value,
            response_start=ev.bor.response_start if confirmed in _RESPONDED else None,
            progression=(ev.ibor if irecist and ev.ibor is not None else ev.bor).progression_date,
            scans=tuple(_scans(ev, irecist)),
            changes=_target_changes(ev, start, settings),
            notes=(*notes, *ev.bor.notes),
        ),
        found,
    )


def derive_subject(
    study: Study,
    subject_id: str,
    site_id: str,
    data: SubjectData,
    cutoff: dt.date,
    settings: EndpointSettings | None = None,
    *,
    status: str | None = None,
) -> SubjectEndpoints:
    """The subject's endpoints at ``cutoff`` (nothing later counts).

    ``settings``: the study's ``oncology: endpoints:`` when None. ``status``: the
    subject's status (``screen_failure`` excludes it from the ORR denominator);
    when None, a ``status`` attribute of ``data`` is used if it has one
    (``npc_crf.endpoints.source`` gives one). UsageError when the study has no
    endpoint map.
    """
    emap = endpoint_map(study)
    if emap is None:
        raise UsageError(f"Study {study.oid} has no endpoint map; its endpoints cannot be derived.")
    settings = settings if settings is not None else endpoint_settings(study)
    if status is None:
        found = getattr(data, "status", None)
        status = found if isinstance(found, str) else None
    facts = read_facts(study, data, emap, settings.start)
    notes = list(facts.notes)
    start = _on_or_before(facts.start.date if facts.start else None, cutoff)
    first_dose = _on_or_before(facts.first_dose.date if facts.first_dose else None, cutoff)
    if facts.start is not None and start is None:
        notes.append(
            f"{facts.start.where}: the start ({facts.start.date}) is after the data cut-off"
        )
    tumour, tumour_data = tumour_at(study, subject_id, data, cutoff, settings, first_dose, start)
    notes.extend(tumour.notes)
    death = facts.death.date if facts.death else None
    clinical = facts.clinical_progression.date if facts.clinical_progression else None
    new_therapy = facts.new_therapy.date if facts.new_therapy else None
    pfs = os = dor = None
    if start is not None:
        pfs = derive_pfs(
            start=start,
            cutoff=cutoff,
            settings=settings,
            baseline=tumour.has_baseline,
            assessments=tumour.scans,
            progression=tumour.progression,
            death=death,
            new_therapy=new_therapy,
            clinical_progression=clinical,
        )
        os = derive_os(
            start=start,
            cutoff=cutoff,
            settings=settings,
            death=death,
            last_known_alive=facts.alive[-1] if facts.alive else None,
        )
    if tumour.response_start is not None:
        dor = derive_dor(
            response_start=tumour.response_start,
            cutoff=cutoff,
            settings=settings,
            assessments=tumour.scans,
            progression=tumour.progression,
            death=death,
            new_therapy=new_therapy,
            clinical_progression=clinical,
        )
    progressions = [d for d in (tumour.progression, clinical) if d is not None and d <= cutoff]
    death_at_cutoff = _on_or_before(death, cutoff)
    return SubjectEndpoints(
        subject_id=subject_id,
        site_id=site_id,
        cutoff=cutoff,
        start=start,
        bor=tumour.bor,
        bor_unconfirmed=tumour.bor_unconfirmed,
        response_start=tumour.response_start,
        progression=min(progressions, default=None),
        death=death_at_cutoff,
        last_known_alive=_latest(facts.alive, death_at_cutoff or cutoff),
        new_therapy=_on_or_before(new_therapy, cutoff),
        last_dose=_latest(facts.treatment, cutoff) if start is not None else None,
        pfs=pfs,
        os=os,
        dor=dor,
        os_1y=one_year_status(os, settings) if os is not None else None,
        target_changes=tumour.changes,
        excluded=_exclusion(status, first_dose, tumour_data, cutoff),
        notes=tuple(notes),
    )


__all__ = ["EXCLUSIONS", "Tumour", "derive_subject", "tumour_at"]
