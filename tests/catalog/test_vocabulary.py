"""The DCAT-AP-SE 3.0.1 controlled vocabularies shipped with the catalog, and their lookups."""

from __future__ import annotations

import json
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from datatorget.catalog.vocabulary import (
    VOCABULARY_NAMES,
    VocabularyName,
    file_type_for_filename,
    file_type_for_media_type,
    term,
    term_by_uri,
    vocabulary,
)

BUNDLE = (
    Path(__file__).parents[2].parent
    / "shared"
    / "standards"
    / "diggsweden-dcat-ap-se"
    / "3.0.1"
    / "bundle.json"
)

# Vocabularies whose IRIs and labels come from the DCAT-AP-SE bundle, with the IRI prefix of their choices.
BUNDLE_BACKED: list[tuple[VocabularyName, str]] = [
    ("themes", "http://publications.europa.eu/resource/authority/data-theme/"),
    ("access_rights", "http://publications.europa.eu/resource/authority/access-right/"),
    ("frequencies", "http://publications.europa.eu/resource/authority/frequency/"),
    ("hvd_categories", "http://data.europa.eu/bna/c_"),
    ("publisher_types", "http://purl.org/adms/publishertype/"),
]

EU_DATA_THEMES = {
    "AGRI",
    "ECON",
    "EDUC",
    "ENER",
    "ENVI",
    "GOVE",
    "HEAL",
    "INTR",
    "JUST",
    "REGI",
    "SOCI",
    "TECH",
    "TRAN",
}

HVD_TOP_LEVEL = {
    "c_ac64a52d": "Geospatial",
    "c_dd313021": "Earth observation and environment",
    "c_164e0bf5": "Meteorological",
    "c_e1da4e07": "Statistics",
    "c_a9135398": "Companies and company ownership",
    "c_b79e35eb": "Mobility",
}


def _raw_document(name: VocabularyName) -> dict[str, Any]:
    source = resources.files("datatorget.catalog") / "vocabularies" / f"{name}.json"
    document: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def bundle_templates() -> dict[str, dict[str, Any]]:
    """The RDForms templates of the DCAT-AP-SE 3.0.1 bundle, by id."""
    if not BUNDLE.is_file():
        reason = f"the DCAT-AP-SE 3.0.1 bundle is not at {BUNDLE}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    templates = json.loads(BUNDLE.read_text(encoding="utf-8"))["templates"]
    return {template["id"]: template for template in templates}


