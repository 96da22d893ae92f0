"""Assemble and write an ODM 1.3.2 file: streamed, UTF-8, replaced atomically.

The ODM element with the Study metadata and AdminData is built with lxml and
serialized; ClinicalData follows as text, one SubjectData per subject and then
the AuditRecords and Annotations containers (:mod:`.clinical`), so memory holds
one subject at a time. Everything goes into a temporary file next to the target
(owner-only permissions), which is fsynced and renamed over the target only when
complete: a reader never sees half an export.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from npc_crf import __version__
from npc_crf.core.errors import UsageError
from npc_crf.exchange.odm import oids
from npc_crf.exchange.odm.admin import build_admin, collect_people
from npc_crf.exchange.odm.clinical import ClinicalCounts, ClinicalWriter
from npc_crf.exchange.odm.dataset import Dataset
from npc_crf.exchange.odm.elements import Element, root
from npc_crf.exchange.odm.metadata import build_study
from npc_crf.exchange.odm.xmltext import attributes
from npc_crf.forms.model import Study
from npc_crf.store.atomic import fsync_dir

ODM_VERSION = "1.3.2"
_ODM = "ODM"
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class OdmOptions:
    """What to export and how to label the file.

    ``site_ids``: the sites the dataset holds (a subject belongs to the site its ID
    starts with). ``subjects``: only these subjects (None: all). ``metadata_only``:
    the study definition alone (Granularity ``Metadata``, no dataset needed).
    """

    site_ids: tuple[str, ...]
    metadata_only: bool = False
    subjects: frozenset[str] | None = None
    originator: str = "npc-crf"
    created_at: dt.datetime | None = None
    file_oid: str | None = None
    description: str | None = None


@dataclass
class OdmReport:
    """What was written."""

    path: Path
    file_oid: str
    granularity: str
    created_at: str
    bytes: int = 0
    sha256: str = ""
    clinical: ClinicalCounts = field(default_factory=ClinicalCounts)


class _HashingFile:
    """A binary file that counts and hashes what is written to it."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.handle.write(data)


def utc_text(moment: dt.datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (the store's UTC format; a valid xs:dateTime)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _head_and_tail(root: Element) -> tuple[str, str]:
    """The serialized ODM element around where ClinicalData goes (before ``</ODM>``)."""
    etree.indent(root, space="  ")
    markup = etree.tostring(root, encoding="unicode")
    head, end, tail = markup.rpartition(f"</{_ODM}>")
    if not end:  # an ODM element without children would be <ODM .../>: never the case
        raise ValueError("the ODM element has no end tag")
    return head.rstrip("\n"), f"\n{end}{tail}\n"


def write_odm(
    path: Path, study: Study, payload: Mapping[str, Any] | None, options: OdmOptions
) -> OdmReport:
    """Write ``payload`` (docs/bundle-format.md §3) as an ODM 1.3.2 Snapshot at ``path``.

    ValidationFailed when the dataset lacks fields the export needs, UsageError when a
    subject is unknown or the target cannot be written; the previous file at ``path``
    (if any) is then unchanged.
    """
    created = options.created_at or dt.datetime.now(dt.UTC)
    report = OdmReport(
        path=Path(path),
        file_oid=options.file_oid or f"npc-crf.{uuid.uuid4()}",
        granularity="Metadata" if options.metadata_only else "All",
        created_at=utc_text(created),
    )
    writer: ClinicalWriter | None = None
    odm = root(_ODM, _odm_attributes(study, options, report))
    odm.append(build_study(study))
    if not options.metadata_only:
        if payload is None:
            raise UsageError("An ODM export of clinical data needs a dataset.")
        dataset = Dataset(payload, options.site_ids)
        writer = ClinicalWriter(study, dataset, dataset.select(options.subjects))
        people = collect_people(dataset, writer.subject_ids, writer.audit_of)
        odm.append(build_admin(study, dataset, people, created))
    head, tail = _head_and_tail(odm)
    out = _stream(report.path, head, study, writer, tail)
    if writer is not None:
        report.clinical = writer.counts
    report.bytes = out.size
    report.sha256 = out.digest.hexdigest()
    return report


def _odm_attributes(study: Study, options: OdmOptions, report: OdmReport) -> dict[str, str]:
    sites = ", ".join(options.site_ids)
    return {
        "FileType": "Snapshot",
        "Granularity": report.granularity,
        "FileOID": report.file_oid,
        "CreationDateTime": report.created_at,
        "ODMVersion": ODM_VERSION,
        "Originator": options.originator,
        "SourceSystem": "npc-crf",
        "SourceSystemVersion": __version__,
        "Description": options.description or f"{study.oid} {study.version} ({sites})",
    }


def _stream(
    target: Path, head: str, study: Study, writer: ClinicalWriter | None, tail: str
) -> _HashingFile:
    """Write the document into a temporary sibling, fsync it, rename it over ``target``."""
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    except OSError as exc:
        raise UsageError(f"{target} cannot be written: {exc.strerror or exc}.") from None
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as handle:
            out = _HashingFile(handle)
            out.write(DECLARATION + head.encode("utf-8"))
            if writer is not None:
                clinical = {"StudyOID": study.oid, "MetaDataVersionOID": oids.mdv(study.version)}
                out.write(f"\n  <ClinicalData{attributes(clinical)}>".encode())
                for part in (writer.subjects(), writer.audit_records(), writer.item_annotations()):
                    for chunk in part:
                        out.write(chunk.encode("utf-8"))
                out.write(b"\n  </ClinicalData>")
            out.write(tail.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise UsageError(f"{target} cannot be written: {exc.strerror or exc}.") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(target.parent)
    return out
