"""The metadata quality dashboard for staff (/kvalitet, /en/quality): the catalog's score out of the maximum
and its rating, points per dimension, datasets per rating, the HVD datasets that miss something, and the
datasets to fix first with what to do. Editors see their organisation's datasets; administrators all, or one
organisation's. Anonymous visitors are sent to log in; members get 403."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from datatorget.catalog.organizations import list_organizations
from datatorget.catalog.permissions import is_admin, require_staff
from datatorget.deps import SessionDep, WebViewer
from datatorget.interop.quality import catalog_quality
from datatorget.web.i18n import LangDep
from datatorget.web.paths import add_page
from datatorget.web.quality_views import PAGE_SIZE, dashboard_view, parse_dashboard
from datatorget.web.search_page import paging
from datatorget.web.templating import render

router = APIRouter()


@add_page(router, "quality")
def quality_page(request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep) -> HTMLResponse:
    user = require_staff(viewer, to="see the metadata quality")  # 401 (login) anonymous, 403 members
    names = {o.slug: o.name for o, _count in list_organizations(session, user)}
    admin = is_admin(user)
    state = parse_dashboard(request.query_params, list(names) if admin else [])
    if admin:
        organization = state.organization or None
    else:  # an editor: their own organisation's datasets, not every published one they may read
        organization = user.organization.slug if user.organization else None
    found = catalog_quality(session, user, organization=organization)
    state = state.within(len(found.datasets))
    return render(
        request,
        "quality.html",
        dashboard_view(found, state, lang, names) | {
            "state": state,
            "organizations": [{"value": slug, "label": name} for slug, name in names.items()] if admin else [],
            "organization_name": names.get(organization or ""),
            "paging": paging(state, len(found.datasets), lang, size=PAGE_SIZE),
        },
        headers={"Cache-Control": "no-store"},
    )  # fmt: skip
