"""The lab terms' grade bands, transcribed from the verbatim CTCAE v5.0 grade texts.

Every band carries the clause of the grade text it comes from (the ``;``-separated
part, verbatim); :func:`rule_problems` checks each clause against the shipped
catalogue, so a rule cannot drift from the text it claims to implement.

How a range is read (domain rules §3): ``>A - B`` is above A up to and including
B; ``<A - B`` is below A down to and including B; a value equal to the LLN or
ULN is grade 0. A band therefore stores one limit — the end it includes — and
starts where the previous band stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from npc_crf.oncology.ctcae.catalogue import Catalogue, catalogue

#: the clinical facts a lab grade may depend on (the keys of ``flags``)
SYMPTOMATIC = "symptomatic"
INTERVENTION_INDICATED = "intervention_indicated"
INTERVENTION_INITIATED = "intervention_initiated"
HOSPITALIZATION = "hospitalization"
LIFE_THREATENING = "life_threatening"
TRANSFUSION_INDICATED = "transfusion_indicated"
FLAGS = (
    SYMPTOMATIC,
    INTERVENTION_INDICATED,
    INTERVENTION_INITIATED,
    HOSPITALIZATION,
    LIFE_THREATENING,
    TRANSFUSION_INDICATED,
)
#: what each flag means, in CTCAE's words
FLAG_MEANINGS = {
    SYMPTOMATIC: "symptomatic (signs or symptoms of the event)",
    INTERVENTION_INDICATED: "intervention indicated",
    INTERVENTION_INITIATED: "intervention initiated",
    HOSPITALIZATION: "hospitalization indicated",
    LIFE_THREATENING: "life-threatening consequences; urgent intervention indicated",
    TRANSFUSION_INDICATED: "transfusion indicated",
}


class Direction(StrEnum):
    """Which side of the normal range a term grades."""

    LOW = "low"
    HIGH = "high"


class Basis(StrEnum):
    """What the band limits of a scale are written against."""

    ULN = "ULN"  # multiples of the upper limit of normal
    BASELINE = "baseline"  # multiples of the subject's baseline
    ABSOLUTE = "absolute"  # values in the scale's unit, starting beyond LLN/ULN


@dataclass(frozen=True)
class Upgrade:
    """A clinical fact that raises the grade to ``grade`` (CTCAE: "...; hospitalization")."""

    flag: str
    grade: int
    clause: str


@dataclass(frozen=True)
class Band:
    """Values past the previous band up to (high) or down to (low) and including ``limit``."""

    limit: Decimal | None  # None: the most severe band, open-ended
    grade: int
    clause: str
    upgrade: Upgrade | None = None  # a fact that raises the grade within this band


@dataclass(frozen=True)
class Scale:
    """Bands from mild to severe, read against one basis."""

    basis: Basis
    bands: tuple[Band, ...]
    unit: str | None = None  # ABSOLUTE: the unit the limits are written in
    start: Decimal = Decimal(1)  # ULN/BASELINE: the multiple the first band starts after
    start_inclusive: bool = False  # "1.5 - 3.0 x baseline": the start itself is in the band


@dataclass(frozen=True)
class LabRule:
    """How one CTCAE lab term is graded."""

    key: str  # short key: ALT, ANC, HYPOKALEMIA ...
    code: str  # MedDRA code
    analyte: str  # the units key (units.ANALYTE_UNITS)
    direction: Direction
    scales: tuple[Scale, ...]  # ABSOLUTE: one per unit CTCAE writes; ULN: one
    baseline_scale: Scale | None = None
    #: "if_abnormal": every grade ×baseline when the baseline is abnormal (ALT ...);
    #: "also": ×baseline criteria beside the ×ULN ones (creatinine)
    baseline_use: str | None = None
    clinical: tuple[Upgrade, ...] = ()  # facts that raise the grade of any abnormal value
    redirect_flags: tuple[str, ...] = ()  # facts that make it another term (TSH)
    redirect_code: str | None = None

    @property
    def flags(self) -> tuple[str, ...]:
        """Every clinical fact this term's grade can depend on, in :data:`FLAGS` order."""
        used = {u.flag for u in self.clinical} | set(self.redirect_flags)
        for scale in (*self.scales, *((self.baseline_scale,) if self.baseline_scale else ())):
            used |= {b.upgrade.flag for b in scale.bands if b.upgrade is not None}
        return tuple(f for f in FLAGS if f in used)


