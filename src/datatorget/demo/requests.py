"""Data requests of the demo municipality: one of each kind of answer, so that the dialogue can be seen."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog import accounts
from datatorget.catalog.models import User
from datatorget.dialogue import requests
from datatorget.dialogue.models import DataRequest
from datatorget.dialogue.schemas import RequestIn, RequestPatch

MEMBERS = {"anna@medlem.example": "Anna Lind", "omar@medlem.example": "Omar Haddad"}


@dataclass(frozen=True)
class DemoRequest:
    fields: dict[str, Any]
    by: str
    voters: tuple[str, ...] = ()
    comments: tuple[tuple[str, str], ...] = ()  # (member, text)
    answer: dict[str, Any] = field(default_factory=dict)  # a RequestPatch from the municipality's staff


DEMO_REQUESTS = (
    DemoRequest(
        {"title": "Parkeringsplatser för rörelsehindrade", "organization": "sjovik", "theme": "TRAN",
         "description": "Var finns parkeringsplatserna för rörelsehindrade, och hur många platser har varje?",
         "intended_use": "En tillgänglighetskarta för föreningen.", "wished_format": "GeoJSON",
         "wished_frequency": "ANNUAL"},
        by="anna@medlem.example", voters=("anna@medlem.example", "omar@medlem.example"),
        comments=(("omar@medlem.example", "Gärna med information om laddmöjlighet också."),),
    ),
    DemoRequest(
        {"title": "Matsedlar i skolorna", "organization": "sjovik", "theme": "EDUC",
         "description": "Veckans matsedel för varje skola, maskinläsbart.", "wished_format": "JSON",
         "wished_frequency": "WEEKLY"},
        by="omar@medlem.example", voters=("anna@medlem.example",),
        answer={"state": "planned", "expected_date": date(2027, 2, 1),
                "answer": "Tack! Kostenheten tar fram ett API, som vi räknar med att publicera i februari."},
    ),
    DemoRequest(
        {"title": "Badplatser med koordinater", "organization": "sjovik", "theme": "ENVI",
         "description": "Alla kommunala badplatser med koordinater, gärna med brygga och toalett."},
        by="anna@medlem.example",
        answer={"state": "published", "datasets": ["badplatser"],
                "answer": "Nu publicerat, med koordinater och faciliteter."},
    ),
)  # fmt: skip


def load_demo_requests(session: Session) -> int:
    """Create the demo members and requests that are missing; give the number of requests created."""
    members = {email: member(session, email) for email in MEMBERS}
    staff = accounts.system_user(session)
    created = 0
    for demo in DEMO_REQUESTS:
        if (
            session.scalar(select(DataRequest.id).where(DataRequest.title == demo.fields["title"]))
            is not None
        ):
            continue
        filed = requests.file_request(
            session, RequestIn.model_validate(demo.fields), members[demo.by]
        ).request
        for voter in demo.voters:
            requests.vote(session, filed.id, members[voter])
        for by, text in demo.comments:
            requests.add_comment(session, filed.id, text, members[by])
        if demo.answer:
            requests.answer_request(session, filed.id, RequestPatch.model_validate(demo.answer), staff)
        created += 1
    return created


def member(session: Session, email: str) -> User:
    """The demo member with this address (one of MEMBERS), created when missing; nobody can log in as one (a
    random password nobody knows)."""
    found = session.scalar(select(User).where(User.email == email))
    if found is not None:
        return found
    return accounts.create_user(session, email=email, password=uuid.uuid4().hex, role="member",
                                organization_slug=None, by=None, display_name=MEMBERS[email])  # fmt: skip
