"""The Reports page, used the way a research nurse prints documents.

Every test works on a copy of the shared demo site (``report_site_of``; printing
writes ``document_issued`` audit entries). Buttons are clicked, subjects ticked and
rows chosen as a person does; the file dialogs are answered through the page's
``choose_file`` / ``choose_folder``. What the PDFs and the page show is compared
with what the services read from the store, never with copies of the output.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtWidgets import QAbstractButton, QListWidget, QWidget
from pytestqt.qtbot import QtBot

from npc_crf.services.reports.kinds import ReportKind
from npc_crf.services.workspace import Workspace
from npc_crf.ui.app import Shell
from npc_crf.ui.casebook_view import CasebookView
from npc_crf.ui.reports_view import KINDS, IssuedColumn, ReportsView, SaeColumn
from npc_crf.ui.worker import JobRunner
from tests.report_fixtures import NURSE, ReportSite, copy_site, fonts_not_embedded, logged_in
from tests.ui_shell import idle, log_in, main_window, shells_in

WAIT = 60_000
LEFT = Qt.MouseButton.LeftButton
STUDY = "NPC-SINT-RT"

# ------------------------------------------------------------------------------ fixtures


@pytest.fixture
def site(report_site_of: Callable[[str], ReportSite], tmp_path: Path) -> ReportSite:
    return copy_site(report_site_of(STUDY), tmp_path / "site")


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[JobRunner]:
    jobs = JobRunner()
    yield jobs
    jobs.wait()


@pytest.fixture
def ws(site: ReportSite, runner: JobRunner) -> Iterator[Workspace]:
    with logged_in(site.data_dir, NURSE) as workspace:
        yield workspace
        runner.wait()  # no job may still use the workspace when it logs out


@pytest.fixture
def view(qtbot: QtBot, ws: Workspace, runner: JobRunner) -> ReportsView:
    page = ReportsView(ws, runner, "en")
    qtbot.addWidget(page)
    page.resize(1100, 860)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.refresh()
    return page


# ------------------------------------------------------------------------------ helpers


class Chooser:
    """Answers the page's file or folder question with ``answer`` and remembers what
    was asked."""

    def __init__(self, answer: Path | None) -> None:
        self.answer = answer
        self.asked: list[tuple[str, Path]] = []

    def __call__(self, _parent: QWidget, caption: str, suggested: Path) -> Path | None:
        self.asked.append((caption, suggested))
        return self.answer


def pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_pages(path: Path) -> int:
    return len(PdfReader(io.BytesIO(path.read_bytes())).pages)


def click_kind(qtbot: QtBot, view: ReportsView, kind: ReportKind) -> None:
    """Click a kind of document in the list."""
    item = view.kind_list.item(KINDS.index(kind))
    qtbot.mouseClick(
        view.kind_list.viewport(), LEFT, pos=view.kind_list.visualItemRect(item).center()
    )
    assert view.kind is kind


def tick(qtbot: QtBot, listing: QListWidget, *subjects: str) -> None:
    """Click the check boxes of ``subjects`` in the casebook list."""
    for row in range(listing.count()):
        item = listing.item(row)
        if item.data(Qt.ItemDataRole.UserRole) in subjects:
            rect = listing.visualItemRect(item)
            box = QPoint(rect.left() + rect.height() // 2, rect.center().y())
            qtbot.mouseClick(listing.viewport(), LEFT, pos=box)
            assert item.checkState() == Qt.CheckState.Checked


def click_option(qtbot: QtBot, button: QAbstractButton) -> None:
    """Click a check box or radio button on its indicator (as a person does)."""
    qtbot.mouseClick(button, LEFT, pos=QPoint(8, button.height() // 2))


def printed(qtbot: QtBot, view: ReportsView, start: Callable[[], object]) -> None:
    """Start a print (a click) and wait until it ended and the page was read again."""
    with (
        qtbot.waitSignal(view.loaded, timeout=WAIT),
        qtbot.waitSignal(
            view.actionEnded, timeout=WAIT, check_params_cb=lambda name: name == "print"
        ),
    ):
        start()
    qtbot.waitUntil(lambda: not view.runner.busy, timeout=WAIT)


def issued_column(view: ReportsView, column: int) -> list[str]:
    return [row[column] for row in view.issued_rows()]


# ------------------------------------------------------------------------------ casebooks


def test_a_nurse_prints_one_casebook_and_matches_the_printed_hash(
    qtbot: QtBot, view: ReportsView, ws: Workspace, site: ReportSite, tmp_path: Path
) -> None:
    subject = site.subject_ids[2]  # the shortest casebook: the test stays quick
    before = len(ws.reports.issued())
    click_kind(qtbot, view, ReportKind.CASEBOOK)
    assert not view.create_button.isEnabled()  # nobody ticked yet
    tick(qtbot, view.subject_list, subject)
    assert view.create_button.isEnabled()
    assert "one PDF file" in view.casebook_mode.text()
    target = tmp_path / "x.pdf"
    chooser = Chooser(target)
    view.choose_file = chooser
    printed(qtbot, view, lambda: qtbot.mouseClick(view.create_button, LEFT))

    assert chooser.asked[0][1].name == f"{subject}-casebook.pdf"  # the name offered
    assert target.is_file()
    assert subject in pdf_text(target)
    assert fonts_not_embedded_at(target) == []
    issued = ws.reports.issued()
    assert len(issued) == before + 1
    doc = issued[-1]
    assert (doc.kind, doc.subject_id, doc.path) == ("casebook", subject, "x.pdf")
    assert doc.pages == pdf_pages(target)
    assert view.message == (
        f"Wrote {target}: {doc.pages} pages, content hash {doc.content_hash}.\n"
        "The file holds clinical data: keep it as safely as the paper record. Its issue is "
        "recorded in the audit trail."
    )
    newest = view.issued_rows()[0]
    assert newest[IssuedColumn.ABOUT] == subject
    assert newest[IssuedColumn.KIND] == "Subject casebook"
    assert newest[IssuedColumn.HASH] == doc.content_hash[:16]
    assert newest[IssuedColumn.FILE] == "x.pdf"
    assert newest[IssuedColumn.BY] == NURSE.username

    opened: list[QUrl] = []
    view.open_url = opened.append
    qtbot.mouseClick(view.open_button, LEFT)
    qtbot.mouseClick(view.folder_button, LEFT)
    assert [u.toLocalFile() for u in opened] == [str(target), str(tmp_path)]

    qtbot.keyClicks(view.verify_edit, doc.content_hash[:16].upper())  # as printed
    with qtbot.waitSignal(view.actionEnded, timeout=WAIT):
        qtbot.mouseClick(view.verify_button, LEFT)
    assert "the record is unchanged since it was printed" in view.verify_message
    assert subject in view.verify_message and "x.pdf" in view.verify_message
    assert view.verify_tone == "ok"


@pytest.mark.parametrize(
    ("typed", "words", "tone"),
    [
        ("00000000", "No document issued at this installation", "warn"),
        ("not a hash", "is not a content hash", "error"),
    ],
)
def test_a_hash_that_matches_nothing_is_said_so(
    qtbot: QtBot, view: ReportsView, typed: str, words: str, tone: str
) -> None:
    with qtbot.waitSignal(view.actionEnded, timeout=WAIT):
        view.verify(typed)
    assert words in view.verify_message
    assert view.verify_tone == tone


def test_two_casebooks_go_into_a_folder_one_file_each(
    qtbot: QtBot, view: ReportsView, ws: Workspace, site: ReportSite, tmp_path: Path
) -> None:
    chosen = site.subject_ids[2:4]
    folder = tmp_path / "out"
    folder.mkdir()
    view.choose_folder = Chooser(folder)
    not_asked = Chooser(None)
    view.choose_file = not_asked
    click_kind(qtbot, view, ReportKind.CASEBOOK)
    tick(qtbot, view.subject_list, *chosen)
    assert "2 subjects ticked" in view.casebook_mode.text()
    printed(qtbot, view, lambda: qtbot.mouseClick(view.create_button, LEFT))

    assert not_asked.asked == []
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(f"{s}-casebook.pdf" for s in chosen)
    for subject in chosen:
        assert subject in pdf_text(folder / f"{subject}-casebook.pdf")
    issued = [d for d in ws.reports.issued() if d.kind == "casebook"]
    assert [d.subject_id for d in issued[-2:]] == list(chosen)
    assert view.message.startswith(f"Wrote 2 casebooks into {folder}:")
    assert issued_column(view, IssuedColumn.ABOUT)[:2] == list(reversed(chosen))
    assert view.folder_button.isVisible() and not view.open_button.isVisible()


def test_a_cancel_during_a_batch_keeps_only_the_finished_casebooks(
    qtbot: QtBot,
    view: ReportsView,
    ws: Workspace,
    site: ReportSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chosen = site.subject_ids[:3]
    folder = tmp_path / "batch"
    folder.mkdir()
    # the second casebook waits until the nurse pressed Cancel (so the test does not race)
    gate = threading.Event()
    real = ws.reports.casebook
    calls: list[str] = []

    def casebook(subject_id: str, out: Path, **options: Any) -> Any:
        calls.append(subject_id)
        if len(calls) == 2:
            assert gate.wait(WAIT / 1000)
        return real(subject_id, out, **options)

    monkeypatch.setattr(ws.reports, "casebook", casebook)
    view.choose_folder = Chooser(folder)
    click_kind(qtbot, view, ReportKind.CASEBOOK)
    tick(qtbot, view.subject_list, *chosen)
    before = len(ws.reports.issued())
    with qtbot.waitSignal(view.actionEnded, timeout=WAIT):
        qtbot.mouseClick(view.create_button, LEFT)
        qtbot.waitUntil(lambda: "(2 of 3)" in view.progress_label.text(), timeout=WAIT)
        assert view.cancel_button.isVisible()
        qtbot.mouseClick(view.cancel_button, LEFT)
        assert view.cancel_button.text() == "Cancelling…"
        gate.set()
    qtbot.waitUntil(lambda: not view.runner.busy, timeout=WAIT)

    assert [p.name for p in folder.iterdir()] == [f"{chosen[0]}-casebook.pdf"]
    after = ws.reports.issued()
    assert [d.subject_id for d in after[before:]] == [chosen[0]]
    assert "1 of 3 casebooks were finished" in view.message
    assert calls == list(chosen[:2])  # the third was never begun


# ------------------------------------------------------------------------------ other kinds


def test_the_sae_list_shows_the_serious_aes_and_prints_one(
    qtbot: QtBot, view: ReportsView, ws: Workspace, tmp_path: Path
) -> None:
    saes = ws.reports.saes()
    assert saes, "the demo site has serious adverse events"
    click_kind(qtbot, view, ReportKind.SAE)
    rows = view.sae_rows()
    assert [(r[SaeColumn.SUBJECT], r[SaeColumn.AE]) for r in rows] == [
        (s.subject_id, f"AE {s.occurrence}") for s in saes
    ]
    assert not view.create_button.isEnabled()  # no AE chosen yet
    ref = saes[-1]
    cell = view.sae_table.item(len(saes) - 1, SaeColumn.TERM)
    assert cell is not None
    qtbot.mouseClick(
        view.sae_table.viewport(), LEFT, pos=view.sae_table.visualItemRect(cell).center()
    )
    assert view.chosen_sae() == (ref.subject_id, ref.occurrence)
    target = tmp_path / "sae.pdf"
    chooser = Chooser(target)
    view.choose_file = chooser
    printed(qtbot, view, lambda: qtbot.mouseClick(view.create_button, LEFT))

    assert chooser.asked[0][1].name == f"{ref.subject_id}-sae-AE{ref.occurrence}.pdf"
    assert ref.subject_id in pdf_text(target)
    doc = ws.reports.issued(kind="sae")[-1]
    assert (doc.subject_id, doc.occurrence, doc.number) == (ref.subject_id, ref.occurrence, 0)
    newest = view.issued_rows()[0]
    assert newest[IssuedColumn.KIND] == "SAE report, initial"
    assert newest[IssuedColumn.ABOUT] == f"{ref.subject_id}, AE {ref.occurrence}"


def test_a_blank_crf_of_one_form_is_written_without_an_audit_entry(
    qtbot: QtBot, view: ReportsView, ws: Workspace, tmp_path: Path
) -> None:
    before = len(ws.reports.issued())
    click_kind(qtbot, view, ReportKind.BLANK_CRF)
    click_option(qtbot, view.crf_one)
    assert view.crf_form.isEnabled()
    index = view.crf_form.count() // 2
    view.crf_form.setCurrentIndex(index)
    oid = str(view.crf_form.currentData())
    target = tmp_path / "crf.pdf"
    view.choose_file = Chooser(target)
    view.lang_combo.setCurrentIndex(view.lang_combo.findData("zh"))
    printed(qtbot, view, lambda: qtbot.mouseClick(view.create_button, LEFT))

    text = pdf_text(target)
    assert ws.study.forms[oid].title.get("zh") in text
    assert ws.study.forms[oid].title.get("en") not in text
    assert view.message == f"Wrote {target}: {pdf_pages(target)} pages."
    assert len(ws.reports.issued()) == before
    assert fonts_not_embedded_at(target) == []


@pytest.mark.parametrize("open_only", [False, True])
def test_a_query_report_of_one_subject(
    qtbot: QtBot,
    view: ReportsView,
    ws: Workspace,
    site: ReportSite,
    tmp_path: Path,
    open_only: bool,
) -> None:
    subject = site.verified[0]  # the subject with the demo's queries
    click_kind(qtbot, view, ReportKind.QUERIES)
    assert view.open_only.isVisible()
    click_option(qtbot, view.scope_subject)
    assert view.scope_combo.isEnabled()
    view.scope_combo.setCurrentIndex(view.scope_combo.findData(subject))
    if open_only:
        click_option(qtbot, view.open_only)
    assert view.open_only.isChecked() is open_only
    target = tmp_path / "queries.pdf"
    view.choose_file = Chooser(target)
    printed(qtbot, view, lambda: qtbot.mouseClick(view.create_button, LEFT))

    closed = ws.queries.get(site.closed_query)
    text = pdf_text(target)
    assert subject in text
    assert (closed.messages[-1].text in text) is not open_only
    doc = ws.reports.issued(kind="queries")[-1]
    assert doc.subject_id == subject


# ------------------------------------------------------------------------------ from the casebook


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., Shell]]:
    with shells_in(tmp_path) as make:
        yield make


def test_the_casebooks_print_button_prints_that_subjects_casebook(
    qtbot: QtBot, start: Callable[..., Shell], site: ReportSite, tmp_path: Path
) -> None:
    subject = site.subject_ids[2]
    shell = start(site.data_dir)
    log_in(qtbot, shell, NURSE.username, NURSE.password)
    window = main_window(qtbot, shell)
    idle(qtbot, shell)
    window.open_subject(subject)
    casebook = window.views["casebook"]
    assert isinstance(casebook, CasebookView)
    qtbot.waitUntil(lambda: casebook.print_button.isEnabled(), timeout=WAIT)
    idle(qtbot, shell)
    target = tmp_path / "from-casebook.pdf"
    reports = window.views["reports"]
    assert isinstance(reports, ReportsView)
    chooser = Chooser(target)
    reports.choose_file = chooser
    with qtbot.waitSignal(reports.printed, timeout=WAIT):
        qtbot.mouseClick(casebook.print_button, LEFT)
    idle(qtbot, shell)

    assert window.current_key == "reports"
    assert reports.kind is ReportKind.CASEBOOK and reports.ticked_subjects() == [subject]
    assert chooser.asked[0][1].name == f"{subject}-casebook.pdf"
    assert subject in pdf_text(target)
    qtbot.waitUntil(lambda: bool(reports.issued_rows()), timeout=WAIT)
    assert reports.issued_rows()[0][IssuedColumn.ABOUT] == subject


def test_a_serious_aes_form_prints_its_sae_report_and_a_mild_one_offers_none(
    qtbot: QtBot, start: Callable[..., Shell], site: ReportSite, tmp_path: Path
) -> None:
    from npc_crf.services.worklist import profile_for
    from npc_crf.ui.form_page import FormPage

    shell = start(site.data_dir)
    log_in(qtbot, shell, NURSE.username, NURSE.password)
    window = main_window(qtbot, shell)
    idle(qtbot, shell)
    ws = window.ws
    ae_form = profile_for(ws.study).ae_form
    assert ae_form is not None
    ref = ws.reports.saes()[0]
    serious = {(s.subject_id, s.occurrence) for s in ws.reports.saes()}
    mild = next(
        (book.subject.subject_id, e.occurrence)
        for book in (ws.casebook.load(s) for s in site.subject_ids)
        for e in book.events
        if e.event_oid == ref.event_oid
        and ae_form in e.forms
        and (book.subject.subject_id, e.occurrence) not in serious
    )
    opened = window.open_form(mild[0], ref.event_oid, mild[1], ae_form)
    assert isinstance(opened, FormPage)
    mild_page: FormPage = opened
    qtbot.waitUntil(lambda: mild_page.view is not None, timeout=WAIT)
    idle(qtbot, shell)
    assert not mild_page.serious and not mild_page.sae_button.isVisible()

    opened = window.open_form(ref.subject_id, ref.event_oid, ref.occurrence, ae_form)
    assert isinstance(opened, FormPage)
    page: FormPage = opened
    qtbot.waitUntil(lambda: page.sae_button.isVisible(), timeout=WAIT)
    reports = window.views["reports"]
    assert isinstance(reports, ReportsView)
    target = tmp_path / "sae-from-form.pdf"
    reports.choose_file = Chooser(target)
    with qtbot.waitSignal(reports.printed, timeout=WAIT):
        qtbot.mouseClick(page.sae_button, LEFT)
    idle(qtbot, shell)

    assert window.current_key == "reports" and window.form_page is None
    assert reports.chosen_sae() == (ref.subject_id, ref.occurrence)
    doc = ws.reports.issued(kind="sae")[-1]
    assert (doc.subject_id, doc.occurrence, doc.path) == (
        ref.subject_id,
        ref.occurrence,
        target.name,
    )
    assert ref.term.get("en") in pdf_text(target)


def fonts_not_embedded_at(path: Path) -> list[str]:
    """The fonts of the PDF at ``path`` without an embedded TrueType font file."""
    return fonts_not_embedded(path.read_bytes())
