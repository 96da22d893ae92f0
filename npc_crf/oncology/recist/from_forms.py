"""Build the response engine's inputs from a subject's tumour-assessment forms.

Each study keeps its tumour data in its own item OIDs; :class:`TumourMap` says
where. The bundled studies have explicit maps; a study without one has no
lesion tracker. Lesions are matched across assessments by their IDs (T1..T5,
NT1.., N1..), never by row position. What cannot be used (a follow-up lesion
that is not a baseline target, a date that is not a full date) is returned as
a problem naming the event, form and row, and never guessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from npc_crf.forms.expr.evaluate import Env, FormData, Missing, SubjectData
from npc_crf.forms.expr.functions import anchor_date
from npc_crf.forms.model import EventKind, Study
from npc_crf.oncology.recist.model import (
    Assessment,
    Baseline,
    Irradiation,
    Lesion,
    Mark,
    Measurement,
    Method,
    NewLesions,
    NewLesionStatus,
    Response,
    Role,
)


@dataclass(frozen=True)
class TumourMap:
    """Where a study keeps its tumour assessments (item OIDs of one form)."""

    form: str
    baseline_event: str
    start_anchor: str  # the anchor whose date is the treatment start
    date: str
    method: str | None  # per assessment
    slice_thickness: str | None
    targets: str
    t_id: str
    t_organ: str
    t_nodal: str
    t_diameter: str
    t_too_small: str | None
    t_method: str | None  # per lesion
    t_irradiated: str | None
    t_irr_date: str | None
    t_irr_dose: str | None
    t_irr_progressed: str | None
    non_targets: str
    nt_id: str
    nt_organ: str
    nt_status: str
    nt_absent: str
    nt_pd: tuple[str, ...]
    nt_increase: str | None
    new_yes: str
    new_lesions: str
    n_id: str
    n_unequivocal: str  # an item: code list NLSTAT (UNEQUIVOCAL/EQUIVOCAL) or yes/no
    n_diameter: str | None
    n_increased: str | None
    inv_overall: str | None
    inv_target: str | None
    inv_non_target: str | None
    inv_iresponse: str | None


TUMOUR_MAPS: dict[str, TumourMap] = {
    "NPC-SINT-RT": TumourMap(
        form="TA",
        baseline_event="BASE",
        start_anchor="first_dose",
        date="TADAT",
        method="TAMOD",
        slice_thickness="TASLTHK",
        targets="TL",
        t_id="TLID",
        t_organ="TLSITE",
        t_nodal="TLNODAL",
        t_diameter="TLDIAM",
        t_too_small="TLTSM",
        t_method=None,
        t_irradiated="TLIRR",
        t_irr_date="TLIRRDAT",
        t_irr_dose="TLIRRDOS",
        t_irr_progressed="TLIRRPD",
        non_targets="NTL",
        nt_id="NTLID",
        nt_organ="NTLSITE",
        nt_status="NTLSTAT",
        nt_absent="ABSENT",
        nt_pd=("UPD",),
        nt_increase="NTINCR",
        new_yes="NLYN",
        new_lesions="NL",
        n_id="NLID",
        n_unequivocal="NLSTAT",
        n_diameter="NLDIAM",
        n_increased="NLINCR",
        inv_overall="OVRLRESP",
        inv_target="TLRESP",
        inv_non_target="NTLRESP",
        inv_iresponse="IOVRLRESP",
    ),
    "NCT07062484": TumourMap(
        form="TA",
        baseline_event="BASE",
        start_anchor="index_date",
        date="TADAT",
        method=None,
        slice_thickness=None,
        targets="TL",
        t_id="TL_ID",
        t_organ="TL_SITE",
        t_nodal="TL_NODAL",
        t_diameter="TL_DIAM",
        t_too_small="TL_TSTM",
        t_method="TL_METH",
        t_irradiated="TL_IRR",
        t_irr_date=None,
        t_irr_dose=None,
        t_irr_progressed=None,
        non_targets="NTL",
        nt_id="NTL_ID",
        nt_organ="NTL_SITE",
        nt_status="NTL_STAT",
        nt_absent="ABSENT",
        nt_pd=("UNEQ_PD",),
        nt_increase=None,
        new_yes="NLYN",
        new_lesions="NL",
        n_id="NL_ID",
        n_unequivocal="NL_UNEQ",
        n_diameter="NL_DIAM",
        n_increased=None,
        inv_overall="TAOVRL",
        inv_target=None,
        inv_non_target=None,
        inv_iresponse=None,
    ),
}

#: form codes of methods and responses -> engine tokens
_METHOD_CODES = {
    "CT": Method.CT,
    "CECT": Method.CT,
    "MRI": Method.MRI,
    "PET_CT": Method.PET_CT,
    "PETCT": Method.PET_CT,
    "XRAY": Method.XRAY,
    "CLINICAL": Method.CALIPER,
    "CALIPER": Method.CALIPER,
    "US": Method.US,
}
RESPONSE_CODES = {
    "CR": Response.CR,
    "PR": Response.PR,
    "SD": Response.SD,
    "PD": Response.PD,
    "NE": Response.NE,
    "NON_CR_NON_PD": Response.NON_CR_NON_PD,
    "NCRNPD": Response.NON_CR_NON_PD,
    "ICR": Response.ICR,
    "IPR": Response.IPR,
    "ISD": Response.ISD,
    "IUPD": Response.IUPD,
    "ICPD": Response.ICPD,
}


@dataclass(frozen=True)
class Timepoint:
    """One follow-up assessment as the engine sees it, and where it came from."""

    event: str
    occurrence: int
    assessment: Assessment
    investigator: Mapping[str, Response | None]  # overall, target, non_target, iresponse


@dataclass(frozen=True)
class TumourData:
    """A subject's tumour data ready for :func:`~npc_crf.oncology.recist.evaluate`."""

    baseline: Baseline | None
    baseline_ref: tuple[str, int] | None
    timepoints: tuple[Timepoint, ...]
    treatment_start: dt.date | None
    problems: tuple[str, ...]


