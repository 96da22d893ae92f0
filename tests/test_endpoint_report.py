"""The efficacy and safety reports (PDF) and their CSV tables, from results made by
hand in the shapes of npc_crf/endpoints/model.py.

The PDFs are read back with pypdf: the first page carries the study, scope, data
cut-off, subject counts and every endpoint setting in words; the figures are
embedded (one image each) with the number of subjects they are drawn from; the
excluded subjects and the per-subject derivations are listed; long safety tables
run over pages with their header repeated. The CSV files are read back with the
csv module: BOM, header language, values, the spreadsheet-formula guard, refusals
and all-or-nothing writing.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.platypus import Image

from npc_crf.core.errors import StoreError, UsageError
from npc_crf.endpoints.model import (
    AeRecord,
    EfficacyResult,
    EndpointSettings,
    Exposure,
    KmFit,
    KmRow,
    Landmark,
    Proportion,
    SafetyResult,
    Status,
    SubjectEndpoints,
    Table,
    TargetChange,
    TimeToEvent,
)
from npc_crf.exchange.csv_out.cells import CsvFile
from npc_crf.reports.document import RenderOptions, ReportCancelled
from npc_crf.reports.endpoints import (
    csv_tables,
    efficacy_tables,
    render_efficacy,
    render_safety,
    write_tables,
)
from npc_crf.reports.endpoints.blocks import cell_text, column_widths, figure_block
from npc_crf.reports.endpoints.efficacy import FIG_H, FIG_W
from npc_crf.reports.endpoints.tables import bor_counts
from npc_crf.reports.endpoints.words import settings_sentences
from npc_crf.reports.layout import make_styles
from tests.report_fixtures import assert_fonts_embedded

ROOT = Path(__file__).resolve().parents[1]

# -- results made by hand (the figure tests use them too; no matplotlib here) -----------------

CUTOFF = dt.date(2025, 6, 30)
START = dt.date(2024, 1, 8)


def subject(
    n: int,
    bor: str | None,
    changes: Sequence[tuple[int, float]] = (),
    *,
    start: dt.date | None = START,
    response_day: int | None = None,
    progression_day: int | None = None,
    death_day: int | None = None,
    alive_day: int | None = None,
    last_dose_day: int | None = None,
    excluded: str | None = None,
) -> SubjectEndpoints:
    """A subject whose dates are days after ``start`` (``changes``: (day, percent))."""
    base = start or START

    def day(d: int | None) -> dt.date | None:
        return None if d is None else base + dt.timedelta(days=d)

    return SubjectEndpoints(
        subject_id=f"S01-01-{n:04d}",
        site_id="S01",
        cutoff=CUTOFF,
        start=start,
        bor=bor,
        bor_unconfirmed=bor,
        response_start=day(response_day),
        progression=day(progression_day),
        death=day(death_day),
        last_known_alive=day(alive_day),
        new_therapy=None,
        last_dose=day(last_dose_day),
        pfs=None,
        os=None,
        dor=None,
        os_1y=None,
        target_changes=tuple(
            TargetChange(base + dt.timedelta(days=d), d, p, None) for d, p in changes
        ),
        excluded=excluded,
    )


def cohort() -> list[SubjectEndpoints]:
    """Six subjects: one of each response group with target changes, one without."""
    return [
        subject(1, "CR", [(63, -60.0), (126, -100.0)], response_day=63, alive_day=400),
        subject(
            2,
            "PR",
            [(63, -35.0), (126, -48.0), (189, -20.0)],
            response_day=63,
            progression_day=189,
            alive_day=300,
            last_dose_day=190,
        ),
        subject(3, "SD", [(63, -10.0), (126, 5.0)], alive_day=250, last_dose_day=120),
        subject(4, "PD", [(63, 35.0)], progression_day=63, death_day=150, last_dose_day=60),
        subject(5, "NE", [(63, 2.0)], alive_day=90, last_dose_day=21),
        subject(6, None, excluded="no baseline target lesions", alive_day=30),
    ]


#: R survival, aml "Maintained" (tests/doaml.Rout.save): every distinct time, log CI
AML_MAINTAINED = KmFit(
    rows=(
        KmRow(9, 11, 1, 0, 0.9091, 0.0867, 0.7541, 1.0),
        KmRow(13, 10, 1, 1, 0.8182, 0.1163, 0.6192, 1.0),
        KmRow(18, 8, 1, 0, 0.7159, 0.1397, 0.4884, 1.0),
        KmRow(23, 7, 1, 0, 0.6136, 0.1526, 0.3769, 0.9990),
        KmRow(28, 6, 0, 1, 0.6136, 0.1526, 0.3769, 0.9990),
        KmRow(31, 5, 1, 0, 0.4909, 0.1642, 0.2549, 0.9456),
        KmRow(34, 4, 1, 0, 0.3682, 0.1627, 0.1549, 0.8751),
        KmRow(45, 3, 0, 1, 0.3682, 0.1627, 0.1549, 0.8751),
        KmRow(48, 2, 1, 0, 0.1841, 0.1535, 0.0359, 0.9441),
        KmRow(161, 1, 0, 1, 0.1841, 0.1535, 0.0359, 0.9441),
    ),
    n=11,
    events=7,
    conf_type="log",
    conf_level=0.95,
    median=31.0,
    median_lower=18.0,
    median_upper=None,
)

#: aml "Nonmaintained": no censoring after the median
AML_NONMAINTAINED = KmFit(
    rows=(
        KmRow(5, 12, 2, 0, 0.8333, 0.1076, 0.6470, 1.0),
        KmRow(8, 10, 2, 0, 0.6667, 0.1361, 0.4468, 0.9946),
        KmRow(12, 8, 1, 0, 0.5833, 0.1423, 0.3616, 0.9410),
        KmRow(16, 7, 0, 1, 0.5833, 0.1423, 0.3616, 0.9410),
        KmRow(23, 6, 1, 0, 0.4861, 0.1481, 0.2675, 0.8833),
        KmRow(27, 5, 1, 0, 0.3889, 0.1470, 0.1854, 0.8156),
        KmRow(30, 4, 1, 0, 0.2917, 0.1387, 0.1148, 0.7410),
        KmRow(33, 3, 1, 0, 0.1944, 0.1219, 0.0569, 0.6645),
        KmRow(43, 2, 1, 0, 0.0972, 0.0919, 0.0153, 0.6189),
        KmRow(45, 1, 1, 0, 0.0, None, None, None),
    ),
    n=12,
    events=11,
    conf_type="log",
    conf_level=0.95,
    median=23.0,
    median_lower=8.0,
    median_upper=None,
)

EMPTY_FIT = KmFit((), 0, 0, "log-log", 0.95, None, None, None)


def tte(start: dt.date | None, days: int, status: Status, reason: str) -> TimeToEvent | None:
    if start is None:
        return None
    return TimeToEvent(status, start + dt.timedelta(days=days), days, reason, f"{reason} here.")


def derived(s: SubjectEndpoints, n: int) -> SubjectEndpoints:
    """A cohort subject with PFS, OS and (for responders) DoR filled in."""
    pfs_status = Status.EVENT if s.progression or s.death else Status.CENSORED
    return dataclasses.replace(
        s,
        pfs=tte(
            s.start, 40 + 30 * n, pfs_status, "progression" if pfs_status else "no_progression"
        ),
        os=tte(s.start, 100 + 30 * n, Status.CENSORED, "alive"),
        dor=tte(s.start, 61 * n, Status.CENSORED, "no_progression") if s.responder else None,
        os_1y="censored",
        notes=("The start date 2024-01 is partial; the 1st of the month was not assumed.",)
        if n == 3
        else (),
    )


def efficacy_result(settings: EndpointSettings | None = None) -> EfficacyResult:
    subjects = [derived(s, n) for n, s in enumerate(cohort(), start=1)]
    return EfficacyResult(
        study_oid="NPC-SINT-RT",
        scope="all sites",
        cutoff=CUTOFF,
        settings=settings or EndpointSettings(),
        subjects=subjects,
        orr=Proportion(2, 5, 0.4, 0.0527, 0.8534, 0.95),
        dcr=Proportion(3, 5, 0.6, 0.1466, 0.9473, 0.95),
        km={"pfs": AML_MAINTAINED, "os": AML_NONMAINTAINED},
        landmarks={
            "pfs": [Landmark(6.0, 0.9091, 0.7541, 1.0, 11)],
            "os": [Landmark(12.0, 0.5833, 0.3616, 0.9410, 8)],
        },
        excluded=[("S01-01-0006", "No target lesion at baseline (zz-unique-reason).")],
    )


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def squash(text: str) -> str:
    """Text without any white space (a PDF wraps lines where it likes)."""
    return re.sub(r"\s+", "", text)


def image_count(data: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)


STAMP = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def efficacy_pdfs() -> dict[str, bytes]:
    result = efficacy_result()
    return {
        lang: render_efficacy(
            result, RenderOptions(lang=lang, generated_at=STAMP), study_name="Sintilimab + RT"
        ).data
        for lang in ("en", "zh")
    }


# -- the efficacy report ----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_first_page_has_study_scope_cutoff_counts_and_settings(
    efficacy_pdfs: dict[str, bytes], lang: str
) -> None:
    first = squash(page_texts(efficacy_pdfs[lang])[0])
    for expected in ("NPC-SINT-RT", "allsites", "2025-06-30", "Sintilimab+RT"):
        assert squash(expected) in first
    for key, sentence in settings_sentences(EndpointSettings(), lang):
        assert key in first
        assert squash(sentence) in first, f"setting {key} not said on page 1 ({lang})"
    counts = {"en": ("Subjects6", "Withastartdate6", "Response-evaluable5"), "zh": ("受试者6",)}
    for expected in counts[lang]:
        assert expected in first


@pytest.mark.parametrize(
    ("change", "en", "zh"),
    [
        ({"start": "enrolment"}, "Time is counted from enrolment.", "时间自入组起计算。"),
        ({"progression": "irecist"}, "iRECIST confirmed progression (iCPD)", "iCPD"),
        ({"conf_type": "log"}, "log (R survfit's default)", "log（R survfit 默认）"),
        ({"conf_level": 0.9}, "Confidence intervals are 90 %", "置信水平为 90%"),
        ({"censor_new_therapy": False}, "does not censor", "不导致删失"),
        ({"missed_assessments": 0}, "Missed assessments never censor", "漏评估不导致删失"),
        ({"missed_assessments": 3}, "after 3 or more missed assessments", "漏评估 3 次或以上"),
        ({"day_count": "inclusive"}, "end − start + 1", "结束日期 − 起始日期 + 1"),
        ({"assessment_interval_days": 42}, "interval is 42 days", "评估间隔为 42 天"),
        ({"landmarks_months": (6.0, 12.0, 24.0)}, "at 6, 12 and 24 months", "6、12、24 个月"),
        (
            {"start": "randomisation"},
            "randomisation (an unknown value)",
            "randomisation（未知取值）",
        ),
    ],
)
def test_each_setting_is_said_in_words(change: dict[str, object], en: str, zh: str) -> None:
    settings = dataclasses.replace(EndpointSettings(), **change)  # type: ignore[arg-type]
    for lang, expected in (("en", en), ("zh", zh)):
        said = " ".join(sentence for _, sentence in settings_sentences(settings, lang))
        assert expected in said
        default = " ".join(s for _, s in settings_sentences(EndpointSettings(), lang))
        assert expected not in default


def test_a_changed_setting_reaches_page_one() -> None:
    settings = EndpointSettings(start="enrolment", conf_type="plain", missed_assessments=0)
    data = render_efficacy(empty_result(settings)).data
    first = squash(page_texts(data)[0])
    for expected in ("Time is counted from enrolment.", "plain (linear)", "never censor"):
        assert squash(expected) in first


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_figure_is_embedded_with_how_many_subjects(
    efficacy_pdfs: dict[str, bytes], lang: str
) -> None:
    data = efficacy_pdfs[lang]
    assert image_count(data) == 5  # waterfall, spider, swimmer, PFS and OS curves
    text = squash("".join(page_texts(data)))
    captions = {
        "en": [
            "Basedon5subjects:thosewithatarget-lesionsum",  # waterfall and spider
            "Basedon6subjects:thosewithastartdate",
            "Basedon11subjects:thosewiththisendpointderived(7events)",
            "Basedon12subjects:thosewiththisendpointderived(11events)",
        ],
        "zh": ["基于5例受试者", "基于6例受试者", "基于11例受试者", "基于12例受试者"],
    }
    for caption in captions[lang]:
        assert caption in text
    assert text.count(captions[lang][0]) == 2


def test_figures_are_embedded_at_200_dpi_and_print_at_their_own_size(
    efficacy_pdfs: dict[str, bytes],
) -> None:
    reader = PdfReader(io.BytesIO(efficacy_pdfs["en"]))
    widths = {image.image.width for page in reader.pages for image in page.images if image.image}
    assert widths == {round(FIG_W * 200)}
    from matplotlib.figure import Figure  # the center extra; these tests have it

    block = figure_block(Figure(figsize=(FIG_W, FIG_H)), "caption", make_styles(), 757.0)
    image = next(f for f in block._content if isinstance(f, Image))
    assert (image.drawWidth, image.drawHeight) == (FIG_W * 72, FIG_H * 72)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rates_medians_landmarks_excluded_and_listing(
    efficacy_pdfs: dict[str, bytes], lang: str
) -> None:
    pages = page_texts(efficacy_pdfs[lang])
    text = squash("".join(pages))
    for expected in (
        "2/5",
        "40.0%",
        "5.3%–85.3%",  # ORR exact CI
        "3/5",
        "31.0",  # PFS median
        "18.0–",  # its lower limit
        "90.9%",  # 6-month PFS
        "zz-unique-reason",
    ):
        assert squash(expected) in text, expected
    nr = {"en": "NR", "zh": "未达到"}[lang]
    assert f"18.0–{nr}" in text
    listing = squash("".join(p for p in pages if "S01-01-0005" in p))
    for s in efficacy_result().subjects:
        assert s.subject_id in listing
    words = {"en": ("Event", "Censored", "alive(lastknownalive)"), "zh": ("事件", "删失", "存活")}
    for word in words[lang]:
        assert word in listing
    assert squash("The start date 2024-01 is partial") in text


def test_fonts_are_embedded_and_the_bytes_are_stable(efficacy_pdfs: dict[str, bytes]) -> None:
    for data in efficacy_pdfs.values():
        assert_fonts_embedded(data)
    again = render_efficacy(
        efficacy_result(), RenderOptions(generated_at=STAMP), study_name="Sintilimab + RT"
    )
    assert again.data == efficacy_pdfs["en"]


def test_cancel_stops_the_report_and_progress_counts_pages() -> None:
    with pytest.raises(ReportCancelled):
        render_efficacy(efficacy_result(), RenderOptions(cancelled=lambda: True))
    pages: list[int] = []
    done = render_safety(safety_result(), [long_table(10)], RenderOptions(progress=pages.append))
    assert pages == list(range(1, done.pages + 1))


def empty_result(settings: EndpointSettings | None = None) -> EfficacyResult:
    """A study with no subject yet."""
    return EfficacyResult(
        "NPC-SINT-RT",
        "site S02",
        CUTOFF,
        settings or EndpointSettings(),
        [],
        Proportion(0, 0, None, None, None, 0.95),
        Proportion(0, 0, None, None, None, 0.95),
    )


def test_an_empty_study_still_prints() -> None:
    done = render_efficacy(empty_result(), RenderOptions(lang="zh"))
    text = "".join(page_texts(done.data))
    assert "没有受试者被排除" in text
    assert image_count(done.data) == 3  # each figure says there is nothing to draw


def test_without_matplotlib_the_efficacy_report_says_how_to_install_it() -> None:
    script = (
        "import sys\n"
        "sys.modules['matplotlib'] = None  # as on a ward PC without the center extra\n"
        "from tests.test_endpoint_report import efficacy_result\n"
        "from npc_crf.core.errors import UsageError\n"
        "from npc_crf.reports.endpoints import render_efficacy\n"
        "try:\n"
        "    render_efficacy(efficacy_result())\n"
        "except UsageError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "matplotlib, which is not installed" in done.stdout
    assert "pip install 'npc-crf[center]'" in done.stdout


# -- the safety report ------------------------------------------------------------------------


def safety_result() -> SafetyResult:
    ae = AeRecord(
        subject_id="S01-01-0001",
        term="Hypothyroidism",
        term_zh="甲状腺功能减退症",
        soc="Endocrine disorders",
        meddra_code="10021114",
        grade=2,
        serious=False,
        related={"sintilimab": True, "radiotherapy": False},
        immune_related=True,
        start=dt.date(2024, 3, 1),
        treatment_emergent=True,
    )
    exposure = Exposure("S01-01-0001", START, dt.date(2024, 6, 1), 6, 1200.0, 1200.0, 1.0, 1, 1)
    return SafetyResult(
        study_oid="NPC-SINT-RT",
        scope="site S01",
        cutoff=CUTOFF,
        subjects=12,
        events=[ae, dataclasses.replace(ae, treatment_emergent=False)],
        exposure=[exposure],
        excluded=[("S01-01-0099", "No study treatment was given (zz-safety-reason).")],
    )


def long_table(rows: int) -> Table:
    return Table(
        name="ae_by_term",
        title_en="Adverse events by term",
        title_zh="按术语的不良事件",
        columns=(("Term", "术语"), ("Any grade", "任何级别"), ("Grade ≥ 3", "≥3 级"), ("%", "%")),
        rows=tuple((f"Term {n:03d}", n, n // 3, round(n / 3, 2)) for n in range(rows)),
        note_en="Counted once per subject (zz-note).",
        note_zh="每名受试者计一次（zz-备注）。",
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_safety_report_lays_out_any_tables(lang: str) -> None:
    empty = Table("nothing", "An empty table", "空表", (("A", "甲"),), ())
    done = render_safety(safety_result(), [long_table(150), empty], RenderOptions(lang=lang))
    pages = page_texts(done.data)
    assert done.pages >= 4
    first = squash(pages[0])
    for expected in ("NPC-SINT-RT", "siteS01", "2025-06-30", "ae_by_term.csv", "nothing.csv"):
        assert expected in first
    labels = {"en": ("Safetypopulation12", "Adverseeventsrecorded2", "Treatment-emergent1")}
    for expected in labels.get(lang, ()):
        assert expected in first
    header = {"en": "Grade≥3", "zh": "≥3级"}[lang]
    with_rows = [p for p in pages[1:] if "Term 0" in p or "Term 1" in p]
    assert len(with_rows) >= 3
    for page in with_rows:
        assert header in squash(page), "the header is repeated on every page of the table"
    text = squash("".join(pages))
    for n in (0, 77, 149):
        assert f"Term{n:03d}" in text
    assert ("zz-note" if lang == "en" else "zz-备注") in text
    assert {"en": "Norows.", "zh": "无数据。"}[lang] in text
    assert "zz-safety-reason" in text
    assert_fonts_embedded(done.data)


def test_safety_report_without_tables_says_so() -> None:
    done = render_safety(safety_result(), [], RenderOptions())
    assert "There are no tables to show." in page_texts(done.data)[0]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (12, "12"),
        (0.0, "0"),
        (3.0, "3"),
        (0.857142, "0.8571"),
        (35.2456, "35.25"),
        (1234.5, "1234"),  # four significant digits, no decimals past them
        (-48.25, "-48.25"),
        (float("nan"), ""),
        ("PR", "PR"),
    ],
)
def test_cell_text(value: str | int | float | None, text: str) -> None:
    assert cell_text(value) == text


def test_narrow_tables_keep_their_width_and_wide_ones_share_the_page() -> None:
    narrow = column_widths(["A", "B"], [["x", "1"]], 500)
    assert sum(narrow) < 500
    wide = column_widths(["Term", "Text"], [["t" * 40, "u" * 40]] * 3, 200)
    assert round(sum(wide), 6) == 200


# -- the efficacy tables ----------------------------------------------------------------------


def test_efficacy_tables_hold_every_result() -> None:
    result = efficacy_result()
    tables = {t.name: t for t in efficacy_tables(result)}
    assert list(tables) == [
        "efficacy_subjects",
        "efficacy_best_response",
        "efficacy_rates",
        "efficacy_km_summary",
        "efficacy_km_pfs",
        "efficacy_km_os",
        "efficacy_landmarks",
        "efficacy_excluded",
    ]
    for t in tables.values():
        assert all(len(row) == len(t.columns) for row in t.rows), t.name
    subjects = tables["efficacy_subjects"]
    names = [en for en, _ in subjects.columns]
    rows = {row[1]: dict(zip(names, row, strict=True)) for row in subjects.rows}
    first = rows["S01-01-0001"]
    assert (first["bor"], first["pfs_status"], first["pfs_days"]) == ("CR", "censored", 70)
    assert first["pfs_months"] == round(70 / 30.4375, 4)
    assert first["best_change_pct"] == -100.0
    assert rows["S01-01-0006"]["response_evaluable"] == "no"
    assert rows["S01-01-0006"]["dor_status"] is None
    assert "partial" in str(rows["S01-01-0003"]["notes"])
    assert tables["efficacy_rates"].rows[0][:4] == ("orr", 2, 5, 0.4)
    assert tables["efficacy_km_pfs"].rows[0] == (9, 11, 1, 0, 0.9091, 0.0867, 0.7541, 1.0)
    assert tables["efficacy_km_summary"].rows[0][:7] == ("pfs", 11, 7, 4, 31.0, 18.0, None)
    assert tables["efficacy_landmarks"].rows == (
        ("pfs", 6.0, 0.9091, 0.7541, 1.0, 11, "log", 0.95),
        ("os", 12.0, 0.5833, 0.3616, 0.9410, 8, "log", 0.95),
    )
    assert tables["efficacy_excluded"].rows == tuple(result.excluded)


def test_month_length_is_the_settings() -> None:
    result = efficacy_result(EndpointSettings(month_days=30.0))
    subjects = efficacy_tables(result)[0]
    column = [en for en, _ in subjects.columns].index("os_months")
    assert subjects.rows[0][column] == round(130 / 30.0, 4)


def test_bor_counts_follow_recist_order() -> None:
    made = [
        subject(1, "PD"),
        subject(2, "iCR"),
        subject(3, None),
        subject(4, "CR"),
        subject(5, "ZZ"),
        subject(6, "PR", excluded="not evaluable"),
    ]
    assert bor_counts(made) == [("CR", 1), ("iCR", 1), ("PD", 1), ("ZZ", 1), ("none", 1)]


# -- CSV --------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_efficacy_csv_files_read_back(tmp_path: Path) -> None:
    tables = efficacy_tables(efficacy_result())
    written = write_tables(tables, tmp_path, "en")
    assert [w.path for w in written] == [f"{t.name}.csv" for t in tables]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(w.path for w in written)
    km = read_csv(tmp_path / "efficacy_km_os.csv")
    assert km[0] == [
        "time_months",
        "n_risk",
        "n_event",
        "n_censor",
        "survival",
        "std_err",
        "lower",
        "upper",
    ]
    assert km[-1] == ["45", "1", "1", "0", "0", "", "", ""]
    subjects = read_csv(tmp_path / "efficacy_subjects.csv")
    assert len(subjects) == 1 + len(efficacy_result().subjects)
    head = subjects[0]
    row = dict(zip(head, subjects[1], strict=True))
    assert row["best_change_pct"] == "-100"  # a negative number is not a formula
    assert row["start"] == "2024-01-08"
    assert written[0].rows == len(subjects) - 1


def test_chinese_headers_injection_guard_and_numbers(tmp_path: Path) -> None:
    t = Table(
        "guard",
        "Guard",
        "防护",
        (("Text", "文本"), ("Number", "数值")),
        (('=HYPERLINK("x")', -2.5), ("+1 cmd", 1 / 3), ("'quoted", None), ("@sum", float("nan"))),
    )
    write_tables([t], tmp_path, "zh")
    rows = read_csv(tmp_path / "guard.csv")
    assert rows == [
        ["文本", "数值"],
        ['\'=HYPERLINK("x")', "-2.5"],
        ["'+1 cmd", "0.333333333333"],
        ["''quoted", ""],
        ["'@sum", ""],
    ]


def test_writing_again_replaces_the_file_and_leaves_no_partials(tmp_path: Path) -> None:
    write_tables([long_table(3)], tmp_path)
    write_tables([long_table(5)], tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["ae_by_term.csv"]
    assert len(read_csv(tmp_path / "ae_by_term.csv")) == 6


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        (
            [dataclasses.replace(long_table(1), name="../evil")],
            "tables[0].name: '../evil' is not a safe file name",
        ),
        ([dataclasses.replace(long_table(1), name="Upper")], "is not a safe file name"),
        ([long_table(1), long_table(2)], "tables[1].name: 'ae_by_term' is used by two tables"),
        (
            [dataclasses.replace(long_table(2), rows=(("a", 1, 2, 3.0), ("b", 1)))],
            "tables[0] (ae_by_term).rows[1]: 2 cells for 4 columns",
        ),
    ],
)
def test_bad_tables_are_refused_before_anything_is_written(
    tables: list[Table], message: str, tmp_path: Path
) -> None:
    with pytest.raises(UsageError) as caught:
        write_tables(tables, tmp_path)
    assert message in caught.value.message
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        write_tables([long_table(1)], tmp_path / "nowhere")


def test_a_failure_part_way_leaves_none_of_the_new_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = CsvFile
    opened: list[Path] = []

    class Failing(real):  # type: ignore[misc, valid-type]
        def __init__(self, path: Path, header: Sequence[str]) -> None:
            opened.append(path)
            if len(opened) == 2:
                raise OSError(28, "No space left on device")
            super().__init__(path, header)

    monkeypatch.setattr(csv_tables, "CsvFile", Failing)
    first = dataclasses.replace(long_table(2), name="first")
    with pytest.raises(StoreError, match="No space left on device"):
        write_tables([first, long_table(2)], tmp_path)
    assert list(tmp_path.iterdir()) == []
