"""The query report and the SDV report, checked against what the monitoring services hold.

Each document is gathered and rendered for the shared demo sites of both studies
(see tests/report_fixtures.py: three queries on the first subject, one closed
with a reply, and three forms verified by the monitor), for the whole site and
for one subject, in English and in Chinese. The text pypdf extracts must show
what ``ws.queries`` and ``ws.sdv`` report; every font must be embedded.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from npc_crf.core.errors import UsageError
from npc_crf.forms.model import Study, Text
from npc_crf.reports import DOCUMENT_ISSUED
from npc_crf.reports.document import RenderOptions, ReportCancelled
from npc_crf.reports.query_report import (
    KIND_TEXT,
    STATUS_TEXT,
    T,
    age_text,
    render_query_report,
)
from npc_crf.reports.sdv_report import (
    MODE_TEXT,
    RESET_TEXT,
    chunk_entries,
    pending_entries,
    percent_text,
    render_sdv_report,
)
from npc_crf.reports.sdv_report import T as SDV_T
from npc_crf.services.monitoring.query_model import OPEN_STATUSES, QueryStatus
from npc_crf.services.monitoring.sdv import FormSdv
from npc_crf.services.monitoring.sdv_items import SdvState
from npc_crf.services.reports.monitoring_data import (
    RESET_PENDING,
    ItemLabel,
    PendingItem,
    SdvReportData,
    age_band,
    gather_queries,
    gather_sdv,
    item_label,
)
from npc_crf.services.workspace import Workspace
from tests.report_fixtures import (
    MONITOR,
    NURSE,
    ReportSite,
    assert_fonts_embedded,
    copy_site,
    logged_in,
)

STUDIES = ("NPC-SINT-RT", "NCT07062484")
LANGS = ("en", "zh")


# -- helpers ------------------------------------------------------------------------------


def pages_text(data: bytes) -> list[str]:
    """The text of each page."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def compact(text: str) -> str:
    """``text`` without any white space (cells wrap where the layout likes)."""
    return "".join(text.split())


def options(lang: str, ws: Workspace) -> RenderOptions:
    return RenderOptions(lang=lang, generated_by=ws.full_name)


@pytest.fixture(params=STUDIES)
def site(request: pytest.FixtureRequest, report_site_of: Callable[[str], ReportSite]) -> ReportSite:
    return report_site_of(request.param)


# -- query report ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("scoped", [False, True], ids=["site", "subject"])
def test_query_report_prints_every_query_and_thread(
    site: ReportSite, lang: str, scoped: bool
) -> None:
    subject = site.verified[0] if scoped else None
    with logged_in(site.data_dir, MONITOR) as ws:
        data = gather_queries(ws, subject)
        stored = ws.queries.list(subject_id=subject, with_messages=True)
        by_status = {s: len(ws.queries.list(subject_id=subject, status=s)) for s in QueryStatus}
        study = ws.study
        pdf = render_query_report(data, options(lang, ws))
    assert stored, "the demo site has queries on this subject"
    pages = pages_text(pdf.data)
    text = compact("\n".join(pages))
    assert pdf.pages == len(pages)
    assert dict(data.by_status) == by_status
    assert data.total == len(stored)
    assert sum(n for _band, n in data.by_age) == sum(1 for q in stored if q.is_open)
    for q in stored:
        assert compact(q.where) in text
        assert compact(STATUS_TEXT[q.status].get(lang)) in text
        assert compact(KIND_TEXT[q.kind.value].get(lang)) in text
        if q.is_open:
            assert compact(age_text(q.age_days(data.as_of), lang)) in text
        for m in q.messages:
            assert compact(m.text) in text
            assert compact(m.full_name) in text
        if q.form_oid:
            assert compact(study.forms[q.form_oid].title.get(lang)) in text
        if q.item_path and q.form_oid:
            assert compact(item_label(study, q.form_oid, q.item_path).get(lang)) in text
    assert_fonts_embedded(pdf.data)


@pytest.mark.parametrize("lang", LANGS)
def test_the_closed_thread_reads_in_order(site: ReportSite, lang: str) -> None:
    with logged_in(site.data_dir, MONITOR) as ws:
        query = ws.queries.get(site.closed_query)
        data = gather_queries(ws, query.subject_id)
        pdf = render_query_report(data, options(lang, ws))
    text = compact("\n".join(pages_text(pdf.data)))
    assert [m.status for m in query.messages] == [
        QueryStatus.NEW,
        QueryStatus.UPDATED,
        QueryStatus.CLOSED,
    ]
    places = [text.index(compact(m.text)) for m in query.messages]
    assert places == sorted(places)
    # each message with its author, and the status it left, in the document's language
    for m in query.messages:
        assert compact(f"{m.full_name}{m.username}") in text
        assert compact(f"{STATUS_TEXT[m.status].get(lang)}{m.text}") in text


