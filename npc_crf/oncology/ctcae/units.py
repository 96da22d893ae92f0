"""Lab units CTCAE grades in, and exact conversion between them.

Every analyte has a *base* unit chosen so that every unit it accepts converts
into it by multiplying by an exact decimal factor (1 mg/dL bilirubin = 17.1
µmol/L; 1 mg/dL creatinine = 88.4 µmol/L; 1 g/L haemoglobin = 0.062 mmol/L,
CTCAE's own 100 g/L = 6.2 mmol/L). Grading compares values in the base unit, so
it never divides and never rounds. :func:`convert` (for display) divides.

Spellings are matched without case or spaces: ``umol/L``, ``μmol/L`` and
``µmol/L`` are one unit; so are ``/mm3``, ``/mm³``, ``cells/mm3`` and ``/µL``,
and ``10^9/L``, ``10e9/L``, ``x10^9/L`` and ``G/L``. Enzymes (ALT, AST, ALP,
GGT, lipase, amylase, CPK) are graded as multiples of ULN or baseline only, so
their unit needs only to match (or convert to) the ULN's. Any analyte graded
by multiples may also be entered as a multiple of ULN (unit ``×ULN``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

#: the unit of a value entered as a multiple of the upper limit of normal
ULN_MULTIPLE = "×ULN"


class UnitError(ValueError):
    """A unit that the analyte is not measured in (or that is not known at all)."""

    def __init__(self, analyte: str, unit: str, message: str | None = None) -> None:
        self.analyte = analyte
        self.unit = unit
        accepted = ", ".join(accepted_units(analyte)) if analyte in ANALYTE_UNITS else ""
        super().__init__(
            message
            or f"unit {unit!r} is not a unit of {analyte}"
            + (f" (use one of: {accepted})" if accepted else "")
        )


@dataclass(frozen=True)
class Unit:
    """One accepted unit of a kind of analyte."""

    name: str  # the canonical spelling
    factor: Decimal  # multiply a value in this unit by it to get the base unit
    spellings: tuple[str, ...] = ()


def _units(*units: Unit) -> tuple[Unit, ...]:
    return units


#: cell counts: base 10^9/L (1/mm³ = 10^6/L = 0.001 × 10^9/L)
COUNT = _units(
    Unit(
        "10^9/L",
        Decimal(1),
        ("10^9/l", "10e9/l", "x10^9/l", "×10^9/l", "x10e9/l", "10*9/l", "g/l", "10^3/µl", "k/µl"),
    ),
    Unit("/mm³", Decimal("0.001"), ("/mm3", "cells/mm3", "cells/mm³", "/µl", "cells/µl")),
)
#: haemoglobin: base mmol/L, so CTCAE's 100 g/L = 10.0 g/dL = 6.2 mmol/L holds exactly
HAEMOGLOBIN = _units(
    Unit("g/L", Decimal("0.062")),
    Unit("g/dL", Decimal("0.62")),
    Unit("mmol/L", Decimal(1)),
)
ALBUMIN = _units(Unit("g/L", Decimal(1)), Unit("g/dL", Decimal(10)))
#: bilirubin, 584.66 g/mol: 1 mg/dL = 17.1 µmol/L
BILIRUBIN = _units(Unit("µmol/L", Decimal(1)), Unit("mg/dL", Decimal("17.1")))
#: creatinine, 113.12 g/mol: 1 mg/dL = 88.4 µmol/L
CREATININE = _units(Unit("µmol/L", Decimal(1)), Unit("mg/dL", Decimal("88.4")))
#: sodium and potassium are monovalent: 1 mmol/L = 1 mEq/L
ELECTROLYTE = _units(Unit("mmol/L", Decimal(1)), Unit("mEq/L", Decimal(1)))
#: enzyme activity: 1 µkat/L = 60 U/L
ENZYME = _units(
    Unit("U/L", Decimal(1), ("iu/l", "u/l")),
    Unit("µkat/L", Decimal(60)),
)
#: TSH: 1 mIU/L = 1 µIU/mL
TSH_UNITS = _units(Unit("mIU/L", Decimal(1), ("µiu/ml", "uiu/ml", "mu/l", "µu/ml", "uu/ml")))

#: analyte key → its accepted units (the first is the one CTCAE's table is read in)
ANALYTE_UNITS: dict[str, tuple[Unit, ...]] = {
    "WBC": COUNT,
    "ANC": COUNT,
    "LYM": COUNT,
    "PLT": COUNT,
    "HGB": HAEMOGLOBIN,
    "ALB": ALBUMIN,
    "TBIL": BILIRUBIN,
    "CREAT": CREATININE,
    "NA": ELECTROLYTE,
    "K": ELECTROLYTE,
    "ALT": ENZYME,
    "AST": ENZYME,
    "ALP": ENZYME,
    "GGT": ENZYME,
    "LIPASE": ENZYME,
    "AMYLASE": ENZYME,
    "CPK": ENZYME,
    "TSH": TSH_UNITS,
}

#: analytes CTCAE grades as multiples of ULN or baseline (a ×ULN value is accepted)
RATIO_ANALYTES = frozenset(
    {"ALT", "AST", "ALP", "GGT", "LIPASE", "AMYLASE", "CPK", "TBIL", "CREAT"}
)


def _key(spelling: str) -> str:
    """A spelling reduced for matching: no case, no spaces, one micro sign, superscripts."""
    text = "".join(spelling.split()).casefold()
    text = text.replace("μ", "µ").replace("³", "3").replace("⁹", "^9")
    return text.replace("umol", "µmol").replace("ukat", "µkat").replace("/ul", "/µl")


def _lookup(analyte: str) -> dict[str, Unit]:
    units = ANALYTE_UNITS[analyte]
    table: dict[str, Unit] = {}
    for unit in units:
        for spelling in (unit.name, *unit.spellings):
            table[_key(spelling)] = unit
    return table


_TABLES = {analyte: _lookup(analyte) for analyte in ANALYTE_UNITS}
_ULN_SPELLINGS = frozenset({_key(s) for s in ("×ULN", "xULN", "x ULN", "*ULN", "ULN")})


def accepted_units(analyte: str) -> tuple[str, ...]:
    """The canonical spellings of the units ``analyte`` accepts."""
    names = tuple(u.name for u in ANALYTE_UNITS[analyte])
    return (*names, ULN_MULTIPLE) if analyte in RATIO_ANALYTES else names


def _check_analyte(analyte: str, unit: str) -> None:
    if analyte not in ANALYTE_UNITS:
        raise UnitError(
            analyte,
            unit,
            f"no units are known for analyte {analyte!r} "
            f"(known: {', '.join(sorted(ANALYTE_UNITS))})",
        )


def is_uln_multiple(unit: str) -> bool:
    """Whether ``unit`` says the value is a multiple of ULN."""
    return _key(unit) in _ULN_SPELLINGS


def normalise_unit(analyte: str, unit: str) -> str:
    """The canonical spelling of ``unit`` for ``analyte``; :class:`UnitError` if not accepted."""
    _check_analyte(analyte, unit)
    if is_uln_multiple(unit):
        if analyte not in RATIO_ANALYTES:
            raise UnitError(
                analyte, unit, f"{analyte} is not graded as a multiple of ULN: give its unit"
            )
        return ULN_MULTIPLE
    found = _TABLES[analyte].get(_key(unit))
    if found is None:
        raise UnitError(analyte, unit)
    return found.name


def base_factor(analyte: str, unit: str) -> Decimal:
    """The exact factor taking a value in ``unit`` to ``analyte``'s base unit."""
    name = normalise_unit(analyte, unit)
    if name == ULN_MULTIPLE:
        raise UnitError(analyte, unit, "a multiple of ULN has no base unit")
    return next(u.factor for u in ANALYTE_UNITS[analyte] if u.name == name)


def to_base(value: Decimal, unit: str, analyte: str) -> Decimal:
    """``value`` (in ``unit``) in the analyte's base unit, exactly."""
    return value * base_factor(analyte, unit)


def same_unit(analyte: str, first: str, second: str) -> bool:
    """Whether two spellings are the same unit of ``analyte`` (both must be accepted)."""
    return normalise_unit(analyte, first) == normalise_unit(analyte, second)


def convert(value: Decimal, from_unit: str, to_unit: str, analyte: str) -> Decimal:
    """``value`` converted from ``from_unit`` to ``to_unit`` (for display: may divide).

    A conversion to or from ×ULN needs the ULN and is refused here.
    """
    if normalise_unit(analyte, from_unit) == normalise_unit(analyte, to_unit):
        return value
    return value * base_factor(analyte, from_unit) / base_factor(analyte, to_unit)
