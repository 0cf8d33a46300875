"""/datasets/dcat, /catalog.{rdf,ttl,jsonld}, /datasets/{slug}.{rdf,ttl,jsonld} and content negotiation on the
dataset URI: what harvesters such as dataportal.se read, on both database backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from datatorget.api.routers.dcat import negotiate_rdf
from datatorget.catalog.models import Dataset
from datatorget.config import Settings
from datatorget.interop.dcat_document import RdfFormat
from datatorget.interop.dcat_import import parse_rdf
from datatorget.interop.dcat_vocab import HYDRA
from tests.api.problems import problem
from tests.conftest import Actors, client_with
from tests.factories import make_dataset, make_organization

MEDIA_TYPES = {"rdf": "application/rdf+xml", "ttl": "text/turtle", "jsonld": "application/ld+json"}
BASE = "http://portal.test"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Pages of two datasets, so that a handful of datasets makes several pages."""
    return settings.model_copy(update={"dcat_page_size": 2})


def _graph(response: object, fmt: RdfFormat = "rdf") -> Graph:
    return parse_rdf(response.content, fmt)  # type: ignore[attr-defined]


def _datasets(graph: Graph) -> set[str]:
    return {str(node) for node in graph.subjects(RDF.type, DCAT.Dataset)}


def _uri(dataset: Dataset) -> str:
    return f"{BASE}/datasets/{dataset.id}"


def test_the_catalog_at_datasets_dcat_is_rdf_xml_that_any_site_may_read(
    app_client: TestClient, session: Session
) -> None:
    make_organization(session)
    dataset = make_dataset(session)
    response = app_client.get("/datasets/dcat")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/rdf+xml"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["etag"]
    assert _datasets(_graph(response)) == {_uri(dataset)}


@pytest.mark.parametrize("fmt", ["rdf", "ttl", "jsonld"])
def test_the_catalog_comes_in_three_formats(fmt: RdfFormat, app_client: TestClient, session: Session) -> None:
    make_organization(session)
    dataset = make_dataset(session)
    response = app_client.get(f"/catalog.{fmt}")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == MEDIA_TYPES[fmt]
    assert _datasets(_graph(response, fmt)) == {_uri(dataset)}


def test_drafts_and_private_datasets_are_never_exported_even_to_an_admin(
    app_client: TestClient, session: Session, actors: Actors
) -> None:
    make_organization(session)
    published = make_dataset(session, "Badplatser")
    draft = make_dataset(session, "Planerade cykelvägar", state="draft")
    private = make_dataset(session, "Interna mätningar", state="private")
    admin = actors.headers(actors.user("admin@sjovik.se", "admin"))
    assert _datasets(_graph(app_client.get("/datasets/dcat", headers=admin))) == {_uri(published)}
    for hidden in (draft, private):
        response = app_client.get(f"/datasets/{hidden.slug}.ttl", headers=admin)
        assert response.status_code == 404
        assert response.json() == problem(404, f"no published dataset '{hidden.slug}'")
        assert (
            app_client.get(f"/datasets/{hidden.id}", headers={**admin, "Accept": "text/turtle"}).status_code
            == 404
        )


def _harvested(session: Session, dataset: Dataset) -> None:
    origin = {
        "source_id": "7",
        "source_title": "Grannkommunen",
        "remote_id": "x",
        "remote_url": "http://x.test/d",
    }
    session.execute(update(Dataset).where(Dataset.id == dataset.id).values(origin=origin))
    session.commit()


def test_harvested_datasets_are_left_out_of_the_catalog_but_keep_their_own_rdf(
    app_client: TestClient, session: Session
) -> None:
    make_organization(session)
    local = make_dataset(session, "Badplatser")
    harvested = make_dataset(session, "Grannens badplatser")
    _harvested(session, harvested)
    assert _datasets(_graph(app_client.get("/catalog.ttl"), "ttl")) == {_uri(local)}
    assert _datasets(_graph(app_client.get(f"/datasets/{harvested.slug}.ttl"), "ttl")) == {_uri(harvested)}


def test_an_operator_may_list_harvested_datasets_in_the_catalog_too(
    engine: Engine, settings: Settings, session: Session
) -> None:
    make_organization(session)
    local = make_dataset(session, "Badplatser")
    harvested = make_dataset(session, "Grannens badplatser")
    _harvested(session, harvested)
    with client_with(engine, settings.model_copy(update={"dcat_include_harvested": True})) as client:
        assert _datasets(_graph(client.get("/catalog.ttl"), "ttl")) == {_uri(local), _uri(harvested)}


def test_a_large_catalog_is_paged_with_hydra(app_client: TestClient, session: Session) -> None:
    make_organization(session)
    made = [make_dataset(session, f"Datamängd {n}") for n in range(5)]  # pages of 2: 2, 2, 1
    first = _graph(app_client.get("/catalog.ttl"), "ttl")
    last = _graph(app_client.get("/catalog.ttl", params={"page": "3"}), "ttl")
    assert _datasets(first) == {_uri(d) for d in made[:2]}
    assert _datasets(last) == {_uri(made[4])}
    page_1, page_3 = URIRef(f"{BASE}/catalog.ttl?page=1"), URIRef(f"{BASE}/catalog.ttl?page=3")
    assert set(first.objects(page_1, HYDRA.next)) == {URIRef(f"{BASE}/catalog.ttl?page=2")}
    assert set(first.objects(page_1, HYDRA.last)) == {page_3}
    assert int(first.value(page_1, HYDRA.totalItems).toPython()) == 5  # type: ignore[union-attr]
    assert set(last.objects(page_3, HYDRA.next)) == set()