@pytest.mark.parametrize("lang", LANGS)
def test_zh_labels_are_chinese(report_site_of: Callable[[str], ReportSite], lang: str) -> None:
    site = report_site_of(STUDIES[0])
    with logged_in(site.data_dir, MONITOR) as ws:
        query = ws.queries.get(site.closed_query)
        study = ws.study
        pdf = render_query_report(gather_queries(ws, query.subject_id), options(lang, ws))
    text = compact("\n".join(pages_text(pdf.data)))
    assert query.form_oid is not None and query.event_oid is not None
    form = study.forms[query.form_oid].title
    event = study.event(query.event_oid)
    assert event is not None and form.en != form.zh
    assert compact(form.get(lang)) in text
    assert compact(event.name.get(lang)) in text
    assert compact(T["subject"].get(lang)) in text
    if lang == "zh":  # the definitions' English labels are not printed
        assert compact(form.en) not in text
    else:  # nor the document's own Chinese texts (the demo's messages mix both)
        assert compact(T["subject"].zh) not in text


@pytest.mark.parametrize("lang", LANGS)
def test_a_subject_without_queries_says_so(site: ReportSite, lang: str) -> None:
    with logged_in(site.data_dir, MONITOR) as ws:
        quiet = [s for s in site.subject_ids if not ws.queries.list(subject_id=s)]
        assert quiet, "the demo site has a subject without queries"
        data = gather_queries(ws, quiet[0])
        others = ws.queries.list(with_messages=True)
        pdf = render_query_report(data, options(lang, ws))
    assert data.total == 0 and [s.subject_id for s in data.subjects] == [quiet[0]]
    text = compact("\n".join(pages_text(pdf.data)))
    assert compact(T["no_queries_subject"].get(lang)) in text
    assert quiet[0] in text
    for q in others:
        assert compact(q.messages[0].text) not in text
    assert_fonts_embedded(pdf.data)


def test_open_only_leaves_closed_queries_out(site: ReportSite) -> None:
    with logged_in(site.data_dir, MONITOR) as ws:
        closed = ws.queries.get(site.closed_query)
        every = gather_queries(ws, closed.subject_id)
        open_only = gather_queries(ws, closed.subject_id, include_closed=False)
        still_open = ws.queries.list(subject_id=closed.subject_id, status=OPEN_STATUSES)
        pdf = render_query_report(open_only, options("en", ws))
    uids = {q.uid for s in open_only.subjects for q in s.queries}
    assert uids == {q.uid for q in still_open}
    assert closed.uid not in uids and every.total == open_only.total + 1
    assert open_only.content_hash != every.content_hash
    text = compact("\n".join(pages_text(pdf.data)))
    assert compact(closed.messages[-1].text) not in text
    assert compact(T["open_only"].get("en")) in text


def test_query_hash_follows_the_record(
    report_site_of: Callable[[str], ReportSite], tmp_path: Path
) -> None:
    site = copy_site(report_site_of(STUDIES[1]), tmp_path / "site")
    subject = site.verified[0]
    with logged_in(site.data_dir, MONITOR) as ws:
        first = gather_queries(ws, subject)
        assert gather_queries(ws, subject).content_hash == first.content_hash
        site_wide = gather_queries(ws).content_hash
        with ws.tx() as tx:  # printing is not a change of the record
            tx.audit.append(DOCUMENT_ISSUED, subject_id=subject)
        assert gather_queries(ws, subject).content_hash == first.content_hash
        waiting = next(q for s in first.subjects for q in s.queries if q.is_open)
    with logged_in(site.data_dir, NURSE) as ws:
        ws.queries.reply(waiting.uid, "Answered from the chart.")
        after = gather_queries(ws, subject)
        assert after.content_hash != first.content_hash
        assert gather_queries(ws).content_hash != site_wide
        (line,) = [q for s in after.subjects for q in s.queries if q.uid == waiting.uid]
        assert line.status is QueryStatus.UPDATED
        assert line.messages[-1].text == "Answered from the chart."


@pytest.mark.parametrize(
    ("days", "band"),
    [
        (0, "0-7"),
        (7, "0-7"),
        (8, "8-14"),
        (14, "8-14"),
        (15, "15-30"),
        (30, "15-30"),
        (31, ">30"),
        (400, ">30"),
        (-1, "0-7"),  # a clock set back: raised "tomorrow"
    ],
)
def test_age_bands(days: int, band: str) -> None:
    assert age_band(days) == band


# -- SDV report --------------------------------------------------------------------------


