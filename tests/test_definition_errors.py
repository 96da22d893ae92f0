"""Broken definitions: every problem is reported, at its exact place, and nothing loads.

The cases live in ``tests/fixtures/broken/cases.yaml``: each one edits a temporary copy
of the small valid study ``tests/fixtures/forms/mini/`` and lists exactly the problems
the loader must report.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from npc_crf.forms.loader import load_studies, load_study
from npc_crf.forms.model import Study
from npc_crf.forms.problems import DefinitionError, Problem

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "forms" / "mini"
CASES_FILE = FIXTURES / "broken" / "cases.yaml"


def load_cases() -> list[dict[str, Any]]:
    """The case table."""
    cases: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
    return cases


CASES = load_cases()
BY_ID = {case["id"]: case for case in CASES}


def edits_of(case: dict[str, Any]) -> list[dict[str, Any]]:
    """A case's edits, each with its file."""
    edits = case.get("edits") or [case]
    return [{"file": case.get("file"), **edit} for edit in edits]


def apply_edit(folder: Path, edit: dict[str, Any]) -> None:
    """Apply one edit to a file of ``folder``; a ``replace`` text must occur exactly once."""
    path = folder / edit["file"]
    text = path.read_text(encoding="utf-8")
    if "append" in edit:
        text += edit["append"]
    else:
        found = text.count(edit["replace"])
        assert found == 1, f"{edit['file']}: {edit['replace']!r} occurs {found} times, not once"
        text = text.replace(edit["replace"], edit["with"])
    path.write_text(text, encoding="utf-8")


def broken_copy(tmp_path: Path, edits: list[dict[str, Any]], name: str = "mini") -> Path:
    """A copy of the mini study with ``edits`` applied."""
    folder = tmp_path / name
    shutil.copytree(MINI, folder)
    for edit in edits:
        apply_edit(folder, edit)
    return folder


def problems_of(folder: Path) -> list[str]:
    """The problems loading ``folder`` reports (paths relative to the working folder)."""
    with pytest.raises(DefinitionError) as info:
        load_study(folder)
    return [str(p) for p in info.value.problems]


def _param(case: dict[str, Any]) -> Any:
    marks = (
        [pytest.mark.xfail(strict=True, raises=AssertionError, reason=case["xfail"])]
        if "xfail" in case
        else []
    )
    return pytest.param(case, id=case["id"], marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_broken_definition(
    case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = broken_copy(tmp_path, edits_of(case))
    monkeypatch.chdir(folder)
    assert problems_of(folder) == case["expect"]


def test_case_table_is_well_formed() -> None:
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    for case in CASES:
        assert case["expect"], f"{case['id']}: a broken definition must report something"
        assert case["expect"] == sorted(case["expect"], key=_sort_key), (
            f"{case['id']}: list problems in file order"
        )
        for edit in edits_of(case):
            assert (MINI / edit["file"]).is_file(), f"{case['id']}: no file {edit['file']}"
            assert ("append" in edit) != ("replace" in edit), f"{case['id']}: replace or append"


def _sort_key(line: str) -> tuple[str, int, int, str]:
    path, line_no, col, message = line.split(":", 3)
    return path, int(line_no), int(col), message


def test_base_study_loads_clean() -> None:
    study = load_study(MINI)
    assert isinstance(study, Study)
    assert study.oid == "MINI"
    assert list(study.forms) == ["SCRN", "DOSE", "EOS"]
    assert [e.oid for e in study.events] == ["SCR", "CYCLE", "END"]
    assert [e.oid for e in study.events if e.repeating] == ["CYCLE"]
    assert list(study.codelists) == ["SITE"]
    assert list(study.anchors) == ["consent"]
    assert [c.id for c in study.eligibility] == ["IN01"]
    assert [i.oid for i, _ in study.forms["SCRN"].all_items() if i.is_group] == ["TL"]


# the cases combined in one run: each in a different file, none affecting another
SEVERAL_FILES = [
    "unknown-key-did-you-mean",  # forms/eos.yaml
    "unknown-item-in-expression",  # forms/scrn.yaml
    "repeating-event-without-occurrence",  # forms/dose.yaml
    "duplicate-code-in-code-list",  # codelists.yaml
    "unknown-parameter-in-criterion",  # study.yaml
]


def test_errors_in_several_files_are_all_reported_in_one_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = [BY_ID[case_id] for case_id in SEVERAL_FILES]
    files = {edit["file"] for case in cases for edit in edits_of(case)}
    assert len(files) == len(cases)
    folder = broken_copy(tmp_path, [edit for case in cases for edit in edits_of(case)])
    monkeypatch.chdir(folder)
    expected = sorted((line for case in cases for line in case["expect"]), key=_sort_key)
    assert problems_of(folder) == expected


def test_load_study_returns_nothing_when_anything_is_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = broken_copy(tmp_path, edits_of(BY_ID["unknown-key-did-you-mean"]))
    monkeypatch.chdir(folder)
    result: object = "untouched"
    with pytest.raises(DefinitionError) as info:
        result = load_study(folder)
    assert result == "untouched"
    problems = info.value.problems
    assert all(isinstance(p, Problem) for p in problems)
    assert [str(p) for p in problems] == BY_ID["unknown-key-did-you-mean"]["expect"]
    assert str(info.value) == "\n".join(str(p) for p in problems)


def test_one_broken_study_stops_every_study_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``load_studies`` loads all studies or none; problems name the broken study's files."""
    shutil.copytree(MINI, tmp_path / "good")
    broken_copy(tmp_path, edits_of(BY_ID["missing-zh"]), name="bad")
    (tmp_path / "bad" / "study.yaml").write_text(
        (tmp_path / "bad" / "study.yaml")
        .read_text(encoding="utf-8")
        .replace("oid: MINI", "oid: MINI2"),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    result: object = "untouched"
    with pytest.raises(DefinitionError) as info:
        result = load_studies(tmp_path)
    assert result == "untouched"
    assert [str(p) for p in info.value.problems] == [
        "bad/forms/eos.yaml:18:16: label is missing 'zh'"
    ]


def test_two_studies_with_one_oid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(MINI, tmp_path / "a")
    shutil.copytree(MINI, tmp_path / "b")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DefinitionError) as info:
        load_studies(tmp_path)
    assert [str(p) for p in info.value.problems] == [
        f"b/study.yaml:1:1: study OID 'MINI' is also used by {tmp_path / 'a'}"
    ]


def test_no_study_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DefinitionError) as info:
        load_studies(tmp_path / "empty")
    assert [str(p) for p in info.value.problems] == [
        "empty:1:1: no study.yaml found here or in its folders"
    ]
