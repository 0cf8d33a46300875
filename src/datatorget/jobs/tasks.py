"""The tasks jobs run. Each takes ids, looks everything up again, and is safe to run twice."""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from time import monotonic
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from datatorget.catalog.files import file_path, remove_after_commit, store_stream
from datatorget.catalog.models import Distribution
from datatorget.catalog.tables import ensure_table
from datatorget.config import Settings
from datatorget.db.base import utcnow
from datatorget.errors import NotFound
from datatorget.interop.harvest import run_harvest
from datatorget.interop.harvest_sources import HARVEST as HARVEST
from datatorget.jobs import queue
from datatorget.jobs.mail import SEND_EMAIL, send_email
from datatorget.jobs.quality_check import CHECK_QUALITY, check_quality
from datatorget.store.connection import SharedConnection
from datatorget.store.fetch import fetch_to_file
from datatorget.store.ingest import build_version
from datatorget.store.models import DataTable
from datatorget.store.progress import Progress
from datatorget.store.raw import Limits
from datatorget.store.report import IngestionFailed
from datatorget.store.stats import column_stats
from datatorget.store.versions import current_previous, find_version, register_version, settings_of, table_dir

log = logging.getLogger(__name__)

INGEST = "ingest"
PROGRESS_EVERY_S = 0.5


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    sessions: sessionmaker[Session]  # a writing sessionmaker: every transaction here writes
    duck: SharedConnection


def staging_dir(settings: Settings, job_id: uuid.UUID) -> Path:
    """Where a replacement upload waits for its ingestion; it becomes the distribution's file on success."""
    return settings.work_dir / "staged" / str(job_id)


def ingest(
    ctx: JobContext,
    job_id: uuid.UUID,
    params: dict[str, Any],
    on_progress: Callable[[Progress], None] | None = None,
) -> dict[str, Any]:
    """Build a new version of a distribution's table from its file, a staged replacement, or its URL."""
    distribution_id = uuid.UUID(params["distribution_id"])
    settings = ctx.settings
    with ctx.sessions.begin() as session:
        distribution = session.get(Distribution, distribution_id)
        if distribution is None:
            raise NotFound("the distribution was deleted before its table was read in")
        table = ensure_table(session, distribution)
        table_settings = settings_of(table)
        previous = current_previous(session, table, settings.tables_dir)
        based_on = table.current_version
        stored_name = distribution.file_name
        url = distribution.download_url or distribution.access_url
    source_kind = params.get("source", "file")
    fetched_dir = settings.work_dir / f"fetch-{job_id}"
    try:
        if source_kind == "staged":
            file_name = params["file_name"]
            source = staging_dir(settings, job_id) / file_name
        elif source_kind == "url":
            if not url:
                raise IngestionFailed(
                    "no_url",
                    sv="Distributionen har ingen adress att hämta.",
                    en="The distribution has no address to fetch.",
                )
            fetched = fetch_to_file(url, fetched_dir, max_bytes=settings.max_upload_bytes,
                                    timeout_s=settings.fetch_timeout_s, allow_private=settings.fetch_private_addresses)  # fmt: skip
            source, file_name = fetched.path, fetched.file_name
        else:
            if not stored_name:
                raise IngestionFailed(
                    "no_file", sv="Distributionen har ingen fil.", en="The distribution has no file."
                )
            file_name = stored_name
            source = file_path(settings.files_dir, distribution_id, stored_name)
        built = build_version(
            ctx.duck,
            source,
            file_name,
            settings=table_settings,
            limits=Limits(settings.max_table_columns, settings.max_uncompressed_bytes, settings.work_dir),
            table_dir=table_dir(settings.tables_dir, distribution_id),
            previous=(previous[0], dict(previous[1])) if previous else None,
            progress=_throttled(ctx, job_id, on_progress),
        )
        with ctx.sessions.begin() as session:
            current = session.get(DataTable, distribution_id, with_for_update=True)
            if current is None:
                raise NotFound("the distribution was deleted while its table was read in")
            if current.current_version != based_on:
                raise SUPERSEDED
            version = register_version(session, current, built)
            number = version.number
            if source_kind == "staged":
                _replace_file(session, distribution_id, source, file_name, number, settings)
        _add_stats(ctx, distribution_id, number, built.path, built.schema)
        return {
            "version": number,
            "row_count": built.row_count,
            "report": built.report,
            "summary": built.summary,
        }
    finally:
        if source_kind == "staged":
            shutil.rmtree(staging_dir(settings, job_id), ignore_errors=True)
        shutil.rmtree(fetched_dir, ignore_errors=True)


