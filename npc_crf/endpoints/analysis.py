"""From subjects to results: the efficacy analysis (derivations, ORR and DCR with exact
intervals, Kaplan–Meier fits of PFS, OS and DoR in months, landmark rates) and the
safety analysis, the same for a site's store and for the coordinating center's dataset.

Needs the ``center`` extra (scipy); :class:`~npc_crf.endpoints.stats.binomial.NumericsUnavailable`
says so when it is missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from npc_crf.endpoints.derive.settings import endpoint_settings
from npc_crf.endpoints.derive.subject import derive_subject
from npc_crf.endpoints.model import (
    EfficacyResult,
    EndpointSettings,
    KmFit,
    Landmark,
    SafetyResult,
    SubjectEndpoints,
    TimeToEvent,
)
from npc_crf.endpoints.source import Sourced
from npc_crf.forms.model import Study

#: best overall responses that count as response and as disease control
RESPONSE = frozenset({"CR", "PR"})
CONTROL = frozenset({"CR", "PR", "SD", "NON-CR/NON-PD"})
#: the time-to-event endpoints with a Kaplan–Meier fit, in report order
ENDPOINTS = ("pfs", "os", "dor")

Progress = Callable[[int, int], None]  # (subjects done, subjects in all)


def _outcome(subject: SubjectEndpoints, endpoint: str) -> TimeToEvent | None:
    found: TimeToEvent | None = getattr(subject, endpoint)
    return found


def km_fit(
    subjects: Sequence[SubjectEndpoints], endpoint: str, settings: EndpointSettings
) -> KmFit:
    """The Kaplan–Meier fit of ``endpoint`` ("pfs", "os", "dor") in months."""
    from npc_crf.endpoints.stats.km import kaplan_meier

    outcomes = [o for s in subjects if (o := _outcome(s, endpoint)) is not None]
    return kaplan_meier(
        [o.days / settings.month_days for o in outcomes],
        [o.status.value == "event" for o in outcomes],
        conf_type=settings.conf_type,
        conf_level=settings.conf_level,
    )


def efficacy_result(
    study: Study,
    subjects: Sequence[Sourced],
    *,
    scope: str,
    cutoff: dt.date,
    settings: EndpointSettings | None = None,
    progress: Progress | None = None,
) -> EfficacyResult:
    """Derive every subject at ``cutoff`` and compute the study's efficacy results."""
    from npc_crf.endpoints.stats.binomial import clopper_pearson
    from npc_crf.endpoints.stats.km import landmark

    chosen = settings or endpoint_settings(study)
    derived: list[SubjectEndpoints] = []
    for done, (subject_id, site_id, data) in enumerate(subjects, 1):
        derived.append(derive_subject(study, subject_id, site_id, data, cutoff, chosen))
        if progress is not None:
            progress(done, len(subjects))
    evaluable = [s for s in derived if s.excluded is None]
    orr = clopper_pearson(
        sum(s.bor in RESPONSE for s in evaluable), len(evaluable), chosen.conf_level
    )
    dcr = clopper_pearson(
        sum(s.bor in CONTROL for s in evaluable), len(evaluable), chosen.conf_level
    )
    fits = {endpoint: km_fit(derived, endpoint, chosen) for endpoint in ENDPOINTS}
    landmarks: dict[str, list[Landmark]] = {
        endpoint: [landmark(fits[endpoint], months) for months in chosen.landmarks_months]
        for endpoint in ("pfs", "os")
        if fits[endpoint].rows
    }
    excluded = [(s.subject_id, s.excluded) for s in derived if s.excluded is not None]
    return EfficacyResult(
        study_oid=study.oid,
        scope=scope,
        cutoff=cutoff,
        settings=chosen,
        subjects=derived,
        orr=orr,
        dcr=dcr,
        km=fits,
        landmarks=landmarks,
        excluded=excluded,
    )


def safety_analysis(
    study: Study, subjects: Sequence[Sourced], *, scope: str, cutoff: dt.date
) -> SafetyResult:
    """The safety population's adverse events and every subject's exposure at ``cutoff``."""
    from npc_crf.endpoints.safety import safety_result

    return safety_result(
        study,
        [(subject_id, data) for subject_id, _site, data in subjects],
        scope=scope,
        cutoff=cutoff,
        status_of={subject_id: data.status for subject_id, _site, data in subjects},
    )
