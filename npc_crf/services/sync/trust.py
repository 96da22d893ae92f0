"""Keys and trust: this installation's identity card, and trusting the coordinating center.

docs/bundle-format.md §1. The center's card arrives by e-mail or USB; what makes
it trusted is its fingerprint, read out by the center on the phone and typed
back here. Trusting a center is audited (``center_trusted``). A replaced center
keeps its row, inactive: return bundles it signed are then refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import insert, update

from npc_crf.auth.roles import Permission
from npc_crf.core.errors import UsageError
from npc_crf.services.sync.common import TrustedCenter, active_center, center_by_id, local_keys
from npc_crf.services.workspace import Workspace
from npc_crf.store.models import sync_center
from npc_crf.sync.fingerprint import check_typed_fingerprint, fingerprint
from npc_crf.sync.identity import IdentityCard


def identity_card(ws: Workspace) -> IdentityCard:
    """This installation's card: public keys only, for ``center register-site``."""
    ws.require(Permission.EXPORT, "hand out this installation's identity card")
    with ws.read() as conn:
        keys = local_keys(conn)
    return IdentityCard(
        kind="installation",
        study_oid=ws.study.oid,
        ed25519=keys.ed25519_public,
        x25519=keys.x25519_public,
        created_at=keys.created_at,
        site_id=ws.site_id,
        installation_id=keys.installation_id,
        installation_number=keys.number,
    )


def identity_card_fingerprint(ws: Workspace) -> str:
    """This installation's phone fingerprint (shown by ``sync status``; no permission needed
    beyond being logged in)."""
    with ws.read() as conn:
        keys = local_keys(conn)
    return fingerprint("installation", keys.ed25519_public, keys.x25519_public)


@dataclass(frozen=True)
class TrustOutcome:
    """What trusting a center did."""

    center: TrustedCenter
    replaced: str | None  # the center ID that was active before, if another
    changed: bool  # False: this center was already the trusted one


def trust_center(ws: Workspace, card: IdentityCard, typed_fingerprint: str) -> TrustOutcome:
    """Trust the center of ``card`` once the fingerprint typed back matches its keys.

    Refuses a card of an installation, of another study, a mismatching
    fingerprint, and a known center ID presenting other keys (a center that
    changes keys gets a new center ID). Needs ``site_settings``.
    """
    ws.require(Permission.SITE_SETTINGS, "choose the coordinating center this site trusts")
    if card.kind != "center" or card.center_id is None:
        raise UsageError(
            f"This is the identity card of {card.label}, not of a coordinating center.",
            "Ask the coordinating center for its own identity card.",
        )
    if card.study_oid != ws.study.oid:
        raise UsageError(
            f"The card is for study {card.study_oid}; this site records {ws.study.oid}.",
        )
    check_typed_fingerprint(card.fingerprint, typed_fingerprint, card.label)
    now = ws.now().isoformat(timespec="microseconds")
    with ws.tx() as tx:
        current = active_center(tx.conn)
        known = center_by_id(tx.conn, card.center_id)
        if known is not None and (known.ed25519, known.x25519) != (card.ed25519, card.x25519):
            raise UsageError(
                f"Center {card.center_id} is already known here with other keys "
                f"(fingerprint {known.fingerprint}).",
                "A center that changes its keys must use a new center ID; nothing was changed.",
            )
        if known is not None and known.active:
            return TrustOutcome(known, None, changed=False)
        tx.conn.execute(update(sync_center).values(active=False))
        if known is None:
            tx.conn.execute(
                insert(sync_center).values(
                    center_id=card.center_id,
                    study_oid=card.study_oid,
                    ed25519=card.ed25519,
                    x25519=card.x25519,
                    fingerprint=card.fingerprint,
                    trusted_at=now,
                    trusted_by=ws.username,
                    active=True,
                )
            )
        else:
            tx.conn.execute(
                update(sync_center)
                .where(sync_center.c.center_id == card.center_id)
                .values(active=True, trusted_at=now, trusted_by=ws.username)
            )
        replaced = current.center_id if current is not None else None
        tx.audit.append(
            "center_trusted",
            old_value=json.dumps({"center_id": replaced}) if replaced else None,
            new_value=json.dumps(
                {"center_id": card.center_id, "fingerprint": card.fingerprint},
                sort_keys=True,
            ),
            source=ws.channel,
        )
        trusted = center_by_id(tx.conn, card.center_id)
    assert trusted is not None
    return TrustOutcome(trusted, replaced, changed=True)
