"""Adverse events for the safety report, and its tables (issue 10).

:func:`adverse_events` reads one subject's AE forms into AeRecord objects,
:func:`safety_result` gathers a study's subjects into a :class:`SafetyResult`, and
:func:`safety_tables` makes the report's tables. The AE forms are read through the
safety engine's profile (``npc_crf.oncology.safety``); the causality item of each
study treatment is a map in code keyed by study OID (:data:`AE_TREATMENTS`).

Conventions (``docs/endpoints.md``, safety):

- **Term**: the AE form's CTCAE item holds the MedDRA code; the CTCAE v5.0 catalogue
  gives the term, its SOC and code. A value that is not a catalogue code (a study
  with a free-text term) is looked up by name, else kept as entered under the SOC
  :data:`NOT_CODED`. The catalogue has no Chinese terms: ``term_zh`` is None.
- **Grade**: the worst grade the form records (None when not entered or unknown).
- **Related** to a treatment: its causality is possibly, probably or definitely
  related (ICH E2A "a reasonable possibility"); not related, unlikely, not
  applicable, unknown or not entered count as not related.
- **Immune-related** and **serious**: the item answered yes (unknown counts as no).
- **Treatment-emergent**: the onset falls in the study's AE window, from the first
  dose of any study therapy to ``ae_window_days`` after the last (immune-related
  AEs: ``irae_window_days``), open-ended while treatment goes on
  (:func:`npc_crf.oncology.safety.reporting_window`). Conservatively, an onset
  whose partial date may fall inside the window, or that is not entered, counts
  as treatment-emergent; an onset before the first dose, after the window, or of a
  subject with no dose recorded does not.
- **Data cut-off**: an AE whose onset is certainly after it is left out.
- **Safety population**: subjects who received any study treatment (a cycle of the
  immunotherapy, a radiotherapy course or a chemotherapy cycle;
  :func:`npc_crf.endpoints.exposure.received_treatment`). The tables count the
  treatment-emergent AEs of these subjects; a subject counts once per row, and a
  row "grade ≥ 3" counts subjects with at least one such AE. Percentages are of the
  safety population, rounded half up to one decimal.
- **Leading to death**: grade 5 (the forms make grade 5 and a fatal outcome agree).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from npc_crf.endpoints.exposure import EXPOSURE_MAPS, exposure, received_treatment
from npc_crf.endpoints.model import AeRecord, Exposure, SafetyResult, Table
from npc_crf.forms.expr.evaluate import FormData, Missing, SubjectData
from npc_crf.forms.model import Study
from npc_crf.oncology.ctcae.catalogue import catalogue
from npc_crf.oncology.safety.dates import Span
from npc_crf.oncology.safety.exposure import exposure_of
from npc_crf.oncology.safety.profile import RELATED_CODES, safety_profile_for
from npc_crf.oncology.safety.records import AdverseEvent, ValueReader
from npc_crf.oncology.safety.records import adverse_events as entered_adverse_events
from npc_crf.oncology.safety.settings import study_safety_settings
from npc_crf.oncology.safety.window import Place, place_onset, reporting_window

#: the SOC of a term that is not a CTCAE v5.0 term
NOT_CODED = "Not coded"
#: the term of an AE whose term is not entered
NO_TERM = "Term not entered"
#: where an onset falls that makes the AE treatment-emergent (see the module docstring)
EMERGENT_PLACES = frozenset(
    {Place.INSIDE, Place.INDETERMINATE_START, Place.INDETERMINATE_END, Place.NO_ONSET}
)


@dataclass(frozen=True)
class Treatment:
    """A study treatment an AE may be related to, and the AE form's causality item."""

    key: str  # the key of ``AeRecord.related``
    en: str
    zh: str
    related_item: str


#: per study, its treatments; the first is the immunotherapy (the "related to
#: sintilimab / the PD-1 inhibitor" table)
AE_TREATMENTS: dict[str, tuple[Treatment, ...]] = {
    "NPC-SINT-RT": (
        Treatment("sintilimab", "sintilimab", "信迪利单抗", "AERELSIN"),
        Treatment("radiotherapy", "radiotherapy", "放疗", "AERELRT"),
    ),
    "NCT07062484": (
        Treatment("pd1", "the PD-1 inhibitor", "PD-1抑制剂", "AERELPD1"),
        Treatment("chemotherapy", "chemotherapy", "化疗", "AERELCT"),
        Treatment("radiotherapy", "radiotherapy", "放疗", "AERELRT"),
    ),
}


