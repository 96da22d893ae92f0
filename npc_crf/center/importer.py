"""Importing site bundles at the center: the checks of docs/bundle-format.md §2 and §4.

Checks 1–9 (framing … decompress) run in ``npc_crf.sync.envelope`` with the
sender's registered key and the center's keys; check 10 (payload) in
:mod:`npc_crf.center.validate`; check 11 (sequence) here; then one transaction
applies the payload and records the inbound bundle (:mod:`npc_crf.center.apply`).

The outcomes of one file:

* ``imported`` — applied (and then any held bundles that now follow, in order);
* ``already imported`` (or ``already held`` / ``already superseded``) — the same
  bundle again: nothing changes;
* ``held`` — a gap before it: verified, kept as received (encrypted), and the
  missing sequence numbers are reported;
* ``superseded`` — a bundle that a full bundle already covered;
* ``refused`` — one check failed; nothing is applied, and the center's audit
  trail records the refusal with the check's name.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, insert, select, update

from npc_crf.audit.chain import GENESIS
from npc_crf.center import schema as t
from npc_crf.center.apply import Applier, ApplyCounts, Stream
from npc_crf.center.trail import CenterTrail, utc_now
from npc_crf.center.validate import PAYLOAD_FORMAT, PAYLOAD_VERSION, load_refs, validate
from npc_crf.core.errors import BundleRefused
from npc_crf.sync.envelope import (
    Envelope,
    check_recipient,
    open_payload,
    read_envelope,
    verify_sender,
)
from npc_crf.sync.payload import expand_tables

if TYPE_CHECKING:
    from npc_crf.center.service import Center

IMPORTED = "imported"
HELD = "held"
SUPERSEDED = "superseded"
ALREADY = "already imported"
REFUSED = "refused"


@dataclass
class ImportReport:
    """What happened to one bundle file (and to held bundles it released)."""

    name: str
    status: str
    bundle_uuid: str | None = None
    site_id: str | None = None
    installation_number: int | None = None
    sequence: int | None = None
    full: bool = False
    check: str | None = None
    reason: str | None = None
    missing: list[int] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    then: list[ImportReport] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        """True when this bundle or a held one it released was refused."""
        return self.status == REFUSED or any(r.refused for r in self.then)

    @property
    def who(self) -> str:
        if self.site_id is None:
            return ""
        return f"{self.site_id}-{self.installation_number:02d} #{self.sequence}"

    def line(self) -> str:
        """One line for people (no clinical values)."""
        head = f"{self.name}: {self.status}" + (f" ({self.who})" if self.who else "")
        if self.status == REFUSED:
            return f"{head} — check {self.check}: {self.reason}"
        if self.status == HELD:
            gap = ", ".join(str(n) for n in self.missing)
            return f"{head} — waiting for sequence number(s) {gap}"
        if self.status == IMPORTED:
            c = self.counts
            text = (
                f"{head} — written: {c.get('subjects', 0)} subject(s), {c.get('forms', 0)} "
                f"form(s), {c.get('values', 0)} value(s) ({c.get('values_unchanged', 0)} "
                f"unchanged), {c.get('audit', 0)} audit entries, {c.get('queries', 0)} new "
                f"quer(ies), {c.get('conflicts', 0)} conflict(s)"
            )
            if self.superseded:
                text += f"; held bundle(s) {', '.join(map(str, self.superseded))} superseded"
            return text
        return head

    def lines(self) -> list[str]:
        """This bundle's line and those of the held bundles it released."""
        out = [self.line()]
        for r in self.then:
            out.extend(f"  then {line}" for line in r.lines())
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.name,
            "status": self.status,
            "bundle_uuid": self.bundle_uuid,
            "site_id": self.site_id,
            "installation_number": self.installation_number,
            "sequence": self.sequence,
            "full": self.full,
            "check": self.check,
            "reason": self.reason,
            "missing": self.missing,
            "superseded": self.superseded,
            "counts": self.counts,
            "then": [r.to_json() for r in self.then],
        }


def _stream(conn: Connection, installation_id: str) -> Stream | None:
    row = conn.execute(
        select(t.installation).where(t.installation.c.installation_id == installation_id)
    ).first()
    if row is None:
        return None
    return Stream(
        row.installation_id, row.site_id, row.number, row.last_sequence,
        row.last_manifest_sha256, int(row.audit_seq), row.audit_hash,
    )  # fmt: skip


