"""The kinds of printed documents and their default file names (no reportlab import,
so the command line starts quickly)."""

from __future__ import annotations

from enum import StrEnum


class ReportKind(StrEnum):
    """The documents npc-crf prints (``npc-crf report KIND``)."""

    BLANK_CRF = "blank-crf"
    ANNOTATED_CRF = "annotated-crf"
    CASEBOOK = "casebook"
    SAE = "sae"
    QUERIES = "queries"
    SDV = "sdv"


def default_name(kind: ReportKind, subject_id: str | None = None, extra: str = "") -> str:
    """The file name a document gets when only a folder is given."""
    parts = [p for p in (subject_id, kind.value, extra) if p]
    return "-".join(parts) + ".pdf"
