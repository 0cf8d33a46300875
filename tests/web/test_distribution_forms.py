"""Adding a distribution through the forms: an uploaded file, or a link to data elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datatorget.catalog.models import Distribution, User
from datatorget.config import Settings
from datatorget.jobs.models import Job
from tests.jobs import run_jobs
from tests.web.pages import Pages, field_error, h1_of, text_of

FORM = "/datamangder/badplatser/distributioner/ny"
CSV = b"namn;latitud;longitud\nSandviken;59.1204;17.9581\n"


def distribution_count(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Distribution)) or 0


def stored_files(settings: Settings) -> set[Path]:
    return {path for path in settings.files_dir.rglob("*") if path.is_file()}


def test_an_editor_uploads_a_file(app_client: TestClient, pages: Pages, editor: User) -> None:
    pages.log_in(editor)

    response = app_client.post(
        FORM,
        data={
            "csrf_token": pages.token_for(FORM),
            "kind": "upload",
            "title_sv": "Badplatser 2025",
            "license": "CC_BY_4_0",
        },
        files={"file": ("badplatser 2025.csv", CSV, "text/csv")},
        follow_redirects=False,
    )

    # a table is read in at once, and the publisher follows that on the table's page
    assert response.status_code == 303
    assert re.fullmatch(
        r"/datamangder/badplatser/tabeller/[0-9a-f-]{36}#ingestion", response.headers["location"]
    )
    page = app_client.get("/datamangder/badplatser").text
    assert "Badplatser 2025" in page
    assert '/badplatser-2025.csv" download>' in page
    assert f"{len(CSV)}\u00a0byte" in page


def test_a_file_that_is_no_table_leads_back_to_the_dataset(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    response = app_client.post(
        FORM,
        data={"csrf_token": pages.token_for(FORM), "kind": "upload", "title_sv": "Folder"},
        files={"file": ("folder.pdf", b"%PDF-1.4 folder", "application/pdf")},
        follow_redirects=False,
    )

    assert (response.status_code, response.headers["location"]) == (
        303,
        "/datamangder/badplatser#distributions",
    )
    assert run_jobs(app_client) == 0


def test_an_editor_adds_a_link(app_client: TestClient, pages: Pages, editor: User) -> None:
    pages.log_in(editor)

    response = pages.submit(
        "/en/datasets/badplatser/distributions/new",
        {"kind": "link", "access_url": "https://karta.sjovik.example/bad", "title_sv": "Karta", "title_en": "Map",
         "format": "HTML"},
    )  # fmt: skip

    assert response.status_code == 303
    page = app_client.get("/en/datasets/badplatser").text
    assert '<a class="button" href="https://karta.sjovik.example/bad">Open' in page
    assert "Map" in text_of(page)


def test_a_link_without_an_address_is_refused_next_to_the_field(
    app_client: TestClient, pages: Pages, editor: User, session: Session
) -> None:
    pages.log_in(editor)
    before = distribution_count(session)

    response = pages.submit(FORM, {"kind": "link", "access_url": "karta", "title_sv": "Karta"})

    assert response.status_code == 422
    assert "Skriv en fullständig adress" in field_error(response.text, "link-access_url")
    assert 'value="Karta"' in response.text
    assert '<a href="#link-access_url">' in response.text
    assert distribution_count(session) == before


def test_an_upload_without_a_file_is_refused_in_english(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    response = pages.submit(
        "/en/datasets/badplatser/distributions/new", {"kind": "upload", "title_sv": "Ingen fil"}
    )

    assert response.status_code == 422
    assert field_error(response.text, "upload-file") == "Error: Choose a file to upload."


def test_an_empty_file_is_refused_and_not_kept(
    app_client: TestClient, pages: Pages, editor: User, settings: Settings
) -> None:
    pages.log_in(editor)
    before = stored_files(settings)

    response = app_client.post(
        FORM,
        data={"csrf_token": pages.token_for(FORM), "kind": "upload"},
        files={"file": ("tom.csv", b"", "text/csv")},
    )

    assert response.status_code == 422
    assert "Filen är tom" in field_error(response.text, "upload-file")
    assert stored_files(settings) == before


def test_an_upload_over_the_limit_shows_a_413_page_and_stores_nothing(
    app_client: TestClient, pages: Pages, editor: User, settings: Settings, session: Session
) -> None:
    pages.log_in(editor)
    settings.max_upload_bytes = 10
    files_before, rows_before = stored_files(settings), distribution_count(session)

    sv = app_client.post(
        FORM,
        data={"csrf_token": pages.token_for(FORM), "kind": "upload"},
        files={"file": ("stor.csv", CSV, "text/csv")},
    )
    en_form = "/en/datasets/badplatser/distributions/new"
    en = app_client.post(
        en_form, data={"csrf_token": pages.token_for(en_form), "kind": "upload"},
        files={"file": ("large.csv", CSV, "text/csv")},
    )  # fmt: skip

    assert (sv.status_code, en.status_code) == (413, 413)
    assert h1_of(sv.text) == "Filen är för stor"
    assert h1_of(en.text) == "The file is too large"
    assert stored_files(settings) == files_before
    assert distribution_count(session) == rows_before


def test_an_editor_of_another_organisation_may_not_add_distributions(
    app_client: TestClient, pages: Pages, energy_editor: User
) -> None:
    pages.log_in(energy_editor)

    assert app_client.get(FORM).status_code == 403


def test_the_forms_have_labels_hints_and_a_file_field(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    html = app_client.get(FORM).text

    assert 'enctype="multipart/form-data"' in html
    assert '<label for="upload-file">Fil <span class="required">(obligatoriskt)</span></label>' in html
    assert '<label for="link-access_url">' in html


def test_a_link_to_a_table_file_can_be_read_in_and_leads_to_the_table_page(
    app_client: TestClient, pages: Pages, editor: User, session: Session
) -> None:
    pages.log_in(editor)

    response = pages.submit(FORM, {"kind": "link", "access_url": "https://data.sjovik.example/bad.csv",
                                   "title_sv": "Badplatser", "ingest": "ja"})  # fmt: skip

    assert response.status_code == 303
    assert "/tabeller/" in response.headers["location"]
    queued = session.scalars(select(Job)).one()
    assert (queued.kind, queued.params["source"], queued.status) == ("ingest", "url", "queued")


def test_only_a_link_to_a_table_file_can_be_read_in(
    app_client: TestClient, pages: Pages, editor: User, session: Session
) -> None:
    pages.log_in(editor)
    before = distribution_count(session)

    response = pages.submit(FORM, {"kind": "link", "access_url": "https://karta.sjovik.example/",
                                   "title_sv": "Karta", "ingest": "ja"})  # fmt: skip

    assert response.status_code == 422
    assert "Bara en länk till en tabellfil" in field_error(response.text, "link-ingest")
    assert distribution_count(session) == before
