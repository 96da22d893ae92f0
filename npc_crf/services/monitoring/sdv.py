"""Source data verification: monitors mark stored values as checked against the source.

``ws.sdv`` is an :class:`SdvService`. Which values need SDV comes from the form
definitions (:mod:`.sdv_items`). A mark (``sdv_mark``) keeps the version of the
value it verified; a save that changes the value drops the mark
(:func:`reset_changed`, audited ``sdv_reset``), so the value is pending again and
back on the monitor's list. Only monitors verify; nothing is verified on a locked
form, subject or site (a freeze lets SDV go on). Decisions: ``docs/monitoring.md``.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, delete, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from npc_crf.auth.roles import Permission
from npc_crf.core.errors import UsageError
from npc_crf.forms.model import Form, SdvLevel
from npc_crf.forms.session import ItemPath
from npc_crf.services.monitoring.holds import require_not_locked
from npc_crf.services.monitoring.query_store import form_instance_id
from npc_crf.services.monitoring.sdv_items import (
    FormCount,
    SdvItem,
    SdvState,
    count_items,
    read_items,
    required_items,
)
from npc_crf.store.atomic import write_atomic
from npc_crf.store.models import audit_entry, sdv_mark

if TYPE_CHECKING:
    from npc_crf.services.monitoring.hooks import ChangedValue
    from npc_crf.services.workspace import Tx, Workspace

#: the columns of the SDV report, in order
REPORT_COLUMNS = (
    "subject",
    "event",
    "occurrence",
    "form",
    "item_path",
    "value_version",
    "verified_by",
    "verified_at",
    "state",
)

#: above this many subjects changed since the last site-wide count, everything is counted
RECOUNT_LIMIT = 20

_DROP_MARK = delete(sdv_mark).where(
    and_(
        sdv_mark.c.form_instance_id == bindparam("b_fid"),
        sdv_mark.c.row_uid == bindparam("b_row"),
        sdv_mark.c.item_oid == bindparam("b_item"),
    )
)


@dataclass(frozen=True)
class FormSdv:
    """SDV progress of one stored form: the values that need it and their state."""

    subject_id: str
    event_oid: str
    occurrence: int
    form_oid: str
    mode: SdvLevel
    items: tuple[SdvItem, ...]

    @property
    def required(self) -> int:
        return len(self.items)

    @property
    def verified(self) -> int:
        return sum(1 for i in self.items if i.state is SdvState.VERIFIED)

    @property
    def pending(self) -> int:
        return self.required - self.verified

    @property
    def where(self) -> str:
        return f"{self.subject_id}/{self.event_oid}[{self.occurrence}]/{self.form_oid}"

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject_id,
            "event": self.event_oid,
            "occurrence": self.occurrence,
            "form": self.form_oid,
            "mode": self.mode.value,
            "required": self.required,
            "verified": self.verified,
            "pending": self.pending,
            "pending_items": [i.item_path for i in self.items if i.state is SdvState.PENDING],
        }


@dataclass(frozen=True)
class SubjectSdv:
    """SDV progress of one subject over all its forms."""

    subject_id: str
    required: int
    verified: int
    forms: int  # forms with values that need SDV
    forms_done: int  # of those, forms with nothing pending

    @property
    def pending(self) -> int:
        return self.required - self.verified

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject_id,
            "required": self.required,
            "verified": self.verified,
            "pending": self.pending,
            "forms": self.forms,
            "forms_done": self.forms_done,
        }


def by_form(items: Iterable[SdvItem], forms: dict[str, Form]) -> list[FormSdv]:
    """Items (in order) grouped into their forms."""
    grouped: dict[tuple[str, str, int, str], list[SdvItem]] = {}
    for item in items:
        grouped.setdefault(item.form_key, []).append(item)
    return [
        FormSdv(s, e, o, f, forms[f].sdv, tuple(found)) for (s, e, o, f), found in grouped.items()
    ]


def by_subject(forms: Iterable[FormSdv]) -> list[SubjectSdv]:
    """Forms' progress summed per subject (in the forms' order)."""
    sums: dict[str, list[int]] = {}
    for f in forms:
        total = sums.setdefault(f.subject_id, [0, 0, 0, 0])
        total[0] += f.required
        total[1] += f.verified
        total[2] += 1
        total[3] += f.pending == 0
    return [SubjectSdv(s, *t) for s, t in sums.items()]


def subject_counts(counts: Iterable[FormCount]) -> dict[str, SubjectSdv]:
    """Forms' counts summed per subject, in subject ID order."""
    sums: dict[str, list[int]] = {}
    for c in counts:
        total = sums.setdefault(c.subject_id, [0, 0, 0, 0])
        total[0] += c.required
        total[1] += c.verified
        total[2] += 1
        total[3] += c.verified == c.required
    return {s: SubjectSdv(s, *sums[s]) for s in sorted(sums)}


