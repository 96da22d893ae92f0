"""A subject's endpoint dates, read from its forms through the study's :class:`EndpointMap`.

Everything recorded is read, whatever the data cut-off: the derivations apply the
cut-off (``rules``), so that, for example, a death after the cut-off still tells
that the subject was alive on it. Partial dates are imputed by ``dates.impute``
with these floors: a death not before the last day the subject was known alive,
a progression or a new therapy not before the day after the start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from npc_crf.endpoints.derive.dates import Dated, full_date, impute
from npc_crf.endpoints.derive.maps import DateItem, EndpointMap
from npc_crf.forms.expr.evaluate import Missing, SubjectData
from npc_crf.forms.model import Study


@dataclass(frozen=True)
class SubjectFacts:
    """The dates of one subject (all recorded, before any cut-off)."""

    start: Dated | None  # the origin by the ``start`` setting
    first_dose: Dated | None
    treatment: tuple[dt.date, ...]  # every study-treatment date, sorted
    alive: tuple[dt.date, ...]  # every date the subject was known alive, sorted
    death: Dated | None  # the earliest date of death recorded
    clinical_progression: Dated | None  # the earliest progression recorded outside imaging
    new_therapy: Dated | None  # the earliest start of a new anticancer therapy
    reported_dead: Dated | None  # the first contact that reports the subject dead
    notes: tuple[str, ...]


def read_values(study: Study, data: SubjectData, ref: DateItem) -> Iterator[tuple[str, object]]:
    """``(where, value)`` of ``ref`` in every event occurrence holding its form (the
    ``when`` condition met), ``where`` as ``EVENT[n]/FORM/ITEM`` or ``…/GROUP[r].ITEM``."""
    for event in study.events:
        if ref.form not in event.forms:
            continue
        for occurrence in range(1, data.occurrence_count(event.oid) + 1):
            form = data.form_data(event.oid, occurrence, ref.form)
            if form is None:
                continue
            where = f"{event.oid}[{occurrence}]/{ref.form}"
            if ref.group is None:
                if _accepted(ref, None, form):
                    yield f"{where}/{ref.item}", form.get(ref.item)
                continue
            rows = form.get(ref.group)
            for n, row in enumerate(rows if isinstance(rows, list) else [], 1):
                if isinstance(row, Mapping) and _accepted(ref, row, form):
                    yield f"{where}/{ref.group}[{n}].{ref.item}", row.get(ref.item)


def _accepted(ref: DateItem, row: Mapping[str, object] | None, form: Mapping[str, object]) -> bool:
    if ref.when is None:
        return True
    item, accepted = ref.when
    value = row[item] if row is not None and item in row else form.get(item)
    if isinstance(value, Missing) or value is None:
        return False
    return any(value is a or (type(value) is type(a) and value == a) for a in accepted)


def _full_dates(study: Study, data: SubjectData, refs: tuple[DateItem, ...]) -> list[Dated]:
    found: list[Dated] = []
    for ref in refs:
        for where, value in read_values(study, data, ref):
            day = full_date(value)
            if day is not None:
                found.append(Dated(day, where))
    return sorted(found, key=lambda d: (d.date, d.where))


def _earliest(
    study: Study, data: SubjectData, refs: tuple[DateItem, ...], floor: dt.date | None
) -> Dated | None:
    found = [
        dated
        for ref in refs
        for where, value in read_values(study, data, ref)
        if (dated := impute(value, where, floor)) is not None
    ]
    return min(found, key=lambda d: (d.date, d.where), default=None)


def read_facts(study: Study, data: SubjectData, emap: EndpointMap, start: str) -> SubjectFacts:
    """The subject's dates; ``start`` is the setting (``first_dose`` or ``enrolment``)."""
    notes: list[str] = []
    doses = _full_dates(study, data, emap.first_dose)
    first_dose = doses[0] if doses else None
    if start == "enrolment":
        enrolled = _full_dates(study, data, emap.enrolment)
        origin = enrolled[0] if enrolled else None
    else:
        origin = first_dose
    alive = _full_dates(study, data, emap.alive)
    last_alive = alive[-1].date if alive else None
    death = _earliest(study, data, emap.death, last_alive)
    if death is not None and last_alive is not None and last_alive > death.date:
        seen = alive[-1]
        notes.append(
            f"{seen.where}: the subject was seen on {seen.date.isoformat()}, after the date of "
            f"death ({death.where}: {death.date.isoformat()}); check the data"
        )
    after_start = origin.date + dt.timedelta(days=1) if origin is not None else None
    progression = _earliest(study, data, emap.clinical_progression, after_start)
    new_therapy = _earliest(study, data, emap.new_therapy, after_start)
    reported = _full_dates(study, data, emap.reported_dead)
    reported_dead = reported[0] if reported else None
    if reported_dead is not None and death is None:
        notes.append(
            f"{reported_dead.where}: the subject is reported dead on "
            f"{reported_dead.date.isoformat()} but no date of death is recorded; "
            "OS is censored until it is"
        )
    for dated in (death, progression, new_therapy):
        if dated is not None and dated.note is not None:
            notes.append(dated.note)
    return SubjectFacts(
        start=origin,
        first_dose=first_dose,
        treatment=tuple(d.date for d in _full_dates(study, data, emap.treatment)),
        alive=tuple(d.date for d in alive),
        death=death,
        clinical_progression=progression,
        new_therapy=new_therapy,
        reported_dead=reported_dead,
        notes=tuple(notes),
    )
