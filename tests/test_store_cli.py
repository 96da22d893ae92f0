"""The site commands as a data manager scripts them: subprocesses, environment, exit codes.

Every command runs as ``python -m npc_crf …`` in its own process, with passwords
only in the environment or on standard input. Each logged-in command costs about
two seconds (start-up, study definitions, login), so the tests share one site
and each one runs only the commands it is about.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from npc_crf.core.errors import AuthError, PermissionDenied, StoreError, UsageError
from npc_crf.services.site import Site
from npc_crf.store.keyfile import KeyFile, parse_recovery_key
from tests.store_helpers import (
    ADMIN,
    IC_VALUES,
    NURSE,
    PASSWORDS,
    ROOT,
    STUDY,
    audit_count,
    file_hashes,
    make_site,
)

RECOVERY_RE = re.compile(r"\b(?:[A-Z2-7]{4}-){13}[A-Z2-7]{4}\b")
USAGE, AUTH, PERMISSION, STORE, REFUSED = (
    UsageError.exit_code,
    AuthError.exit_code,
    PermissionDenied.exit_code,
    StoreError.exit_code,
    6,
)


def cli(
    *args: object, env: Mapping[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``npc-crf ARGS`` with only the given NPC_CRF_* variables set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NPC_CRF_")}
    return subprocess.run(
        [sys.executable, "-m", "npc_crf", *(str(a) for a in args)],
        env={**clean, **(env or {})},
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=180,
        check=False,
    )


def as_user(user: str, password: str | None = None) -> dict[str, str]:
    return {"NPC_CRF_PASSWORD": password or PASSWORDS[user]}


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A closed site (administrator and nurse) that the commands share."""
    store = make_site(tmp_path_factory.mktemp("cli") / "site")
    store.close()
    yield store.root


def _unchanged(root: Path) -> dict[str, str]:
    return file_hashes(root, exclude=("site.lock", "logs/npc-crf.log"))


# -- setting a site up -----------------------------------------------------------------------


def test_site_init_prints_the_recovery_key_once_and_it_works(tmp_path: Path) -> None:
    data = tmp_path / "ward-pc-2"
    init = [
        "site",
        "init",
        "--data-dir",
        data,
        "--site-id",
        "S01",
        "--study",
        STUDY,
        "--admin",
        ADMIN,
        "--admin-name",
        "Ada Admin",
        "--installation-number",
        "2",
    ]
    weak = cli(*init, env={"NPC_CRF_PASSWORD": "short"})
    assert (weak.returncode, weak.stdout) == (USAGE, "")
    assert "too short" in weak.stderr and not data.exists()

    done = cli(*init, "--password-stdin", stdin=f"{PASSWORDS[ADMIN]}\n")
    assert done.returncode == 0, done.stderr
    assert "(number 2)" in done.stdout
    [recovery] = RECOVERY_RE.findall(done.stdout)
    keys = KeyFile.load(data / "keys.json")
    assert keys.unwrap_recovery(parse_recovery_key(recovery)) is not None
    assert recovery not in (data / "keys.json").read_text(encoding="utf-8")

    again = cli(*init, env=as_user(ADMIN))
    assert again.returncode == USAGE and "already exists" in again.stderr
    assert RECOVERY_RE.findall(again.stdout) == []  # never shown a second time

    recover = cli(
        "site",
        "recover",
        "--data-dir",
        data,
        "--user",
        ADMIN,
        env={"NPC_CRF_RECOVERY_KEY": recovery, "NPC_CRF_NEW_PASSWORD": "a new admin password"},
    )
    assert recover.returncode == 0, recover.stderr
    with Site.open(data) as site:
        ws = site.login(ADMIN, "a new admin password")
        assert "password_recovered" in [e.action for e in ws.audit.history()]
        assert ws.installation_number == 2


# -- passwords -------------------------------------------------------------------------------


def test_without_a_password_the_command_stops_with_a_usage_error(site_dir: Path) -> None:
    before = _unchanged(site_dir)
    result = cli("audit", "verify", "--data-dir", site_dir, "--user", NURSE)
    assert result.returncode == USAGE
    assert "No password: set NPC_CRF_PASSWORD or pass --password-stdin" in result.stderr
    empty = cli("audit", "verify", "--data-dir", site_dir, "--user", NURSE, "--password-stdin")
    assert empty.returncode == USAGE and "standard input has no password" in empty.stderr
    assert _unchanged(site_dir) == before


