"""The subject casebook, checked against what the services hold.

For the shared demo sites of both studies (tests/report_fixtures.py) two subjects
are printed in English and Chinese: the first one, which carries the monitor's
work (queries, one closed with a reply, SDV of a form) and the investigator's
signatures, and the one with the longest follow-up. The text pypdf extracts must
show the values as ``ws.casebook`` decodes them, the signatures, the query
thread, the SDV state and every audit entry, each entry whole on one page. The
content hash is checked on copies of the site: stable when nothing changes,
different after a change, blind to the printing itself.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics

from npc_crf.core.errors import UsageError
from npc_crf.forms.display import missing_text, value_text
from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.model import Form, ItemType, Study
from npc_crf.reports import DOCUMENT_ISSUED
from npc_crf.reports.casebook import GridBuilder, Look, hash_groups, render_casebook, wrap_text
from npc_crf.reports.document import RenderOptions, ReportCancelled, render
from npc_crf.reports.fonts import FONT
from npc_crf.services.casebook import FormRecord
from npc_crf.services.monitoring.hold_model import Target
from npc_crf.services.reports import casebook_data
from npc_crf.services.reports.casebook_data import CasebookDocument, FormPart, gather_casebook
from npc_crf.services.workspace import Workspace
from tests.report_fixtures import (
    DOCTOR,
    MONITOR,
    NURSE,
    ReportSite,
    assert_fonts_embedded,
    copy_site,
    fonts_of,
    logged_in,
)

STUDIES = ("NPC-SINT-RT", "NCT07062484")
LANGS = ("en", "zh")


# -- helpers ---------------------------------------------------------------------------------


def squash(text: str) -> str:
    """``text`` without any whitespace (wrapping may break lines anywhere)."""
    return re.sub(r"\s+", "", text)


@dataclass
class Pdf:
    """A rendered casebook and its pages' text, extracted on demand."""

    data: bytes
    reader: PdfReader = field(init=False)
    _pages: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reader = PdfReader(io.BytesIO(self.data))

    def __len__(self) -> int:
        return len(self.reader.pages)

    def raw(self, n: int) -> str:
        """The text of page ``n`` (from 0) as extracted."""
        if n not in self._pages:
            self._pages[n] = self.reader.pages[n].extract_text()
        return self._pages[n]

    def page(self, n: int) -> str:
        """Page ``n`` without whitespace."""
        return squash(self.raw(n))

    def text(self, first: int = 0, last: int | None = None) -> str:
        """Pages ``first`` to ``last`` (inclusive) joined, without whitespace."""
        end = len(self) - 1 if last is None else min(last, len(self) - 1)
        return "".join(self.page(n) for n in range(first, end + 1))


def form_segments(
    study: Study,
    pdf: Pdf,
    records: list[tuple[str, int, FormRecord]],
    lang: str,
    last_page: int | None = None,
) -> dict[tuple[str, int, str], str]:
    """The text of each form, from its heading to the next form's heading (the last one
    to the audit trail, or to ``last_page``)."""
    body = pdf.text(1, last_page)  # after the cover (its contents list names every form)
    found: dict[tuple[str, int, str], str] = {}
    starts: list[tuple[int, tuple[str, int, str]]] = []
    cursor = 0
    for event_oid, occurrence, record in records:
        heading = squash(f"{study.forms[record.form_oid].title.get(lang)} · {record.form_oid}")
        at = body.find(heading, cursor)
        assert at >= 0, f"{event_oid}[{occurrence}]/{record.form_oid}: no heading {heading!r}"
        starts.append((at, (event_oid, occurrence, record.form_oid)))
        cursor = at + len(heading)
    audit = body.find(squash("Audit trail" if lang == "en" else "稽查轨迹"), cursor)
    ends = [at for at, _ in starts[1:]] + [audit if audit >= 0 else len(body)]
    for (at, key), end in zip(starts, ends, strict=True):
        found[key] = body[at:end]
    return found


