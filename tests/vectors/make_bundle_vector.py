"""Generate ``bundle_v1.json``, the test vector of the bundle file ``npc-crf/bundle`` v1.

Run from the repository root::

    python tests/vectors/make_bundle_vector.py          # (re)write the vector
    python tests/vectors/make_bundle_vector.py --check  # exit 1 if the file differs

Built from docs/bundle-format.md §2 with the standard library and
``cryptography``'s primitives; nothing from ``npc_crf`` is imported, so a test
that reads this vector with ``npc_crf.sync.envelope`` (and writes it again)
proves that the code and the documented format agree:

* ``plain = canonical JSON of the payload``; ``compressed = zlib.compress(plain, 6)``;
* ``shared = X25519(e, recipient public)``; ``salt = e.public ‖ recipient public``;
  ``key = HKDF-SHA256(shared, salt, info="npc-crf/bundle@1 payload", length 32)``;
* ``aad = "npc-crf/bundle@1|<bundle_uuid>|<sender id>|<recipient x25519_sha256>"``;
* ``ciphertext = AES-256-GCM(key).encrypt(nonce, compressed, aad)`` (tag appended);
* the manifest gets ``payload`` = cipher, compression, ephemeral key, nonce,
  SHA-256 and length of the ciphertext, length of ``plain``; its bytes are
  canonical JSON; ``signature = Ed25519(sender).sign("npc-crf/bundle@1\\n" ‖ manifest)``;
* ``file = "NPCBNDL1" ‖ u32 len(manifest) ‖ manifest ‖ u16 64 ‖ signature ‖
  u64 len(ciphertext) ‖ ciphertext`` (big-endian).

Every key and the nonce are fixed (SHA-256 of a label), Ed25519 is
deterministic (RFC 8032), and zlib at level 6 is deterministic for a given zlib
build, so the vector is reproducible; the compressed bytes are recorded so that
a zlib which compresses differently is told apart from a wrong reader.

The tests also use the functions here (:func:`seal`, :func:`sign`,
:func:`frame`, :func:`sample_payload`) to make valid and deliberately broken
bundles without going through the code under test.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import sys
import zlib
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

OUT = Path(__file__).with_name("bundle_v1.json")

MAGIC = b"NPCBNDL1"
SIGNATURE_CONTEXT = b"npc-crf/bundle@1\n"
HKDF_INFO = b"npc-crf/bundle@1 payload"
CIPHER = "X25519-HKDF-SHA256-A256GCM"

STUDY_OID = "NPC-SINT-RT"
SITE_ID = "S01"
INSTALLATION_ID = "7d0f3a52-4c1e-4f57-9a43-2b8e5c6d9f10"
INSTALLATION_NUMBER = 1
CENTER_ID = "c3e1b7a0-5d2f-4e8a-9b6c-1f0e2d3c4b5a"
BUNDLE_UUID = "3f2a9c1d-6b7e-4a58-8c90-d1e2f3a4b5c6"
CREATED_AT = "2026-11-21T08:15:30.123456Z"
APP_VERSION = "0.1.0"


def fixed(label: str, size: int = 32) -> bytes:
    """``size`` reproducible bytes named by ``label``."""
    return hashlib.sha256(f"npc-crf bundle v1 test vector: {label}".encode()).digest()[:size]


SENDER_SEED = fixed("sender ed25519 seed")
RECIPIENT_PRIVATE = fixed("recipient x25519 private key")
EPHEMERAL_PRIVATE = fixed("ephemeral x25519 private key")
NONCE = fixed("nonce", 12)


def canonical(doc: Any) -> bytes:
    """Keys sorted, separators ``,`` ``:``, non-ASCII unescaped, UTF-8."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def x25519_public(private: bytes) -> bytes:
    """The raw public key of a raw X25519 private key."""
    key = X25519PrivateKey.from_private_bytes(private).public_key()
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def ed25519_public(seed: bytes) -> bytes:
    """The raw public key of a raw Ed25519 private key (seed)."""
    key = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


