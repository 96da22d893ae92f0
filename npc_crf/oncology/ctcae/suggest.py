"""Which form items are CTCAE-graded lab values, their baseline, and the suggested grade.

The form page shows "CTCAE grade 2 — Neutrophil count decreased" beside a lab
value as the nurse types; this module decides everything but the drawing:

* an item is a lab item when it is a number outside a repeating group, its OID
  names an analyte CTCAE grades (``ANC``; ``SODIUM`` for ``NA``, see
  :mod:`.analytes`), the study (or site) has a reference range for it — the
  same lookup as ``uln('ALT')`` in expressions — and its unit is one the
  analyte accepts;
* its baseline is the same item of the same form in the baseline event
  (setting ``baseline_event``, ``BASE``) of the subject snapshot; at the
  baseline event itself there is none (the value *is* the baseline);
* the suggestion is :func:`~.analytes.grade_analyte` of the value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from npc_crf.forms.expr.evaluate import SubjectData
from npc_crf.forms.model import Form, ItemType, ReferenceRange, Study
from npc_crf.oncology.ctcae.analytes import ALIASES, analyte_key
from npc_crf.oncology.ctcae.findings import LabFinding, grade_analyte
from npc_crf.oncology.ctcae.lab import LabInputError
from npc_crf.oncology.ctcae.settings import CtcaeSettings
from npc_crf.oncology.ctcae.units import UnitError, normalise_unit


@dataclass(frozen=True)
class LabItem:
    """A form item holding a value CTCAE grades."""

    item_oid: str
    analyte: str  # the analyte key (analytes.ANALYTE_TERMS)
    unit: str  # the item's unit (the reference range's when the item has none)
    reference: ReferenceRange


def as_decimal(value: object) -> Decimal | None:
    """A stored or typed answer as a number; None when it is empty, a code or not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _range_for(
    ranges: Mapping[str, ReferenceRange], item_oid: str, analyte: str
) -> ReferenceRange | None:
    names = [item_oid, analyte, *(a for a, k in ALIASES.items() if k == analyte)]
    return next((ranges[n] for n in names if n in ranges), None)


def lab_items(
    study: Study, form: Form, ranges: Mapping[str, ReferenceRange] | None = None
) -> dict[str, LabItem]:
    """The items of ``form`` that hold CTCAE-graded lab values, by item OID."""
    ranges = ranges if ranges is not None else study.reference_ranges
    found: dict[str, LabItem] = {}
    for item, group in form.all_items():
        if group is not None or item.type not in (ItemType.INTEGER, ItemType.DECIMAL):
            continue
        analyte = analyte_key(item.oid)
        if analyte is None:
            continue
        reference = _range_for(ranges, item.oid, analyte)
        if reference is None:
            continue
        unit = item.unit.en if item.unit is not None else reference.unit
        try:
            normalise_unit(analyte, unit)
            normalise_unit(analyte, reference.unit)
        except UnitError:
            continue  # a unit CTCAE grading does not know: no suggestion rather than a wrong one
        found[item.oid] = LabItem(item.oid, analyte, unit, reference)
    return found


class LabSuggester:
    """Suggested CTCAE grades for the lab items of one form of one subject."""

    def __init__(
        self,
        study: Study,
        form: Form,
        *,
        ranges: Mapping[str, ReferenceRange] | None = None,
        subject: SubjectData | None = None,
        event: str | None = None,
        settings: CtcaeSettings | None = None,
    ) -> None:
        self.form = form
        self.subject = subject
        self.event = event
        self.settings = settings or CtcaeSettings()
        self.items = lab_items(study, form, ranges)

    @property
    def at_baseline(self) -> bool:
        """Whether the form being entered is the baseline event's."""
        return self.event == self.settings.baseline_event

    def baseline(self, item_oid: str) -> Decimal | None:
        """The subject's baseline value of ``item_oid`` (None at baseline or when not entered)."""
        if self.subject is None or self.at_baseline:
            return None
        event = self.settings.baseline_event
        if self.subject.occurrence_count(event) < 1:
            return None
        data = self.subject.form_data(event, 1, self.form.oid)
        return as_decimal(data.get(item_oid)) if data is not None else None

    def suggest(self, item_oid: str, value: object) -> LabFinding | None:
        """The suggested finding for ``value`` of ``item_oid`` (None: nothing to suggest)."""
        item = self.items.get(item_oid)
        number = as_decimal(value)
        if item is None or number is None:
            return None
        settings = self.settings
        if self.at_baseline:  # the value is the baseline: grade against ULN, ask for nothing
            settings = dataclasses.replace(settings, missing_baseline="assume_normal")
        try:
            return grade_analyte(
                item.analyte,
                number,
                item.unit,
                item.reference.lln,
                item.reference.uln,
                self.baseline(item_oid),
                settings=settings,
                range_unit=item.reference.unit,
            )
        except LabInputError:
            return None  # a negative or otherwise impossible value: the form's checks say why
