"""Users, passwords and API tokens.

Passwords are hashed with Argon2. An API token is a random secret shown once; only its SHA-256 is stored
(tokens carry 256 bits of randomness, so a fast hash is enough and lookups stay an index hit).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from datatorget.catalog.changes import record_change
from datatorget.catalog.models import ApiToken, Change, Organization, User
from datatorget.catalog.permissions import Viewer, require_admin, require_login
from datatorget.db.base import utcnow
from datatorget.errors import Conflict, NotAuthenticated, NotFound, ValidationFailed

TOKEN_PREFIX = "dt_"
TOKEN_NAME_MAX = 200
PASSWORD_MIN_LENGTH = 10
_hasher = PasswordHasher()
_email = TypeAdapter(EmailStr)
# Verified against when the email is unknown, so that a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


ROLES = ("admin", "editor", "member")
DISPLAY_NAME_MAX = 100


def normalize_email(email: str) -> str:
    try:
        return _email.validate_python(email.strip()).lower()
    except ValidationError:
        raise ValidationFailed({"email": ["not a valid email address"]}) from None


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    organization_slug: str | None,
    by: Viewer,
    display_name: str | None = None,
) -> User:
    """Add a user. `by=None` is the system itself (the CLI); otherwise only an admin may."""
    if by is not None:
        require_admin(by)
    errors: dict[str, list[str]] = {}
    if role not in ROLES:
        errors["role"] = ["the role is admin, editor or member"]
    if len(password) < PASSWORD_MIN_LENGTH:
        errors["password"] = [f"a password has at least {PASSWORD_MIN_LENGTH} characters"]
    organization = None
    if organization_slug:
        organization = session.scalar(select(Organization).where(Organization.slug == organization_slug))
        if organization is None:
            errors["organization"] = [f"no organisation '{organization_slug}'"]
    elif role == "editor":
        errors["organization"] = ["an editor belongs to an organisation"]
    if organization_slug and role == "member":
        errors["organization"] = ["a member belongs to no organisation: make them an editor"]
    try:
        address = normalize_email(email)
    except ValidationFailed as exc:
        errors |= exc.errors
    if errors:
        raise ValidationFailed(errors)
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise Conflict(f"a user with the email {address} already exists", {"email": ["already in use"]})
    name = (display_name or "").strip() or None
    if name is not None and len(name) > DISPLAY_NAME_MAX:
        raise ValidationFailed({"display_name": [f"at most {DISPLAY_NAME_MAX} characters"]})
    user = User(email=address, password_hash=_hasher.hash(password), role=role, organization=organization,
                display_name=name)  # fmt: skip
    session.add(user)
    session.flush()
    record_change(session, by, "user", user.id, "create", {"email": [None, address], "role": [None, role]})
    return user


def register_member(session: Session, *, email: str, password: str, display_name: str | None) -> User:
    """Someone signs up: a member, of no organisation, who may file, vote on, follow and comment on data
    requests. Refuses an address already in use (Conflict) and a short password (ValidationFailed)."""
    return create_user(
        session, email=email, password=password, role="member", organization_slug=None, by=None,
        display_name=display_name,
    )  # fmt: skip


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user with this email and password, or None. Takes as long for an unknown email."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def get_user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"no user with the email {email}")
    return user


SYSTEM_EMAIL = "system@datatorget.invalid"
NO_LOGIN = "!"  # not an Argon2 hash: verification always fails, so nobody can log in as this user


def system_user(session: Session) -> User:
    """The account that changes made by the portal itself (demo data, imports) are recorded under."""
    user = session.scalar(select(User).where(User.email == SYSTEM_EMAIL))
    if user is None:
        user = User(email=SYSTEM_EMAIL, password_hash=NO_LOGIN, role="admin")
        session.add(user)
        session.flush()
    return user


def ensure_first_admin(session: Session, email: str) -> tuple[str, str] | None:
    """Create an admin with a random password when there is no admin yet; give back the login once."""
    admins = select(func.count()).select_from(User).where(User.role == "admin", User.email != SYSTEM_EMAIL)
    if session.scalar(admins):
        return None
    password = secrets.token_urlsafe(12)
    create_user(session, email=email, password=password, role="admin", organization_slug=None, by=None)
    return email, password


DELETED_ACTOR = "deleted account"


def delete_account(session: Session, viewer: Viewer, *, password: str | None = None) -> str:
    """Delete the viewer's own account and the personal data tied to it; give back the address it had, so
    that the caller can forget it elsewhere too (queued email).

    With `password` (the web form), it must be the account's (ValidationFailed otherwise). The last
    administrator cannot leave (Conflict). What the database does when the row goes: API tokens, votes and
    follows are deleted (CASCADE); requests, comments and answers, reports, jobs and the change log stay,
    without the account (SET NULL), so public contributions remain without a name. A request's vote count
    is an aggregate and keeps the vote. The change log's record of who did what keeps "deleted account"
    instead of the address, and the record of the account's creation loses it. Requests filed with an email
    address only were never tied to an account and are left as they are."""
    user = require_login(viewer)
    if password is not None and authenticate(session, user.email, password) is not user:
        raise ValidationFailed({"password": ["the password is wrong"]})
    if user.role == "admin":
        others = (
            select(func.count())
            .select_from(User)
            .where(User.role == "admin", User.id != user.id, User.email != SYSTEM_EMAIL)
        )
        if not session.scalar(others):
            raise Conflict(
                "the last administrator cannot delete their account: make someone else an administrator first"
            )
    address = user.email
    session.execute(update(Change).where(Change.user_id == user.id).values(actor=DELETED_ACTOR))
    for change in session.scalars(
        select(Change).where(Change.entity_type == "user", Change.entity_id == user.id)
    ):
        change.fields = {name: values for name, values in change.fields.items() if name != "email"}
    session.delete(user)
    session.flush()
    return address


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    session: Session, user: User, *, name: str, expires_in: timedelta | None = None
) -> tuple[ApiToken, str]:
    """A new API token for the user; the secret is returned here and never again."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip()[:TOKEN_NAME_MAX] or "token",
        token_hash=_hash_token(secret),
        expires_at=utcnow() + expires_in if expires_in else None,
    )
    session.add(token)
    session.flush()
    return token, secret


