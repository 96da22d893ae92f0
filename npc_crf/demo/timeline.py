"""A synthetic subject's clinical course: dates, doses, responses, adverse events, death.

Pure data: nothing here knows about forms or the store. A :class:`Course` is the
whole story of one invented subject up to the data cut-off, in study-neutral
terms (organ codes, generic reasons); the study modules
(:mod:`npc_crf.demo.sint_rt`, :mod:`npc_crf.demo.nct07062484`) turn it into form
values.

Everything is drawn from ``random.Random`` generators seeded with the demo seed
and the subject's number, so the same seed, number of subjects and cut-off always
give the same subjects. No real patient data are used and no person's name
appears anywhere.

Dates are consistent by construction: consent < baseline < first dose < cycles;
tumour assessments follow the protocol schedule; progression, end of treatment,
follow-up contacts and death come in that order; nothing is after the cut-off.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

#: the data cut-off of the demo (all dates are on or before it; see :func:`data_cutoff`)
DEFAULT_CUTOFF = dt.date(2026, 6, 30)
#: the first screening day of the demo studies
ACCRUAL_START = dt.date(2024, 3, 4)

Weights = Sequence[tuple[str, float]]


def data_cutoff(today: dt.date | None = None) -> dt.date:
    """The fixed demo cut-off, or yesterday when the clock is earlier than it.

    The forms refuse dates in the future, so the cut-off must not be after today.
    """
    yesterday = (today or dt.date.today()) - dt.timedelta(days=1)
    return min(DEFAULT_CUTOFF, yesterday)


def rng_for(seed: int, *parts: object) -> random.Random:
    """A generator for one purpose (e.g. one subject), independent of every other."""
    key = ":".join(str(p) for p in (seed, *parts))
    return random.Random(key)  # noqa: S311 - synthetic data, not security


def add(day: dt.date, days: int) -> dt.date:
    """``day`` plus ``days`` days."""
    return day + dt.timedelta(days=days)


def pick(r: random.Random, weights: Weights) -> str:
    """One key of ``weights`` drawn with the given relative weights."""
    keys = [k for k, _ in weights]
    return r.choices(keys, [w for _, w in weights])[0]


def dec(value: float, places: int) -> Decimal:
    """``value`` as a Decimal with exactly ``places`` decimal places."""
    return Decimal(f"{value:.{places}f}")


def clamp(value: float, low: float, high: float) -> float:
    """``value`` limited to [low, high]."""
    return max(low, min(high, value))


# ---------------------------------------------------------------------------------------------
# the data a course is made of


@dataclass
class Vitals:
    """Vital signs at one visit."""

    weight: Decimal
    sysbp: int
    diabp: int
    pulse: int
    temp: Decimal


@dataclass
class Labs:
    """Laboratory values at one visit (units of the forms)."""

    hgb: int
    wbc: Decimal
    anc: Decimal
    lym: Decimal
    plt: int
    alt: int
    ast: int
    alp: int | None  # None: not done
    tbil: Decimal
    creat: int
    alb: Decimal
    sodium: Decimal
    potassium: Decimal
    tsh: Decimal
    ft4: Decimal


@dataclass
class Visit:
    """A clinic visit with measurements."""

    day: dt.date
    lab_day: dt.date
    vitals: Vitals
    labs: Labs
    ecog: int
    kps: int


@dataclass
class Lesion:
    """A tumour lesion followed by RECIST 1.1."""

    lid: str  # T1..T5 (targets), NT1.. (non-targets)
    organ: str  # NASOPHARYNX, NECK_NODE, DISTANT_NODE, MEDIASTINUM, LUNG, LIVER, BONE, PLEURA
    nodal: bool
    location: str
    baseline_mm: int
    target: bool
    irradiated: bool = False  # inside the field of the primary radiotherapy


@dataclass
class Assessment:
    """One tumour assessment after baseline, with the investigator's responses."""

    day: dt.date
    sizes: list[int]  # per target lesion, mm
    nontarget: list[str]  # per non-target lesion: PRESENT, ABSENT, PROGRESSED
    new_lesions: list[str]  # organs of unequivocal new lesions
    target_response: str  # CR, PR, SD, PD
    nontarget_response: str | None  # CR, NON_CR_NON_PD, PD; None without non-targets
    overall: str  # CR, PR, SD, PD
    ebv: int | None  # plasma EBV DNA copies/mL; None = below the limit of detection


@dataclass
class Dose:
    """One treatment cycle visit."""

    cycle: int
    day: dt.date
    visit: Visit
    given: bool = True
    skip_reason: str | None = None  # AE when not given
    delayed: bool = False
    delay_reason: str | None = None  # AE, LAB, SUBJECT, LOGISTIC
    out_of_window: bool = False  # a protocol deviation (given late for a logistic reason)
    interrupted: bool = False  # infusion interrupted (infusion-related reaction)
    start_time: dt.time = dt.time(9, 0)
    end_time: dt.time = dt.time(9, 40)
    discontinued: bool = False  # permanently stopped after this cycle
    discontinue_reason: str | None = None
    chemo: str | None = None  # regimen given with this cycle (GP, TP, TPF, PF, CAPE)


@dataclass
class RtCourse:
    """A course of radiotherapy during the study."""

    technique: str  # IMRT, SBRT, CRT3D
    organ: str  # organ of the lesions treated
    lesion_ids: list[str]
    dose_gy: Decimal
    fractions: int
    start: dt.date
    end: dt.date | None  # None while ongoing at the cut-off
    status: str  # COMPLETED, ONGOING, STOPPED
    stop_reason: str | None = None
    interruption_days: int = 0

    @property
    def region(self) -> str:
        """HEAD_NECK, CHEST or OTHER: which toxicities the course can cause."""
        if self.organ in ("NASOPHARYNX", "NECK_NODE"):
            return "HEAD_NECK"
        if self.organ in ("LUNG", "MEDIASTINUM", "PLEURA"):
            return "CHEST"
        return "OTHER"


@dataclass
class AdverseEvent:
    """One adverse event (CTCAE v5.0)."""

    code: str  # MedDRA LLT code of the CTCAE term
    term: str
    kind: str  # IMMUNE, RT, CHEMO, GENERAL, INFECTION, BLEED
    grade: int
    onset: dt.date
    end: dt.date | None  # None: ongoing at the cut-off (or at death)
    outcome: str  # RECOVERED, RECOVERING, NOT_RECOVERED, SEQUELAE, FATAL
    serious: bool
    criteria: tuple[str, ...] = ()  # DEATH, LIFE, HOSP, IME
    serious_day: dt.date | None = None
    aware_day: dt.date | None = None
    report_day: dt.date | None = None
    rel_drug: str = "NOT_RELATED"  # REL5 codes, for the PD-1 inhibitor
    rel_rt: str | None = None  # None: no radiotherapy given before onset
    rel_chemo: str | None = None  # None: no chemotherapy given before onset
    immune: bool = False
    steroids: bool = False
    action_drug: str = "NOT_CHANGED"  # NOT_CHANGED, INTERRUPTED, WITHDRAWN, NOT_APPLICABLE
    action_rt: str = "NOT_APPLICABLE"


@dataclass
class Medication:
    """A concomitant medication."""

    name: str
    indication: str
    dose: Decimal | None
    unit: str | None  # MG, G, UG, ML, ...
    route: str  # PO, IV, SC, TOPICAL, ...
    steroid: bool
    start: str  # partial date text (YYYY, YYYY-MM or YYYY-MM-DD)
    end: dt.date | None  # None: ongoing


@dataclass
class Condition:
    """A medical history condition."""

    term: str
    category: str  # MHCAT codes
    start: str  # partial date text
    end: str | None  # None: ongoing
    grade: int | None  # CTCAE grade while ongoing


@dataclass
class PriorLine:
    """A line of systemic therapy before the study."""

    regimen: str
    setting: str  # INDUCTION, CONCURRENT, ADJUVANT, RM
    platinum: bool
    ici: str | None  # the PD-1 inhibitor, if any
    kind: str  # CHEMO, ICI, TARGET (the main class of the line)
    start: dt.date
    end: dt.date
    response: str  # CR, PR, SD, PD
    progression: dt.date


@dataclass
class Disease:
    """History of the cancer up to study entry."""

    diagnosis: dt.date
    histology: str  # KSCC, NKDC, NKUC, BASALOID
    t: str
    n: str
    m: str
    primary: tuple[str, ...]  # IC, CCRT, RT, AC; () when metastatic at diagnosis
    primary_start: dt.date
    primary_rt_end: dt.date | None  # end of radical radiotherapy
    primary_end: dt.date | None  # end of all primary treatment (adjuvant chemotherapy included)
    primary_rt_gy: Decimal
    recurrence: dt.date | None  # locoregional recurrence
    metastasis: dt.date | None
    met_sites: tuple[str, ...]  # LUNG, LIVER, BONE, DISTANT_LN, MEDIASTINUM, PLEURA
    biopsy: bool


@dataclass
class Contact:
    """A follow-up contact (survival follow-up)."""

    day: dt.date
    method: str  # VISIT, PHONE, RECORDS
    status: str  # ALIVE, DEAD, LOST
    last_known_alive: dt.date | None
    new_progression: dt.date | None  # progression first learnt at this contact
    progression: dt.date | None  # first progression known by this contact (cumulative)
    new_therapies: list[tuple[str, str, dt.date]]  # (type, name, start) first learnt here
    therapies: list[tuple[str, str, dt.date]]  # every new therapy known by this contact


@dataclass
class Deviation:
    """A protocol deviation."""

    day: dt.date
    identified: dt.date
    category: str  # DVCAT codes
    description: str
    major: bool
    action: str | None


