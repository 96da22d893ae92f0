"""A study's SAE report mapping (``cioms.yaml``): which form and item fills each box.

The SAE report is laid out after the CIOMS I form. The two bundled studies keep the
same facts under different names (``AETOXGR`` and ``AEGRADE``, ``AESERCR`` and
``AESCRIT``, a causality item per study therapy…), so each study folder carries a
``cioms.yaml`` next to its ``study.yaml``; it travels with a published definition
like every other file of the folder, and the form loader does not read it.

:func:`load_sae_map` reads it with positions (the form loader's YAML reader) and
checks it against the loaded :class:`~npc_crf.forms.model.Study`: every form and
item must exist, have a fitting type, and sit where the report looks for it (one
dose per form, the columns of one course in one repeating group); every code must
be in its item's code list. All problems are reported at once, each as
``file:line:col: message``, in one :class:`~npc_crf.core.errors.UsageError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from npc_crf.core.errors import UsageError
from npc_crf.forms.expr.check import suggest
from npc_crf.forms.loader import shown
from npc_crf.forms.model import Form, Item, ItemType, Study, Text, ValueType
from npc_crf.forms.problems import Location, Problems
from npc_crf.forms.reader import Fields, Reader
from npc_crf.forms.source import Node, ScalarNode, parse_file

#: the file name in a study folder
SAE_MAP_FILE = "cioms.yaml"
#: the value of its ``format`` key
SAE_MAP_FORMAT = "npc-crf/cioms@1"
#: CIOMS I box 24d
REPORT_SOURCES = ("study", "literature", "health_professional")
#: CIOMS I boxes 8-12 (and the two criteria of ICH E2A the form adds), in print order
SERIOUSNESS_BOXES = (
    "died",
    "hospitalisation",
    "disability",
    "life_threatening",
    "congenital_anomaly",
    "medically_important",
)
#: how a study therapy is recorded: one dose per form, or courses with a start and an end
SUSPECT_KINDS = ("doses", "courses")

# what a mapped item must hold
_DATE = "date"
_YES_NO = "yes_no"
_NUMBER = "number"
_CODE = "code"
_CODES = "codes"
_TEXT = "text"  # words: a text item or a coded one (printed decoded)
_ANY = "any"

_KIND_NAMES = {
    _DATE: "a date",
    _YES_NO: "a yes/no",
    _NUMBER: "a number",
    _CODE: "a single-choice",
    _CODES: "a choice",
    _TEXT: "a text or choice",
    _ANY: "a value",
}


@dataclass(frozen=True)
class PatientMap:
    """I. 1-3: the form with the subject's initials, birth date, age and sex."""

    form: str
    initials: str | None = None
    birth_date: str | None = None
    age: str | None = None
    sex: str | None = None


@dataclass(frozen=True)
class ReactionMap:
    """I. 4-13 and the additional information: the adverse event form's items."""

    form: str
    event: str  # the event holding one adverse event per occurrence
    term: str
    onset: str
    serious: str
    verbatim: str | None = None
    grade: str | None = None
    end: str | None = None
    ongoing: str | None = None
    outcome: str | None = None
    criteria: str | None = None
    serious_date: str | None = None
    aware_date: str | None = None
    reported_date: str | None = None
    expected: str | None = None
    susar: str | None = None
    immune_related: str | None = None
    steroids: str | None = None


