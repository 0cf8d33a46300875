"""My account: my API tokens, with a button to create one (its secret shown once) and to revoke one; for staff
a link to the moderation queue; and deleting the account, with the password again."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from datatorget.catalog import accounts
from datatorget.catalog.models import User
from datatorget.catalog.permissions import require_login
from datatorget.db.base import utcnow
from datatorget.deps import SessionDep, WebViewer
from datatorget.errors import Conflict, NotFound, ValidationFailed
from datatorget.jobs.mail import forget_recipient
from datatorget.web.csrf import CheckedForm
from datatorget.web.i18n import LangDep, Translator
from datatorget.web.paths import add_page, url
from datatorget.web.templating import render

router = APIRouter()
MAX_TOKEN_NAME = 200


def _page(
    request: Request, session: Session, user: User, *, new_secret: str | None = None,
    name_missing: bool = False, delete_error: str = "", status: int = 200,
) -> HTMLResponse:  # fmt: skip
    now = utcnow()
    tokens: list[dict[str, Any]] = [
        {
            "id": str(token.id),
            "name": token.name,
            "created_at": token.created_at,
            "last_used_at": token.last_used_at,
            "expires_at": token.expires_at,
            "revoked_at": token.revoked_at,
            "active": accounts.token_is_active(token, now),
        }
        for token in accounts.list_tokens(session, user)
    ]
    return render(request, "account.html", {
        "email": user.email,
        "role": user.role,
        "organization": user.organization.name if user.organization else None,
        "tokens": tokens,
        "new_secret": new_secret,
        "name_missing": name_missing,
        "moderator": user.role in ("editor", "admin"),
        "delete_error": delete_error,
    }, status=status, headers={"Cache-Control": "no-store"})  # fmt: skip


@add_page(router, "account")
def account(request: Request, session: SessionDep, viewer: WebViewer, lang: LangDep) -> HTMLResponse:
    return _page(request, session, require_login(viewer))


@add_page(router, "account", methods=("POST",))
def change_tokens(
    request: Request, form: CheckedForm, session: SessionDep, viewer: WebViewer, lang: LangDep
) -> Response:
    user = require_login(viewer)
    if form.get("action") == "delete":
        return _delete(request, form, session, user, lang)
    if form.get("action") == "revoke":
        try:
            token_id = uuid.UUID(str(form.get("token_id", "")))
        except ValueError:
            raise NotFound("no such token") from None
        accounts.revoke_token(session, token_id, user)
        return RedirectResponse(url("account", lang), status_code=303)
    name = str(form.get("name") or "").strip()[:MAX_TOKEN_NAME]
    if not name:
        return _page(request, session, user, name_missing=True, status=422)
    _token, secret = accounts.create_token(session, user, name=name)
    return _page(request, session, user, new_secret=secret)


def _delete(request: Request, form: Any, session: Session, user: User, lang: LangDep) -> Response:
    """Delete the account (the password again), forget its address, and log out."""
    t = Translator(lang)
    try:
        with session.begin_nested():
            address = accounts.delete_account(session, user, password=str(form.get("password") or "")[:1000])
            forget_recipient(session, address)
    except ValidationFailed:
        return _page(request, session, user, delete_error=t("account.delete_wrong_password"), status=422)
    except Conflict:
        return _page(request, session, user, delete_error=t("account.delete_last_admin"), status=409)
    request.session.clear()
    return render(request, "account_deleted.html", {}, headers={"Cache-Control": "no-store"})
