"""Reuses: apps, services, visualisations and analyses built on published datasets.

Anyone with an account registers one; it is pending until staff of an organisation whose dataset it uses (or
an administrator) approve it, and only approved reuses are public. The submitter sees theirs in every state,
may change it (which sends it back to pending, so that staff see every change before the public does), give
it an image, and delete it. Staff may hide an approved reuse later, with a reason, as they hide requests.

The image is an upload (PNG, JPEG or WebP, at most 2 MB, recognised by its first bytes), kept under
`files_dir/reuses/` and served by the portal: visitors never load anything from the reuse's own site.
"""

from __future__ import annotations

import io
import secrets
import uuid
from pathlib import Path
from typing import BinaryIO

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.orm import Session

from datatorget.catalog.datasets import get_dataset
from datatorget.catalog.files import remove_after_commit, store_stream
from datatorget.catalog.models import Dataset, User
from datatorget.catalog.permissions import (
    Viewer,
    editor_organization,
    is_admin,
    require_login,
    visible_datasets,
)
from datatorget.db.base import utcnow
from datatorget.dialogue.models import Reuse, ReuseDataset
from datatorget.dialogue.requests import published_datasets
from datatorget.dialogue.schemas import AltText, ReuseIn, ReusePatch
from datatorget.errors import NotFound, PayloadTooLarge, PermissionDenied, ValidationFailed

PAGE_MAX = 100
IMAGE_MAX_BYTES = 2 * 1024 * 1024
IMAGE_FOLDER = "reuses"
CONTENT_FIELDS = ("title", "description", "kind", "url", "datasets", "image_alt")
NOT_STAFF = "only staff of an organisation whose dataset the reuse uses may decide on it"
NOT_SUBMITTER = "only whoever registered the reuse may change it"
_alt_text: TypeAdapter[str] = TypeAdapter(AltText)


def image_type(head: bytes) -> tuple[str, str] | None:
    """(media type, file extension) of a PNG, JPEG or WebP image, from its first bytes; None for anything
    else, whatever its name or the type it was sent as."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def image_path(files_dir: Path, file_name: str) -> Path:
    return files_dir / IMAGE_FOLDER / file_name[:2] / file_name


# --- who sees and does what -----------------------------------------------------------------------------


def _using_organization(organization_id: uuid.UUID) -> ColumnElement[bool]:
    """Reuses that use a dataset of the organisation."""
    return Reuse.id.in_(
        select(ReuseDataset.reuse_id).join(Dataset, Dataset.id == ReuseDataset.dataset_id)
        .where(Dataset.organization_id == organization_id)
    )  # fmt: skip


def _visible(viewer: Viewer) -> ColumnElement[bool]:
    """Everyone sees approved reuses that are not hidden; the submitter sees theirs, staff the reuses of
    their organisation's datasets, admins all."""
    public = and_(Reuse.state == "approved", Reuse.hidden_reason.is_(None))
    if viewer is None:
        return public
    if is_admin(viewer):
        return true()
    seen = [public, Reuse.submitter_id == viewer.id]
    if (organization_id := editor_organization(viewer)) is not None:
        seen.append(_using_organization(organization_id))
    return or_(*seen)


def is_staff(session: Session, viewer: Viewer, reuse: Reuse) -> bool:
    """Whether the viewer decides on the reuse: an admin, or an editor of an organisation whose dataset it
    uses."""
    if is_admin(viewer):
        return True
    if (organization_id := editor_organization(viewer)) is None:
        return False
    found = session.scalar(
        select(func.count()).select_from(ReuseDataset).join(Dataset, Dataset.id == ReuseDataset.dataset_id)
        .where(ReuseDataset.reuse_id == reuse.id, Dataset.organization_id == organization_id)
    )  # fmt: skip
    return bool(found)


def is_submitter(viewer: Viewer, reuse: Reuse) -> bool:
    return viewer is not None and reuse.submitter_id is not None and reuse.submitter_id == viewer.id


# --- registering, reading, listing ----------------------------------------------------------------------


def _published_datasets(session: Session, slugs: list[str]) -> list[Dataset]:
    """The datasets named, each once; every one must exist and be published."""
    found, unknown = published_datasets(session, slugs)
    if unknown:
        raise ValidationFailed({"datasets": unknown})
    return found


