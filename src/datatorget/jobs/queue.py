"""The job queue, kept in the metadata database: enqueue, claim, report progress, finish.

One implementation for both backends: SQLite serialises claims with its write lock (BEGIN IMMEDIATE);
PostgreSQL lets many workers claim at once with SELECT ... FOR UPDATE SKIP LOCKED.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from datatorget.db.base import utcnow
from datatorget.errors import NotFound
from datatorget.jobs.models import Job

STALE_AFTER = timedelta(minutes=2)  # a running job whose worker has not been heard from in this long died
MAX_ATTEMPTS = 3


def enqueue(
    session: Session,
    kind: str,
    params: dict[str, Any],
    *,
    distribution_id: uuid.UUID | None = None,
    created_by: uuid.UUID | None = None,
) -> Job:
    job = Job(
        id=uuid.uuid4(),
        kind=kind,
        params=params,
        status="queued",
        progress={"stage": "queued", "percent": 0, "rows_read": 0},
        distribution_id=distribution_id,
        created_by=created_by,
        attempts=0,
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: uuid.UUID) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"no job '{job_id}'")
    return job


def claim(
    sessions: sessionmaker[Session], job_id: uuid.UUID | None = None
) -> tuple[uuid.UUID, str, dict[str, Any]] | None:
    """Take the oldest queued job (or the job `job_id`, if it is still queued) and mark it running;
    None when there is nothing to take."""
    running = aliased(Job)
    busy_table = (
        select(running.id)
        .where(running.distribution_id == Job.distribution_id, running.status == "running")
        .exists()
    )
    with sessions.begin() as session:
        # One job per table at a time, oldest first: versions are built in the order they were sent.
        statement = select(Job).where(Job.status == "queued", ~busy_table).order_by(Job.created_at).limit(1)
        if job_id is not None:
            statement = statement.where(Job.id == job_id)
        if session.get_bind().dialect.name == "postgresql":
            statement = statement.with_for_update(skip_locked=True)
        job = session.scalar(statement)
        if job is None:
            return None
        now = utcnow()
        job.status = "running"
        job.started_at = now
        job.heartbeat_at = now
        job.attempts += 1
        return job.id, job.kind, dict(job.params)


def report_progress(sessions: sessionmaker[Session], job_id: uuid.UUID, progress: dict[str, Any]) -> None:
    with sessions.begin() as session:
        session.execute(update(Job).where(Job.id == job_id).values(progress=progress, heartbeat_at=utcnow()))


def heartbeat(sessions: sessionmaker[Session], job_id: uuid.UUID) -> None:
    """The worker of a running job is alive."""
    with sessions.begin() as session:
        session.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=utcnow()))


def finish(sessions: sessionmaker[Session], job_id: uuid.UUID, result: dict[str, Any]) -> None:
    """Mark the job succeeded; nothing happens when it is gone (its distribution was deleted meanwhile)."""
    with sessions.begin() as session:
        job = session.get(Job, job_id)
        if job is None:
            return
        job.status = "succeeded"
        job.result = result
        job.progress = dict(job.progress) | {"percent": 100, "stage": "done"}
        job.finished_at = utcnow()


def fail(
    sessions: sessionmaker[Session],
    job_id: uuid.UUID,
    error: dict[str, str],
    result: dict[str, Any] | None = None,
) -> None:
    with sessions.begin() as session:
        job = session.get(Job, job_id)
        if job is None:
            return
        job.status = "failed"
        job.error = error
        job.result = result
        job.progress = dict(job.progress) | {"stage": "failed"}
        job.finished_at = utcnow()


WORKER_DIED = {
    "code": "worker_stopped",
    "sv": "Jobbet avbröts när servern stoppades, flera gånger. Försök igen.",
    "en": "The job was interrupted when the server stopped, several times. Try again.",
}


def requeue_stale(sessions: sessionmaker[Session]) -> int:
    """Jobs whose worker died (the process was killed): queued again, or failed after MAX_ATTEMPTS."""
    cutoff = utcnow() - STALE_AFTER
    with sessions.begin() as session:
        stale = session.scalars(select(Job).where(Job.status == "running", Job.heartbeat_at < cutoff)).all()
        for job in stale:
            if job.attempts >= MAX_ATTEMPTS:
                job.status = "failed"
                job.error = WORKER_DIED
                job.progress = dict(job.progress) | {"stage": "failed"}
                job.finished_at = utcnow()
            else:
                job.status = "queued"
        return len(stale)
