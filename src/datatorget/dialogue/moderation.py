"""Moderation of what people write: reports, the queue, and hiding.

Anyone (logged in or not) may report something written that they can see, with a reason. The open reports
wait in a queue for the moderators: administrators see all of them, editors those about what their own
organisation moderates (below). A moderator hides what was reported (the reason is kept with it, in its
`hidden_reason`) or keeps it; the decision settles every open report about the same thing. Staff may also
hide and show again directly (`set_hidden`).

What is hidden is left out for everyone but staff, by the module that shows it (`requests._visible`,
`discussions._visible`, `reuses._visible`; a hidden timeline entry or message stays without its text). Who reported something is stored (to be removed with their
account) and never shown.

A report is about a *target*: a kind and an id. Each kind has a resolver in `RESOLVERS`, which finds the
target as a viewer may see it (NotFound otherwise) and describes it as a `Target`. The kinds:

- `request`, a data request, and `event`, an entry of its timeline (a comment, an answer, a change of state);
- `discussion`, a discussion on a dataset: its title and its question (the first message), hidden as a
  whole, and `message`, one message of a discussion, the question included, hidden without its text while
  the thread stays. The question belongs to both: report the discussion to have it all taken away, the
  message to have only that text taken away;
- `reuse`, a reuse registered on datasets.

Who moderates a target: administrators, and the editors of the organisations in `Target.organizations`:
the organisation asked (a request), of the dataset (a discussion), or of every dataset a reuse uses (a
reuse may use datasets of several organisations; the editors of any of them moderate it, as they approve it:
`reuses.is_staff`). The queue of an editor shows the reports on what they moderate.

To add a kind:

1. write `def _thing(session, target_id, viewer) -> Target` that loads it with the visibility rules of its
   own module (raise NotFound when the viewer may not see it), and fills in a `Target`: the organisations
   whose staff moderate it, where it is shown (`Place`), and the row that has the `hidden_reason` column;
2. add it to `RESOLVERS` under its kind, and the kind to `TargetKind` in `dialogue/schemas.py` (at most 10
   characters: `content_report.target_kind`);
3. make the module that shows it leave it out, or show it without its text, while `hidden_reason` is set;
4. link to the report page (`report` in `web/paths.py`, by kind and id) from where it is shown.

The queue, the decisions, the report receipts and `set_hidden` then work for it unchanged.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Organization, User
from datatorget.catalog.permissions import (
    Viewer,
    can_edit_organization_data,
    is_admin,
    require_login,
    require_staff,
)
from datatorget.db.base import utcnow
from datatorget.dialogue import reuses
from datatorget.dialogue.discussions import get_discussion
from datatorget.dialogue.models import (
    ContentReport,
    Discussion,
    DiscussionMessage,
    RequestEvent,
    ReuseDataset,
)
from datatorget.dialogue.requests import get_request
from datatorget.dialogue.schemas import Outcome, ReportIn
from datatorget.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

QUEUE_MAX = 200
SCAN_BATCH = 500  # open reports resolved at a time while the queue is filled
REPORTABLE_EVENTS = ("comment", "answer", "state")  # entries with a text; `created` is the request itself
NOT_MODERATOR = "only staff of the organisation, and administrators, moderate what is written there"


class Hideable(Protocol):
    """A row that a moderator can hide: the reason is kept with it; None while it is shown."""

    hidden_reason: str | None


@dataclass(frozen=True)
class Place:
    """Where a target is shown: a page of the web UI (its name in `web/paths.py` and its path parameters),
    the element on it (an HTML id, or ""), and the API resource that shows it."""

    page: str
    params: Mapping[str, str]
    anchor: str
    api_path: str


@dataclass(frozen=True)
class Target:
    """Something written that can be reported and hidden, as the queue and the report page show it."""

    kind: str  # its kind in RESOLVERS
    id: uuid.UUID
    content_kind: str  # what it is, in a word people read: request, comment, answer, state, ...
    title: str  # of what it is, or is written on (a request's or a discussion's title)
    text: str | None  # what was written (Markdown), None when there is none or it is hidden
    organizations: tuple[Organization, ...]  # whose staff moderate it (with the administrators), by name
    place: Place
    container_id: uuid.UUID  # what it is shown in (the request of a timeline entry; itself for a request)
    record: Hideable = field(repr=False)
    reportable: bool = True  # False for an entry people did not write (a request's `created` entry)
    not_moderator: str = NOT_MODERATOR  # why anyone else may not hide it

    @property
    def hidden_reason(self) -> str | None:
        return self.record.hidden_reason

    @property
    def is_hidden(self) -> bool:
        return self.record.hidden_reason is not None

    def set_hidden_reason(self, reason: str | None) -> None:
        self.record.hidden_reason = reason


Resolver = Callable[[Session, uuid.UUID, Viewer], Target]


def _request_place(request_id: uuid.UUID, anchor: str = "") -> Place:
    return Place("request", {"request_id": str(request_id)}, anchor, f"/api/v1/requests/{request_id}")


def _request(session: Session, target_id: uuid.UUID, viewer: Viewer) -> Target:
    """A data request, as `requests.get_request` lets the viewer see it."""
    request = get_request(session, target_id, viewer)
    return Target(
        kind="request", id=request.id, content_kind="request", title=request.title, text=request.description,
        organizations=(request.organization,), place=_request_place(request.id), container_id=request.id,
        record=request,
    )  # fmt: skip


def _event(session: Session, target_id: uuid.UUID, viewer: Viewer) -> Target:
    """An entry of the timeline of a data request the viewer may see."""
    event = session.get(RequestEvent, target_id)
    if event is None:
        raise NotFound(f"no timeline entry '{target_id}'")
    request = get_request(session, event.request_id, viewer)
    return Target(
        kind="event", id=event.id, content_kind=event.kind, title=request.title, text=event.body,
        organizations=(request.organization,), place=_request_place(request.id, f"event-{event.id}"),
        container_id=request.id, record=event, reportable=event.kind in REPORTABLE_EVENTS,
    )  # fmt: skip


def _discussion_place(discussion: Discussion, anchor: str = "") -> Place:
    params = {"slug": discussion.dataset.slug, "discussion_id": str(discussion.id)}
    return Place("discussion", params, anchor, f"/api/v1/discussions/{discussion.id}")


def _discussion(session: Session, target_id: uuid.UUID, viewer: Viewer) -> Target:
    """A discussion on a dataset, as `discussions.get_discussion` lets the viewer see it; its text is the
    question (the first message), unless that is hidden."""
    discussion = get_discussion(session, target_id, viewer)
    question = session.scalars(
        select(DiscussionMessage).where(DiscussionMessage.discussion_id == discussion.id)
        .order_by(DiscussionMessage.created_at, DiscussionMessage.id).limit(1)
    ).first()  # fmt: skip
    shown = question is not None and question.hidden_reason is None
    return Target(
        kind="discussion", id=discussion.id, content_kind="discussion", title=discussion.title,
        text=question.body if shown and question is not None else None,
        organizations=(discussion.dataset.organization,), place=_discussion_place(discussion),
        container_id=discussion.id, record=discussion,
    )  # fmt: skip


def _message(session: Session, target_id: uuid.UUID, viewer: Viewer) -> Target:
    """A message of a discussion the viewer may see."""
    message = session.get(DiscussionMessage, target_id)
    if message is None:
        raise NotFound(f"no message '{target_id}'")
    discussion = get_discussion(session, message.discussion_id, viewer)
    return Target(
        kind="message", id=message.id, content_kind="message", title=discussion.title, text=message.body,
        organizations=(discussion.dataset.organization,),
        place=_discussion_place(discussion, f"message-{message.id}"), container_id=discussion.id,
        record=message,
    )  # fmt: skip


def _reuse(session: Session, target_id: uuid.UUID, viewer: Viewer) -> Target:
    """A reuse, as `reuses.get_reuse` lets the viewer see it; staff of every organisation whose dataset it
    uses moderate it."""
    reuse = reuses.get_reuse(session, target_id, viewer)
    used = (
        select(Dataset.organization_id).join(ReuseDataset, ReuseDataset.dataset_id == Dataset.id)
        .where(ReuseDataset.reuse_id == reuse.id)
    )  # fmt: skip
    organizations = session.scalars(select(Organization).where(Organization.id.in_(used)))
    return Target(
        kind="reuse", id=reuse.id, content_kind="reuse", title=reuse.title, text=reuse.description,
        organizations=tuple(sorted(organizations, key=lambda o: (o.name, o.slug))), container_id=reuse.id,
        record=reuse,
        place=Place("reuse", {"reuse_id": str(reuse.id)}, "", f"/api/v1/reuses/{reuse.id}"),
        not_moderator=reuses.NOT_STAFF,
    )  # fmt: skip


RESOLVERS: dict[str, Resolver] = {
    "request": _request, "event": _event, "discussion": _discussion, "message": _message, "reuse": _reuse,
}  # fmt: skip


@dataclass(frozen=True)
class QueuedReport:
    report: ContentReport
    target: Target


def find_target(
    session: Session, kind: str, target_id: uuid.UUID, viewer: Viewer, *, shown_in: uuid.UUID | None = None
) -> Target:
    """What a report is about, if the viewer may see it (NotFound otherwise); with `shown_in`, it must be
    shown in that (a timeline entry in the request of the path, a message in the discussion)."""
    resolver = RESOLVERS.get(kind)
    if resolver is None:
        raise NotFound(f"nothing of the kind '{kind}' can be reported")
    target = resolver(session, target_id, viewer)
    if shown_in is not None and target.container_id != shown_in:
        raise NotFound(f"no {kind} '{target_id}' in this {target.place.page}")
    return target


def report(session: Session, data: ReportIn, viewer: Viewer) -> ContentReport:
    """File a report about something the viewer can see. Anyone may, logged in or not."""
    target = find_target(session, data.target_kind, data.target_id, viewer)
    if not target.reportable:
        raise ValidationFailed(
            {"target_id": ["only what people wrote can be reported: a comment or an answer"]}
        )
    if target.is_hidden:
        raise Conflict("it has already been hidden by a moderator")
    created = ContentReport(
        target_kind=target.kind, target_id=target.id, reason=data.reason,
        reporter_id=viewer.id if viewer is not None else None, created_at=utcnow(),
    )  # fmt: skip
    session.add(created)
    session.flush()
    return created


def moderates(user: User, target: Target) -> bool:
    """Whether the user moderates the target: administrators, and staff of one of its organisations."""
    return is_admin(user) or any(can_edit_organization_data(user, o.id) for o in target.organizations)


def require_moderator_of(user: User, target: Target) -> None:
    if not moderates(user, target):
        raise PermissionDenied(target.not_moderator)


def _resolved(session: Session, reports: list[ContentReport], user: User) -> Iterator[QueuedReport]:
    """The reports whose target still exists and that the user moderates, with their targets."""
    for found in reports:
        try:
            target = find_target(session, found.target_kind, found.target_id, user)
        except NotFound:  # deleted since, or on a page the user may not see
            continue
        if moderates(user, target):
            yield QueuedReport(found, target)


def open_reports(session: Session, viewer: Viewer) -> list[QueuedReport]:
    """The reports not yet decided that the viewer moderates, oldest first, at most QUEUE_MAX: all for an
    administrator, those about what is shown on their organisation's pages for an editor. Reports about
    something deleted since are left out."""
    user = require_staff(viewer, to="moderate")
    queue: list[QueuedReport] = []
    query = (
        select(ContentReport).where(ContentReport.resolved_at.is_(None))
        .order_by(ContentReport.created_at, ContentReport.id)
    )  # fmt: skip
    offset = 0
    while len(queue) < QUEUE_MAX:
        batch = list(session.scalars(query.offset(offset).limit(SCAN_BATCH)))
        queue += _resolved(session, batch, user)
        if len(batch) < SCAN_BATCH:
            break
        offset += SCAN_BATCH
    return queue[:QUEUE_MAX]


def _settle(session: Session, target: Target, outcome: Outcome, user: User) -> None:
    """Every open report about the target is decided with this outcome."""
    session.execute(
        update(ContentReport)
        .where(ContentReport.target_kind == target.kind, ContentReport.target_id == target.id,
               ContentReport.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by=user.id, outcome=outcome)
    )  # fmt: skip


def decide(
    session: Session, report_id: uuid.UUID, outcome: Outcome, reason: str | None, viewer: Viewer
) -> QueuedReport:
    """Hide what was reported (with the reason) or keep it; every open report about it is settled."""
    user = require_staff(viewer, to="moderate")
    found = session.get(ContentReport, report_id)
    if found is None:
        raise NotFound(f"no report '{report_id}'")
    target = find_target(session, found.target_kind, found.target_id, user)
    require_moderator_of(user, target)
    if found.resolved_at is not None:
        raise Conflict("the report has already been decided")
    if outcome == "hidden":
        if not reason:
            raise ValidationFailed({"reason": ["say why it is hidden"]})
        target.set_hidden_reason(reason)
    _settle(session, target, outcome, user)
    session.flush()
    session.refresh(found)
    return QueuedReport(found, target)


def set_hidden(
    session: Session, kind: str, target_id: uuid.UUID, reason: str | None, viewer: Viewer, *,
    shown_in: uuid.UUID | None = None,
) -> Target:  # fmt: skip
    """Staff hide something written (`reason`), or show it again (`reason` None). Hiding settles the open
    reports about it. 401 anonymous, 404 what the viewer may not see, 403 anyone who does not moderate it."""
    user = require_login(viewer)
    target = find_target(session, kind, target_id, user, shown_in=shown_in)
    require_moderator_of(user, target)
    if not target.reportable:
        raise ValidationFailed(
            {f"{kind}_id": ["only what people wrote can be hidden: a comment or an answer"]}
        )
    target.set_hidden_reason(reason)
    if reason is not None:
        _settle(session, target, "hidden", user)
    session.flush()
    return target
