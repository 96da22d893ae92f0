"""What the Sync page says, case by case: the summary is "synchronised" only when the
center acknowledged everything, progress words, fingerprints, sizes."""

from __future__ import annotations

import pytest

from npc_crf.services.sync.common import (
    ACKNOWLEDGED,
    CREATED,
    HELD,
    SENT,
    OutboundBundle,
    TrustedCenter,
)
from npc_crf.services.sync.status import SyncStatus
from npc_crf.ui.sync_dialogs import differing_groups, fingerprint_lines
from npc_crf.ui.sync_model import size_text
from npc_crf.ui.sync_view import progress_text, summary

FINGERPRINT = "04211 93077 12845 00931 55120 78214 33019 62450"
CENTER = TrustedCenter(
    center_id="CC-1",
    study_oid="NPC-SINT-RT",
    ed25519=b"\x01" * 32,
    x25519=b"\x02" * 32,
    fingerprint=FINGERPRINT,
    trusted_at="2026-11-01T08:00:00.000000Z",
    trusted_by="admin",
    active=True,
)


def bundle(sequence: int, status: str, audit_to: int) -> OutboundBundle:
    return OutboundBundle(
        uid=f"00000000-0000-4000-8000-{sequence:012d}",
        center_id="CC-1",
        sequence=sequence,
        file_name=f"b{sequence}.npcb",
        manifest_sha256="a" * 64,
        previous_sha256="0" * 64,
        full=sequence == 1,
        audit_from=0,
        audit_to=audit_to,
        query_from=0,
        query_to=0,
        counts={"values": 1, "audit": 1, "queries": 0},
        bytes=2048,
        created_at="2026-11-20T10:00:00.000000Z",
        created_by="nurse",
        status=status,
        sent_at=None,
        sent_to=None,
        acked_at="2026-11-21T10:00:00.000000Z" if status == ACKNOWLEDGED else None,
    )


def status(
    *bundles: OutboundBundle,
    not_exported: int,
    not_acknowledged: int,
    center: TrustedCenter | None = CENTER,
) -> SyncStatus:
    acked = [b for b in bundles if b.status == ACKNOWLEDGED]
    return SyncStatus(
        installation_fingerprint=FINGERPRINT,
        center=center,
        bundles=tuple(bundles),
        last_acknowledged=max(acked, key=lambda b: b.audit_to) if acked else None,
        not_exported=not_exported,
        not_acknowledged=not_acknowledged,
        unsent_query_messages=0,
        last_return_sequence=None,
        last_return_at=None,
        definitions=(),
    )


SUMMARIES = [
    # (the status, the tone, words the summary must hold)
    (status(not_exported=4, not_acknowledged=4, center=None), "warn", "no coordinating center"),
    (status(not_exported=0, not_acknowledged=0), "none", "Nothing to synchronise yet"),
    (status(not_exported=4, not_acknowledged=4), "warn", ": 4. Export the new changes"),
    (status(bundle(1, CREATED, 10), not_exported=0, not_acknowledged=4), "warn", "exported"),
    (status(bundle(1, SENT, 10), not_exported=0, not_acknowledged=4), "warn", "were sent"),
    (status(bundle(1, HELD, 10), not_exported=0, not_acknowledged=4), "warn", "holds a bundle"),
    (
        status(bundle(1, ACKNOWLEDGED, 10), not_exported=0, not_acknowledged=0),
        "ok",
        "is acknowledged by the center",
    ),
    (
        status(bundle(1, ACKNOWLEDGED, 10), not_exported=2, not_acknowledged=2),
        "warn",
        "Not synchronised",
    ),
    (  # an old bundle still "created" does not matter once a later one is acknowledged
        status(
            bundle(1, CREATED, 10),
            bundle(2, ACKNOWLEDGED, 20),
            bundle(3, SENT, 30),
            not_exported=0,
            not_acknowledged=3,
        ),
        "warn",
        "were sent",
    ),
]


@pytest.mark.parametrize(("state", "tone", "words"), SUMMARIES)
def test_the_summary_says_synchronised_only_when_everything_is_acknowledged(
    state: SyncStatus, tone: str, words: str
) -> None:
    text, got = summary(state)
    assert got == tone
    assert words in text
    assert ("acknowledged by the center." in text) == (tone == "ok")


@pytest.mark.parametrize(
    ("what", "shown"),
    [
        ("export\treading the changes", "Reading the changes…"),
        ("export\tsomething new", "something new"),
        ("send\tNPC-1.npcb", "Copying NPC-1.npcb and checking the copy…"),
        ("send\tdone", "Done."),
        ("upload\t3\t1\t2\tupload", "Uploading bundle 3 (1 of 2)…"),
        ("apply\t2\t5\tr.npcr", "Applying r.npcr (2 of 5)…"),
        ("connect", "Connecting to the center…"),
        ("fetch", "Fetching the center's return bundle…"),
    ],
)
def test_progress_is_said_in_words(what: str, shown: str) -> None:
    assert progress_text(what) == shown


@pytest.mark.parametrize(
    ("typed", "groups"),
    [
        (FINGERPRINT, []),
        (FINGERPRINT.replace(" ", ""), []),
        ("04211-93077-12845-00931-55120-78214-33019-62450", []),
        ("04211 93077 12846 00931 55120 78214 33019 62450", [3]),
        ("14211 93077 12845 00931 55120 78214 33019 62451", [1, 8]),
    ],
)
def test_the_groups_that_differ_are_named(typed: str, groups: list[int]) -> None:
    assert differing_groups(FINGERPRINT, typed) == groups


def test_a_fingerprint_is_shown_on_two_lines_of_four_groups() -> None:
    assert fingerprint_lines(FINGERPRINT) == ("04211 93077 12845 00931\n55120 78214 33019 62450")


@pytest.mark.parametrize(
    ("size", "text"), [(0, "0 B"), (999, "999 B"), (2500, "2.5 KB"), (13_000_000, "13.0 MB")]
)
def test_sizes_are_said_for_people(size: int, text: str) -> None:
    assert size_text(size) == text
