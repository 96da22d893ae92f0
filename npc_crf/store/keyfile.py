"""The key file: the database key, wrapped once per account and once for recovery.

Format ``npc-crf/keyfile`` version 1 (documented in ``docs/store.md``, test
vectors in ``tests/vectors/keyfile_v1.json``). It is JSON holding:

* the site and installation it belongs to;
* per account: an Argon2id salt and cost, and the 32-byte database key encrypted
  with AES-256-GCM under the Argon2id-derived key, with the format, installation
  and user name as associated data (so a wrap cannot be moved to another user);
  plus the failed-login counter and lockout time, which must be readable before
  anyone has unlocked the database;
* the recovery wrap: the same key encrypted under HKDF-SHA256 of the recovery key;
* authentication events (failed logins, lockouts) waiting to be copied into the
  encrypted audit trail at the next successful login.

Nothing in it is clinical data. Changing a password re-wraps the same database
key; the database is never re-encrypted.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from npc_crf.core.errors import AuthError, StoreError
from npc_crf.store.atomic import write_atomic

FORMAT = "npc-crf/keyfile"
VERSION = 1
KEY_BYTES = 32
_RECOVERY_INFO = b"npc-crf/keyfile@1 recovery"
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@dataclass(frozen=True)
class KdfCost:
    """Argon2id cost: passes, lanes and memory in KiB (RFC 9106 second choice by default)."""

    iterations: int = 3
    lanes: int = 4
    memory_kib: int = 64 * 1024


#: cheap parameters for tests only: never used by the application
TEST_COST = KdfCost(iterations=1, lanes=1, memory_kib=8)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object, where: str) -> bytes:
    if not isinstance(text, str):
        raise _bad(f"{where} must be base64 text")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise _bad(f"{where} is not valid base64") from None


def _sized(text: object, where: str, size: int) -> bytes:
    raw = _unb64(text, where)
    if len(raw) != size:
        raise _bad(f"{where} must be {size} bytes, not {len(raw)}")
    return raw


def _utc_time(value: object, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.utcoffset() is not None:
            return value
    raise _bad(f"{where} must be a date and time with its UTC offset, or null")


def _bad(detail: str) -> StoreError:
    return StoreError(
        f"The key file is damaged: {detail}",
        "Restore keys.json from a backup folder, or use the recovery key (npc-crf site recover).",
    )


def _aad(installation_id: str, who: str) -> bytes:
    return f"{FORMAT}@{VERSION}|{installation_id}|{who}".encode()


def derive_password_key(password: str, salt: bytes, cost: KdfCost) -> bytes:
    """The 32-byte key-encryption key for a password (Argon2id)."""
    return Argon2id(
        salt=salt,
        length=KEY_BYTES,
        iterations=cost.iterations,
        lanes=cost.lanes,
        memory_cost=cost.memory_kib,
    ).derive(password.encode("utf-8"))


def derive_recovery_key(recovery_key: bytes, salt: bytes) -> bytes:
    """The key-encryption key for the recovery key (HKDF-SHA256; it is already random)."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=_RECOVERY_INFO).derive(
        recovery_key
    )


def format_recovery_key(raw: bytes) -> str:
    """32 random bytes as 13 groups of four base32 letters plus a 4-letter check group."""
    text = base64.b32encode(raw).decode("ascii").rstrip("=")
    check = base64.b32encode(hashlib.sha256(raw).digest()).decode("ascii")[:4]
    text += check
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    """The raw recovery key from its printed form (spaces, dashes and case ignored)."""
    clean = "".join(ch for ch in text.upper() if ch not in " -\t\r\n")
    clean = clean.replace("0", "O").replace("1", "I").replace("8", "B")
    if len(clean) != 56 or any(ch not in _B32 for ch in clean):
        raise AuthError(
            "That is not a recovery key: it has 14 groups of four letters and digits 2–7."
        )
    raw = base64.b32decode(clean[:52] + "====")
    check = base64.b32encode(hashlib.sha256(raw).digest()).decode("ascii")[:4]
    if check != clean[52:]:
        raise AuthError("The recovery key has a typing mistake (its check group does not match).")
    return raw