SUPERSEDED = IngestionFailed(
    "superseded",
    sv="En annan version av tabellen publicerades medan den här filen lästes in. Läs in filen igen.",
    en="Another version of the table was published while this file was read in. Read the file in again.",
)


def _add_stats(
    ctx: JobContext, distribution_id: uuid.UUID, number: int, path: Path, schema: dict[str, Any]
) -> None:
    """Column statistics of the new version. They are a courtesy: if they cannot be computed (a very wide
    table near the memory limit), the version stands without them."""
    try:
        stats = column_stats(ctx.duck.cursor(), path, schema)
        with ctx.sessions.begin() as session:
            current = session.get(DataTable, distribution_id)
            if current is not None:
                find_version(session, current, number).stats = stats
    except Exception:
        log.warning("no column statistics for version %s of table %s", number, distribution_id, exc_info=True)


def _replace_file(
    session: Session,
    distribution_id: uuid.UUID,
    source: Path,
    file_name: str,
    number: int,
    settings: Settings,
) -> None:
    """The staged upload becomes the distribution's file, in the transaction that switches the version.

    The published file is never written over: a file of the same name gets the version in its name, the new
    file is complete under its final name before the commit, removed again if the transaction fails, and the
    old one is removed only after the commit.
    """
    distribution = session.get(Distribution, distribution_id)
    if distribution is None:
        return
    old = (
        file_path(settings.files_dir, distribution_id, distribution.file_name)
        if distribution.file_name
        else None
    )
    if file_name == distribution.file_name:
        stem, dot, suffix = file_name.rpartition(".")
        file_name = f"{stem}-v{number}.{suffix}" if dot else f"{file_name}-v{number}"
    target = file_path(settings.files_dir, distribution_id, file_name)
    with source.open("rb") as reader:  # the upload's own copy: streamed, hashed, fsynced, undone on rollback
        stored = store_stream(session, reader, target, max_bytes=settings.max_upload_bytes)
    if old is not None and old != target:
        remove_after_commit(session, old)
    distribution.file_name = file_name
    distribution.byte_size = stored.byte_size
    distribution.checksum_sha256 = stored.sha256
    distribution.modified = utcnow()


def _throttled(
    ctx: JobContext, job_id: uuid.UUID, also: Callable[[Progress], None] | None
) -> Callable[[Progress], None]:
    last = [0.0]

    def report(progress: Progress) -> None:
        if also is not None:
            also(progress)
        now = monotonic()
        if now - last[0] < PROGRESS_EVERY_S:
            return
        last[0] = now
        try:
            queue.report_progress(ctx.sessions, job_id, {"stage": progress.stage, "percent": progress.percent,
                                                          "rows_read": progress.rows_read})  # fmt: skip
        except Exception:  # progress is a courtesy: a busy database must not fail the ingestion
            log.warning("could not record the progress of job %s", job_id, exc_info=True)

    return report


def harvest(
    ctx: JobContext,
    _job_id: uuid.UUID,
    params: dict[str, Any],
    _on_progress: Callable[[Progress], None] | None = None,
) -> dict[str, Any]:
    """Run one harvest run; its report is kept on the run (interop/harvest.py), not on the job."""
    return run_harvest(ctx.sessions, ctx.settings, uuid.UUID(params["run_id"]))


Task = Callable[[JobContext, uuid.UUID, dict[str, Any], Callable[[Progress], None] | None], dict[str, Any]]
TASKS: dict[str, Task] = {
    INGEST: ingest,
    SEND_EMAIL: send_email,
    HARVEST: harvest,
    CHECK_QUALITY: check_quality,
}
