"""The demo reuses: two approved with an image the portal serves, one waiting for approval."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datatorget.config import Settings
from datatorget.demo.load import load_demo
from datatorget.dialogue import reuses
from datatorget.dialogue.models import Reuse


def test_the_demo_has_two_approved_reuses_with_images_and_one_waiting(
    session: Session, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path)
    load_demo(session, settings)

    found = {r.title: r for r in session.scalars(select(Reuse))}
    assert {title: (r.state, r.image_type) for title, r in found.items()} == {
        "Badkollen": ("approved", "image/png"),
        "Laddkartan": ("approved", "image/png"),
        "Helgtips från Sjöviks-Posten": ("pending", None),
    }
    image = reuses.stored_image(found["Badkollen"], settings.files_dir).read_bytes()
    assert reuses.image_type(image[:16]) == ("image/png", "png")
    assert reuses.submitter_name(session, found["Laddkartan"]) == "Omar Haddad"


def test_loading_the_demo_again_adds_no_reuse(session: Session, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    load_demo(session, settings)
    load_demo(session, settings)

    assert session.scalar(select(func.count()).select_from(Reuse)) == 3
