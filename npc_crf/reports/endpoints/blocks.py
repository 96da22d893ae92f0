"""Building blocks of the endpoint reports: any :class:`~npc_crf.endpoints.model.Table`
as a ruled table that splits across pages with its header repeated, cell values
as text, and a matplotlib figure embedded as a PNG image with its caption.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Image, KeepTogether

from npc_crf.endpoints.model import Table
from npc_crf.reports.endpoints.words import g
from npc_crf.reports.layout import Styles, para, table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: figures are embedded at this resolution (sharp in print)
FIGURE_DPI = 200
#: the tallest a figure is set, leaving room for its heading and caption on a page
FIGURE_MAX_HEIGHT = 150 * mm
#: a column is never narrower than this
MIN_COLUMN = 11 * mm
#: the width of a half-width character in a table cell, and a cell's side padding (points)
CHAR_WIDTH = 5.2
PADDING = 8.0
#: tables with more columns than this are set in the small cell style
SMALL_ABOVE = 8

Value = str | int | float | None


def cell_text(value: Value) -> str:
    """A table value as it is printed: empty for None, whole numbers as they are,
    other numbers to four significant digits (at most four decimals), without trailing
    zeros."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if math.isinf(value):
            return "∞" if value > 0 else "−∞"
        if value == 0:
            return "0"
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        magnitude = math.floor(math.log10(abs(value)))
        text = f"{value:.{min(max(3 - magnitude, 0), 4)}f}"
        # 96.2 and 3.8 (percentages to one decimal), not 96.20 and 3.800
        return text.rstrip("0").rstrip(".") if "." in text else text
    return value


def text_width(text: str) -> int:
    """The width of ``text`` in half-width characters (a Chinese character counts 2)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def column_widths(
    header: Sequence[str], rows: Sequence[Sequence[str]], width: float
) -> list[float]:
    """Column widths (points) by the length of what each column holds: the longest
    cell up to 40 characters, the header up to 16 at least. A table that needs
    less than ``width`` keeps its natural widths; a wider one shares ``width``."""
    weights: list[float] = []
    for index, head in enumerate(header):
        longest = max((text_width(r[index]) for r in rows if index < len(r)), default=0)
        heading = min(text_width(head), 16)
        weights.append(float(min(max(longest, heading, 4), 40)))
    natural = [max(w * CHAR_WIDTH + PADDING, MIN_COLUMN) for w in weights]
    if sum(natural) <= width:
        return natural
    widths = [max(width * w / sum(weights), MIN_COLUMN) for w in weights]
    scale = width / sum(widths)
    return [w * scale for w in widths]


def _numeric(value: Value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def table_block(
    data: Table,
    lang: str,
    st: Styles,
    width: float,
    *,
    heading: ParagraphStyle | None = None,
    number: int | None = None,
) -> list[Flowable]:
    """``data`` as a heading (numbered when ``number`` is given), a ruled table (header
    repeated on every page it runs onto, rows never cut) and its note, in ``lang``."""
    zh = lang == "zh"
    title = data.title_zh if zh else data.title_en
    if number is not None:
        title = f"{number}. {title}"
    header = [zh_ if zh else en for en, zh_ in data.columns]
    texts = [[cell_text(v) for v in row] for row in data.rows]
    small = len(header) > SMALL_ABOVE
    body = st.cell_small if small else st.cell
    right = ParagraphStyle(f"{body.name}-right", parent=body, alignment=TA_RIGHT)
    cells: list[list[object]] = [list(header)]
    for row, text in zip(data.rows, texts, strict=True):
        cells.append(
            [para(t, right if _numeric(v) else body) for v, t in zip(row, text, strict=False)]
            + [""] * (len(header) - len(row))
        )
    out: list[Flowable] = [CondPageBreak(35 * mm), para(title, heading or st.h2)]
    if not data.rows:
        out.append(para(g("empty_table", lang), st.muted))
    else:
        out.append(table(cells, column_widths(header, texts, width), st, small=small))
    note = data.note_zh if zh else data.note_en
    if note:
        out.append(para(note, st.muted))
    return out


def figure_block(
    fig: Figure, caption: str, st: Styles, width: float, *, heading: str = ""
) -> Flowable:
    """``fig`` as a PNG image at :data:`FIGURE_DPI`, scaled to fit ``width`` and
    :data:`FIGURE_MAX_HEIGHT`, kept on one page with its heading and caption."""
    from npc_crf.endpoints.figures.style import png_bytes

    fig_w, fig_h = fig.get_size_inches()
    w = float(fig_w) * 72.0
    h = float(fig_h) * 72.0
    scale = min(1.0, width / w, FIGURE_MAX_HEIGHT / h)
    image = Image(io.BytesIO(png_bytes(fig, FIGURE_DPI)), width=w * scale, height=h * scale)
    image.hAlign = "CENTER"
    parts: list[Flowable] = []
    if heading:
        parts.append(para(heading, st.h3))
    parts += [image, para(caption, st.muted)]
    return KeepTogether(parts)
