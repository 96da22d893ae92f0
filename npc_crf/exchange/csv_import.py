"""Importing abstracted chart data from a CSV file into one form: all rows or none.

In a retrospective study the research nurse abstracts hospital charts, often into
a spreadsheet first. ``npc-crf import csv --form FORM FILE.csv`` brings such a
sheet in. The format (also in ``docs/csv-import.md``):

* UTF-8 text, with or without a byte-order mark ("CSV UTF-8" in Excel), commas
  between cells, double quotes around cells that contain commas, quotes or line
  breaks. The first line is the header; every later line is one form of one
  subject. Blank lines are skipped.
* Required columns: ``subject_id`` (an enrolled subject of this site) and
  ``event`` (the event OID, e.g. ``BASE``; it must hold the form). Optional:
  ``occurrence`` (which occurrence of a repeating event, from 1; default 1) and
  ``complete`` (``yes`` marks the form complete; the row is refused when the form
  is then not complete; default ``no``).
* Every other column is an item of the form, named by its OID (``TADAT``), or a
  cell of a repeating group written ``GROUP[n].ITEM`` (``TL[2].TL_DIAM`` is the
  diameter of target lesion 2). Column names are not case-sensitive.
* Cells hold what a nurse would type: dates ``YYYY-MM-DD``; partial dates
  ``YYYY-MM`` or ``YYYY``; numbers with a point for decimals; the codes of code
  lists; ``yes``/``no``; several codes of a multiple choice separated by ``;``
  (or by commas inside a quoted cell).
* An empty cell gives no value. A missing-data code is written with a hash:
  ``#ND``, ``#UNK`` … (only the codes the study and the item allow). A cell that
  is ``#`` followed only by letters is always read as a code.

Everything is checked before anything is kept: the file, the header (unknown
columns get a did-you-mean suggestion), each row's subject, event and
occurrence, rows repeated in the file, and every value through the form session
(types, hard ranges, hard constraints, and completeness for ``complete=yes``).
All rows are saved inside one transaction; if any row has an error the
transaction is rolled back and every error is reported with its line and
column, e.g. ``chart.csv:7: column TADAT: '2024-13-01' is not a date
(YYYY-MM-DD)``. A dry run checks and saves the same way and always rolls back.

Each value saved is audited by the casebook with the source
``import:FILE:line N``; one ``csv_import`` audit entry records the file name,
the number of rows and the SHA-256 of the file. Soft warnings do not stop an
import: the values are kept and the warnings reported with their line and
column, and each value the import kept (new or changed) with a soft warning
raises a failed-check query for the monitor, in the import's transaction
(:func:`~npc_crf.services.monitoring.queries.raise_for_import_warnings`; none
when the item already has an open one).
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from npc_crf.auth.roles import Permission
from npc_crf.core.errors import UsageError, ValidationFailed
from npc_crf.forms.expr.evaluate import Missing
from npc_crf.forms.inputs import InputError, parse_input
from npc_crf.forms.model import Event, Form, Item, ItemType, Study
from npc_crf.forms.session import ItemPath, Status
from npc_crf.services.casebook import SaveResult
from npc_crf.services.monitoring.queries import raise_for_import_warnings
from npc_crf.services.workspace import Tx, Workspace

SUBJECT = "subject_id"
EVENT = "event"
OCCURRENCE = "occurrence"
COMPLETE = "complete"
#: the columns that are not items, in the order they are usually written
FIXED_COLUMNS = (SUBJECT, EVENT, OCCURRENCE, COMPLETE)

_YES = {"y", "yes", "true", "1", "是"}
_NO = {"n", "no", "false", "0", "否"}
_CODE_CELL = re.compile(r"#\s*([A-Za-z][A-Za-z_]*)")
_COMPLETE_PROBLEM = re.compile(r"^(required_empty|hard_error|soft_warning)(?: — (.*))?$")
_ALLOWED_CODES = re.compile(r"\(allowed: ([A-Z][A-Z0-9_]*(?:, [A-Z][A-Z0-9_]*)*)\)")
_HINT = "Correct the file and import it again: no row was saved."


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would have done)."""

    file: str
    form_oid: str
    rows: int
    values: int
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    sha256: str = ""


@dataclass(frozen=True)
class _Column:
    """An item column of the file."""

    index: int  # position in a record
    name: str  # as written in the header
    path: str  # canonical item path: TADAT or TL[2].TL_DIAM
    item: Item
    order: tuple[int, int, int]  # form order: item (or group), row, column


