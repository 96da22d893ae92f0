"""What the demo does for one subject: form saves, status changes and signatures.

The study modules turn a :class:`~npc_crf.demo.timeline.Course` into a
:class:`SubjectPlan`; :func:`npc_crf.demo.create_demo_site` carries it out
through the services (every value through ``save_form``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from npc_crf.forms.subject_data import MemorySubject
from npc_crf.services.subjects import SubjectStatus


@dataclass(frozen=True)
class FormSave:
    """One form of one event occurrence, saved once with its final values."""

    day: dt.date  # when it happens clinically (saves are made in this order)
    order: int  # among saves of the same day: forms that others refer to come first
    event: str
    occurrence: int
    form: str
    values: Mapping[str, object]
    overrides: Mapping[str, str] = field(default_factory=dict)
    complete: bool = True


@dataclass(frozen=True)
class StatusChange:
    """A change of the subject's status."""

    status: SubjectStatus
    day: dt.date
    reason: str | None = None


@dataclass(frozen=True)
class Signature:
    """A form the investigator signs."""

    event: str
    occurrence: int
    form: str
    meaning: str


@dataclass
class SubjectPlan:
    """Everything to do for one subject, after enrolling it on ``screening``."""

    screening: dt.date
    saves: list[FormSave] = field(default_factory=list)
    statuses: list[StatusChange] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)

    def add(
        self,
        day: dt.date,
        order: int,
        event: str,
        occurrence: int,
        form: str,
        values: Mapping[str, object],
        *,
        overrides: Mapping[str, str] | None = None,
        complete: bool = True,
    ) -> None:
        """Plan a save."""
        self.saves.append(
            FormSave(day, order, event, occurrence, form, values, overrides or {}, complete)
        )

    def memory_subject(self) -> MemorySubject:
        """The subject's final form values in memory, as the engines read them (no store):
        each event as a list of occurrences, a missing occurrence as an empty one."""
        events: dict[str, list[dict[str, object]]] = {}
        for save in self.saves:
            occurrences = events.setdefault(save.event, [])
            while len(occurrences) < save.occurrence:
                occurrences.append({})
            occurrences[save.occurrence - 1][save.form] = dict(save.values)
        return MemorySubject(events)

    def ordered(self) -> list[FormSave]:
        """The saves in the order they are made: by day, then by ``order``, then as planned.

        Raises ValueError when occurrences of a repeating event would not be created in
        order 1, 2, 3… (the store refuses gaps).
        """
        keyed = sorted(enumerate(self.saves), key=lambda p: (p[1].day, p[1].order, p[0]))
        result = [s for _, s in keyed]
        seen: dict[str, int] = {}
        for save in result:
            highest = seen.get(save.event, 0)
            if save.occurrence > highest + 1:
                raise ValueError(
                    f"{save.event}[{save.occurrence}] would be created before "
                    f"{save.event}[{highest + 1}]"
                )
            seen[save.event] = max(highest, save.occurrence)
        return result
