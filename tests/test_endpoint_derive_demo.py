"""``derive_subject`` on the demo's invented subjects of both studies (in memory, no store):
every subject derives, and the derivations agree with the demo's own story (first dose,
progression, death) at the demo's cut-off and at an earlier one."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest

from npc_crf.demo import STUDIES, plan_subjects
from npc_crf.demo.plan import SubjectPlan
from npc_crf.demo.timeline import Course, build_courses
from npc_crf.endpoints.derive.settings import endpoint_settings
from npc_crf.endpoints.derive.subject import EXCLUSIONS, derive_subject
from npc_crf.endpoints.model import Status, SubjectEndpoints
from npc_crf.forms.expr.values import PartialDate
from npc_crf.forms.model import Study
from npc_crf.forms.subject_data import MemorySubject

CUTOFF = dt.date(2025, 12, 31)
EARLY = dt.date(2025, 3, 31)
SUBJECTS = 40
SEED = 3
OIDS = sorted(STUDIES)


def by_oid(studies: dict[str, Study], oid: str) -> Study:
    return next(s for s in studies.values() if s.oid == oid)


def demo(oid: str) -> list[tuple[SubjectPlan, Course]]:
    """The demo's plans (the forms) and courses (the story behind them)."""
    plans = plan_subjects(oid, SUBJECTS, SEED, CUTOFF)
    courses = build_courses(SUBJECTS, SEED, STUDIES[oid].PROFILE, CUTOFF)
    return list(zip(plans, courses, strict=True))


def status_of(plan: SubjectPlan) -> str:
    return plan.statuses[-1].status.value if plan.statuses else "screening"


def derive_all(
    study: Study, cutoff: dt.date, **settings: Any
) -> list[tuple[SubjectEndpoints, Course]]:
    chosen = dataclasses.replace(endpoint_settings(study), **settings)
    return [
        (
            derive_subject(
                study,
                f"D01-01-{n:04d}",
                "D01",
                plan.memory_subject(),
                cutoff,
                chosen,
                status=status_of(plan),
            ),
            course,
        )
        for n, (plan, course) in enumerate(demo(study.oid), 1)
    ]


def dates_of(e: SubjectEndpoints) -> list[dt.date]:
    found = [
        e.start,
        e.response_start,
        e.progression,
        e.death,
        e.last_known_alive,
        e.new_therapy,
        e.last_dose,
        *(c.date for c in e.target_changes),
        *(t.date for t in (e.pfs, e.os, e.dor) if t is not None),
    ]
    return [d for d in found if d is not None]


@pytest.mark.parametrize("oid", OIDS)
def test_every_demo_subject_agrees_with_its_story(studies: dict[str, Study], oid: str) -> None:
    derived = derive_all(by_oid(studies, oid), CUTOFF)
    reasons: set[str] = set()
    for e, course in derived:
        assert all(d <= CUTOFF for d in dates_of(e)), e.subject_id
        if not course.enrolled:
            assert e.excluded == "screen_failure" and e.start is None and e.pfs is None
            continue
        assert e.start == course.first_dose, e.subject_id
        assert e.pfs is not None and e.os is not None and e.os_1y is not None
        # OS: the demo's deaths and nothing else are events, on the same day
        assert (e.os.status is Status.EVENT) == (course.death is not None), e.subject_id
        assert e.death == course.death
        if course.death is not None:
            assert e.os.date == course.death and e.os.reason == "death"
        # progression: the demo's first documented progression, by imaging or at follow-up
        assert e.progression == course.progression, e.subject_id
        if e.pfs.status is Status.EVENT:
            assert e.pfs.date == min(d for d in (course.progression, course.death) if d)
        # DoR for confirmed responders only, from the response start
        assert (e.dor is not None) == (e.bor in ("CR", "PR")), e.subject_id
        if e.dor is not None:
            assert e.response_start is not None and e.dor.date >= e.response_start
        assert e.last_dose is not None and course.last_dose is not None
        assert e.last_dose >= course.last_dose
        assert e.notes == (), (e.subject_id, e.notes)
        reasons.add(e.pfs.reason)
    # the demo shows the common outcomes
    assert {"progression", "no_progression"} <= reasons
    assert sum(e.excluded is None for e, _ in derived) > SUBJECTS // 2
    assert {e.excluded for e, _ in derived} <= {None, *EXCLUSIONS}
    assert any(e.bor in ("CR", "PR") for e, _ in derived)
    assert any(e.target_changes for e, _ in derived)


