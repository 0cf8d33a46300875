"""Discussions on datasets: questions and comments on a dataset's page, replies, closing, and hiding.

Anyone may read the discussions of a dataset they can see; writing needs an account (any role). A message by
staff of the dataset's organisation (its editors, and admins) is marked as the organisation's answer, once and
for all when it is written. Staff close and reopen a discussion; whoever started it may close it too. Nobody
replies in a closed discussion. Staff hide a discussion (it disappears for everyone else) or a message (it
stays in the thread without its text), with a reason kept in `hidden_reason`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.orm import Session

from datatorget.catalog.datasets import get_dataset
from datatorget.catalog.models import Dataset, User
from datatorget.catalog.permissions import (
    Viewer,
    can_edit_organization_data,
    can_see,
    editor_organization,
    is_admin,
    require_login,
)
from datatorget.db.base import utcnow
from datatorget.dialogue.models import Discussion, DiscussionMessage
from datatorget.dialogue.schemas import DiscussionIn, DiscussionState
from datatorget.errors import Conflict, NotFound, PermissionDenied

PAGE_MAX = 100
THREAD_MAX = 1_000  # messages shown of one discussion: far more than rate limits let anyone write


def is_staff(viewer: Viewer, dataset: Dataset) -> bool:
    """Whether the viewer speaks for the dataset's organisation (its editors, and admins)."""
    return can_edit_organization_data(viewer, dataset.organization_id)


def _not_found(discussion_id: object) -> NotFound:
    return NotFound(f"no discussion '{discussion_id}'")


def _visible(viewer: Viewer) -> ColumnElement[bool]:
    """Discussions everyone sees are not hidden; staff also see their organisation's hidden ones, admins all."""
    public = Discussion.hidden_reason.is_(None)
    if is_admin(viewer):
        return true()
    if (organization_id := editor_organization(viewer)) is not None:
        staff_of = Discussion.dataset_id.in_(
            select(Dataset.id).where(Dataset.organization_id == organization_id)
        )
        return or_(public, staff_of)
    return public


def get_discussion(session: Session, discussion_id: uuid.UUID, viewer: Viewer) -> Discussion:
    """The discussion, if the viewer may see its dataset and it is not hidden from them (NotFound otherwise)."""
    discussion = session.scalar(select(Discussion).where(Discussion.id == discussion_id, _visible(viewer)))
    if discussion is None or not can_see(viewer, discussion.dataset):
        raise _not_found(discussion_id)
    return discussion


