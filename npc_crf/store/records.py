"""Reading clinical records: a form's answers, a subject's forms, in as few queries as possible."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, func, select

from npc_crf.forms.model import Form
from npc_crf.forms.session import ROW_KEY
from npc_crf.store.models import event_instance, form_instance, group_row, item_value
from npc_crf.store.values import from_columns

#: a database row read as a mapping (SQLAlchemy's RowMapping or a plain dict)
RowLike = Mapping[Any, Any]


@dataclass
class StoredForm:
    """One form instance's row and answers as the store holds them."""

    id: int
    uid: str
    form_oid: str
    form_version: str
    definition_hash: str
    status: str
    revision: int
    updated_at: str
    updated_by: str
    #: answers in FormSession's shape; group rows carry their identity under ROW_KEY
    answers: dict[str, Any] = field(default_factory=dict)
    #: "ITEM" or "GROUP[n].ITEM" → reason the soft warning was kept
    overrides: dict[str, str] = field(default_factory=dict)


def _assemble(
    form: Form | None,
    values: Iterable[RowLike],
    rows: Iterable[RowLike],
) -> tuple[dict[str, Any], dict[str, str]]:
    answers: dict[str, Any] = {}
    overrides: dict[str, str] = {}
    live: dict[str, list[RowLike]] = defaultdict(list)
    for row in rows:
        if not row["deleted"]:
            live[row["group_oid"]].append(row)
    position: dict[str, tuple[str, int]] = {}
    for group, members in live.items():
        members.sort(key=lambda r: r["position"])
        answers[group] = [{ROW_KEY: r["uid"]} for r in members]
        for n, r in enumerate(members, start=1):
            position[r["uid"]] = (group, n)
    for v in values:
        value = from_columns(v["kind"], v["value"], v["missing_code"])
        if v["row_uid"]:
            where = position.get(v["row_uid"])
            if where is None:
                continue  # a value of a deleted row
            group, n = where
            if value is not None:
                answers[group][n - 1][v["item_oid"]] = value
            path = f"{group}[{n}].{v['item_oid']}"
        else:
            if value is not None:
                answers[v["item_oid"]] = value
            path = v["item_oid"]
        if v["override_reason"]:
            overrides[path] = v["override_reason"]
    if form is not None:  # drop answers to items the definition no longer has
        answers = {k: a for k, a in answers.items() if form.item(k) is not None}
    return answers, overrides


def load_form(conn: Connection, instance_row: RowLike, form: Form | None) -> StoredForm:
    """The answers of one form instance."""
    fid = instance_row["id"]
    values = conn.execute(select(item_value).where(item_value.c.form_instance_id == fid)).mappings()
    rows = conn.execute(select(group_row).where(group_row.c.form_instance_id == fid)).mappings()
    answers, overrides = _assemble(form, list(values), list(rows))
    return StoredForm(
        id=fid,
        uid=instance_row["uid"],
        form_oid=instance_row["form_oid"],
        form_version=instance_row["form_version"],
        definition_hash=instance_row["definition_hash"],
        status=instance_row["status"],
        revision=instance_row["revision"],
        updated_at=instance_row["updated_at"],
        updated_by=instance_row["updated_by"],
        answers=answers,
        overrides=overrides,
    )


