"""Write a CSV export of a payload-shaped dataset: the public entry point.

Used by ``npc-crf export csv`` at a site and by the coordinating center (which
passes the payloads of several sites). Format and decisions: docs/csv-export.md.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from npc_crf import __version__
from npc_crf.core.errors import UsageError
from npc_crf.core.logs import LOGGER
from npc_crf.exchange.csv_out.dataset import Dataset, FormRecord, read_dataset
from npc_crf.exchange.csv_out.decode import Decoder
from npc_crf.exchange.csv_out.dictionary import (
    CODELISTS_HEADER,
    DICTIONARY_HEADER,
    codelist_rows,
    dictionary_rows,
)
from npc_crf.exchange.csv_out.folder import ExportFolder, WrittenFile, manifest_text, write_folder
from npc_crf.exchange.csv_out.layout import Layout, plan_layout
from npc_crf.exchange.csv_out.readme import ReadmeFacts, readme_text
from npc_crf.exchange.csv_out.tables import (
    LONG_HEADER,
    SUBJECTS_HEADER,
    long_rows,
    sorted_forms,
    subject_rows,
    wide_rows,
)
from npc_crf.forms.canonical import canonical_json, form_hash, sha256_hex
from npc_crf.forms.model import Study

EXPORT_FORMAT = "npc-crf/csv-export"
EXPORT_VERSION = 1
LANGS = ("en", "zh")


class CsvLayout(StrEnum):
    """Which data files to write."""

    WIDE = "wide"
    LONG = "long"
    BOTH = "both"


@dataclass(frozen=True)
class CsvOptions:
    """What to export and how (the options of ``npc-crf export csv``)."""

    layout: CsvLayout = CsvLayout.BOTH
    labels: bool = False  # wide cells: code-list labels instead of codes
    lang: str = "en"  # language of labels (wide with ``labels``; long.csv's value_label)
    strip_phi: bool = False  # leave out items marked phi
    subjects: tuple[str, ...] | None = None  # only these subjects


@dataclass
class CsvReport:
    """What an export wrote."""

    out: Path
    study_oid: str
    study_version: str
    sites: list[str]
    subjects: int
    values: int
    files: list[WrittenFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    manifest_sha256: str = ""


def definition_sha256(study: Study) -> str:
    """The study's definition hash as a bundle manifest states it (bundle-format.md §2)."""
    return sha256_hex(canonical_json({oid: form_hash(study, f) for oid, f in study.forms.items()}))


def _definition_warnings(study: Study, dataset: Dataset) -> list[str]:
    """One warning per form OID whose instances were saved under another definition."""
    hashes = {oid: form_hash(study, form) for oid, form in study.forms.items()}
    other: dict[str, list[FormRecord]] = {}
    for form in dataset.forms:
        known = hashes.get(form.form_oid)
        if known is not None and form.definition_hash != known:
            other.setdefault(form.form_oid, []).append(form)
    return [
        f"Form {oid}: {len(forms)} instance(s) were saved under another definition (form "
        f"version(s) {', '.join(sorted({f.form_version for f in forms}))}) than the one of "
        f"study {study.oid} {study.version} (form version {study.forms[oid].version}) that "
        "the dictionary describes."
        for oid, forms in sorted(other.items())
    ]


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Writer:
    """Writes the files of one export into an :class:`ExportFolder`."""

    def __init__(self, study: Study, dataset: Dataset, layout: Layout, options: CsvOptions) -> None:
        self.study = study
        self.dataset = dataset
        self.layout = layout
        self.options = options
        self.decoder = Decoder(study, options.lang)

    def fill(self, folder: ExportFolder) -> None:
        study, layout, options = self.study, self.layout, self.options
        forms = sorted_forms(self.dataset, layout)
        folder.csv("dictionary.csv", DICTIONARY_HEADER, dictionary_rows(study, layout))
        folder.csv("codelists.csv", CODELISTS_HEADER, codelist_rows(study, layout))
        folder.csv("subjects.csv", SUBJECTS_HEADER, subject_rows(self.dataset))
        if options.layout in (CsvLayout.LONG, CsvLayout.BOTH):
            folder.csv("long.csv", LONG_HEADER, long_rows(forms, layout, self.decoder))
        if options.layout in (CsvLayout.WIDE, CsvLayout.BOTH):
            by_form: dict[str, list[FormRecord]] = {}
            for form in forms:
                by_form.setdefault(form.form_oid, []).append(form)
            decoder = self.decoder if options.labels else None
            for table in layout.tables:
                rows = wide_rows(table, by_form.get(table.form_oid, []), decoder)
                folder.csv(table.path, table.header, rows)
        data_files = list(folder.files)
        facts = ReadmeFacts(
            study=study,
            sites=self.dataset.site_ids,
            subjects=len(self.dataset.subjects),
            values=self.dataset.value_count,
            layout=options.layout.value,
            labels=options.labels,
            lang=options.lang,
            strip_phi=options.strip_phi,
            subject_filter=options.subjects is not None,
        )
        folder.text("README.txt", readme_text(facts, data_files))


def export_csv(
    study: Study,
    payloads: Sequence[Mapping[str, Any]],
    out: Path,
    options: CsvOptions | None = None,
) -> CsvReport:
    """Export ``payloads`` (docs/bundle-format.md §3) of ``study`` as CSV into the new
    folder ``out`` (docs/csv-export.md). ``out`` must not exist; it appears complete or
    not at all.

    Raises UsageError (``out`` exists, an unknown subject, a bad option) and
    DatasetError (the payload is not shaped as §3).
    """
    options = options or CsvOptions()
    if options.lang not in LANGS:
        raise UsageError(f"'{options.lang}' is not a label language; use en or zh.")
    dataset = read_dataset(payloads, _subjects(options.subjects))
    layout = plan_layout(study, dataset, strip_phi=options.strip_phi)
    warnings = _definition_warnings(study, dataset) + layout.warnings
    writer = _Writer(study, dataset, layout, options)
    report = CsvReport(
        out=out,
        study_oid=study.oid,
        study_version=study.version,
        sites=dataset.site_ids,
        subjects=len(dataset.subjects),
        values=dataset.value_count,
        warnings=warnings,
    )

    def fill(folder: ExportFolder) -> None:
        writer.fill(folder)
        doc: dict[str, object] = {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "created_at": _now(),
            "app_version": __version__,
            "study": {
                "oid": study.oid,
                "version": study.version,
                "definition_sha256": definition_sha256(study),
            },
            "sites": dataset.site_ids,
            "options": {
                "layout": options.layout.value,
                "labels": options.labels,
                "lang": options.lang,
                "strip_phi": options.strip_phi,
                "subjects": list(options.subjects) if options.subjects is not None else None,
            },
            "counts": {
                "subjects": len(dataset.subjects),
                "forms": len(dataset.forms),
                "values": dataset.value_count,
            },
            "left_out": {
                "values_on_deleted_rows": dataset.deleted_row_values,
                "cleared_values": dataset.cleared_values,
            },
            "warnings": warnings,
            "files": [f.manifest() for f in folder.files],
        }
        report.manifest_sha256 = folder.text(
            "manifest.json", manifest_text(doc), listed=False
        ).sha256

    started = time.perf_counter()
    report.files = write_folder(out, fill)
    LOGGER.info(
        "csv export: %d files, %d subjects, %d values, %.2f s",
        len(report.files),
        report.subjects,
        report.values,
        time.perf_counter() - started,
    )
    return report


def _subjects(chosen: tuple[str, ...] | None) -> Collection[str] | None:
    return None if chosen is None else dict.fromkeys(chosen)
