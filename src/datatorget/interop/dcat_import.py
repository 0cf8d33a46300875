"""DCAT-AP-SE RDF read back into plain data: datasets, their distributions and publishers.

Pure: RDF text (or an rdflib graph) in, frozen dataclasses out; no database and no network. It reads what
dcat_export writes, and what other DCAT-AP-SE catalogs publish (blank nodes included), for the harvester.
Terms of the controlled vocabularies become our codes; a term we do not know is left out and noted.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from xml.sax import SAXException

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF
from rdflib.term import Node

from datatorget.catalog.vocabulary import VocabularyName, file_type_for_media_type
from datatorget.errors import DatatorgetError
from datatorget.interop.dcat_document import RdfFormat
from datatorget.interop.dcat_vocab import (
    DCATAP,
    HYDRA,
    VCARD,
    media_type_from_iri,
    org_number_from_iri,
    term_code,
)

RDFLIB_FORMATS: dict[RdfFormat, str] = {"rdf": "xml", "ttl": "turtle", "jsonld": "json-ld"}
FORMAT_NAMES: dict[RdfFormat, str] = {"rdf": "RDF/XML", "ttl": "Turtle", "jsonld": "JSON-LD"}
DEFAULT_LANGUAGE = "sv"  # a literal without a language tag, in a Swedish catalog


class UnreadableRdf(DatatorgetError):
    """A document that is not the RDF it says it is."""


@dataclass(frozen=True)
class HarvestedPublisher:
    uri: str
    name: dict[str, str]
    org_number: str | None
    publisher_type: str | None
    homepage: str | None


@dataclass(frozen=True)
class HarvestedDistribution:
    uri: str
    title: dict[str, str]
    description: dict[str, str]
    access_url: str | None
    download_url: str | None
    format: str | None  # file-type code
    media_type: str | None
    byte_size: int | None
    license: str | None  # licence code
    issued: datetime | None
    modified: datetime | None
    access_service: str | None  # the endpoint URL of its data service


@dataclass(frozen=True)
class HarvestedDataset:
    uri: str
    identifier: str | None
    title: dict[str, str]
    description: dict[str, str]
    keywords: dict[str, list[str]]
    themes: list[str]
    publisher: HarvestedPublisher | None
    contact_point: dict[str, str] | None  # {"name", "email"}
    license: str | None  # the licence of its distributions (the most common one)
    access_rights: str | None
    spatial: list[str]
    temporal_start: date | None
    temporal_end: date | None
    frequency: str | None
    landing_page: str | None
    conforms_to: list[str]
    hvd_categories: list[str]
    issued: datetime | None
    modified: datetime | None
    distributions: list[HarvestedDistribution]
    notes: list[str] = field(default_factory=list)  # what was left out, and why

    def dataset_fields(self) -> dict[str, Any]:
        """The fields of a `DatasetIn`, but for its organisation and slug, which the harvester chooses."""
        temporal = None
        if self.temporal_start or self.temporal_end:
            temporal = {"start": self.temporal_start, "end": self.temporal_end}
        return {
            "title": self.title,
            "description": self.description,
            "keywords": self.keywords,
            "themes": self.themes,
            "contact_point": self.contact_point,
            "license": self.license,
            "access_rights": self.access_rights,
            "spatial": self.spatial,
            "temporal": temporal,
            "frequency": self.frequency,
            "landing_page": self.landing_page,
            "conforms_to": self.conforms_to,
            "hvd_categories": self.hvd_categories,
        }


@dataclass(frozen=True)
class HarvestedCatalog:
    datasets: list[HarvestedDataset]
    next_page: str | None  # Hydra: the address of the next page, if any
    total: int | None  # Hydra: the number of datasets in all pages


def parse_rdf(data: str | bytes, fmt: RdfFormat) -> Graph:
    """The graph of an RDF document; UnreadableRdf when it is not well-formed."""
    with warnings.catch_warnings():
        # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph inside
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return Graph().parse(data=data, format=RDFLIB_FORMATS[fmt])
        except (SyntaxError, SAXException, ValueError) as exc:
            raise UnreadableRdf(f"not well-formed {FORMAT_NAMES[fmt]}: {exc}") from exc


def read_catalog(graph: Graph) -> HarvestedCatalog:
    """Every dataset in the graph (in the order of their URIs), and the Hydra paging."""
    datasets = [
        read_dataset(graph, node) for node in sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str)
    ]
    next_page = _one(graph, None, HYDRA.next) or _one(graph, None, HYDRA.nextPage)
    total = _one(graph, None, HYDRA.totalItems)
    return HarvestedCatalog(
        datasets=datasets,
        next_page=str(next_page) if next_page is not None else None,
        total=int(total.toPython()) if isinstance(total, Literal) else None,
    )


def read_dataset(graph: Graph, node: Node) -> HarvestedDataset:
    notes: list[str] = []
    distributions = [
        read_distribution(graph, d, notes)
        for d in sorted(set(graph.objects(node, DCAT.distribution)), key=str)
    ]
    licenses = Counter(d.license for d in distributions if d.license)
    period = _one(graph, node, DCTERMS.temporal)
    publisher = _one(graph, node, DCTERMS.publisher)
    identifier = _one(graph, node, DCTERMS.identifier)
    return HarvestedDataset(
        uri=str(node),
        identifier=str(identifier) if identifier is not None else None,
        title=_texts(graph, node, DCTERMS.title),
        description=_texts(graph, node, DCTERMS.description),
        keywords=_keywords(graph, node),
        themes=_codes(graph, node, DCAT.theme, "themes", notes),
        publisher=read_publisher(graph, publisher) if publisher is not None else None,
        contact_point=_contact_point(graph, _one(graph, node, DCAT.contactPoint)),
        license=licenses.most_common(1)[0][0] if licenses else None,
        access_rights=_code(graph, node, DCTERMS.accessRights, "access_rights", notes),
        spatial=sorted(
            str(place) for place in graph.objects(node, DCTERMS.spatial) if isinstance(place, URIRef)
        ),
        temporal_start=_date(_one(graph, period, DCAT.startDate)) if period is not None else None,
        temporal_end=_date(_one(graph, period, DCAT.endDate)) if period is not None else None,
        frequency=_code(graph, node, DCTERMS.accrualPeriodicity, "frequencies", notes),
        landing_page=_iri(_one(graph, node, DCAT.landingPage)),
        conforms_to=sorted(str(s) for s in graph.objects(node, DCTERMS.conformsTo) if isinstance(s, URIRef)),
        hvd_categories=_codes(graph, node, DCATAP.hvdCategory, "hvd_categories", notes),
        issued=_moment(_one(graph, node, DCTERMS.issued)),
        modified=_moment(_one(graph, node, DCTERMS.modified)),
        distributions=distributions,
        notes=notes,
    )


def read_distribution(graph: Graph, node: Node, notes: list[str]) -> HarvestedDistribution:
    file_type = _one(graph, node, DCTERMS.format)
    media_type = _one(graph, node, DCAT.mediaType)
    media = media_type_from_iri(str(media_type)) if media_type is not None else None
    code = term_code("file_types", str(file_type)) if file_type is not None else None
    if code is None and file_type is not None:  # a media type given as the format, as some catalogs do
        found = file_type_for_media_type(media_type_from_iri(str(file_type)))
        code = found.code if found else None
        if found is None:
            notes.append(f"format {file_type} is not in the file_types vocabulary")
    size = _one(graph, node, DCAT.byteSize)
    service = _one(graph, node, DCAT.accessService)
    return HarvestedDistribution(
        uri=str(node),
        title=_texts(graph, node, DCTERMS.title),
        description=_texts(graph, node, DCTERMS.description),
        access_url=_iri(_one(graph, node, DCAT.accessURL)),
        download_url=_iri(_one(graph, node, DCAT.downloadURL)),
        format=code,
        media_type=media,
        byte_size=int(size.toPython()) if isinstance(size, Literal) else None,
        license=_code(graph, node, DCTERMS.license, "licenses", notes),
        issued=_moment(_one(graph, node, DCTERMS.issued)),
        modified=_moment(_one(graph, node, DCTERMS.modified)),
        access_service=_iri(_one(graph, service, DCAT.endpointURL)) if service is not None else None,
    )


def read_publisher(graph: Graph, node: Node) -> HarvestedPublisher:
    number = _one(graph, node, DCTERMS.identifier)
    kind = _one(graph, node, DCTERMS.type)
    return HarvestedPublisher(
        uri=str(node),
        name=_texts(graph, node, FOAF.name),
        org_number=org_number_from_iri(str(node)) or (str(number) if number is not None else None),
        publisher_type=term_code("publisher_types", str(kind)) if kind is not None else None,
        homepage=_iri(_one(graph, node, FOAF.homepage)),
    )


def _contact_point(graph: Graph, node: Node | None) -> dict[str, str] | None:
    if node is None:
        return None
    email = _one(graph, node, VCARD.hasEmail)
    if email is None:
        return None
    name = _texts(graph, node, VCARD.fn)
    address = str(email).removeprefix("mailto:")
    return {"name": name.get(DEFAULT_LANGUAGE) or next(iter(name.values()), address), "email": address}


def _one(graph: Graph, node: Node | None, predicate: URIRef) -> Node | None:
    return min(graph.objects(node, predicate), key=str, default=None)


def _texts(graph: Graph, node: Node, predicate: URIRef) -> dict[str, str]:
    texts: dict[str, str] = {}
    for value in sorted(graph.objects(node, predicate), key=str):
        if isinstance(value, Literal):
            texts.setdefault(value.language or DEFAULT_LANGUAGE, str(value))
    return texts


def _keywords(graph: Graph, node: Node) -> dict[str, list[str]]:
    words: dict[str, list[str]] = {}
    for value in graph.objects(node, DCAT.keyword):
        if isinstance(value, Literal):
            words.setdefault(value.language or DEFAULT_LANGUAGE, []).append(str(value))
    return {lang: sorted(found) for lang, found in sorted(words.items())}


def _code(graph: Graph, node: Node, predicate: URIRef, name: VocabularyName, notes: list[str]) -> str | None:
    codes = _codes(graph, node, predicate, name, notes)
    return codes[0] if codes else None


def _codes(graph: Graph, node: Node, predicate: URIRef, name: VocabularyName, notes: list[str]) -> list[str]:
    codes = []
    for value in sorted(graph.objects(node, predicate), key=str):
        code = term_code(name, str(value))
        if code is None:
            notes.append(f"{value} is not in the {name} vocabulary")
        elif code not in codes:
            codes.append(code)
    return codes


def _iri(value: Node | None) -> str | None:
    return str(value) if value is not None else None


def _date(value: Node | None) -> date | None:
    if not isinstance(value, Literal):
        return None
    found = value.toPython()
    if isinstance(found, datetime):
        return found.date()
    return found if isinstance(found, date) else None


def _moment(value: Node | None) -> datetime | None:
    if not isinstance(value, Literal):
        return None
    found = value.toPython()
    if isinstance(found, datetime):
        return found if found.tzinfo else found.replace(tzinfo=UTC)
    if isinstance(found, date):
        return datetime.combine(found, time(), tzinfo=UTC)
    return None
