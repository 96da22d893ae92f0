"""Which stored values need source data verification, read in bulk.

A form's definition says which of its items need SDV: ``sdv: all`` every item a
person answers, ``sdv: critical`` the items marked ``sdv: true`` (and every column
of a group marked so), ``sdv: none`` nothing. Calculated items and notes never
need it (their sources are verified instead). Only stored values count: an item
with a value or a missing-data code, in a row of a group that was not removed.

:func:`read_items` reads them with their SDV marks in one statement, for the whole
site, one subject or one form.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, func, or_, select

from npc_crf.forms.model import Form, SdvLevel, Study
from npc_crf.store.models import event_instance, form_instance, group_row, item_value, sdv_mark


class SdvState(StrEnum):
    """Whether a value that needs SDV has been verified as it is now."""

    VERIFIED = "verified"
    PENDING = "pending"


def required_items(form: Form) -> frozenset[str]:
    """OIDs of the items (group columns included) of ``form`` that need SDV when stored."""
    cache: frozenset[str] | None = form.__dict__.get("_sdv_required")
    if cache is not None:
        return cache
    found: set[str] = set()
    if form.sdv is not SdvLevel.NONE:
        for item, group in form.all_items():
            if not item.takes_input:
                continue
            flagged = item.sdv or (group is not None and group.sdv)
            if form.sdv is SdvLevel.ALL or flagged:
                found.add(item.oid)
    result = frozenset(found)
    object.__setattr__(form, "_sdv_required", result)
    return result


@dataclass(frozen=True)
class SdvItem:
    """One stored value that needs SDV, and its mark if it has one."""

    subject_id: str
    event_oid: str
    occurrence: int
    form_oid: str
    form_instance_id: int
    item_path: str  # "MH[2].MHTERM" inside a group
    row_uid: str  # '' outside groups
    item_oid: str
    value_version: int
    verified_version: int | None = None
    verified_by: str | None = None
    verified_at: str | None = None

    @property
    def state(self) -> SdvState:
        """Verified only when the mark is of the value's current version."""
        if self.verified_version is not None and self.verified_version == self.value_version:
            return SdvState.VERIFIED
        return SdvState.PENDING

    @property
    def form_key(self) -> tuple[str, str, int, str]:
        return (self.subject_id, self.event_oid, self.occurrence, self.form_oid)


def _wanted(study: Study) -> ColumnElement[bool] | None:
    """Per form, the items that need SDV (None: no form needs any)."""
    parts = [
        and_(form_instance.c.form_oid == oid, item_value.c.item_oid.in_(sorted(items)))
        for oid, form in sorted(study.forms.items())
        if (items := required_items(form))
    ]
    return or_(*parts) if parts else None


def _joined() -> Any:
    """Values with their form, event occurrence, group row and SDV mark."""
    return (
        item_value.join(form_instance, item_value.c.form_instance_id == form_instance.c.id)
        .join(event_instance, form_instance.c.event_instance_id == event_instance.c.id)
        .outerjoin(group_row, group_row.c.uid == item_value.c.row_uid)
        .outerjoin(
            sdv_mark,
            and_(
                sdv_mark.c.form_instance_id == item_value.c.form_instance_id,
                sdv_mark.c.row_uid == item_value.c.row_uid,
                sdv_mark.c.item_oid == item_value.c.item_oid,
            ),
        )
    )


def _stored(wanted: ColumnElement[bool]) -> ColumnElement[bool]:
    """Values that need SDV: wanted, stored (a value or a missing code), in a kept row."""
    return and_(
        wanted,
        or_(item_value.c.value.is_not(None), item_value.c.missing_code.is_not(None)),
        or_(item_value.c.row_uid == "", group_row.c.deleted.is_(False)),
    )


def read_items(
    conn: Connection,
    study: Study,
    *,
    subject_id: str | None = None,
    form_instance_id: int | None = None,
) -> list[SdvItem]:
    """Every stored value needing SDV (of the site, one subject, or one form), with its
    mark; in subject, event, occurrence, form order."""
    wanted = _wanted(study)
    if wanted is None:
        return []
    query = (
        select(
            event_instance.c.subject_id,
            event_instance.c.event_oid,
            event_instance.c.occurrence,
            form_instance.c.form_oid,
            form_instance.c.id,
            item_value.c.row_uid,
            item_value.c.item_oid,
            item_value.c.version,
            group_row.c.group_oid,
            group_row.c.position,
            sdv_mark.c.value_version,
            sdv_mark.c.verified_by,
            sdv_mark.c.verified_at,
        )
        .select_from(_joined())
        .where(_stored(wanted))
    )
    if subject_id is not None:
        query = query.where(event_instance.c.subject_id == subject_id)
    if form_instance_id is not None:
        query = query.where(form_instance.c.id == form_instance_id)
    found = [
        SdvItem(
            r.subject_id,
            r.event_oid,
            r.occurrence,
            r.form_oid,
            r.id,
            f"{r.group_oid}[{r.position}].{r.item_oid}" if r.row_uid else r.item_oid,
            r.row_uid,
            r.item_oid,
            r.version,
            r.value_version,
            r.verified_by,
            r.verified_at,
        )
        for r in conn.execute(query)
    ]
    order = {e.oid: n for n, e in enumerate(study.events)}
    found.sort(key=lambda i: _sort_key(i, study, order))
    return found


@dataclass(frozen=True)
class FormCount:
    """How many values of one stored form need SDV, and how many are verified as they are."""

    subject_id: str
    form_instance_id: int
    required: int
    verified: int


def count_items(
    conn: Connection, study: Study, *, subject_id: str | None = None
) -> list[FormCount]:
    """Per stored form with values needing SDV (of the site or one subject): how many
    and how many verified — counted by the database in one statement, without making
    an object per value (what :func:`read_items` does)."""
    wanted = _wanted(study)
    if wanted is None:
        return []
    verified = case((sdv_mark.c.value_version == item_value.c.version, 1), else_=0)
    query = (
        select(
            event_instance.c.subject_id,
            form_instance.c.id,
            func.count(),
            func.sum(verified),
        )
        .select_from(_joined())
        .where(_stored(wanted))
        .group_by(form_instance.c.id)
    )
    if subject_id is not None:
        query = query.where(event_instance.c.subject_id == subject_id)
    return [
        FormCount(sid, fid, int(n), int(done or 0)) for sid, fid, n, done in conn.execute(query)
    ]


def _sort_key(
    item: SdvItem, study: Study, order: dict[str, int]
) -> tuple[str, int, str, int, int, str, int, int, int]:
    """Subject, event (schedule order), occurrence, form (event order), items (form order)."""
    form = study.forms[item.form_oid]
    event = study.event(item.event_oid)
    forms = list(event.forms) if event is not None else []
    form_rank = forms.index(item.form_oid) if item.form_oid in forms else len(forms)
    positions = _positions(form)
    group, row = "", 0
    if item.row_uid:
        group, _, rest = item.item_path.partition("[")
        row = int(rest.split("]", 1)[0])
    return (
        item.subject_id,
        order.get(item.event_oid, 999),
        item.event_oid,
        item.occurrence,
        form_rank,
        item.form_oid,
        positions.get(group, 0) if group else positions.get(item.item_oid, 0),
        row,
        positions.get(item.item_oid, 0),
    )


def _positions(form: Form) -> dict[str, int]:
    cache: dict[str, int] | None = form.__dict__.get("_sdv_positions")
    if cache is None:
        cache = {item.oid: n for n, (item, _group) in enumerate(form.all_items())}
        object.__setattr__(form, "_sdv_positions", cache)
    return cache
