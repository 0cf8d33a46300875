"""The picture of demand for staff at /efterfragan and /en/demand: searches that found nothing, the most
wanted data, requests by state, use per dataset and month, and the links to the open data."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from datatorget.catalog.models import User
from tests.web.pages import Pages, h1_of, text_of


def flush(client: TestClient) -> None:
    """Write what the app has counted, as its flushing thread does every 30 seconds."""
    state = client.app.state  # type: ignore[attr-defined]
    state.demand.flush(state.writing_sessionmaker)


def table_rows(html: str, caption_id: str) -> list[list[str]]:
    """The body rows of the table with that caption, as the words of each cell."""
    found = re.search(rf'<caption id="{caption_id}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert found, f"no table {caption_id}"
    return [
        [text_of(cell) for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    ]


def test_anonymous_visitors_are_sent_to_log_in(app_client: TestClient, demo: None) -> None:
    response = app_client.get("/efterfragan", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/logga-in?")


def test_members_may_not_see_it(app_client: TestClient, pages: Pages, member: User) -> None:
    pages.log_in(member)

    assert app_client.get("/efterfragan").status_code == 403


def test_an_editor_sees_the_searches_that_found_nothing(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    for _ in range(2):
        app_client.get("/datamangder", params={"q": "Parkeringsautomater"})
    app_client.get("/datamangder", params={"q": "badplatser"})
    flush(app_client)
    pages.log_in(editor)

    html = app_client.get("/efterfragan").text

    assert h1_of(html) == "Efterfrågan på data"
    assert table_rows(html, "unmet-caption") == [["parkeringsautomater", "2", "1", "Nej"]]


def test_views_are_summed_per_dataset_and_per_month(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    for _ in range(3):
        app_client.get("/datamangder/badplatser")
    app_client.get("/api/v1/datasets/evenemang")
    flush(app_client)
    pages.log_in(editor)

    html = app_client.get("/efterfragan").text

    assert table_rows(html, "use-dataset-caption") == [
        ["badplatser", "3", "0", "0"],
        ["evenemang", "1", "0", "0"],
    ]
    [(month, views, downloads, calls)] = table_rows(html, "use-month-caption")
    assert re.fullmatch(r"\d{4}-\d{2}", month) and (views, downloads, calls) == ("4", "0", "0")


def test_every_request_state_is_listed_even_with_no_requests(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    rows = table_rows(app_client.get("/efterfragan").text, "states-caption")

    assert [count for _, count in rows] == ["0"] * 6


def test_the_open_data_is_linked(app_client: TestClient, pages: Pages, editor: User) -> None:
    pages.log_in(editor)

    html = app_client.get("/en/demand").text

    assert h1_of(html) == "Demand for data"
    for name in ("searches", "usage", "requests"):
        assert f'href="/api/v1/demand/{name}.csv"' in html


@pytest.mark.parametrize("query", ["days=2", "days=abc", "months=-1", "days=99999999999999999999"])
def test_a_period_not_offered_gives_the_default(
    app_client: TestClient, pages: Pages, editor: User, query: str
) -> None:
    pages.log_in(editor)

    response = app_client.get(f"/efterfragan?{query}")

    assert response.status_code == 200
    assert re.search(r'<option value="30" selected>', response.text)
    assert re.search(r'<option value="12" selected>', response.text)


def test_the_menu_links_to_it_for_staff_only(app_client: TestClient, pages: Pages, editor: User) -> None:
    assert 'href="/efterfragan"' not in app_client.get("/").text
    pages.log_in(editor)

    assert 'href="/efterfragan"' in app_client.get("/").text


def test_the_menu_does_not_link_to_it_for_members(app_client: TestClient, pages: Pages, member: User) -> None:
    pages.log_in(member)

    assert 'href="/efterfragan"' not in app_client.get("/").text
