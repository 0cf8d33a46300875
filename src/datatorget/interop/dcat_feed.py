"""The DCAT-AP-SE catalog read from the database: which datasets, in which pages, and their graphs.

Only published datasets are exported. A page is read a few datasets at a time, each batch let go of before
the next, so the memory a page takes does not grow with its size (see bench/dcat_export.py).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from urllib.parse import urlsplit

from rdflib import Graph
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from datatorget.catalog.models import CatalogGeneration, Dataset, Organization
from datatorget.errors import DatatorgetError, NotFound
from datatorget.interop.dcat_document import RdfFormat
from datatorget.interop.dcat_export import (
    CatalogDescription,
    PageView,
    catalog_graph,
    dataset_graph,
    last_page,
)
from datatorget.interop.dcat_vocab import new_graph
from datatorget.store.models import DataTable

BATCH = 100  # datasets read from the database at a time


class BadFeedParameter(DatatorgetError):
    """A query parameter of the catalog that cannot be read (400)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.errors = {name: [message]}


@dataclass(frozen=True)
class FeedQuery:
    """Which part of the catalog: a page (from 1) of the datasets changed since a moment, or of all."""

    page: int = 1
    modified_since: datetime | None = None
    # Datasets harvested from other catalogs: left out by default, since their own catalog is harvested by
    # the national portal too and they would arrive there twice (setting dcat_include_harvested)
    include_harvested: bool = False

    @property
    def params(self) -> dict[str, str]:
        """The query parameters other than `page`, as they go into the address of each page."""
        return {"modified_since": self.modified_since.isoformat()} if self.modified_since else {}


def parse_feed_query(
    page: str | None, modified_since: str | None, *, include_harvested: bool = False
) -> FeedQuery:
    """The query from the raw parameters; BadFeedParameter for a page that is no whole number from 1, or a
    time that is no ISO 8601 date or date and time (one without a zone is taken as UTC)."""
    number = 1
    if page is not None:
        if not page.isdigit() or int(page) < 1:
            raise BadFeedParameter("page", f"'{page}' is not a page number: give a whole number from 1")
        number = int(page)
    since = None
    if modified_since is not None:
        since = _moment(modified_since)
    return FeedQuery(page=number, modified_since=since, include_harvested=include_harvested)


def _moment(text: str) -> datetime:
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadFeedParameter(
            "modified_since",
            f"'{text}' is not an ISO 8601 date or time, such as 2025-01-31 or 2025-01-31T12:00:00Z",
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _selected(query: FeedQuery) -> ColumnElement[bool]:
    condition = Dataset.state == "published"
    if query.modified_since is not None:
        condition = condition & (Dataset.modified >= query.modified_since)
    if not query.include_harvested:
        condition = condition & Dataset.origin.is_(None)
    return condition


def count_datasets(session: Session, query: FeedQuery) -> int:
    return session.scalar(select(func.count()).select_from(Dataset).where(_selected(query))) or 0


def check_page(query: FeedQuery, total: int, page_size: int) -> None:
    """NotFound for a page past the last (page 1 always exists, if empty)."""
    last = last_page(total, page_size)
    if query.page > last:
        raise NotFound(f"no page {query.page}: the catalog has {last} page{'s' if last > 1 else ''}")


def catalog_description(session: Session, *, base_url: str, publisher_slug: str) -> CatalogDescription:
    """The catalog's own metadata: published by `publisher_slug`, or else by the first organisation."""
    publisher = None
    if publisher_slug:
        publisher = session.scalar(select(Organization).where(Organization.slug == publisher_slug))
    if publisher is None:
        publisher = session.scalar(select(Organization).order_by(Organization.created_at, Organization.id))
    name = publisher.name if publisher else "Datatorget"
    host = urlsplit(base_url).netloc or base_url
    modified = session.scalar(select(func.max(Dataset.modified)).where(Dataset.state == "published"))
    return CatalogDescription(
        title={"sv": f"Öppna data från {name}", "en": f"Open data from {name}"},
        description={
            "sv": f"Datamängder som publiceras på {host} med Datatorget, beskrivna enligt DCAT-AP-SE.",
            "en": f"Datasets published at {host} with Datatorget, described according to DCAT-AP-SE.",
        },
        publisher=publisher,
        modified=modified,
    )


def catalog_version(session: Session, query: FeedQuery, fmt: RdfFormat, page_size: int) -> str:
    """An entity tag that changes whenever the document could: with every catalog change (the catalog
    generation) and every table read in (a data service appears)."""
    generation = session.scalar(select(CatalogGeneration.value))
    tables = session.scalar(select(func.max(DataTable.modified)))
    key = f"{generation}|{tables}|{fmt}|{query.page}|{query.modified_since}|{page_size}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def page_ids(session: Session, query: FeedQuery, page_size: int) -> list[uuid.UUID]:
    """The ids of the datasets on the page, oldest first, so that new datasets go to the last page."""
    return list(
        session.scalars(
            select(Dataset.id)
            .where(_selected(query))
            .order_by(Dataset.created_at, Dataset.id)
            .offset((query.page - 1) * page_size)
            .limit(page_size)
        )
    )


def datasets_by_id(session: Session, ids: list[uuid.UUID]) -> Iterator[Dataset]:
    """The datasets, in the order of `ids`, read BATCH at a time; each batch is let go of after use."""
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        found = {d.id: d for d in session.scalars(select(Dataset).where(Dataset.id.in_(batch)))}
        for dataset_id in batch:
            if dataset_id in found:
                yield found[dataset_id]
        found.clear()
        session.expunge_all()


def catalog_graphs(
    session: Session,
    query: FeedQuery,
    *,
    base_url: str,
    publisher_slug: str,
    page_size: int,
    document_url: str,
    total: int,
) -> Iterator[Graph]:
    """The graphs of one page of the catalog, one at a time: the catalog with its Hydra page view, each
    dataset, and last the descriptions of the vocabulary terms they use."""
    terms = new_graph()
    view = PageView(document_url, query.params, query.page, page_size, total)
    description = catalog_description(session, base_url=base_url, publisher_slug=publisher_slug)
    yield catalog_graph(description, base_url=base_url, view=view, terms=terms)
    for dataset in datasets_by_id(session, page_ids(session, query, page_size)):
        yield dataset_graph(dataset, base_url=base_url, in_catalog=True, terms=terms)
    yield terms
