"""The database schema (SQLAlchemy Core tables).

Migrations in ``npc_crf/store/migrations/versions`` create and change these
tables; a test checks that the newest migration gives exactly this schema.
Every row that leaves the installation in a bundle has a ``uid`` (UUID) so that
the coordinating center can merge sites without ID clashes.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    text,
)

SCHEMA_VERSION = "0003"  # the newest migration's revision

metadata = MetaData()

site = Table(
    "site",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1
    Column("site_id", Text, nullable=False),
    Column("study_oid", Text, nullable=False),
    Column("study_version", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)

setting = Table(
    "setting",
    metadata,
    Column("name", Text, primary_key=True),
    Column("value", Text, nullable=False),  # JSON
    Column("changed_at", Text, nullable=False),
    Column("changed_by", Text, nullable=False),
)

installation = Table(
    "installation",
    metadata,
    Column("installation_id", Text, primary_key=True),
    Column("number", Integer, nullable=False, unique=True),
    Column("is_local", Boolean, nullable=False),
    Column("public_key", LargeBinary, nullable=False),  # Ed25519, raw 32 bytes
    Column("private_key", LargeBinary),  # only for the local installation
    Column("created_at", Text, nullable=False),
    # schema 0003: X25519 key that return bundles are encrypted to (docs/bundle-format.md §1)
    Column("x25519_public", LargeBinary),
    Column("x25519_private", LargeBinary),  # only for the local installation
)

account = Table(
    "account",
    metadata,
    Column("username", Text, primary_key=True),
    Column("full_name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("must_change_password", Boolean, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("password_changed_at", Text, nullable=False),
)

counter = Table(
    "counter",
    metadata,
    Column("name", Text, primary_key=True),
    Column("value", Integer, nullable=False),
)

subject = Table(
    "subject",
    metadata,
    Column("subject_id", Text, primary_key=True),
    Column("study_oid", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("status_reason", Text),
    Column("status_date", Text),
    Column("installation_id", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("created_by", Text, nullable=False),
)

event_instance = Table(
    "event_instance",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", Text, nullable=False, unique=True),
    Column("subject_id", Text, ForeignKey("subject.subject_id"), nullable=False),
    Column("event_oid", Text, nullable=False),
    Column("occurrence", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    UniqueConstraint("subject_id", "event_oid", "occurrence"),
)

form_instance = Table(
    "form_instance",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", Text, nullable=False, unique=True),
    Column("event_instance_id", Integer, ForeignKey("event_instance.id"), nullable=False),
    Column("form_oid", Text, nullable=False),
    Column("form_version", Text, nullable=False),
    Column("definition_hash", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("updated_by", Text, nullable=False),
    UniqueConstraint("event_instance_id", "form_oid"),
)

group_row = Table(
    "group_row",
    metadata,
    Column("uid", Text, primary_key=True),
    Column("form_instance_id", Integer, ForeignKey("form_instance.id"), nullable=False),
    Column("group_oid", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("created_at", Text, nullable=False),
    Index("ix_group_row_form", "form_instance_id"),
)

item_value = Table(
    "item_value",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("form_instance_id", Integer, ForeignKey("form_instance.id"), nullable=False),
    Column("row_uid", Text, nullable=False),  # '' outside repeating groups
    Column("item_oid", Text, nullable=False),
    Column("kind", Text),  # see npc_crf.store.values; NULL when empty or missing
    Column("value", Text),
    Column("missing_code", Text),
    Column("override_reason", Text),
    Column("version", Integer, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("updated_by", Text, nullable=False),
    # schema 0003: the version last put in a bundle; version > synced_version means unsent
    Column("synced_version", Integer, nullable=False, server_default=text("0")),
    UniqueConstraint("form_instance_id", "row_uid", "item_oid"),
    Index(
        "ix_item_value_unsent",
        "form_instance_id",
        sqlite_where=text("version > synced_version"),
    ),
)

signature = Table(
    "signature",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", Text, nullable=False, unique=True),
    Column("form_instance_id", Integer, ForeignKey("form_instance.id"), nullable=False),
    Column("username", Text, nullable=False),
    Column("full_name", Text, nullable=False),
    Column("meaning", Text, nullable=False),
    Column("signed_at", Text, nullable=False),
    Column("form_revision", Integer, nullable=False),
    Column("content_hash", Text, nullable=False),
    Column("voided_at", Text),
    Column("void_reason", Text),
    # schema 0002: what was signed (form, event or casebook: one row per form, one batch),
    # and the installation's Ed25519 signature over the signed content (docs/store.md)
    Column("scope", Text),  # "form", "event", "casebook"; NULL before 0002 = "form"
    Column("batch_uid", Text),  # the rows of one signing act share it
    Column("installation_id", Text),
    Column("ed25519", LargeBinary),  # 64 bytes over signed_payload()
    Index("ix_signature_form", "form_instance_id"),
)

# -- monitoring (schema 0002) ---------------------------------------------------------------

query = Table(
    "query",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", Text, nullable=False, unique=True),
    Column("subject_id", Text, ForeignKey("subject.subject_id"), nullable=False),
    Column("event_oid", Text),  # NULL: about the subject
    Column("occurrence", Integer),
    Column("form_oid", Text),  # NULL: about the event
    Column("item_path", Text),  # NULL: about the form; "TL[2].TLDIAM" inside a group
    Column("row_uid", Text),  # the group row, when the item is in one
    Column("kind", Text, nullable=False),  # failed_check, manual, reason_for_change, annotation
    Column(
        "status", Text, nullable=False
    ),  # new, updated, resolution_proposed, closed, not_applicable
    Column("assigned_role", Text),  # CRC, INV, MON; NULL: nobody in particular
    Column("origin", Text, nullable=False),  # the installation ID that raised it, or "center"
    Column("created_at", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("updated_by", Text, nullable=False),
    Index("ix_query_subject", "subject_id"),
)

query_message = Table(
    "query_message",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", Text, nullable=False, unique=True),
    Column("query_id", Integer, ForeignKey("query.id"), nullable=False),
    Column("position", Integer, nullable=False),  # 1 = the text that raised the query
    Column("at_utc", Text, nullable=False),
    Column("username", Text, nullable=False),
    Column("full_name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("status", Text, nullable=False),  # the query's status after this message
    Column("origin", Text, nullable=False),
    UniqueConstraint("query_id", "position"),
)

sdv_mark = Table(
    "sdv_mark",
    metadata,
    Column("form_instance_id", Integer, ForeignKey("form_instance.id"), nullable=False),
    Column("row_uid", Text, nullable=False),  # '' outside repeating groups
    Column("item_oid", Text, nullable=False),
    Column("value_version", Integer, nullable=False),  # item_value.version that was verified
    Column("verified_at", Text, nullable=False),
    Column("verified_by", Text, nullable=False),
    PrimaryKeyConstraint("form_instance_id", "row_uid", "item_oid"),
)

hold = Table(
    "hold",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", Text, nullable=False, unique=True),
    Column("scope", Text, nullable=False),  # site, subject, form
    Column("subject_id", Text),  # subject and form scope
    Column("form_instance_id", Integer, ForeignKey("form_instance.id")),  # form scope
    Column("level", Text, nullable=False),  # frozen (no data changes) or locked (nothing)
    Column("set_at", Text, nullable=False),
    Column("set_by", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("released_at", Text),
    Column("released_by", Text),
    Column("release_reason", Text),
)

audit_entry = Table(
    "audit_entry",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at_utc", Text, nullable=False),
    Column("local_offset", Text, nullable=False),
    Column("installation_id", Text, nullable=False),
    Column("username", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("subject_id", Text),
    Column("event_oid", Text),
    Column("occurrence", Integer),
    Column("form_oid", Text),
    Column("item_path", Text),
    Column("row_uid", Text),
    Column("old_value", Text),  # JSON, see npc_crf.store.values.audit_json
    Column("new_value", Text),
    Column("reason", Text),
    Column("form_version", Text),
    Column("app_version", Text, nullable=False),
    Column("source", Text),
    Column("prev_hash", Text, nullable=False),
    Column("hash", Text, nullable=False),
    Index("ix_audit_subject", "subject_id"),
)


# -- sync (schema 0003, docs/bundle-format.md) ----------------------------------------------

sync_center = Table(
    "sync_center",
    metadata,
    Column("center_id", Text, primary_key=True),
    Column("study_oid", Text, nullable=False),
    Column("ed25519", LargeBinary, nullable=False),
    Column("x25519", LargeBinary, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("trusted_at", Text, nullable=False),
    Column("trusted_by", Text, nullable=False),
    Column("active", Boolean, nullable=False),  # one active center; a replaced one stays, inactive
)

outbound_bundle = Table(
    "outbound_bundle",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", Text, nullable=False, unique=True),  # the bundle UUID
    Column("center_id", Text, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("manifest_sha256", Text, nullable=False),
    Column("previous_sha256", Text, nullable=False),
    Column("full", Boolean, nullable=False),
    Column("audit_from", Integer, nullable=False),
    Column("audit_to", Integer, nullable=False),
    Column("query_from", Integer, nullable=False),
    Column("query_to", Integer, nullable=False),
    Column("counts", Text, nullable=False),  # JSON, the manifest's counts
    Column("bytes", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("status", Text, nullable=False),  # created, sent, held, acknowledged
    Column("sent_at", Text),
    Column("sent_to", Text),  # folder or URL of the last send
    Column("acked_at", Text),
    UniqueConstraint("center_id", "sequence"),
)

inbound_return = Table(
    "inbound_return",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", Text, nullable=False, unique=True),  # the return bundle UUID
    Column("center_id", Text, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("manifest_sha256", Text, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("counts", Text, nullable=False),  # JSON: what applying it changed
    Column("applied_at", Text, nullable=False),
    Column("applied_by", Text, nullable=False),
    UniqueConstraint("center_id", "sequence"),
)

study_definition = Table(
    "study_definition",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("study_oid", Text, nullable=False),
    Column("version", Text, nullable=False),
    Column("definition_sha256", Text, nullable=False),
    Column("files", Text, nullable=False),  # JSON {relative path: text}, as signed by the center
    Column("received_at", Text, nullable=False),
    Column("received_from", Text, nullable=False),  # return bundle UUID
    Column("status", Text, nullable=False),  # received, active, refused
    Column("note", Text),
    UniqueConstraint("study_oid", "version"),
)
