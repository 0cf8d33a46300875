"""Full-text search and facets over the datasets a viewer may see.

SQLite (embedded): an FTS5 table holds each dataset's text already stemmed with the Snowball stemmers, Swedish
text with the Swedish one and English with the English one; a query term matches when either of its stems
starts a word ("badplats" finds "Badplatser"). PostgreSQL: a weighted tsvector built with the `swedish` and
`english` configurations, queried with prefix lexemes. Both rank titles above keywords above descriptions.

Filters on single-valued fields (organisation, licence) match any of the values given; filters on
multi-valued fields (theme, keyword, format) match datasets that have all of them.
"""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

import snowballstemmer
from sqlalchemy import (
    Column,
    ColumnElement,
    Float,
    MetaData,
    Select,
    Table,
    Text,
    Uuid,
    and_,
    bindparam,
    delete,
    desc,
    func,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import CTE

from datatorget.catalog.models import Dataset, DatasetKeyword, DatasetTheme, Distribution, Organization
from datatorget.catalog.permissions import Viewer, visible_datasets

Sort = Literal["relevance", "modified", "title"]
FACETS = ("organization", "theme", "keyword", "license", "format")
KEYWORD_FACET_SIZE = 20
MIN_PREFIX_LENGTH = 3
MAX_TERMS = 12

_index_metadata = MetaData()
fts_table = Table(
    "dataset_fts",
    _index_metadata,
    Column("dataset_id", Uuid),
    Column("title", Text),
    Column("keywords", Text),
    Column("description", Text),
)
pg_search_table = Table(
    "dataset_search",
    _index_metadata,
    Column("dataset_id", Uuid, primary_key=True),
    Column("document", TSVECTOR),
)


@dataclass
class SearchQuery:
    q: str = ""
    organization: list[str] = field(default_factory=list)
    theme: list[str] = field(default_factory=list)
    keyword: list[str] = field(default_factory=list)
    license: list[str] = field(default_factory=list)
    format: list[str] = field(default_factory=list)
    sort: Sort = "relevance"
    page: int = 1
    size: int = 20


@dataclass
class SearchResult:
    total: int
    datasets: list[Dataset]
    facets: dict[str, list[tuple[str, int]]]


# --- text and stems ------------------------------------------------------------------------------------

_stemmers = threading.local()


def _stem(language: Literal["swedish", "english"], word: str) -> str:
    stemmer = getattr(_stemmers, language, None)
    if stemmer is None:
        stemmer = snowballstemmer.stemmer(language)
        setattr(_stemmers, language, stemmer)
    return str(stemmer.stemWord(word))


def tokens(text_: str) -> list[str]:
    return re.findall(r"\w+", text_.casefold())


def _stemmed(value: str, language: Literal["swedish", "english"]) -> str:
    return " ".join(_stem(language, word) for word in tokens(value))


def query_stems(q: str) -> list[set[str]]:
    """For each word of the query, the stems it may appear as (Swedish and English)."""
    return [{_stem("swedish", word), _stem("english", word)} for word in tokens(q)[:MAX_TERMS]]


# --- the index -----------------------------------------------------------------------------------------


def index_dataset(session: Session, dataset: Dataset) -> None:
    """Write the dataset's text into the search index, replacing what was there."""
    sv, en = "sv", "en"
    title, description, keywords = dataset.title, dataset.description, dataset.keywords
    if session.get_bind().dialect.name == "sqlite":
        session.execute(delete(fts_table).where(fts_table.c.dataset_id == dataset.id))
        session.execute(
            insert(fts_table).values(
                dataset_id=dataset.id,
                title=f"{_stemmed(title.get(sv, ''), 'swedish')} {_stemmed(title.get(en, ''), 'english')}",
                keywords=" ".join(
                    [
                        _stemmed(" ".join(keywords.get(sv, [])), "swedish"),
                        _stemmed(" ".join(keywords.get(en, [])), "english"),
                    ]
                ),
                description=(
                    f"{_stemmed(description.get(sv, ''), 'swedish')} "
                    f"{_stemmed(description.get(en, ''), 'english')}"
                ),
            )
        )
        return
    session.execute(
        text(
            "INSERT INTO dataset_search (dataset_id, document) VALUES (:id, "
            "setweight(to_tsvector('swedish', :title_sv), 'A') || setweight(to_tsvector('english', :title_en), 'A')"
            " || setweight(to_tsvector('swedish', :keywords_sv), 'B')"
            " || setweight(to_tsvector('english', :keywords_en), 'B')"
            " || setweight(to_tsvector('swedish', :description_sv), 'C')"
            " || setweight(to_tsvector('english', :description_en), 'C')) "
            "ON CONFLICT (dataset_id) DO UPDATE SET document = EXCLUDED.document"
        ).bindparams(bindparam("id", type_=Uuid)),
        {
            "id": dataset.id,
            "title_sv": title.get(sv, ""),
            "title_en": title.get(en, ""),
            "keywords_sv": " ".join(keywords.get(sv, [])),
            "keywords_en": " ".join(keywords.get(en, [])),
            "description_sv": description.get(sv, ""),
            "description_en": description.get(en, ""),
        },
    )


def remove_from_index(session: Session, dataset_id: uuid.UUID) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(delete(fts_table).where(fts_table.c.dataset_id == dataset_id))
    # On PostgreSQL the index row goes with the dataset (ON DELETE CASCADE).


def _matches(session: Session, q: str) -> Select[Any] | None:
    """A query of (dataset_id, rank) for the datasets matching q, higher rank first; None for no words."""
    terms = query_stems(q)
    if not terms:
        return None
    if session.get_bind().dialect.name == "sqlite":
        expression = " AND ".join(
            "("
            + " OR ".join(f'"{s}"*' if len(s) >= MIN_PREFIX_LENGTH else f'"{s}"' for s in sorted(stems))
            + ")"
            for stems in terms
        )
        rank = -func.bm25(literal_column("dataset_fts"), 0.0, 10.0, 4.0, 1.0)
        return select(fts_table.c.dataset_id.label("dataset_id"), rank.label("rank")).where(
            literal_column("dataset_fts").op("MATCH")(expression)
        )
    query: ColumnElement[Any] | None = None
    for i, word in enumerate(tokens(q)[:MAX_TERMS]):
        either = func.to_tsquery(literal_column("'swedish'::regconfig"), bindparam(f"t{i}", word + ":*")).op(
            "||"
        )(func.to_tsquery(literal_column("'english'::regconfig"), bindparam(f"e{i}", word + ":*")))
        query = either if query is None else query.op("&&")(either)
    assert query is not None
    document = pg_search_table.c.document
    return select(
        pg_search_table.c.dataset_id.label("dataset_id"),
        func.ts_rank(document, query, type_=Float).label("rank"),
    ).where(document.op("@@")(query))


# --- searching -----------------------------------------------------------------------------------------


def _filters(query: SearchQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.organization:
        conditions.append(
            Dataset.organization_id.in_(
                select(Organization.id).where(Organization.slug.in_(query.organization))
            )
        )
    if query.license:
        conditions.append(Dataset.license.in_(query.license))
    for code in dict.fromkeys(query.theme):
        conditions.append(Dataset.id.in_(select(DatasetTheme.dataset_id).where(DatasetTheme.code == code)))
    for word in dict.fromkeys(query.keyword):
        conditions.append(
            Dataset.id.in_(select(DatasetKeyword.dataset_id).where(DatasetKeyword.keyword == word))
        )
    for file_type in dict.fromkeys(query.format):
        conditions.append(
            Dataset.id.in_(select(Distribution.dataset_id).where(Distribution.format == file_type))
        )
    return conditions


def _filtered(session: Session, query: SearchQuery, viewer: Viewer) -> CTE:
    conditions = [visible_datasets(viewer), *_filters(query)]
    matches = _matches(session, query.q)
    if matches is None:
        statement = select(Dataset.id.label("id"), literal_column("0.0", Float).label("rank"))
    else:
        found = matches.subquery("found")
        statement = select(Dataset.id.label("id"), found.c.rank.label("rank")).join(
            found, found.c.dataset_id == Dataset.id
        )
    return statement.where(and_(*conditions)).cte("filtered")


def search_datasets(session: Session, query: SearchQuery, viewer: Viewer) -> SearchResult:
    """One page of the datasets the viewer may see that match the query, the total, and facet counts."""
    filtered = _filtered(session, query, viewer)
    total = session.scalar(select(func.count()).select_from(filtered)) or 0
    order: list[Any]
    if query.sort == "title":
        order = [Dataset.title_sort, Dataset.id]
    elif query.sort == "modified" or not query.q.strip():
        order = [desc(Dataset.modified), Dataset.id]
    else:
        order = [desc(filtered.c.rank), desc(Dataset.modified), Dataset.id]
    page = session.scalars(
        select(Dataset)
        .join(filtered, filtered.c.id == Dataset.id)
        .order_by(*order)
        .limit(query.size)
        .offset((query.page - 1) * query.size)
    )
    return SearchResult(total=total, datasets=list(page.unique()), facets=_facets(session, filtered))


def _facets(session: Session, filtered: CTE) -> dict[str, list[tuple[str, int]]]:
    count = func.count().label("count")
    statements: dict[str, Select[Any, Any]] = {
        "organization": select(Organization.slug, count)
        .join(Dataset, Dataset.organization_id == Organization.id)
        .join(filtered, filtered.c.id == Dataset.id)
        .group_by(Organization.slug),
        "theme": select(DatasetTheme.code, count)
        .join(filtered, filtered.c.id == DatasetTheme.dataset_id)
        .group_by(DatasetTheme.code),
        "keyword": select(DatasetKeyword.keyword, count)
        .join(filtered, filtered.c.id == DatasetKeyword.dataset_id)
        .group_by(DatasetKeyword.keyword)
        .order_by(desc(count), DatasetKeyword.keyword)
        .limit(KEYWORD_FACET_SIZE),
        "license": select(Dataset.license, count)
        .join(filtered, filtered.c.id == Dataset.id)
        .where(Dataset.license.is_not(None))
        .group_by(Dataset.license),
        "format": select(Distribution.format, func.count(Distribution.dataset_id.distinct()).label("count"))
        .join(filtered, filtered.c.id == Distribution.dataset_id)
        .where(Distribution.format.is_not(None))
        .group_by(Distribution.format),
    }
    facets: dict[str, list[tuple[str, int]]] = {}
    for name, statement in statements.items():
        rows = [(str(value), int(n)) for value, n in session.execute(statement)]
        facets[name] = sorted(rows, key=lambda row: (-row[1], row[0]))
    return facets