def _d(text: str) -> Decimal:
    return Decimal(text)


def _ratio(*bands: tuple[str | None, int, str]) -> tuple[Band, ...]:
    return tuple(
        Band(_d(limit) if limit else None, grade, clause) for limit, grade, clause in bands
    )


def _uln(*bands: tuple[str | None, int, str]) -> Scale:
    return Scale(Basis.ULN, _ratio(*bands))


def _baseline(start: str, inclusive: bool, *bands: tuple[str | None, int, str]) -> Scale:
    return Scale(Basis.BASELINE, _ratio(*bands), start=_d(start), start_inclusive=inclusive)


def _absolute(unit: str, *bands: tuple[str | None, int, str]) -> Scale:
    return Scale(Basis.ABSOLUTE, _ratio(*bands), unit=unit)


_NORMAL = "if baseline was normal"
_ABNORMAL = "if baseline was abnormal"


def _transaminase(key: str, code: str) -> LabRule:
    return LabRule(
        key,
        code,
        key,
        Direction.HIGH,
        (
            _uln(
                ("3.0", 1, f">ULN - 3.0 x ULN {_NORMAL}"),
                ("5.0", 2, f">3.0 - 5.0 x ULN {_NORMAL}"),
                ("20.0", 3, f">5.0 - 20.0 x ULN {_NORMAL}"),
                (None, 4, f">20.0 x ULN {_NORMAL}"),
            ),
        ),
        _baseline(
            "1.5",
            True,
            ("3.0", 1, f"1.5 - 3.0 x baseline {_ABNORMAL}"),
            ("5.0", 2, f">3.0 - 5.0 x baseline {_ABNORMAL}"),
            ("20.0", 3, f">5.0 - 20.0 x baseline {_ABNORMAL}"),
            (None, 4, f">20.0 x baseline {_ABNORMAL}"),
        ),
        "if_abnormal",
    )


def _alp_like(key: str, code: str) -> LabRule:
    return LabRule(
        key,
        code,
        key,
        Direction.HIGH,
        (
            _uln(
                ("2.5", 1, f">ULN - 2.5 x ULN {_NORMAL}"),
                ("5.0", 2, f">2.5 - 5.0 x ULN {_NORMAL}"),
                ("20.0", 3, f">5.0 - 20.0 x ULN {_NORMAL}"),
                (None, 4, f">20.0 x ULN {_NORMAL}"),
            ),
        ),
        _baseline(
            "2.0",
            True,
            ("2.5", 1, f"2.0 - 2.5 x baseline {_ABNORMAL}"),
            ("5.0", 2, f">2.5 - 5.0 x baseline {_ABNORMAL}"),
            ("20.0", 3, f">5.0 - 20.0 x baseline {_ABNORMAL}"),
            (None, 4, f">20.0 x baseline {_ABNORMAL}"),
        ),
        "if_abnormal",
    )


def _pancreatic(key: str, code: str) -> LabRule:
    symptomatic3 = Upgrade(SYMPTOMATIC, 3, ">2.0 - 5.0 x ULN with signs or symptoms")
    symptomatic4 = Upgrade(SYMPTOMATIC, 4, ">5.0 x ULN and with signs or symptoms")
    return LabRule(
        key,
        code,
        key,
        Direction.HIGH,
        (
            Scale(
                Basis.ULN,
                (
                    Band(_d("1.5"), 1, ">ULN - 1.5 x ULN"),
                    Band(_d("2.0"), 2, ">1.5 - 2.0 x ULN"),
                    Band(_d("5.0"), 2, ">2.0 - 5.0 x ULN and asymptomatic", symptomatic3),
                    Band(None, 3, ">5.0 x ULN and asymptomatic", symptomatic4),
                ),
            ),
        ),
    )


