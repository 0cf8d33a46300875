"""The quality of the demo catalog: every dataset scored with suggestions where it falls short, each metric
measured as the DCAT-AP-SE export describes the dataset, and every dataset compliant once checked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS
from sqlalchemy.orm import Session

from datatorget.interop.dcat_export import dataset_graph, distribution_iri
from datatorget.interop.link_check import Answer
from datatorget.interop.quality import CatalogQuality, catalog_quality, dataset_quality
from datatorget.jobs.quality_check import run_quality_check
from tests.interop.demo_portal import BASE_URL, DemoPortal, all_datasets

# The metrics that read one property of each distribution, and that property in the export
PROPERTIES = {
    "formatAvailability": DCTERMS.format,
    "mediaTypeAvailability": DCAT.mediaType,
    "downloadUrlAvailability": DCAT.downloadURL,
    "licenceAvailability": DCTERMS.license,
    "byteSizeAvailability": DCAT.byteSize,
}


@pytest.fixture(scope="module")
def session(portal: DemoPortal) -> Iterator[Session]:
    with portal.session() as session:
        yield session


@pytest.fixture(scope="module")
def before(portal: DemoPortal, session: Session) -> CatalogQuality:
    return catalog_quality(session, None)


@pytest.fixture(scope="module")
def after(portal: DemoPortal, before: CatalogQuality, session: Session) -> CatalogQuality:
    """The catalog once the quality check has run, every linked address answering 200 (nothing is fetched)."""
    run_quality_check(
        portal.app.state.writing_sessionmaker, portal.settings, prober=lambda _url: Answer(200, True, None)
    )
    session.rollback()  # a new transaction, which sees what the check stored
    return catalog_quality(session, None)


def test_every_published_demo_dataset_is_scored(before: CatalogQuality, session: Session) -> None:
    published = [d.slug for d in all_datasets(session) if d.state == "published"]
    assert sorted(q.slug for q in before.datasets) == sorted(published)
    assert sum(before.ratings.values()) == len(published)


def test_the_demo_tells_an_editor_what_to_fix(before: CatalogQuality) -> None:
    worst = before.datasets[0]
    assert worst.points == min(q.points for q in before.datasets)
    assert worst.suggestions
    assert all(s.sv and s.en for q in before.datasets for s in q.suggestions)


def test_before_the_check_the_links_and_compliance_are_not_measured(before: CatalogQuality) -> None:
    unmeasured = {m.metric for q in before.datasets for m in q.metrics if not m.measured}
    assert unmeasured == {"dcatApCompliance", "accessUrlStatusCode"}


def test_after_the_check_every_demo_dataset_is_dcat_ap_compliant(after: CatalogQuality) -> None:
    assert {m.points for q in after.datasets for m in q.metrics if m.metric == "dcatApCompliance"} == {30}
    assert all(m.measured for q in after.datasets for m in q.metrics)


def test_the_high_value_demo_datasets_meet_their_obligations(after: CatalogQuality) -> None:
    assert sum(1 for q in after.datasets if q.hvd is not None) >= 2
    assert after.hvd_incomplete == 0


@pytest.mark.parametrize("metric", sorted(PROPERTIES))
def test_a_distribution_metric_agrees_with_the_export(
    metric: str, portal: DemoPortal, session: Session
) -> None:
    for dataset in all_datasets(session):
        graph = dataset_graph(dataset, base_url=BASE_URL)
        quality = dataset_quality(session, dataset)
        exported = [
            (distribution_iri(BASE_URL, d), PROPERTIES[metric], None) in graph for d in dataset.distributions
        ]
        result = next(m for m in quality.metrics if m.metric == metric)
        share = (result.points - _false(metric)) / (result.max_points - _false(metric))
        assert share == pytest.approx(sum(exported) / len(exported), abs=0.001), dataset.slug


def _false(metric: str) -> int:
    return -5 if metric in ("formatAvailability", "mediaTypeAvailability") else 0


def test_the_publisher_and_contact_point_metrics_agree_with_the_export(
    portal: DemoPortal, session: Session
) -> None:
    for dataset in all_datasets(session):
        graph = dataset_graph(dataset, base_url=BASE_URL)
        node = next(graph.subjects(DCTERMS.identifier, None))
        assert isinstance(node, URIRef)
        points = {m.metric: m.points for m in dataset_quality(session, dataset).metrics}
        assert (points["contactPointAvailability"] > 0) == ((node, DCAT.contactPoint, None) in graph), (
            dataset.slug
        )
        assert (points["publisherAvailability"] > 0) == ((node, DCTERMS.publisher, None) in graph), (
            dataset.slug
        )
