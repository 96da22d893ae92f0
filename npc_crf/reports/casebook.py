"""The subject casebook: every event and form with its values, queries, SDV state and
e-signatures, the subject's whole audit trail, and a cover page with the content hash.

:func:`render_casebook` lays out a
:class:`~npc_crf.services.reports.casebook_data.CasebookDocument` in English or
Chinese. Headings, status lines and every table are :class:`Grid` flowables:
their rows are wrapped once, drawn with one text object per table part, and
split between rows only. A subject with two years of follow-up (about 130
forms and 1 700 audit entries) renders in about a second, and no row is cut
across pages. Only a row taller than a whole page, which only a very long free
text can make, continues in a following row that starts with "…".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, PageBreak

from npc_crf.forms.model import Text
from npc_crf.reports.document import RenderedPdf, RenderOptions, page_width, render
from npc_crf.reports.fonts import FONT, SYMBOLS, has_glyph, register_fonts
from npc_crf.reports.layout import (
    ACCENT,
    BAND,
    HEADER_FILL,
    INK,
    MUTED,
    NOTE_FILL,
    OK,
    RULE,
    WARN,
    ZEBRA,
    L,
    gap,
)
from npc_crf.services.audit_service import AuditEntry
from npc_crf.services.reports.casebook_data import (
    CasebookDocument,
    EventPart,
    FormPart,
    GroupTable,
    HoldLine,
    QueryPart,
    SignaturePart,
    ValueLine,
    utc_text,
)

# -- a fast table of wrapped text --------------------------------------------------------------


@dataclass(frozen=True)
class Look:
    """How a run of grid text is set: size (points) and colour."""

    size: float
    colour: colors.Color

    @property
    def leading(self) -> float:
        return self.size * 1.25


#: a cell: plain text, or parts each starting on a new line in their own look
CellSpec = str | Sequence[tuple[str, Look]]

#: (text, look) of one wrapped line
_Line = tuple[str, Look]

PAD_X = 2.5
PAD_Y = 1.8
#: the main face's ascent as a share of the size (a row's first baseline below its top)
ASCENT = 0.86
#: the tallest a row may be before it continues in another (an A4 body is ~734 pt)
MAX_ROW = 560.0
#: the most a "keep together" may ask for before it gives up (less than a page)
MAX_KEEP = 600.0
#: characters after which a line may break (besides spaces)
_BREAK_AFTER = frozenset("/,;.-_=:|)]}")
#: characters a line must not start with (Chinese closing punctuation)
_NO_START = frozenset("，。、；：？！）》」』”’%")

_WIDTHS: dict[str, float] = {}
#: characters the main face draws (grown as they are met; most lines need no other face)
_MAIN: set[str] = {" "}


def _char_width(char: str) -> float:
    """Width of ``char`` at 1 pt in the face that draws it."""
    width = _WIDTHS.get(char)
    if width is None:
        main = has_glyph(char)
        if main:
            _MAIN.add(char)
        width = _WIDTHS[char] = pdfmetrics.stringWidth(char, FONT if main else SYMBOLS, 1.0)
    return width


def _is_wide(char: str) -> bool:
    return "\u2e80" <= char <= "\ufaff" or "\uff00" <= char <= "\uffef"


def wrap_text(text: str, width: float, size: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points at ``size``: at spaces,
    after ``/ , ; . - _ =``, between Chinese characters, and inside a word only when
    the word alone is too wide."""
    limit = width / size
    lines: list[str] = []
    for paragraph in text.replace("\t", " ").replace("\r", "").split("\n"):
        widths = [_char_width(c) for c in paragraph]
        if sum(widths) <= limit:
            lines.append(paragraph)
            continue
        start, n, x, brk = 0, 0, 0.0, -1
        while n < len(paragraph):
            char = paragraph[n]
            wide = _is_wide(char)
            if wide and n > start and char not in _NO_START:
                brk = n
            if x + widths[n] > limit and n > start:
                cut = brk if brk > start else n
                lines.append(paragraph[start:cut].rstrip())
                start = cut
                while start < len(paragraph) and paragraph[start] == " ":
                    start += 1
                n, x, brk = start, 0.0, -1  # measure the carried-over part again
                continue
            x += widths[n]
            if char == " " or wide or char in _BREAK_AFTER:
                brk = n + 1
            n += 1
        if start < len(paragraph):
            lines.append(paragraph[start:])
    return lines or [""]


def _runs(line: str, size: float) -> list[tuple[str, str, float]]:
    """``line`` as runs of the main face and of the symbol face, each with its offset."""
    if _MAIN.issuperset(line):
        return [(line, FONT, 0.0)]
    out: list[tuple[str, str, float]] = []
    offset, start = 0.0, 0.0
    current, face = "", FONT
    for char in line:
        width = _char_width(char)
        wanted = FONT if char in _MAIN else SYMBOLS
        if wanted != face and current:
            out.append((current, face, start))
            current, start = "", offset
        face = wanted
        current += char
        offset += width * size
    if current:
        out.append((current, face, start))
    return out


@dataclass(frozen=True)
class _Row:
    """A wrapped row: lines per cell, its height, and how it is drawn."""

    cells: tuple[tuple[_Line, ...], ...]
    height: float
    kind: str  # "head", "body" or "band" (one cell across the table)
    shaded: bool


@dataclass(frozen=True)
class _Frame:
    """How a grid is drawn around its text."""

    fill: colors.Color | None = None  # behind body rows that are not shaded
    rules: bool = True
    pad_x: float = PAD_X
    pad_y: float = PAD_Y


