"""Exporting bundles at a site: trust, the identity card, incremental and full bundles, the
outbox on disk (encrypted, atomic, recoverable), sending to a folder."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from npc_crf.core.errors import PermissionDenied, UsageError
from npc_crf.services.site import Site
from npc_crf.services.sync import outbox
from npc_crf.services.sync.common import CREATED, SENT, SyncCancelled
from npc_crf.services.workspace import Workspace
from npc_crf.store.models import audit_entry, item_value, outbound_bundle, sync_center
from npc_crf.sync import payload as payload_module
from npc_crf.sync.envelope import canonical_bytes
from npc_crf.sync.fingerprint import fingerprint
from npc_crf.sync.identity import IdentityCard
from tests.store_helpers import (
    ADMIN,
    MONITOR,
    NURSE,
    PASSWORDS,
    SiteTemplate,
    StoreSite,
    audit_actions,
    enrol_consented,
    make_site,
    mh_row,
    mh_values,
    populated_template,
)
from tests.sync_site_helpers import TestCenter, manifest_json, sha256
from tests.test_store_files import MARKER_DATE, MARKER_TEXT, scan

NAME = re.compile(r"NPC-SINT-RT-S01-01-(\d{6})-([0-9a-f]{8})\.npcb")


@pytest.fixture(scope="module")
def center() -> TestCenter:
    return TestCenter()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, center: TestCenter) -> SiteTemplate:
    """A site with one consented subject whose administrator trusts ``center``."""
    template, _sid = populated_template(
        tmp_path_factory.mktemp("sync-export"), enrol_consented, users=(NURSE, MONITOR)
    )
    with Site.open(template.root) as site:
        admin = site.login(ADMIN, PASSWORDS[ADMIN])
        admin.sync.trust_center(center.card, center.card.fingerprint)
        admin.logout()
    return template


@pytest.fixture
def env(template: SiteTemplate, tmp_path: Path) -> Iterator[StoreSite]:
    store = template.copy(tmp_path / "site")
    yield store
    store.close()


@pytest.fixture
def ws(env: StoreSite) -> Workspace:
    return env.login(NURSE)


def _open(center: TestCenter, ws: Workspace, path: Path) -> tuple[Any, dict[str, Any]]:
    return center.open(path.read_bytes(), ws.sync.identity_card())


def _values(ws: Workspace) -> dict[str, tuple[int, int]]:
    """item OID → (version, synced_version) of subject 1's consent form."""
    with ws.engine.connect() as conn:
        rows = conn.execute(
            select(item_value.c.item_oid, item_value.c.version, item_value.c.synced_version)
        ).all()
    return {r.item_oid: (r.version, r.synced_version) for r in rows}


# -- keys and trust --------------------------------------------------------------------------


def test_identity_card_carries_this_installation_public_keys(ws: Workspace) -> None:
    card = ws.sync.identity_card()
    assert (card.kind, card.site_id, card.installation_number) == ("installation", "S01", 1)
    assert card.installation_id == ws.installation_id and card.study_oid == "NPC-SINT-RT"
    assert card.fingerprint == fingerprint("installation", card.ed25519, card.x25519)
    assert IdentityCard.from_json(card.to_json(), "card") == card
    assert ws.sync.status().installation_fingerprint == card.fingerprint


