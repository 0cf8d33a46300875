"""Request and response models of the dialogue: what the API and the web forms accept and give.

Texts are Markdown, with script refused as in dataset descriptions. No response model has a field for an
email address or any other personal data: people appear by the name they chose, or not at all.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, EmailStr, Field, StringConstraints

from datatorget.catalog.schemas import FrequencyCode, NoScript, Slug, Strict, ThemeCode, Url

TEXT_MAX = 5_000
REASON_MAX = 1_000
RequestState = Literal["received", "under_review", "planned", "published", "declined", "available"]
DeclineReason = Literal["personal_data", "security", "not_held", "cost", "confidential", "other"]
RequestSort = Literal["votes", "newest", "answered"]

RequestTitle = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200), NoScript
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX), NoScript]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=REASON_MAX)]
TargetKind = Literal["request", "event", "discussion", "message", "reuse"]
Outcome = Literal["hidden", "kept"]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoScript]


class RequestIn(Strict):
    """A data request: what data, why, from which organisation, and how it would best be published."""

    title: RequestTitle = Field(description="What data, in a line.")
    description: Text = Field(description="The data wanted, in more detail (Markdown).")
    intended_use: Text | None = Field(None, description="What it would be used for (Markdown).")
    organization: Slug = Field(description="The organisation asked.")
    theme: ThemeCode | None = Field(None, description="A data theme (code or IRI), as datasets have.")
    wished_format: ShortText | None = Field(
        None, description="How it would best be published: CSV, an API ..."
    )
    wished_frequency: FrequencyCode | None = Field(None, description="How often it should be updated.")
    email: EmailStr | None = Field(
        None,
        description="Without an account: the address that confirms the request (a link is sent there). "
        "It is never shown.",
    )


class RequestPatch(Strict):
    """What staff of the organisation do: answer in public, and move the request to another state."""

    state: RequestState | None = None
    answer: Text | None = Field(None, description="The organisation's public answer (Markdown).")
    expected_date: date | None = Field(None, description="When the data is expected: for `planned`.")
    decline_reason: DeclineReason | None = Field(None, description="Why it is declined: for `declined`.")
    datasets: list[Slug] | None = Field(
        None, max_length=50, description="The datasets that fulfil it: for `published` and `available`."
    )


class CommentIn(Strict):
    body: Text = Field(description="The comment (Markdown).")


class AuthorOut(BaseModel):
    """Who wrote something, as shown to everyone: the name they chose (none for a deleted account), and for
    staff, their organisation."""

    name: str | None
    staff: bool
    organization: str | None = Field(description="The slug of the organisation, for staff.")


class EventOut(BaseModel):
    id: uuid.UUID
    kind: Literal["created", "comment", "answer", "state"]
    created_at: datetime
    author: AuthorOut
    body: str | None = Field(description="Markdown; null when a moderator hid it.")
    state_from: RequestState | None
    state_to: RequestState | None
    details: dict[str, Any]
    hidden: bool
    hidden_reason: str | None = Field(
        None, description="Why a moderator hid it: for staff of the organisation asked only."
    )


class OrganizationRef(BaseModel):
    slug: str
    name: str


class DatasetRef(BaseModel):
    slug: str
    title: dict[str, str]


class RequestSummary(BaseModel):
    id: uuid.UUID
    title: str
    organization: OrganizationRef
    theme: str | None
    state: RequestState
    votes: int
    comments: int
    created_at: datetime
    last_answered_at: datetime | None


class RequestOut(RequestSummary):
    description: str
    intended_use: str | None
    wished_format: str | None
    wished_frequency: str | None
    expected_date: date | None
    decline_reason: DeclineReason | None
    datasets: list[DatasetRef]
    timeline: list[EventOut]
    voted: bool = Field(description="Whether the caller has voted for it.")
    following: bool = Field(description="Whether the caller follows it.")
    hidden: bool = Field(False, description="Hidden by a moderator: only staff still see it.")
    hidden_reason: str | None = Field(
        None, description="Why a moderator hid it: for staff of the organisation asked only."
    )


class RequestCreated(BaseModel):
    id: uuid.UUID
    state: RequestState
    public: bool = Field(
        description="False until the email address is confirmed through the link sent to it."
    )


class RequestList(BaseModel):
    total: int
    items: list[RequestSummary]


class OrganizationResponsiveness(BaseModel):
    organization: OrganizationRef
    requests: int
    answered: int
    median_answer_days: float | None = Field(
        description="From filing to the first answer or change of state."
    )


# --- moderation ------------------------------------------------------------------------------------------


class ReportIn(Strict):
    """A report to the moderators: what (a request or an entry of its timeline, a discussion or one of its
    messages, a reuse) and why."""

    target_kind: TargetKind = Field(
        description="`request`, `event` (a comment or answer on a request's timeline), `discussion` (its title "
        "and question), `message` (one message of a discussion) or `reuse`."
    )
    target_id: uuid.UUID = Field(description="The id of what is reported.")
    reason: Reason = Field(description="What is wrong with it (plain text, at most 1,000 characters).")


class ReportReceipt(BaseModel):
    id: uuid.UUID
    target_kind: TargetKind
    target_id: uuid.UUID
    created_at: datetime


class ReportOut(ReportReceipt):
    """A report as the moderators see it: what was reported (with its text), why, and what became of it. Who
    reported it is never shown."""

    reason: str
    content_kind: str = Field(
        description="What was reported: `request`, the kind of timeline entry (`comment`, `answer`, `state`), "
        "`discussion`, `message` or `reuse`."
    )
    title: str = Field(description="The title of what it is, or is written in (a request, a discussion).")
    text: str | None = Field(
        description="What was reported: the text written, a request's or reuse's description, a discussion's "
        "question."
    )
    organizations: list[OrganizationRef] = Field(
        description="The organisations whose staff moderate it (with the administrators): the one asked, the "
        "one of the dataset discussed, or those of the datasets a reuse uses."
    )
    shown_at: str = Field(description="The API resource that shows it (the request, discussion or reuse).")
    hidden: bool = Field(description="Whether what was reported is hidden now.")
    resolved_at: datetime | None
    outcome: Outcome | None


class DecisionIn(Strict):
    """The moderator's decision on a report: hide what was reported (with the reason, kept with it) or keep it."""

    outcome: Outcome
    reason: Reason | None = Field(None, description="Why it is hidden: needed to hide.")


