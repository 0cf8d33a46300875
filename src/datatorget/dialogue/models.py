"""Dialogue tables: data requests with their votes, followers and public timeline, and counts of demand.

Personal data (email addresses, who voted) is kept to notify and to count one vote per person; it is never
shown publicly or exported. A deleted account leaves its public contributions without a name
(`author_id` and `requester_id` become NULL).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from datatorget.catalog.models import Dataset, Organization
from datatorget.db.base import Base, created_at, utcnow, uuid_pk


class DataRequest(Base):
    """Someone asks an organisation for data; staff answer and move it through its states in public."""

    __tablename__ = "data_request"
    __table_args__ = (Index("ix_data_request_organization_state", "organization_id", "state"),)

    id: Mapped[uuid_pk]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)  # Markdown
    intended_use: Mapped[str | None] = mapped_column(Text)  # Markdown: why the data is wanted
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    theme: Mapped[str | None] = mapped_column(String(50))  # a data-theme code, as datasets have
    wished_format: Mapped[str | None] = mapped_column(String(200))
    wished_frequency: Mapped[str | None] = mapped_column(String(50))
    state: Mapped[str] = mapped_column(String(20), index=True)
    expected_date: Mapped[date | None] = mapped_column(Date)  # when planned
    decline_reason: Mapped[str | None] = mapped_column(String(30))  # when declined
    requester_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    requester_email: Mapped[str | None] = mapped_column(String(320))  # filed without an account: private
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirmed_at: Mapped[datetime | None]  # public from then on
    hidden_reason: Mapped[str | None] = mapped_column(Text)  # hidden by a moderator, with the reason
    votes: Mapped[int] = mapped_column(Integer, default=0)
    first_answered_at: Mapped[datetime | None]  # the first staff answer or state change: answer times
    last_answered_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    modified: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship(lazy="joined")
    events: Mapped[list[RequestEvent]] = relationship(
        order_by="RequestEvent.created_at", passive_deletes=True, cascade="all, delete-orphan"
    )
    datasets: Mapped[list[RequestDataset]] = relationship(passive_deletes=True, cascade="all, delete-orphan")


class RequestVote(Base):
    """One vote per person and request."""

    __tablename__ = "request_vote"

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("data_request.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[created_at]


class RequestFollow(Base):
    """A person who is told by email when the request changes state or staff answer."""

    __tablename__ = "request_follow"

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("data_request.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[created_at]


class RequestEvent(Base):
    """An entry of a request's public timeline: filed, a comment, a staff answer, a change of state."""

    __tablename__ = "request_event"

    id: Mapped[uuid_pk]
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("data_request.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # created | comment | answer | state
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    by_staff: Mapped[bool] = mapped_column(Boolean, default=False)  # the organisation's answer
    body: Mapped[str | None] = mapped_column(Text)  # Markdown
    state_from: Mapped[str | None] = mapped_column(String(20))
    state_to: Mapped[str | None] = mapped_column(String(20))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # datasets, reason, expected date
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]


class ContentReport(Base):
    """Someone tells the moderators that a request or a timeline entry breaks the rules; staff of the
    organisation asked (or an administrator) decide to hide it or keep it. Shown to staff only."""

    __tablename__ = "content_report"
    __table_args__ = (Index("ix_content_report_target", "target_kind", "target_id"),)

    id: Mapped[uuid_pk]
    target_kind: Mapped[str] = mapped_column(String(10))  # a kind of moderation.RESOLVERS
    target_id: Mapped[uuid.UUID]  # a data_request or a request_event: no foreign key, it is either
    reason: Mapped[str] = mapped_column(Text)
    reporter_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )  # None: reported without an account, or the account was deleted
    created_at: Mapped[created_at]
    resolved_at: Mapped[datetime | None] = mapped_column(index=True)  # None: open, in the queue
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(String(10))  # hidden | kept


class RequestDataset(Base):
    """A dataset that fulfils a request (published) or already held the data (available)."""

    __tablename__ = "request_dataset"

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("data_request.id", ondelete="CASCADE"), primary_key=True
    )
    dataset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SearchMiss(Base):
    """Searches that found nothing, counted per normalised query and day: the unmet demand."""

    __tablename__ = "search_miss"

    query: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class DatasetUsage(Base):
    """Views, downloads and API calls per dataset and day, counted without who made them."""

    __tablename__ = "dataset_usage"

    dataset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # view | download | api
    count: Mapped[int] = mapped_column(Integer, default=0)


# --- discussions on datasets (dialogue/discussions.py) ---------------------------------------------------


class Discussion(Base):
    """A question or comment on a dataset's page, with its replies; staff of the dataset's organisation (and
    admins) close it, and so may the person who started it. The first message is the question itself."""

    __tablename__ = "discussion"
    __table_args__ = (Index("ix_discussion_dataset_activity", "dataset_id", "last_activity_at"),)

    id: Mapped[uuid_pk]
    dataset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[created_at]
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)  # the newest message: lists sort by it
    closed_at: Mapped[datetime | None]  # None: open
    closed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str | None] = mapped_column(Text)  # hidden by a moderator, with the reason

    dataset: Mapped[Dataset] = relationship(lazy="joined")


class DiscussionMessage(Base):
    """One message of a discussion; `staff` says the author spoke for the dataset's organisation (fixed when
    written)."""

    __tablename__ = "discussion_message"

    id: Mapped[uuid_pk]
    discussion_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("discussion.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)  # Markdown
    staff: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]


# --- reuses (dialogue/reuses.py) ---------------------------------------------------------------------------


class Reuse(Base):
    """An app, service, visualisation or analysis built on datasets, registered by someone with an account.
    Public once staff of an organisation whose dataset it uses (or an administrator) approve it."""

    __tablename__ = "reuse"

    id: Mapped[uuid_pk]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)  # Markdown
    kind: Mapped[str] = mapped_column(String(20))  # app | service | visualisation | analysis | other
    url: Mapped[str] = mapped_column(String(2000))  # http or https only
    image_file: Mapped[str | None] = mapped_column(String(100))  # stored under files_dir/reuses/
    image_type: Mapped[str | None] = mapped_column(String(20))  # image/png | image/jpeg | image/webp
    image_sha256: Mapped[str | None] = mapped_column(String(64))
    image_alt: Mapped[str | None] = mapped_column(String(300))  # needed with an image
    submitter_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )  # None once the account is deleted: the reuse stays, without a name
    state: Mapped[str] = mapped_column(String(20), index=True)  # pending | approved | rejected
    reject_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(Text)  # hidden by a moderator, with the reason
    created_at: Mapped[created_at]
    modified: Mapped[datetime] = mapped_column(default=utcnow)

    datasets: Mapped[list[ReuseDataset]] = relationship(passive_deletes=True, cascade="all, delete-orphan")


class ReuseDataset(Base):
    """A dataset a reuse is built on."""

    __tablename__ = "reuse_dataset"

    reuse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reuse.id", ondelete="CASCADE"), primary_key=True)
    dataset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True, index=True
    )