def reset_changed(
    ws: Workspace,
    tx: Tx,
    form_instance_id: int,
    changed: list[ChangedValue],
    context: dict[str, Any],
) -> int:
    """Drop the SDV marks of changed values (audited ``sdv_reset``); how many were dropped.

    Called by every save (``hooks.after_data_change``) in the saving transaction.
    """
    if not changed:
        return 0
    paths = {(c.row_uid, c.item_oid): c.path for c in changed}
    marks = [
        m
        for m in tx.conn.execute(
            select(sdv_mark).where(sdv_mark.c.form_instance_id == form_instance_id)
        )
        if (m.row_uid, m.item_oid) in paths
    ]
    if not marks:
        return 0
    tx.conn.execute(
        _DROP_MARK,
        [{"b_fid": form_instance_id, "b_row": m.row_uid, "b_item": m.item_oid} for m in marks],
    )
    for m in marks:
        tx.audit.append(
            "sdv_reset",
            item_path=paths[(m.row_uid, m.item_oid)],
            row_uid=m.row_uid or None,
            old_value=json.dumps(
                {
                    "version": m.value_version,
                    "verified_by": m.verified_by,
                    "verified_at": m.verified_at,
                }
            ),
            reason="the value changed after it was verified",
            **context,
        )
    return len(marks)


