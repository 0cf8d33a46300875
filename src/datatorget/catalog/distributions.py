"""Distributions: links to data elsewhere, or files uploaded into the data dir."""

from __future__ import annotations

import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from pydantic_core import PydanticCustomError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datatorget.catalog.changes import diff, record_change
from datatorget.catalog.datasets import get_dataset, require_change, touch
from datatorget.catalog.files import file_path, on_commit, remove_after_commit, safe_file_name, store_stream
from datatorget.catalog.models import Dataset, Distribution
from datatorget.catalog.permissions import Viewer, can_see
from datatorget.catalog.schemas import DistributionLinkIn, DistributionPatch, vocabulary_code
from datatorget.catalog.vocabulary import file_type_for_filename, file_type_for_media_type, term
from datatorget.db.base import utcnow
from datatorget.errors import NotFound, PayloadTooLarge, ValidationFailed
from datatorget.store.versions import table_dir

_FIELDS = ("title", "description", "access_url", "download_url", "format", "media_type", "license")


@dataclass(frozen=True)
class Upload:
    """A file a publisher sends, as a stream; `declared_size` is the size of the file alone, when known."""

    stream: BinaryIO
    file_name: str
    content_type: str | None = None
    declared_size: int | None = None


def get_distribution(session: Session, distribution_id: uuid.UUID, viewer: Viewer) -> Distribution:
    distribution = session.get(Distribution, distribution_id)
    if distribution is None or not can_see(viewer, distribution.dataset):
        raise NotFound(f"no distribution '{distribution_id}'")
    return distribution


def add_link(session: Session, dataset_ref: str, data: DistributionLinkIn, by: Viewer) -> Distribution:
    dataset = get_dataset(session, dataset_ref, by)
    user = require_change(by, dataset)
    values = data.model_dump()
    if values["format"] and not values["media_type"]:
        values["media_type"] = term("file_types", values["format"]).media_type
    distribution = Distribution(
        id=uuid.uuid4(), dataset=dataset, position=_next_position(session, dataset), **values
    )
    session.add(distribution)
    return _created(session, distribution, dataset, user)


def add_upload(
    session: Session,
    dataset_ref: str,
    upload: Upload,
    by: Viewer,
    *,
    files_dir: Path,
    max_bytes: int,
    title: dict[str, str] | None = None,
    description: dict[str, str] | None = None,
    format: str | None = None,
    license: str | None = None,
) -> Distribution:
    """Store an uploaded file (streamed, checksummed, size-limited) as a new distribution of the dataset."""
    dataset = get_dataset(session, dataset_ref, by)
    user = require_change(by, dataset)
    if upload.declared_size is not None and upload.declared_size > max_bytes:
        raise PayloadTooLarge(f"the file is larger than the limit of {max_bytes} bytes")
    name = safe_file_name(upload.file_name)
    errors: dict[str, list[str]] = {}
    file_type = None
    try:
        if format:
            file_type = term("file_types", vocabulary_code("file_types", format))
        if license:
            license = vocabulary_code("licenses", license)
    except PydanticCustomError as exc:
        errors["format" if file_type is None and format else "license"] = [str(exc)]
    if errors:
        raise ValidationFailed(errors)
    file_type = (
        file_type
        or file_type_for_filename(name)
        or (file_type_for_media_type(upload.content_type) if upload.content_type else None)
    )
    distribution_id = uuid.uuid4()
    stored = store_stream(
        session, upload.stream, file_path(files_dir, distribution_id, name), max_bytes=max_bytes
    )
    if stored.byte_size == 0:
        raise ValidationFailed({"file": ["the file is empty"]})
    distribution = Distribution(
        id=distribution_id,
        dataset=dataset,
        position=_next_position(session, dataset),
        title=title or {"sv": name},
        description=description or {},
        file_name=name,
        format=file_type.code if file_type else None,
        media_type=(file_type.media_type if file_type else None)
        or declared_media_type(upload.content_type)
        or "application/octet-stream",
        byte_size=stored.byte_size,
        checksum_sha256=stored.sha256,
        license=license,
    )
    session.add(distribution)
    return _created(session, distribution, dataset, user)


