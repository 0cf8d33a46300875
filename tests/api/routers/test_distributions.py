"""Distributions: links (JSON) and uploads (multipart), reading, changing, deleting, downloading files."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from unittest.mock import ANY

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset
from datatorget.config import Settings
from tests.api.problems import INVALID_FIELDS, NOT_LOGGED_IN, NOT_YOUR_ORGANIZATION, problem
from tests.api.snapshots import StoredState, files_in
from tests.factories import CSV, make_link, make_upload

# Refused by the request schema before any query runs, so one backend shows it; the rest run on both.
SCHEMA_ONLY = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


LIMIT = 1024
UPLOAD = "/api/v1/datasets/badplatser/distributions"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A small upload limit, so that a file over it is cheap to send."""
    return settings.model_copy(update={"max_upload_bytes": LIMIT})


def _modified(client: TestClient) -> datetime:
    return datetime.fromisoformat(client.get("/api/v1/datasets/badplatser").json()["modified"])


# --- links ----------------------------------------------------------------------------------------------


def test_a_link_gets_the_media_type_of_its_format(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    response = app_client.post(
        UPLOAD,
        json={
            "title": {"sv": "Badplatser i kartan"},
            "access_url": "https://karta.sjovik.se/badplatser",
            "download_url": "https://karta.sjovik.se/badplatser.geojson",
            "format": "GEOJSON",
            "license": "CC0",
        },
        headers=editor_headers,
    )

    assert response.status_code == 201
    assert response.json() == {
        "id": ANY,
        "title": {"sv": "Badplatser i kartan"},
        "description": {},
        "access_url": "https://karta.sjovik.se/badplatser",
        "download_url": "https://karta.sjovik.se/badplatser.geojson",
        "file_name": None,
        "format": "GEOJSON",
        "media_type": "application/geo+json",
        "byte_size": None,
        "checksum": None,
        "license": "CC0",
        "issued": ANY,
        "modified": ANY,
        "table": None,
        "job": None,
    }


def test_a_link_with_a_format_iri_is_stored_with_the_code(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    response = app_client.post(
        UPLOAD,
        json={
            "access_url": "https://karta.sjovik.se/badplatser.csv",
            "format": "http://publications.europa.eu/resource/authority/file-type/CSV",
        },
        headers=editor_headers,
    )

    assert (response.json()["format"], response.json()["media_type"]) == ("CSV", "text/csv")


@SCHEMA_ONLY
@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"access_url": ["required"]}),
        ({"access_url": "ftp://karta.sjovik.se/bad.csv"}, {"access_url": ["not a valid http(s) address"]}),
        (
            {"access_url": "https://karta.sjovik.se/bad.exe", "format": "EXE"},
            {"format": [ANY]},
        ),
        ({"access_url": "https://karta.sjovik.se/bad.csv", "size": 12}, {"size": ["unknown field"]}),
        (
            {"access_url": "https://karta.sjovik.se/bad.csv", "title": {"sv": "<script>x</script>"}},
            {"title.sv": ["scripts and HTML such as <script> are not allowed: write plain Markdown"]},
        ),
    ],
    ids=[
        "no-address",
        "address-not-http",
        "format-outside-the-vocabulary",
        "unknown-field",
        "script-in-title",
    ],
)
def test_an_invalid_link_is_refused_field_by_field_and_nothing_is_stored(
    app_client: TestClient,
    editor_headers: dict[str, str],
    badplatser: Dataset,
    stored: Callable[[], StoredState],
    body: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    before = stored()

    response = app_client.post(UPLOAD, json=body, headers=editor_headers)

    assert response.status_code == 422
    assert response.json() == problem(422, ANY, errors)
    assert stored() == before


def test_a_link_in_malformed_json_is_a_bad_request(
    app_client: TestClient,
    editor_headers: dict[str, str],
    badplatser: Dataset,
    stored: Callable[[], StoredState],
) -> None:
    before = stored()

    response = app_client.post(
        UPLOAD, content=b'{"access_url": ', headers=editor_headers | {"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["title"] == "Bad Request"
    assert stored() == before


# --- uploads --------------------------------------------------------------------------------------------


def test_an_upload_with_a_title_gives_the_id_of_the_new_distribution(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    """Issue #3 relies on this: a multipart `file` field and an optional `title` give back the `id`."""
    response = app_client.post(
        UPLOAD,
        files={"file": ("badplatser.csv", CSV, "text/csv")},
        data={"title": "Badplatser 2025"},
        headers=editor_headers,
    )

    assert response.status_code == 201
    distribution = response.json()["id"]
    read = app_client.get(f"/api/v1/distributions/{distribution}")
    assert read.json()["title"] == {"sv": "Badplatser 2025"}


def test_an_uploaded_file_is_described_with_its_size_checksum_format_and_address(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    response = app_client.post(
        UPLOAD,
        files={"file": ("badplatser.csv", CSV, "application/octet-stream")},
        data={"title": "Badplatser", "title_en": "Bathing sites", "description": "Uppdateras **årligen**."},
        headers=editor_headers,
    )

    body = response.json()
    download = f"http://portal.test/files/{body['id']}/badplatser.csv"
    assert body == {
        "id": ANY,
        "title": {"sv": "Badplatser", "en": "Bathing sites"},
        "description": {"sv": "Uppdateras **årligen**."},
        "access_url": download,
        "download_url": download,
        "file_name": "badplatser.csv",
        "format": "CSV",
        "media_type": "text/csv",
        "byte_size": len(CSV),
        "checksum": {"algorithm": "sha256", "value": hashlib.sha256(CSV).hexdigest()},
        "license": None,
        "issued": ANY,
        "modified": ANY,
        "table": f"http://portal.test/api/v1/tables/{body['id']}",
        "job": ANY,
    }


def test_an_uploaded_file_is_downloaded_with_the_same_bytes_and_its_media_type(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    geojson = b'{"type": "FeatureCollection", "features": []}'
    created = app_client.post(
        UPLOAD, files={"file": ("Badplatser karta.GeoJSON", geojson)}, headers=editor_headers
    ).json()

    response = app_client.get(created["download_url"])

    assert (created["file_name"], created["format"]) == ("Badplatser-karta.GeoJSON", "GEOJSON")
    assert response.status_code == 200
    assert response.content == geojson
    assert response.headers["content-type"] == "application/geo+json"
    assert response.headers["etag"] == f'"{hashlib.sha256(geojson).hexdigest()}"'


def test_an_uploaded_file_is_kept_in_the_data_dir(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset, settings: Settings
) -> None:
    app_client.post(UPLOAD, files={"file": ("badplatser.csv", CSV)}, headers=editor_headers)

    [path] = files_in(settings.files_dir)
    assert (path.name, path.read_bytes()) == ("badplatser.csv", CSV)


def test_an_uploaded_file_name_cannot_leave_the_data_dir(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset, settings: Settings
) -> None:
    response = app_client.post(
        UPLOAD, files={"file": ("../../../hemlig bad.csv", CSV)}, headers=editor_headers
    )

    assert response.json()["file_name"] == "hemlig-bad.csv"
    [path] = files_in(settings.files_dir)
    assert path.name == "hemlig-bad.csv"
    assert path.resolve().is_relative_to(settings.files_dir.resolve())


def test_a_download_under_another_file_name_redirects_to_the_right_one(
    app_client: TestClient, session: Session, settings: Settings, badplatser: Dataset
) -> None:
    upload = make_upload(session, "badplatser", settings.files_dir)

    response = app_client.get(f"/files/{upload.id}/gamla-badplatser.csv", follow_redirects=False)

    assert response.status_code == 308
    assert response.headers["location"] == f"/files/{upload.id}/badplatser.csv"


def test_a_link_has_no_file_to_download(
    app_client: TestClient, session: Session, badplatser: Dataset
) -> None:
    link = make_link(session, "badplatser")

    response = app_client.get(f"/files/{link.id}/badplatser.json", follow_redirects=False)

    assert response.json() == problem(404, "this distribution is a link, not an uploaded file")


def test_a_file_of_exactly_the_size_limit_is_accepted(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    response = app_client.post(
        UPLOAD, files={"file": ("full.csv", b"x" * LIMIT)}, data={"title": "Full"}, headers=editor_headers
    )

    assert response.status_code == 201
    assert response.json()["byte_size"] == LIMIT


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_left(
    app_client: TestClient,
    editor_headers: dict[str, str],
    badplatser: Dataset,
    settings: Settings,
    stored: Callable[[], StoredState],
) -> None:
    before = stored()

    response = app_client.post(
        UPLOAD, files={"file": ("stor.csv", b"x" * (LIMIT + 1))}, headers=editor_headers
    )

    assert response.status_code == 413
    assert response.json() == problem(413, f"the file is larger than the limit of {LIMIT} bytes")
    assert files_in(settings.files_dir) == []
    assert stored() == before


def test_an_upload_far_over_the_size_limit_is_refused_before_it_is_read(
    app_client: TestClient,
    editor_headers: dict[str, str],
    badplatser: Dataset,
    settings: Settings,
    stored: Callable[[], StoredState],
) -> None:
    """Past the limit plus room for the multipart framing, the body is not read at all."""
    before = stored()

    response = app_client.post(
        UPLOAD, files={"file": ("enorm.csv", b"x" * (2 * 1024 * 1024))}, headers=editor_headers
    )

    assert response.status_code == 413
    assert files_in(settings.files_dir) == []
    assert stored() == before


def test_an_upload_far_over_the_size_limit_gets_a_problem_body(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    response = app_client.post(
        UPLOAD, files={"file": ("enorm.csv", b"x" * (2 * 1024 * 1024))}, headers=editor_headers
    )

    assert response.headers["content-type"] == "application/problem+json"


def test_an_empty_file_is_refused_and_nothing_is_left(
    app_client: TestClient,
    editor_headers: dict[str, str],
    badplatser: Dataset,
    settings: Settings,
    stored: Callable[[], StoredState],
) -> None:
    before = stored()

    response = app_client.post(UPLOAD, files={"file": ("tom.csv", b"")}, headers=editor_headers)

    assert response.json() == problem(422, "file: the file is empty", {"file": ["the file is empty"]})
    assert files_in(settings.files_dir) == []
    assert stored() == before


def test_a_multipart_body_without_a_file_field_is_refused(
    app_client: TestClient,
    editor_headers: dict[str, str],
    badplatser: Dataset,
    stored: Callable[[], StoredState],
) -> None:
    before = stored()

    response = app_client.post(
        UPLOAD,
        files={"attachment": ("badplatser.csv", CSV), "title": (None, "Badplatser")},
        headers=editor_headers,
    )

    assert response.json() == problem(
        422,
        "file: send the file in a multipart field named 'file'",
        {"file": ["send the file in a multipart field named 'file'"]},
    )
    assert stored() == before


def test_a_body_that_is_neither_json_nor_multipart_is_refused(
    app_client: TestClient,
    editor_headers: dict[str, str],
    badplatser: Dataset,
    stored: Callable[[], StoredState],
) -> None:
    before = stored()

    response = app_client.post(UPLOAD, content=CSV, headers=editor_headers | {"Content-Type": "text/csv"})

    message = "send JSON (a link) or multipart/form-data with a 'file' field (an upload)"
    assert response.json() == problem(422, f"body: {message}", {"body": [message]})
    assert stored() == before


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"format": "EXE"}, {"format": [ANY]}),
        ({"license": "MIT-ish"}, {"license": [ANY]}),
        (
            {"title": "<script>alert(1)</script>"},
            {"title.sv": ["scripts and HTML such as <script> are not allowed: write plain Markdown"]},
        ),
    ],
    ids=["format-outside-the-vocabulary", "licence-outside-the-vocabulary", "script-in-title"],
)
def test_an_upload_with_invalid_fields_is_refused_and_nothing_is_left(
    app_client: TestClient,
    editor_headers: dict[str, str],
    badplatser: Dataset,
    stored: Callable[[], StoredState],
    fields: dict[str, str],
    errors: dict[str, list[str]],
) -> None:
    before = stored()

    response = app_client.post(
        UPLOAD, files={"file": ("badplatser.csv", CSV)}, data=fields, headers=editor_headers
    )

    assert response.status_code == 422
    assert response.json()["errors"] == errors
    assert stored() == before


def test_an_editor_of_another_organisation_cannot_upload(
    app_client: TestClient,
    outsider_headers: dict[str, str],
    badplatser: Dataset,
    stored: Callable[[], StoredState],
) -> None:
    before = stored()

    response = app_client.post(UPLOAD, files={"file": ("badplatser.csv", CSV)}, headers=outsider_headers)

    assert (response.status_code, response.json()) == (403, NOT_YOUR_ORGANIZATION)
    assert stored() == before


def test_an_anonymous_caller_cannot_upload(
    app_client: TestClient, badplatser: Dataset, stored: Callable[[], StoredState]
) -> None:
    before = stored()

    response = app_client.post(UPLOAD, files={"file": ("badplatser.csv", CSV)})

    assert (response.status_code, response.json()) == (401, NOT_LOGGED_IN)
    assert stored() == before


# --- read, change, delete -------------------------------------------------------------------------------


def test_the_distributions_of_a_dataset_are_listed_in_the_order_they_were_added(
    app_client: TestClient, session: Session, settings: Settings, badplatser: Dataset
) -> None:
    upload = make_upload(session, "badplatser", settings.files_dir)
    link = make_link(session, "badplatser")

    response = app_client.get(UPLOAD)

    assert [d["id"] for d in response.json()] == [str(upload.id), str(link.id)]
    assert [d["id"] for d in app_client.get("/api/v1/datasets/badplatser").json()["distributions"]] == [
        str(upload.id),
        str(link.id),
    ]


def test_patch_changes_only_the_fields_given(
    app_client: TestClient, editor_headers: dict[str, str], session: Session, badplatser: Dataset
) -> None:
    link = make_link(session, "badplatser")
    before = app_client.get(f"/api/v1/distributions/{link.id}").json()

    response = app_client.patch(
        f"/api/v1/distributions/{link.id}",
        json={"title": {"sv": "Karttjänst"}, "license": "CC0"},
        headers=editor_headers,
    )

    after = response.json()
    assert after == before | {"title": {"sv": "Karttjänst"}, "license": "CC0", "modified": after["modified"]}


def test_a_new_format_brings_its_media_type(
    app_client: TestClient, editor_headers: dict[str, str], session: Session, badplatser: Dataset
) -> None:
    link = make_link(session, "badplatser", access_url="https://karta.sjovik.se/bad.csv", format="CSV")

    response = app_client.patch(
        f"/api/v1/distributions/{link.id}", json={"format": "GEOJSON"}, headers=editor_headers
    )

    assert (response.json()["format"], response.json()["media_type"]) == ("GEOJSON", "application/geo+json")


def test_a_corrected_format_of_an_upload_changes_how_the_file_is_served(
    app_client: TestClient,
    editor_headers: dict[str, str],
    session: Session,
    settings: Settings,
    badplatser: Dataset,
) -> None:
    upload = make_upload(session, "badplatser", settings.files_dir, file_name="badplatser.txt")
    assert (upload.format, upload.media_type) == ("TXT", "text/plain")

    patched = app_client.patch(
        f"/api/v1/distributions/{upload.id}", json={"format": "CSV"}, headers=editor_headers
    ).json()
    download = app_client.get(patched["download_url"])

    assert (patched["format"], patched["media_type"]) == ("CSV", "text/csv")
    assert download.headers["content-type"] == "text/csv; charset=utf-8"


def test_the_address_of_an_uploaded_file_cannot_be_changed(
    app_client: TestClient,
    editor_headers: dict[str, str],
    session: Session,
    settings: Settings,
    badplatser: Dataset,
    stored: Callable[[], StoredState],
) -> None:
    upload = make_upload(session, "badplatser", settings.files_dir)
    before = stored()

    response = app_client.patch(
        f"/api/v1/distributions/{upload.id}",
        json={"access_url": "https://example.org/annan.csv"},
        headers=editor_headers,
    )

    message = "an uploaded file has its own address; upload a new file instead"
    assert response.json() == problem(422, f"access_url: {message}", {"access_url": [message]})
    assert stored() == before


def test_an_invalid_change_to_a_distribution_is_refused(
    app_client: TestClient,
    editor_headers: dict[str, str],
    session: Session,
    badplatser: Dataset,
    stored: Callable[[], StoredState],
) -> None:
    link = make_link(session, "badplatser")
    before = stored()

    response = app_client.patch(
        f"/api/v1/distributions/{link.id}", json={"title": None, "colour": "blå"}, headers=editor_headers
    )

    assert response.json() == problem(422, INVALID_FIELDS, {"colour": ["unknown field"]})
    assert stored() == before


def test_delete_removes_the_distribution_and_its_file(
    app_client: TestClient,
    editor_headers: dict[str, str],
    session: Session,
    settings: Settings,
    badplatser: Dataset,
) -> None:
    upload = make_upload(session, "badplatser", settings.files_dir)

    response = app_client.delete(f"/api/v1/distributions/{upload.id}", headers=editor_headers)

    assert response.status_code == 204
    assert files_in(settings.files_dir) == []
    assert app_client.get(f"/api/v1/distributions/{upload.id}").status_code == 404
    assert app_client.get(f"/files/{upload.id}/badplatser.csv").status_code == 404
    assert app_client.get(UPLOAD).json() == []


def test_an_editor_of_another_organisation_cannot_change_or_delete_a_distribution(
    app_client: TestClient,
    outsider_headers: dict[str, str],
    session: Session,
    settings: Settings,
    badplatser: Dataset,
    stored: Callable[[], StoredState],
) -> None:
    upload = make_upload(session, "badplatser", settings.files_dir)
    before = stored()

    patched = app_client.patch(
        f"/api/v1/distributions/{upload.id}", json={"title": {"sv": "Ny"}}, headers=outsider_headers
    )
    deleted = app_client.delete(f"/api/v1/distributions/{upload.id}", headers=outsider_headers)

    assert [patched.json(), deleted.json()] == [NOT_YOUR_ORGANIZATION, NOT_YOUR_ORGANIZATION]
    assert stored() == before


def test_the_dataset_is_modified_by_each_change_to_its_distributions(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    times = [_modified(app_client)]
    created = app_client.post(UPLOAD, files={"file": ("badplatser.csv", CSV)}, headers=editor_headers).json()
    times.append(_modified(app_client))
    app_client.patch(
        f"/api/v1/distributions/{created['id']}", json={"title": {"sv": "Ny titel"}}, headers=editor_headers
    )
    times.append(_modified(app_client))
    app_client.delete(f"/api/v1/distributions/{created['id']}", headers=editor_headers)
    times.append(_modified(app_client))

    assert times == sorted(times)
    assert len(set(times)) == 4


def test_changes_to_distributions_are_in_the_history_of_the_dataset(
    app_client: TestClient, admin_headers: dict[str, str], badplatser: Dataset
) -> None:
    created = app_client.post(UPLOAD, files={"file": ("badplatser.csv", CSV)}, headers=admin_headers).json()
    app_client.delete(f"/api/v1/distributions/{created['id']}", headers=admin_headers)

    history = app_client.get("/api/v1/datasets/badplatser/history", headers=admin_headers).json()

    assert [(c["entity_type"], c["action"], c["actor"]) for c in history["items"]] == [
        ("distribution", "delete", "admin@sjovik.se"),
        ("distribution", "create", "admin@sjovik.se"),
        ("dataset", "create", "system@datatorget.invalid"),
    ]
    assert history["items"][1]["fields"]["byte_size"] == [None, len(CSV)]


def test_an_upload_sent_without_a_length_is_cut_off_at_the_limit(
    app_client: TestClient,
    editor_headers: dict[str, str],
    badplatser: Dataset,
    stored: Callable[[], StoredState],
) -> None:
    before = stored()

    def chunks() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="enorm.csv"\r\n\r\n'
        for _ in range(300):
            yield b"x" * 10_000

    response = app_client.post(
        UPLOAD, content=chunks(), headers=editor_headers | {"content-type": "multipart/form-data; boundary=b"}
    )

    assert (response.status_code, response.headers["content-type"]) == (413, "application/problem+json")
    assert stored() == before


def test_an_upload_with_a_strange_content_type_is_stored_as_octet_stream(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    response = app_client.post(
        UPLOAD, files={"file": ("data.unknownext", b"x", "x" * 300)}, headers=editor_headers
    )
    assert (response.status_code, response.json()["media_type"]) == (201, "application/octet-stream")