def tumour_map(study: Study) -> TumourMap | None:
    """The study's map, when it has one."""
    return TUMOUR_MAPS.get(study.oid)


def _plain(value: object) -> object:
    return None if isinstance(value, Missing) else value


def _text(value: object) -> str | None:
    value = _plain(value)
    return str(value).strip() if value is not None and str(value).strip() else None


def _decimal(value: object) -> Decimal | None:
    value = _plain(value)
    if value is None or isinstance(value, bool):
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _date(value: object) -> dt.date | None:
    value = _plain(value)
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _rows(data: FormData, group: str) -> list[Mapping[str, object]]:
    rows = data.get(group)
    return [r for r in rows if isinstance(r, Mapping)] if isinstance(rows, list) else []


def read_tumour_data(
    study: Study, subject: SubjectData, today: dt.date | None = None
) -> TumourData | None:
    """The subject's baseline and follow-up assessments (None: the study has no map)."""
    m = tumour_map(study)
    if m is None:
        return None
    problems: list[str] = []
    env = Env(study=study, subject=subject, today=today or dt.date.today())
    start = anchor_date(env, m.start_anchor)
    start_date = (
        start.date()
        if isinstance(start, dt.datetime)
        else start
        if isinstance(start, dt.date)
        else None
    )
    base_data = subject.form_data(m.baseline_event, 1, m.form)
    baseline: Baseline | None = None
    if base_data is not None:
        baseline = _baseline(m, base_data, problems)
    timepoints: list[Timepoint] = []
    if baseline is not None:
        found: list[tuple[dt.date, str, int, FormData]] = []
        for event in study.events:
            if (
                event.oid == m.baseline_event
                or m.form not in event.forms
                or event.kind is EventKind.COMMON
            ):
                continue
            for occurrence in range(1, subject.occurrence_count(event.oid) + 1):
                data = subject.form_data(event.oid, occurrence, m.form)
                if data is None:
                    continue
                date = _date(data.get(m.date))
                where = f"{event.oid}[{occurrence}]/{m.form}"
                if date is None:
                    problems.append(f"{where}/{m.date}: no full date; the assessment is left out")
                    continue
                if date <= baseline.date:
                    problems.append(
                        f"{where}/{m.date}: {date} is not after the baseline ({baseline.date}); left out"
                    )
                    continue
                found.append((date, event.oid, occurrence, data))
        found.sort(key=lambda f: f[0])
        previous: dt.date | None = None
        for date, event_oid, occurrence, data in found:
            where = f"{event_oid}[{occurrence}]/{m.form}"
            if date == previous:
                problems.append(f"{where}/{m.date}: a second assessment on {date}; left out")
                continue
            previous = date
            timepoints.append(
                Timepoint(
                    event_oid,
                    occurrence,
                    _assessment(m, baseline, data, date, where, problems),
                    _investigator(m, data),
                )
            )
    return TumourData(
        baseline,
        (m.baseline_event, 1) if baseline is not None else None,
        tuple(timepoints),
        start_date,
        tuple(problems),
    )


