"""Without --data-dir, site commands use the folder the desktop application uses: the
per-user application-data folder (platformdirs), or $NPC_CRF_DATA_DIR — never the
program's folder, so an upgrade that replaces the program keeps the data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def npc_crf(tmp: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NPC_CRF_", "XDG_"))}
    return subprocess.run(
        [sys.executable, "-m", "npc_crf", *args],
        env={**clean, "HOME": str(tmp / "home"), "NPC_CRF_PASSWORD": "admin-pass-123456", **env},
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
        check=False,
    )


INIT = (
    "site",
    "init",
    "--site-id",
    "S01",
    "--study",
    "NPC-SINT-RT",
    "--admin",
    "ada",
    "--admin-name",
    "Ada Lee",
)


@pytest.mark.parametrize(
    ("env", "where"),
    [
        ({"XDG_DATA_HOME": "{tmp}/xdg"}, "xdg/npc-crf/site"),
        ({}, "home/.local/share/npc-crf/site"),
        ({"NPC_CRF_DATA_DIR": "{tmp}/chosen"}, "chosen"),
    ],
)
@pytest.mark.skipif(sys.platform != "linux", reason="the folder names are Linux's")
def test_site_commands_default_to_the_per_user_data_folder(
    tmp_path: Path, env: dict[str, str], where: str
) -> None:
    resolved = {k: v.format(tmp=tmp_path) for k, v in env.items()}
    made = npc_crf(tmp_path, *INIT, **resolved)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / where / "keys.json").is_file()
    assert (tmp_path / where / "site.db").is_file()
    listed = npc_crf(tmp_path, "user", "list", "--user", "ada", **resolved)
    assert listed.returncode == 0, listed.stderr
    assert "ada" in listed.stdout


def test_help_names_the_default_folder(tmp_path: Path) -> None:
    shown = npc_crf(tmp_path, "audit", "verify", "--help", XDG_DATA_HOME=str(tmp_path / "x"))
    assert shown.returncode == 0
    assert "NPC_CRF_DATA_DIR" in shown.stdout
    # argparse wraps the help, even inside the path; compare without the white space
    assert str(tmp_path / "x" / "npc-crf" / "site") in "".join(shown.stdout.split())