@dataclass
class Course:
    """Everything that happens to one invented subject up to the cut-off."""

    number: int  # 1-based, order of screening
    screening: dt.date
    cutoff: dt.date
    failure: str | None  # screen-failure kind (profile.failures), None when enrolled
    failure_reason: str | None
    sex: str
    birth: dt.date
    height: Decimal
    ethnic: str
    initials: str
    child_potential: bool
    disease: Disease
    prior: list[PriorLine]
    history: list[Condition]
    baseline: Visit
    imaging_day: dt.date
    lesions: list[Lesion]
    baseline_ebv: int | None
    eligibility_day: dt.date
    doses: list[Dose] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    radiotherapy: list[RtCourse] = field(default_factory=list)
    adverse_events: list[AdverseEvent] = field(default_factory=list)
    medications: list[Medication] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)
    stop_day: dt.date | None = None  # when the decision to end treatment was taken
    stop_reason: str | None = None  # PD, CLIN_PD, AE, WITHDRAWAL, COMPLETED, DEATH
    stop_ae: AdverseEvent | None = None
    eot_day: dt.date | None = None
    eot_visit: Visit | None = None
    safety_visit: Visit | None = None
    safety_contact: Contact | None = None
    contacts: list[Contact] = field(default_factory=list)
    progression: dt.date | None = None  # first documented progression
    progression_kind: str | None = None  # RADIOLOGICAL, CLINICAL
    death: dt.date | None = None
    death_cause: str | None = None  # PD, AE, OTHER
    death_other: str | None = None
    death_ae: AdverseEvent | None = None
    lost: dt.date | None = None  # lost to follow-up (date of the failed contact)
    new_therapy: tuple[str, str, dt.date] | None = None  # after progression

    @property
    def enrolled(self) -> bool:
        """Not a screen failure."""
        return self.failure is None

    @property
    def first_dose(self) -> dt.date | None:
        """The date of the first dose given."""
        given = [d.day for d in self.doses if d.given]
        return given[0] if given else None

    @property
    def last_dose(self) -> dt.date | None:
        """The date of the last dose given."""
        given = [d.day for d in self.doses if d.given]
        return given[-1] if given else None

    @property
    def on_treatment(self) -> bool:
        """Still being treated at the cut-off."""
        return self.enrolled and self.eot_day is None and bool(self.doses)

    @property
    def withdrawn(self) -> bool:
        """Withdrew consent (no follow-up at all after it)."""
        return self.stop_reason == "WITHDRAWAL"


# ---------------------------------------------------------------------------------------------
# what differs between the studies


@dataclass(frozen=True)
class Profile:
    """The study-specific parameters of the simulation."""

    key: str
    cycle_days: int = 21
    max_cycles: int = 35
    #: first assessment (days after the first dose), then (every, times) blocks; the last
    #: block repeats for ever
    assessment_first: int = 42
    assessment_blocks: tuple[tuple[int, int], ...] = ((42, 7), (63, 0))
    response_weights: Weights = (("CR", 0.06), ("PR", 0.27), ("SD", 0.34), ("PD", 0.33))
    post_pd_survival_days: float = 240.0
    chemo_cycles: tuple[int, int] = (0, 0)
    radiotherapy_rate: float = 0.95
    ae_window_days: int = 30
    followup_from_index: bool = False  # contacts counted from the first dose (else last dose)
    followup_window: int = 14
    screen_failure_rate: float = 0.15
    failures: tuple[tuple[str, str], ...] = ()
    lung_metastatic: bool = False  # every subject has lung metastases, M0 at diagnosis
    pretreated: bool = True  # at least two prior lines including platinum and a PD-1 inhibitor
    pd1_agents: tuple[str, ...] = ("SINTILIMAB",)
    chemo_regimens: Weights = ()
    maintenance_rate: float = 0.0  # capecitabine maintenance after the chemotherapy cycles


# ---------------------------------------------------------------------------------------------
# fates: what kind of story each subject gets

SCREEN_FAILURE = "screen_failure"
PD_DEATH = "pd_death"  # progresses early and dies during follow-up
RESPONDER = "responder"  # partial or complete response, long treatment
TOXICITY = "toxicity"  # stops for an immune-related adverse event
PD_ALIVE = "pd_alive"  # progresses, alive at the cut-off
RANDOM = "random"

#: the stories the first enrolled subjects get, so that even a small demo shows each
GUARANTEED = (PD_DEATH, RESPONDER, TOXICITY, PD_ALIVE)


def plan_fates(subjects: int, seed: int, profile: Profile) -> list[str]:
    """The fate of each subject, in screening order."""
    r = rng_for(seed, profile.key, "fates")
    failures = round(subjects * profile.screen_failure_rate) if subjects >= 4 else 0
    failed = set(r.sample(range(1, subjects), failures)) if failures else set()
    fates: list[str] = []
    guaranteed = list(GUARANTEED)
    for n in range(subjects):
        if n in failed:
            fates.append(SCREEN_FAILURE)
        elif guaranteed:
            fates.append(guaranteed.pop(0))
        else:
            fates.append(RANDOM)
    return fates


def screening_day(number: int, subjects: int, cutoff: dt.date, r: random.Random) -> dt.date:
    """Subjects are screened evenly from ACCRUAL_START until 6 months before the cut-off."""
    span = max(30, (cutoff - ACCRUAL_START).days - 183)
    base = ACCRUAL_START + dt.timedelta(days=span * (number - 1) / max(1, subjects))
    return min(add(base, r.randint(0, 3)), add(cutoff, -150))


# ---------------------------------------------------------------------------------------------
# people, history and baseline


def _person(r: random.Random, screening: dt.date) -> tuple[str, dt.date, Decimal, str, str, bool]:
    sex = "M" if r.random() < 0.74 else "F"
    age = r.randint(32, 71)
    birth = add(dt.date(screening.year - age, 1, 1), -r.randint(0, 364))
    height = dec(r.gauss(169 if sex == "M" else 158, 5.5), 1)
    height = dec(clamp(float(height), 145, 192), 1)
    ethnic = pick(
        r, (("HAN", 0.86), ("ZHUANG", 0.08), ("YAO", 0.02), ("HUI", 0.02), ("MIAO", 0.02))
    )
    letters = "ABCDEFGHJKLMNPQRSTWXYZ"
    initials = "".join(r.choice(letters) for _ in range(r.choice((2, 3, 3))))
    age_at = screening.year - birth.year
    child_potential = sex == "F" and age_at < 50 and r.random() < 0.6
    return sex, birth, height, ethnic, initials, child_potential


def _prior_lines(
    r: random.Random, consent: dt.date, lines: int, pretreated: bool
) -> tuple[list[PriorLine], dt.date]:
    """Prior lines ending well before consent; returns them and the date of first relapse."""
    if not pretreated:
        return [], add(consent, -r.randint(20, 60))
    ici = r.choice(("TORIPALIMAB", "CAMRELIZUMAB", "TISLELIZUMAB"))
    ici_name = ici.lower()
    plans: list[tuple[str, bool, str | None, str]] = []
    if r.random() < 0.6:
        plans.append((f"gemcitabine + cisplatin + {ici_name}", True, ici, "CHEMO"))
    else:
        plans += [("gemcitabine + cisplatin", True, None, "CHEMO"), (ici_name, False, ici, "ICI")]
    later = [
        ("capecitabine", False, None, "CHEMO"),
        ("docetaxel", False, None, "CHEMO"),
        ("anlotinib", False, None, "TARGET"),
        ("nimotuzumab + docetaxel", False, None, "TARGET"),
        ("paclitaxel + carboplatin", True, None, "CHEMO"),
    ]
    r.shuffle(later)
    while len(plans) < lines:
        plans.append(later.pop())
    plans = plans[: max(1, lines)]
    if lines == 1:
        plans = [("gemcitabine + cisplatin", True, None, "CHEMO")]
    # work backwards from consent: the last line ends 5-16 weeks before it
    spans: list[tuple[dt.date, dt.date]] = []
    end = add(consent, -r.randint(35, 110))
    for _plan in plans:
        start = add(end, -r.randint(70, 200))
        spans.insert(0, (start, end))
        end = add(start, -r.randint(25, 70))
    result: list[PriorLine] = []
    for n, ((regimen, platinum, agent, kind), (start, end)) in enumerate(
        zip(plans, spans, strict=True)
    ):
        next_start = spans[n + 1][0] if n + 1 < len(spans) else consent
        progression = add(end, r.randint(1, max(1, (next_start - end).days - 5)))
        response = pick(r, (("PR", 0.35), ("SD", 0.4), ("PD", 0.2), ("CR", 0.05)))
        result.append(
            PriorLine(regimen, "RM", platinum, agent, kind, start, end, response, progression)
        )
    relapse = add(result[0].start, -r.randint(14, 50))
    return result, relapse


