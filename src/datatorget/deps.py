"""Request dependencies shared by the API and the web UI: settings, the database session, the caller."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import suppress
from typing import Annotated

import duckdb
from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from datatorget.catalog.accounts import record_token_use, token_for_secret, token_use_is_stale
from datatorget.catalog.models import User
from datatorget.config import Settings
from datatorget.dialogue.limits import Limits, RateLimiter
from datatorget.errors import NotAuthenticated

SESSION_USER_KEY = "user_id"
SESSION_ROLE_KEY = "role"  # for the menu only: permissions are checked against the user on each request


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler succeeds, rolled back when it raises.
    Requests that may write (POST, PATCH, DELETE) take the write lock up front on SQLite."""
    reading = request.method in READ_METHODS
    sessions = request.app.state.sessionmaker if reading else request.app.state.writing_sessionmaker
    with sessions.begin() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


BEARER = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer dt_...`")


def api_viewer(
    request: Request,
    session: SessionDep,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None,
) -> User | None:
    """The caller of the API: the owner of the bearer token, or None when no token is sent.

    `_declared` only puts the bearer scheme into the OpenAPI description; the header is read here, so that a
    wrong scheme is refused (401) rather than taken for an anonymous call.
    """
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise NotAuthenticated("send the API token as 'Authorization: Bearer <token>'")
    token = token_for_secret(session, secret.strip())
    if token_use_is_stale(token):
        if request.method in READ_METHODS:
            # A read keeps its own transaction free of writes; the note goes in one of its own, if it can.
            with suppress(SQLAlchemyError), request.app.state.writing_sessionmaker.begin() as other:
                record_token_use(other, token.id)
        else:
            record_token_use(session, token.id)
    return token.user


def web_viewer(request: Request, session: SessionDep) -> User | None:
    """The person logged in to the web UI, from the signed session cookie."""
    user_id = request.session.get(SESSION_USER_KEY)
    if not user_id:
        return None
    try:
        user = session.get(User, uuid.UUID(str(user_id)))
    except ValueError:
        user = None
    if user is None:
        request.session.clear()
    return user


def reader(request: Request, session: SessionDep) -> User | None:
    """For addresses both people and programs open (downloads, dataset URIs; reading only): the bearer
    token when one is sent, else the web login."""
    if request.headers.get("authorization"):
        return api_viewer(request, session)
    return web_viewer(request, session)


ApiViewer = Annotated[User | None, Depends(api_viewer)]
WebViewer = Annotated[User | None, Depends(web_viewer)]
ReaderViewer = Annotated[User | None, Depends(reader)]


def client_address(request: Request) -> str:
    """The caller's address as uvicorn gives it (after the proxy headers it trusts)."""
    return request.client.host if request.client else "unknown"


def write_limits(settings: Settings) -> Limits:
    return Limits.of(
        address_per_minute=settings.address_writes_per_minute,
        account_per_minute=settings.account_writes_per_minute,
        account_per_day=settings.account_writes_per_day,
    )


def count_write(request: Request, viewer: User | None) -> None:
    """Count one write by the caller against the rate limits; TooManyRequests (429) when over one."""
    limiter: RateLimiter = request.app.state.rate_limiter
    limiter.check(
        write_limits(get_settings(request)),
        address=client_address(request),
        account=viewer.id if viewer is not None else None,
    )


def api_write(request: Request, viewer: ApiViewer) -> None:
    """For API operations where people write: counted per address and per account (see dialogue.limits)."""
    count_write(request, viewer)


def web_write(request: Request, viewer: WebViewer) -> None:
    """For web forms where people write: counted per address and per account (see dialogue.limits)."""
    count_write(request, viewer)


ApiWrite = Depends(api_write)
WebWrite = Annotated[None, Depends(web_write)]


def duck_cursor(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB cursor of its own for this request (a cursor is not shared between threads)."""
    cursor = request.app.state.duck.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


DuckDep = Annotated[duckdb.DuckDBPyConnection, Depends(duck_cursor)]
