"""Roles and the permission matrix (documented in ``docs/roles.md``; a test keeps them equal).

Principles (21 CFR Part 11 §11.10(d),(g); ICH E6(R3) 4.3.8):

* only research nurses and investigators change clinical values;
* only investigators sign;
* monitors read everything, work on queries and SDV, freeze records, and change no
  clinical value;
* the site administrator manages accounts, backups and settings, freezes and locks
  records and alone releases them, but can neither change clinical values nor sign.
"""

from __future__ import annotations

from enum import StrEnum

from npc_crf.core.errors import PermissionDenied, UsageError


class Role(StrEnum):
    """The roles an account can have."""

    CRC = "CRC"
    INVESTIGATOR = "INV"
    MONITOR = "MON"
    ADMIN = "ADMIN"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Role:
        """A role from its code or a common name (``crc``, ``investigator``, ``admin`` …)."""
        key = text.strip().upper()
        for role in cls:
            if key in (role.value, role.name):
                return role
        names = ", ".join(r.value for r in cls)
        raise UsageError(f"'{text}' is not a role; use one of {names}")


_LABELS = {
    Role.CRC: "research nurse (CRC)",
    Role.INVESTIGATOR: "investigator",
    Role.MONITOR: "monitor",
    Role.ADMIN: "site administrator",
}


class Permission(StrEnum):
    """What an action needs."""

    VIEW_DATA = "view_data"
    ENTER_DATA = "enter_data"
    CHANGE_SUBJECT_STATUS = "change_subject_status"
    IMPORT_DATA = "import_data"
    SIGN = "sign"
    RAISE_QUERY = "raise_query"
    ANSWER_QUERY = "answer_query"
    CLOSE_QUERY = "close_query"
    SDV = "sdv"
    FREEZE = "freeze"
    LOCK_FORMS = "lock_forms"
    VIEW_AUDIT = "view_audit"
    MANAGE_USERS = "manage_users"
    SITE_SETTINGS = "site_settings"
    BACKUP = "backup"
    RESTORE = "restore"
    EXPORT = "export"


P = Permission

MATRIX: dict[Role, frozenset[Permission]] = {
    Role.CRC: frozenset(
        {
            P.VIEW_DATA,
            P.ENTER_DATA,
            P.CHANGE_SUBJECT_STATUS,
            P.IMPORT_DATA,
            P.ANSWER_QUERY,
            P.VIEW_AUDIT,
            P.BACKUP,
            P.EXPORT,
        }
    ),
    Role.INVESTIGATOR: frozenset(
        {
            P.VIEW_DATA,
            P.ENTER_DATA,
            P.CHANGE_SUBJECT_STATUS,
            P.SIGN,
            P.ANSWER_QUERY,
            P.VIEW_AUDIT,
            P.BACKUP,
            P.EXPORT,
        }
    ),
    Role.MONITOR: frozenset(
        {
            P.VIEW_DATA,
            P.RAISE_QUERY,
            P.CLOSE_QUERY,
            P.ANSWER_QUERY,
            P.SDV,
            P.FREEZE,
            P.VIEW_AUDIT,
        }
    ),
    Role.ADMIN: frozenset(
        {
            P.VIEW_DATA,
            P.FREEZE,
            P.LOCK_FORMS,
            P.VIEW_AUDIT,
            P.MANAGE_USERS,
            P.SITE_SETTINGS,
            P.BACKUP,
            P.RESTORE,
            P.EXPORT,
        }
    ),
}


def allowed(role: Role, permission: Permission) -> bool:
    """True when ``role`` has ``permission``."""
    return permission in MATRIX[role]


def require(role: Role, permission: Permission, action: str) -> None:
    """Raise PermissionDenied unless ``role`` may do ``action``."""
    if not allowed(role, permission):
        raise PermissionDenied(
            f"A {role.label} may not {action}.",
            "Ask a colleague whose role allows it, or the site administrator.",
        )