def register_reuse(session: Session, data: ReuseIn, viewer: Viewer) -> Reuse:
    """Register a reuse; it waits for approval."""
    user = require_login(viewer)
    datasets = _published_datasets(session, data.datasets)
    now = utcnow()
    reuse = Reuse(
        title=data.title, description=data.description, kind=data.kind, url=data.url, state="pending",
        submitter_id=user.id, created_at=now, modified=now,
    )  # fmt: skip
    reuse.datasets = [ReuseDataset(dataset_id=d.id) for d in datasets]
    session.add(reuse)
    session.flush()
    return reuse


def get_reuse(session: Session, reuse_id: uuid.UUID, viewer: Viewer) -> Reuse:
    reuse = session.scalar(select(Reuse).where(Reuse.id == reuse_id, _visible(viewer)))
    if reuse is None:
        raise NotFound(f"no reuse '{reuse_id}'")
    return reuse


def list_reuses(
    session: Session,
    viewer: Viewer,
    *,
    state: str = "approved",
    kind: str | None = None,
    dataset: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[int, list[Reuse]]:
    """The reuses in `state` the viewer may see (approved by default; pending ones are their own, or their
    organisation's for staff), newest first."""
    conditions = [_visible(viewer), Reuse.state == state]
    if kind:
        conditions.append(Reuse.kind == kind)
    if dataset:
        used = get_dataset(session, dataset, viewer)  # NotFound for a dataset the viewer may not see
        conditions.append(
            Reuse.id.in_(select(ReuseDataset.reuse_id).where(ReuseDataset.dataset_id == used.id))
        )
    total = session.scalar(select(func.count()).select_from(Reuse).where(*conditions)) or 0
    found = session.scalars(
        select(Reuse).where(*conditions).order_by(Reuse.created_at.desc(), Reuse.id)
        .limit(min(max(limit, 1), PAGE_MAX)).offset(max(offset, 0))
    ).all()  # fmt: skip
    return total, list(found)


def public_reuses_of(session: Session, dataset: Dataset) -> list[Reuse]:
    """The approved reuses of a dataset that everyone sees, newest first."""
    return list(
        session.scalars(
            select(Reuse).join(ReuseDataset, ReuseDataset.reuse_id == Reuse.id)
            .where(ReuseDataset.dataset_id == dataset.id, _visible(None))
            .order_by(Reuse.created_at.desc(), Reuse.id)
        )
    )  # fmt: skip


def used_datasets(session: Session, reuse: Reuse, viewer: Viewer) -> list[Dataset]:
    """The datasets the reuse uses that the viewer may see, by slug."""
    return list(
        session.scalars(
            select(Dataset).join(ReuseDataset, ReuseDataset.dataset_id == Dataset.id)
            .where(ReuseDataset.reuse_id == reuse.id, visible_datasets(viewer)).order_by(Dataset.slug)
        )
    )  # fmt: skip


def submitter_name(session: Session, reuse: Reuse) -> str | None:
    """The name the submitter chose; None without one, or for a deleted account."""
    if reuse.submitter_id is None:
        return None
    return session.scalar(select(User.display_name).where(User.id == reuse.submitter_id))


# --- changing -------------------------------------------------------------------------------------------


def change_reuse(session: Session, reuse_id: uuid.UUID, patch: ReusePatch, viewer: Viewer) -> Reuse:
    """Staff decide (`state`, with a `reason` to reject); the submitter changes what they wrote, which sends
    the reuse back to pending. Not both in one change."""
    user = require_login(viewer)
    reuse = get_reuse(session, reuse_id, user)
    content = patch.model_fields_set & set(CONTENT_FIELDS)
    if patch.state is not None or "reason" in patch.model_fields_set:
        if content:
            raise ValidationFailed({"state": ["decide, or change the reuse: not both at once"]})
        _decide(session, reuse, patch, user)
    else:
        _edit(session, reuse, patch, user, content)
    session.flush()
    return reuse


def _decide(session: Session, reuse: Reuse, patch: ReusePatch, user: User) -> None:
    if not is_staff(session, user, reuse):
        raise PermissionDenied(NOT_STAFF)
    if patch.state is None:
        raise ValidationFailed({"reason": ["a reason goes with the state rejected"]})
    if patch.state == "rejected" and patch.reason is None:
        raise ValidationFailed({"reason": ["say why the reuse is rejected"]})
    if patch.state == "approved" and patch.reason is not None:
        raise ValidationFailed({"reason": ["a reason goes with the state rejected"]})
    now = utcnow()
    reuse.state = patch.state
    reuse.reject_reason = patch.reason if patch.state == "rejected" else None
    reuse.decided_by = user.id
    reuse.decided_at = now
    reuse.modified = now


def _edit(session: Session, reuse: Reuse, patch: ReusePatch, user: User, changed: set[str]) -> None:
    if not changed:
        raise ValidationFailed({"title": ["give what to change, or a state to decide"]})
    if not is_submitter(user, reuse):
        raise PermissionDenied(NOT_SUBMITTER)
    errors = {name: ["required"] for name in changed if getattr(patch, name) is None}
    if "image_alt" in changed and reuse.image_file is None:
        errors["image_alt"] = ["the reuse has no image: send one first"]
    if errors:
        raise ValidationFailed(errors)
    if patch.datasets is not None:
        datasets = _published_datasets(session, patch.datasets)
        reuse.datasets = [ReuseDataset(reuse_id=reuse.id, dataset_id=d.id) for d in datasets]
    for name in ("title", "description", "kind", "url", "image_alt"):
        if name in changed:
            setattr(reuse, name, getattr(patch, name))
    _back_to_pending(reuse)


def _back_to_pending(reuse: Reuse) -> None:
    """A change by the submitter waits for approval, as the reuse did at first."""
    reuse.state = "pending"
    reuse.reject_reason = None
    reuse.decided_by = None
    reuse.decided_at = None
    reuse.modified = utcnow()


def delete_reuse(session: Session, reuse_id: uuid.UUID, viewer: Viewer, *, files_dir: Path) -> None:
    """The submitter, or an administrator, deletes a reuse and its image."""
    user = require_login(viewer)
    reuse = get_reuse(session, reuse_id, user)
    if not (is_submitter(user, reuse) or is_admin(user)):
        raise PermissionDenied("only whoever registered the reuse, or an administrator, may delete it")
    if reuse.image_file:
        remove_after_commit(session, image_path(files_dir, reuse.image_file))
    session.delete(reuse)
    session.flush()


# --- the image ------------------------------------------------------------------------------------------


def set_image(
    session: Session, reuse_id: uuid.UUID, source: BinaryIO, alt: str | None, viewer: Viewer, *,
    files_dir: Path,
) -> Reuse:  # fmt: skip
    """Give the reuse an image (replacing any), with the text that describes it; it then waits for approval
    again. Refused unless it is a PNG, JPEG or WebP image of at most 2 MB."""
    user = require_login(viewer)
    reuse = get_reuse(session, reuse_id, user)
    if not is_submitter(user, reuse):
        raise PermissionDenied(NOT_SUBMITTER)
    try:
        alt_text = _alt_text.validate_python(alt or "")
    except ValidationError:
        raise ValidationFailed(
            {"alt": ["describe the image in at most 300 characters, without scripts or HTML"]}
        ) from None
    data = source.read(IMAGE_MAX_BYTES + 1)
    if len(data) > IMAGE_MAX_BYTES:
        raise PayloadTooLarge(f"the image is larger than the limit of {IMAGE_MAX_BYTES} bytes")
    if not data:
        raise ValidationFailed({"image": ["the file is empty"]})
    found = image_type(data[:16])
    if found is None:
        raise ValidationFailed({"image": ["the file is not a PNG, JPEG or WebP image"]})
    media_type, extension = found
    file_name = f"{reuse.id.hex}-{secrets.token_hex(4)}.{extension}"
    stored = store_stream(
        session, io.BytesIO(data), image_path(files_dir, file_name), max_bytes=IMAGE_MAX_BYTES
    )
    if reuse.image_file:
        remove_after_commit(session, image_path(files_dir, reuse.image_file))
    reuse.image_file, reuse.image_type, reuse.image_sha256 = file_name, media_type, stored.sha256
    reuse.image_alt = alt_text
    _back_to_pending(reuse)
    session.flush()
    return reuse


def remove_image(session: Session, reuse_id: uuid.UUID, viewer: Viewer, *, files_dir: Path) -> Reuse:
    """The submitter takes the image away."""
    user = require_login(viewer)
    reuse = get_reuse(session, reuse_id, user)
    if not is_submitter(user, reuse):
        raise PermissionDenied(NOT_SUBMITTER)
    if reuse.image_file is None:
        raise NotFound("the reuse has no image")
    remove_after_commit(session, image_path(files_dir, reuse.image_file))
    reuse.image_file = reuse.image_type = reuse.image_sha256 = reuse.image_alt = None
    reuse.modified = utcnow()
    session.flush()
    return reuse


def stored_image(reuse: Reuse, files_dir: Path) -> Path:
    """Where the reuse's image is kept; NotFound when it has none."""
    if reuse.image_file is None:
        raise NotFound("the reuse has no image")
    return image_path(files_dir, reuse.image_file)
