"""Reading a DCAT-AP catalog (RDF/XML, Turtle or JSON-LD) page by page, following Hydra paging.

The format comes from the Content-Type, else the address's extension, else the first byte. Every page is
checked before rdflib sees it: RDF/XML with a DOCTYPE (entity expansion, external entities) is refused by a
strict pass of expat, JSON-LD that names a remote @context (which rdflib would fetch, past our address
checks) is refused, and a parse that recurses too deep counts as malformed. Paging stops at the page limit
and at a page already read (a loop); either way the read is incomplete (ReadStopped).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.parsers import expat
from xml.sax import SAXException

import orjson
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF
from rdflib.term import Node

from datatorget.catalog.vocabulary import file_type_for_media_type
from datatorget.interop.dcat_document import RdfFormat
from datatorget.interop.dcat_import import (
    FORMAT_NAMES,
    RDFLIB_FORMATS,
    HarvestedDataset,
    HarvestedDistribution,
    read_dataset,
)
from datatorget.interop.dcat_vocab import HYDRA
from datatorget.interop.harvest_fetch import HarvestLimits, Page, fetch_page
from datatorget.interop.harvest_records import (
    Problem,
    ReadStopped,
    RemoteRecord,
    first_text,
    page_limit,
    unreadable,
)

ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/xml;q=0.5, */*;q=0.1"
CONTENT_TYPES: dict[str, RdfFormat] = {
    "application/rdf+xml": "rdf",
    "application/xml": "rdf",
    "text/xml": "rdf",
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
}
EXTENSIONS: dict[str, RdfFormat] = {
    ".rdf": "rdf", ".xml": "rdf", ".owl": "rdf", ".ttl": "ttl", ".jsonld": "jsonld", ".json": "jsonld",
}  # fmt: skip
MAX_JSON_DEPTH = 64
DATATORGET_CATALOGS = ("/catalog.ttl", "/catalog.rdf", "/catalog.jsonld", "/datasets/dcat")


def read_dcat(url: str, limits: HarvestLimits) -> Iterator[list[RemoteRecord]]:
    """The records of the catalog at `url`, a page at a time, following hydra:next / hydra:nextPage."""
    seen: set[str] = set()
    current: str | None = url
    while current is not None:
        if len(seen) >= limits.max_pages:
            raise page_limit(limits)
        seen.add(_normal(current))
        page = fetch_page(current, limits, accept=ACCEPT)
        graph = parse_page(page)
        yield [_read(graph, node) for node in sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str)]
        following = min(
            (*graph.objects(None, HYDRA.next), *graph.objects(None, HYDRA.nextPage)), key=str, default=None
        )
        current = urljoin(page.url, str(following)) if isinstance(following, URIRef) else None
        if current is not None and _normal(current) in seen:
            raise ReadStopped(
                "page_loop",
                sv=f"Sidan {current[:300]} pekar tillbaka på en sida som redan lästs; läsningen avbröts och "
                "inget drogs tillbaka.",
                en=f"The page {current[:300]} points back to a page already read; the read was stopped and "
                "nothing was withdrawn.",
            )


def catalog_url(url: str) -> str:
    """The DCAT catalog of another Datatorget: its Turtle catalog, given the portal's address (or the
    address of one of its catalogs, which is kept)."""
    base = url.strip().split("?", 1)[0].rstrip("/")
    if base.endswith(DATATORGET_CATALOGS):
        return url.strip()
    return f"{base}/catalog.ttl"


def read_datatorget(url: str, limits: HarvestLimits) -> Iterator[list[RemoteRecord]]:
    """The records of another Datatorget, read from its DCAT-AP-SE catalog."""
    return read_dcat(catalog_url(url), limits)


def rdf_format(page: Page) -> RdfFormat:
    """The format of a page: by Content-Type, else by the extension of its address, else by its first byte."""
    if page.content_type in CONTENT_TYPES:
        return CONTENT_TYPES[page.content_type]
    path = urlsplit(page.url).path.lower()
    for extension, fmt in EXTENSIONS.items():
        if path.endswith(extension):
            return fmt
    start = page.body.lstrip()[:1]
    return "rdf" if start == b"<" else "jsonld" if start in (b"{", b"[") else "ttl"


def parse_page(page: Page) -> Graph:
    """The graph of a page, after the safety checks; HarvestFailed when it is unsafe or malformed."""
    fmt = rdf_format(page)
    if fmt == "rdf":
        check_xml(page)
    elif fmt == "jsonld":
        check_json_ld(page)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rdflib's JSON-LD parser warns about its own deprecated classes
        try:
            return Graph().parse(data=page.body, format=RDFLIB_FORMATS[fmt], publicID=page.url)
        except (SyntaxError, SAXException, ValueError, RecursionError, UnicodeError) as exc:
            detail = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
            raise unreadable(
                page.url,
                sv=f"sidan är inte välformad {FORMAT_NAMES[fmt]} ({detail})",
                en=f"the page is not well-formed {FORMAT_NAMES[fmt]} ({detail})",
            ) from exc


class _Refused(Exception):
    pass


def check_xml(page: Page) -> None:
    """Refuse RDF/XML with a document type declaration (and so any entity), or that is not well-formed XML.

    expat reads the whole page first, with every declaration handler refusing: no entity is ever expanded
    and no external entity (file:///etc/passwd) ever opened, by expat or by rdflib after it."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: Any) -> int:
        raise _Refused

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        parser.Parse(page.body, True)
    except _Refused:
        raise unreadable(
            page.url,
            sv="sidan har en DOCTYPE eller entiteter, som inte tillåts i RDF/XML från en skördekälla",
            en="the page has a DOCTYPE or entities, which are not allowed in RDF/XML from a harvest source",
        ) from None
    except expat.ExpatError as exc:
        raise unreadable(
            page.url,
            sv=f"sidan är inte välformad XML ({expat.ErrorString(exc.code)}, rad {exc.lineno})",
            en=f"the page is not well-formed XML ({expat.ErrorString(exc.code)}, line {exc.lineno})",
        ) from None


def check_json_ld(page: Page) -> None:
    """Refuse JSON-LD that is not JSON, nests too deep, or names a @context rdflib would fetch."""
    try:
        document = orjson.loads(page.body)
    except orjson.JSONDecodeError as exc:
        raise unreadable(
            page.url,
            sv=f"sidan är inte välformad JSON ({exc})",
            en=f"the page is not well-formed JSON ({exc})",
        ) from None
    _check_node(page.url, document, 0)


def _check_node(url: str, node: Any, depth: int) -> None:
    if depth > MAX_JSON_DEPTH:
        raise unreadable(url, sv="sidan är för djupt nästlad", en="the page is nested too deeply")
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context" and _names_remote_context(value):
                raise unreadable(
                    url,
                    sv="sidan hänvisar till en @context på en annan adress, som inte hämtas",
                    en="the page refers to a @context at another address, which is not fetched",
                )
            _check_node(url, value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            _check_node(url, value, depth + 1)


def _names_remote_context(value: Any) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return any(_names_remote_context(item) for item in value)
    return isinstance(value, dict) and "@import" in value


def _read(graph: Graph, node: Node) -> RemoteRecord:
    """The record of one dataset node; a dataset whose values cannot be read fails alone."""
    try:
        return record_of(read_dataset(graph, node))
    except (ValueError, TypeError, OverflowError) as exc:
        return RemoteRecord(
            remote_id=str(node)[:2000],
            remote_url=None,
            title="",
            problem=Problem(
                "unreadable_record",
                sv=f"Datamängden gick inte att läsa: {str(exc)[:300]}",
                en=f"The dataset could not be read: {str(exc)[:300]}",
            ),
        )


def record_of(dataset: HarvestedDataset) -> RemoteRecord:
    """A DCAT dataset as a record; blank nodes need a dct:identifier to be told apart from run to run."""
    title = first_text(dataset.title)
    if dataset.uri.startswith(("http://", "https://")):
        remote_id = dataset.uri
    elif dataset.identifier:
        remote_id = f"identifier:{dataset.identifier}"
    else:
        return RemoteRecord(
            remote_id=f"blank:{title}"[:2000],
            remote_url=None,
            title=title,
            problem=Problem(
                "no_identifier",
                sv="Datamängden saknar både IRI och dct:identifier, så den går inte att känna igen nästa gång.",
                en="The dataset has neither an IRI nor a dct:identifier, so it cannot be recognised next time.",
            ),
        )
    return RemoteRecord(
        remote_id=remote_id,
        remote_url=remote_id if remote_id.startswith("http") else dataset.landing_page,
        title=title,
        fields=dataset.dataset_fields(),
        distributions=[d for d in map(_distribution, dataset.distributions) if d is not None],
        remote_modified=dataset.modified,
        notes=list(dataset.notes),
    )


def _distribution(distribution: HarvestedDistribution) -> dict[str, Any] | None:
    access_url = distribution.access_url or distribution.download_url or distribution.access_service
    if access_url is None:
        return None
    return {
        "title": distribution.title,
        "description": distribution.description,
        "access_url": access_url,
        "download_url": distribution.download_url,
        "format": distribution.format or _format_of(distribution.media_type),
        "media_type": distribution.media_type,
        "license": distribution.license,
    }


def _format_of(media_type: str | None) -> str | None:
    found = file_type_for_media_type(media_type) if media_type else None
    return found.code if found else None


def _normal(url: str) -> str:
    parts = urlsplit(url.strip())
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower(), fragment="").geturl()
