"""NPC-SINT-RT: a course as the forms of the sintilimab + radiotherapy trial.

Phase II, single arm: sintilimab 200 mg IV every 3 weeks with multimodal
radiotherapy, in recurrent or metastatic NPC after at least two prior lines
(platinum and a PD-1/PD-L1 inhibitor among them).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from npc_crf.demo.plan import Signature, StatusChange, SubjectPlan
from npc_crf.demo.timeline import (
    AdverseEvent,
    Assessment,
    Contact,
    Course,
    Dose,
    Lesion,
    Profile,
    Visit,
    add,
    rng_for,
)
from npc_crf.forms.expr.evaluate import Missing
from npc_crf.services.subjects import SubjectStatus

STUDY_OID = "NPC-SINT-RT"

PROFILE = Profile(
    key="npc-sint-rt",
    assessment_first=42,
    assessment_blocks=((42, 8), (63, 0)),
    response_weights=(("CR", 0.05), ("PR", 0.27), ("SD", 0.35), ("PD", 0.33)),
    post_pd_survival_days=240.0,
    radiotherapy_rate=0.95,
    ae_window_days=30,
    followup_from_index=False,
    failures=(
        ("POOR_PS", "ECOG 2 and KPS 60 at baseline (inclusions 9 and 10)"),
        ("LOW_HGB", "Haemoglobin below 90 g/L at baseline (inclusion 11)"),
        ("HIGH_ALT", "ALT and AST above 5 x ULN at baseline (inclusion 14)"),
        (
            "ONE_LINE",
            "One prior line of systemic therapy, no PD-1 inhibitor (inclusions 5 and 7)",
        ),
        ("NO_MEASURABLE", "No measurable lesion by RECIST 1.1 at baseline (inclusion 8)"),
        ("HBV", "Active hepatitis B, HBV DNA above the site limit (exclusion 8)"),
        ("AUTOIMMUNE", "Active autoimmune disease needing systemic treatment (exclusion 2)"),
        ("WITHDREW", "Withdrew consent during screening"),
    ),
    pretreated=True,
)

#: ICF versions and their ethics approval dates
ICF_VERSIONS = (("2.0", dt.date(2024, 1, 15)), ("2.1", dt.date(2025, 2, 20)))
EBV_LOD = 400
SINTILIMAB_MG = Decimal("200.0")

# order of saves made on the same day (forms that others refer to first)
O_IC, O_DM, O_NPCH, O_PRIOR, O_MH = 0, 1, 2, 3, 4
O_VS, O_PS, O_HEM, O_CHEM, O_THY, O_EBV, O_TA = 10, 11, 12, 13, 14, 15, 16
O_ELIG = 20
O_DTH = 25
O_EX = 35
O_TAV = 40
O_RT = 45
O_AE = 50
O_EOT = 55
O_EOTV = 56
O_SFU = 61
O_SURV = 65
O_DV = 70
O_CM = 80

ORGAN = {
    "NASOPHARYNX": "NASOPHARYNX",
    "NECK_NODE": "LYMPH_NODE",
    "DISTANT_NODE": "LYMPH_NODE",
    "MEDIASTINUM": "LYMPH_NODE",
    "LUNG": "LUNG",
    "LIVER": "LIVER",
    "BONE": "BONE",
    "PLEURA": "PLEURA",
}
NTL_STATUS = {"PRESENT": "PRESENT", "ABSENT": "ABSENT", "PROGRESSED": "UPD"}
SAE_CRITERIA = {"DEATH": "DEATH", "LIFE": "LIFE_THREAT", "HOSP": "HOSP", "IME": "IME"}
STOP_TO_EXDISC = {
    "PD": "PD",
    "CLIN_PD": "PD",
    "AE": "AE",
    "WITHDRAWAL": "WITHDRAWAL",
    "COMPLETED": "COMPLETED",
    "DEATH": "DEATH",
}


def _stage(t: str, n: str, m: str) -> str:
    """AJCC 8th stage group, as the form derives it."""
    if m == "M1":
        return "IVB"
    if t == "T4" or n == "N3":
        return "IVA"
    if t == "T3" or n == "N2":
        return "III"
    if t == "T2" or n == "N1":
        return "II"
    return "I"


def _month(day: dt.date) -> str:
    return day.isoformat()[:7]


def _hhmm(moment: dt.time) -> str:
    return moment.strftime("%H:%M")


# -------------------------------------------------------------------------------- forms


def _vs(v: Visit) -> dict[str, object]:
    return {
        "VSDAT": v.day,
        "WEIGHT": v.vitals.weight,
        "SYSBP": v.vitals.sysbp,
        "DIABP": v.vitals.diabp,
        "PULSE": v.vitals.pulse,
        "TEMP": v.vitals.temp,
    }


def _ps(v: Visit) -> dict[str, object]:
    return {"PSDAT": v.day, "ECOG": v.ecog, "KPS": v.kps}


def _hem(v: Visit) -> dict[str, object]:
    lab = v.labs
    return {
        "LBDAT": v.lab_day,
        "HGB": lab.hgb,
        "WBC": lab.wbc,
        "ANC": lab.anc,
        "LYM": lab.lym,
        "PLT": lab.plt,
    }


def _chem(v: Visit) -> dict[str, object]:
    lab = v.labs
    return {
        "LBDAT": v.lab_day,
        "ALT": lab.alt,
        "AST": lab.ast,
        "ALP": lab.alp if lab.alp is not None else Missing("ND"),
        "TBIL": lab.tbil,
        "CREAT": lab.creat,
        "ALB": lab.alb,
        "SODIUM": lab.sodium,
        "POTAS": lab.potassium,
    }


def _thy(v: Visit) -> dict[str, object]:
    return {"LBDAT": v.lab_day, "TSH": v.labs.tsh, "FT4": v.labs.ft4}


def _ebv(day: dt.date, copies: int | None) -> dict[str, object]:
    values: dict[str, object] = {"EBVDAT": day, "EBVLOD": EBV_LOD, "EBVBLQ": copies is None}
    if copies is not None:
        values["EBVRES"] = copies
    return values


def _visit_forms(plan: SubjectPlan, event: str, occurrence: int, v: Visit, base: int) -> None:
    """VS, PS, HEM, CHEM and THY of one visit (VS first: CHEM reads its weight)."""
    plan.add(v.day, base + 0, event, occurrence, "VS", _vs(v))
    plan.add(v.day, base + 1, event, occurrence, "PS", _ps(v))
    plan.add(v.day, base + 2, event, occurrence, "HEM", _hem(v))
    plan.add(v.day, base + 3, event, occurrence, "CHEM", _chem(v))
    plan.add(v.day, base + 4, event, occurrence, "THY", _thy(v))


def _method(course: Course) -> tuple[str, Decimal]:
    """The imaging method used at every assessment, and its slice thickness."""
    head_neck = any(les.organ in ("NASOPHARYNX", "NECK_NODE") for les in course.lesions)
    only_head_neck = head_neck and not course.disease.met_sites
    return ("MRI", Decimal("3.0")) if only_head_neck else ("CT", Decimal("5.0"))


def _target_row(course: Course, les: Lesion, size: int) -> dict[str, object]:
    row: dict[str, object] = {
        "TLID": les.lid,
        "TLSITE": ORGAN[les.organ],
        "TLLOC": les.location,
        "TLNODAL": les.nodal,
        "TLTSM": False,
        "TLDIAM": Decimal(size),
        "TLIRR": les.irradiated,
    }
    if les.irradiated:
        rt_end = course.disease.primary_rt_end
        assert rt_end is not None
        row |= {
            "TLIRRDAT": _month(rt_end),
            "TLIRRDOS": course.disease.primary_rt_gy.quantize(Decimal("0.1")),
            "TLIRRPD": True,
        }
    return row


def _ta_baseline(course: Course) -> dict[str, object]:
    method, slice_mm = _method(course)
    targets = [les for les in course.lesions if les.target]
    nontargets = [les for les in course.lesions if not les.target]
    return {
        "TADAT": course.imaging_day,
        "TAMOD": method,
        "TASLTHK": slice_mm,
        "TL": [_target_row(course, les, les.baseline_mm) for les in targets],
        "NTL": [
            {"NTLID": les.lid, "NTLSITE": ORGAN[les.organ], "NTLSTAT": "PRESENT"}
            for les in nontargets
        ],
    }


def _ta_followup(course: Course, a: Assessment) -> dict[str, object]:
    method, slice_mm = _method(course)
    targets = [les for les in course.lesions if les.target]
    nontargets = [les for les in course.lesions if not les.target]
    values: dict[str, object] = {
        "TADAT": a.day,
        "TAMOD": method,
        "TASLTHK": slice_mm,
        "TL": [_target_row(course, les, s) for les, s in zip(targets, a.sizes, strict=True)],
        "NTL": [
            {"NTLID": les.lid, "NTLSITE": ORGAN[les.organ], "NTLSTAT": NTL_STATUS[st]}
            for les, st in zip(nontargets, a.nontarget, strict=True)
        ],
        "NLYN": bool(a.new_lesions),
        "TLRESP": a.target_response,
        "OVRLRESP": a.overall,
    }
    if a.new_lesions:
        values["NL"] = [
            {"NLID": f"N{i}", "NLSITE": organ, "NLSTAT": "UNEQUIVOCAL"}
            for i, organ in enumerate(a.new_lesions, 1)
        ]
    if a.nontarget_response is not None:
        values["NTLRESP"] = a.nontarget_response
    return values


def _ex(course: Course, d: Dose) -> dict[str, object]:
    values: dict[str, object] = {"EXCYCLE": d.cycle, "EXYN": d.given}
    if d.given:
        values |= {
            "EXSTDAT": d.day,
            "EXSTTIM": _hhmm(d.start_time),
            "EXENTIM": _hhmm(d.end_time),
            "EXDOSE": SINTILIMAB_MG,
            "EXDLY": d.delayed,
            "EXINTR": d.interrupted,
        }
        if d.delayed:
            values["EXDLYRS"] = d.delay_reason
        if d.interrupted:
            values["EXINTRS"] = "IRR"
    else:
        values["EXNDRS"] = d.skip_reason or "AE"
    values["EXDISC"] = d.discontinued
    if d.discontinued:
        values["EXDISCRS"] = STOP_TO_EXDISC.get(d.discontinue_reason or "", "OTHER")
        if values["EXDISCRS"] == "OTHER":
            values["EXRSOTH"] = "Investigator decision"
    return values


def _related(ae: AdverseEvent) -> bool:
    related = ("POSSIBLE", "PROBABLE", "DEFINITE")
    return ae.rel_drug in related or (ae.rel_rt or "") in related


def _ae_entry_day(course: Course, n: int) -> dt.date:
    """When AE ``n`` is entered: at onset, except that a grade 5 needs the death record
    first (the form refuses it before), so the fatal event and the ones after it are
    entered on the day of death, after the death record and in their order."""
    ae = course.adverse_events[n - 1]
    fatal = [i for i, e in enumerate(course.adverse_events, start=1) if e.grade == 5]
    if course.death is not None and fatal and n >= fatal[0]:
        return max(ae.onset, course.death)
    return ae.onset


def _ae(course: Course, ae: AdverseEvent) -> dict[str, object]:
    values: dict[str, object] = {
        "AETERM": ae.code,
        "AETOXGR": ae.grade,
        "AESTDAT": ae.onset,
        "AEONGO": ae.end is None and ae.grade != 5,
        "AESER": ae.serious,
        "AERELSIN": ae.rel_drug,
        "AERELRT": ae.rel_rt or "NOT_RELATED",
        "AEACN": ae.action_drug,
        "AEACNRT": ae.action_rt,
        "AEOUT": ae.outcome,
    }
    if ae.end is not None:
        values["AEENDAT"] = ae.end
    if ae.serious:
        values |= {
            "AESERCR": frozenset(SAE_CRITERIA[c] for c in ae.criteria),
            "AESDAT": ae.serious_day,
            "AEAWDAT": ae.aware_day,
            "AERPTDAT": ae.report_day,
            # the demo calls grade 4-5 events related to a study therapy unexpected (SUSARs)
            "AEEXPECT": not (ae.grade >= 4 and _related(ae)),
        }
        if ae.grade >= 4 and _related(ae) and ae.report_day is not None:
            sent = ae.report_day + dt.timedelta(days=3)
            if sent <= dt.date.today():
                values["AESUSDAT"] = sent
    if ae.rel_drug in ("POSSIBLE", "PROBABLE", "DEFINITE"):
        values["AEIRAE"] = ae.immune
        if ae.immune:
            values["AESTER"] = ae.steroids
    return values


def _rt(course: Course, n: int) -> dict[str, object]:
    rt = course.radiotherapy[n]
    values: dict[str, object] = {
        "RTTECH": rt.technique,
        "RTSITE": ORGAN.get(rt.organ, "OTHER") if rt.organ != "MEDIASTINUM" else "MEDIASTINUM",
        "RTLESID": ", ".join(rt.lesion_ids),
        "RTTOTDOS": rt.dose_gy,
        "RTFX": rt.fractions,
        "RTSTDAT": rt.start,
        "RTSTAT": rt.status,
        "RTINTYN": rt.interruption_days > 0,
    }
    if rt.end is not None and rt.status != "ONGOING":
        values["RTENDAT"] = rt.end
    if rt.status == "STOPPED":
        values["RTSTPRS"] = rt.stop_reason or "Investigator decision"
    if rt.interruption_days:
        values["RTINTDAY"] = rt.interruption_days
    return values


def _surv(contact: Contact) -> dict[str, object]:
    values: dict[str, object] = {
        "SURVDAT": contact.day,
        "SURVMETH": contact.method if contact.method != "RECORDS" else "RECORDS",
        "SURVSTAT": contact.status,
    }
    if contact.status == "LOST":
        values["SURVLKA"] = contact.last_known_alive
        return values
    values["SURVPD"] = contact.new_progression is not None
    if contact.new_progression is not None:
        values["SURVPDDT"] = contact.new_progression
    values["SURVNTRT"] = bool(contact.new_therapies)
    if contact.new_therapies:
        _kind, name, start = contact.new_therapies[0]
        values["SURVNTX"] = name
        values["SURVNTDT"] = start
    return values


# -------------------------------------------------------------------------------- a subject


def plan_subject(course: Course, seed: int) -> SubjectPlan:
    """The saves, status changes and signatures for ``course``."""
    r = rng_for(seed, PROFILE.key, "forms", course.number)
    plan = SubjectPlan(course.screening)
    consent = course.screening
    version, version_day = max(v for v in ICF_VERSIONS if v[1] <= consent)
    plan.add(
        consent,
        O_IC,
        "SCR",
        1,
        "IC",
        {
            "ICYN": True,
            "ICDAT": consent,
            "ICTIM": f"{r.randint(8, 11):02d}:{r.choice((0, 15, 30, 45)):02d}",
            "ICVER": version,
            "ICVERDAT": version_day,
            "ICSIGNBY": "SUBJECT",
            "ICCOPY": True,
            "ICBIO": r.random() < 0.7,
        },
    )
    dm: dict[str, object] = {
        "SUBJINIT": course.initials,
        "BRTHDAT": course.birth,
        "SEX": course.sex,
        "ETHNIC": course.ethnic,
        "HEIGHT": course.height,
    }
    if course.sex == "F":
        dm["CHILDPOT"] = course.child_potential
    plan.add(consent, O_DM, "SCR", 1, "DM", dm)
    plan.add(consent, O_NPCH, "SCR", 1, "NPCH", _npch(course))
    plan.add(consent, O_PRIOR, "SCR", 1, "PRIOR", _prior(course))
    plan.add(consent, O_MH, "SCR", 1, "MH", _mh(course))
    if course.failure == "WITHDREW":
        plan.statuses.append(
            StatusChange(
                SubjectStatus.SCREEN_FAILURE, add(consent, r.randint(1, 5)), course.failure_reason
            )
        )
        return plan
    # baseline
    b = course.baseline
    _visit_forms(plan, "BASE", 1, b, O_VS)
    plan.add(b.lab_day, O_EBV, "BASE", 1, "EBV", _ebv(b.lab_day, course.baseline_ebv))
    plan.add(course.imaging_day, O_TA, "BASE", 1, "TA", _ta_baseline(course))
    plan.add(course.eligibility_day, O_ELIG, "SCR", 1, "ELIG", _elig(course))
    plan.signatures.append(Signature("SCR", 1, "ELIG", "ELIGIBILITY"))
    if not course.enrolled:
        plan.statuses.append(
            StatusChange(
                SubjectStatus.SCREEN_FAILURE, course.eligibility_day, course.failure_reason
            )
        )
        return plan
    _treatment(plan, course, r)
    _statuses(plan, course)
    return plan


def _npch(course: Course) -> dict[str, object]:
    d = course.disease
    values: dict[str, object] = {
        "DIAGDAT": _month(d.diagnosis),
        "HISTTYPE": d.histology,
        "TSTAGE": d.t,
        "NSTAGE": d.n,
        "MSTAGE": d.m,
        "STAGE": _stage(d.t, d.n, d.m),
        "PRIMTRT": frozenset(d.primary) if d.primary else frozenset({"NONE"}),
        "LRRECYN": d.recurrence is not None,
        "METYN": d.metastasis is not None,
    }
    if d.primary_rt_end is not None:
        values["PRIMRTED"] = _month(d.primary_rt_end)
    if d.recurrence is not None:
        values["LRDAT"] = _month(d.recurrence)
    if d.metastasis is not None:
        values["METSITE"] = frozenset(d.met_sites)
        values["METDAT"] = _month(d.metastasis)
    if d.recurrence is not None or d.metastasis is not None:
        values["RMBIOPSY"] = d.biopsy
    return values


def _prior(course: Course) -> dict[str, object]:
    rows: list[dict[str, object]] = []
    for n, line in enumerate(course.prior, start=1):
        last = n == len(course.prior)
        row: dict[str, object] = {
            "PRLINE": n,
            "PRSET": line.setting,
            "PRREG": line.regimen,
            "PRPLAT": line.platinum,
            "PRICI": line.ici is not None,
            "PRSTDAT": _month(line.start),
            "PRENDAT": line.end if last else _month(line.end),
            "PRBRSP": line.response,
            "PRPD": True,
            "PRPDDAT": line.progression if last else _month(line.progression),
        }
        if line.ici is not None:
            row["PRICIAG"] = line.ici
        rows.append(row)
    return {"PRNLINE": len(rows), "LINE": rows}


def _mh(course: Course) -> dict[str, object]:
    rows: list[dict[str, object]] = []
    for c in course.history:
        row: dict[str, object] = {
            "MHTERM": c.term,
            "MHCAT": c.category,
            "MHSTDAT": c.start,
            "MHONGO": c.end is None,
        }
        if c.end is not None:
            row["MHENDAT"] = c.end
        else:
            row["MHTOXGR"] = c.grade or 1
        rows.append(row)
    values: dict[str, object] = {"MHYN": bool(rows)}
    if rows:
        values["MH"] = rows
    return values


def _elig(course: Course) -> dict[str, object]:
    values: dict[str, object] = {
        "IELIFE": True,
        "IRTSUIT": True,
        "ICONTR": True,
        "EPRIRAE": False,
        "EAUTOIM": course.failure == "AUTOIMMUNE",
        "EPNEUM": False,
        "ESTER": False,
        "EINFECT": course.failure == "HBV",
        "ETRANSP": False,
        "ELIVVAC": False,
        "EOTHMAL": False,
        "EBLEED": False,
        "INVCONF": course.enrolled,
        "ELIGDAT": course.eligibility_day,
    }
    if course.sex == "F" and course.child_potential:
        values["EPREG"] = False
    return values


def _treatment(plan: SubjectPlan, course: Course, r: random.Random) -> None:
    """Cycles, assessments, radiotherapy, adverse events, end of treatment and follow-up."""
    last_cycle = len(course.doses)
    for d in course.doses:
        _visit_forms(plan, "CYCLE", d.cycle, d.visit, O_VS + 20)
        plan.add(d.day, O_EX, "CYCLE", d.cycle, "EX", _ex(course, d))
    if course.on_treatment and r.random() < 0.5:
        # the latest thyroid result is not back yet: the form stays in progress
        d = course.doses[-1]
        plan.saves = [
            s
            for s in plan.saves
            if not (s.event == "CYCLE" and s.occurrence == last_cycle and s.form == "THY")
        ]
        plan.add(
            d.day,
            O_THY + 20,
            "CYCLE",
            d.cycle,
            "THY",
            {"LBDAT": d.visit.lab_day, "TSH": d.visit.labs.tsh},
            complete=False,
        )
    for n, a in enumerate(course.assessments, start=1):
        plan.add(a.day, O_TAV, "TAV", n, "TA", _ta_followup(course, a))
        plan.add(a.day, O_TAV + 1, "TAV", n, "EBV", _ebv(a.day, a.ebv))
    for n, rt in enumerate(course.radiotherapy, start=1):
        plan.add(rt.start, O_RT, "RTV", n, "RT", _rt(course, n - 1))
    for n, ae in enumerate(course.adverse_events, start=1):
        plan.add(_ae_entry_day(course, n), O_AE, "AEV", n, "AE", _ae(course, ae))
    if course.death is not None:
        plan.add(course.death, O_DTH, "DTHV", 1, "DTH", _dth(course, r))
        plan.signatures.append(Signature("DTHV", 1, "DTH", "APPROVE"))
    if course.eot_day is not None:
        plan.add(course.eot_day, O_EOT, "EOTV", 1, "EOT", _eot(course))
        plan.signatures.append(Signature("EOTV", 1, "EOT", "APPROVE"))
        if course.eot_visit is not None:
            _visit_forms(plan, "EOTV", 1, course.eot_visit, O_EOTV)
    if course.safety_contact is not None:
        c = course.safety_contact
        sfu: dict[str, object] = {
            "SFUDAT": c.day,
            "SFUMETH": c.method,
            "SFUAE": any(
                a.onset <= c.day and (a.end is None or a.end >= (course.eot_day or c.day))
                for a in course.adverse_events
            ),
            "SFUNTRT": bool(c.therapies),
        }
        if c.therapies:
            sfu["SFUNTX"] = c.therapies[0][1]
            sfu["SFUNTDAT"] = c.therapies[0][2]
        plan.add(c.day, O_SFU, "SFUV", 1, "SFU", sfu)
        if course.safety_visit is not None:
            _visit_forms(plan, "SFUV", 1, course.safety_visit, O_SFU + 1)
    for n, contact in enumerate(course.contacts, start=1):
        plan.add(contact.day, O_SURV, "SURVV", n, "SURV", _surv(contact))
    if course.deviations:
        rows = [
            {
                "DVDAT": dv.day,
                "DVIDDAT": dv.identified,
                "DVCAT": dv.category,
                "DVTERM": dv.description,
                "DVSEV": "MAJOR" if dv.major else "MINOR",
                **({"DVACT": dv.action} if dv.action else {}),
            }
            for dv in course.deviations
        ]
        day = max(dv.identified for dv in course.deviations)
        plan.add(day, O_DV, "DEV", 1, "DV", {"DV": rows})
    plan.add(course.cutoff, O_CM, "CMV", 1, "CM", _cm(course))


def _cm(course: Course) -> dict[str, object]:
    rows: list[dict[str, object]] = []
    for m in course.medications:
        row: dict[str, object] = {
            "CMTRT": m.name,
            "CMINDC": m.indication,
            "CMROUTE": m.route,
            "CMSTER": m.steroid,
            "CMSTDAT": m.start,
            "CMONGO": m.end is None,
        }
        if m.dose is not None:
            row["CMDOSE"] = m.dose
            row["CMDOSU"] = m.unit
        if m.end is not None:
            row["CMENDAT"] = m.end
        rows.append(row)
    values: dict[str, object] = {"CMYN": bool(rows)}
    if rows:
        values["CM"] = rows
    return values


def _eot(course: Course) -> dict[str, object]:
    assert course.eot_day is not None and course.last_dose is not None
    values: dict[str, object] = {
        "EOTDAT": course.eot_day,
        "EOTLDDAT": course.last_dose,
        "EOTRTYN": bool(course.radiotherapy),
        "EOTRS": course.stop_reason,
    }
    ends = [rt.end for rt in course.radiotherapy if rt.end is not None]
    if course.radiotherapy:
        values["EOTRTLD"] = max(ends) if ends else course.eot_day
    if course.stop_reason == "AE" and course.stop_ae is not None:
        values["EOTAETRM"] = course.stop_ae.term
    return values


def _dth(course: Course, r: random.Random) -> dict[str, object]:
    assert course.death is not None
    cause = course.death_cause or "UNKNOWN"
    values: dict[str, object] = {
        "DTHDAT": course.death,
        "DTHCAUS": cause,
        "DTHAUT": False if r.random() < 0.8 else Missing("UNK"),
        "DTHSRC": "RECORDS" if course.stop_reason == "DEATH" else r.choice(("PHONE", "RECORDS")),
    }
    if cause == "AE":
        values["DTHAE"] = course.death_ae.term if course.death_ae else "Death NOS"
    if cause == "OTHER":
        values["DTHOTH"] = course.death_other or "Unknown"
    return values


def _statuses(plan: SubjectPlan, course: Course) -> None:
    first = course.first_dose
    assert first is not None
    plan.statuses.append(StatusChange(SubjectStatus.ENROLLED, course.eligibility_day))
    plan.statuses.append(StatusChange(SubjectStatus.ON_TREATMENT, first))
    if course.stop_reason == "DEATH":
        assert course.death is not None
        plan.statuses.append(StatusChange(SubjectStatus.DIED, course.death))
        return
    if course.withdrawn:
        assert course.eot_day is not None
        plan.statuses.append(
            StatusChange(SubjectStatus.OFF_STUDY, course.eot_day, "Withdrew consent")
        )
        return
    if course.eot_day is not None:
        plan.statuses.append(StatusChange(SubjectStatus.FOLLOW_UP, course.eot_day))
    if course.death is not None:
        plan.statuses.append(StatusChange(SubjectStatus.DIED, course.death))
    elif course.lost is not None:
        plan.statuses.append(
            StatusChange(SubjectStatus.OFF_STUDY, course.lost, "Lost to follow-up")
        )
