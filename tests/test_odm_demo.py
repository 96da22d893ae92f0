"""ODM exports of real demo sites of both bundled studies: valid, complete, and read back.

The demo data go through every check of the forms; a monitor adds SDV marks and
queries, so that the export has each kind of annotation. The command line is
tested through a subprocess, as a data manager runs it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from npc_crf.demo import create_demo_site
from npc_crf.demo.accounts import ADMIN, MONITOR
from npc_crf.exchange.odm.reader import read_odm
from npc_crf.exchange.odm.writer import OdmOptions, OdmReport, write_odm
from npc_crf.services.site import Site
from npc_crf.store.keyfile import TEST_COST
from npc_crf.store.models import audit_entry
from npc_crf.sync.payload import collect_payload
from tests.test_odm_support import NS, expected_values, parse, problems
from tests.test_store_cli import PERMISSION, USAGE, cli

CUTOFF = dt.date(2025, 3, 31)
SUBJECTS = 4


@dataclass(frozen=True)
class Exported:
    """A demo site, its payload and its export."""

    site: Path
    payload: dict[str, Any]
    path: Path
    report: OdmReport


def _monitor_work(site: Site) -> None:
    """SDV of one form and queries at subject, form and item level."""
    ws = site.login(MONITOR.username, MONITOR.password)
    try:
        pending = ws.sdv.needs_sdv()
        first = pending[0]
        ws.sdv.verify(first.subject_id, first.event_oid, first.occurrence, first.form_oid)
        item = first.items[0].item_path
        ws.queries.raise_query(
            first.subject_id,
            "Please check the consent",
        )
        ws.queries.raise_query(
            first.subject_id,
            "Is this form complete?",
            event_oid=first.event_oid,
            occurrence=first.occurrence,
            form_oid=first.form_oid,
        )
        ws.queries.raise_query(
            first.subject_id,
            "Source says otherwise — 请核对",
            event_oid=first.event_oid,
            occurrence=first.occurrence,
            form_oid=first.form_oid,
            item_path=item,
        )
    finally:
        ws.logout()


@pytest.fixture(scope="module", params=["NPC-SINT-RT", "NCT07062484"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    base = tmp_path_factory.mktemp(str(request.param).lower())
    made = create_demo_site(
        base / "site", request.param, subjects=SUBJECTS, seed=5, cost=TEST_COST, cutoff=CUTOFF
    )
    site = Site.open(made.data_dir)
    try:
        _monitor_work(site)
        ws = site.login(ADMIN.username, ADMIN.password)
        try:
            payload = collect_payload(ws)
            path = base / "export.xml"
            report = write_odm(path, ws.study, payload, OdmOptions(site_ids=(ws.site_id,)))
        finally:
            ws.logout()
    finally:
        site.close()
    return Exported(made.data_dir, payload, path, report)


def test_the_export_of_a_demo_site_is_valid_odm(demo: Exported) -> None:
    assert problems(demo.path) == []
    assert demo.report.clinical.skipped == []


def test_every_value_of_the_demo_site_reads_back_as_stored(demo: Exported) -> None:
    content = read_odm(demo.path)
    values, kinds = expected_values(demo.payload)
    assert content.values == values
    assert content.kinds == kinds
    assert content.subjects == sorted(s["subject_id"] for s in demo.payload["subjects"])
    assert demo.report.clinical.values == len(values) > 100


def test_signatures_sdv_marks_queries_and_audit_are_all_there(demo: Exported) -> None:
    payload, root = demo.payload, parse(demo.path).getroot()
    signed_forms = {s["form_uid"] for s in payload["signatures"] if not s["voided_at"]}
    assert len(root.findall(".//odm:FormData/odm:Signature", NS)) == len(signed_forms) > 0
    verified = [
        flag
        for flag in root.iterfind(".//odm:Annotations/odm:Annotation/odm:Flag", NS)
        if flag.find("odm:FlagType", NS).text == "SDV"
    ]
    marks = sum(len(entry["marks"]) for entry in payload["sdv"])
    assert len(verified) == marks > 0
    queries = root.findall(".//odm:Annotation[@ID]", NS)
    assert len([q for q in queries if q.get("ID").startswith("QRY.")]) == 3
    records = root.findall(".//odm:AuditRecords/odm:AuditRecord", NS)
    assert len(records) == sum(1 for e in payload["audit"] if e["subject_id"])


# -- the command line ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("odm-cli")
    made = create_demo_site(
        base / "site", "NCT07062484", subjects=2, seed=2, cost=TEST_COST, cutoff=CUTOFF
    )
    yield made.data_dir
    shutil.rmtree(base, ignore_errors=True)


def _export(site: Path, user: str, password: str, *args: object) -> Any:
    return cli(
        "export",
        "odm",
        "--data-dir",
        site,
        "--user",
        user,
        *args,
        env={"NPC_CRF_PASSWORD": password},
    )


def test_the_command_exports_audits_and_summarises(cli_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "d01.xml"
    done = _export(cli_site, ADMIN.username, ADMIN.password, "--out", out)
    assert done.returncode == 0, done.stderr
    assert problems(out) == []
    assert f"Wrote {out} (CDISC ODM 1.3.2, Granularity All): 2 subject(s)" in done.stdout
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert f"{out.stat().st_size} bytes, SHA-256 {digest}." in done.stdout
    site = Site.open(cli_site)
    try:
        ws = site.login(ADMIN.username, ADMIN.password)
        with ws.read() as conn:
            stored = conn.execute(
                select(audit_entry.c.new_value, audit_entry.c.source).where(
                    audit_entry.c.action == "odm_export"
                )
            ).all()
        ws.logout()
    finally:
        site.close()
    mine = [(json.loads(e.new_value), e.source) for e in stored if "d01.xml" in e.new_value]
    assert len(mine) == 1 and mine[0][1] == "cli"
    recorded = mine[0][0]
    assert (recorded["file"], recorded["sha256"], recorded["subjects"]) == ("d01.xml", digest, 2)
    assert recorded["granularity"] == "All"


def test_the_command_exports_metadata_or_chosen_subjects(cli_site: Path, tmp_path: Path) -> None:
    meta = tmp_path / "meta.xml"
    done = _export(cli_site, ADMIN.username, ADMIN.password, "--out", meta, "--metadata-only")
    assert done.returncode == 0, done.stderr
    assert "the study definition only" in done.stdout
    assert problems(meta) == []
    assert parse(meta).getroot().get("Granularity") == "Metadata"
    one = tmp_path / "one.xml"
    done = _export(cli_site, "doctor", "demo-doctor-pass", "--out", one, "--subject", "D01-01-0002")
    assert done.returncode == 0, done.stderr
    assert read_odm(one).subjects == ["D01-01-0002"]


REFUSALS = [
    # user, password, extra arguments → exit code, message
    (MONITOR.username, MONITOR.password, (), PERMISSION, "A monitor may not export data."),
    (ADMIN.username, ADMIN.password, ("--subject", "D01-01-0099"), USAGE, "no subject D01-01-0099"),
    (
        ADMIN.username,
        ADMIN.password,
        ("--metadata-only", "--subject", "D01-01-0001"),
        USAGE,
        "a --metadata-only export has none",
    ),
]


@pytest.mark.parametrize(("user", "password", "extra", "code", "message"), REFUSALS)
def test_the_command_refuses_and_writes_nothing(
    cli_site: Path,
    tmp_path: Path,
    user: str,
    password: str,
    extra: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    out = tmp_path / "refused.xml"
    done = _export(cli_site, user, password, "--out", out, *extra)
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert not out.exists()
