"""Datasets: create, read, change, delete, with their change history and search index kept in step."""

from __future__ import annotations

import re
import unicodedata
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from datatorget.catalog.changes import dataset_history, diff, record_change
from datatorget.catalog.collation import swedish_sort_key
from datatorget.catalog.files import file_path, remove_after_commit
from datatorget.catalog.models import Change, Dataset, DatasetKeyword, DatasetTheme, Organization, User
from datatorget.catalog.permissions import Viewer, can_see, require_admin, require_edit, require_login
from datatorget.catalog.schemas import DatasetIn, DatasetPatch
from datatorget.catalog.search import index_dataset, remove_from_index
from datatorget.db.base import utcnow
from datatorget.errors import Conflict, NotFound, ValidationFailed

EDITABLE = (
    "slug", "title", "description", "keywords", "themes", "contact_point", "license", "access_rights",
    "spatial", "temporal", "frequency", "landing_page", "conforms_to", "hvd_categories", "state",
)  # fmt: skip


class HarvestedReadOnly(Conflict):
    """A change to a dataset harvested from another catalog (its `origin` is set): it is changed at its
    source and comes back with the next harvest. `code`, `sv` and `en` say so for people."""

    code = "harvested"

    def __init__(self, dataset: Dataset) -> None:
        source = str((dataset.origin or {}).get("source_title") or "")
        self.sv = f"Datamängden är skördad från {source or 'en annan katalog'} och ändras bara där."
        self.en = f"The dataset is harvested from {source or 'another catalog'}: it is changed only there."
        super().__init__(self.en, {"origin": [f"{self.code}: {self.en}"]})


def require_change(by: Viewer, dataset: Dataset) -> User:
    """The user who may change this dataset (or its distributions, tables and files): an editor of its
    organisation or an admin, and the dataset not harvested from another catalog (HarvestedReadOnly)."""
    user = require_edit(by, dataset.organization_id)
    if dataset.origin is not None:
        raise HarvestedReadOnly(dataset)
    return user


def find_dataset(session: Session, ref: str) -> Dataset | None:
    """The dataset with this slug or UUID, whoever may see it."""
    try:
        found = session.get(Dataset, uuid.UUID(ref))
    except ValueError:
        found = None
    return found or session.scalar(select(Dataset).where(Dataset.slug == ref))


def get_dataset(session: Session, ref: str, viewer: Viewer) -> Dataset:
    """The dataset with this slug or UUID; NotFound when absent or when the viewer may not see it."""
    dataset = find_dataset(session, ref)
    if dataset is None or not can_see(viewer, dataset):
        raise NotFound(f"no dataset '{ref}'")
    return dataset


def slug_from_title(title: str) -> str:
    # Separators first (an en dash in "2020–2024" is no letter and would vanish in the ASCII folding)
    words = re.sub(r"[\W_]+", " ", title.casefold())
    ascii_title = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")[:80].strip("-") or "dataset"


def _free_slug(session: Session, base: str) -> str:
    candidate, n = base, 1
    while session.scalar(select(Dataset.id).where(Dataset.slug == candidate)) is not None:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def organization_by_slug(session: Session, slug: str) -> Organization:
    """The organisation with this slug; a field error on `organization` when there is none."""
    organization = session.scalar(select(Organization).where(Organization.slug == slug))
    if organization is None:
        raise ValidationFailed({"organization": [f"no organisation '{slug}'"]})
    return organization


def create_dataset(session: Session, data: DatasetIn, by: Viewer) -> Dataset:
    user = require_login(by)
    organization = organization_by_slug(session, data.organization)
    require_edit(user, organization.id)
    if data.slug is None:
        slug = _free_slug(session, slug_from_title(data.title["sv"]))
    elif session.scalar(select(Dataset.id).where(Dataset.slug == data.slug)) is not None:
        raise Conflict(f"a dataset with the slug '{data.slug}' already exists", {"slug": ["already in use"]})
    else:
        slug = data.slug
    dataset = Dataset(id=uuid.uuid4(), slug=slug, organization=organization)
    _apply(dataset, data.model_dump(exclude={"slug", "organization"}))
    touch(dataset)
    session.add(dataset)
    session.flush()
    _sync_facets(session, dataset)
    index_dataset(session, dataset)
    record_change(
        session, user, "dataset", dataset.id, "create", diff({}, snapshot(dataset)), dataset_id=dataset.id
    )
    return dataset


