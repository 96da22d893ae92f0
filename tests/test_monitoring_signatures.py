"""Electronic signatures: the signed payload, re-authentication, batches, voiding,
manifestations, the to-sign list, and detecting forged signed records."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from npc_crf.core.errors import AuthError, PermissionDenied, UsageError, ValidationFailed
from npc_crf.services.casebook import FormStatus
from npc_crf.services.monitoring.signature_check import (
    AUDIT_MISMATCH,
    CONTENT_CHANGED,
    NOT_SEALED,
    SIGNATURE_INVALID,
    UNKNOWN_INSTALLATION,
    verify_signatures,
)
from npc_crf.services.monitoring.signed_payload import (
    SignedContent,
    is_sealed_by,
    payload_bytes,
    payload_digest,
    seal,
)
from npc_crf.services.workspace import Workspace
from tests.store_helpers import (
    ADMIN,
    DOCTOR,
    FULL_NAMES,
    IC_VALUES,
    MONITOR,
    NURSE,
    PASSWORDS,
    SiteTemplate,
    StoreSite,
    audit_actions,
    audit_count,
    enrol_consented,
    mh_row,
    mh_values,
    raw_db,
    read_keys,
)

VECTORS = Path(__file__).parent / "vectors"
VECTOR: dict[str, Any] = json.loads((VECTORS / "signature_v1.json").read_text(encoding="utf-8"))
MH_VALUES = mh_values(mh_row("Hypertension"))
WRONG_PASSWORD = "not my password"  # noqa: S105 - a wrong password, on purpose


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> SiteTemplate:
    return SiteTemplate.build(
        tmp_path_factory.mktemp("template") / "site", users=(NURSE, DOCTOR, MONITOR)
    )


@pytest.fixture
def env(template: SiteTemplate, tmp_path: Path) -> Iterator[StoreSite]:
    store = template.copy(tmp_path / "site")
    yield store
    store.close()


@pytest.fixture
def nurse(env: StoreSite) -> Workspace:
    return env.login(NURSE)


@pytest.fixture
def doctor(env: StoreSite) -> Workspace:
    return env.login(DOCTOR)


def screened(nurse: Workspace, *, mh_complete: bool = True) -> str:
    """A subject with a complete consent form and a medical history (complete or not)."""
    sid = enrol_consented(nurse)
    if mh_complete:
        nurse.casebook.save_form(sid, "SCR", 1, "MH", MH_VALUES, complete=True)
    else:
        nurse.casebook.save_form(sid, "SCR", 1, "MH", {"MHYN": "yes"})
    return sid


def status(ws: Workspace, sid: str, form: str, event: str = "SCR") -> FormStatus:
    record = ws.casebook.form_record(sid, event, 1, form)
    assert record is not None
    return record.status


def signatures(ws: Workspace, sid: str | None = None) -> list[dict[str, Any]]:
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT s.*, f.form_oid, e.subject_id FROM signature s "
            "JOIN form_instance f ON s.form_instance_id = f.id "
            "JOIN event_instance e ON f.event_instance_id = e.id ORDER BY s.id"
        ).mappings()
        return [dict(r) for r in rows if sid is None or r["subject_id"] == sid]


def in_session(ws: Workspace) -> bool:
    """Whether ``ws`` signed in its current continuous session."""
    return ws.signed_in_session


def sign_ic(doctor: Workspace, sid: str, *, meaning: str = "APPROVE", first: bool = True) -> None:
    doctor.signatures.sign_form(
        sid,
        "SCR",
        1,
        "IC",
        meaning=meaning,
        password=PASSWORDS[DOCTOR],
        user_id=DOCTOR if first else None,
    )


# -- the signed payload against its test vector -------------------------------------------------


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_signature_vector", VECTORS / "make_signature_vector.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_vector_file_is_what_the_generator_makes() -> None:
    assert _generator().build() == VECTOR


def test_vector_payload_digest_and_signature_are_what_the_code_makes() -> None:
    content = SignedContent(**VECTOR["fields"])
    assert payload_bytes(content) == VECTOR["payload"].encode("utf-8")
    assert payload_digest(content).hex() == VECTOR["payload_sha256"]
    private, public = bytes.fromhex(VECTOR["private_key"]), bytes.fromhex(VECTOR["public_key"])
    signed = bytes.fromhex(VECTOR["ed25519"])
    assert seal(private, content) == signed  # Ed25519 is deterministic
    assert is_sealed_by(public, content, signed)
    for field, value in (("revision", 5), ("meaning", "REVIEW"), ("full_name", "Dai Doctor")):
        changed = SignedContent(**(VECTOR["fields"] | {field: value}))
        assert not is_sealed_by(public, changed, signed), field
    assert not is_sealed_by(public, content, signed[:-1] + bytes([signed[-1] ^ 1]))


def test_a_stored_signature_verifies_with_the_installation_key_from_the_primitives(
    nurse: Workspace, doctor: Workspace
) -> None:
    sid = screened(nurse)
    sign_ic(doctor, sid)
    [row] = signatures(nurse, sid)
    with nurse.engine.connect() as conn:
        public = conn.exec_driver_sql(
            "SELECT public_key FROM installation WHERE installation_id = ?",
            (row["installation_id"],),
        ).scalar_one()
        form = (
            conn.exec_driver_sql(
                "SELECT * FROM form_instance WHERE id = ?", (row["form_instance_id"],)
            )
            .mappings()
            .one()
        )
    document = {
        "format": "npc-crf/signature",
        "version": 1,
        "study": "NPC-SINT-RT",
        "subject": sid,
        "event": "SCR",
        "occurrence": 1,
        "form": "IC",
        "form_version": form["form_version"],
        "definition_hash": form["definition_hash"],
        "revision": form["revision"],
        "content_hash": row["content_hash"],
        "signer": DOCTOR,
        "full_name": FULL_NAMES[DOCTOR],
        "meaning": "APPROVE",
        "signed_at": row["signed_at"],
        "scope": "form",
        "batch": row["batch_uid"],
    }
    payload = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(payload.encode()).digest()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    Ed25519PublicKey.from_public_bytes(public).verify(row["ed25519"], digest)  # raises if not
    [entry] = [e for e in nurse.audit.history(subject_id=sid) if e.action == "form_signed"]
    assert f"payload_hash={digest.hex()}" in entry.new
    assert row["signed_at"].endswith("Z") and len(row["ed25519"]) == 64


# -- re-authentication ---------------------------------------------------------------------------


def test_first_signature_needs_user_id_and_password_later_ones_the_password(
    env: StoreSite, nurse: Workspace, doctor: Workspace
) -> None:
    first, second = screened(nurse), screened(nurse)
    count = audit_count(nurse)
    with pytest.raises(AuthError, match="first signature of a session needs your user ID"):
        sign_ic(doctor, first, first=False)
    assert audit_count(nurse) == count and signatures(nurse) == []
    assert not in_session(doctor)
    sign_ic(doctor, first)
    assert in_session(doctor)
    # later in the same session: the password alone
    doctor.signatures.sign_form(first, "SCR", 1, "MH", meaning="REVIEW", password=PASSWORDS[DOCTOR])
    assert status(nurse, first, "MH") is FormStatus.SIGNED
    # a lock ends the continuous session: both components again
    doctor.lock("by hand")
    doctor.unlock(PASSWORDS[DOCTOR])
    assert not in_session(doctor)
    with pytest.raises(AuthError, match="user ID"):
        sign_ic(doctor, second, first=False)
    sign_ic(doctor, second)
    # and so does a logout
    doctor.logout()
    assert not in_session(doctor)
    again = env.login(DOCTOR)
    with pytest.raises(AuthError, match="user ID"):
        again.signatures.sign_form(
            second, "SCR", 1, "MH", meaning="REVIEW", password=PASSWORDS[DOCTOR]
        )


def test_wrong_credentials_are_audited_and_count_towards_the_lockout(
    env: StoreSite, nurse: Workspace, doctor: Workspace
) -> None:
    sid = screened(nurse)
    count = audit_count(nurse)
    with pytest.raises(AuthError, match="not signed"):
        doctor.signatures.sign_form(
            sid, "SCR", 1, "IC", meaning="APPROVE", password=WRONG_PASSWORD, user_id=DOCTOR
        )
    with pytest.raises(AuthError, match="not signed"):
        doctor.signatures.sign_form(
            sid, "SCR", 1, "IC", meaning="APPROVE", password=PASSWORDS[DOCTOR], user_id=NURSE
        )
    assert audit_actions(nurse, since=count) == ["signature_refused", "signature_refused"]
    refused = [e for e in nurse.audit.history(subject_id=sid) if e.action == "signature_refused"]
    assert [(e.username, e.reason, e.form_oid) for e in refused] == [
        (DOCTOR, "wrong password", "IC"),
        (DOCTOR, "wrong user ID", "IC"),
    ]
    assert PASSWORDS[DOCTOR] not in json.dumps([e.to_json() for e in refused])
    assert read_keys(env.root)["accounts"][DOCTOR]["failed_logins"] == 2
    assert signatures(nurse) == [] and status(nurse, sid, "IC") is FormStatus.COMPLETE
    sign_ic(doctor, sid)  # right: the count starts again
    assert read_keys(env.root)["accounts"][DOCTOR]["failed_logins"] == 0

    # guessing at the signature dialog locks the account like guessing at login
    limit = env.site.policy.max_failed_logins
    for n in range(limit):
        with pytest.raises(AuthError, match="not signed") as caught:
            doctor.signatures.sign_form(
                sid, "SCR", 1, "MH", meaning="REVIEW", password=f"guess {n}"
            )
    assert "is now locked" in caught.value.message and "session has ended" in caught.value.message
    assert doctor.logged_out
    assert audit_actions(nurse, since=audit_count(nurse) - 3) == [
        "signature_refused",
        "account_locked",
        "logout",
    ]
    with pytest.raises(AuthError, match="locked"):
        env.login(DOCTOR)


def test_only_investigators_sign_and_only_with_a_meaning_of_the_study(
    env: StoreSite, nurse: Workspace, doctor: Workspace
) -> None:
    sid = screened(nurse)
    for ws, user in ((nurse, NURSE), (env.login(MONITOR), MONITOR), (env.login(ADMIN), ADMIN)):
        with pytest.raises(PermissionDenied):
            ws.signatures.sign_casebook(
                sid, meaning="APPROVE", password=PASSWORDS[user], user_id=user
            )
    with pytest.raises(UsageError, match="not a signature meaning"):
        sign_ic(doctor, sid, meaning="LIKE")
    with pytest.raises(UsageError, match="no subject"):
        sign_ic(doctor, "S01-01-9999")
    with pytest.raises(UsageError, match="has not been started"):
        doctor.signatures.sign_event(
            sid, "BASE", meaning="REVIEW", password=PASSWORDS[DOCTOR], user_id=DOCTOR
        )
    assert signatures(nurse) == []


# -- events and casebooks ------------------------------------------------------------------------


def test_an_event_with_a_form_in_progress_is_refused_up_front_naming_it(
    nurse: Workspace, doctor: Workspace
) -> None:
    sid = screened(nurse, mh_complete=False)
    count = audit_count(nurse)
    with pytest.raises(ValidationFailed) as caught:
        # refused before the password is even checked: a wrong one is not counted
        doctor.signatures.sign_event(
            sid, "SCR", meaning="REVIEW", password=WRONG_PASSWORD, user_id=DOCTOR
        )
    assert caught.value.problems == [f"{sid}/SCR/MH: in progress"]
    assert "Nothing was signed" in caught.value.message
    assert audit_count(nurse) == count and signatures(nurse) == []
    assert status(nurse, sid, "IC") is FormStatus.COMPLETE

    nurse.casebook.save_form(sid, "SCR", 1, "MH", MH_VALUES, complete=True)
    count = audit_count(nurse)
    result = doctor.signatures.sign_event(
        sid, "SCR", meaning="REVIEW", password=PASSWORDS[DOCTOR], user_id=DOCTOR
    )
    assert [f.form_oid for f in result.signed] == ["IC", "MH"] and result.skipped == ()
    rows = signatures(nurse, sid)
    assert {r["batch_uid"] for r in rows} == {result.batch_uid}
    assert {(r["scope"], r["meaning"], r["signed_at"]) for r in rows} == {
        ("event", "REVIEW", result.signed_at)
    }
    assert audit_actions(nurse, since=count) == ["form_signed", "form_signed"]


def test_a_casebook_signs_every_complete_form_once_and_skips_signed_ones(
    nurse: Workspace, doctor: Workspace
) -> None:
    sid = screened(nurse)
    sign_ic(doctor, sid)
    nurse.casebook.save_form(sid, "BASE", 1, "VS", {"WEIGHT": "70"})
    with pytest.raises(ValidationFailed) as caught:
        doctor.signatures.sign_casebook(sid, meaning="APPROVE", password=PASSWORDS[DOCTOR])
    assert caught.value.problems == [f"{sid}/BASE/VS: in progress"]

    other = screened(nurse)
    sign_ic(doctor, other, first=False)
    result = doctor.signatures.sign_casebook(other, meaning="APPROVE", password=PASSWORDS[DOCTOR])
    assert [f.form_oid for f in result.signed] == ["MH"]
    assert result.skipped == (f"{other}/SCR/IC",)
    assert [r["scope"] for r in signatures(nurse, other)] == ["form", "casebook"]
    with pytest.raises(UsageError, match="already signed"):
        doctor.signatures.sign_casebook(other, meaning="APPROVE", password=PASSWORDS[DOCTOR])
    with pytest.raises(UsageError, match="only a complete form can be signed"):
        sign_ic(doctor, other, first=False)


# -- voiding, the to-sign list and manifestations ------------------------------------------------


def test_editing_signed_data_voids_the_signature_and_returns_the_form_to_the_list(
    nurse: Workspace, doctor: Workspace
) -> None:
    sid = screened(nurse)
    todo = {(t.subject_id, t.form_oid) for t in doctor.signatures.to_sign()}
    assert todo == {(sid, "IC"), (sid, "MH")}
    result = doctor.signatures.sign_event(
        sid, "SCR", meaning="APPROVE", password=PASSWORDS[DOCTOR], user_id=DOCTOR
    )
    assert doctor.signatures.to_sign() == []

    count = audit_count(nurse)
    saved = nurse.casebook.save_form(
        sid, "SCR", 1, "IC", {"ICVER": "2.1"}, reason="transcription error"
    )
    assert saved.signature_voided and saved.status is FormStatus.COMPLETE
    assert audit_actions(nurse, since=count) == [
        "value_changed",
        "signature_voided",
        "form_status_changed",
    ]
    voided = [e for e in nurse.audit.history(subject_id=sid) if e.action == "signature_voided"]
    ic_uid = next(f.signature_uid for f in result.signed if f.form_oid == "IC")
    assert voided[0].reason == "transcription error" and f"signature={ic_uid}" in voided[0].old

    [back] = nurse.signatures.to_sign(DOCTOR)
    assert (back.subject_id, back.form_oid, back.voided_by, back.void_reason) == (
        sid,
        "IC",
        DOCTOR,
        "transcription error",
    )
    # the other form of the batch keeps its signature
    assert status(nurse, sid, "MH") is FormStatus.SIGNED
    assert [m.form_oid for m in nurse.signatures.manifestations(sid)] == ["MH"]
    shown = nurse.signatures.manifestations(sid, "SCR", 1, "IC", include_voided=True)
    assert len(shown) == 1 and "VOIDED" in shown[0].text and "transcription error" in shown[0].text
    assert _broken(nurse) == {}

    with pytest.raises(UsageError, match="not an active investigator"):
        nurse.signatures.to_sign(NURSE)
    sign_ic(doctor, sid, first=False)
    assert doctor.signatures.to_sign() == []


def test_a_manifestation_shows_printed_name_utc_time_and_meaning(
    nurse: Workspace, doctor: Workspace
) -> None:
    sid = screened(nurse)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    sign_ic(doctor, sid, meaning="REVIEW")
    doctor.signatures.sign_form(sid, "SCR", 1, "MH", meaning="APPROVE", password=PASSWORDS[DOCTOR])
    [ic] = nurse.signatures.manifestations(sid, form_oid="IC")
    assert (ic.printed_name, ic.username, ic.meaning, ic.scope) == (
        FULL_NAMES[DOCTOR],
        DOCTOR,
        "REVIEW",
        "form",
    )
    assert (ic.meaning_en, ic.meaning_zh) == ("I have reviewed these data", "本人已审阅上述数据")
    at = dt.datetime.strptime(ic.signed_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    assert before <= at <= dt.datetime.now(dt.UTC)
    assert ic.signed_at_utc == at.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert ic.text == (
        f"Electronically signed by {FULL_NAMES[DOCTOR]} ({DOCTOR}) on {ic.signed_at_utc}. "
        "Meaning: I have reviewed these data"
    )
    assert [m.form_oid for m in nurse.signatures.manifestations(sid)] == ["IC", "MH"]
    assert [m.form_oid for m in nurse.signatures.manifestations(sid, "SCR", 1)] == ["IC", "MH"]
    assert nurse.signatures.manifestations(sid, "BASE") == []
    assert (
        nurse.signatures.manifestations(sid)[1]
        .to_json()["meaning_en"]
        .startswith("As investigator")
    )
    with pytest.raises(UsageError, match="no subject"):
        nurse.signatures.manifestations("S01-01-9999")


# -- detecting changed records -------------------------------------------------------------------


def _broken(ws: Workspace) -> dict[str, tuple[str, ...]]:
    with ws.engine.connect() as conn:
        report = verify_signatures(conn, ws.study.forms)
    return {b.form_oid: b.problems for b in report.broken}


def test_a_record_changed_behind_the_application_is_detected(
    env: StoreSite, nurse: Workspace, doctor: Workspace
) -> None:
    sid = screened(nurse)
    doctor.signatures.sign_event(
        sid, "SCR", meaning="APPROVE", password=PASSWORDS[DOCTOR], user_id=DOCTOR
    )
    assert nurse.audit.verify_signatures().ok
    assert nurse.audit.verify_signatures().checked == 2
    [ic, mh] = signatures(nurse, sid)
    database, key = env.data.database, nurse.db_key

    with raw_db(database, key) as con:  # a value of the signed consent form
        con.execute(
            "UPDATE item_value SET value = '3.0' WHERE item_oid = 'ICVER' AND form_instance_id = ?",
            (ic["form_instance_id"],),
        )
    assert _broken(nurse) == {"IC": (CONTENT_CHANGED,)}

    with raw_db(database, key) as con:  # ... and the signature's hash made to match it
        forged = nurse.casebook.form_record(sid, "SCR", 1, "IC")
        assert forged is not None
        from npc_crf.services.casebook import content_hash

        con.execute(
            "UPDATE signature SET content_hash = ? WHERE id = ?",
            (content_hash(forged.answers), ic["id"]),
        )
    [problems] = _broken(nurse).values()
    assert problems[0] == SIGNATURE_INVALID and problems[1].startswith(AUDIT_MISMATCH)
    assert "content_hash" in problems[1]

    with raw_db(database, key) as con:  # another meaning, the seal stripped off
        con.execute("UPDATE signature SET meaning = 'REVIEW' WHERE id = ?", (mh["id"],))
        con.execute(
            "UPDATE signature SET ed25519 = NULL, scope = NULL, batch_uid = NULL, "
            "installation_id = NULL WHERE id = ?",
            (mh["id"],),
        )
    assert _broken(nurse)["MH"][0] == NOT_SEALED
    with raw_db(database, key) as con:  # restored, but claiming another installation
        con.execute(
            "UPDATE signature SET ed25519 = ?, scope = ?, batch_uid = ?, meaning = 'APPROVE', "
            "installation_id = 'somewhere else' WHERE id = ?",
            (mh["ed25519"], mh["scope"], mh["batch_uid"], mh["id"]),
        )
    assert _broken(nurse)["MH"] == (f"{UNKNOWN_INSTALLATION} (somewhere else)",)
    with raw_db(database, key) as con:
        con.execute(
            "UPDATE signature SET installation_id = ? WHERE id = ?",
            (mh["installation_id"], mh["id"]),
        )
        con.execute(
            "UPDATE form_instance SET revision = revision + 1 WHERE id = ?",
            (mh["form_instance_id"],),
        )
    assert _broken(nurse)["MH"][0] == SIGNATURE_INVALID


def test_voided_signatures_are_not_checked_and_legacy_ones_only_against_content(
    env: StoreSite, nurse: Workspace, doctor: Workspace
) -> None:
    sid = screened(nurse)
    sign_ic(doctor, sid)
    nurse.casebook.save_form(sid, "SCR", 1, "IC", {"ICVER": "2.1"}, reason="typo")
    report = nurse.audit.verify_signatures()
    assert (report.checked, report.ok) == (0, True)

    # a signature made before schema 0002: no seal, an audit entry without a uid
    ic = nurse.casebook.form_record(sid, "SCR", 1, "IC")
    assert ic is not None
    from npc_crf.services.casebook import content_hash

    digest = content_hash(ic.answers)
    with nurse.tx() as tx:
        fid = tx.conn.exec_driver_sql(
            "SELECT f.id FROM form_instance f JOIN event_instance e ON f.event_instance_id = e.id "
            "WHERE e.subject_id = ? AND f.form_oid = 'IC'",
            (sid,),
        ).scalar_one()
        tx.conn.exec_driver_sql(
            "INSERT INTO signature (uid, form_instance_id, username, full_name, meaning, "
            "signed_at, form_revision, content_hash) VALUES ('old', ?, ?, ?, 'APPROVE', "
            "'2025-01-01T00:00:00+00:00', ?, ?)",
            (fid, DOCTOR, FULL_NAMES[DOCTOR], ic.revision, digest),
        )
        tx.audit.append(
            "form_signed",
            subject_id=sid,
            event_oid="SCR",
            occurrence=1,
            form_oid="IC",
            new_value=json.dumps(
                {"meaning": "APPROVE", "content_hash": digest, "revision": ic.revision}
            ),
        )
    report = nurse.audit.verify_signatures()
    assert (report.checked, report.legacy, report.ok) == (1, 1, True)
    with raw_db(env.data.database, nurse.db_key) as con:
        con.execute("UPDATE item_value SET value = '9.9' WHERE item_oid = 'ICVER'")
    assert _broken(nurse) == {"IC": (CONTENT_CHANGED,)}
    assert IC_VALUES["ICVER"] != "9.9"
