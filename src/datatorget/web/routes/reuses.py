"""Reuses: the list (with what waits for approval, for staff and submitters), the form to register one, and
a reuse's page with the submitter's changes and staff's approval, rejection and hiding."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from datatorget.catalog.models import User
from datatorget.catalog.permissions import is_admin, require_login
from datatorget.config import Settings
from datatorget.deps import SessionDep, SettingsDep, WebViewer, WebWrite
from datatorget.dialogue import moderation
from datatorget.dialogue import reuses as service
from datatorget.dialogue.models import Reuse
from datatorget.dialogue.reuse_present import reuse_out, reuse_outs
from datatorget.dialogue.schemas import HiddenIn, ReuseIn, ReusePatch
from datatorget.errors import DatatorgetError, PayloadTooLarge, ValidationFailed
from datatorget.jobs import notify
from datatorget.web.csrf import CheckedForm
from datatorget.web.form_errors import FieldErrors, summary, validation_messages
from datatorget.web.i18n import Lang, LangDep, Translator
from datatorget.web.paths import add_page, parse_id, url
from datatorget.web.request_views import FormValues, field_of_location, form_values
from datatorget.web.reuse_views import (
    FIELDS,
    KINDS,
    card_view,
    kind_options,
    page_view,
    reuse_input,
    service_errors,
)
from datatorget.web.templating import render

router = APIRouter()
TEXT_FIELDS = ("title", "description", "kind", "url", "datasets", "image_alt")
LIST_MAX = 100


@add_page(router, "reuses")
def reuse_list(request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep) -> HTMLResponse:
    kind = request.query_params.get("kind", "").strip()
    kind = kind if kind in KINDS else ""
    total, found = service.list_reuses(session, viewer, kind=kind or None, limit=LIST_MAX)
    waiting: list[dict[str, Any]] = []
    if viewer is not None:
        _count, pending = service.list_reuses(session, viewer, state="pending", limit=LIST_MAX)
        for reuse, out in zip(pending, reuse_outs(session, pending, viewer, base_url=""), strict=True):
            waiting.append(card_view(out, lang) | {"can_decide": service.is_staff(session, viewer, reuse)})
    return render(request, "reuses.html", {
        "kind": kind,
        "kinds": kind_options(lang),
        "total": total,
        "reuses": [card_view(out, lang) for out in reuse_outs(session, found, viewer, base_url="")],
        "waiting": waiting,
    })  # fmt: skip


# --- registering ----------------------------------------------------------------------------------------


def _show_new(
    request: Request, lang: Lang, values: FormValues, errors: FieldErrors | None = None, status: int = 200
) -> HTMLResponse:
    errors = errors or {}
    return render(request, "reuses_new.html", {
        "values": values,
        "errors": errors,
        "error_summary": summary(errors, FIELDS, Translator(lang)),
        "kinds": kind_options(lang),
    }, status=status)  # fmt: skip


@add_page(router, "reuse_new")
def new_reuse(request: Request, lang: LangDep) -> HTMLResponse:
    chosen = request.query_params.get("dataset", "").strip()
    return _show_new(request, lang, form_values(None, TEXT_FIELDS, datasets=chosen, kind="app"))


def _image(form: FormData) -> UploadFile | None:
    upload = form.get("image")
    return upload if isinstance(upload, UploadFile) and upload.filename else None


def _image_errors(image: UploadFile | None, values: FormValues, t: Translator) -> FieldErrors:
    return (
        {"image_alt": [t("reuse_error.alt")]} if image is not None and not values["image_alt"].strip() else {}
    )


def _stored_image(
    session: Session, reuse: Reuse, image: UploadFile | None, alt: str, user: User, settings: Settings
) -> None:
    if image is not None:
        service.set_image(session, reuse.id, image.file, alt, user, files_dir=settings.files_dir)


def _failed(exc: ValidationFailed | PayloadTooLarge, t: Translator) -> tuple[FieldErrors, int]:
    if isinstance(exc, PayloadTooLarge):
        return {"image": [t("reuse_error.too_large")]}, 413
    return service_errors(exc.errors, t), 422


@add_page(router, "reuse_new", methods=("POST",))
def register_reuse(
    request: Request, form: CheckedForm, session: SessionDep, viewer: WebViewer, settings: SettingsDep,
    lang: LangDep, _write: WebWrite,
) -> Response:  # fmt: skip
    """Register the reuse (and store its image), unless the form has mistakes: then nothing is stored."""
    user = require_login(viewer)
    values = form_values(form, TEXT_FIELDS)
    t = Translator(lang)
    image = _image(form)
    errors = _image_errors(image, values, t)
    data = None
    try:
        data = ReuseIn.model_validate(reuse_input(values))
    except ValidationError as exc:
        errors = validation_messages(exc, field_of_location, t) | errors
    if data is None or errors:
        return _show_new(request, lang, values, errors, 422)
    try:
        with session.begin_nested():  # a refused image undoes the registration too
            reuse = service.register_reuse(session, data, user)
            _stored_image(session, reuse, image, values["image_alt"], user, settings)
    except (ValidationFailed, PayloadTooLarge) as exc:
        found, status = _failed(exc, t)
        return _show_new(request, lang, values, found, status)
    return RedirectResponse(url("reuse", lang, reuse_id=str(reuse.id)), status_code=303)


# --- one reuse ------------------------------------------------------------------------------------------


@dataclass
class ReusePage:
    """A reuse's page as shown: what is in its forms and their errors."""

    edit: FormValues = field(default_factory=dict)
    edit_errors: FieldErrors = field(default_factory=dict)
    decide_errors: FieldErrors = field(default_factory=dict)
    hide_errors: FieldErrors = field(default_factory=dict)

    def show(
        self,
        request: Request,
        session: Session,
        found: Reuse,
        viewer: User | None,
        lang: Lang,
        status: int = 200,
    ) -> HTMLResponse:
        t = Translator(lang)
        out = reuse_out(session, found, viewer, base_url="")
        mine = service.is_submitter(viewer, found)
        edit = self.edit or {
            "title": out.title, "description": out.description, "kind": out.kind, "url": out.url,
            "datasets": ", ".join(d.slug for d in out.datasets), "image_alt": out.image.alt if out.image else "",
        }  # fmt: skip
        return render(request, "reuses_detail.html", {
            "r": page_view(out, lang),
            "staff": service.is_staff(session, viewer, found),
            "mine": mine,
            "can_delete": mine or is_admin(viewer),
            "kinds": kind_options(lang),
            "values": edit,
            "errors": self.edit_errors,
            "error_summary": summary(self.edit_errors, FIELDS, t),
            "edit_open": bool(self.edit_errors),
            "decide_errors": self.decide_errors,
            "decide_summary": summary(self.decide_errors, ("reject_reason",), t),
            "hide_errors": self.hide_errors,
            "hide_summary": summary(self.hide_errors, ("hide_reason",), t),
        }, status=status)  # fmt: skip