@pytest.mark.parametrize("option", [["--password", "s3cret-pw-99"], ["--password=s3cret-pw-99"]])
def test_there_is_no_password_option(site_dir: Path, option: list[str]) -> None:
    result = cli("audit", "verify", "--data-dir", site_dir, "--user", NURSE, *option)
    assert result.returncode == USAGE  # argparse's own exit status for a bad command line
    assert "usage: npc-crf" in result.stderr and "error:" in result.stderr
    assert result.stdout == ""


def test_a_password_typed_as_an_option_is_not_echoed(site_dir: Path) -> None:
    result = cli("audit", "verify", "--data-dir", site_dir, "--user", NURSE, "--password", "s3cret")
    assert result.returncode == USAGE
    assert "s3cret" not in result.stderr + result.stdout


def test_wrong_password_exits_3_and_changes_no_data(site_dir: Path) -> None:
    before = {k: v for k, v in _unchanged(site_dir).items() if k.startswith("site.db")}
    result = cli(
        "subject", "list", "--data-dir", site_dir, "--user", NURSE, env=as_user(NURSE, "nope nope")
    )
    assert result.returncode == AUTH
    assert result.stderr.strip() == "npc-crf: Wrong user name or password."
    assert {k: v for k, v in _unchanged(site_dir).items() if k.startswith("site.db")} == before


# -- a data manager's script -----------------------------------------------------------------


def test_a_scripted_session(site_dir: Path, tmp_path: Path) -> None:
    where = ["--data-dir", site_dir]
    added = cli(
        "user",
        "add",
        "nina",
        "--name",
        "Nina Nurse",
        "--role",
        "crc",
        *where,
        "--user",
        ADMIN,
        env={**as_user(ADMIN), "NPC_CRF_NEW_PASSWORD": "temporary pw 2"},
    )
    assert added.returncode == 0, added.stderr
    assert "must change its password" in added.stdout

    nina = ["--user", "nina", *where]
    changed = cli(
        "user",
        "change-password",
        *nina,
        "--password-stdin",
        stdin="temporary pw 2\nnina's own password\n",
    )
    assert changed.returncode == 0, changed.stderr
    env = as_user("nina", "nina's own password")

    enrolled = cli("subject", "enrol", *nina, "--json", env=env)
    assert enrolled.returncode == 0, enrolled.stderr
    sid = json.loads(enrolled.stdout)["subject"]
    assert re.fullmatch(r"S01-01-\d{4}", sid)

    values = tmp_path / "ic.json"
    values.write_text(json.dumps(IC_VALUES), encoding="utf-8")
    form = ["form", "save", *nina, "--subject", sid, "--event", "SCR", "--form", "IC"]
    saved = cli(*form, "--values", values, "--complete", env=env)
    assert saved.returncode == 0, saved.stderr
    assert f"{sid}/SCR[1]/IC: complete, revision 1, 8 change(s)" in saved.stdout

    values.write_text(json.dumps({"ICVER": "2.1"}), encoding="utf-8")
    no_reason = cli(*form, "--values", values, env=env)
    assert no_reason.returncode == USAGE and "reason for change" in no_reason.stderr

    values.write_text(json.dumps({"ICVER": "2.1", "ICDAT": "2026-02-30"}), encoding="utf-8")
    refused = cli(*form, "--values", values, "--reason", "typo", env=env)
    assert refused.returncode == REFUSED
    assert f"{sid}/SCR/IC/ICDAT" in refused.stderr and "Nothing was saved" in refused.stderr

    shown = cli("subject", "show", *nina, "--subject", sid, "--json", env=env)
    assert shown.returncode == 0, shown.stderr
    [event] = json.loads(shown.stdout)["events"]
    assert event["forms"]["IC"]["values"]["ICVER"] == "2.0"
    assert event["forms"]["IC"]["updated_by"] == "nina"

    verified = cli("audit", "verify", *nina, env=env)
    assert verified.returncode == 0, verified.stderr
    match = re.match(r"OK: (\d+) audit entries, chain intact", verified.stdout)
    assert match, verified.stdout

    with Site.open(site_dir) as site:
        ws = site.login(ADMIN, PASSWORDS[ADMIN])
        entries = ws.audit.history()
        # the count printed is the trail as it stood after the command's own login
        assert (entries[int(match[1]) - 1].action, entries[int(match[1]) - 1].username) == (
            "login",
            "nina",
        )
        assert audit_count(ws) > int(match[1])
        saves = [e for e in entries if e.subject_id == sid and e.action == "value_entered"]
        assert {e.source for e in saves} == {"cli:ic.json"}
        assert ws.audit.verify().ok


