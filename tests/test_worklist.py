"""The Subjects table, worklist, casebook header and grid, and the status bar, on a store.

One site with three subjects (in screening; on treatment with two cycles and two
adverse events; a screen failure) is built once per module and copied for each
test. Dates are planned for ``TODAY``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from npc_crf.auth.roles import Role
from npc_crf.core.errors import AuthError, UsageError
from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.expr.values import PartialDate
from npc_crf.forms.model import Study
from npc_crf.oncology.schedule import STUDY_POLICIES, VisitState
from npc_crf.services.casebook import FormStatus
from npc_crf.services.settings import LIMITS
from npc_crf.services.site import Site
from npc_crf.services.status import CLINICAL_ACTIONS
from npc_crf.services.subjects import SubjectStatus
from npc_crf.services.worklist import (
    STUDY_PROFILES,
    CellState,
    WorkItem,
    WorkKind,
    age_range,
    derive_profile,
)
from npc_crf.services.workspace import Workspace
from npc_crf.store.keyfile import TEST_COST
from npc_crf.store.models import outbound_bundle, sync_center
from tests.store_helpers import (
    ADMIN,
    FULL_NAMES,
    NURSE,
    PASSWORDS,
    TEMPORARY_PASSWORD,
    SiteTemplate,
    StoreSite,
    audit_actions,
    enrol_consented,
    mh_row,
    mh_values,
    populated_template,
)

TODAY = dt.date(2026, 3, 1)
CONSENT = dt.date(2026, 1, 5)  # IC_VALUES' ICDAT

EX_GIVEN: dict[str, object] = {
    "EXYN": "yes",
    "EXSTTIM": "11:20",
    "EXENTIM": "12:11",
    "EXDOSE": "200.0",
    "EXDLY": "no",
    "EXINTR": "no",
    "EXDISC": "no",
}
SCR_FORMS = ("IC", "DM", "NPCH", "PRIOR", "MH", "ELIG")
BASE_FORMS = ("VS", "PS", "HEM", "CHEM", "THY", "EBV", "TA")
CYCLE_FORMS = ("VS", "PS", "HEM", "CHEM", "THY", "EX")


def _populate(ws: Workspace) -> dict[str, str]:
    """The three subjects; returns name -> subject ID."""
    screening = enrol_consented(ws)
    ws.casebook.save_form(screening, "SCR", 1, "DM", {"BRTHDAT": "1970-05-20", "SEX": "F"})

    treated = enrol_consented(ws)
    ws.casebook.save_form(treated, "SCR", 1, "DM", {"BRTHDAT": "1970-05-20", "SEX": "F"})
    ws.subjects.set_status(treated, SubjectStatus.ENROLLED, on=dt.date(2026, 1, 8))
    ws.subjects.set_status(treated, SubjectStatus.ON_TREATMENT, on=dt.date(2026, 1, 10))
    ws.casebook.save_form(treated, "BASE", 1, "VS", {"VSDAT": "2026-01-06"})
    first = ws.casebook.save_form(
        treated,
        "CYCLE",
        1,
        "EX",
        {**EX_GIVEN, "EXCYCLE": 1, "EXSTDAT": "2026-01-10"},
        complete=True,
    )
    second = ws.casebook.save_form(
        treated,
        "CYCLE",
        2,
        "EX",
        {**EX_GIVEN, "EXCYCLE": 2, "EXSTDAT": "2026-01-25"},  # 15 days: a soft warning
        overrides={"EXSTDAT": "Brought forward for travel, agreed with the investigator"},
        complete=True,
    )
    assert first.status is FormStatus.COMPLETE
    assert second.status is FormStatus.COMPLETE
    ws.casebook.save_form(treated, "AEV", 1, "AE", {"AESER": "yes", "AETERM": FATIGUE})
    ws.casebook.save_form(treated, "AEV", 2, "AE", {"AESER": "no", "AEOUT": "RECOVERED"})

    failed = enrol_consented(ws)
    ws.subjects.set_status(failed, SubjectStatus.SCREEN_FAILURE, reason="Not eligible")
    return {"screening": screening, "treated": treated, "failed": failed}


@dataclass(frozen=True)
class Populated:
    template: SiteTemplate
    ids: dict[str, str]


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Populated:
    base = tmp_path_factory.mktemp("worklist")
    return Populated(*populated_template(base, _populate))


@pytest.fixture
def env(populated: Populated, tmp_path: Path) -> Iterator[StoreSite]:
    store = populated.template.copy(tmp_path / "site")
    yield store
    store.close()


@pytest.fixture
def ws(env: StoreSite) -> Workspace:
    return env.login(NURSE)


@pytest.fixture
def ids(populated: Populated) -> dict[str, str]:
    return populated.ids


# ------------------------------------------------------------------------------ Subjects table

SUMMARIES: dict[str, dict[str, Any]] = {
    "screening": {
        "status": SubjectStatus.SCREENING,
        "enrolled_on": None,
        "current_cycle": None,
        "next_visit": ("BASE", 1, dt.date(2026, 1, 5), VisitState.OVERDUE),
        "sae": False,
    },
    "treated": {
        "status": SubjectStatus.ON_TREATMENT,
        "enrolled_on": CONSENT,
        "current_cycle": 2,
        # cycle 2 on 25 Jan + 21 days; before the first assessment (10 Jan + 42 = 21 Feb)
        "next_visit": ("CYCLE", 3, dt.date(2026, 2, 15), VisitState.OVERDUE),
        "sae": True,
    },
    "failed": {
        "status": SubjectStatus.SCREEN_FAILURE,
        "enrolled_on": None,
        "current_cycle": None,
        "next_visit": None,
        "sae": False,
    },
}


def test_subjects_table(ws: Workspace, ids: dict[str, str]) -> None:
    rows = ws.worklist.subjects(TODAY)
    assert [r.subject_id for r in rows] == sorted(ids.values())
    by_id = {r.subject_id: r for r in rows}
    for name, expected in SUMMARIES.items():
        row = by_id[ids[name]]
        visit = row.next_visit
        got = {
            "status": row.status,
            "enrolled_on": row.enrolled_on,
            "current_cycle": row.current_cycle,
            "next_visit": (visit.event_oid, visit.occurrence, visit.due, visit.state)
            if visit
            else None,
            "sae": row.sae,
        }
        assert got == expected, name
        assert row.open_queries == 0


def test_subjects_table_follows_saves(ws: Workspace, ids: dict[str, str]) -> None:
    """Rows read once are brought up to date after a save and a status change."""
    before = {r.subject_id: r for r in ws.worklist.subjects(TODAY)}
    assert before[ids["treated"]].current_cycle == 2
    ws.casebook.save_form(
        ids["treated"],
        "CYCLE",
        3,
        "EX",
        {**EX_GIVEN, "EXCYCLE": 3, "EXSTDAT": "2026-02-15"},
        complete=True,
    )
    ws.subjects.set_status(ids["screening"], SubjectStatus.ENROLLED, on=dt.date(2026, 2, 1))
    after = {r.subject_id: r for r in ws.worklist.subjects(TODAY)}
    treated = after[ids["treated"]]
    assert treated.current_cycle == 3
    assert treated.next_visit is not None
    assert (treated.next_visit.event_oid, treated.next_visit.due) == ("TAV", dt.date(2026, 2, 21))
    assert after[ids["screening"]].status is SubjectStatus.ENROLLED
    assert after[ids["screening"]].enrolled_on == CONSENT
    assert after[ids["failed"]] == before[ids["failed"]]


def test_subjects_table_after_many_changes(ws: Workspace) -> None:
    """More new subjects than are re-read one by one: everything is read again."""
    ws.worklist.subjects(TODAY)
    added = [ws.subjects.enrol(screening_date=dt.date(2026, 2, 1)) for _ in range(25)]
    rows = {r.subject_id: r for r in ws.worklist.subjects(TODAY)}
    assert set(added) <= set(rows)
    assert all(rows[s].status is SubjectStatus.SCREENING for s in added)


# ------------------------------------------------------------------------------ worklist

Row = tuple[WorkKind, str, int | None, str | None, str | None, dt.date | None, int | None]


def _forms(
    kind: WorkKind, event: str, occ: int, forms: tuple[str, ...], due: dt.date | None
) -> set[Row]:
    return {(kind, event, occ, form, None, due, None) for form in forms}


FATIGUE = "10016256"  # the CTCAE v5.0 term's MedDRA code
NOT_STARTED, INCOMPLETE = WorkKind.FORM_NOT_STARTED, WorkKind.FORM_INCOMPLETE
EXPECTED_ITEMS: dict[str, set[Row]] = {
    "screening": {
        (WorkKind.OVERDUE_VISIT, "BASE", 1, None, None, CONSENT, 55),
        *_forms(NOT_STARTED, "SCR", 1, ("NPCH", "PRIOR", "MH", "ELIG"), CONSENT),
        *_forms(INCOMPLETE, "SCR", 1, ("DM",), CONSENT),
    },
    "treated": {
        (WorkKind.OVERDUE_VISIT, "CYCLE", 3, None, None, dt.date(2026, 2, 15), 14),
        (WorkKind.OVERDUE_VISIT, "TAV", 1, None, None, dt.date(2026, 2, 21), 8),
        *_forms(NOT_STARTED, "SCR", 1, ("NPCH", "PRIOR", "MH", "ELIG"), CONSENT),
        *_forms(INCOMPLETE, "SCR", 1, ("DM",), CONSENT),
        *_forms(NOT_STARTED, "BASE", 1, BASE_FORMS[1:], CONSENT),
        *_forms(INCOMPLETE, "BASE", 1, ("VS",), CONSENT),
        *_forms(NOT_STARTED, "CYCLE", 1, CYCLE_FORMS[:-1], None),
        *_forms(NOT_STARTED, "CYCLE", 2, CYCLE_FORMS[:-1], dt.date(2026, 1, 31)),
        *_forms(INCOMPLETE, "AEV", 1, ("AE",), None),
        *_forms(INCOMPLETE, "AEV", 2, ("AE",), None),
        (WorkKind.AE_WITHOUT_OUTCOME, "AEV", 1, "AE", "AEOUT", None, None),
        # serious, but the date the site became aware is not entered: no clock yet
        (WorkKind.SAE_REPORT, "AEV", 1, "AE", "AEAWDAT", None, None),
        # cycle 2 on 25 Jan: due 31 Jan, window 28 Jan - 3 Feb, 3 days early
        (WorkKind.VISIT_OUT_OF_WINDOW, "CYCLE", 2, None, None, dt.date(2026, 1, 31), 3),
    },
    "failed": _forms(NOT_STARTED, "SCR", 1, SCR_FORMS[1:], CONSENT),
}


def _row(item: WorkItem) -> Row:
    return (
        item.kind,
        item.event_oid or "",
        item.occurrence,
        item.form_oid,
        item.item_path,
        item.due,
        item.days,
    )


def test_worklist_items(ws: Workspace, ids: dict[str, str]) -> None:
    items = ws.worklist.items(TODAY)
    for name, expected in EXPECTED_ITEMS.items():
        got = [_row(i) for i in items if i.subject_id == ids[name]]
        assert len(got) == len(set(got)), f"{name}: an item is listed twice"
        assert set(got) == expected, name


def test_an_adverse_event_without_outcome_carries_its_term(
    ws: Workspace, ids: dict[str, str]
) -> None:
    [item] = [
        i
        for i in ws.worklist.items(TODAY)
        if i.kind is WorkKind.AE_WITHOUT_OUTCOME and i.subject_id == ids["treated"]
    ]
    assert item.term == FATIGUE


def test_worklist_order_reports_then_overdue_then_by_date(ws: Workspace) -> None:
    items = ws.worklist.items(TODAY)
    reports = {WorkKind.SAE_REPORT, WorkKind.SUSAR_REPORT, WorkKind.SUSAR_FOLLOWUP}
    ranks = [
        0 if i.kind in reports else 1 if i.kind is WorkKind.OVERDUE_VISIT else 2 for i in items
    ]
    assert ranks == sorted(ranks)
    assert set(ranks) == {0, 1, 2}
    overdue = [i.due for i in items if i.kind is WorkKind.OVERDUE_VISIT]
    rest = [i.due for i in items if i.kind is not WorkKind.OVERDUE_VISIT and i.kind not in reports]
    assert overdue == sorted(d for d in overdue if d)
    dated = [d for d in rest if d is not None]
    assert rest[: len(dated)] == sorted(dated)


@pytest.mark.parametrize(
    ("today", "upcoming_days", "expected"),
    [
        # cycle 3 is due on 15 Feb, window 12-18 Feb; the first assessment 21 Feb (14-28 Feb)
        (dt.date(2026, 2, 1), 14, {("CYCLE", -14), ("TAV", -20)}),
        (dt.date(2026, 2, 1), 12, {("CYCLE", -14)}),
        (dt.date(2026, 2, 1), 10, set()),
        (dt.date(2026, 2, 5), 14, {("CYCLE", -10), ("TAV", -16)}),
        (dt.date(2026, 2, 13), 0, {("CYCLE", -2)}),
        (dt.date(2026, 2, 18), 14, {("CYCLE", 3), ("TAV", -3)}),
    ],
)
def test_upcoming_visits(
    ws: Workspace,
    ids: dict[str, str],
    today: dt.date,
    upcoming_days: int,
    expected: set[tuple[str, int]],
) -> None:
    items = ws.worklist.items(today, upcoming_days=upcoming_days)
    got = {
        (i.event_oid, i.days)
        for i in items
        if i.subject_id == ids["treated"] and i.kind is WorkKind.UPCOMING_VISIT
    }
    assert got == expected


# ------------------------------------------------------------------------------ header


def test_header(ws: Workspace, ids: dict[str, str]) -> None:
    header = ws.worklist.header(ids["treated"], TODAY)
    assert header.subject_id == ids["treated"]
    assert (header.age, header.age_max, header.age_note, header.age_on) == (55, None, None, CONSENT)
    assert (header.sex_code, header.sex_en, header.sex_zh) == ("F", "Female", "女")
    assert header.study_oid == ws.study.oid
    assert (header.study_name_en, header.study_name_zh) == (ws.study.name.en, ws.study.name.zh)
    assert header.status is SubjectStatus.ON_TREATMENT
    assert header.enrolled_on == CONSENT
    assert header.first_dose == dt.date(2026, 1, 10)
    assert header.day_on_study == 51  # 10 Jan is day 1


def test_header_before_treatment(ws: Workspace, ids: dict[str, str]) -> None:
    header = ws.worklist.header(ids["failed"], TODAY)
    assert (header.age, header.sex_code, header.sex_en) == (None, None, None)
    assert (header.first_dose, header.day_on_study, header.enrolled_on) == (None, None, None)
    assert header.status is SubjectStatus.SCREEN_FAILURE


def test_unknown_subject(ws: Workspace) -> None:
    with pytest.raises(UsageError, match="S01-01-9999"):
        ws.worklist.header("S01-01-9999", TODAY)
    with pytest.raises(UsageError, match="S01-01-9999"):
        ws.worklist.grid("S01-01-9999", TODAY)


@pytest.mark.parametrize(
    ("birth", "on", "ages"),
    [
        (dt.date(1970, 5, 20), CONSENT, (55, 55)),
        (dt.date(1970, 1, 5), CONSENT, (56, 56)),  # the birthday itself counts
        (dt.date(1970, 1, 6), CONSENT, (55, 55)),
        (PartialDate(1970), CONSENT, (55, 56)),  # year only: two possible ages
        (PartialDate(1970, 5), CONSENT, (55, 55)),
        (PartialDate(1970, 1), CONSENT, (55, 56)),  # born in the consent's month
        (PartialDate(2026), CONSENT, (0, 0)),
        (dt.date(2027, 1, 1), CONSENT, None),  # not born yet: bad data, no age
        (None, CONSENT, None),
        (Missing("UNK"), CONSENT, None),
    ],
)
def test_age_range(birth: object, on: dt.date, ages: tuple[int, int] | None) -> None:
    assert age_range(birth, on) == ages


# ------------------------------------------------------------------------------ grid


def test_grid(ws: Workspace, ids: dict[str, str]) -> None:
    grid = ws.worklist.grid(ids["treated"], TODAY)
    assert grid.subject_id == ids["treated"]
    columns = {(c.event_oid, c.occurrence): c for c in grid.columns}
    order = {e.oid: n for n, e in enumerate(ws.study.events)}
    keys = [(order[c.event_oid], c.occurrence) for c in grid.columns]
    assert keys == sorted(keys)
    expected_columns = {
        # existing occurrences, next expected ones and "new" slots (exists=False)
        ("SCR", 1): (True, VisitState.DONE),
        ("BASE", 1): (True, VisitState.DONE),
        ("CYCLE", 1): (True, VisitState.DONE),
        ("CYCLE", 2): (True, VisitState.DONE),
        ("CYCLE", 3): (False, VisitState.OVERDUE),
        ("TAV", 1): (False, VisitState.OVERDUE),
        ("EOTV", 1): (False, VisitState.UNPLANNED),
        ("SFUV", 1): (False, VisitState.UNPLANNED),
        ("SURVV", 1): (False, VisitState.UNPLANNED),
        ("UNS", 1): (False, None),
        ("RTV", 1): (False, None),
        ("AEV", 1): (True, None),
        ("AEV", 2): (True, None),
        ("AEV", 3): (False, None),
        ("CMV", 1): (False, None),
        ("DTHV", 1): (False, None),
        ("DEV", 1): (False, None),
    }
    got = {k: (c.exists, c.visit.state if c.visit else None) for k, c in columns.items()}
    assert got == expected_columns
    for column in grid.columns:
        event = ws.study.event(column.event_oid)
        assert event is not None
        assert list(column.cells) == list(event.forms)
        if not column.exists:
            assert {c.state for c in column.cells.values()} == {CellState.NOT_STARTED}
    cells = {
        ("SCR", 1, "IC"): (CellState.COMPLETE, False),
        ("SCR", 1, "DM"): (CellState.IN_PROGRESS, True),  # required items may be missing
        ("SCR", 1, "NPCH"): (CellState.NOT_STARTED, False),
        ("CYCLE", 1, "EX"): (CellState.COMPLETE, False),
        ("CYCLE", 2, "EX"): (CellState.COMPLETE, True),  # a soft warning kept with a reason
        ("CYCLE", 2, "VS"): (CellState.NOT_STARTED, False),
        ("AEV", 1, "AE"): (CellState.IN_PROGRESS, True),
    }
    for (event_oid, occ, form), (state, warned) in cells.items():
        cell = columns[(event_oid, occ)].cells[form]
        assert (cell.state, cell.has_warnings, cell.open_queries) == (state, warned, 0), form
    assert grid.form_order[: len(SCR_FORMS)] == list(SCR_FORMS)
    assert grid.form_order[len(SCR_FORMS) : len(SCR_FORMS) + len(BASE_FORMS)] == list(BASE_FORMS)
    assert sorted(grid.form_order) == sorted(ws.study.forms)


def test_grid_of_a_screen_failure_expects_no_new_visit(ws: Workspace, ids: dict[str, str]) -> None:
    grid = ws.worklist.grid(ids["failed"], TODAY)
    keys = {(c.event_oid, c.occurrence) for c in grid.columns}
    assert ("SCR", 1) in keys
    assert ("UNS", 1) in keys  # a "new" slot is always there
    assert ("EOTV", 1) in keys  # so is every event that happens once
    assert not any(event in ("CYCLE", "TAV", "SURVV") for event, _ in keys)


def test_grid_warnings_agree_with_form_sessions(ws: Workspace, ids: dict[str, str]) -> None:
    """For complete forms the stored overrides give what evaluating each form gives."""
    grid = ws.worklist.grid(ids["treated"], TODAY)
    exact = ws.worklist.session_warnings(ids["treated"], TODAY)
    for column in grid.columns:
        for form_oid, cell in column.cells.items():
            if cell.state is CellState.COMPLETE:
                key = (column.event_oid, column.occurrence, form_oid)
                assert cell.has_warnings == exact[key], key


def test_signed_and_locked_forms_show_in_the_grid(env: StoreSite, ids: dict[str, str]) -> None:
    admin = env.login(ADMIN)
    admin.casebook.set_locked(ids["treated"], "CYCLE", 1, "EX", True, "database lock for analysis")
    nurse = env.login(NURSE)
    grid = nurse.worklist.grid(ids["treated"], TODAY)
    column = next(c for c in grid.columns if (c.event_oid, c.occurrence) == ("CYCLE", 1))
    assert column.cells["EX"].state is CellState.LOCKED


# ------------------------------------------------------------------------------ permissions


@pytest.mark.parametrize(
    "call",
    [
        lambda ws, sid: ws.worklist.subjects(TODAY),
        lambda ws, sid: ws.worklist.items(TODAY),
        lambda ws, sid: ws.worklist.header(sid, TODAY),
        lambda ws, sid: ws.worklist.grid(sid, TODAY),
        lambda ws, sid: ws.status.summary(),
    ],
)
def test_an_ended_session_reads_nothing(ws: Workspace, ids: dict[str, str], call: Any) -> None:
    ws.logout()
    with pytest.raises(AuthError):
        call(ws, ids["treated"])


# ------------------------------------------------------------------------------ per study


@pytest.mark.parametrize("study_oid", sorted(STUDY_PROFILES))
def test_study_profiles_name_what_the_study_has(studies: dict[str, Study], study_oid: str) -> None:
    study = next(s for s in studies.values() if s.oid == study_oid)
    profile = STUDY_PROFILES[study_oid]
    for at in (*profile.enrolment_date, profile.birth_date, profile.sex):
        assert at is not None
        event = study.event(at.event)
        assert event is not None and at.form in event.forms
        assert study.forms[at.form].item(at.item) is not None
    assert profile.cycle_event is not None and study.event(profile.cycle_event) is not None
    assert profile.first_dose_anchor in study.anchors
    assert profile.ae_form is not None
    for item in (profile.ae_serious_item, profile.ae_outcome_item):
        assert item is not None and study.forms[profile.ae_form].item(item) is not None
    policy = STUDY_POLICIES[study_oid]
    assert policy.treatment_end_anchor is None or policy.treatment_end_anchor in study.anchors
    assert all(study.event(e) is not None for e in policy.treatment_events)


def test_profile_derived_from_cdash_names(studies: dict[str, Study]) -> None:
    study = next(s for s in studies.values() if s.oid == "NPC-SINT-RT")
    assert derive_profile(study) == STUDY_PROFILES["NPC-SINT-RT"]


# ------------------------------------------------------------------------------ another study

SCHED_STUDY = Path(__file__).resolve().parent / "fixtures" / "schedule" / "study"
SCHED_TODAY = dt.date(2024, 6, 1)


@pytest.fixture(scope="module")
def other_study(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, str]]:
    """A site of the schedule fixture study (not in the profile table: derived from OIDs)."""
    root = tmp_path_factory.mktemp("other") / "site"
    site, _recovery = Site.init(
        root,
        site_id="S02",
        study_oid="SCHED-TEST",
        admin=ADMIN,
        admin_name=FULL_NAMES[ADMIN],
        password=PASSWORDS[ADMIN],
        cost=TEST_COST,
        forms_dir=SCHED_STUDY,
    )
    admin = site.login(ADMIN, PASSWORDS[ADMIN])
    admin.users.add(NURSE, FULL_NAMES[NURSE], Role.CRC, TEMPORARY_PASSWORD)
    admin.logout()
    first = site.login(NURSE, TEMPORARY_PASSWORD)
    first.users.change_password(TEMPORARY_PASSWORD, PASSWORDS[NURSE])
    first.logout()
    ws = site.login(NURSE, PASSWORDS[NURSE])
    sid = ws.subjects.enrol(screening_date=dt.date(2024, 1, 2))
    saves: list[tuple[str, int, str, dict[str, object]]] = [
        ("SCR", 1, "IC", {"ICDAT": "2024-01-02"}),
        ("SCR", 1, "DM", {"BRTHDAT": "1970", "SEX": "M"}),  # year of birth only
        ("CYCLE", 1, "EX", {"EXYN": "yes", "EXDAT": "2024-01-10"}),
        ("RTV", 1, "RT", {"RTC": [{"RTENDAT": "2024-03-01"}, {"RTENDAT": "2024-03-20"}]}),
        ("AEV", 1, "AE", {"AESER": "yes"}),
    ]
    for event, occurrence, form, values in saves:
        ws.casebook.save_form(sid, event, occurrence, form, values)
    ws.subjects.set_status(sid, SubjectStatus.ENROLLED, on=dt.date(2024, 1, 8))
    ws.subjects.set_status(sid, SubjectStatus.ON_TREATMENT, on=dt.date(2024, 1, 10))
    yield ws, sid
    site.close()


def test_another_study_header(other_study: tuple[Workspace, str]) -> None:
    ws, sid = other_study
    header = ws.worklist.header(sid, SCHED_TODAY)
    assert header.study_oid == "SCHED-TEST"
    # born some day in 1970, consent on 2 Jan 2024: 53 or 54
    assert (header.age, header.age_max, header.age_on) == (53, 54, dt.date(2024, 1, 2))
    assert header.age_note is not None and "53-54" in header.age_note
    assert (header.sex_code, header.sex_en, header.sex_zh) == ("M", "Male", "男")
    assert header.enrolled_on == dt.date(2024, 1, 2)
    assert header.first_dose == dt.date(2024, 1, 10)
    assert header.day_on_study == 144  # 10 Jan 2024 is day 1


def test_another_study_worklist(other_study: tuple[Workspace, str]) -> None:
    ws, sid = other_study
    (row,) = ws.worklist.subjects(SCHED_TODAY)
    assert (row.current_cycle, row.sae) == (1, True)
    items = ws.worklist.items(SCHED_TODAY)
    assert (WorkKind.AE_WITHOUT_OUTCOME, "AEV", 1, "AE", "AEOUT", None, None) in {
        _row(i) for i in items
    }
    grid = ws.worklist.grid(sid, SCHED_TODAY)
    column = next(c for c in grid.columns if c.event_oid == "RTFU")
    # the anchor is the latest end of radiotherapy, read from the group's rows: 20 Mar + 90
    assert column.visit is not None
    assert (column.exists, column.visit.due) == (False, dt.date(2024, 6, 18))


# ------------------------------------------------------------------------------ status bar


def _clinical_since(ws: Workspace, seq: int = 0) -> int:
    return sum(1 for action in audit_actions(ws, since=seq) if action in CLINICAL_ACTIONS)


def _first_clinical_at(ws: Workspace) -> dt.datetime:
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT action, at_utc FROM audit_entry ORDER BY seq").all()
    return dt.datetime.fromisoformat(next(at for action, at in rows if action in CLINICAL_ACTIONS))


def _head(ws: Workspace) -> int:
    with ws.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT max(seq) FROM audit_entry").scalar_one())


def _acknowledged(ws: Workspace, made_at: dt.datetime, audit_to: int) -> None:
    """A bundle the coordinating center acknowledged: made at ``made_at``, carrying the audit
    trail up to ``audit_to`` (docs/sync.md: only an acknowledgement counts as synchronised)."""
    with ws.tx() as tx:
        tx.conn.execute(
            insert(sync_center).values(
                center_id="CC",
                study_oid=ws.study.oid,
                ed25519=bytes(32),
                x25519=bytes(32),
                fingerprint="0" * 40,
                trusted_at="2026-01-01T00:00:00+00:00",
                trusted_by="admin",
                active=True,
            )
        )
        tx.conn.execute(
            insert(outbound_bundle).values(
                uid="9d1c4f8e-0000-4000-8000-000000000001",
                center_id="CC",
                sequence=1,
                file_name="bundle.npcb",
                manifest_sha256="0" * 64,
                previous_sha256="0" * 64,
                full=True,
                audit_from=0,
                audit_to=audit_to,
                query_from=0,
                query_to=0,
                counts=json.dumps({}),
                bytes=1,
                created_at=made_at.isoformat(),
                created_by="nurse",
                status="acknowledged",
                acked_at=made_at.isoformat(),
            )
        )


def test_status_summary(ws: Workspace) -> None:
    summary = ws.status.summary()
    assert (summary.username, summary.full_name, summary.role.value) == (
        NURSE,
        FULL_NAMES[NURSE],
        "CRC",
    )
    assert (summary.site_id, summary.installation_number) == ("S01", 1)
    assert summary.installation_id == ws.installation_id
    assert summary.installation_short == ws.installation_id[:8]
    assert summary.study_oid == ws.study.oid
    assert (summary.last_sync_at, summary.days_since_sync) == (None, None)
    assert summary.unsent_changes == _clinical_since(ws) > 0
    assert summary.unsent_changes < len(audit_actions(ws))  # logins and the like are not changes


def test_unsent_changes_grow_with_each_save(ws: Workspace, ids: dict[str, str]) -> None:
    before = ws.status.summary().unsent_changes
    head = _head(ws)
    ws.casebook.save_form(ids["screening"], "SCR", 1, "MH", mh_values(mh_row("Hypertension")))
    added = _clinical_since(ws, head)
    assert added > 0
    assert ws.status.summary().unsent_changes == before + added


@pytest.mark.parametrize(
    ("days_after_first_change", "warn_days", "warn"),
    [
        (6, None, False),
        (8, None, True),  # default: more than 7 days
        (8, 30, False),
        (31, 30, True),
    ],
)
def test_warning_when_never_sent(
    env: StoreSite,
    ws: Workspace,
    days_after_first_change: int,
    warn_days: int | None,
    warn: bool,
) -> None:
    if warn_days is not None:
        admin = env.login(ADMIN)
        admin.settings.set("sync_warn_days", warn_days, "SOP 12: weekly transfer")
    now = _first_clinical_at(ws) + dt.timedelta(days=days_after_first_change)
    assert ws.status.summary(now).warn is warn


@pytest.mark.parametrize(
    ("days_since_sync", "all_sent", "warn"),
    [
        (10, False, True),
        (2, False, False),
        (10, True, False),  # nothing waiting: no warning however long ago
    ],
)
def test_warning_after_a_sync(
    ws: Workspace, days_since_sync: int, all_sent: bool, warn: bool
) -> None:
    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    last = now - dt.timedelta(days=days_since_sync)
    _acknowledged(ws, last, _head(ws) if all_sent else 0)
    summary = ws.status.summary(now)
    assert summary.last_sync_at == last
    assert summary.days_since_sync == days_since_sync
    assert (summary.unsent_changes == 0) is all_sent
    assert summary.warn is warn


def test_sync_warn_days_setting(env: StoreSite) -> None:
    admin = env.login(ADMIN)
    assert LIMITS["sync_warn_days"] == (1, 90)
    assert admin.settings.all()["sync_warn_days"] == 7
    with pytest.raises(UsageError, match="sync_warn_days"):
        admin.settings.set("sync_warn_days", 91, "too long")
    admin.settings.set("sync_warn_days", 14, "fortnightly transfer")
    assert admin.settings.all()["sync_warn_days"] == 14