@dataclass
class _Row:
    """A data row that passed the checks that need no form session."""

    line: int
    subject_id: str
    event: Event
    occurrence: int
    complete: bool
    values: dict[str, object]  # item path → cell text or Missing, in form order
    columns: dict[str, str]  # item path → column name


class _Rollback(Exception):
    """Raised inside the transaction to discard it (errors found, or a dry run)."""


class _Located:
    """Messages located by line (and column) in the file, kept in line order."""

    def __init__(self, file: str) -> None:
        self.file = file
        self._items: list[tuple[int, int, str]] = []

    def add(self, line: int, column: str | None, message: str) -> None:
        where = f"{self.file}:{line}: " + (f"column {column}: " if column else "")
        self._items.append((line, len(self._items), where + message))

    def __bool__(self) -> bool:
        return bool(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def lines(self) -> list[str]:
        return [text for _, _, text in sorted(self._items)]


def import_csv(
    ws: Workspace,
    form_oid: str,
    path: Path,
    *,
    dry_run: bool = False,
    event: str | None = None,
) -> ImportReport:
    """Import the rows of the CSV file ``path`` into form ``form_oid``: all or none.

    ``event``, when given, is the event of every row: the ``event`` column may then
    be left out (or left empty), and rows naming another event are refused.
    Raises ValidationFailed listing every error (nothing saved), UsageError for an
    unknown form or an unreadable file.
    """
    ws.require(Permission.IMPORT_DATA, "import data from files")
    study = ws.study
    form = study.forms.get(form_oid)
    if form is None:
        raise UsageError(
            f"Study {study.oid} has no form '{form_oid}'{_did_you_mean(form_oid, list(study.forms))}."
        )
    default_event: Event | None = None
    if event is not None:
        default_event = study.event(event)
        if default_event is None:
            known = [e.oid for e in study.events]
            raise UsageError(
                f"Study {study.oid} has no event '{event}'{_did_you_mean(event, known)}."
            )
        if form.oid not in default_event.forms:
            raise UsageError(f"Event {default_event.oid} does not hold form {form.oid}.")
    importer = _Importer(ws, study, form, path, default_event)
    return importer.run(dry_run=dry_run)


def _did_you_mean(name: str, candidates: list[str]) -> str:
    """`` (did you mean X?)`` for the closest candidate (case ignored), or ``''``."""
    by_upper = {c.upper(): c for c in candidates}
    match = difflib.get_close_matches(name.upper(), list(by_upper), n=1, cutoff=0.6)
    return f" (did you mean {by_upper[match[0]]}?)" if match else ""


def _read_text(path: Path) -> tuple[str, str]:
    """The file's text and the SHA-256 of its bytes; ValidationFailed when not UTF-8."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder, not a CSV file.") from None
    except OSError as exc:
        raise UsageError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    digest = hashlib.sha256(data).hexdigest()
    try:
        return data.decode("utf-8-sig"), digest
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValidationFailed(
            f"{path.name} is not UTF-8 text; nothing was imported.",
            [f"{path.name}:{line}: byte 0x{data[exc.start]:02x} is not UTF-8"],
            "Save the sheet as 'CSV UTF-8 (comma delimited)' and import it again.",
        ) from None


def _records(name: str, text: str) -> list[tuple[int, list[str]]]:
    """The file's records with the line each starts on; blank lines left out."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ValidationFailed(
                f"{name} is not a well-formed CSV file; nothing was imported.",
                [f"{name}:{reader.line_num or start}: {exc}"],
                "Check the quotes on that line: a cell with a comma, quote or line break "
                'must be in double quotes, and a quote inside it doubled ("").',
            ) from None
        if any(cell.strip() for cell in cells):
            records.append((start, cells))
    return records


