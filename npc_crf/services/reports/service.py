"""``ws.reports``: print documents from the store, the way the GUI and the CLI both do.

Each method gathers one document's data through the other services (so
permissions apply as everywhere), renders it (:mod:`npc_crf.reports`) and
issues it (:mod:`.issue`: atomic write plus a ``document_issued`` audit entry).
Blank CRFs hold no clinical data and are written without an audit entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from npc_crf.auth.roles import Permission
from npc_crf.core.errors import UsageError
from npc_crf.core.logs import LOGGER
from npc_crf.reports import LANGUAGES
from npc_crf.reports.casebook import render_casebook
from npc_crf.reports.crf import render_crf
from npc_crf.reports.document import RenderOptions, ReportCancelled
from npc_crf.reports.query_report import render_query_report
from npc_crf.reports.sae import render_sae
from npc_crf.reports.sdv_report import render_sdv_report
from npc_crf.services.reports.casebook_data import gather_casebook
from npc_crf.services.reports.issue import (
    IssuedDocument,
    Subject,
    issue,
    issued_documents,
    next_number,
)
from npc_crf.services.reports.kinds import ReportKind, default_name
from npc_crf.services.reports.monitoring_data import gather_queries, gather_sdv
from npc_crf.services.reports.sae_data import SaeRef, gather_sae, list_saes
from npc_crf.services.workspace import Workspace

#: called with (documents done, documents in all, what is being printed now)
BatchProgress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Match:
    """An issued document whose hash matches, and whether its record still does."""

    document: IssuedDocument
    #: True: the record hashes the same today; False: it changed since; None: not checkable
    unchanged: bool | None
    current_hash: str

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document.to_json(),
            "unchanged": self.unchanged,
            "current_hash": self.current_hash,
        }


def _lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise UsageError(f"There is no language '{lang}'; choose one of {', '.join(LANGUAGES)}.")
    return lang


def hash_prefix(text: str) -> str:
    """A hash as printed (groups, spaces, upper case) as lower-case hex; at least 8 digits."""
    cleaned = re.sub(r"[\s\-·]", "", text).lower()
    if not re.fullmatch(r"[0-9a-f]{8,64}", cleaned):
        raise UsageError(
            f"'{text}' is not a content hash: give at least 8 of its hexadecimal digits "
            "(0-9, a-f) as printed on the document."
        )
    return cleaned


class ReportService:
    """Print documents; every one that holds clinical data is recorded as issued."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def _options(
        self,
        lang: str,
        progress: Callable[[int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> RenderOptions:
        return RenderOptions(
            lang=_lang(lang),
            generated_by=self.ws.full_name,
            generated_at=self.ws.now(),
            progress=progress,
            cancelled=cancelled,
        )

    # -- documents ---------------------------------------------------------------------

    def crf(
        self,
        out: Path,
        *,
        lang: str = "en",
        form_oids: Sequence[str] | None = None,
        annotated: bool = False,
        progress: Callable[[int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> IssuedDocument:
        """The blank (or annotated) CRF of the study, or of some of its forms."""
        self.ws.require(Permission.VIEW_DATA, "print CRFs")
        rendered = render_crf(
            self.ws.study,
            self._options(lang, progress, cancelled),
            form_oids=form_oids,
            annotated=annotated,
        )
        kind = ReportKind.ANNOTATED_CRF if annotated else ReportKind.BLANK_CRF
        return issue(self.ws, kind.value, rendered, out, lang=lang, record=False)

    def casebook(
        self,
        subject_id: str,
        out: Path,
        *,
        lang: str = "en",
        progress: Callable[[int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> IssuedDocument:
        """One subject's casebook with its audit trail, signatures, queries and SDV."""
        self.ws.require(Permission.VIEW_DATA, "print casebooks")
        self.ws.require(Permission.VIEW_AUDIT, "print casebooks with their audit trail")
        data = gather_casebook(self.ws, subject_id)
        rendered = render_casebook(data, self._options(lang, progress, cancelled))
        return issue(
            self.ws,
            ReportKind.CASEBOOK.value,
            rendered,
            out,
            lang=lang,
            content_hash=data.content_hash,
            about=Subject(subject_id),
        )

    def casebooks(
        self,
        subject_ids: Sequence[str],
        folder: Path,
        *,
        lang: str = "en",
        progress: BatchProgress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[IssuedDocument]:
        """A casebook per subject in ``folder`` (``<subject>-casebook.pdf``).

        Each file is complete and recorded when the next begins; a cancel stops
        between pages and keeps the casebooks already finished.
        """
        folder = Path(folder).expanduser().resolve()
        if not folder.is_dir():
            raise UsageError(f"{folder}: there is no such folder.")
        if not subject_ids:
            raise UsageError("Choose at least one subject.")
        for subject_id in subject_ids:  # unknown subjects fail before any file is written
            self.ws.subjects.get(subject_id)
        done: list[IssuedDocument] = []
        for n, subject_id in enumerate(subject_ids):
            if progress is not None:
                progress(n, len(subject_ids), subject_id)
            if cancelled is not None and cancelled():
                raise ReportCancelled(
                    f"Cancelled after {n} of {len(subject_ids)} casebooks; "
                    "the finished ones are kept."
                )
            target = folder / default_name(ReportKind.CASEBOOK, subject_id)
            done.append(self.casebook(subject_id, target, lang=lang, cancelled=cancelled))
        if progress is not None:
            progress(len(subject_ids), len(subject_ids), "")
        LOGGER.info("printed %d casebook(s)", len(done))
        return done

    def saes(self, subject_id: str | None = None) -> list[SaeRef]:
        """The serious adverse events that an SAE report can be printed for."""
        self.ws.require(Permission.VIEW_DATA, "list serious adverse events")
        return list_saes(self.ws, subject_id)

    def sae(
        self,
        subject_id: str,
        occurrence: int,
        out: Path,
        *,
        lang: str = "en",
    ) -> IssuedDocument:
        """The SAE report (CIOMS I layout) of one adverse event, numbered.

        The first report of an event is the initial report (0); a report whose
        content differs from every earlier one is the next follow-up; printing
        unchanged content again keeps its number.
        """
        self.ws.require(Permission.VIEW_DATA, "print SAE reports")
        data = gather_sae(self.ws, subject_id, occurrence)
        about = Subject(subject_id, data.event_oid, occurrence, data.form_oid)
        earlier = issued_documents(
            self.ws,
            kind=ReportKind.SAE.value,
            subject_id=subject_id,
            event_oid=data.event_oid,
            occurrence=occurrence,
            form_oid=data.form_oid,
        )
        number = next_number(earlier, data.content_hash)
        rendered = render_sae(data, self._options(lang), number=number)
        return issue(
            self.ws,
            ReportKind.SAE.value,
            rendered,
            out,
            lang=lang,
            content_hash=data.content_hash,
            about=about,
            number=number,
        )

    def queries(
        self,
        out: Path,
        *,
        subject_id: str | None = None,
        lang: str = "en",
        include_closed: bool = True,
    ) -> IssuedDocument:
        """The query report of the site or of one subject."""
        self.ws.require(Permission.VIEW_DATA, "print query reports")
        data = gather_queries(self.ws, subject_id, include_closed=include_closed)
        rendered = render_query_report(data, self._options(lang))
        return issue(
            self.ws,
            ReportKind.QUERIES.value,
            rendered,
            out,
            lang=lang,
            content_hash=data.content_hash,
            about=Subject(subject_id),
        )

    def sdv(self, out: Path, *, subject_id: str | None = None, lang: str = "en") -> IssuedDocument:
        """The SDV report of the site or of one subject."""
        self.ws.require(Permission.VIEW_DATA, "print SDV reports")
        data = gather_sdv(self.ws, subject_id)
        rendered = render_sdv_report(data, self._options(lang))
        return issue(
            self.ws,
            ReportKind.SDV.value,
            rendered,
            out,
            lang=lang,
            content_hash=data.content_hash,
            about=Subject(subject_id),
        )

    # -- the register ------------------------------------------------------------------

    def issued(
        self, *, kind: str | None = None, subject_id: str | None = None
    ) -> list[IssuedDocument]:
        """Documents issued at this installation, oldest first."""
        self.ws.require(Permission.VIEW_AUDIT, "list issued documents")
        return issued_documents(self.ws, kind=kind, subject_id=subject_id)

    def verify(self, printed_hash: str) -> list[Match]:
        """Issued documents whose content hash starts with ``printed_hash``, each with
        whether its record still has that content today."""
        self.ws.require(Permission.VIEW_AUDIT, "match a printed document to its record")
        prefix = hash_prefix(printed_hash)
        found = [d for d in issued_documents(self.ws) if d.content_hash.startswith(prefix)]
        current: dict[tuple[Any, ...], str] = {}
        matches = []
        for doc in found:
            key = (doc.kind, doc.subject_id, doc.occurrence)
            if key not in current:
                current[key] = self._current_hash(doc)
            now = current[key]
            matches.append(Match(doc, (now == doc.content_hash) if now else None, now))
        return matches

    def _current_hash(self, doc: IssuedDocument) -> str:
        if doc.kind == ReportKind.CASEBOOK and doc.subject_id:
            return gather_casebook(self.ws, doc.subject_id).content_hash
        if doc.kind == ReportKind.SAE and doc.subject_id and doc.occurrence:
            try:
                return gather_sae(self.ws, doc.subject_id, doc.occurrence).content_hash
            except UsageError:  # no longer serious: the record changed
                return "-"
        if doc.kind == ReportKind.QUERIES:  # printed with or without closed queries
            hashes = [
                gather_queries(self.ws, doc.subject_id, include_closed=closed).content_hash
                for closed in (True, False)
            ]
            return doc.content_hash if doc.content_hash in hashes else hashes[0]
        if doc.kind == ReportKind.SDV:
            return gather_sdv(self.ws, doc.subject_id).content_hash
        return ""
