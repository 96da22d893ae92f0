"""Every subject's forms as ``SubjectData``, from a site's store or from a center dataset.

The derivations read a subject through the ``SubjectData`` protocol
(``occurrence_count``, ``form_data``). At a site that is the store's
:class:`~npc_crf.store.records.SubjectSnapshot`; at the coordinating center it is
built from the dataset payload (docs/bundle-format.md §3; ``Center.dataset()``)
with the CSV exporter's reader, which checks the payload and names every problem
by its JSON path, and the store's own decoding of typed values, so both sources
give the same answers for the same data.

Every subject is returned, screen failures included, each with its status: the
derivation decides who is left out of which analysis (``derive_subject``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from npc_crf.auth.roles import Permission
from npc_crf.forms.expr.evaluate import FormData, SubjectData
from npc_crf.forms.model import Study
from npc_crf.forms.subject_data import MemorySubject
from npc_crf.store.records import SubjectSnapshot
from npc_crf.store.values import from_columns

if TYPE_CHECKING:
    from npc_crf.exchange.csv_out.dataset import FormRecord
    from npc_crf.services.workspace import Workspace


class SourcedSubject:
    """A subject's forms (:class:`SubjectData`) and its status (``screen_failure``...)."""

    def __init__(self, data: SubjectData, status: str) -> None:
        self.data = data
        self.status = status

    def occurrence_count(self, event: str) -> int:
        """How many occurrences of ``event`` the subject has."""
        return self.data.occurrence_count(event)

    def form_data(self, event: str, occurrence: int, form: str) -> FormData | None:
        """The answers of ``form`` in that occurrence, or None."""
        return self.data.form_data(event, occurrence, form)


#: (subject ID, site ID, the subject's forms and status)
Sourced = tuple[str, str, SourcedSubject]


def site_subjects(ws: Workspace) -> list[Sourced]:
    """Every subject of the site in ``ws``, in ID order (needs permission to view data)."""
    ws.require(Permission.VIEW_DATA, "derive the endpoints")
    subjects = ws.subjects.list()
    found: list[Sourced] = []
    with ws.read() as conn:
        for info in subjects:
            snapshot = SubjectSnapshot(conn, info.subject_id, ws.study.forms)
            found.append((info.subject_id, ws.site_id, SourcedSubject(snapshot, info.status.value)))
    return found


def payload_subjects(
    study: Study, payload: Mapping[str, Any], site_id: str | None = None
) -> list[Sourced]:
    """Every subject of a dataset payload (one site or several; ``site_id``: only that
    site's), ordered by site and subject ID.

    Table sections (``values``/``audit`` as ``{columns, rows}``) are accepted as a
    bundle carries them. Raises ``DatasetError`` listing the problems of a payload that
    does not have the §3 shape.
    """
    from npc_crf.exchange.csv_out.dataset import read_dataset
    from npc_crf.sync.payload import expand_tables

    expanded = expand_tables(payload)
    dataset = read_dataset([expanded])
    occurrences: Counter[tuple[str, str]] = Counter(
        (str(e["subject_id"]), str(e["event_oid"])) for e in expanded.get("events") or ()
    )
    forms_of: dict[str, list[FormRecord]] = {}
    for record in dataset.forms:
        forms_of.setdefault(record.subject_id, []).append(record)
    found: list[Sourced] = []
    for subject in dataset.subjects:
        if site_id is not None and subject.site_id != site_id:
            continue
        events: dict[str, list[dict[str, FormData]]] = {
            event: [{} for _ in range(count)]
            for (sid, event), count in occurrences.items()
            if sid == subject.subject_id
        }
        for record in forms_of.get(subject.subject_id, ()):
            slots = events.setdefault(record.event_oid, [])
            while len(slots) < record.occurrence:
                slots.append({})
            slots[record.occurrence - 1][record.form_oid] = _answers(study, record)
        found.append(
            (
                subject.subject_id,
                subject.site_id,
                SourcedSubject(MemorySubject(events), subject.status),
            )
        )
    return found


def _answers(study: Study, record: FormRecord) -> dict[str, object]:
    """A form's answers as the store reads them (``npc_crf.store.records``): group rows as
    lists of row dicts in position order, missing-data codes as ``Missing``, items the
    definition no longer has left out."""
    answers: dict[str, Any] = {}
    rows: dict[str, dict[str, object]] = {}
    for row in record.rows:  # live rows, by group then position
        cells: dict[str, object] = {}
        answers.setdefault(row.group_oid, []).append(cells)
        rows[row.uid] = cells
    for value in record.values:
        decoded = from_columns(value.kind, value.text, value.missing_code)
        if decoded is None:
            continue
        if value.row is None:
            answers[value.item_oid] = decoded
        else:
            rows[value.row.uid][value.item_oid] = decoded
    form = study.forms.get(record.form_oid)
    if form is not None:
        answers = {k: a for k, a in answers.items() if form.item(k) is not None}
    return answers
