"""A dataset as ODM ``ClinicalData``: subjects, events, forms, rows and typed values.

The writer hands out the markup of one element at a time (a ``SubjectData``, then
``AuditRecords`` and ``Annotations`` containers of at most :data:`CHUNK`
records), so the caller streams them into the file: memory holds one subject's
markup, never the whole document.

* ``SubjectData`` → ``SiteRef``, annotations (status, subject queries), ``StudyEventData``
  (``StudyEventRepeatKey`` = occurrence of repeating events) → ``FormData`` → the
  newest valid ``Signature``, annotations (status, other signatures, form queries),
  ``ItemGroupData`` ``IG.<FORM>`` for plain items and ``IG.<FORM>.<GROUP>`` per live row
  (``ItemGroupRepeatKey`` = row position) → typed ``ItemData*`` elements.
* A value with a missing-data code is ``ItemDataAny IsNull="Yes"`` with an annotation
  flag (typed elements other than ItemDataAny have no IsNull attribute).
* Rows removed from a repeating group are not exported (a Snapshot holds current data).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field

from npc_crf.exchange.odm import npc_lists, oids
from npc_crf.exchange.odm.dataset import Dataset, Record
from npc_crf.exchange.odm.datatypes import NULL_ELEMENT, data_type, typed
from npc_crf.exchange.odm.metadata import holds_data, unit_oids
from npc_crf.exchange.odm.notes import (
    Flag,
    Seq,
    annotation,
    audit_record,
    query_note,
    signature,
    signature_text,
)
from npc_crf.exchange.odm.xmltext import Lines, attribute, text
from npc_crf.forms.model import Form, Item, Study, Text

#: records per AuditRecords / Annotations container element
CHUNK = 2000
#: the level (depth below ODM) of SubjectData, AuditRecords and Annotations
LEVEL = 2

#: audit actions that change a value: the newest is the ItemData's AuditRecordID
VALUE_ACTIONS = frozenset({"value_entered", "value_changed", "value_cleared"})

_FormKey = tuple[str, int, str]  # event OID, occurrence, form OID


@dataclass
class ClinicalCounts:
    """What the clinical part of an export holds, and what it left out (with where)."""

    subjects: int = 0
    events: int = 0
    forms: int = 0
    values: int = 0
    missing: int = 0
    signatures: int = 0
    queries: int = 0
    audit_records: int = 0
    item_annotations: int = 0
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Layout:
    """Where each data item of a form goes: the plain group or a repeating group."""

    plain: tuple[Item, ...]
    groups: tuple[tuple[Item, tuple[Item, ...]], ...]
    group_of: Mapping[str, str | None]
    #: per item: its ItemOID attribute, its MeasurementUnitOID attribute (or ""), DataType
    markup: Mapping[str, tuple[str, str, str]]

    @classmethod
    def of(cls, form: Form, study: Study, units: Mapping[Text, str]) -> _Layout:
        plain: list[Item] = []
        groups: list[tuple[Item, tuple[Item, ...]]] = []
        group_of: dict[str, str | None] = {}
        for section in form.sections:
            for item in section.items:
                if item.is_group:
                    columns = tuple(c for c in item.items if holds_data(c))
                    groups.append((item, columns))
                    group_of.update(dict.fromkeys((c.oid for c in columns), item.oid))
                elif holds_data(item):
                    plain.append(item)
                    group_of[item.oid] = None
        markup = {
            item.oid: (
                f' ItemOID="{attribute(oids.item(form.oid, item.oid))}"',
                f' MeasurementUnitOID="{attribute(units[item.unit])}"' if item.unit else "",
                data_type(item, study.codelist_for(item)),
            )
            for item, _group in form.all_items()
            if holds_data(item)
        }
        return cls(tuple(plain), tuple(groups), group_of, markup)


@dataclass
class _SubjectQueries:
    """A subject's queries sorted by what they are about."""

    subject: list[Record] = field(default_factory=list)
    event: dict[tuple[str, int], list[Record]] = field(default_factory=lambda: defaultdict(list))
    form: dict[_FormKey, list[Record]] = field(default_factory=lambda: defaultdict(list))
    item: dict[_FormKey, list[Record]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, queries: list[Record]) -> _SubjectQueries:
        found = cls()
        for q in sorted(queries, key=lambda q: (q.get("created_at") or "", q["uid"])):
            event = q.get("event_oid")
            if not event:
                found.subject.append(q)
                continue
            occurrence = int(q.get("occurrence") or 1)
            form = q.get("form_oid")
            if not form:
                found.event[(event, occurrence)].append(q)
            elif not q.get("item_path"):
                found.form[(event, occurrence, form)].append(q)
            else:
                found.item[(event, occurrence, form)].append(q)
        return found

    def forms_of(self, event: tuple[str, int]) -> set[str]:
        """Forms of an event occurrence that queries are about."""
        return {k[2] for k in (*self.form, *self.item) if k[:2] == event}


