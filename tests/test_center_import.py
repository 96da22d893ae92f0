"""Importing site bundles at the center (docs/bundle-format.md §2 and §4), on SQLite and PostgreSQL.

Every refusal names its check, leaves every table as it was, and is the one new
entry of the center's trail. Importing again changes nothing; a gap holds the
later bundle; a full bundle crosses a gap.
"""

from __future__ import annotations

import json
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from npc_crf.audit.chain import verify_entries
from npc_crf.center import engine as center_engine
from npc_crf.center.returns import return_payload
from npc_crf.center.service import Center
from npc_crf.services.workspace import Workspace
from tests.store_helpers import StoreSite, mh_row, mh_values
from tests.sync_helpers import Sealed, SiteStream, as_tables, snapshot, trail_actions

pytest_plugins = ("tests.center_fixtures",)


@dataclass
class World:
    """A center with the site's installation registered and its first (full) bundle imported."""

    center: Center
    stream: SiteStream
    ws: Workspace
    subjects: list[str]
    first: Sealed


@pytest.fixture
def world(
    make_center: Callable[..., Center], nurse_site: tuple[StoreSite, Workspace, list[str]]
) -> Iterator[World]:
    _store, ws, subjects = nurse_site
    center = make_center()
    stream = SiteStream.to(ws, center.identity_card())
    card = stream.card()
    center.register_installation(card, card.fingerprint)
    first = stream.next(full=True)
    report = center.import_bundle(first.data, first.name)
    assert report.status == "imported", report.lines()
    yield World(center, stream, ws, subjects, first)


def edit_mh(w: World, term: str, n: int = 0) -> None:
    """Change the medical history of subject ``n`` (a completed form: reason needed)."""
    w.ws.casebook.save_form(w.subjects[n], "SCR", 1, "MH", mh_values(mh_row(term)),
                            complete=True, reason="correction")  # fmt: skip


# -- a good import ---------------------------------------------------------------------------


def test_a_full_bundle_brings_everything_the_site_holds(world: World) -> None:
    data = world.center.dataset()
    sent = world.first.payload
    for section in ("subjects", "events", "forms", "rows", "values", "signatures", "holds"):
        assert len(data[section]) == len(sent[section]), section
    assert {v["value"] for v in data["values"]} == {v["value"] for v in sent["values"]}
    assert [q["uid"] for q in data["queries"]] == [q["uid"] for q in sent["queries"]]
    assert data["sdv"] == sent["sdv"]
    assert data["signatures"][0]["ed25519"] == sent["signatures"][0]["ed25519"]
    # the site's chain, recomputed at the center, is the site's own chain
    with world.ws.engine.connect() as conn:
        site_trail = [dict(r) for r in conn.exec_driver_sql(
            "SELECT * FROM audit_entry ORDER BY seq").mappings()]  # fmt: skip
    assert [e["hash"] for e in data["audit"]] == [e["hash"] for e in site_trail]
    assert verify_entries(data["audit"]).ok
    assert world.center.dataset("S01") == data  # one site's data is the whole center's here
    assert all(v == [] for k, v in world.center.dataset("S02").items() if isinstance(v, list))
    status = world.center.status()
    assert status["installations"][0]["last_sequence"] == 1
    assert status["installations"][0]["audit_head"] == site_trail[-1]["seq"]
    assert trail_actions(world.center)[-1] == "bundle_imported"


def test_importing_the_same_bundle_again_changes_nothing(world: World) -> None:
    before, actions = snapshot(world.center), trail_actions(world.center)
    report = world.center.import_bundle(world.first.data, "copy.npcb")
    assert report.status == "already imported"
    assert "already imported" in report.line()
    assert snapshot(world.center) == before
    assert trail_actions(world.center) == actions


def test_an_incremental_bundle_applies_one_change(world: World) -> None:
    edit_mh(world, "Gout")
    second = world.stream.next()
    assert second.manifest["range"]["audit_from"] == world.first.manifest["range"]["audit_to"]
    report = world.center.import_bundle(second.data, second.name)
    assert report.status == "imported"
    assert report.counts["values"] >= 1
    terms = {v["value"] for v in world.center.dataset()["values"] if v["item_oid"] == "MHTERM"}
    assert "Gout" in terms
    history = world.center.dataset()["audit"]
    assert history[-1]["seq"] == second.manifest["audit_head"]["seq"]


