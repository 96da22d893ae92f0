"""Demo sites full of invented subjects, for training, screenshots and benchmarks.

:func:`create_demo_site` sets up a site for one bundled study, creates one
account per role (fixed, public passwords: see :mod:`npc_crf.demo.accounts`)
and walks every subject through the schedule: screening (about 15 % screen
failures), baseline, treatment cycles, radiotherapy, tumour assessments,
adverse events, end of treatment, follow-up and, for some, death. Every value
goes through ``CasebookService.save_form``, so every check of the forms applies
and everything is in the audit trail; all saves of one subject are one
transaction. The data are deterministic for a seed and contain no real patient
data and no person's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from npc_crf.core.errors import UsageError
from npc_crf.demo import nct07062484, sint_rt
from npc_crf.demo.accounts import ADMIN, DEMO_USERS, DOCTOR, NURSE, DemoUser, create_accounts
from npc_crf.demo.plan import SubjectPlan
from npc_crf.demo.timeline import ACCRUAL_START, build_courses, data_cutoff
from npc_crf.services.site import Site
from npc_crf.services.workspace import Workspace
from npc_crf.store.keyfile import KdfCost

#: the site ID of every demo site
DEMO_SITE_ID = "D01"

#: the studies the demo can fill, by study OID
STUDIES: dict[str, ModuleType] = {
    sint_rt.STUDY_OID: sint_rt,
    nct07062484.STUDY_OID: nct07062484,
}

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoSite:
    """What :func:`create_demo_site` made.

    The passwords of ``users`` are fixed and public (they are in the source code
    and printed by the command line): a demo site is for invented data only.
    """

    data_dir: Path
    site_id: str
    study_oid: str
    users: tuple[DemoUser, ...]
    subject_ids: tuple[str, ...]
    recovery_key: str
    cutoff: dt.date


def demo_studies() -> list[str]:
    """The OIDs of the studies a demo can be made for."""
    return list(STUDIES)


def plan_subjects(
    study_oid: str, subjects: int, seed: int, cutoff: dt.date | None = None
) -> list[SubjectPlan]:
    """The plan of every subject (no store involved; deterministic for ``seed``)."""
    module = _module(study_oid)
    courses = build_courses(subjects, seed, module.PROFILE, cutoff or data_cutoff())
    return [module.plan_subject(course, seed) for course in courses]


def check_cutoff(cutoff: dt.date | None, today: dt.date | None = None) -> dt.date:
    """``cutoff``, or the default; UsageError when it is too early or in the future."""
    if cutoff is None:
        return data_cutoff(today)
    earliest = ACCRUAL_START + dt.timedelta(days=240)
    if cutoff < earliest:
        raise UsageError(f"The data cut-off must be on or after {earliest.isoformat()}.")
    if cutoff >= (today or dt.date.today()):
        raise UsageError("The data cut-off must be before today (the forms refuse future dates).")
    return cutoff


def _module(study_oid: str) -> ModuleType:
    module = STUDIES.get(study_oid)
    if module is None:
        raise UsageError(
            f"There is no demo for study '{study_oid}' (available: {', '.join(STUDIES)})."
        )
    return module


def create_demo_site(
    data_dir: Path,
    study_oid: str,
    subjects: int = 20,
    seed: int = 1,
    cost: KdfCost | None = None,
    progress: Progress | None = None,
    cutoff: dt.date | None = None,
) -> DemoSite:
    """Create a site in ``data_dir`` (which must hold no site) with ``subjects`` subjects.

    ``cost`` is the Argon2id cost of the demo accounts' passwords (the production
    default when None; tests pass ``TEST_COST``). ``progress(done, total)`` is called
    after each subject. ``cutoff`` is the data cut-off: no date is after it (default:
    :data:`~npc_crf.demo.timeline.DEFAULT_CUTOFF`, or yesterday when that is later);
    subjects are screened from :data:`~npc_crf.demo.timeline.ACCRUAL_START` until six
    months before it.
    """
    if subjects < 1:
        raise UsageError("A demo needs at least one subject.")
    cutoff = check_cutoff(cutoff)
    plans = plan_subjects(study_oid, subjects, seed, cutoff)
    site, recovery_key = Site.init(
        Path(data_dir),
        site_id=DEMO_SITE_ID,
        study_oid=study_oid,
        admin=ADMIN.username,
        admin_name=ADMIN.full_name,
        password=ADMIN.password,
        cost=cost or KdfCost(),
    )
    subject_ids: list[str] = []
    try:
        admin = site.login(ADMIN.username, ADMIN.password, channel="demo")
        try:
            create_accounts(site, admin)
        finally:
            admin.logout()
        nurse = site.login(NURSE.username, NURSE.password, channel="demo")
        doctor = site.login(DOCTOR.username, DOCTOR.password, channel="demo")
        try:
            for n, plan in enumerate(plans, start=1):
                subject_ids.append(carry_out(plan, nurse, doctor, DOCTOR.password))
                if progress is not None:
                    progress(n, len(plans))
        finally:
            nurse.logout()
            doctor.logout()
    finally:
        site.close()
    return DemoSite(
        data_dir=Path(data_dir),
        site_id=DEMO_SITE_ID,
        study_oid=study_oid,
        users=DEMO_USERS,
        subject_ids=tuple(subject_ids),
        recovery_key=recovery_key,
        cutoff=cutoff,
    )


def carry_out(plan: SubjectPlan, nurse: Workspace, doctor: Workspace, doctor_password: str) -> str:
    """Enrol one subject and make its saves (one transaction), status changes and signatures.

    Returns the subject ID.
    """
    subject_id = nurse.subjects.enrol(screening_date=plan.screening)
    with nurse.tx() as tx:
        for save in plan.ordered():
            nurse.casebook.save_form(
                subject_id,
                save.event,
                save.occurrence,
                save.form,
                save.values,
                overrides=save.overrides or None,
                complete=save.complete,
                source="demo",
                tx=tx,
            )
    for change in plan.statuses:
        nurse.subjects.set_status(subject_id, change.status, reason=change.reason, on=change.day)
    for sig in plan.signatures:
        doctor.signatures.sign_form(
            subject_id,
            sig.event,
            sig.occurrence,
            sig.form,
            password=doctor_password,
            meaning=sig.meaning,
            user_id=doctor.username,  # the first signature of a session needs both components
        )
    return subject_id


__all__ = [
    "DEMO_SITE_ID",
    "DEMO_USERS",
    "STUDIES",
    "DemoSite",
    "DemoUser",
    "check_cutoff",
    "create_demo_site",
    "demo_studies",
    "plan_subjects",
]
