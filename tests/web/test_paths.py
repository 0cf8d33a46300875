"""The addresses of the pages in both languages, and the language link between them."""

from __future__ import annotations

from datatorget.web.paths import counterpart, is_safe_next, url


def test_each_page_has_a_swedish_and_an_english_address() -> None:
    assert url("dataset", "sv", slug="badplatser") == "/datamangder/badplatser"
    assert url("distribution_new", "en", slug="badplatser") == "/en/datasets/badplatser/distributions/new"


def test_the_counterpart_keeps_the_page_and_its_query() -> None:
    assert counterpart("/datamangder", "q=bad&theme=ENVI") == "/en/datasets?q=bad&theme=ENVI"
    assert counterpart("/en/datasets/badplatser/edit") == "/datamangder/badplatser/redigera"
    assert counterpart("/datamangder/ny") == "/en/datasets/new"


def test_an_unknown_address_has_the_other_home_page_as_counterpart() -> None:
    assert counterpart("/finns/inte/alls") == "/en/"
    assert counterpart("/en/no/such/page") == "/"


def test_only_paths_on_this_site_are_safe_to_return_to() -> None:
    assert is_safe_next("/datamangder/ny")
    assert not is_safe_next("//evil.example/")
    assert not is_safe_next("https://evil.example/")
    assert not is_safe_next("/\\evil.example")
