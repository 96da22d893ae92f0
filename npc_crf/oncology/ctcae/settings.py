"""The protocol choices of CTCAE lab grading (domain rules §3, [DECIDE]).

A study sets them in ``study.yaml`` under ``oncology: ctcae: {...}``;
``npc-crf derive ctcae-lab`` takes the same keys under ``"settings"``. Build
them with :func:`ctcae_settings` (unknown keys and wrong values are refused,
naming the key). The defaults and the reasons for them are in ``docs/ctcae.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from npc_crf.oncology.settings import choices, settings_from_mapping


@dataclass(frozen=True)
class CtcaeSettings:
    """How the CTCAE lab rules are applied where CTCAE leaves a choice."""

    #: ALT/AST/bilirubin/ALP/GGT: when the baseline counts as abnormal (so that every grade
    #: is a multiple of the baseline). ``above_uln``: baseline > ULN. ``ignore``: always
    #: grade against ULN (the v4.03 reading).
    baseline_abnormal: str = field(default="above_uln", metadata=choices("above_uln", "ignore"))
    #: ALT/AST/bilirubin/ALP/GGT/creatinine without a baseline value. ``assume_normal``:
    #: grade against ULN and say so in the notes. ``undecided``: no grade when the value
    #: is above ULN; ``baseline`` is listed in ``needs``.
    missing_baseline: str = field(
        default="assume_normal", metadata=choices("assume_normal", "undecided")
    )
    #: creatinine has ×ULN and ×baseline criteria. ``higher``: the higher grade of the two
    #: (";" means "or" in CTCAE). ``uln_gated``: the ×baseline criteria count only when the
    #: value is above ULN. ``uln_only``: ignore the ×baseline criteria.
    creatinine_criteria: str = field(
        default="higher", metadata=choices("higher", "uln_gated", "uln_only")
    )
    #: a value inside the local LLN–ULN range but beyond an absolute CTCAE cut-off (LLN of
    #: ANC 1.4, value 1.45 < 1.5). ``grade_0``: within normal limits is grade 0.
    #: ``grade_by_cutoff``: the absolute cut-off decides (here grade 2).
    within_local_limits: str = field(
        default="grade_0", metadata=choices("grade_0", "grade_by_cutoff")
    )
    #: hyponatremia's grades are written as whole numbers (125-129, 120-124).
    #: ``contiguous``: 125-129 means 125 up to (not including) 130, so 129.5 is in it.
    #: ``round_half_up``: the value is rounded to a whole mmol/L first (129.5 → 130).
    sodium_bands: str = field(default="contiguous", metadata=choices("contiguous", "round_half_up"))
    #: the event whose value of the same form item is the baseline (in the GUI)
    baseline_event: str = "BASE"


def ctcae_settings(mapping: Mapping[str, object] | None = None) -> CtcaeSettings:
    """The settings with ``mapping`` (from ``study.yaml`` or a derive input) over the defaults."""
    return settings_from_mapping(CtcaeSettings, mapping or {})
