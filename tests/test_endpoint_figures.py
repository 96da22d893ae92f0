"""The endpoint figures, drawn from inputs made by hand in the shapes of
npc_crf/endpoints/model.py: waterfall, spider, swimmer and Kaplan–Meier plots, in
English and Chinese. Each figure is written as PNG; its text artists are read back
(titles, legends, counts, Chinese labels in the shipped font, nothing under 8 pt),
and what is drawn is checked against the input (bar order and colours, the spider's
time axis, swimmer lanes, KM steps, censoring ticks, number at risk).
"""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from matplotlib import colors as mcolors
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from npc_crf.endpoints.figures import km_plot, png_bytes, spider, swimmer, waterfall
from npc_crf.endpoints.figures.km import at_risk, steps, tick_times
from npc_crf.endpoints.figures.style import GROUP_STYLE
from npc_crf.endpoints.figures.swimmer_plot import lane, parts
from npc_crf.endpoints.figures.words import BOR_GROUPS, bor_group, median_text
from npc_crf.endpoints.model import KmFit, KmRow, SubjectEndpoints
from npc_crf.reports.fonts import MAIN_FILE
from tests.test_endpoint_report import (
    AML_MAINTAINED,
    AML_NONMAINTAINED,
    EMPTY_FIT,
    cohort,
    subject,
)

ROOT = Path(__file__).resolve().parents[1]


def texts(fig: Figure) -> list[Text]:
    """Every visible, non-empty text artist of the figure (after a draw)."""
    fig.canvas.draw()
    return [
        t
        for t in fig.findobj(Text)
        if isinstance(t, Text) and t.get_visible() and t.get_text().strip()
    ]


def xdata(line: Line2D) -> list[float]:
    """A line's x values as floats."""
    return [float(v) for v in np.asarray(line.get_xdata(), dtype=float)]


def ydata(line: Line2D) -> list[float]:
    """A line's y values as floats."""
    return [float(v) for v in np.asarray(line.get_ydata(), dtype=float)]


def all_text(fig: Figure) -> str:
    return "\n".join(t.get_text() for t in texts(fig))


FIGURES: dict[str, Callable[[str], Figure]] = {
    "waterfall": lambda lang: waterfall(cohort(), lang=lang),
    "spider": lambda lang: spider(cohort(), lang=lang),
    "swimmer": lambda lang: swimmer(cohort(), lang=lang),
    "km-one": lambda lang: km_plot([("", AML_MAINTAINED)], endpoint="pfs", lang=lang),
    "km-two": lambda lang: km_plot(
        [("Maintained", AML_MAINTAINED), ("Nonmaintained", AML_NONMAINTAINED)],
        endpoint="os",
        lang=lang,
    ),
}

