"""Logging in and out, the session, and the CSRF token every state-changing form carries."""

from __future__ import annotations

from fastapi.testclient import TestClient

from datatorget.app import SESSION_COOKIE
from datatorget.catalog.models import User
from tests.web.pages import PASSWORD, Pages, h1_of, text_of


def test_an_editor_logs_in_and_is_sent_back_where_they_were_going(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    token = pages.token_for("/logga-in?next=/konto")
    response = app_client.post(
        "/logga-in",
        data={"email": editor.email, "password": PASSWORD, "csrf_token": token, "next": "/konto"},
        follow_redirects=False,
    )

    assert (response.status_code, response.headers["location"]) == (303, "/konto")
    assert "redaktor@sjovik.example" in app_client.get("/konto").text


def test_an_anonymous_visitor_is_sent_to_login_and_back(app_client: TestClient) -> None:
    response = app_client.get("/en/datasets/new", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/en/login?next=%2Fen%2Fdatasets%2Fnew"


def test_the_login_form_carries_where_to_go_next(app_client: TestClient) -> None:
    html = app_client.get("/logga-in", params={"next": "/datamangder/ny"}).text

    assert '<input type="hidden" name="next" value="/datamangder/ny">' in html


def test_login_never_sends_anyone_to_another_site(app_client: TestClient, pages: Pages, editor: User) -> None:
    token = pages.token_for("/en/login")
    response = app_client.post(
        "/en/login",
        data={"email": editor.email, "password": PASSWORD, "csrf_token": token, "next": "//evil.example/"},
        follow_redirects=False,
    )

    assert response.headers["location"] == "/en/"


def test_a_wrong_password_shows_an_error_and_does_not_log_in(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    token = pages.token_for("/logga-in")
    response = app_client.post(
        "/logga-in", data={"email": editor.email, "password": "wrong password", "csrf_token": token}
    )

    assert response.status_code == 400
    assert "E-postadressen eller lösenordet är fel" in text_of(response.text)
    assert 'value="redaktor@sjovik.example"' in response.text  # what was typed is kept
    assert app_client.get("/konto", follow_redirects=False).status_code == 303


def test_a_wrong_password_in_english_says_so_in_english(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    token = pages.token_for("/en/login")
    response = app_client.post(
        "/en/login", data={"email": editor.email, "password": "x", "csrf_token": token}
    )

    assert "The email address or the password is wrong" in text_of(response.text)


def test_login_gives_a_new_session(app_client: TestClient, pages: Pages, editor: User) -> None:
    before = pages.token_for("/logga-in")

    pages.log_in(editor)

    assert pages.token_for("/konto") != before


def test_logout_ends_the_session(app_client: TestClient, pages: Pages, editor: User) -> None:
    pages.log_in(editor)
    token = pages.token_for("/konto")

    response = app_client.post("/logga-ut", data={"csrf_token": token}, follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (303, "/")
    assert app_client.get("/konto", follow_redirects=False).status_code == 303


def test_a_post_without_the_csrf_token_is_refused(app_client: TestClient, pages: Pages, editor: User) -> None:
    pages.log_in(editor)

    response = app_client.post("/datamangder/ny", data={"title_sv": "Utan token", "organization": "sjovik"})

    assert response.status_code == 403
    assert h1_of(response.text) == "Formuläret är för gammalt"


def test_a_post_with_another_sessions_token_is_refused(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    response = app_client.post("/en/logout", data={"csrf_token": "a-token-from-somewhere-else"})

    assert response.status_code == 403
    assert h1_of(response.text) == "The form has expired"


def test_the_session_cookie_is_http_only_and_same_site_lax(app_client: TestClient, editor: User) -> None:
    response = app_client.get("/logga-in")

    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
