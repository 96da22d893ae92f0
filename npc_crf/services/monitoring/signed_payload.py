"""What an electronic signature seals — format ``npc-crf/signature``, version 1.

Each signature row carries, besides the manifestation (name, time, meaning), an
Ed25519 signature made with the signing installation's private key over the
SHA-256 of one canonical JSON document describing exactly what was signed:

.. code-block:: json

    {"format": "npc-crf/signature", "version": 1, "study": "NPC-SINT-RT",
     "subject": "S01-01-0001", "event": "SCR", "occurrence": 1, "form": "IC",
     "form_version": "1.0", "definition_hash": "<64 hex>", "revision": 3,
     "content_hash": "<64 hex>", "signer": "doctor", "full_name": "Dai Doctor",
     "meaning": "APPROVE", "signed_at": "2026-01-05T09:30:00.123456Z",
     "scope": "form", "batch": "<uuid>"}

Canonical means keys sorted, no whitespace (``","`` and ``":"``), non-ASCII
characters as themselves, UTF-8. ``content_hash`` is
:func:`npc_crf.services.casebook.content_hash` of the form's answers. The
message given to Ed25519 is the 32-byte SHA-256 digest of those bytes.
Documented in ``docs/store.md``; ``tests/vectors/signature_v1.json`` is built
from the primitives alone to keep this module honest.

Only ``cryptography``'s primitives are used: SHA-256 and Ed25519 (RFC 8032).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

FORMAT = "npc-crf/signature"
VERSION = 1


@dataclass(frozen=True)
class SignedContent:
    """The fields of one signature's payload (one form; ``scope`` says what was signed)."""

    study: str
    subject: str
    event: str
    occurrence: int
    form: str
    form_version: str
    definition_hash: str
    revision: int
    content_hash: str
    signer: str
    full_name: str
    meaning: str
    signed_at: str  # UTC, microseconds, "Z"
    scope: str  # form, event, casebook
    batch: str  # the uid shared by every row of one signing act

    def document(self) -> dict[str, Any]:
        """The payload as a JSON object: the format tag, its version and every field."""
        return {"format": FORMAT, "version": VERSION, **asdict(self)}


def payload_bytes(content: SignedContent) -> bytes:
    """The canonical JSON bytes of the payload."""
    return json.dumps(
        content.document(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def payload_digest(content: SignedContent) -> bytes:
    """SHA-256 of :func:`payload_bytes`: the message Ed25519 signs."""
    return hashlib.sha256(payload_bytes(content)).digest()


def seal(private_key: bytes, content: SignedContent) -> bytes:
    """The 64-byte Ed25519 signature of ``content`` with a raw 32-byte private key."""
    return Ed25519PrivateKey.from_private_bytes(private_key).sign(payload_digest(content))


def is_sealed_by(public_key: bytes, content: SignedContent, ed25519: bytes) -> bool:
    """True when ``ed25519`` is the signature of ``content`` by the raw 32-byte public key."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(ed25519, payload_digest(content))
    except (InvalidSignature, ValueError):
        return False
    return True
