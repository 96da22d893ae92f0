"""The ``oncology:`` block of a study file: which engine reads which section.

The loader checks every key with :func:`check_setting` (so a typo is reported
as ``study.yaml:line:col``); the engines read their settings with
:func:`study_settings`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, TypeVar

from npc_crf.oncology.settings import SettingError, settings_from_mapping

T = TypeVar("T")

#: section -> (module, dataclass) of the engine that reads it
SECTIONS: dict[str, tuple[str, str]] = {
    "response": ("npc_crf.oncology.recist.model", "ResponseSettings"),
    "ctcae": ("npc_crf.oncology.ctcae.settings", "CtcaeSettings"),
    "safety": ("npc_crf.oncology.safety.settings", "SafetySettings"),
    "endpoints": ("npc_crf.endpoints.derive.settings", "StudyEndpointSettings"),
}


def settings_class(section: str) -> type[Any]:
    """The settings dataclass of ``section``."""
    module, name = SECTIONS[section]
    cls: type[Any] = getattr(importlib.import_module(module), name)
    return cls


def check_setting(section: str, key: str, value: object) -> str | None:
    """What is wrong with one setting, or None."""
    try:
        settings_from_mapping(settings_class(section), {key: value})
    except SettingError as exc:
        # an element of a list setting names itself: "landmarks_months[1]: must be ..."
        return exc.message if exc.key == key else f"{exc.key}: {exc.message}"
    return None


def study_settings(cls: type[T], section: str, oncology: Mapping[str, Mapping[str, object]]) -> T:
    """The settings of ``section`` of a study (``Study.oncology``) over the defaults."""
    return settings_from_mapping(cls, oncology.get(section, {}))
