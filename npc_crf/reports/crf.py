"""Blank and annotated case report forms, printed from the study definitions.

A **blank CRF** is for wards that write on paper first: each form laid out like
the screen (sections, numbered items, units), with an entry area per item —
writing lines and character boxes, digit boxes with the unit, date boxes
``[Y][Y][Y][Y]-[M][M]-[D][D]`` (with the UNK rule for partial dates), tick boxes
for yes/no and code lists, a write-in line for huge lookup lists, the
missing-data codes an item accepts as small tick boxes, skip logic as an
instruction in words, repeating groups as ruled tables with empty rows, and
calculated items as what they compute. A box at the top of each form takes the
subject ID, visit, date and the initials of who completed it.

The **annotated CRF** is the same pages with a data manager's note under each
item: OIDs, data type, code values, ranges, lengths, expressions and flags.

The whole study starts with a cover page: the study, the protocol, the schedule
of events as a table, and the list of forms.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm as _mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Paragraph, Table, TableStyle

from npc_crf.core.errors import UsageError
from npc_crf.forms.canonical import form_hash, study_hash
from npc_crf.forms.model import (
    CodeList,
    Event,
    EventKind,
    Form,
    Item,
    ItemType,
    Range,
    SdvLevel,
    Section,
    Study,
    Text,
)
from npc_crf.reports import expr_words
from npc_crf.reports.document import RenderedPdf, RenderOptions, page_width, render
from npc_crf.reports.fonts import FONT, SYMBOLS, has_glyph
from npc_crf.reports.layout import (
    ACCENT,
    BOX,
    INK,
    MUTED,
    RULE,
    WARN,
    L,
    Styles,
    fields,
    gap,
    keep,
    make_styles,
    para,
    rich,
    table,
)

#: one millimetre in points
MM = float(_mm)

#: a code list longer than this is a write-in line (and in annotations, a count)
HUGE_LIST = 40
#: rows printed for a repeating group without a (small) row limit
GROUP_ROWS = 6
#: most rows printed for a group
GROUP_ROWS_MAX = 8

#: the colours of a data manager's annotation
ANNOT = colors.HexColor("#5b2a86")
ANNOT_FILL = colors.HexColor("#f4effa")
#: the faint hint letters inside writing boxes
HINT = colors.HexColor("#b8c0c8")

BOX_SIZE = 4.6 * MM

# -- the documents' own words ----------------------------------------------------------

T = {
    "blank": L("Blank case report form", "空白病例报告表"),
    "annotated": L("Annotated case report form", "注释病例报告表"),
    "blank_about": L(
        "Subject ID: ______________   Site: ________", "受试者编号：______________   中心：________"
    ),
    "study": L("Study", "研究"),
    "protocol": L("Protocol", "方案"),
    "protocol_title": L("Protocol title", "方案标题"),
    "registry": L("Registry", "注册号"),
    "definitions": L("Definitions version", "定义版本"),
    "definitions_hash": L("Definitions content hash", "定义内容哈希"),
    "arms": L("Arms", "治疗组"),
    "version": L("version", "版本"),
    "schedule": L("Schedule of events", "访视计划"),
    "events": L("Events", "访视/事件"),
    "event": L("Event", "访视/事件"),
    "timing": L("When", "时间"),
    "forms": L("Forms", "表单"),
    "form": L("Form", "表单"),
    "no": L("No.", "序号"),
    "how": L("How to fill in these forms", "填写说明"),
    "how_required": L(
        "* marks an item that must be answered (a missing-data code also answers it).",
        "* 表示必填项（填写缺失数据代码亦视为已填写）。",
    ),
    "how_tick": L(
        "☐ tick one box; where it says so, tick all boxes that apply.",
        "☐ 勾选一项；注明“可多选”处勾选所有适用项。",
    ),
    "how_dates": L(
        "Write dates as year-month-day (2024-03-15). Where UNK is allowed, write UNK for an unknown day or month.",
        "日期按年-月-日填写（2024-03-15）。允许UNK时，日或月不详可填写UNK。",
    ),
    "how_skip": L(
        "↳ An instruction under an item says when to answer it; otherwise leave it blank.",
        "↳ 项目下方的说明指明何时填写；不符合条件时留空。",
    ),
    "how_missing": L(
        "Instead of a value an item may take one of these missing-data codes:",
        "无法填写数值时，可使用以下缺失数据代码：",
    ),
    "subject_id": L("Subject ID", "受试者编号"),
    "visit_date": L("Visit date", "访视日期"),
    "initials": L("Completed by (initials)", "填写人（姓名缩写）"),
    "visit": L("Visit / event", "访视/事件"),
    "occurrence_no": L("no. ____", "第____次"),
    "required_legend": L("* required", "* 必填"),
    "missing_legend": L("Missing-data codes", "缺失数据代码"),
    "tick_one": L("tick one", "单选"),
    "tick_all": L("tick all that apply", "可多选"),
    "or_missing": L("or", "或"),
    "unk_day_month": L(
        "Write UNK for an unknown day or month; at least the year is needed.",
        "日或月不详时填写UNK；至少须填写年份。",
    ),
    "unk_day": L(
        "Write UNK for an unknown day; the year and month are needed.",
        "日不详时填写UNK；须填写年和月。",
    ),
    "lookup": L(
        "Write the term from code list {oid} ({count} terms).",
        "按代码表{oid}填写术语（共{count}项）。",
    ),
    "file": L(
        "Attach a copy of the source document ({accept}; at most {size} MB).",
        "附源文件复印件（{accept}；不超过{size} MB）。",
    ),
    "attached": L("attached", "已附"),
    "up_to_rows": L("up to {n} rows", "最多{n}行"),
    "at_least_rows": L("at least {n} rows", "至少{n}行"),
    "more_rows": L(
        "Continue on an extra sheet if more rows are needed.", "如行数不够，请续页填写。"
    ),
    "write_code": L("write the code", "填写代码"),
    "other_columns": L("Missing-data codes in the other columns", "其他各列可用的缺失数据代码"),
    "calculated_cell": L("calculated", "自动计算"),
    "yes": L("Yes", "是"),
    "no_word": L("No", "否"),
    # annotations
    "a_form": L(
        "Form {oid} · version {version} · SDV: {sdv} · content hash {hash}",
        "表单 {oid} · 版本 {version} · SDV：{sdv} · 内容哈希 {hash}",
    ),
    "a_section": L("Section {oid}", "部分 {oid}"),
    "a_group": L("group {oid} · rows {rows}", "重复组 {oid} · 行数 {rows}"),
    "a_in_group": L("in group {oid}", "属于重复组 {oid}"),
    "a_required": L("required", "必填"),
    "a_sdv": L("SDV", "SDV"),
    "a_phi": L("PHI", "个人隐私信息"),
    "a_codelist": L("Code list {oid}", "代码表 {oid}"),
    "a_huge": L(
        "Code list {oid}: built-in list {source}, {count} terms",
        "代码表 {oid}：内置列表 {source}，共{count}项",
    ),
    "a_many": L("Code list {oid}: {count} codes", "代码表 {oid}：共{count}个代码"),
    "a_unit": L("unit {unit}", "单位 {unit}"),
    "a_precision": L("precision {n}", "小数位 {n}"),
    "a_min_precision": L("at least {p}", "至少精确到{p}"),
    "a_max_length": L("max length {n}", "最大长度 {n}"),
    "a_hard": L("hard range {r}", "硬范围 {r}"),
    "a_soft": L("soft range {r}", "软范围 {r}"),
    "a_accept": L("accept {accept}; up to {size} MB", "文件类型 {accept}；不超过 {size} MB"),
    "a_missing": L("missing-data codes: {codes}", "缺失数据代码：{codes}"),
    "a_none": L("none", "无"),
    "a_relevant": L("relevant", "相关条件"),
    "a_required_if": L("required if", "条件必填"),
    "a_calculate": L("calculate", "计算"),
    "a_constraint": L("constraint ({severity})", "约束（{severity}）"),
    "hard": L("hard", "强制"),
    "soft": L("soft", "提示"),
}

#: how each event kind is said
_KIND = {
    EventKind.SCHEDULED: L("scheduled", "计划内"),
    EventKind.UNSCHEDULED: L("unscheduled, when needed", "计划外，按需"),
    EventKind.COMMON: L(
        "for the subject as a whole, when it happens", "针对受试者整体，发生时填写"
    ),
}


#: form SDV levels in words
_SDV = {
    SdvLevel.ALL: L("all items", "全部项目"),
    SdvLevel.CRITICAL: L("critical items", "关键项目"),
    SdvLevel.NONE: L("none", "无"),
}


def _t(key: str, lang: str, **values: object) -> str:
    text = T[key].get(lang)
    return text.format(**values) if values else text


# -- drawing helpers -------------------------------------------------------------------


def _draw_text(canvas: Any, x: float, y: float, text: str, size: float) -> float:
    """Draw ``text`` at (x, y) in the main face, switching to the symbol face for the
    characters it lacks; returns the x where the text ends."""
    run: list[str] = []
    run_symbols = False

    def flush() -> None:
        nonlocal x
        if not run:
            return
        chunk = "".join(run)
        face = SYMBOLS if run_symbols else FONT
        canvas.setFont(face, size)
        canvas.drawString(x, y, chunk)
        x += pdfmetrics.stringWidth(chunk, face, size)
        run.clear()

    for char in text:
        symbols = char != " " and not has_glyph(char)
        if symbols != run_symbols:
            flush()
            run_symbols = symbols
        run.append(char)
    flush()
    return x


def _text_width(text: str, size: float) -> float:
    return float(
        sum(
            pdfmetrics.stringWidth(c, FONT if c == " " or has_glyph(c) else SYMBOLS, size)
            for c in text
        )
    )


class Boxes(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A row of writing boxes: ``("box", hint)`` is a box with a faint hint letter,
    ``("sep", text)`` a separator between boxes; ``after`` (a unit) follows."""

    def __init__(
        self, tokens: Sequence[tuple[str, str]], after: str = "", size: float = BOX_SIZE
    ) -> None:
        super().__init__()
        self.tokens = list(tokens)
        self.after = after
        self.size = size

    def _sep_width(self, text: str) -> float:
        return max(self.size * 0.55, _text_width(text, self.size * 1.6 / MM) + 2)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        width = 0.0
        for kind, text in self.tokens:
            width += self.size if kind == "box" else self._sep_width(text)
        if self.after:
            width += 2 * MM + _text_width(self.after, 8.5)
        self.width = width
        self.height = self.size + 2
        return width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setLineWidth(0.7)
        canvas.setStrokeColor(INK)
        x = 0.0
        base = 1.0
        hint_size = self.size * 0.5
        for kind, text in self.tokens:
            if kind == "box":
                canvas.rect(x, base, self.size, self.size, stroke=1, fill=0)
                if text:
                    canvas.setFillColor(HINT)
                    width = _text_width(text, hint_size)
                    _draw_text(
                        canvas,
                        x + (self.size - width) / 2,
                        base + self.size * 0.3,
                        text,
                        hint_size,
                    )
                x += self.size
            else:
                canvas.setFillColor(INK)
                width = self._sep_width(text)
                size = self.size * 1.6 / MM
                y = base + self.size / 2 - size * 0.3
                _draw_text(canvas, x + (width - _text_width(text, size)) / 2, y, text, size)
                x += width
        if self.after:
            canvas.setFillColor(INK)
            _draw_text(canvas, x + 2 * MM, base + 2.5, self.after, 8.5)
        canvas.restoreState()


