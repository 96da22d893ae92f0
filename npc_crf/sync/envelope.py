"""The bundle file: framing, manifest, Ed25519 signature, encrypted payload (docs/bundle-format.md §2).

Writing: :func:`seal_bundle` compresses and encrypts the payload for the
recipient's X25519 key, completes the manifest and signs it. Reading is split
into the checks of §2 so that the caller can look up keys between them:
:func:`read_envelope` (framing, manifest), :func:`verify_sender` (signature),
:func:`check_recipient`, :func:`open_payload` (payload hash, decrypt,
decompress, JSON). Every refusal is a :class:`BundleRefused` naming its check.

Only ``cryptography``'s primitives are composed here: X25519, HKDF-SHA256,
AES-256-GCM, Ed25519, SHA-256; compression is zlib.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from npc_crf.core.errors import BundleRefused
from npc_crf.sync.fingerprint import recipient_sha256

FORMAT = "npc-crf/bundle"
VERSION = 1
MAGIC = b"NPCBNDL1"
CIPHER = "X25519-HKDF-SHA256-A256GCM"
SIGNATURE_CONTEXT = b"npc-crf/bundle@1\n"
HKDF_INFO = b"npc-crf/bundle@1 payload"
MAX_MANIFEST = 1 << 20
MAX_CIPHERTEXT = 1 << 32
MAX_PLAIN = 1 << 31
KINDS = ("site-data", "center-return")
COUNT_NAMES = (
    "subjects",
    "forms",
    "values",
    "audit",
    "queries",
    "signatures",
    "sdv_forms",
    "holds",
    "acks",
    "definitions",
)

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


def _short(value: object, limit: int = 60) -> str:
    """``repr`` of text from a file, cut short: refusals quote it to people, not whole."""
    return _cut(repr(value), limit)


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def canonical_bytes(doc: Any) -> bytes:
    """Canonical JSON: keys sorted, no spaces, non-ASCII kept, UTF-8."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def payload_bytes(doc: Any) -> bytes:
    """The payload's canonical JSON: the same bytes as :func:`canonical_bytes`, made by
    orjson (a 115 MB payload of a 300-subject site encodes in a tenth of the time)."""
    return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _raw_public(key: X25519PublicKey | Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _aad(bundle_uuid: str, sender_id: str, recipient_hash: str) -> bytes:
    return f"npc-crf/bundle@1|{bundle_uuid}|{sender_id}|{recipient_hash}".encode()


def _payload_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral_public + recipient_public,
        info=HKDF_INFO,
    ).derive(shared)


def sender_id(manifest: Mapping[str, Any]) -> str:
    """The ID the AAD binds: the installation ID, or the center ID for a return bundle."""
    sender = manifest["sender"]
    return str(
        sender["center_id"] if manifest["kind"] == "center-return" else sender["installation_id"]
    )


# -- writing -----------------------------------------------------------------------------------


