"""Error pages: in the language of the path, with the right status, never showing what went wrong inside."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from datatorget.app import create_app
from datatorget.config import Settings
from tests.web.pages import h1_of, text_of


def _broken(settings: Settings, engine: Engine) -> TestClient:
    """The portal with one more page, which fails."""
    app = create_app(settings, engine=engine, migrate=False)

    def boom() -> None:
        raise RuntimeError("database password is hunter2")

    app.add_api_route("/trasig", boom)
    app.add_api_route("/en/broken", boom)
    return TestClient(app, raise_server_exceptions=False)


def test_an_unexpected_error_is_a_500_page_that_reveals_nothing(settings: Settings, engine: Engine) -> None:
    with _broken(settings, engine) as client:
        sv = client.get("/trasig")
        en = client.get("/en/broken")

    assert (sv.status_code, en.status_code) == (500, 500)
    assert h1_of(sv.text) == "Något gick fel"
    assert h1_of(en.text) == "Something went wrong"
    assert "hunter2" not in sv.text + en.text


def test_a_method_the_page_does_not_take_is_a_405_page(app_client: TestClient) -> None:
    response = app_client.get("/en/logout")

    assert response.status_code == 405
    assert h1_of(response.text) == "This cannot be done this way"


def test_an_error_page_links_home_and_to_search(app_client: TestClient) -> None:
    words = text_of(app_client.get("/organisationer/finns-inte").text)

    assert "Till startsidan" in words and "Felkod: 404" in words


def test_reading_a_page_sets_no_cookie(app_client: TestClient, demo: None) -> None:
    response = app_client.get("/datamangder/badplatser")

    assert "set-cookie" not in response.headers
