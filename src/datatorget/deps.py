"""Request dependencies shared by the API and the web UI: settings, the database session, the caller."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from datatorget.catalog.accounts import user_for_token
from datatorget.catalog.models import User
from datatorget.config import Settings
from datatorget.errors import NotAuthenticated

SESSION_USER_KEY = "user_id"


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler succeeds, rolled back when it raises."""
    with request.app.state.sessionmaker.begin() as session:
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
    return user_for_token(session, secret.strip())


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


ApiViewer = Annotated[User | None, Depends(api_viewer)]
WebViewer = Annotated[User | None, Depends(web_viewer)]