def _disease(r: random.Random, relapse: dt.date, profile: Profile) -> tuple[Disease, bool, bool]:
    """The cancer's history; returns it with (locoregional recurrence, distant metastasis)."""
    histology = pick(r, (("NKUC", 0.82), ("NKDC", 0.12), ("KSCC", 0.05), ("BASALOID", 0.01)))
    if profile.lung_metastatic:
        recurrence, metastatic = False, True
        de_novo = False
    else:
        kind = pick(r, (("LR", 0.2), ("MET", 0.55), ("BOTH", 0.25)))
        recurrence, metastatic = kind in ("LR", "BOTH"), kind in ("MET", "BOTH")
        de_novo = metastatic and not recurrence and r.random() < 0.12
    t = pick(r, (("T1", 0.1), ("T2", 0.2), ("T3", 0.4), ("T4", 0.3)))
    n = pick(r, (("N0", 0.1), ("N1", 0.3), ("N2", 0.35), ("N3", 0.25)))
    if de_novo:
        diagnosis = add(relapse, -r.randint(0, 20))
        primary: tuple[str, ...] = ()
        primary_start = diagnosis
        primary_end = primary_rt_end = None
        m = "M1"
    else:
        m = "M0"
        gap = r.randint(330, 1600)
        primary_end = primary_rt_end = add(relapse, -gap)
        primary = tuple(
            pick(r, (("IC+CCRT", 0.55), ("CCRT", 0.25), ("CCRT+AC", 0.12), ("RT", 0.08))).split("+")
        )
        length = 150 if "IC" in primary else 55
        primary_start = add(primary_rt_end, -r.randint(length - 10, length + 20))
        diagnosis = add(primary_start, -r.randint(10, 30))
        if "AC" in primary:
            primary_end = add(primary_rt_end, r.randint(60, 100))  # adjuvant chemotherapy
    sites: list[str] = []
    if metastatic:
        if profile.lung_metastatic:
            sites.append("LUNG")
            for site, p in (
                ("MEDIASTINUM", 0.35),
                ("PLEURA", 0.12),
                ("LIVER", 0.15),
                ("BONE", 0.25),
            ):
                if r.random() < p:
                    sites.append(site)
        else:
            for site, p in (("LUNG", 0.5), ("LIVER", 0.35), ("BONE", 0.4), ("DISTANT_LN", 0.3)):
                if r.random() < p:
                    sites.append(site)
            if not sites or (not recurrence and not set(sites) - {"BONE"}):
                sites.append(r.choice(("LUNG", "LIVER")))  # a measurable site
    disease = Disease(
        diagnosis=diagnosis,
        histology=histology,
        t=t,
        n=n,
        m=m,
        primary=primary,
        primary_start=primary_start,
        primary_rt_end=primary_rt_end,
        primary_end=primary_end,
        primary_rt_gy=Decimal(r.choice(("70.0", "69.96", "68.0", "66.0"))),
        recurrence=relapse if recurrence else None,
        metastasis=(diagnosis if de_novo else relapse) if metastatic else None,
        met_sites=tuple(sites),
        biopsy=r.random() < 0.7,
    )
    return disease, recurrence, metastatic


_LOCATIONS = {
    "LUNG": (
        "right upper lobe",
        "right lower lobe",
        "left upper lobe",
        "left lower lobe",
        "right middle lobe",
    ),
    "LIVER": ("segment 8", "segment 6", "segment 4", "segment 7", "segment 2"),
    "BONE": ("T10 vertebra", "L2 vertebra", "right ilium", "left femur", "sternum"),
    "DISTANT_NODE": ("right axillary", "para-aortic", "left axillary", "right hilar"),
    "MEDIASTINUM": ("subcarinal (station 7)", "right paratracheal (4R)", "aortopulmonary window"),
    "NECK_NODE": ("left level II", "right level II", "right level III", "left supraclavicular"),
    "NASOPHARYNX": ("left lateral wall", "posterior wall", "right fossa of Rosenmuller"),
    "PLEURA": ("right pleura", "left pleura"),
}


def _lesions(
    r: random.Random, disease: Disease, recurrence: bool, measurable: bool
) -> list[Lesion]:
    """Baseline lesions: up to 5 targets (2 per organ), the rest non-targets."""
    candidates: list[tuple[str, bool, bool]] = []  # organ, nodal, irradiated
    if recurrence:
        candidates.append(("NASOPHARYNX", False, True))
        if r.random() < 0.5:
            candidates.append(("NECK_NODE", True, True))
    for site in disease.met_sites:
        count = {"LUNG": r.randint(1, 4), "LIVER": r.randint(1, 3), "BONE": r.randint(1, 3)}.get(
            site, r.randint(1, 2)
        )
        organ = "DISTANT_NODE" if site == "DISTANT_LN" else site
        nodal = organ in ("DISTANT_NODE", "MEDIASTINUM")
        candidates.extend((organ, nodal, False) for _ in range(count))
    lesions: list[Lesion] = []
    per_organ: dict[str, int] = {}
    per_target_organ: dict[str, int] = {}  # RECIST: all lymph nodes count as one organ
    targets = nontargets = 0
    for organ, nodal, irradiated in candidates:
        group = "NODES" if nodal or "NODE" in organ else organ
        can_target = (
            measurable
            and organ not in ("BONE", "PLEURA")
            and per_target_organ.get(group, 0) < 2
            and targets < 5
        )
        locations = _LOCATIONS.get(organ, ("",))
        location = locations[(per_organ.get(organ, 0) + nontargets) % len(locations)]
        if can_target:
            targets += 1
            per_organ[organ] = per_organ.get(organ, 0) + 1
            per_target_organ[group] = per_target_organ.get(group, 0) + 1
            size = r.randint(15, 32) if nodal else r.randint(12, 48 if organ != "LIVER" else 62)
            lesions.append(Lesion(f"T{targets}", organ, nodal, location, size, True, irradiated))
        else:
            nontargets += 1
            size = r.randint(6, 9) if organ not in ("BONE", "PLEURA") else r.randint(10, 25)
            lesions.append(
                Lesion(f"NT{nontargets}", organ, nodal, location, size, False, irradiated)
            )
    if not measurable and not any(not les.target for les in lesions):
        lesions.append(Lesion("NT1", "BONE", False, "T10 vertebra", 14, False))
    return lesions


def _vitals(r: random.Random, sex: str, weight: float | None = None) -> Vitals:
    if weight is None:
        weight = clamp(r.gauss(64 if sex == "M" else 54, 8), 42, 95)
    sysbp = r.randint(102, 148)
    diabp = min(sysbp - 30, r.randint(62, 92))
    return Vitals(
        weight=dec(weight, 1),
        sysbp=sysbp,
        diabp=diabp,
        pulse=r.randint(62, 98),
        temp=dec(r.uniform(36.2, 37.2), 1),
    )


def _labs(r: random.Random, base: Labs | None = None, *, tsh_high: bool = False) -> Labs:
    """Plausible values (near ``base`` when given) that meet every eligibility limit."""

    def near(value: float | None, spread: float, low: float, high: float, default: float) -> float:
        centre = default if value is None else value
        return clamp(r.gauss(centre, spread), low, high)

    b = base
    wbc = near(float(b.wbc) if b else None, 0.9, 3.2, 9.8, r.uniform(4.2, 7.5))
    anc = clamp(wbc * r.uniform(0.52, 0.68), 1.6, 7.0)
    lym = clamp(wbc * r.uniform(0.16, 0.28), 0.6, 3.0)
    if anc + lym > wbc:
        lym = max(0.3, wbc - anc - 0.2)
    tsh = (
        r.uniform(8.5, 24.0)
        if tsh_high
        else near(float(b.tsh) if b else None, 0.4, 0.5, 4.0, r.uniform(0.8, 3.2))
    )
    ft4 = (
        r.uniform(8.0, 11.5)
        if tsh_high
        else near(float(b.ft4) if b else None, 1.5, 12.5, 21.0, r.uniform(13, 19))
    )
    return Labs(
        hgb=round(near(b.hgb if b else None, 6, 100, 165, r.uniform(112, 148))),
        wbc=dec(wbc, 2),
        anc=dec(anc, 2),
        lym=dec(lym, 2),
        plt=round(near(b.plt if b else None, 25, 120, 380, r.uniform(160, 300))),
        alt=round(near(b.alt if b else None, 6, 8, 70, r.uniform(12, 38))),
        ast=round(near(b.ast if b else None, 5, 10, 65, r.uniform(15, 35))),
        alp=None if r.random() < 0.05 else round(r.uniform(55, 120)),
        tbil=dec(near(float(b.tbil) if b else None, 2, 4, 24, r.uniform(7, 17)), 1),
        creat=round(near(b.creat if b else None, 6, 48, 108, r.uniform(58, 92))),
        alb=dec(near(float(b.alb) if b else None, 1.5, 33, 48, r.uniform(38, 45)), 1),
        sodium=dec(r.uniform(136.5, 144.5), 1),
        potassium=dec(r.uniform(3.6, 4.9), 2),
        tsh=dec(tsh, 3),
        ft4=dec(ft4, 2),
    )


def _visit(
    r: random.Random,
    day: dt.date,
    sex: str,
    base: Visit | None,
    *,
    lab_offset: int = 0,
    ecog: int | None = None,
    tsh_high: bool = False,
) -> Visit:
    weight = None if base is None else float(base.vitals.weight) + r.uniform(-1.8, 1.2)
    if base is not None:
        weight = clamp(
            weight or 0, float(base.vitals.weight) * 0.86, float(base.vitals.weight) * 1.08
        )
    ecog = ecog if ecog is not None else (base.ecog if base else r.choice((0, 1, 1)))
    kps = {0: r.choice((90, 100)), 1: r.choice((70, 80, 80)), 2: 60, 3: 40}.get(ecog, 80)
    return Visit(
        day=day,
        lab_day=add(day, -lab_offset),
        vitals=_vitals(r, sex, weight),
        labs=_labs(r, base.labs if base else None, tsh_high=tsh_high),
        ecog=ecog,
        kps=kps,
    )


