"""A site for the monitoring tests: two subjects, a kept soft warning, forms for SDV.

``build_monitoring_site`` makes it once per module (the tests copy it):

* subject A — consent (SCR/IC, ``sdv: all``), demographics (SCR/DM, ``sdv:
  critical``), medical history with two rows (SCR/MH, critical but nothing
  flagged), prior therapy with two lines (SCR/PRIOR, critical columns in a
  repeating group), and two cycles of treatment: cycle 2 starts 15 days after
  cycle 1, a soft warning kept with :data:`OVERRIDE_REASON` (so a failed-check
  query is raised by the save);
* subject B — consent and cycle 1 only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from npc_crf.services.subjects import SubjectStatus
from npc_crf.services.workspace import Workspace
from tests.store_helpers import (
    ADMIN,
    DOCTOR,
    MONITOR,
    NURSE,
    SiteTemplate,
    StoreSite,
    enrol_consented,
    mh_row,
    mh_values,
    populated_template,
)

USERS = (NURSE, DOCTOR, MONITOR)
OVERRIDE_REASON = "Brought forward for travel, agreed with the investigator"
EX_GIVEN: dict[str, object] = {
    "EXYN": "yes",
    "EXSTTIM": "11:20",
    "EXENTIM": "12:11",
    "EXDOSE": "200.0",
    "EXDLY": "no",
    "EXINTR": "no",
    "EXDISC": "no",
}
PRIOR_VALUES: dict[str, object] = {
    "PRNLINE": 2,
    "LINE": [
        {"PRLINE": 1, "PRSET": "INDUCTION", "PRREG": "GP", "PRPLAT": "yes", "PRICI": "no"},
        {"PRLINE": 2, "PRREG": "capecitabine", "PRPLAT": "no"},
    ],
}


def ex_values(cycle: int, start: str) -> dict[str, object]:
    """A complete study drug form of ``cycle`` starting on ``start``."""
    return {**EX_GIVEN, "EXCYCLE": cycle, "EXSTDAT": start}


def _treated(ws: Workspace) -> str:
    sid = enrol_consented(ws)
    ws.subjects.set_status(sid, SubjectStatus.ENROLLED, on=dt.date(2026, 1, 8))
    ws.subjects.set_status(sid, SubjectStatus.ON_TREATMENT, on=dt.date(2026, 1, 10))
    ws.casebook.save_form(sid, "CYCLE", 1, "EX", ex_values(1, "2026-01-10"), complete=True)
    return sid


def populate(ws: Workspace) -> tuple[str, str]:
    """Subjects A and B (see the module's text)."""
    a = _treated(ws)
    ws.casebook.save_form(
        a,
        "CYCLE",
        2,
        "EX",
        ex_values(2, "2026-01-25"),
        overrides={"EXSTDAT": OVERRIDE_REASON},
        complete=True,
    )
    ws.casebook.save_form(a, "SCR", 1, "DM", {"BRTHDAT": "1970-05-20", "SEX": "F"})
    ws.casebook.save_form(a, "SCR", 1, "MH", mh_values(mh_row("Hypertension"), mh_row("Gout")))
    ws.casebook.save_form(a, "SCR", 1, "PRIOR", PRIOR_VALUES)
    b = _treated(ws)
    return a, b


@dataclass(frozen=True)
class MonitoringSite:
    """The closed template and the subjects' IDs."""

    template: SiteTemplate
    a: str
    b: str

    def copy(self, dest: Path) -> StoreSite:
        return self.template.copy(dest)


def build_monitoring_site(base: Path) -> MonitoringSite:
    """Make the template site under ``base`` (about a second)."""
    template, (a, b) = populated_template(base, populate, users=USERS)
    return MonitoringSite(template, a, b)


@contextmanager
def logged_in(store: StoreSite, user: str) -> Iterator[Workspace]:
    """``user`` logged in for the block."""
    ws = store.login(user)
    try:
        yield ws
    finally:
        ws.logout()


__all__ = [
    "ADMIN",
    "DOCTOR",
    "MONITOR",
    "NURSE",
    "OVERRIDE_REASON",
    "MonitoringSite",
    "build_monitoring_site",
    "ex_values",
    "logged_in",
]
