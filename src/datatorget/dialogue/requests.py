"""Data requests: filing, confirming, votes, followers, comments, and staff answers and changes of state.

A request is public once it is confirmed: at once when filed from an account, after its link is opened when
filed with an email address only. Every change is an event on its public timeline. Staff of the organisation
asked (and admins) answer and change the state; their entries are marked as the organisation's.
"""

from __future__ import annotations

import hashlib
import secrets
import statistics
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, true
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Organization, User
from datatorget.catalog.organizations import get_organization
from datatorget.catalog.permissions import (
    Viewer,
    can_edit_organization_data,
    editor_organization,
    is_admin,
    require_login,
)
from datatorget.db.base import utcnow
from datatorget.dialogue.models import DataRequest, RequestDataset, RequestEvent, RequestFollow, RequestVote
from datatorget.dialogue.schemas import RequestIn, RequestPatch
from datatorget.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed

OPEN_STATES = ("received", "under_review", "planned")
CLOSED_STATES = ("published", "declined", "available")
COMMENT_KINDS = ("comment", "answer")  # what a request's count of comments counts, when not hidden
PAGE_MAX = 100


@dataclass(frozen=True)
class Filed:
    request: DataRequest
    confirm_token: str | None  # to send to the email address of a request filed without an account


def is_staff(viewer: Viewer, request: DataRequest) -> bool:
    """Whether the viewer answers for the organisation asked."""
    return can_edit_organization_data(viewer, request.organization_id)


def public_requests() -> ColumnElement[bool]:
    """Requests everyone sees: confirmed and not hidden."""
    return and_(DataRequest.confirmed_at.is_not(None), DataRequest.hidden_reason.is_(None))


def _visible(viewer: Viewer) -> ColumnElement[bool]:
    """Requests everyone sees (`public_requests`); staff also see their organisation's hidden ones (to
    moderate), admins all."""
    if is_admin(viewer):
        return true()
    if (organization_id := editor_organization(viewer)) is not None:
        return or_(public_requests(), and_(DataRequest.confirmed_at.is_not(None),
                                           DataRequest.organization_id == organization_id))  # fmt: skip
    return public_requests()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def file_request(session: Session, data: RequestIn, viewer: Viewer) -> Filed:
    """File a request. From an account it is public at once and its author follows it; with an email
    address only, it waits for the link sent there (`confirm_token`)."""
    if viewer is None and data.email is None:
        raise NotAuthenticated("log in, or give an email address to confirm the request with")
    if viewer is not None and data.email is not None:
        raise ValidationFailed({"email": ["only without an account: yours is used"]})
    organization = session.scalar(select(Organization).where(Organization.slug == data.organization))
    if organization is None:
        raise ValidationFailed({"organization": [f"no organisation '{data.organization}'"]})
    token = None if viewer is not None else secrets.token_urlsafe(32)
    now = utcnow()
    request = DataRequest(
        title=data.title, description=data.description, intended_use=data.intended_use,
        organization=organization, theme=data.theme, wished_format=data.wished_format,
        wished_frequency=data.wished_frequency, state="received", votes=0,
        requester_id=viewer.id if viewer else None,
        requester_email=str(data.email).lower() if data.email else None,
        confirm_token_hash=_hash(token) if token else None,
        confirmed_at=now if viewer is not None else None, created_at=now, modified=now,
    )  # fmt: skip
    session.add(request)
    session.flush()
    session.add(RequestEvent(request_id=request.id, kind="created", author_id=request.requester_id,
                             by_staff=False, details={}, created_at=now))  # fmt: skip
    if viewer is not None:
        session.add(RequestFollow(request_id=request.id, user_id=viewer.id))
    return Filed(request, token)


def confirm_request(session: Session, token: str) -> DataRequest:
    """Make public the request whose link this is. A link works once."""
    request = session.scalar(select(DataRequest).where(DataRequest.confirm_token_hash == _hash(token)))
    if request is None:
        raise NotFound("this confirmation link is unknown or has been used")
    request.confirm_token_hash = None
    request.confirmed_at = utcnow()
    return request


def get_request(session: Session, request_id: uuid.UUID, viewer: Viewer) -> DataRequest:
    request = session.scalar(select(DataRequest).where(DataRequest.id == request_id, _visible(viewer)))
    if request is None:
        raise NotFound(f"no data request '{request_id}'")
    return request


