"""Export the site a user is logged in to as ODM 1.3.2 (``npc-crf export odm``).

Reads the site's data as a bundle payload (:func:`npc_crf.sync.payload.collect_payload`),
writes the file (:func:`~npc_crf.exchange.odm.writer.write_odm`) and records the export
in the audit trail (action ``odm_export``, with the file name, its SHA-256 and the counts,
never clinical values). Needs the ``export`` permission.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

from npc_crf.auth.roles import Permission
from npc_crf.core.errors import UsageError
from npc_crf.core.logs import LOGGER
from npc_crf.exchange.odm.writer import ODM_VERSION, OdmOptions, OdmReport, write_odm

if TYPE_CHECKING:
    from npc_crf.services.workspace import Workspace

#: the audit action of an ODM export (the CSV export records ``csv_export``)
EXPORT_ACTION = "odm_export"


def export_site_odm(
    ws: Workspace,
    path: Path,
    *,
    metadata_only: bool = False,
    subjects: Collection[str] | None = None,
) -> OdmReport:
    """Write the site's study definition and (unless ``metadata_only``) its data to ``path``.

    ``subjects`` limits the clinical data to these subject IDs (an unknown one is a
    UsageError naming it). The export is audited once the file is complete.
    """
    ws.require(Permission.EXPORT, "export data")
    if metadata_only and subjects:
        raise UsageError("--subject selects clinical data; a --metadata-only export has none.")
    started = time.perf_counter()
    payload = None
    if not metadata_only:
        from npc_crf.sync.payload import collect_payload

        payload = collect_payload(ws)
    options = OdmOptions(
        site_ids=(ws.site_id,),
        metadata_only=metadata_only,
        subjects=frozenset(subjects) if subjects else None,
        originator=f"npc-crf site {ws.site_id}",
    )
    report = write_odm(Path(path), ws.study, payload, options)
    counts = report.clinical
    with ws.tx() as tx:
        tx.audit.append(
            EXPORT_ACTION,
            new_value=json.dumps(
                {
                    "format": f"cdisc-odm-{ODM_VERSION}",
                    "file": Path(path).name,
                    "file_oid": report.file_oid,
                    "granularity": report.granularity,
                    "sha256": report.sha256,
                    "bytes": report.bytes,
                    "subjects": counts.subjects,
                    "forms": counts.forms,
                    "values": counts.values,
                },
                sort_keys=True,
            ),
            source=ws.channel,
        )
    LOGGER.info(
        "ODM export by %s: %d subjects, %d values, %d bytes in %.1f s",
        ws.username,
        counts.subjects,
        counts.values,
        report.bytes,
        time.perf_counter() - started,
    )
    return report
