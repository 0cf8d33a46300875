"""Reuses of the demo municipality's data: two approved (with an image drawn here, nothing downloaded) and
one waiting for approval, registered by the demo members."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog import accounts
from datatorget.config import Settings
from datatorget.demo.requests import member
from datatorget.dialogue import reuses
from datatorget.dialogue.models import Reuse
from datatorget.dialogue.schemas import ReuseIn, ReusePatch

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class DemoReuse:
    fields: dict[str, Any]
    by: str
    approved: bool
    image: tuple[RGB, RGB] | None = None  # the two colours of its picture
    image_alt: str = ""


DEMO_REUSES = (
    DemoReuse(
        {"title": "Badkollen", "kind": "app", "url": "https://badkollen.example/",
         "description": "En mobilapp som visar Sjöviks badplatser på en karta, med senaste provtagningen av "
                        "vattnet. Grönt betyder *tjänligt*.",
         "datasets": ["badplatser", "badvattenkvalitet"]},
        by="anna@medlem.example", approved=True, image=((0, 94, 150), (120, 200, 230)),
        image_alt="Karta över Sjöviks badplatser med gröna markeringar där vattnet är tjänligt.",
    ),
    DemoReuse(
        {"title": "Laddkartan", "kind": "visualisation", "url": "https://laddkartan.example/sjovik",
         "description": "Var laddstationerna i Sjövik finns och hur många uttag de har, på en karta.",
         "datasets": ["laddstationer"]},
        by="omar@medlem.example", approved=True, image=((20, 90, 50), (250, 200, 60)),
        image_alt="Karta med laddstationer som gula prickar, större där det finns fler uttag.",
    ),
    DemoReuse(
        {"title": "Helgtips från Sjöviks-Posten", "kind": "service", "url": "https://sjoviksposten.example/helg",
         "description": "Lokaltidningens veckobrev med helgens evenemang, hämtade ur kommunens kalender.",
         "datasets": ["evenemang"]},
        by="anna@medlem.example", approved=False,
    ),
)  # fmt: skip


def picture(top: RGB, bottom: RGB, width: int = 240, height: int = 135) -> bytes:
    """A small PNG: a sky of one colour over ground of another, with a band between. No library needed."""
    rows = []
    for y in range(height):
        colour = top if y < height * 0.6 else bottom
        if abs(y - height * 0.6) < 3:
            colour = (255, 255, 255)
        rows.append(b"\x00" + bytes(colour) * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )  # fmt: skip


def load_demo_reuses(session: Session, settings: Settings) -> int:
    """Create the demo reuses that are missing; give the number created."""
    staff = accounts.system_user(session)
    created = 0
    for demo in DEMO_REUSES:
        if session.scalar(select(Reuse.id).where(Reuse.title == demo.fields["title"])) is not None:
            continue
        submitter = member(session, demo.by)
        reuse = reuses.register_reuse(session, ReuseIn.model_validate(demo.fields), submitter)
        if demo.image is not None:
            image = io.BytesIO(picture(*demo.image))
            reuses.set_image(
                session, reuse.id, image, demo.image_alt, submitter, files_dir=settings.files_dir
            )
        if demo.approved:
            reuses.change_reuse(session, reuse.id, ReusePatch(state="approved"), staff)
        created += 1
    return created