class Importer:
    """Imports bundles into one open center."""

    def __init__(self, center: Center, by: str) -> None:
        self.center = center
        self.by = by

    # -- one file ------------------------------------------------------------------------

    def run(self, data: bytes, name: str) -> ImportReport:
        """Import one bundle file's bytes; never raises BundleRefused (it is reported)."""
        report = ImportReport(name, REFUSED)
        try:
            self._one(data, name, report, held=False)
        except BundleRefused as exc:
            report.status, report.check, report.reason = REFUSED, exc.check, exc.detail
            self._record_refusal(report)
            return report
        if report.status == IMPORTED:
            self._drain(report)
        return report

    def _sender(self, env: Envelope) -> tuple[Stream, bytes]:
        """Check 3: a registered, not revoked installation, as the manifest names it; its
        stream and Ed25519 key."""
        sender = env.manifest["sender"]
        with self.center.read() as conn:
            row = conn.execute(
                select(t.installation).where(
                    t.installation.c.installation_id == sender["installation_id"]
                )
            ).first()
        if row is None:
            raise BundleRefused(
                "sender",
                f"installation {sender['installation_id']} (site {sender['site_id']}, number "
                f"{sender['installation_number']}) is not registered at this center",
                "Register it with 'npc-crf center register-site' (its identity card and the "
                "fingerprint read over the phone), then import again.",
            )
        if row.revoked_at is not None:
            raise BundleRefused(
                "sender", f"installation {row.installation_id} was revoked on {row.revoked_at}"
            )
        if (row.site_id, row.number) != (sender["site_id"], sender["installation_number"]):
            raise BundleRefused(
                "sender",
                f"installation {row.installation_id} is registered as site {row.site_id} number "
                f"{row.number}, but the bundle says site {sender['site_id']} number "
                f"{sender['installation_number']}",
            )
        stream = Stream(
            row.installation_id, row.site_id, row.number, row.last_sequence,
            row.last_manifest_sha256, int(row.audit_seq), row.audit_hash,
        )  # fmt: skip
        return stream, bytes(row.ed25519)

    def _one(self, data: bytes, name: str, report: ImportReport, *, held: bool) -> None:
        center = self.center
        env = read_envelope(data)  # 1, 2
        m = env.manifest
        report.bundle_uuid, report.sequence, report.full = env.bundle_uuid, env.sequence, m["full"]
        if env.kind != "site-data":
            raise BundleRefused(
                "recipient",
                "this is a return bundle for an installation, not a site bundle for the center",
            )
        registered, ed25519 = self._sender(env)  # 3
        report.site_id, report.installation_number = registered.site_id, registered.number
        verify_sender(env, ed25519)  # 4
        check_recipient(env, center.center_id, center.keys.x25519)  # 5
        if m["study"]["oid"] != center.study_oid:  # 6
            raise BundleRefused(
                "study",
                f"the bundle is for study {m['study']['oid']}, this center's is {center.study_oid}",
            )
        info = m["payload"]  # 7 first, so that a known bundle is recognised without decrypting
        if (
            info["bytes"] != len(env.ciphertext)
            or hashlib.sha256(env.ciphertext).hexdigest() != info["sha256"]
        ):
            open_payload(env, center.secrets.x25519_private)  # raises the payload-hash refusal
        if not held:
            with center.read() as conn:
                seen = conn.execute(
                    select(t.inbound).where(t.inbound.c.bundle_uuid == env.bundle_uuid)
                ).first()
            if seen is not None and seen.manifest_sha256 == env.manifest_sha256:
                report.status = ALREADY if seen.status == IMPORTED else f"already {seen.status}"
                report.counts = json.loads(seen.counts)
                return
        payload = open_payload(env, center.secrets.x25519_private)  # 7, 8, 9
        if payload.get("format") == PAYLOAD_FORMAT and payload.get("version") == PAYLOAD_VERSION:
            payload = expand_tables(payload)  # check 10 begins: values and audit are tables
        with center.write(self.by) as (conn, trail):
            stream = _stream(conn, registered.installation_id)
            assert stream is not None
            verdict, problem = self._sequence(conn, env, stream, held)
            if verdict != "apply":
                validate(payload, site_id=stream.site_id, study_oid=center.study_oid,
                         definitions=center.definitions, refs=None, keys=None)  # 10  # fmt: skip
                if problem is not None:
                    raise problem  # 11
                if verdict == "hold":
                    self._hold(conn, trail, env, stream, data, name, report)
                else:
                    self._supersede_late(conn, trail, env, stream, name, report)
                return
            refs = load_refs(conn, payload)
            keys = {r.installation_id: r.ed25519 for r in conn.execute(select(t.installation))}
            checked = validate(payload, site_id=stream.site_id, study_oid=center.study_oid,
                               definitions=center.definitions, refs=refs, keys=keys)  # 10  # fmt: skip
            now = utc_now()
            counts = Applier(conn, stream=stream, checked=checked, bundle_uuid=env.bundle_uuid,
                             by=self.by, at=now, trail=trail).run(m)  # fmt: skip
            self._record_applied(conn, trail, env, stream, name, counts, now, held, report)

    # -- check 11 --------------------------------------------------------------------------

    def _sequence(
        self, conn: Connection, env: Envelope, stream: Stream, held: bool
    ) -> tuple[str, BundleRefused | None]:
        """``apply``, ``hold`` or ``late`` (a bundle a full one covered), and the refusal if any."""
        m, seq = env.manifest, env.sequence
        rows = {
            r.sequence: r
            for r in conn.execute(
                select(t.inbound.c.sequence, t.inbound.c.bundle_uuid, t.inbound.c.manifest_sha256,
                       t.inbound.c.status, t.inbound.c.full)
                .where(t.inbound.c.installation_id == stream.installation_id)
            )
        }  # fmt: skip
        same_uuid = next((r for r in rows.values() if r.bundle_uuid == env.bundle_uuid), None)
        if (
            same_uuid is not None
            and not (held and same_uuid.status == HELD)
            and (same_uuid.manifest_sha256 != env.manifest_sha256 or same_uuid.sequence != seq)
        ):
            return "refuse", BundleRefused(
                "sequence",
                f"bundle {env.bundle_uuid} was already received with another manifest (sequence "
                f"{same_uuid.sequence}); this one is a forgery or a fork of the stream",
            )
        taken = rows.get(seq)
        if taken is not None and taken.bundle_uuid != env.bundle_uuid:
            return "refuse", BundleRefused(
                "sequence",
                f"sequence {seq} of installation {stream.number} was already used by bundle "
                f"{taken.bundle_uuid} ({taken.status}); this bundle is a replay or a fork of the stream",
            )
        last = stream.last_sequence
        if seq <= last:
            if taken is None and any(
                r.full and r.status == IMPORTED and r.sequence > seq for r in rows.values()
            ):
                return "late", None
            return "refuse", BundleRefused(
                "sequence", f"sequence {seq} is not after the last applied bundle of installation "
                            f"{stream.number} ({last}); it is a replay"
            )  # fmt: skip
        expected_previous = None
        if seq == last + 1:
            expected_previous = stream.last_manifest_sha256 or GENESIS
        elif seq - 1 in rows:
            expected_previous = rows[seq - 1].manifest_sha256
        if expected_previous is not None and m["previous_sha256"] != expected_previous:
            return "refuse", BundleRefused(
                "sequence",
                f"previous_sha256 does not name the bundle at sequence {seq - 1} of installation "
                f"{stream.number}; the stream was forked or a bundle was replaced",
            )
        if seq == last + 1 or m["full"]:
            return "apply", None
        return "hold", None

    # -- outcomes ----------------------------------------------------------------------------

    def _inbound_row(
        self, env: Envelope, stream: Stream, name: str, status: str, now: str
    ) -> dict[str, Any]:
        m = env.manifest
        return {
            "bundle_uuid": env.bundle_uuid,
            "installation_id": stream.installation_id,
            "sequence": env.sequence,
            "manifest_sha256": env.manifest_sha256,
            "previous_sha256": m["previous_sha256"],
            "full": m["full"],
            "status": status,
            "received_at": now,
            "applied_at": now if status == IMPORTED else None,
            "file_name": name,
            "manifest": env.manifest_bytes.decode("utf-8"),
            "counts": json.dumps(m["counts"], sort_keys=True),
            "data": None,
        }

    def _detail(self, env: Envelope, stream: Stream, name: str, **more: Any) -> dict[str, Any]:
        return {
            "bundle": env.bundle_uuid,
            "file": name,
            "site": stream.site_id,
            "installation": stream.installation_id,
            "number": stream.number,
            "sequence": env.sequence,
            "full": env.manifest["full"],
            **more,
        }

    def _hold(
        self, conn: Connection, trail: CenterTrail, env: Envelope, stream: Stream,
        data: bytes, name: str, report: ImportReport,
    ) -> None:  # fmt: skip
        row = self._inbound_row(env, stream, name, HELD, utc_now())
        row["data"] = data
        conn.execute(insert(t.inbound), row)
        held = set(
            conn.execute(
                select(t.inbound.c.sequence).where(
                    t.inbound.c.installation_id == stream.installation_id,
                    t.inbound.c.status == HELD,
                )
            ).scalars()
        )
        report.missing = [n for n in range(stream.last_sequence + 1, env.sequence) if n not in held]
        report.status = HELD
        trail.append("bundle_held", detail=self._detail(env, stream, name, missing=report.missing),
                     source="center import")  # fmt: skip

    def _supersede_late(
        self, conn: Connection, trail: CenterTrail, env: Envelope, stream: Stream,
        name: str, report: ImportReport,
    ) -> None:  # fmt: skip
        conn.execute(insert(t.inbound), self._inbound_row(env, stream, name, SUPERSEDED, utc_now()))
        report.status = SUPERSEDED
        trail.append("bundle_superseded", detail=self._detail(env, stream, name, late=True),
                     source="center import")  # fmt: skip

    def _record_applied(
        self, conn: Connection, trail: CenterTrail, env: Envelope, stream: Stream, name: str,
        counts: ApplyCounts, now: str, held: bool, report: ImportReport,
    ) -> None:  # fmt: skip
        m = env.manifest
        row = self._inbound_row(env, stream, name, IMPORTED, now)
        if held:
            conn.execute(
                update(t.inbound)
                .where(t.inbound.c.bundle_uuid == env.bundle_uuid)
                .values(status=IMPORTED, applied_at=now, data=None)
            )
        else:
            conn.execute(insert(t.inbound), row)
        conn.execute(
            update(t.installation)
            .where(t.installation.c.installation_id == stream.installation_id)
            .values(
                last_sequence=env.sequence,
                last_manifest_sha256=env.manifest_sha256,
                audit_seq=m["audit_head"]["seq"],
                audit_hash=m["audit_head"]["hash"],
            )
        )
        superseded: list[int] = []
        if m["full"]:
            superseded = sorted(
                conn.execute(
                    select(t.inbound.c.sequence).where(
                        t.inbound.c.installation_id == stream.installation_id,
                        t.inbound.c.status == HELD,
                        t.inbound.c.sequence < env.sequence,
                    )
                ).scalars()
            )
            if superseded:
                conn.execute(
                    update(t.inbound)
                    .where(
                        t.inbound.c.installation_id == stream.installation_id,
                        t.inbound.c.status == HELD,
                        t.inbound.c.sequence < env.sequence,
                    )
                    .values(status=SUPERSEDED, data=None)
                )
        report.status = IMPORTED
        report.counts = counts.to_json()
        report.superseded = superseded
        trail.append(
            "bundle_imported",
            detail=self._detail(env, stream, name, counts=report.counts, superseded=superseded,
                                was_held=held),
            source="center import",
        )  # fmt: skip

    def _record_refusal(self, report: ImportReport, drop_held: bool = False) -> None:
        """The refusal in the center's trail, in a transaction of its own (a held bundle
        that is refused when its turn comes is dropped in the same transaction)."""
        with self.center.write(self.by) as (conn, trail):
            if drop_held:
                conn.execute(delete(t.inbound).where(t.inbound.c.bundle_uuid == report.bundle_uuid))
            trail.append(
                "bundle_refused",
                reason=report.reason,
                detail={
                    "file": report.name,
                    "check": report.check,
                    "bundle": report.bundle_uuid,
                    "site": report.site_id,
                    "number": report.installation_number,
                    "sequence": report.sequence,
                },
                source="center import",
            )

    # -- held bundles that now follow -----------------------------------------------------

    def _drain(self, report: ImportReport) -> None:
        """Apply held bundles of this installation that now follow, in order."""
        assert report.bundle_uuid is not None
        while True:
            with self.center.read() as conn:
                owner = conn.execute(
                    select(t.inbound.c.installation_id).where(
                        t.inbound.c.bundle_uuid == report.bundle_uuid
                    )
                ).scalar_one()
                last = conn.execute(
                    select(t.installation.c.last_sequence).where(
                        t.installation.c.installation_id == owner
                    )
                ).scalar_one()
                nxt = conn.execute(
                    select(t.inbound.c.bundle_uuid, t.inbound.c.file_name, t.inbound.c.data).where(
                        t.inbound.c.installation_id == owner,
                        t.inbound.c.status == HELD,
                        t.inbound.c.sequence == last + 1,
                    )
                ).first()
            if nxt is None:
                return
            sub = ImportReport(nxt.file_name, REFUSED)
            try:
                self._one(bytes(nxt.data), nxt.file_name, sub, held=True)
            except BundleRefused as exc:
                sub.status, sub.check, sub.reason = REFUSED, exc.check, exc.detail
                sub.bundle_uuid = nxt.bundle_uuid
                self._record_refusal(sub, drop_held=True)
                report.then.append(sub)
                return
            report.then.append(sub)
