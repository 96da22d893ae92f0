"""Inputs of the tumour-response engine: lesions, assessments, settings.

Measurements are kept as entered (a number of mm, "too small", "not
assessed", fragments, merged into another lesion) and turned into numbers only
when a sum is taken, so a reviewer always sees what was recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from npc_crf.oncology.settings import choices

#: RECIST 1.1: a lesion "too small to measure" counts as 5 mm
TOO_SMALL_MM = Decimal(5)


class Criteria(StrEnum):
    """Which response criteria apply."""

    RECIST = "RECIST1.1"
    IRECIST = "iRECIST"


class Role(StrEnum):
    """What a baseline lesion was chosen as."""

    TARGET = "target"
    NON_TARGET = "non_target"


class Method(StrEnum):
    """How a lesion was imaged or measured."""

    CT = "CT"
    MRI = "MRI"
    PET_CT = "PET-CT"
    XRAY = "X-ray"
    CALIPER = "caliper"
    US = "ultrasound"  # never used to measure (RECIST 1.1)
    OTHER = "other"


class Classification(StrEnum):
    """RECIST 1.1 baseline classification of a lesion."""

    MEASURABLE = "measurable"
    NON_MEASURABLE = "non_measurable"
    NORMAL_NODE = "normal_node"


class Response(StrEnum):
    """Response tokens, RECIST 1.1 and iRECIST."""

    CR = "CR"
    PR = "PR"
    SD = "SD"
    PD = "PD"
    NE = "NE"
    NON_CR_NON_PD = "NON-CR/NON-PD"
    ICR = "iCR"
    IPR = "iPR"
    ISD = "iSD"
    IUPD = "iUPD"
    ICPD = "iCPD"


class NewLesions(StrEnum):
    """Whether new lesions were seen at an assessment."""

    NO = "no"
    YES = "yes"  # unequivocal
    EQUIVOCAL = "equivocal"


@dataclass(frozen=True)
class Irradiation:
    """A lesion in a previously irradiated field."""

    date: str | None = None  # ISO 8601, possibly partial
    dose_gy: Decimal | None = None
    progressed_since: bool | None = None  # progressed after the irradiation


@dataclass(frozen=True)
class Lesion:
    """A lesion recorded at baseline."""

    id: str
    role: Role
    organ: str
    nodal: bool
    method: Method
    slice_thickness_mm: Decimal | None
    diameter_mm: Decimal | None  # longest diameter; short axis for nodes; None: not measurable
    irradiated: Irradiation | None = None


@dataclass(frozen=True)
class Baseline:
    """The baseline assessment."""

    date: dt.date
    lesions: tuple[Lesion, ...]


class Mark(StrEnum):
    """A recorded measurement that is not a plain number."""

    TOO_SMALL = "too_small"  # counts as 5 mm
    NOT_ASSESSED = "not_assessed"


@dataclass(frozen=True)
class Measurement:
    """One follow-up measurement of a lesion, as recorded.

    Exactly one of ``mm``, ``mark``, ``fragments_mm`` or ``merged_into`` is set.
    ``mm == 0`` is a lesion that has disappeared. A lesion merged into another
    counts 0: the merged mass is measured on the lesion it was merged into.
    """

    mm: Decimal | None = None
    mark: Mark | None = None
    fragments_mm: tuple[Decimal, ...] = ()
    merged_into: str | None = None

    @property
    def assessed(self) -> bool:
        """Whether the measurement gives a number."""
        return self.mark is not Mark.NOT_ASSESSED

    def value_mm(self) -> Decimal | None:
        """The number that enters the sum (None when not assessed)."""
        if self.mark is Mark.NOT_ASSESSED:
            return None
        if self.mark is Mark.TOO_SMALL:
            return TOO_SMALL_MM
        if self.fragments_mm:
            return sum(self.fragments_mm, Decimal(0))
        if self.merged_into is not None:
            return Decimal(0)
        assert self.mm is not None
        return self.mm


class NewLesionStatus(StrEnum):
    """A non-measured new lesion (iRECIST "new lesion non-target")."""

    PRESENT = "present"
    INCREASED = "increased"  # any increase since the last assessment
    ABSENT = "absent"


@dataclass(frozen=True)
class Assessment:
    """One follow-up assessment (a timepoint)."""

    date: dt.date
    measurements: dict[str, Measurement]  # target lesion id -> measurement
    non_target: Response | None  # CR, NON-CR/NON-PD, PD, NE; None: no non-targets at baseline
    new_lesions: NewLesions
    #: iRECIST: new lesions measured as "new lesion target" (NLT), id -> measurement
    new_lesion_measurements: dict[str, Measurement] = field(default_factory=dict)
    #: iRECIST: "new lesion non-target" (NLNT), id -> status
    new_lesions_non_target: dict[str, NewLesionStatus] = field(default_factory=dict)
    #: iRECIST: non-target disease increased further since the last assessment
    non_target_increase: bool = False
    #: iRECIST: an early scan done for a new clinical sign (may confirm iCPD by a new lesion)
    clinical_sign_scan: bool = False
    scanned: bool = True  # False: the timepoint was not scanned at all (NE)


@dataclass(frozen=True)
class ResponseSettings:
    """Protocol choices of the response engine; defaults in ``docs/recist.md``."""

    criteria: str = field(default="RECIST1.1", metadata=choices("RECIST1.1", "iRECIST"))
    #: confirmation of CR/PR: the repeat assessment at least this many days later
    confirm_min_days: int = 28
    #: how many NE assessments between a response and its confirmation are tolerated
    max_ne_between: int = 1
    #: whether an SD between a PR and its confirmation keeps the confirmation
    accept_sd_between: bool = False
    #: minimum SD duration: SD counts when seen at least this many days after treatment start
    sd_min_days: int = 42
    #: ... less this tolerance (the visit window of the first assessment)
    sd_window_days: int = 7
    #: irradiated lesions as targets: never, only if progressed since irradiation, or always
    irradiated_targets: str = field(
        default="if_progressed", metadata=choices("never", "if_progressed", "allowed")
    )
    #: baseline imaging at most this many days before treatment start (a warning)
    baseline_max_days: int = 28
    #: target CR (non-nodal gone, nodes < 10 mm) wins over a sum-based PD
    nodal_cr_over_pd: bool = True
    #: iRECIST: iCPD only at an assessment at least this many days after the iUPD ...
    icpd_min_days: int = 28
    #: ... less this tolerance
    icpd_tolerance_days: int = 2
    #: iRECIST: a confirming assessment later than this is flagged
    icpd_max_days: int = 56

    @property
    def irecist(self) -> bool:
        """Whether iRECIST applies."""
        return self.criteria == Criteria.IRECIST.value
