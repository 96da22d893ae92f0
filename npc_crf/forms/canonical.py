"""Canonical serialization of definitions and their SHA-256 content hashes.

The canonical form is the model as loaded — defaults filled in, expressions
as written (trimmed), positions left out — as JSON with sorted keys and no
whitespace. Reformatting YAML or moving keys around does not change it;
changing anything a person sees or a check does, does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal
from enum import Enum
from typing import Any

from npc_crf.forms.model import CodeList, Expression, Form, Study, Text

#: model fields that say where something was written, not what it is
_POSITION_FIELDS = frozenset({"loc", "file", "folder"})
CANONICAL_VERSION = 1


def to_plain(value: Any) -> Any:
    """Model objects as JSON-ready values (positions dropped, empties omitted)."""
    if isinstance(value, Expression):
        return value.source
    if isinstance(value, Text):
        return {"en": value.en, "zh": value.zh}
    if isinstance(value, CodeList) and value.source is not None:
        return {"oid": value.oid, "source": value.source, "type": value.type}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in dataclasses.fields(value):
            if f.name in _POSITION_FIELDS or f.name.startswith("_"):
                continue
            item = to_plain(getattr(value, f.name))
            if item is None or item == () or item == [] or item == {} or item is False:
                continue
            out[f.name] = item
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    return value


def form_document(study: Study, form: Form) -> dict[str, Any]:
    """The canonical document of a form: the form and the code lists it uses."""
    used = sorted({item.codelist for item, _ in form.all_items() if item.codelist})
    doc: dict[str, Any] = to_plain(form)
    doc.pop("codelists", None)
    doc["codelists_used"] = [
        to_plain(study.codelists[oid]) for oid in used if oid in study.codelists
    ]
    doc["canonical_version"] = CANONICAL_VERSION
    return doc


def canonical_json(doc: Any) -> str:
    """JSON with sorted keys, no spaces, non-ASCII kept as UTF-8."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    """The SHA-256 of ``text`` encoded as UTF-8, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def form_hash(study: Study, form: Form) -> str:
    """The content hash of one form version."""
    return sha256_hex(canonical_json(form_document(study, form)))


def study_document(study: Study) -> dict[str, Any]:
    """The canonical study document: study-level definitions plus each form's hash."""
    doc: dict[str, Any] = to_plain(study)
    doc.pop("forms", None)
    doc.pop("codelists", None)
    doc["form_hashes"] = {oid: form_hash(study, form) for oid, form in sorted(study.forms.items())}
    doc["canonical_version"] = CANONICAL_VERSION
    return doc


def study_hash(study: Study) -> str:
    """The content hash of the whole study definition (its forms by their hashes)."""
    return sha256_hex(canonical_json(study_document(study)))
