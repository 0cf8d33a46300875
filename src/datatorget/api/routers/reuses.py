"""/api/v1/reuses: apps, services, visualisations and analyses built on datasets, and their approval by staff."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from datatorget.deps import ApiViewer, ApiWrite, ReaderViewer, SessionDep, SettingsDep
from datatorget.dialogue import moderation
from datatorget.dialogue import reuses as service
from datatorget.dialogue.models import Reuse
from datatorget.dialogue.reuse_present import reuse_out, reuse_outs
from datatorget.dialogue.schemas import (
    HiddenIn,
    ReuseIn,
    ReuseKind,
    ReuseList,
    ReuseOut,
    ReusePatch,
    ReuseState,
)
from datatorget.errors import ValidationFailed
from datatorget.jobs import notify

router = APIRouter(tags=["reuses"])

IMAGE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["image", "alt"],
                    "properties": {
                        "image": {
                            "type": "string",
                            "format": "binary",
                            "description": "A PNG, JPEG or WebP image of at most 2 MB",
                        },
                        "alt": {
                            "type": "string",
                            "description": "What the image shows (at most 300 characters)",
                        },
                    },
                }
            }
        },
    }
}


@router.get(
    "/reuses", summary="Reuses: approved ones, or (for their submitters and staff) pending or rejected"
)
def list_reuses(
    session: SessionDep,
    viewer: ApiViewer,
    settings: SettingsDep,
    state: ReuseState = "approved",
    kind: ReuseKind | None = None,
    dataset: str | None = None,
    limit: Annotated[int, Query(ge=1, le=service.PAGE_MAX)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ReuseList:
    total, found = service.list_reuses(
        session, viewer, state=state, kind=kind, dataset=dataset, limit=limit, offset=offset
    )
    return ReuseList(total=total, items=reuse_outs(session, found, viewer, base_url=settings.base_url))


@router.post(
    "/reuses", status_code=status.HTTP_201_CREATED, dependencies=[ApiWrite],
    summary="Register a reuse (with an account); it is public once staff approve it",
)  # fmt: skip
def register_reuse(
    data: ReuseIn, session: SessionDep, viewer: ApiViewer, settings: SettingsDep, response: Response
) -> ReuseOut:
    reuse = service.register_reuse(session, data, viewer)
    response.headers["Location"] = f"{settings.base_url}/api/v1/reuses/{reuse.id}"
    return reuse_out(session, reuse, viewer, base_url=settings.base_url)


@router.get("/reuses/{reuse_id}", summary="A reuse")
def read_reuse(
    reuse_id: uuid.UUID, session: SessionDep, viewer: ApiViewer, settings: SettingsDep
) -> ReuseOut:
    return reuse_out(
        session, service.get_reuse(session, reuse_id, viewer), viewer, base_url=settings.base_url
    )


@router.patch(
    "/reuses/{reuse_id}", dependencies=[ApiWrite],
    summary="Change a reuse (its submitter: it waits for approval again), or approve or reject it (staff)",
)  # fmt: skip
def change_reuse(
    reuse_id: uuid.UUID, patch: ReusePatch, session: SessionDep, viewer: ApiViewer, settings: SettingsDep
) -> ReuseOut:
    reuse = service.change_reuse(session, reuse_id, patch, viewer)
    if patch.state is not None:
        notify.reuse_decided(session, settings, reuse)
    return reuse_out(session, reuse, viewer, base_url=settings.base_url)


@router.delete(
    "/reuses/{reuse_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
    dependencies=[ApiWrite], summary="Delete a reuse (its submitter, or an administrator)",
)  # fmt: skip
def delete_reuse(reuse_id: uuid.UUID, session: SessionDep, viewer: ApiViewer, settings: SettingsDep) -> None:
    service.delete_reuse(session, reuse_id, viewer, files_dir=settings.files_dir)


@router.put(
    "/reuses/{reuse_id}/image", dependencies=[ApiWrite], openapi_extra=IMAGE_BODY,
    summary="Give a reuse an image (multipart: `image` and `alt`); it waits for approval again",
)  # fmt: skip
async def put_image(
    reuse_id: uuid.UUID, request: Request, session: SessionDep, viewer: ApiViewer, settings: SettingsDep
) -> ReuseOut:
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ValidationFailed({"image": ["send multipart/form-data with the fields 'image' and 'alt'"]})
    async with request.form(max_files=1, max_fields=5) as form:
        upload, alt = form.get("image"), form.get("alt")
        if not isinstance(upload, UploadFile):
            raise ValidationFailed({"image": ["send the image in a multipart field named 'image'"]})
        reuse = await run_in_threadpool(
            service.set_image, session, reuse_id, upload.file, alt if isinstance(alt, str) else None, viewer,
            files_dir=settings.files_dir,
        )  # fmt: skip
    return reuse_out(session, reuse, viewer, base_url=settings.base_url)


@router.delete(
    "/reuses/{reuse_id}/image", dependencies=[ApiWrite], summary="Take a reuse's image away (its submitter)"
)
def delete_image(
    reuse_id: uuid.UUID, session: SessionDep, viewer: ApiViewer, settings: SettingsDep
) -> ReuseOut:
    reuse = service.remove_image(session, reuse_id, viewer, files_dir=settings.files_dir)
    return reuse_out(session, reuse, viewer, base_url=settings.base_url)


@router.get(
    "/reuses/{reuse_id}/image",
    response_class=FileResponse,
    responses={200: {"content": {"image/png": {}, "image/jpeg": {}, "image/webp": {}}}},
    summary="A reuse's image, served by this portal",
)
def read_image(
    reuse_id: uuid.UUID, session: SessionDep, viewer: ReaderViewer, settings: SettingsDep
) -> FileResponse:
    reuse = service.get_reuse(session, reuse_id, viewer)
    path = service.stored_image(reuse, settings.files_dir)
    return FileResponse(
        path,
        media_type=reuse.image_type or "application/octet-stream",
        headers={"ETag": f'"{reuse.image_sha256}"', "Cache-Control": _cache_control(reuse)},
    )


@router.put(
    "/reuses/{reuse_id}/hidden", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
    dependencies=[ApiWrite], summary="Hide a reuse from everyone but staff and its submitter, with the reason (staff)",
)  # fmt: skip
def hide_reuse(reuse_id: uuid.UUID, data: HiddenIn, session: SessionDep, viewer: ApiViewer) -> None:
    moderation.set_hidden(session, "reuse", reuse_id, data.reason, viewer)


@router.delete(
    "/reuses/{reuse_id}/hidden", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
    dependencies=[ApiWrite], summary="Show a hidden reuse again (staff)",
)  # fmt: skip
def unhide_reuse(reuse_id: uuid.UUID, session: SessionDep, viewer: ApiViewer) -> None:
    moderation.set_hidden(session, "reuse", reuse_id, None, viewer)


@router.get("/datasets/{slug}/reuses", summary="The approved reuses of a dataset")
def dataset_reuses(
    slug: str,
    session: SessionDep,
    viewer: ApiViewer,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=service.PAGE_MAX)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ReuseList:
    total, found = service.list_reuses(session, viewer, dataset=slug, limit=limit, offset=offset)
    return ReuseList(total=total, items=reuse_outs(session, found, viewer, base_url=settings.base_url))


def _cache_control(reuse: Reuse) -> str:
    """A public image may be cached anywhere for a day (a new image has a new address); one only its
    submitter and staff see, nowhere but their own browser."""
    public = reuse.state == "approved" and reuse.hidden_reason is None
    return "public, max-age=86400" if public else "private, no-cache"
