"""interop/harvest.py: runs of a recorded DCAT catalog (two Hydra pages, Turtle and RDF/XML) and a recorded
CKAN site (two package_search pages), on both database backends: created, unchanged, updated, withdrawn."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select

from datatorget.catalog.models import Change, Dataset
from datatorget.config import Settings
from tests.http_server import send
from tests.interop.harvest_support import (
    Harness,
    RemoteSite,
    counts,
    harness,
    serve_ckan,
    serve_dcat,
    serving,
)

BADPLATSER = "/store/1/resource/12"
LUFT = "/store/1/resource/24"
NO_TITLE = "/store/1/resource/19"


@pytest.fixture
def site() -> Iterator[RemoteSite]:
    with serving() as site:
        yield site


@pytest.fixture
def harvesting(engine: Engine, settings: Settings) -> Harness:
    return harness(engine, settings.model_copy(update={"harvest_page_rows": 2, "harvest_timeout_s": 5.0}))


def _changes(harvesting: Harness) -> int:
    with harvesting.sessions.begin() as session:
        return session.scalar(select(func.count()).select_from(Change)) or 0


def test_a_first_run_of_a_dcat_catalog_creates_a_published_dataset_per_record(
    harvesting: Harness, site: RemoteSite
) -> None:
    source = harvesting.add_source(serve_dcat(site))
    run = harvesting.run(source)
    assert (run.status, run.counts) == ("partial", counts(created=4, failed=1))
    found = harvesting.datasets()
    assert sorted(d.title["sv"] for d in found.values()) == [
        "Badplatser", "Detaljplaner", "Förskolor", "Luftkvalitet i centrum",
    ]  # fmt: skip
    assert {d.state for d in found.values()} == {"published"}
    assert {d.organization.slug for d in found.values()} == {"vallby-kommun"}
    assert site.requests == ["/dcat/catalog?page=1", "/dcat/catalog?page=2"]


def test_a_harvested_dataset_keeps_its_fields_and_its_provenance(
    harvesting: Harness, site: RemoteSite
) -> None:
    source = harvesting.add_source(serve_dcat(site), title="Vallbys katalog")
    run = harvesting.run(source)
    dataset = harvesting.datasets()[site.url(BADPLATSER)]
    assert dataset.title == {"sv": "Badplatser", "en": "Bathing sites"}
    assert (dataset.themes, dataset.frequency, dataset.license) == (["EDUC", "ENVI"], "ANNUAL", "CC0")
    assert dataset.keywords == {"en": ["swimming"], "sv": ["bad", "friluftsliv", "strand"]}
    assert dataset.contact_point == {"name": "Kultur- och fritidsförvaltningen", "email": "fritid@vallby.se"}
    assert dataset.slug == "badplatser"
    assert dataset.origin == {
        "source_id": str(source),
        "source_title": "Vallbys katalog",
        "remote_id": site.url(BADPLATSER),
        "remote_url": site.url(BADPLATSER),
        "remote_modified": "2024-06-01T10:15:00+00:00",
        "harvested_at": dataset.origin["harvested_at"] if dataset.origin else None,
    }
    assert run.started_at is not None and dataset.origin["harvested_at"] == run.started_at.isoformat()


def test_the_distributions_of_a_harvested_dataset_are_links(harvesting: Harness, site: RemoteSite) -> None:
    harvesting.run(harvesting.add_source(serve_dcat(site)))
    dataset = harvesting.datasets()[site.url("/store/1/resource/15")]
    assert [
        (d.title, d.access_url, d.download_url, d.format, d.license, d.file_name) for d in dataset.distributions
    ] == [
        ({"sv": "Förskolor (JSON-API)"}, "https://api.vallby.se/forskolor/v1", None, "JSON", "CC_BY_4_0", None),
        ({"sv": "Förskolor (Excel)"}, "https://data.vallby.se/forskolor/forskolor.xlsx", None, "XLSX",
         "CC_BY_4_0", None),
    ]  # fmt: skip


def test_a_record_without_a_title_fails_alone_with_its_reason(harvesting: Harness, site: RemoteSite) -> None:
    run = harvesting.run(harvesting.add_source(serve_dcat(site)))
    failed = [record for record in run.records if record["outcome"] == "failed"]
    assert failed == [
        {
            "remote_id": site.url(NO_TITLE),
            "title": "",
            "outcome": "failed",
            "dataset": None,
            "reason": {"code": "no_title", "sv": "Posten saknar titel.", "en": "The record has no title."},
        }
    ]
    assert site.url(NO_TITLE) not in harvesting.datasets()


def test_a_second_identical_run_rewrites_nothing(harvesting: Harness, site: RemoteSite) -> None:
    source = harvesting.add_source(serve_dcat(site))
    harvesting.run(source)
    before = {remote_id: (d.modified, d.origin) for remote_id, d in harvesting.datasets().items()}
    changes = _changes(harvesting)
    run = harvesting.run(source)
    assert (run.status, run.counts) == ("partial", counts(unchanged=4, failed=1))
    assert {remote_id: (d.modified, d.origin) for remote_id, d in harvesting.datasets().items()} == before
    assert _changes(harvesting) == changes


def test_a_record_changed_at_the_source_is_updated(harvesting: Harness, site: RemoteSite) -> None:
    source = harvesting.add_source(serve_dcat(site))
    harvesting.run(source)
    before = harvesting.datasets()[site.url(BADPLATSER)]
    serve_dcat(
        site, page1=site.fixture("dcat_page1.ttl").replace(b'"Badplatser"@sv', b'"Badplatser 2025"@sv')
    )
    run = harvesting.run(source)
    assert run.counts == counts(updated=1, unchanged=3, failed=1)
    assert [(r["outcome"], r["dataset"]) for r in run.records if r["outcome"] == "updated"] == [
        ("updated", "badplatser")
    ]
    after = harvesting.datasets()[site.url(BADPLATSER)]
    assert (after.id, after.slug, after.title["sv"]) == (before.id, "badplatser", "Badplatser 2025")
    assert after.modified > before.modified
    assert [d.id for d in after.distributions] == [d.id for d in before.distributions]


def _without_luft(site: RemoteSite) -> bytes:
    page = site.fixture("dcat_page2.rdf").decode()
    return re.sub(r'\s*<dcat:Dataset rdf:about="[^"]*/24">.*?</dcat:Dataset>', "", page, flags=re.S).encode()


def test_a_record_gone_from_the_source_is_withdrawn(harvesting: Harness, site: RemoteSite) -> None:
    source = harvesting.add_source(serve_dcat(site))
    harvesting.run(source)
    serve_dcat(site, page2=_without_luft(site))
    run = harvesting.run(source)
    assert run.counts == counts(unchanged=3, withdrawn=1, failed=1)
    withdrawn = harvesting.datasets()[site.url(LUFT)]
    assert (withdrawn.state, withdrawn.origin is not None) == ("private", True)
    assert [r for r in run.records if r["outcome"] == "withdrawn"] == [
        {"remote_id": site.url(LUFT), "title": "Luftkvalitet i centrum", "outcome": "withdrawn",
         "dataset": withdrawn.slug, "reason": None},
    ]  # fmt: skip


def test_a_withdrawn_record_that_comes_back_is_published_again(harvesting: Harness, site: RemoteSite) -> None:
    source = harvesting.add_source(serve_dcat(site))
    harvesting.run(source)
    serve_dcat(site, page2=_without_luft(site))
    harvesting.run(source)
    serve_dcat(site)
    run = harvesting.run(source)
    assert run.counts == counts(updated=1, unchanged=3, failed=1)
    assert harvesting.datasets()[site.url(LUFT)].state == "published"


def test_a_source_that_answers_500_fails_the_run_and_withdraws_nothing(
    harvesting: Harness, site: RemoteSite
) -> None:
    source = harvesting.add_source(serve_dcat(site))
    harvesting.run(source)
    site.routes["/dcat/catalog?page=1"] = send(b"Internal Server Error", "text/plain", status=500)
    run = harvesting.run(source)
    assert (run.status, run.counts) == ("failed", counts())
    assert run.error is not None and run.error["code"] == "http_error"
    assert run.error["en"].startswith(
        f"{site.url('/dcat/catalog?page=1')}: The server answered with error 500"
    )
    assert {d.state for d in harvesting.datasets().values()} == {"published"}


def test_a_first_run_of_a_ckan_site_creates_a_dataset_per_package(
    harvesting: Harness, site: RemoteSite
) -> None:
    run = harvesting.run(harvesting.add_source(serve_ckan(site), kind="ckan", title="Norrtuna CKAN"))
    assert (run.status, run.counts) == ("succeeded", counts(created=4))
    found = {d.slug: d for d in harvesting.datasets().values()}
    assert sorted(found) == [
        "befolkning-per-distrikt",
        "parkeringsplatser",
        "trafikfloden-2023",
        "vaghallning-och-snorojning",
    ]
    assert {slug: d.license for slug, d in found.items()} == {
        "befolkning-per-distrikt": "ODC_BY", "parkeringsplatser": "CC_BY_4_0", "trafikfloden-2023": "CC0",
        "vaghallning-och-snorojning": None,
    }  # fmt: skip


def test_a_ckan_package_keeps_its_tags_extras_and_resources(harvesting: Harness, site: RemoteSite) -> None:
    harvesting.run(harvesting.add_source(serve_ckan(site), kind="ckan"))
    parking = next(d for d in harvesting.datasets().values() if d.slug == "parkeringsplatser")
    assert parking.keywords == {"sv": ["bil", "parkering", "trafik"]}
    assert (parking.themes, parking.frequency) == (["TRAN"], "MONTHLY")
    assert parking.landing_page == "https://www.norrtuna.se/trafik/parkering"
    assert parking.contact_point == {"name": "Gatuavdelningen", "email": "gata@norrtuna.se"}
    assert [(d.format, d.download_url is not None, d.file_name) for d in parking.distributions] == [
        ("CSV", True, None),
        ("GEOJSON", False, None),
    ]
    assert parking.origin is not None
    assert parking.origin["remote_url"] == site.url("/dataset/parkeringsplatser")


def test_a_ckan_package_without_notes_borrows_its_title_as_description(
    harvesting: Harness, site: RemoteSite
) -> None:
    harvesting.run(harvesting.add_source(serve_ckan(site), kind="ckan"))
    traffic = next(d for d in harvesting.datasets().values() if d.slug == "trafikfloden-2023")
    assert traffic.description == {"sv": "Trafikflöden 2023"}


def test_a_ckan_resource_without_an_http_address_is_left_out(harvesting: Harness, site: RemoteSite) -> None:
    harvesting.run(harvesting.add_source(serve_ckan(site), kind="ckan"))
    population = next(d for d in harvesting.datasets().values() if d.slug == "befolkning-per-distrikt")
    assert [d.access_url for d in population.distributions] == [
        "https://api.norrtuna.se/statistik/befolkning"
    ]


def test_a_second_identical_run_of_a_ckan_site_rewrites_nothing(
    harvesting: Harness, site: RemoteSite
) -> None:
    source = harvesting.add_source(serve_ckan(site), kind="ckan")
    harvesting.run(source)
    before = {remote_id: d.modified for remote_id, d in harvesting.datasets().items()}
    changes = _changes(harvesting)
    run = harvesting.run(source)
    assert (run.status, run.counts) == ("succeeded", counts(unchanged=4))
    assert {remote_id: d.modified for remote_id, d in harvesting.datasets().items()} == before
    assert _changes(harvesting) == changes


def test_a_package_deleted_at_a_ckan_site_is_withdrawn(harvesting: Harness, site: RemoteSite) -> None:
    source = harvesting.add_source(serve_ckan(site), kind="ckan")
    harvesting.run(source)
    page2 = json.loads(site.fixture("ckan_page2.json"))
    page2["result"]["count"] = 3
    page2["result"]["results"] = page2["result"]["results"][:1]
    page1 = site.fixture("ckan_page1.json").replace(b'"count": 4', b'"count": 3')
    serve_ckan(site, page1=page1, page2=json.dumps(page2).encode())
    run = harvesting.run(source)
    assert run.counts == counts(unchanged=3, withdrawn=1)
    with harvesting.sessions.begin() as session:
        state = session.scalar(select(Dataset.state).where(Dataset.slug == "vaghallning-och-snorojning"))
    assert state == "private"
