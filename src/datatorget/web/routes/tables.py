"""A table's page: its rows (sorted, filtered, paged through the same query code as the data API), column
statistics, a quick chart, a map, downloads and versions; for its publishers, the progress of the latest
ingestion (a fragment htmx polls), a new version to upload, and a button to read the table in again."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

import duckdb
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from datatorget.catalog.models import Dataset, Distribution
from datatorget.catalog.permissions import Viewer, can_edit_organization_data, require_edit, require_login
from datatorget.catalog.tables import get_table, readable_version
from datatorget.config import Settings
from datatorget.deps import DuckDep, SessionDep, SettingsDep, WebViewer
from datatorget.errors import NotFound, ValidationFailed
from datatorget.jobs.ingestion import latest_job, reingest, upload_new_version
from datatorget.store.models import DataTable
from datatorget.store.params import requested_version
from datatorget.web.csrf import CheckedForm
from datatorget.web.form_errors import ErrorSummaryItem, FieldErrors, service_messages
from datatorget.web.formatting import Localized, localized
from datatorget.web.i18n import Lang, LangDep, Translator
from datatorget.web.paths import PageName, add_page, url
from datatorget.web.table_content import page_content
from datatorget.web.table_views import job_view
from datatorget.web.templating import render

router = APIRouter()
ANCHOR_JOB = "#ingestion"


@dataclass(frozen=True)
class Found:
    """A table someone may see, with the addresses of its pages in the request's language."""

    distribution: Distribution
    table: DataTable
    dataset: Dataset
    can_edit: bool
    urls: dict[str, str]

    @property
    def id(self) -> uuid.UUID:
        return self.table.distribution_id

    def title(self, lang: Lang) -> Localized:
        return localized(self.distribution.title or {}, lang)


def find_table(session: Session, table_id: str, viewer: Viewer, lang: Lang) -> Found:
    """The table at this address; NotFound when it does not exist or the viewer may not see its dataset."""
    try:
        distribution_id = uuid.UUID(table_id)
    except ValueError:
        raise NotFound(f"no table '{table_id}'") from None
    distribution, table = get_table(session, distribution_id, viewer)
    dataset = distribution.dataset
    params = {"slug": dataset.slug, "table_id": str(distribution_id)}
    api = f"/api/v1/tables/{distribution_id}"
    urls = {
        "page": url("table", lang, **params),
        "settings": url("table_settings", lang, **params),
        "status": url("table_status", lang, **params),
        "dataset": url("dataset", lang, slug=dataset.slug),
        "schema": api,
        "api_rows": f"{api}/rows",
        "api": api,
        # SQL reads the current version of the tables of published datasets
        "sql": "/api/v1/sql?" + urlencode({"sql": f"SELECT * FROM {table.sql_name} LIMIT 10"})
        if dataset.state == "published"
        else "",
    }
    return Found(
        distribution, table, dataset, can_edit_organization_data(viewer, dataset.organization_id), urls
    )


def moved(found: Found, slug: str, name: PageName, request: Request, lang: Lang) -> Response | None:
    """A redirect to the table's address under its dataset's current slug, when the address used an old one."""
    if slug == found.dataset.slug:
        return None
    target = url(name, lang, slug=found.dataset.slug, table_id=str(found.id))
    query = request.url.query
    return RedirectResponse(target + (f"?{query}" if query else ""), status_code=308)


