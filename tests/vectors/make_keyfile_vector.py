"""Generate ``keyfile_v1.json``, the test vector of the key file format ``npc-crf/keyfile`` v1.

Run from the repository root::

    python tests/vectors/make_keyfile_vector.py          # (re)write the vector
    python tests/vectors/make_keyfile_vector.py --check  # exit 1 if the file differs

Everything is built from the format's description with ``cryptography``'s
primitives directly; nothing from ``npc_crf`` is imported, so a test that reads
this vector with ``npc_crf.store.keyfile.KeyFile`` proves that the code and the
documented format agree:

* per account: ``kek = Argon2id(password as UTF-8, salt, iterations, lanes,
  memory_kib, length 32)``; ``ciphertext = AES-256-GCM(kek, nonce, db_key,
  aad="npc-crf/keyfile@1|<installation_id>|<user>")`` (tag appended);
* recovery: ``kek = HKDF-SHA256(recovery_key, salt, info="npc-crf/keyfile@1
  recovery", length 32)``; the same AES-GCM wrap with the user ``#recovery``;
* the recovery key is printed as base32 (no padding) of its 32 bytes followed by
  the first 4 base32 letters of SHA-256 of those bytes, in groups of four
  joined by ``-``.

All salts, nonces and keys are fixed (derived from labels with SHA-256), and
the Argon2id costs are tiny, so the vector is reproducible and cheap to check.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

OUT = Path(__file__).with_name("keyfile_v1.json")

SITE_ID = "S01"
INSTALLATION_ID = "7d0f3a52-4c1e-4f57-9a43-2b8e5c6d9f10"
CREATED_AT = "2026-01-05T09:30:00+00:00"

#: user → (password, iterations, lanes, memory_kib, failed_logins); costs differ per
#: account so that a reader which ignores the stored cost fails
ACCOUNTS: dict[str, tuple[str, int, int, int, int]] = {
    "alice": ("correct horse battery staple", 2, 1, 16, 0),
    "bob": ("鼻咽癌 试验 password 2026", 1, 2, 32, 2),
}
POLICY = {
    "max_failed_logins": 5,
    "lockout_minutes": 15,
    "idle_lock_minutes": 10,
    "min_password_length": 10,
}


def fixed(label: str, size: int) -> bytes:
    """``size`` reproducible bytes named by ``label``."""
    return hashlib.sha256(f"npc-crf keyfile v1 test vector: {label}".encode()).digest()[:size]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def aad(user: str) -> bytes:
    return f"npc-crf/keyfile@1|{INSTALLATION_ID}|{user}".encode()


def recovery_text(raw: bytes) -> str:
    text = base64.b32encode(raw).decode("ascii").rstrip("=")
    text += base64.b32encode(hashlib.sha256(raw).digest()).decode("ascii")[:4]
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def build() -> dict[str, Any]:
    """The whole vector as JSON-ready data."""
    db_key = fixed("database key", 32)
    accounts: dict[str, Any] = {}
    secrets: dict[str, Any] = {}
    for user, (password, iterations, lanes, memory_kib, failed) in ACCOUNTS.items():
        salt, nonce = fixed(f"salt {user}", 16), fixed(f"nonce {user}", 12)
        kek = Argon2id(
            salt=salt, length=32, iterations=iterations, lanes=lanes, memory_cost=memory_kib
        ).derive(password.encode("utf-8"))
        ciphertext = AESGCM(kek).encrypt(nonce, db_key, aad(user))
        accounts[user] = {
            "kdf": {
                "name": "argon2id",
                "salt": b64(salt),
                "iterations": iterations,
                "lanes": lanes,
                "memory_kib": memory_kib,
            },
            "wrap": {"alg": "A256GCM", "nonce": b64(nonce), "ciphertext": b64(ciphertext)},
            "failed_logins": failed,
            "locked_until": None,
        }
        secrets[user] = {"password": password, "kek": kek.hex()}
    raw = fixed("recovery key", 32)
    rsalt, rnonce = fixed("recovery salt", 16), fixed("recovery nonce", 12)
    rkek = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=rsalt, info=b"npc-crf/keyfile@1 recovery"
    ).derive(raw)
    rciphertext = AESGCM(rkek).encrypt(rnonce, db_key, aad("#recovery"))
    keyfile = {
        "format": "npc-crf/keyfile",
        "version": 1,
        "site_id": SITE_ID,
        "installation_id": INSTALLATION_ID,
        "created_at": CREATED_AT,
        "accounts": accounts,
        "recovery": {
            "kdf": {"name": "hkdf-sha256", "salt": b64(rsalt)},
            "wrap": {"alg": "A256GCM", "nonce": b64(rnonce), "ciphertext": b64(rciphertext)},
        },
        "pending_events": [],
        "login_policy": POLICY,
    }
    return {
        "description": (
            "Test vector of the npc-crf key file format npc-crf/keyfile version 1, made by "
            "tests/vectors/make_keyfile_vector.py from cryptography primitives directly. "
            "The Argon2id costs are far below the application's and are for tests only."
        ),
        "db_key": db_key.hex(),
        "accounts": secrets,
        "recovery": {"raw": raw.hex(), "text": recovery_text(raw), "kek": rkek.hex()},
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
