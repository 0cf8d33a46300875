"""Persistent URIs: /datasets/{uuid} names a dataset in DCAT; here it leads people and programs to it."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse

from datatorget.catalog.datasets import get_dataset
from datatorget.deps import ReaderViewer, SessionDep

router = APIRouter(tags=["uris"])


@router.get("/datasets/{ref}", summary="Resolve a dataset URI: to its page, or its JSON for API clients")
def resolve_dataset(
    ref: str, request: Request, session: SessionDep, viewer: ReaderViewer
) -> RedirectResponse:
    dataset = get_dataset(session, ref, viewer)
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        target = f"/api/v1/datasets/{dataset.id}"
    elif request.headers.get("accept-language", "").lower().startswith("en"):
        target = f"/en/datasets/{dataset.slug}"
    else:
        target = f"/datamangder/{dataset.slug}"
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
