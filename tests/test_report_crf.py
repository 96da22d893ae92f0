"""Blank and annotated CRFs (npc_crf.reports.crf), checked against the study definitions.

Each bundled study is printed whole and as one form, blank and annotated, in
English and Chinese. The text pypdf extracts must hold what the ``Study``
object holds: form titles, item labels in the document's language, code-list
decodes beside their tick boxes, units, skip logic in words, and in the
annotated CRF the OIDs, code values and range limits. Every font is embedded.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from functools import cache

import pytest
from pypdf import PdfReader

from npc_crf.core.errors import UsageError
from npc_crf.core.paths import bundled_forms_dir
from npc_crf.forms.loader import load_studies
from npc_crf.forms.model import Form, Item, ItemType, Range, Study
from npc_crf.reports import expr_words
from npc_crf.reports.crf import HUGE_LIST, render_crf
from npc_crf.reports.document import RenderedPdf, RenderOptions, ReportCancelled
from tests.report_fixtures import assert_fonts_embedded

STUDIES = ("npc-sint-rt", "nct07062484")
LANGS = ("en", "zh")
#: the form printed alone, per study (one with code lists, a huge lookup, partial
#: dates and skip logic)
ONE_FORM = "AE"


@cache
def _studies() -> dict[str, Study]:
    from pathlib import Path

    return {Path(s.folder).name: s for s in load_studies(bundled_forms_dir())}


@cache
def rendered(study_name: str, lang: str, annotated: bool, form: str | None = None) -> RenderedPdf:
    """A CRF, rendered once per test session."""
    options = RenderOptions(lang=lang, generated_by="Test Printer")
    forms = None if form is None else [form]
    return render_crf(_studies()[study_name], options, form_oids=forms, annotated=annotated)


@cache
def text_of(study_name: str, lang: str, annotated: bool, form: str | None = None) -> str:
    """The document's text without white space (cells wrap where the layout likes)."""
    data = rendered(study_name, lang, annotated, form).data
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    return compact("".join(pages))


def compact(text: str) -> str:
    return "".join(text.split())


def inputs(form: Form) -> Iterator[tuple[Item, Item | None]]:
    """The items of a form a nurse sees (notes included), with their group."""
    yield from form.all_items()


def small_codelist(study: Study, item: Item) -> bool:
    codelist = study.codelist_for(item)
    return (
        codelist is not None
        and codelist.source is None
        and len(codelist.items) <= HUGE_LIST
        and item.type is not ItemType.LOOKUP
    )


def range_texts(value: Range) -> list[str]:
    out = []
    for bound in (value.min, value.max):
        if isinstance(bound, Decimal):
            out.append(format(bound.normalize(), "f"))
        elif bound is not None:
            out.append(bound.isoformat())
    return out


# -- the whole study ---------------------------------------------------------------------


@pytest.mark.parametrize("study_name", STUDIES)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("annotated", [False, True], ids=["blank", "annotated"])
def test_whole_study_has_a_cover_and_every_form(
    study_name: str, lang: str, annotated: bool
) -> None:
    study = _studies()[study_name]
    pdf = rendered(study_name, lang, annotated)
    text = text_of(study_name, lang, annotated)
    assert compact(study.name.get(lang)) in text
    assert compact(study.protocol.id) in text
    for event in study.events:
        assert compact(event.name.get(lang)) in text, event.oid
    for form in study.forms.values():
        assert compact(form.title.get(lang)) in text, form.oid
    assert pdf.pages > len(study.forms)
    assert_fonts_embedded(pdf.data)
    other = "en" if lang == "zh" else "zh"
    differing = [
        f for f in study.forms.values() if compact(f.title.get(other)) != compact(f.title.get(lang))
    ]
    assert differing
    # the schedule and form list are in the document's language only
    assert not any(
        compact(f.title.get(other)) in text for f in differing if len(f.title.get(other)) > 8
    )


@pytest.mark.parametrize("study_name", STUDIES)
@pytest.mark.parametrize("lang", LANGS)
def test_blank_crf_shows_every_item_in_the_language(study_name: str, lang: str) -> None:
    """Labels, units, tick boxes with decodes, skip logic in words, calculations."""
    study = _studies()[study_name]
    text = text_of(study_name, lang, False)
    checked_skip = checked_units = checked_boxes = 0
    for form in study.forms.values():
        for item, group in inputs(form):
            where = f"{form.oid}.{item.oid}"
            assert compact(item.label.get(lang)) in text, where
            if item.unit is not None:
                assert compact(item.unit.get(lang)) in text, where
                checked_units += 1
            if group is None and small_codelist(study, item):
                codelist = study.codelist_for(item)
                assert codelist is not None
                for entry in codelist.items:
                    assert "☐" + compact(entry.label.get(lang)) in text, f"{where} {entry.code}"
                checked_boxes += 1
            if item.relevant is not None:
                words = expr_words.skip_text(
                    item.relevant,
                    study,
                    form,
                    lang,
                    item=item,
                    what="group" if item.is_group else "item",
                )
                assert compact(words) in text, where
                checked_skip += 1
            if item.calculate is not None and group is None:
                words = expr_words.calculation_text(item.calculate, study, form, lang, item=item)
                assert compact(words) in text, where
    assert checked_skip > 10 and checked_units > 5 and checked_boxes > 10


