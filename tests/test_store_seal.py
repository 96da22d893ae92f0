"""The clean-close seal: when a login authenticates every page of site.db and when it may skip it."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from npc_crf.core.errors import StoreError
from npc_crf.services import site as site_module
from npc_crf.services.site import Site
from npc_crf.store.engine import check_pages
from npc_crf.store.seal import FULL_CHECK_EVERY, read_seal, seal_path
from tests.store_helpers import (
    NURSE,
    PASSWORDS,
    SiteTemplate,
    StoreSite,
    enrol_consented,
    raw_db,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> SiteTemplate:
    return SiteTemplate.build(tmp_path_factory.mktemp("seal") / "site")


@pytest.fixture
def env(template: SiteTemplate, tmp_path: Path) -> StoreSite:
    return template.copy(tmp_path / "site")


@pytest.fixture
def full_checks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Each database whose every page a login authenticated, in order."""
    seen: list[Path] = []
    real = check_pages

    def spy(engine: Engine, path: Path) -> None:
        seen.append(path)
        real(engine, path)

    monkeypatch.setattr(site_module, "check_pages", spy)
    return seen


def _session(env: StoreSite) -> None:
    """Open, log in, save something, log out and close cleanly."""
    site = env.reopen()
    ws = site.login(NURSE, PASSWORDS[NURSE])
    enrol_consented(ws)
    ws.logout()
    site.close()


def _login_once(env: StoreSite) -> None:
    site = env.reopen()
    site.login(NURSE, PASSWORDS[NURSE]).logout()
    site.close()


def _edit_seal(root: Path, **fields: object) -> None:
    path = seal_path(root / "site.db")
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(data | fields), encoding="utf-8")


def test_a_clean_close_seals_and_the_next_login_skips_the_full_check(
    env: StoreSite, full_checks: list[Path]
) -> None:
    _session(env)
    seal = read_seal(env.data.database)
    assert seal is not None
    stat = env.data.database.stat()
    assert (seal.db_size, seal.db_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    assert not (env.root / "site.db-wal").exists()
    checks = len(full_checks)
    _login_once(env)
    assert len(full_checks) == checks  # nothing changed since the clean close
    assert read_seal(env.data.database) is not None  # sealed again at the close


def _touch_later(root: Path) -> None:
    db = root / "site.db"
    info = db.stat()
    os.utime(db, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def _grow(root: Path) -> None:
    with (root / "site.db").open("ab") as handle:
        handle.write(b"\0" * 4096)


def _leftover_wal(root: Path) -> None:
    (root / "site.db-wal").write_bytes(b"\0" * 32)  # what a crash mid-session leaves


def _no_seal(root: Path) -> None:
    seal_path(root / "site.db").unlink()


def _garbled_seal(root: Path) -> None:
    seal_path(root / "site.db").write_bytes(b'{"format": "npc-crf/se')


def _future_version(root: Path) -> None:
    _edit_seal(root, version=2)


def _checked_long_ago(root: Path) -> None:
    old = dt.datetime.now(dt.UTC) - FULL_CHECK_EVERY - dt.timedelta(minutes=1)
    _edit_seal(root, checked_at=old.isoformat(timespec="seconds"))


def _checked_in_the_future(root: Path) -> None:  # the clock went back since
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    _edit_seal(root, checked_at=later.isoformat(timespec="seconds"))


@pytest.mark.parametrize(
    "change",
    [
        _touch_later,
        _grow,
        _leftover_wal,
        _no_seal,
        _garbled_seal,
        _future_version,
        _checked_long_ago,
        _checked_in_the_future,
    ],
)
def test_any_doubt_about_the_file_means_a_full_check(
    env: StoreSite, full_checks: list[Path], change: Callable[[Path], None]
) -> None:
    _session(env)
    env.close()
    change(env.root)
    checks = len(full_checks)
    site = Site.open(env.root)
    try:
        if change is _grow:  # a grown file is damaged: the full check says so
            with pytest.raises(StoreError, match="damaged"):
                site.login(NURSE, PASSWORDS[NURSE])
        else:
            site.login(NURSE, PASSWORDS[NURSE]).logout()
    finally:
        site.close()
    assert len(full_checks) == checks + 1


def test_a_crash_leaves_no_seal(env: StoreSite) -> None:
    _session(env)
    site = env.reopen()
    ws = site.login(NURSE, PASSWORDS[NURSE])
    assert not seal_path(env.data.database).exists()  # removed once the database is open
    enrol_consented(ws)
    # the process dies here: no logout, no close; the next process finds no seal
    assert read_seal(env.data.database) is None
    ws.logout()


def test_the_time_of_the_last_full_check_is_carried_across_skipped_checks(
    env: StoreSite, full_checks: list[Path]
) -> None:
    _session(env)
    first = read_seal(env.data.database)
    assert first is not None
    _login_once(env)
    second = read_seal(env.data.database)
    assert second is not None
    assert second.checked_at == first.checked_at  # skipped: not checked again
    assert second.closed_at >= first.closed_at


def test_damage_in_place_within_a_day_is_found_when_read_or_at_the_daily_check(
    env: StoreSite, full_checks: list[Path]
) -> None:
    site = env.reopen()
    ws = site.login(NURSE, PASSWORDS[NURSE])
    enrol_consented(ws)
    key = ws.db_key
    ws.logout()
    site.close()
    db = env.data.database
    with raw_db(db, key) as con:  # a page that the reads below certainly touch
        (root,) = con.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'audit_entry'"
        ).fetchone()
    info = db.stat()
    with db.open("r+b") as handle:  # a failing disk: same size, same time, a bad page
        handle.seek((root - 1) * 4096 + 1024)
        handle.write(b"\xa5" * 64)
    os.utime(db, ns=(info.st_atime_ns, info.st_mtime_ns))
    checks = len(full_checks)
    site = Site.open(env.root)
    try:
        with pytest.raises(StoreError, match="damaged"):  # found by the first read of that page
            ws = site.login(NURSE, PASSWORDS[NURSE])
            ws.audit.verify()
            for info_ in ws.subjects.list():
                ws.casebook.load(info_.subject_id)
    finally:
        site.close()
    assert len(full_checks) == checks  # the seal matched: no full check within the day
    _checked_long_ago(env.root)
    site = Site.open(env.root)
    try:
        with pytest.raises(StoreError, match="damaged"):
            site.login(NURSE, PASSWORDS[NURSE])  # the daily check finds it at once
    finally:
        site.close()
    assert len(full_checks) == checks + 1
