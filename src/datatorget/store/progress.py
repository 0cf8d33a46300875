"""Progress of a long ingestion: which stage it is in, rows read so far, and a percentage."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb

STAGES = ("reading", "checking", "writing", "comparing", "statistics")


@dataclass(frozen=True)
class Progress:
    stage: str
    percent: float
    rows_read: int | None = None


ProgressCallback = Callable[[Progress], None]


def ignore_progress(_progress: Progress) -> None:
    """For callers that do not show progress."""


def overall(stage: str, fraction: float) -> float:
    """A percentage of the whole ingestion: reading is most of the work, the other stages share the rest."""
    spans = {"reading": (0, 60), "checking": (60, 65), "writing": (65, 90), "comparing": (90, 95),
             "statistics": (95, 100)}  # fmt: skip
    start, end = spans[stage]
    return round(start + (end - start) * min(max(fraction, 0.0), 1.0), 1)


@contextmanager
def watched(
    cursor: duckdb.DuckDBPyConnection,
    report: ProgressCallback,
    stage: str,
    *,
    estimated_rows: int | None = None,
    interval_s: float = 0.5,
) -> Iterator[None]:
    """Report DuckDB's own progress of the statement that runs inside the block, every `interval_s`."""
    done = threading.Event()

    def poll() -> None:
        while not done.wait(interval_s):
            fraction = max(cursor.query_progress(), 0.0) / 100
            rows = int(estimated_rows * fraction) if estimated_rows else None
            report(Progress(stage, overall(stage, fraction), rows))

    poller = threading.Thread(target=poll, name=f"progress-{stage}", daemon=True)
    poller.start()
    try:
        yield
    finally:
        done.set()
        poller.join()
