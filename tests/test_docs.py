"""The documentation's worked example is the checked fixture, copied unchanged."""

from __future__ import annotations

from pathlib import Path

from npc_crf.forms.loader import load_study

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "fixtures" / "forms" / "worked-example"


def test_worked_example_loads_clean() -> None:
    study = load_study(EXAMPLE)
    assert set(study.forms) == {"IC", "DM", "LAB", "EX", "VS", "TUMOR"}
    assert [c.id for c in study.eligibility] == ["IN01", "IN02", "EX01"]


def test_every_example_file_is_in_the_doc_verbatim() -> None:
    doc = (ROOT / "docs" / "form-definitions.md").read_text(encoding="utf-8")
    files = sorted(EXAMPLE.rglob("*.yaml"))
    assert len(files) == 8
    for path in files:
        rel = path.relative_to(EXAMPLE).as_posix()
        assert f"### `{rel}`\n\n```yaml\n{path.read_text(encoding='utf-8')}```" in doc, rel
