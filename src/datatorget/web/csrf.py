"""Cross-site request forgery protection: every form that changes something carries a token from the session.

The token is kept in the signed session cookie (SameSite=Lax) and sent back as the hidden field `csrf_token`;
a POST whose token is missing or different is refused with a 403 page before anything is read or written.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from datatorget.errors import PermissionDenied

SESSION_KEY = "csrf_token"
FIELD = "csrf_token"
MAX_FIELDS = 300
MAX_LARGE_FIELDS = 10_000


class CsrfRejected(PermissionDenied):
    """The form did not carry this session's token: it may have been sent by another site."""


def csrf_token(request: Request) -> str:
    """This session's token, made on first use."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def renew_csrf_token(request: Request) -> str:
    request.session[SESSION_KEY] = secrets.token_urlsafe(32)
    return csrf_token(request)


def _checked(max_fields: int) -> Callable[[Request], AsyncIterator[FormData]]:
    async def checked_form(request: Request) -> AsyncIterator[FormData]:
        """The submitted form (urlencoded or multipart), once its CSRF token has been checked; its uploaded
        files are closed when the request is done."""
        async with request.form(max_files=1, max_fields=max_fields) as form:
            sent = form.get(FIELD)
            expected = request.session.get(SESSION_KEY)
            if not (
                isinstance(sent, str) and isinstance(expected, str) and secrets.compare_digest(sent, expected)
            ):
                raise CsrfRejected("the form is out of date or was not sent from this site")
            yield form

    return checked_form


checked_form = _checked(MAX_FIELDS)
CheckedForm = Annotated[FormData, Depends(checked_form)]
# The table settings: a handful of fields for each column of a table that may have a thousand.
CheckedLargeForm = Annotated[FormData, Depends(_checked(MAX_LARGE_FIELDS))]
