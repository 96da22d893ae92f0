"""Property-based fuzzing of the bundle reader (issue 7).

Whatever the bytes, ``read_envelope`` and the whole reading pipeline either
succeed — only for a bundle that is valid and signed by the sender — or raise
:class:`BundleRefused`. Any other exception (``KeyError``, ``TypeError``,
``ValueError``, ``zlib.error``, ``UnicodeError``, ``RecursionError``,
``OverflowError``, ``MemoryError`` …) is a bug: the CLI would show a traceback
instead of saying which check refused the file.

Valid and re-signed bundles are made by the primitives of
``tests/vectors/make_bundle_vector.py``, not by the code under test.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npc_crf.core.errors import BundleRefused
from npc_crf.sync.envelope import check_recipient, open_payload, read_envelope, verify_sender


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        name, Path(__file__).parent / "vectors" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _load("make_bundle_vector")
PAYLOAD: dict[str, Any] = GEN.sample_payload(2)
PLAIN: bytes = GEN.canonical(PAYLOAD)
SEALED: dict[str, Any] = GEN.seal(GEN.base_manifest(PAYLOAD), PLAIN)
GOOD: bytes = SEALED["file"]

#: deadline off (the machine is shared); no example database written into the tree
FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def read_all(data: bytes) -> dict[str, Any] | None:
    """The payload, or None when a check refused the bundle; other exceptions propagate."""
    try:
        env = read_envelope(data)
        verify_sender(env, GEN.SENDER_PUBLIC)
        check_recipient(env, GEN.CENTER_ID, GEN.RECIPIENT_PUBLIC)
        return open_payload(env, GEN.RECIPIENT_PRIVATE)
    except BundleRefused as refused:
        assert refused.check in {
            "framing", "manifest", "signature", "recipient", "payload-hash", "decrypt",
            "decompress", "payload",
        }, refused.check  # fmt: skip
        assert refused.detail, "a refusal says why"
        return None


def signed(manifest_bytes: bytes, ciphertext: bytes = SEALED["ciphertext"]) -> bytes:
    return bytes(GEN.frame(manifest_bytes, GEN.sign(GEN.SENDER_SEED, manifest_bytes), ciphertext))


# -- strategies ------------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=40)
    | st.sampled_from(["site-data", "center-return", "center", "installation", "zlib", "0" * 64])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=6,
)

#: JSON text a writer of ``json`` would never produce, spliced into a manifest
RAW_FRAGMENTS = [
    "1" * 5000,  # more digits than Python converts by default
    "-" + "9" * 4301,
    "[" * 50_000 + "]" * 50_000,  # deeper than the recursion limit
    '{"a":' * 20_000 + "0" + "}" * 20_000,
    '"\\ud800"',  # a lone surrogate: valid JSON, not encodable as UTF-8
    '"0.1.0\\udfff"',
    "1e999",
    "-0",
    "1.0",
    "true",
    "NaN",
    "-Infinity",
    '"\\u0000"',
    "null",
]


def _paths(doc: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix] if prefix else []
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += _paths(value, (*prefix, key))
    return found


PATHS = _paths(SEALED["manifest"])
MARK = "\x00raw{}\x00"


def _at(doc: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path``, or None when the path no longer exists."""
    for name in path:
        if not isinstance(doc, dict) or name not in doc:
            return None
        doc = doc[name]
    return doc


edits = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.sampled_from(PATHS), json_values),
        st.tuples(st.just("drop"), st.sampled_from(PATHS), st.none()),
        st.tuples(st.just("add"), st.sampled_from([(), *PATHS]), st.text(min_size=1, max_size=8)),
        st.tuples(
            st.just("raw"), st.sampled_from(PATHS), st.sampled_from(range(len(RAW_FRAGMENTS)))
        ),
    ),
    min_size=1,
    max_size=3,
)


