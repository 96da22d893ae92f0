"""Forms waiting for an investigator's signature, on the worklist.

The same forms as :meth:`SignatureService.to_sign` (``docs/monitoring.md``, "To
sign"): complete forms — a signed form has the status ``signed``, and a change
that voids its signature puts it back to ``complete`` — of subjects not under a
lock. They are taken from the worklist's rows, which already hold every form's
status, so the worklist reads only the voided signatures and the locks again
(two statements), however many forms there are.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, and_, select

from npc_crf.services.casebook import FormStatus
from npc_crf.services.worklist.model import WorkItem, WorkKind
from npc_crf.services.worklist.reader import SubjectRows
from npc_crf.store.models import event_instance, form_instance, signature

#: the ``detail`` of a form whose signature a change voided: it is to be signed again
VOIDED = "voided"

Where = tuple[str, str, int, str]  # subject, event, occurrence, form


def sign_items(rows: SubjectRows) -> list[WorkItem]:
    """One item per complete form of the subject (``due``: the day it was last saved)."""
    sid = rows.subject_id
    return [
        WorkItem(WorkKind.TO_SIGN, sid, event_oid, occurrence, oid, None, form.saved_on, None)
        for event_oid, occurrences in rows.events.items()
        for occurrence, forms in occurrences.items()
        for oid, form in forms.items()
        if form.status == FormStatus.COMPLETE.value
    ]


def voided_forms(conn: Connection) -> set[Where]:
    """The complete forms that carry a voided signature (one statement)."""
    query = (
        select(
            event_instance.c.subject_id,
            event_instance.c.event_oid,
            event_instance.c.occurrence,
            form_instance.c.form_oid,
        )
        .select_from(
            signature.join(form_instance, signature.c.form_instance_id == form_instance.c.id).join(
                event_instance, form_instance.c.event_instance_id == event_instance.c.id
            )
        )
        .where(
            and_(
                signature.c.voided_at.is_not(None),
                form_instance.c.status == FormStatus.COMPLETE.value,
            )
        )
        .distinct()
    )
    return {(s, e, o, f) for s, e, o, f in conn.execute(query)}


def flag_voided(items: Iterable[WorkItem], voided: set[Where]) -> list[WorkItem]:
    """``items`` with :data:`VOIDED` as the detail of the forms in ``voided``."""
    out: list[WorkItem] = []
    for item in items:
        where = (item.subject_id, item.event_oid or "", item.occurrence or 1, item.form_oid or "")
        if where in voided:
            item = WorkItem(
                item.kind,
                item.subject_id,
                item.event_oid,
                item.occurrence,
                item.form_oid,
                None,
                item.due,
                None,
                detail=VOIDED,
            )
        out.append(item)
    return out
