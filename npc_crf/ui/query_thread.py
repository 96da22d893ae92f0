"""One query with its thread, and the steps the person logged in may take on it now.

* :class:`QueryThreadWidget` — what the query is about (subject, event, form, item
  label from the study definitions), its kind, status, assignment and age, the thread
  (each message: who, in which role, when in local time and UTC, the status it left,
  the text), a box for the next message and a button per step: reply, propose a
  resolution, close, not applicable, reopen. A button is enabled when the transition
  table allows the step from the query's status and the role has the permission
  (``docs/monitoring.md``); its tooltip says why not otherwise. The service decides in
  the end: a refusal (no text, a locked record, …) is shown under the buttons and what
  was typed stays. The Queries page shows it beside its table.
* :class:`QueryThreadDialog` — the same in a dialog for one query by uid (the form
  page opens it for an item's queries): ``QueryThreadDialog(ws, runner, lang, uid,
  parent)``; :attr:`~QueryThreadDialog.changed` tells after each step taken.

Loads and steps run in the :class:`~npc_crf.ui.worker.JobRunner`.
"""

from __future__ import annotations

import datetime as dt
import html

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from npc_crf.auth.roles import Role, allowed
from npc_crf.services.monitoring.query_model import (
    NOTE_KINDS,
    STEPS,
    Query,
    QueryAction,
)
from npc_crf.services.workspace import Workspace
from npc_crf.ui.i18n import ScaledLabel, role_name
from npc_crf.ui.load_status import LoadStatus, run_job
from npc_crf.ui.query_labels import (
    STATUS_COLOURS,
    about_text,
    action_text,
    age_text,
    assigned_text,
    kind_text,
    message_role_text,
    status_text,
    when_text,
)
from npc_crf.ui.worker import Job, JobRunner

#: the steps, in the order of their buttons
ACTIONS: tuple[QueryAction, ...] = (
    QueryAction.REPLY,
    QueryAction.PROPOSE,
    QueryAction.CLOSE,
    QueryAction.NOT_APPLICABLE,
    QueryAction.REOPEN,
)
#: the steps that may pass the query to another role
ASSIGNING = frozenset({QueryAction.REPLY, QueryAction.REOPEN})
#: the roles a query may be passed to
ASSIGNABLE = (Role.CRC, Role.INVESTIGATOR, Role.MONITOR)


def possible(role: Role, query: Query, action: QueryAction) -> bool:
    """True when ``role`` may take ``action`` on ``query`` in its status (the transition
    table and the permission matrix; holds are the service's to check)."""
    step = STEPS[action]
    if not allowed(role, step.permission) or query.status not in step.start:
        return False
    return not (action is QueryAction.REOPEN and query.kind in NOTE_KINDS)


