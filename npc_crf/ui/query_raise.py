"""Raise a query, or write a note, about a subject, an event, a form or one item.

:class:`RaiseQueryDialog` is the one dialog for it, wherever it is asked for (an
item of the form page, Ctrl+Shift+Q; the subject's queries). The kinds offered
follow the role (``docs/monitoring.md``, "Who may do what"):

* a monitor asks a **question** (a manual query), assigned to the research nurse
  or the investigator, and may also write a note;
* research nurses and investigators write **notes**: an annotation, or a reason
  for change; notes start as not applicable (nobody has to act on them).

The dialog calls ``ws.queries.raise_query`` itself when the person presses
*Raise* (one short transaction); a refusal (a locked record, an item whose form
was never saved, …) is shown in the dialog, and what was typed stays. After
``exec()`` returns Accepted, :attr:`RaiseQueryDialog.raised` is the new query.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from npc_crf.auth.roles import Permission, Role, allowed
from npc_crf.services.monitoring.query_model import Query, QueryKind
from npc_crf.services.workspace import Workspace
from npc_crf.ui import dialogs
from npc_crf.ui.i18n import role_name
from npc_crf.ui.labels import event_text, form_text
from npc_crf.ui.query_labels import kind_text

#: the roles a question may be assigned to, in the order offered
ASSIGNABLE = (Role.CRC, Role.INVESTIGATOR)


def raisable_kinds(role: Role) -> list[QueryKind]:
    """The kinds ``role`` may raise by hand, the usual one first (empty: none)."""
    kinds: list[QueryKind] = []
    if allowed(role, Permission.RAISE_QUERY):
        kinds.append(QueryKind.MANUAL)
    if allowed(role, Permission.ANSWER_QUERY):
        kinds += [QueryKind.ANNOTATION, QueryKind.REASON_FOR_CHANGE]
    return kinds


def can_raise(role: Role) -> bool:
    """True when ``role`` may raise some kind of query or note."""
    return bool(raisable_kinds(role))


class RaiseQueryDialog(QDialog):
    """Ask a question or write a note about a subject, event, form or item.

    ``item_label`` names the item for people (``Weight``, ``Lesions, row 2:
    Site``); ``item_path`` is what is stored (``WEIGHT``, ``TL[2].TLSITE``).
    """

    def __init__(
        self,
        ws: Workspace,
        lang: str,
        subject_id: str,
        *,
        event_oid: str | None = None,
        occurrence: int | None = None,
        form_oid: str | None = None,
        item_path: str | None = None,
        item_label: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws, self.lang = ws, lang
        self.subject_id, self.event_oid, self.occurrence = subject_id, event_oid, occurrence
        self.form_oid, self.item_path = form_oid, item_path
        self.item_label = item_label
        self.raised: Query | None = None
        self.kinds = raisable_kinds(ws.role)
        self.setObjectName("raise_query_dialog")
        asks = QueryKind.MANUAL in self.kinds
        self.setWindowTitle(self.tr("Raise a query") if asks else self.tr("Write a note"))
        self.setMinimumWidth(520)

        self.about = QLabel(self.about_text())
        self.about.setObjectName("about")
        self.about.setWordWrap(True)
        self.about.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind_box = QComboBox()
        self.kind_box.setObjectName("kind")
        for kind in self.kinds:
            self.kind_box.addItem(kind_text(kind), kind.value)
        self.assign_box = QComboBox()
        self.assign_box.setObjectName("assign")
        for role in ASSIGNABLE:
            self.assign_box.addItem(role_name(role), role.value)
        self.assign_label = QLabel(self.tr("For:"))
        self.text = QPlainTextEdit()
        self.text.setObjectName("query_text")
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(110)
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #616161;")
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b71c1c;")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setObjectName("raise")
        self.ok.setToolTip(self.tr("Raise it (Ctrl+Enter)"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        fields = QFormLayout()
        fields.addRow(self.tr("Kind:"), self.kind_box)
        fields.addRow(self.assign_label, self.assign_box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addLayout(fields)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.text.installEventFilter(self)  # Ctrl+Enter in the text raises it
        self.kind_box.currentIndexChanged.connect(self._update)
        self.text.textChanged.connect(self._update)
        self.kind_box.setVisible(len(self.kinds) > 1)
        label = fields.labelForField(self.kind_box)
        if label is not None:
            label.setVisible(len(self.kinds) > 1)
        self._update()
        self.text.setFocus()

    # -- state -------------------------------------------------------------------------

    def about_text(self) -> str:
        """What the query is about, in words (subject · event · form · item)."""
        study = self.ws.study
        parts = [self.subject_id]
        if self.event_oid:
            parts.append(event_text(study, self.event_oid, self.occurrence, self.lang))
        if self.form_oid:
            parts.append(form_text(study, self.form_oid, self.lang))
        if self.item_path:
            parts.append(self.item_label or self.item_path)
        return self.tr("About: {where}").format(where=" · ".join(parts))

    def kind(self) -> QueryKind | None:
        """The kind chosen (None when the role may raise none)."""
        value = self.kind_box.currentData()
        return QueryKind(value) if value else None

    def assigned(self) -> Role | None:
        """Who a question is for (None for a note)."""
        if self.kind() is not QueryKind.MANUAL:
            return None
        return Role(self.assign_box.currentData())

    def set_kind(self, kind: QueryKind) -> bool:
        """Choose ``kind``; False when the role may not raise it."""
        index = self.kind_box.findData(kind.value)
        if index < 0:
            return False
        self.kind_box.setCurrentIndex(index)
        return True

    def set_assigned(self, role: Role) -> bool:
        """Assign a question to ``role`` (CRC or INV)."""
        index = self.assign_box.findData(role.value)
        if index < 0:
            return False
        self.assign_box.setCurrentIndex(index)
        return True

    def _update(self) -> None:
        kind = self.kind()
        asks = kind is QueryKind.MANUAL
        self.assign_box.setVisible(asks)
        self.assign_label.setVisible(asks)
        if kind is None:
            self.hint.setText(self.tr("Your role cannot raise queries or write notes."))
        elif asks:
            self.hint.setText(
                self.tr("The person it is for sees it on their worklist and answers it.")
            )
        else:
            self.hint.setText(self.tr("A note needs no answer; it stays with the data."))
        self.text.setPlaceholderText(
            self.tr("The question, e.g. what to check in the source document")
            if asks
            else self.tr("The note")
        )
        self.ok.setText(self.tr("Raise") if asks else self.tr("Add note"))
        self.ok.setEnabled(kind is not None and bool(self.text.toPlainText().strip()))

    # -- raising -----------------------------------------------------------------------

    def raise_query(self) -> bool:
        """Raise the query now; True when it was raised (refusals are shown here)."""
        kind = self.kind()
        text = self.text.toPlainText().strip()
        if kind is None or not text:
            return False
        try:
            self.raised = self.ws.queries.raise_query(
                self.subject_id,
                text,
                event_oid=self.event_oid,
                occurrence=self.occurrence,
                form_oid=self.form_oid,
                item_path=self.item_path,
                kind=kind,
                assign=self.assigned(),
            )
        except Exception as exc:  # a refusal: say why, keep what was typed
            message, informative, _details = dialogs.error_text(exc)
            self.error.setText(f"{message}\n{informative}".strip())
            self.error.show()
            return False
        return True

    @staticmethod
    def _is_submit(event: QEvent) -> bool:
        return (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Ctrl+Enter in the text raises the query (Enter alone is a new line)."""
        if watched is self.text and self._is_submit(event):
            self.accept()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Ctrl+Enter anywhere in the dialog raises the query."""
        if self._is_submit(event):
            self.accept()
            return
        super().keyPressEvent(event)

    def accept(self) -> None:
        """Raise, and close only when it was raised."""
        if self.ok.isEnabled() and self.raise_query():
            super().accept()


def raise_query(
    ws: Workspace,
    lang: str,
    subject_id: str,
    *,
    event_oid: str | None = None,
    occurrence: int | None = None,
    form_oid: str | None = None,
    item_path: str | None = None,
    item_label: str | None = None,
    parent: QWidget | None = None,
) -> Query | None:
    """Run a :class:`RaiseQueryDialog`; the query raised, or None when cancelled."""
    dialog = RaiseQueryDialog(
        ws,
        lang,
        subject_id,
        event_oid=event_oid,
        occurrence=occurrence,
        form_oid=form_oid,
        item_path=item_path,
        item_label=item_label,
        parent=parent,
    )
    raised: list[Query] = []
    dialog.accepted.connect(lambda: raised.append(dialog.raised) if dialog.raised else None)
    dialogs.run_modal(dialog)
    return raised[0] if raised else None


__all__ = ["RaiseQueryDialog", "can_raise", "raisable_kinds", "raise_query"]
