"""Distributions: add a link (JSON) or upload a file (multipart), read, change, delete, download."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import FileResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from datatorget.api.errors import MalformedJSON, field_errors
from datatorget.catalog import distributions as service
from datatorget.catalog.datasets import get_dataset
from datatorget.catalog.present import distribution_out
from datatorget.catalog.schemas import (
    DistributionCreated,
    DistributionLinkIn,
    DistributionOut,
    DistributionPatch,
)
from datatorget.catalog.tables import is_tabular
from datatorget.deps import ApiViewer, ReaderViewer, SessionDep, SettingsDep
from datatorget.errors import ValidationFailed
from datatorget.jobs.ingestion import start_ingestion

router = APIRouter(tags=["distributions"])
files_router = APIRouter(tags=["files"])

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": DistributionLinkIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "title": {"type": "string", "description": "Swedish title"},
                        "title_en": {"type": "string"},
                        "description": {"type": "string", "description": "Swedish description (Markdown)"},
                        "description_en": {"type": "string"},
                        "format": {
                            "type": "string",
                            "description": "EU file type code; guessed when left out",
                        },
                        "license": {"type": "string"},
                    },
                }
            },
        },
    }
}


@router.get("/datasets/{ref}/distributions", summary="The distributions of a dataset")
def list_distributions(
    ref: str, session: SessionDep, viewer: ApiViewer, settings: SettingsDep
) -> list[DistributionOut]:
    dataset = get_dataset(session, ref, viewer)
    return [distribution_out(d, base_url=settings.base_url) for d in dataset.distributions]


@router.post(
    "/datasets/{ref}/distributions",
    status_code=status.HTTP_201_CREATED,
    summary="Add a distribution: JSON for a link, multipart/form-data with a `file` field for an upload",
    openapi_extra=UPLOAD_BODY,
)
async def add_distribution(
    ref: str, request: Request, session: SessionDep, viewer: ApiViewer, settings: SettingsDep
) -> DistributionCreated:
    content_type = request.headers.get("content-type", "")
    ingest = False
    if content_type.startswith("multipart/form-data"):
        async with request.form(max_files=1, max_fields=20) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise ValidationFailed({"file": ["send the file in a multipart field named 'file'"]})
            fields = {k: v for k, v in form.items() if isinstance(v, str) and v.strip()}
            texts = _form_texts(fields)
            # Copying, hashing and syncing a large file must not hold up the event loop: a worker thread.
            distribution = await run_in_threadpool(
                service.add_upload,
                session,
                ref,
                # the size of the file part itself; the request's Content-Length also counts the framing
                service.Upload(upload.file, upload.filename, upload.content_type, upload.size),
                viewer,
                files_dir=settings.files_dir,
                max_bytes=settings.max_upload_bytes,
                title=texts.title,
                description=texts.description,
                format=fields.get("format"),
                license=fields.get("license"),
            )
        ingest = is_tabular(distribution)
    elif content_type.startswith("application/json"):
        body = await request.body()
        try:
            raw = json.loads(body)
            ingest = isinstance(raw, dict) and raw.pop("ingest", False) is True
            data = DistributionLinkIn.model_validate(raw)
        except json.JSONDecodeError as exc:
            raise MalformedJSON(f"the body is not valid JSON: {exc.msg}") from None
        except ValidationError as exc:
            raise ValidationFailed(field_errors(exc.errors())) from None
        distribution = service.add_link(session, ref, data, viewer)
        if ingest and not is_tabular(distribution):
            raise ValidationFailed(
                {
                    "ingest": [
                        "only a link to a table file (CSV, TSV, XLSX, ODS, JSON, GeoJSON, Parquet) can be read in"
                    ]
                }
            )
    else:
        raise ValidationFailed(
            {"body": ["send JSON (a link) or multipart/form-data with a 'file' field (an upload)"]}
        )
    job = (
        start_ingestion(session, distribution, viewer, source="file" if distribution.file_name else "url")
        if ingest
        else None
    )
    out = distribution_out(distribution, base_url=settings.base_url).model_dump()
    if job is not None:
        out["table"] = f"{settings.base_url}/api/v1/tables/{distribution.id}"
    return DistributionCreated(**out, job=job.id if job else None)


@router.get("/distributions/{distribution_id}", summary="Read a distribution")
def read_distribution(
    distribution_id: uuid.UUID, session: SessionDep, viewer: ApiViewer, settings: SettingsDep
) -> DistributionOut:
    return distribution_out(
        service.get_distribution(session, distribution_id, viewer), base_url=settings.base_url
    )


@router.patch("/distributions/{distribution_id}", summary="Change a distribution")
def update_distribution(
    distribution_id: uuid.UUID, patch: DistributionPatch, session: SessionDep, viewer: ApiViewer,
    settings: SettingsDep,
) -> DistributionOut:  # fmt: skip
    distribution = service.update_distribution(session, distribution_id, patch, viewer)
    return distribution_out(distribution, base_url=settings.base_url)


@router.delete(
    "/distributions/{distribution_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete a distribution",
)
def delete_distribution(
    distribution_id: uuid.UUID, session: SessionDep, viewer: ApiViewer, settings: SettingsDep
) -> None:
    service.delete_distribution(
        session, distribution_id, viewer, files_dir=settings.files_dir, tables_dir=settings.tables_dir
    )


@files_router.get("/files/{distribution_id}/{file_name}", summary="Download an uploaded file")
def download(
    distribution_id: uuid.UUID,
    file_name: str,
    request: Request,
    session: SessionDep,
    viewer: ReaderViewer,
    settings: SettingsDep,
) -> Response:
    distribution = service.get_distribution(session, distribution_id, viewer)
    path = service.stored_file(distribution, settings.files_dir)  # NotFound for a link: it has no file name
    if distribution.file_name != file_name:
        return Response(status_code=status.HTTP_308_PERMANENT_REDIRECT, headers={
            "Location": f"/files/{distribution.id}/{distribution.file_name}"})  # fmt: skip
    request.app.state.demand.count_use(distribution.dataset_id, "download")
    return FileResponse(
        path,
        media_type=distribution.media_type or "application/octet-stream",
        filename=distribution.file_name,
        headers={"ETag": f'"{distribution.checksum_sha256}"', "Access-Control-Allow-Origin": "*"},
    )


def _languages(fields: dict[str, str], name: str) -> dict[str, str] | None:
    texts = {"sv": fields.get(name), "en": fields.get(f"{name}_en")}
    found = {lang: text.strip() for lang, text in texts.items() if text}
    return found or None


def _form_texts(fields: dict[str, str]) -> DistributionPatch:
    """The title and description sent as form fields, checked like those sent as JSON."""
    try:
        return DistributionPatch(
            title=_languages(fields, "title"), description=_languages(fields, "description")
        )
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc.errors())) from None
