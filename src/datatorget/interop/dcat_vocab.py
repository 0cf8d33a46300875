"""The words of DCAT-AP-SE: namespaces, fixed IRIs, and the IRIs of our controlled vocabularies' terms.

Export and import both use these, so that what one writes the other reads back.
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from datatorget.catalog.vocabulary import VocabularyName, term, term_by_uri

ADMS = Namespace("http://www.w3.org/ns/adms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

# The prefixes of every document we write: the same in each part of a streamed catalog, so that the parts
# of an RDF/XML or JSON-LD document can share the declarations of its root.
PREFIXES: dict[str, Namespace] = {
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
    "dcat": Namespace(str(DCAT)),
    "dct": Namespace(str(DCTERMS)),
    "foaf": Namespace(str(FOAF)),
    "skos": Namespace(str(SKOS)),
    "vcard": VCARD,
    "dcatap": DCATAP,
    "adms": ADMS,
    "eli": ELI,
    "hydra": HYDRA,
}

HVD_LEGISLATION = URIRef("http://data.europa.eu/eli/reg_impl/2023/138/oj")
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")  # DCAT-AP-SE: the catalog's licence
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"
DATAPORTAL_ORGANISATION = "http://dataportal.se/organisation/SE"
LANGUAGES = {
    "sv": URIRef("http://publications.europa.eu/resource/authority/language/SWE"),
    "en": URIRef("http://publications.europa.eu/resource/authority/language/ENG"),
}

# The concept scheme of each vocabulary whose terms are written as skos:Concepts
SCHEMES: dict[VocabularyName, URIRef] = {
    "themes": URIRef("http://publications.europa.eu/resource/authority/data-theme"),
    "access_rights": URIRef("http://publications.europa.eu/resource/authority/access-right"),
    "frequencies": URIRef("http://publications.europa.eu/resource/authority/frequency"),
    "file_types": URIRef("http://publications.europa.eu/resource/authority/file-type"),
    "hvd_categories": URIRef("http://data.europa.eu/bna/asd487ae75"),
    "publisher_types": URIRef("http://purl.org/adms/publishertype/1.0"),
}
COUNTRIES = URIRef("http://publications.europa.eu/resource/authority/country")
LANGUAGE_SCHEME = URIRef("http://publications.europa.eu/resource/authority/language")
SCHEME_TITLES: dict[URIRef, dict[str, str]] = {
    SCHEMES["themes"]: {"sv": "Datateman", "en": "Data themes"},
    SCHEMES["access_rights"]: {"sv": "Åtkomsträttigheter", "en": "Access rights"},
    SCHEMES["frequencies"]: {"sv": "Uppdateringsfrekvenser", "en": "Frequencies"},
    SCHEMES["file_types"]: {"sv": "Filtyper", "en": "File types"},
    SCHEMES["hvd_categories"]: {
        "sv": "Kategorier för värdefulla datamängder",
        "en": "High-value dataset categories",
    },
    SCHEMES["publisher_types"]: {"sv": "Utgivartyper", "en": "Publisher types"},
    COUNTRIES: {"sv": "Länder", "en": "Countries"},
    LANGUAGE_SCHEME: {"sv": "Språk", "en": "Languages"},
}
LANGUAGE_LABELS = {"sv": {"sv": "svenska", "en": "Swedish"}, "en": {"sv": "engelska", "en": "English"}}


def new_graph() -> Graph:
    """An empty graph with our prefixes, and no others."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def term_code(name: VocabularyName, iri: str) -> str | None:
    """The code of the term with this IRI, or None when the vocabulary has none."""
    found = term_by_uri(name, iri)
    return found.code if found else None


def license_iri(code: str) -> URIRef:
    """The IRI DCAT-AP-SE uses for a licence: the Creative Commons IRI (http://creativecommons.org/...) for
    Creative Commons licences, the EU licence authority's IRI for the others."""
    found = term("licenses", code)
    if found.url and "creativecommons.org/" in found.url:
        return URIRef("http://" + found.url.split("://", 1)[1])
    return URIRef(found.uri)


def media_type_iri(media_type: str) -> URIRef:
    """The IANA IRI of a media type such as ``text/csv; charset=utf-8``."""
    return URIRef(IANA_MEDIA_TYPES + media_type.split(";", 1)[0].strip().lower())


def media_type_from_iri(iri: str) -> str:
    return iri.split("/media-types/", 1)[1] if "/media-types/" in iri else iri


def publisher_iri(base_url: str, slug: str, org_number: str | None) -> URIRef:
    """dataportal.se's IRI for a Swedish organisation when its organisation number is known, else ours."""
    if org_number:
        return URIRef(DATAPORTAL_ORGANISATION + org_number.replace("-", ""))
    return URIRef(f"{base_url}/api/v1/organizations/{slug}")


def org_number_from_iri(iri: str) -> str | None:
    """The organisation number in a dataportal.se organisation IRI, as 212000-1234; None for other IRIs."""
    if not iri.startswith(DATAPORTAL_ORGANISATION):
        return None
    digits = iri.removeprefix(DATAPORTAL_ORGANISATION)
    return f"{digits[:6]}-{digits[6:]}" if len(digits) == 10 and digits.isdigit() else None
