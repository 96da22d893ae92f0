"""Registering installations at the center: the fingerprint typed back, one number per site,
keys that never change; every registration and every refusal in the center's trail."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from npc_crf.center import schema as t
from npc_crf.center.service import Center
from npc_crf.core.errors import UsageError
from npc_crf.sync.identity import IdentityCard
from tests.sync_helpers import trail_actions

pytest_plugins = ("tests.center_fixtures",)


def card(site: str = "S01", number: int = 1, installation_id: str | None = None) -> IdentityCard:
    """An installation's card with fresh keys."""
    return IdentityCard(
        kind="installation",
        study_oid="NPC-SINT-RT",
        ed25519=os.urandom(32),
        x25519=os.urandom(32),
        created_at="2026-01-05T09:30:00Z",
        site_id=site,
        installation_id=installation_id or os.urandom(16).hex(),
        installation_number=number,
    )


def registered(center: Center) -> int:
    with center.read() as conn:
        return int(conn.execute(select(func.count()).select_from(t.installation)).scalar_one())


def test_registration_is_audited_and_idempotent(make_center: Callable[..., Center]) -> None:
    center = make_center()
    first = card()
    done = center.register_installation(first, first.fingerprint.replace(" ", "-"), by="dm")
    assert (done.site_id, done.number, done.already) == ("S01", 1, False)
    again = center.register_installation(first, first.fingerprint, by="dm")
    assert again.already
    entries = center.audit_entries()
    assert [e["action"] for e in entries] == ["center_created", "installation_registered"]
    detail = json.loads(entries[-1]["new_value"])
    assert detail["fingerprint"] == first.fingerprint and entries[-1]["username"] == "dm"
    second = card(number=2)
    center.register_installation(second, second.fingerprint)
    assert [i["number"] for i in center.installations()] == [1, 2]


def _typo(c: IdentityCard) -> str:
    last = c.fingerprint[-1]
    return c.fingerprint[:-1] + str((int(last) + 1) % 10)


CASES: list[tuple[str, Callable[[IdentityCard], tuple[IdentityCard, str]], str]] = [
    ("a fingerprint typed wrong", lambda c: (card(), _typo(card())), "does not match"),
    (
        "the center's own card",
        lambda c: (
            dataclasses.replace(
                c,
                kind="center",
                center_id="x",
                site_id=None,
                installation_id=None,
                installation_number=None,
            ),
            "",
        ),
        "card of a center",
    ),
    (
        "another study",
        lambda c: (dataclasses.replace(card(), study_oid="NCT07062484"), "0" * 40),
        "study NCT07062484",
    ),
    (
        "the number of another installation of the site",
        lambda c: (card(number=1), ""),
        "already has an installation number 1",
    ),
    (
        "the same installation with other keys",
        lambda c: (card(installation_id=c.installation_id), ""),
        "with other keys",
    ),
]


@pytest.mark.parametrize(("what", "make", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_registration_that_must_not_happen_is_refused_and_audited(
    make_center: Callable[..., Center],
    what: str,
    make: Callable[[IdentityCard], tuple[IdentityCard, str]],
    message: str,
) -> None:
    center = make_center()
    first = card()
    center.register_installation(first, first.fingerprint)
    candidate, typed = make(first)
    typed = typed or candidate.fingerprint
    with pytest.raises(UsageError, match=message):
        center.register_installation(candidate, typed)
    assert registered(center) == 1
    assert trail_actions(center)[-1] == "registration_refused"
