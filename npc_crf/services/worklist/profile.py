"""Where a study keeps what the worklist reads: the profile of each study."""

from __future__ import annotations

from dataclasses import dataclass

from npc_crf.forms.model import Study


@dataclass(frozen=True)
class ItemAt:
    """An item of a form in an event: ``SCR.IC.ICDAT``."""

    event: str
    form: str
    item: str


@dataclass(frozen=True)
class StudyProfile:
    """Where a study keeps what the worklist reads (derived from OIDs, or from the table)."""

    cycle_event: str | None  # the treatment cycles ("current cycle")
    first_dose_anchor: str | None
    enrolment_date: tuple[ItemAt, ...]  # tried in order: the first full date wins
    birth_date: ItemAt | None
    sex: ItemAt | None
    ae_form: str | None
    ae_serious_item: str | None
    ae_outcome_item: str | None
    ae_term_item: str | None = None  # names an AE in the worklist
    ae_grade_item: str | None = None  # the CTCAE grade of an AE (its texts follow the term)


#: the bundled studies; other studies get :func:`derive_profile`
STUDY_PROFILES: dict[str, StudyProfile] = {
    "NPC-SINT-RT": StudyProfile(
        cycle_event="CYCLE",
        first_dose_anchor="first_dose",
        enrolment_date=(ItemAt("SCR", "IC", "ICDAT"),),
        birth_date=ItemAt("SCR", "DM", "BRTHDAT"),
        sex=ItemAt("SCR", "DM", "SEX"),
        ae_form="AE",
        ae_serious_item="AESER",
        ae_outcome_item="AEOUT",
        ae_term_item="AETERM",
        ae_grade_item="AETOXGR",
    ),
    "NCT07062484": StudyProfile(
        cycle_event="TRT",
        first_dose_anchor="index_date",  # the first PD-1 inhibitor dose
        # retrospective: consent, or the date consent was waived by the ethics committee
        enrolment_date=(ItemAt("SCR", "IC", "ICDAT"), ItemAt("SCR", "IC", "WVDAT")),
        birth_date=ItemAt("SCR", "DM", "BRTHDAT"),
        sex=ItemAt("SCR", "DM", "SEX"),
        ae_form="AE",
        ae_serious_item="AESER",
        ae_outcome_item="AEOUT",
        ae_term_item="AETERM",
        ae_grade_item="AEGRADE",
    ),
}


def _find_item(study: Study, item_oid: str) -> ItemAt | None:
    """The first event (in schedule order) holding a form with ``item_oid``."""
    for event in study.events:
        for form_oid in event.forms:
            if study.forms[form_oid].item(item_oid) is not None:
                return ItemAt(event.oid, form_oid, item_oid)
    return None


def derive_profile(study: Study) -> StudyProfile:
    """A profile from CDASH-style item OIDs: ICDAT, BRTHDAT, SEX, AESER, AEOUT, AETERM,
    AETOXGR (or AEGRADE)."""
    cycles = [e.oid for e in study.events if e.anchor == "previous"]
    ae_form = next((f.oid for f in study.forms.values() if f.item("AESER") is not None), None)
    ae = study.forms.get(ae_form) if ae_form else None
    consent = _find_item(study, "ICDAT")
    return StudyProfile(
        cycle_event=cycles[0] if cycles else None,
        first_dose_anchor="first_dose" if "first_dose" in study.anchors else None,
        enrolment_date=(consent,) if consent else (),
        birth_date=_find_item(study, "BRTHDAT"),
        sex=_find_item(study, "SEX"),
        ae_form=ae_form,
        ae_serious_item="AESER" if ae_form else None,
        ae_outcome_item="AEOUT" if ae is not None and ae.item("AEOUT") is not None else None,
        ae_term_item="AETERM" if ae is not None and ae.item("AETERM") is not None else None,
        ae_grade_item=next(
            (oid for oid in ("AETOXGR", "AEGRADE") if ae is not None and ae.item(oid) is not None),
            None,
        ),
    )


def profile_for(study: Study) -> StudyProfile:
    """The study's profile: the table for bundled studies, else derived."""
    return STUDY_PROFILES.get(study.oid) or derive_profile(study)
