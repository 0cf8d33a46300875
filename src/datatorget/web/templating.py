"""The Jinja2 environment of the web UI and `render()`, which gives every page what the layout needs."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from datatorget.deps import SESSION_ROLE_KEY, SESSION_USER_KEY
from datatorget.web.csrf import csrf_token
from datatorget.web.formatting import format_date, format_number, format_size, iso_date
from datatorget.web.i18n import Lang, Translator, lang_of_path, other_lang
from datatorget.web.markdown import render_markdown
from datatorget.web.paths import counterpart, url

STATE_KEY = "web_templates"


def make_environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("datatorget.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(
        url=url,
        format_date=format_date,
        iso_date=iso_date,
        format_size=format_size,
        format_number=format_number,
        markdown=render_markdown,
    )
    return environment


def environment_of(request: Request) -> Environment:
    environment: Environment = getattr(request.app.state, STATE_KEY)
    return environment


def layout_context(request: Request, lang: Lang) -> dict[str, Any]:
    """What base.html needs on every page: language, words, the language link, login state, CSRF token.

    Without a session (a 500 page rendered outside the session middleware) the page shows no logged-in state.
    """
    has_session = "session" in request.scope
    return {
        "lang": lang,
        "other_lang": other_lang(lang),
        "t": Translator(lang),
        "switch_url": counterpart(request.url.path, request.url.query),
        "logged_in": has_session and bool(request.session.get(SESSION_USER_KEY)),
        "publisher": has_session and request.session.get(SESSION_ROLE_KEY, "editor") in ("admin", "editor"),
        "admin": has_session and request.session.get(SESSION_ROLE_KEY) == "admin",
        # a callable, so that only pages with a form give the visitor a session cookie
        "csrf_token": (lambda: csrf_token(request)) if has_session else (lambda: ""),
        "current_path": request.url.path,
    }


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The page `template` in the language of the request's path, with `context` on top of the layout's."""
    lang = lang_of_path(request.url.path)
    html = environment_of(request).get_template(template).render(layout_context(request, lang) | context)
    return HTMLResponse(html, status_code=status, headers=headers)