def test_a_gap_holds_the_later_bundle_and_names_what_is_missing(world: World) -> None:
    edit_mh(world, "Gout")
    second = world.stream.next()
    edit_mh(world, "Asthma", 1)
    third = world.stream.next()
    held = world.center.import_bundle(third.data, third.name)
    assert held.status == "held"
    assert held.missing == [2]
    assert "waiting for sequence number(s) 2" in held.line()
    assert world.center.status()["installations"][0]["held"] == [3]
    assert world.center.status()["installations"][0]["missing"] == [2]
    assert world.center.import_bundle(third.data, third.name).status == "already held"
    both = world.center.import_bundle(second.data, second.name)
    assert both.status == "imported"
    assert [(r.sequence, r.status) for r in both.then] == [(3, "imported")]
    assert world.center.status()["installations"][0]["last_sequence"] == 3
    terms = {v["value"] for v in world.center.dataset()["values"] if v["item_oid"] == "MHTERM"}
    assert {"Gout", "Asthma"} <= terms


def test_a_full_bundle_crosses_a_gap_and_supersedes_held_ones(world: World) -> None:
    edit_mh(world, "Gout")
    second = world.stream.next()  # never arrives in time
    edit_mh(world, "Asthma", 1)
    third = world.stream.next()
    assert world.center.import_bundle(third.data, third.name).status == "held"
    full = world.stream.next(full=True)
    report = world.center.import_bundle(full.data, full.name)
    assert report.status == "imported"
    assert report.superseded == [3]
    late = world.center.import_bundle(second.data, second.name)
    assert late.status == "superseded"
    fifth = world.stream.next()
    assert world.center.import_bundle(fifth.data, fifth.name).status == "imported"
    assert world.center.status()["installations"][0]["held"] == []
    assert [(a["sequence"], a["status"]) for a in _acks(world)] == [
        (1, "imported"), (2, "superseded"), (3, "superseded"), (4, "imported"), (5, "imported"),
    ]  # fmt: skip
    terms = {v["value"] for v in world.center.dataset()["values"] if v["item_oid"] == "MHTERM"}
    assert {"Gout", "Asthma"} <= terms


def _acks(w: World) -> list[dict[str, Any]]:
    with w.center.read() as conn:
        acks: list[dict[str, Any]] = return_payload(conn, w.stream.keys().installation_id, "S01")[
            "acks"
        ]
    return acks


# -- refusals --------------------------------------------------------------------------------


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def _manifest_at(data: bytes) -> tuple[int, int]:
    length = int.from_bytes(data[8:12], "big")
    return 12, 12 + length


def tampered_manifest(w: World) -> bytes:
    good = w.stream.next()
    start, end = _manifest_at(good.data)
    at = good.data.index(b'"created_at":"2026', start, end) + len('"created_at":"202')
    return good.data[:at] + b"7" + good.data[at + 1 :]  # 2026 → 2027: still canonical JSON


def tampered_signature(w: World) -> bytes:
    good = w.stream.next()
    _, end = _manifest_at(good.data)
    return _flip(good.data, end + 2 + 10)


def unsigned(w: World) -> bytes:
    good = w.stream.next()
    _, end = _manifest_at(good.data)
    return good.data[: end + 2] + bytes(64) + good.data[end + 2 + 64 :]


def tampered_ciphertext(w: World) -> bytes:
    return _flip(w.stream.next().data, -5)


def truncated(w: World) -> bytes:
    return w.stream.next().data[:-7]


def unknown_installation(w: World) -> bytes:
    return w.stream.seal(w.stream.collect().payload,
                         change=lambda m: m["sender"].update(installation_id=str(uuid.uuid4()))).data  # fmt: skip


def other_number(w: World) -> bytes:
    return w.stream.seal(w.stream.collect().payload,
                         change=lambda m: m["sender"].update(installation_number=7)).data  # fmt: skip


def signed_by_another_key(w: World) -> bytes:
    return w.stream.seal(w.stream.collect().payload, signing_key=Ed25519PrivateKey.generate()).data


def for_another_center_key(w: World) -> bytes:
    other = X25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return w.stream.seal(w.stream.collect().payload, recipient_x25519=other).data


def for_another_center_id(w: World) -> bytes:
    return w.stream.seal(w.stream.collect().payload,
                         change=lambda m: m["recipient"].update(id="another-center")).data  # fmt: skip


