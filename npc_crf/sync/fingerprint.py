"""Key fingerprints people read out over the phone (format ``npc-crf/fingerprint`` v1).

docs/bundle-format.md §1: SHA-512 over a tagged concatenation of the public keys,
shown as eight groups of five digits (133 bits). Digits read equally well in
Chinese and English, and a mistyped group is found by comparison, not guessed.
"""

from __future__ import annotations

import hashlib
import re

from npc_crf.core.errors import UsageError

_TAG = b"npc-crf/fingerprint@1"
KINDS = ("installation", "center")
GROUPS = 8


def fingerprint(kind: str, ed25519_public: bytes, x25519_public: bytes) -> str:
    """The fingerprint of an installation's or the center's two public keys."""
    if kind not in KINDS:
        raise ValueError(f"unknown fingerprint kind {kind!r}")
    if len(ed25519_public) != 32 or len(x25519_public) != 32:
        raise ValueError("public keys are 32 bytes each")
    digest = hashlib.sha512(
        _TAG + b"\x00" + kind.encode() + b"\x00" + ed25519_public + x25519_public
    ).digest()
    groups = (int.from_bytes(digest[5 * i : 5 * i + 5], "big") % 100000 for i in range(GROUPS))
    return " ".join(f"{g:05d}" for g in groups)


def normalize_fingerprint(text: str) -> str:
    """A typed fingerprint in canonical form; spaces, dashes and dots are ignored.

    Raises UsageError when the text is not forty digits.
    """
    digits = re.sub(r"[\s\-.]", "", text)
    if not re.fullmatch(r"[0-9]{40}", digits):
        raise UsageError(
            "A fingerprint is eight groups of five digits, e.g. "
            "'04211 93077 12845 00931 55120 78214 33019 62450'."
        )
    return " ".join(digits[i : i + 5] for i in range(0, 40, 5))


def check_typed_fingerprint(expected: str, typed: str, what: str) -> None:
    """Refuse unless the fingerprint typed back equals the one computed from the keys."""
    if normalize_fingerprint(typed) != expected:
        raise UsageError(
            f"The fingerprint typed does not match {what}'s keys.",
            f"Computed from the keys: {expected}. Compare it with the other side by phone; "
            "if it differs, the file is not the one they sent.",
        )


def recipient_sha256(x25519_public: bytes) -> str:
    """The machine-checked recipient fingerprint of a manifest: hex SHA-256 of the key."""
    return hashlib.sha256(x25519_public).hexdigest()
