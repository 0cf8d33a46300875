"""Harvest sources and their runs, for administrators: create, change, delete, list, and queue a run; and
the schedule that queues the runs that are due.

Queueing a run makes a `harvest_run` row with status "queued"; the caller (API, CLI, scheduler) then queues
the job that runs it: `queue.enqueue(session, HARVEST, {"run_id": str(run.id)})`. A source has at most one
run queued or running at a time. A run that has been queued or running for longer than STALE_AFTER (its
worker died for good) no longer counts, and is marked failed when the next one is queued.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, lazyload

from datatorget.catalog.changes import record_change
from datatorget.catalog.datasets import organization_by_slug, touch
from datatorget.catalog.models import Dataset
from datatorget.catalog.permissions import Viewer, require_admin
from datatorget.catalog.schemas import OrganizationRef
from datatorget.db.base import utcnow
from datatorget.errors import Conflict, NotFound, ValidationFailed
from datatorget.interop.harvest_models import RECORD_OUTCOMES, HarvestRecord, HarvestRun, HarvestSource
from datatorget.interop.harvest_schemas import (
    HarvestRunOut,
    HarvestSourceIn,
    HarvestSourceOut,
    HarvestSourcePatch,
    RunSummary,
)
from datatorget.store.fetch import parse_target
from datatorget.store.report import IngestionFailed

HARVEST = "harvest"  # the job kind that runs a harvest run (jobs/tasks.py)
ACTIVE = ("queued", "running")
STALE_AFTER = timedelta(hours=12)
STALE_ERROR = {
    "code": "interrupted",
    "sv": "Körningen avbröts (servern stoppades) och kom aldrig att slutföras.",
    "en": "The run was interrupted (the server stopped) and never finished.",
}


def create_source(session: Session, data: HarvestSourceIn, by: Viewer) -> HarvestSource:
    """A new source; its first scheduled run is due at once when it has an interval."""
    user = require_admin(by)
    _check_url(data.url)
    now = utcnow()
    source = HarvestSource(
        id=uuid.uuid4(),
        title=data.title,
        url=data.url,
        kind=data.kind,
        organization=organization_by_slug(session, data.organization),
        interval_hours=data.interval_hours,
        enabled=data.enabled,
        next_run_at=now if data.interval_hours > 0 else None,
        created_by=user.id,
        created_at=now,
        modified=now,
    )
    session.add(source)
    session.flush()
    return source


def update_source(
    session: Session, source_id: uuid.UUID, patch: HarvestSourcePatch, by: Viewer
) -> HarvestSource:
    """Change the fields given. The next run moves when the interval changes (0: no scheduled run)."""
    require_admin(by)
    source = _source(session, source_id)
    values = patch.model_dump(exclude_unset=True)
    for required in ("title", "url", "kind", "organization", "interval_hours", "enabled"):
        if required in values and values[required] is None:
            raise ValidationFailed({required: ["may not be null"]})
    if "url" in values:
        _check_url(values["url"])
    if "organization" in values:
        source.organization = organization_by_slug(session, values.pop("organization"))
    for name, value in values.items():
        setattr(source, name, value)
    now = utcnow()
    if source.interval_hours == 0:
        source.next_run_at = None
    elif source.next_run_at is None:
        source.next_run_at = now
    elif "interval_hours" in values:
        source.next_run_at = min(source.next_run_at, now + timedelta(hours=source.interval_hours))
    source.modified = now
    session.flush()
    return source


def delete_source(session: Session, source_id: uuid.UUID, by: Viewer) -> int:
    """Delete a source with its runs and records. Its datasets are not deleted: they are withdrawn (made
    private) and their `origin` cleared, so that they become ordinary local datasets, which their
    organisation may then edit, publish again or delete. The number of datasets so kept."""
    user = require_admin(by)
    source = _source(session, source_id)
    if _active_run(session, source.id, utcnow()) is not None:
        raise Conflict("a run of this source is queued or running: delete the source when it has ended")
    datasets = session.scalars(
        select(Dataset)
        .join(HarvestRecord, HarvestRecord.dataset_id == Dataset.id)
        .where(HarvestRecord.source_id == source.id)
    ).all()
    kept = 0
    for dataset in datasets:
        if dataset.origin is None:
            continue
        fields: dict[str, list[Any]] = {"origin": [dataset.origin, None]}
        if dataset.state != "private":
            fields["state"] = [dataset.state, "private"]
        dataset.state, dataset.origin = "private", None
        touch(dataset)
        record_change(session, user, "dataset", dataset.id, "update", fields, dataset_id=dataset.id,
                      summary=f"harvest source deleted: {source.title}"[:200])  # fmt: skip
        kept += 1
    session.delete(source)
    session.flush()
    return kept


def list_sources(session: Session, by: Viewer) -> list[HarvestSource]:
    """Every source, by title."""
    require_admin(by)
    return list(session.scalars(select(HarvestSource).order_by(HarvestSource.title, HarvestSource.id)))


def get_source(session: Session, source_id: uuid.UUID, by: Viewer) -> HarvestSource:
    require_admin(by)
    return _source(session, source_id)


def source_out(session: Session, source: HarvestSource) -> HarvestSourceOut:
    """The source as the API and the pages show it: with its last run and its number of datasets."""
    last = session.scalar(
        select(HarvestRun)
        .where(HarvestRun.source_id == source.id)
        .order_by(HarvestRun.created_at.desc(), HarvestRun.id)
        .limit(1)
    )
    count = session.scalar(
        select(func.count())
        .select_from(HarvestRecord)
        .join(Dataset, Dataset.id == HarvestRecord.dataset_id)
        .where(HarvestRecord.source_id == source.id, HarvestRecord.withdrawn_at.is_(None))
    )
    return HarvestSourceOut(
        id=source.id,
        title=source.title,
        url=source.url,
        kind=source.kind,
        organization=OrganizationRef.model_validate(source.organization),
        interval_hours=source.interval_hours,
        enabled=source.enabled,
        next_run_at=source.next_run_at,
        created_at=source.created_at,
        modified=source.modified,
        dataset_count=count or 0,
        last_run=RunSummary.model_validate(last) if last is not None else None,
    )


def queue_run(
    session: Session, source_id: uuid.UUID, by: Viewer, trigger: Literal["manual", "schedule"] = "manual"
) -> HarvestRun:
    """A queued run of the source; Conflict when one is queued or running already."""
    require_admin(by)
    source = _source(session, source_id)
    if _active_run(session, source.id, utcnow()) is not None:
        raise Conflict(
            "a run of this source is already queued or running", {"source": ["a run is queued or running"]}
        )
    return _new_run(session, source, trigger)


def list_runs(session: Session, source_id: uuid.UUID, by: Viewer, limit: int = 50) -> list[HarvestRun]:
    """The source's runs, newest first."""
    require_admin(by)
    source = _source(session, source_id)
    return list(
        session.scalars(
            select(HarvestRun)
            .where(HarvestRun.source_id == source.id)
            .order_by(HarvestRun.created_at.desc(), HarvestRun.id)
            .limit(max(1, min(limit, 1000)))
        )
    )