class Lines(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """``count`` ruled writing lines across the available width."""

    def __init__(self, count: int = 1, spacing: float = 7 * MM, width: float | None = None) -> None:
        super().__init__()
        self.count = max(1, count)
        self.spacing = spacing
        self.fixed = width

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = self.fixed if self.fixed is not None else avail_width
        self.height = self.count * self.spacing
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        for n in range(self.count):
            y = n * self.spacing + 1
            canvas.line(0, y, self.width, y)
        canvas.restoreState()


class Vertical(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A short text set upright (the column heads of the schedule of events)."""

    def __init__(self, text: str, size: float = 7.5) -> None:
        super().__init__()
        self.text = text
        self.size = size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = self.size * 1.3
        self.height = _text_width(self.text, self.size) + 4
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.translate(self.size * 1.0, 2)
        canvas.rotate(90)
        _draw_text(canvas, 0, 0, self.text, self.size)
        canvas.restoreState()


class RowNumber(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A row number that holds its row open to a writing height."""

    def __init__(self, number: int, height: float = 7 * MM) -> None:
        super().__init__()
        self.number = number
        self.row_height = height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.height = self.row_height
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(MUTED)
        _draw_text(canvas, 0, self.row_height - 8, str(self.number), 7.5)
        canvas.restoreState()


# -- what a form is made of -------------------------------------------------------------


@dataclass(frozen=True)
class _Ctx:
    """Everything the form builders need: the study, the language, the styles."""

    study: Study
    lang: str
    st: Styles
    width: float
    annotated: bool
    required: ParagraphStyle
    skip: ParagraphStyle
    ann: ParagraphStyle
    ann_head: ParagraphStyle
    on_band: ParagraphStyle
    tiny_head: ParagraphStyle

    def w(self, text: Text) -> str:
        return text.get(self.lang)


def _context(study: Study, lang: str, width: float, annotated: bool) -> _Ctx:
    st = make_styles()
    return _Ctx(
        study=study,
        lang=lang,
        st=st,
        width=width,
        annotated=annotated,
        required=ParagraphStyle("required", parent=st.body, textColor=WARN),
        skip=ParagraphStyle("skip", parent=st.small, textColor=MUTED, leftIndent=2),
        ann=ParagraphStyle(
            "annotation", parent=st.small, fontSize=7.2, leading=9.2, textColor=ANNOT
        ),
        ann_head=ParagraphStyle(
            "annotation_head", parent=st.small, fontSize=8, leading=10, textColor=ANNOT
        ),
        on_band=ParagraphStyle("on_band", parent=st.small, textColor=colors.HexColor("#d6e2ee")),
        tiny_head=ParagraphStyle("tiny_head", parent=st.tiny, textColor=ACCENT),
    )


def _yes_no(ctx: _Ctx) -> tuple[str, str]:
    return _t("yes", ctx.lang), _t("no_word", ctx.lang)


def _unit(ctx: _Ctx, item: Item) -> str:
    return item.unit.get(ctx.lang) if item.unit is not None else ""


def _digit_boxes(item: Item) -> tuple[int, int]:
    """How many boxes before and after the decimal point a number item gets."""
    whole = 4
    hard = item.hard_range
    if hard is not None and isinstance(hard.max, Decimal):
        whole = len(str(abs(int(hard.max))))
        if isinstance(hard.min, Decimal) and hard.min < 0:
            whole += 1
    whole = max(1, min(whole, 8))
    if item.type is ItemType.INTEGER:
        return whole, 0
    places = item.precision if item.precision is not None else 2
    return whole, min(places, 4)


def _date_tokens(lang: str) -> list[tuple[str, str]]:
    y, m, d = ("年", "月", "日") if lang == "zh" else ("Y", "M", "D")
    return [
        ("box", y),
        ("box", y),
        ("box", y),
        ("box", y),
        ("sep", "-"),
        ("box", m),
        ("box", m),
        ("sep", "-"),
        ("box", d),
        ("box", d),
    ]


def _time_tokens(lang: str) -> list[tuple[str, str]]:
    h, m = ("时", "分") if lang == "zh" else ("h", "m")
    return [("box", h), ("box", h), ("sep", ":"), ("box", m), ("box", m)]


class TextLine(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """One short line of text that never wraps (drawn directly: cheaper than a paragraph)."""

    def __init__(self, text: str, size: float, colour: Any = INK) -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.colour = colour

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = _text_width(self.text, self.size)
        self.height = self.size * 1.3
        return self.width, self.height

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.setFillColor(self.colour)
        _draw_text(self.canv, 0, self.size * 0.3, self.text, self.size)
        self.canv.restoreState()


class OptionGrid(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """Tick boxes with short labels in a grid, row by row (labels never wrap)."""

    def __init__(
        self, labels: Sequence[str], columns: int, column_width: float, size: float
    ) -> None:
        super().__init__()
        self.labels = [f"{BOX}\u00a0{label}" for label in labels]
        self.columns = columns
        self.column_width = column_width
        self.size = size
        self.leading = size * 1.3

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        rows = math.ceil(len(self.labels) / self.columns)
        self.width = self.columns * self.column_width
        self.height = rows * self.leading + 1
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(INK)
        for n, label in enumerate(self.labels):
            row, column = divmod(n, self.columns)
            y = self.height - (row + 1) * self.leading + self.size * 0.3
            _draw_text(canvas, column * self.column_width, y, label, self.size)
        canvas.restoreState()


def _options(ctx: _Ctx, labels: Sequence[str], width: float) -> Flowable:
    """Tick boxes for the options of a code list, in as many columns as fit."""
    size = ctx.st.cell.fontSize
    widest = max((_text_width(label, size) for label in labels), default=0) + 6 * MM
    columns = max(1, min(len(labels), int(width // max(widest, 1)), 6))
    rows = math.ceil(len(labels) / columns)
    column_width = width / columns if columns > 2 else min(width / columns, widest + 10 * MM)
    if widest <= column_width:
        return OptionGrid(labels, columns, column_width, size)
    cells: list[list[Any]] = []
    for r in range(rows):
        row: list[Any] = []
        for c in range(columns):
            n = r * columns + c
            row.append(para(f"{BOX}\u00a0{labels[n]}", ctx.st.cell) if n < len(labels) else "")
        cells.append(row)
    result = Table(cells, colWidths=[column_width] * columns, hAlign="LEFT")
    result.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
            ]
        )
    )
    return result


def _huge(codelist: CodeList) -> bool:
    return codelist.source is not None or len(codelist.items) > HUGE_LIST


def _missing_line(ctx: _Ctx, item: Item) -> Flowable | None:
    codes = ctx.study.missing_codes_for(item)
    if not codes:
        return None
    boxes = "  ".join(f"{BOX}\u00a0{code}" for code in codes)
    return TextLine(f"{_t('or_missing', ctx.lang)}  {boxes}", ctx.st.tiny.fontSize, MUTED)


def _entry(ctx: _Ctx, form: Form, item: Item, width: float) -> list[Flowable]:
    """The entry area of an item: boxes, lines or tick boxes, and their hints."""
    st, lang = ctx.st, ctx.lang
    kind = item.type
    unit = _unit(ctx, item)
    out: list[Flowable] = []
    if kind is ItemType.CALCULATED and item.calculate is not None:
        words = expr_words.calculation_text(item.calculate, ctx.study, form, lang, item=item)
        if unit:
            words = f"{words}（{unit}）" if lang == "zh" else f"{words} ({unit})"
        return [para(words, ctx.skip)]
    if kind in (ItemType.TEXT, ItemType.LONG_TEXT):
        if kind is ItemType.TEXT and item.max_length is not None and item.max_length <= 12:
            out.append(Boxes([("box", "")] * item.max_length, unit))
        else:
            lines = 4 if kind is ItemType.LONG_TEXT else 1
            if item.max_length is not None and kind is ItemType.TEXT:
                lines = max(1, min(3, math.ceil(item.max_length / 70)))
            out.append(Lines(lines))
    elif kind in (ItemType.INTEGER, ItemType.DECIMAL):
        whole, places = _digit_boxes(item)
        tokens: list[tuple[str, str]] = [("box", "")] * whole
        if places:
            tokens = [*tokens, ("sep", "."), *([("box", "")] * places)]
        out.append(Boxes(tokens, unit))
    elif kind in (ItemType.DATE, ItemType.PARTIAL_DATE):
        out.append(Boxes(_date_tokens(lang), unit))
        if kind is ItemType.PARTIAL_DATE and item.min_precision != "day":
            key = "unk_day" if item.min_precision == "month" else "unk_day_month"
            out.append(para(_t(key, lang), st.tiny))
    elif kind is ItemType.TIME:
        out.append(Boxes(_time_tokens(lang), unit))
    elif kind is ItemType.DATETIME:
        out.append(Boxes([*_date_tokens(lang), ("sep", "  "), *_time_tokens(lang)], unit))
    elif kind is ItemType.YES_NO:
        out.append(_options(ctx, _yes_no(ctx), width))
    elif kind in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE, ItemType.LOOKUP):
        out += _choice_entry(ctx, item, width)
    elif kind is ItemType.FILE:
        accept = ", ".join(item.accept) or "pdf, jpg, png, tif"
        out.append(para(_t("file", lang, accept=accept, size=item.max_size_mb or 20), st.small))
        out.append(_options(ctx, [_t("attached", lang)], width))
    missing = _missing_line(ctx, item) if item.takes_input else None
    if missing is not None:
        out.append(missing)
    return out


def _choice_entry(ctx: _Ctx, item: Item, width: float) -> list[Flowable]:
    codelist = ctx.study.codelist_for(item)
    if codelist is None:
        return [Lines(1)]
    if item.type is ItemType.LOOKUP or _huge(codelist):
        hint = _t("lookup", ctx.lang, oid=codelist.oid, count=len(codelist.items))
        return [Lines(1), para(hint, ctx.st.tiny)]
    labels = [entry.label.get(ctx.lang) for entry in codelist.items]
    out: list[Flowable] = [_options(ctx, labels, width)]
    if item.type is ItemType.MULTIPLE_CHOICE:
        out.insert(0, para(f"({_t('tick_all', ctx.lang)})", ctx.st.tiny))
    return out


def _label_cell(ctx: _Ctx, form: Form, item: Item, number: str) -> list[Flowable]:
    """The item's number, label, required mark, help and instructions."""
    st = ctx.st
    parts: list[tuple[object, ParagraphStyle | None]] = []
    if number:
        parts.append((f"{number}  ", st.muted))
    parts.append((ctx.w(item.label), None))
    if item.required and item.takes_input:
        parts.append(("\u00a0*", ctx.required))
    out: list[Flowable] = [rich(parts, st.body)]
    if item.help is not None:
        out.append(para(ctx.w(item.help), st.tiny))
    out += _instructions(ctx, form, item)
    return out


def _instructions(ctx: _Ctx, form: Form, item: Item) -> list[Flowable]:
    out: list[Flowable] = []
    what = "group" if item.is_group else "item"
    if item.relevant is not None:
        words = expr_words.skip_text(item.relevant, ctx.study, form, ctx.lang, item=item, what=what)
        out.append(para(f"↳\u00a0{words}", ctx.skip))
    if item.required_if is not None:
        words = expr_words.required_text(item.required_if, ctx.study, form, ctx.lang, item=item)
        out.append(para(f"↳\u00a0{words}", ctx.skip))
    return out


Block = tuple[list[Flowable], list[Flowable]]
"""What a builder gives: flowables to keep on one page, then the rest (KeepTogether
must not nest: an inner one makes the outer one always break the page)."""


def _item_rows(ctx: _Ctx, form: Form, item: Item, number: str) -> Block:
    """One item: its label and entry side by side, then (annotated) its annotation."""
    if item.type is ItemType.NOTE:
        note: list[Flowable] = [para(ctx.w(item.label), ctx.st.note)]
        if item.help is not None:
            note.append(para(ctx.w(item.help), ctx.st.tiny))
        note += _instructions(ctx, form, item)
        if ctx.annotated:
            note.append(_annotation(ctx, form, item, None))
        return note, []
    label_width = ctx.width * 0.42
    entry_width = ctx.width - label_width
    row = Table(
        [[_label_cell(ctx, form, item, number), _entry(ctx, form, item, entry_width - 8)]],
        colWidths=[label_width, entry_width],
        hAlign="LEFT",
    )
    row.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
            ]
        )
    )
    if not ctx.annotated:
        return [row], []
    return [row, _annotation(ctx, form, item, None)], []


