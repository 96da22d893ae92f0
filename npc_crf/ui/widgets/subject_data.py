"""The eligibility panel's view of a subject: the saved snapshot with the form being
edited replaced by its unsaved answers."""

from __future__ import annotations

from collections.abc import Callable

from npc_crf.forms.expr.evaluate import FormData, SubjectData


class OverlaySubject:
    """A snapshot with one form replaced by live answers (the form being edited)."""

    def __init__(
        self,
        base: SubjectData,
        event: str,
        occurrence: int,
        form: str,
        answers: Callable[[], FormData],
    ) -> None:
        self.base = base
        self.key = (event, occurrence, form)
        self.answers = answers

    def occurrence_count(self, event: str) -> int:
        """The snapshot's count, counting the edited occurrence even before its first save."""
        count = self.base.occurrence_count(event)
        return max(count, self.key[1]) if event == self.key[0] else count

    def form_data(self, event: str, occurrence: int, form: str) -> FormData | None:
        """The live answers for the edited form; the snapshot's for the others."""
        if (event, occurrence, form) == self.key:
            return self.answers()
        return self.base.form_data(event, occurrence, form)
