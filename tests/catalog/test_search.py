"""Search: Swedish and English stemming, ranking, facets, filters, sorting and visibility."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from datatorget.catalog import datasets
from datatorget.catalog.schemas import DatasetPatch
from datatorget.catalog.search import SearchQuery, search_datasets
from tests.catalog.factories import Catalog


def titles(session: Session, **query: object) -> list[str]:
    result = search_datasets(session, SearchQuery(**query), None)  # type: ignore[arg-type]
    return [d.title["sv"] for d in result.datasets]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("badplats", "Badplatser"),
        ("laddstation", "Laddstationer för elbilar"),
        ("Laddstationerna", "Laddstationer för elbilar"),
        ("lekplatsen", "Lekplatser"),
    ],
)
def test_a_swedish_word_finds_its_inflected_forms(
    catalog: Catalog, session: Session, query: str, title: str
) -> None:
    for name in ("Badplatser", "Laddstationer för elbilar", "Lekplatser", "Budgetutfall"):
        catalog.dataset(name)
    assert titles(session, q=query) == [title]


def test_an_english_word_finds_the_english_title(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Badplatser", title_en="Bathing sites")
    catalog.dataset("Budgetutfall", title_en="Budget outcome")
    assert titles(session, q="bathing") == ["Badplatser"]


def test_keywords_are_searched_in_both_languages(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Luftkvalitet", keywords={"sv": ["partiklar"], "en": ["particulate matter"]})
    assert titles(session, q="partiklarna") == ["Luftkvalitet"]
    assert titles(session, q="particulates") == ["Luftkvalitet"]


def test_every_word_of_the_query_must_match(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Badplatser vid havet")
    catalog.dataset("Badplatser vid sjöar")
    assert titles(session, q="badplatser havet") == ["Badplatser vid havet"]


def test_a_title_match_ranks_above_a_description_match(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Offentliga toaletter", description={"sv": "Toaletter, bland annat vid badplatser."})
    catalog.dataset("Badplatser")
    assert titles(session, q="badplats") == ["Badplatser", "Offentliga toaletter"]


def test_a_query_of_only_punctuation_matches_everything(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Badplatser")
    assert titles(session, q='"*)(- :^') == ["Badplatser"]


def test_query_syntax_of_the_search_engine_is_taken_as_plain_words(
    catalog: Catalog, session: Session
) -> None:
    catalog.dataset("Badplatser")
    assert titles(session, q="NEAR(badplats) title:x") == []


def test_titles_sort_in_swedish_order(catalog: Catalog, session: Session) -> None:
    for name in ("Ödebyar", "Äldreboenden", "Zoner", "Återvinning", "avlopp", "Badplatser"):
        catalog.dataset(name)
    assert titles(session, sort="title") == [
        "avlopp",
        "Badplatser",
        "Zoner",
        "Återvinning",
        "Äldreboenden",
        "Ödebyar",
    ]


def test_sort_by_modified_puts_the_latest_change_first(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Första")
    catalog.dataset("Andra")
    datasets.update_dataset(session, "forsta", DatasetPatch(keywords={"sv": ["ny"]}), catalog.admin)
    session.commit()
    assert titles(session, sort="modified") == ["Första", "Andra"]


def test_facets_count_the_matching_datasets(catalog: Catalog, session: Session) -> None:
    catalog.organization("sjovik-energi", "Sjöviks Energi AB")
    catalog.dataset("Badplatser", themes=["ENVI", "SOCI"], license="CC0", keywords={"sv": ["bad"]})
    catalog.dataset("Laddstationer", organization="sjovik-energi", themes=["TRAN"], license="CC_BY_4_0")
    catalog.dataset("Luftkvalitet", themes=["ENVI"], license="CC0")
    facets = search_datasets(session, SearchQuery(), None).facets
    assert facets["organization"] == [("sjovik", 2), ("sjovik-energi", 1)]
    assert facets["theme"] == [("ENVI", 2), ("SOCI", 1), ("TRAN", 1)]
    assert facets["license"] == [("CC0", 2), ("CC_BY_4_0", 1)]
    assert facets["keyword"] == [("bad", 1)]


def test_theme_filters_require_every_theme_given(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Badplatser", themes=["ENVI", "SOCI"])
    catalog.dataset("Luftkvalitet", themes=["ENVI"])
    assert titles(session, theme=["ENVI", "SOCI"]) == ["Badplatser"]


def test_organisation_filters_accept_any_organisation_given(catalog: Catalog, session: Session) -> None:
    catalog.organization("sjovik-energi")
    catalog.organization("sjoviksbostader")
    catalog.dataset("Badplatser")
    catalog.dataset("Laddstationer", organization="sjovik-energi")
    catalog.dataset("Lägenheter", organization="sjoviksbostader")
    assert sorted(titles(session, organization=["sjovik", "sjovik-energi"])) == [
        "Badplatser",
        "Laddstationer",
    ]


def test_a_query_and_two_filters_combine(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Badplatser", themes=["ENVI"], license="CC0")
    catalog.dataset("Badplatser vid sjöar", themes=["ENVI"], license="CC_BY_4_0")
    catalog.dataset("Luftkvalitet", themes=["ENVI"], license="CC0")
    assert titles(session, q="badplats", theme=["ENVI"], license=["CC0"]) == ["Badplatser"]


def test_drafts_and_private_datasets_are_left_out_for_anonymous_visitors(
    catalog: Catalog, session: Session
) -> None:
    catalog.dataset("Badplatser", themes=["ENVI"])
    catalog.dataset("Badplatser utkast", themes=["ENVI"], state="draft")
    catalog.dataset("Badplatser intern", themes=["SOCI"], state="private")
    result = search_datasets(session, SearchQuery(q="badplats"), None)
    assert (result.total, [d.slug for d in result.datasets]) == (1, ["badplatser"])
    assert result.facets["theme"] == [("ENVI", 1)]


def test_an_editor_sees_the_drafts_of_their_own_organisation_only(catalog: Catalog, session: Session) -> None:
    catalog.organization("sjovik-energi")
    catalog.dataset("Egen utkast", state="draft")
    catalog.dataset("Annans utkast", organization="sjovik-energi", state="draft")
    editor = catalog.editor("red@sjovik.example", "sjovik")
    result = search_datasets(session, SearchQuery(), editor)
    assert [d.title["sv"] for d in result.datasets] == ["Egen utkast"]


def test_an_admin_sees_every_dataset(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Publicerad")
    catalog.dataset("Utkast", state="draft")
    assert search_datasets(session, SearchQuery(), catalog.admin).total == 2


def test_paging_gives_each_dataset_once(catalog: Catalog, session: Session) -> None:
    for n in range(7):
        catalog.dataset(f"Datamängd {n}")
    pages = [titles(session, sort="title", page=page, size=3) for page in (1, 2, 3)]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert sorted(title for page in pages for title in page) == [f"Datamängd {n}" for n in range(7)]


def test_a_changed_title_is_found_by_its_new_words_only(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Badplatser", description={"sv": "Platser vid vatten."})
    datasets.update_dataset(session, "badplatser", DatasetPatch(title={"sv": "Lekplatser"}), catalog.admin)
    session.commit()
    assert (titles(session, q="badplats"), titles(session, q="lekplats")) == ([], ["Lekplatser"])


def test_a_deleted_dataset_is_no_longer_found(catalog: Catalog, session: Session, tmp_path: object) -> None:
    catalog.dataset("Badplatser")
    datasets.delete_dataset(session, "badplatser", catalog.admin, files_dir=tmp_path)  # type: ignore[arg-type]
    session.commit()
    assert titles(session, q="badplats") == []


def test_organisation_counts_ignore_the_organisation_filter(catalog: Catalog, session: Session) -> None:
    catalog.organization("sjovik-energi")
    catalog.dataset("Badplatser", license="CC0")
    catalog.dataset("Laddstationer", organization="sjovik-energi", license="CC_BY_4_0")
    facets = search_datasets(session, SearchQuery(organization=["sjovik"]), None).facets
    assert facets["organization"] == [("sjovik", 1), ("sjovik-energi", 1)]
    assert facets["license"] == [("CC0", 1)]


def test_equal_facet_counts_are_in_swedish_order(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Badplatser", keywords={"sv": ["Örebro", "bad", "Zon", "ängar"]})
    keywords = search_datasets(session, SearchQuery(), None).facets["keyword"]
    assert [word for word, _count in keywords] == ["bad", "Zon", "ängar", "Örebro"]


def test_the_keyword_facet_can_list_one_language_only(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Badplatser", keywords={"sv": ["bad", "strand"], "en": ["bathing"]})
    english = search_datasets(session, SearchQuery(keyword_language="en"), None).facets["keyword"]
    every = search_datasets(session, SearchQuery(), None).facets["keyword"]
    assert (english, every) == ([("bathing", 1)], [("bad", 1), ("bathing", 1), ("strand", 1)])


def test_a_keyword_in_both_languages_counts_its_dataset_once(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Kartor", keywords={"sv": ["GeoJSON"], "en": ["GeoJSON"]})
    assert search_datasets(session, SearchQuery(), None).facets["keyword"] == [("GeoJSON", 1)]


def test_a_keyword_filter_matches_in_any_language(catalog: Catalog, session: Session) -> None:
    catalog.dataset("Badplatser", keywords={"en": ["bathing"]})
    assert titles(session, keyword=["bathing"], keyword_language="sv") == ["Badplatser"]


def test_the_counts_of_the_whole_catalog_follow_every_committed_change(
    catalog: Catalog, session: Session
) -> None:
    catalog.dataset("Badplatser", themes=["ENVI"])
    catalog.dataset("Lekplatser", themes=["SOCI"])
    before = search_datasets(session, SearchQuery(), None)
    datasets.update_dataset(session, "lekplatser", DatasetPatch(state="draft"), catalog.admin)
    session.commit()
    after = search_datasets(session, SearchQuery(), None)
    assert (before.total, after.total, after.facets["theme"]) == (2, 1, [("ENVI", 1)])
