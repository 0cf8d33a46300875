"""/api/v1/requests: data requests, their votes, followers, comments, and the organisations' answers."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from datatorget.deps import ApiViewer, ApiWrite, SessionDep, SettingsDep
from datatorget.dialogue import moderation
from datatorget.dialogue import requests as service
from datatorget.dialogue.present import event_out, request_out, request_summaries
from datatorget.dialogue.schemas import (
    CommentIn,
    EventOut,
    HiddenIn,
    OrganizationRef,
    OrganizationResponsiveness,
    RequestCreated,
    RequestIn,
    RequestList,
    RequestOut,
    RequestPatch,
    RequestSort,
    RequestState,
)
from datatorget.jobs import notify

router = APIRouter(prefix="/requests", tags=["data requests"])


class Votes(BaseModel):
    votes: int


class Confirmation(BaseModel):
    token: str


@router.get(
    "", summary="Data requests: filter by state, organisation and theme; sort by votes, newest or answered"
)
def list_requests(
    session: SessionDep,
    viewer: ApiViewer,
    state: RequestState | None = None,
    organization: str | None = None,
    theme: str | None = None,
    sort: RequestSort = "votes",
    limit: Annotated[int, Query(ge=1, le=service.PAGE_MAX)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> RequestList:
    total, found = service.list_requests(
        session, viewer, state=state, organization=organization, theme=theme, sort=sort, limit=limit,
        offset=offset,
    )  # fmt: skip
    return RequestList(total=total, items=request_summaries(session, found))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[ApiWrite],
    summary="File a data request: logged in, or with an email address that confirms it",
)
def file_request(
    data: RequestIn, session: SessionDep, viewer: ApiViewer, settings: SettingsDep, response: Response
) -> RequestCreated:
    filed = service.file_request(session, data, viewer)
    if filed.confirm_token is not None:
        notify.send_confirmation(session, settings, filed.request, filed.confirm_token, "sv")
    response.headers["Location"] = f"{settings.base_url}/api/v1/requests/{filed.request.id}"
    return RequestCreated(id=filed.request.id, state=filed.request.state, public=filed.confirm_token is None)


@router.post(
    "/confirmations", summary="Confirm a request filed with an email address (the token of its link)"
)
def confirm_request(data: Confirmation, session: SessionDep, viewer: ApiViewer) -> RequestOut:
    request = service.confirm_request(session, data.token)
    session.flush()
    return request_out(session, request, viewer)


@router.get(
    "/responsiveness", summary="Per organisation: requests, answered, and the median days to an answer"
)
def responsiveness(session: SessionDep) -> list[OrganizationResponsiveness]:
    return [
        OrganizationResponsiveness(organization=OrganizationRef(slug=o.slug, name=o.name), requests=n,
                                   answered=answered, median_answer_days=median)
        for o, n, answered, median in service.responsiveness(session)
    ]  # fmt: skip


@router.get("/{request_id}", summary="A data request with its public timeline")
def read_request(request_id: uuid.UUID, session: SessionDep, viewer: ApiViewer) -> RequestOut:
    return request_out(session, service.get_request(session, request_id, viewer), viewer)


@router.patch(
    "/{request_id}",
    dependencies=[ApiWrite],
    summary="Answer, or change the state (staff of the organisation asked)",
)
def answer_request(
    request_id: uuid.UUID, patch: RequestPatch, session: SessionDep, viewer: ApiViewer, settings: SettingsDep
) -> RequestOut:
    request, event = service.answer_request(session, request_id, patch, viewer)
    notify.request_changed(session, settings, request, event)
    return request_out(session, request, viewer)


@router.post(
    "/{request_id}/votes", status_code=status.HTTP_201_CREATED, dependencies=[ApiWrite],
    summary="Vote (once per person)",
)  # fmt: skip
def vote(request_id: uuid.UUID, session: SessionDep, viewer: ApiViewer) -> Votes:
    return Votes(votes=service.vote(session, request_id, viewer).votes)


@router.delete("/{request_id}/votes", dependencies=[ApiWrite], summary="Withdraw your vote")
def withdraw_vote(request_id: uuid.UUID, session: SessionDep, viewer: ApiViewer) -> Votes:
    return Votes(votes=service.withdraw_vote(session, request_id, viewer).votes)


@router.post(
    "/{request_id}/comments", status_code=status.HTTP_201_CREATED, dependencies=[ApiWrite], summary="Comment"
)
def comment(
    request_id: uuid.UUID, data: CommentIn, session: SessionDep, viewer: ApiViewer, settings: SettingsDep
) -> EventOut:
    event = service.add_comment(session, request_id, data.body, viewer)
    request = service.get_request(session, request_id, viewer)
    notify.request_changed(session, settings, request, event)
    return event_out(event, viewer, request)


@router.put(
    "/{request_id}/following",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    dependencies=[ApiWrite],
    summary="Follow: be told by email when the state changes or staff answer",
)
def follow(request_id: uuid.UUID, session: SessionDep, viewer: ApiViewer) -> None:
    service.follow(session, request_id, viewer)


@router.delete(
    "/{request_id}/following", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
    dependencies=[ApiWrite], summary="Stop following",
)  # fmt: skip
def unfollow(request_id: uuid.UUID, session: SessionDep, viewer: ApiViewer) -> None:
    service.unfollow(session, request_id, viewer)


# --- moderation: staff of the organisation asked, and administrators ---------------------------------------


@router.put(
    "/{request_id}/hidden", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
    dependencies=[ApiWrite], summary="Hide a request from everyone but staff, with the reason (moderators)",
)  # fmt: skip
def hide_request(request_id: uuid.UUID, data: HiddenIn, session: SessionDep, viewer: ApiViewer) -> None:
    moderation.set_hidden(session, "request", request_id, data.reason, viewer)


@router.delete(
    "/{request_id}/hidden", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
    dependencies=[ApiWrite], summary="Show a hidden request again (moderators)",
)  # fmt: skip
def unhide_request(request_id: uuid.UUID, session: SessionDep, viewer: ApiViewer) -> None:
    moderation.set_hidden(session, "request", request_id, None, viewer)


@router.put(
    "/{request_id}/events/{event_id}/hidden", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
    dependencies=[ApiWrite], summary="Hide the text of a comment or answer, with the reason (moderators)",
)  # fmt: skip
def hide_event(
    request_id: uuid.UUID, event_id: uuid.UUID, data: HiddenIn, session: SessionDep, viewer: ApiViewer
) -> None:
    moderation.set_hidden(session, "event", event_id, data.reason, viewer, shown_in=request_id)


@router.delete(
    "/{request_id}/events/{event_id}/hidden", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
    dependencies=[ApiWrite], summary="Show the text of a hidden comment or answer again (moderators)",
)  # fmt: skip
def unhide_event(request_id: uuid.UUID, event_id: uuid.UUID, session: SessionDep, viewer: ApiViewer) -> None:
    moderation.set_hidden(session, "event", event_id, None, viewer, shown_in=request_id)
