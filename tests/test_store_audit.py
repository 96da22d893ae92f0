"""The hash-chained audit trail: append-only in the database, tamper-evident, complete."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError

import npc_crf
from npc_crf.audit import chain
from npc_crf.audit.chain import GENESIS, Actor, AuditLog, entry_hash
from npc_crf.core.errors import StoreError, ValidationFailed
from npc_crf.services.workspace import Workspace
from tests.store_helpers import (
    NURSE,
    SiteTemplate,
    StoreSite,
    audit_actions,
    audit_count,
    enrol_consented,
    mh_row,
    mh_values,
    raw_db,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> SiteTemplate:
    return SiteTemplate.build(tmp_path_factory.mktemp("template") / "site", users=(NURSE,))


@pytest.fixture
def env(template: SiteTemplate, tmp_path: Path) -> Iterator[StoreSite]:
    store = template.copy(tmp_path / "site")
    yield store
    store.close()


@pytest.fixture
def ws(env: StoreSite) -> Workspace:
    return env.login(NURSE)


def _stream_of_saves(ws: Workspace, subjects: int = 3) -> list[str]:
    ids = []
    for n in range(subjects):
        sid = enrol_consented(ws)
        ws.casebook.save_form(sid, "SCR", 1, "MH", mh_values(mh_row(f"Condition {n}")))
        ws.casebook.save_form(
            sid, "SCR", 1, "IC", {"ICVER": f"2.{n + 1}"}, reason="wrong version copied"
        )
        ids.append(sid)
    return ids


def test_chain_verifies_after_a_stream_of_saves(ws: Workspace) -> None:
    _stream_of_saves(ws)
    report = ws.audit.verify()
    assert report.ok, report.problem
    assert report.entries == audit_count(ws) == report.head_seq
    assert report.entries > 50
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT seq, prev_hash, hash FROM audit_entry ORDER BY seq")
        prev = GENESIS
        for n, (seq, prev_hash, digest) in enumerate(rows, start=1):
            assert (seq, prev_hash) == (n, prev)
            prev = digest
    assert report.head_hash == prev


def test_a_refused_save_writes_no_audit_entry(ws: Workspace) -> None:
    sid = enrol_consented(ws)
    before = audit_count(ws)
    with pytest.raises(ValidationFailed, match="Nothing was saved"):
        ws.casebook.save_form(sid, "SCR", 1, "MH", {"MHYN": "perhaps"})
    assert audit_count(ws) == before


# -- the database refuses changes ------------------------------------------------------------

CHANGES = {
    "update": "UPDATE audit_entry SET reason = 'tidied up' WHERE seq = 3",
    "delete": "DELETE FROM audit_entry WHERE seq = 3",
    "delete-all": "DELETE FROM audit_entry",
}


@pytest.mark.parametrize("sql", CHANGES.values(), ids=CHANGES.keys())
def test_database_refuses_update_and_delete(ws: Workspace, sql: str) -> None:
    before = audit_count(ws)
    with pytest.raises(DBAPIError, match="append-only"), ws.engine.begin() as conn:
        conn.exec_driver_sql(sql)
    with pytest.raises(StoreError, match="append-only"), ws.tx() as tx:
        tx.conn.exec_driver_sql(sql)
    assert audit_count(ws) == before
    assert ws.audit.verify().ok


# -- tampering behind the application's back -------------------------------------------------


def _drop_triggers(con: Any) -> None:
    con.execute("DROP TRIGGER audit_entry_no_update")
    con.execute("DROP TRIGGER audit_entry_no_delete")


def _row(con: Any, seq: int) -> dict[str, Any]:
    cur = con.execute("SELECT * FROM audit_entry WHERE seq = ?", (seq,))
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchone(), strict=True))


def _change_value(con: Any, seq: int) -> None:
    con.execute("UPDATE audit_entry SET new_value = ? WHERE seq = ?", ('{"value": "forged"}', seq))


def _change_user(con: Any, seq: int) -> None:
    con.execute("UPDATE audit_entry SET username = 'admin' WHERE seq = ?", (seq,))


def _change_time(con: Any, seq: int) -> None:
    con.execute(
        "UPDATE audit_entry SET at_utc = '2020-01-01T00:00:00.000000Z' WHERE seq = ?", (seq,)
    )


def _delete(con: Any, seq: int) -> None:
    con.execute("DELETE FROM audit_entry WHERE seq = ?", (seq,))


def _rehash(con: Any, seq: int) -> None:
    """Change an entry and give it a correct hash, without fixing the next entry's link."""
    entry = _row(con, seq)
    entry["reason"] = "nothing to see here"
    con.execute(
        "UPDATE audit_entry SET reason = ?, hash = ? WHERE seq = ?",
        (entry["reason"], entry_hash(entry), seq),
    )


