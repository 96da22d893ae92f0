"""``npc-crf forms …``: check, list and show study and form definitions."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from npc_crf.core.paths import bundled_forms_dir
from npc_crf.forms.canonical import canonical_json, form_document, form_hash, study_hash
from npc_crf.forms.loader import load_studies, shown
from npc_crf.forms.model import Study
from npc_crf.forms.problems import DefinitionError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``forms`` command and its subcommands."""
    forms = sub.add_parser("forms", help="check, list and show study definitions")
    verbs = forms.add_subparsers(dest="verb", required=True, metavar="{check,list,show}")

    check = verbs.add_parser(
        "check", help="check definitions; print every problem as path:line:col"
    )
    check.add_argument(
        "path",
        nargs="?",
        type=Path,
        help="a study folder or a folder of studies (default: bundled forms/)",
    )
    check.set_defaults(run=run_check)

    listing = verbs.add_parser("list", help="list studies and form versions with their hashes")
    listing.add_argument("path", nargs="?", type=Path, help="default: the bundled forms/")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=run_list)

    show = verbs.add_parser(
        "show", help="print the canonical form that a form's hash is computed over"
    )
    show.add_argument("form_oid", metavar="FORM_OID")
    show.add_argument("--study", help="the study OID, when several studies have the form")
    show.add_argument("--path", type=Path, help="default: the bundled forms/")
    show.add_argument(
        "--json",
        action="store_true",
        help="print a JSON object with the hash and the canonical form",
    )
    show.set_defaults(run=run_show)


def _load(path: Path | None) -> list[Study] | None:
    try:
        return load_studies(path or bundled_forms_dir())
    except DefinitionError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s); nothing was loaded", file=sys.stderr)
        return None


def run_check(args: argparse.Namespace) -> int:
    """Exit 0 when the definitions are clean, 1 with every problem listed."""
    studies = _load(args.path)
    if studies is None:
        return 1
    forms = sum(len(s.forms) for s in studies)
    print(
        f"ok: {len(studies)} stud{'y' if len(studies) == 1 else 'ies'}, {forms} forms, no problems"
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print study, form OID, version and hash for every form."""
    studies = _load(args.path)
    if studies is None:
        return 1
    rows = [
        {
            "study": study.oid,
            "study_version": study.version,
            "study_hash": study_hash(study),
            "form": form.oid,
            "version": form.version,
            "hash": form_hash(study, form),
            "title": {"en": form.title.en, "zh": form.title.zh},
            "file": form.file,
        }
        for study in studies
        for form in study.forms.values()
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        title = row["title"]
        assert isinstance(title, dict)
        print(f"{row['study']}\t{row['form']}\t{row['version']}\t{row['hash']}\t{title['en']}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Print the canonical JSON of a form (exactly the bytes that are hashed)."""
    studies = _load(args.path)
    if studies is None:
        return 1
    matches = [
        (study, study.forms[args.form_oid])
        for study in studies
        if args.form_oid in study.forms and (args.study is None or study.oid == args.study)
    ]
    if not matches:
        where = f" in study {args.study}" if args.study else ""
        print(
            f"npc-crf: no form '{args.form_oid}'{where} in {shown(args.path or bundled_forms_dir())}",
            file=sys.stderr,
        )
        return 2
    if len(matches) > 1:
        names = ", ".join(s.oid for s, _ in matches)
        print(
            f"npc-crf: form '{args.form_oid}' is in several studies ({names}); add --study",
            file=sys.stderr,
        )
        return 2
    study, form = matches[0]
    doc = form_document(study, form)
    if args.json:
        out = {
            "study": study.oid,
            "form": form.oid,
            "version": form.version,
            "hash": form_hash(study, form),
            "canonical": doc,
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(canonical_json(doc))
    return 0