def _history(
    r: random.Random, consent: dt.date, disease: Disease, failure: str | None
) -> list[Condition]:
    conditions: list[Condition] = []
    if r.random() < 0.3:
        conditions.append(
            Condition(
                "Hypertension",
                "CARDIOVASCULAR",
                str(consent.year - r.randint(2, 12)),
                None,
                r.choice((1, 2)),
            )
        )
    if r.random() < 0.12:
        conditions.append(
            Condition(
                "Type 2 diabetes mellitus",
                "ENDOCRINE",
                str(consent.year - r.randint(1, 9)),
                None,
                2,
            )
        )
    if r.random() < 0.1 or failure == "HBV":
        term = (
            "Chronic hepatitis B, HBV DNA above the site limit"
            if failure == "HBV"
            else "Chronic hepatitis B, inactive carrier on entecavir"
        )
        conditions.append(
            Condition(term, "INFECTION", str(consent.year - r.randint(5, 20)), None, 1)
        )
    if failure == "AUTOIMMUNE":
        conditions.append(
            Condition(
                "Systemic lupus erythematosus on hydroxychloroquine",
                "AUTOIMMUNE",
                str(consent.year - 1),
                None,
                2,
            )
        )
    if disease.primary_rt_end is not None and r.random() < 0.55:
        year = disease.primary_rt_end.year + 1
        term = r.choice(
            (
                "Radiation-induced xerostomia",
                "Radiation-induced hearing loss",
                "Neck fibrosis after radiotherapy",
            )
        )
        conditions.append(
            Condition(term, "RT_LATE", str(min(year, consent.year)), None, r.choice((1, 2)))
        )
    if r.random() < 0.06:
        start = consent.year - r.randint(10, 25)
        conditions.append(
            Condition(
                "Pulmonary tuberculosis, treated", "INFECTION", str(start), str(start + 1), None
            )
        )
    return conditions


# ---------------------------------------------------------------------------------------------
# the course of the disease on treatment


def assessment_days(
    first_dose: dt.date, profile: Profile, until: dt.date, r: random.Random
) -> list[dt.date]:
    """Tumour assessment dates from the schedule (±5 days), up to ``until``."""
    days: list[dt.date] = []
    offset = profile.assessment_first
    blocks = list(profile.assessment_blocks)
    step, times = blocks[0]
    block = 0
    used = 0
    while True:
        day = add(first_dose, offset + r.randint(-4, 5))
        if day > until:
            return days
        days.append(day)
        used += 1
        if times and used >= times and block + 1 < len(blocks):
            block += 1
            step, times = blocks[block]
            used = 0
        offset += step


def classify(sizes: Sequence[int], lesions: Sequence[Lesion], base_sum: int, nadir: int) -> str:
    """The RECIST 1.1 target response from the measurements (exact arithmetic)."""
    targets = [les for les in lesions if les.target]
    total = sum(sizes)
    if all((s < 10 if les.nodal else s == 0) for s, les in zip(sizes, targets, strict=True)):
        return "CR"
    if total - nadir >= 5 and Fraction(total) >= Fraction(6, 5) * nadir:
        return "PD"
    if Fraction(total - base_sum, base_sum) <= Fraction(-3, 10):
        return "PR"
    return "SD"


AE_TERMS: dict[str, tuple[str, str]] = {
    # name: (MedDRA LLT code, kind)
    "Hypothyroidism": ("10021114", "IMMUNE"),
    "Hyperthyroidism": ("10020850", "IMMUNE"),
    "Pneumonitis": ("10035742", "IMMUNE"),
    "Rash maculo-papular": ("10037868", "IMMUNE"),
    "Pruritus": ("10037087", "IMMUNE"),
    "Alanine aminotransferase increased": ("10001551", "IMMUNE"),
    "Aspartate aminotransferase increased": ("10003481", "IMMUNE"),
    "Colitis": ("10009887", "IMMUNE"),
    "Myocarditis": ("10028606", "IMMUNE"),
    "Adrenal insufficiency": ("10001367", "IMMUNE"),
    "Fatigue": ("10016256", "GENERAL"),
    "Anorexia": ("10002646", "GENERAL"),
    "Fever": ("10016558", "GENERAL"),
    "Infusion related reaction": ("10051792", "GENERAL"),
    "Cough": ("10011224", "GENERAL"),
    "Anemia": ("10002272", "GENERAL"),
    "Lymphocyte count decreased": ("10025256", "GENERAL"),
    "Hyponatremia": ("10021038", "GENERAL"),
    "Lung infection": ("10061229", "INFECTION"),
    "Mucositis oral": ("10028130", "RT"),
    "Dermatitis radiation": ("10061103", "RT"),
    "Dry mouth": ("10013781", "RT"),
    "Dysphagia": ("10013950", "RT"),
    "Esophagitis": ("10015461", "RT"),
    "Pharyngeal hemorrhage": ("10055315", "BLEED"),
    "Neutrophil count decreased": ("10029366", "CHEMO"),
    "White blood cell decreased": ("10049182", "CHEMO"),
    "Platelet count decreased": ("10035528", "CHEMO"),
    "Nausea": ("10028813", "CHEMO"),
    "Vomiting": ("10047700", "CHEMO"),
    "Alopecia": ("10001760", "CHEMO"),
    "Peripheral sensory neuropathy": ("10034620", "CHEMO"),
    "Febrile neutropenia": ("10016288", "CHEMO"),
    "Sepsis": ("10040047", "INFECTION"),
    "Sudden death NOS": ("10042435", "GENERAL"),
}

#: grades (with weights) that the demo uses for each term; all valid in CTCAE v5.0
AE_GRADES: dict[str, Weights] = {
    "Hypothyroidism": (("1", 0.4), ("2", 0.6)),
    "Hyperthyroidism": (("1", 0.7), ("2", 0.3)),
    "Pneumonitis": (("1", 0.25), ("2", 0.55), ("3", 0.2)),
    "Rash maculo-papular": (("1", 0.6), ("2", 0.35), ("3", 0.05)),
    "Pruritus": (("1", 0.7), ("2", 0.3)),
    "Alanine aminotransferase increased": (("1", 0.65), ("2", 0.25), ("3", 0.1)),
    "Aspartate aminotransferase increased": (("1", 0.75), ("2", 0.25)),
    "Colitis": (("2", 0.7), ("3", 0.3)),
    "Myocarditis": (("3", 0.6), ("4", 0.4)),
    "Adrenal insufficiency": (("2", 1.0),),
    "Fatigue": (("1", 0.7), ("2", 0.3)),
    "Anorexia": (("1", 0.7), ("2", 0.3)),
    "Fever": (("1", 0.85), ("2", 0.15)),
    "Infusion related reaction": (("1", 0.6), ("2", 0.4)),
    "Cough": (("1", 0.8), ("2", 0.2)),
    "Anemia": (("1", 0.5), ("2", 0.38), ("3", 0.12)),
    "Lymphocyte count decreased": (("1", 0.3), ("2", 0.45), ("3", 0.25)),
    "Hyponatremia": (("1", 0.8), ("3", 0.2)),
    "Lung infection": (("2", 0.45), ("3", 0.55)),
    "Mucositis oral": (("1", 0.3), ("2", 0.5), ("3", 0.2)),
    "Dermatitis radiation": (("1", 0.6), ("2", 0.4)),
    "Dry mouth": (("1", 0.6), ("2", 0.4)),
    "Dysphagia": (("1", 0.5), ("2", 0.4), ("3", 0.1)),
    "Esophagitis": (("1", 0.6), ("2", 0.4)),
    "Pharyngeal hemorrhage": (("2", 0.4), ("3", 0.6)),
    "Neutrophil count decreased": (("1", 0.2), ("2", 0.35), ("3", 0.3), ("4", 0.15)),
    "White blood cell decreased": (("1", 0.3), ("2", 0.4), ("3", 0.3)),
    "Platelet count decreased": (("1", 0.5), ("2", 0.3), ("3", 0.2)),
    "Nausea": (("1", 0.6), ("2", 0.35), ("3", 0.05)),
    "Vomiting": (("1", 0.7), ("2", 0.3)),
    "Alopecia": (("1", 0.6), ("2", 0.4)),
    "Peripheral sensory neuropathy": (("1", 0.7), ("2", 0.3)),
    "Febrile neutropenia": (("3", 0.9), ("4", 0.1)),
    "Sepsis": (("3", 0.6), ("4", 0.4)),
}

#: how long each event lasts (days) and how often it is still going on much later
AE_DURATION: dict[str, tuple[int, int, float]] = {
    "Hypothyroidism": (60, 200, 0.7),
    "Adrenal insufficiency": (90, 300, 0.8),
    "Dry mouth": (60, 240, 0.6),
    "Peripheral sensory neuropathy": (60, 240, 0.4),
    "Alopecia": (60, 150, 0.3),
}

#: terms that stop treatment for good (immune-related, grade 3-4)
STOPPING_TERMS = ("Pneumonitis", "Colitis", "Alanine aminotransferase increased", "Myocarditis")


def _ae(
    r: random.Random,
    name: str,
    onset: dt.date,
    *,
    grade: int | None = None,
) -> AdverseEvent:
    """An event of term ``name`` starting on ``onset`` (relationships and outcome come later)."""
    code, kind = AE_TERMS[name]
    if grade is None:
        grade = int(pick(r, AE_GRADES[name]))
    ae = AdverseEvent(
        code=code,
        term=name,
        kind=kind,
        grade=grade,
        onset=onset,
        end=None,
        outcome="RECOVERED",
        serious=False,
    )
    if kind == "IMMUNE":
        ae.immune = True
        ae.steroids = grade >= 2 and name not in ("Hypothyroidism", "Hyperthyroidism", "Pruritus")
    if grade >= 3 and (r.random() < 0.75 or grade >= 4):
        ae.serious = True
        ae.criteria = (
            ("LIFE", "HOSP") if grade >= 4 else (("HOSP",) if r.random() < 0.85 else ("IME",))
        )
    return ae