class QueryThreadWidget(QWidget):
    """One query: what it is about, its thread, and the steps the user may take now.

    ``compose_beside`` puts the message box and the buttons to the right of the thread
    (the Queries page) instead of under it (the dialog).
    """

    #: a step was taken on the query with this uid (the new state is shown)
    changed = Signal(str)
    #: a query asked for with :meth:`load` is shown
    loaded = Signal()

    def __init__(
        self,
        ws: Workspace,
        runner: JobRunner,
        lang: str = "en",
        *,
        compose_beside: bool = False,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("query_thread")
        self.ws, self.runner, self.lang, self._today = ws, runner, lang, today
        self._query: Query | None = None
        self._request = 0
        self._acting = False
        self._drafts: dict[str, str] = {}

        self.heading = ScaledLabel(factor=1.15, bold=True)
        self.heading.setObjectName("query_about")
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind_label = QLabel()
        self.kind_label.setObjectName("query_kind")
        self.status_chip = QLabel()
        self.status_chip.setObjectName("query_status")
        self.assigned_label = QLabel()
        self.assigned_label.setObjectName("query_assigned")
        self.age_label = QLabel()
        self.age_label.setObjectName("query_age")
        self.age_label.setWordWrap(True)
        self.age_label.setStyleSheet("color: #616161;")
        self.messages = QTextBrowser()
        self.messages.setObjectName("query_messages")
        self.messages.setOpenLinks(False)
        self.messages.setMinimumHeight(120)

        self.message_label = QLabel(self.tr("Your message:"))
        self.text = QPlainTextEdit()
        self.text.setObjectName("query_message")
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(70)
        if not compose_beside:  # under the thread: the thread gets the height
            self.text.setMaximumHeight(130)
        self.text.setPlaceholderText(
            self.tr("An answer, a proposed resolution, or why the query is closed")
        )
        self.message_label.setBuddy(self.text)
        self.assign_label = QLabel(self.tr("Pass to:"))
        self.assign_combo = QComboBox()
        self.assign_combo.setObjectName("query_assign")
        self.assign_combo.setToolTip(
            self.tr("A reply or a reopen may pass the query to another role")
        )
        self.assign_combo.addItem(self.tr("(keep the assignment)"), None)
        for role in ASSIGNABLE:
            self.assign_combo.addItem(role_name(role), role.value)
        self.assign_label.setBuddy(self.assign_combo)
        self.buttons: dict[QueryAction, QPushButton] = {}
        for action in ACTIONS:
            button = QPushButton(action_text(action))
            button.setObjectName(f"query_{action.value}")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _c=False, a=action: self.act(a))
            self.buttons[action] = button
        self.hint = QLabel()
        self.hint.setObjectName("query_hint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #616161;")
        self.done_label = QLabel()
        self.done_label.setObjectName("query_done")
        self.done_label.setWordWrap(True)
        self.done_label.setStyleSheet("color: #1b5e20;")
        self.done_label.hide()
        self.status = LoadStatus()

        facts = QHBoxLayout()
        for label in (self.kind_label, self.status_chip, self.assigned_label):
            facts.addWidget(label)
        facts.addStretch(1)
        thread = QVBoxLayout()
        thread.setContentsMargins(0, 0, 0, 0)
        thread.addWidget(self.heading)
        thread.addLayout(facts)
        thread.addWidget(self.age_label)
        thread.addWidget(self.messages, 1)

        self.compose = QWidget()
        self.compose.setObjectName("query_compose")
        compose = QVBoxLayout(self.compose)
        compose.setContentsMargins(0, 0, 0, 0)
        compose.addWidget(self.message_label)
        compose.addWidget(self.text, 1)
        assign = QHBoxLayout()
        assign.addWidget(self.assign_label)
        assign.addWidget(self.assign_combo, 1)
        compose.addLayout(assign)
        grid = QGridLayout()
        per_row = 2 if compose_beside else len(ACTIONS)
        for n, action in enumerate(ACTIONS):
            grid.addWidget(self.buttons[action], n // per_row, n % per_row)
        compose.addLayout(grid)

        side = QVBoxLayout()
        side.addWidget(self.compose, 1)
        side.addWidget(self.hint)
        side.addWidget(self.done_label)
        side.addWidget(self.status)
        if not compose_beside:
            side.setStretch(0, 0)
        direction = (
            QBoxLayout.Direction.LeftToRight if compose_beside else QBoxLayout.Direction.TopToBottom
        )
        layout = QBoxLayout(direction, self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(thread, 3)
        layout.addLayout(side, 2 if compose_beside else 0)
        self.set_query(None)

    # -- what is shown ---------------------------------------------------------------------

    @property
    def query(self) -> Query | None:
        """The query on show (with its thread), or None."""
        return self._query

    @property
    def busy(self) -> bool:
        """True while a load or a step of this widget runs."""
        return self.status.is_busy

    def today(self) -> dt.date:
        """The day ages are counted to."""
        return self._today or dt.date.today()

    def load(self, uid: str) -> Job:
        """Read the query ``uid`` with its thread in the background, then show it."""
        self._request += 1
        request, ws = self._request, self.ws
        self.done_label.hide()
        return run_job(
            self.runner,
            self.status,
            "load query",
            self.tr("Loading the query…"),
            lambda: ws.queries.get(uid),
            lambda query: self._loaded(request, query),
        )

    def _loaded(self, request: int, query: Query) -> None:
        if request != self._request:  # another query was asked for meanwhile
            return
        self.set_query(query)
        self.loaded.emit()

    def set_query(self, query: Query | None) -> None:
        """Show ``query`` (read with its thread); None shows nothing. What was typed for
        the query on show before is kept for when it comes back."""
        old = self._query
        if old is not None and (query is None or query.uid != old.uid):
            draft = self.text.toPlainText()
            if draft.strip():
                self._drafts[old.uid] = draft
            else:
                self._drafts.pop(old.uid, None)
            self.text.setPlainText(self._drafts.get(query.uid, "") if query else "")
            self.done_label.hide()
        elif old is None and query is not None:
            self.text.setPlainText(self._drafts.get(query.uid, ""))
        self._request += 1  # a load still on its way is for what was on show before
        self._query = query
        self._fill()

    def _fill(self) -> None:
        query = self._query
        shown = query is not None
        for widget in (self.kind_label, self.status_chip, self.assigned_label, self.age_label):
            widget.setVisible(shown)
        self.compose.setVisible(shown and self._may_take_steps())
        if query is None:
            self.heading.setText(self.tr("No query chosen"))
            self.messages.setHtml(
                html.escape(self.tr("Choose a query in the list to read its thread."))
            )
            self.hint.setText("")
            self.hint.hide()
            return
        study = self.ws.study
        self.heading.setText(
            self.tr("{subject} · {about}").format(
                subject=query.subject_id, about=about_text(study, query, self.lang)
            )
        )
        self.heading.setToolTip(query.where)
        self.kind_label.setText(kind_text(query.kind))
        colour = STATUS_COLOURS[query.status]
        self.status_chip.setText(status_text(query.status))
        self.status_chip.setStyleSheet(
            f"color: white; background: {colour}; border-radius: 8px; padding: 2px 10px;"
        )
        self.assigned_label.setText(
            self.tr("assigned to {role}").format(role=assigned_text(query.assigned_role))
        )
        self.age_label.setText(self._age_text(query))
        self.messages.setHtml(self._thread_html(query))
        self._update_buttons()

    def _age_text(self, query: Query) -> str:
        first = query.messages[0] if query.messages else None
        return self.tr("{age} · raised {when} by {name}").format(
            age=age_text(query.age_days(self.today())),
            when=when_text(query.created_at),
            name=first.full_name if first is not None else query.created_by,
        )

    def _thread_html(self, query: Query) -> str:
        blocks = []
        for message in query.messages:
            who = self.tr("{name}, {role}").format(
                name=message.full_name, role=message_role_text(message.role)
            )
            when = when_text(message.at_utc)
            after = self.tr("status → {status}").format(status=status_text(message.status))
            text = html.escape(message.text).replace("\n", "<br>")
            blocks.append(
                '<p style="margin-top:6px; margin-bottom:2px;">'
                f"<b>{html.escape(who)}</b> · {html.escape(when)} · "
                f'<span style="color:{STATUS_COLOURS[message.status]}; font-weight:bold;">'
                f"{html.escape(after)}</span></p>"
                f'<p style="margin-top:0; margin-bottom:10px; margin-left:14px;">{text}</p>'
            )
        return "".join(blocks)

    def thread_text(self) -> str:
        """The thread as plain text (for tests and copying)."""
        return self.messages.toPlainText()

    # -- the steps -------------------------------------------------------------------------

    def _may_take_steps(self) -> bool:
        return any(allowed(self.ws.role, STEPS[a].permission) for a in ACTIONS)

    def can(self, action: QueryAction) -> bool:
        """True when the button of ``action`` is enabled now."""
        return self.buttons[action].isEnabled()

    def why_not(self, action: QueryAction) -> str | None:
        """Why the current user cannot take ``action`` now (None: they can)."""
        query = self._query
        if query is None:
            return self.tr("No query is chosen.")
        step = STEPS[action]
        if not allowed(self.ws.role, step.permission):
            if action in (QueryAction.CLOSE, QueryAction.NOT_APPLICABLE):
                return self.tr(
                    "Only a monitor closes a query or marks it not applicable; "
                    "propose a resolution instead."
                )
            if action is QueryAction.REOPEN:
                return self.tr("Only a monitor reopens a query.")
            return self.tr("Your role reads queries but does not answer them.")
        if action is QueryAction.REOPEN and query.kind in NOTE_KINDS:
            return self.tr("A note cannot be reopened: raise a query instead.")
        if query.status not in step.start:
            if action is QueryAction.REOPEN:
                return self.tr("Only a closed or not-applicable query can be reopened.")
            return self.tr(
                "The query is {status}: it takes no replies or status changes until a monitor "
                "reopens it."
            ).format(status=status_text(query.status).lower())
        return None

    def _update_buttons(self) -> None:
        query = self._query
        for action, button in self.buttons.items():
            why = self.why_not(action)
            button.setEnabled(why is None and not self._acting)
            button.setToolTip(why or "")
        assigning = query is not None and any(possible(self.ws.role, query, a) for a in ASSIGNING)
        self.assign_combo.setEnabled(assigning and not self._acting)
        self.text.setReadOnly(self._acting)
        hint = self._hint(query)
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))

    def _hint(self, query: Query | None) -> str:
        if query is None:
            return ""
        if not self._may_take_steps():
            return self.tr("Your role reads queries; it takes no step on them.")
        if not any(possible(self.ws.role, query, a) for a in ACTIONS):
            if query.kind in NOTE_KINDS:
                return self.tr("This is a note on the data: nobody has to act on it.")
            return self.tr("This query is {status}: only a monitor can reopen it.").format(
                status=status_text(query.status).lower()
            )
        return ""

    def act(self, action: QueryAction) -> Job | None:
        """Take ``action`` with the message typed (in the background). The service checks
        it; a refusal is shown here and the text stays. None when nothing is on show or
        a step is already running."""
        query = self._query
        if query is None or self._acting:
            return None
        text = self.text.toPlainText()
        value = self.assign_combo.currentData() if action in ASSIGNING else None
        assign = Role(value) if value else None
        uid, ws = query.uid, self.ws
        self.done_label.hide()
        self._set_acting(True)
        job = run_job(
            self.runner,
            self.status,
            "query step",
            self.tr("Saving…"),
            lambda: ws.queries.act(uid, action, text, assign=assign),
            self._acted,
        )
        job.ended.connect(lambda: self._set_acting(False) if shiboken6.isValid(self) else None)
        return job

    def _acted(self, query: Query) -> None:
        self._drafts.pop(query.uid, None)
        if self._query is not None and self._query.uid == query.uid:
            self.text.clear()
            self.assign_combo.setCurrentIndex(0)
            self._query = query
            self._fill()
            self.done_label.setText(
                self.tr("Saved. The query is now {status}.").format(
                    status=status_text(query.status).lower()
                )
            )
            self.done_label.show()
            self.messages.verticalScrollBar().setValue(self.messages.verticalScrollBar().maximum())
        self.changed.emit(query.uid)

    def _set_acting(self, acting: bool) -> None:
        self._acting = acting
        self._update_buttons()

    @property
    def error(self) -> str:
        """The refusal or error shown, or an empty string."""
        return self.status.error


class QueryThreadDialog(QDialog):
    """One query (by uid) in a dialog, with the steps the user may take on it.

    Emits :attr:`changed` (the uid) after each step taken, so the caller can refresh
    what it shows. F5 reads the query again.
    """

    changed = Signal(str)

    def __init__(
        self,
        ws: Workspace,
        runner: JobRunner,
        lang: str,
        query_uid: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("query_thread_dialog")
        self.query_uid = query_uid
        self.setWindowTitle(self.tr("Query"))
        self.view = QueryThreadWidget(ws, runner, lang, parent=self)
        self.view.changed.connect(self.changed)
        self.view.loaded.connect(self._titled)
        self.button_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.button_box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.button_box)
        refresh = QShortcut(QKeySequence(Qt.Key.Key_F5), self)
        refresh.activated.connect(self.reload)
        self.resize(780, 640)
        self.view.text.setFocus()
        self.reload()

    def reload(self) -> Job:
        """Read the query again."""
        return self.view.load(self.query_uid)

    def _titled(self) -> None:
        query = self.view.query
        if query is not None:
            self.setWindowTitle(self.tr("Query about {where}").format(where=query.where))


__all__ = ["ACTIONS", "QueryThreadDialog", "QueryThreadWidget", "possible"]
