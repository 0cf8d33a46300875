"""The home page: a search box, the themes with their datasets, the newest datasets, the organisations."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from datatorget.catalog.organizations import list_organizations
from datatorget.catalog.present import dataset_summary, facet_values, organization_out
from datatorget.catalog.search import SearchQuery, search_datasets
from datatorget.catalog.vocabulary import vocabulary
from datatorget.deps import SessionDep, WebViewer
from datatorget.web.i18n import ENGLISH_PREFIX, LangDep
from datatorget.web.paths import add_page, url
from datatorget.web.search_page import SearchState
from datatorget.web.templating import render
from datatorget.web.views import organization_view, summary_view

NEWEST = 6
router = APIRouter()


@add_page(router, "home")
def home(request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep) -> HTMLResponse:
    result = search_datasets(
        session, SearchQuery(sort="modified", size=NEWEST, keyword_language=lang), viewer
    )
    counts = {value.value: value.count for value in facet_values(session, result.facets)["theme"]}
    themes = [
        {"label": theme.label_in(lang), "count": counts[code],
         "url": SearchState(filters={"theme": (code,)}).link(lang)}
        for code, theme in vocabulary("themes").items()
        if counts.get(code)
    ]  # fmt: skip
    organizations = [
        organization_view(organization_out(o, n), lang) for o, n in list_organizations(session, viewer)
    ]
    return render(request, "home.html", {
        "total": result.total,
        "themes": themes,
        "newest": [summary_view(dataset_summary(d), lang) for d in result.datasets],
        "organizations": organizations,
    })  # fmt: skip


@router.get(ENGLISH_PREFIX, include_in_schema=False)
def english_home() -> RedirectResponse:
    return RedirectResponse(url("home", "en"), status_code=308)
