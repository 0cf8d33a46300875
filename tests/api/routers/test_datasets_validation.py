"""Bad input to /api/v1/datasets gets a clear 4xx with field-by-field errors, and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from datatorget.catalog.models import Dataset
from tests.api.problems import INVALID_FIELDS, problem
from tests.api.snapshots import StoredState

NEW_DATASET: dict[str, Any] = {
    "title": {"sv": "Laddstationer för elbilar"},
    "description": {"sv": "Publika laddstationer i kommunen."},
    "organization": "sjoviks-kommun",
}
SCRIPT = "scripts and HTML such as <script> are not allowed: write plain Markdown"
THEMES = "SOCI, ECON, ENER, HEAL, INTR, AGRI, ENVI, GOVE"
LICENCES = "CC0, CC_BY_4_0, CC_BYSA_4_0, CC_BYND_4_0, CC_BYNC_4_0, CC_BYNCSA_4_0, CC_BYNCND_4_0, ODC_PDDL"
FREQUENCIES = "CONT, UPDATE_CONT, DAILY_2, DAILY, WEEKLY_3, WEEKLY_2, WEEKLY, MONTHLY_3"

# Refused by the request schema before any query runs, so one backend shows it; the rest run on both.
SCHEMA_ONLY = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

# Fields that are wrong both in a new dataset and in a change, with the errors they get.
INVALID_FIELD_VALUES = [
    pytest.param(
        {"themes": ["ENVI", "XYZ"]},
        {"themes.1": [f"'XYZ' is not in the themes vocabulary (for example {THEMES})"]},
        id="theme-outside-the-vocabulary",
    ),
    pytest.param(
        {"license": "MIT-ish"},
        {"license": [f"'MIT-ish' is not in the licenses vocabulary (for example {LICENCES})"]},
        id="licence-outside-the-vocabulary",
    ),
    pytest.param(
        {"frequency": "HOURLY"},
        {"frequency": [f"'HOURLY' is not in the frequencies vocabulary (for example {FREQUENCIES})"]},
        id="frequency-outside-the-vocabulary",
    ),
    pytest.param(
        {"title": {"sv": "B" * 301}},
        {"title.sv": ["String should have at most 300 characters"]},
        id="title-over-300-characters",
    ),
    pytest.param(
        {"description": {"sv": "b" * 20_001}},
        {"description.sv": ["String should have at most 20000 characters"]},
        id="description-over-20000-characters",
    ),
    pytest.param(
        {"description": {"sv": "Badplatser <script>alert('x')</script>"}},
        {"description.sv": [SCRIPT]},
        id="script-tag",
    ),
    pytest.param(
        {"description": {"sv": "Se [kartan](javascript:alert(document.cookie))."}},
        {"description.sv": [SCRIPT]},
        id="javascript-link",
    ),
    pytest.param(
        {"description": {"sv": 'Karta: <img src="karta.png" onerror="alert(1)">'}},
        {"description.sv": [SCRIPT]},
        id="event-handler-attribute",
    ),
    pytest.param(
        {"description": {"sv": 'Karta: <img alt=">" src="karta.png" onerror="alert(1)">'}},
        {"description.sv": [SCRIPT]},
        id="event-handler-after-a-quoted-greater-than",
    ),
    pytest.param(
        {"title": {"sv": "Badplatser", "en": "<script>alert(1)</script>"}},
        {"title.en": [SCRIPT]},
        id="script-in-the-english-title",
    ),
    pytest.param(
        {"keywords": {"sv": ["bad", "<iframe src=x>"]}},
        {"keywords.sv.1": [SCRIPT]},
        id="html-in-a-keyword",
    ),
    pytest.param(
        {"temporal": {"start": "2024-06-01", "end": "2024-05-31"}},
        {"temporal": ["the end of the time period is before its start"]},
        id="temporal-end-before-start",
    ),
    pytest.param(
        {"contact_point": {"name": "Kundtjänst", "email": "kundtjanst.sjovik.se"}},
        {
            "contact_point.email": [
                "value is not a valid email address: An email address must have an @-sign."
            ]
        },
        id="contact-point-email-invalid",
    ),
    pytest.param(
        {"title": {"en": "Charging stations"}},
        {"title": ["a Swedish text (sv) is required"]},
        id="title-without-swedish",
    ),
    pytest.param(
        {"landing_page": "javascript:alert(1)"},
        {"landing_page": ["not a valid http(s) address"]},
        id="landing-page-not-http",
    ),
    pytest.param(
        {"state": "archived"},
        {"state": ["Input should be 'draft', 'published' or 'private'"]},
        id="unknown-state",
    ),
    pytest.param({"colour": "blå"}, {"colour": ["unknown field"]}, id="unknown-field"),
]


# --- new datasets ---------------------------------------------------------------------------------------


@SCHEMA_ONLY
@pytest.mark.parametrize(("fields", "errors"), INVALID_FIELD_VALUES)
def test_an_invalid_new_dataset_is_refused_field_by_field_and_nothing_is_stored(
    app_client: TestClient,
    editor_headers: dict[str, str],
    stored: Callable[[], StoredState],
    fields: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    before = stored()

    response = app_client.post("/api/v1/datasets", json=NEW_DATASET | fields, headers=editor_headers)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == problem(422, INVALID_FIELDS, errors)
    assert stored() == before


def test_malformed_json_is_a_bad_request_and_nothing_is_stored(
    app_client: TestClient, editor_headers: dict[str, str], stored: Callable[[], StoredState]
) -> None:
    before = stored()

    response = app_client.post(
        "/api/v1/datasets",
        content=b'{"title": {"sv": "Badplatser"}, ',
        headers=editor_headers | {"Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json() == problem(
        400, "the body is not valid JSON: Expecting property name enclosed in double quotes"
    )
    assert stored() == before


def test_missing_required_fields_are_each_named(
    app_client: TestClient, editor_headers: dict[str, str], stored: Callable[[], StoredState]
) -> None:
    before = stored()

    response = app_client.post("/api/v1/datasets", json={"themes": ["ENVI"]}, headers=editor_headers)

    assert response.json() == problem(
        422,
        INVALID_FIELDS,
        {"title": ["required"], "description": ["required"], "organization": ["required"]},
    )
    assert stored() == before


def test_a_body_that_is_not_an_object_is_refused(
    app_client: TestClient, editor_headers: dict[str, str]
) -> None:
    response = app_client.post("/api/v1/datasets", json=["Badplatser"], headers=editor_headers)

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "body": ["Input should be a valid dictionary or object to extract fields from"]
    }


def test_an_unknown_organisation_is_refused(
    app_client: TestClient, admin_headers: dict[str, str], stored: Callable[[], StoredState]
) -> None:
    before = stored()

    response = app_client.post(
        "/api/v1/datasets", json=NEW_DATASET | {"organization": "finns-inte"}, headers=admin_headers
    )

    assert response.json() == problem(
        422, "organization: no organisation 'finns-inte'", {"organization": ["no organisation 'finns-inte'"]}
    )
    assert stored() == before


def test_a_slug_in_use_is_a_conflict_and_nothing_is_stored(
    app_client: TestClient,
    editor_headers: dict[str, str],
    badplatser: Dataset,
    stored: Callable[[], StoredState],
) -> None:
    before = stored()

    response = app_client.post(
        "/api/v1/datasets", json=NEW_DATASET | {"slug": "badplatser"}, headers=editor_headers
    )

    assert response.status_code == 409
    assert response.json() == problem(
        409, "a dataset with the slug 'badplatser' already exists", {"slug": ["already in use"]}
    )
    assert stored() == before


def test_a_slug_must_be_lower_case_words_joined_by_hyphens(
    app_client: TestClient, editor_headers: dict[str, str]
) -> None:
    response = app_client.post(
        "/api/v1/datasets", json=NEW_DATASET | {"slug": "Bad Platser"}, headers=editor_headers
    )

    assert response.json()["errors"] == {"slug": ["String should match pattern '^[a-z0-9]+(?:-[a-z0-9]+)*$'"]}


def test_a_title_of_300_and_a_description_of_20000_characters_are_accepted(
    app_client: TestClient, editor_headers: dict[str, str]
) -> None:
    response = app_client.post(
        "/api/v1/datasets",
        json=NEW_DATASET | {"title": {"sv": "B" * 300}, "description": {"sv": "b" * 20_000}},
        headers=editor_headers,
    )

    assert response.status_code == 201
    assert (len(response.json()["title"]["sv"]), len(response.json()["description"]["sv"])) == (300, 20_000)


def test_ordinary_markdown_is_accepted(app_client: TestClient, editor_headers: dict[str, str]) -> None:
    markdown = (
        "## Innehåll\n\n**Alla** badplatser, se [kartan](https://karta.sjovik.se/bad?online=1&one=2) och "
        "`badplatser.csv`. Badplatser online: 12."
    )

    response = app_client.post(
        "/api/v1/datasets", json=NEW_DATASET | {"description": {"sv": markdown}}, headers=editor_headers
    )

    assert response.status_code == 201
    assert response.json()["description"] == {"sv": markdown}


def test_vocabulary_iris_are_accepted_and_stored_as_codes(
    app_client: TestClient, editor_headers: dict[str, str]
) -> None:
    iris = {
        "themes": ["http://publications.europa.eu/resource/authority/data-theme/ENVI"],
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "frequency": "http://publications.europa.eu/resource/authority/frequency/ANNUAL",
        "access_rights": "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
    }

    response = app_client.post("/api/v1/datasets", json=NEW_DATASET | iris, headers=editor_headers)

    body = response.json()
    assert (body["themes"], body["license"], body["frequency"], body["access_rights"]) == (
        ["ENVI"],
        "CC_BY_4_0",
        "ANNUAL",
        "PUBLIC",
    )
    assert (
        app_client.get("/api/v1/datasets", params={"license": "CC_BY_4_0"}, headers=editor_headers).json()[
            "total"
        ]
        == 1
    )


# --- changes --------------------------------------------------------------------------------------------


@SCHEMA_ONLY
@pytest.mark.parametrize(("fields", "errors"), INVALID_FIELD_VALUES)
def test_an_invalid_change_is_refused_field_by_field_and_the_dataset_stays_as_it_was(
    app_client: TestClient,
    editor_headers: dict[str, str],
    badplatser: Dataset,
    stored: Callable[[], StoredState],
    fields: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    before = stored()

    response = app_client.patch("/api/v1/datasets/badplatser", json=fields, headers=editor_headers)

    assert (response.status_code, response.json()) == (422, problem(422, INVALID_FIELDS, errors))
    assert stored() == before


@pytest.mark.parametrize("field", ["title", "description", "organization", "slug", "state"])
def test_a_required_field_cannot_be_cleared(
    app_client: TestClient,
    editor_headers: dict[str, str],
    badplatser: Dataset,
    stored: Callable[[], StoredState],
    field: str,
) -> None:
    before = stored()

    response = app_client.patch("/api/v1/datasets/badplatser", json={field: None}, headers=editor_headers)

    assert response.json() == problem(422, f"{field}: may not be null", {field: ["may not be null"]})
    assert stored() == before


def test_a_change_to_a_slug_in_use_is_a_conflict(
    app_client: TestClient,
    editor_headers: dict[str, str],
    badplatser: Dataset,
    stored: Callable[[], StoredState],
) -> None:
    app_client.post("/api/v1/datasets", json=NEW_DATASET, headers=editor_headers)
    before = stored()

    response = app_client.patch(
        "/api/v1/datasets/laddstationer-for-elbilar", json={"slug": "badplatser"}, headers=editor_headers
    )

    assert response.json() == problem(
        409, "a dataset with the slug 'badplatser' already exists", {"slug": ["already in use"]}
    )
    assert stored() == before


def test_malformed_json_in_a_change_is_a_bad_request(
    app_client: TestClient,
    editor_headers: dict[str, str],
    badplatser: Dataset,
    stored: Callable[[], StoredState],
) -> None:
    before = stored()

    response = app_client.patch(
        "/api/v1/datasets/badplatser",
        content=b"{'title': 'Badplatser'}",
        headers=editor_headers | {"Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["title"] == "Bad Request"
    assert stored() == before
