"""Datasets as DCAT-AP-SE 3.0.1 RDF: one small rdflib graph per dataset, written one after another.

Pure: catalog rows (a dataset with its organisation and distributions loaded) and the base URL in, graphs
out; nothing here reads the database or the request. The Swedish rules followed (DIGG's DCAT-AP-SE and
dataportal.se's harvesting):

- every catalog, dataset, distribution, data service, publisher and contact point has an IRI, never a
  blank node (nor has anything else we write); no dcat:CatalogRecord;
- the publisher's IRI is http://dataportal.se/organisation/SE<orgnr> when its organisation number is known;
- dcterms:identifier is the dataset's UUID; every free-text literal has a language tag;
- the catalog's licence is CC0; file types are EU file-type IRIs in dcterms:format, with the IANA media type
  IRI in dcat:mediaType;
- high-value datasets carry dcatap:hvdCategory and dcatap:applicableLegislation, as do their distributions
  and data services;
- the row API of each table read in from a distribution is a dcat:DataService (dcat:accessService).

Controlled-vocabulary terms are typed with the class their property expects (dct:LicenseDocument, ...) and
their concept scheme, so that the DCAT-AP shapes can check them without fetching the EU vocabularies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from datatorget.catalog.models import Dataset, Distribution, Organization
from datatorget.catalog.present import dataset_uri, file_url, has_version
from datatorget.catalog.vocabulary import (
    Term,
    VocabularyName,
    file_type_for_filename,
    file_type_for_media_type,
    term,
)
from datatorget.interop.dcat_vocab import (
    CC0,
    COUNTRIES,
    DCATAP,
    ELI,
    HVD_LEGISLATION,
    HYDRA,
    LANGUAGE_LABELS,
    LANGUAGE_SCHEME,
    LANGUAGES,
    SCHEME_TITLES,
    SCHEMES,
    VCARD,
    license_iri,
    media_type_iri,
    new_graph,
    publisher_iri,
)


@dataclass(frozen=True)
class CatalogDescription:
    """What the catalog says of itself. `publisher` None: the portal has no organisation yet."""

    title: dict[str, str]
    description: dict[str, str]
    publisher: Organization | None
    modified: datetime | None


@dataclass(frozen=True)
class PageView:
    """One page of the catalog, for the Hydra paging description (`page` counts from 1)."""

    url: str  # the catalog document's address, without query string
    params: dict[str, str]  # the query parameters other than `page`, kept in every page's address
    page: int
    page_size: int
    total: int

    @property
    def last_page(self) -> int:
        return last_page(self.total, self.page_size)

    def page_url(self, page: int) -> URIRef:
        return URIRef(f"{self.url}?{urlencode({**self.params, 'page': str(page)})}")


def last_page(total: int, page_size: int) -> int:
    """The number of the last page of `total` datasets (page 1 always exists, if empty)."""
    return max(1, -(-total // page_size))


def catalog_iri(base_url: str) -> URIRef:
    return URIRef(f"{base_url}/catalog")


def distribution_iri(base_url: str, distribution: Distribution) -> URIRef:
    return URIRef(f"{base_url}/api/v1/distributions/{distribution.id}")


def data_service_iri(base_url: str, distribution: Distribution) -> URIRef:
    return URIRef(f"{base_url}/api/v1/tables/{distribution.id}")


# --- graphs -------------------------------------------------------------------------------------------


def catalog_graph(
    catalog: CatalogDescription, *, base_url: str, view: PageView | None = None, terms: Graph | None = None
) -> Graph:
    """The catalog itself (without its datasets, which `dataset_graph` links to it) and the page view.
    `terms`: see `dataset_graph`."""
    writer = _Writer(base_url, terms)
    graph = writer.graph
    node = catalog_iri(base_url)
    graph.add((node, RDF.type, DCAT.Catalog))
    writer.texts(node, DCTERMS.title, catalog.title)
    writer.texts(node, DCTERMS.description, catalog.description)
    graph.add((node, DCTERMS.license, writer.license_document(CC0, None)))
    homepage = URIRef(f"{base_url}/")
    graph.add((node, FOAF.homepage, homepage))
    graph.add((homepage, RDF.type, FOAF.Document))
    for lang, language in LANGUAGES.items():
        graph.add((node, DCTERMS.language, language))
        writer.concept(language, LANGUAGE_SCHEME, LANGUAGE_LABELS[lang], DCTERMS.LinguisticSystem)
    graph.add((node, DCAT.themeTaxonomy, writer.scheme(SCHEMES["themes"])))
    if catalog.modified is not None:
        graph.add((node, DCTERMS.modified, Literal(catalog.modified)))
    graph.add((node, DCTERMS.publisher, writer.publisher(catalog.publisher)))
    if view is not None:
        _page_view(graph, view)
    return graph


def dataset_graph(
    dataset: Dataset, *, base_url: str, in_catalog: bool = False, terms: Graph | None = None
) -> Graph:
    """One dataset with its distributions, data services, publisher and contact point.

    `in_catalog`: link the dataset and its data services to the catalog. `terms`: a graph that collects the
    descriptions of the vocabulary terms used (labels, concept schemes), to be written once after all the
    datasets of a catalog; None: they are described in the dataset's own graph.
    """
    return _Writer(base_url, terms).dataset(dataset, in_catalog=in_catalog)


class _Writer:
    """Adds one dataset's triples to `graph`, and those of the terms it uses to `terms`."""

    def __init__(self, base_url: str, terms: Graph | None) -> None:
        self.base_url = base_url
        self.graph = new_graph()
        self.terms = self.graph if terms is None else terms

    def dataset(self, dataset: Dataset, *, in_catalog: bool) -> Graph:
        graph = self.graph
        node = URIRef(dataset_uri(self.base_url, dataset))
        if in_catalog:
            graph.add((catalog_iri(self.base_url), DCAT.dataset, node))
        graph.add((node, RDF.type, DCAT.Dataset))
        graph.add((node, DCTERMS.identifier, Literal(str(dataset.id))))
        self.texts(node, DCTERMS.title, dataset.title)
        self.texts(node, DCTERMS.description, dataset.description)
        for lang, words in dataset.keywords.items():
            for word in words:
                graph.add((node, DCAT.keyword, Literal(word, lang=lang)))
        for code in dataset.themes:
            graph.add((node, DCAT.theme, self.term("themes", code)))
        publisher = self.publisher(dataset.organization)
        graph.add((node, DCTERMS.publisher, publisher))
        contact = self.contact_point(dataset, node)
        if contact is not None:
            graph.add((node, DCAT.contactPoint, contact))
        if dataset.access_rights:
            rights = self.term("access_rights", dataset.access_rights, DCTERMS.RightsStatement)
            graph.add((node, DCTERMS.accessRights, rights))
        if dataset.frequency:
            frequency = self.term("frequencies", dataset.frequency, DCTERMS.Frequency)
            graph.add((node, DCTERMS.accrualPeriodicity, frequency))
        for place in dataset.spatial:
            location = URIRef(place)
            graph.add((node, DCTERMS.spatial, location))
            graph.add((location, RDF.type, DCTERMS.Location))
            if place.startswith(f"{COUNTRIES}/"):
                graph.add((location, SKOS.inScheme, self.scheme(COUNTRIES)))
        if dataset.temporal_start or dataset.temporal_end:
            period = URIRef(f"{node}#temporal")
            graph.add((node, DCTERMS.temporal, period))
            graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
            if dataset.temporal_start:
                graph.add((period, DCAT.startDate, Literal(dataset.temporal_start, datatype=XSD.date)))
            if dataset.temporal_end:
                graph.add((period, DCAT.endDate, Literal(dataset.temporal_end, datatype=XSD.date)))
        if dataset.landing_page:
            page = URIRef(dataset.landing_page)
            graph.add((node, DCAT.landingPage, page))
            graph.add((page, RDF.type, FOAF.Document))
        for standard in dataset.conforms_to:
            graph.add((node, DCTERMS.conformsTo, URIRef(standard)))
            graph.add((URIRef(standard), RDF.type, DCTERMS.Standard))
        self.high_value(node, dataset)
        if dataset.issued is not None:
            graph.add((node, DCTERMS.issued, Literal(dataset.issued)))
        graph.add((node, DCTERMS.modified, Literal(dataset.modified)))
        for distribution in dataset.distributions:
            self.distribution(distribution, dataset, node, publisher, contact, in_catalog=in_catalog)
        return graph

    def distribution(
        self,
        distribution: Distribution,
        dataset: Dataset,
        dataset_node: URIRef,
        publisher: URIRef,
        contact: URIRef | None,
        *,
        in_catalog: bool,
    ) -> None:
        graph = self.graph
        node = distribution_iri(self.base_url, distribution)
        graph.add((dataset_node, DCAT.distribution, node))
        graph.add((node, RDF.type, DCAT.Distribution))
        self.texts(node, DCTERMS.title, distribution.title)
        self.texts(node, DCTERMS.description, distribution.description)
        uploaded = file_url(self.base_url, distribution) if distribution.file_name else None
        access_url = uploaded or distribution.access_url
        download_url = uploaded or distribution.download_url
        if access_url:
            graph.add((node, DCAT.accessURL, self.resource(access_url)))
        if download_url:
            graph.add((node, DCAT.downloadURL, self.resource(download_url)))
        file_type = _file_type(distribution)
        if file_type is not None:
            graph.add(
                (node, DCTERMS.format, self.term("file_types", file_type.code, DCTERMS.MediaTypeOrExtent))
            )
        media_type = distribution.media_type or (file_type.media_type if file_type else None)
        if media_type:
            graph.add((node, DCAT.mediaType, media_type_iri(media_type)))
            graph.add((media_type_iri(media_type), RDF.type, DCTERMS.MediaType))
        if distribution.byte_size is not None:
            graph.add((node, DCAT.byteSize, Literal(distribution.byte_size, datatype=XSD.nonNegativeInteger)))
        license_code = distribution.license or dataset.license
        if license_code:
            graph.add((node, DCTERMS.license, self.license(license_code)))
        graph.add((node, DCTERMS.issued, Literal(distribution.issued)))
        graph.add((node, DCTERMS.modified, Literal(distribution.modified)))
        if dataset.hvd_categories:
            graph.add((node, DCATAP.applicableLegislation, self.legislation()))
        if has_version(distribution):
            service = self.data_service(distribution, dataset, dataset_node, publisher, contact)
            graph.add((node, DCAT.accessService, service))
            if in_catalog:
                graph.add((catalog_iri(self.base_url), DCAT.service, service))

    def data_service(
        self,
        distribution: Distribution,
        dataset: Dataset,
        dataset_node: URIRef,
        publisher: URIRef,
        contact: URIRef | None,
    ) -> URIRef:
        """The row API of the distribution's table, described by the API's OpenAPI document."""
        graph = self.graph
        node = data_service_iri(self.base_url, distribution)
        graph.add((node, RDF.type, DCAT.DataService))
        for lang, title in dataset.title.items():
            part = distribution.title.get(lang)
            name = f"{title}, {part}" if part and part != title else title
            prefix = SERVICE_TITLE.get(lang, SERVICE_TITLE["en"])
            graph.add((node, DCTERMS.title, Literal(f"{prefix}: {name}", lang=lang)))
        self.texts(node, DCTERMS.description, SERVICE_DESCRIPTION)
        graph.add((node, DCAT.endpointURL, self.resource(f"{node}/rows")))
        graph.add((node, DCAT.endpointDescription, self.resource(f"{self.base_url}/api/v1/openapi.json")))
        documentation = URIRef(f"{self.base_url}/api/v1/docs")
        graph.add((node, FOAF.page, documentation))
        graph.add((documentation, RDF.type, FOAF.Document))
        graph.add((node, DCAT.servesDataset, dataset_node))
        graph.add((node, DCTERMS.format, self.term("file_types", "JSON", DCTERMS.MediaTypeOrExtent)))
        graph.add((node, DCTERMS.publisher, publisher))
        if contact is not None:
            graph.add((node, DCAT.contactPoint, contact))
        graph.add((node, DCTERMS.accessRights, self.term("access_rights", "PUBLIC", DCTERMS.RightsStatement)))
        license_code = distribution.license or dataset.license
        if license_code:
            graph.add((node, DCTERMS.license, self.license(license_code)))
        self.high_value(node, dataset)
        return node

    def high_value(self, node: URIRef, dataset: Dataset) -> None:
        if not dataset.hvd_categories:
            return
        self.graph.add((node, DCATAP.applicableLegislation, self.legislation()))
        for code in dataset.hvd_categories:
            self.graph.add((node, DCATAP.hvdCategory, self.term("hvd_categories", code)))

    def legislation(self) -> URIRef:
        self.graph.add((HVD_LEGISLATION, RDF.type, ELI.LegalResource))
        return HVD_LEGISLATION

    def publisher(self, organization: Organization | None) -> URIRef:
        graph = self.graph
        if organization is None:  # a portal without organisations: the portal itself
            node = URIRef(f"{self.base_url}/#publisher")
            graph.add((node, RDF.type, FOAF.Agent))
            graph.add((node, FOAF.name, Literal("Datatorget", lang="sv")))
            return node
        node = publisher_iri(self.base_url, organization.slug, organization.org_number)
        graph.add((node, RDF.type, FOAF.Agent))
        graph.add((node, FOAF.name, Literal(organization.name, lang="sv")))
        if organization.org_number:
            graph.add((node, DCTERMS.identifier, Literal(organization.org_number)))
        if organization.publisher_type:
            graph.add((node, DCTERMS.type, self.term("publisher_types", organization.publisher_type)))
        if organization.homepage:
            graph.add((node, FOAF.homepage, URIRef(organization.homepage)))
            graph.add((URIRef(organization.homepage), RDF.type, FOAF.Document))
        if organization.contact_email:
            graph.add((node, FOAF.mbox, URIRef(f"mailto:{organization.contact_email}")))
        return node

    def contact_point(self, dataset: Dataset, dataset_node: URIRef) -> URIRef | None:
        """The dataset's contact point, or its organisation's contact when it has none of its own."""
        contact = dataset.contact_point or {}
        name, email = contact.get("name"), contact.get("email")
        if not email:
            name, email = dataset.organization.contact_name, dataset.organization.contact_email
        if not email:
            return None
        node = URIRef(f"{dataset_node}#contact-point")
        self.graph.add((node, RDF.type, VCARD.Kind))
        self.graph.add((node, RDF.type, VCARD.Organization))
        self.graph.add((node, VCARD.fn, Literal(name or dataset.organization.name, lang="sv")))
        self.graph.add((node, VCARD.hasEmail, self.resource(f"mailto:{email}")))
        return node

    def license(self, code: str) -> URIRef:
        """The licence, with the other IRI it is known by (the EU licence authority's, or its own page)."""
        node = license_iri(code)
        found = term("licenses", code)
        return self.license_document(node, found.uri if str(node) != found.uri else found.url)

    def license_document(self, node: URIRef, same: str | None) -> URIRef:
        self.graph.add((node, RDF.type, DCTERMS.LicenseDocument))
        if same:
            self.graph.add((node, SKOS.exactMatch, URIRef(same)))
        return node

    def resource(self, iri: str) -> URIRef:
        """An address, typed rdfs:Resource as the DCAT-AP HVD range shapes expect (they do not infer it)."""
        node = URIRef(iri)
        self.graph.add((node, RDF.type, RDFS.Resource))
        return node

    def term(self, name: VocabularyName, code: str, kind: URIRef | None = None) -> URIRef:
        found = term(name, code)
        return self.concept(URIRef(found.uri), SCHEMES[name], found.label, kind)

    def concept(self, node: URIRef, scheme: URIRef, label: dict[str, str], kind: URIRef | None) -> URIRef:
        terms = self.terms
        terms.add((node, RDF.type, SKOS.Concept))
        if kind is not None:
            terms.add((node, RDF.type, kind))
        terms.add((node, SKOS.inScheme, self.scheme(scheme)))
        for lang, text in label.items():
            terms.add((node, SKOS.prefLabel, Literal(text, lang=lang)))
        return node

    def scheme(self, node: URIRef) -> URIRef:
        self.terms.add((node, RDF.type, SKOS.ConceptScheme))
        for lang, text in SCHEME_TITLES[node].items():
            self.terms.add((node, DCTERMS.title, Literal(text, lang=lang)))
        return node

    def texts(self, node: URIRef, predicate: URIRef, texts: dict[str, str]) -> None:
        for lang, text in texts.items():
            if text:
                self.graph.add((node, predicate, Literal(text, lang=lang)))