def _count(
    key: str, code: str, per_l: tuple[str, str, str], per_mm3: tuple[str, str, str]
) -> LabRule:
    """Neutrophils, platelets, white cells, lymphocytes: the same four bands in two units."""

    def scale(unit: str, limits: tuple[str, str, str], suffix: str, first: str) -> Scale:
        one, two, three = limits
        return _absolute(
            unit,
            (one, 1, f"<LLN - {first}{suffix}"),
            (two, 2, f"<{first} - {two}{suffix}"),
            (three, 3, f"<{two} - {three}{suffix}"),
            (None, 4, f"<{three}{suffix}"),
        )

    return LabRule(
        key,
        code,
        key,
        Direction.LOW,
        (
            scale("10^9/L", per_l, " x 10e9 /L", per_l[0]),
            scale("/mm³", per_mm3, "/mm3", per_mm3[0]),
        ),
    )


_ANC = _count("ANC", "10029366", ("1.5", "1.0", "0.5"), ("1500", "1000", "500"))
_WBC = _count("WBC", "10049182", ("3.0", "2.0", "1.0"), ("3000", "2000", "1000"))
_LYM_TYPED = _count("LYM", "10025256", ("0.8", "0.5", "0.2"), ("800", "500", "200"))
# the published grade 1 text has no space in "10e9/L" here (unlike every other count)
_LYM = replace(
    _LYM_TYPED,
    scales=(
        replace(
            _LYM_TYPED.scales[0],
            bands=(Band(_d("0.8"), 1, "<LLN - 0.8 x 10e9/L"), *_LYM_TYPED.scales[0].bands[1:]),
        ),
        _LYM_TYPED.scales[1],
    ),
)

#: platelets: CTCAE writes "75.0 x 10e9 /L" and "75,000/mm3"
_PLT = LabRule(
    "PLT",
    "10035528",
    "PLT",
    Direction.LOW,
    (
        _absolute(
            "10^9/L",
            ("75.0", 1, "<LLN - 75.0 x 10e9 /L"),
            ("50.0", 2, "<75.0 - 50.0 x 10e9 /L"),
            ("25.0", 3, "<50.0 - 25.0 x 10e9 /L"),
            (None, 4, "<25.0 x 10e9 /L"),
        ),
        _absolute(
            "/mm³",
            ("75000", 1, "<LLN - 75,000/mm3"),
            ("50000", 2, "<75,000 - 50,000/mm3"),
            ("25000", 3, "<50,000 - 25,000/mm3"),
            (None, 4, "<25,000/mm3"),
        ),
    ),
)

_ANEMIA = LabRule(
    "ANEMIA",
    "10002272",
    "HGB",
    Direction.LOW,
    (
        _absolute(
            "g/L",
            ("100", 1, "<LLN - 100 g/L"),
            ("80", 2, "<100 - 80g/L"),
            (None, 3, "<80 g/L"),
        ),
        _absolute(
            "g/dL",
            ("10.0", 1, "Hemoglobin (Hgb) <LLN - 10.0 g/dL"),
            ("8.0", 2, "Hgb <10.0 - 8.0 g/dL"),
            (None, 3, "Hgb <8.0 g/dL"),
        ),
        _absolute(
            "mmol/L",
            ("6.2", 1, "<LLN - 6.2 mmol/L"),
            ("4.9", 2, "<6.2 - 4.9 mmol/L"),
            (None, 3, "<4.9 mmol/L"),
        ),
    ),
    clinical=(
        Upgrade(TRANSFUSION_INDICATED, 3, "transfusion indicated"),
        Upgrade(
            LIFE_THREATENING, 4, "Life-threatening consequences; urgent intervention indicated"
        ),
    ),
)

_HYPOALBUMINEMIA = LabRule(
    "HYPOALBUMINEMIA",
    "10020943",
    "ALB",
    Direction.LOW,
    (
        _absolute(
            "g/L", ("30", 1, "<LLN - 30 g/L"), ("20", 2, "<30 - 20 g/L"), (None, 3, "<20 g/L")
        ),
        _absolute("g/dL", ("3", 1, "<LLN - 3 g/dL"), ("2", 2, "<3 - 2 g/dL"), (None, 3, "<2 g/dL")),
    ),
    clinical=(
        Upgrade(
            LIFE_THREATENING, 4, "Life-threatening consequences; urgent intervention indicated"
        ),
    ),
)