@dataclass(frozen=True)
class AgentsMap:
    """The agents of one administration, one per row of ``group`` (a chemotherapy regimen)."""

    group: str
    agent: str
    dose: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class SuspectMap:
    """II. 14-21: one study therapy, where its administrations are and how to read them."""

    name: Text
    kind: str  # one of SUSPECT_KINDS
    form: str
    #: courses: the repeating group holding one course per row (None: one per form)
    group: str | None = None
    route: Text | None = None
    frequency: Text | None = None
    indication: Text | None = None
    product: str | None = None  # the agent given (a choice), named on each administration
    given: str | None = None  # yes/no: anything given in this record
    date: str | None = None  # doses: the day of the dose
    last: str | None = None  # doses: yes/no: stopped after this dose
    dose: str | None = None
    regimen: str | None = None
    agents: AgentsMap | None = None
    start: str | None = None  # courses
    end: str | None = None
    status: str | None = None
    ongoing_codes: tuple[str, ...] = ()
    fractions: str | None = None
    technique: str | None = None
    site: tuple[str, ...] = ()
    causality: str | None = None  # on the AE form
    action: str | None = None  # on the AE form
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConcomitantMap:
    """III. 22: the concomitant medications, one per row of ``group`` (or per form)."""

    form: str
    drug: str
    group: str | None = None
    indication: str | None = None
    dose: str | None = None
    dose_unit: str | None = None
    route: str | None = None
    start: str | None = None
    end: str | None = None
    ongoing: str | None = None


@dataclass(frozen=True)
class HistoryMap:
    """III. 23: one kind of relevant history (conditions, prior therapy, the diagnosis)."""

    form: str
    term: str
    group: str | None = None
    start: str | None = None
    end: str | None = None
    ongoing: str | None = None
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class LabFormMap:
    """A laboratory form and its sample date."""

    form: str
    date: str


@dataclass(frozen=True)
class TestsMap:
    """I. 13: laboratory values sampled around the event."""

    forms: tuple[LabFormMap, ...]
    days_before: int = 7
    days_after: int = 7


@dataclass(frozen=True)
class DeathMap:
    """The death record."""

    form: str
    date: str
    cause: str | None = None
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class SaeMap:
    """A study's SAE report mapping, checked against the study."""

    file: str
    sponsor_name: Text
    sponsor_address: Text
    country: Text
    report_source: str
    patient: PatientMap
    reaction: ReactionMap
    #: (box, codes of the criteria item that tick it), in SERIOUSNESS_BOXES order
    seriousness: tuple[tuple[str, tuple[str, ...]], ...]
    suspects: tuple[SuspectMap, ...]
    abated: tuple[str, ...] = ()
    not_abated: tuple[str, ...] = ()
    stopped: tuple[str, ...] = ()
    withdrawn: tuple[str, ...] = ()
    unknown_actions: tuple[str, ...] = ()
    concomitant: ConcomitantMap | None = None
    history: tuple[HistoryMap, ...] = ()
    tests: TestsMap | None = None
    death: DeathMap | None = None

    def boxes_ticked(self, codes: Iterable[str]) -> tuple[str, ...]:
        """The seriousness boxes the criteria ``codes`` tick."""
        given = set(codes)
        return tuple(box for box, mapped in self.seriousness if given & set(mapped))


def sae_map_path(study: Study) -> Path:
    """Where a study keeps its SAE report mapping."""
    return Path(study.folder) / SAE_MAP_FILE


def load_sae_map(study: Study, path: Path | None = None) -> SaeMap:
    """Read and check the SAE report mapping of ``study`` (default: its ``cioms.yaml``).

    Raises UsageError when the study has none, or listing every problem as
    ``file:line:col: message``.
    """
    path = path if path is not None else sae_map_path(study)
    if not path.is_file():
        raise UsageError(
            f"Study {study.oid} defines no SAE report mapping (cioms.yaml); "
            f"there is no {shown(path)}.",
            "Add a cioms.yaml to the study folder (see forms/npc-sint-rt/cioms.yaml).",
        )
    problems = Problems()
    name = shown(path)
    root = parse_file(path, name, problems)
    result = _Checker(study, problems).mapping(root, name) if root is not None else None
    if problems or result is None:
        found = problems.sorted() or []
        lines = "\n".join(f"  {p}" for p in found)
        count = len(found)
        raise UsageError(
            f"The SAE report mapping {name} of study {study.oid} has "
            f"{count} problem{'s' if count != 1 else ''}:\n{lines}"
        )
    return result


