"""The self-test's round trip on a throw-away site, in a temporary folder deleted at the end.

What a ward PC does every day, with invented values: make a site, enrol a subject and
save a consent form, verify the audit chain, make a sync bundle for a throw-away
coordinating-center key and open it with that key, and print the subject's casebook.
The site is encrypted like any other and its folder is removed by the last check.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

from npc_crf.selftest.runner import Check, CheckFailed

STUDY = "NPC-SINT-RT"
ADMIN, NURSE = "selftest-admin", "selftest-nurse"
# an invented, complete consent form (the IC form of NPC-SINT-RT)
CONSENT = {
    "ICYN": "yes",
    "ICDAT": "2026-01-05",
    "ICTIM": "09:30",
    "ICVER": "2.0",
    "ICVERDAT": "2025-12-01",
    "ICSIGNBY": "SUBJECT",
    "ICCOPY": "yes",
    "ICBIO": "no",
}


def check_site(context: dict[str, Any]) -> str:
    """A new site in a temporary folder, with an administrator and a research nurse."""
    from npc_crf.auth.roles import Role
    from npc_crf.services.site import Site
    from npc_crf.store.keyfile import TEST_COST

    folder = Path(tempfile.mkdtemp(prefix="npc-crf-selftest-"))
    context["folder"] = folder
    password = secrets.token_urlsafe(18)  # never shown: the site is deleted at the end
    site, _recovery = Site.init(
        folder / "site",
        site_id="ST01",
        study_oid=STUDY,
        admin=ADMIN,
        admin_name="Self-test administrator",
        password=password,
        cost=TEST_COST,  # a throw-away site: the production Argon2id cost would only add time
    )
    context["site"], context["password"] = site, password
    admin = site.login(ADMIN, password)
    try:
        admin.users.add(NURSE, "Self-test nurse", Role.CRC, password + "-initial")
    finally:
        admin.logout()
    nurse = site.login(NURSE, password + "-initial")
    nurse.users.change_password(password + "-initial", password)
    nurse.logout()
    return f"site ST01 of {STUDY} made in {folder}"


def check_form(context: dict[str, Any]) -> str:
    """A subject enrolled, a complete consent form saved, the audit chain verified."""
    site = context["site"]
    nurse = site.login(NURSE, context["password"])
    try:
        subject = nurse.subjects.enrol(screening_date=dt.date(2026, 1, 5))
        nurse.casebook.save_form(subject, "SCR", 1, "IC", CONSENT, complete=True)
        chain = nurse.audit.verify()
    finally:
        nurse.logout()
    if not chain.ok:
        raise CheckFailed(f"the audit chain is broken at entry {chain.broken_at}: {chain.problem}")
    context["subject"] = subject
    return (
        f"subject {subject} enrolled, consent saved; audit chain of {chain.entries} entries intact"
    )


def check_bundle(context: dict[str, Any]) -> str:
    """A signed, encrypted bundle for a throw-away center key, opened with that key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        PublicFormat,
    )

    from npc_crf.sync.envelope import check_recipient, open_payload, read_envelope, verify_sender
    from npc_crf.sync.identity import IdentityCard
    from npc_crf.sync.payload import expand_tables

    signing, exchange = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    card = IdentityCard(
        kind="center",
        study_oid=STUDY,
        ed25519=signing.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
        x25519=exchange.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
        created_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        center_id="CC-SELFTEST",
    )
    site = context["site"]
    admin = site.login(ADMIN, context["password"])
    try:
        admin.sync.trust_center(card, card.fingerprint)
        own = admin.sync.identity_card()
    finally:
        admin.logout()
    nurse = site.login(NURSE, context["password"])
    try:
        made = nurse.sync.export(full=True)
    finally:
        nurse.logout()
    data = made.path.read_bytes()
    envelope = read_envelope(data)
    verify_sender(envelope, own.ed25519)
    check_recipient(envelope, "CC-SELFTEST", card.x25519)
    private = exchange.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    payload = expand_tables(open_payload(envelope, private))
    carried = {v["item_oid"]: v["value"] for v in payload["values"]}
    if carried.get("ICDAT") != CONSENT["ICDAT"]:
        raise CheckFailed("the bundle does not carry the consent date that was saved.")
    return (
        f"bundle {made.path.name} ({len(data):,} bytes): signature, recipient and "
        f"{len(payload['values'])} values checked after decryption"
    )


def check_pdf(context: dict[str, Any]) -> str:
    """The subject's casebook printed to PDF (fonts embedded, audit trail included)."""
    site = context["site"]
    nurse = site.login(NURSE, context["password"])
    out = context["folder"] / "casebook.pdf"
    try:
        issued = nurse.reports.casebook(context["subject"], out, lang="zh")
    finally:
        nurse.logout()
    head = out.read_bytes()[:5]
    if head != b"%PDF-" or issued.pages < 1:
        raise CheckFailed(f"{out.name} is not a PDF document.")
    return f"casebook of {issued.pages} page(s) in Chinese, {out.stat().st_size:,} bytes"


def cleanup(context: dict[str, Any]) -> str:
    """Close the throw-away site and delete its folder."""
    site = context.pop("site", None)
    if site is not None:
        site.close()
    folder = context.pop("folder", None)
    if folder is None:
        return "nothing to remove"
    shutil.rmtree(folder)
    return f"{folder} removed"


SITE_CHECKS = (
    Check("site", "A throw-away site", check_site, needs=("sqlcipher", "studies")),
    Check("form", "Saving a form", check_form, needs=("site",)),
    Check("bundle", "Making a sync bundle", check_bundle, needs=("form", "cryptography")),
    Check("pdf", "Printing a casebook", check_pdf, needs=("form", "pdf-fonts")),
    Check("cleanup", "Removing the throw-away site", cleanup),
)
