"""Queries: raised by saves and imports, the workflow by role, threads, lists, the worklist,
bundles. The site (tests/monitoring_helpers.py) is made once and copied for each test."""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from npc_crf.auth.roles import Role
from npc_crf.core.errors import PermissionDenied, UsageError, ValidationFailed
from npc_crf.exchange import import_csv
from npc_crf.services.monitoring.holds import Target
from npc_crf.services.monitoring.queries import export_queries, import_queries
from npc_crf.services.monitoring.query_bundle import CENTER, FORMAT
from npc_crf.services.monitoring.query_model import (
    QueryAction,
    QueryKind,
    QueryStatus,
)
from npc_crf.services.worklist import WorkKind
from npc_crf.services.workspace import Workspace
from npc_crf.store.models import audit_entry, group_row
from tests.monitoring_helpers import (
    ADMIN,
    DOCTOR,
    MONITOR,
    NURSE,
    OVERRIDE_REASON,
    MonitoringSite,
    build_monitoring_site,
    ex_values,
    logged_in,
)
from tests.store_helpers import StoreSite, audit_actions, audit_count

QS = QueryStatus
EXSTDAT_MESSAGE = "Less than 18 days since the previous dose"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> MonitoringSite:
    return build_monitoring_site(tmp_path_factory.mktemp("queries"))


@pytest.fixture
def site(built: MonitoringSite, tmp_path: Path) -> Iterator[StoreSite]:
    store = built.copy(tmp_path / "site")
    yield store
    store.close()


def _entries(ws: Workspace, action: str) -> list[Any]:
    with ws.engine.connect() as conn:
        return list(
            conn.execute(
                select(audit_entry)
                .where(audit_entry.c.action == action)
                .order_by(audit_entry.c.seq)
            ).mappings()
        )


def _manual(ws: Workspace, subject_id: str, text: str = "Please check the dose") -> str:
    """A manual query (as the monitor ``ws``) on CYCLE 2's dose, assigned to the nurse."""
    q = ws.queries.raise_query(
        subject_id, text, event_oid="CYCLE", occurrence=2, form_oid="EX", item_path="EXDOSE"
    )
    return q.uid


# -- raised by saves -------------------------------------------------------------------------


def test_a_kept_soft_warning_raises_a_failed_check_query(
    site: StoreSite, built: MonitoringSite
) -> None:
    with logged_in(site, MONITOR) as ws:
        (query,) = ws.queries.list(with_messages=True)
        assert (query.kind, query.status, query.assigned_role) == (
            QueryKind.FAILED_CHECK,
            QS.NEW,
            Role.MONITOR,
        )
        assert query.where == f"{built.a}/CYCLE[2]/EX/EXSTDAT"
        assert query.origin == ws.installation_id
        assert str(uuid.UUID(query.uid)) == query.uid
        assert query.created_by == NURSE
        (message,) = query.messages
        assert message.text == f"{EXSTDAT_MESSAGE}\nReason given: {OVERRIDE_REASON}"
        assert (message.status, message.role, message.full_name) == (QS.NEW, "CRC", "Nora Nurse")
        (entry,) = _entries(ws, "query_raised")
        assert (entry["subject_id"], entry["event_oid"], entry["occurrence"]) == (
            built.a,
            "CYCLE",
            2,
        )
        assert (entry["form_oid"], entry["item_path"], entry["username"]) == (
            "EX",
            "EXSTDAT",
            NURSE,
        )
        new = json.loads(entry["new_value"])
        assert new["value"] == message.text
        assert (new["query"], new["status"], new["kind"]) == (query.uid, "new", "failed_check")
        # written in the save's transaction, right after the override it is about
        actions = audit_actions(ws)
        assert actions.index("query_raised") > actions.index("warning_overridden")


