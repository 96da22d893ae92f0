"""The center under damage: every byte of a bundle flipped, a process killed while applying,
and no clinical value in plain text anywhere in the center folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from npc_crf.center.apply import CRASH_ENV
from npc_crf.center.service import Center
from npc_crf.services.workspace import Workspace
from tests.store_helpers import StoreSite, mh_row, mh_values
from tests.sync_helpers import (
    CENTER_PASSWORD,
    DM,
    MARKER,
    Sealed,
    SiteStream,
    snapshot,
    trail_actions,
)

pytest_plugins = ("tests.center_fixtures",)

ROOT = Path(__file__).resolve().parents[1]
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be")


@dataclass
class Ready:
    """A center with the site registered; the site's full bundle and a small incremental one."""

    center: Center
    stream: SiteStream
    subjects: list[str]
    full: Sealed
    small: Sealed


@pytest.fixture
def ready(
    make_center: Callable[..., Center], nurse_site: tuple[StoreSite, Workspace, list[str]]
) -> Iterator[Ready]:
    _store, ws, subjects = nurse_site
    center = make_center()
    stream = SiteStream.to(ws, center.identity_card())
    card = stream.card()
    center.register_installation(card, card.fingerprint)
    full = stream.next(full=True)
    ws.casebook.save_form(subjects[0], "SCR", 1, "MH", mh_values(mh_row("Gout")), complete=True,
                          reason="correction")  # fmt: skip
    small = stream.next()
    yield Ready(center, stream, subjects, full, small)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_every_single_byte_flip_is_refused_and_nothing_is_applied(ready: Ready) -> None:
    center = ready.center
    assert center.import_bundle(ready.full.data, ready.full.name).status == "imported"
    data = ready.small.data
    assert len(data) < 4096  # a small bundle: every variant goes through the service
    before = snapshot(center)
    checks: dict[str, int] = {}
    for at in range(len(data)):
        variant = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
        report = center.import_bundle(variant, f"flip-{at}.npcb")
        assert report.status == "refused", (at, report.lines())
        checks[report.check or ""] = checks.get(report.check or "", 0) + 1
    assert snapshot(center) == before
    assert set(checks) >= {"framing", "signature", "payload-hash"}
    assert trail_actions(center).count("bundle_refused") == len(data)
    assert center.import_bundle(data, ready.small.name).status == "imported"


def _cli(center_dir: Path, bundle: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NPC_CRF_")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "npc_crf",
            "center",
            "import",
            "--dir",
            str(center_dir),
            str(bundle),
        ],
        env={**clean, "NPC_CRF_PASSWORD": CENTER_PASSWORD, **env},
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def test_a_process_killed_while_applying_leaves_nothing_half_applied(
    ready: Ready, tmp_path: Path
) -> None:
    center_dir = ready.center.folder
    bundle = tmp_path / ready.full.name
    bundle.write_bytes(ready.full.data)
    before, actions = snapshot(ready.center), trail_actions(ready.center)
    ready.center.close()

    killed = _cli(center_dir, bundle, **{CRASH_ENV: "apply"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    again = Center.open(center_dir, CENTER_PASSWORD, by=DM)
    try:
        assert snapshot(again) == before
        assert trail_actions(again) == actions
        assert again.status()["installations"][0]["last_sequence"] == 0
    finally:
        again.close()
    done = _cli(center_dir, bundle)
    assert done.returncode == 0, done.stderr
    assert "imported" in done.stdout
    after = Center.open(center_dir, CENTER_PASSWORD, by=DM)
    try:
        assert after.status()["installations"][0]["last_sequence"] == 1
        assert len(after.dataset()["values"]) == len(ready.full.payload["values"])
    finally:
        after.close()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_no_clinical_value_is_on_disk_in_plain_text(ready: Ready) -> None:
    center = ready.center
    assert center.import_bundle(ready.full.data, ready.full.name).status == "imported"
    ready.stream.ws.casebook.save_form(ready.subjects[1], "SCR", 1, "MH",
                                       mh_values(mh_row(MARKER)), complete=True,
                                       reason="correction")  # fmt: skip
    held = ready.stream.next()  # sequence 3 while 2 has not arrived: kept as received
    assert center.import_bundle(held.data, held.name).status == "held"
    markers = [MARKER, *ready.subjects, "Hypertension"]
    files = [p for p in center.folder.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"center-keys.json", "center.db"}

    def scan() -> list[str]:
        found = []
        for path in center.folder.rglob("*"):
            if path.is_file():
                raw = path.read_bytes()
                found += [f"{path.name}: {m!r} ({enc})" for m in markers for enc in ENCODINGS
                          if m.encode(enc) in raw]  # fmt: skip
        return found

    assert scan() == []  # open (WAL in use)
    center.close()
    assert scan() == []  # closed
