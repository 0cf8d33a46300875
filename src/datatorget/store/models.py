"""A table (one per tabular distribution) and its immutable versions, each a Parquet file."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from datatorget.db.base import Base, JSONDocument, created_at, utcnow, uuid_pk


class DataTable(Base):
    """The queryable table of a distribution: its SQL name, the publisher's choices and its current version.

    `current_version` is switched in one UPDATE when an ingestion succeeds, so readers see either the old
    version or the new one, never a mix.
    """

    __tablename__ = "data_table"

    distribution_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("distribution.id", ondelete="CASCADE"), primary_key=True
    )
    sql_name: Mapped[str] = mapped_column(String(63), unique=True)
    current_version: Mapped[int | None] = mapped_column(Integer)
    # "blank": cells that do not fit their column's type become empty and are listed in the report;
    # "refuse": such an upload becomes no version at all.
    on_error: Mapped[str] = mapped_column(String(10), default="blank")
    primary_key: Mapped[list[str]] = mapped_column(JSON, default=list)
    # {column name: {"type": ..., "title": {"sv":..., "en":...}, "description": {...}}}, kept across versions
    overrides: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    created_at: Mapped[created_at]
    modified: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[TableVersion]] = relationship(
        back_populates="table", order_by="TableVersion.number", cascade="all, delete-orphan"
    )


class TableVersion(Base):
    """One successful ingestion: a content-addressed Parquet file that is never changed afterwards."""

    __tablename__ = "table_version"
    __table_args__ = (UniqueConstraint("table_id", "number"),)

    id: Mapped[uuid_pk]
    table_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("data_table.distribution_id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    byte_size: Mapped[int] = mapped_column(BigInteger)
    row_count: Mapped[int] = mapped_column(BigInteger)
    table_schema: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    report: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    stats: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDocument)
    source: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    created_at: Mapped[created_at]

    table: Mapped[DataTable] = relationship(back_populates="versions")
