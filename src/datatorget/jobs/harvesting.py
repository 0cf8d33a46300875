"""Starting a harvest by hand: the run, and the job that carries it out (the scheduler queues its own)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from datatorget.catalog.permissions import Viewer
from datatorget.interop.harvest_models import HarvestRun
from datatorget.interop.harvest_sources import HARVEST, queue_run
from datatorget.jobs import queue
from datatorget.jobs.models import Job


def start_harvest(session: Session, source_id: uuid.UUID, by: Viewer) -> tuple[HarvestRun, Job]:
    """Queue a run of the source now, and its job (admins only; Conflict while a run is queued or running)."""
    run = queue_run(session, source_id, by)
    return run, queue.enqueue(session, HARVEST, {"run_id": str(run.id)})
