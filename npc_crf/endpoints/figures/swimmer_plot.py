"""The swimmer plot: one lane per subject, time on study from the origin.

A lane runs from the start date to death, else to the last date known alive,
else to the data cut-off (never past the cut-off). The study-treatment period
(to ``last_dose``) is the thick part of the lane, coloured and hatched by best
overall response; the follow-up after it is the thin part. Markers: the start of
the response (white triangle), progression (cross), death (black square); an
arrow at the end of the lane of a subject alive without progression at the last
contact. Lanes are sorted longest first, subject IDs beside them (up to 60); a
large cohort can be drawn in parts of a few dozen lanes (:func:`parts`).
Dates before the start date are not drawn (the derivations note them).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from npc_crf.endpoints.figures.km import tick_times
from npc_crf.endpoints.figures.style import (
    GROUP_STYLE,
    INK,
    LABEL_PT,
    MUTED,
    SMALL_PT,
    TITLE_PT,
    empty_message,
    font,
    legend_font,
    new_figure,
    style_axes,
)
from npc_crf.endpoints.figures.words import (
    BOR_GROUPS,
    BOR_NAMES,
    ORIGIN_WORDS,
    bor_group,
    word,
)
from npc_crf.endpoints.model import SubjectEndpoints

MONTH_DAYS = 30.4375
#: subject IDs are written beside the lanes up to this many subjects
MAX_LABELLED = 60
PROGRESSION_FILL = "#e08214"


@dataclass(frozen=True)
class Lane:
    """One subject's lane in months from the start date."""

    subject: SubjectEndpoints
    end: float
    treatment_end: float | None
    response: float | None
    progression: float | None
    death: float | None
    ongoing: bool


def marker_scale(lanes: int) -> float:
    """How much the markers shrink when many lanes share the plot (1 up to 40 lanes)."""
    return max(0.45, min(1.0, math.sqrt(40 / max(lanes, 1))))


def with_start(subjects: Sequence[SubjectEndpoints]) -> list[SubjectEndpoints]:
    """The subjects the swimmer plot shows: those with a start date."""
    return [s for s in subjects if s.start is not None]


def _months(start: dt.date, day: dt.date | None, limit: float, month_days: float) -> float | None:
    if day is None or day < start:
        return None
    return min((day - start).days / month_days, limit)


def lane(subject: SubjectEndpoints, month_days: float = MONTH_DAYS) -> Lane:
    """The lane of a subject with a start date (see the module docstring)."""
    start = subject.start
    if start is None:
        raise ValueError(f"Subject {subject.subject_id} has no start date; it has no lane.")
    end_day = subject.death or subject.last_known_alive or subject.cutoff
    end_day = min(end_day, subject.cutoff)
    end = max((end_day - start).days / month_days, 0.0)
    return Lane(
        subject=subject,
        end=end,
        treatment_end=_months(start, subject.last_dose, end, month_days),
        response=_months(start, subject.response_start, end, month_days),
        progression=_months(start, subject.progression, end, month_days),
        death=_months(start, subject.death, end, month_days),
        ongoing=subject.death is None and subject.progression is None,
    )


def lanes_longest_first(
    subjects: Sequence[SubjectEndpoints], month_days: float = MONTH_DAYS
) -> list[Lane]:
    """The lanes of the subjects with a start date, longest first (ties by subject)."""
    lanes = [lane(s, month_days) for s in with_start(subjects)]
    return sorted(lanes, key=lambda ln: (-ln.end, ln.subject.subject_id))


