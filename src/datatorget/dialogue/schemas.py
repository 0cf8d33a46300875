"""Request and response models of the dialogue: what the API and the web forms accept and give.

Texts are Markdown, with script refused as in dataset descriptions. No response model has a field for an
email address or any other personal data: people appear by the name they chose, or not at all.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, EmailStr, Field, StringConstraints

from datatorget.catalog.schemas import FrequencyCode, NoScript, Slug, Strict, ThemeCode

TEXT_MAX = 5_000
RequestState = Literal["received", "under_review", "planned", "published", "declined", "available"]
DeclineReason = Literal["personal_data", "security", "not_held", "cost", "confidential", "other"]
RequestSort = Literal["votes", "newest", "answered"]

RequestTitle = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200), NoScript
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX), NoScript]
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
