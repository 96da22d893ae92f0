"""The interface's part of ``npc-crf --self-test``: Qt's platform plugin, a screen font
that draws Chinese, and the compiled translations (Qt's and npc-crf's).

The core runs these like its own checks (:mod:`npc_crf.selftest`); they are here
because only ``npc_crf.ui`` may import Qt.
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator, qVersion
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel

from npc_crf.selftest.runner import Check, CheckFailed
from npc_crf.ui.i18n import (
    APP_CATALOG,
    QM_DIR,
    QT_CATALOG,
    cjk_family,
    current_language,
    install_language,
)

SAMPLE = "鼻咽癌 NPC 200 mg"


def _application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    if not isinstance(app, QApplication):
        raise CheckFailed("a non-widget Qt application is already running.")
    return app


def check_qt_platform(context: dict[str, Any]) -> str:
    """Qt starts with its platform plugin, draws a label, and loads its print support."""
    app = _application()
    label = QLabel(SAMPLE)
    label.adjustSize()
    image = label.grab().toImage()
    if image.isNull() or image.width() < 10:
        raise CheckFailed(f"Qt could not draw a label on the '{app.platformName()}' platform.")
    background = image.pixelColor(0, 0)
    drawn = any(
        image.pixelColor(x, y) != background
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
    )
    if not drawn:
        raise CheckFailed("a label with text was drawn empty: Qt found no usable font.")
    from PySide6.QtPrintSupport import QPrinter  # the wizard prints the recovery key

    if not QPrinter().isValid():
        raise CheckFailed("Qt's print support loaded but made no usable printer object.")
    return (
        f"Qt {qVersion()} (PySide6 {pyside_version}), platform plugin "
        f"'{QGuiApplication.platformName()}', print support"
    )


def check_screen_font(context: dict[str, Any]) -> str:
    """A font that draws Simplified Chinese on screen (the computer's, or the shipped one)."""
    _application()
    family = cjk_family()
    if family is None:
        raise CheckFailed("no Chinese font: neither an installed one nor the shipped face.")
    metrics = QFontMetrics(QFont(family))
    missing = [c for c in SAMPLE if c != " " and not metrics.inFontUcs4(ord(c))]
    if missing:
        raise CheckFailed(f"the font '{family}' has no glyph for {''.join(missing)}.")
    return f"Chinese text drawn with '{family}'"


def check_translations(context: dict[str, Any]) -> str:
    """The Chinese interface catalog and Qt's own Chinese texts load and translate."""
    app = _application()
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not QTranslator().load(QT_CATALOG, qt_dir):
        raise CheckFailed(f"Qt's {QT_CATALOG}.qm is not in {qt_dir}.")
    before = current_language()
    try:
        if not install_language(app, "zh"):
            raise CheckFailed(f"{APP_CATALOG}.qm is missing from {QM_DIR}.")
        shown = QCoreApplication.translate("Roles", "investigator")
    finally:
        install_language(app, before)
    if shown == "investigator" or not any("\u4e00" <= c <= "\u9fff" for c in shown):
        raise CheckFailed(f"{APP_CATALOG}.qm loaded but did not translate a known text.")
    return f"{APP_CATALOG}.qm and {QT_CATALOG}.qm load; 'investigator' reads '{shown}'"


QT_CHECKS = (
    Check("qt-platform", "Qt platform plugin", check_qt_platform),
    Check("screen-font", "Chinese screen font", check_screen_font, needs=("qt-platform",)),
    Check("translations", "Interface translations", check_translations, needs=("qt-platform",)),
)
