"""One well-formed RDF document (RDF/XML, Turtle or JSON-LD) from many graphs, written one graph at a time."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Literal

import orjson
from rdflib import Graph

from datatorget.interop.dcat_vocab import PREFIXES

RdfFormat = Literal["rdf", "ttl", "jsonld"]
RDF_FORMATS: tuple[RdfFormat, ...] = ("rdf", "ttl", "jsonld")
MEDIA_TYPES: dict[RdfFormat, str] = {
    "rdf": "application/rdf+xml",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
}

JSONLD_CONTEXT = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
_XML_ROOT = re.compile(r"<rdf:RDF\b[^>]*>")
_XML_PREFIX = re.compile(r'xmlns:([\w.-]+)="')


def write_document(graphs: Iterable[Graph], fmt: RdfFormat) -> Iterator[bytes]:
    """One well-formed document of the given graphs, written one graph at a time: only one graph is ever
    held, so a catalog of any size streams in little memory.

    Turtle allows @prefix anywhere, so each part brings the prefixes not yet declared. RDF/XML and JSON-LD
    parts lose their own root, and share one whose prefixes (PREFIXES) are the same for every part.
    """
    if fmt == "ttl":
        yield from _turtle(graphs)
    elif fmt == "rdf":
        yield from _rdf_xml(graphs)
    else:
        yield from _json_ld(graphs)


def _turtle(graphs: Iterable[Graph]) -> Iterator[bytes]:
    declared: set[str] = set()
    for graph in graphs:
        text = graph.serialize(format="turtle")
        lines = text.split("\n")
        body_starts = next((i for i, line in enumerate(lines) if not line.startswith("@prefix")), len(lines))
        new = [line for line in lines[:body_starts] if line not in declared]
        declared.update(new)
        body = "\n".join(lines[body_starts:]).strip("\n")
        yield ("\n".join(new) + "\n\n" if new else "").encode() + (body + "\n\n").encode()


def _rdf_xml(graphs: Iterable[Graph]) -> Iterator[bytes]:
    namespaces = "".join(f'\n   xmlns:{prefix}="{namespace}"' for prefix, namespace in PREFIXES.items())
    yield f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF{namespaces}\n>\n'.encode()
    for graph in graphs:
        text = graph.serialize(format="xml")
        root = _XML_ROOT.search(text)
        end = text.rfind("</rdf:RDF>")
        if root is None or end < 0:
            raise ValueError("rdflib wrote RDF/XML without an rdf:RDF root")
        unknown = set(_XML_PREFIX.findall(root.group(0))) - PREFIXES.keys()
        if unknown:  # a namespace not in PREFIXES: its part would not parse under the shared root
            raise ValueError(f"namespaces without a shared prefix: {', '.join(sorted(unknown))}")
        yield text[root.end() : end].strip("\n").encode() + b"\n"
    yield b"</rdf:RDF>\n"


def _json_ld(graphs: Iterable[Graph]) -> Iterator[bytes]:
    yield b'{"@context": ' + orjson.dumps(JSONLD_CONTEXT) + b', "@graph": ['
    first = True
    for graph in graphs:
        document = orjson.loads(graph.serialize(format="json-ld", context=JSONLD_CONTEXT))
        document.pop("@context", None)
        nodes = document.get("@graph", [document] if document else [])
        for node in nodes:
            yield (b"\n" if first else b",\n") + orjson.dumps(node)
            first = False
    yield b"\n]}\n"
