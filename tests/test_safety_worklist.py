"""The safety work on the worklist (docs/safety.md §7), through the services with stored forms.

One NPC-SINT-RT site is built once per module and copied for each test. Every
subject consented on 5 Jan 2026 (``IC_VALUES``) and got sintilimab on 10 Jan; the
worklist is judged on :data:`TODAY`. A second site carries out demo subjects and
checks that the bulk reading gives the engine what it needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from npc_crf.demo import carry_out, plan_subjects
from npc_crf.oncology.safety import assess_subject, lab_findings
from npc_crf.oncology.schedule import plan_subject
from npc_crf.services.subjects import SubjectStatus
from npc_crf.services.worklist import WorkItem, WorkKind
from npc_crf.services.worklist.safety_items import lab_items, safety_items, visit_items
from npc_crf.services.workspace import Workspace
from tests.store_helpers import (
    DOCTOR,
    NURSE,
    PASSWORDS,
    SiteTemplate,
    StoreSite,
    enrol_consented,
    make_site,
    populated_template,
)

TODAY = dt.date(2026, 3, 20)
SAFETY_KINDS = {
    WorkKind.SAE_REPORT,
    WorkKind.SUSAR_REPORT,
    WorkKind.SUSAR_FOLLOWUP,
    WorkKind.AE_OUTSIDE_WINDOW,
    WorkKind.AE_FOLLOWUP_MISSING,
    WorkKind.VISIT_OUT_OF_WINDOW,
    WorkKind.LAB_WITHOUT_AE,
}
ALT_UP = "10001551"
FATIGUE = "10016256"
PNEUMONITIS = "10035742"


def _dose(ws: Workspace, sid: str, cycle: int, given: str) -> None:
    values = {"EXCYCLE": cycle, "EXYN": "yes", "EXSTDAT": given, "EXDOSE": "200.0"}
    ws.casebook.save_form(sid, "CYCLE", cycle, "EX", values)


def _on_treatment(ws: Workspace, *doses: str) -> str:
    sid = enrol_consented(ws)
    ws.subjects.set_status(sid, SubjectStatus.ENROLLED, on=dt.date(2026, 1, 8))
    ws.subjects.set_status(sid, SubjectStatus.ON_TREATMENT, on=dt.date(2026, 1, 10))
    for n, given in enumerate(doses, start=1):
        _dose(ws, sid, n, given)
    return sid


def _at(ws: Workspace, moment: dt.datetime) -> None:
    """Make the workspace's clock (the forms' last-save time) read ``moment``."""
    ws.now = lambda: moment  # type: ignore[method-assign]


SERIOUS: dict[str, object] = {
    "AETERM": PNEUMONITIS,
    "AETOXGR": 4,
    "AESTDAT": "2026-03-10",
    "AEONGO": "yes",
    "AESER": "yes",
    "AESERCR": ["LIFE_THREAT", "HOSP"],
    "AESDAT": "2026-03-10",
    "AEAWDAT": "2026-03-11",
    "AERELSIN": "PROBABLE",
    "AERELRT": "NOT_RELATED",
}


def _populate(ws: Workspace) -> dict[str, str]:
    ids: dict[str, str] = {}
    # an SAE the site knew of on 11 March and has not reported: due 12 March
    ids["sae"] = _on_treatment(ws, "2026-01-10", "2026-01-31")
    ws.casebook.save_form(ids["sae"], "AEV", 1, "AE", SERIOUS)
    # a life-threatening SUSAR reported to the sponsor on 12 March (day 0)
    ids["susar"] = _on_treatment(ws, "2026-01-10", "2026-01-31")
    ws.casebook.save_form(
        ids["susar"],
        "AEV",
        1,
        "AE",
        {**SERIOUS, "AERPTDAT": "2026-03-12", "AEEXPECT": "no", "AEIRAE": "yes"},
    )
    # an AE that started before the first dose; cycle 2 given 5 days late
    ids["before"] = _on_treatment(ws, "2026-01-10", "2026-02-08")
    ws.casebook.save_form(
        ids["before"], "AEV", 1, "AE", {"AETERM": FATIGUE, "AETOXGR": 1, "AESTDAT": "2026-01-08"}
    )
    # ALT 1.25 x ULN at cycle 2 with no AE; 5 Jan baseline normal
    ids["lab"] = _on_treatment(ws, "2026-01-10", "2026-01-31")
    ws.casebook.save_form(ids["lab"], "BASE", 1, "CHEM", {"LBDAT": "2026-01-06", "ALT": 30})
    ws.casebook.save_form(ids["lab"], "CYCLE", 2, "CHEM", {"LBDAT": "2026-01-31", "ALT": 50})
    # treatment ended 31 Jan (window to 2 March); an AE ongoing, last saved in February
    ids["followup"] = _on_treatment(ws, "2026-01-10", "2026-01-31")
    ws.casebook.save_form(
        ids["followup"],
        "EOTV",
        1,
        "EOT",
        {"EOTDAT": "2026-02-05", "EOTLDDAT": "2026-01-31", "EOTRTYN": "no"},
    )
    now = ws.now
    _at(ws, dt.datetime(2026, 2, 15, 9, 0, tzinfo=dt.UTC))
    ws.casebook.save_form(
        ids["followup"],
        "AEV",
        1,
        "AE",
        {"AETERM": FATIGUE, "AETOXGR": 1, "AESTDAT": "2026-02-01", "AEONGO": "yes"},
    )
    ws.now = now  # type: ignore[method-assign]
    return ids


@dataclass(frozen=True)
class Populated:
    template: SiteTemplate
    ids: dict[str, str]


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Populated:
    base = tmp_path_factory.mktemp("safety")
    return Populated(*populated_template(base, _populate))


@pytest.fixture
def env(populated: Populated, tmp_path: Path) -> Iterator[StoreSite]:
    store = populated.template.copy(tmp_path / "site")
    yield store
    store.close()


@pytest.fixture
def ws(env: StoreSite) -> Workspace:
    return env.login(NURSE)


Row = tuple[WorkKind, str, int | None, str | None, str | None, dt.date | None, int | None, Any]


def _safety_rows(items: list[WorkItem], subject_id: str) -> set[Row]:
    return {
        (i.kind, i.event_oid or "", i.occurrence, i.form_oid, i.item_path, i.due, i.days, i.detail)
        for i in items
        if i.subject_id == subject_id and i.kind in SAFETY_KINDS
    }


D = dt.date.fromisoformat

EXPECTED: dict[str, set[Row]] = {
    "sae": {
        # aware 11 March + 24 h: due 12 March, 8 days overdue on 20 March
        (WorkKind.SAE_REPORT, "AEV", 1, "AE", "AERPTDAT", D("2026-03-12"), 8, "overdue"),
    },
    "susar": {
        # day 0 = 12 March: the initial report by day 7, the follow-up by day 15
        (WorkKind.SUSAR_REPORT, "AEV", 1, "AE", "AESUSDAT", D("2026-03-19"), 1, "overdue"),
        (WorkKind.SUSAR_FOLLOWUP, "AEV", 1, "AE", "AESUSFDAT", D("2026-03-27"), -7, "running"),
    },
    "before": {
        (WorkKind.AE_OUTSIDE_WINDOW, "AEV", 1, "AE", "AESTDAT", None, 2, "before_first_dose"),
        # cycle 2 due 31 Jan, window 28 Jan - 3 Feb: given 8 Feb
        (WorkKind.VISIT_OUT_OF_WINDOW, "CYCLE", 2, None, None, D("2026-01-31"), 5, "late"),
    },
    "lab": {
        (WorkKind.LAB_WITHOUT_AE, "CYCLE", 2, "CHEM", "ALT", D("2026-01-31"), None, "1"),
    },
    "followup": {
        # ongoing when the window closed on 2 March, last saved 15 Feb
        (WorkKind.AE_FOLLOWUP_MISSING, "AEV", 1, "AE", "AEONGO", D("2026-03-02"), 18,
         "window_closed"),
    },
}  # fmt: skip


def test_safety_work_items(ws: Workspace, populated: Populated) -> None:
    items = ws.worklist.items(TODAY)
    for name, expected in EXPECTED.items():
        assert _safety_rows(items, populated.ids[name]) == expected, name


def test_reports_come_first(ws: Workspace) -> None:
    items = ws.worklist.items(TODAY)
    reports = [
        n
        for n, i in enumerate(items)
        if i.kind in (WorkKind.SAE_REPORT, WorkKind.SUSAR_REPORT, WorkKind.SUSAR_FOLLOWUP)
    ]
    assert reports == list(range(len(reports))) and reports


def test_reporting_stops_the_clock(ws: Workspace, populated: Populated) -> None:
    """Once the report date is entered, the SAE is no longer work; the SUSAR clock starts."""
    sid = populated.ids["sae"]
    ws.casebook.save_form(sid, "AEV", 1, "AE", {"AERPTDAT": "2026-03-13", "AEEXPECT": "yes"})
    assert _safety_rows(ws.worklist.items(TODAY), sid) == set()
    ws.casebook.save_form(sid, "AEV", 1, "AE", {"AEEXPECT": "no"})  # now a SUSAR
    kinds = {row[0] for row in _safety_rows(ws.worklist.items(TODAY), sid)}
    assert kinds == {WorkKind.SUSAR_REPORT, WorkKind.SUSAR_FOLLOWUP}


def test_an_ae_entered_before_its_window_closed_is_followed_after_an_update(
    ws: Workspace, populated: Populated
) -> None:
    sid = populated.ids["followup"]
    ws.casebook.save_form(sid, "AEV", 1, "AE", {"AEOUT": "NOT_RECOVERED"})  # saved today
    rows = _safety_rows(ws.worklist.items(TODAY), sid)
    assert not any(row[0] is WorkKind.AE_FOLLOWUP_MISSING for row in rows)


def test_lab_values_and_aes_saved_later_are_seen(ws: Workspace, populated: Populated) -> None:
    """The laboratory values are read apart from the other rows: both follow each save."""
    sid = populated.ids["sae"]

    def labs() -> set[Row]:
        rows = _safety_rows(ws.worklist.items(TODAY), sid)
        return {row for row in rows if row[0] is WorkKind.LAB_WITHOUT_AE}

    assert labs() == set()
    ws.worklist.subjects(TODAY)  # the Subjects table reads the change first
    ws.casebook.save_form(sid, "CYCLE", 2, "CHEM", {"LBDAT": "2026-01-31", "ALT": 50})
    ws.worklist.subjects(TODAY)
    assert labs() == {
        (WorkKind.LAB_WITHOUT_AE, "CYCLE", 2, "CHEM", "ALT", D("2026-01-31"), None, "1")
    }
    ws.casebook.save_form(
        sid, "AEV", 2, "AE", {"AETERM": ALT_UP, "AETOXGR": 1, "AESTDAT": "2026-01-31"}
    )
    assert labs() == set()


def test_the_sae_flag_of_the_subjects_table(ws: Workspace, populated: Populated) -> None:
    flags = {row.subject_id: row.sae for row in ws.worklist.subjects(TODAY)}
    assert {name for name, sid in populated.ids.items() if flags[sid]} == {"sae", "susar"}


def test_the_grid_carries_the_visit_timing(ws: Workspace, populated: Populated) -> None:
    grid = ws.worklist.grid(populated.ids["before"], TODAY)
    column = next(c for c in grid.columns if (c.event_oid, c.occurrence) == ("CYCLE", 2))
    assert column.visit is not None
    assert (column.visit.timing, column.visit.days_outside) == ("late", 5)
    assert column.visit.out_of_window


# ------------------------------------------------------------------------------ demo subjects


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, list[Any]]]:
    store = make_site(tmp_path_factory.mktemp("demo") / "site", users=(NURSE, DOCTOR))
    nurse = store.login(NURSE)
    doctor = store.login(DOCTOR)
    plans = plan_subjects("NPC-SINT-RT", 4, seed=5, cutoff=dt.date(2026, 6, 30))
    ids = [carry_out(plan, nurse, doctor, PASSWORDS[DOCTOR]) for plan in plans]
    yield nurse, list(zip(ids, plans, strict=True))
    store.close()


def test_demo_subjects_agree_with_the_engine_in_memory(
    demo_site: tuple[Workspace, list[Any]],
) -> None:
    """What the worklist finds from the bulk-read rows equals what the engine finds from
    the demo's own values: every item the rules need is read."""
    ws, subjects = demo_site
    today = dt.date(2026, 7, 1)
    items = ws.worklist.items(today)
    service = ws.worklist
    compared = SAFETY_KINDS - {WorkKind.AE_FOLLOWUP_MISSING}  # needs the save dates
    found_any = set()
    for sid, plan in subjects:
        status = plan.statuses[-1].status.value if plan.statuses else "screening"
        memory = plan.memory_subject()
        safety = assess_subject(
            ws.study,
            memory,
            today,
            service.safety_settings,
            service.safety_profile,
            status=status,
            check_labs=False,
        )
        labs = lab_findings(
            ws.study, memory, service.safety_settings, service.safety_profile, status=status
        )
        visits = plan_subject(ws.study, memory, today, status=status)
        expected = {
            (i.kind, i.event_oid, i.occurrence, i.item_path, i.due, i.days, i.detail)
            for i in (
                *visit_items(sid, visits),
                *safety_items(sid, safety, service.safety_profile, today),
                *lab_items(sid, labs),
            )
            if i.kind in compared
        }
        got = {
            (i.kind, i.event_oid, i.occurrence, i.item_path, i.due, i.days, i.detail)
            for i in items
            if i.subject_id == sid and i.kind in compared
        }
        assert got == expected, sid
        found_any |= {row[0] for row in got}
    # these demo subjects have visits out of window and lab values without an AE
    assert {WorkKind.VISIT_OUT_OF_WINDOW, WorkKind.LAB_WITHOUT_AE} <= found_any
