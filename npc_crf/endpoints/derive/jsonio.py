"""JSON in and out for ``npc-crf derive pfs | os | dor`` (docs/endpoints.md).

One subject's dates and assessments in, the status, date, days, reason and detail
out, by exactly the rules of :mod:`npc_crf.endpoints.derive.rules`. Errors name
the JSON path; unknown keys are refused. Event dates (progression, death, new
therapy, last known alive) may be partial (``2024-05``, ``2024``) and are imputed
as the study data are (``dates.impute``); the output's ``notes`` say how.
"""

from __future__ import annotations

import datetime as dt

from npc_crf.endpoints.derive.dates import Dated, impute
from npc_crf.endpoints.derive.rules import (
    Scan,
    derive_dor,
    derive_os,
    derive_pfs,
    one_year_status,
)
from npc_crf.endpoints.derive.settings import StudyEndpointSettings, read_settings
from npc_crf.endpoints.model import TimeToEvent
from npc_crf.forms.expr.values import PartialDate
from npc_crf.oncology.jsonin import InputError, Node
from npc_crf.oncology.settings import SettingError, settings_as_mapping

#: overall-response tokens an assessment may carry (RECIST 1.1 and iRECIST)
RESPONSES = (
    "CR",
    "PR",
    "SD",
    "PD",
    "NE",
    "NON-CR/NON-PD",
    "iCR",
    "iPR",
    "iSD",
    "iUPD",
    "iCPD",
)
_EVENT_DATES = ("progression", "clinical_progression", "death", "new_therapy")
PFS_KEYS = {"start", "cutoff", "baseline", "assessments", "settings", *_EVENT_DATES}
DOR_KEYS = {"response_start", "cutoff", "assessments", "settings", *_EVENT_DATES}
OS_KEYS = {"start", "cutoff", "death", "last_known_alive", "settings"}


def _settings(doc: Node) -> StudyEndpointSettings:
    if not doc.has("settings") or doc.get("settings").is_null:
        return StudyEndpointSettings()
    node = doc.get("settings")
    try:
        return read_settings(node.obj())
    except SettingError as exc:
        raise InputError(f"{node.path}.{exc.key}", exc.message) from exc


def _partial_date(node: Node, floor: dt.date | None, notes: list[str]) -> dt.date | None:
    """An optional event date: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (imputed), or null."""
    if node.is_null:
        return None
    if not isinstance(node.value, str):
        node.fail(f"must be a date YYYY-MM-DD, YYYY-MM or YYYY, or null, not {node.value!r}")
    try:
        value = PartialDate.parse(node.value)
    except ValueError:
        node.fail(f"must be a date YYYY-MM-DD, YYYY-MM or YYYY, not {node.value!r}")
    dated: Dated | None = impute(value, node.path, floor)
    assert dated is not None  # a parsed partial date always gives a day
    if dated.note is not None:
        notes.append(dated.note)
    return dated.date


def _optional(doc: Node, key: str, floor: dt.date | None, notes: list[str]) -> dt.date | None:
    return _partial_date(doc.get(key), floor, notes) if doc.has(key) else None


def _scans(doc: Node) -> list[Scan]:
    if not doc.has("assessments"):
        return []
    scans: list[Scan] = []
    previous: dt.date | None = None
    for node in doc.get("assessments").elements():
        node.unknown_keys({"date", "response", "adequate"})
        day = node.get("date").date()
        if previous is not None and day <= previous:
            node.get("date").fail(
                f"must be after the previous assessment ({previous.isoformat()}); "
                "list the assessments in date order, one per day"
            )
        previous = day
        response = node.get("response").choice(RESPONSES)
        adequate = node.get("adequate").boolean() if node.has("adequate") else response != "NE"
        scans.append(Scan(day, response, adequate))
    return scans


def progression_from(scans: list[Scan]) -> dt.date | None:
    """The earliest progression the responses show: the first ``PD``; under iRECIST the
    first iUPD of the run (NE allowed within it) that an ``iCPD`` confirms."""
    run: dt.date | None = None
    for scan in scans:
        if scan.response == "PD":
            return scan.date
        if scan.response == "iUPD":
            run = run or scan.date
        elif scan.response == "iCPD":
            return run or scan.date
        elif scan.response != "NE":
            run = None
    return None


def _progression(doc: Node, scans: list[Scan], floor: dt.date, notes: list[str]) -> dt.date | None:
    if doc.has("progression"):
        return _partial_date(doc.get("progression"), floor, notes)
    return progression_from(scans)


def _output(
    tte: TimeToEvent, settings: StudyEndpointSettings, notes: list[str]
) -> dict[str, object]:
    out = tte.to_json()
    out["months"] = round(tte.days / settings.month_days, 2)
    out["notes"] = notes
    out["settings"] = settings_as_mapping(settings)
    return out


def _events(
    doc: Node, scans: list[Scan], origin: dt.date, notes: list[str]
) -> dict[str, dt.date | None]:
    """The event dates PFS and DoR both read; partial dates of progression, new therapy
    and clinical progression are not taken before the day after ``origin``."""
    after = origin + dt.timedelta(days=1)
    return {
        "progression": _progression(doc, scans, after, notes),
        "death": _optional(doc, "death", None, notes),
        "new_therapy": _optional(doc, "new_therapy", after, notes),
        "clinical_progression": _optional(doc, "clinical_progression", after, notes),
    }


def pfs_json(doc: Node) -> dict[str, object]:
    """``npc-crf derive pfs``: progression-free survival of one subject."""
    doc.unknown_keys(PFS_KEYS)
    settings = _settings(doc)
    start = doc.get("start").date()
    cutoff = doc.get("cutoff").date()
    baseline = doc.get("baseline").boolean() if doc.has("baseline") else True
    scans = _scans(doc)
    notes: list[str] = []
    tte = derive_pfs(
        start=start,
        cutoff=cutoff,
        settings=settings,
        baseline=baseline,
        assessments=scans,
        **_events(doc, scans, start, notes),
    )
    return _output(tte, settings, notes)


def dor_json(doc: Node) -> dict[str, object]:
    """``npc-crf derive dor``: duration of response of one confirmed responder."""
    doc.unknown_keys(DOR_KEYS)
    settings = _settings(doc)
    origin = doc.get("response_start").date()
    cutoff = doc.get("cutoff").date()
    scans = _scans(doc)
    notes: list[str] = []
    tte = derive_dor(
        response_start=origin,
        cutoff=cutoff,
        settings=settings,
        assessments=scans,
        **_events(doc, scans, origin, notes),
    )
    return _output(tte, settings, notes)


def os_json(doc: Node) -> dict[str, object]:
    """``npc-crf derive os``: overall survival of one subject, with the 1-year status."""
    doc.unknown_keys(OS_KEYS)
    settings = _settings(doc)
    start = doc.get("start").date()
    cutoff = doc.get("cutoff").date()
    notes: list[str] = []
    alive = _optional(doc, "last_known_alive", None, notes)
    tte = derive_os(
        start=start,
        cutoff=cutoff,
        settings=settings,
        death=_optional(doc, "death", alive, notes),
        last_known_alive=alive,
    )
    out = _output(tte, settings, notes)
    out["os_1y"] = one_year_status(tte, settings)
    return out