def seal_bundle(
    manifest: Mapping[str, Any],
    payload: Mapping[str, Any],
    *,
    signing_key: Ed25519PrivateKey,
    recipient_x25519: bytes,
) -> tuple[bytes, dict[str, Any]]:
    """The bundle file's bytes and the complete manifest.

    ``manifest`` holds every key of §2 except ``payload``, which this fills in.
    The manifest is checked as a reader would check it before anything is signed.
    """
    doc = dict(manifest)
    plain = payload_bytes(payload)
    compressed = zlib.compress(plain, 6)
    recipient = X25519PublicKey.from_public_bytes(recipient_x25519)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = _raw_public(ephemeral.public_key())
    key = _payload_key(ephemeral.exchange(recipient), ephemeral_public, recipient_x25519)
    nonce = os.urandom(12)
    recipient_hash = recipient_sha256(recipient_x25519)
    ciphertext = AESGCM(key).encrypt(
        nonce, compressed, _aad(str(doc["bundle_uuid"]), sender_id(doc), recipient_hash)
    )
    doc["payload"] = {
        "cipher": CIPHER,
        "compression": "zlib",
        "ephemeral_x25519": _b64(ephemeral_public),
        "nonce": _b64(nonce),
        "sha256": hashlib.sha256(ciphertext).hexdigest(),
        "bytes": len(ciphertext),
        "plain_bytes": len(plain),
    }
    _check_manifest(doc)
    if doc["recipient"]["x25519_sha256"] != recipient_hash:
        raise ValueError("the manifest names another recipient key than the one encrypted for")
    manifest_bytes = canonical_bytes(doc)
    signature = signing_key.sign(SIGNATURE_CONTEXT + manifest_bytes)
    data = b"".join(
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
    return data, doc


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Envelope:
    """A bundle whose framing and manifest are valid; nothing is verified beyond that yet."""

    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: bytes
    ciphertext: bytes

    @property
    def manifest_sha256(self) -> str:
        """Identifies the bundle in its stream (``previous_sha256`` of the next one)."""
        return hashlib.sha256(self.manifest_bytes).hexdigest()

    @property
    def kind(self) -> str:
        """``site-data`` or ``center-return``."""
        return str(self.manifest["kind"])

    @property
    def bundle_uuid(self) -> str:
        """The bundle's UUID."""
        return str(self.manifest["bundle_uuid"])

    @property
    def sequence(self) -> int:
        """The position in the sender's stream to this recipient."""
        return int(self.manifest["sequence"])


def read_envelope(data: bytes) -> Envelope:
    """Checks 1 (framing) and 2 (manifest) of §2."""
    view = memoryview(data)
    pos = 0

    def take(n: int, what: str) -> bytes:
        nonlocal pos
        if n < 0 or pos + n > len(view):
            raise BundleRefused(
                "framing",
                f"the file ends inside the {what} (byte {len(view)} of at least {pos + n}); "
                "it is truncated",
            )
        chunk = bytes(view[pos : pos + n])
        pos += n
        return chunk

    if take(len(MAGIC), "file signature") != MAGIC:
        raise BundleRefused("framing", "this is not an npc-crf bundle (wrong magic bytes)")
    m = int.from_bytes(take(4, "manifest length"), "big")
    if not 0 < m <= MAX_MANIFEST:
        raise BundleRefused("framing", f"manifest length {m} is outside 1 … {MAX_MANIFEST}")
    manifest_bytes = take(m, "manifest")
    s = int.from_bytes(take(2, "signature length"), "big")
    if s != 64:
        raise BundleRefused("framing", f"signature length {s} is not 64")
    signature = take(s, "signature")
    c = int.from_bytes(take(8, "payload length"), "big")
    if c > MAX_CIPHERTEXT:
        raise BundleRefused("framing", f"payload length {c} is too large")
    ciphertext = take(c, "payload")
    if pos != len(view):
        raise BundleRefused("framing", f"{len(view) - pos} unexpected byte(s) after the payload")
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise BundleRefused("manifest", f"the manifest is not JSON ({exc})") from None
    if not isinstance(manifest, dict):
        raise BundleRefused("manifest", "the manifest is not a JSON object")
    _check_manifest(manifest)
    try:
        canonical: bytes | None = canonical_bytes(manifest)
    except ValueError:  # a lone surrogate cannot be UTF-8
        canonical = None
    if canonical != manifest_bytes:
        raise BundleRefused("manifest", "the manifest is not in canonical form")
    return Envelope(manifest, manifest_bytes, signature, ciphertext)


def verify_sender(envelope: Envelope, ed25519_public: bytes) -> None:
    """Check 4: the Ed25519 signature over the manifest, with the sender's registered key."""
    try:
        Ed25519PublicKey.from_public_bytes(ed25519_public).verify(
            envelope.signature, SIGNATURE_CONTEXT + envelope.manifest_bytes
        )
    except InvalidSignature:
        raise BundleRefused(
            "signature",
            "the manifest's Ed25519 signature does not verify with the sender's registered key "
            "(the bundle was changed, or another key signed it)",
        ) from None


def check_recipient(envelope: Envelope, recipient_id: str, x25519_public: bytes) -> None:
    """Check 5: the bundle was encrypted for this reader."""
    recipient = envelope.manifest["recipient"]
    if recipient["x25519_sha256"] != recipient_sha256(x25519_public):
        raise BundleRefused(
            "recipient",
            f"the bundle was encrypted for another key (x25519 {recipient['x25519_sha256'][:16]}…), "
            "not for this reader's",
        )
    if recipient["id"] != recipient_id:
        raise BundleRefused(
            "recipient", f"the bundle is addressed to {recipient['id']!r}, not {recipient_id!r}"
        )


def open_payload(envelope: Envelope, x25519_private: bytes) -> dict[str, Any]:
    """Checks 7–9 and the JSON parse: the payload as a dict (validate it next)."""
    info = envelope.manifest["payload"]
    if info["bytes"] != len(envelope.ciphertext):
        raise BundleRefused(
            "payload-hash",
            f"the payload is {len(envelope.ciphertext)} bytes, the manifest says {info['bytes']}",
        )
    if hashlib.sha256(envelope.ciphertext).hexdigest() != info["sha256"]:
        raise BundleRefused("payload-hash", "the payload's SHA-256 differs from the manifest's")
    private = X25519PrivateKey.from_private_bytes(x25519_private)
    recipient_public = _raw_public(private.public_key())
    ephemeral_public = base64.b64decode(info["ephemeral_x25519"])
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    except ValueError:
        raise BundleRefused("decrypt", "the ephemeral key is not usable") from None
    key = _payload_key(shared, ephemeral_public, recipient_public)
    aad = _aad(
        envelope.bundle_uuid,
        sender_id(envelope.manifest),
        envelope.manifest["recipient"]["x25519_sha256"],
    )
    try:
        compressed = AESGCM(key).decrypt(base64.b64decode(info["nonce"]), envelope.ciphertext, aad)
    except InvalidTag:
        raise BundleRefused(
            "decrypt", "AES-GCM authentication failed: the payload was changed or damaged"
        ) from None
    limit = int(info["plain_bytes"])
    try:
        inflater = zlib.decompressobj()
        plain = inflater.decompress(compressed, limit + 1)
        complete = inflater.eof and not inflater.unconsumed_tail and not inflater.unused_data
    except zlib.error as exc:
        raise BundleRefused("decompress", f"the payload does not decompress ({exc})") from None
    if not complete or len(plain) != limit:
        raise BundleRefused(
            "decompress",
            f"the payload decompresses to {'more than ' if not complete else ''}"
            f"{len(plain)} bytes, the manifest says {limit}",
        )
    try:
        doc = orjson.loads(plain)
    except (ValueError, RecursionError) as exc:
        raise BundleRefused("payload", f"the payload is not JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise BundleRefused("payload", "the payload is not a JSON object")
    return doc


# -- the manifest's shape (check 2) ------------------------------------------------------------


def _check_manifest(doc: Mapping[str, Any]) -> None:
    def bad(where: str, problem: str) -> BundleRefused:
        return BundleRefused("manifest", f"manifest{'.' if where else ''}{where}: {problem}")

    def keys(obj: object, where: str, names: set[str]) -> Mapping[str, Any]:
        if not isinstance(obj, dict):
            raise bad(where, "must be an object")
        if missing := sorted(names - set(obj)):
            raise bad(where, f"missing {', '.join(missing)}")
        if unknown := sorted(set(obj) - names):
            raise bad(where, f"unknown {_cut(', '.join(unknown))}")
        return obj

    def text(
        obj: Mapping[str, Any], name: str, where: str, pattern: re.Pattern[str] | None = None
    ) -> str:
        value = obj[name]
        if not isinstance(value, str) or not value or len(value) > 200:
            raise bad(f"{where}{name}", "must be non-empty text (at most 200 characters)")
        if pattern is not None and not pattern.fullmatch(value):
            raise bad(f"{where}{name}", f"{value!r} is not in the expected form")
        return value

    def integer(obj: Mapping[str, Any], name: str, where: str, low: int = 0) -> int:
        value = obj[name]
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise bad(f"{where}{name}", f"must be a whole number ≥ {low}")
        return value

    top = {
        "format", "version", "kind", "bundle_uuid", "created_at", "app_version", "study",
        "sender", "recipient", "sequence", "previous_sha256", "full", "range", "audit_head",
        "counts", "payload",
    }  # fmt: skip
    if doc.get("format") != FORMAT:
        raise bad("format", f"{_short(doc.get('format'))} is not {FORMAT!r}")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version != VERSION:
        raise bad(
            "version",
            f"bundle format version {_short(version)} is not supported (this npc-crf "
            f"reads version {VERSION}; a newer npc-crf wrote it)",
        )
    keys(doc, "", top)
    kind = doc["kind"]
    if kind not in KINDS:
        raise bad("kind", f"{_short(kind)} is not one of {', '.join(KINDS)}")
    text(doc, "bundle_uuid", "", _UUID)
    text(doc, "created_at", "", _TIME)
    text(doc, "app_version", "")
    study = keys(doc["study"], "study", {"oid", "version", "definition_sha256"})
    text(study, "oid", "study.")
    text(study, "version", "study.")
    text(study, "definition_sha256", "study.", _HEX64)
    if kind == "site-data":
        sender = keys(
            doc["sender"], "sender", {"site_id", "installation_id", "installation_number"}
        )
        text(sender, "site_id", "sender.")
        text(sender, "installation_id", "sender.")
        integer(sender, "installation_number", "sender.", 1)
    else:
        sender = keys(doc["sender"], "sender", {"center_id"})
        text(sender, "center_id", "sender.")
    recipient = keys(doc["recipient"], "recipient", {"kind", "id", "x25519_sha256"})
    expected = "center" if kind == "site-data" else "installation"
    if recipient["kind"] != expected:
        raise bad("recipient.kind", f"must be {expected!r} for a {kind} bundle")
    text(recipient, "id", "recipient.")
    text(recipient, "x25519_sha256", "recipient.", _HEX64)
    integer(doc, "sequence", "", 1)
    text(doc, "previous_sha256", "", _HEX64)
    if not isinstance(doc["full"], bool):
        raise bad("full", "must be true or false")
    if kind == "site-data":
        rng = keys(
            doc["range"],
            "range",
            {"audit_from", "audit_to", "query_marker_from", "query_marker_to"},
        )
        for name in rng:
            integer(rng, name, "range.")
        if rng["audit_from"] > rng["audit_to"]:
            raise bad("range", "audit_from is after audit_to")
        if rng["query_marker_from"] > rng["query_marker_to"]:
            raise bad("range", "query_marker_from is after query_marker_to")
        head = keys(doc["audit_head"], "audit_head", {"seq", "hash"})
        integer(head, "seq", "audit_head.")
        text(head, "hash", "audit_head.", _HEX64)
        if head["seq"] != rng["audit_to"]:
            raise bad("audit_head.seq", "must equal range.audit_to")
    else:
        keys(doc["range"], "range", set())
        if doc["audit_head"] is not None:
            raise bad("audit_head", "must be null in a return bundle")
        if doc["full"] is not True:
            raise bad("full", "return bundles are always full")
    counts = keys(doc["counts"], "counts", set(COUNT_NAMES))
    for name in COUNT_NAMES:
        integer(counts, name, "counts.")
    if "payload" in doc:
        _check_payload_info(doc["payload"], bad, keys, text, integer)


def _check_payload_info(info: object, bad: Any, keys: Any, text: Any, integer: Any) -> None:
    names = {"cipher", "compression", "ephemeral_x25519", "nonce", "sha256", "bytes", "plain_bytes"}
    payload = keys(info, "payload", names)
    if payload["cipher"] != CIPHER:
        raise bad("payload.cipher", f"{_short(payload['cipher'])} is not {CIPHER!r}")
    if payload["compression"] != "zlib":
        raise bad("payload.compression", f"{_short(payload['compression'])} is not 'zlib'")
    for name, size in (("ephemeral_x25519", 32), ("nonce", 12)):
        raw = text(payload, name, "payload.")
        try:
            decoded = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise bad(f"payload.{name}", "is not base64") from None
        if len(decoded) != size or base64.b64encode(decoded).decode() != raw:
            raise bad(f"payload.{name}", f"must be {size} bytes in canonical base64")
    text(payload, "sha256", "payload.", _HEX64)
    if integer(payload, "bytes", "payload.", 16) > MAX_CIPHERTEXT:
        raise bad("payload.bytes", "is too large")
    if integer(payload, "plain_bytes", "payload.", 2) > MAX_PLAIN:
        raise bad("payload.plain_bytes", "is too large (more than 2 GiB)")