_HYPONATREMIA = LabRule(
    "HYPONATREMIA",
    "10021038",
    "NA",
    Direction.LOW,
    (
        Scale(
            Basis.ABSOLUTE,
            (
                Band(_d("130"), 1, "<LLN - 130 mmol/L"),
                Band(
                    _d("125"),
                    2,
                    "125-129 mmol/L and asymptomatic",
                    Upgrade(SYMPTOMATIC, 3, "125-129 mmol/L symptomatic"),
                ),
                Band(_d("120"), 3, "120-124 mmol/L regardless of symptoms"),
                Band(None, 4, "<120 mmol/L"),
            ),
            unit="mmol/L",
        ),
    ),
    clinical=(Upgrade(LIFE_THREATENING, 4, "life-threatening consequences"),),
)

_HYPERNATREMIA = LabRule(
    "HYPERNATREMIA",
    "10020680",
    "NA",
    Direction.HIGH,
    (
        _absolute(
            "mmol/L",
            ("150", 1, ">ULN - 150 mmol/L"),
            ("155", 2, ">150 - 155 mmol/L"),
            ("160", 3, ">155 - 160 mmol/L"),
            (None, 4, ">160 mmol/L"),
        ),
    ),
    clinical=(
        Upgrade(INTERVENTION_INITIATED, 2, "intervention initiated"),
        Upgrade(HOSPITALIZATION, 3, "hospitalization indicated"),
        Upgrade(LIFE_THREATENING, 4, "life-threatening consequences"),
    ),
)

_HYPOKALEMIA = LabRule(
    "HYPOKALEMIA",
    "10021018",
    "K",
    Direction.LOW,
    (
        Scale(
            Basis.ABSOLUTE,
            (
                Band(
                    _d("3.0"),
                    1,
                    "<LLN - 3.0 mmol/L",
                    Upgrade(SYMPTOMATIC, 2, "Symptomatic with <LLN - 3.0 mmol/L"),
                ),
                Band(_d("2.5"), 3, "<3.0 - 2.5 mmol/L"),
                Band(None, 4, "<2.5 mmol/L"),
            ),
            unit="mmol/L",
        ),
    ),
    clinical=(
        Upgrade(INTERVENTION_INDICATED, 2, "intervention indicated"),
        Upgrade(HOSPITALIZATION, 3, "hospitalization indicated"),
        Upgrade(LIFE_THREATENING, 4, "life-threatening consequences"),
    ),
)

_HYPERKALEMIA = LabRule(
    "HYPERKALEMIA",
    "10020647",
    "K",
    Direction.HIGH,
    (
        _absolute(
            "mmol/L",
            ("5.5", 1, ">ULN - 5.5 mmol/L"),
            ("6.0", 2, ">5.5 - 6.0 mmol/L"),
            ("7.0", 3, ">6.0 - 7.0 mmol/L"),
            (None, 4, ">7.0 mmol/L"),
        ),
    ),
    clinical=(
        Upgrade(INTERVENTION_INITIATED, 2, "intervention initiated"),
        Upgrade(HOSPITALIZATION, 3, "hospitalization indicated"),
        Upgrade(LIFE_THREATENING, 4, "life-threatening consequences"),
    ),
)

_BILIRUBIN = LabRule(
    "TBIL",
    "10005364",
    "TBIL",
    Direction.HIGH,
    (
        _uln(
            ("1.5", 1, f">ULN - 1.5 x ULN {_NORMAL}"),
            ("3.0", 2, f">1.5 - 3.0 x ULN {_NORMAL}"),
            ("10.0", 3, f">3.0 - 10.0 x ULN {_NORMAL}"),
            (None, 4, f">10.0 x ULN {_NORMAL}"),
        ),
    ),
    _baseline(
        "1.0",
        False,
        ("1.5", 1, f"> 1.0 - 1.5 x baseline {_ABNORMAL}"),
        ("3.0", 2, f">1.5 - 3.0 x baseline {_ABNORMAL}"),
        ("10.0", 3, f">3.0 - 10.0 x baseline {_ABNORMAL}"),
        (None, 4, f">10.0 x baseline {_ABNORMAL}"),
    ),
    "if_abnormal",
)

