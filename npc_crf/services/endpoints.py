"""The endpoints of a site's own data (``ws.endpoints``; ``npc-crf report efficacy|safety``).

An investigator looks at their own site the way the coordinating center looks at all
of them: the same derivations, statistics, figures and tables
(:mod:`npc_crf.endpoints`). The PDF is recorded in the audit trail as an issued
document, like every printed document with clinical data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from npc_crf.auth.roles import Permission
from npc_crf.endpoints.model import EfficacyResult, SafetyResult

if TYPE_CHECKING:
    from npc_crf.endpoints.output import EndpointReport, WrittenReport
    from npc_crf.reports.document import RenderedPdf
    from npc_crf.services.workspace import Workspace


class EndpointService:
    """Efficacy and safety results of the signed-in user's site."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def _cutoff(self, cutoff: dt.date | None) -> dt.date:
        return cutoff or self.ws.now().date()

    @property
    def scope(self) -> str:
        return f"site {self.ws.site_id}"

    def efficacy(
        self, cutoff: dt.date | None = None, progress: Callable[[int, int], None] | None = None
    ) -> EfficacyResult:
        """Every subject's derivations and the study's efficacy results at ``cutoff``."""
        from npc_crf.endpoints.analysis import efficacy_result
        from npc_crf.endpoints.source import site_subjects

        self.ws.require(Permission.VIEW_DATA, "derive the endpoints")
        return efficacy_result(
            self.ws.study,
            site_subjects(self.ws),
            scope=self.scope,
            cutoff=self._cutoff(cutoff),
            progress=progress,
        )

    def safety(self, cutoff: dt.date | None = None) -> SafetyResult:
        """Adverse events and exposure of the safety population at ``cutoff``."""
        from npc_crf.endpoints.analysis import safety_analysis
        from npc_crf.endpoints.source import site_subjects

        self.ws.require(Permission.VIEW_DATA, "tabulate adverse events")
        return safety_analysis(
            self.ws.study, site_subjects(self.ws), scope=self.scope, cutoff=self._cutoff(cutoff)
        )

    def report(
        self,
        kind: EndpointReport,
        out: Path,
        *,
        cutoff: dt.date | None = None,
        lang: str = "en",
        progress: Callable[[int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> WrittenReport:
        """Write ``out/<kind>.pdf`` (recorded as issued) and ``out/<kind>/*.csv``."""
        from npc_crf.endpoints.output import EndpointReport, write_report
        from npc_crf.reports.document import RenderOptions
        from npc_crf.services.reports.issue import issue

        result = self.efficacy(cutoff) if kind is EndpointReport.EFFICACY else self.safety(cutoff)
        options = RenderOptions(
            lang=lang,
            generated_by=self.ws.full_name,
            generated_at=self.ws.now(),
            progress=progress,
            cancelled=cancelled,
        )

        def recorded(rendered: RenderedPdf, path: Path) -> None:
            issue(self.ws, kind.value, rendered, path, lang=lang)

        return write_report(kind, self.ws.study, result, out, options, recorded)
