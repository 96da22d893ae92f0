"""Where a study keeps what the safety engine reads: its :class:`SafetyProfile`.

The two bundled studies name different items for the same thing (``AETOXGR`` and
``AEGRADE``, ``AESERCR`` and ``AESCRIT``, ``AERELSIN`` and ``AERELPD1``…), so each
has an explicit profile; any other study gets one derived from CDASH-like OIDs
(:func:`derive_safety_profile`). ``None`` means the study has no such item, and the
rule that needs it is not applied.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from npc_crf.forms.model import Form, Study

#: causality codes meaning "a reasonable possibility" (ICH E2A)
RELATED_CODES = frozenset({"POSSIBLE", "PROBABLE", "DEFINITE"})
#: outcomes after which an AE needs no further follow-up
FINAL_OUTCOMES = frozenset({"RECOVERED", "SEQUELAE", "FATAL"})


@dataclass(frozen=True)
class DoseSource:
    """A study drug given on one day per record: one form per occurrence of ``event``."""

    therapy: str  # what it is, for notes: "sintilimab", "PD-1 inhibitor", "chemotherapy"
    event: str
    form: str
    date_item: str
    #: yes/no: the dose was given (no: the record holds no dose)
    given_item: str | None = None
    #: yes/no: this was the last dose, the drug was stopped afterwards
    last_item: str | None = None


@dataclass(frozen=True)
class CourseSource:
    """A therapy given over a period (radiotherapy): a start and an end per record."""

    therapy: str
    event: str
    form: str
    start_item: str
    end_item: str
    #: the repeating group holding one course per row (None: one course per form)
    group: str | None = None
    #: a status item, and its codes meaning the course is still going on
    status_item: str | None = None
    ongoing_codes: frozenset[str] = frozenset()
    #: a form-level yes/no: any course given (no: the form holds no course)
    given_item: str | None = None


@dataclass(frozen=True)
class EndOfTreatment:
    """The end-of-treatment form: once it gives a last-dose date, treatment has ended."""

    event: str
    form: str
    #: the last date of each study therapy (the latest of them counts)
    last_dose_items: tuple[str, ...]


@dataclass(frozen=True)
class LabSource:
    """A laboratory form: its sample date and which item holds which analyte."""

    form: str
    date_item: str
    #: (item OID, analyte key of ``reference_ranges`` and the CTCAE lab terms)
    analytes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SafetyProfile:
    """Where a study keeps adverse events, doses and laboratory values."""

    ae_form: str | None
    term_item: str | None = None
    grade_item: str | None = None
    onset_item: str | None = None
    end_item: str | None = None
    #: yes/no "ongoing?" (None: ongoing is read from the outcome and end date)
    ongoing_item: str | None = None
    outcome_item: str | None = None
    final_outcomes: frozenset[str] = FINAL_OUTCOMES
    serious_item: str | None = None
    criteria_item: str | None = None
    #: seriousness criteria meaning fatal or life-threatening (the 7-day SUSAR clock)
    fatal_criteria: frozenset[str] = frozenset()
    aware_item: str | None = None  # the date the site became aware (SAE clock start)
    reported_item: str | None = None  # the date reported to the sponsor (stop; SUSAR day 0)
    expected_item: str | None = None  # yes/no: expected per the reference safety information
    susar_reported_item: str | None = None  # the date reported to regulator and ethics
    susar_followup_item: str | None = None  # the date the follow-up report was sent
    #: causality items, one per study therapy
    related_items: tuple[str, ...] = ()
    related_codes: frozenset[str] = RELATED_CODES
    irae_item: str | None = None
    #: a date the AE was last assessed (None: the form's last save counts alone)
    last_assessed_item: str | None = None
    doses: tuple[DoseSource, ...] = ()
    courses: tuple[CourseSource, ...] = ()
    end_of_treatment: EndOfTreatment | None = None
    labs: tuple[LabSource, ...] = ()

    def ae_items(self) -> set[str]:
        """Every AE item the profile names."""
        named = (
            self.term_item,
            self.grade_item,
            self.onset_item,
            self.end_item,
            self.ongoing_item,
            self.outcome_item,
            self.serious_item,
            self.criteria_item,
            self.aware_item,
            self.reported_item,
            self.expected_item,
            self.susar_reported_item,
            self.susar_followup_item,
            self.irae_item,
            self.last_assessed_item,
            *self.related_items,
        )
        return {oid for oid in named if oid}

    def items_by_form(self) -> dict[str, set[str]]:
        """Form OID -> the AE, dose, course and end-of-treatment items the engine reads
        (for bulk reading; the laboratory values are :meth:`lab_items_by_form`)."""
        wanted: dict[str, set[str]] = defaultdict(set)
        if self.ae_form:
            wanted[self.ae_form] |= self.ae_items()
        for dose in self.doses:
            wanted[dose.form] |= {o for o in (dose.date_item, dose.given_item, dose.last_item) if o}
        for course in self.courses:
            wanted[course.form] |= {
                o
                for o in (
                    course.start_item,
                    course.end_item,
                    course.status_item,
                    course.given_item,
                )
                if o
            }
        if self.end_of_treatment is not None:
            wanted[self.end_of_treatment.form] |= set(self.end_of_treatment.last_dose_items)
        return dict(wanted)

    def lab_items_by_form(self) -> dict[str, set[str]]:
        """Form OID -> the sample date and analyte items of each laboratory form."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for lab in self.labs:
            wanted[lab.form] |= {lab.date_item, *(oid for oid, _ in lab.analytes)}
        return dict(wanted)


