"""One lab value → its CTCAE v5.0 grade, the criterion that gave it, and what is still needed.

:func:`grade_lab` reads the bands of :mod:`.rules` with exact decimal arithmetic:
every value, limit and baseline is first taken to the analyte's base unit by an
exact multiplication (:mod:`.units`), and a multiple such as ">3.0 x ULN" is
tested as ``value > 3.0 * ULN`` — nothing is divided before it is compared.

Where a grade depends on a clinical fact (``flags``) that was not given, the
result is the lowest grade the numbers support and the fact is listed in
``needs`` (a flag given as ``False`` is known and not listed). A fact is needed
when setting it alone would change the grade (or the term to report).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from npc_crf.oncology.ctcae.analytes import lab_terms_for
from npc_crf.oncology.ctcae.catalogue import Term, catalogue
from npc_crf.oncology.ctcae.rules import (
    FLAGS,
    RULES,
    RULES_BY_CODE,
    Band,
    Direction,
    LabRule,
    Scale,
)
from npc_crf.oncology.ctcae.settings import CtcaeSettings
from npc_crf.oncology.ctcae.units import (
    RATIO_ANALYTES,
    ULN_MULTIPLE,
    UnitError,
    base_factor,
    normalise_unit,
)

#: what ``needs`` lists when a baseline would decide the grade (setting missing_baseline)
NEEDS_BASELINE = "baseline"


class LabInputError(ValueError):
    """An input :func:`grade_lab` cannot use; ``field`` names it (``unit``, ``flags.x`` ...)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class LabGrade:
    """The grade of one lab value under one CTCAE term."""

    term: Term
    direction: Direction
    grade: int | None  # 0 (not graded) to 4; None when it cannot be decided
    criterion: str | None  # the verbatim clause that gave the grade
    beyond_limit: bool = False  # below LLN (a low term) or above ULN (a high one)
    needs: tuple[str, ...] = ()  # facts (flags, or "baseline") that would change the grade
    multiple: Decimal | None = None  # value ÷ ULN or ÷ baseline, for multiple-graded terms
    multiple_of: str | None = None  # "ULN" or "baseline"
    baseline_abnormal: bool | None = None  # None: no baseline, or the term does not use it
    report_as: Term | None = None  # TSH increased with intervention/symptoms → Hypothyroidism
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Values:
    """The inputs in the analyte's base unit (or as multiples of ULN)."""

    value: Decimal
    lln: Decimal | None
    uln: Decimal | None
    baseline: Decimal | None
    unit: str  # the value's unit as entered (normalised), which picks the scale


@dataclass(frozen=True)
class _Outcome:
    grade: int | None
    criterion: str | None
    multiple: Decimal | None = None
    multiple_of: str | None = None
    report_as: str | None = None
    needs_baseline: bool = False


_NOT_GRADED = _Outcome(0, None)


def resolve_rule(term: str | Term) -> LabRule:
    """The rule for a term given as a short key (``ALT``), a MedDRA code or the term's name."""
    if isinstance(term, Term):
        code = term.code
    else:
        text = term.strip()
        rule = RULES.get(text.upper())
        if rule is not None:
            return rule
        by_analyte = lab_terms_for(text)
        if len(by_analyte) == 1:
            return RULES[by_analyte[0].key]
        if by_analyte:
            raise LabInputError(
                "term",
                f"{text} is graded by {' or '.join(t.key for t in by_analyte)}: name the term",
            )
        named = catalogue().by_name(text)
        code = named.code if named is not None else text
    rule = RULES_BY_CODE.get(code)
    if rule is not None:
        return rule
    known = catalogue().by_code(code)
    if known is not None:
        raise LabInputError(
            "term", f"{known.term} ({known.code}) is not graded from a lab value here"
        )
    given = term.term if isinstance(term, Term) else term
    raise LabInputError(
        "term",
        f"unknown lab term {given!r} "
        f"(use a MedDRA code, a CTCAE term or one of: {', '.join(RULES)})",
    )