def test_no_second_failed_check_query_while_one_is_open(
    site: StoreSite, built: MonitoringSite
) -> None:
    with logged_in(site, NURSE) as ws:
        ws.casebook.save_form(
            built.a,
            "CYCLE",
            2,
            "EX",
            {},
            overrides={"EXSTDAT": "Patient travelled; dose brought forward"},
            reason="reason clarified",
        )
        assert len(ws.queries.list(kind=QueryKind.FAILED_CHECK)) == 1
    with logged_in(site, MONITOR) as ws:
        (query,) = ws.queries.list()
        ws.queries.close(query.uid, "Reason accepted")
    with logged_in(site, NURSE) as ws:
        ws.casebook.save_form(
            built.a,
            "CYCLE",
            2,
            "EX",
            {},
            overrides={"EXSTDAT": "Travel to Guangzhou, confirmed with Dr Dai"},
            reason="reason clarified again",
        )
        found = ws.queries.list(kind=QueryKind.FAILED_CHECK, with_messages=True)
        assert [q.status for q in found] == [QS.CLOSED, QS.NEW]
        assert (
            found[1]
            .messages[0]
            .text.endswith("Reason given: Travel to Guangzhou, confirmed with Dr Dai")
        )


def test_a_refused_save_raises_no_query(site: StoreSite, built: MonitoringSite) -> None:
    with logged_in(site, NURSE) as ws:
        with pytest.raises(ValidationFailed):
            ws.casebook.save_form(
                built.b,
                "CYCLE",
                2,
                "EX",
                {**ex_values(2, "2026-01-25"), "EXDOSE": "-5"},
                overrides={"EXSTDAT": "travel"},
            )
        assert [q.subject_id for q in ws.queries.list()] == [built.a]


def test_an_imported_value_with_a_warning_raises_a_query(
    site: StoreSite, built: MonitoringSite, tmp_path: Path
) -> None:
    values = ex_values(2, "2026-01-25")
    header = ["subject_id", "event", "occurrence", *values]
    line = [built.b, "CYCLE", "2", *(str(v) for v in values.values())]
    path = tmp_path / "cycles.csv"
    path.write_text(",".join(header) + "\n" + ",".join(line) + "\n", encoding="utf-8")
    with logged_in(site, NURSE) as ws:
        report = import_csv(ws, "EX", path)
        assert report.warnings == [f"cycles.csv:2: column EXSTDAT: {EXSTDAT_MESSAGE}"]
        (query,) = ws.queries.list(subject_id=built.b, with_messages=True)
        assert (query.kind, query.where, query.assigned_role) == (
            QueryKind.FAILED_CHECK,
            f"{built.b}/CYCLE[2]/EX/EXSTDAT",
            Role.MONITOR,
        )
        assert query.messages[0].text == (
            f"{EXSTDAT_MESSAGE}\nReason given: none given — the value was kept by "
            "import:cycles.csv:line 2"
        )
        (entry,) = [e for e in _entries(ws, "query_raised") if e["subject_id"] == built.b]
        assert entry["source"] == "import:cycles.csv:line 2"
        # the same file again changes no value: no second query
        import_csv(ws, "EX", path)
        assert len(ws.queries.list(subject_id=built.b)) == 1
        # a dry run rolls the query back with everything else
        before = audit_count(ws)
        path.write_text(
            ",".join(header) + "\n" + ",".join(line).replace("2026-01-25", "2026-01-26") + "\n",
            encoding="utf-8",
        )
        import_csv(ws, "EX", path, dry_run=True)
        assert audit_count(ws) == before


# -- who may do what -------------------------------------------------------------------------

#: (action, kind raised) -> the roles allowed: the table in docs/monitoring.md
MATRIX: dict[str, set[str]] = {
    "raise manual": {MONITOR},
    "raise annotation": {NURSE, DOCTOR, MONITOR},
    "raise reason_for_change": {NURSE, DOCTOR, MONITOR},
    "reply": {NURSE, DOCTOR, MONITOR},
    "propose": {NURSE, DOCTOR, MONITOR},
    "close": {MONITOR},
    "na": {MONITOR},
    "reopen": {MONITOR},
}


