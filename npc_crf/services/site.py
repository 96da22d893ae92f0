"""Setting up a site, opening its data directory, logging in and recovering access."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
import uuid
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import Engine, insert, select, update

from npc_crf import __version__
from npc_crf.audit.chain import Actor, AuditLog
from npc_crf.auth.policy import LoginPolicy
from npc_crf.auth.roles import Role
from npc_crf.core.errors import AuthError, StoreError, UsageError
from npc_crf.core.logs import LOGGER, log_to, stop_logging
from npc_crf.forms.model import Study
from npc_crf.services.studies import find_study
from npc_crf.services.workspace import Workspace
from npc_crf.store.backup import BackupInfo, create_backup
from npc_crf.store.engine import check_pages, open_engine, translated_errors
from npc_crf.store.keyfile import KdfCost, KeyFile, format_recovery_key, parse_recovery_key
from npc_crf.store.layout import DataDir
from npc_crf.store.lock import DirLock
from npc_crf.store.migrate import head_revision, migrate
from npc_crf.store.models import account, installation, setting, site
from npc_crf.store.seal import break_seal, full_check_due, write_seal

SITE_ID_RE = re.compile(r"^[A-Z0-9]{2,10}$")
USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def check_username(name: str) -> str:
    """A valid user name (lower case letters, digits, ``.``, ``_``, ``-``) or UsageError."""
    if not USERNAME_RE.match(name):
        raise UsageError(
            f"'{name}' is not a valid user name: 2–32 lower-case letters, digits, '.', '_' "
            "or '-', starting with a letter."
        )
    return name


def _policy_from(keys: KeyFile) -> LoginPolicy:
    fields = LoginPolicy.__dataclass_fields__
    return LoginPolicy(**{k: v for k, v in keys.policy.items() if k in fields})


class Site:
    """An opened data directory: locked for this process, key file read, not yet unlocked."""

    def __init__(self, data: DataDir, keys: KeyFile, lock: DirLock, forms_dir: Path | None):
        self.data = data
        self.keys = keys
        self._lock = lock
        self.forms_dir = forms_dir
        self._engine: Engine | None = None
        self._checked_at: dt.datetime | None = None  # the last full page check of site.db
        # (from schema, to schema, backup folder) when opening migrated the database
        self._upgraded: tuple[str, str, str] | None = None
        self._study: Study | None = None
        self._log_handler: logging.Handler | None = log_to(data.logs)
        LOGGER.info("site opened (installation %s)", keys.installation_id)

    # -- creating and opening ----------------------------------------------------------

    @classmethod
    def init(
        cls,
        data_dir: Path,
        *,
        site_id: str,
        study_oid: str,
        admin: str,
        admin_name: str,
        password: str,
        installation_number: int = 1,
        cost: KdfCost | None = None,
        forms_dir: Path | None = None,
    ) -> tuple[Site, str]:
        """Create a site; returns it (opened, not logged in) and the recovery key to show once."""
        if not SITE_ID_RE.match(site_id):
            raise UsageError(
                f"'{site_id}' is not a valid site ID: 2–10 capital letters or digits (e.g. S01)."
            )
        check_username(admin)
        if not admin_name.strip():
            raise UsageError("The administrator's full name is needed (it is printed on records).")
        if not 1 <= installation_number <= 99:
            raise UsageError("The installation number must be between 1 and 99.")
        policy = LoginPolicy()
        policy.check_password(admin, password)
        study = find_study(study_oid, forms_dir)
        data = DataDir(Path(data_dir))
        if data.exists():
            raise UsageError(
                f"A site already exists in {data.root}; choose another --data-dir.",
                "To start again from nothing, move that folder away first.",
            )
        data.make_folders()
        lock = DirLock(data.lockfile)
        lock.acquire()
        created: list[Path] = []
        try:
            db_key, recovery = os.urandom(32), os.urandom(32)
            installation_id = str(uuid.uuid4())
            keys = KeyFile.create(site_id, installation_id, db_key, recovery)
            keys.policy = {k: int(v) for k, v in policy.__dict__.items()}
            keys.wrap_for(admin, password, db_key, cost or KdfCost())
            created += [data.database, Path(f"{data.database}-wal"), Path(f"{data.database}-shm")]
            engine = open_engine(data.database, db_key)
            os.chmod(data.database, 0o600)  # SQLite gives its WAL and SHM the same mode
            migrate(engine)
            signing = Ed25519PrivateKey.generate()
            exchange = X25519PrivateKey.generate()
            now = _iso(_now())
            with translated_errors(data.database), engine.begin() as conn:
                log = AuditLog(conn, Actor(admin, Role.ADMIN.value, installation_id))
                conn.execute(
                    insert(site).values(
                        id=1,
                        site_id=site_id,
                        study_oid=study.oid,
                        study_version=study.version,
                        created_at=now,
                    )
                )
                conn.execute(
                    insert(installation).values(
                        installation_id=installation_id,
                        number=installation_number,
                        is_local=True,
                        public_key=signing.public_key().public_bytes(
                            serialization.Encoding.Raw, serialization.PublicFormat.Raw
                        ),
                        private_key=signing.private_bytes(
                            serialization.Encoding.Raw,
                            serialization.PrivateFormat.Raw,
                            serialization.NoEncryption(),
                        ),
                        created_at=now,
                        x25519_public=exchange.public_key().public_bytes(
                            serialization.Encoding.Raw, serialization.PublicFormat.Raw
                        ),
                        x25519_private=exchange.private_bytes(
                            serialization.Encoding.Raw,
                            serialization.PrivateFormat.Raw,
                            serialization.NoEncryption(),
                        ),
                    )
                )
                conn.execute(
                    insert(account).values(
                        username=admin,
                        full_name=admin_name.strip(),
                        role=Role.ADMIN.value,
                        active=True,
                        must_change_password=False,
                        created_at=now,
                        password_changed_at=now,
                    )
                )
                for name, value in keys.policy.items():
                    conn.execute(
                        insert(setting).values(
                            name=name, value=json.dumps(value), changed_at=now, changed_by=admin
                        )
                    )
                log.append(
                    "site_created",
                    new_value=json.dumps(
                        {"site_id": site_id, "study": study.oid, "study_version": study.version}
                    ),
                )
                log.append(
                    "installation_created",
                    new_value=json.dumps(
                        {"installation_id": installation_id, "number": installation_number}
                    ),
                )
                log.append(
                    "account_created",
                    item_path=admin,
                    new_value=json.dumps({"role": Role.ADMIN.value, "full_name": admin_name}),
                )
            engine.dispose()
            created.append(data.keyfile)
            keys.save(data.keyfile)
        except BaseException:
            for path in created:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            lock.release()
            raise
        opened = cls(data, keys, lock, forms_dir)
        return opened, format_recovery_key(recovery)

    @classmethod
    def open(cls, data_dir: Path, forms_dir: Path | None = None) -> Site:
        """Lock a data directory for this process and read its key file."""
        data = DataDir(Path(data_dir))
        if not data.root.is_dir():
            raise StoreError(
                f"There is no data directory at {data.root}.",
                "Set a site up first: npc-crf site init --data-dir DIR --site-id ID "
                "--study STUDY --admin USER",
            )
        if not data.exists():
            raise StoreError(f"{data.root} holds no npc-crf site (no keys.json, no site.db).")
        if not data.database.exists():
            raise StoreError(
                f"The database {data.database} is missing.",
                "Restore it from a backup folder: npc-crf backup restore.",
            )
        if data.database.stat().st_size == 0:
            raise StoreError(
                f"The database {data.database} is empty (damaged or cut off).",
                "Restore it from a backup folder: npc-crf backup restore.",
            )
        lock = DirLock(data.lockfile)
        lock.acquire()
        try:
            keys = KeyFile.load(data.keyfile)
        except BaseException:
            lock.release()
            raise
        return cls(data, keys, lock, forms_dir)

    def close(self) -> None:
        """Close the database and release the directory."""
        self.close_database()
        if self._log_handler is not None:
            LOGGER.info("site closed")
            stop_logging(self._log_handler)
            self._log_handler = None
        self._lock.release()

    def __enter__(self) -> Site:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- properties --------------------------------------------------------------------

    @property
    def policy(self) -> LoginPolicy:
        """The login policy in force."""
        return _policy_from(self.keys)

    @property
    def current_engine(self) -> Engine | None:
        """The open database engine; a workspace holding another one is stale."""
        return self._engine

    @property
    def site_id(self) -> str:
        return self.keys.site_id

    @property
    def installation_id(self) -> str:
        return self.keys.installation_id

    # -- logging in --------------------------------------------------------------------

    def _remember(self, action: str, username: str, detail: str, *, save: bool = True) -> None:
        """Keep an authentication event in the key file until the trail is unlocked."""
        self.keys.pending_events.append(
            {"action": action, "username": username, "at": _iso(_now()), "detail": detail}
        )
        if save:
            self.keys.save(self.data.keyfile)

    def login(self, username: str, password: str, *, channel: str = "cli") -> Workspace:
        """Check the password, unlock the database and return the user's workspace."""
        policy = self.policy
        wrap = self.keys.accounts.get(username)
        now = _now()
        if wrap is not None and wrap.locked_until:
            until = dt.datetime.fromisoformat(wrap.locked_until)
            if until > now:
                minutes = max(1, int((until - now).total_seconds() // 60) + 1)
                self._remember(
                    "login_refused_locked", username, f"locked until {wrap.locked_until}"
                )
                raise AuthError(
                    f"The account '{username}' is locked after {policy.max_failed_logins} failed "
                    f"logins; try again in {minutes} minute(s).",
                    "Or ask the site administrator to unlock it (npc-crf user unlock).",
                )
        db_key = self.keys.unwrap(username, password)
        if db_key is None:
            locked_until = self.count_wrong_password(username)
            self._remember("login_failed", username, f"via {channel}", save=False)
            if locked_until is not None:
                self._remember("account_locked", username, policy.locked_detail(locked_until))
                raise AuthError(
                    f"Wrong user name or password. The account '{username}' is now locked "
                    f"for {policy.lockout_minutes} minutes."
                )
            self.keys.save(self.data.keyfile)
            LOGGER.warning("failed login for %s via %s", username, channel)
            raise AuthError("Wrong user name or password.")
        workspace = self._unlock(db_key, username, channel)
        LOGGER.info("login %s (%s) via %s", username, workspace.role.value, channel)
        self.clear_wrong_passwords(username)
        return workspace

    def count_wrong_password(self, username: str, *, save: bool = False) -> str | None:
        """Count a wrong password for ``username`` (at login or at the lock screen); at the
        policy's limit the account is locked. Returns the end of the lock when this one
        locked it, else None. The caller records the event; the key file is written when
        ``save`` (else by the caller, with its pending events)."""
        wrap = self.keys.accounts.get(username)
        if wrap is None:
            return None
        wrap.failed_logins += 1
        locked = wrap.failed_logins >= self.policy.max_failed_logins
        if locked:
            until = _now() + dt.timedelta(minutes=self.policy.lockout_minutes)
            wrap.locked_until = _iso(until)
        if save:
            self.keys.save(self.data.keyfile)
        return wrap.locked_until if locked else None

    def clear_wrong_passwords(self, username: str) -> None:
        """Forget ``username``'s wrong passwords after a right one."""
        wrap = self.keys.accounts.get(username)
        if wrap is not None and (wrap.failed_logins or wrap.locked_until):
            wrap.failed_logins, wrap.locked_until = 0, None
            self.keys.save(self.data.keyfile)

    def recover(self, recovery_key: str, username: str, new_password: str) -> Workspace:
        """Unlock with the recovery key and give ``username`` (an administrator) a new password."""
        db_key = self.keys.unwrap_recovery(parse_recovery_key(recovery_key))
        if db_key is None:
            self._remember("recovery_failed", username, "wrong recovery key")
            raise AuthError("That recovery key does not belong to this installation.")
        self.policy.check_password(username, new_password)
        engine = self._engine_for(db_key)
        with engine.connect() as conn:
            row = conn.execute(select(account).where(account.c.username == username)).first()
        if row is None or row.role != Role.ADMIN.value or not row.active:
            raise UsageError(f"'{username}' is not an active site administrator account.")
        self.keys.wrap_for(username, new_password, db_key, self._cost())
        self.keys.accounts[username].failed_logins = 0
        self.keys.save(self.data.keyfile)
        workspace = self._unlock(db_key, username, "recovery key")
        with workspace.tx() as tx:
            tx.audit.append("password_recovered", item_path=username, reason="recovery key used")
            tx.conn.execute(
                update(account)
                .where(account.c.username == username)
                .values(password_changed_at=_iso(_now()), must_change_password=False)
            )
        return workspace

    def _cost(self) -> KdfCost:
        """The KDF cost for new wraps: the same as the existing ones (tests use cheap ones)."""
        costs = [w.cost for w in self.keys.accounts.values()]
        return max(costs, key=lambda c: c.memory_kib) if costs else KdfCost()

    def _engine_for(self, db_key: bytes) -> Engine:
        if self._engine is None:
            database = self.data.database
            due, checked_at = full_check_due(database, _now())
            try:
                engine = open_engine(database, db_key)
            except StoreError as exc:
                if "not a database" not in exc.message:
                    raise
                # the key was authenticated, so page 1 is damaged or this is another site.db
                raise StoreError(
                    f"The database {database} cannot be read with this key file: either it "
                    "is damaged, or keys.json is not the one made with it (this key file "
                    f"belongs to installation {self.installation_id} of site {self.site_id}, "
                    f"made {self.keys.created_at}).",
                    "Put back the keys.json that was next to this site.db, or restore the "
                    "latest backup with 'npc-crf backup restore'. Nothing was changed.",
                ) from None
            try:
                with translated_errors(database):
                    if due:
                        check_pages(engine, database)
                        checked_at = _now()
                        LOGGER.info("every database page authenticated")
                    backups: list[BackupInfo] = []
                    started = migrate(
                        engine, backup=lambda label: backups.append(self._backup(db_key, label))
                    )
                    if backups and started is not None:
                        self._upgraded = (started, head_revision(), backups[0].path.name)
                        LOGGER.info("schema upgraded from %s to %s", started, head_revision())
                break_seal(database)  # a crash from here on leaves no seal (nor a matching one)
            except BaseException:
                engine.dispose()
                raise
            self._engine, self._checked_at = engine, checked_at
        return self._engine

    def _backup(self, db_key: bytes, label: str) -> BackupInfo:
        return create_backup(
            self.data,
            db_key,
            label,
            site_id=self.site_id,
            installation_id=self.installation_id,
        )

    def study(self, study_oid: str) -> Study:
        """The site's study definition (loaded once)."""
        if self._study is None or self._study.oid != study_oid:
            self._study = find_study(study_oid, self.forms_dir)
        return self._study

    def _unlock(self, db_key: bytes, username: str, channel: str) -> Workspace:
        engine = self._engine_for(db_key)
        with translated_errors(self.data.database), engine.begin() as conn:
            row = conn.execute(select(account).where(account.c.username == username)).first()
            site_row = conn.execute(select(site)).one()
            inst = conn.execute(select(installation).where(installation.c.is_local)).one()
            if row is None or not row.active:
                raise AuthError(f"The account '{username}' is disabled.")
            log = AuditLog(conn, Actor(username, row.role, self.installation_id))
            flushed = self._flush_pending(log)
            if self._upgraded is not None:  # recorded by the first login after the upgrade
                started, head, backup_name = self._upgraded
                log.append(
                    "schema_upgraded",
                    source=channel,
                    reason=f"database schema {started} to {head} by npc-crf {__version__}; "
                    f"backup {backup_name} made first",
                )
                self._upgraded = None
            log.append("login", source=channel)
        if flushed:  # only once they are safely in the trail
            self.keys.pending_events = []
            self.keys.save(self.data.keyfile)
        workspace = Workspace(
            site=self,
            engine=engine,
            db_key=db_key,
            account=dict(row._mapping),
            site_row=dict(site_row._mapping),
            installation_number=inst.number,
            study=self.study(site_row.study_oid),
            channel=channel,
        )
        return workspace

    def _flush_pending(self, log: AuditLog) -> bool:
        for event in self.keys.pending_events:
            who = Actor(str(event.get("username", "?")), "-", self.installation_id)
            log.append(
                str(event.get("action", "auth_event")),
                actor=who,
                item_path=str(event.get("username", "")),
                reason=f"{event.get('detail', '')}; at {event.get('at')} (kept in the key file "
                "until the database was next unlocked)",
            )
        return bool(self.keys.pending_events)

    def close_database(self) -> None:
        """Close every connection (the directory stays locked) and seal the file if clean."""
        if self._engine is None:
            return
        self._engine.dispose()
        self._engine = None
        if self._checked_at is not None:
            try:
                write_seal(self.data.database, self._checked_at, _now())
            except OSError:  # no seal only means a full check at the next login
                LOGGER.warning("could not write the clean-close seal")
            self._checked_at = None

    def unlock_with_key(self, db_key: bytes, username: str, channel: str) -> Workspace:
        """Reopen after a restore, for the user who restored (key already authenticated)."""
        return self._unlock(db_key, username, channel)

    def save_keys(self) -> None:
        """Save the key file (after a change made by the user service)."""
        self.keys.save(self.data.keyfile)

    def new_wrap_cost(self) -> KdfCost:
        """The Argon2id cost for a new or changed password."""
        return self._cost()
