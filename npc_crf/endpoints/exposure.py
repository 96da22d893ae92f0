"""Exposure to study treatment for the safety report: cycles, doses, dose intensity,
radiotherapy courses and chemotherapy cycles of one subject.

Where each study records them is a map in code keyed by study OID
(:data:`EXPOSURE_MAPS`); a study without one gets a map derived from its safety
profile (:func:`exposure_map_for`: dosing dates and radiotherapy courses, no doses).

Conventions (``docs/endpoints.md``, safety):

- A **cycle** is one record of the immunotherapy (sintilimab, the PD-1 inhibitor)
  that says the drug was given (NPC-SINT-RT ``EXYN`` = yes; NCT07062484 a ``PD1``
  form with a date or a dose). A cycle given on an unknown day still counts.
- **First and last dose** are the first and last dated cycles of the immunotherapy
  (the studies' ``first_dose``/``index_date`` and ``last_dose`` anchors).
- **Planned dose** is the protocol dose of each cycle given (sintilimab 200 mg, the
  study parameter ``sint_dose_mg``; NCT07062484 the labelled flat dose of the agent
  recorded in that cycle: :data:`PD1_LABEL_DOSE_MG`), **given dose** what the cycle
  records. Both add up over the cycles whose given dose *and* planned dose are known,
  so an unrecorded dose or an "other" agent leaves the cycle out of the intensity
  rather than counting as 0 mg. **Dose intensity** = given / planned (1.0 = 100 %):
  it shows dose reductions, not delays.
- A **radiotherapy course** counts once its start date is entered; it is
  **completed** when the form says so (NPC-SINT-RT ``RTSTAT`` = completed,
  NCT07062484 ``RT_COMPL`` = yes) and its end is not after the data cut-off.
- A **chemotherapy cycle** is a ``CHEMO`` record saying chemotherapy was given.
- With a data cut-off, anything dated after it is left out; a partial date that may
  fall on either side of it is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from npc_crf.endpoints.model import Exposure
from npc_crf.forms.expr.evaluate import FormData, SubjectData
from npc_crf.forms.model import Form, Study
from npc_crf.oncology.safety.dates import Span
from npc_crf.oncology.safety.profile import safety_profile_for
from npc_crf.oncology.safety.records import ValueReader

#: NCT07062484: the flat dose per 3-weekly cycle of each PD-1 inhibitor as labelled in
#: China (toripalimab 240 mg with chemotherapy in NPC; the others 200 mg). "OTHER" has
#: no planned dose: its cycles are left out of the dose intensity.
PD1_LABEL_DOSE_MG: dict[str, Decimal] = {
    "TORIPALIMAB": Decimal(240),
    "CAMRELIZUMAB": Decimal(200),
    "TISLELIZUMAB": Decimal(200),
    "SINTILIMAB": Decimal(200),
    "PEMBROLIZUMAB": Decimal(200),
}


@dataclass(frozen=True)
class DoseMap:
    """The immunotherapy: one form per cycle, in each occurrence of ``event``."""

    event: str
    form: str
    date_item: str
    #: the dose given, in mg (None: not recorded)
    dose_item: str | None = None
    #: yes/no: the drug was given this cycle (None: a dated or dosed record is a cycle)
    given_item: str | None = None
    #: the planned dose per cycle: a study parameter (mg) ...
    planned_parameter: str | None = None
    #: ... or, when the agent varies, the agent item and each agent's dose
    agent_item: str | None = None
    agent_doses: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class CourseMap:
    """Radiotherapy: one course per form (``group`` None) or per row of ``group``."""

    event: str
    form: str
    start_item: str
    end_item: str
    group: str | None = None
    #: a form-level yes/no: any course given (no: the form holds no course)
    given_item: str | None = None
    #: completed: a status item and its code ...
    status_item: str | None = None
    completed_codes: frozenset[str] = frozenset()
    #: ... or a yes/no item
    completed_item: str | None = None


@dataclass(frozen=True)
class ChemoMap:
    """Chemotherapy: one form per treatment cycle."""

    event: str
    form: str
    given_item: str
    date_item: str | None = None


@dataclass(frozen=True)
class ExposureMap:
    """Where a study records its study treatment."""

    dose: DoseMap | None
    courses: tuple[CourseMap, ...] = ()
    chemo: ChemoMap | None = None


#: the bundled studies; any other study gets :func:`exposure_map_for`'s derived map
EXPOSURE_MAPS: dict[str, ExposureMap] = {
    "NPC-SINT-RT": ExposureMap(
        dose=DoseMap(
            "CYCLE",
            "EX",
            "EXSTDAT",
            dose_item="EXDOSE",
            given_item="EXYN",
            planned_parameter="sint_dose_mg",
        ),
        courses=(
            CourseMap(
                "RTV",
                "RT",
                "RTSTDAT",
                "RTENDAT",
                status_item="RTSTAT",
                completed_codes=frozenset({"COMPLETED"}),
            ),
        ),
    ),
    "NCT07062484": ExposureMap(
        dose=DoseMap(
            "TRT",
            "PD1",
            "PD1STDAT",
            dose_item="PD1DOSE",
            agent_item="PD1AGENT",
            agent_doses=PD1_LABEL_DOSE_MG,
        ),
        courses=(
            CourseMap(
                "RTX",
                "RT",
                "RT_STDAT",
                "RT_ENDAT",
                group="RTC",
                given_item="RTYN",
                completed_item="RT_COMPL",
            ),
        ),
        chemo=ChemoMap("TRT", "CHEMO", "CMYN", "CMDAT"),
    ),
}


def exposure_map_for(study: Study) -> ExposureMap:
    """The study's map: the table for bundled studies, else one from its safety profile
    (the first dosed therapy as the cycles, without doses; its radiotherapy courses)."""
    known = EXPOSURE_MAPS.get(study.oid)
    if known is not None:
        return known
    profile = safety_profile_for(study)
    first = profile.doses[0] if profile.doses else None
    dose = (
        DoseMap(first.event, first.form, first.date_item, given_item=first.given_item)
        if first is not None
        else None
    )
    courses = tuple(
        CourseMap(
            c.event,
            c.form,
            c.start_item,
            c.end_item,
            group=c.group,
            given_item=c.given_item,
            status_item=c.status_item,
            completed_codes=frozenset({"COMPLETED"}) if c.status_item else frozenset(),
        )
        for c in profile.courses
    )
    return ExposureMap(dose=dose, courses=courses)


def received_treatment(exposure: Exposure) -> bool:
    """True when the subject received any study treatment: the safety population."""
    return exposure.cycles > 0 or exposure.rt_courses > 0 or exposure.chemo_cycles > 0


def _after(span: Span | None, cutoff: dt.date | None) -> bool:
    """True when the date is certainly after the cut-off (a straddling date is kept)."""
    return span is not None and cutoff is not None and span.earliest > cutoff


def _forms(
    study: Study, data: SubjectData, event: str, form_oid: str
) -> Iterator[tuple[Form, FormData]]:
    """The saved ``form_oid`` of every occurrence of ``event``."""
    form = study.forms.get(form_oid)
    if form is None:
        return
    for occurrence in range(1, data.occurrence_count(event) + 1):
        values = data.form_data(event, occurrence, form_oid)
        if values is not None:
            yield form, values


def _mg(value: object) -> Decimal | None:
    """A dose as a Decimal (None for anything that is not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return Decimal(str(value)) if not isinstance(value, Decimal) else value


def _planned(study: Study, dose: DoseMap, read: ValueReader) -> Decimal | None:
    if dose.agent_item is not None:
        agent = read.code(dose.agent_item)
        return dose.agent_doses.get(agent) if agent is not None else None
    if dose.planned_parameter is not None:
        parameter = study.parameters.get(dose.planned_parameter)
        return _mg(parameter.value) if parameter is not None else None
    return None


@dataclass
class _Doses:
    cycles: int = 0
    days: list[dt.date] = field(default_factory=list)
    planned: Decimal = Decimal(0)
    given: Decimal = Decimal(0)
    known: int = 0  # cycles whose planned and given dose are both known


def _doses(study: Study, data: SubjectData, dose: DoseMap, cutoff: dt.date | None) -> _Doses:
    found = _Doses()
    for form, values in _forms(study, data, dose.event, dose.form):
        read = ValueReader(form, values)
        span = read.span(dose.date_item)
        given_mg = _mg(read.value(dose.dose_item))
        if dose.given_item is not None:
            if read.flag(dose.given_item) is not True:
                continue
        elif span is None and given_mg is None:
            continue  # an empty record is not a cycle
        if _after(span, cutoff):
            continue
        found.cycles += 1
        if span is not None and span.exact is not None:
            found.days.append(span.exact)
        planned = _planned(study, dose, read)
        if planned is not None and given_mg is not None:
            found.planned += planned
            found.given += given_mg
            found.known += 1
    return found


def _rows(form: Form, values: FormData, course: CourseMap) -> Iterator[Mapping[str, object]]:
    if course.given_item is not None and ValueReader(form, values).flag(course.given_item) is False:
        return
    if course.group is None:
        yield values
        return
    rows = values.get(course.group)
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, Mapping):
            yield row


