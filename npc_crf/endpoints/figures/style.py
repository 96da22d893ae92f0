"""How every endpoint figure looks: the shipped font, the response colours, markers
and hatches, sizes, and turning a figure into PNG bytes.

Figures are made with :class:`matplotlib.figure.Figure` directly, never with
pyplot: no global figure registry, no GUI backend, so figures can be drawn from
any thread (the GUI's workers, a CLI). The shipped font (WenQuanYi Micro Hei,
Latin and Chinese in one face) is registered once with matplotlib's font manager
and named on every text, so Chinese labels render the same on every machine.

The response colours are picked to stay apart in greyscale print (dark to light:
CR, PD, PR, SD, NE), and each group also has its own marker and hatch, so a
photocopied figure still reads.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from typing import Any, Literal

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from npc_crf.reports.fonts import MAIN_FILE, fonts_dir

#: the family name of the shipped font, as matplotlib knows it
FAMILY = "WenQuanYi Micro Hei"
#: the families every text asks for: the shipped font first, matplotlib's own after
FAMILIES = [FAMILY, "DejaVu Sans"]

#: text sizes (points): nothing smaller than 8 pt, so the figures read in print
TITLE_PT = 11.0
LABEL_PT = 9.5
TICK_PT = 8.5
SMALL_PT = 8.0

INK = "#1a1a1a"
MUTED = "#5b6370"
GRID = "#d0d4d9"
LINE = "#404040"

_lock = threading.Lock()
_registered = False


@dataclass(frozen=True)
class GroupStyle:
    """How one response group is drawn."""

    colour: str  # the fill of bars and markers
    edge: str  # the outline of bars and markers
    line: str  # the colour of lines (darker than a light fill, so it shows on white)
    marker: str
    hatch: str
    linestyle: Any


#: response group -> style; greyscale lightness: CR 0.17, PD 0.28, PR 0.51, SD 0.81, NE 1.0
GROUP_STYLE: dict[str, GroupStyle] = {
    "CR": GroupStyle("#08306b", "#08306b", "#08306b", "o", "", "-"),
    "PR": GroupStyle("#4a8fc7", "#1f4e79", "#4a8fc7", "s", "", "-"),
    "SD": GroupStyle("#f4c983", "#8a6d3b", "#c98a1b", "^", "..", (0, (5, 2))),
    "PD": GroupStyle("#b2182b", "#67000d", "#b2182b", "v", "//", (0, (2, 1.5))),
    "NE": GroupStyle("#ffffff", "#5b6370", "#5b6370", "D", "xx", (0, (1, 1.5))),
}

#: the lines of several Kaplan–Meier curves on one figure (colour, line style)
CURVE_STYLES: tuple[tuple[str, Any], ...] = (
    ("#08306b", "-"),
    ("#b2182b", (0, (5, 2))),
    ("#4a8fc7", (0, (1, 1.2))),
    ("#5b6370", (0, (6, 2, 1, 2))),
)


def register_font() -> None:
    """Register the shipped font with matplotlib's font manager (once; thread-safe)."""
    global _registered
    with _lock:
        if _registered:
            return
        font_manager.fontManager.addfont(str(fonts_dir() / MAIN_FILE))
        _registered = True


def font(size: float = LABEL_PT) -> dict[str, Any]:
    """The keyword arguments that set a text in the shipped font at ``size``."""
    return {"fontfamily": FAMILIES, "fontsize": size}


def legend_font(size: float = SMALL_PT) -> dict[str, Any]:
    """A legend's ``prop`` in the shipped font."""
    return {"family": FAMILIES, "size": size}


def new_figure(width_in: float, height_in: float) -> Figure:
    """A blank figure of that size (inches), white, with the font registered."""
    register_font()
    return Figure(figsize=(width_in, height_in), facecolor="white", layout="constrained")


def style_axes(ax: Axes, *, grid_axis: Literal["x", "y", "both", ""] = "y") -> None:
    """Tick labels in the shipped font, light grid lines, no top and right spines."""
    ax.tick_params(labelsize=TICK_PT, labelfontfamily=FAMILY, colors=INK)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    if grid_axis:
        ax.grid(True, axis=grid_axis, color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)


def empty_message(fig: Figure, title: str, message: str) -> Figure:
    """``fig`` with a title and a centred message instead of a plot (nothing to draw)."""
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title, color=INK, **font(TITLE_PT))
    ax.text(0.5, 0.5, message, ha="center", va="center", color=MUTED, **font(LABEL_PT))
    return fig


def png_bytes(fig: Figure, dpi: int = 200) -> bytes:
    """The figure as PNG bytes at ``dpi`` (200 by default: sharp in print)."""
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return out.getvalue()
