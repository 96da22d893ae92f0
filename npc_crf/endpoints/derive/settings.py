"""``oncology: endpoints:`` of study.yaml: the protocol's choices for the endpoints.

The shape is :class:`~npc_crf.endpoints.model.EndpointSettings`; this module adds what
the settings machinery checks at load time (``study.yaml:line:col`` errors): the
choices of the text settings and the ranges of the numbers. The loader finds
:class:`StudyEndpointSettings` through ``npc_crf.oncology.study_settings.SECTIONS``.
Every key and default is listed in ``docs/oncology-settings.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from npc_crf.endpoints.model import EndpointSettings
from npc_crf.oncology.settings import SettingError, choices, settings_from_mapping

if TYPE_CHECKING:
    from collections.abc import Mapping

    from npc_crf.forms.model import Study

SECTION = "endpoints"

#: the text settings and what they may be
START = ("first_dose", "enrolment")
PROGRESSION = ("recist", "irecist")
CONF_TYPES = ("log", "log-log", "plain")
DAY_COUNTS = ("difference", "inclusive")


@dataclass
class StudyEndpointSettings(EndpointSettings):
    """:class:`EndpointSettings` as study.yaml and ``npc-crf derive`` give them: checked.

    An instance *is* an ``EndpointSettings``; only the checks are added.
    """

    start: str = field(default="first_dose", metadata=choices(*START))
    progression: str = field(default="recist", metadata=choices(*PROGRESSION))
    conf_type: str = field(default="log-log", metadata=choices(*CONF_TYPES))
    day_count: str = field(default="difference", metadata=choices(*DAY_COUNTS))

    def __post_init__(self) -> None:
        if not 0 < self.conf_level < 1:
            raise SettingError("conf_level", f"must be between 0 and 1, not {self.conf_level}")
        if self.assessment_interval_days < 1:
            raise SettingError(
                "assessment_interval_days",
                f"must be at least 1 day, not {self.assessment_interval_days}",
            )
        if not (math.isfinite(self.month_days) and self.month_days > 0):
            raise SettingError("month_days", f"must be a positive number, not {self.month_days}")
        for n, months in enumerate(self.landmarks_months):
            if not (math.isfinite(months) and months > 0):
                raise SettingError(
                    f"landmarks_months[{n}]", f"must be a positive number of months, not {months}"
                )


def read_settings(mapping: Mapping[str, object]) -> StudyEndpointSettings:
    """Settings from plain values over the defaults; :class:`SettingError` names the key."""
    return settings_from_mapping(StudyEndpointSettings, mapping)


def endpoint_settings(study: Study) -> StudyEndpointSettings:
    """The study's ``oncology: endpoints:`` over the defaults (checked when it was loaded)."""
    return read_settings(study.oncology.get(SECTION, {}))