def get_run(session: Session, run_id: uuid.UUID, by: Viewer) -> HarvestRun:
    require_admin(by)
    run = session.get(HarvestRun, run_id)
    if run is None:
        raise NotFound(f"no harvest run '{run_id}'")
    return run


def run_out(run: HarvestRun) -> HarvestRunOut:
    return HarvestRunOut.model_validate(run)


def due_harvests(session: Session, now: datetime) -> list[tuple[str, dict[str, Any]]]:
    """The schedule (jobs/scheduler.py): a run for each enabled source that is due and has no run queued or
    running, and its next due time moved on by its interval (also when it is skipped for a run in
    progress). On PostgreSQL the sources are locked FOR UPDATE SKIP LOCKED, so two schedulers never queue
    the same one; each source is handled in a savepoint, so one that fails is skipped alone."""
    statement = (
        select(HarvestSource)
        .options(lazyload(HarvestSource.organization))
        .where(
            HarvestSource.enabled.is_(True),
            HarvestSource.interval_hours > 0,
            HarvestSource.next_run_at.is_not(None),
            HarvestSource.next_run_at <= now,
        )
        .order_by(HarvestSource.next_run_at)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True, of=HarvestSource)
    due: list[tuple[str, dict[str, Any]]] = []
    for source in session.scalars(statement).all():
        with session.begin_nested():
            source.next_run_at = now + timedelta(hours=source.interval_hours)
            if _active_run(session, source.id, now) is None:
                run = _new_run(session, source, "schedule")
                due.append((HARVEST, {"run_id": str(run.id)}))
    return due


def _new_run(session: Session, source: HarvestSource, trigger: str) -> HarvestRun:
    run = HarvestRun(
        id=uuid.uuid4(),
        source_id=source.id,
        status="queued",
        trigger=trigger,
        created_at=utcnow(),
        counts=dict.fromkeys(RECORD_OUTCOMES, 0),
        records=[],
    )
    session.add(run)
    session.flush()
    return run


def _active_run(session: Session, source_id: uuid.UUID, now: datetime) -> HarvestRun | None:
    """The run of the source that is queued or running; one stale for STALE_AFTER is marked failed."""
    runs = session.scalars(
        select(HarvestRun).where(HarvestRun.source_id == source_id, HarvestRun.status.in_(ACTIVE))
    ).all()
    active = None
    for run in runs:
        if (run.started_at or run.created_at) < now - STALE_AFTER:
            run.status, run.error, run.finished_at = "failed", STALE_ERROR, now
        else:
            active = run
    return active


def _source(session: Session, source_id: uuid.UUID) -> HarvestSource:
    source = session.get(HarvestSource, source_id)
    if source is None:
        raise NotFound(f"no harvest source '{source_id}'")
    return source


def _check_url(url: str) -> None:
    """Refuse an address the harvester could never fetch (not http or https, a user name in it)."""
    try:
        parse_target(url)
    except IngestionFailed as exc:
        raise ValidationFailed({"url": [exc.en]}) from None


def harvested_by(session: Session, source_id: uuid.UUID) -> list[Dataset]:
    """The datasets harvested from the source and not withdrawn, by title."""
    return list(
        session.scalars(
            select(Dataset)
            .join(HarvestRecord, HarvestRecord.dataset_id == Dataset.id)
            .where(HarvestRecord.source_id == source_id, HarvestRecord.withdrawn_at.is_(None))
            .order_by(Dataset.title_sort)
        )
    )