def records_of(ws: Workspace, subject_id: str) -> list[tuple[str, int, FormRecord]]:
    """Every saved form of the subject in casebook order (event order, then the event's
    form order)."""
    out = []
    for event in ws.casebook.load(subject_id).events:
        order = ws.study.event(event.event_oid)
        forms = order.forms if order else tuple(event.forms)
        for oid in sorted(event.forms, key=forms.index):
            out.append((event.event_oid, event.occurrence, event.forms[oid]))
    return out


def check_values(study: Study, form: Form, record: FormRecord, segment: str, lang: str) -> int:
    """Every answer of the form outside groups appears as label, path, decoded value and
    unit, in definition order; every group cell's decoded value appears. The number of
    answers checked."""
    cursor, checked = 0, 0
    for section in form.sections:
        for item in section.items:
            answer = record.answers.get(item.oid)
            if answer is None or item.type is ItemType.NOTE:
                continue
            if item.is_group:
                for row in answer:
                    for column in item.items:
                        if row.get(column.oid) is not None:
                            value = row[column.oid]
                            shown = squash(
                                value_text(study, column, value, lang, missing_names=True)
                            )
                            assert shown in segment, f"{form.oid}/{item.oid}: {shown!r} missing"
                            checked += 1
                continue
            shown = value_text(study, item, answer, lang, missing_names=True)
            for part in (item.label.get(lang), item.oid, shown):
                at = segment.find(squash(part), cursor)
                assert at >= 0, f"{form.oid}/{item.oid}: {part!r} not after position {cursor}"
                cursor = at + len(squash(part))
            if item.unit is not None and not isinstance(answer, Missing):
                unit = squash(item.unit.get(lang))
                assert segment.find(unit, cursor) == cursor, f"{form.oid}/{item.oid}: unit"
            checked += 1
    return checked


# -- the printed casebooks -------------------------------------------------------------------


@dataclass
class Printed:
    """One subject's casebook in both languages, with what the services hold."""

    site: ReportSite
    subject_id: str
    doc: CasebookDocument
    pdfs: dict[str, Pdf]


def _print(site: ReportSite, subject_id: str) -> Printed:
    with logged_in(site.data_dir, NURSE) as ws:
        doc = gather_casebook(ws, subject_id)
        pdfs = {
            lang: Pdf(
                render_casebook(doc, RenderOptions(lang=lang, generated_by=ws.full_name)).data
            )
            for lang in LANGS
        }
    return Printed(site, subject_id, doc, pdfs)


@pytest.fixture(scope="module", params=STUDIES)
def monitored(request: pytest.FixtureRequest, report_site_of: Any) -> Printed:
    """The subject with the monitor's queries and SDV, printed."""
    site: ReportSite = report_site_of(request.param)
    return _print(site, site.verified[0])


@pytest.fixture(scope="module", params=STUDIES)
def longest(request: pytest.FixtureRequest, report_site_of: Any) -> Printed:
    """The subject with the longest follow-up (the most saved forms), printed."""
    site: ReportSite = report_site_of(request.param)
    with logged_in(site.data_dir) as ws:
        subject_id = max(
            site.subject_ids,
            key=lambda s: sum(len(e.forms) for e in ws.casebook.load(s).events),
        )
    return _print(site, subject_id)


@pytest.mark.parametrize("lang", LANGS)
def test_values_match_the_casebook(monitored: Printed, lang: str) -> None:
    pdf = monitored.pdfs[lang]
    with logged_in(monitored.site.data_dir) as ws:
        study = ws.study
        records = records_of(ws, monitored.subject_id)
    segments = form_segments(study, pdf, records[:9], lang, last_page=14)
    checked = 0
    for event_oid, occurrence, record in records[:8]:
        segment = segments[(event_oid, occurrence, record.form_oid)]
        form = study.forms[record.form_oid]
        checked += check_values(study, form, record, segment, lang)
        if lang == "en":
            assert squash(record.status.value.replace("_", "")) in segment.lower()
        assert squash(f"{record.updated_at[:19].replace('T', ' ')} UTC") in segment
    assert checked >= 30


