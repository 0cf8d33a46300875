"""Tables over the API: an upload starts a job, the job builds a version, versions and settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Organization
from datatorget.config import Settings
from tests.api.snapshots import StoredState
from tests.factories import make_dataset
from tests.jobs import run_jobs

CSV = "Namn;Temperatur;Öppnad\nNorrstrand;18,5;2024-06-01\nSjöbaden;19,25;2024-06-15\n".encode()
Headers = dict[str, str]


def upload(client: TestClient, headers: Headers, dataset: str = "badplatser", content: bytes = CSV,
           name: str = "badplatser.csv") -> dict[str, Any]:  # fmt: skip
    response = client.post(f"/api/v1/datasets/{dataset}/distributions", headers=headers,
                           files={"file": (name, content, "text/csv")})  # fmt: skip
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def new_version(client: TestClient, headers: Headers, table: str, content: bytes) -> dict[str, Any]:
    response = client.post(f"/api/v1/tables/{table}/versions", headers=headers,
                           files={"file": ("ny.csv", content, "text/csv")})  # fmt: skip
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def test_an_uploaded_table_is_read_in_by_a_job(
    app_client: TestClient, editor_headers: Headers, badplatser: Dataset
) -> None:
    created = upload(app_client, editor_headers)
    queued = app_client.get(f"/api/v1/jobs/{created['job']}").json()
    assert (queued["status"], queued["progress"]["percent"]) == ("queued", 0)
    assert run_jobs(app_client) == 1
    done = app_client.get(f"/api/v1/jobs/{created['job']}").json()
    assert (done["status"], done["progress"]["percent"], done["error"]) == ("succeeded", 100, None)
    assert done["table"] == f"http://portal.test/api/v1/tables/{created['id']}"


def test_a_table_has_a_schema_a_sql_name_statistics_and_its_versions(
    app_client: TestClient, editor_headers: Headers, badplatser: Dataset
) -> None:
    created = upload(app_client, editor_headers)
    run_jobs(app_client)
    table = app_client.get(f"/api/v1/tables/{created['id']}").json()
    assert table["sql_name"] == "badplatser"
    assert table["row_count"] == 2
    assert table["schema"]["fields"] == [
        {"name": "Namn", "type": "string"},
        {"name": "Temperatur", "type": "number", "decimalChar": ","},
        {"name": "Öppnad", "type": "date"},
    ]
    temperature = table["stats"][1]
    assert (temperature["min"], temperature["max"], temperature["nulls"]) == (18.5, 19.25, 0)
    assert [v["number"] for v in table["versions"]] == [1]
    assert table["versions"][0]["source"]["encoding"] == "utf-8"


def test_two_tables_of_one_dataset_get_different_sql_names(
    app_client: TestClient, editor_headers: Headers, badplatser: Dataset
) -> None:
    first = upload(app_client, editor_headers, name="badplatser.csv")
    second = upload(app_client, editor_headers, name="vattenprov.csv")
    run_jobs(app_client)
    names = {app_client.get(f"/api/v1/tables/{d['id']}").json()["sql_name"] for d in (first, second)}
    assert names == {"badplatser", "badplatser_vattenprov"}


def test_a_file_that_cannot_be_a_table_fails_its_job_in_plain_language(
    app_client: TestClient, editor_headers: Headers, badplatser: Dataset
) -> None:
    created = upload(app_client, editor_headers, content=bytes(range(256)) * 10, name="data.csv")
    run_jobs(app_client)
    headers = editor_headers | {"Accept-Language": "sv-SE,sv;q=0.9"}
    job = app_client.get(f"/api/v1/jobs/{created['job']}", headers=headers).json()
    assert job["status"] == "failed"
    assert job["error_code"] == "binary_file"
    assert job["error"].startswith("Filen innehåller binära data")
    assert job["messages"]["en"].startswith("The file holds binary data")


def test_a_table_without_a_version_answers_404_with_the_reason(
    app_client: TestClient, editor_headers: Headers, badplatser: Dataset
) -> None:
    created = upload(app_client, editor_headers, content=b"namn;antal\n", name="tom.csv")
    run_jobs(app_client)
    response = app_client.get(f"/api/v1/tables/{created['id']}")
    assert response.status_code == 404
    assert "no version yet" in response.json()["detail"]


def test_a_new_file_becomes_the_next_version_and_says_what_changed(
    app_client: TestClient, editor_headers: Headers, badplatser: Dataset
) -> None:
    table = upload(app_client, editor_headers)["id"]
    run_jobs(app_client)
    new_version(app_client, editor_headers, table, CSV + b"Klippan;17,0;2024-07-01\n")
    run_jobs(app_client)
    body = app_client.get(f"/api/v1/tables/{table}").json()
    assert (body["version"], body["row_count"]) == (2, 3)
    assert body["versions"][0]["summary"]["added"] == 1
    assert body["versions"][0]["summary"]["removed"] == 0


def test_an_earlier_version_stays_readable(
    app_client: TestClient, editor_headers: Headers, badplatser: Dataset
) -> None:
    table = upload(app_client, editor_headers)["id"]
    run_jobs(app_client)
    new_version(app_client, editor_headers, table, b"Namn;Antal\nA;1\n")
    run_jobs(app_client)
    first = app_client.get(f"/api/v1/tables/{table}?version=1").json()
    assert (first["version"], first["current_version"], first["row_count"]) == (1, 2, 2)
    assert app_client.get(f"/api/v1/tables/{table}?version=7").status_code == 404


def test_a_new_version_replaces_the_distributions_file_only_when_it_succeeds(
    app_client: TestClient, editor_headers: Headers, badplatser: Dataset
) -> None:
    created = upload(app_client, editor_headers)
    run_jobs(app_client)
    job = new_version(app_client, editor_headers, created["id"], b"\x00\x01binary")
    run_jobs(app_client)
    assert app_client.get(f"/api/v1/jobs/{job['id']}").json()["status"] == "failed"
    assert app_client.get(created["download_url"]).content == CSV
    assert app_client.get(f"/api/v1/tables/{created['id']}").json()["version"] == 1


def test_a_refused_file_leaves_the_published_version_as_it_was(
    app_client: TestClient, editor_headers: Headers, badplatser: Dataset
) -> None:
    table = upload(app_client, editor_headers)["id"]
    run_jobs(app_client)
    changed = app_client.patch(f"/api/v1/tables/{table}", headers=editor_headers, json={"on_error": "refuse"})
    assert changed.status_code == 200
    bad_rows = (
        CSV
        + b"".join(f"Plats {i};1{i},5;2024-06-01\n".encode() for i in range(50))
        + "Fel;varm;igår\n".encode()
    )
    job = new_version(app_client, editor_headers, table, bad_rows)
    run_jobs(app_client)
    failed = app_client.get(f"/api/v1/jobs/{job['id']}", headers=editor_headers).json()
    assert (failed["status"], failed["error_code"]) == ("failed", "invalid_values")
    assert failed["report"]["counts"] == {"type_error": 2}
    body = app_client.get(f"/api/v1/tables/{table}").json()
    assert (body["version"], body["row_count"]) == (1, 2)


def test_a_column_override_applies_from_the_next_ingestion(
    app_client: TestClient, editor_headers: Headers, badplatser: Dataset
) -> None:
    table = upload(app_client, editor_headers)["id"]
    run_jobs(app_client)
    overrides = {
        "Temperatur": {"type": "string", "title": {"sv": "Vattentemperatur", "en": "Water temperature"}}
    }
    response = app_client.patch(
        f"/api/v1/tables/{table}", headers=editor_headers, json={"overrides": overrides}
    )
    assert response.json()["overrides"]["Temperatur"]["type"] == "string"
    job = app_client.post(f"/api/v1/tables/{table}/ingest", headers=editor_headers)
    assert job.status_code == 202
    run_jobs(app_client)
    field = app_client.get(f"/api/v1/tables/{table}").json()["schema"]["fields"][1]
    assert (field["type"], field["title"]) == ("string", "Vattentemperatur")


def test_overrides_survive_a_new_version(
    app_client: TestClient, editor_headers: Headers, badplatser: Dataset
) -> None:
    table = upload(app_client, editor_headers)["id"]
    run_jobs(app_client)
    app_client.patch(f"/api/v1/tables/{table}", headers=editor_headers,
                     json={"overrides": {"Namn": {"description": {"sv": "Badplatsens namn"}}}})  # fmt: skip
    new_version(app_client, editor_headers, table, CSV)
    run_jobs(app_client)
    assert (
        app_client.get(f"/api/v1/tables/{table}").json()["schema"]["fields"][0]["description"]
        == "Badplatsens namn"
    )


def test_an_unknown_type_in_an_override_is_refused(
    app_client: TestClient, editor_headers: Headers, badplatser: Dataset,
    stored: Callable[[], StoredState],
) -> None:  # fmt: skip
    table = upload(app_client, editor_headers)["id"]
    run_jobs(app_client)
    before = stored()
    response = app_client.patch(f"/api/v1/tables/{table}", headers=editor_headers,
                                json={"overrides": {"Namn": {"type": "money"}}})  # fmt: skip
    assert response.status_code == 422
    assert "overrides.Namn.type" in response.json()["errors"]
    assert stored() == before


def test_only_the_organisations_editors_change_a_tables_settings(
    app_client: TestClient, editor_headers: Headers, outsider_headers: Headers, badplatser: Dataset
) -> None:
    table = upload(app_client, editor_headers)["id"]
    run_jobs(app_client)
    response = app_client.patch(
        f"/api/v1/tables/{table}", headers=outsider_headers, json={"on_error": "refuse"}
    )
    assert response.status_code == 403
    assert app_client.post(f"/api/v1/tables/{table}/ingest").status_code == 401


def test_an_outsider_cannot_upload_a_new_version(
    app_client: TestClient, editor_headers: Headers, outsider_headers: Headers, badplatser: Dataset,
    stored: Callable[[], StoredState],
) -> None:  # fmt: skip
    table = upload(app_client, editor_headers)["id"]
    run_jobs(app_client)
    before = stored()
    response = app_client.post(f"/api/v1/tables/{table}/versions", headers=outsider_headers,
                               files={"file": ("x.csv", CSV, "text/csv")})  # fmt: skip
    assert response.status_code == 403
    assert stored() == before


def test_the_table_and_job_of_a_draft_are_hidden_from_the_public(
    app_client: TestClient, editor_headers: Headers, session: Session, sjovik: Organization
) -> None:
    make_dataset(session, "Utkast", organization=sjovik.slug, state="draft")
    created = upload(app_client, editor_headers, dataset="utkast")
    run_jobs(app_client)
    assert app_client.get(f"/api/v1/tables/{created['id']}").status_code == 404
    assert app_client.get(f"/api/v1/jobs/{created['job']}").status_code == 404
    assert app_client.get(f"/api/v1/tables/{created['id']}", headers=editor_headers).status_code == 200


def test_deleting_a_distribution_removes_its_table_files(
    app_client: TestClient, editor_headers: Headers, badplatser: Dataset, settings: Settings
) -> None:
    created = upload(app_client, editor_headers)
    run_jobs(app_client)
    folder: Path = settings.tables_dir / created["id"]
    assert any(folder.iterdir())
    assert (
        app_client.delete(f"/api/v1/distributions/{created['id']}", headers=editor_headers).status_code == 204
    )
    assert not folder.exists()
    assert app_client.get(f"/api/v1/tables/{created['id']}").status_code == 404


def test_a_link_to_a_table_file_can_be_fetched_and_read_in(
    app_client: TestClient, editor_headers: Headers, badplatser: Dataset
) -> None:
    response = app_client.post("/api/v1/datasets/badplatser/distributions", headers=editor_headers, json={
        "title": {"sv": "Badplatser"}, "access_url": "https://data.example/badplatser.csv", "ingest": True})  # fmt: skip
    assert response.status_code == 201
    assert response.json()["job"] is not None


def test_only_a_link_to_a_table_file_can_be_read_in(
    app_client: TestClient, editor_headers: Headers, badplatser: Dataset, stored: Callable[[], StoredState]
) -> None:
    before = stored()
    response = app_client.post("/api/v1/datasets/badplatser/distributions", headers=editor_headers, json={
        "title": {"sv": "Karta"}, "access_url": "https://karta.example/", "ingest": True})  # fmt: skip
    assert response.status_code == 422
    assert "ingest" in response.json()["errors"]
    assert stored() == before


def test_a_new_version_without_a_file_is_refused(
    app_client: TestClient, editor_headers: Headers, badplatser: Dataset
) -> None:
    table = upload(app_client, editor_headers)["id"]
    response = app_client.post(f"/api/v1/tables/{table}/versions", headers=editor_headers, json={})
    assert response.status_code == 422
    assert "file" in response.json()["errors"]


def test_the_report_of_a_refused_file_is_shown_to_its_publishers_only(
    app_client: TestClient, editor_headers: Headers, badplatser: Dataset
) -> None:
    table = upload(app_client, editor_headers)["id"]
    run_jobs(app_client)
    app_client.patch(f"/api/v1/tables/{table}", headers=editor_headers, json={"on_error": "refuse"})
    secret = CSV + b"".join(f"Plats {i};1{i},5;2024-06-01\n".encode() for i in range(50)) + b"Anna;hemlig;x\n"
    job = new_version(app_client, editor_headers, table, secret)["id"]
    run_jobs(app_client)
    public = app_client.get(f"/api/v1/jobs/{job}").json()
    assert (public["status"], public["error_code"], public["report"]) == ("failed", "invalid_values", None)
    assert "hemlig" not in app_client.get(f"/api/v1/jobs/{job}").text
    assert app_client.get(f"/api/v1/tables/{table}").json()["latest_job"] is None
    assert "hemlig" in app_client.get(f"/api/v1/jobs/{job}", headers=editor_headers).text


def test_an_anonymous_new_version_is_refused_before_the_file_is_read(
    app_client: TestClient, editor_headers: Headers, badplatser: Dataset
) -> None:
    table = upload(app_client, editor_headers)["id"]
    response = app_client.post(f"/api/v1/tables/{table}/versions", files={"file": ("x.csv", CSV, "text/csv")})
    assert response.status_code == 401