def list_discussions(
    session: Session,
    dataset: Dataset,
    viewer: Viewer,
    *,
    state: DiscussionState | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[int, list[Discussion]]:
    """The discussions of a dataset the viewer can see (see `get_dataset`), newest activity first."""
    conditions = [Discussion.dataset_id == dataset.id, _visible(viewer)]
    if state == "open":
        conditions.append(Discussion.closed_at.is_(None))
    elif state == "closed":
        conditions.append(Discussion.closed_at.is_not(None))
    total = session.scalar(select(func.count()).select_from(Discussion).where(*conditions)) or 0
    found = session.scalars(
        select(Discussion).where(*conditions)
        .order_by(Discussion.last_activity_at.desc(), Discussion.id)
        .limit(min(max(limit, 1), PAGE_MAX)).offset(max(offset, 0))
    ).all()  # fmt: skip
    return total, list(found)


def start_discussion(session: Session, slug: str, data: DiscussionIn, viewer: Viewer) -> Discussion:
    """Start a discussion on a dataset the viewer can see: the title, and the question as the first message."""
    user = require_login(viewer)
    dataset = get_dataset(session, slug, user)
    now = utcnow()
    discussion = Discussion(
        dataset=dataset, title=data.title, author_id=user.id, created_at=now, last_activity_at=now
    )
    session.add(discussion)
    session.flush()
    session.add(DiscussionMessage(discussion_id=discussion.id, author_id=user.id, body=data.body,
                                  staff=is_staff(user, dataset), created_at=now))  # fmt: skip
    session.flush()
    return discussion


def reply(session: Session, discussion_id: uuid.UUID, body: str, viewer: Viewer) -> DiscussionMessage:
    """A reply in an open discussion (Conflict when it is closed); staff's are the organisation's answer."""
    user = require_login(viewer)
    discussion = get_discussion(session, discussion_id, user)
    if discussion.closed_at is not None:
        raise Conflict("the discussion is closed: it takes no more replies")
    message = DiscussionMessage(discussion_id=discussion.id, author_id=user.id, body=body,
                                staff=is_staff(user, discussion.dataset), created_at=utcnow())  # fmt: skip
    session.add(message)
    discussion.last_activity_at = message.created_at
    session.flush()
    return message


def may_close(viewer: Viewer, discussion: Discussion) -> bool:
    """Staff of the dataset's organisation close, and whoever started the discussion may close it."""
    return is_staff(viewer, discussion.dataset) or (viewer is not None and discussion.author_id == viewer.id)


def set_closed(session: Session, discussion_id: uuid.UUID, closed: bool, viewer: Viewer) -> Discussion:
    """Close a discussion or open it again; closing or opening one that already is changes nothing."""
    user = require_login(viewer)
    discussion = get_discussion(session, discussion_id, user)
    if closed and not may_close(user, discussion):
        raise PermissionDenied(
            "only staff of the dataset's organisation, and whoever started the discussion, may close it"
        )
    if not closed and not is_staff(user, discussion.dataset):
        raise PermissionDenied("only staff of the dataset's organisation may open a discussion again")
    if closed and discussion.closed_at is None:
        discussion.closed_at, discussion.closed_by = utcnow(), user.id
    elif not closed:
        discussion.closed_at, discussion.closed_by = None, None
    session.flush()
    return discussion


def thread(session: Session, discussion: Discussion) -> list[tuple[DiscussionMessage, User | None]]:
    """The discussion's messages, oldest first, with their authors (None for a deleted account)."""
    rows = session.execute(
        select(DiscussionMessage, User).outerjoin(User, User.id == DiscussionMessage.author_id)
        .where(DiscussionMessage.discussion_id == discussion.id)
        .order_by(DiscussionMessage.created_at, DiscussionMessage.id).limit(THREAD_MAX)
    ).all()  # fmt: skip
    return [(message, user) for message, user in rows]


@dataclass(frozen=True)
class Facts:
    """What a list shows of a discussion besides its own columns."""

    author: User | None
    started_by_staff: bool
    messages: int  # not hidden, the question included
    answered: bool  # a reply by staff, not hidden


def facts(session: Session, discussions: list[Discussion]) -> dict[uuid.UUID, Facts]:
    """The authors, counts and whether staff answered, for a page of discussions, in two queries."""
    ids = [d.id for d in discussions]
    authors = {
        u.id: u for u in session.scalars(select(User).where(User.id.in_([d.author_id for d in discussions])))
    }
    rows = session.execute(
        select(DiscussionMessage.discussion_id, DiscussionMessage.staff, DiscussionMessage.hidden_reason)
        .where(DiscussionMessage.discussion_id.in_(ids))
        .order_by(DiscussionMessage.discussion_id, DiscussionMessage.created_at, DiscussionMessage.id)
    ).all()  # fmt: skip
    first_staff: dict[uuid.UUID, bool] = {}
    counts: dict[uuid.UUID, int] = {}
    answered: set[uuid.UUID] = set()
    for discussion_id, staff, hidden_reason in rows:
        is_first = discussion_id not in first_staff
        if is_first:
            first_staff[discussion_id] = staff
        if hidden_reason is None:
            counts[discussion_id] = counts.get(discussion_id, 0) + 1
            if staff and not is_first:
                answered.add(discussion_id)
    return {
        d.id: Facts(
            author=authors.get(d.author_id) if d.author_id else None,
            started_by_staff=first_staff.get(d.id, False),
            messages=counts.get(d.id, 0),
            answered=d.id in answered,
        )
        for d in discussions
    }
