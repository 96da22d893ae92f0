"""The center key file ``center-keys.json`` — format ``npc-crf/center-keys``, version 1.

docs/bundle-format.md §6 and docs/center.md. JSON, UTF-8, written atomically
with owner-only permissions. It holds who the center is (``center_id``,
``study_oid``, ``created_at``), its two public keys, where its store is, and
two AES-256-GCM wraps under one key derived from the center password with
Argon2id:

* ``private_keys``: the raw Ed25519 private key (32 bytes) followed by the raw
  X25519 private key (32 bytes); AAD ``"npc-crf/center-keys@1|<center_id>"``;
* ``db_key``: the 32-byte SQLCipher key of the center database; AAD
  ``"npc-crf/center-keys@1|<center_id>|database"``.

Unwrapping also checks that the private keys give the public keys written in the
file, so a file whose public half was swapped is refused. Nothing in the file is
clinical data; the PostgreSQL URL it may hold never contains a password.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from npc_crf.core.errors import AuthError, StoreError
from npc_crf.store.atomic import write_atomic
from npc_crf.store.keyfile import KdfCost, derive_password_key
from npc_crf.sync.fingerprint import fingerprint

FORMAT = "npc-crf/center-keys"
VERSION = 1
FILE_NAME = "center-keys.json"

_TOP = {
    "format",
    "version",
    "center_id",
    "study_oid",
    "created_at",
    "ed25519",
    "x25519",
    "kdf",
    "private_keys",
    "db_key",
    "store",
}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _bad(path: str, detail: str) -> StoreError:
    return StoreError(
        f"The center key file is damaged: {path}: {detail}.",
        "Restore center-keys.json from the center's backup; without it the center's keys "
        "and database cannot be opened.",
    )


def _aad(center_id: str, what: str | None = None) -> bytes:
    text = f"{FORMAT}@{VERSION}|{center_id}"
    return (text if what is None else f"{text}|{what}").encode()


def _raw_public(private: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Wrap:
    """An AES-256-GCM encryption of a secret (tag appended to the ciphertext)."""

    nonce: bytes
    ciphertext: bytes

    def to_json(self) -> dict[str, str]:
        return {"alg": "A256GCM", "nonce": _b64(self.nonce), "ciphertext": _b64(self.ciphertext)}


@dataclass(frozen=True)
class CenterSecrets:
    """What the center password unlocks: the two private keys and the database key."""

    ed25519_private: bytes
    x25519_private: bytes
    db_key: bytes

    @property
    def signing_key(self) -> Ed25519PrivateKey:
        """The Ed25519 key that signs return bundles."""
        return Ed25519PrivateKey.from_private_bytes(self.ed25519_private)

    @classmethod
    def generate(cls) -> CenterSecrets:
        """Fresh keys (the operating system's random source)."""
        ed = Ed25519PrivateKey.generate().private_bytes_raw()
        x = X25519PrivateKey.generate().private_bytes_raw()
        return cls(ed, x, os.urandom(32))


@dataclass(frozen=True)
class StoreLocation:
    """Where the center's data lives: an SQLCipher file in the center folder, or PostgreSQL."""

    kind: str  # "sqlite" or "postgresql"
    file: str | None = None  # sqlite: the file name inside the center folder
    url: str | None = None  # postgresql: a SQLAlchemy URL without a password

    def to_json(self) -> dict[str, str]:
        if self.kind == "sqlite":
            return {"kind": "sqlite", "file": str(self.file)}
        return {"kind": "postgresql", "url": str(self.url)}

    @property
    def label(self) -> str:
        """Where, in words (never a password: URLs with one are refused at init)."""
        return f"SQLCipher file {self.file}" if self.kind == "sqlite" else f"PostgreSQL {self.url}"


@dataclass(frozen=True)
class CenterKeyFile:
    """The parsed key file (public part and the wraps)."""

    center_id: str
    study_oid: str
    created_at: str
    ed25519: bytes
    x25519: bytes
    salt: bytes
    cost: KdfCost
    private_keys: Wrap
    db_key: Wrap
    store: StoreLocation

    @property
    def fingerprint(self) -> str:
        """The center's phone fingerprint (docs/bundle-format.md §1)."""
        return fingerprint("center", self.ed25519, self.x25519)

    # -- making -----------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        *,
        center_id: str,
        study_oid: str,
        password: str,
        secrets: CenterSecrets,
        store: StoreLocation,
        cost: KdfCost,
        created_at: str | None = None,
    ) -> CenterKeyFile:
        """A key file wrapping ``secrets`` under ``password``."""
        salt = os.urandom(16)
        kek = AESGCM(derive_password_key(password, salt, cost))
        n1, n2 = os.urandom(12), os.urandom(12)
        private = secrets.ed25519_private + secrets.x25519_private
        return cls(
            center_id=center_id,
            study_oid=study_oid,
            created_at=created_at or dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            ed25519=_raw_public(Ed25519PrivateKey.from_private_bytes(secrets.ed25519_private)),
            x25519=_raw_public(X25519PrivateKey.from_private_bytes(secrets.x25519_private)),
            salt=salt,
            cost=cost,
            private_keys=Wrap(n1, kek.encrypt(n1, private, _aad(center_id))),
            db_key=Wrap(n2, kek.encrypt(n2, secrets.db_key, _aad(center_id, "database"))),
            store=store,
        )

    # -- unlocking --------------------------------------------------------------------

    def unlock(self, password: str) -> CenterSecrets:
        """The secrets, or AuthError when the password is not the center's."""
        kek = AESGCM(derive_password_key(password, self.salt, self.cost))
        try:
            private = kek.decrypt(
                self.private_keys.nonce, self.private_keys.ciphertext, _aad(self.center_id)
            )
            db_key = kek.decrypt(
                self.db_key.nonce, self.db_key.ciphertext, _aad(self.center_id, "database")
            )
        except InvalidTag:
            raise AuthError("The center password is wrong.") from None
        if len(private) != 64 or len(db_key) != 32:
            raise _bad("private_keys", "the unwrapped keys have the wrong length")
        secrets = CenterSecrets(private[:32], private[32:], db_key)
        ed = _raw_public(Ed25519PrivateKey.from_private_bytes(secrets.ed25519_private))
        x = _raw_public(X25519PrivateKey.from_private_bytes(secrets.x25519_private))
        if ed != self.ed25519 or x != self.x25519:
            raise _bad(
                "ed25519/x25519", "the public keys do not belong to the wrapped private keys"
            )
        return secrets

    # -- the file ---------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "center_id": self.center_id,
            "study_oid": self.study_oid,
            "created_at": self.created_at,
            "ed25519": _b64(self.ed25519),
            "x25519": _b64(self.x25519),
            "kdf": {
                "name": "argon2id",
                "salt": _b64(self.salt),
                "iterations": self.cost.iterations,
                "lanes": self.cost.lanes,
                "memory_kib": self.cost.memory_kib,
            },
            "private_keys": self.private_keys.to_json(),
            "db_key": self.db_key.to_json(),
            "store": self.store.to_json(),
        }

    def save(self, path: Path) -> None:
        """Write the file atomically (temporary file, fsync, rename; owner-only)."""
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        write_atomic(path, text.encode("utf-8"))

    @classmethod
    def from_json(cls, doc: object) -> CenterKeyFile:
        """Check and read the file's JSON; StoreError naming the field otherwise."""
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise _bad("format", f"not {FORMAT}")
        version = doc.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise _bad("version", "must be a whole number")
        if version > VERSION:
            raise StoreError(
                f"The center key file is version {version}; this npc-crf reads version {VERSION}.",
                "Install the newer npc-crf that wrote it.",
            )
        if version != VERSION:
            raise _bad("version", f"{version} is not a known version")
        if missing := sorted(_TOP - set(doc)):
            raise _bad(", ".join(missing), "missing")
        if unknown := sorted(set(doc) - _TOP):
            raise _bad(", ".join(unknown), "unknown field")
        for name in ("center_id", "study_oid", "created_at"):
            if not isinstance(doc[name], str) or not doc[name]:
                raise _bad(name, "must be non-empty text")
        kdf = doc["kdf"]
        if not isinstance(kdf, dict) or kdf.get("name") != "argon2id":
            raise _bad("kdf", "must name argon2id")
        try:
            cost = KdfCost(int(kdf["iterations"]), int(kdf["lanes"]), int(kdf["memory_kib"]))
        except (KeyError, TypeError, ValueError):
            raise _bad("kdf", "needs whole-number iterations, lanes and memory_kib") from None
        if cost.iterations < 1 or cost.lanes < 1 or cost.memory_kib < 8 * cost.lanes:
            raise _bad("kdf", "impossible Argon2id parameters")
        return cls(
            center_id=doc["center_id"],
            study_oid=doc["study_oid"],
            created_at=doc["created_at"],
            ed25519=_sized(doc["ed25519"], "ed25519", 32),
            x25519=_sized(doc["x25519"], "x25519", 32),
            salt=_sized(kdf.get("salt"), "kdf.salt", 16),
            cost=cost,
            private_keys=_wrap(doc["private_keys"], "private_keys", 64),
            db_key=_wrap(doc["db_key"], "db_key", 32),
            store=_store(doc["store"]),
        )

    @classmethod
    def load(cls, path: Path) -> CenterKeyFile:
        """Read ``path``; StoreError when it is missing, unreadable or damaged."""
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise StoreError(
                f"There is no center in {path.parent} ({path.name} is missing).",
                "Create one with 'npc-crf center init', or give the right --dir.",
            ) from None
        except OSError as exc:
            raise StoreError(
                f"The center key file {path} cannot be read: {exc.strerror}."
            ) from None
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _bad(str(path), f"not JSON ({exc})") from None
        return cls.from_json(doc)


