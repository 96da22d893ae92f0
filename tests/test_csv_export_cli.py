"""``npc-crf export csv`` on a real demo site, run as a data manager would (a subprocess).

The long file is read back with the csv module and compared value for value
with the site's data as the sync payload gives it; the wide and long files must
agree; the export is audited and needs the ``export`` permission.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from npc_crf.demo import DemoSite, create_demo_site
from npc_crf.demo.accounts import MONITOR, NURSE
from npc_crf.forms.expr.evaluate import Missing
from npc_crf.services.site import Site
from npc_crf.services.workspace import Workspace
from npc_crf.store.keyfile import TEST_COST
from npc_crf.sync.payload import collect_payload
from tests.test_csv_export import (
    Key,
    assert_wide_and_long_agree,
    expected_cell,
    header_of,
    read_csv,
)

REPO = Path(__file__).resolve().parents[1]
STUDY = "NPC-SINT-RT"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSite:
    """A small demo site (closed), made once for this module, where a nurse then removed a
    medical-history row and gave a grade as unknown, and a monitor verified a consent form."""
    folder = tmp_path_factory.mktemp("csv-demo") / "site"
    made = create_demo_site(
        folder, STUDY, subjects=4, seed=7, cost=TEST_COST, cutoff=dt.date(2025, 3, 31)
    )
    site = Site.open(folder)
    try:
        ws = site.login(NURSE.username, NURSE.password)
        subject, rows = next(
            (sid, rows)
            for sid in made.subject_ids
            for rows in [_answers(ws, sid, "MH").get("MH") or []]
            if len(rows) >= 2
        )
        first = {**rows[0], "MHTOXGR": Missing("UNK")}
        ws.casebook.save_form(
            subject,
            "SCR",
            1,
            "MH",
            {"MH": [first]},
            reason="Row 2 was entered twice",
            complete=True,
        )
        ws.logout()
        ws = site.login(MONITOR.username, MONITOR.password)
        assert ws.sdv.verify(subject, "SCR", 1, "IC") > 0
        ws.logout()
    finally:
        site.close()
    return made


def _answers(ws: Workspace, subject: str, form: str) -> dict[str, Any]:
    """The answers of a subject's (only) instance of ``form``."""
    for event in ws.casebook.load(subject).events:
        for record in event.forms.values():
            if record.form_oid == form:
                return dict(record.answers)
    return {}