# -- repeating groups --------------------------------------------------------------------


def _column_width(item: Item) -> float:
    """The width a column of a ruled table would like (points)."""
    kind = item.type
    if kind in (ItemType.DATE, ItemType.PARTIAL_DATE, ItemType.DATETIME):
        return 24 * MM
    if kind is ItemType.TEXT:
        length = item.max_length or 40
        return max(14 * MM, min(40 * MM, length * 0.9 * MM))
    if kind in (ItemType.LONG_TEXT, ItemType.LOOKUP):
        return 40 * MM
    if kind is ItemType.YES_NO:
        return 17 * MM
    if kind in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE):
        return 22 * MM
    return 18 * MM


def _chunks(columns: Sequence[Item], room: float) -> list[list[Item]]:
    """The group's columns split into tables that fit the page width, of about
    the same width each."""
    total = sum(_column_width(c) for c in columns)
    target = total / max(1, math.ceil(total / room))
    chunks: list[list[Item]] = [[]]
    used = 0.0
    for column in columns:
        want = _column_width(column)
        if chunks[-1] and (used + want > room or used + want / 2 > target):
            chunks.append([])
            used = 0.0
        chunks[-1].append(column)
        used += want
    return chunks


def _column_head(ctx: _Ctx, column: Item) -> Paragraph:
    st = ctx.st
    parts: list[tuple[object, ParagraphStyle | None]] = [(ctx.w(column.label), None)]
    unit = _unit(ctx, column)
    if unit:
        parts.append((f" ({unit})", st.cell_small))
    if column.required and column.takes_input:
        parts.append((" *", ctx.required))
    if column.type in (ItemType.DATE, ItemType.PARTIAL_DATE, ItemType.DATETIME):
        hint = "年-月-日" if ctx.lang == "zh" else "YYYY-MM-DD"
        parts.append((f"  {hint}", st.cell_small))
    elif column.type in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE, ItemType.LOOKUP):
        parts.append((f"  ({_t('write_code', ctx.lang)})", st.cell_small))
    return rich(parts, st.cell_head)


