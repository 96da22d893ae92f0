"""Shared fixtures: the bundled studies, loaded once."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from npc_crf.core.paths import bundled_forms_dir
from npc_crf.forms.loader import load_studies, study_folders
from npc_crf.forms.model import Study
from tests.report_fixtures import ReportSite, build_report_site

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


@pytest.fixture(scope="session")
def report_site_of(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], ReportSite]:
    """The shared demo site of a study for the printed-document tests, built on first
    use (``report_site_of("NPC-SINT-RT")``; see tests/report_fixtures.py)."""
    built: dict[str, ReportSite] = {}

    def get(study_oid: str) -> ReportSite:
        if study_oid not in built:
            base = tmp_path_factory.mktemp(f"reports-{study_oid.lower()}")
            built[study_oid] = build_report_site(base, study_oid)
        return built[study_oid]

    return get
