"""The catalog and each dataset as DCAT-AP-SE RDF: /datasets/dcat, /catalog.{rdf,ttl,jsonld},
/datasets/{slug}.{rdf,ttl,jsonld}.

The catalog is streamed a dataset at a time (interop/dcat_feed.py); since the response is written after
the handler returns, the stream reads through a session of its own. Every answer, errors included, may be
read by pages on any site (`Access-Control-Allow-Origin: *`), as the data API's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from email.utils import format_datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from datatorget.api.routers.rows import CORS, DataRoute
from datatorget.catalog.datasets import find_dataset
from datatorget.catalog.models import Dataset
from datatorget.config import Settings
from datatorget.deps import SessionDep, SettingsDep
from datatorget.errors import NotFound
from datatorget.interop.dcat_document import MEDIA_TYPES, RDF_FORMATS, RdfFormat, write_document
from datatorget.interop.dcat_export import dataset_graph
from datatorget.interop.dcat_feed import (
    FeedQuery,
    catalog_graphs,
    catalog_version,
    check_page,
    count_datasets,
    parse_feed_query,
)

router = APIRouter(tags=["dcat"], route_class=DataRoute)

PageParam = Annotated[
    str | None, Query(description="The page, from 1; each page has `DATATORGET_DCAT_PAGE_SIZE` datasets.")
]
SinceParam = Annotated[
    str | None,
    Query(description="Only datasets changed since this ISO 8601 date or time (UTC when no zone is given)."),
]
CACHE_CONTROL = "public, no-cache"  # may be kept, but ask again (with If-None-Match) before using it


@router.get(
    "/datasets/dcat",
    summary="The catalog as DCAT-AP-SE RDF/XML: the address dataportal.se harvests",
    response_class=Response,
    responses={200: {"content": {"application/rdf+xml": {}}}},
)
def catalog_for_dataportal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    page: PageParam = None,
    modified_since: SinceParam = None,
) -> Response:
    return _catalog(request, session, settings, "rdf", page, modified_since)


@router.get(
    "/catalog.{ext}",
    summary="The catalog as DCAT-AP-SE: RDF/XML (.rdf), Turtle (.ttl) or JSON-LD (.jsonld)",
    response_class=Response,
    responses={200: {"content": {media: {} for media in MEDIA_TYPES.values()}}},
)
def catalog(
    ext: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    page: PageParam = None,
    modified_since: SinceParam = None,
) -> Response:
    return _catalog(request, session, settings, _format(ext, "/catalog"), page, modified_since)


@router.get(
    "/datasets/{slug}.{ext}",
    summary="One published dataset as DCAT-AP-SE: RDF/XML (.rdf), Turtle (.ttl) or JSON-LD (.jsonld)",
    response_class=Response,
    responses={200: {"content": {media: {} for media in MEDIA_TYPES.values()}}},
)
def dataset(slug: str, ext: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    fmt = _format(ext, f"/datasets/{slug}")
    found = exported_dataset(session, slug)
    body = b"".join(write_document([dataset_graph(found, base_url=settings.base_url)], fmt))
    headers = {
        **CORS,
        "ETag": f'"{hashlib.sha256(body).hexdigest()[:32]}"',
        "Last-Modified": format_datetime(found.modified, usegmt=True),
        "Cache-Control": CACHE_CONTROL,
    }
    if _matches(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)


def exported_dataset(session: Session, ref: str) -> Dataset:
    """The dataset with this slug or UUID if it is published; NotFound for any other, whoever asks:
    drafts and private datasets are never exported."""
    found = find_dataset(session, ref)
    if found is None or found.state != "published":
        raise NotFound(f"no published dataset '{ref}'")
    return found


def negotiate_rdf(accept: str) -> RdfFormat | None:
    """The RDF format an Accept header prefers over HTML and JSON, or None. Wildcards count for neither."""
    best: tuple[float, RdfFormat] | None = None
    other = 0.0
    by_media_type = {media: fmt for fmt, media in MEDIA_TYPES.items()}
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        fmt = by_media_type.get(media.lower())
        if fmt is not None:
            if quality > 0 and (best is None or quality > best[0]):
                best = (quality, fmt)
        elif media.lower() in ("text/html", "application/xhtml+xml", "application/json"):
            other = max(other, quality)
    return best[1] if best is not None and best[0] > other else None


def _format(ext: str, path: str) -> RdfFormat:
    for fmt in RDF_FORMATS:
        if ext == fmt:
            return fmt
    raise NotFound(f"no '{path}.{ext}': the formats are .rdf (RDF/XML), .ttl (Turtle) and .jsonld (JSON-LD)")


def _matches(request: Request, etag: str) -> bool:
    asked = request.headers.get("if-none-match", "")
    return etag in (tag.strip().removeprefix("W/") for tag in asked.split(",")) or asked.strip() == "*"


def _catalog(
    request: Request,
    session: Session,
    settings: Settings,
    fmt: RdfFormat,
    page: str | None,
    modified_since: str | None,
) -> Response:
    query = parse_feed_query(page, modified_since, include_harvested=settings.dcat_include_harvested)
    total = count_datasets(session, query)
    check_page(query, total, settings.dcat_page_size)
    headers = {
        **CORS,
        "ETag": f'"{catalog_version(session, query, fmt, settings.dcat_page_size)}"',
        "Cache-Control": CACHE_CONTROL,
    }
    if _matches(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    stream = _stream(
        request.app.state.sessionmaker, settings, query, fmt, f"{settings.base_url}{request.url.path}", total
    )
    return StreamingResponse(stream, media_type=MEDIA_TYPES[fmt], headers=headers)


def _stream(
    sessions: sessionmaker[Session],
    settings: Settings,
    query: FeedQuery,
    fmt: RdfFormat,
    document_url: str,
    total: int,
) -> Iterator[bytes]:
    with sessions() as session:
        graphs = catalog_graphs(
            session,
            query,
            base_url=settings.base_url,
            publisher_slug=settings.catalog_publisher,
            page_size=settings.dcat_page_size,
            document_url=document_url,
            total=total,
        )
        yield from write_document(graphs, fmt)
