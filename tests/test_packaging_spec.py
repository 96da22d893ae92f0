"""The PyInstaller spec lists what the program reads at run time and leaves out nothing it
imports. (The build itself and the frozen program's self-test run in packaging/build.sh,
after the tests; these checks catch a broken list in seconds.)"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "npc-crf.spec"


def spec_constant(name: str) -> Any:
    """A literal assigned at the top of the spec (DATA, HIDDEN, EXCLUDES, ...)."""
    tree = ast.parse(SPEC.read_text("utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} is not assigned in {SPEC.name}")


def test_every_data_file_exists_and_lands_where_the_code_looks() -> None:
    data = dict(spec_constant("DATA"))
    for source in data:
        assert (ROOT / source).exists(), source
    # npc_crf.core.paths: forms/ and resources/ at the root of the frozen program
    assert data["forms"] == "forms"
    assert data["resources/fonts"] == "resources/fonts"
    assert data["resources/ctcae_v5_terms.json"] == "resources"
    # npc_crf.ui.i18n.QM_DIR and npc_crf.store.migrate._SCRIPTS sit beside their modules
    assert data["npc_crf/ui/i18n/npc_crf_zh_CN.qm"] == "npc_crf/ui/i18n"
    assert data["npc_crf/store/migrations"] == "npc_crf/store/migrations"


def test_every_resource_file_the_code_names_is_shipped() -> None:
    """Each ``resources_dir() / "…"`` in the package is under a shipped source."""
    shipped = [Path(s) for s in dict(spec_constant("DATA"))]
    named: set[str] = set()
    for module in (ROOT / "npc_crf").rglob("*.py"):
        text = module.read_text("utf-8")
        named.update(re.findall(r'resources_dir\(\) / "([^"]+)"', text))
        if "fonts_dir()" in text or "SHIPPED_CJK" in text:
            named.add("fonts")
    assert named, "no resource names found: the pattern is stale"
    for name in named:
        path = Path("resources") / name
        assert any(path == s or s in path.parents for s in shipped), name


def test_no_module_the_program_imports_is_excluded() -> None:
    excluded = set(spec_constant("EXCLUDES"))
    imported: set[str] = set()
    for module in (ROOT / "npc_crf").rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module)
    # only a coordinating center imports these: psycopg for a PostgreSQL store (the postgres
    # extra), the statistics and figures of npc_crf.endpoints (the center extra)
    allowed = {"psycopg", "scipy", "numpy", "matplotlib"}
    clashes = {
        name
        for name in imported
        for ex in excluded - allowed
        if name == ex or name.startswith(ex + ".")
    }
    assert clashes == set()
    assert {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets"} <= imported


def test_both_programs_come_from_one_entry_point() -> None:
    text = SPEC.read_text("utf-8")
    assert 'program("npc-crf", console=True)' in text
    assert 'program("npc-crf-gui", console=False)' in text
    entry = ROOT / "packaging" / "npc_crf_entry.py"
    assert f'"{entry.relative_to(ROOT).as_posix().split("/")[-1]}"' in text


def test_the_entry_point_turns_the_gui_program_into_npc_crf_gui(monkeypatch: Any) -> None:
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(
        "npc_crf_entry", ROOT / "packaging" / "npc_crf_entry.py"
    )
    assert spec is not None and spec.loader is not None
    entry = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(entry)
    seen: list[list[str]] = []

    def fake_main(argv: list[str]) -> int:
        seen.append(argv)
        return 0

    monkeypatch.setattr("npc_crf.cli.main.main", fake_main)
    for exe, args, expected in (
        ("/opt/npc-crf/npc-crf-gui", ["--lang", "zh"], ["gui", "--lang", "zh"]),
        ("C:\\npc-crf\\npc-crf-gui.exe", [], ["gui"]),
        ("/opt/npc-crf/npc-crf", ["--self-test"], ["--self-test"]),
    ):
        monkeypatch.setattr(sys, "executable", exe)
        monkeypatch.setattr(sys, "argv", [exe, *args])
        assert entry.main() == 0
        assert seen.pop() == expected


def test_modules_imported_by_name_are_hidden_imports() -> None:
    """PyInstaller cannot see ``importlib.import_module(name)``: every such module is listed."""
    from npc_crf.cli.derive_cmd import KINDS
    from npc_crf.oncology.study_settings import SECTIONS

    hidden = set(spec_constant("HIDDEN"))
    by_name = {module for module, _ in SECTIONS.values()}
    by_name |= {target.split(":")[0] for target, _ in KINDS.values()}
    assert by_name - hidden == set()
