"""The `raw` table every reader makes, and what readers share: limits, the result, progress within reading.

A reader turns one file format into a DuckDB table named `raw` with one column per source column, as text,
or with a DuckDB type for sources that carry types (listed in `RawTable.typed`). readers.py dispatches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from datatorget.store.progress import Progress, ProgressCallback, overall
from datatorget.store.report import IngestionFailed, Problem

RAW = "raw"  # a TEMP table: each ingestion has its own cursor, and so its own "raw"


@dataclass(frozen=True)
class Limits:
    max_columns: int
    max_uncompressed_bytes: int
    work_dir: Path


@dataclass
class RawTable:
    """The `raw` table a reader made: its column names, any columns already typed, and what was found."""

    columns: list[str]
    row_count: int
    typed: dict[str, str] = field(default_factory=dict)  # column name -> DuckDB type, for typed sources
    problems: list[Problem] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)  # what was detected: encoding, delimiter, ...
    first_line: int = 1  # the line of the file that holds data row 1, for the report


Reader = Callable[[duckdb.DuckDBPyConnection, Path, Limits, ProgressCallback], RawTable]


def check_width(count: int, limits: Limits) -> None:
    """Refuse a table with more columns than the operator allows."""
    if count > limits.max_columns:
        raise IngestionFailed(
            "too_many_columns",
            sv=f"Tabellen har {count} kolumner; som mest {limits.max_columns} går att läsa in.",
            en=f"The table has {count} columns; at most {limits.max_columns} can be read.",
        )


def count_rows(cursor: duckdb.DuckDBPyConnection, table: str = RAW) -> int:
    """The number of rows of a table."""
    row = cursor.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def reading_share(progress: ProgressCallback, start: float, end: float) -> ProgressCallback:
    """A callback for one step of reading that reports its 0–100 % as `start`–`end` of the reading stage.

    For readers that run several statements under `progress.watched`, so the bar does not restart.
    """
    low, high = overall("reading", 0.0), overall("reading", 1.0)

    def report(step: Progress) -> None:
        fraction = (step.percent - low) / (high - low) if step.stage == "reading" else 0.0
        share = start + (end - start) * min(max(fraction, 0.0), 1.0)
        progress(Progress("reading", overall("reading", share), step.rows_read))

    return report


def first_line_of(exc: Exception) -> str:
    """The first line of an error message, short enough to show to a person."""
    return str(exc).split("\n")[0][:300]
