"""The data directory on disk: no plaintext, one process, damaged files, full disk, backups,
migrations."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from npc_crf.core.errors import AuthError, StoreError, UsageError, ValidationFailed
from npc_crf.services.site import Site
from npc_crf.services.workspace import Workspace
from npc_crf.store import engine as engine_module
from npc_crf.store.backup import list_backups, verify_backup
from npc_crf.store.engine import open_engine
from npc_crf.store.keyfile import KeyFile, parse_recovery_key
from npc_crf.store.migrate import current_revision, head_revision, migrate
from npc_crf.store.models import SCHEMA_VERSION, metadata
from tests.store_helpers import (
    ADMIN,
    IC_VALUES,
    NURSE,
    PASSWORDS,
    ROOT,
    SiteTemplate,
    StoreSite,
    audit_count,
    enrol_consented,
    file_hashes,
    make_site,
    mh_row,
    mh_values,
    raw_db,
    sha256_file,
)

MARKER_TEXT = "标记文本XQZ-绝密"
MARKER_DATE = "1937-04-23"
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be")
#: files whose bytes change on every open or attempt, by design (holder info, log lines)
VOLATILE = ("site.lock", "logs/npc-crf.log")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> SiteTemplate:
    return SiteTemplate.build(tmp_path_factory.mktemp("template") / "site", users=(NURSE,))


@pytest.fixture
def env(template: SiteTemplate, tmp_path: Path) -> Iterator[StoreSite]:
    store = template.copy(tmp_path / "site")
    yield store
    store.close()


def _stable_hashes(root: Path) -> dict[str, str]:
    return file_hashes(root, exclude=VOLATILE)


# -- a. no plaintext anywhere in the data directory ------------------------------------------


def _needles(markers: dict[str, str | bytes]) -> dict[tuple[str, str], bytes]:
    found: dict[tuple[str, str], bytes] = {}
    for name, marker in markers.items():
        if isinstance(marker, bytes):
            found[(name, "raw")] = marker
            continue
        for encoding in ENCODINGS:
            found[(name, encoding)] = marker.encode(encoding)
    return found


def scan(root: Path, markers: dict[str, str | bytes]) -> list[tuple[str, str, str]]:
    """(file, marker name, encoding) for every marker found in any file under ``root``."""
    needles = _needles(markers)
    hits = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        for name, marker in markers.items():
            if isinstance(marker, str) and marker in relative:
                hits.append((relative, name, "file name"))
        if not path.is_file():
            continue
        content = path.read_bytes()
        for (name, encoding), needle in needles.items():
            if needle in content:
                hits.append((relative, name, encoding))
    return hits


def _write_markers(ws: Workspace) -> str:
    sid = enrol_consented(ws)
    ws.casebook.save_form(
        sid,
        "SCR",
        1,
        "MH",
        mh_values(mh_row(MARKER_TEXT, start=MARKER_DATE), mh_row("Hypertension")),
        complete=True,
    )
    # a refused value quoting the marker: error messages must not reach the logs either
    with pytest.raises(ValidationFailed):
        ws.casebook.save_form(sid, "SCR", 1, "IC", {"ICVER": MARKER_TEXT * 3}, reason="x")
    with pytest.raises(UsageError):
        ws.casebook.save_form(sid, "SCR", 2, "IC", IC_VALUES)
    return sid


def test_scanner_finds_markers_in_every_encoding(tmp_path: Path) -> None:
    """The scan below cannot pass for want of looking."""
    decoy = tmp_path / "decoy"
    (decoy / "nested").mkdir(parents=True)
    markers: dict[str, str | bytes] = {
        "text": MARKER_TEXT,
        "date": MARKER_DATE,
        "id": "S01-01-0001",
        "key": bytes(range(32)),
    }
    for n, encoding in enumerate(ENCODINGS):
        body = b"".join(str(m).encode(encoding) for m in markers.values() if isinstance(m, str))
        (decoy / "nested" / f"file{n}.bin").write_bytes(b"\x00junk" + body + b"junk")
    (decoy / "key.bin").write_bytes(b"xx" + bytes(range(32)))
    hits = {(name, encoding) for _file, name, encoding in scan(decoy, markers)}
    assert hits == set(_needles(markers))
    assert scan(decoy, {"absent": "not there at all"}) == []


def test_no_clinical_data_or_secret_in_any_file(env: StoreSite) -> None:
    ws = env.login(NURSE)
    sid = _write_markers(ws)
    assert sid == "S01-01-0001"
    backup = ws.backups.create()
    ws.casebook.save_form(sid, "BASE", 1, "HEM", {"LBDAT": "2026-01-06", "HGB": "120"})
    ws.casebook.save_form(
        sid, "SCR", 1, "MH", {"MH[2].MHTERM": f"{MARKER_TEXT} 2"}, reason="more detail"
    )
    enrol_consented(ws)
    markers: dict[str, str | bytes] = {
        "subject id": sid,
        "free text": MARKER_TEXT,
        "date": MARKER_DATE,
        "nurse password": PASSWORDS[NURSE],
        "admin password": PASSWORDS[ADMIN],
        "recovery key": env.recovery,
        "recovery key (plain)": env.recovery.replace("-", ""),
        "database key": ws.db_key,
        "database key (hex)": ws.db_key.hex(),
        "schema": "CREATE TABLE",
    }
    root = env.root
    assert (root / "site.db-wal").stat().st_size > 0  # the latest saves are in the WAL
    assert (backup.path / "site.db").is_file()
    assert (root / "logs" / "npc-crf.log").stat().st_size > 0
    assert scan(root, markers) == []  # while the site is open
    for db in [root / "site.db", backup.path / "site.db"]:
        assert not db.read_bytes().startswith(b"SQLite format 3\x00")
    ws.logout()
    env.close()
    assert scan(root, markers) == []  # and after closing
    expected = {
        "keys.json",
        "site.db",
        "site.seal",
        "site.lock",
        "backups",
        "logs",
        "exports",
        "tmp",
    }
    assert {p.name for p in root.iterdir()} <= expected | {"site.db-wal", "site.db-shm"}
    # and the same scan does see a marker that is there
    (root / "tmp" / "decoy.txt").write_bytes(MARKER_TEXT.encode("utf-16-be"))
    assert scan(root, markers) == [("tmp/decoy.txt", "free text", "utf-16-be")]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_data_directory_is_owner_only(tmp_path: Path) -> None:
    store = make_site(tmp_path / "fresh")
    try:
        info = store.login(NURSE).backups.create()
        root = store.root
        for folder in [root, *(root / n for n in ("backups", "logs", "exports", "tmp"))]:
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
        for path in [root / "keys.json", info.path / "keys.json", info.path / "manifest.json"]:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    finally:
        store.close()


# -- b. one process at a time ----------------------------------------------------------------


def _open_elsewhere(root: Path) -> subprocess.CompletedProcess[str]:
    code = f"from npc_crf.services.site import Site; Site.open({str(root)!r}).close()"
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_a_second_process_is_refused_while_the_site_is_open(env: StoreSite) -> None:
    refused = _open_elsewhere(env.root)
    assert refused.returncode != 0
    assert "already open in another npc-crf" in refused.stderr
    assert f"(process {os.getpid()} on " in refused.stderr
    with pytest.raises(StoreError, match="already open"):  # and a second opening here too
        Site.open(env.root)
    env.close()
    allowed = _open_elsewhere(env.root)
    assert allowed.returncode == 0, allowed.stderr


def test_a_new_site_is_not_made_over_an_existing_one(env: StoreSite) -> None:
    before = _stable_hashes(env.root)
    with pytest.raises(UsageError, match="already exists"):
        make_site(env.root)
    assert _stable_hashes(env.root) == before


# -- c. damaged or missing files -------------------------------------------------------------


def _overwrite(where: Callable[[int], int], size: int = 64) -> Callable[[Path], None]:
    def damage(root: Path) -> None:
        db = root / "site.db"
        offset = where(db.stat().st_size)
        with db.open("r+b") as handle:
            handle.seek(offset)
            handle.write(b"\xa5" * size)

    return damage


def _truncate(root: Path) -> None:
    db = root / "site.db"
    with db.open("r+b") as handle:
        handle.truncate(db.stat().st_size // 2)


def _remove(name: str) -> Callable[[Path], object]:
    return lambda root: (root / name).unlink()


def _write(name: str, data: bytes) -> Callable[[Path], object]:
    return lambda root: (root / name).write_bytes(data)


def _drop_account_wraps(root: Path) -> None:
    data = json.loads((root / "keys.json").read_text(encoding="utf-8"))
    data["accounts"] = "none"
    (root / "keys.json").write_text(json.dumps(data), encoding="utf-8")


def _middle_page(size: int) -> int:
    return (size // 2 // 4096) * 4096 + 1024


def _no_damage(root: Path) -> None:
    return None


# (damage, password, error, words of the message)
FAILURES: list[Any] = [
    pytest.param(
        _no_damage, "wrong password", AuthError, "Wrong user name or password", id="wrong-password"
    ),
    pytest.param(
        _remove("keys.json"), None, StoreError, "key file .* is missing", id="no-key-file"
    ),
    pytest.param(
        _write("keys.json", b'{"format": "npc-crf/key'),
        None,
        StoreError,
        "damaged: .* not JSON",
        id="key-file-cut-short",
    ),
    pytest.param(
        _drop_account_wraps, None, StoreError, "damaged: 'accounts'", id="key-file-field-damaged"
    ),
    pytest.param(_remove("site.db"), None, StoreError, "database .* is missing", id="no-database"),
    pytest.param(_truncate, None, StoreError, "damaged or incomplete", id="database-truncated"),
    pytest.param(
        _write("site.db", os.urandom(8192)),
        None,
        StoreError,
        "damaged",
        id="database-replaced-by-noise",
    ),
    pytest.param(
        _overwrite(lambda size: 100), None, StoreError, "damaged", id="database-page-1-damaged"
    ),
    pytest.param(
        _overwrite(lambda size: 4096 + 1024),
        None,
        StoreError,
        "damaged",
        id="database-page-2-damaged",
    ),
    pytest.param(
        _overwrite(_middle_page),
        None,
        StoreError,
        "damaged",
        id="database-middle-damaged",
    ),
    pytest.param(
        _write("site.db", b""),
        None,
        StoreError,
        "damaged|empty",
        id="database-empty",
    ),
]


@pytest.fixture(scope="module")
def closed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed site whose values fill most of the database (so its middle holds data)."""
    store = make_site(tmp_path_factory.mktemp("closed") / "site")
    ws = store.login(NURSE)
    sid = enrol_consented(ws)
    rows = [mh_row(f"Condition {n:02d} " + "x" * 180) for n in range(40)]
    ws.casebook.save_form(sid, "SCR", 1, "MH", mh_values(*rows))
    ws.logout()
    store.close()
    return store.root


