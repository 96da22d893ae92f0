"""Return bundles (docs/bundle-format.md §5): acks, queries, a published definition; signed by the
center, encrypted for one installation, each complete, in the installation's own stream."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from npc_crf.center.service import Center
from npc_crf.core.errors import BundleRefused, UsageError
from npc_crf.services.workspace import Workspace
from npc_crf.sync.envelope import (
    Envelope,
    check_recipient,
    open_payload,
    read_envelope,
    verify_sender,
)
from tests.store_helpers import ADMIN, StoreSite, mh_row, mh_values
from tests.sync_helpers import SiteStream, trail_actions

pytest_plugins = ("tests.center_fixtures",)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def pair(
    make_center: Callable[..., Center], nurse_site: tuple[StoreSite, Workspace, list[str]]
) -> Iterator[tuple[Center, SiteStream, list[str]]]:
    _store, ws, subjects = nurse_site
    center = make_center()
    stream = SiteStream.to(ws, center.identity_card())
    card = stream.card()
    center.register_installation(card, card.fingerprint)
    yield center, stream, subjects


def opened(center: Center, stream: SiteStream) -> tuple[Envelope, dict[str, Any], str]:
    """The next return bundle, checked and opened as the installation does."""
    keys = stream.keys()
    data, name = center.make_return(keys.installation_id)
    env = read_envelope(data)
    verify_sender(env, center.identity_card().ed25519)
    check_recipient(env, keys.installation_id, keys.x25519_public)
    return env, open_payload(env, keys.x25519_private), name


def edit(stream: SiteStream, subject: str, term: str) -> None:
    stream.ws.casebook.save_form(subject, "SCR", 1, "MH", mh_values(mh_row(term)), complete=True,
                                 reason="correction")  # fmt: skip


def test_a_return_acknowledges_every_bundle_seen_and_carries_the_site_queries(
    pair: tuple[Center, SiteStream, list[str]],
) -> None:
    center, stream, subjects = pair
    first = stream.next(full=True)
    center.import_bundle(first.data, first.name)
    edit(stream, subjects[0], "Gout")
    second = stream.next()
    edit(stream, subjects[1], "Asthma")
    third = stream.next()
    center.import_bundle(third.data, third.name)  # held: 2 is missing

    env, payload, name = opened(center, stream)
    assert env.kind == "center-return" and env.sequence == 1
    assert env.manifest["previous_sha256"] == "0" * 64 and env.manifest["full"] is True
    assert re.fullmatch(r"NPC-SINT-RT-center-to-S01-01-000001-[0-9a-f]{8}\.npcr", name)
    assert [(a["sequence"], a["status"]) for a in payload["acks"]] == [(1, "imported"), (3, "held")]
    assert payload["acks"][0]["counts"] == first.manifest["counts"]
    assert [q["uid"] for q in payload["queries"]] == [q["uid"] for q in first.payload["queries"]]
    assert payload["definition"] is None
    assert env.manifest["counts"]["acks"] == 2 and env.manifest["counts"]["queries"] == 1

    center.import_bundle(second.data, second.name)
    full = stream.next(full=True)
    center.import_bundle(full.data, full.name)
    env2, payload2, _ = opened(center, stream)
    assert env2.sequence == 2
    assert env2.manifest["previous_sha256"] == env.manifest_sha256
    assert [(a["sequence"], a["status"]) for a in payload2["acks"]] == [
        (1, "imported"), (2, "imported"), (3, "imported"), (4, "imported"),
    ]  # fmt: skip
    assert trail_actions(center).count("return_made") == 2


def test_center_queries_go_back_with_the_row_they_are_about(
    pair: tuple[Center, SiteStream, list[str]],
) -> None:
    center, stream, subjects = pair
    first = stream.next(full=True)
    center.import_bundle(first.data, first.name)
    uid = center.raise_query(subjects[0], "Is this the right condition?", event_oid="SCR",
                             occurrence=1, form_oid="MH", item_path="MH[2].MHTERM")  # fmt: skip
    _, payload, _ = opened(center, stream)
    (query,) = [q for q in payload["queries"] if q["uid"] == uid]
    scr = next(e for e in first.payload["events"] if e["subject_id"] == subjects[0])
    mh = next(
        f for f in first.payload["forms"] if f["event_uid"] == scr["uid"] and f["form_oid"] == "MH"
    )
    rows = sorted(
        (r["position"], r["uid"]) for r in first.payload["rows"] if r["form_uid"] == mh["uid"]
    )
    assert query["row_uid"] == rows[1][1]
    assert (query["origin"], query["kind"], query["status"]) == ("center", "manual", "new")
    assert query["messages"][0]["text"] == "Is this the right condition?"
    assert "query_raised" in trail_actions(center)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ({"event_oid": "NOPE"}, "no event 'NOPE'"),
        ({"event_oid": "SCR", "form_oid": "AE"}, "has no form 'AE'"),
        ({"event_oid": "SCR", "form_oid": "MH", "item_path": "MHTERM"}, "MH[n].MHTERM"),
        ({"event_oid": "SCR", "form_oid": "MH", "item_path": "MH[9].MHTERM"}, "no row 9 of MH"),
        ({"form_oid": "MH"}, "names its event"),
    ],
)
def test_a_center_query_about_something_that_does_not_exist_is_refused(
    pair: tuple[Center, SiteStream, list[str]], target: dict[str, Any], message: str
) -> None:
    center, stream, subjects = pair
    first = stream.next(full=True)
    center.import_bundle(first.data, first.name)
    with pytest.raises(UsageError, match=re.escape(message)):
        center.raise_query(subjects[0], "Why?", **target)
    with pytest.raises(UsageError, match="no subject"):
        center.raise_query("S09-01-0001", "Why?")


def _new_version(tmp_path: Path, version: str) -> Path:
    folder = tmp_path / f"def-{version}"
    shutil.copytree(ROOT / "forms" / "npc-sint-rt", folder)
    study = folder / "study.yaml"
    study.write_text(study.read_text(encoding="utf-8").replace('version: "1.0"', f'version: "{version}"', 1),
                     encoding="utf-8")  # fmt: skip
    return folder


def test_a_published_definition_travels_in_every_later_return(
    pair: tuple[Center, SiteStream, list[str]], tmp_path: Path
) -> None:
    center, stream, _subjects = pair
    folder = _new_version(tmp_path, "1.1")
    outcome = center.publish_definition(folder)
    assert outcome["version"] == "1.1" and not outcome["already"]
    assert center.publish_definition(folder)["already"]
    (folder / "study.yaml").write_text(
        (folder / "study.yaml").read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8"
    )
    with pytest.raises(UsageError, match="already published with other content"):
        center.publish_definition(folder)
    env, payload, _ = opened(center, stream)
    definition = payload["definition"]
    assert definition["version"] == "1.1" and definition["study_oid"] == "NPC-SINT-RT"
    assert (
        "study.yaml" in definition["files"]
        and 'version: "1.1"' in definition["files"]["study.yaml"]
    )
    assert env.manifest["counts"]["definitions"] == 1
    assert env.manifest["study"]["version"] == "1.1"
    assert center.status()["study_version"] == "1.1"
    assert (center.folder / "definitions" / "NPC-SINT-RT" / "1.1" / "study.yaml").is_file()


def test_a_definition_that_fails_the_forms_check_is_not_published(
    pair: tuple[Center, SiteStream, list[str]], tmp_path: Path
) -> None:
    center, _stream, _subjects = pair
    folder = _new_version(tmp_path, "1.2")
    (folder / "study.yaml").write_text("oid: NPC-SINT-RT\nversion: [\n", encoding="utf-8")
    with pytest.raises(UsageError, match="forms check"):
        center.publish_definition(folder)
    assert "definition_published" not in trail_actions(center)


def test_only_the_addressed_installation_can_open_a_return(
    pair: tuple[Center, SiteStream, list[str]],
) -> None:
    center, stream, _subjects = pair
    keys = stream.keys()
    data, _ = center.make_return(keys.installation_id)
    env = read_envelope(data)
    with pytest.raises(BundleRefused) as refused:
        check_recipient(env, "another-installation", keys.x25519_public)
    assert refused.value.check == "recipient"
    with pytest.raises(BundleRefused) as wrong_key:
        open_payload(env, bytes(32))
    assert wrong_key.value.check == "decrypt"
    with pytest.raises(UsageError, match="no registered installation"):
        center.make_return("not-an-installation")


def test_a_site_exports_the_center_imports_and_the_site_applies_the_return(
    pair: tuple[Center, SiteStream, list[str]], nurse_site: tuple[StoreSite, Workspace, list[str]]
) -> None:
    """The whole round trip with the site's own sync service (outbox and return handling)."""
    center, stream, _subjects = pair
    store, ws, _ = nurse_site
    admin = store.login(ADMIN)
    try:
        admin.sync.trust_center(center.identity_card(), center.keys.fingerprint)
    finally:
        admin.logout()
    made = ws.sync.export(full=True)
    report = center.import_bundle(made.path.read_bytes(), made.path.name)
    assert report.status == "imported", report.lines()
    data, name = center.make_return(stream.keys().installation_id)
    applied = ws.sync.apply_return(data, name).to_json()
    assert applied["acknowledged"] == [made.bundle.sequence]
    assert ws.sync.apply_return(data, name).to_json()["already_applied"]
