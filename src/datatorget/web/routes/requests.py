"""Data requests: the list with how the organisations answer, the form to file one, the confirmation link,
and a request's page with its timeline, votes, following, comments and, for staff, the answer form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from datatorget.catalog.models import User
from datatorget.catalog.organizations import list_organizations
from datatorget.catalog.permissions import require_login
from datatorget.config import Settings
from datatorget.deps import SessionDep, SettingsDep, WebViewer, WebWrite
from datatorget.dialogue import moderation
from datatorget.dialogue import requests as service
from datatorget.dialogue.models import DataRequest
from datatorget.dialogue.present import request_out, request_summaries
from datatorget.dialogue.schemas import CommentIn, RequestIn, RequestPatch
from datatorget.errors import Conflict, DatatorgetError, NotFound, PermissionDenied, ValidationFailed
from datatorget.jobs import notify
from datatorget.web import spam
from datatorget.web.csrf import CheckedForm
from datatorget.web.form_errors import FieldErrors, summary, validation_messages
from datatorget.web.i18n import Lang, LangDep, Translator
from datatorget.web.paths import add_page, parse_id, url
from datatorget.web.request_views import (
    ANSWER_FIELDS,
    NEW_FIELDS,
    PAGE_SIZE,
    FormValues,
    answer_input,
    field_of_location,
    form_values,
    options,
    parse_list,
    request_input,
    request_view,
    service_errors,
    summary_view,
)
from datatorget.web.search_page import paging
from datatorget.web.templating import render

router = APIRouter()


def _organizations(session: Session, viewer: User | None) -> list[dict[str, str]]:
    return [{"value": o.slug, "label": o.name} for o, _count in list_organizations(session, viewer)]


@add_page(router, "requests")
def request_list(request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep) -> HTMLResponse:
    organizations = _organizations(session, viewer)
    state = parse_list(request.query_params, [o["value"] for o in organizations])
    total, found = service.list_requests(
        session, viewer, state=state.state or None, organization=state.organization or None,
        theme=state.theme or None, sort=state.sort, limit=PAGE_SIZE, offset=state.offset,
    )  # fmt: skip
    return render(request, "requests.html", {
        "state": state,
        "total": total,
        "requests": [summary_view(s, lang) for s in request_summaries(session, found)],
        "organizations": organizations,
        "options": options(lang),
        "paging": paging(state, total, lang, size=PAGE_SIZE),
        "responsiveness": [
            {"name": o.name, "url": url("organization", lang, slug=o.slug), "requests": n, "answered": answered,
             "median_days": median}
            for o, n, answered, median in service.responsiveness(session)
        ],
    })  # fmt: skip


# --- filing ---------------------------------------------------------------------------------------------


def _show_new(
    request: Request, session: Session, viewer: User | None, lang: Lang, values: FormValues,
    errors: FieldErrors | None = None, status: int = 200, refused: str | None = None,
) -> HTMLResponse:  # fmt: skip
    errors = errors or {}
    return render(request, "requests_new.html", {
        "stamp": spam.stamp(request.app.state.settings),
        "refused": refused,
        "values": values,
        "errors": errors,
        "error_summary": summary(errors, NEW_FIELDS, Translator(lang)),
        "organizations": _organizations(session, viewer),
        "options": options(lang),
        "needs_email": viewer is None,
    }, status=status)  # fmt: skip


@add_page(router, "request_new")
def new_request(request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep) -> HTMLResponse:
    chosen = request.query_params.get("organization", "")
    return _show_new(request, session, viewer, lang, form_values(None, NEW_FIELDS, organization=chosen))


def _checked_request(
    values: FormValues, viewer: User | None, t: Translator
) -> tuple[RequestIn | None, FieldErrors]:
    """The request in the form, or every error in it at once: without an account, the address is needed."""
    errors: FieldErrors = {}
    data = None
    try:
        data = RequestIn.model_validate(request_input(values, logged_in=viewer is not None))
    except ValidationError as exc:
        errors = validation_messages(exc, field_of_location, t)
    if viewer is None and not values["email"].strip():
        errors["email"] = [t("request_error.email")]
    return (None if errors else data), errors


@add_page(router, "request_new", methods=("POST",))
def file_request(
    request: Request, form: CheckedForm, session: SessionDep, viewer: WebViewer, settings: SettingsDep,
    lang: LangDep, _write: WebWrite,
) -> Response:  # fmt: skip
    """File the request, unless the form has mistakes or looks sent by a script (spam.refusal)."""
    values = form_values(form, NEW_FIELDS)
    t = Translator(lang)
    data, errors = _checked_request(values, viewer, t)
    refusal = spam.refusal(form, settings)
    if data is None or refusal:
        return _show_new(request, session, viewer, lang, values, errors, 422, t(refusal) if refusal else None)
    try:
        with session.begin_nested():  # a refusal undoes what the service began, and the page still reads
            filed = service.file_request(session, data, viewer)
    except ValidationFailed as exc:
        return _show_new(request, session, viewer, lang, values, service_errors(exc.errors, t), 422)
    if filed.confirm_token is None:
        return RedirectResponse(url("request", lang, request_id=str(filed.request.id)), status_code=303)
    notify.send_confirmation(session, settings, filed.request, filed.confirm_token, lang)
    return RedirectResponse(url("request_sent", lang), status_code=303)


@add_page(router, "request_sent")
def request_sent(request: Request, lang: LangDep) -> HTMLResponse:
    return render(request, "requests_sent.html", {})


@add_page(router, "request_confirm")
def confirm_request(request: Request, session: SessionDep, lang: LangDep) -> Response:
    try:
        confirmed = service.confirm_request(session, request.query_params.get("token", ""))
    except NotFound:
        t = Translator(lang)
        return render(request, "error.html", {
            "status": 404, "heading": t("request_confirm.unknown_title"), "message": t("request_confirm.unknown"),
        }, status=404)  # fmt: skip
    return RedirectResponse(url("request", lang, request_id=str(confirmed.id)), status_code=303)


# --- one request ----------------------------------------------------------------------------------------


@dataclass
class RequestPage:
    """A request's page as shown: what is in its forms, their errors, and a notice about a vote."""

    comment: FormValues = field(default_factory=lambda: {"body": ""})
    answer: FormValues = field(default_factory=dict)
    comment_errors: FieldErrors = field(default_factory=dict)
    answer_errors: FieldErrors = field(default_factory=dict)
    notice: str = ""

    def show(
        self, request: Request, session: Session, found: DataRequest, viewer: User | None, lang: Lang,
        status: int = 200,
    ) -> HTMLResponse:  # fmt: skip
        t = Translator(lang)
        staff = service.is_staff(viewer, found)
        view = request_view(request_out(session, found, viewer), lang)
        answer = self.answer or form_values(None, ANSWER_FIELDS, state=found.state)
        return render(request, "requests_detail.html", {
            "r": view,
            "staff": staff,
            "options": options(lang),
            "comment": self.comment,
            "comment_errors": self.comment_errors,
            "comment_summary": summary(self.comment_errors, ("body",), t),
            "answer": answer,
            "answer_errors": self.answer_errors,
            "answer_summary": summary(self.answer_errors, ANSWER_FIELDS, t),
            "notice": self.notice,
        }, status=status)  # fmt: skip