SENDER_PUBLIC = ed25519_public(SENDER_SEED)
RECIPIENT_PUBLIC = x25519_public(RECIPIENT_PRIVATE)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def aad(bundle_uuid: str, sender_id: str, recipient_hash: str) -> bytes:
    """``"npc-crf/bundle@1|" ‖ bundle_uuid ‖ "|" ‖ sender id ‖ "|" ‖ recipient x25519_sha256``."""
    return f"npc-crf/bundle@1|{bundle_uuid}|{sender_id}|{recipient_hash}".encode()


def definition_sha256(form_hashes: dict[str, str]) -> str:
    """``study.definition_sha256``: SHA-256 of the canonical ``{form OID: definition hash}``."""
    return sha256_hex(canonical(form_hashes))


FORM_HASHES = {oid: sha256_hex(f"{oid} form definition".encode()) for oid in ("AE", "DM", "EX")}


def base_manifest(
    payload: dict[str, Any],
    *,
    recipient_public: bytes = RECIPIENT_PUBLIC,
    bundle_uuid: str = BUNDLE_UUID,
) -> dict[str, Any]:
    """A full site-data manifest for ``payload`` with every key of §2 except ``payload``."""
    audit_to = len(payload["audit"])
    return {
        "format": "npc-crf/bundle",
        "version": 1,
        "kind": "site-data",
        "bundle_uuid": bundle_uuid,
        "created_at": CREATED_AT,
        "app_version": APP_VERSION,
        "study": {
            "oid": STUDY_OID,
            "version": "1.0",
            "definition_sha256": definition_sha256(FORM_HASHES),
        },
        "sender": {
            "site_id": SITE_ID,
            "installation_id": INSTALLATION_ID,
            "installation_number": INSTALLATION_NUMBER,
        },
        "recipient": {
            "kind": "center",
            "id": CENTER_ID,
            "x25519_sha256": sha256_hex(recipient_public),
        },
        "sequence": 1,
        "previous_sha256": "0" * 64,
        "full": True,
        "range": {
            "audit_from": 0,
            "audit_to": audit_to,
            "query_marker_from": 0,
            "query_marker_to": 0,
        },
        "audit_head": {"seq": audit_to, "hash": sha256_hex(f"audit entry {audit_to}".encode())},
        "counts": {
            "subjects": len(payload["subjects"]),
            "forms": len(payload["forms"]),
            "values": len(payload["values"]),
            "audit": audit_to,
            "queries": len(payload["queries"]),
            "signatures": len(payload["signatures"]),
            "sdv_forms": len(payload["sdv"]),
            "holds": len(payload["holds"]),
            "acks": 0,
            "definitions": 0,
        },
    }


