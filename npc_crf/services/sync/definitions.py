"""Verifying a study definition that arrived in a return bundle.

The files are written to a fresh folder under ``DIR/tmp`` (study definitions
hold no clinical data), loaded with the forms loader — which runs every check of
``npc-crf forms check`` — and compared with what the center signed: the study
OID, the version and ``definition_sha256``. The folder is removed afterwards.
A definition that does not load refuses the whole return bundle.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from npc_crf.core.errors import BundleRefused
from npc_crf.forms.loader import load_study
from npc_crf.forms.problems import DefinitionError, Problem
from npc_crf.services.sync.common import definition_sha256
from npc_crf.services.sync.return_payload import Definition

_SHOWN_PROBLEMS = 5


def verify_definition(definition: Definition, tmp: Path, study_oid: str) -> None:
    """Refuse (check ``payload``) unless the definition loads cleanly and is what it claims."""

    def bad(problem: str) -> BundleRefused:
        return BundleRefused("payload", f"payload.definition: {problem}")

    if definition.study_oid != study_oid:
        raise bad(f"the definition is for study {definition.study_oid}, not {study_oid}")
    folder = tmp / f"definition-{uuid.uuid4()}"
    try:
        folder.mkdir(mode=0o700, parents=True)
        for name, content in definition.files.items():
            path = folder / name
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        try:
            study = load_study(folder)
        except DefinitionError as exc:
            shown = [_inside(folder, p) for p in exc.problems[:_SHOWN_PROBLEMS]]
            more = len(exc.problems) - len(shown)
            raise bad(
                f"version {definition.version} does not load ({len(exc.problems)} problem(s)): "
                + "; ".join(shown)
                + (f"; and {more} more" if more > 0 else "")
            ) from None
    except OSError as exc:
        raise bad(f"could not be written to {tmp} for checking ({exc.strerror})") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if (study.oid, study.version) != (definition.study_oid, definition.version):
        raise bad(
            f"the files define {study.oid} version {study.version}, the bundle says "
            f"{definition.study_oid} version {definition.version}"
        )
    if definition_sha256(study) != definition.definition_sha256:
        raise bad(
            "definition_sha256 does not match the forms in the files (the files were changed "
            "after the center hashed them)"
        )


def _inside(folder: Path, problem: Problem) -> str:
    """A problem with its file named as in the bundle (``forms/ae.yaml:12:5: …``)."""
    where = problem.location
    name = os.path.relpath(os.path.abspath(where.file), folder).replace(os.sep, "/")
    return f"{name}:{where.line}:{where.col}: {problem.message}"
