"""The public pages: each in both languages, the language link, search and facets, drafts kept hidden."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datatorget.catalog import accounts, datasets
from datatorget.catalog.models import User
from datatorget.catalog.schemas import DatasetIn
from datatorget.demo.content import demo_catalog
from tests.web.conftest import DEMO_DATASETS
from tests.web.pages import Pages, dataset_titles, h1_of, language_link, text_of, title_of


def demo_titles(organization: str, lang: str) -> set[str]:
    """The titles of an organisation's published datasets in the test catalog."""
    return {
        d.fields["title"][lang]
        for d in demo_catalog().datasets
        if d.fields["slug"] in DEMO_DATASETS
        and d.fields["organization"] == organization
        and d.fields["state"] == "published"
    }


PUBLIC_PAGES = [
    ("/", "/en/"),
    ("/datamangder", "/en/datasets"),
    ("/datamangder?q=badplats&theme=ENVI", "/en/datasets?q=badplats&theme=ENVI"),
    ("/datamangder/badplatser", "/en/datasets/badplatser"),
    ("/organisationer", "/en/organisations"),
    ("/organisationer/sjovik", "/en/organisations/sjovik"),
    ("/logga-in", "/en/login"),
    ("/tillganglighet", "/en/accessibility"),
]


@pytest.mark.parametrize(("swedish", "english"), PUBLIC_PAGES)
def test_each_page_renders_in_both_languages_with_a_link_to_the_other(
    app_client: TestClient, demo: None, swedish: str, english: str
) -> None:
    sv = app_client.get(swedish)
    en = app_client.get(english)

    assert (sv.status_code, en.status_code) == (200, 200)
    assert '<html lang="sv">' in sv.text and '<html lang="en">' in en.text
    assert language_link(sv.text) == (english, "en", "en", "English")
    assert language_link(en.text) == (swedish, "sv", "sv", "Svenska")
    assert title_of(sv.text) != title_of(en.text)


def test_every_page_has_one_h1_and_the_skip_link_first(app_client: TestClient, demo: None) -> None:
    for swedish, english in PUBLIC_PAGES:
        for path in (swedish, english):
            html = app_client.get(path).text
            h1_of(html)  # exactly one
            first_link = html.index("<a ")
            assert html[first_link:].startswith('<a class="skip-link" href="#main">'), path
            assert '<main id="main"' in html


def test_page_titles_differ_from_page_to_page(app_client: TestClient, demo: None) -> None:
    titles = [title_of(app_client.get(path).text) for pair in PUBLIC_PAGES for path in pair]

    assert len(set(titles)) == len(titles)


def test_the_current_page_is_marked_in_the_menu(app_client: TestClient, demo: None) -> None:
    html = app_client.get("/organisationer").text

    assert '<a href="/organisationer" aria-current="page">Organisationer</a>' in html
    assert '<a href="/datamangder">Datamängder</a>' in html


