"""Tumour response of a subject: the lesion tracker's data, computed from the stored forms.

The engine (``npc_crf.oncology.recist``) does the arithmetic; this service
reads the subject's tumour-assessment forms, applies the study's response
settings, and sets the computed responses beside the investigator's, flagging
every disagreement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from npc_crf.auth.roles import Permission
from npc_crf.core.errors import UsageError
from npc_crf.forms.expr.evaluate import SubjectData
from npc_crf.forms.model import Study
from npc_crf.oncology.recist.evaluate import Evaluation, TimepointResult, evaluate
from npc_crf.oncology.recist.from_forms import TumourData, read_tumour_data, tumour_map
from npc_crf.oncology.recist.model import Response, ResponseSettings
from npc_crf.oncology.study_settings import study_settings
from npc_crf.store.records import SubjectSnapshot

if TYPE_CHECKING:
    from npc_crf.services.workspace import Workspace


@dataclass(frozen=True)
class Discrepancy:
    """A computed response that differs from the investigator's."""

    what: str  # "overall", "target", "non_target", "iresponse"
    investigator: Response
    computed: Response | None


@dataclass(frozen=True)
class TrackedTimepoint:
    """One follow-up assessment: where it is stored, what was derived, what disagrees."""

    event: str
    occurrence: int
    result: TimepointResult
    investigator: dict[str, Response | None]
    discrepancies: tuple[Discrepancy, ...]


@dataclass(frozen=True)
class SubjectResponse:
    """Everything the lesion tracker shows for one subject."""

    subject_id: str
    settings: ResponseSettings
    data: TumourData
    evaluation: Evaluation | None  # None until there is a baseline and a treatment start
    timepoints: tuple[TrackedTimepoint, ...]
    waiting_for: str | None  # why there is no evaluation yet, in English


def response_settings(study: Study) -> ResponseSettings:
    """The study's response settings (``oncology: response:``) over the defaults."""
    return study_settings(ResponseSettings, "response", study.oncology)


def subject_response(
    study: Study, subject_id: str, subject: SubjectData, today: dt.date | None = None
) -> SubjectResponse | None:
    """Evaluate one subject from its forms (None: the study has no lesion tracker)."""
    settings = response_settings(study)
    data = read_tumour_data(study, subject, today)
    if data is None:
        return None
    if data.baseline is None:
        return SubjectResponse(
            subject_id, settings, data, None, (), "no baseline tumour assessment with a date"
        )
    if data.treatment_start is None:
        return SubjectResponse(
            subject_id, settings, data, None, (), "the treatment start date is not known yet"
        )
    ev = evaluate(
        data.baseline, [t.assessment for t in data.timepoints], data.treatment_start, settings
    )
    tracked = tuple(
        TrackedTimepoint(
            t.event, t.occurrence, r, dict(t.investigator), _discrepancies(t.investigator, r)
        )
        for t, r in zip(data.timepoints, ev.timepoints, strict=True)
    )
    return SubjectResponse(subject_id, settings, data, ev, tracked, None)


def _discrepancies(
    investigator: Mapping[str, Response | None], r: TimepointResult
) -> tuple[Discrepancy, ...]:
    computed = {
        "overall": r.overall,
        "target": r.target,
        "non_target": r.non_target,
        "iresponse": r.iresponse,
    }
    return tuple(
        Discrepancy(what, given, computed[what])
        for what, given in investigator.items()
        if given is not None and computed[what] is not None and given is not computed[what]
    )


class ResponseService:
    """Lesion tracking for the signed-in user."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    @property
    def available(self) -> bool:
        """Whether the study has a lesion tracker."""
        return tumour_map(self.ws.study) is not None

    def subject(self, subject_id: str, today: dt.date | None = None) -> SubjectResponse:
        """The subject's lesions, assessments and responses, computed now."""
        self.ws.require(Permission.VIEW_DATA, "see tumour response")
        if not self.available:
            raise UsageError(
                f"Study {self.ws.study.oid} has no tumour-assessment map; there is no lesion tracker."
            )
        with self.ws.read() as conn:
            snapshot = SubjectSnapshot(conn, subject_id, self.ws.study.forms)
        result = subject_response(self.ws.study, subject_id, snapshot, today)
        assert result is not None
        return result
