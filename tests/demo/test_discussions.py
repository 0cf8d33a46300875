"""The demo discussions: one answered by the municipality, one answered and closed, one still waiting."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datatorget.config import Settings
from datatorget.demo.load import load_demo
from datatorget.dialogue import discussions
from datatorget.dialogue.discussion_present import discussion_summaries
from datatorget.dialogue.models import Discussion


def test_the_demo_has_an_answered_a_closed_and_a_waiting_discussion(session: Session, tmp_path: Path) -> None:
    load_demo(session, Settings(data_dir=tmp_path))

    found = list(session.scalars(select(Discussion).order_by(Discussion.title)))
    summaries = {s.title: s for s in discussion_summaries(session, found)}

    assert {title: (s.dataset.slug, s.state, s.answered) for title, s in summaries.items()} == {
        "Hur ofta uppdateras laddstationerna?": ("laddstationer", "closed", True),
        "Kan ni ange om evenemangen är gratis?": ("evenemang", "open", False),
        "Vilket koordinatsystem används?": ("badplatser", "open", True),
    }
    assert summaries["Vilket koordinatsystem används?"].author.name == "Anna Lind"
    answer = discussions.thread(session, found[2])[1][0]
    assert answer.staff is True


def test_loading_the_demo_again_adds_no_discussion(session: Session, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    load_demo(session, settings)
    load_demo(session, settings)

    assert session.scalar(select(func.count()).select_from(Discussion)) == 3
