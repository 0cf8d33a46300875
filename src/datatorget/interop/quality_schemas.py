"""The JSON bodies of the quality API (/api/v1/quality, /api/v1/datasets/{ref}/quality), made from the
results of interop.quality."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from datatorget.interop.quality_methodology import Dimension, Rating
from datatorget.interop.quality_types import CatalogQuality, DatasetQuality


class SuggestionOut(BaseModel):
    metric: str = Field(
        description="The MQA metric that fails (piveau's name, e.g. `licenceAvailability`), or "
        "`distributions` for the one suggestion a dataset without distributions gets."
    )
    dimension: Dimension
    gain: int = Field(description="The points the dataset would gain.")
    sv: str = Field(description="What to do, in Swedish.")
    en: str = Field(description="What to do, in English.")
    field: str | None = Field(
        description="The dataset form field to fix, `distributions` for the distributions, or null."
    )


class MetricOut(BaseModel):
    metric: str
    dimension: Dimension
    points: float
    max_points: int
    measured: bool = Field(
        description="False until the scheduled quality check has tested the links or validated the dataset: "
        "0 points meanwhile."
    )


class DimensionOut(BaseModel):
    dimension: Dimension
    points: float
    max_points: int


class HvdCheckOut(BaseModel):
    key: str = Field(
        description="licence, api, bulk_download, machine_readable, api_documentation, contact_point or metadata."
    )
    ok: bool
    sv: str = Field(description="The obligation, and what is missing, in Swedish.")
    en: str = Field(description="The obligation, and what is missing, in English.")


class HvdChecklistOut(BaseModel):
    categories: list[str] = Field(description="The dataset's HVD category codes.")
    checks: list[HvdCheckOut]
    complete: bool


class DatasetQualityOut(BaseModel):
    id: uuid.UUID
    slug: str
    title: dict[str, str]
    organization: str = Field(description="The slug of the publishing organisation.")
    points: float
    max_points: int
    rating: Rating
    dimensions: list[DimensionOut]
    metrics: list[MetricOut]
    suggestions: list[SuggestionOut] = Field(description="Biggest gain first.")
    hvd: HvdChecklistOut | None = Field(description="Null for a dataset without HVD category.")

    @classmethod
    def of(cls, quality: DatasetQuality) -> DatasetQualityOut:
        return cls.model_validate(
            _dataset_fields(quality) | {"metrics": quality.metrics, "hvd": quality.hvd}, from_attributes=True
        )


class DatasetQualitySummary(BaseModel):
    """A dataset in the catalog's list: its score and suggestions, without the metrics one by one."""

    id: uuid.UUID
    slug: str
    title: dict[str, str]
    organization: str
    points: float
    max_points: int
    rating: Rating
    dimensions: list[DimensionOut]
    suggestions: list[SuggestionOut]
    hvd_complete: bool | None = Field(
        description="Whether the HVD checklist is complete; null without HVD category."
    )

    @classmethod
    def of(cls, quality: DatasetQuality) -> DatasetQualitySummary:
        complete = None if quality.hvd is None else quality.hvd.complete
        return cls.model_validate(_dataset_fields(quality) | {"hvd_complete": complete}, from_attributes=True)


class CatalogQualityOut(BaseModel):
    points: float = Field(description="The average of the datasets' scores.")
    max_points: int
    rating: Rating
    dimensions: list[DimensionOut] = Field(description="The average of the datasets' points per dimension.")
    ratings: dict[Rating, int] = Field(description="Datasets per rating.")
    hvd_incomplete: int = Field(description="High-value datasets whose checklist is not complete.")
    total: int = Field(description="Datasets scored.")
    limit: int
    offset: int
    datasets: list[DatasetQualitySummary] = Field(description="Worst first: the datasets to fix first.")

    @classmethod
    def of(cls, quality: CatalogQuality, *, limit: int, offset: int) -> CatalogQualityOut:
        return cls.model_validate(
            {
                "points": quality.points,
                "max_points": quality.max_points,
                "rating": quality.rating,
                "dimensions": quality.dimensions,
                "ratings": quality.ratings,
                "hvd_incomplete": quality.hvd_incomplete,
                "total": len(quality.datasets),
                "limit": limit,
                "offset": offset,
                "datasets": [DatasetQualitySummary.of(q) for q in quality.datasets[offset : offset + limit]],
            },
            from_attributes=True,
        )


def _dataset_fields(quality: DatasetQuality) -> dict[str, object]:
    return {
        "id": quality.dataset_id,
        "slug": quality.slug,
        "title": quality.title,
        "organization": quality.organization,
        "points": quality.points,
        "max_points": quality.max_points,
        "rating": quality.rating,
        "dimensions": quality.dimensions,
        "suggestions": quality.suggestions,
    }