def grade_lab(
    term: str | Term,
    value: Decimal,
    unit: str,
    *,
    lln: Decimal | None = None,
    uln: Decimal | None = None,
    range_unit: str | None = None,
    baseline: Decimal | None = None,
    baseline_unit: str | None = None,
    flags: Mapping[str, bool | None] | None = None,
    settings: CtcaeSettings | None = None,
) -> LabGrade:
    """Grade ``value`` (in ``unit``) under ``term`` (see the module docstring).

    ``lln``/``uln`` are in ``range_unit`` (default: ``unit``), ``baseline`` in
    ``baseline_unit`` (default: ``unit``). A term graded below normal needs
    ``lln``; one graded above normal needs ``uln`` (unless ``unit`` is ×ULN).
    ``flags`` maps the facts of :data:`~.rules.FLAGS` to True/False; a fact that
    is absent or None is not known. Raises :class:`LabInputError`.
    """
    settings = settings or CtcaeSettings()
    rule = resolve_rule(term)
    known = _check_flags(flags or {})
    values = _values(rule, value, unit, lln, uln, range_unit, baseline, baseline_unit)
    notes: list[str] = []
    unused = sorted(set(known) - set(rule.flags))
    if unused:
        notes.append(f"not used by this term: {', '.join(unused)}")
    unknown = [f for f in rule.flags if f not in known]
    assumed = {**known, **dict.fromkeys(unknown, False)}
    outcome = _evaluate(rule, values, assumed, settings, notes)
    needs = [NEEDS_BASELINE] if outcome.needs_baseline else []
    for flag in unknown:
        other = _evaluate(rule, values, {**assumed, flag: True}, settings, [])
        if (other.grade, other.report_as) != (outcome.grade, outcome.report_as):
            needs.append(flag)
    term_ = catalogue().by_code(rule.code)
    assert term_ is not None  # rule_problems() checks every rule's code
    report_as = catalogue().by_code(outcome.report_as) if outcome.report_as else None
    abnormal = None
    if rule.baseline_use == "if_abnormal" and values.baseline is not None:
        abnormal = _baseline_abnormal(values, settings)
    if rule.direction is Direction.LOW:
        beyond = values.lln is not None and values.value < values.lln
    else:
        beyond = values.uln is not None and values.value > values.uln
    return LabGrade(
        term=term_,
        direction=rule.direction,
        grade=outcome.grade,
        criterion=outcome.criterion,
        beyond_limit=beyond,
        needs=tuple(needs),
        multiple=outcome.multiple,
        multiple_of=outcome.multiple_of,
        baseline_abnormal=abnormal,
        report_as=report_as,
        notes=tuple(dict.fromkeys(notes)),
    )


# -- inputs ------------------------------------------------------------------------------------


def _check_flags(flags: Mapping[str, bool | None]) -> dict[str, bool]:
    known: dict[str, bool] = {}
    for name, given in flags.items():
        if name not in FLAGS:
            raise LabInputError(
                f"flags.{name}", f"unknown clinical fact (known: {', '.join(FLAGS)})"
            )
        if given is None:
            continue
        if not isinstance(given, bool):
            raise LabInputError(f"flags.{name}", f"must be true, false or null, not {given!r}")
        known[name] = given
    return known


def _unit(analyte: str, unit: str, field: str) -> str:
    try:
        return normalise_unit(analyte, unit)
    except UnitError as exc:
        raise LabInputError(field, str(exc)) from exc