def test_chinese_labels_and_decodes(longest: Printed) -> None:
    """The Chinese casebook takes labels, decodes, event names and form titles from the
    definitions' Chinese texts."""
    pdf = longest.pdfs["zh"]
    with logged_in(longest.site.data_dir) as ws:
        study = ws.study
        records = records_of(ws, longest.subject_id)
    first = records[:4]
    segments = form_segments(study, pdf, records[:5], "zh", last_page=8)
    for event_oid, occurrence, record in first:
        form = study.forms[record.form_oid]
        segment = segments[(event_oid, occurrence, record.form_oid)]
        assert check_values(study, form, record, segment, "zh")
        event = study.event(event_oid)
        assert event is not None and squash(event.name.zh) in pdf.text(0, 1)


def test_signatures_are_manifested(monitored: Printed) -> None:
    """Every signature shows its printed name, UTC time and meaning with its form, and
    again in the signatures summary at the end, in each language."""
    with logged_in(monitored.site.data_dir) as ws:
        signed = ws.signatures.manifestations(monitored.subject_id, include_voided=True)
    assert signed, "the demo signs forms of every subject"
    english = monitored.pdfs["en"].text()
    for m in signed:
        line = f"Signed by {m.printed_name} ({m.username}) on {m.signed_at_utc} — "
        assert squash(line + f"meaning: {m.meaning_en}") in english
    for lang, meaning in (("en", "meaning_en"), ("zh", "meaning_zh")):
        pdf = monitored.pdfs[lang]
        title = squash("E-signatures" if lang == "en" else "电子签名")
        last = len(pdf) - 1
        first = next(n for n in range(last, 0, -1) if title in pdf.page(n))
        summary = pdf.text(first)
        summary = summary[summary.find(title) :]
        for m in signed:
            row = squash(f"{m.printed_name} {m.username} {m.signed_at_utc} {getattr(m, meaning)}")
            assert row in summary, f"{lang}: {m.form_oid} is not in the signatures summary"


def test_the_closed_query_shows_its_thread(monitored: Printed) -> None:
    with logged_in(monitored.site.data_dir) as ws:
        query = ws.queries.get(monitored.site.closed_query)
    assert len(query.messages) == 3
    for lang in LANGS:
        text = monitored.pdfs[lang].text()
        at = text.find(squash(query.where))
        assert at >= 0
        for message in query.messages:
            found = text.find(squash(message.text), at)
            assert found > at, f"{lang}: message {message.position} is not in the thread"
            assert squash(message.full_name) in text[at:found]
            at = found


def test_the_verified_form_shows_its_sdv(monitored: Printed) -> None:
    subject_id, event_oid, occurrence, form_oid = monitored.site.verified
    with logged_in(monitored.site.data_dir, MONITOR) as ws:
        sdv = ws.sdv.form_status(subject_id, event_oid, occurrence, form_oid)
        records = records_of(ws, subject_id)
        study = ws.study
    assert sdv.required and sdv.verified == sdv.required
    segment = form_segments(study, monitored.pdfs["en"], records, "en")[
        (event_oid, occurrence, form_oid)
    ]
    assert f"verified{sdv.verified}/{sdv.required}" in segment
    assert {i.verified_by for i in sdv.items} == {MONITOR.username}
    assert MONITOR.username in segment
    assert segment.count("✔verified") == sdv.verified


