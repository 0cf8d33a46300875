"""Hostile and broken sources: entity expansion and external entities in RDF/XML, remote JSON-LD contexts,
malformed pages, huge, endless, looping and slow sources, redirects to private addresses. Each fails its run
with a reason and withdraws nothing; none reaches past the address checks."""

from __future__ import annotations

import http.server
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Engine

from datatorget.config import Settings
from datatorget.interop.harvest import run_harvest
from datatorget.interop.harvest_dcat import parse_page
from datatorget.interop.harvest_fetch import HarvestFailed, Page
from datatorget.interop.harvest_models import HarvestRun
from datatorget.interop.harvest_sources import queue_run
from tests.conftest import empty_database
from tests.http_server import send
from tests.interop.harvest_support import (
    JSON,
    RDF_XML,
    TURTLE,
    Harness,
    RemoteSite,
    counts,
    harness,
    serve_ckan,
    serve_dcat,
    serving,
)

HEAD = (
    '<?xml version="1.0"?>\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcat="http://www.w3.org/ns/dcat#"'
    ' xmlns:dcterms="http://purl.org/dc/terms/">\n'
)
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">\n' for n in range(1, 10)
    )
    + "]>\n"
    + HEAD[len('<?xml version="1.0"?>\n') :]
    + '<dcat:Dataset rdf:about="https://kommun.example/ds/1"><dcterms:title>&lol9;</dcterms:title>'
    "</dcat:Dataset></rdf:RDF>\n"
)


@pytest.fixture(params=["sqlite"])
def engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    """SQLite only: these tests are about the network and the parsers, not the database."""
    yield from empty_database(request, tmp_path, sqlite_template)


@pytest.fixture
def site() -> Iterator[RemoteSite]:
    with serving() as site:
        yield site


@pytest.fixture
def harvesting(engine: Engine, settings: Settings) -> Harness:
    return harness(engine, settings.model_copy(update={"harvest_timeout_s": 5.0, "harvest_page_rows": 2}))


def _refused(body: str | bytes, content_type: str, url: str = "https://kommun.example/dcat") -> HarvestFailed:
    page = Page(url, body.encode() if isinstance(body, str) else body, content_type)
    with pytest.raises(HarvestFailed) as caught:
        parse_page(page)
    return caught.value


def test_rdf_xml_with_nested_entities_is_refused_before_any_is_expanded() -> None:
    failure = _refused(BILLION_LAUGHS, RDF_XML)
    assert failure.code == "unreadable"
    assert failure.en == (
        "https://kommun.example/dcat: the page has a DOCTYPE or entities, which are not allowed in RDF/XML "
        "from a harvest source"
    )


def test_rdf_xml_with_an_external_entity_fails_the_run_and_the_file_is_never_read(
    harvesting: Harness, site: RemoteSite, tmp_path: Path
) -> None:
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:hemlig-rad:/root:/bin/bash\n")
    page = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        + HEAD[len('<?xml version="1.0"?>\n') :]
        + '<dcat:Dataset rdf:about="https://kommun.example/ds/1"><dcterms:title>&xxe;</dcterms:title>'
        "<dcterms:description>x</dcterms:description></dcat:Dataset></rdf:RDF>\n"
    )
    site.routes["/dcat.rdf"] = send(page.encode(), RDF_XML)
    run = harvesting.run(harvesting.add_source(site.url("/dcat.rdf")))
    assert (run.status, run.counts) == ("failed", counts())
    assert run.error is not None and "DOCTYPE" in run.error["en"]
    assert "hemlig-rad" not in json.dumps([run.error, run.records])
    assert harvesting.datasets() == {}


def test_rdf_xml_that_names_a_dtd_elsewhere_is_refused_without_fetching_it(site: RemoteSite) -> None:
    site.routes["/evil.dtd"] = send(b'<!ENTITY x "x">', "application/xml-dtd")
    page = f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{site.url("/evil.dtd")}">\n{HEAD}</rdf:RDF>\n'
    assert "DOCTYPE" in _refused(page, RDF_XML).en
    assert site.requests == []


