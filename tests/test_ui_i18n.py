"""The translation pipeline: every text has a Chinese translation, the .ts is current,
the compiled catalog loads, and Chinese text has a font (offscreen too)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET  # our own .ts file, not untrusted input
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFontDatabase, QFontMetrics
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from npc_crf.ui.i18n import (
    APP_CATALOG,
    QM_DIR,
    apply_font,
    cjk_family,
    current_language,
    install_language,
)

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "resources" / "i18n" / "npc_crf_zh_CN.ts"
TOOLS = Path(sys.executable).parent
UI = ROOT / "npc_crf" / "ui"

#: every source file of the interface: all their texts must be translated
UI_FILES = sorted(p for p in UI.rglob("*.py") if "__pycache__" not in p.parts)

Key = tuple[str, str, str]  # context, source, disambiguation comment


def read_ts(path: Path) -> dict[Key, tuple[str, str]]:
    """(context, source, comment) → (translation, its type: '' when finished)."""
    messages: dict[Key, tuple[str, str]] = {}
    for context in ET.parse(path).getroot().iter("context"):  # noqa: S314 - our own file
        name = context.findtext("name", "")
        for message in context.iter("message"):
            key = (name, message.findtext("source", ""), message.findtext("comment", ""))
            translation = message.find("translation")
            text = translation.text or "" if translation is not None else ""
            kind = translation.get("type", "") if translation is not None else "missing"
            messages[key] = (text, kind)
    return messages


def extract(sources: list[Path], tmp_path: Path) -> dict[Key, tuple[str, str]]:
    """What ``lupdate`` finds in ``sources``, merged with the committed translations."""
    work = tmp_path / "check.ts"
    shutil.copy(TS, work)
    subprocess.run(
        [str(TOOLS / "pyside6-lupdate"), "-silent", "-locations", "none", "-no-obsolete"]
        + [str(p) for p in sources]
        + ["-ts", str(work)],
        check=True,
        capture_output=True,
    )
    return read_ts(work)


def problems(sources: list[Path], tmp_path: Path) -> list[str]:
    """Every text of ``sources`` without a finished translation or missing from the .ts,
    and every entry the .ts still has in their contexts that the code no longer uses."""
    found = extract(sources, tmp_path)
    committed = read_ts(TS)
    listed: list[str] = []
    for (context, source, _comment), (text, kind) in sorted(found.items()):
        where = f"{context}: {source!r}"
        if (context, source, _comment) not in committed:
            listed.append(f"{where} is not in {TS.name} (run scripts/i18n_update.sh)")
        elif kind or not text.strip():
            listed.append(f"{where} has no finished Chinese translation")
    contexts = {key[0] for key in found}
    for key in sorted(committed):
        if key[0] in contexts and key not in found:
            listed.append(
                f"{key[0]}: {key[1]!r} is no longer in the code (run scripts/i18n_update.sh)"
            )
    return listed


def test_every_text_of_the_interface_is_translated_and_the_ts_is_current(tmp_path):
    assert problems(UI_FILES, tmp_path) == []


def test_the_checker_finds_a_new_untranslated_text(tmp_path):
    """A positive control: a text the .ts does not have is reported."""
    source = tmp_path / "extra.py"
    source.write_text(
        "from PySide6.QtCore import QCoreApplication\n"
        'QCoreApplication.translate("LoginWindow", "A text nobody translated")\n',
        encoding="utf-8",
    )
    found = problems([*UI_FILES, source], tmp_path)
    assert found == [
        "LoginWindow: 'A text nobody translated' is not in npc_crf_zh_CN.ts "
        "(run scripts/i18n_update.sh)"
    ]


def test_the_compiled_catalog_is_built_from_the_current_ts(tmp_path):
    built = QM_DIR / f"{APP_CATALOG}.qm"
    assert built.is_file(), "run scripts/bootstrap.sh to build the translations"
    fresh = tmp_path / "fresh.qm"
    subprocess.run(
        [str(TOOLS / "pyside6-lrelease"), "-silent", str(TS), "-qm", str(fresh)],
        check=True,
        capture_output=True,
    )
    assert fresh.read_bytes() == built.read_bytes(), "run scripts/bootstrap.sh"


@pytest.fixture
def chinese(qapp):
    assert install_language(qapp, "zh")
    yield qapp
    install_language(qapp, "en")
    apply_font(qapp, "en", 100)


CHINESE_TEXTS = [
    # (context, English source, a word the translation contains)
    ("LoginWindow", "Log in", "登录"),
    ("Roles", "research nurse (CRC)", "研究护士"),
    ("MainWindow", "Subjects", "受试者"),
    ("StatusBar", "never", "从未"),
]


@pytest.mark.parametrize(("context", "source", "word"), CHINESE_TEXTS)
def test_chinese_is_installed_with_qts_own_buttons(chinese, context, source, word):
    assert current_language() == "zh"
    assert word in QCoreApplication.translate(context, source)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


def test_english_is_the_source_text(qapp):
    install_language(qapp, "en")
    assert current_language() == "en"
    assert QCoreApplication.translate("LoginWindow", "Log in") == "Log in"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chinese_text_has_a_font_offscreen(qapp, lang):
    family = cjk_family()
    assert family is not None, "no Simplified Chinese font: scripts/bootstrap.sh installs one"
    install_language(qapp, lang)
    try:
        font = QApplication.font()
        families = font.families()
        assert family in families
        assert (families[0] == family) == (lang == "zh")  # first for Chinese, fallback else
        assert all(QFontMetrics(font).inFontUcs4(ord(ch)) or ch == " " for ch in "受试者 研究护士")
        assert QFontDatabase.writingSystems(family)
    finally:
        install_language(qapp, "en")


def test_scaled_labels_inside_windows_follow_the_font_size(qtbot: object) -> None:
    """Qt tells only top-level windows of a font change: a heading inside a view must follow."""
    from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

    from npc_crf.ui.i18n import ScaledLabel, apply_font, font_scale

    window = QWidget()
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    heading = ScaledLabel("Casebook", factor=1.4, bold=True)
    QVBoxLayout(window).addWidget(heading)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = font_scale()
    try:
        apply_font(app, "en", 100)
        normal = heading.font().pointSizeF()
        apply_font(app, "en", 150)
        assert heading.font().pointSizeF() > normal * 1.4
    finally:
        apply_font(app, "en", before)
