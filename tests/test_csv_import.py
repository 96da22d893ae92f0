"""``import csv``: retrospective chart abstraction from a CSV file, all rows or none.

The site is set up once per module (three subjects; the first has a first PD-1
dose on 2024-03-10, the index date of NCT07062484) and copied for each test.
The imports go into the tumour assessment form TA: a date, code lists, a
multiple choice, numbers with ranges, missing-data codes and repeating groups.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from npc_crf.auth.roles import Role
from npc_crf.cli.main import main
from npc_crf.core.errors import PermissionDenied, UsageError, ValidationFailed
from npc_crf.exchange import ImportReport, import_csv
from npc_crf.services.site import Site
from npc_crf.services.workspace import Workspace
from npc_crf.store.keyfile import TEST_COST
from npc_crf.store.models import audit_entry

ROOT = Path(__file__).resolve().parents[1]
CSV = ROOT / "tests" / "fixtures" / "csv"
NURSE, NURSE_PW = "nurse", "nurse password 2"
ADMIN, ADMIN_PW = "admin", "admin password 1"
S1, S2, S3 = "S01-01-0001", "S01-01-0002", "S01-01-0003"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed site directory with a nurse and three subjects."""
    data = tmp_path_factory.mktemp("template") / "site"
    site, _ = Site.init(
        data,
        site_id="S01",
        study_oid="NCT07062484",
        admin=ADMIN,
        admin_name="Ada Admin",
        password=ADMIN_PW,
        cost=TEST_COST,
    )
    try:
        ws = site.login(ADMIN, ADMIN_PW)
        ws.users.add(NURSE, "Nora Nurse", Role.CRC, "temporary pw 1")
        ws.logout()
        ws = site.login(NURSE, "temporary pw 1")
        ws.users.change_password("temporary pw 1", NURSE_PW)
        assert [ws.subjects.enrol() for _ in range(3)] == [S1, S2, S3]
        ws.casebook.save_form(
            S1, "TRT", 1, "PD1", {"PD1AGENT": "TISLELIZUMAB", "PD1STDAT": "2024-03-10"}
        )
        ws.logout()
    finally:
        site.close()
    return data


