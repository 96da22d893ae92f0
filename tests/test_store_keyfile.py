"""The key file format npc-crf/keyfile v1 against its test vector, and damaged key files."""

from __future__ import annotations

import base64
import copy
import importlib.util
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from npc_crf.core.errors import AuthError, StoreError
from npc_crf.store.keyfile import (
    TEST_COST,
    KdfCost,
    KeyFile,
    format_recovery_key,
    parse_recovery_key,
)

VECTORS = Path(__file__).parent / "vectors"
VECTOR: dict[str, Any] = json.loads((VECTORS / "keyfile_v1.json").read_text(encoding="utf-8"))
DB_KEY = bytes.fromhex(VECTOR["db_key"])
USERS = sorted(VECTOR["accounts"])
RECOVERY_TEXT: str = VECTOR["recovery"]["text"]


def _keyfile_json() -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(VECTOR["keyfile"])
    return data


def _password(user: str) -> str:
    password: str = VECTOR["accounts"][user]["password"]
    return password


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_keyfile_vector", VECTORS / "make_keyfile_vector.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the vector ------------------------------------------------------------------------------


def test_vector_file_is_what_the_generator_makes() -> None:
    assert _generator().build() == VECTOR


@pytest.mark.parametrize("user", USERS)
def test_vector_unwraps_with_each_password(user: str) -> None:
    keys = KeyFile.from_json(_keyfile_json())
    assert keys.unwrap(user, _password(user)) == DB_KEY


def test_vector_recovery_key_text_parses_and_unwraps() -> None:
    raw = parse_recovery_key(RECOVERY_TEXT)
    assert raw.hex() == VECTOR["recovery"]["raw"]
    assert format_recovery_key(raw) == RECOVERY_TEXT
    assert KeyFile.from_json(_keyfile_json()).unwrap_recovery(raw) == DB_KEY


def test_vector_reads_and_writes_unchanged() -> None:
    keys = KeyFile.from_json(_keyfile_json())
    assert keys.site_id == "S01"
    assert keys.accounts["alice"].cost == KdfCost(iterations=2, lanes=1, memory_kib=16)
    assert keys.accounts["bob"].failed_logins == 2
    assert keys.policy["max_failed_logins"] == 5
    assert keys.to_json() == VECTOR["keyfile"]


def test_code_writes_wraps_the_documented_format_can_open() -> None:
    """The other direction: a wrap made by KeyFile opens with the primitives alone."""
    gen = _generator()
    keys = KeyFile.create("S01", gen.INSTALLATION_ID, DB_KEY, bytes(32))
    keys.wrap_for("carol", "carol's password", DB_KEY, TEST_COST)
    account = keys.to_json()["accounts"]["carol"]
    kdf, wrap = account["kdf"], account["wrap"]
    kek = Argon2id(
        salt=base64.b64decode(kdf["salt"]),
        length=32,
        iterations=kdf["iterations"],
        lanes=kdf["lanes"],
        memory_cost=kdf["memory_kib"],
    ).derive(b"carol's password")
    opened = AESGCM(kek).decrypt(
        base64.b64decode(wrap["nonce"]), base64.b64decode(wrap["ciphertext"]), gen.aad("carol")
    )
    assert opened == DB_KEY


# -- what must not open ----------------------------------------------------------------------


def _flip_ciphertext(data: dict[str, Any]) -> None:
    wrap = data["accounts"]["alice"]["wrap"]
    raw = bytearray(base64.b64decode(wrap["ciphertext"]))
    raw[5] ^= 0x01
    wrap["ciphertext"] = base64.b64encode(bytes(raw)).decode()


def _flip_salt(data: dict[str, Any]) -> None:
    kdf = data["accounts"]["alice"]["kdf"]
    raw = bytearray(base64.b64decode(kdf["salt"]))
    raw[0] ^= 0x80
    kdf["salt"] = base64.b64encode(bytes(raw)).decode()


def _move_to_bob(data: dict[str, Any]) -> None:
    data["accounts"]["bob"] = data["accounts"]["alice"]


def _other_installation(data: dict[str, Any]) -> None:
    data["installation_id"] = "00000000-0000-4000-8000-000000000000"


def _cheaper_cost(data: dict[str, Any]) -> None:
    data["accounts"]["alice"]["kdf"]["iterations"] = 1


REFUSED = [
    ("wrong password", None, "alice", "correct horse battery stapler"),
    ("password of another user", None, "alice", _password("bob")),
    ("wrap moved to another user", _move_to_bob, "bob", _password("alice")),
    ("flipped ciphertext byte", _flip_ciphertext, "alice", _password("alice")),
    ("flipped salt bit", _flip_salt, "alice", _password("alice")),
    ("changed KDF cost", _cheaper_cost, "alice", _password("alice")),
    ("wrap copied to another installation", _other_installation, "alice", _password("alice")),
    ("unknown user", None, "mallory", _password("alice")),
]


