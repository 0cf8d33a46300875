"""Discussions on a dataset's page: the list with the form to start one, and one discussion's thread with the
reply form, closing and opening again, and hiding for staff. Done: back to the page (post/redirect/get)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from datatorget.catalog.datasets import get_dataset
from datatorget.catalog.models import Dataset, User
from datatorget.catalog.permissions import require_login
from datatorget.config import Settings
from datatorget.deps import SessionDep, SettingsDep, WebViewer, WebWrite
from datatorget.dialogue import discussions as service
from datatorget.dialogue import moderation
from datatorget.dialogue.discussion_present import discussion_out, discussion_summaries
from datatorget.dialogue.models import Discussion
from datatorget.dialogue.schemas import DiscussionIn, HiddenIn, MessageIn
from datatorget.errors import Conflict, DatatorgetError, NotFound
from datatorget.jobs import notify
from datatorget.web.csrf import CheckedForm
from datatorget.web.discussion_views import (
    PAGE_SIZE,
    START_FIELDS,
    dataset_view,
    discussion_view,
    form_errors,
    parse_list,
    summary_view,
    thread_url,
)
from datatorget.web.form_errors import FieldErrors, summary
from datatorget.web.i18n import Lang, LangDep, Translator
from datatorget.web.paths import add_page, parse_id
from datatorget.web.request_views import FormValues, form_values
from datatorget.web.search_page import paging
from datatorget.web.templating import render

router = APIRouter()


# --- the list, and starting a discussion -------------------------------------------------------------------


def _show_list(
    request: Request, session: Session, dataset: Dataset, viewer: User | None, lang: Lang,
    values: FormValues | None = None, errors: FieldErrors | None = None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    state = parse_list(dataset.slug, request.query_params)
    total, found = service.list_discussions(
        session, dataset, viewer, state=state.state, limit=PAGE_SIZE, offset=state.offset
    )
    errors = errors or {}
    return render(request, "discussions.html", {
        "dataset": dataset_view(dataset, lang),
        "state": state,
        "total": total,
        "discussions": [summary_view(s, lang) for s in discussion_summaries(session, found)],
        "paging": paging(state, total, lang, size=PAGE_SIZE),
        "values": values or dict.fromkeys(START_FIELDS, ""),
        "errors": errors,
        "error_summary": summary(errors, START_FIELDS, Translator(lang)),
    }, status=status)  # fmt: skip


@add_page(router, "discussions")
def discussion_list(
    slug: str, request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep
) -> HTMLResponse:
    return _show_list(request, session, get_dataset(session, slug, viewer), viewer, lang)


@add_page(router, "discussions", methods=("POST",))
def start_discussion(
    slug: str, request: Request, form: CheckedForm, session: SessionDep, viewer: WebViewer, lang: LangDep,
    _write: WebWrite,
) -> Response:  # fmt: skip
    """Start a discussion, unless the form has mistakes: then the page again with them (422)."""
    user = require_login(viewer)
    dataset = get_dataset(session, slug, user)
    values = form_values(form, START_FIELDS)
    try:
        data = DiscussionIn.model_validate({"title": values["title"], "body": values["message"]})
    except ValidationError as exc:
        return _show_list(
            request, session, dataset, user, lang, values, form_errors(exc, Translator(lang)), 422
        )
    discussion = service.start_discussion(session, dataset.slug, data, user)
    return RedirectResponse(thread_url(dataset.slug, discussion.id, lang), status_code=303)


# --- one discussion ---------------------------------------------------------------------------------------


def _found(session: Session, slug: str, discussion_id: str, viewer: User | None) -> Discussion:
    """The discussion, if it is one of this dataset's and the viewer may see both (NotFound otherwise)."""
    dataset = get_dataset(session, slug, viewer)
    found = service.get_discussion(session, parse_id(discussion_id, "discussion"), viewer)
    if found.dataset_id != dataset.id:
        raise NotFound(f"no discussion '{discussion_id}'")
    return found


