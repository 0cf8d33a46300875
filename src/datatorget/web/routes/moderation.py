"""Moderation in the web UI: the page to report anything people write (anyone, with the spam defences of
web/spam.py), by its kind and id, and the queue of open reports where staff hide or keep what was reported."""

from __future__ import annotations

from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from datatorget.catalog.models import User
from datatorget.config import Settings
from datatorget.deps import SessionDep, SettingsDep, WebViewer, WebWrite
from datatorget.dialogue import moderation
from datatorget.dialogue.moderation import Target
from datatorget.dialogue.present import report_out
from datatorget.dialogue.schemas import REASON_MAX, Outcome, ReportIn, TargetKind
from datatorget.errors import Conflict, ValidationFailed
from datatorget.web import spam
from datatorget.web.csrf import CheckedForm
from datatorget.web.form_errors import FieldErrors, summary, validation_messages
from datatorget.web.i18n import Lang, LangDep, Translator
from datatorget.web.markdown import render_markdown
from datatorget.web.paths import PageName, add_page, parse_id, url
from datatorget.web.templating import render

router = APIRouter()


# --- reporting ------------------------------------------------------------------------------------------


def report_url(kind: str, target_id: object, lang: Lang) -> str:
    """The page to report something written (a kind of `moderation.RESOLVERS`) to the moderators."""
    return url("report", lang, kind=kind, target_id=str(target_id))


def _target(session: Session, kind: str, target_id: str, viewer: User | None) -> Target:
    """What the path names, if the viewer may see it; NotFound (the 404 page) for an unknown kind or id."""
    return moderation.find_target(session, kind, parse_id(target_id, kind), viewer)


def shown_at(target: Target, lang: Lang) -> str:
    """The page (and the element on it) where the target is shown."""
    place = target.place
    page = url(cast(PageName, place.page), lang, **place.params)
    return page + (f"#{place.anchor}" if place.anchor else "")


def _show_report(
    request: Request, settings: Settings, target: Target, lang: Lang, *, reason: str = "",
    errors: FieldErrors | None = None, refused: str | None = None, sent: bool = False, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    errors = errors or {}
    return render(request, "report.html", {
        "target": {
            "kind": target.kind, "title": target.title, "place": target.place.page,
            "text_html": render_markdown(target.text) if target.text and not target.is_hidden else None,
        },
        "action": report_url(target.kind, target.id, lang),
        "back_url": shown_at(target, lang),
        "values": {"reason": reason},
        "errors": errors,
        "error_summary": summary(errors, ("reason",), Translator(lang)),
        "refused": refused,
        "sent": sent,
        "stamp": spam.stamp(settings),
    }, status=status, headers={"Cache-Control": "no-store"})  # fmt: skip


@add_page(router, "report")
def report_form(
    kind: str, target_id: str, request: Request, session: SessionDep, viewer: WebViewer, settings: SettingsDep,
    lang: LangDep,
) -> HTMLResponse:  # fmt: skip
    """The form to report; after it was sent (`?sent=1`), the thanks, with the way back to what was reported."""
    target = _target(session, kind, target_id, viewer)
    sent = request.query_params.get("sent") == "1"
    refused = Translator(lang)("reporting.already_hidden") if target.is_hidden and not sent else None
    return _show_report(request, settings, target, lang, refused=refused, sent=sent)


@add_page(router, "report", methods=("POST",))
def send_report(
    kind: str, target_id: str, request: Request, form: CheckedForm, session: SessionDep, viewer: WebViewer,
    settings: SettingsDep, lang: LangDep, _write: WebWrite,
) -> Response:  # fmt: skip
    """Store the report, unless the reason is missing or the form looks sent by a script; then the thanks."""
    target = _target(session, kind, target_id, viewer)
    reason = str(form.get("reason") or "")[: REASON_MAX * 2]
    t = Translator(lang)
    errors: FieldErrors = {}
    data = None
    try:
        data = ReportIn(target_kind=cast(TargetKind, target.kind), target_id=target.id, reason=reason)
    except ValidationError as exc:
        errors = validation_messages(exc, lambda _location: "reason", t)
    refusal = spam.refusal(form, settings)
    if data is None or refusal:
        return _show_report(request, settings, target, lang, reason=reason, errors=errors,
                            refused=t(refusal) if refusal else None, status=422)  # fmt: skip
    try:
        with session.begin_nested():
            moderation.report(session, data, viewer)
    except Conflict:
        return _show_report(request, settings, target, lang, reason=reason, status=409,
                            refused=t("reporting.already_hidden"))  # fmt: skip
    return RedirectResponse(f"{report_url(target.kind, target.id, lang)}?sent=1", status_code=303)


# --- the queue ------------------------------------------------------------------------------------------


def _queue(
    request: Request, session: Session, viewer: User | None, lang: Lang, *, failed: str = "",
    reason: str = "", notice: str = "", status: int = 200,
) -> HTMLResponse:  # fmt: skip
    """The open reports the viewer moderates; `failed` is the report whose form had `reason` refused."""
    t = Translator(lang)
    reports: list[dict[str, Any]] = []
    for queued in moderation.open_reports(session, viewer):
        out = report_out(queued)
        mine = str(out.id) == failed
        reports.append({
            "id": str(out.id), "kind": out.content_kind, "title": out.title,
            "organizations": ", ".join(o.name for o in out.organizations), "created_at": out.created_at, "reason": out.reason,
            "url": shown_at(queued.target, lang),
            "text_html": render_markdown(out.text) if out.text else None,
            "hidden_reason": reason if mine else "",
            "errors": [t("moderation.error.reason")] if mine else [],
        })  # fmt: skip
    return render(request, "moderation.html", {
        "reports": reports, "notice": notice, "failed": bool(failed),
    }, status=status, headers={"Cache-Control": "no-store"})  # fmt: skip


@add_page(router, "moderation")
def queue(request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep) -> HTMLResponse:
    return _queue(request, session, viewer, lang)


@add_page(router, "moderation", methods=("POST",))
def decide(
    request: Request, form: CheckedForm, session: SessionDep, viewer: WebViewer, lang: LangDep
) -> Response:
    """Hide or keep what one report is about; back to the queue."""
    report_id = str(form.get("report_id") or "")
    outcome: Outcome = "hidden" if form.get("outcome") == "hidden" else "kept"
    reason = str(form.get("reason") or "").strip()[:REASON_MAX]
    try:
        with session.begin_nested():
            moderation.decide(session, parse_id(report_id, "report"), outcome, reason or None, viewer)
    except ValidationFailed:
        return _queue(request, session, viewer, lang, failed=report_id, reason=reason, status=422)
    except Conflict:
        notice = Translator(lang)("moderation.already_decided")
        return _queue(request, session, viewer, lang, notice=notice, status=409)
    return RedirectResponse(url("moderation", lang), status_code=303)
