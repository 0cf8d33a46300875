"""Discussions of the demo municipality: a question the municipality answered, one answered and closed, and
one still waiting, so that the discussions on a dataset's page can be seen."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog import accounts
from datatorget.catalog.models import Dataset
from datatorget.demo.requests import member
from datatorget.dialogue import discussions
from datatorget.dialogue.models import Discussion
from datatorget.dialogue.schemas import DiscussionIn

STAFF = "staff"  # the organisation's answer, given as the system user


@dataclass(frozen=True)
class DemoDiscussion:
    dataset: str
    title: str
    by: str  # a demo member's address
    messages: tuple[
        tuple[str, str], ...
    ]  # (a demo member's address or STAFF, Markdown); the first is the question
    closed: bool = False


DEMO_DISCUSSIONS = (
    DemoDiscussion(
        "badplatser", "Vilket koordinatsystem används?", "anna@medlem.example",
        (("anna@medlem.example", "Jag vill visa badplatserna på en karta i föreningens app. Är koordinaterna i "
                                 "SWEREF 99 TM eller i WGS 84?"),
         (STAFF, "Tack för frågan! Både GeoJSON-filen och tabellen har koordinater i **WGS 84** (latitud och "
                 "longitud i decimalgrader), så de fungerar direkt i de flesta kartverktyg."),
         ("anna@medlem.example", "Perfekt, tack!")),
    ),
    DemoDiscussion(
        "laddstationer", "Hur ofta uppdateras laddstationerna?", "omar@medlem.example",
        (("omar@medlem.example", "Hur ofta uppdateras filen, och syns det om en station ännu inte är i drift?"),
         (STAFF, "Vi uppdaterar filen varje månad. Kolumnen **Status** säger om stationen är i drift eller "
                 "under byggnation."),),
        closed=True,
    ),
    DemoDiscussion(
        "evenemang", "Kan ni ange om evenemangen är gratis?", "omar@medlem.example",
        (("omar@medlem.example", "Det skulle vara bra att kunna filtrera fram **gratis** evenemang."),
         ("anna@medlem.example", "Instämmer, gärna också en åldersgräns när det finns en.")),
    ),
)  # fmt: skip


def load_demo_discussions(session: Session) -> int:
    """Create the demo discussions that are missing (on demo datasets that exist); give the number created.
    The demo members are those of the demo requests."""
    staff = accounts.system_user(session)
    created = 0
    for demo in DEMO_DISCUSSIONS:
        dataset_id = session.scalar(select(Dataset.id).where(Dataset.slug == demo.dataset))
        exists = select(Discussion.id).where(
            Discussion.dataset_id == dataset_id, Discussion.title == demo.title
        )
        if dataset_id is None or session.scalar(exists) is not None:
            continue
        (_, question), *replies = demo.messages
        started = discussions.start_discussion(
            session, demo.dataset, DiscussionIn(title=demo.title, body=question), member(session, demo.by)
        )
        for by, text in replies:
            discussions.reply(session, started.id, text, staff if by == STAFF else member(session, by))
        if demo.closed:
            discussions.set_closed(session, started.id, True, staff)
        created += 1
    return created