def test_trusting_a_center_demands_its_fingerprint(tmp_path: Path) -> None:
    store = make_site(tmp_path / "fresh", users=(NURSE,))
    try:
        center = TestCenter(center_id="CC-A")
        nurse = store.login(NURSE)
        with pytest.raises(UsageError, match="No coordinating center is trusted"):
            nurse.sync.export()
        with pytest.raises(PermissionDenied):
            nurse.sync.trust_center(center.card, center.card.fingerprint)
        admin = store.login(ADMIN)
        digits = center.card.fingerprint.replace(" ", "")
        wrong = digits[:-1] + str((int(digits[-1]) + 1) % 10)
        with pytest.raises(UsageError, match="does not match"):
            admin.sync.trust_center(center.card, wrong)
        with pytest.raises(UsageError, match="not of a coordinating center"):
            admin.sync.trust_center(nurse.sync.identity_card(), "0" * 40)
        assert admin.sync.status().center is None
        outcome = admin.sync.trust_center(center.card, digits)  # spaces are optional
        assert outcome.changed and outcome.center.center_id == "CC-A"
        assert audit_actions(admin)[-1] == "center_trusted"
        again = admin.sync.trust_center(center.card, center.card.fingerprint)
        assert not again.changed

        other = TestCenter(center_id="CC-A")  # same ID, other keys
        with pytest.raises(UsageError, match="already known here with other keys"):
            admin.sync.trust_center(other.card, other.card.fingerprint)

        first = nurse.sync.export()
        assert (first.bundle.sequence, first.bundle.full, first.bundle.center_id) == (
            1,
            True,
            "CC-A",
        )
        second = nurse.sync.export()
        assert (second.bundle.sequence, second.bundle.full) == (2, False)

        new = TestCenter(center_id="CC-B")
        replaced = admin.sync.trust_center(new.card, new.card.fingerprint)
        assert replaced.replaced == "CC-A"
        with nurse.engine.connect() as conn:
            active = dict(conn.execute(select(sync_center.c.center_id, sync_center.c.active)).all())
        assert active == {"CC-A": False, "CC-B": True}
        fresh = nurse.sync.export()  # a new center has nothing yet: a full bundle, sequence 1
        assert (fresh.bundle.sequence, fresh.bundle.full, fresh.bundle.center_id) == (
            1,
            True,
            "CC-B",
        )
        envelope, payload = new.open(fresh.path.read_bytes(), nurse.sync.identity_card())
        assert envelope.manifest["previous_sha256"] == "0" * 64
        assert payload["audit"][0]["seq"] == 1
        assert [b.center_id for b in nurse.sync.bundles()] == ["CC-B"]

        back = admin.sync.trust_center(center.card, center.card.fingerprint)  # trusted again
        assert back.changed and back.replaced == "CC-B"
        resumed = nurse.sync.export()  # its stream goes on, in full: CC-B got the values since
        assert (resumed.bundle.center_id, resumed.bundle.sequence) == ("CC-A", 3)
        assert resumed.bundle.full and resumed.bundle.previous_sha256 == (
            second.bundle.manifest_sha256
        )
    finally:
        store.close()


# -- bundles ---------------------------------------------------------------------------------


def test_first_bundle_is_full_and_opens_at_the_center(ws: Workspace, center: TestCenter) -> None:
    result = ws.sync.export()
    bundle = result.bundle
    assert result.path.parent == ws.site.data.exports and NAME.fullmatch(result.path.name)
    assert (bundle.sequence, bundle.full, bundle.status) == (1, True, CREATED)
    data = result.path.read_bytes()
    assert bundle.bytes == len(data)
    envelope, payload = _open(center, ws, result.path)
    m = envelope.manifest
    assert envelope.manifest_sha256 == bundle.manifest_sha256
    assert m["previous_sha256"] == "0" * 64 and m["sequence"] == 1 and m["full"] is True
    assert m["sender"] == {
        "site_id": "S01",
        "installation_id": ws.installation_id,
        "installation_number": 1,
    }
    assert m["recipient"]["id"] == center.center_id
    assert m["counts"] == bundle.counts
    with ws.engine.connect() as conn:
        head = conn.execute(
            select(audit_entry.c.seq, audit_entry.c.hash).order_by(audit_entry.c.seq.desc())
        ).first()
        values = conn.execute(select(item_value)).all()
    assert head is not None
    # the bundle_created entry came after the snapshot
    assert m["audit_head"]["seq"] == head.seq - 1 == m["range"]["audit_to"]
    assert [e["seq"] for e in payload["audit"]] == list(range(1, head.seq))
    assert len(payload["values"]) == len(values) == bundle.counts["values"] > 0
    assert {v["base_version"] for v in payload["values"]} == {0}
    assert all(version == synced for version, synced in _values(ws).values())
    assert audit_actions(ws)[-1] == "bundle_created"