def treatments_for(study: Study) -> tuple[Treatment, ...]:
    """The study's treatments: the table for bundled studies, else one per causality
    item of its safety profile (keyed by item OID, named by the item's label)."""
    known = AE_TREATMENTS.get(study.oid)
    if known is not None:
        return known
    profile = safety_profile_for(study)
    form = study.forms.get(profile.ae_form or "")
    found = []
    for oid in profile.related_items:
        item = form.item(oid) if form is not None else None
        label = item.label if item is not None else None
        found.append(Treatment(oid, label.en if label else oid, label.zh if label else oid, oid))
    return tuple(found)


# ---------------------------------------------------------------------------- reading


def _values(data: SubjectData, ae: AdverseEvent) -> FormData:
    """The answers of one AE: its form, or its row (``GROUP[n].``) of a group."""
    whole = data.form_data(ae.event, ae.occurrence, ae.form) or {}
    if not ae.row:
        return whole
    group, _, rest = ae.row.partition("[")
    rows = whole.get(group)
    index = int(rest.rstrip(".]")) - 1
    if isinstance(rows, list) and 0 <= index < len(rows) and isinstance(rows[index], Mapping):
        row: FormData = rows[index]
        return row
    return {}


def _related(read: ValueReader, item: str) -> bool:
    raw = read.raw(item)
    if isinstance(raw, Missing):
        return False
    return read.code(item) in RELATED_CODES


def _coded(term: str | None) -> tuple[str, str, str | None]:
    """(term, SOC, MedDRA code) of what the AE form's term item holds."""
    if term is None:
        return NO_TERM, NOT_CODED, None
    ctcae = catalogue()
    found = ctcae.by_code(term) or ctcae.by_name(term)
    if found is None:
        return term, NOT_CODED, None
    return found.term, found.soc, found.code


def _after(onset: Span | None, cutoff: dt.date | None) -> bool:
    return onset is not None and cutoff is not None and onset.earliest > cutoff


def adverse_events(
    study: Study,
    subject_id: str,
    data: SubjectData,
    ae_window_days: int | None = None,
    *,
    irae_window_days: int | None = None,
    status: str | None = None,
    cutoff: dt.date | None = None,
) -> list[AeRecord]:
    """The adverse events of ``subject_id`` as the safety tables count them, in the
    order entered.

    ``ae_window_days`` and ``irae_window_days`` default to the study's safety settings
    (``oncology: safety:``; an ``ae_window_days`` given alone applies to immune-related
    AEs too). ``status`` is the subject's status (a SubjectStatus value: follow-up,
    off study and died mean treatment has ended); ``cutoff`` leaves out AEs whose
    onset is after it.
    """
    settings = study_safety_settings(study)
    ae_days = settings.ae_window_days if ae_window_days is None else ae_window_days
    if irae_window_days is not None:
        irae_days = irae_window_days
    else:
        irae_days = settings.irae_window_days if ae_window_days is None else ae_window_days
    profile = safety_profile_for(study)
    treated = exposure_of(study, data, profile, status)
    window = reporting_window(treated, ae_days)
    irae_window = reporting_window(treated, irae_days)
    form = study.forms.get(profile.ae_form or "")
    treatments = treatments_for(study)
    records: list[AeRecord] = []
    for ae in entered_adverse_events(study, data, profile):
        if form is None or _after(ae.onset, cutoff):
            continue
        read = ValueReader(form, _values(data, ae))
        term, soc, code = _coded(ae.term)
        immune = ae.immune is True
        place = place_onset(ae.onset, irae_window if immune else window).place
        records.append(
            AeRecord(
                subject_id=subject_id,
                term=term,
                term_zh=None,
                soc=soc,
                meddra_code=code,
                grade=ae.grade,
                serious=ae.serious is True,
                related={t.key: _related(read, t.related_item) for t in treatments},
                immune_related=immune,
                start=ae.onset.exact if ae.onset is not None else None,
                treatment_emergent=place in EMERGENT_PLACES,
            )
        )
    return records


def safety_result(
    study: Study,
    subjects: Iterable[tuple[str, SubjectData]],
    *,
    scope: str,
    cutoff: dt.date,
    status_of: Mapping[str, str] | None = None,
    ae_window_days: int | None = None,
) -> SafetyResult:
    """The safety report's data for ``subjects`` (subject ID, its forms) at ``cutoff``.

    Every subject gets an :class:`Exposure`; those who received no study treatment
    are listed in ``excluded`` and their AEs are not counted. ``status_of`` gives
    each subject's status (see :func:`adverse_events`).
    """
    events: list[AeRecord] = []
    exposures: list[Exposure] = []
    excluded: list[tuple[str, str]] = []
    population = 0
    for subject_id, data in subjects:
        taken = exposure(study, subject_id, data, cutoff=cutoff)
        exposures.append(taken)
        if not received_treatment(taken):
            excluded.append((subject_id, "No study treatment is recorded by the data cut-off."))
            continue
        population += 1
        status = (status_of or {}).get(subject_id)
        events += adverse_events(
            study, subject_id, data, ae_window_days, status=status, cutoff=cutoff
        )
    return SafetyResult(study.oid, scope, cutoff, population, events, exposures, excluded)


