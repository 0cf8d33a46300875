"""Tables: the schema, statistics and versions of a distribution's table, and the publisher's settings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from datatorget.api.routers.jobs import JobOut, job_out, prefers_swedish
from datatorget.catalog.permissions import can_edit_organization_data, require_edit
from datatorget.catalog.tables import get_table, readable_version, update_table_settings
from datatorget.deps import ApiViewer, SessionDep, SettingsDep
from datatorget.errors import ValidationFailed
from datatorget.jobs.ingestion import latest_job, reingest, upload_new_version
from datatorget.store.models import TableVersion
from datatorget.store.versions import version_summaries

router = APIRouter(tags=["tables"])


class VersionOut(BaseModel):
    number: int
    created_at: datetime
    row_count: int
    sha256: str
    byte_size: int
    summary: dict[str, Any] | None = Field(
        None, description="Rows added, removed and changed against the version before (null for the first)."
    )
    source: dict[str, Any] = Field(
        description="What was read: file name, format, encoding, delimiter, header line."
    )


class TableSettingsOut(BaseModel):
    on_error: Literal["blank", "refuse"]
    primary_key: list[str]
    overrides: dict[str, Any]


class TableOut(BaseModel):
    id: uuid.UUID = Field(description="The distribution's id: every table is addressed by it.")
    sql_name: str = Field(description="The name of the table in `GET /api/v1/sql`.")
    dataset: str
    version: int = Field(description="The version shown here: the current one unless `?version=` asked.")
    current_version: int | None
    row_count: int
    schema_: dict[str, Any] = Field(alias="schema", description="A Frictionless Table Schema.")
    stats: list[dict[str, Any]] | None = Field(
        None, description="Per column: nulls, distinct, min, max, top values. Null while being computed."
    )
    report: dict[str, Any] = Field(description="The validation report of this version.")
    versions: list[VersionOut]
    settings: TableSettingsOut
    links: dict[str, str]
    latest_job: JobOut | None = Field(
        None, description="The newest ingestion job; for the organisation's publishers only."
    )

    model_config = {"populate_by_name": True}


class TableSettingsIn(BaseModel):
    on_error: Literal["blank", "refuse"] | None = None
    primary_key: list[str] | None = None
    overrides: dict[str, ColumnOverride] | None = None


class ColumnOverride(BaseModel):
    type: (
        Literal[
            "string", "integer", "number", "boolean", "date", "datetime", "time", "geojson", "object", "array"
        ]
        | None
    ) = None
    title: dict[Literal["sv", "en"], str] | None = None
    description: dict[Literal["sv", "en"], str] | None = None


TableSettingsIn.model_rebuild()


def version_out(version: TableVersion) -> VersionOut:
    return VersionOut(number=version.number, created_at=version.created_at, row_count=version.row_count,
                      sha256=version.sha256, byte_size=version.byte_size, summary=version.summary,
                      source=version.source)  # fmt: skip


@router.get(
    "/tables/{table_id}",
    summary="A table: schema, row count, column statistics, versions",
    response_model_by_alias=True,
)
def read_table(
    table_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    viewer: ApiViewer,
    settings: SettingsDep,
    version: int | None = Query(None, description="A version number; the current version when left out."),
) -> TableOut:
    found = readable_version(session, table_id, viewer, tables_dir=settings.tables_dir, version=version)
    table, current = found.table, found.version
    base = f"{settings.base_url}/api/v1/tables/{table_id}"
    suffix = f"?_version={current.number}" if version is not None else ""
    publisher = can_edit_organization_data(viewer, found.distribution.dataset.organization_id)
    job = latest_job(session, table_id) if publisher else None
    return TableOut(
        id=table.distribution_id,
        sql_name=table.sql_name,
        dataset=found.distribution.dataset.slug,
        version=current.number,
        current_version=table.current_version,
        row_count=current.row_count,
        schema_=current.table_schema,
        stats=current.stats,
        report=current.report,
        versions=[version_out(v) for v in version_summaries(session, table.distribution_id)],
        settings=TableSettingsOut(
            on_error=table.on_error, primary_key=table.primary_key, overrides=table.overrides
        ),
        links={
            "rows": f"{base}/rows{suffix}",
            **{
                ext: f"{base}/rows.{ext}{suffix}"
                for ext in ("csv", "json", "ndjson", "geojson", "parquet", "xlsx")
            },
        },
        latest_job=job_out(job, base_url=settings.base_url, swedish=prefers_swedish(request))
        if job
        else None,
    )


@router.patch(
    "/tables/{table_id}",
    summary="Change how the table is read in: bad cells, primary key, column types and titles",
)
def change_table_settings(
    table_id: uuid.UUID, body: TableSettingsIn, session: SessionDep, viewer: ApiViewer
) -> TableSettingsOut:
    values = body.model_dump(exclude_unset=True)
    table = update_table_settings(session, table_id, values, viewer)
    return TableSettingsOut(on_error=table.on_error, primary_key=table.primary_key, overrides=table.overrides)


@router.post("/tables/{table_id}/ingest", status_code=status.HTTP_202_ACCEPTED,
             summary="Read the table in again (its file, or its URL fetched again), with the current settings")  # fmt: skip
def ingest_again(
    table_id: uuid.UUID, request: Request, session: SessionDep, viewer: ApiViewer, settings: SettingsDep
) -> JobOut:
    job = reingest(session, table_id, viewer)
    return job_out(job, base_url=settings.base_url, swedish=prefers_swedish(request))


@router.post(
    "/tables/{table_id}/versions",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Upload a new file as the table's next version (multipart `file`)",
    openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}}},
)  # fmt: skip
async def new_version(
    table_id: uuid.UUID, request: Request, session: SessionDep, viewer: ApiViewer, settings: SettingsDep
) -> JobOut:
    distribution, _table = get_table(session, table_id, viewer)
    require_edit(viewer, distribution.dataset.organization_id)  # before a byte of the body is read
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ValidationFailed({"file": ["send the file as multipart/form-data in a field named 'file'"]})
    async with request.form(max_files=1, max_fields=5) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed({"file": ["send the file in a multipart field named 'file'"]})
        job = await run_in_threadpool(
            upload_new_version, session, table_id, upload.file, upload.filename, viewer, settings=settings
        )
    return job_out(job, base_url=settings.base_url, swedish=prefers_swedish(request))
