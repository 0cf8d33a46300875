"""Harvesting in the web UI, for administrators: the sources (/skordning), a form to add one, a source's
page (its settings, "Run now", delete with a confirmation, its runs) and a run's report (counts, and each
record's outcome with the reason and a link to the local dataset). Others get the login or the 403 page."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from datatorget.catalog.models import User
from datatorget.catalog.organizations import list_organizations
from datatorget.catalog.permissions import require_admin
from datatorget.deps import SessionDep, WebViewer
from datatorget.errors import Conflict, NotFound, ValidationFailed
from datatorget.interop import harvest_sources as service
from datatorget.interop.harvest_models import SOURCE_KINDS
from datatorget.interop.harvest_schemas import HarvestSourceIn, HarvestSourceOut, HarvestSourcePatch
from datatorget.interop.harvest_sources import run_out, source_out
from datatorget.jobs.harvesting import start_harvest
from datatorget.web.csrf import CheckedForm
from datatorget.web.form_errors import FieldErrors, service_messages, summary, validation_messages
from datatorget.web.harvest_views import record_view, run_view, source_view
from datatorget.web.i18n import Lang, LangDep, Translator
from datatorget.web.paths import add_page, parse_id, url
from datatorget.web.templating import render

router = APIRouter()
NO_STORE = {"Cache-Control": "no-store"}
RUNS_SHOWN = 20

# form field -> field of HarvestSourceIn; the form's names are kept apart from the other forms' labels
FIELDS = {
    "source_title": "title", "source_url": "url", "source_kind": "kind", "source_organization": "organization",
    "interval_hours": "interval_hours", "enabled": "enabled",
}  # fmt: skip
FORM_OF = {model: form for form, model in FIELDS.items()}


# --- forms ------------------------------------------------------------------------------------------------


def _organizations(session: Session, viewer: User) -> list[dict[str, str]]:
    return [{"value": o.slug, "label": o.name} for o, _count in list_organizations(session, viewer)]


def form_values(form: FormData | None, source: HarvestSourceOut | None = None) -> dict[str, str]:
    """The form's fields as sent, or those of the source (or the defaults of a new source) to start from."""
    if form is not None:
        values = {name: str(form.get(name) or "").strip()[:4000] for name in FIELDS}
        values["enabled"] = "1" if form.get("enabled") else ""
        return values
    if source is None:
        return dict.fromkeys(FIELDS, "") | {"source_kind": "dcat", "interval_hours": "24", "enabled": "1"}
    return {
        "source_title": source.title, "source_url": source.url, "source_kind": source.kind,
        "source_organization": source.organization.slug, "interval_hours": str(source.interval_hours),
        "enabled": "1" if source.enabled else "",
    }  # fmt: skip


def source_input(values: dict[str, str], only: frozenset[str] | None = None) -> dict[str, Any]:
    """The fields for HarvestSourceIn (or, with `only`, those of them a patch has)."""
    found: dict[str, Any] = {model: values[form] for form, model in FIELDS.items()}
    found["enabled"] = bool(values["enabled"])
    return {name: value for name, value in found.items() if only is None or name in only}


def field_of_location(location: tuple[int | str, ...]) -> str:
    first = str(location[0]) if location else ""
    return FORM_OF.get(first, "source_title")


# Fields whose every error has one message of its own, more helpful than the general one
SPECIFIC = {
    "source_url": "harvest.error.url",
    "source_organization": "harvest.error.organization",
    "interval_hours": "harvest.error.interval",
}


def specific(errors: FieldErrors, t: Translator) -> FieldErrors:
    return {name: [t(SPECIFIC[name])] if name in SPECIFIC else found for name, found in errors.items()}


def _invalid(exc: ValidationError, t: Translator) -> FieldErrors:
    return specific(validation_messages(exc, field_of_location, t), t)


def _rejected(exc: ValidationFailed | Conflict, t: Translator) -> FieldErrors:
    found = service_messages(
        exc.errors or {"title": [str(exc)]}, lambda name: FORM_OF.get(name, "source_title"), t
    )
    return specific(found, t)


@dataclass
class FormState:
    values: dict[str, str]
    errors: FieldErrors = field(default_factory=dict)

    def context(self, session: Session, viewer: User, t: Translator) -> dict[str, Any]:
        return {
            "values": self.values,
            "errors": self.errors,
            "error_summary": summary(self.errors, tuple(FIELDS), t),
            "kinds": [{"value": kind, "label": t(f"harvest.kind.{kind}")} for kind in SOURCE_KINDS],
            "organizations": _organizations(session, viewer),
        }


# --- the list, and a new source ---------------------------------------------------------------------------


@add_page(router, "harvest_sources")
def sources_page(request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep) -> HTMLResponse:
    require_admin(viewer)
    sources = [source_out(session, s) for s in service.list_sources(session, viewer)]
    return render(request, "harvest_sources.html", {
        "sources": [source_view(s, lang) for s in sources],
    }, headers=NO_STORE)  # fmt: skip


def _new_form(request: Request, session: Session, viewer: User, lang: Lang, state: FormState,
              status: int = 200) -> HTMLResponse:  # fmt: skip
    return render(request, "harvest_source_form.html", state.context(session, viewer, Translator(lang)),
                  status=status, headers=NO_STORE)  # fmt: skip


@add_page(router, "harvest_source_new")
def new_source(request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep) -> HTMLResponse:
    user = require_admin(viewer)
    return _new_form(request, session, user, lang, FormState(form_values(None)))


