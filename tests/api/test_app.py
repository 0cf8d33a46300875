"""The API app: its OpenAPI description, its interactive docs, and one error shape for every path."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from datatorget.app import create_app
from datatorget.config import Settings
from tests.api.problems import problem

UPLOAD_PATH = "/datasets/{ref}/distributions"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for the whole module: the description does not depend on the data or the backend."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("data"), database_url="", secret_key=SecretStr("test-secret")
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def openapi(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document: dict[str, Any] = response.json()
    return document


def test_the_description_is_openapi_3_served_under_api_v1(openapi: dict[str, Any]) -> None:
    assert openapi["openapi"].startswith("3.")
    assert openapi["info"]["title"] == "Datatorget API"
    assert openapi["servers"] == [{"url": "/api/v1"}]


def test_the_description_lists_the_dataset_distribution_organisation_and_token_paths(
    openapi: dict[str, Any],
) -> None:
    operations = {(path, method) for path, item in openapi["paths"].items() for method in item}

    assert {
        ("/datasets", "get"),
        ("/datasets", "post"),
        ("/datasets/{ref}", "get"),
        ("/datasets/{ref}", "patch"),
        ("/datasets/{ref}", "delete"),
        ("/datasets/{ref}/history", "get"),
        (UPLOAD_PATH, "get"),
        (UPLOAD_PATH, "post"),
        ("/distributions/{distribution_id}", "get"),
        ("/distributions/{distribution_id}", "patch"),
        ("/distributions/{distribution_id}", "delete"),
        ("/organizations", "get"),
        ("/organizations", "post"),
        ("/organizations/{slug}", "get"),
        ("/organizations/{slug}", "patch"),
        ("/organizations/{slug}", "delete"),
        ("/me", "get"),
        ("/tokens", "get"),
        ("/tokens", "post"),
        ("/tokens/{token_id}", "delete"),
    } <= operations


def test_the_upload_is_described_as_a_multipart_body_with_a_file_field(openapi: dict[str, Any]) -> None:
    content = openapi["paths"][UPLOAD_PATH]["post"]["requestBody"]["content"]
    multipart = content["multipart/form-data"]["schema"]

    assert set(content) == {"application/json", "multipart/form-data"}
    assert multipart["required"] == ["file"]
    assert multipart["properties"]["file"] == {"type": "string", "format": "binary"}
    assert {"title", "title_en", "description", "description_en", "format", "license"} <= set(
        multipart["properties"]
    )


def test_errors_are_described_as_problem_details(openapi: dict[str, Any]) -> None:
    responses = openapi["paths"]["/datasets"]["post"]["responses"]
    problem_ref = {"$ref": "#/components/schemas/Problem"}

    for status in ("401", "403", "409", "422"):
        assert responses[status]["content"]["application/json"]["schema"] == problem_ref
    assert set(openapi["components"]["schemas"]["Problem"]["properties"]) == {
        "type",
        "title",
        "status",
        "detail",
        "errors",
    }


def test_every_reference_in_the_description_points_at_a_schema_it_defines(openapi: dict[str, Any]) -> None:
    def references(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from references(value)
        elif isinstance(node, list):
            for value in node:
                yield from references(value)

    schemas = openapi["components"]["schemas"]
    found = set(references(openapi))

    assert found
    assert {ref for ref in found if ref.removeprefix("#/components/schemas/") not in schemas} == set()


def test_the_interactive_docs_are_an_html_page_that_loads_the_description(client: TestClient) -> None:
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/api/v1/openapi.json" in response.text


def test_an_unknown_api_path_is_a_problem(client: TestClient) -> None:
    response = client.get("/api/v1/datasets/badplatser/kommentarer")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == problem(404, "Not Found")


def test_an_unsupported_method_is_a_problem(client: TestClient) -> None:
    response = client.put("/api/v1/datasets")

    assert (response.status_code, response.json()) == (405, problem(405, "Method Not Allowed"))


@pytest.mark.parametrize("path", ["/", "/api/v1/datasets", "/healthz"])
def test_every_answer_carries_the_security_headers(app_client: TestClient, path: str) -> None:
    headers = app_client.get(path).headers
    assert (headers["x-content-type-options"], headers["x-frame-options"]) == ("nosniff", "DENY")


@pytest.mark.parametrize("path", ["/", "/en/datasets", "/api/v1/datasets", "/healthz"])
def test_head_answers_like_get_without_a_body(app_client: TestClient, path: str) -> None:
    head, get = app_client.head(path), app_client.get(path)
    assert (head.status_code, head.headers["content-type"], head.content) == (
        200,
        get.headers["content-type"],
        b"",
    )


def test_head_of_an_unknown_page_is_404(app_client: TestClient) -> None:
    assert app_client.head("/datamangder/finns-inte").status_code == 404


def test_a_json_body_over_a_mebibyte_is_refused_before_it_is_read(app_client: TestClient) -> None:
    response = app_client.post(
        "/api/v1/datasets", content=b"[" * (2 * 1024 * 1024), headers={"content-type": "application/json"}
    )
    assert (response.status_code, response.headers["content-type"]) == (413, "application/problem+json")
