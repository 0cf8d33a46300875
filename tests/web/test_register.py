"""Signing up as a member: logged in at once, refused for an address in use or a short password."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog.models import User
from tests.web.pages import PASSWORD, Pages, field_error, h1_of, language_link, text_of


def sign_up(**fields: str) -> dict[str, Any]:
    return {
        "email": "Anna@Example.org", "display_name": "Anna", "password": PASSWORD, "password_again": PASSWORD,
        **fields,
    }  # fmt: skip


def test_the_page_renders_in_both_languages(app_client: TestClient) -> None:
    sv, en = app_client.get("/registrera"), app_client.get("/en/register")

    assert (sv.status_code, en.status_code) == (200, 200)
    assert (h1_of(sv.text), h1_of(en.text)) == ("Skapa ett konto", "Create an account")
    assert language_link(sv.text)[0] == "/en/register"


def test_the_login_page_and_the_header_link_to_it(app_client: TestClient) -> None:
    login = app_client.get("/logga-in").text

    assert '<a href="/registrera">Skapa ett konto</a>' in login
    assert '<li><a href="/en/register">Create account</a></li>' in app_client.get("/en/").text


def test_a_person_signs_up_as_a_member_and_is_logged_in(
    app_client: TestClient, pages: Pages, session: Session
) -> None:
    response = pages.submit("/registrera", sign_up())

    assert (response.status_code, response.headers["location"]) == (303, "/dataforfragningar")
    user = session.scalars(select(User).where(User.email == "anna@example.org")).one()
    assert (user.role, user.organization_id, user.display_name) == ("member", None, "Anna")
    account = text_of(app_client.get("/konto").text)
    assert "anna@example.org" in account and "Medlem" in account


def test_after_signing_up_the_person_is_sent_back_where_they_were_going(
    app_client: TestClient, pages: Pages
) -> None:
    html = app_client.get("/en/register", params={"next": "/en/data-requests/new"}).text
    response = pages.submit("/en/register", sign_up(next="/en/data-requests/new"))
    elsewhere = pages.submit("/en/register", sign_up(email="bo@example.org", next="//evil.example/"))

    assert '<input type="hidden" name="next" value="/en/data-requests/new">' in html
    assert response.headers["location"] == "/en/data-requests/new"
    assert elsewhere.headers["location"] == "/en/data-requests"


def test_an_address_already_in_use_is_refused(app_client: TestClient, pages: Pages, session: Session) -> None:
    pages.submit("/registrera", sign_up())
    app_client.cookies.clear()

    response = pages.submit("/registrera", sign_up(email="anna@example.org", display_name="Another Anna"))

    assert response.status_code == 422
    assert "Det finns redan ett konto" in field_error(response.text, "email")
    assert len(session.scalars(select(User)).all()) == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"password": "kort", "password_again": "kort"}, "password", "Skriv minst 10 tecken."),
        ({"password_again": "något annat"}, "password_again", "Lösenorden är inte likadana"),
        ({"email": "inte-en-adress"}, "email", "giltig e-postadress"),
        ({"email": ""}, "email", "giltig e-postadress"),
        ({"display_name": "x" * 101}, "display_name", "högst 100 tecken"),
    ],
)
def test_mistakes_are_shown_by_the_fields_and_no_account_is_made(
    app_client: TestClient, pages: Pages, session: Session, fields: dict[str, str], field: str, message: str
) -> None:
    response = pages.submit("/registrera", sign_up(**fields))

    assert response.status_code == 422
    assert message in field_error(response.text, field)
    assert session.scalars(select(User)).all() == []
    assert PASSWORD not in response.text  # a password is never sent back
    assert app_client.get("/konto", follow_redirects=False).status_code == 303  # not logged in


def test_a_member_is_not_offered_to_create_datasets(app_client: TestClient, pages: Pages) -> None:
    pages.submit("/registrera", sign_up())
    page = app_client.get("/dataforfragningar").text

    assert 'href="/datamangder/ny"' not in page
    assert 'href="/konto"' in page
