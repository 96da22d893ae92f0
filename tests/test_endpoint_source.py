"""The subjects of a site store and of a dataset payload (the center's shape) read the same,
and derive the same endpoints."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from npc_crf.endpoints.derive.subject import derive_subject
from npc_crf.endpoints.source import payload_subjects, site_subjects
from npc_crf.exchange.csv_out.dataset import DatasetError
from npc_crf.forms.model import Study
from npc_crf.sync.payload import collect, collect_payload
from tests.report_fixtures import CUTOFF, ReportSite, logged_in

OIDS = ["NPC-SINT-RT", "NCT07062484"]


def all_forms(study: Study, data: Any) -> dict[tuple[str, int, str], object]:
    """Every form of a subject through the SubjectData protocol."""
    found: dict[tuple[str, int, str], object] = {}
    for event in study.events:
        for occurrence in range(1, data.occurrence_count(event.oid) + 1):
            for form in event.forms:
                answers = data.form_data(event.oid, occurrence, form)
                if answers is not None:
                    found[(event.oid, occurrence, form)] = answers
    return found


@pytest.mark.parametrize("oid", OIDS)
def test_store_and_payload_give_the_same_subjects_and_endpoints(
    report_site_of: Callable[[str], ReportSite], oid: str
) -> None:
    site = report_site_of(oid)
    with logged_in(site.data_dir) as ws:
        study = ws.study
        from_store = site_subjects(ws)
        payload = collect_payload(ws)
        bundled = collect(ws, full=True).payload  # values and audit as tables
    from_payload = payload_subjects(study, payload)
    assert [(s, site_id, d.status) for s, site_id, d in from_store] == [
        (s, site_id, d.status) for s, site_id, d in from_payload
    ]
    assert [s for s, _, _ in from_store] == list(site.subject_ids)
    assert {site_id for _, site_id, _ in from_store} == {"D01"}
    derived = 0
    for (sid, site_id, stored), (_, _, sent) in zip(from_store, from_payload, strict=True):
        forms = all_forms(study, stored)
        assert forms, sid
        assert forms == all_forms(study, sent), sid
        mine = derive_subject(study, sid, site_id, stored, CUTOFF)
        assert mine == derive_subject(study, sid, site_id, sent, CUTOFF), sid
        derived += mine.os is not None
    assert derived >= 2  # treated subjects, not only screen failures
    as_bundled = payload_subjects(study, bundled)
    assert [all_forms(study, d) for _, _, d in as_bundled] == [
        all_forms(study, d) for _, _, d in from_payload
    ]


def test_a_payload_can_be_limited_to_one_site(
    report_site_of: Callable[[str], ReportSite],
) -> None:
    site = report_site_of("NPC-SINT-RT")
    with logged_in(site.data_dir) as ws:
        study, payload = ws.study, collect_payload(ws)
    assert len(payload_subjects(study, payload, site_id="D01")) == len(site.subject_ids)
    assert payload_subjects(study, payload, site_id="S07") == []


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda p: p["events"][0].pop("subject_id"), "payload.events[0].subject_id: missing"),
        (
            lambda p: p["values"][3].update(kind="weird"),
            "payload.values[3].kind: unknown kind 'weird'",
        ),
        (lambda p: p.update(format="other"), "payload: is not a npc-crf/bundle-payload version 1"),
    ],
)
def test_a_malformed_payload_names_the_problem(
    report_site_of: Callable[[str], ReportSite],
    damage: Callable[[dict[str, Any]], object],
    problem: str,
) -> None:
    site = report_site_of("NPC-SINT-RT")
    with logged_in(site.data_dir) as ws:
        study, payload = ws.study, copy.deepcopy(collect_payload(ws))
    damage(payload)
    with pytest.raises(DatasetError) as info:
        payload_subjects(study, payload)
    assert any(p.startswith(problem) for p in info.value.problems), info.value.problems