@dataclass
class AccountWrap:
    """One account's wrapped database key and its login-failure state."""

    salt: bytes
    cost: KdfCost
    nonce: bytes
    ciphertext: bytes
    failed_logins: int = 0
    locked_until: str | None = None  # UTC ISO 8601

    def to_json(self) -> dict[str, Any]:
        return {
            "kdf": {
                "name": "argon2id",
                "salt": _b64(self.salt),
                "iterations": self.cost.iterations,
                "lanes": self.cost.lanes,
                "memory_kib": self.cost.memory_kib,
            },
            "wrap": {
                "alg": "A256GCM",
                "nonce": _b64(self.nonce),
                "ciphertext": _b64(self.ciphertext),
            },
            "failed_logins": self.failed_logins,
            "locked_until": self.locked_until,
        }

    @classmethod
    def from_json(cls, data: object, where: str) -> AccountWrap:
        if not isinstance(data, dict):
            raise _bad(f"{where} must be an object")
        kdf, wrap = data.get("kdf"), data.get("wrap")
        if not isinstance(kdf, dict) or kdf.get("name") != "argon2id":
            raise _bad(f"{where}.kdf must name argon2id")
        if not isinstance(wrap, dict) or wrap.get("alg") != "A256GCM":
            raise _bad(f"{where}.wrap must name A256GCM")
        try:
            cost = KdfCost(int(kdf["iterations"]), int(kdf["lanes"]), int(kdf["memory_kib"]))
        except (KeyError, TypeError, ValueError):
            raise _bad(f"{where}.kdf needs whole-number iterations, lanes and memory_kib") from None
        if cost.iterations < 1 or cost.lanes < 1 or cost.memory_kib < 8 * cost.lanes:
            raise _bad(f"{where}.kdf has impossible Argon2id parameters")
        failed = data.get("failed_logins", 0)
        if not isinstance(failed, int) or isinstance(failed, bool) or failed < 0:
            raise _bad(f"{where}.failed_logins must be a whole number")
        return cls(
            salt=_sized(kdf.get("salt"), f"{where}.kdf.salt", 16),
            cost=cost,
            nonce=_sized(wrap.get("nonce"), f"{where}.wrap.nonce", 12),
            ciphertext=_sized(wrap.get("ciphertext"), f"{where}.wrap.ciphertext", KEY_BYTES + 16),
            failed_logins=failed,
            locked_until=_utc_time(data.get("locked_until"), f"{where}.locked_until"),
        )


