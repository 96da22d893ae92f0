"""The shapes the endpoint modules agree on: per-subject derivations, statistics,
safety and exposure records, and the results a report is made from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    """A time-to-event outcome."""

    EVENT = "event"
    CENSORED = "censored"


@dataclass(frozen=True)
class TimeToEvent:
    """PFS, OS or DoR of one subject: the outcome, its date and why.

    ``reason`` is a stable code (``progression``, ``death``, ``no_baseline``,
    ``no_post_baseline``, ``new_therapy``, ``missed_assessments``, ``no_progression``,
    ``alive``, ``cutoff``...; docs/endpoints.md lists them); ``detail`` says it in one
    English sentence with the dates used.
    """

    status: Status
    date: dt.date
    days: int  # from the origin, by the study's day-count setting
    reason: str
    detail: str

    def to_json(self) -> dict[str, object]:
        return {
            "status": self.status.value,
            "date": self.date.isoformat(),
            "days": self.days,
            "reason": self.reason,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class TargetChange:
    """The change of the target-lesion sum from baseline at one assessment."""

    date: dt.date
    days: int  # from the start date
    percent: float  # (sum - baseline) / baseline * 100
    response: str | None  # the overall response at that assessment (RECIST code), if known


@dataclass(frozen=True)
class SubjectEndpoints:
    """Everything derived for one subject at the data cut-off."""

    subject_id: str
    site_id: str
    cutoff: dt.date
    start: dt.date | None  # the origin: first dose or enrolment (a study setting)
    bor: str | None  # best overall response, confirmed as the protocol says (RECIST code)
    bor_unconfirmed: str | None
    response_start: dt.date | None  # first CR/PR of a confirmed response
    progression: dt.date | None  # RECIST 1.1 PD or iRECIST iCPD (a study setting)
    death: dt.date | None
    last_known_alive: dt.date | None
    new_therapy: dt.date | None  # first new anticancer therapy
    last_dose: dt.date | None  # end of study treatment (for the swimmer plot)
    pfs: TimeToEvent | None  # None when the subject has no start date
    os: TimeToEvent | None
    dor: TimeToEvent | None  # confirmed responders only
    os_1y: str | None  # "alive", "dead" or "censored" (before one year); None without start
    target_changes: tuple[TargetChange, ...] = ()
    excluded: str | None = None  # why the subject is not response-evaluable (None: evaluable)
    notes: tuple[str, ...] = ()  # problems met while deriving (partial dates, gaps...)

    @property
    def best_change(self) -> float | None:
        """The best (lowest) percentage change of the target sum, for the waterfall."""
        return min((c.percent for c in self.target_changes), default=None)

    @property
    def responder(self) -> bool:
        return self.bor in ("CR", "PR")


@dataclass(frozen=True)
class Proportion:
    """k of n with an exact (Clopper–Pearson) confidence interval."""

    k: int
    n: int
    estimate: float | None  # None when n == 0
    lower: float | None
    upper: float | None
    conf_level: float

    def to_json(self) -> dict[str, object]:
        return {
            "responders": self.k,
            "n": self.n,
            "proportion": self.estimate,
            "lower": self.lower,
            "upper": self.upper,
            "conf_level": self.conf_level,
        }


@dataclass(frozen=True)
class KmRow:
    """One distinct time of a Kaplan–Meier table (R ``summary(survfit)`` columns)."""

    time: float
    n_risk: int
    n_event: int
    n_censor: int
    survival: float
    std_err: float | None  # standard error of the survival (Greenwood), as R prints it
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class KmFit:
    """A Kaplan–Meier fit with its median and confidence settings."""

    rows: tuple[KmRow, ...]
    n: int
    events: int
    conf_type: str  # "log", "log-log" or "plain"
    conf_level: float
    median: float | None
    median_lower: float | None
    median_upper: float | None


@dataclass(frozen=True)
class Landmark:
    """Survival at one time with its confidence interval (e.g. 1-year OS)."""

    time: float
    survival: float | None  # None when the time is beyond the last observation
    lower: float | None
    upper: float | None
    n_risk: int


@dataclass(frozen=True)
class AeRecord:
    """One adverse event as the safety tables count it."""

    subject_id: str
    term: str  # CTCAE term (English)
    term_zh: str | None
    soc: str  # MedDRA system organ class
    meddra_code: str | None
    grade: int | None  # the worst grade of the event
    serious: bool
    related: Mapping[str, bool]  # {"sintilimab": True, "radiotherapy": False, "chemotherapy": ...}
    immune_related: bool
    start: dt.date | None
    treatment_emergent: bool  # within the AE window of the study's treatment


@dataclass(frozen=True)
class Exposure:
    """Study treatment received by one subject."""

    subject_id: str
    first_dose: dt.date | None
    last_dose: dt.date | None
    cycles: int
    planned_mg: float | None  # the protocol dose times the cycles given
    given_mg: float | None
    dose_intensity: float | None  # given / planned (1.0 = 100 %)
    rt_courses: int
    rt_courses_completed: int
    chemo_cycles: int = 0


@dataclass
class EndpointSettings:
    """The protocol's choices for the endpoints (``oncology: endpoints:`` in study.yaml)."""

    start: str = "first_dose"  # or "enrolment"
    progression: str = "recist"  # or "irecist" (iCPD)
    conf_type: str = "log-log"  # Kaplan–Meier CI transform: "log" (R), "log-log" (SAS), "plain"
    conf_level: float = 0.95
    censor_new_therapy: bool = True  # censor at the last adequate assessment before it
    missed_assessments: int = 2  # PD or death after this many missed assessments is censored
    assessment_interval_days: int = 63  # the protocol's scan interval (for counting misses)
    day_count: str = "difference"  # "difference" (end - start) or "inclusive" (end - start + 1)
    month_days: float = 30.4375
    landmarks_months: tuple[float, ...] = (6.0, 12.0)


@dataclass
class EfficacyResult:
    """What the efficacy report shows, for one study (one site or all) at one cut-off."""

    study_oid: str
    scope: str  # "all sites" or "site S01"
    cutoff: dt.date
    settings: EndpointSettings
    subjects: list[SubjectEndpoints]
    orr: Proportion
    dcr: Proportion
    km: dict[str, KmFit] = field(default_factory=dict)  # "pfs", "os", "dor" (months)
    landmarks: dict[str, list[Landmark]] = field(default_factory=dict)
    excluded: list[tuple[str, str]] = field(default_factory=list)  # (subject, reason)


@dataclass
class SafetyResult:
    """What the safety report shows."""

    study_oid: str
    scope: str
    cutoff: dt.date
    subjects: int  # the safety population (received any study treatment)
    events: list[AeRecord]
    exposure: list[Exposure]
    excluded: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Table:
    """A table for the reports, in both languages: the PDF renders it, the CSV writes it.

    ``name`` is the CSV file's stem (``ae_by_soc_term``); cells are text or numbers.
    """

    name: str
    title_en: str
    title_zh: str
    columns: tuple[tuple[str, str], ...]  # (English, Chinese) per column
    rows: tuple[tuple[str | int | float | None, ...], ...]
    note_en: str = ""
    note_zh: str = ""
