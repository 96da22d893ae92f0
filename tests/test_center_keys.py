"""The center key file (format npc-crf/center-keys v1): vector, unlocking, damage, init and open."""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from npc_crf.center.keys import FILE_NAME, CenterKeyFile, CenterSecrets, StoreLocation
from npc_crf.center.service import Center
from npc_crf.core.errors import AuthError, StoreError, UsageError
from npc_crf.store.keyfile import TEST_COST
from tests.sync_helpers import CENTER_PASSWORD, DM, trail_actions

pytest_plugins = ("tests.center_fixtures",)

VECTORS = Path(__file__).with_name("vectors")
VECTOR: dict[str, Any] = json.loads((VECTORS / "center_keys_v1.json").read_text(encoding="utf-8"))


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_center_keys_vector", VECTORS / "make_center_keys_vector.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _vector_file() -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(VECTOR["keyfile"])
    return data


# -- the vector ------------------------------------------------------------------------------


def test_vector_file_is_what_the_generator_makes() -> None:
    assert _generator().build() == VECTOR


def test_vector_unlocks_to_the_documented_secrets() -> None:
    keys = CenterKeyFile.from_json(_vector_file())
    secrets = keys.unlock(VECTOR["password"])
    assert secrets.ed25519_private.hex() == VECTOR["ed25519_private"]
    assert secrets.x25519_private.hex() == VECTOR["x25519_private"]
    assert secrets.db_key.hex() == VECTOR["db_key"]
    assert keys.fingerprint == VECTOR["fingerprint"]
    assert keys.store == StoreLocation("postgresql", url=VECTOR["keyfile"]["store"]["url"])


def test_vector_reads_and_writes_unchanged() -> None:
    assert CenterKeyFile.from_json(_vector_file()).to_json() == VECTOR["keyfile"]


def test_a_wrong_password_is_refused() -> None:
    with pytest.raises(AuthError, match="center password is wrong"):
        CenterKeyFile.from_json(_vector_file()).unlock(VECTOR["password"] + "x")


def _swap_wraps(doc: dict[str, Any]) -> None:
    doc["private_keys"], doc["db_key"] = doc["db_key"], doc["private_keys"]


def _other_center(doc: dict[str, Any]) -> None:
    doc["center_id"] = "another-center"


def _other_public(doc: dict[str, Any]) -> None:
    doc["x25519"] = doc["ed25519"]


DAMAGE: list[tuple[str, Callable[[dict[str, Any]], None], type[Exception], str]] = [
    ("wraps swapped", _swap_wraps, StoreError, "must be"),
    ("wraps moved to another center ID", _other_center, AuthError, "wrong"),
    ("public key replaced", _other_public, StoreError, "do not belong"),
    ("newer version", lambda d: d.update(version=2), StoreError, "version 2"),
    ("unknown field", lambda d: d.update(extra=1), StoreError, "extra: unknown"),
    ("missing store", lambda d: d.pop("store"), StoreError, "store: missing"),
    ("store file leaves the folder", lambda d: d.update(store={"kind": "sqlite", "file": "../x.db"}),
     StoreError, "plain file name"),
    ("salt not base64", lambda d: d["kdf"].update(salt="***"), StoreError, "kdf.salt"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "damage", "error", "text"), DAMAGE, ids=[d[0] for d in DAMAGE])
def test_a_damaged_or_moved_key_file_is_refused_by_name(
    what: str,
    damage: Callable[[dict[str, Any]], None],
    error: type[Exception],
    text: str,
) -> None:
    doc = _vector_file()
    damage(doc)
    with pytest.raises(error, match=text):
        CenterKeyFile.from_json(doc).unlock(VECTOR["password"])


def test_keys_are_written_atomically_owner_only_and_reread(tmp_path: Path) -> None:
    secrets = CenterSecrets.generate()
    keys = CenterKeyFile.create(
        center_id="c1", study_oid="NPC-SINT-RT", password=CENTER_PASSWORD, secrets=secrets,
        store=StoreLocation("sqlite", file="center.db"), cost=TEST_COST,
    )  # fmt: skip
    path = tmp_path / FILE_NAME
    keys.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]
    again = CenterKeyFile.load(path)
    assert again == keys
    assert again.unlock(CENTER_PASSWORD) == secrets


# -- a center folder ------------------------------------------------------------------------


def test_init_then_open_with_the_password(
    make_center: Callable[..., Center], tmp_path: Path
) -> None:
    center = make_center(center_id="cc-1")
    card = center.identity_card()
    url = center.keys.store.url
    center.close()
    again = Center.open(tmp_path / "center", CENTER_PASSWORD, by=DM)
    try:
        assert again.center_id == "cc-1"
        assert again.identity_card() == card
        assert card.fingerprint == again.keys.fingerprint
        assert again.keys.store.url == url
        assert trail_actions(again) == ["center_created"]
        with pytest.raises(AuthError):
            Center.open(tmp_path / "center", "not the password", by=DM)
    finally:
        again.close()


def test_init_refuses_a_folder_that_holds_a_center(make_center: Callable[..., Center]) -> None:
    make_center()
    with pytest.raises(UsageError, match="already holds a center"):
        make_center()


def test_init_refuses_a_postgresql_url_with_a_password(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="contains a password"):
        Center.init(
            tmp_path / "c", study_oid="NPC-SINT-RT", password=CENTER_PASSWORD, by=DM,
            db_url="postgresql+psycopg://npc:secret@127.0.0.1/x", cost=TEST_COST,
        )  # fmt: skip
    assert not (tmp_path / "c" / FILE_NAME).exists()


def test_init_refuses_an_unknown_study_and_a_short_password(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no study 'NOPE'"):
        Center.init(
            tmp_path / "a", study_oid="NOPE", password=CENTER_PASSWORD, by=DM, cost=TEST_COST
        )
    with pytest.raises(UsageError, match="at least 10"):
        Center.init(
            tmp_path / "b",
            study_oid="NPC-SINT-RT",
            password="short",  # noqa: S106 - too short on purpose
            by=DM,
            cost=TEST_COST,
        )


def test_a_store_of_a_newer_schema_is_refused(
    make_center: Callable[..., Center], tmp_path: Path
) -> None:
    from sqlalchemy import update

    from npc_crf.center import schema as t

    center = make_center()
    with center.engine.begin() as conn:
        conn.execute(update(t.center_meta).values(schema_version=t.SCHEMA_VERSION + 1))
    center.close()
    with pytest.raises(StoreError, match=f"schema version {t.SCHEMA_VERSION + 1}"):
        Center.open(tmp_path / "center", CENTER_PASSWORD, by=DM)


def test_a_missing_sqlite_database_is_named(tmp_path: Path) -> None:
    center = Center.init(tmp_path / "c", study_oid="NPC-SINT-RT", password=CENTER_PASSWORD, by=DM,
                         cost=TEST_COST)  # fmt: skip
    center.close()
    (tmp_path / "c" / "center.db").unlink()
    with pytest.raises(StoreError, match=r"center\.db is missing"):
        Center.open(tmp_path / "c", CENTER_PASSWORD, by=DM)