# ----------------------------------------------------------------------------- tables

#: a table cell
Cell = str | int | float | None


def percent(n: int, total: int) -> float | None:
    """``n`` of ``total`` in percent, rounded half up to one decimal (None for none)."""
    if total <= 0:
        return None
    return _one_decimal(Decimal(100 * n) / Decimal(total))


def _one_decimal(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _intensity(exposure: Exposure) -> float | None:
    """The dose intensity in percent (one decimal)."""
    if exposure.dose_intensity is None:
        return None
    return _one_decimal(Decimal(str(exposure.dose_intensity)) * 100)


def _both(en: str, zh: str) -> str:
    """A row label in both languages (a cell holds one text)."""
    return f"{en} / {zh}"


def _counted(result: SafetyResult) -> list[AeRecord]:
    """The treatment-emergent AEs of the safety population."""
    population = {e.subject_id for e in result.exposure if received_treatment(e)}
    return [r for r in result.events if r.treatment_emergent and r.subject_id in population]


def _severe(record: AeRecord) -> bool:
    return record.grade is not None and record.grade >= 3


def _subjects(records: Iterable[AeRecord], keep: Callable[[AeRecord], bool]) -> int:
    return len({r.subject_id for r in records if keep(r)})


def _any(_record: AeRecord) -> bool:
    return True


def _count_cells(records: Sequence[AeRecord], total: int) -> tuple[Cell, ...]:
    anyg, severe = _subjects(records, _any), _subjects(records, _severe)
    return anyg, percent(anyg, total), severe, percent(severe, total)


TERM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("System organ class", "系统器官分类"),
    ("CTCAE term", "CTCAE术语"),
    ("MedDRA code", "MedDRA编码"),
    ("Any grade, n", "任意级别 例数"),
    ("Any grade, %", "任意级别 %"),
    ("Grade ≥3, n", "≥3级 例数"),
    ("Grade ≥3, %", "≥3级 %"),
)


def _by_term(records: Sequence[AeRecord], total: int) -> list[tuple[Cell, ...]]:
    """One row per term, most frequent first (then grade ≥ 3, then by name)."""
    terms: dict[tuple[str, str, str | None], list[AeRecord]] = {}
    for r in records:
        terms.setdefault((r.soc, r.term, r.meddra_code), []).append(r)
    rows = [(key, _count_cells(group, total)) for key, group in terms.items()]
    rows.sort(key=lambda kv: (-int(kv[1][0] or 0), -int(kv[1][2] or 0), kv[0][1]))
    return [(soc, term, code, *cells) for (soc, term, code), cells in rows]


def _note(total: int, extra_en: str = "", extra_zh: str = "") -> tuple[str, str]:
    en = (
        f"Safety population: {total} subjects who received any study treatment. "
        "Treatment-emergent adverse events; a subject counts once per row, at the "
        "worst grade." + (f" {extra_en}" if extra_en else "")
    )
    zh = (
        f"安全性分析集：接受过任何研究治疗的受试者{total}例。"
        "仅计治疗期间出现的不良事件；每行中每例受试者只计一次，按最严重分级计。" + extra_zh
    )
    return en, zh


def _ae_by_soc_term(result: SafetyResult, records: Sequence[AeRecord]) -> Table:
    total = result.subjects
    rows: list[tuple[Cell, ...]] = [
        (_both("Any adverse event", "任何不良事件"), "", None, *_count_cells(records, total))
    ]
    for soc in sorted({r.soc for r in records}, key=lambda s: (s == NOT_CODED, s)):
        in_soc = [r for r in records if r.soc == soc]
        rows.append((soc, _both("Any term", "任何术语"), None, *_count_cells(in_soc, total)))
        rows += _by_term(in_soc, total)
    en, zh = _note(
        total,
        "SOCs in alphabetical order, terms by frequency.",
        "系统器官分类按字母顺序，术语按发生频率排列。",
    )
    return Table(
        "ae_by_soc_term",
        "Adverse events by system organ class and CTCAE term",
        "按系统器官分类及CTCAE术语统计的不良事件",
        TERM_COLUMNS,
        tuple(rows),
        en,
        zh,
    )


