"""/api/v1/harvest-sources and /api/v1/harvest-runs: the catalogs elsewhere whose datasets are harvested,
their runs and each run's report. Administrators only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from datatorget.deps import ApiViewer, SessionDep
from datatorget.interop import harvest_sources as service
from datatorget.interop.harvest_schemas import (
    HarvestRunOut,
    HarvestSourceIn,
    HarvestSourceOut,
    HarvestSourcePatch,
)
from datatorget.interop.harvest_sources import run_out, source_out
from datatorget.jobs.harvesting import start_harvest

router = APIRouter(tags=["harvesting"])


@router.get("/harvest-sources", summary="The harvest sources (administrators)")
def list_sources(session: SessionDep, viewer: ApiViewer) -> list[HarvestSourceOut]:
    return [source_out(session, s) for s in service.list_sources(session, viewer)]


@router.post(
    "/harvest-sources",
    status_code=status.HTTP_201_CREATED,
    summary="Add a catalog to harvest: a DCAT-AP endpoint, a CKAN site or another Datatorget",
)
def create_source(data: HarvestSourceIn, session: SessionDep, viewer: ApiViewer) -> HarvestSourceOut:
    return source_out(session, service.create_source(session, data, viewer))


@router.get("/harvest-sources/{source_id}", summary="Read a harvest source")
def read_source(source_id: uuid.UUID, session: SessionDep, viewer: ApiViewer) -> HarvestSourceOut:
    return source_out(session, service.get_source(session, source_id, viewer))


@router.patch("/harvest-sources/{source_id}", summary="Change some settings of a harvest source")
def update_source(
    source_id: uuid.UUID, patch: HarvestSourcePatch, session: SessionDep, viewer: ApiViewer
) -> HarvestSourceOut:
    return source_out(session, service.update_source(session, source_id, patch, viewer))


@router.delete(
    "/harvest-sources/{source_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete a harvest source and its runs; its datasets stay, withdrawn, as local datasets",
)
def delete_source(source_id: uuid.UUID, session: SessionDep, viewer: ApiViewer) -> None:
    service.delete_source(session, source_id, viewer)


@router.post(
    "/harvest-sources/{source_id}/runs",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Harvest a source now: queues a run (409 while one is queued or running)",
)
def start_run(source_id: uuid.UUID, session: SessionDep, viewer: ApiViewer) -> HarvestRunOut:
    run, _job = start_harvest(session, source_id, viewer)
    return run_out(run)


@router.get("/harvest-sources/{source_id}/runs", summary="The latest runs of a harvest source, newest first")
def list_runs(
    source_id: uuid.UUID,
    session: SessionDep,
    viewer: ApiViewer,
    limit: Annotated[int, Query(ge=1, le=200, description="How many runs, newest first.")] = 50,
) -> list[HarvestRunOut]:
    return [run_out(r) for r in service.list_runs(session, source_id, viewer, limit=limit)]


@router.get(
    "/harvest-runs/{run_id}", summary="A harvest run and its report: counts, and each record's outcome"
)
def read_run(run_id: uuid.UUID, session: SessionDep, viewer: ApiViewer) -> HarvestRunOut:
    return run_out(service.get_run(session, run_id, viewer))
