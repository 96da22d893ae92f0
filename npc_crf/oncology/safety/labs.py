"""Laboratory values of CTCAE grade 1 or more without a matching adverse event.

A value is checked when its sample date is certainly inside the subject's AE
reporting window (the longer of the AE and immune-related windows: a thyroid value
may be an irAE). It is graded by :func:`npc_crf.oncology.ctcae.findings.grade_analyte`
against the study's reference range, with the same item at the baseline event as
its baseline. A *matching AE* has as CTCAE term one of the analyte's lab terms
(:func:`~npc_crf.oncology.ctcae.analytes.lab_terms_for`, plus :data:`ALSO_MATCHES`)
and an onset-to-end period that covers the sample date:

* onset and end full dates, the sample between them (inclusive): covered;
* an ongoing AE has no end; a resolved one without an end date ends on an unknown day;
* partial dates that may or may not cover the sample: *indeterminate* — the value is
  still listed, saying an AE with a partial date may cover it (never imputed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache, lru_cache

from npc_crf.forms.expr.evaluate import SubjectData
from npc_crf.forms.model import ReferenceRange, Study
from npc_crf.oncology.ctcae.analytes import lab_terms_for
from npc_crf.oncology.ctcae.catalogue import catalogue
from npc_crf.oncology.ctcae.findings import grade_analyte
from npc_crf.oncology.ctcae.lab import LabInputError
from npc_crf.oncology.ctcae.rules import RULES
from npc_crf.oncology.ctcae.settings import CtcaeSettings
from npc_crf.oncology.safety.dates import OPEN_END, Span, within
from npc_crf.oncology.safety.profile import LabSource, SafetyProfile
from npc_crf.oncology.safety.records import AdverseEvent, ValueReader, form_rows
from npc_crf.oncology.safety.window import AeWindow

#: analyte -> further CTCAE terms (by name) that count as matching an abnormal value
ALSO_MATCHES: dict[str, tuple[str, ...]] = {
    # CTCAE's note to "TSH increased": consider Hypothyroidism (the usual irAE report)
    "TSH": ("Hypothyroidism",),
}

#: analytes graded by a rise over baseline even inside the normal range (CTCAE creatinine)
_BASELINE_GRADED = frozenset({"CREAT"})


class Match(StrEnum):
    """Whether an AE covers an abnormal laboratory value."""

    NONE = "none"  # no AE with a matching term covers the sample date
    INDETERMINATE = "indeterminate"  # one may: partial dates leave it open


@dataclass(frozen=True)
class LabSample:
    """One laboratory value with its sample date."""

    event: str
    occurrence: int
    form: str
    item: str
    analyte: str
    day: dt.date
    value: Decimal


@dataclass(frozen=True)
class UnmatchedLab:
    """A value of grade ``min_grade`` or more that no AE certainly covers."""

    sample: LabSample
    code: str  # the MedDRA code of the CTCAE term that graded it
    grade: int
    match: Match


@cache
def matching_codes(analyte: str) -> frozenset[str]:
    """The MedDRA codes of the AE terms that match an abnormal value of ``analyte``."""
    codes = {term.code for term in lab_terms_for(analyte)}
    for name in ALSO_MATCHES.get(analyte, ()):
        term = catalogue().by_name(name)
        if term is not None:
            codes.add(term.code)
    return frozenset(codes)


def covers(ae: AdverseEvent, day: dt.date) -> bool | None:
    """Does ``ae``'s onset-to-end period cover ``day``? None when partial dates (or an
    onset not entered, or a resolved AE without an end date) leave it open."""
    if ae.onset is None:
        return None
    if ae.end is not None:
        end: Span | None = ae.end
    elif ae.ongoing is True:
        end = None
    else:
        end = Span(ae.onset.earliest, OPEN_END)  # ended on a day not entered
    return within(Span.day(day), ae.onset, end)


def match_of(sample: LabSample, adverse_events: Iterable[AdverseEvent]) -> Match | None:
    """None when an AE with a matching term certainly covers the sample; else how far."""
    codes = matching_codes(sample.analyte)
    found = Match.NONE
    for ae in adverse_events:
        if ae.term is None or ae.term not in codes:
            continue
        covered = covers(ae, sample.day)
        if covered is True:
            return None
        if covered is None:
            found = Match.INDETERMINATE
    return found


@cache
def _is_graded(analyte: str) -> bool:
    """True when CTCAE grades some term from a value of ``analyte``."""
    return bool(matching_codes(analyte)) and bool(lab_terms_for(analyte))


@cache
def _uses_baseline(analyte: str) -> bool:
    """True when a term of ``analyte`` is graded against the baseline (ALT, creatinine…)."""
    return any(RULES[term.key].baseline_use for term in lab_terms_for(analyte))


@lru_cache(maxsize=16384)
def _grade(
    analyte: str,
    value: Decimal,
    unit: str,
    lln: Decimal | None,
    uln: Decimal | None,
    baseline: Decimal | None,
    settings: CtcaeSettings,
) -> tuple[str, int | None] | None:
    """(term code, grade) of one value, or None within normal limits or not gradable.

    Cached: the same values recur across a site (whole-number counts and enzymes).
    """
    try:
        finding = grade_analyte(analyte, value, unit, lln, uln, baseline, settings=settings)
    except LabInputError:
        return None
    return (finding.code, finding.grade) if finding is not None else None


def _always_graded(analyte: str, settings: CtcaeSettings) -> bool:
    """True when a value inside the normal range may still have a grade: creatinine (a rise
    over baseline), or every analyte when ``within_local_limits`` is not ``grade_0``."""
    return analyte in _BASELINE_GRADED or settings.within_local_limits != "grade_0"


def _normal(value: Decimal, limits: ReferenceRange) -> bool:
    """True when ``value`` is inside the normal range (limits inclusive)."""
    low, high = limits.lln, limits.uln
    return (low is None or value >= low) and (high is None or value <= high)


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return None
    return Decimal(value)


def unmatched_labs(
    study: Study,
    subject: SubjectData,
    profile: SafetyProfile,
    window: AeWindow,
    adverse_events: list[AdverseEvent],
    *,
    min_grade: int = 1,
    ctcae: CtcaeSettings | None = None,
    ranges: Mapping[str, ReferenceRange] | None = None,
) -> list[UnmatchedLab]:
    """Every value inside ``window`` graded ``min_grade`` or more without a matching AE.

    ``ranges`` are the reference ranges (default: the study's). A value CTCAE cannot
    grade (no term for the analyte, a unit it does not know) or cannot decide (grade
    undecided) is not listed.
    """
    settings = ctcae or CtcaeSettings()
    limits_of = ranges if ranges is not None else study.reference_ranges
    if window.start is None:
        return []
    found: list[UnmatchedLab] = []
    for source in profile.labs:
        form = study.forms.get(source.form)
        analytes = [
            (item, analyte, limits, _always_graded(analyte, settings))
            for item, analyte in source.analytes
            if (limits := limits_of.get(analyte)) is not None and _is_graded(analyte)
        ]
        if form is None or not analytes:
            continue
        for event, occurrence, _row, values, _whole in form_rows(study, subject, form.oid, None):
            read = ValueReader(form, values)
            day = read.day(source.date_item)
            if day is None or within(Span.day(day), window.start, window.end) is not True:
                continue
            for item, analyte, limits, always in analytes:
                value = _number(read.value(item))
                if value is None:
                    continue
                if not always and _normal(value, limits):
                    continue  # CTCAE: within normal limits is grade 0
                sample = LabSample(event, occurrence, form.oid, item, analyte, day, value)
                baseline = (
                    _baseline(study, subject, source, sample, settings)
                    if _uses_baseline(analyte)
                    else None
                )
                graded = _grade(
                    analyte, value, limits.unit, limits.lln, limits.uln, baseline, settings
                )
                if graded is None or graded[1] is None or graded[1] < min_grade:
                    continue
                match = match_of(sample, adverse_events)
                if match is not None:
                    found.append(UnmatchedLab(sample, graded[0], graded[1], match))
    return found


def _baseline(
    study: Study,
    subject: SubjectData,
    source: LabSource,
    sample: LabSample,
    settings: CtcaeSettings,
) -> Decimal | None:
    """The same item's value at the baseline event (CTCAE setting ``baseline_event``)."""
    event = settings.baseline_event
    if sample.event == event:
        return None
    data = subject.form_data(event, 1, source.form)
    form = study.forms.get(source.form)
    if data is None or form is None:
        return None
    value = _number(ValueReader(form, data).value(sample.item))
    return value if value is not None and value > 0 else None
