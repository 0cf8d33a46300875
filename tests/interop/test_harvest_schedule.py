"""The harvest schedule: due sources get a run and a job, their due time moves on, and one bad source
stops neither the scheduler nor the runs of the others."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, select

from datatorget.catalog import accounts
from datatorget.config import Settings
from datatorget.db.base import utcnow
from datatorget.interop.harvest_models import HarvestRun, HarvestSource
from datatorget.interop.harvest_schemas import HarvestSourceIn
from datatorget.interop.harvest_sources import HARVEST, create_source, due_harvests, queue_run
from datatorget.jobs import queue, scheduler
from datatorget.jobs.models import Job
from datatorget.jobs.tasks import JobContext
from datatorget.jobs.worker import run_job
from datatorget.store.connection import SharedConnection
from tests.http_server import send
from tests.interop.harvest_support import Harness, harness, serve_dcat, serving


def _source(
    harvesting: Harness, title: str, url: str = "https://data.vallby.se/dcat", **fields: Any
) -> HarvestSource:
    with harvesting.sessions.begin() as session:
        data = HarvestSourceIn.model_validate(
            {"title": title, "url": url, "kind": "dcat", "organization": "vallby-kommun"} | fields
        )
        return create_source(session, data, accounts.system_user(session))


def test_a_due_source_gets_a_scheduled_run_and_its_next_due_time_moves_on(
    engine: Engine, settings: Settings
) -> None:
    harvesting = harness(engine, settings)
    due = _source(harvesting, "Vallby", interval_hours=6)
    _source(harvesting, "Av", enabled=False)
    _source(harvesting, "För hand", interval_hours=0)
    now = utcnow() + timedelta(minutes=1)
    with harvesting.sessions.begin() as session:
        queued = due_harvests(session, now)
        runs = session.scalars(select(HarvestRun)).all()
        assert queued == [(HARVEST, {"run_id": str(runs[0].id)})]
        assert [(run.source_id, run.trigger, run.status) for run in runs] == [(due.id, "schedule", "queued")]
        assert session.get_one(HarvestSource, due.id).next_run_at == now + timedelta(hours=6)
    with harvesting.sessions.begin() as session:
        assert due_harvests(session, now + timedelta(hours=1)) == []


def test_a_due_source_with_a_run_in_progress_is_skipped_until_its_next_time(
    engine: Engine, settings: Settings
) -> None:
    harvesting = harness(engine, settings)
    source = _source(harvesting, "Vallby")
    with harvesting.sessions.begin() as session:
        queue_run(session, source.id, accounts.system_user(session))
    now = utcnow() + timedelta(minutes=1)
    with harvesting.sessions.begin() as session:
        assert due_harvests(session, now) == []
        assert session.get_one(HarvestSource, source.id).next_run_at == now + timedelta(hours=24)


def _harvest_jobs(harvesting: Harness) -> list[Job]:
    with harvesting.sessions.begin() as session:
        return list(session.scalars(select(Job).where(Job.kind == HARVEST)))


def test_the_scheduler_queues_a_harvest_job_for_each_due_source(engine: Engine, settings: Settings) -> None:
    harvesting = harness(engine, settings)
    _source(harvesting, "Vallby")
    _source(harvesting, "Norrtuna")
    scheduler.tick(harvesting.sessions, utcnow() + timedelta(minutes=1))
    assert len(_harvest_jobs(harvesting)) == 2


def test_a_bad_source_stops_neither_the_scheduler_nor_the_other_runs(
    engine: Engine, settings: Settings
) -> None:
    reachable = settings.model_copy(update={"fetch_private_addresses": True, "harvest_timeout_s": 5.0})
    harvesting = harness(engine, reachable)
    with serving() as site:
        site.routes["/broken"] = send(b"Internal Server Error", "text/plain", status=500)
        broken = _source(harvesting, "Trasig", site.url("/broken"))
        good = _source(harvesting, "Vallby", serve_dcat(site))
        scheduler.tick(harvesting.sessions, utcnow() + timedelta(minutes=1))
        duck = SharedConnection(reachable)
        try:
            context = JobContext(reachable, harvesting.sessions, duck)
            for job in _harvest_jobs(harvesting):
                claimed = queue.claim(harvesting.sessions, job.id)
                assert claimed is not None
                run_job(context, *claimed)
        finally:
            duck.close()
    with harvesting.sessions.begin() as session:
        runs = {run.source_id: run for run in session.scalars(select(HarvestRun))}
    failed = runs[broken.id]
    assert (failed.status, failed.error["code"] if failed.error else None) == ("failed", "http_error")
    assert (runs[good.id].status, runs[good.id].counts["created"]) == ("partial", 4)
    assert {job.status for job in _harvest_jobs(harvesting)} == {"succeeded"}
