"""Upgrading a real data directory made by the previous release (issue 9).

``tests/fixtures/upgrade/site`` was written by npc-crf at commit 2c5fb17 (schema
0002) with its own command line, and ``expected/`` holds what that release printed
about the data (``make_fixture.sh`` made both; see the README there). Each test
works on a copy, as a data manager or a nurse would: the first command after
installing the new release backs the database up, migrates it and must show the
same data; data written by a newer release is refused, untouched.

The first command on each copy — the one that upgrades it — is a real ``npc-crf``
process. Later commands on the same copy run the same ``main()`` in this process:
starting the interpreter costs about two seconds a command, and they test the
upgraded data, not the start-up.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from npc_crf.cli.main import main
from npc_crf.core.errors import StoreError
from npc_crf.services.site import Site
from npc_crf.store.backup import BackupInfo, list_backups, verify_backup
from npc_crf.store.keyfile import KeyFile
from npc_crf.store.layout import DataDir
from npc_crf.store.migrate import head_revision
from tests.store_helpers import file_hashes, raw_db
from tests.sync_site_helpers import TestCenter
from tests.test_store_cli import cli
from tests.ui_shell import log_in, main_window, message, shells_in

FIXTURE = Path(__file__).parent / "fixtures" / "upgrade"
EXPECTED = FIXTURE / "expected"
STUDY = "NCT07062484"
OLD_REVISION = "0002"
#: the demo accounts' public passwords, as the fixture was made with them (README.md)
PASSWORDS = {
    "admin": "demo-admin-pass",
    "nurse": "demo-nurse-pass",
    "doctor": "demo-doctor-pass",
    "monitor": "demo-monitor-pass",
}
#: files that change at every open or attempt by design (holder of the lock, log lines)
VOLATILE = ("site.lock", "logs/npc-crf.log")
PRE_MIGRATION = f"pre-migration-{OLD_REVISION}-to-{head_revision()}"


def expected(name: str) -> Any:
    """What the previous release printed (``expected/NAME.json``)."""
    return json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))


SUBJECTS = [s["subject_id"] for s in expected("subjects")]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A fresh copy of the old release's data directory."""
    target = tmp_path / "site"
    shutil.copytree(FIXTURE / "site", target)
    return target


def npc(site: Path, user: str, *args: object) -> Any:
    """``npc-crf ARGS --data-dir SITE --user USER`` with USER's password in the environment."""
    return cli(*args, "--data-dir", site, "--user", user, env={"NPC_CRF_PASSWORD": PASSWORDS[user]})


