"""The live eligibility verdict shown beside the study's eligibility form.

:func:`eligibility_form` finds the form the criteria read most (NPC-SINT-RT:
``SCR``/``ELIG``); :class:`EligibilityPanel` shows an
:class:`~npc_crf.forms.eligibility.Assessment`: the verdict, each failing
criterion, and each undecided one with the data it still needs.
"""

from __future__ import annotations

import re
from collections import Counter
from html import escape

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from npc_crf.forms.eligibility import Assessment, CriterionResult, Outcome, Verdict
from npc_crf.forms.expr.ast import CrossRef, walk
from npc_crf.forms.model import Study
from npc_crf.ui.i18n import ScaledLabel
from npc_crf.ui.widgets.look import set_font

_VERDICT_COLORS = {
    Verdict.ELIGIBLE: ("#1b5e20", "#e8f5e9"),
    Verdict.NOT_ELIGIBLE: ("#b71c1c", "#ffebee"),
    Verdict.INCOMPLETE: ("#8d6e00", "#fff8e1"),
}


def eligibility_form(study: Study) -> tuple[str, str] | None:
    """(event OID, form OID) of the study's eligibility form, or None without criteria.

    It is the form the criteria read the largest share of: a checklist asked only
    for eligibility is read almost item by item, while a history form the criteria
    also read (histology, metastases) is mostly about other things.
    """
    read: dict[tuple[str, str], set[str]] = {}
    criteria: Counter[tuple[str, str]] = Counter()
    for criterion in study.eligibility:
        seen: set[tuple[str, str]] = set()
        for node in walk(criterion.expr.tree):
            if not isinstance(node, CrossRef) or len(node.parts) < 2:
                continue
            event = study.event(node.head)
            if event is None or node.parts[0] not in event.forms:
                continue
            key = (event.oid, node.parts[0])
            read.setdefault(key, set()).add(node.parts[1])
            seen.add(key)
        criteria.update(seen)
    if not read:
        return None

    def share(key: tuple[str, str]) -> tuple[float, int]:
        form = study.forms[key[1]]
        inputs = sum(1 for item, _group in form.all_items() if item.takes_input)
        return len(read[key]) / max(inputs, 1), criteria[key]

    return max(read, key=share)


def reference_label(study: Study, ref: str, lang: str) -> str:
    """``@SCR.DM.BRTHDAT`` → ``Demographics: Date of birth`` (the reference itself if unknown)."""
    parts = [re.sub(r"\[.*?\]$", "", p) for p in ref.lstrip("@").split(".")]
    if parts and study.event(parts[0]) is not None:
        parts = parts[1:]
    form = study.forms.get(parts[0]) if parts else None
    if form is None or len(parts) < 2:
        return ref
    item = form.item(parts[-1])
    if item is None:
        return ref
    return QCoreApplication.translate("EligibilityPanel", "{form}: {item}").format(
        form=form.title.get(lang), item=item.label.get(lang)
    )


class EligibilityPanel(QFrame):
    """Verdict, failing criteria and undecided criteria with what they still need."""

    def __init__(self, study: Study, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.study, self.lang = study, lang
        self.setObjectName("eligibility")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(self.tr("Eligibility (computed as you type)"))
        set_font(self.title, bold=True)
        self.title.setWordWrap(True)
        self.verdict = ScaledLabel(factor=1.5, bold=True)  # follows the font-size preference
        self.verdict.setObjectName("verdict")
        self.verdict.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.details = QLabel()
        self.details.setObjectName("criteria")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.details)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.verdict)
        layout.addWidget(scroll, 1)
        self.assessment: Assessment | None = None
        self.setMinimumWidth(260)

    def verdict_text(self, verdict: Verdict) -> str:
        """The verdict in the interface language."""
        return {
            Verdict.ELIGIBLE: self.tr("Eligible"),
            Verdict.NOT_ELIGIBLE: self.tr("Not eligible"),
            Verdict.INCOMPLETE: self.tr("Incomplete"),
        }[verdict]

    def show_assessment(self, assessment: Assessment) -> None:
        """Show a new assessment."""
        self.assessment = assessment
        color, background = _VERDICT_COLORS[assessment.verdict]
        self.verdict.setText(self.verdict_text(assessment.verdict))
        self.verdict.setStyleSheet(
            f"color: {color}; background: {background}; padding: 6px; border-radius: 4px;"
        )
        blocks: list[str] = []
        if assessment.failing:
            blocks.append(self._block(self.tr("Not met"), assessment.failing, "#b71c1c"))
        if assessment.undecided:
            blocks.append(self._block(self.tr("Not decided yet"), assessment.undecided, "#8d6e00"))
        met = sum(1 for r in assessment.results if r.outcome is Outcome.MET)
        blocks.append(
            escape(
                self.tr("{met} of {total} criteria met").format(
                    met=met, total=len(assessment.results)
                )
            )
        )
        self.details.setText("".join(blocks))

    def _block(self, title: str, results: list[CriterionResult], color: str) -> str:
        items = []
        for result in results:
            text = f"<b>{escape(result.criterion.id)}</b> {escape(result.criterion.text.get(self.lang))}"
            if result.outcome is Outcome.INDETERMINATE:
                text += "<br><i>" + escape(self.tr("undecided: a partial date decides it")) + "</i>"
            elif result.missing:
                needs = ", ".join(
                    escape(reference_label(self.study, ref, self.lang)) for ref in result.missing
                )
                text += "<br><i>" + self.tr("needs: {items}").format(items=needs) + "</i>"
            items.append(f"<li>{text}</li>")
        return (
            f'<p style="color:{color}; font-weight:bold; margin-bottom:0">{escape(title)}</p>'
            f'<ul style="margin-top:2px; -qt-list-indent: 1">{"".join(items)}</ul>'
        )
