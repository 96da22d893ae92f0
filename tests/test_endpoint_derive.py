"""Per-subject endpoint rules (docs/endpoints.md): tables of cases for each censoring rule,
the partial-date imputation, the settings, the maps and ``derive pfs|os|dor``'s JSON."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from npc_crf.endpoints.derive import rules
from npc_crf.endpoints.derive.dates import impute
from npc_crf.endpoints.derive.jsonio import dor_json, os_json, pfs_json, progression_from
from npc_crf.endpoints.derive.maps import ENDPOINT_MAPS, DateItem
from npc_crf.endpoints.derive.rules import (
    Scan,
    derive_dor,
    derive_os,
    derive_pfs,
    one_year_status,
    status_at,
)
from npc_crf.endpoints.derive.settings import StudyEndpointSettings, endpoint_settings
from npc_crf.endpoints.model import EndpointSettings, Status, TimeToEvent
from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.expr.values import PartialDate
from npc_crf.forms.loader import load_study
from npc_crf.forms.model import ItemType, Study
from npc_crf.forms.problems import DefinitionError
from npc_crf.oncology.jsonin import InputError, Node

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "forms" / "mini"
START = dt.date(2025, 1, 10)
CUTOFF = dt.date(2025, 12, 31)
#: 2 missed 6-weekly scans: an event more than 84 days after the last adequate scan is censored
SETTINGS = StudyEndpointSettings(missed_assessments=2, assessment_interval_days=42)


def day(text: str) -> dt.date:
    """``MM-DD`` in 2025, or a full ISO date."""
    return dt.date.fromisoformat(text if len(text) == 10 else f"2025-{text}")


def scans(*entries: str) -> list[Scan]:
    """``"02-21 SD"`` → a scan on 2025-02-21 with that response (NE is not adequate)."""
    found = []
    for entry in entries:
        when, response = entry.split()
        found.append(Scan(day(when), response, response != "NE"))
    return found


def outcome(tte: TimeToEvent) -> tuple[str, str, str]:
    return tte.status.value, tte.date.isoformat(), tte.reason


# ----------------------------------------------------------------------------------- PFS

PFS_CASES: list[tuple[str, dict[str, Any], tuple[str, str, str]]] = [
    # FDA: no baseline assessment -> censored at the start, whatever follows
    (
        "no baseline, even with a progression",
        {"baseline": False, "assessments": scans("02-21 PD"), "progression": "02-21"},
        ("censored", "2025-01-10", "no_baseline"),
    ),
    # FDA: progression -> event at the earliest date it was seen
    (
        "progression",
        {"assessments": scans("02-21 SD", "04-04 PD"), "progression": "04-04"},
        ("event", "2025-04-04", "progression"),
    ),
    (
        "progression dated before the scan that showed it (equivocal new lesion)",
        {"assessments": scans("02-21 SD", "04-04 SD", "05-16 PD"), "progression": "04-04"},
        ("event", "2025-04-04", "progression"),
    ),
    # FDA: no progression -> censored at the last adequate assessment
    (
        "no progression: the last adequate assessment, NE skipped",
        {"assessments": scans("02-21 SD", "04-04 SD", "05-16 NE")},
        ("censored", "2025-04-04", "no_progression"),
    ),
    (
        "no assessment after the start",
        {"assessments": []},
        ("censored", "2025-01-10", "no_post_baseline"),
    ),
    (
        "only NE assessments",
        {"assessments": scans("02-21 NE", "04-04 NE")},
        ("censored", "2025-01-10", "no_post_baseline"),
    ),
    # FDA: new anticancer therapy before progression -> last adequate assessment before it
    (
        "new therapy before the progression",
        {
            "assessments": scans("02-21 SD", "04-04 SD", "05-16 PD"),
            "progression": "05-16",
            "new_therapy": "04-20",
        },
        ("censored", "2025-04-04", "new_therapy"),
    ),
    (
        "new therapy without progression; a scan on its start day counts",
        {"assessments": scans("02-21 SD", "04-04 SD", "05-16 SD"), "new_therapy": "04-04"},
        ("censored", "2025-04-04", "new_therapy"),
    ),
    (
        "new therapy before any adequate assessment",
        {"assessments": scans("02-21 NE", "04-04 SD"), "new_therapy": "03-01"},
        ("censored", "2025-01-10", "new_therapy"),
    ),
    (
        "new therapy on the day of the progression: the progression counts",
        {
            "assessments": scans("02-21 SD", "04-04 PD"),
            "progression": "04-04",
            "new_therapy": "04-04",
        },
        ("event", "2025-04-04", "progression"),
    ),
    (
        "new therapy after the progression",
        {
            "assessments": scans("02-21 SD", "04-04 PD"),
            "progression": "04-04",
            "new_therapy": "05-01",
        },
        ("event", "2025-04-04", "progression"),
    ),
    (
        "new therapy after the cut-off is ignored",
        {"assessments": scans("02-21 SD", "04-04 SD"), "new_therapy": "2026-01-15"},
        ("censored", "2025-04-04", "no_progression"),
    ),
    # FDA: death before the first assessment, or between adequate visits -> event
    (
        "death before the first assessment",
        {"assessments": [], "death": "02-10"},
        ("event", "2025-02-10", "death"),
    ),
    (
        "death between adequate visits",
        {"assessments": scans("02-21 SD", "04-04 SD"), "death": "05-01"},
        ("event", "2025-05-01", "death"),
    ),
    (
        "progression and death on the same day: progression",
        {"assessments": scans("02-21 SD", "04-04 PD"), "progression": "04-04", "death": "04-04"},
        ("event", "2025-04-04", "progression"),
    ),
    # FDA: progression or death after more than one missed visit (setting: 2 x 42 days)
    (
        "progression 88 days after the last adequate scan: censored",
        {"assessments": scans("02-21 SD", "05-20 PD"), "progression": "05-20"},
        ("censored", "2025-02-21", "missed_assessments"),
    ),
    (
        "progression exactly 84 days after: an event",
        {"assessments": scans("02-21 SD", "05-16 PD"), "progression": "05-16"},
        ("event", "2025-05-16", "progression"),
    ),
    (
        "an NE scan does not reset the count",
        {"assessments": scans("02-21 SD", "04-04 NE", "05-20 PD"), "progression": "05-20"},
        ("censored", "2025-02-21", "missed_assessments"),
    ),
    (
        "death 90 days after the start without any scan: censored at the start",
        {"assessments": [], "death": "04-10"},
        ("censored", "2025-01-10", "missed_assessments"),
    ),
    (
        "death long after the last scan",
        {"assessments": scans("02-21 SD", "04-04 SD"), "death": "09-01"},
        ("censored", "2025-04-04", "missed_assessments"),
    ),
    # progression recorded at follow-up, outside the tumour assessments
    (
        "clinical progression before the imaging one",
        {
            "assessments": scans("02-21 SD", "04-04 PD"),
            "progression": "04-04",
            "clinical_progression": "03-15",
        },
        ("event", "2025-03-15", "clinical_progression"),
    ),
    (
        "imaging progression first",
        {
            "assessments": scans("02-21 SD", "04-04 PD"),
            "progression": "04-04",
            "clinical_progression": "05-15",
        },
        ("event", "2025-04-04", "progression"),
    ),
    # data cut-off: nothing after it counts
    (
        "progression after the cut-off",
        {
            "assessments": scans("02-21 SD", "04-04 SD", "05-16 PD"),
            "progression": "05-16",
            "cutoff": "04-30",
        },
        ("censored", "2025-04-04", "no_progression"),
    ),
    (
        "assessments after the cut-off",
        {"assessments": scans("02-21 SD", "04-04 SD"), "cutoff": "03-31"},
        ("censored", "2025-02-21", "no_progression"),
    ),
    (
        "death after the cut-off",
        {"assessments": scans("02-21 SD"), "death": "04-10", "cutoff": "03-31"},
        ("censored", "2025-02-21", "no_progression"),
    ),
    (
        "a progression on the cut-off day counts",
        {"assessments": scans("02-21 SD", "04-04 PD"), "progression": "04-04", "cutoff": "04-04"},
        ("event", "2025-04-04", "progression"),
    ),
]


def run_pfs(case: dict[str, Any], settings: EndpointSettings = SETTINGS) -> TimeToEvent:
    dates = {
        key: day(case[key]) if case.get(key) else None
        for key in ("progression", "death", "new_therapy", "clinical_progression")
    }
    return derive_pfs(
        start=START,
        cutoff=day(case["cutoff"]) if "cutoff" in case else CUTOFF,
        settings=settings,
        baseline=case.get("baseline", True),
        assessments=case["assessments"],
        **dates,
    )


@pytest.mark.parametrize(
    ("case", "expected"), [c[1:] for c in PFS_CASES], ids=[c[0] for c in PFS_CASES]
)
def test_pfs_censoring_rules(case: dict[str, Any], expected: tuple[str, str, str]) -> None:
    tte = run_pfs(case)
    assert outcome(tte) == expected
    assert tte.days == (tte.date - START).days
    assert tte.detail.endswith(".") and tte.date.isoformat() in tte.detail


@pytest.mark.parametrize(
    ("change", "case", "expected"),
    [
        (
            {"censor_new_therapy": False},
            {
                "assessments": scans("02-21 SD", "05-16 PD"),
                "progression": "05-16",
                "new_therapy": "03-01",
            },
            ("event", "2025-05-16", "progression"),
        ),
        (
            {"missed_assessments": 0},
            {"assessments": scans("02-21 SD", "09-01 PD"), "progression": "09-01"},
            ("event", "2025-09-01", "progression"),
        ),
        (
            {"assessment_interval_days": 63},
            {"assessments": scans("02-21 SD", "05-20 PD"), "progression": "05-20"},
            ("event", "2025-05-20", "progression"),
        ),
        (
            {"missed_assessments": 1},
            {"assessments": scans("02-21 SD", "04-05 PD"), "progression": "04-05"},
            ("censored", "2025-02-21", "missed_assessments"),
        ),
    ],
)
def test_pfs_settings_change_the_outcome(
    change: dict[str, Any], case: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    assert outcome(run_pfs(case, dataclasses.replace(SETTINGS, **change))) == expected
    assert outcome(run_pfs(case)) != expected


def test_inclusive_day_count_adds_the_start_day() -> None:
    case = {"assessments": scans("02-21 SD", "04-04 PD"), "progression": "04-04"}
    assert run_pfs(case).days == 84
    assert run_pfs(case, dataclasses.replace(SETTINGS, day_count="inclusive")).days == 85
    at_start = run_pfs({"assessments": []}, dataclasses.replace(SETTINGS, day_count="inclusive"))
    assert (at_start.date, at_start.days) == (START, 1)


def test_an_event_before_the_start_counts_zero_days() -> None:
    tte = run_pfs({"assessments": [], "clinical_progression": "2025-01-02"})
    assert (tte.status, tte.date, tte.days) == (Status.EVENT, START, 0)
    assert "before the start" in tte.detail


# ------------------------------------------------------------------------------------ OS

OS_CASES: list[tuple[str, str | None, str | None, tuple[str, str, str]]] = [
    ("death", "2025-06-01", "2025-05-20", ("event", "2025-06-01", "death")),
    ("death on the cut-off day", "2025-12-31", None, ("event", "2025-12-31", "death")),
    ("death after the cut-off", "2026-02-01", "2025-11-01", ("censored", "2025-12-31", "cutoff")),
    ("known alive after the cut-off", None, "2026-01-15", ("censored", "2025-12-31", "cutoff")),
    ("alive: the last date known alive", None, "2025-10-01", ("censored", "2025-10-01", "alive")),
    ("never known alive after the start", None, None, ("censored", "2025-01-10", "alive")),
    ("known alive only before the start", None, "2025-01-02", ("censored", "2025-01-10", "alive")),
]


@pytest.mark.parametrize(
    ("death", "alive", "expected"), [c[1:] for c in OS_CASES], ids=[c[0] for c in OS_CASES]
)
def test_os(death: str | None, alive: str | None, expected: tuple[str, str, str]) -> None:
    tte = derive_os(
        start=START,
        cutoff=CUTOFF,
        settings=SETTINGS,
        death=day(death) if death else None,
        last_known_alive=day(alive) if alive else None,
    )
    assert outcome(tte) == expected
    assert tte.days == (tte.date - START).days


# ----------------------------------------------------------------------------------- DoR

RESPONSE_START = day("02-21")
DOR_CASES: list[tuple[str, dict[str, Any], tuple[str, str, str, int]]] = [
    (
        "progression",
        {"assessments": scans("02-21 PR", "04-04 PR", "05-16 PD"), "progression": "05-16"},
        ("event", "2025-05-16", "progression", 84),
    ),
    (
        "ongoing response",
        {"assessments": scans("01-30 SD", "02-21 PR", "04-04 PR")},
        ("censored", "2025-04-04", "no_progression", 42),
    ),
    (
        "no assessment after the response start",
        {"assessments": scans("02-21 PR")},
        ("censored", "2025-02-21", "no_progression", 0),
    ),
    (
        "death during the response",
        {"assessments": scans("02-21 PR", "04-04 PR"), "death": "05-01"},
        ("event", "2025-05-01", "death", 69),
    ),
    (
        "death after missed assessments",
        {"assessments": scans("02-21 PR", "04-04 PR"), "death": "08-01"},
        ("censored", "2025-04-04", "missed_assessments", 42),
    ),
    (
        "new therapy before progression",
        {
            "assessments": scans("02-21 PR", "04-04 PR", "05-16 SD", "06-27 PD"),
            "progression": "06-27",
            "new_therapy": "06-01",
        },
        ("censored", "2025-05-16", "new_therapy", 84),
    ),
]


@pytest.mark.parametrize(
    ("case", "expected"), [c[1:] for c in DOR_CASES], ids=[c[0] for c in DOR_CASES]
)
def test_duration_of_response(case: dict[str, Any], expected: tuple[str, str, str, int]) -> None:
    tte = derive_dor(
        response_start=RESPONSE_START,
        cutoff=CUTOFF,
        settings=SETTINGS,
        assessments=case["assessments"],
        progression=day(case["progression"]) if "progression" in case else None,
        death=day(case["death"]) if "death" in case else None,
        new_therapy=day(case["new_therapy"]) if "new_therapy" in case else None,
    )
    assert (*outcome(tte), tte.days) == expected


# ---------------------------------------------------------------------- 1-year OS status


@pytest.mark.parametrize(
    ("status", "days", "expected"),
    [
        (Status.EVENT, 100, "dead"),
        (Status.EVENT, 365, "dead"),
        (Status.EVENT, 366, "alive"),  # died after one year: alive at one year
        (Status.CENSORED, 200, "censored"),
        (Status.CENSORED, 365, "censored"),
        (Status.CENSORED, 366, "alive"),
    ],
)
def test_one_year_status(status: Status, days: int, expected: str) -> None:
    tte = TimeToEvent(status, START + dt.timedelta(days=days), days, "x", "x.")
    assert one_year_status(tte, SETTINGS) == expected
    assert status_at(tte, 365.25) == expected


# -------------------------------------------------------------------------- partial dates


@pytest.mark.parametrize(
    ("value", "floor", "expected", "note"),
    [
        (dt.date(2024, 5, 3), None, "2024-05-03", None),
        (dt.date(2024, 5, 3), dt.date(2024, 6, 1), "2024-05-03", None),  # full dates never move
        (dt.datetime(2024, 5, 3, 14, 5), None, "2024-05-03", None),
        (PartialDate(2024, 5, 7), None, "2024-05-07", None),
        (PartialDate(2024, 5), None, "2024-05-01", "the earliest day it may be"),
        (PartialDate(2024), None, "2024-01-01", "the earliest day it may be"),
        (PartialDate(2024, 5), dt.date(2024, 4, 1), "2024-05-01", "the earliest day it may be"),
        (PartialDate(2024, 5), dt.date(2024, 5, 20), "2024-05-20", "other data allow"),
        (PartialDate(2024), dt.date(2024, 8, 2), "2024-08-02", "other data allow"),
        (PartialDate(2024, 5), dt.date(2024, 6, 3), "2024-05-31", "check the data"),
        (PartialDate(2024, 2), dt.date(2025, 1, 1), "2024-02-29", "check the data"),
    ],
)
def test_partial_dates_are_imputed_conservatively(
    value: object, floor: dt.date | None, expected: str, note: str | None
) -> None:
    dated = impute(value, "FU[1]/SURV/PDDAT", floor)
    assert dated is not None
    assert dated.date.isoformat() == expected
    if note is None:
        assert dated.note is None
    else:
        assert dated.note is not None and note in dated.note
        assert dated.note.startswith(f"FU[1]/SURV/PDDAT: partial date {value} taken as {expected}")


@pytest.mark.parametrize("value", [None, Missing("UNK"), "2024-05", Decimal(3), True])
def test_values_that_are_not_dates_give_no_date(value: object) -> None:
    assert impute(value, "X", None) is None


# ------------------------------------------------------------------------------ settings


def by_oid(studies: dict[str, Study], oid: str) -> Study:
    return next(s for s in studies.values() if s.oid == oid)


def test_each_study_reads_its_endpoint_settings(studies: dict[str, Study]) -> None:
    sint = endpoint_settings(by_oid(studies, "NPC-SINT-RT"))
    nct = endpoint_settings(by_oid(studies, "NCT07062484"))
    assert isinstance(sint, EndpointSettings) and isinstance(nct, EndpointSettings)
    assert (sint.start, sint.progression, sint.assessment_interval_days) == (
        "first_dose",
        "recist",
        42,
    )
    assert (nct.start, nct.assessment_interval_days) == ("first_dose", 63)
    assert sint.landmarks_months == nct.landmarks_months == (6.0, 12.0)
    assert isinstance(sint.conf_level, float) and sint.conf_level == 0.95
    # the checked subclass keeps the shape's defaults
    assert dataclasses.asdict(StudyEndpointSettings()) == dataclasses.asdict(EndpointSettings())


def endpoints_block(tmp_path: Path, lines: str) -> Path:
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    study = folder / "study.yaml"
    study.write_text(
        study.read_text(encoding="utf-8") + "oncology:\n  endpoints:\n" + lines, encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            "    start: randomisation\n",
            "oncology.endpoints.start: must be one of first_dose, enrolment",
        ),
        (
            "    progression: RECIST\n",
            "oncology.endpoints.progression: must be one of recist, irecist",
        ),
        (
            "    conf_type: loglog\n",
            "oncology.endpoints.conf_type: must be one of log, log-log, plain",
        ),
        (
            "    conf_level: 95\n",
            "oncology.endpoints.conf_level: must be between 0 and 1, not 95.0",
        ),
        ("    conf_level: yes\n", "oncology.endpoints.conf_level: must be a number, not True"),
        (
            "    missed_assessments: -1\n",
            "oncology.endpoints.missed_assessments: must not be negative",
        ),
        (
            "    assessment_interval_days: 0\n",
            "oncology.endpoints.assessment_interval_days: must be at least 1 day, not 0",
        ),
        (
            "    month_days: 0\n",
            "oncology.endpoints.month_days: must be a positive number, not 0.0",
        ),
        (
            "    landmarks_months: [6, twelve]\n",
            "oncology.endpoints.landmarks_months: landmarks_months[1]: must be a number, not 'twelve'",
        ),
        (
            "    landmarks_months: [6, -1]\n",
            "oncology.endpoints.landmarks_months: landmarks_months[1]: must be a positive number",
        ),
        (
            "    landmarks_months: 6\n",
            "oncology.endpoints.landmarks_months: must be a list of numbers",
        ),
        (
            "    landmarks_months: [[6]]\n",
            "oncology.endpoints.landmarks_months[0] must be a single value, not a list",
        ),
        (
            "    censor_new_therapy: 1\n",
            "oncology.endpoints.censor_new_therapy: must be true or false",
        ),
        ("    cutoff: 2025-01-01\n", "oncology.endpoints.cutoff: unknown setting (known: "),
    ],
)
def test_a_wrong_endpoint_setting_is_reported_at_its_position(
    tmp_path: Path, lines: str, message: str
) -> None:
    folder = endpoints_block(tmp_path, lines)
    last_line = len((folder / "study.yaml").read_text(encoding="utf-8").splitlines())
    with pytest.raises(DefinitionError) as info:
        load_study(folder)
    problems = [str(p) for p in info.value.problems]
    assert len(problems) == 1, problems
    assert re.match(rf".*study\.yaml:{last_line}:\d+: ", problems[0]), problems
    assert message in problems[0], problems


def test_a_list_setting_loads(tmp_path: Path) -> None:
    folder = endpoints_block(tmp_path, "    landmarks_months: [3, 6.5, 12]\n    conf_type: log\n")
    study = load_study(folder)
    settings = endpoint_settings(study)
    assert settings.landmarks_months == (3.0, 6.5, 12.0)
    assert settings.conf_type == "log"


# ---------------------------------------------------------------------------------- maps


@pytest.mark.parametrize("oid", sorted(ENDPOINT_MAPS))
def test_every_mapped_date_is_a_date_item_of_the_study(studies: dict[str, Study], oid: str) -> None:
    study = by_oid(studies, oid)
    emap = ENDPOINT_MAPS[oid]
    refs: list[DateItem] = [ref for f in dataclasses.fields(emap) for ref in getattr(emap, f.name)]
    assert len(refs) > 10
    for ref in refs:
        form = study.forms.get(ref.form)
        assert form is not None, f"{oid}: {ref}: no form {ref.form}"
        assert any(ref.form in e.forms for e in study.events), f"{oid}: {ref}: in no event"
        item = form.item(ref.item)
        assert item is not None, f"{oid}: {ref}: no item"
        assert item.type in (ItemType.DATE, ItemType.PARTIAL_DATE), f"{oid}: {ref}: {item.type}"
        group = form.group_of(ref.item)
        assert (group.oid if group else None) == ref.group, f"{oid}: {ref}: group"
        if ref.when is not None:
            assert form.item(ref.when[0]) is not None, f"{oid}: {ref}: no item {ref.when[0]}"


# ---------------------------------------------------------------------------------- JSON


def doc(data: dict[str, Any]) -> Node:
    """A JSON document as ``npc-crf derive`` reads it (numbers as decimals)."""
    return Node(json.loads(json.dumps(data), parse_float=Decimal))


DOC = (ROOT / "docs" / "endpoints.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("kind", "function"), [("pfs", pfs_json), ("os", os_json), ("dor", dor_json)]
)
def test_the_documented_examples_give_the_documented_output(kind: str, function: Any) -> None:
    match = re.search(
        rf"### `derive {kind}`\n.*?Input:\n\n```json\n(.*?)```\n\nOutput[^\n]*\n\n```json\n(.*?)```",
        DOC,
        re.S,
    )
    assert match, f"docs/endpoints.md has no example of derive {kind}"
    result = function(Node(json.loads(match.group(1), parse_float=Decimal)))
    settings = result.pop("settings")
    assert result == json.loads(match.group(2))
    assert set(settings) == {f.name for f in dataclasses.fields(EndpointSettings)}


def test_every_reason_code_is_documented() -> None:
    codes = set(re.findall(r"^``(\w+)``", rules.__doc__ or "", re.M))
    assert {"no_baseline", "new_therapy", "missed_assessments", "cutoff"} <= codes
    for code in codes:
        assert f"`{code}`" in DOC, f"docs/endpoints.md does not name reason {code}"


PFS_DOC: dict[str, Any] = {
    "start": "2025-01-10",
    "cutoff": "2025-12-31",
    "assessments": [
        {"date": "2025-02-21", "response": "SD"},
        {"date": "2025-04-04", "response": "PD"},
    ],
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, ("event", "2025-04-04", "progression")),
        ({"progression": None}, ("censored", "2025-04-04", "no_progression")),
        ({"progression": "2025-03"}, ("event", "2025-03-01", "progression")),
        ({"death": "2025-03-10"}, ("event", "2025-03-10", "death")),
        ({"baseline": False}, ("censored", "2025-01-10", "no_baseline")),
        ({"new_therapy": "2025-03-01"}, ("censored", "2025-02-21", "new_therapy")),
        (
            {"new_therapy": "2025"},
            ("censored", "2025-01-10", "new_therapy"),
        ),  # floor: day after start
        (
            {"settings": {"censor_new_therapy": False}, "new_therapy": "2025-03-01"},
            ("event", "2025-04-04", "progression"),
        ),
        ({"settings": {"day_count": "inclusive"}}, ("event", "2025-04-04", "progression")),
        (
            {
                "assessments": [
                    {"date": "2025-02-21", "response": "SD"},
                    {"date": "2025-04-04", "response": "SD", "adequate": False},
                ]
            },
            ("censored", "2025-02-21", "no_progression"),
        ),
    ],
)
def test_pfs_json(change: dict[str, Any], expected: tuple[str, str, str]) -> None:
    result = pfs_json(doc({**PFS_DOC, **change}))
    assert (result["status"], result["date"], result["reason"]) == expected
    start = dt.date(2025, 1, 10)
    extra = 1 if result["settings"]["day_count"] == "inclusive" else 0  # type: ignore[index]
    assert result["days"] == (dt.date.fromisoformat(str(result["date"])) - start).days + extra


def test_json_partial_dates_are_noted() -> None:
    result = pfs_json(doc({**PFS_DOC, "new_therapy": "2025"}))
    assert result["notes"] == [
        "new_therapy: partial date 2025 taken as 2025-01-11, the earliest day the other data allow (2025-01-11)"
    ]


def test_os_json_one_year_status() -> None:
    alive = os_json(
        doc({"start": "2024-01-10", "cutoff": "2025-12-31", "last_known_alive": "2025-03-01"})
    )
    assert (alive["status"], alive["reason"], alive["os_1y"]) == ("censored", "alive", "alive")
    short = os_json(
        doc({"start": "2025-01-10", "cutoff": "2025-12-31", "last_known_alive": "2025-03-01"})
    )
    assert short["os_1y"] == "censored"


@pytest.mark.parametrize(
    ("responses", "expected"),
    [
        (["SD", "PD", "PD"], "2025-01-03"),
        (["iUPD", "iUPD", "iCPD"], "2025-01-02"),
        (["iUPD", "NE", "iCPD"], "2025-01-02"),
        (["iUPD", "iSD", "iUPD", "iCPD"], "2025-01-04"),
        (["iSD", "iCPD"], "2025-01-03"),
        (["iUPD", "iUPD"], None),
        (["SD", "NE", "PR"], None),
    ],
)
def test_progression_from_the_responses(responses: list[str], expected: str | None) -> None:
    found = [Scan(dt.date(2025, 1, 2 + n), r) for n, r in enumerate(responses)]
    result = progression_from(found)
    assert (result.isoformat() if result else None) == expected


@pytest.mark.parametrize(
    ("function", "data", "message"),
    [
        (pfs_json, {**PFS_DOC, "deaht": None}, "deaht: unknown field (expected one of: "),
        (
            pfs_json,
            {**PFS_DOC, "start": "2025-1-10"},
            "start: must be a full date YYYY-MM-DD, not '2025-1-10'",
        ),
        (
            pfs_json,
            {
                **PFS_DOC,
                "assessments": [
                    {"date": "2025-02-21", "response": "SD"},
                    {"date": "2025-04-04", "response": "XX"},
                ],
            },
            "assessments[1].response: must be one of 'CR', ",
        ),
        (
            pfs_json,
            {
                **PFS_DOC,
                "assessments": [
                    {"date": "2025-04-04", "response": "SD"},
                    {"date": "2025-02-21", "response": "PD"},
                ],
            },
            "assessments[1].date: must be after the previous assessment (2025-04-04)",
        ),
        (
            pfs_json,
            {**PFS_DOC, "assessments": [{"date": "2025-02-21", "response": "SD", "size": 3}]},
            "assessments[0].size: unknown field",
        ),
        (
            pfs_json,
            {**PFS_DOC, "death": "2025-13"},
            "death: must be a date YYYY-MM-DD, YYYY-MM or YYYY, not '2025-13'",
        ),
        (
            pfs_json,
            {**PFS_DOC, "death": 20250101},
            "death: must be a date YYYY-MM-DD, YYYY-MM or YYYY, or null",
        ),
        (
            pfs_json,
            {**PFS_DOC, "settings": {"missed_assessments": -1}},
            "settings.missed_assessments: must not be negative",
        ),
        (
            pfs_json,
            {**PFS_DOC, "settings": {"conf_level": 1.5}},
            "settings.conf_level: must be between 0 and 1",
        ),
        (pfs_json, {**PFS_DOC, "settings": {"missed": 1}}, "settings.missed: unknown setting"),
        (pfs_json, {**PFS_DOC, "settings": [1]}, "settings: must be an object, not an array"),
        (
            os_json,
            {"start": "2025-01-10", "cutoff": "2025-12-31", "progression": None},
            "progression: unknown field",
        ),
        (dor_json, {"start": "2025-01-10", "cutoff": "2025-12-31"}, "start: unknown field"),
        (dor_json, {"cutoff": "2025-12-31"}, "response_start: is required"),
        (os_json, {"start": "2025-01-10"}, "cutoff: is required"),
    ],
)
def test_json_errors_name_the_field(function: Any, data: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError) as info:
        function(doc(data))
    assert str(info.value).startswith(message), str(info.value)