def form_row(f: FormSdv, study: Study, lang: str) -> str:
    """What the forms table prints for ``f``, up to its pending count."""
    form = study.forms[f.form_oid]
    mode = MODE_TEXT[form.sdv.value].get(lang)
    return compact(f"{form.title.get(lang)}{f.form_oid}{mode}{f.required}{f.verified}{f.pending}")


def _counts(data: SdvReportData) -> dict[str, tuple[int, int, int, int, int]]:
    return {
        s.subject_id: (s.required, s.verified, s.pending, len(s.forms), s.forms_done)
        for s in data.subjects
    }


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("scoped", [False, True], ids=["site", "subject"])
def test_sdv_report_matches_the_service(site: ReportSite, lang: str, scoped: bool) -> None:
    subject = site.verified[0]
    with logged_in(site.data_dir, MONITOR) as ws:
        data = gather_sdv(ws, subject if scoped else None)
        progress = {s.subject_id: s for s in ws.sdv.site_status()}
        forms = ws.sdv.subject_status(subject)
        study = ws.study
        pdf = render_sdv_report(data, options(lang, ws))
    expected = {
        sid: (p.required, p.verified, p.pending, p.forms, p.forms_done)
        for sid, p in progress.items()
        if not scoped or sid == subject
    }
    counts = _counts(data)
    assert {s: c for s, c in counts.items() if c != (0, 0, 0, 0, 0)} == expected
    assert set(counts) == ({subject} if scoped else set(site.subject_ids))
    text = compact("\n".join(pages_text(pdf.data)))
    if not scoped:  # the summary row of each subject
        for sid, (req, ver, pend, nforms, done) in expected.items():
            pct = percent_text(round(100.0 * ver / req, 1))
            assert compact(f"{sid}{nforms}{done}{req}{ver}{pend}{pct}") in text
    for f in forms:  # every form of the subject, with the service's counts
        assert form_row(f, study, lang) in text
    (verified,) = [f for f in forms if (f.event_oid, f.occurrence, f.form_oid) == site.verified[1:]]
    assert verified.pending == 0 and verified.required > 0
    # shown verified, by the monitor (printed name and user name)
    by = compact(f"{MONITOR.full_name} ({MONITOR.username})")
    assert form_row(verified, study, lang) + by in text
    assert compact(SDV_T["all_verified"].get(lang)) in text
    waiting = next(f for f in forms if f.pending)
    labels = [
        item_label(study, i.form_oid, i.item_path).item.get(lang)
        for i in waiting.items
        if i.state is SdvState.PENDING
    ]
    for label in labels:
        assert compact(label) in text
    assert_fonts_embedded(pdf.data)


def _change_a_verified_value(ws: Workspace, site: ReportSite) -> tuple[str, str, int, str, str]:
    """Give a verified single-choice value (Sex) another code; where it was changed."""
    subject = site.verified[0]
    for f in ws.sdv.subject_status(subject):
        form = ws.study.forms[f.form_oid]
        for i in f.items:
            item = form.item(i.item_oid)
            codes = ws.study.codelist_for(item) if item is not None else None
            if i.state is not SdvState.VERIFIED or i.row_uid or codes is None:
                continue
            record = ws.casebook.form_record(subject, f.event_oid, f.occurrence, f.form_oid)
            assert record is not None
            now = record.answers.get(i.item_oid)
            other = next(c.code for c in codes.items if c.code != now)
            ws.casebook.save_form(
                subject,
                f.event_oid,
                f.occurrence,
                f.form_oid,
                {i.item_oid: other},
                reason="transcription error found at monitoring",
            )
            return subject, f.event_oid, f.occurrence, f.form_oid, i.item_path
    raise AssertionError("no verified single-choice value on the demo subject")


@pytest.mark.parametrize("lang", LANGS)
def test_a_change_after_verification_is_listed(
    report_site_of: Callable[[str], ReportSite], tmp_path: Path, lang: str
) -> None:
    site = copy_site(report_site_of(STUDIES[0]), tmp_path / "site")
    with logged_in(site.data_dir, MONITOR) as ws:
        before = gather_sdv(ws, site.verified[0])
        assert not any(s.resets for s in before.subjects)
        assert gather_sdv(ws, site.verified[0]).content_hash == before.content_hash
    with logged_in(site.data_dir, NURSE) as ws:
        subject, event_oid, occurrence, form_oid, path = _change_a_verified_value(ws, site)
    with logged_in(site.data_dir, MONITOR) as ws:
        after = gather_sdv(ws, subject)
        status = ws.sdv.form_status(subject, event_oid, occurrence, form_oid)
        study = ws.study
        pdf = render_sdv_report(after, options(lang, ws))
    assert after.content_hash != before.content_hash
    (line,) = after.subjects
    (reset,) = line.resets
    assert (reset.place.form_oid, reset.place.item_path, reset.state) == (
        form_oid,
        path,
        RESET_PENDING,
    )
    assert NURSE.full_name in reset.changed_by and MONITOR.full_name in reset.verified_by
    (form,) = [f for f in line.forms if f.place.form_oid == form_oid]
    assert (form.required, form.verified, form.pending, form.changed) == (
        status.required,
        status.verified,
        status.pending,
        1,
    )
    assert [p.item_path for p in form.pending_items] == [path]
    text = compact("\n".join(pages_text(pdf.data)))
    assert compact(SDV_T["changed"].get(lang)) in text
    label = item_label(study, form_oid, path).get(lang)
    assert compact(f"{label}{subject}/{event_oid}[{occurrence}]/{form_oid}/{path}") in text
    assert compact(RESET_TEXT[RESET_PENDING].get(lang)) in text
    assert compact(NURSE.full_name) in text
    # verified again: nothing waits any more, and the record is another one again
    with logged_in(site.data_dir, MONITOR) as ws:
        assert ws.sdv.verify(subject, event_oid, occurrence, form_oid) == 1
        again = gather_sdv(ws, subject)
    assert not again.subjects[0].resets
    assert again.content_hash not in (before.content_hash, after.content_hash)