def _page(
    request: Request,
    found: Found,
    viewer: Viewer,
    *,
    session: Session,
    settings: Settings,
    duck: duckdb.DuckDBPyConnection,
    lang: Lang,
    upload_errors: FieldErrors | None = None,
    status: int = 200,
) -> Response:
    t = Translator(lang)
    wanted = requested_version(request.query_params.multi_items(), None)
    readable = None
    if found.table.current_version is not None or wanted is not None:
        readable = readable_version(session, found.id, viewer, tables_dir=settings.tables_dir, version=wanted)
    tiles = {"url": settings.map_tile_url, "attribution": settings.map_attribution}
    content = page_content(request, found.urls, readable, duck, lang, map_tiles=tiles)
    if isinstance(content, Response):
        return content
    status = max(status, int(content.pop("status", 200)))
    job = latest_job(session, found.id) if found.can_edit else None
    shown_job = job is not None and (job.status in ("queued", "running", "failed"))
    upload_errors = upload_errors or {}
    return render(request, "table.html", content | {
        "dataset": {"slug": found.dataset.slug, "title": localized(found.dataset.title, lang),
                    "state": found.dataset.state},
        "table": {"title": found.title(lang), "sql_name": found.table.sql_name},
        "urls": found.urls | content.get("urls", {}),
        "can_edit": found.can_edit,
        "job": job_view(job, lang) if job is not None else None,
        "show_job": shown_job,
        "upload_errors": upload_errors,
        "upload_summary": [
            ErrorSummaryItem(field=name, label=t("field.file"), message=message)
            for name, messages in upload_errors.items() for message in messages
        ],
    }, status=status, headers={"Cache-Control": "no-store"} if found.can_edit else None)  # fmt: skip


@add_page(router, "table")
def table_page(
    slug: str, table_id: str, request: Request, session: SessionDep, viewer: WebViewer, settings: SettingsDep,
    duck: DuckDep, lang: LangDep,
) -> Response:  # fmt: skip
    found = find_table(session, table_id, viewer, lang)
    return moved(found, slug, "table", request, lang) or _page(
        request, found, viewer, session=session, settings=settings, duck=duck, lang=lang
    )


@add_page(router, "table", methods=("POST",))
def change_table(
    slug: str, table_id: str, request: Request, form: CheckedForm, session: SessionDep, viewer: WebViewer,
    settings: SettingsDep, duck: DuckDep, lang: LangDep,
) -> Response:  # fmt: skip
    """Upload a new version (a file, `action=upload`) or read the table in again (`action=reingest`)."""
    user = require_login(viewer)
    found = find_table(session, table_id, user, lang)
    require_edit(user, found.dataset.organization_id)
    t = Translator(lang)
    if form.get("action") == "reingest":
        reingest(session, found.id, user)
        return RedirectResponse(found.urls["page"] + ANCHOR_JOB, status_code=303)
    upload = form.get("file")
    errors: FieldErrors = {}
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors = {"file": [t("error.file_missing")]}
    else:
        try:
            upload_new_version(session, found.id, upload.file, upload.filename, user, settings=settings)
        except ValidationFailed as exc:
            session.rollback()
            errors = service_messages(exc.errors, lambda _name: "file", t)
    if errors:
        return _page(request, found, user, session=session, settings=settings, duck=duck, lang=lang,
                     upload_errors=errors, status=422)  # fmt: skip
    return RedirectResponse(found.urls["page"] + ANCHOR_JOB, status_code=303)


@add_page(router, "table_status")
def table_status(
    slug: str, table_id: str, request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep
) -> Response:
    """The progress of the latest ingestion, for htmx to poll: 204 while nothing shown has changed."""
    found = find_table(session, table_id, viewer, lang)
    job = latest_job(session, found.id) if found.can_edit else None
    if job is None:
        raise NotFound("no ingestion to follow")
    view = job_view(job, lang)
    state = view["state"]
    no_store = {"Cache-Control": "no-store"}
    if request.query_params.get("seen") == state.key:
        return Response(status_code=204, headers=no_store)
    shown = request.query_params.get("shown", "0")
    return render(request, "table_status.html", {
        "job": view,
        "status_url": found.urls["status"],
        "page_url": found.urls["page"],
        "shown_version": int(shown) if shown.isdigit() else 0,
        "announce": request.query_params.get("heard") != state.announced,
    }, headers=no_store)  # fmt: skip
