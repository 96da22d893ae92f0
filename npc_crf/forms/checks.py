"""Whole-study checks, run once every file is read: references, ranges, types, cycles."""

from __future__ import annotations

from npc_crf.forms.expr import types as ty
from npc_crf.forms.expr.ast import Call, Literal, walk
from npc_crf.forms.expr.check import Checker, Scope, item_type, suggest
from npc_crf.forms.expr.types import T
from npc_crf.forms.model import (
    Event,
    EventKind,
    Expression,
    Form,
    Item,
    ItemType,
    Study,
    ValueType,
)
from npc_crf.forms.problems import Location, Problems
from npc_crf.forms.refs import same_form_refs

_CALC_TYPES = {
    ValueType.TEXT: "text",
    ValueType.INTEGER: "number",
    ValueType.DECIMAL: "number",
    ValueType.DATE: "date",
    ValueType.YES_NO: "bool",
}


def check_study(
    study: Study, problems: Problems, all_forms_built: bool = True, all_codelists_built: bool = True
) -> None:
    """Report everything wrong with an assembled study into ``problems``.

    When some form or code-list files could not be built, references into them
    are not reported again (they would only repeat those files' own problems);
    everything else is still checked, so one run reports all there is.
    """
    unavailable = (
        frozenset()
        if all_forms_built
        else frozenset(f for e in study.events for f in e.forms if f not in study.forms)
    )
    _check_events(study, problems, all_forms_built)
    for form in study.forms.values():
        _check_form(study, form, problems, unavailable, all_codelists_built)
    for anchor in study.anchors.values():
        _check_expr(
            Scope(study, unavailable=unavailable),
            anchor.date,
            ty.DATE,
            f"anchor '{anchor.name}'",
            problems,
        )
    _check_anchor_cycles(study, problems)
    for criterion in study.eligibility:
        _check_expr(
            Scope(study, unavailable=unavailable),
            criterion.expr,
            ty.BOOL,
            f"criterion {criterion.id}",
            problems,
        )


def _check_expr(
    scope: Scope, expr: Expression | None, want: T | None, what: str, problems: Problems
) -> T | None:
    if expr is None:
        return None
    checker = Checker(scope)
    result = checker.run(expr.tree, want)
    for pos, message in checker.errors:
        problems.add(expr.location_of(pos), f"{what}: {message}")
    return result if not checker.errors else None


def _check_events(study: Study, problems: Problems, all_forms_built: bool) -> None:
    used: set[str] = set()
    for event in study.events:
        if event.oid in study.forms:
            problems.add(
                event.loc,
                f"event OID '{event.oid}' is also a form OID; OIDs of events and forms must differ",
            )
        for form_oid in event.forms:
            used.add(form_oid)
            if form_oid not in study.forms and all_forms_built:
                problems.add(
                    event.loc,
                    f"event {event.oid} lists unknown form '{form_oid}'"
                    + suggest(form_oid, list(study.forms)),
                )
        if len(set(event.forms)) != len(event.forms):
            problems.add(event.loc, f"event {event.oid} lists a form twice")
        _check_schedule(study, event, problems, all_forms_built)
    for form in study.forms.values():
        if form.oid not in used:
            problems.add(
                form.loc, f"form {form.oid} is not held by any event, so it can never be filled in"
            )


def _check_schedule(study: Study, event: Event, problems: Problems, all_forms_built: bool) -> None:
    if (
        event.anchor is not None
        and event.anchor != "previous"
        and event.anchor not in study.anchors
    ):
        problems.add(
            event.loc,
            f"event {event.oid}: unknown anchor '{event.anchor}'"
            + suggest(event.anchor, [*study.anchors, "previous"]),
        )
    if (
        event.kind is EventKind.SCHEDULED
        and event.repeating
        and event.anchor != "previous"
        and not event.repeat
    ):
        problems.add(
            event.loc,
            f"repeating event {event.oid} needs 'repeat' phases, or 'anchor: previous' with an offset",
        )
    if event.anchor == "previous" and event.offset <= 0:
        problems.add(
            event.loc,
            f"event {event.oid} is anchored on the previous occurrence and needs a positive offset",
        )
    if event.date_item is not None:
        form_oid, item_oid = event.date_item
        form = study.forms.get(form_oid)
        if form is None and form_oid in event.forms and not all_forms_built:
            return  # the form's file has problems of its own
        if form_oid not in event.forms or form is None:
            problems.add(
                event.loc, f"event {event.oid}: date_item form '{form_oid}' is not one of its forms"
            )
            return
        item = form.item(item_oid)
        if (
            item is None
            or item.type not in (ItemType.DATE, ItemType.DATETIME)
            or form.group_of(item_oid)
        ):
            problems.add(
                event.loc,
                f"event {event.oid}: date_item {form_oid}.{item_oid} must be a date item outside groups",
            )
    elif event.anchor == "previous":
        problems.add(
            event.loc,
            f"event {event.oid} is anchored on the previous occurrence and needs a 'date_item'",
        )


