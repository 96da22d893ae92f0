"""One value of a study analyte → the CTCAE finding the form page and the worklist show.

"A lab value that reaches grade ≥1 and has no matching AE prompts the nurse":
:func:`grade_analyte` is that check's first half — which term applies (low or
high side), its grade and what would decide it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from npc_crf.oncology.ctcae.analytes import analyte_key, lab_terms_for
from npc_crf.oncology.ctcae.lab import LabGrade, LabInputError, grade_lab
from npc_crf.oncology.ctcae.rules import Direction
from npc_crf.oncology.ctcae.settings import CtcaeSettings


@dataclass(frozen=True)
class LabFinding:
    """A lab value outside normal limits and its grade under the term that applies."""

    analyte: str
    result: LabGrade

    @property
    def code(self) -> str:
        """The MedDRA code of the term."""
        return self.result.term.code

    @property
    def grade(self) -> int | None:
        """The grade (None: undecided, see ``needs``)."""
        return self.result.grade

    @property
    def needs(self) -> tuple[str, ...]:
        """The facts that would change or decide the grade."""
        return self.result.needs


def grade_analyte(
    analyte: str,
    value: Decimal,
    unit: str,
    lln: Decimal | None,
    uln: Decimal | None,
    baseline: Decimal | None = None,
    flags: Mapping[str, bool | None] | None = None,
    settings: CtcaeSettings | None = None,
    *,
    range_unit: str | None = None,
    baseline_unit: str | None = None,
) -> LabFinding | None:
    """The graded finding of one value of ``analyte``, or None within normal limits.

    Each term of the analyte whose limit is known (LLN for a low term, ULN for a
    high one) is graded; the first that grades the value (or cannot decide it)
    is the finding. A value beyond a limit that still grades 0 (ALT above ULN
    but under 1.5 × an abnormal baseline) is returned with grade 0, so the
    caller can show why. Raises :class:`~.lab.LabInputError` for an unknown
    analyte or unit.
    """
    key = analyte_key(analyte)
    if key is None:
        raise LabInputError("analyte", f"CTCAE grades no term from {analyte!r}")
    zero: LabFinding | None = None
    for term in lab_terms_for(key):
        limit = lln if term.direction is Direction.LOW else uln
        if limit is None:
            continue
        result = grade_lab(
            term.key,
            value,
            unit,
            lln=lln,
            uln=uln,
            range_unit=range_unit,
            baseline=baseline,
            baseline_unit=baseline_unit,
            flags=flags,
            settings=settings,
        )
        if result.grade != 0 or result.needs:
            return LabFinding(key, result)
        if result.beyond_limit and zero is None:
            zero = LabFinding(key, result)
    return zero
