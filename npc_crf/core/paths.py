"""Where the bundled read-only files are: the study definitions and resources.

In a source checkout (and an editable install) they sit beside the package; in
a PyInstaller build they are unpacked under ``sys._MEIPASS``.
"""

from __future__ import annotations

import sys
from pathlib import Path


def install_root() -> Path:
    """The folder holding ``forms/`` and ``resources/``."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parents[2]


def bundled_forms_dir() -> Path:
    """The study definitions shipped with the application."""
    return install_root() / "forms"


def resources_dir() -> Path:
    """Fonts, reference data and translations shipped with the application."""
    return install_root() / "resources"