class HiddenIn(Strict):
    reason: Reason = Field(description="Why it is hidden (seen by staff only).")


# --- discussions on datasets -------------------------------------------------------------------------------

DiscussionState = Literal["open", "closed"]


class DiscussionIn(Strict):
    """A question or comment on a dataset: a title, and the text (the discussion's first message)."""

    title: RequestTitle = Field(description="What it is about, in a line (3 to 200 characters).")
    body: Text = Field(description="The question or comment (Markdown, at most 5,000 characters).")


class MessageIn(Strict):
    body: Text = Field(description="The reply (Markdown, at most 5,000 characters).")


class DiscussionPatch(Strict):
    closed: bool = Field(description="true closes the discussion (no more replies), false opens it again.")


class MessageOut(BaseModel):
    id: uuid.UUID
    created_at: datetime
    author: AuthorOut = Field(description="Staff appear as the dataset's organisation: its answer.")
    body: str | None = Field(description="Markdown; null when a moderator hid it.")
    hidden: bool
    hidden_reason: str | None = Field(
        None, description="Why a moderator hid it: for staff of the dataset's organisation only."
    )


class DiscussionSummary(BaseModel):
    id: uuid.UUID
    dataset: DatasetRef
    title: str
    author: AuthorOut
    state: DiscussionState
    messages: int = Field(description="Messages not hidden, the first (the question) included.")
    answered: bool = Field(description="Whether staff of the dataset's organisation have replied.")
    created_at: datetime
    last_activity_at: datetime
    closed_at: datetime | None
    hidden: bool = Field(False, description="Hidden by a moderator: only staff still see it.")


class DiscussionOut(DiscussionSummary):
    thread: list[MessageOut] = Field(description="The messages, oldest first; the first is the question.")
    hidden_reason: str | None = Field(
        None, description="Why a moderator hid it: for staff of the dataset's organisation only."
    )


class DiscussionList(BaseModel):
    total: int
    items: list[DiscussionSummary]


# --- reuses ------------------------------------------------------------------------------------------------

ReuseKind = Literal["app", "service", "visualisation", "analysis", "other"]
ReuseState = Literal["pending", "approved", "rejected"]
ReuseDecision = Literal["approved", "rejected"]
REUSE_DATASETS_MAX = 20
AltText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), NoScript]


class ReuseIn(Strict):
    """A reuse: what it is, where it is, and the datasets it is built on (published ones, at least one)."""

    title: RequestTitle = Field(description="Its name.")
    description: Text = Field(description="What it does and how it uses the data (Markdown).")
    kind: ReuseKind
    url: Url = Field(description="Where it is: an http or https address.")
    datasets: list[Slug] = Field(
        min_length=1, max_length=REUSE_DATASETS_MAX, description="The slugs of the datasets it uses."
    )


class ReusePatch(Strict):
    """The submitter changes what they wrote (the reuse then waits for approval again); staff of an
    organisation whose dataset it uses decide with `state`, and say why with `reason` when they reject it."""

    title: RequestTitle | None = None
    description: Text | None = None
    kind: ReuseKind | None = None
    url: Url | None = None
    datasets: list[Slug] | None = Field(None, min_length=1, max_length=REUSE_DATASETS_MAX)
    image_alt: AltText | None = Field(None, description="The text that describes the image.")
    state: ReuseDecision | None = Field(None, description="Staff: approve or reject.")
    reason: Reason | None = Field(
        None, description="Why it is rejected: needed to reject; shown to the submitter."
    )


class ReuseImageOut(BaseModel):
    url: str = Field(description="The image, served by this portal.")
    alt: str
    media_type: str


class ReuseOut(BaseModel):
    id: uuid.UUID
    title: str
    description: str
    kind: ReuseKind
    url: str
    image: ReuseImageOut | None
    datasets: list[DatasetRef]
    submitter: str | None = Field(description="The name the submitter chose; null without one.")
    state: ReuseState
    reject_reason: str | None = Field(description="Why staff rejected it: for the submitter and staff only.")
    created_at: datetime
    modified: datetime
    decided_at: datetime | None
    hidden: bool = Field(
        False, description="Hidden by a moderator: only staff and the submitter still see it."
    )
    hidden_reason: str | None = Field(None, description="Why a moderator hid it: for staff only.")


class ReuseList(BaseModel):
    total: int
    items: list[ReuseOut]
