"""/api/v1/demand: the picture of demand for staff (JSON), and its aggregates as open data (CSV).

Counts are kept in memory and written every 30 seconds (dialogue/demand.py), so a search, a view or a download
shows here within about half a minute. No count says who searched, viewed or downloaded.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from datatorget.deps import ApiViewer, SessionDep
from datatorget.dialogue import demand
from datatorget.dialogue.models import DataRequest
from datatorget.dialogue.schemas import OrganizationRef, RequestState
from datatorget.store.export import neutralise

router = APIRouter(prefix="/demand", tags=["demand"])

Days = Annotated[
    int, Query(ge=1, le=3660, description="Searches of the last this many days (today included).")
]
Months = Annotated[
    int, Query(ge=1, le=120, description="Use in the last this many calendar months (this month included).")
]
Limit = Annotated[int, Query(ge=1, le=100, description="How many searches and requests to list.")]


class UnmetSearch(BaseModel):
    query: str = Field(description="Lower case, one space between words.")
    searches: int
    days: int = Field(description="On how many different days it was searched for.")
    public: bool = Field(
        description=f"Searched for on at least {demand.PUBLISH_MIN_DAYS} different days: published in "
        "searches.csv."
    )


class WantedRequest(BaseModel):
    id: uuid.UUID
    title: str
    organization: OrganizationRef
    state: RequestState
    votes: int
    created_at: datetime


class DatasetUse(BaseModel):
    dataset: str = Field(description="The slug of the dataset.")
    month: str = Field(description="YYYY-MM (UTC).")
    views: int = Field(description="Pages and API reads of the dataset.")
    downloads: int = Field(description="File downloads and table exports.")
    api_calls: int = Field(
        description="Pages of rows, aggregates, facets and SQL queries that name its tables."
    )


class DemandOut(BaseModel):
    """The picture of demand: what people look for and do not find, what they ask for, and what they use."""

    searches_since: date
    usage_since: date
    unmet_searches: list[UnmetSearch] = Field(description="Searches with words that found nothing.")
    most_voted_requests: list[WantedRequest] = Field(description="Open public requests, most votes first.")
    requests_by_state: dict[str, int] = Field(description="Public requests in each state.")
    usage: list[DatasetUse] = Field(description="By dataset slug, then month.")


@router.get("", summary="The picture of demand (editors and administrators)")
def read_demand(
    session: SessionDep, viewer: ApiViewer, days: Days = 30, limit: Limit = 20, months: Months = 12
) -> DemandOut:
    found = demand.picture(session, viewer, days=days, limit=limit, months=months)
    return DemandOut(
        searches_since=found.searches_since,
        usage_since=found.usage_since,
        unmet_searches=[
            UnmetSearch(query=s.query, searches=s.searches, days=s.days, public=s.is_public)
            for s in found.unmet_searches
        ],
        most_voted_requests=[_wanted(r) for r in found.most_voted],
        requests_by_state=found.requests_by_state,
        usage=[_use(u) for u in found.usage],
    )


def _wanted(request: DataRequest) -> WantedRequest:
    organization = request.organization
    return WantedRequest.model_validate({
        "id": request.id, "title": request.title, "state": request.state, "votes": request.votes,
        "created_at": request.created_at,
        "organization": {"slug": organization.slug, "name": organization.name},
    })  # fmt: skip


def _use(use: demand.MonthlyUse) -> DatasetUse:
    return DatasetUse(dataset=use.slug, month=use.month, views=use.views, downloads=use.downloads,
                      api_calls=use.api_calls)  # fmt: skip


def csv_response(header: Sequence[str], rows: Iterable[Sequence[Any]], name: str) -> Response:
    """Open data: UTF-8 CSV with a header row, text that a spreadsheet would run neutralised, any site may
    read it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([neutralise(v) if isinstance(v, str) else v for v in row] for row in rows)
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'inline; filename="{name}"', "Access-Control-Allow-Origin": "*"})  # fmt: skip


def described(what: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"text/csv": {}}, "description": what}}


@router.get(
    "/searches.csv",
    summary="Searches that found nothing (open data)",
    description=f"Only queries searched for on at least {demand.PUBLISH_MIN_DAYS} different days, so that a "
    "search for a name or an address, however often one person repeats it, is never published.",
    response_class=Response,
    responses=described("query, searches, days: the most searched first"),
)
def searches_csv(session: SessionDep, days: Days = 365) -> Response:
    found = demand.searches_for_publishing(session, days=days)
    return csv_response(("query", "searches", "days"), ((s.query, s.searches, s.days) for s in found),
                        "searches.csv")  # fmt: skip


@router.get(
    "/usage.csv",
    summary="Views, downloads and API calls per published dataset and month (open data)",
    response_class=Response,
    responses=described("dataset, month, views, downloads, api_calls: by dataset slug, then month"),
)
def usage_csv(session: SessionDep, months: Months = 12) -> Response:
    found = demand.usage_for_publishing(session, months=months)
    return csv_response(("dataset", "month", "views", "downloads", "api_calls"),
                        ((u.slug, u.month, u.views, u.downloads, u.api_calls) for u in found), "usage.csv")  # fmt: skip


@router.get(
    "/requests.csv",
    summary="Public data requests per state (open data)",
    response_class=Response,
    responses=described("state, count: every state, also those with no request"),
)
def requests_csv(session: SessionDep) -> Response:
    return csv_response(("state", "count"), demand.requests_by_state(session).items(), "requests.csv")
