"""interop/dcat_document.py: many graphs become one well-formed document, written one graph at a time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

from datatorget.interop.dcat_document import RdfFormat, write_document
from datatorget.interop.dcat_import import parse_rdf
from datatorget.interop.dcat_vocab import new_graph

FORMATS = ["rdf", "ttl", "jsonld"]


def _dataset(n: int) -> Graph:
    graph = new_graph()
    node = URIRef(f"http://portal.test/datasets/{n}")
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.title, Literal(f"Badplatser {n}", lang="sv")))
    graph.add((node, DCTERMS.title, Literal(f"Bathing sites {n}", lang="en")))
    graph.add((node, DCTERMS.modified, Literal(datetime(2025, 1, n, tzinfo=UTC))))
    return graph


def _union(graphs: list[Graph]) -> Graph:
    union = Graph()
    for graph in graphs:
        union += graph
    return union


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_document_holds_every_graph(fmt: RdfFormat) -> None:
    graphs = [_dataset(n) for n in (1, 2, 3)]
    assert isomorphic(parse_rdf(b"".join(write_document(graphs, fmt)), fmt), _union(graphs))


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_writer_takes_one_graph_at_a_time(fmt: RdfFormat) -> None:
    taken: list[int] = []

    def graphs() -> Iterator[Graph]:
        for n in (1, 2, 3):
            taken.append(n)
            yield _dataset(n)

    parts = write_document(graphs(), fmt)
    written = [next(parts), next(parts)]  # the head (RDF/XML and JSON-LD) and the first graph
    assert len(taken) <= 2
    written.extend(parts)
    assert taken == [1, 2, 3]
    assert len(set(parse_rdf(b"".join(written), fmt).subjects(RDF.type, DCAT.Dataset))) == 3


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_document_of_no_graphs_is_well_formed_and_empty(fmt: RdfFormat) -> None:
    assert len(parse_rdf(b"".join(write_document([], fmt)), fmt)) == 0


def test_rdf_xml_refuses_a_namespace_without_a_shared_prefix() -> None:
    graph = new_graph()
    graph.add(
        (URIRef("http://portal.test/x"), Namespace("http://other.example/ns#").p, Literal("x", lang="sv"))
    )
    with pytest.raises(ValueError, match="namespaces without a shared prefix"):
        b"".join(write_document([graph], "rdf"))
