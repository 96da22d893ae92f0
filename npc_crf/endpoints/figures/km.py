"""Kaplan–Meier figures: survival curves with their confidence band, censoring ticks
and median, and the number at risk beneath.

The curve is the step function of the :class:`~npc_crf.endpoints.model.KmFit`
rows (1 at time 0, then each row's survival from its time on); a tick marks each
time at which subjects were censored; the confidence band is the rows' limits
filled as steps (the transform of the fit, named in the legend); dashed lines
lead from 0.5 to the median when it is reached. The number at risk under each x
tick is the ``n_risk`` of the first row at or after that time (0 past the last),
so the rows must hold every distinct time, censoring-only times included, as
``survfit`` keeps them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from npc_crf.endpoints.figures.style import (
    CURVE_STYLES,
    FAMILY,
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
    CONF_TYPE_NAMES,
    ENDPOINT_AXIS,
    ENDPOINT_NAMES,
    level_text,
    median_text,
    word,
)
from npc_crf.endpoints.model import KmFit

#: x-tick steps (months) the figures choose from, so that at most MAX_TICKS ticks show
TICK_STEPS = (1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 48.0)
MAX_TICKS = 13


def tick_times(last: float) -> list[float]:
    """The x ticks (and number-at-risk times) of a figure whose data end at ``last``."""
    last = max(last, 1.0)
    step = next((s for s in TICK_STEPS if last / s <= MAX_TICKS - 1), TICK_STEPS[-1])
    count = math.ceil(last / step - 1e-9)
    return [i * step for i in range(count + 1)]


def at_risk(fit: KmFit, time: float) -> int:
    """How many subjects are at risk at ``time``: the ``n_risk`` of the first row at or
    after it (everyone before the first row, nobody after the last)."""
    for row in fit.rows:
        if row.time >= time - 1e-9:
            return row.n_risk
    return 0


def steps(fit: KmFit) -> tuple[list[float], list[float], list[float], list[float]]:
    """The curve as post-steps: times, survival, lower and upper limits (NaN where
    the fit has no limit)."""
    xs, ys, lo, hi = [0.0], [1.0], [1.0], [1.0]
    for row in fit.rows:
        xs.append(row.time)
        ys.append(row.survival)
        lo.append(math.nan if row.lower is None else row.lower)
        hi.append(math.nan if row.upper is None else row.upper)
    return xs, ys, lo, hi


def km_plot(
    curves: Sequence[tuple[str, KmFit]],
    *,
    endpoint: str,
    lang: str = "en",
    width_in: float = 9.0,
    height_in: float = 5.6,
) -> Figure:
    """Kaplan–Meier curves of ``endpoint`` ("pfs", "os" or "dor"), times in months,
    one per ``(label, fit)`` (an empty label for a single curve), with the number at
    risk beneath."""
    name = ENDPOINT_NAMES[endpoint].get(lang)
    n = sum(fit.n for _, fit in curves)
    events = sum(fit.events for _, fit in curves)
    title = word("km_title", lang, endpoint=name, n=n, events=events)
    fig = new_figure(width_in, height_in + 0.22 * max(len(curves) - 1, 0))
    drawn = [(label, fit) for label, fit in curves if fit.rows]
    if not drawn:
        return empty_message(fig, title, word("no_fit", lang))
    last = max(fit.rows[-1].time for _, fit in drawn)
    ticks = tick_times(last)
    grid = fig.add_gridspec(2, 1, height_ratios=(5.0, 0.3 + 0.28 * len(drawn)))
    ax = fig.add_subplot(grid[0])
    risk = fig.add_subplot(grid[1], sharex=ax)
    style_axes(ax, grid_axis="both")
    handles: list[Patch | Line2D] = []
    for index, (label, fit) in enumerate(drawn):
        colour, linestyle = CURVE_STYLES[index % len(CURVE_STYLES)]
        xs, ys, lo, hi = steps(fit)
        ax.fill_between(xs, lo, hi, step="post", color=colour, alpha=0.16, linewidth=0)
        ax.step(xs, ys, where="post", color=colour, linestyle=linestyle, linewidth=1.6)
        censored = [(r.time, r.survival) for r in fit.rows if r.n_censor > 0]
        if censored:
            ax.plot(
                [t for t, _ in censored],
                [s for _, s in censored],
                linestyle="",
                marker="|",
                markersize=9,
                markeredgewidth=1.2,
                color=colour,
            )
        if fit.median is not None:
            ax.plot([0, fit.median], [0.5, 0.5], color=MUTED, linewidth=0.8, linestyle="--")
            ax.plot([fit.median, fit.median], [0, 0.5], color=MUTED, linewidth=0.8, linestyle="--")
        median = median_text(fit.median, fit.median_lower, fit.median_upper, fit.conf_level, lang)
        handles.append(
            Line2D(
                [],
                [],
                color=colour,
                linestyle=linestyle,
                linewidth=1.6,
                label=f"{label}: {median}" if label else median,
            )
        )
        conf = CONF_TYPE_NAMES.get(fit.conf_type)
        handles.append(
            Patch(
                facecolor=colour,
                alpha=0.16,
                label=word(
                    "band",
                    lang,
                    level=level_text(fit.conf_level),
                    conf=conf.get(lang) if conf else fit.conf_type,
                ),
            )
        )
    handles.append(
        Line2D(
            [],
            [],
            linestyle="",
            marker="|",
            markersize=9,
            markeredgewidth=1.2,
            color=INK,
            label=word("censored", lang),
        )
    )
    ax.set_ylim(0, 1.03)
    ax.set_yticks([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_xlim(-ticks[-1] * 0.03, ticks[-1] * 1.03)
    ax.set_xticks(ticks)
    ax.tick_params(labelbottom=True)
    ax.set_title(title, color=INK, **font(TITLE_PT))
    ax.set_ylabel(ENDPOINT_AXIS[endpoint].get(lang), color=INK, **font(LABEL_PT))
    ax.set_xlabel(word("months", lang), color=INK, **font(LABEL_PT))
    ax.legend(
        handles=handles,
        loc="upper right",
        prop=legend_font(),
        frameon=True,
        framealpha=0.95,
        edgecolor=MUTED,
    )
    _risk_table(risk, drawn, ticks, lang)
    return fig


def _risk_table(
    ax: Axes, drawn: Sequence[tuple[str, KmFit]], ticks: list[float], lang: str
) -> None:
    rows = len(drawn)
    ax.set_ylim(-0.6, rows - 0.4)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.tick_params(
        axis="both", length=0, labelbottom=False, labelsize=SMALL_PT, labelfontfamily=FAMILY
    )
    ax.set_yticks(range(rows))
    ax.set_yticklabels([label for label, _ in reversed(drawn)], **font(SMALL_PT))
    for index, (_, fit) in enumerate(drawn):
        colour, _style = CURVE_STYLES[index % len(CURVE_STYLES)]
        y = rows - 1 - index
        for t in ticks:
            ax.text(
                t,
                y,
                str(at_risk(fit, t)),
                ha="center",
                va="center",
                color=colour,
                **font(SMALL_PT),
            )
    ax.set_title(word("at_risk", lang), loc="left", color=INK, **font(SMALL_PT))
