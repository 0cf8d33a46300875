"""Sign up as a member (to file, vote on, follow and comment on data requests), logged in at once."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from datatorget.catalog.accounts import (
    DISPLAY_NAME_MAX,
    PASSWORD_MIN_LENGTH,
    normalize_email,
    register_member,
)
from datatorget.config import Settings
from datatorget.deps import SessionDep, SettingsDep, WebWrite
from datatorget.errors import Conflict, ValidationFailed
from datatorget.web import spam
from datatorget.web.csrf import CheckedForm
from datatorget.web.form_errors import FieldErrors, summary
from datatorget.web.i18n import Lang, LangDep, Translator
from datatorget.web.paths import add_page, is_safe_next, url
from datatorget.web.routes.login import MAX_EMAIL_LENGTH, start_session
from datatorget.web.templating import render

router = APIRouter()
FIELDS = ("email", "display_name", "password", "password_again")
MAX_PASSWORD_LENGTH = 1000


def _next(value: object, lang: Lang) -> str:
    return value if isinstance(value, str) and is_safe_next(value) else url("requests", lang)


def _show(
    request: Request, settings: Settings, lang: Lang, values: dict[str, str], errors: FieldErrors | None = None,
    status: int = 200, refused: str | None = None,
) -> HTMLResponse:  # fmt: skip
    errors = errors or {}
    return render(request, "register.html", {
        "values": values, "errors": errors, "error_summary": summary(errors, FIELDS, Translator(lang)),
        "min_length": PASSWORD_MIN_LENGTH, "stamp": spam.stamp(settings), "refused": refused,
    }, status=status, headers={"Cache-Control": "no-store"})  # fmt: skip


@add_page(router, "register")
def register_form(request: Request, settings: SettingsDep, lang: LangDep) -> HTMLResponse:
    values = {"email": "", "display_name": "", "next": _next(request.query_params.get("next"), lang)}
    return _show(request, settings, lang, values)


def _errors(exc: ValidationFailed | Conflict, t: Translator) -> FieldErrors:
    """The account service's refusal, next to the fields: a taken or malformed address, a short password."""
    found: FieldErrors = {}
    for name in exc.errors:
        if name == "email":
            message = t("register.error.taken") if isinstance(exc, Conflict) else t("error.email")
        elif name == "password":
            message = t("error.string_too_short", min_length=PASSWORD_MIN_LENGTH)
        elif name == "display_name":
            message = t("error.string_too_long", max_length=DISPLAY_NAME_MAX)
        else:
            message = t("error.invalid")
        found.setdefault(name if name in FIELDS else "email", []).append(message)
    return found


def _mistakes(email: str, name: str, password: str, t: Translator) -> FieldErrors:
    """What the account service would refuse in the form, checked without making the account."""
    found: FieldErrors = {}
    try:
        normalize_email(email)
    except ValidationFailed as exc:
        found = _errors(exc, t)
    if len(password) < PASSWORD_MIN_LENGTH:
        found["password"] = [t("error.string_too_short", min_length=PASSWORD_MIN_LENGTH)]
    if len(name) > DISPLAY_NAME_MAX:
        found["display_name"] = [t("error.string_too_long", max_length=DISPLAY_NAME_MAX)]
    return found


@add_page(router, "register", methods=("POST",))
def register(
    request: Request,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    lang: LangDep,
    _write: WebWrite,
) -> Response:
    """Sign up, unless the form looks sent by a script (spam.refusal): then nothing is made."""
    email, name = (str(form.get(key) or "").strip() for key in ("email", "display_name"))
    password, again = (str(form.get(key) or "") for key in ("password", "password_again"))
    values = {"email": email, "display_name": name, "next": _next(form.get("next"), lang)}
    t = Translator(lang)
    # What the account service does not check itself; it checks the address and the password's length.
    errors: FieldErrors = {}
    if len(email) > MAX_EMAIL_LENGTH:
        errors["email"] = [t("error.email")]
    if len(password) > MAX_PASSWORD_LENGTH:
        errors["password"] = [t("error.string_too_long", max_length=MAX_PASSWORD_LENGTH)]
    elif password != again:
        errors["password_again"] = [t("register.error.mismatch")]
    refusal = spam.refusal(form, settings)
    if refusal:  # still show a person every mistake at once, without making the account
        for field, messages in _mistakes(email, name, password, t).items():
            errors.setdefault(field, messages)
    if errors or refusal:
        return _show(request, settings, lang, values, errors, 422, t(refusal) if refusal else None)
    try:
        with session.begin_nested():
            user = register_member(session, email=email, password=password, display_name=name or None)
    except (ValidationFailed, Conflict) as exc:
        return _show(request, settings, lang, values, _errors(exc, t), 422)
    start_session(request, user)
    return RedirectResponse(values["next"], status_code=303)
