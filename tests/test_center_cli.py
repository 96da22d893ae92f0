"""``npc-crf center`` as a data manager scripts it: subprocesses, the password from the
environment or standard input, exit codes. The site side is prepared in-process
(tests/sync_helpers.py); every center step goes through the command."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from npc_crf.core.errors import AuthError, BundleRefused, UsageError
from npc_crf.services.workspace import Workspace
from npc_crf.sync.envelope import check_recipient, open_payload, read_envelope, verify_sender
from npc_crf.sync.identity import IdentityCard
from tests.store_helpers import StoreSite, mh_row, mh_values
from tests.sync_helpers import CENTER_PASSWORD, SiteStream

pytest_plugins = ("tests.center_fixtures",)

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = {"NPC_CRF_PASSWORD": CENTER_PASSWORD}


def cli(
    *args: object, env: Mapping[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run ``npc-crf ARGS`` with only the given NPC_CRF_* variables set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NPC_CRF_")}
    return subprocess.run(
        [sys.executable, "-m", "npc_crf", *(str(a) for a in args)],
        env={**clean, **(env if env is not None else PASSWORD)},
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr + result.stdout
    return result.stdout


def test_a_data_managers_script(
    backend: str | None, nurse_site: tuple[StoreSite, Workspace, list[str]], tmp_path: Path
) -> None:
    _store, ws, subjects = nurse_site
    center = tmp_path / "center"
    db = ["--db-url", backend] if backend else []
    out = ok(cli("center", "init", "--dir", center, "--study", "NPC-SINT-RT", "--center-id",
                 "cc-test", "--test-kdf", "--by", "dm", *db))  # fmt: skip
    fingerprint = re.search(r"Fingerprint: ([0-9 ]{47})", out)
    assert fingerprint is not None
    assert (center / "center-keys.json").is_file()
    assert (center / "center.db").is_file() == (backend is None)

    # the center's card for the sites; its fingerprint read out on the phone
    out = ok(cli("center", "identity", "--dir", center, "--out", tmp_path / "center.json"))
    card = IdentityCard.read(tmp_path / "center.json")
    assert card.fingerprint == fingerprint.group(1) and card.fingerprint in out

    # the site's card and bundles, made at the site
    stream = SiteStream.to(ws, card)
    site_card = stream.card()
    site_card.write(tmp_path / "site.json")
    typo = site_card.fingerprint[:-1] + str((int(site_card.fingerprint[-1]) + 1) % 10)
    wrong = cli("center", "register-site", "--dir", center, "--card", tmp_path / "site.json",
                "--fingerprint", typo)  # fmt: skip
    assert wrong.returncode == UsageError.exit_code and "does not match" in wrong.stderr
    out = ok(cli("center", "register-site", "--dir", center, "--card", tmp_path / "site.json",
                 "--fingerprint", site_card.fingerprint.replace(" ", "")))  # fmt: skip
    assert "is registered" in out

    usb = tmp_path / "usb"
    usb.mkdir()
    first = stream.next(full=True)
    ws.casebook.save_form(subjects[0], "SCR", 1, "MH", mh_values(mh_row("Gout")), complete=True,
                          reason="correction")  # fmt: skip
    second = stream.next()
    for sealed in (first, second):
        (usb / sealed.name).write_bytes(sealed.data)
    out = ok(cli("center", "import", "--dir", center, usb / second.name))
    assert "held" in out and "waiting for sequence number(s) 1" in out
    result = cli("center", "import", "--dir", center, usb, "--json")  # the whole folder
    reports = json.loads(ok(result))
    assert [(r["sequence"], r["status"]) for r in reports] == [
        (1, "imported"),
        (2, "already imported"),
    ]
    assert [(r["sequence"], r["status"]) for r in reports[0]["then"]] == [(2, "imported")]

    bad = tmp_path / "bad.npcb"
    bad.write_bytes(first.data[:-3])
    result = cli("center", "import", "--dir", center, usb / first.name, bad)
    assert result.returncode == BundleRefused.exit_code
    assert "already imported" in result.stdout
    assert "refused — check framing" in result.stdout
    assert "1 of 2 bundle(s) refused" in result.stderr

    status = json.loads(ok(cli("center", "status", "--dir", center, "--json")))
    assert status["installations"][0]["last_sequence"] == 2 and status["audit"]["ok"]
    assert status["installations"][0]["installation_id"] == site_card.installation_id

    uid = ok(cli("center", "query", "raise", "--dir", center, "--subject", subjects[0], "--event",
                 "SCR", "--form", "MH", "--item", "MH[1].MHTERM", "--text", "Gout since when?")).strip()  # fmt: skip
    assert re.fullmatch(r"[0-9a-f-]{36}", uid)

    # return bundles, read with the password from standard input
    returns = tmp_path / "returns"
    out = ok(cli("center", "return", "--dir", center, "--out", returns, "--password-stdin",
                 env={}, stdin=CENTER_PASSWORD + "\n"))  # fmt: skip
    (written,) = list(returns.iterdir())
    assert str(written) in out and written.suffix == ".npcr"
    assert not [p for p in returns.iterdir() if p.name.startswith(".")]
    payload = _open_return(written.read_bytes(), card, stream)
    assert [(a["sequence"], a["status"]) for a in payload["acks"]] == [
        (1, "imported"),
        (2, "imported"),
    ]
    assert uid in [q["uid"] for q in payload["queries"]]


def _open_return(data: bytes, center_card: IdentityCard, stream: SiteStream) -> dict[str, Any]:
    keys = stream.keys()
    env = read_envelope(data)
    verify_sender(env, center_card.ed25519)
    check_recipient(env, keys.installation_id, keys.x25519_public)
    return open_payload(env, keys.x25519_private)


def test_a_wrong_or_missing_password_and_a_password_option(tmp_path: Path) -> None:
    center = tmp_path / "center"
    missing = cli("center", "init", "--dir", center, "--study", "NPC-SINT-RT", env={})
    assert missing.returncode == UsageError.exit_code and "NPC_CRF_PASSWORD" in missing.stderr
    ok(cli("center", "init", "--dir", center, "--study", "NPC-SINT-RT", "--test-kdf"))
    again = cli("center", "init", "--dir", center, "--study", "NPC-SINT-RT", "--test-kdf")
    assert again.returncode == UsageError.exit_code and "already holds a center" in again.stderr
    for verb in ("sites", "status", "conflicts"):  # the listing verbs on an empty center
        assert cli("center", verb, "--dir", center).returncode == 0
    wrong = cli("center", "status", "--dir", center, env={"NPC_CRF_PASSWORD": "not it at all"})
    assert wrong.returncode == AuthError.exit_code and "center password is wrong" in wrong.stderr
    option = cli("center", "status", "--dir", center, "--password", "s3cret-value")
    assert option.returncode == 2 and "s3cret-value" not in option.stderr + option.stdout
    nothing = cli("center", "status", "--dir", tmp_path / "nowhere")
    assert nothing.returncode == 5 and "no center" in nothing.stderr


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql+psycopg://npc:secret@127.0.0.1/db", "contains a password"),
        ("sqlite:///x.db", "must be a PostgreSQL URL"),
        ("postgresql+psycopg://npc@127.0.0.1", "must name a database"),
    ],
)
def test_init_refuses_database_urls_it_must_not_store(
    url: str, message: str, tmp_path: Path
) -> None:
    result = cli("center", "init", "--dir", tmp_path / "c", "--study", "NPC-SINT-RT", "--db-url", url,
                 "--test-kdf")  # fmt: skip
    assert result.returncode == UsageError.exit_code and message in result.stderr
    assert "secret" not in result.stderr
    assert not (tmp_path / "c" / "center-keys.json").exists()


def test_publishing_a_definition(tmp_path: Path) -> None:
    center = tmp_path / "center"
    ok(cli("center", "init", "--dir", center, "--study", "NPC-SINT-RT", "--test-kdf"))
    folder = tmp_path / "def"
    shutil.copytree(ROOT / "forms" / "npc-sint-rt", folder)
    study = folder / "study.yaml"
    study.write_text(study.read_text(encoding="utf-8").replace('version: "1.0"', 'version: "1.1"', 1),
                     encoding="utf-8")  # fmt: skip
    assert "Version 1.1" in ok(
        cli("center", "publish-definition", "--dir", center, "--forms", folder)
    )
    again = ok(cli("center", "publish-definition", "--dir", center, "--forms", folder))
    assert "already published" in again
    status = json.loads(ok(cli("center", "status", "--dir", center, "--json")))
    assert status["study_version"] == "1.1"
