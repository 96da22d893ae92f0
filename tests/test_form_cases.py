"""The case files under tests/cases: forms answered as a nurse would, eligibility tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from npc_crf.forms.expr.ast import Expr
from npc_crf.forms.model import Study
from tests.case_runner import (
    case_files,
    load,
    recording,
    run_eligibility_case,
    run_form_case,
    study_for,
)


def _ids(files: list[Path]) -> list[str]:
    return [f"{f.parent.name}/{f.stem}" for f in files]


def _cases(kind: str, key: str) -> list[tuple[Path, int]]:
    return [(f, i) for f in case_files(kind) for i in range(len(load(f).get(key) or []))]


FORM_CASES = _cases("form", "cases")
ELIG_CASES = _cases("eligibility", "subjects")


@pytest.mark.parametrize(
    ("path", "index"),
    FORM_CASES,
    ids=[f"{p.parent.name}/{p.stem}#{load(p)['cases'][i].get('name', i)}" for p, i in FORM_CASES],
)
def test_form_case(studies: dict[str, Study], path: Path, index: int) -> None:
    doc = load(path)
    errors = run_form_case(study_for(path, studies), doc, doc["cases"][index])
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize(
    ("path", "index"),
    ELIG_CASES,
    ids=[f"{p.parent.name}#{load(p)['subjects'][i].get('name', i)}" for p, i in ELIG_CASES],
)
def test_eligibility_case(studies: dict[str, Study], path: Path, index: int) -> None:
    doc = load(path)
    errors = run_eligibility_case(study_for(path, studies), doc, doc["subjects"][index])
    assert not errors, "\n".join(errors)


def _expressions(study: Study) -> list[tuple[str, Expr]]:
    out: list[tuple[str, Expr]] = []
    for form in study.forms.values():
        for section in form.sections:
            if section.relevant is not None:
                out.append((f"{form.oid}.{section.oid} relevant", section.relevant.tree))
        for item, _ in form.all_items():
            for kind, expr in (
                ("relevant", item.relevant),
                ("required", item.required_if),
                ("calculate", item.calculate),
            ):
                if expr is not None:
                    out.append((f"{form.oid}.{item.oid} {kind}", expr.tree))
            out.extend(
                (f"{form.oid}.{item.oid} constraint {c.expr.source!r}", c.expr.tree)
                for c in item.constraints
            )
    out.extend((f"anchor {a.name}", a.date.tree) for a in study.anchors.values())
    out.extend((f"criterion {c.id}", c.expr.tree) for c in study.eligibility)
    return out


@pytest.mark.parametrize("name", ["npc-sint-rt", "nct07062484"])
def test_every_expression_is_exercised(studies: dict[str, Study], name: str) -> None:
    """Every expression of the bundled study is evaluated by at least one case."""
    study = studies[name]
    seen: set[int] = set()
    undo = recording(seen)
    try:
        for path in case_files("form") + case_files("eligibility"):
            if path.parent.name != name:
                continue
            doc = load(path)
            for case in doc.get("cases") or []:
                run_form_case(study, doc, case)
            for case in doc.get("subjects") or []:
                run_eligibility_case(study, doc, case)
    finally:
        undo()
    missed = [where for where, tree in _expressions(study) if id(tree) not in seen]
    assert not missed, f"{len(missed)} expressions no case evaluates:\n" + "\n".join(missed)
