"""The search page: words, facets with counts, removable filters, sorting and paging, all in the query string.

htmx (when it has loaded) swaps only the results when the form is sent or a facet is followed; the server
always renders the whole page, so the same URL works without scripts and can be bookmarked.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from datatorget.catalog.present import dataset_summary, facet_values
from datatorget.catalog.search import search_datasets
from datatorget.deps import SessionDep, WebViewer
from datatorget.web.i18n import LangDep
from datatorget.web.paths import add_page
from datatorget.web.search_page import SORTS, facets_view, paging, parse_search, selected_filters
from datatorget.web.templating import render
from datatorget.web.views import summary_view

router = APIRouter()


@add_page(router, "search")
def search(request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep) -> HTMLResponse:
    state = parse_search(request.query_params)
    result = search_datasets(session, state.query(lang), viewer)
    request.app.state.demand.count_search(state.q, found=result.total)
    facets = facet_values(session, result.facets)
    return render(request, "search.html", {
        "state": state,
        "hidden_filters": [(name, value) for name, values in state.filters.items() for value in values],
        "sorts": SORTS,
        "total": result.total,
        "results": [summary_view(dataset_summary(d), lang) for d in result.datasets],
        "facets": facets_view(state, facets, lang),
        "selected": selected_filters(state, facets, lang),
        "paging": paging(state, result.total, lang),
    })  # fmt: skip
