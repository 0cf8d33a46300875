"""CKAN's `package_search` over the catalog: a parsed `q`/`fq` (ckan_query.py) as SQL, sorting, facets.

Free text goes through the catalog's own full-text index (catalog/search.py), so that `q=badplats` finds
what the portal's search box finds. Visibility is the catalog's (catalog/permissions.py): published
datasets for everyone; private ones and drafts only when asked for (`include_private`, `include_drafts`)
and only those the caller may see.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    and_,
    desc,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from datatorget.catalog.collation import swedish_sort_key
from datatorget.catalog.models import Dataset, DatasetKeyword, DatasetTheme, Distribution, Organization
from datatorget.catalog.permissions import Viewer, visible_datasets
from datatorget.catalog.search import text_matches
from datatorget.interop.ckan_packages import license_codes
from datatorget.interop.ckan_query import (
    FREE_TEXT,
    And,
    Everything,
    Node,
    Not,
    Or,
    Range,
    SearchQueryError,
    Term,
    parse_query,
    positive_words,
)

MAX_ROWS = 1_000
DEFAULT_ROWS = 10
DEFAULT_SORT = "score desc, metadata_modified desc"
FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id")
DEFAULT_FACET_LIMIT = 50
SORT_FIELDS = ("score", "metadata_modified", "metadata_created", "name", "id", "title_string", "title")


@dataclass(frozen=True)
class PackageSearch:
    q: str = ""
    fq: Sequence[str] = ()
    rows: int = DEFAULT_ROWS
    start: int = 0
    sort: str = DEFAULT_SORT
    facet_fields: Sequence[str] = ()
    facet_limit: int = DEFAULT_FACET_LIMIT  # -1: every value
    include_private: bool = False
    include_drafts: bool = False


@dataclass(frozen=True)
class PackageSearchResult:
    count: int
    datasets: list[Dataset]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def search_packages(session: Session, search: PackageSearch, viewer: Viewer) -> PackageSearchResult:
    """The page of datasets the search picks among those the viewer may see, their number, and the facets."""
    for name in search.facet_fields:
        if name not in FACET_FIELDS:
            raise SearchQueryError(
                f"cannot count the facet '{name}'; the facets are {', '.join(FACET_FIELDS)}"
            )
    q = parse_query(search.q)
    filters = [parse_query(fq) for fq in search.fq]
    conditions = [_states(search, viewer), condition(session, q), *(condition(session, f) for f in filters)]
    order, rank = _order(session, search.sort, positive_words(q))
    page = select(Dataset).where(*conditions)
    if rank is not None:
        page = page.outerjoin(rank, rank.c.dataset_id == Dataset.id)
    page = page.order_by(*order).limit(min(search.rows, MAX_ROWS)).offset(search.start)
    datasets = list(session.scalars(page).unique())
    count = session.scalar(select(func.count()).select_from(Dataset).where(*conditions)) or 0
    matching = select(Dataset.id).where(*conditions)
    facets = {name: _facet(session, name, matching, search.facet_limit) for name in search.facet_fields}
    return PackageSearchResult(count=count, datasets=datasets, facets=facets)


def _states(search: PackageSearch, viewer: Viewer) -> ColumnElement[bool]:
    states = ["published"]
    if search.include_private:
        states.append("private")
    if search.include_drafts:
        states.append("draft")
    return and_(visible_datasets(viewer), Dataset.state.in_(states))


# --- the tree as SQL -----------------------------------------------------------------------------------


def condition(session: Session, node: Node) -> ColumnElement[bool]:
    """The SQL condition on Dataset of a parsed query."""
    if isinstance(node, Everything):
        return true()
    if isinstance(node, And):
        return and_(*(condition(session, child) for child in node.children))
    if isinstance(node, Or):
        return or_(*(condition(session, child) for child in node.children))
    if isinstance(node, Not):
        return not_(condition(session, node.child))
    if isinstance(node, Range):
        column = Dataset.modified if node.field == "metadata_modified" else Dataset.created_at
        bounds: list[ColumnElement[bool]] = []
        if node.low is not None:
            bounds.append(column >= node.low if node.include_low else column > node.low)
        if node.high is not None:
            bounds.append(column <= node.high if node.include_high else column < node.high)
        return and_(true(), *bounds)
    return _term(session, node)


def _term(session: Session, term: Term) -> ColumnElement[bool]:
    value = term.value
    anything = value == "*"
    if term.field == FREE_TEXT:
        matches = text_matches(session, value)
        return true() if matches is None else Dataset.id.in_(select(matches.subquery().c.dataset_id))
    if term.field == "organization":
        chosen = (
            select(Organization.id) if anything else select(Organization.id).where(Organization.slug == value)
        )
        return Dataset.organization_id.in_(chosen)
    if term.field == "owner_org":
        wanted = _uuid(value)
        by_slug = select(Organization.id).where(Organization.slug == value)
        if anything:
            return true()
        return Dataset.organization_id.in_(by_slug) if wanted is None else Dataset.organization_id == wanted
    if term.field == "tags":
        word = [] if anything else [DatasetKeyword.keyword == value]
        return exists().where(DatasetKeyword.dataset_id == Dataset.id, *word)
    if term.field == "groups":
        code = [] if anything else [DatasetTheme.code == value.upper()]
        return exists().where(DatasetTheme.dataset_id == Dataset.id, *code)
    if term.field == "res_format":
        kind = (
            [Distribution.format.is_not(None)]
            if anything
            else [func.upper(Distribution.format) == value.upper()]
        )
        return exists().where(Distribution.dataset_id == Dataset.id, *kind)
    if term.field == "license_id":
        return Dataset.license.is_not(None) if anything else Dataset.license.in_(license_codes(value))
    if term.field == "name":
        return true() if anything else Dataset.slug == value
    if term.field == "id":
        wanted = _uuid(value)
        return true() if anything else false() if wanted is None else Dataset.id == wanted
    if term.field in ("type", "dataset_type"):
        return true() if anything or value == "dataset" else false()
    if term.field == "capacity":
        if value not in ("public", "private", "*"):
            raise SearchQueryError("capacity is public or private")
        if anything:
            return true()
        return Dataset.state == "published" if value == "public" else Dataset.state != "published"
    raise SearchQueryError(
        f"cannot search the field '{term.field}'"
    )  # pragma: no cover  (the parser refuses it)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# --- order and facets ----------------------------------------------------------------------------------


def parse_sort(sort: str) -> list[tuple[str, bool]]:
    """`field direction, ...` as (field, descending) pairs; SearchQueryError for anything else."""
    keys: list[tuple[str, bool]] = []
    for part in sort.split(","):
        words = part.split()
        if not words:
            continue
        name = words[0]
        direction = words[1].lower() if len(words) > 1 else "asc"
        if name not in SORT_FIELDS or direction not in ("asc", "desc") or len(words) > 2:
            raise SearchQueryError(
                f"cannot sort by '{part.strip()}'; sort by {', '.join(SORT_FIELDS)}, each asc or desc"
            )
        keys.append((name, direction == "desc"))
    return keys


def _order(session: Session, sort: str, words: list[str]) -> tuple[list[Any], Any]:
    """The ORDER BY of the sort, and the ranked text matches to join when it sorts by score."""
    keys = parse_sort(sort or DEFAULT_SORT)
    rank = None
    matches = text_matches(session, " ".join(words))
    order: list[Any] = []
    for name, descending in keys:
        if name == "score":
            if matches is None:
                continue  # without words every dataset scores the same
            if rank is None:
                rank = matches.subquery("ranked")
            score = func.coalesce(rank.c.rank, literal(0.0, Float))
            order.append(desc(score) if descending else score)
            continue
        column = {
            "metadata_modified": Dataset.modified,
            "metadata_created": Dataset.created_at,
            "name": Dataset.slug,
            "id": Dataset.id,
            "title_string": Dataset.title_sort,
            "title": Dataset.title_sort,
        }[name]
        order.append(desc(column) if descending else column)
    order.append(Dataset.id)  # a stable order for paging
    return order, rank


def _facet(session: Session, name: str, matching: Any, limit: int) -> list[tuple[str, int]]:
    """The values of one facet among the matching datasets, with how many datasets have each, most first."""
    ids = matching.subquery()
    if name == "organization":
        value: Any = Organization.slug
        statement = select(value, func.count()).join(Dataset, Dataset.organization_id == Organization.id)
        statement = statement.where(Dataset.id.in_(select(ids.c.id)))
    elif name == "license_id":
        value = Dataset.license
        statement = select(value, func.count()).where(Dataset.id.in_(select(ids.c.id)), value.is_not(None))
    elif name == "groups":
        value = DatasetTheme.code
        statement = select(value, func.count()).where(DatasetTheme.dataset_id.in_(select(ids.c.id)))
    elif name == "tags":
        value = DatasetKeyword.keyword
        counted = func.count(DatasetKeyword.dataset_id.distinct())
        statement = select(value, counted).where(DatasetKeyword.dataset_id.in_(select(ids.c.id)))
    else:
        value = Distribution.format
        counted = func.count(Distribution.dataset_id.distinct())
        statement = select(value, counted).where(
            Distribution.dataset_id.in_(select(ids.c.id)), value.is_not(None)
        )
    rows = [(str(v), int(n)) for v, n in session.execute(statement.group_by(value))]
    rows.sort(key=lambda row: (-row[1], swedish_sort_key(row[0])))
    return rows if limit < 0 else rows[:limit]
