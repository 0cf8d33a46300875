"""Reuses as the API and the web pages show them: the submitter by the name they chose, never an email
address; why a reuse was rejected for its submitter and staff, why it was hidden for staff only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from datatorget.catalog.permissions import Viewer
from datatorget.dialogue import reuses
from datatorget.dialogue.models import Reuse
from datatorget.dialogue.schemas import DatasetRef, ReuseImageOut, ReuseOut


def image_url(reuse: Reuse, base_url: str = "") -> str:
    """The portal's address of the image; it changes with each new image, so that it may be cached."""
    return f"{base_url}/api/v1/reuses/{reuse.id}/image?v={(reuse.image_sha256 or '')[:12]}"


def reuse_out(session: Session, reuse: Reuse, viewer: Viewer, *, base_url: str) -> ReuseOut:
    staff = reuses.is_staff(session, viewer, reuse)
    insider = staff or reuses.is_submitter(viewer, reuse)
    image = (
        ReuseImageOut(
            url=image_url(reuse, base_url), alt=reuse.image_alt or "", media_type=reuse.image_type or ""
        )
        if reuse.image_file
        else None
    )
    return ReuseOut(
        id=reuse.id, title=reuse.title, description=reuse.description, kind=reuse.kind, url=reuse.url,
        image=image,
        datasets=[DatasetRef(slug=d.slug, title=dict(d.title)) for d in reuses.used_datasets(session, reuse, viewer)],
        submitter=reuses.submitter_name(session, reuse), state=reuse.state,
        reject_reason=reuse.reject_reason if insider else None, created_at=reuse.created_at,
        modified=reuse.modified, decided_at=reuse.decided_at, hidden=reuse.hidden_reason is not None,
        hidden_reason=reuse.hidden_reason if staff else None,
    )  # fmt: skip


def reuse_outs(session: Session, found: list[Reuse], viewer: Viewer, *, base_url: str) -> list[ReuseOut]:
    return [reuse_out(session, reuse, viewer, base_url=base_url) for reuse in found]
