"""The form session: answering a form item by item, Qt-free.

Modelled on JavaRosa's ``FormEntryController``: the caller answers an item and
gets back a status; relevance, calculations and checks are the engine's job,
never the view's. Only what depends on a changed item is re-evaluated.

Statuses:

* ``ok`` — answered and passing, or empty and optional;
* ``required_empty`` — required, relevant and empty;
* ``soft_warning`` — kept, but outside what is expected (overridable with a reason);
* ``hard_error`` — refused (the value is not kept), or a stored value that a
  later change made impossible;
* ``not_relevant`` — hidden by skip logic; its value is ignored and not saved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TypeVar

from npc_crf.forms.expr.evaluate import Env, Evaluator, FormData, Missing, SubjectData, to_value
from npc_crf.forms.inputs import InputError, parse_input
from npc_crf.forms.model import Form, Item, ItemType, ReferenceRange, Severity, Study, Text
from npc_crf.forms.refs import same_form_refs


class Status(StrEnum):
    """The state of one item."""

    OK = "ok"
    REQUIRED_EMPTY = "required_empty"
    SOFT_WARNING = "soft_warning"
    HARD_ERROR = "hard_error"
    NOT_RELEVANT = "not_relevant"


_V = TypeVar("_V")
_PATH_RE = re.compile(r"^([A-Z][A-Z0-9_]*)(?:\[(\d+)\]\.([A-Z][A-Z0-9_]*))?$")


@dataclass(frozen=True, order=True)
class ItemPath:
    """An item, or an item in row ``row`` (from 1) of ``group``, or a whole group."""

    item: str
    group: str | None = None
    row: int | None = None

    @classmethod
    def parse(cls, text: str) -> ItemPath:
        """``WEIGHT`` or ``TL[2].TL_DIAM``."""
        match = _PATH_RE.match(text)
        if not match:
            raise ValueError(f"'{text}' is not an item path like ITEM or GROUP[2].ITEM")
        first, row, column = match.groups()
        if column is None:
            return cls(first)
        return cls(column, first, int(row))

    def __str__(self) -> str:
        return f"{self.group}[{self.row}].{self.item}" if self.group else self.item


@dataclass(frozen=True)
class ItemState:
    """What the session knows of one item."""

    status: Status
    value: object = None
    message: Text | None = None
    rejected_input: object = None
    override_reason: str | None = None


@dataclass(frozen=True)
class AnswerResult:
    """The outcome of an answer: its status and every item whose state changed."""

    path: ItemPath
    status: Status
    message: Text | None
    changed: tuple[ItemPath, ...] = ()


class SessionError(ValueError):
    """A request the form cannot take (unknown item, too many rows, …)."""


_MSG_REQUIRED = Text("Required", "必填")
_MSG_GROUP_ROWS = "At least {n} row(s) needed", "至少需要 {n} 行"


def _range_message(kind: str, low: object, high: object, unit: Text | None) -> Text:
    u_en = f" {unit.en}" if unit else ""
    u_zh = f" {unit.zh}" if unit else ""
    if low is not None and high is not None:
        en = f"Expected between {low} and {high}{u_en}"
        zh = f"应在 {low} 至 {high}{u_zh} 之间"
    elif low is not None:
        en, zh = f"Expected at least {low}{u_en}", f"应不低于 {low}{u_zh}"
    else:
        en, zh = f"Expected at most {high}{u_en}", f"应不高于 {high}{u_zh}"
    if kind == "hard":
        en = en.replace("Expected", "Must be")
        zh = zh.replace("应", "必须")
    return Text(en, zh)


@dataclass
class _Row:
    values: dict[str, object] = field(default_factory=dict)
    key: str | None = None  # the store's identity of the row; None until saved


#: in loaded answers, a group row's identity in the store (never a column)
ROW_KEY = "_row"


class FormSession:
    """One form being filled in for one subject."""

    def __init__(
        self,
        study: Study,
        form: Form,
        *,
        subject: SubjectData | None = None,
        event: str | None = None,
        occurrence: int | None = None,
        today: dt.date | None = None,
        reference_ranges: Mapping[str, ReferenceRange] | None = None,
        answers: FormData | None = None,
        overrides: Mapping[str, str] | None = None,
    ) -> None:
        self.study = study
        self.form = form
        self.subject = subject
        self.event = event
        self.occurrence = occurrence
        self.today = today or dt.date.today()
        self.reference_ranges = reference_ranges
        self._values: dict[str, object] = {}
        self._rows: dict[str, list[_Row]] = {}
        self._states: dict[ItemPath, ItemState] = {}
        self._rejected: dict[ItemPath, tuple[object, Text]] = {}
        self._overrides: dict[ItemPath, str] = {}
        self._relevance: dict[ItemPath, bool] = {}
        self._readers = self._build_readers()
        self._calc_order = self._build_calc_order()
        for item, _group in form.all_items():
            if item.is_group:
                self._rows[item.oid] = [_Row() for _ in range(item.min_rows or 0)]
        if answers:
            self._load(answers)
        for path_text, reason in (overrides or {}).items():
            self._overrides[ItemPath.parse(path_text)] = reason
        self._refresh({item.oid for item, _ in form.all_items()})

    # -- structure ---------------------------------------------------------------

    def _build_readers(self) -> dict[str, set[str]]:
        """Item → the items whose state or value depends on it."""
        readers: dict[str, set[str]] = {}

        def link(tree: object, targets: set[str], group: Item | None) -> None:
            for ref in same_form_refs(tree, self.form, group):  # type: ignore[arg-type]
                readers.setdefault(ref, set()).update(targets)

        for section in self.form.sections:
            members = {c.oid for i in section.items for c in (i, *i.items)}
            if section.relevant is not None:
                link(section.relevant.tree, members, None)
        for item, group in self.form.all_items():
            own = {item.oid}
            if item.is_group:
                own |= {c.oid for c in item.items}
            for expr in (item.relevant, item.required_if, item.calculate):
                if expr is not None:
                    link(expr.tree, own, group)
            for constraint in item.constraints:
                link(constraint.expr.tree, own, group)
            if group is not None:
                readers.setdefault(group.oid, set()).add(item.oid)
        return readers

    def _build_calc_order(self) -> list[str]:
        order: list[str] = []
        seen: set[str] = set()
        calcs = {i.oid: (i, g) for i, g in self.form.all_items() if i.calculate is not None}

        def visit(oid: str) -> None:
            if oid in seen:
                return
            seen.add(oid)
            item, group = calcs[oid]
            assert item.calculate is not None
            for dep in same_form_refs(item.calculate.tree, self.form, group):
                if dep in calcs:
                    visit(dep)
            order.append(oid)

        for oid in calcs:
            visit(oid)
        return order

    def _item(self, oid: str) -> Item:
        item = self.form.item(oid)
        if item is None:
            raise SessionError(f"form {self.form.oid} has no item '{oid}'")
        return item

    def _check_path(self, path: ItemPath) -> Item:
        item = self._item(path.item)
        group = self.form.group_of(item.oid)
        if (group.oid if group else None) != path.group:
            where = f"group {group.oid}" if group else "no group"
            raise SessionError(
                f"item {item.oid} is in {where}; use a path like {group.oid + '[1].' if group else ''}{item.oid}"
            )
        if group is not None and (
            path.row is None or not 1 <= path.row <= len(self._rows[group.oid])
        ):
            raise SessionError(f"group {group.oid} has no row {path.row}")
        return item

    def paths(self) -> Iterator[ItemPath]:
        """Every item path of the form, rows included, in form order."""
        for section in self.form.sections:
            for item in section.items:
                yield ItemPath(item.oid)
                if item.is_group:
                    for row in range(1, len(self._rows[item.oid]) + 1):
                        for column in item.items:
                            yield ItemPath(column.oid, item.oid, row)

    # -- reading --------------------------------------------------------------------

    def state(self, path: ItemPath | str) -> ItemState:
        """The state of one item."""
        path = ItemPath.parse(path) if isinstance(path, str) else path
        self._check_path(path)
        return self._states[path]

    def value(self, path: ItemPath | str) -> object:
        """The stored answer (None when empty or refused)."""
        return self.state(path).value

    def row_count(self, group: str) -> int:
        """How many rows a group has."""
        if group not in self._rows:
            raise SessionError(f"form {self.form.oid} has no group '{group}'")
        return len(self._rows[group])

    def row_key(self, group: str, row: int) -> str | None:
        """The store's identity of row ``row`` (from 1) of ``group``; None for a new row."""
        rows = self._rows.get(group)
        if rows is None or not 1 <= row <= len(rows):
            raise SessionError(f"group {group} has no row {row}")
        return rows[row - 1].key

    def overrides(self) -> dict[ItemPath, str]:
        """The reasons given for keeping values that have soft warnings."""
        return {p: r for p, r in self._overrides.items() if p in self._states}

    def states(self) -> dict[ItemPath, ItemState]:
        """Every item's state."""
        return {path: self._states[path] for path in self.paths()}

    def data(self) -> dict[str, object]:
        """The answers to save: relevant values only (calculated ones included)."""
        out: dict[str, object] = {}
        for path, state in self.states().items():
            if state.status is Status.NOT_RELEVANT or path.group is not None:
                continue
            item = self._item(path.item)
            if item.is_group:
                out[item.oid] = [
                    {
                        c.oid: self._states[ItemPath(c.oid, item.oid, n)].value
                        for c in item.items
                        if self._states[ItemPath(c.oid, item.oid, n)].status
                        is not Status.NOT_RELEVANT
                        and self._states[ItemPath(c.oid, item.oid, n)].value is not None
                    }
                    for n in range(1, len(self._rows[item.oid]) + 1)
                ]
            elif state.value is not None:
                out[item.oid] = state.value
        return out

    def entered(self) -> dict[str, object]:
        """Every answerable item as it stands, in the form a save takes.

        Empty items are None (so a save clears them); each group is a list of row
        mappings, and a row that came from the store carries its identity under
        :data:`ROW_KEY`, so a removed middle row is removed, not shifted.
        """
        out: dict[str, object] = {}
        for item, group in self.form.all_items():
            if group is not None:
                continue
            if item.is_group:
                rows: list[dict[str, object]] = []
                for n, row in enumerate(self._rows[item.oid], start=1):
                    cells: dict[str, object] = {
                        c.oid: self._raw(ItemPath(c.oid, item.oid, n))
                        for c in item.items
                        if c.takes_input
                    }
                    if row.key is not None:
                        cells[ROW_KEY] = row.key
                    rows.append(cells)
                out[item.oid] = rows
            elif item.takes_input:
                out[item.oid] = self._raw(ItemPath(item.oid))
        return out

    def problems(self) -> dict[ItemPath, ItemState]:
        """Items that are required but empty, refused, or warned about."""
        return {
            p: s
            for p, s in self.states().items()
            if s.status in (Status.REQUIRED_EMPTY, Status.HARD_ERROR, Status.SOFT_WARNING)
        }

    def is_complete(self) -> bool:
        """No required item is empty and nothing is refused."""
        return not any(
            s.status in (Status.REQUIRED_EMPTY, Status.HARD_ERROR) for s in self._states.values()
        )

    # -- changing ---------------------------------------------------------------------

    def answer(self, path: ItemPath | str, raw: object) -> AnswerResult:
        """Answer an item with a typed value or entered text; ``None``/``''`` clears it."""
        path = ItemPath.parse(path) if isinstance(path, str) else path
        item = self._check_path(path)
        if not item.takes_input:
            raise SessionError(f"{item.oid} is a {item.type.value} and cannot be answered")
        before = dict(self._states)
        self._rejected.pop(path, None)
        self._overrides.pop(path, None)
        try:
            value = parse_input(self.study, item, raw)
        except InputError as exc:
            self._store(path, None)
            self._rejected[path] = (raw, exc.message)
        else:
            self._store(path, value)
            hard = (
                self._check_value(path, item, value, Severity.HARD) if value is not None else None
            )
            if hard is not None:
                self._store(path, None)
                self._rejected[path] = (raw, hard)
        self._refresh({item.oid})
        state = self._states[path]
        return AnswerResult(path, state.status, state.message, self._diff(before))

    def answer_all(self, answers: Iterable[tuple[ItemPath, object]]) -> dict[ItemPath, ItemState]:
        """Answer many items at once (imports, saves from files): one refresh, not one each.

        Every value is parsed, then all are stored, then hard checks run with the
        whole set in place, so a check comparing two given items sees both. Returns
        the state of each answered item.
        """
        given: list[tuple[ItemPath, Item, object]] = []
        order: list[ItemPath] = []
        for path, raw in answers:
            order.append(path)
            item = self._check_path(path)
            if not item.takes_input:
                raise SessionError(f"{item.oid} is a {item.type.value} and cannot be answered")
            self._rejected.pop(path, None)
            self._overrides.pop(path, None)
            try:
                value = parse_input(self.study, item, raw)
            except InputError as exc:
                self._store(path, None)
                self._rejected[path] = (raw, exc.message)
            else:
                self._store(path, value)
                given.append((path, item, raw))
        self._refresh({path.item for path, _item, _raw in given} | {p.item for p in self._rejected})
        dropped: set[str] = set()
        for path, item, raw in given:
            value = self._raw(path)
            hard = (
                self._check_value(path, item, value, Severity.HARD) if value is not None else None
            )
            if hard is not None:
                self._store(path, None)
                self._rejected[path] = (raw, hard)
                dropped.add(path.item)
        if dropped:  # only a value refused now changes what the first refresh computed
            self._refresh(dropped)
        return {path: self._states[path] for path in order}

    def set_missing(self, path: ItemPath | str, code: str) -> AnswerResult:
        """Answer with a missing-data code (``ND``, ``UNK``, …) instead of a value."""
        return self.answer(path, Missing(code))

    def override(self, path: ItemPath | str, reason: str) -> ItemState:
        """Keep a value that has a soft warning, giving the reason (it raises a query later)."""
        path = ItemPath.parse(path) if isinstance(path, str) else path
        if not reason.strip():
            raise SessionError("a reason is needed to keep a value outside the expected range")
        if self.state(path).status is not Status.SOFT_WARNING:
            raise SessionError(f"{path} has no warning to override")
        self._overrides[path] = reason.strip()
        self._states[path] = self._compute_state(path)
        return self._states[path]

    def add_row(self, group: str) -> int:
        """Add a row to a group; returns its number (from 1)."""
        item = self._item(group)
        if not item.is_group:
            raise SessionError(f"{group} is not a group")
        rows = self._rows[group]
        if item.max_rows is not None and len(rows) >= item.max_rows:
            raise SessionError(f"group {group} takes at most {item.max_rows} rows")
        rows.append(_Row())
        self._refresh({group})
        return len(rows)

    def remove_row(self, group: str, row: int) -> None:
        """Remove row ``row`` (from 1) of a group; later rows move up."""
        rows = self._rows.get(group)
        if rows is None or not 1 <= row <= len(rows):
            raise SessionError(f"group {group} has no row {row}")
        del rows[row - 1]
        self._rejected = _shift_rows(self._rejected, group, row)
        self._overrides = _shift_rows(self._overrides, group, row)
        self._relevance = _shift_rows(self._relevance, group, row)
        for path in [p for p in self._states if p.group == group]:
            del self._states[path]
        self._refresh({group})

    # -- internals --------------------------------------------------------------------

    def _load(self, answers: FormData) -> None:
        for key, raw in answers.items():
            item = self._item(key)
            if item.is_group:
                rows = raw if isinstance(raw, list) else []
                self._rows[key] = [
                    _Row(
                        {k: v for k, v in r.items() if k != ROW_KEY},
                        r[ROW_KEY] if isinstance(r.get(ROW_KEY), str) else None,
                    )
                    for r in rows
                    if isinstance(r, Mapping)
                ]
            elif item.type is not ItemType.NOTE:
                self._values[key] = raw

    def _store(self, path: ItemPath, value: object) -> None:
        if path.group is None:
            self._values[path.item] = value
        else:
            assert path.row is not None
            self._rows[path.group][path.row - 1].values[path.item] = value

    def _raw(self, path: ItemPath) -> object:
        if path.group is None:
            return self._values.get(path.item)
        assert path.row is not None
        return self._rows[path.group][path.row - 1].values.get(path.item)

    def _env(
        self,
        group: Item | None = None,
        row: int | None = None,
        item: Item | None = None,
        raw: object = None,
    ) -> Env:
        row_data = _RowView(self, group.oid, row) if group is not None and row is not None else None
        return Env(
            study=self.study,
            form=self.form,
            data=_FormView(self),
            group=group,
            row=row_data,
            self_item=item,
            self_raw=raw,
            subject=self.subject,
            event=self.event,
            occurrence=self.occurrence,
            today=self.today,
            reference_ranges=self.reference_ranges,
        )

    def _eval(
        self,
        expr_tree: object,
        group: Item | None,
        row: int | None,
        item: Item | None = None,
        raw: object = None,
    ) -> object:
        return Evaluator(self._env(group, row, item, raw)).eval(expr_tree)  # type: ignore[arg-type]

    def _instances(self, oid: str) -> list[ItemPath]:
        self._item(oid)
        group = self.form.group_of(oid)
        if group is None:
            return [ItemPath(oid)]
        return [ItemPath(oid, group.oid, n) for n in range(1, len(self._rows[group.oid]) + 1)]

    def relevant(self, path: ItemPath) -> bool:
        """Whether an item is shown (its section, group and own relevance all hold)."""
        return self._relevance.get(path, True)

    def _compute_relevant(self, path: ItemPath) -> bool:
        item = self._item(path.item)
        section = self.form.section_of(item.oid)
        group = self.form.group_of(item.oid)
        if (
            section is not None
            and section.relevant is not None
            and self._eval(section.relevant.tree, None, None) is not True
        ):
            return False
        if group is not None and not self.relevant(ItemPath(group.oid)):
            return False
        if item.relevant is None:
            return True
        return self._eval(item.relevant.tree, group, path.row) is True

    def _affected(self, seeds: set[str]) -> set[str]:
        out = set(seeds)
        todo = list(seeds)
        while todo:
            for reader in self._readers.get(todo.pop(), ()):
                if reader not in out:
                    out.add(reader)
                    todo.append(reader)
        return out

    def _refresh(self, seeds: set[str]) -> None:
        affected = self._affected(seeds)
        # groups first: their columns consult the group's relevance
        ordered = sorted(affected, key=lambda oid: (self.form.group_of(oid) is not None, oid))
        calcs = [oid for oid in self._calc_order if oid in affected]
        # relevance and calculations feed each other: settle them (bounded)
        for _ in range(len(ordered) + 2):
            changed = False
            for oid in ordered:
                for path in self._instances(oid):
                    shown = self._compute_relevant(path)
                    if self._relevance.get(path, True) != shown:
                        self._relevance[path] = shown
                        changed = True
            for oid in calcs:
                item = self._item(oid)
                group = self.form.group_of(oid)
                for path in self._instances(oid):
                    value = self._calculated(item, group, path)
                    if value != self._raw(path):
                        self._store(path, value)
                        changed = True
            if not changed:
                break
        for oid in ordered:
            for path in self._instances(oid):
                self._states[path] = self._compute_state(path)

    def _calculated(self, item: Item, group: Item | None, path: ItemPath) -> object:
        assert item.calculate is not None
        value = self._eval(item.calculate.tree, group, path.row)
        if not isinstance(value, Decimal | str | bool | dt.date):
            return None  # empty, indeterminate, or a range
        if isinstance(value, Decimal) and item.precision is not None:
            value = value.quantize(Decimal(1).scaleb(-item.precision), rounding=ROUND_HALF_UP)
        elif (
            isinstance(value, Decimal)
            and item.value_type is not None
            and item.value_type.value == "integer"
        ):
            value = value.to_integral_value()
        return value

    def _compute_state(self, path: ItemPath) -> ItemState:
        item = self._item(path.item)
        if not self.relevant(path):
            return ItemState(Status.NOT_RELEVANT, self._raw(path))
        if item.is_group:
            rows = len(self._rows[item.oid])
            if item.min_rows and rows < item.min_rows:
                en, zh = _MSG_GROUP_ROWS
                return ItemState(
                    Status.REQUIRED_EMPTY,
                    None,
                    Text(en.format(n=item.min_rows), zh.format(n=item.min_rows)),
                )
            return ItemState(Status.OK)
        raw = self._raw(path)
        rejected = self._rejected.get(path)
        if rejected is not None:
            return ItemState(Status.HARD_ERROR, None, rejected[1], rejected_input=rejected[0])
        if raw is None:
            if self._required(item, path):
                return ItemState(Status.REQUIRED_EMPTY, None, _MSG_REQUIRED)
            return ItemState(Status.OK)
        if isinstance(raw, Missing):
            return ItemState(Status.OK, raw)
        hard = self._check_value(path, item, raw, Severity.HARD)
        if hard is not None:
            return ItemState(Status.HARD_ERROR, raw, hard)
        soft = self._check_value(path, item, raw, Severity.SOFT)
        if soft is not None:
            return ItemState(
                Status.SOFT_WARNING, raw, soft, override_reason=self._overrides.get(path)
            )
        return ItemState(Status.OK, raw)

    def _required(self, item: Item, path: ItemPath) -> bool:
        if not item.takes_input:
            return False
        if item.required:
            return True
        if item.required_if is not None:
            group = self.form.group_of(item.oid)
            return self._eval(item.required_if.tree, group, path.row) is True
        return False

    def _check_value(
        self, path: ItemPath, item: Item, raw: object, severity: Severity
    ) -> Text | None:
        """The message of the first failed check of ``severity`` for ``raw``, or None."""
        if isinstance(raw, Missing):
            return None
        bounds = item.hard_range if severity is Severity.HARD else item.soft_range
        value = to_value(item, raw)
        if bounds is not None and value is not None:
            low, high = bounds.min, bounds.max
            if (low is not None and value < low) or (high is not None and value > high):  # type: ignore[operator]
                return _range_message(severity.value, low, high, item.unit)
        group = self.form.group_of(item.oid)
        for constraint in item.constraints:
            if constraint.severity is not severity:
                continue
            if self._eval(constraint.expr.tree, group, path.row, item, raw) is False:
                return constraint.message
        return None

    def _diff(self, before: Mapping[ItemPath, ItemState]) -> tuple[ItemPath, ...]:
        return tuple(sorted(p for p, s in self._states.items() if before.get(p) != s))


