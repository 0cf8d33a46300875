"""Fixtures of the API tests: two organisations, the people who act on them, a data request, and the stored
state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Organization
from datatorget.config import Settings
from tests.api.snapshots import StoredState, stored_state
from tests.conftest import Actors
from tests.factories import make_dataset, make_organization

Headers = dict[str, str]
ASK = {
    "title": "Luftkvalitet per timme",
    "description": "Mätvärden från kommunens luftmätare, **timvis**.",
    "intended_use": "En app som varnar astmatiker.",
    "organization": "sjoviks-kommun",
    "theme": "ENVI",
    "wished_format": "CSV eller ett API",
    "wished_frequency": "DAILY",
}


@pytest.fixture
def actors(session: Session) -> Actors:
    return Actors(session)


@pytest.fixture
def sjovik(session: Session) -> Organization:
    """The municipality."""
    return make_organization(session, "sjoviks-kommun", "Sjöviks kommun")


@pytest.fixture
def vatten(session: Session) -> Organization:
    """The municipality's water company: another organisation."""
    return make_organization(session, "sjovik-vatten", "Sjövik Vatten AB")


@pytest.fixture
def badplatser(session: Session, sjovik: Organization) -> Dataset:
    """A published dataset of Sjöviks kommun."""
    return make_dataset(session, "Badplatser", organization=sjovik.slug)


@pytest.fixture
def admin_headers(actors: Actors) -> Headers:
    return actors.headers(actors.user("admin@sjovik.se", "admin"))


@pytest.fixture
def editor_headers(actors: Actors, sjovik: Organization) -> Headers:
    """An editor of Sjöviks kommun."""
    return actors.headers(actors.user("editor@sjovik.se", "editor", sjovik.slug))


@pytest.fixture
def outsider_headers(actors: Actors, vatten: Organization) -> Headers:
    """An editor of Sjövik Vatten AB, who may not change the municipality's datasets."""
    return actors.headers(actors.user("editor@sjovikvatten.se", "editor", vatten.slug))


@pytest.fixture
def member_headers(actors: Actors) -> Headers:
    """Anna, a member who signed up."""
    return actors.headers(actors.user("anna@example.org", "member", display_name="Anna"))


@pytest.fixture
def other_member_headers(actors: Actors) -> Headers:
    """Bo, another member."""
    return actors.headers(actors.user("bo@example.org", "member", display_name="Bo"))


def file(client: TestClient, headers: Headers, **changes: Any) -> str:
    """File the data request ASK, with these changes; its id."""
    response = client.post("/api/v1/requests", json=ASK | changes, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture
def asked(app_client: TestClient, member_headers: Headers, sjovik: Organization) -> str:
    """A public request Anna filed to Sjöviks kommun; its id. (The discussion tests ask a question instead.)"""
    return file(app_client, member_headers)


@pytest.fixture
def stored(engine: Engine, settings: Settings) -> Callable[[], StoredState]:
    """Reads everything stored (rows, search index, files) to show that a refused request changed nothing."""
    return lambda: stored_state(engine, settings.files_dir)
