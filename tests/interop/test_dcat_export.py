"""interop/dcat_export.py: the demo catalog as DCAT-AP-SE, checked against the official SHACL shapes and
against the Swedish rules one by one.

The demo portal is loaded once per module (its tables read in), and its catalog validated once: pyshacl is
slow on large graphs, so each rule below reads the same graph.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS
from rdflib.term import Node

from datatorget.catalog.models import Dataset, Organization
from datatorget.interop.dcat_document import RdfFormat, write_document
from datatorget.interop.dcat_export import (
    CatalogDescription,
    PageView,
    catalog_graph,
    catalog_iri,
    dataset_graph,
)
from datatorget.interop.dcat_feed import FeedQuery, catalog_graphs, count_datasets
from datatorget.interop.dcat_import import parse_rdf
from datatorget.interop.dcat_vocab import CC0, DCATAP, HVD_LEGISLATION, HYDRA, VCARD, new_graph
from tests.interop.demo_portal import BASE_URL, DemoPortal, all_datasets
from tests.interop.shapes import dcat_ap_shapes, hvd_shapes, violations

FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "http://www.iana.org/assignments/media-types/"


def _catalog(portal: DemoPortal, fmt: RdfFormat) -> bytes:
    with portal.session() as session:
        graphs = catalog_graphs(
            session,
            FeedQuery(),
            base_url=BASE_URL,
            publisher_slug="",
            page_size=1000,
            document_url=f"{BASE_URL}/datasets/dcat",
            total=count_datasets(session, FeedQuery()),
        )
        return b"".join(write_document(graphs, fmt))


@pytest.fixture(scope="module")
def catalog(portal: DemoPortal) -> Graph:
    """The whole demo catalog, written as Turtle and read back."""
    return parse_rdf(_catalog(portal, "ttl"), "ttl")


@pytest.fixture(scope="module")
def demo_datasets(portal: DemoPortal) -> Iterator[list[Dataset]]:
    with portal.session() as session:
        yield all_datasets(session)


def _objects(graph: Graph, subject: Node | None, predicate: URIRef) -> set[str]:
    return {str(o) for o in graph.objects(subject, predicate)}


# --- the official shapes -------------------------------------------------------------------------------


def test_the_demo_catalog_has_no_dcat_ap_3_0_1_violations(catalog: Graph) -> None:
    assert violations(catalog, dcat_ap_shapes()) == []


def test_the_high_value_datasets_have_no_hvd_violations(demo_datasets: list[Dataset]) -> None:
    high_value = [d for d in demo_datasets if d.hvd_categories and d.state == "published"]
    assert len(high_value) >= 2
    graph = new_graph()
    for dataset in high_value:
        graph += dataset_graph(dataset, base_url=BASE_URL)
    assert violations(graph, hvd_shapes()) == []


def test_rdf_xml_turtle_and_json_ld_carry_the_same_graph(portal: DemoPortal, catalog: Graph) -> None:
    assert isomorphic(parse_rdf(_catalog(portal, "rdf"), "rdf"), catalog)
    assert isomorphic(parse_rdf(_catalog(portal, "jsonld"), "jsonld"), catalog)


# --- the Swedish rules ---------------------------------------------------------------------------------


def test_only_published_datasets_are_in_the_catalog(catalog: Graph, demo_datasets: list[Dataset]) -> None:
    published = {f"{BASE_URL}/datasets/{d.id}" for d in demo_datasets if d.state == "published"}
    assert any(d.state != "published" for d in demo_datasets)
    assert {str(s) for s in catalog.subjects(RDF.type, DCAT.Dataset)} == published
    assert _objects(catalog, catalog_iri(BASE_URL), DCAT.dataset) == published


def test_nothing_is_a_blank_node(catalog: Graph) -> None:
    """DCAT-AP-SE forbids blank nodes for the catalog, datasets, distributions, publishers and contact
    points; the export uses none at all."""
    assert [t for t in catalog if any(isinstance(term, BNode) for term in t)] == []


def test_there_are_no_catalog_records(catalog: Graph) -> None:
    assert list(catalog.subjects(RDF.type, DCAT.CatalogRecord)) == []
    assert list(catalog.objects(None, DCAT.record)) == []


def test_publishers_with_an_organisation_number_have_dataportal_se_iris(catalog: Graph) -> None:
    assert set(map(str, catalog.subjects(RDF.type, FOAF.Agent))) == {
        "http://dataportal.se/organisation/SE2120009879",
        "http://dataportal.se/organisation/SE5569991234",
        "http://dataportal.se/organisation/SE5599994562",
    }


def test_a_publisher_without_an_organisation_number_gets_the_portals_iri() -> None:
    graph = dataset_graph(
        _dataset(Organization(slug="sjovik-vatten", name="Sjövik Vatten AB")), base_url=BASE_URL
    )
    assert set(map(str, graph.objects(None, DCTERMS.publisher))) == {
        f"{BASE_URL}/api/v1/organizations/sjovik-vatten"
    }


def test_the_identifier_of_each_dataset_is_its_uuid(catalog: Graph) -> None:
    for dataset in catalog.subjects(RDF.type, DCAT.Dataset):
        (identifier,) = catalog.objects(dataset, DCTERMS.identifier)
        assert str(dataset) == f"{BASE_URL}/datasets/{uuid.UUID(str(identifier))}"


def test_every_free_text_literal_has_a_language_tag(catalog: Graph) -> None:
    free_text = (DCTERMS.title, DCTERMS.description, DCAT.keyword, FOAF.name, VCARD.fn, SKOS.prefLabel)
    literals = [o for p in free_text for o in catalog.objects(None, p)]
    assert len(literals) > 100
    assert [o for o in literals if not (isinstance(o, Literal) and o.language)] == []


def test_the_catalog_licence_is_cc0(catalog: Graph) -> None:
    assert list(catalog.objects(catalog_iri(BASE_URL), DCTERMS.license)) == [CC0]


def test_distributions_give_eu_file_types_and_iana_media_types(catalog: Graph) -> None:
    distributions = list(catalog.subjects(RDF.type, DCAT.Distribution))
    assert distributions
    for distribution in distributions:
        (file_type,) = catalog.objects(distribution, DCTERMS.format)
        (media_type,) = catalog.objects(distribution, DCAT.mediaType)
        assert str(file_type).startswith(FILE_TYPES) and str(media_type).startswith(IANA)
    assert {str(f).removeprefix(FILE_TYPES) for f in catalog.objects(None, DCTERMS.format)} >= {
        "CSV",
        "GEOJSON",
    }
    assert f"{IANA}text/csv" in _objects(catalog, None, DCAT.mediaType)


def test_high_value_datasets_name_their_category_and_the_legislation(
    catalog: Graph, demo_datasets: list[Dataset]
) -> None:
    for dataset in demo_datasets:
        if dataset.state != "published":
            continue
        node = URIRef(f"{BASE_URL}/datasets/{dataset.id}")
        categories = {f"http://data.europa.eu/bna/{code}" for code in dataset.hvd_categories}
        assert _objects(catalog, node, DCATAP.hvdCategory) == categories
        legislation = {str(HVD_LEGISLATION)} if categories else set()
        assert _objects(catalog, node, DCATAP.applicableLegislation) == legislation


def test_each_table_is_a_data_service_with_its_openapi_description(catalog: Graph) -> None:
    services = set(catalog.subjects(RDF.type, DCAT.DataService))
    assert services
    assert set(catalog.objects(catalog_iri(BASE_URL), DCAT.service)) == services
    for service in services:
        assert _objects(catalog, service, DCAT.endpointURL) == {f"{service}/rows"}
        assert _objects(catalog, service, DCAT.endpointDescription) == {f"{BASE_URL}/api/v1/openapi.json"}
        (dataset,) = catalog.objects(service, DCAT.servesDataset)
        (distribution,) = catalog.subjects(DCAT.accessService, service)
        assert (dataset, DCAT.distribution, distribution) in catalog


# --- paging and streaming ------------------------------------------------------------------------------


def test_a_middle_page_links_to_the_first_previous_next_and_last() -> None:
    view = PageView(f"{BASE_URL}/catalog.ttl", {"modified_since": "2025-01-01T00:00:00+00:00"}, 2, 10, 35)
    graph = new_graph()
    graph += _page_graph(view)
    page = view.page_url(2)
    assert str(page) == f"{BASE_URL}/catalog.ttl?modified_since=2025-01-01T00%3A00%3A00%2B00%3A00&page=2"
    links = {p: _objects(graph, page, p) for p in (HYDRA.first, HYDRA.previous, HYDRA.next, HYDRA.last)}
    assert links == {
        HYDRA.first: {str(view.page_url(1))},
        HYDRA.previous: {str(view.page_url(1))},
        HYDRA.next: {str(view.page_url(3))},
        HYDRA.last: {str(view.page_url(4))},
    }
    assert list(graph.objects(page, HYDRA.totalItems)) == [Literal(35, datatype=HYDRA_COUNT)]


def test_the_last_page_has_no_next_and_the_first_no_previous() -> None:
    only = PageView(f"{BASE_URL}/catalog.ttl", {}, 1, 10, 7)
    graph = _page_graph(only)
    assert list(graph.objects(None, HYDRA.next)) == [] and list(graph.objects(None, HYDRA.previous)) == []
    assert _objects(graph, only.page_url(1), HYDRA.last) == {str(only.page_url(1))}


# --- helpers -------------------------------------------------------------------------------------------

HYDRA_COUNT = URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")


def _page_graph(view: PageView) -> Graph:
    description = CatalogDescription({"sv": "Katalog"}, {"sv": "Beskrivning"}, None, None)
    return catalog_graph(description, base_url=BASE_URL, view=view)


def _dataset(organization: Organization) -> Dataset:
    """A dataset that was never stored: the export needs only its fields."""
    now = datetime(2025, 1, 31, 12, tzinfo=UTC)
    return Dataset(
        id=uuid.uuid4(), slug="vattenprover", organization=organization, state="published",
        title={"sv": "Vattenprover"}, description={"sv": "Prover av dricksvattnet."}, keywords={}, themes=[],
        contact_point=None, license="CC0", access_rights="PUBLIC", spatial=[], temporal_start=None,
        temporal_end=None, frequency=None, landing_page=None, conforms_to=[], hvd_categories=[],
        issued=now, modified=now, distributions=[],
    )  # fmt: skip