@dataclass
class ThreadPage:
    """A discussion's page as shown: what is in the reply form, its errors, and a notice."""

    reply: FormValues = field(default_factory=lambda: {"message": ""})
    errors: FieldErrors = field(default_factory=dict)
    notice: str = ""

    def show(
        self, request: Request, session: Session, found: Discussion, viewer: User | None, lang: Lang,
        status: int = 200,
    ) -> HTMLResponse:  # fmt: skip
        t = Translator(lang)
        dataset = found.dataset
        out = discussion_out(session, found, viewer)
        staff = service.is_staff(viewer, dataset)
        return render(request, "discussion.html", {
            "d": discussion_view(out, dataset.organization.name, lang),
            "dataset": dataset_view(dataset, lang),
            "staff": staff,
            "may_close": service.may_close(viewer, found) and found.closed_at is None,
            "may_reopen": staff and found.closed_at is not None,
            "reply": self.reply,
            "errors": self.errors,
            "error_summary": summary(self.errors, ("message",), t),
            "notice": self.notice,
        }, status=status)  # fmt: skip


@add_page(router, "discussion")
def discussion_page(
    slug: str, discussion_id: str, request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep
) -> HTMLResponse:
    return ThreadPage().show(request, session, _found(session, slug, discussion_id, viewer), viewer, lang)


@dataclass(frozen=True)
class Action:
    request: Request
    form: Any
    session: Session
    found: Discussion
    user: User
    settings: Settings
    lang: Lang

    def back(self, anchor: str = "") -> RedirectResponse:
        target = thread_url(self.found.dataset.slug, self.found.id, self.lang)
        return RedirectResponse(target + (f"#{anchor}" if anchor else ""), status_code=303)

    def again(self, page: ThreadPage, status: int) -> HTMLResponse:
        return page.show(self.request, self.session, self.found, self.user, self.lang, status)


@add_page(router, "discussion", methods=("POST",))
def change_discussion(
    slug: str, discussion_id: str, request: Request, form: CheckedForm, session: SessionDep,
    viewer: WebViewer, settings: SettingsDep, lang: LangDep, _write: WebWrite,
) -> Response:  # fmt: skip
    """One handler for the page's forms: `action` says which was sent."""
    user = require_login(viewer)
    found = _found(session, slug, discussion_id, user)
    action = str(form.get("action") or "")
    handler = _ACTIONS.get(action)
    if handler is None:
        raise DatatorgetError(f"unknown action '{action}'")
    return handler(Action(request, form, session, found, user, settings, lang))


def _reply(a: Action) -> Response:
    values = form_values(a.form, ("message",))
    t = Translator(a.lang)
    try:
        data = MessageIn.model_validate({"body": values["message"]})
        with a.session.begin_nested():
            message = service.reply(a.session, a.found.id, data.body, a.user)
    except ValidationError as exc:
        return a.again(ThreadPage(reply=values, errors=form_errors(exc, t)), 422)
    except Conflict:
        return a.again(ThreadPage(reply=values, notice=t("discussion.notice.closed")), 409)
    notify.discussion_answered(a.session, a.settings, a.found, message)
    return a.back(f"message-{message.id}")


def _close(a: Action) -> Response:
    service.set_closed(a.session, a.found.id, True, a.user)
    return a.back()


def _reopen(a: Action) -> Response:
    service.set_closed(a.session, a.found.id, False, a.user)
    return a.back()


def _message_id(a: Action) -> uuid.UUID | None:
    text = str(a.form.get("message_id") or "")
    return parse_id(text, "message") if text else None


def _set_hidden(a: Action, message_id: uuid.UUID | None, reason: str | None) -> None:
    """Hide the discussion, or one of its messages, or show it again; hiding settles the reports about it."""
    if message_id is None:
        moderation.set_hidden(a.session, "discussion", a.found.id, reason, a.user)
    else:
        moderation.set_hidden(a.session, "message", message_id, reason, a.user, shown_in=a.found.id)


def _hide(a: Action) -> Response:
    message_id = _message_id(a)
    try:
        data = HiddenIn.model_validate({"reason": str(a.form.get("reason") or "")})
    except ValidationError:
        return a.again(ThreadPage(notice=Translator(a.lang)("discussion.notice.reason")), 422)
    _set_hidden(a, message_id, data.reason)
    return a.back(f"message-{message_id}" if message_id else "")


def _show_again(a: Action) -> Response:
    message_id = _message_id(a)
    _set_hidden(a, message_id, None)
    return a.back(f"message-{message_id}" if message_id else "")


_ACTIONS = {"reply": _reply, "close": _close, "reopen": _reopen, "hide": _hide, "show_again": _show_again}
