"""``npc-crf sync`` as a data manager runs it: subprocesses, passwords in the environment,
exit codes — and a process killed with SIGKILL in the middle of an export."""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from npc_crf.services.site import Site
from npc_crf.sync.envelope import read_envelope
from npc_crf.sync.identity import IdentityCard
from tests.store_helpers import ADMIN, NURSE, PASSWORDS, enrol_consented, make_site
from tests.sync_site_helpers import TestCenter, ack, manifest_json
from tests.test_store_cli import as_user, cli

USAGE, PERMISSION, REFUSED = 2, 4, 8


@pytest.fixture(scope="module")
def center() -> TestCenter:
    return TestCenter()


@pytest.fixture(scope="module")
def closed_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A closed site (administrator, nurse) with one consented subject; nothing trusted."""
    store = make_site(tmp_path_factory.mktemp("sync-cli") / "site")
    ws = store.login(NURSE)
    enrol_consented(ws)
    ws.logout()
    store.close()
    yield store.root


@pytest.fixture(scope="module")
def trusted_site(
    closed_site: Path, center: TestCenter, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The same site once the administrator trusted ``center`` (through the service)."""
    root = tmp_path_factory.mktemp("sync-cli-trusted") / "site"
    shutil.copytree(closed_site, root)
    with Site.open(root) as site:
        admin = site.login(ADMIN, PASSWORDS[ADMIN])
        admin.sync.trust_center(center.card, center.card.fingerprint)
        admin.logout()
    return root


def _copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "site"
    shutil.copytree(source, target)
    return target


def sync(site: Path, user: str, *args: object, env: dict[str, str] | None = None) -> Any:
    return cli(
        "sync",
        args[0],
        "--data-dir",
        site,
        "--user",
        user,
        *args[1:],
        env={**as_user(user), **(env or {})},
    )


def _json(done: Any) -> Any:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_identity_and_trusting_the_center(
    closed_site: Path, center: TestCenter, tmp_path: Path
) -> None:
    site = _copy(closed_site, tmp_path)
    card_path = tmp_path / "S01-01.identity.json"
    done = sync(site, NURSE, "identity", "--out", card_path)
    assert done.returncode == 0, done.stderr
    card = IdentityCard.read(card_path)
    assert card.kind == "installation" and f"Fingerprint: {card.fingerprint}" in done.stdout

    center_card = tmp_path / "center.json"
    center.card.write(center_card)
    right = center.card.fingerprint
    digits = right.replace(" ", "")
    wrong = digits[:5] + str((int(digits[5]) + 1) % 10) + digits[6:]

    as_nurse = sync(site, NURSE, "trust-center", center_card, "--fingerprint", right)
    assert as_nurse.returncode == PERMISSION, as_nurse.stderr
    mismatch = sync(site, ADMIN, "trust-center", center_card, "--fingerprint", wrong)
    assert mismatch.returncode == USAGE and "does not match" in mismatch.stderr
    assert right in mismatch.stderr  # the computed one is shown for the phone call
    assert _json(sync(site, NURSE, "status", "--json"))["center"] is None
    no_center = sync(site, NURSE, "export")
    assert no_center.returncode == USAGE and "No coordinating center" in no_center.stderr

    trusted = sync(site, ADMIN, "trust-center", center_card, "--fingerprint", right)
    assert trusted.returncode == 0, trusted.stderr
    assert f"fingerprint {right}" in trusted.stdout
    status = _json(sync(site, NURSE, "status", "--json"))
    assert status["center"]["center_id"] == center.center_id
    assert status["installation_fingerprint"] == card.fingerprint