MEDIA_TYPE = re.compile(r"^[\w.+-]{1,63}/[\w.+-]{1,126}$")


def declared_media_type(content_type: str | None) -> str | None:
    """The media type an uploader declared, without parameters, if it has the form type/subtype."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    return media_type if MEDIA_TYPE.fullmatch(media_type) else None


def update_distribution(
    session: Session, distribution_id: uuid.UUID, patch: DistributionPatch, by: Viewer
) -> Distribution:
    distribution = get_distribution(session, distribution_id, by)
    user = require_change(by, distribution.dataset)
    values = patch.model_dump(exclude_unset=True)
    if distribution.file_name and {"access_url", "download_url"} & values.keys():
        raise ValidationFailed(
            {"access_url": ["an uploaded file has its own address; upload a new file instead"]}
        )
    if values.get("title", ...) is None:
        raise ValidationFailed({"title": ["may not be null"]})
    if values.get("format") and "media_type" not in values:  # as when added: the media type of the format
        values["media_type"] = term("file_types", values["format"]).media_type or distribution.media_type
    before = _snapshot(distribution)
    for name, value in values.items():
        setattr(distribution, name, value if value is not None or name not in ("description",) else {})
    changed = diff(before, _snapshot(distribution))
    if changed:
        distribution.modified = utcnow()
        touch(distribution.dataset)
        record_change(
            session,
            user,
            "distribution",
            distribution.id,
            "update",
            changed,
            dataset_id=distribution.dataset_id,
        )
    return distribution


def delete_distribution(
    session: Session,
    distribution_id: uuid.UUID,
    by: Viewer,
    *,
    files_dir: Path,
    tables_dir: Path | None = None,
) -> None:
    distribution = get_distribution(session, distribution_id, by)
    user = require_change(by, distribution.dataset)
    if distribution.file_name:
        remove_after_commit(session, file_path(files_dir, distribution.id, distribution.file_name))
    if tables_dir is not None and distribution.data_table is not None:
        folder = table_dir(tables_dir, distribution.id)
        on_commit(session, lambda: shutil.rmtree(folder, ignore_errors=True))
    touch(distribution.dataset)
    record_change(
        session, user, "distribution", distribution.id, "delete", diff(_snapshot(distribution), {}),
        dataset_id=distribution.dataset_id,
    )  # fmt: skip
    distribution.dataset.distributions.remove(distribution)
    session.flush()


def stored_file(distribution: Distribution, files_dir: Path) -> Path:
    """The path of an uploaded distribution's file; NotFound for links and missing files."""
    if not distribution.file_name:
        raise NotFound("this distribution is a link, not an uploaded file")
    path = file_path(files_dir, distribution.id, distribution.file_name)
    if not path.is_file():
        raise NotFound("the file of this distribution is missing from the data dir")
    return path


def _created(session: Session, distribution: Distribution, dataset: Dataset, user: Any) -> Distribution:
    session.flush()
    touch(dataset)
    record_change(
        session, user, "distribution", distribution.id, "create", diff({}, _snapshot(distribution)),
        dataset_id=dataset.id,
    )  # fmt: skip
    return distribution


def _next_position(session: Session, dataset: Dataset) -> int:
    highest = session.scalar(
        select(func.max(Distribution.position)).where(Distribution.dataset_id == dataset.id)
    )
    return (highest or 0) + 1


def _snapshot(distribution: Distribution) -> dict[str, Any]:
    values = {name: getattr(distribution, name) for name in _FIELDS}
    if distribution.file_name:
        values |= {"file_name": distribution.file_name, "byte_size": distribution.byte_size,
                   "checksum_sha256": distribution.checksum_sha256}  # fmt: skip
    return values
