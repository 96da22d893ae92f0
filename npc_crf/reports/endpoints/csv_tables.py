"""Writing report tables as CSV files, the way every export of npc-crf writes them.

One file per :class:`~npc_crf.endpoints.model.Table`, named ``<table.name>.csv``:
UTF-8 with a byte-order mark, RFC 4180 quoting, ``\\r\\n`` line ends, and the
spreadsheet-formula guard of :mod:`npc_crf.exchange.csv_out.cells` (a text cell
that starts with ``=``, ``+``, ``-`` or ``@`` gets a leading apostrophe; numbers
stay as they are). The header is the columns' English or Chinese names
(``lang``). Numbers are written in full (up to 12 significant digits), empty for
None or not-a-number.

Each file is written owner-only under a temporary name, fsynced, and renamed
into place only when every table has been written, so the folder never holds
half a file, and a failure while writing leaves none of the new files.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import secrets
from collections.abc import Sequence
from pathlib import Path

from npc_crf.core.errors import StoreError, UsageError
from npc_crf.endpoints.model import Table
from npc_crf.exchange.csv_out.cells import CsvFile
from npc_crf.exchange.csv_out.folder import WrittenFile
from npc_crf.store.atomic import fsync_dir

#: a table name that is safe as a file name everywhere (Windows included)
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,80}")


def csv_value(value: str | int | float | None) -> str:
    """A table value as a CSV cell (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if math.isinf(value):
            return "Inf" if value > 0 else "-Inf"
        return f"{value:.12g}"
    return value


def check_tables(tables: Sequence[Table]) -> None:
    """UsageError unless every table has a safe, unique name and rows as wide as its
    columns."""
    seen: set[str] = set()
    for index, t in enumerate(tables):
        if not NAME.fullmatch(t.name):
            raise UsageError(
                f"tables[{index}].name: {t.name!r} is not a safe file name "
                "(lower-case letters, digits, '_' and '-', starting with a letter or digit)."
            )
        if t.name in seen:
            raise UsageError(f"tables[{index}].name: {t.name!r} is used by two tables.")
        seen.add(t.name)
        for number, row in enumerate(t.rows):
            if len(row) != len(t.columns):
                raise UsageError(
                    f"tables[{index}] ({t.name}).rows[{number}]: {len(row)} cells for "
                    f"{len(t.columns)} columns."
                )


def write_tables(tables: Sequence[Table], folder: Path, lang: str = "en") -> list[WrittenFile]:
    """Write each table as ``folder/<name>.csv`` (replacing a file of that name) and
    return what was written, in the tables' order. ``folder`` must exist."""
    check_tables(tables)
    if not folder.is_dir():
        raise UsageError(f"The folder {folder} does not exist; the tables were not written.")
    tag = f"{os.getpid()}-{secrets.token_hex(4)}"
    pending: list[tuple[Path, Path, WrittenFile]] = []
    try:
        for t in tables:
            final = folder / f"{t.name}.csv"
            tmp = folder / f".{t.name}.csv.partial-{tag}"
            header = [zh if lang == "zh" else en for en, zh in t.columns]
            with CsvFile(tmp, header) as out:
                out.write_all([csv_value(v) for v in row] for row in t.rows)
            pending.append((tmp, final, WrittenFile(final.name, out.rows, out.size, out.sha256)))
        for tmp, final, _ in pending:
            os.replace(tmp, final)
    except OSError as exc:
        _discard(tag, folder)
        raise StoreError(f"Cannot write the tables in {folder}: {exc.strerror or exc}.") from None
    except BaseException:
        _discard(tag, folder)
        raise
    fsync_dir(folder)
    return [written for _, _, written in pending]


def _discard(tag: str, folder: Path) -> None:
    for leftover in folder.glob(f".*.csv.partial-{tag}"):
        with contextlib.suppress(OSError):
            leftover.unlink()
