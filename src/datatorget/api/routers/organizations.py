"""/api/v1/organizations: the publishers."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from datatorget.catalog import organizations as service
from datatorget.catalog.present import organization_out
from datatorget.catalog.schemas import OrganizationIn, OrganizationList, OrganizationOut, OrganizationPatch
from datatorget.deps import ApiViewer, SessionDep, SettingsDep

router = APIRouter(prefix="/organizations", tags=["organizations"])


@router.get("", summary="All organisations, with the number of datasets each has")
def list_organizations(session: SessionDep, viewer: ApiViewer) -> OrganizationList:
    rows = service.list_organizations(session, viewer)
    return OrganizationList(total=len(rows), items=[organization_out(o, n) for o, n in rows])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create an organisation (admins)")
def create_organization(
    data: OrganizationIn, session: SessionDep, viewer: ApiViewer, settings: SettingsDep, response: Response
) -> OrganizationOut:
    organization = service.create_organization(session, data, viewer)
    response.headers["Location"] = f"{settings.base_url}/api/v1/organizations/{organization.slug}"
    return organization_out(organization)


@router.get("/{slug}", summary="Read an organisation")
def read_organization(slug: str, session: SessionDep, viewer: ApiViewer) -> OrganizationOut:
    organization = service.get_organization(session, slug)
    return organization_out(organization, service.count_datasets(session, organization, viewer))


@router.patch("/{slug}", summary="Change an organisation (admins)")
def update_organization(
    slug: str, patch: OrganizationPatch, session: SessionDep, viewer: ApiViewer
) -> OrganizationOut:
    organization = service.update_organization(session, slug, patch, viewer)
    return organization_out(organization, service.count_datasets(session, organization, viewer))


@router.delete(
    "/{slug}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete an organisation without datasets",
)
def delete_organization(slug: str, session: SessionDep, viewer: ApiViewer) -> None:
    service.delete_organization(session, slug, viewer)
