"""The search page's state in its query string: parsed leniently, and turned back into links for facets,
removable filters, sorting and paging. Every state is a plain GET URL, so the page works without scripts."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol, get_args
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from datatorget.catalog.schemas import FacetValue
from datatorget.catalog.search import FACETS, SearchQuery, Sort
from datatorget.web.i18n import Lang
from datatorget.web.paths import url

PAGE_SIZE = 20
MAX_PAGE = 10_000
MAX_QUERY_LENGTH = 500
MAX_FILTER_VALUES = 20
SORTS: tuple[Sort, ...] = get_args(Sort)


@dataclass(frozen=True)
class SearchState:
    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort: Sort = "relevance"
    page: int = 1

    def query(self, lang: str, size: int = PAGE_SIZE) -> SearchQuery:
        """The catalog query; the keyword facet lists the keywords of the page's language."""
        query = SearchQuery(q=self.q, sort=self.sort, page=self.page, size=size, keyword_language=lang)
        for name in FACETS:
            setattr(query, name, list(self.filters.get(name, ())))
        return query

    def params(self) -> list[tuple[str, str]]:
        pairs = [("q", self.q)] if self.q else []
        pairs += [(name, value) for name in FACETS for value in self.filters.get(name, ())]
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.page > 1:
            pairs.append(("page", str(self.page)))
        return pairs

    def link(self, lang: Lang) -> str:
        query = urlencode(self.params())
        return url("search", lang) + (f"?{query}" if query else "")

    def with_filter(self, name: str, value: str) -> SearchState:
        values = self.filters.get(name, ())
        return replace(self, filters=self.filters | {name: (*values, value)}, page=1)

    def without_filter(self, name: str, value: str) -> SearchState:
        values = tuple(v for v in self.filters.get(name, ()) if v != value)
        return replace(self, filters=self.filters | {name: values}, page=1)

    def on_page(self, page: int) -> SearchState:
        return replace(self, page=page)


def parse_search(params: QueryParams) -> SearchState:
    """The state a query string asks for; anything malformed falls back to the default rather than failing."""
    sort = params.get("sort", "relevance")
    filters = {
        name: tuple(dict.fromkeys(v.strip() for v in params.getlist(name) if v.strip()))[:MAX_FILTER_VALUES]
        for name in FACETS
    }
    return SearchState(
        q=params.get("q", "").strip()[:MAX_QUERY_LENGTH],
        filters={name: values for name, values in filters.items() if values},
        sort=sort if sort in SORTS else "relevance",
        page=page_number(params),
    )


def page_number(params: QueryParams) -> int:
    """The page a query string asks for, 1 to MAX_PAGE; 1 for anything malformed."""
    try:
        return min(max(int(params.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        return 1


def _value_label(value: FacetValue, lang: Lang) -> str:
    return (value.label or {}).get(lang) or value.value


def facets_view(state: SearchState, facets: dict[str, list[FacetValue]], lang: Lang) -> list[dict[str, Any]]:
    """Each facet with its values, counts, and the link that adds or removes the value as a filter."""
    shown = []
    for name in FACETS:
        selected = state.filters.get(name, ())
        values = [
            {
                "label": _value_label(value, lang),
                "count": value.count,
                "selected": value.value in selected,
                "url": (
                    state.without_filter(name, value.value)
                    if value.value in selected
                    else state.with_filter(name, value.value)
                ).link(lang),
            }
            for value in facets.get(name, [])
        ]
        if values:
            shown.append({"name": name, "options": values})
    return shown


def selected_filters(
    state: SearchState, facets: dict[str, list[FacetValue]], lang: Lang
) -> list[dict[str, str]]:
    """The filters in force, each with the link that removes it."""
    labels = {(name, v.value): _value_label(v, lang) for name, values in facets.items() for v in values}
    return [
        {
            "facet": name,
            "label": labels.get((name, value), value),
            "remove_url": state.without_filter(name, value).link(lang),
        }
        for name in FACETS
        for value in state.filters.get(name, ())
    ]


class Paged(Protocol):
    """A list's state in its query string (the search, a list of requests or discussions): its page, and the
    link to the same list on another page."""

    @property
    def page(self) -> int: ...

    def on_page(self, page: int) -> Paged: ...

    def link(self, lang: Lang) -> str: ...


def paging(state: Paged, total: int, lang: Lang, size: int = PAGE_SIZE) -> dict[str, Any] | None:
    """Links to the previous, next and nearby pages, as `macros.pager` shows them; None when everything fits
    on one page of `size`."""
    last = min(max((total + size - 1) // size, 1), MAX_PAGE)
    if last == 1:
        return None
    current = min(state.page, last)
    numbers = sorted({1, last, *range(max(current - 2, 1), min(current + 2, last) + 1)})
    pages: list[dict[str, Any]] = []
    for n in numbers:
        if pages and n - pages[-1]["number"] > 1:
            pages.append({"number": n - 1, "gap": True})
        pages.append({"number": n, "gap": False, "url": state.on_page(n).link(lang), "current": n == current})
    return {
        "pages": pages,
        "previous": state.on_page(current - 1).link(lang) if current > 1 else None,
        "next": state.on_page(current + 1).link(lang) if current < last else None,
        "current": current,
        "last": last,
    }
