"""An item's inline status: the session's message in its colour, and "Override…".

* hard error — red, the message;
* soft warning — orange, the message and an "Override…" button (a kept value
  shows the reason instead, and the button lets the reason be changed);
* required but empty — only the label's mark until the nurse tries to mark the
  form complete, then highlighted with the message;
* a missing-data code — its name.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.model import Study
from npc_crf.forms.session import ItemState, Status
from npc_crf.ui.widgets.look import set_colors, set_font
from npc_crf.ui.widgets.values import missing_text

#: the status colours, also used by group tables (text, background)
COLORS: dict[str, tuple[str, str]] = {
    "hard": ("#b71c1c", "#ffebee"),
    "soft": ("#bf360c", "#fff3e0"),
    "kept": ("#8d6e63", "#fbe9e7"),
    "required": ("#757575", ""),
    "required_shown": ("#8a1c00", "#fff8c4"),
    "missing": ("#37474f", "#eceff1"),
}


def status_kind(state: ItemState, highlight_required: bool) -> str | None:
    """The colour key of a state (None for a plain, passing answer)."""
    if state.status is Status.HARD_ERROR:
        return "hard"
    if state.status is Status.SOFT_WARNING:
        return "kept" if state.override_reason else "soft"
    if state.status is Status.REQUIRED_EMPTY:
        return "required_shown" if highlight_required else "required"
    if isinstance(state.value, Missing):
        return "missing"
    return None


class ItemStatus(QWidget):
    """The message line under an item's editor."""

    overrideRequested = Signal()

    def __init__(self, study: Study, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.study, self.lang = study, lang
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setContentsMargins(4, 1, 4, 1)
        self._box = QHBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.addWidget(self.message, 1)
        self._box.addStretch(0)
        self._override: QPushButton | None = None
        self.kind: str | None = None
        self._text = ""
        self.hide()

    @property
    def override(self) -> QPushButton:
        """The "Override…" button (made when first needed: most items never warn)."""
        if self._override is None:
            button = QPushButton(self.tr("Override…"))
            button.setObjectName("override")
            button.setToolTip(
                self.tr("Keep this value and give the reason (Ctrl+Shift+O); it raises a query")
            )
            button.clicked.connect(self.overrideRequested.emit)
            button.hide()
            self._box.insertWidget(1, button, 0, Qt.AlignmentFlag.AlignTop)
            self._override = button
        return self._override

    def show_state(
        self,
        state: ItemState,
        *,
        highlight_required: bool = False,
        local_problem: str | None = None,
        read_only: bool = False,
    ) -> None:
        """Show ``state``; ``local_problem`` replaces a refusal's message (partial dates)."""
        kind = status_kind(state, highlight_required)
        text = state.message.get(self.lang) if state.message is not None else ""
        if kind == "hard" and local_problem:
            text = local_problem
        elif kind == "kept":
            text = self.tr("{message} — kept: {reason}").format(
                message=text, reason=state.override_reason
            )
        elif kind == "missing" and isinstance(state.value, Missing):
            text = missing_text(self.study, state.value.code, self.lang)
        elif kind in (None, "required"):
            text = ""  # the label's mark says it quietly until "mark complete" is tried
        changed = text != self._text
        if changed:
            self._text = text
            self.message.setText(text)
        if kind is not None and kind != self.kind:
            color, background = COLORS[kind]
            set_colors(self.message, color, background or None)
            set_font(self.message, bold=kind in ("hard", "required_shown"))
        if text and (changed or kind != self.kind):
            # as wide as the text (wrapped when the row is narrower), the button beside it
            self.message.setMaximumWidth(self.message.fontMetrics().horizontalAdvance(text) + 12)
        self.kind = kind
        can_override = kind in ("soft", "kept") and not read_only
        if can_override or self._override is not None:
            self.override.setText(
                self.tr("Change reason…") if kind == "kept" else self.tr("Override…")
            )
            self.override.setVisible(can_override)
        if self.isHidden() == bool(text):
            self.setVisible(bool(text))