@pytest.fixture(scope="module")
def bundle_labels(bundle_templates: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    """The labels of every choice in the bundle, by choice value."""
    return {
        choice["value"]: choice["label"]
        for template in bundle_templates.values()
        for choice in template.get("choices", [])
    }


@pytest.mark.parametrize("name", VOCABULARY_NAMES)
def test_every_vocabulary_loads_with_terms(name: VocabularyName) -> None:
    assert vocabulary(name)


@pytest.mark.parametrize("name", VOCABULARY_NAMES)
def test_every_vocabulary_file_names_itself_its_scheme_and_its_source(name: VocabularyName) -> None:
    document = _raw_document(name)
    assert document["name"] == name
    assert re.fullmatch(r"https?://\S+", document["scheme"])
    assert document["source"].strip()


@pytest.mark.parametrize("name", VOCABULARY_NAMES)
def test_every_term_has_a_swedish_and_an_english_label(name: VocabularyName) -> None:
    for t in vocabulary(name).values():
        assert t.label.get("sv", "").strip(), t.code
        assert t.label.get("en", "").strip(), t.code


@pytest.mark.parametrize("name", VOCABULARY_NAMES)
def test_every_term_has_an_absolute_http_iri_ending_in_its_code(name: VocabularyName) -> None:
    for t in vocabulary(name).values():
        assert re.fullmatch(r"https?://[^\s/]+/\S+", t.uri), t.uri
        assert t.uri.rsplit("/", 1)[1] == t.code


@pytest.mark.parametrize("name", VOCABULARY_NAMES)
def test_codes_and_iris_are_unique_within_a_vocabulary(name: VocabularyName) -> None:
    raw_terms = _raw_document(name)["terms"]
    assert len({raw["code"] for raw in raw_terms}) == len(raw_terms)
    assert len({raw["uri"] for raw in raw_terms}) == len(raw_terms)


@pytest.mark.parametrize("name", VOCABULARY_NAMES)
def test_term_by_uri_finds_every_term_by_its_own_iri(name: VocabularyName) -> None:
    for t in vocabulary(name).values():
        assert term_by_uri(name, t.uri) == t


def test_term_by_uri_returns_none_for_an_iri_outside_the_vocabulary() -> None:
    assert term_by_uri("themes", "http://publications.europa.eu/resource/authority/data-theme/NOPE") is None
    assert term_by_uri("themes", "http://publications.europa.eu/resource/authority/frequency/DAILY") is None


def test_term_finds_a_term_by_code() -> None:
    assert term("themes", "ENVI").uri == "http://publications.europa.eu/resource/authority/data-theme/ENVI"


def test_an_unknown_code_raises_key_error() -> None:
    with pytest.raises(KeyError):
        term("themes", "NOPE")


def test_label_in_gives_the_requested_language_and_falls_back_to_swedish() -> None:
    environment = term("themes", "ENVI")
    assert environment.label_in("en") == "Environment"
    assert environment.label_in("sv") == "Miljö"
    assert environment.label_in("de") == "Miljö"


def test_changing_a_returned_vocabulary_does_not_change_the_next_one() -> None:
    themes = vocabulary("themes")
    themes.clear()
    assert len(vocabulary("themes")) == 13


def test_themes_are_exactly_the_13_eu_data_themes() -> None:
    assert set(vocabulary("themes")) == EU_DATA_THEMES


def test_access_rights_are_public_restricted_and_non_public_in_that_order() -> None:
    assert list(vocabulary("access_rights")) == ["PUBLIC", "RESTRICTED", "NON_PUBLIC"]


def test_frequencies_run_from_continuous_to_never() -> None:
    codes = list(vocabulary("frequencies"))
    assert codes[0] == "CONT"
    assert codes[-1] == "NEVER"
    assert codes.index("DAILY") < codes.index("WEEKLY") < codes.index("MONTHLY") < codes.index("ANNUAL")


@pytest.mark.parametrize(("name", "prefix"), BUNDLE_BACKED)
def test_every_iri_is_a_choice_in_the_dcat_ap_se_bundle(
    name: VocabularyName, prefix: str, bundle_labels: dict[str, dict[str, str]]
) -> None:
    missing = [t.uri for t in vocabulary(name).values() if t.uri not in bundle_labels]
    assert not missing


@pytest.mark.parametrize(("name", "prefix"), BUNDLE_BACKED)
def test_every_matching_choice_in_the_dcat_ap_se_bundle_is_in_the_vocabulary(
    name: VocabularyName, prefix: str, bundle_labels: dict[str, dict[str, str]]
) -> None:
    missing = [uri for uri in bundle_labels if uri.startswith(prefix) and term_by_uri(name, uri) is None]
    assert not missing


@pytest.mark.parametrize(("name", "prefix"), BUNDLE_BACKED)
def test_labels_are_the_official_ones_from_the_dcat_ap_se_bundle(
    name: VocabularyName, prefix: str, bundle_labels: dict[str, dict[str, str]]
) -> None:
    for t in vocabulary(name).values():
        assert t.label_in("sv") == bundle_labels[t.uri]["sv"], t.code
        assert t.label_in("en") == bundle_labels[t.uri]["en"], t.code


def test_the_six_top_level_hvd_categories_are_those_of_regulation_2023_138() -> None:
    top_level = {t.code: t.label_in("en") for t in vocabulary("hvd_categories").values() if t.parent is None}
    assert top_level == HVD_TOP_LEVEL


def test_every_hvd_subcategory_has_a_top_level_category_as_parent() -> None:
    for t in vocabulary("hvd_categories").values():
        assert t.parent is None or t.parent in HVD_TOP_LEVEL, t.code


def test_licences_start_with_cc0_and_cc_by_4_0() -> None:
    assert list(vocabulary("licenses"))[:2] == ["CC0", "CC_BY_4_0"]


def test_licences_include_the_common_open_licences() -> None:
    expected = {
        "CC0",
        "CC_BY_4_0",
        "CC_BYSA_4_0",
        "CC_BYND_4_0",
        "CC_BYNC_4_0",
        "ODC_BY",
        "ODC_BL",
        "ODC_PDDL",
    }
    assert expected <= set(vocabulary("licenses"))


def test_every_licence_links_to_its_licence_text() -> None:
    for t in vocabulary("licenses").values():
        assert t.url is not None
        assert t.url.startswith("https://"), t.code
    assert term("licenses", "CC0").url == "https://creativecommons.org/publicdomain/zero/1.0/"


def test_a_licence_is_found_by_the_creative_commons_iri_dcat_ap_se_uses() -> None:
    found = term_by_uri("licenses", "http://creativecommons.org/licenses/by/4.0/")
    assert found is not None
    assert found.code == "CC_BY_4_0"


def test_every_creative_commons_licence_offered_by_dcat_ap_se_is_known(
    bundle_labels: dict[str, dict[str, str]],
) -> None:
    offered = [uri for uri in bundle_labels if uri.startswith("http://creativecommons.org/")]
    assert offered
    assert [uri for uri in offered if term_by_uri("licenses", uri) is None] == []


def test_every_file_type_carries_a_media_type_and_lower_case_extensions() -> None:
    for t in vocabulary("file_types").values():
        assert t.media_type is not None
        assert re.fullmatch(r"[a-z]+/[a-z0-9.+-]+", t.media_type), t.code
        assert t.extensions, t.code
        assert all(re.fullmatch(r"\.[a-z0-9]+", ext) for ext in t.extensions), t.code


def test_no_two_file_types_share_an_extension_or_a_media_type() -> None:
    file_types = vocabulary("file_types").values()
    extensions = [ext for t in file_types for ext in t.extensions]
    media_types = [t.media_type for t in file_types]
    assert len(set(extensions)) == len(extensions)
    assert len(set(media_types)) == len(media_types)


def test_the_required_file_types_are_there() -> None:
    expected = {
        "CSV", "TSV", "XLSX", "XLS", "ODS", "JSON", "JSON_LD", "GEOJSON", "XML", "PDF", "HTML", "ZIP",
        "PARQUET", "SHP", "GPKG", "KML", "GML", "RDF_XML", "RDF_TURTLE", "TXT", "DOCX", "ODT",
    }  # fmt: skip
    assert expected <= set(vocabulary("file_types"))


def test_file_type_for_filename_ignores_case() -> None:
    found = file_type_for_filename("Badplatser.CSV")
    assert found is not None
    assert found.code == "CSV"


def test_geojson_extension_maps_to_geojson_and_json_to_json() -> None:
    geojson = file_type_for_filename(".geojson")
    json_ = file_type_for_filename("data/badplatser.json")
    assert geojson is not None
    assert geojson.code == "GEOJSON"
    assert json_ is not None
    assert json_.code == "JSON"


def test_file_type_for_filename_is_none_without_a_known_extension() -> None:
    assert file_type_for_filename("README") is None
    assert file_type_for_filename("archive.unknownext") is None
    assert file_type_for_filename("folder.d/README") is None


def test_file_type_for_media_type_ignores_parameters_and_case() -> None:
    found = file_type_for_media_type("Text/CSV; charset=utf-8")
    assert found is not None
    assert found.code == "CSV"


def test_file_type_for_media_type_accepts_an_iana_media_type_iri() -> None:
    found = file_type_for_media_type("https://www.iana.org/assignments/media-types/application/geo+json")
    assert found is not None
    assert found.code == "GEOJSON"


def test_file_type_for_media_type_is_none_for_an_unknown_media_type() -> None:
    assert file_type_for_media_type("application/x-unheard-of") is None


def test_the_common_media_types_offered_by_dcat_ap_se_map_to_file_types(
    bundle_templates: dict[str, dict[str, Any]],
) -> None:
    # DCAT-AP-SE records dcterms:format as a media type; its '+zip' pseudo-types have no file type.
    choices = bundle_templates["dcat:format-group_common_choices"]["choices"]
    offered = [c["value"] for c in choices if not c["value"].endswith("+zip")]
    assert "text/csv" in offered
    assert [media for media in offered if file_type_for_media_type(media) is None] == []