class SdvService:
    """Verify values, read SDV progress, list what needs SDV, write the SDV report."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.study = ws.study
        #: the site's progress per subject as of audit entry ``[0]`` (see :meth:`site_status`)
        self._site: tuple[int, dict[str, SubjectSdv]] | None = None
        self._lock = threading.Lock()

    # -- where ----------------------------------------------------------------------------

    def _form(self, event_oid: str, form_oid: str) -> Form:
        event = self.study.event(event_oid)
        if event is None:
            known = ", ".join(e.oid for e in self.study.events)
            raise UsageError(f"There is no event '{event_oid}' in {self.study.oid} ({known}).")
        if form_oid not in event.forms:
            raise UsageError(
                f"Event {event.oid} has no form '{form_oid}' (it has {', '.join(event.forms)})."
            )
        return self.study.forms[form_oid]

    # -- reading --------------------------------------------------------------------------

    def form_status(
        self, subject_id: str, event_oid: str, occurrence: int, form_oid: str
    ) -> FormSdv:
        """The values of one stored form that need SDV, with their state."""
        self.ws.require(Permission.VIEW_DATA, "view SDV progress")
        form = self._form(event_oid, form_oid)
        with self.ws.read() as conn:
            fid = form_instance_id(conn, subject_id, event_oid, occurrence, form_oid)
            items = read_items(conn, self.study, form_instance_id=fid) if fid is not None else []
        return FormSdv(subject_id, event_oid, occurrence, form_oid, form.sdv, tuple(items))

    def subject_status(self, subject_id: str) -> list[FormSdv]:
        """Every form of a subject that holds values needing SDV, in casebook order."""
        self.ws.require(Permission.VIEW_DATA, "view SDV progress")
        with self.ws.read() as conn:
            items = read_items(conn, self.study, subject_id=subject_id)
        return by_form(items, self.study.forms)

    def site_status(self) -> list[SubjectSdv]:
        """Progress per subject over the whole site, in subject ID order.

        Counted by the database (one statement); kept, and brought up to date from
        the audit trail: every change that can change SDV progress (a value saved,
        a row removed, a mark set, taken back or reset) writes entries naming its
        subject, so only the subjects named since the last count are counted again.
        """
        self.ws.require(Permission.VIEW_DATA, "view SDV progress")
        with self._lock, self.ws.read() as conn:
            head = conn.execute(select(func.max(audit_entry.c.seq))).scalar_one() or 0
            known = self._site
            if known is not None and known[0] == head:
                return list(known[1].values())
            changed: set[str] | None = None
            if known is not None:
                changed = set()
                newer = (
                    select(audit_entry.c.subject_id)
                    .where(audit_entry.c.seq > known[0])
                    .order_by(audit_entry.c.seq)
                )
                with conn.execute(newer).scalars() as named:
                    for subject_id in named:
                        if subject_id is not None:
                            changed.add(subject_id)
                            if len(changed) > RECOUNT_LIMIT:
                                break
            if known is None or changed is None or len(changed) > RECOUNT_LIMIT:
                progress = subject_counts(count_items(conn, self.study))
            else:
                progress = dict(known[1])
                for subject_id in changed:
                    progress.pop(subject_id, None)
                    progress.update(
                        subject_counts(count_items(conn, self.study, subject_id=subject_id))
                    )
                progress = dict(sorted(progress.items()))
            self._site = (head, progress)
            return list(progress.values())

    def needs_sdv(self, subject_id: str | None = None) -> list[FormSdv]:
        """Forms with values waiting for SDV across the site (or of one subject)."""
        self.ws.require(Permission.VIEW_DATA, "view SDV progress")
        with self.ws.read() as conn:
            items = read_items(conn, self.study, subject_id=subject_id)
        return [f for f in by_form(items, self.study.forms) if f.pending]

    def report_items(self) -> list[SdvItem]:
        """Every value of the site that needs SDV, verified or pending."""
        self.ws.require(Permission.VIEW_DATA, "view SDV progress")
        with self.ws.read() as conn:
            return read_items(conn, self.study)

    def write_report(self, path: Path) -> int:
        """Write the SDV report as CSV (columns :data:`REPORT_COLUMNS`), atomically; rows."""
        items = self.report_items()
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(REPORT_COLUMNS)
        for i in items:
            verified = i.state is SdvState.VERIFIED
            writer.writerow(
                [
                    i.subject_id,
                    i.event_oid,
                    i.occurrence,
                    i.form_oid,
                    i.item_path,
                    i.value_version,
                    i.verified_by if verified else "",
                    i.verified_at if verified else "",
                    i.state.value,
                ]
            )
        try:
            write_atomic(Path(path), buffer.getvalue().encode("utf-8"))
        except OSError as exc:
            raise UsageError(f"{path} cannot be written: {exc.strerror or exc}.") from None
        return len(items)

    # -- changing -------------------------------------------------------------------------

    def verify(
        self,
        subject_id: str,
        event_oid: str,
        occurrence: int,
        form_oid: str,
        items: Sequence[str] | None = None,
    ) -> int:
        """Mark values of a stored form verified: ``items`` (paths such as ``MH[2].MHTERM``),
        or every value of the form that needs SDV. Values already verified as they are
        stay as they are. How many were marked (each audited ``sdv_verified``)."""
        self.ws.require(Permission.SDV, "mark source data verified")
        form = self._form(event_oid, form_oid)
        with self.ws.tx() as tx:
            chosen, context, _where = self._chosen(
                tx, subject_id, event_oid, occurrence, form, items
            )
            todo = [i for i in chosen if i.state is SdvState.PENDING]
            if not todo:
                return 0
            now = self.ws.now().isoformat(timespec="microseconds")
            upsert = sqlite_insert(sdv_mark)
            upsert = upsert.on_conflict_do_update(
                index_elements=[
                    sdv_mark.c.form_instance_id,
                    sdv_mark.c.row_uid,
                    sdv_mark.c.item_oid,
                ],
                set_={
                    "value_version": upsert.excluded.value_version,
                    "verified_at": upsert.excluded.verified_at,
                    "verified_by": upsert.excluded.verified_by,
                },
            )
            tx.conn.execute(
                upsert,
                [
                    {
                        "form_instance_id": i.form_instance_id,
                        "row_uid": i.row_uid,
                        "item_oid": i.item_oid,
                        "value_version": i.value_version,
                        "verified_at": now,
                        "verified_by": self.ws.username,
                    }
                    for i in todo
                ],
            )
            with tx.audit.batch():
                for i in todo:
                    tx.audit.append(
                        "sdv_verified",
                        item_path=i.item_path,
                        row_uid=i.row_uid or None,
                        new_value=json.dumps({"version": i.value_version}),
                        source=self.ws.channel,
                        **context,
                    )
            return len(todo)

    def unverify(
        self,
        subject_id: str,
        event_oid: str,
        occurrence: int,
        form_oid: str,
        items: Sequence[str] | None,
        reason: str,
    ) -> int:
        """Take back SDV marks (monitors, with a reason; each audited ``sdv_unverified``):
        the values are pending again. How many marks were removed."""
        self.ws.require(Permission.SDV, "take back source data verification")
        if not (reason or "").strip():
            raise UsageError("A reason is needed to take back a verification.")
        form = self._form(event_oid, form_oid)
        with self.ws.tx() as tx:
            chosen, context, _where = self._chosen(
                tx, subject_id, event_oid, occurrence, form, items
            )
            marked = [i for i in chosen if i.verified_version is not None]
            if not marked:
                return 0
            tx.conn.execute(
                _DROP_MARK,
                [
                    {"b_fid": i.form_instance_id, "b_row": i.row_uid, "b_item": i.item_oid}
                    for i in marked
                ],
            )
            with tx.audit.batch():
                for i in marked:
                    tx.audit.append(
                        "sdv_unverified",
                        item_path=i.item_path,
                        row_uid=i.row_uid or None,
                        old_value=json.dumps({"version": i.verified_version}),
                        reason=reason.strip(),
                        source=self.ws.channel,
                        **context,
                    )
            return len(marked)

    def _chosen(
        self,
        tx: Tx,
        subject_id: str,
        event_oid: str,
        occurrence: int,
        form: Form,
        paths: Sequence[str] | None,
    ) -> tuple[list[SdvItem], dict[str, Any], str]:
        """The form's values needing SDV that ``paths`` name (all when None), the audit
        context, and where the form is; refused on a lock or for unknown paths."""
        where = f"{subject_id}/{event_oid}[{occurrence}]/{form.oid}"
        fid = form_instance_id(tx.conn, subject_id, event_oid, occurrence, form.oid)
        if fid is None:
            raise UsageError(f"{where} has not been started: there is nothing to verify.")
        require_not_locked(self.ws, tx.conn, subject_id, fid, where)
        if form.sdv is SdvLevel.NONE:
            raise UsageError(f"{where}: form {form.oid} needs no SDV (sdv: none).")
        stored = read_items(tx.conn, self.study, form_instance_id=fid)
        context = {
            "subject_id": subject_id,
            "event_oid": event_oid,
            "occurrence": occurrence,
            "form_oid": form.oid,
            "form_version": form.version,
        }
        if paths is None:
            return stored, context, where
        by_path = {i.item_path: i for i in stored}
        chosen: list[SdvItem] = []
        problems: list[str] = []
        for text in paths:
            try:
                path = str(ItemPath.parse(text.strip().upper()))
            except ValueError as exc:
                problems.append(str(exc))
                continue
            found = by_path.get(path)
            if found is not None:
                if found not in chosen:
                    chosen.append(found)
                continue
            item = form.item(ItemPath.parse(path).item)
            if item is None:
                problems.append(f"form {form.oid} has no item '{path}'")
            elif item.oid not in required_items(form):
                problems.append(f"{path} needs no SDV (form sdv: {form.sdv.value})")
            else:
                problems.append(f"{path} has no stored value (or no such row)")
        if problems:
            raise UsageError(f"{where}: " + "; ".join(problems) + ".")
        return chosen, context, where
