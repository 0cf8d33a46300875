"""Dialogue: a display name for people, data requests with votes, followers, a public timeline and fulfilling datasets; counts of
demand (searches that found nothing, views, downloads and API calls per dataset and day).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("user_account", sa.Column("display_name", sa.String(length=100), nullable=True))
    op.create_table(
        "search_miss",
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("query", "day", name=op.f("pk_search_miss")),
    )
    op.create_table(
        "data_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("intended_use", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("theme", sa.String(length=50), nullable=True),
        sa.Column("wished_format", sa.String(length=200), nullable=True),
        sa.Column("wished_frequency", sa.String(length=50), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=True),
        sa.Column("decline_reason", sa.String(length=30), nullable=True),
        sa.Column("requester_id", sa.Uuid(), nullable=True),
        sa.Column("requester_email", sa.String(length=320), nullable=True),
        sa.Column("confirm_token_hash", sa.String(length=64), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("first_answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_data_request_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["user_account.id"],
            name=op.f("fk_data_request_requester_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_request")),
        sa.UniqueConstraint("confirm_token_hash", name=op.f("uq_data_request_confirm_token_hash")),
    )
    op.create_index(
        op.f("ix_data_request_organization_id"), "data_request", ["organization_id"], unique=False
    )
    op.create_index(
        "ix_data_request_organization_state", "data_request", ["organization_id", "state"], unique=False
    )
    op.create_index(op.f("ix_data_request_requester_id"), "data_request", ["requester_id"], unique=False)
    op.create_index(op.f("ix_data_request_state"), "data_request", ["state"], unique=False)
    op.create_table(
        "dataset_usage",
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_dataset_usage_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dataset_id", "day", "kind", name=op.f("pk_dataset_usage")),
    )
    op.create_table(
        "request_dataset",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_request_dataset_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["data_request.id"],
            name=op.f("fk_request_dataset_request_id_data_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", "dataset_id", name=op.f("pk_request_dataset")),
    )
    op.create_index(op.f("ix_request_dataset_dataset_id"), "request_dataset", ["dataset_id"], unique=False)
    op.create_table(
        "request_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("by_staff", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("state_from", sa.String(length=20), nullable=True),
        sa.Column("state_to", sa.String(length=20), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_request_event_author_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["data_request.id"],
            name=op.f("fk_request_event_request_id_data_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_event")),
    )
    op.create_index(op.f("ix_request_event_request_id"), "request_event", ["request_id"], unique=False)
    op.create_table(
        "request_follow",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["data_request.id"],
            name=op.f("fk_request_follow_request_id_data_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_request_follow_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", "user_id", name=op.f("pk_request_follow")),
    )
    op.create_index(op.f("ix_request_follow_user_id"), "request_follow", ["user_id"], unique=False)
    op.create_table(
        "request_vote",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["data_request.id"],
            name=op.f("fk_request_vote_request_id_data_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_request_vote_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", "user_id", name=op.f("pk_request_vote")),
    )
    op.create_index(op.f("ix_request_vote_user_id"), "request_vote", ["user_id"], unique=False)


def downgrade() -> None:
    for table in ("request_vote", "request_follow", "request_event", "request_dataset", "dataset_usage",
                  "data_request", "search_miss"):  # fmt: skip
        op.drop_table(table)
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("display_name")
