"""Return bundles at a site: acknowledgements, the center's queries, study definitions,
replays and refusals — and the status counts that only an acknowledgement brings to zero."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select

from npc_crf.core.errors import BundleRefused, PermissionDenied
from npc_crf.services.site import Site
from npc_crf.services.status import CLINICAL_ACTIONS
from npc_crf.services.sync.common import ACKNOWLEDGED, CREATED, HELD, SENT
from npc_crf.services.workspace import Workspace
from npc_crf.store.models import audit_entry, study_definition
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
    populated_template,
)
from tests.sync_site_helpers import (
    TestCenter,
    ack,
    center_query,
    definition,
    definition_files,
    sync_tables,
)


@pytest.fixture(scope="module")
def center() -> TestCenter:
    return TestCenter()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, center: TestCenter) -> SiteTemplate:
    template, _sid = populated_template(
        tmp_path_factory.mktemp("sync-returns"), enrol_consented, users=(NURSE, MONITOR)
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
def ws(env: StoreSite, center: TestCenter) -> Workspace:
    center.next_return = 1  # every test starts a new site copy
    return env.login(NURSE)


def _card(ws: Workspace) -> IdentityCard:
    return ws.sync.identity_card()


def _clinical(ws: Workspace, after: int = 0) -> int:
    with ws.engine.connect() as conn:
        actions = conn.execute(
            select(audit_entry.c.action).where(audit_entry.c.seq > after)
        ).scalars()
        return sum(1 for a in actions if a in CLINICAL_ACTIONS)


# -- acknowledgements and the counts ---------------------------------------------------------


def test_counts_reach_zero_only_when_acknowledged(ws: Workspace, center: TestCenter) -> None:
    n = _clinical(ws)
    assert n > 0
    before = ws.sync.status()
    assert (before.not_exported, before.not_acknowledged) == (n, n)
    summary = ws.status.summary()
    assert (summary.unsent_changes, summary.last_sync_at) == (n, None)

    result = ws.sync.export()
    exported = ws.sync.status()
    assert (exported.not_exported, exported.not_acknowledged) == (0, n)
    assert ws.status.summary().unsent_changes == n  # exported is not synced
    ws.sync.send_to_folder(ws.site.data.tmp)
    assert ws.status.summary().unsent_changes == n  # nor is sent

    applied = ws.sync.apply_return(
        center.seal_return(_card(ws), acks=[ack(result.bundle.uid, 1)]), "r1.npcr"
    )
    assert [(a.sequence, a.before, a.after) for a in applied.acks] == [(1, SENT, ACKNOWLEDGED)]
    done = ws.sync.status()
    assert (done.not_exported, done.not_acknowledged) == (0, 0)
    assert done.last_acknowledged is not None and done.last_acknowledged.uid == result.bundle.uid
    assert done.last_acknowledged.acked_at == "2026-11-21T10:00:00.000000Z"
    assert done.last_return_sequence == 1
    summary = ws.status.summary()
    assert summary.unsent_changes == 0
    assert summary.last_sync_at == dt.datetime.fromisoformat(result.bundle.created_at)
    assert audit_actions(ws)[-1] == "return_applied"

    [sid] = [s.subject_id for s in ws.subjects.list()]
    ws.casebook.save_form(sid, "SCR", 1, "IC", {"ICVER": "2.1"}, reason="typo")
    m = _clinical(ws, result.bundle.audit_to)
    assert m > 0
    assert (ws.sync.status().not_exported, ws.status.summary().unsent_changes) == (m, m)


def test_held_then_imported(ws: Workspace, center: TestCenter) -> None:
    first = ws.sync.export().bundle
    second = ws.sync.export().bundle
    card = _card(ws)
    held = ws.sync.apply_return(
        center.seal_return(card, acks=[ack(first.uid, 1), ack(second.uid, 2, "held")]), "r1"
    )
    assert {(a.sequence, a.after) for a in held.acks} == {(1, ACKNOWLEDGED), (2, HELD)}
    assert [b.status for b in ws.sync.bundles()] == [ACKNOWLEDGED, HELD]
    assert ws.sync.status().not_acknowledged == 0  # bundle 2 carried no clinical change
    later = ws.sync.apply_return(
        center.seal_return(card, acks=[ack(first.uid, 1), ack(second.uid, 2, "superseded")]),
        "r2",
    )
    assert [(a.sequence, a.after) for a in later.acks] == [(2, ACKNOWLEDGED)]
    # an acknowledged bundle never goes back
    third = ws.sync.apply_return(center.seal_return(card, acks=[ack(first.uid, 1, "held")]), "r3")
    assert third.acks == () and [b.status for b in ws.sync.bundles()] == [ACKNOWLEDGED] * 2


def test_acks_of_unknown_bundles_are_reported_not_applied(
    ws: Workspace, center: TestCenter
) -> None:
    ws.sync.export()
    stranger = "5d8f6a43-0000-4000-8000-000000000001"
    result = ws.sync.apply_return(center.seal_return(_card(ws), acks=[ack(stranger, 7)]), "r")
    assert result.unknown_acks == (stranger,) and result.acks == ()
    assert [b.status for b in ws.sync.bundles()] == [CREATED]


# -- queries and definitions -----------------------------------------------------------------


def test_queries_from_the_center_appear_at_the_site(ws: Workspace, center: TestCenter) -> None:
    [sid] = [s.subject_id for s in ws.subjects.list()]
    record = center_query(sid)
    result = ws.sync.apply_return(center.seal_return(_card(ws), queries=[record]), "r.npcr")
    assert (result.queries.queries, result.queries.messages) == (1, 1)
    query = ws.queries.get(record["uid"])
    assert (query.origin, query.subject_id, query.item_path) == ("center", sid, "ICDAT")
    assert query.messages[0].text == "Please check the consent date."
    assert ws.sync.status().unsent_query_messages == 0  # the center's own words are not unsent
    # the same queries in the next (complete) return bundle add nothing
    again = ws.sync.apply_return(center.seal_return(_card(ws), queries=[record]), "r2.npcr")
    assert not again.already_applied and again.queries.messages == 0


def test_a_definition_is_verified_and_stored_not_activated(
    ws: Workspace, center: TestCenter
) -> None:
    files = definition_files("1.1")
    result = ws.sync.apply_return(
        center.seal_return(_card(ws), definition=definition(files)), "r.npcr"
    )
    assert (result.definition_version, result.definition_outcome) == ("1.1", "received")
    with ws.engine.connect() as conn:
        [row] = conn.execute(select(study_definition)).mappings().all()
    assert (row["study_oid"], row["version"], row["status"]) == ("NPC-SINT-RT", "1.1", "received")
    assert ws.study.version == "1.0"  # not activated
    [listed] = ws.sync.status().definitions
    assert (listed.version, listed.status) == ("1.1", "received")
    assert "definition_received" in audit_actions(ws)
    assert list(ws.site.data.tmp.iterdir()) == []  # the check's folder is gone
    again = ws.sync.apply_return(
        center.seal_return(_card(ws), definition=definition(files)), "r2.npcr"
    )
    assert again.definition_outcome == "already received"


def _broken_definition(ws: Workspace) -> dict[str, Any]:
    return definition(definition_files("1.2", break_it=True), "1.2")


def _other_content_same_version(ws: Workspace) -> dict[str, Any]:
    doc = definition(definition_files("1.0"), "1.0")  # the version in use, other forms
    return doc


REFUSED_DEFINITIONS: list[Any] = [
    pytest.param(_broken_definition, "does not load", id="does-not-load"),
    pytest.param(_other_content_same_version, "version in use", id="same-version-other-forms"),
    pytest.param(
        lambda ws: definition(definition_files("1.1"), "1.1") | {"definition_sha256": "c" * 64},
        "definition_sha256 does not match",
        id="wrong-hash",
    ),
    pytest.param(
        lambda ws: definition(definition_files("1.1"), "1.1") | {"files": {"../study.yaml": "x"}},
        "not a safe relative path",
        id="path-escape",
    ),
]


@pytest.mark.parametrize(("make", "words"), REFUSED_DEFINITIONS)
def test_a_bad_definition_refuses_the_whole_return(
    ws: Workspace, center: TestCenter, make: Callable[[Workspace], dict[str, Any]], words: str
) -> None:
    bundle = ws.sync.export().bundle
    [sid] = [s.subject_id for s in ws.subjects.list()]
    data = center.seal_return(
        _card(ws), acks=[ack(bundle.uid, 1)], queries=[center_query(sid)], definition=make(ws)
    )
    before = sync_tables(ws)
    with pytest.raises(BundleRefused, match=words) as caught:
        ws.sync.apply_return(data, "bad.npcr")
    assert caught.value.check == "payload"
    assert sync_tables(ws) == before
    assert list(ws.site.data.tmp.iterdir()) == []


# -- replays and refusals --------------------------------------------------------------------


def test_the_same_return_again_changes_nothing_and_says_so(
    ws: Workspace, center: TestCenter, tmp_path: Path
) -> None:
    bundle = ws.sync.export().bundle
    [sid] = [s.subject_id for s in ws.subjects.list()]
    card = _card(ws)
    path = tmp_path / "NPC-SINT-RT-center-to-S01-01-000001.npcr"
    path.write_bytes(
        center.seal_return(card, acks=[ack(bundle.uid, 1)], queries=[center_query(sid)])
    )
    first = ws.sync.apply_return(path)
    assert not first.already_applied and first.file_name == path.name
    before = sync_tables(ws)
    again = ws.sync.apply_return(path)
    assert again.already_applied and "already applied" in again.note
    assert sync_tables(ws) == before
    newer = center.seal_return(card, acks=[ack(bundle.uid, 1)])  # sequence 2
    ws.sync.apply_return(newer, "r2")
    older = center.seal_return(card, acks=[ack(bundle.uid, 1, "held")], sequence=1)
    before = sync_tables(ws)
    late = ws.sync.apply_return(older, "late")
    assert late.already_applied and "newer than this one" in late.note
    assert sync_tables(ws) == before
    forked = center.seal_return(card, sequence=2)  # same sequence, another bundle
    with pytest.raises(BundleRefused) as caught:
        ws.sync.apply_return(forked, "forked")
    assert caught.value.check == "sequence"
    assert sync_tables(ws) == before


def _flip(offset: int) -> Callable[[bytes], bytes]:
    def damage(data: bytes) -> bytes:
        at = offset if offset >= 0 else len(data) + offset
        return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]

    return damage


def _raw_public(key: Any) -> bytes:
    return bytes(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


Seal = Callable[[TestCenter, IdentityCard], bytes]

REFUSALS: list[Any] = [
    pytest.param(
        lambda c, card: c.seal_return(card, signing=Ed25519PrivateKey.generate()),
        None,
        "signature",
        id="signed-by-another-key",
    ),
    pytest.param(
        lambda c, card: TestCenter(center_id="CC-OTHER").seal_return(card),
        None,
        "sender",
        id="unknown-center",
    ),
    pytest.param(
        lambda c, card: c.seal_return(
            card, recipient_x25519=_raw_public(X25519PrivateKey.generate().public_key())
        ),
        None,
        "recipient",
        id="for-another-key",
    ),
    pytest.param(
        lambda c, card: c.seal_return(
            card,
            manifest_changes={
                "recipient": {
                    "kind": "installation",
                    "id": "another-installation",
                    "x25519_sha256": hashlib.sha256(card.x25519).hexdigest(),
                }
            },
        ),
        None,
        "recipient",
        id="for-another-installation",
    ),
    pytest.param(
        lambda c, card: c.seal_return(
            card,
            manifest_changes={
                "study": {"oid": "NCT07062484", "version": "1.0", "definition_sha256": "a" * 64}
            },
        ),
        None,
        "study",
        id="other-study",
    ),
    pytest.param(
        lambda c, card: c.seal_return(card), _flip(-5), "payload-hash", id="tampered-payload"
    ),
    pytest.param(
        lambda c, card: c.seal_return(card), _flip(40), "manifest", id="tampered-manifest"
    ),
    pytest.param(
        lambda c, card: c.seal_return(card), lambda d: d[:-100], "framing", id="truncated"
    ),
    pytest.param(
        lambda c, card: c.seal_return(card), lambda d: d + b"\x00", "framing", id="trailing"
    ),
    pytest.param(
        lambda c, card: c.seal_return(card, acks=[{"bundle_uuid": "x"}]),
        None,
        "payload",
        id="bad-ack",
    ),
    pytest.param(
        lambda c, card: c.seal_return(card, queries=[center_query("S01-01-9999")]),
        None,
        "payload",
        id="query-for-unknown-subject",
    ),
]


@pytest.mark.parametrize(("seal", "damage", "check"), REFUSALS)
def test_refused_return_bundles_change_nothing(
    ws: Workspace,
    center: TestCenter,
    seal: Seal,
    damage: Callable[[bytes], bytes] | None,
    check: str,
) -> None:
    ws.sync.export()
    data = seal(center, _card(ws))
    if damage is not None:
        data = damage(data)
    before = sync_tables(ws)
    with pytest.raises(BundleRefused) as caught:
        ws.sync.apply_return(data, "bad.npcr")
    assert caught.value.check == check, caught.value.message
    assert caught.value.message.startswith(f"refused ({check}): ")
    assert sync_tables(ws) == before


def test_a_site_bundle_is_not_a_return_bundle(ws: Workspace) -> None:
    result = ws.sync.export()
    with pytest.raises(BundleRefused, match="not a return bundle") as caught:
        ws.sync.apply_return(result.path)
    assert caught.value.check == "manifest"


def test_an_ack_with_the_wrong_sequence_is_refused(ws: Workspace, center: TestCenter) -> None:
    bundle = ws.sync.export().bundle
    before = sync_tables(ws)
    with pytest.raises(BundleRefused, match=r"acks\[0\]\.sequence") as caught:
        ws.sync.apply_return(center.seal_return(_card(ws), acks=[ack(bundle.uid, 5)]), "r")
    assert caught.value.check == "payload"
    assert sync_tables(ws) == before


def test_a_replaced_center_can_no_longer_send_returns(
    env: StoreSite, ws: Workspace, center: TestCenter
) -> None:
    admin = env.login(ADMIN)
    new = TestCenter(center_id="CC-NEW")
    admin.sync.trust_center(new.card, new.card.fingerprint)
    with pytest.raises(BundleRefused, match="replaced") as caught:
        ws.sync.apply_return(center.seal_return(_card(ws)), "old.npcr")
    assert caught.value.check == "sender"


def test_applying_needs_the_export_permission(env: StoreSite, center: TestCenter) -> None:
    monitor = env.login(MONITOR)
    card = env.login(NURSE).sync.identity_card()
    with pytest.raises(PermissionDenied):
        monitor.sync.apply_return(center.seal_return(card), "r.npcr")
