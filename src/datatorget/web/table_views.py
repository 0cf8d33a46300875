"""A table's job, validation report, column statistics and versions as the plain dicts templates show, in
the page's language. Templates never see an ORM object."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from datatorget.jobs.models import Job
from datatorget.store.models import TableVersion
from datatorget.web.formatting import format_number
from datatorget.web.i18n import Lang, Translator

PROBLEMS_SHOWN = 10
MAX_CELL_CHARS = 200
FINISHED = frozenset({"succeeded", "failed"})
NUMERIC = frozenset({"integer", "number"})


def format_value(value: Any, lang: Lang) -> str:
    """A cell as a person reads it: decimal commas in Swedish, yes/no in words, long texts cut short.
    Whole numbers are not grouped, so that years and codes read as written."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return Translator(lang)("table.yes" if value else "table.no")
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        text = repr(value) if abs(value) >= 1e16 or value != round(value, 10) else f"{value:.10g}"
        return text.replace(".", ",") if lang == "sv" else text
    if isinstance(value, int):
        return str(value)
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def format_percent(percent: float, lang: Lang) -> str:
    return f"{format_number(percent, lang, 0)}\u00a0%"


def report_view(
    report: dict[str, Any] | None, lang: Lang, shown: int = PROBLEMS_SHOWN
) -> dict[str, Any] | None:
    """The validation report summarised: counts per kind of problem, and the first problems in the page's
    language with the row (or line) and column they were found in."""
    if not report:
        return None
    t = Translator(lang)
    problems = list(report.get("problems") or [])
    counts = report.get("counts") or {}
    return {
        "valid": bool(report.get("valid", True)),
        "error_count": int(report.get("error_count") or 0),
        "counts": [
            {
                "code": code,
                "label": t(f"report.code.{code}") if t.has(f"report.code.{code}") else code,
                "count": int(count),
            }
            for code, count in counts.items()
        ],
        "problems": [
            {
                "row": problem.get("row"),
                "line": problem.get("line"),
                "column": problem.get("column"),
                "message": problem.get(lang) or problem.get("sv") or problem.get("en") or problem.get("code"),
            }
            for problem in problems[:shown]
        ],
        "more": max(sum(int(c) for c in counts.values()) - min(len(problems), shown), 0),
    }


@dataclass(frozen=True)
class JobState:
    """What the progress panel shows of a job; `key` changes whenever anything shown changes."""

    id: str
    status: str
    stage: str
    percent: float
    rows_read: int | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def key(self) -> str:
        return f"{self.status}.{self.stage}.{self.percent:g}.{self.rows_read or 0}"

    @property
    def announced(self) -> str:
        """The part the live region reads out: it changes with the stage, not with every row read."""
        return f"{self.status}.{self.stage}"


def job_state(job: Job) -> JobState:
    progress = job.progress or {}
    stage = str(progress.get("stage") or job.status)
    if job.status == "succeeded":
        stage = "done"
    elif job.status == "failed":
        stage = "failed"
    percent = 100.0 if job.status == "succeeded" else float(progress.get("percent") or 0)
    rows = progress.get("rows_read")
    return JobState(
        str(job.id), job.status, stage, min(max(percent, 0.0), 100.0), int(rows) if rows else None
    )


def job_view(job: Job, lang: Lang) -> dict[str, Any]:
    """The job's state, and when it has ended, its result (rows, report) or its error in plain language."""
    t = Translator(lang)
    state = job_state(job)
    result = dict(job.result or {})
    error = job.error or None
    stage_key = f"job.stage.{state.stage}"
    view: dict[str, Any] = {
        "state": state,
        "stage_text": t(stage_key) if t.has(stage_key) else t("job.stage.running"),
        "percent_text": format_percent(state.percent, lang),
        "rows_read": format_number(state.rows_read, lang) if state.rows_read else None,
        "error": (error.get(lang) or error.get("en")) if error else None,
        "report": report_view(result.get("report"), lang),
        "version": result.get("version"),
        "summary": summary_view(result.get("summary"), lang),
        "created_at": job.created_at,
    }
    if state.status == "succeeded":
        rows = int(result.get("row_count") or 0)
        view["announcement"] = t.plural(
            "job.done", rows, format_number(rows, lang), version=result.get("version")
        )
    elif state.status == "failed":
        view["announcement"] = t("job.failed_announcement")
    else:
        view["announcement"] = view["stage_text"]
    return view


def summary_view(summary: dict[str, Any] | None, lang: Lang) -> dict[str, Any] | None:
    """What changed against the version before: rows added, removed, changed, and columns."""
    if not summary:
        return None
    changed = summary.get("changed")
    return {
        "added": format_number(int(summary.get("added") or 0), lang),
        "removed": format_number(int(summary.get("removed") or 0), lang),
        "changed": format_number(int(changed), lang) if changed is not None else None,
        "columns_added": list(summary.get("columns_added") or []),
        "columns_removed": list(summary.get("columns_removed") or []),
    }


def versions_view(versions: list[TableVersion], shown: int | None, lang: Lang) -> list[dict[str, Any]]:
    """Every version, newest first, with what changed in it."""
    return [
        {
            "number": version.number,
            "created_at": version.created_at,
            "row_count": format_number(version.row_count, lang),
            "file_name": str(version.source.get("file_name") or ""),
            "summary": summary_view(version.summary, lang),
            "is_shown": version.number == shown,
        }
        for version in sorted(versions, key=lambda v: v.number, reverse=True)
    ]


def column_titles(schema: dict[str, Any], lang: Lang) -> dict[str, str]:
    """Each column's title in the page's language, where the publisher gave one."""
    found = {}
    for column in schema.get("fields", []):
        titles = column.get("titles") or {}
        title = titles.get(lang) or titles.get("sv") or column.get("title")
        if title and title != column["name"]:
            found[column["name"]] = str(title)
    return found


def stats_view(stats: list[dict[str, Any]] | None, lang: Lang) -> list[dict[str, Any]] | None:
    """Per column: empty cells, distinct values, smallest, largest and most common values, as text."""
    if stats is None:
        return None
    return [
        {
            "name": column["name"],
            "type": column["type"],
            "nulls": format_number(int(column.get("nulls") or 0), lang),
            "distinct": format_number(int(column.get("distinct") or 0), lang),
            "min": format_value(column.get("min"), lang),
            "max": format_value(column.get("max"), lang),
            "top": [
                {
                    "value": format_value(top.get("value"), lang),
                    "count": format_number(int(top["count"]), lang),
                }
                for top in column.get("top") or []
            ],
        }
        for column in stats
    ]
