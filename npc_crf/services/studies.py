"""Finding a study definition by OID among the bundled (or given) definitions."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from npc_crf.core.errors import UsageError
from npc_crf.core.paths import bundled_forms_dir
from npc_crf.forms.loader import STUDY_FILE, load_study, study_folders
from npc_crf.forms.model import Study


def _declared_oid(folder: Path) -> str | None:
    try:
        stamp = (folder / STUDY_FILE).stat().st_mtime_ns
    except OSError:
        return None
    return _read_oid(folder.resolve(), stamp)


@lru_cache(maxsize=64)
def _read_oid(folder: Path, stamp: int) -> str | None:
    """The OID a study.yaml declares; cached until the file changes (``stamp``)."""
    try:
        data = yaml.safe_load((folder / STUDY_FILE).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    oid = data.get("oid") if isinstance(data, dict) else None
    return oid if isinstance(oid, str) else None


def available_studies(forms_dir: Path | None = None) -> dict[str, Path]:
    """Study OID → folder, for every study folder under ``forms_dir`` (default: bundled)."""
    found: dict[str, Path] = {}
    for folder in study_folders(forms_dir or bundled_forms_dir()):
        oid = _declared_oid(folder)
        if oid:
            found[oid] = folder
    return found


@lru_cache(maxsize=8)
def _load(folder: Path) -> Study:
    return load_study(folder)


def find_study(oid: str, forms_dir: Path | None = None) -> Study:
    """Load study ``oid``; UsageError listing the known OIDs when there is none."""
    studies = available_studies(forms_dir)
    folder = studies.get(oid)
    if folder is None:
        known = ", ".join(sorted(studies)) or "none"
        raise UsageError(f"There is no study '{oid}' (available: {known}).")
    return _load(folder.resolve())