def sample_payload(subjects: int = 1) -> dict[str, Any]:
    """A site-data payload in the shape of §3 with ``subjects`` subjects (a DM form each)."""
    at = "2026-11-20T09:{:02d}:00.000000Z"
    payload: dict[str, Any] = {
        "format": "npc-crf/bundle-payload",
        "version": 1,
        "installations": [
            {
                "installation_id": INSTALLATION_ID,
                "number": INSTALLATION_NUMBER,
                "ed25519": b64(SENDER_PUBLIC),
                "x25519": b64(x25519_public(fixed("installation x25519 private key"))),
            }
        ],
        "accounts": [
            {"username": "crc", "full_name": "李护士 Li Nurse", "role": "CRC", "active": True}
        ],
        "subjects": [],
        "events": [],
        "forms": [],
        "rows": [],
        "values": [],
        "signatures": [],
        "sdv": [],
        "holds": [],
        "queries": [],
        "audit": [],
    }
    seq = 0
    for n in range(1, subjects + 1):
        subject_id = f"S01-01-{n:04d}"
        event_uid = f"e{n:07d}-0000-4000-8000-000000000000"
        form_uid = f"f{n:07d}-0000-4000-8000-000000000000"
        when = at.format(n % 60)
        payload["subjects"].append(
            {
                "subject_id": subject_id,
                "status": "enrolled",
                "status_reason": None,
                "status_date": "2026-11-20",
                "installation_id": INSTALLATION_ID,
                "created_at": when,
                "created_by": "crc",
            }
        )
        payload["events"].append(
            {
                "uid": event_uid,
                "subject_id": subject_id,
                "event_oid": "SCREENING",
                "occurrence": 1,
                "created_at": when,
                "created_by": "crc",
            }
        )
        payload["forms"].append(
            {
                "uid": form_uid,
                "event_uid": event_uid,
                "form_oid": "DM",
                "form_version": "1.0",
                "definition_hash": FORM_HASHES["DM"],
                "status": "complete",
                "revision": 2,
                "created_at": when,
                "updated_at": when,
                "updated_by": "crc",
            }
        )
        for item, kind, value in (("BRTHDAT", "date", "1968-03-14"), ("SEX", "text", "M")):
            payload["values"].append(
                {
                    "form_uid": form_uid,
                    "row_uid": None,
                    "item_oid": item,
                    "kind": kind,
                    "value": value,
                    "missing_code": None,
                    "override_reason": None,
                    "version": 1,
                    "base_version": 0,
                    "updated_at": when,
                    "updated_by": "crc",
                }
            )
        steps: tuple[tuple[str, str | None, str], ...] = (
            ("subject.create", None, subject_id),
            ("value.set", "BRTHDAT", "1968-03-14"),
            ("value.set", "SEX", "M"),
        )
        for action, item_path, new in steps:
            seq += 1
            payload["audit"].append(
                {
                    "seq": seq,
                    "at_utc": when,
                    "local_offset": "+08:00",
                    "installation_id": INSTALLATION_ID,
                    "username": "crc",
                    "role": "CRC",
                    "action": action,
                    "subject_id": subject_id,
                    "event_oid": "SCREENING" if item_path else None,
                    "occurrence": 1 if item_path else None,
                    "form_oid": "DM" if item_path else None,
                    "item_path": item_path,
                    "row_uid": None,
                    "old_value": None,
                    "new_value": new,
                    "reason": "首次录入 initial entry",
                    "form_version": "1.0" if item_path else None,
                    "app_version": APP_VERSION,
                    "source": "ui",
                }
            )
    return payload


def payload_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    """HKDF-SHA256 of the shared secret, salt = both public keys, the documented info."""
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral_public + recipient_public,
        info=HKDF_INFO,
    ).derive(shared)


def sign(seed: bytes, manifest_bytes: bytes) -> bytes:
    """The sender's Ed25519 signature over the context string and the manifest bytes."""
    return Ed25519PrivateKey.from_private_bytes(seed).sign(SIGNATURE_CONTEXT + manifest_bytes)


def frame(manifest_bytes: bytes, signature: bytes, ciphertext: bytes) -> bytes:
    """The file: magic, then each part after its big-endian length."""
    return b"".join(
        (
            MAGIC,
            len(manifest_bytes).to_bytes(4, "big"),
            manifest_bytes,
            len(signature).to_bytes(2, "big"),
            signature,
            len(ciphertext).to_bytes(8, "big"),
            ciphertext,
        )
    )


