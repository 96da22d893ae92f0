"""Login and password policy: the site settings that a protocol or SOP may change.

Part 11 sets no numbers; these defaults are our decision (``docs/store.md``):
5 failed logins lock an account for 15 minutes; the application locks itself
after 10 idle minutes; passwords have at least 10 characters and are not the
user name.
"""

from __future__ import annotations

from dataclasses import dataclass

from npc_crf.core.errors import UsageError


@dataclass(frozen=True)
class LoginPolicy:
    """Site settings for logging in."""

    max_failed_logins: int = 5
    lockout_minutes: int = 15
    idle_lock_minutes: int = 10
    min_password_length: int = 10

    def locked_detail(self, locked_until: str) -> str:
        """The audit detail of an account locked by wrong passwords."""
        return f"{self.max_failed_logins} failed logins; locked until {locked_until}"

    def check_password(self, username: str, password: str) -> None:
        """Raise UsageError when a new password does not meet the policy."""
        if len(password) < self.min_password_length:
            raise UsageError(
                f"The password is too short: at least {self.min_password_length} characters."
            )
        if password.strip().lower() == username.strip().lower():
            raise UsageError("The password may not be the user name.")
        if password != password.strip():
            raise UsageError("The password may not begin or end with a space.")
