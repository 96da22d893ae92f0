"""``ws.sync``: the use cases of sync at a site, for the CLI and the GUI (docs/sync.md).

Long operations take ``progress(done, total, what)``; :meth:`SyncService.export`
also takes ``cancel`` (a :class:`threading.Event` or a callable) checked
between its steps. Permissions: the identity card, exporting, sending and
applying return bundles need ``export`` (CRC, INV, ADMIN); trusting the center
needs ``site_settings`` (ADMIN); reading the status needs ``view_data``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from npc_crf.auth.roles import Permission
from npc_crf.services.sync import outbox, returns, send, status, trust, upload
from npc_crf.services.sync.common import (
    Cancel,
    OutboundBundle,
    Progress,
    active_center,
    bundles_for,
)
from npc_crf.services.workspace import Workspace
from npc_crf.sync.identity import IdentityCard


class SyncService:
    """Exchanging bundles with the coordinating center."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def identity_card(self) -> IdentityCard:
        """This installation's identity card (public keys; for ``center register-site``)."""
        return trust.identity_card(self.ws)

    def trust_center(self, card: IdentityCard, typed_fingerprint: str) -> trust.TrustOutcome:
        """Trust the center of ``card`` once its fingerprint, read out on the phone, matches."""
        return trust.trust_center(self.ws, card, typed_fingerprint)

    def export(
        self, full: bool = False, progress: Progress | None = None, cancel: Cancel = None
    ) -> outbox.ExportResult:
        """Make the next bundle into the outbox (incremental unless ``full``)."""
        return outbox.export_bundle(self.ws, full=full, progress=progress, cancel=cancel)

    def send_to_folder(
        self,
        folder: Path,
        uids: Sequence[str] | None = None,
        progress: Progress | None = None,
    ) -> send.SendResult:
        """Copy bundles (default: all not yet acknowledged) to a folder or drive, verified."""
        return send.send_to_folder(self.ws, Path(folder), uids, progress)

    def upload(
        self, url: str, progress: Progress | None = None, cancel: Cancel = None
    ) -> upload.UploadOutcome:
        """Upload every bundle not yet acknowledged to ``npc-crf center serve`` at ``url``,
        record them sent, then fetch and apply the center's return bundle."""
        return upload.upload_pending(self.ws, url, progress, cancel)

    def apply_return(
        self, path_or_bytes: Path | bytes, name: str | None = None
    ) -> returns.ApplyResult:
        """Verify and apply a return bundle from the center (refusals raise BundleRefused)."""
        data, shown = returns.read_source(path_or_bytes, name)
        return returns.apply_return(self.ws, data, shown)

    def status(self) -> status.SyncStatus:
        """Trusted center, outbox, and the counts of what is not exported or not acknowledged."""
        self.ws.require(Permission.VIEW_DATA, "see the sync status")
        outbox.recover_partials(self.ws)
        fingerprint = trust.identity_card_fingerprint(self.ws)
        with self.ws.read() as conn:
            return status.read_status(conn, fingerprint)

    def bundles(self) -> list[OutboundBundle]:
        """The outbox of the trusted center, oldest first."""
        self.ws.require(Permission.VIEW_DATA, "see the outbox")
        outbox.recover_partials(self.ws)
        with self.ws.read() as conn:
            center = active_center(conn)
            return [] if center is None else bundles_for(conn, center.center_id)
