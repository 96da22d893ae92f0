"""Generate ``fingerprint_v1.json``: key fingerprints (``npc-crf/fingerprint`` v1) and identity cards.

Run from the repository root::

    python tests/vectors/make_fingerprint_vector.py          # (re)write the vector
    python tests/vectors/make_fingerprint_vector.py --check  # exit 1 if the file differs

Built from docs/bundle-format.md §1 with ``hashlib`` (the key pairs come from
fixed seeds through ``cryptography``); nothing from ``npc_crf`` is imported:

* ``digest = SHA-512("npc-crf/fingerprint@1" ‖ 0x00 ‖ kind ‖ 0x00 ‖ Ed25519 public ‖ X25519 public)``;
* eight groups ``int.from_bytes(digest[5i : 5i+5], "big") mod 100000`` as five
  digits, joined by single spaces;
* the recipient fingerprint of a manifest is the hex SHA-256 of the raw X25519 key.

The identity cards (``npc-crf/identity`` v1) are the JSON objects of §1 for an
installation and for the center, written with ``json`` and ``base64``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

OUT = Path(__file__).with_name("fingerprint_v1.json")

TAG = b"npc-crf/fingerprint@1"


def fixed(label: str) -> bytes:
    """32 reproducible bytes named by ``label``."""
    return hashlib.sha256(f"npc-crf fingerprint v1 test vector: {label}".encode()).digest()


def key_pair(label: str) -> tuple[bytes, bytes]:
    """Raw Ed25519 and X25519 public keys made from fixed private keys."""
    ed = Ed25519PrivateKey.from_private_bytes(fixed(f"{label} ed25519")).public_key()
    x = X25519PrivateKey.from_private_bytes(fixed(f"{label} x25519")).public_key()
    return (
        ed.public_bytes(Encoding.Raw, PublicFormat.Raw),
        x.public_bytes(Encoding.Raw, PublicFormat.Raw),
    )


def fingerprint(kind: str, ed25519: bytes, x25519: bytes) -> tuple[str, str]:
    """The fingerprint text and the SHA-512 digest (hex) it is read from."""
    digest = hashlib.sha512(TAG + b"\x00" + kind.encode() + b"\x00" + ed25519 + x25519).digest()
    groups = [int.from_bytes(digest[5 * i : 5 * i + 5], "big") % 100000 for i in range(8)]
    return " ".join(f"{g:05d}" for g in groups), digest.hex()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


#: (kind, label of the key pair or a fixed byte); the same pair under both kinds
#: shows that the kind is part of what is hashed
CASES: list[tuple[str, str]] = [
    ("installation", "site S01 installation 1"),
    ("installation", "site S02 installation 3"),
    ("center", "coordinating center"),
    ("center", "site S01 installation 1"),
    ("installation", "zeros"),
    ("center", "ones"),
]


def keys_of(label: str) -> tuple[bytes, bytes]:
    if label == "zeros":
        return bytes(32), bytes(32)
    if label == "ones":
        return b"\xff" * 32, b"\xff" * 32
    return key_pair(label)


def build() -> dict[str, Any]:
    """The whole vector as JSON-ready data."""
    cases = []
    for kind, label in CASES:
        ed, x = keys_of(label)
        text, digest = fingerprint(kind, ed, x)
        cases.append(
            {
                "kind": kind,
                "label": label,
                "ed25519": ed.hex(),
                "x25519": x.hex(),
                "sha512": digest,
                "fingerprint": text,
                "x25519_sha256": hashlib.sha256(x).hexdigest(),
            }
        )
    site_ed, site_x = key_pair("site S01 installation 1")
    center_ed, center_x = key_pair("coordinating center")
    installation_card = {
        "format": "npc-crf/identity",
        "version": 1,
        "kind": "installation",
        "study_oid": "NPC-SINT-RT",
        "site_id": "S01",
        "installation_id": "7d0f3a52-4c1e-4f57-9a43-2b8e5c6d9f10",
        "installation_number": 1,
        "ed25519": b64(site_ed),
        "x25519": b64(site_x),
        "fingerprint": fingerprint("installation", site_ed, site_x)[0],
        "created_at": "2026-11-21T08:00:00Z",
    }
    center_card = {
        "format": "npc-crf/identity",
        "version": 1,
        "kind": "center",
        "study_oid": "NPC-SINT-RT",
        "center_id": "c3e1b7a0-5d2f-4e8a-9b6c-1f0e2d3c4b5a",
        "ed25519": b64(center_ed),
        "x25519": b64(center_x),
        "fingerprint": fingerprint("center", center_ed, center_x)[0],
        "created_at": "2026-11-20T10:00:00Z",
    }
    return {
        "description": (
            "Test vector of npc-crf key fingerprints (npc-crf/fingerprint version 1) and "
            "identity cards (npc-crf/identity version 1), docs/bundle-format.md §1, made by "
            "tests/vectors/make_fingerprint_vector.py with hashlib."
        ),
        "fingerprints": cases,
        "cards": {"installation": installation_card, "center": center_card},
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
