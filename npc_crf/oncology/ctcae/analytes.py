"""Study lab analytes (the keys of ``reference_ranges``) → the CTCAE terms that grade them.

The bundled studies name analytes ``HGB, WBC, ANC, LYM, PLT, ALT, AST, ALP, TBIL,
CREAT, ALB, NA, K, TSH``; their forms call sodium and potassium ``SODIUM`` and
``POTAS``. :func:`lab_terms_for` accepts both, and the keys of analytes the
forms do not collect yet (``GGT, LIPASE, AMYLASE, CPK``). Grading a value of an
analyte is :func:`npc_crf.oncology.ctcae.findings.grade_analyte`.
"""

from __future__ import annotations

from dataclasses import dataclass

from npc_crf.oncology.ctcae.rules import RULES, Direction


@dataclass(frozen=True)
class AnalyteTerm:
    """A CTCAE term that grades an analyte in one direction."""

    key: str  # the rule's short key (lab.grade_lab accepts it)
    code: str  # MedDRA code
    direction: Direction  # LOW: graded below LLN; HIGH: above ULN


#: analyte key → the rule keys grading it, low side first
ANALYTE_TERMS: dict[str, tuple[str, ...]] = {
    "HGB": ("ANEMIA",),
    "WBC": ("WBC",),
    "ANC": ("ANC",),
    "LYM": ("LYM",),
    "PLT": ("PLT",),
    "ALT": ("ALT",),
    "AST": ("AST",),
    "ALP": ("ALP",),
    "GGT": ("GGT",),
    "TBIL": ("TBIL",),
    "CREAT": ("CREAT",),
    "ALB": ("HYPOALBUMINEMIA",),
    "NA": ("HYPONATREMIA", "HYPERNATREMIA"),
    "K": ("HYPOKALEMIA", "HYPERKALEMIA"),
    "TSH": ("TSH",),
    "LIPASE": ("LIPASE",),
    "AMYLASE": ("AMYLASE",),
    "CPK": ("CPK",),
}

#: other spellings of analyte keys (form item OIDs, common abbreviations)
ALIASES: dict[str, str] = {
    "SODIUM": "NA",
    "POTAS": "K",
    "POTASSIUM": "K",
    "HB": "HGB",
    "NEUT": "ANC",
    "LYMPH": "LYM",
    "BILI": "TBIL",
    "CREA": "CREAT",
    "SGPT": "ALT",
    "SGOT": "AST",
    "AMYL": "AMYLASE",
    "CK": "CPK",
}


def analyte_key(name: str) -> str | None:
    """The canonical analyte key of ``name`` (an analyte key, alias or item OID), or None."""
    key = name.strip().upper()
    key = ALIASES.get(key, key)
    return key if key in ANALYTE_TERMS else None


def lab_terms_for(analyte: str) -> tuple[AnalyteTerm, ...]:
    """The CTCAE terms grading ``analyte`` (empty when CTCAE grades none from its value)."""
    key = analyte_key(analyte)
    if key is None:
        return ()
    rules = [RULES[k] for k in ANALYTE_TERMS[key]]
    return tuple(AnalyteTerm(r.key, r.code, r.direction) for r in rules)
