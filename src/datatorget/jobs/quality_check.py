"""The scheduled quality check: the `check_quality` job, the schedule that queues it once per
`quality_check_interval_hours`, and the function `datatorget quality check` calls to run it at once.

The check asks every linked distribution's addresses (interop.link_check) and validates against DCAT-AP the
datasets changed since their last validation (interop.compliance). The schedule keeps one row,
`quality_schedule` (id 1): when it queues the job it moves the due time a lease ahead (LEASE), so that a
second process ticking at the same moment finds nothing due (on PostgreSQL the row is locked FOR UPDATE
SKIP LOCKED, and a second process skips it; SQLite serialises writers); the job, when it ends, sets the
next due time one interval on. A job that fails is retried by the queue; once the lease passes the schedule
queues a new one.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from datatorget.catalog.models import Dataset, Distribution
from datatorget.config import Settings
from datatorget.db.base import utcnow
from datatorget.interop.compliance import check_stale
from datatorget.interop.link_check import (
    Prober,
    ask_all,
    forget_removed_links,
    http_prober,
    links_to_check,
    store_answers,
)
from datatorget.interop.quality_models import QualitySchedule
from datatorget.jobs.models import Job

if TYPE_CHECKING:
    from datatorget.jobs.scheduler import Due
    from datatorget.jobs.tasks import JobContext
    from datatorget.store.progress import Progress

log = logging.getLogger(__name__)

CHECK_QUALITY = "check_quality"
SCHEDULE_ROW = 1
LEASE = timedelta(hours=2)  # how long a queued check holds off the next one


def run_quality_check(
    sessions: sessionmaker[Session], settings: Settings, *, prober: Prober | None = None
) -> dict[str, int]:
    """Check every link and validate the changed datasets now; the counts of what was done."""
    with sessions.begin() as session:
        links = links_to_check(session)
    answers = ask_all(links, prober or http_prober(settings))  # no transaction open while we wait
    with sessions.begin() as session:
        now = utcnow()
        store_answers(session, answers, now=now)
        forget_removed_links(session, links)
    with sessions.begin() as session:
        datasets = session.scalars(
            select(Dataset).options(selectinload(Dataset.distributions).selectinload(Distribution.data_table))
        )
        validated = check_stale(session, datasets, base_url=settings.base_url, now=utcnow())
    with sessions.begin() as session:
        finished = utcnow()
        row = _schedule_row(session)
        row.last_finished_at = finished
        row.next_due_at = finished + timedelta(hours=settings.quality_check_interval_hours)
    return {
        "links": len(links),
        "links_failing": sum(1 for answer in answers.values() if not answer.ok),
        "datasets_validated": validated,
    }


def check_quality(
    ctx: JobContext, job_id: uuid.UUID, params: dict[str, Any], on_progress: Callable[[Progress], None] | None
) -> dict[str, Any]:
    """The job: run the quality check. Safe to repeat: each run replaces the stored results."""
    return dict(run_quality_check(ctx.sessions, ctx.settings))


def quality_schedule(session: Session, now: datetime) -> Due:
    """The schedule: the check, when it is due and none is waiting or running."""
    statement = select(QualitySchedule).where(QualitySchedule.id == SCHEDULE_ROW)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    row = session.scalar(statement)
    if row is None:
        if session.get(QualitySchedule, SCHEDULE_ROW) is not None:
            return []  # another process holds the row
        try:
            with session.begin_nested():
                session.add(QualitySchedule(id=SCHEDULE_ROW, next_due_at=now + LEASE))
        except IntegrityError:
            return []  # another process made it first
        return [(CHECK_QUALITY, {})]
    if row.next_due_at is not None and row.next_due_at > now:
        return []
    row.next_due_at = now + LEASE
    waiting = select(Job.id).where(Job.kind == CHECK_QUALITY, Job.status.in_(("queued", "running"))).limit(1)
    if session.scalar(waiting) is not None:
        return []
    return [(CHECK_QUALITY, {})]


def _schedule_row(session: Session) -> QualitySchedule:
    row = session.get(QualitySchedule, SCHEDULE_ROW, with_for_update=True)
    if row is None:
        row = QualitySchedule(id=SCHEDULE_ROW)
        session.add(row)
    return row