@pytest.fixture
def data_dir(template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template site."""
    target = tmp_path / "site"
    shutil.copytree(template, target)
    return target


@pytest.fixture
def ws(data_dir: Path) -> Iterator[Workspace]:
    """The nurse logged in to a fresh copy of the site."""
    site = Site.open(data_dir)
    try:
        workspace = site.login(NURSE, NURSE_PW)
        yield workspace
        workspace.logout()
    finally:
        site.close()


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    """A CSV file in ``tmp_path``."""
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def fixture_copy(tmp_path: Path, name: str) -> Path:
    """A fixture file copied into ``tmp_path`` (so its name is what the messages show)."""
    target = tmp_path / name
    shutil.copyfile(CSV / name, target)
    return target


def ta_values(ws: Workspace, subject_id: str) -> dict[tuple[str, int], dict[str, Any]]:
    """The TA forms of a subject: (event, occurrence) → {status, values}."""
    book = ws.casebook.load(subject_id).to_json()
    return {
        (e["event"], e["occurrence"]): e["forms"]["TA"]
        for e in book["events"]
        if "TA" in e["forms"]
    }


def imported_entries(ws: Workspace) -> list[Any]:
    """Audit entries written by imports (value entries and the summary)."""
    return [
        e
        for e in ws.audit.history()
        if e.action == "csv_import" or (e.source or "").startswith("import:")
    ]


def errors_of(ws: Workspace, path: Path, **kwargs: Any) -> list[str]:
    """The errors an import reports (it must fail)."""
    with pytest.raises(ValidationFailed) as failed:
        import_csv(ws, "TA", path, **kwargs)
    return failed.value.problems


# -- a good import ------------------------------------------------------------------------


def test_good_import_saves_every_row(ws: Workspace, tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ta_good.csv")
    report = import_csv(ws, "TA", path)
    assert report == ImportReport(
        file="ta_good.csv",
        form_oid="TA",
        rows=4,
        values=55,
        warnings=["ta_good.csv:5: column TL[1].TL_DIAM: Expected between 0 and 200 mm"],
        dry_run=False,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
    )
    s1 = ta_values(ws, S1)
    base = s1[("BASE", 1)]
    assert base["status"] == "complete"
    assert base["values"]["TADAT"] == "2024-03-01"
    assert base["values"]["TAMETH"] == ["CECT", "MRI"]
    assert base["values"]["TL"] == [
        {
            "TL_ID": "T1",
            "TL_SITE": "LUNG",
            "TL_NODAL": False,
            "TL_METH": "CECT",
            "TL_MEAS": True,
            "TL_DIAM": "30",
        },
        {
            "TL_ID": "T2",
            "TL_SITE": "MEDIASTINUM",
            "TL_NODAL": True,
            "TL_METH": "CECT",
            "TL_MEAS": True,
            "TL_DIAM": "20",
        },
    ]
    assert base["values"]["TL_SUM"] == "50"
    # occurrence 2 comes before 1 in the file: occurrences are created in order anyway
    assert set(s1) == {("BASE", 1), ("TAV", 1), ("TAV", 2)}
    assert s1[("TAV", 1)]["status"] == "in_progress"
    assert s1[("TAV", 1)]["values"]["TL_PCHG"] == "-40.0"
    # a missing-data code cell
    assert s1[("TAV", 2)]["values"]["TL"][1]["TL_DIAM"] == {"missing": "ND"}
    # a soft warning is imported (and reported)
    assert ta_values(ws, S2)[("BASE", 1)]["values"]["TL"][0]["TL_DIAM"] == "250"
    assert ta_values(ws, S3) == {}


def test_each_value_is_audited_with_its_file_and_line(ws: Workspace, tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ta_good.csv")
    before = ws.audit.history()[-1].seq
    import_csv(ws, "TA", path)
    new = [e for e in ws.audit.history() if e.seq > before]
    # what the import wrote carries its source (the casebook writes event_created without
    # one); the summary entry comes last
    assert all(
        (e.source or "").startswith("import:ta_good.csv:line ")
        for e in new[:-1]
        if e.action != "event_created"
    )
    assert {e.action for e in new[:-1]} >= {
        "form_created",
        "value_entered",
        "row_added",
        "form_status_changed",
    }
    entered = {
        (e.subject_id, e.event_oid, e.occurrence, e.item_path): e.source
        for e in new
        if e.action == "value_entered"
    }
    assert entered[(S1, "BASE", 1, "TADAT")] == "import:ta_good.csv:line 2"
    assert entered[(S1, "BASE", 1, "TL[2].TL_DIAM")] == "import:ta_good.csv:line 2"
    assert entered[(S1, "TAV", 2, "TL[2].TL_DIAM")] == "import:ta_good.csv:line 3"
    assert entered[(S1, "TAV", 1, "TADAT")] == "import:ta_good.csv:line 4"
    assert entered[(S2, "BASE", 1, "TL[1].TL_DIAM")] == "import:ta_good.csv:line 5"
    summary = new[-1]
    assert (summary.action, summary.form_oid, summary.source) == ("csv_import", "TA", "ta_good.csv")
    with ws.read() as conn:
        stored = conn.execute(
            select(audit_entry.c.new_value).where(audit_entry.c.seq == summary.seq)
        ).scalar_one()
    assert json.loads(stored) == {
        "rows": 4,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    assert ws.audit.verify().ok


def test_bom_crlf_lower_case_columns_and_event_option(ws: Workspace, tmp_path: Path) -> None:
    text = (
        "Subject_ID,tadat,tameth,tl[1].tl_site,TL[1].TL_NODAL,TL[1].TL_METH,TL[1].TL_DIAM\r\n"
        f"{S2},2024-02-20,CT,LUNG,no,CT,25\r\n"
        "\r\n"
        f"{S3}, 2024-02-21 ,CT,LUNG,No,CT,#nd\r\n"
    )
    path = write(tmp_path, "excel.csv", "\ufeff".encode() + text.encode())
    report = import_csv(ws, "TA", path, event="BASE")
    assert (report.rows, report.values, report.warnings) == (2, 12, [])
    assert ta_values(ws, S3)[("BASE", 1)]["values"]["TADAT"] == "2024-02-21"
    assert ta_values(ws, S3)[("BASE", 1)]["values"]["TL"][0]["TL_DIAM"] == {"missing": "ND"}


def test_multiline_quoted_cells_keep_line_numbers(ws: Workspace, tmp_path: Path) -> None:
    text = (
        "subject_id,event,TADAT,TAMETH,TL[1].TL_SITE,TL[1].TL_LOC\n"
        f'{S2},BASE,2024-02-20,"CT,MRI",LUNG,"right lower lobe,\nsegment 6"\n'
        f"{S3},BASE,2024-02-31,CT,LUNG,left\n"
    )
    path = write(tmp_path, "multi.csv", text)
    assert errors_of(ws, path) == [
        "multi.csv:2: column TL[1].TL_LOC: Only one line is allowed here "
        "(given: 'right lower lobe,\\nsegment 6')",
        "multi.csv:4: column TADAT: '2024-02-31' is not a date (YYYY-MM-DD)",
    ]


# -- dry run ------------------------------------------------------------------------------


def test_dry_run_reports_and_writes_nothing(ws: Workspace, tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ta_good.csv")
    before = ws.audit.history()
    report = import_csv(ws, "TA", path, dry_run=True)
    assert report.dry_run
    assert (report.rows, report.values) == (4, 55)
    assert report.warnings == ["ta_good.csv:5: column TL[1].TL_DIAM: Expected between 0 and 200 mm"]
    assert ta_values(ws, S1) == {} and ta_values(ws, S2) == {}
    assert ws.audit.history() == before


def test_dry_run_reports_errors_too(ws: Workspace, tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ta_one_bad_row.csv")
    with pytest.raises(ValidationFailed) as failed:
        import_csv(ws, "TA", path, dry_run=True)
    assert "nothing would be imported (dry run)" in failed.value.message


# -- errors, each with its line and column ----------------------------------------------------


def test_every_kind_of_row_error_is_located(ws: Workspace, tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ta_errors.csv")
    with pytest.raises(ValidationFailed) as failed:
        import_csv(ws, "TA", path)
    assert failed.value.exit_code == 6
    assert failed.value.message == "ta_errors.csv: 12 error(s); nothing was imported."
    assert failed.value.problems == [
        "ta_errors.csv:2: column TADAT: '2024-13-01' is not a date (YYYY-MM-DD)",
        "ta_errors.csv:3: column TAMETH: 'XR' is not one of the choices (given: 'CT,XR')",
        "ta_errors.csv:3: column TL[1].TL_DIAM: Must be between 0 and 400 mm (given: '450')",
        "ta_errors.csv:4: column subject_id: there is no subject 'S01-01-0099' at this site",
        "ta_errors.csv:5: column event: event TRT has no form TA "
        "(events with this form: BASE, TAV, UNS)",
        "ta_errors.csv:6: column occurrence: event BASE happens once; its occurrence is 1",
        "ta_errors.csv:7: column complete: item TADAT: required but empty, "
        "so the form cannot be complete",
        "ta_errors.csv:8: column TAMETH: '#XYZ' is not a missing-data code of this study "
        "(codes: #ND, #UNK, #NA, #NASK)",
        "ta_errors.csv:8: column TL[1].TL_DIAM: '#UNK' is not allowed here (allowed: #ND)",
        "ta_errors.csv:9: subject S01-01-0002, event BASE, occurrence 1 is already on line 3: "
        "give each form once",
        "ta_errors.csv:10: column occurrence: S01-01-0003 has 0 occurrence(s) of TAV; "
        "the next one is 1, not 3.",
        "ta_errors.csv:11: column occurrence: S01-01-0003 has 0 occurrence(s) of UNS; "
        "the next one is 1, not 2. (the occurrence before it, on line 8, was refused)",
    ]
    assert imported_entries(ws) == []
    for subject_id in (S1, S2, S3):
        assert ta_values(ws, subject_id) == {}


def test_one_bad_row_means_nothing_is_imported(ws: Workspace, tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ta_one_bad_row.csv")
    before = ws.audit.history()
    assert errors_of(ws, path) == [
        "ta_one_bad_row.csv:4: column TADAT: '2024-02-30' is not a date (YYYY-MM-DD)"
    ]
    assert ta_values(ws, S1) == {} and ta_values(ws, S2) == {}
    assert ws.audit.history() == before


def test_duplicate_rows_are_refused(ws: Workspace, tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ta_duplicates.csv")
    assert errors_of(ws, path) == [
        f"ta_duplicates.csv:4: subject {S1}, event TAV, occurrence 1 is already on line 2: "
        "give each form once",
        f"ta_duplicates.csv:5: subject {S2}, event BASE, occurrence 1 is already on line 3: "
        "give each form once",
    ]


def test_header_errors_suggest_the_column_meant(ws: Workspace, tmp_path: Path) -> None:
    text = (
        "subject_id,event,TADATE,TAMETH,TL_SUM,TL_SITE,TL,TL[1].TADAT,TL[6].TL_SITE,"
        "NTL[1].NTL_STAUS,TAMETH\n"
        f"{S1},BASE,2024-03-01,CECT,,,,,,,\n"
    )
    path = write(tmp_path, "header.csv", text)
    assert errors_of(ws, path) == [
        "header.csv:1: column TADATE: form TA has no item 'TADATE' (did you mean TADAT?)",
        "header.csv:1: column TL_SUM: TL_SUM is calculated, not entered: it cannot be imported",
        "header.csv:1: column TL_SITE: TL_SITE is in the repeating group TL: "
        "write TL[1].TL_SITE for row 1",
        "header.csv:1: column TL: TL is a repeating group: give one column per cell, "
        "like TL[1].TL_ID",
        "header.csv:1: column TL[1].TADAT: TADAT is not in a repeating group: write TADAT",
        "header.csv:1: column TL[6].TL_SITE: group TL has at most 5 rows",
        "header.csv:1: column NTL[1].NTL_STAUS: form TA has no item 'NTL[1].NTL_STAUS' "
        "(did you mean NTL[1].NTL_STAT?)",
        "header.csv:1: column TAMETH: the column appears twice (also as TAMETH)",
    ]


def test_group_rows_must_not_leave_gaps(ws: Workspace, tmp_path: Path) -> None:
    text = f"subject_id,event,TADAT,TAMETH,TL[1].TL_SITE,TL[3].TL_SITE\n{S2},BASE,2024-02-20,CT,,LUNG\n"
    path = write(tmp_path, "gaps.csv", text)
    assert errors_of(ws, path) == [
        "gaps.csv:2: column TL[3].TL_SITE: row 3 of TL has values but row 1 is empty: "
        "number the rows without gaps"
    ]


def test_event_option_refuses_rows_of_other_events(ws: Workspace, tmp_path: Path) -> None:
    text = f"subject_id,event,TADAT,TAMETH\n{S2},,2024-02-20,CT\n{S3},UNS,2024-02-20,CT\n"
    path = write(tmp_path, "event.csv", text)
    assert errors_of(ws, path, event="BASE") == [
        "event.csv:3: column event: UNS is not the event of this import (BASE)"
    ]
    with pytest.raises(UsageError, match=r"has no event 'BAS' .*did you mean BASE"):
        import_csv(ws, "TA", path, event="BAS")
    with pytest.raises(UsageError, match="Event TRT does not hold form TA"):
        import_csv(ws, "TA", path, event="TRT")


def test_hard_error_left_on_an_item_not_in_the_file(ws: Workspace, tmp_path: Path) -> None:
    # a follow-up scan may have an absent non-target lesion; moving the scan date to
    # baseline makes the stored lesion status refused, although the file does not name it
    ws.casebook.save_form(
        S1,
        "UNS",
        1,
        "TA",
        {
            "TADAT": "2024-04-25",
            "TAMETH": "CECT",
            "NTL[1].NTL_SITE": "BONE",
            "NTL[1].NTL_STAT": "ABSENT",
        },
    )
    path = write(
        tmp_path, "redate.csv", f"subject_id,event,occurrence,TADAT\n{S1},UNS,1,2024-03-01\n"
    )
    assert errors_of(ws, path) == [
        "redate.csv:2: item NTL[1].NTL_STAT: At baseline a non-target lesion can only be present"
        " (the stored value is now refused)"
    ]
    assert ta_values(ws, S1)[("UNS", 1)]["values"]["TADAT"] == "2024-04-25"


def test_values_of_items_that_do_not_apply_are_reported(ws: Workspace, tmp_path: Path) -> None:
    # "too small to measure" is only asked after the first dose; this is a baseline scan
    text = (
        "subject_id,event,TADAT,TAMETH,TL[1].TL_SITE,TL[1].TL_NODAL,TL[1].TL_METH,"
        "TL[1].TL_MEAS,TL[1].TL_DIAM,TL[1].TL_TSTM\n"
        f"{S1},BASE,2024-03-01,CECT,LUNG,no,CECT,yes,30,yes\n"
    )
    path = write(tmp_path, "tstm.csv", text)
    report = import_csv(ws, "TA", path)
    assert report.warnings == [
        "tstm.csv:2: column TL[1].TL_TSTM: not saved: the item does not apply to this form "
        "as filled in (its condition is not met)",
    ]


def test_soft_warning_blocks_complete_with_a_clear_message(ws: Workspace, tmp_path: Path) -> None:
    # baseline imaging more than 28 days before the first dose warns
    text = f"subject_id,event,complete,TADAT,TAMETH\n{S1},BASE,yes,2024-01-15,CECT\n"
    path = write(tmp_path, "soft.csv", text)
    assert errors_of(ws, path) == [
        "soft.csv:2: column TADAT: Baseline imaging more than 28 days before the first PD-1 "
        "dose: a value with a warning needs a reason before the form can be complete "
        "(import with complete=no, then give the reason in the form)"
    ]
    path = write(
        tmp_path,
        "soft.csv",
        f"subject_id,event,complete,TADAT,TAMETH\n{S1},BASE,no,2024-01-15,CECT\n",
    )
    assert import_csv(ws, "TA", path).warnings == [
        "soft.csv:2: column TADAT: Baseline imaging more than 28 days before the first PD-1 dose"
    ]


# -- bad files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message", "problem"),
    [
        (
            b"subject_id,event,TADAT\nS01-01-0001,BASE,2024-03-01\nS01-01-0002,BASE,\xe9t\xe9\n",
            "bad.csv is not UTF-8 text; nothing was imported.",
            "bad.csv:3: byte 0xe9 is not UTF-8",
        ),
        (
            b"",
            "bad.csv is empty; nothing was imported.",
            "bad.csv:1: the file has no header and no rows",
        ),
        (
            b"\xef\xbb\xbf\r\n \n",
            "bad.csv is empty; nothing was imported.",
            "bad.csv:1: the file has no header and no rows",
        ),
        (
            b"S01-01-0001,BASE,2024-03-01\n",
            "bad.csv has no usable header; nothing was imported.",
            "bad.csv:1: the first line must be the header naming the columns: subject_id, "
            "event, then item OIDs of the form",
        ),
        (
            b"subject_id;event;TADAT\nS01-01-0001;BASE;2024-03-01\n",
            "bad.csv has no usable header; nothing was imported.",
            "bad.csv:1: cells are separated by ';': save the file with commas (CSV UTF-8)",
        ),
        (
            b"subject_id,TADAT\nS01-01-0001,2024-03-01\n",
            "bad.csv has no usable header; nothing was imported.",
            "bad.csv:1: the header has no 'event' column",
        ),
        (
            b'subject_id,event,TADAT\nS01-01-0001,BASE,"2024-03-01\n',
            "bad.csv is not a well-formed CSV file; nothing was imported.",
            "bad.csv:2: unexpected end of data",
        ),
    ],
)
def test_bad_files(
    ws: Workspace, tmp_path: Path, content: bytes, message: str, problem: str
) -> None:
    path = write(tmp_path, "bad.csv", content)
    with pytest.raises(ValidationFailed) as failed:
        import_csv(ws, "TA", path)
    assert failed.value.message == message
    assert failed.value.problems[0] == problem


def test_ragged_rows_and_header_only(ws: Workspace, tmp_path: Path) -> None:
    text = f"subject_id,event,TADAT,TAMETH\n{S1},BASE,2024-03-01\n{S2},BASE,2024-02-20,CT,MRI\n"
    path = write(tmp_path, "ragged.csv", text)
    assert errors_of(ws, path) == [
        "ragged.csv:2: the line has 3 cell(s) but the header has 4 columns "
        "(a cell with a comma must be in double quotes)",
        "ragged.csv:3: the line has 5 cell(s) but the header has 4 columns "
        "(a cell with a comma must be in double quotes)",
    ]
    path = write(tmp_path, "header_only.csv", "subject_id,event,TADAT\n")
    assert errors_of(ws, path) == ["header_only.csv:1: the file has a header but no rows to import"]


def test_unknown_form_and_missing_file(ws: Workspace, tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ta_good.csv")
    with pytest.raises(UsageError, match=r"has no form 'TAX' .*did you mean TA"):
        import_csv(ws, "TAX", path)
    with pytest.raises(UsageError, match="There is no file"):
        import_csv(ws, "TA", tmp_path / "nowhere.csv")


def test_the_administrator_may_not_import(data_dir: Path, tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ta_good.csv")
    with Site.open(data_dir) as site:
        admin = site.login(ADMIN, ADMIN_PW)
        with pytest.raises(PermissionDenied):
            import_csv(admin, "TA", path)
        admin.logout()


# -- the command line ---------------------------------------------------------------------------


def npc_crf(*args: str, password: str = NURSE_PW) -> subprocess.CompletedProcess[str]:
    """Run ``python -m npc_crf ARGS`` with the password in the environment."""
    return subprocess.run(
        [sys.executable, "-m", "npc_crf", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "NPC_CRF_PASSWORD": password},
        timeout=120,
        check=False,
    )


def test_cli_dry_run_in_process(
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    good = fixture_copy(tmp_path, "ta_good.csv")
    monkeypatch.setenv("NPC_CRF_PASSWORD", NURSE_PW)
    args = ["import", "csv", "--data-dir", str(data_dir), "--user", NURSE, "--form", "TA"]
    assert main([*args, str(good), "--dry-run"]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines() == [
        "Dry run: 4 rows (55 values) of ta_good.csv would be imported into form TA; "
        "nothing was saved.",
        "1 warning(s):",
        "  ta_good.csv:5: column TL[1].TL_DIAM: Expected between 0 and 200 mm",
    ]
    with Site.open(data_dir) as site:
        ws = site.login(NURSE, NURSE_PW)
        assert ta_values(ws, S1) == {}
        ws.logout()


def test_cli_import_errors_then_success(data_dir: Path, tmp_path: Path) -> None:
    good = fixture_copy(tmp_path, "ta_good.csv")
    bad = fixture_copy(tmp_path, "ta_one_bad_row.csv")
    site_args = ("--data-dir", str(data_dir), "--user", NURSE, "--form", "TA")

    failed = npc_crf("import", "csv", *site_args, str(bad))
    assert failed.returncode == ValidationFailed.exit_code == 6
    assert failed.stdout == ""
    assert failed.stderr.splitlines() == [
        "npc-crf: ta_one_bad_row.csv: 1 error(s); nothing was imported.",
        "  ta_one_bad_row.csv:4: column TADAT: '2024-02-30' is not a date (YYYY-MM-DD)",
        "Correct the file and import it again: no row was saved.",
    ]

    done = npc_crf("import", "csv", *site_args, str(good))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "Imported 4 rows (55 values) from ta_good.csv into form TA.",
        "1 warning(s):",
        "  ta_good.csv:5: column TL[1].TL_DIAM: Expected between 0 and 200 mm",
    ]

    with Site.open(data_dir) as site:
        ws = site.login(NURSE, NURSE_PW)
        assert ta_values(ws, S1)[("BASE", 1)]["status"] == "complete"
        assert [e.source for e in imported_entries(ws) if e.action == "csv_import"] == [
            "ta_good.csv"
        ]
        ws.logout()


def test_complete_forms_are_not_changed_by_an_import(ws: Workspace, tmp_path: Path) -> None:
    text = f"subject_id,event,complete,TADAT,TAMETH\n{S2},BASE,yes,2024-02-20,CT\n"
    assert import_csv(ws, "TA", write(tmp_path, "first.csv", text)).rows == 1
    assert ta_values(ws, S2)[("BASE", 1)]["status"] == "complete"
    again = f"subject_id,event,TADAT\n{S2},BASE,2024-02-21\n"
    assert errors_of(ws, write(tmp_path, "again.csv", again)) == [
        f"again.csv:2: {S2}/BASE/TA is already complete or signed; the import does not change "
        "such forms: change it in the form, giving the reason for the change"
    ]
    # the same values again change nothing, so they are accepted
    assert import_csv(ws, "TA", write(tmp_path, "same.csv", text)).warnings == []
