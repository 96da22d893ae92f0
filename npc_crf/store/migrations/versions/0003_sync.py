"""Sync: unsent-value tracking, X25519 exchange keys, the trusted center, outbound and return bundles.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("installation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("x25519_public", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("x25519_private", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("item_value", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("synced_version", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.create_index(
            "ix_item_value_unsent",
            ["form_instance_id"],
            unique=False,
            sqlite_where=sa.text("version > synced_version"),
        )
    conn = op.get_bind()
    for (installation_id,) in conn.execute(
        sa.text("SELECT installation_id FROM installation WHERE is_local")
    ):
        key = X25519PrivateKey.generate()
        conn.execute(
            sa.text(
                "UPDATE installation SET x25519_public = :pub, x25519_private = :priv "
                "WHERE installation_id = :iid"
            ),
            {
                "pub": key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
                "priv": key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()),
                "iid": installation_id,
            },
        )
    op.create_table(
        "sync_center",
        sa.Column("center_id", sa.Text(), nullable=False),
        sa.Column("study_oid", sa.Text(), nullable=False),
        sa.Column("ed25519", sa.LargeBinary(), nullable=False),
        sa.Column("x25519", sa.LargeBinary(), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("trusted_at", sa.Text(), nullable=False),
        sa.Column("trusted_by", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("center_id"),
    )
    op.create_table(
        "outbound_bundle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.Text(), nullable=False),
        sa.Column("center_id", sa.Text(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("manifest_sha256", sa.Text(), nullable=False),
        sa.Column("previous_sha256", sa.Text(), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("audit_from", sa.Integer(), nullable=False),
        sa.Column("audit_to", sa.Integer(), nullable=False),
        sa.Column("query_from", sa.Integer(), nullable=False),
        sa.Column("query_to", sa.Integer(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.Text(), nullable=True),
        sa.Column("sent_to", sa.Text(), nullable=True),
        sa.Column("acked_at", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("center_id", "sequence"),
        sa.UniqueConstraint("uid"),
    )
    op.create_table(
        "inbound_return",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.Text(), nullable=False),
        sa.Column("center_id", sa.Text(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("manifest_sha256", sa.Text(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("applied_at", sa.Text(), nullable=False),
        sa.Column("applied_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("center_id", "sequence"),
        sa.UniqueConstraint("uid"),
    )
    op.create_table(
        "study_definition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_oid", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("definition_sha256", sa.Text(), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("received_at", sa.Text(), nullable=False),
        sa.Column("received_from", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("study_oid", "version"),
    )


def downgrade() -> None:
    raise NotImplementedError("site databases are never downgraded; restore a backup instead")
