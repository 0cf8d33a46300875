"""Load the demo municipality through the catalog services, as any publisher's data would be."""

from __future__ import annotations

import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog import datasets, distributions, organizations
from datatorget.catalog.accounts import system_user
from datatorget.catalog.models import Dataset, Organization
from datatorget.catalog.schemas import DatasetIn, DistributionLinkIn, OrganizationIn
from datatorget.config import Settings
from datatorget.demo.content import demo_catalog
from datatorget.demo.discussions import load_demo_discussions
from datatorget.demo.requests import load_demo_requests
from datatorget.demo.reuses import load_demo_reuses


def load_demo(session: Session, settings: Settings) -> int:
    """Create what is missing of the demo catalog; give the number of datasets created. Safe to repeat."""
    catalog = demo_catalog()
    by = system_user(session)
    for fields in catalog.organizations:
        if session.scalar(select(Organization.id).where(Organization.slug == fields["slug"])) is None:
            organizations.create_organization(session, OrganizationIn.model_validate(fields), by)
    created = 0
    for demo in catalog.datasets:
        slug = demo.fields["slug"]
        if session.scalar(select(Dataset.id).where(Dataset.slug == slug)) is not None:
            continue
        datasets.create_dataset(session, DatasetIn.model_validate(demo.fields), by)
        for file in demo.files:
            distributions.add_upload(
                session,
                slug,
                distributions.Upload(
                    io.BytesIO(file.content), file.filename, declared_size=len(file.content)
                ),
                by,
                files_dir=settings.files_dir,
                max_bytes=settings.max_upload_bytes,
                title=file.title,
                format=file.format,
            )
        for link in demo.links:
            distributions.add_link(
                session,
                slug,
                DistributionLinkIn(title=link.title, access_url=link.access_url, format=link.format),
                by,
            )
        created += 1
    load_demo_requests(session)
    load_demo_reuses(session, settings)
    load_demo_discussions(session)
    return created