def parts(
    subjects: Sequence[SubjectEndpoints], per_part: int = 25, month_days: float = MONTH_DAYS
) -> list[list[SubjectEndpoints]]:
    """The subjects with a start date in groups of at most ``per_part`` lanes, longest
    first: one swimmer plot each when a single plot would have too many lanes to read.
    The groups are as even as possible (26 lanes: 13 and 13, never 25 and a lone 1)."""
    ordered = [ln.subject for ln in lanes_longest_first(subjects, month_days)]
    if not ordered:
        return []
    count = -(-len(ordered) // per_part)  # the fewest plots that hold every lane
    size = -(-len(ordered) // count)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def swimmer(
    subjects: Sequence[SubjectEndpoints],
    *,
    lang: str = "en",
    origin: str = "first_dose",
    month_days: float = MONTH_DAYS,
    width_in: float = 9.0,
    height_in: float | None = None,
    x_max: float | None = None,
    part: tuple[int, int, int] | None = None,
) -> Figure:
    """The swimmer plot of the subjects with a start date (``origin`` names what the
    start date is: "first_dose" or "enrolment"; ``month_days`` the length of a month).

    The height grows with the number of lanes unless ``height_in`` is given. A plot
    that is one of several (see :func:`parts`) gives ``part`` = (first, last, of all)
    for its title and the common ``x_max`` (months) so the parts compare."""
    lanes = lanes_longest_first(subjects, month_days)[::-1]  # the longest lane on top
    n = len(lanes)
    height = height_in if height_in is not None else min(max(3.5, 1.5 + 0.16 * n), 11.0)
    fig = new_figure(width_in, height)
    if part is None:
        title = word("swimmer_title", lang, n=n)
    else:
        title = word("swimmer_part", lang, first=part[0], last=part[1], n=part[2])
    if not lanes:
        return empty_message(fig, title, word("no_start", lang))
    ax = fig.add_subplot()
    style_axes(ax, grid_axis="x")
    x_max = max(x_max or 0.0, *(ln.end for ln in lanes), 1.0)
    size = marker_scale(n)
    counts = dict.fromkeys(BOR_GROUPS, 0)
    for y, ln in enumerate(lanes):
        group = bor_group(ln.subject.bor)
        counts[group] += 1
        st = GROUP_STYLE[group]
        ax.barh(y, ln.end, height=0.28, color=st.colour, edgecolor=st.edge, linewidth=0.5)
        if ln.treatment_end is not None and ln.treatment_end > 0:
            ax.barh(
                y,
                ln.treatment_end,
                height=0.72,
                color=st.colour,
                edgecolor=st.edge,
                hatch=st.hatch,
                linewidth=0.6,
            )
        if ln.response is not None:
            ax.plot(
                ln.response, y, marker="^", markersize=7 * size, color="white", markeredgecolor=INK
            )
        if ln.progression is not None:
            ax.plot(
                ln.progression,
                y,
                marker="X",
                markersize=8 * size,
                color=PROGRESSION_FILL,
                markeredgecolor=INK,
                markeredgewidth=0.7,
            )
        if ln.death is not None:
            ax.plot(
                ln.death, y, marker="s", markersize=6.5 * size, color=INK, markeredgecolor="white"
            )
        if ln.ongoing:
            ax.annotate(
                "",
                xy=(ln.end + x_max * 0.04, y),
                xytext=(ln.end, y),
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": INK,
                    "linewidth": size,
                    "mutation_scale": 10 * size,
                },
            )
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlim(0, x_max * 1.08)
    ax.set_xticks([t for t in tick_times(x_max) if t <= x_max * 1.08])
    if n <= MAX_LABELLED:
        ax.set_yticks(range(n))
        ax.set_yticklabels([ln.subject.subject_id for ln in lanes], **font(SMALL_PT))
    else:
        ax.set_yticks([])
    ax.set_title(title, color=INK, **font(TITLE_PT))
    ax.set_xlabel(ORIGIN_WORDS[origin]["months"].get(lang), color=INK, **font(LABEL_PT))
    ax.set_ylabel(word("swimmer_y", lang), color=INK, **font(LABEL_PT))
    ax.legend(
        handles=_legend_handles(counts, lang),
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        prop=legend_font(),
        frameon=False,
    )
    return fig


def _legend_handles(counts: dict[str, int], lang: str) -> list[Patch | Line2D]:
    handles: list[Patch | Line2D] = []
    for group in BOR_GROUPS:
        if counts[group]:
            st = GROUP_STYLE[group]
            label = word(
                "legend_bor", lang, code=group, name=BOR_NAMES[group].get(lang), n=counts[group]
            )
            handles.append(
                Patch(facecolor=st.colour, edgecolor=st.edge, hatch=st.hatch, label=label)
            )
    handles += [
        Line2D([], [], color=MUTED, linewidth=7, label=word("on_treatment", lang)),
        Line2D([], [], color=MUTED, linewidth=2.5, label=word("follow_up", lang)),
        Line2D(
            [],
            [],
            linestyle="",
            marker="^",
            markersize=7,
            color="white",
            markeredgecolor=INK,
            label=word("response_start", lang),
        ),
        Line2D(
            [],
            [],
            linestyle="",
            marker="X",
            markersize=8,
            color=PROGRESSION_FILL,
            markeredgecolor=INK,
            label=word("progression", lang),
        ),
        Line2D(
            [],
            [],
            linestyle="",
            marker="s",
            markersize=6.5,
            color=INK,
            label=word("death", lang),
        ),
        Line2D(
            [],
            [],
            linestyle="",
            marker=r"$\rightarrow$",
            markersize=11,
            color=INK,
            label=word("ongoing", lang),
        ),
    ]
    return handles
