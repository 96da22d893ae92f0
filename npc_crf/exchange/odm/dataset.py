"""The exporter's input: a site-data payload (docs/bundle-format.md §3), indexed.

Both the site and the coordinating center export ODM from a dict in the shape
of the bundle payload (``installations``, ``accounts``, ``subjects``, ``events``,
``forms``, ``rows``, ``values``, ``signatures``, ``sdv``, ``holds``,
``queries``, ``audit``), never from a database. A dataset may hold several
sites; each subject belongs to the site whose ID begins its subject ID
(``S01-01-0007`` is at ``S01``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from npc_crf.core.errors import UsageError, ValidationFailed

Record = Mapping[str, Any]

#: the lists of a payload this exporter reads, and the fields it needs in their records
FIELDS: dict[str, frozenset[str]] = {
    "accounts": frozenset({"username"}),
    "subjects": frozenset({"subject_id"}),
    "events": frozenset({"uid", "subject_id", "event_oid", "occurrence"}),
    "forms": frozenset({"uid", "event_uid", "form_oid", "status"}),
    "rows": frozenset({"uid", "form_uid", "group_oid", "position", "deleted"}),
    "values": frozenset(
        {"form_uid", "row_uid", "item_oid", "kind", "value", "missing_code", "version"}
    ),
    "signatures": frozenset({"uid", "form_uid", "username", "meaning", "signed_at"}),
    "sdv": frozenset({"form_uid", "marks"}),
    "queries": frozenset({"uid", "subject_id", "kind", "status"}),
    "audit": frozenset({"seq", "at_utc", "installation_id", "username", "action"}),
    "installations": frozenset({"installation_id"}),
}
#: lists an older or a partial dataset may leave out
OPTIONAL = frozenset({"queries", "audit", "installations"})
_SHOWN = 20  # problems listed at most


def _records(payload: Mapping[str, Any], name: str, problems: list[str]) -> list[Record]:
    value = payload.get(name)
    if value is None and name in OPTIONAL:
        return []
    if not isinstance(value, list):
        problems.append(f"payload.{name}: missing, or not a list")
        return []
    needed = FIELDS[name]
    for n, record in enumerate(value):
        if not isinstance(record, Mapping):
            problems.append(f"payload.{name}[{n}]: not an object")
        elif not needed <= record.keys():
            absent = ", ".join(sorted(needed - record.keys()))
            problems.append(f"payload.{name}[{n}]: no field {absent}")
        if len(problems) > _SHOWN:
            break
    return value


class Dataset:
    """A payload indexed for the export: what belongs to which subject, event, form and row."""

    def __init__(self, payload: Mapping[str, Any], site_ids: Sequence[str]) -> None:
        if not site_ids:
            raise UsageError("An ODM export needs the ID of at least one site.")
        self.site_ids = tuple(site_ids)
        problems: list[str] = []
        lists = {name: _records(payload, name, problems) for name in FIELDS}
        if problems:
            raise ValidationFailed(
                "The dataset cannot be exported; nothing was written.", problems[:_SHOWN]
            )
        self.accounts: list[Record] = lists["accounts"]
        self.installation_numbers: dict[str, int] = {
            str(i["installation_id"]): int(i["number"])
            for i in lists["installations"]
            if i.get("number") is not None
        }
        self.subjects: dict[str, Record] = {
            s["subject_id"]: s for s in sorted(lists["subjects"], key=lambda s: s["subject_id"])
        }
        self.events_of: dict[str, list[Record]] = defaultdict(list)
        for event in lists["events"]:
            self.events_of[event["subject_id"]].append(event)
        self.forms_of: dict[str, list[Record]] = defaultdict(list)
        for form in lists["forms"]:
            self.forms_of[form["event_uid"]].append(form)
        self.rows: dict[str, Record] = {r["uid"]: r for r in lists["rows"]}
        self.rows_of: dict[str, list[Record]] = defaultdict(list)
        for row in lists["rows"]:
            self.rows_of[row["form_uid"]].append(row)
        self.values_of: dict[str, list[Record]] = defaultdict(list)
        for value in lists["values"]:
            self.values_of[value["form_uid"]].append(value)
        self.signatures_of: dict[str, list[Record]] = defaultdict(list)
        for sig in lists["signatures"]:
            self.signatures_of[sig["form_uid"]].append(sig)
        self.sdv: dict[tuple[str, str, str], Record] = {}
        for entry in lists["sdv"]:
            for mark in entry.get("marks") or ():
                self.sdv[(entry["form_uid"], mark["row_uid"], mark["item_oid"])] = mark
        #: forms with at least one SDV mark
        self.sdv_forms = {key[0] for key in self.sdv}
        self.queries_of: dict[str, list[Record]] = defaultdict(list)
        for query in lists["queries"]:
            self.queries_of[query["subject_id"]].append(query)
        self.audit: list[Record] = lists["audit"]
        self._sites: dict[str, str] = {}

    def site_of(self, subject_id: str) -> str:
        """The site a subject belongs to (the site ID its subject ID starts with)."""
        site = self._sites.get(subject_id)
        if site is None:
            matches = [s for s in self.site_ids if subject_id.startswith(f"{s}-")]
            if matches:
                site = max(matches, key=len)
            elif len(self.site_ids) == 1:
                site = self.site_ids[0]
            else:
                known = ", ".join(self.site_ids)
                raise UsageError(
                    f"Subject {subject_id} belongs to none of the sites of the export ({known})."
                )
            self._sites[subject_id] = site
        return site

    def select(self, subjects: Iterable[str] | None) -> list[str]:
        """The subject IDs to export, in order; UsageError naming any unknown subject."""
        if subjects is None:
            return list(self.subjects)
        wanted = set(subjects)
        unknown = sorted(wanted - set(self.subjects))
        if unknown:
            raise UsageError(
                f"There is no subject {', '.join(unknown)} in the data to export.",
                "Subject IDs look like S01-01-0001; `npc-crf subject list` lists them.",
            )
        return [s for s in self.subjects if s in wanted]