def subject_forms(
    conn: Connection, subject_id: str, forms: Mapping[str, Form]
) -> dict[tuple[str, int], dict[str, StoredForm]]:
    """Every form of a subject: (event, occurrence) → form OID → StoredForm (4 queries)."""
    events = (
        conn.execute(select(event_instance).where(event_instance.c.subject_id == subject_id))
        .mappings()
        .all()
    )
    by_event = {e["id"]: (e["event_oid"], e["occurrence"]) for e in events}
    out: dict[tuple[str, int], dict[str, StoredForm]] = {key: {} for key in by_event.values()}
    if not events:
        return out
    instances = (
        conn.execute(
            select(form_instance).where(form_instance.c.event_instance_id.in_(list(by_event)))
        )
        .mappings()
        .all()
    )
    ids = [i["id"] for i in instances]
    values: dict[int, list[RowLike]] = defaultdict(list)
    rows: dict[int, list[RowLike]] = defaultdict(list)
    for v in conn.execute(
        select(item_value).where(item_value.c.form_instance_id.in_(ids))
    ).mappings():
        values[v["form_instance_id"]].append(v)
    for r in conn.execute(
        select(group_row).where(group_row.c.form_instance_id.in_(ids))
    ).mappings():
        rows[r["form_instance_id"]].append(r)
    for inst in instances:
        form = forms.get(inst["form_oid"])
        answers, overrides = _assemble(form, values[inst["id"]], rows[inst["id"]])
        out[by_event[inst["event_instance_id"]]][inst["form_oid"]] = StoredForm(
            id=inst["id"],
            uid=inst["uid"],
            form_oid=inst["form_oid"],
            form_version=inst["form_version"],
            definition_hash=inst["definition_hash"],
            status=inst["status"],
            revision=inst["revision"],
            updated_at=inst["updated_at"],
            updated_by=inst["updated_by"],
            answers=answers,
            overrides=overrides,
        )
    return out


class StoreSubject:
    """The other forms of one subject, read lazily from the store (for expressions)."""

    def __init__(self, conn: Connection, subject_id: str, forms: Mapping[str, Form]) -> None:
        self.conn = conn
        self.subject_id = subject_id
        self.forms = forms
        self._counts: dict[str, int] = {}
        self._data: dict[tuple[str, int, str], Mapping[str, object] | None] = {}

    def occurrence_count(self, event: str) -> int:
        if event not in self._counts:
            self._counts[event] = int(
                self.conn.execute(
                    select(func.count())
                    .select_from(event_instance)
                    .where(
                        and_(
                            event_instance.c.subject_id == self.subject_id,
                            event_instance.c.event_oid == event,
                        )
                    )
                ).scalar_one()
            )
        return self._counts[event]

    def form_data(self, event: str, occurrence: int, form: str) -> Mapping[str, object] | None:
        key = (event, occurrence, form)
        if key not in self._data:
            inst = (
                self.conn.execute(
                    select(form_instance)
                    .join(event_instance, form_instance.c.event_instance_id == event_instance.c.id)
                    .where(
                        and_(
                            event_instance.c.subject_id == self.subject_id,
                            event_instance.c.event_oid == event,
                            event_instance.c.occurrence == occurrence,
                            form_instance.c.form_oid == form,
                        )
                    )
                )
                .mappings()
                .first()
            )
            if inst is None:
                self._data[key] = None
            else:
                stored = load_form(self.conn, inst, self.forms.get(form))
                self._data[key] = strip_row_keys(stored.answers)
        return self._data[key]


class SubjectSnapshot:
    """All forms of one subject read at once (4 queries), for a session that outlives
    its connection (the form entry screen keeps a session open while the nurse types)."""

    def __init__(self, conn: Connection, subject_id: str, forms: Mapping[str, Form]) -> None:
        self.subject_id = subject_id
        stored = subject_forms(conn, subject_id, forms)
        self._counts: dict[str, int] = {}
        self._data: dict[tuple[str, int, str], dict[str, Any]] = {}
        for (event, occurrence), by_form in stored.items():
            self._counts[event] = self._counts.get(event, 0) + 1
            for form_oid, form in by_form.items():
                self._data[(event, occurrence, form_oid)] = strip_row_keys(form.answers)

    def occurrence_count(self, event: str) -> int:
        return self._counts.get(event, 0)

    def form_data(self, event: str, occurrence: int, form: str) -> Mapping[str, object] | None:
        return self._data.get((event, occurrence, form))


def strip_row_keys(answers: RowLike) -> dict[str, Any]:
    """Answers without the store's row identities (for expressions and exports)."""
    return {
        k: [{c: v for c, v in r.items() if c != ROW_KEY} for r in a] if isinstance(a, list) else a
        for k, a in answers.items()
    }
