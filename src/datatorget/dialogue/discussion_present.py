"""Discussions as the API and the web pages show them: people by the name they chose, staff as their
organisation, hidden text left out, and no email address or other personal data."""

from __future__ import annotations

from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, User
from datatorget.catalog.permissions import Viewer
from datatorget.dialogue import discussions
from datatorget.dialogue.models import Discussion, DiscussionMessage
from datatorget.dialogue.present import author_out
from datatorget.dialogue.schemas import (
    DatasetRef,
    DiscussionOut,
    DiscussionSummary,
    MessageOut,
)


def message_out(
    message: DiscussionMessage, author: User | None, dataset: Dataset, *, staff: bool = False
) -> MessageOut:
    """One message; a hidden one without its text, and with the reason for staff of the organisation."""
    hidden = message.hidden_reason is not None
    return MessageOut(
        id=message.id, created_at=message.created_at,
        author=author_out(author, message.staff, dataset.organization), body=None if hidden else message.body,
        hidden=hidden, hidden_reason=message.hidden_reason if staff else None,
    )  # fmt: skip


def discussion_summary(discussion: Discussion, facts: discussions.Facts) -> DiscussionSummary:
    dataset = discussion.dataset
    return DiscussionSummary(
        id=discussion.id, dataset=DatasetRef(slug=dataset.slug, title=dict(dataset.title)),
        title=discussion.title,
        author=author_out(facts.author, facts.started_by_staff, dataset.organization),
        state="closed" if discussion.closed_at is not None else "open", messages=facts.messages,
        answered=facts.answered, created_at=discussion.created_at,
        last_activity_at=discussion.last_activity_at, closed_at=discussion.closed_at,
        hidden=discussion.hidden_reason is not None,
    )  # fmt: skip


def discussion_summaries(session: Session, found: list[Discussion]) -> list[DiscussionSummary]:
    facts = discussions.facts(session, found)
    return [discussion_summary(d, facts[d.id]) for d in found]


def discussion_out(session: Session, discussion: Discussion, viewer: Viewer) -> DiscussionOut:
    """The discussion with its thread; the reasons for hiding only for staff of the dataset's organisation."""
    staff = discussions.is_staff(viewer, discussion.dataset)
    (summary,) = discussion_summaries(session, [discussion])
    return DiscussionOut(
        **summary.model_dump(),
        thread=[
            message_out(m, author, discussion.dataset, staff=staff)
            for m, author in discussions.thread(session, discussion)
        ],
        hidden_reason=discussion.hidden_reason if staff else None,
    )