USE_RECORDED_EVERY = timedelta(minutes=5)


def token_for_secret(session: Session, secret: str) -> ApiToken:
    """The token with this secret. Wrong, expired and revoked tokens raise NotAuthenticated.

    Reading a token writes nothing: the caller records its use (`record_token_use`) where it suits."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(secret)))
    if token is None:
        raise NotAuthenticated("the API token is not valid")
    if token.revoked_at is not None:
        raise NotAuthenticated("the API token has been revoked")
    if token.expires_at is not None and token.expires_at <= utcnow():
        raise NotAuthenticated("the API token has expired")
    return token


def token_use_is_stale(token: ApiToken) -> bool:
    """Whether the token's last use is older than we keep it to (coarse, so that reads seldom write)."""
    return token.last_used_at is None or utcnow() - token.last_used_at > USE_RECORDED_EVERY


def record_token_use(session: Session, token_id: uuid.UUID) -> None:
    now = utcnow()
    stale = (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < now - USE_RECORDED_EVERY)
    session.execute(update(ApiToken).where(ApiToken.id == token_id, stale).values(last_used_at=now))


def list_tokens(session: Session, viewer: Viewer) -> list[ApiToken]:
    user = require_login(viewer)
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at))
    )


def revoke_token(session: Session, token_id: object, viewer: Viewer) -> ApiToken:
    """Revoke one of the viewer's own tokens (an admin may revoke any)."""
    user = require_login(viewer)
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != user.id and user.role != "admin"):
        raise NotFound("no such token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def token_is_active(token: ApiToken, now: datetime) -> bool:
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > now)