def _ae_max_grade(result: SafetyResult, records: Sequence[AeRecord]) -> Table:
    total = result.subjects
    worst: dict[str, int | None] = {}
    for r in records:
        known = [g for g in (worst.get(r.subject_id), r.grade) if g is not None]
        worst[r.subject_id] = max(known) if known else None
    rows: list[tuple[Cell, ...]] = []
    for grade in (1, 2, 3, 4, 5):
        n = sum(1 for g in worst.values() if g == grade)
        rows.append((_both(f"Grade {grade}", f"{grade}级"), n, percent(n, total)))
    unknown = sum(1 for g in worst.values() if g is None)
    rows.append((_both("Grade unknown", "分级未知"), unknown, percent(unknown, total)))
    none = total - len(worst)
    rows.append((_both("No adverse event", "无不良事件"), none, percent(none, total)))
    en, zh = _note(
        total,
        "Grade unknown: every AE of the subject has no grade recorded.",
        "分级未知：该受试者所有不良事件均未记录分级。",
    )
    return Table(
        "ae_max_grade",
        "Maximum CTCAE grade per subject",
        "每例受试者的最高CTCAE分级",
        (("Maximum grade", "最高分级"), ("n", "例数"), ("%", "%")),
        tuple(rows),
        en,
        zh,
    )


def _related_to(key: str) -> Callable[[AeRecord], bool]:
    return lambda record: record.related.get(key, False)


def _treatments_of(result: SafetyResult) -> tuple[Treatment, ...]:
    """The study's treatments (for a study not in the map: the keys the AEs carry)."""
    known = AE_TREATMENTS.get(result.study_oid)
    if known is not None:
        return known
    keys = dict.fromkeys(k for r in result.events for k in r.related)
    return tuple(Treatment(k, k, k, k) for k in keys)


def _ae_overview(result: SafetyResult, records: Sequence[AeRecord]) -> Table:
    total = result.subjects
    treatments = _treatments_of(result)
    lines: list[tuple[str, Callable[[AeRecord], bool]]] = [
        (_both("Any adverse event", "任何不良事件"), _any),
        (_both("Grade ≥3", "≥3级"), _severe),
        (_both("Serious", "严重不良事件"), lambda r: r.serious),
    ]
    for t in treatments:
        lines.append((_both(f"Related to {t.en}", f"与{t.zh}相关"), _related_to(t.key)))
    lines += [
        (_both("Related to any study treatment", "与任何研究治疗相关"), lambda r: any(r.related.values())),
        (_both("Immune-related", "免疫相关"), lambda r: r.immune_related),
        (_both("Leading to death (grade 5)", "导致死亡（5级）"), lambda r: r.grade == 5),
    ]  # fmt: skip
    rows = []
    for label, keep in lines:
        n = _subjects(records, keep)
        rows.append((label, n, percent(n, total)))
    en, zh = _note(
        total,
        "Related: possibly, probably or definitely related.",
        "相关：可能有关、很可能有关或肯定有关。",
    )
    return Table(
        "ae_overview",
        "Overview of adverse events",
        "不良事件概况",
        (("Subjects with", "发生以下事件的受试者"), ("n", "例数"), ("%", "%")),
        tuple(rows),
        en,
        zh,
    )


def _by_term_table(
    result: SafetyResult,
    records: Sequence[AeRecord],
    name: str,
    title: tuple[str, str],
    note: tuple[str, str],
) -> Table:
    total = result.subjects
    rows: list[tuple[Cell, ...]] = [
        (_both("Any", "任何"), "", None, *_count_cells(records, total)),
        *_by_term(records, total),
    ]
    en, zh = _note(total, *note)
    return Table(name, title[0], title[1], TERM_COLUMNS, tuple(rows), en, zh)


def _median_range(values: Sequence[int] | Sequence[float]) -> tuple[Cell, Cell, Cell]:
    """Median (one decimal), minimum and maximum; None for no values."""
    if not values:
        return None, None, None
    return round(float(statistics.median(values)), 1), min(values), max(values)


