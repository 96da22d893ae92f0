"""Site settings that a protocol or SOP may change (administrator; audited)."""

from __future__ import annotations

import json
from dataclasses import fields

from sqlalchemy import select, update

from npc_crf.auth.policy import LoginPolicy
from npc_crf.auth.roles import Permission
from npc_crf.core.errors import UsageError
from npc_crf.services.backups import DEFAULT_KEEP
from npc_crf.services.workspace import Workspace
from npc_crf.store.models import setting

#: setting → (lowest, highest) allowed value
LIMITS: dict[str, tuple[int, int]] = {
    "max_failed_logins": (3, 20),
    "lockout_minutes": (1, 24 * 60),
    "idle_lock_minutes": (1, 120),
    "min_password_length": (8, 64),
    "backup_keep": (1, 100),
    "sync_warn_days": (1, 90),
}
#: warn in the status bar when changes wait longer than this many days to be sent
DEFAULT_SYNC_WARN_DAYS = 7
LOGIN_SETTINGS = frozenset(f.name for f in fields(LoginPolicy))


class SettingsService:
    """Read and change site settings."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def all(self) -> dict[str, int]:
        """Every setting with its value (defaults where never changed)."""
        values = {
            **LoginPolicy().__dict__,
            "backup_keep": DEFAULT_KEEP,
            "sync_warn_days": DEFAULT_SYNC_WARN_DAYS,
        }
        with self.ws.read() as conn:
            for row in conn.execute(select(setting)):
                values[row.name] = json.loads(row.value)
        return values

    def set(self, name: str, value: int, reason: str) -> None:
        """Change one setting; login settings are copied into the key file too."""
        self.ws.require(Permission.SITE_SETTINGS, "change site settings")
        if name not in LIMITS:
            raise UsageError(f"There is no setting '{name}' (settings: {', '.join(LIMITS)}).")
        low, high = LIMITS[name]
        if not low <= value <= high:
            raise UsageError(f"{name} must be between {low} and {high}.")
        if not reason.strip():
            raise UsageError("Give a reason for changing a setting.")
        old = self.all().get(name)
        now = self.ws.now().isoformat(timespec="seconds")
        with self.ws.tx() as tx:
            exists = tx.conn.execute(select(setting.c.name).where(setting.c.name == name)).first()
            row = {"value": json.dumps(value), "changed_at": now, "changed_by": self.ws.username}
            if exists:
                tx.conn.execute(update(setting).where(setting.c.name == name).values(**row))
            else:
                tx.conn.execute(setting.insert().values(name=name, **row))
            tx.audit.append(
                "setting_changed",
                item_path=name,
                old_value=json.dumps({"value": old}),
                new_value=json.dumps({"value": value}),
                reason=reason.strip(),
            )
            if name in LOGIN_SETTINGS:
                self.ws.site.keys.policy[name] = value
                self.ws.site.save_keys()
