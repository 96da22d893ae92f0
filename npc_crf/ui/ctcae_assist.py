"""CTCAE help on a form view: grade texts on the AE form, suggested grades beside lab values.

The :class:`~npc_crf.ui.form_view.FormView` asks :meth:`CtcaeAssist.editor_for`
for the AE grade's editor (the study profile names the AE form, its term and
its grade), calls :meth:`CtcaeAssist.attach` once its rows exist and
:meth:`CtcaeAssist.refresh` after every change. Which items are lab values,
their baseline and the grade are decided in the core
(:class:`~npc_crf.oncology.ctcae.suggest.LabSuggester`); this module only shows
them, live as the nurse types.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from npc_crf.forms.model import Item
from npc_crf.forms.session import FormSession, ItemPath
from npc_crf.oncology.ctcae.catalogue import catalogue
from npc_crf.oncology.ctcae.settings import CtcaeSettings
from npc_crf.oncology.ctcae.suggest import LabSuggester
from npc_crf.oncology.study_settings import study_settings
from npc_crf.services.worklist.profile import profile_for
from npc_crf.ui.widgets.ctcae import CtcaeGradeEditor, LabGradeHint, TermPicking, is_ctcae_lookup
from npc_crf.ui.widgets.editors import (
    ItemEditor,
    LineEditor,
    LookupEditor,
    RadioEditor,
    editor_class,
)

if TYPE_CHECKING:
    from npc_crf.ui.form_view import FormView


class CtcaeAssist:
    """The CTCAE parts of one form view."""

    def __init__(
        self, session: FormSession, lang: str, settings: CtcaeSettings | None = None
    ) -> None:
        """``settings``: the study's ``oncology: ctcae:`` block unless given."""
        self.session, self.lang = session, lang
        form = session.form
        profile = profile_for(session.study)
        self.term_item: str | None = None
        self.grade_item: str | None = None
        if (
            profile.ae_form == form.oid
            and profile.ae_term_item
            and profile.ae_grade_item
            and form.item(profile.ae_term_item) is not None
            and form.item(profile.ae_grade_item) is not None
        ):
            self.term_item, self.grade_item = profile.ae_term_item, profile.ae_grade_item
        self.suggester = LabSuggester(
            session.study,
            form,
            ranges=session.reference_ranges,
            subject=session.subject,
            event=session.event,
            settings=settings or study_settings(CtcaeSettings, "ctcae", session.study.oncology),
        )
        self.grade_editor: CtcaeGradeEditor | None = None
        self.pickers: dict[str, TermPicking] = {}
        self.hints: dict[str, LabGradeHint] = {}
        self._editors: dict[str, LineEditor] = {}
        self._term_shown: object = ()

    # -- building ------------------------------------------------------------------------------

    def editor_for(self, item: Item) -> ItemEditor | None:
        """The AE grade's editor (with grade texts), or None for the usual editor."""
        if item.oid != self.grade_item:
            return None
        if not issubclass(editor_class(self.session.study, item), RadioEditor):
            return None  # a drop-down has no room for the texts: the plain editor
        self.grade_editor = CtcaeGradeEditor(self.session.study, item, self.lang)
        return self.grade_editor

    def attach(self, view: FormView) -> None:
        """The picker on CTCAE terms; a grade hint beside each lab value, following its typing."""
        for path, any_editor in view.editors.items():
            if isinstance(any_editor, LookupEditor) and is_ctcae_lookup(
                any_editor.study, any_editor.item
            ):
                self.pickers[path.item] = TermPicking(any_editor)
        for oid in self.suggester.items:
            editor = view.editors.get(ItemPath(oid))
            row = view.rows.get(ItemPath(oid))
            if not isinstance(editor, LineEditor) or row is None:
                continue
            hint = LabGradeHint(oid)
            row.add_below(hint)  # under the value: the whole row's width, even when narrow
            self.hints[oid] = hint
            self._editors[oid] = editor
            editor.edit.textEdited.connect(lambda text, oid=oid: self.show_hint(oid, text))

    # -- showing -------------------------------------------------------------------------------

    def show_hint(self, item_oid: str, text: object) -> None:
        """Show the suggestion for ``text`` typed (or held) in a lab item."""
        hint = self.hints.get(item_oid)
        if hint is not None:
            hint.show_finding(self.suggester.suggest(item_oid, text))

    def refresh(self, paths: Iterable[ItemPath] | None = None) -> None:
        """Follow the session after a change of ``paths`` (None: everything)."""
        wanted = None if paths is None else {p.item for p in paths if p.group is None}
        for oid, editor in self._editors.items():
            if wanted is None or oid in wanted:
                self.show_hint(oid, editor.edit.text())
        if self.grade_editor is not None and self.term_item is not None:
            value = self.session.value(ItemPath(self.term_item))
            if value != self._term_shown:
                self._term_shown = value
                term = catalogue().by_code(value) if isinstance(value, str | int) else None
                self.grade_editor.set_term(term)
