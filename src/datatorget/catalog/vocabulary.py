"""The controlled vocabularies of the DCAT-AP-SE 3.0.1 catalog model, with Swedish and English labels.

The terms live as JSON package data in ``catalog/vocabularies/<name>.json``; each file records the concept
scheme and where its terms and labels come from. Each vocabulary is read once and then served from memory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal, get_args

VocabularyName = Literal[
    "themes",
    "licenses",
    "access_rights",
    "frequencies",
    "file_types",
    "hvd_categories",
    "publisher_types",
]
VOCABULARY_NAMES: tuple[VocabularyName, ...] = get_args(VocabularyName)

_IANA_MEDIA_TYPES = "://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class Term:
    """One concept of a controlled vocabulary."""

    code: str
    uri: str
    label: dict[str, str]  # {"sv": ..., "en": ...}
    media_type: str | None = None  # file types
    extensions: tuple[str, ...] = ()  # file types, lower case with dot
    url: str | None = None  # licences: human-readable licence text
    parent: str | None = None  # hvd categories

    def label_in(self, lang: str) -> str:
        """The label in ``lang``, falling back to Swedish."""
        return self.label.get(lang) or self.label["sv"]


def vocabulary(name: VocabularyName) -> dict[str, Term]:
    """All terms of a vocabulary keyed by code, in file order (a fresh dict: changing it changes nothing)."""
    return dict(_terms(name))


def term(name: VocabularyName, code: str) -> Term:
    """The term with this code; ``KeyError`` if the vocabulary has none."""
    terms = _terms(name)
    if code not in terms:
        raise KeyError(f"{name} has no term with code {code!r}")
    return terms[code]


def term_by_uri(name: VocabularyName, uri: str) -> Term | None:
    """The term with this IRI, or None.

    A licence is also found by its own page (``url``), with http and https and a trailing slash
    treated alike, because DCAT-AP-SE names Creative Commons licences by http://creativecommons.org/... IRIs.
    """
    by_uri = _terms_by_uri(name)
    return by_uri.get(uri) or by_uri.get(_page_key(uri))


def file_type_for_filename(filename: str) -> Term | None:
    """The file type of a file name (or path) by its extension, ignoring case."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if "." not in name:
        return None
    return _file_types_by_extension().get("." + name.rsplit(".", 1)[1].lower())


def file_type_for_media_type(media_type: str) -> Term | None:
    """The file type of a media type such as ``text/csv; charset=utf-8`` (or its IANA IRI)."""
    essence = media_type.split(";", 1)[0].strip().lower()
    if _IANA_MEDIA_TYPES in essence:
        essence = essence.split(_IANA_MEDIA_TYPES, 1)[1]
    return _file_types_by_media_type().get(essence)


@cache
def _terms(name: VocabularyName) -> MappingProxyType[str, Term]:
    if name not in VOCABULARY_NAMES:
        raise ValueError(f"unknown vocabulary {name!r}; known: {', '.join(VOCABULARY_NAMES)}")
    source = resources.files("datatorget.catalog") / "vocabularies" / f"{name}.json"
    document = json.loads(source.read_text(encoding="utf-8"))
    terms = [_term_from_json(raw) for raw in document["terms"]]
    return MappingProxyType({t.code: t for t in terms})


def _term_from_json(raw: dict[str, Any]) -> Term:
    return Term(
        code=raw["code"],
        uri=raw["uri"],
        label=dict(raw["label"]),
        media_type=raw.get("media_type"),
        extensions=tuple(raw.get("extensions", ())),
        url=raw.get("url"),
        parent=raw.get("parent"),
    )


def _page_key(iri: str) -> str:
    """A licence page IRI without scheme and trailing slash, so http/https variants compare equal."""
    return "page:" + iri.strip().split("://", 1)[-1].rstrip("/")


@cache
def _terms_by_uri(name: VocabularyName) -> dict[str, Term]:
    terms = _terms(name).values()
    by_uri = {_page_key(t.url): t for t in terms if t.url}
    by_uri.update((t.uri, t) for t in terms)
    return by_uri


@cache
def _file_types_by_extension() -> dict[str, Term]:
    return {ext: t for t in _terms("file_types").values() for ext in t.extensions}


@cache
def _file_types_by_media_type() -> dict[str, Term]:
    return {t.media_type.lower(): t for t in _terms("file_types").values() if t.media_type}
