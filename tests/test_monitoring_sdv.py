"""Source data verification: which values need it, verifying, reset on change, progress,
the "needs SDV" list and the CSV report. The site is tests/monitoring_helpers.py's."""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from npc_crf.core.errors import PermissionDenied, UsageError
from npc_crf.forms.model import SdvLevel, Study
from npc_crf.services.monitoring.holds import Target
from npc_crf.services.monitoring.sdv import REPORT_COLUMNS
from npc_crf.services.monitoring.sdv_items import SdvState, required_items
from npc_crf.services.workspace import Workspace
from npc_crf.store.models import audit_entry, group_row, item_value, sdv_mark
from tests.monitoring_helpers import (
    ADMIN,
    DOCTOR,
    MONITOR,
    NURSE,
    MonitoringSite,
    build_monitoring_site,
    logged_in,
)
from tests.store_helpers import IC_VALUES, StoreSite, audit_count

IC_ITEMS = ["ICYN", "ICDAT", "ICTIM", "ICVER", "ICVERDAT", "ICSIGNBY", "ICCOPY", "ICBIO"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> MonitoringSite:
    return build_monitoring_site(tmp_path_factory.mktemp("sdv"))


@pytest.fixture
def site(built: MonitoringSite, tmp_path: Path) -> Iterator[StoreSite]:
    store = built.copy(tmp_path / "site")
    yield store
    store.close()


def _paths(ws: Workspace, subject_id: str, event_oid: str, form_oid: str) -> dict[str, SdvState]:
    status = ws.sdv.form_status(subject_id, event_oid, 1, form_oid)
    return {i.item_path: i.state for i in status.items}


def _audit(ws: Workspace, action: str) -> list[Any]:
    with ws.engine.connect() as conn:
        return list(
            conn.execute(
                select(audit_entry)
                .where(audit_entry.c.action == action)
                .order_by(audit_entry.c.seq)
            ).mappings()
        )


# -- which values need SDV -------------------------------------------------------------------


def test_the_form_mode_decides(studies: dict[str, Study]) -> None:
    study = studies["npc-sint-rt"]
    ic, dm, mh, prior, dth = (study.forms[f] for f in ("IC", "DM", "MH", "PRIOR", "DTH"))
    assert (ic.sdv, dm.sdv, mh.sdv, dth.sdv) == (
        SdvLevel.ALL,
        SdvLevel.CRITICAL,
        SdvLevel.CRITICAL,
        SdvLevel.ALL,
    )
    # all: every item a person answers (no notes, no calculations)
    assert required_items(ic) == {i.oid for i, _g in ic.all_items() if i.takes_input}
    assert any(not i.takes_input and not i.is_group for i, _g in dm.all_items())
    # critical: only the flagged items, group columns included; nothing flagged: nothing
    assert required_items(dm) == {"BRTHDAT", "SEX"}
    assert required_items(prior) == {"PRNLINE", "PRPLAT", "PRICI", "PRENDAT", "PRPD"}
    assert required_items(mh) == frozenset()
    # none: nothing, whatever the items say
    assert required_items(dataclasses.replace(prior, sdv=SdvLevel.NONE)) == frozenset()
    # a group marked sdv: every column of it
    line = prior.item("LINE")
    assert line is not None
    flagged = dataclasses.replace(
        prior,
        sdv=SdvLevel.CRITICAL,
        sections=tuple(
            dataclasses.replace(
                s,
                items=tuple(
                    dataclasses.replace(i, sdv=True) if i.oid == "LINE" else i for i in s.items
                ),
            )
            for s in prior.sections
        ),
    )
    assert required_items(flagged) == {"PRNLINE"} | {c.oid for c in line.items if c.takes_input}


def test_only_stored_values_need_sdv(site: StoreSite, built: MonitoringSite) -> None:
    with logged_in(site, MONITOR) as ws:
        assert list(_paths(ws, built.a, "SCR", "IC")) == IC_ITEMS  # ICLARNAM etc. are empty
        assert list(_paths(ws, built.a, "SCR", "DM")) == ["BRTHDAT", "SEX"]
        assert list(_paths(ws, built.a, "SCR", "PRIOR")) == [
            "PRNLINE",
            "LINE[1].PRPLAT",
            "LINE[1].PRICI",
            "LINE[2].PRPLAT",
        ]
        assert ws.sdv.form_status(built.a, "SCR", 1, "MH").required == 0
        assert ws.sdv.form_status(built.a, "BASE", 1, "VS").required == 0  # not started
        forms = [f.form_oid for f in ws.sdv.subject_status(built.a)]
        assert forms == ["IC", "DM", "PRIOR", "EX", "EX"]
    with logged_in(site, NURSE) as ws:  # a missing-data code is verified like a value
        ws.casebook.save_form(built.a, "SCR", 1, "DM", {"SEX": None, "BRTHDAT": None})
        assert _paths(ws, built.a, "SCR", "DM") == {}


def test_a_form_with_sdv_none(
    site: StoreSite, built: MonitoringSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    with logged_in(site, MONITOR) as ws:
        prior = ws.study.forms["PRIOR"]
        monkeypatch.setitem(ws.study.forms, "PRIOR", dataclasses.replace(prior, sdv=SdvLevel.NONE))
        assert ws.sdv.form_status(built.a, "SCR", 1, "PRIOR").required == 0
        assert "PRIOR" not in [f.form_oid for f in ws.sdv.subject_status(built.a)]
        with pytest.raises(UsageError, match=r"needs no SDV \(sdv: none\)"):
            ws.sdv.verify(built.a, "SCR", 1, "PRIOR")


# -- verifying ---------------------------------------------------------------------------------


def test_verify_a_form_then_a_change_resets_it(site: StoreSite, built: MonitoringSite) -> None:
    with logged_in(site, MONITOR) as ws:
        assert ws.sdv.verify(built.a, "SCR", 1, "IC") == 8
        status = ws.sdv.form_status(built.a, "SCR", 1, "IC")
        assert (status.required, status.verified, status.pending) == (8, 8, 0)
        assert {i.verified_by for i in status.items} == {MONITOR}
        entries = _audit(ws, "sdv_verified")
        assert [e["item_path"] for e in entries] == IC_ITEMS
        assert {
            (e["subject_id"], e["event_oid"], e["form_oid"], e["username"]) for e in entries
        } == {(built.a, "SCR", "IC", MONITOR)}
        assert {e["new_value"] for e in entries} == {json.dumps({"version": 1})}
        before = audit_count(ws)
        assert ws.sdv.verify(built.a, "SCR", 1, "IC") == 0  # nothing left: nothing written
        assert audit_count(ws) == before
        assert built.a not in {f.subject_id for f in ws.sdv.needs_sdv() if f.form_oid == "IC"}
    with logged_in(site, NURSE) as ws:
        ws.casebook.save_form(
            built.a, "SCR", 1, "IC", {"ICTIM": "10:15"}, reason="time misread from the form"
        )
        (reset,) = _audit(ws, "sdv_reset")
        assert (reset["item_path"], reset["username"], reset["form_oid"]) == ("ICTIM", NURSE, "IC")
        old = json.loads(reset["old_value"])
        assert (old["version"], old["verified_by"]) == (1, MONITOR)
        assert reset["reason"] == "the value changed after it was verified"
        status = ws.sdv.form_status(built.a, "SCR", 1, "IC")
        assert [
            (i.item_path, i.value_version) for i in status.items if i.state is SdvState.PENDING
        ] == [("ICTIM", 2)]
        # back on the monitor's list
        (needed,) = [f for f in ws.sdv.needs_sdv(built.a) if f.form_oid == "IC"]
        assert [i.item_path for i in needed.items if i.state is SdvState.PENDING] == ["ICTIM"]
        # a save that changes nothing verified resets nothing
        ws.casebook.save_form(built.a, "SCR", 1, "DM", {"SEX": "M"})
        assert len(_audit(ws, "sdv_reset")) == 1
    with logged_in(site, MONITOR) as ws:
        assert ws.sdv.verify(built.a, "SCR", 1, "IC", ["ictim"]) == 1
        with ws.engine.connect() as conn:
            marks = conn.execute(
                select(sdv_mark.c.item_oid, sdv_mark.c.value_version, item_value.c.version).join(
                    item_value,
                    (item_value.c.form_instance_id == sdv_mark.c.form_instance_id)
                    & (item_value.c.row_uid == sdv_mark.c.row_uid)
                    & (item_value.c.item_oid == sdv_mark.c.item_oid),
                )
            ).all()
        assert {(m[0], m[1]) for m in marks if m[0] == "ICTIM"} == {("ICTIM", 2)}
        assert all(m[1] == m[2] for m in marks)


def test_clearing_a_verified_value_resets_it(site: StoreSite, built: MonitoringSite) -> None:
    with logged_in(site, MONITOR) as ws:
        ws.sdv.verify(built.a, "SCR", 1, "DM")
    with logged_in(site, NURSE) as ws:
        ws.casebook.save_form(built.a, "SCR", 1, "DM", {"SEX": None})
        assert [e["item_path"] for e in _audit(ws, "sdv_reset")] == ["SEX"]
        assert _paths(ws, built.a, "SCR", "DM") == {"BRTHDAT": SdvState.VERIFIED}


def test_rows_of_groups_are_verified_by_identity(site: StoreSite, built: MonitoringSite) -> None:
    with logged_in(site, MONITOR) as ws:
        assert ws.sdv.verify(built.a, "SCR", 1, "PRIOR", ["LINE[2].PRPLAT", "PRNLINE"]) == 2
        with ws.engine.connect() as conn:
            second = conn.execute(
                select(group_row.c.uid).where(
                    group_row.c.group_oid == "LINE", group_row.c.position == 2
                )
            ).scalar_one()
            marked = dict(conn.execute(select(sdv_mark.c.item_oid, sdv_mark.c.row_uid)).all())
        assert marked == {"PRNLINE": "", "PRPLAT": second}
        assert _paths(ws, built.a, "SCR", "PRIOR") == {
            "PRNLINE": SdvState.VERIFIED,
            "LINE[1].PRPLAT": SdvState.PENDING,
            "LINE[1].PRICI": SdvState.PENDING,
            "LINE[2].PRPLAT": SdvState.VERIFIED,
        }
        (entry,) = [e for e in _audit(ws, "sdv_verified") if e["row_uid"]]
        assert (entry["item_path"], entry["row_uid"]) == ("LINE[2].PRPLAT", second)
        for bad, why in (
            ("LINE[1].PRREG", "needs no SDV"),
            ("LINE[2].PRICI", "has no stored value"),
            ("LINE[9].PRPLAT", "has no stored value"),
            ("NOPE", "has no item"),
            ("LINE[", "not an item path"),
        ):
            with pytest.raises(UsageError, match=why):
                ws.sdv.verify(built.a, "SCR", 1, "PRIOR", [bad])
    with logged_in(site, NURSE) as ws:  # the last row is removed: its values leave the list
        ws.casebook.save_form(
            built.a,
            "SCR",
            1,
            "PRIOR",
            {"PRNLINE": 1, "LINE": [{"PRLINE": 1, "PRPLAT": "yes"}]},
        )
        assert list(_paths(ws, built.a, "SCR", "PRIOR")) == [
            "PRNLINE",
            "LINE[1].PRPLAT",
            "LINE[1].PRICI",
        ]


def test_unverify_takes_marks_back_with_a_reason(site: StoreSite, built: MonitoringSite) -> None:
    with logged_in(site, MONITOR) as ws:
        ws.sdv.verify(built.a, "SCR", 1, "DM")
        with pytest.raises(UsageError, match="reason"):
            ws.sdv.unverify(built.a, "SCR", 1, "DM", ["SEX"], " ")
        assert (
            ws.sdv.unverify(built.a, "SCR", 1, "DM", ["SEX"], "verified against the wrong chart")
            == 1
        )
        assert _paths(ws, built.a, "SCR", "DM") == {
            "BRTHDAT": SdvState.VERIFIED,
            "SEX": SdvState.PENDING,
        }
        (entry,) = _audit(ws, "sdv_unverified")
        assert (entry["item_path"], entry["reason"]) == ("SEX", "verified against the wrong chart")


@pytest.mark.parametrize("user", [NURSE, DOCTOR, ADMIN])
def test_only_monitors_verify(site: StoreSite, built: MonitoringSite, user: str) -> None:
    with logged_in(site, user) as ws:
        with pytest.raises(PermissionDenied, match="may not mark source data verified"):
            ws.sdv.verify(built.a, "SCR", 1, "IC")
        with pytest.raises(PermissionDenied):
            ws.sdv.unverify(built.a, "SCR", 1, "IC", None, "x")
        assert ws.sdv.form_status(built.a, "SCR", 1, "IC").pending == 8  # everyone may look


def test_a_lock_stops_sdv_and_a_freeze_does_not(site: StoreSite, built: MonitoringSite) -> None:
    with logged_in(site, MONITOR) as ws:
        ws.holds.freeze(Target.form(built.a, "SCR", 1, "IC"), "monitoring visit")
        assert ws.sdv.verify(built.a, "SCR", 1, "IC", ["ICDAT"]) == 1
    with logged_in(site, ADMIN) as ws:
        ws.holds.lock(Target.site(), "database lock")
    with logged_in(site, MONITOR) as ws:
        before = audit_count(ws)
        with pytest.raises(UsageError, match="locked"):
            ws.sdv.verify(built.a, "SCR", 1, "IC")
        assert audit_count(ws) == before
    with logged_in(site, MONITOR) as ws, pytest.raises(UsageError, match="not been started"):
        ws.sdv.verify(built.a, "BASE", 1, "VS")


# -- progress, the list, the report -------------------------------------------------------------


def test_progress_per_subject_and_the_needs_sdv_list(
    site: StoreSite, built: MonitoringSite
) -> None:
    with logged_in(site, MONITOR) as ws:
        ws.sdv.verify(built.a, "SCR", 1, "IC")
        ws.sdv.verify(built.a, "SCR", 1, "DM")
        ws.sdv.verify(built.b, "CYCLE", 1, "EX", ["EXDOSE"])
        progress = {s.subject_id: s.to_json() for s in ws.sdv.site_status()}
        assert progress == {
            built.a: {
                "subject": built.a,
                "required": 24,
                "verified": 10,
                "pending": 14,
                "forms": 5,
                "forms_done": 2,
            },
            built.b: {
                "subject": built.b,
                "required": 13,
                "verified": 1,
                "pending": 12,
                "forms": 2,
                "forms_done": 0,
            },
        }
        needed = [(f.subject_id, f.where.split("/", 1)[1], f.pending) for f in ws.sdv.needs_sdv()]
        assert needed == [
            (built.a, "SCR[1]/PRIOR", 4),
            (built.a, "CYCLE[1]/EX", 5),
            (built.a, "CYCLE[2]/EX", 5),
            (built.b, "SCR[1]/IC", 8),
            (built.b, "CYCLE[1]/EX", 4),
        ]


def _statements(ws: Workspace, run: Any) -> int:
    count = 0

    def seen(*_args: object) -> None:
        nonlocal count
        count += 1

    event.listen(ws.engine, "before_cursor_execute", seen)
    try:
        run()
    finally:
        event.remove(ws.engine, "before_cursor_execute", seen)
    return count


def test_the_site_lists_are_read_in_bulk(site: StoreSite, built: MonitoringSite) -> None:
    """The same number of statements for one subject as for many more forms."""
    with logged_in(site, MONITOR) as ws:
        small = _statements(ws, ws.sdv.needs_sdv), _statements(ws, ws.sdv.site_status)
    with logged_in(site, NURSE) as ws:
        for _ in range(3):
            sid = ws.subjects.enrol()
            ws.casebook.save_form(sid, "SCR", 1, "IC", IC_VALUES, complete=True)
            ws.casebook.save_form(sid, "SCR", 1, "DM", {"BRTHDAT": "1960-02-01", "SEX": "M"})
    with logged_in(site, MONITOR) as ws:
        assert len(ws.sdv.needs_sdv()) == 7 + 3 * 2
        large = _statements(ws, ws.sdv.needs_sdv), _statements(ws, ws.sdv.site_status)
    assert small == large


def test_the_sdv_report(site: StoreSite, built: MonitoringSite, tmp_path: Path) -> None:
    with logged_in(site, MONITOR) as ws:
        ws.sdv.verify(built.a, "SCR", 1, "DM", ["SEX"])
        path = tmp_path / "sdv.csv"
        path.write_text("old report", encoding="utf-8")
        rows = ws.sdv.write_report(path)
        at = ws.sdv.form_status(built.a, "SCR", 1, "DM").items[1].verified_at
    assert rows == 24 + 13
    with path.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    assert (
        tuple(table[0])
        == REPORT_COLUMNS
        == (
            "subject",
            "event",
            "occurrence",
            "form",
            "item_path",
            "value_version",
            "verified_by",
            "verified_at",
            "state",
        )
    )
    assert len(table) == rows + 1
    by_path = {(r[0], r[3], r[4]): r for r in table[1:]}
    assert by_path[(built.a, "DM", "SEX")] == [
        built.a,
        "SCR",
        "1",
        "DM",
        "SEX",
        "1",
        MONITOR,
        at,
        "verified",
    ]
    assert by_path[(built.a, "DM", "BRTHDAT")][5:] == ["1", "", "", "pending"]
    assert by_path[(built.a, "PRIOR", "LINE[2].PRPLAT")][8] == "pending"
    assert path.read_bytes().count(b"\r\n") == rows + 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "site") == ["sdv.csv"]
    with logged_in(site, MONITOR) as ws, pytest.raises(UsageError, match="cannot be written"):
        ws.sdv.write_report(tmp_path / "no such folder" / "sdv.csv")