_SINT_LABS = (
    LabSource("HEM", "LBDAT", (("HGB", "HGB"), ("WBC", "WBC"), ("ANC", "ANC"), ("LYM", "LYM"),
                               ("PLT", "PLT"))),
    LabSource("CHEM", "LBDAT", (("ALT", "ALT"), ("AST", "AST"), ("ALP", "ALP"), ("TBIL", "TBIL"),
                                ("CREAT", "CREAT"), ("ALB", "ALB"), ("SODIUM", "NA"),
                                ("POTAS", "K"))),
    LabSource("THY", "LBDAT", (("TSH", "TSH"), ("FT4", "FT4"))),
)  # fmt: skip

_NCT_LABS = (
    LabSource("HEM", "HEMDAT", (("WBC", "WBC"), ("ANC", "ANC"), ("LYM", "LYM"), ("HGB", "HGB"),
                                ("PLT", "PLT"))),
    LabSource("CHEM", "CHEMDAT", (("ALT", "ALT"), ("AST", "AST"), ("TBIL", "TBIL"),
                                  ("CREAT", "CREAT"), ("ALB", "ALB"))),
)  # fmt: skip

#: the bundled studies; other studies get :func:`derive_safety_profile`
SAFETY_PROFILES: dict[str, SafetyProfile] = {
    "NPC-SINT-RT": SafetyProfile(
        ae_form="AE",
        term_item="AETERM",
        grade_item="AETOXGR",
        onset_item="AESTDAT",
        end_item="AEENDAT",
        ongoing_item="AEONGO",
        outcome_item="AEOUT",
        serious_item="AESER",
        criteria_item="AESERCR",
        fatal_criteria=frozenset({"DEATH", "LIFE_THREAT"}),
        aware_item="AEAWDAT",
        reported_item="AERPTDAT",
        expected_item="AEEXPECT",
        susar_reported_item="AESUSDAT",
        susar_followup_item="AESUSFDAT",
        related_items=("AERELSIN", "AERELRT"),
        irae_item="AEIRAE",
        last_assessed_item="AEFUDAT",
        doses=(DoseSource("sintilimab", "CYCLE", "EX", "EXSTDAT", given_item="EXYN"),),
        courses=(
            CourseSource(
                "radiotherapy",
                "RTV",
                "RT",
                "RTSTDAT",
                "RTENDAT",
                status_item="RTSTAT",
                ongoing_codes=frozenset({"ONGOING"}),
            ),
        ),
        end_of_treatment=EndOfTreatment("EOTV", "EOT", ("EOTLDDAT", "EOTRTLD")),
        labs=_SINT_LABS,
    ),
    "NCT07062484": SafetyProfile(
        ae_form="AE",
        term_item="AETERM",
        grade_item="AEGRADE",
        onset_item="AESTDAT",
        end_item="AEENDAT",
        ongoing_item=None,  # ongoing = the outcome is not final
        outcome_item="AEOUT",
        serious_item="AESER",
        criteria_item="AESCRIT",
        fatal_criteria=frozenset({"DEATH", "LIFE"}),
        # a record review: no awareness, report or expectedness items (no expedited reports)
        related_items=("AERELPD1", "AERELCT", "AERELRT"),
        irae_item="AEIR",
        last_assessed_item="AEFUDAT",
        doses=(
            DoseSource("PD-1 inhibitor", "TRT", "PD1", "PD1STDAT", last_item="PD1LAST"),
            DoseSource("chemotherapy", "TRT", "CHEMO", "CMDAT", given_item="CMYN"),
        ),
        courses=(
            CourseSource(
                "radiotherapy", "RTX", "RT", "RT_STDAT", "RT_ENDAT", group="RTC", given_item="RTYN"
            ),
        ),
        end_of_treatment=None,
        labs=_NCT_LABS,
    ),
}


def _first(form: Form | None, *oids: str) -> str | None:
    """The first of ``oids`` that ``form`` has."""
    if form is None:
        return None
    return next((oid for oid in oids if form.item(oid) is not None), None)


