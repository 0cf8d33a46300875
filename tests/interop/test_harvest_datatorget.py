"""Harvesting another Datatorget: the demo portal's own DCAT-AP-SE catalog, in Hydra pages of eight datasets,
served at a local address, read into this portal."""

from __future__ import annotations

import http.server
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from datatorget.catalog.models import Dataset
from datatorget.config import Settings
from tests.conftest import empty_database
from tests.http_server import send
from tests.interop.demo_portal import BASE_URL, all_datasets
from tests.interop.harvest_support import TURTLE, Harness, RemoteSite, counts, harness, serving
from tests.servers import demo_app

PAGE_SIZE = 8


@pytest.fixture(scope="module")
def other_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The demo portal, with a catalog page of PAGE_SIZE datasets."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("other-portal"), base_url=BASE_URL,
        secret_key=SecretStr("other-portal-secret"), job_workers=0, dcat_page_size=PAGE_SIZE,
    )  # fmt: skip
    app = demo_app(settings)
    with TestClient(app, base_url=BASE_URL) as client:
        yield client
    app.state.duck.close()
    app.state.engine.dispose()


@pytest.fixture(params=["sqlite"])
def engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    """SQLite only: the run itself is tested on both backends in test_harvest_run.py."""
    yield from empty_database(request, tmp_path, sqlite_template)


@pytest.fixture
def site(other_portal: TestClient) -> Iterator[RemoteSite]:
    """The other portal's catalog, as its server would send it, at the address of a local server."""
    with serving() as site:

        def catalog(handler: http.server.BaseHTTPRequestHandler) -> None:
            body = other_portal.get(handler.path).content
            send(body.replace(BASE_URL.encode(), site.base.encode()), TURTLE)(handler)

        site.routes["/catalog.ttl"] = catalog
        yield site


def _published(other_portal: TestClient) -> list[Dataset]:
    with other_portal.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        return [dataset for dataset in all_datasets(session) if dataset.state == "published"]


def test_every_published_dataset_of_another_datatorget_is_harvested_page_by_page(
    engine: Engine, settings: Settings, site: RemoteSite, other_portal: TestClient
) -> None:
    harvesting: Harness = harness(engine, settings.model_copy(update={"harvest_timeout_s": 10.0}))
    published = _published(other_portal)
    assert len(published) > PAGE_SIZE
    run = harvesting.run(harvesting.add_source(site.url("/"), kind="datatorget"))
    assert (run.status, run.counts) == ("succeeded", counts(created=len(published)))
    assert site.requests[:2] == ["/catalog.ttl", "/catalog.ttl?page=2"]
    harvested = {d.title["sv"]: d for d in harvesting.datasets().values()}
    assert sorted(harvested) == sorted(d.title["sv"] for d in published)
    for dataset in published:
        assert sorted(harvested[dataset.title["sv"]].themes) == sorted(dataset.themes)
        assert harvested[dataset.title["sv"]].keywords == {
            lang: sorted(words) for lang, words in sorted(dataset.keywords.items())
        }


def test_a_second_run_of_another_datatorget_rewrites_nothing(
    engine: Engine, settings: Settings, site: RemoteSite, other_portal: TestClient
) -> None:
    harvesting = harness(engine, settings.model_copy(update={"harvest_timeout_s": 10.0}))
    source = harvesting.add_source(site.url("/"), kind="datatorget")
    harvesting.run(source)
    run = harvesting.run(source)
    assert (run.status, run.counts) == ("succeeded", counts(unchanged=len(_published(other_portal))))
