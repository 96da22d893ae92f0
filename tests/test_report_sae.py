"""The SAE report (CIOMS I layout): the study mapping, the gathered data, the printed PDF.

Values are checked against what the store holds, read through ``ws.casebook``;
the mapping's problems are checked as a table of small broken ``cioms.yaml`` files.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from npc_crf.core.errors import UsageError
from npc_crf.forms.display import partial_date_text, value_text
from npc_crf.forms.expr.values import PartialDate
from npc_crf.forms.loader import shown
from npc_crf.forms.model import Study
from npc_crf.reports.document import RenderOptions
from npc_crf.reports.sae import render_sae
from npc_crf.reports.sae_map import load_sae_map, sae_map_path
from npc_crf.services.casebook import Casebook
from npc_crf.services.reports.sae_data import SaeDocument, gather_sae, list_saes
from npc_crf.services.studies import find_study
from tests.report_fixtures import (
    NURSE,
    ReportSite,
    assert_fonts_embedded,
    copy_site,
    logged_in,
)

STUDIES = ("NPC-SINT-RT", "NCT07062484")
AT = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)

#: which CIOMS box each study's seriousness codes tick (written out here, not read
#: from the mapping, so the mapping itself is under test)
BOX_OF_CODE = {
    "NPC-SINT-RT": {
        "DEATH": "died",
        "LIFE_THREAT": "life",
        "HOSP": "hosp",
        "DISAB": "disab",
        "CONGEN": "congen",
        "IME": "other",
    },
    "NCT07062484": {
        "DEATH": "died",
        "LIFE": "life",
        "HOSP": "hosp",
        "DISAB": "disab",
        "CONG": "congen",
        "MIE": "other",
    },
}
#: the printed words of boxes 8-12
BOX_WORDS = {
    "en": {
        "died": "Patient died",
        "hosp": "Involved or prolonged inpatient hospitalisation",
        "disab": "Involved persistent or significant disability or incapacity",
        "life": "Life threatening",
        "congen": "Congenital anomaly / birth defect",
        "other": "Other medically important condition",
    },
    "zh": {
        "died": "患者死亡",
        "hosp": "导致住院或住院时间延长",
        "disab": "导致持续或显著的残疾/功能丧失",
        "life": "危及生命",
        "congen": "先天性异常/出生缺陷",
        "other": "其他重要医学事件",
    },
}
#: the AE items and dosing records of each study, as its forms name them
AE_ITEMS = {
    "NPC-SINT-RT": {"term": "AETERM", "grade": "AETOXGR", "onset": "AESTDAT", "crit": "AESERCR"},
    "NCT07062484": {"term": "AETERM", "grade": "AEGRADE", "onset": "AESTDAT", "crit": "AESCRIT"},
}
#: (form, given-yes/no item or None, date item, dose item)
DOSES = {"NPC-SINT-RT": ("EX", "EXYN", "EXSTDAT", "EXDOSE"), "NCT07062484": ("PD1", None, "PD1STDAT", "PD1DOSE")}  # fmt: skip
#: (form, group or None, start, end, total dose)
COURSES = {
    "NPC-SINT-RT": ("RT", None, "RTSTDAT", "RTENDAT", "RTTOTDOS"),
    "NCT07062484": ("RT", "RTC", "RT_STDAT", "RT_ENDAT", "RT_DOSE"),
}
ZH_HEADINGS = (
    "一、不良反应信息",
    "二、可疑药物信息",
    "三、合并用药及病史",
    "四、生产企业/申办方信息",
)
EN_HEADINGS = (
    "I. Reaction information",
    "II. Suspect drug(s) information",
    "III. Concomitant drug(s) and history",
    "IV. Manufacturer / sponsor information",
)


# -- helpers -----------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def squash(text: str) -> str:
    """Text without whitespace (lines wrap anywhere in a box)."""
    return "".join(text.split())


def date_text(value: object) -> str:
    """A stored date as the documents print it."""
    if isinstance(value, PartialDate):
        return partial_date_text(value)
    assert isinstance(value, dt.date), value
    return value.isoformat()


def forms_of(book: Casebook, form_oid: str) -> Iterator[Mapping[str, Any]]:
    for event in book.events:
        if form_oid in event.forms:
            yield event.forms[form_oid].answers


def ae_answers(book: Casebook, occurrence: int) -> Mapping[str, Any]:
    event = next(e for e in book.events if e.event_oid == "AEV" and e.occurrence == occurrence)
    return event.forms["AE"].answers


@dataclass(frozen=True)
class Printed:
    """One serious AE of a demo site: the stored records, the document and its PDFs."""

    study: Study
    subject_id: str
    occurrence: int
    book: Casebook
    doc: SaeDocument
    pdfs: dict[tuple[str, int], bytes]
    texts: dict[tuple[str, int], str]

    def text(self, lang: str, number: int = 0) -> str:
        return self.texts[(lang, number)]

    @property
    def ae(self) -> Mapping[str, Any]:
        return ae_answers(self.book, self.occurrence)


@pytest.fixture(scope="module", params=STUDIES)
def printed(request: pytest.FixtureRequest, report_site_of: Callable[[str], ReportSite]) -> Printed:
    """The first serious AE of the study's demo site, gathered and printed in en and zh,
    as the initial report and as follow-up no. 2."""
    site = report_site_of(request.param)
    with logged_in(site.data_dir) as ws:
        refs = list_saes(ws)
        assert refs, f"the {request.param} demo site has no serious adverse event"
        ref = refs[0]
        doc = gather_sae(ws, ref.subject_id, ref.occurrence)
        book = ws.casebook.load(ref.subject_id)
        study = ws.study
    pdfs = {
        (lang, number): render_sae(
            doc,
            RenderOptions(lang=lang, generated_by="Dai Investigator", generated_at=AT),
            number=number,
        ).data
        for lang in ("en", "zh")
        for number in (0, 2)
    }
    texts = {key: pdf_text(data) for key, data in pdfs.items()}
    return Printed(study, ref.subject_id, ref.occurrence, book, doc, pdfs, texts)


# -- listing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("study_oid", STUDIES)
def test_list_saes_finds_every_serious_ae_of_the_demo(
    study_oid: str, report_site_of: Callable[[str], ReportSite]
) -> None:
    site = report_site_of(study_oid)
    items = AE_ITEMS[study_oid]
    with logged_in(site.data_dir) as ws:
        listed = list_saes(ws)
        expected: set[tuple[str, int]] = set()
        for subject_id in site.subject_ids:
            book = ws.casebook.load(subject_id)
            for event in book.events:
                ae = event.forms.get("AE")
                if event.event_oid == "AEV" and ae is not None and ae.answers.get("AESER") is True:
                    expected.add((subject_id, event.occurrence))
                    key = (subject_id, event.occurrence)
                    ref = next(r for r in listed if (r.subject_id, r.occurrence) == key)
                    term = ws.study.forms["AE"].item(items["term"])
                    assert term is not None
                    assert ref.term.en == value_text(
                        ws.study, term, ae.answers[items["term"]], "en"
                    )
                    assert ref.onset is not None
                    assert ref.onset.en == date_text(ae.answers[items["onset"]])
                    assert ref.status == ae.status.value
        one = list_saes(ws, site.subject_ids[1])
    assert expected, f"the {study_oid} demo has no serious AE to report"
    assert {(r.subject_id, r.occurrence) for r in listed} == expected
    assert {(r.subject_id, r.occurrence) for r in one} == {
        k for k in expected if k[0] == site.subject_ids[1]
    }


def test_list_saes_of_an_unknown_subject_is_refused(
    report_site_of: Callable[[str], ReportSite],
) -> None:
    with logged_in(report_site_of("NPC-SINT-RT").data_dir) as ws, pytest.raises(UsageError):
        list_saes(ws, "X99-99-9999")


# -- the printed report ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_prints_the_event_as_stored(printed: Printed, lang: str) -> None:
    study, ae = printed.study, printed.ae
    items = AE_ITEMS[study.oid]
    form = study.forms["AE"]
    text = printed.text(lang)
    term, grade = form.item(items["term"]), form.item(items["grade"])
    assert term is not None and grade is not None
    assert value_text(study, term, ae[items["term"]], lang) in text
    assert value_text(study, grade, ae[items["grade"]], lang) in text
    assert date_text(ae[items["onset"]]) in text
    code = str(ae[items["term"]])
    assert f"MedDRA {code}" in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_seriousness_boxes_are_ticked_as_stored(printed: Printed, lang: str) -> None:
    stored = {str(c) for c in printed.ae[AE_ITEMS[printed.study.oid]["crit"]]}
    assert stored, "a serious AE of the demo has criteria"
    ticked = {BOX_OF_CODE[printed.study.oid][c] for c in stored}
    text = squash(printed.text(lang))
    for box, words in BOX_WORDS[lang].items():
        mark = "☒" if box in ticked else "☐"
        assert squash(f"{mark} {words}") in text, f"box {box} should be {mark}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_suspect_doses_and_dates_are_printed_as_stored(printed: Printed, lang: str) -> None:
    text = printed.text(lang)
    form_oid, given_item, date_item, dose_item = DOSES[printed.study.oid]
    doses = [
        f
        for f in forms_of(printed.book, form_oid)
        if (given_item is None or f.get(given_item) is True) and date_item in f
    ]
    assert doses, "the subject of the demo SAE had study drug"
    days = [f[date_item] for f in doses]
    for day in days:  # the dosing history lists every administration
        assert day.isoformat() in text
    first, last = min(days).isoformat(), max(days).isoformat()
    if lang == "en":
        assert f"From {first} to {last}" in text or f"From {first} — ongoing" in text
    else:
        assert f"自 {first} 至 {last}" in text or f"自 {first} 起，持续中" in text
    unit = printed.study.forms[form_oid].item(dose_item)
    assert unit is not None and unit.unit is not None
    for f in doses:
        assert f"{f[dose_item]} {unit.unit.get(lang)}" in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_radiotherapy_courses_are_printed_as_stored(printed: Printed, lang: str) -> None:
    text = printed.text(lang)
    form_oid, group, start, end, dose = COURSES[printed.study.oid]
    rows: list[Mapping[str, Any]] = []
    for f in forms_of(printed.book, form_oid):
        rows += f.get(group, []) if group else [f]
    assert rows, "the subject of the demo SAE had radiotherapy"
    for row in rows:
        assert f"{row[dose]} Gy" in text
        assert date_text(row[start]) in text
        if isinstance(row.get(end), dt.date | PartialDate):
            assert date_text(row[end]) in text


def test_patient_boxes(printed: Printed) -> None:
    dm = next(forms_of(printed.book, "DM"))
    text = printed.text("en")
    initials = dm.get("SUBJINIT")
    if printed.study.oid == "NPC-SINT-RT":
        assert isinstance(initials, str) and initials
        assert f"(first, last)\n{initials}\n" in text
    else:  # a record review keeps no initials: the box shows a dash
        assert initials is None
        assert "(first, last)\n—\n" in text
    sex = printed.study.forms["DM"].item("SEX")
    assert sex is not None
    assert f"3 Sex\n{value_text(printed.study, sex, dm['SEX'], 'en')}\n" in text


@pytest.mark.parametrize(
    ("lang", "number", "kind"),
    [
        ("en", 0, "Initial report"),
        ("en", 2, "Follow-up report no. 2"),
        ("zh", 0, "首次报告"),
        ("zh", 2, "第2次随访报告"),
    ],
)
def test_report_number_and_type(printed: Printed, lang: str, number: int, kind: str) -> None:
    text = printed.text(lang, number)
    report_id = f"{printed.study.oid}-{printed.subject_id}-AE{printed.occurrence}-{number}"
    assert report_id == printed.doc.report_id(number)
    assert f"{report_id}\n{kind}\n" in text
    box = {("en", 0): "☒ Initial ☐ Follow-up", ("en", 2): "☐ Initial ☒ Follow-up",
           ("zh", 0): "☒ 首次报告 ☐ 随访报告", ("zh", 2): "☐ 首次报告 ☒ 随访报告"}  # fmt: skip
    assert box[(lang, number)] in text
    assert printed.doc.content_hash[:16] in text


def test_labels_follow_the_language(printed: Printed) -> None:
    zh, en = printed.text("zh"), printed.text("en")
    for heading in ZH_HEADINGS:
        assert heading in zh
        assert heading not in en
    for heading in EN_HEADINGS:
        assert heading in en
    outcome = printed.study.forms["AE"].item("AEOUT")
    assert outcome is not None
    assert value_text(printed.study, outcome, printed.ae["AEOUT"], "zh") in zh


def test_every_font_is_embedded(printed: Printed) -> None:
    for data in printed.pdfs.values():
        assert_fonts_embedded(data)


def test_concomitant_drugs_overlapping_the_event(
    report_site_of: Callable[[str], ReportSite],
) -> None:
    """NPC-SINT-RT keeps medications (CM): those whose period may overlap the event are
    listed, the others are not; NCT07062484 keeps none (box 22: not collected)."""
    site = report_site_of("NPC-SINT-RT")
    with logged_in(site.data_dir) as ws:
        ref = list_saes(ws)[0]
        doc = gather_sae(ws, ref.subject_id, ref.occurrence)
        book = ws.casebook.load(ref.subject_id)
    ae = ae_answers(book, ref.occurrence)
    onset = ae["AESTDAT"].earliest()
    end = ae["AEENDAT"].latest() if "AEENDAT" in ae else dt.date.max
    inside: set[str] = set()
    outside: set[str] = set()
    for f in forms_of(book, "CM"):
        for row in f.get("CM", []):
            start = row["CMSTDAT"].earliest()
            stop = dt.date.max if row.get("CMONGO") else row["CMENDAT"].latest()
            (inside if start <= end and stop >= onset else outside).add(row["CMTRT"])
    assert inside, "the demo subject takes medications during the event"
    assert doc.concomitant is not None
    assert {m.drug.en for m in doc.concomitant} == inside
    text = pdf_text(render_sae(doc, RenderOptions(generated_at=AT)).data)
    for drug in inside:
        assert drug in text
    for drug in outside - inside:
        assert drug not in text


def test_box_22_says_whether_the_study_collects_medications(printed: Printed) -> None:
    """NCT07062484 has no medication form: box 22 says so rather than "none"."""
    collects = "CM" in printed.study.forms
    assert (printed.doc.concomitant is not None) == collects
    for lang, words in (("en", "Not collected in this study."), ("zh", "本研究未收集。")):
        assert (words in printed.text(lang)) == (not collects)


# -- refusals and the content hash -------------------------------------------------------------


@pytest.mark.parametrize("study_oid", STUDIES)
def test_a_non_serious_or_unknown_ae_is_refused(
    study_oid: str, report_site_of: Callable[[str], ReportSite]
) -> None:
    site = report_site_of(study_oid)
    with logged_in(site.data_dir) as ws:
        found = [
            (subject_id, e.occurrence)
            for subject_id in site.subject_ids
            for e in ws.casebook.load(subject_id).events
            if e.event_oid == "AEV" and e.forms["AE"].answers.get("AESER") is False
        ]
        assert found, "the demo has non-serious AEs"
        subject_id, occurrence = found[0]
        with pytest.raises(
            UsageError, match=rf"AEV\[{occurrence}\] of subject {subject_id} is not marked serious"
        ):
            gather_sae(ws, subject_id, occurrence)
        with pytest.raises(UsageError, match=rf"{subject_id} has no adverse event AEV\[99\]"):
            gather_sae(ws, subject_id, 99)


def test_content_hash_follows_the_record(
    report_site_of: Callable[[str], ReportSite], tmp_path: Path
) -> None:
    site = copy_site(report_site_of("NPC-SINT-RT"), tmp_path / "site")
    with logged_in(site.data_dir, NURSE) as ws:
        ref = list_saes(ws)[0]
        before = gather_sae(ws, ref.subject_id, ref.occurrence)
        assert gather_sae(ws, ref.subject_id, ref.occurrence).content_hash == before.content_hash
        grade = ae_answers(ws.casebook.load(ref.subject_id), ref.occurrence)["AETOXGR"]
        new = 4 if grade != 4 else 3
        ws.casebook.save_form(
            ref.subject_id, "AEV", ref.occurrence, "AE", {"AETOXGR": new},
            reason="Grade corrected against the ward record", complete=True,
        )  # fmt: skip
        after = gather_sae(ws, ref.subject_id, ref.occurrence)
        label = ws.study.codelists["AEGRADE"].get(new)
    assert label is not None
    assert after.content_hash != before.content_hash
    assert re.fullmatch(r"[0-9a-f]{64}", after.content_hash)
    assert after.reaction.grade is not None and after.reaction.grade.en == label.label.en
    assert label.label.zh in pdf_text(render_sae(after, RenderOptions(lang="zh")).data)


def test_an_sae_entered_with_a_partial_onset(
    report_site_of: Callable[[str], ReportSite], tmp_path: Path
) -> None:
    """An AE made serious through ws.casebook, its onset known to the month only: it is
    listed, and its report prints the onset as entered (day UNK), never completed."""
    site = copy_site(report_site_of("NPC-SINT-RT"), tmp_path / "site")
    with logged_in(site.data_dir, NURSE) as ws:
        subject_id, occurrence, onset = next(
            (subject_id, e.occurrence, e.forms["AE"].answers["AESTDAT"])
            for subject_id in site.subject_ids
            for e in ws.casebook.load(subject_id).events
            if e.event_oid == "AEV" and e.forms["AE"].answers.get("AESER") is False
        )
        month = PartialDate(onset.year, onset.month)
        ws.casebook.save_form(
            subject_id, "AEV", occurrence, "AE",
            {"AESER": True, "AESERCR": frozenset({"HOSP"}), "AESTDAT": month,
             "AESDAT": onset.latest(), "AEAWDAT": onset.latest()},
            reason="Hospitalisation found in the discharge letter",
        )  # fmt: skip
        assert (subject_id, occurrence) in {(r.subject_id, r.occurrence) for r in list_saes(ws)}
        doc = gather_sae(ws, subject_id, occurrence)
    assert doc.reaction.onset is not None
    assert doc.reaction.onset.en == f"{onset.year:04d}-{onset.month:02d}-UNK"
    assert doc.reaction.ticked == ("hospitalisation",)
    text = pdf_text(render_sae(doc, RenderOptions(generated_at=AT)).data)
    assert squash(f"Onset {doc.reaction.onset.en};") in squash(text)
    assert f"UNK\n{onset.month:02d}\n{onset.year}" in text  # boxes 4-6: day, month, year
    assert squash("☒ Involved or prolonged inpatient hospitalisation") in squash(text)


# -- the mapping -------------------------------------------------------------------------------


@pytest.mark.parametrize("study_oid", STUDIES)
def test_the_bundled_mappings_load(study_oid: str) -> None:
    study = find_study(study_oid)
    mapping = load_sae_map(study)
    assert sae_map_path(study).name == "cioms.yaml"
    assert mapping.reaction.form == "AE"
    assert {box for box, codes in mapping.seriousness if codes} == {
        "died", "hospitalisation", "disability", "life_threatening",
        "congenital_anomaly", "medically_important",
    }  # fmt: skip
    assert len(mapping.suspects) == (2 if study_oid == "NPC-SINT-RT" else 3)


def test_a_study_without_mapping_is_refused(tmp_path: Path) -> None:
    study = find_study("NPC-SINT-RT")
    with pytest.raises(UsageError, match=r"defines no SAE report mapping \(cioms\.yaml\)"):
        load_sae_map(study, tmp_path / "cioms.yaml")


#: (case, text replaced in NPC-SINT-RT's cioms.yaml, its replacement, the line the
#: problem is on holds this text (None: line 1), the column is where it starts, message)
BROKEN: list[tuple[str, str, str, str | None, str]] = [
    ("unknown item", "  term: AETERM\n", "  term: AETERMX\n", "AETERMX",
     "reaction term: form AE has no item 'AETERMX' (did you mean 'AETERM'?)"),
    ("unknown form", "  form: CM\n", "  form: CMX\n", "CMX",
     "concomitant: study NPC-SINT-RT has no form 'CMX'"),
    ("wrong item type", "  onset: AESTDAT\n", "  onset: AETERM\n", "AETERM\n  end",
     "reaction onset: item AE.AETERM is a lookup item; a date item is needed here"),
    ("unknown code", "  died: [DEATH]\n", "  died: [DEATHS]\n", "DEATHS",
     "seriousness died: 'DEATHS' is not a code of AE.AESERCR (did you mean 'DEATH'?)"),
    ("code in no box", "  medically_important: [IME]\n", "", "seriousness:",
     "seriousness: code 'IME' of AE.AESERCR ticks no box"),
    ("unknown key", "  verbatim: AEOTHSP\n", "  verbatimm: AEOTHSP\n", "verbatimm",
     "unknown key 'verbatimm' in reaction (did you mean 'verbatim'?)"),
    ("row items in two groups", "details: [MHCAT, MHTOXGR]", "details: [MHCAT, MHYN]", "MHYN",
     "history entry 3: MH.MHYN is outside repeating groups, but MHTERM is in repeating group MH"),
    ("wrong format", "format: npc-crf/cioms@1", "format: npc-crf/cioms@2", "format:",
     "format must be 'npc-crf/cioms@1', not 'npc-crf/cioms@2'"),
    ("unknown suspect kind", "    kind: doses\n", "    kind: dose\n", "dose\n",
     "suspect 1 kind must be one of doses, courses, not 'dose'"),
    ("missing key", "report_source: study", "", None,
     "the SAE report mapping is missing 'report_source'"),
    ("unknown action code", "  withdrawn: [WITHDRAWN]\n", "  withdrawn: [STOPPED]\n", "STOPPED",
     "actions withdrawn: 'STOPPED' is not a code of AE.AEACN, AE.AEACNRT"),
    ("item of another form", "    date: EXSTDAT\n", "    date: CMSTDAT\n", "CMSTDAT",
     "suspect 1 date: form EX has no item 'CMSTDAT'"),
    ("negative days", "  days_before: 7\n", "  days_before: -1\n", "-1\n  days_after",
     "tests days_before must be at least 0, not -1"),
    ("YAML syntax", "patient:\n  form: DM\n", "patient:\n  form: [DM\n", None,
     "YAML syntax error"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "marker", "message"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_mapping_problems_say_where(
    tmp_path: Path, old: str, new: str, marker: str | None, message: str
) -> None:
    study = find_study("NPC-SINT-RT")
    text = sae_map_path(study).read_text(encoding="utf-8")
    assert old in text, f"the case no longer matches the bundled file: {old!r}"
    broken = text.replace(old, new, 1)
    path = tmp_path / "cioms.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        load_sae_map(study, path)
    problems = str(caught.value)
    assert message in problems
    where = [line for line in problems.splitlines() if message in line]
    if marker is None or "syntax" in message:
        assert re.search(rf"{re.escape(shown(path))}:\d+:\d+: ", where[0])
        return
    offset = broken.index(marker)
    line = broken.count("\n", 0, offset) + 1
    column = offset - broken.rfind("\n", 0, offset)
    if marker.endswith(":"):  # a problem of a whole mapping is placed at its key
        column = (
            1 + len(broken.splitlines()[line - 1]) - len(broken.splitlines()[line - 1].lstrip())
        )
    assert f"{shown(path)}:{line}:{column}: {message}" in where[0], problems


def test_mapping_problems_are_all_reported_at_once(tmp_path: Path) -> None:
    study = find_study("NCT07062484")
    text = sae_map_path(study).read_text(encoding="utf-8")
    broken = text.replace("  grade: AEGRADE\n", "  grade: AETOXGR\n").replace(
        "    dose: PD1DOSE\n", "    dose: PD1DOZE\n"
    )
    path = tmp_path / "cioms.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(UsageError, match="has 2 problems") as caught:
        load_sae_map(study, path)
    assert "form AE has no item 'AETOXGR'" in str(caught.value)
    assert "form PD1 has no item 'PD1DOZE' (did you mean 'PD1DOSE'?)" in str(caught.value)
