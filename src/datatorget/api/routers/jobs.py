"""Background jobs: what an ingestion is doing now, and how it ended."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from datatorget.catalog.models import Distribution
from datatorget.catalog.permissions import can_edit_organization_data, can_see
from datatorget.deps import ApiViewer, SessionDep, SettingsDep
from datatorget.errors import NotFound
from datatorget.jobs.models import Job
from datatorget.jobs.queue import get_job

router = APIRouter(tags=["jobs"])


class JobProgress(BaseModel):
    stage: str = Field(description="queued, reading, checking, writing, comparing, statistics or done")
    percent: float
    rows_read: int | None = None


class JobOut(BaseModel):
    id: uuid.UUID
    kind: str
    status: Literal["queued", "running", "succeeded", "failed"]
    progress: JobProgress
    error: str | None = Field(
        None, description="Why it failed, in plain language (Swedish or English, by Accept-Language)."
    )
    error_code: str | None = None
    messages: dict[str, str] | None = Field(
        None, description="The error in both languages: {'sv': ..., 'en': ...}."
    )
    report: dict[str, Any] | None = Field(
        None, description="The validation report, when the file was read far enough."
    )
    result: dict[str, Any] | None = None
    table: str | None = None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def prefers_swedish(request: Request) -> bool:
    accepted = request.headers.get("accept-language", "").lower()
    return accepted.startswith("sv") or (accepted.find("sv") != -1 and accepted.find("en") == -1)


def job_out(job: Job, *, base_url: str, swedish: bool, publisher: bool = True) -> JobOut:
    """The job as the API shows it. Only the publisher sees why it failed and the report: a refused file
    was never published, and its report quotes its cells."""
    error = job.error or None
    result = dict(job.result) if job.result else None
    report = (result or {}).pop("report", None) if result else None
    if not publisher:
        result = {"version": result["version"]} if result and "version" in result else None
        report = None
        error = (
            {
                "code": error["code"],
                "sv": "Filen gick inte att läsa in.",
                "en": "The file could not be read in.",
            }
            if error
            else None
        )
    return JobOut(
        id=job.id,
        kind=job.kind,
        status=job.status,
        progress=JobProgress(
            stage=job.progress.get("stage", job.status),
            percent=job.progress.get("percent") or 0,
            rows_read=job.progress.get("rows_read"),
        ),
        error=(error["sv"] if swedish else error["en"]) if error else None,
        error_code=error["code"] if error else None,
        messages={"sv": error["sv"], "en": error["en"]} if error else None,
        report=report,
        result=result,
        table=f"{base_url}/api/v1/tables/{job.distribution_id}" if job.distribution_id else None,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


@router.get("/jobs/{job_id}", summary="A background job: status, progress, and the error when it failed")
def read_job(
    job_id: uuid.UUID, request: Request, session: SessionDep, viewer: ApiViewer, settings: SettingsDep
) -> JobOut:
    job = get_job(session, job_id)
    distribution = session.get(Distribution, job.distribution_id) if job.distribution_id else None
    if distribution is None or not can_see(viewer, distribution.dataset):
        raise NotFound(f"no job '{job_id}'")
    publisher = can_edit_organization_data(viewer, distribution.dataset.organization_id)
    return job_out(job, base_url=settings.base_url, swedish=prefers_swedish(request), publisher=publisher)
