"""The bundle envelope, fingerprints and identity cards against their test vectors.

The vectors are made from ``cryptography``'s primitives alone by the generators
in ``tests/vectors/`` following docs/bundle-format.md §1–§2; reading them with
``npc_crf.sync`` (and writing the same bytes) shows that the code follows the text.
"""

from __future__ import annotations

import base64
import copy
import importlib.util
import json
import re
import zlib
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from npc_crf.core.errors import UsageError
from npc_crf.sync import envelope
from npc_crf.sync.envelope import (
    check_recipient,
    open_payload,
    read_envelope,
    seal_bundle,
    verify_sender,
)
from npc_crf.sync.fingerprint import fingerprint, recipient_sha256
from npc_crf.sync.identity import IdentityCard

VECTORS = Path(__file__).parent / "vectors"
BUNDLE: dict[str, Any] = json.loads((VECTORS / "bundle_v1.json").read_text(encoding="utf-8"))
PRINTS: dict[str, Any] = json.loads((VECTORS / "fingerprint_v1.json").read_text(encoding="utf-8"))
KEYS: dict[str, str] = BUNDLE["keys"]
FILE = bytes.fromhex(BUNDLE["file"])


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, VECTORS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _load("make_bundle_vector")
PRINT_GEN = _load("make_fingerprint_vector")


def _zlib_reproduces_vector() -> bool:
    plain = BUNDLE["payload_json"].encode("utf-8")
    recorded: str = BUNDLE["compressed"]["hex"]
    return zlib.compress(plain, 6).hex() == recorded


# -- the bundle vector -----------------------------------------------------------------------


def test_bundle_vector_file_is_what_the_generator_makes() -> None:
    if not _zlib_reproduces_vector():
        pytest.skip(f"zlib {zlib.ZLIB_RUNTIME_VERSION} compresses the payload differently")
    assert GEN.build() == BUNDLE


def test_vector_reads_through_every_check_and_yields_the_payload() -> None:
    env = read_envelope(FILE)
    assert env.manifest == BUNDLE["manifest"]
    assert env.manifest_bytes == BUNDLE["manifest_json"].encode("utf-8")
    assert env.manifest_sha256 == BUNDLE["manifest_sha256"]
    assert env.signature.hex() == BUNDLE["signature"]
    assert env.ciphertext.hex() == BUNDLE["ciphertext"]
    assert (env.kind, env.bundle_uuid, env.sequence) == ("site-data", GEN.BUNDLE_UUID, 1)
    verify_sender(env, bytes.fromhex(KEYS["sender_ed25519_public"]))
    check_recipient(env, BUNDLE["recipient_id"], bytes.fromhex(KEYS["recipient_x25519_public"]))
    payload = open_payload(env, bytes.fromhex(KEYS["recipient_x25519_private"]))
    assert payload == BUNDLE["payload"]
    assert envelope.canonical_bytes(payload).decode("utf-8") == BUNDLE["payload_json"]


def test_vector_intermediates_follow_from_each_other() -> None:
    """Decrypting with the recorded key and AAD yields the recorded compressed bytes."""
    layout = BUNDLE["layout"]
    for name, (start, end) in layout.items():
        assert 0 <= start < end <= len(FILE), name
    assert layout["ciphertext"][1] == len(FILE)
    assert FILE[slice(*layout["manifest"])].decode("utf-8") == BUNDLE["manifest_json"]
    assert FILE[slice(*layout["signature"])].hex() == BUNDLE["signature"]
    assert FILE[slice(*layout["ciphertext"])].hex() == BUNDLE["ciphertext"]
    compressed = GEN.AESGCM(bytes.fromhex(BUNDLE["hkdf"]["key"])).decrypt(
        bytes.fromhex(BUNDLE["nonce"]),
        bytes.fromhex(BUNDLE["ciphertext"]),
        BUNDLE["aad"].encode("utf-8"),
    )
    assert compressed.hex() == BUNDLE["compressed"]["hex"]
    assert zlib.decompress(compressed).decode("utf-8") == BUNDLE["payload_json"]
    info = BUNDLE["manifest"]["payload"]
    assert info["plain_bytes"] == len(BUNDLE["payload_json"].encode("utf-8"))
    assert base64.b64decode(info["nonce"]).hex() == BUNDLE["nonce"]
    assert base64.b64decode(info["ephemeral_x25519"]).hex() == KEYS["ephemeral_x25519_public"]
    assert (
        BUNDLE["hkdf"]["salt"] == KEYS["ephemeral_x25519_public"] + KEYS["recipient_x25519_public"]
    )
    assert (
        recipient_sha256(bytes.fromhex(KEYS["recipient_x25519_public"]))
        == (BUNDLE["manifest"]["recipient"]["x25519_sha256"])
    )
    assert BUNDLE["aad"] == (
        f"npc-crf/bundle@1|{GEN.BUNDLE_UUID}|{GEN.INSTALLATION_ID}|"
        f"{KEYS['recipient_x25519_sha256']}"
    )


