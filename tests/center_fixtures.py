"""Fixtures of the coordinating center's tests (``pytest_plugins = ("tests.center_fixtures",)``).

* ``backend`` — ``sqlite`` (an SQLCipher file in the center folder) or ``postgresql``
  (a fresh database on the test server of ``NPC_CRF_TEST_PG_URL``, dropped afterwards).
  Without the variable the PostgreSQL cases are skipped with a message to run
  ``scripts/test.sh``; with it and no server reachable they fail.
* ``make_center`` — a new center (cheap Argon2id) on the backend.
* ``site_template`` — a closed site (S01, installation 1) made once: two subjects with a
  complete consent form and a medical history with rows, one signed form (sealed by the
  installation), one SDV mark and one monitor's query.
* ``nurse_site`` — an open copy of the template, the nurse logged in.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from npc_crf.center.service import Center
from npc_crf.services.workspace import Workspace
from npc_crf.store.keyfile import TEST_COST
from tests.store_helpers import DOCTOR, MONITOR, NURSE, SiteTemplate, StoreSite
from tests.sync_helpers import CENTER_PASSWORD, DM, populate

PG_ENV = "NPC_CRF_TEST_PG_URL"


def pg_admin_url() -> str | None:
    """The test server's URL, or None when the test command did not start one."""
    return os.environ.get(PG_ENV) or None


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None (SQLite) or the URL of a fresh PostgreSQL database (dropped afterwards)."""
    if request.param == "sqlite":
        yield None
        return
    admin = pg_admin_url()
    if admin is None:
        pytest.skip(f"PostgreSQL cases need {PG_ENV}: run them through scripts/test.sh")
    name = f"t_{uuid.uuid4().hex[:16]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # any failure to reach the server fails the test
        engine.dispose()
        pytest.fail(f"{PG_ENV} is set but the PostgreSQL server cannot be used: {exc}")
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


@pytest.fixture
def make_center(backend: str | None, tmp_path: Path) -> Iterator[Callable[..., Center]]:
    """``make_center(name="center", **init_options)`` → an open new center."""
    made: list[Center] = []

    def make(name: str = "center", **options: Any) -> Center:
        options.setdefault("study_oid", "NPC-SINT-RT")
        options.setdefault("cost", TEST_COST)
        center = Center.init(
            tmp_path / name, password=CENTER_PASSWORD, by=DM, db_url=backend, **options
        )
        made.append(center)
        return center

    yield make
    for center in made:
        center.close()


@pytest.fixture(scope="session")
def site_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[SiteTemplate, list[str]]:
    """A closed populated site (S01, installation 1) to copy, and its subject IDs."""
    base = tmp_path_factory.mktemp("center-site")
    template = SiteTemplate.build(base / "empty", users=(NURSE, DOCTOR, MONITOR))
    store = template.copy(base / "populated")
    nurse, doctor, monitor = (store.login(u) for u in (NURSE, DOCTOR, MONITOR))
    subjects = populate(nurse, doctor, monitor)
    for ws in (nurse, doctor, monitor):
        ws.logout()
    store.close()
    return SiteTemplate(store.root, template.recovery), subjects


@pytest.fixture
def nurse_site(
    site_template: tuple[SiteTemplate, list[str]], tmp_path: Path
) -> Iterator[tuple[StoreSite, Workspace, list[str]]]:
    """An open copy of the populated site with the nurse logged in, and the subject IDs."""
    template, subjects = site_template
    store = template.copy(tmp_path / "site")
    ws = store.login(NURSE)
    try:
        yield store, ws, subjects
    finally:
        ws.logout()
        store.close()
