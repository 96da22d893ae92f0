"""A subject's answers held in memory, by event, occurrence and form.

Used by tests, the eligibility table runner and (until the store exists) the
demo: ``{EVENT: {FORM: {...}}}`` for events that happen once and
``{EVENT: [{FORM: {...}}, …]}`` for repeating ones.
"""

from __future__ import annotations

from collections.abc import Mapping

from npc_crf.forms.expr.evaluate import FormData


class MemorySubject:
    """:class:`~npc_crf.forms.expr.evaluate.SubjectData` over nested mappings."""

    def __init__(self, events: Mapping[str, object] | None = None) -> None:
        self._events: dict[str, list[Mapping[str, FormData]]] = {}
        for event, value in (events or {}).items():
            occurrences = value if isinstance(value, list) else [value]
            self._events[event] = [o for o in occurrences if isinstance(o, Mapping)]

    def occurrence_count(self, event: str) -> int:
        """How many occurrences of ``event`` there are."""
        return len(self._events.get(event, ()))

    def form_data(self, event: str, occurrence: int, form: str) -> FormData | None:
        """The answers of ``form`` in that occurrence, or None."""
        occurrences = self._events.get(event, [])
        if not 1 <= occurrence <= len(occurrences):
            return None
        data = occurrences[occurrence - 1].get(form)
        return data if isinstance(data, Mapping) else None
