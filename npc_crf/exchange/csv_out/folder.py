"""The export folder: written under a temporary name, renamed when complete.

A reader therefore sees either no folder or a complete one, never half an
export. The folder is owner-only (0700) and its files 0600: they hold clinical
data in plain text, which the user asked for by exporting.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from npc_crf.core.errors import StoreError, UsageError
from npc_crf.exchange.csv_out.cells import CsvFile
from npc_crf.store.atomic import fsync_dir


@dataclass(frozen=True)
class WrittenFile:
    """One file of the export: where, how many data rows (None: not a table), size, hash."""

    path: str
    rows: int | None
    bytes: int
    sha256: str

    def manifest(self) -> dict[str, object]:
        return {"path": self.path, "rows": self.rows, "bytes": self.bytes, "sha256": self.sha256}


def check_new_folder(out: Path) -> None:
    """UsageError unless ``out`` does not exist and its parent folder does."""
    if out.exists() or out.is_symlink():
        raise UsageError(
            f"{out} already exists; an export never writes into or over an existing folder.",
            "Choose a new --out folder.",
        )
    if not out.parent.is_dir():
        raise UsageError(f"The folder {out.parent} (where {out.name} would go) does not exist.")


class ExportFolder:
    """Files written into a temporary sibling of ``out``; :meth:`commit` renames it."""

    def __init__(self, out: Path) -> None:
        self.out = out
        check_new_folder(out)
        self.tmp = out.parent / f".{out.name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            self.tmp.mkdir(mode=0o700)
        except OSError as exc:
            raise StoreError(f"Cannot create a folder in {out.parent}: {exc.strerror}.") from None
        self.files: list[WrittenFile] = []

    def csv(self, rel: str, header: Iterable[str], rows: Iterable[Iterable[str]]) -> WrittenFile:
        """Write one CSV file (``rel`` uses ``/``)."""
        path = self.tmp / rel
        path.parent.mkdir(mode=0o700, exist_ok=True)
        with CsvFile(path, header) as out:
            out.write_all(rows)
        written = WrittenFile(rel, out.rows, out.size, out.sha256)
        self.files.append(written)
        return written

    def text(self, rel: str, text: str, *, listed: bool = True) -> WrittenFile:
        """Write a UTF-8 text file (``\\r\\n`` line ends already in ``text`` as wanted)."""
        data = text.encode("utf-8")
        path = self.tmp / rel
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        written = WrittenFile(rel, None, len(data), hashlib.sha256(data).hexdigest())
        if listed:
            self.files.append(written)
        return written

    def commit(self) -> None:
        """Make the export visible under its name (one rename)."""
        for folder in {self.tmp, *(p.parent for p in self.tmp.rglob("*"))}:
            fsync_dir(folder)
        if self.out.exists():
            raise UsageError(f"{self.out} appeared while the export was written; nothing replaced.")
        os.rename(self.tmp, self.out)
        fsync_dir(self.out.parent)

    def discard(self) -> None:
        """Remove the temporary folder (after a failure)."""
        with contextlib.suppress(OSError):
            shutil.rmtree(self.tmp)


def write_folder(out: Path, fill: Callable[[ExportFolder], None]) -> list[WrittenFile]:
    """Create ``out`` with what ``fill`` writes, all or nothing; the files written."""
    folder = ExportFolder(out)
    try:
        fill(folder)
        folder.commit()
    except BaseException:
        folder.discard()
        raise
    return folder.files


def manifest_text(doc: dict[str, object]) -> str:
    """The manifest as indented, key-sorted JSON (UTF-8, Chinese kept)."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
