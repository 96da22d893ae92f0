"""Two installations of one site change the same item from the same base: both are kept.

The scenario (docs/center.md "Conflicts"): site S01's ward PC (installation 1)
was copied to a second PC, registered as installation 2, while the first stayed
in use; both hold subject S01-01-0001 with the same uids. Installation 2's
bundle is built here by copying installation 1's records into its own payload
(its own audit trail, accounts and keys) and changing one value.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from npc_crf.center import schema as t
from npc_crf.center.apply import decide
from npc_crf.center.service import Center
from npc_crf.services.workspace import Workspace
from npc_crf.sync.envelope import check_recipient, open_payload, read_envelope, verify_sender
from tests.store_helpers import IC_VALUES, NURSE, StoreSite, make_site
from tests.sync_helpers import Sealed, SiteStream, snapshot

pytest_plugins = ("tests.center_fixtures",)


@dataclass
class Two:
    center: Center
    one: SiteStream
    two: SiteStream
    subject: str
    first: Sealed


@pytest.fixture
def two(
    make_center: Callable[..., Center],
    nurse_site: tuple[StoreSite, Workspace, list[str]],
    tmp_path: Path,
) -> Iterator[Two]:
    _store, ws, subjects = nurse_site
    center = make_center()
    other = make_site(tmp_path / "second-pc", site_id="S01", installation_number=2, users=(NURSE,))
    ws2 = other.login(NURSE)
    try:
        one = SiteStream.to(ws, center.identity_card())
        two = SiteStream.to(ws2, center.identity_card())
        for stream in (one, two):
            card = stream.card()
            center.register_installation(card, card.fingerprint)
        first = one.next(full=True)
        assert center.import_bundle(first.data, first.name).status == "imported"
        yield Two(center, one, two, subjects[1], first)
    finally:
        ws2.logout()
        other.close()


def set_icdat(stream: SiteStream, subject: str, date: str) -> None:
    stream.ws.casebook.save_form(subject, "SCR", 1, "IC", {**IC_VALUES, "ICDAT": date},
                                 complete=True, reason="correction")  # fmt: skip


def copied_payload(w: Two, full: bool, **value: Any) -> dict[str, Any]:
    """Installation 2's payload holding installation 1's consent form of the subject, with ICDAT
    changed as ``value`` says (version, base_version, value…)."""
    own = w.two.collect(full=full).payload
    sent = w.first.payload
    event = next(e for e in sent["events"] if e["subject_id"] == w.subject)
    form = next(
        f for f in sent["forms"] if f["event_uid"] == event["uid"] and f["form_oid"] == "IC"
    )
    icdat = next(
        v for v in sent["values"] if v["form_uid"] == form["uid"] and v["item_oid"] == "ICDAT"
    )
    own["subjects"] = [s for s in sent["subjects"] if s["subject_id"] == w.subject]
    own["events"], own["forms"] = [event], [form]
    own["values"] = [{**copy.deepcopy(icdat), "updated_at": "2026-02-01T10:00:00.000000Z",
                      "updated_by": NURSE, **value}]  # fmt: skip
    return own


def send_two(w: Two, full: bool = False, **value: Any) -> str:
    payload = copied_payload(w, full, **value)
    sealed = w.two.seal(payload, full=full)
    w.two.advance(sealed)
    report = w.center.import_bundle(sealed.data, sealed.name)
    assert report.status == "imported", report.lines()
    return f"{report.counts['conflicts']} conflict(s)"


def icdat_at_center(center: Center, subject: str) -> tuple[str, int, str]:
    with center.read() as conn:
        row = conn.execute(
            select(t.item_value.c.value, t.item_value.c.version, t.item_value.c.installation_id)
            .join(t.form, t.form.c.uid == t.item_value.c.form_uid)
            .join(t.event, t.event.c.uid == t.form.c.event_uid)
            .where(t.event.c.subject_id == subject, t.form.c.form_oid == "IC",
                   t.item_value.c.item_oid == "ICDAT")
        ).one()  # fmt: skip
    return str(row.value), int(row.version), str(row.installation_id)


def open_return(center: Center, stream: SiteStream) -> dict[str, Any]:
    """The installation's next return bundle, opened with its own key as the site would."""
    keys = stream.keys()
    data, _name = center.make_return(keys.installation_id)
    env = read_envelope(data)
    verify_sender(env, center.keys.ed25519)
    check_recipient(env, keys.installation_id, keys.x25519_public)
    return open_payload(env, keys.x25519_private)