def _renumber(con: Any, seq: int) -> None:
    """Remove an entry and close the gap by renumbering (links then break)."""
    con.execute("DELETE FROM audit_entry WHERE seq = ?", (seq,))
    con.execute("UPDATE audit_entry SET seq = seq - 1 WHERE seq > ?", (seq,))


# (tamper, which seq verify must name relative to the tampered one, words of the problem)
TAMPERING: list[tuple[str, Callable[[Any, int], None], int, str]] = [
    ("value changed", _change_value, 0, "changed"),
    ("user changed", _change_user, 0, "changed"),
    ("time changed", _change_time, 0, "changed"),
    ("middle entry deleted", _delete, 0, "missing"),
    ("re-hashed without fixing the next link", _rehash, 1, "does not link"),
    ("deleted and renumbered", _renumber, 0, "does not link"),
]


@pytest.mark.parametrize(
    ("tamper", "offset", "words"),
    [pytest.param(t, o, w, id=name) for name, t, o, w in TAMPERING],
)
def test_tampering_is_detected_at_the_first_broken_entry(
    ws: Workspace, tamper: Callable[[Any, int], None], offset: int, words: str
) -> None:
    _stream_of_saves(ws, subjects=2)
    total = audit_count(ws)
    target = total // 2
    with raw_db(ws.site.data.database, ws.db_key) as con:
        _drop_triggers(con)
        tamper(con, target)
    report = ws.audit.verify()
    assert not report.ok
    assert report.broken_at == target + offset
    assert words in (report.problem or "")
    assert str(report.broken_at) in (report.problem or "")
    assert report.entries == target + offset - 1  # the entries before it are still good


def test_the_first_of_several_tampered_entries_is_named(ws: Workspace) -> None:
    _stream_of_saves(ws, subjects=2)
    with raw_db(ws.site.data.database, ws.db_key) as con:
        _drop_triggers(con)
        _change_value(con, 30)
        _change_value(con, 12)
        _delete(con, 20)
    assert ws.audit.verify().broken_at == 12


def test_a_forged_entry_appended_without_the_chain_is_detected(ws: Workspace) -> None:
    enrol_consented(ws)
    total = audit_count(ws)
    with raw_db(ws.site.data.database, ws.db_key) as con:
        last = _row(con, total)
        forged = dict(last, seq=total + 1, action="form_signed", prev_hash=last["hash"])
        forged["hash"] = "0" * 64
        columns = ", ".join(forged)
        con.execute(
            f"INSERT INTO audit_entry ({columns}) VALUES ({', '.join('?' * len(forged))})",  # noqa: S608
            tuple(forged.values()),
        )
    report = ws.audit.verify()
    assert report.broken_at == total + 1
    assert "changed" in (report.problem or "")


# -- the clock -------------------------------------------------------------------------------


class SteppedClock:
    """A clock that returns the given moments in turn (the last one from then on)."""

    def __init__(self, *moments: dt.datetime) -> None:
        self.moments = list(moments)

    def __call__(self) -> dt.datetime:
        return self.moments.pop(0) if len(self.moments) > 1 else self.moments[0]