def update_dataset(session: Session, ref: str, patch: DatasetPatch, by: Viewer) -> Dataset:
    dataset = get_dataset(session, ref, by)
    user = require_change(by, dataset)
    values = patch.model_dump(exclude_unset=True)
    for required in ("title", "description", "organization", "slug", "state"):
        if required in values and values[required] is None:
            raise ValidationFailed({required: ["may not be null"]})
    if "organization" in values:
        organization = organization_by_slug(session, values.pop("organization"))
        require_edit(user, organization.id)
        if organization.id != dataset.organization_id:
            values["organization_id"] = organization.id
    if values.get("slug") not in (None, dataset.slug) and (
        session.scalar(select(Dataset.id).where(Dataset.slug == values["slug"])) is not None
    ):
        raise Conflict(
            f"a dataset with the slug '{values['slug']}' already exists", {"slug": ["already in use"]}
        )
    before = snapshot(dataset)
    if "organization_id" in values:
        dataset.organization = session.get_one(Organization, values.pop("organization_id"))
    _apply(dataset, values)
    changed = diff(before, snapshot(dataset))
    if changed:
        touch(dataset)
        session.flush()
        _sync_facets(session, dataset)
        index_dataset(session, dataset)
        record_change(session, user, "dataset", dataset.id, "update", changed, dataset_id=dataset.id)
    return dataset


def delete_dataset(session: Session, ref: str, by: Viewer, *, files_dir: Path) -> None:
    """Delete the dataset and its distributions; uploaded files go once the deletion is committed."""
    dataset = get_dataset(session, ref, by)
    user = require_change(by, dataset)
    for distribution in dataset.distributions:
        if distribution.file_name:
            remove_after_commit(session, file_path(files_dir, distribution.id, distribution.file_name))
    record_change(
        session, user, "dataset", dataset.id, "delete", diff(snapshot(dataset), {}), dataset_id=dataset.id
    )
    remove_from_index(session, dataset.id)
    session.delete(dataset)
    session.flush()


def history(
    session: Session, ref: str, by: Viewer, *, limit: int = 50, offset: int = 0
) -> tuple[int, list[Change]]:
    """The recorded changes of a dataset and its distributions, newest first. Admins only."""
    require_admin(by)
    dataset = find_dataset(session, ref)
    if dataset is not None:
        return dataset_history(session, dataset.id, limit=limit, offset=offset)
    try:  # a deleted dataset keeps its history under its UUID
        return dataset_history(session, uuid.UUID(ref), limit=limit, offset=offset)
    except ValueError:
        raise NotFound(f"no dataset '{ref}'") from None


def write_harvested(session: Session, dataset: Dataset, data: DatasetIn, *, summary: str) -> dict[str, Any]:
    """Write what a harvest read into a dataset, new (no slug yet) or known, past the read-only guard: for the
    harvester only. Recorded as a change by the system; the changed fields, as the change log has them."""
    new = not dataset.slug
    before = {} if new else snapshot(dataset)
    if new:
        dataset.slug = _free_slug(session, slug_from_title(data.title["sv"]))
        session.add(dataset)
    _apply(dataset, data.model_dump(exclude={"slug", "organization"}))
    touch(dataset)
    session.flush()
    _sync_facets(session, dataset)
    index_dataset(session, dataset)
    changed = diff(before, snapshot(dataset))
    record_change(session, None, "dataset", dataset.id, "create" if new else "update", changed,
                  dataset_id=dataset.id, summary=summary)  # fmt: skip
    return changed


def touch(dataset: Dataset) -> None:
    """Mark the dataset as changed now; set its release date the first time it is published."""
    dataset.modified = utcnow()
    if dataset.state == "published" and dataset.issued is None:
        dataset.issued = dataset.modified


def snapshot(dataset: Dataset) -> dict[str, Any]:
    """The publisher-editable fields as JSON-ready values, for the change log."""
    values: dict[str, Any] = {name: getattr(dataset, name) for name in EDITABLE if name != "temporal"}
    values["organization"] = dataset.organization.slug
    if dataset.temporal_start or dataset.temporal_end:
        values["temporal"] = {
            "start": dataset.temporal_start.isoformat() if dataset.temporal_start else None,
            "end": dataset.temporal_end.isoformat() if dataset.temporal_end else None,
        }
    else:
        values["temporal"] = None
    return values


def _apply(dataset: Dataset, values: dict[str, Any]) -> None:
    list_fields = ("themes", "spatial", "conforms_to", "hvd_categories")
    for name, value in values.items():
        if name == "temporal":
            dataset.temporal_start = value.get("start") if value else None
            dataset.temporal_end = value.get("end") if value else None
        elif name == "keywords":
            dataset.keywords = {lang: words for lang, words in (value or {}).items() if words}
        elif name in list_fields:
            setattr(dataset, name, list(value or []))
        else:
            setattr(dataset, name, value)
    if "title" in values:
        dataset.title_sort = swedish_sort_key(dataset.title["sv"])


def _sync_facets(session: Session, dataset: Dataset) -> None:
    session.execute(delete(DatasetTheme).where(DatasetTheme.dataset_id == dataset.id))
    session.execute(delete(DatasetKeyword).where(DatasetKeyword.dataset_id == dataset.id))
    session.add_all(DatasetTheme(dataset_id=dataset.id, code=code) for code in dataset.themes)
    session.add_all(
        DatasetKeyword(dataset_id=dataset.id, language=language, keyword=word)
        for language, words in dataset.keywords.items()
        for word in words
    )
    session.flush()
