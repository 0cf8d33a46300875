"""Draft and private datasets exist only for their organisation's editors and for admins.

For anyone else (anonymous callers, editors of other organisations) they are not found anywhere: not at
their address, not through their distributions or files, not in search results, totals or counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Organization
from datatorget.config import Settings
from tests.api.problems import problem
from tests.api.snapshots import StoredState
from tests.factories import make_dataset, make_upload


@dataclass(frozen=True)
class Hidden:
    slug: str
    id: str
    distribution: str
    download: str


@pytest.fixture(params=["draft", "private"])
def hidden(
    request: pytest.FixtureRequest, session: Session, settings: Settings, sjovik: Organization
) -> Hidden:
    """A dataset of Sjöviks kommun that is not published, with an uploaded file."""
    dataset = make_dataset(
        session, "Planerade cykelvägar", state=request.param, themes=["TRAN"], keywords={"sv": ["cykel"]},
        license="CC_BY_4_0",
    )  # fmt: skip
    upload = make_upload(session, dataset.slug, settings.files_dir, file_name="cykelvagar.csv")
    return Hidden(dataset.slug, str(dataset.id), str(upload.id), f"/files/{upload.id}/cykelvagar.csv")


@pytest.fixture(params=["anonymous", "editor-of-another-organisation"])
def stranger(request: pytest.FixtureRequest) -> dict[str, str]:
    """The headers of someone who may not see the municipality's unpublished datasets."""
    if request.param == "anonymous":
        return {}
    headers: dict[str, str] = request.getfixturevalue("outsider_headers")
    return headers


@pytest.fixture(params=["editor-of-the-organisation", "admin"])
def insider(request: pytest.FixtureRequest) -> dict[str, str]:
    """The headers of someone who may see the municipality's unpublished datasets."""
    name = "editor_headers" if request.param == "editor-of-the-organisation" else "admin_headers"
    headers: dict[str, str] = request.getfixturevalue(name)
    return headers


def _counts(facets: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, int]]:
    return {name: {v["value"]: v["count"] for v in values} for name, values in facets.items()}


# --- not found for strangers ----------------------------------------------------------------------------


def test_a_hidden_dataset_is_not_found_by_slug_or_uuid(
    app_client: TestClient, hidden: Hidden, stranger: dict[str, str]
) -> None:
    by_slug = app_client.get(f"/api/v1/datasets/{hidden.slug}", headers=stranger)
    by_uuid = app_client.get(f"/api/v1/datasets/{hidden.id}", headers=stranger)

    assert (by_slug.status_code, by_slug.json()) == (404, problem(404, "no dataset 'planerade-cykelvagar'"))
    assert (by_uuid.status_code, by_uuid.json()) == (404, problem(404, f"no dataset '{hidden.id}'"))


def test_a_hidden_dataset_cannot_be_changed_or_deleted_and_stays_as_it_was(
    app_client: TestClient, hidden: Hidden, stranger: dict[str, str], stored: Callable[[], StoredState]
) -> None:
    before = stored()

    patched = app_client.patch(
        f"/api/v1/datasets/{hidden.slug}", json={"state": "published"}, headers=stranger
    )
    deleted = app_client.delete(f"/api/v1/datasets/{hidden.slug}", headers=stranger)

    assert (patched.status_code, deleted.status_code) == (404, 404)
    assert deleted.json() == problem(404, "no dataset 'planerade-cykelvagar'")
    assert stored() == before


def test_the_distributions_of_a_hidden_dataset_are_not_found(
    app_client: TestClient, hidden: Hidden, stranger: dict[str, str], stored: Callable[[], StoredState]
) -> None:
    before = stored()
    not_found = problem(404, f"no distribution '{hidden.distribution}'")

    listed = app_client.get(f"/api/v1/datasets/{hidden.slug}/distributions", headers=stranger)
    added = app_client.post(
        f"/api/v1/datasets/{hidden.slug}/distributions",
        json={"access_url": "https://example.org/cykel.csv"},
        headers=stranger,
    )
    read = app_client.get(f"/api/v1/distributions/{hidden.distribution}", headers=stranger)
    patched = app_client.patch(
        f"/api/v1/distributions/{hidden.distribution}", json={"title": {"sv": "Ny"}}, headers=stranger
    )
    deleted = app_client.delete(f"/api/v1/distributions/{hidden.distribution}", headers=stranger)

    assert [r.status_code for r in (listed, added, read, patched, deleted)] == [404] * 5
    assert [read.json(), patched.json(), deleted.json()] == [not_found] * 3
    assert stored() == before