@add_page(router, "reuse")
def reuse_page(
    reuse_id: str, request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep
) -> HTMLResponse:
    found = service.get_reuse(session, parse_id(reuse_id, "reuse"), viewer)
    return ReusePage().show(request, session, found, viewer, lang)


@dataclass(frozen=True)
class Action:
    request: Request
    form: FormData
    session: Session
    found: Reuse
    user: User
    settings: Settings
    lang: Lang

    def back(self) -> RedirectResponse:
        """Back to the page the form was on: the list (staff decide there too) or the reuse's page (PRG)."""
        if self.form.get("back") == "list":
            return RedirectResponse(url("reuses", self.lang), status_code=303)
        return RedirectResponse(url("reuse", self.lang, reuse_id=str(self.found.id)), status_code=303)

    def again(self, page: ReusePage, status: int) -> HTMLResponse:
        return page.show(self.request, self.session, self.found, self.user, self.lang, status)


@add_page(router, "reuse", methods=("POST",))
def change_reuse(
    reuse_id: str, request: Request, form: CheckedForm, session: SessionDep, viewer: WebViewer,
    settings: SettingsDep, lang: LangDep, _write: WebWrite,
) -> Response:  # fmt: skip
    """One handler for the page's forms: `action` says which was sent."""
    user = require_login(viewer)
    found = service.get_reuse(session, parse_id(reuse_id, "reuse"), user)
    action = str(form.get("action") or "")
    handler = _ACTIONS.get(action)
    if handler is None:
        raise DatatorgetError(f"unknown action '{action}'")
    return handler(Action(request, form, session, found, user, settings, lang))


