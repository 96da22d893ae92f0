"""The safety engine's protocol choices (``study.yaml`` → ``oncology: safety: {...}``).

Every key, its default and why are in ``docs/safety.md`` §8. Precedence: a key
given in the study file's ``oncology: safety:`` mapping, else the study parameter
the forms already use for the same rule (:func:`study_safety_settings`), else the
default below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from npc_crf.forms.model import Study
from npc_crf.oncology.settings import SettingError, settings_from_mapping

HOURS_PER_DAY = 24


@dataclass(frozen=True)
class SafetySettings:
    """Safety clocks, the AE reporting window and the checks of the worklist."""

    #: SAE and SUSAR clocks apply (false for a retrospective record review)
    expedited_reporting: bool = True
    #: site → sponsor: an SAE is reported within this many hours of the site's awareness
    sae_report_hours: int = 24
    #: a fatal or life-threatening SUSAR is reported by this day (day 0: sponsor knew)
    susar_fatal_days: int = 7
    #: ... and its complete follow-up report this many days after that
    susar_followup_days: int = 8
    #: any other SUSAR is reported by this day
    susar_other_days: int = 15
    #: AEs are collected until this many days after the last dose of any study therapy
    ae_window_days: int = 30
    #: ... and immune-related AEs this long (default: ``ae_window_days``)
    irae_window_days: int = 30
    #: an ongoing AE not updated for this many days needs follow-up
    ae_followup_days: int = 30
    #: a laboratory value of at least this CTCAE grade needs a matching AE
    lab_ae_min_grade: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.lab_ae_min_grade <= 4:
            raise SettingError("lab_ae_min_grade", "must be a CTCAE grade from 1 to 4")
        if self.ae_followup_days < 1:
            raise SettingError("ae_followup_days", "must be at least 1")

    @property
    def sae_report_days(self) -> int:
        """Whole days from awareness to the SAE report's due date: hours / 24, rounded up.

        Dates carry no time of day, so the due date is the last calendar day the
        hours can end on: 24 h → the day after awareness.
        """
        return -(-self.sae_report_hours // HOURS_PER_DAY)

    @property
    def susar_followup_due_days(self) -> int:
        """Day of the follow-up report of a fatal or life-threatening SUSAR (7 + 8 = 15)."""
        return self.susar_fatal_days + self.susar_followup_days


def safety_settings(mapping: Mapping[str, object] | None = None) -> SafetySettings:
    """The settings from a plain mapping over the defaults (unknown keys are refused).

    ``irae_window_days`` defaults to ``ae_window_days`` when only the latter is given.
    """
    values = dict(mapping or {})
    if "ae_window_days" in values and "irae_window_days" not in values:
        values["irae_window_days"] = values["ae_window_days"]
    return settings_from_mapping(SafetySettings, values)


#: study parameter -> (setting, factor): what the bundled forms already use
STUDY_PARAMETERS: dict[str, tuple[str, int]] = {
    # NPC-SINT-RT: the AE form's soft check on onset, and EOT's end of collection
    "ae_window_days": ("ae_window_days", 1),
    # NCT07062484: "AEs collected until this many days after the last PD-1 dose" -
    # the collection window, not this engine's ae_followup_days (a re-assessment interval)
    "ae_followup_days": ("ae_window_days", 1),
    # NPC-SINT-RT: the AE form's soft check on the report date (1 day = 24 h)
    "sae_report_days": ("sae_report_hours", HOURS_PER_DAY),
}


def study_safety_settings(
    study: Study, mapping: Mapping[str, object] | None = None
) -> SafetySettings:
    """The settings of ``study``: ``mapping`` (default: its study file's ``oncology:
    safety:``) over the study parameters in :data:`STUDY_PARAMETERS` over the defaults."""
    if mapping is None:
        mapping = study.oncology.get("safety", {})
    values: dict[str, object] = {}
    for name, (key, factor) in STUDY_PARAMETERS.items():
        parameter = study.parameters.get(name)
        if parameter is not None and isinstance(parameter.value, Decimal):
            values[key] = int(parameter.value * factor)
    values.update(mapping)
    return safety_settings(values)
