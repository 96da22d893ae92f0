"""Safety rules (Qt-free): SAE and SUSAR clocks, the AE reporting window, AE follow-up.

The rules and every decision are in ``docs/safety.md``. Modules:

- :mod:`.settings` — :class:`SafetySettings`, the protocol's choices (``oncology: safety:``);
- :mod:`.profile` — :class:`SafetyProfile`, where a study keeps AEs, doses and labs;
- :mod:`.dates` — partial dates as spans, comparisons that may be undecided;
- :mod:`.records` — adverse events as entered;
- :mod:`.exposure` — first and last dose of any study therapy;
- :mod:`.window` — the AE reporting window and where an onset falls;
- :mod:`.clocks` — seriousness, SUSAR, and the reporting clocks;
- :mod:`.followup` — missing follow-up of ongoing AEs;
- :mod:`.labs` — laboratory values of CTCAE grade ≥ 1 without a matching AE;
- :mod:`.assess` — one subject's assessment on a given day.
"""

from npc_crf.oncology.safety.assess import (
    AeAssessment,
    SubjectSafety,
    assess_subject,
    lab_findings,
)
from npc_crf.oncology.safety.clocks import (
    ClockState,
    ReportClock,
    ReportKind,
    fatal_or_life_threatening,
    is_susar,
    report_clock,
    sae_clock,
    susar_clocks,
)
from npc_crf.oncology.safety.dates import OPEN_END, Span, span_of
from npc_crf.oncology.safety.exposure import Exposure, exposure_of
from npc_crf.oncology.safety.followup import FollowUpDue, FollowUpReason, followup_missing
from npc_crf.oncology.safety.labs import LabSample, Match, UnmatchedLab, unmatched_labs
from npc_crf.oncology.safety.profile import (
    SAFETY_PROFILES,
    CourseSource,
    DoseSource,
    EndOfTreatment,
    LabSource,
    SafetyProfile,
    derive_safety_profile,
    safety_profile_for,
)
from npc_crf.oncology.safety.records import AdverseEvent, Stamp, adverse_events
from npc_crf.oncology.safety.settings import (
    SafetySettings,
    safety_settings,
    study_safety_settings,
)
from npc_crf.oncology.safety.window import (
    AeWindow,
    Place,
    Placement,
    place_onset,
    reporting_window,
)

__all__ = [
    "OPEN_END",
    "SAFETY_PROFILES",
    "AdverseEvent",
    "AeAssessment",
    "AeWindow",
    "ClockState",
    "CourseSource",
    "DoseSource",
    "EndOfTreatment",
    "Exposure",
    "FollowUpDue",
    "FollowUpReason",
    "LabSample",
    "LabSource",
    "Match",
    "Place",
    "Placement",
    "ReportClock",
    "ReportKind",
    "SafetyProfile",
    "SafetySettings",
    "Span",
    "Stamp",
    "SubjectSafety",
    "UnmatchedLab",
    "adverse_events",
    "assess_subject",
    "derive_safety_profile",
    "exposure_of",
    "fatal_or_life_threatening",
    "followup_missing",
    "is_susar",
    "lab_findings",
    "place_onset",
    "report_clock",
    "reporting_window",
    "sae_clock",
    "safety_profile_for",
    "safety_settings",
    "span_of",
    "study_safety_settings",
    "susar_clocks",
    "unmatched_labs",
]