def _value_kind(item: Item) -> str:
    """What an item holds, in the terms of the checks above."""
    kind = item.type
    if kind is ItemType.CALCULATED:
        return {
            ValueType.DATE: _DATE,
            ValueType.YES_NO: _YES_NO,
            ValueType.INTEGER: _NUMBER,
            ValueType.DECIMAL: _NUMBER,
            ValueType.TEXT: _TEXT,
        }.get(item.value_type or ValueType.TEXT, _TEXT)
    if kind in (ItemType.DATE, ItemType.PARTIAL_DATE, ItemType.DATETIME):
        return _DATE
    if kind is ItemType.YES_NO:
        return _YES_NO
    if kind in (ItemType.INTEGER, ItemType.DECIMAL):
        return _NUMBER
    if kind in (ItemType.SINGLE_CHOICE, ItemType.LOOKUP):
        return _CODE
    if kind is ItemType.MULTIPLE_CHOICE:
        return _CODES
    if kind in (ItemType.TEXT, ItemType.LONG_TEXT):
        return _TEXT
    return kind.value  # time, file, note, group: never wanted


def _fits(found: str, wanted: str) -> bool:
    if wanted == _ANY:
        return found not in ("file", "note", "group")
    if wanted == _TEXT:
        return found in (_TEXT, _CODE, _CODES)
    if wanted == _CODES:
        return found in (_CODE, _CODES)
    return found == wanted