@pytest.mark.parametrize("oid", OIDS)
def test_nothing_after_an_earlier_cutoff_counts(studies: dict[str, Study], oid: str) -> None:
    derived = derive_all(by_oid(studies, oid), EARLY)
    started_later = 0
    for e, course in derived:
        assert all(d <= EARLY for d in dates_of(e)), e.subject_id
        if course.enrolled and course.first_dose is not None and course.first_dose > EARLY:
            started_later += 1
            assert e.start is None and e.excluded == "not_treated" and e.os is None
        if e.os is not None:
            died = course.death is not None and course.death <= EARLY
            assert (e.os.status is Status.EVENT) == died, e.subject_id
            if course.death is not None and course.death > EARLY:
                assert (e.os.reason, e.os.date) == ("cutoff", EARLY)
    assert started_later > 0


@pytest.mark.parametrize("oid", OIDS)
def test_irecist_progression_is_never_earlier(studies: dict[str, Study], oid: str) -> None:
    study = by_oid(studies, oid)
    recist = derive_all(study, CUTOFF)
    irecist = derive_all(study, CUTOFF, progression="irecist")
    for (r, _), (i, _) in zip(recist, irecist, strict=True):
        assert r.bor == i.bor  # BOR stays RECIST 1.1
        if i.progression is not None:
            assert r.progression is not None and i.progression >= r.progression


def replaced(
    plan: SubjectPlan, event: str, form: str, changes: Mapping[str, object]
) -> MemorySubject:
    """A demo subject's forms with some values of one form changed (every occurrence)."""
    saves = [
        dataclasses.replace(s, values={**s.values, **changes})
        if (s.event, s.form) == (event, form)
        else s
        for s in plan.saves
    ]
    return SubjectPlan(plan.screening, saves).memory_subject()


def first_with(oid: str, test: Any) -> tuple[SubjectPlan, Course]:
    return next((p, c) for p, c in demo(oid) if test(c))


def test_a_partial_date_of_death_is_imputed_and_noted(studies: dict[str, Study]) -> None:
    study = by_oid(studies, "NCT07062484")
    plan, course = first_with("NCT07062484", lambda c: c.death is not None)
    assert course.death is not None
    month = PartialDate(course.death.year, course.death.month)
    data = replaced(plan, "DEATH", "DTH", {"DTHDAT": month})
    e = derive_subject(study, "X", "D01", data, CUTOFF, status="died")
    assert e.os is not None and e.os.status is Status.EVENT
    assert e.os.date <= course.death and e.os.date >= month.earliest()
    assert e.last_known_alive is None or e.os.date >= e.last_known_alive
    assert any(f"DEATH[1]/DTH/DTHDAT: partial date {month} taken as" in n for n in e.notes), e.notes


def test_a_partial_progression_date_at_follow_up_is_imputed(studies: dict[str, Study]) -> None:
    study = by_oid(studies, "NPC-SINT-RT")
    plan, course = first_with(
        "NPC-SINT-RT",
        lambda c: c.enrolled and c.first_dose is not None and c.progression is None and c.contacts,
    )
    assert course.first_dose is not None
    first = course.first_dose
    # a progression known only to the year of the first dose: not before the day after it
    data = replaced(plan, "SURVV", "SURV", {"SURVPD": True, "SURVPDDT": PartialDate(first.year)})
    e = derive_subject(study, "X", "D01", data, CUTOFF, status="follow_up")
    assert e.pfs is not None
    assert (e.pfs.status, e.pfs.reason) == (Status.EVENT, "clinical_progression")
    assert e.pfs.date == first + dt.timedelta(days=1) and e.pfs.days == 1
    assert any("SURVPDDT: partial date" in n and "other data allow" in n for n in e.notes)