def _sized(value: object, where: str, size: int) -> bytes:
    if not isinstance(value, str):
        raise _bad(where, "must be base64 text")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _bad(where, "is not base64") from None
    if len(raw) != size:
        raise _bad(where, f"must be {size} bytes, not {len(raw)}")
    return raw


def _wrap(value: object, where: str, secret_bytes: int) -> Wrap:
    if not isinstance(value, dict) or value.get("alg") != "A256GCM":
        raise _bad(where, "must be an A256GCM wrap")
    return Wrap(
        _sized(value.get("nonce"), f"{where}.nonce", 12),
        _sized(value.get("ciphertext"), f"{where}.ciphertext", secret_bytes + 16),
    )


def _store(value: object) -> StoreLocation:
    if not isinstance(value, dict):
        raise _bad("store", "must be an object")
    kind = value.get("kind")
    if kind == "sqlite" and set(value) == {"kind", "file"} and isinstance(value["file"], str):
        name = value["file"]
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise _bad("store.file", "must be a plain file name inside the center folder")
        return StoreLocation("sqlite", file=name)
    if kind == "postgresql" and set(value) == {"kind", "url"} and isinstance(value["url"], str):
        return StoreLocation("postgresql", url=value["url"])
    raise _bad("store", "must be {kind: sqlite, file} or {kind: postgresql, url}")
