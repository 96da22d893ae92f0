"""Paragraph styles, tables and small building blocks shared by every document.

Everything is set in the shipped fonts (:mod:`npc_crf.reports.fonts`) and every
text goes through :func:`~npc_crf.reports.fonts.markup`, so callers pass plain
strings (codes, values, Chinese labels) and never write markup by hand.
Tables repeat their header rows on each page and break only between rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from npc_crf.forms.model import Text
from npc_crf.reports.fonts import FONT, markup, register_fonts

#: the colours of the documents (print well in greyscale too)
INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#5b6370")
RULE = colors.HexColor("#9aa3ad")
BAND = colors.HexColor("#e4e9ef")
HEADER_FILL = colors.HexColor("#d5dde6")
ZEBRA = colors.HexColor("#f5f7f9")
ACCENT = colors.HexColor("#1f4e79")
WARN = colors.HexColor("#a33b00")
OK = colors.HexColor("#2e6b30")
NOTE_FILL = colors.HexColor("#fff6dc")

#: tick boxes (drawn in the symbol face when the main one lacks them)
BOX = "☐"
BOX_TICKED = "☒"


def L(en: str, zh: str) -> Text:
    """A text in both languages (``L("Subject", "受试者").get(lang)``)."""
    return Text(en, zh)


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of one document."""

    body: ParagraphStyle
    small: ParagraphStyle
    tiny: ParagraphStyle
    muted: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    cell_small: ParagraphStyle
    code: ParagraphStyle
    right: ParagraphStyle
    centered: ParagraphStyle
    note: ParagraphStyle


def make_styles(base_size: float = 9.0) -> Styles:
    """The styles at a base size (points)."""
    register_fonts()
    s = base_size

    def style(name: str, size: float, **kw: Any) -> ParagraphStyle:
        kw.setdefault("leading", size * 1.35)
        kw.setdefault("textColor", INK)
        return ParagraphStyle(name, fontName=FONT, fontSize=size, **kw)

    return Styles(
        body=style("body", s),
        small=style("small", s - 1),
        tiny=style("tiny", s - 2, textColor=MUTED),
        muted=style("muted", s - 1, textColor=MUTED),
        title=style("title", s + 9, leading=(s + 9) * 1.3, textColor=ACCENT, spaceAfter=4),
        subtitle=style("subtitle", s + 2, textColor=MUTED, spaceAfter=6),
        h1=style(
            "h1",
            s + 5,
            textColor=colors.white,
            backColor=ACCENT,
            borderPadding=(3, 4, 3, 4),
            spaceBefore=8,
            spaceAfter=7,
        ),
        h2=style(
            "h2",
            s + 2.5,
            textColor=ACCENT,
            backColor=BAND,
            borderPadding=(2, 3, 2, 3),
            spaceBefore=7,
            spaceAfter=5,
        ),
        h3=style("h3", s + 1, textColor=ACCENT, spaceBefore=5, spaceAfter=2),
        cell=style("cell", s - 0.5, leading=(s - 0.5) * 1.25),
        cell_head=style("cell_head", s - 0.5, leading=(s - 0.5) * 1.25, textColor=ACCENT),
        cell_small=style("cell_small", s - 1.5, leading=(s - 1.5) * 1.25, textColor=MUTED),
        code=style("code", s - 1.5, textColor=MUTED),
        right=style("right", s, alignment=TA_RIGHT),
        centered=style("centered", s, alignment=TA_CENTER),
        note=style("note", s - 0.5, backColor=NOTE_FILL, borderPadding=(2, 3, 2, 3), spaceAfter=4),
    )


def para(text: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain ``text`` (escaped; symbols in the symbol face)."""
    return Paragraph(markup(text), style)


def rich(parts: Sequence[tuple[object, ParagraphStyle | None]], style: ParagraphStyle) -> Paragraph:
    """One paragraph of several plain runs, each optionally in another style's size and
    colour (``rich([("AETERM", st.code), ("  Term", None)], st.cell)``)."""
    out: list[str] = []
    for text, run_style in parts:
        chunk = markup(text)
        if run_style is not None:
            colour = run_style.textColor.hexval()[2:] if run_style.textColor else "000000"
            chunk = f'<font size="{run_style.fontSize}" color="#{colour}">{chunk}</font>'
        out.append(chunk)
    return Paragraph("".join(out), style)


Cell = object  # a plain value (made a paragraph) or a Flowable


def table(
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[float],
    styles: Styles,
    *,
    header_rows: int = 1,
    zebra: bool = True,
    grid: bool = True,
    small: bool = False,
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    """A ruled table of ``rows`` with column ``widths`` (points).

    Plain cells become wrapped paragraphs; the first ``header_rows`` rows are set
    as a header and repeated on every page the table runs onto. Rows are never
    cut across pages. ``extra`` adds TableStyle commands (row colours, spans).
    """
    body = styles.cell_small if small else styles.cell
    data = [
        [
            c if isinstance(c, Flowable) else para(c, styles.cell_head if n < header_rows else body)
            for c in row
        ]
        for n, row in enumerate(rows)
    ]
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # empty cells would otherwise ask for Helvetica
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if grid:
        commands.append(("GRID", (0, 0), (-1, -1), 0.4, RULE))
    else:
        commands.append(("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE))
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_FILL))
    if zebra:
        for n in range(header_rows, len(data)):
            if (n - header_rows) % 2 == 1:
                commands.append(("BACKGROUND", (0, n), (-1, n), ZEBRA))
    commands.extend(extra)
    result = Table(data, colWidths=list(widths), repeatRows=header_rows, hAlign="LEFT")
    result.setStyle(TableStyle(commands))
    return result


def fields(
    pairs: Sequence[tuple[object, object]],
    width: float,
    styles: Styles,
    *,
    columns: int = 2,
    label_share: float = 0.38,
) -> Table:
    """Label/value pairs in ``columns`` column pairs, without a header (cover pages,
    subject summaries)."""
    per = width / columns
    widths = [per * label_share, per * (1 - label_share)] * columns
    rows: list[list[Cell]] = []
    for start in range(0, len(pairs), columns):
        row: list[Cell] = []
        for label, value in pairs[start : start + columns]:
            row += [para(label, styles.muted), para(value, styles.cell)]
        row += [""] * (2 * columns - len(row))
        rows.append(row)
    return table(rows, widths, styles, header_rows=0, zebra=False, grid=False)


def boxes(options: Sequence[object], styles: Styles, *, ticked: Sequence[bool] = ()) -> Paragraph:
    """Tick boxes for code-list options on one wrapped paragraph (``☐ Yes   ☐ No``)."""
    parts = []
    for n, label in enumerate(options):
        mark = BOX_TICKED if n < len(ticked) and ticked[n] else BOX
        parts.append(f"{mark}\u00a0{label}")
    return para("    ".join(parts), styles.cell)


def keep(*flowables: Flowable) -> KeepTogether:
    """Flowables kept on one page when they fit (a heading with its first table)."""
    return KeepTogether(list(flowables))


def gap(height_mm: float = 3) -> Spacer:
    """Vertical space."""
    return Spacer(1, height_mm * mm)
