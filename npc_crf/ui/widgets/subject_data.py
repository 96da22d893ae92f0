"""A subject's other forms held in memory, for expressions evaluated on the GUI thread.

The form page reads, on a worker thread, the other forms a form's checks refer to
(:func:`form_reads`; the whole casebook when that cannot be told) and gives the
session this snapshot, so a check that refers to another form (``@IC.ICDAT``,
``anchor('consent')``) never touches the database from the GUI thread. The
eligibility panel overlays the form being edited with its unsaved answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from npc_crf.forms.expr.ast import Call, CrossRef, Expr, Literal, walk
from npc_crf.forms.expr.evaluate import FormData
from npc_crf.forms.model import Form, Study

#: (event OID, occurrence) → form OID → answers (rows without store identities)
Forms = Mapping[tuple[str, int], Mapping[str, FormData]]


class SnapshotSubject:
    """:class:`~npc_crf.forms.expr.evaluate.SubjectData` over answers read beforehand."""

    def __init__(self, forms: Forms) -> None:
        self._forms = {key: dict(value) for key, value in forms.items()}
        self._counts: dict[str, int] = {}
        for event, occurrence in self._forms:
            self._counts[event] = max(self._counts.get(event, 0), occurrence)

    def occurrence_count(self, event: str) -> int:
        """How many occurrences of ``event`` the subject has."""
        return self._counts.get(event, 0)

    def form_data(self, event: str, occurrence: int, form: str) -> FormData | None:
        """The saved answers of ``form`` in that occurrence, or None."""
        return self._forms.get((event, occurrence), {}).get(form)


class OverlaySubject:
    """A snapshot with one form replaced by live answers (the form being edited)."""

    def __init__(
        self,
        base: SnapshotSubject,
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


def _trees(form: Form) -> Iterator[Expr]:
    for section in form.sections:
        if section.relevant is not None:
            yield section.relevant.tree
    for item, _group in form.all_items():
        for expression in (item.relevant, item.required_if, item.calculate):
            if expression is not None:
                yield expression.tree
        for constraint in item.constraints:
            yield constraint.expr.tree


def form_reads(
    study: Study, form: Form, event: str, occurrence: int
) -> set[tuple[str, int, str]] | None:
    """The (event, occurrence, form) instances the form's checks read, anchors included.

    None when a reference needs the subject's occurrence counts (``@EVENT[last]``):
    then only the whole casebook will do.
    """
    todo = list(_trees(form))
    anchors: set[str] = set()
    out: set[tuple[str, int, str]] = set()
    while todo:
        for node in walk(todo.pop()):
            if isinstance(node, Call) and node.name == "anchor" and node.args:
                name = node.args[0]
                if isinstance(name, Literal) and isinstance(name.value, str):
                    anchor = study.anchors.get(name.value)
                    if anchor is not None and name.value not in anchors:
                        anchors.add(name.value)
                        todo.append(anchor.date.tree)
                continue
            if not isinstance(node, CrossRef):
                continue
            target = study.event(node.head)
            if target is None:  # @FORM.ITEM: this visit
                out.add((event, occurrence, node.head))
                continue
            selector = node.occurrence
            if selector is None or selector == "first":
                out.add((target.oid, 1, node.parts[0]))
            elif isinstance(selector, int):
                out.add((target.oid, selector, node.parts[0]))
            elif selector == "prev":
                if target.oid == event and occurrence > 1:
                    out.add((target.oid, occurrence - 1, node.parts[0]))
            else:
                return None
    return out