@pytest.mark.parametrize(
    ("change", "user", "password"),
    [pytest.param(c, u, p, id=name) for name, c, u, p in REFUSED],
)
def test_unwrap_refuses(change: Any, user: str, password: str) -> None:
    data = _keyfile_json()
    if change is not None:
        change(data)
    assert KeyFile.from_json(data).unwrap(user, password) is None


def test_recovery_wrap_is_bound_to_the_installation() -> None:
    data = _keyfile_json()
    _other_installation(data)
    assert KeyFile.from_json(data).unwrap_recovery(parse_recovery_key(RECOVERY_TEXT)) is None


def test_another_recovery_key_does_not_unwrap() -> None:
    other = format_recovery_key(bytes(range(32)))
    keys = KeyFile.from_json(_keyfile_json())
    assert keys.unwrap_recovery(parse_recovery_key(other)) is None


# -- damaged key files -----------------------------------------------------------------------


def _set(path: str, value: object) -> Any:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = data
        for key in parents:
            target = target[key]
        target[last] = value

    return change


def _delete(path: str) -> Any:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = data
        for key in parents:
            target = target[key]
        del target[last]

    return change


# (change, text the StoreError must contain)
DAMAGED = [
    (_delete("format"), "'format'"),
    (_set("format", "npc-crf/something-else"), "'format'"),
    (_delete("version"), "'version'"),
    (_set("version", "1"), "'version'"),
    (_delete("site_id"), "'site_id'"),
    (_set("installation_id", 42), "'installation_id'"),
    (_delete("created_at"), "'created_at'"),
    (_set("accounts", []), "'accounts'"),
    (_delete("recovery"), "'recovery'"),
    (_set("recovery.kdf.name", "pbkdf2"), "recovery.kdf"),
    (_set("recovery.wrap.alg", "A128GCM"), "recovery.wrap"),
    (_set("recovery.kdf.salt", "not*base64!"), "recovery.kdf.salt"),
    (_delete("recovery.wrap.nonce"), "recovery.wrap.nonce"),
    (_set("recovery.wrap.ciphertext", 12345), "recovery.wrap.ciphertext"),
    (_set("accounts.alice", "not an object"), "accounts.alice"),
    (_delete("accounts.alice.kdf"), "accounts.alice.kdf"),
    (_set("accounts.alice.kdf.name", "scrypt"), "accounts.alice.kdf"),
    (_delete("accounts.alice.wrap"), "accounts.alice.wrap"),
    (_delete("accounts.alice.kdf.memory_kib"), "accounts.alice.kdf"),
    (_set("accounts.alice.kdf.iterations", "three"), "accounts.alice.kdf"),
    (_set("accounts.bob.kdf.salt", "%%%%"), "accounts.bob.kdf.salt"),
    (_delete("accounts.alice.wrap.nonce"), "accounts.alice.wrap.nonce"),
    (_set("accounts.alice.wrap.ciphertext", "abc"), "accounts.alice.wrap.ciphertext"),
]


@pytest.mark.parametrize(
    ("change", "where"),
    [pytest.param(c, w, id=f"{n:02d}-{w.strip(chr(39))}") for n, (c, w) in enumerate(DAMAGED)],
)
def test_damaged_key_file_names_the_field(change: Any, where: str) -> None:
    data = _keyfile_json()
    change(data)
    with pytest.raises(StoreError) as caught:
        KeyFile.from_json(data)
    assert where in caught.value.message
    assert "damaged" in caught.value.message
    assert caught.value.hint  # tells what to do next


# values that are well-formed JSON of the right type but cannot be used: the key file is
# damaged just the same, and loading it must say so instead of failing later in a login
UNUSABLE = [
    pytest.param(
        _set("accounts.alice.failed_logins", "many"),
        "accounts.alice.failed_logins",
        id="failed_logins-not-a-number",
    ),
    pytest.param(
        _set("accounts.alice.locked_until", "yesterday"),
        "accounts.alice.locked_until",
        id="locked_until-not-a-time",
    ),
    pytest.param(
        _set("accounts.alice.locked_until", "2030-01-01T00:00:00"),
        "accounts.alice.locked_until",
        id="locked_until-without-offset",
    ),
    pytest.param(
        _set("accounts.alice.kdf.iterations", 0),
        "accounts.alice.kdf",
        id="zero-iterations",
    ),
    pytest.param(
        _set("accounts.alice.kdf.salt", ""),
        "accounts.alice.kdf.salt",
        id="empty-salt",
    ),
    pytest.param(
        _set("accounts.alice.wrap.nonce", ""),
        "accounts.alice.wrap.nonce",
        id="empty-nonce",
    ),
    pytest.param(
        _set("recovery.wrap.nonce", ""),
        "recovery.wrap.nonce",
        id="empty-recovery-nonce",
    ),
]


