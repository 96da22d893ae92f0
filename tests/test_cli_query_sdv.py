"""``npc-crf query`` and ``npc-crf sdv`` as people script them: subprocesses, passwords in
the environment, exit codes. Each command costs about two seconds, so the tests share
one site (tests/monitoring_helpers.py) and run in order."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.monitoring_helpers import MONITOR, NURSE, MonitoringSite, build_monitoring_site
from tests.store_helpers import PASSWORDS
from tests.test_store_cli import PERMISSION, USAGE, as_user, cli


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> MonitoringSite:
    return build_monitoring_site(tmp_path_factory.mktemp("cli-monitoring"))


@pytest.fixture(scope="module")
def site_dir(built: MonitoringSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    store = built.copy(tmp_path_factory.mktemp("cli-site") / "site")
    store.close()
    yield store.root


def run(site_dir: Path, user: str, *args: object) -> Any:
    return cli(*args, "--data-dir", site_dir, "--user", user, env=as_user(user))


def test_queries_on_the_command_line(site_dir: Path, built: MonitoringSite) -> None:
    listed = run(site_dir, MONITOR, "query", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    (failed,) = json.loads(listed.stdout)
    assert (failed["kind"], failed["status"], failed["where"]) == (
        "failed_check",
        "new",
        f"{built.a}/CYCLE[2]/EX/EXSTDAT",
    )

    refused = run(site_dir, NURSE, "query", "raise", built.a, "--event", "SCR", "--text", "Why?")
    assert refused.returncode == PERMISSION
    assert "may not raise queries" in refused.stderr

    raised = run(
        site_dir,
        MONITOR,
        "query",
        "raise",
        built.a,
        "--event",
        "CYCLE",
        "--occurrence",
        "2",
        "--form",
        "EX",
        "--item",
        "EXDOSE",
        "--text",
        "Dose 200 mg: chart says 240?",
        "--json",
    )
    assert raised.returncode == 0, raised.stderr
    query = json.loads(raised.stdout)
    uid = query["uid"]
    assert (query["status"], query["assigned_role"], query["item_path"]) == ("new", "CRC", "EXDOSE")

    waiting = run(site_dir, NURSE, "query", "list", "--waiting", "--status", "open")
    assert waiting.returncode == 0, waiting.stderr
    assert uid[:8] in waiting.stdout and failed["uid"][:8] not in waiting.stdout
    assert waiting.stdout.strip().endswith("1 query.")

    replied = run(site_dir, NURSE, "query", "propose", uid[:8], "--text", "200 mg is right")
    assert replied.returncode == 0, replied.stderr
    assert "status:   resolution_proposed" in replied.stdout

    closing = run(site_dir, NURSE, "query", "close", uid, "--text", "done")
    assert closing.returncode == PERMISSION
    assert "may not close queries" in closing.stderr

    closed = run(site_dir, MONITOR, "query", "close", uid, "--text", "Thank you")
    assert closed.returncode == 0, closed.stderr
    again = run(site_dir, NURSE, "query", "reply", uid, "--text", "one more thing")
    assert again.returncode == USAGE
    assert "takes no replies" in again.stderr

    shown = run(site_dir, NURSE, "query", "show", uid, "--json")
    assert shown.returncode == 0, shown.stderr
    thread = json.loads(shown.stdout)["messages"]
    assert [(m["username"], m["status"]) for m in thread] == [
        (MONITOR, "new"),
        (NURSE, "resolution_proposed"),
        (MONITOR, "closed"),
    ]
    text = run(site_dir, MONITOR, "query", "show", uid)
    assert "200 mg is right" in text.stdout

    old = run(site_dir, MONITOR, "query", "list", "--status", "closed", "--older-than", "1")
    assert old.returncode == 0 and old.stdout.strip() == "No queries."
    unknown = run(site_dir, MONITOR, "query", "show", "ffffffff")
    assert unknown.returncode == USAGE and "no query" in unknown.stderr


def test_sdv_on_the_command_line(site_dir: Path, built: MonitoringSite, tmp_path: Path) -> None:
    refused = run(site_dir, NURSE, "sdv", "verify", built.a, "SCR", "1", "IC")
    assert refused.returncode == PERMISSION

    verified = run(site_dir, MONITOR, "sdv", "verify", built.a, "SCR", "1", "DM", "--item", "SEX")
    assert verified.returncode == 0, verified.stderr
    assert (
        verified.stdout.strip()
        == f"{built.a}/SCR[1]/DM: 1 value(s) verified; 1/2 verified, 1 pending."
    )
    whole = run(site_dir, MONITOR, "sdv", "verify", built.a, "SCR", "1", "IC")
    assert whole.returncode == 0 and "8 value(s) verified" in whole.stdout

    status = run(site_dir, MONITOR, "sdv", "status", built.a, "--json")
    assert status.returncode == 0, status.stderr
    forms = {f["form"] + str(f["occurrence"]): f for f in json.loads(status.stdout)["forms"]}
    assert (forms["IC1"]["pending"], forms["DM1"]["pending_items"]) == (0, ["BRTHDAT"])

    site = run(site_dir, MONITOR, "sdv", "status")
    assert site.returncode == 0, site.stderr
    assert f"{built.a}: 9/24 verified, 15 pending (1/5 forms done)" in site.stdout
    assert f"  {built.a}/SCR[1]/DM (sdv: critical): 1/2 verified; pending: BRTHDAT" in site.stdout

    report = tmp_path / "sdv report.csv"
    written = run(site_dir, MONITOR, "sdv", "report", "--csv", report)
    assert written.returncode == 0, written.stderr
    with report.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert written.stdout.strip() == f"{len(rows)} row(s) written to {report}."
    assert sum(r["state"] == "verified" for r in rows) == 9

    bad = run(site_dir, MONITOR, "sdv", "verify", built.a, "SCR", "1", "DM", "--item", "AGE")
    assert bad.returncode == USAGE and "AGE needs no SDV" in bad.stderr
    assert PASSWORDS[MONITOR] not in bad.stderr + bad.stdout
