"""A dataset's page, and the forms to create and edit a dataset (editors of its organisation, admins)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from datatorget.catalog import datasets
from datatorget.catalog.models import Dataset, User
from datatorget.catalog.organizations import list_organizations
from datatorget.catalog.permissions import can_edit_organization_data, require_edit, require_login
from datatorget.catalog.present import dataset_out
from datatorget.catalog.schemas import DatasetIn, DatasetPatch
from datatorget.deps import SessionDep, SettingsDep, WebViewer
from datatorget.errors import Conflict, PermissionDenied, ValidationFailed
from datatorget.jobs.ingestion import unread_tables
from datatorget.web.csrf import CheckedForm
from datatorget.web.dataset_form import (
    FIELD_ORDER,
    FormValues,
    choices,
    dataset_input,
    empty_form,
    field_of_location,
    field_of_service_error,
    form_from_dataset,
    submitted_form,
)
from datatorget.web.discussion_views import discussion_section
from datatorget.web.form_errors import FieldErrors, service_messages, summary, validation_messages
from datatorget.web.formatting import localized
from datatorget.web.i18n import Lang, LangDep, Translator
from datatorget.web.paths import add_page, url
from datatorget.web.quality_views import dataset_panel
from datatorget.web.reuse_views import reuse_section
from datatorget.web.templating import render
from datatorget.web.views import dataset_view, origin_view

router = APIRouter()


def _editable_organizations(session: Session, user: User) -> list[dict[str, str]]:
    """The organisations whose datasets the user may create and change, A–Ö."""
    return [
        {"value": organization.slug, "label": organization.name}
        for organization, _count in list_organizations(session, user)
        if can_edit_organization_data(user, organization.id)
    ]


@dataclass(frozen=True)
class FormPage:
    """The dataset form as shown: what is in the fields, the organisations to choose from, which dataset."""

    values: FormValues
    organizations: list[dict[str, str]]
    editing: dict[str, str] | None = None

    def show(
        self, request: Request, lang: Lang, errors: FieldErrors | None = None, status: int = 200
    ) -> HTMLResponse:
        errors = errors or {}
        slug = self.editing["slug"] if self.editing else None
        return render(request, "dataset_form.html", {
            "editing": self.editing,
            "action": url("dataset_edit", lang, slug=slug) if slug else url("dataset_new", lang),
            "values": self.values,
            "organizations": self.organizations,
            "choices": choices(lang),
            "errors": errors,
            "error_summary": summary(errors, FIELD_ORDER, Translator(lang)),
        }, status=status)  # fmt: skip


def _rejected(session: Session, exc: ValidationFailed | Conflict, t: Translator) -> FieldErrors:
    """The service refused the change: undo what it began, and say why next to the fields."""
    session.rollback()
    return service_messages(exc.errors or {"slug": [str(exc)]}, field_of_service_error, t)


@add_page(router, "dataset_new")
def new_dataset(request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep) -> HTMLResponse:
    organizations = _editable_organizations(session, require_login(viewer))
    if not organizations:
        raise PermissionDenied("you may not create datasets")
    first = organizations[0]["value"] if len(organizations) == 1 else ""
    return FormPage(empty_form(first), organizations).show(request, lang)


@add_page(router, "dataset_new", methods=("POST",))
def create_dataset(
    request: Request, form: CheckedForm, session: SessionDep, viewer: WebViewer, lang: LangDep
) -> Response:
    organizations = _editable_organizations(session, require_login(viewer))
    if not organizations:
        raise PermissionDenied("you may not create datasets")
    page = FormPage(submitted_form(form), organizations)
    t = Translator(lang)
    try:
        data = DatasetIn.model_validate(dataset_input(page.values))
    except ValidationError as exc:
        return page.show(request, lang, validation_messages(exc, field_of_location, t), status=422)
    try:
        dataset = datasets.create_dataset(session, data, viewer)
    except (ValidationFailed, Conflict) as exc:
        return page.show(request, lang, _rejected(session, exc, t), status=422)
    return RedirectResponse(url("dataset", lang, slug=dataset.slug), status_code=303)


@add_page(router, "dataset")
def dataset_page(
    slug: str, request: Request, session: SessionDep, viewer: WebViewer, settings: SettingsDep, lang: LangDep
) -> HTMLResponse:
    dataset = datasets.get_dataset(session, slug, viewer)
    request.app.state.demand.count_use(dataset.id, "view")
    view = dataset_view(dataset_out(dataset, base_url=settings.base_url), lang)
    unread = unread_tables(session, dataset.distributions)
    for dist in view["distributions"]:
        dist["unread"] = unread.get(dist["id"])
    can_edit = can_edit_organization_data(viewer, dataset.organization_id)
    return render(request, "dataset.html", {
        "dataset": view,
        "can_edit": can_edit,
        "origin": origin_view(dataset.origin),
        "quality": dataset_panel(session, dataset, lang) if can_edit else None,
        "discussions": discussion_section(session, dataset, viewer, lang),
        "reuses": reuse_section(session, dataset, viewer, lang),
    })  # fmt: skip


FORM_LANGUAGES = ("sv", "en")


def _keep_other_languages(values: dict[str, Any], dataset: Dataset) -> dict[str, Any]:
    """The form shows Swedish and English; texts in other languages (set through the API) stay as they are."""
    for name in ("title", "description", "keywords"):
        others = {lang: text for lang, text in getattr(dataset, name).items() if lang not in FORM_LANGUAGES}
        if others and isinstance(values.get(name), dict):
            values[name] = others | values[name]
    return values


def _editing(dataset_slug: str, title: str) -> dict[str, str]:
    return {"slug": dataset_slug, "title": title}


@add_page(router, "dataset_edit")
def edit_dataset(
    slug: str, request: Request, session: SessionDep, viewer: WebViewer, settings: SettingsDep, lang: LangDep
) -> HTMLResponse:
    user = require_login(viewer)
    dataset = datasets.get_dataset(session, slug, user)
    require_edit(user, dataset.organization_id)
    out = dataset_out(dataset, base_url=settings.base_url)
    editing = _editing(dataset.slug, localized(dataset.title, lang).text)
    return FormPage(form_from_dataset(out), _editable_organizations(session, user), editing).show(
        request, lang
    )


@add_page(router, "dataset_edit", methods=("POST",))
def update_dataset(
    slug: str, request: Request, form: CheckedForm, session: SessionDep, viewer: WebViewer, lang: LangDep
) -> Response:
    user = require_login(viewer)
    dataset = datasets.get_dataset(session, slug, user)
    require_edit(user, dataset.organization_id)
    editing = _editing(dataset.slug, localized(dataset.title, lang).text)
    page = FormPage(submitted_form(form), _editable_organizations(session, user), editing)
    t = Translator(lang)
    try:
        patch = DatasetPatch.model_validate(_keep_other_languages(dataset_input(page.values), dataset))
    except ValidationError as exc:
        return page.show(request, lang, validation_messages(exc, field_of_location, t), status=422)
    try:
        changed = datasets.update_dataset(session, slug, patch, user)
    except (ValidationFailed, Conflict) as exc:
        return page.show(request, lang, _rejected(session, exc, t), status=422)
    return RedirectResponse(url("dataset", lang, slug=changed.slug), status_code=303)
