"""Turning a story of flowables into a PDF: page frame, running header and footer.

Every page carries the study and protocol, the document's title, what it is
about (site, subject), "Page n of N", when and by whom it was generated and, for
records, the first characters of the document's content hash. Output is built
in memory; nothing is written to disk here (the report service decides where a
document goes and records that it was issued).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from npc_crf import __version__
from npc_crf.core.errors import NpcCrfError
from npc_crf.reports import LANGUAGES as LANGUAGES  # re-exported for the renderers
from npc_crf.reports.fonts import FONT, register_fonts
from npc_crf.reports.layout import INK, MUTED, RULE

MARGIN = 15 * mm
HEADER = 11 * mm
FOOTER = 11 * mm


class ReportCancelled(NpcCrfError):
    """The person asked to stop before the document was finished (nothing was kept)."""


@dataclass(frozen=True)
class PageFrame:
    """What every page of a document shows around its content."""

    title: str  # "Subject casebook" / "受试者病例报告"
    study: str  # "NPC-SINT-RT 1.0 — Sintilimab plus multimodal radiotherapy …"
    about: str = ""  # "Site S01 · Subject S01-01-0001"
    lang: str = "en"
    generated_at: dt.datetime | None = None
    generated_by: str = ""
    content_hash: str = ""  # printed shortened in the footer when set
    confidential: bool = True
    landscape: bool = False

    def stamp(self) -> str:
        """The footer's generation line."""
        at = (self.generated_at or dt.datetime.now(dt.UTC)).astimezone()
        when = at.strftime("%Y-%m-%d %H:%M %z")
        if self.lang == "zh":
            who = f"，{self.generated_by}" if self.generated_by else ""
            return f"npc-crf {__version__} 生成于 {when}{who}"
        who = f" by {self.generated_by}" if self.generated_by else ""
        return f"Generated {when}{who} · npc-crf {__version__}"


@dataclass(frozen=True)
class RenderOptions:
    """How one document is rendered; every ``render_*`` function takes these."""

    lang: str = "en"  # one of LANGUAGES
    generated_by: str = ""  # the printed name of the person printing
    generated_at: dt.datetime | None = None  # default: now
    #: called with the page number as each page begins
    progress: Callable[[int], None] | None = None
    #: asked as each page begins; True stops with ReportCancelled
    cancelled: Callable[[], bool] | None = None

    def frame(self, title: str, study: str, about: str = "", **kw: Any) -> PageFrame:
        """A page frame in these options' language, time and author."""
        return PageFrame(
            title,
            study,
            about,
            lang=self.lang,
            generated_at=self.generated_at,
            generated_by=self.generated_by,
            **kw,
        )


@dataclass(frozen=True)
class RenderedPdf:
    """A finished document."""

    data: bytes
    pages: int


def _page_label(lang: str, page: int, pages: int) -> str:
    return f"第 {page} 页，共 {pages} 页" if lang == "zh" else f"Page {page} of {pages}"


def _numbered_canvas(frame: PageFrame) -> type[Canvas]:
    """A canvas that holds its pages until the end, to print "Page n of N"."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab is untyped
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("initialFontName", FONT)
            kwargs.setdefault("initialFontSize", 9)
            super().__init__(*args, **kwargs)
            self._saved: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                _decorate(self, frame, self._pageNumber, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def _decorate(canvas: Canvas, frame: PageFrame, page: int, pages: int) -> None:
    width, height = canvas._pagesize
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    top = height - MARGIN + 2 * mm
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(MUTED)
    canvas.drawString(MARGIN, top + 1.5 * mm, _clip(canvas, frame.study, width * 0.55))
    canvas.setFillColor(INK)
    canvas.setFont(FONT, 8.5)
    canvas.drawRightString(width - MARGIN, top + 1.5 * mm, _clip(canvas, frame.title, width * 0.4))
    canvas.line(MARGIN, top, width - MARGIN, top)
    bottom = MARGIN - 4 * mm
    canvas.line(MARGIN, bottom + 4 * mm, width - MARGIN, bottom + 4 * mm)
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(MUTED)
    left = frame.about
    if frame.content_hash:
        tag = "内容哈希" if frame.lang == "zh" else "Content hash"
        left = (
            f"{left} · {tag} {frame.content_hash[:16]}"
            if left
            else f"{tag} {frame.content_hash[:16]}"
        )
    canvas.drawString(MARGIN, bottom + 1 * mm, _clip(canvas, left, width * 0.6))
    canvas.drawString(MARGIN, bottom - 2.5 * mm, frame.stamp())
    if frame.confidential:
        canvas.drawRightString(
            width - MARGIN,
            bottom - 2.5 * mm,
            "机密 — 临床试验资料" if frame.lang == "zh" else "Confidential — clinical trial record",
        )
    canvas.setFillColor(INK)
    canvas.setFont(FONT, 8.5)
    canvas.drawRightString(width - MARGIN, bottom + 1 * mm, _page_label(frame.lang, page, pages))
    canvas.restoreState()


def _clip(canvas: Canvas, text: str, room: float) -> str:
    """``text`` shortened with an ellipsis to fit ``room`` points at the current font."""
    if canvas.stringWidth(text) <= room:
        return text
    while text and canvas.stringWidth(text + "…") > room:
        text = text[:-1]
    return text + "…"


def page_width(frame: PageFrame) -> float:
    """The width of the content area (points)."""
    size = landscape(A4) if frame.landscape else A4
    return float(size[0] - 2 * MARGIN)


def render(
    frame: PageFrame,
    story: Sequence[Flowable],
    *,
    pdf_title: str = "",
    options: RenderOptions | None = None,
) -> RenderedPdf:
    """Lay out ``story`` on A4 pages and return the PDF.

    ``options.progress(page)`` is called as each page begins; ``options.cancelled()``
    is asked at the same moment and a true answer stops the build with
    :class:`ReportCancelled`.
    The PDF is built invariant (no random IDs or creation time), so the same
    story and frame give the same bytes.
    """
    register_fonts()
    progress = options.progress if options else None
    cancelled = options.cancelled if options else None
    size = landscape(A4) if frame.landscape else A4
    out = io.BytesIO()

    class Doc(BaseDocTemplate):  # type: ignore[misc]  # reportlab is untyped
        def handle_pageBegin(self) -> None:
            if cancelled is not None and cancelled():
                raise ReportCancelled("The document was cancelled; nothing was kept.")
            super().handle_pageBegin()
            if progress is not None:
                progress(self.page)

    doc = Doc(
        out,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 4 * mm,
        bottomMargin=MARGIN + 4 * mm,
        title=pdf_title or frame.title,
        author="npc-crf",
        subject=frame.about,
        creator=f"npc-crf {__version__}",
        producer=f"npc-crf {__version__}",
        invariant=1,
        initialFontName=FONT,
        initialFontSize=9,
        lang="zh-CN" if frame.lang == "zh" else "en",
    )
    body = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        doc.height,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[body])])
    doc.build(list(story), canvasmaker=_numbered_canvas(frame))
    return RenderedPdf(out.getvalue(), doc.page)
