"""Reading and verifying the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select

from npc_crf.audit.chain import ChainReport, verify
from npc_crf.auth.roles import Permission
from npc_crf.services.monitoring.signature_check import SignatureReport, verify_signatures
from npc_crf.services.workspace import Workspace
from npc_crf.store.models import audit_entry
from npc_crf.store.values import display


@dataclass(frozen=True)
class AuditEntry:
    """One entry as people read it."""

    seq: int
    at_utc: str
    local_offset: str
    username: str
    role: str
    action: str
    subject_id: str | None
    event_oid: str | None
    occurrence: int | None
    form_oid: str | None
    item_path: str | None
    old: str
    new: str
    reason: str | None
    source: str | None
    form_version: str | None
    installation_id: str
    app_version: str

    @property
    def entity(self) -> str:
        """``S01-01-0001/CYCLE[2]/EX/EXDOSE`` (as much as the entry concerns)."""
        parts = [p for p in (self.subject_id,) if p]
        if self.event_oid:
            parts.append(self.event_oid + (f"[{self.occurrence}]" if self.occurrence else ""))
        parts += [p for p in (self.form_oid, self.item_path) if p]
        return "/".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__} | {"entity": self.entity}


class AuditService:
    """The trail, filtered, and its verification."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def verify(self) -> ChainReport:
        """Check every link of the chain (audited as a check being run)."""
        self.ws.require(Permission.VIEW_AUDIT, "verify the audit trail")
        with self.ws.read() as conn:
            report = verify(conn)
        return report

    def verify_signatures(self) -> SignatureReport:
        """Check every valid electronic signature against its record, its Ed25519
        signature and its ``form_signed`` entry (``npc-crf audit verify`` runs both)."""
        self.ws.require(Permission.VIEW_AUDIT, "verify the audit trail")
        with self.ws.read() as conn:
            return verify_signatures(conn, self.ws.study.forms)

    def history(
        self,
        *,
        subject_id: str | None = None,
        event_oid: str | None = None,
        occurrence: int | None = None,
        form_oid: str | None = None,
        item_path: str | None = None,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """Entries about a subject, one of its forms, or one item, oldest first."""
        self.ws.require(Permission.VIEW_AUDIT, "read the audit trail")
        conds = []
        for column, value in (
            (audit_entry.c.subject_id, subject_id),
            (audit_entry.c.event_oid, event_oid),
            (audit_entry.c.occurrence, occurrence),
            (audit_entry.c.form_oid, form_oid),
        ):
            if value is not None:
                conds.append(column == value)
        if item_path is not None:
            conds.append(audit_entry.c.item_path == item_path)
        query = select(audit_entry).order_by(audit_entry.c.seq)
        if conds:
            query = query.where(and_(*conds))
        if limit is not None:
            query = query.limit(limit)
        with self.ws.read() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            AuditEntry(
                seq=r["seq"],
                at_utc=r["at_utc"],
                local_offset=r["local_offset"],
                username=r["username"],
                role=r["role"],
                action=r["action"],
                subject_id=r["subject_id"],
                event_oid=r["event_oid"],
                occurrence=r["occurrence"],
                form_oid=r["form_oid"],
                item_path=r["item_path"],
                old=display(r["old_value"]),
                new=display(r["new_value"]),
                reason=r["reason"],
                source=r["source"],
                form_version=r["form_version"],
                installation_id=r["installation_id"],
                app_version=r["app_version"],
            )
            for r in rows
        ]
