"""Generate ``center_keys_v1.json``, the test vector of the center key file ``npc-crf/center-keys`` v1.

Run from the repository root::

    python tests/vectors/make_center_keys_vector.py          # (re)write the vector
    python tests/vectors/make_center_keys_vector.py --check  # exit 1 if the file differs

Built from docs/bundle-format.md §6 and docs/center.md with ``cryptography``'s
primitives only; nothing from ``npc_crf`` is imported, so a test that opens this
file with ``npc_crf.center.keys.CenterKeyFile`` proves that code and text agree:

* ``kek = Argon2id(password as UTF-8, salt, iterations, lanes, memory_kib, length 32)``;
* ``private_keys.ciphertext = AES-256-GCM(kek, nonce1, ed25519_private ‖ x25519_private,
  aad="npc-crf/center-keys@1|<center_id>")`` (tag appended);
* ``db_key.ciphertext = AES-256-GCM(kek, nonce2, db_key,
  aad="npc-crf/center-keys@1|<center_id>|database")``;
* ``ed25519`` and ``x25519`` are the raw public keys, base64; ``fingerprint`` (not in the
  file) is SHA-512("npc-crf/fingerprint@1" 0x00 "center" 0x00 ed25519 ‖ x25519) as eight
  groups of five digits (docs/bundle-format.md §1).

Keys, salt and nonces are fixed (SHA-256 of labels) and the Argon2id cost is tiny, so
the vector is reproducible and cheap to check.
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
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

OUT = Path(__file__).with_name("center_keys_v1.json")

CENTER_ID = "cc-npc-sint-rt"
STUDY_OID = "NPC-SINT-RT"
CREATED_AT = "2026-01-05T09:30:00.000000Z"
PASSWORD = "中心 center password 2026"  # noqa: S105 - a published test vector
ITERATIONS, LANES, MEMORY_KIB = 2, 1, 16
STORE = {"kind": "postgresql", "url": "postgresql+psycopg://npc@db.example:5432/npc_center"}


def fixed(label: str, size: int) -> bytes:
    """``size`` reproducible bytes named by ``label``."""
    return hashlib.sha256(f"npc-crf center-keys v1 test vector: {label}".encode()).digest()[:size]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def phone_fingerprint(ed25519: bytes, x25519: bytes) -> str:
    digest = hashlib.sha512(b"npc-crf/fingerprint@1\x00center\x00" + ed25519 + x25519).digest()
    return " ".join(
        f"{int.from_bytes(digest[5 * i : 5 * i + 5], 'big') % 100000:05d}" for i in range(8)
    )


def build() -> dict[str, Any]:
    """The whole vector as JSON-ready data."""
    ed_private, x_private = fixed("ed25519", 32), fixed("x25519", 32)
    db_key = fixed("database key", 32)
    ed_public = (
        Ed25519PrivateKey.from_private_bytes(ed_private)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )
    x_public = (
        X25519PrivateKey.from_private_bytes(x_private)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )
    salt, n1, n2 = fixed("salt", 16), fixed("nonce keys", 12), fixed("nonce db", 12)
    kek = Argon2id(
        salt=salt, length=32, iterations=ITERATIONS, lanes=LANES, memory_cost=MEMORY_KIB
    ).derive(PASSWORD.encode("utf-8"))
    aad = f"npc-crf/center-keys@1|{CENTER_ID}".encode()
    keyfile = {
        "format": "npc-crf/center-keys",
        "version": 1,
        "center_id": CENTER_ID,
        "study_oid": STUDY_OID,
        "created_at": CREATED_AT,
        "ed25519": b64(ed_public),
        "x25519": b64(x_public),
        "kdf": {
            "name": "argon2id",
            "salt": b64(salt),
            "iterations": ITERATIONS,
            "lanes": LANES,
            "memory_kib": MEMORY_KIB,
        },
        "private_keys": {
            "alg": "A256GCM",
            "nonce": b64(n1),
            "ciphertext": b64(AESGCM(kek).encrypt(n1, ed_private + x_private, aad)),
        },
        "db_key": {
            "alg": "A256GCM",
            "nonce": b64(n2),
            "ciphertext": b64(AESGCM(kek).encrypt(n2, db_key, aad + b"|database")),
        },
        "store": STORE,
    }
    return {
        "description": (
            "Test vector of the npc-crf center key file npc-crf/center-keys version 1, made by "
            "tests/vectors/make_center_keys_vector.py from cryptography primitives directly. "
            "The Argon2id cost is far below the application's and is for tests only."
        ),
        "password": PASSWORD,
        "kek": kek.hex(),
        "ed25519_private": ed_private.hex(),
        "x25519_private": x_private.hex(),
        "db_key": db_key.hex(),
        "fingerprint": phone_fingerprint(ed_public, x_public),
        "keyfile": keyfile,
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
