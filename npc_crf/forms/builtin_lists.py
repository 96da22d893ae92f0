"""Built-in code lists too large to write by hand (``source:`` in a code list)."""

from __future__ import annotations

import json
from functools import cache

from npc_crf.core.paths import resources_dir
from npc_crf.forms.model import CodeItem, CodeList, Text


@cache
def ctcae_v5_items() -> tuple[CodeItem, ...]:
    """All CTCAE v5.0 terms: code = MedDRA LLT code, decode = the term (English, as published)."""
    path = resources_dir() / "ctcae_v5_terms.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        CodeItem(term["meddra_code"], Text(term["term"], term["term"])) for term in data["terms"]
    )


SOURCES = {"ctcae_v5": ctcae_v5_items}


def materialize(codelist: CodeList) -> CodeList:
    """The code list with its built-in items filled in (unchanged when it has no source)."""
    if codelist.source is None:
        return codelist
    return CodeList(
        codelist.oid, codelist.type, SOURCES[codelist.source](), codelist.source, codelist.loc
    )
