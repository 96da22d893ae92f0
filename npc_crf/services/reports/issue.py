"""Writing a rendered document and recording in the audit trail that it was issued.

A document that holds clinical data leaves the encrypted store only by an
explicit request (a menu, a button, ``npc-crf report``), and each one is
recorded: one ``document_issued`` audit entry per file with the kind, the
record's content hash, the file's SHA-256, its pages and language, and for SAE
reports the report number. The entry and the file go together: the file is
written (temporary name, fsync, rename) inside the audit transaction, and is
removed again if the transaction does not commit.

The trail is therefore also the register of issued documents:
:func:`issued_documents` reads it back to number SAE follow-ups and to match a
printed copy's hash to its record (``npc-crf report verify``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, select

from npc_crf.core.errors import UsageError
from npc_crf.reports import DOCUMENT_ISSUED
from npc_crf.reports.document import RenderedPdf
from npc_crf.services.workspace import Workspace
from npc_crf.store.atomic import write_atomic
from npc_crf.store.models import audit_entry


@dataclass(frozen=True)
class IssuedDocument:
    """One document written to disk (or recorded as issued earlier)."""

    kind: str
    path: str  # the file's name as written (the register keeps the name only)
    pages: int
    lang: str
    content_hash: str  # the record's hash ("" for blank CRFs: they hold no data)
    file_sha256: str
    subject_id: str | None = None
    event_oid: str | None = None
    occurrence: int | None = None
    form_oid: str | None = None
    number: int | None = None  # SAE reports: 0 initial, n follow-up n
    issued_at: str = ""
    issued_by: str = ""
    audit_seq: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Subject:
    """What a document is about, for its audit entry."""

    subject_id: str | None = None
    event_oid: str | None = None
    occurrence: int | None = None
    form_oid: str | None = None


def check_target(path: Path) -> Path:
    """``path`` made absolute, its folder existing, and not a folder itself."""
    path = Path(path).expanduser().resolve()
    if path.is_dir():
        raise UsageError(f"{path} is a folder; give the name of the PDF file to write.")
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent}: there is no such folder.")
    return path


def issue(
    ws: Workspace,
    kind: str,
    rendered: RenderedPdf,
    path: Path,
    *,
    lang: str,
    content_hash: str = "",
    about: Subject | None = None,
    number: int | None = None,
    record: bool = True,
) -> IssuedDocument:
    """Write ``rendered`` to ``path`` and (``record``) append its audit entry, together."""
    path = check_target(path)
    about = about or Subject()
    file_sha = hashlib.sha256(rendered.data).hexdigest()
    issued = IssuedDocument(
        kind=kind,
        path=path.name,
        pages=rendered.pages,
        lang=lang,
        content_hash=content_hash,
        file_sha256=file_sha,
        subject_id=about.subject_id,
        event_oid=about.event_oid,
        occurrence=about.occurrence,
        form_oid=about.form_oid,
        number=number,
        issued_by=ws.username,
    )
    if not record:
        write_atomic(path, rendered.data)
        return issued
    existed = path.exists()
    try:
        with ws.tx() as tx:
            seq = tx.audit.append(
                DOCUMENT_ISSUED,
                subject_id=about.subject_id,
                event_oid=about.event_oid,
                occurrence=about.occurrence,
                form_oid=about.form_oid,
                new_value=json.dumps(_entry(issued), sort_keys=True, ensure_ascii=False),
            )
            write_atomic(path, rendered.data)
    except BaseException:
        if not existed:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return _with_seq(issued, seq)


def _entry(doc: IssuedDocument) -> dict[str, Any]:
    return {
        "kind": doc.kind,
        "file": doc.path,
        "pages": doc.pages,
        "lang": doc.lang,
        "content_hash": doc.content_hash,
        "file_sha256": doc.file_sha256,
        "number": doc.number,
    }


def _with_seq(doc: IssuedDocument, seq: int) -> IssuedDocument:
    return IssuedDocument(**{**doc.to_json(), "audit_seq": seq})


def issued_documents(
    ws: Workspace,
    *,
    kind: str | None = None,
    subject_id: str | None = None,
    event_oid: str | None = None,
    occurrence: int | None = None,
    form_oid: str | None = None,
) -> list[IssuedDocument]:
    """Documents recorded as issued, oldest first, from the audit trail."""
    conds = [audit_entry.c.action == DOCUMENT_ISSUED]
    for column, value in (
        (audit_entry.c.subject_id, subject_id),
        (audit_entry.c.event_oid, event_oid),
        (audit_entry.c.occurrence, occurrence),
        (audit_entry.c.form_oid, form_oid),
    ):
        if value is not None:
            conds.append(column == value)
    with ws.read() as conn:
        rows = conn.execute(
            select(audit_entry).where(and_(*conds)).order_by(audit_entry.c.seq)
        ).mappings()
        found = []
        for r in rows:
            data = json.loads(r["new_value"] or "{}")
            if kind is not None and data.get("kind") != kind:
                continue
            found.append(
                IssuedDocument(
                    kind=str(data.get("kind", "")),
                    path=str(data.get("file", "")),
                    pages=int(data.get("pages") or 0),
                    lang=str(data.get("lang", "")),
                    content_hash=str(data.get("content_hash", "")),
                    file_sha256=str(data.get("file_sha256", "")),
                    subject_id=r["subject_id"],
                    event_oid=r["event_oid"],
                    occurrence=r["occurrence"],
                    form_oid=r["form_oid"],
                    number=data.get("number"),
                    issued_at=r["at_utc"],
                    issued_by=r["username"],
                    audit_seq=r["seq"],
                )
            )
    return found


def next_number(earlier: list[IssuedDocument], content_hash: str) -> int:
    """The report number for a record's content, given the reports issued before.

    The same content as an earlier report keeps that report's number (a reprint);
    new content gets the next number (0 is the initial report).
    """
    for doc in reversed(earlier):
        if doc.content_hash == content_hash and doc.number is not None:
            return doc.number
    numbers = [d.number for d in earlier if d.number is not None]
    return max(numbers) + 1 if numbers else 0
