"""The fonts every printed document uses, embedded, and text marked up for them.

reportlab embeds only TrueType-outline fonts (it refuses the CFF outlines of
Noto Sans CJK), so the application ships its own, with their licences, in
``resources/fonts``:

* **WenQuanYi Micro Hei** (Apache-2.0): Latin and Chinese in one face, so a line
  mixing ``信迪利单抗`` and ``200 mg`` keeps one set of metrics;
* **DejaVu Sans** (Bitstream Vera licence): the few symbols Micro Hei lacks,
  tick boxes (☐ ☑ ☒) first.

:func:`markup` escapes text for reportlab's paragraph markup and switches each
run of characters Micro Hei cannot draw to DejaVu Sans, so nothing prints as a
blank. A document never relies on a viewer's own fonts: both are subset and
embedded in every PDF.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from npc_crf.core.errors import UsageError
from npc_crf.core.paths import resources_dir

#: the name documents use for the main face (Latin and Chinese)
FONT = "NpcSans"
#: the same face; Micro Hei has no bold, so bold text is set larger or on a band
FONT_BOLD = "NpcSans"
#: the face for the symbols the main one lacks
SYMBOLS = "NpcSymbols"

MAIN_FILE = "wqy-microhei.ttc"
SYMBOLS_FILE = "DejaVuSans.ttf"

_lock = threading.Lock()
_registered = False


def fonts_dir() -> Path:
    """Where the shipped fonts and their licences are."""
    return resources_dir() / "fonts"


def register_fonts() -> None:
    """Register the shipped fonts with reportlab (once; safe from any thread)."""
    global _registered
    with _lock:
        if _registered:
            return
        folder = fonts_dir()
        try:
            pdfmetrics.registerFont(TTFont(FONT, str(folder / MAIN_FILE), subfontIndex=0))
            pdfmetrics.registerFont(TTFont(SYMBOLS, str(folder / SYMBOLS_FILE)))
        except OSError as exc:  # a damaged or incomplete installation
            raise UsageError(
                f"The document fonts cannot be read from {folder} ({exc}); reinstall npc-crf."
            ) from exc
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)
        _registered = True


@lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    register_fonts()
    font = pdfmetrics.getFont(FONT)
    return frozenset(font.face.charToGlyph)


def has_glyph(char: str) -> bool:
    """Whether the main face draws ``char``."""
    return ord(char) in _covered()


def markup(text: object) -> str:
    """``text`` as paragraph markup: escaped, line breaks kept, symbols the main face
    lacks set in :data:`SYMBOLS`."""
    plain = "" if text is None else str(text)
    covered = _covered()
    out: list[str] = []
    run: list[str] = []
    in_symbols = False

    def flush() -> None:
        if not run:
            return
        chunk = escape("".join(run)).replace("\n", "<br/>")
        out.append(f'<font face="{SYMBOLS}">{chunk}</font>' if in_symbols else chunk)
        run.clear()

    for char in plain:
        needs_symbols = char not in "\n\t " and ord(char) not in covered
        if needs_symbols != in_symbols:
            flush()
            in_symbols = needs_symbols
        run.append(char)
    flush()
    return "".join(out)
