"""The demo municipality: what a portal loading it may rely on."""

import csv
import io
import json
import re

import pytest

from datatorget.catalog.schemas import DatasetIn, DistributionLinkIn, OrganizationIn
from datatorget.demo.content import DemoCatalog, DemoFile, demo_catalog

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
EU_THEMES = {
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


@pytest.fixture(scope="module")
def catalog() -> DemoCatalog:
    return demo_catalog()


def _files(catalog: DemoCatalog, file_format: str) -> list[DemoFile]:
    return [file for dataset in catalog.datasets for file in dataset.files if file.format == file_format]


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def test_the_catalog_is_the_same_on_every_call() -> None:
    first, second = demo_catalog(), demo_catalog()

    assert first == second
    assert [f.content for d in first.datasets for f in d.files] == [
        f.content for d in second.datasets for f in d.files
    ]


def test_slugs_are_unique_and_url_safe(catalog: DemoCatalog) -> None:
    slugs = [org["slug"] for org in catalog.organizations] + [d.fields["slug"] for d in catalog.datasets]

    assert len(slugs) == len(set(slugs))
    assert all(SLUG.match(slug) for slug in slugs)


def test_there_are_at_least_ten_datasets_across_at_least_eight_themes(catalog: DemoCatalog) -> None:
    themes = {theme for dataset in catalog.datasets for theme in dataset.fields["themes"]}

    assert len(catalog.datasets) >= 10
    assert len(themes) >= 8
    assert themes <= EU_THEMES


def test_every_dataset_has_a_swedish_and_english_title_and_description(catalog: DemoCatalog) -> None:
    for dataset in catalog.datasets:
        for field in ("title", "description"):
            assert dataset.fields[field]["sv"].strip(), (dataset.fields["slug"], field)
            assert dataset.fields[field]["en"].strip(), (dataset.fields["slug"], field)


def test_every_organisation_number_passes_the_luhn_check(catalog: DemoCatalog) -> None:
    for org in catalog.organizations:
        number = org["org_number"]

        assert re.fullmatch(r"\d{6}-\d{4}", number), number
        assert _luhn_valid(number.replace("-", "")), number


def test_every_geojson_file_is_a_feature_collection_of_points_in_sweden(catalog: DemoCatalog) -> None:
    geojson_files = _files(catalog, "GEOJSON")
    assert geojson_files

    for file in geojson_files:
        collection = json.loads(file.content.decode("utf-8"))

        assert collection["type"] == "FeatureCollection", file.filename
        assert 5 <= len(collection["features"]) <= 40, file.filename
        for feature in collection["features"]:
            assert feature["geometry"]["type"] == "Point", file.filename
            lon, lat = feature["geometry"]["coordinates"]
            assert 10.9 <= lon <= 24.2 and 55.3 <= lat <= 69.1, (file.filename, lon, lat)


def test_every_csv_file_has_the_same_number_of_semicolon_separated_columns_on_every_row(
    catalog: DemoCatalog,
) -> None:
    csv_files = _files(catalog, "CSV")
    assert csv_files

    for file in csv_files:
        rows = list(csv.reader(io.StringIO(file.content.decode("utf-8-sig")), delimiter=";"))

        assert len(rows) >= 2, file.filename
        assert len(rows[0]) > 1, file.filename
        assert {len(row) for row in rows} == {len(rows[0])}, file.filename


def test_all_files_together_are_smaller_than_one_and_a_half_megabytes(catalog: DemoCatalog) -> None:
    sizes = [len(file.content) for dataset in catalog.datasets for file in dataset.files]

    assert max(sizes) < 200_000
    assert sum(sizes) < 1_500_000


def test_exactly_one_dataset_is_not_published(catalog: DemoCatalog) -> None:
    unpublished = [d.fields["slug"] for d in catalog.datasets if d.fields["state"] != "published"]

    assert len(unpublished) == 1


def test_every_dataset_belongs_to_one_of_the_organisations(catalog: DemoCatalog) -> None:
    organisations = {org["slug"] for org in catalog.organizations}

    assert {d.fields["organization"] for d in catalog.datasets} <= organisations


def test_every_demo_organisation_and_dataset_is_valid_catalog_input() -> None:
    catalog = demo_catalog()
    for organization in catalog.organizations:
        OrganizationIn.model_validate(organization)
    for dataset in catalog.datasets:
        DatasetIn.model_validate(dataset.fields)
        for link in dataset.links:
            DistributionLinkIn(title=link.title, access_url=link.access_url, format=link.format)
