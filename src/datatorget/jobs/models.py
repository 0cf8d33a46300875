"""A job: one unit of background work, its progress, and how it ended."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from datatorget.db.base import Base, JSONDocument, created_at, uuid_pk

STATUSES = ("queued", "running", "succeeded", "failed")


class Job(Base):
    __tablename__ = "job"

    id: Mapped[uuid_pk]
    kind: Mapped[str] = mapped_column(String(50))
    params: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    # {"stage": ..., "rows_read": n, "percent": 0-100}
    progress: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    # {"code": ..., "sv": ..., "en": ...}: why it failed, in plain language
    error: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    distribution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("distribution.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[created_at]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
