"""Freezes and locks at form, subject and site level: what they stop, who sets and
releases them, and the one lock model shared with the form status ``locked``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from npc_crf.core.errors import PermissionDenied, UsageError
from npc_crf.services.casebook import FormStatus
from npc_crf.services.monitoring.holds import (
    Level,
    Scope,
    State,
    Target,
    require_data_change,
    require_not_locked,
)
from npc_crf.services.subjects import SubjectStatus
from npc_crf.services.workspace import Workspace
from tests.store_helpers import (
    ADMIN,
    DOCTOR,
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
)

MH_VALUES = mh_values(mh_row("Hypertension"))


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
def admin(env: StoreSite) -> Workspace:
    return env.login(ADMIN)


@pytest.fixture
def monitor(env: StoreSite) -> Workspace:
    return env.login(MONITOR)


def edit_ic(ws: Workspace, sid: str, version: str = "2.1") -> Any:
    return ws.casebook.save_form(sid, "SCR", 1, "IC", {"ICVER": version}, reason="correction")


def ic_id(ws: Workspace, sid: str) -> int:
    with ws.engine.connect() as conn:
        return int(
            conn.exec_driver_sql(
                "SELECT f.id FROM form_instance f JOIN event_instance e "
                "ON f.event_instance_id = e.id WHERE e.subject_id = ? AND f.form_oid = 'IC'",
                (sid,),
            ).scalar_one()
        )


def check(ws: Workspace, sid: str | None, fid: int | None, *, data: bool) -> None:
    """Run one of the hold checks in a read transaction."""
    with ws.read() as conn:
        (require_data_change if data else require_not_locked)(ws, conn, sid, fid, "here")


def sign(doctor: Workspace, sid: str, form: str = "IC") -> None:
    doctor.signatures.sign_form(
        sid, "SCR", 1, form, meaning="APPROVE", password=PASSWORDS[DOCTOR], user_id=DOCTOR
    )


# -- freeze --------------------------------------------------------------------------------------


def test_a_frozen_subject_takes_no_data_change_but_queries_and_signatures_go_on(
    env: StoreSite, nurse: Workspace, monitor: Workspace
) -> None:
    sid, other = enrol_consented(nurse), enrol_consented(nurse)
    count = audit_count(nurse)
    monitor.holds.freeze(Target.subject(sid), "clean after SDV")
    assert audit_actions(nurse, since=count) == ["subject_frozen"]
    [entry] = [e for e in nurse.audit.history(subject_id=sid) if e.action == "subject_frozen"]
    assert (entry.username, entry.reason) == (MONITOR, "clean after SDV")

    with pytest.raises(UsageError, match="frozen at subject") as caught:
        edit_ic(nurse, sid)
    assert MONITOR in caught.value.message and "clean after SDV" in caught.value.message
    with pytest.raises(UsageError, match="frozen"):
        nurse.casebook.save_form(sid, "SCR", 1, "MH", MH_VALUES)  # a new form too
    with pytest.raises(UsageError, match="frozen"):
        nurse.subjects.set_status(sid, SubjectStatus.ENROLLED)
    edit_ic(nurse, other)  # another subject is open

    with pytest.raises(UsageError, match="frozen"):
        check(nurse, sid, ic_id(nurse, sid), data=True)
    check(nurse, sid, ic_id(nurse, sid), data=False)  # queries and SDV pass

    # an investigator may still sign a frozen record (Part 11 practice)
    sign(env.login(DOCTOR), sid)
    state = nurse.holds.state_of(sid, "SCR", 1, "IC")
    assert state.state is State.FROZEN
    assert state.source is not None and state.source.target == Target.subject(sid)
    assert (state.source.set_by, state.source.reason) == (MONITOR, "clean after SDV")
    assert nurse.casebook.form_record(sid, "SCR", 1, "IC").status is FormStatus.SIGNED  # type: ignore[union-attr]


def test_only_an_administrator_releases_a_freeze_and_only_with_a_reason(
    nurse: Workspace, monitor: Workspace, admin: Workspace, env: StoreSite
) -> None:
    sid = enrol_consented(nurse)
    target = Target.subject(sid)
    for ws in (nurse, env.login(DOCTOR)):
        with pytest.raises(PermissionDenied):
            ws.holds.freeze(target, "why not")
    with pytest.raises(UsageError, match="reason is needed"):
        monitor.holds.freeze(target, "  ")
    monitor.holds.freeze(target, "ready for review")
    with pytest.raises(UsageError, match="already frozen"):
        admin.holds.freeze(target, "again")
    with pytest.raises(PermissionDenied):
        monitor.holds.unfreeze(target, "changed my mind")
    with pytest.raises(UsageError, match="reason is needed"):
        admin.holds.unfreeze(target, "")
    count = audit_count(nurse)
    admin.holds.unfreeze(target, "query answered: correction needed")
    assert audit_actions(nurse, since=count) == ["subject_unfrozen"]
    with pytest.raises(UsageError, match="is not frozen"):
        admin.holds.unfreeze(target, "again")
    edit_ic(nurse, sid)
    assert nurse.holds.state_of(sid).state is State.OPEN
    with admin.read() as conn:  # the released hold stays, with who released it and why
        row = conn.exec_driver_sql("SELECT * FROM hold").mappings().one()
    assert (row["set_by"], row["released_by"], row["release_reason"]) == (
        MONITOR,
        ADMIN,
        "query answered: correction needed",
    )


def test_a_site_freeze_stops_every_subject_and_new_ones(
    nurse: Workspace, monitor: Workspace, admin: Workspace
) -> None:
    sid = enrol_consented(nurse)
    admin.holds.freeze(Target.site(), "interim analysis cut-off")
    with pytest.raises(UsageError, match="frozen at the site"):
        edit_ic(nurse, sid)
    with pytest.raises(UsageError, match="frozen at the site"):
        nurse.subjects.enrol()
    assert nurse.holds.state_of().state is State.FROZEN
    assert nurse.holds.state_of(sid).source.target.scope is Scope.SITE  # type: ignore[union-attr]
    assert [h.target.scope for h in nurse.holds.in_force()] == [Scope.SITE]
    with pytest.raises(PermissionDenied):
        monitor.holds.unfreeze(Target.site(), "done")
    admin.holds.unfreeze(Target.site(), "analysis data set taken")
    nurse.subjects.enrol()
    edit_ic(nurse, sid)


def test_a_form_freeze_covers_that_form_only(nurse: Workspace, monitor: Workspace) -> None:
    sid = enrol_consented(nurse)
    nurse.casebook.save_form(sid, "SCR", 1, "MH", MH_VALUES, complete=True)
    with pytest.raises(UsageError, match="has not been started"):
        monitor.holds.freeze(Target.form(sid, "BASE", 1, "VS"), "nothing there")
    monitor.holds.freeze(Target.form(sid, "SCR", 1, "IC"), "verified")
    with pytest.raises(UsageError, match=r"frozen at form .*/SCR\[1\]/IC"):
        edit_ic(nurse, sid)
    nurse.casebook.save_form(sid, "SCR", 1, "MH", {"MHYN": "yes"}, reason="re-check")
    assert nurse.holds.state_of(sid).state is State.OPEN
    assert nurse.holds.state_of(sid, "SCR", 1, "IC").state is State.FROZEN
    assert nurse.holds.state_of(sid, "BASE", 1, "VS").state is State.OPEN  # not started


# -- lock ----------------------------------------------------------------------------------------


def test_a_locked_subject_changes_in_no_way(
    env: StoreSite, nurse: Workspace, monitor: Workspace, admin: Workspace
) -> None:
    sid = enrol_consented(nurse)
    doctor = env.login(DOCTOR)
    assert [t.subject_id for t in doctor.signatures.to_sign()] == [sid]
    with pytest.raises(PermissionDenied):
        monitor.holds.lock(Target.subject(sid), "done")
    admin.holds.lock(Target.subject(sid), "database lock")
    fid = ic_id(nurse, sid)
    with pytest.raises(UsageError, match="locked at subject"):
        edit_ic(nurse, sid)
    for data in (True, False):
        with pytest.raises(UsageError, match="locked"):
            check(nurse, sid, fid, data=data)
    with pytest.raises(UsageError, match="locked at subject"):
        sign(doctor, sid)
    assert doctor.signatures.to_sign() == []
    state = nurse.holds.state_of(sid, "SCR", 1, "IC")
    assert state.state is State.LOCKED and state.source.level is Level.LOCKED  # type: ignore[union-attr]

    # a freeze under the lock stays when the lock goes
    monitor.holds.freeze(Target.subject(sid), "clean")
    assert [h.level for h in nurse.holds.state_of(sid).holds] == [Level.LOCKED, Level.FROZEN]
    with pytest.raises(PermissionDenied):
        monitor.holds.unlock(Target.subject(sid), "no")
    admin.holds.unlock(Target.subject(sid), "reopened for a late lab value")
    assert nurse.holds.state_of(sid).state is State.FROZEN
    check(nurse, sid, fid, data=False)
    sign(doctor, sid)  # signing during a freeze


def test_a_site_lock_stops_signing_everywhere(
    env: StoreSite, nurse: Workspace, admin: Workspace
) -> None:
    sid = enrol_consented(nurse)
    admin.holds.lock(Target.site(), "final database lock")
    doctor = env.login(DOCTOR)
    with pytest.raises(UsageError, match="locked at the site"):
        sign(doctor, sid)
    assert doctor.signatures.to_sign() == []
    with pytest.raises(UsageError, match="locked at the site"):
        check(nurse, None, None, data=False)
    admin.holds.unlock(Target.site(), "reopened by the sponsor")
    sign(doctor, sid)


def test_the_form_lock_is_the_form_status_and_one_path_sets_it(
    env: StoreSite, nurse: Workspace, admin: Workspace, monitor: Workspace
) -> None:
    sid = enrol_consented(nurse)
    sign(env.login(DOCTOR), sid)
    target = Target.form(sid, "SCR", 1, "IC")
    with pytest.raises(PermissionDenied):
        monitor.holds.lock(target, "no")
    count = audit_count(nurse)
    admin.holds.lock(target, "interim analysis")
    assert audit_actions(nurse, since=count) == ["form_locked"]
    assert nurse.casebook.form_record(sid, "SCR", 1, "IC").status is FormStatus.LOCKED  # type: ignore[union-attr]
    with admin.read() as conn:  # no hold row: the status is the form's lock
        assert conn.exec_driver_sql("SELECT count(*) FROM hold").scalar_one() == 0
    [held] = nurse.holds.in_force()
    assert (held.uid, held.level, held.target, held.set_by, held.reason) == (
        None,
        Level.LOCKED,
        target,
        ADMIN,
        "interim analysis",
    )
    state = nurse.holds.state_of(sid, "SCR", 1, "IC")
    assert state.state is State.LOCKED and state.source == held
    with pytest.raises(UsageError, match="locked"):
        check(nurse, sid, ic_id(nurse, sid), data=False)
    # the casebook's own lock call is the same path
    with pytest.raises(UsageError, match="already locked"):
        admin.casebook.set_locked(sid, "SCR", 1, "IC", True, "again")
    admin.casebook.set_locked(sid, "SCR", 1, "IC", False, "query answered")
    assert nurse.casebook.form_record(sid, "SCR", 1, "IC").status is FormStatus.SIGNED  # type: ignore[union-attr]
    assert nurse.holds.in_force() == []
    with pytest.raises(UsageError, match="reason is needed"):
        admin.holds.unlock(target, " ")