def test_export_send_status_and_apply(
    trusted_site: Path, center: TestCenter, tmp_path: Path
) -> None:
    site = _copy(trusted_site, tmp_path)
    first = _json(sync(site, NURSE, "export", "--json"))["bundle"]
    assert (first["sequence"], first["full"], first["status"]) == (1, True, "created")
    assert Path(first["path"]).is_file() and Path(first["path"]).parent == site / "exports"
    status = _json(sync(site, NURSE, "status", "--json"))
    assert status["not_exported"] == 0 and status["not_acknowledged"] > 0
    pending = status["not_acknowledged"]

    usb = tmp_path / "usb"
    usb.mkdir()
    second = _json(sync(site, NURSE, "export", "--to", usb, "--json"))
    assert second["bundle"]["sequence"] == 2 and second["bundle"]["full"] is False
    assert [b["file"] for b in second["sent"]["bundles"]] == [second["bundle"]["file"]]
    sent = sync(site, NURSE, "send", "--to", usb)
    assert sent.returncode == 0, sent.stderr
    assert "2 bundle(s) in" in sent.stdout and "already there" in sent.stdout
    listing = sync(site, NURSE, "list")
    assert listing.returncode == 0 and listing.stdout.count(" sent ") == 2

    card = _site_card(site)
    for n, name in enumerate(sorted(p.name for p in usb.iterdir()), start=1):
        envelope, payload = center.open((usb / name).read_bytes(), card)
        assert envelope.sequence == n and payload["format"] == "npc-crf/bundle-payload"

    ret = tmp_path / "NPC-SINT-RT-center-to-S01-01-000001.npcr"
    ret.write_bytes(
        center.seal_return(card, acks=[ack(first["uuid"], 1), ack(second["bundle"]["uuid"], 2)])
    )
    applied = sync(site, NURSE, "apply", ret)
    assert applied.returncode == 0, applied.stderr
    assert "acknowledged: 1, 2" in applied.stdout
    again = sync(site, NURSE, "apply", ret, "--json")
    assert _json(again)[0]["already_applied"] is True
    bad = tmp_path / "bad.npcr"
    bad.write_bytes(ret.read_bytes()[:-1])
    refused = sync(site, NURSE, "apply", bad)
    assert refused.returncode == REFUSED and "refused (framing)" in refused.stderr
    final = _json(sync(site, NURSE, "status", "--json"))
    assert (final["not_exported"], final["not_acknowledged"]) == (0, 0)
    assert final["by_status"] == {"acknowledged": 2}
    assert pending > 0


def _site_card(site: Path) -> IdentityCard:
    """The installation's card, read in this process (the CLI is done with the site)."""
    with Site.open(site) as opened:
        ws = opened.login(NURSE, PASSWORDS[NURSE])
        card = ws.sync.identity_card()
        ws.logout()
    return card


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
@pytest.mark.parametrize("step", ["partial", "recorded"])
def test_a_killed_export_leaves_no_visible_bundle(
    trusted_site: Path, center: TestCenter, tmp_path: Path, step: str
) -> None:
    site = _copy(trusted_site, tmp_path)
    killed = sync(site, NURSE, "export", env={"NPC_CRF_SYNC_CRASH_AT": step})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left = [p.name for p in (site / "exports").iterdir()]
    assert len(left) == 1 and left[0].startswith(".partial-")  # nothing with a bundle's name
    assert not any(name.endswith(".npcb") for name in left)

    nxt = _json(sync(site, NURSE, "export", "--json"))["bundle"]
    names = sorted(p.name for p in (site / "exports").iterdir())
    assert all(name.endswith(".npcb") for name in names)  # the partial was finished or removed
    card = _site_card(site)
    if step == "partial":  # never recorded: the sequence number was not used
        assert (nxt["sequence"], names) == (1, [nxt["file"]])
        assert manifest_json((site / "exports" / nxt["file"]).read_bytes())["previous_sha256"] == (
            "0" * 64
        )
        return
    # recorded before the kill: finished at the next start, and the stream continues after it
    assert nxt["sequence"] == 2 and len(names) == 2
    first = site / "exports" / next(n for n in names if n != nxt["file"])
    envelope1, _ = center.open(first.read_bytes(), card)
    envelope2, _ = center.open((site / "exports" / nxt["file"]).read_bytes(), card)
    assert envelope1.sequence == 1
    assert envelope2.manifest["previous_sha256"] == envelope1.manifest_sha256
    assert read_envelope(first.read_bytes()).bundle_uuid == left[0].removeprefix(".partial-")