class _Checker:
    """Reads the mapping's nodes and checks each name against the study."""

    def __init__(self, study: Study, problems: Problems) -> None:
        self.study = study
        self.r = Reader(problems)

    def error(self, loc: Location, message: str) -> None:
        self.r.error(loc, message)

    # -- the file ---------------------------------------------------------------------

    def mapping(self, root: Node, name: str) -> SaeMap | None:
        top = self.r.fields(
            root,
            "the SAE report mapping",
            ("format", "sponsor", "country", "report_source", "patient", "reaction", "suspects"),
            ("seriousness", "outcomes", "actions", "concomitant", "history", "tests", "death"),
        )
        if top is None:
            return None
        fmt = self.r.string(top.get("format"), "format")
        if fmt is not None and fmt != SAE_MAP_FORMAT:
            self.error(top.key_loc("format"), f"format must be '{SAE_MAP_FORMAT}', not '{fmt}'")
        sponsor = self._sponsor(top.get("sponsor"))
        country = self.r.text(top.get("country"), "country")
        source = self.r.choice(top.get("report_source"), "report_source", REPORT_SOURCES)
        patient = self._patient(top.get("patient"))
        reaction, reaction_form = self._reaction(top.get("reaction"))
        seriousness = self._seriousness(top, reaction, reaction_form)
        abated, not_abated = self._outcomes(top.get("outcomes"), reaction, reaction_form)
        suspects = self._suspects(top.get("suspects"), reaction_form)
        stopped, withdrawn, unknown = self._actions(top.get("actions"), suspects, reaction_form)
        concomitant = self._concomitant(top.get("concomitant"))
        history = tuple(
            h
            for n, node in enumerate(self.r.seq(top.get("history"), "history"), start=1)
            if (h := self._history(node, f"history entry {n}")) is not None
        )
        tests = self._tests(top.get("tests"))
        death = self._death(top.get("death"))
        if (
            sponsor is None
            or country is None
            or source is None
            or patient is None
            or reaction is None
            or seriousness is None
            or suspects is None
        ):
            return None
        return SaeMap(
            file=name,
            sponsor_name=sponsor[0],
            sponsor_address=sponsor[1],
            country=country,
            report_source=source,
            patient=patient,
            reaction=reaction,
            seriousness=seriousness,
            suspects=suspects,
            abated=abated,
            not_abated=not_abated,
            stopped=stopped,
            withdrawn=withdrawn,
            unknown_actions=unknown,
            concomitant=concomitant,
            history=history,
            tests=tests,
            death=death,
        )

    # -- forms, items and codes --------------------------------------------------------

    def form(self, fields: Fields, what: str) -> Form | None:
        """The form named under ``form:``; it must exist and be in some event."""
        oid = self.r.oid(fields.get("form"), f"{what} form")
        if oid is None:
            return None
        form = self.study.forms.get(oid)
        loc = fields.get("form")
        where = loc.loc if loc is not None else fields.node.loc
        if form is None:
            self.error(
                where,
                f"{what}: study {self.study.oid} has no form '{oid}'"
                + suggest(oid, sorted(self.study.forms)),
            )
            return None
        if not any(oid in e.forms for e in self.study.events):
            self.error(where, f"{what}: form {oid} is in no event of study {self.study.oid}")
            return None
        return form

    def item(
        self,
        fields: Fields,
        key: str,
        form: Form | None,
        what: str,
        kind: str,
        *,
        node: Node | None = None,
    ) -> str | None:
        """The item named under ``key`` (or by ``node``): in ``form``, holding ``kind``."""
        node = node if node is not None else fields.get(key)
        if node is None:
            return None
        oid = self.r.oid(node, f"{what} {key}")
        if oid is None or form is None:
            return None
        item = form.item(oid)
        if item is None or item.is_group:
            names = sorted(i.oid for i, _ in form.all_items() if not i.is_group)
            self.error(
                node.loc, f"{what} {key}: form {form.oid} has no item '{oid}'" + suggest(oid, names)
            )
            return None
        found = _value_kind(item)
        if not _fits(found, kind):
            self.error(
                node.loc,
                f"{what} {key}: item {form.oid}.{oid} is a {item.type.value} item; "
                f"{_KIND_NAMES[kind]} item is needed here",
            )
            return None
        return oid

    def items(
        self, fields: Fields, key: str, form: Form | None, what: str, kind: str = _ANY
    ) -> tuple[tuple[str, Node], ...]:
        """A list of items under ``key`` (or a single one), with their nodes."""
        node = fields.get(key)
        if node is None:
            return ()
        nodes = [node] if isinstance(node, ScalarNode) else self.r.seq(node, f"{what} {key}")
        found: list[tuple[str, Node]] = []
        for entry in nodes:
            oid = self.item(fields, key, form, what, kind, node=entry)
            if oid is not None:
                found.append((oid, entry))
        return tuple(found)

    def same_group(
        self,
        form: Form | None,
        anchor: str | None,
        members: Iterable[tuple[str | None, Node | None]],
        what: str,
    ) -> str | None:
        """The group holding ``anchor``; every member must be in it (the columns of one
        entry are read from one row). Returns the group OID, None at form level."""
        if form is None or anchor is None:
            return None
        group = form.group_of(anchor)
        for oid, node in members:
            if oid is None or node is None:
                continue
            other = form.group_of(oid)
            if other is not group:
                self.error(
                    node.loc,
                    f"{what}: {form.oid}.{oid} is {_where(other)}, but {anchor} is "
                    f"{_where(group)}; the items of one entry must be read from one row",
                )
        return group.oid if group is not None else None

    def at_form_level(
        self, form: Form | None, oid: str | None, node: Node | None, what: str
    ) -> None:
        """``oid`` must be outside repeating groups (one value per form)."""
        if form is None or oid is None or node is None:
            return
        group = form.group_of(oid)
        if group is not None:
            self.error(
                node.loc,
                f"{what}: {form.oid}.{oid} is in repeating group {group.oid}; "
                "it must be outside groups (one value per form)",
            )

    def codes(
        self, node: Node | None, what: str, items: Iterable[tuple[Form, str]]
    ) -> tuple[str, ...]:
        """A list of codes; each must be in the code list of one of ``items``."""
        if node is None:
            return ()
        lists = [
            (f"{form.oid}.{oid}", self.study.codelist_for(item))
            for form, oid in items
            if (item := form.item(oid)) is not None
        ]
        known: dict[str, None] = {}
        for _name, codelist in lists:
            for entry in codelist.items if codelist is not None else ():
                known[str(entry.code)] = None
        codes: list[str] = []
        for code_node in self.r.seq(node, what):
            scalar = self.r.scalar(code_node, f"{what} code")
            if scalar is None:
                continue
            code = scalar.text
            if lists and code not in known:
                names = ", ".join(name for name, _ in lists)
                self.error(
                    scalar.loc,
                    f"{what}: '{code}' is not a code of {names}" + suggest(code, list(known)),
                )
                continue
            codes.append(code)
        return tuple(codes)

    # -- the sections ------------------------------------------------------------------

    def _sponsor(self, node: Node | None) -> tuple[Text, Text] | None:
        if node is None:
            return None
        fields = self.r.fields(node, "sponsor", ("name", "address"))
        if fields is None:
            return None
        name = self.r.text(fields.get("name"), "sponsor name")
        address = self.r.text(fields.get("address"), "sponsor address")
        return (name, address) if name is not None and address is not None else None

    def _patient(self, node: Node | None) -> PatientMap | None:
        if node is None:
            return None
        what = "patient"
        fields = self.r.fields(node, what, ("form",), ("initials", "birth_date", "age", "sex"))
        if fields is None:
            return None
        form = self.form(fields, what)
        keys = {"initials": _TEXT, "birth_date": _DATE, "age": _NUMBER, "sex": _CODE}
        found = {k: self.item(fields, k, form, what, kind) for k, kind in keys.items()}
        for key, oid in found.items():
            self.at_form_level(form, oid, fields.get(key), what)
        if form is None:
            return None
        return PatientMap(form.oid, **found)

    def _reaction(self, node: Node | None) -> tuple[ReactionMap | None, Form | None]:
        if node is None:
            return None, None
        what = "reaction"
        optional = {
            "verbatim": _TEXT,
            "grade": _CODE,
            "end": _DATE,
            "ongoing": _YES_NO,
            "outcome": _CODE,
            "criteria": _CODES,
            "serious_date": _DATE,
            "aware_date": _DATE,
            "reported_date": _DATE,
            "expected": _YES_NO,
            "susar": _YES_NO,
            "immune_related": _YES_NO,
            "steroids": _YES_NO,
        }
        required = {"term": _TEXT, "onset": _DATE, "serious": _YES_NO}
        fields = self.r.fields(node, what, ("form", *required), ("event", *optional))
        if fields is None:
            return None, None
        form = self.form(fields, what)
        event = self._reaction_event(fields, form, what)
        found = {
            k: self.item(fields, k, form, what, kind)
            for k, kind in (*required.items(), *optional.items())
        }
        for key, oid in found.items():
            self.at_form_level(form, oid, fields.get(key), what)
        term, onset, serious = found.pop("term"), found.pop("onset"), found.pop("serious")
        if form is None or event is None or term is None or onset is None or serious is None:
            return None, form
        return ReactionMap(form.oid, event, term, onset, serious, **found), form

    def _reaction_event(self, fields: Fields, form: Form | None, what: str) -> str | None:
        """The event holding the adverse event form (``event:``, or the only one)."""
        if form is None:
            return None
        holding = [e.oid for e in self.study.events if form.oid in e.forms]
        node = fields.get("event")
        if node is not None:
            oid = self.r.oid(node, f"{what} event")
            if oid is not None and oid not in holding:
                self.error(
                    node.loc,
                    f"{what} event: form {form.oid} is not in event '{oid}' "
                    f"(it is in {', '.join(holding)})",
                )
                return None
            return oid
        if len(holding) > 1:
            self.error(
                fields.key_loc("form"),
                f"{what}: form {form.oid} is in events {', '.join(holding)}; "
                "name the one that holds one adverse event per occurrence with 'event:'",
            )
            return None
        return holding[0] if holding else None

    def _seriousness(
        self, top: Fields, reaction: ReactionMap | None, form: Form | None
    ) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
        node = top.get("seriousness")
        criteria = reaction.criteria if reaction is not None else None
        if node is None:
            if criteria is not None:
                self.error(
                    top.node.loc,
                    "the SAE report mapping is missing 'seriousness': which criteria codes "
                    f"of {criteria} tick boxes 8-12",
                )
                return None
            return ()
        fields = self.r.fields(node, "seriousness", (), SERIOUSNESS_BOXES)
        if fields is None:
            return None
        if criteria is None or form is None:
            if reaction is not None:
                self.error(
                    top.key_loc("seriousness"),
                    "seriousness needs reaction criteria: the item holding the criteria codes",
                )
            return None
        mapped: list[tuple[str, tuple[str, ...]]] = []
        for box in SERIOUSNESS_BOXES:
            codes = self.codes(fields.get(box), f"seriousness {box}", [(form, criteria)])
            mapped.append((box, codes))
        item = form.item(criteria)
        codelist = self.study.codelist_for(item) if item is not None else None
        ticking = {c for _, codes in mapped for c in codes}
        for entry in codelist.items if codelist is not None else ():
            if str(entry.code) not in ticking:
                self.error(
                    top.key_loc("seriousness"),
                    f"seriousness: code '{entry.code}' of {form.oid}.{criteria} ticks no box; "
                    "add it to the box it belongs to",
                )
        return tuple(mapped)

    def _outcomes(
        self, node: Node | None, reaction: ReactionMap | None, form: Form | None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if node is None:
            return (), ()
        fields = self.r.fields(node, "outcomes", (), ("abated", "not_abated"))
        if fields is None:
            return (), ()
        outcome = reaction.outcome if reaction is not None else None
        if outcome is None or form is None:
            if reaction is not None:
                self.error(node.loc, "outcomes needs reaction outcome: the item holding it")
            return (), ()
        abated = self.codes(fields.get("abated"), "outcomes abated", [(form, outcome)])
        not_abated = self.codes(fields.get("not_abated"), "outcomes not_abated", [(form, outcome)])
        return abated, not_abated

    def _actions(
        self, node: Node | None, suspects: tuple[SuspectMap, ...] | None, form: Form | None
    ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        if node is None:
            return (), (), ()
        fields = self.r.fields(node, "actions", (), ("stopped", "withdrawn", "unknown"))
        if fields is None:
            return (), (), ()
        if form is None or suspects is None:
            return (), (), ()
        valid = [(form, s.action) for s in suspects if s.action is not None]
        if not valid:
            self.error(node.loc, "actions: no suspect names an action item on the AE form")
            return (), (), ()
        stopped = self.codes(fields.get("stopped"), "actions stopped", valid)
        withdrawn = self.codes(fields.get("withdrawn"), "actions withdrawn", valid)
        unknown = self.codes(fields.get("unknown"), "actions unknown", valid)
        return stopped, withdrawn, unknown

    def _suspects(
        self, node: Node | None, reaction_form: Form | None
    ) -> tuple[SuspectMap, ...] | None:
        nodes = self.r.seq(node, "suspects", 1)
        found = [self._suspect(n, f"suspect {i}", reaction_form) for i, n in enumerate(nodes, 1)]
        if not nodes or any(s is None for s in found):
            return None
        return tuple(s for s in found if s is not None)

    def _suspect(self, node: Node, what: str, reaction_form: Form | None) -> SuspectMap | None:
        common = ("route", "frequency", "indication", "causality", "action", "notes", "given")
        fields = self.r.fields(
            node,
            what,
            ("name", "kind", "form"),
            (
                *common,
                "product",
                "date",
                "last",
                "dose",
                "regimen",
                "agents",
                "start",
                "end",
                "status",
                "ongoing_codes",
                "fractions",
                "technique",
                "site",
            ),
        )
        if fields is None:
            return None
        name = self.r.text(fields.get("name"), f"{what} name")
        kind = self.r.choice(fields.get("kind"), f"{what} kind", SUSPECT_KINDS)
        form = self.form(fields, what)
        texts = {
            k: self.r.text(fields.get(k), f"{what} {k}")
            for k in ("route", "frequency", "indication")
        }
        causality = self.item(fields, "causality", reaction_form, what, _CODE)
        action = self.item(fields, "action", reaction_form, what, _CODE)
        given = self.item(fields, "given", form, what, _YES_NO)
        self.at_form_level(form, given, fields.get("given"), what)
        notes = self.items(fields, "notes", form, what)
        if kind == "doses":
            body = self._doses(fields, form, what)
            self._not_for(fields, ("start", "end", "status", "ongoing_codes", "fractions",
                                   "technique", "site"), "doses", what)  # fmt: skip
            notes_group = None
        elif kind == "courses":
            body = self._courses(fields, form, what)
            self._not_for(fields, ("date", "last", "regimen", "agents", "product"), "courses", what)
            notes_group = body.get("group") if body is not None else None
        else:
            return None
        if body is None or name is None or form is None:
            return None
        anchor = body.get("start") if kind == "courses" else None
        if notes_group is not None and isinstance(anchor, str):
            self.same_group(form, anchor, notes, what)
        elif kind == "doses":
            for oid, entry in notes:
                self.at_form_level(form, oid, entry, what)
        return SuspectMap(
            name=name,
            kind=kind,
            form=form.oid,
            route=texts["route"],
            frequency=texts["frequency"],
            indication=texts["indication"],
            causality=causality,
            action=action,
            given=given,
            notes=tuple(oid for oid, _ in notes),
            **body,
        )

    def _not_for(self, fields: Fields, keys: Iterable[str], kind: str, what: str) -> None:
        for key in keys:
            if key in fields:
                self.error(fields.key_loc(key), f"{what}: '{key}' does not apply to kind {kind}")

    def _doses(self, fields: Fields, form: Form | None, what: str) -> dict[str, Any] | None:
        if "date" not in fields:
            self.error(fields.node.loc, f"{what} is missing 'date' (the day of each dose)")
            return None
        found: dict[str, Any] = {
            "date": self.item(fields, "date", form, what, _DATE),
            "last": self.item(fields, "last", form, what, _YES_NO),
            "dose": self.item(fields, "dose", form, what, _NUMBER),
            "regimen": self.item(fields, "regimen", form, what, _TEXT),
            "product": self.item(fields, "product", form, what, _CODE),
        }
        for key, oid in found.items():
            self.at_form_level(form, oid if isinstance(oid, str) else None, fields.get(key), what)
        found["agents"] = self._agents(fields.get("agents"), form, what)
        if found["date"] is None:
            return None
        return found

    def _agents(self, node: Node | None, form: Form | None, what: str) -> AgentsMap | None:
        if node is None:
            return None
        fields = self.r.fields(node, f"{what} agents", ("agent",), ("dose", "unit"))
        if fields is None:
            return None
        agent = self.item(fields, "agent", form, f"{what} agents", _TEXT)
        dose = self.item(fields, "dose", form, f"{what} agents", _NUMBER)
        unit = self.item(fields, "unit", form, f"{what} agents", _TEXT)
        if agent is None or form is None:
            return None
        group = form.group_of(agent)
        if group is None:
            self.error(
                fields.key_loc("agent"),
                f"{what} agents: {form.oid}.{agent} is outside repeating groups; "
                "the agents of one administration are the rows of a group",
            )
            return None
        self.same_group(
            form, agent, [(dose, fields.get("dose")), (unit, fields.get("unit"))], f"{what} agents"
        )
        return AgentsMap(group.oid, agent, dose, unit)

    def _courses(self, fields: Fields, form: Form | None, what: str) -> dict[str, Any] | None:
        for key in ("start", "end"):
            if key not in fields:
                self.error(fields.node.loc, f"{what} is missing '{key}' (each course's {key} date)")
                return None
        keys = {
            "start": _DATE,
            "end": _DATE,
            "status": _CODE,
            "dose": _NUMBER,
            "fractions": _NUMBER,
            "technique": _TEXT,
        }
        found: dict[str, Any] = {
            k: self.item(fields, k, form, what, kind) for k, kind in keys.items()
        }
        site = self.items(fields, "site", form, what, _TEXT)
        start = found["start"]
        if not isinstance(start, str) or found["end"] is None:
            return None
        members = [(v if isinstance(v, str) else None, fields.get(k)) for k, v in found.items()]
        group = self.same_group(form, start, [*members, *site], what)
        status = found["status"]
        codes: tuple[str, ...] = ()
        if "ongoing_codes" in fields:
            if not isinstance(status, str) or form is None:
                self.error(fields.key_loc("ongoing_codes"), f"{what}: ongoing_codes needs status")
            else:
                codes = self.codes(
                    fields.get("ongoing_codes"), f"{what} ongoing_codes", [(form, status)]
                )
        found.update(group=group, ongoing_codes=codes, site=tuple(oid for oid, _ in site))
        return found

    def _concomitant(self, node: Node | None) -> ConcomitantMap | None:
        if node is None:
            return None
        what = "concomitant"
        keys = {
            "indication": _TEXT,
            "dose": _NUMBER,
            "dose_unit": _TEXT,
            "route": _TEXT,
            "start": _DATE,
            "end": _DATE,
            "ongoing": _YES_NO,
        }
        fields = self.r.fields(node, what, ("form", "drug"), tuple(keys))
        if fields is None:
            return None
        form = self.form(fields, what)
        drug = self.item(fields, "drug", form, what, _TEXT)
        found = {k: self.item(fields, k, form, what, kind) for k, kind in keys.items()}
        group = self.same_group(form, drug, [(v, fields.get(k)) for k, v in found.items()], what)
        if form is None or drug is None:
            return None
        return ConcomitantMap(form.oid, drug, group, **found)

    def _history(self, node: Node, what: str) -> HistoryMap | None:
        fields = self.r.fields(node, what, ("form", "term"), ("start", "end", "ongoing", "details"))
        if fields is None:
            return None
        form = self.form(fields, what)
        term = self.item(fields, "term", form, what, _TEXT)
        start = self.item(fields, "start", form, what, _DATE)
        end = self.item(fields, "end", form, what, _DATE)
        ongoing = self.item(fields, "ongoing", form, what, _YES_NO)
        details = self.items(fields, "details", form, what)
        members = [(start, fields.get("start")), (end, fields.get("end")),
                   (ongoing, fields.get("ongoing")), *details]  # fmt: skip
        group = self.same_group(form, term, members, what)
        if form is None or term is None:
            return None
        return HistoryMap(
            form.oid, term, group, start, end, ongoing, tuple(oid for oid, _ in details)
        )

    def _tests(self, node: Node | None) -> TestsMap | None:
        if node is None:
            return None
        fields = self.r.fields(node, "tests", ("forms",), ("days_before", "days_after"))
        if fields is None:
            return None
        before = self.r.integer(fields.get("days_before"), "tests days_before", 0)
        after = self.r.integer(fields.get("days_after"), "tests days_after", 0)
        forms: list[LabFormMap] = []
        for n, entry in enumerate(self.r.seq(fields.get("forms"), "tests forms", 1), start=1):
            what = f"tests form {n}"
            sub = self.r.fields(entry, what, ("form", "date"))
            if sub is None:
                continue
            form = self.form(sub, what)
            date = self.item(sub, "date", form, what, _DATE)
            self.at_form_level(form, date, sub.get("date"), what)
            if form is not None and date is not None:
                forms.append(LabFormMap(form.oid, date))
        return TestsMap(
            tuple(forms),
            before if before is not None else 7,
            after if after is not None else 7,
        )

    def _death(self, node: Node | None) -> DeathMap | None:
        if node is None:
            return None
        what = "death"
        fields = self.r.fields(node, what, ("form", "date"), ("cause", "details"))
        if fields is None:
            return None
        form = self.form(fields, what)
        date = self.item(fields, "date", form, what, _DATE)
        cause = self.item(fields, "cause", form, what, _TEXT)
        details = self.items(fields, "details", form, what)
        for oid, entry in ((date, fields.get("date")), (cause, fields.get("cause")), *details):
            self.at_form_level(form, oid, entry, what)
        if form is None or date is None:
            return None
        return DeathMap(form.oid, date, cause, tuple(oid for oid, _ in details))


def _where(group: Item | None) -> str:
    return f"in repeating group {group.oid}" if group is not None else "outside repeating groups"
