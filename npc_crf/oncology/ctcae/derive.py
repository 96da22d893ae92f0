"""``npc-crf derive ctcae-lab``: the CTCAE grade of one lab value, from one JSON document.

Input (``docs/ctcae.md``)::

    {"term": "ALT", "value": 121, "unit": "U/L", "lln": 7, "uln": 40,
     "baseline": 35, "flags": {"symptomatic": false}, "settings": {...}}

``term`` is a short key, a CTCAE term or a MedDRA code; ``meddra_code`` may be
given instead. Every field that cannot be used is reported by its JSON path,
and a field that is not in the schema is refused.
"""

from __future__ import annotations

from decimal import Decimal

from npc_crf.oncology.ctcae.lab import LabInputError, grade_lab, resolve_rule
from npc_crf.oncology.ctcae.settings import CtcaeSettings, ctcae_settings
from npc_crf.oncology.jsonin import InputError, Node
from npc_crf.oncology.settings import SettingError, settings_as_mapping

FIELDS = {
    "term",
    "meddra_code",
    "value",
    "unit",
    "lln",
    "uln",
    "range_unit",
    "baseline",
    "baseline_unit",
    "flags",
    "settings",
}


def _optional_number(node: Node, key: str) -> Decimal | None:
    child = node.get(key, None)
    return None if child.is_null else child.decimal(minimum=Decimal(0))


def _optional_text(node: Node, key: str) -> str | None:
    child = node.get(key, None)
    return None if child.is_null else child.string()


def _term(node: Node) -> tuple[str, str]:
    """The term as given and the field that gave it."""
    has_term, has_code = node.has("term"), node.has("meddra_code")
    if not has_term and not has_code:
        raise InputError("term", "is required (or give meddra_code)")
    code: str | None = None
    if has_code:
        child = node.get("meddra_code")
        if isinstance(child.value, int) and not isinstance(child.value, bool):
            code = str(child.value)
        else:
            code = child.string().strip()
        if not code.isdigit():
            child.fail(f"must be a MedDRA code (digits), not {child.value!r}")
    if has_term:
        term = node.get("term").string()
        if code is not None:
            try:
                same = resolve_rule(term).code == resolve_rule(code).code
            except LabInputError:
                same = True  # the unknown one is reported below
            if not same:
                raise InputError("meddra_code", f"{code} is not the code of term {term!r}")
        return term, "term"
    assert code is not None
    return code, "meddra_code"


def _flags(node: Node) -> dict[str, bool | None]:
    child = node.get("flags", None)
    if child.is_null:
        return {}
    flags: dict[str, bool | None] = {}
    for name, value in child.items():
        flags[name] = None if value.is_null else value.boolean()
    return flags


def _settings(node: Node) -> CtcaeSettings:
    child = node.get("settings", None)
    if child.is_null:
        return CtcaeSettings()
    try:
        return ctcae_settings(child.obj())
    except SettingError as exc:
        raise InputError(f"{child.path}.{exc.key}", exc.message) from exc


def derive_lab(node: Node) -> dict[str, object]:
    """Grade one lab value (the ``ctcae-lab`` kind of ``npc-crf derive``)."""
    node.unknown_keys(FIELDS)
    term, term_field = _term(node)
    value = node.get("value").decimal(minimum=Decimal(0))
    unit = node.get("unit").string()
    flags = _flags(node)
    settings = _settings(node)
    try:
        result = grade_lab(
            term,
            value,
            unit,
            lln=_optional_number(node, "lln"),
            uln=_optional_number(node, "uln"),
            range_unit=_optional_text(node, "range_unit"),
            baseline=_optional_number(node, "baseline"),
            baseline_unit=_optional_text(node, "baseline_unit"),
            flags=flags,
            settings=settings,
        )
    except LabInputError as exc:
        field = term_field if exc.field == "term" else exc.field
        raise InputError(field, exc.message) from exc
    grade_text = result.term.grade_text(result.grade) if result.grade else None
    return {
        "term": result.term.term,
        "meddra_code": result.term.code,
        "soc": result.term.soc,
        "direction": result.direction.value,
        "grade": result.grade,
        "criterion": result.criterion,
        "grade_text": grade_text,
        "needs": list(result.needs),
        "beyond_limit": result.beyond_limit,
        "multiple": result.multiple,
        "multiple_of": result.multiple_of,
        "baseline_abnormal": result.baseline_abnormal,
        "report_as": (
            {"term": result.report_as.term, "meddra_code": result.report_as.code}
            if result.report_as is not None
            else None
        ),
        "notes": list(result.notes),
        "settings": settings_as_mapping(settings),
    }
