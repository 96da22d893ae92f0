"""One subject's safety picture on a given day: every AE placed, clocked and followed up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from npc_crf.forms.expr.evaluate import SubjectData
from npc_crf.forms.model import Study
from npc_crf.oncology.ctcae.settings import CtcaeSettings
from npc_crf.oncology.safety.clocks import ReportClock, is_susar, sae_clock, susar_clocks
from npc_crf.oncology.safety.exposure import Exposure, exposure_of
from npc_crf.oncology.safety.followup import FollowUpDue, followup_missing
from npc_crf.oncology.safety.labs import UnmatchedLab, unmatched_labs
from npc_crf.oncology.safety.profile import SafetyProfile
from npc_crf.oncology.safety.records import AdverseEvent, adverse_events
from npc_crf.oncology.safety.settings import SafetySettings
from npc_crf.oncology.safety.window import AeWindow, Placement, place_onset, reporting_window

#: (event, occurrence, form) -> the day the form was last saved, or None
SavedOn = Callable[[str, int, str], dt.date | None]


@dataclass(frozen=True)
class AeAssessment:
    """One adverse event on the day assessed."""

    ae: AdverseEvent
    #: the window that applies to it (the immune-related one for an irAE)
    window: AeWindow
    placement: Placement
    sae_clock: ReportClock | None
    #: serious, unexpected and related (None: not all of it is known)
    susar: bool | None
    susar_clocks: tuple[ReportClock, ...]
    followup: FollowUpDue | None


@dataclass(frozen=True)
class SubjectSafety:
    """A subject's exposure, reporting windows and adverse events."""

    exposure: Exposure
    window: AeWindow  # for AEs that are not immune-related
    irae_window: AeWindow
    adverse_events: tuple[AeAssessment, ...]
    #: laboratory values of grade ``lab_ae_min_grade`` or more without a matching AE
    unmatched_labs: tuple[UnmatchedLab, ...] = ()


def assess_subject(
    study: Study,
    subject: SubjectData,
    today: dt.date,
    settings: SafetySettings,
    profile: SafetyProfile,
    *,
    status: str | None = None,
    saved_on: SavedOn | None = None,
    ctcae: CtcaeSettings | None = None,
    check_labs: bool = True,
) -> SubjectSafety:
    """Everything the safety rules say about ``subject`` on ``today``.

    ``status`` is the subject's status (a SubjectStatus value), ``saved_on`` gives the
    day each AE form was last saved (for the follow-up rule; without it only the
    window's close is checked), ``ctcae`` the CTCAE settings the lab values are graded
    with; ``check_labs=False`` leaves the laboratory check out (:func:`lab_findings`
    gives it alone: it does not depend on the day, so a caller may keep it longer).
    """
    exposure = exposure_of(study, subject, profile, status)
    window = reporting_window(exposure, settings.ae_window_days)
    irae_window = reporting_window(exposure, settings.irae_window_days)
    assessed = []
    for ae in adverse_events(study, subject, profile):
        applies = irae_window if ae.immune is True else window
        saved = saved_on(ae.event, ae.occurrence, ae.form) if saved_on is not None else None
        assessed.append(
            AeAssessment(
                ae=ae,
                window=applies,
                placement=place_onset(ae.onset, applies),
                sae_clock=sae_clock(ae, profile, settings, today),
                susar=is_susar(ae),
                susar_clocks=susar_clocks(ae, profile, settings, today),
                followup=followup_missing(ae, applies, saved, settings.ae_followup_days, today),
            )
        )
    labs: tuple[UnmatchedLab, ...] = ()
    if check_labs:
        events = [a.ae for a in assessed]
        labs = _labs(study, subject, settings, profile, (window, irae_window), events, ctcae)
    return SubjectSafety(exposure, window, irae_window, tuple(assessed), labs)


def _labs(
    study: Study,
    subject: SubjectData,
    settings: SafetySettings,
    profile: SafetyProfile,
    windows: tuple[AeWindow, AeWindow],
    events: list[AdverseEvent],
    ctcae: CtcaeSettings | None,
) -> tuple[UnmatchedLab, ...]:
    """The lab check over the longer of the two windows (a thyroid value may be an irAE)."""
    longer = max(windows, key=lambda w: w.days)
    found = unmatched_labs(
        study,
        subject,
        profile,
        longer,
        events,
        min_grade=settings.lab_ae_min_grade,
        ctcae=ctcae,
    )
    return tuple(found)


def lab_findings(
    study: Study,
    subject: SubjectData,
    settings: SafetySettings,
    profile: SafetyProfile,
    *,
    status: str | None = None,
    ctcae: CtcaeSettings | None = None,
    assessed: SubjectSafety | None = None,
) -> tuple[UnmatchedLab, ...]:
    """The laboratory values of ``subject`` without a matching AE (no day involved).

    ``assessed``: the subject's assessment (of any day) whose windows and adverse
    events to use, rather than reading them again.
    """
    if assessed is not None:
        windows = (assessed.window, assessed.irae_window)
        events = [a.ae for a in assessed.adverse_events]
    else:
        exposure = exposure_of(study, subject, profile, status)
        windows = (
            reporting_window(exposure, settings.ae_window_days),
            reporting_window(exposure, settings.irae_window_days),
        )
        events = adverse_events(study, subject, profile)
    return _labs(study, subject, settings, profile, windows, events, ctcae)
