"""A read-only CKAN Action API v3 subset at /api/3/action/{name} and /api/action/{name}.

GET takes the parameters from the query string, POST from a JSON body or form fields. Every answer, errors
included, is in CKAN's envelope (`help`, `success`, `result` or `error`); the actions and CKAN's error types
are in interop/ckan_actions.py. The API key is a Datatorget API token, sent as CKAN clients send theirs:
raw in `X-CKAN-API-Key` or `Authorization` (`Authorization: Bearer ...` works too).
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from datatorget.api.routers.rows import CORS
from datatorget.api.routers.sql import sql_processes
from datatorget.catalog.accounts import record_token_use, token_for_secret, token_use_is_stale
from datatorget.catalog.models import User
from datatorget.config import Settings
from datatorget.errors import DatatorgetError
from datatorget.interop.ckan_actions import ActionContext, BadRequest, ckan_error, run_action
from datatorget.store.export import json_bytes

log = logging.getLogger(__name__)
router = APIRouter(tags=["ckan"])
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@router.api_route(
    "/api/3/action/{name}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
@router.api_route(
    "/api/action/{name}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
async def call_action(name: str, request: Request) -> Response:
    settings: Settings = request.app.state.settings
    help_url = f"{settings.base_url}/api/3/action/help_show?name={name}"
    try:
        if request.method not in ("GET", "POST"):
            raise BadRequest(f"the CKAN API takes GET and POST, not {request.method}")
        params = await action_params(request)
    except DatatorgetError as exc:
        return error_response(help_url, exc)
    return await run_in_threadpool(answer, request, name, params, help_url)


def answer(request: Request, name: str, params: dict[str, Any], help_url: str) -> Response:
    """Run the action in a read-only transaction of its own and answer in CKAN's envelope."""
    state = request.app.state
    try:
        with state.sessionmaker.begin() as session:
            viewer = ckan_viewer(request, session)
            cursor = state.duck.cursor()
            try:
                context = ActionContext(
                    session, viewer, state.settings, cursor, sql_processes(request, state.settings)
                )
                result = run_action(name, context, params)
                body = json_bytes({"help": help_url, "success": True, "result": result})
            finally:
                cursor.close()
    except DatatorgetError as exc:
        return error_response(help_url, exc)
    except Exception:
        log.exception("unexpected error in the CKAN action %s", name)
        error = {
            "__type": "Internal Server Error",
            "message": "an unexpected error occurred; it has been logged",
        }
        return envelope(help_url, error, 500)
    return Response(body, media_type="application/json;charset=utf-8", headers=CORS)


def error_response(help_url: str, exc: DatatorgetError) -> Response:
    status, error = ckan_error(exc)
    response = envelope(help_url, error, status)
    retry = getattr(exc, "retry_after_s", None)
    if isinstance(retry, int):
        response.headers["Retry-After"] = str(retry)
    return response


def envelope(help_url: str, error: dict[str, Any], status: int) -> Response:
    body = json_bytes({"help": help_url, "success": False, "error": error})
    return Response(body, status_code=status, media_type="application/json;charset=utf-8", headers=CORS)


async def action_params(request: Request) -> dict[str, Any]:
    """The parameters: the query string, and on POST the JSON object or form fields of the body on top.
    A repeated query or form field gives a list."""
    query_string = request.scope.get("query_string", b"").decode("latin-1")
    try:  # as Starlette's request.query_params reads it, but refusing what is not UTF-8
        params = _fields(parse_qsl(query_string, keep_blank_values=True, errors="strict"))
    except UnicodeDecodeError as exc:
        raise BadRequest("the query string is not valid UTF-8 once percent-decoded") from exc
    if request.method != "POST":
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in FORM_TYPES:
        form = await request.form()
        params.update(_fields([(key, value) for key, value in form.multi_items() if isinstance(value, str)]))
        return params
    raw = await request.body()
    if not raw.strip():
        return params
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"JSON Error: the body is not valid JSON ({exc})") from exc
    if not isinstance(body, dict):
        raise BadRequest("JSON Error: the body must be a JSON object")
    params.update(body)
    return params


def _fields(items: list[tuple[str, str]]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, value in items:
        if key in fields:
            previous = fields[key]
            fields[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            fields[key] = value
    return fields


def ckan_viewer(request: Request, session: Session) -> User | None:
    """The owner of the API key sent, or None without one; a wrong key is an Authorization Error."""
    key = (request.headers.get("x-ckan-api-key") or request.headers.get("authorization") or "").strip()
    scheme, _, rest = key.partition(" ")
    if scheme.lower() == "bearer":
        key = rest.strip()
    if not key:
        return None
    token = token_for_secret(session, key)
    if token_use_is_stale(token):
        # The action's own transaction only reads; the note goes in one of its own, if it can.
        with suppress(SQLAlchemyError), request.app.state.writing_sessionmaker.begin() as other:
            record_token_use(other, token.id)
    return token.user
