"""Add a distribution to a dataset: upload a file, or link to data published elsewhere. An uploaded table
(CSV, XLSX, ...) is read in at once, and the publisher is sent to its table page to follow the reading."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from datatorget.catalog import distributions
from datatorget.catalog.datasets import get_dataset
from datatorget.catalog.permissions import require_edit, require_login
from datatorget.catalog.schemas import DistributionLinkIn, DistributionPatch
from datatorget.catalog.tables import is_tabular
from datatorget.deps import SessionDep, SettingsDep, WebViewer
from datatorget.errors import ValidationFailed
from datatorget.jobs.ingestion import start_ingestion
from datatorget.web.csrf import CheckedForm
from datatorget.web.distribution_form import (
    FIELDS,
    FormValues,
    Kind,
    choices,
    empty_forms,
    field_of_location,
    field_of_service_error,
    link_input,
    submitted,
    texts,
)
from datatorget.web.form_errors import FieldErrors, service_messages, summary, validation_messages
from datatorget.web.formatting import localized
from datatorget.web.i18n import Lang, LangDep, Translator
from datatorget.web.paths import add_page, url
from datatorget.web.templating import render

router = APIRouter()


def _page(
    request: Request,
    lang: Lang,
    dataset: dict[str, str],
    *,
    forms: dict[Kind, FormValues],
    sent: Kind | None = None,
    errors: FieldErrors | None = None,
    status: int = 200,
) -> HTMLResponse:
    errors = errors or {}
    return render(request, "distribution_form.html", {
        "dataset": dataset,
        "action": url("distribution_new", lang, slug=dataset["slug"]),
        "forms": forms,
        "sent": sent,
        "errors": errors,
        "error_summary": summary(errors, FIELDS[sent] if sent else (), Translator(lang)),
        "choices": choices(lang),
    }, status=status)  # fmt: skip


@add_page(router, "distribution_new")
def new_distribution(
    slug: str, request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep
) -> HTMLResponse:
    user = require_login(viewer)
    dataset = get_dataset(session, slug, user)
    require_edit(user, dataset.organization_id)
    shown = {"slug": dataset.slug, "title": localized(dataset.title, lang).text}
    return _page(request, lang, shown, forms=empty_forms())


@add_page(router, "distribution_new", methods=("POST",))
def add_distribution(
    slug: str, request: Request, form: CheckedForm, session: SessionDep, viewer: WebViewer,
    settings: SettingsDep, lang: LangDep,
) -> Response:  # fmt: skip
    user = require_login(viewer)
    dataset = get_dataset(session, slug, user)
    require_edit(user, dataset.organization_id)
    shown = {"slug": dataset.slug, "title": localized(dataset.title, lang).text}
    kind: Kind = "link" if form.get("kind") == "link" else "upload"
    values = submitted(form, kind)
    forms = empty_forms() | {kind: values}
    t = Translator(lang)
    try:
        if kind == "link":
            linked = distributions.add_link(
                session, slug, DistributionLinkIn.model_validate(link_input(values)), user
            )
            if values["ingest"]:
                if not is_tabular(linked):
                    raise ValidationFailed({"ingest": ["only a link to a table file can be read in"]})
                start_ingestion(session, linked, user, source="url")
                target = url("table", lang, slug=dataset.slug, table_id=str(linked.id)) + "#ingestion"
                return RedirectResponse(target, status_code=303)
        else:
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise ValidationFailed({"file": ["send the file"]})
            described = DistributionPatch(
                title=texts(values, "title"), description=texts(values, "description")
            )
            added = distributions.add_upload(
                session, slug, distributions.Upload(upload.file, upload.filename, upload.content_type, upload.size),
                user, files_dir=settings.files_dir, max_bytes=settings.max_upload_bytes,
                title=described.title or None, description=described.description or None,
                format=values["format"] or None, license=values["license"] or None,
            )  # fmt: skip
            if is_tabular(added):
                # read it into a table at once; the table page shows how that goes
                start_ingestion(session, added, user)
                target = url("table", lang, slug=dataset.slug, table_id=str(added.id)) + "#ingestion"
                return RedirectResponse(target, status_code=303)
    except ValidationError as exc:
        errors = validation_messages(exc, field_of_location, t)
        return _page(request, lang, shown, forms=forms, sent=kind, errors=errors, status=422)
    except ValidationFailed as exc:
        session.rollback()
        errors = service_messages(exc.errors, field_of_service_error, t)
        return _page(request, lang, shown, forms=forms, sent=kind, errors=errors, status=422)
    return RedirectResponse(url("dataset", lang, slug=slug) + "#distributions", status_code=303)
