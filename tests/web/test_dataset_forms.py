"""Creating and editing a dataset through the form: errors next to the fields, in the page's language."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog import datasets
from datatorget.catalog.models import Dataset, User
from datatorget.catalog.schemas import DatasetIn, DatasetPatch
from tests.web.pages import Pages, field_error, h1_of, text_of, title_of


def dataset_form(**fields: Any) -> dict[str, Any]:
    """A filled-in dataset form, as a browser would send it."""
    return {
        "title_sv": "Parkeringsplatser",
        "title_en": "Parking spaces",
        "slug": "",
        "description_sv": "Alla **kommunala** parkeringsplatser.",
        "description_en": "All municipal parking spaces.",
        "keywords_sv": "parkering, bil",
        "keywords_en": "parking, car",
        "themes": ["TRAN", "REGI"],
        "organization": "sjovik",
        "state": "published",
        "contact_name": "Gatu- och parkenheten",
        "contact_email": "gatapark@sjovik.example",
        "license": "CC0",
        "access_rights": "PUBLIC",
        "frequency": "MONTHLY",
        "landing_page": "https://www.sjovik.example/parkering",
        "spatial": "http://publications.europa.eu/resource/authority/country/SWE",
        "temporal_start": "2024-01-01",
        "temporal_end": "2024-12-31",
        "conforms_to": "https://www.rfc-editor.org/rfc/rfc7946\nhttps://example.org/standard",
        "hvd_categories": ["c_b79e35eb"],
        **fields,
    }


def stored(session: Session, slug: str) -> DatasetIn:
    session.expire_all()
    dataset = session.scalars(select(Dataset).where(Dataset.slug == slug)).one()
    return DatasetIn.model_validate(
        {"title": dataset.title, "description": dataset.description, "organization": dataset.organization.slug,
         "keywords": dataset.keywords, "themes": dataset.themes, "state": dataset.state}
    )  # fmt: skip


def test_an_editor_creates_a_dataset_with_every_field(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    response = pages.submit("/datamangder/ny", dataset_form())

    assert (response.status_code, response.headers["location"]) == (303, "/datamangder/parkeringsplatser")
    words = text_of(app_client.get("/en/datasets/parkeringsplatser").text)
    for expected in (
        "Parking spaces", "All municipal parking spaces.", "Transport", "parking", "car", "monthly",
        "Gatu- och parkenheten", "1 January 2024 – 31 December 2024", "https://example.org/standard",
        "Mobility", "https://www.sjovik.example/parkering",
    ):  # fmt: skip
        assert expected in words, expected


def test_the_form_offers_only_the_organisations_the_user_may_edit(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    html = app_client.get("/datamangder/ny").text

    assert '<option value="sjovik" selected>Sjöviks kommun</option>' in html
    assert 'value="sjovik-energi"' not in html


def test_hvd_categories_are_grouped_under_their_top_level_category(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    html = app_client.get("/en/datasets/new").text

    assert "<summary>Mobility</summary>" in html
    assert "Mobility (the whole category)" in html


def test_a_missing_swedish_title_is_shown_next_to_the_field_in_swedish(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    response = pages.submit("/datamangder/ny", dataset_form(title_sv=""))

    assert response.status_code == 422
    assert (
        field_error(response.text, "title_sv")
        == "Fel: Skriv en svensk text. Den behövs även när det finns en engelsk."
    )
    assert (
        'id="title_sv" name="title_sv" type="text" value="" lang="sv" aria-describedby="title_sv-error" aria-invalid="true"'
        in response.text
    )
    assert '<a href="#title_sv">Titel på svenska: Skriv en svensk text.' in response.text
    assert title_of(response.text).startswith("Fel: ")


def test_errors_on_the_english_form_are_in_english(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    response = pages.submit(
        "/en/datasets/new",
        dataset_form(title_sv="", description_sv="<script>alert(1)</script>", contact_email="not-an-email"),
    )

    assert response.status_code == 422
    assert (
        field_error(response.text, "title_sv")
        == "Error: Write a Swedish text. It is needed even when there is an English one."
    )
    assert field_error(response.text, "description_sv").startswith(
        "Error: Scripts and HTML, such as <script>, are not allowed."
    )
    assert (
        field_error(response.text, "contact_email")
        == "Error: Enter a valid email address, for example name@municipality.se."
    )
    assert "There is a problem with the form" in response.text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"description_sv": "<script>alert(1)</script>"},
            "description_sv",
            "Skript och HTML, som <script>, är inte tillåtna.",
        ),
        ({"contact_email": "inte-en-adress"}, "contact_email", "Skriv en giltig e-postadress"),
        (
            {"landing_page": "www.sjovik"},
            "landing_page",
            "Skriv en fullständig adress som börjar med https://",
        ),
        ({"spatial": "inte en adress"}, "spatial", "Skriv en fullständig adress"),
        (
            {"temporal_start": "2024-12-31", "temporal_end": "2024-01-01"},
            "temporal_end",
            "Slutet på tidsperioden kan inte ligga före början.",
        ),
        ({"temporal_start": "31/12/2024"}, "temporal_start", "Skriv ett datum som år-månad-dag"),
        ({"title_sv": "x" * 301}, "title_sv", "Skriv högst 300 tecken."),
        ({"license": "MIN-EGEN"}, "license", "Välj ett av alternativen i listan."),
        ({"contact_email": ""}, "contact_email", "Fyll i fältet."),
        ({"slug": "Stora Bokstäver"}, "slug", "Använd bara små bokstäver a–z"),
    ],
)
def test_invalid_fields_get_a_swedish_message_next_to_them(
    app_client: TestClient, pages: Pages, editor: User, fields: dict[str, str], field: str, message: str
) -> None:
    pages.log_in(editor)

    response = pages.submit("/datamangder/ny", dataset_form(**fields))

    assert response.status_code == 422
    assert message in field_error(response.text, field)


def test_the_form_keeps_what_was_typed_when_shown_again(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    html = pages.submit("/datamangder/ny", dataset_form(title_sv="", contact_email="fel")).text

    assert 'value="Parking spaces"' in html
    assert ">Alla **kommunala** parkeringsplatser.</textarea>" in html
    assert 'value="fel"' in html
    assert 'id="themes-TRAN" name="themes" value="TRAN" checked' in html
    assert 'id="hvd-c_b79e35eb" name="hvd_categories" value="c_b79e35eb" checked' in html
    assert '<option value="MONTHLY" selected>' in html
    assert 'id="state-published" name="state" value="published" checked' in html


def test_a_slug_already_in_use_is_shown_next_to_the_slug(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    response = pages.submit("/datamangder/ny", dataset_form(slug="badplatser"))

    assert response.status_code == 422
    assert "Adressnamnet används redan" in field_error(response.text, "slug")


def test_an_editor_cannot_create_a_dataset_for_another_organisation(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    response = pages.submit("/datamangder/ny", dataset_form(organization="sjovik-energi"))

    assert response.status_code == 403


def test_an_editor_edits_a_dataset_of_their_organisation(
    app_client: TestClient, pages: Pages, editor: User, session: Session
) -> None:
    pages.log_in(editor)
    form = app_client.get("/datamangder/badplatser/redigera").text
    assert 'value="Badplatser"' in form

    response = pages.submit(
        "/datamangder/badplatser/redigera",
        dataset_form(title_sv="Badplatser i Sjövik", slug="badplatser", keywords_sv="bad, strand"),
    )

    assert (response.status_code, response.headers["location"]) == (303, "/datamangder/badplatser")
    changed = stored(session, "badplatser")
    assert changed.title["sv"] == "Badplatser i Sjövik"
    assert changed.keywords["sv"] == ["bad", "strand"]


def test_an_edit_keeps_the_texts_in_languages_the_form_does_not_show(
    app_client: TestClient, pages: Pages, editor: User, session: Session
) -> None:
    finnish = DatasetPatch(title={"sv": "Badplatser", "fi": "Uimapaikat"}, keywords={"fi": ["uinti"]})
    datasets.update_dataset(session, "badplatser", finnish, editor)
    session.commit()
    pages.log_in(editor)

    pages.submit(
        "/datamangder/badplatser/redigera", dataset_form(title_sv="Badplatser i Sjövik", slug="badplatser")
    )

    session.expire_all()
    changed = stored(session, "badplatser")
    assert (changed.title["fi"], changed.keywords["fi"]) == ("Uimapaikat", ["uinti"])


def test_an_edit_with_errors_is_shown_again_in_english(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    response = pages.submit("/en/datasets/badplatser/edit", dataset_form(slug="badplatser", title_sv=""))

    assert response.status_code == 422
    assert h1_of(response.text).startswith("Edit dataset:")
    assert "Write a Swedish text" in field_error(response.text, "title_sv")


def test_an_editor_of_another_organisation_may_not_edit(
    app_client: TestClient, pages: Pages, energy_editor: User
) -> None:
    pages.log_in(energy_editor)

    form = app_client.get("/datamangder/badplatser/redigera")
    token = pages.token_for("/konto")
    sent = app_client.post("/en/datasets/badplatser/edit", data={**dataset_form(), "csrf_token": token})

    assert form.status_code == 403
    assert h1_of(form.text) == "Du har inte behörighet"
    assert sent.status_code == 403
    assert h1_of(sent.text) == "You are not allowed to do this"


def test_an_anonymous_visitor_is_sent_to_login_from_the_edit_form(app_client: TestClient, demo: None) -> None:
    response = app_client.get("/datamangder/badplatser/redigera", follow_redirects=False)

    assert response.headers["location"] == "/logga-in?next=%2Fdatamangder%2Fbadplatser%2Fredigera"


def test_new_wins_over_a_dataset_called_new(app_client: TestClient, pages: Pages, editor: User) -> None:
    pages.log_in(editor)

    assert h1_of(app_client.get("/datamangder/ny").text) == "Ny datamängd"
    assert h1_of(app_client.get("/en/datasets/new").text) == "New dataset"