def test_every_audit_entry_is_printed_whole_on_one_page(longest: Printed) -> None:
    """Each entry of the subject's trail is one row, on one page, with what the store
    holds in its cells: seq and time start the row, and the row's cells come before
    the next row's seq (a row cut across pages would leave them on the next page)."""
    pdf = longest.pdfs["en"]
    with logged_in(longest.site.data_dir) as ws:
        trail = ws.audit.history(subject_id=longest.subject_id)
    assert len(trail) > 500, "a subject with long follow-up has a long trail"

    row_start = re.compile(r"(?m)^(\d+) (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")
    pages = [pdf.raw(n) for n in range(len(pdf))]
    found: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for number, text in enumerate(pages):
        for m in row_start.finditer(text):
            found.setdefault((int(m[1]), m[2]), []).append((number, m.start()))
    where: dict[int, tuple[int, int]] = {}
    for entry in trail:
        hits = found.pop((entry.seq, entry.at_utc[:19].replace("T", " ")), [])
        assert len(hits) == 1, f"audit entry {entry.seq} is printed {len(hits)} times"
        where[entry.seq] = hits[0]
    assert not found, f"rows that are no audit entry of the subject: {sorted(found)[:5]}"
    prefix = f"{longest.subject_id}/"
    for index, entry in enumerate(trail):
        on, at = where[entry.seq]
        following = trail[index + 1] if index + 1 < len(trail) else None
        end = len(pages[on])
        if following is not None and where[following.seq][0] == on:
            end = where[following.seq][1]
        row = squash(pages[on][at:end])
        entity = entry.entity.removeprefix(prefix) or "—"
        for cell in (entry.username, entry.role, entry.action, entity, entry.new, entry.old):
            assert squash(cell) in row, f"audit entry {entry.seq}: {cell!r} not in its row"
        for extra in (entry.reason, entry.source):
            if extra:
                assert squash(extra) in row, f"audit entry {entry.seq}: {extra!r} not in its row"


