"""Initial catalog schema: organisations, users, tokens, datasets, distributions, changes, search index.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TITLE_SORT = sa.String(length=400).with_variant(sa.String(length=400, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "organization",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("org_number", sa.String(length=11), nullable=True),
        sa.Column("publisher_type", sa.String(length=50), nullable=True),
        sa.Column("homepage", sa.String(length=2000), nullable=True),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_email", sa.String(length=320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
        sa.UniqueConstraint("slug", name=op.f("uq_organization_slug")),
    )
    op.create_table(
        "dataset",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("title", JSON_DOCUMENT, nullable=False),
        sa.Column("description", JSON_DOCUMENT, nullable=False),
        sa.Column("keywords", JSON_DOCUMENT, nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("contact_point", sa.JSON(), nullable=True),
        sa.Column("license", sa.String(length=50), nullable=True),
        sa.Column("access_rights", sa.String(length=50), nullable=True),
        sa.Column("spatial", sa.JSON(), nullable=False),
        sa.Column("temporal_start", sa.Date(), nullable=True),
        sa.Column("temporal_end", sa.Date(), nullable=True),
        sa.Column("frequency", sa.String(length=50), nullable=True),
        sa.Column("landing_page", sa.String(length=2000), nullable=True),
        sa.Column("conforms_to", sa.JSON(), nullable=False),
        sa.Column("hvd_categories", sa.JSON(), nullable=False),
        sa.Column("title_sort", TITLE_SORT, nullable=False),
        sa.Column("issued", sa.DateTime(timezone=True), nullable=True),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_dataset_organization_id_organization"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset")),
        sa.UniqueConstraint("slug", name=op.f("uq_dataset_slug")),
    )
    op.create_index(op.f("ix_dataset_license"), "dataset", ["license"], unique=False)
    op.create_index(op.f("ix_dataset_organization_id"), "dataset", ["organization_id"], unique=False)
    op.create_index("ix_dataset_state_modified", "dataset", ["state", "modified"], unique=False)
    op.create_index("ix_dataset_state_title_sort", "dataset", ["state", "title_sort"], unique=False)
    op.create_index(
        "ix_dataset_search_filters", "dataset", ["id", "state", "organization_id", "license"], unique=False
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_user_account_organization_id_organization"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    op.create_index(
        op.f("ix_user_account_organization_id"), "user_account", ["organization_id"], unique=False
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_api_token_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_index(op.f("ix_api_token_user_id"), "api_token", ["user_id"], unique=False)
    op.create_table(
        "change",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("entity_type", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("fields", JSON_DOCUMENT, nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_change_user_id_user_account"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change")),
    )
    op.create_index(op.f("ix_change_at"), "change", ["at"], unique=False)
    op.create_index(op.f("ix_change_dataset_id"), "change", ["dataset_id"], unique=False)
    op.create_table(
        "dataset_keyword",
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("keyword", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_dataset_keyword_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dataset_id", "language", "keyword", name=op.f("pk_dataset_keyword")),
    )
    op.create_index(op.f("ix_dataset_keyword_keyword"), "dataset_keyword", ["keyword"], unique=False)
    op.create_table(
        "dataset_theme",
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_dataset_theme_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dataset_id", "code", name=op.f("pk_dataset_theme")),
    )
    op.create_index(op.f("ix_dataset_theme_code"), "dataset_theme", ["code"], unique=False)
    op.create_table(
        "distribution",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", JSON_DOCUMENT, nullable=False),
        sa.Column("description", JSON_DOCUMENT, nullable=False),
        sa.Column("access_url", sa.String(length=2000), nullable=True),
        sa.Column("download_url", sa.String(length=2000), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("format", sa.String(length=50), nullable=True),
        sa.Column("media_type", sa.String(length=200), nullable=True),
        sa.Column("byte_size", sa.BigInteger(), nullable=True),
        sa.Column("checksum_sha256", sa.String(length=64), nullable=True),
        sa.Column("license", sa.String(length=50), nullable=True),
        sa.Column("issued", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_distribution_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution")),
    )
    op.create_index(op.f("ix_distribution_dataset_id"), "distribution", ["dataset_id"], unique=False)
    op.create_index(op.f("ix_distribution_format"), "distribution", ["format"], unique=False)
    generation = op.create_table(
        "catalog_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_generation")),
    )
    op.bulk_insert(generation, [{"id": 1, "value": 0}])
    _create_search_index()


def _create_search_index() -> None:
    """The full-text index: FTS5 over pre-stemmed text on SQLite, a weighted tsvector on PostgreSQL."""
    if op.get_bind().dialect.name == "sqlite":
        # FTS5 finds rows by rowid only; dataset_fts_row gives each dataset its rowid, so that an update
        # replaces one index row by key instead of scanning the whole index.
        op.create_table(
            "dataset_fts_row",
            sa.Column("rowid", sa.Integer(), nullable=False),
            sa.Column("dataset_id", sa.Uuid(), nullable=False),
            sa.PrimaryKeyConstraint("rowid", name=op.f("pk_dataset_fts_row")),
            sa.UniqueConstraint("dataset_id", name=op.f("uq_dataset_fts_row_dataset_id")),
        )
        op.execute(
            "CREATE VIRTUAL TABLE dataset_fts USING fts5("
            "title, keywords, description, tokenize='unicode61 remove_diacritics 0')"
        )
        return
    op.create_table(
        "dataset_search",
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("document", postgresql.TSVECTOR(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_dataset_search_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dataset_id", name=op.f("pk_dataset_search")),
    )
    op.create_index("ix_dataset_search_document", "dataset_search", ["document"], postgresql_using="gin")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE dataset_fts")
        op.drop_table("dataset_fts_row")
    else:
        op.drop_table("dataset_search")
    op.drop_table("catalog_generation")
    for table in (
        "change",
        "distribution",
        "dataset_keyword",
        "dataset_theme",
        "api_token",
        "user_account",
        "dataset",
        "organization",
    ):
        op.drop_table(table)
