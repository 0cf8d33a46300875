"""Metadata quality as the web pages show it: the panel on a dataset's page for those who may edit it, and the
staff dashboard at /kvalitet with the catalog's score and the datasets to fix first, paged in its query string.

The scores come from `interop.quality`; this module only words and links them in the page's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from datatorget.catalog.models import Dataset
from datatorget.interop.dcat_export import last_page
from datatorget.interop.quality import (
    CatalogQuality,
    DatasetQuality,
    DimensionScore,
    HvdChecklist,
    MetricResult,
    Suggestion,
    dataset_quality,
)
from datatorget.interop.quality_advice import DISTRIBUTIONS, NO_DISTRIBUTIONS
from datatorget.interop.quality_methodology import DIMENSIONS, RATINGS
from datatorget.web.formatting import format_number, label, localized
from datatorget.web.i18n import Lang
from datatorget.web.paths import url
from datatorget.web.search_page import page_number

PAGE_SIZE = 20
TOP_SUGGESTIONS = 3  # suggestions per dataset on the dashboard; the dataset's panel shows them all

# The fields of the dataset form (templates/dataset_form.html) a suggestion may name: its link leads to the
# field of that id in the form.
FORM_FIELDS = frozenset({
    "title_sv", "title_en", "slug", "description_sv", "description_en", "organization", "state", "keywords_sv",
    "keywords_en", "themes", "contact_name", "contact_email", "license", "access_rights", "frequency",
    "landing_page", "spatial", "temporal_start", "temporal_end", "conforms_to", "hvd_categories",
})  # fmt: skip
# A suggestion about the distributions (field DISTRIBUTIONS) leads to them on the dataset's page, or to the
# form for a new one when the dataset has none (the metric NO_DISTRIBUTIONS).


# --- words and numbers ----------------------------------------------------------------------------------


def format_points(value: float, lang: Lang) -> str:
    """Points as a person reads them: whole points without decimals, else one decimal (`12,5`)."""
    return format_number(value, lang, 0 if float(value).is_integer() else 1)


def share(points: float, max_points: int) -> int:
    """Points as a whole percentage of the maximum (0 for a maximum of 0)."""
    return round(100 * points / max_points) if max_points else 0


def advice(suggestion: Suggestion, lang: Lang) -> str:
    return suggestion.sv if lang == "sv" else suggestion.en


def suggestion_link(suggestion: Suggestion, slug: str, lang: Lang) -> str | None:
    """Where to act on a suggestion: the field in the dataset form, the distributions on the dataset's page
    (the form for a new distribution when there is none), or None when it names nothing to fix."""
    field = suggestion.field
    if field in FORM_FIELDS:
        return f"{url('dataset_edit', lang, slug=slug)}#{field}"
    if field == DISTRIBUTIONS and suggestion.metric == NO_DISTRIBUTIONS:
        return url("distribution_new", lang, slug=slug)
    if field == DISTRIBUTIONS:
        return f"{url('dataset', lang, slug=slug)}#distributions"
    return None


def suggestions_view(
    suggestions: Sequence[Suggestion], slug: str, lang: Lang, limit: int | None = None, *, linked: bool = True
) -> list[dict[str, Any]]:
    """The suggestions, biggest gain first (as the engine orders them), with the link to act on each (none
    for a harvested dataset, which is changed at its source)."""
    return [
        {
            "text": advice(s, lang),
            "gain": s.gain,
            "dimension": s.dimension,
            "url": suggestion_link(s, slug, lang) if linked else None,
        }
        for s in list(suggestions)[:limit]
    ]


def dimensions_view(dimensions: Sequence[DimensionScore], lang: Lang) -> list[dict[str, Any]]:
    """One row per dimension, in the order of `Dimension`: points, maximum and share."""
    by_name = {d.dimension: d for d in dimensions}
    return [
        {
            "dimension": name,
            "points": format_points(by_name[name].points, lang),
            "max_points": format_number(by_name[name].max_points, lang),
            "value": by_name[name].points,
            "max": by_name[name].max_points,
            "percent": share(by_name[name].points, by_name[name].max_points),
        }
        for name in DIMENSIONS
        if name in by_name
    ]


def hvd_view(hvd: HvdChecklist | None, lang: Lang) -> dict[str, Any] | None:
    """The HVD checklist: the categories, and each obligation as met or missing, the missing first."""
    if hvd is None:
        return None
    checks = sorted(hvd.checks, key=lambda c: c.ok)  # stable: the engine's order within missing and met
    return {
        "categories": [label("hvd_categories", code, lang) for code in hvd.categories],
        "complete": hvd.complete,
        "missing": sum(1 for c in hvd.checks if not c.ok),
        "checks": [{"key": c.key, "ok": c.ok, "text": c.sv if lang == "sv" else c.en} for c in checks],
    }


def unmeasured(metrics: Sequence[MetricResult]) -> list[str]:
    """The metrics not measured yet (link checks, the DCAT-AP check before they have run), by name."""
    return [m.metric for m in metrics if not m.measured]


# --- the panel on a dataset's page ------------------------------------------------------------------------


def panel_view(quality: DatasetQuality, lang: Lang) -> dict[str, Any]:
    """What `quality_macros.panel` shows for one dataset; a harvested one is fixed at its source, so its
    suggestions lead nowhere here."""
    return {
        "harvested": quality.harvested,
        "points": format_points(quality.points, lang),
        "max_points": format_number(quality.max_points, lang),
        "rating": quality.rating,
        "dimensions": dimensions_view(quality.dimensions, lang),
        "suggestions": suggestions_view(
            quality.suggestions, quality.slug, lang, linked=not quality.harvested
        ),
        "hvd": hvd_view(quality.hvd, lang),
        "unmeasured": unmeasured(quality.metrics),
        "dashboard_url": url("quality", lang),
    }


def dataset_panel(session: Session, dataset: Dataset, lang: Lang) -> dict[str, Any]:
    """The quality panel of a dataset; the caller shows it only to those who may edit the dataset."""
    return panel_view(dataset_quality(session, dataset), lang)


# --- the dashboard --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardState:
    """The dashboard's organisation filter (administrators only) and page, as in its query string."""

    organization: str = ""
    page: int = 1

    def params(self) -> list[tuple[str, str]]:
        pairs = [("organization", self.organization)] if self.organization else []
        if self.page > 1:
            pairs.append(("page", str(self.page)))
        return pairs

    def link(self, lang: Lang) -> str:
        query = urlencode(self.params())
        return url("quality", lang) + (f"?{query}" if query else "")

    def on_page(self, page: int) -> DashboardState:
        return replace(self, page=page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    def within(self, total: int) -> DashboardState:
        """The same state on a page that exists: a page past the last (a typed-in URL) shows the last."""
        return self.on_page(min(self.page, last_page(total, PAGE_SIZE)))


def parse_dashboard(params: QueryParams, organizations: Sequence[str]) -> DashboardState:
    """The state a query string asks for; an organisation not offered is left out rather than failing."""
    organization = params.get("organization", "").strip()
    return DashboardState(
        organization=organization if organization in organizations else "",
        page=page_number(params),
    )


def dataset_row(quality: DatasetQuality, lang: Lang, organization_names: dict[str, str]) -> dict[str, Any]:
    """One dataset in the list to fix: its title (linked to its form, or to its page when it is harvested and
    so changed at its source), score, rating and top suggestions."""
    return {
        "title": localized(quality.title, lang),
        "edit_url": url("dataset" if quality.harvested else "dataset_edit", lang, slug=quality.slug),
        "harvested": quality.harvested,
        "organization": organization_names.get(quality.organization, quality.organization),
        "points": format_points(quality.points, lang),
        "max_points": format_number(quality.max_points, lang),
        "rating": quality.rating,
        "suggestions": suggestions_view(
            quality.suggestions, quality.slug, lang, TOP_SUGGESTIONS, linked=not quality.harvested
        ),
        "more_suggestions": max(len(quality.suggestions) - TOP_SUGGESTIONS, 0),
        "hvd_missing": bool(quality.hvd and not quality.hvd.complete),
    }


def dashboard_view(
    found: CatalogQuality,
    state: DashboardState,
    lang: Lang,
    organization_names: dict[str, str],
) -> dict[str, Any]:
    """What `quality.html` shows: the catalog's score, its dimensions, ratings and HVD count, and one page
    of the datasets to fix first (worst first)."""
    shown = found.datasets[state.offset : state.offset + PAGE_SIZE]
    return {
        "points": format_points(found.points, lang),
        "max_points": format_number(found.max_points, lang),
        "rating": found.rating,
        "dimensions": dimensions_view(found.dimensions, lang),
        "ratings": [(rating, found.ratings.get(rating, 0)) for rating in RATINGS],
        "hvd_incomplete": found.hvd_incomplete,
        "total": len(found.datasets),
        "datasets": [dataset_row(q, lang, organization_names) for q in shown],
        "first": state.offset + 1,
        "last": state.offset + len(shown),
    }
