"""The table settings form of a table's publishers: bad cells, primary key, and per column a type, a title
and a description. The settings apply from the next ingestion; one button saves and reads the table in
again at once."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from datatorget.catalog.permissions import require_edit, require_login
from datatorget.catalog.tables import update_table_settings
from datatorget.deps import SessionDep, WebViewer
from datatorget.errors import ValidationFailed
from datatorget.jobs.ingestion import reingest
from datatorget.store.infer import TYPES
from datatorget.store.versions import find_version
from datatorget.web.csrf import CheckedLargeForm
from datatorget.web.form_errors import FieldErrors, service_messages
from datatorget.web.i18n import Lang, LangDep, Translator
from datatorget.web.paths import add_page
from datatorget.web.routes.tables import ANCHOR_JOB, Found, find_table, moved
from datatorget.web.table_form import (
    SettingsForm,
    check,
    columns_of,
    error_summary,
    field_of_service_error,
    form_from_table,
    settings_values,
    submitted_form,
)
from datatorget.web.templating import render

router = APIRouter()


def _stored_form(session: Session, found: Found) -> SettingsForm:
    """The form as the table's settings are now, with the columns of its current version."""
    table = found.table
    schema = find_version(session, table).table_schema if table.current_version is not None else None
    columns = columns_of(schema, table.overrides)
    return form_from_table(table.on_error, table.primary_key, table.overrides, columns)


def _show(
    request: Request,
    found: Found,
    form: SettingsForm,
    lang: Lang,
    *,
    errors: FieldErrors | None = None,
    saved: bool = False,
    status: int = 200,
) -> HTMLResponse:
    t = Translator(lang)
    errors = errors or {}
    in_column: dict[int, bool] = {}
    for name in errors:
        if name.startswith("col-"):
            in_column[int(name.split("-")[1])] = True
    return render(request, "table_settings.html", {
        "table": {"title": found.title(lang)},
        "urls": found.urls,
        "form": form,
        "errors": errors,
        "errors_in_column": in_column,
        "error_summary": error_summary(errors, form, t),
        "type_options": [{"value": kind, "label": t(f"type.{kind}")} for kind in TYPES],
        "saved": saved,
    }, status=status, headers={"Cache-Control": "no-store"})  # fmt: skip


@add_page(router, "table_settings")
def table_settings(
    slug: str, table_id: str, request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep,
) -> Response:  # fmt: skip
    user = require_login(viewer)
    found = find_table(session, table_id, user, lang)
    require_edit(user, found.dataset.organization_id)
    return moved(found, slug, "table_settings", request, lang) or _show(
        request, found, _stored_form(session, found), lang, saved=request.query_params.get("saved") == "1"
    )


@add_page(router, "table_settings", methods=("POST",))
def save_table_settings(
    slug: str, table_id: str, request: Request, form: CheckedLargeForm, session: SessionDep, viewer: WebViewer,
    lang: LangDep,
) -> Response:  # fmt: skip
    user = require_login(viewer)
    found = find_table(session, table_id, user, lang)
    require_edit(user, found.dataset.organization_id)
    t = Translator(lang)
    sent = submitted_form(form, _stored_form(session, found))
    errors = check(sent, t)
    if errors:
        return _show(request, found, sent, lang, errors=errors, status=422)
    try:
        update_table_settings(session, found.id, settings_values(sent), user)
    except ValidationFailed as exc:
        session.rollback()
        fields = field_of_service_error(sent)
        messages = service_messages(exc.errors, lambda name: fields.get(name, "on_error"), t)
        return _show(request, found, sent, lang, errors=messages, status=422)
    if form.get("action") == "save_reingest":
        reingest(session, found.id, user)
        return RedirectResponse(found.urls["page"] + ANCHOR_JOB, status_code=303)
    return RedirectResponse(found.urls["settings"] + "?saved=1", status_code=303)
