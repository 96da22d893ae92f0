"""Located YAML nodes to model objects: one function per kind of definition.

Item keys are a table (:data:`TYPE_KEYS`), not a chain of branches: adding an
item type means adding its row. Cross-references and expression types are
checked afterwards by :mod:`npc_crf.forms.checks`, once the whole study is read.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from npc_crf.forms.model import (
    Anchor,
    CodeItem,
    CodeList,
    Constraint,
    Criterion,
    CriterionKind,
    Event,
    EventKind,
    Form,
    Item,
    ItemType,
    Named,
    Parameter,
    Phase,
    Protocol,
    Range,
    ReferenceRange,
    SdvLevel,
    Section,
    Severity,
    ValueType,
    Window,
)
from npc_crf.forms.reader import NAME_RE, OID_RE, STUDY_OID_RE, Fields, Reader
from npc_crf.forms.source import MapNode, Node, ScalarNode

FORM_FORMAT = "npc-crf/form@1"
STUDY_FORMAT = "npc-crf/study@1"
CODELISTS_FORMAT = "npc-crf/codelists@1"
BUILTIN_SOURCES = ("ctcae_v5",)

COMMON_KEYS = ("help", "relevant", "phi", "sdv")
INPUT_KEYS = ("required", "missing_codes", "constraints")
NUMBER_KEYS = ("unit", "hard_range", "soft_range")

#: the keys each item type takes besides oid, type and label
TYPE_KEYS: dict[ItemType, tuple[str, ...]] = {
    ItemType.TEXT: (*COMMON_KEYS, *INPUT_KEYS, "max_length"),
    ItemType.LONG_TEXT: (*COMMON_KEYS, *INPUT_KEYS, "max_length"),
    ItemType.INTEGER: (*COMMON_KEYS, *INPUT_KEYS, *NUMBER_KEYS),
    ItemType.DECIMAL: (*COMMON_KEYS, *INPUT_KEYS, *NUMBER_KEYS, "precision"),
    ItemType.DATE: (*COMMON_KEYS, *INPUT_KEYS, "hard_range", "soft_range"),
    ItemType.PARTIAL_DATE: (*COMMON_KEYS, *INPUT_KEYS, "min_precision"),
    ItemType.TIME: (*COMMON_KEYS, *INPUT_KEYS),
    ItemType.DATETIME: (*COMMON_KEYS, *INPUT_KEYS),
    ItemType.SINGLE_CHOICE: (*COMMON_KEYS, *INPUT_KEYS, "codelist", "appearance"),
    ItemType.MULTIPLE_CHOICE: (*COMMON_KEYS, *INPUT_KEYS, "codelist"),
    ItemType.YES_NO: (*COMMON_KEYS, *INPUT_KEYS),
    ItemType.LOOKUP: (*COMMON_KEYS, *INPUT_KEYS, "codelist"),
    ItemType.CALCULATED: (*COMMON_KEYS, "calculate", "value_type", "unit", "precision"),
    ItemType.FILE: (*COMMON_KEYS, *INPUT_KEYS, "accept", "max_size_mb"),
    ItemType.NOTE: ("help", "relevant"),
    ItemType.GROUP: ("help", "relevant", "min_rows", "max_rows", "items"),
}
REQUIRED_TYPE_KEYS: dict[ItemType, tuple[str, ...]] = {
    ItemType.SINGLE_CHOICE: ("codelist",),
    ItemType.MULTIPLE_CHOICE: ("codelist",),
    ItemType.LOOKUP: ("codelist",),
    ItemType.CALCULATED: ("calculate", "value_type"),
    ItemType.GROUP: ("items",),
}
DEFAULT_ACCEPT = ("pdf", "jpg", "jpeg", "png", "tif", "tiff")


class Builder(Reader):
    """Builds model objects from located nodes of one study's files."""

    # -- shared pieces -----------------------------------------------------------

    def format_line(self, fields: Fields, expected: str) -> bool:
        """Check the file's ``format:`` line."""
        value = self.string(fields.get("format"), "format") if "format" in fields else None
        if value is None:
            return False
        if value != expected:
            self.error(fields.get("format").loc, f"format must be '{expected}' here, not '{value}'")  # type: ignore[union-attr]
            return False
        return True

    def named_list(self, node: Node | None, what: str, code_key: str) -> tuple[Named, ...]:
        """A list of ``{code|oid, name}`` entries with unique codes."""
        out: list[Named] = []
        seen: set[str] = set()
        for entry in self.seq(node, what, min_items=1):
            fields = self.fields(entry, f"{what} entry", (code_key, "name"))
            if fields is None:
                continue
            code = (
                self.oid(fields.get(code_key), f"{what} {code_key}") if code_key in fields else None
            )
            name = self.text(fields.get("name"), f"{what} name")
            if code is not None and code in seen:
                self.error(fields.key_loc(code_key), f"duplicate {code_key} '{code}' in {what}")
                continue
            if code is not None and name is not None:
                seen.add(code)
                out.append(Named(code, name))
        return tuple(out)

    # -- code lists ------------------------------------------------------------------

    def codelist(self, node: Node) -> CodeList | None:
        """One code list (items, or a built-in ``source``)."""
        fields = self.fields(node, "code list", ("oid",), ("type", "items", "source"))
        if fields is None:
            return None
        oid = self.oid(fields.get("oid"), "code list oid") if "oid" in fields else None
        kind = (
            self.choice(fields.get("type"), "code list type", ("text", "integer"))
            if "type" in fields
            else "text"
        )
        if "source" in fields:
            source = self.choice(fields.get("source"), "code list source", BUILTIN_SOURCES)
            if "items" in fields:
                self.error(fields.key_loc("items"), "a code list with a source takes no items")
            if oid is None or source is None:
                return None
            return CodeList(oid, "text", (), source, fields.node.loc)
        if "items" not in fields:
            self.error(fields.node.loc, "code list is missing 'items' (or a 'source')")
            return None
        items: list[CodeItem] = []
        seen: set[object] = set()
        for entry in self.seq(fields.get("items"), "code list items", min_items=1):
            item_fields = self.fields(entry, "code list item", ("code", "label"))
            if item_fields is None:
                continue
            code = self.code(item_fields.get("code"), kind) if "code" in item_fields else None
            label = self.text(item_fields.get("label"), "code label")
            if code is not None and code in seen:
                self.error(
                    item_fields.key_loc("code"), f"duplicate code '{code}' in code list {oid}"
                )
                continue
            if code is not None and label is not None:
                seen.add(code)
                items.append(CodeItem(code, label))
        if oid is None or kind is None:
            return None
        return CodeList(oid, kind, tuple(items), None, fields.node.loc)

    def code(self, node: Node | None, kind: str | None) -> str | int | None:
        """A code: whole numbers for integer lists, text otherwise."""
        scalar = self.scalar(node, "code")
        if scalar is None:
            return None
        if kind == "integer":
            return self.integer(scalar, "code of an integer code list")
        if scalar.value is None or isinstance(scalar.value, bool) or not scalar.text.strip():
            self.error(scalar.loc, f"code '{scalar.text}' must be text; put it in quotes")
            return None
        return scalar.text

    def codelists_block(self, node: Node | None) -> list[CodeList]:
        """A ``codelists:`` list."""
        return [cl for cl in map(self.codelist, self.seq(node, "codelists")) if cl is not None]

    def codelists_file(self, node: Node) -> list[CodeList]:
        """A ``npc-crf/codelists@1`` file."""
        fields = self.fields(node, "code list file", ("format", "codelists"))
        if fields is None or not self.format_line(fields, CODELISTS_FORMAT):
            return []
        return self.codelists_block(fields.get("codelists"))

    # -- forms -------------------------------------------------------------------------

    def form(self, node: Node, file: str) -> Form | None:
        """A ``npc-crf/form@1`` file."""
        fields = self.fields(
            node,
            "form",
            ("format", "oid", "version", "title", "sections"),
            ("sdv", "help", "codelists"),
        )
        if fields is None or not self.format_line(fields, FORM_FORMAT):
            return None
        oid = self.oid(fields.get("oid"), "form oid") if "oid" in fields else None
        version = (
            self.string(fields.get("version"), "form version") if "version" in fields else None
        )
        title = self.text(fields.get("title"), "form title")
        sdv = (
            self.choice(fields.get("sdv"), "sdv", [s.value for s in SdvLevel])
            if "sdv" in fields
            else "none"
        )
        help_text = self.text(fields.get("help"), "form help")
        codelists = self.codelists_block(fields.get("codelists"))
        sections = [
            s for s in map(self.section, self.seq(fields.get("sections"), "sections", 1)) if s
        ]
        if oid is None or version is None or title is None or sdv is None or not sections:
            return None
        return Form(
            oid,
            version,
            title,
            tuple(sections),
            fields.node.loc,
            SdvLevel(sdv),
            help_text,
            tuple(codelists),
            file,
        )

    def section(self, node: Node) -> Section | None:
        """A section of a form."""
        fields = self.fields(node, "section", ("oid", "title", "items"), ("help", "relevant"))
        if fields is None:
            return None
        oid = self.oid(fields.get("oid"), "section oid") if "oid" in fields else None
        title = self.text(fields.get("title"), "section title")
        help_text = self.text(fields.get("help"), "section help")
        relevant = self.expression(fields.get("relevant"), "relevant")
        items = [
            i for i in (self.item(n, None) for n in self.seq(fields.get("items"), "items", 1)) if i
        ]
        if oid is None or title is None or not items:
            return None
        return Section(oid, title, tuple(items), fields.node.loc, help_text, relevant)

    def item(self, node: Node, group: str | None) -> Item | None:
        """An item, or a group with its columns."""
        kind = self.item_type(node)
        if kind is None:
            return None
        if kind is ItemType.GROUP and group is not None:
            self.error(node.loc, f"groups do not nest: group {group} cannot hold another group")
            return None
        extra = TYPE_KEYS[kind]
        fields = self.fields(
            node,
            f"{kind.value} item",
            ("oid", "type", "label", *REQUIRED_TYPE_KEYS.get(kind, ())),
            extra,
        )
        if fields is None:
            return None
        oid = self.oid(fields.get("oid"), "item oid") if "oid" in fields else None
        label = self.text(fields.get("label"), "label")
        get = fields.get
        required, required_if = self.required(get("required"))
        values: dict[str, object] = {
            "help": self.text(get("help"), "help"),
            "required": required,
            "required_if": required_if,
            "relevant": self.expression(get("relevant"), "relevant"),
            "phi": bool(self.boolean(get("phi"), "phi")) if "phi" in fields else False,
            "sdv": bool(self.boolean(get("sdv"), "sdv")) if "sdv" in fields else False,
            "missing_codes": self.missing_codes(get("missing_codes")),
            "unit": self.unit(get("unit"), "unit"),
            "precision": self.integer(get("precision"), "precision", 0),
            "max_length": self.integer(get("max_length"), "max_length", 1),
            "constraints": self.constraints(get("constraints")),
            "codelist": self.oid(get("codelist"), "codelist") if "codelist" in fields else None,
            "appearance": (
                self.choice(get("appearance"), "appearance", ("radio", "dropdown"))
                if "appearance" in fields
                else ("radio" if kind is ItemType.SINGLE_CHOICE else None)
            ),
            "calculate": self.expression(get("calculate"), "calculate"),
            "value_type": self.value_type(get("value_type")),
            "min_precision": (
                self.choice(get("min_precision"), "min_precision", ("year", "month", "day"))
                if "min_precision" in fields
                else ("year" if kind is ItemType.PARTIAL_DATE else None)
            ),
            "accept": self.accept(get("accept"))
            if "accept" in fields
            else (DEFAULT_ACCEPT if kind is ItemType.FILE else ()),
            "max_size_mb": self.integer(get("max_size_mb"), "max_size_mb", 1)
            if "max_size_mb" in fields
            else (20 if kind is ItemType.FILE else None),
        }
        is_date = kind is ItemType.DATE
        values["hard_range"] = self.range(get("hard_range"), "hard_range", is_date)
        values["soft_range"] = self.range(get("soft_range"), "soft_range", is_date)
        if kind is ItemType.GROUP:
            values["min_rows"] = (
                self.integer(get("min_rows"), "min_rows", 0) if "min_rows" in fields else 0
            )
            values["max_rows"] = self.integer(get("max_rows"), "max_rows", 1)
            columns = [
                c
                for c in (
                    self.item(n, oid or "?") for n in self.seq(get("items"), "group items", 1)
                )
                if c
            ]
            values["items"] = tuple(columns)
            if not columns:
                return None
        if oid is None or label is None:
            return None
        return Item(oid, kind, label, fields.node.loc, **values)  # type: ignore[arg-type]

    def item_type(self, node: Node) -> ItemType | None:
        """The ``type`` of an item node, reported when absent or unknown."""
        if not isinstance(node, MapNode):
            self.error(node.loc, "an item must be a mapping of keys and values")
            return None
        entry = node.get("type")
        if entry is None:
            self.error(node.loc, "item is missing 'type'")
            return None
        name = self.choice(entry.value, "item type", [t.value for t in ItemType])
        return ItemType(name) if name is not None else None

    def required(self, node: Node | None) -> tuple[bool, object]:
        """``required``: true/false, or an expression (required when true)."""
        if node is None:
            return False, None
        if isinstance(node, ScalarNode) and isinstance(node.value, bool):
            return node.value, None
        expr = self.expression(node, "required")
        return False, expr

    def missing_codes(self, node: Node | None) -> tuple[str, ...] | None:
        """An item's accepted missing-data codes (None: all the study's)."""
        if node is None:
            return None
        codes = [self.oid(n, "missing code") for n in self.seq(node, "missing_codes")]
        return tuple(c for c in codes if c is not None)

    def constraints(self, node: Node | None) -> tuple[Constraint, ...]:
        """An item's ``constraints`` list."""
        out: list[Constraint] = []
        for entry in self.seq(node, "constraints"):
            fields = self.fields(entry, "constraint", ("expr", "message"), ("severity",))
            if fields is None:
                continue
            expr = self.expression(fields.get("expr"), "constraint")
            message = self.text(fields.get("message"), "constraint message")
            severity = (
                self.choice(fields.get("severity"), "severity", ("hard", "soft"))
                if "severity" in fields
                else "hard"
            )
            if expr is not None and message is not None and severity is not None:
                out.append(Constraint(expr, Severity(severity), message))
        return tuple(out)

    def range(self, node: Node | None, what: str, dates: bool) -> Range | None:
        """``{min, max}`` of numbers (or dates for date items); min must not exceed max."""
        if node is None:
            return None
        fields = self.fields(node, what, (), ("min", "max"))
        if fields is None:
            return None
        if not fields.entries:
            self.error(node.loc, f"{what} needs a min, a max or both")
            return None
        read = self.date if dates else self.number
        low: Decimal | dt.date | None = (
            read(fields.get("min"), f"{what} min") if "min" in fields else None
        )
        high: Decimal | dt.date | None = (
            read(fields.get("max"), f"{what} max") if "max" in fields else None
        )
        if low is not None and high is not None and low > high:  # type: ignore[operator]
            self.error(node.loc, f"impossible {what}: min {low} is greater than max {high}")
            return None
        if ("min" in fields and low is None) or ("max" in fields and high is None):
            return None
        return Range(low, high)

    def value_type(self, node: Node | None) -> ValueType | None:
        """A calculated item's ``value_type``."""
        name = (
            self.choice(node, "value_type", [v.value for v in ValueType])
            if node is not None
            else None
        )
        return ValueType(name) if name is not None else None

    def accept(self, node: Node | None) -> tuple[str, ...]:
        """A file item's accepted endings."""
        out = []
        for entry in self.seq(node, "accept", 1):
            text = self.string(entry, "file ending")
            if text is not None:
                out.append(text.lower().lstrip("."))
        return tuple(out)

    # -- the study file ------------------------------------------------------------

    STUDY_REQUIRED = (
        "format",
        "oid",
        "version",
        "name",
        "protocol",
        "arms",
        "roles",
        "signature_meanings",
        "missing_codes",
        "events",
        "forms",
    )
    STUDY_OPTIONAL = (
        "parameters",
        "reference_ranges",
        "anchors",
        "eligibility",
        "codelists",
        "oncology",
    )

    def study_fields(self, node: Node) -> Fields | None:
        """The study file's top-level mapping with its format checked."""
        fields = self.fields(node, "study", self.STUDY_REQUIRED, self.STUDY_OPTIONAL)
        if fields is None or not self.format_line(fields, STUDY_FORMAT):
            return None
        return fields

    def study_oid(self, fields: Fields) -> str | None:
        """The study OID (dots and dashes allowed)."""
        return self.oid(fields.get("oid"), "study oid", STUDY_OID_RE) if "oid" in fields else None

    def protocol(self, node: Node | None) -> Protocol | None:
        """The ``protocol`` block."""
        if node is None:
            return None
        fields = self.fields(node, "protocol", ("id", "version", "title"), ("registry",))
        if fields is None:
            return None
        pid = self.string(fields.get("id"), "protocol id")
        version = self.string(fields.get("version"), "protocol version")
        title = self.text(fields.get("title"), "protocol title")
        registry = self.string(fields.get("registry"), "registry") if "registry" in fields else None
        if pid is None or version is None or title is None:
            return None
        return Protocol(pid, version, title, registry)

    def mapping_entries(
        self, node: Node | None, what: str, names: str = "name"
    ) -> list[tuple[str, Node]]:
        """The entries of a mapping whose keys the author chooses, keys checked as names."""
        if node is None:
            return []
        if not isinstance(node, MapNode):
            self.error(node.loc, f"{what} must be a mapping")
            return []
        out = []
        for entry in node.entries:
            key_ok = NAME_RE.match(entry.key) if names == "name" else OID_RE.match(entry.key)
            if not key_ok:
                rule = "lower case letters, digits and _" if names == "name" else "A-Z, 0-9 and _"
                self.error(entry.key_loc, f"{what} name '{entry.key}' must be {rule}")
                continue
            out.append((entry.key, entry.value))
        return out

    def parameter(self, key: str, node: Node) -> Parameter | None:
        """One parameter."""
        fields = self.fields(node, f"parameter '{key}'", ("value", "name"), ("unit",))
        if fields is None:
            return None
        scalar = self.scalar(fields.get("value"), "parameter value")
        label = self.text(fields.get("name"), "parameter name")
        unit = self.string(fields.get("unit"), "unit") if "unit" in fields else None
        if scalar is None or label is None:
            return None
        value: Decimal | str | bool
        if isinstance(scalar.value, bool):
            value = scalar.value
        elif isinstance(scalar.value, int | float):
            value = Decimal(scalar.text)
        elif isinstance(scalar.value, str):
            value = scalar.value
        else:
            self.error(scalar.loc, "a parameter value is a number, text, or true/false")
            return None
        return Parameter(key, value, label, unit)

    def reference_range(self, key: str, node: Node) -> ReferenceRange | None:
        """One analyte's reference range."""
        fields = self.fields(node, f"reference range '{key}'", ("unit", "name"), ("lln", "uln"))
        if fields is None:
            return None
        unit = self.string(fields.get("unit"), "unit")
        label = self.text(fields.get("name"), "reference range name")
        lln = self.number(fields.get("lln"), "lln") if "lln" in fields else None
        uln = self.number(fields.get("uln"), "uln") if "uln" in fields else None
        if lln is None and uln is None and "lln" not in fields and "uln" not in fields:
            self.error(fields.node.loc, f"reference range '{key}' needs an lln, a uln or both")
            return None
        if lln is not None and uln is not None and lln >= uln:
            self.error(
                fields.node.loc,
                f"impossible reference range '{key}': lln {lln} is not below uln {uln}",
            )
            return None
        if unit is None or label is None:
            return None
        return ReferenceRange(key, label, unit, lln, uln)

    def anchor(self, key: str, node: Node) -> Anchor | None:
        """One anchor."""
        fields = self.fields(node, f"anchor '{key}'", ("name", "date"))
        if fields is None:
            return None
        label = self.text(fields.get("name"), "anchor name")
        expr = self.expression(fields.get("date"), "anchor date")
        if label is None or expr is None:
            return None
        return Anchor(key, label, expr)

    def event(self, node: Node) -> Event | None:
        """One event of the schedule."""
        fields = self.fields(
            node,
            "event",
            ("oid", "name", "kind", "forms"),
            ("repeating", "anchor", "offset", "window", "repeat", "max_occurrences", "date_item"),
        )
        if fields is None:
            return None
        get = fields.get
        oid = self.oid(get("oid"), "event oid") if "oid" in fields else None
        name = self.text(get("name"), "event name")
        kind_name = (
            self.choice(get("kind"), "event kind", [k.value for k in EventKind])
            if "kind" in fields
            else None
        )
        repeating = (
            bool(self.boolean(get("repeating"), "repeating")) if "repeating" in fields else False
        )
        anchor = self.string(get("anchor"), "anchor") if "anchor" in fields else None
        offset = self.integer(get("offset"), "offset") if "offset" in fields else 0
        window = self.window(get("window"))
        phases = self.phases(get("repeat"))
        max_occ = (
            self.integer(get("max_occurrences"), "max_occurrences", 1)
            if "max_occurrences" in fields
            else None
        )
        date_item = self.date_item(get("date_item"))
        forms = [self.oid(n, "form oid") for n in self.seq(get("forms"), "event forms", 1)]
        if kind_name is None or oid is None or name is None:
            return None
        kind = EventKind(kind_name)
        if kind is EventKind.SCHEDULED and anchor is None:
            self.error(
                fields.node.loc,
                f"scheduled event {oid} needs an 'anchor' to count its due date from",
            )
        if kind is not EventKind.SCHEDULED:
            for key in ("anchor", "offset", "window", "repeat"):
                if key in fields:
                    self.error(
                        fields.key_loc(key),
                        f"'{key}' only applies to scheduled events; {oid} is {kind.value}",
                    )
        if phases and not repeating:
            self.error(fields.key_loc("repeat"), f"'repeat' needs 'repeating: true' on event {oid}")
        if phases and anchor == "previous":
            self.error(
                fields.key_loc("repeat"),
                "an event anchored on 'previous' repeats by its offset; remove 'repeat'",
            )
        if anchor == "previous" and not repeating:
            self.error(
                fields.key_loc("anchor"),
                f"only a repeating event can be anchored on 'previous'; {oid} does not repeat",
            )
        if max_occ is not None and not repeating:
            self.error(fields.key_loc("max_occurrences"), "max_occurrences needs 'repeating: true'")
        return Event(
            oid,
            name,
            kind,
            tuple(f for f in forms if f),
            fields.node.loc,
            repeating,
            anchor,
            offset or 0,
            window,
            phases,
            max_occ,
            date_item,
        )

    def window(self, node: Node | None) -> Window | None:
        """``{before, after}`` in days."""
        if node is None:
            return None
        fields = self.fields(node, "window", ("before", "after"))
        if fields is None:
            return None
        before = self.integer(fields.get("before"), "window before", 0)
        after = self.integer(fields.get("after"), "window after", 0)
        if before is None or after is None:
            return None
        return Window(before, after)

    def phases(self, node: Node | None) -> tuple[Phase, ...]:
        """The phases of a repeating schedule; only the last may repeat without end."""
        items = self.seq(node, "repeat", 1) if node is not None else []
        out: list[Phase] = []
        for index, entry in enumerate(items):
            fields = self.fields(entry, "repeat phase", ("every",), ("times",))
            if fields is None:
                continue
            every = self.integer(fields.get("every"), "every", 1)
            times = self.integer(fields.get("times"), "times", 1) if "times" in fields else None
            if times is None and "times" not in fields and index < len(items) - 1:
                self.error(entry.loc, "only the last phase may leave out 'times'")
            if every is not None:
                out.append(Phase(every, times))
        return tuple(out)

    def date_item(self, node: Node | None) -> tuple[str, str] | None:
        """``FORM.ITEM``."""
        text = self.string(node, "date_item") if node is not None else None
        if text is None:
            return None
        parts = text.split(".")
        if len(parts) != 2 or not all(parts):
            self.error(node.loc, f"date_item is written FORM.ITEM, not '{text}'")  # type: ignore[union-attr]
            return None
        return parts[0], parts[1]

    def criterion(self, node: Node) -> Criterion | None:
        """One eligibility criterion."""
        fields = self.fields(node, "eligibility criterion", ("id", "kind", "text", "expr"))
        if fields is None:
            return None
        cid = self.oid(fields.get("id"), "criterion id") if "id" in fields else None
        kind = (
            self.choice(fields.get("kind"), "criterion kind", ("inclusion", "exclusion"))
            if "kind" in fields
            else None
        )
        text = self.text(fields.get("text"), "criterion text")
        expr = self.expression(fields.get("expr"), "criterion")
        if cid is None or kind is None or text is None or expr is None:
            return None
        return Criterion(cid, CriterionKind(kind), text, expr)

    def files(self, node: Node | None, what: str) -> list[tuple[str, Node]]:
        """A list of relative file paths, each with its node for messages."""
        out = []
        for entry in self.seq(node, what):
            path = self.string(entry, f"{what} file")
            if path is not None:
                out.append((path, entry))
        return out