def another_study(w: World) -> bytes:
    return w.stream.seal(w.stream.collect().payload,
                         change=lambda m: m["study"].update(oid="NCT07062484")).data  # fmt: skip


def replayed_sequence(w: World) -> bytes:
    return w.stream.seal(w.stream.collect().payload, sequence=1, previous="0" * 64).data


def forked_previous(w: World) -> bytes:
    return w.stream.seal(w.stream.collect().payload, previous="ab" * 32).data


def same_uuid_other_manifest(w: World) -> bytes:
    uid = w.first.manifest["bundle_uuid"]
    return w.stream.seal(w.stream.collect().payload,
                         change=lambda m: m.update(bundle_uuid=uid)).data  # fmt: skip


def not_an_object(w: World) -> bytes:
    lists = ("subjects", "forms", "values", "audit", "queries", "signatures", "sdv", "holds")
    return w.stream.seal({"format": "npc-crf/bundle-payload", "version": 1,
                          **{name: [] for name in lists}}).data  # fmt: skip


def not_zlib(w: World, monkeypatch: pytest.MonkeyPatch) -> bytes:
    monkeypatch.setattr(zlib, "compress", lambda data, level: b"\x00not zlib" * 3)
    return w.stream.seal(w.stream.collect().payload).data


def ragged_table(w: World) -> bytes:
    payload = w.stream.collect().payload
    wire = as_tables(payload)
    wire["values"] = {"columns": ["form_uid", "item_oid"], "rows": [["x"]]}
    return w.stream.seal(payload, wire=wire).data


def unknown_item(w: World) -> bytes:
    payload = w.stream.collect(full=False).payload
    edited = _with_value(w, payload, item_oid="MHTERMX")
    return w.stream.seal(edited).data


def bad_kind(w: World) -> bytes:
    return w.stream.seal(_with_value(w, w.stream.collect().payload, kind="int", value="12")).data


def broken_seal(w: World) -> bytes:
    payload = w.stream.collect(full=True).payload
    payload["signatures"][0]["content_hash"] = "0" * 64
    return w.stream.seal(payload, full=True).data


def broken_audit(w: World) -> bytes:
    edit_mh(w, "Gout")
    collected = w.stream.collect()
    collected.payload["audit"][0]["new_value"] = '{"value": "changed"}'
    return w.stream.seal(collected.payload, head_hash=collected.audit_head_hash).data


def audit_gap(w: World) -> bytes:
    edit_mh(w, "Gout")
    collected = w.stream.collect()
    collected.payload["audit"] = collected.payload["audit"][1:]
    return w.stream.seal(collected.payload, head_hash=collected.audit_head_hash,
                         audit_range=(collected.audit_from + 1, collected.audit_to)).data  # fmt: skip