def test_incremental_bundle_carries_exactly_the_edit(ws: Workspace, center: TestCenter) -> None:
    first = ws.sync.export()
    [sid] = [s.subject_id for s in ws.subjects.list()]
    version_sent = _values(ws)["ICVER"][0]
    ws.casebook.save_form(sid, "SCR", 1, "IC", {"ICVER": "2.1"}, reason="typo in the version")
    changed = {oid for oid, (v, s) in _values(ws).items() if v > s}
    assert changed == {"ICVER"}
    second = ws.sync.export()
    b = second.bundle
    assert (b.sequence, b.full, b.previous_sha256) == (2, False, first.bundle.manifest_sha256)
    assert b.audit_from == first.bundle.audit_to
    envelope, payload = _open(center, ws, second.path)
    assert envelope.manifest["previous_sha256"] == first.bundle.manifest_sha256
    [value] = payload["values"]
    assert (value["item_oid"], value["value"]) == ("ICVER", "2.1")
    assert value["base_version"] == version_sent < value["version"]
    assert [f["form_oid"] for f in payload["forms"]] == ["IC"]
    assert [e["event_oid"] for e in payload["events"]] == ["SCR"]
    assert [s["subject_id"] for s in payload["subjects"]] == [sid]
    with ws.engine.connect() as conn:
        expected = conn.execute(
            select(audit_entry.c.seq).where(
                audit_entry.c.seq > b.audit_from, audit_entry.c.seq <= b.audit_to
            )
        ).scalars()
        assert [e["seq"] for e in payload["audit"]] == list(expected)
    assert "value_changed" in {e["action"] for e in payload["audit"]}
    assert "bundle_created" in {e["action"] for e in payload["audit"]}  # the previous one
    assert b.bytes < 20_000
    assert _values(ws)["ICVER"][1] == value["version"]  # now marked sent


