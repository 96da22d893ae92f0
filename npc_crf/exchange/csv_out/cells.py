"""The CSV dialect of every export file, and spreadsheet-formula neutralisation.

* UTF-8 with a byte-order mark, so Excel (Chinese Windows included) reads UTF-8
  instead of the ANSI code page; RFC 4180 quoting (only where needed, quotes
  doubled); ``\\r\\n`` line ends.
* **CSV injection** (OWASP): a cell that begins with ``=``, ``+``, ``-``, ``@``,
  a tab or a carriage return (or their full-width forms ``＝＋－＠``) gets a
  leading apostrophe, so a spreadsheet shows it as text instead of running it.
  Numbers (``-1.5``, ``-12``, ``-2.5E+3``) are left alone. A cell that already
  begins with an apostrophe gets one more, so the rule is exactly reversible:
  *a cell that begins with ``'`` had one ``'`` added; remove it.*
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

BOM = "\ufeff"
LINE_END = "\r\n"
TRIGGERS = frozenset("=+-@\t\r＝＋－＠")
_FIRST = TRIGGERS | {"'"}  # first characters that may need the apostrophe
_CHUNK_ROWS = 2000
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def neutralise(cell: str) -> str:
    """``cell`` made safe to open in a spreadsheet (see the module docstring)."""
    if not cell:
        return cell
    first = cell[0]
    if first == "'" or (first in TRIGGERS and not _NUMBER.fullmatch(cell)):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """The original text of a neutralised cell (the inverse of :func:`neutralise`)."""
    return cell[1:] if cell.startswith("'") else cell


class CsvFile:
    """One export CSV file: header, rows, then its row count, size and SHA-256.

    Created owner-only (0600); closed with fsync. Use as a context manager.
    """

    def __init__(self, path: Path, header: Iterable[str]) -> None:
        self.path = path
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        self._handle = os.fdopen(fd, "wb")
        self._digest = hashlib.sha256()
        self._bytes = 0
        # rows are formatted into a text buffer and encoded, hashed and written in chunks
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator=LINE_END, quoting=csv.QUOTE_MINIMAL)
        self._buffer.write(BOM)
        self._writer.writerow([neutralise(c) for c in header])
        self.rows = 0

    def write(self, row: Iterable[str]) -> None:
        """Write one data row (every cell is neutralised)."""
        self._writer.writerow([neutralise(c) if c and c[0] in _FIRST else c for c in row])
        self.rows += 1
        if self.rows % _CHUNK_ROWS == 0:
            self._flush()

    def write_all(self, rows: Iterable[Iterable[str]]) -> None:
        """Write many data rows."""
        for row in rows:
            self.write(row)

    def _flush(self) -> None:
        data = self._buffer.getvalue().encode("utf-8")
        self._buffer.seek(0)
        self._buffer.truncate()
        self._digest.update(data)
        self._bytes += len(data)
        self._handle.write(data)

    @property
    def sha256(self) -> str:
        """The SHA-256 of the bytes written (complete once closed)."""
        return self._digest.hexdigest()

    @property
    def size(self) -> int:
        """The bytes written (complete once closed)."""
        return self._bytes

    def close(self) -> None:
        """Write what is buffered, fsync and close the file."""
        if self._handle.closed:
            return
        self._flush()
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()

    def __enter__(self) -> CsvFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
