"""My account: API tokens are listed, created with the secret shown once, and revoked."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datatorget.catalog import accounts
from datatorget.catalog.models import User
from tests.web.pages import Pages, h1_of, text_of


def test_the_account_page_shows_who_is_logged_in(app_client: TestClient, pages: Pages, editor: User) -> None:
    pages.log_in(editor, lang="en")

    html = app_client.get("/en/account").text

    assert h1_of(html) == "My account"
    assert "redaktor@sjovik.example Role Editor Organisation Sjöviks kommun" in text_of(html)
    assert "You have no API tokens." in html


def test_a_new_token_is_shown_once_and_then_listed_without_its_secret(
    app_client: TestClient, pages: Pages, editor: User, session: Session
) -> None:
    pages.log_in(editor)

    created = pages.submit("/konto", {"action": "create", "name": "Skript för badplatser"})

    secret = re.search(r'<code class="secret" id="new-token">([^<]+)</code>', created.text)
    assert created.status_code == 200 and secret
    assert accounts.token_for_secret(session, secret.group(1)).user.email == editor.email
    later = app_client.get("/konto").text
    assert "Skript för badplatser" in later and secret.group(1) not in later


def test_a_token_can_be_revoked(app_client: TestClient, pages: Pages, editor: User, session: Session) -> None:
    token, _secret = accounts.create_token(session, editor, name="Gammal")
    session.commit()
    pages.log_in(editor)

    response = pages.submit("/konto", {"action": "revoke", "token_id": str(token.id)})

    assert (response.status_code, response.headers["location"]) == (303, "/konto")
    row = re.search(r"<tr>\s*<td>Gammal</td>(.*?)</tr>", app_client.get("/konto").text, re.S)
    assert row and "Återkallad" in text_of(row.group(1))
    assert "Återkalla" not in text_of(row.group(1)).replace("Återkallad", "")


def test_a_token_needs_a_name(app_client: TestClient, pages: Pages, editor: User) -> None:
    pages.log_in(editor)

    response = pages.submit("/konto", {"action": "create", "name": " "})

    assert response.status_code == 422
    assert "Fyll i fältet." in response.text


def test_someone_elses_token_cannot_be_revoked(
    app_client: TestClient, pages: Pages, editor: User, energy_editor: User, session: Session
) -> None:
    token, _secret = accounts.create_token(session, energy_editor, name="Energi")
    session.commit()
    pages.log_in(editor)

    response = pages.submit("/konto", {"action": "revoke", "token_id": str(token.id)})

    assert response.status_code == 404
