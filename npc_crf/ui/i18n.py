"""Language and fonts of the interface.

Every text of the interface is written in English in the source and goes
through Qt's translation system (``self.tr`` or ``QCoreApplication.translate``).
``scripts/i18n_update.sh`` collects them into ``resources/i18n/npc_crf_zh_CN.ts``
(translated there, in Qt Linguist or by hand); ``scripts/bootstrap.sh`` compiles it
into ``npc_crf/ui/i18n/npc_crf_zh_CN.qm``, which :func:`install_language` loads
together with Qt's own translation of its standard buttons and dialogs.

Study definitions carry both languages themselves (``Text.get(lang)``); views ask
:func:`current_language` which one to show.

Fonts: the application font is the platform's default scaled by the person's
font-size preference; a Simplified Chinese font is put first when Chinese is
active and kept as the fallback otherwise, so Chinese names and texts never show
as empty boxes nor in a Japanese glyph variant. A computer with none of the
families listed gets the face shipped for the printed documents
(``resources/fonts/wqy-microhei.ttc``), loaded into the application.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLibraryInfo,
    QLocale,
    QTranslator,
)
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from npc_crf.auth.roles import Role
from npc_crf.core.paths import resources_dir

# the languages of the interface: code → its own name (never translated)
LANGUAGES: dict[str, str] = {"en": "English", "zh": "简体中文"}

# where the compiled translations are (built by scripts/bootstrap.sh, not in git)
QM_DIR = Path(__file__).resolve().parent / "i18n"
APP_CATALOG = "npc_crf_zh_CN"
QT_CATALOG = "qtbase_zh_CN"

# Simplified Chinese fonts, the preferred first (Windows, Noto/Source Han, others)
CJK_FAMILIES = (
    "Microsoft YaHei",
    "Microsoft YaHei UI",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "PingFang SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimSun",
)

# the CJK face shipped in resources/fonts (used when the computer has no font above)
SHIPPED_CJK = "wqy-microhei.ttc"

_translators: list[QTranslator] = []
_language = "en"
_base_font: QFont | None = None


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Mark ``text`` for ``lupdate`` (in ``context``) where it is defined; it is translated
    when shown, with ``QCoreApplication.translate(context, text)``. (Qt's own returns an
    untyped object.)"""
    return text


def normalise_language(lang: str | None) -> str:
    """``lang`` if it is a language of the interface, else English."""
    return lang if lang in LANGUAGES else "en"


def current_language() -> str:
    """The active language: ``"en"`` or ``"zh"`` (for ``Text.get`` of definition texts)."""
    return _language


def missing_catalog(lang: str) -> Path | None:
    """The compiled catalog that ``lang`` needs but is missing (None when all is there)."""
    if lang == "en":
        return None
    path = QM_DIR / f"{APP_CATALOG}.qm"
    return None if path.is_file() else path


def install_language(app: QCoreApplication, lang: str) -> bool:
    """Make ``lang`` the interface language; every widget gets a LanguageChange event.

    Returns False when the compiled catalog is missing (the interface then stays
    in English; run ``scripts/bootstrap.sh``).
    """
    global _language
    lang = normalise_language(lang)
    for old in _translators:
        app.removeTranslator(old)
    _translators.clear()
    complete = True
    if lang == "zh":
        mine = QTranslator(app)
        complete = mine.load(f"{APP_CATALOG}.qm", str(QM_DIR))
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        theirs = QTranslator(app)
        for translator, loaded in ((mine, complete), (theirs, theirs.load(QT_CATALOG, qt_dir))):
            if loaded:
                app.installTranslator(translator)
                _translators.append(translator)
        QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    else:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    _language = lang
    if isinstance(app, QGuiApplication):
        apply_font(app, lang, _scale)
    return complete


# the roles' names as people read them (translated when shown)
_ROLE_NAMES: dict[Role, str] = {
    Role.CRC: QT_TRANSLATE_NOOP("Roles", "research nurse (CRC)"),
    Role.INVESTIGATOR: QT_TRANSLATE_NOOP("Roles", "investigator"),
    Role.MONITOR: QT_TRANSLATE_NOOP("Roles", "monitor"),
    Role.ADMIN: QT_TRANSLATE_NOOP("Roles", "site administrator"),
}


def role_name(role: Role) -> str:
    """The role's name in the interface language."""
    return QCoreApplication.translate("Roles", _ROLE_NAMES[role])


# -- fonts -------------------------------------------------------------------------------

_scale = 100


def cjk_family() -> str | None:
    """The first installed Simplified Chinese font family; when the computer has none,
    the font shipped for the printed documents (WenQuanYi Micro Hei), loaded into the
    application once. None only when that file cannot be read either."""
    installed = set(QFontDatabase.families())
    found = next((f for f in CJK_FAMILIES if f in installed), None)
    return found if found is not None else _shipped_cjk_family()


_shipped_family: list[str] = []  # loaded at most once per run


def _shipped_cjk_family() -> str | None:
    if not _shipped_family:
        font_id = QFontDatabase.addApplicationFont(str(resources_dir() / "fonts" / SHIPPED_CJK))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        _shipped_family.append(families[0] if families else "")
    return _shipped_family[0] or None


def apply_font(app: QGuiApplication, lang: str, scale_percent: int) -> QFont:
    """Set the application font: the platform default × ``scale_percent`` / 100, with a
    Chinese font first for ``zh`` and as the fallback for English."""
    global _base_font, _scale
    if _base_font is None:
        _base_font = QFont(app.font())
    _scale = scale_percent
    font = QFont(_base_font)
    base_size = _base_font.pointSizeF() if _base_font.pointSizeF() > 0 else 10.0
    font.setPointSizeF(round(base_size * scale_percent / 100, 1))
    cjk = cjk_family()
    base_family = _base_font.family()
    if cjk is not None:
        families = [cjk, base_family] if lang == "zh" else [base_family, cjk]
        font.setFamilies(families)
    app.setFont(font)
    if isinstance(app, QApplication):
        # a widget with a style sheet keeps the font it had when the sheet was applied;
        # applying the sheet again makes it take the new application font
        for widget in app.allWidgets():
            if isinstance(widget, ScaledLabel):
                # Qt tells only top-level windows that the application font changed
                widget.rescale()
            sheet = widget.styleSheet()
            if sheet:
                widget.setStyleSheet("")
                widget.setStyleSheet(sheet)
    return font


def font_scale() -> int:
    """The font size in percent of the platform default."""
    return _scale


class ScaledLabel(QLabel):
    """A label whose font is a multiple of the application font (headings, the lock screen),
    following font-size changes."""

    def __init__(
        self,
        text: str = "",
        factor: float = 1.5,
        bold: bool = False,
        fixed: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(text, parent)
        self.factor, self.bold, self.fixed = factor, bold, fixed
        self.rescale()

    def rescale(self) -> None:
        """Take the application font × ``factor`` again."""
        font = QFont(QGuiApplication.font())
        size = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
        if self.fixed:
            font.setFamilies(
                [QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()]
            )
            font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(size * self.factor)
        font.setBold(self.bold)
        self.setFont(font)

    def event(self, event: QEvent) -> bool:
        """Follow the application font."""
        handled = super().event(event)
        if event.type() == QEvent.Type.ApplicationFontChange:
            self.rescale()
        return handled
