"""Catalog rows as response models. Absolute links are made from the configured base URL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Distribution, Organization
from datatorget.catalog.schemas import (
    Checksum,
    ContactPoint,
    DatasetOut,
    DatasetSummary,
    DistributionOut,
    FacetValue,
    OrganizationOut,
    OrganizationRef,
    Temporal,
)
from datatorget.catalog.vocabulary import VocabularyName, vocabulary


def dataset_uri(base_url: str, dataset: Dataset) -> str:
    """The dataset's persistent URI: made from its UUID, so that renaming the slug does not break it."""
    return f"{base_url}/datasets/{dataset.id}"


def file_url(base_url: str, distribution: Distribution) -> str:
    return f"{base_url}/files/{distribution.id}/{distribution.file_name}"


def has_version(distribution: Distribution) -> bool:
    """Whether the distribution's table has been read in: a table without a version has nothing to show."""
    return distribution.data_table is not None and distribution.data_table.current_version is not None


def distribution_out(distribution: Distribution, *, base_url: str) -> DistributionOut:
    uploaded = file_url(base_url, distribution) if distribution.file_name else None
    return DistributionOut(
        id=distribution.id,
        title=distribution.title,
        description=distribution.description,
        access_url=uploaded or distribution.access_url,
        download_url=uploaded or distribution.download_url,
        file_name=distribution.file_name,
        format=distribution.format,
        media_type=distribution.media_type,
        byte_size=distribution.byte_size,
        checksum=Checksum(value=distribution.checksum_sha256) if distribution.checksum_sha256 else None,
        license=distribution.license,
        issued=distribution.issued,
        modified=distribution.modified,
        table=f"{base_url}/api/v1/tables/{distribution.id}" if has_version(distribution) else None,
    )


def dataset_out(dataset: Dataset, *, base_url: str) -> DatasetOut:
    temporal = None
    if dataset.temporal_start or dataset.temporal_end:
        temporal = Temporal(start=dataset.temporal_start, end=dataset.temporal_end)
    return DatasetOut(
        id=dataset.id,
        uri=dataset_uri(base_url, dataset),
        slug=dataset.slug,
        state=dataset.state,
        title=dataset.title,
        description=dataset.description,
        keywords=dataset.keywords,
        themes=dataset.themes,
        organization=OrganizationRef.model_validate(dataset.organization),
        contact_point=ContactPoint.model_validate(dataset.contact_point) if dataset.contact_point else None,
        license=dataset.license,
        access_rights=dataset.access_rights,
        spatial=dataset.spatial,
        temporal=temporal,
        frequency=dataset.frequency,
        landing_page=dataset.landing_page,
        conforms_to=dataset.conforms_to,
        hvd_categories=dataset.hvd_categories,
        issued=dataset.issued,
        modified=dataset.modified,
        distributions=[distribution_out(d, base_url=base_url) for d in dataset.distributions],
    )


def dataset_summary(dataset: Dataset) -> DatasetSummary:
    return DatasetSummary(
        id=dataset.id,
        slug=dataset.slug,
        state=dataset.state,
        title=dataset.title,
        description=dataset.description,
        organization=OrganizationRef.model_validate(dataset.organization),
        themes=dataset.themes,
        formats=sorted({d.format for d in dataset.distributions if d.format}),
        modified=dataset.modified,
    )


def organization_out(organization: Organization, dataset_count: int = 0) -> OrganizationOut:
    out = OrganizationOut.model_validate(organization)
    out.dataset_count = dataset_count
    return out


def facet_values(session: Session, facets: dict[str, list[tuple[str, int]]]) -> dict[str, list[FacetValue]]:
    """Facet counts with a Swedish and English label for each value that has one."""
    vocabularies: dict[str, VocabularyName] = {
        "theme": "themes",
        "license": "licenses",
        "format": "file_types",
    }
    names = dict(session.execute(select(Organization.slug, Organization.name)).all())
    labelled: dict[str, list[FacetValue]] = {}
    for facet, rows in facets.items():
        terms = vocabulary(vocabularies[facet]) if facet in vocabularies else {}
        values = []
        for value, count in rows:
            label: dict[str, str] | None = None
            if facet in vocabularies:
                found = terms.get(value)
                label = dict(found.label) if found else None
            elif facet == "organization" and value in names:
                label = {"sv": names[value], "en": names[value]}
            values.append(FacetValue(value=value, count=count, label=label))
        labelled[facet] = values
    return labelled
