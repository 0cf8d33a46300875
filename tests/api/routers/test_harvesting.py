"""/api/v1/harvest-sources and /api/v1/harvest-runs: administrators add, change and delete the catalogs
harvested, queue runs and read their reports; nobody else may even see them."""

from __future__ import annotations

from typing import Any
from unittest.mock import ANY

import pytest
from fastapi.testclient import TestClient

from datatorget.catalog.models import Organization
from tests.api.conftest import Headers
from tests.api.problems import ADMINS_ONLY, INVALID_FIELDS, NOT_LOGGED_IN, problem
from tests.jobs import run_jobs

GRANNE: dict[str, Any] = {
    "title": "Grannkommunens katalog",
    "url": "https://data.grannkommun.example/datamangder/dcat",
    "kind": "dcat",
    "organization": "sjoviks-kommun",
    "interval_hours": 0,
}
NO_SOURCE = "00000000-0000-4000-8000-000000000000"
ZERO_COUNTS = {"created": 0, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0}


def _source_out(**fields: Any) -> dict[str, Any]:
    return {
        "id": ANY,
        "title": "Grannkommunens katalog",
        "url": "https://data.grannkommun.example/datamangder/dcat",
        "kind": "dcat",
        "organization": {"slug": "sjoviks-kommun", "name": "Sjöviks kommun"},
        "interval_hours": 0,
        "enabled": True,
        "next_run_at": None,
        "created_at": ANY,
        "modified": ANY,
        "dataset_count": 0,
        "last_run": None,
        **fields,
    }


def _queued_run(source_id: str) -> dict[str, Any]:
    return {
        "id": ANY,
        "source_id": source_id,
        "status": "queued",
        "trigger": "manual",
        "created_at": ANY,
        "started_at": None,
        "finished_at": None,
        "counts": ZERO_COUNTS,
        "error": None,
        "records": [],
    }