def _values(
    rule: LabRule,
    value: Decimal,
    unit: str,
    lln: Decimal | None,
    uln: Decimal | None,
    range_unit: str | None,
    baseline: Decimal | None,
    baseline_unit: str | None,
) -> _Values:
    analyte = rule.analyte
    value_unit = _unit(analyte, unit, "unit")
    if value < 0:
        raise LabInputError("value", f"must not be negative, not {value}")
    for name, limit in (("lln", lln), ("uln", uln)):
        if limit is not None and limit < 0:
            raise LabInputError(name, f"must not be negative, not {limit}")
    if baseline is not None and baseline <= 0:
        raise LabInputError("baseline", f"must be more than 0, not {baseline}")
    if value_unit == ULN_MULTIPLE:
        if uln is not None and uln != 1:
            raise LabInputError("uln", "a value given as a multiple of ULN takes no uln (it is 1)")
        if baseline is not None and _unit(analyte, baseline_unit or unit, "baseline_unit") != (
            ULN_MULTIPLE
        ):
            raise LabInputError(
                "baseline_unit", "with a value as a multiple of ULN, give the baseline as one too"
            )
        return _Values(value, None, Decimal(1), baseline, ULN_MULTIPLE)
    factor = base_factor(analyte, value_unit)
    limits_unit = _unit(analyte, range_unit, "range_unit") if range_unit else value_unit
    if limits_unit == ULN_MULTIPLE:
        raise LabInputError("range_unit", "the normal range cannot be a multiple of ULN")
    limit_factor = base_factor(analyte, limits_unit)
    lln_b = lln * limit_factor if lln is not None else None
    uln_b = uln * limit_factor if uln is not None else None
    if rule.direction is Direction.LOW and lln_b is None:
        raise LabInputError("lln", f"is required to grade {_name(rule)}")
    if rule.direction is Direction.HIGH and uln_b is None:
        raise LabInputError("uln", f"is required to grade {_name(rule)}")
    if lln_b is not None and uln_b is not None and lln_b > uln_b:
        raise LabInputError("lln", f"is above uln ({lln} > {uln})")
    if analyte in RATIO_ANALYTES and uln_b is not None and uln_b == 0:
        raise LabInputError("uln", "must be more than 0 (grades are multiples of it)")
    baseline_b = None
    if baseline is not None:
        b_unit = _unit(analyte, baseline_unit or value_unit, "baseline_unit")
        if b_unit == ULN_MULTIPLE:
            assert uln_b is not None
            baseline_b = baseline * uln_b
        else:
            baseline_b = baseline * base_factor(analyte, b_unit)
    return _Values(value * factor, lln_b, uln_b, baseline_b, value_unit)


def _name(rule: LabRule) -> str:
    term = catalogue().by_code(rule.code)
    return term.term if term is not None else rule.key


# -- evaluation --------------------------------------------------------------------------------


def _evaluate(
    rule: LabRule,
    values: _Values,
    flags: Mapping[str, bool],
    settings: CtcaeSettings,
    notes: list[str],
) -> _Outcome:
    if rule.analyte in RATIO_ANALYTES:
        outcome = _evaluate_ratio(rule, values, flags, settings, notes)
    else:
        outcome = _evaluate_absolute(rule, values, flags, settings, notes)
    if outcome.grade is None or outcome.grade == 0:
        return outcome
    for upgrade in rule.clinical:
        if flags.get(upgrade.flag) and upgrade.grade > (outcome.grade or 0):
            outcome = replace(outcome, grade=upgrade.grade, criterion=upgrade.clause)
    if any(flags.get(f) for f in rule.redirect_flags) and rule.redirect_code:
        term = catalogue().by_code(rule.code)
        return replace(
            outcome,
            grade=None,
            criterion=term.navigational_note if term is not None else None,
            report_as=rule.redirect_code,
        )
    return outcome


def _pick(band: Band, flags: Mapping[str, bool]) -> tuple[int, str]:
    if band.upgrade is not None and flags.get(band.upgrade.flag):
        return band.upgrade.grade, band.upgrade.clause
    return band.grade, band.clause


def _ratio_outcome(
    scale: Scale, value: Decimal, reference: Decimal, flags: Mapping[str, bool]
) -> _Outcome:
    """Grade against multiples of ``reference`` (ULN or baseline)."""
    start = scale.start * reference
    beyond = value >= start if scale.start_inclusive else value > start
    multiple = _tidy(value / reference)
    of = scale.basis.value
    if not beyond:
        return _Outcome(0, None, multiple, of)
    for band in scale.bands:
        if band.limit is None or value <= band.limit * reference:
            grade, clause = _pick(band, flags)
            return _Outcome(grade, clause, multiple, of)
    raise AssertionError("the last band has no limit")  # pragma: no cover


def _baseline_abnormal(values: _Values, settings: CtcaeSettings) -> bool:
    if settings.baseline_abnormal == "ignore" or values.baseline is None:
        return False
    assert values.uln is not None
    return values.baseline > values.uln


