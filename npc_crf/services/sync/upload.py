"""Uploading the outbox to ``npc-crf center serve`` and fetching the return bundle (docs/http-upload.md).

The one upload flow; the CLI (``npc-crf sync upload``) and the GUI's Sync page
both call it. Each bundle not yet acknowledged is uploaded, oldest first
(resumable, idempotent at the center); an upload the center answered is
recorded as sent to the URL. A bundle the center refused is reported with its
check and the others still go; an answer that is neither (too large, a server
error) stops the uploads but the return bundle is still fetched. The return is
then applied, which is what turns bundles ``acknowledged``. No connection is
not an error here: it is reported (``unreachable``) so that the caller can say
"try later"; nothing is lost, the bundles stay in the outbox.

Progress: ``progress(done, total, what)`` with ``what`` = ``connect``, then for
each bundle ``upload\\t<sequence>\\t<n>\\t<of>\\t<client step>`` with bytes as
done/total, then ``fetch``. A cancel (checked before each bundle, between
chunks, and before fetching) raises :class:`SyncCancelled`; the server keeps
what arrived and the next upload continues from there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from npc_crf.auth.roles import Permission
from npc_crf.core.errors import BundleRefused, NpcCrfError
from npc_crf.services.sync import returns
from npc_crf.services.sync.common import (
    ACKNOWLEDGED,
    Cancel,
    Progress,
    SyncCancelled,
    cancelled,
)
from npc_crf.services.sync.send import record_sent
from npc_crf.services.workspace import Workspace
from npc_crf.sync import http_client as http


@dataclass(frozen=True)
class BundleUpload:
    """One bundle's upload: the center's answer (``imported``, ``already imported``,
    ``held`` …) or ``refused`` with the check that failed."""

    sequence: int
    status: str
    check: str | None = None
    detail: str | None = None


@dataclass
class UploadOutcome:
    """What an upload round did."""

    url: str
    uploads: list[BundleUpload] = field(default_factory=list)
    #: no connection (nothing lost: try later, or send the bundles on a drive)
    unreachable: str | None = None
    #: the server answered something else (too large, a server error, no return bundles)
    problem: str | None = None
    #: the name the fetched return bundle was applied under
    return_name: str | None = None
    applied: returns.ApplyResult | None = None
    return_refused: BundleRefused | None = None
    return_problem: str | None = None
    nothing_returned: bool = False

    @property
    def refused(self) -> bool:
        """True when the center refused a bundle, or the site refused its return bundle."""
        return self.return_refused is not None or any(u.status == "refused" for u in self.uploads)

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "uploaded": [
                {"sequence": u.sequence, "status": u.status, "check": u.check, "detail": u.detail}
                for u in self.uploads
            ],
            "unreachable": self.unreachable,
            "problem": self.problem,
            "return": None if self.applied is None else self.applied.to_json(),
            "return_refused": None
            if self.return_refused is None
            else {"check": self.return_refused.check, "message": self.return_refused.detail},
            "return_problem": self.return_problem,
            "nothing_returned": self.nothing_returned,
        }


def return_name(now: dt.datetime) -> str:
    """The name a return bundle fetched over HTTP is recorded under."""
    return f"http-return-{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}.npcr"


def upload_pending(
    ws: Workspace, url: str, progress: Progress | None = None, cancel: Cancel = None
) -> UploadOutcome:
    """Upload every bundle not yet acknowledged, then fetch and apply the return bundle."""
    ws.require(Permission.EXPORT, "send bundles to the coordinating center")

    def report(done: int, total: int, what: str) -> None:
        if progress is not None:
            progress(done, total, what)

    def stop_if_asked() -> None:
        if cancelled(cancel):
            raise SyncCancelled("The upload was stopped; the center keeps what arrived.")

    outcome = UploadOutcome(url)
    pending = [b for b in ws.sync.bundles() if b.status != ACKNOWLEDGED]
    report(0, 0, "connect")
    try:
        http.center_info(url)
        for n, bundle in enumerate(pending, start=1):
            stop_if_asked()
            step = f"upload\t{bundle.sequence}\t{n}\t{len(pending)}"

            def chunk(done: int, total: int, what: str, step: str = step) -> None:
                report(done, total, f"{step}\t{what}")

            try:
                result = http.upload_bundle(
                    url,
                    ws.site.data.exports / bundle.file_name,
                    bundle.uid,
                    progress=chunk,
                    cancel=lambda: cancelled(cancel),
                )
            except http.CenterRefused as exc:
                outcome.uploads.append(
                    BundleUpload(bundle.sequence, "refused", exc.check, exc.detail)
                )
                continue
            except http.UploadFailed as exc:
                outcome.problem = str(exc)
                break
            record_sent(ws, [(bundle, result.sent_bytes > 0)], url)
            outcome.uploads.append(BundleUpload(bundle.sequence, result.status))
        stop_if_asked()
        report(0, 0, "fetch")
        try:
            data = http.fetch_return(url, ws.installation_id)
        except http.UploadFailed as exc:
            outcome.problem = outcome.problem or str(exc)
            return outcome
    except http.CenterUnreachable as exc:
        outcome.unreachable = str(exc)
        return outcome
    except http.UploadCancelled:
        raise SyncCancelled("The upload was stopped; the center keeps what arrived.") from None
    if data is None:
        outcome.nothing_returned = True
        return outcome
    outcome.return_name = return_name(ws.now())
    try:
        outcome.applied = returns.apply_return(ws, data, outcome.return_name)
    except BundleRefused as exc:
        outcome.return_refused = exc
    except NpcCrfError as exc:
        outcome.return_problem = str(exc)
    return outcome