@pytest.fixture
def closed_site(closed_template: Path, tmp_path: Path) -> Path:
    """A copy of the closed template site for one test to damage."""
    root = tmp_path / "site"
    shutil.copytree(closed_template, root)
    return root


@pytest.mark.parametrize(("damage", "password", "error", "words"), FAILURES)
def test_damaged_or_missing_files_give_a_clear_error_and_change_nothing(
    closed_site: Path,
    damage: Callable[[Path], None],
    password: str | None,
    error: type[Exception],
    words: str,
) -> None:
    damage(closed_site)
    before = _stable_hashes(closed_site)
    names = sorted(p.name for p in closed_site.iterdir())
    with pytest.raises(error, match=words):
        site = Site.open(closed_site)
        try:
            site.login(NURSE, password or PASSWORDS[NURSE])
        finally:
            site.close()
    after = _stable_hashes(closed_site)
    if password is not None:  # a failed login is counted in the key file, and only there
        assert {k for k in before if before[k] != after.get(k)} == {"keys.json"}
    else:
        assert after == before
    assert sorted(p.name for p in closed_site.iterdir()) == names


def test_a_damaged_page_is_never_read_as_data(closed_site: Path) -> None:
    _overwrite(_middle_page)(closed_site)
    with Site.open(closed_site) as site, pytest.raises(StoreError, match="damaged"):
        ws = site.login(NURSE, PASSWORDS[NURSE])
        for info in ws.subjects.list():
            ws.casebook.load(info.subject_id)
        ws.audit.verify()