def test_sdv_hash_leaves_issued_documents_out(
    report_site_of: Callable[[str], ReportSite], tmp_path: Path
) -> None:
    site = copy_site(report_site_of(STUDIES[1]), tmp_path / "site")
    with logged_in(site.data_dir, MONITOR) as ws:
        first = gather_sdv(ws).content_hash
        with ws.tx() as tx:
            tx.audit.append(DOCUMENT_ISSUED, subject_id=site.verified[0])
        assert gather_sdv(ws).content_hash == first


# -- both ----------------------------------------------------------------------------------


@pytest.mark.parametrize("gather", [gather_queries, gather_sdv], ids=["queries", "sdv"])
def test_an_unknown_subject_is_refused(
    report_site_of: Callable[[str], ReportSite], gather: Callable[..., object]
) -> None:
    site = report_site_of(STUDIES[0])
    with logged_in(site.data_dir, MONITOR) as ws, pytest.raises(UsageError) as caught:
        gather(ws, "D01-99-9999")
    assert "D01-99-9999" in str(caught.value)


def test_cancelling_stops_the_document(report_site_of: Callable[[str], ReportSite]) -> None:
    site = report_site_of(STUDIES[0])
    with logged_in(site.data_dir, MONITOR) as ws:
        data = gather_sdv(ws)
    with pytest.raises(ReportCancelled):
        render_sdv_report(data, RenderOptions(cancelled=lambda: True))


# -- small pieces as data ----------------------------------------------------------------

ROWS = Text("Lines", "治疗线")
REGIMEN = Text("Regimen", "方案")
WEIGHT = Text("Weight", "体重")


@pytest.mark.parametrize(
    ("items", "lang", "expected"),
    [
        ([("WEIGHT", WEIGHT, None)], "en", ["Weight"]),
        (
            [("L[1].R", REGIMEN, 1), ("L[2].R", REGIMEN, 2), ("L[3].R", REGIMEN, 3)],
            "en",
            ["Lines: Regimen (rows 1–3)"],
        ),
        (
            [("L[1].R", REGIMEN, 1), ("L[2].R", REGIMEN, 2), ("WEIGHT", WEIGHT, None)],
            "en",
            ["Lines: Regimen (rows 1, 2)", "Weight"],
        ),
        (
            [
                ("L[1].R", REGIMEN, 1),
                ("L[2].R", REGIMEN, 2),
                ("L[3].R", REGIMEN, 3),
                ("L[5].R", REGIMEN, 5),
            ],
            "zh",
            ["治疗线：方案（第 1–3、5 行）"],
        ),
    ],
)
def test_pending_items_are_named_once_per_column(
    items: list[tuple[str, Text, int | None]], lang: str, expected: list[str]
) -> None:
    pending = [
        PendingItem(path, ItemLabel(label, ROWS if row else None, row), 1)
        for path, label, row in items
    ]
    assert pending_entries(pending, lang) == expected


@pytest.mark.parametrize(
    ("entries", "budget", "expected"),
    [
        ([], 10, []),
        (["aaa", "bbb"], 100, [["aaa", "bbb"]]),
        (["aaaa", "bbbb", "cccc"], 14, [["aaaa", "bbbb"], ["cccc"]]),
        (["a" * 50, "b"], 10, [["a" * 50], ["b"]]),  # an entry longer than a row stays whole
        (["体重体重", "aa"], 10, [["体重体重"], ["aa"]]),  # wide characters count two
    ],
)
def test_long_pending_lists_go_on_over_rows(
    entries: list[str], budget: int, expected: list[list[str]]
) -> None:
    assert chunk_entries(entries, budget) == expected