@dataclass(frozen=True)
class _FormData:
    """One form instance to write and what belongs to it."""

    form: Form
    stored: Record | None
    where: str
    location: str
    queries: list[Record]
    item_queries: list[Record]
    changes: Mapping[tuple[str, str], str]


def _query_item(query: Record) -> str:
    """The item OID a query's item path names (``AE[2].AETERM`` → ``AETERM``)."""
    return str(query["item_path"]).rsplit(".", 1)[-1]


class ClinicalWriter:
    """Turns a dataset into ClinicalData markup, one subject at a time."""

    def __init__(self, study: Study, dataset: Dataset, subjects: Collection[str]) -> None:
        self.study = study
        self.dataset = dataset
        self.subject_ids = list(subjects)
        self.counts = ClinicalCounts()
        self._units = unit_oids(study)
        self._layouts = {
            oid: _Layout.of(form, study, self._units) for oid, form in study.forms.items()
        }
        self._event_order = {e.oid: n for n, e in enumerate(study.events)}
        chosen = set(self.subject_ids)
        #: the audit entries of each exported subject, in the dataset's order
        self.audit_of: dict[str, list[Record]] = defaultdict(list)
        for entry in dataset.audit:
            if entry.get("subject_id") in chosen:
                self.audit_of[entry["subject_id"]].append(entry)
        self._item_notes: list[tuple[str, str | None, tuple[Flag, ...]]] = []
        self._record_ids: dict[str, str] = {}

    # -- IDs ----------------------------------------------------------------------------------

    def record_id(self, entry: Record) -> str:
        """The AuditRecord ID of an audit entry: ``AR.<site>-<installation number>.<seq>``."""
        installation = str(entry["installation_id"])
        label = self._record_ids.get(installation)
        if label is None:
            number = self.dataset.installation_numbers.get(installation)
            subject = entry.get("subject_id")
            if number is None or not subject:
                label = installation
            else:
                label = f"{self.dataset.site_of(str(subject))}-{number:02d}"
            self._record_ids[installation] = label
        return oids.audit_record(label, int(entry["seq"]))

    # -- SubjectData ------------------------------------------------------------------------

    def subjects(self) -> Iterator[str]:
        """The markup of one ``SubjectData`` per exported subject, in subject ID order."""
        for subject_id in self.subject_ids:
            yield self._subject(self.dataset.subjects[subject_id])

    def _latest_changes(self, subject_id: str) -> dict[_FormKey, dict[tuple[str, str], str]]:
        """AuditRecord ID of the newest change of each value of a subject, by form and
        (row uid, item OID)."""
        newest: dict[_FormKey, dict[tuple[str, str], Record]] = {}
        for e in self.audit_of.get(subject_id, ()):
            path = e.get("item_path")
            if not path or e["action"] not in VALUE_ACTIONS:
                continue
            form_key = (e["event_oid"], int(e.get("occurrence") or 1), e["form_oid"])
            found = newest.get(form_key)
            if found is None:
                found = newest[form_key] = {}
            key = (e.get("row_uid") or "", str(path).rpartition(".")[2])
            known = found.get(key)
            if known is None or (e["at_utc"], e["seq"]) > (known["at_utc"], known["seq"]):
                found[key] = e
        return {
            form_key: {key: self.record_id(e) for key, e in found.items()}
            for form_key, found in newest.items()
        }

    def _subject(self, subject: Record) -> str:
        subject_id = subject["subject_id"]
        self.counts.subjects += 1
        location = oids.location(self.dataset.site_of(subject_id))
        out = Lines()
        out.open(LEVEL, "SubjectData", {"SubjectKey": subject_id})
        out.leaf(LEVEL + 1, "SiteRef", {"LocationOID": location}, None)
        queries = _SubjectQueries.of(self.dataset.queries_of.get(subject_id, []))
        seq = Seq()
        status = subject.get("status")
        if status:
            text = f"Subject status {status}"
            if subject.get("status_date"):
                text += f" since {subject['status_date']}"
            if subject.get("status_reason"):
                text += f"; reason: {subject['status_reason']}"
            flags = [(str(status), oids.CL_SUBJECT_STATUS, npc_lists.SUBJECT_STATUS)]
            annotation(out, LEVEL + 1, seq.next(), text + ".", flags)
        for q in queries.subject:
            self._query(out, LEVEL + 1, seq, q, "the subject")
        changes = self._latest_changes(subject_id)
        events = {
            (e["event_oid"], int(e["occurrence"])): e
            for e in self.dataset.events_of.get(subject_id, ())
        }
        keys = set(events) | set(queries.event)
        keys |= {(k[0], k[1]) for k in (*queries.form, *queries.item)}
        for key in sorted(keys, key=lambda k: (self._event_order.get(k[0], 10**6), k[0], k[1])):
            self._event(out, subject_id, location, key, events.get(key), queries, changes)
        out.close(LEVEL, "SubjectData")
        return out.take()

    def _event(
        self,
        out: Lines,
        subject_id: str,
        location: str,
        key: tuple[str, int],
        stored: Record | None,
        queries: _SubjectQueries,
        changes: Mapping[_FormKey, Mapping[tuple[str, str], str]],
    ) -> None:
        level = LEVEL + 1
        definition = self.study.event(key[0])
        where = f"{subject_id}/{key[0]}[{key[1]}]"
        if definition is None:
            self.counts.skipped.append(f"{where}: event {key[0]} is not in the study definition")
            return
        attrib = {"StudyEventOID": oids.event(key[0])}
        if definition.repeating or key[1] != 1:
            attrib["StudyEventRepeatKey"] = str(key[1])
        out.open(level, "StudyEventData", attrib)
        seq = Seq()
        for q in queries.event.get(key, ()):
            self._query(out, level + 1, seq, q, "the event")
        forms: dict[str, Record] = {}
        if stored is not None:
            self.counts.events += 1
            forms = {f["form_oid"]: f for f in self.dataset.forms_of.get(stored["uid"], ())}
        order = {oid: n for n, oid in enumerate(definition.forms)}
        wanted = set(forms) | queries.forms_of(key)
        for form_oid in sorted(wanted, key=lambda f: (order.get(f, 10**6), f)):
            form = self.study.forms.get(form_oid)
            if form is None:
                self.counts.skipped.append(
                    f"{where}/{form_oid}: form {form_oid} is not in the study definition"
                )
                continue
            form_key = (*key, form_oid)
            self._form(
                out,
                _FormData(
                    form,
                    forms.get(form_oid),
                    f"{where}/{form_oid}",
                    location,
                    queries.form.get(form_key, []),
                    queries.item.get(form_key, []),
                    changes.get(form_key, {}),
                ),
            )
        out.close(level, "StudyEventData")

    # -- FormData ---------------------------------------------------------------------------

    def _form(self, out: Lines, fd: _FormData) -> None:
        level = LEVEL + 3
        out.open(level - 1, "FormData", {"FormOID": oids.form(fd.form.oid)})
        seq = Seq()
        stored = fd.stored
        signatures = self.dataset.signatures_of.get(stored["uid"], []) if stored else []
        by_time = sorted(signatures, key=lambda s: str(s["signed_at"]))
        valid = [s for s in by_time if not s.get("voided_at")]
        if valid:
            signature(out, level, fd.location, valid[-1])
            self.counts.signatures += 1
        if stored is not None:
            self.counts.forms += 1
            text = (
                f"Form version {stored.get('form_version')}, revision {stored.get('revision')}; "
                f"last saved {stored.get('updated_at')} by {stored.get('updated_by')}."
            )
            flags = [(str(stored["status"]), oids.CL_FORM_STATUS, npc_lists.FORM_STATUS)]
            annotation(out, level, seq.next(), text, flags)
        for sig in valid[:-1]:
            annotation(out, level, seq.next(), f"Another valid signature: {signature_text(sig)}.")
        for sig in by_time:
            if sig.get("voided_at"):
                reason = sig.get("void_reason") or "no reason recorded"
                text = f"Voided signature: {signature_text(sig)}; voided {sig['voided_at']} ({reason})."
                annotation(out, level, seq.next(), text)
        for q in fd.queries:
            self._query(out, level, seq, q, "the form")
        layout = self._layouts[fd.form.oid]
        rows = {
            r["uid"]: r
            for r in (self.dataset.rows_of.get(stored["uid"], []) if stored else [])
            if not r.get("deleted")
        }
        row_queries: dict[str, list[Record]] = defaultdict(list)
        for q in fd.item_queries:
            item = _query_item(q)
            row = q.get("row_uid") or ""
            if item not in layout.group_of:  # the item is gone from the definition
                self._query(out, level, seq, q, "the form")
            elif layout.group_of[item] is None and not row:
                row_queries[""].append(q)
            elif row in rows and rows[row]["group_oid"] == layout.group_of[item]:
                row_queries[row].append(q)
            else:  # its row was removed
                self._query(out, level, seq, q, "the form")
        values = self._values(fd.where, stored, layout, rows)
        if layout.plain and (values.get("") or row_queries.get("")):
            attrib = {"ItemGroupOID": oids.plain_group(fd.form.oid)}
            self._group_data(out, attrib, fd, layout.plain, values.get("", {}), row_queries[""], "")
        for group, columns in layout.groups:
            live = [r for r in rows.values() if r["group_oid"] == group.oid]
            for row in sorted(live, key=lambda r: int(r["position"])):
                attrib = {
                    "ItemGroupOID": oids.repeating_group(fd.form.oid, group.oid),
                    "ItemGroupRepeatKey": str(row["position"]),
                }
                uid = row["uid"]
                self._group_data(
                    out, attrib, fd, columns, values.get(uid, {}), row_queries.get(uid, []), uid
                )
        out.close(level - 1, "FormData")

    def _values(
        self, where: str, stored: Record | None, layout: _Layout, rows: Mapping[str, Record]
    ) -> dict[str, dict[str, Record]]:
        """The form's exportable values by row uid ("" outside groups) and item OID."""
        found: dict[str, dict[str, Record]] = defaultdict(dict)
        if stored is None:
            return found
        for value in self.dataset.values_of.get(stored["uid"], ()):
            if value.get("value") is None and value.get("missing_code") is None:
                continue  # cleared: nothing to export
            item, row_uid = value["item_oid"], value.get("row_uid") or ""
            if item not in layout.group_of:
                self.counts.skipped.append(
                    f"{where}/{item}: item {item} is not in the form definition"
                )
                continue
            if row_uid and self.dataset.rows.get(row_uid, {}).get("deleted"):
                continue  # removed rows keep their values in the store, not in a snapshot
            in_group = layout.group_of[item] is not None
            if in_group != bool(row_uid) or (row_uid and row_uid not in rows):
                self.counts.skipped.append(
                    f"{where}/{item}: the value's row does not match the form definition"
                )
                continue
            found[row_uid][item] = value
        return found

    def _group_data(
        self,
        out: Lines,
        attrib: Mapping[str, str],
        fd: _FormData,
        items: tuple[Item, ...],
        values: Mapping[str, Record],
        queries: list[Record],
        row_uid: str,
    ) -> None:
        level = LEVEL + 4
        out.open(level - 1, "ItemGroupData", attrib)
        seq = Seq()
        for q in queries:
            self._query(out, level, seq, q, f"item {q['item_path']}")
        pad = "\n" + "  " * level
        parts = out.parts
        markup = self._layouts[fd.form.oid].markup
        sdv_form = (
            bool(values) and next(iter(values.values()))["form_uid"] in self.dataset.sdv_forms
        )
        for item in items:
            value = values.get(item.oid)
            if value is None:
                continue
            item_attr, unit_attr, odm_type = markup[item.oid]
            missing = value.get("missing_code") is not None
            if missing:
                name, content = NULL_ELEMENT, ""
                extra = ' IsNull="Yes"'
                self.counts.missing += 1
            else:
                name, content = typed(str(value["kind"]), str(value["value"]), odm_type)
                extra = unit_attr
            audit = fd.changes.get((row_uid, item.oid))
            if audit is not None:
                extra += f' AuditRecordID="{attribute(audit)}"'
            if missing or sdv_form or value.get("override_reason"):
                note = self._item_note(row_uid, item, value)
                if note is not None:
                    extra += f' AnnotationID="{note}"'
            start = f"{pad}<{name}{item_attr}{extra}"
            parts.append(f"{start}>{text(content)}</{name}>" if content else f"{start}/>")
            self.counts.values += 1
        out.close(level - 1, "ItemGroupData")

    def _item_note(self, row_uid: str, item: Item, value: Record) -> str | None:
        """The ID of the value's annotation (missing code, SDV mark, kept warning), if any."""
        flags: list[Flag] = []
        lines: list[str] = []
        missing = value.get("missing_code")
        if missing is not None:
            flags.append((str(missing), oids.CL_MISSING, npc_lists.MISSING))
        mark = self.dataset.sdv.get((value["form_uid"], row_uid, item.oid))
        if mark is not None and mark.get("value_version") == value.get("version"):
            flags.append((npc_lists.VERIFIED, oids.CL_SDV, npc_lists.SDV))
            lines.append(
                f"Source data verified by {mark.get('verified_by')} at {mark.get('verified_at')}"
                f" (value version {mark.get('value_version')})."
            )
        if value.get("override_reason"):
            lines.append(f"Soft warning kept with the reason: {value['override_reason']}")
        if not flags and not lines:
            return None
        note_id = oids.item_annotation(len(self._item_notes) + 1)
        self._item_notes.append((note_id, " ".join(lines) or None, tuple(flags)))
        return note_id

    def _query(self, out: Lines, level: int, seq: Seq, query: Record, about: str) -> None:
        query_note(out, level, seq, query, about)
        self.counts.queries += 1

    # -- the containers after the subjects ---------------------------------------------------

    def audit_records(self) -> Iterator[str]:
        """``AuditRecords`` containers with every audit entry of the exported subjects."""
        out = Lines()
        held = 0
        for subject_id in self.subject_ids:
            location = oids.location(self.dataset.site_of(subject_id))
            for entry in self.audit_of.get(subject_id, ()):
                if held == 0:
                    out.open(LEVEL, "AuditRecords")
                audit_record(out, LEVEL + 1, self.record_id(entry), location, entry)
                self.counts.audit_records += 1
                held += 1
                if held == CHUNK:
                    out.close(LEVEL, "AuditRecords")
                    yield out.take()
                    held = 0
        if held:
            out.close(LEVEL, "AuditRecords")
            yield out.take()

    def item_annotations(self) -> Iterator[str]:
        """``Annotations`` containers with the item annotations that ItemData refer to."""
        for start in range(0, len(self._item_notes), CHUNK):
            out = Lines()
            out.open(LEVEL, "Annotations")
            chunk = self._item_notes[start : start + CHUNK]
            for n, (note_id, comment, flags) in enumerate(chunk, start=start + 1):
                annotation(out, LEVEL + 1, str(n), comment, flags, note_id=note_id)
                self.counts.item_annotations += 1
            out.close(LEVEL, "Annotations")
            yield out.take()
