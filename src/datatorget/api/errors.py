"""Every API error as one body shape: RFC 9457 problem details, with field-by-field `errors`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from datatorget.errors import DatatorgetError

log = logging.getLogger(__name__)


class Problem(BaseModel):
    """An error. `errors` maps each field (dotted path, e.g. `title.sv`) to what is wrong with it."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: dict[str, list[str]] = {}


# The reason phrases of RFC 9110, fixed here so that the body does not change with Python's http module.
TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    406: "Not Acceptable", 409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type",
    422: "Unprocessable Content", 429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable",
}  # fmt: skip


def title_of(status: int) -> str:
    return TITLES.get(status) or HTTPStatus(status).phrase


def problem(
    status: int, detail: str, errors: dict[str, list[str]] | None = None, *, retry_after_s: int | None = None
) -> JSONResponse:
    body = Problem(title=title_of(status), status=status, detail=detail, errors=errors or {})
    headers = {"WWW-Authenticate": 'Bearer realm="datatorget"'} if status == 401 else {}
    if retry_after_s is not None:
        headers["Retry-After"] = str(retry_after_s)
    return JSONResponse(
        body.model_dump(), status_code=status, media_type="application/problem+json", headers=headers or None
    )


def domain_problem(exc: DatatorgetError) -> JSONResponse:
    """The problem for a domain error; one that says when to try again (429, 503) has `Retry-After`."""
    retry = getattr(exc, "retry_after_s", None)
    return problem(
        exc.status,
        str(exc),
        getattr(exc, "errors", None),
        retry_after_s=retry if isinstance(retry, int) else None,
    )


def validation_problem(exc: RequestValidationError) -> JSONResponse:
    try:
        return problem(422, "the request has invalid fields", field_errors(exc.errors()))
    except MalformedJSON as malformed:
        return problem(400, str(malformed))


class MalformedJSON(DatatorgetError):
    """The body could not be parsed as JSON at all (400, not 422)."""


def field_errors(errors: Sequence[Any]) -> dict[str, list[str]]:
    """Pydantic's error list as {field path: [messages]}; MalformedJSON when the body is not JSON."""
    found: dict[str, list[str]] = {}
    for error in errors:
        if error["type"] == "json_invalid":
            raise MalformedJSON(
                f"the body is not valid JSON: {error.get('ctx', {}).get('error', 'parse error')}"
            )
        found.setdefault(field_path(error["loc"]), []).append(_message(error))
    return found


def field_path(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in ("body", "query", "path", "header", "form"):
        parts = parts[1:]
    # pydantic adds the name of an Annotated validator step (e.g. "function-after[...]") to the path
    return ".".join(part for part in parts if "[" not in part) or "body"


def _message(error: dict[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field"
    if error["type"] == "missing":
        return "required"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def http_problem(exc: HTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else title_of(exc.status_code)
    return problem(exc.status_code, detail)


def integrity_problem(_exc: IntegrityError) -> JSONResponse:
    return problem(409, "the change conflicts with data already stored (for example a duplicate slug)")


async def handle(request: Request, exc: Exception) -> JSONResponse:
    """Map any known exception to a problem response; used by the app's exception handlers."""
    if isinstance(exc, DatatorgetError):
        return domain_problem(exc)
    if isinstance(exc, RequestValidationError):
        return validation_problem(exc)
    if isinstance(exc, IntegrityError):
        return integrity_problem(exc)
    if isinstance(exc, HTTPException):
        return http_problem(exc)
    raise exc


async def unexpected(request: Request, exc: Exception) -> JSONResponse:
    """A bug of ours: logged with its traceback, answered in the same shape, revealing nothing."""
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "an unexpected error occurred; it has been logged")