def _exposure_summary(
    result: SafetyResult, treated: Sequence[Exposure], drug: Treatment | None
) -> Table:
    cycles = [e.cycles for e in treated]
    intensity = [i for i in map(_intensity, treated) if i is not None]
    courses = [e.rt_courses for e in treated]
    completed = [e.rt_courses_completed for e in treated]
    chemo = [e.chemo_cycles for e in treated]

    def counted(label: str, values: list[int]) -> tuple[Cell, ...]:
        with_any = sum(1 for v in values if v > 0)
        return (label, with_any, *_median_range(values), sum(values))

    rows: list[tuple[Cell, ...]] = [
        counted(
            _both(
                f"Cycles of {drug.en if drug else 'the study drug'}",
                f"{drug.zh if drug else '研究药物'}周期数",
            ),
            cycles,
        ),
        (
            _both("Dose intensity, %", "剂量强度，%"),
            len(intensity),
            *_median_range(intensity),
            None,
        ),
        counted(_both("Radiotherapy courses started", "开始的放疗疗程"), courses),
        counted(_both("Radiotherapy courses completed", "完成的放疗疗程"), completed),
    ]
    if any(chemo) or result.study_oid in _CHEMO_STUDIES:
        rows.append(counted(_both("Chemotherapy cycles", "化疗周期数"), chemo))
    total = result.subjects
    return Table(
        "exposure_summary",
        "Exposure to study treatment",
        "研究治疗暴露情况",
        (
            ("Measure", "指标"),
            ("Subjects", "受试者例数"),
            ("Median", "中位数"),
            ("Minimum", "最小值"),
            ("Maximum", "最大值"),
            ("Total", "合计"),
        ),
        tuple(rows),
        f"Safety population: {total} subjects who received any study treatment. Subjects: "
        "those with at least one (dose intensity: those with a known intensity); median "
        "and range over the safety population. Dose intensity: dose given / protocol dose "
        "of the cycles given (reductions, not delays).",
        f"安全性分析集：接受过任何研究治疗的受试者{total}例。受试者例数：至少有一次者"
        "（剂量强度：剂量强度已知者）；中位数及范围按安全性分析集计算。剂量强度：已给周期的"
        "实际剂量/方案剂量（反映减量，不反映延迟）。",
    )


#: studies that record chemotherapy (their exposure summary has the row even when 0)
_CHEMO_STUDIES = frozenset(oid for oid, m in EXPOSURE_MAPS.items() if m.chemo is not None)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _exposure_listing(treated: Sequence[Exposure]) -> Table:
    rows = tuple(
        (
            e.subject_id,
            _iso(e.first_dose),
            _iso(e.last_dose),
            e.cycles,
            e.planned_mg,
            e.given_mg,
            _intensity(e),
            e.rt_courses,
            e.rt_courses_completed,
            e.chemo_cycles,
        )
        for e in sorted(treated, key=lambda e: e.subject_id)
    )
    return Table(
        "exposure_listing",
        "Exposure to study treatment, per subject",
        "受试者研究治疗暴露清单",
        (
            ("Subject", "受试者"),
            ("First dose", "首次给药"),
            ("Last dose", "末次给药"),
            ("Cycles", "周期数"),
            ("Planned dose, mg", "计划剂量，mg"),
            ("Given dose, mg", "实际剂量，mg"),
            ("Dose intensity, %", "剂量强度，%"),
            ("RT courses", "放疗疗程"),
            ("RT courses completed", "完成的放疗疗程"),
            ("Chemotherapy cycles", "化疗周期数"),
        ),
        rows,
        "The safety population. Doses are of the immunotherapy, over the cycles whose dose "
        "is recorded.",
        "安全性分析集。剂量指免疫治疗药物，按有剂量记录的周期计算。",
    )


def safety_tables(result: SafetyResult) -> list[Table]:
    """The safety report's tables, in the order the report shows them."""
    records = _counted(result)
    treatments = _treatments_of(result)
    tables = [
        _ae_overview(result, records),
        _ae_by_soc_term(result, records),
        _ae_max_grade(result, records),
    ]
    if treatments:
        first = treatments[0]
        related = [r for r in records if r.related.get(first.key, False)]
        tables.append(
            _by_term_table(
                result,
                related,
                "ae_related_pd1_by_term",
                (f"Adverse events related to {first.en}", f"与{first.zh}相关的不良事件"),
                (
                    "Related: possibly, probably or definitely related.",
                    "相关：可能有关、很可能有关或肯定有关。",
                ),
            )
        )
    immune = [r for r in records if r.immune_related]
    tables.append(
        _by_term_table(
            result,
            immune,
            "ae_immune_by_term",
            ("Immune-related adverse events", "免疫相关不良事件"),
            ("", ""),
        )
    )
    treated = [e for e in result.exposure if received_treatment(e)]
    tables.append(_exposure_summary(result, treated, treatments[0] if treatments else None))
    tables.append(_exposure_listing(treated))
    return tables
