"""The demo generator: small demo sites of both studies, checked through the services."""

from __future__ import annotations

import collections
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from npc_crf.demo import DemoSite, create_demo_site, plan_subjects
from npc_crf.demo.accounts import MONITOR
from npc_crf.demo.timeline import AE_GRADES, AE_TERMS
from npc_crf.forms.eligibility import Verdict, assess
from npc_crf.forms.subject_data import MemorySubject
from npc_crf.services.casebook import Casebook, FormStatus
from npc_crf.services.site import Site
from npc_crf.services.subjects import SubjectStatus
from npc_crf.store.keyfile import TEST_COST

#: an early cut-off keeps the courses (and the test) short
CUTOFF = dt.date(2025, 3, 31)
SUBJECTS = 6
REPO = Path(__file__).resolve().parents[1]

TREATMENT_EVENT = {"NPC-SINT-RT": "CYCLE", "NCT07062484": "TRT"}
DEATH_EVENT = {"NPC-SINT-RT": "DTHV", "NCT07062484": "DEATH"}


@pytest.fixture(scope="module", params=["NPC-SINT-RT", "NCT07062484"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A demo site of each study and every subject's casebook (read by the monitor)."""
    study = request.param
    folder = tmp_path_factory.mktemp(study.lower()) / "site"
    made = create_demo_site(folder, study, subjects=SUBJECTS, seed=7, cost=TEST_COST, cutoff=CUTOFF)
    site = Site.open(folder)
    ws = site.login(MONITOR.username, MONITOR.password)
    try:
        casebooks = {sid: ws.casebook.load(sid) for sid in made.subject_ids}
        report = ws.audit.verify()
        subjects = ws.subjects.list()
        yield made, casebooks, report, subjects, ws.study
    finally:
        ws.logout()
        site.close()


def _occurrences(casebook: Casebook, event: str) -> int:
    return sum(1 for e in casebook.events if e.event_oid == event)


def test_demo_has_the_expected_variety(demo) -> None:
    made, casebooks, _report, subjects, _study = demo
    study = made.study_oid
    assert len(made.subject_ids) == SUBJECTS
    statuses = collections.Counter(s.status for s in subjects)
    assert statuses[SubjectStatus.SCREEN_FAILURE] >= 1
    assert all(s.status_reason for s in subjects if s.status is SubjectStatus.SCREEN_FAILURE)
    assert statuses[SubjectStatus.DIED] >= 1
    cycles = [_occurrences(cb, TREATMENT_EVENT[study]) for cb in casebooks.values()]
    assert max(cycles) >= 6
    assert sum(1 for c in cycles if c >= 3) >= 2
    assert sum(_occurrences(cb, "TAV") for cb in casebooks.values()) >= 5
    assert sum(_occurrences(cb, "AEV") for cb in casebooks.values()) >= 3
    dead = [cb for cb in casebooks.values() if cb.subject.status is SubjectStatus.DIED]
    assert all(_occurrences(cb, DEATH_EVENT[study]) == 1 for cb in dead)
    responses = {
        f.answers.get("OVRLRESP") or f.answers.get("TAOVRL")
        for cb in casebooks.values()
        for e in cb.events
        if e.event_oid == "TAV"
        for f in e.forms.values()
        if f.form_oid == "TA"
    }
    assert "PD" in responses
    assert responses & {"PR", "CR"}


def test_every_form_is_saved_in_a_valid_state_and_some_are_signed(demo) -> None:
    _made, casebooks, _report, _subjects, _study = demo
    statuses = collections.Counter(
        f.status for cb in casebooks.values() for e in cb.events for f in e.forms.values()
    )
    assert set(statuses) <= {FormStatus.IN_PROGRESS, FormStatus.COMPLETE, FormStatus.SIGNED}
    assert statuses[FormStatus.SIGNED] >= SUBJECTS - 1  # eligibility, end of treatment, death
    assert statuses[FormStatus.COMPLETE] > 100


def test_the_audit_chain_verifies(demo) -> None:
    _made, _casebooks, report, _subjects, _study = demo
    assert report.ok
    assert report.entries > 1000


def test_computed_eligibility_agrees_with_the_subject_status(demo) -> None:
    """Enrolled subjects meet every criterion; screen failures fail at least one."""
    _made, casebooks, _report, _subjects, study = demo
    for casebook in casebooks.values():
        events: dict[str, object] = {}
        for e in casebook.events:
            forms = {oid: f.answers for oid, f in e.forms.items()}
            event = study.event(e.event_oid)
            if event is not None and event.repeating:
                occurrences = events.setdefault(e.event_oid, [])
                assert isinstance(occurrences, list)
                occurrences.append(forms)
            else:
                events[e.event_oid] = forms
        verdict = assess(study, MemorySubject(events), reference_ranges=study.reference_ranges)
        if casebook.subject.status is SubjectStatus.SCREEN_FAILURE:
            if "withdrew" not in (casebook.subject.status_reason or "").lower():
                assert verdict.verdict is Verdict.NOT_ELIGIBLE, casebook.subject.subject_id
        else:
            assert verdict.verdict is Verdict.ELIGIBLE, (
                casebook.subject.subject_id,
                [r.criterion.id for r in verdict.failing],
                [r.criterion.id for r in verdict.undecided],
            )


def test_no_entered_date_is_after_the_cutoff(demo) -> None:
    made, casebooks, _report, _subjects, study = demo
    assert made.cutoff == CUTOFF
    for cb in casebooks.values():
        for e in cb.events:
            for f in e.forms.values():
                form = study.forms[f.form_oid]
                for oid, value in _entered(f.answers):
                    item = form.item(oid)
                    if isinstance(value, dt.date) and item is not None and item.takes_input:
                        assert value <= CUTOFF, (cb.subject.subject_id, e.event_oid, oid)


def _entered(answers: dict[str, object]) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for oid, value in answers.items():
        if isinstance(value, list):
            for row in value:
                found.extend(row.items())
        else:
            found.append((oid, value))
    return found


@pytest.mark.parametrize("study", ["NPC-SINT-RT", "NCT07062484"])
def test_plans_are_deterministic(study: str) -> None:
    first = plan_subjects(study, 12, seed=3, cutoff=CUTOFF)
    again = plan_subjects(study, 12, seed=3, cutoff=CUTOFF)
    other = plan_subjects(study, 12, seed=4, cutoff=CUTOFF)
    assert first == again
    assert first != other


def test_demo_terms_and_grades_are_ctcae_v5() -> None:
    import json

    from npc_crf.core.paths import resources_dir

    data = json.loads((resources_dir() / "ctcae_v5_terms.json").read_text(encoding="utf-8"))
    terms = {t["term"]: t for t in data["terms"]}
    for name, (code, _kind) in AE_TERMS.items():
        assert terms[name]["meddra_code"] == code
        for grade, _weight in AE_GRADES.get(name, ()):
            assert terms[name]["grades"][grade], (name, grade)


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "npc_crf", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def test_cli_creates_a_site_that_opens_with_the_printed_password(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    done = _run(
        "demo",
        "--data-dir",
        str(folder),
        "--study",
        "NPC-SINT-RT",
        "--subjects",
        "3",
        "--cutoff",
        "2025-03-31",
        "--test-kdf",
    )
    assert done.returncode == 0, done.stderr
    assert "3 subjects" in done.stdout
    lines = {
        line.split()[0]: line.split() for line in done.stdout.splitlines() if line.startswith("  ")
    }
    assert {"admin", "nurse", "doctor", "monitor"} <= set(lines)
    password = lines["admin"][-1]
    listing = _run(
        "subject",
        "list",
        "--data-dir",
        str(folder),
        "--user",
        "admin",
        env={"NPC_CRF_PASSWORD": password},
    )
    assert listing.returncode == 0, listing.stderr
    assert len([line for line in listing.stdout.splitlines() if line.startswith("D01-")]) == 3
    again = _run("demo", "--data-dir", str(folder), "--study", "NPC-SINT-RT", "--subjects", "1")
    assert again.returncode == 2
    assert "already exists" in again.stderr


def test_cli_without_study_makes_one_site_per_study(tmp_path: Path) -> None:
    done = _run(
        "demo",
        "--data-dir",
        str(tmp_path),
        "--subjects",
        "1",
        "--cutoff",
        "2025-03-31",
        "--test-kdf",
    )
    assert done.returncode == 0, done.stderr
    for study in ("npc-sint-rt", "nct07062484"):
        site = Site.open(tmp_path / study)
        try:
            ws = site.login("admin", "demo-admin-pass")
            assert len(ws.subjects.list()) == 1
            ws.logout()
        finally:
            site.close()


def test_demo_site_describes_itself(tmp_path: Path) -> None:
    made: DemoSite = create_demo_site(
        tmp_path / "one", "NCT07062484", subjects=1, seed=1, cost=TEST_COST, cutoff=CUTOFF
    )
    assert made.site_id == "D01"
    assert [u.username for u in made.users] == ["admin", "nurse", "doctor", "monitor"]
    assert all(len(u.password) >= 10 for u in made.users)
    assert made.subject_ids == ("D01-01-0001",)


@pytest.mark.parametrize(
    ("study", "death_event", "grade_item"),
    [("NPC-SINT-RT", "DTHV", "AETOXGR"), ("NCT07062484", "DEATH", "AEGRADE")],
)
def test_a_fatal_adverse_event_is_entered_after_the_death_record(
    study: str, death_event: str, grade_item: str
) -> None:
    """The AE form refuses grade 5 before the death record exists; a 300-subject demo
    once stopped at subject 222 on it. Plans only (no store), so all 300 are checked."""
    fatal = 0
    for plan in plan_subjects(study, 300, 1):
        death_entered = False
        for save in plan.ordered():
            death_entered = death_entered or save.event == death_event
            if save.form == "AE" and save.values.get(grade_item) == 5:
                fatal += 1
                assert death_entered, f"{study} subject {plan.screening}: grade 5 before death"
    assert fatal > 0
