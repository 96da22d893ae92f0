"""Identity cards: the public keys of an installation or of the center (``npc-crf/identity`` v1).

A card carries no secret and no clinical data. It travels by e-mail or USB; the
fingerprint read over the phone is what makes it trusted (docs/bundle-format.md §1).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from npc_crf.core.errors import UsageError
from npc_crf.store.atomic import write_atomic
from npc_crf.sync.fingerprint import fingerprint

FORMAT = "npc-crf/identity"
VERSION = 1

_COMMON = (
    "format",
    "version",
    "kind",
    "study_oid",
    "ed25519",
    "x25519",
    "fingerprint",
    "created_at",
)
_KEYS = {
    "installation": {*_COMMON, "site_id", "installation_id", "installation_number"},
    "center": {*_COMMON, "center_id"},
}


@dataclass(frozen=True)
class IdentityCard:
    """Who holds which public keys."""

    kind: str  # "installation" or "center"
    study_oid: str
    ed25519: bytes
    x25519: bytes
    created_at: str
    site_id: str | None = None
    installation_id: str | None = None
    installation_number: int | None = None
    center_id: str | None = None

    @property
    def fingerprint(self) -> str:
        """The phone fingerprint of the two keys."""
        return fingerprint(self.kind, self.ed25519, self.x25519)

    @property
    def label(self) -> str:
        """Who this is, in words."""
        if self.kind == "center":
            return f"coordinating center {self.center_id} ({self.study_oid})"
        return (
            f"site {self.site_id}, installation {self.installation_number} "
            f"({self.installation_id}, {self.study_oid})"
        )

    def to_json(self) -> dict[str, Any]:
        """The card as a JSON object."""
        doc: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "kind": self.kind,
            "study_oid": self.study_oid,
            "ed25519": base64.b64encode(self.ed25519).decode(),
            "x25519": base64.b64encode(self.x25519).decode(),
            "fingerprint": self.fingerprint,
            "created_at": self.created_at,
        }
        if self.kind == "center":
            doc["center_id"] = self.center_id
        else:
            doc |= {
                "site_id": self.site_id,
                "installation_id": self.installation_id,
                "installation_number": self.installation_number,
            }
        return doc

    def write(self, path: Path) -> None:
        """Write the card (atomically)."""
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        write_atomic(path, text.encode())

    @classmethod
    def from_json(cls, doc: object, where: str) -> IdentityCard:
        """Check and read a card; errors name ``where`` and the field."""

        def bad(detail: str) -> UsageError:
            return UsageError(f"{where}: {detail}")

        if not isinstance(doc, dict):
            raise bad("an identity card is a JSON object")
        if doc.get("format") != FORMAT:
            raise bad(f"not an identity card (format {doc.get('format')!r})")
        version = doc.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version != VERSION:
            raise bad(
                f"identity card version {str(version)[:20]} is not supported "
                f"(this npc-crf reads version {VERSION}); a newer npc-crf wrote it"
            )
        kind = doc.get("kind")
        if kind not in _KEYS:
            raise bad(f"kind {kind!r} is neither 'installation' nor 'center'")
        keys = set(doc)
        if missing := sorted(_KEYS[kind] - keys):
            raise bad(f"missing field(s): {', '.join(missing)}")
        if unknown := sorted(keys - _KEYS[kind]):
            raise bad(f"unknown field(s): {', '.join(unknown)}")

        def text(name: str) -> str:
            value = doc[name]
            if not isinstance(value, str) or not value:
                raise bad(f"{name} must be non-empty text")
            return value

        def key(name: str) -> bytes:
            try:
                raw = base64.b64decode(text(name), validate=True)
            except (binascii.Error, ValueError):
                raise bad(f"{name} is not base64") from None
            if len(raw) != 32:
                raise bad(f"{name} must be a 32-byte key, not {len(raw)} bytes")
            return raw

        number = None
        if kind == "installation":
            number = doc["installation_number"]
            if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 99:
                raise bad("installation_number must be a whole number from 1 to 99")
        card = cls(
            kind=kind,
            study_oid=text("study_oid"),
            ed25519=key("ed25519"),
            x25519=key("x25519"),
            created_at=text("created_at"),
            site_id=text("site_id") if kind == "installation" else None,
            installation_id=text("installation_id") if kind == "installation" else None,
            installation_number=number,
            center_id=text("center_id") if kind == "center" else None,
        )
        if doc["fingerprint"] != card.fingerprint:
            raise bad(
                "the fingerprint written on the card does not match its keys; "
                "the card was changed after it was made"
            )
        return card

    @classmethod
    def read(cls, path: Path) -> IdentityCard:
        """Read a card from a file."""
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"{path}: cannot read the identity card ({exc.strerror}).") from None
        try:
            doc = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise UsageError(f"{path}: not UTF-8 text.") from None
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}:{exc.lineno}:{exc.colno}: {exc.msg}") from None
        return cls.from_json(doc, str(path))
