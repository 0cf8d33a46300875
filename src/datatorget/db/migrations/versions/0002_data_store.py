"""Data store and jobs: tables, their immutable versions, and the background job queue.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "data_table",
        sa.Column("distribution_id", sa.Uuid(), nullable=False),
        sa.Column("sql_name", sa.String(length=63), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=True),
        sa.Column("on_error", sa.String(length=10), nullable=False),
        sa.Column("primary_key", sa.JSON(), nullable=False),
        sa.Column("overrides", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["distribution_id"],
            ["distribution.id"],
            name=op.f("fk_data_table_distribution_id_distribution"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("distribution_id", name=op.f("pk_data_table")),
        sa.UniqueConstraint("sql_name", name=op.f("uq_data_table_sql_name")),
    )
    op.create_table(
        "table_version",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("table_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("byte_size", sa.BigInteger(), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.Column("table_schema", JSON_DOCUMENT, nullable=False),
        sa.Column("report", JSON_DOCUMENT, nullable=False),
        sa.Column("summary", JSON_DOCUMENT, nullable=True),
        sa.Column("stats", JSON_DOCUMENT, nullable=True),
        sa.Column("source", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["table_id"],
            ["data_table.distribution_id"],
            name=op.f("fk_table_version_table_id_data_table"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_table_version")),
        sa.UniqueConstraint("table_id", "number", name=op.f("uq_table_version_table_id")),
    )
    op.create_index(op.f("ix_table_version_table_id"), "table_version", ["table_id"])
    op.create_table(
        "job",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("params", JSON_DOCUMENT, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", JSON_DOCUMENT, nullable=False),
        sa.Column("error", JSON_DOCUMENT, nullable=True),
        sa.Column("result", JSON_DOCUMENT, nullable=True),
        sa.Column("distribution_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["distribution_id"],
            ["distribution.id"],
            name=op.f("fk_job_distribution_id_distribution"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_job_created_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    op.create_index(op.f("ix_job_status"), "job", ["status"])
    op.create_index(op.f("ix_job_distribution_id"), "job", ["distribution_id"])


def downgrade() -> None:
    op.drop_table("job")
    op.drop_table("table_version")
    op.drop_table("data_table")
