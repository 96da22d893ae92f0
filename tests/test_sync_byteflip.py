"""Flip every byte of a sample bundle in turn: each variant is refused (issue 7).

The sample is a few kilobytes: a site-data payload in the shape of
docs/bundle-format.md §3, sealed by the primitives of
``tests/vectors/make_bundle_vector.py`` with fixed keys, so the counts below
are the same on every run. Each variant goes through the whole reading
pipeline (``read_envelope`` → ``verify_sender`` → ``check_recipient`` →
``open_payload``) and must raise :class:`BundleRefused` — never succeed and
never raise anything else — from a check that belongs to the part flipped.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

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
PAYLOAD: dict[str, Any] = GEN.sample_payload(12)
SEALED: dict[str, Any] = GEN.seal(GEN.base_manifest(PAYLOAD), GEN.canonical(PAYLOAD))
SAMPLE: bytes = SEALED["file"]
M = len(SEALED["manifest_bytes"])

#: part of the file → the checks allowed to refuse a flip inside it
REGIONS: list[tuple[str, int, int, set[str]]] = [
    ("magic", 0, 8, {"framing"}),
    ("manifest length", 8, 12, {"framing"}),
    # a flip that leaves the manifest valid JSON in canonical form is the signature's
    ("manifest", 12, 12 + M, {"manifest", "signature"}),
    ("signature length", 12 + M, 14 + M, {"framing"}),
    ("signature", 14 + M, 78 + M, {"signature"}),
    ("payload length", 78 + M, 86 + M, {"framing"}),
    ("payload", 86 + M, len(SAMPLE), {"payload-hash"}),
]


def read_all(data: bytes) -> dict[str, Any]:
    env = read_envelope(data)
    verify_sender(env, GEN.SENDER_PUBLIC)
    check_recipient(env, GEN.CENTER_ID, GEN.RECIPIENT_PUBLIC)
    return open_payload(env, GEN.RECIPIENT_PRIVATE)


def region_of(index: int) -> tuple[str, set[str]]:
    for name, start, end, checks in REGIONS:
        if start <= index < end:
            return name, checks
    raise AssertionError(f"byte {index} is in no region")


def test_sample_is_a_realistic_few_kilobyte_bundle() -> None:
    assert 2_000 < len(SAMPLE) < 8_000
    assert len(SEALED["plain"]) > 3 * len(SEALED["compressed"])
    assert read_all(SAMPLE) == PAYLOAD
    assert REGIONS[-1][2] == len(SAMPLE)


@pytest.mark.parametrize("mask", [0x01, 0x80])
def test_every_flipped_byte_is_refused(mask: int, capsys: pytest.CaptureFixture[str]) -> None:
    by_check: Counter[str] = Counter()
    by_region: dict[str, Counter[str]] = {name: Counter() for name, *_ in REGIONS}
    wrong: list[str] = []
    buffer = bytearray(SAMPLE)
    for index in range(len(SAMPLE)):
        buffer[index] ^= mask
        try:
            read_all(bytes(buffer))
        except BundleRefused as refused:
            region, allowed = region_of(index)
            by_check[refused.check] += 1
            by_region[region][refused.check] += 1
            if refused.check not in allowed:
                wrong.append(
                    f"byte {index} ({region}): refused by {refused.check}: {refused.detail}"
                )
        else:
            wrong.append(f"byte {index} ({region_of(index)[0]}): the flipped bundle was accepted")
        finally:
            buffer[index] ^= mask
    assert not wrong, "\n".join(wrong[:20])
    assert sum(by_check.values()) == len(SAMPLE)
    if mask == 0x01:
        # the low bit turns "1" into "0" and keeps text valid: both guards of the manifest
        # are exercised (XOR 0x80 makes every manifest byte invalid UTF-8 instead)
        assert set(by_region["manifest"]) == {"manifest", "signature"}
    for name, start, end, _ in REGIONS:
        assert sum(by_region[name].values()) == end - start, name
    with capsys.disabled():
        print(f"\nXOR 0x{mask:02x} over {len(SAMPLE)} bytes, refusals by check: {dict(by_check)}")
        for name, counts in by_region.items():
            print(f"  {name:17} {dict(counts)}")
