"""Reuses: apps, services, visualisations and analyses built on datasets, approved by staff.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reuse",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("image_file", sa.String(length=100), nullable=True),
        sa.Column("image_type", sa.String(length=20), nullable=True),
        sa.Column("image_sha256", sa.String(length=64), nullable=True),
        sa.Column("image_alt", sa.String(length=300), nullable=True),
        sa.Column("submitter_id", sa.Uuid(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submitter_id"],
            ["user_account.id"],
            name=op.f("fk_reuse_submitter_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["user_account.id"],
            name=op.f("fk_reuse_decided_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reuse")),
    )
    op.create_index(op.f("ix_reuse_submitter_id"), "reuse", ["submitter_id"], unique=False)
    op.create_index(op.f("ix_reuse_state"), "reuse", ["state"], unique=False)
    op.create_table(
        "reuse_dataset",
        sa.Column("reuse_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reuse_id"], ["reuse.id"], name=op.f("fk_reuse_dataset_reuse_id_reuse"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_reuse_dataset_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("reuse_id", "dataset_id", name=op.f("pk_reuse_dataset")),
    )
    op.create_index(op.f("ix_reuse_dataset_dataset_id"), "reuse_dataset", ["dataset_id"], unique=False)


def downgrade() -> None:
    op.drop_table("reuse_dataset")
    op.drop_table("reuse")
