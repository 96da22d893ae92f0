"""``npc-crf sign …``, ``npc-crf hold …`` and ``npc-crf audit verify`` finding forged
signed records, each command in its own process as a data manager scripts it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from npc_crf.core.errors import AuthError, PermissionDenied, UsageError
from npc_crf.services.casebook import content_hash
from npc_crf.services.site import Site
from tests.store_helpers import (
    ADMIN,
    DOCTOR,
    FULL_NAMES,
    MONITOR,
    NURSE,
    PASSWORDS,
    enrol_consented,
    make_site,
    mh_row,
    mh_values,
    raw_db,
)
from tests.test_store_cli import as_user, cli

BROKEN = 7


@dataclass(frozen=True)
class Ward:
    """A closed site with two screened subjects, and its database key."""

    root: Path
    key: bytes
    first: str
    second: str

    def site(self, *args: object) -> list[object]:
        return ["--data-dir", self.root, *args]


@pytest.fixture(scope="module")
def ward(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ward]:
    store = make_site(tmp_path_factory.mktemp("cli") / "site", users=(NURSE, DOCTOR, MONITOR))
    ws = store.login(NURSE)
    first, second = enrol_consented(ws), enrol_consented(ws)
    for sid in (first, second):
        ws.casebook.save_form(sid, "SCR", 1, "MH", mh_values(mh_row("Asthma")), complete=True)
    key = ws.db_key
    ws.logout()
    store.close()
    yield Ward(store.root, key, first, second)


def test_signing_a_form_and_an_event_then_showing_the_manifestation(ward: Ward) -> None:
    where = ("--subject", ward.first, "--event", "SCR")
    wrong = cli(
        "sign", "form", *ward.site("--user", DOCTOR), *where, "--form", "IC",
        "--meaning", "APPROVE", env=as_user(DOCTOR, "a wrong password"),
    )  # fmt: skip
    assert wrong.returncode == AuthError.exit_code and wrong.stdout == ""

    signed = cli(
        "sign", "form", *ward.site("--user", DOCTOR), *where, "--form", "IC",
        "--meaning", "APPROVE", "--password-stdin", stdin=f"{PASSWORDS[DOCTOR]}\n",
    )  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    assert f"{ward.first}/SCR[1]/IC revision 1" in signed.stdout

    event = cli(
        "sign", "event", *ward.site("--user", DOCTOR), *where, "--meaning", "REVIEW", "--json",
        env=as_user(DOCTOR),
    )  # fmt: skip
    assert event.returncode == 0, event.stderr
    result = json.loads(event.stdout)
    assert [f["form"] for f in result["signed"]] == ["MH"]
    assert result["skipped"] == [f"{ward.first}/SCR/IC"] and result["scope"] == "event"

    shown = cli(
        "sign", "show", *ward.site("--user", NURSE), "--subject", ward.first, "--json",
        env=as_user(NURSE),
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    found = json.loads(shown.stdout)
    assert [(m["form"], m["printed_name"], m["meaning"]) for m in found] == [
        ("IC", FULL_NAMES[DOCTOR], "APPROVE"),
        ("MH", FULL_NAMES[DOCTOR], "REVIEW"),
    ]
    assert all(m["signed_at"].endswith("Z") and "UTC" in m["text"] for m in found)
    casebook = cli(
        "subject", "show", *ward.site("--user", NURSE), "--subject", ward.first,
        env=as_user(NURSE),
    )  # fmt: skip
    assert casebook.returncode == 0, casebook.stderr
    lines = casebook.stdout.splitlines()
    ic = lines.index(next(ln for ln in lines if ln.strip().startswith("IC ")))
    signed_line = next(ln for ln in lines[ic:] if "Electronically signed" in ln)
    assert found[0]["text"] in signed_line and found[0]["signed_at_utc"] in signed_line

    todo = cli("sign", "todo", *ward.site("--user", DOCTOR), env=as_user(DOCTOR))
    assert todo.returncode == 0, todo.stderr
    assert ward.first not in todo.stdout and f"{ward.second}/SCR[1]/IC" in todo.stdout

    verified = cli("audit", "verify", *ward.site("--user", NURSE), env=as_user(NURSE))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "OK: 2 valid signature(s) match their records." in verified.stdout


def test_audit_verify_reports_a_signed_record_forged_in_the_database(ward: Ward) -> None:
    signed = cli(
        "sign", "casebook", *ward.site("--user", DOCTOR), "--subject", ward.second,
        "--meaning", "APPROVE", env=as_user(DOCTOR),
    )  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    with raw_db(ward.root / "site.db", ward.key) as con:  # through the store's own key
        [(ic_form,), (mh_form,)] = con.execute(
            "SELECT f.id FROM form_instance f JOIN event_instance e ON f.event_instance_id = e.id "
            "WHERE e.subject_id = ? ORDER BY f.form_oid",
            (ward.second,),
        ).fetchall()
        con.execute(
            "UPDATE item_value SET value = '2026-01-06' WHERE item_oid = 'ICDAT' "
            "AND form_instance_id = ?",
            (ic_form,),
        )
        con.execute(
            "UPDATE signature SET content_hash = ? WHERE form_instance_id = ?",
            ("0" * 64, mh_form),
        )
    verified = cli("audit", "verify", *ward.site("--user", NURSE), env=as_user(NURSE))
    assert verified.returncode == BROKEN, verified.stderr
    lines = verified.stdout.splitlines()
    assert lines[0].startswith("OK: ") and "chain intact" in lines[0]  # the trail itself is fine
    assert re.match(r"BROKEN: 2 of \d+ signature\(s\) do not match", lines[1]), lines[1]
    [ic] = [ln for ln in lines if f"{ward.second}/SCR[1]/IC signed by {DOCTOR}" in ln]
    assert ic.endswith(": content changed since signing")
    [mh] = [ln for ln in lines if f"{ward.second}/SCR[1]/MH" in ln]
    assert "installation signature invalid" in mh and "form_signed audit entry" in mh

    as_json = cli(
        "audit", "verify", *ward.site("--user", NURSE), "--json", env=as_user(NURSE)
    )  # fmt: skip
    assert as_json.returncode == BROKEN
    report = json.loads(as_json.stdout)
    assert (report["ok"], report["chain_ok"]) == (False, True)
    assert report["signatures"]["checked"] >= 2
    assert {b["form"] for b in report["signatures"]["broken"]} == {"IC", "MH"}

    # put back: both signatures verify again
    with Site.open(ward.root) as site:
        ws = site.login(NURSE, PASSWORDS[NURSE])
        with raw_db(ward.root / "site.db", ward.key) as con:
            con.execute(
                "UPDATE item_value SET value = '2026-01-05' WHERE item_oid = 'ICDAT' "
                "AND form_instance_id = ?",
                (ic_form,),
            )
            record = ws.casebook.form_record(ward.second, "SCR", 1, "MH")
            assert record is not None
            con.execute(
                "UPDATE signature SET content_hash = ? WHERE form_instance_id = ?",
                (content_hash(record.answers), mh_form),
            )
        assert ws.audit.verify_signatures().ok
        ws.logout()


def test_hold_commands_freeze_show_and_release(ward: Ward) -> None:
    form = ("--form", ward.first, "SCR", "1", "IC")
    frozen = cli(
        "hold", "freeze", *ward.site("--user", MONITOR), "--subject", ward.first,
        "--reason", "clean after SDV", env=as_user(MONITOR),
    )  # fmt: skip
    assert frozen.returncode == 0, frozen.stderr
    assert f"Subject {ward.first} frozen." in frozen.stdout

    status = cli(
        "hold", "status", *ward.site("--user", NURSE), *form, "--json", env=as_user(NURSE)
    )  # fmt: skip
    assert status.returncode == 0, status.stderr
    state = json.loads(status.stdout)
    assert state["state"] == "frozen"
    assert [(h["scope"], h["set_by"], h["reason"]) for h in state["holds"]] == [
        ("subject", MONITOR, "clean after SDV")
    ]

    refused = cli(
        "hold", "unfreeze", *ward.site("--user", MONITOR), "--subject", ward.first,
        "--reason", "oops", env=as_user(MONITOR),
    )  # fmt: skip
    assert refused.returncode == PermissionDenied.exit_code
    no_reason = cli(
        "hold", "unfreeze", *ward.site("--user", ADMIN), "--subject", ward.first,
        env=as_user(ADMIN),
    )  # fmt: skip
    assert no_reason.returncode == UsageError.exit_code and "--reason" in no_reason.stderr
    locked = cli(
        "hold", "lock", *ward.site("--user", ADMIN), *form, "--reason", "interim",
        env=as_user(ADMIN),
    )  # fmt: skip
    assert locked.returncode == 0, locked.stderr
    listed = cli("hold", "status", *ward.site("--user", ADMIN), env=as_user(ADMIN))
    assert listed.returncode == 0, listed.stderr
    assert [ln.strip().split(" by ")[0] for ln in listed.stdout.splitlines()] == [
        f"frozen at subject {ward.first}",
        f"locked at form {ward.first}/SCR[1]/IC",
    ]
    for verb in ("unlock", "unfreeze"):
        target = form if verb == "unlock" else ("--subject", ward.first)
        released = cli(
            "hold", verb, *ward.site("--user", ADMIN), *target, "--reason", "reopened",
            env=as_user(ADMIN),
        )  # fmt: skip
        assert released.returncode == 0, released.stderr
    with Site.open(ward.root) as site:
        ws = site.login(NURSE, PASSWORDS[NURSE])
        assert ws.holds.in_force() == []
        actions = [e.action for e in ws.audit.history(subject_id=ward.first)][-4:]
        ws.logout()
    assert actions == ["subject_frozen", "form_locked", "form_unlocked", "subject_unfrozen"]