def _shift_rows(mapping: dict[ItemPath, _V], group: str, removed: int) -> dict[ItemPath, _V]:
    """``mapping`` with row ``removed`` of ``group`` dropped and later rows moved up."""
    out: dict[ItemPath, _V] = {}
    for path, value in mapping.items():
        if path.group != group or path.row is None or path.row < removed:
            out[path] = value
        elif path.row > removed:
            out[ItemPath(path.item, group, path.row - 1)] = value
    return out


class _FormView(Mapping[str, object]):
    """The session's answers as expressions see them: non-relevant items are empty."""

    def __init__(self, session: FormSession) -> None:
        self.session = session

    def __getitem__(self, key: str) -> object:
        s = self.session
        item = s.form.item(key)
        if item is None:
            raise KeyError(key)
        if item.is_group:
            if not s.relevant(ItemPath(key)):
                return []
            return [_RowView(s, key, n) for n in range(1, len(s._rows[key]) + 1)]
        path = ItemPath(key)
        if s._rejected.get(path) is not None or not s.relevant(path):
            return None
        return s._values.get(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.session._values)

    def __len__(self) -> int:
        return len(self.session._values)


class _RowView(Mapping[str, object]):
    """One row of a group as expressions see it."""

    def __init__(self, session: FormSession, group: str, row: int | None) -> None:
        self.session = session
        self.group = group
        self.row = row or 1

    def __getitem__(self, key: str) -> object:
        path = ItemPath(key, self.group, self.row)
        s = self.session
        if s._rejected.get(path) is not None or not s.relevant(path):
            return None
        return s._rows[self.group][self.row - 1].values.get(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.session._rows[self.group][self.row - 1].values)

    def __len__(self) -> int:
        return len(self.session._rows[self.group][self.row - 1].values)
