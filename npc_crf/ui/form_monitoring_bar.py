"""The monitoring part of the form page's header.

* the **freeze or lock** in force: where (site, subject, this form), who, when,
  why, and what it stops;
* the **signatures**: the manifestation of every valid signature (printed name,
  user ID, UTC date and time, meaning in the interface language, 21 CFR Part 11
  §11.50); voided ones behind a *Voided signatures (n)* toggle and its tooltip;
* the form's **open queries** (a click opens the first), and its **SDV
  progress** ("SDV: 12 of 15 verified") with, for monitors, *Only values to
  verify*;
* action buttons the page puts in its button row: *Verify whole form*
  (monitors), *Sign…* (investigators), *Query on form…* / *Note on form…*.

The bar only shows and asks (signals); :class:`~npc_crf.ui.form_monitoring.FormMonitoring`
acts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from npc_crf.auth.roles import Permission, Role, allowed
from npc_crf.services.monitoring.hold_model import Hold, Level, Scope, State
from npc_crf.services.monitoring.signature_model import Manifestation
from npc_crf.ui import dialogs
from npc_crf.ui.labels import queries_text
from npc_crf.ui.widgets.look import set_colors, set_font
from npc_crf.ui.widgets.monitoring import URGENCY_TEXT, dot_icon, marker_colors, most_urgent

if TYPE_CHECKING:
    from npc_crf.ui.form_monitoring import MonitoringSnapshot

#: (text, background) of the hold banner
FROZEN_LOOK = ("#0d47a1", "#e3f2fd")
LOCKED_LOOK = ("#ffffff", "#455a64")
SIGNED_COLOR = "#4a148c"


def utc_text(stamp: str | None) -> str:
    """A stored UTC time as ``2026-01-05 09:30:12 UTC``."""
    return f"{(stamp or '')[:19].replace('T', ' ')} UTC"


class MonitoringBar(QWidget):
    """Holds, signatures, open queries and SDV progress of the form on show."""

    queriesRequested = Signal()
    raiseRequested = Signal()
    verifyAllRequested = Signal()
    filterToggled = Signal(bool)
    signRequested = Signal()

    def __init__(self, role: Role, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monitoring_bar")
        self.role = role
        self.lang = "en"
        self.hold_banner = QLabel()
        self.hold_banner.setObjectName("hold_banner")
        self.hold_banner.setWordWrap(True)
        self.hold_banner.setContentsMargins(8, 4, 8, 4)
        self.hold_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hold_banner.hide()
        self.signatures = QLabel()
        self.signatures.setObjectName("signatures")
        self.signatures.setWordWrap(True)
        self.signatures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_colors(self.signatures, SIGNED_COLOR)
        self.signatures.hide()
        self.voided_button = QToolButton()
        self.voided_button.setObjectName("voided_toggle")
        self.voided_button.setCheckable(True)
        self.voided_button.setAutoRaise(True)
        self.voided_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.voided_button.setArrowType(Qt.ArrowType.RightArrow)
        self.voided_button.toggled.connect(self._show_voided)
        self.voided_button.hide()
        self.voided = QLabel()
        self.voided.setObjectName("voided_signatures")
        self.voided.setWordWrap(True)
        self.voided.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_colors(self.voided, "#757575")
        self.voided.hide()
        self.queries_button = QPushButton()
        self.queries_button.setObjectName("form_queries")
        self.queries_button.setFlat(True)
        self.queries_button.setAutoDefault(False)
        self.queries_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.queries_button.clicked.connect(self.queriesRequested.emit)
        self.queries_button.hide()
        self.sdv_label = QLabel()
        self.sdv_label.setObjectName("sdv_progress")
        self.sdv_label.hide()
        self.only_pending = QCheckBox(self.tr("Only values to verify"))
        self.only_pending.setObjectName("sdv_filter")
        self.only_pending.setToolTip(
            self.tr("Show only the items whose values still need source data verification")
        )
        self.only_pending.toggled.connect(self.filterToggled.emit)
        self.only_pending.hide()
        self.verify_all = QPushButton(self.tr("Verify whole form"))
        self.verify_all.setObjectName("verify_all")
        self.verify_all.setToolTip(
            self.tr("Mark every pending value of this form as verified against the source")
        )
        self.verify_all.clicked.connect(self.verifyAllRequested.emit)
        self.verify_all.hide()
        self.sign_button = QPushButton(self.tr("Sign…"))
        self.sign_button.setObjectName("sign")
        self.sign_button.clicked.connect(self.signRequested.emit)
        self.sign_button.hide()
        asks = allowed(role, Permission.RAISE_QUERY)
        self.raise_button = QPushButton(
            self.tr("Query on form…") if asks else self.tr("Note on form…")
        )
        self.raise_button.setObjectName("raise_form_query")
        self.raise_button.setToolTip(
            self.tr(
                "Raise a query about the whole form; for one item use its menu or {key}"
            ).format(key="Ctrl+Shift+Q")
            if asks
            else self.tr(
                "Write a note about the whole form; for one item use its menu or {key}"
            ).format(key="Ctrl+Shift+Q")
        )
        self.raise_button.clicked.connect(self.raiseRequested.emit)
        self.raise_button.hide()
        for button in (self.verify_all, self.sign_button, self.raise_button):
            button.setAutoDefault(False)

        signed = QHBoxLayout()
        signed.setContentsMargins(0, 0, 0, 0)
        signed.addWidget(self.signatures, 1)
        signed.addWidget(self.voided_button, 0, Qt.AlignmentFlag.AlignTop)
        status = QHBoxLayout()
        status.setContentsMargins(0, 0, 0, 0)
        status.setSpacing(14)
        status.addWidget(self.queries_button)
        status.addWidget(self.sdv_label)
        status.addWidget(self.only_pending)
        status.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.hold_banner)
        layout.addLayout(signed)
        layout.addWidget(self.voided)
        layout.addLayout(status)

    def action_buttons(self) -> list[QPushButton]:
        """The buttons the page shows in its own button row."""
        return [self.sign_button, self.verify_all, self.raise_button]

    # -- showing -------------------------------------------------------------------------

    def show_snapshot(
        self,
        snapshot: MonitoringSnapshot,
        *,
        lang: str,
        can_raise: bool,
        can_sdv: bool,
        can_sign: bool,
        sign_visible: bool,
    ) -> None:
        """Show ``snapshot``; the flags say which actions are possible now."""
        self.lang = lang
        self._show_holds(snapshot.holds.state, list(snapshot.holds.holds))
        self._show_signatures(snapshot.valid_signatures, snapshot.voided_signatures)
        self._show_queries(snapshot)
        sdv = snapshot.sdv
        monitor = allowed(self.role, Permission.SDV)
        if sdv is not None and sdv.required:
            self.sdv_label.setText(
                self.tr("SDV: {verified} of {total} verified").format(
                    verified=sdv.verified, total=sdv.required
                )
            )
            done = sdv.pending == 0
            set_colors(self.sdv_label, "#1b5e20" if done else "#6d4c00")
            set_font(self.sdv_label, bold=monitor and not done)
            self.sdv_label.setToolTip(
                self.tr("{n} value(s) still need source data verification.").format(n=sdv.pending)
                if not done
                else self.tr("Every value that needs it has been verified against the source.")
            )
            self.sdv_label.show()
        else:
            self.sdv_label.hide()
        has_values = sdv is not None and sdv.required > 0
        self.only_pending.setVisible(monitor and has_values)
        self.verify_all.setVisible(monitor and has_values)
        self.verify_all.setEnabled(can_sdv and sdv is not None and sdv.pending > 0)
        self.raise_button.setVisible(allowed(self.role, Permission.ANSWER_QUERY))
        self.raise_button.setEnabled(can_raise)
        self.sign_button.setVisible(sign_visible)
        self.sign_button.setEnabled(can_sign)
        self.sign_button.setToolTip(
            self.tr("Sign this form electronically (asks for your password)")
            if can_sign
            else self.tr("Only a complete form that is not locked can be signed")
        )

    def _show_holds(self, state: State, holds: list[Hold]) -> None:
        if state is State.OPEN or not holds:
            self.hold_banner.hide()
            return
        lines = [self.hold_text(h) for h in holds]
        lines.append(
            self.tr("Nothing can be changed: no data, queries, SDV or signatures.")
            if state is State.LOCKED
            else self.tr("The data cannot be changed; queries, SDV and signing go on.")
        )
        self.hold_banner.setText("\n".join(lines))
        text, background = LOCKED_LOOK if state is State.LOCKED else FROZEN_LOOK
        set_colors(self.hold_banner, text, background)
        set_font(self.hold_banner, bold=True)
        self.hold_banner.show()

    def hold_text(self, hold: Hold) -> str:
        """``Frozen (subject S01-01-0001) by monitor on 2026-01-05 09:30. Reason: clean data``."""
        scope = hold.target.scope
        if scope is Scope.SITE:
            where = self.tr("the whole site")
        elif scope is Scope.SUBJECT:
            where = self.tr("subject {subject}").format(subject=hold.target.subject_id)
        else:
            where = self.tr("this form")
        who = hold.set_by or self.tr("unknown")
        when = dialogs.local_moment(hold.set_at) if hold.set_at else self.tr("unknown")
        why = hold.reason or self.tr("none recorded")
        if hold.level is Level.LOCKED:
            return self.tr("Locked ({where}) by {who} on {when}. Reason: {why}").format(
                where=where, who=who, when=when, why=why
            )
        return self.tr("Frozen ({where}) by {who} on {when}. Reason: {why}").format(
            where=where, who=who, when=when, why=why
        )

    def meaning_text(self, m: Manifestation) -> str:
        """The signature's meaning in the interface language."""
        return m.meaning_zh if self.lang == "zh" else m.meaning_en

    def manifestation_text(self, m: Manifestation) -> str:
        """The §11.50 line of one valid signature."""
        return self.tr(
            "Electronically signed by {name} ({user}) on {when}. Meaning: {meaning}"
        ).format(
            name=m.printed_name, user=m.username, when=m.signed_at_utc, meaning=self.meaning_text(m)
        )

    def voided_text(self, m: Manifestation) -> str:
        """One voided signature."""
        return self.tr(
            "Voided: signed by {name} ({user}) on {when}, meaning: {meaning}; voided on {voided}: {reason}"
        ).format(
            name=m.printed_name,
            user=m.username,
            when=m.signed_at_utc,
            meaning=self.meaning_text(m),
            voided=utc_text(m.voided_at),
            reason=m.void_reason or "",
        )

    def _show_signatures(self, valid: list[Manifestation], voided: list[Manifestation]) -> None:
        self.signatures.setText("\n".join(self.manifestation_text(m) for m in valid))
        self.signatures.setVisible(bool(valid))
        lines = [self.voided_text(m) for m in voided]
        self.voided.setText("\n".join(lines))
        self.voided_button.setText(self.tr("Voided signatures ({n})").format(n=len(voided)))
        self.voided_button.setToolTip("\n".join(lines))
        self.voided_button.setVisible(bool(voided))
        self.voided.setVisible(bool(voided) and self.voided_button.isChecked())

    def _show_voided(self, on: bool) -> None:
        self.voided_button.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.voided.setVisible(on and bool(self.voided.text()))

    def _show_queries(self, snapshot: MonitoringSnapshot) -> None:
        queries = snapshot.queries
        if not queries:
            self.queries_button.hide()
            return
        opened = snapshot.open_queries
        if opened:
            self.queries_button.setText(queries_text(len(opened)))
            self.queries_button.setToolTip(self.tr("Open the first open query of this form"))
        else:
            self.queries_button.setText(
                self.tr("No open queries ({n} closed or notes)").format(n=len(queries))
            )
            self.queries_button.setToolTip(self.tr("Choose one of this form's queries to read"))
        shown = opened or list(queries)
        background, _text = marker_colors(shown)
        self.queries_button.setIcon(dot_icon(background, 12))
        set_colors(self.queries_button, URGENCY_TEXT[most_urgent(shown)])
        set_font(self.queries_button, bold=bool(opened))
        self.queries_button.show()


__all__ = ["MonitoringBar", "utc_text"]