def _check_form(
    study: Study,
    form: Form,
    problems: Problems,
    unavailable: frozenset[str],
    all_codelists_built: bool,
) -> None:
    seen: dict[str, Location] = {}
    for item, _ in form.all_items():
        if item.oid in seen:
            problems.add(
                item.loc,
                f"duplicate item OID '{item.oid}' in form {form.oid} (first at line {seen[item.oid].line})",
            )
        else:
            seen[item.oid] = item.loc
    sections: dict[str, Location] = {}
    for section in form.sections:
        if section.oid in sections:
            problems.add(section.loc, f"duplicate section OID '{section.oid}' in form {form.oid}")
        sections[section.oid] = section.loc
        _check_expr(
            Scope(study, form, unavailable=unavailable),
            section.relevant,
            ty.BOOL,
            "relevant",
            problems,
        )
    for item, group in form.all_items():
        _check_item(study, form, item, group, problems, unavailable, all_codelists_built)
    _check_calc_cycles(form, problems)


def _check_item(
    study: Study,
    form: Form,
    item: Item,
    group: Item | None,
    problems: Problems,
    unavailable: frozenset[str],
    all_codelists_built: bool,
) -> None:
    scope = Scope(study, form, group, unavailable=unavailable)
    _check_expr(scope, item.relevant, ty.BOOL, "relevant", problems)
    _check_expr(scope, item.required_if, ty.BOOL, "required", problems)
    own = Scope(study, form, group, item, unavailable=unavailable)
    for constraint in item.constraints:
        _check_expr(own, constraint.expr, ty.BOOL, "constraint", problems)
    if item.calculate is not None and item.value_type is not None:
        want = T(_CALC_TYPES[item.value_type])
        result = _check_expr(scope, item.calculate, None, "calculate", problems)
        if result is not None and result.kind not in (want.kind, "null"):
            problems.add(
                item.calculate.loc,
                f"calculate: gives {result} but value_type is {item.value_type.value}",
            )
    if item.codelist is not None:
        codelist = study.codelists.get(item.codelist)
        if codelist is None and all_codelists_built:
            problems.add(
                item.loc,
                f"item {item.oid}: unknown code list '{item.codelist}'"
                + suggest(item.codelist, list(study.codelists)),
            )
        elif codelist is not None and codelist.source and item.type is not ItemType.LOOKUP:
            problems.add(
                item.loc,
                f"item {item.oid}: code list {codelist.oid} is too large for a {item.type.value}; use type: lookup",
            )
    if item.missing_codes:
        known = {m.code for m in study.missing_codes}
        for code in item.missing_codes:
            if code not in known:
                problems.add(
                    item.loc,
                    f"item {item.oid}: unknown missing-data code '{code}'"
                    + suggest(code, sorted(known)),
                )
    hard, soft = item.hard_range, item.soft_range
    if hard is not None and soft is not None:
        low_out = hard.min is not None and soft.min is not None and soft.min < hard.min  # type: ignore[operator]
        high_out = hard.max is not None and soft.max is not None and soft.max > hard.max  # type: ignore[operator]
        if low_out or high_out:
            problems.add(
                item.loc, f"item {item.oid}: the soft_range must lie inside the hard_range"
            )
    if (
        item.is_group
        and item.max_rows is not None
        and item.min_rows is not None
        and item.min_rows > item.max_rows
    ):
        problems.add(
            item.loc,
            f"group {item.oid}: min_rows {item.min_rows} is more than max_rows {item.max_rows}",
        )
    if (
        item.type is ItemType.CALCULATED
        and item.precision is not None
        and item.value_type is not ValueType.DECIMAL
    ):
        problems.add(item.loc, f"item {item.oid}: precision only applies to decimal values")
    if (
        item.type is not ItemType.NOTE
        and item.type is not ItemType.GROUP
        and item_type(study, item) is None
    ):
        problems.add(
            item.loc, f"item {item.oid}: cannot tell the type of its value"
        )  # pragma: no cover


def _check_calc_cycles(form: Form, problems: Problems) -> None:
    calcs: dict[str, set[str]] = {}
    for item, group in form.all_items():
        if item.calculate is not None:
            calcs[item.oid] = same_form_refs(item.calculate.tree, form, group)
    state: dict[str, int] = {}
    stack: list[str] = []
    reported: set[frozenset[str]] = set()

    def visit(oid: str) -> None:
        state[oid] = 1
        stack.append(oid)
        for dep in sorted(calcs.get(oid, ())):
            if dep not in calcs:
                continue
            if state.get(dep) == 1:
                cycle = [*stack[stack.index(dep) :], dep]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    item = form.item(dep)
                    assert item is not None and item.calculate is not None
                    problems.add(item.calculate.loc, "calculation cycle: " + " -> ".join(cycle))
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[oid] = 2

    for oid in calcs:
        if oid not in state:
            visit(oid)


def _check_anchor_cycles(study: Study, problems: Problems) -> None:
    uses: dict[str, set[str]] = {}
    for name, anchor in study.anchors.items():
        uses[name] = {
            str(node.args[0].value)
            for node in walk(anchor.date.tree)
            if isinstance(node, Call)
            and node.name == "anchor"
            and node.args
            and isinstance(node.args[0], Literal)
        }
    for name in uses:
        seen: set[str] = set()
        todo = list(uses[name])
        while todo:
            current = todo.pop()
            if current == name:
                problems.add(
                    study.anchors[name].date.loc, f"anchor '{name}' is defined through itself"
                )
                break
            if current in seen:
                continue
            seen.add(current)
            todo.extend(uses.get(current, ()))
