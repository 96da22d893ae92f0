"""Where each study keeps the dates of its endpoints (like ``TUMOUR_MAPS`` for tumour data).

A :class:`DateItem` names a date item of a form; the item is read in every event
and occurrence that holds the form (so an unscheduled visit counts too). Tumour
assessments are not here: they come from the response engine
(``npc_crf.oncology.recist.from_forms.TUMOUR_MAPS``). ``docs/endpoints.md`` lists
both maps in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from npc_crf.forms.model import Study


@dataclass(frozen=True)
class DateItem:
    """A date item of one form, optionally in a repeating group, optionally conditional.

    ``when`` = (item, accepted values): the date counts only when that item (in the
    same row first, else on the form) has one of the values (``("EXYN", (True,))``).
    """

    form: str
    item: str
    group: str | None = None
    when: tuple[str, tuple[object, ...]] | None = None

    def __str__(self) -> str:
        inner = f"{self.group}[].{self.item}" if self.group else self.item
        return f"{self.form}.{inner}"


@dataclass(frozen=True)
class EndpointMap:
    """The dates of one study's endpoints."""

    #: administrations of the drug whose first dose is the start (``start: first_dose``)
    first_dose: tuple[DateItem, ...]
    #: the enrolment date (``start: enrolment``)
    enrolment: tuple[DateItem, ...]
    #: every date of study treatment: the latest is the end of treatment (full dates only)
    treatment: tuple[DateItem, ...]
    #: the date of death
    death: tuple[DateItem, ...]
    #: dates the subject was seen or known alive (full dates only)
    alive: tuple[DateItem, ...]
    #: progression recorded outside the tumour-assessment forms (clinical, or from records)
    clinical_progression: tuple[DateItem, ...]
    #: the start of a new anticancer therapy
    new_therapy: tuple[DateItem, ...]
    #: contacts that report the subject dead (a check: is there a date of death?)
    reported_dead: tuple[DateItem, ...] = ()


YES = (True,)

ENDPOINT_MAPS: dict[str, EndpointMap] = {
    "NPC-SINT-RT": EndpointMap(
        first_dose=(DateItem("EX", "EXSTDAT", when=("EXYN", YES)),),
        enrolment=(DateItem("ELIG", "ELIGDAT"),),
        treatment=(
            DateItem("EX", "EXSTDAT", when=("EXYN", YES)),
            DateItem("EOT", "EOTLDDAT"),
            DateItem("EOT", "EOTRTLD", when=("EOTRTYN", YES)),
            DateItem("RT", "RTENDAT"),
        ),
        death=(DateItem("DTH", "DTHDAT"),),
        alive=(
            DateItem("EX", "EXSTDAT", when=("EXYN", YES)),
            DateItem("VS", "VSDAT"),
            DateItem("PS", "PSDAT"),
            DateItem("HEM", "LBDAT"),
            DateItem("CHEM", "LBDAT"),
            DateItem("THY", "LBDAT"),
            DateItem("EBV", "EBVDAT"),
            DateItem("TA", "TADAT"),
            DateItem("RT", "RTSTDAT"),
            DateItem("RT", "RTENDAT"),
            # not EOT.EOTDAT: the end-of-treatment form is completed after a death too
            DateItem("SFU", "SFUDAT"),
            DateItem("SURV", "SURVDAT", when=("SURVSTAT", ("ALIVE",))),
            DateItem("SURV", "SURVLKA"),
        ),
        clinical_progression=(DateItem("SURV", "SURVPDDT", when=("SURVPD", YES)),),
        new_therapy=(
            DateItem("SFU", "SFUNTDAT", when=("SFUNTRT", YES)),
            DateItem("SURV", "SURVNTDT", when=("SURVNTRT", YES)),
        ),
        reported_dead=(DateItem("SURV", "SURVDAT", when=("SURVSTAT", ("DEAD",))),),
    ),
    "NCT07062484": EndpointMap(
        first_dose=(DateItem("PD1", "PD1STDAT"),),
        # a retrospective cohort enters at the index date, the first PD-1 inhibitor dose
        enrolment=(DateItem("PD1", "PD1STDAT"),),
        treatment=(
            DateItem("PD1", "PD1STDAT"),
            DateItem("CHEMO", "CMDAT", when=("CMYN", YES)),
            DateItem("RT", "RT_ENDAT", group="RTC", when=("RTYN", YES)),
        ),
        death=(DateItem("DTH", "DTHDAT"),),
        alive=(
            DateItem("PD1", "PD1STDAT"),
            DateItem("CHEMO", "CMDAT", when=("CMYN", YES)),
            DateItem("PS", "PSDAT"),
            DateItem("HEM", "HEMDAT"),
            DateItem("CHEM", "CHEMDAT"),
            DateItem("TA", "TADAT"),
            DateItem("SURV", "LKADAT"),
        ),
        clinical_progression=(DateItem("SURV", "PDDAT", when=("PDYN", YES)),),
        new_therapy=(DateItem("SURV", "NT_STDAT", group="NT", when=("NTYN", YES)),),
        reported_dead=(DateItem("SURV", "SVDAT", when=("SVSTAT", ("DEAD",))),),
    ),
}


def endpoint_map(study: Study) -> EndpointMap | None:
    """The study's map, when it has one."""
    return ENDPOINT_MAPS.get(study.oid)
