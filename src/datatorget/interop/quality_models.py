"""Quality tables: what the scheduled quality check found, kept between checks.

- `link_check`: the last answer to the access and download address of each distribution (the MQA
  accessibility metrics read it);
- `compliance_check`: whether a dataset's own DCAT-AP-SE export passed the DCAT-AP 3.0.1 shapes, and for
  which state of the dataset (the dcatApCompliance metric reads it);
- `quality_schedule`: one row that says when the check is next due, so that two processes never queue it
  twice.

`id_chunks` splits the ids the readers of these tables ask for into IN (...) queries of a safe size.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from datatorget.db.base import Base, JSONDocument

LINK_KINDS = ("access", "download")
CHUNK = 500  # ids per IN (...) query


def id_chunks(ids: Iterable[uuid.UUID]) -> Iterator[list[uuid.UUID]]:
    """The ids in lists of at most CHUNK, one per IN (...) query (databases limit a query's parameters)."""
    pending = list(ids)
    for start in range(0, len(pending), CHUNK):
        yield pending[start : start + CHUNK]


class LinkCheck(Base):
    """The last check of one address of one distribution: `kind` is access or download."""

    __tablename__ = "link_check"

    distribution_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("distribution.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # one of LINK_KINDS
    url: Mapped[str] = mapped_column(String(2000))  # the address checked: a changed address is unchecked
    status_code: Mapped[int | None] = mapped_column(Integer)  # the HTTP status, None when none came
    ok: Mapped[bool] = mapped_column(Boolean)  # 2xx or 3xx
    error_code: Mapped[str | None] = mapped_column(String(50))  # e.g. unreachable, fetch_timeout, http_error
    checked_at: Mapped[datetime]


class ComplianceCheck(Base):
    """The SHACL validation of one dataset's DCAT-AP-SE export against the DCAT-AP 3.0.1 shapes."""

    __tablename__ = "compliance_check"

    dataset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True
    )
    # The latest change of the dataset, its distributions and its organisation when it was checked: a later
    # change makes the result stale (see interop.compliance.last_change)
    dataset_modified: Mapped[datetime]
    distribution_count: Mapped[int] = mapped_column(Integer)
    conforms: Mapped[bool] = mapped_column(Boolean)
    # The violations, at most a few dozen: [{"focus": ..., "path": ..., "message": ...}]
    violations: Mapped[list[dict[str, str]]] = mapped_column(JSONDocument)
    checked_at: Mapped[datetime]


class QualitySchedule(Base):
    """The single row (id 1) that says when the scheduled quality check is next due."""

    __tablename__ = "quality_schedule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    next_due_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
