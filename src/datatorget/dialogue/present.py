"""Data requests as the API and the web pages show them: without email addresses or other personal data."""

from __future__ import annotations

from typing import cast

from sqlalchemy.orm import Session

from datatorget.catalog.models import Organization, User
from datatorget.catalog.permissions import Viewer
from datatorget.dialogue import requests
from datatorget.dialogue.models import DataRequest, RequestEvent
from datatorget.dialogue.moderation import QueuedReport
from datatorget.dialogue.schemas import (
    AuthorOut,
    DatasetRef,
    EventOut,
    OrganizationRef,
    Outcome,
    ReportOut,
    RequestOut,
    RequestSummary,
    TargetKind,
)


def author_out(author: User | None, staff: bool, organization: Organization) -> AuthorOut:
    """Who wrote something (a timeline entry, a discussion's message): everyone by the name they chose, if
    any; staff also with the organisation they spoke for."""
    return AuthorOut(
        name=author.display_name if author is not None else None,
        staff=staff,
        organization=organization.slug if staff else None,
    )


def event_out(
    event: RequestEvent, author: User | None, request: DataRequest, *, staff: bool = False
) -> EventOut:
    """A timeline entry; a hidden one without its text, and with the reason for staff of the organisation."""
    hidden = event.hidden_reason is not None
    return EventOut(
        id=event.id, kind=event.kind, created_at=event.created_at,
        author=author_out(author, event.by_staff, request.organization),
        body=None if hidden else event.body, state_from=event.state_from, state_to=event.state_to,
        details=dict(event.details or {}), hidden=hidden, hidden_reason=event.hidden_reason if staff else None,
    )  # fmt: skip


def request_summary(request: DataRequest, comments: int) -> RequestSummary:
    return RequestSummary(
        id=request.id, title=request.title,
        organization=OrganizationRef(slug=request.organization.slug, name=request.organization.name),
        theme=request.theme, state=request.state, votes=request.votes, comments=comments,
        created_at=request.created_at, last_answered_at=request.last_answered_at,
    )  # fmt: skip


def request_summaries(session: Session, found: list[DataRequest]) -> list[RequestSummary]:
    counts = requests.comment_counts(session, [r.id for r in found])
    return [request_summary(r, counts.get(r.id, 0)) for r in found]


def request_out(session: Session, request: DataRequest, viewer: Viewer) -> RequestOut:
    events = requests.timeline(session, request)
    comments = sum(
        1 for event, _ in events if event.kind in requests.COMMENT_KINDS and not event.hidden_reason
    )
    summary = request_summary(request, comments)
    staff = requests.is_staff(viewer, request)
    return RequestOut(
        **summary.model_dump(),
        description=request.description, intended_use=request.intended_use,
        wished_format=request.wished_format, wished_frequency=request.wished_frequency,
        expected_date=request.expected_date, decline_reason=request.decline_reason,
        datasets=[DatasetRef(slug=d.slug, title=dict(d.title)) for d in requests.fulfilling_datasets(session, request)],
        timeline=[event_out(event, author, request, staff=staff) for event, author in events],
        voted=requests.has_voted(session, request, viewer),
        following=requests.is_following(session, request, viewer),
        hidden=request.hidden_reason is not None, hidden_reason=request.hidden_reason if staff else None,
    )  # fmt: skip


EXCERPT_MAX = 1_000


def report_out(queued: QueuedReport) -> ReportOut:
    """A report for the moderators, with the text reported (cut at 1,000 characters)."""
    report, target = queued.report, queued.target
    return ReportOut(
        id=report.id, target_kind=cast(TargetKind, target.kind), target_id=target.id,
        created_at=report.created_at, reason=report.reason, content_kind=target.content_kind,
        title=target.title, text=target.text[:EXCERPT_MAX] if target.text else None,
        organizations=[OrganizationRef(slug=o.slug, name=o.name) for o in target.organizations],
        shown_at=target.place.api_path, hidden=target.is_hidden,
        resolved_at=report.resolved_at, outcome=cast(Outcome | None, report.outcome),
    )  # fmt: skip