def test_the_matrix_is_the_documented_one() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "monitoring.md").read_text("utf-8")
    users = {"CRC": NURSE, "INV": DOCTOR, "MON": MONITOR, "ADMIN": ADMIN}
    header = next(ln for ln in doc.splitlines() if ln.startswith("| query action |"))
    roles = [c.strip() for c in header.strip("|").split("|")[2:]]
    documented: dict[str, set[str]] = {}
    for line in doc.splitlines():
        if line.startswith("| `query "):
            cells = [c.strip() for c in line.strip("|").split("|")]
            name = cells[0].strip("`").removeprefix("query ").replace(" --kind ", " ")
            documented[name] = {
                users[r] for r, c in zip(roles, cells[2:], strict=True) if c == "yes"
            }
    assert documented == MATRIX


@pytest.mark.parametrize("user", [NURSE, DOCTOR, MONITOR, ADMIN])
@pytest.mark.parametrize("action", list(MATRIX))
def test_permission_matrix(site: StoreSite, built: MonitoringSite, action: str, user: str) -> None:
    with logged_in(site, MONITOR) as ws:
        uid = _manual(ws, built.a)
        if action == "reopen":
            ws.queries.close(uid, "done")
    with logged_in(site, user) as ws:
        before = audit_count(ws)
        thread = len(_thread(ws, uid))

        def attempt() -> None:
            if action.startswith("raise "):
                kind = QueryKind(action.split()[1])
                ws.queries.raise_query(built.a, "A note", event_oid="SCR", kind=kind)
            else:
                ws.queries.act(uid, QueryAction(action), "my words")

        if user in MATRIX[action]:
            attempt()
            assert audit_count(ws) == before + 1
        else:
            with pytest.raises(PermissionDenied) as refused:
                attempt()
            assert "may not" in refused.value.message
            assert audit_count(ws) == before
            assert len(_thread(ws, uid)) == thread


def _thread(ws: Workspace, uid: str) -> list[tuple[str, QueryStatus, str]]:
    return [(m.username, m.status, m.text) for m in ws.queries.get(uid).messages]


# -- the workflow ------------------------------------------------------------------------------


def test_a_whole_thread(site: StoreSite, built: MonitoringSite) -> None:
    with logged_in(site, MONITOR) as ws:
        uid = _manual(ws, built.a, "Dose 200 mg: the chart says 240 mg?")
        assert [q.uid for q in ws.queries.waiting_for()] != [uid]
    with logged_in(site, NURSE) as ws:
        assert [q.uid for q in ws.queries.waiting_for()] == [uid]
        assert ws.queries.reply(uid[:8], "Checking the pharmacy record").status is QS.UPDATED
        assert [q.uid for q in ws.queries.waiting_for()] == [uid]  # still the nurse's
        assert (
            ws.queries.propose(uid, "200 mg is right; 240 was the plan").status
            is QS.RESOLUTION_PROPOSED
        )
        assert ws.queries.waiting_for() == []
    with logged_in(site, MONITOR) as ws:
        assert uid in {q.uid for q in ws.queries.waiting_for()}
        query = ws.queries.reply(
            uid, "Please have the investigator confirm", assign=Role.INVESTIGATOR
        )
        assert (query.status, query.assigned_role) == (QS.UPDATED, Role.INVESTIGATOR)
    with logged_in(site, NURSE) as ws:
        assert ws.queries.waiting_for() == []
    with logged_in(site, DOCTOR) as ws:
        assert [q.uid for q in ws.queries.waiting_for()] == [uid]
        ws.queries.propose(uid, "Confirmed: 200 mg, dose reduced for weight")
    with logged_in(site, MONITOR) as ws:
        closed = ws.queries.close(uid, "Thank you")
        assert closed.status is QS.CLOSED
        with pytest.raises(UsageError, match="closed: it takes no replies"):
            ws.queries.reply(uid, "one more thing")
        with pytest.raises(UsageError, match="already closed"):
            ws.queries.close(uid, "again")
        assert ws.queries.reopen(uid, "The chart was corrected since").status is QS.UPDATED
        with pytest.raises(UsageError, match="nothing to reopen"):
            ws.queries.reopen(uid, "again")
        final = ws.queries.not_applicable(uid, "Superseded by the corrected chart")
        assert [(m.position, m.username, m.status) for m in final.messages] == [
            (1, MONITOR, QS.NEW),
            (2, NURSE, QS.UPDATED),
            (3, NURSE, QS.RESOLUTION_PROPOSED),
            (4, MONITOR, QS.UPDATED),
            (5, DOCTOR, QS.RESOLUTION_PROPOSED),
            (6, MONITOR, QS.CLOSED),
            (7, MONITOR, QS.UPDATED),
            (8, MONITOR, QS.NOT_APPLICABLE),
        ]
        assert final.messages[2].text == "200 mg is right; 240 was the plan"
        assert (final.status, final.updated_by) == (QS.NOT_APPLICABLE, MONITOR)
        steps = [
            (
                e["action"],
                json.loads(e["old_value"] or "{}").get("status"),
                json.loads(e["new_value"])["status"],
            )
            for e in _steps(ws, uid)
        ]
        assert steps == [
            ("query_raised", None, "new"),
            ("query_replied", "new", "updated"),
            ("query_resolution_proposed", "updated", "resolution_proposed"),
            ("query_replied", "resolution_proposed", "updated"),
            ("query_resolution_proposed", "updated", "resolution_proposed"),
            ("query_closed", "resolution_proposed", "closed"),
            ("query_reopened", "closed", "updated"),
            ("query_not_applicable", "updated", "not_applicable"),
        ]
        for entry in _steps(ws, uid):
            assert (entry["subject_id"], entry["event_oid"], entry["occurrence"]) == (
                built.a,
                "CYCLE",
                2,
            )
            assert (entry["form_oid"], entry["item_path"]) == ("EX", "EXDOSE")