def _codes(
    study: Study, form: Form | None, item_oid: str | None, wanted: set[str]
) -> frozenset[str]:
    """The codes of ``item_oid``'s code list that are among ``wanted``."""
    item = form.item(item_oid) if form is not None and item_oid else None
    codelist = study.codelist_for(item) if item is not None else None
    if codelist is None:
        return frozenset()
    return frozenset(str(i.code) for i in codelist.items if str(i.code) in wanted)


def _derived_doses(study: Study) -> tuple[DoseSource, ...]:
    """Dose forms of the cycle events (``anchor: previous``): EXSTDAT or EXDAT, EXYN."""
    doses: list[DoseSource] = []
    for event in study.events:
        if event.anchor != "previous":
            continue
        for form_oid in event.forms:
            form = study.forms[form_oid]
            date_item = _first(form, "EXSTDAT", "EXDAT")
            if date_item is not None:
                given = _first(form, "EXYN", "EXOCCUR")
                doses.append(DoseSource("study drug", event.oid, form_oid, date_item, given))
    return tuple(doses)


def _derived_courses(study: Study) -> tuple[CourseSource, ...]:
    """Radiotherapy forms: RTSTDAT and RTENDAT, per form or per row of their group."""
    courses: list[CourseSource] = []
    for event in study.events:
        for form_oid in event.forms:
            form = study.forms[form_oid]
            start, end = _first(form, "RTSTDAT"), _first(form, "RTENDAT")
            if start is None or end is None:
                continue
            group = form.group_of(start)
            status = _first(form, "RTSTAT")
            ongoing = _codes(study, form, status, {"ONGOING"})
            courses.append(
                CourseSource(
                    "radiotherapy",
                    event.oid,
                    form_oid,
                    start,
                    end,
                    group=group.oid if group is not None else None,
                    status_item=status,
                    ongoing_codes=ongoing,
                )
            )
    return tuple(courses)


def _derived_eot(study: Study) -> EndOfTreatment | None:
    for event in study.events:
        for form_oid in event.forms:
            form = study.forms[form_oid]
            last = _first(form, "EOTLDDAT")
            if last is not None:
                items = (last, *(o for o in ("EOTRTLD",) if form.item(o) is not None))
                return EndOfTreatment(event.oid, form_oid, items)
    return None


def _derived_labs(study: Study) -> tuple[LabSource, ...]:
    """Forms with a sample date (LBDAT) and items named like a reference range."""
    labs: list[LabSource] = []
    for form in study.forms.values():
        if form.item("LBDAT") is None:
            continue
        analytes = tuple((key, key) for key in study.reference_ranges if form.item(key) is not None)
        if analytes:
            labs.append(LabSource(form.oid, "LBDAT", analytes))
    return tuple(labs)


def derive_safety_profile(study: Study) -> SafetyProfile:
    """A profile from CDASH-like OIDs: the AE form is the one with ``AESER``."""
    ae_form = next((f for f in study.forms.values() if f.item("AESER") is not None), None)
    criteria = _first(ae_form, "AESERCR", "AESCRIT", "AESCAT")
    outcome = _first(ae_form, "AEOUT")
    related = tuple(
        item.oid
        for item, _group in (ae_form.all_items() if ae_form is not None else ())
        if item.oid.startswith("AEREL")
    )
    return SafetyProfile(
        ae_form=ae_form.oid if ae_form is not None else None,
        term_item=_first(ae_form, "AETERM", "AEDECOD"),
        grade_item=_first(ae_form, "AETOXGR", "AEGRADE"),
        onset_item=_first(ae_form, "AESTDAT"),
        end_item=_first(ae_form, "AEENDAT"),
        ongoing_item=_first(ae_form, "AEONGO", "AEENRF"),
        outcome_item=outcome,
        final_outcomes=_codes(study, ae_form, outcome, set(FINAL_OUTCOMES)) or FINAL_OUTCOMES,
        serious_item="AESER" if ae_form is not None else None,
        criteria_item=criteria,
        fatal_criteria=_codes(
            study, ae_form, criteria, {"DEATH", "LIFE_THREAT", "LIFE", "AESDTH", "AESLIFE"}
        ),
        aware_item=_first(ae_form, "AEAWDAT"),
        reported_item=_first(ae_form, "AERPTDAT"),
        expected_item=_first(ae_form, "AEEXPECT"),
        susar_reported_item=_first(ae_form, "AESUSDAT"),
        susar_followup_item=_first(ae_form, "AESUSFDAT"),
        related_items=related,
        irae_item=_first(ae_form, "AEIRAE", "AEIR"),
        last_assessed_item=_first(ae_form, "AEFUDAT"),
        doses=_derived_doses(study),
        courses=_derived_courses(study),
        end_of_treatment=_derived_eot(study),
        labs=_derived_labs(study),
    )


def safety_profile_for(study: Study) -> SafetyProfile:
    """The study's profile: the table for bundled studies, else derived."""
    return SAFETY_PROFILES.get(study.oid) or derive_safety_profile(study)
