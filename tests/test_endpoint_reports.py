"""The endpoint reports as a data manager makes them: ``npc-crf report efficacy|safety`` on a
site's own store and ``npc-crf center report efficacy|safety`` on the merged data, through
subprocesses, on demo data of both studies. The two sources must derive the same thing."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from npc_crf.center.service import Center
from npc_crf.demo.accounts import ADMIN, DOCTOR
from npc_crf.services.site import Site
from npc_crf.store.keyfile import TEST_COST
from tests.report_fixtures import CUTOFF, ReportSite

ROOT = Path(__file__).resolve().parents[1]
CENTER_PASSWORD = "center-pass-for-tests"  # noqa: S105 - a test center's password
STUDIES = ["NPC-SINT-RT", "NCT07062484"]


def npc_crf(*args: object, password: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NPC_CRF_")}
    return subprocess.run(
        [sys.executable, "-m", "npc_crf", *(str(a) for a in args)],
        env={**env, "NPC_CRF_PASSWORD": password},
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=600,
        check=False,
    )


def pdf_text(path: Path) -> str:
    return "\n".join(
        page.extract_text() or "" for page in PdfReader(io.BytesIO(path.read_bytes())).pages
    )


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@pytest.fixture(scope="module", params=STUDIES)
def study_site(
    request: pytest.FixtureRequest, report_site_of: Any, tmp_path_factory: pytest.TempPathFactory
) -> ReportSite:
    """A copy of the study's shared demo site (reports append audit entries)."""
    shared: ReportSite = report_site_of(request.param)
    target = tmp_path_factory.mktemp("endpoints") / "site"
    shutil.copytree(shared.data_dir, target)
    return ReportSite(
        target,
        *[getattr(shared, f) for f in ("study_oid", "subject_ids", "closed_query", "verified")],
    )


def site_report(site: ReportSite, kind: str, out: Path, *extra: object) -> dict[str, Any]:
    done = npc_crf(
        "report", kind, "--data-dir", site.data_dir, "--user", DOCTOR.username,
        "--out", out, "--cutoff", CUTOFF.isoformat(), "--json", *extra,
        password=DOCTOR.password,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    written: dict[str, Any] = json.loads(done.stdout)
    return written


def test_the_site_efficacy_report_has_every_figure_and_is_recorded(
    study_site: ReportSite, tmp_path: Path
) -> None:
    written = site_report(study_site, "efficacy", tmp_path / "out")
    pdf = Path(written["pdf"])
    assert pdf == tmp_path / "out" / "efficacy.pdf" and written["pages"] >= 5
    text = pdf_text(pdf)
    assert (
        f"Data cut-off {CUTOFF.isoformat()}" in " ".join(text.split()) or CUTOFF.isoformat() in text
    )
    # the figures are images; each has a caption saying how many subjects it shows
    images = sum(len(page.images) for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert images >= 4  # at least the swimmer plot and the PFS and OS curves
    assert text.count("Based on") == images
    subjects = csv_rows(tmp_path / "out" / "efficacy" / "efficacy_subjects.csv")
    assert sorted(r["subject_id"] for r in subjects) == sorted(study_site.subject_ids)
    # recorded in the site's register of issued documents
    issued = npc_crf(
        "report", "issued", "--data-dir", study_site.data_dir, "--user", ADMIN.username, "--json",
        password=ADMIN.password,
    )  # fmt: skip
    assert issued.returncode == 0, issued.stderr
    assert any(
        d["kind"] == "efficacy" and d["path"] == "efficacy.pdf" for d in json.loads(issued.stdout)
    )


def test_the_site_safety_report_in_chinese(study_site: ReportSite, tmp_path: Path) -> None:
    written = site_report(study_site, "safety", tmp_path / "out", "--lang", "zh")
    text = pdf_text(Path(written["pdf"]))
    assert "安全性报告" in text
    overview = csv_rows(tmp_path / "out" / "safety" / "ae_overview.csv")
    assert overview, "the overview table is empty"


def test_the_center_derives_what_the_site_derives(study_site: ReportSite, tmp_path: Path) -> None:
    """The site exports a full bundle; the center imports it and reports the same subjects
    with the same derivations as the site's own report."""
    center = Center.init(
        tmp_path / "center", study_oid=study_site.study_oid, password=CENTER_PASSWORD,
        by="dm", cost=TEST_COST,
    )  # fmt: skip
    try:
        with Site.open(study_site.data_dir) as site:
            admin = site.login(ADMIN.username, ADMIN.password)
            card = center.identity_card()
            admin.sync.trust_center(card, card.fingerprint)
            own = admin.sync.identity_card()
            made = admin.sync.export(full=True)
            admin.logout()
        center.register_installation(own, own.fingerprint)
        report = center.import_bundle(made.path.read_bytes(), made.path.name)
        assert report.status == "imported", report.lines()
    finally:
        center.close()

    at_site = site_report(study_site, "efficacy", tmp_path / "site-out")
    done = npc_crf(
        "center", "report", "efficacy", "--dir", tmp_path / "center", "--by", "dm",
        "--out", tmp_path / "center-out", "--cutoff", CUTOFF.isoformat(), "--json",
        password=CENTER_PASSWORD,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    at_center = json.loads(done.stdout)
    assert at_center["subjects"] == at_site["subjects"] == len(study_site.subject_ids)
    site_rows = csv_rows(tmp_path / "site-out" / "efficacy" / "efficacy_subjects.csv")
    center_rows = csv_rows(tmp_path / "center-out" / "efficacy" / "efficacy_subjects.csv")
    assert center_rows == site_rows
    assert "all sites" in pdf_text(Path(at_center["pdf"]))

    safety = npc_crf(
        "center", "report", "safety", "--dir", tmp_path / "center", "--by", "dm",
        "--out", tmp_path / "center-out", "--cutoff", CUTOFF.isoformat(),
        password=CENTER_PASSWORD,
    )  # fmt: skip
    assert safety.returncode == 0, safety.stderr
    assert (tmp_path / "center-out" / "safety.pdf").is_file()


def test_bad_output_folder_and_cutoff_are_refused(study_site: ReportSite, tmp_path: Path) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    done = npc_crf(
        "report", "efficacy", "--data-dir", study_site.data_dir, "--user", DOCTOR.username,
        "--out", a_file, password=DOCTOR.password,
    )  # fmt: skip
    assert done.returncode != 0 and "is a file" in done.stderr
    done = npc_crf(
        "report", "efficacy", "--data-dir", study_site.data_dir, "--user", DOCTOR.username,
        "--out", tmp_path / "o", "--cutoff", "2025-13-01", password=DOCTOR.password,
    )  # fmt: skip
    assert done.returncode == 2 and "not a date" in done.stderr