def _steps(ws: Workspace, uid: str) -> list[Any]:
    with ws.engine.connect() as conn:
        rows = conn.execute(
            select(audit_entry)
            .where(audit_entry.c.action.like("query_%"))
            .order_by(audit_entry.c.seq)
        ).mappings()
        return [r for r in rows if json.loads(r["new_value"])["query"] == uid]


def test_notes_start_not_applicable_and_cannot_be_reopened(
    site: StoreSite, built: MonitoringSite
) -> None:
    with logged_in(site, NURSE) as ws:
        note = ws.queries.raise_query(
            built.a,
            "Weight from the ward scale",
            event_oid="BASE",
            kind=QueryKind.ANNOTATION,
            assign=None,
        )
        assert (note.status, note.kind, note.where) == (
            QS.NOT_APPLICABLE,
            QueryKind.ANNOTATION,
            f"{built.a}/BASE[1]",
        )
        with pytest.raises(UsageError, match="takes no replies"):
            ws.queries.reply(note.uid, "and the height")
        with pytest.raises(PermissionDenied):
            ws.queries.raise_query(built.a, "x", kind=QueryKind.FAILED_CHECK)
    with logged_in(site, MONITOR) as ws:
        with pytest.raises(UsageError, match="is a note"):
            ws.queries.reopen(note.uid, "why?")
        with pytest.raises(UsageError, match="raised by the edit checks"):
            ws.queries.raise_query(built.a, "x", kind=QueryKind.FAILED_CHECK)


