"""The picture of demand as the staff page shows it: unmet searches, the most voted open requests, requests
by state, and use per dataset (summed over the period) and per month (summed over the datasets)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from datatorget.dialogue.demand import MonthlyUse, Picture
from datatorget.dialogue.schemas import RequestState
from datatorget.web.i18n import Lang
from datatorget.web.paths import url

STATES: tuple[RequestState, ...] = (
    "received",
    "under_review",
    "planned",
    "published",
    "declined",
    "available",
)
PERIODS_DAYS = (7, 30, 90, 365)
PERIODS_MONTHS = (3, 12, 24)
USE_ROWS = 50  # datasets listed in the use table, the most viewed first


def _totals(rows: list[MonthlyUse]) -> dict[str, int]:
    return {
        "views": sum(r.views for r in rows),
        "downloads": sum(r.downloads for r in rows),
        "api_calls": sum(r.api_calls for r in rows),
    }


def use_by_dataset(usage: list[MonthlyUse], lang: Lang) -> list[dict[str, Any]]:
    """One row per dataset with its totals over the period, the most viewed (then downloaded) first."""
    by_slug: dict[str, list[MonthlyUse]] = defaultdict(list)
    for use in usage:
        by_slug[use.slug].append(use)
    totals = {slug: _totals(uses) for slug, uses in by_slug.items()}
    order = sorted(totals, key=lambda slug: (-totals[slug]["views"], -totals[slug]["downloads"],
                                             -totals[slug]["api_calls"], slug))  # fmt: skip
    rows = [{"slug": slug, "url": url("dataset", lang, slug=slug), **totals[slug]} for slug in order]
    return rows[:USE_ROWS]


def use_by_month(usage: list[MonthlyUse]) -> list[dict[str, Any]]:
    """One row per month (YYYY-MM) with the totals of every dataset, oldest first."""
    by_month: dict[str, list[MonthlyUse]] = defaultdict(list)
    for use in usage:
        by_month[use.month].append(use)
    return [{"month": month, **_totals(by_month[month])} for month in sorted(by_month)]


def demand_view(found: Picture, lang: Lang, *, days: int, months: int) -> dict[str, Any]:
    """What `demand.html` shows."""
    return {
        "days": days,
        "months": months,
        "periods_days": PERIODS_DAYS,
        "periods_months": PERIODS_MONTHS,
        "searches_since": found.searches_since,
        "usage_since": found.usage_since,
        "unmet_searches": found.unmet_searches,
        "wanted": [
            {
                "url": url("request", lang, request_id=str(r.id)),
                "title": r.title,
                "organization": r.organization.name,
                "state": r.state,
                "votes": r.votes,
            }
            for r in found.most_voted
        ],
        "by_state": [(state, found.requests_by_state.get(state, 0)) for state in STATES],
        "use_by_dataset": use_by_dataset(found.usage, lang),
        "use_by_month": use_by_month(found.usage),
        "datasets_used": len({u.slug for u in found.usage}),
    }