def _column_cell(ctx: _Ctx, column: Item) -> object:
    if column.type is ItemType.YES_NO:
        yes, no = _yes_no(ctx)
        return para(f"{BOX}\u00a0{yes}  {BOX}\u00a0{no}", ctx.st.cell_small)
    if column.type is ItemType.CALCULATED:
        return para(_t("calculated_cell", ctx.lang), ctx.st.cell_small)
    return ""


def _column_notes(ctx: _Ctx, form: Form, group: Item) -> list[Flowable]:
    """Under a group's table: each column's codes, missing-data codes, help and skip logic."""
    out: list[Flowable] = []
    lang = ctx.lang
    every = tuple(m.code for m in ctx.study.missing_codes)
    for column in group.items:
        notes: list[str] = []
        codelist = ctx.study.codelist_for(column)
        if codelist is not None:
            if _huge(codelist) or column.type is ItemType.LOOKUP:
                notes.append(_t("lookup", lang, oid=codelist.oid, count=len(codelist.items)))
            else:
                pairs = " · ".join(f"{e.code} = {e.label.get(lang)}" for e in codelist.items)
                if column.type is ItemType.MULTIPLE_CHOICE:
                    pairs += f" ({_t('tick_all', lang)})"
                notes.append(pairs)
        if column.type is ItemType.PARTIAL_DATE and column.min_precision != "day":
            key = "unk_day" if column.min_precision == "month" else "unk_day_month"
            notes.append(_t(key, lang))
        if column.help is not None:
            notes.append(ctx.w(column.help))
        if column.calculate is not None:
            notes.append(
                expr_words.calculation_text(column.calculate, ctx.study, form, lang, item=column)
            )
        if column.relevant is not None:
            notes.append(expr_words.skip_text(column.relevant, ctx.study, form, lang, item=column))
        if column.required_if is not None:
            notes.append(
                expr_words.required_text(column.required_if, ctx.study, form, lang, item=column)
            )
        codes = ctx.study.missing_codes_for(column) if column.takes_input else ()
        if column.takes_input and codes != every:
            shown = ", ".join(codes) if codes else _t("a_none", lang)
            notes.append(f"{_t('missing_legend', lang)}: {shown}")
        if notes:
            sep = "：" if lang == "zh" else ": "
            out.append(
                rich(
                    [(ctx.w(column.label) + sep, ctx.tiny_head), ("  ·  ".join(notes), None)],
                    ctx.st.tiny,
                )
            )
    if every and any(
        c.takes_input and ctx.study.missing_codes_for(c) == every for c in group.items
    ):
        sep = "：" if lang == "zh" else ": "
        others = _t("other_columns", lang)
        out.append(para(f"{others}{sep}{', '.join(every)}", ctx.st.tiny))
    return out