def _baseline(m: TumourMap, data: FormData, problems: list[str]) -> Baseline | None:
    date = _date(data.get(m.date))
    where = f"{m.baseline_event}/{m.form}"
    if date is None:
        problems.append(f"{where}/{m.date}: the baseline has no full date")
        return None
    method = _METHOD_CODES.get(str(_plain(data.get(m.method)))) if m.method else None
    thickness = _decimal(data.get(m.slice_thickness)) if m.slice_thickness else None
    lesions: list[Lesion] = []
    seen: set[str] = set()
    for role, group, id_item, organ_item in (
        (Role.TARGET, m.targets, m.t_id, m.t_organ),
        (Role.NON_TARGET, m.non_targets, m.nt_id, m.nt_organ),
    ):
        for n, row in enumerate(_rows(data, group), 1):
            lesion_id = _text(row.get(id_item))
            if lesion_id is None or lesion_id in seen:
                problems.append(
                    f"{where}/{group}[{n}].{id_item}: "
                    + ("no lesion ID" if lesion_id is None else f"duplicate lesion ID {lesion_id}")
                    + "; the lesion is left out"
                )
                continue
            seen.add(lesion_id)
            if role is Role.TARGET:
                lesion_method = (
                    _METHOD_CODES.get(str(_plain(row.get(m.t_method)))) if m.t_method else method
                )
                lesions.append(
                    Lesion(
                        id=lesion_id,
                        role=role,
                        organ=_text(row.get(organ_item)) or "unknown",
                        nodal=bool(_plain(row.get(m.t_nodal))),
                        method=lesion_method or Method.OTHER,
                        slice_thickness_mm=thickness,
                        diameter_mm=(
                            Decimal(5)
                            if m.t_too_small and _plain(row.get(m.t_too_small)) is True
                            else _decimal(row.get(m.t_diameter))
                        ),
                        irradiated=_irradiation(m, row),
                    )
                )
            else:
                organ = _text(row.get(organ_item)) or "unknown"
                lesions.append(
                    Lesion(
                        lesion_id,
                        role,
                        organ,
                        "NODE" in organ.upper(),
                        method or Method.OTHER,
                        thickness,
                        None,
                    )
                )
    return Baseline(date, tuple(lesions))


def _irradiation(m: TumourMap, row: Mapping[str, object]) -> Irradiation | None:
    if m.t_irradiated is None or _plain(row.get(m.t_irradiated)) is not True:
        return None
    date = _plain(row.get(m.t_irr_date)) if m.t_irr_date else None
    progressed = _plain(row.get(m.t_irr_progressed)) if m.t_irr_progressed else None
    return Irradiation(
        date=str(date) if date is not None else None,
        dose_gy=_decimal(row.get(m.t_irr_dose)) if m.t_irr_dose else None,
        progressed_since=progressed if isinstance(progressed, bool) else None,
    )


