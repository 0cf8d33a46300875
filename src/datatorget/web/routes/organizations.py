"""The publishing organisations, and each organisation's page with its datasets."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from datatorget.catalog.organizations import get_organization, list_organizations
from datatorget.catalog.present import dataset_summary, organization_out
from datatorget.catalog.search import search_datasets
from datatorget.deps import SessionDep, WebViewer
from datatorget.web.i18n import LangDep
from datatorget.web.paths import add_page
from datatorget.web.search_page import SearchState, paging, parse_search
from datatorget.web.templating import render
from datatorget.web.views import organization_view, summary_view

router = APIRouter()


@add_page(router, "organizations")
def organizations(request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep) -> HTMLResponse:
    rows = list_organizations(session, viewer)
    return render(request, "organizations.html", {
        "organizations": [organization_view(organization_out(o, n), lang) for o, n in rows],
    })  # fmt: skip


@add_page(router, "organization")
def organization(
    slug: str, request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep
) -> HTMLResponse:
    found = get_organization(session, slug)
    page = parse_search(request.query_params).page
    state = SearchState(filters={"organization": (found.slug,)}, sort="title", page=page)
    result = search_datasets(session, state.query(lang), viewer)
    return render(request, "organization.html", {
        "organization": organization_view(organization_out(found, result.total), lang),
        "datasets": [summary_view(dataset_summary(d), lang) for d in result.datasets],
        "search_url": SearchState(filters={"organization": (found.slug,)}).link(lang),
        "paging": paging(state, result.total, lang),
    })  # fmt: skip
