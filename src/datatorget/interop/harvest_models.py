"""Harvesting tables: the sources other catalogs are read from, each run of a source, and the record that
ties a dataset at the source to the local dataset made from it.

A harvested dataset is an ordinary `Dataset` whose `origin` is set (see catalog.models): the catalog keeps
it read-only. The tables here say where it came from and what the source last said of it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from datatorget.catalog.models import Organization
from datatorget.db.base import Base, JSONDocument, created_at, utcnow, uuid_pk

SOURCE_KINDS = ("dcat", "ckan", "datatorget")
RUN_STATUSES = ("queued", "running", "succeeded", "partial", "failed")
RECORD_OUTCOMES = ("created", "updated", "unchanged", "withdrawn", "failed")


class HarvestSource(Base):
    """A catalog elsewhere whose datasets are copied in, under one local organisation, on a schedule."""

    __tablename__ = "harvest_source"

    id: Mapped[uuid_pk]
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    kind: Mapped[str] = mapped_column(String(20))  # one of SOURCE_KINDS
    # The local publisher of what is harvested from this source
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    interval_hours: Mapped[int] = mapped_column(Integer, default=24)  # 0: only when run by hand
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    next_run_at: Mapped[datetime | None] = mapped_column(index=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    modified: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship(lazy="joined")


class HarvestRun(Base):
    """One run of a source: when, how it ended, the counts, and what happened to each record."""

    __tablename__ = "harvest_run"
    __table_args__ = (Index("ix_harvest_run_source_created", "source_id", "created_at"),)

    id: Mapped[uuid_pk]
    source_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("harvest_source.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default="queued")  # one of RUN_STATUSES
    trigger: Mapped[str] = mapped_column(String(20), default="manual")  # manual | schedule
    created_at: Mapped[created_at]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # {"created": n, "updated": n, "unchanged": n, "withdrawn": n, "failed": n}
    counts: Mapped[dict[str, int]] = mapped_column(JSONDocument, default=dict)
    # Why the whole run failed, in plain language: {"code": ..., "sv": ..., "en": ...}
    error: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    # Records that did not come out unchanged: [{"remote_id", "title", "outcome", "dataset" (slug), "reason"}]
    records: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)


class HarvestRecord(Base):
    """A dataset at the source and the local dataset made from it; its hash tells whether it changed."""

    __tablename__ = "harvest_record"
    __table_args__ = (Index("ix_harvest_record_source_remote", "source_id", "remote_id", unique=True),)

    id: Mapped[uuid_pk]
    source_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("harvest_source.id", ondelete="CASCADE"))
    remote_id: Mapped[str] = mapped_column(String(2000))  # the dataset's IRI, or its id at a CKAN site
    dataset_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("dataset.id", ondelete="SET NULL"), index=True
    )
    content_hash: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
