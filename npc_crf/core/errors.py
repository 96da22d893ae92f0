"""Errors that reach a person: what went wrong, where, and what to do next.

Every error the service layer raises on purpose derives from :class:`NpcCrfError`.
The CLI prints ``message`` (and ``hint`` when there is one) and exits with
``exit_code``; the GUI shows the same two lines. Messages never contain
passwords, keys or clinical values.
"""

from __future__ import annotations


class NpcCrfError(Exception):
    """A failure explained for the person who met it."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class UsageError(NpcCrfError):
    """A request that cannot be carried out as given (bad option, unknown subject…)."""

    exit_code = 2


class AuthError(NpcCrfError):
    """Wrong user name or password, a disabled or locked account."""

    exit_code = 3


class PermissionDenied(NpcCrfError):
    """The user's role does not allow the action."""

    exit_code = 4


class StoreError(NpcCrfError):
    """The data directory cannot be used: missing, damaged, busy, newer, full."""

    exit_code = 5


class ValidationFailed(NpcCrfError):
    """Values or rows were refused; ``problems`` lists each with where it is."""

    exit_code = 6

    def __init__(self, message: str, problems: list[str], hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.problems = problems

    def __str__(self) -> str:
        lines = [self.message, *(f"  {p}" for p in self.problems)]
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


class BundleRefused(NpcCrfError):
    """A bundle failed one of the checks of docs/bundle-format.md §2; nothing was applied.

    ``check`` names the check (``framing``, ``manifest``, ``sender``, ``signature``,
    ``recipient``, ``study``, ``payload-hash``, ``decrypt``, ``decompress``,
    ``payload``, ``sequence``, ``audit``).
    """

    exit_code = 8

    def __init__(self, check: str, message: str, hint: str | None = None) -> None:
        super().__init__(f"refused ({check}): {message}", hint)
        self.check = check
        self.detail = message