class _Importer:
    """One import: reads and checks the file, then saves it in one transaction."""

    def __init__(
        self, ws: Workspace, study: Study, form: Form, path: Path, default_event: Event | None
    ) -> None:
        self.ws = ws
        self.study = study
        self.form = form
        self.path = path
        self.name = path.name
        self.default_event = default_event
        self.errors = _Located(self.name)
        self.warnings = _Located(self.name)
        self.fixed: dict[str, int] = {}
        self.columns: list[_Column] = []
        self.width = 0
        self.codes = {c.code.upper(): c.code for c in study.missing_codes}
        self.position = {item.oid: n for n, (item, _) in enumerate(form.all_items())}

    # -- the whole import ------------------------------------------------------------------

    def run(self, *, dry_run: bool) -> ImportReport:
        text, digest = _read_text(self.path)
        records = _records(self.name, text)
        if not records:
            raise ValidationFailed(
                f"{self.name} is empty; nothing was imported.",
                [f"{self.name}:1: the file has no header and no rows"],
                "The first line names the columns: subject_id,event,… and then item OIDs.",
            )
        header_line, header = records[0]
        if not self._header(header_line, header):
            raise ValidationFailed(
                f"{self.name} has no usable header; nothing was imported.", self.errors.lines()
            )
        rows = self._rows(records[1:])
        if not records[1:]:
            self.errors.add(header_line, None, "the file has a header but no rows to import")
        report = ImportReport(
            file=self.name,
            form_oid=self.form.oid,
            rows=len(rows),
            values=sum(len(r.values) for r in rows),
            dry_run=dry_run,
            sha256=digest,
        )
        try:
            with self.ws.tx() as tx:
                self._save(tx, rows)
                if self.errors:
                    raise _Rollback
                tx.audit.append(
                    "csv_import",
                    form_oid=self.form.oid,
                    source=self.name,
                    new_value=json.dumps({"rows": len(rows), "sha256": digest}),
                )
                if dry_run:
                    raise _Rollback
        except _Rollback:
            pass
        if self.errors:
            what = "nothing would be imported (dry run)" if dry_run else "nothing was imported"
            raise ValidationFailed(
                f"{self.name}: {len(self.errors)} error(s); {what}.", self.errors.lines(), _HINT
            )
        report.warnings = self.warnings.lines()
        return report

    # -- the header ------------------------------------------------------------------------

    def _header(self, line: int, cells: list[str]) -> bool:
        """Read the header; False when rows cannot be read at all (errors recorded)."""
        self.width = len(cells)
        if not {c.strip().lower() for c in cells} & {SUBJECT, EVENT}:
            if len(cells) == 1 and ";" in cells[0]:
                self.errors.add(
                    line, None, "cells are separated by ';': save the file with commas (CSV UTF-8)"
                )
                return False
            self.errors.add(
                line,
                None,
                "the first line must be the header naming the columns: subject_id, event, "
                "then item OIDs of the form",
            )
            return False
        seen: dict[str, str] = {}
        for index, raw in enumerate(cells):
            name = raw.strip()
            if not name:
                self.errors.add(line, None, f"column {index + 1} of the header has no name")
                continue
            key = name.lower() if name.lower() in FIXED_COLUMNS else name.upper()
            if key in seen:
                self.errors.add(line, name, f"the column appears twice (also as {seen[key]})")
                continue
            seen[key] = name
            if key in FIXED_COLUMNS:
                self.fixed[key] = index
            else:
                column = self._item_column(line, index, name, key)
                if column is not None:
                    self.columns.append(column)
        self.columns.sort(key=lambda c: c.order)
        needed = [SUBJECT] if self.default_event is not None else [SUBJECT, EVENT]
        missing = [c for c in needed if c not in self.fixed]
        for absent in missing:
            self.errors.add(line, None, f"the header has no '{absent}' column")
        return not missing

    def _item_column(self, line: int, index: int, name: str, key: str) -> _Column | None:
        """The item a header names, or None (error recorded)."""
        form = self.form
        try:
            path = ItemPath.parse(key)
        except ValueError:
            path = None
        item = form.item(path.item) if path else None
        if path is None or item is None:
            self.errors.add(line, name, f"form {form.oid} has no item '{name}'{self._suggest(key)}")
            return None
        group = form.group_of(item.oid)
        problem = None
        if item.is_group:
            first = item.items[0].oid if item.items else "ITEM"
            problem = (
                f"{item.oid} is a repeating group: give one column per cell, "
                f"like {item.oid}[1].{first}"
            )
        elif path.group is None and group is not None:
            problem = (
                f"{item.oid} is in the repeating group {group.oid}: "
                f"write {group.oid}[1].{item.oid} for row 1"
            )
        elif path.group is not None and group is None:
            problem = f"{item.oid} is not in a repeating group: write {item.oid}"
        elif path.group is not None and group is not None and path.group != group.oid:
            problem = f"{item.oid} is in the repeating group {group.oid}, not {path.group}"
        elif item.type is ItemType.FILE:
            problem = f"{item.oid} is a file attachment: attach the scan in the form"
        elif not item.takes_input:
            problem = f"{item.oid} is {item.type.value}, not entered: it cannot be imported"
        elif group is not None and path.row is not None:
            if path.row < 1:
                problem = "rows of a group are counted from 1"
            elif group.max_rows is not None and path.row > group.max_rows:
                problem = f"group {group.oid} has at most {group.max_rows} rows"
        if problem is not None:
            self.errors.add(line, name, problem)
            return None
        if group is not None and path.row is not None:
            order = (self.position[group.oid], path.row, self.position[item.oid])
        else:
            order = (self.position[item.oid], 0, 0)
        return _Column(index, name, str(path), item, order)

    def _suggest(self, key: str) -> str:
        """A did-you-mean for an unknown column name."""
        match = re.fullmatch(r"([A-Z][A-Z0-9_]*)\[(\d+)\]\.(.*)", key)
        row = match.group(2) if match else "1"
        candidates = list(FIXED_COLUMNS)
        for item, group in self.form.all_items():
            if not item.takes_input:
                continue
            candidates.append(f"{group.oid}[{row}].{item.oid}" if group else item.oid)
        return _did_you_mean(key, candidates)

    # -- rows -----------------------------------------------------------------------------

    def _rows(self, records: list[tuple[int, list[str]]]) -> list[_Row]:
        """The rows that can go to the form session; every other problem recorded."""
        subjects = {s.subject_id for s in self.ws.subjects.list()}
        seen: dict[tuple[str, str, int], int] = {}
        rows: list[_Row] = []
        for line, cells in records:
            if len(cells) != self.width:
                self.errors.add(
                    line,
                    None,
                    f"the line has {len(cells)} cell(s) but the header has {self.width} "
                    "columns (a cell with a comma must be in double quotes)",
                )
                continue
            row = self._row(line, cells, subjects)
            if row is None:
                continue
            key = (row.subject_id, row.event.oid, row.occurrence)
            if key in seen:
                self.errors.add(
                    line,
                    None,
                    f"subject {key[0]}, event {key[1]}, occurrence {key[2]} is already on "
                    f"line {seen[key]}: give each form once",
                )
                continue
            seen[key] = line
            rows.append(row)
        # occurrences of a repeating event are created in order, whatever the file's order
        return sorted(rows, key=lambda r: r.occurrence)

    def _cell(self, cells: list[str], column: str) -> str:
        index = self.fixed.get(column)
        return cells[index].strip() if index is not None else ""

    def _row(self, line: int, cells: list[str], subjects: set[str]) -> _Row | None:
        errors_before = len(self.errors)
        subject_id = self._cell(cells, SUBJECT)
        if not subject_id:
            self.errors.add(line, SUBJECT, "empty: every row needs the subject")
        elif subject_id not in subjects:
            # no did-you-mean: a near miss is another patient
            self.errors.add(line, SUBJECT, f"there is no subject '{subject_id}' at this site")
        event = self._event(line, self._cell(cells, EVENT))
        occurrence = self._occurrence(line, self._cell(cells, OCCURRENCE), event)
        complete = self._complete(line, self._cell(cells, COMPLETE))
        row_ok = len(self.errors) == errors_before
        values: dict[str, object] = {}
        names: dict[str, str] = {}
        for column in self.columns:
            text = cells[column.index].strip()
            if not text:
                continue
            value = self._value(line, column, text)
            if value is not None:
                values[column.path] = value
                names[column.path] = column.name
        self._check_rows(line, values, names)
        if not row_ok or event is None or occurrence is None:
            # the row cannot reach the form session; still report values of the wrong type
            for column in self.columns:
                if column.path in values:
                    try:
                        parse_input(self.study, column.item, values[column.path])
                    except InputError as exc:
                        self.errors.add(line, column.name, self._shown(exc.message.en, values))
            return None
        # with a refused cell left out, "complete" would only add a second error for it
        values_ok = len(self.errors) == errors_before
        return _Row(line, subject_id, event, occurrence, complete and values_ok, values, names)

    def _event(self, line: int, text: str) -> Event | None:
        default = self.default_event
        if not text:
            if default is None:
                self.errors.add(line, EVENT, "empty: every row needs the event")
            return default
        event = self.study.event(text.upper())
        holding = [e.oid for e in self.study.events if self.form.oid in e.forms]
        if event is None:
            self.errors.add(
                line,
                EVENT,
                f"there is no event '{text}' in study {self.study.oid}"
                + _did_you_mean(text, holding),
            )
            return None
        if self.form.oid not in event.forms:
            self.errors.add(
                line,
                EVENT,
                f"event {event.oid} has no form {self.form.oid} "
                f"(events with this form: {', '.join(holding)})",
            )
            return None
        if default is not None and event.oid != default.oid:
            self.errors.add(
                line, EVENT, f"{event.oid} is not the event of this import ({default.oid})"
            )
            return None
        return event

    def _occurrence(self, line: int, text: str, event: Event | None) -> int | None:
        if not text:
            return 1
        if not re.fullmatch(r"\d+", text):
            self.errors.add(line, OCCURRENCE, f"'{text}' is not an occurrence number (1, 2, 3 …)")
            return None
        number = int(text)
        if number < 1:
            self.errors.add(line, OCCURRENCE, "occurrences are counted from 1")
            return None
        if event is not None and not event.repeating and number != 1:
            self.errors.add(
                line, OCCURRENCE, f"event {event.oid} happens once; its occurrence is 1"
            )
            return None
        if event is not None and event.max_occurrences and number > event.max_occurrences:
            self.errors.add(
                line,
                OCCURRENCE,
                f"event {event.oid} has at most {event.max_occurrences} occurrences",
            )
            return None
        return number

    def _complete(self, line: int, text: str) -> bool:
        if text.lower() in _YES:
            return True
        if not text or text.lower() in _NO:
            return False
        self.errors.add(line, COMPLETE, f"'{text}' is not yes or no")
        return False

    def _value(self, line: int, column: _Column, text: str) -> object:
        """What goes to the form session for a non-empty cell; None when refused here."""
        code = _CODE_CELL.fullmatch(text)
        if code is not None:
            found = self.codes.get(code.group(1).upper())
            if found is None:
                listed = ", ".join(f"#{c}" for c in self.codes.values())
                self.errors.add(
                    line,
                    column.name,
                    f"'{text}' is not a missing-data code of this study (codes: {listed})",
                )
                return None
            return Missing(found)
        if column.item.type is ItemType.MULTIPLE_CHOICE:
            return text.replace(";", ",")
        return text

    def _check_rows(self, line: int, values: dict[str, object], names: dict[str, str]) -> None:
        """A group row with cells needs every row before it to have some (no gaps)."""
        used: dict[str, set[int]] = {}
        for path_text in values:
            path = ItemPath.parse(path_text)
            if path.group is not None and path.row is not None:
                used.setdefault(path.group, set()).add(path.row)
        for group, numbers in used.items():
            gaps = sorted(set(range(1, max(numbers))) - numbers)
            if not gaps:
                continue
            last = max(numbers)
            first_cell = next(names[p] for p in values if p.startswith(f"{group}[{last}]."))
            self.errors.add(
                line,
                first_cell,
                f"row {last} of {group} has values but row {gaps[0]} is empty: "
                "number the rows without gaps",
            )
            for path_text in [p for p in values if p.startswith(f"{group}[")]:
                del values[path_text]

    # -- saving ---------------------------------------------------------------------------

    def _save(self, tx: Tx, rows: list[_Row]) -> None:
        """Save every row in ``tx``; record each row's errors and warnings."""
        refused: dict[tuple[str, str, int], int] = {}
        for row in rows:
            before = self._stored_answers(tx, row)
            try:
                result = self.ws.casebook.save_form(
                    row.subject_id,
                    row.event.oid,
                    row.occurrence,
                    self.form.oid,
                    row.values,
                    complete=row.complete,
                    source=f"import:{self.name}:line {row.line}",
                    tx=tx,
                )
            except ValidationFailed as exc:
                refused[(row.subject_id, row.event.oid, row.occurrence)] = row.line
                for problem in exc.problems:
                    self._save_problem(row, problem)
                continue
            except UsageError as exc:
                refused[(row.subject_id, row.event.oid, row.occurrence)] = row.line
                message = exc.message
                if "reason for change" in message:  # the form is already complete or signed
                    message = (
                        f"{self._where(row).rstrip('/')} is already complete or signed; the "
                        "import does not change such forms: change it in the form, giving "
                        "the reason for the change"
                    )
                earlier = refused.get((row.subject_id, row.event.oid, row.occurrence - 1))
                if earlier is not None:
                    message += f" (the occurrence before it, on line {earlier}, was refused)"
                column = (
                    OCCURRENCE if "occurrence" in message and OCCURRENCE in self.fixed else None
                )
                self.errors.add(row.line, column, message)
                continue
            self._after_save(tx, row, result, before)

    def _where(self, row: _Row) -> str:
        """The prefix the casebook puts before an item path in its messages."""
        occ = f"[{row.occurrence}]" if row.event.repeating else ""
        return f"{row.subject_id}/{row.event.oid}{occ}/{self.form.oid}/"

    def _locate(self, row: _Row, item_path: str, message: str, *, warn: bool = False) -> None:
        """Record a message about ``item_path`` under its column (or naming the item)."""
        column = row.columns.get(item_path)
        target = self.warnings if warn else self.errors
        if column is not None:
            target.add(row.line, column, message)
        else:
            target.add(row.line, None, f"item {item_path}: {message}")

    def _save_problem(self, row: _Row, problem: str) -> None:
        """Turn one of the casebook's ``SUBJ/EVENT[occ]/FORM/ITEM: message`` into a located error."""
        prefix = self._where(row)
        item_path, sep, message = problem[len(prefix) :].partition(": ")
        if not problem.startswith(prefix) or not sep:
            self.errors.add(row.line, None, problem)
            return
        message = self._shown(message, row.values)
        complete = _COMPLETE_PROBLEM.match(message)
        if complete is None:
            self._locate(row, item_path, message)
            return
        status, detail = Status(complete.group(1)), complete.group(2) or ""
        if status is Status.REQUIRED_EMPTY:
            text = f"{detail.lower() or 'required'} but empty, so the form cannot be complete"
            if item_path not in row.columns:
                self.errors.add(row.line, COMPLETE, f"item {item_path}: {text}")
                return
        elif status is Status.SOFT_WARNING:
            text = (
                f"{detail}: a value with a warning needs a reason before the form can be "
                "complete (import with complete=no, then give the reason in the form)"
            )
        else:
            text = detail or "refused"
        self._locate(row, item_path, text)

    @staticmethod
    def _shown(message: str, values: Mapping[str, object]) -> str:
        """``message`` with missing-data codes written as in the file (``'#ND'``)."""
        for value in values.values():
            if isinstance(value, Missing) and f"'{value.code}' is not allowed here" in message:
                message = message.replace(f"'{value.code}' is not", f"'#{value.code}' is not")
                message = _ALLOWED_CODES.sub(
                    lambda m: "(allowed: " + ", ".join(f"#{c}" for c in m[1].split(", ")) + ")",
                    message,
                )
        return message

    def _stored_answers(self, tx: Tx, row: _Row) -> Mapping[str, object]:
        """The answers the row's form holds in ``tx`` (empty when not started or refused)."""
        try:
            stored = self.ws.casebook.form_record(
                row.subject_id, row.event.oid, row.occurrence, self.form.oid, tx=tx
            )
        except UsageError:  # an unknown occurrence: the save reports it
            return {}
        return stored.answers if stored is not None else {}

    def _after_save(
        self, tx: Tx, row: _Row, result: SaveResult, before: Mapping[str, object]
    ) -> None:
        """Errors for values left refused, warnings for soft checks and ignored cells, and
        a failed-check query for each value this row kept with a soft warning."""
        answers = self._stored_answers(tx, row)
        kept: dict[str, str] = {}
        for report in result.items:
            message = report.message_en or report.status.value
            if report.status is Status.HARD_ERROR:
                # refused by a check on another item answered after it in the row
                self._locate(row, report.path, message)
            elif report.status is Status.SOFT_WARNING and report.override_reason is None:
                self._locate(row, report.path, message, warn=True)
                new = _stored_value(answers, report.path)
                if report.path in row.values and new != _stored_value(before, report.path):
                    kept[report.path] = message
        if kept and not self.errors:
            where = (row.subject_id, row.event.oid, row.occurrence, self.form.oid)
            source = f"import:{self.name}:line {row.line}"
            raise_for_import_warnings(self.ws, tx, where, kept, source)
        for item_path in row.values:
            if _stored_value(answers, item_path) is None:
                self._locate(
                    row,
                    item_path,
                    "not saved: the item does not apply to this form as filled in "
                    "(its condition is not met)",
                    warn=True,
                )


def _stored_value(answers: Mapping[str, object], item_path: str) -> object:
    """The saved value at ``item_path`` (None when there is none)."""
    path = ItemPath.parse(item_path)
    if path.group is None or path.row is None:
        return answers.get(path.item)
    rows = answers.get(path.group)
    if not isinstance(rows, list) or len(rows) < path.row:
        return None
    row = rows[path.row - 1]
    return row.get(path.item) if isinstance(row, Mapping) else None
