"""GET /api/v1/datasets: search in Swedish and English, facets and their filters, sort orders and paging."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Organization
from datatorget.config import Settings
from tests.api.problems import INVALID_FIELDS, problem
from tests.factories import make_dataset, make_link, make_upload

# Refused by the request schema before any query runs, so one backend shows it; the rest run on both.
SCHEMA_ONLY = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


EMPTY_FACETS: dict[str, list[Any]] = {
    "organization": [],
    "theme": [],
    "keyword": [],
    "license": [],
    "format": [],
}


def _search(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/datasets", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _slugs(client: TestClient, **params: Any) -> list[str]:
    return [item["slug"] for item in _search(client, **params)["items"]]


def _counts(facets: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, int]]:
    return {name: {v["value"]: v["count"] for v in values} for name, values in facets.items()}


def test_the_list_gives_the_total_the_items_and_the_facets(
    app_client: TestClient, badplatser: Dataset
) -> None:
    modified = app_client.get("/api/v1/datasets/badplatser").json()["modified"]

    assert _search(app_client) == {
        "total": 1,
        "items": [
            {
                "id": str(badplatser.id),
                "slug": "badplatser",
                "state": "published",
                "title": {"sv": "Badplatser"},
                "description": {"sv": "Kommunens badplatser med koordinater."},
                "organization": {"slug": "sjoviks-kommun", "name": "Sjöviks kommun"},
                "themes": [],
                "formats": [],
                "modified": modified,
            }
        ],
        "facets": EMPTY_FACETS
        | {
            "organization": [
                {
                    "value": "sjoviks-kommun",
                    "count": 1,
                    "label": {"sv": "Sjöviks kommun", "en": "Sjöviks kommun"},
                }
            ]
        },
    }


def test_an_empty_catalog_gives_an_empty_list(app_client: TestClient) -> None:
    assert _search(app_client) == {"total": 0, "items": [], "facets": EMPTY_FACETS}


# --- words ----------------------------------------------------------------------------------------------


@pytest.fixture
def texts(session: Session, sjovik: Organization) -> None:
    make_dataset(
        session, {"sv": "Badplatser", "en": "Bathing sites"}, description="Sandstränder och klippor."
    )
    make_dataset(session, "Laddstationer för elbilar", description="Publika laddare.")
    make_dataset(session, "Bygglov", description="Beviljade bygglov per år.")
    make_dataset(
        session, {"sv": "Skolor och förskolor", "en": "Schools and preschools"}, description="Adresser."
    )


@pytest.mark.usefixtures("texts")
@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("badplats", ["badplatser"]),
        ("laddstation", ["laddstationer-for-elbilar"]),
        ("bathing", ["badplatser"]),
        ("Elbil", ["laddstationer-for-elbilar"]),
        ("klippa", ["badplatser"]),
        ("bygglov", ["bygglov"]),
    ],
)
def test_a_word_finds_the_datasets_with_any_form_of_it(
    app_client: TestClient, q: str, found: list[str]
) -> None:
    assert _slugs(app_client, q=q) == found


@pytest.mark.usefixtures("texts")
@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("Laddstationer för elbilar", ["laddstationer-for-elbilar"]),
        ("skolor och förskolor", ["skolor-och-forskolor"]),
        ("Schools and preschools", ["skolor-och-forskolor"]),
    ],
)
def test_a_whole_title_with_small_words_finds_its_dataset(
    app_client: TestClient, q: str, found: list[str]
) -> None:
    assert _slugs(app_client, q=q) == found


@pytest.mark.usefixtures("texts")
def test_every_word_of_the_query_must_be_found(app_client: TestClient) -> None:
    assert _slugs(app_client, q="laddstationer elbilar") == ["laddstationer-for-elbilar"]
    assert _slugs(app_client, q="badplatser elbilar") == []


@pytest.mark.usefixtures("texts")
def test_a_query_without_a_match_gives_no_items_a_zero_total_and_empty_facets(app_client: TestClient) -> None:
    assert _search(app_client, q="skolskjuts") == {"total": 0, "items": [], "facets": EMPTY_FACETS}


def test_a_match_in_the_title_ranks_above_one_in_the_description(
    app_client: TestClient, session: Session, sjovik: Organization
) -> None:
    make_dataset(session, "Badplatser", description="Sandstränder och klippor i kommunen.")
    make_dataset(session, "Friluftsområden", description="Vandringsleder, badplatser och vindskydd.")

    assert _slugs(app_client, q="badplatser") == ["badplatser", "friluftsomraden"]


# --- facets and filters ---------------------------------------------------------------------------------


@pytest.fixture
def faceted(session: Session, settings: Settings, sjovik: Organization, vatten: Organization) -> None:
    """Three datasets of two organisations with themes, keywords, licences and distribution formats."""
    make_dataset(
        session, "Badplatser", themes=["ENVI"], keywords={"sv": ["bad", "friluftsliv"]}, license="CC0"
    )
    make_upload(session, "badplatser", settings.files_dir)
    make_dataset(
        session, "Laddstationer för elbilar", themes=["ENER", "TRAN"], keywords={"sv": ["elbil"]},
        license="CC_BY_4_0",
    )  # fmt: skip
    make_link(session, "laddstationer-for-elbilar", format="JSON")
    make_dataset(
        session, "Vattenkvalitet vid badplatser", organization="sjovik-vatten", themes=["ENVI", "HEAL"],
        keywords={"sv": ["bad", "vatten"], "en": ["water"]}, license="CC0",
    )  # fmt: skip
    make_link(
        session, "vattenkvalitet-vid-badplatser", access_url="https://vatten.sjovik.se/prov.csv", format="CSV"
    )


@pytest.mark.usefixtures("faceted")
def test_facets_count_the_datasets_with_each_value(app_client: TestClient) -> None:
    assert _counts(_search(app_client)["facets"]) == {
        "organization": {"sjoviks-kommun": 2, "sjovik-vatten": 1},
        "theme": {"ENVI": 2, "ENER": 1, "HEAL": 1, "TRAN": 1},
        "keyword": {"bad": 2, "elbil": 1, "friluftsliv": 1, "vatten": 1, "water": 1},
        "license": {"CC0": 2, "CC_BY_4_0": 1},
        "format": {"CSV": 2, "JSON": 1},
    }


@pytest.mark.usefixtures("faceted")
def test_facet_values_are_ordered_by_count_and_labelled_in_swedish_and_english(
    app_client: TestClient,
) -> None:
    facets = _search(app_client)["facets"]

    assert facets["license"] == [
        {
            "value": "CC0",
            "count": 2,
            "label": {
                "sv": "Creative Commons CC0 1.0 Universell (CC0 1.0)",
                "en": "Creative Commons CC0 1.0 Universal (CC0 1.0)",
            },
        },
        {
            "value": "CC_BY_4_0",
            "count": 1,
            "label": {
                "sv": "Creative Commons Erkännande 4.0 Internationell (CC BY 4.0)",
                "en": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
            },
        },
    ]
    assert facets["theme"][0] == {"value": "ENVI", "count": 2, "label": {"sv": "Miljö", "en": "Environment"}}
    assert facets["keyword"][0] == {"value": "bad", "count": 2, "label": None}


@pytest.mark.usefixtures("faceted")
@pytest.mark.parametrize(
    ("filters", "found"),
    [
        ({"organization": "sjovik-vatten"}, ["vattenkvalitet-vid-badplatser"]),
        (
            {"organization": ["sjovik-vatten", "sjoviks-kommun"]},
            ["badplatser", "laddstationer-for-elbilar", "vattenkvalitet-vid-badplatser"],
        ),
        ({"theme": "ENVI"}, ["badplatser", "vattenkvalitet-vid-badplatser"]),
        ({"theme": ["ENVI", "HEAL"]}, ["vattenkvalitet-vid-badplatser"]),
        ({"keyword": "bad"}, ["badplatser", "vattenkvalitet-vid-badplatser"]),
        ({"keyword": "water"}, ["vattenkvalitet-vid-badplatser"]),
        ({"license": "CC_BY_4_0"}, ["laddstationer-for-elbilar"]),
        (
            {"license": ["CC0", "CC_BY_4_0"]},
            ["badplatser", "laddstationer-for-elbilar", "vattenkvalitet-vid-badplatser"],
        ),
        ({"format": "CSV"}, ["badplatser", "vattenkvalitet-vid-badplatser"]),
        ({"format": ["CSV", "JSON"]}, []),
        ({"theme": "ENVI", "organization": "sjoviks-kommun"}, ["badplatser"]),
        ({"q": "badplatser", "license": "CC0"}, ["badplatser", "vattenkvalitet-vid-badplatser"]),
    ],
    ids=[
        "one-organisation",
        "any-of-two-organisations",
        "one-theme",
        "all-of-two-themes",
        "keyword",
        "english-keyword",
        "licence",
        "any-of-two-licences",
        "format",
        "all-of-two-formats",
        "theme-and-organisation",
        "words-and-licence",
    ],
)
def test_facet_filters_keep_the_matching_datasets(
    app_client: TestClient, filters: dict[str, Any], found: list[str]
) -> None:
    body = _search(app_client, sort="title", **filters)

    assert [item["slug"] for item in body["items"]] == found
    assert body["total"] == len(found)


@pytest.mark.usefixtures("faceted")
def test_facet_counts_follow_the_filters(app_client: TestClient) -> None:
    assert _counts(_search(app_client, theme="ENVI")["facets"]) == {
        "organization": {"sjoviks-kommun": 1, "sjovik-vatten": 1},
        "theme": {"ENVI": 2, "HEAL": 1},
        "keyword": {"bad": 2, "friluftsliv": 1, "vatten": 1, "water": 1},
        "license": {"CC0": 2},
        "format": {"CSV": 2},
    }


# --- order and paging -----------------------------------------------------------------------------------


def test_sorting_by_title_follows_the_swedish_alphabet(
    app_client: TestClient, session: Session, sjovik: Organization
) -> None:
    for title in ("Öar och skär", "ängar", "Åkermark", "Zoner för buller", "Vägar", "aktiviteter", "Ekar"):
        make_dataset(session, title)

    titles = [item["title"]["sv"] for item in _search(app_client, sort="title")["items"]]

    assert titles == ["aktiviteter", "Ekar", "Vägar", "Zoner för buller", "Åkermark", "ängar", "Öar och skär"]


def test_sorting_by_modified_puts_the_latest_change_first(
    app_client: TestClient, session: Session, sjovik: Organization, admin_headers: dict[str, str]
) -> None:
    for title in ("Alfa", "Beta", "Gamma"):
        make_dataset(session, title)
    app_client.patch("/api/v1/datasets/alfa", json={"keywords": {"sv": ["ny"]}}, headers=admin_headers)

    assert _slugs(app_client, sort="modified") == ["alfa", "gamma", "beta"]
    assert _slugs(app_client) == ["alfa", "gamma", "beta"]


def test_pages_split_the_results_and_the_total_counts_them_all(
    app_client: TestClient, session: Session, sjovik: Organization
) -> None:
    for title in ("Alfa", "Beta", "Gamma", "Delta", "Epsilon"):
        make_dataset(session, title)

    pages = [_search(app_client, sort="title", size=2, page=page) for page in (1, 2, 3, 4)]

    assert [page["total"] for page in pages] == [5, 5, 5, 5]
    assert [[item["slug"] for item in page["items"]] for page in pages] == [
        ["alfa", "beta"],
        ["delta", "epsilon"],
        ["gamma"],
        [],
    ]


@SCHEMA_ONLY
@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"size": 101}, {"size": ["Input should be less than or equal to 100"]}),
        ({"page": 0}, {"page": ["Input should be greater than or equal to 1"]}),
        ({"sort": "popular"}, {"sort": ["Input should be 'relevance', 'modified' or 'title'"]}),
    ],
)
def test_a_bad_page_size_page_or_sort_is_refused(
    app_client: TestClient, params: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    response = app_client.get("/api/v1/datasets", params=params)

    assert (response.status_code, response.json()) == (422, problem(422, INVALID_FIELDS, errors))


def test_more_than_twenty_values_of_one_filter_are_refused(app_client: TestClient) -> None:
    response = app_client.get("/api/v1/datasets", params={"keyword": [f"k{n}" for n in range(21)]})
    assert (response.status_code, list(response.json()["errors"])) == (422, ["keyword"])
