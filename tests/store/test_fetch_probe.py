"""store/fetch.py's probe: the status an address answers with, asked with HEAD (GET without reading the body
when HEAD is refused), after redirects, under the same address rules as fetching. A local server on
127.0.0.1, reached by allowing private addresses, except where refusing them is the point."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from datatorget.store.fetch import probe
from datatorget.store.report import IngestionFailed
from tests.link_server import Answer, LinkServer, link_server


@pytest.fixture
def server() -> Iterator[LinkServer]:
    with link_server() as server:
        yield server


def ask(url: str) -> int:
    return probe(url, timeout_s=5, allow_private=True)


def test_an_address_that_exists_answers_200_to_a_head_request(server: LinkServer) -> None:
    server.routes["/data.csv"] = Answer(200)
    assert ask(server.url("/data.csv")) == 200
    assert server.requests == [("HEAD", "/data.csv")]


def test_an_error_status_is_returned_not_raised(server: LinkServer) -> None:
    assert ask(server.url("/borta.csv")) == 404


def test_a_server_that_refuses_head_is_asked_with_get(server: LinkServer) -> None:
    server.routes["/api"] = Answer(200, refuse_head=True)
    assert ask(server.url("/api")) == 200
    assert server.requests == [("HEAD", "/api"), ("GET", "/api")]


def test_redirects_are_followed_to_the_final_status(server: LinkServer) -> None:
    server.routes["/old"] = Answer(301, {"Location": "/new"})
    server.routes["/new"] = Answer(200)
    assert ask(server.url("/old")) == 200
    assert server.requests == [("HEAD", "/old"), ("HEAD", "/new")]


def test_endless_redirects_are_refused(server: LinkServer) -> None:
    server.routes["/loop"] = Answer(302, {"Location": "/loop"})
    with pytest.raises(IngestionFailed) as raised:
        ask(server.url("/loop"))
    assert raised.value.code == "too_many_redirects"


def test_a_private_address_is_refused_unless_allowed(server: LinkServer) -> None:
    server.routes["/data.csv"] = Answer(200)
    with pytest.raises(IngestionFailed) as raised:
        probe(server.url("/data.csv"), timeout_s=5, allow_private=False)
    assert raised.value.code == "private_address"
    assert server.requests == []


def test_a_closed_port_is_unreachable() -> None:
    with link_server() as server:
        url = server.url("/data.csv")
    with pytest.raises(IngestionFailed) as raised:
        ask(url)
    assert raised.value.code == "unreachable"


def test_an_address_that_is_not_http_is_refused() -> None:
    with pytest.raises(IngestionFailed) as raised:
        ask("ftp://data.sjovik.example/data.csv")
    assert raised.value.code == "bad_url"