def _decide(a: Action, patch: dict[str, Any]) -> Response:
    t = Translator(a.lang)
    try:
        with a.session.begin_nested():
            decided = service.change_reuse(a.session, a.found.id, ReusePatch.model_validate(patch), a.user)
    except ValidationError as exc:
        return a.again(
            ReusePage(decide_errors=validation_messages(exc, lambda _loc: "reject_reason", t)), 422
        )
    except ValidationFailed as exc:
        errors = service_errors(exc.errors, t)
        return a.again(
            ReusePage(decide_errors={"reject_reason": [m for ms in errors.values() for m in ms]}), 422
        )
    notify.reuse_decided(a.session, a.settings, decided)
    return a.back()


def _approve(a: Action) -> Response:
    return _decide(a, {"state": "approved"})


def _reject(a: Action) -> Response:
    reason = str(a.form.get("reject_reason") or "").strip()
    return _decide(a, {"state": "rejected", "reason": reason or None})


def _hide(a: Action) -> Response:
    t = Translator(a.lang)
    try:
        data = HiddenIn.model_validate({"reason": str(a.form.get("hide_reason") or "")})
    except ValidationError as exc:
        return a.again(ReusePage(hide_errors=validation_messages(exc, lambda _loc: "hide_reason", t)), 422)
    moderation.set_hidden(a.session, "reuse", a.found.id, data.reason, a.user)
    return a.back()


def _show_again(a: Action) -> Response:
    moderation.set_hidden(a.session, "reuse", a.found.id, None, a.user)
    return a.back()


def _delete(a: Action) -> Response:
    service.delete_reuse(a.session, a.found.id, a.user, files_dir=a.settings.files_dir)
    return RedirectResponse(url("reuses", a.lang), status_code=303)


def _edit(a: Action) -> Response:
    """The submitter's changes, with a new image if one is chosen; all or nothing."""
    t = Translator(a.lang)
    values = form_values(a.form, TEXT_FIELDS)
    image = _image(a.form)
    errors = _image_errors(image, values, t)
    patch = None
    try:
        fields = reuse_input(values)
        if a.found.image_file is not None and image is None:
            fields["image_alt"] = values["image_alt"].strip() or None
        patch = ReusePatch.model_validate(fields)
    except ValidationError as exc:
        errors = validation_messages(exc, field_of_location, t) | errors
    if patch is None or errors:
        return a.again(ReusePage(edit=values, edit_errors=errors), 422)
    try:
        with a.session.begin_nested():
            service.change_reuse(a.session, a.found.id, patch, a.user)
            _stored_image(a.session, a.found, image, values["image_alt"], a.user, a.settings)
    except (ValidationFailed, PayloadTooLarge) as exc:
        found, status = _failed(exc, t)
        a.session.refresh(a.found)
        return a.again(ReusePage(edit=values, edit_errors=found), status)
    return a.back()


_ACTIONS: dict[str, Callable[[Action], Response]] = {
    "approve": _approve, "reject": _reject, "hide": _hide, "show_again": _show_again, "delete": _delete,
    "edit": _edit,
}  # fmt: skip
