"""The results of the metadata quality assessment, as plain frozen objects (see interop.quality, which
computes them and exports them under the same names)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from datatorget.interop.quality_methodology import Dimension, Rating


@dataclass(frozen=True)
class Suggestion:
    """One shortfall and what to do about it."""

    metric: str  # the piveau metric name, e.g. "licenceAvailability"
    dimension: Dimension
    gain: int  # points the dataset would gain
    sv: str  # the concrete advice, e.g. "Lägg till en licens"
    en: str  # e.g. "Add a licence"
    field: str | None  # the dataset form field to fix (e.g. "license"), or None


@dataclass(frozen=True)
class MetricResult:
    metric: str
    dimension: Dimension
    points: float
    max_points: int
    measured: bool


@dataclass(frozen=True)
class DimensionScore:
    dimension: Dimension
    points: float
    max_points: int


@dataclass(frozen=True)
class HvdCheck:
    key: str
    ok: bool
    sv: str  # the obligation, and what is missing
    en: str


@dataclass(frozen=True)
class HvdChecklist:
    categories: list[str]
    checks: list[HvdCheck]
    complete: bool


@dataclass(frozen=True)
class DatasetQuality:
    dataset_id: uuid.UUID
    slug: str
    title: dict[str, str]
    organization: str  # the organisation's slug
    harvested: bool  # changed at its source, not here
    points: float
    max_points: int
    rating: Rating
    dimensions: list[DimensionScore]
    metrics: list[MetricResult]
    suggestions: list[Suggestion]  # biggest gain first
    hvd: HvdChecklist | None  # None when the dataset has no HVD category


@dataclass(frozen=True)
class CatalogQuality:
    points: float
    max_points: int
    rating: Rating
    dimensions: list[DimensionScore]
    ratings: dict[Rating, int]  # datasets per rating
    datasets: list[DatasetQuality]  # worst first: the ones to fix first
    hvd_incomplete: int