def _relate(r: random.Random, ae: AdverseEvent, course: Course) -> None:
    """Causality and the action on radiotherapy, once treatment and radiotherapy are known."""
    onset, kind = ae.onset, ae.kind
    rt_before = [c for c in course.radiotherapy if c.start <= onset]
    rt_during = [c for c in rt_before if c.end is None or c.end >= onset]
    chemo_before = any(d.chemo for d in course.doses if d.given and d.day <= onset)
    if kind == "IMMUNE":
        ae.rel_drug = pick(r, (("PROBABLE", 0.55), ("POSSIBLE", 0.3), ("DEFINITE", 0.15)))
        chest = any(c.region == "CHEST" for c in rt_before)
        if rt_before:
            ae.rel_rt = "POSSIBLE" if ae.term == "Pneumonitis" and chest else "NOT_RELATED"
    elif kind == "RT":
        ae.rel_drug = pick(r, (("UNLIKELY", 0.7), ("NOT_RELATED", 0.3)))
        ae.rel_rt = pick(r, (("PROBABLE", 0.6), ("DEFINITE", 0.4))) if rt_before else None
    elif kind == "BLEED":
        ae.rel_drug = "UNLIKELY"
        ae.rel_rt = "POSSIBLE" if rt_before else None
    elif kind == "CHEMO":
        ae.rel_drug = pick(r, (("UNLIKELY", 0.8), ("NOT_RELATED", 0.2)))
        ae.rel_chemo = pick(r, (("PROBABLE", 0.6), ("DEFINITE", 0.4))) if chemo_before else None
    elif kind == "INFECTION":
        ae.rel_drug = pick(r, (("NOT_RELATED", 0.6), ("UNLIKELY", 0.4)))
    else:
        ae.rel_drug = pick(r, (("POSSIBLE", 0.5), ("UNLIKELY", 0.35), ("NOT_RELATED", 0.15)))
    if rt_before and ae.rel_rt is None:
        ae.rel_rt = pick(r, (("NOT_RELATED", 0.7), ("UNLIKELY", 0.3)))
    if chemo_before and ae.rel_chemo is None:
        ae.rel_chemo = pick(r, (("POSSIBLE", 0.4), ("UNLIKELY", 0.4), ("NOT_RELATED", 0.2)))
    ae.action_rt = "NOT_CHANGED" if rt_during else "NOT_APPLICABLE"


def _finish_ae(r: random.Random, ae: AdverseEvent, course: Course) -> None:
    """Resolution, outcome and SAE reporting dates, bounded by death and the cut-off."""
    cutoff = course.cutoff
    low, high, chronic = AE_DURATION.get(ae.term, (4, 45, 0.0))
    if ae.grade >= 3:
        low, high = max(low, 10), max(high, 40)
    if ae.grade == 5:
        ae.end = course.death
        ae.outcome = "FATAL"
        ae.serious = True
        ae.criteria = ("DEATH",)
    else:
        end = add(ae.onset, r.randint(low, high))
        limit = min(cutoff, course.death) if course.death else cutoff
        if r.random() < chronic or end > limit:
            ae.end = None
            ae.outcome = "NOT_RECOVERED" if (r.random() < 0.6 or course.death) else "RECOVERING"
        else:
            ae.end = end
            ae.outcome = "SEQUELAE" if (ae.grade >= 3 and r.random() < 0.3) else "RECOVERED"
    if ae.serious:
        serious = min(add(ae.onset, r.choice((0, 0, 1))), cutoff)
        aware = min(add(serious, r.choice((0, 0, 1))), cutoff)
        report = min(add(aware, r.choice((0, 1))), cutoff)
        ae.serious_day, ae.aware_day, ae.report_day = serious, aware, report


