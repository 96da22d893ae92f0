"""CTCAE v5.0 on the form: the term editor, the grade editor with grade texts, the lab hint.

* :class:`TermPicking` — on a lookup over the built-in CTCAE list: typing
  still completes as in any lookup; F4 (or the button) opens the
  :class:`~npc_crf.ui.ctcae_picker.CtcaePicker`;
* :class:`CtcaeGradeEditor` — the AE grade as radio buttons, each with the
  chosen term's text for that grade; grades the term does not have are
  disabled, and a stored grade the term does not have is flagged;
* :class:`LabGradeHint` — "CTCAE grade 2 — Neutrophil count decreased" beside
  a lab value (the core decides, :mod:`npc_crf.oncology.ctcae.suggest`).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QRadioButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from npc_crf.forms.model import Item, Study
from npc_crf.oncology.ctcae.catalogue import Term, catalogue
from npc_crf.oncology.ctcae.findings import LabFinding
from npc_crf.oncology.ctcae.lab import NEEDS_BASELINE
from npc_crf.oncology.ctcae.rules import (
    FLAG_MEANINGS,
    HOSPITALIZATION,
    INTERVENTION_INDICATED,
    INTERVENTION_INITIATED,
    LIFE_THREATENING,
    SYMPTOMATIC,
    TRANSFUSION_INDICATED,
)
from npc_crf.ui.ctcae_picker import CtcaePicker
from npc_crf.ui.widgets.editors import LookupEditor, RadioEditor
from npc_crf.ui.widgets.look import muted, set_colors, set_font
from npc_crf.ui.widgets.values import edit_text

#: the key that opens the picker from the term's field
PICKER_KEY = "F4"
_ARROWS = (Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_Right, Qt.Key.Key_Down)


def is_ctcae_lookup(study: Study, item: Item) -> bool:
    """Whether ``item`` is a lookup over the built-in CTCAE v5.0 list."""
    codelist = study.codelist_for(item)
    return codelist is not None and codelist.source == "ctcae_v5"


class TermPicking(QObject):
    """The picker on a CTCAE lookup: F4 or the button beside the field opens it.

    Typing in the field still completes as in any lookup; the picker opens on
    what is typed (or on the term already chosen) and a pick is committed like
    a completion.
    """

    def __init__(self, editor: LookupEditor) -> None:
        super().__init__(editor)
        self.editor = editor
        self.browse = QToolButton()
        self.browse.setObjectName(f"pick_{editor.item.oid}")
        self.browse.setText(self.tr("Browse…"))
        self.browse.setToolTip(
            self.tr("Find the term by name, MedDRA code or organ class, with its grades (F4)")
        )
        self.browse.setEnabled(not editor.read_only)
        self.browse.clicked.connect(self.open_picker)
        editor.box.insertWidget(editor.box.indexOf(editor.edit) + 1, self.browse)
        shortcut = QShortcut(QKeySequence(PICKER_KEY), editor.edit)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(self.open_picker)
        editor.edit.setPlaceholderText(self.tr("Type part of the term or its code; F4 to browse"))
        self.picker: CtcaePicker | None = None

    def open_picker(self) -> None:
        """Open the picker on what is typed (or on the chosen term)."""
        editor = self.editor
        if editor.read_only or self.picker is not None:
            return
        text = editor.edit.text().strip()
        code = editor.by_text.get(text)
        term = catalogue().by_code(code) if code is not None else None
        picker = CtcaePicker(editor, query=term.term if term is not None else text)
        self.picker = picker
        picker.finished.connect(lambda result: self._picked(picker, result))
        picker.open()

    def _picked(self, picker: CtcaePicker, result: int) -> None:
        self.picker = None
        term = picker.chosen()
        picker.deleteLater()
        editor = self.editor
        if result == QDialog.DialogCode.Accepted and term is not None:
            editor.edit.setText(editor.text_for(term.code))
            editor.commit_pending()
        if editor.edit.isVisible():  # back in the field, ready to type or press Enter
            editor.edit.activateWindow()
            editor.edit.setFocus(Qt.FocusReason.OtherFocusReason)


def _grade_of(code: str | int) -> int | None:
    text = str(code)
    return int(text) if text.isdigit() else None


class CtcaeGradeEditor(RadioEditor):
    """The AE grade, one radio button per grade with the chosen term's text beside it."""

    def __init__(self, study: Study, item: Item, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(study, item, lang, parent)
        self.term: Term | None = None
        self.texts: list[QLabel] = []
        for n, button in enumerate(self.buttons):  # one grade per row, its text beside it
            self.grid.removeWidget(button)
            self.grid.addWidget(button, n, 0, Qt.AlignmentFlag.AlignTop)
            text = QLabel()
            text.setObjectName(f"grade_text_{item.oid}_{n}")
            text.setWordWrap(True)
            text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            text.hide()
            self.grid.addWidget(text, n, 1)
            self.texts.append(text)
        self.grid.setColumnStretch(1, 1)
        self.flag = QLabel()
        self.flag.setObjectName(f"grade_flag_{item.oid}")
        self.flag.setWordWrap(True)
        set_colors(self.flag, "#b71c1c")
        self.flag.hide()
        holder = self.grid.parentWidget()
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        if holder is not None:
            self.box.removeWidget(holder)
            column.addWidget(holder)
        column.addWidget(self.flag)
        self.box.insertLayout(0, column, 1)
        self.expanding = True
        self._value: object = None

    def set_term(self, term: Term | None) -> None:
        """Show ``term``'s grade texts (None: the plain grade list)."""
        self.term = term
        for n, (code, _label) in enumerate(self.options):
            grade = _grade_of(code)
            label = self.texts[n]
            if term is None or grade is None:
                label.hide()
                continue
            text = term.grade_text(grade)
            if text is None:
                label.setText(self.tr("— not defined for {term}").format(term=term.term))
                muted(label, small=False)
                set_font(label, italic=True)
            else:
                label.setText(text)
                set_colors(label, None)
                set_font(label, italic=False)
            label.show()
        self._apply_availability()

    def available(self, index: int) -> bool:
        """Whether option ``index`` is a grade the chosen term has (any grade without a term)."""
        grade = _grade_of(self.options[index][0])
        return self.term is None or grade is None or self.term.has_grade(grade)

    def _apply_availability(self) -> None:
        for n, button in enumerate(self.buttons):
            button.setEnabled(not self.read_only and self.available(n))
        self._show_flag()

    def _show_flag(self) -> None:
        codes = [str(code) for code, _ in self.options]
        wanted = edit_text(self._value)
        index = codes.index(wanted) if wanted in codes else -1
        if self.term is not None and index >= 0 and not self.available(index):
            self.flag.setText(
                self.tr("Grade {grade} is not defined for {term}: choose another grade.").format(
                    grade=wanted, term=self.term.term
                )
            )
            self.flag.show()
        else:
            self.flag.hide()

    def show_value(self, value: object) -> None:
        super().show_value(value)
        self._value = value
        self._show_flag()

    def choose(self, index: int | None) -> None:
        """Choose option ``index``; a grade the term does not have is not chosen."""
        if index is not None and not self.available(index):
            return
        super().choose(index)

    def focus_target(self) -> QWidget | None:
        checked = self.group.checkedButton()
        if checked is not None and checked.isEnabled():
            return checked
        return next((b for b in self.buttons if b.isEnabled()), None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Arrow keys step over the grades the term does not have."""
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ARROWS
            and isinstance(watched, QRadioButton)
            and watched in self.buttons
            and not self.read_only
        ):
            step = -1 if event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Up) else 1
            n = self.buttons.index(watched) + step
            while 0 <= n < len(self.buttons) and not self.available(n):
                n += step
            if 0 <= n < len(self.buttons):
                self.choose(n)
            return True
        return super().eventFilter(watched, event)

    def set_read_only(self, read_only: bool) -> None:
        super().set_read_only(read_only)
        self._apply_availability()


def fact_text(fact: str) -> str:
    """A fact the grade needs, as a short question for the nurse (the tooltip has CTCAE's words)."""
    texts = {
        SYMPTOMATIC: QCoreApplication.translate("LabGradeHint", "symptomatic?"),
        INTERVENTION_INDICATED: QCoreApplication.translate("LabGradeHint", "intervention?"),
        INTERVENTION_INITIATED: QCoreApplication.translate("LabGradeHint", "intervention?"),
        HOSPITALIZATION: QCoreApplication.translate("LabGradeHint", "hospitalization?"),
        LIFE_THREATENING: QCoreApplication.translate("LabGradeHint", "life-threatening?"),
        TRANSFUSION_INDICATED: QCoreApplication.translate("LabGradeHint", "transfusion?"),
        NEEDS_BASELINE: QCoreApplication.translate("LabGradeHint", "baseline value?"),
    }
    return texts.get(fact, fact)


#: text colour by suggested grade (None: undecided)
GRADE_COLORS = {0: "#616161", 1: "#8d6e00", 2: "#e65100", 3: "#b71c1c", 4: "#b71c1c"}


class LabGradeHint(QLabel):
    """The suggested CTCAE grade of a lab value, shown beside it."""

    def __init__(self, item_oid: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"ctcae_{item_oid}")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setWordWrap(True)  # a long "needs" list wraps rather than widening the form
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setIndent(8)
        self.finding: LabFinding | None = None
        self.hide()

    def show_finding(self, finding: LabFinding | None) -> None:
        """Show a finding (None hides the hint)."""
        self.finding = finding
        if finding is None:
            self.clear()
            self.setToolTip("")
            self.hide()
            return
        result = finding.result
        term = result.term.term
        if result.report_as is not None:
            text = self.tr("CTCAE: report as {term}").format(term=result.report_as.term)
        elif result.grade is None:
            text = self.tr("CTCAE grade undecided — {term}").format(term=term)
        else:
            text = self.tr("CTCAE grade {grade} — {term}").format(grade=result.grade, term=term)
        if result.needs:
            facts = " ".join(fact_text(f) for f in result.needs)
            text = self.tr("{text} · needs: {facts}").format(text=text, facts=facts)
        self.setText(text)
        tip = [result.criterion or "", *result.notes]
        if result.needs:
            tip.append(
                self.tr("Needed: {facts}").format(
                    facts="; ".join(FLAG_MEANINGS.get(f, f) for f in result.needs)
                )
            )
        tip.append(self.tr("A suggestion: the grade of an adverse event is the investigator's."))
        self.setToolTip("\n".join(t for t in tip if t))
        set_colors(
            self, GRADE_COLORS.get(result.grade if result.grade is not None else -1, "#6a1b9a")
        )
        self.show()