def _group_block(ctx: _Ctx, form: Form, group: Item, number: str) -> Block:
    """A repeating group: heading, ruled tables with empty rows, column notes."""
    st, lang = ctx.st, ctx.lang
    if group.max_rows is not None and group.max_rows <= GROUP_ROWS_MAX:
        rows = group.max_rows
    else:
        rows = max(GROUP_ROWS, min(group.min_rows or 0, GROUP_ROWS_MAX))
    limits: list[str] = []
    if group.min_rows:
        limits.append(_t("at_least_rows", lang, n=group.min_rows))
    if group.max_rows is not None:
        limits.append(_t("up_to_rows", lang, n=group.max_rows))
    parts: list[tuple[object, ParagraphStyle | None]] = [
        (f"{number}  ", st.muted),
        (ctx.w(group.label), None),
    ]
    if limits:
        shown = "，".join(limits) if lang == "zh" else ", ".join(limits)
        parts.append((f"  （{shown}）" if lang == "zh" else f"  ({shown})", st.muted))
    head: list[Flowable] = [rich(parts, st.h3)]
    if group.help is not None:
        head.append(para(ctx.w(group.help), st.tiny))
    head += _instructions(ctx, form, group)
    number_width = 7 * MM
    room = ctx.width - number_width
    # rows with a long text give the hand room for two lines
    tall = any(c.type is ItemType.LONG_TEXT for c in group.items)
    height = 12 * MM if tall else 7 * MM
    tables: list[Flowable] = []
    for chunk in _chunks(group.items, room):
        wanted = sum(_column_width(c) for c in chunk)
        widths = [number_width] + [_column_width(c) * room / wanted for c in chunk]
        data: list[list[object]] = [["#", *(_column_head(ctx, c) for c in chunk)]]
        for n in range(1, rows + 1):
            data.append([RowNumber(n, height), *(_column_cell(ctx, c) for c in chunk)])
        tables.append(table(data, widths, st, zebra=False))
        tables.append(gap(1.5))
    together = [*head, *tables[:2]]
    out: list[Flowable] = tables[2:]
    if group.max_rows is None or group.max_rows > rows:
        out.append(para(_t("more_rows", lang), st.tiny))
    out += _column_notes(ctx, form, group)
    if ctx.annotated:
        out.append(gap(1))
        out.append(_annotation(ctx, form, group, None))
        for column in group.items:
            out.append(_annotation(ctx, form, column, group))
    out.append(gap(2))
    return together, out


