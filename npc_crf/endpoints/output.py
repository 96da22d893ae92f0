"""Writing an endpoint report into a folder: ``<kind>.pdf`` and ``<kind>/<table>.csv``.

The same for a site's own store and for the coordinating center: the caller builds
the result (:mod:`npc_crf.endpoints.analysis`) and says how the PDF is written (a site
records it in its audit trail as an issued document; the center writes it as is).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from npc_crf.core.errors import UsageError
from npc_crf.endpoints.model import EfficacyResult, SafetyResult, Table
from npc_crf.forms.model import Study
from npc_crf.reports.document import RenderedPdf, RenderOptions


class EndpointReport(StrEnum):
    """The two endpoint reports."""

    EFFICACY = "efficacy"
    SAFETY = "safety"


@dataclass(frozen=True)
class WrittenReport:
    """What one endpoint report wrote."""

    kind: str
    pdf: Path
    pages: int
    tables: tuple[Path, ...]
    subjects: int
    cutoff: dt.date

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "pdf": str(self.pdf),
            "pages": self.pages,
            "tables": [str(p) for p in self.tables],
            "subjects": self.subjects,
            "cutoff": self.cutoff.isoformat(),
        }


def report_folder(out: Path) -> Path:
    """``out`` as an absolute folder, made when its parent exists."""
    folder = Path(out).expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file; --out names the folder the report goes into.")
    if not folder.parent.is_dir():
        raise UsageError(f"{folder.parent}: there is no such folder.")
    folder.mkdir(exist_ok=True)
    return folder


def render(
    kind: EndpointReport,
    study: Study,
    result: EfficacyResult | SafetyResult,
    options: RenderOptions,
) -> tuple[RenderedPdf, list[Table]]:
    """The PDF and the CSV tables of ``result``."""
    from npc_crf.reports.endpoints import (
        efficacy_tables,
        render_efficacy,
        render_safety,
    )

    name = study.name.get(options.lang)
    if kind is EndpointReport.EFFICACY:
        assert isinstance(result, EfficacyResult)
        return render_efficacy(result, options, study_name=name), efficacy_tables(result)
    from npc_crf.endpoints.safety import safety_tables

    assert isinstance(result, SafetyResult)
    tables = safety_tables(result)
    return render_safety(result, tables, options, study_name=name), tables


def write_report(
    kind: EndpointReport,
    study: Study,
    result: EfficacyResult | SafetyResult,
    out: Path,
    options: RenderOptions,
    write_pdf: Callable[[RenderedPdf, Path], None],
) -> WrittenReport:
    """Render ``result`` and write ``out/<kind>.pdf`` (through ``write_pdf``) and the
    tables as ``out/<kind>/<table>.csv``."""
    from npc_crf.reports.endpoints import write_tables

    folder = report_folder(out)
    rendered, tables = render(kind, study, result, options)
    csv_folder = folder / kind.value
    csv_folder.mkdir(exist_ok=True)
    written = write_tables(tables, csv_folder, options.lang)
    pdf = folder / f"{kind.value}.pdf"
    write_pdf(rendered, pdf)
    subjects = len(result.subjects) if isinstance(result, EfficacyResult) else len(result.exposure)
    return WrittenReport(
        kind.value,
        pdf,
        rendered.pages,
        tuple(csv_folder / w.path for w in written),
        subjects,
        result.cutoff,
    )
