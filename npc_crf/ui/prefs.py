"""Per-person preferences of the interface: language and font size. Never clinical data.

They are kept in a small JSON file in the operating-system user's configuration
folder (platformdirs: ``~/.config/npc-crf/prefs.json`` on Linux,
``%LOCALAPPDATA%\\npc-crf\\prefs.json`` on Windows): one entry per npc-crf user
name (several nurses may share one ward-PC account) and the last choice, which
the login screen starts with. A missing or damaged file means the defaults.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import platformdirs

from npc_crf.core.logs import LOGGER
from npc_crf.core.paths import APP_NAME

#: the font sizes offered, in percent of the platform's default
FONT_SCALES = (100, 115, 130, 150)
FORMAT = 1


@dataclass(frozen=True)
class Prefs:
    """One person's interface preferences."""

    language: str = "en"
    font_scale: int = 100

    @classmethod
    def from_json(cls, data: object) -> Prefs:
        """Preferences from their JSON form; unknown or bad values fall back to defaults."""
        if not isinstance(data, dict):
            return cls()
        language = data.get("language")
        scale = data.get("font_scale")
        return cls(
            language=language if language in ("en", "zh") else "en",
            font_scale=scale if scale in FONT_SCALES else 100,
        )

    def to_json(self) -> dict[str, Any]:
        return {"language": self.language, "font_scale": self.font_scale}


def default_prefs_path() -> Path:
    """The preferences file in the user's configuration folder."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False, roaming=False) / "prefs.json"


class PrefsStore:
    """The preferences file: the last choice and each user's own."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_prefs_path()
        self.last = Prefs()
        self._users: dict[str, Prefs] = {}
        self._load()

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError):
            LOGGER.warning("the preferences file could not be read; using the defaults")
            return
        if not isinstance(data, dict):
            return
        self.last = Prefs.from_json(data.get("last"))
        users = data.get("users")
        if isinstance(users, dict):
            self._users = {str(k): Prefs.from_json(v) for k, v in users.items()}

    def for_user(self, username: str) -> Prefs | None:
        """What ``username`` chose last time (None if never)."""
        return self._users.get(username)

    def remember(self, username: str | None, prefs: Prefs) -> None:
        """Keep ``prefs`` as the last choice (and as ``username``'s) and save the file."""
        self.last = prefs
        if username:
            self._users[username] = prefs
        self.save()

    def update(self, username: str | None, **changes: Any) -> Prefs:
        """Change some fields of ``username``'s preferences (or the last ones); saved."""
        current = (self.for_user(username) if username else None) or self.last
        prefs = replace(current, **changes)
        self.remember(username, prefs)
        return prefs

    def save(self) -> None:
        """Write the file atomically; a failure is logged, never fatal."""
        data = {
            "format": FORMAT,
            "last": self.last.to_json(),
            "users": {name: p.to_json() for name, p in sorted(self._users.items())},
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".prefs-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2)
            os.replace(temp, self.path)
        except OSError:
            LOGGER.warning("the preferences file could not be written")