def test_what_a_query_may_be_about(site: StoreSite, built: MonitoringSite) -> None:
    with logged_in(site, MONITOR) as ws:
        raise_ = ws.queries.raise_query
        assert raise_(built.a, "Consent copy missing").where == built.a
        assert raise_(built.a, "Visit missing", event_oid="BASE").where == f"{built.a}/BASE[1]"
        # a form not started yet can be asked about; its items cannot
        assert (
            raise_(built.a, "Where is it?", event_oid="BASE", form_oid="VS").where
            == f"{built.a}/BASE[1]/VS"
        )
        with pytest.raises(UsageError, match="has not been started"):
            raise_(built.a, "x", event_oid="BASE", form_oid="VS", item_path="WEIGHT")
        cell = raise_(
            built.a, "Line 2 regimen?", event_oid="SCR", form_oid="PRIOR", item_path="LINE[2].PRREG"
        )
        with ws.engine.connect() as conn:
            second = conn.execute(
                select(group_row.c.uid).where(
                    group_row.c.group_oid == "LINE", group_row.c.position == 2
                )
            ).scalar_one()
        assert (cell.item_path, cell.row_uid) == ("LINE[2].PRREG", second)
        refused: dict[str, tuple[str, dict[str, Any]]] = {
            "no subject": ("S01-01-0099", {}),
            "no event": (built.a, {"event_oid": "NOPE"}),
            "not in event": (built.a, {"event_oid": "SCR", "form_oid": "EX"}),
            "no item": (built.a, {"event_oid": "SCR", "form_oid": "DM", "item_path": "NOPE"}),
            "a group": (built.a, {"event_oid": "SCR", "form_oid": "PRIOR", "item_path": "LINE"}),
            "no row": (
                built.a,
                {"event_oid": "SCR", "form_oid": "PRIOR", "item_path": "LINE[3].PRREG"},
            ),
            "no event named": (built.a, {"form_oid": "DM"}),
        }
        for name, (subject_id, where) in refused.items():
            with pytest.raises(UsageError):
                raise_(subject_id, "x", **where)
            assert name
        with pytest.raises(UsageError, match="needs some text"):
            raise_(built.a, "   ")
        with pytest.raises(UsageError, match="not to the administrator"):
            raise_(built.a, "x", assign=Role.ADMIN)
        with pytest.raises(UsageError, match="no query"):
            ws.queries.get("00000000-0000-0000-0000-000000000000")


def test_a_lock_stops_queries_and_a_freeze_does_not(site: StoreSite, built: MonitoringSite) -> None:
    with logged_in(site, MONITOR) as ws:
        uid = _manual(ws, built.a)
        ws.holds.freeze(Target.subject(built.a), "monitoring visit")
        ws.queries.reply(uid, "still open while frozen")
    with logged_in(site, ADMIN) as ws:
        ws.holds.lock(Target.subject(built.a), "database lock")
    with logged_in(site, MONITOR) as ws:
        before = audit_count(ws)
        with pytest.raises(UsageError, match="locked"):
            ws.queries.close(uid, "x")
        with pytest.raises(UsageError, match="locked"):
            ws.queries.raise_query(built.a, "x", event_oid="SCR", form_oid="DM")
        assert audit_count(ws) == before
        # another subject is not locked
        ws.queries.raise_query(built.b, "Fine", event_oid="SCR")


def test_queries_are_never_deleted(site: StoreSite, built: MonitoringSite) -> None:
    with logged_in(site, MONITOR) as ws:
        uid = _manual(ws, built.a)
        for statement in (
            "DELETE FROM query_message",
            "DELETE FROM query",
            "UPDATE query_message SET text = 'changed'",
        ):
            with pytest.raises(DBAPIError, match="never"), ws.engine.begin() as conn:
                conn.exec_driver_sql(statement)
        assert len(ws.queries.get(uid).messages) == 1
        assert len(ws.queries.list()) == 2


# -- lists and the worklist ------------------------------------------------------------------------


def test_lists_filter(site: StoreSite, built: MonitoringSite) -> None:
    with logged_in(site, MONITOR) as ws:
        manual = _manual(ws, built.a)
        on_b = ws.queries.raise_query(
            built.b, "Consent date?", event_oid="SCR", form_oid="IC", assign=Role.INVESTIGATOR
        ).uid
        failed = ws.queries.list(kind=QueryKind.FAILED_CHECK)[0].uid
        ws.queries.close(failed, "ok")

        def uids(**filters: Any) -> list[str]:
            return [q.uid for q in ws.queries.list(**filters)]

        assert uids() == [failed, manual, on_b]
        assert uids(status=QS.NEW) == [manual, on_b]
        assert uids(status=[QS.CLOSED, QS.UPDATED]) == [failed]
        assert uids(subject_id=built.b) == [on_b]
        assert uids(form_oid="EX") == [failed, manual]
        assert uids(assigned=Role.CRC) == [manual]
        assert uids(older_than_days=0) == [failed, manual, on_b]
        assert uids(older_than_days=1) == []
        later = ws.now() + dt.timedelta(days=10, hours=1)
        ws.now = lambda: later  # type: ignore[method-assign]
        assert uids(older_than_days=10) == [failed, manual, on_b]
        assert uids(older_than_days=11) == []
        # Age counts calendar days from the day it was raised, whatever the hour
        # (the clock above may have crossed midnight, so count from raised_on).
        first = ws.queries.list()[0]
        assert first.age_days(first.raised_on()) == 0
        assert first.age_days(first.raised_on() + dt.timedelta(days=10)) == 10
        with pytest.raises(UsageError):
            uids(older_than_days=-1)


