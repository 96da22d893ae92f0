"""A logged-in user's handle on the site: transactions, permissions, and the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine

from npc_crf.audit.chain import Actor, AuditLog
from npc_crf.auth.roles import Permission, Role, require
from npc_crf.core.errors import AuthError, NpcCrfError
from npc_crf.core.logs import LOGGER
from npc_crf.forms.model import Study
from npc_crf.store.engine import READ_ONLY, translated_errors

if TYPE_CHECKING:
    from npc_crf.services.audit_service import AuditService
    from npc_crf.services.backups import BackupService
    from npc_crf.services.casebook import CasebookService
    from npc_crf.services.endpoints import EndpointService
    from npc_crf.services.monitoring.holds import HoldService
    from npc_crf.services.monitoring.queries import QueryService
    from npc_crf.services.monitoring.sdv import SdvService
    from npc_crf.services.monitoring.signatures import SignatureService
    from npc_crf.services.reports.service import ReportService
    from npc_crf.services.response import ResponseService
    from npc_crf.services.settings import SettingsService
    from npc_crf.services.site import Site
    from npc_crf.services.status import StatusService
    from npc_crf.services.subjects import SubjectService
    from npc_crf.services.sync.service import SyncService
    from npc_crf.services.users import UserService
    from npc_crf.services.worklist import WorklistService


@dataclass
class Tx:
    """One database transaction and the audit log that writes inside it."""

    conn: Connection
    audit: AuditLog


class Workspace:
    """What a logged-in user can do. Every service method checks the role's permission."""

    def __init__(
        self,
        *,
        site: Site,
        engine: Engine,
        db_key: bytes,
        account: dict[str, Any],
        site_row: dict[str, Any],
        installation_number: int,
        study: Study,
        channel: str,
    ) -> None:
        self.site = site
        self.engine = engine
        self._db_key = db_key
        self.username: str = account["username"]
        self.full_name: str = account["full_name"]
        self.role = Role(account["role"])
        self.must_change_password: bool = bool(account["must_change_password"])
        self.site_id: str = site_row["site_id"]
        self.study = study
        self.installation_id = site.installation_id
        self.installation_number = installation_number
        self.channel = channel
        self.locked = False
        self.logged_out = False
        # Part 11 §11.200(a)(1): True once this continuous session made a signature (the
        # first needs user ID and password, later ones the password); a lock or a logout
        # ends the session and resets it
        self.signed_in_session = False

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.role.value, self.installation_id)

    @property
    def db_key(self) -> bytes:
        return self._db_key

    def _stale(self) -> bool:
        """True once the site's database was closed or replaced (restore) since login."""
        return self.site.current_engine is not self.engine

    def _check_usable(self) -> None:
        if not self.logged_out and self._stale():
            self.logged_out = True
            LOGGER.info("session ended: the database was closed or restored")
        if self.logged_out:
            raise AuthError("This session has ended; log in again.")
        if self.locked:
            raise AuthError("The session is locked; enter your password to continue.")

    @contextmanager
    def tx(self) -> Iterator[Tx]:
        """A transaction with its audit log; all of it is kept or none of it."""
        self._check_usable()
        with translated_errors(self.site.data.database), self.engine.begin() as conn:
            yield Tx(conn, AuditLog(conn, self.actor))

    @contextmanager
    def within(self, tx: Tx | None) -> Iterator[Tx]:
        """``tx`` itself when given (the caller commits), else a new transaction."""
        if tx is not None:
            self._check_usable()
            yield tx
        else:
            with self.tx() as own:
                yield own

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only connection (one consistent snapshot)."""
        self._check_usable()
        with translated_errors(self.site.data.database), self.engine.connect() as conn:
            yield conn.execution_options(**{READ_ONLY: True})

    def require(self, permission: Permission, action: str) -> None:
        """PermissionDenied unless this user's role allows ``action``; a forced password
        change must come first."""
        self._check_usable()
        if self.must_change_password:
            raise AuthError(
                "Your password was reset by the administrator: change it before anything else.",
                "npc-crf user change-password --data-dir DIR --user YOU",
            )
        require(self.role, permission, action)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    # -- session ----------------------------------------------------------------------------

    def logout(self) -> None:
        """End the session (audited). Safe to call twice."""
        if self.logged_out:
            return
        self.signed_in_session = False
        if self._stale():  # closed or restored meanwhile: nothing to write to any more
            self.logged_out = True
            return
        try:
            with translated_errors(self.site.data.database), self.engine.begin() as conn:
                AuditLog(conn, self.actor).append("logout", source=self.channel)
        except NpcCrfError:  # logging out must not fail loudly
            LOGGER.error("the logout could not be written to the audit trail")
        self.locked = False  # a logout ends a lock too; the automatic backup must still run
        try:
            self.backups.auto()
        except NpcCrfError as exc:  # a failed automatic backup must not lose the logout
            LOGGER.error("automatic backup failed: %s", type(exc).__name__)
        self.logged_out = True

    def lock(self, reason: str = "idle") -> None:
        """Lock the session (idle timeout or by hand); unsaved input stays with the caller."""
        self._check_usable()
        self.signed_in_session = False  # the continuous session ends here
        with self.tx() as tx:
            tx.audit.append("session_locked", reason=reason, source=self.channel)
        self.locked = True

    def unlock(self, password: str) -> None:
        """Resume a locked session with the same user's password (audited either way)."""
        if not self.locked:
            return
        key = self.site.keys.unwrap(self.username, password)
        self.locked = False
        if key != self._db_key:
            # the same count as failed logins; the trail is open, so the events go there
            locked_until = self.site.count_wrong_password(self.username, save=True)
            with self.tx() as tx:
                tx.audit.append("unlock_failed", source=self.channel)
                if locked_until is not None:
                    detail = self.site.policy.locked_detail(locked_until)
                    tx.audit.append("account_locked", reason=detail, source=self.channel)
            self.locked = True
            if locked_until is not None:
                self.logout()  # a guesser at the lock screen ends the session
                minutes = self.site.policy.lockout_minutes
                raise AuthError(
                    f"Wrong password. The account '{self.username}' is now locked for "
                    f"{minutes} minutes and the session has ended.",
                    "Input that was not saved is lost. Log in again later, or ask the site "
                    "administrator to unlock the account.",
                )
            raise AuthError("Wrong password.")
        with self.tx() as tx:
            tx.audit.append("session_unlocked", source=self.channel)
        self.site.clear_wrong_passwords(self.username)

    # -- services ---------------------------------------------------------------------------

    @cached_property
    def subjects(self) -> SubjectService:
        from npc_crf.services.subjects import SubjectService

        return SubjectService(self)

    @cached_property
    def casebook(self) -> CasebookService:
        from npc_crf.services.casebook import CasebookService

        return CasebookService(self)

    @cached_property
    def signatures(self) -> SignatureService:
        from npc_crf.services.monitoring.signatures import SignatureService

        return SignatureService(self)

    @cached_property
    def holds(self) -> HoldService:
        from npc_crf.services.monitoring.holds import HoldService

        return HoldService(self)

    @cached_property
    def queries(self) -> QueryService:
        from npc_crf.services.monitoring.queries import QueryService

        return QueryService(self)

    @cached_property
    def sdv(self) -> SdvService:
        from npc_crf.services.monitoring.sdv import SdvService

        return SdvService(self)

    @cached_property
    def worklist(self) -> WorklistService:
        from npc_crf.services.worklist import WorklistService

        return WorklistService(self)

    @cached_property
    def response(self) -> ResponseService:
        from npc_crf.services.response import ResponseService

        return ResponseService(self)

    @cached_property
    def status(self) -> StatusService:
        from npc_crf.services.status import StatusService

        return StatusService(self)

    @cached_property
    def users(self) -> UserService:
        from npc_crf.services.users import UserService

        return UserService(self)

    @cached_property
    def audit(self) -> AuditService:
        from npc_crf.services.audit_service import AuditService

        return AuditService(self)

    @cached_property
    def backups(self) -> BackupService:
        from npc_crf.services.backups import BackupService

        return BackupService(self)

    @cached_property
    def settings(self) -> SettingsService:
        from npc_crf.services.settings import SettingsService

        return SettingsService(self)

    @cached_property
    def sync(self) -> SyncService:
        from npc_crf.services.sync.service import SyncService

        return SyncService(self)

    @cached_property
    def endpoints(self) -> EndpointService:
        from npc_crf.services.endpoints import EndpointService

        return EndpointService(self)

    @cached_property
    def reports(self) -> ReportService:
        from npc_crf.services.reports.service import ReportService

        return ReportService(self)