# -- annotations ---------------------------------------------------------------------------


def _range_text(value: Range) -> str:
    low = _plain(value.min) if value.min is not None else ""
    high = _plain(value.max) if value.max is not None else ""
    if low and high:
        return f"{low} – {high}"
    return f"≥ {low}" if low else f"≤ {high}"


def _plain(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _annotation(ctx: _Ctx, form: Form, item: Item, group: Item | None) -> Flowable:
    """A data manager's note on an item: OIDs, type, codes, ranges, expressions, flags."""
    lang, study = ctx.lang, ctx.study
    lines: list[str] = []
    oid = f"{group.oid}.{item.oid}" if group is not None else item.oid
    kind = item.type.value
    if item.value_type is not None:
        kind += f" ({item.value_type.value})"
    head = [oid, kind]
    if item.is_group:
        rows = f"{item.min_rows or 0}–{item.max_rows if item.max_rows is not None else '∞'}"
        head = [_t("a_group", lang, oid=item.oid, rows=rows)]
    if item.required and item.takes_input:
        head.append(_t("a_required", lang))
    if item.sdv:
        head.append(_t("a_sdv", lang))
    if item.phi:
        head.append(_t("a_phi", lang))
    details: list[str] = []
    unit = _unit(ctx, item)
    if unit:
        details.append(_t("a_unit", lang, unit=unit))
    if item.precision is not None:
        details.append(_t("a_precision", lang, n=item.precision))
    if item.min_precision is not None:
        precision = {"year": "年", "month": "月", "day": "日"}.get(item.min_precision, "")
        shown = precision if lang == "zh" and precision else item.min_precision
        details.append(_t("a_min_precision", lang, p=shown))
    if item.max_length is not None:
        details.append(_t("a_max_length", lang, n=item.max_length))
    if item.hard_range is not None:
        details.append(_t("a_hard", lang, r=_range_text(item.hard_range)))
    if item.soft_range is not None:
        details.append(_t("a_soft", lang, r=_range_text(item.soft_range)))
    if item.type is ItemType.FILE:
        accept = ", ".join(item.accept) or "pdf, jpg, jpeg, png, tif, tiff"
        details.append(_t("a_accept", lang, accept=accept, size=item.max_size_mb or 20))
    if item.takes_input:
        codes = study.missing_codes_for(item)
        details.append(
            _t("a_missing", lang, codes=", ".join(codes) if codes else _t("a_none", lang))
        )
    if details:
        lines.append(" · ".join(details))
    codelist = study.codelist_for(item)
    if codelist is not None:
        lines.append(_codelist_note(ctx, codelist))
    for key, expression in (
        ("a_relevant", item.relevant),
        ("a_required_if", item.required_if),
        ("a_calculate", item.calculate),
    ):
        if expression is not None:
            lines.append(_expression_note(ctx, _t(key, lang), expression.source))
    for constraint in item.constraints:
        severity = _t("hard" if constraint.severity.value == "hard" else "soft", lang)
        label = _t("a_constraint", lang, severity=severity)
        message = constraint.message.get(lang)
        lines.append(_expression_note(ctx, label, f"{constraint.expr.source}  — {message}"))
    body = rich(
        [("  ·  ".join(head), ctx.ann_head), ("".join(f"\n{x}" for x in lines), None)], ctx.ann
    )
    return _annotation_box(ctx, [body], indent=6 * MM if group is not None else 0)


def _codelist_note(ctx: _Ctx, codelist: CodeList) -> str:
    lang = ctx.lang
    if codelist.source is not None:
        text = _t(
            "a_huge", lang, oid=codelist.oid, source=codelist.source, count=len(codelist.items)
        )
        return text
    if len(codelist.items) > HUGE_LIST:
        return _t("a_many", lang, oid=codelist.oid, count=len(codelist.items))
    pairs = "; ".join(f"{e.code} = {e.label.get(lang)}" for e in codelist.items)
    sep = "：" if lang == "zh" else ": "
    return f"{_t('a_codelist', lang, oid=codelist.oid)} ({codelist.type}){sep}{pairs}"


def _expression_note(ctx: _Ctx, label: str, source: str) -> str:
    sep = "：" if ctx.lang == "zh" else ": "
    return label + sep + " ".join(source.split())


def _annotation_box(ctx: _Ctx, lines: Sequence[Flowable], *, indent: float = 0) -> Table:
    box = Table([[list(lines)]], colWidths=[ctx.width - indent], hAlign="RIGHT")
    box.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("BACKGROUND", (0, 0), (-1, -1), ANNOT_FILL),
                ("LINEBEFORE", (0, 0), (0, -1), 2, ANNOT),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return box


# -- a form ------------------------------------------------------------------------------------


def _events_of(study: Study, form: Form) -> list[Event]:
    return [event for event in study.events if form.oid in event.forms]


def _header_box(ctx: _Ctx, form: Form) -> Table:
    """Subject ID, visit date, initials, and which visit: filled in on paper."""
    st, lang = ctx.st, ctx.lang
    third = ctx.width / 3
    initials = Boxes([("box", "")] * 3)
    top = [
        [
            para(_t("subject_id", lang), st.tiny),
            para(_t("visit_date", lang), st.tiny),
            para(_t("initials", lang), st.tiny),
        ],
        [Lines(1, spacing=6 * MM, width=third - 12), Boxes(_date_tokens(lang)), initials],
    ]
    events = _events_of(ctx.study, form)
    labels = [
        f"{e.name.get(lang)} {_t('occurrence_no', lang)}" if e.repeating else e.name.get(lang)
        for e in events
    ]
    rows: list[list[Any]] = [*top]
    if labels:
        rows.append([para(_t("visit", lang), st.tiny), "", ""])
        rows.append([_options(ctx, labels, ctx.width - 12), "", ""])
    box = Table(rows, colWidths=[third] * 3, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("BOX", (0, 0), (-1, -1), 0.8, INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEAFTER", (0, 0), (1, 1), 0.4, RULE),
    ]
    if labels:
        commands += [
            ("SPAN", (0, 2), (-1, 2)),
            ("SPAN", (0, 3), (-1, 3)),
            ("LINEABOVE", (0, 2), (-1, 2), 0.4, RULE),
        ]
    box.setStyle(TableStyle(commands))
    return box


def _legend(ctx: _Ctx) -> Paragraph:
    lang = ctx.lang
    codes = "; ".join(f"{m.code} – {m.name.get(lang)}" for m in ctx.study.missing_codes)
    sep = "：" if lang == "zh" else ": "
    return para(
        f"{_t('required_legend', lang)}    {_t('missing_legend', lang)}{sep}{codes}", ctx.st.tiny
    )


def _section_block(ctx: _Ctx, form: Form, section: Section, counter: list[int]) -> list[Flowable]:
    st, lang = ctx.st, ctx.lang
    head: list[Flowable] = [para(ctx.w(section.title), st.h2)]
    if section.help is not None:
        head.append(para(ctx.w(section.help), st.small))
    if section.relevant is not None:
        words = expr_words.skip_text(section.relevant, ctx.study, form, lang, what="section")
        head.append(para(f"↳\u00a0{words}", ctx.skip))
    if ctx.annotated:
        lines: list[Flowable] = [para(_t("a_section", lang, oid=section.oid), ctx.ann_head)]
        if section.relevant is not None:
            note = _expression_note(ctx, _t("a_relevant", lang), section.relevant.source)
            lines.append(para(note, ctx.ann))
        head.append(_annotation_box(ctx, lines))
    out: list[Flowable] = [CondPageBreak(40 * MM)]
    first = True
    for item in section.items:
        number = ""
        if item.type is not ItemType.NOTE:
            counter[0] += 1
            number = f"{counter[0]}."
        together, rest = (
            _group_block(ctx, form, item, number)
            if item.is_group
            else _item_rows(ctx, form, item, number)
        )
        if first:
            together = [*head, *together]
            first = False
        # a lone one-row table never splits: keeping it together would only lay it out twice
        out += [keep(*together)] if len(together) > 1 else together
        out += rest
    return out


def _form_story(ctx: _Ctx, form: Form) -> list[Flowable]:
    st, lang = ctx.st, ctx.lang
    title = rich(
        [(ctx.w(form.title), None), (f"   {_t('version', lang)} {form.version}", ctx.on_band)],
        st.h1,
    )
    story: list[Flowable] = [title]
    if ctx.annotated:
        note = _t(
            "a_form",
            lang,
            oid=form.oid,
            version=form.version,
            sdv=_SDV[form.sdv].get(lang),
            hash=form_hash(ctx.study, form)[:16],
        )
        story.append(_annotation_box(ctx, [para(note, ctx.ann_head)]))
        story.append(gap(1.5))
    story += [_header_box(ctx, form), gap(1), _legend(ctx)]
    if form.help is not None:
        story += [gap(2), para(ctx.w(form.help), st.note)]
    counter = [0]
    for section in form.sections:
        story += _section_block(ctx, form, section, counter)
    return story


# -- the cover page -----------------------------------------------------------------------------


def _timing(study: Study, event: Event, lang: str) -> str:
    """When an event happens, in words."""
    kind = _KIND[event.kind].get(lang)
    if event.kind is not EventKind.SCHEDULED:
        return kind
    parts: list[str] = [kind]
    if event.anchor == "previous":
        parts.append(
            L(
                f"{event.offset} days after the previous one",
                f"上一次后{event.offset}天",
            ).get(lang)
        )
    elif event.anchor is not None:
        anchor = study.anchors.get(event.anchor)
        name = anchor.label.get(lang) if anchor is not None else event.anchor
        if lang == "en" and name[1:2].islower():
            name = name[0].lower() + name[1:]  # "from first dose of …", mid-sentence
        parts.append(L(f"day {event.offset} from {name}", f"{name}后第{event.offset}天").get(lang))
    for phase in event.repeat:
        if phase.times is not None:
            parts.append(
                L(
                    f"every {phase.every} days ({phase.times} times)",
                    f"每{phase.every}天（共{phase.times}次）",
                ).get(lang)
            )
        else:
            parts.append(L(f"then every {phase.every} days", f"之后每{phase.every}天").get(lang))
    if event.window is not None:
        parts.append(
            L(
                f"window −{event.window.before}/+{event.window.after} days",
                f"窗口期 −{event.window.before}/+{event.window.after}天",
            ).get(lang)
        )
    if event.max_occurrences is not None:
        parts.append(
            L(f"at most {event.max_occurrences}", f"最多{event.max_occurrences}次").get(lang)
        )
    return "; ".join(parts) if lang == "en" else "；".join(parts)


def _cover(ctx: _Ctx, forms: Sequence[Form], title: str) -> list[Flowable]:
    study, st, lang = ctx.study, ctx.st, ctx.lang
    protocol = study.protocol
    story: list[Flowable] = [
        gap(4),
        para(title, st.title),
        para(study.name.get(lang), st.subtitle),
    ]
    pairs: list[tuple[object, object]] = [
        (_t("study", lang), study.oid),
        (_t("protocol", lang), f"{protocol.id} ({_t('version', lang)} {protocol.version})"),
        (_t("definitions", lang), study.version),
        (_t("registry", lang), protocol.registry or "—"),
        (_t("arms", lang), "; ".join(a.name.get(lang) for a in study.arms)),
        (_t("definitions_hash", lang), study_hash(study)[:32]),
    ]
    story.append(fields(pairs, ctx.width, st))
    story.append(gap(1))
    story.append(
        fields(
            [(_t("protocol_title", lang), protocol.title.get(lang))],
            ctx.width,
            st,
            columns=1,
            label_share=0.19,
        )
    )
    story.append(para(_t("schedule", lang), st.h2))
    story.append(_schedule(ctx, forms))
    story.append(gap(2))
    story.append(_event_list(ctx))
    story.append(para(_t("how", lang), st.h2))
    for key in ("how_required", "how_tick", "how_dates", "how_skip"):
        story.append(para(_t(key, lang), st.small))
    codes = "; ".join(f"{m.code} – {m.name.get(lang)}" for m in study.missing_codes)
    story.append(para(f"{_t('how_missing', lang)} {codes}", st.small))
    story.append(CondPageBreak(60 * MM))
    story.append(para(_t("forms", lang), st.h2))
    story.append(_form_list(ctx, forms))
    return story


def _schedule(ctx: _Ctx, forms: Sequence[Form]) -> Table:
    """Forms (rows) by events (columns), a dot where an event holds a form."""
    events = ctx.study.events
    first = 48 * MM
    each = (ctx.width - first) / max(1, len(events))
    rows: list[list[object]] = [
        [
            para(_t("form", ctx.lang), ctx.st.cell_head),
            *(Vertical(e.name.get(ctx.lang)) for e in events),
        ]
    ]
    for form in forms:
        name = ctx.w(form.title)
        if ctx.annotated:
            name = f"{name} ({form.oid})"
        rows.append([name, *("●" if form.oid in e.forms else "" for e in events)])
    extra = [
        ("ALIGN", (1, 0), (-1, -1), "CENTER"),
        ("VALIGN", (1, 0), (-1, 0), "BOTTOM"),
    ]
    result = table(rows, [first] + [each] * len(events), ctx.st, small=True, extra=extra)
    return result


def _event_list(ctx: _Ctx) -> Table:
    lang = ctx.lang
    rows: list[list[object]] = [[_t("event", lang), _t("timing", lang), _t("forms", lang)]]
    for event in ctx.study.events:
        name = event.name.get(lang)
        if ctx.annotated:
            name = f"{name} ({event.oid})"
        titles = [ctx.study.forms[f].title.get(lang) for f in event.forms if f in ctx.study.forms]
        rows.append(
            [
                name,
                _timing(ctx.study, event, lang),
                ", ".join(titles) if lang == "en" else "、".join(titles),
            ]
        )
    widths = [ctx.width * 0.22, ctx.width * 0.4, ctx.width * 0.38]
    return table(rows, widths, ctx.st, small=True)


def _form_list(ctx: _Ctx, forms: Sequence[Form]) -> Table:
    lang = ctx.lang
    head: list[object] = [
        _t("no", lang),
        _t("form", lang),
        _t("version", lang).capitalize(),
        _t("events", lang),
    ]
    rows: list[list[object]] = [head]
    for n, form in enumerate(forms, start=1):
        title = ctx.w(form.title)
        if ctx.annotated:
            title = f"{title} ({form.oid})"
        names = [e.name.get(lang) for e in _events_of(ctx.study, form)]
        rows.append(
            [str(n), title, form.version, ", ".join(names) if lang == "en" else "、".join(names)]
        )
    widths = [ctx.width * 0.07, ctx.width * 0.38, ctx.width * 0.1, ctx.width * 0.45]
    return table(rows, widths, ctx.st)


# -- the document ----------------------------------------------------------------------------


def _chosen(study: Study, form_oids: Sequence[str] | None) -> list[Form]:
    if form_oids is None:
        return list(study.forms.values())
    if isinstance(form_oids, str):
        form_oids = [form_oids]
    known = ", ".join(study.forms)
    if not form_oids:
        raise UsageError(
            f"No form was chosen for the CRF of study {study.oid}; its forms are: {known}."
        )
    chosen: list[Form] = []
    for oid in form_oids:
        form = study.forms.get(oid)
        if form is None:
            raise UsageError(f"Study {study.oid} has no form '{oid}'; its forms are: {known}.")
        if form not in chosen:
            chosen.append(form)
    return chosen


def render_crf(
    study: Study,
    options: RenderOptions,
    *,
    form_oids: Sequence[str] | None = None,
    annotated: bool = False,
) -> RenderedPdf:
    """The blank (or, with ``annotated``, annotated) CRF of ``study`` as a PDF.

    ``form_oids`` None prints the whole study after a cover page with the schedule
    of events; otherwise just those forms, in that order. An unknown form OID
    raises :class:`UsageError` naming the study's forms. ``options.progress`` and
    ``options.cancelled`` are passed on to the page builder.
    """
    forms = _chosen(study, form_oids)
    lang = options.lang
    title = _t("annotated" if annotated else "blank", lang)
    study_line = f"{study.oid} {study.version} — {study.name.get(lang)}"
    if annotated:
        about = f"{study.protocol.id} {_t('version', lang)} {study.protocol.version}"
    else:
        about = _t("blank_about", lang)
    frame = options.frame(title, study_line, about)
    ctx = _context(study, lang, page_width(frame), annotated)
    story: list[Flowable] = []
    if form_oids is None:
        story += _cover(ctx, forms, title)
    for n, form in enumerate(forms):
        if story or n:
            story.append(PageBreak())
        story += _form_story(ctx, form)
    if form_oids is None or len(forms) > 1:
        pdf_title = f"{title} — {study.oid}"
    else:
        pdf_title = f"{title} — {study.oid} {forms[0].oid}"
    return render(frame, story, pdf_title=pdf_title, options=options)