def test_waiting_for_each_role(site: StoreSite, built: MonitoringSite) -> None:
    with logged_in(site, MONITOR) as ws:
        failed = ws.queries.list()[0].uid
        for_nurse = _manual(ws, built.a)
        for_doctor = ws.queries.raise_query(
            built.b, "Sign?", event_oid="SCR", assign=Role.INVESTIGATOR
        ).uid
        unassigned = ws.queries.raise_query(built.b, "Anyone?", assign=None).uid
        waiting = {r: [q.uid for q in ws.queries.waiting_for(r)] for r in Role}
    assert waiting == {
        Role.CRC: [for_nurse, unassigned],
        Role.INVESTIGATOR: [for_doctor],
        Role.MONITOR: [failed],
        Role.ADMIN: [],
    }


def test_the_worklist_shows_the_queries_waiting_for_the_user(
    site: StoreSite, built: MonitoringSite
) -> None:
    with logged_in(site, MONITOR) as ws:
        uid = _manual(ws, built.a)
        failed = ws.queries.list(kind=QueryKind.FAILED_CHECK)[0]
        work = [w for w in ws.worklist.items() if w.kind is WorkKind.OPEN_QUERY]
        assert [(w.detail, w.form_oid, w.item_path) for w in work] == [
            (failed.uid, "EX", "EXSTDAT")
        ]
        cell = _cell(ws, built.a, "CYCLE", 2, "EX")
        assert cell.open_queries == 1
    with logged_in(site, NURSE) as ws:
        today = dt.date.today()
        work = [w for w in ws.worklist.items(today) if w.kind is WorkKind.OPEN_QUERY]
        assert [
            (w.detail, w.subject_id, w.event_oid, w.occurrence, w.item_path, w.days) for w in work
        ] == [(uid, built.a, "CYCLE", 2, "EXDOSE", 0)]
        summary = {s.subject_id: s.open_queries for s in ws.worklist.subjects(today)}
        assert summary == {built.a: 1, built.b: 0}
        assert _cell(ws, built.a, "CYCLE", 2, "EX").open_queries == 1
        assert _cell(ws, built.a, "CYCLE", 1, "EX").open_queries == 0
        ws.queries.propose(uid, "Dose confirmed")
        assert [w for w in ws.worklist.items(today) if w.kind is WorkKind.OPEN_QUERY] == []
        assert {s.subject_id: s.open_queries for s in ws.worklist.subjects(today)}[built.a] == 0
        assert _cell(ws, built.a, "CYCLE", 2, "EX").open_queries == 0


def _cell(ws: Workspace, subject_id: str, event_oid: str, occurrence: int, form_oid: str) -> Any:
    grid = ws.worklist.grid(subject_id)
    column = next(c for c in grid.columns if (c.event_oid, c.occurrence) == (event_oid, occurrence))
    return column.cells[form_oid]


# -- bundles ---------------------------------------------------------------------------------------


def _by_uid(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["uid"]: r for r in records}


