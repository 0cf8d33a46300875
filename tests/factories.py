"""Test data made through the catalog services, so that it is valid data.

Each factory commits, so that an app under test (which has its own connections) sees what it made. Datasets
and distributions are made by the system user unless a `by` is given: it needs no password hash, which keeps
tests that do not log in fast.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from datatorget.catalog import accounts, datasets, distributions, organizations
from datatorget.catalog.models import Dataset, Distribution, Organization, User
from datatorget.catalog.schemas import DatasetIn, DistributionLinkIn, OrganizationIn

SJOVIK = "sjoviks-kommun"
CSV = b"namn;latitud;longitud\nSandviken;59.1204;17.9581\nBadholmen;59.1321;17.9903\n"


def make_organization(
    session: Session, slug: str = SJOVIK, name: str = "Sjöviks kommun", **fields: Any
) -> Organization:
    data = OrganizationIn.model_validate({"slug": slug, "name": name, **fields})
    organization = organizations.create_organization(session, data, None, system=True)
    session.commit()
    return organization


def make_dataset(
    session: Session,
    title: str | dict[str, str] = "Badplatser",
    *,
    description: str | dict[str, str] = "Kommunens badplatser med koordinater.",
    organization: str = SJOVIK,
    state: str = "published",
    by: User | None = None,
    **fields: Any,
) -> Dataset:
    """A dataset; `title` and `description` given as a string are Swedish."""
    data = DatasetIn.model_validate(
        {
            "title": {"sv": title} if isinstance(title, str) else title,
            "description": {"sv": description} if isinstance(description, str) else description,
            "organization": organization,
            "state": state,
            **fields,
        }
    )
    dataset = datasets.create_dataset(session, data, by or accounts.system_user(session))
    session.commit()
    return dataset


def make_upload(
    session: Session,
    dataset: str,
    files_dir: Path,
    *,
    content: bytes = CSV,
    file_name: str = "badplatser.csv",
    by: User | None = None,
) -> Distribution:
    """An uploaded file, stored in `files_dir`, as a distribution of the dataset with this slug."""
    distribution = distributions.add_upload(
        session,
        dataset,
        distributions.Upload(io.BytesIO(content), file_name, declared_size=len(content)),
        by or accounts.system_user(session),
        files_dir=files_dir,
        max_bytes=len(content),
    )
    session.commit()
    return distribution


def make_link(
    session: Session,
    dataset: str,
    *,
    access_url: str = "https://geodata.sjovik.se/badplatser.json",
    format: str | None = "JSON",
    by: User | None = None,
) -> Distribution:
    """A distribution that links to data published elsewhere."""
    data = DistributionLinkIn(access_url=access_url, format=format)
    distribution = distributions.add_link(session, dataset, data, by or accounts.system_user(session))
    session.commit()
    return distribution
