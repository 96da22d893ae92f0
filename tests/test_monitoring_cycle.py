"""The whole monitoring cycle through the services, as issue 6's acceptance walks it.

A nurse enters data and keeps a soft warning (a failed-check query is raised);
the monitor verifies a form and raises a query; the nurse answers, the monitor
closes; the nurse changes a verified value (its SDV resets); the investigator
signs the casebook (user ID and password the first time); a later edit voids the
signature; a freeze blocks edits but lets a query be answered; a lock blocks
everything. Each step is checked in the audit trail too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from npc_crf.auth.roles import Role
from npc_crf.core.errors import NpcCrfError
from npc_crf.services.monitoring.hold_model import Target
from npc_crf.services.monitoring.query_model import QueryKind, QueryStatus
from npc_crf.services.subjects import SubjectStatus
from npc_crf.services.workspace import Workspace
from tests.monitoring_helpers import OVERRIDE_REASON, ex_values, logged_in
from tests.store_helpers import (
    ADMIN,
    DOCTOR,
    FULL_NAMES,
    MONITOR,
    NURSE,
    PASSWORDS,
    StoreSite,
    audit_actions,
    audit_count,
    enrol_consented,
    make_site,
)


@pytest.fixture
def store(tmp_path: Path) -> StoreSite:
    return make_site(tmp_path / "site", users=(NURSE, DOCTOR, MONITOR))


def nurse_enters(ws: Workspace) -> str:
    """Consent, two cycles; cycle 2 only 15 days after cycle 1, kept with a reason."""
    sid = enrol_consented(ws)
    ws.subjects.set_status(sid, SubjectStatus.ENROLLED, on=dt.date(2026, 1, 8))
    ws.subjects.set_status(sid, SubjectStatus.ON_TREATMENT, on=dt.date(2026, 1, 10))
    ws.casebook.save_form(sid, "CYCLE", 1, "EX", ex_values(1, "2026-01-10"), complete=True)
    ws.casebook.save_form(
        sid,
        "CYCLE",
        2,
        "EX",
        ex_values(2, "2026-01-25"),
        overrides={"EXSTDAT": OVERRIDE_REASON},
        complete=True,
    )
    return sid


def test_the_whole_monitoring_cycle(store: StoreSite) -> None:
    # 1. the nurse enters data; the kept soft warning raises a failed-check query
    with logged_in(store, NURSE) as ws:
        sid = nurse_enters(ws)
        (auto,) = ws.queries.list(subject_id=sid)
        assert auto.kind is QueryKind.FAILED_CHECK and auto.status is QueryStatus.NEW
        assert (auto.form_oid, auto.item_path) == ("EX", "EXSTDAT")
        assert auto.assigned_role is Role.MONITOR

    # 2. the monitor verifies the consent form and raises a manual query on cycle 1
    with logged_in(store, MONITOR) as ws:
        assert [q.uid for q in ws.queries.waiting_for()] == [auto.uid]
        assert ws.sdv.verify(sid, "SCR", 1, "IC") > 0
        assert ws.sdv.form_status(sid, "SCR", 1, "IC").pending == 0
        with pytest.raises(NpcCrfError):  # monitors never change data
            ws.casebook.save_form(sid, "SCR", 1, "IC", {"ICTIM": "09:45"}, reason="x")
        manual = ws.queries.raise_query(
            sid,
            "The infusion end time is not in the nursing record; please check.",
            event_oid="CYCLE",
            occurrence=1,
            form_oid="EX",
            item_path="EXENTIM",
        )
        ws.queries.close(auto.uid, "Early cycle agreed with the investigator; accepted.")

    # 3. the nurse answers and proposes a resolution; the monitor closes it
    with logged_in(store, NURSE) as ws:
        assert manual.uid in [q.uid for q in ws.queries.waiting_for()]
        ws.queries.propose(manual.uid, "Checked the infusion chart: 12:11 is correct.")
    with logged_in(store, MONITOR) as ws:
        closed = ws.queries.close(manual.uid, "Verified against the chart.")
        assert closed.status is QueryStatus.CLOSED
        thread = ws.queries.get(manual.uid).messages
        assert [m.status for m in thread] == [
            QueryStatus.NEW,
            QueryStatus.RESOLUTION_PROPOSED,
            QueryStatus.CLOSED,
        ]

    # 4. the nurse changes a verified value: its SDV resets, audited
    with logged_in(store, NURSE) as ws:
        before = audit_count(ws)
        ws.casebook.save_form(
            sid, "SCR", 1, "IC", {"ICTIM": "09:40"}, reason="time misread from the form"
        )
        assert "sdv_reset" in audit_actions(ws, before)
        assert ws.sdv.form_status(sid, "SCR", 1, "IC").pending == 1

    # 5. the investigator signs the casebook: user ID and password the first time
    with logged_in(store, DOCTOR) as ws:
        with pytest.raises(NpcCrfError):
            ws.signatures.sign_casebook(sid, meaning="APPROVE", password=PASSWORDS[DOCTOR])
        result = ws.signatures.sign_casebook(
            sid, meaning="APPROVE", password=PASSWORDS[DOCTOR], user_id=DOCTOR
        )
        assert len(result.signed) == 3  # consent and both cycles
        shown = ws.signatures.manifestations(sid)
        assert {m.meaning for m in shown} == {"APPROVE"} and len(shown) == 3
        assert {m.printed_name for m in shown} == {FULL_NAMES[DOCTOR]}
        assert all(m.signed_at.endswith("Z") and m.signed_at_utc.endswith(" UTC") for m in shown)
        assert ws.signatures.to_sign() == []
        assert ws.audit.verify_signatures().ok

    # 6. a later edit voids the signature of that form, and it is to be signed again
    with logged_in(store, NURSE) as ws:
        before = audit_count(ws)
        ws.casebook.save_form(sid, "CYCLE", 1, "EX", {"EXENTIM": "12:15"}, reason="chart re-read")
        assert "signature_voided" in audit_actions(ws, before)
    with logged_in(store, DOCTOR) as ws:
        assert [(t.event_oid, t.form_oid) for t in ws.signatures.to_sign()] == [("CYCLE", "EX")]

    # 7. a freeze blocks edits, but a query can still be answered
    with logged_in(store, MONITOR) as ws:
        ws.holds.freeze(Target.subject(sid), "interim analysis data cut")
        late = ws.queries.raise_query(
            sid,
            "Please confirm the consent version.",
            event_oid="SCR",
            occurrence=1,
            form_oid="IC",
            item_path="ICVER",
        )
    with logged_in(store, NURSE) as ws:
        with pytest.raises(NpcCrfError, match="frozen"):
            ws.casebook.save_form(sid, "SCR", 1, "IC", {"ICTIM": "09:41"}, reason="again")
        ws.queries.reply(late.uid, "Version 2.0, as on the signed copy.")

    # 8. a lock blocks everything: data, queries and SDV
    with logged_in(store, ADMIN) as ws:
        ws.holds.lock(Target.subject(sid), "database lock for the primary analysis")
    with logged_in(store, NURSE) as ws:
        with pytest.raises(NpcCrfError, match="locked"):
            ws.queries.reply(late.uid, "one more thing")
        with pytest.raises(NpcCrfError, match="locked"):
            ws.casebook.save_form(sid, "SCR", 1, "IC", {"ICTIM": "09:42"}, reason="again")
    with logged_in(store, MONITOR) as ws, pytest.raises(NpcCrfError, match="locked"):
        ws.sdv.verify(sid, "SCR", 1, "IC")
    with logged_in(store, ADMIN) as ws:
        with pytest.raises(NpcCrfError):
            ws.holds.unlock(Target.subject(sid), "  ")  # a reason is needed
        ws.holds.unlock(Target.subject(sid), "analysis re-run requested by the sponsor")
        actions = audit_actions(ws)
    for action in ("query_raised", "query_closed", "sdv_verified", "sdv_reset", "form_signed"):
        assert action in actions, action
