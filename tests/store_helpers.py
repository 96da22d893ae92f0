"""Shared helpers for the encrypted site store's tests (``tests/test_store_*.py``).

A test site is built with the cheap test Argon2id cost and up to four accounts
(administrator, research nurse, investigator, monitor) whose initial passwords
have already been changed, so every account can work at once.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from npc_crf.audit.chain import entry_count
from npc_crf.auth.roles import Role
from npc_crf.services.site import Site
from npc_crf.services.workspace import Workspace
from npc_crf.store.engine import connect_raw
from npc_crf.store.keyfile import TEST_COST
from npc_crf.store.layout import DataDir

ROOT = Path(__file__).resolve().parents[1]
STUDY = "NPC-SINT-RT"
ADMIN = "admin"
NURSE = "nurse"
DOCTOR = "doctor"
MONITOR = "monitor"

PASSWORDS = {
    ADMIN: "admin password 1",
    NURSE: "nurse password 2",
    DOCTOR: "doctor password 3",
    MONITOR: "monitor password 4",
}
ROLES = {ADMIN: Role.ADMIN, NURSE: Role.CRC, DOCTOR: Role.INVESTIGATOR, MONITOR: Role.MONITOR}
FULL_NAMES = {
    ADMIN: "Ada Admin",
    NURSE: "Nora Nurse",
    DOCTOR: "Dai Doctor",
    MONITOR: "Mo Monitor",
}
TEMPORARY_PASSWORD = "temporary pw 1"  # noqa: S105 - a test account

#: a complete informed consent form (SCR/IC)
IC_VALUES: dict[str, object] = {
    "ICYN": "yes",
    "ICDAT": "2026-01-05",
    "ICTIM": "09:30",
    "ICVER": "2.0",
    "ICVERDAT": "2025-12-01",
    "ICSIGNBY": "SUBJECT",
    "ICCOPY": "yes",
    "ICBIO": "no",
}


def mh_row(term: str, start: str = "2015-06", grade: str = "2") -> dict[str, object]:
    """One ongoing condition of the medical history group (SCR/MH, group MH)."""
    return {
        "MHTERM": term,
        "MHCAT": "CARDIOVASCULAR",
        "MHSTDAT": start,
        "MHONGO": "yes",
        "MHTOXGR": grade,
    }


def mh_values(*rows: Mapping[str, object]) -> dict[str, object]:
    """A complete medical history form with the given condition rows."""
    return {"MHYN": "yes", "MH": [dict(r) for r in rows]}


@dataclass
class StoreSite:
    """A test site and what the test needs to reach it again."""

    root: Path
    site: Site
    recovery: str

    @property
    def data(self) -> DataDir:
        return DataDir(self.root)

    def login(self, user: str = NURSE, password: str | None = None) -> Workspace:
        return self.site.login(user, password or PASSWORDS[user])

    def close(self) -> None:
        self.site.close()

    def reopen(self) -> Site:
        """Close the site (every connection, the lock) and open it again."""
        self.site.close()
        self.site = Site.open(self.root)
        return self.site


def make_site(
    root: Path,
    *,
    users: Iterable[str] = (NURSE,),
    site_id: str = "S01",
    installation_number: int = 1,
) -> StoreSite:
    """A new, open site (nobody logged in) with the administrator and ``users``."""
    site, recovery = Site.init(
        root,
        site_id=site_id,
        study_oid=STUDY,
        admin=ADMIN,
        admin_name=FULL_NAMES[ADMIN],
        password=PASSWORDS[ADMIN],
        installation_number=installation_number,
        cost=TEST_COST,
    )
    users = [u for u in users if u != ADMIN]
    if users:
        ws = site.login(ADMIN, PASSWORDS[ADMIN])
        for user in users:
            ws.users.add(user, FULL_NAMES[user], ROLES[user], TEMPORARY_PASSWORD)
        ws.logout()
        for user in users:
            ws = site.login(user, TEMPORARY_PASSWORD)
            ws.users.change_password(TEMPORARY_PASSWORD, PASSWORDS[user])
            ws.logout()
    return StoreSite(Path(root), site, recovery)


@dataclass(frozen=True)
class SiteTemplate:
    """A closed site made once, copied for each test (making one costs ~0.3 s, a copy ~10 ms).

    Copies share the installation ID, the keys and the recovery key, which no test
    compares across sites.
    """

    root: Path
    recovery: str

    @classmethod
    def build(cls, root: Path, *, users: Iterable[str] = (NURSE,)) -> SiteTemplate:
        store = make_site(root, users=users)
        store.close()
        return cls(store.root, store.recovery)

    def copy(self, dest: Path) -> StoreSite:
        """An open copy of the template at ``dest``."""
        shutil.copytree(self.root, dest)
        return StoreSite(Path(dest), Site.open(dest), self.recovery)


T = TypeVar("T")


def populated_template(
    base: Path, populate: Callable[[Workspace], T], *, users: Iterable[str] = (NURSE,)
) -> tuple[SiteTemplate, T]:
    """A closed site under ``base`` that ``populate`` filled as the nurse, to copy per test,
    and what ``populate`` returned (usually the subjects' IDs)."""
    template = SiteTemplate.build(base / "template", users=users)
    store = template.copy(base / "populated")
    ws = store.login(NURSE)
    made = populate(ws)
    ws.logout()
    store.close()
    return SiteTemplate(store.root, template.recovery), made


def enrol_consented(ws: Workspace, **changes: object) -> str:
    """Enrol a subject and save a complete consent form; returns the subject ID."""
    subject_id = ws.subjects.enrol()
    ws.casebook.save_form(subject_id, "SCR", 1, "IC", {**IC_VALUES, **changes}, complete=True)
    return subject_id


def audit_count(ws: Workspace) -> int:
    """How many entries the site's audit trail holds."""
    with ws.engine.connect() as conn:
        return entry_count(conn)


def audit_actions(ws: Workspace, since: int = 0) -> list[str]:
    """The actions of entries after sequence number ``since``, oldest first."""
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT action FROM audit_entry WHERE seq > ? ORDER BY seq", (since,)
        ).all()
    return [r[0] for r in rows]


@contextmanager
def raw_db(path: Path, key: bytes) -> Iterator[Any]:
    """A keyed DB-API connection to a site database, closed afterwards."""
    con = connect_raw(path, key)
    try:
        yield con
    finally:
        con.close()


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_hashes(root: Path, *, exclude: Iterable[str] = ("site.lock",)) -> dict[str, str]:
    """Relative path → SHA-256 of every file under ``root`` (except the lock file)."""
    skip = set(exclude)
    return {
        p.relative_to(root).as_posix(): sha256_file(p)
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).as_posix() not in skip
    }


def read_keys(root: Path) -> dict[str, Any]:
    """The key file's JSON."""
    data: dict[str, Any] = json.loads((root / "keys.json").read_text(encoding="utf-8"))
    return data


def write_keys(root: Path, data: Mapping[str, Any]) -> None:
    (root / "keys.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
