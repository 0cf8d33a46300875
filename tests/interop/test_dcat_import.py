"""interop/dcat_import.py: what the export writes reads back as the same data, and other catalogs' DCAT-AP-SE
(blank nodes, untagged texts, terms we do not know) reads as far as it can."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from datatorget.catalog.datasets import snapshot
from datatorget.catalog.models import Dataset, Distribution
from datatorget.catalog.present import file_url, has_version
from datatorget.catalog.schemas import DatasetIn
from datatorget.catalog.vocabulary import file_type_for_filename, term
from datatorget.interop.dcat_document import RdfFormat, write_document
from datatorget.interop.dcat_export import data_service_iri, dataset_graph, distribution_iri
from datatorget.interop.dcat_import import (
    HarvestedDistribution,
    HarvestedPublisher,
    UnreadableRdf,
    parse_rdf,
    read_catalog,
)
from tests.interop.demo_portal import BASE_URL, DemoPortal, all_datasets


@pytest.fixture(scope="module")
def published(portal: DemoPortal) -> Iterator[list[Dataset]]:
    with portal.session() as session:
        yield [d for d in all_datasets(session) if d.state == "published"]


def _round_trip(dataset: Dataset, fmt: RdfFormat) -> Any:
    document = b"".join(write_document([dataset_graph(dataset, base_url=BASE_URL)], fmt))
    (harvested,) = read_catalog(parse_rdf(document, fmt)).datasets
    return harvested


def _sorted(fields: dict[str, Any]) -> dict[str, Any]:
    """Fields with their lists in order: RDF keeps no order among the values of a property."""
    fields = dict(fields)
    for name in ("themes", "spatial", "conforms_to", "hvd_categories"):
        fields[name] = sorted(fields[name])
    fields["keywords"] = {lang: sorted(words) for lang, words in fields["keywords"].items()}
    return fields


@pytest.mark.parametrize("fmt", ["rdf", "ttl", "jsonld"])
def test_the_fields_of_each_demo_dataset_come_back(fmt: RdfFormat, published: list[Dataset]) -> None:
    for dataset in published:
        harvested = _round_trip(dataset, fmt)
        chosen = {"slug": dataset.slug, "organization": dataset.organization.slug, "state": dataset.state}
        back = DatasetIn.model_validate({**harvested.dataset_fields(), **chosen})
        expected = DatasetIn.model_validate(snapshot(dataset)).model_dump()
        if expected["contact_point"] is None:  # the export gives the publisher's contact in its place
            organization = dataset.organization
            expected["contact_point"] = {
                "name": organization.contact_name,
                "email": organization.contact_email,
            }
        assert _sorted(back.model_dump()) == _sorted(expected)
        assert (harvested.uri, harvested.identifier) == (f"{BASE_URL}/datasets/{dataset.id}", str(dataset.id))
        assert (harvested.issued, harvested.modified) == (dataset.issued, dataset.modified)
        assert harvested.notes == []


def test_the_publisher_comes_back_with_its_organisation_number(published: list[Dataset]) -> None:
    dataset = next(d for d in published if d.organization.slug == "sjovik")
    assert _round_trip(dataset, "ttl").publisher == HarvestedPublisher(
        uri="http://dataportal.se/organisation/SE2120009879",
        name={"sv": "Sjöviks kommun"},
        org_number="212000-9879",
        publisher_type="LocalAuthority",
        homepage=dataset.organization.homepage,
    )


def _expected(distribution: Distribution, dataset: Dataset) -> HarvestedDistribution:
    uploaded = file_url(BASE_URL, distribution) if distribution.file_name else None
    file_type = term("file_types", distribution.format) if distribution.format else None
    file_type = file_type or file_type_for_filename(distribution.file_name or distribution.access_url or "")
    return HarvestedDistribution(
        uri=str(distribution_iri(BASE_URL, distribution)),
        title=distribution.title,
        description=distribution.description,
        access_url=uploaded or distribution.access_url,
        download_url=uploaded or distribution.download_url,
        format=file_type.code if file_type else None,
        media_type=distribution.media_type or (file_type.media_type if file_type else None),
        byte_size=distribution.byte_size,
        license=distribution.license or dataset.license,
        issued=distribution.issued,
        modified=distribution.modified,
        access_service=f"{data_service_iri(BASE_URL, distribution)}/rows"
        if has_version(distribution)
        else None,
    )


@pytest.mark.parametrize("fmt", ["rdf", "ttl", "jsonld"])
def test_the_distributions_come_back_with_their_data_services(
    fmt: RdfFormat, published: list[Dataset]
) -> None:
    services = 0
    for dataset in published:
        harvested = _round_trip(dataset, fmt)
        expected = sorted((_expected(d, dataset) for d in dataset.distributions), key=lambda d: d.uri)
        assert harvested.distributions == expected
        services += sum(1 for d in harvested.distributions if d.access_service)
    assert services > 0


OTHER_CATALOG = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://kommun.example/dcat?page=1> a hydra:PagedCollection ;
    hydra:totalItems 42 ;
    hydra:nextPage <https://kommun.example/dcat?page=2> .

<https://kommun.example/ds/1> a dcat:Dataset ;
    dct:title "Parkeringar" ;
    dct:description "Kommunens parkeringsplatser."@sv, "The municipality's car parks."@en ;
    dcat:keyword "parkering" ;
    dcat:theme <http://publications.europa.eu/resource/authority/data-theme/TRAN>,
        <https://kommun.example/teman/parkering> ;
    dct:publisher [ a foaf:Agent ; foaf:name "Exempels kommun" ] ;
    dcat:contactPoint [ a vcard:Organization ; vcard:fn "Gatukontoret" ; vcard:hasEmail <mailto:gata@kommun.example> ] ;
    dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2024-01-01"^^xsd:date ] ;
    dct:modified "2025-03-01"^^xsd:date ;
    dcat:distribution [ a dcat:Distribution ;
        dcat:accessURL <https://kommun.example/parkeringar.csv> ;
        dct:format "text/csv" ;
        dct:license <https://creativecommons.org/licenses/by/4.0/> ] .
"""