def _with_value(w: World, payload: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """``payload`` with one value of the first subject's MH form changed."""
    full = w.first.payload
    mh = next(f for f in full["forms"] if f["form_oid"] == "MH")
    value = next(
        v for v in full["values"] if v["form_uid"] == mh["uid"] and v["item_oid"] == "MHTERM"
    )
    payload["values"] = [{**value, "version": value["version"] + 1,
                          "base_version": value["version"], **changes}]  # fmt: skip
    return payload


REFUSALS: list[tuple[str, Callable[..., bytes], str, str]] = [
    ("tampered manifest", tampered_manifest, "signature", "does not verify"),
    ("tampered signature", tampered_signature, "signature", "does not verify"),
    ("unsigned", unsigned, "signature", "does not verify"),
    ("signed by another key", signed_by_another_key, "signature", "does not verify"),
    ("tampered ciphertext", tampered_ciphertext, "payload-hash", "SHA-256"),
    ("truncated", truncated, "framing", "truncated"),
    ("unknown installation", unknown_installation, "sender", "not registered"),
    ("another installation number", other_number, "sender", "number 7"),
    ("for another center's key", for_another_center_key, "recipient", "another key"),
    ("for another center ID", for_another_center_id, "recipient", "another-center"),
    ("another study", another_study, "study", "NCT07062484"),
    ("replayed sequence", replayed_sequence, "sequence", "already used"),
    ("forked stream", forked_previous, "sequence", "previous_sha256"),
    ("same uuid, other manifest", same_uuid_other_manifest, "sequence", "another manifest"),
    ("payload not a site-data object", not_an_object, "payload", "payload.installations"),
    ("payload not zlib", not_zlib, "decompress", "does not decompress"),
    ("values table of the wrong width", ragged_table, "payload", "payload.values.rows[0]"),
    ("unknown item", unknown_item, "payload", "payload.values[0].item_oid: there is no item 'MHTERMX'"),
    ("value of the wrong kind", bad_kind, "payload", "payload.values[0].kind"),
    ("signature seal does not verify", broken_seal, "payload", "payload.signatures[0].ed25519: the seal"),
    ("audit entry changed", broken_audit, "audit", "do not arrive at the manifest's audit_head"),
    ("audit does not continue", audit_gap, "audit", "start after entry"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "make", "check", "text"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_bad_bundle_is_refused_by_its_check_and_nothing_changes(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    what: str,
    make: Callable[..., bytes],
    check: str,
    text: str,
) -> None:
    data = make(world, monkeypatch) if make is not_zlib else make(world)
    monkeypatch.undo()
    before, actions = snapshot(world.center), trail_actions(world.center)
    report = world.center.import_bundle(data, f"{what}.npcb")
    assert report.status == "refused", report.lines()
    assert report.check == check
    assert text in (report.reason or ""), report.reason
    assert f"check {check}" in report.line()
    assert snapshot(world.center) == before
    entries = world.center.audit_entries()
    assert [e["action"] for e in entries] == [*actions, "bundle_refused"]
    detail = json.loads(entries[-1]["new_value"])
    assert detail["check"] == check and detail["file"] == f"{what}.npcb"
    assert entries[-1]["reason"] == report.reason
    assert world.center.status()["audit"]["ok"]


def test_a_return_bundle_is_not_a_site_bundle(world: World) -> None:
    data, name = world.center.make_return(world.stream.card().installation_id or "")
    before = snapshot(world.center)
    report = world.center.import_bundle(data, name)
    assert (report.status, report.check) == ("refused", "recipient")
    assert snapshot(world.center) == before


def test_a_refused_bundle_imports_once_it_is_sent_right(world: World) -> None:
    """After a refusal nothing of the bundle remains: the stream goes on from where it was."""
    edit_mh(world, "Gout")
    collected = world.stream.collect()
    bad = world.stream.seal(collected.payload, previous="cd" * 32)
    assert world.center.import_bundle(bad.data, bad.name).check == "sequence"
    good = world.stream.next()
    assert world.center.import_bundle(good.data, good.name).status == "imported"


def test_a_held_bundle_that_fails_when_its_turn_comes_is_refused_and_dropped(world: World) -> None:
    edit_mh(world, "Gout")
    second = world.stream.next()
    edit_mh(world, "Asthma")
    collected = world.stream.collect()
    collected.payload["audit"][0]["action"] = "value_changed_x"  # breaks the chain, seen at apply
    third = world.stream.seal(collected.payload, head_hash=collected.audit_head_hash)
    assert world.center.import_bundle(third.data, third.name).status == "held"
    report = world.center.import_bundle(second.data, second.name)
    assert report.status == "imported"
    assert [(r.sequence, r.status, r.check) for r in report.then] == [(3, "refused", "audit")]
    assert report.refused
    assert world.center.status()["installations"][0]["held"] == []
    assert trail_actions(world.center)[-1] == "bundle_refused"


def test_rows_bulk_copied_into_postgresql_read_back_the_same(
    make_center: Callable[..., Center],
    nurse_site: tuple[StoreSite, Workspace, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every table through PostgreSQL's COPY path (normally only for big bundles)."""
    monkeypatch.setattr(center_engine, "COPY_ABOVE", 0)
    _store, ws, _subjects = nurse_site
    center = make_center()
    stream = SiteStream.to(ws, center.identity_card())
    card = stream.card()
    center.register_installation(card, card.fingerprint)
    full = stream.next(full=True)
    assert center.import_bundle(full.data, full.name).status == "imported"
    data, sent = center.dataset(), full.payload
    for section in ("subjects", "events", "forms", "rows", "signatures", "holds", "sdv"):
        assert sorted(map(repr, data[section])) == sorted(map(repr, sent[section])), section
    assert [{k: v for k, v in r.items() if k != "base_version"} for r in data["values"]] == [
        {k: v for k, v in r.items() if k != "base_version"} for r in sent["values"]
    ]
