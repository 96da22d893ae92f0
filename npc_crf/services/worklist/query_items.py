"""Queries in the worklist: what waits for the current user's role, read in one statement.

Which queries wait for which role is decided by
:func:`npc_crf.services.monitoring.queries.waiting_condition` (docs/monitoring.md).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from npc_crf.services.monitoring.query_model import Query
from npc_crf.services.worklist.model import WorkItem, WorkKind


def query_items(queries: Iterable[Query], today: dt.date) -> list[WorkItem]:
    """One work item per query: due is the day it was raised, days its age, detail its uid."""
    return [
        WorkItem(
            WorkKind.OPEN_QUERY,
            q.subject_id,
            q.event_oid,
            q.occurrence,
            q.form_oid,
            q.item_path,
            q.raised_on(),
            q.age_days(today),
            detail=q.uid,
        )
        for q in queries
    ]


def per_subject(queries: Iterable[Query]) -> Counter[str]:
    """Subject ID -> how many queries wait."""
    return Counter(q.subject_id for q in queries)


def per_form(queries: Iterable[Query]) -> Counter[tuple[str, int, str]]:
    """(event, occurrence, form) -> how many queries about that form (or its items) wait."""
    return Counter(
        (q.event_oid, q.occurrence or 1, q.form_oid)
        for q in queries
        if q.event_oid is not None and q.form_oid is not None
    )