def test_cover_and_footer_carry_the_content_hash(longest: Printed) -> None:
    digest = longest.doc.content_hash
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    for lang in LANGS:
        pdf = longest.pdfs[lang]
        cover = pdf.page(0)
        assert squash("".join(hash_groups(digest))) == digest
        assert digest in cover
        for n in (0, len(pdf) // 2, len(pdf) - 1):
            assert digest[:16] in pdf.page(n)
            assert digest[16:32] not in pdf.page(n).replace(digest, "")
        assert longest.subject_id in cover


@pytest.mark.parametrize("lang", LANGS)
def test_every_font_is_embedded(longest: Printed, lang: str) -> None:
    assert_fonts_embedded(longest.pdfs[lang].data)


def test_cover_counts_match_the_record(monitored: Printed) -> None:
    doc = monitored.doc
    with logged_in(monitored.site.data_dir) as ws:
        queries = ws.queries.list(subject_id=monitored.subject_id)
        events = ws.casebook.load(monitored.subject_id).events
        trail = ws.audit.history(subject_id=monitored.subject_id)
    assert len(doc.events) == len(events)
    assert len(doc.forms) == sum(len(e.forms) for e in events)
    assert doc.open_queries == sum(1 for q in queries if q.is_open)
    assert len(doc.queries) == len(queries)
    assert [a.seq for a in doc.audit] == [a.seq for a in trail]
    cover = monitored.pdfs["en"].page(0)
    assert squash(f"{doc.open_queries} open of {len(queries)}") in cover
    assert squash(f"(audit entry {trail[-1].seq})") in cover


# -- the content hash ------------------------------------------------------------------------


@pytest.fixture()
def copied(report_site_of: Any, tmp_path: Path) -> ReportSite:
    """A copy of the SINT-RT demo site that a test may change."""
    return copy_site(report_site_of("NPC-SINT-RT"), tmp_path / "site")


def hash_of(site: ReportSite, subject_id: str) -> str:
    return gathered(site, subject_id).content_hash


def gathered(site: ReportSite, subject_id: str) -> CasebookDocument:
    with logged_in(site.data_dir) as ws:
        return gather_casebook(ws, subject_id)


def form_part(doc: CasebookDocument, event_oid: str, occurrence: int, form_oid: str) -> FormPart:
    return next(
        f
        for e in doc.events
        if (e.event_oid, e.occurrence) == (event_oid, occurrence)
        for f in e.forms
        if f.form_oid == form_oid
    )


def test_hash_is_stable_and_blind_to_printing(copied: ReportSite) -> None:
    subject_id = copied.verified[0]
    before = hash_of(copied, subject_id)
    assert hash_of(copied, subject_id) == before
    with logged_in(copied.data_dir) as ws:
        with ws.tx() as tx:
            tx.audit.append(
                DOCUMENT_ISSUED, subject_id=subject_id, new_value='{"kind": "casebook"}'
            )
        doc = gather_casebook(ws, subject_id)
    assert doc.content_hash == before
    assert doc.audit[-1].action == DOCUMENT_ISSUED, "the printout is listed in the trail"


def test_hash_changes_with_a_value(copied: ReportSite) -> None:
    subject_id, event_oid, occurrence, form_oid = copied.verified
    before = gathered(copied, subject_id)
    with logged_in(copied.data_dir, NURSE) as ws:
        record = ws.casebook.form_record(subject_id, event_oid, occurrence, form_oid)
        assert record is not None
        form = ws.study.forms[form_oid]
        item = next(
            i
            for i, g in form.all_items()
            if g is None and i.type is ItemType.DATE and record.answers.get(i.oid)
        )
        day = record.answers[item.oid]
        changed = day.replace(day=1 if day.day != 1 else 2)
        ws.casebook.save_form(
            subject_id,
            event_oid,
            occurrence,
            form_oid,
            {item.oid: changed},
            reason="Transcription error",
            complete=True,
        )
    after = gathered(copied, subject_id)
    assert after.content_hash != before.content_hash
    was, now = (form_part(d, event_oid, occurrence, form_oid) for d in (before, after))
    assert now.content_hash != was.content_hash, "the form's answers are part of the hash"
    assert now.sdv.state == "pending" and was.sdv.state == "verified"


def test_hash_changes_with_a_query_reply(copied: ReportSite) -> None:
    subject_id = copied.verified[0]
    with logged_in(copied.data_dir, NURSE) as ws:
        open_query = next(q for q in ws.queries.list(subject_id=subject_id) if q.is_open)
    before = gathered(copied, subject_id)
    with logged_in(copied.data_dir, NURSE) as ws:
        ws.queries.reply(open_query.uid, "Checked in the chart.")
    after = gathered(copied, subject_id)
    assert after.content_hash != before.content_hash
    thread = next(q for q in after.queries if q.uid == open_query.uid).messages
    assert thread[-1].text == "Checked in the chart."
    assert (
        casebook_data.content_document(after)["queries"]
        != casebook_data.content_document(before)["queries"]
    )


def test_a_change_while_reading_is_read_again(
    copied: ReportSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record is gathered as of one audit entry: a write between the reads of its
    parts makes the gathering start again."""
    subject_id = copied.verified[0]
    real = casebook_data._read
    calls: list[int] = []

    def read_with_a_write(ws: Workspace, sid: str) -> casebook_data._Read:
        parts = real(ws, sid)
        if not calls:
            with ws.tx() as tx:
                calls.append(tx.audit.append(DOCUMENT_ISSUED, subject_id=sid))
        else:
            calls.append(0)
        return parts

    monkeypatch.setattr(casebook_data, "_read", read_with_a_write)
    with logged_in(copied.data_dir) as ws:
        doc = gather_casebook(ws, subject_id)
    assert len(calls) == 2
    assert doc.audit[-1].seq == calls[0]


def test_missing_codes_warnings_holds_and_voided_signatures_print(copied: ReportSite) -> None:
    """A missing-data code is spelled out, a kept soft warning shows its reason, a
    voided signature says when and why, and a freeze is on the cover."""
    subject_id = copied.verified[0]
    with logged_in(copied.data_dir, NURSE) as ws:
        study = ws.study
        hem = next((e, o) for e, o, r in records_of(ws, subject_id) if r.form_oid == "HEM")
        ws.casebook.save_form(
            subject_id, *hem, "HEM", {"HGB": Missing("ND")}, reason="Sample haemolysed"
        )
        vs = next((e, o) for e, o, r in records_of(ws, subject_id) if r.form_oid == "VS")
        ws.casebook.save_form(
            subject_id,
            *vs,
            "VS",
            {"WEIGHT": "190"},
            overrides={"WEIGHT": "Weighed twice on the ward scale"},
            reason="Transcription error",
        )
        signed = next(m for m in ws.signatures.manifestations(subject_id) if m.form_oid == "DTH")
        ws.casebook.save_form(
            subject_id,
            signed.event_oid,
            signed.occurrence,
            "DTH",
            {"DTHSRC": "PHONE"},
            reason="Source corrected",
        )
    with logged_in(copied.data_dir, MONITOR) as ws:
        ws.holds.freeze(Target.subject(subject_id), "Interim analysis data cut")
    with logged_in(copied.data_dir, DOCTOR) as ws:
        doc = gather_casebook(ws, subject_id)
        voided = ws.signatures.manifestations(subject_id, include_voided=True)
    pdf = Pdf(render_casebook(doc, RenderOptions(lang="en")).data)
    text = pdf.text()
    assert squash(f"HGB{missing_text(study, 'ND', 'en')}") in text
    assert squash("Soft warning kept — reason: Weighed twice on the ward scale") in text
    when = next(m.voided_at for m in voided if m.voided_at)
    assert squash(f"VOIDED {when[:19].replace('T', ' ')} UTC: Source corrected") in text
    assert squash("Frozen (subject") in pdf.page(0) and "Interimanalysisdatacut" in pdf.page(0)


# -- rendering -------------------------------------------------------------------------------


def test_cancel_stops_the_casebook(monitored: Printed) -> None:
    pages: list[int] = []
    options = RenderOptions(progress=pages.append, cancelled=lambda: len(pages) >= 2)
    with pytest.raises(ReportCancelled):
        render_casebook(monitored.doc, options)
    assert pages == [1, 2]


def test_an_unknown_subject_is_refused(report_site_of: Any) -> None:
    site = report_site_of("NPC-SINT-RT")
    with logged_in(site.data_dir) as ws, pytest.raises(UsageError, match="S99-01-0001"):
        gather_casebook(ws, "S99-01-0001")


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("short", 100, ["short"]),
        ("two words that do not fit on one line", 60, None),
        ("D01-01-0001/SCR[1]/NPCH/HISTTYPE", 40, None),
        ("content_hash=" + "0123456789abcdef" * 4, 80, None),
        ("本人作为研究者确认上述数据完整、准确，并与原始资料一致", 50, None),
        ("first line\nsecond line", 200, ["first line", "second line"]),
        ("", 50, [""]),
    ],
)
def test_wrap_text(text: str, width: float, lines: list[str] | None) -> None:
    """Lines never run wider than the column, and nothing but spaces is lost."""
    got = wrap_text(text, width, 7.0)
    if lines is not None:
        assert got == lines
    for line in got:
        assert pdfmetrics.stringWidth(line, FONT, 7.0) <= width + 0.01, line
    assert squash("".join(got)) == squash(text)
    assert not any(line.startswith("，") for line in got)


def test_symbols_the_main_face_lacks_print_in_the_symbol_face() -> None:
    """A cell mixing Latin, Chinese and symbols Micro Hei cannot draw (☒, ⏎) keeps every
    character, and both shipped faces are embedded."""
    text = "☒ Yes ⏎ 信迪利单抗 200 mg"
    options = RenderOptions()
    frame = options.frame("Test", "Study")
    builder = GridBuilder([200.0, 200.0], Look(8.0, colors.black))
    builder.header(["Item", "Value"])
    builder.row(["Regimen", text])
    data = render(frame, [builder.grid()], options=options).data
    assert squash(text) in squash(PdfReader(io.BytesIO(data)).pages[0].extract_text())
    names = {name for name, _ in fonts_of(data)}
    assert any("MicroHei" in n for n in names) and any("DejaVu" in n for n in names)
    assert_fonts_embedded(data)
