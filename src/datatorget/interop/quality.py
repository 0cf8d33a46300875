"""Metadata quality: a score per dataset and for the catalog, after data.europa.eu's Metadata Quality
Assessment (MQA), with concrete suggestions for each shortfall and the high-value dataset (HVD) checklist.

The interface the web panel, the dashboard and the API build on. The metrics, points and rating bands are
data (`mqa_metrics.json`, read by quality_methodology); the measurements are in quality_metrics, the advice
in quality_advice, the HVD checklist in quality_hvd. The accessibility metrics and dcatApCompliance read
what the scheduled quality check stored (link_check, compliance); until it has run they are not measured:
0 points, `measured=False`, and no suggestion.

A dataset's score is the sum of its metrics' points (at most 405); the catalog's is the average of its
datasets' scores, and so are its dimension points.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from datatorget.catalog.models import Dataset, Distribution
from datatorget.catalog.organizations import get_organization
from datatorget.catalog.permissions import Viewer, visible_datasets
from datatorget.interop.compliance import stored_checks
from datatorget.interop.link_check import stored_links
from datatorget.interop.quality_advice import (
    ADD_DISTRIBUTION,
    ADVICE,
    NO_ADVICE,
    NO_DISTRIBUTIONS,
    UNFIXABLE,
    advice_text,
)
from datatorget.interop.quality_hvd import hvd_checklist
from datatorget.interop.quality_methodology import (
    DIMENSIONS,
    RATINGS,
    Dimension,
    Methodology,
    Rating,
    methodology,
)
from datatorget.interop.quality_metrics import Evidence, Measurement, measure
from datatorget.interop.quality_types import (
    CatalogQuality,
    DatasetQuality,
    DimensionScore,
    HvdCheck,
    HvdChecklist,
    MetricResult,
    Suggestion,
)

__all__ = [
    "CatalogQuality",
    "DatasetQuality",
    "Dimension",
    "DimensionScore",
    "HvdCheck",
    "HvdChecklist",
    "MetricResult",
    "Rating",
    "Suggestion",
    "catalog_quality",
    "dataset_quality",
]


def dataset_quality(session: Session, dataset: Dataset) -> DatasetQuality:
    """The quality of one dataset, from its metadata and the stored link and compliance checks."""
    links = stored_links(session, [d.id for d in dataset.distributions])
    compliance = stored_checks(session, [dataset.id]).get(dataset.id)
    return score(dataset, Evidence(links, compliance), methodology())


def catalog_quality(session: Session, viewer: Viewer, *, organization: str | None = None) -> CatalogQuality:
    """The quality of the datasets the viewer may see (of one organisation, given its slug), worst first.
    NotFound for an organisation that does not exist."""
    statement = (
        select(Dataset)
        .where(visible_datasets(viewer))
        .options(selectinload(Dataset.distributions).selectinload(Distribution.data_table))
    )
    if organization is not None:
        statement = statement.where(Dataset.organization_id == get_organization(session, organization).id)
    datasets = list(session.scalars(statement))
    links = stored_links(session, [d.id for dataset in datasets for d in dataset.distributions])
    compliance = stored_checks(session, [d.id for d in datasets])
    method = methodology()
    scored = [score(d, Evidence(links, compliance.get(d.id)), method) for d in datasets]
    return summarise(scored, method)


def score(dataset: Dataset, evidence: Evidence, method: Methodology) -> DatasetQuality:
    """The quality of a dataset given what the checks found (pure)."""
    measured = measure(dataset, evidence, method)
    metrics = []
    for spec in method.metrics:
        share = measured[spec.metric].share
        points = 0.0 if share is None else share * spec.true_points + (1 - share) * spec.false_points
        metrics.append(
            MetricResult(spec.metric, spec.dimension, round(points, 2), spec.true_points, share is not None)
        )
    dimensions = [
        DimensionScore(
            dimension,
            round(sum(m.points for m in metrics if m.dimension == dimension), 2),
            method.dimension_max(dimension),
        )
        for dimension in DIMENSIONS
    ]
    points = round(sum(m.points for m in metrics), 2)
    return DatasetQuality(
        dataset_id=dataset.id,
        slug=dataset.slug,
        title=dict(dataset.title),
        organization=dataset.organization.slug,
        harvested=dataset.origin is not None,
        points=points,
        max_points=method.max_points,
        rating=method.rating(points),
        dimensions=dimensions,
        metrics=metrics,
        suggestions=suggestions(dataset, measured, metrics, method),
        hvd=hvd_checklist(dataset, method),
    )


def suggestions(
    dataset: Dataset, measured: dict[str, Measurement], metrics: list[MetricResult], method: Methodology
) -> list[Suggestion]:
    """One suggestion per failing metric that an editor can fix, biggest gain first. A dataset without
    distributions gets one suggestion, to add one, in place of one per distribution metric."""
    found: list[Suggestion] = []
    no_distributions = not dataset.distributions
    missing_distribution_gain = 0.0
    levels = {spec.metric: spec.level for spec in method.metrics}
    for result in metrics:
        gain = result.max_points - result.points
        if not result.measured or gain <= 0 or result.metric in UNFIXABLE:
            continue
        if no_distributions and levels[result.metric] == "distribution":
            missing_distribution_gain += gain
            continue
        if result.metric in NO_ADVICE:
            continue
        failing = measured[result.metric].failing
        if result.metric == "downloadUrlStatusCode" and not failing:
            continue  # no download address to check at all: the downloadUrlAvailability advice covers it
        found.append(
            Suggestion(
                metric=result.metric,
                dimension=result.dimension,
                gain=round(gain),
                sv=advice_text(result.metric, failing, "sv"),
                en=advice_text(result.metric, failing, "en"),
                field=ADVICE[result.metric].field,
            )
        )
    if missing_distribution_gain:
        found.append(
            Suggestion(
                NO_DISTRIBUTIONS,
                "accessibility",
                round(missing_distribution_gain),
                ADD_DISTRIBUTION.sv,
                ADD_DISTRIBUTION.en,
                ADD_DISTRIBUTION.field,
            )
        )
    return sorted(found, key=lambda s: -s.gain)


def summarise(scored: list[DatasetQuality], method: Methodology) -> CatalogQuality:
    """The catalog's score: the average of the datasets' scores (0 for an empty catalog)."""
    count = len(scored) or 1
    dimensions = [
        DimensionScore(
            dimension,
            round(sum(d.points for q in scored for d in q.dimensions if d.dimension == dimension) / count, 2),
            method.dimension_max(dimension),
        )
        for dimension in DIMENSIONS
    ]
    points = round(sum(q.points for q in scored) / count, 2)
    ratings = Counter(q.rating for q in scored)
    return CatalogQuality(
        points=points,
        max_points=method.max_points,
        rating=method.rating(points),
        dimensions=dimensions,
        ratings={rating: ratings.get(rating, 0) for rating in RATINGS},
        datasets=sorted(scored, key=lambda q: (q.points, q.slug)),
        hvd_incomplete=sum(1 for q in scored if q.hvd is not None and not q.hvd.complete),
    )
