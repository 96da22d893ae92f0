"""NCT07062484: a course as the forms of the real-world PD-1 + chemoradiotherapy study.

Lung-metastatic NPC (M0 at diagnosis, metastasis at least 6 months after the
primary treatment), first-line PD-1 inhibitor with platinum-based chemotherapy
(optionally capecitabine maintenance) and, for many, thoracic or other
radiotherapy. The index date is the first PD-1 dose.
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

STUDY_OID = "NCT07062484"

PROFILE = Profile(
    key="nct07062484",
    assessment_first=42,
    assessment_blocks=((42, 4), (63, 0)),
    response_weights=(("CR", 0.1), ("PR", 0.55), ("SD", 0.22), ("PD", 0.13)),
    post_pd_survival_days=420.0,
    chemo_cycles=(4, 6),
    chemo_regimens=(("GP", 0.7), ("TP", 0.2), ("TPF", 0.05), ("PF", 0.05)),
    maintenance_rate=0.3,
    radiotherapy_rate=0.6,
    ae_window_days=90,
    followup_from_index=True,
    followup_window=30,
    failures=(
        ("PRIOR_ICI", "Previous PD-1 inhibitor (exclusion 1)"),
        ("LR_RECURRENCE", "Locoregional recurrence after primary treatment (exclusion 2)"),
        ("PRIOR_CHEMO", "Previous chemotherapy for metastatic disease (exclusion 3)"),
        ("LOW_KPS", "KPS 50 at baseline (inclusion 2)"),
        ("LOW_PLT", "Platelets below 100 x 10^9/L at baseline (inclusion 8)"),
    ),
    lung_metastatic=True,
    pretreated=False,
    pd1_agents=("TORIPALIMAB", "CAMRELIZUMAB", "TISLELIZUMAB", "SINTILIMAB"),
)

#: the ethics committee's waiver of consent for the record review
WAIVER = (dt.date(2024, 2, 1), "EC-2024-015")
PD1_DOSE = {"TORIPALIMAB": Decimal("240.0")}
HISTOLOGY = {"KSCC": "KSCC", "NKDC": "NKDC", "NKUC": "NKUC", "BASALOID": "BSCC"}
PRIMARY = {
    ("IC", "CCRT"): "IC_CCRT",
    ("CCRT",): "CCRT",
    ("CCRT", "AC"): "CCRT_AC",
    ("RT",): "RT",
}
SITE = {
    "NASOPHARYNX": "NASOPHARYNX",
    "NECK_NODE": "NECK_NODES",
    "DISTANT_NODE": "DISTANT_NODES",
    "MEDIASTINUM": "MEDIASTINUM",
    "LUNG": "LUNG",
    "LIVER": "LIVER",
    "BONE": "BONE",
    "PLEURA": "PLEURA",
}
RT_TARGET = {
    "LUNG": "THORACIC",
    "MEDIASTINUM": "THORACIC",
    "PLEURA": "THORACIC",
    "NASOPHARYNX": "LOCOREGIONAL",
    "NECK_NODE": "LOCOREGIONAL",
    "BONE": "BONE",
    "LIVER": "LIVER",
}
NTL_STATUS = {"PRESENT": "PRESENT", "ABSENT": "ABSENT", "PROGRESSED": "UNEQ_PD"}
SAE_CRITERIA = {"DEATH": "DEATH", "LIFE": "LIFE", "HOSP": "HOSP", "IME": "MIE"}
ACTION = {"NOT_CHANGED": "NONE", "INTERRUPTED": "DELAYED", "WITHDRAWN": "WITHDRAWN"}
STOP_REASON = {
    "PD": "PD",
    "CLIN_PD": "PD",
    "AE": "AE",
    "WITHDRAWAL": "PATIENT",
    "COMPLETED": "COMPLETED",
    "DEATH": "DEATH",
}
REGIMEN_AGENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "GP": (("GEM", "1000.0"), ("DDP", "80.0")),
    "TP": (("DTX", "75.0"), ("DDP", "75.0")),
    "TPF": (("DTX", "60.0"), ("DDP", "60.0"), ("FU", "600.0")),
    "PF": (("DDP", "80.0"), ("FU", "800.0")),
    "CAPE": (("CAPE", "1000.0"),),
}
THERAPY_TYPE = {"CHEMO": "CHEMO", "TARGET": "TARGET", "ICI": "ICI", "RT": "RT"}

# order of saves made on the same day
O_IC, O_DM, O_NPCH, O_PRIOR = 0, 1, 2, 3
O_PS, O_HEM, O_CHEM, O_TA = 10, 11, 12, 13
O_ELIG = 20
O_DTH = 25
O_PD1, O_CHEMO, O_THEM, O_TCHEM = 30, 31, 32, 33
O_TAV = 40
O_AE = 50
O_FU = 65
O_RTX = 80


def _method(course: Course) -> str:
    """Baseline and follow-up imaging method (the same every time)."""
    return "PETCT" if course.number % 5 == 0 else "CECT"


# -------------------------------------------------------------------------------- forms


def _ps(v: Visit) -> dict[str, object]:
    return {"PSDAT": v.day, "KPS": v.kps, "ECOG": v.ecog}


def _hem(v: Visit) -> dict[str, object]:
    lab = v.labs
    return {
        "HEMDAT": v.lab_day,
        "WBC": lab.wbc,
        "ANC": lab.anc,
        "LYM": lab.lym,
        "HGB": lab.hgb,
        "PLT": lab.plt,
    }


def _chem(v: Visit) -> dict[str, object]:
    lab = v.labs
    return {
        "CHEMDAT": v.lab_day,
        "ALT": lab.alt,
        "AST": lab.ast,
        "TBIL": lab.tbil,
        "CREAT": Decimal(lab.creat),
        "ALB": lab.alb,
    }


def _target_row(course: Course, les: Lesion, size: int, baseline: bool) -> dict[str, object]:
    row: dict[str, object] = {
        "TL_ID": les.lid,
        "TL_SITE": SITE[les.organ],
        "TL_LOC": les.location,
        "TL_NODAL": les.nodal,
        "TL_METH": _method(course),
        "TL_IRR": les.irradiated,
        "TL_DIAM": Decimal(size),
    }
    if baseline:
        row["TL_MEAS"] = True
    else:
        row["TL_TSTM"] = False
    return row


def _ta(course: Course, a: Assessment | None) -> dict[str, object]:
    targets = [les for les in course.lesions if les.target]
    nontargets = [les for les in course.lesions if not les.target]
    if a is None:
        return {
            "TADAT": course.imaging_day,
            "TAMETH": frozenset({_method(course)}),
            "TL": [_target_row(course, les, les.baseline_mm, True) for les in targets],
            "NTL": [
                {"NTL_ID": les.lid, "NTL_SITE": SITE[les.organ], "NTL_STAT": "PRESENT"}
                for les in nontargets
            ],
        }
    values: dict[str, object] = {
        "TADAT": a.day,
        "TAMETH": frozenset({_method(course)}),
        "TL": [_target_row(course, les, s, False) for les, s in zip(targets, a.sizes, strict=True)],
        "NTL": [
            {"NTL_ID": les.lid, "NTL_SITE": SITE[les.organ], "NTL_STAT": NTL_STATUS[st]}
            for les, st in zip(nontargets, a.nontarget, strict=True)
        ],
        "NLYN": bool(a.new_lesions),
        "TAOVRL": a.overall,
    }
    if a.new_lesions:
        values["NL"] = [
            {
                "NL_ID": f"N{i}",
                "NL_SITE": SITE.get(organ, "OTHER"),
                "NL_METH": _method(course),
                "NL_UNEQ": True,
            }
            for i, organ in enumerate(a.new_lesions, 1)
        ]
    return values


def _pd1(agent: str, d: Dose, previous: Dose | None, stop: str | None) -> dict[str, object]:
    """One PD-1 dose; ``stop`` is the reason when it is the last one."""
    values: dict[str, object] = {
        "PD1AGENT": agent,
        "PD1STDAT": d.day,
        "PD1DOSE": PD1_DOSE.get(agent, Decimal("200.0")),
    }
    late = previous is not None and (d.day - previous.day).days > 24
    values["PD1MOD"] = late
    if late:
        values["PD1MODSP"] = {
            "AE": "Delayed for an adverse event",
            "LOGISTIC": "Delayed: public holiday",
        }.get(d.delay_reason or "", "Dose held for an adverse event")
    values["PD1LAST"] = stop is not None
    if stop is not None:
        values["PD1DCR"] = STOP_REASON.get(stop, "OTHER")
        if values["PD1DCR"] == "OTHER":
            values["PD1DCRSP"] = "Investigator decision"
    return values


def _chemo(d: Dose) -> dict[str, object]:
    if d.chemo is None:
        return {"CMYN": False}
    return {
        "CMYN": True,
        "CMREG": d.chemo,
        "CMDAT": d.day,
        "CM": [
            {"CM_AGENT": agent, "CM_DOSE": Decimal(dose), "CM_DOSU": "MG_M2"}
            for agent, dose in REGIMEN_AGENTS[d.chemo]
        ],
    }


def _ae_entry_day(course: Course, n: int) -> dt.date:
    """When AE ``n`` is entered: at onset, except that a grade 5 needs the death record
    first (the form refuses it before), so the fatal event and the ones after it are
    entered on the day of death, after the death record and in their order."""
    ae = course.adverse_events[n - 1]
    fatal = [i for i, e in enumerate(course.adverse_events, start=1) if e.grade == 5]
    if course.death is not None and fatal and n >= fatal[0]:
        return max(ae.onset, course.death)
    return ae.onset


def _ae(ae: AdverseEvent) -> dict[str, object]:
    values: dict[str, object] = {
        "AETERM": ae.code,
        "AEGRADE": ae.grade,
        "AESTDAT": ae.onset,
        "AEOUT": ae.outcome,
        "AESER": ae.serious,
        "AERELPD1": ae.rel_drug,
        "AERELCT": ae.rel_chemo or Missing("NA"),
        "AERELRT": ae.rel_rt or Missing("NA"),
        "AEACNPD1": ACTION.get(ae.action_drug, Missing("NA")),
    }
    if ae.outcome in ("RECOVERED", "SEQUELAE", "FATAL"):
        values["AEENDAT"] = ae.end
    if ae.serious:
        values["AESCRIT"] = frozenset(SAE_CRITERIA[c] for c in ae.criteria)
    if ae.rel_drug in ("POSSIBLE", "PROBABLE", "DEFINITE"):
        values["AEIR"] = ae.immune
        if ae.immune:
            values["AEIRSTER"] = ae.steroids
    return values


def _surv(contact: Contact, course: Course) -> dict[str, object]:
    values: dict[str, object] = {"SVDAT": contact.day, "SVSTAT": contact.status}
    if contact.status in ("ALIVE", "LOST"):
        values["LKADAT"] = contact.last_known_alive
    if contact.status == "LOST":
        values |= {"PDYN": Missing("UNK"), "NTYN": Missing("UNK")}
        return values
    values["PDYN"] = contact.progression is not None
    if contact.progression is not None:
        values["PDDAT"] = contact.progression
        values["PDMETH"] = "CLINICAL" if course.progression_kind == "CLINICAL" else "RADIOLOGICAL"
    values["NTYN"] = bool(contact.therapies)
    if contact.therapies:
        values["NT"] = [
            {"NT_TYPE": THERAPY_TYPE.get(kind, "OTHER"), "NT_NAME": name, "NT_STDAT": start}
            for kind, name, start in contact.therapies
        ]
    return values


def _rtx(course: Course) -> dict[str, object]:
    rows: list[dict[str, object]] = []
    for rt in course.radiotherapy:
        lesions = {les.lid: les for les in course.lesions}
        first = lesions.get(rt.lesion_ids[0])
        site = first.location.capitalize() if first else rt.organ.capitalize()
        row: dict[str, object] = {
            "RT_TARGET": RT_TARGET.get(rt.organ, "OTHER"),
            "RT_SITE": site,
            "RT_TECH": rt.technique,
            "RT_DOSE": rt.dose_gy,
            "RT_FX": rt.fractions,
            "RT_STDAT": rt.start,
            "RT_ENDAT": rt.end if rt.end is not None else Missing("UNK"),
        }
        if rt.status != "ONGOING":
            row["RT_COMPL"] = rt.status == "COMPLETED"
        rows.append(row)
    values: dict[str, object] = {"RTYN": bool(rows)}
    if rows:
        values["RTC"] = rows
    return values


# -------------------------------------------------------------------------------- a subject


def plan_subject(course: Course, seed: int) -> SubjectPlan:
    """The saves, status changes and signatures for ``course``."""
    r = rng_for(seed, PROFILE.key, "forms", course.number)
    plan = SubjectPlan(course.screening)
    day = course.screening
    if r.random() < 0.7:
        ic: dict[str, object] = {"ICTYPE": "WAIVED", "WVDAT": WAIVER[0], "WVREF": WAIVER[1]}
    else:
        ic = {"ICTYPE": "OBTAINED", "ICDAT": day, "ICSIGNER": "PATIENT", "ICVER": "V1.1 2024-01-10"}
    plan.add(day, O_IC, "SCR", 1, "IC", ic)
    dm: dict[str, object] = {
        "MRN": f"DEMO{course.number:06d}",
        "BRTHDAT": course.birth,
        "SEX": course.sex,
        "ETHNIC": "HAN" if course.ethnic == "HAN" else "OTHER",
    }
    if course.ethnic != "HAN":
        dm["ETHNICSP"] = course.ethnic.capitalize()
    plan.add(day, O_DM, "SCR", 1, "DM", dm)
    plan.add(day, O_NPCH, "SCR", 1, "NPCH", _npch(course))
    plan.add(day, O_PRIOR, "SCR", 1, "PRIOR", _prior(course, r))
    b = course.baseline
    plan.add(b.day, O_PS, "BASE", 1, "PS", _ps(b))
    plan.add(b.lab_day, O_HEM, "BASE", 1, "HEM", _hem(b))
    plan.add(b.lab_day, O_CHEM, "BASE", 1, "CHEM", _chem(b))
    plan.add(course.imaging_day, O_TA, "BASE", 1, "TA", _ta(course, None))
    plan.add(course.eligibility_day, O_ELIG, "SCR", 1, "ELIG", _elig(course, r))
    plan.signatures.append(Signature("SCR", 1, "ELIG", "APPROVE"))
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
        "DIAGDAT": d.diagnosis.isoformat()[:7],
        "HISTCONF": True,
        "HISTTYPE": HISTOLOGY[d.histology],
        "TSTAGE": d.t,
        "NSTAGE": d.n,
        "MSTAGE": d.m,
        "PTTYPE": PRIMARY.get(d.primary, "CCRT"),
        "PTRTDOSE": d.primary_rt_gy.quantize(Decimal("0.1")),
        "PTSTDAT": d.primary_start.isoformat()[:7],
        "PTENDAT": d.primary_end,
        "METDAT": d.metastasis,
        "METSITE": frozenset(d.met_sites),
        "METBIOP": d.biopsy,
        "LRREC": course.failure == "LR_RECURRENCE",
    }
    if course.failure == "LR_RECURRENCE":
        assert d.metastasis is not None
        values["LRRECDAT"] = add(d.metastasis, -75)
    return values


def _prior(course: Course, r: random.Random) -> dict[str, object]:
    d = course.disease
    assert d.metastasis is not None and d.primary_end is not None
    rows: list[dict[str, object]] = []
    if course.failure == "PRIOR_ICI":
        rows.append(
            {
                "PRT_CLASS": "ICI",
                "PRT_NAME": "toripalimab",
                "PRT_SETTING": "METASTATIC",
                "PRT_STDAT": add(d.metastasis, 10),
                "PRT_ENDAT": add(d.metastasis, 15),
            }
        )
    if course.failure == "PRIOR_CHEMO":
        rows.append(
            {
                "PRT_CLASS": "CHEMO",
                "PRT_NAME": "gemcitabine + cisplatin",
                "PRT_SETTING": "METASTATIC",
                "PRT_STDAT": add(d.metastasis, 5),
                "PRT_ENDAT": add(d.metastasis, 15),
            }
        )
    if "IC" in d.primary and r.random() < 0.3:
        rows.append(
            {
                "PRT_CLASS": "CHEMO",
                "PRT_NAME": "docetaxel + cisplatin (induction)",
                "PRT_SETTING": "PRIMARY",
                "PRT_STDAT": d.primary_start.isoformat()[:7],
                "PRT_ENDAT": add(d.primary_start, 42).isoformat()[:7],
            }
        )
    values: dict[str, object] = {
        "PRICI": course.failure == "PRIOR_ICI",
        "PRCHEMO": course.failure == "PRIOR_CHEMO",
        "PRTOTH": any(row["PRT_SETTING"] == "PRIMARY" for row in rows),
    }
    if rows:
        values["PRT"] = rows
    return values


def _elig(course: Course, r: random.Random) -> dict[str, object]:
    values: dict[str, object] = {
        "ELIGDAT": course.eligibility_day,
        "PNEUMON": False,
        "AUTOIMM": False,
        "UNSUIT": False,
        "COMORB": False,
        "OTHTRIAL": False,
        "INVJUDG": False,
    }
    if r.random() < 0.08:
        # took part in another trial long ago: not an exclusion
        values["OTHTRIAL"] = True
        values["OTHTRDAT"] = add(course.screening, -r.randint(200, 700)).isoformat()[:7]
    return values


def _treatment(plan: SubjectPlan, course: Course, r: random.Random) -> None:
    agent = PROFILE.pd1_agents[r.randrange(len(PROFILE.pd1_agents))]
    given = [d for d in course.doses if d.given]
    final = course.doses[-1]
    previous: Dose | None = None
    for n, d in enumerate(given, start=1):
        stop = final.discontinue_reason if d is given[-1] and final.discontinued else None
        plan.add(d.day, O_PD1, "TRT", n, "PD1", _pd1(agent, d, previous, stop or None))
        overrides: dict[str, str] = {}
        if d.chemo == "CAPE" and previous is not None and previous.chemo not in (None, "CAPE"):
            overrides["CMREG"] = "Capecitabine maintenance after induction chemotherapy"
        plan.add(d.day, O_CHEMO, "TRT", n, "CHEMO", _chemo(d), overrides=overrides)
        plan.add(d.visit.lab_day, O_THEM, "TRT", n, "HEM", _hem(d.visit))
        plan.add(d.visit.lab_day, O_TCHEM, "TRT", n, "CHEM", _chem(d.visit))
        previous = d
    for n, a in enumerate(course.assessments, start=1):
        plan.add(a.day, O_TAV, "TAV", n, "TA", _ta(course, a))
    for n, ae in enumerate(course.adverse_events, start=1):
        plan.add(_ae_entry_day(course, n), O_AE, "AEV", n, "AE", _ae(ae))
    if course.death is not None:
        cause = course.death_cause or "UNKNOWN"
        dth: dict[str, object] = {
            "DTHDAT": course.death,
            "DTHCAUS": cause,
            "DTHSRC": r.choice(("Hospital record", "Telephone call with family")),
        }
        if cause == "AE":
            dth["DTHCAUSP"] = course.death_ae.term if course.death_ae else "Adverse event"
        if cause == "OTHER":
            dth["DTHCAUSP"] = course.death_other or "Other"
        plan.add(course.death, O_DTH, "DEATH", 1, "DTH", dth)
        plan.signatures.append(Signature("DEATH", 1, "DTH", "APPROVE"))
    for n, contact in enumerate(course.contacts, start=1):
        plan.add(contact.day, O_FU, "FU", n, "SURV", _surv(contact, course))
    plan.add(course.cutoff, O_RTX, "RTX", 1, "RT", _rtx(course))


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
            StatusChange(
                SubjectStatus.OFF_STUDY,
                course.eot_day,
                "Patient decision: stopped treatment and follow-up",
            )
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