def edited_manifest(changes: list[tuple[str, tuple[str, ...], Any]]) -> bytes:
    """The good manifest with ``changes`` applied, as canonical JSON text (raw splices kept)."""
    doc = copy.deepcopy(SEALED["manifest"])
    raws: list[str] = []
    for action, path, value in changes:
        if action == "add":
            target = _at(doc, path)
            if isinstance(target, dict):
                target[value] = 0
            continue
        parent = _at(doc, path[:-1])
        if not isinstance(parent, dict) or path[-1] not in parent:
            continue
        if action == "drop":
            del parent[path[-1]]
        elif action == "set":
            parent[path[-1]] = value
        else:
            parent[path[-1]] = MARK.format(len(raws))
            raws.append(RAW_FRAGMENTS[value])
    text: str = GEN.canonical(doc).decode("utf-8")
    for i, fragment in enumerate(raws):
        text = text.replace(f'"\\u0000raw{i}\\u0000"', fragment)
    return text.encode("utf-8")


# -- properties ------------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_are_refused(data: bytes) -> None:
    assert read_all(data) is None


@FUZZ
@given(st.binary(max_size=2048), st.integers(min_value=0, max_value=2**32 - 1))
def test_arbitrary_bytes_after_the_magic_are_refused(data: bytes, length: int) -> None:
    assert read_all(GEN.MAGIC + data) is None
    assert read_all(GEN.MAGIC + length.to_bytes(4, "big") + data) is None


mutation = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, len(GOOD)), st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("delete"), st.integers(0, len(GOOD)), st.integers(1, 64)),
    st.tuples(st.just("replace"), st.integers(0, len(GOOD)), st.binary(min_size=1, max_size=16)),
)


@FUZZ
@given(st.lists(mutation, min_size=1, max_size=4))
def test_mutated_bundles_are_refused(mutations: list[tuple[str, int, Any]]) -> None:
    data = bytearray(GOOD)
    for action, at, arg in mutations:
        at = min(at, len(data))
        if action == "insert":
            data[at:at] = arg
        elif action == "delete":
            del data[at : at + arg]
        else:
            data[at : at + len(arg)] = arg
    result = read_all(bytes(data))
    if bytes(data) == GOOD:
        assert result == PAYLOAD
    else:
        assert result is None


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(sorted(SEALED["manifest"])) | st.text(max_size=10), json_values, max_size=10
    ),
    st.booleans(),
)
def test_random_signed_manifests_are_refused(doc: dict[str, Any], known_format: bool) -> None:
    if known_format:
        doc |= {"format": "npc-crf/bundle", "version": 1}
    assert read_all(signed(GEN.canonical(doc))) is None


@FUZZ
@given(edits)
def test_edited_signed_manifests_are_refused_or_read_the_same_payload(
    changes: list[tuple[str, tuple[str, ...], Any]],
) -> None:
    """Re-signed by the sender: a change nothing else binds may read; nothing may crash."""
    manifest_bytes = edited_manifest(changes)
    result = read_all(signed(manifest_bytes))
    if manifest_bytes == SEALED["manifest_bytes"]:
        assert result == PAYLOAD
    else:
        assert result is None or result == PAYLOAD


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=512).map(lambda b: (b, zlib.compress(b, 6))),
        json_values.map(lambda v: GEN.canonical(v)).map(lambda b: (b, zlib.compress(b, 6))),
        st.tuples(st.binary(max_size=64), st.binary(max_size=256)),
    ),
    st.integers(min_value=-3, max_value=3),
)
def test_payloads_sealed_by_the_sender_open_or_are_refused(
    plain_and_compressed: tuple[bytes, bytes], plain_bytes_error: int
) -> None:
    """Past the signature and AES-GCM: decompression and JSON still refuse, never crash."""
    plain, compressed = plain_and_compressed
    parts = GEN.seal(GEN.base_manifest(PAYLOAD), plain, compressed=compressed)
    manifest = parts["manifest"]
    manifest["payload"]["plain_bytes"] = max(2, len(plain) + plain_bytes_error)
    result = read_all(signed(GEN.canonical(manifest), parts["ciphertext"]))
    honest = manifest["payload"]["plain_bytes"] == len(plain)
    if result is not None:
        assert honest and zlib.decompress(compressed) == plain
        assert result == json.loads(plain)