def npc_json(site: Path, user: str, *args: object) -> Any:
    done = npc(site, user, *args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


Again = Callable[..., str]


@pytest.fixture
def again(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Again:
    """``again(site, user, *args)``: run ``npc-crf ARGS`` in this process; its standard output."""

    def run(site: Path, user: str, *args: object) -> str:
        monkeypatch.setenv("NPC_CRF_PASSWORD", PASSWORDS[user])
        capsys.readouterr()
        status = main([*(str(a) for a in args), "--data-dir", str(site), "--user", user])
        printed = capsys.readouterr()
        assert status == 0, printed.err
        return printed.out

    return run


def db_key(site: Path) -> bytes:
    key = KeyFile.load(site / "keys.json").unwrap("admin", PASSWORDS["admin"])
    assert key is not None
    return key


def revision(database: Path, key: bytes) -> str:
    with raw_db(database, key) as con:
        return str(con.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def schema(database: Path, key: bytes) -> list[tuple[str, str, str | None]]:
    """Every table, index and trigger with its SQL."""
    with raw_db(database, key) as con:
        rows = con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        return [tuple(r) for r in rows]


def audit_head(database: Path, key: bytes) -> tuple[int, str]:
    with raw_db(database, key) as con:
        seq, digest = con.execute("SELECT seq, hash FROM audit_entry ORDER BY seq DESC").fetchone()
    return int(seq), str(digest)


def backups(site: Path) -> list[BackupInfo]:
    return list_backups(DataDir(site))


def labels(site: Path) -> list[str]:
    return sorted(b.label for b in backups(site))


def backup_labelled(site: Path, label: str) -> BackupInfo:
    (found,) = [b for b in backups(site) if b.label == label]
    return found


def make_newer(site: Path) -> None:
    """Mark the copy as written by a release with a schema this program does not know."""
    with raw_db(site / "site.db", db_key(site)) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")


def stable_files(site: Path) -> dict[str, str]:
    return file_hashes(site, exclude=VOLATILE)


def test_the_fixture_is_the_previous_release_s_data(site: Path) -> None:
    """Guards the other tests: a fixture at the current schema, or one left open, would
    prove nothing. (The fixture itself is only listed; the database is read in the copy.)"""
    kept = FIXTURE / "site"
    assert sorted(p.name for p in kept.iterdir()) == [
        "backups",
        "keys.json",
        "site.db",
        "site.seal",
    ]
    assert not [p for p in kept.rglob("*") if p.name.endswith(("-wal", "-shm", ".lock"))]
    assert revision(site / "site.db", db_key(site)) == OLD_REVISION != head_revision()
    assert [(b.label, b.schema_revision) for b in backups(site)] == [("auto", OLD_REVISION)]


# -- 1. the first command migrates after a backup, and the audit trail still verifies ---------


def test_the_old_site_is_backed_up_migrated_and_its_audit_chain_verifies(
    site: Path, again: Again
) -> None:
    key = db_key(site)
    old_head = audit_head(site / "site.db", key)
    said = expected("audit-verify")

    report = npc_json(site, "admin", "audit", "verify")

    assert report["ok"] and report["chain_ok"] and report["broken_at"] is None
    assert report["signatures"] == said["signatures"]  # the old release's signatures still verify
    assert report["entries"] > old_head[0] >= said["head_seq"]
    with raw_db(site / "site.db", key) as con:  # the old trail is kept entry for entry
        kept = con.execute("SELECT hash FROM audit_entry WHERE seq = ?", (said["head_seq"],))
        assert kept.fetchone()[0] == said["head_hash"]
    assert revision(site / "site.db", key) == head_revision()

    assert labels(site) == ["auto", PRE_MIGRATION]
    old_auto, pre = backup_labelled(site, "auto"), backup_labelled(site, PRE_MIGRATION)
    assert pre.schema_revision == OLD_REVISION
    assert (pre.audit_head_seq, pre.audit_head_hash) == old_head  # taken before anything changed
    assert revision(pre.path / "site.db", key) == OLD_REVISION
    verified = again(site, "admin", "backup", "verify", pre.name)
    assert verified.startswith(f"OK: {pre.name}")
    assert f"{old_head[0]} audit entries verified" in verified
    # the backup the old release made still verifies with this one
    assert verify_backup(old_auto.path, key).info.schema_revision == OLD_REVISION
    # the upgrade itself is in the trail, right after the old release's last entry
    with raw_db(site / "site.db", key) as con:
        action, reason = con.execute(
            "SELECT action, reason FROM audit_entry WHERE seq = ?", (old_head[0] + 1,)
        ).fetchone()
    assert action == "schema_upgraded"
    assert f"schema {OLD_REVISION} to {head_revision()}" in reason and pre.name in reason


# -- 2. the data reads exactly as the old release printed it ----------------------------------


def _without_ages(queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # age_days is days since the query was raised, computed from today's date when
    # printed: it is not stored data, and it grows as the fixture gets older
    return [{k: v for k, v in q.items() if k != "age_days"} for q in queries]


def test_every_subject_reads_as_the_old_release_printed_it(site: Path, again: Again) -> None:
    # This release adds no field to these outputs, so they are compared whole.
    def read(user: str, *args: object) -> Any:
        return json.loads(again(site, user, *args, "--json"))

    assert npc_json(site, "nurse", "subject", "list") == expected("subjects")
    for subject_id in SUBJECTS:
        shown = read("nurse", "subject", "show", "--subject", subject_id)
        assert shown == expected(f"subject-{subject_id}"), subject_id
    queries = read("monitor", "query", "list")
    assert _without_ages(queries) == _without_ages(expected("queries"))
    assert read("monitor", "sdv", "status") == expected("sdv-status")
    assert read("admin", "hold", "status") == expected("holds")


# -- 3. a second opening migrates nothing ----------------------------------------------------


def test_opening_again_makes_no_second_backup_and_leaves_the_schema_alone(
    site: Path, again: Again
) -> None:
    key = db_key(site)
    assert npc(site, "nurse", "subject", "list").returncode == 0
    upgraded = schema(site / "site.db", key)
    made = [b.name for b in backups(site)]
    assert labels(site) == ["auto", PRE_MIGRATION]

    assert "D01-01-0001" in again(site, "nurse", "subject", "list")

    assert [b.name for b in backups(site)] == made
    assert schema(site / "site.db", key) == upgraded
    assert revision(site / "site.db", key) == head_revision()


# -- 4. the upgraded site works: saving, and sync (schema 0003) --------------------------------


def _unsent_values(site: Path, key: bytes) -> tuple[int, int]:
    with raw_db(site / "site.db", key) as con:
        row = con.execute(
            "SELECT count(*) FILTER (WHERE version > synced_version), count(*) FROM item_value"
        ).fetchone()
    return int(row[0]), int(row[1])


def test_the_upgraded_site_saves_a_form_and_sends_everything_to_a_center(
    site: Path, again: Again, tmp_path: Path
) -> None:
    key = db_key(site)
    status = npc_json(site, "nurse", "sync", "status")
    assert status["center"] is None and status["bundles"] == []
    assert status["not_exported"] == status["not_acknowledged"] > 0
    messages = sum(len(q["messages"]) for q in expected("queries"))
    assert status["unsent_query_messages"] == messages
    unsent, values = _unsent_values(site, key)
    assert unsent == values > 0  # the old release sent nothing: every value counts as unsent

    change = tmp_path / "ic.json"
    change.write_text(json.dumps({"WVDAT": "2024-02-02"}), encoding="utf-8")
    saved = again(
        site,
        "nurse",
        "form",
        "save",
        "--subject",
        "D01-01-0002",
        "--event",
        "SCR",
        "--form",
        "IC",
        "--values",
        change,
        "--reason",
        "Transcription error: the waiver is dated 2 February.",
        "--complete",
    )
    assert "revision 2, 1 change(s)" in saved

    center = TestCenter(study_oid=STUDY)
    with Site.open(site) as opened:
        admin = opened.login("admin", PASSWORDS["admin"])
        admin.sync.trust_center(center.card, center.card.fingerprint)
        card = admin.sync.identity_card()
        admin.logout()
    bundle = json.loads(again(site, "nurse", "sync", "export", "--json"))["bundle"]
    assert (bundle["sequence"], bundle["full"]) == (1, True)

    _envelope, payload = center.open(Path(bundle["path"]).read_bytes(), card)
    assert sorted(s["subject_id"] for s in payload["subjects"]) == SUBJECTS
    assert len(payload["values"]) == values
    waiver = [v for v in payload["values"] if v["item_oid"] == "WVDAT" and v["version"] == 2]
    assert [v["value"] for v in waiver] == ["2024-02-02"]
    assert len(payload["queries"]) == len(expected("queries"))
    assert len(payload["holds"]) == len(expected("holds"))
    assert [a["seq"] for a in payload["audit"]][:2] == [1, 2]  # the whole trail, from the first
    assert _unsent_values(site, key) == (0, values)


# -- 5. data from a newer release is refused, untouched ---------------------------------------


def test_data_from_a_newer_release_is_refused_and_left_untouched(site: Path) -> None:
    make_newer(site)
    before = stable_files(site)

    done = npc(site, "nurse", "subject", "list")

    assert done.returncode == StoreError.exit_code
    assert "written by a newer npc-crf (schema 9999" in done.stderr
    assert "Nothing was changed." in done.stderr
    assert "Traceback" not in done.stderr
    assert stable_files(site) == before
    assert labels(site) == ["auto"]  # no backup made


# -- 6. the desktop application ---------------------------------------------------------------


def test_logging_in_to_the_old_site_in_the_application_migrates_it(
    qtbot: QtBot, site: Path, tmp_path: Path
) -> None:
    with shells_in(tmp_path) as start:
        shell = start(site)
        log_in(qtbot, shell, "nurse", PASSWORDS["nurse"])
        window = main_window(qtbot, shell)
        assert window.isVisible()
    assert revision(site / "site.db", db_key(site)) == head_revision()
    assert labels(site) == ["auto", PRE_MIGRATION]


def test_the_login_screen_says_when_the_data_is_from_a_newer_release(
    qtbot: QtBot, site: Path, tmp_path: Path
) -> None:
    make_newer(site)
    before = stable_files(site)
    with shells_in(tmp_path) as start:
        shell = start(site)
        log_in(qtbot, shell, "nurse", PASSWORDS["nurse"])
        assert shell.main_window is None
        shown = message(shell)
        assert "written by a newer npc-crf" in shown and "Nothing was changed" in shown
        assert shell.login_window is not None and shell.login_window.isVisible()
    assert stable_files(site) == before