#: what each figure must say: (English, Chinese)
EXPECTED_TEXT: dict[str, tuple[Sequence[str], Sequence[str]]] = {
    "waterfall": (
        ["(n = 5)", "CR (n = 1)", "PD (n = 1)", "−30 % (PR)", "+20 % (PD)"],
        ["靶病灶直径总和的最佳变化（n = 5）", "完全缓解", "无法评价", "受试者"],
    ),
    "spider": (
        ["(n = 5)", "Weeks from the first dose", "PR (n = 1)"],
        ["随时间的变化（n = 5）", "首次给药后周数", "部分缓解"],
    ),
    "swimmer": (
        ["Time on study (n = 6)", "Months from the first dose", "Death", "Progression"],
        ["研究时间（n = 6）", "首次给药后月数", "死亡", "疾病进展", "缓解开始"],
    ),
    "km-one": (
        ["Progression-free survival (n = 11, 7 events)", "Number at risk", "Median 31.0"],
        ["无进展生存期（n = 11，事件 7 例）", "风险人数", "中位 31.0", "删失", "未达到"],
    ),
    "km-two": (
        ["Overall survival (n = 23, 18 events)", "Maintained", "Nonmaintained", "95 % CI (log)"],
        ["总生存期（n = 23，事件 18 例）", "风险人数", "95% 置信区间（log）"],
    ),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_figure_is_written_with_its_labels(name: str, lang: str, tmp_path: Path) -> None:
    fig = FIGURES[name](lang)
    data = png_bytes(fig, dpi=80)
    out = tmp_path / f"{name}-{lang}.png"
    out.write_bytes(data)
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and out.stat().st_size > 10_000
    words = all_text(fig)
    for expected in EXPECTED_TEXT[name][0 if lang == "en" else 1]:
        assert expected in words, f"{name} ({lang}) does not say {expected!r}"
    shipped = {t.get_text(): font_manager.findfont(t.get_fontproperties()) for t in texts(fig)}
    for label, path in shipped.items():
        assert Path(path).name == MAIN_FILE, f"{label!r} is set in {path}"
    sizes = [(t.get_text(), float(t.get_fontsize())) for t in texts(fig)]
    small = [(label, size) for label, size in sizes if size < 8]
    assert small == []


def test_the_png_is_sharp_enough_for_print() -> None:
    fig = waterfall(cohort())
    data = png_bytes(fig)  # 200 dpi by default
    width = int.from_bytes(data[16:20], "big")
    assert width == round(fig.get_size_inches()[0] * 200)


def _bars(fig: Figure) -> list[Rectangle]:
    ax = fig.axes[0]
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_waterfall_bars_run_from_the_largest_increase_to_the_deepest_shrinkage() -> None:
    fig = waterfall(cohort())
    bars = _bars(fig)
    assert [round(b.get_height(), 1) for b in bars] == [35.0, 2.0, -10.0, -48.0, -100.0]
    fills = [mcolors.to_hex(b.get_facecolor()) for b in bars]
    assert fills == [GROUP_STYLE[g].colour for g in ("PD", "NE", "SD", "PR", "CR")]
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == ["S01-01-0004", "S01-01-0005", "S01-01-0003", "S01-01-0002", "S01-01-0001"]
    lines = sorted(ydata(line)[0] for line in fig.axes[0].lines)
    assert lines == [-30.0, 0.0, 20.0]


def test_spider_draws_each_subject_from_zero_in_weeks() -> None:
    fig = spider(cohort(), unit="weeks")
    curves = [line for line in fig.axes[0].lines if len(xdata(line)) > 2]
    by_points = sorted((xdata(c), ydata(c)) for c in curves)
    assert ([0.0, 9.0, 18.0, 27.0], [0.0, -35.0, -48.0, -20.0]) in by_points
    assert all(x[0] == 0.0 and y[0] == 0.0 for x, y in by_points)
    months = spider(cohort(), unit="months", origin="enrolment")
    assert "Months from enrolment" in all_text(months)


LANE_CASES = [
    # (what, subject, end months, treatment end, response, progression, death, ongoing)
    (
        "dead: the lane ends at death",
        subject(1, "PD", death_day=152, alive_day=100, last_dose_day=61, progression_day=61),
        4.99,
        2.0,
        None,
        2.0,
        4.99,
        False,
    ),
    (
        "alive: the lane ends at the last date known alive, with an arrow",
        subject(2, "PR", alive_day=304, response_day=61, last_dose_day=700),
        9.99,
        9.99,
        2.0,
        None,
        None,
        True,
    ),
    (
        "no last contact: the lane runs to the cut-off",
        subject(3, "SD"),
        17.71,
        None,
        None,
        None,
        None,
        True,
    ),
    (
        "dates before the start are not drawn",
        subject(4, "CR", response_day=-5, alive_day=30),
        0.99,
        None,
        None,
        None,
        None,
        True,
    ),
]


@pytest.mark.parametrize(
    ("subject_", "end", "treatment", "response", "progression", "death", "ongoing"),
    [case[1:] for case in LANE_CASES],
    ids=[case[0] for case in LANE_CASES],
)
def test_swimmer_lanes(
    subject_: SubjectEndpoints,
    end: float,
    treatment: float | None,
    response: float | None,
    progression: float | None,
    death: float | None,
    ongoing: bool,
) -> None:
    got = lane(subject_)

    def r(v: float | None) -> float | None:
        return None if v is None else round(v, 2)

    assert round(got.end, 2) == end
    assert (r(got.treatment_end), r(got.response), r(got.progression), r(got.death)) == (
        treatment,
        response,
        progression,
        death,
    )
    assert got.ongoing is ongoing


def test_swimmer_shows_every_subject_with_a_start_date() -> None:
    subjects = [*cohort(), subject(7, "SD", start=None)]
    fig = swimmer(subjects)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert sorted(labels) == [f"S01-01-{n:04d}" for n in range(1, 7)]
    arrows = [t for t in fig.axes[0].texts if getattr(t, "arrow_patch", None) is not None]
    assert len(arrows) == sum(1 for s in subjects if lane_ongoing(s))


def test_a_large_cohort_is_drawn_in_parts_longest_first() -> None:
    many = [subject(n, "SD", alive_day=5 * n) for n in range(1, 61)]
    groups = parts(many, 25)
    assert [len(g) for g in groups] == [20, 20, 20]  # as even as possible
    assert [len(g) for g in parts(many[:26], 25)] == [13, 13]  # never a lone lane
    assert [len(g) for g in parts(many[:25], 25)] == [25]
    assert groups[0][0].subject_id == "S01-01-0060" and groups[-1][-1].subject_id == "S01-01-0001"
    fig = swimmer(groups[1], part=(21, 40, 60), x_max=lane(many[-1]).end, lang="zh")
    assert "研究时间（第 21–40 例，共 60 例" in all_text(fig)
    assert fig.axes[0].get_xlim()[1] > lane(many[-1]).end  # the scale of the whole cohort
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[-1] == "S01-01-0040"  # the longest lane of the part on top


def lane_ongoing(s: SubjectEndpoints) -> bool:
    return s.start is not None and s.death is None and s.progression is None


def test_km_curve_steps_ticks_band_and_median() -> None:
    fig = km_plot([("", AML_MAINTAINED)], endpoint="pfs")
    ax = fig.axes[0]
    xs, ys, _lo, _hi = steps(AML_MAINTAINED)
    assert xs[:3] == [0.0, 9, 13] and ys[:3] == [1.0, 0.9091, 0.8182]
    step_lines = [line for line in ax.lines if line.get_drawstyle() == "steps-post"]
    assert len(step_lines) == 1
    ticks = [line for line in ax.lines if line.get_marker() == "|"]
    assert len(ticks) == 1 and xdata(ticks[0]) == [13, 28, 45, 161]
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert sorted(xdata(line) for line in dashed) == [[0, 31.0], [31.0, 31.0]]
    assert len(ax.collections) == 1  # the confidence band
    assert median_text(31.0, 18.0, None, 0.95, "en") in all_text(fig)


def test_km_without_a_median_draws_no_median_line() -> None:
    fit = KmFit(
        (
            KmRow(3.0, 4, 1, 0, 0.75, 0.2165, 0.4259, 1.0),
            KmRow(6.0, 3, 0, 3, 0.75, 0.2165, 0.4259, 1.0),
        ),
        4,
        1,
        "log",
        0.95,
        None,
        None,
        None,
    )
    fig = km_plot([("", fit)], endpoint="dor")
    assert [line for line in fig.axes[0].lines if line.get_linestyle() == "--"] == []
    assert "Median NR (95 % CI NR–NR)" in all_text(fig)


@pytest.mark.parametrize(
    ("time", "expected"),
    [(0, 11), (9, 11), (10, 10), (24, 6), (48, 2), (100, 1), (161, 1), (168, 0)],
)
def test_number_at_risk(time: float, expected: int) -> None:
    assert at_risk(AML_MAINTAINED, time) == expected


def test_the_number_at_risk_table_sits_under_the_x_ticks() -> None:
    fig = km_plot([("", AML_MAINTAINED)], endpoint="os")
    ticks = list(fig.axes[0].get_xticks())
    assert ticks == tick_times(161)
    risk = fig.axes[1]
    numbers = {float(t.get_position()[0]): t.get_text() for t in risk.texts}
    assert numbers == {t: str(at_risk(AML_MAINTAINED, t)) for t in ticks}


@pytest.mark.parametrize(
    ("last", "ticks"),
    [
        (0.5, [0.0, 1.0]),
        (11.0, [float(m) for m in range(12)]),
        (13.0, [float(m) for m in range(0, 15, 2)]),
        (30.0, [float(m) for m in range(0, 31, 3)]),
        (161.0, [float(m) for m in range(0, 169, 24)]),
    ],
)
def test_tick_times(last: float, ticks: list[float]) -> None:
    assert tick_times(last) == ticks


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_nothing_to_draw_says_so(lang: str) -> None:
    message = {"en": "No subject", "zh": "没有受试者"}[lang]
    for fig in (
        waterfall([], lang=lang),
        spider([subject(1, "SD")], lang=lang),
        swimmer([subject(1, "SD", start=None)], lang=lang),
        km_plot([("", EMPTY_FIT)], endpoint="os", lang=lang),
    ):
        assert message in all_text(fig)
        assert png_bytes(fig, dpi=50).startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("CR", "CR"),
        ("iCR", "CR"),
        ("iPR", "PR"),
        ("NON-CR/NON-PD", "SD"),
        ("iUPD", "PD"),
        ("iCPD", "PD"),
        ("NE", "NE"),
        (None, "NE"),
        ("XYZ", "NE"),
    ],
)
def test_bor_groups(code: str | None, group: str) -> None:
    assert bor_group(code) == group


