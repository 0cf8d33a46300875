"""Atom feeds (RFC 4287) of data requests: the newest public requests, and one request's timeline.

A feed shows what the API shows everyone and nothing more: no email address, no hidden text. People appear
by the name they chose, staff by their organisation. Texts are Markdown, so entries carry them as
`type="text"`; ElementTree escapes them, and characters XML 1.0 cannot hold are dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from datatorget.db.base import utcnow
from datatorget.dialogue.models import DataRequest
from datatorget.dialogue.schemas import EventOut, RequestOut

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MEDIA_TYPE = "application/atom+xml"
GENERATOR = "Datatorget"
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed anywhere in XML 1.0

STATE_WORDS: dict[str, tuple[str, str]] = {
    "received": ("mottagen", "received"),
    "under_review": ("under utredning", "under review"),
    "planned": ("planerad", "planned"),
    "published": ("publicerad", "published"),
    "declined": ("avböjd", "declined"),
    "available": ("finns redan", "already available"),
}


def state_words(state: str) -> tuple[str, str]:
    return STATE_WORDS.get(state, (state, state))


@dataclass(frozen=True)
class Entry:
    id: str  # an IRI that never changes: urn:uuid:...
    title: str
    updated: datetime
    link: str
    content: str
    published: datetime | None = None
    author: str | None = None  # None: the feed's author
    categories: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    self_url: str
    alternate_url: str
    entries: Sequence[Entry]
    updated: datetime | None = None  # None: the newest entry's, or now when there is none


def request_page(base_url: str, request_id: object) -> str:
    """The request's page in the web UI."""
    return f"{base_url}/dataforfragningar/{request_id}"


def request_entry(request: DataRequest, *, base_url: str) -> Entry:
    """A request as an entry of the list feed: its state, organisation, votes and description."""
    sv, en = state_words(request.state)
    head = f"{request.organization.name} · {sv} / {en} · {request.votes} röster / votes"
    return Entry(
        id=f"urn:uuid:{request.id}", title=request.title, updated=request.modified,
        published=request.created_at, link=request_page(base_url, request.id),
        content=f"{head}\n\n{request.description}", categories=[request.state],
    )  # fmt: skip


def event_entry(event: EventOut, request: RequestOut, *, base_url: str) -> Entry:
    """One timeline event; a hidden one says so, without its text."""
    if event.author.staff:
        author: str | None = request.organization.name
    else:
        author = event.author.name or "Anonym / Anonymous"
    if event.kind == "created":
        title = "Förfrågan skickad / Request filed"
    elif event.kind == "state" and event.state_to:
        sv, en = state_words(event.state_to)
        title = f"Ändrad till {sv} / Changed to {en}"
    elif event.kind == "answer":
        title = f"Svar från {author} / Answer from {author}"
    else:
        title = f"Kommentar av {author} / Comment by {author}"
    if event.hidden:
        content = "Dold av en moderator. / Hidden by a moderator."
    else:
        lines = []
        if event.details.get("expected_date"):
            lines.append(f"Väntas / Expected: {event.details['expected_date']}")
        if event.details.get("decline_reason"):
            lines.append(f"Skäl / Reason: {event.details['decline_reason']}")
        if event.details.get("datasets"):
            lines.append("Datamängder / Datasets: " + ", ".join(event.details["datasets"]))
        content = "\n\n".join(part for part in ("\n".join(lines), event.body or "") if part)
        if event.kind == "created":
            content = content or request.description
    return Entry(
        id=f"urn:uuid:{event.id}", title=title, updated=event.created_at, published=event.created_at,
        link=request_page(base_url, request.id), content=content, author=author,
        categories=[event.kind],
    )  # fmt: skip


def requests_feed(found: Sequence[DataRequest], *, base_url: str, self_url: str, title: str) -> Feed:
    return Feed(
        id=self_url, title=title, self_url=self_url, alternate_url=f"{base_url}/dataforfragningar",
        entries=[request_entry(request, base_url=base_url) for request in found],
    )  # fmt: skip


def request_feed(request: RequestOut, *, base_url: str, self_url: str) -> Feed:
    """The request's timeline, newest first."""
    entries = [event_entry(event, request, base_url=base_url) for event in reversed(request.timeline)]
    return Feed(
        id=self_url, title=f"{request.title} – {request.organization.name}", self_url=self_url,
        alternate_url=request_page(base_url, request.id), entries=entries,
    )  # fmt: skip


def to_atom(feed: Feed) -> bytes:
    """The feed as an Atom document in UTF-8."""
    updated = feed.updated or max((e.updated for e in feed.entries), default=None) or utcnow()
    root = _element(None, "feed", attributes={"xmlns": ATOM, XML_LANG: "sv"})
    _element(root, "id", feed.id)
    _element(root, "title", feed.title, attributes={"type": "text"})
    _element(root, "updated", _time(updated))
    _element(root, "link", attributes={"rel": "self", "type": MEDIA_TYPE, "href": feed.self_url})
    _element(root, "link", attributes={"rel": "alternate", "type": "text/html", "href": feed.alternate_url})
    _element(_element(root, "author"), "name", GENERATOR)
    _element(root, "generator", GENERATOR)
    for entry in feed.entries:
        item = _element(root, "entry")
        _element(item, "id", entry.id)
        _element(item, "title", entry.title, attributes={"type": "text"})
        _element(item, "updated", _time(entry.updated))
        if entry.published is not None:
            _element(item, "published", _time(entry.published))
        if entry.author is not None:
            _element(_element(item, "author"), "name", entry.author)
        _element(item, "link", attributes={"rel": "alternate", "type": "text/html", "href": entry.link})
        for term in entry.categories:
            _element(item, "category", attributes={"term": term})
        _element(item, "content", entry.content, attributes={"type": "text"})
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _element(
    parent: ET.Element | None, name: str, text: str | None = None, *, attributes: dict[str, str] | None = None
) -> ET.Element:
    # Names stay unqualified and the root says xmlns="...Atom": ElementTree's own default_namespace option
    # refuses unqualified attributes such as href.
    clean = {key: NOT_XML.sub("", value) for key, value in (attributes or {}).items()}
    element = ET.Element(name, clean) if parent is None else ET.SubElement(parent, name, clean)
    if text is not None:
        element.text = NOT_XML.sub("", text)
    return element


def _time(moment: datetime) -> str:
    """RFC 3339, in UTC, to the second."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
