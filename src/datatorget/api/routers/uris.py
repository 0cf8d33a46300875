"""Persistent URIs: /datasets/{uuid} names a dataset in DCAT; here it leads people and programs to it.

The URI answers by content negotiation: RDF (Turtle, RDF/XML, JSON-LD) for linked-data clients, JSON for
API clients, the dataset's page for people. Each is a 303 to the document, so the URI stays the name of the
dataset and not of one of its descriptions.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse

from datatorget.api.routers.dcat import exported_dataset, negotiate_rdf
from datatorget.api.routers.rows import CORS
from datatorget.catalog.datasets import get_dataset
from datatorget.deps import ReaderViewer, SessionDep

router = APIRouter(tags=["uris"])


@router.get(
    "/datasets/{ref}",
    summary="Resolve a dataset URI: to its RDF, its JSON or its page, by the Accept header",
    status_code=status.HTTP_303_SEE_OTHER,
)
def resolve_dataset(
    ref: str, request: Request, session: SessionDep, viewer: ReaderViewer
) -> RedirectResponse:
    accept = request.headers.get("accept", "")
    rdf = negotiate_rdf(accept)
    if rdf is not None:  # only published datasets have an RDF description
        dataset = exported_dataset(session, ref)
        target = f"/datasets/{dataset.slug}.{rdf}"
        return RedirectResponse(
            target, status_code=status.HTTP_303_SEE_OTHER, headers={**CORS, "Vary": "Accept"}
        )
    dataset = get_dataset(session, ref, viewer)
    if "application/json" in accept and "text/html" not in accept:
        target = f"/api/v1/datasets/{dataset.id}"
    elif request.headers.get("accept-language", "").lower().startswith("en"):
        target = f"/en/datasets/{dataset.slug}"
    else:
        target = f"/datamangder/{dataset.slug}"
    return RedirectResponse(
        target, status_code=status.HTTP_303_SEE_OTHER, headers={"Vary": "Accept, Accept-Language"}
    )
