"""/api/v1/datasets: create, read, change and delete a dataset, who may do which, and the change history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from unittest.mock import ANY

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Organization
from datatorget.config import Settings
from tests.api.problems import ADMINS_ONLY, NOT_LOGGED_IN, NOT_YOUR_ORGANIZATION, problem
from tests.api.snapshots import StoredState, files_in
from tests.factories import make_dataset, make_upload

NEW_DATASET: dict[str, Any] = {
    "title": {"sv": "Laddstationer för elbilar", "en": "Charging stations for electric cars"},
    "description": {"sv": "Publika laddstationer i kommunen."},
    "organization": "sjoviks-kommun",
}


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


# --- create ---------------------------------------------------------------------------------------------


def test_a_new_dataset_is_created_as_a_draft_with_its_address_in_the_location_header(
    app_client: TestClient, editor_headers: dict[str, str]
) -> None:
    response = app_client.post("/api/v1/datasets", json=NEW_DATASET, headers=editor_headers)

    assert response.status_code == 201
    assert response.headers["location"] == "http://portal.test/api/v1/datasets/laddstationer-for-elbilar"
    body = response.json()
    assert body == {
        "id": ANY,
        "uri": f"http://portal.test/datasets/{body['id']}",
        "slug": "laddstationer-for-elbilar",
        "state": "draft",
        "title": {"sv": "Laddstationer för elbilar", "en": "Charging stations for electric cars"},
        "description": {"sv": "Publika laddstationer i kommunen."},
        "keywords": {},
        "themes": [],
        "organization": {"slug": "sjoviks-kommun", "name": "Sjöviks kommun"},
        "contact_point": None,
        "license": None,
        "access_rights": "PUBLIC",
        "spatial": [],
        "temporal": None,
        "frequency": None,
        "landing_page": None,
        "conforms_to": [],
        "hvd_categories": [],
        "issued": None,
        "modified": ANY,
        "distributions": [],
    }


def test_the_created_dataset_is_read_back_at_its_location(
    app_client: TestClient, editor_headers: dict[str, str]
) -> None:
    created = app_client.post("/api/v1/datasets", json=NEW_DATASET, headers=editor_headers)

    read = app_client.get(created.headers["location"], headers=editor_headers)

    assert read.status_code == 200
    assert read.json() == created.json()


def test_a_published_new_dataset_gets_its_release_date(
    app_client: TestClient, editor_headers: dict[str, str]
) -> None:
    response = app_client.post(
        "/api/v1/datasets", json=NEW_DATASET | {"state": "published"}, headers=editor_headers
    )

    body = response.json()
    assert body["state"] == "published"
    assert body["issued"] == body["modified"]


def test_the_slug_is_made_from_the_swedish_title_when_left_out(
    app_client: TestClient, editor_headers: dict[str, str]
) -> None:
    response = app_client.post(
        "/api/v1/datasets",
        json=NEW_DATASET | {"title": {"sv": "Öppettider på återvinningscentraler", "en": "Opening hours"}},
        headers=editor_headers,
    )

    assert response.json()["slug"] == "oppettider-pa-atervinningscentraler"


def test_a_slug_made_from_a_title_in_use_is_made_unique_with_a_number(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    body = NEW_DATASET | {"title": {"sv": "Badplatser"}}

    second = app_client.post("/api/v1/datasets", json=body, headers=editor_headers)
    third = app_client.post("/api/v1/datasets", json=body, headers=editor_headers)

    assert [second.json()["slug"], third.json()["slug"]] == ["badplatser-2", "badplatser-3"]
    assert second.headers["location"] == "http://portal.test/api/v1/datasets/badplatser-2"


def test_a_slug_given_by_the_publisher_is_kept(
    app_client: TestClient, editor_headers: dict[str, str]
) -> None:
    response = app_client.post(
        "/api/v1/datasets", json=NEW_DATASET | {"slug": "laddplatser-2024"}, headers=editor_headers
    )

    assert response.json()["slug"] == "laddplatser-2024"
    assert response.headers["location"] == "http://portal.test/api/v1/datasets/laddplatser-2024"


# --- read -----------------------------------------------------------------------------------------------


def test_a_dataset_is_read_by_its_slug_and_by_its_uuid(app_client: TestClient, badplatser: Dataset) -> None:
    by_slug = app_client.get("/api/v1/datasets/badplatser")
    by_uuid = app_client.get(f"/api/v1/datasets/{badplatser.id}")

    assert by_slug.status_code == by_uuid.status_code == 200
    assert by_slug.json() == by_uuid.json()
    assert by_slug.json()["id"] == str(badplatser.id)


def test_an_unknown_dataset_is_not_found(app_client: TestClient, sjovik: Organization) -> None:
    response = app_client.get("/api/v1/datasets/finns-inte")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == problem(404, "no dataset 'finns-inte'")


# --- change ---------------------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_given(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    before = app_client.get("/api/v1/datasets/badplatser").json()

    response = app_client.patch(
        "/api/v1/datasets/badplatser",
        json={"keywords": {"sv": ["bad", "strand"]}, "themes": ["ENVI"]},
        headers=editor_headers,
    )

    assert response.status_code == 200
    after = response.json()
    assert after == before | {
        "keywords": {"sv": ["bad", "strand"]},
        "themes": ["ENVI"],
        "modified": after["modified"],
    }
    assert _at(after["modified"]) > _at(before["modified"])
    assert app_client.get("/api/v1/datasets/badplatser").json() == after


def test_patch_with_null_clears_an_optional_field(
    app_client: TestClient, editor_headers: dict[str, str], session: Session, sjovik: Organization
) -> None:
    make_dataset(session, "Badplatser", license="CC0", temporal={"start": "2024-06-01"})

    response = app_client.patch(
        "/api/v1/datasets/badplatser", json={"license": None, "temporal": None}, headers=editor_headers
    )

    assert (response.json()["license"], response.json()["temporal"]) == (None, None)


def test_patch_that_changes_nothing_leaves_modified_and_the_history_as_they_were(
    app_client: TestClient,
    editor_headers: dict[str, str],
    badplatser: Dataset,
    stored: Callable[[], StoredState],
) -> None:
    before = stored()

    response = app_client.patch(
        "/api/v1/datasets/badplatser", json={"title": {"sv": "Badplatser"}}, headers=editor_headers
    )

    assert response.status_code == 200
    assert stored() == before


def test_a_new_slug_moves_the_dataset_to_the_new_address_and_keeps_its_uri(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    response = app_client.patch(
        "/api/v1/datasets/badplatser", json={"slug": "badplatser-2025"}, headers=editor_headers
    )

    assert response.json()["slug"] == "badplatser-2025"
    assert response.json()["uri"] == f"http://portal.test/datasets/{badplatser.id}"
    assert app_client.get("/api/v1/datasets/badplatser-2025").status_code == 200
    assert app_client.get("/api/v1/datasets/badplatser").status_code == 404


def test_publishing_a_draft_sets_its_release_date(
    app_client: TestClient, editor_headers: dict[str, str], session: Session, sjovik: Organization
) -> None:
    make_dataset(session, "Badplatser", state="draft")

    response = app_client.patch(
        "/api/v1/datasets/badplatser", json={"state": "published"}, headers=editor_headers
    )

    body = response.json()
    assert body["issued"] == body["modified"]
    assert app_client.get("/api/v1/datasets/badplatser").status_code == 200


# --- delete ---------------------------------------------------------------------------------------------


def test_delete_removes_the_dataset(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    response = app_client.delete("/api/v1/datasets/badplatser", headers=editor_headers)

    assert response.status_code == 204
    assert response.content == b""
    assert app_client.get("/api/v1/datasets/badplatser", headers=editor_headers).status_code == 404
    assert app_client.get("/api/v1/datasets").json()["total"] == 0


def test_delete_removes_the_files_of_uploaded_distributions_from_the_data_dir(
    app_client: TestClient,
    editor_headers: dict[str, str],
    session: Session,
    settings: Settings,
    badplatser: Dataset,
) -> None:
    upload = make_upload(session, "badplatser", settings.files_dir)
    assert len(files_in(settings.files_dir)) == 1

    app_client.delete("/api/v1/datasets/badplatser", headers=editor_headers)

    assert files_in(settings.files_dir) == []
    assert app_client.get(f"/files/{upload.id}/badplatser.csv").status_code == 404


def test_a_refused_delete_keeps_the_files(
    app_client: TestClient,
    outsider_headers: dict[str, str],
    session: Session,
    settings: Settings,
    badplatser: Dataset,
) -> None:
    make_upload(session, "badplatser", settings.files_dir)

    response = app_client.delete("/api/v1/datasets/badplatser", headers=outsider_headers)

    assert response.status_code == 403
    assert len(files_in(settings.files_dir)) == 1


# --- who may do what ------------------------------------------------------------------------------------


def test_an_admin_may_create_a_dataset_for_any_organisation(
    app_client: TestClient, admin_headers: dict[str, str], vatten: Organization
) -> None:
    response = app_client.post(
        "/api/v1/datasets", json=NEW_DATASET | {"organization": "sjovik-vatten"}, headers=admin_headers
    )

    assert response.status_code == 201
    assert response.json()["organization"] == {"slug": "sjovik-vatten", "name": "Sjövik Vatten AB"}


def test_an_admin_may_change_and_delete_a_dataset_of_any_organisation(
    app_client: TestClient, admin_headers: dict[str, str], session: Session, vatten: Organization
) -> None:
    make_dataset(session, "Vattenprover", organization="sjovik-vatten", state="draft")

    patched = app_client.patch(
        "/api/v1/datasets/vattenprover", json={"state": "published"}, headers=admin_headers
    )
    deleted = app_client.delete("/api/v1/datasets/vattenprover", headers=admin_headers)

    assert (patched.status_code, deleted.status_code) == (200, 204)


def test_an_editor_cannot_create_a_dataset_for_another_organisation(
    app_client: TestClient,
    editor_headers: dict[str, str],
    vatten: Organization,
    stored: Callable[[], StoredState],
) -> None:
    before = stored()

    response = app_client.post(
        "/api/v1/datasets", json=NEW_DATASET | {"organization": "sjovik-vatten"}, headers=editor_headers
    )

    assert response.status_code == 403
    assert response.json() == NOT_YOUR_ORGANIZATION
    assert stored() == before


def test_an_editor_may_read_but_cannot_change_a_published_dataset_of_another_organisation(
    app_client: TestClient,
    outsider_headers: dict[str, str],
    badplatser: Dataset,
    stored: Callable[[], StoredState],
) -> None:
    before = stored()

    read = app_client.get("/api/v1/datasets/badplatser", headers=outsider_headers)
    patched = app_client.patch(
        "/api/v1/datasets/badplatser", json={"title": {"sv": "Våra badplatser"}}, headers=outsider_headers
    )

    assert read.status_code == 200
    assert (patched.status_code, patched.json()) == (403, NOT_YOUR_ORGANIZATION)
    assert stored() == before


def test_an_editor_cannot_delete_a_published_dataset_of_another_organisation(
    app_client: TestClient,
    outsider_headers: dict[str, str],
    badplatser: Dataset,
    stored: Callable[[], StoredState],
) -> None:
    before = stored()

    response = app_client.delete("/api/v1/datasets/badplatser", headers=outsider_headers)

    assert (response.status_code, response.json()) == (403, NOT_YOUR_ORGANIZATION)
    assert stored() == before


def test_an_editor_cannot_move_a_dataset_to_another_organisation(
    app_client: TestClient,
    editor_headers: dict[str, str],
    badplatser: Dataset,
    vatten: Organization,
    stored: Callable[[], StoredState],
) -> None:
    before = stored()

    response = app_client.patch(
        "/api/v1/datasets/badplatser", json={"organization": "sjovik-vatten"}, headers=editor_headers
    )

    assert (response.status_code, response.json()) == (403, NOT_YOUR_ORGANIZATION)
    assert stored() == before


def test_an_admin_may_move_a_dataset_to_another_organisation(
    app_client: TestClient, admin_headers: dict[str, str], badplatser: Dataset, vatten: Organization
) -> None:
    response = app_client.patch(
        "/api/v1/datasets/badplatser", json={"organization": "sjovik-vatten"}, headers=admin_headers
    )

    assert response.json()["organization"] == {"slug": "sjovik-vatten", "name": "Sjövik Vatten AB"}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/datasets", NEW_DATASET),
        ("PATCH", "/api/v1/datasets/badplatser", {"title": {"sv": "Ändrad"}}),
        ("DELETE", "/api/v1/datasets/badplatser", None),
        ("POST", "/api/v1/datasets/badplatser/distributions", {"access_url": "https://example.org/a.csv"}),
    ],
    ids=["create", "change", "delete", "add-distribution"],
)
def test_an_anonymous_caller_cannot_write(
    app_client: TestClient,
    badplatser: Dataset,
    stored: Callable[[], StoredState],
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    before = stored()

    response = app_client.request(method, path, json=body)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="datatorget"'
    assert response.json() == NOT_LOGGED_IN
    assert stored() == before


# --- history --------------------------------------------------------------------------------------------


def test_the_history_lists_who_changed_what_when_newest_first(
    app_client: TestClient, admin_headers: dict[str, str], editor_headers: dict[str, str]
) -> None:
    app_client.post("/api/v1/datasets", json=NEW_DATASET, headers=editor_headers)
    app_client.patch(
        "/api/v1/datasets/laddstationer-for-elbilar",
        json={"title": {"sv": "Laddplatser"}, "state": "published"},
        headers=editor_headers,
    )

    response = app_client.get("/api/v1/datasets/laddstationer-for-elbilar/history", headers=admin_headers)

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    update, create = body["items"]
    assert _at(update["at"]) >= _at(create["at"])
    assert update == {
        "at": ANY,
        "actor": "editor@sjovik.se",
        "entity_type": "dataset",
        "entity_id": create["entity_id"],
        "action": "update",
        "fields": {
            "title": [
                {"sv": "Laddstationer för elbilar", "en": "Charging stations for electric cars"},
                {"sv": "Laddplatser"},
            ],
            "state": ["draft", "published"],
        },
        "summary": "",
    }
    assert (create["actor"], create["action"]) == ("editor@sjovik.se", "create")
    assert create["fields"]["slug"] == [None, "laddstationer-for-elbilar"]


def test_the_history_of_a_deleted_dataset_is_kept_under_its_uuid(
    app_client: TestClient, admin_headers: dict[str, str], badplatser: Dataset
) -> None:
    app_client.delete("/api/v1/datasets/badplatser", headers=admin_headers)

    response = app_client.get(f"/api/v1/datasets/{badplatser.id}/history", headers=admin_headers)

    assert [(c["actor"], c["action"]) for c in response.json()["items"]] == [
        ("admin@sjovik.se", "delete"),
        ("system@datatorget.invalid", "create"),
    ]


def test_the_history_of_an_unknown_dataset_is_not_found(
    app_client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = app_client.get("/api/v1/datasets/finns-inte/history", headers=admin_headers)

    assert (response.status_code, response.json()) == (404, problem(404, "no dataset 'finns-inte'"))


def test_an_editor_cannot_read_the_history(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    response = app_client.get("/api/v1/datasets/badplatser/history", headers=editor_headers)

    assert (response.status_code, response.json()) == (403, ADMINS_ONLY)


def test_an_anonymous_caller_cannot_read_the_history(app_client: TestClient, badplatser: Dataset) -> None:
    response = app_client.get("/api/v1/datasets/badplatser/history")

    assert (response.status_code, response.json()) == (401, NOT_LOGGED_IN)


def test_a_long_landing_page_address_is_kept_on_both_backends(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    address = "https://www.sjovik.example/" + "a" * 1900
    response = app_client.patch(
        "/api/v1/datasets/badplatser", json={"landing_page": address}, headers=editor_headers
    )
    assert (response.status_code, response.json()["landing_page"]) == (200, address)
