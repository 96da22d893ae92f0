"""Logging in, lockout, account management, recovery, and the permission matrix."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from npc_crf.auth.roles import MATRIX, Permission, Role
from npc_crf.core.errors import AuthError, PermissionDenied, StoreError, UsageError
from npc_crf.services import site as site_module
from npc_crf.services.monitoring.holds import Target
from npc_crf.services.site import Site
from npc_crf.services.subjects import SubjectStatus
from npc_crf.services.workspace import Workspace
from npc_crf.store.keyfile import TEST_COST, format_recovery_key
from tests.store_helpers import (
    ADMIN,
    DOCTOR,
    MONITOR,
    NURSE,
    PASSWORDS,
    ROLES,
    STUDY,
    TEMPORARY_PASSWORD,
    SiteTemplate,
    StoreSite,
    audit_actions,
    audit_count,
    enrol_consented,
    file_hashes,
    make_site,
    raw_db,
    read_keys,
    sha256_file,
    write_keys,
)

WRONG = "not the password"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> SiteTemplate:
    return SiteTemplate.build(tmp_path_factory.mktemp("template") / "site", users=(NURSE,))


@pytest.fixture
def env(template: SiteTemplate, tmp_path: Path) -> Iterator[StoreSite]:
    store = template.copy(tmp_path / "site")
    yield store
    store.close()


def _db_hashes(root: Path) -> dict[str, str]:
    return {k: v for k, v in file_hashes(root).items() if k.startswith("site.db")}


def _fail(store: StoreSite, user: str = NURSE, password: str = WRONG) -> AuthError:
    with pytest.raises(AuthError) as caught:
        store.site.login(user, password)
    return caught.value


def _lock_out(store: StoreSite, user: str = NURSE) -> None:
    for _ in range(5):
        _fail(store, user)


# -- logging in ------------------------------------------------------------------------------


def test_login_opens_a_workspace_for_the_account(env: StoreSite) -> None:
    ws = env.login(NURSE)
    assert (ws.username, ws.full_name, ws.role) == (NURSE, "Nora Nurse", Role.CRC)
    assert not ws.must_change_password
    last = ws.audit.history()[-1]
    assert (last.action, last.username, last.role, last.source) == ("login", NURSE, "CRC", "cli")


def test_failed_login_changes_nothing_in_the_database_and_is_audited_later(
    env: StoreSite,
) -> None:
    ws = env.login(NURSE)
    ws.logout()
    before_count = audit_count(ws)
    env.reopen()
    before = _db_hashes(env.root)
    error = _fail(env)
    assert error.message == "Wrong user name or password."
    assert _db_hashes(env.root) == before
    keys = read_keys(env.root)
    assert keys["accounts"][NURSE]["failed_logins"] == 1
    assert [e["action"] for e in keys["pending_events"]] == ["login_failed"]

    ws = env.login(NURSE)
    assert audit_actions(ws, since=before_count) == ["login_failed", "login"]
    failed = ws.audit.history()[-2]
    assert (failed.username, failed.role, failed.item_path) == (NURSE, "-", NURSE)
    assert "via cli" in (failed.reason or "")
    keys = read_keys(env.root)
    assert keys["pending_events"] == []
    assert keys["accounts"][NURSE]["failed_logins"] == 0
    assert ws.audit.verify().ok


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(env: StoreSite) -> None:
    assert _fail(env, "nobody").message == _fail(env, NURSE).message
    keys = read_keys(env.root)
    assert "nobody" not in keys["accounts"]
    assert [e["username"] for e in keys["pending_events"]] == ["nobody", NURSE]
    ws = env.login(ADMIN)
    failed = [e for e in ws.audit.history() if e.action == "login_failed"]
    assert [e.username for e in failed] == ["nobody", NURSE]


def test_five_failures_lock_the_account_even_against_the_right_password(env: StoreSite) -> None:
    messages = [_fail(env).message for _ in range(5)]
    assert all(m == "Wrong user name or password." for m in messages[:4])
    assert "now locked for 15 minutes" in messages[4]
    refused = _fail(env, NURSE, PASSWORDS[NURSE])
    assert "locked" in refused.message and "minute" in refused.message
    assert "unlock" in (refused.hint or "")
    locked_until = dt.datetime.fromisoformat(read_keys(env.root)["accounts"][NURSE]["locked_until"])
    assert (
        dt.timedelta(minutes=14)
        < locked_until - dt.datetime.now(dt.UTC)
        <= dt.timedelta(minutes=15)
    )
    ws = env.login(ADMIN)  # other accounts are not affected
    actions = [e.action for e in ws.audit.history() if e.item_path == NURSE]
    assert actions.count("login_failed") == 5
    assert "account_locked" in actions and "login_refused_locked" in actions


@pytest.mark.parametrize(("minutes_later", "opens"), [(14, False), (16, True)])
def test_lockout_expires(
    env: StoreSite, monkeypatch: pytest.MonkeyPatch, minutes_later: int, opens: bool
) -> None:
    _lock_out(env)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes_later)
    monkeypatch.setattr(site_module, "_now", lambda: later)
    if not opens:
        assert "locked" in _fail(env, NURSE, PASSWORDS[NURSE]).message
        return
    assert env.login(NURSE).username == NURSE
    account = read_keys(env.root)["accounts"][NURSE]
    assert (account["failed_logins"], account["locked_until"]) == (0, None)


def test_the_lockout_threshold_is_a_site_setting(env: StoreSite) -> None:
    nurse = env.login(NURSE)
    with pytest.raises(PermissionDenied):
        nurse.settings.set("max_failed_logins", 3, "SOP 12")
    admin = env.login(ADMIN)
    with pytest.raises(UsageError, match="between 3 and 20"):
        admin.settings.set("max_failed_logins", 2, "SOP 12")
    with pytest.raises(UsageError, match="reason"):
        admin.settings.set("max_failed_logins", 3, " ")
    admin.settings.set("max_failed_logins", 3, "SOP 12 version 2")
    assert read_keys(env.root)["login_policy"]["max_failed_logins"] == 3
    assert admin.settings.all()["max_failed_logins"] == 3
    messages = [_fail(env).message for _ in range(3)]
    assert "now locked" in messages[2] and "now locked" not in messages[1]
    entry = [e for e in admin.audit.history() if e.action == "setting_changed"][-1]
    assert (entry.item_path, entry.old, entry.new, entry.reason) == (
        "max_failed_logins",
        "5",
        "3",
        "SOP 12 version 2",
    )


def test_lockout_time_in_the_key_file_is_what_counts(env: StoreSite) -> None:
    _lock_out(env)
    wrap = env.site.keys.accounts[NURSE]
    wrap.locked_until = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).isoformat()
    assert env.login(NURSE).username == NURSE


def test_administrator_can_unlock_an_account(env: StoreSite) -> None:
    _lock_out(env)
    admin = env.login(ADMIN)
    listed = {a.username: a for a in admin.users.list()}
    assert listed[NURSE].locked_until is not None
    admin.users.unlock(NURSE)
    assert {a.username: a for a in admin.users.list()}[NURSE].locked_until is None
    assert env.login(NURSE).username == NURSE
    entry = [e for e in admin.audit.history() if e.action == "account_unlocked"][-1]
    assert (entry.item_path, entry.username, entry.old) == (NURSE, ADMIN, "failed_logins=5")


def test_damaged_lockout_time_gives_a_clear_error(env: StoreSite) -> None:
    env.close()
    keys = read_keys(env.root)
    keys["accounts"][NURSE]["locked_until"] = "tomorrow morning"
    write_keys(env.root, keys)
    with pytest.raises(StoreError, match=f"accounts.{NURSE}.locked_until"):
        Site.open(env.root)


# -- accounts --------------------------------------------------------------------------------


def test_disabled_account_cannot_log_in_and_its_wrap_is_gone(env: StoreSite) -> None:
    sid = enrol_consented(env.login(NURSE))
    admin = env.login(ADMIN)
    with pytest.raises(UsageError, match="reason"):
        admin.users.disable(NURSE, "  ")
    with pytest.raises(UsageError, match="your own"):
        admin.users.disable(ADMIN, "leaving")
    admin.users.disable(NURSE, "left the hospital")
    assert NURSE not in read_keys(env.root)["accounts"]
    assert NURSE not in env.site.keys.accounts
    assert _fail(env, NURSE, PASSWORDS[NURSE]).message == "Wrong user name or password."
    assert {a.username: a.active for a in admin.users.list()}[NURSE] is False
    with pytest.raises(UsageError, match="taken"):
        admin.users.add(NURSE, "Another Nora", Role.CRC, TEMPORARY_PASSWORD)
    with pytest.raises(UsageError, match="disabled"):
        admin.users.disable(NURSE, "again")
    # the records stay attributed to the disabled account
    casebook = admin.casebook.load(sid)
    assert casebook.events[0].forms["IC"].updated_by == NURSE
    entry = [e for e in admin.audit.history() if e.action == "account_disabled"][-1]
    assert (entry.item_path, entry.reason) == (NURSE, "left the hospital")


def _every_service_call(ws: Workspace, sid: str) -> dict[str, Callable[[], object]]:
    return {
        "enrol": ws.subjects.enrol,
        "list subjects": ws.subjects.list,
        "get subject": lambda: ws.subjects.get(sid),
        "set status": lambda: ws.subjects.set_status(sid, SubjectStatus.ENROLLED),
        "load casebook": lambda: ws.casebook.load(sid),
        "open form": lambda: ws.casebook.open_form(sid, "SCR", 1, "IC"),
        "save form": lambda: ws.casebook.save_form(sid, "SCR", 1, "MH", {"MHYN": "no"}),
        "audit history": ws.audit.history,
        "audit verify": ws.audit.verify,
        "backup create": ws.backups.create,
        "backup list": ws.backups.list,
    }


def test_reset_password_forces_a_change_before_anything_else(env: StoreSite) -> None:
    sid = enrol_consented(env.login(NURSE))
    admin = env.login(ADMIN)
    admin.users.reset_password(NURSE, "temporary pw 9")
    assert _fail(env, NURSE, PASSWORDS[NURSE]).message == "Wrong user name or password."
    ws = env.login(NURSE, "temporary pw 9")
    assert ws.must_change_password
    count = audit_count(ws)
    for name, call in _every_service_call(ws, sid).items():
        with pytest.raises(AuthError, match="change it") as caught:
            call()
        assert "change-password" in (caught.value.hint or ""), name
    assert audit_count(ws) == count  # nothing was done
    ws.users.change_password("temporary pw 9", "nurse password 5")
    for call in _every_service_call(ws, sid).values():
        call()
    assert env.login(NURSE, "nurse password 5").must_change_password is False
    actions = [e.action for e in admin.audit.history() if e.item_path == NURSE]
    assert [a for a in actions if a.startswith("password")][-2:] == [
        "password_reset",
        "password_changed",
    ]


def test_new_account_must_change_its_initial_password(env: StoreSite) -> None:
    admin = env.login(ADMIN)
    admin.users.add("ward.nurse", "Wen Ward", Role.CRC, TEMPORARY_PASSWORD)
    ws = env.login("ward.nurse", TEMPORARY_PASSWORD)
    assert ws.must_change_password
    with pytest.raises(AuthError):
        ws.subjects.enrol()


def _add(password: str, user: str = "nightnurse") -> Callable[[Workspace], object]:
    return lambda ws: ws.users.add(user, "Night Nurse", Role.CRC, password)


def _change(current: str, new: str) -> Callable[[Workspace], object]:
    return lambda ws: ws.users.change_password(current, new)


def _reset(password: str) -> Callable[[Workspace], object]:
    return lambda ws: ws.users.reset_password(NURSE, password)


# (who, call, error type, words of the message)
POLICY_CASES: list[tuple[str, str, Callable[[Workspace], object], type[Exception], str]] = [
    ("too short", ADMIN, _add("short pw"), UsageError, "too short"),
    ("nine characters", ADMIN, _add("123456789"), UsageError, "at least 10"),
    ("equals the user name", ADMIN, _add("nightnurse"), UsageError, "user name"),
    ("user name in capitals", ADMIN, _add("NightNurse"), UsageError, "user name"),
    ("leading space", ADMIN, _add(" padded password"), UsageError, "space"),
    ("bad user name", ADMIN, _add(TEMPORARY_PASSWORD, "Night Nurse"), UsageError, "user name"),
    ("reset to short", ADMIN, _reset("short"), UsageError, "too short"),
    (
        "reset own",
        ADMIN,
        lambda ws: ws.users.reset_password(ADMIN, "long enough pw"),
        UsageError,
        "change-password",
    ),
    ("change to short", NURSE, _change(PASSWORDS[NURSE], "tiny"), UsageError, "too short"),
    ("change to same", NURSE, _change(PASSWORDS[NURSE], PASSWORDS[NURSE]), UsageError, "differ"),
    ("wrong current", NURSE, _change(WRONG, "a fine new password"), AuthError, "current password"),
]


@pytest.mark.parametrize(
    ("who", "call", "error", "words"),
    [pytest.param(w, c, e, m, id=name) for name, w, c, e, m in POLICY_CASES],
)
def test_password_policy(
    env: StoreSite,
    who: str,
    call: Callable[[Workspace], object],
    error: type[Exception],
    words: str,
) -> None:
    ws = env.login(who)
    keys_before = read_keys(env.root)["accounts"]
    count = audit_count(ws)
    with pytest.raises(error, match=words):
        call(ws)
    assert read_keys(env.root)["accounts"] == keys_before
    assert audit_count(ws) == count


def test_site_init_refuses_a_weak_administrator_password(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="too short"):
        Site.init(
            tmp_path / "site",
            site_id="S01",
            study_oid=STUDY,
            admin=ADMIN,
            admin_name="Ada Admin",
            password="short",  # noqa: S106 - too short on purpose
            cost=TEST_COST,
        )
    assert not (tmp_path / "site").exists()


# -- recovery --------------------------------------------------------------------------------


def test_recovery_key_gives_the_administrator_a_new_password(env: StoreSite) -> None:
    _lock_out(env, ADMIN)
    ws = env.site.recover(env.recovery, ADMIN, "brand new admin pw")
    assert (ws.username, ws.role) == (ADMIN, Role.ADMIN)
    last = ws.audit.history()[-1]
    assert (last.action, last.item_path, last.reason) == (
        "password_recovered",
        ADMIN,
        "recovery key used",
    )
    assert ws.audit.verify().ok
    ws.logout()
    assert _fail(env, ADMIN, PASSWORDS[ADMIN]).message == "Wrong user name or password."
    assert env.login(ADMIN, "brand new admin pw").role == Role.ADMIN
    assert env.login(NURSE).username == NURSE  # the other accounts are untouched


RECOVERY_REFUSALS = [
    (
        "another installation's key",
        lambda _r: format_recovery_key(bytes(32)),
        ADMIN,
        "new admin pw 1",
        AuthError,
        "does not belong",
    ),
    (
        "typing mistake",
        lambda r: ("B" if r[0] != "B" else "C") + r[1:],
        ADMIN,
        "new admin pw 1",
        AuthError,
        "typing mistake",
    ),
    ("not an administrator", lambda r: r, NURSE, "new nurse pw 1", UsageError, "administrator"),
    ("unknown account", lambda r: r, "nobody", "new nobody pw", UsageError, "administrator"),
    ("weak new password", lambda r: r, ADMIN, "short", UsageError, "too short"),
]


@pytest.mark.parametrize(
    ("text", "user", "new", "error", "words"),
    [pytest.param(t, u, n, e, w, id=name) for name, t, u, n, e, w in RECOVERY_REFUSALS],
)
def test_recovery_refusals_change_no_password(
    env: StoreSite,
    text: Callable[[str], str],
    user: str,
    new: str,
    error: type[Exception],
    words: str,
) -> None:
    wraps = {u: w["wrap"] for u, w in read_keys(env.root)["accounts"].items()}
    with pytest.raises(error, match=words):
        env.site.recover(text(env.recovery), user, new)
    assert {u: w["wrap"] for u, w in read_keys(env.root)["accounts"].items()} == wraps
    assert env.login(ADMIN).username == ADMIN


def test_failed_recovery_is_audited_at_the_next_login(env: StoreSite) -> None:
    with pytest.raises(AuthError):
        env.site.recover(format_recovery_key(bytes(32)), ADMIN, "new admin pw 1")
    ws = env.login(ADMIN)
    assert "recovery_failed" in [e.action for e in ws.audit.history()]


# -- sessions --------------------------------------------------------------------------------


def test_locked_session_needs_the_password_again(env: StoreSite) -> None:
    ws = env.login(NURSE)
    ws.lock()
    with pytest.raises(AuthError, match="locked"):
        ws.subjects.list()
    with pytest.raises(AuthError, match="Wrong password"):
        ws.unlock(WRONG)
    with pytest.raises(AuthError, match="locked"):
        ws.subjects.list()
    ws.unlock(PASSWORDS[NURSE])
    ws.subjects.list()
    actions = [e.action for e in ws.audit.history()]
    assert actions[-3:] == ["session_locked", "unlock_failed", "session_unlocked"]


def test_wrong_passwords_at_the_lock_screen_lock_the_account_and_end_the_session(
    env: StoreSite,
) -> None:
    ws = env.login(NURSE)
    limit = env.site.policy.max_failed_logins
    ws.lock()
    for _ in range(limit - 1):
        with pytest.raises(AuthError, match=r"^Wrong password\.$"):
            ws.unlock(WRONG)
    assert ws.locked  # still the nurse's session, still locked
    with pytest.raises(AuthError, match=r"now locked .* the session has ended") as ended:
        ws.unlock(WRONG)
    assert "not saved is lost" in (ended.value.hint or "")
    assert ws.logged_out
    with pytest.raises(AuthError, match="log in again"):
        ws.subjects.list()
    with pytest.raises(AuthError, match="is locked after"):
        env.site.login(NURSE, PASSWORDS[NURSE])  # the right password too, until unlocked
    admin = env.login(ADMIN)
    admin.users.unlock(NURSE)
    actions = [e.action for e in admin.audit.history()]
    assert actions.count("unlock_failed") == limit
    assert actions.count("login_failed") == 0  # each failed unlock is recorded once
    assert "account_locked" in actions and "logout" in actions
    env.login(NURSE)  # the administrator's unlock lets the nurse in again


def test_a_right_password_at_the_lock_screen_forgets_the_wrong_ones(env: StoreSite) -> None:
    ws = env.login(NURSE)
    limit = env.site.policy.max_failed_logins
    ws.lock()
    for _ in range(limit - 1):
        with pytest.raises(AuthError):
            ws.unlock(WRONG)
    ws.unlock(PASSWORDS[NURSE])
    ws.lock()
    for _ in range(limit - 1):  # counted from zero again: the session survives
        with pytest.raises(AuthError):
            ws.unlock(WRONG)
    ws.unlock(PASSWORDS[NURSE])
    assert not ws.logged_out


def test_logged_out_session_is_over(env: StoreSite) -> None:
    ws = env.login(NURSE)
    ws.logout()
    with pytest.raises(AuthError, match="log in again"):
        ws.subjects.enrol()
    ws.logout()  # twice is fine


# -- changing a password does not re-encrypt -------------------------------------------------


def test_changing_a_password_does_not_touch_the_database_encryption(
    env: StoreSite, tmp_path: Path
) -> None:
    ws = env.login(NURSE)
    enrol_consented(ws)
    key = ws.db_key
    ws.logout()
    env.reopen()
    database = env.data.database
    page_one = database.read_bytes()[:4096]
    copy = tmp_path / "before.db"
    shutil.copyfile(database, copy)

    ws = env.login(NURSE)
    ws.users.change_password(PASSWORDS[NURSE], "nurse password 7")
    ws.logout()
    env.close()
    assert database.read_bytes()[:4096] == page_one

    env.site = Site.open(env.root)
    again = env.login(NURSE, "nurse password 7")
    assert again.db_key == key
    with raw_db(copy, again.db_key) as con:  # the old file opens with the same key
        assert con.execute("SELECT count(*) FROM subject").fetchone() == (1,)
    assert sha256_file(copy) != sha256_file(database)  # (the change itself was saved)


# -- the permission matrix through the services ----------------------------------------------


@dataclass
class Matrix:
    """One site with every role logged in at once."""

    store: StoreSite
    ws: dict[str, Workspace]
    names: Iterator[int]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    store = make_site(tmp_path_factory.mktemp("matrix") / "site", users=ROLES)
    sessions = {user: store.login(user) for user in ROLES}
    sessions[ADMIN].backups.create()
    yield Matrix(store, sessions, itertools.count(1))
    store.close()


def _sign(ws: Workspace, m: Matrix, sid: str) -> None:
    ws.casebook.sign_form(
        sid,
        "SCR",
        1,
        "IC",
        password=PASSWORDS[ws.username],
        meaning="APPROVE",
        user_id=ws.username,  # the first signature of a session needs both components
    )


def _restore_without_reason(ws: Workspace, m: Matrix, sid: str) -> None:
    with pytest.raises(UsageError, match="reason"):  # allowed, and stopped before any change
        ws.backups.restore("latest", " ")


#: each action gets the workspace, the shared site, and a new subject with a complete
#: consent form (made by the nurse beforehand)
ACTIONS: dict[str, Callable[[Workspace, Matrix, str], object]] = {
    "enrol": lambda ws, m, sid: ws.subjects.enrol(),
    "save values": lambda ws, m, sid: ws.casebook.save_form(sid, "SCR", 1, "MH", {"MHYN": "no"}),
    "change subject status": lambda ws, m, sid: ws.subjects.set_status(sid, SubjectStatus.ENROLLED),
    "sign": _sign,
    "lock form": lambda ws, m, sid: ws.casebook.set_locked(
        sid, "SCR", 1, "IC", True, "database lock"
    ),
    "freeze subject": lambda ws, m, sid: ws.holds.freeze(Target.subject(sid), "clean"),
    "add user": lambda ws, m, sid: ws.users.add(
        f"extra{next(m.names)}", "Extra Person", Role.CRC, TEMPORARY_PASSWORD
    ),
    "list users": lambda ws, m, sid: ws.users.list(),
    "unlock user": lambda ws, m, sid: ws.users.unlock(NURSE),
    "read casebook": lambda ws, m, sid: ws.casebook.load(sid),
    "open form": lambda ws, m, sid: ws.casebook.open_form(sid, "SCR", 1, "IC"),
    "list subjects": lambda ws, m, sid: ws.subjects.list(),
    "read audit": lambda ws, m, sid: ws.audit.history(subject_id=sid),
    "verify audit": lambda ws, m, sid: ws.audit.verify(),
    "create backup": lambda ws, m, sid: ws.backups.create(),
    "list backups": lambda ws, m, sid: ws.backups.list(),
    "verify backup": lambda ws, m, sid: ws.backups.verify("latest"),
    "restore backup": _restore_without_reason,
}

#: action → the accounts (roles) allowed to do it; everyone else gets PermissionDenied
ALLOWED: dict[str, set[str]] = {
    "enrol": {NURSE, DOCTOR},
    "save values": {NURSE, DOCTOR},
    "change subject status": {NURSE, DOCTOR},
    "sign": {DOCTOR},
    "lock form": {ADMIN},
    "freeze subject": {MONITOR, ADMIN},
    "add user": {ADMIN},
    "list users": {ADMIN},
    "unlock user": {ADMIN},
    "read casebook": {NURSE, DOCTOR, MONITOR, ADMIN},
    "open form": {NURSE, DOCTOR, MONITOR, ADMIN},
    "list subjects": {NURSE, DOCTOR, MONITOR, ADMIN},
    "read audit": {NURSE, DOCTOR, MONITOR, ADMIN},
    "verify audit": {NURSE, DOCTOR, MONITOR, ADMIN},
    "create backup": {NURSE, DOCTOR, ADMIN},
    "list backups": {NURSE, DOCTOR, ADMIN},
    "verify backup": {NURSE, DOCTOR, ADMIN},
    "restore backup": {ADMIN},
}


@pytest.mark.parametrize("user", list(ROLES), ids=[ROLES[u].value for u in ROLES])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_permission_matrix(matrix: Matrix, action: str, user: str) -> None:
    ws = matrix.ws[user]
    sid = enrol_consented(matrix.ws[NURSE])
    if user in ALLOWED[action]:
        ACTIONS[action](ws, matrix, sid)
        return
    count = audit_count(ws)
    with pytest.raises(PermissionDenied) as caught:
        ACTIONS[action](ws, matrix, sid)
    assert ROLES[user].label in caught.value.message
    # nothing was done: the nurse's preparation aside, no entry by the refused user
    trail = matrix.ws[NURSE].audit.history()
    assert [e.action for e in trail if e.seq > count and e.username == user] == []


def test_the_table_agrees_with_the_documented_matrix() -> None:
    """The expectations above are the roles' matrix seen through the services."""
    needs = {
        "enrol": Permission.ENTER_DATA,
        "save values": Permission.ENTER_DATA,
        "change subject status": Permission.CHANGE_SUBJECT_STATUS,
        "sign": Permission.SIGN,
        "lock form": Permission.LOCK_FORMS,
        "freeze subject": Permission.FREEZE,
        "add user": Permission.MANAGE_USERS,
        "list users": Permission.MANAGE_USERS,
        "unlock user": Permission.MANAGE_USERS,
        "read casebook": Permission.VIEW_DATA,
        "open form": Permission.VIEW_DATA,
        "list subjects": Permission.VIEW_DATA,
        "read audit": Permission.VIEW_AUDIT,
        "verify audit": Permission.VIEW_AUDIT,
        "create backup": Permission.BACKUP,
        "list backups": Permission.BACKUP,
        "verify backup": Permission.BACKUP,
        "restore backup": Permission.RESTORE,
    }
    for action, permission in needs.items():
        expected = {u for u, role in ROLES.items() if permission in MATRIX[role]}
        assert expected == ALLOWED[action], action


def test_values_entered_by_each_role_are_attributed(matrix: Matrix) -> None:
    sid = enrol_consented(matrix.ws[NURSE])
    doctor = matrix.ws[DOCTOR]
    doctor.casebook.save_form(sid, "SCR", 1, "IC", {"ICVER": "2.1"}, reason="checked source")
    entry = doctor.audit.history(subject_id=sid, item_path="ICVER")[-1]
    assert (entry.username, entry.role) == (DOCTOR, "INV")
