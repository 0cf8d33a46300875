"""Publishing organisations: create, read, change, delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datatorget.catalog.changes import diff, record_change
from datatorget.catalog.collation import swedish_sort_key
from datatorget.catalog.models import Dataset, Organization
from datatorget.catalog.permissions import Viewer, require_admin, visible_datasets
from datatorget.catalog.schemas import OrganizationIn, OrganizationPatch
from datatorget.db.base import utcnow
from datatorget.errors import Conflict, NotFound

_FIELDS = ("name", "org_number", "publisher_type", "homepage", "contact_name", "contact_email")


def get_organization(session: Session, slug: str) -> Organization:
    organization = session.scalar(select(Organization).where(Organization.slug == slug))
    if organization is None:
        raise NotFound(f"no organisation '{slug}'")
    return organization


def list_organizations(session: Session, viewer: Viewer) -> list[tuple[Organization, int]]:
    """Every organisation, A–Ö, with the number of its datasets the viewer may see."""
    counts = (
        select(Dataset.organization_id, func.count().label("n"))
        .where(visible_datasets(viewer))
        .group_by(Dataset.organization_id)
        .subquery()
    )
    rows = session.execute(
        select(Organization, func.coalesce(counts.c.n, 0)).outerjoin(
            counts, counts.c.organization_id == Organization.id
        )
    )
    # Swedish order (Å, Ä, Ö after Z) on both backends, as for dataset titles; organisations are few.
    return sorted(
        ((organization, int(n)) for organization, n in rows), key=lambda row: swedish_sort_key(row[0].name)
    )


def count_datasets(session: Session, organization: Organization, viewer: Viewer) -> int:
    """How many of the organisation's datasets the viewer may see."""
    visible = select(func.count()).select_from(Dataset).where(visible_datasets(viewer))
    return session.scalar(visible.where(Dataset.organization_id == organization.id)) or 0


def create_organization(
    session: Session, data: OrganizationIn, by: Viewer, *, system: bool = False
) -> Organization:
    if not system:
        require_admin(by)
    if session.scalar(select(Organization.id).where(Organization.slug == data.slug)) is not None:
        raise Conflict(
            f"an organisation with the slug '{data.slug}' already exists", {"slug": ["already in use"]}
        )
    organization = Organization(**data.model_dump())
    session.add(organization)
    session.flush()
    record_change(
        session, by, "organization", organization.id, "create", diff({}, data.model_dump(mode="json"))
    )
    return organization


def update_organization(session: Session, slug: str, patch: OrganizationPatch, by: Viewer) -> Organization:
    require_admin(by)  # editors look after their organisation's datasets, not its record
    organization = get_organization(session, slug)
    before = _snapshot(organization)
    for name, value in patch.model_dump(exclude_unset=True).items():
        setattr(organization, name, value)
    changed = diff(before, _snapshot(organization))
    if changed:
        organization.modified = utcnow()
        record_change(session, by, "organization", organization.id, "update", changed)
    return organization


def delete_organization(session: Session, slug: str, by: Viewer) -> None:
    require_admin(by)
    organization = get_organization(session, slug)
    if session.scalar(
        select(func.count()).select_from(Dataset).where(Dataset.organization_id == organization.id)
    ):
        raise Conflict("the organisation still has datasets: delete or move them first")
    record_change(session, by, "organization", organization.id, "delete", diff(_snapshot(organization), {}))
    session.delete(organization)


def _snapshot(organization: Organization) -> dict[str, Any]:
    return {name: getattr(organization, name) for name in _FIELDS}
