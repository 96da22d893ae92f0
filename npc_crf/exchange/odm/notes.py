"""Annotations, signatures and audit records as ODM markup (docs/odm.md).

* An ``Annotation`` holds at most one ``Comment`` and any number of ``Flag``s; the
  flags take their values and types from our ``CL.NPC.*`` code lists.
* A query becomes one Annotation (ID ``QRY.<uid>``): a Comment (``Sponsor`` when it
  came from the coordinating center, else ``Site``) with the kind, status, assignment
  and the last message, and a ``QUERY`` flag with its status.
* An audit entry becomes an ``AuditRecord`` (EditPoint ``DBAudit``) whose SourceID
  names the installation, the sequence number, the action and the record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from npc_crf.exchange.odm import npc_lists, oids
from npc_crf.exchange.odm.xmltext import Lines, attribute, text

Record = Mapping[str, Any]
Flag = tuple[str, str, str]  # (value, value code list, flag type)


class Seq:
    """Annotation sequence numbers (``SeqNum``) within one parent element."""

    def __init__(self) -> None:
        self.n = 0

    def next(self) -> str:
        """The next number, as text."""
        self.n += 1
        return str(self.n)


def annotation(
    out: Lines,
    level: int,
    seq_num: str,
    comment: str | None,
    flags: Sequence[Flag] = (),
    *,
    note_id: str | None = None,
    side: str = "Site",
) -> None:
    """An ``Annotation`` with an optional Comment and the flags."""
    attrib = {"SeqNum": seq_num}
    if note_id:
        attrib["ID"] = note_id
    out.open(level, "Annotation", attrib)
    if comment:
        out.leaf(level + 1, "Comment", {"SponsorOrSite": side}, comment)
    for value, value_list, flag_type in flags:
        out.open(level + 1, "Flag")
        out.leaf(level + 2, "FlagValue", {"CodeListOID": value_list}, value)
        out.leaf(level + 2, "FlagType", {"CodeListOID": oids.CL_FLAG_TYPE}, flag_type)
        out.close(level + 1, "Flag")
    out.close(level, "Annotation")


def query_note(out: Lines, level: int, seq: Seq, query: Record, about: str) -> None:
    """The Annotation of one query."""
    messages = query.get("messages") or []
    last = messages[-1] if messages else {}
    assigned = f", assigned to {query['assigned_role']}" if query.get("assigned_role") else ""
    target = query.get("item_path") or about
    comment = (
        f"Query {query['uid']} ({query['kind']}, {query['status']}{assigned}) about {target}: "
        f"{last.get('text', '')} — {last.get('full_name', '')} ({last.get('username', '')}), "
        f"{last.get('at_utc', '')}"
    )
    annotation(
        out,
        level,
        seq.next(),
        comment,
        [(str(query["status"]), oids.CL_QUERY_STATUS, npc_lists.QUERY)],
        note_id=oids.query_annotation(query["uid"]),
        side="Sponsor" if query.get("origin") == "center" else "Site",
    )


def signature_text(sig: Record) -> str:
    """Who signed what and when, for annotations about signatures."""
    return (
        f"{sig.get('full_name')} ({sig['username']}) on {sig['signed_at']}, "
        f"meaning {sig['meaning']}, scope {sig.get('scope') or 'form'}, signature {sig['uid']}"
    )


def signature(out: Lines, level: int, location: str, sig: Record) -> None:
    """The ``Signature`` of a form (its newest valid signature)."""
    out.open(level, "Signature", {"ID": oids.signature(sig["uid"])})
    inner = level + 1
    out.leaf(inner, "UserRef", {"UserOID": oids.user(sig["username"])}, None)
    out.leaf(inner, "LocationRef", {"LocationOID": location}, None)
    out.leaf(inner, "SignatureRef", {"SignatureOID": oids.signature_def(sig["meaning"])}, None)
    out.leaf(inner, "DateTimeStamp", {}, sig["signed_at"])
    manifest = (
        f"npc-crf/signature@1 scope={sig.get('scope') or 'form'} batch={sig.get('batch_uid')} "
        f"revision={sig.get('form_revision')} content_hash={sig.get('content_hash')} "
        f"installation={sig.get('installation_id')} ed25519={sig.get('ed25519')}"
    )
    out.leaf(inner, "CryptoBindingManifest", {}, manifest)
    out.close(level, "Signature")


def entry_where(entry: Record) -> str:
    """``SUBJECT/EVENT[n]/FORM/ITEM_PATH`` of an audit entry (as far as it goes)."""
    where = str(entry.get("subject_id") or "")
    if entry.get("event_oid"):
        where += f"/{entry['event_oid']}[{entry.get('occurrence') or 1}]"
        if entry.get("form_oid"):
            where += f"/{entry['form_oid']}"
            if entry.get("item_path"):
                where += f"/{entry['item_path']}"
    return where


def audit_record(out: Lines, level: int, record_id: str, location: str, entry: Record) -> None:
    """The ``AuditRecord`` of one audit entry (one template: there are many of them)."""
    pad, inner = "\n" + "  " * level, "\n" + "  " * (level + 1)
    reason = entry.get("reason")
    why = f"{inner}<ReasonForChange>{text(str(reason))}</ReasonForChange>" if reason else ""
    source = f"{entry['installation_id']}#{entry['seq']} {entry['action']} {entry_where(entry)}"
    out.parts.append(
        f'{pad}<AuditRecord EditPoint="DBAudit" ID="{attribute(record_id)}">'
        f'{inner}<UserRef UserOID="{attribute(oids.user(entry["username"]))}"/>'
        f'{inner}<LocationRef LocationOID="{attribute(location)}"/>'
        f"{inner}<DateTimeStamp>{text(str(entry['at_utc']))}</DateTimeStamp>{why}"
        f"{inner}<SourceID>{text(source)}</SourceID>{pad}</AuditRecord>"
    )