def test_the_file_of_a_hidden_dataset_is_not_found(
    app_client: TestClient, hidden: Hidden, stranger: dict[str, str]
) -> None:
    response = app_client.get(hidden.download, headers=stranger)

    assert (response.status_code, response.json()) == (
        404,
        problem(404, f"no distribution '{hidden.distribution}'"),
    )


def test_a_hidden_dataset_is_left_out_of_search_results_totals_and_facets(
    app_client: TestClient, hidden: Hidden, stranger: dict[str, str], badplatser: Dataset
) -> None:
    everything = app_client.get("/api/v1/datasets", headers=stranger).json()
    by_word = app_client.get("/api/v1/datasets", params={"q": "cykelvägar"}, headers=stranger).json()
    by_theme = app_client.get("/api/v1/datasets", params={"theme": "TRAN"}, headers=stranger).json()

    assert [item["slug"] for item in everything["items"]] == ["badplatser"]
    assert everything["total"] == 1
    assert _counts(everything["facets"]) == {
        "organization": {"sjoviks-kommun": 1},
        "theme": {},
        "keyword": {},
        "license": {},
        "format": {},
    }
    assert (by_word["total"], by_word["items"]) == (0, [])
    assert (by_theme["total"], by_theme["items"]) == (0, [])


def test_organisation_counts_leave_out_hidden_datasets(
    app_client: TestClient, hidden: Hidden, stranger: dict[str, str], badplatser: Dataset
) -> None:
    listed = app_client.get("/api/v1/organizations", headers=stranger).json()
    read = app_client.get("/api/v1/organizations/sjoviks-kommun", headers=stranger).json()

    assert {o["slug"]: o["dataset_count"] for o in listed["items"]}["sjoviks-kommun"] == 1
    assert read["dataset_count"] == 1


# --- visible to insiders --------------------------------------------------------------------------------


def test_a_hidden_dataset_is_visible_to_its_organisations_editors_and_to_admins(
    app_client: TestClient, hidden: Hidden, insider: dict[str, str]
) -> None:
    by_slug = app_client.get(f"/api/v1/datasets/{hidden.slug}", headers=insider)
    by_uuid = app_client.get(f"/api/v1/datasets/{hidden.id}", headers=insider)
    distribution = app_client.get(f"/api/v1/distributions/{hidden.distribution}", headers=insider)
    download = app_client.get(hidden.download, headers=insider)

    assert (by_slug.status_code, by_uuid.status_code, distribution.status_code) == (200, 200, 200)
    assert by_slug.json()["id"] == hidden.id
    assert download.status_code == 200
    assert download.content.startswith(b"namn;latitud;longitud")


def test_a_hidden_dataset_is_searched_and_counted_for_insiders(
    app_client: TestClient, hidden: Hidden, insider: dict[str, str], badplatser: Dataset
) -> None:
    everything = app_client.get("/api/v1/datasets", params={"sort": "title"}, headers=insider).json()
    by_word = app_client.get("/api/v1/datasets", params={"q": "cykelvägar"}, headers=insider).json()
    organization = app_client.get("/api/v1/organizations/sjoviks-kommun", headers=insider).json()

    assert [item["slug"] for item in everything["items"]] == ["badplatser", "planerade-cykelvagar"]
    assert everything["total"] == 2
    assert _counts(everything["facets"])["theme"] == {"TRAN": 1}
    assert [item["slug"] for item in by_word["items"]] == ["planerade-cykelvagar"]
    assert organization["dataset_count"] == 2


def test_a_hidden_dataset_may_be_changed_by_its_organisations_editors_and_admins(
    app_client: TestClient, hidden: Hidden, insider: dict[str, str]
) -> None:
    response = app_client.patch(
        f"/api/v1/datasets/{hidden.slug}", json={"state": "published"}, headers=insider
    )

    assert response.status_code == 200
    assert app_client.get(f"/api/v1/datasets/{hidden.slug}").status_code == 200
