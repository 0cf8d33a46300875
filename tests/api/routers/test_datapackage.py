"""GET /api/v1/datasets/{ref}/datapackage.json: a valid Frictionless Data Package whose Table Schemas
describe the CSV downloads they point to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import frictionless
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Organization
from tests.api.problems import problem
from tests.factories import make_dataset, make_link
from tests.jobs import run_jobs

# Decimal commas, grouped thousands and Swedish dates in the file; the CSV download writes them plainly.
CSV = (
    "namn;djup;temperatur;besökare;öppnar\n"
    "Sandviken;120;18,5;1 200;1/6/2024\n"
    "Badholmen;80;19,25;950;15/5/2024\n"
    "Ekudden;;17,0;2 400;1/6/2024\n"
).encode()


def upload(client: TestClient, headers: dict[str, str], slug: str) -> str:
    response = client.post(
        f"/api/v1/datasets/{slug}/distributions",
        files={"file": ("badplatser.csv", CSV, "text/csv")},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    run_jobs(client)
    return str(response.json()["id"])


def package_of(client: TestClient, slug: str, headers: dict[str, str] | None = None) -> Any:
    response = client.get(f"/api/v1/datasets/{slug}/datapackage.json", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_dataset_is_a_data_package_with_a_resource_per_distribution(
    app_client: TestClient, session: Session, sjovik: Organization, editor_headers: dict[str, str]
) -> None:
    dataset = make_dataset(
        session, {"sv": "Badplatser", "en": "Bathing sites"}, organization=sjovik.slug, license="CC_BY_4_0",
        keywords={"sv": ["bad"], "en": ["swimming"]},
    )  # fmt: skip
    table = upload(app_client, editor_headers, "badplatser")
    link = make_link(session, "badplatser", access_url="https://geo.sjovik.se/bad.json", format="JSON")

    package = package_of(app_client, "badplatser")

    assert package == {
        "name": "badplatser",
        "id": f"http://portal.test/datasets/{dataset.id}",
        "title": "Badplatser",
        "description": "Kommunens badplatser med koordinater.",
        "homepage": f"http://portal.test/datasets/{dataset.id}",
        "keywords": ["bad", "swimming"],
        "contributors": [{"title": "Sjöviks kommun", "roles": ["publisher"]}],
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "title": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
                "path": "https://creativecommons.org/licenses/by/4.0/",
            }
        ],
        "created": dataset.issued.isoformat(timespec="seconds").replace("+00:00", "Z")
        if dataset.issued
        else None,
        "resources": [
            {
                "name": "badplatser",
                "path": f"http://portal.test/api/v1/tables/{table}/rows.csv",
                "title": "badplatser.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        {"name": "namn", "type": "string"},
                        {"name": "djup", "type": "integer"},
                        {"name": "temperatur", "type": "number"},
                        {"name": "besökare", "type": "integer"},
                        {"name": "öppnar", "type": "date"},
                    ],
                    "missingValues": [""],
                },
                "sources": [
                    {"title": "badplatser.csv", "path": f"http://portal.test/files/{table}/badplatser.csv"}
                ],
            },
            {
                "name": "resource",
                "path": "https://geo.sjovik.se/bad.json",
                "format": "json",
                "mediatype": link.media_type,
            },
        ],
    }
    assert frictionless.Package.validate_descriptor(package).valid


def test_the_table_schema_describes_the_csv_download(
    app_client: TestClient, badplatser: Dataset, editor_headers: dict[str, str], tmp_path: Path
) -> None:
    table = upload(app_client, editor_headers, "badplatser")
    resource = package_of(app_client, "badplatser")["resources"][0]
    download = tmp_path / "rows.csv"
    download.write_bytes(app_client.get(f"/api/v1/tables/{table}/rows.csv").content)

    schema = frictionless.Schema.from_descriptor(resource["schema"])
    report = frictionless.Resource(path="rows.csv", basepath=str(tmp_path), schema=schema).validate()

    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])
    assert report.tasks[0].stats["rows"] == 3


def test_a_dataset_without_distributions_is_a_package_without_resources(
    app_client: TestClient, badplatser: Dataset
) -> None:
    package = package_of(app_client, "badplatser")

    assert package["resources"] == []
    assert frictionless.Package.validate_descriptor(package).valid


def test_resource_names_stay_unique(app_client: TestClient, badplatser: Dataset, session: Session) -> None:
    make_link(session, "badplatser", access_url="https://geo.sjovik.se/a.json")
    make_link(session, "badplatser", access_url="https://geo.sjovik.se/b.json")

    assert [r["name"] for r in package_of(app_client, "badplatser")["resources"]] == [
        "resource",
        "resource-2",
    ]


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_draft_is_a_package_only_for_whom_may_see_it(
    app_client: TestClient, session: Session, sjovik: Organization, editor_headers: dict[str, str]
) -> None:
    make_dataset(session, "Planerade cykelvägar", organization=sjovik.slug, state="draft")

    response = app_client.get("/api/v1/datasets/planerade-cykelvagar/datapackage.json")

    assert response.status_code == 404
    assert response.json() == problem(404, "no dataset 'planerade-cykelvagar'")
    assert package_of(app_client, "planerade-cykelvagar", editor_headers)["name"] == "planerade-cykelvagar"


def test_an_unknown_dataset_is_not_found(app_client: TestClient) -> None:
    response = app_client.get("/api/v1/datasets/finns-inte/datapackage.json")

    assert response.status_code == 404
    assert response.json() == problem(404, "no dataset 'finns-inte'")
