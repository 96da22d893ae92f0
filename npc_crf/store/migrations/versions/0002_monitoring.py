"""Monitoring: queries and their threads, SDV marks, freezes and locks, signed signatures.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("signature", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("batch_uid", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("installation_id", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("ed25519", sa.LargeBinary(), nullable=True))
    op.create_table(
        "query",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.Text(), nullable=False),
        sa.Column("subject_id", sa.Text(), nullable=False),
        sa.Column("event_oid", sa.Text(), nullable=True),
        sa.Column("occurrence", sa.Integer(), nullable=True),
        sa.Column("form_oid", sa.Text(), nullable=True),
        sa.Column("item_path", sa.Text(), nullable=True),
        sa.Column("row_uid", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("assigned_role", sa.Text(), nullable=True),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.subject_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
    )
    with op.batch_alter_table("query", schema=None) as batch_op:
        batch_op.create_index("ix_query_subject", ["subject_id"], unique=False)
    op.create_table(
        "query_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.Text(), nullable=False),
        sa.Column("query_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("at_utc", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["query_id"], ["query.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("query_id", "position"),
        sa.UniqueConstraint("uid"),
    )
    op.create_table(
        "sdv_mark",
        sa.Column("form_instance_id", sa.Integer(), nullable=False),
        sa.Column("row_uid", sa.Text(), nullable=False),
        sa.Column("item_oid", sa.Text(), nullable=False),
        sa.Column("value_version", sa.Integer(), nullable=False),
        sa.Column("verified_at", sa.Text(), nullable=False),
        sa.Column("verified_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["form_instance_id"], ["form_instance.id"]),
        sa.PrimaryKeyConstraint("form_instance_id", "row_uid", "item_oid"),
    )
    op.create_table(
        "hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("subject_id", sa.Text(), nullable=True),
        sa.Column("form_instance_id", sa.Integer(), nullable=True),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("set_at", sa.Text(), nullable=False),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("released_at", sa.Text(), nullable=True),
        sa.Column("released_by", sa.Text(), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["form_instance_id"], ["form_instance.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
    )
    # a query and its thread are never deleted (Part 11: nothing is lost)
    for table in ("query", "query_message"):
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'queries are never deleted'); END"
        )
    op.execute(
        "CREATE TRIGGER query_message_no_update BEFORE UPDATE ON query_message "
        "BEGIN SELECT RAISE(ABORT, 'a query message is never changed'); END"
    )


def downgrade() -> None:
    raise NotImplementedError("site databases are never downgraded; restore a backup instead")