def seal(
    manifest: dict[str, Any],
    plain: bytes,
    *,
    sender_seed: bytes = SENDER_SEED,
    recipient_public: bytes = RECIPIENT_PUBLIC,
    ephemeral_private: bytes = EPHEMERAL_PRIVATE,
    nonce: bytes = NONCE,
    compressed: bytes | None = None,
    aad_override: bytes | None = None,
) -> dict[str, Any]:
    """Every intermediate of §2 for ``plain`` (payload bytes) under ``manifest`` (no payload).

    ``compressed`` replaces ``zlib.compress(plain, 6)`` and ``aad_override`` the
    documented AAD: the tests use them to make bundles that must be refused.
    """
    if compressed is None:
        compressed = zlib.compress(plain, 6)
    ephemeral = X25519PrivateKey.from_private_bytes(ephemeral_private)
    ephemeral_public = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public))
    key = payload_key(shared, ephemeral_public, recipient_public)
    sender = manifest["sender"]
    sender_id = (
        sender["center_id"] if manifest["kind"] == "center-return" else sender["installation_id"]
    )
    the_aad = aad_override or aad(manifest["bundle_uuid"], sender_id, sha256_hex(recipient_public))
    ciphertext = AESGCM(key).encrypt(nonce, compressed, the_aad)
    doc = copy.deepcopy(manifest)
    doc["payload"] = {
        "cipher": CIPHER,
        "compression": "zlib",
        "ephemeral_x25519": b64(ephemeral_public),
        "nonce": b64(nonce),
        "sha256": sha256_hex(ciphertext),
        "bytes": len(ciphertext),
        "plain_bytes": len(plain),
    }
    manifest_bytes = canonical(doc)
    signature = sign(sender_seed, manifest_bytes)
    return {
        "plain": plain,
        "compressed": compressed,
        "ephemeral_public": ephemeral_public,
        "shared": shared,
        "salt": ephemeral_public + recipient_public,
        "key": key,
        "aad": the_aad,
        "ciphertext": ciphertext,
        "manifest": doc,
        "manifest_bytes": manifest_bytes,
        "signature": signature,
        "file": frame(manifest_bytes, signature, ciphertext),
    }


def build() -> dict[str, Any]:
    """The whole vector as JSON-ready data."""
    payload = sample_payload(1)
    manifest = base_manifest(payload)
    plain = canonical(payload)
    sealed = seal(manifest, plain)
    m = len(sealed["manifest_bytes"])
    c = len(sealed["ciphertext"])
    return {
        "description": (
            "Test vector of the npc-crf bundle file npc-crf/bundle version 1 "
            "(docs/bundle-format.md §2), made by tests/vectors/make_bundle_vector.py from "
            "cryptography primitives directly. Keys and nonce are fixed for the vector only; "
            "a real bundle uses a fresh ephemeral key and a random nonce."
        ),
        "file_name": f"{STUDY_OID}-{SITE_ID}-{INSTALLATION_NUMBER:02d}-000001-{BUNDLE_UUID[:8]}.npcb",
        "keys": {
            "sender_ed25519_seed": SENDER_SEED.hex(),
            "sender_ed25519_public": SENDER_PUBLIC.hex(),
            "recipient_x25519_private": RECIPIENT_PRIVATE.hex(),
            "recipient_x25519_public": RECIPIENT_PUBLIC.hex(),
            "recipient_x25519_sha256": sha256_hex(RECIPIENT_PUBLIC),
            "ephemeral_x25519_private": EPHEMERAL_PRIVATE.hex(),
            "ephemeral_x25519_public": sealed["ephemeral_public"].hex(),
        },
        "recipient_id": CENTER_ID,
        "manifest_without_payload": manifest,
        "payload": payload,
        "payload_json": plain.decode("utf-8"),
        "payload_sha256": sha256_hex(plain),
        "compressed": {"level": 6, "hex": sealed["compressed"].hex()},
        "shared_secret": sealed["shared"].hex(),
        "hkdf": {
            "salt": sealed["salt"].hex(),
            "info": HKDF_INFO.decode("ascii"),
            "key": sealed["key"].hex(),
        },
        "nonce": NONCE.hex(),
        "aad": sealed["aad"].decode("utf-8"),
        "ciphertext": sealed["ciphertext"].hex(),
        "manifest": sealed["manifest"],
        "manifest_json": sealed["manifest_bytes"].decode("utf-8"),
        "manifest_sha256": sha256_hex(sealed["manifest_bytes"]),
        "signed_message_prefix": SIGNATURE_CONTEXT.decode("ascii"),
        "signature": sealed["signature"].hex(),
        "layout": {
            "magic": [0, 8],
            "manifest_length": [8, 12],
            "manifest": [12, 12 + m],
            "signature_length": [12 + m, 14 + m],
            "signature": [14 + m, 78 + m],
            "ciphertext_length": [78 + m, 86 + m],
            "ciphertext": [86 + m, 86 + m + c],
        },
        "file": sealed["file"].hex(),
        "file_sha256": sha256_hex(sealed["file"]),
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
