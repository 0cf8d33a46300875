"""Start reading a distribution into its table: the job that the API, the web UI and the CLI all queue."""

from __future__ import annotations

import shutil
import uuid
from typing import BinaryIO, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog.datasets import require_change
from datatorget.catalog.files import on_rollback, safe_file_name
from datatorget.catalog.models import Distribution
from datatorget.catalog.permissions import Viewer
from datatorget.catalog.tables import ensure_table, get_table, is_tabular
from datatorget.config import Settings
from datatorget.errors import PayloadTooLarge, ValidationFailed
from datatorget.jobs.models import Job
from datatorget.jobs.queue import enqueue
from datatorget.jobs.tasks import INGEST, staging_dir
from datatorget.store.models import DataTable

Source = Literal["file", "url", "staged"]


def start_ingestion(
    session: Session, distribution: Distribution, by: Viewer, *, source: Source = "file"
) -> Job:
    """Queue the job that reads the distribution's file (or fetches its URL) into a new table version."""
    user = require_change(by, distribution.dataset)
    ensure_table(session, distribution)
    return enqueue(session, INGEST, {"distribution_id": str(distribution.id), "source": source},
                   distribution_id=distribution.id, created_by=user.id)  # fmt: skip


def reingest(session: Session, distribution_id: uuid.UUID, by: Viewer) -> Job:
    """Read the table in again: from its file, or by fetching its URL again when it has no file."""
    distribution, _table = get_table(session, distribution_id, by)
    return start_ingestion(session, distribution, by, source="file" if distribution.file_name else "url")


def upload_new_version(
    session: Session,
    distribution_id: uuid.UUID,
    stream: BinaryIO,
    file_name: str,
    by: Viewer,
    *,
    settings: Settings,
) -> Job:
    """A new file for an existing table. It waits aside and replaces the distribution's file only when it
    has become a valid version, so a refused file leaves the published one as it was."""
    distribution, _table = get_table(session, distribution_id, by)
    user = require_change(by, distribution.dataset)
    name = safe_file_name(file_name)
    job = enqueue(session, INGEST, {"distribution_id": str(distribution.id), "source": "staged", "file_name": name},
                  distribution_id=distribution.id, created_by=user.id)  # fmt: skip
    target = staging_dir(settings, job.id) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    try:
        with target.open("wb") as sink:
            while chunk := stream.read(1024 * 1024):
                written += len(chunk)
                if written > settings.max_upload_bytes:
                    raise PayloadTooLarge(
                        f"the file is larger than the limit of {settings.max_upload_bytes} bytes"
                    )
                sink.write(chunk)
        if written == 0:
            raise ValidationFailed({"file": ["the file is empty"]})
    except BaseException:
        shutil.rmtree(target.parent, ignore_errors=True)
        raise
    on_rollback(session, lambda: shutil.rmtree(target.parent, ignore_errors=True))
    return job


def latest_job(session: Session, distribution_id: uuid.UUID) -> Job | None:
    return session.scalar(
        select(Job).where(Job.distribution_id == distribution_id).order_by(Job.created_at.desc()).limit(1)
    )


def unread_tables(session: Session, distributions: list[Distribution]) -> dict[uuid.UUID, str]:
    """The files among `distributions` whose table has no version yet, with why: "reading" while their
    ingestion is queued or running, "failed" when it ended without a table."""
    unread = {}
    for distribution in distributions:
        table = distribution.data_table
        if table is None or table.current_version is not None:
            continue
        job = latest_job(session, distribution.id)
        unread[distribution.id] = "failed" if job is None or job.status == "failed" else "reading"
    return unread


def start_missing_tables(session: Session, by: Viewer) -> list[Job]:
    """Queue an ingestion for every uploaded tabular file that has no table yet (after a demo load or an
    upgrade from a version without the data store)."""
    without_table = session.scalars(
        select(Distribution)
        .outerjoin(DataTable, DataTable.distribution_id == Distribution.id)
        .where(DataTable.distribution_id.is_(None), Distribution.file_name.is_not(None))
    ).all()
    return [
        start_ingestion(session, distribution, by)
        for distribution in without_table
        if is_tabular(distribution)
    ]
