"""Accounts: add, disable, reset and change passwords, unlock, list."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from npc_crf.auth.roles import Permission, Role
from npc_crf.core.errors import AuthError, UsageError
from npc_crf.services.site import check_username
from npc_crf.services.workspace import Workspace
from npc_crf.store.models import account


@dataclass(frozen=True)
class AccountInfo:
    """An account as the administrator sees it."""

    username: str
    full_name: str
    role: Role
    active: bool
    must_change_password: bool
    locked_until: str | None
    created_at: str


class UserService:
    """Account management (site administrator), and each user's own password."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def list(self) -> list[AccountInfo]:
        """Every account, active or not."""
        self.ws.require(Permission.MANAGE_USERS, "list accounts")
        with self.ws.read() as conn:
            rows = conn.execute(select(account).order_by(account.c.username)).all()
        keys = self.ws.site.keys.accounts
        return [
            AccountInfo(
                r.username,
                r.full_name,
                Role(r.role),
                bool(r.active),
                bool(r.must_change_password),
                keys[r.username].locked_until if r.username in keys else None,
                r.created_at,
            )
            for r in rows
        ]

    def add(self, username: str, full_name: str, role: Role, initial_password: str) -> None:
        """Create an account; the user must change the initial password at first login."""
        self.ws.require(Permission.MANAGE_USERS, "add accounts")
        check_username(username)
        if not full_name.strip():
            raise UsageError("The full name is needed: it is printed with every signature.")
        site = self.ws.site
        site.policy.check_password(username, initial_password)
        now = self.ws.now().isoformat(timespec="seconds")
        with self.ws.tx() as tx:
            exists = tx.conn.execute(
                select(account.c.username).where(account.c.username == username)
            ).first()
            if exists is not None:
                raise UsageError(
                    f"The user name '{username}' is taken (user names are never reused, "
                    "so that every record stays attributable)."
                )
            tx.conn.execute(
                insert(account).values(
                    username=username,
                    full_name=full_name.strip(),
                    role=role.value,
                    active=True,
                    must_change_password=True,
                    created_at=now,
                    password_changed_at=now,
                )
            )
            tx.audit.append(
                "account_created",
                item_path=username,
                new_value=json.dumps({"role": role.value, "full_name": full_name.strip()}),
            )
            site.keys.wrap_for(username, initial_password, self.ws.db_key, site.new_wrap_cost())
            site.save_keys()  # inside the transaction: a failed save rolls the account back

    def _active(self, username: str) -> None:
        with self.ws.read() as conn:
            row = conn.execute(select(account).where(account.c.username == username)).first()
        if row is None:
            raise UsageError(f"There is no account '{username}'.")
        if not row.active:
            raise UsageError(f"The account '{username}' is disabled.")

    def disable(self, username: str, reason: str) -> None:
        """Revoke an account: its password opens nothing any more; its records stay."""
        self.ws.require(Permission.MANAGE_USERS, "disable accounts")
        if username == self.ws.username:
            raise UsageError("You cannot disable your own account.")
        if not reason.strip():
            raise UsageError("Give a reason for disabling the account.")
        self._active(username)
        with self.ws.tx() as tx:
            tx.conn.execute(
                update(account).where(account.c.username == username).values(active=False)
            )
            tx.audit.append(
                "account_disabled",
                item_path=username,
                old_value=json.dumps({"active": True}),
                new_value=json.dumps({"active": False}),
                reason=reason.strip(),
            )
            self.ws.site.keys.remove(username)
            self.ws.site.save_keys()

    def reset_password(self, username: str, temporary_password: str) -> None:
        """Give a user a temporary password that must be changed at the next login."""
        self.ws.require(Permission.MANAGE_USERS, "reset passwords")
        if username == self.ws.username:
            raise UsageError("Use change-password for your own account.")
        self._active(username)
        site = self.ws.site
        site.policy.check_password(username, temporary_password)
        with self.ws.tx() as tx:
            tx.conn.execute(
                update(account)
                .where(account.c.username == username)
                .values(must_change_password=True)
            )
            tx.audit.append("password_reset", item_path=username)
            site.keys.wrap_for(username, temporary_password, self.ws.db_key, site.new_wrap_cost())
            site.save_keys()

    def unlock(self, username: str) -> None:
        """Lift a lockout after failed logins."""
        self.ws.require(Permission.MANAGE_USERS, "unlock accounts")
        wrap = self.ws.site.keys.accounts.get(username)
        if wrap is None:
            raise UsageError(f"There is no active account '{username}'.")
        with self.ws.tx() as tx:
            tx.audit.append(
                "account_unlocked",
                item_path=username,
                old_value=json.dumps({"failed_logins": wrap.failed_logins}),
            )
            wrap.failed_logins, wrap.locked_until = 0, None
            self.ws.site.save_keys()

    def change_password(self, current: str, new: str) -> None:
        """Change one's own password (re-wraps the database key; nothing is re-encrypted)."""
        if self.ws.logged_out or self.ws.locked:
            raise AuthError("Log in first.")
        site = self.ws.site
        if site.keys.unwrap(self.ws.username, current) != self.ws.db_key:
            raise AuthError("The current password is wrong.")
        if new == current:
            raise UsageError("The new password must differ from the current one.")
        site.policy.check_password(self.ws.username, new)
        with self.ws.tx() as tx:
            tx.conn.execute(
                update(account)
                .where(account.c.username == self.ws.username)
                .values(
                    must_change_password=False,
                    password_changed_at=self.ws.now().isoformat(timespec="seconds"),
                )
            )
            tx.audit.append("password_changed", item_path=self.ws.username)
            site.keys.wrap_for(self.ws.username, new, self.ws.db_key, site.new_wrap_cost())
            site.save_keys()
        self.ws.must_change_password = False