def _seal_with_fixed_randomness(
    monkeypatch: pytest.MonkeyPatch, manifest: dict[str, Any], payload: dict[str, Any]
) -> tuple[bytes, dict[str, Any]]:
    """``seal_bundle`` with the vector's ephemeral key and nonce injected.

    Only the names inside ``npc_crf.sync.envelope`` are replaced, not the
    ``os`` module or ``cryptography``'s class, so nothing else is affected.
    """
    ephemeral = X25519PrivateKey.from_private_bytes(bytes.fromhex(KEYS["ephemeral_x25519_private"]))
    nonce = bytes.fromhex(BUNDLE["nonce"])

    def urandom(n: int) -> bytes:
        assert n == len(nonce)
        return nonce

    monkeypatch.setattr(envelope, "os", SimpleNamespace(urandom=urandom))
    monkeypatch.setattr(
        envelope,
        "X25519PrivateKey",
        SimpleNamespace(
            generate=lambda: ephemeral, from_private_bytes=X25519PrivateKey.from_private_bytes
        ),
    )
    signing = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(KEYS["sender_ed25519_seed"]))
    return seal_bundle(
        manifest,
        payload,
        signing_key=signing,
        recipient_x25519=bytes.fromhex(KEYS["recipient_x25519_public"]),
    )


def test_writer_makes_the_vector_byte_for_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    if not _zlib_reproduces_vector():
        pytest.skip(f"zlib {zlib.ZLIB_RUNTIME_VERSION} compresses the payload differently")
    data, manifest = _seal_with_fixed_randomness(
        monkeypatch, copy.deepcopy(BUNDLE["manifest_without_payload"]), BUNDLE["payload"]
    )
    assert manifest == BUNDLE["manifest"]
    assert data.hex() == BUNDLE["file"]


