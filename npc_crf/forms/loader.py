"""Load study folders: read every file, build the model, check it, all or nothing.

``load_study`` returns a complete :class:`~npc_crf.forms.model.Study` or raises
:class:`~npc_crf.forms.problems.DefinitionError` listing every problem in every
file; nothing is ever half-loaded.
"""

from __future__ import annotations

import os
from pathlib import Path

from npc_crf.forms.builder import Builder
from npc_crf.forms.builtin_lists import materialize
from npc_crf.forms.checks import check_study
from npc_crf.forms.model import (
    Anchor,
    CodeList,
    Criterion,
    Event,
    Form,
    Parameter,
    ReferenceRange,
    Study,
)
from npc_crf.forms.problems import DefinitionError, Location, Problem, Problems
from npc_crf.forms.source import Node, SeqNode, parse_file
from npc_crf.oncology.study_settings import SECTIONS, check_setting

STUDY_FILE = "study.yaml"


def shown(path: Path) -> str:
    """A path as messages show it: relative to the working folder when below it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def study_folders(path: Path) -> list[Path]:
    """The study folders at ``path``: itself, its parent (a study.yaml), or its subfolders."""
    if path.is_file():
        return [path.parent]
    if (path / STUDY_FILE).is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.iterdir() if (p / STUDY_FILE).is_file())
    return []


def load_studies(path: Path) -> list[Study]:
    """Load every study at ``path``; raises DefinitionError with all problems of all of them."""
    folders = study_folders(path)
    if not folders:
        raise DefinitionError(
            [Problem(Location(shown(path), 1, 1), f"no {STUDY_FILE} found here or in its folders")]
        )
    studies: list[Study] = []
    problems: list[Problem] = []
    for folder in folders:
        try:
            studies.append(load_study(folder))
        except DefinitionError as exc:
            problems.extend(exc.problems)
    oids: dict[str, str] = {}
    for study in studies:
        if study.oid in oids:
            problems.append(
                Problem(
                    Location(shown(Path(study.folder) / STUDY_FILE), 1, 1),
                    f"study OID '{study.oid}' is also used by {oids[study.oid]}",
                )
            )
        oids[study.oid] = study.folder
    if problems:
        raise DefinitionError(problems)
    return studies


def load_study(folder: Path) -> Study:
    """Load and check one study folder."""
    problems = Problems()
    study, all_forms_built, codelists_ok = _assemble(folder, problems)
    if study is not None:
        # check references even when some files had problems, so one run reports
        # everything; a form that failed to build is not reported again as unknown
        check_study(study, problems, all_forms_built, codelists_ok)
    if problems or study is None:
        if not problems:  # pragma: no cover - assembly fails only with problems
            problems.add(Location(shown(folder / STUDY_FILE), 1, 1), "study could not be loaded")
        raise DefinitionError(problems.sorted())
    return study


def _assemble(folder: Path, problems: Problems) -> tuple[Study | None, bool, bool]:
    """Read and build every file.

    Also says whether every listed form file and every code-list file was built
    cleanly (references into the others are then not reported again).
    """
    b = Builder(problems)
    study_path = folder / STUDY_FILE
    root = parse_file(study_path, shown(study_path), problems)
    if root is None:
        return None, False, False
    fields = b.study_fields(root)
    if fields is None:
        return None, False, False
    get = fields.get

    codelists_ok = True
    codelists: dict[str, CodeList] = {}
    where: dict[str, Location] = {}

    def add_codelists(found: list[CodeList]) -> None:
        for codelist in found:
            loc = codelist.loc or Location(shown(study_path), 1, 1)
            if codelist.oid in codelists:
                problems.add(
                    loc, f"duplicate code list OID '{codelist.oid}' (also at {where[codelist.oid]})"
                )
                continue
            codelists[codelist.oid] = materialize(codelist)
            where[codelist.oid] = loc

    for rel, node in b.files(get("codelists"), "codelists"):
        path = folder / rel
        if not path.is_file():
            problems.add(node.loc, f"code list file '{rel}' not found")
            continue
        before = len(problems)
        parsed = parse_file(path, shown(path), problems)
        if parsed is not None:
            add_codelists(b.codelists_file(parsed))
        if len(problems) > before:
            codelists_ok = False

    forms: dict[str, Form] = {}
    form_files = b.files(get("forms"), "forms")
    for rel, node in form_files:
        path = folder / rel
        if not path.is_file():
            problems.add(node.loc, f"form file '{rel}' not found")
            continue
        parsed = parse_file(path, shown(path), problems)
        if parsed is None:
            continue
        form = b.form(parsed, shown(path))
        if form is None:
            continue
        if form.oid in forms:
            problems.add(
                form.loc, f"duplicate form OID '{form.oid}' (also in {forms[form.oid].file})"
            )
            continue
        forms[form.oid] = form
        add_codelists(list(form.codelists))

    all_forms_built = len(forms) == len(form_files)

    parameters: dict[str, Parameter] = {}
    for key, node in b.mapping_entries(get("parameters"), "parameter"):
        param = b.parameter(key, node)
        if param is not None:
            parameters[key] = param
    ranges: dict[str, ReferenceRange] = {}
    for key, node in b.mapping_entries(get("reference_ranges"), "reference range", names="oid"):
        ref = b.reference_range(key, node)
        if ref is not None:
            ranges[key] = ref
    anchors: dict[str, Anchor] = {}
    for key, node in b.mapping_entries(get("anchors"), "anchor"):
        if key == "previous":
            problems.add(
                node.loc,
                "'previous' is reserved for the previous occurrence; choose another anchor name",
            )
            continue
        anchor = b.anchor(key, node)
        if anchor is not None:
            anchors[key] = anchor

    events: list[Event] = []
    for node in b.seq(get("events"), "events", 1):
        event = b.event(node)
        if event is None:
            continue
        if any(e.oid == event.oid for e in events):
            problems.add(event.loc, f"duplicate event OID '{event.oid}'")
            continue
        events.append(event)

    criteria: list[Criterion] = []
    for node in b.seq(get("eligibility"), "eligibility"):
        criterion = b.criterion(node)
        if criterion is None:
            continue
        if any(c.id == criterion.id for c in criteria):
            problems.add(criterion.expr.loc, f"duplicate criterion id '{criterion.id}'")
            continue
        criteria.append(criterion)

    oncology = _oncology_settings(b, get("oncology"))

    oid = b.study_oid(fields)
    version = b.string(get("version"), "study version") if "version" in fields else None
    name = b.text(get("name"), "study name")
    protocol = b.protocol(get("protocol"))
    arms = b.named_list(get("arms"), "arms", "oid")
    roles = b.named_list(get("roles"), "roles", "oid")
    meanings = b.named_list(get("signature_meanings"), "signature_meanings", "code")
    missing = b.named_list(get("missing_codes"), "missing_codes", "code")
    if oid is None or version is None or name is None or protocol is None:
        return None, all_forms_built, codelists_ok
    study = Study(
        oid,
        version,
        name,
        protocol,
        arms,
        roles,
        meanings,
        missing,
        parameters,
        ranges,
        anchors,
        tuple(events),
        tuple(criteria),
        forms,
        codelists,
        str(folder),
        oncology,
    )
    return study, all_forms_built, codelists_ok


def _oncology_settings(b: Builder, node: Node | None) -> dict[str, dict[str, object]]:
    """The ``oncology:`` block: each section's settings, each checked by its engine."""
    result: dict[str, dict[str, object]] = {}
    for section, section_node in b.mapping_entries(node, "oncology section"):
        if section not in SECTIONS:
            b.error(
                section_node.loc,
                f"unknown oncology section '{section}' (expected one of: {', '.join(SECTIONS)})",
            )
            continue
        values: dict[str, object] = {}
        for key, value_node in b.mapping_entries(section_node, f"oncology.{section} setting"):
            value = _setting_value(b, value_node, f"oncology.{section}.{key}")
            if value is _NO_VALUE:
                continue
            problem = check_setting(section, key, value)
            if problem is not None:
                b.error(value_node.loc, f"oncology.{section}.{key}: {problem}")
                continue
            values[key] = value
        result[section] = values
    return result


_NO_VALUE = object()


def _setting_value(b: Builder, node: Node, what: str) -> object:
    """A setting's value: a scalar, or a list of scalars (``landmarks_months: [6, 12]``)."""
    if isinstance(node, SeqNode):
        scalars = [b.scalar(item, f"{what}[{n}]") for n, item in enumerate(node.items)]
        if any(s is None for s in scalars):
            return _NO_VALUE
        return [s.value for s in scalars if s is not None]
    scalar = b.scalar(node, what)
    return _NO_VALUE if scalar is None else scalar.value