def test_a_save_during_the_export_goes_in_the_next_bundle(
    ws: Workspace, center: TestCenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    [sid] = [s.subject_id for s in ws.subjects.list()]
    real = payload_module.collect

    def collect_then_save(*args: Any, **kwargs: Any) -> Any:
        got = real(*args, **kwargs)
        ws.casebook.save_form(sid, "SCR", 1, "IC", {"ICVER": "3.0"}, reason="while exporting")
        return got

    monkeypatch.setattr(outbox, "collect", collect_then_save)
    first = ws.sync.export()
    monkeypatch.undo()
    _envelope, payload = _open(center, ws, first.path)
    sent = next(v for v in payload["values"] if v["item_oid"] == "ICVER")
    assert sent["value"] == "2.0"
    version, synced = _values(ws)["ICVER"]
    assert synced == sent["version"] < version  # the newer save is not marked sent
    assert all(v == s for oid, (v, s) in _values(ws).items() if oid != "ICVER")
    second = ws.sync.export()
    _envelope, payload = _open(center, ws, second.path)
    [value] = payload["values"]
    assert (value["item_oid"], value["value"]) == ("ICVER", "3.0")
    assert value["base_version"] == sent["version"]


def test_bundle_with_nothing_new_carries_the_audit_head(ws: Workspace, center: TestCenter) -> None:
    ws.sync.export()
    again = ws.sync.export()
    _envelope, payload = _open(center, ws, again.path)
    assert (again.bundle.sequence, again.bundle.counts["values"]) == (2, 0)
    assert payload["forms"] == [] and payload["values"] == []
    assert [e["action"] for e in payload["audit"]] == ["bundle_created"]


def test_full_resends_everything_with_the_next_sequence(ws: Workspace, center: TestCenter) -> None:
    [sid] = [s.subject_id for s in ws.subjects.list()]
    exports = [ws.sync.export()]
    ws.casebook.save_form(sid, "SCR", 1, "MH", mh_values(mh_row("Hypertension")))
    exports.append(ws.sync.export())
    exports.append(ws.sync.export(full=True))
    full = exports[-1].bundle
    assert (full.sequence, full.full, full.audit_from) == (3, True, 0)
    _envelope, payload = _open(center, ws, exports[-1].path)
    assert payload["audit"][0]["seq"] == 1 and payload["audit"][-1]["seq"] == full.audit_to
    assert len(payload["values"]) == len(_values(ws))
    assert all(v["base_version"] == v["version"] for v in payload["values"])  # all sent before
    previous = "0" * 64
    for n, result in enumerate(exports, start=1):  # the chain of the stream
        m = manifest_json(result.path.read_bytes())
        assert (m["sequence"], m["previous_sha256"]) == (n, previous)
        previous = result.bundle.manifest_sha256
        assert previous == sha256(result.path.read_bytes()[12 : 12 + len(canonical_bytes(m))])


def test_no_plaintext_in_the_outbox_or_the_folder_sent_to(
    ws: Workspace, env: StoreSite, tmp_path: Path
) -> None:
    [sid] = [s.subject_id for s in ws.subjects.list()]
    ws.casebook.save_form(
        sid, "SCR", 1, "MH", mh_values(mh_row(MARKER_TEXT, start=MARKER_DATE)), complete=True
    )
    ws.sync.export()
    ws.casebook.save_form(sid, "SCR", 1, "MH", {"MH[1].MHTERM": f"{MARKER_TEXT} 2"}, reason="x")
    ws.sync.export()
    usb = tmp_path / "usb"
    usb.mkdir()
    sent = ws.sync.send_to_folder(usb)
    assert len(sent.files) == 2
    markers: dict[str, str | bytes] = {
        "subject id": sid,
        "free text": MARKER_TEXT,
        "date": MARKER_DATE,
        "nurse password": PASSWORDS[NURSE],
        "database key": ws.db_key,
    }
    assert len(list(env.data.exports.iterdir())) == 2
    assert scan(env.data.exports, markers) == []
    assert scan(usb, markers) == []
    # and the scan does see the marker once the payload is decrypted
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    (decoy / "payload.json").write_text(MARKER_TEXT, encoding="utf-8")
    assert scan(decoy, markers) == [("payload.json", "free text", "utf-8")]


# -- crash safety and cancelling -------------------------------------------------------------


@pytest.mark.parametrize("cancel_after", [0, 1, 2, 3])
def test_cancelled_export_leaves_nothing(ws: Workspace, cancel_after: int) -> None:
    calls: list[str] = []
    with pytest.raises(SyncCancelled):
        ws.sync.export(
            progress=lambda done, total, what: calls.append(what),
            cancel=lambda: len(calls) > cancel_after,
        )
    assert list(ws.site.data.exports.iterdir()) == []
    assert ws.sync.bundles() == []
    assert all(synced == 0 for _v, synced in _values(ws).values())
    assert "bundle_created" not in audit_actions(ws)
    assert ws.sync.export().bundle.sequence == 1


class _Killed(BaseException):
    """Stands for SIGKILL inside the process (the CLI tests use the real signal)."""


def test_interrupted_after_recording_is_finished_next_time(
    ws: Workspace, center: TestCenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(step: str) -> None:
        if step == "recorded":
            raise _Killed

    monkeypatch.setattr(outbox, "_crash_here", crash)
    with pytest.raises(_Killed):
        ws.sync.export()
    [partial] = list(ws.site.data.exports.iterdir())
    assert partial.name.startswith(".partial-")
    monkeypatch.undo()
    [bundle] = ws.sync.bundles()  # opening the outbox finishes the rename
    assert partial.name == f".partial-{bundle.uid}"
    assert [p.name for p in ws.site.data.exports.iterdir()] == [bundle.file_name]
    envelope, _payload = _open(center, ws, ws.site.data.exports / bundle.file_name)
    assert envelope.manifest_sha256 == bundle.manifest_sha256
    nxt = ws.sync.export()
    assert (nxt.bundle.sequence, nxt.bundle.previous_sha256) == (2, bundle.manifest_sha256)


def test_unrecorded_partials_are_removed_and_the_sequence_is_reused(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(step: str) -> None:
        if step == "partial":
            raise _Killed

    monkeypatch.setattr(outbox, "_crash_here", crash)
    with pytest.raises(_Killed):
        ws.sync.export()
    monkeypatch.undo()
    stray = ws.site.data.exports / ".partial-0c6b1c1e-0000-4000-8000-000000000000"
    stray.write_bytes(b"half a bundle")  # as a SIGKILL before the transaction leaves it
    result = ws.sync.export()
    assert result.bundle.sequence == 1
    assert [p.name for p in ws.site.data.exports.iterdir()] == [result.path.name]


# -- sending ---------------------------------------------------------------------------------


def test_send_copies_verifies_and_marks_sent(ws: Workspace, tmp_path: Path) -> None:
    first = ws.sync.export()
    second = ws.sync.export()
    usb = tmp_path / "usb"
    usb.mkdir()
    done: list[tuple[int, int, str]] = []
    sent = ws.sync.send_to_folder(usb, progress=lambda d, t, w: done.append((d, t, w)))
    assert [f.bundle.sequence for f in sent.files] == [1, 2]
    assert all(f.copied and f.bundle.status == SENT for f in sent.files)
    assert done[-1][:2] == (2, 2)
    for result in (first, second):
        assert (usb / result.path.name).read_bytes() == result.path.read_bytes()
    assert sorted(p.name for p in usb.iterdir()) == sorted([first.path.name, second.path.name])
    for b in ws.sync.bundles():
        assert (b.status, b.sent_to) == (SENT, str(usb.resolve())) and b.sent_at is not None
    again = ws.sync.send_to_folder(usb, [first.bundle.uid[:8]])
    assert [(f.bundle.sequence, f.copied) for f in again.files] == [(1, False)]
    assert audit_actions(ws)[-3:] == ["bundle_sent", "bundle_sent", "bundle_sent"]


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda p: p.unlink(), "missing from the outbox"),
        (lambda p: p.write_bytes(p.read_bytes()[:-10]), "damaged"),
        (lambda p: p.write_bytes(b"NPCBNDL1" + b"\x00" * 10), "damaged"),
    ],
    ids=["missing", "truncated", "garbage"],
)
def test_send_refuses_a_damaged_outbox_file_and_sends_nothing(
    ws: Workspace, tmp_path: Path, damage: Any, words: str
) -> None:
    ws.sync.export()
    second = ws.sync.export()
    damage(second.path)
    usb = tmp_path / "usb"
    usb.mkdir()
    with pytest.raises(UsageError, match=words):
        ws.sync.send_to_folder(usb)
    assert list(usb.iterdir()) == []
    assert {b.status for b in ws.sync.bundles()} == {CREATED}


def test_send_to_a_missing_folder_or_unknown_bundle(ws: Workspace, tmp_path: Path) -> None:
    ws.sync.export()
    with pytest.raises(UsageError, match="no such folder"):
        ws.sync.send_to_folder(tmp_path / "not-plugged-in")
    with pytest.raises(UsageError, match="matches no bundle"):
        ws.sync.send_to_folder(tmp_path, ["ffffffff"])


def test_exporting_needs_the_export_permission(env: StoreSite) -> None:
    monitor = env.login(MONITOR)
    with pytest.raises(PermissionDenied):
        monitor.sync.export()
    with pytest.raises(PermissionDenied):
        monitor.sync.identity_card()
    assert monitor.sync.status().not_exported > 0  # reading the status is allowed


def test_partial_files_are_owner_only(ws: Workspace) -> None:
    result = ws.sync.export()
    if os.name == "posix":
        assert result.path.stat().st_mode & 0o777 == 0o600
    with ws.engine.connect() as conn:
        assert conn.execute(select(outbound_bundle.c.file_name)).scalars().all() == [
            result.path.name
        ]
