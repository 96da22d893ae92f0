"""Where things live inside a site's data directory.

::

    DIR/
      keys.json        the key file (wrapped database key; no clinical data)
      site.db          the SQLCipher database (+ site.db-wal, site.db-shm while open)
      site.seal        written at a clean close: lets the next login skip the full page check
      site.lock        held by the one process that has the site open
      backups/         encrypted, verified copies of site.db (+ keys.json and a manifest)
      logs/            application logs (no clinical values, no secrets)
      exports/         bundles and exports written for the coordinating center
      tmp/             the only place npc-crf writes temporary files
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DataDir:
    """The paths of one data directory."""

    root: Path

    @property
    def keyfile(self) -> Path:
        return self.root / "keys.json"

    @property
    def database(self) -> Path:
        return self.root / "site.db"

    @property
    def seal(self) -> Path:
        return self.root / "site.seal"

    @property
    def lockfile(self) -> Path:
        return self.root / "site.lock"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    def exists(self) -> bool:
        """True when a site has been set up here."""
        return self.keyfile.exists() or self.database.exists()

    def make_folders(self) -> None:
        """Create the data directory and its sub-folders, owner-only where the OS allows."""
        for folder in (self.root, self.backups, self.logs, self.exports, self.tmp):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