def test_english_without_a_trailing_slash_goes_to_the_english_home_page(app_client: TestClient) -> None:
    response = app_client.get("/en", follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (308, "/en/")


def test_home_page_shows_themes_with_counts_newest_datasets_and_organisations(
    app_client: TestClient, demo: None
) -> None:
    html = app_client.get("/").text

    assert 'action="/datamangder"' in html and 'name="q"' in html
    assert "Miljö" in text_of(html)  # the ENVI theme, labelled in Swedish
    assert 'href="/datamangder?theme=ENVI"' in html
    assert len(dataset_titles(html)) == 6
    assert 'href="/organisationer/sjovik-energi">Sjöviks Energi AB</a>' in html


def test_home_page_in_english_labels_themes_in_english(app_client: TestClient, demo: None) -> None:
    words = text_of(app_client.get("/en/").text)

    assert "Environment" in words and "Population and society" in words


def test_search_finds_bathing_sites_by_a_word_stem(app_client: TestClient, demo: None) -> None:
    html = app_client.get("/datamangder", params={"q": "badplats"}).text

    assert "Badplatser" in dataset_titles(html)
    assert title_of(html) == "Sökresultat för ”badplats” – Datatorget"


def test_a_facet_filters_the_results_and_can_be_removed(app_client: TestClient, demo: None) -> None:
    everything = dataset_titles(app_client.get("/en/datasets").text)
    html = app_client.get("/en/datasets", params={"organization": "sjovik-energi"}).text
    filtered = dataset_titles(html)

    assert set(filtered) == demo_titles("sjovik-energi", "en")
    assert len(everything) > len(filtered)
    assert 'class="chip" href="/en/datasets"' in html  # removing the only filter goes back to everything
    assert "Remove filter:</span> Organisation: Sjöviks Energi AB" in html


def test_facets_show_counts_and_link_to_adding_the_filter(app_client: TestClient, demo: None) -> None:
    html = app_client.get("/datamangder", params={"q": "badplats"}).text

    assert 'href="/datamangder?q=badplats&amp;format=GEOJSON"' in html
    assert 'Sjöviks kommun <span class="count">(' in html


def test_search_sorts_by_title_in_swedish_order(app_client: TestClient, demo: None) -> None:
    titles = dataset_titles(app_client.get("/datamangder", params={"sort": "title"}).text)

    assert titles == sorted(titles, key=lambda t: t.lower().translate(str.maketrans("åäö", "{|}")))


def test_search_pages_through_many_results(app_client: TestClient, session: Session, demo: None) -> None:
    by = accounts.system_user(session)
    for n in range(1, 22):
        data = DatasetIn(title={"sv": f"Mätserie {n:02}"}, description={"sv": "Mätvärden."}, organization="sjovik",
                         state="published")  # fmt: skip
        datasets.create_dataset(session, data, by)
    session.commit()

    first = app_client.get("/datamangder", params={"q": "mätserie", "sort": "title"}).text
    second = app_client.get("/datamangder", params={"q": "mätserie", "sort": "title", "page": "2"}).text

    assert dataset_titles(first) == [f"Mätserie {n:02}" for n in range(1, 21)]
    assert dataset_titles(second) == ["Mätserie 21"]
    assert '<a href="/datamangder?q=m%C3%A4tserie&amp;sort=title&amp;page=2" rel="next">Nästa</a>' in first
    assert 'aria-current="page"><span class="visually-hidden">Sida</span> 2</a>' in second
    assert title_of(second) == "Sökresultat för ”mätserie” (Sida 2) – Datatorget"


def test_malformed_search_parameters_fall_back_to_defaults(app_client: TestClient, demo: None) -> None:
    response = app_client.get("/datamangder", params={"page": "many", "sort": "random"})

    assert response.status_code == 200
    assert '<option value="relevance" selected>' in response.text


def test_dataset_page_shows_metadata_in_the_pages_language(app_client: TestClient, demo: None) -> None:
    words = text_of(app_client.get("/en/datasets/badplatser").text)

    for expected in (
        "Bathing sites", "Sjöviks kommun", "Environment", "Creative Commons CC0 1.0 Universal",
        "Public", "annual", "Kultur- och fritidsförvaltningen", "kulturfritid@sjovik.example",
        "https://www.sjovik.example/uppleva-och-gora/bad", "http://publications.europa.eu/resource/authority/country/SWE",
    ):  # fmt: skip
        assert expected in words, expected


def test_dataset_page_links_each_download_with_format_size_and_checksum(
    app_client: TestClient, demo: None
) -> None:
    html = app_client.get("/datamangder/badplatser").text

    assert '/badplatser.csv" download>' in html
    assert "CSV (kommaseparerade värden)" in html
    assert "kB</dd>" in html  # a size in human units
    assert 'class="checksum">' in html


def test_dataset_page_formats_dates_for_the_language(app_client: TestClient, demo: None) -> None:
    months_sv = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
                 "oktober", "november", "december")  # fmt: skip
    words = text_of(app_client.get("/datamangder/badplatser").text)

    assert any(f"Senast ändrad {day} {month}" in words for month in months_sv for day in range(1, 32))


def test_licence_links_to_its_text(app_client: TestClient, demo: None) -> None:
    html = app_client.get("/datamangder/badplatser").text

    assert '<a href="https://creativecommons.org/publicdomain/zero/1.0/">' in html