@dataclass
class KeyFile:
    """The parsed key file of one installation."""

    site_id: str
    installation_id: str
    created_at: str
    accounts: dict[str, AccountWrap] = field(default_factory=dict)
    recovery_salt: bytes = b""
    recovery_nonce: bytes = b""
    recovery_ciphertext: bytes = b""
    pending_events: list[dict[str, Any]] = field(default_factory=list)
    #: the login policy (it must be readable before the database is unlocked)
    policy: dict[str, int] = field(default_factory=dict)

    # -- creating and wrapping ----------------------------------------------------

    @classmethod
    def create(
        cls, site_id: str, installation_id: str, db_key: bytes, recovery_key: bytes
    ) -> KeyFile:
        """A new key file whose recovery key unwraps ``db_key``."""
        keys = cls(
            site_id=site_id,
            installation_id=installation_id,
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        salt, nonce = os.urandom(16), os.urandom(12)
        kek = derive_recovery_key(recovery_key, salt)
        keys.recovery_salt, keys.recovery_nonce = salt, nonce
        keys.recovery_ciphertext = AESGCM(kek).encrypt(
            nonce, db_key, _aad(installation_id, "#recovery")
        )
        return keys

    def wrap_for(self, user: str, password: str, db_key: bytes, cost: KdfCost) -> None:
        """Give ``user`` (new or existing) a wrap of ``db_key`` under ``password``."""
        salt, nonce = os.urandom(16), os.urandom(12)
        kek = derive_password_key(password, salt, cost)
        ciphertext = AESGCM(kek).encrypt(nonce, db_key, _aad(self.installation_id, user))
        self.accounts[user] = AccountWrap(salt, cost, nonce, ciphertext)

    def remove(self, user: str) -> None:
        """Forget ``user``'s wrap: the password no longer opens anything."""
        self.accounts.pop(user, None)

    def unwrap(self, user: str, password: str) -> bytes | None:
        """The database key if ``password`` is ``user``'s, else None."""
        wrap = self.accounts.get(user)
        if wrap is None:
            # spend the same time as a real attempt, so user names cannot be probed
            derive_password_key(password, b"\0" * 16, KdfCost())
            return None
        kek = derive_password_key(password, wrap.salt, wrap.cost)
        try:
            return AESGCM(kek).decrypt(
                wrap.nonce, wrap.ciphertext, _aad(self.installation_id, user)
            )
        except InvalidTag:
            return None

    def unwrap_recovery(self, recovery_key: bytes) -> bytes | None:
        """The database key if ``recovery_key`` is this installation's, else None."""
        kek = derive_recovery_key(recovery_key, self.recovery_salt)
        try:
            return AESGCM(kek).decrypt(
                self.recovery_nonce,
                self.recovery_ciphertext,
                _aad(self.installation_id, "#recovery"),
            )
        except InvalidTag:
            return None

    # -- the file -------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "site_id": self.site_id,
            "installation_id": self.installation_id,
            "created_at": self.created_at,
            "accounts": {u: w.to_json() for u, w in sorted(self.accounts.items())},
            "recovery": {
                "kdf": {"name": "hkdf-sha256", "salt": _b64(self.recovery_salt)},
                "wrap": {
                    "alg": "A256GCM",
                    "nonce": _b64(self.recovery_nonce),
                    "ciphertext": _b64(self.recovery_ciphertext),
                },
            },
            "pending_events": self.pending_events,
            "login_policy": self.policy,
        }

    def save(self, path: Path) -> None:
        """Write the key file atomically (owner-only permissions)."""
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"
        write_atomic(path, text.encode("utf-8"))

    @classmethod
    def from_json(cls, data: object) -> KeyFile:
        """Parse a key file's JSON; StoreError naming the bad field otherwise."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise _bad(f"'format' is not {FORMAT}")
        version = data.get("version")
        if not isinstance(version, int):
            raise _bad("'version' must be a whole number")
        if version > VERSION:
            raise StoreError(
                f"The key file is version {version}; this npc-crf reads up to version {VERSION}.",
                "Install the newer npc-crf that created it.",
            )
        for key in ("site_id", "installation_id", "created_at"):
            if not isinstance(data.get(key), str):
                raise _bad(f"'{key}' must be text")
        accounts_raw = data.get("accounts")
        if not isinstance(accounts_raw, dict):
            raise _bad("'accounts' must be an object")
        recovery = data.get("recovery")
        if not isinstance(recovery, dict):
            raise _bad("'recovery' must be an object")
        rkdf, rwrap = recovery.get("kdf"), recovery.get("wrap")
        if not isinstance(rkdf, dict) or rkdf.get("name") != "hkdf-sha256":
            raise _bad("recovery.kdf must name hkdf-sha256")
        if not isinstance(rwrap, dict) or rwrap.get("alg") != "A256GCM":
            raise _bad("recovery.wrap must name A256GCM")
        pending = data.get("pending_events", [])
        policy = data.get("login_policy", {})
        return cls(
            site_id=data["site_id"],
            installation_id=data["installation_id"],
            created_at=data["created_at"],
            accounts={
                str(u): AccountWrap.from_json(w, f"accounts.{u}") for u, w in accounts_raw.items()
            },
            recovery_salt=_sized(rkdf.get("salt"), "recovery.kdf.salt", 16),
            recovery_nonce=_sized(rwrap.get("nonce"), "recovery.wrap.nonce", 12),
            recovery_ciphertext=_sized(
                rwrap.get("ciphertext"), "recovery.wrap.ciphertext", KEY_BYTES + 16
            ),
            pending_events=[e for e in pending if isinstance(e, dict)]
            if isinstance(pending, list)
            else [],
            policy={str(k): v for k, v in policy.items() if isinstance(v, int)}
            if isinstance(policy, dict)
            else {},
        )

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        """Read the key file; StoreError (missing, unreadable, damaged) otherwise."""
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise StoreError(
                f"The key file {path} is missing, so the database cannot be opened.",
                "Copy keys.json back from a backup folder of this installation.",
            ) from None
        except OSError as exc:
            raise StoreError(f"The key file {path} cannot be read: {exc.strerror}.") from None
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _bad(f"{path} is not JSON ({exc})") from None
        return cls.from_json(data)