@pytest.mark.parametrize(("change", "where"), UNUSABLE)
def test_unusable_key_file_values_are_refused_when_loading(change: Any, where: str) -> None:
    data = _keyfile_json()
    change(data)
    with pytest.raises(StoreError) as caught:
        KeyFile.from_json(data)
    assert where in caught.value.message


@pytest.mark.parametrize("version", [2, 17])
def test_newer_key_file_version_asks_for_a_newer_program(version: int) -> None:
    data = _keyfile_json()
    data["version"] = version
    with pytest.raises(StoreError) as caught:
        KeyFile.from_json(data)
    assert f"version {version}" in caught.value.message
    assert "newer" in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "missing"),
        (b"", "not JSON"),
        (b'{"format": "npc-crf/keyfile", ', "not JSON"),
        (b"\xff\xfe\x00garbage", "not JSON"),
        (b"[1, 2, 3]", "'format'"),
    ],
    ids=["missing", "empty", "cut-short", "not-utf8", "a-list"],
)
def test_load_reports_missing_or_unreadable_files(
    tmp_path: Path, content: bytes | None, expected: str
) -> None:
    path = tmp_path / "keys.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(StoreError) as caught:
        KeyFile.load(path)
    assert expected in caught.value.message


# -- the recovery key's check group ----------------------------------------------------------


def _replace_char(text: str, index: int, new: str) -> str:
    return text[:index] + new + text[index + 1 :]


def _typo(index: int) -> str:
    old = RECOVERY_TEXT[index]
    assert old != "-"
    new = "A" if old != "A" else "B"
    return _replace_char(RECOVERY_TEXT, index, new)


def _swap(index: int) -> str:
    a, b = RECOVERY_TEXT[index], RECOVERY_TEXT[index + 1]
    assert a != b and "-" not in (a, b)
    return RECOVERY_TEXT[:index] + b + a + RECOVERY_TEXT[index + 2 :]


@pytest.mark.parametrize(
    "text",
    [_typo(0), _typo(12), _typo(47), _typo(len(RECOVERY_TEXT) - 1), _swap(5), _swap(31)],
    ids=["first", "group-3", "group-10", "check-group", "swap-2", "swap-7"],
)
def test_recovery_key_typo_is_caught_by_the_check_group(text: str) -> None:
    with pytest.raises(AuthError, match="typing mistake"):
        parse_recovery_key(text)


@pytest.mark.parametrize(
    "text",
    [RECOVERY_TEXT[:-1], RECOVERY_TEXT + "A", RECOVERY_TEXT.replace("-", "")[:-4], "", "hello"],
    ids=["one-short", "one-long", "no-check-group", "empty", "word"],
)
def test_text_of_the_wrong_shape_is_not_a_recovery_key(text: str) -> None:
    with pytest.raises(AuthError, match="not a recovery key"):
        parse_recovery_key(text)


def test_recovery_key_forgives_case_spacing_and_look_alike_digits() -> None:
    assert "O" in RECOVERY_TEXT and "I" in RECOVERY_TEXT  # so the substitutions below bite
    raw = parse_recovery_key(RECOVERY_TEXT)
    relaxed = RECOVERY_TEXT.lower().replace("-", " ")
    digits = RECOVERY_TEXT.replace("O", "0").replace("I", "1")
    assert parse_recovery_key(relaxed) == raw
    assert parse_recovery_key(digits) == raw
    assert parse_recovery_key(f"  {RECOVERY_TEXT}\n") == raw


# -- saving ----------------------------------------------------------------------------------


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    keys = KeyFile.from_json(_keyfile_json())
    keys.pending_events.append({"action": "login_failed", "username": "bob", "at": "x"})
    keys.save(path)
    again = KeyFile.load(path)
    assert again == keys
    assert again.unwrap("bob", _password("bob")) == DB_KEY
    assert json.loads(path.read_text(encoding="utf-8"))["pending_events"][0]["username"] == "bob"
    assert [p.name for p in tmp_path.iterdir()] == ["keys.json"]  # no temporary file left
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_changing_a_password_rewraps_the_same_key() -> None:
    keys = KeyFile.from_json(_keyfile_json())
    before = copy.deepcopy(keys.accounts["alice"])
    keys.wrap_for("alice", "a brand new password", DB_KEY, TEST_COST)
    assert keys.unwrap("alice", "a brand new password") == DB_KEY
    assert keys.unwrap("alice", _password("alice")) is None
    after = keys.accounts["alice"]
    assert after.salt != before.salt and after.nonce != before.nonce
    assert keys.unwrap("bob", _password("bob")) == DB_KEY  # the others are untouched


def test_removed_account_no_longer_unwraps() -> None:
    keys = KeyFile.from_json(_keyfile_json())
    keys.remove("bob")
    assert "bob" not in keys.to_json()["accounts"]
    assert keys.unwrap("bob", _password("bob")) is None
