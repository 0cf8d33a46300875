"""Harvest sources and runs as the plain dicts the harvesting pages show: statuses, outcomes and schedules in
the page's language, moments in Swedish time, links to the run pages and to the harvested datasets."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from datatorget.interop.harvest_models import RECORD_OUTCOMES
from datatorget.interop.harvest_schemas import HarvestRunOut, HarvestSourceOut, RunRecordOut, RunSummary
from datatorget.web.formatting import LOCAL_TIME, format_date
from datatorget.web.i18n import Lang, Translator
from datatorget.web.paths import url

FINISHED = ("succeeded", "partial", "failed")


def format_moment(value: datetime | None, lang: Lang) -> str:
    """`24 november 2026 14:05`, in Swedish time; empty for none."""
    if value is None:
        return ""
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    local = moment.astimezone(LOCAL_TIME or UTC)
    return f"{format_date(local, lang)} {local:%H:%M}"


def moment_view(value: datetime | None, lang: Lang) -> dict[str, str] | None:
    """A moment for a `<time>` element: its ISO form and as a person reads it."""
    if value is None:
        return None
    return {"iso": value.isoformat(), "text": format_moment(value, lang)}


def schedule_text(source: HarvestSourceOut, t: Translator) -> str:
    if source.interval_hours == 0:
        return t("harvest.by_hand")
    if not source.enabled:
        return t("harvest.paused")
    return t.plural("harvest.every_hours", source.interval_hours)


def run_view(run: HarvestRunOut | RunSummary, source_id: uuid.UUID, lang: Lang) -> dict[str, Any]:
    """A run as the pages show it: its page, status, when, the counts and (failed) why."""
    t = Translator(lang)
    counts = run.counts.model_dump()
    trigger = f"harvest.trigger.{run.trigger}"
    return {
        "id": str(run.id),
        "url": url("harvest_run", lang, source_id=str(source_id), run_id=str(run.id)),
        "status": run.status,
        "status_text": t(f"harvest.status.{run.status}"),
        "finished": run.status in FINISHED,
        "trigger_text": t(trigger) if t.has(trigger) else run.trigger,
        "created": moment_view(run.created_at, lang),
        "started": moment_view(getattr(run, "started_at", None), lang),
        "finished_at": moment_view(run.finished_at, lang),
        "counts": [
            {"key": key, "count": counts[key], "label": t(f"harvest.count.{key}")} for key in RECORD_OUTCOMES
        ],
        "error": getattr(run.error, lang) if run.error else None,
    }


def record_view(record: RunRecordOut, lang: Lang) -> dict[str, Any]:
    """A record of a run's report: its title, outcome and reason, its local dataset and its address."""
    remote = record.remote_id
    return {
        "title": record.title or remote,
        "outcome": record.outcome,
        "outcome_text": Translator(lang)(f"harvest.outcome.{record.outcome}"),
        "reason": getattr(record.reason, lang) if record.reason else "",
        "dataset_url": url("dataset", lang, slug=record.dataset) if record.dataset else None,
        "remote_url": remote if remote.startswith(("http://", "https://")) else None,
    }


def source_view(source: HarvestSourceOut, lang: Lang) -> dict[str, Any]:
    t = Translator(lang)
    return {
        "id": str(source.id),
        "title": source.title,
        "url": source.url,
        "page_url": url("harvest_source", lang, source_id=str(source.id)),
        "kind_text": t(f"harvest.kind.{source.kind}"),
        "organization": {"slug": source.organization.slug, "name": source.organization.name},
        "schedule": schedule_text(source, t),
        "by_hand": source.interval_hours == 0,
        "next_run": moment_view(source.next_run_at, lang) if source.enabled else None,
        "dataset_count": source.dataset_count,
        "last_run": run_view(source.last_run, source.id, lang) if source.last_run else None,
    }
