"""/api/v1/organizations: the publishers, their dataset counts, and who may create, change and delete them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest.mock import ANY

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Organization
from tests.api.problems import ADMINS_ONLY, INVALID_FIELDS, NOT_LOGGED_IN, problem
from tests.api.snapshots import StoredState
from tests.factories import make_dataset, make_organization

NEW_ORGANIZATION: dict[str, Any] = {
    "slug": "sjovik-energi",
    "name": "Sjövik Energi AB",
    "org_number": "5567037485",
    "publisher_type": "http://purl.org/adms/publishertype/Company",
    "homepage": "https://www.sjovikenergi.se",
    "contact_name": "Kundservice",
    "contact_email": "Kundservice@SjovikEnergi.se",
}


def _organization_out(slug: str, name: str, dataset_count: int, **fields: Any) -> dict[str, Any]:
    empty = dict.fromkeys(("org_number", "publisher_type", "homepage", "contact_name", "contact_email"))
    return {
        "id": ANY,
        "slug": slug,
        "name": name,
        **empty,
        **fields,
        "modified": ANY,
        "dataset_count": dataset_count,
    }


# --- read -----------------------------------------------------------------------------------------------


def test_the_list_gives_every_organisation_with_its_number_of_datasets(
    app_client: TestClient, session: Session, sjovik: Organization, vatten: Organization
) -> None:
    make_dataset(session, "Badplatser")
    make_dataset(session, "Bygglov")

    response = app_client.get("/api/v1/organizations")

    assert response.json() == {
        "total": 2,
        "items": [
            _organization_out("sjovik-vatten", "Sjövik Vatten AB", 0),
            _organization_out("sjoviks-kommun", "Sjöviks kommun", 2),
        ],
    }


def test_the_list_follows_the_swedish_alphabet(app_client: TestClient, session: Session) -> None:
    names = [
        "Östra Göinge kommun",
        "Åre kommun",
        "Älvdalens kommun",
        "Zinkgruvan AB",
        "avfallsbolaget AB",
        "Eda kommun",
    ]
    for number, name in enumerate(names):
        make_organization(session, f"organisation-{number}", name)

    response = app_client.get("/api/v1/organizations")

    assert [o["name"] for o in response.json()["items"]] == [
        "avfallsbolaget AB",
        "Eda kommun",
        "Zinkgruvan AB",
        "Åre kommun",
        "Älvdalens kommun",
        "Östra Göinge kommun",
    ]


def test_an_organisation_is_read_by_its_slug(
    app_client: TestClient, session: Session, badplatser: Dataset
) -> None:
    response = app_client.get("/api/v1/organizations/sjoviks-kommun")

    assert response.json() == _organization_out("sjoviks-kommun", "Sjöviks kommun", 1)


def test_an_unknown_organisation_is_not_found(app_client: TestClient) -> None:
    response = app_client.get("/api/v1/organizations/finns-inte")

    assert (response.status_code, response.json()) == (404, problem(404, "no organisation 'finns-inte'"))


# --- create ---------------------------------------------------------------------------------------------


def test_an_admin_creates_an_organisation_with_normalised_values(
    app_client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = app_client.post("/api/v1/organizations", json=NEW_ORGANIZATION, headers=admin_headers)

    assert response.status_code == 201
    assert response.headers["location"] == "http://portal.test/api/v1/organizations/sjovik-energi"
    assert response.json() == _organization_out(
        "sjovik-energi",
        "Sjövik Energi AB",
        0,
        org_number="556703-7485",
        publisher_type="Company",
        homepage="https://www.sjovikenergi.se/",
        contact_name="Kundservice",
        contact_email="Kundservice@sjovikenergi.se",
    )
    assert app_client.get("/api/v1/organizations/sjovik-energi").json() == response.json()


def test_an_editor_cannot_create_an_organisation(
    app_client: TestClient, editor_headers: dict[str, str], stored: Callable[[], StoredState]
) -> None:
    before = stored()

    response = app_client.post("/api/v1/organizations", json=NEW_ORGANIZATION, headers=editor_headers)

    assert (response.status_code, response.json()) == (403, ADMINS_ONLY)
    assert stored() == before


def test_an_anonymous_caller_cannot_create_an_organisation(
    app_client: TestClient, stored: Callable[[], StoredState]
) -> None:
    before = stored()

    response = app_client.post("/api/v1/organizations", json=NEW_ORGANIZATION)

    assert (response.status_code, response.json()) == (401, NOT_LOGGED_IN)
    assert stored() == before


# Refused by the request schema before any query runs, so one backend shows it; the rest run on both.
SCHEMA_ONLY = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
INVALID_ORGANIZATIONS = [
    pytest.param(
        {"org_number": "212000-0143"},
        {"org_number": ["the check digit of the organisation number is wrong"]},
        id="org-number-check-digit-wrong",
    ),
    pytest.param(
        {"org_number": "212000-014"},
        {"org_number": ["an organisation number has ten digits, as in 212000-1234"]},
        id="org-number-too-short",
    ),
    pytest.param(
        {"contact_email": "kundservice.sjovikenergi.se"},
        {"contact_email": ["value is not a valid email address: An email address must have an @-sign."]},
        id="contact-email-invalid",
    ),
    pytest.param(
        {"homepage": "www.sjovikenergi.se"},
        {"homepage": ["not a valid http(s) address"]},
        id="homepage-not-http",
    ),
    pytest.param(
        {"publisher_type": "Kommun"}, {"publisher_type": [ANY]}, id="publisher-type-outside-the-vocabulary"
    ),
    pytest.param({"name": ""}, {"name": ["String should have at least 1 character"]}, id="name-empty"),
    pytest.param({"logo": "sol.png"}, {"logo": ["unknown field"]}, id="unknown-field"),
]


@SCHEMA_ONLY
@pytest.mark.parametrize(("fields", "errors"), INVALID_ORGANIZATIONS)
def test_an_invalid_new_organisation_is_refused_field_by_field_and_nothing_is_stored(
    app_client: TestClient,
    admin_headers: dict[str, str],
    stored: Callable[[], StoredState],
    fields: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    before = stored()

    response = app_client.post("/api/v1/organizations", json=NEW_ORGANIZATION | fields, headers=admin_headers)

    assert (response.status_code, response.json()) == (422, problem(422, INVALID_FIELDS, errors))
    assert stored() == before


def test_a_slug_in_use_is_a_conflict(
    app_client: TestClient,
    admin_headers: dict[str, str],
    sjovik: Organization,
    stored: Callable[[], StoredState],
) -> None:
    before = stored()

    response = app_client.post(
        "/api/v1/organizations", json=NEW_ORGANIZATION | {"slug": "sjoviks-kommun"}, headers=admin_headers
    )

    assert response.json() == problem(
        409, "an organisation with the slug 'sjoviks-kommun' already exists", {"slug": ["already in use"]}
    )
    assert stored() == before


# --- change ---------------------------------------------------------------------------------------------


def test_an_admin_may_change_an_organisation(
    app_client: TestClient, admin_headers: dict[str, str], sjovik: Organization
) -> None:
    headers = admin_headers

    response = app_client.patch(
        "/api/v1/organizations/sjoviks-kommun",
        json={"org_number": "2120002296", "homepage": "https://www.sjovik.se"},
        headers=headers,
    )

    assert response.status_code == 200
    assert response.json() == _organization_out(
        "sjoviks-kommun", "Sjöviks kommun", 0, org_number="212000-2296", homepage="https://www.sjovik.se/"
    )


@pytest.mark.parametrize("who", ["editor_headers", "outsider_headers"])
def test_an_editor_cannot_change_an_organisation_not_even_their_own(
    app_client: TestClient,
    request: pytest.FixtureRequest,
    sjovik: Organization,
    stored: Callable[[], StoredState],
    who: str,
) -> None:
    headers: dict[str, str] = request.getfixturevalue(who)
    before = stored()

    response = app_client.patch(
        "/api/v1/organizations/sjoviks-kommun", json={"name": "Vår kommun"}, headers=headers
    )

    assert (response.status_code, response.json()) == (403, ADMINS_ONLY)
    assert stored() == before


@SCHEMA_ONLY
@pytest.mark.parametrize(("fields", "errors"), INVALID_ORGANIZATIONS)
def test_an_invalid_change_is_refused_and_the_organisation_stays_as_it_was(
    app_client: TestClient,
    admin_headers: dict[str, str],
    sjovik: Organization,
    stored: Callable[[], StoredState],
    fields: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    before = stored()

    response = app_client.patch("/api/v1/organizations/sjoviks-kommun", json=fields, headers=admin_headers)

    assert (response.status_code, response.json()) == (422, problem(422, INVALID_FIELDS, errors))
    assert stored() == before


# --- delete ---------------------------------------------------------------------------------------------


def test_an_organisation_without_datasets_is_deleted(
    app_client: TestClient, admin_headers: dict[str, str], vatten: Organization
) -> None:
    response = app_client.delete("/api/v1/organizations/sjovik-vatten", headers=admin_headers)

    assert response.status_code == 204
    assert app_client.get("/api/v1/organizations/sjovik-vatten").status_code == 404


def test_an_organisation_with_datasets_is_not_deleted(
    app_client: TestClient,
    admin_headers: dict[str, str],
    session: Session,
    sjovik: Organization,
    stored: Callable[[], StoredState],
) -> None:
    make_dataset(session, "Utkast", state="draft")
    before = stored()

    response = app_client.delete("/api/v1/organizations/sjoviks-kommun", headers=admin_headers)

    assert response.status_code == 409
    assert response.json() == problem(409, "the organisation still has datasets: delete or move them first")
    assert stored() == before


def test_an_editor_cannot_delete_an_organisation(
    app_client: TestClient,
    editor_headers: dict[str, str],
    session: Session,
    stored: Callable[[], StoredState],
) -> None:
    make_organization(session, "sjovik-energi", "Sjövik Energi AB")
    before = stored()

    own = app_client.delete("/api/v1/organizations/sjoviks-kommun", headers=editor_headers)
    other = app_client.delete("/api/v1/organizations/sjovik-energi", headers=editor_headers)

    assert [own.json(), other.json()] == [ADMINS_ONLY, ADMINS_ONLY]
    assert stored() == before