def test_a_page_past_the_last_is_not_found(app_client: TestClient, session: Session) -> None:
    make_organization(session)
    make_dataset(session)
    response = app_client.get("/datasets/dcat", params={"page": "2"})
    assert response.status_code == 404
    assert response.json() == problem(404, "no page 2: the catalog has 1 page")
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", ""])
def test_a_page_that_is_no_whole_number_from_1_is_a_bad_request(page: str, app_client: TestClient) -> None:
    response = app_client.get("/datasets/dcat", params={"page": page})
    message = f"'{page}' is not a page number: give a whole number from 1"
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == problem(400, f"page: {message}", {"page": [message]})


def test_modified_since_keeps_the_datasets_changed_since(app_client: TestClient, session: Session) -> None:
    make_organization(session)
    old, new = make_dataset(session, "Gammal"), make_dataset(session, "Ny")
    session.execute(
        update(Dataset).where(Dataset.id == old.id).values(modified=datetime(2020, 1, 1, tzinfo=UTC))
    )
    session.commit()
    for since in ("2021-01-01", "2021-01-01T00:00:00", "2021-01-01T01:00:00+01:00", "2021-01-01T00:00:00Z"):
        response = app_client.get("/catalog.ttl", params={"modified_since": since})
        assert _datasets(_graph(response, "ttl")) == {_uri(new)}, since
    response = app_client.get("/catalog.ttl", params={"modified_since": "2019-12-31"})
    assert _datasets(_graph(response, "ttl")) == {_uri(old), _uri(new)}


@pytest.mark.parametrize("since", ["yesterday", "2021-13-01", "01/02/2021", ""])
def test_a_modified_since_that_is_no_iso_date_is_a_bad_request(since: str, app_client: TestClient) -> None:
    response = app_client.get("/datasets/dcat", params={"modified_since": since})
    message = f"'{since}' is not an ISO 8601 date or time, such as 2025-01-31 or 2025-01-31T12:00:00Z"
    assert response.status_code == 400
    assert response.json() == problem(400, f"modified_since: {message}", {"modified_since": [message]})


def test_an_unchanged_catalog_is_not_sent_again(app_client: TestClient, session: Session) -> None:
    make_organization(session)
    make_dataset(session)
    etag = app_client.get("/datasets/dcat").headers["etag"]
    again = app_client.get("/datasets/dcat", headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")
    make_dataset(session, "Lekplatser")
    changed = app_client.get("/datasets/dcat", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


@pytest.mark.parametrize("fmt", ["rdf", "ttl", "jsonld"])
def test_one_dataset_by_slug_or_uuid(fmt: RdfFormat, app_client: TestClient, session: Session) -> None:
    make_organization(session)
    dataset = make_dataset(session)
    for ref in (dataset.slug, str(dataset.id)):
        response = app_client.get(f"/datasets/{ref}.{fmt}")
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == MEDIA_TYPES[fmt]
        assert response.headers["access-control-allow-origin"] == "*"
        assert response.headers["last-modified"]
        assert _datasets(_graph(response, fmt)) == {_uri(dataset)}


def test_an_unknown_dataset_or_format_is_not_found(app_client: TestClient, session: Session) -> None:
    make_organization(session)
    make_dataset(session)
    response = app_client.get("/datasets/finns-inte.rdf")
    assert response.status_code == 404
    assert response.json() == problem(404, "no published dataset 'finns-inte'")
    formats = "the formats are .rdf (RDF/XML), .ttl (Turtle) and .jsonld (JSON-LD)"
    assert app_client.get("/datasets/badplatser.xml").json() == problem(
        404, f"no '/datasets/badplatser.xml': {formats}"
    )
    assert app_client.get("/catalog.n3").json() == problem(404, f"no '/catalog.n3': {formats}")


@pytest.mark.parametrize(
    ("accept", "target"),
    [
        ("text/turtle", "/datasets/badplatser.ttl"),
        ("application/rdf+xml", "/datasets/badplatser.rdf"),
        ("application/ld+json", "/datasets/badplatser.jsonld"),
        ("text/html;q=0.5, text/turtle", "/datasets/badplatser.ttl"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "/datamangder/badplatser"),
        ("application/json", "/api/v1/datasets/{id}"),
    ],
)
def test_the_dataset_uri_answers_by_content_negotiation(
    accept: str, target: str, app_client: TestClient, session: Session
) -> None:
    make_organization(session)
    dataset = make_dataset(session)
    response = app_client.get(f"/datasets/{dataset.id}", headers={"Accept": accept}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == target.format(id=dataset.id)


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("text/turtle", "ttl"),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.5", "rdf"),
        ("text/turtle;q=0", None),
        ("text/html, text/turtle", None),
        ("*/*", None),
        ("", None),
        ("text/turtle;q=abc, application/ld+json;q=0.1", "jsonld"),
    ],
)
def test_negotiation_prefers_rdf_only_when_asked_for_above_html_and_json(
    accept: str, chosen: str | None
) -> None:
    assert negotiate_rdf(accept) == chosen