def _assessment(
    m: TumourMap, baseline: Baseline, data: FormData, date: dt.date, where: str, problems: list[str]
) -> Assessment:
    targets = {lesion.id for lesion in baseline.lesions if lesion.role is Role.TARGET}
    non_targets = {lesion.id for lesion in baseline.lesions if lesion.role is Role.NON_TARGET}
    measurements: dict[str, Measurement] = {}
    for n, row in enumerate(_rows(data, m.targets), 1):
        lesion_id = _text(row.get(m.t_id))
        if lesion_id not in targets:
            problems.append(
                f"{where}/{m.targets}[{n}].{m.t_id}: {lesion_id or 'no ID'} is not a baseline target"
            )
            continue
        assert lesion_id is not None
        if m.t_too_small and _plain(row.get(m.t_too_small)) is True:
            measurements[lesion_id] = Measurement(mark=Mark.TOO_SMALL)
            continue
        value = _decimal(row.get(m.t_diameter))
        measurements[lesion_id] = (
            Measurement(mark=Mark.NOT_ASSESSED) if value is None else Measurement(mm=value)
        )
    statuses: dict[str, str | None] = {}
    for n, row in enumerate(_rows(data, m.non_targets), 1):
        lesion_id = _text(row.get(m.nt_id))
        if lesion_id not in non_targets:
            problems.append(
                f"{where}/{m.non_targets}[{n}].{m.nt_id}: {lesion_id or 'no ID'} is not a baseline non-target"
            )
            continue
        assert lesion_id is not None
        statuses[lesion_id] = _text(row.get(m.nt_status))
    non_target: Response | None = None
    if non_targets:
        values = [statuses.get(i) for i in sorted(non_targets)]
        if any(v in m.nt_pd for v in values):
            non_target = Response.PD
        elif any(v is None or v == "NE" for v in values):
            non_target = Response.NE
        elif all(v == m.nt_absent for v in values):
            non_target = Response.CR
        else:
            non_target = Response.NON_CR_NON_PD
    nlt: dict[str, Measurement] = {}
    nlnt: dict[str, NewLesionStatus] = {}
    unequivocal = equivocal = False
    new_rows = _rows(data, m.new_lesions) if _plain(data.get(m.new_yes)) is True else []
    for n, row in enumerate(new_rows, 1):
        lesion_id = _text(row.get(m.n_id)) or f"{m.new_lesions}[{n}]"
        certainty = _plain(row.get(m.n_unequivocal))
        if certainty in (True, "UNEQUIVOCAL"):
            unequivocal = True
        else:
            equivocal = True
            continue
        size = _decimal(row.get(m.n_diameter)) if m.n_diameter else None
        if size is not None:
            nlt[lesion_id] = Measurement(mm=size)
        else:
            grew = m.n_increased is not None and _plain(row.get(m.n_increased)) is True
            nlnt[lesion_id] = NewLesionStatus.INCREASED if grew else NewLesionStatus.PRESENT
    new = NewLesions.YES if unequivocal else NewLesions.EQUIVOCAL if equivocal else NewLesions.NO
    return Assessment(
        date=date,
        measurements=measurements,
        non_target=non_target,
        new_lesions=new,
        new_lesion_measurements=nlt,
        new_lesions_non_target=nlnt,
        non_target_increase=bool(m.nt_increase and _plain(data.get(m.nt_increase)) is True),
    )


def _investigator(m: TumourMap, data: FormData) -> dict[str, Response | None]:
    def read(item: str | None) -> Response | None:
        if item is None:
            return None
        return RESPONSE_CODES.get(str(_plain(data.get(item))))

    return {
        "overall": read(m.inv_overall),
        "target": read(m.inv_target),
        "non_target": read(m.inv_non_target),
        "iresponse": read(m.inv_iresponse),
    }