def test_key_file_of_another_installation_is_refused(closed_site: Path, tmp_path: Path) -> None:
    other = make_site(tmp_path / "other")
    other.close()
    shutil.copyfile(other.root / "keys.json", closed_site / "keys.json")
    before = _stable_hashes(closed_site)
    with Site.open(closed_site) as site, pytest.raises(StoreError) as caught:
        site.login(NURSE, PASSWORDS[NURSE])
    assert "keys.json is not the one made with it" in caught.value.message
    assert site.installation_id in caught.value.message
    assert _stable_hashes(closed_site) == before


# -- d. a full disk --------------------------------------------------------------------------


def test_full_disk_keeps_the_previous_data_and_the_chain(
    env: StoreSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = env.login(NURSE)
    sid = enrol_consented(ws)
    ws.casebook.save_form(sid, "SCR", 1, "MH", mh_values(mh_row("Hypertension")))
    casebook = ws.casebook.load(sid).to_json()
    count = audit_count(ws)
    with ws.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()

    original = engine_module.apply_pragmas

    def limited(con: Any, key: bytes) -> None:
        original(con, key)
        con.execute(f"PRAGMA max_page_count = {pages + 1}").fetchall()

    monkeypatch.setattr(engine_module, "apply_pragmas", limited)
    ws.engine.dispose()  # every new connection now sees a disk with one page left
    big = mh_values(*[mh_row(f"Condition {n:02d} " + "y" * 180) for n in range(10)])
    with pytest.raises(StoreError, match=r"disk .* is full") as caught:
        ws.casebook.save_form(sid, "SCR", 1, "MH", big, reason="all conditions")
    assert "not saved" in caught.value.message
    assert ws.casebook.load(sid).to_json() == casebook
    monkeypatch.setattr(engine_module, "apply_pragmas", original)
    ws.engine.dispose()
    assert ws.casebook.load(sid).to_json() == casebook
    assert audit_count(ws) == count
    assert ws.audit.verify().ok
    with ws.engine.connect() as conn:
        mh = conn.exec_driver_sql(
            "SELECT count(*) FROM group_row g JOIN form_instance f ON g.form_instance_id = f.id "
            "WHERE f.form_oid = 'MH'"
        ).scalar_one()
    assert mh == 1  # nothing of the refused save was left behind
    ws.casebook.save_form(sid, "SCR", 1, "MH", big, reason="all conditions")  # space again
    assert ws.audit.verify().ok


# -- e. backups ------------------------------------------------------------------------------


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_backup_verifies_and_opens_with_the_recovery_key(env: StoreSite) -> None:
    ws = env.login(NURSE)
    enrol_consented(ws)
    info = ws.backups.create()
    check = ws.backups.verify("latest")
    assert check.info.name == info.name and check.audit_entries == info.audit_head_seq
    assert check.info.schema_revision == SCHEMA_VERSION
    manifest = json.loads((info.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "npc-crf/backup" and manifest["version"] == 1
    assert manifest["db_sha256"] == sha256_file(info.path / "site.db")
    keys = KeyFile.load(info.path / "keys.json")
    key = keys.unwrap_recovery(parse_recovery_key(env.recovery))
    assert key == ws.db_key
    with raw_db(info.path / "site.db", key) as con:
        assert con.execute("SELECT count(*) FROM subject").fetchone() == (1,)
    assert ws.audit.history()[-1].action == "backup_created"


def _fix_manifest(folder: Path) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["db_sha256"] = sha256_file(folder / "site.db")
    path.write_text(json.dumps(manifest), encoding="utf-8")


def _flip_and_fix_manifest(folder: Path) -> None:
    _flip(folder / "site.db", 9000)
    _fix_manifest(folder)


def _bad_head(folder: Path) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["audit_head_seq"] += 1
    path.write_text(json.dumps(manifest), encoding="utf-8")


BACKUP_DAMAGE: list[Any] = [
    pytest.param(lambda f: _flip(f / "site.db", 9000), StoreError, "checksum", id="flipped-byte"),
    pytest.param(
        _flip_and_fix_manifest,
        StoreError,
        "damaged",
        id="flipped-byte-and-checksum-fixed",
    ),
    pytest.param(
        lambda f: (f / "site.db").write_bytes((f / "site.db").read_bytes()[:8192]),
        StoreError,
        "checksum",
        id="cut-short",
    ),
    pytest.param(lambda f: (f / "site.db").unlink(), StoreError, "no site.db", id="no-database"),
    pytest.param(_bad_head, StoreError, "does not end", id="manifest-head-wrong"),
    pytest.param(
        lambda f: (f / "manifest.json").write_text("{", encoding="utf-8"),
        UsageError,
        "no backup",
        id="manifest-unreadable",
    ),
]


@pytest.mark.parametrize(("damage", "error", "words"), BACKUP_DAMAGE)
def test_damaged_backup_fails_verification_and_restore(
    env: StoreSite, damage: Callable[[Path], object], error: type[Exception], words: str
) -> None:
    ws = env.login(NURSE)
    enrol_consented(ws)
    info = ws.backups.create()
    damage(info.path)
    with pytest.raises(error, match=words):
        ws.backups.verify(info.name)
    admin = env.login(ADMIN)
    before = _stable_hashes(env.root)
    with pytest.raises(error, match=words):
        admin.backups.restore(info.name, "testing restore")
    assert _stable_hashes(env.root) == before


def test_rotation_keeps_the_newest_backups_of_each_kind(env: StoreSite) -> None:
    admin = env.login(ADMIN)
    admin.settings.set("backup_keep", 3, "small disk")
    before = {b.name for b in admin.backups.list()}  # e.g. the automatic one at setup
    made = [admin.backups.create().name for _ in range(5)]
    names = {b.name for b in admin.backups.list()}
    assert names == before | set(made[-3:])
    assert len(list((env.root / "backups").iterdir())) == len(names)  # folders really gone


def test_restore_brings_back_the_backup_and_keeps_a_safety_copy(env: StoreSite) -> None:
    ws = env.login(NURSE)
    sid = enrol_consented(ws)
    ws.casebook.save_form(sid, "SCR", 1, "MH", mh_values(mh_row("Hypertension")))
    at_backup = ws.casebook.load(sid).to_json()
    info = ws.backups.create()

    ws.casebook.save_form(sid, "SCR", 1, "MH", {"MH[1].MHTERM": "Gout"})
    later = ws.subjects.enrol()
    admin = env.login(ADMIN)
    with pytest.raises(UsageError, match="reason"):
        admin.backups.restore(info.name, " ")
    outcome = admin.backups.restore(info.name, "wrong subject merged")
    assert outcome.check.info.name == info.name
    assert outcome.subjects_not_in_backup == (later,)
    with pytest.raises(AuthError):  # the restoring session has ended
        admin.subjects.list()
    with pytest.raises(AuthError, match="ended"):  # and so has every other one
        ws.casebook.load(sid)
    ws.logout()  # harmless: nothing is written to the restored database

    again = env.login(ADMIN)
    assert again.casebook.load(sid).to_json() == at_backup
    assert later not in {s.subject_id for s in again.subjects.list()}
    after = env.login(NURSE).subjects.enrol()
    assert after not in (sid, later)  # the number given out after the backup is not reused
    report = again.audit.verify()
    assert report.ok
    restored = [e for e in again.audit.history() if e.action == "backup_restored"]
    assert len(restored) == 1 and restored[0].source == info.name
    assert restored[0].reason == "wrong subject merged"
    with again.engine.connect() as conn:
        detail = conn.exec_driver_sql(
            "SELECT new_value FROM audit_entry WHERE action = 'backup_restored'"
        ).scalar_one()
    safety_name = json.loads(detail)["safety_backup"]
    assert json.loads(detail)["subjects_not_in_backup"] == [later]
    [safety] = [b for b in list_backups(env.data) if b.label == "pre-restore"]
    assert safety.name == safety_name
    verify_backup(safety.path, again.db_key)
    with raw_db(safety.path / "site.db", again.db_key) as con:
        subjects = {r[0] for r in con.execute("SELECT subject_id FROM subject")}
        term = con.execute("SELECT value FROM item_value WHERE item_oid = 'MHTERM'").fetchall()
        actions = [r[0] for r in con.execute("SELECT action FROM audit_entry ORDER BY seq")]
    assert later in subjects and ("Gout",) in term
    assert actions[-1] == "backup_restore_started"


# -- f. migrations ---------------------------------------------------------------------------


def test_a_new_site_is_at_the_newest_schema(env: StoreSite) -> None:
    ws = env.login(NURSE)
    assert current_revision(ws.engine) == SCHEMA_VERSION == head_revision() == "0003"


def test_models_match_the_migrations(tmp_path: Path) -> None:
    engine = open_engine(tmp_path / "fresh.db", os.urandom(32))
    try:
        migrate(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
            triggers = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
            ).scalars()
            assert list(triggers) == [
                "audit_entry_no_delete",
                "audit_entry_no_update",
                "query_message_no_delete",
                "query_message_no_update",
                "query_no_delete",
            ]
        assert diff == []
    finally:
        engine.dispose()


def test_a_0001_database_upgrades_to_the_newest_keeping_its_signatures(tmp_path: Path) -> None:
    """Schema 0002 adds monitoring tables and signature columns, 0003 sync state; rows stay."""
    from alembic import command

    from npc_crf.store.migrate import _config

    engine = open_engine(tmp_path / "old.db", os.urandom(32))
    try:
        cfg = _config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
            conn.exec_driver_sql(
                "INSERT INTO subject VALUES ('S01-01-0001', 'X', 'enrolled', NULL, NULL, 'i', 't', 'u')"
            )
            conn.exec_driver_sql(
                "INSERT INTO event_instance VALUES (1, 'e', 'S01-01-0001', 'SCR', 1, 't', 'u')"
            )
            conn.exec_driver_sql(
                "INSERT INTO form_instance VALUES (1, 'f', 1, 'IC', '1.0', 'h', 'signed', 2, 't', 't', 'u')"
            )
            conn.exec_driver_sql(
                "INSERT INTO signature (id, uid, form_instance_id, username, full_name, meaning, "
                "signed_at, form_revision, content_hash) "
                "VALUES (1, 's', 1, 'inv', 'Dr I', 'APPROVE', 't', 2, 'abc')"
            )
        assert current_revision(engine) == "0001"
        migrate(engine)
        assert current_revision(engine) == "0003"
        with engine.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT content_hash, scope, ed25519 FROM signature WHERE uid = 's'"
            ).one()
            assert tuple(row) == ("abc", None, None)
            assert conn.exec_driver_sql("SELECT count(*) FROM query").scalar_one() == 0
    finally:
        engine.dispose()


def test_a_0002_database_upgrades_to_0003_with_an_exchange_key_and_everything_unsent(
    tmp_path: Path,
) -> None:
    """Schema 0003: the local installation gets an X25519 key; every value counts as unsent."""
    from alembic import command

    from npc_crf.store.migrate import _config

    engine = open_engine(tmp_path / "old.db", os.urandom(32))
    try:
        cfg = _config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0002")
            conn.exec_driver_sql(
                "INSERT INTO installation (installation_id, number, is_local, public_key, "
                "private_key, created_at) VALUES ('here', 1, 1, x'00', x'00', 't'), "
                "('there', 2, 0, x'01', NULL, 't')"
            )
            conn.exec_driver_sql(
                "INSERT INTO subject VALUES ('S01-01-0001', 'X', 'enrolled', NULL, NULL, 'i', 't', 'u')"
            )
            conn.exec_driver_sql(
                "INSERT INTO event_instance VALUES (1, 'e', 'S01-01-0001', 'SCR', 1, 't', 'u')"
            )
            conn.exec_driver_sql(
                "INSERT INTO form_instance VALUES (1, 'f', 1, 'IC', '1.0', 'h', 'complete', 2, 't', 't', 'u')"
            )
            conn.exec_driver_sql(
                "INSERT INTO item_value (form_instance_id, row_uid, item_oid, kind, value, "
                "version, updated_at, updated_by) VALUES (1, '', 'ICDAT', 'date', '2024-01-02', 3, 't', 'u')"
            )
        migrate(engine)
        assert current_revision(engine) == "0003"
        with engine.connect() as conn:
            keys: dict[str, int | None] = dict(
                conn.exec_driver_sql(
                    "SELECT installation_id, length(x25519_public) + length(x25519_private) "
                    "FROM installation"
                ).all()
            )
            assert keys == {"here": 64, "there": None}
            unsent = conn.exec_driver_sql(
                "SELECT item_oid FROM item_value INDEXED BY ix_item_value_unsent "
                "WHERE version > synced_version"
            ).scalars()
            assert list(unsent) == ["ICDAT"]
    finally:
        engine.dispose()


def test_a_database_from_a_newer_program_is_refused_untouched(env: StoreSite) -> None:
    ws = env.login(NURSE)
    key = ws.db_key
    ws.logout()
    env.close()
    with raw_db(env.data.database, key) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    before = _stable_hashes(env.root)
    backups = len(list_backups(env.data))
    site = Site.open(env.root)
    try:
        with pytest.raises(StoreError, match="newer npc-crf") as caught:
            site.login(NURSE, PASSWORDS[NURSE])
    finally:
        site.close()
    assert "schema 9999" in caught.value.message
    assert "Nothing was changed" in caught.value.message
    assert _stable_hashes(env.root) == before
    assert len(list_backups(env.data)) == backups
    assert sorted(p.name for p in env.root.iterdir()) == sorted(
        ["backups", "exports", "keys.json", "logs", "site.db", "site.lock", "site.seal", "tmp"]
    )  # the seal of the last clean close stays; it no longer matches site.db
