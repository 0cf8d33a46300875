"""Users, passwords and API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog import accounts
from datatorget.catalog.models import ApiToken, User
from datatorget.errors import Conflict, NotAuthenticated, ValidationFailed


def make_user(session: Session, email: str = "Red@Sjovik.Example", role: str = "admin") -> User:
    return accounts.create_user(
        session, email=email, password="correct horse battery", role=role, organization_slug=None, by=None
    )


def test_emails_are_kept_in_lower_case(session: Session) -> None:
    assert make_user(session).email == "red@sjovik.example"


def test_passwords_are_not_stored_in_clear(session: Session) -> None:
    assert "correct horse" not in make_user(session).password_hash


def test_the_right_password_logs_in_and_a_wrong_one_does_not(session: Session) -> None:
    user = make_user(session)
    assert accounts.authenticate(session, "RED@sjovik.example", "correct horse battery") is user
    assert accounts.authenticate(session, "red@sjovik.example", "wrong") is None
    assert accounts.authenticate(session, "nobody@sjovik.example", "correct horse battery") is None


def test_every_problem_with_a_new_user_is_reported_at_once(session: Session) -> None:
    with pytest.raises(ValidationFailed) as failure:
        accounts.create_user(
            session, email="bad", password="short", role="editor", organization_slug=None, by=None
        )
    assert set(failure.value.errors) == {"email", "password", "organization"}


def test_an_email_can_be_used_once(session: Session) -> None:
    make_user(session)
    with pytest.raises(Conflict):
        make_user(session, email="RED@sjovik.example")


def test_the_system_user_cannot_log_in(session: Session) -> None:
    system = accounts.system_user(session)
    assert accounts.authenticate(session, system.email, "") is None
    assert accounts.authenticate(session, system.email, "!") is None


def test_the_first_admin_is_created_once(session: Session) -> None:
    first = accounts.ensure_first_admin(session, "admin@example.org")
    assert first is not None and first[0] == "admin@example.org" and len(first[1]) >= 12
    assert accounts.ensure_first_admin(session, "admin@example.org") is None


def test_the_system_user_does_not_count_as_the_first_admin(session: Session) -> None:
    accounts.system_user(session)
    assert accounts.ensure_first_admin(session, "admin@example.org") is not None


def test_a_token_leads_to_its_user_and_only_its_hash_is_stored(session: Session) -> None:
    user = make_user(session)
    _token, secret = accounts.create_token(session, user, name="ci")
    assert accounts.token_for_secret(session, secret).user is user
    assert secret not in str(session.scalars(select(ApiToken.token_hash)).all())


def test_a_wrong_token_is_refused(session: Session) -> None:
    with pytest.raises(NotAuthenticated, match="not valid"):
        accounts.token_for_secret(session, "dt_wrong")


def test_an_expired_token_is_refused(session: Session) -> None:
    token, secret = accounts.create_token(
        session, make_user(session), name="ci", expires_in=timedelta(days=1)
    )
    token.expires_at = token.created_at - timedelta(seconds=1)
    with pytest.raises(NotAuthenticated, match="expired"):
        accounts.token_for_secret(session, secret)


def test_a_revoked_token_is_refused(session: Session) -> None:
    user = make_user(session)
    token, secret = accounts.create_token(session, user, name="ci")
    accounts.revoke_token(session, token.id, user)
    with pytest.raises(NotAuthenticated, match="revoked"):
        accounts.token_for_secret(session, secret)