def test_both_values_are_kept_and_a_query_shows_them(two: Two) -> None:
    one_id = two.one.keys().installation_id
    two_id = two.two.keys().installation_id
    set_icdat(two.one, two.subject, "2026-01-06")
    second = two.one.next()
    assert two.center.import_bundle(second.data, second.name).counts["conflicts"] == 0
    assert icdat_at_center(two.center, two.subject) == ("2026-01-06", 2, one_id)

    assert send_two(two, True, value="2026-01-07", version=2, base_version=1) == "1 conflict(s)"

    assert icdat_at_center(two.center, two.subject) == ("2026-01-06", 2, one_id)  # not overwritten
    (conflict,) = two.center.conflicts()
    assert (conflict["current_value"], conflict["incoming_value"]) == ("2026-01-06", "2026-01-07")
    assert (conflict["current_installation_id"], conflict["incoming_installation_id"]) == (
        one_id,
        two_id,
    )
    assert (conflict["base_version"], conflict["query_status"]) == (1, "new")
    assert (conflict["subject_id"], conflict["form_oid"], conflict["item_path"]) == (
        two.subject,
        "IC",
        "ICDAT",
    )
    for stream in (two.one, two.two):
        (query,) = [
            q
            for q in open_return(two.center, stream)["queries"]
            if q["uid"] == conflict["query_uid"]
        ]
        assert (query["origin"], query["kind"], query["assigned_role"]) == (
            "center",
            "manual",
            "CRC",
        )
        text = query["messages"][0]["text"]
        for shown in ('"2026-01-06"', '"2026-01-07"', "version 2", f"installation 1 ({one_id})",
                      f"installation 2 ({two_id})", "by nurse", "2026-02-01T10:00:00.000000Z",
                      "changed from version 1"):  # fmt: skip
            assert shown in text, (shown, text)


def test_a_conflict_is_recorded_once_and_agreement_or_the_keeper_moves_on(two: Two) -> None:
    set_icdat(two.one, two.subject, "2026-01-06")
    second = two.one.next()
    two.center.import_bundle(second.data, second.name)
    send_two(two, True, value="2026-01-07", version=2, base_version=1)
    before = snapshot(two.center)
    # installation 2 sends the same version again in a full bundle: nothing new
    assert send_two(two, True, value="2026-01-07", version=2, base_version=2) == "0 conflict(s)"
    after = snapshot(two.center)
    assert after["value_conflict"] == before["value_conflict"]
    assert after["item_value"] == before["item_value"]
    # installation 2 corrects its value to agree: no conflict, nothing overwritten
    assert send_two(two, value="2026-01-06", version=3, base_version=2) == "0 conflict(s)"
    assert icdat_at_center(two.center, two.subject)[:2] == ("2026-01-06", 2)
    # the installation whose value was kept changes it again: applied, the old one kept in history
    set_icdat(two.one, two.subject, "2026-01-08")
    third = two.one.next()
    assert two.center.import_bundle(third.data, third.name).counts["conflicts"] == 0
    assert icdat_at_center(two.center, two.subject)[:2] == ("2026-01-08", 3)
    with two.center.read() as conn:
        replaced = conn.execute(select(t.value_history.c.value, t.value_history.c.version)).all()
    assert ("2026-01-06", 2) in [tuple(r) for r in replaced]


def test_a_change_made_from_the_version_the_center_holds_is_applied(two: Two) -> None:
    """Installation 2 changes the value installation 1 sent (base = the center's version)."""
    assert send_two(two, True, value="2026-01-09", version=2, base_version=1) == "0 conflict(s)"
    assert icdat_at_center(two.center, two.subject) == (
        "2026-01-09",
        2,
        two.two.keys().installation_id,
    )


# -- the rules, case by case ------------------------------------------------------------------

ME, OTHER = "inst-2", "inst-1"


def _cur(installation: str, version: int, value: str = "a") -> dict[str, Any]:
    return {"installation_id": installation, "version": version, "kind": "text", "value": value,
            "missing_code": None}  # fmt: skip


def _inc(version: int, base: int | None, value: str = "b") -> dict[str, Any]:
    return {
        "version": version,
        "base_version": base,
        "kind": "text",
        "value": value,
        "missing_code": None,
    }


DECISIONS: list[tuple[str, dict[str, Any] | None, dict[str, Any], int, str]] = [
    ("no value at the center", None, _inc(1, 0), 0, "insert"),
    ("same installation, newer", _cur(ME, 2), _inc(3, 2), 0, "apply"),
    ("same installation, already applied", _cur(ME, 3), _inc(3, 2), 0, "skip"),
    ("same installation, older", _cur(ME, 4), _inc(3, 2), 0, "skip"),
    ("other installation, made from the center's version", _cur(OTHER, 2), _inc(3, 2), 0, "apply"),
    ("other installation, same base as its change", _cur(OTHER, 2), _inc(2, 1), 0, "conflict"),
    ("other installation, both entered a first value", _cur(OTHER, 1), _inc(1, 0), 0, "conflict"),
    ("other installation, the same value", _cur(OTHER, 2, "b"), _inc(2, 1), 0, "skip"),
    ("other installation, a version already received", _cur(OTHER, 2), _inc(2, 1), 2, "skip"),
    ("other installation, newer than what was received", _cur(OTHER, 3), _inc(4, 1), 2, "conflict"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "current", "incoming", "seen", "verdict"), DECISIONS,
                         ids=[d[0] for d in DECISIONS])  # fmt: skip
def test_each_value_rule(
    what: str, current: dict[str, Any] | None, incoming: dict[str, Any], seen: int, verdict: str
) -> None:
    assert decide(current, incoming, ME, seen) == verdict