def test_an_unknown_dataset_is_a_404_page_in_the_pages_language(app_client: TestClient) -> None:
    sv = app_client.get("/datamangder/finns-inte")
    en = app_client.get("/en/datasets/finns-inte")

    assert (sv.status_code, en.status_code) == (404, 404)
    assert h1_of(sv.text) == "Sidan finns inte"
    assert h1_of(en.text) == "Page not found"
    assert language_link(sv.text)[0] == "/en/datasets/finns-inte"


def test_an_unknown_address_is_a_404_page(app_client: TestClient) -> None:
    response = app_client.get("/en/no/such/page")

    assert response.status_code == 404
    assert h1_of(response.text) == "Page not found"


def test_a_draft_is_not_found_by_anonymous_visitors(app_client: TestClient, draft: str) -> None:
    response = app_client.get(f"/datamangder/{draft}")

    assert response.status_code == 404


def test_a_draft_is_absent_from_search_and_the_home_page(app_client: TestClient, draft: str) -> None:
    found = dataset_titles(app_client.get("/datamangder", params={"q": "parkering"}).text)
    home = dataset_titles(app_client.get("/").text)

    assert "Hemliga planer för parkering" not in found + home


def test_a_draft_is_visible_to_its_organisations_editor(
    app_client: TestClient, pages: Pages, draft: str, editor: User
) -> None:
    pages.log_in(editor)

    page = app_client.get(f"/datamangder/{draft}")
    results = app_client.get("/datamangder", params={"q": "parkering"}).text

    assert page.status_code == 200
    assert "Utkast" in text_of(page.text)
    assert "Hemliga planer för parkering" in dataset_titles(results)
    assert '<span class="badge badge--draft">Utkast</span>' in results


def test_a_draft_offers_no_reuses_or_discussions_until_it_is_published(
    app_client: TestClient, pages: Pages, draft: str, editor: User
) -> None:
    pages.log_in(editor)

    html = app_client.get(f"/datamangder/{draft}").text

    assert 'id="reuses"' not in html
    assert 'id="discussions"' not in html
    assert 'id="reuses"' in app_client.get("/datamangder/badplatser").text


def test_a_draft_is_hidden_from_an_editor_of_another_organisation(
    app_client: TestClient, pages: Pages, draft: str, energy_editor: User
) -> None:
    pages.log_in(energy_editor)

    assert app_client.get(f"/datamangder/{draft}").status_code == 404


def test_organisation_page_lists_its_datasets(app_client: TestClient, demo: None) -> None:
    html = app_client.get("/organisationer/sjovik-energi").text

    assert h1_of(html) == "Sjöviks Energi AB"
    assert set(dataset_titles(html)) == demo_titles("sjovik-energi", "sv")
    assert "556999-1234" in html


def test_an_unknown_organisation_is_a_404_page(app_client: TestClient) -> None:
    assert app_client.get("/en/organisations/nobody").status_code == 404


def test_organisation_list_shows_each_organisation_with_its_dataset_count(
    app_client: TestClient, demo: None
) -> None:
    words = text_of(app_client.get("/en/organisations").text)

    assert "Sjöviksbostäder AB Company · 1 dataset" in words
    assert "Sjöviks Energi AB Company · 2 datasets" in words


def test_accessibility_statement_names_compliance_contact_and_the_supervisory_authority(
    app_client: TestClient, demo: None
) -> None:
    sv = text_of(app_client.get("/tillganglighet").text)
    en = text_of(app_client.get("/en/accessibility").text)

    assert "delvis förenlig" in sv and "partially compliant" in en
    assert "kommunen@sjovik.example" in sv and "kommunen@sjovik.example" in en
    assert "Myndigheten för digital förvaltning" in sv and "Myndigheten för digital förvaltning" in en
    assert "https://www.digg.se/tdosanmalan" in app_client.get("/tillganglighet").text
    assert "24 november 2026" in sv and "24 November 2026" in en


def test_static_files_are_served(app_client: TestClient) -> None:
    response = app_client.get("/static/css/site.css")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")


def test_pages_load_htmx_deferred(app_client: TestClient) -> None:
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in app_client.get("/").text
