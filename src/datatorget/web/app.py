"""Mounts the web UI on the portal app, and renders its error pages in the language of the path."""

from __future__ import annotations

import logging
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import escape
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from datatorget.config import Settings
from datatorget.errors import (
    DatatorgetError,
    NotAuthenticated,
    TooManyRequests,
)
from datatorget.web.csrf import CsrfRejected
from datatorget.web.i18n import Translator, lang_of_path
from datatorget.web.paths import url
from datatorget.web.routes import (
    accessibility,
    account,
    datasets,
    demand,
    discussions,
    distributions,
    harvesting,
    home,
    login,
    moderation,
    organizations,
    quality,
    register,
    requests,
    reuses,
    search,
    table_settings,
    tables,
)
from datatorget.web.templating import STATE_KEY, make_environment, render

STATIC_DIR = Path(__file__).parent / "static"
log = logging.getLogger(__name__)

# Looked up along the exception's class hierarchy, most specific first.
_STATUS: dict[type[Exception], int] = {RequestValidationError: 422, IntegrityError: 409}
_MESSAGES = {400, 403, 404, 405, 409, 413, 422, 429, 500}


def install_web(app: FastAPI, settings: Settings) -> None:
    """Static files at /static, the pages in Swedish and English, and a 500 page for the unexpected."""
    del settings  # the pages read settings per request
    setattr(app.state, STATE_KEY, make_environment())
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
    # datasets before anything else under /datamangder: /datamangder/ny must win over /datamangder/{slug}
    for module in (
        datasets,
        distributions,
        tables,
        table_settings,
        search,
        home,
        organizations,
        login,
        register,
        account,
        accessibility,
        requests,
        moderation,
        discussions,
        reuses,
        demand,
        harvesting,
        quality,
    ):
        app.include_router(module.router, include_in_schema=False)
    app.add_exception_handler(Exception, _server_error)


def _status(exc: Exception) -> int:
    if isinstance(exc, HTTPException):
        return exc.status_code
    if isinstance(exc, DatatorgetError):
        return exc.status
    return next((_STATUS[c] for c in type(exc).__mro__ if c in _STATUS), 500)


def _login_redirect(request: Request) -> RedirectResponse:
    back = request.url.path
    if request.method == "GET" and request.url.query:
        back += f"?{request.url.query}"
    target = url("login", lang_of_path(request.url.path)) + "?" + urlencode({"next": back})
    return RedirectResponse(target, status_code=303)


def render_error(request: Request, exc: Exception) -> Response:
    """The error page for an exception, in the language of the request's path; login for NotAuthenticated."""
    if isinstance(exc, NotAuthenticated):
        return _login_redirect(request)
    status = _status(exc)
    lang = lang_of_path(request.url.path)
    t = Translator(lang)
    key = "csrf" if isinstance(exc, CsrfRejected) else str(status if status in _MESSAGES else 400)
    heading, message = t(f"error_page.{key}.title"), t(f"error_page.{key}.message")
    headers = getattr(exc, "headers", None) if isinstance(exc, HTTPException) else None
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after_s)}
    try:
        return render(request, "error.html", {
            "status": status, "heading": heading, "message": message,
        }, status=status, headers=headers)  # fmt: skip
    except Exception:  # the error page itself failed: say it plainly rather than fail again
        log.exception("the error page could not be rendered")
        page = (
            f'<!doctype html><html lang="{lang}"><title>{escape(heading)}</title><h1>{escape(heading)}</h1>'
        )
        return HTMLResponse(f"{page}<p>{escape(message)}</p></html>", status_code=status)


async def _server_error(request: Request, exc: Exception) -> Response:
    """An unexpected error: a page that says so and shows nothing of the error itself."""
    if request.url.path.startswith(("/api/", "/files/")):
        return PlainTextResponse(HTTPStatus.INTERNAL_SERVER_ERROR.phrase, status_code=500)
    return render_error(request, exc)
