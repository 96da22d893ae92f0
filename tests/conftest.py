"""Shared fixtures: the bundled studies, loaded once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from npc_crf.core.paths import bundled_forms_dir
from npc_crf.forms.loader import load_studies, study_folders
from npc_crf.forms.model import Study

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def studies() -> dict[str, Study]:
    """The bundled studies by folder name."""
    loaded = load_studies(bundled_forms_dir())
    return {Path(s.folder).name: s for s in loaded}


def bundled_study_names() -> list[str]:
    """Folder names of the bundled studies (for parametrizing)."""
    return [p.name for p in study_folders(bundled_forms_dir())]
