"""Bulk reading: every subject's event occurrences, form statuses and chosen items.

A handful of queries for the whole site (or one subject), not one per subject and form.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, select

from npc_crf.forms.expr.ast import CrossRef, ItemRef, walk
from npc_crf.forms.expr.evaluate import FormData
from npc_crf.forms.model import Form, Study
from npc_crf.services.subjects import SubjectStatus
from npc_crf.services.worklist.profile import StudyProfile
from npc_crf.store.models import event_instance, form_instance, group_row, item_value, subject
from npc_crf.store.values import from_columns


@dataclass
class FormRow:
    """One stored form as read: its ID, form OID, status and the items read."""

    id: int
    form_oid: str
    status: str
    values: dict[str, object] = field(default_factory=dict)  # only the items read
    updated_at: str = ""  # the last save (ISO 8601, UTC)

    @property
    def saved_on(self) -> dt.date | None:
        """The local day of the last save."""
        if not self.updated_at:
            return None
        return dt.datetime.fromisoformat(self.updated_at).astimezone().date()


@dataclass
class SubjectRows:
    """One subject's rows as read in bulk: a SubjectData for the schedule and anchors."""

    subject_id: str
    status: SubjectStatus
    #: event OID -> occurrence -> form OID -> form
    events: dict[str, dict[int, dict[str, FormRow]]] = field(
        default_factory=lambda: defaultdict(dict)
    )

    def occurrence_count(self, event: str) -> int:
        occurrences = self.events.get(event)
        return max(occurrences) if occurrences else 0

    def form_data(self, event: str, occurrence: int, form: str) -> FormData | None:
        found = self.events.get(event, {}).get(occurrence, {}).get(form)
        return found.values if found is not None else None

    def saved_on(self, event: str, occurrence: int, form: str) -> dt.date | None:
        """The day ``form`` of that occurrence was last saved (None: not saved)."""
        found = self.events.get(event, {}).get(occurrence, {}).get(form)
        return found.saved_on if found is not None else None


