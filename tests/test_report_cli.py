"""``npc-crf report KIND`` as a data manager runs it, and the register of issued documents.

Every document with clinical data is recorded in the audit trail when written;
``report issued`` lists them and ``report verify HASH`` matches a printed copy
to its record (unchanged → exit 0; changed or unknown → exit 1).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from npc_crf.reports import DOCUMENT_ISSUED
from npc_crf.services.reports.issue import IssuedDocument, next_number
from npc_crf.services.reports.service import hash_prefix
from tests.report_fixtures import ADMIN, DOCTOR, MONITOR, NURSE, ReportSite, copy_site, logged_in
from tests.test_store_cli import USAGE, cli

STUDY = "NPC-SINT-RT"


def env(user: object = NURSE) -> dict[str, str]:
    return {"NPC_CRF_PASSWORD": user.password}  # type: ignore[attr-defined]


def text_of(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(page.extract_text() for page in reader.pages)


def site_args(site: ReportSite, user: object = NURSE) -> list[object]:
    return ["--data-dir", site.data_dir, "--user", user.username]  # type: ignore[attr-defined]


@pytest.fixture
def site(report_site_of: Callable[[str], ReportSite], tmp_path: Path) -> ReportSite:
    return copy_site(report_site_of(STUDY), tmp_path / "site")


# -- numbering and hashes as data ----------------------------------------------------------


def _doc(number: int | None, content: str) -> IssuedDocument:
    return IssuedDocument("sae", "x.pdf", 1, "en", content, "f", number=number)


@pytest.mark.parametrize(
    ("earlier", "content", "expected"),
    [
        ([], "a", 0),  # the first report is the initial report
        ([(0, "a")], "a", 0),  # a reprint of unchanged content keeps its number
        ([(0, "a")], "b", 1),  # new content: follow-up 1
        ([(0, "a"), (1, "b")], "a", 0),  # content equal to the initial report again
        ([(0, "a"), (1, "b")], "c", 2),
        ([(0, "a"), (1, "b"), (1, "b")], "b", 1),
    ],
)
def test_sae_numbers(earlier: list[tuple[int, str]], content: str, expected: int) -> None:
    assert next_number([_doc(n, c) for n, c in earlier], content) == expected


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("1A2B 3C4D 5E6F", "1a2b3c4d5e6f"),
        ("1a2b-3c4d", "1a2b3c4d"),
        ("  deadbeef  ", "deadbeef"),
    ],
)
def test_printed_hashes_are_read_as_hex(printed: str, expected: str) -> None:
    assert hash_prefix(printed) == expected


@pytest.mark.parametrize("printed", ["1a2b", "not a hash", "xyz12345", ""])
def test_short_or_foreign_hashes_are_refused(printed: str) -> None:
    from npc_crf.core.errors import UsageError

    with pytest.raises(UsageError, match="content hash"):
        hash_prefix(printed)


# -- the service -------------------------------------------------------------------------


def test_a_casebook_is_written_and_recorded(site: ReportSite, tmp_path: Path) -> None:
    subject = site.subject_ids[0]
    out = tmp_path / "cb.pdf"
    with logged_in(site.data_dir, DOCTOR) as ws:
        doc = ws.reports.casebook(subject, out, lang="zh")
        entry = ws.audit.history(subject_id=subject)[-1]
        issued = ws.reports.issued(subject_id=subject)
        matches = ws.reports.verify(doc.content_hash[:12])
    assert out.is_file() and doc.pages >= 2
    assert subject in text_of(out)
    assert entry.action == DOCUMENT_ISSUED and entry.username == DOCTOR.username
    assert str(tmp_path) not in entry.new  # the file's name is kept, not where it went
    assert [(d.content_hash, d.path, d.audit_seq) for d in issued] == [
        (doc.content_hash, "cb.pdf", entry.seq)
    ]
    assert [m.unchanged for m in matches] == [True]


def test_a_failed_write_records_nothing(site: ReportSite, tmp_path: Path) -> None:
    from npc_crf.core.errors import UsageError

    with logged_in(site.data_dir) as ws:
        before = len(ws.audit.history())
        with pytest.raises(UsageError, match="no such folder"):
            ws.reports.casebook(site.subject_ids[0], tmp_path / "missing" / "cb.pdf")
        assert len(ws.audit.history()) == before
    assert not (tmp_path / "missing").exists()


def test_a_batch_cancelled_keeps_the_finished_casebooks(site: ReportSite, tmp_path: Path) -> None:
    from npc_crf.reports.document import ReportCancelled

    seen: list[str] = []

    def progress(done: int, total: int, subject_id: str) -> None:
        seen.append(subject_id)

    with logged_in(site.data_dir) as ws:
        with pytest.raises(ReportCancelled, match="after 1 of 3"):
            ws.reports.casebooks(
                site.subject_ids[:3],
                tmp_path,
                progress=progress,
                cancelled=lambda: len(seen) > 1,
            )
        issued = ws.reports.issued(kind="casebook")
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == [f"{site.subject_ids[0]}-casebook.pdf"]
    assert len(issued) == 1
    assert not list(tmp_path.glob(".*tmp*"))  # no half-written file left behind


# -- the command line ----------------------------------------------------------------------


def test_blank_and_annotated_crf_need_no_site(tmp_path: Path) -> None:
    blank = tmp_path / "blank.pdf"
    done = cli("report", "blank-crf", "--study", STUDY, "--form", "AE", "--out", blank)
    assert done.returncode == 0, done.stderr
    assert "Wrote" in done.stdout and blank.is_file()
    annotated = tmp_path / "annotated.pdf"
    done = cli(
        "report",
        "annotated-crf",
        "--study",
        "forms/npc-sint-rt",
        "--lang",
        "zh",
        "--out",
        annotated,
    )
    assert done.returncode == 0, done.stderr
    assert "AETERM" in text_of(annotated)
    done = cli("report", "blank-crf", "--study", "NO-SUCH", "--out", tmp_path / "x.pdf")
    assert done.returncode == USAGE and "NO-SUCH" in done.stderr


def test_the_report_commands(site: ReportSite, tmp_path: Path) -> None:
    first = site.subject_ids[0]
    one = tmp_path / "one.pdf"
    done = cli("report", "casebook", first, "--out", one, "--json", *site_args(site), env=env())
    assert done.returncode == 0, done.stderr
    written = json.loads(done.stdout)
    assert written[0]["subject_id"] == first and one.is_file()

    folder = tmp_path / "all"
    folder.mkdir()
    done = cli("report", "casebook", "--all", "--out", folder, *site_args(site), env=env())
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{s}-casebook.pdf" for s in site.subject_ids
    )

    for kind in ("queries", "sdv"):
        done = cli("report", kind, "--out", tmp_path, *site_args(site), env=env())
        assert done.returncode == 0, done.stderr
        assert (tmp_path / f"{kind}.pdf").is_file()

    done = cli("report", "sae", "--list", "--json", *site_args(site), env=env())
    assert done.returncode == 0, done.stderr
    saes = json.loads(done.stdout)
    if saes:
        ref = saes[0]
        done = cli(
            "report",
            "sae",
            ref["subject_id"],
            ref["occurrence"],
            "--out",
            tmp_path,
            *site_args(site),
            env=env(),
        )
        assert done.returncode == 0, done.stderr
        assert "initial report" in done.stdout

    done = cli("report", "issued", "--json", *site_args(site, ADMIN), env=env(ADMIN))
    kinds = [d["kind"] for d in json.loads(done.stdout)]
    assert kinds.count("casebook") == 1 + len(site.subject_ids)
    assert {"queries", "sdv"} <= set(kinds)

    # a printed copy matches while the record is unchanged, and not after a change
    printed = written[0]["content_hash"][:20]
    grouped = " ".join(printed[i : i + 4] for i in range(0, 20, 4)).upper()
    done = cli("report", "verify", grouped, *site_args(site), env=env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "unchanged" in done.stdout
    with logged_in(site.data_dir, MONITOR) as ws:
        ws.queries.raise_query(first, "Please add the missing visit date.")
    done = cli("report", "verify", grouped, *site_args(site), env=env())
    assert done.returncode == 1 and "changed since" in done.stdout


def test_usage_errors_say_what_to_do(site: ReportSite, tmp_path: Path) -> None:
    done = cli("report", "casebook", "--out", tmp_path, *site_args(site), env=env())
    assert done.returncode == USAGE and "--all" in done.stderr
    done = cli(
        "report", "casebook", "NOBODY", "--out", tmp_path / "x.pdf", *site_args(site), env=env()
    )
    assert done.returncode == USAGE and "NOBODY" in done.stderr
    done = cli("report", "verify", "12", *site_args(site), env=env())
    assert done.returncode == USAGE and "hexadecimal" in done.stderr
    done = cli(
        "report", "casebook", site.subject_ids[0], "--out", tmp_path / "x.pdf", *site_args(site)
    )
    assert done.returncode == USAGE and "NPC_CRF_PASSWORD" in done.stderr
