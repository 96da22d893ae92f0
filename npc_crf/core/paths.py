"""Where things are: the bundled read-only files, and the site's data.

In a source checkout (and an editable install) the study definitions and
resources sit beside the package; in a PyInstaller build they are unpacked under
``sys._MEIPASS`` (``_internal/`` beside the executable). A site's data never
lives there: by default it is in the user's application-data folder, which an
upgrade (a new program folder) leaves alone.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "npc-crf"
#: overrides the default data folder (a site kept on another drive, a test)
DATA_DIR_ENV = "NPC_CRF_DATA_DIR"


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


def is_frozen() -> bool:
    """True in a PyInstaller build."""
    return bool(getattr(sys, "frozen", False))


def default_data_dir() -> Path:
    """The site's data folder when none is given: ``$NPC_CRF_DATA_DIR`` when set, else
    the user's application-data folder (``~/.local/share/npc-crf/site`` on Linux,
    ``%LOCALAPPDATA%\\npc-crf\\site`` on Windows), never the program folder."""
    chosen = os.environ.get(DATA_DIR_ENV)
    if chosen:
        return Path(chosen)
    return platformdirs.user_data_path(APP_NAME, appauthor=False, roaming=False) / "site"