class Reader:
    """Reads subjects, their event occurrences, form statuses and chosen items in bulk.

    The items read are those of the study's anchors, the scheduled events'
    ``date_item`` (and what its skip logic reads), the profile's dates and the
    adverse-event items, and ``extra`` (form OID -> item OIDs: what the safety rules
    read): four queries for the whole site, two more when one of them is in a
    repeating group.
    """

    def __init__(
        self,
        study: Study,
        profile: StudyProfile | None,
        extra: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.study = study
        #: read only these forms (None: every form, for statuses): see :meth:`of_items`
        self.forms_only: frozenset[str] | None = None
        wanted: dict[str, set[str]] = defaultdict(set)  # form OID -> item or group OIDs
        for form_oid, oids in (extra or {}).items():
            wanted[form_oid].update(oids)
        if profile is not None:
            self._want_schedule(profile, wanted)
        self.items: dict[str, set[str]] = {}  # form -> top-level items
        self.groups: dict[str, dict[str, set[str]]] = {}  # form -> group -> columns
        for form_oid, oids in wanted.items():
            form = study.forms.get(form_oid)
            if form is None:
                continue
            for oid in oids:
                self._place(form, oid)

    @classmethod
    def of_items(cls, study: Study, wanted: Mapping[str, Iterable[str]]) -> Reader:
        """A reader of only ``wanted`` (form OID -> item OIDs), and only of those forms."""
        reader = cls(study, None, wanted)
        reader.forms_only = frozenset(wanted)
        return reader

    def _want_schedule(self, profile: StudyProfile, wanted: dict[str, set[str]]) -> None:
        """What the schedule and the Subjects table need."""
        study = self.study
        for anchor in study.anchors.values():
            for node in walk(anchor.date.tree):
                if isinstance(node, CrossRef):
                    self._want_ref(node, wanted)
        for event in study.events:
            if event.date_item is not None:
                self._want_date_item(*event.date_item, wanted)
        for at in (*profile.enrolment_date, profile.birth_date, profile.sex):
            if at is not None:
                wanted[at.form].add(at.item)
        if profile.ae_form:
            for oid in (profile.ae_serious_item, profile.ae_outcome_item, profile.ae_term_item):
                if oid:
                    wanted[profile.ae_form].add(oid)

    def _want_date_item(self, form_oid: str, item_oid: str, wanted: dict[str, set[str]]) -> None:
        """The date item and what its skip logic reads (a hidden date means done)."""
        wanted[form_oid].add(item_oid)
        form = self.study.forms.get(form_oid)
        item = form.item(item_oid) if form is not None else None
        if form is None or item is None:
            return
        section = form.section_of(item_oid)
        for condition in (item.relevant, section.relevant if section else None):
            for node in walk(condition.tree) if condition else ():
                if isinstance(node, ItemRef):
                    wanted[form_oid].add(node.name)
                elif isinstance(node, CrossRef):
                    self._want_ref(node, wanted)

    def _want_ref(self, node: CrossRef, wanted: dict[str, set[str]]) -> None:
        parts = node.parts if self.study.event(node.head) is not None else (node.head, *node.parts)
        if len(parts) >= 2:
            wanted[parts[0]].add(parts[1])

    def _place(self, form: Form, oid: str) -> None:
        item = form.item(oid)
        if item is None:
            return
        group = item if item.is_group else form.group_of(oid)
        if group is None:
            self.items.setdefault(form.oid, set()).add(oid)
            return
        columns = self.groups.setdefault(form.oid, {}).setdefault(group.oid, set())
        if item.is_group:
            columns.update(c.oid for c in item.items)
        else:
            columns.add(oid)

    def read(self, conn: Connection, subject_id: str | None = None) -> dict[str, SubjectRows]:
        """Subject ID -> rows, for every subject or just ``subject_id``."""
        query = select(subject.c.subject_id, subject.c.status)
        if subject_id is not None:
            query = query.where(subject.c.subject_id == subject_id)
        subjects = {
            r.subject_id: SubjectRows(r.subject_id, SubjectStatus(r.status))
            for r in conn.execute(query.order_by(subject.c.subject_id))
        }
        if not subjects:
            return subjects
        occurrences = select(
            event_instance.c.id,
            event_instance.c.subject_id,
            event_instance.c.event_oid,
            event_instance.c.occurrence,
        )
        if subject_id is not None:
            occurrences = occurrences.where(event_instance.c.subject_id == subject_id)
        held: dict[int, dict[str, FormRow]] = {}  # event instance ID -> its forms
        for eid, sid, event_oid, occurrence in conn.execute(occurrences):
            owner = subjects.get(sid)
            if owner is not None:
                held[eid] = owner.events[event_oid].setdefault(occurrence, {})
        form_rows = select(
            form_instance.c.id,
            form_instance.c.event_instance_id,
            form_instance.c.form_oid,
            form_instance.c.status,
            form_instance.c.updated_at,
        )
        if subject_id is not None:
            form_rows = form_rows.where(form_instance.c.event_instance_id.in_(list(held)))
        if self.forms_only is not None:
            form_rows = form_rows.where(form_instance.c.form_oid.in_(sorted(self.forms_only)))
        forms: dict[int, FormRow] = {}
        for r in conn.execute(form_rows):
            into = held.get(r[1])
            if into is not None:
                into[r[2]] = forms[r[0]] = FormRow(r[0], r[2], r[3], updated_at=r[4])
        self._read_values(conn, forms, subject_id)
        if self.groups:
            self._read_groups(conn, forms, subject_id)
        return subjects

    def _read_values(
        self, conn: Connection, forms: Mapping[int, FormRow], subject_id: str | None
    ) -> None:
        all_items = {oid for oids in self.items.values() for oid in oids}
        if not all_items:
            return
        joined = form_instance.join(
            item_value,
            and_(
                item_value.c.form_instance_id == form_instance.c.id,
                item_value.c.row_uid == "",
                item_value.c.item_oid.in_(sorted(all_items)),
            ),
        )
        query = (
            select(
                item_value.c.form_instance_id,
                item_value.c.item_oid,
                item_value.c.kind,
                item_value.c.value,
                item_value.c.missing_code,
            )
            .select_from(joined)
            .where(form_instance.c.form_oid.in_(sorted(self.items)))
        )
        if subject_id is not None:
            query = query.where(form_instance.c.id.in_(list(forms)))
        for fid, item_oid, kind, text, missing in conn.execute(query):
            form = forms.get(fid)
            if form is None or item_oid not in self.items.get(form.form_oid, ()):
                continue
            value = from_columns(kind, text, missing)
            if value is not None:
                form.values[item_oid] = value

    def _read_groups(
        self, conn: Connection, forms: Mapping[int, FormRow], subject_id: str | None
    ) -> None:
        group_oids = sorted({g for groups in self.groups.values() for g in groups})
        query = select(group_row.c.uid, group_row.c.form_instance_id, group_row.c.group_oid).where(
            and_(group_row.c.group_oid.in_(group_oids), group_row.c.deleted.is_(False))
        )
        if subject_id is not None:
            query = query.where(group_row.c.form_instance_id.in_(list(forms)))
        rows: dict[str, dict[str, object]] = {}
        for r in conn.execute(query.order_by(group_row.c.form_instance_id, group_row.c.position)):
            form = forms.get(r.form_instance_id)
            if form is None or r.group_oid not in self.groups.get(form.form_oid, {}):
                continue
            cells: dict[str, object] = {}
            table = form.values.setdefault(r.group_oid, [])
            assert isinstance(table, list)
            table.append(cells)
            rows[r.uid] = cells
        columns = sorted({c for groups in self.groups.values() for g in groups.values() for c in g})
        values = select(
            item_value.c.row_uid,
            item_value.c.item_oid,
            item_value.c.kind,
            item_value.c.value,
            item_value.c.missing_code,
        ).where(and_(item_value.c.row_uid != "", item_value.c.item_oid.in_(columns)))
        if subject_id is not None:
            values = values.where(item_value.c.row_uid.in_(list(rows)))
        for v in conn.execute(values):
            cells_of = rows.get(v.row_uid)
            value = from_columns(v.kind, v.value, v.missing_code)
            if cells_of is not None and value is not None:
                cells_of[v.item_oid] = value


@dataclass(frozen=True)
class Snapshot:
    """The rows of every subject as of audit entry ``head``."""

    head: int
    subjects: dict[str, SubjectRows]


#: above this many subjects changed since the last read, everything is read again
REREAD_LIMIT = 20
