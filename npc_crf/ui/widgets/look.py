"""Fonts and colours set through palettes, not style sheets.

A style sheet on a container restyles every widget inside it (tens of
milliseconds on a large form); palettes and fonts cost nothing comparable, so
the form entry screen uses these helpers instead.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QWidget


def set_font(
    widget: QWidget,
    *,
    bold: bool | None = None,
    italic: bool | None = None,
    scale: float | None = None,
) -> None:
    """Bold, italic and/or a size relative to the widget's current font."""
    font = QFont(widget.font())
    if bold is not None:
        font.setBold(bold)
    if italic is not None:
        font.setItalic(italic)
    if scale is not None and font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * scale)
    widget.setFont(font)


def set_colors(widget: QWidget, text: str | None, background: str | None = None) -> None:
    """Text colour and (when given) a filled background; None keeps the default."""
    palette = QPalette(widget.palette())
    default = widget.style().standardPalette() if widget.style() is not None else QPalette()
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
        palette.setColor(role, QColor(text) if text else default.color(role))
    if background:
        palette.setColor(QPalette.ColorRole.Window, QColor(background))
        widget.setBackgroundRole(QPalette.ColorRole.Window)  # not the parent's (Base)
    widget.setPalette(palette)
    widget.setAutoFillBackground(bool(background))


def muted(widget: QWidget, *, small: bool = True) -> None:
    """Grey, smaller text (help and notes)."""
    set_colors(widget, "#616161")
    if small:
        set_font(widget, scale=0.9)
