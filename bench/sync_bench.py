"""Sync benchmark: full export of a site, an incremental bundle after one form edit, and the
coordinating center's import of the full bundle (issue 7 targets).

    python bench/sync_bench.py [--site /tmp/site300-v7] [--json out.json]

Works on a temporary copy of the site (exporting writes to it). Measures, in one run:

* full export (``ws.sync.export(full=True)``: read snapshot, JSON, zlib, AES-GCM, Ed25519,
  fsync, record) — target < 10 s for the 300-subject demo site;
* the same payload bytes compressed and AES-256-GCM-encrypted alone (the floor any
  export must pay), and export / floor as a ratio;
* an incremental bundle after one form edit — targets < 0.5 s and < 20 KB;
* the center's import of the full bundle (SQLite center store), with item values per second.

Figures depend on the machine and on its load; the JSON written holds the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from npc_crf.center.service import Center
from npc_crf.demo.accounts import ADMIN, NURSE
from npc_crf.services.site import Site
from npc_crf.store.keyfile import TEST_COST
from npc_crf.sync.envelope import payload_bytes
from npc_crf.sync.payload import collect

DEFAULT_SITE = Path("/tmp/site300-v7")  # noqa: S108 - where the team keeps it
CENTER_PASSWORD = "bench-center-pass"  # noqa: S105 - a throw-away benchmark center


def _timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def _edit_one_form(ws: Any) -> str:
    """Change one value of one complete vital-signs form, as a nurse correcting a typo."""
    for subject in ws.subjects.list():
        book = ws.casebook.load(subject.subject_id)
        for event in book.events:
            for form in event.forms.values():
                if form.form_oid == "VS" and form.status.value == "complete":
                    weight = form.answers.get("WEIGHT")
                    new = "61.5" if str(weight) != "61.5" else "61.0"
                    ws.casebook.save_form(
                        subject.subject_id,
                        event.event_oid,
                        event.occurrence,
                        "VS",
                        {"WEIGHT": new},
                        reason="Transcription error",
                        complete=True,
                    )
                    return f"{subject.subject_id}/{event.event_oid}[{event.occurrence}]/VS.WEIGHT"
    raise SystemExit("no complete VS form found to edit")


def run(site_dir: Path, keep: Path | None) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="sync-bench-"))
    try:
        site_copy = work / "site"
        shutil.copytree(site_dir, site_copy, symlinks=True)
        (site_copy / "site.lock").unlink(missing_ok=True)
        center = Center.init(
            work / "center",
            study_oid="NPC-SINT-RT",
            password=CENTER_PASSWORD,
            by="bench",
            center_id="BENCH-CC",
            cost=TEST_COST,
        )
        site = Site.open(site_copy)
        admin = site.login(ADMIN.username, ADMIN.password)
        card = admin.sync.identity_card()
        center.register_installation(card, card.fingerprint)
        center_card = center.identity_card()
        admin.sync.trust_center(center_card, center_card.fingerprint)
        admin.logout()
        ws = site.login(NURSE.username, NURSE.password)

        full, t_full = _timed(lambda: ws.sync.export(full=True))
        full_bytes = full.path.read_bytes()

        # the floor: the same payload bytes, compressed and encrypted, nothing else
        collected, t_collect = _timed(lambda: collect(ws, full=True))
        plain, t_json = _timed(lambda: payload_bytes(collected.payload))
        packed, t_zlib = _timed(lambda: zlib.compress(plain, 6))
        key, nonce = AESGCM.generate_key(256), os.urandom(12)
        _, t_aes = _timed(lambda: AESGCM(key).encrypt(nonce, packed, b"bench"))
        floor = t_zlib + t_aes

        edited = _edit_one_form(ws)
        incr, t_incr = _timed(lambda: ws.sync.export())
        incr_bytes = incr.path.stat().st_size
        values = int(full.bundle.counts["values"])
        ws.logout()
        site.close()

        report, t_import = _timed(lambda: center.import_bundle(full_bytes, full.path.name))
        center.close()
        result = {
            "site": str(site_dir),
            "subjects": full.bundle.counts["subjects"],
            "values": values,
            "audit_entries": full.bundle.counts["audit"],
            "full_export_s": round(t_full, 2),
            "full_bundle_bytes": len(full_bytes),
            "payload_json_bytes": len(plain),
            "collect_s": round(t_collect, 2),
            "json_s": round(t_json, 2),
            "zlib_plus_aes_gcm_s": round(floor, 2),
            "export_to_zlib_aes_ratio": round(t_full / floor, 2) if floor else None,
            "incremental_edit": edited,
            "incremental_export_s": round(t_incr, 3),
            "incremental_bundle_bytes": incr_bytes,
            "incremental_values": incr.bundle.counts["values"],
            "center_import_status": report.status,
            "center_import_s": round(t_import, 2),
            "center_values_per_s": round(values / t_import) if t_import else None,
            "machine": platform.platform(),
            "python": platform.python_version(),
            "load_average": os.getloadavg(),
        }
        return result
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=DEFAULT_SITE)
    parser.add_argument("--json", type=Path, default=Path("bench/results/sync_bench.json"))
    parser.add_argument("--keep", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    result = run(args.site, args.keep)
    targets = {
        "full_export_s": (10, "s"),
        "incremental_export_s": (0.5, "s"),
        "incremental_bundle_bytes": (20_000, "bytes"),
    }
    for name, value in result.items():
        target = targets.get(name)
        mark = (
            ""
            if target is None
            else f"   target < {target[0]} {target[1]}: " + ("yes" if value < target[0] else "NO")
        )
        print(f"{name:28} {value}{mark}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
