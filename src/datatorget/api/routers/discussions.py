"""/api/v1/datasets/{slug}/discussions and /api/v1/discussions: questions and comments on datasets, the
organisations' answers, closing, and hiding by staff."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from datatorget.catalog.datasets import get_dataset
from datatorget.deps import ApiViewer, ApiWrite, SessionDep, SettingsDep
from datatorget.dialogue import discussions as service
from datatorget.dialogue import moderation
from datatorget.dialogue.discussion_present import discussion_out, discussion_summaries, message_out
from datatorget.dialogue.schemas import (
    DiscussionIn,
    DiscussionList,
    DiscussionOut,
    DiscussionPatch,
    DiscussionState,
    HiddenIn,
    MessageIn,
    MessageOut,
)
from datatorget.jobs import notify

router = APIRouter(tags=["discussions"])


@router.get(
    "/datasets/{slug}/discussions",
    summary="The discussions of a dataset, newest activity first; filter open or closed ones",
)
def list_discussions(
    slug: str,
    session: SessionDep,
    viewer: ApiViewer,
    state: DiscussionState | None = None,
    limit: Annotated[int, Query(ge=1, le=service.PAGE_MAX)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> DiscussionList:
    dataset = get_dataset(session, slug, viewer)
    total, found = service.list_discussions(session, dataset, viewer, state=state, limit=limit, offset=offset)
    return DiscussionList(total=total, items=discussion_summaries(session, found))


@router.post(
    "/datasets/{slug}/discussions",
    status_code=status.HTTP_201_CREATED,
    dependencies=[ApiWrite],
    summary="Start a discussion on a dataset: a question or a comment",
)
def start_discussion(
    slug: str, data: DiscussionIn, session: SessionDep, viewer: ApiViewer, settings: SettingsDep,
    response: Response,
) -> DiscussionOut:  # fmt: skip
    discussion = service.start_discussion(session, slug, data, viewer)
    response.headers["Location"] = f"{settings.base_url}/api/v1/discussions/{discussion.id}"
    return discussion_out(session, discussion, viewer)


@router.get("/discussions/{discussion_id}", summary="A discussion with its messages")
def read_discussion(discussion_id: uuid.UUID, session: SessionDep, viewer: ApiViewer) -> DiscussionOut:
    return discussion_out(session, service.get_discussion(session, discussion_id, viewer), viewer)


@router.post(
    "/discussions/{discussion_id}/messages",
    status_code=status.HTTP_201_CREATED,
    dependencies=[ApiWrite],
    summary="Reply in an open discussion; staff's replies are the organisation's answer",
)
def reply(
    discussion_id: uuid.UUID, data: MessageIn, session: SessionDep, viewer: ApiViewer, settings: SettingsDep
) -> MessageOut:
    message = service.reply(session, discussion_id, data.body, viewer)
    discussion = service.get_discussion(session, discussion_id, viewer)
    notify.discussion_answered(session, settings, discussion, message)
    return message_out(message, viewer, discussion.dataset)


@router.patch(
    "/discussions/{discussion_id}",
    dependencies=[ApiWrite],
    summary="Close a discussion or open it again (staff; whoever started it may close it)",
)
def change_discussion(
    discussion_id: uuid.UUID, patch: DiscussionPatch, session: SessionDep, viewer: ApiViewer
) -> DiscussionOut:
    discussion = service.set_closed(session, discussion_id, patch.closed, viewer)
    return discussion_out(session, discussion, viewer)


# --- moderation: staff of the dataset's organisation, and administrators ----------------------------------


@router.put(
    "/discussions/{discussion_id}/hidden", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
    dependencies=[ApiWrite], summary="Hide a discussion from everyone but staff, with the reason (moderators)",
)  # fmt: skip
def hide_discussion(discussion_id: uuid.UUID, data: HiddenIn, session: SessionDep, viewer: ApiViewer) -> None:
    moderation.set_hidden(session, "discussion", discussion_id, data.reason, viewer)


@router.delete(
    "/discussions/{discussion_id}/hidden", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
    dependencies=[ApiWrite], summary="Show a hidden discussion again (moderators)",
)  # fmt: skip
def unhide_discussion(discussion_id: uuid.UUID, session: SessionDep, viewer: ApiViewer) -> None:
    moderation.set_hidden(session, "discussion", discussion_id, None, viewer)


@router.put(
    "/discussions/{discussion_id}/messages/{message_id}/hidden", status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response, dependencies=[ApiWrite],
    summary="Hide the text of a message, with the reason (moderators)",
)  # fmt: skip
def hide_message(
    discussion_id: uuid.UUID, message_id: uuid.UUID, data: HiddenIn, session: SessionDep, viewer: ApiViewer
) -> None:
    moderation.set_hidden(session, "message", message_id, data.reason, viewer, shown_in=discussion_id)


@router.delete(
    "/discussions/{discussion_id}/messages/{message_id}/hidden", status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response, dependencies=[ApiWrite], summary="Show the text of a hidden message again (moderators)",
)  # fmt: skip
def unhide_message(
    discussion_id: uuid.UUID, message_id: uuid.UUID, session: SessionDep, viewer: ApiViewer
) -> None:
    moderation.set_hidden(session, "message", message_id, None, viewer, shown_in=discussion_id)
