"""Only npc_crf.ui may use Qt: the engine, the command line and the core stay Qt-free."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "npc_crf"
UI = PACKAGE / "ui"
QT = "PySide6"


def _is_qt(name: str | None) -> bool:
    return name is not None and (name == QT or name.startswith(QT + "."))


def _dynamic_import_target(call: ast.Call) -> str | None:
    """The module named by ``importlib.import_module("…")`` or ``__import__("…")``."""
    func = call.func
    name = (
        func.attr
        if isinstance(func, ast.Attribute)
        else func.id
        if isinstance(func, ast.Name)
        else None
    )
    if name not in ("import_module", "__import__") or not call.args:
        return None
    first = call.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def qt_imports(source: str, filename: str = "<source>") -> list[tuple[int, str]]:
    """Every place ``source`` imports PySide6, as (line, module)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if _is_qt(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _is_qt(node.module):
            found.append((node.lineno, str(node.module)))
        elif isinstance(node, ast.Call):
            target = _dynamic_import_target(node)
            if _is_qt(target):
                found.append((node.lineno, str(target)))
    return sorted(found)


SNIPPETS = [
    ("import PySide6", [(1, "PySide6")]),
    ("import os, PySide6.QtCore as qc", [(1, "PySide6.QtCore")]),
    ("from PySide6 import QtWidgets", [(1, "PySide6")]),
    ("from PySide6.QtGui import QFont", [(1, "PySide6.QtGui")]),
    ("def f():\n    from PySide6.QtCore import Qt", [(2, "PySide6.QtCore")]),
    ("import importlib\nimportlib.import_module('PySide6.QtCore')", [(2, "PySide6.QtCore")]),
    ("from importlib import import_module\nimport_module('PySide6')", [(2, "PySide6")]),
    ("__import__('PySide6.QtWidgets')", [(1, "PySide6.QtWidgets")]),
    ("try:\n    import PySide6\nexcept ImportError:\n    pass", [(2, "PySide6")]),
    ("import PySide2", []),
    ("import PySide6x", []),
    ("from . import PySide6", []),
    ("x = 'PySide6'", []),
    ("from npc_crf.ui import app", []),
]


@pytest.mark.parametrize(("source", "expected"), SNIPPETS, ids=[s for s, _ in SNIPPETS])
def test_detector(source: str, expected: list[tuple[int, str]]) -> None:
    assert qt_imports(source) == expected


def core_files() -> list[Path]:
    """Every Python file of the package outside npc_crf/ui/."""
    return sorted(p for p in PACKAGE.rglob("*.py") if UI not in p.parents)


def test_core_files_are_found() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in core_files()}
    assert {"forms/session.py", "forms/expr/parser.py", "cli/main.py", "core/paths.py"} <= names
    assert not any(name.startswith("ui/") for name in names)


def test_no_qt_outside_ui() -> None:
    offenders = [
        f"{path.relative_to(ROOT).as_posix()}:{line}: imports {module}"
        for path in core_files()
        for line, module in qt_imports(path.read_text(encoding="utf-8"), str(path))
    ]
    assert offenders == []


IMPORT_EVERYTHING = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    import npc_crf.cli, npc_crf.core, npc_crf.forms
    names = []
    for package in (npc_crf.forms, npc_crf.cli, npc_crf.core):
        names.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            names.append(info.name)
    names += sys.argv[1:]
    for name in names:
        importlib.import_module(name)
    print(len(names))
    print(any(m == "PySide6" or m.startswith("PySide6.") for m in sys.modules))
    """
)


@pytest.mark.parametrize(
    ("extra", "qt_loaded"),
    [([], False), (["npc_crf.ui.app"], True)],
    ids=["core-only", "control-with-ui"],
)
def test_importing_the_core_does_not_load_qt(extra: list[str], qt_loaded: bool) -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING, *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    count, loaded = result.stdout.splitlines()
    assert int(count) >= 20  # every module of forms, forms.expr, cli and core was imported
    assert loaded == str(qt_loaded)


def test_detector_finds_the_ui_imports() -> None:
    """A positive control: the UI itself does import Qt, and the detector sees it."""
    assert any(qt_imports(p.read_text(encoding="utf-8")) for p in UI.rglob("*.py"))