# -- exit codes and messages on bad input ----------------------------------------------------

# (command after "npc-crf", who, exit code, words of the message on stderr, stopped before
# logging in so that the site is untouched)
BAD_INPUT: list[tuple[str, list[str], str, int, str, bool]] = [
    (
        "a nurse manages accounts",
        ["user", "list"],
        NURSE,
        PERMISSION,
        "may not list accounts",
        False,
    ),
    (
        "values file missing",
        [
            "form",
            "save",
            "--subject",
            "S01-01-0001",
            "--event",
            "SCR",
            "--form",
            "IC",
            "--values",
            "nowhere.json",
        ],
        NURSE,
        USAGE,
        "no such file",
        True,
    ),
    (
        "no data directory",
        ["subject", "list", "--data-dir", "/nonexistent/npc-crf-site"],
        NURSE,
        STORE,
        "There is no data directory",
        True,
    ),
    (
        "unknown status",
        ["subject", "set-status", "--subject", "S01-01-0001", "--status", "cured"],
        NURSE,
        USAGE,
        "invalid choice",
        True,
    ),
    (
        "unknown backup",
        ["backup", "verify", "no-such-backup"],
        NURSE,
        USAGE,
        "no backup 'no-such-backup'",
        False,
    ),
]


@pytest.mark.parametrize(
    ("command", "user", "code", "words", "untouched"),
    [pytest.param(c, u, x, w, t, id=name) for name, c, u, x, w, t in BAD_INPUT],
)
def test_bad_input_gets_its_exit_code_and_a_message(
    site_dir: Path, command: list[str], user: str, code: int, words: str, untouched: bool
) -> None:
    args = [*command, "--user", user]
    if "--data-dir" not in args:
        args += ["--data-dir", str(site_dir)]
    before = _unchanged(site_dir)
    result = cli(*args, env=as_user(user))
    assert result.returncode == code, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    if untouched:
        assert _unchanged(site_dir) == before


def test_a_site_open_elsewhere_exits_5(site_dir: Path) -> None:
    with Site.open(site_dir):
        result = cli("subject", "list", "--data-dir", site_dir, "--user", NURSE, env=as_user(NURSE))
    assert result.returncode == STORE
    assert f"already open in another npc-crf (process {os.getpid()}" in result.stderr


def test_restore_names_the_subjects_to_enter_again_and_never_reuses_their_numbers(
    tmp_path: Path,
) -> None:
    store = make_site(tmp_path / "site")
    store.close()
    site = ["--data-dir", store.root]
    nurse = [*site, "--user", NURSE]
    admin = [*site, "--user", ADMIN]

    def enrol() -> str:
        done = cli("subject", "enrol", *nurse, "--json", env=as_user(NURSE))
        assert done.returncode == 0, done.stderr
        return str(json.loads(done.stdout)["subject"])

    first = enrol()
    made = cli("backup", "create", *admin, env=as_user(ADMIN))
    assert made.returncode == 0, made.stderr
    name = re.search(r"Backup (\S+):", made.stdout)
    assert name is not None
    second = enrol()
    restored = cli(
        "backup", "restore", *admin, name[1], "--reason", "wrong merge", env=as_user(ADMIN)
    )
    assert restored.returncode == 0, restored.stderr
    assert f"Restored {name[1]}" in restored.stdout
    assert "1 subject(s) enrolled after that backup" in restored.stdout
    assert restored.stdout.rstrip().endswith(second)
    third = enrol()
    assert third not in (first, second)