def test_export_import_round_trip_is_idempotent(built: MonitoringSite, tmp_path: Path) -> None:
    here = built.copy(tmp_path / "here")
    there = built.copy(tmp_path / "there")
    try:
        with logged_in(here, MONITOR) as ws:
            uid = _manual(ws, built.a)
        with logged_in(here, NURSE) as ws:
            ws.queries.reply(uid, "Looking into it — 查看中")
            exported = export_queries(ws)
            records = json.loads(json.dumps(exported.records))  # plain JSON
            assert {r["format"] for r in records} == {FORMAT}
            assert export_queries(ws, exported.marker).records == []
            sent = {m["uid"] for r in records for m in r["messages"]}
            assert export_queries(ws, sent).records == []
            mine = ws.queries.list(with_messages=True)
        with logged_in(there, NURSE) as ws:
            counts = import_queries(ws, records)
            # the failed-check query was in both copies already; the manual one is new
            assert (counts.queries, counts.messages, counts.statuses) == (1, 2, 0)
            theirs = ws.queries.list(with_messages=True)
            assert [_same(q) for q in theirs] == [_same(q) for q in mine]
            before = audit_count(ws)
            again = import_queries(ws, records)
            assert (again.queries, again.messages, again.statuses) == (0, 0, 0)
            assert audit_count(ws) == before
            assert [_same(q) for q in ws.queries.list(with_messages=True)] == [
                _same(q) for q in mine
            ]
            actions = [e["action"] for e in _steps(ws, uid)]
            assert actions == ["query_raised", "query_replied"]
            assert {e["source"] for e in _steps(ws, uid)} == {"bundle"}
    finally:
        here.close()
        there.close()


def _same(query: Any) -> tuple[object, ...]:
    return (
        query.uid,
        query.where,
        query.row_uid,
        query.kind,
        query.status,
        query.assigned_role,
        query.origin,
        tuple((m.uid, m.text, m.status, m.username, m.origin) for m in query.messages),
    )


def test_the_centers_steps_arrive_as_messages(site: StoreSite, built: MonitoringSite) -> None:
    with logged_in(site, MONITOR) as ws:
        uid = _manual(ws, built.a)
    with logged_in(site, NURSE) as ws:
        (record,) = [r for r in export_queries(ws).records if r["uid"] == uid]
        # the center closes it, writing in the thread
        closed = copy.deepcopy(record)
        closed["messages"].append(
            {
                "uid": str(uuid.uuid4()),
                "at_utc": "2026-03-02T08:00:00Z",
                "username": "dm.li",
                "full_name": "Li Data-Manager",
                "role": "DM",
                "text": "Closed after central review",
                "status": "closed",
                "origin": CENTER,
            }
        )
        closed |= {"status": "closed", "updated_at": "2026-03-02T08:00:00Z", "updated_by": "dm.li"}
        assert import_queries(ws, [closed], source="return bundle").messages == 1
        query = ws.queries.get(uid)
        assert (query.status, query.messages[-1].origin, query.messages[-1].at_utc) == (
            QS.CLOSED,
            CENTER,
            "2026-03-02T08:00:00.000000+00:00",
        )
        # a newer step here is not undone by the same (older) record coming back
        ws_step_count = len(query.messages)
    with logged_in(site, MONITOR) as ws:
        ws.queries.reopen(uid, "New information from the site")
    with logged_in(site, NURSE) as ws:
        assert import_queries(ws, [closed]).messages == 0
        assert ws.queries.get(uid).status is QS.UPDATED
        # a status set at the center without a message becomes a message of the center's
        status_only = copy.deepcopy(record)
        status_only |= {
            "status": "not_applicable",
            "updated_at": "2026-03-05T09:00:00+08:00",
            "updated_by": "dm.li",
        }
        counts = import_queries(ws, [status_only])
        assert (counts.messages, counts.statuses) == (1, 1)
        query = ws.queries.get(uid)
        last = query.messages[-1]
        assert (query.status, last.origin, last.username) == (QS.NOT_APPLICABLE, CENTER, "dm.li")
        assert last.text == "Status set to not applicable at the coordinating center."
        assert len(query.messages) == ws_step_count + 2
        before = audit_count(ws)
        assert import_queries(ws, [status_only]).messages == 0
        assert audit_count(ws) == before