def test_another_catalogs_blank_nodes_and_untagged_texts_are_read() -> None:
    catalog = read_catalog(parse_rdf(OTHER_CATALOG, "ttl"))
    assert (catalog.total, catalog.next_page) == (42, "https://kommun.example/dcat?page=2")
    (dataset,) = catalog.datasets
    assert dataset.title == {"sv": "Parkeringar"}
    assert dataset.description == {
        "sv": "Kommunens parkeringsplatser.",
        "en": "The municipality's car parks.",
    }
    assert dataset.keywords == {"sv": ["parkering"]}
    assert dataset.contact_point == {"name": "Gatukontoret", "email": "gata@kommun.example"}
    assert dataset.publisher is not None and dataset.publisher.name == {"sv": "Exempels kommun"}
    assert dataset.publisher.org_number is None
    assert (dataset.temporal_start, dataset.temporal_end) == (date(2024, 1, 1), None)
    assert dataset.modified == datetime(2025, 3, 1, tzinfo=UTC)
    (distribution,) = dataset.distributions
    assert (distribution.format, distribution.license) == ("CSV", "CC_BY_4_0")
    assert dataset.license == "CC_BY_4_0"


def test_a_theme_not_in_the_vocabulary_is_left_out_and_noted() -> None:
    (dataset,) = read_catalog(parse_rdf(OTHER_CATALOG, "ttl")).datasets
    assert dataset.themes == ["TRAN"]
    assert dataset.notes == ["https://kommun.example/teman/parkering is not in the themes vocabulary"]


@pytest.mark.parametrize(("fmt", "document"), [("ttl", "<a> <b> ."), ("rdf", "<rdf:RDF"), ("jsonld", "{")])
def test_a_document_that_is_not_well_formed_is_refused(fmt: RdfFormat, document: str) -> None:
    with pytest.raises(UnreadableRdf, match="not well-formed"):
        parse_rdf(document, fmt)
