"""Work items from the safety rules and the visit windows (``docs/safety.md`` §7).

Pure functions of what :func:`~npc_crf.oncology.safety.assess_subject` and
:func:`~npc_crf.oncology.schedule.plan_subject` found: no reading here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from npc_crf.oncology.safety import (
    AeAssessment,
    ClockState,
    Match,
    ReportClock,
    ReportKind,
    SafetyProfile,
    SubjectSafety,
    UnmatchedLab,
)
from npc_crf.oncology.schedule import PlannedVisit, VisitTiming
from npc_crf.services.worklist.model import WorkItem, WorkKind

#: clock states that are work: the report is still to be sent
_PENDING = frozenset({ClockState.RUNNING, ClockState.OVERDUE})
_REPORT_KINDS = {
    ReportKind.SAE: WorkKind.SAE_REPORT,
    ReportKind.SUSAR: WorkKind.SUSAR_REPORT,
    ReportKind.SUSAR_FOLLOWUP: WorkKind.SUSAR_FOLLOWUP,
}


def visit_items(subject_id: str, plan: Iterable[PlannedVisit]) -> list[WorkItem]:
    """A visit done early or late, or whose timing a partial date leaves open."""
    return [
        WorkItem(
            WorkKind.VISIT_OUT_OF_WINDOW,
            subject_id,
            v.event_oid,
            v.occurrence,
            None,
            None,
            v.due,
            v.days_outside,
            detail=v.timing.value,
        )
        for v in plan
        if v.timing is not None and v.timing is not VisitTiming.IN_WINDOW
    ]


def _report_item(
    subject_id: str, found: AeAssessment, clock: ReportClock, path: str | None, today: dt.date
) -> WorkItem:
    ae = found.ae
    return WorkItem(
        _REPORT_KINDS[clock.kind],
        subject_id,
        ae.event,
        ae.occurrence,
        ae.form,
        path,
        clock.due,
        clock.days_from_due(today),
        ae.term,
        clock.state.value,
    )


def _clock_items(
    subject_id: str, found: AeAssessment, profile: SafetyProfile, today: dt.date
) -> Iterator[WorkItem]:
    ae = found.ae
    sae = found.sae_clock
    if sae is not None and (sae.state in _PENDING or sae.state is ClockState.NOT_STARTED):
        where = profile.aware_item if sae.state is ClockState.NOT_STARTED else profile.reported_item
        yield _report_item(subject_id, found, sae, ae.path(where), today)
    for clock in found.susar_clocks:
        if clock.state not in _PENDING:
            continue  # not started: the SAE report to the sponsor comes first
        item = (
            profile.susar_reported_item
            if clock.kind is ReportKind.SUSAR
            else profile.susar_followup_item
        )
        yield _report_item(subject_id, found, clock, ae.path(item), today)


def lab_items(subject_id: str, findings: Iterable[UnmatchedLab]) -> list[WorkItem]:
    """Laboratory values of grade 1 or more without a matching AE; ``detail`` is the grade,
    with ``:indeterminate`` when an AE with a partial date may cover the value."""
    out: list[WorkItem] = []
    for found in findings:
        sample = found.sample
        detail = str(found.grade)
        if found.match is Match.INDETERMINATE:
            detail += f":{Match.INDETERMINATE.value}"
        out.append(
            WorkItem(
                WorkKind.LAB_WITHOUT_AE,
                subject_id,
                sample.event,
                sample.occurrence,
                sample.form,
                sample.item,
                sample.day,
                None,
                found.code,
                detail,
            )
        )
    return out


def safety_items(
    subject_id: str, safety: SubjectSafety, profile: SafetyProfile, today: dt.date
) -> list[WorkItem]:
    """Reports to send, AEs outside the reporting window, missing AE follow-up, and the
    laboratory values ``safety`` holds without a matching AE."""
    out: list[WorkItem] = lab_items(subject_id, safety.unmatched_labs)
    for found in safety.adverse_events:
        ae = found.ae
        out.extend(_clock_items(subject_id, found, profile, today))
        if found.placement.place.flagged:
            out.append(
                WorkItem(
                    WorkKind.AE_OUTSIDE_WINDOW,
                    subject_id,
                    ae.event,
                    ae.occurrence,
                    ae.form,
                    ae.path(profile.onset_item),
                    None,
                    found.placement.days,
                    ae.term,
                    found.placement.place.value,
                )
            )
        if found.followup is not None:
            out.append(
                WorkItem(
                    WorkKind.AE_FOLLOWUP_MISSING,
                    subject_id,
                    ae.event,
                    ae.occurrence,
                    ae.form,
                    ae.path(profile.ongoing_item or profile.outcome_item),
                    found.followup.due,
                    (today - found.followup.due).days,
                    ae.term,
                    found.followup.reason.value,
                )
            )
    return out
