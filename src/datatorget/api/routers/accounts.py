"""/api/v1/me, /api/v1/tokens and /api/v1/account: who am I, my API tokens, and deleting my account."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from datatorget.catalog import accounts
from datatorget.catalog.permissions import require_login
from datatorget.catalog.schemas import TokenOut, UserOut
from datatorget.deps import ApiViewer, SessionDep
from datatorget.jobs.mail import forget_recipient

router = APIRouter(tags=["accounts"])


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    expires_in_days: Annotated[int, Field(ge=1, le=3650)] | None = None


class NewToken(TokenOut):
    token: str = Field(description="The secret. It is shown this once and cannot be read again.")


@router.get("/me", summary="The user the token belongs to")
def me(viewer: ApiViewer) -> UserOut:
    return UserOut.model_validate(require_login(viewer))


@router.get("/tokens", summary="My API tokens (secrets are never shown again)")
def list_tokens(session: SessionDep, viewer: ApiViewer) -> list[TokenOut]:
    return [TokenOut.model_validate(t) for t in accounts.list_tokens(session, viewer)]


@router.post("/tokens", status_code=status.HTTP_201_CREATED, summary="Create an API token for myself")
def create_token(data: TokenIn, session: SessionDep, viewer: ApiViewer) -> NewToken:
    user = require_login(viewer)
    expires = timedelta(days=data.expires_in_days) if data.expires_in_days else None
    token, secret = accounts.create_token(session, user, name=data.name, expires_in=expires)
    return NewToken(**TokenOut.model_validate(token).model_dump(), token=secret)


@router.delete(
    "/tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Revoke an API token",
)
def revoke_token(token_id: uuid.UUID, session: SessionDep, viewer: ApiViewer) -> None:
    accounts.revoke_token(session, token_id, viewer)


@router.delete(
    "/account",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete my account and my personal data; what I wrote stays, without my name",
)
def delete_account(session: SessionDep, viewer: ApiViewer) -> None:
    forget_recipient(session, accounts.delete_account(session, viewer))
