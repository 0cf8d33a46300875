"""Catalog tables: organisations, users and tokens, datasets, distributions and the change log."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from datatorget.db.base import Base, JSONDocument, created_at, utcnow, uuid_pk
from datatorget.store.models import DataTable

MultilingualText = dict[str, str]
MultilingualList = dict[str, list[str]]


class Organization(Base):
    """A publisher: the municipality, one of its companies, or another public body."""

    __tablename__ = "organization"

    id: Mapped[uuid_pk]
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    org_number: Mapped[str | None] = mapped_column(String(11))
    publisher_type: Mapped[str | None] = mapped_column(String(50))
    homepage: Mapped[str | None] = mapped_column(String(2000))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[created_at]
    modified: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    """Someone who logs in: an admin (everything), an editor (the datasets of one organisation), or a member
    (files data requests, votes and comments). `display_name` is what others see of them, if anything."""

    __tablename__ = "user_account"

    id: Mapped[uuid_pk]
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    display_name: Mapped[str | None] = mapped_column(String(100))
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[created_at]

    organization: Mapped[Organization | None] = relationship(lazy="joined")


class ApiToken(Base):
    """A bearer token for the API. Only a hash of the secret is stored."""

    __tablename__ = "api_token"

    id: Mapped[uuid_pk]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class Dataset(Base):
    """A DCAT dataset. `id` is its stable identifier (dcterms:identifier)."""

    __tablename__ = "dataset"
    __table_args__ = (
        Index("ix_dataset_state_modified", "state", "modified"),
        Index("ix_dataset_state_title_sort", "state", "title_sort"),
        # Covers the visibility and filter checks a search makes for each full-text hit, without reading rows.
        Index("ix_dataset_search_filters", "id", "state", "organization_id", "license"),
    )

    id: Mapped[uuid_pk]
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    state: Mapped[str] = mapped_column(String(20))
    title: Mapped[MultilingualText] = mapped_column(JSONDocument)
    description: Mapped[MultilingualText] = mapped_column(JSONDocument)
    keywords: Mapped[MultilingualList] = mapped_column(JSONDocument)
    themes: Mapped[list[str]] = mapped_column(JSON)
    contact_point: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    license: Mapped[str | None] = mapped_column(String(50), index=True)
    access_rights: Mapped[str | None] = mapped_column(String(50))
    spatial: Mapped[list[str]] = mapped_column(JSON)
    temporal_start: Mapped[date | None] = mapped_column(Date)
    temporal_end: Mapped[date | None] = mapped_column(Date)
    frequency: Mapped[str | None] = mapped_column(String(50))
    landing_page: Mapped[str | None] = mapped_column(String(2000))
    conforms_to: Mapped[list[str]] = mapped_column(JSON)
    hvd_categories: Mapped[list[str]] = mapped_column(JSON)
    title_sort: Mapped[str] = mapped_column(
        String(400).with_variant(String(400, collation="C"), "postgresql")
    )
    issued: Mapped[datetime | None]
    modified: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[created_at]
    # Set when the dataset was harvested from another catalog, which makes it read-only here:
    # {"source_id", "source_title", "remote_id", "remote_url", "harvested_at"} (see interop.harvest_models)
    origin: Mapped[dict[str, Any] | None] = mapped_column(
        JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
    )

    organization: Mapped[Organization] = relationship(lazy="joined")
    distributions: Mapped[list[Distribution]] = relationship(
        back_populates="dataset",
        order_by="Distribution.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )


class DatasetTheme(Base):
    """One theme of one dataset: the facet and filter index behind `Dataset.themes`."""

    __tablename__ = "dataset_theme"

    dataset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(50), primary_key=True, index=True)


class DatasetKeyword(Base):
    """One keyword of one dataset in one language: the facet and filter index behind `Dataset.keywords`."""

    __tablename__ = "dataset_keyword"

    dataset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    keyword: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)


class Distribution(Base):
    """A DCAT distribution: a file kept in the data dir, or a link to data elsewhere."""

    __tablename__ = "distribution"

    id: Mapped[uuid_pk]
    dataset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[MultilingualText] = mapped_column(JSONDocument)
    description: Mapped[MultilingualText] = mapped_column(JSONDocument)
    access_url: Mapped[str | None] = mapped_column(String(2000))
    download_url: Mapped[str | None] = mapped_column(String(2000))
    file_name: Mapped[str | None] = mapped_column(String(255))
    format: Mapped[str | None] = mapped_column(String(50), index=True)
    media_type: Mapped[str | None] = mapped_column(String(200))
    byte_size: Mapped[int | None] = mapped_column(BigInteger)
    checksum_sha256: Mapped[str | None] = mapped_column(String(64))
    license: Mapped[str | None] = mapped_column(String(50))
    issued: Mapped[datetime] = mapped_column(default=utcnow)
    modified: Mapped[datetime] = mapped_column(default=utcnow)

    dataset: Mapped[Dataset] = relationship(back_populates="distributions")
    # The queryable table read in from the file, for tabular distributions; removed with the distribution
    data_table: Mapped[DataTable | None] = relationship(
        lazy="selectin", passive_deletes=True, cascade="all, delete-orphan"
    )

    @property
    def is_upload(self) -> bool:
        return self.file_name is not None


class Change(Base):
    """One recorded change to the catalog: who, when, what, and the fields before and after."""

    __tablename__ = "change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(320))
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[uuid.UUID]
    dataset_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(20))
    fields: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    summary: Mapped[str] = mapped_column(Text, default="")


class CatalogGeneration(Base):
    """One row whose number is drawn anew with every change to the catalog, in the same transaction.

    Readers see it change only when a change commits, so it tells whether something worked out from the
    catalog earlier (the counts of the whole catalog) is still right. A random number rather than a
    counter, so that a database restored from a backup never shows a number used since."""

    __tablename__ = "catalog_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
