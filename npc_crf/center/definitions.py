"""The study definitions the center knows: the one it was made with, and those it published.

A site may still work with an older version than the center's newest, and its
forms are pinned to the definition hash they were saved with. Bundles are
therefore validated against the form whose hash the site names when the center
knows that version, and against the newest definition otherwise.

Published definitions (``center publish-definition``) are kept in the store
(table ``study_definition``: every file's text) and written out below
``DIR/definitions/<study>/<version>/`` to be loaded; they hold no clinical data.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from npc_crf.core.errors import UsageError
from npc_crf.forms.canonical import form_hash
from npc_crf.forms.loader import STUDY_FILE, load_study
from npc_crf.forms.model import Event, Form, Study
from npc_crf.forms.problems import DefinitionError
from npc_crf.services.studies import find_study
from npc_crf.store.atomic import write_atomic

#: definition files are text; anything larger is not a study definition
MAX_FILE_BYTES = 4 << 20


def definition_sha256(study: Study) -> str:
    """Hex SHA-256 of the canonical JSON ``{form OID: definition hash}`` (§2 ``study``)."""
    doc = {oid: form_hash(study, f) for oid, f in sorted(study.forms.items())}
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Definitions:
    """Every known version of the center's study; ``current`` is the newest."""

    current: Study
    versions: list[Study] = field(default_factory=list)
    _by_hash: dict[str, Form] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.versions:
            self.versions = [self.current]
        for study in self.versions:
            for form in study.forms.values():
                self._by_hash.setdefault(form_hash(study, form), form)

    def form(self, form_oid: str, definition_hash: str | None = None) -> Form | None:
        """The form a record is pinned to (by hash), else the newest version of ``form_oid``."""
        pinned = self._by_hash.get(definition_hash or "")
        if pinned is not None and pinned.oid == form_oid:
            return pinned
        for study in (self.current, *self.versions):
            found = study.forms.get(form_oid)
            if found is not None:
                return found
        return None

    def event(self, event_oid: str) -> Event | None:
        """The event ``event_oid`` in the newest version that has it."""
        for study in (self.current, *self.versions):
            found = study.event(event_oid)
            if found is not None:
                return found
        return None

    def meanings(self) -> set[str]:
        """Signature meaning codes of every version."""
        return {m.code for study in self.versions for m in study.signature_meanings}

    def missing_codes(self, form: Form, item_oid: str) -> tuple[str, ...]:
        """The missing-data codes an item accepts (the newest study's list for the form)."""
        item = form.item(item_oid)
        if item is None:
            return ()
        codes: set[str] = set()
        for study in self.versions:
            codes.update(study.missing_codes_for(item))
        return tuple(sorted(codes))


def read_folder(folder: Path) -> dict[str, str]:
    """Every file of a study folder as ``{relative posix path: text}``."""
    files: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or any(p.startswith(".") for p in path.relative_to(folder).parts):
            continue
        rel = path.relative_to(folder).as_posix()
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UsageError(
                f"{path}: larger than {MAX_FILE_BYTES >> 20} MiB; not a definition file."
            )
        try:
            files[rel] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UsageError(
                f"{path}: not UTF-8 text; a study definition holds text files only."
            ) from None
    if STUDY_FILE not in files:
        raise UsageError(f"{folder}: there is no {STUDY_FILE} in this folder.")
    return files


def write_folder(folder: Path, files: Mapping[str, str]) -> None:
    """Write ``files`` into ``folder`` exactly (anything else in it is removed)."""
    if folder.exists():
        shutil.rmtree(folder)
    for rel, text in files.items():
        target = folder / rel
        if ".." in Path(rel).parts or Path(rel).is_absolute():
            raise UsageError(f"definition file name {rel!r} leaves its folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text.encode("utf-8"))


def load_folder(folder: Path, study_oid: str) -> Study:
    """Load and check a definition folder of the center's study; UsageError otherwise."""
    try:
        study = load_study(folder)
    except DefinitionError as exc:
        problems = "\n".join(f"  {p}" for p in exc.problems[:20])
        raise UsageError(
            f"The study definition in {folder} does not pass the forms check:\n{problems}"
        ) from None
    if study.oid != study_oid:
        raise UsageError(f"{folder} defines study {study.oid!r}, not this center's {study_oid!r}.")
    return study


def load_definitions(
    root: Path,
    study_oid: str,
    published: Iterable[tuple[str, Mapping[str, str]]],
    forms_dir: Path | None = None,
) -> Definitions:
    """The base definition (bundled or ``forms_dir``) and every published one, oldest first.

    ``published`` are ``(version, files)`` in publication order; each is written out
    below ``root/definitions`` again when its folder is missing or differs.
    """
    versions = [find_study(study_oid, forms_dir)]
    for version, files in published:
        folder = root / "definitions" / study_oid / version
        try:
            on_disk = read_folder(folder) if folder.is_dir() else None
        except UsageError:
            on_disk = None
        if on_disk != dict(files):
            write_folder(folder, files)
        versions.append(load_folder(folder, study_oid))
    return Definitions(current=versions[-1], versions=versions)
