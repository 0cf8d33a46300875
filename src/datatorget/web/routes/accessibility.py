"""The accessibility statement that Swedish public bodies must publish (lagen 2018:1937, DIGG's model)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from datatorget.catalog.organizations import list_organizations
from datatorget.deps import SessionDep
from datatorget.web.paths import add_page
from datatorget.web.templating import render

router = APIRouter()
# When the statement was last reviewed against the pages; change it with the text.
STATEMENT_DATE = date(2026, 11, 24)
DIGG_REPORT_URL = "https://www.digg.se/tdosanmalan"
LOCAL_AUTHORITY = "LocalAuthority"


def _contact(session: Session) -> dict[str, str] | None:
    """Who to tell about problems: the municipality's own contact, else the first publisher that has one."""
    found = [o for o, _n in list_organizations(session, None) if o.contact_email]
    found.sort(key=lambda o: o.publisher_type != LOCAL_AUTHORITY)
    if not found:
        return None
    return {"name": found[0].name, "email": found[0].contact_email or ""}


@add_page(router, "accessibility")
def accessibility(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "accessibility.html", {
        "contact": _contact(session),
        "statement_date": STATEMENT_DATE,
        "digg_url": DIGG_REPORT_URL,
    })  # fmt: skip