def test_json_ld_with_a_remote_context_is_refused_without_fetching_it(site: RemoteSite) -> None:
    site.routes["/context.jsonld"] = send(b'{"@context": {"dct": "http://purl.org/dc/terms/"}}', JSON)
    page = json.dumps({"@context": site.url("/context.jsonld"), "@id": "https://kommun.example/ds/1"})
    failure = _refused(page, "application/ld+json")
    assert failure.en == (
        "https://kommun.example/dcat: the page refers to a @context at another address, which is not fetched"
    )
    assert site.requests == []


def test_json_ld_with_its_context_inline_is_read() -> None:
    page = {
        "@context": {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/"},
        "@graph": [
            {"@id": "https://kommun.example/ds/1", "@type": "dcat:Dataset", "dct:title": "Badplatser"}
        ],
    }
    graph = parse_page(Page("https://kommun.example/dcat", json.dumps(page).encode(), "application/ld+json"))
    assert len(graph) == 2


def test_malformed_turtle_fails_the_run_and_withdraws_nothing(harvesting: Harness, site: RemoteSite) -> None:
    source = harvesting.add_source(serve_dcat(site))
    harvesting.run(source)
    site.routes["/dcat/catalog?page=1"] = send(
        b"@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<a> dcat:x [ .", TURTLE
    )
    run = harvesting.run(source)
    assert (run.status, run.counts) == ("failed", counts())
    assert run.error is not None and run.error["code"] == "unreadable"
    assert "the page is not well-formed Turtle" in run.error["en"]
    assert {d.state for d in harvesting.datasets().values()} == {"published"}


def test_a_page_over_the_byte_limit_fails_the_run(harvesting: Harness, site: RemoteSite) -> None:
    run = harvesting.run(harvesting.add_source(serve_dcat(site)), harvest_max_bytes=1000)
    assert (run.status, run.error and run.error["code"]) == ("failed", "too_large")


def _endless(site: RemoteSite, loop_after: int | None = None) -> str:
    """Hydra pages that never end (each names the next), or that point back to the first after a few."""

    def page(handler: http.server.BaseHTTPRequestHandler) -> None:
        number = int(parse_qs(urlsplit(handler.path).query)["page"][0])
        following = 1 if loop_after is not None and number >= loop_after else number + 1
        body = (
            "@prefix hydra: <http://www.w3.org/ns/hydra/core#> .\n"
            f"<{site.url(f'/endless?page={number}')}> a hydra:PartialCollectionView ;\n"
            f"    hydra:next <{site.url(f'/endless?page={following}')}> .\n"
        )
        send(body.encode(), TURTLE)(handler)

    site.routes["/endless"] = page
    return site.url("/endless?page=1")


def test_an_endless_hydra_chain_stops_at_the_page_limit(harvesting: Harness, site: RemoteSite) -> None:
    run = harvesting.run(harvesting.add_source(_endless(site)), harvest_max_pages=3)
    assert (run.status, run.error and run.error["code"]) == ("partial", "page_limit")
    assert site.requests == ["/endless?page=1", "/endless?page=2", "/endless?page=3"]


def test_hydra_pages_that_loop_are_each_read_once(harvesting: Harness, site: RemoteSite) -> None:
    run = harvesting.run(harvesting.add_source(_endless(site, loop_after=2)))
    assert (run.status, run.error and run.error["code"]) == ("partial", "page_loop")
    assert site.requests == ["/endless?page=1", "/endless?page=2"]


def test_a_stopped_read_withdraws_nothing(harvesting: Harness, site: RemoteSite) -> None:
    source = harvesting.add_source(serve_dcat(site))
    harvesting.run(source)
    run = harvesting.run(source, harvest_max_pages=1)
    assert (run.status, run.counts) == ("partial", counts(unchanged=2, failed=1))
    assert {d.state for d in harvesting.datasets().values()} == {"published"}


def test_a_slow_server_fails_the_run_with_a_timeout(harvesting: Harness, site: RemoteSite) -> None:
    def slow(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", TURTLE)
        handler.end_headers()
        handler.wfile.write(b"@prefix dcat: <http://www.w3.org/ns/dcat#> .\n")
        handler.wfile.flush()
        site.stop.wait(10)  # until the test ends: the harvester must give up long before

    site.routes["/slow.ttl"] = slow
    run = harvesting.run(harvesting.add_source(site.url("/slow.ttl")), harvest_timeout_s=0.3)
    assert (run.status, run.error and run.error["code"]) == ("failed", "fetch_timeout")


@pytest.mark.parametrize(
    "target", ["http://127.0.0.2:{port}/dcat.ttl", "http://169.254.169.254/latest/meta-data/"]
)
def test_a_redirect_to_a_private_address_is_refused(
    harvesting: Harness, site: RemoteSite, target: str
) -> None:
    def redirect(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", target.format(port=site.port))
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    site.routes["/dcat.ttl"] = redirect
    run = harvesting.run(harvesting.add_source(site.url("/dcat.ttl")))
    assert (run.status, run.error and run.error["code"]) == ("failed", "private_address")


def test_a_source_on_a_private_address_is_refused_by_default(harvesting: Harness, site: RemoteSite) -> None:
    source = harvesting.add_source(serve_dcat(site))
    with harvesting.sessions.begin() as session:
        run_id = queue_run(session, source, harvesting.admin(session)).id
    result = run_harvest(harvesting.sessions, harvesting.settings, run_id)
    assert result["status"] == "failed"
    with harvesting.sessions.begin() as session:
        error = session.get_one(HarvestRun, run_id).error
    assert error is not None and error["code"] == "private_address"
    assert site.requests == []


def test_a_ckan_answer_that_is_not_json_fails_the_run(harvesting: Harness, site: RemoteSite) -> None:
    site.routes["/api/3/action/package_search"] = send(b"<html>Underhall</html>", "text/html")
    run = harvesting.run(harvesting.add_source(site.url("/"), kind="ckan"))
    assert (run.status, run.error and run.error["code"]) == ("failed", "unreadable")


def test_a_ckan_error_answer_fails_the_run_with_its_message(harvesting: Harness, site: RemoteSite) -> None:
    body = {
        "help": "",
        "success": False,
        "error": {"message": "Search index not found", "__type": "Search Error"},
    }
    site.routes["/api/3/action/package_search"] = send(json.dumps(body).encode(), JSON, status=200)
    run = harvesting.run(harvesting.add_source(site.url("/"), kind="ckan"))
    assert run.error is not None and run.error["code"] == "not_ckan"
    assert run.error["en"].endswith(
        "the answer is not a successful CKAN package_search answer. Search index not found"
    )


def test_a_ckan_site_whose_packages_move_while_paging_withdraws_nothing(
    harvesting: Harness, site: RemoteSite
) -> None:
    source = harvesting.add_source(serve_ckan(site), kind="ckan")
    harvesting.run(source)
    page2 = json.loads(site.fixture("ckan_page2.json"))
    page2["result"]["results"] = page2["result"]["results"][:1]  # one package gone between the two pages
    serve_ckan(site, page2=json.dumps(page2).encode())
    run = harvesting.run(source)
    assert (run.status, run.error and run.error["code"], run.counts) == (
        "partial",
        "count_changed",
        counts(unchanged=3),
    )
    assert {d.state for d in harvesting.datasets().values()} == {"published"}


def test_a_source_that_suddenly_lists_nothing_withdraws_nothing(
    harvesting: Harness, site: RemoteSite
) -> None:
    source = harvesting.add_source(serve_dcat(site))
    harvesting.run(source)
    site.routes["/dcat/catalog?page=1"] = send(b"@prefix dcat: <http://www.w3.org/ns/dcat#> .\n", TURTLE)
    run = harvesting.run(source)
    assert (run.status, run.error and run.error["code"]) == ("partial", "empty_source")
    assert {d.state for d in harvesting.datasets().values()} == {"published"}