SERVICE_TITLE = {"sv": "Data-API", "en": "Data API"}
SERVICE_DESCRIPTION = {
    "sv": "Tabellens rader som JSON, CSV med mera, med filter, sortering och sidor. "
    "Anropen beskrivs i API:ets OpenAPI-beskrivning.",
    "en": "The rows of the table as JSON, CSV and more, with filters, sorting and pages. "
    "The calls are described by the API's OpenAPI description.",
}


def _file_type(distribution: Distribution) -> Term | None:
    if distribution.format:
        return term("file_types", distribution.format)
    if distribution.media_type and (found := file_type_for_media_type(distribution.media_type)):
        return found
    name = distribution.file_name or distribution.download_url or distribution.access_url
    return file_type_for_filename(name) if name else None


def _page_view(graph: Graph, view: PageView) -> None:
    """Hydra paging, in both the current (PartialCollectionView) and the older (PagedCollection) words,
    since harvesters read one or the other."""
    node = view.page_url(view.page)
    graph.add((node, RDF.type, HYDRA.PartialCollectionView))
    graph.add((node, RDF.type, HYDRA.PagedCollection))
    graph.add((node, HYDRA.totalItems, Literal(view.total, datatype=XSD.nonNegativeInteger)))
    graph.add((node, HYDRA.itemsPerPage, Literal(view.page_size, datatype=XSD.nonNegativeInteger)))
    links = {
        (HYDRA.first, HYDRA.firstPage): 1,
        (HYDRA.last, HYDRA.lastPage): view.last_page,
        (HYDRA.previous, HYDRA.previousPage): view.page - 1 if view.page > 1 else None,
        (HYDRA.next, HYDRA.nextPage): view.page + 1 if view.page < view.last_page else None,
    }
    for predicates, page in links.items():
        if page is not None:
            for predicate in predicates:
                graph.add((node, predicate, view.page_url(page)))