def add_source(client: TestClient, headers: Headers, **changes: Any) -> str:
    """Add the source GRANNE, with these changes; its id."""
    response = client.post("/api/v1/harvest-sources", json=GRANNE | changes, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture
def source(app_client: TestClient, admin_headers: Headers, sjovik: Organization) -> str:
    """The neighbouring municipality's catalog, harvested by hand for Sjöviks kommun; its id."""
    return add_source(app_client, admin_headers)


# --- sources --------------------------------------------------------------------------------------------


def test_an_admin_adds_a_source_and_gets_it_back(
    app_client: TestClient, admin_headers: Headers, sjovik: Organization
) -> None:
    response = app_client.post("/api/v1/harvest-sources", json=GRANNE, headers=admin_headers)

    assert response.status_code == 201
    assert response.json() == _source_out()


def test_a_source_with_an_interval_is_due_at_once(
    app_client: TestClient, admin_headers: Headers, sjovik: Organization
) -> None:
    response = app_client.post(
        "/api/v1/harvest-sources", json=GRANNE | {"interval_hours": 24}, headers=admin_headers
    )

    assert response.json() == _source_out(interval_hours=24, next_run_at=ANY)
    assert response.json()["next_run_at"] is not None


def test_the_list_gives_every_source_by_title(
    app_client: TestClient, admin_headers: Headers, sjovik: Organization
) -> None:
    add_source(app_client, admin_headers, title="Östra kommunens katalog")
    add_source(app_client, admin_headers, title="Annans katalog", kind="ckan", url="https://ckan.example")

    response = app_client.get("/api/v1/harvest-sources", headers=admin_headers)

    assert [(s["title"], s["kind"]) for s in response.json()] == [
        ("Annans katalog", "ckan"),
        ("Östra kommunens katalog", "dcat"),
    ]


def test_an_admin_reads_a_source(app_client: TestClient, admin_headers: Headers, source: str) -> None:
    response = app_client.get(f"/api/v1/harvest-sources/{source}", headers=admin_headers)

    assert (response.status_code, response.json()) == (200, _source_out(id=source))


def test_an_unknown_source_is_not_found(app_client: TestClient, admin_headers: Headers) -> None:
    response = app_client.get(f"/api/v1/harvest-sources/{NO_SOURCE}", headers=admin_headers)

    assert response.status_code == 404
    assert response.json() == problem(404, f"no harvest source '{NO_SOURCE}'")


def test_a_patch_changes_only_the_fields_sent(
    app_client: TestClient, admin_headers: Headers, source: str
) -> None:
    response = app_client.patch(
        f"/api/v1/harvest-sources/{source}",
        json={"interval_hours": 12, "enabled": False},
        headers=admin_headers,
    )

    assert response.status_code == 200
    assert response.json() == _source_out(id=source, interval_hours=12, enabled=False, next_run_at=ANY)


def test_a_deleted_source_is_gone(app_client: TestClient, admin_headers: Headers, source: str) -> None:
    deleted = app_client.delete(f"/api/v1/harvest-sources/{source}", headers=admin_headers)

    assert (deleted.status_code, deleted.text) == (204, "")
    assert app_client.get(f"/api/v1/harvest-sources/{source}", headers=admin_headers).status_code == 404


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"kind": "sparql"}, {"kind": [ANY]}),
        ({"url": "ftp://data.grannkommun.example/katalog.ttl"}, {"url": [ANY]}),
        ({"title": ""}, {"title": [ANY]}),
        ({"interval_hours": -1}, {"interval_hours": [ANY]}),
        ({"schedule": "daily"}, {"schedule": ["unknown field"]}),
    ],
    ids=["unknown-kind", "not-http", "empty-title", "negative-interval", "unknown-field"],
)
def test_a_source_with_bad_fields_is_refused_field_by_field(
    app_client: TestClient, admin_headers: Headers, sjovik: Organization, changes: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:  # fmt: skip
    response = app_client.post("/api/v1/harvest-sources", json=GRANNE | changes, headers=admin_headers)

    assert response.status_code == 422
    assert response.json() == problem(422, ANY, errors)
    assert app_client.get("/api/v1/harvest-sources", headers=admin_headers).json() == []


def test_a_source_for_an_unknown_organisation_is_refused(
    app_client: TestClient, admin_headers: Headers, sjovik: Organization
) -> None:
    response = app_client.post(
        "/api/v1/harvest-sources", json=GRANNE | {"organization": "finns-inte"}, headers=admin_headers
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {"organization": ["no organisation 'finns-inte'"]}


def test_a_patch_with_a_bad_field_changes_nothing(
    app_client: TestClient, admin_headers: Headers, source: str
) -> None:
    response = app_client.patch(
        f"/api/v1/harvest-sources/{source}",
        json={"interval_hours": 6, "kind": "sparql"},
        headers=admin_headers,
    )

    assert (response.status_code, response.json()["detail"]) == (422, INVALID_FIELDS)
    assert (
        app_client.get(f"/api/v1/harvest-sources/{source}", headers=admin_headers).json()["interval_hours"]
        == 0
    )


# --- runs -----------------------------------------------------------------------------------------------


def test_running_a_source_queues_a_run(app_client: TestClient, admin_headers: Headers, source: str) -> None:
    response = app_client.post(f"/api/v1/harvest-sources/{source}/runs", headers=admin_headers)

    assert response.status_code == 202
    assert response.json() == _queued_run(source)


def test_a_second_run_while_one_is_queued_is_a_conflict(
    app_client: TestClient, admin_headers: Headers, source: str
) -> None:
    app_client.post(f"/api/v1/harvest-sources/{source}/runs", headers=admin_headers)

    response = app_client.post(f"/api/v1/harvest-sources/{source}/runs", headers=admin_headers)

    assert response.status_code == 409
    assert response.json() == problem(
        409, "a run of this source is already queued or running", {"source": ["a run is queued or running"]}
    )


def test_a_source_with_a_queued_run_cannot_be_deleted(
    app_client: TestClient, admin_headers: Headers, source: str
) -> None:
    app_client.post(f"/api/v1/harvest-sources/{source}/runs", headers=admin_headers)

    response = app_client.delete(f"/api/v1/harvest-sources/{source}", headers=admin_headers)

    assert response.status_code == 409
    assert app_client.get(f"/api/v1/harvest-sources/{source}", headers=admin_headers).status_code == 200


def test_the_runs_of_a_source_are_listed_newest_first(
    app_client: TestClient, admin_headers: Headers, source: str
) -> None:
    first = app_client.post(f"/api/v1/harvest-sources/{source}/runs", headers=admin_headers).json()["id"]
    run_jobs(app_client)
    second = app_client.post(f"/api/v1/harvest-sources/{source}/runs", headers=admin_headers).json()["id"]

    response = app_client.get(f"/api/v1/harvest-sources/{source}/runs", headers=admin_headers)

    assert [r["id"] for r in response.json()] == [second, first]


def test_the_runs_of_an_unknown_source_are_not_found(app_client: TestClient, admin_headers: Headers) -> None:
    response = app_client.get(f"/api/v1/harvest-sources/{NO_SOURCE}/runs", headers=admin_headers)

    assert response.json() == problem(404, f"no harvest source '{NO_SOURCE}'")


def test_a_run_that_could_not_read_its_source_says_why(
    app_client: TestClient, admin_headers: Headers, sjovik: Organization
) -> None:
    # A loopback address is never fetched (DATATORGET_FETCH_PRIVATE_ADDRESSES is off): the run fails at once.
    source = add_source(app_client, admin_headers, url="http://127.0.0.1:9/katalog.ttl")
    run_id = app_client.post(f"/api/v1/harvest-sources/{source}/runs", headers=admin_headers).json()["id"]
    run_jobs(app_client)

    response = app_client.get(f"/api/v1/harvest-runs/{run_id}", headers=admin_headers)

    assert response.status_code == 200
    assert response.json() == _queued_run(source) | {
        "id": run_id,
        "status": "failed",
        "started_at": ANY,
        "finished_at": ANY,
        "error": {"code": ANY, "sv": ANY, "en": ANY},
    }
    assert "127.0.0.1" in response.json()["error"]["en"]


def test_the_source_shows_its_last_run(app_client: TestClient, admin_headers: Headers, source: str) -> None:
    run_id = app_client.post(f"/api/v1/harvest-sources/{source}/runs", headers=admin_headers).json()["id"]

    response = app_client.get(f"/api/v1/harvest-sources/{source}", headers=admin_headers)

    assert response.json()["last_run"] == {
        "id": run_id,
        "status": "queued",
        "trigger": "manual",
        "created_at": ANY,
        "finished_at": None,
        "counts": ZERO_COUNTS,
        "error": None,
    }


def test_an_unknown_run_is_not_found(app_client: TestClient, admin_headers: Headers) -> None:
    response = app_client.get(f"/api/v1/harvest-runs/{NO_SOURCE}", headers=admin_headers)

    assert response.json() == problem(404, f"no harvest run '{NO_SOURCE}'")


# --- who may ---------------------------------------------------------------------------------------------

OPERATIONS = [
    ("GET", "/api/v1/harvest-sources"),
    ("POST", "/api/v1/harvest-sources"),
    ("GET", "/api/v1/harvest-sources/{source}"),
    ("PATCH", "/api/v1/harvest-sources/{source}"),
    ("DELETE", "/api/v1/harvest-sources/{source}"),
    ("POST", "/api/v1/harvest-sources/{source}/runs"),
    ("GET", "/api/v1/harvest-sources/{source}/runs"),
    ("GET", "/api/v1/harvest-runs/{run}"),
]
OPERATION_IDS = [f"{method}-{path.removeprefix('/api/v1/')}" for method, path in OPERATIONS]


def _call(client: TestClient, method: str, path: str, source: str, run: str, headers: Headers) -> Any:
    body = GRANNE if method == "POST" and path.endswith("sources") else {"interval_hours": 1}
    return client.request(
        method,
        path.format(source=source, run=run),
        json=body if method in ("POST", "PATCH") else None,
        headers=headers,
    )


@pytest.fixture
def run(app_client: TestClient, admin_headers: Headers, source: str) -> str:
    """A queued run of the source; its id."""
    return str(app_client.post(f"/api/v1/harvest-sources/{source}/runs", headers=admin_headers).json()["id"])


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=OPERATION_IDS)
def test_every_operation_needs_a_token(
    app_client: TestClient, source: str, run: str, method: str, path: str
) -> None:
    response = _call(app_client, method, path, source, run, {})

    assert (response.status_code, response.json()) == (401, NOT_LOGGED_IN)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=OPERATION_IDS)
@pytest.mark.parametrize("who", ["editor", "member"])
def test_every_operation_is_for_admins_only(
    request: pytest.FixtureRequest, app_client: TestClient, source: str, run: str, method: str, path: str,
    who: str,
) -> None:  # fmt: skip
    headers = request.getfixturevalue(f"{who}_headers")

    response = _call(app_client, method, path, source, run, headers)

    assert (response.status_code, response.json()) == (403, ADMINS_ONLY)