@pytest.mark.parametrize("study_name", STUDIES)
def test_blank_crf_has_no_annotations(study_name: str) -> None:
    study = _studies()[study_name]
    blank = text_of(study_name, "en", False)
    annotated = text_of(study_name, "en", True)
    # item OIDs with their type are the annotation's first line
    for form in study.forms.values():
        for item, group in form.all_items():
            if item.is_group or group is not None:
                continue
            tag = compact(f"{item.oid} · {item.type.value}")
            assert tag not in blank, item.oid
            assert tag in annotated, item.oid


# -- the annotated CRF ---------------------------------------------------------------------


@pytest.mark.parametrize("study_name", STUDIES)
@pytest.mark.parametrize("lang", LANGS)
def test_annotated_crf_has_oids_codes_and_ranges(study_name: str, lang: str) -> None:
    study = _studies()[study_name]
    text = text_of(study_name, lang, True)
    for form in study.forms.values():
        assert compact(f"{form.oid} ·") in text, form.oid
        for item, group in form.all_items():
            where = f"{form.oid}.{item.oid}"
            oid = f"{group.oid}.{item.oid}" if group is not None else item.oid
            assert oid in text, where
            codelist = study.codelist_for(item)
            if (
                codelist is not None
                and codelist.source is None
                and len(codelist.items) <= HUGE_LIST
            ):
                for entry in codelist.items:
                    pair = compact(f"{entry.code} = {entry.label.get(lang)}")
                    assert pair in text, f"{where} {entry.code}"
            for value in (item.hard_range, item.soft_range):
                if value is not None:
                    shown = compact(" – ".join(range_texts(value)))
                    assert shown in text, where
            for expression in (item.relevant, item.required_if, item.calculate):
                if expression is not None:
                    assert compact(expression.source) in text, where
            for constraint in item.constraints:
                assert compact(constraint.expr.source) in text, where
                assert compact(constraint.message.get(lang)) in text, where


@pytest.mark.parametrize("study_name", STUDIES)
def test_huge_lookup_lists_are_named_and_counted_not_printed(study_name: str) -> None:
    study = _studies()[study_name]
    form = study.forms[ONE_FORM]
    term = next(i for i, _ in form.all_items() if i.type is ItemType.LOOKUP)
    codelist = study.codelist_for(term)
    assert codelist is not None and len(codelist.items) > 800
    for annotated in (False, True):
        text = text_of(study_name, "en", annotated, ONE_FORM)
        assert codelist.oid in text and str(len(codelist.items)) in text
        # a term from the middle of the list is not printed
        middle = codelist.items[len(codelist.items) // 2]
        assert compact(middle.label.en) not in text
        assert f"{middle.code}=" not in text


# -- one form -----------------------------------------------------------------------------


@pytest.mark.parametrize("study_name", STUDIES)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("annotated", [False, True], ids=["blank", "annotated"])
def test_one_form(study_name: str, lang: str, annotated: bool) -> None:
    study = _studies()[study_name]
    form = study.forms[ONE_FORM]
    pdf = rendered(study_name, lang, annotated, ONE_FORM)
    text = text_of(study_name, lang, annotated, ONE_FORM)
    whole = rendered(study_name, lang, annotated)
    assert 1 <= pdf.pages < whole.pages / 4
    assert compact(form.title.get(lang)) in text
    for item, _group in form.all_items():
        assert compact(item.label.get(lang)) in text, item.oid
    # no cover: the schedule's other forms are not listed
    dm = study.forms["DM"]
    assert compact(dm.title.get(lang)) not in text
    # the events the form belongs to are offered in its header box
    for event in study.events:
        if form.oid in event.forms:
            assert compact(event.name.get(lang)) in text
    # partial dates say how to write an unknown day or month
    partial = [i for i, _ in form.all_items() if i.type is ItemType.PARTIAL_DATE]
    assert partial
    assert "UNK" in text
    assert ("unknownday" in text) if lang == "en" else ("日不详" in text or "日或月不详" in text)
    # the missing-data codes the form's items accept are offered
    for item, _group in form.all_items():
        for code in study.missing_codes_for(item) if item.takes_input else ():
            assert f"☐{code}" in text, (item.oid, code)
    assert_fonts_embedded(pdf.data)


def test_forms_print_in_the_order_asked() -> None:
    study = _studies()["npc-sint-rt"]
    options = RenderOptions(lang="en")
    pdf = render_crf(study, options, form_oids=["VS", "DM", "VS"])
    pages = [compact(p.extract_text()) for p in PdfReader(io.BytesIO(pdf.data)).pages]
    vs, dm = (
        compact(f"{study.forms[f].title.en} version {study.forms[f].version}") for f in ("VS", "DM")
    )
    first_vs = next(n for n, page in enumerate(pages) if vs in page)
    first_dm = next(n for n, page in enumerate(pages) if dm in page)
    assert first_vs < first_dm
    assert sum(page.count(vs) for page in pages) == 1


@pytest.mark.parametrize("wanted", [["NOPE"], ["AE", "ae"], []])
def test_unknown_form_is_a_usage_error(wanted: list[str]) -> None:
    study = _studies()["nct07062484"]
    with pytest.raises(UsageError) as caught:
        render_crf(study, RenderOptions(), form_oids=wanted)
    message = str(caught.value)
    assert study.oid in message
    for oid in study.forms:
        assert oid in message
    if wanted:
        assert f"'{wanted[-1]}'" in message


def test_progress_and_cancel() -> None:
    study = _studies()["npc-sint-rt"]
    seen: list[int] = []
    pdf = render_crf(study, RenderOptions(progress=seen.append), form_oids=["TA"])
    assert seen == list(range(1, pdf.pages + 1))
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 1

    with pytest.raises(ReportCancelled):
        render_crf(study, RenderOptions(cancelled=cancelled), form_oids=["TA"])
