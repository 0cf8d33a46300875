"""Log in with email and password (a signed session cookie, renewed at login) and log out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from datatorget.catalog.accounts import authenticate
from datatorget.catalog.models import User
from datatorget.deps import SESSION_ROLE_KEY, SESSION_USER_KEY, SessionDep
from datatorget.web.csrf import CheckedForm, renew_csrf_token
from datatorget.web.i18n import Lang, LangDep
from datatorget.web.paths import add_page, is_safe_next, url
from datatorget.web.templating import render

router = APIRouter()
MAX_EMAIL_LENGTH = 320


def _next(value: object, lang: Lang) -> str:
    return value if isinstance(value, str) and is_safe_next(value) else url("home", lang)


@add_page(router, "login")
def login_form(request: Request, lang: LangDep) -> HTMLResponse:
    return render(request, "login.html", {
        "next": _next(request.query_params.get("next"), lang), "email": "", "failed": False,
    })  # fmt: skip


def _user(session: Session, email: str, password: str) -> User | None:
    if not email or not password or len(email) > MAX_EMAIL_LENGTH:
        return None
    return authenticate(session, email, password)


@add_page(router, "login", methods=("POST",))
def login(request: Request, form: CheckedForm, session: SessionDep, lang: LangDep) -> Response:
    email, password = str(form.get("email") or "").strip(), str(form.get("password") or "")
    target = _next(form.get("next"), lang)
    user = _user(session, email, password)
    if user is None:
        return render(
            request, "login.html", {"next": target, "email": email, "failed": True},
            status=400,
        )  # fmt: skip
    start_session(request, user)
    return RedirectResponse(target, status_code=303)


def start_session(request: Request, user: User) -> None:
    """Log the user in (at login, and on signing up) with a new session: nothing from before carries over."""
    request.session.clear()
    request.session[SESSION_USER_KEY] = str(user.id)
    request.session[SESSION_ROLE_KEY] = user.role  # what the menu offers; permissions are checked per request
    renew_csrf_token(request)


@add_page(router, "logout", methods=("POST",))
def logout(request: Request, form: CheckedForm, lang: LangDep) -> Response:
    del form  # checked for its CSRF token
    request.session.clear()
    return RedirectResponse(url("home", lang), status_code=303)