@add_page(router, "harvest_source_new", methods=("POST",))
def create_source(
    request: Request, form: CheckedForm, session: SessionDep, viewer: WebViewer, lang: LangDep
) -> Response:
    user = require_admin(viewer)
    t = Translator(lang)
    values = form_values(form)
    try:
        data = HarvestSourceIn.model_validate(source_input(values))
    except ValidationError as exc:
        state = FormState(values, _invalid(exc, t))
        return _new_form(request, session, user, lang, state, status=422)
    try:
        with session.begin_nested():
            source = service.create_source(session, data, user)
    except (ValidationFailed, Conflict) as exc:
        return _new_form(request, session, user, lang, FormState(values, _rejected(exc, t)), status=422)
    return RedirectResponse(url("harvest_source", lang, source_id=str(source.id)), status_code=303)


# --- a source: settings, run now, delete, runs --------------------------------------------------------------


@dataclass
class SourcePage:
    """What the source page shows besides the source: the form as sent, a notice, the delete confirmation."""

    form: FormState | None = None
    notice: str = ""
    notice_is_error: bool = False
    confirm_delete: bool = False


def _source_page(request: Request, session: Session, viewer: User, source_id: uuid.UUID, lang: Lang,
                 page: SourcePage, status: int = 200) -> HTMLResponse:  # fmt: skip
    t = Translator(lang)
    source = source_out(session, service.get_source(session, source_id, viewer))
    runs = [run_out(r) for r in service.list_runs(session, source_id, viewer, limit=RUNS_SHOWN)]
    state = page.form or FormState(form_values(None, source))
    return render(request, "harvest_source.html", {
        "source": source_view(source, lang),
        "runs": [run_view(r, source.id, lang) for r in runs],
        "editable": [FORM_OF[name] for name in HarvestSourcePatch.model_fields],
        "notice": page.notice,
        "notice_is_error": page.notice_is_error,
        "confirm_delete": page.confirm_delete,
        "failed": bool(state.errors),
    } | state.context(session, viewer, t), status=status, headers=NO_STORE)  # fmt: skip


@add_page(router, "harvest_source")
def source_page(
    source_id: str, request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep
) -> HTMLResponse:
    user = require_admin(viewer)
    notice = Translator(lang)("harvest.saved") if request.query_params.get("saved") == "1" else ""
    return _source_page(
        request, session, user, parse_id(source_id, "harvest source"), lang, SourcePage(notice=notice)
    )


@dataclass(frozen=True)
class Action:
    request: Request
    form: FormData
    session: Session
    user: User
    source_id: uuid.UUID
    lang: Lang

    def again(self, page: SourcePage, status: int) -> HTMLResponse:
        return _source_page(self.request, self.session, self.user, self.source_id, self.lang, page, status)


def _save(a: Action) -> Response:
    t = Translator(a.lang)
    values = form_values(a.form)
    try:
        patch = HarvestSourcePatch.model_validate(
            source_input(values, frozenset(HarvestSourcePatch.model_fields))
        )
    except ValidationError as exc:
        return a.again(SourcePage(FormState(values, _invalid(exc, t))), 422)
    try:
        with a.session.begin_nested():
            service.update_source(a.session, a.source_id, patch, a.user)
    except (ValidationFailed, Conflict) as exc:
        return a.again(SourcePage(FormState(values, _rejected(exc, t))), 422)
    return RedirectResponse(
        url("harvest_source", a.lang, source_id=str(a.source_id)) + "?saved=1", status_code=303
    )


def _run(a: Action) -> Response:
    t = Translator(a.lang)
    try:
        with a.session.begin_nested():
            run, _job = start_harvest(a.session, a.source_id, a.user)
    except Conflict:
        return a.again(SourcePage(notice=t("harvest.run_busy"), notice_is_error=True), 409)
    return RedirectResponse(
        url("harvest_run", a.lang, source_id=str(a.source_id), run_id=str(run.id)), status_code=303
    )


def _ask_to_delete(a: Action) -> Response:
    return a.again(SourcePage(confirm_delete=True), 200)


def _delete(a: Action) -> Response:
    try:
        with a.session.begin_nested():
            service.delete_source(a.session, a.source_id, a.user)
    except Conflict:
        notice = Translator(a.lang)("harvest.delete_busy")
        return a.again(SourcePage(notice=notice, notice_is_error=True), 409)
    return RedirectResponse(url("harvest_sources", a.lang), status_code=303)


_ACTIONS: dict[str, Callable[[Action], Response]] = {
    "save": _save, "run": _run, "delete": _ask_to_delete, "delete_confirmed": _delete,
}  # fmt: skip


@add_page(router, "harvest_source", methods=("POST",))
def change_source(
    source_id: str, request: Request, form: CheckedForm, session: SessionDep, viewer: WebViewer, lang: LangDep
) -> Response:
    """Save the settings, run now, or delete (after a confirmation); back to the page or on to the run."""
    user = require_admin(viewer)
    found = parse_id(source_id, "harvest source")
    service.get_source(session, found, user)  # 404 before anything else
    action = _ACTIONS.get(str(form.get("action") or ""))
    if action is None:
        raise NotFound(f"no action '{form.get('action')}'")
    return action(Action(request, form, session, user, found, lang))


# --- a run's report ---------------------------------------------------------------------------------------


@add_page(router, "harvest_run")
def run_page(
    source_id: str, run_id: str, request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep
) -> HTMLResponse:
    user = require_admin(viewer)
    source = source_out(session, service.get_source(session, parse_id(source_id, "harvest source"), user))
    run = run_out(service.get_run(session, parse_id(run_id, "harvest run"), user))
    if run.source_id != source.id:
        raise NotFound(f"no harvest run '{run_id}' of this source")
    return render(request, "harvest_run.html", {
        "source": source_view(source, lang),
        "run": run_view(run, source.id, lang),
        "records": [record_view(r, lang) for r in run.records],
    }, headers=NO_STORE)  # fmt: skip