def _grey(colour: str) -> float:
    r, g, b = mcolors.to_rgb(colour)
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_response_groups_stay_apart_in_greyscale_print() -> None:
    greys = sorted(_grey(GROUP_STYLE[g].colour) for g in BOR_GROUPS)
    gaps = [b - a for a, b in itertools.pairwise(greys)]
    assert min(gaps) >= 0.1, greys
    assert len({GROUP_STYLE[g].marker for g in BOR_GROUPS}) == len(BOR_GROUPS)
    hatches = [GROUP_STYLE[g].hatch for g in BOR_GROUPS if GROUP_STYLE[g].hatch]
    assert len(set(hatches)) == len(hatches) >= 3


def test_figures_draw_from_several_threads_at_once() -> None:
    makers = list(FIGURES.values()) * 2
    with ThreadPoolExecutor(max_workers=4) as pool:
        images = list(pool.map(lambda make: png_bytes(make("zh"), dpi=40), makers))
    assert all(image.startswith(b"\x89PNG") for image in images)
    assert images[0] == images[len(FIGURES)]  # same figure, same bytes


def test_words_and_reports_load_without_matplotlib_and_figures_without_pyplot() -> None:
    script = (
        "import sys\n"
        "import npc_crf.endpoints.figures.words, npc_crf.reports.endpoints\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib loaded by the words or reports'\n"
        "from npc_crf.endpoints.figures import waterfall, png_bytes\n"
        "png_bytes(waterfall([]), dpi=30)\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot loaded'\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_step_arrays_leave_missing_limits_empty() -> None:
    _xs, ys, lo, hi = steps(AML_NONMAINTAINED)
    assert ys[-1] == 0.0
    assert math.isnan(lo[-1]) and math.isnan(hi[-1])  # no band once survival is 0
