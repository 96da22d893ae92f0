"""Bundles the envelope must refuse, each by the check of docs/bundle-format.md §2 that names it.

Every broken bundle is made with the primitives of ``tests/vectors/make_bundle_vector.py``
(not with the code under test) and, where the manifest changes, signed again by
the sender's key: the check that is meant to catch it has to, on its own.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from npc_crf.core.errors import BundleRefused, UsageError
from npc_crf.sync.envelope import check_recipient, open_payload, read_envelope, verify_sender
from npc_crf.sync.fingerprint import check_typed_fingerprint, normalize_fingerprint


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        name, Path(__file__).parent / "vectors" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _load("make_bundle_vector")
PAYLOAD: dict[str, Any] = GEN.sample_payload(1)
PLAIN: bytes = GEN.canonical(PAYLOAD)
MANIFEST: dict[str, Any] = GEN.base_manifest(PAYLOAD)
SEALED: dict[str, Any] = GEN.seal(MANIFEST, PLAIN)
GOOD: bytes = SEALED["file"]
M = len(SEALED["manifest_bytes"])
OTHER_X25519 = GEN.x25519_public(GEN.fixed("somebody else's x25519 key"))
OTHER_SEED = GEN.fixed("somebody else's ed25519 seed")


def read_all(
    data: bytes,
    *,
    sender: bytes = GEN.SENDER_PUBLIC,
    recipient_id: str = GEN.CENTER_ID,
    recipient_public: bytes = GEN.RECIPIENT_PUBLIC,
    recipient_private: bytes = GEN.RECIPIENT_PRIVATE,
) -> dict[str, Any]:
    """The envelope's whole reading pipeline, in the order of §2."""
    env = read_envelope(data)
    verify_sender(env, sender)
    check_recipient(env, recipient_id, recipient_public)
    return open_payload(env, recipient_private)


# -- ways to make broken bundles -------------------------------------------------------------


def signed_manifest(manifest_bytes: bytes, ciphertext: bytes = SEALED["ciphertext"]) -> bytes:
    """A bundle around these manifest bytes, correctly signed and framed."""
    return bytes(GEN.frame(manifest_bytes, GEN.sign(GEN.SENDER_SEED, manifest_bytes), ciphertext))


def resigned(change: Callable[[dict[str, Any]], object]) -> bytes:
    """The good bundle with its manifest changed by ``change`` and signed again."""
    doc = copy.deepcopy(SEALED["manifest"])
    change(doc)
    return signed_manifest(GEN.canonical(doc))


def replaced(old: str, new: str) -> bytes:
    """The good manifest's text with ``old`` replaced once by ``new``, signed again."""
    text = SEALED["manifest_bytes"].decode("utf-8")
    assert text.count(old) == 1, old
    return signed_manifest(text.replace(old, new).encode("utf-8"))


def sealed(plain: bytes = PLAIN, manifest: dict[str, Any] = MANIFEST, **options: Any) -> bytes:
    """A bundle sealed by the primitives with some input changed (see ``GEN.seal``)."""
    return bytes(GEN.seal(manifest, plain, **options)["file"])


def sealed_then(
    change: Callable[[dict[str, Any]], object], manifest: dict[str, Any] = MANIFEST
) -> bytes:
    """A bundle sealed by the primitives, then its manifest changed and signed again."""
    parts = GEN.seal(manifest, PLAIN)
    doc = copy.deepcopy(parts["manifest"])
    change(doc)
    return signed_manifest(GEN.canonical(doc), parts["ciphertext"])


