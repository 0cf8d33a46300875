"""Metadata quality: the link checker's results, the DCAT-AP compliance of each dataset, and when the
scheduled quality check is next due.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "link_check",
        sa.Column("distribution_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error_code", sa.String(length=50), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["distribution_id"],
            ["distribution.id"],
            name=op.f("fk_link_check_distribution_id_distribution"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("distribution_id", "kind", name=op.f("pk_link_check")),
    )
    op.create_table(
        "compliance_check",
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_modified", sa.DateTime(timezone=True), nullable=False),
        sa.Column("distribution_count", sa.Integer(), nullable=False),
        sa.Column("conforms", sa.Boolean(), nullable=False),
        sa.Column("violations", JSON_DOCUMENT, nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_compliance_check_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dataset_id", name=op.f("pk_compliance_check")),
    )
    op.create_table(
        "quality_schedule",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_schedule")),
    )


def downgrade() -> None:
    op.drop_table("quality_schedule")
    op.drop_table("compliance_check")
    op.drop_table("link_check")
