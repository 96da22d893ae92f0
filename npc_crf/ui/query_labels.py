"""How queries are named on screen: statuses, kinds, roles, steps, what a query is about.

Shared by the query thread (:mod:`.query_thread`), the Queries page
(:mod:`.queries_view`) and its model (:mod:`.queries_model`). Every text goes through
``QCoreApplication.translate`` (context ``Queries``); the stored codes are never shown.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication

from npc_crf.auth.roles import Role
from npc_crf.forms.model import Study
from npc_crf.forms.session import ItemPath
from npc_crf.services.monitoring.query_model import Query, QueryAction, QueryKind, QueryStatus
from npc_crf.ui import labels
from npc_crf.ui.i18n import role_name

#: text colour of a query by its status: red waits for an answer, orange was answered,
#: blue waits for the monitor's decision, green is done, grey needs nothing
STATUS_COLOURS: dict[QueryStatus, str] = {
    QueryStatus.NEW: "#c62828",
    QueryStatus.UPDATED: "#e65100",
    QueryStatus.RESOLUTION_PROPOSED: "#1565c0",
    QueryStatus.CLOSED: "#2e7d32",
    QueryStatus.NOT_APPLICABLE: "#616161",
}


def status_text(status: QueryStatus) -> str:
    """A query status in words ("Resolution proposed")."""
    texts = {
        QueryStatus.NEW: QCoreApplication.translate("Queries", "New"),
        QueryStatus.UPDATED: QCoreApplication.translate("Queries", "Updated"),
        QueryStatus.RESOLUTION_PROPOSED: QCoreApplication.translate(
            "Queries", "Resolution proposed"
        ),
        QueryStatus.CLOSED: QCoreApplication.translate("Queries", "Closed"),
        QueryStatus.NOT_APPLICABLE: QCoreApplication.translate("Queries", "Not applicable"),
    }
    return texts[status]


def kind_text(kind: QueryKind) -> str:
    """A query kind, short enough for a table column ("Failed check")."""
    texts = {
        QueryKind.FAILED_CHECK: QCoreApplication.translate("Queries", "Failed check"),
        QueryKind.MANUAL: QCoreApplication.translate("Queries", "Question"),
        QueryKind.REASON_FOR_CHANGE: QCoreApplication.translate("Queries", "Reason for change"),
        QueryKind.ANNOTATION: QCoreApplication.translate("Queries", "Note"),
    }
    return texts[kind]


def action_text(action: QueryAction) -> str:
    """The button of a step ("Propose resolution")."""
    texts = {
        QueryAction.REPLY: QCoreApplication.translate("Queries", "Reply"),
        QueryAction.PROPOSE: QCoreApplication.translate("Queries", "Propose resolution"),
        QueryAction.CLOSE: QCoreApplication.translate("Queries", "Close query"),
        QueryAction.NOT_APPLICABLE: QCoreApplication.translate("Queries", "Not applicable"),
        QueryAction.REOPEN: QCoreApplication.translate("Queries", "Reopen"),
    }
    return texts[action]


def assigned_text(role: Role | None) -> str:
    """Who a query is assigned to; "anyone" when to nobody in particular."""
    return role_name(role) if role is not None else QCoreApplication.translate("Queries", "anyone")


def message_role_text(role: str) -> str:
    """The role written with a message: ours by name, the center's own roles as they are."""
    try:
        return role_name(Role(role))
    except ValueError:
        return role


def about_text(study: Study, query: Query, lang: str) -> str:
    """What a query is about, without the subject: "Treatment cycle 2 · Study drug · Start
    date"; "the subject as a whole" for a query about the subject."""
    parts: list[str] = []
    if query.event_oid:
        parts.append(labels.event_text(study, query.event_oid, query.occurrence, lang))
    if query.form_oid:
        parts.append(labels.form_text(study, query.form_oid, lang))
    if query.item_path:
        parts.append(item_label(study, query.form_oid, query.item_path, lang))
    return (
        " · ".join(parts)
        if parts
        else QCoreApplication.translate("Queries", "the subject as a whole")
    )


def item_label(study: Study, form_oid: str | None, item_path: str, lang: str) -> str:
    """An item path named from the definitions in ``lang``: "Start date", "Lines, row 2:
    Regimen" (the path itself when the study does not know it)."""
    form = study.forms.get(form_oid or "")
    try:
        path = ItemPath.parse(item_path)
    except ValueError:
        return item_path
    item = form.item(path.item) if form is not None else None
    label = item.label.get(lang) if item is not None else path.item
    if path.group is None:
        return label
    group = form.item(path.group) if form is not None else None
    name = group.label.get(lang) if group is not None else path.group
    return QCoreApplication.translate("Queries", "{group}, row {row}: {item}").format(
        group=name, row=path.row, item=label
    )


def age_text(days: int) -> str:
    """A query's age in whole days: "0 days old", "1 day old", "12 days old"."""
    if days == 1:
        return QCoreApplication.translate("Queries", "1 day old")
    return QCoreApplication.translate("Queries", "{days} days old").format(days=max(days, 0))


def when_text(at_utc: str) -> str:
    """A stored UTC moment in local time with UTC beside it: "2026-01-25 11:12 (03:12
    UTC)", the UTC date added when it differs from the local one."""
    try:
        moment = dt.datetime.fromisoformat(at_utc.replace("Z", "+00:00"))
    except ValueError:
        return at_utc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local, utc = moment.astimezone(), moment.astimezone(dt.UTC)
    utc_text = f"{utc:%H:%M}" if utc.date() == local.date() else f"{utc:%Y-%m-%d %H:%M}"
    return QCoreApplication.translate("Queries", "{local} ({utc} UTC)").format(
        local=f"{local:%Y-%m-%d %H:%M}", utc=utc_text
    )