def test_clock_going_backwards_is_recorded_and_the_chain_still_verifies(ws: Workspace) -> None:
    now = dt.datetime.now(dt.UTC)
    clock = SteppedClock(now + dt.timedelta(hours=2), now - dt.timedelta(days=3))
    with ws.engine.begin() as conn:
        log = AuditLog(conn, ws.actor, clock=clock)
        log.append("session_locked", reason="first")
        log.append("session_unlocked", reason="second, with the clock set back")
    entries = ws.audit.history()
    assert [e.action for e in entries[-3:]] == [
        "session_locked",
        "clock_regression",
        "session_unlocked",
    ]
    regression = entries[-2]
    assert regression.old.startswith((now + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H"))
    assert regression.new.startswith((now - dt.timedelta(days=3)).strftime("%Y-%m-%dT%H"))
    assert "earlier" in (regression.reason or "")
    assert regression.username == NURSE
    assert entries[-1].at_utc < entries[-3].at_utc  # the computer's times are kept as they were
    report = ws.audit.verify()
    assert report.ok
    assert report.clock_regressions == 1
    # a later transaction with the clock right again compares with the stored last time
    enrol_consented(ws)
    assert ws.audit.verify().ok


def test_clock_hook_moves_the_clock_of_the_services(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    enrol_consented(ws)
    monkeypatch.setattr(chain, "utc_now", lambda: dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    before = audit_count(ws)
    ws.subjects.enrol()
    assert "clock_regression" in audit_actions(ws, since=before)


# -- what an entry says ----------------------------------------------------------------------


def test_entries_record_who_when_where_what_and_why(env: StoreSite, ws: Workspace) -> None:
    sid = enrol_consented(ws)
    ws.casebook.save_form(sid, "SCR", 1, "IC", {"ICVER": "2.1"}, reason="version misread")
    entry = ws.audit.history(subject_id=sid, item_path="ICVER")[-1]
    assert entry.action == "value_changed"
    assert (entry.username, entry.role) == (NURSE, "CRC")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", entry.at_utc)
    assert re.fullmatch(r"[+-]\d\d:\d\d", entry.local_offset)
    moment = dt.datetime.strptime(entry.at_utc, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    assert abs(dt.datetime.now(dt.UTC) - moment) < dt.timedelta(hours=1)
    assert entry.installation_id == env.site.installation_id
    assert entry.entity == f"{sid}/SCR[1]/IC/ICVER"
    assert (entry.old, entry.new) == ("2.0", "2.1")
    assert entry.reason == "version misread"
    assert entry.form_version == "1.0"
    assert entry.app_version == npc_crf.__version__
    data = entry.to_json()
    assert data["entity"] == entry.entity and data["seq"] == entry.seq


def test_missing_codes_and_clearing_are_recorded_as_such(ws: Workspace) -> None:
    from npc_crf.forms.expr.evaluate import Missing

    sid = enrol_consented(ws)
    ws.casebook.save_form(sid, "BASE", 1, "HEM", {"LBDAT": "2026-01-06", "HGB": "120"})
    ws.casebook.save_form(sid, "BASE", 1, "HEM", {"HGB": Missing("ND")})
    ws.casebook.save_form(sid, "BASE", 1, "HEM", {"HGB": None})
    trail = ws.audit.history(subject_id=sid, form_oid="HEM", item_path="HGB")
    assert [(e.action, e.old, e.new) for e in trail] == [
        ("value_entered", "", "120"),
        ("value_changed", "120", "[missing: ND]"),
        ("value_cleared", "[missing: ND]", ""),
    ]


def test_history_filters_by_subject_form_and_item(ws: Workspace) -> None:
    first, second = _stream_of_saves(ws, subjects=2)
    by_subject = ws.audit.history(subject_id=first)
    assert by_subject and {e.subject_id for e in by_subject} == {first}
    assert {"subject_created", "form_created", "value_entered", "value_changed"} <= {
        e.action for e in by_subject
    }
    by_form = ws.audit.history(subject_id=second, form_oid="MH")
    assert by_form and {(e.subject_id, e.form_oid) for e in by_form} == {(second, "MH")}
    by_item = ws.audit.history(subject_id=second, form_oid="IC", item_path="ICVER")
    assert [(e.old, e.new) for e in by_item] == [("", "2.0"), ("2.0", "2.2")]
    by_event = ws.audit.history(subject_id=first, event_oid="SCR", occurrence=1)
    assert by_event and all(e.event_oid == "SCR" for e in by_event)
    seqs = [e.seq for e in ws.audit.history()]
    assert seqs == sorted(seqs) and len(seqs) == audit_count(ws)
    assert len(ws.audit.history(limit=5)) == 5
    assert ws.audit.history(subject_id="S01-01-9999") == []


def test_group_cells_are_recorded_with_their_row(ws: Workspace) -> None:
    sid = enrol_consented(ws)
    ws.casebook.save_form(sid, "SCR", 1, "MH", mh_values(mh_row("Asthma"), mh_row("Gout")))
    entries = [e for e in ws.audit.history(subject_id=sid, form_oid="MH") if e.item_path]
    assert "MH[2].MHTERM" in {e.item_path for e in entries}
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT item_path, row_uid FROM audit_entry WHERE action = 'value_entered' "
            "AND item_path LIKE 'MH[%'"
        ).all()
    assert rows and all(uid for _path, uid in rows)
    assert len({uid for _path, uid in rows}) == 2


def test_login_and_logout_are_audited(env: StoreSite) -> None:
    ws = env.login(NURSE)
    before = audit_count(ws)
    ws.logout()
    again = env.login(NURSE)
    assert audit_actions(again, since=before) == ["logout", "login"]
    entries = again.audit.history()
    assert entries[-1].source == "cli" and entries[-1].username == NURSE


def test_entries_are_canonical_json_hashes() -> None:
    """The documented hash: SHA-256 over sorted compact JSON of every column but hash."""
    import hashlib

    entry: dict[str, Any] = dict.fromkeys(chain.FIELDS)
    entry.update(seq=1, action="login", prev_hash=GENESIS, username="李医生")
    text = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert entry_hash(entry) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert entry_hash({**entry, "hash": "ignored"}) == entry_hash(entry)


def test_append_refuses_unknown_fields(ws: Workspace) -> None:
    with ws.engine.begin() as conn:
        log = AuditLog(conn, Actor("x", "CRC", "i"))
        with pytest.raises(TypeError, match="unknown audit fields"):
            log.append("login", colour="blue")


def test_a_batch_writes_the_same_chain_at_its_end_and_nothing_if_it_fails(ws: Workspace) -> None:
    before = audit_count(ws)
    with ws.engine.begin() as conn:
        log = AuditLog(conn, Actor("x", "CRC", "i"))
        with log.batch():
            first = log.append("note", reason="one")
            with log.batch():  # nested: the outer block writes
                log.append("note", reason="two")
            in_tx = conn.exec_driver_sql("SELECT count(*) FROM audit_entry").scalar()
            assert in_tx == before  # and not even this one: kept until the block ends
        assert conn.exec_driver_sql("SELECT count(*) FROM audit_entry").scalar() == before + 2
        assert first == before + 1
        log.append("note", reason="three")  # after the block: written at once again
    assert audit_count(ws) == before + 3
    assert ws.audit.verify().ok
    with pytest.raises(RuntimeError), ws.engine.begin() as conn:
        log = AuditLog(conn, Actor("x", "CRC", "i"))
        with log.batch():
            log.append("note", reason="four")
            raise RuntimeError("the save failed")
    assert audit_count(ws) == before + 3
    assert ws.audit.verify().ok