def set_path(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change setting ``a.b.c`` of the manifest to ``value``."""

    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for name in parents:
            doc = doc[name]
        doc[last] = value

    return change


def drop_path(path: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for name in parents:
            doc = doc[name]
        del doc[last]

    return change


def flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def tampered_ciphertext_rehashed(doc: dict[str, Any]) -> bytes:
    """Ciphertext changed, manifest hash updated and re-signed: only AES-GCM can tell."""
    ciphertext = flip(SEALED["ciphertext"], 5)
    doc = copy.deepcopy(SEALED["manifest"])
    doc["payload"]["sha256"] = GEN.sha256_hex(ciphertext)
    return signed_manifest(GEN.canonical(doc), ciphertext)


def lengths(m: int = M, s: int = 64, c: int | None = None) -> bytes:
    """The good bundle with its length fields replaced (parts unchanged)."""
    ciphertext = SEALED["ciphertext"]
    c = len(ciphertext) if c is None else c
    return b"".join(
        (
            GEN.MAGIC,
            m.to_bytes(4, "big"),
            SEALED["manifest_bytes"],
            s.to_bytes(2, "big"),
            SEALED["signature"],
            c.to_bytes(8, "big"),
            ciphertext,
        )
    )


def return_manifest(sender_center: str = GEN.CENTER_ID) -> dict[str, Any]:
    """A center-return manifest from the center to the vector's installation."""
    doc = copy.deepcopy(MANIFEST)
    doc |= {
        "kind": "center-return",
        "sender": {"center_id": sender_center},
        "recipient": {
            "kind": "installation",
            "id": GEN.INSTALLATION_ID,
            "x25519_sha256": GEN.sha256_hex(GEN.RECIPIENT_PUBLIC),
        },
        "range": {},
        "audit_head": None,
        "full": True,
    }
    return doc


# -- the refusal table -----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A bundle, the check that must refuse it, and words its message must contain."""

    id: str
    data: bytes
    check: str
    fragment: str
    reader: dict[str, Any] = field(default_factory=dict)


_BOUNDARIES = {
    "empty": 0,
    "inside-magic": 5,
    "after-magic": 8,
    "inside-manifest-length": 10,
    "after-manifest-length": 12,
    "inside-manifest": 12 + M // 2,
    "after-manifest": 12 + M,
    "inside-signature-length": 13 + M,
    "after-signature-length": 14 + M,
    "inside-signature": 14 + M + 32,
    "after-signature": 78 + M,
    "inside-payload-length": 82 + M,
    "after-payload-length": 86 + M,
    "inside-payload": 86 + M + 10,
    "one-byte-short": len(GOOD) - 1,
}

FRAMING = [
    Case("wrong-magic", b"NPCBNDL2" + GOOD[8:], "framing", "not an npc-crf bundle"),
    Case("zip-file", b"PK\x03\x04" + GOOD[4:], "framing", "wrong magic"),
    *[
        Case(f"truncated-{name}", GOOD[:at], "framing", "truncated")
        for name, at in _BOUNDARIES.items()
    ],
    Case("trailing-byte", GOOD + b"\x00", "framing", "1 unexpected byte(s) after the payload"),
    Case("trailing-bundle", GOOD + GOOD, "framing", "unexpected byte(s)"),
    Case("manifest-length-zero", lengths(m=0), "framing", "outside 1"),
    Case("manifest-length-over-1-mib", lengths(m=(1 << 20) + 1), "framing", "outside 1"),
    Case("manifest-length-short", lengths(m=M - 1), "framing", "signature length"),
    Case("manifest-length-long", lengths(m=M + 1), "framing", "signature length"),
    Case("signature-length-63", lengths(s=63), "framing", "signature length 63 is not 64"),
    Case("signature-length-65", lengths(s=65), "framing", "signature length 65 is not 64"),
    Case("payload-length-over-4-gib", lengths(c=(1 << 32) + 1), "framing", "too large"),
    Case("payload-length-4-gib", lengths(c=1 << 32), "framing", "truncated"),
    Case("payload-length-short", lengths(c=len(SEALED["ciphertext"]) - 1), "framing", "after"),
    Case("payload-length-long", lengths(c=len(SEALED["ciphertext"]) + 1), "framing", "truncated"),
]

_TEXT = SEALED["manifest_bytes"].decode("utf-8")
_DOC = SEALED["manifest"]

MANIFEST_CASES = [
    # not JSON, not an object, not canonical
    Case(
        "not-utf8", signed_manifest(b"\xff" + SEALED["manifest_bytes"][1:]), "manifest", "not JSON"
    ),
    Case("not-json", signed_manifest(b"{" + SEALED["manifest_bytes"]), "manifest", "not JSON"),
    Case(
        "json-array",
        signed_manifest(b"[" + SEALED["manifest_bytes"] + b"]"),
        "manifest",
        "not a JSON object",
    ),
    Case(
        "byte-order-mark",
        signed_manifest(b"\xef\xbb\xbf" + SEALED["manifest_bytes"]),
        "manifest",
        "not JSON",
    ),
    Case(
        "spaces",
        signed_manifest(json.dumps(_DOC, sort_keys=True, ensure_ascii=False).encode()),
        "manifest",
        "not in canonical form",
    ),
    Case(
        "key-order",
        signed_manifest(json.dumps(dict(reversed(_DOC.items())), separators=(",", ":")).encode()),
        "manifest",
        "not in canonical form",
    ),
    Case(
        "non-ascii-escaped",
        signed_manifest(
            json.dumps(
                {**_DOC, "app_version": "0.1.0 测试"}, sort_keys=True, separators=(",", ":")
            ).encode()
        ),
        "manifest",
        "not in canonical form",
    ),
    Case(
        "newline-at-end", signed_manifest(SEALED["manifest_bytes"] + b"\n"), "manifest", "canonical"
    ),
    Case(
        "duplicate-key",
        signed_manifest(SEALED["manifest_bytes"][:-1] + b',"sequence":1}'),
        "manifest",
        "canonical",
    ),
    Case(
        "escaped-letter",
        replaced('"app_version":"0.1.0"', '"app_version":"0.1.\\u0030"'),
        "manifest",
        "canonical",
    ),
    Case(
        "float-sequence",
        replaced('"sequence":1,', '"sequence":1.0,'),
        "manifest",
        "manifest.sequence",
    ),
    # The reader must refuse these manifests, not crash on them: they are parsed before
    # any signature is checked, so anybody can make them.
    Case(
        "integer-of-5000-digits",
        replaced('"sequence":1,', '"sequence":' + "1" * 5000 + ","),
        "manifest",
        "manifest",
    ),
    Case(
        "nested-100000-deep",
        replaced('"app_version":"0.1.0"', '"app_version":' + "[" * 100_000 + "]" * 100_000),
        "manifest",
        "manifest",
    ),
    Case(
        "lone-surrogate-escape",
        replaced('"app_version":"0.1.0"', '"app_version":"0.1.0\\ud800"'),
        "manifest",
        "manifest",
    ),
    # "version" is the integer 1, not a value equal to it
    Case(
        "version-true", replaced('"version":1}', '"version":true}'), "manifest", "manifest.version"
    ),
    Case(
        "version-float", replaced('"version":1}', '"version":1.0}'), "manifest", "manifest.version"
    ),
    # created_at is ASCII digits (docs/bundle-format.md: YYYY-MM-DDTHH:MM:SS.ffffffZ)
    Case(
        "created-at-arabic-indic-digits",
        resigned(set_path("created_at", "٢٠٢٦-11-21T08:15:30.123456Z")),
        "manifest",
        "manifest.created_at",
    ),
    # keys and values
    Case("newer-version", resigned(set_path("version", 2)), "manifest", "a newer npc-crf wrote it"),
    Case(
        "other-format",
        resigned(set_path("format", "npc-crf/keyfile")),
        "manifest",
        "manifest.format",
    ),
    Case(
        "unknown-key", resigned(set_path("comment", "hi")), "manifest", "manifest: unknown comment"
    ),
    Case(
        "unknown-nested-key",
        resigned(set_path("sender.site_name", "Sun Yat-sen")),
        "manifest",
        "manifest.sender: unknown site_name",
    ),
    Case("missing-key", resigned(drop_path("counts")), "manifest", "manifest: missing counts"),
    Case("missing-payload", resigned(drop_path("payload")), "manifest", "missing payload"),
    Case(
        "missing-nested-key",
        resigned(drop_path("payload.nonce")),
        "manifest",
        "manifest.payload: missing nonce",
    ),
    Case("unknown-kind", resigned(set_path("kind", "site-delta")), "manifest", "manifest.kind"),
    Case(
        "uuid-uppercase",
        resigned(set_path("bundle_uuid", GEN.BUNDLE_UUID.upper())),
        "manifest",
        "manifest.bundle_uuid",
    ),
    Case(
        "created-at-no-fraction",
        resigned(set_path("created_at", "2026-11-21T08:15:30Z")),
        "manifest",
        "manifest.created_at",
    ),
    Case(
        "app-version-empty",
        resigned(set_path("app_version", "")),
        "manifest",
        "manifest.app_version",
    ),
    Case(
        "app-version-long", resigned(set_path("app_version", "9" * 201)), "manifest", "at most 200"
    ),
    Case(
        "study-not-object",
        resigned(set_path("study", "NPC-SINT-RT")),
        "manifest",
        "manifest.study: must be an object",
    ),
    Case(
        "definition-hash-short",
        resigned(set_path("study.definition_sha256", "ab" * 31)),
        "manifest",
        "manifest.study.definition_sha256",
    ),
    Case(
        "installation-number-zero",
        resigned(set_path("sender.installation_number", 0)),
        "manifest",
        "manifest.sender.installation_number",
    ),
    Case(
        "recipient-kind",
        resigned(set_path("recipient.kind", "installation")),
        "manifest",
        "manifest.recipient.kind",
    ),
    Case(
        "recipient-hash-uppercase",
        resigned(set_path("recipient.x25519_sha256", _DOC["recipient"]["x25519_sha256"].upper())),
        "manifest",
        "manifest.recipient.x25519_sha256",
    ),
    Case("sequence-zero", resigned(set_path("sequence", 0)), "manifest", "manifest.sequence"),
    Case("sequence-text", resigned(set_path("sequence", "1")), "manifest", "manifest.sequence"),
    Case("sequence-bool", resigned(set_path("sequence", True)), "manifest", "manifest.sequence"),
    Case(
        "previous-null",
        resigned(set_path("previous_sha256", None)),
        "manifest",
        "manifest.previous_sha256",
    ),
    Case("full-text", resigned(set_path("full", "yes")), "manifest", "manifest.full"),
    Case(
        "range-backwards",
        resigned(set_path("range.audit_from", 9)),
        "manifest",
        "audit_from is after audit_to",
    ),
    Case(
        "query-range-backwards",
        resigned(set_path("range.query_marker_from", 1)),
        "manifest",
        "query_marker_from is after",
    ),
    Case(
        "range-negative",
        resigned(set_path("range.query_marker_to", -1)),
        "manifest",
        "manifest.range.query_marker_to",
    ),
    Case(
        "audit-head-seq",
        resigned(set_path("audit_head.seq", 2)),
        "manifest",
        "must equal range.audit_to",
    ),
    Case(
        "audit-head-null", resigned(set_path("audit_head", None)), "manifest", "manifest.audit_head"
    ),
    Case(
        "count-negative",
        resigned(set_path("counts.values", -1)),
        "manifest",
        "manifest.counts.values",
    ),
    Case(
        "cipher",
        resigned(set_path("payload.cipher", "X25519-HKDF-SHA256-CHACHA20")),
        "manifest",
        "manifest.payload.cipher",
    ),
    Case(
        "compression",
        resigned(set_path("payload.compression", "gzip")),
        "manifest",
        "manifest.payload.compression",
    ),
    Case(
        "nonce-11-bytes",
        resigned(set_path("payload.nonce", "AAAAAAAAAAAAAAA=")),
        "manifest",
        "must be 12 bytes",
    ),
    Case(
        "nonce-not-base64",
        resigned(set_path("payload.nonce", "not base64 at all")),
        "manifest",
        "is not base64",
    ),
    Case(
        "ephemeral-non-canonical-base64",
        resigned(set_path("payload.ephemeral_x25519", "A" * 42 + "B=")),
        "manifest",
        "canonical base64",
    ),
    Case(
        "ephemeral-31-bytes",
        resigned(set_path("payload.ephemeral_x25519", "A" * 40 + "AA==")),
        "manifest",
        "must be 32 bytes",
    ),
    Case(
        "payload-hash-short",
        resigned(set_path("payload.sha256", "0" * 63)),
        "manifest",
        "manifest.payload.sha256",
    ),
    Case(
        "payload-bytes-below-tag",
        resigned(set_path("payload.bytes", 15)),
        "manifest",
        "manifest.payload.bytes",
    ),
    Case(
        "payload-bytes-over-4-gib",
        resigned(set_path("payload.bytes", (1 << 32) + 1)),
        "manifest",
        "too large",
    ),
    Case(
        "plain-bytes-one",
        resigned(set_path("payload.plain_bytes", 1)),
        "manifest",
        "manifest.payload.plain_bytes",
    ),
    Case(
        "plain-bytes-over-2-gib",
        resigned(set_path("payload.plain_bytes", (1 << 31) + 1)),
        "manifest",
        "more than 2 GiB",
    ),
    Case(
        "return-with-audit-head",
        sealed(manifest=return_manifest() | {"audit_head": {"seq": 1, "hash": "0" * 64}}),
        "manifest",
        "must be null in a return bundle",
    ),
    Case(
        "return-not-full",
        sealed(manifest=return_manifest() | {"full": False}),
        "manifest",
        "always full",
    ),
    Case(
        "return-with-site-sender",
        sealed_then(set_path("sender", MANIFEST["sender"]), return_manifest()),
        "manifest",
        "manifest.sender: missing center_id",
    ),
]

SIGNATURE = [
    Case(
        "another-sender-key",
        GOOD,
        "signature",
        "does not verify with the sender's registered key",
        {"sender": GEN.ed25519_public(OTHER_SEED)},
    ),
    Case(
        "zeroed-signature",
        GOOD[: 14 + M] + bytes(64) + GOOD[78 + M :],
        "signature",
        "does not verify",
    ),
    Case(
        "signed-by-another-key",
        GEN.frame(
            SEALED["manifest_bytes"],
            GEN.sign(OTHER_SEED, SEALED["manifest_bytes"]),
            SEALED["ciphertext"],
        ),
        "signature",
        "does not verify",
    ),
    Case(
        "signed-without-context",
        GEN.frame(
            SEALED["manifest_bytes"],
            GEN.Ed25519PrivateKey.from_private_bytes(GEN.SENDER_SEED).sign(
                SEALED["manifest_bytes"]
            ),
            SEALED["ciphertext"],
        ),
        "signature",
        "does not verify",
    ),
    Case(
        "manifest-changed-not-resigned",
        GEN.frame(
            _TEXT.replace(GEN.CREATED_AT, "2026-11-22T08:15:30.123456Z").encode(),
            SEALED["signature"],
            SEALED["ciphertext"],
        ),
        "signature",
        "does not verify",
    ),
]

RECIPIENT = [
    Case(
        "recipient-key-mismatch",
        GOOD,
        "recipient",
        "encrypted for another key",
        {"recipient_public": OTHER_X25519},
    ),
    Case(
        "recipient-id-mismatch",
        GOOD,
        "recipient",
        "is addressed to",
        {"recipient_id": "another-center"},
    ),
    Case(
        "recipient-hash-changed",
        resigned(set_path("recipient.x25519_sha256", GEN.sha256_hex(OTHER_X25519))),
        "recipient",
        "encrypted for another key",
    ),
]

PAYLOAD_HASH = [
    Case("ciphertext-changed", flip(GOOD, len(GOOD) - 20), "payload-hash", "SHA-256 differs"),
    Case(
        "hash-changed",
        resigned(set_path("payload.sha256", "0" * 64)),
        "payload-hash",
        "SHA-256 differs",
    ),
    Case(
        "length-changed",
        resigned(set_path("payload.bytes", len(SEALED["ciphertext"]) + 1)),
        "payload-hash",
        "the manifest says",
    ),
]

DECRYPT = [
    Case(
        "ciphertext-changed-hash-updated",
        tampered_ciphertext_rehashed(_DOC),
        "decrypt",
        "authentication failed",
    ),
    Case(
        "bundle-uuid-changed",
        resigned(set_path("bundle_uuid", "00000000-0000-4000-8000-000000000000")),
        "decrypt",
        "authentication failed",
    ),
    Case(
        "installation-id-changed",
        resigned(set_path("sender.installation_id", "another-installation")),
        "decrypt",
        "authentication failed",
    ),
    Case(
        "nonce-changed",
        resigned(set_path("payload.nonce", "AAAAAAAAAAAAAAAA")),
        "decrypt",
        "authentication failed",
    ),
    Case(
        "ephemeral-key-changed",
        resigned(set_path("payload.ephemeral_x25519", GEN.b64(OTHER_X25519))),
        "decrypt",
        "authentication failed",
    ),
    Case(
        "ephemeral-key-zero",
        resigned(set_path("payload.ephemeral_x25519", GEN.b64(bytes(32)))),
        "decrypt",
        "not usable",
    ),
    Case(
        "aad-without-sender",
        sealed(
            aad_override=f"npc-crf/bundle@1|{GEN.BUNDLE_UUID}|{GEN.sha256_hex(GEN.RECIPIENT_PUBLIC)}".encode()
        ),
        "decrypt",
        "authentication failed",
    ),
    Case(
        "return-aad-with-installation-id",
        sealed(
            manifest=return_manifest(),
            aad_override=GEN.aad(
                GEN.BUNDLE_UUID, GEN.INSTALLATION_ID, GEN.sha256_hex(GEN.RECIPIENT_PUBLIC)
            ),
        ),
        "decrypt",
        "authentication failed",
        {"recipient_id": GEN.INSTALLATION_ID},
    ),
]

_ZIPPED = zlib.compress(PLAIN, 6)

DECOMPRESS = [
    Case(
        "plain-bytes-smaller",
        sealed_then(set_path("payload.plain_bytes", len(PLAIN) - 1)),
        "decompress",
        f"decompresses to {len(PLAIN)} bytes, the manifest says {len(PLAIN) - 1}",
    ),
    Case(
        "plain-bytes-half",
        sealed_then(set_path("payload.plain_bytes", len(PLAIN) // 2)),
        "decompress",
        "decompresses to more than",
    ),
    Case(
        "plain-bytes-larger",
        sealed_then(set_path("payload.plain_bytes", len(PLAIN) + 1)),
        "decompress",
        f"decompresses to {len(PLAIN)} bytes",
    ),
    Case(
        "bomb-64-mib",
        sealed(b"{}", compressed=zlib.compress(b" " * (64 << 20), 9)),
        "decompress",
        "more than 3 bytes, the manifest says 2",
    ),
    Case("stream-truncated", sealed(compressed=_ZIPPED[:-6]), "decompress", "decompresses to"),
    Case(
        "stream-damaged",
        sealed(compressed=_ZIPPED[:2] + bytes(len(_ZIPPED) - 2)),
        "decompress",
        "does not decompress",
    ),
    Case("raw-deflate", sealed(compressed=_ZIPPED[2:-4]), "decompress", "does not decompress"),
    Case("not-compressed", sealed(compressed=PLAIN), "decompress", "does not decompress"),
    Case(
        "bytes-after-stream", sealed(compressed=_ZIPPED + b"\x00"), "decompress", "decompresses to"
    ),
    Case("two-streams", sealed(compressed=_ZIPPED + _ZIPPED), "decompress", "decompresses to"),
]

PAYLOAD_CASES = [
    Case("not-json", sealed(b"this is not JSON"), "payload", "not JSON"),
    Case("not-utf8", sealed(b'{"a":"\xff"}'), "payload", "not JSON"),
    Case("json-list", sealed(b"[]"), "payload", "not a JSON object"),
    Case("json-number", sealed(b"12"), "payload", "not a JSON object"),
    # signed and encrypted by the sender, but still to be refused rather than crash
    Case("integer-of-5000-digits", sealed(b'{"n":' + b"7" * 5000 + b"}"), "payload", "payload"),
    Case(
        "nested-100000-deep",
        sealed(b'{"n":' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        "payload",
        "payload",
    ),
]

CASES = [
    *FRAMING,
    *MANIFEST_CASES,
    *SIGNATURE,
    *RECIPIENT,
    *PAYLOAD_HASH,
    *DECRYPT,
    *DECOMPRESS,
    *PAYLOAD_CASES,
]


def test_case_ids_are_unique_and_every_check_is_covered() -> None:
    ids = [f"{case.check}-{case.id}" for case in CASES]
    assert len(ids) == len(set(ids))
    assert {case.check for case in CASES} == {
        "framing", "manifest", "signature", "recipient", "payload-hash", "decrypt",
        "decompress", "payload",
    }  # fmt: skip


def test_the_good_bundle_reads() -> None:
    """The baseline every case departs from (and the helpers do not break it by themselves)."""
    assert read_all(GOOD) == PAYLOAD
    assert read_all(signed_manifest(SEALED["manifest_bytes"])) == PAYLOAD
    assert read_all(resigned(lambda doc: None)) == PAYLOAD
    assert read_all(sealed()) == PAYLOAD


def test_a_return_bundle_reads() -> None:
    """The center-return kind binds the center ID in the AAD and reads at the installation."""
    data = sealed(manifest=return_manifest())
    assert read_all(data, recipient_id=GEN.INSTALLATION_ID) == PAYLOAD
    assert read_envelope(data).kind == "center-return"


def test_a_changed_field_that_nothing_binds_is_caught_by_the_signature_alone() -> None:
    """Re-signed, a new created_at is a different but valid bundle: the signature is the guard."""
    data = resigned(set_path("created_at", "2026-11-22T08:15:30.123456Z"))
    assert read_all(data) == PAYLOAD
    with pytest.raises(BundleRefused) as caught:
        read_all(data[: 14 + M] + SEALED["signature"] + data[78 + M :])
    assert caught.value.check == "signature"


@pytest.mark.parametrize("case", CASES, ids=[f"{case.check}-{case.id}" for case in CASES])
def test_refused(case: Case) -> None:
    with pytest.raises(BundleRefused) as caught:
        read_all(case.data, **case.reader)
    refused = caught.value
    assert refused.check == case.check, refused.message
    assert case.fragment in refused.detail, refused.detail
    assert refused.message.startswith(f"refused ({case.check}): ")
    assert refused.exit_code == 8


# -- typed fingerprints ----------------------------------------------------------------------

PRINT = "04211 93077 12845 00931 55120 78214 33019 62450"


@pytest.mark.parametrize(
    "typed",
    [
        PRINT,
        PRINT.replace(" ", ""),
        PRINT.replace(" ", "-"),
        PRINT.replace(" ", "."),
        f"  {PRINT}  ",
        PRINT.replace(" ", "  "),
        "0421193077 1284500931 5512078214 3301962450",
        "0-4-2-1-1 9307712845009315512078214\t33019\n62450",
    ],
)
def test_typed_fingerprint_normalises(typed: str) -> None:
    assert normalize_fingerprint(typed) == PRINT
    check_typed_fingerprint(PRINT, typed, "the center")


@pytest.mark.parametrize(
    "typed",
    [
        "",
        PRINT[:-1],
        PRINT + "0",
        PRINT.replace("0", "O"),
        PRINT.replace(" ", "_"),
        PRINT.replace("4", "٤"),
        "04211 93077 12845 00931 55120 78214 33019",
    ],
)
def test_typed_fingerprint_of_the_wrong_shape_is_a_usage_error(typed: str) -> None:
    with pytest.raises(UsageError, match="eight groups of five digits"):
        normalize_fingerprint(typed)


def test_typed_fingerprint_mismatch_names_who_and_shows_the_computed_one() -> None:
    other = PRINT[:-1] + "1"
    with pytest.raises(UsageError) as caught:
        check_typed_fingerprint(PRINT, other, "site S01 installation 1")
    assert "does not match site S01 installation 1's keys" in caught.value.message
    assert caught.value.hint is not None and PRINT in caught.value.hint