@add_page(router, "request")
def request_page(
    request_id: str, request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep
) -> HTMLResponse:
    found = service.get_request(session, parse_id(request_id, "data request"), viewer)
    return RequestPage().show(request, session, found, viewer, lang)


@add_page(router, "request", methods=("POST",))
def change_request(
    request_id: str, request: Request, form: CheckedForm, session: SessionDep, viewer: WebViewer,
    settings: SettingsDep, lang: LangDep, _write: WebWrite,
) -> Response:  # fmt: skip
    """One handler for the page's forms: `action` says which was sent. Done: back to the page (PRG)."""
    user = require_login(viewer)
    found = service.get_request(session, parse_id(request_id, "data request"), user)
    action = str(form.get("action") or "")
    handler = _ACTIONS.get(action)
    if handler is None:
        raise DatatorgetError(f"unknown action '{action}'")
    return handler(Action(request, form, session, found, user, settings, lang))


@dataclass(frozen=True)
class Action:
    request: Request
    form: Any
    session: Session
    found: DataRequest
    user: User
    settings: Settings
    lang: Lang

    def back(self, anchor: str = "") -> RedirectResponse:
        target = url("request", self.lang, request_id=str(self.found.id))
        return RedirectResponse(target + (f"#{anchor}" if anchor else ""), status_code=303)

    def again(self, page: RequestPage, status: int) -> HTMLResponse:
        """The page again, with the errors or the notice."""
        return page.show(self.request, self.session, self.found, self.user, self.lang, status)


