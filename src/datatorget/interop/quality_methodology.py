"""The MQA methodology as data: metrics, points, dimensions, rating bands and format lists, read once from the
package data file `mqa_metrics.json` (see its `source` and `notes`), so that the weights can follow
data.europa.eu's methodology without code changes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, TypeVar, get_args

Rating = Literal["excellent", "good", "sufficient", "bad"]
Dimension = Literal["findability", "accessibility", "interoperability", "reusability", "contextuality"]
Level = Literal["dataset", "distribution"]
DIMENSIONS: tuple[Dimension, ...] = get_args(Dimension)
RATINGS: tuple[Rating, ...] = get_args(Rating)
T = TypeVar("T", bound=str)


@dataclass(frozen=True)
class MetricSpec:
    metric: str  # the piveau name, e.g. "keywordAvailability"
    dimension: Dimension
    level: Level
    true_points: int
    false_points: int


@dataclass(frozen=True)
class Methodology:
    max_points: int
    metrics: tuple[MetricSpec, ...]
    ratings: tuple[tuple[Rating, int], ...]  # (rating, min_points), best first
    non_proprietary: frozenset[str]  # file-type codes
    machine_readable: frozenset[str]
    media_types_outside_iana: frozenset[str]
    hvd_open_licences: tuple[str, ...]  # licence codes that meet the HVD regulation's licence rule
    hvd_api_formats: frozenset[str]  # file-type codes of a linked distribution that is an API

    def dimension_max(self, dimension: Dimension) -> int:
        return sum(m.true_points for m in self.metrics if m.dimension == dimension)

    def rating(self, points: float) -> Rating:
        """The rating of a score, rounded to whole points."""
        whole = int(points + 0.5) if points >= 0 else 0
        return next((rating for rating, least in self.ratings if whole >= least), "bad")


@cache
def methodology() -> Methodology:
    """The methodology in `mqa_metrics.json`, checked for consistency."""
    source = resources.files("datatorget.interop") / "mqa_metrics.json"
    raw = json.loads(source.read_text(encoding="utf-8"))
    metrics = tuple(
        MetricSpec(
            metric=m["metric"],
            dimension=_one_of(m["dimension"], DIMENSIONS),
            level=_one_of(m["level"], get_args(Level)),
            true_points=int(m["true_points"]),
            false_points=int(m["false_points"]),
        )
        for m in raw["metrics"]
    )
    found = Methodology(
        max_points=int(raw["max_points"]),
        metrics=metrics,
        ratings=tuple((_one_of(r["rating"], RATINGS), int(r["min_points"])) for r in raw["ratings"]),
        non_proprietary=frozenset(raw["formats"]["non_proprietary"]),
        machine_readable=frozenset(raw["formats"]["machine_readable"]),
        media_types_outside_iana=frozenset(raw["media_types_outside_iana"]),
        hvd_open_licences=tuple(raw["hvd_open_licences"]),
        hvd_api_formats=frozenset(raw["hvd_api_formats"]),
    )
    if sum(m.true_points for m in metrics) != found.max_points:
        raise ValueError("mqa_metrics.json: the metrics' true_points do not add up to max_points")
    return found


def _one_of(value: str, allowed: tuple[T, ...]) -> T:
    for candidate in allowed:
        if candidate == value:
            return candidate
    raise ValueError(f"mqa_metrics.json: {value!r} is not one of {', '.join(allowed)}")