def _courses(
    study: Study, data: SubjectData, course: CourseMap, cutoff: dt.date | None
) -> tuple[int, int]:
    """(courses started, courses completed) by the cut-off."""
    started = completed = 0
    for form, values in _forms(study, data, course.event, course.form):
        for row in _rows(form, values, course):
            read = ValueReader(form, row)
            start = read.span(course.start_item)
            if start is None or _after(start, cutoff):
                continue
            started += 1
            if course.completed_item is not None:
                done = read.flag(course.completed_item) is True
            else:
                done = read.code(course.status_item) in course.completed_codes
            if done and not _after(read.span(course.end_item), cutoff):
                completed += 1
    return started, completed


def _chemo_cycles(study: Study, data: SubjectData, chemo: ChemoMap, cutoff: dt.date | None) -> int:
    cycles = 0
    for form, values in _forms(study, data, chemo.event, chemo.form):
        read = ValueReader(form, values)
        if read.flag(chemo.given_item) is True and not _after(read.span(chemo.date_item), cutoff):
            cycles += 1
    return cycles


def exposure(
    study: Study, subject_id: str, data: SubjectData, *, cutoff: dt.date | None = None
) -> Exposure:
    """The study treatment ``subject_id`` received (by ``cutoff`` when given)."""
    mapping = exposure_map_for(study)
    doses = _doses(study, data, mapping.dose, cutoff) if mapping.dose is not None else _Doses()
    started = completed = 0
    for course in mapping.courses:
        s, c = _courses(study, data, course, cutoff)
        started, completed = started + s, completed + c
    chemo = _chemo_cycles(study, data, mapping.chemo, cutoff) if mapping.chemo else 0
    planned = float(doses.planned) if doses.known else None
    given = float(doses.given) if doses.known else None
    intensity = float(doses.given / doses.planned) if doses.known and doses.planned > 0 else None
    return Exposure(
        subject_id=subject_id,
        first_dose=min(doses.days, default=None),
        last_dose=max(doses.days, default=None),
        cycles=doses.cycles,
        planned_mg=planned,
        given_mg=given,
        dose_intensity=intensity,
        rt_courses=started,
        rt_courses_completed=completed,
        chemo_cycles=chemo,
    )
