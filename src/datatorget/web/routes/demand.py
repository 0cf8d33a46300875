"""The picture of demand for staff: what people search for and do not find, what they ask for, and what they
use. The same numbers as GET /api/v1/demand; the open data CSVs are linked."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from datatorget.deps import SessionDep, WebViewer
from datatorget.dialogue import demand
from datatorget.web.demand_views import PERIODS_DAYS, PERIODS_MONTHS, demand_view
from datatorget.web.i18n import LangDep
from datatorget.web.paths import add_page
from datatorget.web.templating import render

router = APIRouter()
LIMIT = 20


def _choice(value: str | None, allowed: tuple[int, ...], default: int) -> int:
    """A period from the page's own choices; anything else (a typed-in URL) gives the default."""
    return int(value) if value is not None and value.isdigit() and int(value) in allowed else default


@add_page(router, "demand")
def demand_page(request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep) -> HTMLResponse:
    days = _choice(request.query_params.get("days"), PERIODS_DAYS, 30)
    months = _choice(request.query_params.get("months"), PERIODS_MONTHS, 12)
    found = demand.picture(session, viewer, days=days, limit=LIMIT, months=months)
    return render(
        request,
        "demand.html",
        demand_view(found, lang, days=days, months=months),
        headers={"Cache-Control": "no-store"},
    )
