"""Catalog test data, made through the services so that it is valid data."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from datatorget.catalog import accounts, datasets, organizations
from datatorget.catalog.models import Dataset, User
from datatorget.catalog.schemas import DatasetIn, OrganizationIn


class Catalog:
    """Makes organisations, users and datasets in a test database, committing each."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.admin = accounts.create_user(
            session, email="admin@example.org", password="correct horse battery", role="admin",
            organization_slug=None, by=None,
        )  # fmt: skip
        session.commit()

    def organization(self, slug: str, name: str | None = None) -> None:
        organizations.create_organization(
            self.session, OrganizationIn(slug=slug, name=name or slug.title()), self.admin
        )
        self.session.commit()

    def editor(self, email: str, organization: str) -> User:
        user = accounts.create_user(
            self.session, email=email, password="correct horse battery", role="editor",
            organization_slug=organization, by=None,
        )  # fmt: skip
        self.session.commit()
        return user

    def dataset(self, title_sv: str, *, organization: str = "sjovik", **fields: Any) -> Dataset:
        data: dict[str, Any] = {
            "title": {"sv": title_sv, **({"en": fields.pop("title_en")} if "title_en" in fields else {})},
            "description": fields.pop("description", {"sv": f"Om {title_sv.lower()}."}),
            "organization": organization,
            "state": "published",
        } | fields
        dataset = datasets.create_dataset(self.session, DatasetIn.model_validate(data), self.admin)
        self.session.commit()
        return dataset