_CREATININE = LabRule(
    "CREAT",
    "10011368",
    "CREAT",
    Direction.HIGH,
    (
        _uln(
            ("1.5", 1, ">ULN - 1.5 x ULN"),
            ("3.0", 2, ">1.5 - 3.0 x ULN"),
            ("6.0", 3, ">3.0 - 6.0 x ULN"),
            (None, 4, ">6.0 x ULN"),
        ),
    ),
    _baseline("1.5", False, ("3.0", 2, ">1.5 - 3.0 x baseline"), (None, 3, ">3.0 x baseline")),
    "also",
)

_CPK = LabRule(
    "CPK",
    "10011268",
    "CPK",
    Direction.HIGH,
    (
        _uln(
            ("2.5", 1, ">ULN - 2.5 x ULN"),
            ("5", 2, ">2.5 x ULN - 5 x ULN"),
            ("10", 3, ">5 x ULN - 10 x ULN"),
            (None, 4, ">10 x ULN"),
        ),
    ),
)

_TSH = LabRule(
    "TSH",
    "10043770",
    "TSH",
    Direction.HIGH,
    (_absolute("mIU/L", (None, 1, "TSH increased and no intervention initiated")),),
    redirect_flags=(INTERVENTION_INITIATED, SYMPTOMATIC),
    redirect_code="10021114",  # Endocrine disorders: Hypothyroidism
)

#: every lab term graded, by short key
RULES: dict[str, LabRule] = {
    rule.key: rule
    for rule in (
        _transaminase("ALT", "10001551"),
        _transaminase("AST", "10003481"),
        _BILIRUBIN,
        _alp_like("ALP", "10001675"),
        _alp_like("GGT", "10056910"),
        _CREATININE,
        _ANC,
        _PLT,
        _WBC,
        _LYM,
        _ANEMIA,
        _HYPONATREMIA,
        _HYPERNATREMIA,
        _HYPOKALEMIA,
        _HYPERKALEMIA,
        _HYPOALBUMINEMIA,
        _pancreatic("LIPASE", "10024574"),
        _pancreatic("AMYLASE", "10040139"),
        _CPK,
        _TSH,
    )
}
#: the same rules by MedDRA code
RULES_BY_CODE: dict[str, LabRule] = {rule.code: rule for rule in RULES.values()}


def _clauses(text: str | None) -> list[str]:
    return [" ".join(part.split()) for part in (text or "").split(";")]


def rule_problems(terms: Catalogue | None = None) -> list[str]:
    """Every clause a rule quotes that is not in its term's grade text (empty when all match)."""
    terms = terms or catalogue()
    problems: list[str] = []
    for rule in RULES.values():
        term = terms.by_code(rule.code)
        if term is None:
            problems.append(f"{rule.key}: no term {rule.code} in the catalogue")
            continue
        quoted: list[tuple[int, str]] = []
        for scale in (*rule.scales, *((rule.baseline_scale,) if rule.baseline_scale else ())):
            for band in scale.bands:
                quoted.append((band.grade, band.clause))
                if band.upgrade is not None:
                    quoted.append((band.upgrade.grade, band.upgrade.clause))
        quoted += [(u.grade, u.clause) for u in rule.clinical]
        for grade, clause in quoted:
            text = " ".join((term.grade_text(grade) or "").split())
            if clause not in _clauses(text) and clause != text:
                problems.append(f"{rule.key} grade {grade}: {clause!r} is not in {text!r}")
        if rule.redirect_code is not None and terms.by_code(rule.redirect_code) is None:
            problems.append(f"{rule.key}: no term {rule.redirect_code} to report as")
    return problems