def list_requests(
    session: Session,
    viewer: Viewer,
    *,
    state: str | None = None,
    organization: str | None = None,
    theme: str | None = None,
    sort: str = "votes",
    limit: int = 20,
    offset: int = 0,
) -> tuple[int, list[DataRequest]]:
    """The requests the viewer may see, filtered, sorted by votes, newest or most recently answered."""
    conditions = [_visible(viewer)]
    if state:
        conditions.append(DataRequest.state == state)
    if organization:
        conditions.append(DataRequest.organization_id == get_organization(session, organization).id)
    if theme:
        conditions.append(DataRequest.theme == theme)
    total = session.scalar(select(func.count()).select_from(DataRequest).where(*conditions)) or 0
    order = {
        "votes": (DataRequest.votes.desc(), DataRequest.created_at.desc()),
        "newest": (DataRequest.created_at.desc(),),
        "answered": (DataRequest.last_answered_at.desc().nulls_last(), DataRequest.created_at.desc()),
    }[sort]
    found = session.scalars(
        select(DataRequest).where(*conditions).order_by(*order, DataRequest.id)
        .limit(min(max(limit, 1), PAGE_MAX)).offset(max(offset, 0))
    ).all()  # fmt: skip
    return total, list(found)


def comment_counts(session: Session, request_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Visible comments and answers of each request."""
    rows = session.execute(
        select(RequestEvent.request_id, func.count())
        .where(RequestEvent.request_id.in_(request_ids), RequestEvent.kind.in_(COMMENT_KINDS),
               RequestEvent.hidden_reason.is_(None))
        .group_by(RequestEvent.request_id)
    ).all()  # fmt: skip
    return {request_id: int(count) for request_id, count in rows}


def vote(session: Session, request_id: uuid.UUID, viewer: Viewer) -> DataRequest:
    """One vote per person, on an open request (409 for a second vote or a closed request)."""
    user = require_login(viewer)
    request = get_request(session, request_id, user)
    if request.state in CLOSED_STATES:
        raise Conflict(f"the request is {request.state.replace('_', ' ')}: it takes no more votes")
    if session.get(RequestVote, (request.id, user.id)) is not None:
        raise Conflict("you have already voted for this request")
    session.add(RequestVote(request_id=request.id, user_id=user.id))
    request.votes += 1
    return request


def withdraw_vote(session: Session, request_id: uuid.UUID, viewer: Viewer) -> DataRequest:
    user = require_login(viewer)
    request = get_request(session, request_id, user)
    removed = session.execute(
        delete(RequestVote).where(RequestVote.request_id == request.id, RequestVote.user_id == user.id)
    )
    if not getattr(removed, "rowcount", 0):
        raise NotFound("you have not voted for this request")
    request.votes -= 1
    return request


def has_voted(session: Session, request: DataRequest, viewer: Viewer) -> bool:
    return viewer is not None and session.get(RequestVote, (request.id, viewer.id)) is not None


def follow(session: Session, request_id: uuid.UUID, viewer: Viewer) -> DataRequest:
    user = require_login(viewer)
    request = get_request(session, request_id, user)
    if session.get(RequestFollow, (request.id, user.id)) is None:
        session.add(RequestFollow(request_id=request.id, user_id=user.id))
    return request


def unfollow(session: Session, request_id: uuid.UUID, viewer: Viewer) -> DataRequest:
    user = require_login(viewer)
    request = get_request(session, request_id, user)
    session.execute(
        delete(RequestFollow).where(RequestFollow.request_id == request.id, RequestFollow.user_id == user.id)
    )
    return request


def is_following(session: Session, request: DataRequest, viewer: Viewer) -> bool:
    return viewer is not None and session.get(RequestFollow, (request.id, viewer.id)) is not None


def add_comment(session: Session, request_id: uuid.UUID, body: str, viewer: Viewer) -> RequestEvent:
    """A comment on the timeline; staff's comments are marked as the organisation's."""
    user = require_login(viewer)
    request = get_request(session, request_id, user)
    event = RequestEvent(request_id=request.id, kind="comment", author_id=user.id,
                         by_staff=is_staff(user, request), body=body, details={}, created_at=utcnow())  # fmt: skip
    session.add(event)
    request.modified = event.created_at
    session.flush()
    return event


def answer_request(
    session: Session, request_id: uuid.UUID, patch: RequestPatch, viewer: Viewer
) -> tuple[DataRequest, RequestEvent]:
    """Staff answer in public, move the request to another state, or both; one timeline entry."""
    user = require_login(viewer)
    request = get_request(session, request_id, user)
    if not is_staff(user, request):
        raise PermissionDenied("only staff of the organisation asked may answer or change the state")
    if patch.state is None and patch.answer is None:
        raise ValidationFailed({"state": ["give a new state, an answer, or both"]})
    new_state = patch.state if patch.state not in (None, request.state) else None
    details, datasets = _state_details(session, request, patch, new_state, user)
    now = utcnow()
    event = RequestEvent(
        request_id=request.id, kind="state" if new_state else "answer", author_id=user.id, by_staff=True,
        body=patch.answer, state_from=request.state if new_state else None, state_to=new_state,
        details=details, created_at=now,
    )  # fmt: skip
    session.add(event)
    if new_state:
        request.state = new_state
        request.expected_date = patch.expected_date if new_state == "planned" else None
        request.decline_reason = patch.decline_reason if new_state == "declined" else None
        request.datasets = [RequestDataset(request_id=request.id, dataset_id=d.id) for d in datasets]
    request.first_answered_at = request.first_answered_at or now
    request.last_answered_at = now
    request.modified = now
    session.flush()
    return request, event


def _state_details(
    session: Session, request: DataRequest, patch: RequestPatch, new_state: str | None, user: User
) -> tuple[dict[str, Any], list[Dataset]]:
    """What a change of state needs, checked: a date for planned, a reason for declined, published datasets
    for published and available. Nothing for an answer alone."""
    errors: dict[str, list[str]] = {}
    needs = {"expected_date": "planned", "decline_reason": "declined"}
    for field, state in needs.items():
        if getattr(patch, field) is not None and new_state != state:
            errors[field] = [f"only with the state {state}"]
    if patch.datasets is not None and new_state not in ("published", "available"):
        errors["datasets"] = ["only with the state published or available"]
    if new_state == "planned" and patch.expected_date is None:
        errors["expected_date"] = ["a planned request has an expected date"]
    if new_state == "declined" and patch.decline_reason is None:
        errors["decline_reason"] = ["a declined request has a reason"]
    if new_state == "declined" and patch.decline_reason == "other" and not patch.answer:
        errors["answer"] = ["say why in the answer when the reason is other"]
    datasets: list[Dataset] = []
    if new_state in ("published", "available"):
        if not patch.datasets:
            errors["datasets"] = [f"a request that is {new_state} names the datasets that hold the data"]
        datasets, unknown = published_datasets(session, patch.datasets or [])
        if unknown:
            errors["datasets"] = unknown
    if errors:
        raise ValidationFailed(errors)
    details: dict[str, Any] = {}
    if new_state == "planned" and patch.expected_date is not None:
        details["expected_date"] = patch.expected_date.isoformat()
    if new_state == "declined":
        details["decline_reason"] = patch.decline_reason
    if datasets:
        details["datasets"] = [d.slug for d in datasets]
    return details, datasets


def published_datasets(session: Session, slugs: list[str]) -> tuple[list[Dataset], list[str]]:
    """The published datasets named, each once, in the order named; and an error for each slug that names
    no published dataset. Requests and reuses refer to datasets this way."""
    named = list(dict.fromkeys(slugs))
    found = {
        d.slug: d
        for d in session.scalars(select(Dataset).where(Dataset.slug.in_(named), Dataset.state == "published"))
    }
    unknown = [f"no published dataset '{slug}'" for slug in named if slug not in found]
    return [found[slug] for slug in named if slug in found], unknown


def timeline(session: Session, request: DataRequest) -> list[tuple[RequestEvent, User | None]]:
    """The request's events, oldest first, with their authors (None for a deleted account)."""
    rows = session.execute(
        select(RequestEvent, User).outerjoin(User, User.id == RequestEvent.author_id)
        .where(RequestEvent.request_id == request.id).order_by(RequestEvent.created_at, RequestEvent.id)
    ).all()  # fmt: skip
    return [(event, user) for event, user in rows]


def fulfilling_datasets(session: Session, request: DataRequest) -> list[Dataset]:
    return list(
        session.scalars(
            select(Dataset).join(RequestDataset, RequestDataset.dataset_id == Dataset.id)
            .where(RequestDataset.request_id == request.id).order_by(Dataset.slug)
        )
    )  # fmt: skip


def responsiveness(session: Session) -> list[tuple[Organization, int, int, float | None]]:
    """Per organisation with public requests: how many, how many answered, and the median days from filing
    to the first answer or change of state."""
    rows = session.execute(
        select(DataRequest.organization_id, DataRequest.created_at, DataRequest.first_answered_at)
        .where(_visible(None))
    ).all()  # fmt: skip
    by_organization: dict[uuid.UUID, list[tuple[datetime, datetime | None]]] = {}
    for organization_id, created, answered in rows:
        by_organization.setdefault(organization_id, []).append((created, answered))
    organizations = {
        o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(by_organization)))
    }
    result = []
    for organization_id, requests in by_organization.items():
        days = [(answered - created).total_seconds() / 86400 for created, answered in requests if answered]
        median = round(statistics.median(days), 1) if days else None
        result.append((organizations[organization_id], len(requests), len(days), median))
    return sorted(result, key=lambda row: row[0].name)
