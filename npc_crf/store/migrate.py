"""Bring a site database to the newest schema, with a backup before every migration."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from npc_crf.core.errors import StoreError

_SCRIPTS = Path(__file__).parent / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    return cfg


def head_revision() -> str:
    """The newest schema revision this program knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine, backup: Callable[[str], object] | None = None) -> str | None:
    """Upgrade to the newest schema; returns the revision it started from.

    ``backup(label)`` is called before an existing database is changed. A
    database at a revision this program does not know was written by a newer
    npc-crf and is refused untouched.
    """
    scripts = ScriptDirectory.from_config(_config())
    head = head_revision()
    current = current_revision(engine)
    if current == head:
        return current
    known = {rev.revision for rev in scripts.walk_revisions()}
    if current is not None and current not in known:
        raise StoreError(
            f"This data was written by a newer npc-crf (schema {current}; this program "
            f"knows up to {head}). Nothing was changed.",
            "Install the same or a newer npc-crf release to open it.",
        )
    if current is not None and backup is not None:
        backup(f"pre-migration-{current}-to-{head}")
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return current
