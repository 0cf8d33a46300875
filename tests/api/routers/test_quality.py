"""/api/v1/datasets/{ref}/quality and /api/v1/quality: scores, ratings, dimension points and suggestions,
public for published datasets, read with the visibility of the dataset."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Organization
from tests.api.conftest import Headers
from tests.api.problems import INVALID_FIELDS, problem
from tests.factories import make_dataset

DIMENSIONS = [
    {"dimension": "findability", "points": 0.0, "max_points": 100},
    {"dimension": "accessibility", "points": 0.0, "max_points": 100},
    {"dimension": "interoperability", "points": -10.0, "max_points": 110},
    {"dimension": "reusability", "points": 25.0, "max_points": 75},
    {"dimension": "contextuality", "points": 0.0, "max_points": 20},
]


def test_anyone_reads_the_quality_of_a_published_dataset(app_client: TestClient, badplatser: Dataset) -> None:
    response = app_client.get("/api/v1/datasets/badplatser/quality")
    assert response.status_code == 200
    body = response.json()
    assert {
        key: body[key] for key in ("id", "slug", "title", "organization", "points", "max_points", "rating")
    } == {
        "id": str(badplatser.id),
        "slug": "badplatser",
        "title": {"sv": "Badplatser"},
        "organization": "sjoviks-kommun",
        "points": 15.0,
        "max_points": 405,
        "rating": "bad",
    }
    assert body["dimensions"] == DIMENSIONS
    assert len(body["metrics"]) == 23
    assert body["metrics"][0] == {
        "metric": "keywordAvailability", "dimension": "findability", "points": 0.0, "max_points": 30, "measured": True,
    }  # fmt: skip
    assert body["suggestions"][0] == {
        "metric": "distributions",
        "dimension": "accessibility",
        "gain": 235,
        "sv": "Lägg till en distribution: ladda upp en fil eller länka till data, helst i ett öppet, maskinläsbart "
        "format som CSV.",
        "en": "Add a distribution: upload a file or link to data, preferably in an open, machine-readable format "
        "such as CSV.",
        "field": "distributions",
    }
    assert body["hvd"] is None


def test_a_dataset_is_also_found_by_its_id(app_client: TestClient, badplatser: Dataset) -> None:
    assert app_client.get(f"/api/v1/datasets/{badplatser.id}/quality").json()["slug"] == "badplatser"


def test_a_draft_is_not_found_by_anonymous_readers(
    app_client: TestClient, session: Session, sjovik: Organization
) -> None:
    make_dataset(session, "Utkast", organization=sjovik.slug, state="draft")
    response = app_client.get("/api/v1/datasets/utkast/quality")
    assert (response.status_code, response.json()) == (404, problem(404, "no dataset 'utkast'"))


def test_an_editor_reads_the_quality_of_a_draft_of_their_organisation(
    app_client: TestClient, session: Session, sjovik: Organization, editor_headers: Headers
) -> None:
    make_dataset(session, "Utkast", organization=sjovik.slug, state="draft")
    assert app_client.get("/api/v1/datasets/utkast/quality", headers=editor_headers).status_code == 200


def test_the_catalog_lists_the_published_datasets_worst_first(
    app_client: TestClient, session: Session, sjovik: Organization
) -> None:
    make_dataset(session, "Badplatser", organization=sjovik.slug, keywords={"sv": ["bad"]}, themes=["ENVI"])
    make_dataset(session, "Tunn", organization=sjovik.slug)
    make_dataset(session, "Utkast", organization=sjovik.slug, state="draft")
    body = app_client.get("/api/v1/quality").json()
    assert [(d["slug"], d["points"], d["rating"]) for d in body["datasets"]] == [
        ("tunn", 15.0, "bad"),
        ("badplatser", 75.0, "bad"),
    ]
    assert {
        key: body[key] for key in ("points", "max_points", "rating", "ratings", "hvd_incomplete", "total")
    } == {
        "points": 45.0,
        "max_points": 405,
        "rating": "bad",
        "ratings": {"excellent": 0, "good": 0, "sufficient": 0, "bad": 2},
        "hvd_incomplete": 0,
        "total": 2,
    }
    assert set(body["datasets"][0]) == {
        "id", "slug", "title", "organization", "points", "max_points", "rating", "dimensions", "suggestions",
        "hvd_complete",
    }  # fmt: skip


def test_the_catalog_list_is_paged(app_client: TestClient, session: Session, sjovik: Organization) -> None:
    for title in ("A", "B", "C"):
        make_dataset(session, title, organization=sjovik.slug)
    body = app_client.get("/api/v1/quality", params={"limit": 1, "offset": 1}).json()
    assert (body["total"], body["limit"], body["offset"], [d["slug"] for d in body["datasets"]]) == (
        3,
        1,
        1,
        ["b"],
    )


def test_the_catalog_is_kept_to_one_organisation(
    app_client: TestClient, session: Session, sjovik: Organization, vatten: Organization
) -> None:
    make_dataset(session, "Badplatser", organization=sjovik.slug)
    make_dataset(session, "Vattenkvalitet", organization=vatten.slug)
    body = app_client.get("/api/v1/quality", params={"organization": vatten.slug}).json()
    assert [d["slug"] for d in body["datasets"]] == ["vattenkvalitet"]


def test_an_unknown_organisation_is_not_found(app_client: TestClient) -> None:
    response = app_client.get("/api/v1/quality", params={"organization": "finns-inte"})
    assert (response.status_code, response.json()) == (404, problem(404, "no organisation 'finns-inte'"))


def test_a_limit_of_zero_is_refused(app_client: TestClient) -> None:
    response = app_client.get("/api/v1/quality", params={"limit": 0})
    assert response.status_code == 422
    assert response.json()["detail"] == INVALID_FIELDS
    assert list(response.json()["errors"]) == ["limit"]