class Grid(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A table of wrapped text rows: header rows repeat on every page it runs onto, and
    it breaks only between rows (never after a band, which belongs to what follows)."""

    def __init__(
        self,
        widths: Sequence[float],
        head: Sequence[_Row],
        rows: Sequence[_Row],
        frame: _Frame,
        *,
        space_before: float = 0.0,
        space_after: float = 3.0,
    ) -> None:
        super().__init__()
        self.widths = tuple(widths)
        self.head = tuple(head)
        self.rows = tuple(rows)
        self.frame = frame
        self.width = sum(self.widths)
        self.height = sum(r.height for r in self.head) + sum(r.height for r in self.rows)
        self.spaceBefore = space_before
        self.spaceAfter = space_after

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def start_height(self, rows: int = 3, whole_below: float = 0.0) -> float:
        """Height of the header and the first ``rows`` body rows (the whole grid when it
        is no taller than ``whole_below``), with the space before: what should not be
        left alone at the foot of a page."""
        if self.height <= whole_below:
            return self.spaceBefore + self.height
        used = sum(r.height for r in self.head)
        body = 0
        for row in self.rows:
            if body >= rows:
                break
            used += row.height
            body += row.kind != "band"
        return self.spaceBefore + used

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        used = sum(r.height for r in self.head)
        fit = 0
        for row in self.rows:
            if used + row.height > avail_height + 1e-6:
                break
            used += row.height
            fit += 1
        while fit and self.rows[fit - 1].kind == "band":
            fit -= 1
        if fit == 0:
            return []
        if fit == len(self.rows):
            return [self]
        first = Grid(self.widths, self.head, self.rows[:fit], self.frame)
        first.spaceBefore = self.spaceBefore
        return [first, Grid(self.widths, self.head, self.rows[fit:], self.frame)]

    def draw(self) -> None:
        canvas = self.canv
        rows = self.head + self.rows
        edges = [0.0]
        for w in self.widths:
            edges.append(edges[-1] + w)
        canvas.saveState()
        self._draw_fills(canvas, rows)
        if self.frame.rules:
            self._draw_rules(canvas, rows, edges)
        self._draw_text(canvas, rows, edges)
        canvas.restoreState()

    def _draw_fills(self, canvas: Canvas, rows: Sequence[_Row]) -> None:
        fills: dict[int, tuple[colors.Color, list[tuple[float, float]]]] = {}
        y = self.height
        for row in rows:
            if row.kind == "head":
                fill = HEADER_FILL
            elif row.kind == "band":
                fill = BAND
            else:
                fill = ZEBRA if row.shaded else self.frame.fill
            if fill is not None:
                fills.setdefault(id(fill), (fill, []))[1].append((y - row.height, row.height))
            y -= row.height
        for colour, spans in fills.values():
            canvas.setFillColor(colour)
            path = canvas.beginPath()
            for bottom, height in spans:
                path.rect(0, bottom, self.width, height)
            canvas.drawPath(path, stroke=0, fill=1)

    def _draw_rules(self, canvas: Canvas, rows: Sequence[_Row], edges: Sequence[float]) -> None:
        """A rule over and under every row; the column rules run down each stretch of
        rows that is not a band."""
        ops: list[str] = []
        right = self.width
        y = self.height
        stretch: float | None = None  # top of the current stretch of ruled rows
        for row in rows:
            ops.append(f"0 {y:.2f} m {right:.2f} {y:.2f} l")
            if row.kind == "band":
                if stretch is not None:
                    ops += [f"{x:.2f} {stretch:.2f} m {x:.2f} {y:.2f} l" for x in edges]
                    stretch = None
                bottom = y - row.height
                ops.append(f"0 {y:.2f} m 0 {bottom:.2f} l")
                ops.append(f"{right:.2f} {y:.2f} m {right:.2f} {bottom:.2f} l")
            elif stretch is None:
                stretch = y
            y -= row.height
        if stretch is not None:
            ops += [f"{x:.2f} {stretch:.2f} m {x:.2f} {y:.2f} l" for x in edges]
        ops.append(f"0 {y:.2f} m {right:.2f} {y:.2f} l S")
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        # one path for all the rules, its numbers formatted once (reportlab's path
        # objects format each coordinate on their own, which costs more than the drawing)
        canvas._code.append(" ".join(ops))

    def _draw_text(self, canvas: Canvas, rows: Sequence[_Row], edges: Sequence[float]) -> None:
        """Every line in reading order (row by row, cell by cell), in one text object.

        The operators are written here rather than through reportlab's text object,
        whose per-call bookkeeping (number formatting, a font selection after every
        size change) costs more than the drawing: each run is placed with ``Tm``, and
        a font subset, size or colour is selected only when it changes. The runs are
        mapped to the embedded subsets by the font itself (``splitString``), as
        reportlab does.
        """
        text = canvas.beginText()
        code = text._code
        doc = canvas._doc
        escape = canvas._escape
        selected: tuple[str, float, int] | None = None
        colour_now: colors.Color | None = None
        pad_x, pad_y = self.frame.pad_x, self.frame.pad_y
        y = self.height
        for row in rows:
            for n, lines in enumerate(row.cells):
                baseline = y - pad_y
                x = edges[n] + pad_x
                for line, look in lines:
                    if line:
                        if look.colour is not colour_now:
                            colour_now = look.colour
                            code.append(_colour_op(colour_now))
                        at = baseline - look.size * ASCENT
                        for run, face, offset in _runs(line, look.size):
                            code.append(f"1 0 0 1 {x + offset:.2f} {at:.2f} Tm")
                            font = _font(face)
                            for subset, chunk in font.splitString(run, doc):
                                if selected != (face, look.size, subset):
                                    selected = (face, look.size, subset)
                                    name = font.getSubsetInternalName(subset, doc)
                                    code.append(f"{name} {look.size:.2f} Tf")
                                code.append(f"({escape(chunk)}) Tj")
                    baseline -= look.leading
            y -= row.height
        canvas.drawText(text)


def _font(face: str) -> Any:
    """reportlab's font object of ``face`` (a TrueType font, subset as it is used)."""
    return pdfmetrics.getFont(face)


def _colour_op(colour: colors.Color) -> str:
    """The PDF operator that sets ``colour`` for filling (text)."""
    return f"{colour.red:.3f} {colour.green:.3f} {colour.blue:.3f} rg"


class GridBuilder:
    """Rows for a :class:`Grid`: plain cells in ``look``, or parts in looks of their own."""

    def __init__(
        self,
        widths: Sequence[float],
        look: Look,
        head_look: Look | None = None,
        *,
        pad_x: float = PAD_X,
        pad_y: float = PAD_Y,
        zebra: bool = True,
    ) -> None:
        self.widths = tuple(widths)
        self.look = look
        self.head_look = head_look or look
        self.pad_x = pad_x
        self.pad_y = pad_y
        self.zebra = zebra
        self.head: list[_Row] = []
        self.rows: list[_Row] = []
        self._body = 0

    def _cell(self, spec: CellSpec, width: float, look: Look) -> list[_Line]:
        parts = [(spec, look)] if isinstance(spec, str) else spec
        room = width - 2 * self.pad_x
        return [
            (line, part_look)
            for text, part_look in parts
            for line in wrap_text(text, room, part_look.size)
        ]

    def _height(self, cells: Sequence[Sequence[_Line]]) -> float:
        return max(sum(look.leading for _, look in lines) for lines in cells) + 2 * self.pad_y

    def header(self, cells: Sequence[CellSpec]) -> None:
        """A header row (repeated on every page the table runs onto)."""
        wrapped = [
            self._cell(c, w, self.head_look) for c, w in zip(cells, self.widths, strict=True)
        ]
        self.head.append(_Row(_freeze(wrapped), self._height(wrapped), "head", False))

    def band(self, spec: CellSpec, look: Look | None = None) -> None:
        """A row across the whole table (a section's title)."""
        lines = self._cell(spec, sum(self.widths), look or self.head_look)
        self.rows.append(_Row((tuple(lines),), self._height([lines]), "band", False))

    def row(self, cells: Sequence[CellSpec]) -> None:
        """A body row; one taller than :data:`MAX_ROW` continues in further rows."""
        wrapped = [self._cell(c, w, self.look) for c, w in zip(cells, self.widths, strict=True)]
        shaded = self.zebra and self._body % 2 == 1
        self._body += 1
        while self._height(wrapped) > MAX_ROW:
            now: list[list[_Line]] = []
            rest: list[list[_Line]] = []
            for lines in wrapped:
                room, taken = MAX_ROW - 2 * self.pad_y, 0
                for _, look in lines:
                    if room < look.leading:
                        break
                    room -= look.leading
                    taken += 1
                now.append(lines[:taken])
                rest.append([("…", self.look), *lines[taken:]] if lines[taken:] else [])
            self.rows.append(_Row(_freeze(now), self._height(now), "body", shaded))
            wrapped = rest
        self.rows.append(_Row(_freeze(wrapped), self._height(wrapped), "body", shaded))

    def grid(
        self,
        *,
        fill: colors.Color | None = None,
        rules: bool = True,
        space_before: float = 0.0,
        space_after: float = 3.0,
    ) -> Grid:
        """The table of the rows added so far."""
        return Grid(
            self.widths,
            self.head,
            self.rows,
            _Frame(fill, rules, self.pad_x, self.pad_y),
            space_before=space_before,
            space_after=space_after,
        )


def _freeze(cells: Sequence[Sequence[_Line]]) -> tuple[tuple[_Line, ...], ...]:
    return tuple(tuple(lines) for lines in cells)


def banner(
    text: str,
    width: float,
    look: Look,
    fill: colors.Color | None,
    *,
    pad: tuple[float, float] = (4.0, 3.0),
    space_before: float = 6.0,
    space_after: float = 4.0,
) -> Grid:
    """A heading: one line (or a few) of ``text`` on a band of ``fill``."""
    b = GridBuilder([width], look, pad_x=pad[0], pad_y=pad[1], zebra=False)
    b.row([text])
    return b.grid(fill=fill, rules=False, space_before=space_before, space_after=space_after)


def height_of(grids: Sequence[Grid]) -> float:
    """The height of grids set one under the other, with their spaces."""
    return float(sum(g.spaceBefore + g.height + g.spaceAfter for g in grids))


def keep_with_next(lead: Sequence[Grid], start: float) -> CondPageBreak:
    """A page break unless ``lead`` and the first ``start`` points of what follows fit
    in the rest of the page (a heading is never left at the foot of a page)."""
    return CondPageBreak(min(height_of(lead) + start, MAX_KEEP))


# -- texts -------------------------------------------------------------------------------------

TITLE = L("Subject casebook", "受试者病例报告")

SUBJECT_STATUS = {
    "screening": L("Screening", "筛选中"),
    "screen_failure": L("Screen failure", "筛选失败"),
    "enrolled": L("Enrolled", "已入组"),
    "on_treatment": L("On treatment", "治疗中"),
    "follow_up": L("Follow-up", "随访中"),
    "off_study": L("Off study", "退出研究"),
    "died": L("Died", "死亡"),
}
FORM_STATUS = {
    "not_started": L("Not started", "未开始"),
    "in_progress": L("In progress", "录入中"),
    "complete": L("Complete", "已完成"),
    "signed": L("Signed", "已签名"),
    "locked": L("Locked", "已锁定"),
}
QUERY_STATUS = {
    "new": L("New", "新建"),
    "updated": L("Updated", "已更新"),
    "resolution_proposed": L("Resolution proposed", "已提出解决方案"),
    "closed": L("Closed", "已关闭"),
    "not_applicable": L("Not applicable", "不适用"),
}
QUERY_KIND = {
    "failed_check": L("Failed check", "逻辑核查未通过"),
    "manual": L("Question", "问题"),
    "reason_for_change": L("Reason for change", "修改原因"),
    "annotation": L("Note", "备注"),
}
SDV_STATE = {
    "verified": L("verified", "已核查"),
    "pending": L("pending", "待核查"),
    "not_required": L("not required", "无需核查"),
}
HOLD_LEVEL = {"frozen": L("Frozen", "冻结"), "locked": L("Locked", "锁定")}
HOLD_SCOPE = {
    "site": L("site", "中心"),
    "subject": L("subject", "受试者"),
    "form": L("form", "表单"),
}
SIGN_SCOPE = {
    "form": L("form", "表单"),
    "event": L("visit", "访视"),
    "casebook": L("casebook", "病例报告"),
}
#: audit actions in words (the code is printed under them)
ACTIONS = {
    "subject_created": L("Subject registered", "登记受试者"),
    "subject_status_changed": L("Subject status changed", "受试者状态变更"),
    "event_created": L("Visit started", "开始访视"),
    "form_created": L("Form started", "开始表单"),
    "form_status_changed": L("Form status changed", "表单状态变更"),
    "value_entered": L("Entered", "录入"),
    "value_changed": L("Changed", "修改"),
    "value_cleared": L("Cleared", "清除"),
    "warning_overridden": L("Warning kept", "保留警告"),
    "row_added": L("Row added", "添加行"),
    "row_deleted": L("Row removed", "删除行"),
    "form_signed": L("Signed", "签名"),
    "signature_voided": L("Signature voided", "签名作废"),
    "signature_refused": L("Signature refused", "签名被拒绝"),
    "form_locked": L("Form locked", "表单锁定"),
    "form_unlocked": L("Form unlocked", "表单解锁"),
    "form_frozen": L("Form frozen", "表单冻结"),
    "form_unfrozen": L("Form unfrozen", "表单解冻"),
    "subject_frozen": L("Subject frozen", "受试者冻结"),
    "subject_unfrozen": L("Subject unfrozen", "受试者解冻"),
    "subject_locked": L("Subject locked", "受试者锁定"),
    "subject_unlocked": L("Subject unlocked", "受试者解锁"),
    "query_raised": L("Query raised", "提出质疑"),
    "query_replied": L("Query answered", "回复质疑"),
    "query_resolution_proposed": L("Resolution proposed", "提出解决方案"),
    "query_closed": L("Query closed", "关闭质疑"),
    "query_not_applicable": L("Query not applicable", "质疑不适用"),
    "query_reopened": L("Query reopened", "重新打开质疑"),
    "sdv_verified": L("SDV verified", "源数据已核查"),
    "sdv_unverified": L("SDV taken back", "撤销源数据核查"),
    "sdv_reset": L("SDV reset by a change", "数据修改，核查重置"),
    "document_issued": L("Document printed", "打印文件"),
}


def _named(table: dict[str, Text], code: str | None, lang: str) -> str:
    if code is None:
        return ""
    found = table.get(code)
    return found.get(lang) if found is not None else code


def hash_groups(digest: str, per_line: int = 8) -> list[str]:
    """A hex hash as lines of groups of four (``d85a 527c …``), easy to read out."""
    groups = [digest[n : n + 4] for n in range(0, len(digest), 4)]
    return [" ".join(groups[n : n + per_line]) for n in range(0, len(groups), per_line)]


def local_time(at_utc: str, offset: str) -> str:
    """The wall-clock time of a UTC moment at ``offset``: ``09:17:05 +08:00`` (with the
    date, ``11-23 01:10:00 +08:00``, when it is another day than in UTC)."""
    try:
        moment = dt.datetime.fromisoformat(at_utc.replace("Z", "+00:00"))
        sign = -1 if offset.startswith("-") else 1
        hours, minutes = (int(p) for p in offset.lstrip("+-").split(":"))
        zone = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    except ValueError:
        return offset
    local = moment.astimezone(zone)
    day = "" if local.date() == moment.date() else f"{local:%m-%d} "
    return f"{day}{local:%H:%M:%S} {offset}"


def _z(at: str | None) -> str:
    """A stored time as UTC text (``+00:00`` and ``Z`` alike)."""
    return utc_text((at or "").replace("+00:00", "Z"))


# -- the document ------------------------------------------------------------------------------


class _Writer:
    """Builds the story of one casebook in one language."""

    def __init__(self, doc: CasebookDocument, lang: str, width: float) -> None:
        self.doc = doc
        self.lang = lang
        self.width = width
        self.body = Look(7.5, INK)
        self.small = Look(6.5, INK)
        self.muted = Look(6.2, MUTED)
        self.head = Look(7.0, ACCENT)
        self.warn = Look(6.8, WARN)
        self.ok = Look(6.8, OK)
        #: "E3" for each event occurrence, in order
        self.numbers = {
            (e.event_oid, e.occurrence): f"E{n}" for n, e in enumerate(doc.events, start=1)
        }

    def tr(self, text: Text) -> str:
        return text.get(self.lang)

    # -- headings ------------------------------------------------------------------------

    def h1(self, text: str) -> Grid:
        return banner(text, self.width, Look(13.0, colors.white), ACCENT, space_before=8)

    def h2(self, text: str) -> Grid:
        return banner(text, self.width, Look(10.5, ACCENT), BAND, pad=(3, 2.2), space_before=6)

    def h3(self, text: str) -> Grid:
        return banner(
            text, self.width, Look(8.2, ACCENT), None, pad=(0, 1), space_before=4, space_after=1
        )

    def text(self, text: str, look: Look, *, space_after: float = 3.0) -> Grid:
        """Wrapped text across the page, without a frame."""
        return banner(
            text, self.width, look, None, pad=(0, 0), space_before=0, space_after=space_after
        )

    def note(self, text: str, look: Look) -> Grid:
        """Text on a note's yellow band."""
        return banner(text, self.width, look, NOTE_FILL, pad=(4, 2.5), space_before=0)

    def fields(self, pairs: Sequence[tuple[str, str]]) -> Grid:
        """Label/value pairs, two pairs to a row."""
        w = self.width / 2
        b = GridBuilder([w * 0.36, w * 0.64] * 2, Look(8.0, INK), pad_x=3, pad_y=2.2, zebra=False)
        label = Look(7.5, MUTED)
        for n in range(0, len(pairs), 2):
            row: list[CellSpec] = []
            for name, value in pairs[n : n + 2]:
                row += [[(name, label)], value]
            b.row(row + [""] * (4 - len(row)))
        return b.grid(space_after=4)

    # -- cover ---------------------------------------------------------------------------

    def cover(self) -> list[Flowable]:
        d, lang, tr = self.doc, self.lang, self.tr
        s = d.subject
        status = _named(SUBJECT_STATUS, s.status, lang)
        if s.status_date:
            status += f" ({s.status_date})"
        if s.status_reason:
            status += f" — {s.status_reason}"
        forms = d.forms
        verified = sum(1 for f in forms if f.sdv.state == "verified")
        needing = sum(1 for f in forms if f.sdv.state != "not_required")
        voided = len(d.signatures) - d.valid_signatures
        signatures = str(d.valid_signatures)
        if voided:
            signatures += tr(L(f" valid, {voided} voided", f" 有效，{voided} 已作废"))
        as_of = "—"
        if d.as_of_seq:
            as_of = tr(
                L(
                    f"{utc_text(d.as_of_utc)} (audit entry {d.as_of_seq})",
                    f"{utc_text(d.as_of_utc)}（稽查记录第 {d.as_of_seq} 条）",
                )
            )
        protocol = f"{d.study.protocol_id} {tr(L('version', '版本'))} {d.study.protocol_version}"
        if d.study.registry:
            protocol += f" · {d.study.registry}"
        queries = tr(
            L(
                f"{d.open_queries} open of {len(d.queries)}",
                f"未关闭 {d.open_queries} 条，共 {len(d.queries)} 条",
            )
        )
        sdv = tr(
            L(
                f"{verified} of {needing} forms verified",
                f"需核查表单 {needing} 份，已核查 {verified} 份",
            )
        )
        pairs: list[tuple[str, str]] = [
            (tr(L("Study", "研究")), f"{d.study.oid} {d.study.version}"),
            (tr(L("Site", "中心")), d.site_id),
            (tr(L("Protocol", "方案")), protocol),
            (tr(L("Subject", "受试者")), s.subject_id),
            (tr(L("Arm", "组别")), s.arm.get(lang) if s.arm else "—"),
            (tr(L("Status", "状态")), status),
            (tr(L("Registered", "登记")), f"{_z(s.created_at)} · {s.created_by}"),
            (tr(L("Data as of", "数据截至")), as_of),
            (tr(L("Visits (events)", "访视（事件）")), str(len(d.events))),
            (tr(L("Forms", "表单")), str(len(forms))),
            (tr(L("Queries", "质疑")), queries),
            (tr(L("E-signatures", "电子签名")), signatures),
            (tr(L("SDV", "源数据核查")), sdv),
            (tr(L("Audit entries", "稽查记录")), str(len(d.audit))),
        ]
        story: list[Flowable] = [
            self.text(tr(TITLE), Look(18.0, ACCENT), space_after=2),
            self.text(tr(d.study.name), Look(11.0, MUTED), space_after=2),
            self.text(tr(d.study.protocol_title), Look(7.5, MUTED), space_after=6),
            self.fields(pairs),
            gap(2),
        ]
        wide = [h for h in d.holds if h.scope != "form"]
        if wide:
            story.append(self.h3(tr(L("Freezes and locks in force", "生效的冻结与锁定"))))
            story += [self.note(self.hold_text(h), Look(7.5, WARN)) for h in wide]
        story += [
            self.h3(tr(L("Content hash (SHA-256)", "内容哈希（SHA-256）"))),
            self.hash_box(),
            self.text(self.hash_note(), Look(7.5, INK)),
            self.text(
                tr(
                    L(
                        "Only answered items are printed, with decoded values, units and "
                        "missing-data codes spelled out; the blank CRF shows every item. "
                        "Times are UTC unless marked as local.",
                        "仅打印已回答的条目（数据已解码，并注明单位和缺失数据代码）；"
                        "全部条目见空白 CRF。除注明为本地时间外，时间均为 UTC。",
                    )
                ),
                Look(7.0, MUTED),
            ),
            self.h2(tr(L("Contents", "目录"))),
            self.contents(),
        ]
        return story

    def hash_note(self) -> str:
        prefix = self.doc.content_hash[:16]
        return self.tr(
            L(
                "The content hash is computed from the record itself — values, statuses, "
                "queries, SDV marks, freezes and locks, e-signatures and the audit trail — "
                "not from this printout: the same record always gives the same hash, and any "
                "change gives another. Every page shows its first 16 digits. To match a "
                f'printed copy to the record, run "npc-crf report verify {prefix}": it '
                "lists the documents issued with this hash and says whether the record "
                "still has it today.",
                "内容哈希由记录本身计算——数据、状态、质疑、源数据核查、冻结与锁定、电子签名"
                "及稽查轨迹——与本打印件的排版无关：同一记录总得到相同的哈希，任何修改都会"
                "得到不同的哈希。每页页脚印有其前 16 位。核对纸质副本与记录时，运行"
                f"“npc-crf report verify {prefix}”：它列出以此哈希发出的文件，并说明"
                "记录今天是否仍为此哈希。",
            )
        )

    def hash_box(self) -> Grid:
        look = Look(12.0, ACCENT)
        b = GridBuilder([self.width], look, pad_x=6, pad_y=4, zebra=False)
        b.row([[(line, look) for line in hash_groups(self.doc.content_hash)]])
        return b.grid(fill=NOTE_FILL, space_after=4)

    def contents(self) -> Grid:
        w, tr = self.width, self.tr
        b = GridBuilder([w * 0.07, w * 0.27, w * 0.66], self.small, self.head)
        b.header(["#", tr(L("Visit (event)", "访视（事件）")), tr(L("Forms", "表单"))])
        for e in self.doc.events:
            forms = "; ".join(
                f"{tr(f.title)} ({_named(FORM_STATUS, f.status, self.lang)})" for f in e.forms
            )
            b.row(
                [
                    self.numbers[(e.event_oid, e.occurrence)],
                    [(tr(e.name), self.small), (f"{e.event_oid}[{e.occurrence}]", self.muted)],
                    forms or "—",
                ]
            )
        b.row(["", tr(L("Audit trail", "稽查轨迹")), ""])
        b.row(["", tr(L("E-signatures", "电子签名")), ""])
        return b.grid()

    # -- events and forms ----------------------------------------------------------------

    def hold_text(self, h: HoldLine) -> str:
        scope = _named(HOLD_SCOPE, h.scope, self.lang)
        target = f" {h.target}" if h.target else ""
        when = f" · {_z(h.set_at)}" if h.set_at else ""
        who = f" · {h.set_by}" if h.set_by else ""
        why = f" · {h.reason}" if h.reason else ""
        return f"{_named(HOLD_LEVEL, h.level, self.lang)} ({scope}{target}){when}{who}{why}"

    def status_line(self, f: FormPart) -> Grid:
        """The form's state: status, revision, version, last update, SDV, holds."""
        lang, tr, w = self.lang, self.tr, self.width
        sdv = _named(SDV_STATE, f.sdv.state, lang)
        if f.sdv.state != "not_required":
            sdv += f" {f.sdv.verified}/{f.sdv.required}"
            if f.sdv.verified_by:
                sdv += f" · {', '.join(f.sdv.verified_by)}"
            if f.sdv.last_verified_at:
                sdv += f" · {_z(f.sdv.last_verified_at)}"
        holds = "; ".join(self.hold_text(h) for h in f.holds) or tr(L("none", "无"))
        cells = [
            (tr(L("Status", "状态")), _named(FORM_STATUS, f.status, lang)),
            (tr(L("Revision", "修订")), str(f.revision)),
            (tr(L("Form version", "表单版本")), f.form_version),
            (tr(L("Last updated", "最后更新")), f"{_z(f.updated_at)} · {f.updated_by}"),
            (tr(L("Source data verification", "源数据核查")), sdv),
            (tr(L("Freeze / lock", "冻结 / 锁定")), holds),
        ]
        b = GridBuilder(
            [w * x for x in (0.1, 0.07, 0.1, 0.23, 0.27, 0.23)], self.small, zebra=False
        )
        b.row([[(label, self.muted), (value, self.small)] for label, value in cells])
        return b.grid(rules=False, space_after=1)

    def value_cell(self, v: ValueLine) -> list[tuple[str, Look]]:
        parts = [(self.tr(v.text), self.body)]
        if v.override_reason:
            reason = self.tr(L("Soft warning kept — reason: ", "保留软警告——原因："))
            parts.append((reason + v.override_reason, self.warn))
        return parts

    def sdv_mark(self, v: ValueLine) -> list[tuple[str, Look]]:
        if v.sdv is None:
            return []
        if v.sdv.state == "verified":
            return [("✔ " + self.tr(SDV_STATE["verified"]), self.ok)]
        return [(self.tr(SDV_STATE["pending"]), self.warn)]

    def values(self, f: FormPart) -> tuple[list[Flowable], float]:
        """The form's answers as tables, and the height that must not be parted from the
        form's heading."""
        w, tr = self.width, self.tr
        has_sdv = f.sdv.state != "not_required"
        widths = [w * x for x in ((0.4, 0.38, 0.11, 0.11) if has_sdv else (0.42, 0.44, 0.14))]
        head = [tr(L("Item", "条目")), tr(L("Value", "数据")), tr(L("Unit", "单位"))]
        if has_sdv:
            head.append(tr(L("SDV", "核查")))
        out: list[Flowable] = []
        start = 0.0
        b: GridBuilder | None = None
        current: str | None = None  # the section whose band the open table shows

        def close() -> None:
            nonlocal b, start
            if b is not None:
                grid = b.grid()
                start = start or grid.start_height(3, whole_below=220)
                out.append(grid)
                b = None

        for section in f.sections:
            for entry in section.entries:
                if isinstance(entry, GroupTable):
                    close()
                    parts, first = self.group(entry, section.title)
                    start = start or first
                    out += parts
                    continue
                if b is None:
                    b, current = GridBuilder(widths, self.body, self.head), None
                    b.header(head)
                if current != section.oid:
                    b.band(tr(section.title))
                    current = section.oid
                row: list[CellSpec] = [
                    [(tr(entry.label), self.body), (entry.path, self.muted)],
                    self.value_cell(entry),
                    entry.unit.get(self.lang) if entry.unit else "",
                ]
                if has_sdv:
                    row.append(self.sdv_mark(entry))
                b.row(row)
        close()
        if not out:
            out.append(self.h3(tr(L("No answers are stored.", "没有已保存的数据。"))))
        return out, start

    def group(self, g: GroupTable, section: Text) -> tuple[list[Flowable], float]:
        """A repeating group as ruled tables of at most seven columns, row numbers first."""
        w = self.width
        caption = f"{self.tr(section)} · {self.tr(g.label)} ({g.oid})"
        columns = list(enumerate(g.columns))
        parts = max(1, -(-len(columns) // 7))  # as few tables as fit, of even widths
        size = max(1, -(-len(columns) // parts))
        chunks = [columns[n : n + size] for n in range(0, len(columns), size)] or [[]]
        out: list[Flowable] = []
        first_start = 0.0
        for part, chunk in enumerate(chunks):
            number = w * 0.05
            each = (w - number) / max(len(chunk), 1)
            b = GridBuilder([number] + [each] * len(chunk), self.small, self.head)
            b.header(
                ["#"]
                + [
                    [
                        (self.tr(c.label), self.head),
                        (c.oid + (f" · {c.unit.get(self.lang)}" if c.unit else ""), self.muted),
                    ]
                    for _, c in chunk
                ]
            )
            for row in g.rows:
                cells: list[CellSpec] = [str(row.number)]
                for index, _ in chunk:
                    cell = row.cells[index]
                    cells.append(self.value_cell(cell) + self.sdv_mark(cell) if cell else "")
                b.row(cells)
            label = caption if len(chunks) == 1 else f"{caption} ({part + 1}/{len(chunks)})"
            title, grid = self.h3(label), b.grid()
            start = height_of([title]) + grid.start_height(2, whole_below=160)
            first_start = first_start or start
            out += [keep_with_next([], start), title, grid]
        return out, first_start

    def query_block(self, q: QueryPart) -> list[Flowable]:
        lang, w, tr = self.lang, self.width, self.tr
        head = (
            f"{tr(L('Query', '质疑'))} · {_named(QUERY_KIND, q.kind, lang)} · {q.where} · "
            f"{_named(QUERY_STATUS, q.status, lang)}"
        )
        if q.assigned_role and q.is_open:
            head += tr(L(f" · assigned to {q.assigned_role}", f" · 指派给 {q.assigned_role}"))
        b = GridBuilder([w * 0.17, w * 0.2, w * 0.13, w * 0.5], self.small, self.head)
        b.header(
            [
                tr(L("When (UTC)", "时间（UTC）")),
                tr(L("Who", "人员")),
                tr(L("Status after", "之后状态")),
                tr(L("Message", "内容")),
            ]
        )
        for m in q.messages:
            b.row(
                [
                    _z(m.at_utc).removesuffix(" UTC"),
                    [(m.full_name, self.small), (f"{m.username} · {m.role}", self.muted)],
                    _named(QUERY_STATUS, m.status, lang),
                    m.text,
                ]
            )
        title, grid = self.h3(head), b.grid()
        return [keep_with_next([title], grid.start_height(2)), title, grid]

    def signature_line(self, s: SignaturePart) -> Grid:
        """The §11.50 manifestation: printed name, UTC date and time, meaning."""
        tr = self.tr
        text = tr(
            L(
                f"Signed by {s.printed_name} ({s.username}) on {s.signed_at_utc} — "
                f"meaning: {s.meaning_text.en}",
                f"签名人 {s.printed_name}（{s.username}），签名时间 {s.signed_at_utc}——"
                f"含义：{s.meaning_text.zh}",
            )
        )
        text += tr(L(" · scope: ", " · 范围：")) + _named(SIGN_SCOPE, s.scope, self.lang)
        look = Look(7.5, INK)
        if s.voided_at:
            text += tr(
                L(
                    f" — VOIDED {_z(s.voided_at)}: {s.void_reason or ''}",
                    f"——已作废 {_z(s.voided_at)}：{s.void_reason or ''}",
                )
            )
            look = Look(7.5, WARN)
        b = GridBuilder([self.width], look, pad_x=4, pad_y=2.5, zebra=False)
        b.row([text])
        return b.grid(fill=NOTE_FILL if not s.voided_at else None, space_after=3)

    def event_heading(self, e: EventPart) -> Grid:
        number = self.numbers[(e.event_oid, e.occurrence)]
        return self.h1(f"{number} · {self.tr(e.name)} · {e.event_oid}[{e.occurrence}]")

    def form(self, e: EventPart, f: FormPart, first: bool) -> list[Flowable]:
        lead: list[Grid] = []
        if first:
            lead.append(self.event_heading(e))
            for q in e.queries:
                lead += [x for x in self.query_block(q) if isinstance(x, Grid)]
        lead += [self.h2(f"{self.tr(f.title)} · {f.form_oid}"), self.status_line(f)]
        tables, start = self.values(f)
        story: list[Flowable] = [keep_with_next(lead, start), *lead, *tables]
        story += [self.signature_line(s) for s in f.signatures]
        for q in f.queries:
            story += self.query_block(q)
        return story

    def events(self) -> list[Flowable]:
        story: list[Flowable] = []
        if self.doc.subject_queries:
            story.append(self.h1(self.tr(L("Queries about the subject", "关于受试者的质疑"))))
            for q in self.doc.subject_queries:
                story += self.query_block(q)
        for e in self.doc.events:
            if not e.forms:
                story.append(self.event_heading(e))
                for q in e.queries:
                    story += self.query_block(q)
            for n, f in enumerate(e.forms):
                story += self.form(e, f, n == 0)
        return story

    # -- audit trail and signatures --------------------------------------------------------

    def audit_row(self, a: AuditEntry) -> list[CellSpec]:
        prefix = f"{a.subject_id}/"
        entity = a.entity[len(prefix) :] if a.entity.startswith(prefix) else a.entity
        change = f"{a.old} → {a.new}" if a.old else a.new
        extra: list[tuple[str, Look]] = []
        if a.reason:
            extra.append((a.reason, self.small))
        if a.source:
            extra.append((a.source, self.muted))
        action = ACTIONS.get(a.action)
        return [
            str(a.seq),
            [
                (utc_text(a.at_utc).removesuffix(" UTC"), self.small),
                (local_time(a.at_utc, a.local_offset), self.muted),
            ],
            [(a.username, self.small), (a.role, self.muted)],
            [(self.tr(action), self.small), (a.action, self.muted)] if action else a.action,
            entity or "—",
            change,
            extra or "",
        ]

    def audit(self) -> list[Flowable]:
        w, tr = self.width, self.tr
        subject_id = self.doc.subject.subject_id
        b = GridBuilder(
            [w * x for x in (0.055, 0.135, 0.08, 0.13, 0.2, 0.28, 0.12)], self.small, self.head
        )
        b.header(
            [
                tr(L("Seq", "序号")),
                tr(L("UTC / local time", "UTC / 本地时间")),
                tr(L("User", "用户")),
                tr(L("Action", "操作")),
                tr(L("Entity", "对象")),
                tr(L("Old → new", "原值 → 新值")),
                tr(L("Reason / source", "原因 / 来源")),
            ]
        )
        for entry in self.doc.audit:
            b.row(self.audit_row(entry))
        intro = tr(
            L(
                f"Every entry of the audit trail about subject {subject_id}, oldest first "
                "(entities without the subject ID). The trail is append-only and "
                'hash-chained; "npc-crf audit verify" checks it. Values are shown as stored '
                "(codes, not their decodes).",
                f"受试者 {subject_id} 的全部稽查记录，按时间先后排列（对象省略受试者编号）。"
                "稽查轨迹只能追加，并以哈希链相连；可用“npc-crf audit verify”校验。"
                "数据按存储形式显示（代码，而非解码）。",
            )
        )
        story: list[Flowable] = [PageBreak(), self.h1(tr(L("Audit trail", "稽查轨迹")))]
        story.append(self.text(intro, Look(7.5, INK)))
        story.append(gap(1))
        if not b.rows:
            story.append(self.h3(tr(L("No entries.", "无记录。"))))
        else:
            story.append(b.grid())
        return story

    def signatures(self) -> list[Flowable]:
        w, tr, lang = self.width, self.tr, self.lang
        story: list[Flowable] = [self.h1(tr(L("E-signatures", "电子签名")))]
        if not self.doc.signatures:
            story.append(self.h3(tr(L("No e-signatures.", "无电子签名。"))))
            return story
        events = {(e.event_oid, e.occurrence): e for e in self.doc.events}
        titles = {
            (e.event_oid, e.occurrence, f.form_oid): f.title
            for e in self.doc.events
            for f in e.forms
        }
        b = GridBuilder(
            [w * x for x in (0.22, 0.17, 0.13, 0.26, 0.08, 0.14)], self.small, self.head
        )
        b.header(
            [
                tr(L("Visit / form", "访视 / 表单")),
                tr(L("Printed name (user)", "签名人（用户）")),
                tr(L("Signed (UTC)", "签名时间（UTC）")),
                tr(L("Meaning", "签名含义")),
                tr(L("Scope", "范围")),
                tr(L("State", "状态")),
            ]
        )
        for s in self.doc.signatures:
            event = events.get((s.event_oid, s.occurrence))
            title = titles.get((s.event_oid, s.occurrence, s.form_oid))
            state: CellSpec = [(tr(L("valid", "有效")), self.ok)]
            if s.voided_at:
                state = [
                    (f"{tr(L('voided', '已作废'))} {_z(s.voided_at)}", self.warn),
                    (s.void_reason or "", self.small),
                ]
            b.row(
                [
                    [
                        (tr(event.name) if event else s.event_oid, self.small),
                        (title.get(lang) if title else s.form_oid, self.small),
                        (f"{s.event_oid}[{s.occurrence}]/{s.form_oid}", self.muted),
                    ],
                    [(s.printed_name, self.small), (s.username, self.muted)],
                    s.signed_at_utc,
                    tr(s.meaning_text),
                    _named(SIGN_SCOPE, s.scope, lang),
                    state,
                ]
            )
        story.append(b.grid())
        return story

    def story(self) -> list[Flowable]:
        return [*self.cover(), PageBreak(), *self.events(), *self.audit(), *self.signatures()]


def render_casebook(doc: CasebookDocument, options: RenderOptions) -> RenderedPdf:
    """The casebook of one subject as a PDF in ``options.lang`` (progress and cancel
    through ``options``; :class:`~npc_crf.reports.document.ReportCancelled` when
    cancelled)."""
    register_fonts()
    lang = options.lang
    about = L(
        f"Site {doc.site_id} · Subject {doc.subject.subject_id}",
        f"中心 {doc.site_id} · 受试者 {doc.subject.subject_id}",
    ).get(lang)
    study = f"{doc.study.oid} {doc.study.version} — {doc.study.name.get(lang)}"
    frame = options.frame(TITLE.get(lang), study, about, content_hash=doc.content_hash)
    story = _Writer(doc, lang, page_width(frame)).story()
    return render(
        frame,
        story,
        pdf_title=f"{TITLE.get(lang)} {doc.subject.subject_id}",
        options=options,
    )