def _vote(a: Action) -> Response:
    try:
        with a.session.begin_nested():
            service.vote(a.session, a.found.id, a.user)
    except Conflict as exc:
        key = "already_voted" if "already voted" in str(exc) else "closed"
        return a.again(RequestPage(notice=Translator(a.lang)(f"request.notice.{key}")), 409)
    return a.back("votes")


def _withdraw_vote(a: Action) -> Response:
    try:
        with a.session.begin_nested():
            service.withdraw_vote(a.session, a.found.id, a.user)
    except NotFound:
        return a.again(RequestPage(notice=Translator(a.lang)("request.notice.not_voted")), 409)
    return a.back("votes")


def _follow(a: Action) -> Response:
    service.follow(a.session, a.found.id, a.user)
    return a.back("votes")


def _unfollow(a: Action) -> Response:
    service.unfollow(a.session, a.found.id, a.user)
    return a.back("votes")


def _comment(a: Action) -> Response:
    values = form_values(a.form, ("body",))
    try:
        data = CommentIn.model_validate({"body": values["body"]})
    except ValidationError as exc:
        errors = validation_messages(exc, lambda _loc: "body", Translator(a.lang))
        return a.again(RequestPage(comment=values, comment_errors=errors), 422)
    event = service.add_comment(a.session, a.found.id, data.body, a.user)
    notify.request_changed(a.session, a.settings, a.found, event)  # news only when staff wrote it
    return a.back(f"event-{event.id}")


def _answer(a: Action) -> Response:
    if not service.is_staff(a.user, a.found):
        raise PermissionDenied("only staff of the organisation asked may answer or change the state")
    values = form_values(a.form, ANSWER_FIELDS)
    t = Translator(a.lang)
    try:
        patch = RequestPatch.model_validate(answer_input(values, a.found.state))
        with a.session.begin_nested():  # a refusal undoes what the service began
            changed, event = service.answer_request(a.session, a.found.id, patch, a.user)
    except ValidationError as exc:
        errors = validation_messages(exc, field_of_location, t)
        return a.again(RequestPage(answer=values, answer_errors=errors), 422)
    except ValidationFailed as exc:
        return a.again(RequestPage(answer=values, answer_errors=service_errors(exc.errors, t)), 422)
    notify.request_changed(a.session, a.settings, changed, event)
    return a.back(f"event-{event.id}")


def _show_again(a: Action) -> Response:
    """Staff show a hidden request, or a hidden entry of its timeline (`event_id`), again."""
    event = str(a.form.get("event_id") or "")
    if event:
        moderation.set_hidden(
            a.session, "event", parse_id(event, "timeline entry"), None, a.user, shown_in=a.found.id
        )
    else:
        moderation.set_hidden(a.session, "request", a.found.id, None, a.user)
    return a.back(f"event-{event}" if event else "")


_ACTIONS = {
    "vote": _vote, "withdraw_vote": _withdraw_vote, "follow": _follow, "unfollow": _unfollow,
    "comment": _comment, "answer": _answer, "show_again": _show_again,
}  # fmt: skip
