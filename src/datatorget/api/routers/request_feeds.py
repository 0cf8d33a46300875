"""/api/v1/requests.atom and /api/v1/requests/{id}.atom: Atom feeds of public data requests.

Included before the requests router, so that `/requests/{id}.atom` is not taken for a request id.
Feeds are public: they show what everyone sees, whoever asks.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Response

from datatorget.deps import SessionDep, SettingsDep
from datatorget.dialogue import feeds
from datatorget.dialogue import requests as service
from datatorget.dialogue.present import request_out
from datatorget.dialogue.schemas import RequestState

router = APIRouter(tags=["data requests"])

FEED_SIZE = 50
ATOM_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {feeds.MEDIA_TYPE: {}}, "description": "An Atom feed (RFC 4287)"}
}


@router.get(
    "/requests.atom",
    response_class=Response,
    responses=ATOM_RESPONSE,
    summary="Atom feed of the newest public data requests, with the filters of the list",
)
def requests_feed(
    session: SessionDep,
    settings: SettingsDep,
    state: RequestState | None = None,
    organization: str | None = None,
    theme: str | None = None,
) -> Response:
    _total, found = service.list_requests(
        session, None, state=state, organization=organization, theme=theme, sort="newest", limit=FEED_SIZE
    )
    filters = {"state": state, "organization": organization, "theme": theme}
    given = {name: value for name, value in filters.items() if value}
    query = f"?{urlencode(given)}" if given else ""
    title = "Dataförfrågningar / Data requests" + (f" ({', '.join(given.values())})" if given else "")
    feed = feeds.requests_feed(
        found, base_url=settings.base_url, self_url=f"{settings.base_url}/api/v1/requests.atom{query}",
        title=title,
    )  # fmt: skip
    return Response(feeds.to_atom(feed), media_type=feeds.MEDIA_TYPE)


@router.get(
    "/requests/{request_id}.atom",
    response_class=Response,
    responses=ATOM_RESPONSE,
    summary="Atom feed of a public data request's timeline",
)
def request_feed(request_id: uuid.UUID, session: SessionDep, settings: SettingsDep) -> Response:
    request = request_out(session, service.get_request(session, request_id, None), None)
    feed = feeds.request_feed(
        request, base_url=settings.base_url,
        self_url=f"{settings.base_url}/api/v1/requests/{request.id}.atom",
    )  # fmt: skip
    return Response(feeds.to_atom(feed), media_type=feeds.MEDIA_TYPE)
