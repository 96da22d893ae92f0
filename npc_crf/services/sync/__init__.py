"""The site side of sync (docs/sync.md, docs/bundle-format.md).

One module per job: :mod:`.trust` (this installation's identity card, trusting
the coordinating center), :mod:`.outbox` (exporting bundles into ``exports/``),
:mod:`.send` (copying them to a folder or a removable drive), :mod:`.returns`
(applying the center's return bundles), :mod:`.status` (what has been sent and
acknowledged) and :mod:`.service` (the :class:`SyncService` that the CLI and
the GUI call as ``ws.sync``). Qt-free.
"""

from __future__ import annotations
