"""Fixtures for the web UI: the demo municipality in the test database, people who log in, a draft.

The web tests run on SQLite only. The pages call the same services as the API, whose tests run on SQLite
and PostgreSQL alike; running every page on both would add minutes to the suite and find nothing new.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from datatorget.catalog import accounts, datasets, distributions, organizations
from datatorget.catalog.models import User
from datatorget.catalog.schemas import DatasetIn, DistributionLinkIn, OrganizationIn
from datatorget.config import Settings
from datatorget.demo.content import demo_catalog
from tests.conftest import empty_database
from tests.web.pages import PASSWORD, Pages


@pytest.fixture(params=["sqlite"])
def engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    """SQLite only for the tests in this folder (see the module's docstring)."""
    yield from empty_database(request, tmp_path, sqlite_template)


# A part of the demo municipality, enough for every page and quick to load: each organisation, uploads,
# links, several themes, and one draft.
DEMO_DATASETS = (
    "badplatser", "badvattenkvalitet", "evenemang", "laddstationer", "fjarrvarme", "bostadsbestand",
    "planerade-cykelvagar",
)  # fmt: skip


@pytest.fixture
def demo(session: Session, settings: Settings) -> None:
    """The demo municipality of Sjövik (organisations `sjovik`, `sjovik-energi`, `sjoviksbostader`) with
    the datasets in DEMO_DATASETS, made through the catalog services."""
    catalog = demo_catalog()
    by = accounts.system_user(session)
    for fields in catalog.organizations:
        organizations.create_organization(session, OrganizationIn.model_validate(fields), by)
    for demo in catalog.datasets:
        if demo.fields["slug"] not in DEMO_DATASETS:
            continue
        slug = datasets.create_dataset(session, DatasetIn.model_validate(demo.fields), by).slug
        for file in demo.files:
            upload = distributions.Upload(
                io.BytesIO(file.content), file.filename, declared_size=len(file.content)
            )
            distributions.add_upload(
                session, slug, upload, by, files_dir=settings.files_dir, max_bytes=settings.max_upload_bytes,
                title=file.title, format=file.format,
            )  # fmt: skip
        for link in demo.links:
            data = DistributionLinkIn(title=link.title, access_url=link.access_url, format=link.format)
            distributions.add_link(session, slug, data, by)
    session.commit()


def _user(session: Session, email: str, role: str, organization: str | None) -> User:
    user = accounts.create_user(
        session, email=email, password=PASSWORD, role=role, organization_slug=organization, by=None
    )
    session.commit()
    return user


@pytest.fixture
def editor(session: Session, demo: None) -> User:
    """An editor of Sjöviks kommun."""
    return _user(session, "redaktor@sjovik.example", "editor", "sjovik")


@pytest.fixture
def energy_editor(session: Session, demo: None) -> User:
    """An editor of Sjöviks Energi AB, another organisation."""
    return _user(session, "redaktor@sjovikenergi.example", "editor", "sjovik-energi")


@pytest.fixture
def member(session: Session, demo: None) -> User:
    """Anna, a member who signed up."""
    user = accounts.register_member(session, email="anna@example.org", password=PASSWORD, display_name="Anna")
    session.commit()
    return user


@pytest.fixture
def draft(session: Session, demo: None) -> str:
    """A draft dataset of Sjöviks kommun; its slug."""
    data = DatasetIn(
        slug="hemliga-planer",
        title={"sv": "Hemliga planer för parkering", "en": "Secret parking plans"},
        description={"sv": "Ett utkast.", "en": "A draft."},
        organization="sjovik",
        state="draft",
    )
    slug = datasets.create_dataset(session, data, accounts.system_user(session)).slug
    session.commit()
    return slug


@pytest.fixture
def pages(app_client: TestClient) -> Pages:
    return Pages(app_client)