def test_a_query_raised_at_the_center_arrives(site: StoreSite, built: MonitoringSite) -> None:
    record = {
        "format": FORMAT,
        "version": 1,
        "uid": str(uuid.uuid4()),
        "subject_id": built.b,
        "event_oid": "SCR",
        "occurrence": 1,
        "form_oid": "IC",
        "item_path": "ICDAT",
        "row_uid": None,
        "kind": "manual",
        "status": "new",
        "assigned_role": "CRC",
        "origin": CENTER,
        "created_at": "2026-03-01T02:00:00Z",
        "created_by": "dm.li",
        "updated_at": "2026-03-01T02:00:00Z",
        "updated_by": "dm.li",
        "messages": [
            {
                "uid": str(uuid.uuid4()),
                "at_utc": "2026-03-01T02:00:00Z",
                "username": "dm.li",
                "full_name": "Li Data-Manager",
                "role": "DM",
                "text": "Consent date differs from the scanned form",
                "status": "new",
                "origin": CENTER,
            }
        ],
    }
    with logged_in(site, NURSE) as ws:
        assert import_queries(ws, [record]).queries == 1
        (query,) = ws.queries.waiting_for()
        assert (query.uid, query.origin, query.where) == (
            record["uid"],
            CENTER,
            f"{built.b}/SCR[1]/IC/ICDAT",
        )
        ws.queries.propose(query.uid, "Corrected to the scanned date")
        sent = [r for r in export_queries(ws).records if r["uid"] == record["uid"]]
        assert [m["status"] for m in sent[0]["messages"]] == ["new", "resolution_proposed"]


BAD: dict[str, tuple[Any, str]] = {
    "status": ("open", "field 'status': 'open' is not one of"),
    "uid": ("Q-1", "field 'uid': must be a UUID"),
    "occurrence": (0, "field 'occurrence'"),
    "assigned_role": ("ADMIN", "field 'assigned_role'"),
    "created_at": ("yesterday", "field 'created_at'"),
    "subject_id": ("S01-01-0099", "field 'subject_id': there is no subject"),
    "event_oid": ("NOPE", "field 'event_oid'"),
    "version": (2, "field 'version': 2 is newer than this program reads"),
    "messages": ([], "field 'messages'"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_a_malformed_record_refuses_the_import(site: StoreSite, name: str) -> None:
    with logged_in(site, NURSE) as ws:
        good = export_queries(ws).records[0]
        bad = copy.deepcopy(good) | {"uid": str(uuid.uuid4())}
        for m in bad["messages"]:
            m["uid"] = str(uuid.uuid4())
        bad[name], expected = BAD[name]
        fresh = copy.deepcopy(bad) | {
            "uid": str(uuid.uuid4()),
            "messages": copy.deepcopy(bad["messages"]),
        }
        fresh[name] = good[name]
        for m in fresh["messages"]:
            m["uid"] = str(uuid.uuid4())
        before = audit_count(ws)
        with pytest.raises(ValidationFailed) as refused:
            import_queries(ws, [fresh, bad])
        (problem,) = refused.value.problems
        assert problem.startswith(
            f"record 2 (query {bad['uid'] if name != 'uid' else 'Q-1'}): {expected}"
        )
        assert "nothing was imported" in refused.value.message
        assert audit_count(ws) == before
        assert len(ws.queries.list()) == 1  # not even the good record


def test_malformed_messages_are_named(site: StoreSite) -> None:
    with logged_in(site, NURSE) as ws:
        record = copy.deepcopy(export_queries(ws).records[0])
        record["messages"][0]["status"] = "closedd"
        record["messages"].append("hello")
        with pytest.raises(ValidationFailed) as refused:
            import_queries(ws, [record, 42])  # type: ignore[list-item]
        assert refused.value.problems == [
            f"record 1 (query {record['uid']}): field 'messages[1].status': 'closedd' is not a query status",
            f"record 1 (query {record['uid']}): field 'messages[2]': must be an object",
            "record 2: a record must be an object",
        ]
        moved = copy.deepcopy(export_queries(ws).records[0]) | {
            "form_oid": "DM",
            "event_oid": "SCR",
            "occurrence": 1,
            "item_path": "SEX",
        }
        with pytest.raises(ValidationFailed, match="differs from the query here"):
            import_queries(ws, [moved])


def test_bundles_need_the_export_permission(site: StoreSite) -> None:
    with logged_in(site, MONITOR) as ws:
        with pytest.raises(PermissionDenied):
            export_queries(ws)
        with pytest.raises(PermissionDenied):
            import_queries(ws, [])
