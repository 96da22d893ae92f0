"""Which items of its own form an expression reads: the edges of the dependency graph."""

from __future__ import annotations

from npc_crf.forms.expr.ast import Expr, ItemRef, walk
from npc_crf.forms.model import Form, Item


def same_form_refs(tree: Expr, form: Form, group: Item | None = None) -> set[str]:
    """OIDs of the items of ``form`` that ``tree`` reads.

    A whole group (``count(TL)``) reads the group and each of its columns; a
    column (``TL.TL_DIAM``) reads that column and the group (rows come and go).
    """
    out: set[str] = set()
    for node in walk(tree):
        if not isinstance(node, ItemRef):
            continue
        if (
            node.column is None
            and group is not None
            and any(c.oid == node.name for c in group.items)
        ):
            out.add(node.name)
            continue
        item = form.item(node.name)
        if item is None:
            continue
        out.add(item.oid)
        if item.is_group:
            out.update(c.oid for c in item.items) if node.column is None else out.add(node.column)
    return out
