"""Full-text search and facets over the datasets a viewer may see.

SQLite (embedded): an FTS5 table holds each dataset's text already stemmed with the Snowball stemmers, Swedish
text with the Swedish one and English with the English one; a query term matches when either of its stems
starts a word ("badplats" finds "Badplatser"). PostgreSQL: a weighted tsvector built with the `swedish` and
`english` configurations, queried with prefix lexemes. Both rank titles above keywords above descriptions.

Filters on single-valued fields (organisation, licence) match any of the values given, and their facet
counts ignore their own filter; filters on multi-valued fields (theme, keyword, format) match datasets that
have all of them.
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
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    Uuid,
    and_,
    bindparam,
    case,
    cast,
    delete,
    desc,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import CTE

from datatorget.catalog.collation import swedish_sort_key
from datatorget.catalog.models import (
    CatalogGeneration,
    Dataset,
    DatasetKeyword,
    DatasetTheme,
    Distribution,
    Organization,
)
from datatorget.catalog.permissions import Viewer, visible_datasets

Sort = Literal["relevance", "modified", "title"]
FACETS = ("organization", "theme", "keyword", "license", "format")
ALTERNATIVE_FACETS = ("organization", "license")  # single-valued: several chosen values mean "any of them"
KEYWORD_FACET_SIZE = 20
MIN_PREFIX_LENGTH = 3
MAX_TERMS = 12

_index_metadata = MetaData()
fts_table = Table(
    "dataset_fts",
    _index_metadata,
    Column("rowid", Integer, primary_key=True),
    Column("title", Text),
    Column("keywords", Text),
    Column("description", Text),
)
fts_rows = Table(
    "dataset_fts_row", _index_metadata, Column("rowid", Integer, primary_key=True), Column("dataset_id", Uuid)
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
    keyword_language: str | None = None  # the keyword facet lists keywords in this language only


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
        rowid = session.scalar(select(fts_rows.c.rowid).where(fts_rows.c.dataset_id == dataset.id))
        if rowid is None:
            rowid = session.scalar(insert(fts_rows).values(dataset_id=dataset.id).returning(fts_rows.c.rowid))
        else:
            session.execute(delete(fts_table).where(fts_table.c.rowid == rowid))
        session.execute(
            insert(fts_table).values(
                rowid=rowid,
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
        rowid = session.scalar(select(fts_rows.c.rowid).where(fts_rows.c.dataset_id == dataset_id))
        if rowid is not None:
            session.execute(delete(fts_table).where(fts_table.c.rowid == rowid))
            session.execute(delete(fts_rows).where(fts_rows.c.rowid == rowid))
    # On PostgreSQL the index row goes with the dataset (ON DELETE CASCADE).


def text_matches(session: Session, q: str) -> Select[Any] | None:
    """A query of (dataset_id, rank) for the datasets matching q, higher rank first; None for no words.

    Its parameters are unique to each call, so one statement may hold the matches of several queries
    (the CKAN API's `q` and `fq` may each hold words)."""
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
        rank = -func.bm25(literal_column("dataset_fts"), 10.0, 4.0, 1.0)  # title, keywords, description
        return (
            select(fts_rows.c.dataset_id.label("dataset_id"), rank.label("rank"))
            .select_from(fts_table)
            .join(fts_rows, fts_rows.c.rowid == fts_table.c.rowid)
            .where(literal_column("dataset_fts").op("MATCH")(expression))
        )
    query: ColumnElement[Any] | None = None
    for i, word in enumerate(tokens(q)[:MAX_TERMS]):
        prefix = bindparam(f"t{i}", word + ":*", String, unique=True)
        swedish = func.to_tsquery(literal_column("'swedish'::regconfig"), prefix)
        english = func.to_tsquery(literal_column("'english'::regconfig"), prefix)
        # A stopword of either language ("för", "and") was left out of that language's text, so it cannot be
        # required: it becomes an empty query, which && ignores ("Laddstationer för elbilar" finds the title).
        either = case(
            (or_(func.numnode(swedish) == 0, func.numnode(english) == 0), literal_column("''::tsquery")),
            else_=swedish.op("||")(english),
        )
        query = either if query is None else query.op("&&")(either)
    assert query is not None
    document = pg_search_table.c.document
    return select(
        pg_search_table.c.dataset_id.label("dataset_id"),
        func.ts_rank(document, query, type_=Float).label("rank"),
    ).where(document.op("@@")(query))


# --- searching -----------------------------------------------------------------------------------------


def _alternatives(
    query: SearchQuery, organization_id: Any, license: Any, *, without: str | None = None
) -> list[ColumnElement[bool]]:
    """Conditions on the single-valued fields (any of the values given), less the facet named `without`."""
    conditions: list[ColumnElement[bool]] = []
    if query.organization and without != "organization":
        chosen = select(Organization.id).where(Organization.slug.in_(query.organization))
        conditions.append(organization_id.in_(chosen))
    if query.license and without != "license":
        conditions.append(license.in_(query.license))
    return conditions


def _requirements(query: SearchQuery) -> list[ColumnElement[bool]]:
    """Conditions on the multi-valued fields (every value given)."""
    # EXISTS probes the (dataset_id, value) primary keys for each candidate, which stays cheap when the
    # candidates are few (a text query) and costs no more than an IN list when they are many.
    conditions: list[ColumnElement[bool]] = []
    for code in dict.fromkeys(query.theme):
        conditions.append(exists().where(DatasetTheme.dataset_id == Dataset.id, DatasetTheme.code == code))
    for word in dict.fromkeys(query.keyword):
        conditions.append(
            exists().where(DatasetKeyword.dataset_id == Dataset.id, DatasetKeyword.keyword == word)
        )
    for file_type in dict.fromkeys(query.format):
        conditions.append(
            exists().where(Distribution.dataset_id == Dataset.id, Distribution.format == file_type)
        )
    return conditions


def _filters(query: SearchQuery) -> list[ColumnElement[bool]]:
    return _requirements(query) + _alternatives(query, Dataset.organization_id, Dataset.license)


def _candidates(session: Session, query: SearchQuery, viewer: Viewer) -> CTE:
    """The datasets the viewer may see that match the words and the multi-valued filters, worked out once
    per statement, with what the single-valued filters, the counts and the order need, and the text rank
    (0 without words)."""
    columns = [Dataset.id, Dataset.organization_id, Dataset.license, Dataset.modified, Dataset.title_sort]
    statement = select(*columns).where(visible_datasets(viewer), *_requirements(query))
    matches = text_matches(session, query.q)
    if matches is None:
        statement = statement.add_columns(literal_column("0.0", Float).label("rank"))
    else:
        found = matches.subquery("found")
        statement = statement.add_columns(found.c.rank).join(found, found.c.dataset_id == Dataset.id)
    return statement.cte("candidates").prefix_with("MATERIALIZED")


def _narrowed(query: SearchQuery, candidates: CTE, *, without: str | None = None) -> CTE:
    """The candidates that also meet the single-valued filters (less the facet named `without`)."""
    conditions = _alternatives(query, candidates.c.organization_id, candidates.c.license, without=without)
    if not conditions:
        return candidates
    name = f"without_{without}" if without else "filtered"
    return select(candidates).where(*conditions).cte(name).prefix_with("MATERIALIZED")


def _order(sort: Sort, *, filtered: CTE | None = None) -> list[Any]:
    """The order of the results: of the dataset table, or of the matches (which carry a rank) when given."""
    if filtered is None:
        return [Dataset.title_sort, Dataset.id] if sort == "title" else [desc(Dataset.modified), Dataset.id]
    if sort == "title":
        return [filtered.c.title_sort, filtered.c.id]
    if sort == "relevance":
        return [desc(filtered.c.rank), desc(filtered.c.modified), filtered.c.id]
    return [desc(filtered.c.modified), filtered.c.id]


def search_datasets(session: Session, query: SearchQuery, viewer: Viewer) -> SearchResult:
    """One page of the datasets the viewer may see that match the query, the total, and facet counts.

    The counts of a facet whose values are alternatives (organisation, licence) leave out that facet's own
    filter, so that a visitor who chose one organisation still sees the others to add.

    With a text query, one statement finds the matches once and gives the total, every facet and the ids of
    the page. Without one, the page comes straight from the dataset table (its indexes give the order) and
    the counts of the whole public catalog are reused until the catalog changes.
    """
    if query_stems(query.q):
        total, facets, page_ids = _count(session, query, viewer, page=True)
        found = {d.id: d for d in session.scalars(select(Dataset).where(Dataset.id.in_(page_ids))).unique()}
        return SearchResult(total=total, datasets=[found[i] for i in page_ids if i in found], facets=facets)
    page = (
        select(Dataset)
        .where(visible_datasets(viewer), *_filters(query))
        .order_by(*_order(query.sort))
        .limit(query.size)
        .offset((query.page - 1) * query.size)
    )
    datasets = list(session.scalars(page).unique())
    total, facets = _counts(session, query, viewer)
    return SearchResult(total=total, datasets=datasets, facets=facets)


# --- counting ------------------------------------------------------------------------------------------

Counts = tuple[int, dict[str, list[tuple[str, int]]]]
_unfiltered_cache: dict[tuple[str, str | None], tuple[int | None, Counts]] = {}
_cache_lock = threading.Lock()


def _counts(
    session: Session, query: SearchQuery, viewer: Viewer
) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    """The total and the facet counts. Those of the whole public catalog (the home page, browsing without
    a query) are kept until the catalog changes: every change moves the catalog generation on when it
    commits, so one read of it tells whether the counts are still right, in every worker process."""
    unfiltered = not (query.q.strip() or query.organization or query.theme or query.keyword or query.license
                      or query.format)  # fmt: skip
    generation = None
    if unfiltered and viewer is None:
        generation = session.scalar(select(CatalogGeneration.value))  # None without the row: count afresh
    if generation is None:
        total, facets, _page = _count(session, query, viewer)
        return total, facets
    database = (session.get_bind().engine.url.render_as_string(), query.keyword_language)
    with _cache_lock:
        cached = _unfiltered_cache.get(database)
    if cached is not None and cached[0] == generation:
        return cached[1]
    total, facets, _page = _count(session, query, viewer)
    counted = (total, facets)
    with _cache_lock:
        _unfiltered_cache[database] = (generation, counted)
    return counted


def _count(
    session: Session, query: SearchQuery, viewer: Viewer, *, page: bool = False
) -> tuple[int, dict[str, list[tuple[str, int]]], list[uuid.UUID]]:
    """The total, every facet and (with `page`) the ids of the page, in one statement over the matches."""
    candidates = _candidates(session, query, viewer)
    filtered = _narrowed(query, candidates)
    bases = {facet: _narrowed(query, candidates, without=facet) for facet in ALTERNATIVE_FACETS}
    # Each count walks the matches and looks up their rows (LEFT JOIN keeps that order in SQLite's planner;
    # HAVING, unlike WHERE, does not turn it back into an inner join), instead of walking a whole facet table.
    n = func.count()
    in_language = [DatasetKeyword.language == query.keyword_language] if query.keyword_language else []
    datasets_with_keyword = func.count(DatasetKeyword.dataset_id.distinct())
    keyword_counts = (
        select(DatasetKeyword.keyword.label("value"), datasets_with_keyword.label("n"))
        .select_from(filtered)
        .outerjoin(DatasetKeyword, and_(DatasetKeyword.dataset_id == filtered.c.id, *in_language))
        .group_by(DatasetKeyword.keyword)
        .having(DatasetKeyword.keyword.is_not(None))
        .order_by(desc(datasets_with_keyword), DatasetKeyword.keyword)
        .limit(KEYWORD_FACET_SIZE)
        .subquery()
    )
    by_organization, by_license = bases["organization"], bases["license"]
    arms: list[Select[str, Any, int]] = [
        select(literal("total"), literal(""), n).select_from(filtered),
        select(literal("organization"), Organization.slug, n)
        .select_from(by_organization)
        .join(Organization, Organization.id == by_organization.c.organization_id)
        .group_by(Organization.slug),
        select(literal("theme"), DatasetTheme.code, n)
        .select_from(filtered)
        .outerjoin(DatasetTheme, DatasetTheme.dataset_id == filtered.c.id)
        .group_by(DatasetTheme.code)
        .having(DatasetTheme.code.is_not(None)),
        select(literal("keyword"), keyword_counts.c.value, keyword_counts.c.n),
        select(literal("license"), by_license.c.license, n)
        .select_from(by_license)
        .group_by(by_license.c.license)
        .having(by_license.c.license.is_not(None)),
        select(literal("format"), Distribution.format, func.count(Distribution.dataset_id.distinct()))
        .select_from(filtered)
        .outerjoin(Distribution, Distribution.dataset_id == filtered.c.id)
        .group_by(Distribution.format)
        .having(Distribution.format.is_not(None)),
    ]
    if page:
        order = _order(query.sort, filtered=filtered)
        ranked = (
            select(
                cast(filtered.c.id, String).label("value"), func.row_number().over(order_by=order).label("n")
            )
            .order_by(*order)
            .limit(query.size)
            .offset((query.page - 1) * query.size)
            .subquery()
        )
        arms.append(select(literal("page"), ranked.c.value, ranked.c.n))
    facets: dict[str, list[tuple[str, int]]] = {name: [] for name in FACETS}
    total, page_rows = 0, []
    for facet, value, count in session.execute(union_all(*arms)):
        if facet == "total":
            total = int(count)
        elif facet == "page":
            page_rows.append((int(count), uuid.UUID(str(value))))
        else:
            facets[facet].append((str(value), int(count)))
    for rows in facets.values():
        rows.sort(key=lambda row: (-row[1], swedish_sort_key(row[0])))
    return total, facets, [dataset_id for _position, dataset_id in sorted(page_rows)]
