"""Uploading the outbox to ``npc-crf center serve`` and fetching the return bundle (docs/http-upload.md).

Each bundle not yet acknowledged is uploaded (resumable, idempotent at the
center); an upload the center answered is recorded as sent to the URL. Then the
center's return bundle is fetched and applied, which is what turns bundles
``acknowledged``. A center that cannot be reached raises
:class:`~npc_crf.sync.http_client.CenterUnreachable` ("try later"); a bundle the
center refused is reported with its check, and the others still go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from npc_crf.auth.roles import Permission
from npc_crf.services.sync import returns
from npc_crf.services.sync.common import ACKNOWLEDGED, Cancel, Progress, cancelled
from npc_crf.services.sync.send import record_sent
from npc_crf.services.workspace import Workspace
from npc_crf.sync import http_client as http


@dataclass
class UploadOutcome:
    """What an upload round did."""

    url: str
    uploaded: list[dict[str, Any]] = field(default_factory=list)  # sequence, status, check
    applied: returns.ApplyResult | None = None
    no_return: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "uploaded": self.uploaded,
            "return": None if self.applied is None else self.applied.to_json(),
            "no_return": self.no_return,
        }


def upload_pending(
    ws: Workspace, url: str, progress: Progress | None = None, cancel: Cancel = None
) -> UploadOutcome:
    """Upload every bundle not yet acknowledged, then fetch and apply the return bundle."""
    ws.require(Permission.EXPORT, "send bundles to the coordinating center")
    outcome = UploadOutcome(url)
    http.center_info(url)
    pending = [b for b in ws.sync.bundles() if b.status != ACKNOWLEDGED]
    for n, bundle in enumerate(pending, start=1):
        if cancelled(cancel):
            raise http.UploadCancelled(0, 0)
        if progress is not None:
            progress(n - 1, len(pending), f"upload {bundle.sequence}")
        try:
            result = http.upload_bundle(
                url,
                ws.site.data.exports / bundle.file_name,
                bundle.uid,
                cancel=(lambda: cancelled(cancel)),
            )
        except http.CenterRefused as exc:
            outcome.uploaded.append(
                {"sequence": bundle.sequence, "status": "refused", "check": exc.check}
            )
            continue
        record_sent(ws, [(bundle, result.sent_bytes > 0)], url)
        outcome.uploaded.append({"sequence": bundle.sequence, "status": result.status})
    data = http.fetch_return(url, ws.installation_id)
    if data is None:
        outcome.no_return = True
    else:
        outcome.applied = returns.apply_return(ws, data, f"{url} (return)")
    if progress is not None:
        progress(len(pending), len(pending), "done")
    return outcome