def test_writer_matches_the_primitives_for_a_larger_payload(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Independent of the zlib build: the writer and the generator agree on this machine."""
    payload = GEN.sample_payload(7)
    manifest = GEN.base_manifest(payload)
    data, _ = _seal_with_fixed_randomness(monkeypatch, copy.deepcopy(manifest), payload)
    assert data == GEN.seal(manifest, GEN.canonical(payload))["file"]


def test_writer_output_opens_with_the_primitives_alone() -> None:
    """The other direction, with real randomness: decrypt a fresh bundle by the text of §2."""
    payload = GEN.sample_payload(2)
    signing = Ed25519PrivateKey.from_private_bytes(GEN.SENDER_SEED)
    data, manifest = seal_bundle(
        GEN.base_manifest(payload),
        payload,
        signing_key=signing,
        recipient_x25519=GEN.RECIPIENT_PUBLIC,
    )
    m = int.from_bytes(data[8:12], "big")
    manifest_bytes = data[12 : 12 + m]
    assert data[:8] == b"NPCBNDL1"
    assert manifest_bytes == GEN.canonical(manifest)
    assert int.from_bytes(data[12 + m : 14 + m], "big") == 64
    signature = data[14 + m : 78 + m]
    signing.public_key().verify(signature, b"npc-crf/bundle@1\n" + manifest_bytes)
    c = int.from_bytes(data[78 + m : 86 + m], "big")
    ciphertext = data[86 + m :]
    assert len(ciphertext) == c == manifest["payload"]["bytes"]
    assert GEN.sha256_hex(ciphertext) == manifest["payload"]["sha256"]
    info = manifest["payload"]
    ephemeral_public = base64.b64decode(info["ephemeral_x25519"])
    assert ephemeral_public != bytes.fromhex(KEYS["ephemeral_x25519_public"])
    recipient = X25519PrivateKey.from_private_bytes(GEN.RECIPIENT_PRIVATE)
    shared = recipient.exchange(GEN.X25519PublicKey.from_public_bytes(ephemeral_public))
    key = GEN.payload_key(shared, ephemeral_public, GEN.RECIPIENT_PUBLIC)
    aad = GEN.aad(GEN.BUNDLE_UUID, GEN.INSTALLATION_ID, GEN.sha256_hex(GEN.RECIPIENT_PUBLIC))
    compressed = GEN.AESGCM(key).decrypt(base64.b64decode(info["nonce"]), ciphertext, aad)
    plain = zlib.decompress(compressed)
    assert len(plain) == info["plain_bytes"]
    assert json.loads(plain) == payload
    assert plain == GEN.canonical(payload)


def test_two_writes_of_the_same_bundle_differ_in_key_and_nonce() -> None:
    payload = GEN.sample_payload(1)
    signing = Ed25519PrivateKey.from_private_bytes(GEN.SENDER_SEED)
    infos = [
        seal_bundle(
            GEN.base_manifest(payload),
            payload,
            signing_key=signing,
            recipient_x25519=GEN.RECIPIENT_PUBLIC,
        )[1]["payload"]
        for _ in range(2)
    ]
    assert infos[0]["ephemeral_x25519"] != infos[1]["ephemeral_x25519"]
    assert infos[0]["nonce"] != infos[1]["nonce"]


def test_writer_refuses_a_manifest_for_another_recipient_key() -> None:
    payload = GEN.sample_payload(1)
    other = GEN.x25519_public(GEN.fixed("another recipient"))
    with pytest.raises(ValueError, match="another recipient key"):
        seal_bundle(
            GEN.base_manifest(payload, recipient_public=other),
            payload,
            signing_key=Ed25519PrivateKey.from_private_bytes(GEN.SENDER_SEED),
            recipient_x25519=GEN.RECIPIENT_PUBLIC,
        )


# -- fingerprints ----------------------------------------------------------------------------


def test_fingerprint_vector_file_is_what_the_generator_makes() -> None:
    assert PRINT_GEN.build() == PRINTS


@pytest.mark.parametrize(
    "case",
    PRINTS["fingerprints"],
    ids=[f"{c['kind']}-{c['label']}" for c in PRINTS["fingerprints"]],
)
def test_fingerprint_module_reproduces_the_vector(case: dict[str, Any]) -> None:
    ed, x = bytes.fromhex(case["ed25519"]), bytes.fromhex(case["x25519"])
    assert fingerprint(case["kind"], ed, x) == case["fingerprint"]
    assert recipient_sha256(x) == case["x25519_sha256"]


def test_fingerprint_vector_covers_what_matters() -> None:
    """Leading zeros in a group, and the kind changing the fingerprint of the same keys."""
    prints = [c["fingerprint"] for c in PRINTS["fingerprints"]]
    assert any(group.startswith("0") for text in prints for group in text.split())
    by_label: dict[str, set[str]] = {}
    for case in PRINTS["fingerprints"]:
        by_label.setdefault(case["label"], set()).add(case["fingerprint"])
    assert len(by_label["site S01 installation 1"]) == 2


@pytest.mark.parametrize(
    ("kind", "ed", "x"),
    [("site", 32, 32), ("installation", 31, 32), ("center", 32, 33)],
)
def test_fingerprint_refuses_unknown_kind_and_wrong_key_lengths(kind: str, ed: int, x: int) -> None:
    with pytest.raises(ValueError):
        fingerprint(kind, bytes(ed), bytes(x))


# -- identity cards --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["installation", "center"])
def test_identity_card_vector_reads_and_writes_unchanged(kind: str, tmp_path: Path) -> None:
    doc = PRINTS["cards"][kind]
    card = IdentityCard.from_json(copy.deepcopy(doc), "card.json")
    assert card.kind == kind
    assert card.to_json() == doc
    assert card.fingerprint == doc["fingerprint"]
    case = next(
        c
        for c in PRINTS["fingerprints"]
        if c["kind"] == kind and c["fingerprint"] == doc["fingerprint"]
    )
    assert card.ed25519.hex() == case["ed25519"]
    assert card.x25519.hex() == case["x25519"]
    path = tmp_path / f"{kind}.json"
    card.write(path)
    assert IdentityCard.read(path) == card
    assert json.loads(path.read_text(encoding="utf-8")) == doc


def test_identity_card_labels_name_who_it_is() -> None:
    site = IdentityCard.from_json(PRINTS["cards"]["installation"], "site.json")
    center = IdentityCard.from_json(PRINTS["cards"]["center"], "center.json")
    assert "site S01, installation 1" in site.label
    assert PRINTS["cards"]["center"]["center_id"] in center.label


def _swap_key(doc: dict[str, Any]) -> None:
    doc["x25519"] = base64.b64encode(bytes(32)).decode()


CARD_REFUSALS: list[tuple[str, str, Any, str]] = [
    # (id, card kind, change, message fragment)
    ("key-swapped", "installation", _swap_key, "does not match its keys"),
    (
        "fingerprint-changed",
        "center",
        lambda d: d.update(fingerprint="00000 00000 00000 00000 00000 00000 00000 00000"),
        "does not match its keys",
    ),
    (
        "fingerprint-spacing",
        "center",
        lambda d: d.update(fingerprint=d["fingerprint"].replace(" ", "")),
        "does not match its keys",
    ),
    ("newer-version", "installation", lambda d: d.update(version=2), "newer npc-crf"),
    # the version is the integer 1, not a value equal to it
    ("version-true", "center", lambda d: d.update(version=True), "version True is not supported"),
    (
        "not-a-card",
        "installation",
        lambda d: d.update(format="npc-crf/keyfile"),
        "not an identity card",
    ),
    ("unknown-kind", "center", lambda d: d.update(kind="site"), "neither"),
    ("missing-field", "installation", lambda d: d.pop("site_id"), "missing field(s): site_id"),
    ("unknown-field", "center", lambda d: d.update(site_id="S01"), "unknown field(s): site_id"),
    ("bad-base64", "center", lambda d: d.update(ed25519="not base64!"), "ed25519 is not base64"),
    (
        "short-key",
        "installation",
        lambda d: d.update(x25519=base64.b64encode(bytes(31)).decode()),
        "32-byte key, not 31",
    ),
    ("number-zero", "installation", lambda d: d.update(installation_number=0), "1 to 99"),
    ("number-bool", "installation", lambda d: d.update(installation_number=True), "1 to 99"),
    ("empty-study", "center", lambda d: d.update(study_oid=""), "study_oid must be non-empty"),
]


@pytest.mark.parametrize(
    ("kind", "change", "fragment"),
    [case[1:] for case in CARD_REFUSALS],
    ids=[case[0] for case in CARD_REFUSALS],
)
def test_identity_card_refusals(kind: str, change: Any, fragment: str) -> None:
    doc = copy.deepcopy(PRINTS["cards"][kind])
    change(doc)
    with pytest.raises(UsageError) as caught:
        IdentityCard.from_json(doc, "card.json")
    assert caught.value.message.startswith("card.json: ")
    assert fragment in caught.value.message


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"\xff\xfe", "not UTF-8"), (b'{"format": ', "card.json:1:12:"), (b"[]", "JSON object")],
)
def test_identity_card_file_refusals(content: bytes, fragment: str, tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    path.write_bytes(content)
    with pytest.raises(UsageError, match=re.escape(fragment)):
        IdentityCard.read(path)


def test_identity_card_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "absent.json"
    with pytest.raises(UsageError, match=re.escape("absent.json: cannot read the identity card")):
        IdentityCard.read(path)
