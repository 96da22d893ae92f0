"""One writer per data directory: an OS file lock that dies with its process."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sys
from pathlib import Path
from types import TracebackType
from typing import IO

from npc_crf.core.errors import StoreError

if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds
    import msvcrt

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class DirLock:
    """Exclusive use of a data directory by this process.

    The lock is the operating system's, so a crashed or killed process releases
    it. The file also records who holds it, for the refusal message; the holder
    information starts at byte 16 so that Windows' byte-range lock on byte 0
    does not hide it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] | None = None

    def acquire(self) -> None:
        """Take the lock or raise StoreError naming the process that holds it."""
        handle = open(self.path, "a+b")  # noqa: SIM115 - held for the lock's lifetime
        if not _try_lock(handle):
            holder = self._holder()
            handle.close()
            raise StoreError(
                f"The data directory {self.path.parent} is already open in another npc-crf"
                f"{holder}. Only one program may change a site at a time.",
                "Close the other window or command, then try again.",
            )
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        handle.seek(16)
        handle.truncate()
        handle.write(json.dumps(info).encode())
        handle.flush()
        self._handle = handle

    def _holder(self) -> str:
        try:
            data = json.loads(self.path.read_bytes()[16:] or b"{}")
        except (OSError, ValueError):
            return ""
        if not isinstance(data, dict) or "pid" not in data:
            return ""
        return f" (process {data['pid']} on {data.get('host', '?')} since {data.get('since', '?')})"

    def release(self) -> None:
        """Give the lock up (safe to call twice)."""
        if self._handle is not None:
            try:
                _unlock(self._handle)
            finally:
                self._handle.close()
                self._handle = None

    def __enter__(self) -> DirLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