def npc_crf(*args: str, password: str) -> subprocess.CompletedProcess[str]:
    """Run the command line in a new process, the password in the environment."""
    env = {**os.environ, "NPC_CRF_PASSWORD": password}
    return subprocess.run(
        [sys.executable, "-m", "npc_crf", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO,
        timeout=300,
        check=False,
    )


def export(
    demo: DemoSite, out: Path, *extra: str, user: Any = NURSE
) -> subprocess.CompletedProcess[str]:
    return npc_crf(
        "export",
        "csv",
        "--data-dir",
        str(demo.data_dir),
        "--user",
        user.username,
        "--out",
        str(out),
        *extra,
        password=user.password,
    )


@pytest.fixture(scope="module")
def exported(demo: DemoSite, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The default export of the demo site, and what the command printed."""
    out = tmp_path_factory.mktemp("csv-out") / "export"
    done = export(demo, out)
    assert done.returncode == 0, done.stderr
    return out, done.stdout


def site_payload(demo: DemoSite) -> dict[str, Any]:
    """The site's data as the sync payload has it (read after the export)."""
    site = Site.open(demo.data_dir)
    try:
        ws = site.login(NURSE.username, NURSE.password)
        try:
            return collect_payload(ws)
        finally:
            ws.logout()
    finally:
        site.close()


LongRow = tuple[str, str, str, str, str, str, str]  # kind, value, missing, version, at, by, sdv


def expected_long(payload: dict[str, Any]) -> dict[Key, LongRow]:
    """What long.csv must hold, computed from the payload alone."""
    events = {e["uid"]: e for e in payload["events"]}
    forms = {f["uid"]: f for f in payload["forms"]}
    rows = {r["uid"]: r for r in payload["rows"]}
    marks = {
        (s["form_uid"], m["row_uid"], m["item_oid"]): m["value_version"]
        for s in payload["sdv"]
        for m in s["marks"]
    }
    found: dict[Key, LongRow] = {}
    for v in payload["values"]:
        row = rows.get(v["row_uid"])
        if (row is not None and row["deleted"]) or (
            v["kind"] is None and v["missing_code"] is None
        ):
            continue
        form = forms[v["form_uid"]]
        event = events[form["event_uid"]]
        key = (
            event["subject_id"].split("-")[0],
            event["subject_id"],
            event["event_oid"],
            str(event["occurrence"]),
            form["form_oid"],
            row["group_oid"] if row else "",
            v["row_uid"],
            v["item_oid"],
        )
        found[key] = (
            v["kind"] or "",
            expected_cell(v["kind"], v["value"]),
            v["missing_code"] or "",
            str(v["version"]),
            v["updated_at"],
            v["updated_by"],
            "1" if marks.get((v["form_uid"], v["row_uid"], v["item_oid"])) == v["version"] else "0",
        )
    return found


def test_the_long_file_equals_the_site_data_value_for_value(
    demo: DemoSite, exported: tuple[Path, str]
) -> None:
    out, _printed = exported
    payload = site_payload(demo)
    expected = expected_long(payload)
    assert len(expected) > 1000
    # what the fixture did is there: a deleted row (its values left out), a missing code,
    # verified values
    assert any(r["deleted"] for r in payload["rows"])
    assert any(v[2] == "UNK" for v in expected.values())
    assert any(v[6] == "1" for v in expected.values())
    found: dict[Key, LongRow] = {}
    for r in read_csv(out / "long.csv"):
        key = (
            r["site_id"],
            r["subject_id"],
            r["event_oid"],
            r["occurrence"],
            r["form_oid"],
            r["group_oid"],
            r["row_uid"],
            r["item_oid"],
        )
        assert key not in found
        found[key] = (
            r["kind"],
            r["value"],
            r["missing_code"],
            r["version"],
            r["updated_at"],
            r["updated_by"],
            r["sdv_verified"],
        )
    assert found.keys() == expected.keys()
    deleted = {r["uid"] for r in payload["rows"] if r["deleted"]}
    left_out = json.loads((out / "manifest.json").read_text("utf-8"))["left_out"]
    assert left_out["values_on_deleted_rows"] == sum(
        1 for v in payload["values"] if v["row_uid"] in deleted
    )
    assert left_out["values_on_deleted_rows"] > 0
    mismatched = [k for k in expected if found[k] != expected[k]]
    assert not mismatched, [(k, found[k], expected[k]) for k in mismatched[:5]]


def test_the_wide_and_long_files_agree(exported: tuple[Path, str]) -> None:
    out, _printed = exported
    assert assert_wide_and_long_agree(out) == len(read_csv(out / "long.csv"))


def test_every_form_of_the_study_has_a_wide_file_and_the_dictionary_covers_it(
    exported: tuple[Path, str],
) -> None:
    out, _printed = exported
    dictionary = read_csv(out / "dictionary.csv")
    named = {r["wide_file"] for r in dictionary if r["wide_file"]}
    forms = {f"wide/{r['form_oid']}.csv" for r in dictionary}  # a form of groups only: keys
    on_disk = {p.relative_to(out).as_posix() for p in (out / "wide").glob("*.csv")}
    assert named <= on_disk and on_disk == named | forms
    assert len(forms) == 22
    for r in dictionary:
        if r["wide_columns"]:
            assert set(r["wide_columns"].split()) <= set(header_of(out / r["wide_file"]))


def test_the_command_prints_what_it_wrote_and_the_export_is_audited(
    demo: DemoSite, exported: tuple[Path, str]
) -> None:
    out, printed = exported
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["sites"] == [demo.site_id]
    assert manifest["warnings"] == []
    for entry in manifest["files"]:
        if entry["rows"] is not None:
            assert f"{entry['path']}  " in printed
            assert f"  {entry['rows']} rows" in printed
    assert f"of {len(demo.subject_ids)} subject(s)" in printed
    site = Site.open(demo.data_dir)
    try:
        ws = site.login(MONITOR.username, MONITOR.password)
        try:
            with ws.read() as conn:
                entries = conn.exec_driver_sql(
                    "SELECT username, new_value FROM audit_entry WHERE action = 'csv_export'"
                ).all()
        finally:
            ws.logout()
    finally:
        site.close()
    mine = [(u, json.loads(d)) for u, d in entries if manifest_sha(out) in d]
    assert len(mine) == 1, entries
    user, recorded = mine[0]
    assert user == NURSE.username
    assert recorded["values"] == manifest["counts"]["values"]
    assert recorded["layout"] == "both" and recorded["strip_phi"] is False
    assert all(str(out) not in d for _u, d in entries)


def manifest_sha(out: Path) -> str:
    return hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()


def test_labels_in_chinese_for_chosen_subjects_in_the_wide_layout(
    demo: DemoSite, tmp_path: Path
) -> None:
    subject = demo.subject_ids[0]
    out = tmp_path / "zh"
    done = export(demo, out, "--layout", "wide", "--labels", "--lang", "zh", "--subject", subject)
    assert done.returncode == 0, done.stderr
    assert not (out / "long.csv").exists()
    consent = read_csv(out / "wide" / "IC.csv")
    assert [r["subject_id"] for r in consent] == [subject]
    assert consent[0]["ICYN"] == "是"
    assert [r["subject_id"] for r in read_csv(out / "subjects.csv")] == [subject]


def test_a_monitor_may_not_export(demo: DemoSite, tmp_path: Path) -> None:
    done = export(demo, tmp_path / "out", user=MONITOR)
    assert done.returncode == 4
    assert "may not export data" in done.stderr
    assert not (tmp_path / "out").exists()


def test_an_existing_folder_is_refused(demo: DemoSite, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    done = export(demo, tmp_path / "out")
    assert done.returncode == 2
    assert "already exists" in done.stderr
    assert list((tmp_path / "out").iterdir()) == []


def test_an_unknown_subject_is_refused(demo: DemoSite, tmp_path: Path) -> None:
    done = export(demo, tmp_path / "out", "--subject", "D01-01-9999")
    assert done.returncode == 2
    assert "no subject D01-01-9999" in done.stderr
    assert not (tmp_path / "out").exists()