def _responses(
    r: random.Random,
    course: Course,
    best: str,
    days: list[dt.date],
    pd_day: dt.date,
    clinical: bool,
) -> None:
    """Fill ``course.assessments`` for ``days`` up to (and including) the progression."""
    targets = [les for les in course.lesions if les.target]
    nontargets = [les for les in course.lesions if not les.target]
    base_sum = sum(les.baseline_mm for les in targets)
    nadir = base_sum
    level = 1.0
    depth = {"CR": 0.0, "PR": r.uniform(0.38, 0.64), "SD": r.uniform(0.76, 1.06), "PD": 1.0}[best]
    noise = [r.uniform(0.92, 1.08) for _ in targets]
    ebv = course.baseline_ebv
    for n, day in enumerate(days):
        progressed = day >= pd_day and not clinical
        if progressed:
            mode = pick(
                r,
                (
                    ("TARGET", 0.55),
                    ("NEW", 0.3),
                    ("NONTARGET", 0.15) if nontargets else ("NEW", 0.15),
                ),
            )
        else:
            mode = ""
        if progressed and mode == "TARGET":
            level = max(level, 0.2) * r.uniform(1.3, 1.6)
        elif not progressed:
            goal = depth if best != "CR" or n >= 1 else r.uniform(0.3, 0.5)
            level = (
                goal
                if n == 0
                else clamp(
                    r.gauss(min(level, goal) if best in ("PR", "CR") else goal, 0.03), 0.0, 1.15
                )
            )
            if best == "SD":
                level = clamp(level, 0.76, 1.08)
            if best == "PR":
                level = clamp(level, 0.3, 0.66)
        sizes: list[int] = []
        for les, k in zip(targets, noise, strict=True):
            if best == "CR" and not progressed and n >= 1:
                size = r.randint(5, 9) if les.nodal else 0
            else:
                size = max(0, round(les.baseline_mm * level * k))
                if les.nodal and not progressed:
                    size = max(size, 5)
            sizes.append(size)
        response = classify(sizes, course.lesions, base_sum, nadir)
        if progressed and mode == "TARGET" and response != "PD":
            # make the growth unequivocal: 20% over the nadir and at least 5 mm
            limit = max(-(-nadir * 6 // 5), nadir + 5)
            sizes[0] += max(1, limit - sum(sizes))
            response = classify(sizes, course.lesions, base_sum, nadir)
        if not progressed and response == "PD":
            # a course that has not progressed keeps its sum below the PD limit
            while response == "PD" and max(sizes) > 0:
                i = sizes.index(max(sizes))
                sizes[i] -= 1
                response = classify(sizes, course.lesions, base_sum, nadir)
        nt_status: list[str] = []
        for les in nontargets:
            if progressed and mode == "NONTARGET" and les is nontargets[0]:
                nt_status.append("PROGRESSED")
            elif response == "CR" or (best in ("CR",) and not progressed and n >= 1):
                nt_status.append("ABSENT")
            else:
                nt_status.append("PRESENT")
        new = [r.choice(("LIVER", "BONE", "LUNG"))] if progressed and mode == "NEW" else []
        if nt_status:
            if "PROGRESSED" in nt_status:
                nt_response: str | None = "PD"
            elif all(s == "ABSENT" for s in nt_status):
                nt_response = "CR"
            else:
                nt_response = "NON_CR_NON_PD"
        else:
            nt_response = None
        if response == "PD" or nt_response == "PD" or new:
            overall = "PD"
        elif response == "CR" and nt_response in (None, "CR"):
            overall = "CR"
        elif response in ("CR", "PR"):
            overall = "PR"
        else:
            overall = "SD"
        if ebv is not None:
            ratio = level**2 if overall != "PD" else r.uniform(1.5, 4.0)
            value = int(ebv * ratio * r.uniform(0.7, 1.3))
            ebv_now: int | None = value if value >= 400 else None
        else:
            ebv_now = None if overall != "PD" or r.random() < 0.5 else r.randint(500, 4000)
        course.assessments.append(
            Assessment(day, sizes, nt_status, new, response, nt_response, overall, ebv_now)
        )
        nadir = min(nadir, sum(sizes))
        if overall == "PD":
            course.progression = day
            course.progression_kind = "RADIOLOGICAL"
            return


def build_course(
    number: int,
    subjects: int,
    seed: int,
    profile: Profile,
    fate: str,
    cutoff: dt.date,
) -> Course:
    """The whole (deterministic) course of subject ``number`` (1-based)."""
    r = rng_for(seed, profile.key, "subject", number)
    screening = screening_day(number, subjects, cutoff, r)
    consent = screening
    sex, birth, height, ethnic, initials, child_potential = _person(r, consent)
    failure: str | None = None
    failure_reason: str | None = None
    if fate == SCREEN_FAILURE:
        failure, failure_reason = profile.failures[r.randrange(len(profile.failures))]
    lines = 1 if failure == "ONE_LINE" else pick(r, (("2", 0.55), ("3", 0.3), ("4", 0.15)))
    prior, relapse = _prior_lines(r, consent, int(lines), profile.pretreated)
    disease, recurrence, metastatic = _disease(r, relapse, profile)
    if not recurrence and not metastatic:  # pragma: no cover - _disease always gives one
        recurrence = True
    lesions = _lesions(r, disease, recurrence, measurable=failure != "NO_MEASURABLE")
    imaging = add(consent, r.randint(1, 7))
    lab_day = add(consent, r.randint(1, 6))
    ecog = 2 if failure == "POOR_PS" else None
    baseline = _visit(r, lab_day, sex, None, ecog=ecog)
    if failure == "LOW_HGB":
        baseline.labs.hgb = r.randint(74, 87)
    if failure == "HIGH_ALT":  # above 5 x ULN, so liver metastases do not excuse it
        baseline.labs.alt = r.randint(262, 330)
        baseline.labs.ast = r.randint(210, 260)
    if failure == "LOW_PLT":
        baseline.labs.plt = r.randint(62, 92)
    if failure == "LOW_KPS":
        baseline.ecog, baseline.kps = 2, 50
    ebv = None if r.random() < 0.12 else int(10 ** r.uniform(2.8, 5.3))
    eligibility_day = add(max(imaging, lab_day), r.randint(2, 6))
    history = _history(r, consent, disease, failure)
    course = Course(
        number=number,
        screening=screening,
        cutoff=cutoff,
        failure=failure,
        failure_reason=failure_reason,
        sex=sex,
        birth=birth,
        height=height,
        ethnic=ethnic,
        initials=initials,
        child_potential=child_potential,
        disease=disease,
        prior=prior,
        history=history,
        baseline=baseline,
        imaging_day=imaging,
        lesions=lesions,
        baseline_ebv=ebv,
        eligibility_day=eligibility_day,
    )
    if failure is not None:
        return course
    _treat(r, course, profile, fate)
    return course


def _treat(r: random.Random, course: Course, profile: Profile, fate: str) -> None:
    """Treatment, assessments, adverse events, end of treatment, follow-up and death."""
    cutoff = course.cutoff
    first = add(course.eligibility_day, r.randint(1, 4))
    best = pick(r, profile.response_weights)
    if fate == RESPONDER:
        best = pick(r, (("PR", 0.75), ("CR", 0.25)))
    elif fate in (PD_DEATH, PD_ALIVE):
        best = pick(r, (("PD", 0.6), ("SD", 0.4)))
    elif fate == TOXICITY and best == "PD":
        best = "SD"
    pfs = {
        "CR": r.randint(600, 1500),
        "PR": r.randint(200, 720),
        "SD": r.randint(95, 330),
        "PD": r.randint(20, 40),
    }[best]
    if fate == PD_DEATH:
        pfs = min(pfs, r.randint(35, 100))
    clinical = r.random() < 0.08 and best in ("SD", "PD") and fate == RANDOM
    days = assessment_days(first, profile, cutoff, r)
    pd_detect: dt.date | None
    if clinical:
        pd_detect = add(first, pfs)
    else:
        pd_detect = next((d for d in days if d >= add(first, pfs)), None)
    # other reasons to stop, drawn once
    stops: list[tuple[dt.date, str]] = []
    if pd_detect is not None:
        stops.append((pd_detect, "CLIN_PD" if clinical else "PD"))
    horizon = max(40, (pd_detect or add(first, 400)).toordinal() - first.toordinal() - 1)
    if fate == TOXICITY or (fate == RANDOM and r.random() < 0.08):
        stops.append((add(first, r.randint(30, max(31, min(horizon, 300)))), "AE"))
    if fate == RANDOM and r.random() < 0.04:
        stops.append((add(first, r.randint(35, max(36, min(horizon, 400)))), "WITHDRAWAL"))
    death_on_treatment: str | None = None
    if fate == RANDOM and r.random() < 0.05:
        death_on_treatment = pick(r, (("AE", 0.45), ("PD", 0.35), ("OTHER", 0.2)))
        stops.append((add(first, r.randint(25, max(26, min(horizon, 360)))), "DEATH"))
    stops = [s for s in stops if s[0] <= cutoff]
    stops.sort()
    stop_day, stop_reason = stops[0] if stops else (None, None)
    # radiotherapy is planned first: it shapes the adverse events and may be cut short
    _plan_radiotherapy(r, course, profile, first)
    # adverse events during treatment, some of which delay the next dose
    end_of_window = min(stop_day or cutoff, cutoff)
    course_aes: list[AdverseEvent] = []
    months = max(0.5, (end_of_window - first).days / 30.4)
    count = sum(1 for _ in range(10) if r.random() < min(0.85, (0.8 + 0.45 * months) / 10))
    if fate == TOXICITY:
        count = max(count, 1)
    pool = _ae_pool(course, profile)
    for _ in range(count):
        name = pick(r, pool)
        onset = _onset(r, name, course, first, end_of_window)
        if onset is None:
            continue
        course_aes.append(_ae(r, name, onset))
    # doses
    chemo_cycles = r.randint(*profile.chemo_cycles) if profile.chemo_cycles[1] else 0
    regimen = pick(r, profile.chemo_regimens) if chemo_cycles else None
    maintenance = chemo_cycles > 0 and r.random() < profile.maintenance_rate
    gap_extra = 0
    cycle = 1
    day = first
    while day <= cutoff and cycle <= profile.max_cycles and (stop_day is None or day < stop_day):
        visit = _visit(
            r,
            day,
            course.sex,
            course.baseline,
            lab_offset=r.choice((0, 1, 1)),
            tsh_high=_hypothyroid(course_aes, day),
        )
        dose = Dose(cycle=cycle, day=day, visit=visit)
        dose.start_time = dt.time(r.randint(8, 14), r.choice((0, 10, 15, 20, 30, 40, 45)))
        minutes = r.randint(35, 60)
        end = dt.datetime.combine(day, dose.start_time) + dt.timedelta(minutes=minutes)
        dose.end_time = end.time()
        if cycle <= chemo_cycles:
            dose.chemo = regimen
        elif maintenance:
            dose.chemo = "CAPE"
        previous = course.doses[-1] if course.doses else None
        if previous is not None and gap_extra:
            dose.delayed, dose.delay_reason = True, "AE"
        if (
            previous is not None
            and previous.given
            and (day - previous.day).days > profile.cycle_days + 3
        ):
            dose.delayed = True
            dose.delay_reason = dose.delay_reason or "LOGISTIC"
        irr = [a for a in course_aes if a.term == "Infusion related reaction" and a.onset == day]
        if irr and irr[0].grade >= 2:
            dose.interrupted = True
            dose.end_time = (end + dt.timedelta(minutes=r.randint(30, 60))).time()
        # an event between this dose and the next may hold the next one
        nxt = profile.cycle_days + r.randint(-1, 2)
        holding = [
            a
            for a in course_aes
            if day < a.onset <= add(day, nxt)
            and a.grade >= 2
            and a.kind in ("IMMUNE", "CHEMO", "INFECTION")
            and a.action_drug == "NOT_CHANGED"
        ]
        course.doses.append(dose)
        gap_extra = 0
        if holding:
            holding[0].action_drug = "INTERRUPTED"
            if r.random() < 0.3:
                # the next visit happens on time but the dose is held
                held_day = add(day, nxt)
                if (
                    held_day <= cutoff
                    and (stop_day is None or held_day < stop_day)
                    and cycle + 1 <= profile.max_cycles
                ):
                    held = Dose(
                        cycle=cycle + 1,
                        day=held_day,
                        visit=_visit(r, held_day, course.sex, course.baseline, lab_offset=0),
                        given=False,
                        skip_reason="AE",
                    )
                    course.doses.append(held)
                    cycle += 1
                    day = held_day
                    nxt = profile.cycle_days + r.randint(-1, 2)
            else:
                gap_extra = r.randint(8, 16)
                nxt += gap_extra
        elif r.random() < 0.035:
            nxt = profile.cycle_days + r.randint(5, 8)  # holiday or drug supply
        cycle += 1
        day = add(day, nxt)
    given = [d for d in course.doses if d.given]
    for d in course.doses:
        if d.delayed and d.delay_reason == "LOGISTIC":
            d.out_of_window = True
    last = given[-1].day
    completed = cycle > profile.max_cycles and (stop_day is None or stop_day > last)
    if completed:
        stop_day, stop_reason = add(last, r.randint(7, 14)), "COMPLETED"
        if stop_day > cutoff:
            stop_day, stop_reason = None, None
    course.stop_day, course.stop_reason = stop_day, stop_reason
    # the end of the treatment and what led to it
    if stop_reason == "DEATH":
        assert stop_day is not None
        course.death = stop_day
        course.death_cause = death_on_treatment
        if death_on_treatment == "OTHER":
            course.death_other = r.choice(
                ("Acute myocardial infarction", "Pulmonary embolism", "Road traffic accident")
            )
        if death_on_treatment == "AE":
            name = _fatal_term(course)
            fatal = _ae(r, name, add(stop_day, -r.randint(0, 3)), grade=5)
            fatal.onset = max(fatal.onset, add(last, 1)) if fatal.onset <= last else fatal.onset
            fatal.action_drug = "WITHDRAWN"
            course_aes.append(fatal)
            course.death_ae = fatal
    if stop_reason == "AE":
        assert stop_day is not None
        name = r.choice(STOPPING_TERMS[:3] if r.random() < 0.9 else STOPPING_TERMS)
        grade = 3 if name != "Myocarditis" else 4
        onset = max(stop_day, add(last, 1))
        tox = _ae(r, name, onset, grade=grade)
        tox.serious = True
        tox.criteria = ("HOSP",) if grade == 3 else ("LIFE", "HOSP")
        tox.steroids = True
        tox.action_drug = "WITHDRAWN"
        course_aes.append(tox)
        course.stop_ae = tox
        course.stop_day = onset
        stop_day = onset
    if stop_day is not None:
        final = course.doses[-1]  # the last cycle visit (a held dose included)
        final.discontinued = True
        final.discontinue_reason = stop_reason
        course.eot_day = min(cutoff, add(stop_day, r.randint(1, 10)))
        if stop_reason not in ("DEATH", "WITHDRAWAL"):
            course.eot_visit = _visit(
                r,
                course.eot_day,
                course.sex,
                course.baseline,
                lab_offset=0,
                tsh_high=_hypothyroid(course_aes, course.eot_day),
            )
    # radiotherapy cannot go on past the end of treatment
    for rt in course.radiotherapy:
        if stop_day is not None and rt.start >= stop_day:
            rt.status = "DROP"
        elif stop_day is not None and (rt.end is None or rt.end > stop_day):
            rt.end, rt.status = stop_day, "STOPPED"
            rt.stop_reason = {
                "PD": "Disease progression",
                "CLIN_PD": "Clinical progression",
                "AE": "Severe adverse event",
                "DEATH": "Death",
                "WITHDRAWAL": "Subject decision",
            }.get(stop_reason or "", "Investigator decision")
            if rt.end <= rt.start:
                rt.status = "DROP"
            rt.interruption_days = min(rt.interruption_days, max(0, (rt.end - rt.start).days - 1))
    course.radiotherapy = [rt for rt in course.radiotherapy if rt.status != "DROP"]
    # assessments: on schedule until progression, death, withdrawal or the cut-off
    until = cutoff
    if course.death:
        until = min(until, add(course.death, -1))
    if stop_reason == "WITHDRAWAL" and stop_day:
        until = min(until, add(stop_day, -1))
    if clinical and pd_detect is not None:
        until = min(until, add(pd_detect, -1)) if pd_detect <= until else until
    progression_day = add(first, pfs)
    _responses(r, course, best, [d for d in days if d <= until], progression_day, clinical)
    if clinical and pd_detect is not None and pd_detect <= until:
        course.progression, course.progression_kind = pd_detect, "CLINICAL"
    # death after the end of treatment
    if course.death is None and not course.withdrawn and course.progression is not None:
        survival = r.expovariate(1 / profile.post_pd_survival_days)
        if fate == PD_DEATH:
            survival = r.uniform(60, 180)
        if fate == PD_ALIVE:
            survival = 10_000
        death = add(course.progression, max(30, int(survival)))
        if course.stop_day and death <= course.stop_day:
            death = add(course.stop_day, r.randint(20, 60))
        if course.eot_day and death <= course.eot_day:
            death = add(course.eot_day, r.randint(10, 40))
        if death <= cutoff:
            course.death = death
            course.death_cause = "PD" if r.random() < 0.9 else "OTHER"
            if course.death_cause == "OTHER":
                course.death_other = r.choice(("Lung infection", "Cerebrovascular accident"))
    # adverse events after the last dose (inside the collection window) and their outcomes
    window_end = min(add(last, profile.ae_window_days), cutoff)
    if course.death:
        window_end = min(window_end, course.death)
    for a in course_aes:
        if a.onset > last:
            a.action_drug = (
                "NOT_APPLICABLE" if a.action_drug not in ("WITHDRAWN",) else a.action_drug
            )
    if r.random() < 0.3 and stop_day is not None and course.death is None:
        onset = add(last, r.randint(5, max(6, profile.ae_window_days - 2)))
        if onset <= window_end:
            name = r.choice(("Hypothyroidism", "Fatigue", "Rash maculo-papular", "Anorexia"))
            late = _ae(r, name, onset)
            late.action_drug = "NOT_APPLICABLE"
            course_aes.append(late)
    course_aes = [a for a in course_aes if a.onset <= window_end or a.grade == 5]
    course_aes.sort(key=lambda a: a.onset)
    for a in course_aes:
        _relate(r, a, course)
        _finish_ae(r, a, course)
    course.adverse_events = course_aes
    # new therapy after progression
    if course.progression is not None and r.random() < 0.6:
        start = add(
            max(course.progression, course.eot_day or course.progression), r.randint(12, 45)
        )
        if start <= cutoff and (course.death is None or start < course.death):
            course.new_therapy = (
                *r.choice(
                    (
                        ("CHEMO", "gemcitabine + docetaxel"),
                        ("CHEMO", "capecitabine"),
                        ("TARGET", "anlotinib"),
                        ("CHEMO", "paclitaxel liposome + nedaplatin"),
                    )
                ),
                start,
            )
    _follow_up(r, course, profile, first)
    course.medications = _medications(r, course)
    course.deviations = _deviations(r, course)


def _hypothyroid(aes: Sequence[AdverseEvent], day: dt.date) -> bool:
    return any(a.term == "Hypothyroidism" and a.onset < day for a in aes)


def _fatal_term(course: Course) -> str:
    if course.disease.recurrence is not None:
        return "Pharyngeal hemorrhage"
    return (
        "Pneumonitis"
        if course.disease.met_sites and "LUNG" in course.disease.met_sites
        else "Sudden death NOS"
    )


def _ae_pool(course: Course, profile: Profile) -> Weights:
    pool: list[tuple[str, float]] = [
        ("Hypothyroidism", 1.4),
        ("Hyperthyroidism", 0.5),
        ("Pneumonitis", 0.35),
        ("Rash maculo-papular", 0.8),
        ("Pruritus", 0.7),
        ("Alanine aminotransferase increased", 0.6),
        ("Aspartate aminotransferase increased", 0.4),
        ("Colitis", 0.15),
        ("Adrenal insufficiency", 0.08),
        ("Fatigue", 1.2),
        ("Anorexia", 0.6),
        ("Fever", 0.4),
        ("Infusion related reaction", 0.25),
        ("Cough", 0.4),
        ("Anemia", 0.7),
        ("Lymphocyte count decreased", 0.4),
        ("Hyponatremia", 0.2),
        ("Lung infection", 0.2),
    ]
    regions = {c.region for c in course.radiotherapy}
    if "HEAD_NECK" in regions:
        pool += [
            ("Mucositis oral", 1.2),
            ("Dermatitis radiation", 1.0),
            ("Dry mouth", 0.8),
            ("Dysphagia", 0.5),
        ]
    if "CHEST" in regions:
        pool += [("Esophagitis", 0.8), ("Dermatitis radiation", 0.3)]
    if profile.chemo_cycles[1]:
        pool += [
            ("Neutrophil count decreased", 1.6),
            ("White blood cell decreased", 1.2),
            ("Platelet count decreased", 0.7),
            ("Nausea", 1.2),
            ("Vomiting", 0.6),
            ("Alopecia", 0.6),
            ("Peripheral sensory neuropathy", 0.3),
            ("Febrile neutropenia", 0.12),
        ]
    return tuple(pool)


def _onset(
    r: random.Random, name: str, course: Course, first: dt.date, until: dt.date
) -> dt.date | None:
    """A plausible onset date for ``name`` in [first dose, until], or None when impossible."""
    kind = AE_TERMS[name][1]
    low, high = add(first, 1), until
    if kind == "IMMUNE":
        low = add(first, 18)
    elif kind == "RT":
        courses = [c for c in course.radiotherapy if c.region != "OTHER"]
        if not courses:
            return None
        c = r.choice(courses)
        low = add(c.start, 7)
        high = min(high, add(c.end or high, 14))
    elif kind == "CHEMO":
        high = min(high, add(first, 21 * 6))
    if name == "Infusion related reaction":
        # on a day of infusion: one of the first cycles
        day = add(first, 21 * r.randint(0, 2))
        return day if day <= until else None
    if high < low:
        return None
    return add(low, r.randint(0, (high - low).days))


def _plan_radiotherapy(r: random.Random, course: Course, profile: Profile, first: dt.date) -> None:
    """The radiotherapy courses as planned (cut short later if treatment stops)."""
    if r.random() >= profile.radiotherapy_rate:
        return
    targets = [les for les in course.lesions if les.target]
    nontargets = [les for les in course.lesions if not les.target]
    plans: list[RtCourse] = []
    local = [les for les in course.lesions if les.organ in ("NASOPHARYNX", "NECK_NODE")]
    thoracic = [les for les in targets if les.organ in ("LUNG", "MEDIASTINUM")]
    liver = [les for les in targets if les.organ == "LIVER"]
    bone = [les for les in nontargets if les.organ == "BONE"]
    offset = r.randint(6, 30) if not profile.chemo_cycles[1] else r.randint(95, 140)
    if local and (not profile.lung_metastatic or r.random() < 0.25):
        gy, fx = r.choice((("60.0", 27), ("60.0", 30), ("54.0", 27), ("65.0", 30)))
        plans.append(
            RtCourse(
                "IMRT",
                local[0].organ,
                [les.lid for les in local],
                Decimal(gy),
                fx,
                add(first, offset),
                None,
                "COMPLETED",
            )
        )
    elif thoracic:
        les = thoracic[0]
        if les.nodal or r.random() < 0.3:
            plans.append(
                RtCourse(
                    "IMRT",
                    les.organ,
                    [les.lid],
                    Decimal("60.0"),
                    30,
                    add(first, offset),
                    None,
                    "COMPLETED",
                )
            )
        else:
            gy, fx = r.choice((("50.0", 5), ("40.0", 5), ("48.0", 4)))
            plans.append(
                RtCourse(
                    "SBRT",
                    les.organ,
                    [les.lid],
                    Decimal(gy),
                    fx,
                    add(first, offset),
                    None,
                    "COMPLETED",
                )
            )
    elif liver:
        plans.append(
            RtCourse(
                "SBRT",
                "LIVER",
                [liver[0].lid],
                Decimal("45.0"),
                5,
                add(first, offset),
                None,
                "COMPLETED",
            )
        )
    elif bone:
        plans.append(
            RtCourse(
                "CRT3D",
                "BONE",
                [bone[0].lid],
                Decimal("30.0"),
                10,
                add(first, offset),
                None,
                "COMPLETED",
            )
        )
    if bone and plans and plans[0].organ != "BONE" and r.random() < 0.3:
        start = add(plans[0].start, r.randint(70, 140))
        plans.append(
            RtCourse("CRT3D", "BONE", [bone[0].lid], Decimal("30.0"), 10, start, None, "COMPLETED")
        )
    for c in plans:
        per_week = 5 if c.technique != "SBRT" else 2.5
        length = round((c.fractions - 1) * 7 / per_week)
        if r.random() < 0.15 and c.technique != "SBRT":
            c.interruption_days = r.randint(1, 5)
            length += c.interruption_days
        end = add(c.start, max(1, length))
        if end > course.cutoff:
            c.end, c.status = None, "ONGOING"
            c.interruption_days = 0
        else:
            c.end = end
        if c.start > course.cutoff:
            c.status = "DROP"
    course.radiotherapy = [c for c in plans if c.status != "DROP"]


def _follow_up(r: random.Random, course: Course, profile: Profile, first: dt.date) -> None:
    """Safety follow-up and survival contacts up to the cut-off."""
    cutoff = course.cutoff
    last = course.last_dose
    assert last is not None
    if course.withdrawn:
        return
    died_on_treatment = course.stop_reason == "DEATH"
    if course.eot_day is not None and not died_on_treatment:
        day = add(last, 30 + r.randint(-3, 5))
        day = max(day, add(course.eot_day, 1))
        if day <= cutoff and (course.death is None or day < course.death):
            method = "VISIT" if r.random() < 0.7 else "PHONE"
            if method == "VISIT":
                course.safety_visit = _visit(r, day, course.sex, course.baseline, lab_offset=0)
            therapy = (
                course.new_therapy if course.new_therapy and course.new_therapy[2] <= day else None
            )
            course.safety_contact = Contact(
                day,
                method,
                "ALIVE",
                day,
                None,
                course.progression,
                [therapy] if therapy else [],
                [therapy] if therapy else [],
            )
    if profile.followup_from_index:
        anchor, active = first, True
    else:
        anchor, active = last, course.eot_day is not None and not died_on_treatment
    if not active:
        return
    lost_at: int | None = None
    if r.random() < 0.04 and course.death is None:
        lost_at = r.randint(1, 4)
    known_progression: dt.date | None = (
        course.progression
        if course.eot_day and course.progression and course.eot_day >= course.progression
        else None
    )
    if profile.followup_from_index:
        known_progression = None
    therapies: list[tuple[str, str, dt.date]] = []
    if course.safety_contact is not None and not profile.followup_from_index:
        therapies = list(course.safety_contact.therapies)  # already reported
    previous_alive = anchor
    k = 1
    while True:
        day = add(
            anchor, 91 * k + r.randint(-profile.followup_window // 2, profile.followup_window // 2)
        )
        if day > cutoff:
            return
        status = "ALIVE"
        if course.death is not None and day >= course.death:
            if died_on_treatment and not profile.followup_from_index:
                return
            status = "DEAD"
            day = max(day, add(course.death, 1))
            if day > cutoff:
                return
        if (
            lost_at is not None
            and k >= lost_at
            and course.eot_day is not None
            and day > course.eot_day
        ):
            status = "LOST"
        progression = (
            course.progression if course.progression and course.progression <= day else None
        )
        new_progression = progression if progression and progression != known_progression else None
        known_progression = progression or known_progression
        new_list = []
        if (
            course.new_therapy
            and course.new_therapy[2] <= day
            and course.new_therapy not in therapies
        ):
            new_list.append(course.new_therapy)
            therapies.append(course.new_therapy)
        if status == "LOST":
            course.lost = day
            course.contacts.append(
                Contact(day, "PHONE", "LOST", previous_alive, None, None, [], [])
            )
            return
        method = r.choice(("PHONE", "PHONE", "VISIT", "RECORDS"))
        course.contacts.append(
            Contact(
                day,
                method,
                status,
                day if status == "ALIVE" else None,
                new_progression,
                progression,
                new_list,
                list(therapies),
            )
        )
        if status == "DEAD":
            return
        previous_alive = day
        k += 1


def _medications(r: random.Random, course: Course) -> list[Medication]:
    """Concomitant medications that follow from the history and the adverse events."""
    meds: list[Medication] = []
    first = course.first_dose
    assert first is not None
    limit = course.death or course.cutoff

    def ended(start: dt.date, days: int) -> dt.date | None:
        end = add(start, days)
        return end if end <= limit and end <= course.cutoff else None

    for c in course.history:
        if c.end is not None:
            continue
        if c.term == "Hypertension":
            meds.append(
                Medication(
                    "Amlodipine", "Hypertension", Decimal(5), "MG", "PO", False, c.start, None
                )
            )
        elif c.term.startswith("Type 2 diabetes"):
            meds.append(
                Medication(
                    "Metformin",
                    "Type 2 diabetes mellitus",
                    Decimal(500),
                    "MG",
                    "PO",
                    False,
                    c.start,
                    None,
                )
            )
        elif c.term.startswith("Chronic hepatitis B"):
            meds.append(
                Medication(
                    "Entecavir",
                    "Chronic hepatitis B",
                    Decimal("0.5"),
                    "MG",
                    "PO",
                    False,
                    c.start,
                    None,
                )
            )
    for a in course.adverse_events:
        if a.grade == 5:
            continue
        start = add(a.onset, r.randint(0, 3))
        if start > limit:
            continue
        if a.term == "Hypothyroidism" and a.grade >= 2:
            meds.append(
                Medication(
                    "Levothyroxine",
                    "Hypothyroidism",
                    Decimal(50),
                    "UG",
                    "PO",
                    False,
                    start.isoformat(),
                    None,
                )
            )
        elif a.steroids:
            weight = float(course.baseline.vitals.weight)
            dose = Decimal(int(round(weight / 5) * 5))
            meds.append(
                Medication(
                    "Prednisone",
                    a.term,
                    dose,
                    "MG",
                    "PO",
                    True,
                    start.isoformat(),
                    ended(start, r.randint(35, 60)),
                )
            )
            meds.append(
                Medication(
                    "Omeprazole",
                    "Gastric protection during corticosteroids",
                    Decimal(20),
                    "MG",
                    "PO",
                    False,
                    start.isoformat(),
                    ended(start, r.randint(35, 60)),
                )
            )
        elif a.term == "Mucositis oral":
            meds.append(
                Medication(
                    "Compound chlorhexidine mouthwash",
                    "Mucositis oral",
                    None,
                    None,
                    "TOPICAL",
                    False,
                    start.isoformat(),
                    ended(start, r.randint(14, 40)),
                )
            )
        elif a.term == "Dermatitis radiation":
            meds.append(
                Medication(
                    "Trolamine cream",
                    "Dermatitis radiation",
                    None,
                    None,
                    "TOPICAL",
                    False,
                    start.isoformat(),
                    ended(start, r.randint(14, 40)),
                )
            )
        elif a.term in ("Lung infection", "Febrile neutropenia", "Sepsis"):
            meds.append(
                Medication(
                    "Piperacillin-tazobactam",
                    a.term,
                    Decimal("4.5"),
                    "G",
                    "IV",
                    False,
                    start.isoformat(),
                    ended(start, r.randint(7, 12)),
                )
            )
        elif a.term in ("Nausea", "Vomiting"):
            meds.append(
                Medication(
                    "Ondansetron",
                    a.term,
                    Decimal(8),
                    "MG",
                    "PO",
                    False,
                    start.isoformat(),
                    ended(start, r.randint(3, 10)),
                )
            )
        elif a.term == "Fever":
            meds.append(
                Medication(
                    "Paracetamol",
                    "Fever",
                    Decimal(500),
                    "MG",
                    "PO",
                    False,
                    start.isoformat(),
                    ended(start, r.randint(2, 5)),
                )
            )
    if any(les.organ == "BONE" for les in course.lesions) and r.random() < 0.6:
        meds.append(
            Medication(
                "Oxycodone prolonged-release",
                "Bone pain",
                Decimal(10),
                "MG",
                "PO",
                False,
                add(first, -r.randint(5, 30)).isoformat()[:7],
                None,
            )
        )
        meds.append(
            Medication(
                "Zoledronic acid",
                "Bone metastases",
                Decimal(4),
                "MG",
                "IV",
                False,
                add(first, r.randint(0, 10)).isoformat(),
                None,
            )
        )
    return meds


def _deviations(r: random.Random, course: Course) -> list[Deviation]:
    """Protocol deviations that follow from the course (late doses)."""
    found: list[Deviation] = []
    for d in course.doses:
        if d.out_of_window:
            identified = min(add(d.day, r.randint(0, 10)), course.cutoff)
            found.append(
                Deviation(
                    d.day,
                    identified,
                    "WINDOW",
                    f"Cycle {d.cycle} given outside the ±3-day visit window (public holiday).",
                    False,
                    None,
                )
            )
    if course.enrolled and course.doses and r.random() < 0.05:
        day = course.doses[0].day
        found.append(
            Deviation(
                day,
                min(add(day, r.randint(20, 60)), course.cutoff),
                "ASSESSMENT",
                "Baseline thyroid function sample haemolysed; repeated after the first dose.",
                True,
                "Site retrained on pre-dose sample handling; sample checklist added to the cycle 1 worksheet.",
            )
        )
    return found


def build_courses(subjects: int, seed: int, profile: Profile, cutoff: dt.date) -> list[Course]:
    """Every subject's course for a demo site."""
    fates = plan_fates(subjects, seed, profile)
    return [build_course(n + 1, subjects, seed, profile, fates[n], cutoff) for n in range(subjects)]