def _evaluate_ratio(
    rule: LabRule,
    values: _Values,
    flags: Mapping[str, bool],
    settings: CtcaeSettings,
    notes: list[str],
) -> _Outcome:
    assert values.uln is not None
    by_uln = _ratio_outcome(rule.scales[0], values.value, values.uln, flags)
    scale = rule.baseline_scale
    if scale is None:
        return by_uln
    if values.baseline is None:
        return _without_baseline(rule, values, by_uln, settings, notes)
    if rule.baseline_use == "if_abnormal":
        if not _baseline_abnormal(values, settings):
            if settings.baseline_abnormal == "ignore":
                notes.append("graded against ULN: setting baseline_abnormal=ignore")
            return by_uln
        notes.append("baseline above ULN: every grade is a multiple of the baseline")
        return _ratio_outcome(scale, values.value, values.baseline, flags)
    # creatinine: ×baseline criteria beside the ×ULN ones
    if settings.creatinine_criteria == "uln_only":
        notes.append("×baseline criteria not used: setting creatinine_criteria=uln_only")
        return by_uln
    if settings.creatinine_criteria == "uln_gated" and not values.value > values.uln:
        notes.append("not above ULN: ×baseline criteria not used (creatinine_criteria=uln_gated)")
        return by_uln
    by_baseline = _ratio_outcome(scale, values.value, values.baseline, flags)
    if (by_baseline.grade or 0) > (by_uln.grade or 0):
        if by_uln.grade == 0:
            notes.append(
                "within normal limits but graded by the rise over baseline "
                f"(creatinine_criteria={settings.creatinine_criteria})"
            )
        return by_baseline
    return by_uln


def _without_baseline(
    rule: LabRule,
    values: _Values,
    by_uln: _Outcome,
    settings: CtcaeSettings,
    notes: list[str],
) -> _Outcome:
    assert values.uln is not None
    if rule.baseline_use == "also":  # creatinine: the baseline criteria can only raise it
        if settings.creatinine_criteria == "uln_only":
            return by_uln
        gated_out = settings.creatinine_criteria == "uln_gated" and not values.value > values.uln
        if settings.missing_baseline == "undecided" and not gated_out and (by_uln.grade or 0) < 3:
            return replace(by_uln, needs_baseline=True)
        notes.append("no baseline given: only the ×ULN criteria were applied")
        return by_uln
    if not values.value > values.uln:
        return by_uln  # not above ULN: grade 0 whatever the baseline
    if settings.missing_baseline == "undecided":
        return replace(by_uln, grade=None, criterion=None, needs_baseline=True)
    notes.append("no baseline given: graded against ULN as if the baseline were normal")
    return by_uln


def _evaluate_absolute(
    rule: LabRule,
    values: _Values,
    flags: Mapping[str, bool],
    settings: CtcaeSettings,
    notes: list[str],
) -> _Outcome:
    scale = _scale_for(rule, values)
    factor = base_factor(rule.analyte, scale.unit or "")
    value = values.value
    if rule.key == "HYPONATREMIA" and settings.sodium_bands == "round_half_up":
        value = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    first = scale.bands[0].limit
    first_limit = first * factor if first is not None else None
    if rule.direction is Direction.LOW:
        assert values.lln is not None
        beyond = value < values.lln
        past_cutoff = first_limit is not None and value < first_limit
    else:
        assert values.uln is not None
        beyond = value > values.uln
        past_cutoff = first_limit is not None and value > first_limit
    if not beyond:
        if not past_cutoff:
            return _NOT_GRADED
        if settings.within_local_limits == "grade_0":
            notes.append(
                "within the local normal range though past a CTCAE cut-off: grade 0 "
                "(setting within_local_limits=grade_0)"
            )
            return _NOT_GRADED
        notes.append(
            "within the local normal range; graded by the CTCAE cut-off "
            "(setting within_local_limits=grade_by_cutoff)"
        )
    for band in scale.bands:
        if band.limit is None:
            return _Outcome(*_pick(band, flags))
        limit = band.limit * factor
        inside = value >= limit if rule.direction is Direction.LOW else value <= limit
        if inside:
            return _Outcome(*_pick(band, flags))
    raise AssertionError("the last band has no limit")  # pragma: no cover


def _scale_for(rule: LabRule, values: _Values) -> Scale:
    """The scale written in the value's unit when CTCAE writes one, else the first."""
    return next((s for s in rule.scales if s.unit == values.unit), rule.scales[0])


def _tidy(number: Decimal) -> Decimal:
    """A quotient for display: exact when short, else to 4 decimals; no trailing zeros."""
    rounded = number.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return rounded.quantize(Decimal(1))
    return rounded.normalize()
