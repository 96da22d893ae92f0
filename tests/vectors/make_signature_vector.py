"""Generate ``signature_v1.json``, the test vector of the signed payload ``npc-crf/signature`` v1.

Run from the repository root::

    python tests/vectors/make_signature_vector.py          # (re)write the vector
    python tests/vectors/make_signature_vector.py --check  # exit 1 if the file differs

Built from the format's description (``docs/store.md``, "Electronic signatures")
with the standard library and ``cryptography``'s primitives; nothing from
``npc_crf`` is imported, so a test that checks this vector with
``npc_crf.services.monitoring.signed_payload`` proves that the code and the
documented format agree:

* ``payload = UTF-8 of JSON({"format": "npc-crf/signature", "version": 1, …fields})``
  with keys sorted, separators ``,`` and ``:``, non-ASCII characters unescaped;
* ``digest = SHA-256(payload)``; ``signature = Ed25519(private key).sign(digest)``.

The private key is fixed (SHA-256 of a label) and Ed25519 signatures are
deterministic (RFC 8032), so the vector is reproducible. The full name is
Chinese to pin down the UTF-8, unescaped encoding.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

OUT = Path(__file__).with_name("signature_v1.json")

FIELDS: dict[str, Any] = {
    "study": "NPC-SINT-RT",
    "subject": "S01-01-0007",
    "event": "CYCLE",
    "occurrence": 2,
    "form": "EX",
    "form_version": "1.0",
    "definition_hash": hashlib.sha256(b"a form definition").hexdigest(),
    "revision": 4,
    "content_hash": hashlib.sha256(b'{"EXDOSE":"200"}').hexdigest(),
    "signer": "doctor",
    "full_name": "王医生 Dai Doctor",
    "meaning": "APPROVE",
    "signed_at": "2026-01-05T09:30:00.123456Z",
    "scope": "event",
    "batch": "2f1c6a52-8d3b-4e4f-9b1a-0c5d7e9f3a21",
}


def build() -> dict[str, Any]:
    """The whole vector as JSON-ready data."""
    private = hashlib.sha256(b"npc-crf signature v1 test vector: installation key").digest()
    key = Ed25519PrivateKey.from_private_bytes(private)
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    document = {"format": "npc-crf/signature", "version": 1, **FIELDS}
    payload = json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    digest = hashlib.sha256(payload).digest()
    return {
        "description": (
            "Test vector of the npc-crf signed payload npc-crf/signature version 1, made by "
            "tests/vectors/make_signature_vector.py from cryptography primitives directly."
        ),
        "private_key": private.hex(),
        "public_key": public.hex(),
        "fields": FIELDS,
        "payload": payload.decode("utf-8"),
        "payload_sha256": digest.hex(),
        "ed25519": key.sign(digest).hex(),
    }


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print(f"{OUT.name}: {'up to date' if same else 'DIFFERS from the generator'}")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
