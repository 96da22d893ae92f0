"""The tumour-response figures: the waterfall of the best change in the target-lesion
sum, and the spider plot of that change over time.

Both show the subjects who have a target-lesion sum at baseline and at least one
after it (:func:`with_target_changes`); the title says how many. Bars and lines
are coloured by the best overall response (CR, PR, SD, PD, NE; see
:func:`~npc_crf.endpoints.figures.words.bor_group`), with the RECIST 1.1
thresholds drawn as reference lines: −30 % (partial response) and +20 %
(progression, against the nadir — against baseline in these figures, as usual).
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from npc_crf.endpoints.figures.style import (
    FAMILY,
    GROUP_STYLE,
    INK,
    LABEL_PT,
    LINE,
    MUTED,
    SMALL_PT,
    TITLE_PT,
    empty_message,
    font,
    legend_font,
    new_figure,
    style_axes,
)
from npc_crf.endpoints.figures.words import BOR_GROUPS, BOR_NAMES, ORIGIN_WORDS, bor_group, word
from npc_crf.endpoints.model import SubjectEndpoints

#: the RECIST 1.1 thresholds of the target-lesion sum (percent change)
PR_LINE = -30.0
PD_LINE = 20.0
#: subject IDs are written under the bars up to this many subjects
MAX_LABELLED = 40
#: days per unit of the spider plot's time axis
UNIT_DAYS = {"weeks": 7.0, "months": 30.4375}


def with_target_changes(subjects: Sequence[SubjectEndpoints]) -> list[SubjectEndpoints]:
    """The subjects the waterfall and the spider plot show: those with a change of the
    target-lesion sum from baseline."""
    return [s for s in subjects if s.best_change is not None]


def group_counts(subjects: Sequence[SubjectEndpoints]) -> dict[str, int]:
    """How many of ``subjects`` fall in each response group (all groups, zeros kept)."""
    counts = dict.fromkeys(BOR_GROUPS, 0)
    for subject in subjects:
        counts[bor_group(subject.bor)] += 1
    return counts


def _legend(ax: Axes, counts: dict[str, int], lang: str, *, line: bool) -> None:
    handles: list[Patch | Line2D] = []
    for group in BOR_GROUPS:
        if not counts[group]:
            continue
        st = GROUP_STYLE[group]
        label = word(
            "legend_bor", lang, code=group, name=BOR_NAMES[group].get(lang), n=counts[group]
        )
        if line:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=st.line,
                    linestyle=st.linestyle,
                    marker=st.marker,
                    markerfacecolor=st.colour,
                    markeredgecolor=st.edge,
                    label=label,
                )
            )
        else:
            handles.append(
                Patch(facecolor=st.colour, edgecolor=st.edge, hatch=st.hatch, label=label)
            )
    ax.legend(
        handles=handles,
        loc="upper right",
        prop=legend_font(),
        frameon=True,
        framealpha=0.95,
        edgecolor=MUTED,
    )


def _reference_lines(ax: Axes, lang: str) -> None:
    """The 0, −30 % and +20 % lines, named on a right-hand axis."""
    ax.axhline(0, color=LINE, linewidth=0.8)
    ax.axhline(PR_LINE, color=INK, linewidth=0.9, linestyle=(0, (5, 3)))
    ax.axhline(PD_LINE, color=INK, linewidth=0.9, linestyle=(0, (1.5, 2)))
    right = ax.secondary_yaxis("right")
    right.set_yticks([PR_LINE, PD_LINE], [word("pr_line", lang), word("pd_line", lang)])
    right.tick_params(labelsize=SMALL_PT, labelfontfamily=FAMILY, colors=INK, length=3)


def waterfall(
    subjects: Sequence[SubjectEndpoints],
    *,
    lang: str = "en",
    width_in: float = 9.0,
    height_in: float = 5.0,
) -> Figure:
    """The waterfall plot: one bar per subject with a target-lesion change, the best
    (lowest) percentage change of the sum from baseline, sorted from the largest
    increase to the deepest shrinkage, coloured and hatched by best overall response."""
    shown = sorted(
        with_target_changes(subjects),
        key=lambda s: (-(s.best_change or 0.0), s.subject_id),
    )
    fig = new_figure(width_in, height_in)
    title = word("waterfall_title", lang, n=len(shown))
    if not shown:
        return empty_message(fig, title, word("no_targets", lang))
    ax = fig.add_subplot()
    style_axes(ax)
    values = [s.best_change or 0.0 for s in shown]
    for x, (subject, value) in enumerate(zip(shown, values, strict=True)):
        st = GROUP_STYLE[bor_group(subject.bor)]
        ax.bar(
            x,
            value,
            width=0.8,
            color=st.colour,
            edgecolor=st.edge,
            hatch=st.hatch,
            linewidth=0.6 if len(shown) <= MAX_LABELLED else 0.25,
        )
    low = min(-100.0, min(values) - 5)
    high = max(40.0, max(values) + 10)
    ax.set_ylim(low, high)
    ax.set_xlim(-0.8, len(shown) - 0.2)
    _reference_lines(ax, lang)
    ax.set_title(title, color=INK, **font(TITLE_PT))
    ax.set_ylabel(word("waterfall_y", lang), color=INK, **font(LABEL_PT))
    ax.set_xlabel(word("waterfall_x", lang), color=INK, **font(LABEL_PT))
    if len(shown) <= MAX_LABELLED:
        ax.set_xticks(range(len(shown)))
        ax.set_xticklabels([s.subject_id for s in shown], rotation=90, **font(SMALL_PT))
    else:
        ax.set_xticks([])
    _legend(ax, group_counts(shown), lang, line=False)
    return fig


def spider(
    subjects: Sequence[SubjectEndpoints],
    *,
    lang: str = "en",
    unit: str = "weeks",
    origin: str = "first_dose",
    width_in: float = 9.0,
    height_in: float = 5.0,
) -> Figure:
    """The spider plot: each subject's change of the target-lesion sum from baseline at
    every assessment, from 0 at the start, over ``unit`` ("weeks" or "months") from
    the origin (``origin``: "first_dose" or "enrolment"), coloured by best overall
    response."""
    shown = sorted(with_target_changes(subjects), key=lambda s: s.subject_id)
    fig = new_figure(width_in, height_in)
    title = word("spider_title", lang, n=len(shown))
    if not shown:
        return empty_message(fig, title, word("no_targets", lang))
    per = UNIT_DAYS[unit]
    ax = fig.add_subplot()
    style_axes(ax, grid_axis="both")
    lows = [0.0]
    highs = [0.0]
    x_max = 0.0
    for subject in shown:
        st = GROUP_STYLE[bor_group(subject.bor)]
        points = sorted(subject.target_changes, key=lambda c: c.days)
        xs = [0.0, *(max(c.days, 0) / per for c in points)]
        ys = [0.0, *(c.percent for c in points)]
        lows.append(min(ys))
        highs.append(max(ys))
        x_max = max(x_max, xs[-1])
        ax.plot(
            xs,
            ys,
            color=st.line,
            linestyle=st.linestyle,
            linewidth=1.3,
            marker=st.marker,
            markersize=4.5,
            markerfacecolor=st.colour,
            markeredgecolor=st.edge,
            markeredgewidth=0.6,
        )
    ax.set_ylim(min(-100.0, min(lows) - 5), max(40.0, max(highs) + 10))
    ax.set_xlim(0, max(x_max * 1.05, 1.0))
    _reference_lines(ax, lang)
    ax.set_title(title, color=INK, **font(TITLE_PT))
    ax.set_ylabel(word("spider_y", lang), color=INK, **font(LABEL_PT))
    ax.set_xlabel(ORIGIN_WORDS[origin][unit].get(lang), color=INK, **font(LABEL_PT))
    _legend(ax, group_counts(shown), lang, line=True)
    return fig
