"""Clinical records in the store: form lifecycle, group rows, typed values, events, subjects."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from npc_crf.core.errors import AuthError, PermissionDenied, UsageError, ValidationFailed
from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.expr.values import PartialDate
from npc_crf.forms.session import ROW_KEY
from npc_crf.services.casebook import FormStatus, content_hash
from npc_crf.services.subjects import SubjectStatus
from npc_crf.services.workspace import Workspace
from tests.store_helpers import (
    ADMIN,
    DOCTOR,
    IC_VALUES,
    NURSE,
    PASSWORDS,
    SiteTemplate,
    StoreSite,
    audit_actions,
    audit_count,
    enrol_consented,
    make_site,
    mh_row,
    mh_values,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> SiteTemplate:
    return SiteTemplate.build(tmp_path_factory.mktemp("template") / "site", users=(NURSE, DOCTOR))


@pytest.fixture
def env(template: SiteTemplate, tmp_path: Path) -> Iterator[StoreSite]:
    store = template.copy(tmp_path / "site")
    yield store
    store.close()


@pytest.fixture
def ws(env: StoreSite) -> Workspace:
    return env.login(NURSE)


def _form(ws: Workspace, sid: str, event: str, form: str, occurrence: int = 1) -> Any:
    with ws.engine.connect() as conn:
        return (
            conn.exec_driver_sql(
                "SELECT f.* FROM form_instance f JOIN event_instance e "
                "ON f.event_instance_id = e.id WHERE e.subject_id = ? AND e.event_oid = ? "
                "AND e.occurrence = ? AND f.form_oid = ?",
                (sid, event, occurrence, form),
            )
            .mappings()
            .first()
        )


def _values(ws: Workspace, form_id: int) -> dict[tuple[str, str], dict[str, Any]]:
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT * FROM item_value WHERE form_instance_id = ?", (form_id,)
        ).mappings()
        return {(r["row_uid"], r["item_oid"]): dict(r) for r in rows}


def _signatures(ws: Workspace, form_id: int) -> list[dict[str, Any]]:
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT * FROM signature WHERE form_instance_id = ? ORDER BY id", (form_id,)
        ).mappings()
        return [dict(r) for r in rows]


def _sign(env: StoreSite, sid: str, meaning: str = "APPROVE") -> None:
    doctor = env.login(DOCTOR)
    doctor.casebook.sign_form(
        sid, "SCR", 1, "IC", password=PASSWORDS[DOCTOR], meaning=meaning, user_id=DOCTOR
    )
    doctor.logout()


# -- the form lifecycle ----------------------------------------------------------------------


def test_form_lifecycle(env: StoreSite, ws: Workspace) -> None:
    sid = ws.subjects.enrol()
    save = ws.casebook.save_form

    # in progress
    first = save(sid, "SCR", 1, "IC", {"ICYN": "yes", "ICDAT": "2026-01-05"})
    assert (first.status, first.revision) == (FormStatus.IN_PROGRESS, 1)
    assert {i.path for i in first.items} >= {"ICVER", "ICVERDAT"}

    # --complete is refused with the list of what is missing, and saves nothing
    count = audit_count(ws)
    with pytest.raises(ValidationFailed) as caught:
        save(sid, "SCR", 1, "IC", {"ICTIM": "09:30"}, complete=True)
    problems = "\n".join(caught.value.problems)
    for item in ("ICVER", "ICVERDAT", "ICSIGNBY", "ICCOPY", "ICBIO"):
        assert f"{sid}/SCR/IC/{item}: required_empty" in problems
    assert "ICTIM" not in problems
    assert "nothing was saved" in caught.value.message
    assert audit_count(ws) == count
    assert _form(ws, sid, "SCR", "IC")["revision"] == 1
    assert ("", "ICTIM") not in _values(ws, _form(ws, sid, "SCR", "IC")["id"])

    # complete
    done = save(sid, "SCR", 1, "IC", IC_VALUES, complete=True)
    assert (done.status, done.revision) == (FormStatus.COMPLETE, 2)

    # a complete form changes only with a reason
    with pytest.raises(UsageError, match="reason for change"):
        save(sid, "SCR", 1, "IC", {"ICVER": "2.1"})
    with pytest.raises(UsageError, match="reason for change"):
        save(sid, "SCR", 1, "IC", {"ICVER": "2.1"}, reason="   ")
    edited = save(sid, "SCR", 1, "IC", {"ICVER": "2.1"}, reason="transcription error")
    assert (edited.status, edited.revision, edited.changed) == (FormStatus.COMPLETE, 3, 1)

    # only the investigator signs, with the password and a meaning of the study
    with pytest.raises(PermissionDenied):
        ws.casebook.sign_form(sid, "SCR", 1, "IC", password=PASSWORDS[NURSE], meaning="APPROVE")
    doctor = env.login(DOCTOR)
    count = audit_count(ws)
    # the first signature of a session needs the user ID too (Part 11 §11.200(a)(1))
    with pytest.raises(AuthError, match="not signed"):
        doctor.casebook.sign_form(
            sid, "SCR", 1, "IC", password=PASSWORDS[NURSE], meaning="APPROVE", user_id=DOCTOR
        )
    assert audit_actions(ws, since=count) == ["signature_refused"]
    with pytest.raises(UsageError, match="signature meaning"):
        doctor.casebook.sign_form(sid, "SCR", 1, "IC", password=PASSWORDS[DOCTOR], meaning="LIKE")
    doctor.casebook.sign_form(
        sid, "SCR", 1, "IC", password=PASSWORDS[DOCTOR], meaning="APPROVE", user_id=DOCTOR
    )
    form = _form(ws, sid, "SCR", "IC")
    assert form["status"] == FormStatus.SIGNED
    [signature] = _signatures(ws, form["id"])
    assert (signature["username"], signature["full_name"], signature["meaning"]) == (
        DOCTOR,
        "Dai Doctor",
        "APPROVE",
    )
    assert signature["form_revision"] == 3 and signature["voided_at"] is None
    stored = ws.casebook.load(sid).events[0].forms["IC"]
    assert signature["content_hash"] == content_hash(stored.answers)
    with pytest.raises(UsageError, match="only a complete form"):
        doctor.casebook.sign_form(sid, "SCR", 1, "IC", password=PASSWORDS[DOCTOR], meaning="REVIEW")

    # changing a signed form needs a reason and voids the signature
    with pytest.raises(UsageError, match="reason"):
        save(sid, "SCR", 1, "IC", {"ICVER": "2.2"})
    count = audit_count(ws)
    changed = save(sid, "SCR", 1, "IC", {"ICVER": "2.2"}, reason="new ICF version")
    assert changed.signature_voided and changed.status == FormStatus.COMPLETE
    assert audit_actions(ws, since=count) == [
        "value_changed",
        "signature_voided",
        "form_status_changed",
    ]
    voided = ws.audit.history(subject_id=sid, form_oid="IC")[-2]
    assert (voided.action, voided.reason) == ("signature_voided", "new ICF version")
    [signature] = _signatures(ws, form["id"])
    assert signature["voided_at"] is not None and signature["void_reason"] == "new ICF version"

    # a locked form refuses every change until it is unlocked
    doctor.casebook.sign_form(sid, "SCR", 1, "IC", password=PASSWORDS[DOCTOR], meaning="APPROVE")
    admin = env.login(ADMIN)
    with pytest.raises(UsageError, match="reason"):
        admin.casebook.set_locked(sid, "SCR", 1, "IC", True, "")
    admin.casebook.set_locked(sid, "SCR", 1, "IC", True, "interim analysis")
    assert _form(ws, sid, "SCR", "IC")["status"] == FormStatus.LOCKED
    with pytest.raises(UsageError, match="locked"):
        save(sid, "SCR", 1, "IC", {"ICVER": "2.3"}, reason="anything")
    with pytest.raises(UsageError, match="complete form"):
        doctor.casebook.sign_form(sid, "SCR", 1, "IC", password=PASSWORDS[DOCTOR], meaning="REVIEW")
    with pytest.raises(UsageError, match="already locked"):
        admin.casebook.set_locked(sid, "SCR", 1, "IC", True, "again")
    admin.casebook.set_locked(sid, "SCR", 1, "IC", False, "query answered")
    assert _form(ws, sid, "SCR", "IC")["status"] == FormStatus.SIGNED  # the signature stands
    unlocked = ws.audit.history(subject_id=sid, form_oid="IC")[-1]
    assert (unlocked.action, unlocked.old, unlocked.new, unlocked.reason) == (
        "form_unlocked",
        "status=locked",
        "status=signed",
        "query answered",
    )

    # clearing a required item takes a complete form back to in progress
    cleared = save(sid, "SCR", 1, "IC", {"ICVER": None}, reason="version unknown")
    assert cleared.status == FormStatus.IN_PROGRESS and cleared.signature_voided
    assert ws.audit.verify().ok


def test_saving_the_same_values_again_changes_nothing(ws: Workspace) -> None:
    sid = enrol_consented(ws)
    revision = _form(ws, sid, "SCR", "IC")["revision"]
    count = audit_count(ws)
    result = ws.casebook.save_form(sid, "SCR", 1, "IC", IC_VALUES, complete=True)
    assert (result.changed, result.status) == (0, FormStatus.COMPLETE)
    assert _form(ws, sid, "SCR", "IC")["revision"] == revision
    assert audit_count(ws) == count


def test_refused_values_save_nothing(ws: Workspace) -> None:
    sid = ws.subjects.enrol()
    count = audit_count(ws)
    with pytest.raises(ValidationFailed) as caught:
        ws.casebook.save_form(
            sid, "SCR", 1, "IC", {"ICYN": "yes", "ICDAT": "not a date", "ICTIM": "25:99"}
        )
    assert len(caught.value.problems) == 2
    assert all(p.startswith(f"{sid}/SCR/IC/") for p in caught.value.problems)
    assert _form(ws, sid, "SCR", "IC") is None
    assert audit_count(ws) == count
    assert ws.casebook.load(sid).events == []


def test_unlocking_an_unsigned_complete_form_gives_complete(env: StoreSite, ws: Workspace) -> None:
    sid = enrol_consented(ws)
    admin = env.login(ADMIN)
    admin.casebook.set_locked(sid, "SCR", 1, "IC", True, "lock")
    admin.casebook.set_locked(sid, "SCR", 1, "IC", False, "unlock")
    assert _form(ws, sid, "SCR", "IC")["status"] == FormStatus.COMPLETE
    with pytest.raises(UsageError, match="already unlocked"):
        admin.casebook.set_locked(sid, "SCR", 1, "IC", False, "unlock")
    with pytest.raises(UsageError, match="not been started"):
        admin.casebook.set_locked(sid, "SCR", 1, "MH", True, "lock")


# -- repeating group rows --------------------------------------------------------------------


def _rows(ws: Workspace, form_id: int) -> list[dict[str, Any]]:
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT * FROM group_row WHERE form_instance_id = ? ORDER BY position, created_at",
            (form_id,),
        ).mappings()
        return [dict(r) for r in rows]


def test_group_rows_are_added_edited_and_soft_deleted(ws: Workspace) -> None:
    sid = enrol_consented(ws)
    rows = [mh_row("Hypertension"), mh_row("Gout"), mh_row("Asthma")]
    count = audit_count(ws)
    ws.casebook.save_form(sid, "SCR", 1, "MH", mh_values(*rows), complete=True)
    assert audit_actions(ws, since=count).count("row_added") == 3
    form = _form(ws, sid, "SCR", "MH")
    stored = _rows(ws, form["id"])
    assert [(r["position"], r["deleted"]) for r in stored] == [(1, 0), (2, 0), (3, 0)]
    uids = [r["uid"] for r in stored]
    values = _values(ws, form["id"])
    assert values[(uids[1], "MHTERM")]["value"] == "Gout"

    # edit one cell of row 2: same row, same value row, next version
    ws.casebook.save_form(sid, "SCR", 1, "MH", {"MH[2].MHTERM": "Gouty arthritis"}, reason="typo")
    after = _values(ws, form["id"])
    assert after[(uids[1], "MHTERM")]["value"] == "Gouty arthritis"
    assert after[(uids[1], "MHTERM")]["id"] == values[(uids[1], "MHTERM")]["id"]
    assert after[(uids[1], "MHTERM")]["version"] == 2
    edit = ws.audit.history(subject_id=sid, item_path="MH[2].MHTERM")[-1]
    assert (edit.old, edit.new, edit.reason) == ("Gout", "Gouty arthritis", "typo")

    # add a fourth row cell by cell
    ws.casebook.save_form(
        sid,
        "SCR",
        1,
        "MH",
        {f"MH[4].{k}": v for k, v in mh_row("Hepatitis B").items()},
        reason="found in old notes",
    )
    stored = _rows(ws, form["id"])
    assert len(stored) == 4 and stored[:3] == _rows(ws, form["id"])[:3]
    uids.append(stored[3]["uid"])

    # remove the last row: soft-deleted and audited; the others keep identity and values
    before = _values(ws, form["id"])
    count = audit_count(ws)
    keep = [rows[0], {**rows[1], "MHTERM": "Gouty arthritis"}, rows[2]]
    ws.casebook.save_form(sid, "SCR", 1, "MH", mh_values(*keep), reason="entered twice")
    by_uid = {r["uid"]: r for r in _rows(ws, form["id"])}
    assert set(by_uid) == set(uids)  # nothing is ever deleted
    assert by_uid[uids[3]]["deleted"] == 1
    assert [by_uid[u]["deleted"] for u in uids[:3]] == [0, 0, 0]
    deleted = [e for e in ws.audit.history(subject_id=sid) if e.seq > count]
    assert "row_deleted" in [e.action for e in deleted]
    with ws.engine.connect() as conn:
        row_uid, reason = conn.exec_driver_sql(
            "SELECT row_uid, reason FROM audit_entry WHERE action = 'row_deleted'"
        ).one()
    assert (row_uid, reason) == (uids[3], "entered twice")
    after = _values(ws, form["id"])
    for uid in uids[:3]:
        for item in ("MHTERM", "MHSTDAT", "MHTOXGR"):
            assert after[(uid, item)] == before[(uid, item)]
    session = ws.casebook.open_form(sid, "SCR", 1, "MH")
    assert session.row_count("MH") == 3
    assert [session.row_key("MH", n) for n in (1, 2, 3)] == uids[:3]
    loaded = ws.casebook.load(sid).events[0].forms["MH"].answers["MH"]
    assert [r["MHTERM"] for r in loaded] == ["Hypertension", "Gouty arthritis", "Asthma"]
    assert all(ROW_KEY not in r for r in loaded)
    assert ws.audit.verify().ok


def test_group_row_limit_is_enforced(ws: Workspace) -> None:
    sid = enrol_consented(ws)
    with pytest.raises(ValidationFailed, match="refused") as caught:
        ws.casebook.save_form(sid, "SCR", 1, "MH", mh_values(*[mh_row(f"C{n}") for n in range(41)]))
    assert "at most 40 rows" in "\n".join(caught.value.problems)
    assert _form(ws, sid, "SCR", "MH") is None


# -- typed values ----------------------------------------------------------------------------

# (event, form, values, item path, stored kind, stored text, loaded value)
TYPED: list[tuple[str, str, dict[str, object], str, str, str, object]] = [
    (
        "SCR",
        "MH",
        mh_values(mh_row("x", "2024-03")),
        "MH[1].MHSTDAT",
        "pdate",
        "2024-03",
        PartialDate(2024, 3),
    ),
    (
        "SCR",
        "MH",
        mh_values(mh_row("x", "2015")),
        "MH[1].MHSTDAT",
        "pdate",
        "2015",
        PartialDate(2015),
    ),
    (
        "SCR",
        "MH",
        mh_values(mh_row("x", "2015-06-07")),
        "MH[1].MHSTDAT",
        "pdate",
        "2015-06-07",
        PartialDate(2015, 6, 7),
    ),
    (
        "SCR",
        "MH",
        mh_values(mh_row("高血压 3级")),
        "MH[1].MHTERM",
        "text",
        "高血压 3级",
        "高血压 3级",
    ),
    ("SCR", "MH", mh_values(mh_row("x", grade="3")), "MH[1].MHTOXGR", "int", "3", 3),
    (
        "SCR",
        "MH",
        mh_values(mh_row("x")),
        "MH[1].MHCAT",
        "code",
        '"CARDIOVASCULAR"',
        "CARDIOVASCULAR",
    ),
    (
        "BASE",
        "HEM",
        {"LBDAT": "2026-01-06", "WBC": "12.50"},
        "WBC",
        "dec",
        "12.50",
        Decimal("12.50"),
    ),
    ("BASE", "HEM", {"LBDAT": "2026-01-06", "WBC": "7.0"}, "WBC", "dec", "7.0", Decimal("7.0")),
    ("BASE", "HEM", {"LBDAT": "2026-01-06", "HGB": "120"}, "HGB", "int", "120", 120),
    (
        "SCR",
        "IC",
        {"ICYN": "yes", "ICDAT": "2026-01-05"},
        "ICDAT",
        "date",
        "2026-01-05",
        dt.date(2026, 1, 5),
    ),
    ("SCR", "IC", {"ICYN": "yes", "ICTIM": "09:30"}, "ICTIM", "time", "09:30", dt.time(9, 30)),
    ("SCR", "IC", {"ICYN": "no"}, "ICYN", "bool", "false", False),
]


@pytest.mark.parametrize(
    ("event", "form", "values", "path", "kind", "text", "loaded"),
    [pytest.param(*case, id=f"{case[3]}={case[5]}") for case in TYPED],
)
def test_values_are_stored_as_typed_text_and_read_back(
    ws: Workspace,
    event: str,
    form: str,
    values: dict[str, object],
    path: str,
    kind: str,
    text: str,
    loaded: object,
) -> None:
    sid = ws.subjects.enrol()
    if event != "SCR" or form != "IC":
        ws.casebook.save_form(sid, "SCR", 1, "IC", IC_VALUES)
    ws.casebook.save_form(sid, event, 1, form, values)
    record = _form(ws, sid, event, form)
    stored = _values(ws, record["id"])
    item = path.split(".")[-1]
    [cell] = [v for (_row, oid), v in stored.items() if oid == item]
    assert (cell["kind"], cell["value"], cell["missing_code"]) == (kind, text, None)
    casebook = ws.casebook.load(sid)
    [got] = [f.answers for e in casebook.events for f in e.forms.values() if f.form_oid == form]
    value = got["MH"][0][item] if path.startswith("MH[") else got[item]
    assert value == loaded and type(value) is type(loaded)
    if isinstance(loaded, Decimal) and isinstance(value, Decimal):
        assert value.as_tuple().exponent == loaded.as_tuple().exponent  # scale kept


def test_missing_data_code_is_stored_apart_from_the_value(ws: Workspace) -> None:
    sid = enrol_consented(ws)
    ws.casebook.save_form(sid, "BASE", 1, "HEM", {"LBDAT": "2026-01-06", "HGB": Missing("ND")})
    record = _form(ws, sid, "BASE", "HEM")
    cell = _values(ws, record["id"])[("", "HGB")]
    assert (cell["kind"], cell["value"], cell["missing_code"]) == (None, None, "ND")
    hem = ws.casebook.load(sid).events[-1].forms["HEM"]
    assert hem.answers["HGB"] == Missing("ND")
    assert ws.casebook.load(sid).to_json()["events"][-1]["forms"]["HEM"]["values"]["HGB"] == {
        "missing": "ND"
    }
    assert ws.casebook.open_form(sid, "BASE", 1, "HEM").value("HGB") == Missing("ND")
    # and back to a value
    ws.casebook.save_form(sid, "BASE", 1, "HEM", {"HGB": "118"})
    cell = _values(ws, record["id"])[("", "HGB")]
    assert (cell["kind"], cell["value"], cell["missing_code"], cell["version"]) == (
        "int",
        "118",
        None,
        2,
    )


@pytest.mark.parametrize(
    ("event", "form", "values"),
    [
        ("BASE", "HEM", {"LBDAT": Missing("ND")}),  # this item takes no missing-data code
        ("BASE", "HEM", {"HGB": Missing("XX")}),  # not a code of the study
        ("BASE", "HEM", {"HGB": Missing("UNK")}),  # a code of the study, not of this item
    ],
    ids=["item-takes-none", "unknown-code", "code-not-allowed-here"],
)
def test_missing_codes_not_allowed_are_refused(
    ws: Workspace, event: str, form: str, values: dict[str, object]
) -> None:
    sid = enrol_consented(ws)
    with pytest.raises(ValidationFailed):
        ws.casebook.save_form(sid, event, 1, form, values)
    assert _form(ws, sid, event, form) is None


# -- events and occurrences ------------------------------------------------------------------

VS = {"WEIGHT": "70"}

# (occurrences saved first, event, occurrence to save, error words or None)
EVENTS: list[tuple[list[int], str, int, str | None]] = [
    ([], "CYCLE", 1, None),
    ([1], "CYCLE", 2, None),
    ([1, 2], "CYCLE", 2, None),  # an existing occurrence may be saved again
    ([], "CYCLE", 2, "the next one is 1, not 2"),
    ([1], "CYCLE", 3, "the next one is 2, not 3"),
    ([], "CYCLE", 0, "counted from 1"),
    ([], "SCR", 2, "happens once"),
    ([], "NOPE", 1, "no event 'NOPE'"),
]


@pytest.mark.parametrize(
    ("before", "event", "occurrence", "error"),
    [pytest.param(b, e, o, x, id=f"{e}{b}+{o}") for b, e, o, x in EVENTS],
)
def test_event_occurrences_are_created_in_order(
    ws: Workspace, before: list[int], event: str, occurrence: int, error: str | None
) -> None:
    sid = enrol_consented(ws)
    for n in before:
        ws.casebook.save_form(sid, "CYCLE", n, "VS", VS)
    form = "VS" if event != "SCR" else "MH"
    values = VS if event != "SCR" else {"MHYN": "no"}
    if error is None:
        ws.casebook.save_form(sid, event, occurrence, form, values)
        assert _form(ws, sid, event, form, occurrence) is not None
        return
    count = audit_count(ws)
    events = ws.casebook.load(sid).to_json()
    with pytest.raises(UsageError, match=re.escape(error)):
        ws.casebook.save_form(sid, event, occurrence, form, values)
    assert audit_count(ws) == count
    assert ws.casebook.load(sid).to_json() == events


def test_form_must_belong_to_the_event_and_subject_must_exist(ws: Workspace) -> None:
    sid = enrol_consented(ws)
    with pytest.raises(UsageError, match="has no form 'EX'"):
        ws.casebook.save_form(sid, "SCR", 1, "EX", {})
    with pytest.raises(UsageError, match="no subject 'S01-01-0999'"):
        ws.casebook.save_form("S01-01-0999", "SCR", 1, "IC", IC_VALUES)


def test_repeating_event_stops_at_its_maximum(ws: Workspace) -> None:
    sid = enrol_consented(ws)
    for n in range(1, 36):
        ws.casebook.save_form(sid, "CYCLE", n, "VS", VS)
    with pytest.raises(UsageError, match="at most 35"):
        ws.casebook.save_form(sid, "CYCLE", 36, "VS", VS)


# -- subjects --------------------------------------------------------------------------------


def test_subject_ids_are_site_installation_sequence(ws: Workspace) -> None:
    ids = [ws.subjects.enrol() for _ in range(3)]
    assert ids == ["S01-01-0001", "S01-01-0002", "S01-01-0003"]
    assert [s.subject_id for s in ws.subjects.list()] == ids
    info = ws.subjects.get(ids[0])
    assert (info.status, info.created_by) == (SubjectStatus.SCREENING, NURSE)


@pytest.mark.parametrize(
    ("site_id", "number", "expected"),
    [("S01", 2, "S01-02-0001"), ("S07", 1, "S07-01-0001"), ("GZ2", 12, "GZ2-12-0001")],
)
def test_installations_allocate_ids_that_cannot_collide(
    tmp_path: Path, site_id: str, number: int, expected: str
) -> None:
    store = make_site(tmp_path / "site", site_id=site_id, installation_number=number)
    try:
        ws = store.login(NURSE)
        assert ws.subjects.enrol() == expected
    finally:
        store.close()


@pytest.mark.parametrize("number", [0, 100])
def test_installation_number_must_be_1_to_99(tmp_path: Path, number: int) -> None:
    with pytest.raises(UsageError, match="between 1 and 99"):
        make_site(tmp_path / "site", installation_number=number)


S = SubjectStatus
# (changes made first, change to try, reason, error words or None)
STATUS: list[tuple[list[S], S, str | None, str | None]] = [
    ([], S.ENROLLED, None, None),
    ([], S.SCREEN_FAILURE, "ECOG 2", None),
    ([], S.SCREEN_FAILURE, None, "reason is needed"),
    ([], S.SCREEN_FAILURE, "  ", "reason is needed"),
    ([], S.ON_TREATMENT, None, "cannot become on_treatment"),
    ([S.SCREEN_FAILURE], S.ENROLLED, None, "possible: none"),
    ([S.ENROLLED], S.ON_TREATMENT, None, None),
    ([S.ENROLLED], S.OFF_STUDY, None, "reason is needed"),
    ([S.ENROLLED], S.OFF_STUDY, "withdrew consent", None),
    ([S.ENROLLED], S.SCREENING, None, "cannot become screening"),
    ([S.ENROLLED, S.ON_TREATMENT], S.FOLLOW_UP, None, None),
    ([S.ENROLLED, S.ON_TREATMENT, S.FOLLOW_UP], S.DIED, None, None),
    ([S.ENROLLED, S.DIED], S.OFF_STUDY, "x", "possible: none"),
    ([S.ENROLLED, S.OFF_STUDY], S.DIED, None, None),
]


@pytest.mark.parametrize(
    ("path", "target", "reason", "error"),
    [
        pytest.param(p, t, r, e, id="->".join(["screening", *p, t]) + ("" if r else "-no-reason"))
        for p, t, r, e in STATUS
    ],
)
def test_subject_status_transitions(
    ws: Workspace, path: list[S], target: S, reason: str | None, error: str | None
) -> None:
    sid = ws.subjects.enrol()
    for step in path:
        ws.subjects.set_status(sid, step, reason="because")
    before = ws.subjects.get(sid)
    count = audit_count(ws)
    if error is not None:
        with pytest.raises(UsageError, match=error):
            ws.subjects.set_status(sid, target, reason=reason)
        assert ws.subjects.get(sid) == before
        assert audit_count(ws) == count
        return
    ws.subjects.set_status(sid, target, reason=reason, on=dt.date(2026, 2, 1))
    after = ws.subjects.get(sid)
    assert (after.status, after.status_reason, after.status_date) == (
        target,
        reason,
        "2026-02-01",
    )
    entry = ws.audit.history(subject_id=sid)[-1]
    assert entry.action == "subject_status_changed"
    assert entry.old == f"status={before.status.value}"
    assert entry.new == f"status={target.value}, status_date=2026-02-01"
    assert entry.reason == reason


def test_a_removed_row_keeps_its_values(ws: Workspace) -> None:
    """docs/store.md: rows are never physically deleted; removing one keeps its values."""
    sid = enrol_consented(ws)
    rows = [mh_row("Hypertension"), mh_row("Gout")]
    ws.casebook.save_form(sid, "SCR", 1, "MH", mh_values(*rows))
    form = _form(ws, sid, "SCR", "MH")
    removed = _rows(ws, form["id"])[1]["uid"]
    before = {k: v for k, v in _values(ws, form["id"]).items() if k[0] == removed}
    ws.casebook.save_form(sid, "SCR", 1, "MH", mh_values(rows[0]))
    after = {k: v for k, v in _values(ws, form["id"]).items() if k[0] == removed}
    assert {k: v["value"] for k, v in after.items()} == {k: v["value"] for k, v in before.items()}


def test_a_session_saved_as_entered_removes_a_middle_row_by_identity(ws: Workspace) -> None:
    """What the form entry screen does: edit the loaded session, save ``entered()``."""
    sid = enrol_consented(ws)
    rows = [mh_row("Hypertension"), mh_row("Gout"), mh_row("Asthma")]
    ws.casebook.save_form(sid, "SCR", 1, "MH", mh_values(*rows))
    form = _form(ws, sid, "SCR", "MH")
    uids = [r["uid"] for r in _rows(ws, form["id"])]
    session = ws.casebook.open_form(sid, "SCR", 1, "MH")
    session.remove_row("MH", 2)  # Gout was entered by mistake
    new = session.add_row("MH")
    session.answer(f"MH[{new}].MHTERM", "Diabetes mellitus")
    session.answer(f"MH[{new}].MHCAT", "ENDOCRINE")
    entered = session.entered()
    mh = entered["MH"]
    assert isinstance(mh, list)
    assert [r.get(ROW_KEY) for r in mh] == [uids[0], uids[2], None]
    saved = ws.casebook.save_form(sid, "SCR", 1, "MH", entered, reason="wrong patient's chart")
    assert saved.changed > 0
    by_uid = {r["uid"]: r for r in _rows(ws, form["id"])}
    assert by_uid[uids[1]]["deleted"] == 1  # the middle row, not the last one
    assert [by_uid[u]["deleted"] for u in (uids[0], uids[2])] == [0, 0]
    values = _values(ws, form["id"])
    assert values[(uids[2], "MHTERM")]["version"] == 1  # Asthma kept its row, unchanged
    terms = [r["MHTERM"] for r in ws.casebook.load(sid).events[0].forms["MH"].answers["MH"]]
    assert terms == ["Hypertension", "Asthma", "Diabetes mellitus"]
    # saving the same again changes nothing
    again = ws.casebook.open_form(sid, "SCR", 1, "MH")
    assert ws.casebook.save_form(sid, "SCR", 1, "MH", again.entered()).changed == 0


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ([{ROW_KEY: "no-such-row", "MHTERM": "x"}], "no stored row"),
        ("swap", "keep their order"),
    ],
)
def test_rows_with_identities_must_match_the_store(ws: Workspace, rows: Any, words: str) -> None:
    sid = enrol_consented(ws)
    ws.casebook.save_form(sid, "SCR", 1, "MH", mh_values(mh_row("A"), mh_row("B")))
    entered = ws.casebook.open_form(sid, "SCR", 1, "MH").entered()
    if rows == "swap":
        stored = entered["MH"]
        assert isinstance(stored, list)
        rows = list(reversed(stored))
    with pytest.raises(ValidationFailed) as caught:
        ws.casebook.save_form(sid, "SCR", 1, "MH", {**entered, "MH": rows}, reason="test")
    assert any(words in p for p in caught.value.problems)


def test_one_form_record_is_read_without_the_whole_casebook(ws: Workspace) -> None:
    sid = enrol_consented(ws)
    assert ws.casebook.form_record(sid, "SCR", 1, "MH") is None
    ws.casebook.save_form(sid, "SCR", 1, "MH", mh_values(mh_row("Gout")))
    record = ws.casebook.form_record(sid, "SCR", 1, "MH")
    assert record is not None
    assert (record.status, record.revision) == (FormStatus.IN_PROGRESS, 1)
    assert record.answers["MH"][0]["MHTERM"] == "Gout"
    assert ROW_KEY not in record.answers["MH"][0]
    with ws.tx() as tx:  # inside a transaction it sees that transaction's changes
        ws.casebook.save_form(sid, "SCR", 1, "MH", {"MH[1].MHTERM": "Gouty arthritis"}, tx=tx)
        inside = ws.casebook.form_record(sid, "SCR", 1, "MH", tx=tx)
        assert inside is not None and inside.answers["MH"][0]["MHTERM"] == "Gouty arthritis"
    with pytest.raises(UsageError):
        ws.casebook.form_record(sid, "SCR", 1, "NOPE")


def test_enrol_status_and_forms_can_share_one_transaction(ws: Workspace) -> None:
    """An import or a wizard may register, fill in and enrol as one unit: all or nothing."""
    before = {s.subject_id for s in ws.subjects.list()}
    with pytest.raises(ValidationFailed), ws.tx() as tx:
        sid = ws.subjects.enrol(tx=tx)
        ws.casebook.save_form(sid, "SCR", 1, "IC", IC_VALUES, complete=True, tx=tx)
        ws.casebook.save_form(sid, "SCR", 1, "MH", {"MHYN": "perhaps"}, tx=tx)  # refused
    assert {s.subject_id for s in ws.subjects.list()} == before  # nothing of it was kept
    with ws.tx() as tx:
        sid = ws.subjects.enrol(tx=tx)
        ws.casebook.save_form(sid, "SCR", 1, "IC", IC_VALUES, complete=True, tx=tx)
        ws.subjects.set_status(sid, SubjectStatus.SCREEN_FAILURE, reason="ALT too high", tx=tx)
    assert ws.subjects.get(sid).status is SubjectStatus.SCREEN_FAILURE


def test_a_reader_never_blocks_a_save(ws: Workspace) -> None:
    """The GUI reads (worklists, casebooks) while the nurse saves: readers take snapshots."""
    sid = enrol_consented(ws)
    with ws.read() as conn:
        before = conn.exec_driver_sql("SELECT count(*) FROM audit_entry").scalar_one()
        ws.casebook.save_form(sid, "SCR", 1, "MH", mh_values(mh_row("Gout")))  # not blocked
        during = conn.exec_driver_sql("SELECT count(*) FROM audit_entry").scalar_one()
        assert during == before  # the reader keeps its snapshot
    assert audit_count(ws) > before
