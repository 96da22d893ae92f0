"""The center store's tables (SQLAlchemy Core; SQLite/SQLCipher and PostgreSQL alike).

Only portable types: ``Text``, ``Integer``, ``BigInteger``, ``Boolean`` and
``LargeBinary``; no SQL of one dialect. Clinical rows are keyed by the uids the
sites give them (docs/bundle-format.md §3), so several sites merge without ID
clashes; each row also names its ``site_id``. ``center_meta`` holds one row
with the schema version: a store written by a newer npc-crf is refused.
docs/center.md describes every table.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    select,
)

from npc_crf.core.errors import StoreError

SCHEMA_VERSION = 1

metadata = MetaData()

center_meta = Table(
    "center_meta",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("schema_version", Integer, nullable=False),
    Column("center_id", Text, nullable=False),
    Column("study_oid", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)

# -- sites and their installations ----------------------------------------------------------

installation = Table(
    "center_installation",
    metadata,
    Column("installation_id", Text, primary_key=True),
    Column("site_id", Text, nullable=False),
    Column("number", Integer, nullable=False),
    Column("ed25519", LargeBinary, nullable=False),
    Column("x25519", LargeBinary, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("card", Text, nullable=False),  # the identity card as registered (JSON)
    Column("registered_at", Text, nullable=False),
    Column("registered_by", Text, nullable=False),
    Column("revoked_at", Text),
    # the stream of site bundles (§4)
    Column("last_sequence", Integer, nullable=False),
    Column("last_manifest_sha256", Text),  # NULL before the first bundle
    Column("audit_seq", BigInteger, nullable=False),
    Column("audit_hash", Text, nullable=False),
    # the stream of return bundles (§5)
    Column("return_sequence", Integer, nullable=False),
    Column("return_manifest_sha256", Text),
    UniqueConstraint("site_id", "number"),
)

#: the installations of a site as its own bundles list them (for names and keys in exports)
site_installation = Table(
    "site_installation",
    metadata,
    Column("site_id", Text, nullable=False),
    Column("installation_id", Text, nullable=False),
    Column("number", Integer, nullable=False),
    Column("ed25519", LargeBinary, nullable=False),
    Column("x25519", LargeBinary),
    PrimaryKeyConstraint("site_id", "installation_id"),
)

inbound = Table(
    "inbound_bundle",
    metadata,
    Column("bundle_uuid", Text, primary_key=True),
    Column("installation_id", Text, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("manifest_sha256", Text, nullable=False),
    Column("previous_sha256", Text, nullable=False),
    Column("full", Boolean, nullable=False),
    Column("status", Text, nullable=False),  # imported, held, superseded
    Column("received_at", Text, nullable=False),
    Column("applied_at", Text),
    Column("file_name", Text, nullable=False),
    Column("manifest", Text, nullable=False),  # canonical JSON (no clinical data)
    Column("counts", Text, nullable=False),  # JSON: the manifest's counts
    Column("data", LargeBinary),  # a held bundle's bytes, as received (encrypted)
    UniqueConstraint("installation_id", "sequence"),
)

return_bundle = Table(
    "return_bundle",
    metadata,
    Column("installation_id", Text, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("bundle_uuid", Text, nullable=False, unique=True),
    Column("manifest_sha256", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("counts", Text, nullable=False),
    PrimaryKeyConstraint("installation_id", "sequence"),
)

definition = Table(
    "study_definition",
    metadata,
    Column("version", Text, primary_key=True),
    Column("study_oid", Text, nullable=False),
    Column("definition_sha256", Text, nullable=False),
    Column("files", Text, nullable=False),  # JSON {relative path: text}
    Column("published_at", Text, nullable=False),
    Column("published_by", Text, nullable=False),
)

# -- clinical data (docs/bundle-format.md §3) ------------------------------------------------

account = Table(
    "site_account",
    metadata,
    Column("site_id", Text, nullable=False),
    Column("username", Text, nullable=False),
    Column("full_name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    PrimaryKeyConstraint("site_id", "username"),
)

subject = Table(
    "subject",
    metadata,
    Column("subject_id", Text, primary_key=True),
    Column("site_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("status_reason", Text),
    Column("status_date", Text),
    Column("installation_id", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Index("ix_subject_site", "site_id"),
)

event = Table(
    "event_instance",
    metadata,
    Column("uid", Text, primary_key=True),
    Column("site_id", Text, nullable=False),
    Column("subject_id", Text, nullable=False),
    Column("event_oid", Text, nullable=False),
    Column("occurrence", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    UniqueConstraint("subject_id", "event_oid", "occurrence"),
    Index("ix_event_site", "site_id"),
)

form = Table(
    "form_instance",
    metadata,
    Column("uid", Text, primary_key=True),
    Column("site_id", Text, nullable=False),
    Column("event_uid", Text, nullable=False),
    Column("form_oid", Text, nullable=False),
    Column("form_version", Text, nullable=False),
    Column("definition_hash", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("updated_by", Text, nullable=False),
    UniqueConstraint("event_uid", "form_oid"),
    Index("ix_form_site", "site_id"),
)

group_row = Table(
    "group_row",
    metadata,
    Column("uid", Text, primary_key=True),
    Column("site_id", Text, nullable=False),
    Column("form_uid", Text, nullable=False),
    Column("group_oid", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("created_at", Text, nullable=False),
    Index("ix_row_form", "form_uid"),
)

_VALUE_COLUMNS = (
    ("kind", Text),
    ("value", Text),
    ("missing_code", Text),
    ("override_reason", Text),
)

item_value = Table(
    "item_value",
    metadata,
    Column("form_uid", Text, nullable=False),
    Column("row_uid", Text, nullable=False),  # '' outside repeating groups
    Column("item_oid", Text, nullable=False),
    Column("site_id", Text, nullable=False),
    *(Column(name, kind) for name, kind in _VALUE_COLUMNS),
    Column("version", Integer, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("updated_by", Text, nullable=False),
    Column("installation_id", Text, nullable=False),  # the installation that sent this version
    PrimaryKeyConstraint("form_uid", "row_uid", "item_oid"),
    Index("ix_value_site", "site_id"),
)

#: every value a newer one replaced at the center (nothing is overwritten without a trace)
value_history = Table(
    "value_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("form_uid", Text, nullable=False),
    Column("row_uid", Text, nullable=False),
    Column("item_oid", Text, nullable=False),
    Column("site_id", Text, nullable=False),
    *(Column(name, kind) for name, kind in _VALUE_COLUMNS),
    Column("version", Integer, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("updated_by", Text, nullable=False),
    Column("installation_id", Text, nullable=False),
    Column("replaced_at", Text, nullable=False),
    Column("replaced_by_bundle", Text, nullable=False),
    Index("ix_history_key", "form_uid", "row_uid", "item_oid"),
)

conflict = Table(
    "value_conflict",
    metadata,
    Column("uid", Text, primary_key=True),
    Column("site_id", Text, nullable=False),
    Column("form_uid", Text, nullable=False),
    Column("row_uid", Text, nullable=False),
    Column("item_oid", Text, nullable=False),
    Column("base_version", Integer, nullable=False),
    # the value the center kept
    Column("current_installation_id", Text, nullable=False),
    Column("current_version", Integer, nullable=False),
    Column("current_kind", Text),
    Column("current_value", Text),
    Column("current_missing_code", Text),
    Column("current_updated_at", Text, nullable=False),
    Column("current_updated_by", Text, nullable=False),
    # the value that arrived beside it
    Column("incoming_installation_id", Text, nullable=False),
    Column("incoming_version", Integer, nullable=False),
    Column("incoming_kind", Text),
    Column("incoming_value", Text),
    Column("incoming_missing_code", Text),
    Column("incoming_override_reason", Text),
    Column("incoming_updated_at", Text, nullable=False),
    Column("incoming_updated_by", Text, nullable=False),
    Column("bundle_uuid", Text, nullable=False),
    Column("query_uid", Text, nullable=False),
    Column("detected_at", Text, nullable=False),
    UniqueConstraint(
        "form_uid", "row_uid", "item_oid", "incoming_installation_id", "incoming_version"
    ),
    Index("ix_conflict_site", "site_id"),
)

signature = Table(
    "signature",
    metadata,
    Column("uid", Text, primary_key=True),
    Column("site_id", Text, nullable=False),
    Column("form_uid", Text, nullable=False),
    Column("username", Text, nullable=False),
    Column("full_name", Text, nullable=False),
    Column("meaning", Text, nullable=False),
    Column("signed_at", Text, nullable=False),
    Column("form_revision", Integer, nullable=False),
    Column("content_hash", Text, nullable=False),
    Column("voided_at", Text),
    Column("void_reason", Text),
    Column("scope", Text),
    Column("batch_uid", Text),
    Column("installation_id", Text),
    Column("ed25519", LargeBinary),
    Index("ix_signature_form", "form_uid"),
)

sdv_mark = Table(
    "sdv_mark",
    metadata,
    Column("form_uid", Text, nullable=False),
    Column("row_uid", Text, nullable=False),
    Column("item_oid", Text, nullable=False),
    Column("site_id", Text, nullable=False),
    Column("value_version", Integer, nullable=False),
    Column("verified_at", Text, nullable=False),
    Column("verified_by", Text, nullable=False),
    PrimaryKeyConstraint("form_uid", "row_uid", "item_oid"),
)

hold = Table(
    "hold",
    metadata,
    Column("uid", Text, primary_key=True),
    Column("site_id", Text, nullable=False),
    Column("scope", Text, nullable=False),
    Column("subject_id", Text),
    Column("form_uid", Text),
    Column("level", Text, nullable=False),
    Column("set_at", Text, nullable=False),
    Column("set_by", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("released_at", Text),
    Column("released_by", Text),
    Column("release_reason", Text),
)

query = Table(
    "query",
    metadata,
    Column("uid", Text, primary_key=True),
    Column("site_id", Text, nullable=False),
    Column("subject_id", Text, nullable=False),
    Column("event_oid", Text),
    Column("occurrence", Integer),
    Column("form_oid", Text),
    Column("item_path", Text),
    Column("row_uid", Text),
    Column("kind", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("assigned_role", Text),
    Column("origin", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("updated_by", Text, nullable=False),
    Index("ix_query_site", "site_id"),
)

query_message = Table(
    "query_message",
    metadata,
    Column("uid", Text, primary_key=True),
    Column("query_uid", Text, nullable=False),
    Column("position", Integer, nullable=False),  # in the order messages arrived here
    Column("at_utc", Text, nullable=False),
    Column("username", Text, nullable=False),
    Column("full_name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("origin", Text, nullable=False),
    UniqueConstraint("query_uid", "position"),
)


def _audit_columns() -> list[Column[object]]:
    """The columns of an audit entry after ``seq`` (docs/store.md "Audit trail")."""
    return [
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
        Column("old_value", Text),
        Column("new_value", Text),
        Column("reason", Text),
        Column("form_version", Text),
        Column("app_version", Text, nullable=False),
        Column("source", Text),
        Column("prev_hash", Text, nullable=False),
        Column("hash", Text, nullable=False),
    ]


#: every installation's audit trail as its bundles carried it (one chain per installation)
site_audit = Table(
    "site_audit",
    metadata,
    Column("trail", Text, nullable=False),  # the installation whose chain this is
    Column("seq", BigInteger, nullable=False),
    *_audit_columns(),
    PrimaryKeyConstraint("trail", "seq"),
)

#: the center's own hash-chained trail (registrations, imports, refusals, returns, queries)
center_audit = Table(
    "center_audit",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    *_audit_columns(),
)

#: the tables whose rows are a site's clinical data, keyed by site_id
CLINICAL_TABLES = (
    account,
    subject,
    event,
    form,
    group_row,
    item_value,
    value_history,
    conflict,
    signature,
    sdv_mark,
    hold,
    query,
)


def check_version(conn: Connection, where: str) -> tuple[str, str]:
    """The center ID and study OID; StoreError when the store is not a center's or is newer."""
    row = conn.execute(select(center_meta).where(center_meta.c.id == 1)).first()
    if row is None:
        raise StoreError(f"{where} holds no npc-crf center (no center_meta row).")
    if row.schema_version > SCHEMA_VERSION:
        raise StoreError(
            f"The center store {where} has schema version {row.schema_version}; this npc-crf "
            f"reads version {SCHEMA_VERSION}.",
            "Install the newer npc-crf that wrote it. Nothing was changed.",
        )
    if row.schema_version < SCHEMA_VERSION:
        raise StoreError(
            f"The center store {where} has schema version {row.schema_version}, older than "
            f"{SCHEMA_VERSION}, and there is no migration for it."
        )
    return str(row.center_id), str(row.study_oid)
